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
import os
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Limits
from pipeline.errors import KeyprojError
from pipeline.findings import CellRef, Finding, finding

# openpyxl parses with lxml when it is installed, and lxml's fromstring ignores defusedxml;
# this must be set before openpyxl is first imported (require_safe_xml checks it was).
os.environ.setdefault("OPENPYXL_LXML", "False")

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_ENTRIES = 10_000
# A unit's monthly sheet has a few thousand cells. openpyxl needs ~10 s and ~400 MB for a
# million, so a workbook is refused above these, before it is parsed, with a finding.
MAX_CELLS = 500_000            # cells (and cells covered by merged ranges) in the XML
MAX_ROWS = 100_000             # rows of a sheet, up to its last value
MAX_GRID = 1_000_000           # rows x columns of a workbook's sheets, up to their last values
PLAIN_TYPES = (str, int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta)
# One message whatever stopped the reader (memory, time, a crash), so that findings.csv does
# not change with where a parser happened to run out; the cause goes to the log.
READER_STOPPED = (
    ("读取时超出内存或时间上限（或读取程序崩溃），疑似异常或损坏的文件，未读取；"
     "请用 Excel 打开后另存为 .xlsx 再报送"),
    ("reading it ran over the reader's memory or time limit, or crashed it: the file looks "
     "hostile or damaged and was not read; open it in Excel, save it as .xlsx and send it "
     "again"))


def require_safe_xml() -> None:
    """Refuse to read workbooks unless openpyxl parses their XML with defusedxml, which
    turns entity declarations (billion laughs, external entities) into errors."""
    try:
        import defusedxml  # noqa: F401
    except ImportError:
        raise KeyprojError(
            "缺少 defusedxml，拒绝读取工作簿（无法防御 XML 实体攻击）；请安装：pip install defusedxml "
            "/ defusedxml is missing, so workbooks are not read (XML entity attacks could not "
            "be stopped): pip install defusedxml") from None
    from openpyxl.reader import strings
    from openpyxl.worksheet import _reader
    from openpyxl.xml import functions

    parsers = (functions.fromstring, functions.iterparse, strings.iterparse, _reader.iterparse)
    unsafe = [f"{p.__module__}.{p.__name__}" for p in parsers
              if not p.__module__.startswith("defusedxml")]
    if unsafe:
        raise KeyprojError(
            f"openpyxl 未使用 defusedxml 解析 XML（{', '.join(unsafe)}），拒绝读取工作簿；"
            "请设置环境变量 OPENPYXL_LXML=False 和 OPENPYXL_DEFUSEDXML=True / openpyxl does "
            f"not parse with defusedxml ({', '.join(unsafe)}), so workbooks are not read: set "
            "OPENPYXL_LXML=False and OPENPYXL_DEFUSEDXML=True")


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
    # the data rows as a reader worker checked them (submission.Checked), or None: then
    # they are checked when the period is (a cache: what the book is does not depend on it)
    checked: Any = field(default=None, repr=False, compare=False)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_book(path: Path, name: str, limits: Limits) -> Book:
    """Read one input file; never raises for bad content."""
    ref = CellRef(name, "")
    try:
        stat = path.stat()
    except OSError as exc:
        return Book(path=path, name=name, size=0, sha256="", mtime=0.0, kind="unknown",
                    findings=[_not_opened(ref, exc)])
    book = Book(path=path, name=name, size=stat.st_size, sha256="", mtime=stat.st_mtime,
                kind="unknown")

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
    try:
        data = path.read_bytes()
    except OSError as exc:
        book.findings.append(_not_opened(ref, exc))
        return book
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
    except KeyprojError:
        raise
    except MemoryError:
        # the finding is made below, once the traceback (and the parser's objects its frames
        # hold) is gone: there is no memory to make it with here
        pass
    except Exception as exc:  # noqa: BLE001 - any parser failure is a finding, not a crash
        book.grids = []
        if _is_defused(exc):
            return fail("unreadable_file",
                        "文件的 XML 中声明了实体（DTD），Excel 从不这样保存，疑似恶意文件，未读取；"
                        "请用 Excel 另存为 .xlsx 后报送",
                        "its XML declares entities (a DTD), which Excel never writes: it looks "
                        "hostile and was not read; save it from Excel as .xlsx and send it again")
        return fail("unreadable_file",
                    f"文件无法读取（{type(exc).__name__}），可能已损坏或未复制完整；"
                    "请用 Excel 打开后另存为 .xlsx 再报送",
                    f"cannot be read ({type(exc).__name__}: {exc}); it may be damaged or "
                    "half-copied: open it in Excel, save as .xlsx and send it again")
    data = b""
    book.grids = []
    return fail("unreadable_file", *READER_STOPPED)



