"""The whole job: load → derive → check → narrate → render → write, atomically (DESIGN.md §2, §8).

The output is written to a temporary file in the target folder and renamed
into place only when complete, so a failed build never leaves a partial
report and never touches an existing one.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks as checks_module
from .catalogue import Catalogue, CatalogueError, load_catalogue
from .checks import Finding
from .classification import Classification, bundled
from .errors import DisclosureError
from .files import write_atomically
from .glossary import glossary_terms
from .load import LoadedModel, LoadError, Problem, SourceMap, load
from .model import Appendix, BudgetModel
from .narrative import Narrative, narrate
from .performance import derive_sheets
from .profile import Profile, load_profile
from .report import ReportContent, printed_tables
from .tables import Tables, derive_tables

if TYPE_CHECKING:  # imported where used: rendering and PDF libraries are heavy
    from .pdf import Attachment
    from .render import OutlineEntry


class BuildRefused(DisclosureError):
    """The model has findings of severity error (or warnings under ``strict``): no report is written."""

    def __init__(self, findings: list[Finding], source: SourceMap | None):
        self.findings = findings
        self.source = source
        super().__init__(f"{sum(f.is_error for f in findings)} error(s) in the budget model")


@dataclass
class Timings:
    """Seconds spent per stage of one build (the benchmark reports their ratios)."""

    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measure(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - start

    @property
    def library(self) -> float:
        """load + derive + check + narrate: the library's own work."""
        return sum(self.stages.get(s, 0.0) for s in ("load", "derive", "check", "narrate"))

    @property
    def total(self) -> float:
        return sum(self.stages.values())


@dataclass(frozen=True)
class Prepared:
    """Everything derived from a model, before any document is rendered."""

    loaded: LoadedModel
    classification: Classification
    findings: list[Finding]
    content: ReportContent

    @property
    def model(self) -> BudgetModel:
        return self.loaded.model

    @property
    def tables(self) -> Tables:
        return self.content.tables

    @property
    def narrative(self) -> Narrative:
        return self.content.narrative

    @property
    def profile(self) -> Profile:
        return self.content.profile


@dataclass(frozen=True)
class PdfRequest:
    """What a report's PDF needs besides its .docx: the outline and the metadata, and any attachments."""

    outline: tuple[OutlineEntry, ...]
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    attachments: tuple[Attachment, ...] = ()

    def arguments(self) -> dict[str, object]:
        return {"outline": self.outline, "title": self.title, "author": self.author, "subject": self.subject,
                "keywords": list(self.keywords), "attachments": list(self.attachments)}


@dataclass(frozen=True)
class BuildResult:
    docx: Path
    findings: list[Finding]
    timings: Timings
    source: SourceMap | None = None  # where the model's fields are, to print findings with lines
    pdf_request: PdfRequest | None = None
    pdf: Path | None = None

    @property
    def outline(self) -> tuple[OutlineEntry, ...]:
        """Bookmarks of the parts, tables and sheets, in order (the PDF outline)."""
        return self.pdf_request.outline if self.pdf_request else ()


def resolve_classification(function_file: Path | str | None = None, economic_file: Path | str | None = None) -> Classification:
    classification = bundled()
    if function_file is not None:
        classification = classification.with_function_file(function_file)
    if economic_file is not None:
        classification = classification.with_economic_file(economic_file)
    return classification


def prepare(
    source: Path | str | LoadedModel | BudgetModel,
    *,
    classification: Classification | None = None,
    profile: Profile | str | None = None,
    timings: Timings | None = None,
) -> Prepared:
    """Load (if given a path), derive the tables, run the checks and write the sentences."""
    timings = timings or Timings()
    with timings.measure("load"):
        if isinstance(source, LoadedModel):
            loaded = source
        elif isinstance(source, BudgetModel):
            loaded = LoadedModel(source, SourceMap("<model>"))
        else:
            loaded = load(source)
    model = loaded.model
    classification = classification or bundled()
    if not isinstance(profile, Profile):
        profile = load_profile(profile or model.report.profile)
    with timings.measure("derive"):
        tables = derive_tables(model, classification)
    with timings.measure("check"):
        findings = checks_module.run_checks(model, tables)
    with timings.measure("narrate"):
        content = ReportContent(
            model,
            profile,
            tables,
            narrate(model, tables, profile),
            derive_sheets(model, profile),
            glossary_terms(model, f"{profile.glossary}.yaml"),
            _catalogue(loaded, profile),
            printed_tables(tables, profile, model.unit.level),
        )
    return Prepared(loaded, classification, findings, content)


