"""Instructions a reader worker executes per workbook, counted by valgrind (callgrind).

    python bench/instructions.py /tmp/keyproj-bench/province      # after bench/run.py
    python bench/instructions.py WORKSPACE --books 100

Wall-clock times on a shared machine move by a third from one minute to the next; the
instructions executed do not, so small changes to the reader are compared by them. For each
stage (reading a workbook; reading and checking it; reading, checking and pickling it, as a
worker does) it runs a worker's loop under callgrind over ``--books`` workbooks of the
workspace's period (one pass: every workbook is a new one, as in a real run) and once over
none, and prints the difference per workbook, in millions. Needs ``valgrind``; a script, not
a test. python-calamine alone loading the same cells is counted too (``calamine``): most of
its time is the kernel's (opening and mapping), which callgrind does not count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

LOOP = r"""
import pickle, sys
from pathlib import Path
sys.modules.setdefault("numpy", None)          # as in a reader worker (sandbox.py)
from pipeline.config import Limits
from pipeline.read import read_book
from pipeline.submission import check_book
folder, count, stage = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
files = sorted(folder.glob("*.xlsx"))
step = max(1, len(files) // max(count, 1))
chosen = files[::step][:count]
limits = Limits()
warm = read_book(files[0], files[0].name, limits)     # imports and first-use costs
check_book(warm)
for path in chosen:
    if stage == "calamine":
        import python_calamine
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
        continue
    book = read_book(path, path.name, limits)
    if stage != "read":
        book.checked = check_book(book)
    if stage == "worker":
        pickle.dumps(("book", book), protocol=pickle.HIGHEST_PROTOCOL)
"""
STAGES = ("read", "check", "worker", "calamine")


def _instructions(folder: Path, count: int, stage: str) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", LOOP, str(folder), str(count), stage],
        capture_output=True, text=True, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workspace", type=Path, help="a workspace of bench/generate.py")
    parser.add_argument("--books", type=int, default=100)
    parser.add_argument("--period", default="2026-11")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    folder = args.workspace / "input" / args.period
    if not any(folder.glob("*.xlsx")):
        raise SystemExit(f"no workbooks in {folder}: run bench/generate.py first")
    base = _instructions(folder, 0, "read")
    for stage in STAGES:
        per_book = (_instructions(folder, args.books, stage) - base) / args.books / 1e6
        print(f"{stage:9s} {per_book:6.2f} million instructions a workbook")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
