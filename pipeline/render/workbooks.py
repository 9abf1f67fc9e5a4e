"""[IO] The Excel outputs: ``ledger.xlsx`` (the reconciled ledger, one sheet a view) and
``units/<unit>-marked.xlsx`` (a unit's own workbook with every finding cell filled and
commented).

Every text cell is written as a string, never parsed: a project name or a unit's words
starting with ``=`` stay text in Excel and WPS, not formulas.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

# pipeline.read makes openpyxl parse with defusedxml: it must be imported before openpyxl
from pipeline.read import Book, require_safe_xml  # isort: split

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.check import Row
from pipeline.findings import Finding
from pipeline.render.labels import label, label_or
from pipeline.render.pages import split_message
from pipeline.xlsx import workbook_bytes

LIGHT_FILLS = {"green": "8FD694", "yellow": "FFE066", "red": "F08080", "grey": "D0D0D0"}
SEVERITY_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
WAN = '#,##0.00'               # 万元, two decimals
PCT = '0.0%'
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
THIN = Side(style="thin", color="999999")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


class Column(NamedTuple):
    key: str                   # the frame's column
    header: str                # label key
    kind: str                  # text | wan | pct | int | num | light | label | flag
    width: float


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value: text always as a string (never a formula), numbers as numbers,
    missing as an empty cell."""
    cell = ws.cell(row=row, column=column)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return cell
    if isinstance(value, (bool, int, float)):
        cell.value = value
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"
    return cell


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unused worksheet title (31 characters, no []:*?/\\)."""
    base = _SHEET_TITLE_BAD.sub("_", name).strip("'") or "Sheet"
    title, n = base[:31], 1
    while title.lower() in {t.lower() for t in taken}:
        n += 1
        title = f"{base[:31 - len(str(n)) - 1]}-{n}"
    taken.add(title)
    return title


def _table(ws: Worksheet, columns: Sequence[Column], records: Sequence[Mapping[str, Any]],
           lang: str) -> None:
    """Header row, data rows with formats and light fills, frozen header, autofilter."""
    bold = Font(bold=True)
    for c, column in enumerate(columns, start=1):
        header = label(column.header, lang)
        if column.kind == "wan":
            header += label("unit_wan_suffix", lang)
        cell = put(ws, 1, c, header)
        cell.font, cell.fill = bold, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=THIN)
        ws.column_dimensions[get_column_letter(c)].width = column.width
    for r, record in enumerate(records, start=2):
        for c, column in enumerate(columns, start=1):
            value = record.get(column.key)
            missing = value is None or value is pd.NA or (isinstance(value, float)
                                                          and math.isnan(value))
            if column.kind == "light":
                code = "" if missing else str(value)
                cell = put(ws, r, c, label_or(code, lang, code) if code else None)
                if code in LIGHT_FILLS:
                    cell.fill = _fill(LIGHT_FILLS[code])
                cell.alignment = Alignment(horizontal="center")
            elif column.kind == "severity":
                code = "" if missing else str(value)
                cell = put(ws, r, c, label_or(code, lang, code) if code else None)
                if code in SEVERITY_FILLS:
                    cell.fill = _fill(SEVERITY_FILLS[code])
            elif column.kind == "label":
                codes = "" if missing else str(value)
                put(ws, r, c, label("name_join", lang).join(
                    label_or(code, lang, code) for code in codes.split(";") if code) or None)
            elif column.kind == "flag":
                put(ws, r, c, None if missing else label("yes" if value else "no", lang))
            elif column.kind == "text":
                put(ws, r, c, None if missing else str(value))
            else:
                number = None if missing else float(value)  # type: ignore[arg-type]
                cell = put(ws, r, c, int(number) if column.kind == "int" and number is not None
                           else number)
                cell.number_format = {"wan": WAN, "pct": PCT, "int": "0",
                                      "num": "0.00"}.get(column.kind, "General")
    ws.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(records) + 1)}"
    ws.row_dimensions[1].height = 30


PROJECT_COLUMNS = (
    Column("rank", "col_rank", "int", 6), Column("project_id", "col_project_id", "text", 13),
    Column("name", "col_name", "text", 40), Column("category", "col_category", "label", 10),
    Column("sector", "col_sector", "text", 10), Column("unit", "col_unit", "text", 22),
    Column("leader", "col_leader", "text", 10),
    Column("total_investment", "col_total_investment", "wan", 14),
    Column("annual_plan", "col_annual_plan", "wan", 14),
    Column("month_done", "col_month_done", "wan", 13),
    Column("ytd_done", "col_ytd_done", "wan", 14),
    Column("completion_rate", "col_completion_rate", "pct", 9),
    Column("time_progress", "col_time_progress", "pct", 9),
    Column("progress_index", "col_progress_index", "num", 9),
    Column("lag_pp", "col_lag_pp", "num", 10), Column("light", "col_light", "light", 8),
    Column("light_reason", "col_light_reason", "label", 14),
    Column("category_rank", "col_category_rank", "int", 8),
    Column("escalation", "col_escalation", "label", 10),
    Column("reported", "col_reported", "flag", 7),
    Column("problem_type", "col_problem_type", "label", 10),
    Column("problem", "col_problem", "text", 40),
    Column("coordination", "col_text", "text", 40),
    Column("physical_progress", "col_physical_progress", "text", 40),
    Column("force_majeure", "col_claim", "text", 20),
)
UNIT_COLUMNS = (
    Column("rank", "col_rank", "int", 6), Column("unit", "col_unit", "text", 24),
    Column("score", "col_score", "num", 8), Column("investment", "col_investment", "pct", 9),
    Column("starts", "col_starts", "pct", 9), Column("milestones", "col_milestones", "pct", 9),
    Column("reporting", "col_reporting", "pct", 9), Column("projects", "col_projects", "int", 8),
    Column("reported", "col_reported", "int", 8), Column("green", "green", "int", 7),
    Column("yellow", "yellow", "int", 7), Column("red", "red", "int", 7),
    Column("grey", "grey", "int", 7),
)
FINDING_COLUMNS = (
    Column("severity", "col_severity", "severity", 8), Column("code", "col_code", "text", 20),
    Column("file", "col_file", "text", 32), Column("sheet", "col_sheet", "text", 10),
    Column("cell", "col_cell", "text", 8), Column("row", "col_row", "int", 6),
    Column("project_id", "col_project_id", "text", 13), Column("unit", "col_unit", "text", 22),
    Column("message", "col_message", "text", 90),
)
LIST_COLUMNS = (
    Column("list", "col_list", "label", 8), Column("kind", "col_kind", "label", 8),
    Column("rank", "col_number", "int", 6), Column("id", "col_id", "text", 22),
    Column("name", "col_name", "text", 40), Column("reason", "col_reason", "label", 20),
)
ATTRACTION_COLUMNS = (
    Column("scope", "col_scope", "text", 24), Column("signed", "col_signed", "int", 9),
    Column("performing", "col_performing", "int", 9), Column("started", "col_started", "int", 9),
    Column("contract_amount", "col_contract", "wan", 14),
    Column("funds_in_place", "col_funds", "wan", 14),
    Column("performance_rate", "col_performance_rate", "pct", 10),
    Column("funds_rate", "col_funds_rate", "pct", 10),
    Column("start_rate", "col_start_rate", "pct", 10),
)
COORDINATION_COLUMNS = (
    Column("leader", "col_leader", "text", 10), Column("project_id", "col_project_id", "text", 13),
    Column("name", "col_name", "text", 36), Column("unit", "col_unit", "text", 22),
    Column("problem_type", "col_problem_type", "label", 12),
    Column("text", "col_problem", "text", 70), Column("months", "col_months", "int", 9),
)


def _records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    return [] if frame.empty else frame.to_dict("records")


def _save(wb: Workbook, created: dt.datetime | None) -> bytes:
    if created is not None:
        return workbook_bytes(wb, created)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ledger(*, projects: pd.DataFrame, units: pd.DataFrame, findings: Sequence[tuple[Any, ...]],
           finding_columns: Sequence[str], lists: pd.DataFrame, attraction: pd.DataFrame,
           coordination: pd.DataFrame, lang: str, created: dt.datetime | None = None) -> bytes:
    """ledger.xlsx: projects, units, findings, lists, attraction, coordination as sheets.

    ``findings`` are the rows of data/findings.csv (``finding_columns`` names them), so the
    sheet and the CSV list the same findings in the same order.
    """
    wb = Workbook()
    wb.remove(wb.active)
    ordered = projects.assign(_unranked=projects["rank"].isna()).sort_values(
        ["_unranked", "rank", "project_id"], kind="mergesort") if not projects.empty else projects
    unit_columns = list(UNIT_COLUMNS)
    if "group" in units.columns:
        unit_columns.insert(2, Column("group", "col_group", "text", 10))
    ranked_units = (units.sort_values((["group"] if "group" in units.columns else [])
                                      + ["rank", "unit"], kind="mergesort")
                    if not units.empty else units)
    names = dict(zip(projects["project_id"], projects["name"])) if not projects.empty else {}
    items = [{**record, "name": names.get(record.get("project_id"), "")}
             for record in _records(coordination)]
    sheets = (
        ("sheet_projects", PROJECT_COLUMNS, _records(ordered)),
        ("sheet_units", unit_columns, _records(ranked_units)),
        ("sheet_findings", FINDING_COLUMNS,
         [dict(zip(finding_columns, row)) for row in findings]),
        ("sheet_lists", LIST_COLUMNS, _records(lists)),
        ("sheet_attraction", ATTRACTION_COLUMNS,
         [{**r, "scope": label("county_scope", lang) if r.get("scope") == "county"
           else r.get("scope")} for r in _records(attraction)]),
        ("sheet_coordination", COORDINATION_COLUMNS, items),
    )
    for title, columns, records in sheets:
        ws = wb.create_sheet(label(title, lang))
        _table(ws, columns, records, lang)
        if title == "sheet_units":
            for c, column in enumerate(columns, start=1):
                if column.key in LIGHT_FILLS:
                    ws.cell(row=1, column=c).fill = _fill(LIGHT_FILLS[column.key])
    return _save(wb, created)


# --- marked copies --------------------------------------------------------------------------

def primary_book(books: Sequence[Book], rows: Sequence[Row]) -> Book | None:
    """The one of a unit's books to mark: the one that gave most of its used rows; ties go to
    the latest modified file, then the last by name. Books that could not be read (no
    sheets) are never chosen."""
    readable = [b for b in books if b.grids]
    if not readable:
        return None
    used: dict[str, int] = {}
    for row in rows:
        if row.disposition == "used":
            used[row.raw.file] = used.get(row.raw.file, 0) + 1
    return max(readable, key=lambda b: (used.get(b.name, 0), b.mtime, b.name))


def _comment_text(found: Sequence[Finding], lang: str) -> str:
    lines = []
    for f in found:
        what, fix = split_message(f, lang)
        lines.append(f"【{label(str(f.severity), lang)}】"
                     f"{label('sentence_gap', lang).join(filter(None, (what, fix)))}")
    return "\n".join(lines)


def _anchor(ws: Worksheet, coordinate: str) -> Cell:
    """The cell to mark: a merged range's top-left cell stands for all of it."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return ws.cell(row=merged.min_row, column=merged.min_col)
    return ws[coordinate]


