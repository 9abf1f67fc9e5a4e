"""Reading real, messy unit submissions (SPEC 4): every tolerance, with each value's origin.

Every test builds its files at test time in tmp_path and reads them the way a run does
(``read_book`` then ``submission_from_book``), asserting values and file:sheet!cell.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import (
    LIST_VALIDATION_EXT,
    add_zip_entry,
    append_sheet_xml,
    make_workbook,
    set_cached_values,
    write_csv,
    write_xls,
)

from pipeline import columns as C
from pipeline.check import Row
from pipeline.config import Limits
from pipeline.findings import Finding
from pipeline.period import Period
from pipeline.read import Book, read_book
from pipeline.reconcile import Submission
from pipeline.submission import check_book, submission_from_book

PERIOD = Period(2026, 11)
TITLE = "双牌县2026年重点项目建设进度表（11月）"
#         A       B          C          D                      E
HEADER = ["序号", "项目编号", "项目名称", "本月完成投资（万元）", "年度累计完成投资（万元）",
          #  F          G              H          I
          "是否开工", "实际开工时间", "形象进度", "存在问题"]


def row(n: int, pid: str, name: str, month: Any = 100, ytd: Any = 900, started: Any = "是",
        start: Any = dt.datetime(2026, 3, 15), progress: Any = "路基施工",
        problem: Any = None) -> list[Any]:
    return [n, pid, name, month, ytd, started, start, progress, problem]


def read(path: Path, name: str | None = None) -> Book:
    return read_book(path, name or path.name, Limits())


def submission(path: Path, name: str | None = None) -> Submission:
    return submission_from_book(read(path, name), PERIOD)


def codes(findings: Sequence[Finding]) -> list[tuple[str, str]]:
    return [(f.code, str(f.ref)) for f in findings]


def all_findings(sub: Submission) -> list[tuple[str, str]]:
    return codes(sub.findings) + [c for r in sub.rows for c in codes(r.findings)]


def table(sub: Submission, *fields: str) -> list[tuple[Any, ...]]:
    """(Excel row, value of each field) for every data row."""
    return [(r.raw.row, *(r.values.get(f) for f in fields)) for r in sub.rows]


def refs(sub: Submission, field: str) -> list[str]:
    return [str(r.ref(field)) for r in sub.rows]


def only(sub: Submission) -> Row:
    assert len(sub.rows) == 1
    return sub.rows[0]


# --- title, 填报单位 / 填报日期 lines, merged header cells -------------------------------------

def test_title_rows_and_notes_above_the_header_are_skipped(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980),
         row(2, "SP2026-002", "潇水大桥", "35", "1,260.5")],
        title_rows=[[TITLE], ["注：金额单位为万元，请于每月3日前报送"], [], ["填报单位：县交通运输局"]],
        merges=["A1:I1", "A2:I2"])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.NAME, C.MONTH_DONE, C.YTD_DONE) == [
        (6, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980.0),
        (7, "SP2026-002", "潇水大桥", 35.0, 1260.5)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E6", "a.xlsx:进度表!E7"]
    assert refs(sub, C.NAME) == ["a.xlsx:进度表!C6", "a.xlsx:进度表!C7"]
    assert [(r.raw.file, r.raw.sheet) for r in sub.rows] == [("a.xlsx", "进度表")] * 2
    assert sub.unit_line == "县交通运输局"
    assert all_findings(sub) == []


@pytest.mark.parametrize("lines", [
    [["填报单位：县交通运输局"], ["填报日期：2026年12月3日"]],
    [["填报单位:", "县交通运输局"], ["填报日期:", dt.datetime(2026, 12, 3)]],
    [["填报单位（盖章）：县交通运输局", None, None, None, None, "填报日期：2026-12-03"]],
    [["填报单位（盖章）：县交通运输局      填报日期：2026/12/3"]],
    [["填报单位：", None, "县交通运输局", None, None, "填报日期：", "2026.12.3"]],
], ids=["own-lines", "value-in-next-cell", "same-row", "one-cell", "gaps"])
def test_unit_and_report_date_lines_above_the_header(tmp_path: Path, lines: list[list[Any]]
                                                     ) -> None:
    title = [[TITLE]] + lines
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥")],
                         title_rows=title, merges=["A1:I1"])
    sub = submission(path)
    assert (sub.unit_line, sub.report_date) == ("县交通运输局", dt.date(2026, 12, 3))
    header_row = len(title) + 1
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(header_row + 1, "SP2026-001", 900.0)]


@pytest.mark.parametrize("colon", ["：", ""])
def test_a_unit_label_merged_over_two_cells(tmp_path: Path, colon: str) -> None:
    """填报单位： merged over A2:B2, the unit in C2 (the merged cell's text is in B2 too, as
    read): the unit is C2's; the colon may be left out."""
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥")],
                         title_rows=[[TITLE], [f"填报单位{colon}", None, "县水利局", None,
                                              f"填报日期{colon}", None, "2026年12月3日"]],
                         merges=["A1:I1", "A2:B2", "E2:F2"])
    sub = submission(path)
    assert (sub.unit_line, sub.report_date) == ("县水利局", dt.date(2026, 12, 3))


def test_unit_and_report_date_lines_below_the_data(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥")],
        title_rows=[[TITLE]],
        after=[[], ["填报单位：县交通运输局", None, None, "填报人：李卫东", None, "联系电话：0746-7721234"],
               ["审核人：王建国      填报日期：2026年12月3日"]])
    sub = submission(path)
    assert (sub.unit_line, sub.report_date) == ("县交通运输局", dt.date(2026, 12, 3))
    assert table(sub, C.PROJECT_ID) == [(3, "SP2026-001")]
    assert all_findings(sub) == []


def test_merged_header_cells(tmp_path: Path) -> None:
    # 项目名称 and 形象进度 are each merged over two columns, as wide text columns often are
    header = ["序号", "项目编号", "项目名称", None, "本月完成投资", "年度累计完成投资", "形象进度", None]
    path = make_workbook(
        tmp_path / "a.xlsx", header,
        [[1, "SP2026-001", "潇水大桥", None, 35, 300, "桩基完成", None]],
        title_rows=[[TITLE]], merges=["A1:H1", "C2:D2", "G2:H2"])
    sub = submission(path)
    r = only(sub)
    assert (r.values[C.NAME], r.values[C.MONTH_DONE], r.values[C.YTD_DONE],
            r.values[C.PHYSICAL_PROGRESS]) == ("潇水大桥", 35.0, 300.0, "桩基完成")
    assert [str(r.ref(f)) for f in (C.NAME, C.MONTH_DONE, C.YTD_DONE, C.PHYSICAL_PROGRESS)] == [
        "a.xlsx:进度表!C3", "a.xlsx:进度表!E3", "a.xlsx:进度表!F3", "a.xlsx:进度表!G3"]


# --- two-row headers -------------------------------------------------------------------------

TOP = ["序号", "项目编号", "项目名称", "投资完成情况（万元）", None, "是否开工", "实际开工时间",
       "形象进度", "存在问题"]
BOTTOM = [None, None, None, "本月完成投资", "年度累计完成投资", None, None, None, None]
VERTICAL = ["A{r}:A{s}", "B{r}:B{s}", "C{r}:C{s}", "F{r}:F{s}", "G{r}:G{s}", "H{r}:H{s}",
            "I{r}:I{s}"]


def two_row_merges(first: int) -> list[str]:
    return [m.format(r=first, s=first + 1) for m in VERTICAL] + [f"D{first}:E{first}"]


