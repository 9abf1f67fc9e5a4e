"""Parse raw cell values the way people type them into unit sheets (SPEC 4). Pure.

Every parser returns a ``Parsed``: the value, or a problem code with a hint. Empty cells
(and placeholders such as “-”, “/”, “无数据”) parse to ``None`` with no problem.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline.columns import EMPTY_WORDS, FLAG_WORDS, NO_WORDS, YES_WORDS


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Any = None
    problem: str | None = None   # a finding code: bad_number, negative_amount, bad_date, bad_flag
    hint: tuple[str, str] = ("", "")  # what looked wrong, for the message (zh, en)
    yuan: bool = False           # the cell itself said 元 (not 万元): already divided
    stated: bool = False         # the cell named its unit (万元, 元, 亿元): not the header's


def nfkc(text: str) -> str:
    """Full-width to half-width and compatibility forms folded (“１２３” -> “123”)."""
    if text.isascii():          # ASCII is its own normal form: skip the call
        return text
    return unicodedata.normalize("NFKC", text)


# characters that show as nothing (zero-width space and joiners, word joiner, byte-order
# mark, soft hyphen): pasted from web pages and chat apps into amounts, dates and ids
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def visible(text: str) -> str:
    """``text`` without the characters that show as nothing."""
    return text if text.isascii() else text.translate(_INVISIBLE)


def clean_text(value: Any) -> str:
    """The cell as trimmed text; None and blanks give ''."""
    if type(value) is str:      # the common case first: a province has millions of cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return _empty_text(value)
    return False


@functools.lru_cache(maxsize=65536)
def _empty_text(text: str) -> bool:
    """Cached: a sheet asks this of the same cell several times (header, skip and parse)."""
    return visible(nfkc(text)).strip().lower() in EMPTY_WORDS


_SPACES = re.compile(r"\s+")


def norm_id(value: Any) -> str:
    """Project ids compare trimmed, half-width and upper-case."""
    return _SPACES.sub("", visible(nfkc(clean_text(value)))).upper()


def norm_name(value: Any) -> str:
    """Names compare after NFKC with every space removed."""
    return _SPACES.sub("", visible(nfkc(clean_text(value))))


_LEADER_SEPARATORS = re.compile(r"\s*[、,，;；/／]\s*")
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$")        # a Chinese name: 2 to 4 characters
_TITLE_END = re.compile(r"(?:常委|县长|书记|主任|部长|主席|委员|局长|镇长|乡长|秘书长|政委|人大|政协)$")


def leaders_of(cell: object) -> tuple[str, ...]:
    """The liaison leaders a register's 联系领导 cell names: 张三、李四 (or 张三，李四, 张三/李四)
    is two leaders, each with the project on their list. A cell is split only when every
    part is a person's name (two to four characters, a bracketed note aside, not a title):
    县委常委、副县长张三 is one leader, as written."""
    if not isinstance(cell, str) or not cell.strip():
        return ()
    text = cell.strip()
    parts = [n for n in _LEADER_SEPARATORS.split(text) if n]
    names = [_BRACKETED.sub("", nfkc(n)).strip() for n in parts]
    if len(parts) > 1 and all(_PERSON.match(n) and not _TITLE_END.search(n) for n in names):
        return tuple(dict.fromkeys(names))         # 张三（常务）、李四: 张三 and 李四
    return (text,)


def short_form(name: str) -> str:
    """A unit's short form (SPEC 4): 县交通运输局 -> 交通运输局; 泷泊镇人民政府 -> 泷泊镇."""
    text = norm_name(name)
    text = re.sub(r"^[县市区]", "", text)
    return re.sub(r"人民政府$", "", text)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SUFFIX = re.compile(r"(万元|万|元|亿元|亿)$")
_SEPARATORS = re.compile(r"[\s,，_'’]")
# digits grouped in thousands by commas (NFKC makes “，” a “,”): 1,234 or 12,345,678; each
# run of digits and commas a number holds must be one
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_COMMA_RUNS = re.compile(r"[\d,]*,[\d,]*")
_NONE = Parsed()


def parse_number(value: Any) -> Parsed:
    """An amount: numbers, or text with separators, full-width digits, a 万元/元 suffix."""
    kind = type(value)
    if kind is int or kind is float:    # most amounts: plain numbers (bool is not int here)
        if value >= 0 and value != math.inf:
            return Parsed(value=float(value))
    elif kind is str:
        return _parse_number_text(value)
    if is_empty(value):
        return _NONE
    if isinstance(value, bool):
        return Parsed(problem="bad_number", hint=("是/否 不是金额", "a yes/no is not an amount"))
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return Parsed(problem="bad_number", hint=("不是有限数", "not a finite number"))
        return _signed(number, yuan=False)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return Parsed(problem="bad_number", hint=("这是日期", "this is a date"))
    return _number_text(str(value))


