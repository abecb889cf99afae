"""From the Word report to a finished PDF: LibreOffice converts, pypdf finishes (docs/pdf.md).

Two steps, kept apart so that a batch of reports pays for one LibreOffice start:

* :func:`convert_to_pdf` runs **one** headless LibreOffice for any number of
  ``.docx`` files, with a throw-away user profile (so concurrent runs and a
  user's open LibreOffice never meet), a fontconfig file that maps the Windows
  Chinese fonts the templates name (仿宋, 黑体, 方正小标宋简体 …) to the Noto
  CJK fonts a Linux machine has, and export options that embed every font and
  turn Word bookmarks into PDF named destinations;
* :func:`finish_pdf` uses those destinations to build the outline (书签),
  merges attachment PDFs at their place, and sets page labels and metadata.

:func:`docx_to_pdf` does both for one report; :func:`embedded_font_report`
lets tests and ``build`` check that every font is embedded.  No docx is built
here: the module starts from a finished ``.docx`` and its outline entries.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol, cast
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from .errors import UsageError
from .files import FileRefused, read_regular_file, write_with

__all__ = [
    "Attachment",
    "FontInfo",
    "LibreOffice",
    "OutlineItem",
    "PageLabels",
    "PdfError",
    "convert_to_pdf",
    "docx_to_pdf",
    "embedded_font_report",
    "find_soffice",
    "finish_pdf",
    "fontconfig_text",
    "libreoffice_destination_name",
    "read_attachment",
]

#: Environment variable naming the LibreOffice program (a path or a command name).
SOFFICE_ENV = "DISCLOSURE_SOFFICE"

INSTALL_HINT = "on Debian/Ubuntu run `apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-liberation2`"

#: Seconds allowed for LibreOffice to start, plus seconds per document: generous, for a loaded
#: machine (here a start takes ~1 s and the 20-page example ~0.5 s).
START_TIMEOUT = 60.0
DOCUMENT_TIMEOUT = 30.0
#: Environment variable replacing that allowance by a number of seconds for the whole run.
TIMEOUT_ENV = "DISCLOSURE_SOFFICE_TIMEOUT"
#: Largest PDF attachment read, in bytes (a scanned 30-page catalogue has ~10 MB).
MAX_ATTACHMENT_BYTES = 100_000_000

#: writer_pdf_Export options, in the JSON form ``--convert-to`` accepts since LibreOffice 7.4.
#: ExportBookmarksToPDFDestination: each Word bookmark becomes a named destination (the outline
#: is built from them); EmbedStandardFonts: embed even the 14 PDF base fonts, so that *every*
#: font is in the file.  LibreOffice embeds all other fonts (as subsets) by itself.
PDF_EXPORT_OPTIONS: dict[str, bool] = {
    "ExportBookmarksToPDFDestination": True,
    "EmbedStandardFonts": True,
}

_SERIF_CJK = ("Noto Serif CJK SC", "Source Han Serif SC")
_SANS_CJK = ("Noto Sans CJK SC", "Source Han Sans SC")
_SERIF_LATIN = ("Liberation Serif", "Tinos", "DejaVu Serif")

#: The fonts the templates name (Windows / Founder fonts a Linux machine lacks), each with the
#: installed families tried in order instead: serif CJK for the 宋/仿宋/楷/小标宋 faces of body text
#: and titles, sans CJK for 黑体 headings, a Times-metric serif for Latin text and figures.
FONT_FALLBACKS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("仿宋", "FangSong", "仿宋_GB2312", "FangSong_GB2312"), _SERIF_CJK),
    (("宋体", "SimSun", "新宋体", "NSimSun"), _SERIF_CJK),
    (("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S"), _SERIF_CJK),
    (("楷体", "KaiTi", "楷体_GB2312", "KaiTi_GB2312"), _SERIF_CJK),
    (("黑体", "SimHei"), _SANS_CJK),
    (("Times New Roman",), _SERIF_LATIN),
)

SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


class PdfError(UsageError):
    """The PDF cannot be made: LibreOffice missing or failing, a bookmark or attachment not found."""


class OutlineItem(Protocol):
    """What the outline needs of an entry (``disclosure.render.OutlineEntry`` is one)."""

    @property
    def bookmark(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def level(self) -> int: ...


@dataclass(frozen=True)
class Attachment:
    """A PDF (e.g. a scanned official catalogue) merged into the report.

    Its pages go after the section that starts at ``after_bookmark`` (that
    section ends where the next outline entry of the same or a higher level
    starts), or at the end of the report when ``after_bookmark`` is None.  It
    gets an outline entry ``title`` at that section's level, with the
    attachment's own outline kept under it.
    """

    path: Path
    title: str
    after_bookmark: str | None = None


@dataclass(frozen=True)
class PageLabels:
    """How PDF viewers name the pages (the page box), independently of the page's position.

    ``body_from`` is the bookmark of the page numbered 1.  None (the default)
    numbers the report's pages 1, 2, … from the cover, as the footer ``-N-``
    of the templates prints them.  Pages before ``body_from`` are labelled
    ``front``: ``"roman"`` (i, ii, …) or ``"none"`` (an empty label).  The
    pages of the *k*-th attachment in the document are labelled
    ``attachment_prefix`` (``{number}`` = *k*) + 1, 2, …: 附件1-1, 附件1-2.
    The report's numbering goes on after an attachment as if it were not
    there, so a label always equals the number printed on the page.
    """

    body_from: str | None = None
    front: Literal["roman", "none"] = "roman"
    attachment_prefix: str = "附件{number}-"


@dataclass(frozen=True)
class FontInfo:
    """A font used in a PDF: its name (without the subset tag ``ABCDEF+``), whether the file
    carries it, and a guess whether it is a CJK font (from its name or CID ordering)."""

    name: str
    embedded: bool
    is_cjk: bool


# --------------------------------------------------------------------------- LibreOffice


def find_soffice() -> Path:
    """The LibreOffice program: ``$DISCLOSURE_SOFFICE`` if set, else ``soffice`` or ``libreoffice`` on PATH."""
    override = os.environ.get(SOFFICE_ENV)
    if override:
        found = shutil.which(override)
        if found is None:
            raise PdfError(
                f"LibreOffice (soffice) is not installed: {SOFFICE_ENV}={override} is not an executable program; "
                f"{INSTALL_HINT}"
            )
        return Path(found)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    raise PdfError(f"LibreOffice (soffice) is not installed: {INSTALL_HINT}")


def fontconfig_text(base: Path | None = None) -> str:
    """A fontconfig configuration: ``base`` (the system's) plus :data:`FONT_FALLBACKS`.

    Each rule *assigns* the replacement families with a strong binding, so
    they win over fontconfig's language-based guesses (which, for a document
    tagged en-US, pick Japanese glyph forms); the first installed family of
    the list is used.
    """
    base = base or Path(os.environ.get("FONTCONFIG_FILE") or SYSTEM_FONTCONFIG)
    rules = []
    for names, families in FONT_FALLBACKS:
        replacement = "".join(f"<string>{escape(family)}</string>" for family in families)
        for name in names:
            rules.append(
                '  <match target="pattern">\n'
                f'    <test name="family"><string>{escape(name)}</string></test>\n'
                f'    <edit name="family" mode="assign" binding="strong">{replacement}</edit>\n'
                "  </match>\n"
            )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{escape(str(base))}</include>\n' + "".join(rules) + "</fontconfig>\n"
    )


def _filter_argument() -> str:
    options = {name: {"type": "boolean", "value": str(value).lower()} for name, value in PDF_EXPORT_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def _check_inputs(docx_paths: Sequence[Path]) -> None:
    stems: dict[str, Path] = {}
    for path in docx_paths:
        if not path.is_file():
            raise PdfError(f"{path}: no such file")
        if path.stem in stems:
            raise PdfError(f"{stems[path.stem]} and {path}: both would become {path.stem}.pdf; rename one")
        stems[path.stem] = path


def _run_soffice(command: list[str], env: dict[str, str], timeout: float,
                 started: Callable[[subprocess.Popen[str]], None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice in its own process group, so a timeout ends soffice.bin too, not only the wrapper.

    ``started`` is told the process as soon as it exists (so another thread can kill it).
    """
    process = None
    # Ctrl-C while Popen starts the program would lose it, running, before we hold its process id: it
    # waits until Popen returns (the mask is read first and always restored, whenever Ctrl-C comes)
    masking = hasattr(signal, "pthread_sigmask")
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set()) if masking else set()
    try:
        try:
            if masking:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
            )
            if started is not None:
                started(process)
        finally:
            if masking:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C meanwhile arrives now
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        assert process is not None
        _kill_group(process)
        stdout, stderr = process.communicate()
        raise PdfError(f"LibreOffice did not finish within {timeout:g} s (set {TIMEOUT_ENV} to allow more)"
                       f"{_output(stdout, stderr)}") from None
    except BaseException:  # Ctrl-C, or the caller stopping: LibreOffice must not be left running
        if process is not None:
            _kill_group(process)
            process.wait()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError):  # the group is gone already
        os.killpg(process.pid, signal.SIGKILL)


