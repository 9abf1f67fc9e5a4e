"""The fast reader (python-calamine) gives the grids the openpyxl path gives (issue 6)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import make_workbook, set_cached_values

from pipeline import read as R
from pipeline.config import Limits
from pipeline.demo import write_demo


def _bench_generate() -> Any:
    path = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    out = [list(row) for row in rows]
    for row in out:
        while row and row[-1] is None:
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


def _both(path: Path) -> tuple[list[tuple[str, bool, list[list[Any]]]], ...]:
    data = path.read_bytes()
    slow = R._openpyxl_grids(data, R._Budget())
    fast = R._calamine_xlsx_grids(data, R._Budget())
    return tuple([(g.name, g.hidden, _trimmed(g.rows)) for g in grids] for grids in (slow, fast))


def _special(tmp_path: Path) -> Path:
    """Merged two-row header, formulas with cached values, dates, times, booleans, a hidden
    sheet, full-width text, a big integer and a fraction."""
    path = make_workbook(
        tmp_path / "special.xlsx",
        ["序号", "项目名称", "投资完成情况（元）", None, "是否开工", "实际开工时间"],
        [[1, "一号路", "=1+1", 1_234_567_890_123, True, dt.datetime(2026, 3, 15)],
         [2, "二号桥", 0.1 + 0.2, "１２３４", False, dt.date(2026, 3, 1)],
         [3, "合计", "=SUM(C3:C4)", None, None, None]],
        title_rows=[["填报单位：县交通运输局"]],
        header2=[None, None, "本月完成投资", "1-11月累计完成投资", None, None],
        merges=["A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"],
        extra_sheets={"填表说明": [["说明"]], "旧表": [["项目名称", "年度累计完成投资"]]},
        hidden=["旧表"])
    wb = openpyxl.load_workbook(path)
    wb["进度表"]["G4"] = dt.time(9, 30)
    wb.save(path)
    return set_cached_values(path, {"进度表": {"C4": 2, "C6": 2.3}})


def test_demo_bench_and_special_workbooks_read_the_same(tmp_path: Path) -> None:
    write_demo(tmp_path / "demo")
    _bench_generate()("county", tmp_path / "bench")
    files = [*sorted((tmp_path / "demo").rglob("*.xlsx")),
             *sorted((tmp_path / "bench").rglob("*.xlsx")), _special(tmp_path)]
    assert len(files) > 50
    for path in files:
        slow, fast = _both(path)
        assert fast == slow, path.name


def test_read_book_takes_the_fast_path_only_when_safe(tmp_path: Path) -> None:
    special = _special(tmp_path)
    assert R._scan_xml(special.read_bytes()).calamine_safe
    book = R.read_book(special, "special.xlsx", Limits())
    slow = R._openpyxl_grids(special.read_bytes(), R._Budget())
    assert [_trimmed(g.rows) for g in book.grids] == [_trimmed(g.rows) for g in slow]
    # a stray value far away would make calamine build billions of cells: not for it
    wb = openpyxl.load_workbook(special)
    wb["进度表"]["XFD1048576"] = "x"
    wb.save(tmp_path / "far.xlsx")
    assert not R._scan_xml((tmp_path / "far.xlsx").read_bytes()).calamine_safe
    far = R.read_book(tmp_path / "far.xlsx", "far.xlsx", Limits())
    assert [f.code for f in far.findings] == ["file_too_large"] and not far.grids


@pytest.mark.parametrize("declaration", [b"<!DOCTYPE x>", b'<!DOCTYPE x [<!ENTITY a "b">]>'])
def test_a_dtd_is_never_given_to_calamine(tmp_path: Path, declaration: bytes) -> None:
    special = _special(tmp_path)
    with zipfile.ZipFile(special) as source, \
            zipfile.ZipFile(tmp_path / "dtd.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"?>")
                data = head + b"?>" + declaration + rest
            target.writestr(info, data)
    scan = R._scan_xml((tmp_path / "dtd.xlsx").read_bytes())
    assert scan.doctype and not scan.calamine_safe


@pytest.mark.parametrize("body", [
    b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/><c>x</c></row></sheetData>',
    b'<cols><col min="1"/></cols><c\tr="C3"/><c\nr="$D$4"></c><c\r\n r=\'AA10\'/><cfRule/>',
    b'<x:sheetData><x:row><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD9"/><x:c/></x:row>',
    b'<c r="A1"/><ns.a-1:c r="B2"/><a:clrScheme/><a:cs typeface=""/>',
    b'<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText"/></a:dk1></a:clrScheme>',
])
def test_the_cell_count_without_prefixes_is_the_general_one(body: bytes) -> None:
    """Where no cell tag has a namespace prefix the scan counts with the plain patterns
    (a third of the cost): it must find what the general patterns find."""
    expected = (len(R._CELL_TAG.findall(body)), R._CELL_REF.findall(body))
    assert R._cells(body) == expected
    assert R._cells(body * 3) == (expected[0] * 3, expected[1] * 3)


def test_a_large_part_is_scanned_in_chunks_that_split_no_tag() -> None:
    """A part over 1 MB is read in chunks, each cut before its last tag: every cell is
    counted once with its reference, and a DTD after the last chunk's cut is still seen."""
    rows = 30000
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="n"><v>{r}</v></c><c r="AB{r}"><v>1</v></c>'
                    f"</row>" for r in range(1, rows + 1))
    sheet = f"<worksheet><sheetData>{cells}</sheetData></worksheet>".encode()
    assert len(sheet) > 2 * R._SMALL_PART
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", sheet)
        target.writestr("xl/tail.xml", b"x" * (R._SMALL_PART + 10) + b"<!DOCTYPE x>")
    scan = R._scan_xml(buffer.getvalue())
    assert scan.boxes == {"xl/worksheets/sheet1.xml": (rows, 28)}
    assert not scan.unplaced and not scan.problem and scan.doctype


