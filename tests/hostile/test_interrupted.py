"""A run killed at any moment (SIGKILL of a `keyproj run` subprocess) leaves the previous
outputs and the history intact, and the next run gives what an uninterrupted run gives
(issue 7, SPEC 7: outputs staged in output/.P.tmp/ and swapped in whole; the history
written in one transaction).

The kill points are set by ``interrupt_driver.py``. Only the kill during rendering renders
real reports: elsewhere a stand-in renderer writes the same folders, which keeps the suite
under its minute (data/*.csv, compared here, do not depend on the renderer).
"""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import hostile_files as H
import pytest
from conftest import PERIOD, make_workspace
from interrupt_driver import fake_reports

from pipeline import run as run_module
from pipeline.config import Settings
from pipeline.history import table_dump
from pipeline.period import Period
from pipeline.run import Workspace, run_period

DRIVER = Path(__file__).with_name("interrupt_driver.py")
POINTS = ["render", "stage", "history", "committed", "publish"]
OWNED = ["templates/县交通运输局.xlsx", "outbox/县交通运输局.eml", "distribution.csv"]


def _run(root: Path, period: str) -> None:
    """An uninterrupted run, in-process, with the stand-in renderer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "render_reports", fake_reports)
        run_period(Workspace(root / "input", root / "output"), Period.parse(period), Settings())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _data(root: Path) -> dict[str, bytes]:
    return _files(root / "output" / PERIOD / "data")


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """October and November run; then November's inputs change (a corrected ytd, a late
    file). ``before``: the workspace then; ``expected``: after an uninterrupted re-run."""
    root = make_workspace(tmp_path_factory.mktemp("before"))
    H.workbook(root / "input/2026-10/交通运输局.xlsx",
               [["SP-001", "城区污水管网改造工程", 80, 800, "路基施工", None]])
    _run(root, "2026-10")
    _run(root, PERIOD)
    for name in OWNED:          # what `keyproj templates` and `distribute` wrote meanwhile
        (root / "output" / PERIOD / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "output" / PERIOD / name).write_bytes(name.encode())
    H.workbook(root / "input" / PERIOD / "交通运输局.xlsx",
               [["SP-001", "城区污水管网改造工程", 150, 950, "路基施工", "征地"]])
    H.workbook(root / "input" / PERIOD / "卫健局.xlsx",
               [["SP-100", "重点项目SP-100", 30, 300, "主体施工", None]])
    expected = tmp_path_factory.mktemp("expected") / "ws"
    shutil.copytree(root, expected)
    _run(expected, PERIOD)
    yield {"before": root, "outputs": _files(root / "output" / PERIOD),
           "history": table_dump(root / "output/history.sqlite"),
           "data": _data(expected), "history_after": table_dump(expected / "output/history.sqlite")}


def _kill_at(root: Path, point: str) -> None:
    log = root / "driver.log"
    with open(log, "w") as errors, subprocess.Popen(
            [sys.executable, str(DRIVER), point, "--period", PERIOD], cwd=root,
            stdout=subprocess.PIPE, stderr=errors, text=True) as proc:
        assert proc.stdout is not None
        deadline = time.monotonic() + 90
        line = ""
        while not line.startswith("@@") and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                line = proc.stdout.readline()
                if not line:
                    break
        proc.kill()
        proc.wait()
    assert line.strip() == f"@@ {point}", log.read_text()


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_run_leaves_outputs_and_history_intact_and_the_next_run_succeeds(
        tmp_path: Path, states: dict[str, object], point: str) -> None:
    root = tmp_path / "ws"
    shutil.copytree(states["before"], root)           # type: ignore[arg-type]
    out = root / "output" / PERIOD
    _kill_at(root, point)

    # the previous outputs, whole: in place, or (killed between the two renames of the swap)
    # set aside whole, the next run puts them back; never half of a period
    if point == "publish":
        assert not out.exists()
        assert _files(out.with_name(f".{PERIOD}.old")) == states["outputs"]
    else:
        assert _files(out) == states["outputs"]
    # the history: as it was, or (killed after the commit) holding the new facts whole
    history = table_dump(root / "output/history.sqlite")
    committed = point in ("committed", "publish")
    assert history == (states["history_after"] if committed else states["history"])

    _run(root, PERIOD)
    _assert_as_uninterrupted(root, states)


def _assert_as_uninterrupted(root: Path, states: dict[str, object]) -> None:
    assert _data(root) == states["data"]
    assert table_dump(root / "output/history.sqlite") == states["history_after"]
    assert sorted(p.name for p in (root / "output").iterdir()) == [
        "2026-10", PERIOD, "history.sqlite"]
    for name in OWNED:          # files of other commands survive the run (SPEC 7)
        assert (root / "output" / PERIOD / name).read_bytes() == name.encode()


def test_a_check_between_a_killed_swap_and_the_next_run_loses_nothing(
        tmp_path: Path, states: dict[str, object]) -> None:
    """Killed between the two renames, then `keyproj check` writes output/P/check/ into a
    fresh folder: the next run must still bring back what the set-aside folder held."""
    root = tmp_path / "ws"
    shutil.copytree(states["before"], root)           # type: ignore[arg-type]
    _kill_at(root, "publish")
    from pipeline.run import run_check

    run_check(Workspace(root / "input", root / "output"), Period.parse(PERIOD), Settings())
    _run(root, PERIOD)
    _assert_as_uninterrupted(root, states)
    assert (root / "output" / PERIOD / "check" / "rows.csv").is_file()
