"""Word packages (.docx) as zip files of parts: read safely, written as a stream.

Reading is careful because a template is a file a user gives us: only a regular file is read, each part
is read up to a size limit (whatever its zip header claims, so a 54 KB file cannot expand into gigabytes),
and XML is parsed without DTDs, entities or network access. Writing streams each part into the zip, so
``word/document.xml`` is never held whole in memory.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from lxml import etree

from ..files import FileRefused, read_regular_file
from .limits import MIB, LimitExceeded, RenderLimits
from .templates import TemplateError

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
#: the date of every entry written: the same input gives the same file
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_DOCUMENT = RT + "officeDocument"
RT_STYLES = RT + "styles"
RT_NUMBERING = RT + "numbering"
RT_HEADER = RT + "header"
RT_FOOTER = RT + "footer"
RT_IMAGE = RT + "image"
CT_NUMBERING = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"

#: lxml's parser for anything read from a package: no DTD, no entities, no network, bounded trees
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_blank_text=True)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element of ``data``; a DTD (which Word never writes: it is how entity attacks start) is refused."""
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"{where}: not well-formed XML ({exc})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise TemplateError(f"{where}: has a document type declaration (DTD), which Word never writes; refused")
    return root


def read_template_file(path: Path, limit: int) -> bytes:
    """The bytes of the template file ``path`` (:func:`disclosure.files.read_regular_file`: a regular file, at
    most ``limit`` bytes, checked while reading); anything else is a :class:`TemplateError` naming it."""
    try:
        return read_regular_file(path, limit, "a Word template (.docx)")
    except FileRefused as exc:
        raise TemplateError(str(exc)) from None


# --------------------------------------------------------------------------- relationships


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool

    def target_part(self, source: str) -> str:
        """The part name of an internal target, resolved against the folder of the ``source`` part."""
        if self.target.startswith("/"):
            return posixpath.normpath(self.target.lstrip("/"))
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), self.target))


def rels_name(part: str) -> str:
    """``word/document.xml`` → ``word/_rels/document.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def parse_rels(data: bytes | None, where: str) -> dict[str, Relationship]:
    if data is None:
        return {}
    root = parse_xml(data, where)
    rels = {}
    for el in root.iter(f"{{{NS_RELS}}}Relationship"):
        rel = Relationship(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""),
                           el.get("TargetMode") == "External")
        rels[rel.id] = rel
    return rels


def rels_xml(rels: list[Relationship]) -> bytes:
    root = etree.Element(f"{{{NS_RELS}}}Relationships", nsmap={None: NS_RELS})
    for rel in rels:
        el = etree.SubElement(root, f"{{{NS_RELS}}}Relationship", Id=rel.id, Type=rel.type, Target=rel.target)
        if rel.external:
            el.set("TargetMode", "External")
    return xml_bytes(root)


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- content types


@dataclass
class ContentTypes:
    defaults: dict[str, str] = field(default_factory=dict)  # extension → type
    overrides: dict[str, str] = field(default_factory=dict)  # part name (no leading /) → type

    @classmethod
    def parse(cls, data: bytes | None, where: str) -> ContentTypes:
        types = cls()
        if data is None:
            return types
        root = parse_xml(data, where)
        for el in root:
            if el.tag == f"{{{NS_TYPES}}}Default":
                types.defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif el.tag == f"{{{NS_TYPES}}}Override":
                types.overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        return types

    def of(self, part: str) -> str | None:
        return self.overrides.get(part) or self.defaults.get(posixpath.splitext(part)[1].lstrip(".").lower())

    def to_xml(self) -> bytes:
        root = etree.Element(f"{{{NS_TYPES}}}Types", nsmap={None: NS_TYPES})
        for extension, content_type in self.defaults.items():
            etree.SubElement(root, f"{{{NS_TYPES}}}Default", Extension=extension, ContentType=content_type)
        for part, content_type in self.overrides.items():
            etree.SubElement(root, f"{{{NS_TYPES}}}Override", PartName=f"/{part}", ContentType=content_type)
        return xml_bytes(root)


# --------------------------------------------------------------------------- reading


class Package:
    """The parts of a .docx read from bytes, each on demand and within the limits."""

    def __init__(self, data: bytes, name: str, limits: RenderLimits):
        self.name = name
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise TemplateError(f"template {name}: cannot be used as a Word template (not a .docx: {exc})") from None
        if len(infos) > limits.template_entries:
            raise LimitExceeded(f"template {name}: holds {len(infos):,} files; a template may hold at most "
                                f"{limits.template_entries:,}")
        self._names = {info.filename for info in infos}
        self.content_types = ContentTypes.parse(self.read(CONTENT_TYPES), f"template {name}: {CONTENT_TYPES}")
        package_rels = parse_rels(self.read(PACKAGE_RELS), f"template {name}: {PACKAGE_RELS}")
        main = [r for r in package_rels.values() if r.type == RT_DOCUMENT and not r.external]
        self.document = main[0].target_part("") if main else "word/document.xml"
        if self.document not in self._names:
            raise TemplateError(f"template {name}: cannot be used as a Word template (it has no {self.document})")

    def names(self) -> Iterator[str]:
        return iter(sorted(self._names))

    def read(self, part: str) -> bytes | None:
        """The bytes of ``part`` (None when absent), read up to the limit of its kind."""
        if part not in self._names:
            return None
        xml = part.endswith((".xml", ".rels"))
        limit = self.limits.template_part_bytes if xml else self.limits.template_media_bytes
        try:
            with self._zip.open(part) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise TemplateError(f"template {self.name}: {part} cannot be read ({exc})") from None
        if len(data) > limit:
            raise LimitExceeded(f"template {self.name}: {part} expands to more than {limit // MIB} MiB "
                                "(set DISCLOSURE_TEMPLATE_PART_MEGABYTES to allow more)")
        return data

    def xml(self, part: str) -> etree._Element | None:
        data = self.read(part)
        return None if data is None else parse_xml(data, f"template {self.name}: {part}")

    def rels(self, part: str) -> dict[str, Relationship]:
        name = rels_name(part)
        return parse_rels(self.read(name), f"template {self.name}: {name}")

    def related(self, part: str, reltype: str) -> str | None:
        """The part ``part`` relates to with ``reltype`` (its styles, numbering …), if any."""
        for rel in self.rels(part).values():
            if rel.type == reltype and not rel.external:
                return rel.target_part(part)
        return None


# --------------------------------------------------------------------------- writing


class PackageWriter:
    """A .docx written part by part into ``handle`` (deflated, fixed dates, so output is reproducible)."""

    def __init__(self, handle: BinaryIO, compresslevel: int = 6):
        self._zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.written: set[str] = set()

    def _info(self, part: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(part, ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def write(self, part: str, data: bytes) -> None:
        if part in self.written:
            return
        self.written.add(part)
        self._zip.writestr(self._info(part), data)

    def open(self, part: str) -> IO[bytes]:
        """A stream to write ``part`` into (used for ``word/document.xml``)."""
        self.written.add(part)
        return self._zip.open(self._info(part), "w")

    def close(self) -> None:
        self._zip.close()