def test_a_part_is_scanned_as_zipfile_reads_it(tmp_path: Path) -> None:
    """The scan inflates a small part with zlib at once (zipfile's file object costs more
    than a small workbook's whole scan): the same bytes for stored and deflated parts, and
    a part whose CRC or size does not match goes through zipfile, which refuses it."""
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as target:
        target.writestr("stored.xml", "<a>" + "甲" * 300 + "</a>", zipfile.ZIP_STORED)
        target.writestr("deflated.xml", "<b>" + "乙" * 3000 + "</b>", zipfile.ZIP_DEFLATED)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            assert b"".join(R._bodies(data, archive, info)) == archive.read(info)
    central = data.rindex(b"PK\x01\x02")
    bad = bytearray(data)
    bad[central + 16] ^= 0xFF                   # the last part's CRC in the directory
    with zipfile.ZipFile(io.BytesIO(bytes(bad))) as archive:
        info = archive.infolist()[-1]
        with pytest.raises(zipfile.BadZipFile):
            b"".join(R._bodies(bytes(bad), archive, info))
        with pytest.raises(zipfile.BadZipFile):
            R._scan_xml(bytes(bad))



def test_a_part_with_implausible_sizes_or_another_name_goes_through_zipfile() -> None:
    """A directory that claims a huge packed size for a few bytes (many entries on one big
    local record: each would copy it all), or a local header naming another part, is left
    to zipfile, which reads only what it needs and checks the names."""
    body, name = b"<a/>", b"xl/workbook.xml"
    crc, pad = zlib.crc32(body), 1 << 20

    def zip_of(local_name: bytes, packed: int) -> bytes:
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, packed,
                            len(body), len(local_name), 0) + local_name
        data = local + body + bytes(max(0, packed - len(body)))
        entries = b"".join(
            struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, packed,
                        len(body), len(name), 0, 0, 0, 0, 0, 0) + name for _ in range(3))
        return data + entries + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 3, 3,
                                            len(entries), len(data), 0)

    plain = zip_of(name, len(body))
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert R._part_bytes(plain, archive.infolist()[0]) == body
    big = zip_of(name, pad)
    with zipfile.ZipFile(io.BytesIO(big)) as archive:
        info = archive.infolist()[0]
        assert R._part_bytes(big, info) is None
        assert b"".join(R._bodies(big, archive, info)) == body
    other = zip_of(b"xl/other.xml", len(body))
    with zipfile.ZipFile(io.BytesIO(other)) as archive, \
            pytest.raises(zipfile.BadZipFile, match="differ"):
        b"".join(R._bodies(other, archive, archive.infolist()[0]))