def _remove_ipc_pipe(profile_url: str) -> None:
    """Remove the single-instance pipe a killed LibreOffice leaves in /tmp (a clean exit removes it).

    LibreOffice names it ``OSL_PIPE_<uid>_SingleOfficeIPC_<md5>``, the MD5 of the user installation
    URL (UTF-16) written as hex without padding (desktop/source/app/officeipcthread.cxx), and puts
    it in /tmp (or /var/tmp) whatever TMPDIR says.  Ours has a private profile, so the name is ours.
    """
    for pipe in _ipc_pipes(profile_url):
        with suppress(OSError):
            if stat.S_ISSOCK(pipe.lstat().st_mode):
                pipe.unlink()


def _ipc_pipes(profile_url: str) -> list[Path]:
    """Where LibreOffice with the user installation ``profile_url`` puts its single-instance pipe."""
    if not hasattr(os, "getuid"):
        return []
    digest = hashlib.md5(profile_url.encode("utf-16-le"), usedforsecurity=False).digest()
    name = f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(format(byte, 'x') for byte in digest)}"
    return [Path(folder, name) for folder in ("/tmp", "/var/tmp")]


def _timeout(documents: int) -> float:
    """Seconds allowed for converting ``documents``: ``$DISCLOSURE_SOFFICE_TIMEOUT``, or the defaults."""
    override = os.environ.get(TIMEOUT_ENV)
    if override:
        try:
            seconds = float(override)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds < 86400:
            raise PdfError(f"{TIMEOUT_ENV}={override!r}: expected a number of seconds between 0 and 86400")
        return seconds
    return START_TIMEOUT + DOCUMENT_TIMEOUT * documents


