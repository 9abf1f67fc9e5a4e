"""Unit and leader names are used as file names (SPEC 6.1): a name with ``/``, ``..``, NUL,
CR/LF or 300 characters must give a safe file name inside the period's folder, and a run
with such names must finish (issue 7)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import hostile_files as H
import pytest
from conftest import PERIOD, data
from factory import REGISTER_HEADER, project

from pipeline.config import Settings
from pipeline.names import file_names
from pipeline.period import Period
from pipeline.run import Workspace, run_period

# (units, leaders) of each case; names as a register may hold them
CASES = {
    "slashes-dots-and-control-characters": (
        ["../../../tmp/县交通运输局", "..", 'a/b\\c:d*e?f"g<h>i|j', "县水利局\x00.pdf",
         "泷泊镇\r\n人民政府"],
        ["/etc/passwd", "张明华\r\nBcc: evil@example.com", "李\x00\t四"]),
    "300-characters": (["局" * 300, "A" * 300], ["李" * 300, "B" * 300]),
}
KNOWN: dict[str, tuple[str, type[BaseException]]] = {}   # holes found, none open


def _safe_component(name: str) -> bool:
    return (name not in (".", "..") and "/" not in name and "\\" not in name
            and not any(unicodedata.category(ch) == "Cc" for ch in name)
            and len(name.encode("utf-8")) <= 255)


def _cases() -> list[object]:
    return [pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN[case][0],
                                                       raises=KNOWN[case][1], strict=True))
            if case in KNOWN else case for case in CASES]


def named_run(root: Path, units: list[str], leaders: list[str]) -> Path:
    """A full run whose register names these units and leaders."""
    projects = [project(f"SP-{k:03d}", f"项目{k}", unit=unit, leader=leaders[k % len(leaders)])
                for k, unit in enumerate(units)]
    # an .xls register (named .xlsx: told by its bytes) can hold what an .xlsx cannot: NUL
    register = root / "input" / "register.xlsx"
    register.parent.mkdir(parents=True)
    register.write_bytes(H.xls([REGISTER_HEADER, *projects], sheet="projects"))
    for k in range(len(units)):
        H.workbook(root / "input" / PERIOD / f"unit{k}.xlsx",
                   [[f"SP-{k:03d}", f"项目{k}", 10, 900 + k, "施工中", "征地未完成"]])
    before = set(root.parent.rglob("*"))
    run_period(Workspace(root / "input", root / "output"), Period.parse(PERIOD), Settings())
    out = root / "output"
    outside = [p for p in set(root.parent.rglob("*")) - before
               if p != out and out not in p.parents]
    assert outside == []                       # nothing written outside output/
    return root


@pytest.mark.parametrize("case", _cases())
def test_a_run_with_such_names_writes_safe_files_inside_its_folder(tmp_path: Path,
                                                                   case: str) -> None:
    units, leaders = CASES[case]
    root = named_run(tmp_path / "ws", units, leaders)
    out = root / "output"
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        assert all(_safe_component(part) for part in relative.parts), repr(str(relative))
    period = out / PERIOD
    for folder, names in (("units", units), ("leaders", leaders)):
        if (period / folder).is_dir():          # each its own report, by its safe name
            pages = {p.stem for p in (period / folder).glob("*.html")}
            assert pages == set(file_names(names).values())
    # kept as data; a line break in a CSV cell is written as LF
    assert {row["unit"] for row in data(root, "units.csv")} == {_lf(u) for u in units}
    assert {row["leader"] for row in data(root, "projects.csv")} == {_lf(n) for n in leaders}


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_file_names_fit_a_file_system() -> None:
    """ext4, NTFS and APFS allow 255 bytes (or UTF-16 units) per name: 100 Chinese
    characters are 300 bytes in UTF-8."""
    for name, safe in file_names(CASES["300-characters"][0]).items():
        assert len((safe + "-marked.xlsx").encode("utf-8")) <= 255, name
