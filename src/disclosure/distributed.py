"""A batch on a Dask distributed cluster: ``build … --scheduler tcp://HOST:8786`` (docs/performance.md).

Needs the optional ``disclosure[dask]`` (``dask[distributed]``) here and on every worker, with the same
disclosure; with ``--pdf`` LibreOffice and the CJK fonts on every worker.  Workers do not share this
machine's files, so this is what crosses the network:

* **to a worker, per unit** (:class:`Shipment`): the model file's bytes and those of every file it
  names — the catalogue CSV (``appendix.catalogue``), the PDF attachments (``report.attachments``, with
  ``--pdf``), the profile file (``report.profile``) — each under the path it has here (relative paths
  stay relative); once per batch, to every worker: the ``--templates`` files and the ``--profile``
  file.  The classification (``--classification`` …) travels as the parsed table, in the options;
* **back, per unit** (:class:`Returned`): the bytes of the unit's files (.docx, and .pdf, .json,
  .xlsx as asked), its messages (warnings, errors) and its exit code.

A worker rebuilds the files in a private temporary folder, builds the unit there exactly as a local
batch does (:func:`disclosure.batch.build_unit`; the PDF on a LibreOffice it keeps running, the
catalogue laid out once per worker process), and says every path as it is here, so messages name
files and lines as a local build would.  This process stages each unit's files as they come back and
publishes them in the order of the models, all or none per unit (:class:`~disclosure.files.StagedOutputs`),
with the same progress bar.  A file a model names by an absolute path cannot be sent along: such a
unit fails here, with the model's line.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import stat
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .batch import (
    UnitOutcome,
    _claim_names,
    _publish,
    _remove_if_empty,
    build_unit,
    interrupted_batch,
)
from .errors import ExitCode, UsageError
from .files import STAGING_PREFIX, StagedOutputs, remove_abandoned_staging
from .load import MAX_BYTES, LoadError, load
from .profile import is_profile_path

__all__ = ["Returned", "Shipment", "build_on_cluster"]

#: Largest file a model names that is sent along (the largest cap of any: a PDF attachment).
MAX_SHIPPED_BYTES = 100_000_000
INSTALL_HINT = "pip install 'disclosure[dask]'"


class ClusterError(UsageError):
    """The cluster cannot be used: dask missing, scheduler unreachable, no workers, another disclosure."""


# --------------------------------------------------------------------------- what crosses the wire


@dataclass(frozen=True)
class Entry:
    """A file as it is here: its bytes, or what it is instead (``folder``, ``fifo``, ``other``), or its
    size when it is too large to send (the worker makes a sparse file of that size: the build refuses
    it with the message it would give here)."""

    data: bytes | None = None
    kind: str = "file"
    size: int = 0


@dataclass(frozen=True)
class Shipment:
    """One unit for a worker: the model's path as given here, every file it needs, and its options."""

    model: str
    files: dict[str, Entry]
    profile: str | None = None  # the profile the worker must use (a path among ``files``, or a bundled name)


@dataclass(frozen=True)
class Returned:
    """One unit from a worker: its file name and files (suffix → bytes), messages and exit code."""

    stem: str | None
    outputs: dict[str, bytes]
    messages: tuple[str, ...]
    exit_code: int
    result: Any = None  # BuildResult with the worker's paths removed (findings, timings, notices …)


def _entry(path: Path, limit: int = MAX_SHIPPED_BYTES) -> Entry | None:
    """``path`` as it is here; None when it does not exist (the worker then finds it missing too)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return Entry(kind="other")
    if stat.S_ISDIR(info.st_mode):
        return Entry(kind="folder")
    if stat.S_ISFIFO(info.st_mode):
        return Entry(kind="fifo")
    if not stat.S_ISREG(info.st_mode):
        return Entry(kind="other")
    if info.st_size > limit:
        return Entry(kind="large", size=info.st_size)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return Entry(kind="other")
    return Entry(data) if len(data) <= limit else Entry(kind="large", size=len(data))


def _common(options: dict[str, object]) -> dict[str, Entry]:
    """The files every unit needs: the ``--templates`` folder's files and the ``--profile`` file."""
    files: dict[str, Entry] = {}
    templates = options.get("templates")
    if templates is not None:
        folder = Path(str(templates))
        entry = _entry(folder)
        if entry is not None:
            files[str(folder)] = entry
        if entry is not None and entry.kind == "folder":
            for child in sorted(folder.iterdir()):
                found = _entry(child)
                if found is not None:
                    files[str(child)] = found
    profile = options.get("profile")
    if isinstance(profile, str) and is_profile_path(profile):
        found = _entry(Path(profile))
        if found is not None:
            files[profile] = found
    return files


