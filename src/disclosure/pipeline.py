"""The whole job: load → derive → check → narrate → render → write, all or nothing (DESIGN.md §2, §8).

Every output of a unit (.docx, PDF, JSON) is produced in a private staging folder inside the
output folder and renamed into place with the others only when all are complete
(:class:`disclosure.files.StagedOutputs`), so a failed build never leaves a partial report and
never touches an existing one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks as checks_module
from .catalogue import Catalogue, CatalogueError, load_catalogue
from .checks import Finding
from .classification import Classification, bundled
from .errors import ArgumentError, DisclosureError, OutputError, expect
from .files import (
    STAGING_PREFIX,
    StagedOutputs,
    check_regular_file,
    names_a_file,
    remove_abandoned_staging,
    safe_file_stem,
    stem_length_problem,
)
from .glossary import glossary_terms
from .heap import kept_until_done
from .load import LoadedModel, LoadError, Problem, SourceMap, control_character_problems, load
from .model import Appendix, BudgetModel
from .narrative import Narrative, narrate
from .performance import derive_sheets
from .profile import Profile, ProfileError, is_profile_path, load_profile
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
    json: Path | None = None
    xlsx: Path | None = None  # the report's tables as a workbook (build --xlsx)
    notices: tuple[Problem, ...] = ()  # about the file itself: renamed fields used with their old spelling
    #: files of the report's name this build did not write (an earlier build's PDF, JSON, workbook)
    left_over: tuple[Path, ...] = ()

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
        elif isinstance(source, BudgetModel):  # built in Python: what a file's reader refuses is looked for here
            problems = control_character_problems(source)
            if problems:
                raise LoadError(problems)
            loaded = LoadedModel(source, SourceMap("<model>"))
        else:
            loaded = load(source)
    classification = classification or bundled()
    if isinstance(profile, str):
        profile = load_profile(profile)
    elif profile is None:
        profile = _model_profile(loaded)
    with kept_until_done():  # the model lives as long as the build
        return _derived(loaded, classification, profile, timings)


def _derived(loaded: LoadedModel, classification: Classification, profile: Profile, timings: Timings) -> Prepared:
    """The tables, findings and report content of a loaded model (:func:`prepare`)."""
    model = loaded.model
    with timings.measure("derive"):
        # checked at the scale the report's tables print (万元 in the Shanxi form, 元 in the Shanghai form)
        tables = derive_tables(model, classification, profile.number_format("table", model.unit.level).scale)
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


def model_profile_name(loaded: LoadedModel) -> str:
    """What the build loads for the model's ``report.profile``: a bundled name as given; a relative file path
    beside the model when a file is there (as an appended catalogue or PDF is), else as given (the current
    folder, as before)."""
    name = loaded.model.report.profile
    if loaded.path is not None and is_profile_path(name) and not Path(name).is_absolute():
        beside = loaded.path.parent / name
        if beside.is_file():
            return str(beside)
    return name


def _model_profile(loaded: LoadedModel) -> Profile:
    """The profile the model names (:func:`model_profile_name`); one that cannot be used is unusable input,
    located in the model."""
    try:
        return load_profile(model_profile_name(loaded))
    except ProfileError as exc:
        path = ("report", "profile")
        raise LoadError([loaded.source.problem(str(exc), path)]) from None


def appendix_of(loaded: LoadedModel, profile: Profile) -> Appendix | None:
    """The catalogue appended under 十二、(一): the model's ``appendix`` (``null``: none), whose catalogue is the
    profile's when it names none; without ``appendix``, the profile's default (none unless the profile names
    one). An ``appendix`` naming no catalogue where the profile has none is unusable input (exit 2): the
    catalogue of one province is no default of another's report."""
    model = loaded.model
    if not model.appendix_given:
        return Appendix(catalogue=profile.appendix) if profile.appendix else None
    appendix = model.appendix
    if appendix is None or appendix.catalogue is not None:
        return appendix
    if profile.appendix:
        return appendix.model_copy(update={"catalogue": profile.appendix})
    from .catalogue import BUNDLED

    message = (f"which catalogue to append is not given: name a CSV of your own (department,code,level,name,"
               f"parent_code) or a bundled one ({', '.join(BUNDLED)}), or write appendix: null for none")
    raise LoadError([loaded.source.problem(message, ("appendix", "catalogue"))])