#: A warning every headless start prints (no Java is needed to export a PDF): not worth showing.
_NOISE = re.compile(r"^Warning: failed to launch javaldx.*$\n?", re.MULTILINE)


def _output(stdout: str, stderr: str) -> str:
    """LibreOffice's own words, for an error message."""
    text = "\n".join(part.strip() for part in (_NOISE.sub("", stderr), stdout) if part.strip())
    return f"; LibreOffice said:\n{text}" if text else ""


def _private_environment(private: Path) -> dict[str, str]:
    """The environment of a LibreOffice whose fontconfig file and temporary files are in ``private``."""
    fonts = private / "fonts.conf"
    fonts.write_text(fontconfig_text(), encoding="utf-8")
    scratch = private / "tmp"  # LibreOffice's own temporary files go with the private folder
    scratch.mkdir(exist_ok=True)
    return {**os.environ, "FONTCONFIG_FILE": str(fonts), "TMPDIR": str(scratch)}


def _convert_command(soffice: Path, profile: Path, outdir: Path, docx_paths: Sequence[Path]) -> list[str]:
    return [
        str(soffice),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        _filter_argument(),
        "--outdir",
        str(outdir),
        *(str(path.resolve()) for path in docx_paths),
    ]


def _convert(docx_paths: Sequence[Path], outdir: Path, timeout: float | None) -> list[Path]:
    """Convert into ``outdir`` (empty, private) with one LibreOffice process; the PDFs, in input order."""
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="disclosure-lo-") as private:
        profile = Path(private, "profile")
        env = _private_environment(Path(private))
        command = _convert_command(soffice, profile, outdir, docx_paths)
        limit = timeout if timeout is not None else _timeout(len(docx_paths))
        try:
            result = _run_soffice(command, env, limit)
        finally:
            _remove_ipc_pipe(profile.as_uri())
    pdfs = [outdir / f"{path.stem}.pdf" for path in docx_paths]
    failed = [path.name for path, pdf in zip(docx_paths, pdfs) if not pdf.is_file()]
    if result.returncode != 0 or failed:
        what = f"could not convert {', '.join(failed)}" if failed else f"exited with status {result.returncode}"
        raise PdfError(f"LibreOffice {what}{_output(result.stdout, result.stderr)}")
    return pdfs


