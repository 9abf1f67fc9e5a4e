"""Build real workbooks with openpyxl for tests: registers and messy unit sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

REGISTER_HEADER = ["项目编号", "项目名称", "项目类别", "行业领域", "责任单位", "联系领导",
                   "总投资（万元）", "年度计划投资（万元）", "计划开工时间", "计划竣工时间",
                   "是否招商引资项目", "合同引资额（万元）"]


def project(pid: str, name: str, category: str = "续建", unit: str = "县交通运输局",
            leader: str = "张明华", total: float = 10000, plan: float = 1200,
            start: Any = None, completion: Any = None, attraction: str = "否",
            contract: Any = None, plans: Sequence[float] | None = None) -> list[Any]:
    row = [pid, name, category, "交通", unit, leader, total, plan, start, completion,
           attraction, contract]
    return row + (list(plans) if plans else [])


def write_register(path: Path, projects: list[list[Any]],
                   milestones: list[tuple[str, str, Any]] | None = None,
                   monthly: bool = False) -> Path:
    """input/register.xlsx with a projects sheet (and milestones when given)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "projects"
    header = REGISTER_HEADER + ([f"{m}月" for m in range(1, 13)] if monthly else [])
    ws.append(header)
    for row in projects:
        ws.append(row)
    if milestones is not None:
        ms = wb.create_sheet("milestones")
        ms.append(["项目编号", "节点名称", "计划完成时间"])
        for item in milestones:
            ms.append(list(item))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_workbook(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], *,
                  title_rows: Sequence[Sequence[Any]] = (), header2: Sequence[Any] | None = None,
                  merges: Sequence[str] = (), sheet: str = "进度表",
                  after: Sequence[Sequence[Any]] = (), extra_sheets: dict[str, list[list[Any]]]
                  | None = None, hidden: Sequence[str] = (),
                  number_formats: dict[str, str] | None = None) -> Path:
    """A unit's sheet: title rows, a header (optionally two rows with merges), data rows.

    Returns the path; cell addresses follow from the rows given (title rows first).
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(header))
    if header2 is not None:
        ws.append(list(header2))
    for row in rows:
        ws.append(list(row))
    for row in after:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for address, fmt in (number_formats or {}).items():
        ws[address].number_format = fmt
    for name, grid in (extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        for row in grid:
            extra.append(row)
        if name in hidden:
            extra.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


TWO_UNITS_HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资"]


def two_units(root: Path) -> None:
    """A small workspace under ``root``: two units, a project and a leader each, and each
    unit's November sheet (ytd 900)."""
    write_register(root / "input/register.xlsx", [
        project("P1", "一号路", unit="甲局", leader="张明华"),
        project("P2", "二号桥", unit="乙镇人民政府", leader="李建国"),
    ])
    for unit, pid, name in (("甲局", "P1", "一号路"), ("乙镇人民政府", "P2", "二号桥")):
        make_workbook(root / f"input/2026-11/{unit}.xlsx", TWO_UNITS_HEADER,
                      [[pid, name, 10, 900]], title_rows=[[f"填报单位：{unit}"]])


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part inside an xlsx, from workbook.xml and its rels."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel)
        target = re.search(r'Target="([^"]+)"', rel)
        if rid and target:
            path = target.group(1)
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else "xl/" + path
    parts = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]+)"', tag)
        rid = re.search(r'r:id="([^"]+)"', tag)
        if name and rid:
            parts[name.group(1)] = targets[rid.group(1)]
    return parts


def _rewrite_zip(path: Path, changed: dict[str, bytes], added: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, changed.get(info.filename, data))
        for name, data in added.items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())


EXCEL_ERRORS = ("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


def set_cached_values(path: Path, values: dict[str, dict[str, Any]]) -> Path:
    """Store cached results next to formulas, as Excel does on save (openpyxl writes none).

    ``values`` maps sheet name -> {"F5": 123.5, "G5": "text", "H5": "#DIV/0!"} (an error as
    ``t="e"``); every addressed cell must hold a formula. The formulas stay in the file.
    """
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        changed = {}
        for sheet, cells in values.items():
            part = parts[sheet]
            xml = archive.read(part).decode("utf-8")
            for address, value in cells.items():
                pattern = re.compile(
                    rf'<c r="{address}"([^>]*)>(<f>.*?</f>)(?:<v\s*/>|<v>.*?</v>)?</c>')
                if isinstance(value, str) and value in EXCEL_ERRORS:   # as Excel saves them
                    cell = rf'<c r="{address}" t="e">\2<v>{escape(value)}</v></c>'
                elif isinstance(value, str):
                    cell = rf'<c r="{address}" t="str">\2<v>{escape(value)}</v></c>'
                else:
                    cell = rf'<c r="{address}"\1>\2<v>{value!r}</v></c>'
                xml, count = pattern.subn(lambda m, cell=cell: m.expand(cell), xml)
                if count != 1:
                    raise ValueError(f"{sheet}!{address} holds no formula")
            changed[part] = xml.encode("utf-8")
    _rewrite_zip(path, changed, {})
    return path


def append_sheet_xml(path: Path, sheet: str, fragment: str) -> Path:
    """Put raw XML at the end of a sheet part (e.g. an <extLst> that openpyxl cannot write)."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_parts(archive)[sheet]
        xml = archive.read(part).decode("utf-8")
    _rewrite_zip(path, {part: xml.replace("</worksheet>", fragment + "</worksheet>").encode()},
                 {})
    return path


# A 是/否 dropdown whose list is on another sheet, as Excel 2010+ stores it.
LIST_VALIDATION_EXT = (
    '<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>{source}</xm:f></x14:formula1><xm:sqref>{cells}</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>")


def add_zip_entry(path: Path, name: str, data: bytes) -> Path:
    """Add one part to an xlsx (e.g. xl/vbaProject.bin to make it a macro workbook)."""
    _rewrite_zip(path, {}, {name: data})
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8",
              bom: bool = False) -> Path:
    """A CSV as Excel or WPS saves it: UTF-8 (optionally with a BOM) or GB18030."""
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(
        ["" if v is None else v for v in row] for row in rows)
    data = text.getvalue().encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xls(path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *,
              merges: dict[str, Sequence[tuple[int, int, int, int]]] | None = None,
              hidden: Sequence[str] = ()) -> Path:
    """A real BIFF8 .xls (needs xlwt). Dates get a date format; merges are
    (first_row, last_row, first_col, last_col), 0-based, holding the top-left value."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, grid in sheets.items():
        sheet = book.add_sheet(name)
        covered = set()
        for r1, r2, c1, c2 in (merges or {}).get(name, ()):
            sheet.merge(r1, r2, c1, c2)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                        if (r, c) != (r1, c1)}
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.visibility = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def col(index: int) -> str:
    return get_column_letter(index)


DATE = dt.date


def pdf_fonts(reader: Any) -> list[tuple[str, bool]]:
    """(base font name, embedded?) for every font of every page of a pypdf reader."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                          if "/DescendantFonts" in font else font["/FontDescriptor"])
            found.append((str(font["/BaseFont"]), any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return found
