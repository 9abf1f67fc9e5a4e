"""The demo workspace end to end: nothing lost, the deliberate mistakes found, reproducible."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

PERIOD = "output/2026-11"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", str(root)]).exit_code == 0
    result = runner.invoke(cli, ["run", "--input", str(root / "input"),
                                 "--output", str(root / "output"),
                                 "--config", str(root / "keyproj.toml")])
    assert result.exit_code == 0, result.output
    return root


def _read(root: Path, name: str) -> list[dict[str, str]]:
    with open(root / PERIOD / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_and_file_is_accounted_for(demo: Path) -> None:
    rows = _read(demo, "data/rows.csv")
    findings = _read(demo, "data/findings.csv")
    manifest = json.loads((demo / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    assert {r["disposition"] for r in rows} <= {"used", "duplicate", "rejected"}
    counts = manifest["rows"]
    assert counts["read"] == len(rows) == counts["used"] + counts["duplicate"] + counts["rejected"]
    assert counts["used"] == sum(r["disposition"] == "used" for r in rows)
    # a row that is not used says why, with a finding at its place
    places = {(f["file"], f["sheet"], f["row"], f["code"]) for f in findings}
    for row in rows:
        if row["disposition"] != "used":
            assert row["finding_code"], row
            for code in row["finding_code"].split(";"):
                assert (row["file"], row["sheet"], row["row"], code) in places
    # every input file is in the manifest, and gave rows or a file-level finding
    inputs = sorted(p.name for p in (demo / "input/2026-11").iterdir())
    assert sorted(i["file"] for i in manifest["inputs"]) == inputs
    with_rows = {r["file"] for r in rows} | {f["file"] for f in findings if not f["row"]}
    assert set(inputs) <= with_rows
    assert sum(manifest["findings"].values()) == len(findings)
    # every register project is in projects.csv once; used rows are one per reported project
    projects = _read(demo, "data/projects.csv")
    assert len({p["project_id"] for p in projects}) == len(projects)
    assert sum(p["reported"] == "true" for p in projects) == counts["used"]


def test_the_deliberate_mistakes_are_found_at_their_cells(demo: Path) -> None:
    got = {(f["code"], f["file"], f"{f['sheet']}!{f['cell']}" if f["cell"] else f["project_id"])
           for f in _read(demo, "data/findings.csv")}
    expected = {
        ("not_reported", "", "SP2026-017"),
        ("matched_by_name", "工业园管委会2026年11月重点项目进度.xlsx", "11月!B5"),
        ("unknown_project", "五里牌镇11月.xlsx", "进度表!B6"),
        ("bad_number", "住建局11月进度.xlsx", "Sheet1!F10"),
        ("negative_amount", "农业农村局11月.xlsx", "进度表!E5"),
        ("future_date", "交通局11月.xlsx", "进度表!J11"),
        ("ytd_exceeds_total", "五里牌镇11月.xlsx", "进度表!F7"),
        ("unit_mismatch", "泷泊镇.xlsx", "进度表!B6"),
        ("conflicting_rows", "县水利局-11月进度.xlsx", "进度表!B7"),
        ("duplicate_row", "县卫生健康局-11月进度.xlsx", "进度表!B5"),
        ("started_without_date", "工业园管委会2026年11月重点项目进度.xlsx", "11月!I8"),
        ("amount_in_yuan", "农业农村局11月.xlsx", "进度表!F5"),
    }
    assert expected <= got


def test_corrected_resubmission_wins_and_unusable_value_is_grey(demo: Path) -> None:
    rows = {(r["file"], r["row"]): r for r in _read(demo, "data/rows.csv")}
    assert rows[("县水利局-11月进度.xlsx", "7")]["disposition"] == "rejected"
    projects = {p["project_id"]: p for p in _read(demo, "data/projects.csv")}
    assert (projects["SP2026-002"]["light"], projects["SP2026-002"]["light_reason"]) == (
        "grey", "unusable_value")
    assert projects["SP2026-017"]["light_reason"] == "not_reported"


def test_data_files_are_byte_identical_on_a_rerun(demo: Path) -> None:
    before = {p.name: p.read_bytes() for p in (demo / PERIOD / "data").iterdir()}
    result = CliRunner().invoke(cli, ["run", "--input", str(demo / "input"),
                                      "--output", str(demo / "output"),
                                      "--config", str(demo / "keyproj.toml")])
    assert result.exit_code == 0
    after = {p.name: p.read_bytes() for p in (demo / PERIOD / "data").iterdir()}
    assert after == before
    manifest = json.loads((demo / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["file"] for o in manifest["outputs"]}
    assert {"data/projects.csv", "data/units.csv", "data/findings.csv", "data/rows.csv",
            "report.html", "report.pdf"} <= listed


def test_check_lists_missing_units_without_reports(demo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--input", str(demo / "input"),
                                      "--output", str(tmp_path), "--period", "2026-11",
                                      "--config", str(demo / "keyproj.toml")])
    assert result.exit_code == 0
    # every unit sent a file; 县文化旅游广电体育局's file lacks one project (not_reported)
    assert "submitted 10 / 10" in result.output and "missing:" not in result.output
    assert sorted(p.name for p in (tmp_path / "2026-11/check").iterdir()) == [
        "findings.csv", "rows.csv"]