def _not_opened(ref: CellRef, exc: OSError) -> Finding:
    reason = exc.strerror or type(exc).__name__
    return finding("unreadable_file", f"文件无法打开（{reason}），请检查文件权限或重新复制",
                   f"cannot be opened ({reason}): check its permissions or copy it again",
                   ref=ref)


def _is_defused(exc: BaseException | None) -> bool:
    """Whether defusedxml stopped the parse (openpyxl wraps its exception in a ValueError)."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _zip_problem(data: bytes, limits: Limits) -> tuple[str, str] | None:
    """Check a zip's directory before anything parses it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _directory_problem(archive.infolist(), limits)


def _directory_problem(infos: list[zipfile.ZipInfo], limits: Limits) -> tuple[str, str] | None:
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
        archive = zipfile.ZipFile(io.BytesIO(data))
        problem = _directory_problem(archive.infolist(), limits)
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        book.findings.append(finding(
            "unreadable_file", "文件不完整或已损坏（不是完整的 xlsx 压缩包），请重新复制或报送",
            "truncated or damaged (not a complete xlsx zip); copy or send it again", ref=ref))
        return book
    with archive:
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
        scan = _scan_xml(data, archive)
    if scan.problem:
        book.findings.append(finding("file_too_large", *scan.problem, ref=ref))
        return book
    book.kind = "xlsm" if any(_is_vba_part(n) for n in names) else "xlsx"
    if book.kind == "xlsm":
        book.findings.append(finding(
            "macros_present", "文件含宏，只读取了数值，宏未运行；以后请另存为 .xlsx",
            "the workbook has macros: values were read, macros never run; save as .xlsx",
            ref=ref))
    if scan.calamine_safe:
        try:
            book.grids = _calamine_xlsx_grids(data, _Budget())
            return book
        except Exception:  # noqa: BLE001 - calamine could not: openpyxl says what is wrong
            book.grids = []
    return _with_grids(book, lambda budget: _openpyxl_grids(data, budget))


def _calamine_xlsx_grids(data: bytes, budget: _Budget) -> list[Grid]:
    """The fast path: python-calamine reads the cached values, the same as openpyxl's
    (tests/test_fast_reader.py holds the two to the same grids)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return _calamine_grids(workbook, budget)


def _is_vba_part(name: str) -> bool:
    return name.lower().rsplit("/", 1)[-1] in ("vbaproject.bin", "vbaprojectsignature.bin")


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_MERGE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=[\"']"
                        rb"\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})")


_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br=[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_PLAIN_CELL_TAG = re.compile(rb"<c[\s/>]")
_PLAIN_CELL_REF = re.compile(rb"<c\s[^>]*?\br=[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ERROR_CELL = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt\s*=\s*["']e["']""")


