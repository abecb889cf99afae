"""The documented rendering context of every template: each variable, its type, an example, its meaning.

This is the contract between the library and template maintainers.  ``docs/templates.md`` is
generated from it, ``disclosure templates check`` checks templates against it, and a test checks
that the contexts :mod:`disclosure.render.context` builds have exactly these variables (so the
documentation cannot drift from the code).

Paths use ``[]`` for "each element of a list": ``table.rows[].cells[]`` is one printed cell of one
row, used in a template as ``{%tr for row in table.rows %}…{{ row.cells[0] }}…{%tr endfor %}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..profile import derivation_of


@dataclass(frozen=True)
class Variable:
    path: str
    type: str
    example: str
    description: str


def _v(path: str, type_: str, example: str, description: str) -> Variable:
    return Variable(path, type_, example, description)


COMMON = (
    _v("report_title", "text", "晋城市总工会2024年单位预算公开报告", "The report's title (profile report_title, or report.title)."),
    _v("report_title_lines", "list", "", "The title in lines that break between words (the unit's name, then the rest)."),
    _v("report_title_lines[]", "text", "2024年单位预算公开报告", "One line of the title."),
    _v("cover_title", "text", "晋城市总工会⏎2024年单位预算公开报告",
       "The title with a line break between the unit's name and the rest (the cover's title never breaks inside a word)."),
    _v("year", "number", "2024", "Fiscal year."),
    _v("previous_year", "number", "2023", "The year before (the assets date, last year's figures)."),
    _v("level", "text", "单位", "单位 or 部门, as in 本单位/本部门."),
    _v("unit", "mapping", "", "The publishing unit."),
    _v("unit.name", "text", "晋城市总工会", "单位名称."),
    _v("unit.code", "text", "959", "单位代码."),
    _v("unit.level", "text", "单位", "单位 or 部门."),
    _v("unit.type", "text", "参照公务员法管理事业单位", "单位类型 (empty when the model does not say)."),
    _v("unit.region", "text", "晋城市", "行政区划 (empty when the model does not say)."),
    _v("unit.tier", "text", "市级", "预算级次 (empty when the model does not say)."),
    _v("unit.department", "mapping", "", "主管部门 (the unit itself when the model names none)."),
    _v("unit.department.name", "text", "晋城市总工会", "主管部门名称."),
    _v("unit.department.code", "text", "959", "主管部门代码."),
    _v("words", "mapping", "", "The profile's level_placeholders for this report's level (e.g. words.editor)."),
    _v("words.<name>", "text", "预算单位", "One of them, by name."),
)
PART = (
    _v("part_title", "text", "第一部分　概况", "The entry's outline title from the profile (empty when it has none)."),
)

TABLE = (
    _v("table", "mapping", "", "The derived table this entry prints (its first, when it prints several)."),
    _v("table.number", "number", "2", "Its number in the Shanxi 13-table set (the derivation's)."),
    _v("table.key", "text", "income", "Its name in the profile's tables (summary, income, …)."),
    _v("table.label", "text", "预算公开表2", "The number line above the title (profile tables.<name>.label)."),
    _v("table.title", "text", "2024年预算收入总表", "The title (profile tables.<name>.title)."),
    _v("table.amount_unit_label", "text", "单位：万元", "The unit line (the entry's unit_label, or by its format's unit)."),
    _v("table.empty_note", "text", "注：本表无数据", "Printed under an empty table (profile empty_table_note)."),
    _v("table.is_empty", "yes/no", "false", "True when the table has no figure: print the note."),
    _v("table.rows", "list", "", "The printed rows; 合计 first or last as the profile's total_row says."),
    _v("table.by_code", "mapping", "", "The rows by code: table.by_code['2012902'], the 三公 items by name "
       "(table.by_code.vehicles) and the 合计 row as table.by_code.total (each with the variables of a row)."),
    _v("table.by_code.<code>", "mapping", "", "One row (code, label, cells, …)."),
    _v("tables", "mapping", "", "Every table of the entry by its profile name (the same variables as table): "
       "tables.three_public.rows … for an entry with tables: [three_public, operating_costs]."),
    _v("tables.<name>", "mapping", "", "One of them."),
)
PLAIN_ROWS = (
    _v("table.rows[].code", "text", "2012902", "科目编码 (blank for 合计 and unit/project rows)."),
    _v("table.rows[].code_parts", "mapping", "", "The code split as 类 / 款 / 项 columns print it."),
    _v("table.rows[].code_parts.lei", "text", "201", "类 (the first 3 digits)."),
    _v("table.rows[].code_parts.kuan", "text", "29", "款 (digits 4–5; blank for a 类 row)."),
    _v("table.rows[].code_parts.xiang", "text", "02", "项 (digits 6–7; blank for 类 and 款 rows)."),
    _v("table.rows[].label", "text", "一般行政管理事务", "科目名称, project or unit name, or 合计."),
    _v("table.rows[].name", "text", "一般行政管理事务", "The label without an ordinal or code (the name alone)."),
    _v("table.rows[].label2", "text", "50101 工资奖金津补贴", "Second label column (table 6: 政府预算经济科目)."),
    _v("table.rows[].indent", "text", "　　", "Full-width spaces by level (table 12/13 indent units and projects)."),
    _v("table.rows[].level", "number", "3", "0 合计, 1 类 (or unit), 2 款 (or project), 3 项."),
    _v("table.rows[].is_total", "yes/no", "false", "True for 合计 rows."),
    _v("table.rows[].cells", "list", "", "The amount cells in the table's column order."),
    _v("table.rows[].cells[]", "text", "309.70", "One amount as the table's number format prints it (万元 with two "
       "decimals and blank zero in the Shanxi form; 元 with separators in the Shanghai form)."),
)
BALANCE_ROWS = (
    _v("table.rows[].left_code", "text", "", "收入 side: code (table 9's 收入科目编码)."),
    _v("table.rows[].left_label", "text", "一、一般公共预算", "收入 side: the row label."),
    _v("table.rows[].left", "list", "", "收入 side: its amount cells."),
    _v("table.rows[].left[]", "text", "887.70", "One amount as the table's number format prints it."),
    _v("table.rows[].left_level", "number", "0", "收入 side: 1 for a row like 一、财政拨款收入, 2 for one under it."),
    _v("table.rows[].right_code", "text", "", "支出 side: code (table 9's 科目编码)."),
    _v("table.rows[].right_code_parts", "mapping", "", "支出 side: the code split (see rows[].code_parts)."),
    _v("table.rows[].right_code_parts.lei", "text", "201", "类."),
    _v("table.rows[].right_code_parts.kuan", "text", "", "款."),
    _v("table.rows[].right_code_parts.xiang", "text", "", "项."),
    _v("table.rows[].right_label", "text", "一、一般公共服务支出", "支出 side: the row label."),
    _v("table.rows[].right_level", "number", "1", "支出 side: the row's level (0 for totals)."),
    _v("table.rows[].right", "list", "", "支出 side: its amount cells (合计/小计 first)."),
    _v("table.rows[].right[]", "text", "559.70", "One amount as the table's number format prints it."),
)

FUNDS = ("total", "central", "provincial", "local", "self_raised", "other")
FUNDS_LABELS = {"total": "资金总额", "central": "中央财政资金", "provincial": "省级财政资金",
                "local": "市县（区）财政资金", "self_raised": "单位自筹", "other": "其他资金 (blank when absent)"}

SHEET = (
    _v("sheet", "mapping", "", "One 项目支出绩效目标表."),
    _v("sheet.form_title", "text", "晋城市市级预算部门（单位）项目支出绩效目标表", "Form title (profile performance_sheet.title)."),
    _v("sheet.project", "text", "工人文化宫运行经费", "项目名称."),
    _v("sheet.competent_department", "text", "959-晋城市总工会", "主管部门及代码."),
    _v("sheet.implementing_unit", "text", "晋城市总工会", "实施单位."),
    _v("sheet.attribute", "text", "一次性项目（1年结束）", "项目属性 as printed."),
    _v("sheet.period", "text", "1年", "项目期."),
    _v("sheet.period_funds", "mapping", "", "实施期资金 (元)."),
    *(_v(f"sheet.period_funds.{k}", "text", "1,500,000", f"实施期 {FUNDS_LABELS[k]}, 元 with separators.") for k in FUNDS),
    _v("sheet.annual_funds", "mapping", "", "年度资金 (元)."),
    *(_v(f"sheet.annual_funds.{k}", "text", "1,500,000", f"年度 {FUNDS_LABELS[k]}, 元 with separators.") for k in FUNDS),
    _v("sheet.overview", "text", "工人文化宫是……", "项目概况."),
    _v("sheet.basis", "text", "根据……", "立项依据."),
    _v("sheet.necessity", "text", "为了……", "项目设立必要性."),
    _v("sheet.safeguards", "text", "严格执行……", "保证项目实施的制度、措施."),
    _v("sheet.plan", "text", "按照……", "项目实施计划."),
    _v("sheet.goal_period", "text", "需预算资金150万元……", "总体目标 (实施期)."),
    _v("sheet.goal_annual", "text", "保证消防……", "总体目标 (年度)."),
    _v("sheet.indicators", "list", "", "The indicator table, one row per 三级指标 (the form's empty 二级 as blank rows)."),
    _v("sheet.indicators[].level1", "text", "产出指标", "一级指标 (equal neighbours are merged, see the table's Alt Text)."),
    _v("sheet.indicators[].level2", "text", "数量指标", "二级指标."),
    _v("sheet.indicators[].name", "text", "供热面积", "三级指标."),
    _v("sheet.indicators[].value", "text", "＞30000平方米", "指标值 for the 实施期."),
    _v("sheet.indicators[].annual_value", "text", "＞30000平方米", "指标值 for the year."),
    _v("sheet.responsible", "text", "", "负责人."),
    _v("sheet.handler", "text", "", "经办人."),
    _v("sheet.phone", "text", "", "联系电话."),
    _v("sheet.filled_on", "text", "20240117172726", "填报日期 as printed."),
)

NOTES = (
    _v("sections", "list", "", "The sections of 第三部分 this entry prints (profile sections: [...])."),
    _v("sections[].number", "number", "1", "Section number."),
    _v("sections[].heading", "text", "一、单位预算收支数据变动情况及原因", "Numbered heading."),
    _v("sections[].blocks", "list", "", "Its paragraphs and subheadings, in order."),
    _v("sections[].blocks[].kind", "text", "paragraph", "paragraph or subheading (（一）…, 1、…)."),
    _v("sections[].blocks[].text", "text", "2024年度晋城市总工会预算收入总计887.70万元，……", "The sentence(s)."),
)

CONTENTS = (
    _v("contents", "list", "", "Contents entries: part titles, then their sections and tables."),
    _v("contents[].title", "text", "预算公开表1　2024年预算收支总表", "Entry text."),
    _v("contents[].level", "number", "0", "0 for a part, 1 under it."),
    _v("contents[].kind", "text", "table", "part, section or table (a table's entry starts with its number, 预算公开表1　)."),
)

OVERVIEW = (
    _v("overview", "mapping", "", "第一部分 概况."),
    _v("overview.intro", "text", "晋城市总工会是……的领导机关。", "Sentence before the duties."),
    _v("overview.duties_lead", "text", "主要职责是：", "Line introducing the duties."),
    _v("overview.duties", "list", "", "Duties, numbered."),
    _v("overview.duties[]", "text", "1.发挥党联系职工群众的……", "One duty with its number."),
    _v("overview.organisation", "list", "", "机构设置情况 paragraphs."),
    _v("overview.organisation[]", "text", "晋城市总工会成立于1987年5月……", "One paragraph."),
    _v("overview.units", "list", "", "部门 reports: the units consolidated (unit.subunits)."),
    _v("overview.units[]", "text", "某某中学", "One unit's name."),
    _v("overview.units_sentence", "text", "", "The profile's included_units sentence naming them (empty for a 单位)."),
)

EXPLANATION = (
    _v("explanation", "mapping", "", "One 项目经费情况说明 (部门 reports)."),
    _v("explanation.project", "text", "智慧校园建设", "项目名称."),
    _v("explanation.unit", "text", "某某中学", "The unit carrying it."),
    _v("explanation.overview", "text", "", "一、项目概况."),
    _v("explanation.basis", "text", "", "二、立项依据."),
    _v("explanation.implementer", "text", "", "三、实施主体."),
    _v("explanation.plan", "text", "", "四、实施方案."),
    _v("explanation.period", "text", "", "五、实施周期."),
    _v("explanation.annual_budget", "text", "", "六、年度预算安排."),
    _v("explanation.targets", "text", "", "七、绩效目标."),
    _v("sheet", "mapping or nothing", "", "The project's 绩效目标表 (the variables of a performance sheet), or nothing."),
)

APPENDIX = (
    _v("appendix", "mapping", "", "The appended catalogue and its forwarding notice."),
    _v("appendix.title", "text", "山西省部门政府购买服务指导性目录（第一批）", "Catalogue title."),
    _v("appendix.notice", "mapping or nothing", "", "The forwarding notice; nothing for a catalogue without one."),
    _v("appendix.notice.header", "text", "晋城市财政局文件", "Document header."),
    _v("appendix.notice.number", "text", "晋市财综〔2021〕58号", "Document number."),
    _v("appendix.notice.title", "text", "晋城市财政局关于转发……的通知", "Notice title."),
    _v("appendix.notice.addressees", "text", "各县（市、区）财政局，市直有关单位：", "Addressees."),
    _v("appendix.notice.paragraphs", "list", "", "Body paragraphs."),
    _v("appendix.notice.paragraphs[]", "text", "现将……转发给你们，请遵照执行。", "One paragraph."),
    _v("appendix.notice.attachment", "text", "附件：……", "Attachment line."),
    _v("appendix.notice.issuer", "text", "晋城市财政局", "Issuing body."),
    _v("appendix.notice.date", "text", "2021年11月15日", "Date as printed."),
    _v("appendix.rows", "list", "", "Catalogue rows: a department heading row, then its codes."),
    _v("appendix.rows[].department", "text", "宣传部", "Department name on heading rows; blank on code rows."),
    _v("appendix.rows[].code", "text", "A150201", "代码 (blank on heading rows)."),
    *(_v(f"appendix.rows[].level{n}", "text", "", f"{'一二三四'[n - 1]}级目录 name, in the column of the code's level.")
      for n in (1, 2, 3, 4)),
    _v("appendix.closing", "list", "", "Lines after the catalogue."),
    _v("appendix.closing[]", "text", "晋城市财政局办公室 2021年11月15日印发", "One line."),
)

GLOSSARY = (
    _v("glossary", "list", "", "第四部分 名词解释 entries."),
    _v("glossary[].number", "text", "一", "Chinese ordinal."),
    _v("glossary[].term", "text", "基本支出", "The term."),
    _v("glossary[].text", "text", "基本支出：指为保障……", "The entry as printed after its ordinal."),
)

#: The variables of each kind of entry (profile ``content``), besides ``loop`` inside Jinja loops.
BY_CONTENT: dict[str, tuple[Variable, ...]] = {
    "base": COMMON,
    "cover": COMMON + PART,
    "contents": COMMON + PART + CONTENTS,
    "overview": COMMON + PART + OVERVIEW,
    "heading": COMMON + PART,
    "table": COMMON + PART + TABLE + PLAIN_ROWS,
    "two-sided table": COMMON + PART + TABLE + BALANCE_ROWS,
    "notes": COMMON + PART + NOTES,
    "performance_sheets": COMMON + PART + SHEET,
    "project_explanations": COMMON + PART + EXPLANATION + SHEET[1:],
    "appendix": COMMON + PART + APPENDIX,
    "glossary": COMMON + PART + GLOSSARY,
}

#: Tables printed two-sided (收入 | 支出): their rows have left_… and right_… variables.
TWO_SIDED_TABLES = {"summary", "fiscal_summary", "state_capital", "financial_summary"}


def kind_of(content: str, table: str | None = None, profile=None) -> str:
    """The key of :data:`BY_CONTENT` for a profile entry (``table``: its first table's name in the profile)."""
    if content == "table":
        derivation = table
        if profile is not None and table in profile.tables:
            derivation = derivation_of(profile.tables[table], table)
        return "two-sided table" if derivation in TWO_SIDED_TABLES else "table"
    return content


def part_kind(part, profile) -> str:
    """The kind of context a profile entry is rendered with (its first table's derivation decides a table's)."""
    return kind_of(part.content, part.table_names[0] if part.table_names else None, profile)


def paths(kind: str) -> set[str]:
    return {v.path for v in BY_CONTENT[kind]}


def documented_path(path: str) -> str:
    """A context path with its profile-specific names generalised: ``tables.three_public.rows`` →
    ``tables.<name>`` (each named table has the variables of ``table``), ``words.editor`` → ``words.<name>``."""
    for prefix in ("tables.", "words."):
        if path.startswith(prefix):
            return prefix + "<name>"
    if path.startswith("table.by_code."):
        return "table.by_code.<code>"
    return path
