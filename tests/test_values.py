"""Cell values as people type them into unit sheets (SPEC 4): numbers, dates, yes/no."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import columns as C
from pipeline.check import problem_type_code
from pipeline.values import (
    EXCEL_EPOCH,
    amount,
    leaders_of,
    norm_id,
    parse_date,
    parse_flag,
    parse_number,
    says_none,
)

D = dt.date


# --- numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (1234, 1234.0),
    (1234.5, 1234.5),
    (0, 0.0),
    ("0", 0.0),
    ("1234", 1234.0),
    (" 88 ", 88.0),
    ("1,234.5", 1234.5),                 # thousands separator
    ("12,345,678", 12345678.0),
    ("1，234", 1234.0),                  # a Chinese comma as separator
    ("1 234", 1234.0),                   # a space as separator
    ("１２３４", 1234.0),                # full-width digits
    ("１，２３４．５", 1234.5),          # full-width separator and point
    ("560万元", 560.0),                  # trailing 万元
    ("560 万元", 560.0),
    ("560万", 560.0),
    ("１２３４万元", 1234.0),
    ("1.2亿元", 12000.0),
    (".5", 0.5),
    ("1e3", 1000.0),
])
def test_parse_number_reads_amounts_as_typed(raw: object, expected: float) -> None:
    parsed = parse_number(raw)
    assert (parsed.value, parsed.problem, parsed.yuan) == (pytest.approx(expected), None, False)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12,340元", 1.234),
    ("12340 元", 1.234),
    ("１２３４０元", 1.234),
])
def test_parse_number_divides_a_cell_in_yuan(raw: str, expected: float) -> None:
    parsed = parse_number(raw)
    assert (parsed.value, parsed.problem, parsed.yuan) == (pytest.approx(expected), None, True)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "--", "—", "/", "无", "暂无", "无数据"])
def test_parse_number_empty_and_placeholders_are_none_without_problem(raw: object) -> None:
    assert (parse_number(raw).value, parse_number(raw).problem) == (None, None)


@pytest.mark.parametrize(("raw", "hint_en"), [
    ("1,2O3", "letter O where a 0 was meant?"),
    ("12o", "letter O where a 0 was meant?"),
    ("1l5", "letter l or I where a 1 was meant?"),
    ("1.2.3", "more than one decimal point"),
    ("约500", "digits only, no words"),
    ("50%", "digits only, no words"),
    ("待定", "digits only, no words"),
    ("1e999", "a number out of range"),      # infinity once read: a batch would crash on it
    ("#DIV/0!", "a formula's error: correct the formula or type the amount"),
    ("#REF!", "a formula's error: correct the formula or type the amount"),
    ("#N/A", "a formula's error: correct the formula or type the amount"),
    ("-1e999万元", "a number out of range"),
])
def test_parse_number_bad_text_is_bad_number_with_a_zh_and_en_hint(raw: str, hint_en: str
                                                                    ) -> None:
    parsed = parse_number(raw)
    assert (parsed.value, parsed.problem) == (None, "bad_number")
    zh, en = parsed.hint
    assert en == hint_en
    assert zh and not zh.isascii()


@pytest.mark.parametrize("raw", [True, False, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1),
                                 float("nan"), float("inf")])
def test_parse_number_non_amount_cells_are_bad_number(raw: object) -> None:
    assert parse_number(raw).problem == "bad_number"


@pytest.mark.parametrize(("raw", "expected"), [
    (-5, -5.0),
    ("-5", -5.0),
    ("-1,200", -1200.0),
    ("(300)", -300.0),                   # accountants' brackets
    ("-50万元", -50.0),
])
def test_parse_number_negative_amount_keeps_the_value(raw: object, expected: float) -> None:
    parsed = parse_number(raw)
    assert (parsed.value, parsed.problem) == (expected, "negative_amount")


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (dt.datetime(2026, 3, 15), D(2026, 3, 15)),          # an Excel date cell
    (dt.datetime(2026, 3, 15, 9, 30), D(2026, 3, 15)),
    (D(2026, 3, 15), D(2026, 3, 15)),
    ((D(2026, 3, 15) - EXCEL_EPOCH).days, D(2026, 3, 15)),  # a serial left unformatted
    ("2026-03-15", D(2026, 3, 15)),
    ("2026-3-15", D(2026, 3, 15)),
    ("2026/3/15", D(2026, 3, 15)),
    ("2026/03/15", D(2026, 3, 15)),
    ("2026.3.15", D(2026, 3, 15)),
    ("2026年3月15日", D(2026, 3, 15)),
    ("2026年3月15号", D(2026, 3, 15)),
    ("2026 年 3 月 15 日", D(2026, 3, 15)),
    ("２０２６年３月１５日", D(2026, 3, 15)),
    ("20260315", D(2026, 3, 15)),
    ("2026-03-15 00:00:00", D(2026, 3, 15)),              # text of a datetime
    ("2026-03-05 09:30:00", D(2026, 3, 5)),
    ("2026/3/5 9:30", D(2026, 3, 5)),
    ("2026-03-05T09:30:00", D(2026, 3, 5)),
])
def test_parse_date_day_forms(raw: object, expected: dt.date) -> None:
    parsed = parse_date(raw)
    assert (parsed.value, parsed.problem) == (expected, None)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026年3月", D(2026, 3, 31)),
    ("2026年2月", D(2026, 2, 28)),
    ("2028年2月", D(2028, 2, 29)),
    ("2026年3月底", D(2026, 3, 31)),
    ("2026年3月份", D(2026, 3, 31)),
    ("2026.3", D(2026, 3, 31)),
    ("2026.03", D(2026, 3, 31)),
    ("2026.10", D(2026, 10, 31)),        # as text the trailing zero survives
    ("2026-04", D(2026, 4, 30)),
    ("2026/6", D(2026, 6, 30)),
    (2026.3, D(2026, 3, 31)),            # typed as a number
    (2026.11, D(2026, 11, 30)),
    (2026.12, D(2026, 12, 31)),
    (2026.1, D(2026, 1, 31)),            # a number cannot tell 2026.1 from 2026.10
])
def test_parse_date_month_only_means_the_months_last_day(raw: object, expected: dt.date
                                                         ) -> None:
    parsed = parse_date(raw)
    assert (parsed.value, parsed.problem) == (expected, None)


@pytest.mark.parametrize(("raw", "hint_en"), [
    ("2026-02-30", "no such day"),
    ("2026年13月", "month not in 1–12"),
    ("三月中旬", "write it as 2026-03-15 or 2026年3月"),
    ("待定", "write it as 2026-03-15 or 2026年3月"),
    (2026, "write it as 2026-03-15 or 2026年3月"),
    (True, "a yes/no is not a date"),
    (-3, "write it as 2026-03-15 or 2026年3月"),
    (202613, "month not in 1–12"),
    (123456789, "write it as 2026-03-15 or 2026年3月"),
    (float("nan"), "a number out of range"),
])
def test_parse_date_bad_dates(raw: object, hint_en: str) -> None:
    parsed = parse_date(raw)
    assert (parsed.value, parsed.problem, parsed.hint[1]) == (None, "bad_date", hint_en)


@pytest.mark.parametrize("raw", [None, "", "-", "/", "无"])
def test_parse_date_empty_is_none(raw: object) -> None:
    assert (parse_date(raw).value, parse_date(raw).problem) == (None, None)


# --- yes/no ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False),
    ("Y", True), ("N", False), ("y", True), ("n", False), ("Ｙ", True), ("Ｎ", False),
    ("yes", True), ("No", False),
    ("√", True), ("×", False), ("✓", True), ("✗", False),
    ("已开工", True), ("未开工", False),
    ("已竣工", True), ("未竣工", False),
    ("已履约", True), ("未履约", False),
    (" 是 ", True),
    (True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False),
])
def test_parse_flag_forms(raw: object, expected: bool) -> None:
    parsed = parse_flag(raw)
    assert (parsed.value, parsed.problem) == (expected, None)


@pytest.mark.parametrize("raw", [None, "", "-", "/"])
def test_parse_flag_empty_is_none(raw: object) -> None:
    assert (parse_flag(raw).value, parse_flag(raw).problem) == (None, None)


@pytest.mark.parametrize("raw", ["待定", "部分开工", 2])
def test_parse_flag_other_text_is_bad_flag(raw: object) -> None:
    assert (parse_flag(raw).value, parse_flag(raw).problem) == (None, "bad_flag")


@pytest.mark.parametrize(("raw", "expected"), [
    (202603, dt.date(2026, 3, 31)),         # a month typed as a number: its last day
    ("202603", dt.date(2026, 3, 31)),
    (20260315, dt.date(2026, 3, 15)),       # as a number, as text already was
    ("20260315", dt.date(2026, 3, 15)),
    (46096, dt.date(2026, 3, 15)),          # Excel's day number
    (46096.5, dt.date(2026, 3, 15)),        # … at noon
])
def test_dates_typed_as_numbers(raw: object, expected: dt.date) -> None:
    """202603 is March 2026, not Excel's day 202,603 (the year 2454)."""
    assert (parse_date(raw).value, parse_date(raw).problem) == (expected, None)