@functools.lru_cache(maxsize=65536)
def _parse_number_text(value: str) -> Parsed:
    """An amount typed as text (cached: the same strings recur; a Parsed is immutable)."""
    return _NONE if _empty_text(value) else _number_text(value)


def _number_text(value: str) -> Parsed:
    text = visible(nfkc(value)).strip()
    # 1,2 or 12,34 or 1,000.5,2: a comma that groups no thousands
    misgrouped = "," in text and not all(_GROUPED.fullmatch(run) for run in _COMMA_RUNS.findall(text))
    text = _SEPARATORS.sub("", text)
    scale, yuan = 1.0, False
    suffix = _SUFFIX.search(text)
    stated = suffix is not None
    if suffix:
        text = text[: suffix.start()]
        unit = suffix.group(1)
        if unit in ("元",):
            scale, yuan = 1e-4, True
        elif unit.startswith("亿"):
            scale = 1e4
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if not _NUMBER.match(text):
        return Parsed(problem="bad_number", hint=_number_hint(text))
    if misgrouped:
        return Parsed(problem="bad_number", hint=_COMMA_HINT)
    number = float(text) * scale
    if not math.isfinite(number):      # 1e999: a number too large to be an amount
        return Parsed(problem="bad_number", hint=("数值超出范围", "a number out of range"))
    return _signed(number, yuan=yuan, stated=stated)


_COMMA_HINT = ("逗号不在千分位上（小数点请用“.”）",
               "a comma that does not group thousands (write decimals with “.”)")


def _signed(number: float, *, yuan: bool, stated: bool = False) -> Parsed:
    if number < 0:
        return Parsed(value=number, problem="negative_amount", yuan=yuan, stated=stated)
    return Parsed(value=number, yuan=yuan, stated=stated)


def _number_hint(text: str) -> tuple[str, str]:
    if text.startswith("#") and text.rstrip("!?0/").isupper():   # #DIV/0!, #REF!, #N/A
        return ("公式计算出错，请检查公式或直接填写金额",
                "a formula's error: correct the formula or type the amount")
    if re.search(r"[oO]", text) and re.search(r"\d", text):
        return ("含字母 O，是否应为数字 0？", "letter O where a 0 was meant?")
    if re.search(r"[lI]", text) and re.search(r"\d", text):
        return ("含字母 l/I，是否应为数字 1？", "letter l or I where a 1 was meant?")
    if text.count(".") > 1:
        return ("小数点不止一个", "more than one decimal point")
    return ("只能填数字，不能夹带文字", "digits only, no words")


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(份)?(底|末)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_date(value: Any) -> Parsed:
    """A date: Excel dates and serials, 2026-03-15, 2026/3/15, 2026年3月15日, 2026年3月, 2026.3.

    A month-only date means that month's last day. A number such as 2026.3 means March;
    2026.1 means January (Excel keeps no trailing zero, so write “2026.10” as text).
    """
    kind = type(value)
    if kind is dt.datetime:             # the common cases first
        return Parsed(value=value.date())
    if kind is str:
        return _parse_date_text(value)
    if is_empty(value):
        return _NONE
    if isinstance(value, dt.datetime):
        return Parsed(value=value.date())
    if isinstance(value, dt.date):
        return Parsed(value=value)
    if isinstance(value, bool):
        return Parsed(problem="bad_date", hint=("是/否 不是日期", "a yes/no is not a date"))
    if isinstance(value, (int, float)):
        return _date_number(float(value))
    return _date_text(str(value))


def _date_number(number: float) -> Parsed:
    """A date typed as a number: 2026.3 (March), 202603 (March), 20260315, or Excel's day
    number (46096; 46096.5 is noon of that day). A day number over 100,000 would be after
    the year 2173: such a number is read as 202603 or 20260315, or is no date."""
    if not math.isfinite(number):
        return Parsed(problem="bad_date", hint=("数值超出范围", "a number out of range"))
    if 1900 < number < 2200 and not number.is_integer():
        return _date_of(repr(number))
    if number.is_integer() and 190001 <= number <= 220012:
        return _date_of(f"{int(number) // 100}年{int(number) % 100}月")
    if number.is_integer() and 19000101 <= number <= 22001231:
        return _date_of(str(int(number)))
    if 3000 < number < 100000:
        return Parsed(value=EXCEL_EPOCH + dt.timedelta(days=int(number)))
    return Parsed(problem="bad_date", hint=_DATE_HINT)


