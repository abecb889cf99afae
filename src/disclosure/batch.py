"""Many units in one command: each built on its own (one failure never stops the others), on N processes,
their PDFs made while the others are rendered, on N LibreOffice instances kept running (DESIGN.md §9).

Each unit is all or nothing, as in :func:`disclosure.pipeline.build`: workers produce a unit's
outputs in a staging folder of their own (``.disclosure-<batch>-…`` in the output folder) and this
process publishes them, in the order the models were given.  A unit whose file name an earlier
unit of the batch already took is refused.  With ``pdf``, each rendered report is handed at once to
a :class:`disclosure.pdf_batch.PdfMaker` (threads here; LibreOffice in processes of its own), and a
unit is published when its PDF is finished; a PDF that fails fails its unit alone.  Ctrl-C stops the
workers and LibreOffice, removes every staging folder of the batch and raises
:class:`BatchInterrupted` with what was written so far.  With ``scheduler`` the batch runs on a Dask
cluster instead (:mod:`disclosure.distributed`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from . import checks as checks_module
from .errors import ExitCode, UsageError
from .files import STAGING_PREFIX, StagedOutputs, remove_abandoned_staging
from .heap import collect_between_units
from .load import LoadError
from .pipeline import BuildRefused, BuildResult, staged_build


@dataclass(frozen=True)
class UnitOutcome:
    """One unit of a batch: its result, or the lines to print and the exit code of its failure.

    ``outputs`` are the unit's staged, not yet published, files (None once published or refused).
    """

    source: Path
    result: BuildResult | None
    messages: tuple[str, ...] = ()
    exit_code: int = ExitCode.OK
    outputs: StagedOutputs | None = None


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch: ``outcomes`` of the units finished before it, ``interrupted`` the others.

    Units in ``outcomes`` with a result were written; nothing of an interrupted unit was.
    """

    def __init__(self, outcomes: list[UnitOutcome], interrupted: list[Path]):
        super().__init__("interrupted")
        self.outcomes = outcomes
        self.interrupted = interrupted


def build_unit(source: Path, output_dir: Path, options: dict[str, object]) -> UnitOutcome:
    """Build one unit of a batch into staging; failures are returned as messages (they cross process boundaries)."""
    strict = bool(options.get("strict"))
    try:
        with staged_build(source, output_dir, **options) as (result, outputs):  # type: ignore[arg-type]
            pass  # published (or discarded) by the batch, in the order of the models
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
        collect_between_units()
    warnings = [f"warning: {notice}" for notice in result.notices]
    warnings += checks_module.finding_lines(result.findings, result.source)
    return UnitOutcome(source, result, tuple(warnings), outputs=outputs)


def worker_count(jobs: int, units: int) -> int:
    """Processes for ``units`` models: ``jobs`` (0 or less: one per CPU), never more than the units or the CPUs."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    wanted = cpus if jobs <= 0 else jobs
    return max(1, min(wanted, units, cpus))


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the workers); a worker must not turn
    it into a result and take the next unit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcomes(sources: Sequence[Path], output_dir: Path, jobs: int, options: dict[str, object]) -> Iterator[UnitOutcome]:
    """Each unit's outcome, in the order of ``sources``, built on ``jobs`` processes."""
    if jobs == 1:
        for source in sources:
            yield build_unit(source, output_dir, options)
        return
    from concurrent.futures import ProcessPoolExecutor

    from . import render  # noqa: F401 - imported once here, so forked workers start with it

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(build_unit, source, output_dir, options) for source in sources]
        for future in futures:
            yield future.result()
    except BaseException:
        _stop_workers(pool)
        raise
    else:
        pool.shutdown()


def _stop_workers(pool) -> None:
    """Kill the pool's workers at once (Ctrl-C: a unit half-built is not worth waiting for)."""
    kill = getattr(pool, "kill_workers", None)  # Python 3.14
    processes = list((getattr(pool, "_processes", None) or {}).values())
    if kill is not None:
        kill()
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=2)
    pool.shutdown(wait=False, cancel_futures=True)


