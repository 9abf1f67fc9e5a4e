"""Build hostile and broken input files at test time (nothing big is kept in git).

Each builder writes one real file: zip bombs, XML entity attacks, disguised formats,
password-protected workbooks as Excel saves them (an OLE compound file holding
EncryptionInfo and EncryptedPackage streams), and so on.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from pipeline.sheet import column_letter

HEADER = ["项目编号", "项目名称", "本月完成投资（万元）", "年度累计完成投资（万元）", "形象进度",
          "存在问题"]

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[Any] = HEADER,
             sheet: str = "进度表") -> Path:
    """A plain, good .xlsx: the header and the rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"       # text, as typed: openpyxl makes "=…" a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- hand-made xlsx: every part under the test's control -----------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="进度表" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def sheet_xml(rows: Sequence[Sequence[Any]], *, dtd: str = "", extra: str = "",
              dimension: str = "") -> str:
    """A worksheet part: strings inline, numbers as numbers; ``dtd`` goes before the root."""
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif isinstance(value, tuple):          # ("s", index): a shared string
                cells.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
            else:                                    # raw text (may hold &entity;)
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{dtd}<worksheet xmlns="{NS}">{dim}'
            f'<sheetData>{"".join(out)}</sheetData>{extra}</worksheet>')


def raw_xlsx(path: Path, *, sheet: str, shared: str | None = None,
             parts: dict[str, str | bytes] | None = None, level: int = 6) -> Path:
    """An xlsx written part by part: ``sheet`` is sheet1.xml, ``shared`` sharedStrings.xml."""
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared if shared is not None else
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="0" uniqueCount="0"/>',
    }
    files.update(parts or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def shared_strings(strings: Sequence[str], *, dtd: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{dtd}<sst xmlns="{NS}" count="{len(strings)}"'
            f' uniqueCount="{len(strings)}">{items}</sst>')


# --- XML entity attacks ---------------------------------------------------------------------

def billion_laughs() -> str:
    """Ten levels of ten: 10**9 “lol”s if an entity-expanding parser ever saw it."""
    lines = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        lines.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return f"<!DOCTYPE worksheet [{''.join(lines)}]>"


def quadratic_blowup(size: int = 100_000) -> tuple[str, str]:
    """One 100 kB entity referenced 100,000 times: 10 GB of text from a 1 MB part."""
    return f'<!DOCTYPE sst [<!ENTITY a "{"a" * size}">]>', "&a;" * 100_000


def external_entity(url: str) -> str:
    return f'<!DOCTYPE sst [<!ENTITY ext SYSTEM "{url}">]>'


# --- zip bombs ------------------------------------------------------------------------------

def _local_header(name: bytes, crc: int, packed: int, size: int) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, packed, size,
                       len(name), 0) + name


def _central_entry(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, packed, size,
                       len(name), 0, 0, 0, 0, 0, offset) + name


def zip_with(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip from raw deflate streams: (name, deflated, crc, packed size, declared size).

    The declared size is written as given, so a test can make it lie.
    """
    body, central = bytearray(), bytearray()
    for name, deflated, crc, packed, declared in entries:
        raw = name.encode()
        central += _central_entry(raw, crc, packed, declared, len(body))
        body += _local_header(raw, crc, packed, declared) + deflated
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central), len(body), 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(body + central + end))
    return path


def deflate(chunks: Any) -> tuple[bytes, int, int]:
    """Raw-deflate an iterable of byte chunks: (stream, crc32, size)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.append(compressor.compress(chunk))
    out.append(compressor.flush())
    return b"".join(out), crc, size


def xlsx_entries(sheet: bytes | Any, shared: bytes | Any | None = None,
                 declared: dict[str, int] | None = None) -> list[tuple[str, bytes, int, int, int]]:
    """The parts of a minimal workbook as raw entries, the sheet (and strings) given as
    bytes or as an iterable of chunks (so that a gigabyte part is never held in memory)."""
    parts: dict[str, Any] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(), "_rels/.rels": ROOT_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(), "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared if shared is not None else
        f'<sst xmlns="{NS}" count="0" uniqueCount="0"/>'.encode(),
    }
    entries = []
    for name, data in parts.items():
        stream, crc, size = deflate([data] if isinstance(data, bytes) else data)
        entries.append((name, stream, crc, len(stream), (declared or {}).get(name, size)))
    return entries


