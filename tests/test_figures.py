"""Figures recomputed by hand from the SPEC 5.3/5.4 formulas on a small real workspace."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from factory import make_workbook, project, write_register

from pipeline.config import Settings
from pipeline.period import Period
from pipeline.run import Workspace, analyse, data_outputs, load_register, read_period, write_files

HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "是否开工", "实际开工时间",
          "是否竣工", "完成节点", "完成时间"]
T = 11 / 12


def _sheet(path: Path, unit: str, rows: list[list[object]], date: str = "2026年11月5日") -> None:
    make_workbook(path, HEADER, rows,
                  title_rows=[["双牌县2026年重点项目建设进度表（11月）"],
                              [f"填报单位：{unit}", None, None, f"填报日期：{date}"]])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    monthly = [100.0 * m for m in range(1, 13)]
    write_register(root / "input/register.xlsx", [
        project("P1", "一号路改造", unit="甲局", plan=1200, total=5000) + [None] * 12,
        project("P2", "二号桥新建", unit="甲局", plan=2400, total=30000) + [None] * 12,
        project("P3", "三号厂房", category="新开工", unit="甲局", plan=1200, total=20000,
                start=dt.date(2026, 3, 1)) + [None] * 12,
        project("P4", "四号市场", unit="乙局", plan=600, total=800) + [None] * 12,
        project("P5", "五号水库前期", category="前期", unit="乙局", plan=0, total=9000) + [None] * 12,
        project("P6", "六号园区", category="竣工投产", unit="乙局", plan=1000, total=4000,
                completion=dt.date(2026, 9, 30)) + [None] * 12,
        project("P7", "七号学校", unit="丙镇人民政府", plan=800, total=3000) + [None] * 12,
        project("P8", "八号医院", unit="丙镇人民政府", plan=1200, total=6000, plans=monthly),
    ], milestones=[("P5", "可研批复", dt.date(2026, 6, 30)),
                   ("P5", "用地预审", dt.date(2026, 10, 31)),
                   ("P5", "施工许可", dt.date(2027, 3, 31))], monthly=True)
    folder = root / "input/2026-11"
    _sheet(folder / "甲局.xlsx", "甲局", [
        ["P1", "一号路改造", 100, 1100, "是", "2025-05-01", "否"],
        ["P2", "二号桥新建", 200, 1700, "是", "2025-06-01", "否"],
        ["P3", "三号厂房", 0, 0, "否", None, "否"],
        ["P1", "一号路改造", 100, 1100, "是", "2025-05-01", "否"],   # exact duplicate
    ])
    # the corrected resubmission: a later 填报日期 wins for P2
    _sheet(folder / "甲局（更正）.xlsx", "甲局", [
        ["P2", "二号桥新建", 300, 1800, "是", "2025-06-01", "否"],
    ], date="2026年11月8日")
    _sheet(folder / "乙局.xlsx", "乙局", [
        ["P4", "四号市场", 50, 500, "是", "2025-01-01", "否"],
        ["P5", "五号水库前期", 0, 0, None, None, None, "可研批复", "2026-06-20"],
        ["P6", "六号园区", 50, 950, "是", "2025-01-01", "否"],
    ])
    _sheet(folder / "丙镇.xlsx", "丙镇人民政府", [
        ["P8", "八号医院", 120, 1320, "是", "2025-01-01", "否"],
        ["P9", "不在库的项目", 10, 10, "是", "2025-01-01", "否"],  # unknown_project
    ])
    workspace = Workspace(root / "input", root / "output")
    period, settings = Period(2026, 11), Settings()
    analysis = analyse(load_register(workspace, settings),
                       read_period(workspace, period, settings), period, settings)
    write_files(workspace.period_output(period), data_outputs(analysis))
    return root


def _csv(root: Path, name: str, key: str) -> dict[str, dict[str, str]]:
    with open(root / "output/2026-11/data" / name, encoding="utf-8") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def test_completion_rates_lights_and_ranks(workspace: Path) -> None:
    projects = _csv(workspace, "projects.csv", "project_id")
    p1, p2 = projects["P1"], projects["P2"]
    assert float(p1["completion_rate"]) == pytest.approx(1100 / 1200, abs=1e-6)
    # C equals T up to float noise: lag is 0 once rounded to 9 decimals -> green
    assert (p1["light"], p1["light_reason"]) == ("green", "on_schedule")
    assert float(p2["ytd_done"]) == 1800  # from the corrected file
    assert float(p2["lag_pp"]) == pytest.approx((T - 0.75) * 100, abs=1e-6)
    assert (p2["light"], p2["light_reason"]) == ("red", "lag")
    assert (projects["P3"]["light"], projects["P3"]["light_reason"]) == ("red", "overdue_start")
    assert float(projects["P4"]["lag_pp"]) == pytest.approx((T - 500 / 600) * 100, abs=1e-6)
    assert projects["P4"]["light"] == "yellow"
    # 用地预审 planned 2026-10-31, not done at 2026-11-30: 30 days overdue -> yellow
    assert (projects["P5"]["light"], projects["P5"]["light_reason"]) == (
        "yellow", "milestone_overdue")
    assert projects["P5"]["progress_index"] == "" and projects["P5"]["rank"] == ""
    assert (projects["P6"]["light"], projects["P6"]["light_reason"]) == (
        "red", "overdue_completion")
    assert (projects["P7"]["light"], projects["P7"]["reported"]) == ("grey", "false")
    # P8 has monthly plans: T = plan_11 / annual_plan = 1100 / 1200
    assert float(projects["P8"]["time_progress"]) == pytest.approx(1100 / 1200, abs=1e-6)
    assert float(projects["P8"]["progress_index"]) == pytest.approx(1.2, abs=1e-6)
    ranks = {pid: row["rank"] for pid, row in projects.items()}
    assert ranks == {"P8": "1", "P6": "2", "P1": "3", "P4": "4", "P2": "5", "P3": "6",
                     "P5": "", "P7": ""}
    assert [projects[p]["category_rank"] for p in ("P8", "P1", "P4", "P2")] == ["1", "2", "3", "4"]
    assert list(projects) == ["P8", "P6", "P1", "P4", "P2", "P3", "P5", "P7"]


def test_unit_scores_by_hand(workspace: Path) -> None:
    units = _csv(workspace, "units.csv", "unit")
    # 甲局: investment 2900 / (4800 × 11/12); starts 0 of 1 due; no milestones;
    # reporting 3/3 projects × 4/5 rows without error (the conflicting row has one)
    investment = 2900 / (4800 * T)
    assert float(units["甲局"]["investment"]) == pytest.approx(investment, abs=1e-6)
    assert float(units["甲局"]["starts"]) == 0
    assert units["甲局"]["milestones"] == ""
    assert float(units["甲局"]["reporting"]) == pytest.approx(0.8)
    assert float(units["甲局"]["score"]) == pytest.approx(
        (50 * investment + 20 * 0 + 10 * 0.8) / 80 * 100, abs=1e-4)
    # 乙局: investment 1450 / (1600 × 11/12); milestones 1 on time of 2 due; reporting 1
    investment = 1450 / (1600 * T)
    assert float(units["乙局"]["score"]) == pytest.approx(
        (50 * investment + 20 * 0.5 + 10 * 1) / 80 * 100, abs=1e-4)
    # 丙镇: investment 1320 / (800 × 11/12 + 1100); 1 of 2 reported × 1 of 2 rows clean
    investment = 1320 / (800 * T + 1100)
    assert float(units["丙镇人民政府"]["reporting"]) == pytest.approx(0.25)
    assert float(units["丙镇人民政府"]["score"]) == pytest.approx(
        (50 * investment + 10 * 0.25) / 60 * 100, abs=1e-4)
    assert {u: r["rank"] for u, r in units.items()} == {"乙局": "1", "丙镇人民政府": "2",
                                                         "甲局": "3"}
    assert units["乙局"]["grey"] == "0" and units["丙镇人民政府"]["grey"] == "1"


def test_every_row_accounted_for(workspace: Path) -> None:
    with open(workspace / "output/2026-11/data/rows.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    got = {(r["file"], r["row"]): (r["project_id"], r["disposition"], r["finding_code"])
           for r in rows}
    assert got == {
        ("丙镇.xlsx", "4"): ("P8", "used", ""),
        ("丙镇.xlsx", "5"): ("P9", "rejected", "unknown_project"),
        ("乙局.xlsx", "4"): ("P4", "used", ""),
        ("乙局.xlsx", "5"): ("P5", "used", ""),
        ("乙局.xlsx", "6"): ("P6", "used", ""),
        ("甲局.xlsx", "4"): ("P1", "used", ""),
        ("甲局.xlsx", "5"): ("P2", "rejected", "conflicting_rows"),
        ("甲局.xlsx", "6"): ("P3", "used", ""),
        ("甲局.xlsx", "7"): ("P1", "duplicate", "duplicate_row"),
        ("甲局（更正）.xlsx", "4"): ("P2", "used", ""),
    }
