"""The command line: exit statuses, messages, and files equal to the library's result."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import make_workbook, project, write_register

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.period import Period
from pipeline.run import Workspace, analyse, check_outputs, load_register, read_period


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_register(tmp_path / "input/register.xlsx", [
        project("SP-001", "城区污水管网改造工程", unit="县交通运输局"),
        project("SP-002", "泷泊镇农贸市场提质改造", unit="泷泊镇人民政府"),
    ])
    make_workbook(tmp_path / "input/2026-11/交通运输局.xlsx",
                  ["项目编号", "项目名称", "年度累计完成投资"], [["SP-001", "城区污水管网改造工程", "1,1OO"]])
    (tmp_path / "input/2026-10").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_writes_the_library_result_and_names_missing_units(workspace: Path) -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "2026-11" in result.output            # the latest period folder
    assert "未报送 missing: 泷泊镇人民政府" in result.output
    settings, period = Settings(), Period(2026, 11)
    ws = Workspace(Path("input"), Path("output"))
    expected = check_outputs(analyse(load_register(ws, settings),
                                     read_period(ws, period, settings), period, settings))
    for name, data in expected.items():
        assert (workspace / "output/2026-11/check" / name).read_bytes() == data
    assert not (workspace / "output/2026-11/data").exists()   # check writes no reports


def test_an_office_lock_file_left_behind_is_no_submission(workspace: Path) -> None:
    """~$泷泊镇11月.xlsx is what Excel leaves while 泷泊镇's workbook is open: its unit sent
    nothing, and is listed as missing."""
    (workspace / "input/2026-11/~$泷泊镇11月.xlsx").write_bytes(b"\x08owner" + bytes(100))
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "未报送 missing: 泷泊镇人民政府" in result.output
    found = (workspace / "output/2026-11/check/findings.csv").read_text("utf-8")
    assert "unsupported_file,~$泷泊镇11月.xlsx" in found


def test_no_register_exits_1_with_a_fix(workspace: Path) -> None:
    (workspace / "input/register.xlsx").unlink()
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert "找不到项目库" in result.output and "register not found" in result.output


@pytest.mark.parametrize(("args", "status", "says"), [
    (["check"], 0, "未报送 missing"), (["check", "--period", "2026-13"], 2, "2026-13"),
    (["check", "--input", "nowhere"], 1, "no YYYY-MM folder under nowhere"),
    # Click's own English words get a Chinese line too
    (["run", "--jobs", "0"], 2, "用法有误，请运行 keyproj --help"),
    (["nonsense"], 2, "用法有误，请运行 keyproj --help"),
    # a file where a folder should be: the path, what is wrong and what to do, no traceback
    (["check", "--output", "keyproj.toml/sub"], 1, "无法读写 keyproj.toml/sub"),
    (["demo", "."], 1, "示例不会覆盖它们"),
])
def test_the_command_in_its_own_process_exits_as_the_cli_says(
        workspace: Path, args: list[str], status: int, says: str) -> None:
    """``python -m pipeline`` (as the installed ``keyproj``) runs ``main``: its status and
    messages are the CLI's."""
    import subprocess
    import sys

    (workspace / "keyproj.toml").write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == status, done.stderr
    assert says in done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("damage", ["text", "folder"])