def _shipment(source: Path, options: dict[str, object], pdf: bool, profiles: dict[str, Any]) -> Shipment:
    """What a worker needs to build ``source``.

    Raises:
        LoadError: the model cannot be used (as it would say here), or names a file by an absolute path.
    """
    from .pipeline import _model_profile, appendix_of, model_profile_name

    loaded = load(source)  # the model's own errors, exactly as here; and which files it names
    model = loaded.model
    files: dict[str, Entry] = {}
    model_entry = _entry(source, MAX_BYTES)
    if model_entry is not None:
        files[str(source)] = model_entry
    base = loaded.path.parent if loaded.path else Path(".")
    named: list[tuple[tuple[str | int, ...], str]] = []
    profile_option: str | None = None
    profile = options.get("profile")
    if profile is None:
        name = model_profile_name(loaded)  # a file beside the model travels under the path it has here
        if name not in profiles:
            profiles[name] = _model_profile(loaded)  # a profile that cannot be used: its error, with its line
        if is_profile_path(name):
            found = _entry(Path(name))
            if found is not None:
                files[name] = found
            profile_option = name
        used = profiles[name]
    else:
        if str(profile) not in profiles:
            from .profile import load_profile

            profiles[str(profile)] = load_profile(str(profile))
        used = profiles[str(profile)]
    appendix = appendix_of(loaded, used)  # none named where the profile has none: its error, with its line
    catalogue = appendix.catalogue if appendix is not None else None
    from .catalogue import BUNDLED

    if catalogue and catalogue not in BUNDLED:
        named.append((("appendix", "catalogue"), catalogue))
    if pdf:
        named += [(("report", "attachments", i, "file"), item.file) for i, item in enumerate(model.report.attachments)]
    for where, name in named:
        if Path(name).is_absolute():
            message = (f"{name}: is an absolute path, and the cluster's workers do not share this machine's files; "
                       "name it relative to the model")
            raise LoadError([loaded.source.problem(message, where)])  # a line, or a workbook's cell
        found = _entry(base / name)
        if found is not None:
            files[str(base / name)] = found
    return Shipment(str(source), files, profile_option)


# --------------------------------------------------------------------------- on a worker