def test_two_row_header_with_a_merged_parent(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", TOP,
        [row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980),
         row(2, "SP2026-002", "潇水大桥", 35, 300, "否", None, None, "征地未完成")],
        header2=BOTTOM, title_rows=[[TITLE], ["填报单位：县交通运输局"]],
        merges=["A1:I1"] + two_row_merges(3))
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.MONTH_DONE, C.YTD_DONE, C.STARTED, C.ACTUAL_START,
                 C.PHYSICAL_PROGRESS, C.PROBLEM) == [
        (5, "SP2026-001", 120.5, 980.0, True, dt.date(2026, 3, 15), "路基施工", None),
        (6, "SP2026-002", 35.0, 300.0, False, None, None, "征地未完成")]
    assert refs(sub, C.MONTH_DONE) == ["a.xlsx:进度表!D5", "a.xlsx:进度表!D6"]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E5", "a.xlsx:进度表!E6"]
    assert refs(sub, C.PROBLEM) == ["a.xlsx:进度表!I5", "a.xlsx:进度表!I6"]
    assert all_findings(sub) == []


def test_two_row_header_whose_merged_parent_says_yuan(tmp_path: Path) -> None:
    top = list(TOP)
    top[3] = "投资完成情况（元）"
    path = make_workbook(
        tmp_path / "a.xlsx", top, [row(1, "SP2026-001", "潇水大桥", 350000, 3000000)],
        header2=BOTTOM, title_rows=[[TITLE]], merges=["A1:I1"] + two_row_merges(2))
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(4, 35.0, 300.0)]
    assert all_findings(sub) == [("amount_in_yuan", "a.xlsx:进度表!D4"),
                                 ("amount_in_yuan", "a.xlsx:进度表!E4")]


@pytest.mark.parametrize(("parent", "children"), [
    ("完成投资（万元）", ["本月", "1-11月累计"]),
    ("投资完成情况（万元）", ["本月完成", "1-11月累计完成"])])
def test_two_row_header_whose_parent_ends_the_column_names(
        tmp_path: Path, parent: str, children: list[str]) -> None:
    """完成投资（万元） over 本月 and 1-11月累计: each column's name is its cell and then the
    parent's (本月完成投资, 1-11月累计完成投资); under 投资完成情况, 本月完成 and 1-11月累计完成
    name the columns themselves."""
    path = make_workbook(
        tmp_path / "a.xlsx", ["项目编号", "项目名称", parent, None],
        [["SP2026-001", "潇水大桥", 35, 300]], header2=["项目编号", "项目名称", *children],
        merges=["A1:A2", "B1:B2", "C1:D1"])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(3, 35.0, 300.0)]
    assert all_findings(sub) == []


def test_a_two_row_header_repeated_on_a_second_page_goes_on_with_the_same_table(
        tmp_path: Path) -> None:
    """Read alone, the repeated header's lower row names fewer columns (本月 … under merged
    cells): it is part of the header again, not a table of its own."""
    top, bottom = list(TOP), list(BOTTOM)
    top[3], bottom[3], bottom[4] = "完成投资（万元）", "本月", "1-11月累计"
    rows = [row(1, "SP2026-001", "潇水大桥", 35, 300), top, bottom,
            row(2, "SP2026-002", "城东污水处理厂", 80, 960)]
    path = make_workbook(tmp_path / "a.xlsx", top, rows, header2=bottom,
                         merges=two_row_merges(1) + two_row_merges(4))
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.MONTH_DONE, C.YTD_DONE) == [
        (3, "SP2026-001", 35.0, 300.0), (6, "SP2026-002", 80.0, 960.0)]
    assert all_findings(sub) == []


def test_two_row_header_without_vertical_merges(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", TOP, [row(1, "SP2026-001", "潇水大桥", 35, 300)],
        header2=BOTTOM, title_rows=[[TITLE]], merges=["A1:I1", "D2:E2"])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.MONTH_DONE, C.YTD_DONE, C.STARTED) == [
        (4, "SP2026-001", 35.0, 300.0, True)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E4"]


# --- header aliases, line breaks, look-alikes --------------------------------------------------

@pytest.mark.parametrize(("ytd_header", "problem_header"), [
    ("年度累计完成投资（万元）", "存在问题"),
    ("1-11月累计完成投资（万元）", "存在的问题及困难"),
    ("1—11月累计完成投资", "存在的问题及困难"),
    ("1～11月份累计完成投资(万元)", "存在问题"),
    ("今年累计", "存在的问题及困难"),
    ("年度累计\n完成投资\n（万元）", "存在\n问题"),
    (" 年度累计  完成投资 ", " 存在的问题 及困难 "),
    ("本年度累计完成投资（万元）", "存在问题"),
    ("2026年1-11月累计完成投资（万元）", "存在问题"),
    ("1-11月完成投资（万元）", "存在问题"),
])
def test_header_aliases_line_breaks_and_spaces(tmp_path: Path, ytd_header: str,
                                               problem_header: str) -> None:
    header = ["序号", "项目\n编号", "项目 名称", "本月完成\n投资（万元）", ytd_header, "是否开工",
              "实际开工\r\n时间", "工程进展", problem_header]
    path = make_workbook(tmp_path / "a.xlsx", header,
                         [row(1, "SP2026-001", "潇水大桥", 35, 300, problem="资金缺口")],
                         title_rows=[[TITLE]])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.NAME, C.MONTH_DONE, C.YTD_DONE, C.ACTUAL_START,
                 C.PHYSICAL_PROGRESS, C.PROBLEM) == [
        (3, "SP2026-001", "潇水大桥", 35.0, 300.0, dt.date(2026, 3, 15), "路基施工", "资金缺口")]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E3"]
    assert refs(sub, C.PROBLEM) == ["a.xlsx:进度表!I3"]


@pytest.mark.parametrize("lookalike", ["截至上月底累计完成投资（万元）", "开工以来累计完成投资",
                                       "上年累计完成投资", "年度累计完成投资占年度计划比例（%）"])
def test_a_lookalike_column_is_not_ytd_done(tmp_path: Path, lookalike: str) -> None:
    header = ["项目编号", "项目名称", lookalike, "本月完成投资", "年度累计完成投资"]
    path = make_workbook(tmp_path / "a.xlsx", header, [["SP2026-001", "潇水大桥", 265, 35, 300]],
                         title_rows=[[TITLE]])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(3, 35.0, 300.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E3"]


def test_a_lookalike_alone_leaves_ytd_done_missing(tmp_path: Path) -> None:
    header = ["项目编号", "项目名称", "本月完成投资", "截至上月底累计完成投资"]
    path = make_workbook(tmp_path / "a.xlsx", header, [["SP2026-001", "潇水大桥", 35, 265]])
    sub = submission(path)
    r = only(sub)
    assert C.YTD_DONE not in r.raw.cells
    assert (r.values[C.MONTH_DONE], r.values.get(C.YTD_DONE)) == (35.0, None)
    assert [f.code for f in r.findings] == ["missing_value"]
    # the message says the header lacks the column (the sheet holds a figure: not 未填写)
    assert "表头中没有年度累计完成投资列" in r.findings[0].message
    assert "1-N月累计完成投资" in r.findings[0].message


# --- rows that are not projects ----------------------------------------------------------------

def test_totals_blank_heading_and_note_rows_are_skipped(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [["合计", None, None, 235.5, 2240],                                     # 3
         ["一、续建项目"] + [None] * 8,                                           # 4 merged
         row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980),             # 5
         row(2, "SP2026-002", "潇水大桥", 35, 300),                               # 6
         [None, None, "小计", 155.5, 1280],                                      # 7
         [None] * 9,                                                             # 8
         ["（二）新开工项目", None, None, 80, 960],                                # 9
         row(3, "SP2026-003", "城东污水处理厂", 80, 960),                          # 10
         [None, None, "小计", 80, 960],                                          # 11
         [],                                                                     # 12
         ["二、前期项目"],                                                        # 13
         ["", "", "其中：政府投资项目", 50, 400],                                  # 14
         [None, None, "总计", 235.5, 2240]],                                     # 15
        title_rows=[[TITLE]],
        after=[["注：1.金额单位为万元；2.本表由各责任单位于每月3日前报送。"]],
        merges=["A1:I1", "A4:I4", "A16:I16"])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [
        (5, "SP2026-001", 980.0), (6, "SP2026-002", 300.0), (10, "SP2026-003", 960.0)]
    assert all_findings(sub) == []


