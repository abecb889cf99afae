"""An auditor's arithmetic over a built report: recompute every printed share, rate and 合计 from the
printed figures, the way a checker of published reports does (half up, two places).

It reads only what a reader sees — the .docx read back with python-docx — and knows nothing of the
library's model or tables.  Each function returns the problems it found (empty: the report adds up).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from docx.table import Table
from docx.text.paragraph import Paragraph
from docx_reading import body_items, rows

AMOUNT = r"(\d[\d,]*(?:\.\d+)?)"
SHARE = re.compile(AMOUNT + r"万元，占[^，；。%\d]*?(\d+(?:\.\d+)?)%")
CHANGE = re.compile(r"比(?:上年|\d{4}年[^增减持]*?)(增加|减少)" + AMOUNT + r"万元(?:，(增长|下降)(\d+(?:\.\d+)?)%)?")
FIRST_AMOUNT = re.compile(AMOUNT + r"万元")
#: a whole a share names (占…项目支出总额的X%), and where the report prints it: section 三's 项目支出 (table 3)
NAMED_WHOLES = {"项目支出总额": re.compile(r"项目支出" + AMOUNT + r"万元")}


def number(text: str) -> Decimal:
    """A printed figure: blank is zero; thousands separators dropped."""
    text = text.strip().replace(",", "")
    if not text or text in ("-", "—"):
        return Decimal(0)
    return Decimal(text)


def is_number(text: str) -> bool:
    try:
        number(text)
    except InvalidOperation:
        return False
    return True


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (part / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- sentences


def audit_paragraph(text: str, wholes: dict[str, Decimal] | None = None) -> list[str]:
    """Each 占X% against the paragraph's first amount (its whole), or against the whole it names where the
    report prints that (``wholes``: 项目支出总额); each 比上年增加/减少D万元，增长/下降R% against the amount
    printed just before it (this year's figure): R = D / (this year − D) × 100."""
    problems = []
    first = FIRST_AMOUNT.search(text)
    for match in SHARE.finditer(text):
        part, share = number(match.group(1)), Decimal(match.group(2))
        whole = number(first.group(1)) if first else Decimal(0)
        named = [w for name, w in (wholes or {}).items() if name in match.group(0)]
        if named:
            whole = named[0]
        if match.start() == (first.start() if first else -1):  # the whole's own share (none in our forms)
            continue
        if percent_of(part, whole) != share:
            problems.append(f"{match.group(0)}: {part} / {whole} is {percent_of(part, whole)}%, printed {share}%")
    for match in CHANGE.finditer(text):
        # this year's figure: the amount just before the clause (三公 items), or the first of its sentence part
        # (一: 总计X万元，其中：本年…，上年结转…，比上年增加…)
        segment_start = max(text.rfind(sep, 0, match.start()) for sep in "；。") + 1
        before = list(FIRST_AMOUNT.finditer(text[segment_start: match.start()]))
        if not before:
            continue
        delta = number(match.group(2))
        candidates = [number(before[-1].group(1)), number(before[0].group(1))]
        lasts = [c - delta if match.group(1) == "增加" else c + delta for c in candidates]
        if match.group(4) is None:
            if "比上年" in match.group(0) and all(last != 0 for last in lasts):
                problems.append(f"{match.group(0)}: a change without a rate, but last year was {lasts[0]}")
            continue
        rate = Decimal(match.group(4))
        if all(percent_of(delta, last) != rate for last in lasts):
            problems.append(f"{match.group(0)}: {delta} / {lasts[0]} is {percent_of(delta, lasts[0])}%, printed {rate}%")
    return problems


def audit_sentences(document) -> list[str]:
    texts = [item.text for item in body_items(document) if isinstance(item, Paragraph) and item.text.strip()]
    wholes = {}
    for name, pattern in NAMED_WHOLES.items():
        found = next((m for t in texts for m in [pattern.search(t)] if m), None)
        if found:
            wholes[name] = number(found.group(1))
    problems = []
    for text in texts:
        problems += audit_paragraph(text, wholes)
    return problems


# --------------------------------------------------------------------------- tables


def _amount_columns(table_rows: list[list[str]], start: int) -> list[int]:
    """Columns whose every body cell is a figure (or blank), with at least one figure."""
    width = min(len(r) for r in table_rows[start:]) if table_rows[start:] else 0
    columns = []
    for c in range(width):
        cells = [r[c] for r in table_rows[start:]]
        if all(is_number(x) for x in cells) and any(x.strip() for x in cells) and not all(
            re.fullmatch(r"\d{3}|\d{5}|\d{7}|\d{1,2}", x.strip() or "0") for x in cells
        ):
            columns.append(c)
    return columns


def _code_of(row: list[str]) -> str | None:
    """A 功能/经济分类 code of a row: one code cell (2012902) or split 类 | 款 | 项 cells (201 | 29 | 02)."""
    for i, cell in enumerate(row[:3]):
        cell = cell.strip()
        if re.fullmatch(r"\d{3}", cell):
            tail = "".join(x.strip() for x in row[i + 1:i + 3] if re.fullmatch(r"\d{2}", x.strip()))
            return cell + tail
        if re.fullmatch(r"\d{5}|\d{7}", cell):
            return cell
        head = cell.split(" ")[0]
        if re.fullmatch(r"\d{3}|\d{5}", head) and " " in cell:  # table 6: "30101 基本工资"
            return head
    return None


def audit_code_table(table_rows: list[list[str]]) -> list[str]:
    """A table of 科目 rows: every 类 = Σ its 款, 款 = Σ its 项, 合计 = Σ 类, and (when the first figure column
    is headed 合计) each row's 合计 = Σ its other figures."""
    problems = []
    body = [i for i, r in enumerate(table_rows) if (_code_of(r) or "合计" in [c.strip() for c in r[:2]])
            and any(c.strip() and is_number(c) for c in r)]
    if not body:
        return problems
    start = body[0]
    columns = _amount_columns(table_rows, start)
    if not columns:
        return problems
    coded: dict[str, list[list[Decimal]]] = {}  # a 款 may print twice (table 6 of a 部门: once per 政府经济 款)
    total_row = None
    for r in table_rows[start:]:
        code = _code_of(r)
        values = [number(r[c]) for c in columns]
        if code:
            coded.setdefault(code, []).append(values)
        elif "合计" in [c.strip() for c in r[:2]]:
            total_row = values
    for code, printed in coded.items():
        values = printed[0]
        children = [v for c, vs in coded.items() if c.startswith(code) and len(c) == len(code) + 2 for v in vs]
        if children:
            sums = [sum(col, Decimal(0)) for col in zip(*children)]
            if sums != values:
                problems.append(f"{code}: printed {values}, its rows add up to {sums}")
    top = [v for c, vs in coded.items() if len(c) == 3 for v in vs]
    if total_row is not None and top:
        sums = [sum(col, Decimal(0)) for col in zip(*top)]
        if sums != total_row:
            problems.append(f"合计: printed {total_row}, the 类 rows add up to {sums}")
    header = " ".join(" ".join(r) for r in table_rows[:start])
    if "合计" in header and len(columns) > 1:
        for r in table_rows[start:]:
            values = [number(r[c]) for c in columns]
            if (_code_of(r) or "合计" in [c.strip() for c in r[:2]]) and values[0] != sum(values[1:], Decimal(0)) \
                    and not _personnel_split(header, values):
                problems.append(f"{r[:2]}: 合计 {values[0]} ≠ Σ {values[1:]}")
    return problems


def _personnel_split(header: str, values: list[Decimal]) -> bool:
    """合计 | 基本支出 | 人员经费 | 公用经费 | 项目支出 (the Shanghai summary): 合计 = 基本 + 项目, 基本 = 人员 + 公用."""
    return "人员经费" in header and len(values) == 5 and values[0] == values[1] + values[4] and \
        values[1] == values[2] + values[3]


def audit_table_rows(table_rows: list[list[str]]) -> list[str]:
    """The 合计 arithmetic of any table of a report, by its shape."""
    text = " ".join(" ".join(r) for r in table_rows)
    if "本年收入合计" in text or "收入总计" in text:
        return audit_balance_table(table_rows)
    split = _two_sided_split(table_rows)
    if split:  # 收入 | 支出 side by side (国有资本经营预算收支预算表): each side on its own
        return audit_table_rows([r[:split] for r in table_rows]) + audit_table_rows([r[split:] for r in table_rows])
    if "因公出国" in text and "小计" in text and "机关运行经费" in text:
        return audit_three_public_row(table_rows)
    if "因公出国" in text and "公务接待费" in text:
        return audit_three_public(table_rows)
    if any(_code_of(r) for r in table_rows):
        return audit_code_table(table_rows)
    return audit_project_table(table_rows)


def _two_sided_split(table_rows: list[list[str]]) -> int | None:
    """The first column of the 支出 side of a table whose first header row reads …收入… | …支出…."""
    if not table_rows:
        return None
    head = [c.strip() for c in table_rows[0]]
    income = next((i for i, c in enumerate(head) if c.endswith("收入")), None)
    spending = next((i for i, c in enumerate(head) if c.endswith("支出")), None)
    if income is None or spending is None or spending <= income:
        return None
    return spending


def audit_balance_table(table_rows: list[list[str]]) -> list[str]:
    """收支总表: 本年收入合计 = Σ income rows; 本年支出合计 = Σ expenditure rows, column by column;
    收入总计 = 本年收入合计 + 上年结转 (+ …); 收入总计 = 支出总计."""
    problems = []
    width = max(len(r) for r in table_rows)
    rows_ = [r + [""] * (width - len(r)) for r in table_rows]
    # the 支出 side starts at the second label column
    label_columns = [i for i in range(width) if any(not is_number(r[i]) and r[i].strip() for r in rows_[3:])]
    if len(label_columns) < 2:
        return problems
    left, right = label_columns[0], label_columns[1]
    left_values = list(range(left + 1, right))
    right_values = [c for c in range(right + 1, width) if c not in label_columns]
    def side(columns, label_index, stop_labels):
        items, totals = [], {}
        for r in rows_:
            label = r[label_index].strip()
            if totals and not label.endswith(("合计", "总计")) and not label.startswith("上年") \
                    and re.match(r"^[一二三四五六七八九十]+、", label):
                continue  # under the totals: the detail of 上年结转 (一、一般公共预算 …) is not an income row
            label = r[label_index].strip()
            if not label:
                continue
            try:
                values = [number(r[c]) for c in columns]
            except InvalidOperation:
                continue
            if label in stop_labels or label.endswith("合计") or label.endswith("总计") or label == "上年结转" or \
                    label.startswith("上年") or label == "年终结转":
                totals[label] = values
            elif re.match(r"^[一二三四五六七八九十]+、|^\d\.", label):
                items.append((label, values))
        return items, totals
    income, income_totals = side(left_values, left, ())
    spending, spending_totals = side(right_values, right, ())
    top_income = [v for label, v in income if re.match(r"^[一二三四五六七八九十]+、", label)]
    for label, values in spending:
        header = " ".join(" ".join(r) for r in rows_[:3])
        if len(values) >= 2 and "人员经费" not in header and values[0] != sum(values[1:], Decimal(0)):
            problems.append(f"{label}: 合计 {values[0]} ≠ Σ {values[1:]}")
    if "本年收入合计" in income_totals and top_income:
        sums = [sum(col, Decimal(0)) for col in zip(*top_income)]
        if sums != income_totals["本年收入合计"]:
            problems.append(f"本年收入合计 {income_totals['本年收入合计']} ≠ Σ {sums}")
    if "本年支出合计" in spending_totals and spending:
        sums = [sum(col, Decimal(0)) for col in zip(*(v for _, v in spending))]
        if sums != spending_totals["本年支出合计"]:
            problems.append(f"本年支出合计 {spending_totals['本年支出合计']} ≠ Σ {sums}")
    if "收入总计" in income_totals and "支出总计" in spending_totals:
        if income_totals["收入总计"][0] != spending_totals["支出总计"][0]:
            problems.append(f"收入总计 {income_totals['收入总计']} ≠ 支出总计 {spending_totals['支出总计']}")
        if "本年收入合计" in income_totals:
            carried = [v[0] for label, v in income_totals.items() if label in ("上年结转", "上年财政拨款结转")]
            if income_totals["收入总计"][0] != income_totals["本年收入合计"][0] + sum(carried, Decimal(0)):
                problems.append("收入总计 ≠ 本年收入合计 + 上年结转")
        elif top_income and income_totals["收入总计"][0] != sum((v[0] for v in top_income), Decimal(0)):
            problems.append(f"收入总计 {income_totals['收入总计'][0]} ≠ Σ income rows")
    return problems


def audit_three_public(table_rows: list[list[str]]) -> list[str]:
    """三公: 公务用车购置及运行费 = 购置 + 运行; 合计 = 出国 + 接待 + 公务用车; each row's 合计 = Σ its sources."""
    problems = []
    values: dict[str, list[Decimal]] = {}
    for r in table_rows:
        figures = [x for x in r if x.strip() and is_number(x)]
        label = next((x.strip() for x in r if x.strip() and not is_number(x)), "")
        if figures or label in ("合计", "因公出国（境）费"):
            try:
                values[label] = [number(x) for x in r if is_number(x)]
            except InvalidOperation:
                continue
    get = {k: v for k, v in values.items()}
    vehicles = next((v for k, v in get.items() if k.startswith("公务用车购置及运行")), None)
    purchase = next((v for k, v in get.items() if "购置费" in k and not k.startswith("公务用车购置及")), None)
    operation = next((v for k, v in get.items() if "运行" in k and ("维护" in k or k.endswith("运行费"))
                      and not k.startswith("公务用车购置及")), None)
    if vehicles and purchase and operation and len(vehicles) == len(purchase) == len(operation) \
            and [a + b for a, b in zip(purchase, operation)] != vehicles:
        problems.append(f"公务用车购置及运行费 {vehicles} ≠ 购置 {purchase} + 运行 {operation}")
    items = [v for k, v in get.items() if k.startswith(("因公出国", "公务接待"))] + ([vehicles] if vehicles else [])
    total = get.get("合计")
    if total and len(items) == 3 and all(len(v) == len(total) for v in items) \
            and [sum(col, Decimal(0)) for col in zip(*items)] != total:
        problems.append(f"合计 {total} ≠ 出国 + 接待 + 公务用车")
    header = " ".join(" ".join(r) for r in table_rows[:2])
    if "合计" in header:
        for label, v in get.items():
            if len(v) > 2 and v[0] != sum(v[1:], Decimal(0)):
                problems.append(f"{label}: 合计 {v[0]} ≠ Σ {v[1:]}")
    return problems


def audit_three_public_row(table_rows: list[list[str]]) -> list[str]:
    """三公 and 机关运行经费 in one row (the Shanghai form): 三公合计 = 出国 + 接待 + 公务用车小计, 小计 = 购置 + 运行."""
    problems = []
    for r in table_rows:
        if r and all(is_number(x) for x in r) and any(x.strip() for x in r) and len(r) >= 6:
            total, outbound, reception, vehicles, purchase, operation = (number(x) for x in r[:6])
            if total != outbound + reception + vehicles:
                problems.append(f"“三公”经费合计 {total} ≠ {outbound} + {reception} + {vehicles}")
            if vehicles != purchase + operation:
                problems.append(f"公务用车购置及运行费 {vehicles} ≠ {purchase} + {operation}")
    return problems


def audit_project_table(table_rows: list[list[str]]) -> list[str]:
    """项目支出表 (12, 13): each row's 合计 = Σ its sources; a unit's row = Σ its projects (indented under it)."""
    problems = []
    body = [r for r in table_rows if r and r[0].strip() and not r[0].strip().isdigit()
            and len(r) > 2 and all(is_number(x) for x in r[1:])]
    for r in body:
        values = [number(x) for x in r[1:]]
        if values and values[0] != sum(values[1:], Decimal(0)):
            problems.append(f"{r[0].strip()}: 合计 {values[0]} ≠ Σ {values[1:]}")
    return problems


def audit_sheet_funds(table_rows: list[list[str]]) -> list[str]:
    """A 项目支出绩效目标表's 项目资金: 实施期 and 年度 资金总额 = Σ 中央、省级、市县（区）财政资金、单位自筹、其他资金.

    The Shanxi sheet's rows: label, label, 实施期 label, its amount, 年度 label (two cells), its amount (two).
    """
    funds = [r for r in table_rows if r and r[0].startswith("项目资金") and len(r) >= 7]
    if len(funds) < 2 or "资金总额" not in funds[0][2]:
        return []
    problems = []
    for name, column in (("实施期", 3), ("年度", 6)):
        if not all(is_number(r[column]) for r in funds):
            problems.append(f"sheet {table_rows[0][2:3]}: {name} 项目资金 not all figures: {[r[column] for r in funds]}")
            continue
        total, *parts = (number(r[column]) for r in funds)
        if total != sum(parts, Decimal(0)):
            problems.append(f"sheet {table_rows[0][2:3]}: {name}资金总额 {total} ≠ Σ {parts}")
    return problems


def audit_tables(document) -> list[str]:
    problems = []
    for item in body_items(document):
        if isinstance(item, Table):
            table_rows = rows(item)
            if any("绩效指标" in c or "一级指标" in c for r in table_rows for c in r):
                problems += audit_sheet_funds(table_rows)  # a sheet's only arithmetic: its funds
                continue
            if any("指导性目录" in c or "一级目录" in c for r in table_rows for c in r):
                continue  # the catalogue holds no arithmetic
            problems += audit_table_rows(table_rows)
    return problems


def audit(document) -> list[str]:
    """Every problem an auditor recomputing the report from its printed figures would raise."""
    return audit_sentences(document) + audit_tables(document)