@dataclass
class _Scan:
    """What a streaming look at a workbook's XML tells before any parser runs."""

    problem: tuple[str, str] | None = None
    doctype: bool = False             # a DTD or entity declaration somewhere
    unplaced: bool = False            # a cell without an r="A1" reference
    errors: bool = False              # a cell holding an error (#DIV/0!, #REF!)
    boxes: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> rows, columns

    @property
    def calamine_safe(self) -> bool:
        """python-calamine builds a dense grid up to the last cell and aborts the process
        when it cannot, and it does not refuse DTDs: it gets only plain, compact sheets.
        It also reads an error cell (#DIV/0!) as empty: openpyxl keeps its text, which is
        then no number (bad_number), not a missing one."""
        if self.problem or self.doctype or self.unplaced or self.errors:
            return False
        area = sum(rows * cols for rows, cols in self.boxes.values())
        return all(rows <= MAX_ROWS for rows, _ in self.boxes.values()) and area <= MAX_GRID


def _scan_xml(data: bytes, archive: zipfile.ZipFile | None = None) -> _Scan:
    """Count the cells (and the cells merged ranges cover) in every XML part, streaming, so
    that a sheet of millions of tiny cells or one merged range over a whole sheet is refused
    before a parser builds an object for each; note each part's extent and any DTD.

    ``archive``: ``data`` already opened (a province has thousands of small workbooks, and
    reading a zip's directory costs as much as a part)."""
    if archive is None:
        with zipfile.ZipFile(io.BytesIO(data)) as opened:
            return _scan_xml(data, opened)
    scan = _Scan()
    cells = 0
    for info in archive.infolist():
        if not info.filename.lower().endswith(".xml"):
            continue
        rows = cols = 0
        for body in _bodies(data, archive, info):
            # each pattern is looked for only where the text it starts with is (the finds
            # below are most of the cost of a small workbook's scan)
            if b"<c" in body or b":c" in body:
                tags, refs = _cells(body)
                cells += tags
                scan.unplaced |= len(refs) < tags
                if refs:
                    letters, numbers = zip(*refs)
                    rows = max(rows, max(map(int, set(numbers))))
                    cols = max(cols, max(map(_col_number, set(letters))))
            if b"<!" in body:
                scan.doctype |= bool(_DOCTYPE.search(body))
            if b'"e"' in body or b"'e'" in body:
                scan.errors |= bool(_ERROR_CELL.search(body))
            if b"mergeCell" in body:
                for a, r1, b, r2 in _MERGE_TAG.findall(body):
                    width = abs(_col_number(b) - _col_number(a)) + 1
                    cells += width * (abs(int(r2) - int(r1)) + 1)
            if cells > MAX_CELLS:
                scan.problem = _TOO_MANY_CELLS
                return scan
        if rows or cols:
            scan.boxes[info.filename] = (rows, cols)
    return scan


