"""Hostile and broken input files in one month's folder (issue 7): `keyproj run` finishes
with exit status 0, each bad file gets its finding, every good file's rows are used, and the
run stays under 1 GB of memory and 60 s.

Every threat is built at test time as a real file next to three good submissions; the run is
a real `keyproj run` subprocess (its workers included in the memory measured).
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hostile_files as H
import openpyxl
import pytest
from conftest import (
    GOOD_FILES,
    LIMIT_MB,
    LIMIT_SECONDS,
    PERIOD,
    Result,
    data,
    make_workspace,
    other_name,
    recording_server,
    run_keyproj,
)


def _row(pid: str) -> list[Any]:
    return [pid, other_name(pid), 10, 200, "施工中", None]


ROW = _row("SP-105")       # in files that are refused: never read
ROWS_USED = {              # files that are odd but fine: their row must be used
    "dimension-lies": "SP-100", "external-dtd-http": "SP-101", "xls-named-xlsx": "SP-102",
    "xlsx-named-xls": "SP-103", "xlsm-with-macros": "SP-104",
}


def _sheet(rows: list[list[Any]], **kw: Any) -> str:
    return H.sheet_xml([H.HEADER, *rows], **kw)


def zip_bomb(path: Path, url: str) -> None:
    """Sheet XML that inflates to 2 GB from 4 MB, its sizes declared honestly."""
    head = f'<worksheet xmlns="{H.NS}"><sheetData><row r="1">'.encode()
    block = (b"<c><v>0</v></c>" * 70_000)[:1 << 20]
    entries = H.xlsx_entries(b"")
    stream, crc, size = H.bomb_stream(head, block, 2048, b"</row></sheetData></worksheet>")
    entries[4] = ("xl/worksheets/sheet1.xml", stream, crc, len(stream), size)
    H.zip_with(path, entries)


def declared_size_lies(path: Path, url: str) -> None:
    """The same 2 GB sheet, its directory claiming 1,000 bytes (with the CRC of those)."""
    head = f'<worksheet xmlns="{H.NS}"><sheetData><row r="1">'.encode()
    block = (b"<c><v>0</v></c>" * 70_000)[:1 << 20]
    entries = H.xlsx_entries(b"")
    stream, crc, _ = H.bomb_stream(head, block, 2048, b"</row></sheetData></worksheet>",
                                   crc_of_first=1000)
    entries[4] = ("xl/worksheets/sheet1.xml", stream, crc, len(stream), 1000)
    H.zip_with(path, entries)


def million_cells(path: Path, url: str) -> None:
    """600,000 cells of varied numbers: 3 MB, a compression ratio under the limit."""
    rnd = random.Random(1)
    head = f'<worksheet xmlns="{H.NS}"><sheetData>'.encode()
    body = (f'<row r="{r}">' + "".join(f"<c><v>{rnd.randrange(10**6)}</v></c>"
                                       for _ in range(20)) + "</row>"
            for r in range(1, 30_001))
    H.zip_with(path, H.xlsx_entries(iter([head, *(b.encode() for b in body),
                                          b"</sheetData></worksheet>"])))


def far_corner_xlsx(path: Path, url: str) -> None:
    """A good sheet plus one value at XFD1048576."""
    sheet = _sheet([ROW]).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    H.raw_xlsx(path, sheet=sheet)


def far_corner_xls(path: Path, url: str) -> None:
    path.write_bytes(H.corner_xls())


def far_apart_on_many_sheets(path: Path, url: str) -> None:
    """Each sheet within bounds (A1 and Z20000: 520,000 cells of grid), the workbook not:
    handed back whole, such sheets would fill the parent process."""
    wb = openpyxl.Workbook()
    for k in range(4):
        ws = wb.active if k == 0 else wb.create_sheet(f"表{k}")
        ws.append(H.HEADER)
        ws.append(ROW)
        ws["Z20000"] = "远处"
    wb.save(path)


def merged_whole_sheet(path: Path, url: str) -> None:
    H.raw_xlsx(path, sheet=_sheet([ROW], extra='<mergeCells count="1">'
                                              '<mergeCell ref="A3:XFD1048576"/></mergeCells>'))


def dimension_lies(path: Path, url: str) -> None:
    H.raw_xlsx(path, sheet=_sheet([_row("SP-100")], dimension="A1:XFD1048576"))


def memory_bomb(path: Path, url: str) -> None:
    """One 400 MB shared string in a 20 MB file: under every zip limit, over the worker's
    memory limit once parsed."""
    shared = iter([f'<sst xmlns="{H.NS}" count="1" uniqueCount="1"><si><t>'.encode(),
                   *H.noisy_text(400), b"</t></si></sst>"])
    H.zip_with(path, H.xlsx_entries(_sheet([[("s", 0), "x"]]).encode(), shared))


def billion_laughs(path: Path, url: str) -> None:
    H.raw_xlsx(path, sheet=_sheet([["&lol9;", "x"]], dtd=H.billion_laughs()))


def quadratic_blowup(path: Path, url: str) -> None:
    """With an incompressible picture, so that the compression ratio passes and only the
    XML parser stands between the entity and 10 GB of text."""
    dtd, text = H.quadratic_blowup()
    H.raw_xlsx(path, sheet=_sheet([[("s", 0), "x"]]), shared=H.shared_strings([text], dtd=dtd),
               parts={"xl/media/image1.png": random.Random(2).randbytes(60_000)})


def external_entity_file(path: Path, url: str) -> None:
    H.raw_xlsx(path, sheet=_sheet([[("s", 0), "x"]]),
               shared=H.shared_strings(["&ext;"], dtd=H.external_entity("file:///etc/passwd")))


def external_entity_http(path: Path, url: str) -> None:
    H.raw_xlsx(path, sheet=_sheet([["&ext;", "x"]], dtd=H.external_entity(url + "/entity")))


def external_dtd_http(path: Path, url: str) -> None:
    """A DOCTYPE naming an external DTD (no entity): parsed, but the DTD never fetched."""
    H.raw_xlsx(path, sheet=_sheet([_row("SP-101")],
                                  dtd=f'<!DOCTYPE worksheet SYSTEM "{url}/sheet.dtd">'))


def xls_named_xlsx(path: Path, url: str) -> None:
    path.write_bytes(H.xls([H.HEADER, _row("SP-102")]))


def xlsx_named_xls(path: Path, url: str) -> None:
    H.workbook(path, [_row("SP-103")])


def xlsm(path: Path, url: str) -> None:
    H.workbook(path, [_row("SP-104")])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(2000))


def truncated(path: Path, url: str) -> None:
    H.workbook(path, [ROW])
    path.write_bytes(path.read_bytes()[:-700])


def write(data: bytes) -> Callable[[Path, str], None]:
    return lambda path, url: path.write_bytes(data)


# name -> (file name, builder, expected finding code; "used" when the rows must be used)
THREATS: dict[str, tuple[str, Callable[[Path, str], None], str]] = {
    "zip-bomb": ("卫健局-压缩炸弹.xlsx", zip_bomb, "file_too_large"),
    "declared-size-lies": ("declared-size.xlsx", declared_size_lies, "unreadable_file"),
    "million-cells": ("cells.xlsx", million_cells, "file_too_large"),
    "far-corner-xlsx": ("far-corner.xlsx", far_corner_xlsx, "file_too_large"),
    "far-corner-xls": ("far-corner.xls", far_corner_xls, "unreadable_file"),
    "far-apart-on-many-sheets": ("many-sheets.xlsx", far_apart_on_many_sheets,
                                 "file_too_large"),
    "merged-whole-sheet": ("merged.xlsx", merged_whole_sheet, "file_too_large"),
    "dimension-lies": ("dimension.xlsx", dimension_lies, "used"),
    "memory-bomb": ("memory-bomb.xlsx", memory_bomb, "unreadable_file"),
    "billion-laughs": ("laughs.xlsx", billion_laughs, "unreadable_file"),
    "quadratic-blowup": ("quadratic.xlsx", quadratic_blowup, "unreadable_file"),
    "external-entity-file": ("xxe-file.xlsx", external_entity_file, "unreadable_file"),
    "external-entity-http": ("xxe-http.xlsx", external_entity_http, "unreadable_file"),
    "external-dtd-http": ("dtd-http.xlsx", external_dtd_http, "used"),
    "xls-named-xlsx": ("old-excel.xlsx", xls_named_xlsx, "used"),
    "xlsx-named-xls": ("new-excel.xls", xlsx_named_xls, "used"),
    "wps-et": ("wps.et", write(H.wps_et()), "unsupported_file"),
    "html-as-xls": ("web.xls", write(H.html_table()), "unsupported_file"),
    "encrypted-xlsx": ("password.xlsx", write(H.encrypted_xlsx()), "encrypted_file"),
    "encrypted-xls": ("password.xls", lambda p, u: p.write_bytes(H.xls_with_password(
        [H.HEADER, ROW])), "encrypted_file"),
    "lock-file": ("~$交通运输局.xlsx", write(b"\x0cZhang Wei" + bytes(150)), "unsupported_file"),
    "zero-byte": ("empty.xlsx", write(b""), "unreadable_file"),
    "truncated": ("half-copied.xlsx", truncated, "unreadable_file"),
    "xlsm-with-macros": ("macros.xlsm", xlsm, "macros_present"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request: nothing may ever ask it anything."""
    with recording_server(status=200, body=b"<!ENTITY x 'fetched'>") as recorded:
        yield recorded


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory,
                server: tuple[str, list[str]]) -> tuple[Path, Result]:
    root = make_workspace(tmp_path_factory.mktemp("hostile"))
    folder = root / "input" / PERIOD
    for name, build, _ in THREATS.values():
        build(folder / name, server[0])
    return root, run_keyproj(root, "run", "--period", PERIOD)


