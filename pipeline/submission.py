"""Check: the data rows of one book read, as a checked ``Submission`` (SPEC 4, 5).

Checking a book is split in two so that the reader workers can do most of it, in parallel,
next to the parsing (SPEC 7 workers; a province sends thousands of books): ``check_book``
needs only the book (headers, data rows, every cell parsed, findings of bad cells), and
``submission_from_book`` adds what needs the period — a date after the period's last day is
a ``future_date`` — and builds the rows. A book a worker checked carries the result
(``Book.checked``); any other book is checked here, with the same result either way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline import columns as C
from pipeline.check import Row, check_row
from pipeline.findings import CellRef, Finding, finding
from pipeline.headers import alias_table
from pipeline.period import Period
from pipeline.read import Book, Grid
from pipeline.sheet import Layout, SheetRows, extract_rows, raw_row
from pipeline.values import nfkc

if TYPE_CHECKING:
    from pipeline.reconcile import Submission

_TABLE = alias_table(C.SUBMISSION_ALIASES)

# One data row as checked without a period: (0-based grid row, values, unusable fields,
# milestones, findings) — plain values, so that a worker can send it back (see sandbox.py);
# None for each of the last three when empty, as they mostly are: a province's rows then
# add few objects for the garbage collector to walk.
CheckedRow = tuple[int, dict[str, Any], set[str] | None,
                   list[tuple[str, dt.date | None]] | None, list[Finding] | None]


@dataclass
class Checked:
    """What checking a book gives before the period is known."""

    findings: list[Finding] = field(default_factory=list)   # sheet-level: hidden, no header
    month: int | None = None        # the period's month the book was checked for, if known
    year: int | None = None         # … and its year
    unit_line: str | None = None
    report_date: dt.date | None = None
    # (index of the grid in book.grids, a table's row layout, its data rows checked): a
    # sheet with several tables, each under a header of its own, has an entry for each
    sheets: list[tuple[int, Layout, list[CheckedRow]]] = field(default_factory=list)


def check_book(book: Book, month: int | None = None, year: int | None = None) -> Checked:
    """The data rows of one book, found and checked with no period end (so no future_date);
    ``month`` and ``year``: the period's, when known (which columns and sheets are this
    month's)."""
    return _check(book, None, month, year)[0]


def _check(book: Book, end: dt.date | None,
           month: int | None = None, year: int | None = None) -> tuple[Checked, list[Row]]:
    """The book checked for a period ending on ``end`` (or in ``month``), and its rows;
    with no period end, the rows are also kept in ``Checked.sheets``."""
    month = end.month if end is not None else month
    year = end.year if end is not None else year
    checked, out = Checked(month=month, year=year), []  # type: tuple[Checked, list[Row]]
    if not book.grids:
        return checked, out
    sheets = [extract_rows(g.rows, file=book.name, sheet=g.name, table=_TABLE,
                           required=(C.PROJECT_ID, C.NAME), month=month, year=year)
              for g in book.grids]
    with_header = [(i, g, s) for i, (g, s) in enumerate(zip(book.grids, sheets))
                   if s.header is not None]
    visible = [(i, g, s) for i, g, s in with_header if not g.hidden]
    chosen = visible or with_header
    for i, grid, sheet in with_header:
        if (i, grid, sheet) not in chosen:
            checked.findings.append(finding(
                "hidden_sheet_skipped", f"隐藏工作表“{grid.name}”未读取（只读可见的工作表）",
                f"hidden sheet “{grid.name}” was not read (only visible sheets are)",
                ref=CellRef(book.name, grid.name)))
    if month is not None and year is not None and len(chosen) > 1:
        chosen = _this_period(book, chosen, month, year, checked.findings)
    for _, grid, sheet in chosen:
        through = sheet.header.ytd_months if sheet.header is not None else 0
        if month is not None and through and through != month:
            checked.findings.append(finding(
                "ytd_header_month",
                f"工作表“{grid.name}”的累计列表头为“1-{through}月”，本期为{month}月；已按本月累计数读取，"
                f"请核对该列是否已更新为1-{month}月累计数，并改正表头",
                f"the ytd column of sheet “{grid.name}” is headed 1-{through}月 in month "
                f"{month}: read as this month's; check the figures are 1-{month}月's and "
                "correct the header", ref=CellRef(book.name, grid.name)))
    if not chosen:
        checked.findings.append(finding(
            "no_header", "没有找到表头（需要“项目编号”或“项目名称”以及“年度累计完成投资”等列）。"
            "请使用县重点办下发的模板",
            "no header row found (columns such as 项目编号/项目名称 and 年度累计完成投资 are "
            "needed); use the office's template", ref=CellRef(book.name, "")))
    for i, _, sheet in chosen:
        checked.unit_line = checked.unit_line or sheet.unit_line
        checked.report_date = checked.report_date or sheet.report_date
        rows = [check_row(raw, period_end=end) for raw in sheet.rows]
        out.extend(rows)
        if end is None:     # each table of the sheet with the layout that places its rows
            start = 0
            for layout, count in sheet.tables:
                checked.sheets.append((i, layout, [
                    (row.raw.row - 1, row.values, row.unusable or None,
                     row.milestones or None, row.findings or None)
                    for row in rows[start:start + count]]))
                start += count
    return checked, out


