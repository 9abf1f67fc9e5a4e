"""An unchanged period is not run again (issue 6): `keyproj run` says so and leaves every
output as it was; any change that could change an output runs it, and --force always does."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import TWO_UNITS_HEADER, make_workbook, project, two_units, write_register

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.period import Period
from pipeline.rerun import run_key, unchanged
from pipeline.workspace import Workspace

HEADER = TWO_UNITS_HEADER
NOV = Period(2026, 11)
UNCHANGED = "未变化 unchanged"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    two_units(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["run", "--jobs", "1", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _outputs(root: Path) -> dict[str, tuple[int, bytes]]:
    out = root / "output/2026-11"
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in out.rglob("*") if p.is_file()}


def test_an_unchanged_period_is_not_run_again(workspace: Path) -> None:
    first = _run()
    assert UNCHANGED not in first
    before = _outputs(workspace)
    again = _run()
    assert UNCHANGED in again and "--force" in again
    # the same summary as the run that made the outputs, and not a file touched
    summary = [line for line in first.splitlines() if line.startswith("2026-11: ")]
    assert len(summary) == 1 and summary[0] in again.splitlines()
    assert _outputs(workspace) == before


def test_force_runs_an_unchanged_period(workspace: Path) -> None:
    _run()
    before = _outputs(workspace)
    assert UNCHANGED not in _run("--force")
    after = _outputs(workspace)
    assert all(after[name][0] != before[name][0] for name in before)     # all written again
    # the same bytes, workbooks included (no save time in them), but the manifest's times
    assert {k: v[1] for k, v in after.items() if k != "manifest.json"} == \
        {k: v[1] for k, v in before.items() if k != "manifest.json"}
    assert any(k.endswith(".xlsx") for k in after)


def _touch_input(root: Path) -> None:
    make_workbook(root / "input/2026-11/乙镇人民政府.xlsx", HEADER, [["P2", "二号桥", 10, 1000]],
                  title_rows=[["填报单位：乙镇人民政府"]])


def _add_input(root: Path) -> None:
    make_workbook(root / "input/2026-11/迟到.xlsx", HEADER, [["P1", "一号路", 10, 950]])


def _rename_input(root: Path) -> None:
    folder = root / "input/2026-11"
    (folder / "甲局.xlsx").rename(folder / "甲局（更正）.xlsx")


def _change_register(root: Path) -> None:
    write_register(root / "input/register.xlsx", [
        project("P1", "一号路", unit="甲局", leader="王志强"),
        project("P2", "二号桥", unit="乙镇人民政府", leader="李建国"),
    ])


def _change_config(root: Path) -> None:
    (root / "keyproj.toml").write_text("[report]\ncounty = \"江华县\"\n", encoding="utf-8")


def _next_steps_file(root: Path) -> None:
    (root / "要求.txt").write_text("一、加快进度。\n", encoding="utf-8")
    (root / "keyproj.toml").write_text("[report]\nnext_steps = \"要求.txt\"\n", encoding="utf-8")


def _delete_output(root: Path) -> None:
    (root / "output/2026-11/units/甲局.pdf").unlink()


def _edit_output(root: Path) -> None:
    path = root / "output/2026-11/data/projects.csv"
    path.write_bytes(path.read_bytes() + b"\n")


def _drop_history(root: Path) -> None:
    result = CliRunner().invoke(cli, ["history", "--drop", "2026-11"])
    assert result.exit_code == 0, result.output


def _earlier_period_run_since(root: Path) -> None:
    """October run after November: November is stale (its escalation may have changed)."""
    make_workbook(root / "input/2026-10/甲局.xlsx", HEADER, [["P1", "一号路", 10, 800]],
                  title_rows=[["填报单位：甲局"]])
    _run("--period", "2026-10")


@pytest.mark.parametrize("change", [
    _touch_input, _add_input, _rename_input, _change_register, _change_config,
    _next_steps_file, _delete_output, _edit_output, _drop_history, _earlier_period_run_since,
])
def test_a_change_runs_the_period(workspace: Path, change) -> None:  # type: ignore[no-untyped-def]
    _run()
    change(workspace)
    assert UNCHANGED not in _run("--period", "2026-11")
    assert UNCHANGED in _run("--period", "2026-11")       # and then it is current again


def test_the_key_changes_with_a_second_earlier_history_fact(workspace: Path) -> None:
    ws, settings = Workspace(Path("input"), Path("output")), Settings()
    _run()
    key = run_key(ws, NOV, settings)
    assert unchanged(ws, NOV, settings) is not None
    with sqlite3.connect(workspace / "output/history.sqlite") as conn:
        conn.execute("INSERT INTO periods VALUES ('2026-09', 'x', 'x', 'x', 0)")
        conn.execute("INSERT INTO units VALUES ('2026-09', '甲局', 90.0, 100.0)")
    assert run_key(ws, NOV, settings) != key
    assert unchanged(ws, NOV, settings) is None


def test_a_later_period_does_not_change_the_key(workspace: Path) -> None:
    ws, settings = Workspace(Path("input"), Path("output")), Settings()
    _run()
    key = run_key(ws, NOV, settings)
    make_workbook(workspace / "input/2026-12/甲局.xlsx", HEADER, [["P1", "一号路", 10, 990]])
    _run("--period", "2026-12")
    assert run_key(ws, NOV, settings) == key and unchanged(ws, NOV, settings) is not None


def test_times_that_decide_between_conflicting_rows_are_part_of_the_key(
        workspace: Path) -> None:
    """Two sheets of 甲局 without a 填报日期 disagree: the later file wins (SPEC 5.1). Only
    their times change: the period is run again and the other row is kept."""
    second = workspace / "input/2026-11/甲局（更正）.xlsx"
    make_workbook(second, TWO_UNITS_HEADER, [["P1", "一号路", 10, 950]],
                  title_rows=[["填报单位：甲局"]])
    first = workspace / "input/2026-11/甲局.xlsx"
    os.utime(first, (1_000_000, 1_000_000))
    os.utime(second, (2_000_000, 2_000_000))

    def kept() -> str:
        rows = (workspace / "output/2026-11/data/rows.csv").read_text("utf-8").splitlines()
        return next(r.split(",")[0] for r in rows if ",P1,used," in r)

    _run()
    assert kept() == second.name
    os.utime(first, (3_000_000, 3_000_000))
    assert UNCHANGED not in _run()
    assert kept() == first.name


def test_a_copy_of_the_same_bytes_with_a_new_time_runs_again_and_prints_nothing(
        workspace: Path, printed: list[str]) -> None:
    """A file's modification time decides between conflicting rows (SPEC 5.1), so a new
    time is a change the period is run again for; with the same bytes every output comes
    out the same, and no PDF is printed again (each is taken over by its source)."""
    _run()
    before = _outputs(workspace)
    path = workspace / "input/2026-11/甲局.xlsx"
    os.utime(path, (1, 1))
    from pipeline.render import printer

    printer._PRINTED.clear()       # taken over from the manifest, not this process's memory
    printed.clear()
    assert UNCHANGED not in _run()
    assert printed == []
    after = _outputs(workspace)
    assert {name: data for name, (_, data) in after.items() if name != "manifest.json"} == {
        name: data for name, (_, data) in before.items() if name != "manifest.json"}
    assert UNCHANGED in _run()


def test_outputs_are_readable_as_any_new_file_is(workspace: Path) -> None:
    """Not the owner-only mode of a temporary file: the umask's (a shared folder, a
    colleague, a web server read the bulletin)."""
    mask = os.umask(0)
    os.umask(mask)
    _run()
    modes = {p.stat().st_mode & 0o777 for p in (workspace / "output/2026-11").rglob("*")
             if p.is_file()}
    assert modes == {0o666 & ~mask}