def _catalogue(loaded: LoadedModel, profile: Profile) -> Catalogue | None:
    """The appended catalogue (:func:`appendix_of`); a file that cannot be used is unusable input (exit 2),
    located in the model."""
    appendix = appendix_of(loaded, profile)
    if appendix is None:
        return None
    try:
        return load_catalogue(appendix, loaded.path.parent if loaded.path else None)
    except CatalogueError as exc:
        path = ("appendix", "catalogue")
        raise LoadError([loaded.source.problem(str(exc), path)]) from None


def default_output_name(model: BudgetModel) -> str:
    """The report's file name without suffix: ``report.output_name`` or ``{unit}-{year}-{level}预算公开``, made safe
    (a name that leaves nothing of a file name, such as ``..``, is not given)."""
    unit = model.unit
    given = model.report.output_name
    return safe_file_stem(given if names_a_file(given) else f"{unit.name}-{unit.fiscal_year}-{unit.level}预算公开")


def output_stem(prepared: Prepared, output_name: str | None = None) -> str:
    """The checked file name (without suffix) of the report: inside the output folder, not too long.

    ``output_name`` (the caller's) wins over the model's ``report.output_name``, which wins over the
    default from the unit's name; a name that leaves nothing of a file name (``""``, ``..``) is not given.
    A name too long for a file name is unusable input naming its source.
    """
    if names_a_file(output_name):
        assert output_name is not None
        stem = safe_file_stem(output_name)
        problem = stem_length_problem(stem)
        if problem:
            raise OutputError(f"output_name: the report's file name {problem}")
        return stem
    model, source = prepared.model, prepared.loaded.source
    stem = default_output_name(model)
    problem = stem_length_problem(stem)
    if problem:
        given = names_a_file(model.report.output_name)
        field = ("report", "output_name") if given else ("unit", "name")
        hint = "" if given else "; give a shorter file name in report.output_name"
        message = f"the report's file name {problem}{hint}"
        raise LoadError([source.problem(message, field)])
    return stem


def _check_template_files(templates: Path | str | None, profile: Profile) -> None:
    """Every template of ``--templates DIR`` the profile uses is a regular file under the size cap.

    The rendering libraries open templates by name: a FIFO there would block them, a device would
    be read without end.  Raises :class:`FileRefused` (unusable input) naming the file.
    """
    if templates is None:
        return
    from .render.limits import TEMPLATE_FILE_BYTES

    folder = Path(templates)
    for name in profile.template_names:
        candidate = folder / name
        if os.path.lexists(candidate):
            check_regular_file(candidate, TEMPLATE_FILE_BYTES, "a Word template (.docx)")