def test_the_run_finishes_within_memory_and_time(hostile_run: tuple[Path, Result],
                                                  server: tuple[str, list[str]]) -> None:
    root, result = hostile_run
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.peak_mb < LIMIT_MB, f"peak {result.peak_mb:.0f} MB"
    assert result.seconds < LIMIT_SECONDS
    assert server[1] == []                          # no URL was ever fetched
    assert (root / "output" / PERIOD / "report.pdf").is_file()


def test_every_good_file_is_used(hostile_run: tuple[Path, Result]) -> None:
    root, _ = hostile_run
    rows = data(root, "rows.csv")
    for name in GOOD_FILES:
        assert [r["disposition"] for r in rows if r["file"] == name] == ["used"], name


@pytest.mark.parametrize("threat", list(THREATS))
def test_each_threat_gets_its_finding(hostile_run: tuple[Path, Result], threat: str) -> None:
    root, _ = hostile_run
    name, _, expected = THREATS[threat]
    found = {(f["severity"], f["code"]) for f in data(root, "findings.csv") if f["file"] == name}
    rows = [(r["project_id"], r["disposition"]) for r in data(root, "rows.csv")
            if r["file"] == name]
    if threat in ROWS_USED:
        assert rows == [(ROWS_USED[threat], "used")]
        assert {code for severity, code in found if severity == "error"} == set()
    if expected != "used":
        assert ("error" if expected != "macros_present" else "info", expected) in found
    if threat not in ROWS_USED:
        assert rows == []
        assert {code for severity, code in found if severity == "error"} == {expected}


def test_no_file_content_leaks_into_the_outputs(hostile_run: tuple[Path, Result]) -> None:
    root, _ = hostile_run
    secret = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]
    for path in (root / "output" / PERIOD).rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".html", ".json"):
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path