def _bodies(data: bytes, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's text in pieces that split no tag: a small part (most of them) whole; any
    other in 1 MB chunks, each cut before its last "<", and what follows the last cut."""
    whole = _part_bytes(data, info)
    if whole is not None:
        yield whole
        return
    carry = b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 20):
            text = carry + chunk
            cut = text.rfind(b"<", max(0, len(text) - 65536))
            body, carry = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
            yield body
    yield carry


def _cells(body: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    """The cell tags in ``body`` and the (letters, digits) of the references they carry.

    A cell tag with a namespace prefix (<x:c r="A1">) has “:c” then a space, “/” or “>”;
    where there is none, the patterns without a prefix find the same tags, at a third of
    the cost (they start with a fixed “<c”)."""
    if _PREFIXED_CELL.search(body) is None:
        tags = len(_PLAIN_CELL_TAG.findall(body))
        return tags, _PLAIN_CELL_REF.findall(body) if tags else []
    tags = len(_CELL_TAG.findall(body))
    return tags, _CELL_REF.findall(body) if tags else []


_LOCAL_HEADER = struct.Struct("<4s22xHH")      # signature ... name length, extra length
_SMALL_PART = 1 << 20


def _part_bytes(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A small stored or deflated part decompressed at once with zlib, as ``archive.open``
    would give it (the same bytes, the same CRC check), without the cost of its file object,
    most of a small workbook's scan; None for any other (read it through ``archive.open``,
    which says what is wrong with a part that is not plain).

    Only a part whose sizes are plausible goes the quick way: deflate never makes data more
    than a little larger, so a directory that claims 40 MB packed for 4 bytes (many entries
    on one huge local record) goes through zipfile, which reads no more than it needs; and
    its local header must name the part as the directory does, as zipfile checks."""
    start = info.header_offset
    size, packed = info.file_size, info.compress_size
    plausible = packed == size if info.compress_type == 0 else \
        info.compress_type == 8 and packed <= size + (size >> 10) + 64
    if size > _SMALL_PART or not plausible or info.flag_bits & 0x1 or start + 30 > len(data):
        return None
    magic, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    begin = start + 30 + name_length + extra_length
    raw = memoryview(data)[begin:begin + packed]
    if magic != b"PK\x03\x04" or len(raw) != packed \
            or data[start + 30:start + 30 + name_length] != _raw_name(info):
        return None
    try:
        body = bytes(raw) if info.compress_type == 0 else \
            zlib.decompressobj(-15).decompress(raw, size + 1)
    except zlib.error:
        return None
    return body if len(body) == size and zlib.crc32(body) == info.CRC else None


def _raw_name(info: zipfile.ZipInfo) -> bytes | None:
    """A part's name as its local header should hold it (zipfile's encodings)."""
    try:
        return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeEncodeError:
        return None


_TOO_MANY_CELLS = (
    (f"工作簿的单元格（含合并单元格）超过 {MAX_CELLS:,} 个，疑似异常文件，未读取；"
     "请删除多余的行列和合并后另存为 .xlsx"),
    (f"over {MAX_CELLS:,} cells (merged ranges counted): it looks hostile and was not read; "
     "delete the stray rows, columns and merges and save it as .xlsx again"))


def _col_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(ch) - 64
    return number


class _SheetTooLarge(Exception):
    """A sheet whose values reach further than MAX_ROWS / MAX_GRID allow."""

    def __init__(self, sheet: str, height: int, width: int) -> None:
        super().__init__(sheet)
        self.sheet, self.height, self.width = sheet, height, width


class _Budget:
    """The grid cells a workbook may make, taken sheet by sheet before each grid is built:
    values far apart (A1 and XFD1048576) would make a grid of billions of empty cells, and a
    workbook of many such sheets would fill the parent process too, once handed back."""

    def __init__(self) -> None:
        self.cells = 0

    def take(self, sheet: str, height: int, width: int) -> None:
        self.cells += height * width
        if height > MAX_ROWS or self.cells > MAX_GRID:
            raise _SheetTooLarge(sheet, height, width)


def _with_grids(book: Book, make: Any) -> Book:
    """Keep the grids ``make(budget)`` returns, unless a sheet's values reach too far (a
    stray cell at XFD1048576): then the file gets one finding and no grids."""
    try:
        book.grids = make(_Budget())
    except _SheetTooLarge as big:
        from pipeline.sheet import column_letter

        corner = f"{column_letter(max(big.width - 1, 0))}{big.height}"
        book.findings.append(finding(
            "file_too_large",
            f"工作表“{big.sheet}”的数据远至单元格 {corner}（超过 {MAX_ROWS:,} 行，或全部工作表"
            f"超过 {MAX_GRID:,} 个单元格），未读取；请删除远处多余的单元格后重新报送",
            f"sheet “{big.sheet}” has values as far as {corner} (over {MAX_ROWS:,} rows, or "
            f"over {MAX_GRID:,} cells in all sheets) and was not read; delete the stray cells "
            "far from the table and send it again", ref=CellRef(book.name, "")))
    return book


def _plain(value: Any) -> Any:
    """A value a worker can hand back as-is: anything else openpyxl makes becomes text."""
    return value if value is None or isinstance(value, PLAIN_TYPES) else str(value)


def _openpyxl_grids(data: bytes, budget: _Budget) -> list[Grid]:
    require_safe_xml()
    import openpyxl  # IO edge: only this module opens workbooks

    with warnings.catch_warnings():
        # openpyxl warns about parts it would drop on save (data-validation lists that refer
        # to another sheet, slicers…); nothing is saved here, and the values are all read.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_vba=False,
                                          keep_links=False, rich_text=False)
    grids = []
    for sheet in workbook.worksheets:
        # up to the last cell holding a value: styled empty cells far out (or a dimension
        # that lies) must not make a grid of millions of empty cells
        values = {key: cell.value for key, cell in sheet._cells.items()
                  if cell.value is not None}
        spans = [(m.max_row, m.max_col) for m in sheet.merged_cells.ranges
                 if (m.min_row, m.min_col) in values]
        height = max((r for r, _ in [*values, *spans]), default=0)
        width = max((c for _, c in [*values, *spans]), default=0)
        budget.take(sheet.title, height, width)
        rows: list[list[Any]] = [[None] * width for _ in range(height)]
        for (r, c), value in values.items():
            rows[r - 1][c - 1] = _plain(value)
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
    """An OLE compound file: .xls (BIFF8), or what else hides in one — a password-protected
    .xlsx (EncryptionInfo + EncryptedPackage), a password-protected .xls (FILEPASS), WPS .et."""
    ref = CellRef(book.name, "")
    streams = _ole_streams(data)
    workbook_stream = next((n for n in ("Workbook", "Book") if n in streams), None)
    encrypted = "EncryptionInfo" in streams or "EncryptedPackage" in streams or (
        workbook_stream is not None and _biff_has_filepass(data, streams[workbook_stream]))
    if not streams:   # a directory that cannot be walked: look for the stream's name
        encrypted = "EncryptionInfo".encode("utf-16-le") in data
    if encrypted:
        book.findings.append(finding(
            "encrypted_file", "文件设了打开密码，无法读取；请取消密码后重新报送",
            "the workbook is password-protected; remove the password and send it again",
            ref=ref))
        return book
    import python_calamine

    try:
        if streams and workbook_stream is None:
            raise python_calamine.CalamineError("no Workbook stream")
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError:
        book.findings.append(finding(
            "unsupported_file", "不是可读取的 Excel 文件（可能是 WPS .et 格式），请另存为 .xlsx",
            "not a readable Excel file (a WPS .et?); save it as .xlsx and send it again",
            ref=ref))
        return book
    book.kind = "xls"
    return _with_grids(book, lambda budget: _calamine_grids(workbook, budget))


