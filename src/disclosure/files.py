"""Writing report files: atomically, so a reader never sees half a report and a failure changes nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_folder(folder: Path) -> None:
    """Create the output ``folder`` if needed; an :class:`OutputError` if it is not (or cannot be) a folder."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: the output path is not a folder")


def write_with(target: Path, write: Callable[[BinaryIO], None], *, keep_mode_of: Path | None = None) -> None:
    """Write ``target`` through ``write(handle)`` on a temporary file in the same folder, then rename.

    The file gets the permissions of an ordinary new file (0666 less the umask), or those of
    ``keep_mode_of``; on any failure the temporary file is removed and ``target`` is unchanged.
    """
    folder = target.parent
    ensure_folder(folder)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=folder)
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
