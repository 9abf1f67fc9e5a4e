"""Month over month (SPEC 5.2 history checks, 5.5, 5.6): the history store and what it drives."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import make_workbook, project, write_register

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.history import summary, table_dump
from pipeline.period import Period
from pipeline.run import Workspace, run_period

HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资", "存在问题", "问题类型",
          "不可抗力"]


def _csv(root: Path, period: str, name: str) -> list[dict[str, str]]:
    with open(root / "output" / period / "data" / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the demo workspace: October then November -------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", str(root)]).exit_code == 0
    for period in ("2026-10", "2026-11"):
        result = runner.invoke(cli, ["run", "--period", period, "--input", str(root / "input"),
                                     "--output", str(root / "output"),
                                     "--config", str(root / "keyproj.toml")])
        assert result.exit_code == 0, result.output
    return root


def test_history_checks_on_the_demo(demo: Path) -> None:
    got = sorted((f["code"], f["file"], f"{f['sheet']}!{f['cell']}")
                 for f in _csv(demo, "2026-11", "findings.csv")
                 if f["code"] in ("ytd_mismatch", "ytd_decreased"))
    # the mistakes pipeline/demo.py documents: November counted twice (交通局 H6), a ytd
    # over the total that also breaks the sum (五里牌镇 F7), an audit deduction (农业农村局
    # F5), another unit's lower figures (泷泊镇 E6)
    assert got == [
        ("ytd_decreased", "农业农村局11月.xlsx", "进度表!F5"),
        ("ytd_decreased", "泷泊镇.xlsx", "进度表!E6"),
        ("ytd_mismatch", "五里牌镇11月.xlsx", "进度表!F7"),
        ("ytd_mismatch", "交通局11月.xlsx", "进度表!H6"),
        ("ytd_mismatch", "泷泊镇.xlsx", "进度表!E6"),
    ]
    # October is the first month held: no history checks there
    assert not [f for f in _csv(demo, "2026-10", "findings.csv") if f["code"].startswith("ytd_m")]


def test_escalation_on_the_demo(demo: Path) -> None:
    levels = {p["project_id"]: p["escalation"] for p in _csv(demo, "2026-11", "projects.csv")
              if p["escalation"]}
    # red in October and November: interview; red in November only: remind
    assert levels == {
        **{pid: "interview" for pid in ("SP2026-005", "SP2026-006", "SP2026-013", "SP2026-014",
                                        "SP2026-018", "SP2026-019", "SP2026-021", "SP2026-029",
                                        "SP2026-036")},
        **{pid: "remind" for pid in ("SP2026-032", "SP2026-040", "SP2026-044")},
    }


def test_coordination_months_and_lists_on_the_demo(demo: Path) -> None:
    items = _csv(demo, "2026-11", "coordination.csv")
    assert all(i["leader"] and i["text"] for i in items)
    by_leader: dict[str, list[int]] = {}
    for item in items:
        by_leader.setdefault(item["leader"], []).append(int(item["months"]))
    assert all(months == sorted(months, reverse=True) for months in by_leader.values())
    lists = _csv(demo, "2026-11", "lists.csv")
    black_units = [(r["id"], r["reason"]) for r in lists if (r["list"], r["kind"]) == (
        "black", "unit")]
    assert ("县文化旅游广电体育局", "not_reported") in black_units
    red_projects = [r for r in lists if (r["list"], r["kind"]) == ("red", "project")]
    assert [r["rank"] for r in red_projects] == [str(i) for i in range(1, len(red_projects) + 1)]
    assert len(red_projects) <= 10
    # the unapproved force-majeure claim stays on the black list
    assert any(r["id"] == "SP2026-014" and r["list"] == "black" for r in lists)


def test_rerunning_a_period_is_identical(demo: Path) -> None:
    before = {p.name: p.read_bytes() for p in (demo / "output/2026-11/data").iterdir()}
    history = table_dump(demo / "output/history.sqlite")
    result = CliRunner().invoke(cli, ["run", "--period", "2026-11", "--input",
                                      str(demo / "input"), "--output", str(demo / "output"),
                                      "--config", str(demo / "keyproj.toml")])
    assert result.exit_code == 0
    assert {p.name: p.read_bytes() for p in (demo / "output/2026-11/data").iterdir()} == before
    assert table_dump(demo / "output/history.sqlite") == history


# --- small workspaces -------------------------------------------------------------------

def _workspace(root: Path) -> Workspace:
    write_register(root / "input/register.xlsx", [
        project("P1", "一号路", unit="甲局", plan=1200, total=50000),
        project("P2", "二号桥", unit="乙镇人民政府", plan=1200, total=50000),
    ])
    return Workspace(root / "input", root / "output")


def _month(ws: Workspace, period: str, rows: list[list[object]]) -> None:
    make_workbook(ws.input_dir / period / "甲局.xlsx", HEADER, rows, title_rows=[["填报单位：甲局"]])


def _run(ws: Workspace, period: str, settings: Settings | None = None) -> None:
    run_period(ws, Period.parse(period), settings or Settings())


def _findings(ws: Workspace, period: str) -> list[tuple[str, str]]:
    return [(f["code"], f["cell"]) for f in _csv(ws.output_dir.parent, period, "findings.csv")
            if f["code"].startswith("ytd_")]


def test_january_has_no_history_checks(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _month(ws, "2025-12", [["P1", "一号路", 100, 1300]])
    _month(ws, "2026-01", [["P1", "一号路", 100, 100]])   # far below December: a new year
    _run(ws, "2025-12")
    _run(ws, "2026-01")
    assert _findings(ws, "2026-01") == []


def test_missing_previous_month_skips_and_a_gap_breaks_the_chain(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _month(ws, "2026-08", [["P1", "一号路", 10, 100]])
    _month(ws, "2026-10", [["P1", "一号路", 10, 50]])
    _month(ws, "2026-11", [["P1", "一号路", 10, 40]])
    for period in ("2026-08", "2026-10", "2026-11"):
        _run(ws, period)
    assert _findings(ws, "2026-10") == []        # September not held: skipped
    assert _findings(ws, "2026-11") == [("ytd_decreased", "D3"), ("ytd_mismatch", "D3")]
    escalation = {p["project_id"]: p["escalation"] for p in _csv(tmp_path, "2026-11",
                                                                  "projects.csv")}
    assert escalation["P1"] == "interview"       # October and November; August is cut off


def test_three_red_months_is_accountability_and_approved_force_majeure(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    for month, ytd in ((9, 100), (10, 110), (11, 120)):
        _month(ws, f"2026-{month:02d}", [["P1", "一号路", 10, ytd, "征地未完成", "征地拆迁",
                                          "特大暴雨停工两个月"]])
        _run(ws, f"2026-{month:02d}")
    projects = {p["project_id"]: p for p in _csv(tmp_path, "2026-11", "projects.csv")}
    assert (projects["P1"]["light"], projects["P1"]["escalation"]) == ("red", "accountability")
    items = _csv(tmp_path, "2026-11", "coordination.csv")
    assert [(i["project_id"], i["problem_type"], i["months"]) for i in items] == [
        ("P1", "land", "3")]
    black = [r["id"] for r in _csv(tmp_path, "2026-11", "lists.csv") if r["list"] == "black"]
    assert "P1" in black
    # an id approved as the office typed it: compared as the register's are
    approved = Settings(force_majeure_approved=frozenset({" p１ "}))
    _run(ws, "2026-11", approved)
    projects = {p["project_id"]: p for p in _csv(tmp_path, "2026-11", "projects.csv")}
    assert projects["P1"]["light"] == "red"          # keeps its light …
    black = [r["id"] for r in _csv(tmp_path, "2026-11", "lists.csv") if r["list"] == "black"]
    assert "P1" not in black                          # … but stays off the black list
    # a month whose row no longer claims it (empty, or saying there is none): the approval
    # has nothing to hold
    for no_claim in (None, "否", "不涉及", "无不可抗力"):
        _month(ws, "2026-11", [["P1", "一号路", 10, 120, "征地未完成", "征地拆迁", no_claim]])
        _run(ws, "2026-11", approved)
        black = [r["id"] for r in _csv(tmp_path, "2026-11", "lists.csv") if r["list"] == "black"]
        assert "P1" in black, no_claim


def test_an_answer_saying_there_is_no_problem_is_no_coordination_item(tmp_path: Path) -> None:
    """暂无问题 two months, then a real problem: one item, one month old; the answers are
    kept as no problem in the history too."""
    ws = _workspace(tmp_path)
    for month, ytd, problem in ((9, 100, "暂无问题"), (10, 110, "无。"), (11, 120, "征地未完成")):
        _month(ws, f"2026-{month:02d}", [["P1", "一号路", 10, ytd, problem, "其他"]])
        _run(ws, f"2026-{month:02d}")
        items = _csv(tmp_path, f"2026-{month:02d}", "coordination.csv")
        assert [(i["text"], i["months"]) for i in items] == (
            [("征地未完成", "1")] if month == 11 else []), month


def test_peer_groups_in_units_and_lists(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _month(ws, "2026-11", [["P1", "一号路", 10, 1200]])
    settings = Settings(groups={"乡镇": ("乙镇人民政府",), "部门": ("甲局",)})
    _run(ws, "2026-11", settings)
    units = {u["unit"]: (u["group"], u["rank"]) for u in _csv(tmp_path, "2026-11", "units.csv")}
    assert units == {"甲局": ("部门", "1"), "乙镇人民政府": ("乡镇", "1")}
    lists = {(r["list"], r["kind"], r["id"]): (r["reason"], r["rank"])
             for r in _csv(tmp_path, "2026-11", "lists.csv")}
    assert lists[("red", "unit", "甲局")] == ("top_score", "1")
    assert lists[("black", "unit", "乙镇人民政府")] == ("not_reported;score_below_60", "1")


def test_a_failed_history_write_leaves_the_history_unchanged(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _month(ws, "2026-10", [["P1", "一号路", 10, 100]])
    _month(ws, "2026-11", [["P1", "一号路", 10, 110]])
    _run(ws, "2026-10")
    _run(ws, "2026-11")
    before = table_dump(ws.history_path)
    _month(ws, "2026-11", [["P1", "一号路", 10, 999]])

    def boom() -> None:
        raise RuntimeError("killed during the history write")

    with pytest.raises(RuntimeError):
        run_period(ws, Period(2026, 11), Settings(), before_commit=boom)
    assert table_dump(ws.history_path) == before


def test_late_earlier_run_marks_later_stale_and_drop(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _month(ws, "2026-10", [["P1", "一号路", 10, 100]])
    _month(ws, "2026-11", [["P1", "一号路", 10, 110]])
    _run(ws, "2026-11")
    facts = table_dump(ws.history_path)
    _run(ws, "2026-10")                       # a late October run after November
    held = {s.period: s.stale for s in summary(ws.history_path)}
    assert held == {"2026-10": False, "2026-11": True}
    after = table_dump(ws.history_path)
    assert [r for r in after["projects"] if r[0] == "2026-11"] == facts["projects"]
    result = CliRunner().invoke(cli, ["history", "--output", str(ws.output_dir)])
    assert "2026-11" in result.output and "stale" in result.output
    result = CliRunner().invoke(cli, ["history", "--output", str(ws.output_dir), "--drop",
                                      "2026-10"])
    assert result.exit_code == 0
    assert [s.period for s in summary(ws.history_path)] == ["2026-11"]
    assert CliRunner().invoke(cli, ["history", "--output", str(ws.output_dir), "--drop",
                                    "2026-10"]).exit_code == 1


def test_schema_is_versioned(tmp_path: Path) -> None:
    import sqlite3

    from pipeline.history import SCHEMA_VERSION, connect

    conn = connect(tmp_path / "h.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert sqlite3.connect(tmp_path / "h.sqlite").execute(
        "SELECT name FROM sqlite_master WHERE name = 'periods'").fetchone() == ("periods",)


def test_settings_naming_what_the_register_has_not(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A group names a unit by its short form (乙镇 for 乙镇人民政府): it is that unit's. An
    approved id or a group's unit the register lacks is named in a warning; the run goes
    on."""
    ws = _workspace(tmp_path)
    _month(ws, "2026-11", [["P1", "一号路", 10, 1200]])
    settings = Settings(groups={"乡镇": ("乙镇", "丙镇"), "部门": ("甲局",)},
                        force_majeure_approved=frozenset({"SP-404"}))
    with caplog.at_level("WARNING"):
        _run(ws, "2026-11", settings)
    units = {u["unit"]: u["group"] for u in _csv(tmp_path, "2026-11", "units.csv")}
    assert units == {"甲局": "部门", "乙镇人民政府": "乡镇"}
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "SP-404" in warned and "丙镇" in warned and "乙镇、" not in warned


