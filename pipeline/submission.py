"""Check: the data rows of one book read, as a checked ``Submission`` (SPEC 4, 5)."""

from __future__ import annotations

from pipeline import columns as C
from pipeline.check import check_row
from pipeline.findings import CellRef, finding
from pipeline.headers import alias_table
from pipeline.period import Period
from pipeline.read import Book
from pipeline.reconcile import Submission
from pipeline.sheet import extract_rows


_TABLE = alias_table(C.SUBMISSION_ALIASES)


def submission_from_book(book: Book, period: Period) -> Submission:
    """The data rows of one book, checked; file-level findings when it has none to give."""
    table = _TABLE
    sub = Submission(file=book.name, mtime=book.mtime, rows=[], findings=list(book.findings))
    if not book.grids:
        return sub
    sheets = [extract_rows(g.rows, file=book.name, sheet=g.name, table=table,
                           required=(C.PROJECT_ID, C.NAME)) for g in book.grids]
    with_header = [(g, s) for g, s in zip(book.grids, sheets) if s.header is not None]
    visible = [(g, s) for g, s in with_header if not g.hidden]
    chosen = visible or with_header
    for grid, sheet in with_header:
        if (grid, sheet) not in chosen:
            sub.findings.append(finding(
                "hidden_sheet_skipped", f"隐藏工作表“{grid.name}”未读取（只读可见的工作表）",
                f"hidden sheet “{grid.name}” was not read (only visible sheets are)",
                ref=CellRef(book.name, grid.name)))
    if not chosen:
        sub.findings.append(finding(
            "no_header", "没有找到表头（需要“项目编号”或“项目名称”以及“年度累计完成投资”等列）。"
            "请使用县重点办下发的模板",
            "no header row found (columns such as 项目编号/项目名称 and 年度累计完成投资 are "
            "needed); use the office's template", ref=CellRef(book.name, "")))
    for _, sheet in chosen:
        sub.unit_line = sub.unit_line or sheet.unit_line
        sub.report_date = sub.report_date or sheet.report_date
        sub.rows.extend(check_row(raw, period_end=period.end) for raw in sheet.rows)
    return sub