@pytest.mark.parametrize("raw", ["1,2", "12,34", "1,2345", "1,000,00", "1，5"])
def test_a_comma_that_groups_no_thousands_is_no_number(raw: str) -> None:
    """1,2 is not 12 (nor 1.2): a bad_number that says so."""
    parsed = parse_number(raw)
    assert (parsed.value, parsed.problem) == (None, "bad_number")
    assert "千分位" in parsed.hint[0]


@pytest.mark.parametrize(("raw", "expected"), [("1,100", 1100.0), ("1，100", 1100.0),
                                               ("12,345,678.5", 12345678.5)])
def test_commas_that_group_thousands(raw: str, expected: float) -> None:
    assert parse_number(raw).value == expected


def test_characters_that_show_as_nothing_are_not_there() -> None:
    """A zero-width space or byte-order mark pasted with a figure, date or id."""
    assert parse_number("1100\u200b").value == 1100.0
    assert parse_date("\ufeff2026-03-15").value == dt.date(2026, 3, 15)
    assert norm_id("SP2026\u200b-001") == "SP2026-001"
    assert parse_number("\u200b") == parse_number("")


@pytest.mark.parametrize(("column", "raw", "expected"), [
    (C.COMPLETED, "已完工", True), (C.COMPLETED, "已投产", True), (C.COMPLETED, "已建成", True),
    (C.COMPLETED, "已开工", False), (C.COMPLETED, "在建", False),
    (C.STARTED, "在建", True), (C.STARTED, "已开工建设", True), (C.STARTED, "是（已开工）", True),
    (C.STARTED, "已竣工", True), (C.STARTED, "否（未开工）", False),
    (C.PERFORMING, "正常履约", True), (C.PERFORMING, "违约", False),
])
def test_each_flag_column_has_its_own_words(column: str, raw: str, expected: bool) -> None:
    """已开工 answers 是否开工 yes and 是否竣工 no."""
    assert (parse_flag(raw, column).value, parse_flag(raw, column).problem) == (expected, None)