def test_totals_row_in_the_name_column_with_a_sequence_number(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "潇水大桥", 35, 300), [2, None, "合 计", 35, 300]],
        title_rows=[[TITLE]])
    assert table(submission(path), C.PROJECT_ID) == [(3, "SP2026-001")]


def test_a_heading_split_over_two_cells_with_subtotals_is_skipped(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [["一", None, "续建项目", 155.5, 1280],
         row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980),
         ["二", None, "新开工项目（1个）", 80, 960],
         row(1, "SP2026-003", "城东污水处理厂", 80, 960)])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID) == [(3, "SP2026-001"), (5, "SP2026-003")]
    assert all_findings(sub) == []


def test_a_sub_numbered_project_row_is_kept_not_taken_for_a_heading(tmp_path: Path) -> None:
    # (1), (2) number the projects under a section: the rows are projects, never lost
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [["（一）交通项目"] + [None] * 8,
         row("（1）", "SP2026-001", "县城至泷泊镇公路改建工程"),
         row("(2)", None, "潇水大桥"),
         ["（二）", None, "市政项目"]])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.NAME) == [(3, "SP2026-001", "县城至泷泊镇公路改建工程"),
                                                (4, None, "潇水大桥"), (5, None, "市政项目")]


def test_a_project_with_an_id_is_kept_whatever_its_name_starts_with(tmp_path: Path) -> None:
    # no 序号 column: the id is the first cell, the name numbered as a section would be
    header = HEADER[1:]
    path = make_workbook(
        tmp_path / "a.xlsx", header,
        [row(1, "SP2026-007", "（1）县城老旧小区改造二期工程")[1:],
         row(2, "SP2026-008", "（一）县城地下综合管廊建设项目")[1:],
         row(3, "SP2026-009", "三、潇水河风光带景观提升工程")[1:]])
    assert table(submission(path), C.PROJECT_ID) == [
        (2, "SP2026-007"), (3, "SP2026-008"), (4, "SP2026-009")]


def test_a_project_numbered_in_its_name_without_an_id_is_a_row_not_a_heading(
        tmp_path: Path) -> None:
    """“（1）县城污水处理厂” numbers a project, not a section: without an id the row is read
    (and matched or reported unknown), never dropped."""
    path = make_workbook(tmp_path / "a.xlsx", HEADER,
                         [row(1, None, "（1）县城污水处理厂"), row(2, None, "2、潇水大桥")])
    assert table(submission(path), C.NAME) == [(2, "（1）县城污水处理厂"), (3, "2、潇水大桥")]


def test_more_totals_headings_notes_and_column_numbers_are_skipped(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [["甲", "乙", "丙", 1, 2, 3, 4, 5, 6],                                   # 3
         ["1、续建项目"] + [None] * 8,                                            # 4
         row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980),             # 5
         [None, None, "续建项目小计", 120.5, 980],                                # 6
         ["第二部分 新开工项目"],                                                 # 7
         row(2, "SP2026-003", "城东污水处理厂", 80, 960),                          # 8
         [None, None, "新开工项目合计（1个）", 80, 960],                           # 9
         [None, "竣工投产项目："],                                                # 10
         [None, None, "本单位合计", 200.5, 1940],                                 # 11
         ["总合计", None, None, 200.5, 1940],                                     # 12
         ["审核：王五", None, None, None, "填表：赵六"],                           # 13
         ["制表人：张三"],                                                        # 14
         ["填报单位（盖章）：县交通运输局"],                                       # 15
         ["填表说明：金额以万元计"]],                                             # 16
        title_rows=[[TITLE]], merges=["A14:I14", "A16:I16"])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(5, "SP2026-001", 980.0),
                                                    (8, "SP2026-003", 960.0)]
    assert all_findings(sub) == []


@pytest.mark.parametrize("unit", ["（元）", "元"])
def test_a_row_of_units_under_the_header_is_the_header_s(tmp_path: Path, unit: str) -> None:
    """（元） under the amount columns (the other header cells merged down, or not): the
    amounts are divided by 10,000 and the units row is no project."""
    under = [None, None, None, unit, unit, None, None, None, None]
    for merges in ([], [f"{c}2:{c}3" for c in "ABCFGHI"]):
        path = make_workbook(tmp_path / "a.xlsx", [h.replace("（万元）", "") for h in HEADER],
                             [row(1, "SP2026-001", "潇水大桥", 350000, 3000000)],
                             header2=under, title_rows=[[TITLE]], merges=merges)
        sub = submission(path)
        assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(4, 35.0, 300.0)], merges
        assert [c for c, _ in all_findings(sub)] == ["amount_in_yuan"] * 2


def test_a_units_row_of_bare_units_and_percent(tmp_path: Path) -> None:
    """万元 万元 % under 本月 | 累计 | 完成率 (no brackets): the header's, no project."""
    header = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "完成率", "形象进度"]
    path = make_workbook(tmp_path / "a.xlsx", header,
                         [["SP2026-001", "潇水大桥", 35, 300, 0.25, "路基施工"]],
                         header2=[None, None, "万元", "万元", "%", None])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(3, 35.0, 300.0)]
    assert all_findings(sub) == []


