"""[IO] Read workbooks and CSV files into grids of cell values (SPEC 3, 4).

Formats are told by their first bytes, never by the extension. A file that cannot be read
becomes a finding; the batch goes on. What is read here is turned into rows by the pure
functions of ``sheet.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Limits
from pipeline.findings import CellRef, Finding, finding

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class Grid:
    """One sheet's values, merged ranges filled with their top-left value."""

    name: str
    rows: list[list[Any]]
    hidden: bool = False


@dataclass
class Book:
    """What one input file gave: its sheets, or the findings that say why it gave none."""

    path: Path
    name: str                  # relative to the period's input folder
    size: int
    sha256: str
    mtime: float
    kind: str                  # xlsx | xlsm | xls | csv | unknown
    grids: list[Grid] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_book(path: Path, name: str, limits: Limits) -> Book:
    """Read one input file; never raises for bad content."""
    stat = path.stat()
    book = Book(path=path, name=name, size=stat.st_size, sha256="", mtime=stat.st_mtime,
                kind="unknown")
    ref = CellRef(name, "")

    def fail(code: str, zh: str, en: str) -> Book:
        book.findings.append(finding(code, zh, en, ref=ref))
        return book

    if Path(name).name.startswith("~$"):
        return fail("unsupported_file",
                    "这是 Office 打开文件时留下的锁文件，不是报表；关闭 Excel/WPS 后删除它",
                    "an Office lock file, not a sheet; close Excel/WPS and delete it")
    if stat.st_size > limits.max_file_mb * 1024 * 1024:
        return fail("file_too_large",
                    f"文件 {stat.st_size / 1048576:.1f} MB，超过上限 {limits.max_file_mb:g} MB；"
                    "请删除多余的工作表和图片后重新报送",
                    f"{stat.st_size / 1048576:.1f} MB is over the {limits.max_file_mb:g} MB "
                    "limit; remove extra sheets and pictures and send it again")
    data = path.read_bytes()
    book.sha256 = sha256_of(data)
    if not data:
        return fail("unreadable_file", "文件是空的（0 字节），请重新报送",
                    "the file is empty (0 bytes); send it again")
    try:
        if data.startswith(ZIP_MAGIC):
            return _read_zip(book, data, limits)
        if data.startswith(OLE_MAGIC):
            return _read_ole(book, data)
        return _read_text(book, data)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a finding, not a crash
        return fail("unreadable_file",
                    f"文件无法读取（{type(exc).__name__}），可能已损坏或未复制完整；"
                    "请用 Excel 打开后另存为 .xlsx 再报送",
                    f"cannot be read ({type(exc).__name__}: {exc}); it may be damaged or "
                    "half-copied: open it in Excel, save as .xlsx and send it again")


