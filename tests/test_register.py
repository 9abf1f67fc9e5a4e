"""The register as county offices keep it (SPEC 3): sheets, headers, categories, plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import REGISTER_HEADER, project

from pipeline.config import Settings
from pipeline.register import Register
from pipeline.run import Workspace, load_register


def _register(tmp_path: Path, header: list[Any], rows: list[list[Any]],
              sheets: dict[str, list[list[Any]]] | None = None, first: str | None = None
              ) -> Register:
    """A register whose projects sheet is named 项目表 (not ``projects``), after the sheet
    ``first`` when given, and other ``sheets``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if first is not None:
        book.create_sheet(first).append(["本表填写说明：项目编号由县重点办统一编制"])
    main = book.create_sheet("项目表")
    for line in (header, *rows):
        main.append(line)
    for name, lines in (sheets or {}).items():
        extra = book.create_sheet(name)
        for line in lines:
            extra.append(line)
    path = tmp_path / "input/register.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return load_register(Workspace(tmp_path / "input", tmp_path / "output"), Settings())


def _codes(register: Register) -> list[tuple[str, str | None]]:
    return [(f.code, f.project_id) for f in register.findings]


def test_the_projects_sheet_after_a_note_sheet(tmp_path: Path) -> None:
    register = _register(tmp_path, REGISTER_HEADER, [project("P1", "一号路")], first="填表说明")
    assert [p.project_id for p in register.projects] == ["P1"]
    assert _codes(register) == []


@pytest.mark.parametrize("written", ["续建类", "续建项目", "新开工类", "竣工投产类", "前期工作",
                                     "前期类"])
def test_categories_as_registers_write_them(tmp_path: Path, written: str) -> None:
    row = project("P1", "一号路", category=written, start=dt.datetime(2026, 3, 1),
                  completion=dt.datetime(2026, 9, 30))
    register = _register(tmp_path, REGISTER_HEADER, [row])
    expected = {"续": "continuing", "新": "new", "竣": "completing", "前": "preparatory"}
    assert register.projects[0].category == expected[written[0]]
    assert _codes(register) == []


@pytest.mark.parametrize("annual", ["年度投资计划", "2026年计划投资", "本年计划投资（万元）",
                                    "2026年度计划投资"])
def test_annual_plan_headers(tmp_path: Path, annual: str) -> None:
    header = [annual if h.startswith("年度计划投资") else h for h in REGISTER_HEADER]
    register = _register(tmp_path, header, [project("P1", "一号路", plan=1200)])
    assert register.projects[0].annual_plan == 1200.0
    assert _codes(register) == []


def test_a_missing_annual_plan_column_is_said_once_for_the_sheet(tmp_path: Path) -> None:
    """Not a “年度计划投资未填写” for each project: the header lacks the column."""
    header = ["计划投资额" if h.startswith("年度计划投资") else h for h in REGISTER_HEADER]
    register = _register(tmp_path, header, [project("P1", "一号路"), project("P2", "二号桥")])
    assert _codes(register) == [("register_error", None)]
    finding = register.findings[0]
    assert "表头中没有“年度计划投资”列" in finding.message and "annual_plan" in finding.message
    assert str(finding.ref) == "../register.xlsx:项目表!1"


@pytest.mark.parametrize("heads", [
    [f"{m}月份" for m in range(1, 13)],
    [f"{m:02d}月" for m in range(1, 13)],
    [f"截至{m}月底" for m in range(1, 13)],
    [f"1-{m}月计划" for m in range(1, 13)],
    [f"2026年{m}月" for m in range(1, 13)],
    [dt.datetime(2026, m, 28) for m in range(1, 13)],
], ids=["月份", "01月", "截至月底", "1-N月计划", "2026年N月", "dates"])
def test_monthly_plan_headers(tmp_path: Path, heads: list[Any]) -> None:
    plans = [100 * m for m in range(1, 13)]
    register = _register(tmp_path, REGISTER_HEADER + heads,
                         [project("P1", "一号路", plan=1200, plans=plans)])
    assert register.projects[0].plans == tuple(float(p) for p in plans)


