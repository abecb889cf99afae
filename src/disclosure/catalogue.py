"""The catalogue appended under 十二、(一): 政府购买服务指导性目录, with its forwarding notice.

The bundled ``shanxi-batch-1`` is the 山西省部门政府购买服务指导性目录（第一批） as forwarded by
晋城市财政局 (晋市财综〔2021〕58号), reconstructed row by row from the reference report (see
``docs/catalogue.md``; two rows whose names the source leaves ambiguous are not included).  A model
may point ``appendix.catalogue`` to a CSV of its own (columns department,code,level,name,parent_code).
"""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .errors import UsageError
from .files import FileRefused, read_regular_file
from .model import Appendix

#: Largest catalogue file read, in bytes (the bundled one, ~1,000 rows, has 60 KB).
MAX_CATALOGUE_BYTES = 5_000_000
BUNDLED = {"shanxi-batch-1": ("shanxi-gov-purchase-catalogue-batch1.csv", "shanxi-gov-purchase-catalogue-batch1.meta.yaml")}
COLUMNS = ("department", "code", "level", "name")


class CatalogueError(UsageError):
    """A catalogue file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Item:
    department: str
    code: str
    level: int  # 1–4: the 目录 column the name is printed in
    name: str


@dataclass(frozen=True)
class Notice:
    """The forwarding notice printed before the catalogue."""

    header: str = ""
    number: str = ""
    title: str = ""
    addressees: str = ""
    paragraphs: tuple[str, ...] = ()
    attachment: str = ""
    issuer: str = ""
    date: str = ""


@dataclass(frozen=True)
class Catalogue:
    title: str
    items: tuple[Item, ...]
    notice: Notice | None = None
    closing: tuple[str, ...] = ()

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(item.department for item in self.items))


def read_items(text: str, source: str) -> tuple[Item, ...]:
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or any(column not in rows[0] for column in COLUMNS):
        raise CatalogueError(f"{source}: expected the columns department,code,level,name,parent_code")
    items = []
    for number, row in enumerate(rows, start=2):
        try:
            level = int(row["level"])
        except (TypeError, ValueError):
            level = 0
        if level not in (1, 2, 3, 4) or not (row["code"] or "").strip() or not (row["name"] or "").strip():
            raise CatalogueError(f"{source}:{number}: expected a code, a level 1–4 and a name")
        items.append(Item(row["department"].strip(), row["code"].strip(), level, row["name"].strip()))
    return tuple(items)


@functools.lru_cache(maxsize=2)
def bundled_catalogue(name: str) -> Catalogue:
    csv_name, meta_name = BUNDLED[name]
    data = resources.files("disclosure") / "data"
    items = read_items((data / csv_name).read_text(encoding="utf-8"), csv_name)
    meta_text = (data / meta_name).read_text(encoding="utf-8")
    meta = yaml.load(meta_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["document"]  # libyaml: faster
    notice = Notice(
        header=meta["document_header"],
        number=meta["number"],
        title=meta["title"],
        addressees=meta["addressees"] + "：",
        paragraphs=(meta["notice_paragraph"],),
        attachment=meta["attachment"]["line_as_printed"],
        issuer=meta["issuing_body"],
        date=meta["date_as_printed"],
    )
    return Catalogue(meta["attachment"]["catalogue_title"], items, notice, tuple(meta["closing_lines"]))


def load_catalogue(appendix: Appendix, base_dir: Path | None = None) -> Catalogue:
    """The catalogue a model's ``appendix`` names: bundled by name, or a CSV relative to the model file."""
    if appendix.catalogue in BUNDLED:
        catalogue = bundled_catalogue(appendix.catalogue)
        if appendix.title or appendix.notice is not None:
            notice = catalogue.notice if appendix.notice is None else Notice(paragraphs=tuple(appendix.notice))
            return Catalogue(appendix.title or catalogue.title, catalogue.items, notice, catalogue.closing)
        return catalogue
    path = Path(appendix.catalogue)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not os.path.lexists(path):
        raise CatalogueError(f"{path}: no such catalogue file (bundled: {', '.join(BUNDLED)})")
    what = f"a catalogue CSV (department,code,level,name,parent_code) or a bundled name ({', '.join(BUNDLED)})"
    try:
        data = read_regular_file(path, MAX_CATALOGUE_BYTES, what)
    except FileRefused as exc:
        raise CatalogueError(str(exc)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(f"{path}: is not UTF-8 text; expected {what}") from None
    notice = Notice(paragraphs=tuple(appendix.notice)) if appendix.notice else None
    return Catalogue(appendix.title or "政府购买服务指导性目录", read_items(text, str(path)), notice)