def _catalogue(loaded: LoadedModel, profile: Profile) -> Catalogue | None:
    """The appended catalogue: the model's ``appendix`` (``null``: none), else the profile's default (none unless
    the profile names one); a file that cannot be used is unusable input (exit 2), located in the model."""
    model = loaded.model
    if model.appendix_given:
        appendix = model.appendix
    else:
        appendix = Appendix(catalogue=profile.appendix) if profile.appendix else None
    if appendix is None:
        return None
    try:
        return load_catalogue(appendix, loaded.path.parent if loaded.path else None)
    except CatalogueError as exc:
        path = ("appendix", "catalogue")
        raise LoadError([Problem(loaded.source.file, str(exc), path, loaded.source.line(path))]) from None


def default_output_name(model: BudgetModel) -> str:
    unit = model.unit
    name = model.report.output_name or f"{unit.name}-{unit.fiscal_year}-{unit.level}预算公开"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "report"


def build(
    source: Path | str | LoadedModel | BudgetModel,
    output_dir: Path | str = ".",
    *,
    classification: Classification | None = None,
    profile: Profile | str | None = None,
    templates: Path | str | None = None,
    strict: bool = False,
    output_name: str | None = None,
    pdf: bool = False,
    pdf_later: bool = False,
    json: bool = False,
    xlsx: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the report of ``source`` into ``output_dir`` (its PDF with ``pdf``, its data as JSON with ``json``,
    its tables as an Excel workbook with ``xlsx``).

    Refuses (:class:`BuildRefused`) when the model has error findings, or warnings under ``strict``.
    ``pdf_later`` checks the model's PDF attachments and puts them in ``pdf_request`` without converting
    (a batch converts all its reports in one LibreOffice start).
    """
    timings = Timings()
    step = progress or (lambda message: None)
    step("load, derive, check")
    prepared = prepare(source, classification=classification, profile=profile, timings=timings)
    if checks_module.has_errors(prepared.findings, strict=strict):
        raise BuildRefused(prepared.findings, prepared.loaded.source)
    # rendering needs python-docx, docxtpl and docxcompose: imported here, so that load and validate
    # (and every input error) answer without paying for them
    from .render import TemplateSet, render_report
    from .render.compose import to_bytes

    template_set = TemplateSet.create(templates)
    step("render")
    with timings.measure("render"):
        rendered = render_report(prepared.content, template_set)
    request = _pdf_request(prepared, rendered.outline, attachments=pdf or pdf_later)
    step("save")
    with timings.measure("save"):
        data = to_bytes(rendered.document)
        target = Path(output_dir) / f"{output_name or default_output_name(prepared.model)}.docx"
        if xlsx:  # made before anything is written: a failure leaves no report behind
            from .workbook.tables import tables_path, write_tables_workbook

            tables, workbook = tables_path(target, prepared.loaded.path), io.BytesIO()
            write_tables_workbook(prepared.content, workbook, templates=template_set)
        write_atomically(target, data)
        if json:
            from .export import report_json

            write_atomically(target.with_suffix(".json"), report_json(prepared.content, prepared.findings).encode())
        if xlsx:
            write_atomically(tables, workbook.getvalue())
    pdf_path = None
    if pdf:
        from .pdf import docx_to_pdf

        step("pdf")
        with timings.measure("pdf"):
            pdf_path = docx_to_pdf(target, target.with_suffix(".pdf"), **request.arguments())  # type: ignore[arg-type]
    return BuildResult(target, prepared.findings, timings, prepared.loaded.source, request, pdf_path)


def _pdf_request(prepared: Prepared, outline: tuple[OutlineEntry, ...], *, attachments: bool) -> PdfRequest:
    from .render.context import report_title

    unit = prepared.model.unit
    return PdfRequest(
        outline=outline,
        title=report_title(prepared.model, prepared.profile),
        author=unit.name,
        subject=f"{unit.fiscal_year}年{unit.level}预算公开",
        keywords=("预算公开", f"{unit.fiscal_year}年", unit.name, f"{unit.level}预算"),
        attachments=tuple(_pdf_attachments(prepared.loaded)) if attachments else (),
    )


def _pdf_attachments(loaded: LoadedModel) -> list[Attachment]:
    """The model's PDF attachments, each file checked to exist (unusable input otherwise, with its line)."""
    from .pdf import Attachment

    base = loaded.path.parent if loaded.path else Path(".")
    attachments = []
    for i, item in enumerate(loaded.model.report.attachments):
        path = base / item.file
        if not path.is_file():
            where = ("report", "attachments", i, "file")
            raise LoadError([Problem(loaded.source.file, f"no such PDF file: {path}", where, loaded.source.line(where))])
        attachments.append(Attachment(path, item.title, item.after))
    return attachments