def test_a_project_of_two_leaders_is_on_both_lists(tmp_path: Path) -> None:
    """联系领导 “张三、李四”: two leaders, each with the project and its problem on their list
    (not a third leader named “张三、李四”, whose list nobody gets)."""
    write_register(tmp_path / "input/register.xlsx", [
        project("P1", "一号路", unit="甲局", leader="张三、李四", plan=1200, total=50000),
        project("P2", "二号桥", unit="甲局", leader="李四", plan=1200, total=50000),
    ])
    ws = Workspace(tmp_path / "input", tmp_path / "output")
    _month(ws, "2026-11", [["P1", "一号路", 10, 100, "征地未完成", "征地拆迁"],
                           ["P2", "二号桥", 10, 1100]])
    _run(ws, "2026-11")
    items = _csv(tmp_path, "2026-11", "coordination.csv")
    assert sorted((i["leader"], i["project_id"]) for i in items) == [("张三", "P1"), ("李四", "P1")]
    leaders = tmp_path / "output/2026-11/leaders"
    assert sorted(p.name for p in leaders.glob("*.html")) == ["张三.html", "李四.html"]
    for name in ("张三", "李四"):
        page = (leaders / f"{name}.html").read_text(encoding="utf-8")
        assert "一号路" in page and "征地未完成" in page
    assert "二号桥" in (leaders / "李四.html").read_text(encoding="utf-8")
    assert "二号桥" not in (leaders / "张三.html").read_text(encoding="utf-8")