@pytest.mark.parametrize("raw", ["无。", "暂无问题", "没有问题", "不存在问题", "无明显问题", "无困难",
                                 "无需协调", "否", "0", "×", "正常推进", "不涉及", "无不可抗力",
                                 "不存在需协调解决的问题"])
def test_answers_saying_there_is_none(raw: str) -> None:
    assert says_none(raw)


@pytest.mark.parametrize("raw", ["征地拆迁未完成", "资金缺口500万元", "无法按期开工",
                                 "暂无资金到位", "2026年6月特大暴雨", "有"])
def test_answers_naming_something(raw: str) -> None:
    assert not says_none(raw)


@pytest.mark.parametrize(("value", "text"), [(250000.6, "250000.6"), (250001.0, "250001"),
                                             (1234567.8, "1234567.8"), (0.0, "0"),
                                             (1e6, "1000000"), (12.34567, "12.3457")])
def test_amounts_in_messages_keep_their_digits(value: float, text: str) -> None:
    assert amount(value) == text


@pytest.mark.parametrize(("raw", "code"), [
    ("征地", "land"), ("用地", "approval"), ("资金", "funding"), ("规划", "planning"),
    ("环境影响评价", "environment"), ("征地拆迁、资金筹措", "land"), ("资金筹措及征地拆迁", "funding"),
    ("用地审批", "approval"), ("协调难", "other"), ("funding", "funding"),
])
def test_a_problem_type_written_short_or_in_other_words(raw: str, code: str) -> None:
    """The type whose name or word comes first in the text."""
    assert problem_type_code(raw) == code


@pytest.mark.parametrize(("cell", "leaders"), [
    ("张三、李四", ("张三", "李四")), ("张三，李四（副县长）", ("张三", "李四")),     # the note aside
    ("张三/李四", ("张三", "李四")), ("张明华", ("张明华",)),
    ("县委常委、副县长张三", ("县委常委、副县长张三",)),     # a title and a name: one leader
    ("/etc/passwd", ("/etc/passwd",)), ("", ()), (None, ()),
])
def test_the_leaders_a_cell_names(cell: object, leaders: tuple[str, ...]) -> None:
    assert leaders_of(cell) == leaders