def test_a_damaged_history_stops_every_command_with_what_to_do(workspace: Path,
                                                                damage: str) -> None:
    history = workspace / "output/history.sqlite"
    history.parent.mkdir(parents=True)
    if damage == "text":
        history.write_text("这不是数据库", encoding="utf-8")
    else:
        history.mkdir()
    for args in (["check"], ["run", "--jobs", "1"], ["history"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert "history.sqlite" in result.output and "从备份恢复" in result.output, args
        assert isinstance(result.exception, SystemExit), result.exception    # no traceback


def test_demo_does_not_overwrite_a_workspace_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "keyproj.toml").write_text("# the office's own settings\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 1 and "--force" in result.output
    assert (tmp_path / "keyproj.toml").read_text(encoding="utf-8") == "# the office's own settings\n"
    assert not (tmp_path / "input").exists()
    assert CliRunner().invoke(cli, ["demo", str(tmp_path), "--force"]).exit_code == 0
    assert (tmp_path / "input/register.xlsx").exists()
    assert "own settings" not in (tmp_path / "keyproj.toml").read_text(encoding="utf-8")


def test_a_run_stopped_early_leaves_no_half_started_worker(workspace: Path) -> None:
    """The PDF workers start as a run starts; a run stopped at once (no register) waits for
    them to start, so that nothing prints a traceback after its message."""
    import subprocess
    import sys

    (workspace / "input/register.xlsx").unlink()
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--jobs", "2"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "register not found" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_bad_config_exits_1(workspace: Path) -> None:
    (workspace / "keyproj.toml").write_text("[lights]\nmode = 'sideways'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert "points or relative" in result.output.replace('"', "")


def test_usage_errors_exit_2(workspace: Path) -> None:
    assert CliRunner().invoke(cli, ["check", "--period", "2026-13"]).exit_code == 2
    assert CliRunner().invoke(cli, ["run", "--lang", "fr"]).exit_code == 2
    assert CliRunner().invoke(cli, ["nonsense"]).exit_code == 2


def test_missing_period_folder_exits_1(workspace: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--period", "2026-09"])
    assert result.exit_code == 1
    assert "2026-09" in result.output


def test_a_month_folder_made_ahead_is_not_run(workspace: Path) -> None:
    """input/2026-12/ made before any sheet came in: a run without --period takes November
    (it ran an empty month: every project grey, every unit black-listed, in the history);
    a run asked for December says the folder is empty."""
    (workspace / "input/2026-12").mkdir()
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0 and "2026-11" in result.output
    assert not (workspace / "output/2026-12").exists()
    result = CliRunner().invoke(cli, ["run", "--period", "2026-12", "--jobs", "1"])
    assert result.exit_code == 1 and "是空的" in result.output and "is empty" in result.output
    assert not (workspace / "output/2026-12").exists()


def test_outputs_beside_the_period_folders_are_allowed(workspace: Path) -> None:
    """input/out is no period folder: nothing there is read as a sheet."""
    result = CliRunner().invoke(cli, ["check", "--output", "input/out"])
    assert result.exit_code == 0, result.output
    assert (workspace / "input/out/2026-11/check/rows.csv").exists()


@pytest.mark.parametrize("output", ["input", "input/2026-11/out"])
def test_outputs_inside_the_inputs_are_refused(workspace: Path, output: str) -> None:
    result = CliRunner().invoke(cli, ["check", "--output", output])
    assert result.exit_code == 1 and "输入文件夹" in result.output
    assert not list((workspace / "input").rglob("check"))       # nothing written there
    assert not (workspace / "input/2026-11/out").exists()


def test_a_run_leaves_no_temporary_folder_behind(workspace: Path, tmp_path_factory:
                                                 pytest.TempPathFactory) -> None:
    """WeasyPrint copies the period's fonts into a temporary folder of each PDF worker (and
    of the main process with --jobs 1): each is removed as its process ends."""
    import os
    import subprocess
    import sys

    for jobs in ("1", "2"):
        tmp = tmp_path_factory.mktemp("tmp")
        done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--force", "--jobs", jobs],
                              capture_output=True, text=True, timeout=300, check=False,
                              env={**os.environ, "TMPDIR": str(tmp)})
        assert done.returncode == 0, done.stderr
        assert (workspace / "output/2026-11/report.pdf").exists()
        assert list(tmp.iterdir()) == [], jobs


def test_a_period_run_is_distributed_once_its_sheets_are_archived(workspace: Path) -> None:
    assert CliRunner().invoke(cli, ["run", "--jobs", "1"]).exit_code == 0
    (workspace / "input/2026-11").rename(workspace / "archived-2026-11")
    result = CliRunner().invoke(cli, ["distribute", "--period", "2026-11"])
    assert result.exit_code == 0, result.output
    assert list((workspace / "output/2026-11/outbox").glob("*.eml"))


def test_distribute_takes_the_latest_period_run(workspace: Path) -> None:
    """November run and its sheets archived, an empty November folder left: distribute
    without --period sends November's papers, not October's."""
    assert CliRunner().invoke(cli, ["run", "--jobs", "1"]).exit_code == 0
    for sheet in (workspace / "input/2026-11").iterdir():
        sheet.unlink()
    result = CliRunner().invoke(cli, ["distribute"])
    assert result.exit_code == 0, result.output
    assert "outbox: output/2026-11/outbox" in result.output