def convert_to_pdf(docx_paths: Sequence[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
    """Convert every document with **one** LibreOffice start; ``outdir/<stem>.pdf`` for each, in order.

    A start costs about twice the conversion of the 20-page example (~1 s
    against ~0.5 s), so a batch shares it (docs/pdf.md has the figures).  The PDFs
    are written to a staging folder inside ``outdir`` and renamed into place,
    so a failed run leaves no partial file.  ``timeout`` (seconds) defaults to
    :data:`START_TIMEOUT` + :data:`DOCUMENT_TIMEOUT` per document.  On failure
    no PDF of the batch is kept, and the error carries LibreOffice's output.
    """
    docx_paths = [Path(path) for path in docx_paths]
    if not docx_paths:
        return []
    _check_inputs(docx_paths)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".disclosure-pdf-", dir=outdir) as staging:
        staged = _convert(docx_paths, Path(staging), timeout)
        targets = [outdir / pdf.name for pdf in staged]
        for pdf, target in zip(staged, targets):
            os.replace(pdf, target)
    return targets


class LibreOffice:
    """A headless LibreOffice kept running to convert documents one after the other (a batch's converter).

    Started at the first :meth:`convert`, with a private profile, fontconfig file and temporary folder
    like :func:`convert_to_pdf`, and with an empty text document open: a headless LibreOffice ends
    when its last document closes, this one stays.  Each conversion is then a short ``soffice
    --convert-to`` with the same profile, which hands its arguments over LibreOffice's single-instance
    pipe and waits until the document is converted: a document costs its layout, not a start (~1 s).

    * **One document at a time**, each with its own time limit (:data:`START_TIMEOUT` +
      :data:`DOCUMENT_TIMEOUT`, or ``$DISCLOSURE_SOFFICE_TIMEOUT``): a document that fails fails alone;
      one that hangs is stopped with the whole LibreOffice, which starts again for the next document.
    * If LibreOffice does not come up within the start allowance (or is not LibreOffice), each
      conversion runs on its own, as :func:`convert_to_pdf` does.
    * :meth:`close`, from any thread, kills it (and a conversion in progress) with its files.  A
      watchdog kills it too if this process dies without closing it, so no LibreOffice is left behind.
    """

    def __init__(self, *, timeout: float | None = None):
        self.timeout = timeout
        #: LibreOffice starts, and documents converted (benchmarks and tests read them)
        self.starts = 0
        self.conversions = 0
        self._one = threading.Lock()  # one conversion at a time
        self._state = threading.Lock()  # the processes, against close() from another thread
        self._private: Path | None = None
        self._profile: Path | None = None
        self._env: dict[str, str] = {}
        self._server: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._client: subprocess.Popen[str] | None = None
        self._standalone = False
        self._closed = False

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, docx: Path, outdir: Path) -> Path:
        """Convert ``docx`` into ``outdir`` (``<stem>.pdf``); the PDF.

        Raises:
            PdfError: LibreOffice is missing, could not convert the document (with what it said),
                did not finish in time, or was closed.
        """
        docx, outdir = Path(docx), Path(outdir)
        if not docx.is_file():
            raise PdfError(f"{docx}: no such file")
        outdir.mkdir(parents=True, exist_ok=True)
        with self._one:
            soffice = self._prepare()
            server = self._ensure_server(soffice)
            log_offset = self._log_size()
            limit = _timeout(1) if self.timeout is None else self.timeout
            assert self._profile is not None
            command = _convert_command(soffice, self._profile, outdir, [docx])
            try:
                result = _run_soffice(command, self._env, limit, started=self._started)
            except PdfError as exc:  # timed out: the LibreOffice that hangs is the one kept running
                self._stop_server()
                raise PdfError(f"{exc} (converting {docx.name})") from None
            finally:
                with self._state:
                    self._client = None
                if server is None:  # it ran on its own: nothing may be left of it
                    _remove_ipc_pipe(self._profile.as_uri())
            self._check_open()
            pdf = outdir / f"{docx.stem}.pdf"
            if result.returncode != 0 or not pdf.is_file():
                said = result.stderr + self._log_since(log_offset)
                if server is not None and server.poll() is not None:
                    self._stop_server()  # it died on this document: the next one starts it again
                what = "could not convert" if not pdf.is_file() else f"exited with status {result.returncode} on"
                raise PdfError(f"LibreOffice {what} {docx.name}{_output(result.stdout, said)}")
            self.conversions += 1
            return pdf

    def close(self) -> None:
        """Kill LibreOffice and a conversion in progress; remove the profile and temporary files."""
        with self._state:
            self._closed = True
            client, self._client = self._client, None
        if client is not None:
            _kill_group(client)
        self._stop_server()
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)

    # ------------------------------------------------------------------ the LibreOffice kept running

    def _prepare(self) -> Path:
        self._check_open()
        soffice = find_soffice()
        if self._private is None:
            self._private = Path(tempfile.mkdtemp(prefix="disclosure-lo-"))
            self._env = _private_environment(self._private)
            (self._private / "keep-open.txt").write_bytes(b"")
        return soffice

    def _check_open(self) -> None:
        if self._closed:
            raise PdfError("LibreOffice was stopped")

    def _started(self, process: subprocess.Popen[str]) -> None:
        with self._state:
            self._client = process
            closed = self._closed
        if closed:
            _kill_group(process)

    def _ensure_server(self, soffice: Path) -> subprocess.Popen[bytes] | None:
        """The running LibreOffice, started if needed; None when documents are converted one start each."""
        if self._standalone:
            return None
        if self._server is not None and self._server.poll() is None:
            return self._server
        self._stop_server()
        assert self._private is not None
        self.starts += 1
        self._profile = self._private / f"profile-{self.starts}"  # a fresh one: a killed LibreOffice leaves locks
        keep_open = self._private / "keep-open.txt"
        ready = self._private / ".~lock.keep-open.txt#"  # LibreOffice locks a document it has opened
        with suppress(FileNotFoundError):
            ready.unlink()
        command = [str(soffice), f"-env:UserInstallation={self._profile.as_uri()}", "--headless", "--norestore",
                   str(keep_open)]
        with self._state:
            self._check_open()
            with open(self._private / "libreoffice.log", "ab") as log:
                self._server = subprocess.Popen(command, env=self._env, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=log, start_new_session=True)
            self._watchdog = _watch(self._server.pid)
        # ready once it has opened the document (a first start with a new profile restarts itself once,
        # and a conversion handed over before that would start a LibreOffice of its own)
        deadline = time.monotonic() + (START_TIMEOUT if self.timeout is None else self.timeout)
        pipes = _ipc_pipes(self._profile.as_uri())
        while time.monotonic() < deadline and self._server.poll() is None and not self._closed:
            if ready.exists() and any(p.exists() for p in pipes):
                return self._server
            time.sleep(0.02)
        self._check_open()
        self._stop_server()
        self._standalone = True  # not a LibreOffice that stays: one start per document
        return None

    def _stop_server(self) -> None:
        with self._state:
            server, self._server = self._server, None
            watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            with suppress(OSError):  # told to go without killing: the group may be gone and its id reused
                watchdog.stdin.write(b"stop\n")  # type: ignore[union-attr]
                watchdog.stdin.close()  # type: ignore[union-attr]
            watchdog.wait()
        if server is not None:
            _kill_group(server)
            server.wait()
            if self._profile is not None:
                _remove_ipc_pipe(self._profile.as_uri())

    def _log_size(self) -> int:
        try:
            return (self._private / "libreoffice.log").stat().st_size  # type: ignore[operator]
        except OSError:
            return 0

    def _log_since(self, offset: int) -> str:
        try:
            with open(self._private / "libreoffice.log", "rb") as log:  # type: ignore[operator]
                log.seek(offset)
                return log.read(100_000).decode("utf-8", "replace")
        except OSError:
            return ""