_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


def _ole_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """Stream name -> (first sector, size) from a compound file's directory; {} when the
    directory cannot be walked (then calamine says what it can of the file)."""
    try:
        return _ole_directory(data)
    except (struct.error, ValueError, IndexError, KeyError):
        return {}


def _ole_sector_size(data: bytes) -> int:
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    return 1 << shift


def _ole_fat(data: bytes) -> list[int]:
    size = _ole_sector_size(data)
    count = len(data) // size
    fat_sectors = [s for s in struct.unpack_from("<109L", data, 76) if s < count]
    difat, hops = struct.unpack_from("<L", data, 68)[0], 0
    while difat < count and hops < count:
        entries = struct.unpack_from(f"<{size // 4}L", data, (difat + 1) * size)
        fat_sectors += [s for s in entries[:-1] if s < count]
        difat, hops = entries[-1], hops + 1
    fat: list[int] = []
    for sector in fat_sectors:
        fat += struct.unpack_from(f"<{size // 4}L", data, (sector + 1) * size)
    return fat


def _ole_chain(fat: list[int], start: int, limit: int) -> list[int]:
    chain: list[int] = []
    while start < len(fat) and len(chain) < limit:
        chain.append(start)
        start = fat[start]
    return chain


def _ole_directory(data: bytes) -> dict[str, tuple[int, int]]:
    size = _ole_sector_size(data)
    fat = _ole_fat(data)
    first_dir = struct.unpack_from("<L", data, 48)[0]
    streams = {}
    for sector in _ole_chain(fat, first_dir, len(data) // size):
        base = (sector + 1) * size
        for offset in range(base, min(base + size, len(data) - 127), 128):
            length, kind = struct.unpack_from("<HB", data, offset + 64)
            if kind != 2 or not 2 <= length <= 64:
                continue
            name = data[offset:offset + length - 2].decode("utf-16-le", "replace")
            start, stream_size = struct.unpack_from("<LQ", data, offset + 116)
            streams[name] = (start, stream_size & 0xFFFFFFFF)
    return streams


def _biff_has_filepass(data: bytes, stream: tuple[int, int]) -> bool:
    """Whether a BIFF workbook stream is encrypted: a FILEPASS record right after its BOF.

    Excel's workbook streams are never under the 4096-byte mini-stream cutoff; a smaller one
    is not looked into (calamine then reports what it can of the file)."""
    start, length = stream
    try:
        if length < struct.unpack_from("<L", data, 56)[0]:
            return False
        size = _ole_sector_size(data)
        head = data[(start + 1) * size:(start + 2) * size]
        bof_type, bof_len = struct.unpack_from("<HH", head, 0)
        return bof_type in (0x0809, 0x0409) and \
            struct.unpack_from("<H", head, 4 + bof_len)[0] == 0x002F
    except (struct.error, ValueError):
        return False


def _calamine_grids(workbook: Any, budget: _Budget) -> list[Grid]:
    grids = []
    for meta in workbook.sheets_metadata:
        if str(meta.typ).split(".")[-1].lower() not in ("worksheet", "worksheettype"):
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        end = sheet.end
        if end is not None:
            budget.take(meta.name, end[0] + 1, end[1] + 1)
        rows = [_calamine_row(row) for row in sheet.to_python(skip_empty_area=False)]
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
            top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            for r in range(r0, min(r1 + 1, len(rows))):
                for c in range(c0, min(c1 + 1, len(rows[r]))):
                    rows[r][c] = top
        hidden = str(meta.visible).split(".")[-1].lower() != "visible"
        grids.append(Grid(meta.name, rows, hidden=hidden))
    return grids


def _calamine_row(row: list[Any]) -> list[Any]:
    """``_calamine_value`` of each cell, the common kinds (text, empty, numbers) inline."""
    out = []
    for value in row:
        kind = type(value)
        if kind is str:
            out.append(None if value == "" else value)
        elif kind is float:
            out.append(int(value) if value.is_integer() and abs(value) < 2**53 else value)
        else:
            out.append(_calamine_value(value))
    return out


def _calamine_value(value: Any) -> Any:
    """A calamine value as openpyxl gives it: integral floats as int, dates as datetime."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


# formats told by their first bytes that may hold no zero byte early on (a PDF, an RTF, a
# PostScript file): never a CSV
_OTHER_FORMATS = (b"%PDF", b"{\\rtf", b"%!PS", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!",
                  b"7z\xbc\xaf")


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
    if b"\x00" in data[:4096] or data.startswith(_OTHER_FORMATS):
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
    name = Path(book.name).stem

    def grids(budget: _Budget) -> list[Grid]:
        rows: list[list[Any]] = []
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append([cell if cell.strip() else None for cell in row])
            if len(rows) > MAX_ROWS:
                budget.take(name, len(rows), max(len(r) for r in rows))
        budget.take(name, len(rows), max((len(r) for r in rows), default=0))
        return [Grid(name, rows)]

    return _with_grids(book, grids)


def list_inputs(folder: Path) -> list[tuple[Path, str]]:
    """Every file below the period's folder, as (path, name relative to it), sorted."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sorted((p, p.relative_to(folder).as_posix()) for p in files)
