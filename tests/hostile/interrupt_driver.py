"""Run ``keyproj run`` and stop at a chosen moment, so that a test can SIGKILL it there.

    python interrupt_driver.py POINT [keyproj run options]

At POINT the driver prints ``@@ POINT`` and sleeps; the test kills it. Points:
``render`` (while the reports are being rendered), ``stage`` (half the outputs written to
output/.P.tmp/), ``history`` (inside the history transaction), ``committed`` (history
committed, outputs not swapped in yet), ``publish`` (between the two renames that swap the
period's folder in), ``none`` (run to the end).

Except at ``render``, the reports are made by ``fake_reports`` (many small files in the same
folders), so that the suite does not spend its minute printing PDFs: what is under test is
how outputs and history are written, not what the reports say.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any


def pause(point: str) -> None:
    print(f"@@ {point}", flush=True)
    time.sleep(600)


def fake_reports(analysis: Any, settings: Any, **options: Any) -> dict[str, bytes]:
    """A report per unit and per leader, and a bulletin: deterministic bytes."""
    from pipeline.names import file_names

    units = analysis.register.units
    leaders = sorted({p.leader for p in analysis.register.projects})
    files = {"report.html": f"<p>{analysis.period}</p>".encode(),
             "report.pdf": b"%PDF-1.7 " + str(analysis.period).encode() * 200}
    for folder, names in (("units", units), ("leaders", leaders)):
        for name, safe in file_names(names).items():
            files[f"{folder}/{safe}.html"] = f"<p>{name}</p>".encode()
            files[f"{folder}/{safe}.pdf"] = name.encode() * 500
    return files


def install(point: str) -> None:
    from pipeline import run

    if point == "render":
        real = run.render_reports

        def render(analysis: Any, settings: Any, **options: Any) -> dict[str, bytes]:
            # the kill lands while the real renderer is at work; should rendering end first,
            # the run stops here, still before anything is staged
            threading.Thread(target=print, args=("@@ render",), kwargs={"flush": True}).start()
            files = real(analysis, settings, **options)
            pause("rendered")
            return files

        run.render_reports = render
        return
    run.render_reports = fake_reports
    if point == "stage":
        write, count = run.write_atomic, [0]

        def write_half(path: Path, data: bytes) -> None:
            count[0] += 1
            if count[0] == 6:
                pause(point)
            write(path, data)

        run.write_atomic = write_half
    elif point == "history":
        write_period = run.write_period

        def in_transaction(path: Path, facts: Any, before_commit: Any = None) -> None:
            write_period(path, facts, lambda: pause(point))

        run.write_period = in_transaction
    elif point == "committed":
        run.publish_period = lambda stage, out: pause(point)
    elif point == "publish":
        def first_rename_only(stage: Path, out: Path) -> None:
            if out.exists():
                os.replace(out, out.with_name(f".{out.name}.old"))
            pause(point)

        run.publish_period = first_rename_only


if __name__ == "__main__":     # the reports' print pool re-imports this file: run once only
    install(sys.argv[1])
    from pipeline.cli import cli

    cli(["run", *sys.argv[2:]])