class _Root:
    """A private folder where the client's paths are rebuilt: relative ones under ``rel/_/_/…`` (deep
    enough for their ``..``), absolute ones under ``abs/``; and back, for messages."""

    def __init__(self, paths: list[str]):
        self.folder = Path(tempfile.mkdtemp(prefix="disclosure-cluster-"))
        depth = max((_parents(p) for p in paths if not os.path.isabs(p)), default=0)
        self.relative = self.folder.joinpath("rel", *(["_"] * depth))
        self.relative.mkdir(parents=True)
        self.absolute = self.folder / "abs"

    def path(self, client_path: str) -> Path:
        if os.path.isabs(client_path):
            return self.absolute / client_path.lstrip("/\\")
        return self.relative / client_path

    def said(self, text: str) -> str:
        """``text`` with this folder's paths said as the client's."""
        return text.replace(f"{self.relative}{os.sep}", "").replace(str(self.relative), ".") \
                   .replace(str(self.absolute), "")

    def place(self, files: dict[str, Entry]) -> None:
        for client_path, entry in sorted(files.items(), key=lambda item: item[1].kind != "folder"):
            target = self.path(client_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.kind == "folder":
                target.mkdir(parents=True, exist_ok=True)
            elif entry.kind == "file":
                target.write_bytes(entry.data or b"")
            elif entry.kind == "large":
                with open(target, "wb") as handle:
                    handle.truncate(entry.size)
            else:  # a named pipe here (or a device, a socket): one that no read would ever finish
                os.mkfifo(target)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _parents(path: str) -> int:
    count = 0
    for part in Path(os.path.normpath(path)).parts:
        if part != "..":
            break
        count += 1
    return count


_MAKER: Any = None
_MAKER_LOCK = threading.Lock()


def _worker_pdfs() -> Any:
    """This worker process's PdfMaker: LibreOffice kept running for every unit it builds, one per thread,
    and the catalogue laid out once per process; closed when the process ends."""
    global _MAKER
    with _MAKER_LOCK:
        if _MAKER is None:
            from .pdf_batch import PdfMaker

            try:
                from distributed import get_worker

                lanes = get_worker().state.nthreads
            except (ImportError, ValueError, AttributeError):
                lanes = 1
            workdir = Path(tempfile.mkdtemp(prefix="disclosure-cluster-pdf-"))
            _MAKER = PdfMaker(lanes, workdir)
            atexit.register(_close_worker_pdfs)
        return _MAKER


def _close_worker_pdfs() -> None:
    if _MAKER is not None:
        _MAKER.close()
        shutil.rmtree(_MAKER.workdir, ignore_errors=True)


def build_remote(shipment: Shipment, shared: tuple[dict[str, Entry], dict[str, object]], pdf: bool) -> Returned:
    """On a worker: rebuild the unit's files, build it as a local batch would, and return its files.

    ``shared`` is what every unit of the batch needs: the common files and the build options.
    """
    from .pdf import PdfError
    from .pdf_batch import PdfJob

    common, options = shared
    root = _Root([shipment.model, *shipment.files, *common])
    try:
        root.place({**common, **shipment.files})
        unit_options = {**options, "pdf": pdf, "staging_prefix": STAGING_PREFIX}
        if options.get("templates") is not None:
            unit_options["templates"] = root.path(str(options["templates"]))
        profile = shipment.profile or options.get("profile")
        if isinstance(profile, str) and is_profile_path(profile) and (profile in shipment.files or profile in common):
            unit_options["profile"] = str(root.path(profile))
        outcome = build_unit(root.path(shipment.model), root.folder / "out", unit_options)
        messages, code = list(outcome.messages), outcome.exit_code
        outputs: dict[str, bytes] = {}
        staged = outcome.outputs
        if staged is not None:
            try:
                if pdf:
                    assert outcome.result is not None and outcome.result.pdf_request is not None
                    _worker_pdfs().make(PdfJob(staged.path_for(".docx"), staged.path_for(".pdf"),
                                               outcome.result.pdf_request))
                outputs = {suffix: staged.path_for(suffix).read_bytes() for suffix in staged.suffixes}
            except PdfError as exc:
                messages.append(f"error: {exc}")
                code = max(code, ExitCode.INPUT)
            finally:
                staged.discard()
        result = None
        if outputs and outcome.result is not None:
            source = outcome.result.source
            result = replace(outcome.result, pdf_request=None, docx=Path(), json=None, xlsx=None, pdf=None,
                             source=replace(source, file=root.said(source.file)) if source is not None else None)
        return Returned(staged.stem if staged is not None and outputs else None, outputs,
                        tuple(root.said(m) for m in messages), int(code), result)
    except Exception as exc:  # a bug: reported for this unit, as a local batch would
        return Returned(None, {}, (root.said(f"internal error in {shipment.model}: {type(exc).__name__}: {exc}"),),
                        int(ExitCode.BUG))
    finally:
        root.remove()


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------------- here


@dataclass
class _Batch:
    """The units of a cluster batch in the order of the models, staged here as they come back."""

    output_dir: Path
    prefix: str
    outcomes: list[UnitOutcome | None] = field(default_factory=list)
    claimed: dict[Path, Path] = field(default_factory=dict)
    published: int = 0

    def stage(self, index: int, source: Path, returned: Returned, options: dict[str, object]) -> None:
        outcome = UnitOutcome(source, None, returned.messages, ExitCode(returned.exit_code))
        if returned.stem is not None and returned.result is not None:
            outputs = StagedOutputs(self.output_dir, returned.stem, prefix=self.prefix, model=source)
            try:
                with outputs:
                    for suffix, data in returned.outputs.items():
                        outputs.write(suffix, lambda handle, data=data: handle.write(data))
                    if ".xlsx" in returned.outputs:  # never over the workbook the model was read from
                        from .workbook.tables import tables_path

                        tables_path(outputs.target(".docx"), source)
            except UsageError as exc:
                outcome = replace(outcome, messages=(*outcome.messages, f"error: {exc}"), exit_code=ExitCode.INPUT)
            else:
                result = replace(returned.result, docx=outputs.target(".docx"),
                                 json=outputs.target(".json") if ".json" in returned.outputs else None,
                                 xlsx=outputs.target(".xlsx") if ".xlsx" in returned.outputs else None)
                outcome = replace(outcome, result=result, outputs=outputs)
        self.outcomes[index] = outcome

    def publish_ready(self, report) -> None:
        while self.published < len(self.outcomes) and self.outcomes[self.published] is not None:
            index = self.published
            outcome = _claim_names(self.outcomes[index], self.claimed)  # type: ignore[arg-type]
            self.outcomes[index] = outcome = _publish(outcome)
            self.published += 1
            report(outcome)


def _check_reachable(scheduler: str) -> None:
    """A scheduler address that is not one, or (TCP) where nothing answers, fails at once: a Client made
    for it would wait and, half made, print a traceback when it is collected."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        protocol, location = parse_address(scheduler)
        get_backend(protocol)
        if protocol in ("tcp", "tls"):
            with socket.create_connection(parse_host_port(location), timeout=10):
                pass
    except (OSError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def build_on_cluster(sources: list[Path], output_dir: Path, scheduler: str, *, pdf: bool = False,
                     on_done=None, **options: object) -> list[UnitOutcome]:
    """Build ``sources`` on the Dask cluster of ``scheduler`` into ``output_dir``; like
    :func:`disclosure.batch.build_batch` (the cluster's workers take the place of ``jobs``).

    Raises:
        ClusterError: dask is not installed, the scheduler cannot be reached, it has no workers, or they
            run another version of disclosure.
        BatchInterrupted: on Ctrl-C, after cancelling the units in flight and removing what was staged.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ClusterError(f"--scheduler needs Dask distributed: {INSTALL_HINT}") from None
    report = on_done or (lambda outcome: None)
    _check_reachable(scheduler)
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    new_folder = not output_dir.exists()
    batch = _Batch(output_dir, f"{STAGING_PREFIX}{secrets.token_hex(4)}-", [None] * len(sources))
    futures: dict[Any, int] = {}
    try:
        versions = set(client.run(_version).values())
        if not versions:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers; start some with "
                               f"`dask worker {scheduler}`")
        if versions != {_version()}:
            raise ClusterError(f"the cluster's workers run disclosure {', '.join(sorted(versions))}, this is "
                               f"{_version()}; install the same version on every worker")
        # sent once to every worker, not with every unit: the templates, the profile file, the classification
        shared = client.scatter([(_common(options), options)], broadcast=True)[0]
        window = max(2, 2 * sum(client.nthreads().values()))
        pending = deque(enumerate(sources))
        running: Any = None
        profiles: dict[str, Any] = {}

        def submit_more() -> None:
            nonlocal running
            while pending and len(futures) < window:
                index, source = pending.popleft()
                try:
                    shipment = _shipment(source, options, pdf, profiles)
                except LoadError as exc:
                    failed = Returned(None, {}, tuple(f"error: {p}" for p in exc.problems), ExitCode.INPUT)
                    batch.stage(index, source, failed, options)
                    continue
                except UsageError as exc:
                    batch.stage(index, source, Returned(None, {}, (f"error: {exc}",), ExitCode.INPUT), options)
                    continue
                future = client.submit(build_remote, shipment, shared, pdf, pure=False,
                                       key=f"disclosure-{secrets.token_hex(8)}")
                futures[future] = index
                if running is None:
                    running = as_completed([future], loop=client.loop)
                else:
                    running.add(future)

        submit_more()
        batch.publish_ready(report)
        for future in running or ():
            index = futures.pop(future)
            try:
                returned = future.result()
            except Exception as exc:  # the cluster lost it (a worker died …): this unit only
                message = f"error: {sources[index]}: not built on the cluster ({type(exc).__name__}: {exc})"
                returned = Returned(None, {}, (message,), ExitCode.INPUT)
            batch.stage(index, sources[index], returned, options)
            submit_more()
            batch.publish_ready(report)
        batch.publish_ready(report)
    except KeyboardInterrupt:
        client.cancel(list(futures))
        raise interrupted_batch(sources, batch.outcomes, output_dir, batch.prefix, new_folder) from None
    finally:
        client.close()
    outcomes = [o for o in batch.outcomes if o is not None]
    remove_abandoned_staging(output_dir)  # what builds killed in this folder left (kill -9, the OOM killer)
    if new_folder and not any(o.result is not None for o in outcomes):
        _remove_if_empty(output_dir)
    return outcomes
