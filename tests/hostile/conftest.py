"""Shared helpers for the hostile-input suite: a small workspace with good submissions, and
``keyproj`` run as a real subprocess whose wall time and peak memory are measured."""

from __future__ import annotations

import csv
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # tests/: factory

from factory import project, write_register
from hostile_files import HEADER, workbook

PERIOD = "2026-11"
LIMIT_MB = 1024          # the issue: peak memory of a run under 1 GB
LIMIT_SECONDS = 60.0     # and the run under 60 s
REPO = Path(__file__).resolve().parents[2]

# Three units that submit good files, in three formats; their rows must always be used.
GOOD_UNITS = {
    "县交通运输局": ("SP-001", "城区污水管网改造工程"),
    "县水利局": ("SP-002", "潇水防洪堤加固工程"),
    "泷泊镇人民政府": ("SP-003", "泷泊镇农贸市场提质改造"),
}
# A unit whose files are hostile or odd: its projects are reported only by the odd files that
# must still be read. (One unit: each unit is a report to print.)
OTHER_UNIT = "县卫生健康局"
OTHER_PROJECTS = [f"SP-10{i}" for i in range(6)]


def other_name(pid: str) -> str:
    return f"重点项目{pid}"


def make_workspace(root: Path, *, leaders: dict[str, str] | None = None,
                   units: dict[str, tuple[str, str]] | None = None) -> Path:
    """input/register.xlsx and three good submissions (xlsx, xls, csv) for PERIOD."""
    units = units or GOOD_UNITS
    projects = [project(pid, name, unit=unit, leader=(leaders or {}).get(unit, "张明华"))
                for unit, (pid, name) in units.items()]
    projects += [project(pid, other_name(pid), unit=OTHER_UNIT) for pid in OTHER_PROJECTS]
    write_register(root / "input/register.xlsx", projects)
    folder = root / "input" / PERIOD
    (pid1, name1), (pid2, name2), (pid3, name3) = list(units.values())[:3]
    workbook(folder / "交通运输局.xlsx", [[pid1, name1, 100, 900, "路基施工", None]])
    from hostile_files import xls

    (folder / "水利局.xls").write_bytes(xls([HEADER, [pid2, name2, 50, 600, "堤身填筑", None]]))
    with open(folder / "泷泊镇.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, [pid3, name3, 20, 300, "主体施工", ""]])
    return root


GOOD_FILES = ("交通运输局.xlsx", "水利局.xls", "泷泊镇.csv")


def keyproj_command() -> list[str]:
    """The installed ``keyproj`` script (as an office runs it), else ``python -m pipeline``."""
    script = Path(sys.executable).with_name("keyproj")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float          # peak RSS of keyproj and of every worker it reaped


# A tiny parent whose RUSAGE_CHILDREN holds only the one run: keyproj and, since keyproj
# reaps its reader workers, theirs (ru_maxrss is the largest of them).
_PROBE = """
import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.run(sys.argv[1:]).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"\\n@@ {code} {time.monotonic() - start:.3f} {peak}", file=sys.stderr)
"""


def run_keyproj(cwd: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 120.0) -> Result:
    """Run ``keyproj ARGS`` in ``cwd`` as a subprocess; its exit status, wall time and peak
    memory."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, *keyproj_command(), *args], cwd=cwd,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)
    stderr, _, tail = proc.stderr.rstrip().rpartition("\n")
    assert tail.startswith("@@ "), proc.stderr
    _, code, seconds, peak = tail.split()
    per_mb = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Result(int(code), proc.stdout, stderr, float(seconds), int(peak) / per_mb)


def data(root: Path, name: str, period: str = PERIOD, folder: str = "data") -> list[dict[str, Any]]:
    with open(root / "output" / period / folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


@contextmanager
def recording_server(status: int = 404, body: bytes = b"") -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request path (a hostile file may point at it:
    nothing may ever ask it anything); it answers ``status`` with ``body``."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
