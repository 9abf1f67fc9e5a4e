"""Rows checked in a reader worker are the rows checked in-process (SPEC 4, 5, 7).

The reader workers find and check each book's rows without the period (submission.py's
``check_book``); the parent adds what needs the period. Whatever the path, every row, value
and finding must be the same — future dates included, which only the period can tell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest
from factory import make_workbook

from pipeline import columns as C
from pipeline import sandbox
from pipeline.config import Limits
from pipeline.period import Period
from pipeline.read import Book, Grid, list_inputs, read_book
from pipeline.sandbox import SandboxLimits, read_files
from pipeline.submission import Checked, check_book, submission_from_book

HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资（万元）", "是否开工",
          "实际开工时间", "完成节点", "完成时间", "问题类型", "存在问题"]
ROWS: list[list[Any]] = [
    ["SP-001", "甲", 10, "1,200", "是", "2026-03-15", "可研批复", "2026年4月", "征地拆迁", "无"],
    ["SP-002", "乙", "1,2O3", "-5", "√", None, None, None, None, None],
    ["SP-003", "丙", 0, 900, "已开工", "2026-12-01", "初设批复、施工许可", "2026-12-20", None, None],
    ["SP-004", "丁", "5万元", "12,340元", "否", "2026/13/1", None, "2027.1", "其他", "缺资金"],
    ["合计", None, 15, 2100, None, None, None, None, None, None],
    ["SP-005", "戊", 1, None, "是", dt.datetime(2026, 11, 30), None, None, None, None],
]


def _grids() -> list[Grid]:
    title = [["2026年重点项目建设进度表"], ["填报单位：县交通运输局", None, "填报日期：2026年11月5日"]]
    return [Grid("说明", [["填表说明：金额以万元计"]]),
            Grid("进度表", [*title, HEADER, *ROWS]),
            Grid("旧表", [HEADER, ROWS[0]], hidden=True)]


def _book(grids: list[Grid], checked: Any = None) -> Book:
    return Book(path=Path("u.xlsx"), name="u.xlsx", size=1, sha256="", mtime=0.0,
                kind="xlsx", grids=grids, checked=checked)


def _as_from_a_worker(book: Book, month: int = 11, year: int = 2026) -> Book:
    """The book as the parent gets it from a worker: checked for the period's month, and
    through the pipe."""
    book.checked = check_book(book, month, year)
    return sandbox._safe_loads(pickle.dumps(("book", book)))[1]


def _sorted_sets(submission: Any) -> str:
    """The submission's repr with each row's unusable fields in sorted order."""
    rows = [dataclasses.replace(r, unusable=sorted(r.unusable)) for r in submission.rows]
    return repr(dataclasses.replace(submission, rows=rows))


@pytest.mark.parametrize("period", [Period(2026, 11), Period(2026, 3), Period(2027, 1)])
def test_rows_checked_in_a_worker_are_the_rows_checked_here(period: Period) -> None:
    here = submission_from_book(_book(_grids()), period)
    there = submission_from_book(_as_from_a_worker(_book(_grids()), period.month, period.year),
                                 period)
    # a set's order may differ once it has been through a pickle: compared as sets
    assert [r.unusable for r in there.rows] == [r.unusable for r in here.rows]
    assert _sorted_sets(there) == _sorted_sets(here)
    assert here.rows and here.findings       # the case has rows, and a hidden sheet skipped


def test_a_sheet_of_two_tables_comes_back_from_a_worker_as_read_here() -> None:
    """Each table's rows are sent back with the layout of its own header."""
    narrow = HEADER[:4]
    grid = Grid("进度表", [["一、续建项目"], narrow, ROWS[0][:4], ROWS[1][:4],
                           ["二、新开工项目"], HEADER, ROWS[2], ROWS[3]])
    period = Period(2026, 11)
    here = submission_from_book(_book([grid]), period)
    there = submission_from_book(_as_from_a_worker(_book([grid])), period)
    assert [r.raw.row for r in here.rows] == [3, 4, 7, 8]
    assert [len(r.raw.cells) for r in here.rows] == [4, 4, 10, 10]   # each table's columns
    assert _sorted_sets(there) == _sorted_sets(here)


