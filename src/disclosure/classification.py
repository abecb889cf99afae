"""Government classification codes (政府收支分类科目): look-up, roll-up and names (DESIGN.md §3, §6).

The package bundles partial code lists (see ``data/`` and ``docs/classification.md``):
all 30 支出功能分类 类 and some 款/项 (127 codes), the 部门预算支出经济分类 almost
complete, the 政府预算支出经济分类 (501–599) with the mapping of every bundled
部门经济分类 款 to it for 机关 (行政单位, 参公事业单位) and for 事业单位, and the order
of the 30 expenditure rows of a 收支总表.  No complete machine-readable
edition is public, so a user may pass a fuller file of their own edition (same
CSV columns ``code,name,level,parent_code``) that replaces the bundled list.

Rules for a code used in a model:

* it must be well formed: 3, 5 or 7 digits, each level's prefix being its parent
  (项 ``2012902`` → 款 ``20129`` → 类 ``201``);
* a code the list in use knows takes its name from the list, and a different
  name given in the model is an error — names that differ only in the width of
  brackets or in spacing (``维修(护)费`` / ``维修（护）费``) are the same name;
* a code the list does not know needs its name in the model, and is reported as
  a warning because it cannot be verified.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path

from .errors import UsageError
from .files import FileRefused, read_regular_file

#: Length of a function code at each level: 类, 款, 项.
FUNCTION_LEVEL_LENGTHS = {"lei": 3, "kuan": 5, "xiang": 7}
#: Length of a 部门预算经济分类 code at each level: 类, 款.
ECONOMIC_LEVEL_LENGTHS = {"lei": 3, "kuan": 5}
LEVEL_NAMES = {"lei": "类", "kuan": "款", "xiang": "项"}
#: The words a classification file may write in its level column, for each level.
LEVEL_WORDS = {"lei": "lei", "kuan": "kuan", "xiang": "xiang", "类": "lei", "款": "kuan", "项": "xiang"}
#: Largest classification file read, in bytes (a complete 支出功能分类 has ~2,000 rows, ~100 KB).
MAX_CLASSIFICATION_BYTES = 5_000_000

#: The two columns of the official 部门预算经济分类 → 政府预算经济分类 对照表: 机关 (行政单位 and
#: 参照公务员法管理事业单位) map to 501–504…, 事业单位 to 505/506 for 301, 302, 309 and 310.
ECONOMIC_SIDES = ("机关", "事业单位")


class ClassificationFileError(UsageError):
    """A classification CSV that cannot be used (missing columns, bad rows)."""


@dataclass(frozen=True)
class Code:
    """One row of a code list: ``201 一般公共服务支出 (类)``."""

    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class CodeList:
    """A code list (one classification), keyed by code, with where it came from."""

    codes: Mapping[str, Code]
    source: str

    def get(self, code: str) -> Code | None:
        return self.codes.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    @classmethod
    def from_csv(cls, path: Path | str, lengths: Mapping[str, int], *, source: str | None = None) -> CodeList:
        """Read a ``code,name,level,parent_code`` CSV, checking each row is well formed."""
        path = Path(path)
        try:
            data = read_regular_file(path, MAX_CLASSIFICATION_BYTES, "a classification CSV (code,name,level,parent_code)")
        except FileRefused as exc:
            raise ClassificationFileError(f"cannot read the classification file {exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ClassificationFileError(f"{path}:{line}: the classification file is not UTF-8 text; save it as UTF-8 CSV") from None
        return cls.from_rows(csv.DictReader(text.splitlines()), lengths, source=source or str(path))

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]], lengths: Mapping[str, int], *, source: str) -> CodeList:
        codes: dict[str, Code] = {}
        for number, row in enumerate(rows, start=2):
            missing = {"code", "name", "level"} - set(row)
            if missing:
                raise ClassificationFileError(f"{source}: the columns code,name,level,parent_code are required")
            code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
            level = _row_level(row["level"], code, lengths, f"{source}:{number}")
            parent = (row.get("parent_code") or "").strip() or None
            if not name:
                raise ClassificationFileError(f"{source}:{number}: column name: code {code} has no name")
            expected_parent = _parent_code(code, lengths)
            if parent is not None and parent != expected_parent:
                raise ClassificationFileError(
                    f"{source}:{number}: column parent_code: {parent} of {code} is not its prefix {expected_parent}"
                )
            codes[code] = Code(code, name, level, expected_parent)
        return cls(codes, source)


def _row_level(written: str | None, code: str, lengths: Mapping[str, int], where: str) -> str:
    """The level of a row (lei/kuan/xiang), blaming the column that is wrong: level or code."""
    words = ", ".join(f"{LEVEL_NAMES[k]} ({k})" for k in lengths)
    level = LEVEL_WORDS.get((written or "").strip().lower())
    if level not in lengths:
        raise ClassificationFileError(f"{where}: column level: {(written or '').strip()!r} is not a level; expected {words}")
    if not code or not all("0" <= c <= "9" for c in code):
        raise ClassificationFileError(f"{where}: column code: {code!r} is not a code of digits")
    if len(code) == lengths[level]:
        return level
    fits = next((k for k, n in lengths.items() if n == len(code)), None)
    if fits is None:  # no level has codes this long: the code is wrong
        sizes = ", ".join(f"{LEVEL_NAMES[k]} {n}" for k, n in lengths.items())
        raise ClassificationFileError(f"{where}: column code: {code!r} has {len(code)} digits; codes have {sizes} digits")
    raise ClassificationFileError(  # the code is a code of another level: the level is wrong
        f"{where}: column level: {(written or '').strip()!r} does not fit code {code} "
        f"({len(code)} digits is a {LEVEL_NAMES[fits]} code; a {LEVEL_NAMES[level]} code has {lengths[level]} digits)"
    )


def _parent_code(code: str, lengths: Mapping[str, int]) -> str | None:
    """The code one level up: the longest shorter level length that prefixes ``code``."""
    shorter = sorted((n for n in lengths.values() if n < len(code)), reverse=True)
    return code[: shorter[0]] if shorter else None


@dataclass(frozen=True)
class SummaryClass:
    """One of the 30 expenditure rows of a 收支总表 (table 1 and 4), in printed order."""

    seq: int
    ordinal: str  # 一, 二, … 三十
    name: str
    code: str

    @property
    def label(self) -> str:
        """The row label as printed: ``一、一般公共服务支出``."""
        return f"{self.ordinal}、{self.name}"


@dataclass(frozen=True)
class Classification:
    """The code lists a report is derived with: bundled, or a user's edition in their place."""

    function: CodeList
    economic: CodeList
    government_economic: CodeList
    economic_to_government: Mapping[str, Mapping[str, str]]  # side (机关/事业单位) → 部门经济款 → 政府经济款
    summary_classes: tuple[SummaryClass, ...]
    notes: tuple[str, ...] = field(default=())

    def with_function_file(self, path: Path | str) -> Classification:
        """This classification with the 支出功能分类 replaced by the user's file (``--classification``)."""
        return _replace(self, function=CodeList.from_csv(path, FUNCTION_LEVEL_LENGTHS))

    def with_economic_file(self, path: Path | str) -> Classification:
        """This classification with the 部门预算经济分类 replaced by the user's file."""
        return _replace(self, economic=CodeList.from_csv(path, ECONOMIC_LEVEL_LENGTHS))

    def government_code(self, economic_code: str, side: str) -> str | None:
        """The 政府预算经济分类 款 a 部门预算经济分类 款 maps to for a unit on ``side`` (机关 or 事业单位)."""
        return self.economic_to_government.get(side, {}).get(economic_code)

    def summary_class_of(self, function_code: str) -> SummaryClass | None:
        """The 收支总表 row a function code rolls up to (by its 类, the first 3 digits)."""
        return _summary_by_code(self.summary_classes).get(function_code[:3])


