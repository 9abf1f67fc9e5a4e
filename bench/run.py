"""Time keyproj at three scales and write the table into bench/README.md.

    python bench/run.py                      # county and city, 3 repeats each
    python bench/run.py --scales county city province --repeats 3

For each scale it generates (once, cached under --work) a synthetic workspace with
bench/generate.py, then measures in fresh subprocesses, quoting medians:
- each stage of a run (register, read workbooks, check + reconcile + score + rank, render,
  write) and its peak memory (ru_maxrss of the measuring process); "check (each book's
  rows)" is the part of the third stage that checks the books' rows (most of it is done in
  the reader workers), so "read + check" is what the issue holds against python-calamine
  alone loading the same workbooks;
- the whole `keyproj run` and `keyproj check` commands (the installed `keyproj` command,
  as an office runs it), wall clock;
- a re-run of the unchanged period, and one after a unit corrected one figure;
- python-calamine alone loading every cell of the same files (the reader's yardstick).
Benchmarks are scripts, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# the installed command, as an office runs it (python -m pipeline where it is not installed)
_SCRIPT = Path(PYTHON).with_name("keyproj")
KEYPROJ = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "pipeline"]
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"

STAGES_SCRIPT = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline.config import load_settings
from pipeline.period import Period
from pipeline.run import (Workspace, analyse, collector_paused, data_outputs, load_register,
                          read_period, write_files)
from pipeline.history import load_past
from pipeline.render.reports import render_reports
from pipeline.submission import submission_from_book

root = Path(sys.argv[1])
ws = Workspace(root / "input", root / "bench-out")
settings = load_settings(root / "keyproj.toml")
period = Period(2026, 11)
times = {}
t = time.perf_counter(); register = load_register(ws, settings)
times["register"] = time.perf_counter() - t
t = time.perf_counter(); books = read_period(ws, period, settings)
times["read workbooks"] = time.perf_counter() - t
# as analyse does it: with the garbage collector paused (run.collector_paused)
t = time.perf_counter(); collector_paused(lambda: [submission_from_book(b, period) for b in books])()
times["check (each book's rows)"] = time.perf_counter() - t
t = time.perf_counter()
analysis = analyse(register, books, period, settings, load_past(ws.history_path, before=period))
times["check+reconcile+score+rank"] = time.perf_counter() - t
t = time.perf_counter(); files = data_outputs(analysis)
reports = render_reports(analysis, settings) if sys.argv[2] == "render" else {}
times["render"] = time.perf_counter() - t if reports else None
t = time.perf_counter(); write_files(ws.period_output(period), {**files, **reports})
times["write"] = time.perf_counter() - t
times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times["reports"] = len(reports)
print(json.dumps(times))
"""

CALAMINE_SCRIPT = r"""
import sys, time
from pathlib import Path
import python_calamine
t = time.perf_counter()
cells = 0
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python():
            cells += len(row)
print(time.perf_counter() - t)
"""


def _timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _correct_one_sheet(folder: Path) -> Callable[[], None]:
    """Add 1 to the last number of the first workbook (a unit sending a corrected sheet);
    returns what puts the file back."""
    from openpyxl import load_workbook

    path = min(folder.glob("*.xlsx"))
    original = path.read_bytes()
    book = load_workbook(path)
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row
             if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
    cells[-1].value += 1
    book.save(path)
    return lambda: path.write_bytes(original)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def measure(scale: str, work: Path, repeats: int, render: bool) -> dict[str, float]:
    """Medians of every measure at one scale; without ``render``, the data stage only (and
    `keyproj check`), for a province whose thousands of PDFs take minutes."""
    root = work / scale
    if not (root / "input/register.xlsx").exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), scale, str(root)], check=True,
                       stdout=subprocess.DEVNULL)
    out: dict[str, list[float]] = {}
    for _ in range(repeats):
        shutil.rmtree(root / "output", ignore_errors=True)
        shutil.rmtree(root / "bench-out", ignore_errors=True)
        stages = json.loads(subprocess.run(
            [PYTHON, "-c", STAGES_SCRIPT, str(root), "render" if render else "data"],
            check=True, capture_output=True, text=True).stdout)
        for key, value in stages.items():
            if value is not None:
                out.setdefault(key, []).append(float(value))
        out.setdefault("keyproj check", []).append(_timed([*KEYPROJ, "check"], root))
        if render:
            out.setdefault("keyproj run", []).append(_timed([*KEYPROJ, "run"], root))
            out.setdefault("re-run, unchanged", []).append(_timed([*KEYPROJ, "run"], root))
            corrected = _correct_one_sheet(root / "input/2026-11")
            out.setdefault("re-run, one sheet corrected", []).append(
                _timed([*KEYPROJ, "run"], root))
            corrected()
        calamine = subprocess.run([PYTHON, "-c", CALAMINE_SCRIPT, str(root / "input/2026-11")],
                                  check=True, capture_output=True, text=True).stdout
        out.setdefault("calamine alone", []).append(float(calamine))
    medians = {key: _median(values) for key, values in out.items()}
    medians["data stage"] = (medians["register"] + medians["read workbooks"]
                             + medians["check+reconcile+score+rank"])
    medians["read + check"] = medians["read workbooks"] + medians["check (each book's rows)"]
    return medians


def table(results: dict[str, dict[str, float]]) -> str:
    keys = ["register", "read workbooks", "check (each book's rows)", "read + check",
            "calamine alone",
            "check+reconcile+score+rank", "data stage", "render", "write", "keyproj run",
            "keyproj check", "re-run, unchanged", "re-run, one sheet corrected", "peak_mb",
            "reports"]
    head = "| measure | " + " | ".join(results) + " |"
    rule = "|---|" + "---|" * len(results)
    lines = [head, rule]
    for key in keys:
        unit = " (MB)" if key == "peak_mb" else "" if key == "reports" else " (s)"
        cells = []
        for figures in results.values():
            value = figures.get(key)
            cells.append("" if value is None else f"{value:.0f}" if key in ("peak_mb", "reports")
                         else f"{value:.2f}")
        lines.append(f"| {key}{unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    path = HERE / "README.md"
    readme = path.read_text(encoding="utf-8")
    start, end = readme.index(MARK_BEGIN) + len(MARK_BEGIN), readme.index(MARK_END)
    path.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", nargs="+", default=["county", "city"],
                        choices=["county", "city", "province"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get(
        "KEYPROJ_BENCH_DIR", "/tmp/keyproj-bench")))
    parser.add_argument("--no-readme", action="store_true", help="print only")
    parser.add_argument("--data-only", nargs="*", default=["province"],
                        help="scales measured without rendering (default: province)")
    args = parser.parse_args(argv)
    results = {scale: measure(scale, args.work, args.repeats, scale not in args.data_only)
               for scale in args.scales}
    text = table(results)
    print(text)
    if not args.no_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