def test_of_two_1_n_month_totals_the_later_month_is_this_year_s(tmp_path: Path) -> None:
    header = ["项目编号", "项目名称", "1-10月累计完成投资", "本月完成投资", "1-11月累计完成投资"]
    path = make_workbook(tmp_path / "a.xlsx", header, [["SP2026-001", "潇水大桥", 5200, 600,
                                                        5800]])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(2, 600.0, 5800.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E2"]
    later_first = make_workbook(tmp_path / "b.xlsx", [header[0], header[1], header[4],
                                                      header[3], header[2]],
                                [["SP2026-001", "潇水大桥", 5800, 600, 5200]])
    assert table(submission(later_first), C.YTD_DONE) == [(2, 5800.0)]


@pytest.mark.parametrize("wider_first", [False, True])
def test_a_sheet_of_two_tables_each_under_its_own_header(tmp_path: Path,
                                                         wider_first: bool) -> None:
    """一、续建项目 under one header, 二、新开工项目 under another that has more columns (或
    fewer): every row is read under its own table's header, none lost."""
    narrow = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资"]
    wide = [*narrow, "是否开工", "实际开工时间"]
    first, second = (wide, narrow) if wider_first else (narrow, wide)

    def cells(pid: str, name: str, header: list[str]) -> list[Any]:
        return [pid, name, 10, 100, "是", dt.datetime(2026, 4, 20)][: len(header)]

    path = make_workbook(
        tmp_path / "a.xlsx", ["一、续建项目"],
        [first, cells("SP2026-010", "江村镇中心小学", first),                       # 2, 3
         cells("SP2026-011", "江村镇集镇供水工程", first),                           # 4
         [None, "小计", 20, 200], [],                                              # 5, 6
         ["二、新开工项目"], second,                                                 # 7, 8
         cells("SP2026-012", "江村镇茶叶加工园", second)],                           # 9
        title_rows=[[TITLE], ["填报单位：江村镇人民政府"]])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [
        (5, "SP2026-010", 100.0), (6, "SP2026-011", 100.0), (11, "SP2026-012", 100.0)]
    started = [r.values.get(C.STARTED) for r in sub.rows]
    assert started == ([True, True, None] if wider_first else [None, None, True])
    assert all_findings(sub) == []
    assert sub.unit_line == "江村镇人民政府"


@pytest.mark.parametrize("shifted_first", [False, True])
def test_a_second_table_with_its_columns_placed_otherwise(tmp_path: Path,
                                                          shifted_first: bool) -> None:
    """The second table's header puts 序号 first and the name before the id: its rows are
    read under that header (not the first table's, which would read 序号 as the id and
    本月 as the year's amount), and the header itself is no project."""
    plain = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资"]
    shifted = ["序号", "建设单位", "项目名称", "项目编号", "本月完成投资", "年度累计完成投资"]

    def cells(n: int, pid: str, name: str, header: list[str]) -> list[Any]:
        if header is plain:
            return [pid, name, 10 * n, 100 * n]
        return [n, "江村镇人民政府", name, pid, 10 * n, 100 * n]

    first, second = (shifted, plain) if shifted_first else (plain, shifted)
    path = make_workbook(
        tmp_path / "a.xlsx", ["一、续建项目"],
        [first, cells(1, "SP2026-010", "江村镇中心小学", first),                    # 2, 3
         [], ["二、新开工项目"], second,                                            # 4-6
         cells(2, "SP2026-012", "江村镇茶叶加工园", second),                        # 7
         cells(3, "SP2026-013", "江村镇集镇供水工程", second)],                      # 8
        title_rows=[[TITLE], ["填报单位：江村镇人民政府"]])
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.NAME, C.MONTH_DONE, C.YTD_DONE) == [
        (5, "SP2026-010", "江村镇中心小学", 10.0, 100.0),
        (9, "SP2026-012", "江村镇茶叶加工园", 20.0, 200.0),
        (10, "SP2026-013", "江村镇集镇供水工程", 30.0, 300.0)]
    assert all_findings(sub) == []


@pytest.mark.parametrize("parent", ["投资完成情况", "完成投资情况", "投资完成", "本年完成投资",
                                    "2026年完成投资（万元）"])
@pytest.mark.parametrize("ytd_child", ["1-11月累计", "本年累计"])
def test_a_parent_of_the_investment_done_over_this_month_and_the_total(
        tmp_path: Path, parent: str, ytd_child: str) -> None:
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", parent, None],
                         [["SP2026-001", "潇水大桥", 100, 1100]],
                         header2=[None, None, "本月", ytd_child],
                         merges=["A1:A2", "B1:B2", "C1:D1"])
    assert table(submission(path), C.MONTH_DONE, C.YTD_DONE) == [(3, 100.0, 1100.0)]


def test_a_total_alone_under_a_parent_naming_no_year_is_not_this_year_s(tmp_path: Path) -> None:
    """累计 under 完成投资 may be the total since the project began (SPEC 3: look-alike
    columns are not this year's); under 本年完成投资 it is this year's."""
    def ytd(parent: str) -> Any:
        path = make_workbook(tmp_path / f"{parent}.xlsx", ["项目编号", "项目名称", parent, None],
                             [["SP2026-001", "潇水大桥", 100, 1100]],
                             header2=[None, None, "本月", "累计"],
                             merges=["A1:A2", "B1:B2", "C1:D1"])
        return only(submission(path)).values.get(C.YTD_DONE)

    assert ytd("完成投资") is None
    assert ytd("本年完成投资") == 1100.0


@pytest.mark.parametrize("kind", ["centred", "csv"])
def test_a_parent_written_in_its_first_cell_only(tmp_path: Path, kind: str) -> None:
    """完成投资（元） centred across its two columns (not merged), or in a CSV: the parent
    and its unit are over the empty cell to its right too."""
    header = ["项目编号", "项目名称", "完成投资（元）", None, "形象进度"]
    lower = [None, None, "本月", "1-11月累计", None]
    data = ["SP2026-001", "潇水大桥", 1_000_000, 11_000_000, "路基施工"]
    if kind == "csv":
        path = tmp_path / "a.csv"
        path.write_text("\n".join(",".join("" if v is None else str(v) for v in r)
                                  for r in (header, lower, data)), encoding="utf-8")
    else:
        path = make_workbook(tmp_path / "a.xlsx", header, [data], header2=lower)
        book = openpyxl.load_workbook(path)
        book.active["C1"].alignment = openpyxl.styles.Alignment(horizontal="centerContinuous")
        book.active["D1"].alignment = openpyxl.styles.Alignment(horizontal="centerContinuous")
        book.save(path)
    assert table(submission(path), C.MONTH_DONE, C.YTD_DONE) == [(3, 100.0, 1100.0)]


@pytest.mark.parametrize(("header", "expected"), [
    ("年度累计完成投资（单位：元）", 1100.0),
    ("年度累计完成投资/元", 1100.0),
    ("1月-11月累计完成投资", 11_000_000.0),
    ("01-11月累计完成投资（元）", 1100.0),
])
def test_more_spellings_of_a_header_and_its_unit(tmp_path: Path, header: str,
                                                 expected: float) -> None:
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", header],
                         [["SP2026-001", "潇水大桥", 11_000_000]])
    assert only(submission(path)).values.get(C.YTD_DONE) == expected


def test_a_units_row_under_a_two_row_header(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", ["项目编号", "项目名称", "完成投资", None, "形象进度"],
        [[None, None, "（元）", "（元）", None],
         ["SP2026-001", "潇水大桥", 1_000_000, 11_000_000, "路基施工"]],
        header2=[None, None, "本月", "1-11月累计", None],
        merges=["A1:A2", "B1:B2", "C1:D1", "E1:E2"])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(4, 100.0, 1100.0)]
    assert {code for code, _ in all_findings(sub)} == {"amount_in_yuan"}


def test_the_unit_of_a_parent_over_a_two_row_header(tmp_path: Path) -> None:
    """投资情况（元） over 年度计划投资 | 完成投资, 完成投资 over 本月 | 1-11月累计."""
    path = make_workbook(
        tmp_path / "a.xlsx", ["项目编号", "项目名称", "投资情况（元）", None, None],
        [[None, None, None, "本月", "1-11月累计"],
         ["SP2026-001", "潇水大桥", 20_000_000, 1_000_000, 11_000_000]],
        header2=[None, None, "年度计划投资", "完成投资", None],
        merges=["A1:A3", "B1:B3", "C1:E1", "C2:C3", "D2:E2"])
    assert table(submission(path), C.MONTH_DONE, C.YTD_DONE) == [(4, 100.0, 1100.0)]