@contextmanager
def staged_build(
    source: Path | str | LoadedModel | BudgetModel,
    output_dir: Path | str,
    *,
    classification: Classification | None = None,
    profile: Profile | str | None = None,
    templates: Path | str | None = None,
    strict: bool = False,
    output_name: str | None = None,
    pdf: bool = False,
    attachments: bool = False,
    json: bool = False,
    xlsx: bool = False,
    progress: Callable[[str], None] | None = None,
    staging_prefix: str = STAGING_PREFIX,
    staging_owner: int | None = None,
) -> Iterator[tuple[BuildResult, StagedOutputs]]:
    """Check the model and produce its outputs in a staging folder inside ``output_dir``, unpublished.

    Yields the result (with the paths the outputs will have) and the :class:`StagedOutputs`, whose
    ``.docx`` (and ``.json``, and the tables workbook ``.xlsx``) are written; with ``pdf`` the ``.pdf`` is expected as well (the caller
    converts it into ``outputs.path_for(".pdf")``).  The caller commits or discards; an exception
    (and Ctrl-C) inside the ``with`` block discards everything.  ``attachments`` checks the model's
    PDF attachments (each a readable PDF, each ``after`` a bookmark of the report).
    """
    timings = Timings()
    step = progress or (lambda message: None)
    step("load, derive, check")
    prepared = prepare(source, classification=classification, profile=profile, timings=timings)
    if checks_module.has_errors(prepared.findings, strict=strict):
        raise BuildRefused(prepared.findings, prepared.loaded.source)
    stem = output_stem(prepared, output_name)
    # rendering needs lxml and Jinja (and, on a first run, docxtpl to compile the templates): imported here, so
    # that load and validate (and every input error) answer without paying for them
    from .render import TemplateSet, render_report

    template_set = TemplateSet.create(templates)
    _check_template_files(templates, prepared.profile)
    pdf_attachments = _pdf_attachments(prepared.loaded) if attachments or pdf else []
    with StagedOutputs(output_dir, stem, prefix=staging_prefix, model=prepared.loaded.path,
                       owner=staging_owner) as outputs:
        for suffix, wanted in ((".docx", True), (".json", json), (".pdf", pdf), (".xlsx", xlsx)):
            if wanted:
                outputs.path_for(suffix)  # a target that cannot be replaced (a folder) fails before any work
        if xlsx:  # never over the workbook the model was read from
            from .workbook.tables import tables_path

            tables_path(outputs.target(".docx"), prepared.loaded.path)
        step("render")
        with timings.measure("render"):
            rendered = render_report(prepared.content, template_set)
        request = _pdf_request(prepared, rendered.outline, pdf_attachments)
        step("save")
        with timings.measure("save"):
            outputs.write(".docx", rendered.write)
            if json:
                from .export import report_json

                outputs.write(".json", lambda handle: handle.write(report_json(prepared.content, prepared.findings).encode()))
            if xlsx:
                from .workbook.tables import write_tables_workbook

                outputs.write(".xlsx", lambda handle: write_tables_workbook(prepared.content, handle, templates=template_set))
        result = BuildResult(outputs.target(".docx"), prepared.findings, timings, prepared.loaded.source, request,
                             json=outputs.target(".json") if json else None, notices=prepared.loaded.notices,
                             xlsx=outputs.target(".xlsx") if xlsx else None)
        yield result, outputs


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

    All or nothing: the .docx, PDF, JSON and tables workbook are produced in a private staging folder inside
    ``output_dir`` and renamed into place together, so a failure at any stage (and Ctrl-C) leaves
    every existing file as it was and no new one.  The file name is ``output_name``, else the
    model's ``report.output_name``, else ``{unit}-{year}-{level}预算公开``, made a plain file name
    (:func:`disclosure.files.safe_file_stem`).  ``pdf_later`` checks the model's PDF attachments and
    puts them in ``pdf_request`` without converting (the caller converts the written .docx later).

    Raises:
        LoadError: the model file cannot be used (syntax, schema, a file it names, a file name too long).
        BuildRefused: the model has error findings, or warnings under ``strict``; nothing is written.
        UsageError: something else prevents the build; the message names it.  Its kinds include
            :class:`~disclosure.errors.OutputError` (output folder, a target that is a folder),
            :class:`~disclosure.profile.ProfileError`, :class:`~disclosure.classification.ClassificationFileError`,
            :class:`~disclosure.render.TemplateError`, :class:`~disclosure.files.FileRefused` (a template
            that is not a regular file) and :class:`~disclosure.pdf.PdfError` (LibreOffice).
        ArgumentError: an argument of the wrong type.
    """
    _check_build_arguments(source, output_dir, classification, profile, templates, strict, output_name, pdf,
                           pdf_later, json, progress, xlsx)
    step = progress or (lambda message: None)
    with staged_build(source, output_dir, classification=classification, profile=profile, templates=templates,
                      strict=strict, output_name=output_name, pdf=pdf, attachments=pdf_later, json=json, xlsx=xlsx,
                      progress=progress) as (result, outputs):
        if pdf:
            from .pdf import docx_to_pdf

            step("pdf")
            assert result.pdf_request is not None
            with result.timings.measure("pdf"):
                docx_to_pdf(outputs.path_for(".docx"), outputs.path_for(".pdf"), **result.pdf_request.arguments())  # type: ignore[arg-type]
        written = outputs.commit()
    remove_abandoned_staging(output_dir)  # what builds killed in this folder left (kill -9, the OOM killer)
    return replace(result, pdf=written.get(".pdf"), left_over=outputs.left_over())


def _check_build_arguments(source, output_dir, classification, profile, templates, strict, output_name, pdf,
                           pdf_later, json, progress, xlsx=False) -> None:
    expect(source, (str, os.PathLike, LoadedModel, BudgetModel), "source", "build")
    expect(output_dir, (str, os.PathLike), "output_dir", "build")
    expect(classification, Classification, "classification", "build", optional=True)
    expect(profile, (Profile, str), "profile", "build", optional=True)
    expect(templates, (str, os.PathLike), "templates", "build", optional=True)
    expect(output_name, str, "output_name", "build", optional=True)
    for name, flag in (("strict", strict), ("pdf", pdf), ("pdf_later", pdf_later), ("json", json), ("xlsx", xlsx)):
        expect(flag, bool, name, "build")
    if progress is not None and not callable(progress):
        raise ArgumentError(f"build(): progress must be callable or None, not {type(progress).__name__}")


def _pdf_request(prepared: Prepared, outline: tuple[OutlineEntry, ...], attachments: list[Attachment]) -> PdfRequest:
    from .render.context import report_title

    _check_attachment_places(prepared.loaded, outline)

    unit = prepared.model.unit
    return PdfRequest(
        outline=outline,
        title=report_title(prepared.model, prepared.profile),
        author=unit.name,
        subject=f"{unit.fiscal_year}年{unit.level}预算公开",
        keywords=("预算公开", f"{unit.fiscal_year}年", unit.name, f"{unit.level}预算"),
        attachments=tuple(attachments),
    )


def _pdf_attachments(loaded: LoadedModel) -> list[Attachment]:
    """The model's PDF attachments, each checked to be a readable PDF (unusable input otherwise, with its line)."""
    from .pdf import Attachment, PdfError, read_attachment

    base = loaded.path.parent if loaded.path else Path(".")
    attachments = []
    for i, item in enumerate(loaded.model.report.attachments):
        path = base / item.file
        where = ("report", "attachments", i, "file")
        if not os.path.lexists(path):
            raise LoadError([loaded.source.problem(f"no such PDF file: {path}", where)])
        try:
            read_attachment(path)
        except PdfError as exc:
            raise LoadError([loaded.source.problem(str(exc), where)]) from None
        attachments.append(Attachment(path, item.title, item.after))
    return attachments


def _check_attachment_places(loaded: LoadedModel, outline: tuple[OutlineEntry, ...]) -> None:
    """Each attachment's ``after`` names a bookmark of the rendered report."""
    bookmarks = [entry.bookmark for entry in outline]
    for i, item in enumerate(loaded.model.report.attachments):
        if item.after is not None and item.after not in bookmarks:
            where = ("report", "attachments", i, "after")
            known = ", ".join(bookmarks[:12]) + (", …" if len(bookmarks) > 12 else "")
            message = f"the report has no part with the bookmark {item.after!r}; expected one of {known}"
            raise LoadError([loaded.source.problem(message, where)])
