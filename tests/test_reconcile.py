"""Matching, units of files, duplicates and conflicts (SPEC 5.1), with their cell references."""

from __future__ import annotations

import os
from pathlib import Path

from factory import make_workbook, project, write_register

from pipeline.config import Settings
from pipeline.period import Period
from pipeline.reconcile import resolve_unit, short_form
from pipeline.run import Analysis, Workspace, analyse, load_register, read_period

HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资"]
PERIOD = Period(2026, 11)
UNITS = ["县交通运输局", "泷泊镇人民政府", "县水利局"]


def _register(root: Path) -> None:
    write_register(root / "input/register.xlsx", [
        project("SP-001", "双牌县城区污水管网改造工程", unit="县交通运输局", total=5000),
        project("SP-002", "G207线泷泊至江村段公路改建工程", unit="县交通运输局", total=30000),
        project("SP-003", "泷泊镇农贸市场提质改造", unit="泷泊镇人民政府", total=800),
        project("SP-004", "县城防洪堤一期工程", unit="县水利局", total=9000),
        project("SP-005", "县城防洪堤二期工程", unit="县水利局", total=9000),
    ])


def _sheet(root: Path, name: str, rows: list[list[object]], unit: str | None = None,
           date: str | None = None) -> Path:
    """Row 1 a title, row 2 the 填报单位/填报日期 line when given, then the header."""
    title: list[list[object]] = [["2026年重点项目建设进度表"]]
    if unit or date:
        title.append([f"填报单位：{unit}" if unit else None, None, f"填报日期：{date}" if date else None])
    return make_workbook(root / "input/2026-11" / name, HEADER, rows, title_rows=title)


def _analyse(root: Path, settings: Settings | None = None) -> Analysis:
    settings = settings or Settings()
    workspace = Workspace(root / "input", root / "output")
    return analyse(load_register(workspace, settings), read_period(workspace, PERIOD, settings),
                   PERIOD, settings)


def _codes(analysis: Analysis, *codes: str) -> list[tuple[str, str]]:
    return sorted((f.code, str(f.ref) if f.ref else f.project_id or "")
                  for f in analysis.findings if f.code in codes)


def test_match_by_id_exact_name_and_fuzzy_name(tmp_path: Path) -> None:
    _register(tmp_path)
    _sheet(tmp_path, "交通.xlsx", [
        ["ｓｐ-001 ", "随便写的名称", 10, 100],                 # id: trimmed, half-width, upper
        [None, "G207线泷泊至江村段公路改建工程", 10, 100],      # exact name
    ], unit="县交通运输局")
    _sheet(tmp_path, "泷泊镇.xlsx", [[None, "泷泊镇农贸市场提质改", 5, 50]])  # fuzzy (ratio 97)
    analysis = _analyse(tmp_path)
    kept = {pid: row.raw.row for pid, row in analysis.reconciled.kept.items()}
    assert kept == {"SP-001": 4, "SP-002": 5, "SP-003": 3}
    assert _codes(analysis, "matched_by_name") == [("matched_by_name", "泷泊镇.xlsx:进度表!B3")]


def test_unknown_project_and_equally_close_names(tmp_path: Path) -> None:
    _register(tmp_path)
    _sheet(tmp_path, "水利局.xlsx", [
        ["SP-999", "不在项目库的工程", 1, 10],
        [None, "县城防洪堤三期工程", 1, 10],   # as close to 一期 as to 二期: a tie
    ])
    analysis = _analyse(tmp_path)
    assert _codes(analysis, "unknown_project") == [
        ("unknown_project", "水利局.xlsx:进度表!B3"), ("unknown_project", "水利局.xlsx:进度表!B4")]
    assert {r.disposition for r in analysis.reconciled.rows} == {"rejected"}


def test_a_name_two_register_projects_share_is_a_tie_said_as_such(tmp_path: Path) -> None:
    write_register(tmp_path / "input/register.xlsx", [
        project("SP-001", "村级道路硬化工程", unit="县交通运输局"),
        project("SP-002", "村级道路硬化工程", unit="县交通运输局")])
    _sheet(tmp_path, "交通局.xlsx", [[None, "村级道路硬化工程", 1, 10]], unit="县交通运输局")
    analysis = _analyse(tmp_path)
    found = [f for f in analysis.findings if f.code == "unknown_project"]
    assert [str(f.ref) for f in found] == ["交通局.xlsx:进度表!B4"]
    assert "多个项目名为“村级道路硬化工程”（SP-001、SP-002）" in found[0].message
    assert "找不到" not in found[0].message