def _watch(pid: int) -> subprocess.Popen[bytes]:
    """A process that kills the process group ``pid`` when its standard input ends without the word
    ``stop``, i.e. when this process dies in any way (SIGKILL included): LibreOffice kept running
    never outlives us."""
    # dash (Debian's /bin/sh) takes neither -KILL nor --: "kill -9 -PGID" is what every sh understands
    script = 'read -r word; [ "$word" = stop ] || kill -9 -"$0" 2>/dev/null'
    return subprocess.Popen(["/bin/sh", "-c", script, str(pid)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


# --------------------------------------------------------------------------- finishing


def libreoffice_destination_name(bookmark: str) -> str:
    """The name LibreOffice (7.4) gives the PDF destination of a Word bookmark.

    A Word bookmark name holds letters, digits and ``_``.  LibreOffice first
    percent-encodes the name as a URL fragment (UTF-8, so ``附`` becomes
    ``%E9%99%84``), then writes every character other than an ASCII letter,
    digit or ``-`` as two hex digits (vcl ``appendDestinationName``):
    ``part_1`` → ``part5F1``, ``附件_1`` → ``25E92599258425E425BB25B65F1``.
    """
    out = []
    for char in bookmark:
        if char.isascii() and (char.isalnum() or char == "-"):
            out.append(char)
        elif char.isascii():
            out.append(f"{ord(char):02X}")
        else:
            out.extend(f"25{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


@dataclass(frozen=True)
class _Entry:
    """An outline entry located in the converted PDF (page index and vertical position)."""

    title: str
    level: int
    page: int
    top: float | None


@dataclass(frozen=True)
class _Placement:
    """Where an attachment goes: before page ``before_page`` of the converted PDF (its first page
    is then page ``start`` of the finished one), and in the outline before entry ``before_entry``
    (``len(entries)``: at the end), at level ``level``."""

    attachment: Attachment
    reader: PdfReader
    before_page: int
    before_entry: int
    level: int
    start: int = -1

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)


def _locate(reader: PdfReader, outline: Sequence[OutlineItem]) -> list[_Entry]:
    """Each outline entry's page and position, from the named destination of its bookmark."""
    destinations = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    entries = []
    for item in outline:
        dest = destinations.get(item.bookmark) or destinations.get(libreoffice_destination_name(item.bookmark))
        page = None if dest is None else reader.get_destination_page_number(dest)
        if dest is None or page is None or page < 0:
            raise PdfError(
                f"bookmark {item.bookmark!r} ({item.title}) has no destination in the PDF; "
                "was it converted with ExportBookmarksToPDFDestination?"
            )
        entries.append(_Entry(item.title, item.level, page, dest.top))
    return entries


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs warnings that quote the bytes of a broken file; a message of ours says what is wrong."""
    logger = logging.getLogger("pypdf")  # pypdf logs on its modules' loggers (pypdf._reader): their level is this
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_attachment(path: Path) -> PdfReader:
    """The PDF at ``path`` (a regular file of at most :data:`MAX_ATTACHMENT_BYTES`), ready to merge.

    Nothing of a file that is not a usable PDF is echoed: the error names the path and what is wrong.

    Raises:
        PdfError: not a regular file, too large, not a PDF, damaged, encrypted or without pages.
    """
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_ATTACHMENT_BYTES, "a PDF attachment")
    except FileRefused as exc:
        raise PdfError(str(exc)) from None
    if b"%PDF-" not in data[:1024]:
        raise PdfError(f"{path}: is not a PDF (a PDF file starts with %PDF-); expected a PDF attachment")
    try:
        with _quiet_pypdf():
            reader = PdfReader(io.BytesIO(data))
            encrypted = reader.is_encrypted
            empty = not encrypted and not reader.pages
    except Exception:  # pypdf raises many kinds on a damaged file; what it says may quote the file
        raise PdfError(f"{path}: is a damaged PDF that cannot be read; expected a PDF attachment") from None
    if encrypted or empty:
        raise PdfError(f"{path}: the PDF is {'encrypted' if encrypted else 'empty'}; expected a PDF attachment with pages")
    return reader


def _read_attachment(attachment: Attachment) -> PdfReader:
    return read_attachment(attachment.path)


def _place(
    attachments: Sequence[Attachment], outline: Sequence[OutlineItem], entries: list[_Entry], page_count: int
) -> list[_Placement]:
    """Each attachment's place, in document order (deeper sections close before the ones around them)."""
    index = {item.bookmark: i for i, item in enumerate(outline)}
    placements = []
    for attachment in attachments:
        reader = _read_attachment(attachment)
        if attachment.after_bookmark is None:
            placements.append(_Placement(attachment, reader, page_count, len(entries), 0))
            continue
        if attachment.after_bookmark not in index:
            raise PdfError(
                f"attachment {attachment.path}: no outline entry has the bookmark {attachment.after_bookmark!r}"
            )
        start = index[attachment.after_bookmark]
        level = entries[start].level
        end = next((i for i in range(start + 1, len(entries)) if entries[i].level <= level), len(entries))
        before_page = entries[end].page if end < len(entries) else page_count
        placements.append(_Placement(attachment, reader, before_page, end, level))
    order = sorted(range(len(placements)), key=lambda i: (placements[i].before_page, -placements[i].level, i))
    placed, inserted = [], 0
    for placement in (placements[i] for i in order):
        placed.append(replace(placement, start=placement.before_page + inserted))
        inserted += placement.page_count
    return placed


def _final_page(page: int, placements: Sequence[_Placement]) -> int:
    """Index in the finished PDF of page ``page`` of the converted one."""
    return page + sum(p.page_count for p in placements if p.before_page <= page)


def _outline_items(entries: list[_Entry], placements: Sequence[_Placement]) -> Iterator[_Entry | _Placement]:
    """Entries and attachments in outline order."""
    for i, entry in enumerate(entries):
        yield from (p for p in placements if p.before_entry == i)
        yield entry
    yield from (p for p in placements if p.before_entry == len(entries))


def _add_outline(writer: PdfWriter, entries: list[_Entry], placements: Sequence[_Placement]) -> None:
    """Nest each entry under the nearest preceding entry of a lower level (level 1 under its part)."""
    parents: list[tuple[int, IndirectObject]] = []
    for item in _outline_items(entries, placements):
        while parents and parents[-1][0] >= item.level:
            parents.pop()
        parent = parents[-1][1] if parents else None
        if isinstance(item, _Entry):
            fit = Fit.fit() if item.top is None else Fit.xyz(top=item.top)
            page = _final_page(item.page, placements)
            node = writer.add_outline_item(title=item.title, page_number=page, parent=parent, fit=fit)
        else:
            node = writer.add_outline_item(title=item.attachment.title, page_number=item.start, parent=parent)
            _copy_outline(writer, item.reader, item.reader.outline, item.start, node)
        parents.append((item.level, node))


def _copy_outline(
    writer: PdfWriter, reader: PdfReader, outline: list[Any], offset: int, parent: IndirectObject
) -> None:
    """An attachment's own outline, recreated under its entry (``outline``: pypdf's nested list form)."""
    last = parent
    for item in outline:
        if isinstance(item, list):
            _copy_outline(writer, reader, item, offset, last)
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            continue  # an entry that points nowhere (or outside the file) cannot be shown
        last = writer.add_outline_item(title=str(item.title), page_number=offset + page, parent=parent)


def _body_start(outline: Sequence[OutlineItem], entries: list[_Entry], labels: PageLabels) -> int:
    if labels.body_from is None:
        return 0
    for item, entry in zip(outline, entries):
        if item.bookmark == labels.body_from:
            return entry.page
    raise PdfError(f"page labels: no outline entry has the bookmark {labels.body_from!r}")


def _set_page_labels(
    writer: PdfWriter, labels: PageLabels, body_start: int, page_count: int, placements: Sequence[_Placement]
) -> None:
    """Label the runs of report pages (front, body) between the attachments, and the attachments."""

    def label_report_pages(first: int, stop: int) -> None:  # pages [first, stop) of the converted PDF
        if first < body_start:
            end = min(stop, body_start)
            to = _final_page(end - 1, placements)
            if labels.front == "roman":
                writer.set_page_label(
                    _final_page(first, placements), to, style=PageLabelStyle.LOWERCASE_ROMAN, start=first + 1
                )
            else:
                writer.set_page_label(_final_page(first, placements), to, prefix="")
            first = end
        if first < stop:
            to = _final_page(stop - 1, placements)
            writer.set_page_label(
                _final_page(first, placements), to, style=PageLabelStyle.DECIMAL, start=first - body_start + 1
            )

    first = 0
    for number, placement in enumerate(placements, start=1):
        if first < placement.before_page:
            label_report_pages(first, placement.before_page)
            first = placement.before_page
        prefix = labels.attachment_prefix.format(number=number)
        last = placement.start + placement.page_count - 1
        writer.set_page_label(placement.start, last, style=PageLabelStyle.DECIMAL, prefix=prefix, start=1)
    if first < page_count:
        label_report_pages(first, page_count)


def finish_pdf(
    pdf: Path,
    *,
    outline: Sequence[OutlineItem],
    title: str,
    author: str,
    subject: str,
    keywords: Sequence[str],
    attachments: Sequence[Attachment] = (),
    page_labels: PageLabels = PageLabels(),
    language: str = "zh-CN",
) -> None:
    """Finish a PDF converted by :func:`convert_to_pdf`, in place (atomically).

    * the outline is rebuilt from ``outline`` (in document order): each
      entry points at the named destination of its bookmark, and nests under
      the nearest preceding entry of a lower level; LibreOffice's own outline
      (from heading styles) is dropped;
    * ``attachments`` are merged at their place (see :class:`Attachment`);
    * ``page_labels`` name the pages (see :class:`PageLabels`);
    * title, author (the unit), subject, keywords and the language are set,
      and viewers are asked to show the title and open the outline panel.
    """
    pdf = Path(pdf)
    try:
        with _quiet_pypdf():  # its warnings quote the file's bytes; the error says what is wrong
            reader = PdfReader(pdf)
            page_count = len(reader.pages)
    except (OSError, PdfReadError) as exc:
        # the file converted into a staging folder: named by the report's file name, which the user knows
        raise PdfError(f"{pdf.name}: what LibreOffice wrote is not a readable PDF ({exc})") from None
    entries = _locate(reader, outline)
    placements = _place(attachments, outline, entries, page_count)
    body_start = _body_start(outline, entries, page_labels)

    writer = PdfWriter()
    writer.append(reader, import_outline=False)
    for placement in placements:
        writer.merge(placement.start, placement.reader, import_outline=False)
    _add_outline(writer, entries, placements)
    _set_page_labels(writer, page_labels, body_start, page_count, placements)
    info = {str(key): value for key, value in (reader.metadata or {}).items()}
    info.update({"/Title": title, "/Author": author, "/Subject": subject, "/Keywords": ", ".join(keywords)})
    writer.add_metadata(info)
    writer.root_object[NameObject("/Lang")] = TextStringObject(language)
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    writer.page_mode = "/UseOutlines"
    # keep the permissions LibreOffice gave the file (they follow the umask)
    write_with(pdf, writer.write, keep_mode_of=pdf)


def docx_to_pdf(
    docx: Path,
    pdf: Path,
    *,
    outline: Sequence[OutlineItem],
    title: str,
    author: str,
    subject: str,
    keywords: Sequence[str],
    attachments: Sequence[Attachment] = (),
    page_labels: PageLabels = PageLabels(),
    timeout: float | None = None,
) -> Path:
    """Convert ``docx`` and finish it (:func:`finish_pdf`) as ``pdf``; nothing is written on failure."""
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    _check_inputs([Path(docx)])
    with tempfile.TemporaryDirectory(prefix=".disclosure-pdf-", dir=pdf.parent) as staging:
        (converted,) = _convert([Path(docx)], Path(staging), timeout)
        finish_pdf(
            converted,
            outline=outline,
            title=title,
            author=author,
            subject=subject,
            keywords=keywords,
            attachments=attachments,
            page_labels=page_labels,
        )
        os.replace(converted, pdf)
    return pdf


# --------------------------------------------------------------------------- fonts


_CJK_NAME = re.compile(
    r"CJK|Song|Hei|Kai|Fang|Ming|Mincho|Sim(Sun|Hei|Kai|Fang)|Han ?(Sans|Serif)|WenQuanYi|WQY|UKai|UMing"
    r"|FZ|GB2312|GBK|[^\x00-\x7f]",
    re.IGNORECASE,
)
_CJK_ORDERINGS = {"GB1", "CNS1", "Japan1", "Korea1"}


def _font_info(font: DictionaryObject) -> FontInfo:
    name = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
    name = re.sub(r"^[A-Z]{6}\+", "", name)
    subtype = font.get("/Subtype")
    descriptor_owner = font
    ordering = ""
    if subtype == "/Type0":
        descriptor_owner = cast(DictionaryObject, cast(ArrayObject, font["/DescendantFonts"])[0].get_object())
        ordering = str(descriptor_owner.get("/CIDSystemInfo", {}).get("/Ordering", ""))
    descriptor = descriptor_owner.get("/FontDescriptor")
    embedded = subtype == "/Type3" or (
        descriptor is not None
        and any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    )
    return FontInfo(name, embedded, bool(_CJK_NAME.search(name)) or ordering in _CJK_ORDERINGS)


def _first_visit(ref: Any, seen: set[int]) -> bool:
    """False for an indirect object already seen (fonts and forms are shared between pages)."""
    if not isinstance(ref, IndirectObject):
        return True
    if ref.idnum in seen:
        return False
    seen.add(ref.idnum)
    return True


def _fonts(resources: Any, seen: set[int]) -> Iterator[FontInfo]:
    """Fonts of a resource dictionary and of the form XObjects it holds."""
    if resources is None:
        return
    resources = resources.get_object()
    for ref in (resources.get("/Font") or {}).values():
        if _first_visit(ref, seen):
            yield _font_info(ref.get_object())
    for ref in (resources.get("/XObject") or {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form" and _first_visit(ref, seen):
            yield from _fonts(xobject.get("/Resources"), seen)


def embedded_font_report(pdf: Path) -> list[FontInfo]:
    """Every distinct font the pages (and their form XObjects) use, in order of first use."""
    try:
        reader = PdfReader(pdf)
    except (OSError, PdfReadError) as exc:
        raise PdfError(f"{pdf}: cannot be read as a PDF ({exc})") from None
    seen: set[int] = set()
    report: list[FontInfo] = []
    for page in reader.pages:
        for info in _fonts(page.get("/Resources"), seen):
            if info not in report:
                report.append(info)
    return report
