"""Random cell values of every type through the reader and the checker (issue 7): no
exception escapes, and every row is accounted for (SPEC 5.1.4: every data row read is used,
duplicate or rejected, with the finding that says why, and data/rows.csv lists each one)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import REGISTER_HEADER, project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline import columns as C
from pipeline.config import Settings
from pipeline.outputs import rows_records
from pipeline.period import Period
from pipeline.read import Book, Grid, read_book
from pipeline.register import Register, parse_register
from pipeline.run import analyse, data_outputs
from pipeline.submission import submission_from_book

PERIOD = Period(2026, 11)
IDS = ["SP-001", "SP-002", "SP-003"]
NAMES = {"SP-001": "城区污水管网改造工程", "SP-002": "潇水大桥", "SP-003": "泷泊镇农贸市场"}
HEADERS = [alias for aliases in C.SUBMISSION_ALIASES.values() for alias in aliases]
WORDS = ["合计", "小计", "一、续建项目", "（二）新开工项目", "注：", "填报单位：县交通运输局",
         "填报日期：2026年11月5日", "单位：元", "是", "否", "√", "×", "Y", "N", "已开工",
         "1,2O3", "１２３４", "1,234.5万元", "-5", "2026-03-15", "2026/3/15", "2026年3月15日",
         "2026年3月", "2026.3", "#N/A", "#DIV/0!", "=SUM(A1:A3)", "征地拆迁", "other", "",
         " ", "\u3000", "nan", "inf", "1e309", "0x1F", "1_000", *IDS, *NAMES.values()]

values = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(WORDS), st.sampled_from(HEADERS),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(),
    st.times(), st.timedeltas(),
)
rows = st.lists(st.lists(values, max_size=12), max_size=12)


@pytest.fixture(scope="module")
def register() -> Register:
    grid = [REGISTER_HEADER] + [project(pid, NAMES[pid]) for pid in IDS]
    return parse_register(Book(path=Path("register.xlsx"), name="../register.xlsx", size=0,
                               sha256="", mtime=0.0, kind="xlsx",
                               grids=[Grid("projects", grid)]))


def accounted(register: Register, books: list[Book]) -> list[Any]:
    """Check, reconcile and write the CSVs; assert every data row read is in rows.csv with a
    disposition, and every rejected row says why."""
    extracted = [row for book in books for row in submission_from_book(book, PERIOD).rows]
    analysis = analyse(register, books, PERIOD, Settings())
    rows = analysis.reconciled.rows
    assert sorted(r.key for r in rows) == sorted(r.key for r in extracted)
    for row in rows:
        assert row.disposition in ("used", "duplicate", "rejected"), row.key
        if row.disposition == "rejected":
            assert any(f.severity == "error" for f in row.findings), row.key
    records = rows_records(rows)
    assert len(records) == len(rows)
    written = data_outputs(analysis)["data/rows.csv"].decode()
    listed = list(csv.DictReader(io.StringIO(written, newline="")))
    assert len(listed) == len(rows)
    return rows


def _book(name: str, grids: list[Grid]) -> Book:
    return Book(path=Path(name), name=name, size=0, sha256="", mtime=0.0, kind="xlsx",
                grids=grids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=rows, header=st.lists(st.one_of(st.sampled_from(HEADERS), values), max_size=12),
       body=rows, hidden=st.booleans())
def test_any_grid_gives_findings_not_exceptions(register: Register, title: list[list[Any]],
                                                header: list[Any], body: list[list[Any]],
                                                hidden: bool) -> None:
    grid = Grid("进度表", title + [header] + body, hidden=hidden)
    accounted(register, [_book("a.xlsx", [grid]), _book("b.csv", [Grid("b", body)])])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(IDS), st.lists(values, min_size=7,
                                                               max_size=7)),
                      min_size=1, max_size=8))
def test_a_row_with_a_register_id_is_never_lost(register: Register,
                                                cells: list[tuple[str, list[Any]]]) -> None:
    """Whatever else its cells hold, a row naming a register project is read and
    reconciled: used, duplicate or rejected, never dropped."""
    header = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "是否开工",
              "实际开工时间", "形象进度", "存在问题", "问题类型"]
    body = [[pid, NAMES[pid], *[v for v in rest if v not in HEADERS]] for pid, rest in cells]
    rows = accounted(register, [_book("a.xlsx", [Grid("进度表", [header, *body])])])
    assert [r.raw.row for r in rows] == list(range(2, len(body) + 2))
    assert [r.project_id for r in rows] == [pid for pid, _ in cells]


def _writable(value: Any) -> Any:
    """What openpyxl can store: no control characters, finite floats, Excel's dates."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)) and value.year < 1900:
        return value.isoformat()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(title=rows, body=rows)
def test_real_files_of_random_cells_read_and_check(register: Register, tmp_path: Path,
                                                   title: list[list[Any]],
                                                   body: list[list[Any]]) -> None:
    """The same through real files: an .xlsx written by openpyxl and a CSV."""
    header = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "是否开工", "存在问题"]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [*title, header, *body]:
        ws.append([_writable(v) for v in row])
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.save(tmp_path / "a.xlsx")
    with open(tmp_path / "b.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row]
                                      for row in [*title, header, *body]])
    books = [read_book(tmp_path / name, name, Settings().limits) for name in ("a.xlsx", "b.csv")]
    accounted(register, books)


def test_duplicates_of_a_sheet_without_a_ytd_column(register: Register) -> None:
    """A unit sends its sheet twice (a corrected copy), and its header has no 年度累计完成投资
    column the reader recognises: the same project in two rows, ytd missing in both."""
    grid = [["项目编号", "项目名称", "截至上月底累计完成投资"], ["SP-001", NAMES["SP-001"], 900]]
    accounted(register, [_book("a.xlsx", [Grid("进度表", grid)]),
                         _book("b.xlsx", [Grid("进度表", grid)])])