def test_of_a_column_a_month_the_period_s_month_is_this_year_s(tmp_path: Path) -> None:
    """1-1月累计 … 1-12月累计, December still empty: in November the 1-11月 column."""
    months = [f"1-{m}月累计完成投资" for m in range(1, 13)]
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", *months],
                         [["SP2026-001", "潇水大桥", *[100 * m for m in range(1, 12)], None]])
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, 1100.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!M2"]
    # … and it is the period's month that says which, in a reader worker too
    book = read(path)
    book.checked = check_book(book, 10, 2026)
    assert table(submission_from_book(book, Period(2026, 10)), C.YTD_DONE) == [(2, 1000.0)]
    assert table(submission_from_book(book, PERIOD), C.YTD_DONE) == [(2, 1100.0)]


def test_the_period_s_1_n_month_total_over_a_year_s_total_found_before_it(
        tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx",
                         ["项目编号", "项目名称", "年度累计完成投资", "1-11月累计完成投资"],
                         [["SP2026-001", "潇水大桥", 1000, 1100]])
    assert table(submission(path), C.YTD_DONE) == [(2, 1100.0)]


@pytest.mark.parametrize("last_month_first", [False, True])
@pytest.mark.parametrize("told_by", ["name", "header"])
def test_a_tab_of_last_month_next_to_this_month_s_is_left_out(
        tmp_path: Path, last_month_first: bool, told_by: str) -> None:
    """A workbook kept a tab a month: only the period's month is read, whichever comes
    first; the other tab gets an info finding, its rows are no project rows."""
    def tab(month: int) -> list[list[Any]]:
        ytd = "年度累计完成投资" if told_by == "name" else f"1-{month}月累计完成投资"
        return [["项目编号", "项目名称", ytd],
                ["SP2026-001", "潇水大桥", 100 * month], ["SP2026-002", "县城污水处理厂", 50 * month]]

    names = {11: "11月" if told_by == "name" else "进度表",
             10: "2026年10月" if told_by == "name" else "进度表（上月）"}
    order = [10, 11] if last_month_first else [11, 10]
    book = openpyxl.Workbook()
    book.remove(book.active)
    for month in order:
        sheet = book.create_sheet(names[month])
        for line in tab(month):
            sheet.append(line)
    path = tmp_path / "a.xlsx"
    book.save(path)
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, 1100.0), (3, 550.0)]
    assert {r.raw.sheet for r in sub.rows} == {names[11]}
    assert codes(sub.findings) == [("other_month_sheet_skipped", f"a.xlsx:{names[10]}")]
    assert "10月" in sub.findings[0].message


