"""Find the header row of a sheet and map its columns to canonical names (SPEC 3, 4). Pure.

The header is found by the aliases in ``columns.py``, never by position: the row (or pair
of rows, for two-row headers with merged parents) whose cells match the most aliases wins.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.columns import YTD_DONE, YTD_PATTERN
from pipeline.values import clean_text, nfkc

_BRACKET_UNIT = re.compile(r"[(（\[【]\s*([^()（）\[\]【】]{0,8})\s*[)）\]】]")
_TRAILING_UNIT = re.compile(r"(万元|亿元|元)$")
_YTD = re.compile(YTD_PATTERN)
HEADER_SCAN_ROWS = 40


class HeaderLabel(NamedTuple):
    """A cell read as a header (a tuple: rows of them are keys of ``_READINGS``)."""

    key: str            # the normalised header text
    unit: str | None    # "万元", "元", "亿元" or None when the header names no unit


def normalise_header(value: Any) -> HeaderLabel:
    """Drop spaces, line breaks and a bracketed unit; lower-case letters."""
    return _normalise(clean_text(value))


@functools.lru_cache(maxsize=65536)
def _normalise(raw: str) -> HeaderLabel:
    text = "".join(nfkc(raw).split())   # every (Unicode) space gone, as re's \s+ would
    unit = None
    if "(" in text or "（" in text or "[" in text or "【" in text:  # what a bracket starts with
        # split keeps each bracket's inside: outside, inside, outside, ... outside
        parts = _BRACKET_UNIT.split(text)
        for inner in parts[1::2]:
            if inner in ("万元", "元", "亿元"):
                unit = inner
        text = "".join(parts[0::2])
    if text.endswith("元"):
        trailing = _TRAILING_UNIT.search(text)
        if trailing and len(text) > len(trailing.group(1)):
            unit = unit or trailing.group(1)
            text = text[: trailing.start()]
        elif text in ("万元", "元", "亿元"):     # a unit alone: a units row under a header
            unit, text = unit or text, ""
    return HeaderLabel(key=text.lower(), unit=unit)


def alias_table(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """normalised alias -> canonical name (the canonical name matches itself)."""
    table: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            table[normalise_header(name).key] = canonical
    return table


def match_label(label: HeaderLabel, table: dict[str, str]) -> str | None:
    return _canonical(label.key, table, YTD_DONE in table.values())[0]


def _canonical(key: str, table: dict[str, str], ytd: bool) -> tuple[str | None, int]:
    """The column a normalised header names, and N when it is a 1-N月累计完成投资 (else 0);
    ``ytd``: whether ``table`` has ytd_done, so that such a header names it."""
    canonical = table.get(key)
    if canonical is None and ytd and "完成" in key:
        through = _YTD.match(key)
        if through:
            return YTD_DONE, int(through.group(1))
    return canonical, 0


@dataclass(frozen=True, slots=True)
class Header:
    first_row: int          # 0-based index of the header's first row in the grid
    last_row: int           # 0-based index of its last row (first_row + 1 for two-row headers)
    columns: dict[int, str]  # 0-based column index -> canonical name (first occurrence)
    units: dict[int, str | None]  # 0-based column index -> unit named in its header
    repeats: dict[str, list[int]] = field(default_factory=dict)  # canonical -> all indexes


_BLANK = HeaderLabel("", None)


def _map(top: tuple[HeaderLabel, ...], bottom: tuple[HeaderLabel, ...], two: bool,
         table: dict[str, str], ytd: bool) -> Header | None:
    """Read a row (with the one under it when ``two``) as a header: each column by the first
    of its candidate labels that names a column — the lower cell, the upper, both joined
    (upper then lower, or lower then upper).

    ``top`` and ``bottom`` are the normalised cells of the two rows (``bottom`` empty unless
    ``two``): each row is normalised once, though read alone and in pairs. ``ytd``: whether
    ``table`` has ytd_done, so that 1-N月累计完成投资 names it too (see ``match_label``)."""
    columns: dict[int, str] = {}
    units: dict[int, str | None] = {}
    repeats: dict[str, list[int]] = {}
    named: set[str] = set()
    ytd_col, ytd_months = -1, 0     # the ytd column a 1-N月累计 header named, and its N
    n_top, n_bottom = len(top), len(bottom)
    for col in range(max(n_top, n_bottom)):
        up = top[col] if col < n_top else _BLANK
        low = bottom[col] if col < n_bottom else _BLANK
        if two and low.key:
            # the lower cell, the upper, both joined either way (投资 over 本月完成 and
            # 完成投资 over 本月 both spell 本月完成投资)
            keys = [low.key, up.key, up.key + low.key, low.key + up.key] \
                if up.key and low.key != up.key else [low.key, up.key] if up.key else [low.key]
        elif up.key:
            keys = [up.key]
        else:
            continue
        for key in keys:
            canonical, months = _canonical(key, table, ytd)
            if canonical is not None:
                repeats.setdefault(canonical, []).append(col)
                if canonical not in named:
                    named.add(canonical)
                    columns[col] = canonical
                    if months:
                        ytd_col, ytd_months = col, months
                elif ytd_months and months > ytd_months:
                    # 1-10月累计 | 本月 | 1-11月累计: the later month's total is this year's
                    # so far, the other last month's
                    del columns[ytd_col]
                    columns[col] = YTD_DONE
                    ytd_col, ytd_months = col, months
                units[col] = low.unit or up.unit
                break
    if not columns:
        return None
    return Header(0, 0, columns, units, repeats)


# The readings of rows already read, by table (which _map's answer depends on): the books
# of a province are filled in from a few templates, so their title, header and heading rows
# recur thousands of times. A reading is kept with its table: as long as it is kept, that
# table lives, so no other table can take its id. Tables are never changed once made
# (alias_table); the readings are shared and never changed either (find_header copies the
# one it returns).
_READINGS: dict[tuple[int, tuple[HeaderLabel, ...], tuple[HeaderLabel, ...], bool],
                tuple[dict[str, str], Header | None]] = {}
_READINGS_KEPT = 4096


def _reading(top: tuple[HeaderLabel, ...], bottom: tuple[HeaderLabel, ...], two: bool,
             table: dict[str, str], ytd: bool) -> Header | None:
    """``_map``, remembered."""
    key = (id(table), top, bottom, two)
    kept = _READINGS.get(key)
    if kept is not None and kept[0] is table:
        return kept[1]
    header = _map(top, bottom, two, table, ytd)
    if len(_READINGS) >= _READINGS_KEPT:
        _READINGS.clear()
    _READINGS[key] = (table, header)
    return header


def find_header(rows: list[list[Any]], table: dict[str, str],
                required: tuple[str, ...]) -> Header | None:
    """The best header among the first rows, or None when no row names the required columns.

    ``required`` lists alternatives: at least one must be found (e.g. name or project_id),
    and at least two distinct columns overall.
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
            header = _reading(cells(index), cells(index + 1) if two else (), two, table, ytd)
            if header is None:
                continue
            found = set(header.columns.values())
            if len(found) < 2 or not found & set(required):
                continue
            header = Header(index, index + 1 if two else index, header.columns,
                            header.units, header.repeats)
            readings[(index, two)] = header
            # more columns wins; on a tie the single-row reading (less assumed) wins
            score = (len(found), 0 if two else 1)
            if best is None or score > best[:2]:
                best = (*score, header)
    if best is None:
        return None
    chosen = _copy(best[2])
    # A two-row header whose other cells are merged vertically repeats them in its lower
    # row, so that row alone reads as well as the pair; the pair also carries the merged
    # parents' units (投资完成情况（元）), so take it when the row above is a header too.
    above = chosen.first_row - 1
    pair = readings.get((above, True))
    if (chosen.first_row == chosen.last_row and (above, False) in readings
            and pair is not None and pair.columns == chosen.columns):
        return _copy(pair)
    # A row of units under the header (（元）, 万元, （%）, the other cells empty or merged
    # from above) belongs to it: it says which columns are in 元, and is no project.
    pair = readings.get((chosen.first_row, True))
    below = chosen.first_row + 1
    if (chosen.first_row == chosen.last_row and pair is not None
            and pair.columns == chosen.columns
            and _units_row(cells(chosen.first_row), cells(below), rows[below])):
        return _copy(pair)
    return chosen


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
                  {name: list(cols) for name, cols in header.repeats.items()})
