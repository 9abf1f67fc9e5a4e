"""keyproj templates: the prefilled sheet each unit fills in, and its round trip."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from factory import project, write_register

from pipeline import columns as C
from pipeline.cli import cli
from pipeline.config import Limits, Settings, settings_from_dict
from pipeline.headers import alias_table, match_label, normalise_header
from pipeline.history import PeriodFacts, ProjectFact, write_period
from pipeline.period import Period
from pipeline.read import read_book
from pipeline.run import Workspace, load_register, run_check
from pipeline.submission import submission_from_book
from pipeline.unit_template import (
    COLUMNS,
    FIRST_DATA_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    REFERENCE_HEADERS,
    SHEET,
    build_template,
    template_contexts,
    write_templates,
)

OCT, NOV = Period(2026, 10), Period(2026, 11)
SETTINGS = settings_from_dict({"report": {"county": "双牌县", "office": "县重点项目建设服务中心"}})


def _workspace(root: Path) -> Workspace:
    plans = [100 * m for m in range(1, 13)]
    write_register(root / "input" / "register.xlsx", [
        project("SP2026-001", "G207线公路改建工程", total=30000, plan=1200, plans=plans),
        project("SP2026-002", "城乡客运枢纽站", category="新开工", plan=600,
                start=dt.date(2026, 5, 31), plans=[50 * m for m in range(1, 13)]),
        project("SP2026-003", "农产品冷链物流园", attraction="是", contract=5000, plan=2400,
                plans=[200 * m for m in range(1, 13)]),
        project("SP2026-004", "第二自来水厂扩建", unit="县住房和城乡建设局", leader="李建国",
                plan=1200, plans=plans),
    ], milestones=[("SP2026-002", "施工许可", dt.date(2026, 5, 15)),
                   ("SP2026-002", "主体完工", dt.date(2026, 11, 30))], monthly=True)
    (root / "input" / str(NOV)).mkdir(parents=True)
    ws = Workspace(root / "input", root / "output")
    facts = {"SP2026-001": ProjectFact("green", True, 1000.0, 1000 / 1200, None, "县交通运输局"),
             "SP2026-002": ProjectFact("green", True, 480.0, 0.8, None, "县交通运输局"),
             "SP2026-003": ProjectFact("green", True, 1900.0, 1900 / 2400, None, "县交通运输局"),
             "SP2026-004": ProjectFact("green", True, 950.0, 950 / 1200, None,
                                       "县住房和城乡建设局")}
    write_period(ws.history_path, PeriodFacts(
        period=OCT, version="test", config_digest="", inputs=[], projects=facts,
        milestones={"SP2026-002": {"施工许可": dt.date(2026, 5, 10)}}, units={}))
    return ws


def _column(header_start: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.header.startswith(header_start))


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    """project_id -> its row in a template."""
    out = {}
    for r in range(FIRST_DATA_ROW, sheet.max_row + 1):
        value = sheet.cell(r, _column("项目编号")).value
        if not value:
            break
        out[value] = r
    return out


def _fill(path: Path, dest: Path, values: dict[str, dict[str, object]],
          report_date: dt.date | None = dt.date(2026, 11, 25)) -> Path:
    """Fill a template as a unit would in Excel (only unlocked cells) and save it as dest."""
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    rows = _rows(sheet)
    if report_date is not None:
        assert sheet["C3"].protection.locked is False
        sheet["C3"] = report_date
    for pid, cells in values.items():
        for header, value in cells.items():
            cell = sheet.cell(rows[pid], _column(header))
            assert cell.protection.locked is False, header
            cell.value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    book.save(dest)
    return dest


def test_input_headers_are_submission_aliases_and_references_are_not() -> None:
    table = alias_table(C.SUBMISSION_ALIASES)
    for column in COLUMNS:
        found = match_label(normalise_header(column.header), table)
        if column.key is not None:
            assert found == column.key, column.header
        else:
            assert found is None, column.header
    assert "上月末累计完成投资（万元）（参考）" in REFERENCE_HEADERS
    # every submission field a unit reports has its column
    keys = {c.key for c in COLUMNS if c.key}
    assert keys == set(C.SUBMISSION_ALIASES) - {C.UNIT}


def test_round_trip_reads_back_with_no_spurious_finding(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    written = write_templates(ws, NOV, SETTINGS)
    assert sorted(p.name for p in written.values()) == ["县交通运输局.xlsx", "县住房和城乡建设局.xlsx"]
    folder = ws.period_input(NOV)
    # file names that name no unit: the 填报单位 line must tell
    _fill(written["县交通运输局"], folder / "11月进度（一）.xlsx", {
        "SP2026-001": {"本月完成投资": 100, "年度累计完成投资": 1100, "是否开工": "是",
                       "实际开工时间": dt.date(2025, 3, 1), "是否竣工": "否",
                       "形象进度": "路基完成85%", "存在问题": "部分路段征地未完成",
                       "问题类型": "征地拆迁", "需协调事项": "请协调江村镇加快征地"},
        "SP2026-002": {"本月完成投资": 70.5, "年度累计完成投资": 550.5, "是否开工": "是",
                       "实际开工时间": dt.date(2026, 6, 18), "是否竣工": "否",
                       "完成节点": "主体完工", "完成时间": dt.date(2026, 11, 20)},
        "SP2026-003": {"本月完成投资": 300, "年度累计完成投资": 2200, "是否开工": "是",
                       "实际开工时间": dt.date(2026, 2, 1), "是否竣工": "否",
                       "到位资金": 3600, "是否履约": "是"},
    })
    _fill(written["县住房和城乡建设局"], folder / "11月进度（二）.xlsx", {
        "SP2026-004": {"本月完成投资": 0, "年度累计完成投资": 950, "是否开工": "是",
                       "实际开工时间": dt.date(2024, 3, 27), "是否竣工": "否"},
    }, report_date=None)

    analysis = run_check(ws, NOV, SETTINGS)

    assert [(f.code, str(f.ref)) for f in analysis.findings] == []
    assert analysis.reconciled.file_units == {"11月进度（一）.xlsx": "县交通运输局",
                                              "11月进度（二）.xlsx": "县住房和城乡建设局"}
    assert [r.disposition for r in analysis.reconciled.rows] == ["used"] * 4
    figures = analysis.projects.set_index("project_id")
    assert figures.loc["SP2026-001", "ytd_done"] == 1100
    assert figures.loc["SP2026-002", "ytd_done"] == 550.5
    assert figures.loc["SP2026-002", "month_done"] == 70.5
    assert figures.loc["SP2026-003", "ytd_done"] == 2200
    assert figures.loc["SP2026-004", "ytd_done"] == 950
    assert bool(figures["reported"].all())
    assert figures.loc["SP2026-001", "completion_rate"] == pytest.approx(1100 / 1200)
    kept = analysis.reconciled.kept
    assert kept["SP2026-001"].values[C.PROBLEM_TYPE] == "land"
    assert kept["SP2026-002"].milestones == [("主体完工", dt.date(2026, 11, 20))]
    assert kept["SP2026-003"].values[C.FUNDS_IN_PLACE] == 3600
    assert kept["SP2026-003"].values[C.PERFORMING] is True
    assert analysis.attraction.set_index("scope").loc["county", "funds_in_place"] == 3600
    assert list(analysis.coordination["project_id"]) == ["SP2026-001"]
    dated = submission_from_book(read_book(folder / "11月进度（一）.xlsx", "a.xlsx", Limits()), NOV)
    assert (dated.unit_line, dated.report_date) == ("县交通运输局", dt.date(2026, 11, 25))


def test_round_trip_findings_are_only_those_the_values_earn(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    written = write_templates(ws, NOV, SETTINGS)
    _fill(written["县交通运输局"], ws.period_input(NOV) / "交通.xlsx", {
        "SP2026-001": {"本月完成投资": 100, "年度累计完成投资": 1300},   # 1000 + 100 ≠ 1300
        "SP2026-002": {"本月完成投资": 20},                                 # ytd left empty
        "SP2026-003": {"年度累计完成投资": 2000, "是否开工": "是"},       # no start date
    })

    analysis = run_check(ws, NOV, SETTINGS)

    found = sorted((f.code, f.project_id or "") for f in analysis.findings)
    assert found == [("missing_value", "SP2026-002"), ("not_reported", "SP2026-004"),
                     ("started_without_date", "SP2026-003"), ("ytd_mismatch", "SP2026-001")]
    refs = {f.code: str(f.ref) for f in analysis.findings if f.ref}
    ytd = openpyxl.utils.get_column_letter(_column("年度累计完成投资"))
    assert refs["missing_value"] == f"交通.xlsx:{SHEET}!{ytd}{FIRST_DATA_ROW + 1}"


def test_template_layout_protection_and_validation(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    path = write_templates(ws, NOV, SETTINGS)["县交通运输局"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [SHEET, GUIDE_SHEET]
    sheet = book[SHEET]
    assert sheet["A1"].value == "双牌县2026年重点项目建设进度表（11月）"
    assert sheet["A2"].value == "填报单位：县交通运输局"
    assert sheet["A3"].value == "填报日期："
    assert [sheet.cell(HEADER_ROW, i).value for i in range(1, len(COLUMNS) + 1)] == \
        [c.header for c in COLUMNS]
    rows = _rows(sheet)
    assert list(rows) == ["SP2026-001", "SP2026-002", "SP2026-003"]
    r = rows["SP2026-003"]
    assert sheet.cell(r, _column("项目名称")).value == "农产品冷链物流园"
    assert sheet.cell(r, _column("上月末累计完成投资")).value == 1900
    assert sheet.cell(r, _column("年度计划投资")).value == 2400
    assert sheet.cell(rows["SP2026-002"], _column("待完成节点")).value == "主体完工（2026-11-30）"
    # protected without a password; in the project rows only id and name are locked
    assert sheet.protection.sheet is True
    assert not sheet.protection.password
    for row in rows.values():
        locked = {c.header for i, c in enumerate(COLUMNS, start=1)
                  if sheet.cell(row, i).protection.locked}
        assert locked == {"项目编号", "项目名称"}
    assert sheet.cell(HEADER_ROW, _column("年度累计")).protection.locked is True
    # number formats
    assert sheet.cell(r, _column("年度累计完成投资")).number_format == "#,##0.00"
    assert sheet.cell(r, _column("实际开工时间")).number_format == "yyyy-mm-dd"
    assert sheet.cell(r, _column("项目编号")).number_format == "@"
    # data validation
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        for rng in rule.sqref.ranges:
            rules[rng.coord] = rule

    def rule_for(header: str) -> openpyxl.worksheet.datavalidation.DataValidation:
        letter = openpyxl.utils.get_column_letter(_column(header))
        return rules[f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + 2}"]

    for header in ("是否开工", "是否竣工", "是否履约"):
        assert (rule_for(header).type, rule_for(header).formula1) == ("list", '"是,否"')
    assert rule_for("问题类型").formula1 == '"' + ",".join(C.PROBLEM_TYPES) + '"'
    for header in ("本月完成投资", "年度累计完成投资", "到位资金"):
        rule = rule_for(header)
        assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")
    for header in ("实际开工时间", "完成时间"):
        rule = rule_for(header)
        assert (rule.type, rule.formula2) == ("date", "DATE(2026,11,30)")
    assert all(rule.showErrorMessage for rule in sheet.data_validations.dataValidation)
    guide = "\n".join(str(c.value) for c in book[GUIDE_SHEET]["A"] if c.value)
    assert "年度累计完成投资" in guide and "万元" in guide and "不可抗力" in guide
    assert "10月" in guide   # the reference month


def test_reference_is_empty_in_january_and_without_history(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    register = load_register(ws, Settings())
    january = template_contexts(register, Period(2027, 1), Settings(), None)
    assert all(row.last_ytd is None for ctx in january.values() for row in ctx.rows)
    assert january["县交通运输局"].reference_period is None
    path = write_templates(ws, Period(2026, 12), Settings())["县交通运输局"]  # Nov not held
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert {sheet.cell(r, _column("上月末")).value for r in _rows(sheet).values()} == {None}


def test_templates_are_reproducible(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    register = load_register(ws, Settings())
    ctx = template_contexts(register, NOV, SETTINGS, None)["县交通运输局"]
    first = build_template(ctx)
    assert build_template(ctx) == first
    openpyxl.load_workbook(io.BytesIO(first))   # a valid workbook


def test_only_missing_keeps_existing_templates(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    path = write_templates(ws, NOV, SETTINGS)["县交通运输局"]
    path.write_bytes(b"edited by the office")
    assert "县交通运输局" not in write_templates(ws, NOV, SETTINGS, only_missing=True)
    assert path.read_bytes() == b"edited by the office"


def test_cli_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["templates"])   # history holds 2026-10: the next is 11
    assert result.exit_code == 0, result.output
    assert "2026-11" in result.output and "2026-10" in result.output
    assert sorted(p.name for p in (tmp_path / "output/2026-11/templates").iterdir()) == \
        ["县交通运输局.xlsx", "县住房和城乡建设局.xlsx"]
    result = runner.invoke(cli, ["templates", "--period", "2027-01"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output/2027-01/templates/县交通运输局.xlsx").is_file()
    assert runner.invoke(cli, ["templates", "--period", "2026-13"]).exit_code == 2


def test_cli_templates_without_history_or_input_asks_for_a_period(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_register(tmp_path / "input" / "register.xlsx", [project("SP2026-001", "某工程")])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["templates"])
    assert result.exit_code == 1
    assert "--period" in result.output