def _zip_problem(data: bytes, limits: Limits) -> tuple[str, str] | None:
    """Check a zip's directory before anything parses it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        return (f"压缩包内有 {len(infos)} 个条目，超过 {MAX_ZIP_ENTRIES}",
                f"{len(infos)} zip entries, over {MAX_ZIP_ENTRIES}")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > limits.max_uncompressed_mb * 1048576:
        return (f"解压后 {total / 1048576:.0f} MB，超过上限 {limits.max_uncompressed_mb:g} MB",
                f"{total / 1048576:.0f} MB uncompressed, over {limits.max_uncompressed_mb:g} MB")
    big = [i for i in infos if i.file_size > 1048576]
    worst = max((i.file_size / max(i.compress_size, 1) for i in big), default=0.0)
    if total / packed > limits.max_ratio or worst > limits.max_ratio:
        return (f"压缩比 {max(total / packed, worst):.0f}，超过上限 {limits.max_ratio:g}",
                f"compression ratio {max(total / packed, worst):.0f} over {limits.max_ratio:g}")
    return None


def _read_zip(book: Book, data: bytes, limits: Limits) -> Book:
    ref = CellRef(book.name, "")
    try:
        problem = _zip_problem(data, limits)
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        book.findings.append(finding(
            "unreadable_file", "文件不完整或已损坏（不是完整的 xlsx 压缩包），请重新复制或报送",
            "truncated or damaged (not a complete xlsx zip); copy or send it again", ref=ref))
        return book
    if problem:
        book.findings.append(finding(
            "file_too_large", f"{problem[0]}，疑似异常文件，未读取；请另存为普通 .xlsx 后报送",
            f"{problem[1]}; not read as it looks hostile: save it as a plain .xlsx", ref=ref))
        return book
    if "xl/workbook.xml" not in names:
        book.findings.append(finding(
            "unsupported_file", "不是 Excel 工作簿（可能是 Word 或其他压缩文件），请报送 .xlsx",
            "not an Excel workbook (a Word file or another zip?); send an .xlsx", ref=ref))
        return book
    book.kind = "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if book.kind == "xlsm":
        book.findings.append(finding(
            "macros_present", "文件含宏，只读取了数值，宏未运行；以后请另存为 .xlsx",
            "the workbook has macros: values were read, macros never run; save as .xlsx",
            ref=ref))
    book.grids = _openpyxl_grids(data)
    return book


def _openpyxl_grids(data: bytes) -> list[Grid]:
    import openpyxl  # IO edge: only this module opens workbooks

    with warnings.catch_warnings():
        # openpyxl warns about parts it would drop on save (data-validation lists that refer
        # to another sheet, slicers…); nothing is saved here, and the values are all read.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_vba=False,
                                          keep_links=False, rich_text=False)
    grids = []
    for sheet in workbook.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top = sheet.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                row = rows[r]
                if len(row) < merged.max_col:
                    row.extend([None] * (merged.max_col - len(row)))
                for c in range(merged.min_col - 1, merged.max_col):
                    row[c] = top
        grids.append(Grid(sheet.title, rows, hidden=sheet.sheet_state != "visible"))
    workbook.close()
    return grids


def _read_ole(book: Book, data: bytes) -> Book:
    ref = CellRef(book.name, "")
    if "EncryptionInfo".encode("utf-16-le") in data:
        book.findings.append(finding(
            "encrypted_file", "文件设了打开密码，无法读取；请取消密码后重新报送",
            "the workbook is password-protected; remove the password and send it again",
            ref=ref))
        return book
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError:
        book.findings.append(finding(
            "unsupported_file", "不是可读取的 Excel 文件（可能是 WPS .et 格式），请另存为 .xlsx",
            "not a readable Excel file (a WPS .et?); save it as .xlsx and send it again",
            ref=ref))
        return book
    book.kind = "xls"
    book.grids = _calamine_grids(workbook)
    return book


def _calamine_grids(workbook: Any) -> list[Grid]:
    grids = []
    for meta in workbook.sheets_metadata:
        if str(meta.typ).split(".")[-1].lower() not in ("worksheet", "worksheettype"):
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        rows = [[_calamine_value(v) for v in row]
                for row in sheet.to_python(skip_empty_area=False)]
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
            top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            for r in range(r0, min(r1 + 1, len(rows))):
                for c in range(c0, min(c1 + 1, len(rows[r]))):
                    rows[r][c] = top
        hidden = str(meta.visible).split(".")[-1].lower() != "visible"
        grids.append(Grid(meta.name, rows, hidden=hidden))
    return grids


def _calamine_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.time):
        return None
    return value


def _read_text(book: Book, data: bytes) -> Book:
    ref = CellRef(book.name, "")
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    # HTML/XML tables and .mht web archives that Excel, WPS and web systems save as ".xls"
    if head.startswith((b"<", b"mime-version:")):
        book.findings.append(finding(
            "unsupported_file", "这是网页（HTML/XML/MHT）另存的文件，不是真正的 Excel；请用 Excel 另存为 .xlsx",
            "an HTML/XML/MHT page saved with a spreadsheet name; open it in Excel and save as "
            ".xlsx", ref=ref))
        return book
    if b"\x00" in data[:4096]:
        book.findings.append(finding(
            "unsupported_file", "不是 Excel 或 CSV 文件，请报送 .xlsx",
            "neither an Excel workbook nor a CSV file; send an .xlsx", ref=ref))
        return book
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        book.findings.append(finding(
            "unsupported_file", "文本编码无法识别（应为 UTF-8 或 GB18030），请另存为 .xlsx",
            "text in an unknown encoding (UTF-8 or GB18030 expected); save it as .xlsx",
            ref=ref))
        return book
    book.kind = "csv"
    rows: list[list[Any]] = [[cell if cell.strip() else None for cell in row]
                             for row in csv.reader(io.StringIO(text, newline=""))]
    book.grids = [Grid(Path(book.name).stem, rows)]
    return book


def list_inputs(folder: Path) -> list[tuple[Path, str]]:
    """Every file below the period's folder, as (path, name relative to it), sorted."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sorted((p, p.relative_to(folder).as_posix()) for p in files)
