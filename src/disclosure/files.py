"""Reading inputs and writing reports, so that a fault never publishes a wrong or partial report.

Reading: :func:`read_regular_file` reads only regular files, with a size cap checked while reading
(a FIFO, a device or a folder is refused before anything is read, and never blocks).

Writing: the outputs of one unit (.docx, PDF, JSON …) are produced together in a private staging
folder inside the output folder and published together by :class:`StagedOutputs`: all of them, or
none, and a failure at any stage leaves every existing file byte-identical.  :func:`safe_file_stem`
keeps a report's file name inside the output folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError, UsageError

#: Longest file name the file systems we write to accept, in bytes (UTF-8 on Linux; ext4, XFS, Btrfs).
MAX_NAME_BYTES = 255
#: The suffixes a unit's outputs may have; the longest (5 bytes) bounds the name's stem.
OUTPUT_SUFFIXES = (".docx", ".pdf", ".json", ".xlsx")
#: Longest stem of a report's file name: the stem plus its longest suffix must fit :data:`MAX_NAME_BYTES`.
MAX_STEM_BYTES = MAX_NAME_BYTES - max(len(s.encode()) for s in OUTPUT_SUFFIXES)
#: Staging folders start with this (hidden, and recognisable as ours).
STAGING_PREFIX = ".disclosure-"
#: The file in a staging folder naming the process that publishes it: host, boot, PID namespace, id and start.
OWNER_FILE = ".owner"

_READ_CHUNK = 1 << 20


# --------------------------------------------------------------------------- reading


class FileRefused(UsageError):
    """An input file that is not read: missing, not a regular file, too large, unreadable.

    ``path`` is the file and ``reason`` what is wrong with it and what was expected, e.g.
    ``is a named pipe (FIFO), not a regular file; expected a catalogue CSV``.
    """

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1_000_000:,.1f} MB"


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is, for a message; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _open_regular(path: Path, limit: int, what: str) -> int:
    """A read-only descriptor of the regular file ``path`` (size ≤ ``limit``), or :class:`FileRefused`.

    The file is looked at (``stat``) before it is opened, so a device is never opened, and opened
    with ``O_NONBLOCK``, so a FIFO put in its place meanwhile cannot block; ``fstat`` then checks
    what was opened.
    """
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is None:
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileRefused(path, f"no such file; expected {what}") from None
    except IsADirectoryError:
        raise FileRefused(path, f"is a folder; expected {what}") from None
    except PermissionError:
        raise FileRefused(path, f"cannot be read (permission denied); expected {what}") from None
    except OSError as exc:
        raise FileRefused(path, f"cannot be read ({exc.strerror or exc}); expected {what}") from None
    if kind is not None:
        raise FileRefused(path, f"{kind}; expected {what}")
    try:
        info = os.fstat(fd)
        kind = _not_regular(info.st_mode)
        if kind is not None:
            raise FileRefused(path, f"{kind}; expected {what}")
        if info.st_size > limit:
            raise FileRefused(path, f"is {_size(info.st_size)}; {what} may be at most {_size(limit)}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file(path: Path | str, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, which may hold at most ``limit`` bytes.

    ``what`` says what was expected, for the message (``a catalogue CSV``).  A missing file, a
    folder, a FIFO, a device or a socket is refused without reading it; the cap is checked while
    reading, so a file that grows, or reports no size (``/proc``), cannot exhaust memory.

    Raises:
        FileRefused: naming the path, what is wrong and what was expected.
    """
    path = Path(path)
    fd = _open_regular(path, limit, what)
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileRefused(path, f"is larger than {_size(limit)}, the most {what} may hold")
    except OSError as exc:
        raise FileRefused(path, f"cannot be read ({exc.strerror or exc}); expected {what}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def check_regular_file(path: Path | str, limit: int, what: str) -> None:
    """Check, without reading it, that ``path`` is a regular file of at most ``limit`` bytes.

    For files another library opens by name (a Word template): the check keeps a FIFO or a device
    away from it.  Raises :class:`FileRefused` like :func:`read_regular_file`.
    """
    os.close(_open_regular(Path(path), limit, what))


# --------------------------------------------------------------------------- file names

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³")}
#: Characters no file name may hold on Windows, path separators, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]')
#: Bidirectional controls: they change how a name is displayed (``报告\u202eexe.docx``), so they go.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_file_stem(name: str) -> str:
    """``name`` made a plain file name inside the output folder (the stem, without a suffix).

    Path separators, characters Windows forbids and control characters become ``_``; bidirectional
    controls are removed; leading and trailing dots and spaces go (``..``, hidden files, and what
    Windows silently drops); a Windows device name (``CON``, ``com1.txt`` …) gets a ``_`` in front.
    An empty result is ``report``.  The length is checked by :func:`stem_length_problem`.
    """
    name = unicodedata.normalize("NFC", _BIDI.sub("", name))
    name = _UNSAFE.sub("_", name).strip(" .")
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        name = f"_{name}"
    return name or "report"


def names_a_file(name: str | None) -> bool:
    """``name`` leaves something of a file name once made safe (``""``, ``" "``, ``.`` and ``..`` do not)."""
    return bool(name) and bool(_BIDI.sub("", name).strip(" ."))


def stem_length_problem(stem: str) -> str | None:
    """Why ``stem`` is too long for a file name (with its longest suffix), or None."""
    size = len(stem.encode("utf-8"))
    if size <= MAX_STEM_BYTES:
        return None
    return (f"gives a file name of {size} bytes before its suffix; a file name may have at most {MAX_NAME_BYTES} "
            f"bytes, so the name may have at most {MAX_STEM_BYTES} (about {MAX_STEM_BYTES // 3} Chinese characters)")


# --------------------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def missing_folders(folder: Path) -> list[Path]:
    """The folders :func:`ensure_folder` would create for ``folder``, outermost first."""
    missing = []
    parent = folder
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return missing[::-1]


def ensure_folder(folder: Path) -> list[Path]:
    """Create the output ``folder`` if needed; an :class:`OutputError` if it is not (or cannot be) a folder.

    Returns the folders created, outermost first (so a failed build can remove them again).
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")
    missing = missing_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")
    return missing


def _fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_PUBLISHED: list[Path] = []


def published() -> tuple[Path, ...]:
    """Every file this process published (:meth:`StagedOutputs.commit`), in order: what Ctrl-C did not stop."""
    return tuple(_PUBLISHED)


class StagedOutputs:
    """The output files of one unit, produced in a private staging folder and published all or none.

    ::

        outputs = StagedOutputs(Path("out"), "晋城市总工会-2024-单位预算公开")
        with outputs:                                  # any exception (and Ctrl-C) discards the staging folder
            outputs.write(".docx", write_docx)         # write_docx(handle) writes the bytes
            convert(outputs.path_for(".docx"), outputs.path_for(".pdf"))
            written = outputs.commit()                 # {".docx": out/….docx, ".pdf": out/….pdf}

    The staging folder (``.disclosure-…``, mode 0700) lies in the output folder, so publishing is a
    rename on one file system.  It names the process that publishes it (``owner``, by default this one) in
    :data:`OWNER_FILE`, so that a later build can remove it when that process was killed
    (:func:`remove_abandoned_staging`).  :meth:`commit` first links each existing target into the staging
    folder as a backup, then renames every staged file over its target; if a rename fails, the
    targets already replaced get their backups back (targets that did not exist are removed), so
    every existing file is unchanged and no new one is left.  A staged file is named like its
    target, so tools that derive one name from another (LibreOffice: ``x.docx`` → ``x.pdf``) work
    inside the staging folder.  Instances pickle, so a worker process can stage and its parent commit.
    """

    def __init__(self, folder: Path | str, stem: str, *, prefix: str = STAGING_PREFIX, model: Path | None = None,
                 owner: int | None = None):
        if stem != safe_file_stem(stem) or stem_length_problem(stem):
            raise ValueError(f"not a safe file name stem: {stem!r} (see files.safe_file_stem)")
        self.folder = Path(folder)
        self.stem = stem
        self.model = model  # the file being built, never one of :meth:`left_over`
        self._staged: dict[str, Path] = {}
        #: suffix → published path, once :meth:`commit` renamed everything into place
        self.committed: dict[str, Path] | None = None
        # known before they are made: Ctrl-C while they are made (or before the staging folder is) removes them
        self._created = missing_folders(self.folder)
        try:
            ensure_folder(self.folder)
            self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.folder))
            mark_staging_folder(self.staging, owner)
        except BaseException as exc:  # an OSError, or Ctrl-C: nothing made here is left
            if hasattr(self, "staging"):
                shutil.rmtree(self.staging, ignore_errors=True)
            self._remove_created_folders()
            if isinstance(exc, OSError):
                raise OutputError(f"{self.folder}: cannot write in the output folder ({exc.strerror or exc})") from None
            raise

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.discard()

    def target(self, suffix: str) -> Path:
        """Where the output with ``suffix`` is published: ``folder/stem+suffix``."""
        return self.folder / f"{self.stem}{suffix}"

    def path_for(self, suffix: str) -> Path:
        """Where to produce the output with ``suffix`` (in the staging folder, under its final name).

        Raises :class:`OutputError` at once if the target exists and is not a regular file (a folder
        of that name), so the build stops before producing anything.
        """
        if suffix not in self._staged:
            if suffix not in OUTPUT_SUFFIXES:
                raise ValueError(f"unknown output suffix {suffix!r}; add it to files.OUTPUT_SUFFIXES")
            target = self.target(suffix)
            if os.path.lexists(target) and not target.is_file():
                raise OutputError(f"{target}: exists and is not a regular file, so the report cannot replace it")
            self._staged[suffix] = self.staging / target.name
        return self._staged[suffix]

    def write(self, suffix: str, write: Callable[[BinaryIO], None]) -> Path:
        """Produce the output with ``suffix`` through ``write(handle)``; the staged path."""
        path = self.path_for(suffix)
        try:
            with open(path, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"{self.target(suffix)}: cannot write the report ({exc.strerror or exc})") from None
        return path

    @property
    def suffixes(self) -> tuple[str, ...]:
        return tuple(self._staged)

    def commit(self) -> dict[str, Path]:
        """Publish every staged output under its final name, all or none; the staging folder goes.

        Returns suffix → published path.  Raises :class:`OutputError` when an output was asked for
        but not produced, or a backup or rename fails (then nothing was changed).
        """
        try:
            return self._commit()
        finally:
            self.discard()

    def _commit(self) -> dict[str, Path]:
        mode = 0o666 & ~_umask()  # a report is an ordinary file, whatever the staging folder's mode
        for suffix, staged in self._staged.items():
            if not staged.is_file():
                raise OutputError(f"{self.target(suffix)}: was not produced; no file of this report was written")
            os.chmod(staged, mode)
        backups: dict[str, Path] = {}
        try:
            for number, suffix in enumerate(self._staged):
                target = self.target(suffix)
                if os.path.lexists(target):
                    backups[suffix] = self.staging / f"backup-{number}"
                    try:  # a symbolic link is kept as a link, not as the file it points to
                        os.link(target, backups[suffix], follow_symlinks=False)
                    except (OSError, NotImplementedError):  # no hard links here: a copy restores the same bytes
                        shutil.copy2(target, backups[suffix], follow_symlinks=False)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot keep a copy of the previous report ({exc.strerror or exc}); "
                              "no file of this report was changed") from None
        published: list[str] = []
        try:
            for suffix, staged in self._staged.items():
                os.replace(staged, self.target(suffix))
                published.append(suffix)
            # inside the try: Ctrl-C after the last rename but before this is recorded rolls back, so the files
            # in place are always the ones a batch's summary counts as written
            self.committed = {suffix: self.target(suffix) for suffix in published}
        except BaseException as exc:  # a failed rename, or Ctrl-C between two renames
            failed = self.target(suffix)
            restored = self._roll_back(published, backups)
            if not isinstance(exc, OSError):
                raise
            message = f"{failed}: cannot write the report ({exc.strerror or exc}); "
            raise OutputError(message + (restored or "no file of this report was changed")) from None
        _PUBLISHED.extend(self.committed.values())
        _fsync_folder(self.folder)
        return self.committed

    def left_over(self) -> tuple[Path, ...]:
        """Files of this report's name that the commit did not write — an earlier build's PDF, JSON or
        workbook, which may not match the report now beside them (the model being built excepted).

        They are reported, not removed: a file of that name may be the user's own.
        """
        written = self.committed or {}
        model = _resolved(self.model) if self.model is not None else None
        return tuple(target for suffix in OUTPUT_SUFFIXES if suffix not in written
                     for target in [self.target(suffix)] if target.is_file() and _resolved(target) != model)

    def _roll_back(self, published: list[str], backups: dict[str, Path]) -> str | None:
        """Put back what was replaced; None, or what could not be put back (its backup is then kept)."""
        kept = []
        for suffix in reversed(published):
            target = self.target(suffix)
            try:
                if suffix in backups:
                    os.replace(backups[suffix], target)
                else:
                    os.unlink(target)
            except OSError:
                kept.append(suffix)
        if not kept:
            return None
        keep = self.staging.with_name(self.staging.name + "-kept")
        os.replace(self.staging, keep)
        self.staging = keep
        return ("could not restore " + ", ".join(self.target(s).name for s in kept)
                + f"; the previous files are kept in {keep}")

    def discard(self) -> None:
        """Remove the staging folder and everything in it (and output folders this instance created, if empty)."""
        if not self.staging.name.endswith("-kept"):
            shutil.rmtree(self.staging, ignore_errors=True)
        if not self.staging.exists():
            self._remove_created_folders()

    def _remove_created_folders(self) -> None:
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: another process may have written there meanwhile
        self._created = []


# --------------------------------------------------------------------------- what killed builds leave


def mark_staging_folder(folder: Path, owner: int | None = None) -> None:
    """Name in ``folder`` the process that will publish or remove it (``owner``, by default this one)."""
    pid = os.getpid() if owner is None else owner
    record = {"host": socket.gethostname(), **_process_ids(), "pid": pid, "started": _process_start(pid)}
    (folder / OWNER_FILE).write_text(json.dumps(record), encoding="utf-8")


def _process_ids() -> dict[str, str | None]:
    """Where this process's ids mean something (Linux): this boot of the machine and the PID namespace.

    A host name does not tell them apart: containers sharing a host name (one Kubernetes pod) or machines
    named alike on a network share see other processes under the same ids, and a reboot gives them anew.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        boot = None
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = None
    return {"boot": boot, "pid_namespace": namespace}


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot (Linux: field 22 of /proc/PID/stat), to tell
    it from a later process given the same id; None where that cannot be read."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return text[text.rindex(")") + 2:].split()[19]  # the fields after the command name, which may hold spaces
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` is still the one that started at ``started`` (when not known: any process)."""
    try:
        os.kill(pid, 0)  # signal 0: is there such a process (nothing is sent)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or not allowed to ask: take it as running
        return True
    now = _process_start(pid)
    return started is None or now is None or now == started


def _abandoned(entry: os.DirEntry[str], here: dict[str, str | None]) -> bool:
    """Whether ``entry`` is a staging folder whose publishing process is gone (killed: SIGKILL, the OOM killer),
    on this host, boot and PID namespace (``here``), holding nothing but staged outputs.

    Kept, always: a folder of another host, boot or PID namespace (where its process id means another process)
    or of an unknown owner, a ``-kept`` folder (the previous files a failed roll-back could not restore) and one
    holding backups (the process died while publishing: the backups are the previous report's only copy)."""
    if not entry.name.startswith(STAGING_PREFIX) or entry.name.endswith("-kept"):
        return False
    try:
        if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
            return False
        owner_path = os.path.join(entry.path, OWNER_FILE)
        if not stat.S_ISREG(os.lstat(owner_path).st_mode):
            return False
        with open(owner_path, encoding="utf-8") as handle:
            owner = json.loads(handle.read(4096))
        pid = owner.get("pid")
        if type(pid) is not int or pid <= 0 or any(owner.get(key) != value for key, value in here.items()):
            return False
        if _running(pid, owner.get("started")):
            return False
        return not any(name.startswith("backup-") for name in os.listdir(entry.path))
    except (OSError, ValueError, AttributeError):
        return False


def remove_abandoned_staging(folder: Path | str) -> tuple[Path, ...]:
    """Remove the staging folders in ``folder`` that builds killed before they could remove them left behind
    (each holds a complete report nobody will publish); the folders removed.

    Only where a process can be asked after by its id and the ids are known to be this machine's, since its last
    start, in this PID namespace (Linux); a folder another host or a running process may still use is never
    touched (:func:`_abandoned`).
    """
    here = {"host": socket.gethostname(), **_process_ids()}
    if None in here.values():  # not Linux: a process id cannot be told to be this boot's and namespace's
        return ()
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(STAGING_PREFIX)]
    except OSError:
        return ()
    removed = []
    for entry in entries:
        if _abandoned(entry, here):
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.lexists(entry.path):
                removed.append(Path(entry.path))
    return tuple(removed)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


# --------------------------------------------------------------------------- single files


def write_with(target: Path, write: Callable[[BinaryIO], None], *, keep_mode_of: Path | None = None) -> None:
    """Write ``target`` through ``write(handle)`` on a temporary file in the same folder, then rename.

    The file gets the permissions of an ordinary new file (0666 less the umask), or those of
    ``keep_mode_of``; on any failure the temporary file is removed and ``target`` is unchanged.
    The temporary name is short and fixed in length, so a target whose name fits the file-name
    limit can always be written.
    """
    folder = target.parent
    ensure_folder(folder)
    try:
        fd, temporary = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write in the output folder ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_mode_of is not None:
            shutil.copymode(keep_mode_of, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates 0600; a report is an ordinary file
        os.replace(temporary, target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder and a rename."""
    write_with(target, lambda handle: handle.write(data))
