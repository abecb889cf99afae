"""第三部分 情况说明: the sentences of the twelve sections, as pure functions of tables and model (DESIGN.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .model import BudgetModel
from .tables import Tables


@dataclass(frozen=True)
class Block:
    """A paragraph of a section, or a subheading such as （一）一般公共预算当年支出规模变化情况."""

    text: str
    kind: Literal["paragraph", "subheading"] = "paragraph"


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Narrative:
    sections: dict[int, Section] = field(default_factory=dict)


SECTION_TITLES = {
    1: "{level}预算收支数据变动情况及原因",
    2: "收入预算情况说明",
    3: "支出预算情况说明",
    4: "财政拨款收支预算总体情况说明",
    5: "一般公共预算支出情况说明",
    6: "一般公共预算基本支出情况说明",
    7: "“三公”经费增减变动原因说明",
    8: "机关运行经费增减变动原因说明",
    9: "政府采购情况",
    10: "绩效管理情况",
    11: "国有资产占有使用情况",
    12: "其他说明",
}


def narrate(model: BudgetModel, tables: Tables) -> Narrative:
    """The twelve sections (headings only until the narrative lands)."""
    from cn2an import an2cn

    level = model.unit.level
    return Narrative(
        {n: Section(n, f"{an2cn(n)}、{title.format(level=level)}") for n, title in SECTION_TITLES.items()}
    )