def bomb_stream(head: bytes, block: bytes, count: int, tail: bytes,
                crc_of_first: int | None = None) -> tuple[bytes, int, int]:
    """head + block * count + tail as a raw deflate stream, built without deflating it all:
    ``block`` is deflated once and its bytes repeated (a full flush makes each copy stand
    alone). (stream, crc32, size); with ``crc_of_first`` the CRC is of that many bytes."""
    def flushed(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = flushed(head) + flushed(block) * count + last.compress(tail) + last.flush()
    size = len(head) + len(block) * count + len(tail)
    if crc_of_first is not None:
        whole = head + block * (crc_of_first // len(block) + 1)
        return stream, zlib.crc32(whole[:crc_of_first]), size
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return stream, zlib.crc32(tail, crc), size


def repeated(head: bytes, unit: bytes, count: int, tail: bytes, chunk: int = 1 << 20) -> Any:
    """head + unit * count + tail, yielded in chunks of about ``chunk`` bytes."""
    yield head
    per = max(1, chunk // len(unit))
    block = unit * per
    left = count
    while left >= per:
        yield block
        left -= per
    if left:
        yield unit * left
    yield tail


def noisy_text(megabytes: int, seed: int = 7) -> Any:
    """Text that compresses about 20:1 (a random letter every 40): under any ratio limit,
    yet ``megabytes`` MB once inflated."""
    rnd = random.Random(seed)
    block = bytearray(b"a" * (1 << 20))
    for i in range(0, len(block), 40):
        block[i] = 97 + rnd.randrange(26)
    for _ in range(megabytes):
        yield bytes(block)


# --- OLE compound files (the container of .xls, .et and password-protected .xlsx) --------

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding ``streams`` at its root (each padded to 4096 bytes
    so that none lives in the mini stream). Enough for readers that walk the directory."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    datas = [streams[n] + bytes(max(0, 4096 - len(streams[n]))) for n in names]
    datas = [d + bytes(-len(d) % 512) for d in datas]
    entries = 1 + len(names)
    dir_sectors = -(-entries // 4)
    sectors = 1 + dir_sectors + sum(len(d) // 512 for d in datas)
    assert sectors <= 128, "one FAT sector is enough for a test file"
    fat = [FREE] * 128
    fat[0] = FATSECT
    pos = 1
    for k in range(dir_sectors):
        fat[pos + k] = pos + k + 1 if k + 1 < dir_sectors else END
    pos += dir_sectors
    starts = []
    for data in datas:
        count = len(data) // 512
        starts.append(pos)
        for k in range(count):
            fat[pos + k] = pos + k + 1 if k + 1 < count else END
        pos += count

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB3L", len(raw), kind, 1, NOSTREAM,
                                                     right, child)
                + bytes(16 + 4 + 16) + struct.pack("<LQ", start, size))

    directory = entry("Root Entry", 5, NOSTREAM, 1 if names else NOSTREAM, END, 0)
    for i, (name, data) in enumerate(zip(names, datas), start=1):
        right = i + 1 if i < len(names) else NOSTREAM
        directory += entry(name, 2, right, NOSTREAM, starts[i - 1], len(data))
    directory += bytes(dir_sectors * 512 - len(directory))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<LLLLLLLLL", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<109L", 0, *([FREE] * 108)))
    assert len(header) == 512
    return header + struct.pack("<128L", *fat) + directory + b"".join(datas)


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook with an open password (agile encryption)."""
    info = struct.pack("<HHL", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>')
    package = struct.pack("<Q", 9000) + random.Random(3).randbytes(9008)
    return cfb({"EncryptionInfo": info, "EncryptedPackage": package})


def biff_stream(rows: Sequence[Sequence[Any]], sheet: str = "进度表") -> bytes:
    """The Workbook stream (BIFF8) of an .xls, as xlwt builds it."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    return book.get_biff_data()


def xls(rows: Sequence[Sequence[Any]], sheet: str = "进度表") -> bytes:
    return cfb({"Workbook": biff_stream(rows, sheet)})


def xls_with_password(rows: Sequence[Sequence[Any]]) -> bytes:
    """An .xls protected with an open password: a FILEPASS record (RC4) after the BOF."""
    stream = biff_stream(rows)
    filepass = struct.pack("<HHHHH", 0x002F, 54, 1, 1, 1) + bytes(48)
    bof_len = 4 + struct.unpack_from("<H", stream, 2)[0]
    out = bytearray(stream[:bof_len] + filepass + stream[bof_len:])
    pos = 0
    while pos < len(out):                  # BOUNDSHEET holds absolute offsets: shift them
        kind, length = struct.unpack_from("<HH", out, pos)
        if kind == 0x0085:
            (offset,) = struct.unpack_from("<L", out, pos + 4)
            struct.pack_into("<L", out, pos + 4, offset + len(filepass))
        pos += 4 + length
    return cfb({"Workbook": bytes(out)})


def wps_et() -> bytes:
    """A WPS spreadsheet (.et) as seen by a reader of Excel formats: an OLE file whose
    streams are WPS's own, with no Workbook stream."""
    return cfb({"WpsContent": random.Random(5).randbytes(5000), "\x05SummaryInformation":
                bytes(200)})


def corner_xls() -> bytes:
    """An .xls with cells at A1 and IV65536: python-calamine allocates the whole 16.7 million
    cell range and, under a memory limit, aborts the process."""
    return xls([["a"]] + [[] for _ in range(65534)] + [[None] * 255 + ["z"]])


def html_table() -> bytes:
    return ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">'
            "</head><body><table><tr><td>项目编号</td><td>年度累计完成投资</td></tr>"
            "<tr><td>SP-001</td><td>100</td></tr></table></body></html>").encode()


def bytes_io_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
