"""Find the header row of a sheet and map its columns to canonical names (SPEC 3, 4). Pure.

The header is found by the aliases in ``columns.py``, never by position: the row (or pair
of rows, for two-row headers with merged parents) whose cells match the most aliases wins.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.columns import MONTH_DONE, MONTHS_THROUGH, YTD_DONE, YTD_PATTERN
from pipeline.values import clean_text, nfkc

_BRACKET_UNIT = re.compile(r"[(（\[【]\s*([^()（）\[\]【】]{0,8})\s*[)）\]】]")
_TRAILING_UNIT = re.compile(r"(万元|亿元|元)$")
_UNIT_INSIDE = re.compile(r"^(?:单位[:：]?)?(万元|亿元|元)$")
_UNIT_SEPARATORS = "/／\\|_:：-"
_YTD = re.compile(YTD_PATTERN)
_YEAR = re.compile(r"^\d{4}年度?")
HEADER_SCAN_ROWS = 40


class HeaderLabel(NamedTuple):
    """A cell read as a header (a tuple: rows of them are keys of ``_READINGS``)."""

    key: str            # the normalised header text
    unit: str | None    # "万元", "元", "亿元" or None when the header names no unit


def normalise_header(value: Any) -> HeaderLabel:
    """Drop spaces, line breaks and a bracketed unit; lower-case letters. A date typed as a
    header (a register's monthly plans headed 2026-01-31 …) reads as its month: 1月."""
    if isinstance(value, dt.date):
        return HeaderLabel(key=f"{value.month}月", unit=None)
    return _normalise(clean_text(value))


@functools.lru_cache(maxsize=65536)
def _normalise(raw: str) -> HeaderLabel:
    text = "".join(nfkc(raw).split())   # every (Unicode) space gone, as re's \s+ would
    unit = None
    if "(" in text or "（" in text or "[" in text or "【" in text:  # what a bracket starts with
        # split keeps each bracket's inside: outside, inside, outside, ... outside
        parts = _BRACKET_UNIT.split(text)
        for inner in parts[1::2]:
            named = _UNIT_INSIDE.match(inner)     # 元, 单位：元
            if named:
                unit = named.group(1)
        text = "".join(parts[0::2])
    if text.endswith("元"):
        trailing = _TRAILING_UNIT.search(text)
        if trailing and len(text) > len(trailing.group(1)):
            unit = unit or trailing.group(1)
            text = text[: trailing.start()].rstrip(_UNIT_SEPARATORS)   # 本月完成投资/万元
        elif text in ("万元", "元", "亿元"):     # a unit alone: a units row under a header
            unit, text = unit or text, ""
    elif text in _OTHER_UNITS:                 # 万元 万元 % under 本月 | 累计 | 完成率
        text = ""
    return HeaderLabel(key=text.lower(), unit=unit)


# units a units row names for columns that are no amounts
_OTHER_UNITS = frozenset({"%", "‰", "个", "项", "亩", "米", "公里", "千米", "平方米", "m²", "人",
                          "天", "吨", "台", "套", "户"})


def alias_table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """normalised alias -> canonical name (the canonical name matches itself)."""
    table: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            table[normalise_header(name).key] = canonical
    return table


def match_label(label: HeaderLabel, table: dict[str, str]) -> str | None:
    return _canonical(label.key, table, YTD_DONE in table.values())[0]


def _canonical(key: str, table: dict[str, str], ytd: bool,
               year: int | None = None) -> tuple[str | None, int]:
    """The column a normalised header names, and N when it is a 1-N月累计完成投资 (else 0);
    ``ytd``: whether ``table`` has ytd_done, so that such a header names it. A header with
    a year before it (2026年计划投资, 2026年度投资计划, 2026年1-11月累计完成投资) names the
    header without it, or with 年度 instead (2026年计划投资 is 年度计划投资), when that year
    is the period's ``year`` (or no year is given); another year's names no column
    (2025年累计完成投资 is last year's)."""
    canonical = table.get(key)
    if canonical is None and key[:4].isdigit() and "年" in key[4:6]:
        if year is not None and int(key[:4]) != year:
            return None, 0
        rest = _YEAR.sub("", key)
        canonical = table.get(rest) or table.get("年度" + rest)
        if canonical is None:
            key = rest
    if canonical is None and ytd and "完成" in key:
        through = _YTD.match(key)
        if through:
            return YTD_DONE, int(through.group(1))
    return canonical, 0


# A parent naming the investment done (投资完成情况, 完成投资, 2026年完成投资), and what the
# cells under it name: 本月, 1-11月累计, 本年累计; 累计 alone only under a parent of this
# year's (under 完成投资 it may be the total since the project began).
_DONE_GROUP = re.compile(r"^(\d{4}年度?|本年度?|今年|年度)?(?:完成投资|投资完成)(?:情况)?$")
_MONTH_CHILD = re.compile(r"^(?:本月|当月)(?:完成)?$")
_YTD_CHILD = re.compile("^" + MONTHS_THROUGH + "(?:累计)?(?:完成)?$")
_YEAR_CHILD = re.compile(r"^(?:本年度?|今年|年度)?累计(?:完成)?$")


def _under_done(parent: str, child: str, year: int | None = None) -> tuple[str | None, int]:
    """The column ``child`` names under ``parent`` when that is a parent of the investment
    done (as ``_canonical``: of the period's ``year`` when it names one); (None, 0)
    otherwise."""
    group = _DONE_GROUP.match(parent)
    if group is None or (year is not None and group.group(1) and group.group(1)[:4].isdigit()
                         and int(group.group(1)[:4]) != year):
        return None, 0
    if _MONTH_CHILD.match(child):
        return MONTH_DONE, 0
    through = _YTD_CHILD.match(child)
    if through:
        return YTD_DONE, int(through.group(1))
    year = _YEAR_CHILD.match(child)
    if year and (child != "累计" and child != "累计完成" or group.group(1)):
        return YTD_DONE, 0
    return None, 0


@dataclass(frozen=True, slots=True)
class Header:
    first_row: int          # 0-based index of the header's first row in the grid
    last_row: int           # 0-based index of its last row (first_row + 1 for two-row headers)
    columns: dict[int, str]  # 0-based column index -> canonical name (first occurrence)
    units: dict[int, str | None]  # 0-based column index -> unit named in its header
    repeats: dict[str, list[int]] = field(default_factory=dict)  # canonical -> all indexes
    ytd_months: int = 0     # N when the ytd column's header is 1-N月累计, else 0

    def placed(self, first_row: int, last_row: int) -> Header:
        """The same header read from rows ``first_row`` to ``last_row`` (a reading is made
        at row 0; dataclasses.replace costs a province more than the rest of the reading)."""
        return Header(first_row, last_row, self.columns, self.units, self.repeats,
                      self.ytd_months)


_BLANK = HeaderLabel("", None)


def _map(top: tuple[HeaderLabel, ...], bottom: tuple[HeaderLabel, ...], two: bool,
         table: dict[str, str], ytd: bool, month: int | None = None,
         year: int | None = None) -> Header | None:
    """Read a row (with the one under it when ``two``) as a header: each column by the first
    of its candidate labels that names a column — the lower cell, the upper, both joined
    (upper then lower, or lower then upper).

    ``top`` and ``bottom`` are the normalised cells of the two rows (``bottom`` empty unless
    ``two``): each row is normalised once, though read alone and in pairs. ``ytd``: whether
    ``table`` has ytd_done, so that 1-N月累计完成投资 names it too (see ``match_label``).
    Of several ytd columns the first names it, unless a 1-N月累计 one is nearer the period's
    ``month`` (``_nearer``): 1-11月 over 1-10月 or 年度累计 in November, 1-11月 over 1-12月
    (a column a month for the whole year)."""
    columns: dict[int, str] = {}
    units: dict[int, str | None] = {}
    repeats: dict[str, list[int]] = {}
    named: set[str] = set()
    ytd_months = 0     # N when the ytd column's header is 1-N月累计
    n_top, n_bottom = len(top), len(bottom)
    parent = _BLANK     # the upper cell over lower ones, carried right over empty upper cells
    for col in range(max(n_top, n_bottom)):
        up = top[col] if col < n_top else _BLANK
        low = bottom[col] if col < n_bottom else _BLANK
        if two and low.key:
            # a parent written in its first cell only (centred across its columns, or a
            # CSV) is over the empty upper cells to its right too
            parent = up if up.key and low.key != up.key else parent if not up.key else _BLANK
            # the lower cell, the upper, both joined either way (投资 over 本月完成 and
            # 完成投资 over 本月 both spell 本月完成投资)
            keys = [low.key, up.key, up.key + low.key, low.key + up.key] \
                if up.key and low.key != up.key else [low.key, up.key] if up.key else \
                [low.key, parent.key + low.key, low.key + parent.key] if parent.key else \
                [low.key]
        elif up.key:
            parent = _BLANK
            keys = [up.key]
        else:
            parent = _BLANK
            continue
        for key in keys:
            canonical, months = _canonical(key, table, ytd, year)
            if canonical is not None:
                break
        else:
            if not (ytd and "完成" in parent.key):
                continue
            # 投资完成情况 / 2026年完成投资 over 本月 | 1-11月累计
            canonical, months = _under_done(parent.key, low.key, year)
            if canonical is None:
                continue
        repeats.setdefault(canonical, []).append(col)
        if canonical not in named:
            named.add(canonical)
            columns[col] = canonical
            if months:
                ytd_months = months
        elif canonical == YTD_DONE and _nearer(months, ytd_months, month):
            # 1-10月累计 | 本月 | 1-11月累计: the later month's total is this year's so far,
            # the other last month's
            del columns[next(c for c, name in columns.items() if name == YTD_DONE)]
            columns[col] = YTD_DONE
            ytd_months = months
        units[col] = low.unit or up.unit or parent.unit
    if not columns:
        return None
    return Header(0, 0, columns, units, repeats, ytd_months)


def _nearer(months: int, than: int, month: int | None) -> bool:
    """Whether a 1-``months``月累计 column names this year's total rather than the ytd
    column found before it (1-``than``月, or 0: a header naming no month). Without the
    period's ``month``, the later month; with it, the latest month up to the period's (and
    the period's own month over a header naming none), else the earliest after it."""
    if not months:
        return False
    if month is None:
        return bool(than) and months > than
    if not than:
        return months == month
    if (months <= month) != (than <= month):
        return months <= month
    return months > than if months <= month else months < than


# The readings of rows already read, by table (which _map's answer depends on): the books
# of a province are filled in from a few templates, so their title, header and heading rows
# recur thousands of times. A reading is kept with its table: as long as it is kept, that
# table lives, so no other table can take its id. Tables are never changed once made
# (alias_table); the readings are shared and never changed either (find_header copies the
# one it returns).
_READINGS: dict[tuple[int, tuple[HeaderLabel, ...], tuple[HeaderLabel, ...], bool, int | None,
                      int | None],
                tuple[dict[str, str], Header | None]] = {}
_READINGS_KEPT = 4096


def _reading(top: tuple[HeaderLabel, ...], bottom: tuple[HeaderLabel, ...], two: bool,
             table: dict[str, str], ytd: bool, month: int | None,
             year: int | None) -> Header | None:
    """``_map``, remembered."""
    key = (id(table), top, bottom, two, month, year)
    kept = _READINGS.get(key)
    if kept is not None and kept[0] is table:
        return kept[1]
    header = _map(top, bottom, two, table, ytd, month, year)
    if len(_READINGS) >= _READINGS_KEPT:
        _READINGS.clear()
    _READINGS[key] = (table, header)
    return header


def find_header(rows: list[list[Any]], table: dict[str, str],
                required: tuple[str, ...], month: int | None = None,
                year: int | None = None) -> Header | None:
    """The best header among the first rows, or None when no row names the required columns.

    ``required`` lists alternatives: at least one must be found (e.g. name or project_id),
    and at least two distinct columns overall. ``month`` and ``year``: the period's, when
    known (which of several 1-N月累计 columns is this year's total: ``_nearer``; a header of
    another year names no column: ``_canonical``).
    """
    best: tuple[int, int, Header] | None = None
    readings: dict[tuple[int, bool], Header] = {}
    normalised: dict[int, tuple[HeaderLabel, ...]] = {}
    ytd = YTD_DONE in table.values()

    def cells(index: int) -> tuple[HeaderLabel, ...]:
        found = normalised.get(index)
        if found is None:
            found = normalised[index] = tuple(normalise_header(v) for v in rows[index])
        return found

    quiet = 0    # rows in a row, after a header was found, that read as no header at all
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        if best is not None and index > best[2].last_row + 1:
            quiet = 0 if (index - 1, False) in readings or (index - 1, True) in readings \
                else quiet + 1
            if quiet >= 3:   # data rows under the header: nothing better is coming
                break
        for two in (False, True):
            if two and index + 1 >= len(rows):
                continue
            header = _reading(cells(index), cells(index + 1) if two else (), two, table, ytd,
                              month, year)
            if header is None:
                continue
            found = set(header.columns.values())
            if len(found) < 2 or not found & set(required):
                continue
            header = header.placed(index, index + 1 if two else index)
            readings[(index, two)] = header
            # more columns wins; on a tie the single-row reading (less assumed) wins
            score = (len(found), 0 if two else 1)
            if best is None or score > best[:2]:
                best = (*score, header)
    if best is None:
        return None
    chosen = best[2]
    # A two-row header whose other cells are merged vertically repeats them in its lower
    # row, so that row alone reads as well as the pair; the pair also carries the merged
    # parents' units (投资完成情况（元）), so take it when the row above is a header too.
    above = chosen.first_row - 1
    pair = readings.get((above, True))
    if (chosen.first_row == chosen.last_row and (above, False) in readings
            and pair is not None and pair.columns == chosen.columns):
        chosen = pair
    chosen = _copy(chosen)
    # A row of units under the header (（元）, 万元, （%）, the other cells empty or merged
    # from above) belongs to it: it says which columns are in 元, and is no project.
    below = chosen.last_row + 1
    if below < len(rows) and _units_row(cells(chosen.last_row), cells(below), rows[below]):
        chosen = _with_units(chosen, cells(below), last_row=below)
    # A parent over a two-row header (投资情况（元） over 完成投资 over 本月 | 1-11月累计)
    # names the unit of the columns under it.
    if chosen.last_row > chosen.first_row and chosen.first_row > 0:
        chosen = _with_units(chosen, cells(chosen.first_row - 1), last_row=chosen.last_row)
    return chosen


def _with_units(header: Header, labels: tuple[HeaderLabel, ...], last_row: int) -> Header:
    """``header`` ending on ``last_row``, its columns that name no unit taking the unit
    ``labels`` (a row above or under it) names for them."""
    units = dict(header.units)
    for col in header.columns:
        if units.get(col) is None and col < len(labels) and labels[col].unit:
            units[col] = labels[col].unit
    return Header(header.first_row, last_row, header.columns, units, header.repeats,
                  header.ytd_months)


def _units_row(top: tuple[HeaderLabel, ...], bottom: tuple[HeaderLabel, ...],
               raw: list[Any]) -> bool:
    """Whether the row under a header only names units: each cell empty, a unit or a
    bracket alone (normalised to nothing), or the cell above repeated (merged); one at
    least not empty."""
    named = False
    for col, low in enumerate(bottom):
        if not low.key:
            named = named or (col < len(raw) and clean_text(raw[col]).strip() != "")
        elif col >= len(top) or low.key != top[col].key:
            return False
    return named


def _copy(header: Header) -> Header:
    """A header of its own (a remembered reading's dicts are shared)."""
    return Header(header.first_row, header.last_row, dict(header.columns), dict(header.units),
                  {name: list(cols) for name, cols in header.repeats.items()}, header.ytd_months)