def _replace(c: Classification, **changes: object) -> Classification:
    from dataclasses import replace

    return replace(c, **changes)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=8)
def _summary_by_code(classes: tuple[SummaryClass, ...]) -> dict[str, SummaryClass]:
    return {c.code: c for c in classes}


def _data_file(name: str) -> Path:
    return Path(str(resources.files("disclosure") / "data" / name))


@functools.lru_cache(maxsize=1)
def bundled() -> Classification:
    """The code lists shipped with the package (partial; see ``docs/classification.md``)."""
    function = CodeList.from_csv(_data_file("function-classification.csv"), FUNCTION_LEVEL_LENGTHS, source="bundled 支出功能分类")
    economic = CodeList.from_csv(
        _data_file("economic-classification-department.csv"), ECONOMIC_LEVEL_LENGTHS, source="bundled 部门预算经济分类"
    )
    government = CodeList.from_csv(
        _data_file("economic-classification-government.csv"), ECONOMIC_LEVEL_LENGTHS, source="bundled 政府预算经济分类"
    )
    mapping: dict[str, dict[str, str]] = {side: {} for side in ECONOMIC_SIDES}
    with _data_file("economic-classification-mapping.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            mapping[row["unit_side"]][row["department_code"]] = row["government_code"]
    with _data_file("expenditure-classes-summary-order.csv").open(encoding="utf-8") as f:
        summary = tuple(
            SummaryClass(int(row["seq"]), row["ordinal"], row["name"], row["code"]) for row in csv.DictReader(f)
        )
    return Classification(function, economic, government, mapping, summary)


# --------------------------------------------------------------------------- codes


def function_lineage(code: str) -> tuple[str, ...]:
    """The codes a function code rolls up through, top first: ``2012902`` → (201, 20129, 2012902)."""
    return tuple(code[:n] for n in (3, 5, 7) if n <= len(code))


def economic_lineage(code: str) -> tuple[str, ...]:
    """``30101`` → (301, 30101)."""
    return tuple(code[:n] for n in (3, 5) if n <= len(code))


def is_personnel_economic(code: str) -> bool:
    """人员经费 are economic classes 301 (工资福利支出) and 303 (对个人和家庭的补助); the rest is 公用经费."""
    return code[:3] in {"301", "303"}


_SPACES = re.compile(r"\s+")


def same_name(a: str, b: str) -> bool:
    """Whether two 科目 names are the same name: compared after NFKC (full-width brackets, letters and
    digits become their ASCII forms) and with all spacing removed (``维修(护)费`` = ``维修（护）费``)."""
    return _comparable(a) == _comparable(b)


def _comparable(name: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


class NameProblem(Enum):
    """Why a code's name could not be taken as given (rule ids live in :mod:`disclosure.checks`)."""

    CONTRADICTS_LIST = "contradicts"  # model's name differs from the list's
    UNVERIFIED = "unverified"  # code not in the list, name taken from the model
    MISSING = "missing"  # code not in the list and no name in the model


@dataclass(frozen=True)
class NameIssue:
    code: str
    problem: NameProblem
    listed_name: str | None = None
    given_name: str | None = None


def resolve_names(
    codes: Iterable[str], given: Mapping[str, str], code_list: CodeList
) -> tuple[dict[str, str], list[NameIssue]]:
    """Names for ``codes`` (and every code they roll up through): list first, then the model.

    Returns ``(names, issues)``.  A code with no name anywhere is absent from
    ``names`` and reported as MISSING; tables then print the bare code.
    """
    names: dict[str, str] = {}
    issues: list[NameIssue] = []
    for code in sorted(set(codes)):
        listed = code_list.get(code)
        given_name = given.get(code)
        if listed is not None:
            names[code] = listed.name
            if given_name is not None and not same_name(given_name, listed.name):
                issues.append(NameIssue(code, NameProblem.CONTRADICTS_LIST, listed.name, given_name))
        elif given_name:
            names[code] = given_name.strip()
            issues.append(NameIssue(code, NameProblem.UNVERIFIED, None, given_name))
        else:
            issues.append(NameIssue(code, NameProblem.MISSING))
    return names, issues
