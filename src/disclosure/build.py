"""The whole job: load → derive → check → narrate → render → write, atomically (DESIGN.md §2, §8).

The output is written to a temporary file in the target folder and renamed
into place only when complete, so a failed build never leaves a partial
report and never touches an existing one.
"""

from __future__ import annotations

import gc
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks as checks_module
from .catalogue import Catalogue, CatalogueError, load_catalogue
from .checks import Finding
from .classification import Classification, bundled
from .errors import UsageError
from .glossary import glossary_terms
from .load import LoadedModel, LoadError, Problem, SourceMap, load
from .model import BudgetModel
from .narrative import Narrative, narrate
from .performance import derive_sheets
from .profile import Profile, load_profile
from .report import ReportContent
from .tables import Tables, derive_tables

if TYPE_CHECKING:  # imported where used: rendering and PDF libraries are heavy
    from .pdf import Attachment
    from .render import OutlineEntry


class BuildRefused(Exception):
    """The model has findings of severity error (or warnings under ``strict``): no report is written."""

    def __init__(self, findings: list[Finding], source: SourceMap | None):
        self.findings = findings
        self.source = source
        super().__init__(f"{sum(f.is_error for f in findings)} error(s) in the budget model")


class OutputError(UsageError):
    """The output folder or file cannot be written."""


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
            glossary_terms(model),
            _catalogue(loaded),
        )
    return Prepared(loaded, classification, findings, content)


def _catalogue(loaded: LoadedModel) -> Catalogue | None:
    """The appended catalogue; a file that cannot be used is unusable input (exit 2), located in the model."""
    appendix = loaded.model.appendix
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


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder and a rename."""
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write in the output folder ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates 0600; a report is an ordinary file
        os.replace(temporary, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the report of ``source`` into ``output_dir`` (its PDF with ``pdf``, its data as JSON with ``json``).

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
        write_atomically(target, data)
        if json:
            from .export import report_json

            write_atomically(target.with_suffix(".json"), report_json(prepared.content, prepared.findings).encode())
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


# --------------------------------------------------------------------------- many units


EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


@dataclass(frozen=True)
class UnitOutcome:
    """One unit of a batch: its result, or the lines to print and the exit code of its failure."""

    source: Path
    result: BuildResult | None
    messages: tuple[str, ...] = ()
    exit_code: int = EXIT_OK


def build_unit(source: Path, output_dir: Path, options: dict[str, object]) -> UnitOutcome:
    """Build one unit of a batch; failures are returned as messages (they cross process boundaries)."""
    strict = bool(options.get("strict"))
    try:
        result = build(source, output_dir, **options)  # type: ignore[arg-type]
    except LoadError as exc:
        return UnitOutcome(source, None, tuple(f"error: {p}" for p in exc.problems), EXIT_INPUT)
    except BuildRefused as exc:
        lines = checks_module.finding_lines(exc.findings, exc.source, strict=strict)
        return UnitOutcome(source, None, (*lines, f"{source}: no report written"), EXIT_FINDINGS)
    except UsageError as exc:
        return UnitOutcome(source, None, (f"error: {exc}",), EXIT_INPUT)
    except Exception as exc:  # a bug: report it for this unit, keep building the others
        return UnitOutcome(source, None, (f"internal error in {source}: {type(exc).__name__}: {exc}",), EXIT_BUG)
    finally:
        # python-docx and docxtpl leave reference cycles holding whole XML trees; without a collection
        # here a worker's memory grows by ~30 MiB every few reports of a batch
        gc.collect()
    warnings = checks_module.finding_lines(result.findings, result.source)
    return UnitOutcome(source, result, tuple(warnings))


def build_batch(
    sources: Sequence[Path],
    output_dir: Path | str,
    *,
    jobs: int = 1,
    pdf: bool = False,
    on_done: Callable[[UnitOutcome], None] | None = None,
    **options: object,
) -> list[UnitOutcome]:
    """Build many units into ``output_dir``, on ``jobs`` processes; with ``pdf``, one LibreOffice for all.

    Each unit succeeds or fails on its own.  The PDFs are converted in one LibreOffice run after the
    Word reports are written (starting LibreOffice costs about twice converting one report), then
    finished one by one.
    """
    output_dir = Path(output_dir)
    report = on_done or (lambda outcome: None)
    outcomes: list[UnitOutcome] = []
    if jobs > 1 and len(sources) > 1:
        from concurrent.futures import ProcessPoolExecutor

        from . import render  # noqa: F401 - imported once here, so forked workers start with it

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(build_unit, Path(s), output_dir, {**options, "pdf_later": pdf}) for s in sources]
            for future in futures:
                outcomes.append(future.result())
                report(outcomes[-1])
    else:
        for s in sources:
            outcomes.append(build_unit(Path(s), output_dir, {**options, "pdf_later": pdf}))
            report(outcomes[-1])
    outcomes = _refuse_shared_names(outcomes)
    if pdf:
        outcomes = _batch_pdfs(outcomes, output_dir)
    return outcomes


def _refuse_shared_names(outcomes: list[UnitOutcome]) -> list[UnitOutcome]:
    """Two units that wrote the same file (same unit, year and level): neither report can be trusted."""
    from dataclasses import replace

    by_path: dict[Path, list[Path]] = {}
    for outcome in outcomes:
        if outcome.result is not None:
            by_path.setdefault(outcome.result.docx, []).append(outcome.source)
    shared = {path: sources for path, sources in by_path.items() if len(sources) > 1}
    if not shared:
        return outcomes
    out = []
    for outcome in outcomes:
        sources = shared.get(outcome.result.docx) if outcome.result is not None else None
        if sources:
            message = (f"error: {outcome.source}: writes {outcome.result.docx.name} like "  # type: ignore[union-attr]
                       f"{', '.join(str(s) for s in sources if s != outcome.source)}; give each report.output_name")
            outcome = replace(outcome, result=None, messages=(*outcome.messages, message), exit_code=EXIT_INPUT)
        out.append(outcome)
    return out


def _batch_pdfs(outcomes: list[UnitOutcome], output_dir: Path) -> list[UnitOutcome]:
    from dataclasses import replace

    from .pdf import PdfError, convert_to_pdf, finish_pdf

    built = [o for o in outcomes if o.result is not None]
    if not built:
        return outcomes
    targets = {o.source: o.result.docx.with_suffix(".pdf") for o in built}  # type: ignore[union-attr]
    try:
        with tempfile.TemporaryDirectory(prefix=".disclosure-batch-", dir=output_dir) as staging:
            converted = convert_to_pdf([o.result.docx for o in built], Path(staging))  # type: ignore[union-attr]
            for outcome, pdf in zip(built, converted):
                finish_pdf(pdf, **outcome.result.pdf_request.arguments())  # type: ignore[union-attr,arg-type]
            for outcome, pdf in zip(built, converted):  # every PDF finished: only now replace the old ones
                os.replace(pdf, targets[outcome.source])
    except PdfError as exc:
        message = f"error: {exc}"
        return [replace(o, messages=(*o.messages, message), exit_code=max(o.exit_code, EXIT_INPUT))
                if o.result is not None else o for o in outcomes]
    return [replace(o, result=replace(o.result, pdf=targets[o.source])) if o.result is not None else o
            for o in outcomes]