def test_a_book_checked_for_another_month_is_checked_again() -> None:
    """Which columns and sheets are the period's depends on its month: a worker's answer
    for another month is not used, one for the period's is (told apart here by an answer
    changed after the check)."""
    book = _as_from_a_worker(_book(_grids()), 11, 2026)
    _, _, rows = book.checked.sheets[0]
    rows[0][1][C.YTD_DONE] = -1.0
    assert submission_from_book(book, Period(2026, 11)).rows[0].values[C.YTD_DONE] == -1.0
    assert submission_from_book(book, Period(2026, 10)).rows[0].values[C.YTD_DONE] != -1.0
    assert submission_from_book(book, Period(2025, 11)).rows[0].values[C.YTD_DONE] != -1.0


def test_a_future_date_is_found_only_when_the_period_says_so() -> None:
    book = _as_from_a_worker(_book(_grids()))
    codes = {p: [f.code for r in submission_from_book(book, p).rows for f in r.findings]
             for p in (Period(2026, 11), Period(2027, 1))}
    assert "future_date" in codes[Period(2026, 11)]
    assert "future_date" not in codes[Period(2027, 1)]


def test_rows_are_made_afresh_for_each_check() -> None:
    """Reconciling changes rows (findings, dispositions): a second check of the same book
    must not see what the first one's rows were given."""
    book = _as_from_a_worker(_book(_grids()))
    first = submission_from_book(book, Period(2026, 11))
    for row in first.rows:
        row.findings.clear()
        row.values.clear()
        row.disposition = "used"
    again = submission_from_book(book, Period(2026, 11))
    assert repr(again) == repr(submission_from_book(_book(_grids()), Period(2026, 11)))


@pytest.mark.parametrize("wrong", [
    Checked(sheets=[(7, ((), ()), [])]),                                  # no such grid
    Checked(sheets=[(1, ((), ()), [(999, {}, None, None, None)])]),       # no such row
    Checked(sheets=[(1, "layout", [(3, {}, None, None, None)])]),         # not a layout
])
def test_a_worker_answer_that_does_not_fit_its_grids_is_not_used(wrong: Checked) -> None:
    period = Period(2026, 11)
    assert repr(submission_from_book(_book(_grids(), checked=wrong), period)) == \
        repr(submission_from_book(_book(_grids()), period))


def test_books_without_sheets_or_header() -> None:
    period = Period(2026, 11)
    for grids in ([], [Grid("s", [["无关内容"], [1, 2, 3]])]):
        assert repr(submission_from_book(_as_from_a_worker(_book(grids)), period)) == \
            repr(submission_from_book(_book(grids), period))


def test_the_sandbox_gives_the_rows_the_in_process_reader_gives(tmp_path: Path) -> None:
    make_workbook(tmp_path / "a.xlsx", HEADER, ROWS)
    make_workbook(tmp_path / "b.xlsx", HEADER, ROWS[2:4])
    files = list_inputs(tmp_path)
    read = read_files(files, Limits(), month=11, year=2026, sandbox=SandboxLimits(workers=2))
    assert all(isinstance(b.checked, Checked) and (b.checked.month, b.checked.year) == (11, 2026)
               for b in read)
    for period in (Period(2026, 11), Period(2026, 3)):
        in_process = [submission_from_book(read_book(p, n, Limits()), period) for p, n in files]
        # a set's order may differ once it has been through a pickle (the worker's hash
        # seed is another): compared as sets
        assert [_sorted_sets(submission_from_book(b, period)) for b in read] == \
            [_sorted_sets(s) for s in in_process]
