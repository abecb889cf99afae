"""One model file to another — YAML ↔ workbook — and the proof that nothing was lost.

:func:`convert` loads the source (a YAML file or a workbook, by suffix), writes the target, reads what it
wrote back and compares it with the source's model field by field (order of mappings and lists included,
and whether ``appendix`` was given).  A difference is a bug, reported as such, and nothing is written.

:func:`model_yaml` writes the YAML a person would: block style, Chinese as is, amounts as plain decimals
(``3097016.27``), codes quoted (``'2012902'``), fields at their default left out.
"""

from __future__ import annotations

import io
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError
from ..files import write_atomically, write_with
from ..load import WORKBOOK_SUFFIXES, LoadedModel, load, loads
from ..model import BudgetModel

YAML_SUFFIXES = (".yaml", ".yml")


class ConversionError(UsageError):
    """The target cannot be written: an unknown suffix, the source itself, an existing file."""


# --------------------------------------------------------------------------- YAML


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists (``lines:\\n  - function: …``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):  # type: ignore[override]
        return super().increase_indent(flow, False)


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = f"{value:f}"
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.Node:
    return dumper.represent_str(str(value.value))


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:  # a paragraph with line breaks: a literal block (PyYAML quotes it where it cannot)
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_multi_representer(Enum, _enum)
_Dumper.add_representer(str, _str)


def _plain(model: BudgetModel) -> dict[str, Any]:
    """The model's data without fields at their defaults (``appendix`` kept when given, even as null)."""
    data = model.model_dump(mode="python", exclude_defaults=True)
    unit = model.unit.model_dump(mode="python")
    data["unit"] = {key: value for key, value in unit.items()  # the unit's level and amount unit, always
                    if key in data["unit"] or key in ("level", "amount_unit")}
    if model.appendix is not None:  # given, even empty (`appendix: {}`: the profile's catalogue)
        data["appendix"] = data.get("appendix", {})
    elif model.appendix_given:
        data["appendix"] = None
    return data


def model_yaml(model: BudgetModel, source: str | None = None) -> str:
    """The YAML text of ``model``, for people and for :func:`disclosure.load`."""
    header = f"# Budget model{f' converted from {source}' if source else ''} by python -m disclosure convert.\n"
    body = yaml.dump(_plain(model), Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=10**9)
    return header + body


# --------------------------------------------------------------------------- comparing models


def _ordered(value: Any) -> Any:
    """A comparable form of model data that keeps the order of mappings (``==`` on dicts ignores it)."""
    if isinstance(value, dict):
        return [("map", str(k), _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    if isinstance(value, Decimal):
        return ("decimal", value.normalize() if value else Decimal(0))
    if isinstance(value, Enum):
        return value.value
    return value


def difference(a: BudgetModel, b: BudgetModel) -> str | None:
    """Where two models differ (a field path and both values), or None when they are the same model.

    Order counts in lists and in mappings with free keys (indicators print in their order); a mapping
    with a fixed set of keys (三公 by fiscal source) is the same in any order.
    """
    if a.appendix_given != b.appendix_given:
        return f"appendix given: {a.appendix_given} / {b.appendix_given}"
    return _first_difference(a.model_dump(mode="python"), b.model_dump(mode="python"), ())


def _fixed_keys(path: tuple) -> bool:
    from .layout import field_at, literal_keys

    try:
        return literal_keys(field_at(path)[0]) is not None
    except KeyError:
        return False


def _first_difference(a: Any, b: Any, path: tuple) -> str | None:
    from .layout import format_model_path

    where = format_model_path(path)
    if isinstance(a, dict) and isinstance(b, dict):
        same_keys = list(a) == list(b) or (set(a) == set(b) and _fixed_keys(path))
        if not same_keys:
            return f"{where}: keys {list(a)} / {list(b)}"
        for key in a:
            found = _first_difference(a[key], b[key], (*path, key))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items / {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, (*path, index))
            if found:
                return found
        return None
    if _ordered(a) != _ordered(b) or type(a) is not type(b) and not (isinstance(a, Decimal) and isinstance(b, Decimal)):
        return f"{where}: {a!r} / {b!r}"
    return None


# --------------------------------------------------------------------------- converting


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise ConversionError(f"{path}: write a .yaml or an .xlsx file (the suffix decides which)")


def model_bytes(model: BudgetModel, kind: str, source: str | None = None) -> bytes:
    """The file content of ``model`` as YAML or as a workbook."""
    if kind == "yaml":
        return model_yaml(model, source).encode("utf-8")
    from .write import write_model_workbook

    buffer = io.BytesIO()
    write_model_workbook(model, buffer)
    return buffer.getvalue()


def read_back(data: bytes, kind: str, shown: str) -> LoadedModel:
    if kind == "yaml":
        return loads(data.decode("utf-8"), shown)
    from .read import loads_workbook

    return loads_workbook(data, shown)


def _refuse_to_replace(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise ConversionError(f"{target}: exists; choose another name or pass --force to replace it")


def convert(source: Path | str, target: Path | str, *, force: bool = False) -> LoadedModel:
    """Write the model of ``source`` (YAML or workbook) to ``target`` (YAML or workbook, by suffix), checked
    lossless.  Refuses to overwrite ``target`` unless ``force``; never overwrites ``source``."""
    source, target = Path(source), Path(target)
    kind = kind_of(target)
    if source.suffix.lower() not in (*YAML_SUFFIXES, *WORKBOOK_SUFFIXES, ".json"):
        raise ConversionError(f"{source}: read a .yaml (or .json) model or an .xlsx workbook")
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise ConversionError(f"{target}: is the file being converted; write to another file")
    _refuse_to_replace(target, force)
    loaded = load(source)
    data = model_bytes(loaded.model, kind, source.name)
    back = read_back(data, kind, str(target))
    lost = difference(loaded.model, back.model)
    if lost is not None:  # a bug of the writer or the reader: say so, write nothing
        raise AssertionError(f"converting {source} to {target} would change the model at {lost}")
    write_atomically(target, data)
    return loaded


def init_workbook(target: Path | str, *, profile: str | None = None, force: bool = False) -> Path:
    """Write the empty fill-in workbook (of ``profile``) to ``target``."""
    from ..profile import load_profile
    from .write import write_model_workbook

    target = Path(target)
    if kind_of(target) != "xlsx":
        raise ConversionError(f"{target}: init --xlsx writes an .xlsx workbook")
    _refuse_to_replace(target, force)
    chosen = load_profile(profile) if profile else load_profile()
    write_with(target, lambda handle: write_model_workbook(None, handle, profile=chosen, profile_name=profile))
    return target


__all__ = ["ConversionError", "convert", "difference", "init_workbook", "model_yaml"]
