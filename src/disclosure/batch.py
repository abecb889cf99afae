"""Many units in one command: each built on its own (one failure never stops the others), on N processes,
with all PDFs converted by one LibreOffice start (DESIGN.md §9)."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import checks as checks_module
from .errors import ExitCode, UsageError
from .load import LoadError
from .pipeline import BuildRefused, BuildResult, build


@dataclass(frozen=True)
class UnitOutcome:
    """One unit of a batch: its result, or the lines to print and the exit code of its failure."""

    source: Path
    result: BuildResult | None
    messages: tuple[str, ...] = ()
    exit_code: int = ExitCode.OK


def build_unit(source: Path, output_dir: Path, options: dict[str, object]) -> UnitOutcome:
    """Build one unit of a batch; failures are returned as messages (they cross process boundaries)."""
    strict = bool(options.get("strict"))
    try:
        result = build(source, output_dir, **options)  # type: ignore[arg-type]
    except LoadError as exc:
        return UnitOutcome(source, None, tuple(f"error: {p}" for p in exc.problems), ExitCode.INPUT)
    except BuildRefused as exc:
        lines = checks_module.finding_lines(exc.findings, exc.source, strict=strict)
        return UnitOutcome(source, None, (*lines, f"{source}: no report written"), ExitCode.FINDINGS)
    except UsageError as exc:
        return UnitOutcome(source, None, (f"error: {exc}",), ExitCode.INPUT)
    except Exception as exc:  # a bug: report it for this unit, keep building the others
        return UnitOutcome(source, None, (f"internal error in {source}: {type(exc).__name__}: {exc}",), ExitCode.BUG)
    finally:
        # python-docx and docxtpl leave reference cycles holding whole XML trees; without a collection
        # here a worker's memory grows by ~30 MiB every few reports of a batch
        gc.collect()
    warnings = [f"warning: {notice}" for notice in result.notices]
    warnings += checks_module.finding_lines(result.findings, result.source)
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
            outcome = replace(outcome, result=None, messages=(*outcome.messages, message), exit_code=ExitCode.INPUT)
        out.append(outcome)
    return out


def _batch_pdfs(outcomes: list[UnitOutcome], output_dir: Path) -> list[UnitOutcome]:
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
        return [replace(o, messages=(*o.messages, message), exit_code=max(o.exit_code, ExitCode.INPUT))
                if o.result is not None else o for o in outcomes]
    return [replace(o, result=replace(o.result, pdf=targets[o.source])) if o.result is not None else o
            for o in outcomes]