def _this_period(book: Book, chosen: list[tuple[int, Grid, SheetRows]], month: int,
                 year: int, findings: list[Finding]) -> list[tuple[int, Grid, SheetRows]]:
    """Of several sheets, all but the tabs of another period (named 10月, 上月, 2025年, 上年),
    with a finding, when one at least is not (a tab of the period, or of no period: one
    sheet a category, whatever its ytd header says; a header not updated gets
    ytd_header_month)."""
    other = [_other_period(grid.name, month, year) for _, grid, _ in chosen]
    if all(other):
        return chosen
    for (_, grid, _), named in zip(chosen, other):
        if named:
            findings.append(finding(
                "other_month_sheet_skipped",
                f"工作表“{grid.name}”是{named}的报表，本期（{year}年{month}月）未读取",
                f"sheet “{grid.name}” is the report of {named}: not read for {year}-{month:02d}",
                ref=CellRef(book.name, grid.name)))
    return [entry for entry, named in zip(chosen, other) if not named]


_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}
_SHEET_MONTH = re.compile(r"(?<![0-9])(0?[1-9]|1[0-2]|十[一二]?|[一二三四五六七八九])月")
_YEAR_NAMED = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_PAST_YEAR = re.compile(r"上年|去年|上一年|前年|往年")
_LAST_MONTH = re.compile(r"上个?月|上期")
_SPACES = re.compile(r"\s+")
_PERIOD_PARTS = re.compile(r"(?:19|20)[0-9]{2}年?度?|上一?年|去年|前年|往年|本年|今年|"
                           r"[0-9]{1,2}月份?|[一二三四五六七八九十]{1,3}月份?|上个?月|上期|本月|[-_—~至()（）]")
_PERIOD_WORDS = re.compile(r"重点项目|项目|建设|进度|调度|报表|数据|情况|统计|表|sheet\d*",
                           re.IGNORECASE)


def _other_period(name: str, month: int, year: int) -> str:
    """The other period a tab reports (2025年, 上年, 10月 — 上月 being the month before
    ``month``) when its name names only a period (2025年11月, 10月进度表), else ''; a name
    saying more (2025年结转续建项目, 续建项目) is a category's."""
    text = _SPACES.sub("", nfkc(name))
    if _PERIOD_WORDS.sub("", _PERIOD_PARTS.sub("", text)):
        return ""
    years = _YEAR_NAMED.findall(text)
    past = _PAST_YEAR.search(text)
    if years and int(years[-1]) != year:
        return f"{years[-1]}年"
    if past and not years:
        return past.group(0)
    months = _SHEET_MONTH.findall(text)
    named = (_CN_MONTHS.get(months[-1]) or int(months[-1]) if months
             else (month - 2) % 12 + 1 if _LAST_MONTH.search(text) else None)
    return f"{named}月" if named is not None and named != month else ""


def submission_from_book(book: Book, period: Period) -> Submission:
    """The data rows of one book, checked; file-level findings when it has none to give."""
    from pipeline.reconcile import Submission  # not in the reader workers: they need none

    checked = book.checked if isinstance(book.checked, Checked) else None
    if checked is not None and (checked.month, checked.year) != (period.month, period.year):
        checked = None
    rows = _rows(book, checked, period.end) if checked is not None else None
    if checked is None or rows is None:   # read in-process, or a worker's answer that does
        checked, rows = _check(book, period.end)      # not fit
    return Submission(file=book.name, mtime=book.mtime, rows=rows,
                      findings=list(book.findings) + checked.findings,
                      unit_line=checked.unit_line, report_date=checked.report_date)


def _rows(book: Book, checked: Checked, end: dt.date) -> list[Row] | None:
    """The rows of a checked book for a period ending on ``end``; None when ``checked`` does
    not fit the book's grids (it came from a worker, whose input may have taken it over)."""
    out: list[Row] = []
    try:
        for i, layout, entries in checked.sheets:
            grid = book.grids[i]
            for index, values, unusable, milestones, findings in entries:
                if not 0 <= index < len(grid.rows):
                    return None
                raw = raw_row(grid.rows, index, layout, file=book.name, sheet=grid.name)
                if _after(values, milestones, end):     # future_date: check it for the period
                    out.append(check_row(raw, period_end=end))
                else:       # the same as checking it for the period; copies: rows get changed
                    out.append(Row(raw=raw, values=dict(values), unusable=set(unusable or ()),
                                   milestones=list(milestones or ()),
                                   findings=list(findings or ())))
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    return out


def _after(values: dict[str, Any], milestones: list[tuple[str, dt.date | None]] | None,
           end: dt.date) -> bool:
    """Whether a date of the row is after ``end`` (then checking it for the period finds a
    future_date the period-free check could not)."""
    return any(isinstance(v, dt.date) and v > end for v in values.values()) or any(
        isinstance(d, dt.date) and d > end for _, d in milestones or ())
