"""[IO] Whether a run of a period would change anything: the run key (issue 6).

An office runs a period again after every late or corrected sheet, and often with nothing
changed at all. A run's outputs are a function of its *run key*: the bytes of every input
file of the period (and their names and modification times, which decide between
conflicting rows), the register, the settings (with the 下步工作要求
file they name and a custom templates folder), the history facts of the months before the
period, and the program itself (keyproj's code and bundled templates, and the versions of
the libraries that draw the reports). ``run_period`` records the key in the manifest; a
later ``keyproj run`` whose key is the same, whose outputs are all still there as the
manifest lists them and whose period the history holds (not stale) has nothing to do, and
says so instead of reading and rendering it all again. ``--force`` runs it anyway.

Not in the key: the installed fonts (a CJK font installed or removed between two runs is
not noticed: run with ``--force``), and the clock (nothing in the outputs depends on it but
the manifest's start and finish times).

This module imports neither pandas nor the report libraries, so the answer is quick.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import Settings, next_steps_text
from pipeline.history import facts_digest, is_current
from pipeline.period import Period
from pipeline.read import list_inputs, sha256_of
from pipeline.render.paths import TEMPLATES_DIR
from pipeline.workspace import Workspace

PACKAGE_DIR = Path(__file__).resolve().parent
# the libraries whose version can change a report's bytes
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "matplotlib", "openpyxl", "pandas",
             "python-calamine", "tinycss2", "cssselect2")


def run_key(workspace: Workspace, period: Period, settings: Settings) -> str:
    """SHA-256 over everything a run of ``period`` depends on (see the module docstring)."""
    digest = hashlib.sha256()

    def part(label: str, value: str) -> None:
        digest.update(f"{label}\0{value}\n".encode())

    part("program", program_digest())
    part("settings", settings.digest())
    part("next_steps", next_steps_text(settings.report.next_steps))
    if settings.report.templates:
        part("templates", _folder_digest(Path(settings.report.templates)))
    part("register", _file_digest(workspace.register_path))
    for path, name in list_inputs(workspace.period_input(period)):
        # the modification time too: it decides between conflicting rows (SPEC 5.1)
        part(f"input {name}", f"{_file_digest(path)} {path.stat().st_mtime_ns}")
    part("history", facts_digest(workspace.history_path, before=period))
    return digest.hexdigest()


def unchanged(workspace: Workspace, period: Period, settings: Settings) -> dict[str, Any] | None:
    """The manifest of the period's last run when running it again would change nothing:
    the same run key, every output still as the manifest lists it (same SHA-256), and the
    period held and current in the history. None when it must run."""
    out = workspace.period_output(period)
    try:
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        key, outputs = manifest["run_key"], manifest["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(key, str) or not isinstance(outputs, list) or not outputs:
        return None
    if not is_current(workspace.history_path, period):
        return None
    root = out.resolve()
    for entry in outputs:
        try:
            path = out / str(entry["file"])
            if root not in path.resolve().parents or _file_digest(path) != entry["sha256"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
    if key != run_key(workspace, period, settings):
        return None
    return manifest


def program_digest() -> str:
    """keyproj's version, code and bundled templates, and the report libraries' versions."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(_folder_digest(PACKAGE_DIR, "*.py").encode())
    digest.update(_folder_digest(TEMPLATES_DIR).encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-\n".encode())
    return digest.hexdigest()


def _folder_digest(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(f"{path.relative_to(folder).as_posix()}\0{_file_digest(path)}\n".encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return sha256_of(path.read_bytes())
    except OSError:
        return "-"