@functools.lru_cache(maxsize=65536)
def _parse_date_text(value: str) -> Parsed:
    """A date typed as text (cached: the same dates recur; a Parsed is immutable)."""
    return _NONE if _empty_text(value) else _date_text(value)


_TIME_AFTER = re.compile(r"(T|\s+)\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _date_text(value: str) -> Parsed:
    text = visible(nfkc(value)).strip()
    # a time after the date, cut before spaces go so that its hour stays whole
    text = _TIME_AFTER.sub("", text)
    return _date_of(_SPACES.sub("", text))


def _date_of(text: str) -> Parsed:
    for pattern in (_YMD, _COMPACT):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups()[:3])
            try:
                return Parsed(value=dt.date(year, month, day))
            except ValueError:
                return Parsed(problem="bad_date", hint=("没有这一天", "no such day"))
    match = _YM.match(text) or _COMPACT_MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return Parsed(value=month_end(year, month))
        return Parsed(problem="bad_date", hint=("月份不在 1–12", "month not in 1–12"))
    return Parsed(problem="bad_date", hint=_DATE_HINT)


_DATE_HINT = ("请写成 2026-03-15 或 2026年3月", "write it as 2026-03-15 or 2026年3月")


# 暂无问题, 没有问题, 不存在问题, 无明显问题, 无困难, 无需协调, 不涉及, 无不可抗力, 无此情况
_NONE_SAID = re.compile(
    r"^(?:目前|当前|本月|本期|暂时?)?(?:无|没有|不存在|未发现|未遇到|不涉及|无需|不需要?)"
    r"(?:明显|任何|其他|其它|重大|需要)?"
    r"(?:问题|困难|困难和问题|问题和困难|问题及困难|困难及问题|协调|协调事项|协调的事项|"
    r"协调解决的问题|需协调事项|需协调的事项|需协调解决的问题|不可抗力|不可抗力情况|"
    r"不可抗力因素|此情况|此项|该情况)?$")
_NONE_SAID_WORDS = frozenset({"正常", "正常推进", "进展正常", "进展顺利", "推进顺利", "不适用"})


@functools.lru_cache(maxsize=16384)
def says_none(text: str) -> bool:
    """Whether a problem, coordination or force-majeure answer says there is none: a
    placeholder, a no (否, ×, 0), 暂无问题, 无需协调, 不涉及, 正常推进; a closing 。 or
    ! and spaces aside."""
    key = _SPACES.sub("", visible(nfkc(text))).lower().rstrip("。.;；!！、,，")
    return (key in EMPTY_WORDS or key in NO_WORDS or key in _NONE_SAID_WORDS
            or _NONE_SAID.match(key) is not None)


def parse_flag(value: Any, column: str | None = None) -> Parsed:
    """Yes/no: 是/否, Y/N, √/×, 已开工/未开工, true/false, 1/0; with ``column``, its own
    words too (``FLAG_WORDS``: 在建 is started, 已完工 completed, 已开工 not completed). A
    word followed by a bracketed note (是（已开工）) is read by the word."""
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return Parsed(value=value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return Parsed(value=bool(value))
    return _flag_text(str(value), column)


@functools.lru_cache(maxsize=4096)
def _flag_text(value: str, column: str | None) -> Parsed:
    """A yes/no typed as text (cached: a handful of words recur)."""
    yes, no = FLAG_WORDS.get(column, (YES_WORDS, NO_WORDS)) if column else (YES_WORDS, NO_WORDS)
    text = _SPACES.sub("", visible(nfkc(value)).lower())
    word = _BRACKETED.sub("", text) or text
    if word in yes:
        return Parsed(value=True)
    if word in no:
        return Parsed(value=False)
    if text in EMPTY_WORDS:
        return Parsed()
    return Parsed(problem="bad_flag", hint=("请填 是 或 否", "enter 是 (yes) or 否 (no)"))


_BRACKETED = re.compile(r"[(\[【].*?[)\]】]")


def amount(value: float) -> str:
    """An amount for a message: every digit a person typed, up to four decimals, never in
    exponent form (250000.6, not 250001; 1234567.8, not 1.23457e+06)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def display(value: Any) -> str:
    """The raw cell as a person would read it, for messages."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)
