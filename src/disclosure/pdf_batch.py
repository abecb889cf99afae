"""The PDFs of a batch: LibreOffice kept running on a few lanes, shared pages laid out once (docs/pdf.md).

A :class:`PdfMaker` turns each staged report of a batch into its finished PDF (:meth:`PdfMaker.make`,
called from as many threads as there are reports in flight, while other reports are still being
rendered):

* conversions run on at most ``lanes`` :class:`disclosure.pdf.LibreOffice` instances, each started
  once and kept running, one document at a time each — so both cores lay out, and a document costs
  its layout, not a LibreOffice start;
* a report that appends the catalogue (the part bookmarked ``appendix``) is converted without it:
  the catalogue is laid out once per distinct catalogue (:mod:`disclosure.shared_pages`) and its
  pages are put in place, each with the report's own footer;
* then :func:`disclosure.pdf.finish_pdf` (outline, attachments, page labels, metadata).

A report fails alone (:class:`disclosure.pdf.PdfError`); a catalogue that cannot be laid out or put in
place makes its reports convert whole.  :meth:`PdfMaker.close` kills every LibreOffice at once (Ctrl-C).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from .files import mark_staging_folder
from .pdf import LibreOffice, PdfError, finish_pdf
from .pipeline import PdfRequest
from .shared_pages import NotComposable, SharedPart, compose, split

__all__ = ["PdfJob", "PdfMaker", "SHARED_BOOKMARK"]

#: The part laid out once for every report that has it: the appended catalogue.
SHARED_BOOKMARK = "appendix"


@dataclass(frozen=True)
class PdfJob:
    """One report's PDF: its staged ``docx``, the ``target`` to write, and what finishing needs."""

    docx: Path
    target: Path
    request: PdfRequest


@dataclass
class _Layout:
    """A shared part laid out once: its PDF (None: it could not be) and its number of pages; who waits."""

    done: threading.Event = field(default_factory=threading.Event)
    pdf: Path | None = None
    pages: int = 0
    waiting: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class Counts:
    """What a batch's PDFs took: LibreOffice starts, documents converted, reports composed with a
    part laid out once (``shared``) or converted whole (``whole``), parts laid out (``parts``)."""

    starts: int = 0
    conversions: int = 0
    shared: int = 0
    whole: int = 0
    parts: int = 0


class _Deferred(Exception):
    """The report's shared part is being laid out by another report: ``ready`` is called once it is."""