def test_unit_mismatch_ytd_exceeds_total_and_not_reported(tmp_path: Path) -> None:
    _register(tmp_path)
    _sheet(tmp_path, "交通局.xlsx", [
        ["SP-001", "双牌县城区污水管网改造工程", 10, 6000],   # total is 5000
        ["SP-003", "泷泊镇农贸市场提质改造", 5, 50],           # belongs to 泷泊镇
    ], unit="县交通运输局")
    analysis = _analyse(tmp_path)
    assert _codes(analysis, "ytd_exceeds_total", "unit_mismatch", "not_reported") == [
        ("not_reported", "SP-002"), ("not_reported", "SP-004"), ("not_reported", "SP-005"),
        ("unit_mismatch", "交通局.xlsx:进度表!A5"), ("ytd_exceeds_total", "交通局.xlsx:进度表!D4"),
    ]
    # ytd_exceeds_total is an error but leaves the figure scored (SPEC 5.3)
    projects = analysis.projects.set_index("project_id")
    assert projects.loc["SP-001", "ytd_done"] == 6000
    assert projects.loc["SP-002", "light"] == "grey"


def test_conflict_own_unit_wins_then_latest_date_then_mtime(tmp_path: Path) -> None:
    _register(tmp_path)
    own = _sheet(tmp_path, "a-泷泊镇.xlsx", [["SP-003", "泷泊镇农贸市场提质改造", 5, 50]],
                 unit="泷泊镇人民政府", date="2026年11月1日")
    other = _sheet(tmp_path, "b-交通局.xlsx", [["SP-003", "泷泊镇农贸市场提质改造", 5, 70]],
                   unit="县交通运输局", date="2026年11月9日")
    analysis = _analyse(tmp_path)
    assert analysis.reconciled.kept["SP-003"].raw.file == "a-泷泊镇.xlsx"
    assert ("conflicting_rows", "b-交通局.xlsx:进度表!A4") in _codes(analysis, "conflicting_rows")
    # same unit, no dates: the later modification time wins
    own.unlink()
    other.unlink()
    first = _sheet(tmp_path, "z-泷泊镇.xlsx", [["SP-003", "泷泊镇农贸市场提质改造", 5, 50]],
                   unit="泷泊镇人民政府")
    second = _sheet(tmp_path, "y-泷泊镇.xlsx", [["SP-003", "泷泊镇农贸市场提质改造", 5, 60]],
                    unit="泷泊镇人民政府")
    os.utime(first, (2_000_000_000, 2_000_000_000))
    os.utime(second, (1_000_000_000, 1_000_000_000))
    analysis = _analyse(tmp_path)
    assert analysis.reconciled.kept["SP-003"].raw.file == "z-泷泊镇.xlsx"
    dispositions = {r.raw.file: r.disposition for r in analysis.reconciled.rows}
    assert dispositions == {"y-泷泊镇.xlsx": "rejected", "z-泷泊镇.xlsx": "used"}


def test_equal_rows_keep_the_first_in_file_order(tmp_path: Path) -> None:
    _register(tmp_path)
    _sheet(tmp_path, "b.xlsx", [["SP-004", "县城防洪堤一期工程", 1, 10]], unit="县水利局")
    _sheet(tmp_path, "a.xlsx", [["SP-004", "县城防洪堤一期工程", "1", "10万元"]], unit="县水利局")
    analysis = _analyse(tmp_path)
    assert analysis.reconciled.kept["SP-004"].raw.file == "a.xlsx"
    assert _codes(analysis, "duplicate_row") == [("duplicate_row", "b.xlsx:进度表!A4")]


def test_unit_of_a_file_from_line_name_alias_or_rows(tmp_path: Path) -> None:
    _register(tmp_path)
    _sheet(tmp_path, "报表1.xlsx", [["SP-004", "县城防洪堤一期工程", 1, 10]],
           unit="双牌县水利局（盖章）")
    _sheet(tmp_path, "泷泊镇11月.xlsx", [["SP-003", "泷泊镇农贸市场提质改造", 1, 10]])
    _sheet(tmp_path, "交通局报表.xlsx", [["SP-001", "双牌县城区污水管网改造工程", 1, 10]])
    _sheet(tmp_path, "无名.xlsx", [["SP-005", "县城防洪堤二期工程", 1, 10]])
    settings = Settings(unit_aliases={"县交通运输局": ("交通局",)})
    units = _analyse(tmp_path, settings).reconciled.file_units
    assert units == {"报表1.xlsx": "县水利局", "泷泊镇11月.xlsx": "泷泊镇人民政府",
                     "交通局报表.xlsx": "县交通运输局", "无名.xlsx": "县水利局"}


def test_short_forms() -> None:
    assert short_form("县交通运输局") == "交通运输局"
    assert short_form("泷泊镇人民政府") == "泷泊镇"
    assert resolve_unit("交通运输局11月进度", UNITS, {}) == "县交通运输局"
    assert resolve_unit("某某公司", UNITS, {}) is None


def test_a_unit_named_only_in_brackets_of_the_file_name_is_found() -> None:
    assert resolve_unit("2026年11月重点项目进度表（泷泊镇）", UNITS, {}) == "泷泊镇人民政府"
    # outside the brackets first: a bracket that names something else does not win
    assert resolve_unit("交通运输局11月进度（抄送泷泊镇）", UNITS, {}) == "县交通运输局"
    assert resolve_unit("县水利局（盖章）", UNITS, {}) == "县水利局"
