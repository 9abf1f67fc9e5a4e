"""The machine-readable outputs (SPEC 6.2, 6.3): tables built purely, written atomically."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import columns as C
from pipeline.check import Row
from pipeline.findings import Finding

INJECTION_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """A CSV cell: empty when undefined, true/false, numbers without float noise."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        text = f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if hasattr(value, "item"):  # numpy scalars
        return cell_text(value.item())
    text = str(value)
    if text.startswith(INJECTION_START):
        text = "'" + text  # OWASP: a cell that a spreadsheet would run as a formula
    # a line break inside a cell is written as LF: the csv module quotes a field holding the
    # line terminator ("\n") but not a lone CR, which readers take for the end of the row
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_bytes(header: Iterable[str], records: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(header))
    for record in records:
        writer.writerow([cell_text(v) for v in record])
    return buffer.getvalue().encode("utf-8")


def frame_csv(frame: pd.DataFrame, header: Iterable[str]) -> bytes:
    names = list(header)
    records = (tuple(None if pd.isna(v) else v for v in row)
               for row in frame.reindex(columns=names).itertuples(index=False, name=None))
    return csv_bytes(names, records)


def projects_table(projects: pd.DataFrame) -> pd.DataFrame:
    """Sorted by rank, unranked last, then by id."""
    frame = projects.assign(_unranked=projects["rank"].isna())
    frame = frame.sort_values(["_unranked", "rank", "project_id"], kind="mergesort")
    return frame.drop(columns="_unranked")


def units_table(units: pd.DataFrame) -> pd.DataFrame:
    header = list(C.UNITS_CSV) + (["group"] if "group" in units.columns else [])
    return units.sort_values(["rank", "unit"], kind="mergesort").reindex(columns=header)


def _col_index(letters: str | None) -> int:
    index = 0
    for ch in letters or "":
        index = index * 26 + ord(ch) - 64
    return index


def findings_records(findings: list[Finding]) -> list[tuple[Any, ...]]:
    """Sorted by file, sheet, row, column, code; project-level findings last, by project."""
    def key(f: Finding) -> tuple[Any, ...]:
        ref = f.ref
        if ref is None:
            return (1, "", "", 0, 0, f.code, f.project_id or "")
        return (0, ref.file, ref.sheet, ref.row or 0, _col_index(ref.column), f.code,
                f.project_id or "")

    out = []
    for f in sorted(findings, key=key):
        ref = f.ref
        out.append((str(f.severity), f.code, ref.file if ref else "", ref.sheet if ref else "",
                    ref.cell if ref else "", ref.row if ref else None, f.project_id, f.unit,
                    f.message))
    return out


def rows_records(rows: list[Row]) -> list[tuple[Any, ...]]:
    """One line per data row read: disposition and its finding codes."""
    out = []
    for row in sorted(rows, key=lambda r: r.key):
        codes = list(dict.fromkeys(f.code for f in row.findings))
        shown = row.project_id or row.values.get(C.PROJECT_ID)
        out.append((row.raw.file, row.raw.sheet, row.raw.row, shown, row.disposition,
                    ";".join(codes)))
    return out


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _umask_mode()


def write_atomic(path: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then move into place.

    The temporary name is short whatever the final one: a name near the file system's
    255-byte limit must not fail only because its temporary name is longer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            # mkstemp makes the file readable by its owner only: give it the mode any new
            # file gets (the umask's), so that colleagues and a shared folder can read it
            os.fchmod(handle.fileno(), _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stage_period(out: Path) -> Path:
    """A fresh staging folder ``.P.tmp`` beside ``out``, holding hard links to what ``out``
    has now, so that files other commands own (check/, templates/, outbox/, …) survive."""
    recover_period(out)
    stage = out.with_name(f".{out.name}.tmp")
    if stage.exists():
        shutil.rmtree(stage)
    if out.exists():
        shutil.copytree(out, stage, copy_function=os.link)
    else:
        stage.mkdir(parents=True)
    return stage


def publish_period(stage: Path, out: Path) -> None:
    """Swap the staged folder into place: a reader sees the old period or the new, whole."""
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(stage, out)
    if old.exists():
        shutil.rmtree(old)


def recover_period(out: Path) -> None:
    """After a kill between the two renames of publish_period, put the old folder back.

    If another command (``keyproj check``, ``templates``…) has since made a new folder,
    which has no manifest, what the old one holds and the new one lacks is moved into it;
    a folder with a manifest is a published period, and the old one is stale."""
    old = out.with_name(f".{out.name}.old")
    if not old.exists():
        return
    if not out.exists():
        os.replace(old, out)
        return
    if not (out / "manifest.json").exists():
        for entry in old.iterdir():
            if not (out / entry.name).exists():
                os.replace(entry, out / entry.name)
    shutil.rmtree(old)


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()