class PdfMaker:
    """The PDFs of a batch on ``lanes`` LibreOffice instances, in the private folder ``workdir``.

    Thread-safe: :meth:`make` is called from several threads; each conversion waits for an idle
    LibreOffice (started when first needed, up to ``lanes``), first come first served, a shared part
    before the reports.  ``share`` (default) lays the catalogue out once; without it every report is
    converted whole.
    """

    def __init__(self, lanes: int, workdir: Path, *, share: bool = True, timeout: float | None = None):
        self.lanes = max(1, lanes)
        self.workdir = Path(workdir)
        self.share = share
        self.timeout = timeout
        self.counts = Counts()
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)  # a LibreOffice became idle, or the first in line changed
        self._idle: list[LibreOffice] = []
        self._all: list[LibreOffice] = []
        self._line: deque[object] = deque()  # who waits for a LibreOffice, in the order served
        self._layouts: dict[str, _Layout] = {}
        self._closed = threading.Event()
        self._workdir_made = threading.Lock()

    # ------------------------------------------------------------------ one report

    def make(self, job: PdfJob, *, ready: Callable[[], None] | None = None) -> Path | None:
        """Convert and finish ``job.docx`` into ``job.target``; the target.

        With ``ready``, a report whose catalogue another report is laying out does not wait: None is
        returned at once, and ``ready()`` is called (from another thread) when the catalogue is laid
        out, to call :meth:`make` again.  Without it, the call waits.

        Raises:
            PdfError: this report's PDF cannot be made (LibreOffice's words, or finishing's); nothing
                is written to ``job.target``.
        """
        self._check_open()
        with self._workdir_made:
            if not self.workdir.is_dir():  # made when first needed; a later build removes it if this one is killed
                self.workdir.mkdir(parents=True, exist_ok=True)
                mark_staging_folder(self.workdir)
        work = Path(tempfile.mkdtemp(prefix="unit-", dir=self.workdir))
        try:
            converted = self._composed(job, work, ready) if self.share else None
            if converted is None:
                converted = self._convert(job.docx, work / "whole")
                with self._lock:
                    self.counts.whole += 1
            self._check_open()
            finish_pdf(converted, **job.request.arguments())  # type: ignore[arg-type]
            os.replace(converted, job.target)
        except _Deferred:
            return None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return job.target

    def _composed(self, job: PdfJob, work: Path, ready: Callable[[], None] | None) -> Path | None:
        """The report converted without its shared part and composed with the part laid out once; None
        when it has no such part or it cannot be put in place (then it is converted whole)."""
        bookmarks = [entry.bookmark for entry in job.request.outline]
        if SHARED_BOOKMARK not in bookmarks:
            return None
        following = bookmarks.index(SHARED_BOOKMARK) + 1
        part = split(job.docx, SHARED_BOOKMARK, bookmarks[following] if following < len(bookmarks) else None)
        if part is None:
            return None
        layout = self._layout(part, ready)
        if layout.pdf is None:
            return None
        variant = part.write_variant(layout.pages, work / "variant.docx")
        converted = self._convert(variant, work / "variant")
        try:
            composed = compose(converted, layout.pdf, part, work / "composed.pdf")
        except NotComposable:
            return None
        with self._lock:
            self.counts.shared += 1
        return composed

    def _layout(self, part: SharedPart, ready: Callable[[], None] | None) -> _Layout:
        """The part laid out once per key: by the first report that needs it; the others wait for it (or,
        given ``ready``, are deferred until it is laid out)."""
        with self._lock:
            layout = self._layouts.get(part.key)
            owner = layout is None
            if owner:
                layout = self._layouts[part.key] = _Layout()
            elif ready is not None and not layout.done.is_set():
                layout.waiting.append(ready)
                raise _Deferred
        assert layout is not None
        if not owner:
            while not layout.done.wait(0.1):
                self._check_open()
            return layout
        try:
            folder = self.workdir / f"part-{part.key[:16]}"
            folder.mkdir(parents=True, exist_ok=True)
            pdf = self._convert(part.write_part(folder / "part.docx"), folder, first=True)
            layout.pages = len(PdfReader(pdf).pages)
            layout.pdf = pdf
            with self._lock:
                self.counts.parts += 1
        except PdfError:
            layout.pdf = None  # its reports are converted whole (and say why, if that fails too)
        finally:
            self._finish_layout(layout)
        return layout

    def _finish_layout(self, layout: _Layout) -> None:
        with self._lock:
            layout.done.set()
            waiting, layout.waiting = layout.waiting, []
        for ready in waiting:
            ready()

    # ------------------------------------------------------------------ LibreOffice lanes

    def _convert(self, docx: Path, outdir: Path, *, first: bool = False) -> Path:
        lane = self._acquire(first)
        try:
            return lane.convert(docx, outdir)
        finally:
            with self._lock:
                self.counts.starts = sum(one.starts for one in self._all)
                self.counts.conversions = sum(one.conversions for one in self._all)
                self._idle.append(lane)
                self._free.notify_all()

    def _acquire(self, first: bool) -> LibreOffice:
        """An idle LibreOffice (a new one while fewer than ``lanes`` exist), in turn; ``first`` goes ahead."""
        ticket = object()
        with self._lock:
            if first:
                self._line.appendleft(ticket)
            else:
                self._line.append(ticket)
            try:
                while True:
                    self._check_open()
                    if self._line[0] is ticket:
                        if self._idle:
                            return self._idle.pop()
                        if len(self._all) < self.lanes:
                            lane = LibreOffice(timeout=self.timeout)
                            self._all.append(lane)
                            return lane
                    self._free.wait(0.1)
            finally:
                self._line.remove(ticket)
                self._free.notify_all()

    def _check_open(self) -> None:
        if self._closed.is_set():
            raise PdfError("LibreOffice was stopped")

    def close(self) -> None:
        """Kill every LibreOffice (a conversion in progress fails with :class:`PdfError`); waiting
        reports stop waiting (deferred ones are called, to fail).  The caller removes ``workdir``."""
        self._closed.set()
        with self._lock:
            lanes = list(self._all)
            layouts = list(self._layouts.values())
        for lane in lanes:
            lane.close()
        for layout in layouts:
            self._finish_layout(layout)

    def __enter__(self) -> PdfMaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