def build_batch(
    sources: Sequence[Path],
    output_dir: Path | str,
    *,
    jobs: int = 1,
    pdf: bool = False,
    on_done: Callable[[UnitOutcome], None] | None = None,
    scheduler: str | None = None,
    **options: object,
) -> list[UnitOutcome]:
    """Build many units into ``output_dir``, on ``jobs`` processes; with ``pdf``, their PDFs as well.

    Each unit succeeds or fails on its own, and writes all its files or none; units are published in
    the order of ``sources`` (``on_done`` is told each, then).  With ``pdf`` every rendered report is
    converted at once, on ``jobs`` LibreOffice instances kept running, while the next ones render;
    the catalogue a report appends is laid out once for all reports that append it
    (:mod:`disclosure.pdf_batch`).  ``jobs`` is capped at the number of models and of CPUs
    (:func:`worker_count`).  ``scheduler`` (``tcp://host:8786``) builds on a Dask cluster instead
    (:func:`disclosure.distributed.build_on_cluster`; needs ``disclosure[dask]``).

    Raises:
        BatchInterrupted: on Ctrl-C, after stopping the workers and LibreOffice and removing every
            staging folder; it carries the outcomes so far.
    """
    output_dir = Path(output_dir)
    sources = [Path(s) for s in sources]
    if scheduler is not None:
        from .distributed import build_on_cluster

        return build_on_cluster(sources, output_dir, scheduler, pdf=pdf, on_done=on_done, **options)
    report = on_done or (lambda outcome: None)
    prefix = f"{STAGING_PREFIX}{secrets.token_hex(4)}-"
    # the staging folders are this process's to publish or remove, whichever worker makes them
    unit_options = {**options, "pdf": pdf, "staging_prefix": prefix, "staging_owner": os.getpid()}
    claimed: dict[Path, Path] = {}
    outcomes: list[UnitOutcome] = []
    new_folder = not output_dir.exists()
    workers = worker_count(jobs, len(sources))
    built = _outcomes(sources, output_dir, workers, unit_options)
    publishing: list[tuple[int, UnitOutcome]] = []  # the unit being published, for Ctrl-C in the middle of it
    pdfs = _Pdfs(workers, output_dir / f"{prefix}pdf") if pdf else None
    try:
        for outcome in built:
            outcome = _claim_names(outcome, claimed)
            if pdfs is None:
                publishing[:] = [(len(outcomes), outcome)]
                outcome = _publish(outcome)
                outcomes.append(outcome)
                publishing.clear()
                report(outcome)
                continue
            pdfs.submit(len(outcomes), outcome)
            outcomes.append(outcome)
            pdfs.publish_ready(outcomes, publishing, report)
        if pdfs is not None:
            pdfs.publish_ready(outcomes, publishing, report, wait=True)
    except KeyboardInterrupt:
        built.close()  # stops the workers
        if pdfs is not None:
            pdfs.stop()  # kills LibreOffice, waits for the threads that made PDFs
        for index, outcome in publishing:  # the unit being published, perhaps not yet in outcomes
            outcomes[index:index + 1] = [outcome]
        unbuilt: list[UnitOutcome | None] = [None] * (len(sources) - len(outcomes))
        raise interrupted_batch(sources, [*outcomes, *unbuilt], output_dir, prefix, new_folder) from None
    finally:
        if pdfs is not None:
            pdfs.stop()
            _remove_staging(output_dir, f"{prefix}pdf")
    remove_abandoned_staging(output_dir)  # what builds killed in this folder left (kill -9, the OOM killer)
    if new_folder and not any(o.result is not None for o in outcomes):
        _remove_if_empty(output_dir)
    return outcomes


class _Pdfs:
    """The PDFs of a local batch: each staged unit's PDF made on a thread (LibreOffice does the work in
    processes of its own), units published in order as their PDFs are finished."""

    def __init__(self, lanes: int, workdir: Path, *, share: bool = True):
        from concurrent.futures import ThreadPoolExecutor

        from .pdf_batch import PdfMaker

        self.maker = PdfMaker(lanes, workdir, share=share)
        # a thread per LibreOffice, and one more: while a report finishes its PDF (pypdf) the next one converts
        self.threads = ThreadPoolExecutor(max_workers=lanes + 1, thread_name_prefix="disclosure-pdf")
        self.futures: dict[int, Future[Path]] = {}
        self.next = 0  # the first unit not yet published
        self.stopped = False

    def submit(self, index: int, outcome: UnitOutcome) -> None:
        if outcome.outputs is None:
            return
        from .pdf_batch import PdfJob

        assert outcome.result is not None and outcome.result.pdf_request is not None
        self.submit_job(index, PdfJob(outcome.outputs.path_for(".docx"), outcome.outputs.path_for(".pdf"),
                                      outcome.result.pdf_request))

    def submit_job(self, index: int, job) -> Future[Path]:
        """Start making ``job``'s PDF; the future of its target."""
        self.futures[index] = made = Future()
        self._start(job, made)
        return made

    def _start(self, job, made: Future[Path]) -> None:
        """Make ``job``'s PDF on a thread; a report waiting for its catalogue to be laid out holds no thread
        (it is started again when the catalogue is ready)."""

        def run() -> None:
            try:
                target = self.maker.make(job, ready=lambda: self._start(job, made))
            except BaseException as exc:  # noqa: BLE001 - handed to the unit's future
                made.set_exception(exc)
            else:
                if target is not None:
                    made.set_result(target)

        try:
            self.threads.submit(run)
        except RuntimeError:  # stopped meanwhile (Ctrl-C)
            from .pdf import PdfError

            if not made.done():
                made.set_exception(PdfError("LibreOffice was stopped"))

    def publish_ready(self, outcomes: list[UnitOutcome], publishing: list[tuple[int, UnitOutcome]],
                      report: Callable[[UnitOutcome], None], *, wait: bool = False) -> None:
        """Publish, in order, every unit whose PDF is finished (all of them with ``wait``)."""
        while self.next < len(outcomes):
            index = self.next
            future = self.futures.pop(index, None)
            if future is not None and not wait and not future.done():
                self.futures[index] = future
                return
            outcome = outcomes[index] if future is None else _with_pdf(outcomes[index], future)
            outcomes[index] = outcome
            publishing[:] = [(index, outcome)]
            outcomes[index] = outcome = _publish(outcome)
            publishing.clear()
            self.next += 1
            report(outcome)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.maker.close()
        self.threads.shutdown(wait=True, cancel_futures=True)
        from .pdf import PdfError

        for made in self.futures.values():  # cancelled before they ran
            if not made.done():
                made.set_exception(PdfError("LibreOffice was stopped"))