def test_sheets_of_no_month_are_all_read(tmp_path: Path) -> None:
    """One sheet a category: none names a month, every one is read."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, pid in (("续建项目", "SP2026-001"), ("新开工项目", "SP2026-002")):
        sheet = book.create_sheet(name)
        sheet.append(["项目编号", "项目名称", "1-11月累计完成投资"])
        sheet.append([pid, "潇水大桥", 1100])
    path = tmp_path / "a.xlsx"
    book.save(path)
    sub = submission(path)
    assert table(sub, C.PROJECT_ID) == [(2, "SP2026-001"), (2, "SP2026-002")]
    assert sub.findings == []


def test_a_repeated_header_row_is_skipped(tmp_path: Path) -> None:
    # a sheet pasted together from two: the header appears again between the blocks
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "潇水大桥"), HEADER, row(2, "SP2026-002", "城东污水处理厂")])
    assert table(submission(path), C.PROJECT_ID) == [(2, "SP2026-001"), (4, "SP2026-002")]


def test_a_repeated_header_in_another_form_is_skipped(tmp_path: Path) -> None:
    """A repeated header is known by its name and id cells read as headers (spaces, a
    bracketed note, full-width letters): the quick look before normalising them
    (sheet._may_be_header) must let every such form through, and no project name."""
    again = list(HEADER)
    again[1], again[2] = "项 目\n编 号", "项目（全称）名称"
    english = list(HEADER)
    english[1], english[2] = "Ｐｒｏｊｅｃｔ_ＩＤ", " NAME "
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "潇水大桥"), again, row(2, "SP2026-002", "项目名称核对工程"),
         english, row(3, "SP2026-003", "编号名称")])
    assert table(submission(path), C.PROJECT_ID) == [
        (2, "SP2026-001"), (4, "SP2026-002"), (6, "SP2026-003")]


# --- numbers as typed -------------------------------------------------------------------------

def test_numbers_stored_as_text(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "甲", "1,234.5", "12,345"),
         row(2, "SP2026-002", "乙", "１２３４", "５，６７８．５"),
         row(3, "SP2026-003", "丙", "560万元", " 1 260 万元 "),
         row(4, "SP2026-004", "丁", "0", 0)],
        title_rows=[[TITLE]])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [
        (3, 1234.5, 12345.0), (4, 1234.0, 5678.5), (5, 560.0, 1260.0), (6, 0.0, 0.0)]
    assert all_findings(sub) == []


def test_a_header_in_yuan_is_divided_by_10000(tmp_path: Path) -> None:
    header = list(HEADER)
    header[3] = "本月完成投资（元）"
    path = make_workbook(tmp_path / "a.xlsx", header,
                         [row(1, "SP2026-001", "潇水大桥", 1234567, "3,000,000"),
                          row(2, "SP2026-002", "城东污水处理厂", "350,000", 960)],
                         title_rows=[[TITLE]])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(3, pytest.approx(123.4567), 3000000.0),
                                                    (4, 35.0, 960.0)]
    assert all_findings(sub) == [("amount_in_yuan", "a.xlsx:进度表!D3"),
                                 ("amount_in_yuan", "a.xlsx:进度表!D4")]
    assert {f.severity for r in sub.rows for f in r.findings} == {"info"}


def test_a_cell_that_names_its_unit_is_not_taken_for_the_header_s(tmp_path: Path) -> None:
    header = list(HEADER)
    header[3] = "本月完成投资（元）"
    path = make_workbook(tmp_path / "a.xlsx", header,
                         [row(1, "SP2026-001", "潇水大桥", "50万元", 980),
                          row(2, "SP2026-002", "城东污水处理厂", "500000元", 960),
                          row(3, "SP2026-003", "城南污水处理厂", 500000, 960)])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE) == [(2, 50.0), (3, 50.0), (4, 50.0)]
    assert all_findings(sub) == [("amount_in_yuan", "a.xlsx:进度表!D3"),
                                 ("amount_in_yuan", "a.xlsx:进度表!D4")]


def test_a_cell_in_yuan_is_divided_by_10000(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", HEADER,
                         [row(1, "SP2026-001", "潇水大桥", "350,000元", 300)])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(2, 35.0, 300.0)]
    assert all_findings(sub) == [("amount_in_yuan", "a.xlsx:进度表!D2")]


@pytest.mark.parametrize("line", [["单位：元"], [None, None, None, None, None, None, "单位:元"],
                                  [TITLE + "    金额单位：元"]])
def test_a_unit_line_in_yuan_above_the_header(tmp_path: Path, line: list[Any]) -> None:
    header = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "形象进度"]
    path = make_workbook(tmp_path / "a.xlsx", header,
                         [["SP2026-001", "潇水大桥", 350000, "3,000,000", "桩基完成"]],
                         title_rows=[["填报单位：县交通运输局"], line])
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE) == [(4, 35.0, 300.0)]
    assert all_findings(sub) == [("amount_in_yuan", "a.xlsx:进度表!C4"),
                                 ("amount_in_yuan", "a.xlsx:进度表!D4")]
    assert sub.unit_line == "县交通运输局"


def test_a_header_in_wan_yuan_wins_over_a_unit_line_in_yuan(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥", 35, 300)],
                         title_rows=[["单位：元"]])
    assert table(submission(path), C.MONTH_DONE, C.YTD_DONE) == [(3, 35.0, 300.0)]


# --- dates and yes/no -------------------------------------------------------------------------

def test_dates_in_every_accepted_form(tmp_path: Path) -> None:
    starts = [dt.datetime(2026, 3, 15), "2026-03-15", "2026/3/15", "2026年3月15日", "2026年3月",
              "2026.3", 2026.3, "2026-03-15 00:00:00"]
    path = make_workbook(tmp_path / "a.xlsx", HEADER,
                         [row(i, f"SP2026-00{i}", f"项目{i}", start=s)
                          for i, s in enumerate(starts, start=1)],
                         title_rows=[[TITLE]], number_formats={"G3": "yyyy-mm-dd"})
    sub = submission(path)
    day, month_end = dt.date(2026, 3, 15), dt.date(2026, 3, 31)
    assert [v for _, v in table(sub, C.ACTUAL_START)] == [
        day, day, day, day, month_end, month_end, month_end, day]
    assert refs(sub, C.ACTUAL_START)[:2] == ["a.xlsx:进度表!G3", "a.xlsx:进度表!G4"]
    assert all_findings(sub) == []


@pytest.mark.parametrize(("yes", "no"), [("是", "否"), ("Y", "N"), ("√", "×"),
                                         ("已开工", "未开工"), ("y", "n")])
def test_yes_no_forms(tmp_path: Path, yes: str, no: str) -> None:
    path = make_workbook(tmp_path / "a.xlsx", HEADER,
                         [row(1, "SP2026-001", "甲", started=yes),
                          row(2, "SP2026-002", "乙", started=no, start=None)])
    sub = submission(path)
    assert table(sub, C.STARTED) == [(2, True), (3, False)]
    assert all_findings(sub) == []


# --- extra and hidden sheets, formulas ----------------------------------------------------------

INSTRUCTIONS = [["填表说明"], ["1. 项目名称：按年度计划填写全称。"],
                ["2. 年度累计完成投资：填写1月至本月累计数，单位万元。"], ["3. 是否开工：填“是”或“否”。"]]


def test_an_instructions_sheet_is_ignored(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    note = wb.active
    note.title = "填表说明"
    for line in INSTRUCTIONS:
        note.append(line)
    sheet = wb.create_sheet("进度表")
    for line in ([TITLE], HEADER, row(1, "SP2026-001", "潇水大桥", 35, 300)):
        sheet.append(line)
    wb.save(tmp_path / "a.xlsx")
    sub = submission(tmp_path / "a.xlsx")
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(3, "SP2026-001", 300.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E3"]
    assert all_findings(sub) == []


def test_a_hidden_sheet_with_a_header_is_skipped_with_a_finding(tmp_path: Path) -> None:
    old = [HEADER, row(1, "SP2026-001", "潇水大桥", 10, 100)]
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥", 35, 300)],
                         extra_sheets={"填表说明": INSTRUCTIONS, "10月": old}, hidden=["10月"])
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, 300.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!E2"]
    assert all_findings(sub) == [("hidden_sheet_skipped", "a.xlsx:10月")]


def test_a_hidden_sheet_is_read_when_it_is_the_only_one_with_a_header(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", ["填表说明"], INSTRUCTIONS[1:], sheet="说明",
                         extra_sheets={"数据": [HEADER, row(1, "SP2026-001", "潇水大桥", 35, 300)]},
                         hidden=["数据"])
    sub = submission(path)
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:数据!E2"]
    assert all_findings(sub) == []


def test_formulas_give_their_cached_values(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "甲", "=ROUND(120.54,1)", "=860+D3"),
         row(2, "SP2026-002", "乙", 35, "=265+D4", started='=IF(D4>0,"是","否")'),
         ["合计", None, None, "=SUM(D3:D4)", "=SUM(E3:E4)"]],
        title_rows=[[TITLE]])
    set_cached_values(path, {"进度表": {"D3": 120.5, "E3": 980.5, "E4": 300, "F4": "是",
                                        "D5": 155.5, "E5": 1280.5}})
    sub = submission(path)
    assert table(sub, C.MONTH_DONE, C.YTD_DONE, C.STARTED) == [
        (3, 120.5, 980.5, True), (4, 35.0, 300.0, True)]
    assert all_findings(sub) == []
    # the formulas are still in the file: the values came from the cache
    assert openpyxl.load_workbook(path)["进度表"]["E3"].value == "=860+D3"


def test_a_formula_s_cached_error_is_no_number_not_an_empty_cell(tmp_path: Path) -> None:
    """python-calamine reads #DIV/0! as empty: a sheet with error cells is read by
    openpyxl, and the error is a bad number (a figure that went wrong), not a missing one."""
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "甲", 35, "=D3/0"), row(2, "SP2026-002", "乙", 35, "=#REF!+1")],
        title_rows=[[TITLE]])
    set_cached_values(path, {"进度表": {"E3": "#DIV/0!", "E4": "#REF!"}})
    sub = submission(path)
    assert all_findings(sub) == [("bad_number", "a.xlsx:进度表!E3"),
                                 ("bad_number", "a.xlsx:进度表!E4")]
    assert "formula" in sub.rows[0].findings[0].message


def test_a_formula_without_a_cached_value_is_missing_not_its_text(tmp_path: Path) -> None:
    # openpyxl (and some export tools) write formulas that Excel never calculated
    path = make_workbook(tmp_path / "a.xlsx", HEADER,
                         [row(1, "SP2026-001", "甲", 35, "=265+D2")])
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, None)]
    assert all_findings(sub) == [("missing_value", "a.xlsx:进度表!E2")]


def test_a_dropdown_list_from_another_sheet_does_not_stop_the_read(tmp_path: Path) -> None:
    # Excel stores such lists in an extension openpyxl warns about; the values are all there
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥", 35, 300)],
                         extra_sheets={"选项": [["是"], ["否"]]}, hidden=["选项"])
    append_sheet_xml(path, "进度表",
                     LIST_VALIDATION_EXT.format(source="选项!$A$1:$A$2", cells="F2:F200"))
    sub = submission(path)
    assert table(sub, C.YTD_DONE, C.STARTED) == [(2, 300.0, True)]
    assert all_findings(sub) == []


# --- other formats ----------------------------------------------------------------------------

def test_xlsm_values_are_read_and_macros_reported(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsm", HEADER, [row(1, "SP2026-001", "潇水大桥", 35, 300)],
                         title_rows=[[TITLE]])
    add_zip_entry(path, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    book = read(path)
    assert book.kind == "xlsm"
    sub = submission_from_book(book, PERIOD)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(3, "SP2026-001", 300.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsm:进度表!E3"]
    assert all_findings(sub) == [("macros_present", "a.xlsm")]
    assert {f.severity for f in sub.findings} == {"info"}


def test_xls_biff8(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    grid = [
        [TITLE] + [None] * 8,
        ["填报单位：", "县交通运输局", None, None, None, "填报日期：2026年12月3日"],
        TOP,
        BOTTOM,
        ["一、续建项目"] + [None] * 8,
        row(1, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 980, start=dt.date(2026, 3, 15)),
        row(2, "SP2026-002", "潇水大桥", "35", "1,260.5", "否", None),
        [None, None, "合计", 155.5, 2240.5],
    ]
    merges = [(0, 0, 0, 8), (4, 4, 0, 8), (2, 2, 3, 4)] + [
        (2, 3, c, c) for c in (0, 1, 2, 5, 6, 7, 8)]
    path = write_xls(tmp_path / "a.xls", {"填表说明": INSTRUCTIONS, "进度表": grid,
                                          "旧表": [HEADER, row(1, "SP2026-001", "潇水大桥")]},
                     merges={"进度表": merges}, hidden=["旧表"])
    book = read(path)
    assert book.kind == "xls"
    sub = submission_from_book(book, PERIOD)
    assert table(sub, C.PROJECT_ID, C.MONTH_DONE, C.YTD_DONE, C.STARTED, C.ACTUAL_START) == [
        (6, "SP2026-001", 120.5, 980.0, True, dt.date(2026, 3, 15)),
        (7, "SP2026-002", 35.0, 1260.5, False, None)]
    assert refs(sub, C.ACTUAL_START) == ["a.xls:进度表!G6", "a.xls:进度表!G7"]
    assert (sub.unit_line, sub.report_date) == ("县交通运输局", dt.date(2026, 12, 3))
    assert all_findings(sub) == [("hidden_sheet_skipped", "a.xls:旧表")]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True),
                                               ("gb18030", False)])
def test_csv_in_utf8_and_gb18030(tmp_path: Path, encoding: str, bom: bool) -> None:
    lines = [[TITLE], ["填报单位：县交通运输局"], HEADER,
             row(1, "SP2026-001", "县城至泷泊镇公路改建工程", "120.5", "1,260.5", "是", "2026/3/15"),
             row(2, "SP2026-002", "潇水大桥", "３５", "300万元", "否", ""),
             ["合计", "", "", "155.5", "1560.5"]]
    path = write_csv(tmp_path / "县交通运输局.csv", lines, encoding=encoding, bom=bom)
    book = read(path)
    assert book.kind == "csv"
    sub = submission_from_book(book, PERIOD)
    assert table(sub, C.PROJECT_ID, C.NAME, C.MONTH_DONE, C.YTD_DONE, C.STARTED,
                 C.ACTUAL_START) == [
        (4, "SP2026-001", "县城至泷泊镇公路改建工程", 120.5, 1260.5, True, dt.date(2026, 3, 15)),
        (5, "SP2026-002", "潇水大桥", 35.0, 300.0, False, None)]
    assert refs(sub, C.YTD_DONE) == ["县交通运输局.csv:县交通运输局!E4",
                                     "县交通运输局.csv:县交通运输局!E5"]
    assert sub.unit_line == "县交通运输局"
    assert all_findings(sub) == []


def test_format_is_told_by_first_bytes_not_extension(tmp_path: Path) -> None:
    xlsx = make_workbook(tmp_path / "x.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥", 35, 300)])
    named_xls = tmp_path / "a.xls"
    named_xls.write_bytes(xlsx.read_bytes())
    book = read(named_xls)
    assert book.kind == "xlsx"
    assert refs(submission_from_book(book, PERIOD), C.YTD_DONE) == ["a.xls:进度表!E2"]

    named_xlsx = write_csv(tmp_path / "b.xlsx", [HEADER, row(1, "SP2026-002", "乙", "35", "300")],
                           encoding="gb18030")
    book = read(named_xlsx)
    assert book.kind == "csv"
    sub = submission_from_book(book, PERIOD)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(2, "SP2026-002", 300.0)]
    assert refs(sub, C.YTD_DONE) == ["b.xlsx:b!E2"]


def test_xls_named_xlsx_is_read_as_xls(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    path = write_xls(tmp_path / "x.xls", {"进度表": [HEADER, row(1, "SP2026-001", "甲", 35, 300)]})
    renamed = tmp_path / "a.xlsx"
    renamed.write_bytes(path.read_bytes())
    book = read(renamed)
    assert book.kind == "xls"
    assert refs(submission_from_book(book, PERIOD), C.YTD_DONE) == ["a.xlsx:进度表!E2"]


# --- files that give findings, not crashes ------------------------------------------------------

def _good_xlsx(tmp_path: Path) -> bytes:
    return make_workbook(tmp_path / "good.xlsx", HEADER,
                         [row(i, f"SP2026-{i:03d}", f"项目{i}") for i in range(1, 40)]
                         ).read_bytes()


def _damaged_sheet(tmp_path: Path) -> bytes:
    """A complete zip whose sheet part is corrupt (bad CRC), as a failing disk leaves it."""
    data = bytearray(_good_xlsx(tmp_path))
    with zipfile.ZipFile(tmp_path / "good.xlsx") as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] ^= 0x5A
    return bytes(data)


BAD_FILES = {
    "empty": ("a.xlsx", lambda tmp: b"", "unreadable_file"),
    "truncated": ("a.xlsx", lambda tmp: _good_xlsx(tmp)[: len(_good_xlsx(tmp)) // 2],
                  "unreadable_file"),
    "cut-after-header": ("a.xlsx", lambda tmp: _good_xlsx(tmp)[:40], "unreadable_file"),
    "damaged-part": ("a.xlsx", _damaged_sheet, "unreadable_file"),
    "lock-file": ("~$a.xlsx", lambda tmp: b"\x08\x00Zhang Wei" + bytes(145), "unsupported_file"),
    "html-as-xls": ("a.xls", lambda tmp: (
        "<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><body><table>"
        "<tr><td>项目名称</td><td>年度累计完成投资</td></tr></table></body></html>"
    ).encode(), "unsupported_file"),
    "html-with-bom": ("a.xls", lambda tmp: b"\xef\xbb\xbf\r\n  <!DOCTYPE html><html></html>",
                      "unsupported_file"),
    "xml-spreadsheet-2003": ("a.xls", lambda tmp: b'<?xml version="1.0"?>\r\n<Workbook/>',
                             "unsupported_file"),
    "web-archive-mht": ("a.xls", lambda tmp: (
        b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart"\r\n\r\n'),
        "unsupported_file"),
    "encrypted": ("a.xlsx", lambda tmp: (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                                         + "EncryptionInfo".encode("utf-16-le") + bytes(64)),
                  "encrypted_file"),
    "ole-not-a-workbook": ("a.et", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
                           "unsupported_file"),
    "word-docx": ("a.xlsx", lambda tmp: _docx(tmp), "unsupported_file"),
    "png": ("a.xlsx", lambda tmp: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
            "unsupported_file"),
    # a text-like PDF (no zero byte early on) is not read as a CSV
    "pdf": ("进度表.pdf", lambda tmp: b"%PDF-1.4\n1 0 obj\n<< /Title (a) >>\nendobj\n",
            "unsupported_file"),
}


def _docx(tmp_path: Path) -> bytes:
    path = tmp_path / "w.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path.read_bytes()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_give_one_file_finding(tmp_path: Path, case: str) -> None:
    name, make, code = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    book = read(path)
    assert (book.grids, codes(book.findings)) == ([], [(code, name)])
    sub = submission_from_book(book, PERIOD)
    assert (sub.rows, all_findings(sub)) == ([], [(code, name)])
    assert all(f.severity == "error" for f in book.findings)
    assert name in book.findings[0].message


def test_a_workbook_without_a_recognisable_header_is_no_header(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "a.xlsx", ["项目", "金额", "备注"],
                         [["县城至泷泊镇公路改建工程", 980, None], ["潇水大桥", 300, "进度正常"]],
                         title_rows=[[TITLE]], extra_sheets={"填表说明": INSTRUCTIONS})
    sub = submission(path)
    assert (sub.rows, all_findings(sub)) == ([], [("no_header", "a.xlsx")])


def test_a_csv_without_a_header_is_no_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["县城至泷泊镇公路改建工程", "980"], ["潇水大桥", "300"]])
    sub = submission(path)
    assert (sub.rows, all_findings(sub)) == ([], [("no_header", "a.csv")])


# --- bad cells: findings with their place ---------------------------------------------------------

def test_bad_cells_give_findings_at_their_cells(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "a.xlsx", HEADER,
        [row(1, "SP2026-001", "甲", "1,2O3", 980),                      # 3: bad_number D
         row(2, "SP2026-002", "乙", 35, -5),                            # 4: negative_amount E
         row(3, "SP2026-003", "丙", start="2026年13月"),                  # 5: bad_date G
         row(4, "SP2026-004", "丁", start=dt.datetime(2026, 12, 5)),     # 6: future_date G
         row(5, "SP2026-005", "戊", ytd=None),                           # 7: missing_value E
         row(6, "SP2026-006", "己", started="是", start=None),            # 8: started_without_date
         row(7, "SP2026-007", "庚", start="2026年12月")],                 # 9: future_date G
        title_rows=[[TITLE]])
    sub = submission(path)
    assert all_findings(sub) == [
        ("bad_number", "a.xlsx:进度表!D3"),
        ("negative_amount", "a.xlsx:进度表!E4"),
        ("bad_date", "a.xlsx:进度表!G5"),
        ("future_date", "a.xlsx:进度表!G6"),
        ("missing_value", "a.xlsx:进度表!E7"),
        ("started_without_date", "a.xlsx:进度表!G8"),
        ("future_date", "a.xlsx:进度表!G9"),
    ]
    bad = sub.rows[0].findings[0]
    assert (bad.value, bad.severity) == ("1,2O3", "error")
    assert "a.xlsx:进度表!D3" in bad.message and "letter O where a 0 was meant?" in bad.message
    assert "含字母 O" in bad.message
    assert [r.values[C.YTD_DONE] for r in sub.rows] == [980.0, None, 900.0, 900.0, None, 900.0,
                                                        900.0]
    assert sub.rows[1].unusable == {C.YTD_DONE}


def test_bad_cells_in_a_csv_point_at_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [[TITLE], HEADER,
                                          row(1, "SP2026-001", "甲", "1,2O3", "-5", "是", "")])
    sub = submission(path)
    assert all_findings(sub) == [("bad_number", "a.csv:a!D3"), ("negative_amount", "a.csv:a!E3"),
                                 ("started_without_date", "a.csv:a!G3")]


def test_a_ytd_header_of_last_month_is_read_and_said(tmp_path: Path) -> None:
    """The only ytd column is headed 1-10月 in November (a header not updated, or last
    month's figures): read as this month's, with a warning on the sheet to check it."""
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", "1-10月累计完成投资"],
                         [["SP2026-001", "潇水大桥", 1100]])
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, 1100.0)]
    assert codes(sub.findings) == [("ytd_header_month", "a.xlsx:进度表")]
    assert "1-10月" in sub.findings[0].message and "11月" in sub.findings[0].message


@pytest.mark.parametrize("old_name", ["2025年", "上年", "2025年11月"])
@pytest.mark.parametrize("this_name", ["2026年11月", "进度表"])
def test_a_tab_of_last_year_beside_this_year_s_is_left_out(tmp_path: Path, old_name: str,
                                                          this_name: str) -> None:
    """Last year's rows kept on a tab of their own (names the same, ids of last year): not
    read, with a finding; this year's tab is, wherever it is."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, pid, ytd in ((old_name, "SP2025-003", 5200), (this_name, "SP2026-005", 3900)):
        sheet = book.create_sheet(name)
        sheet.append(["项目编号", "项目名称", "年度累计完成投资"])
        sheet.append([pid, "县城污水处理厂", ytd])
    path = tmp_path / "a.xlsx"
    book.save(path)
    sub = submission(path)
    assert table(sub, C.PROJECT_ID, C.YTD_DONE) == [(2, "SP2026-005", 3900.0)]
    assert codes(sub.findings) == [("other_month_sheet_skipped", f"a.xlsx:{old_name}")]


def test_a_workbook_of_last_year_s_tab_only_is_read(tmp_path: Path) -> None:
    """A single sheet named for another year (a template kept from last year) is all there
    is: it is read."""
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", "年度累计完成投资"],
                         [["SP2026-005", "县城污水处理厂", 3900]], sheet="2025年进度表")
    assert table(submission(path), C.YTD_DONE) == [(2, 3900.0)]