def _values_workbook(book: Book) -> tuple[Workbook, dict[str, str]]:
    """A new workbook holding the values of a .csv or .xls book; sheet name -> title."""
    wb = Workbook()
    wb.remove(wb.active)
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for grid in book.grids:
        ws = wb.create_sheet(sheet_title(grid.name, taken))
        titles[grid.name] = ws.title
        for r, values in enumerate(grid.rows, start=1):
            for c, value in enumerate(values, start=1):
                put(ws, r, c, value)
        for c in range(1, max((len(v) for v in grid.rows), default=0) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 16
    return wb, titles


def _copy_workbook(book: Book) -> tuple[Workbook, dict[str, str]] | None:
    """The unit's workbook as it sent it, or None when it cannot be copied (changed since it
    was read, or more than openpyxl can load with styles): then the values are copied."""
    try:
        data = book.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != book.sha256:
            return None
        require_safe_xml()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            # from bytes: openpyxl would refuse a workbook whose name ends in .xls
            wb = load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False,
                               rich_text=False)
    except Exception:  # noqa: BLE001 - the values copy still marks every finding
        return None
    return wb, {ws.title: ws.title for ws in wb.worksheets}


def marked_copy(book: Book, findings: Sequence[Finding], *, lang: str, author: str,
                others: Sequence[Finding] = (), created: dt.datetime | None = None) -> bytes:
    """A copy of ``book`` with each cell that has a finding filled (by its worst severity)
    and commented, and a review sheet at the end listing every finding with a link to its
    cell. ``others`` are findings in the unit's other files, listed on the review sheet.

    .xlsx and .xlsm are copied whole (macros dropped, formulas and styles kept); .csv and
    .xls become a new .xlsx of their values.
    """
    copied = _copy_workbook(book) if book.kind in ("xlsx", "xlsm") else None
    wb, titles = copied or _values_workbook(book)
    at: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        ref = f.ref
        if ref is None or ref.row is None or ref.sheet not in titles:
            continue
        at.setdefault((titles[ref.sheet], f"{ref.column or 'A'}{ref.row}"), []).append(f)
    for (title, coordinate), found in at.items():
        ws = wb[title]
        cell = _anchor(ws, coordinate)
        worst = min(found, key=lambda f: SEVERITY_RANK.get(str(f.severity), 3))
        cell.fill = _fill(SEVERITY_FILLS.get(str(worst.severity), "DDEBF7"))
        text = _comment_text(found, lang)
        comment = Comment(text, author)
        comment.width = 320
        comment.height = 40 + 18 * (text.count("\n") + 1 + len(text) // 28)
        cell.comment = comment
    review = wb.create_sheet(sheet_title(label("sheet_marks", lang), set(wb.sheetnames)))
    put(review, 1, 1, label("marked_intro", lang))
    review.merge_cells("A1:E1")
    review.row_dimensions[1].height = 36
    review["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    headers = ("col_file", "col_sheet", "col_cell", "col_severity", "col_message")
    for c, (key, width) in enumerate(zip(headers, (28, 12, 8, 8, 90)), start=1):
        cell = put(review, 2, c, label(key, lang))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        review.column_dimensions[get_column_letter(c)].width = width
    row = 3
    for f in list(findings) + list(others):
        ref = f.ref
        mine = f in findings
        what, fix = split_message(f, lang)
        if ref is None:      # a project's finding (not_reported): no cell to point at
            put(review, row, 1, f"{label('findings_project_level', lang)}（{f.project_id or ''}）")
        else:
            put(review, row, 1, ref.file + ("" if mine else label("marked_other_file", lang)))
        put(review, row, 2, titles.get(ref.sheet, ref.sheet) if ref else "")
        cell = put(review, row, 3, ref.cell if ref and ref.row is not None else "")
        if mine and ref is not None and ref.row is not None and ref.sheet in titles:
            title = titles[ref.sheet].replace("'", "''")
            cell.hyperlink = f"#'{title}'!{ref.column or 'A'}{ref.row}"
            cell.font = Font(color="0563C1", underline="single")
        severity = put(review, row, 4, label(str(f.severity), lang))
        severity.fill = _fill(SEVERITY_FILLS.get(str(f.severity), "DDEBF7"))
        message = put(review, row, 5, label("sentence_gap", lang).join(filter(None, (what, fix))))
        message.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    review.freeze_panes = "A3"
    return _save(wb, created)

