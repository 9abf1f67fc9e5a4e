"""Turn a sheet's grid into data rows with their origin (SPEC 4). Pure.

Title rows, 填报单位 / 填报日期 lines, a “单位：元” line, totals rows (合计/总计/小计),
section headings (一、续建项目), notes and blank rows are recognised and left out; every
other row under the header is a data row and keeps file, sheet, Excel row and column letter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.columns import (
    CATEGORIES,
    CATEGORY_EXTRA,
    MILESTONE,
    MILESTONE_DONE,
    NAME,
    NOTE_PREFIXES,
    PROJECT_ID,
    TOTAL_WORDS,
)
from pipeline.findings import Finding
from pipeline.headers import Header, find_header, match_label, normalise_header
from pipeline.values import clean_text, is_empty, nfkc, parse_date


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Cell(NamedTuple):
    """One cell of a data row (a tuple: a province makes hundreds of thousands of them)."""

    value: Any
    column: str          # Excel letter
    unit: str | None     # 万元 / 元 / 亿元 named by the header or the sheet's 单位 line


@dataclass
class RawRow:
    file: str
    sheet: str
    row: int                                  # 1-based Excel row (CSV: line)
    cells: dict[str, Cell]
    milestones: list[tuple[Cell | None, Cell | None]] = field(default_factory=list)


@dataclass
class SheetRows:
    sheet: str
    header: Header | None
    rows: list[RawRow]
    unit_line: str | None = None
    report_date: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)
    # the rows in order, as tables of the sheet: (its row layout, how many of ``rows`` it
    # places); one table unless the sheet has several, each under a header of its own
    tables: list[tuple[Layout, int]] = field(default_factory=list, repr=False, compare=False)


# the label, then a colon and the value; without a colon only as the cell's whole text
# (the value in the next cell): 请各填报单位于5日前报送 and 填报单位负责人 are no label
_UNIT_LINE = re.compile(r"填报单位\s*(?:[(（][盖章公章签字]*[)）])?\s*(?:[:：]\s*(.*)|$)")
_DATE_LINE = re.compile(r"填报(日期|时间)\s*(?:[:：]\s*(.*)|$)")
_AMOUNT_UNIT = re.compile(r"(?<![报任])单位\s*[:：]\s*(万元|亿元|元)")
_STOP = re.compile(r"\s{2,}|填报日期|填报时间|填报人|联系人|联系电话|审核人|负责人")
# 一、 （二） 三. : a section's number, whatever follows; 1、 （2） 3. and 第二部分 number a
# section only when what follows is one (1、续建项目), else a project (（1）县城污水处理厂)
_HEADING = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、.．]")
_NUMBERED = re.compile(r"^(?:[(（]?[0-9]{1,2}[)）、.．]|第[一二三四五六七八九十0-9]+(?:部分|类|批)[、:：.．]?)")
_TOTAL_END = re.compile(r"(?:合计|总计|小计|共计)$")


_SPACES = re.compile(r"\s+")
_TOTALS = (*TOTAL_WORDS, "其中")
_SECTION_WORDS = frozenset(CATEGORIES) | frozenset(CATEGORY_EXTRA)
_COUNT = re.compile(r"[(（]?(共|计)?\d+(个|项)?(项目)?[)）]?$")


_SECTION_STARTS = tuple(_SECTION_WORDS)


def _is_heading(text: str) -> bool:
    """一、续建项目, （二）新开工项目, 1、续建项目, 第二部分 新开工项目, or a bare category
    word such as 续建项目（12个） or 竣工投产项目：.

    ``_COUNT`` takes off only an ending, so what is left is in ``_SECTION_WORDS`` only when
    the text starts with one of them: the substitution is done only then (every data row's
    project name is asked, and names are all different)."""
    if _HEADING.match(text):
        return True
    numbered = _NUMBERED.match(text)
    if numbered:
        text = text[numbered.end():]
    if not text.startswith(_SECTION_STARTS):
        return False
    return _COUNT.sub("", text.rstrip(":：")).rstrip(":：") in _SECTION_WORDS


def _is_total(text: str) -> bool:
    """A label a totals row starts with (合计, 小计（3个）, 其中) or a short one ending in a
    totals word: 续建项目小计, 本单位合计, 总合计."""
    if text.startswith(_TOTALS):
        return True
    return len(text) <= 16 and _TOTAL_END.search(_COUNT.sub("", text).rstrip(":：")) is not None


def _texts(row: list[Any]) -> list[tuple[int, str]]:
    return [(i, nfkc(clean_text(v)).strip()) for i, v in enumerate(row) if not is_empty(v)]


def _first_text(row: list[Any]) -> str:
    """The first of ``_texts(row)``, or '' (without making the others)."""
    for v in row:
        if not is_empty(v):
            return nfkc(clean_text(v)).strip()
    return ""


# Values whose text is ASCII (numbers, dates, times): no 填报 label can be in them.
_ASCII_TYPES = frozenset({int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta})


def _may_hold(row: list[Any], char: str) -> bool:
    """Whether a cell of ``row`` may hold ``char`` once folded: only ``char`` itself folds
    (NFKC) into a CJK ideograph such as 填, so a row without it in any text holds no label
    (a cheap look before every row's cells are folded)."""
    for v in row:
        if v is None or type(v) in _ASCII_TYPES:
            continue
        if not isinstance(v, str) or char in v:
            return True
    return False


def _labelled(rows: list[list[Any]], pattern: re.Pattern[str], group: int) -> str | None:
    """The text after a label such as 填报单位：, in the same cell or the next one that is
    not the label again (merged over two cells); the colon may be left out (both labels
    start with 填报)."""
    for row in rows:
        if not _may_hold(row, "填"):
            continue
        texts = _texts(row)
        for position, (_, text) in enumerate(texts):
            match = pattern.search(text)
            if not match:
                continue
            value = _STOP.split((match.group(group) or "").strip())[0].strip()
            following = (t for _, t in texts[position + 1:] if t != text)
            if not value:
                value = _STOP.split(next(following, ""))[0].strip()
            if value:
                return value
    return None


def _identity_chars(table: dict[str, str]) -> tuple[frozenset[str], ...]:
    """The characters of each header text ``table`` reads as the name or project id column.

    A cell's normalised header text (``normalise_header``) is its folded text with spaces,
    bracketed parts and a unit ending taken out, lower-cased: every character of it is in
    the cell's folded, space-free text, lower-cased. A name or id cell that lacks some
    character of every such header text cannot be a repeated header, and is not normalised
    (most rows are projects with names of their own, and normalising costs a province more
    than the rest of the row's look)."""
    return tuple(frozenset(key) for key, name in table.items() if name in (NAME, PROJECT_ID))


def _skippable(row: list[Any], header: Header, table: dict[str, str],
               identity: tuple[frozenset[str], ...] | None = None) -> bool:
    """Blank, totals, section heading, note or repeated header: not a project row.

    ``identity``: ``_identity_chars(table)``, made once per sheet by the caller."""
    width = len(row)
    cells = {name: row[col] if col < width else None for col, name in header.columns.items()}
    name_value, id_value = cells.get(NAME), cells.get(PROJECT_ID)
    # blank, or a template row that names no project and holds nothing but zeros (formulas'
    # cached 0)
    if is_empty(name_value) and is_empty(id_value) and all(
            is_empty(v) or (isinstance(v, (int, float)) and v == 0) for v in cells.values()):
        return True
    first = _SPACES.sub("", _first_text(row))
    name_label = _SPACES.sub("", nfkc(clean_text(name_value))) if name_value is not None else ""
    id_label = _SPACES.sub("", nfkc(clean_text(id_value))) if id_value is not None else ""
    if first.startswith(_TOTALS) or name_label.startswith(_TOTALS) \
            or id_label.startswith(_TOTALS):
        return True
    # A section heading (一、续建项目; 一 | 续建项目) or a totals line (续建项目小计) names no
    # project of its own: a row that has a project id, or a name that is neither, is a
    # project, never dropped (a 序号 of “（1）”, a name numbered “（1）县城污水处理厂”).
    if _is_heading(first) or _is_heading(name_label) or _is_total(first) \
            or _is_total(name_label):
        own = [t for t, v in ((name_label, name_value), (id_label, id_value))
               if not is_empty(v) and t and not _is_heading(t) and not _is_total(t)]
        if not own:
            return True
    if _NOTE.match(first):
        return True
    if _numbers_row(row):
        return True
    # a header repeated under the table (printed pages): its name or id cell is a header
    if identity is None:
        identity = _identity_chars(table)
    if not (NAME in cells and _may_be_header(name_label, identity)
            and match_label(normalise_header(name_value), table) == NAME) and not (
            PROJECT_ID in cells and _may_be_header(id_label, identity)
            and match_label(normalise_header(id_value), table) == PROJECT_ID):
        return False
    repeated = sum(1 for col, name in header.columns.items()
                   if col < width and match_label(normalise_header(row[col]), table) == name)
    return repeated >= 2


# 注：, 填表说明：, 审核：, 制表人：, 填报单位（盖章）：: a note or a signature line (the
# label, maybe 人 and a bracket, then a colon)
_NOTE = re.compile("^(?:" + "|".join(sorted(set(NOTE_PREFIXES), key=len, reverse=True))
                   + r")人?(?:[(（][^()（）]{0,8}[)）])?[:：]")
_STEMS = frozenset("甲乙丙丁戊己庚辛壬癸")


def _numbers_row(row: list[Any]) -> bool:
    """A row numbering the columns under the header (甲 乙 丙 1 2 3, or 1 2 3 4 5 6): stems
    and the integers from 1 on, at least three in all."""
    count = expected = 0
    for value in row:
        if is_empty(value):
            continue
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and text in _STEMS and expected == 0:
            count += 1
            continue
        if isinstance(text, str) and text.isdigit():
            text = int(text)
        if type(text) is not int or text != expected + 1:
            return False
        expected = text
        count += 1
    return count >= 3


def _may_be_header(text: str, identity: tuple[frozenset[str], ...]) -> bool:
    """Whether ``text`` (folded, spaces taken out) holds every character of one of the
    header texts in ``identity`` (see ``_identity_chars``)."""
    chars = set(text.lower())
    return any(need <= chars for need in identity)


def extract_rows(rows: list[list[Any]], *, file: str, sheet: str, table: dict[str, str],
                 required: tuple[str, ...], month: int | None = None,
                 year: int | None = None) -> SheetRows:
    """Find the header by aliases and return the sheet's data rows; ``month`` and
    ``year``: the period's, when known (see ``find_header``)."""
    period = (month, year)
    header = find_header(rows, table, required, *period)
    above = rows[: header.first_row] if header else rows[:HEADER_CONTEXT]
    everywhere = rows if header is None else above + rows[header.last_row + 1:]
    unit_line = _labelled(everywhere, _UNIT_LINE, 1)
    date_text = _labelled(everywhere, _DATE_LINE, 2)
    report_date = parse_date(date_text).value if date_text else None
    result = SheetRows(sheet=sheet, header=header, rows=[], unit_line=unit_line,
                       report_date=report_date)
    if header is None:
        return result
    sheet_unit = None
    for row in above:
        for _, text in _texts(row):
            match = _AMOUNT_UNIT.search(text)
            if match:
                sheet_unit = match.group(1)
    layout = row_layout(header, sheet_unit)
    identity = _identity_chars(table)
    # a table above the best header, under a header of its own (一、续建项目 with its header
    # and rows, then 二、新开工项目 with a wider one): its rows are read under its header
    earlier = (find_header(rows[: header.first_row - 1], table, required, *period)
               if header.first_row >= 3 else None)
    if earlier is not None:
        first_layout = row_layout(earlier, sheet_unit)
        count, _, _ = _extend(result, rows, earlier.last_row + 1, header.first_row, earlier,
                              first_layout, table, file, sheet, identity)
        if count:
            result.tables.append((first_layout, count))
    index: int | None = header.last_row + 1
    while index is not None:
        # below, a header that names other columns starts a table of its own
        count, index, following = _extend(result, rows, index, len(rows), header, layout,
                                          table, file, sheet, identity, required, period)
        if count:
            result.tables.append((layout, count))
        if following is None:
            break
        header, layout = following, row_layout(following, sheet_unit)
    return result


def _extend(result: SheetRows, rows: list[list[Any]], start: int, end: int, header: Header,
            layout: Layout, table: dict[str, str], file: str, sheet: str,
            identity: tuple[frozenset[str], ...], required: tuple[str, ...] | None = None,
            period: tuple[int | None, int | None] = (None, None)
            ) -> tuple[int, int | None, Header | None]:
    """Add the data rows of ``rows[start:end]`` read under ``header``: (how many, where
    the next table's rows start, its header). With ``required``, a row left out that is a
    header naming other columns (``_next_header``) ends the table; else none does."""
    before = len(result.rows)
    for index in range(start, end):
        row = rows[index]
        skipped = _skippable(row, header, table, identity)
        # a header is a row left out (the same columns where they were: a repeated one), or
        # a row without a number whose cells name columns elsewhere (二、新开工项目 under
        # 序号 | 项目名称 | 项目编号 after a table of 项目编号 | 项目名称)
        if required is not None and (skipped or _without_numbers(row)):
            following = _next_header(rows, index, header, table, required, identity, period)
            if following is not None:
                return len(result.rows) - before, following.last_row + 1, following
        if not skipped:
            result.rows.append(raw_row(rows, index, layout, file=file, sheet=sheet))
    return len(result.rows) - before, None, None


def _without_numbers(row: list[Any]) -> bool:
    """No cell holds a number (a header's cells are text; a project's amounts and 序号
    are numbers, unless typed as text)."""
    for v in row:
        if type(v) is float or type(v) is int:
            return False
    return True


def _next_header(rows: list[list[Any]], index: int, header: Header, table: dict[str, str],
                 required: tuple[str, ...], identity: tuple[frozenset[str], ...],
                 period: tuple[int | None, int | None] = (None, None)) -> Header | None:
    """The header at ``index`` (placed in the sheet) when it names other columns than
    ``header``, else None. A header repeated (a printed page's), whole or in part, is not
    another: the same columns, or some of them where they were (the lower row of a repeated
    two-row header read alone). Only a row whose name or id cell could be a header's is
    read as one (``_may_be_header``), wherever that cell is: another table's columns may
    be placed otherwise."""
    for v in rows[index]:
        if type(v) is str and _may_be_header(_SPACES.sub("", nfkc(v)), identity):
            break
    else:
        return None
    found = find_header(rows[index: index + 2], table, required, *period)
    if found is None or found.first_row != 0 or found.columns.items() <= header.columns.items():
        return None
    return found.placed(index, index + found.last_row)


# What every data row of a table shares: (column index, name, letter, unit) of each cell,
# and (column index, letter) of each milestone and its done date (None when it has no date
# column).
Layout = tuple[tuple[tuple[int, str, str, str | None], ...],
               tuple[tuple[tuple[int, str], tuple[int, str] | None], ...]]


def row_layout(header: Header, sheet_unit: str | None) -> Layout:
    """A sheet's row layout: plain tuples, so that a reader worker can send it back."""
    milestone_cols = header.repeats.get(MILESTONE, [])
    done_cols = header.repeats.get(MILESTONE_DONE, [])
    cells = tuple((col, name, column_letter(col), header.units.get(col) or sheet_unit)
                  for col, name in header.columns.items())
    pairs = []
    for k, col in enumerate(milestone_cols):
        done = done_cols[k] if k < len(done_cols) else None
        pairs.append(((col, column_letter(col)),
                      (done, column_letter(done)) if done is not None else None))
    return cells, tuple(pairs)


def raw_row(rows: list[list[Any]], index: int, layout: Layout, *, file: str, sheet: str
            ) -> RawRow:
    """The data row at ``index`` (0-based) of a grid, as ``layout`` places its cells."""
    row = rows[index]
    width = len(row)
    cells = {name: Cell(row[col] if col < width else None, letter, unit)
             for col, name, letter, unit in layout[0]}
    pairs: list[tuple[Cell | None, Cell | None]] = []
    for (col, letter), done in layout[1]:
        m_cell = Cell(row[col] if col < width else None, letter, None)
        d_cell = (Cell(row[done[0]] if done[0] < width else None, done[1], None)
                  if done is not None else None)
        pairs.append((m_cell, d_cell))
    return RawRow(file=file, sheet=sheet, row=index + 1, cells=cells, milestones=pairs)


HEADER_CONTEXT = 10