@pytest.mark.parametrize("header", [["2025年累计完成投资", "本年累计完成投资"],
                                    ["2025年度累计完成投资", "2026年度累计完成投资"],
                                    ["2025年1-11月累计完成投资", "2026年1-11月累计完成投资"]])
def test_a_header_of_last_year_names_no_column(tmp_path: Path, header: list[str]) -> None:
    """A year before a header is this year's only when it is the period's: last year's
    total beside this year's is not taken for it."""
    path = make_workbook(tmp_path / "a.xlsx", ["项目编号", "项目名称", *header],
                         [["SP2026-001", "潇水大桥", 5000, 1100]])
    sub = submission(path)
    assert table(sub, C.YTD_DONE) == [(2, 1100.0)]
    assert refs(sub, C.YTD_DONE) == ["a.xlsx:进度表!D2"]


@pytest.mark.parametrize("note", ["注：请各填报单位于每月5日前将本表报送县发展和改革局",
                                  "填报单位负责人：张三", "填报单位意见"])
def test_a_line_that_only_mentions_the_label_names_no_unit(tmp_path: Path, note: str) -> None:
    path = make_workbook(tmp_path / "a.xlsx", HEADER, [row(1, "SP2026-001", "潇水大桥")],
                         title_rows=[[TITLE]], after=[[note, "同意"]])
    assert submission(path).unit_line is None


@pytest.mark.parametrize(("names", "ytds"), [
    (("续建项目", "新开工项目"), ("1-11月累计完成投资", "1-10月累计完成投资")),   # header not updated
    (("2026年新开工项目", "2025年结转续建项目"), ("年度累计完成投资", "年度累计完成投资")),
])
def test_category_tabs_are_all_read_whatever_they_say(tmp_path: Path, names: tuple[str, str],
                                                      ytds: tuple[str, str]) -> None:
    """A tab is another period's only by a name that names nothing but a period: a category
    tab whose ytd header was not updated, or whose name mentions last year's projects, is
    read (a warning says the header is another month's)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, ytd, pid in zip(names, ytds, ("SP2026-001", "SP2026-002")):
        sheet = book.create_sheet(name)
        sheet.append(["项目编号", "项目名称", ytd])
        sheet.append([pid, "潇水大桥", 1100])
    path = tmp_path / "a.xlsx"
    book.save(path)
    sub = submission(path)
    assert table(sub, C.PROJECT_ID) == [(2, "SP2026-001"), (2, "SP2026-002")]
    assert "other_month_sheet_skipped" not in [code for code, _ in codes(sub.findings)]