def test_an_id_given_to_another_unit_s_project_starts_a_chain_of_its_own(tmp_path: Path
                                                                          ) -> None:
    """2026's P1 (甲局) is red October to December; 2027's register gives P1 to a new
    project of 乙镇人民政府, red in January: its first red month (remind, problem month 1),
    not the fourth of another project's."""
    ws = _workspace(tmp_path)
    for month in (10, 11, 12):
        _month(ws, f"2026-{month:02d}", [["P1", "一号路", 10, 100, "征地未完成", "征地拆迁"]])
        _run(ws, f"2026-{month:02d}")
    write_register(tmp_path / "input/register.xlsx", [
        project("P1", "新材料厂", category="新开工", unit="乙镇人民政府", plan=1200,
                total=50000, start=dt.datetime(2026, 12, 1))])      # not started: red
    make_workbook(ws.input_dir / "2027-01" / "乙镇.xlsx", HEADER,
                  [["P1", "新材料厂", 0, 0, "征地未完成", "征地拆迁"]],
                  title_rows=[["填报单位：乙镇人民政府"]])
    _run(ws, "2027-01")
    projects = {p["project_id"]: p for p in _csv(tmp_path, "2027-01", "projects.csv")}
    assert (projects["P1"]["light"], projects["P1"]["escalation"]) == ("red", "remind")
    items = _csv(tmp_path, "2027-01", "coordination.csv")
    assert [(i["project_id"], i["months"]) for i in items] == [("P1", "1")]