def _with_pdf(outcome: UnitOutcome, future: Future[Path]) -> UnitOutcome:
    """The unit once its PDF is made (waiting for it); failed, its files discarded, if it could not be."""
    from .pdf import PdfError

    try:
        future.result()
    except PdfError as exc:  # this unit's PDF: the others go on
        message, code = f"error: {exc}", ExitCode.INPUT
    except Exception as exc:  # a bug: report it for this unit
        message, code = f"internal error in {outcome.source}: {type(exc).__name__}: {exc}", ExitCode.BUG
    else:
        return outcome
    outcome.outputs.discard()  # type: ignore[union-attr]
    return replace(outcome, result=None, outputs=None, messages=(*outcome.messages, message),
                   exit_code=max(outcome.exit_code, code))


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def _remove_staging(output_dir: Path, prefix: str) -> None:
    """Remove what is left of this batch's staging folders (a worker killed half-way leaves its own)."""
    try:
        leftovers = [p for p in output_dir.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)


def _claim_names(outcome: UnitOutcome, claimed: dict[Path, Path]) -> UnitOutcome:
    """A unit whose file an earlier unit of the batch writes (same unit, year and level) is refused."""
    if outcome.outputs is None:
        return outcome
    targets = [outcome.outputs.target(suffix) for suffix in outcome.outputs.suffixes]
    taken = next((claimed[t] for t in targets if t in claimed), None)
    if taken is None:
        claimed.update((t, outcome.source) for t in targets)
        return outcome
    outcome.outputs.discard()
    assert outcome.result is not None
    message = (f"error: {outcome.source}: writes {outcome.result.docx.name} like {taken}; "
               "give each report.output_name")
    return replace(outcome, result=None, outputs=None, messages=(*outcome.messages, message), exit_code=ExitCode.INPUT)


def interrupted_batch(sources: Sequence[Path], outcomes: Sequence[UnitOutcome | None], output_dir: Path, prefix: str,
                      new_folder: bool) -> BatchInterrupted:
    """After Ctrl-C: every unit staged and not published is discarded, the batch's staging folders removed (and
    the output folder, when the batch made it and it stayed empty); ``outcomes`` line up with ``sources``
    (None: not built yet). A unit renamed into place before the interrupt reached its outcome is written."""
    outcomes = [None if o is None else written_if_committed(o) for o in outcomes]
    for outcome in outcomes:
        if outcome is not None and outcome.outputs is not None:
            outcome.outputs.discard()
    _remove_staging(output_dir, prefix)
    if new_folder:
        _remove_if_empty(output_dir)
    finished = [o for o in outcomes if o is not None and o.outputs is None]  # written, or failed on their own
    interrupted = [s for s, o in zip(sources, outcomes) if o is None or o.outputs is not None]
    return BatchInterrupted(finished, interrupted)


def written_if_committed(outcome: UnitOutcome) -> UnitOutcome:
    """A unit interrupted (Ctrl-C) after its files were renamed into place is written, not interrupted."""
    if outcome.outputs is None or outcome.outputs.committed is None:
        return outcome
    return _written(outcome)


def _written(outcome: UnitOutcome) -> UnitOutcome:
    """The outcome of a unit whose staged files were renamed into place: its PDF and left-over files."""
    assert outcome.result is not None and outcome.outputs is not None and outcome.outputs.committed is not None
    result = replace(outcome.result, pdf=outcome.outputs.committed.get(".pdf"), left_over=outcome.outputs.left_over())
    return replace(outcome, result=result, outputs=None)


def _publish(outcome: UnitOutcome) -> UnitOutcome:
    """Rename the unit's staged files into place (all or none)."""
    if outcome.outputs is None:
        return outcome
    try:
        outcome.outputs.commit()
    except UsageError as exc:
        return replace(outcome, result=None, outputs=None, messages=(*outcome.messages, f"error: {exc}"),
                       exit_code=max(outcome.exit_code, ExitCode.INPUT))
    return _written(outcome)
