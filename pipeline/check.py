"""[pure] Parse a data row's cells into typed values, with a finding for every bad cell (SPEC 5.2).

A bad cell never stops anything: its value becomes ``None``, its field is marked unusable,
and a finding names the cell and the fix.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline import columns as C
from pipeline.findings import CellRef, Finding, finding
from pipeline.sheet import Cell, RawRow
from pipeline.values import (
    clean_text,
    display,
    is_empty,
    nfkc,
    parse_date,
    parse_flag,
    parse_number,
    says_none,
)

TEXT_FIELDS = (C.PHYSICAL_PROGRESS, C.PROBLEM, C.COORDINATION, C.FORCE_MAJEURE)
# text columns where an answer saying there is none (暂无问题, 无需协调, 不涉及, 否) is no
# problem, no request and no claim: empty
NONE_SAID_FIELDS = frozenset({C.PROBLEM, C.COORDINATION, C.FORCE_MAJEURE})
FIELD_ZH = {
    C.PROJECT_ID: "项目编号", C.NAME: "项目名称", C.MONTH_DONE: "本月完成投资",
    C.YTD_DONE: "年度累计完成投资", C.STARTED: "是否开工", C.ACTUAL_START: "实际开工时间",
    C.COMPLETED: "是否竣工", C.FUNDS_IN_PLACE: "到位资金", C.PERFORMING: "是否履约",
    C.MILESTONE_DONE: "完成时间", C.TOTAL_INVESTMENT: "总投资", C.ANNUAL_PLAN: "年度计划投资",
    C.CATEGORY: "项目类别", C.UNIT: "责任单位", C.LEADER: "联系领导",
    C.PLANNED_START: "计划开工时间", C.PLANNED_COMPLETION: "计划竣工时间",
    C.CONTRACT_AMOUNT: "合同引资额", C.ATTRACTION: "是否招商引资项目",
    C.MILESTONE_PLANNED: "计划完成时间", C.MILESTONE: "节点名称",
    **{plan: f"{m}月计划累计" for m, plan in enumerate(C.PLAN_MONTHS, start=1)},
}


@dataclass
class Row:
    """One data row of a submission: where it came from, its typed values, its findings."""

    raw: RawRow
    values: dict[str, Any]
    unusable: set[str] = field(default_factory=set)
    milestones: list[tuple[str, dt.date | None]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    project_id: str | None = None      # the register's id once matched
    disposition: str = ""               # used | duplicate | rejected

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.raw.file, self.raw.sheet, self.raw.row)

    def ref(self, name: str) -> CellRef:
        cell = self.raw.cells.get(name)
        return CellRef(self.raw.file, self.raw.sheet, self.raw.row,
                       cell.column if cell else None)


def field_zh(name: str) -> str:
    return FIELD_ZH.get(name, name)


# an amount column is parsed as an amount, else a date column as a date, else a flag
_PARSERS = {**{n: functools.partial(parse_flag, column=n) for n in C.FLAG_COLUMNS},
            **{n: parse_date for n in C.DATE_COLUMNS},
            **{n: parse_number for n in C.AMOUNT_COLUMNS}}


def parse_cell(name: str, cell: Cell, ref: CellRef, *, period_end: dt.date | None
               ) -> tuple[Any, list[Finding], bool]:
    """(value, findings, usable) for one cell of a typed column."""
    return _parse_cell(name, cell, ref, None, period_end)


def parse_row_cell(name: str, cell: Cell, place: tuple[str, str, int], *,
                   period_end: dt.date | None) -> tuple[Any, list[Finding], bool]:
    """parse_cell for a cell of a row at ``place`` (file, sheet, row number)."""
    return _parse_cell(name, cell, None, place, period_end)


def _parse_cell(name: str, cell: Cell, ref: CellRef | None, place: tuple[str, str, int] | None,
                period_end: dt.date | None) -> tuple[Any, list[Finding], bool]:
    """parse_cell, with the cell's reference made only when a finding needs it (from
    ``place``, the row's file, sheet and row): most cells are fine, and a province has
    hundreds of thousands."""
    parser = _PARSERS.get(name)
    if parser is None:
        text = _text(cell.value)
        if text is not None and name in NONE_SAID_FIELDS and says_none(text):
            return None, [], True
        return text, [], True
    parsed = parser(cell.value)
    value = parsed.value
    if parsed.problem is None and not parsed.yuan and (
            value is None
            or (parser is parse_number and (cell.unit not in ("元", "亿元") or parsed.stated))
            or (parser is parse_date and (period_end is None or not value > period_end))
            or name in C.FLAG_COLUMNS):
        return value, [], True          # nothing to say about it
    if ref is None:
        assert place is not None
        ref = CellRef(*place, cell.column)
    raw = display(cell.value)
    zh_name = field_zh(name)
    found: list[Finding] = []
    if name in C.AMOUNT_COLUMNS and value is not None and not parsed.stated:
        value, note = _scale(value, cell.unit, ref, zh_name)      # the header's unit
        found.extend(note)
    if parsed.yuan:
        found.append(finding("amount_in_yuan",
                             f"{zh_name}“{raw}”以元填写，已换算为万元",
                             f"“{raw}” is in 元 (yuan): converted to 万元", ref=ref, value=raw))
    if parsed.problem == "bad_number":
        found.append(finding("bad_number", f"{zh_name}“{raw}”不是数字（{parsed.hint[0]}）。请填写以万元计的金额",
                             f"“{raw}” is not a number ({parsed.hint[1]}). Enter the amount in 万元",
                             ref=ref, value=raw))
        return None, found, False
    if parsed.problem == "negative_amount":
        found.append(finding("negative_amount", f"{zh_name}为负数“{raw}”。请填写不小于 0 的金额",
                             f"“{raw}” is negative. Amounts must be 0 or more", ref=ref, value=raw))
        return None, found, False
    if parsed.problem == "bad_date":
        found.append(finding("bad_date", f"{zh_name}“{raw}”不是日期（{parsed.hint[0]}）",
                             f"“{raw}” is not a date ({parsed.hint[1]})", ref=ref, value=raw))
        return None, found, False
    if parsed.problem == "bad_flag":
        found.append(finding("bad_flag", f"{zh_name}“{raw}”不是“是/否”。请填 是 或 否",
                             f"“{raw}” is not a yes/no. Enter 是 (yes) or 否 (no)",
                             ref=ref, value=raw))
        return None, found, False
    if isinstance(value, dt.date) and period_end is not None and value > period_end:
        found.append(finding("future_date",
                             f"{zh_name}{value.isoformat()}晚于本期末{period_end.isoformat()}。"
                             "请填写已发生的日期",
                             f"{value.isoformat()} is after the period's last day "
                             f"{period_end.isoformat()}. Enter a date that has passed",
                             ref=ref, value=raw))
        return None, found, False
    return value, found, True


def _scale(value: float, unit: str | None, ref: CellRef, zh_name: str
           ) -> tuple[float, list[Finding]]:
    if unit == "元":
        return value / 10_000, [finding(
            "amount_in_yuan", f"{zh_name}表头单位为元，已换算为万元",
            "the header says 元 (yuan): converted to 万元", ref=ref, value=value)]
    if unit == "亿元":
        return value * 10_000, [finding(
            "amount_in_yi", f"{zh_name}表头单位为亿元，已换算为万元",
            "the header says 亿元: converted to 万元", ref=ref, value=value)]
    return value, []


def _text(value: Any) -> str | None:
    if is_empty(value):
        return None
    text = nfkc(clean_text(value)).strip() if not isinstance(value, str) else value.strip()
    return text or None


def problem_type_code(text: str | None) -> str | None:
    """问题类型 as a code: a type's name or code, else the type whose name or word
    (``PROBLEM_TYPE_WORDS``: 征地, 资金, 环境影响评价) comes first in the text; free text
    that names no known type is 'other'."""
    if not text:
        return None
    key = nfkc(text).strip()
    if key in C.PROBLEM_TYPES:
        return C.PROBLEM_TYPES[key]
    if key.lower() in C.PROBLEM_TYPE_ZH:
        return key.lower()
    places = [(key.find(word), code) for code, words in _TYPE_WORDS for word in words
              if word in key]
    return min(places)[1] if places else "other"


_TYPE_WORDS = tuple((code, (C.PROBLEM_TYPE_ZH[code], *words))
                    for code, words in C.PROBLEM_TYPE_WORDS.items())


def check_row(raw: RawRow, *, period_end: dt.date | None) -> Row:
    """Parse every cell of a submission row; findings for bad cells and missing ytd_done.

    With no ``period_end``, no date is judged to be in the future (a reader worker checks
    rows so, before the period is known: see submission.py)."""
    row = Row(raw=raw, values={})
    place = (raw.file, raw.sheet, raw.row)
    values, findings = row.values, row.findings
    for name, cell in raw.cells.items():
        value, found, usable = _parse_cell(name, cell, None, place, period_end)
        values[name] = value
        if found:
            findings.extend(found)
        if not usable:
            row.unusable.add(name)
    for key in (C.PROJECT_ID, C.NAME):
        if key in row.values and row.values[key] is not None:
            row.values[key] = clean_text(raw.cells[key].value)
    row.values[C.PROBLEM_TYPE] = problem_type_code(row.values.get(C.PROBLEM_TYPE))
    if row.values.get(C.YTD_DONE) is None and C.YTD_DONE not in row.unusable:
        ref = row.ref(C.YTD_DONE)
        if C.YTD_DONE in raw.cells:
            row.findings.append(finding(
                "missing_value", "年度累计完成投资未填写。请填写1月至本月累计完成投资（万元），没有则填 0",
                "ytd_done (年度累计完成投资) is empty. Enter the investment done since 1 January "
                "in 万元, 0 if none", ref=ref))
        else:       # the row's cell is in no column the header names
            row.findings.append(finding(
                "missing_value", "表头中没有年度累计完成投资列，本行的累计数无法读取。请按模板把该列表头"
                "写作“年度累计完成投资”或“1-N月累计完成投资”（N 为本月）",
                "the header has no ytd_done column, so the row's year-to-date figure cannot be "
                "read. Head that column 年度累计完成投资 or 1-N月累计完成投资 (N: this month), as "
                "in the template", ref=ref))
        row.unusable.add(C.YTD_DONE)
    if row.values.get(C.STARTED) is True and row.values.get(C.ACTUAL_START) is None \
            and C.ACTUAL_START not in row.unusable:
        row.findings.append(finding(
            "started_without_date", "填了已开工，但没有实际开工时间。请补填实际开工时间",
            "marked as started but 实际开工时间 (actual start) is empty. Enter the date",
            ref=row.ref(C.ACTUAL_START)))
    row.milestones = _milestones(raw, row, period_end)
    return row


def _milestones(raw: RawRow, row: Row, period_end: dt.date | None
                ) -> list[tuple[str, dt.date | None]]:
    pairs = []
    for m_cell, d_cell in raw.milestones:
        names = _text(m_cell.value) if m_cell is not None else None
        if not names:
            continue
        done: dt.date | None = None
        if d_cell is not None:
            value, found, _ = _parse_cell(C.MILESTONE_DONE, d_cell, None,
                                          (raw.file, raw.sheet, raw.row), period_end)
            row.findings.extend(f for f in found if f not in row.findings)
            done = value
            if value is None and any(f.code == "future_date" for f in found):
                # SPEC 5.3: done once a row names it with a 完成时间 no later than the
                # period's last day, this period's or an earlier one's: a date after this
                # period (future_date) is kept, for the history, and counts from its month
                done = parse_date(d_cell.value).value
        for name in _split_names(names):
            pairs.append((name, done))
    return pairs


def _split_names(text: str) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[、,，;；/\n]", text)) if part]
