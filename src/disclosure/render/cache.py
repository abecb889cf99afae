"""Compiled templates kept on disk, so the next process renders without compiling (the command line's cold start).

A compiled template — its Python code and what it adds to the report — is stored with :mod:`marshal` under
a key made of the template's bytes, its name, base.docx's bytes and this engine's version, in a folder
named for the Python, Jinja and docxtpl versions that compiled it and for the engine's own source files (so
that a changed compiler never meets what an older one compiled, even when ``ENGINE_VERSION`` was not bumped):

* ``$DISCLOSURE_CACHE_DIR``, else ``$XDG_CACHE_HOME/disclosure``, else ``~/.cache/disclosure``;
* ``DISCLOSURE_CACHE_DIR=off`` turns the cache off.

Each upgrade of disclosure (or of Python or Jinja) starts a new folder. A folder is marked used by every
process that uses it, and when a new one is made, the folders of other versions unused for
:data:`UNUSED_DAYS` days are removed (another installation that still runs keeps its own).

The folder is created private (0700) and used only while it is owned by the user and writable by nobody
else: what is loaded from it is code that will run. Anything that goes wrong with the cache (a full disk,
a damaged file, a read-only home) only means compiling again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jinja2

from .compiler import (
    CompiledTemplate,
    Master,
    PartCopy,
    StyleAddition,
    TemplateNumbering,
    master_from_parts,
)
from .package import Relationship

_FOLDER: Path | None | bool = False  # False: not looked up yet; None: no usable cache
#: a folder of another version unused this long is removed when a new one is made
UNUSED_DAYS = 30
_PREFIX = "templates-"


def _docxtpl_stamp() -> str:
    spec = importlib.util.find_spec("docxtpl")
    if spec is None or spec.origin is None:
        return "none"
    try:
        found = os.stat(Path(spec.origin).parent / "template.py")
    except OSError:
        return "none"
    return f"{found.st_size}-{int(found.st_mtime)}"


def _engine_stamp() -> str:
    """Size and modification time of the render package's source files and of the bundled base.docx (whose
    styles a part's are compared with), hashed: they decide what is compiled."""
    from .templates import default_template_dir

    digest = hashlib.sha256()
    for source in [*sorted(Path(__file__).parent.glob("*.py")), default_template_dir() / "base.docx"]:
        try:
            found = os.stat(source)
        except OSError:
            continue
        digest.update(f"{source.name}:{found.st_size}:{found.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def folder() -> Path | None:
    """The cache folder of this interpreter and these library versions, or None when there is none to use."""
    global _FOLDER
    if _FOLDER is not False:
        return _FOLDER  # type: ignore[return-value]
    _FOLDER = None
    setting = os.environ.get("DISCLOSURE_CACHE_DIR")
    if setting is not None and setting.strip().lower() in ("off", "0", "no", "none", ""):
        return None
    if setting:
        base = Path(setting)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "disclosure"
    versions = (f"{_PREFIX}{sys.implementation.cache_tag}-jinja{jinja2.__version__}-docxtpl{_docxtpl_stamp()}"
                f"-engine{_engine_stamp()}")
    path = base / versions
    try:
        new = not path.exists()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        found = os.stat(path)
    except OSError:
        return None
    private = not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not stat.S_ISDIR(found.st_mode) or not private or (hasattr(os, "getuid") and found.st_uid != os.getuid()):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: see _remove_unused
    if new:
        _remove_unused(base, path)
    _FOLDER = path
    return path


def _remove_unused(base: Path, current: Path) -> None:
    """Remove the folders of other versions in ``base`` that no process used for :data:`UNUSED_DAYS` days."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    try:
        siblings = [p for p in base.iterdir() if p.name.startswith(_PREFIX) and p.name != current.name]
    except OSError:
        return
    for sibling in siblings:
        with contextlib.suppress(OSError):
            found = os.lstat(sibling)
            mine = not hasattr(os, "getuid") or found.st_uid == os.getuid()
            if stat.S_ISDIR(found.st_mode) and mine and found.st_mtime < cutoff:
                shutil.rmtree(sibling, ignore_errors=True)


def reset() -> None:
    """Look the folder up again (after ``DISCLOSURE_CACHE_DIR`` changed; tests)."""
    global _FOLDER
    _FOLDER = False


def _load(key: str) -> Any:
    path = folder()
    if path is None:
        return None
    try:
        return marshal.loads((path / f"{key}.bin").read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _store(key: str, value: Any) -> None:
    path = folder()
    if path is None:
        return
    try:
        data = marshal.dumps(value)
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path)
    except (OSError, ValueError):
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path / f"{key}.bin")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


# --------------------------------------------------------------------------- to and from plain values


def _template_to_plain(t: CompiledTemplate) -> tuple:
    numbering = None if t.numbering is None else (t.numbering.nums, t.numbering.num_xml, t.numbering.abstracts)
    return (t.name, t.key, t.source, t.code, t.namespaces, t.ignorable,
            tuple((s.style_id, s.xml, s.num_ids) for s in t.styles),
            tuple((r.id, r.type, r.target, r.external) for r in t.relationships),
            tuple((p.name, p.data, p.content_type) for p in t.parts),
            numbering, t.restart_styles, t.merges, t.cell_loops, t.drawings, t.bookmarks, t.body_namespaces,
            t.dropped)


def _template_from_plain(plain: tuple) -> CompiledTemplate:
    (name, key, source, code, namespaces, ignorable, styles, relationships, parts, numbering, restart, merges,
     cell_loops, drawings, bookmarks, body_namespaces, dropped) = plain
    return CompiledTemplate(
        name=name, key=key, source=source, code=code, namespaces=namespaces, ignorable=ignorable,
        styles=tuple(StyleAddition(*s) for s in styles),
        relationships=tuple(Relationship(*r) for r in relationships),
        parts=tuple(PartCopy(*p) for p in parts),
        numbering=None if numbering is None else TemplateNumbering(*numbering),
        restart_styles=restart, merges=merges, cell_loops=cell_loops, drawings=drawings, bookmarks=bookmarks,
        body_namespaces=body_namespaces, dropped=dropped,
    )


def load_template(key: str) -> CompiledTemplate | None:
    plain = _load(key)
    try:
        return None if plain is None else _template_from_plain(plain)
    except (TypeError, ValueError):
        return None


def store_template(key: str, compiled: CompiledTemplate) -> None:
    _store(key, _template_to_plain(compiled))


def load_master(key: str) -> Master | None:
    plain = _load(key)
    if plain is None:
        return None
    try:
        fields, headers_footers, relationships = plain
        return master_from_parts(
            fields,
            {part: _template_from_plain(t) for part, t in headers_footers.items()},
            {rid: Relationship(*r) for rid, r in relationships.items()},
        )
    except (TypeError, ValueError, KeyError):
        return None


def store_master(key: str, master: Master) -> None:
    fields = {name: getattr(master, name) for name in (
        "key", "document", "root_attributes", "namespaces", "before_body", "section", "styles_part", "styles",
        "numbering_part", "numbering", "content_types", "core_part", "core", "verbatim")}
    _store(key, (fields, {part: _template_to_plain(t) for part, t in master.headers_footers.items()},
                 {rid: (r.id, r.type, r.target, r.external) for rid, r in master.relationships.items()}))