def test_a_milestone_reported_done_ahead_counts_from_the_month_of_its_date(tmp_path: Path
                                                                          ) -> None:
    """September's row says 可研批复 was done on 2026-10-05: future_date in September (not
    done then), done on time from October, whose rows no longer name it (SPEC 5.3: a row of
    an earlier period with a 完成时间 no later than the period's last day)."""
    write_register(tmp_path / "input/register.xlsx",
                   [project("P1", "一号园", unit="甲局", category="前期", plan=0, total=50000)],
                   milestones=[("P1", "可研批复", dt.datetime(2026, 10, 21))])
    ws = Workspace(tmp_path / "input", tmp_path / "output")
    header = ["项目编号", "项目名称", "年度累计完成投资", "完成节点", "完成时间"]
    make_workbook(ws.input_dir / "2026-09/甲局.xlsx", header,
                  [["P1", "一号园", 0, "可研批复", dt.datetime(2026, 10, 5)]])
    make_workbook(ws.input_dir / "2026-10/甲局.xlsx", header, [["P1", "一号园", 0, None, None]])
    _run(ws, "2026-09")
    _run(ws, "2026-10")
    codes = [f["code"] for f in _csv(tmp_path, "2026-09", "findings.csv")]
    assert "future_date" in codes
    units = {p: _csv(tmp_path, p, "units.csv")[0]["milestones"] for p in ("2026-09", "2026-10")}
    assert units == {"2026-09": "", "2026-10": "1"}
    light = {p["project_id"]: p["light_reason"] for p in _csv(tmp_path, "2026-10",
                                                              "projects.csv")}
    assert light["P1"] == "milestones_on_time"