def test_plans_of_each_month_s_own_amount_are_added_up(tmp_path: Path) -> None:
    """10 a month, 120 in all: cumulative 10, 20, … 120 (T in November 110/120, not
    10/120), said as plans_cumulated."""
    register = _register(tmp_path, REGISTER_HEADER + [f"{m}月" for m in range(1, 13)],
                         [project("P1", "一号路", plan=120, plans=[10] * 12)])
    assert register.projects[0].plans == tuple(10.0 * m for m in range(1, 13))
    assert _codes(register) == [("plans_cumulated", "P1")]


def test_cumulative_plans_that_go_down_are_a_register_error(tmp_path: Path) -> None:
    plans = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 95, 120]
    register = _register(tmp_path, REGISTER_HEADER + [f"{m}月" for m in range(1, 13)],
                         [project("P1", "一号路", plan=120, plans=plans)])
    assert register.projects[0].plans == tuple(float(p) for p in plans)
    assert _codes(register) == [("register_error", "P1")]


def test_what_a_category_requires(tmp_path: Path) -> None:
    """A new project needs a planned start, a completing one a planned completion, an
    attraction project its contract amount (SPEC 3)."""
    register = _register(tmp_path, REGISTER_HEADER, [
        project("P1", "一号路", category="新开工"),
        project("P2", "二号桥", category="竣工投产"),
        project("P3", "三号厂", attraction="是"),
        project("P4", "四号园", category="新开工", start=dt.datetime(2026, 3, 1)),
    ])
    assert _codes(register) == [("register_error", "P1"), ("register_error", "P2"),
                                ("register_error", "P3")]
    assert ["计划开工时间" in f.message for f in register.findings] == [True, False, False]


def test_a_milestones_sheet_under_another_name(tmp_path: Path) -> None:
    register = _register(tmp_path, REGISTER_HEADER, [project("P1", "一号路")], sheets={
        "项目节点计划": [["项目编号", "节点名称", "计划完成时间"],
                     ["P1", "可研批复", dt.datetime(2026, 6, 30)]]})
    assert [(m.project_id, m.name, m.planned) for m in register.milestones] == [
        ("P1", "可研批复", dt.date(2026, 6, 30))]


def test_a_project_naming_no_unit_makes_no_nameless_unit(tmp_path: Path) -> None:
    register = _register(tmp_path, REGISTER_HEADER, [project("P1", "一号路", unit=""),
                                                     project("P2", "二号桥")])
    assert register.units == ["县交通运输局"]
    assert _codes(register) == [("register_error", "P1")]


def test_a_unit_written_two_ways_is_one_unit(tmp_path: Path) -> None:
    register = _register(tmp_path, REGISTER_HEADER, [
        project("P1", "一号路", unit="县交通运输局"), project("P2", "二号桥", unit="交通运输局"),
        project("P3", "三号渠", unit="泷泊镇"), project("P4", "四号园", unit="泷泊镇人民政府")])
    assert register.units == ["县交通运输局", "泷泊镇人民政府"]
    assert [p.unit for p in register.projects] == ["县交通运输局", "县交通运输局", "泷泊镇人民政府",
                                                   "泷泊镇人民政府"]
    assert [f.code for f in register.findings] == ["register_error", "register_error"]
    assert "又写作“交通运输局”" in register.findings[0].message


def test_a_short_form_of_two_units_is_left_as_written(tmp_path: Path) -> None:
    register = _register(tmp_path, REGISTER_HEADER, [
        project("P1", "一号路", unit="县交通运输局"), project("P2", "二号桥", unit="市交通运输局"),
        project("P3", "三号渠", unit="交通运输局")])
    assert register.units == ["交通运输局", "县交通运输局", "市交通运输局"]
    assert register.findings == []
