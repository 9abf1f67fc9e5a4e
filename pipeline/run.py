"""The one place that sequences the stages for a period: read → check → reconcile → score →
rank → render, and writes what a run or a check produces."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from pipeline import __version__
from pipeline import columns as C
from pipeline.check import Row
from pipeline.config import Settings
from pipeline.errors import RegisterError
from pipeline.findings import Finding
from pipeline.followup import (
    ATTRACTION_CSV,
    COORDINATION_CSV,
    LISTS_CSV,
    attraction_rates,
    coordination_items,
    escalation,
    problem_type_of,
    red_black_lists,
)
from pipeline.history import Past, PeriodFacts, ProjectFact, load_past, write_period
from pipeline.outputs import (
    csv_bytes,
    findings_records,
    frame_csv,
    json_bytes,
    projects_table,
    publish_period,
    rows_records,
    stage_period,
    units_table,
    write_atomic,
)
from pipeline.period import Period
from pipeline.rank import rank_projects, rank_units, unit_parts
from pipeline.read import Book, list_inputs, read_book, sha256_of
from pipeline.reconcile import Reconciled, reconcile
from pipeline.register import Register, parse_register
from pipeline.render.fonts import check_fonts
from pipeline.render.printer import warm_up
from pipeline.render.reports import render_reports
from pipeline.rerun import run_key
from pipeline.sandbox import read_files
from pipeline.score import done_milestones, milestone_status, score_projects
from pipeline.submission import submission_from_book
from pipeline.values import short_form
from pipeline.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]


def no_progress(items: Iterable[T], label: str) -> Iterable[T]:
    return items


@dataclass
class Analysis:
    """Everything a period's data yields, before anything is written."""

    period: Period
    register: Register
    books: list[Book]
    reconciled: Reconciled
    projects: pd.DataFrame
    units: pd.DataFrame
    findings: list[Finding]
    past: Past = field(default_factory=Past)
    lists: pd.DataFrame = field(default_factory=pd.DataFrame)
    attraction: pd.DataFrame = field(default_factory=pd.DataFrame)
    coordination: pd.DataFrame = field(default_factory=pd.DataFrame)
    started: str = ""
    outputs: dict[str, str] = field(default_factory=dict)

    def row_counts(self) -> dict[str, int]:
        counts = Counter(row.disposition for row in self.reconciled.rows)
        return {"read": len(self.reconciled.rows), "used": counts["used"],
                "duplicate": counts["duplicate"], "rejected": counts["rejected"]}

    def finding_counts(self) -> dict[str, int]:
        counts = Counter(str(f.severity) for f in self.findings)
        return {s: counts[s] for s in ("error", "warning", "info")}


F = TypeVar("F", bound=Callable[..., Any])


def collector_paused(func: F) -> F:
    """Run ``func`` with Python's cyclic garbage collector paused, and freeze what it made.

    The data stage makes millions of small objects (cells, rows, findings) and no garbage
    cycles worth the effort: the collector walking them all again and again cost more than
    checking a province's cells. Objects freed by reference counting are freed as ever;
    what the stage made is then frozen (``gc.freeze``), so that later stages do not walk it
    either. ``run_period`` and ``run_check`` unfreeze it when they are done.
    """

    @functools.wraps(func)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.freeze()
            gc.enable()

    return paused  # type: ignore[return-value]


@collector_paused
def load_register(workspace: Workspace, settings: Settings) -> Register:
    path = workspace.register_path
    if not path.is_file():
        raise RegisterError(
            f"找不到项目库 {path}；请把本年度重点项目库放在该位置（可用 keyproj demo 生成示例）/ "
            f"register not found at {path}: put the year's register there "
            "(keyproj demo writes an example)")
    book = read_book(path, "../register.xlsx", settings.limits)
    if not book.grids:
        reasons = "; ".join(f.message for f in book.findings)
        raise RegisterError(f"项目库无法读取 / the register cannot be read: {reasons}")
    register = parse_register(book)
    if not register.projects:
        raise RegisterError(
            f"{path}: 项目库中没有找到项目（需要“项目编号”“项目名称”等表头）/ no projects found: "
            "the projects sheet needs headers such as 项目编号 and 项目名称")
    return register


@collector_paused
def read_period(workspace: Workspace, period: Period, settings: Settings,
                progress: Progress[Any] = no_progress) -> list[Book]:
    """Every input file of the period, read in sandboxed workers (SPEC 7)."""
    files = list_inputs(workspace.period_input(period))
    return read_files(files, settings.limits, month=period.month, year=period.year,
                      progress=progress,
                      label=f"读取 reading {period}")


@collector_paused
def analyse(register: Register, books: list[Book], period: Period, settings: Settings,
            past: Past | None = None) -> Analysis:
    """Check, reconcile, score and rank a period: pure, given the books read and the history
    of the months before it."""
    past = past or Past()
    submissions = [submission_from_book(book, period) for book in books]
    last_month = period.previous
    previous = (past.projects[str(last_month)]
                if last_month is not None and past.held(last_month) else None)
    reconciled = reconcile(submissions, register, settings.unit_aliases, previous)
    done = done_milestones(reconciled.kept, past.milestones)
    statuses = milestone_status(register.milestones, done, period)
    projects = rank_projects(score_projects(register, reconciled.kept, statuses, period,
                                            settings.lights))
    projects = escalation(projects, period, past)
    rows = pd.DataFrame.from_records(
        [(reconciled.file_units.get(r.raw.file), _has_error(r)) for r in reconciled.rows],
        columns=["unit", "has_error"])
    units = rank_units(unit_parts(projects, rows), settings.weights, settings.groups)
    findings = list(register.findings) + reconciled.findings
    _warn_unknown(sorted(settings.force_majeure_approved - register.by_id().keys()),
                  "[force_majeure] approved 中的项目编号", "approved ids")
    forms = {form for unit in register.units for form in (unit, short_form(unit))}
    _warn_unknown(sorted({u for units in settings.groups.values() for u in units
                          if u not in forms and short_form(u) not in forms}),
                  "[groups] 中的单位", "units in [groups]")
    return Analysis(period=period, register=register, books=books, reconciled=reconciled,
                    projects=projects, units=units, findings=findings, past=past,
                    lists=red_black_lists(projects, units, settings.lists,
                                          settings.force_majeure_approved),
                    attraction=attraction_rates(projects),
                    coordination=coordination_items(projects, period, past))


def _warn_unknown(names: list[str], zh: str, en: str) -> None:
    """Settings that name what the register has not: said on the console, the run goes on."""
    if names:
        log.warning("keyproj.toml %s不在项目库中：%s，请核对 / %s not in the register: %s; "
                    "check them", zh, "、".join(names), en, ", ".join(names))


def period_facts(analysis: Analysis, settings: Settings) -> PeriodFacts:
    """What the history keeps of this period."""
    projects = {}
    # plain records of the columns read (iterrows made a Series of each of a province's
    # 20,000 projects); a column the frame lacks reads as None, as Series.get gives it
    wanted = [c for c in ("project_id", "light", "reported", "ytd_done", "completion_rate",
                          "unit", "problem", "coordination", "problem_type")
              if c in analysis.projects.columns]
    for row in analysis.projects[wanted].to_dict("records"):
        projects[row["project_id"]] = ProjectFact(
            light=row["light"], reported=bool(row["reported"]),
            ytd_done=_number(row["ytd_done"]), completion_rate=_number(row["completion_rate"]),
            problem_type=problem_type_of(row), unit=row["unit"])
    units = {row["unit"]: (_number(row["score"]), _number(row["investment"]))
             for _, row in analysis.units.iterrows()}
    return PeriodFacts(
        period=analysis.period, version=__version__, config_digest=settings.digest(),
        inputs=[(b.name, b.size, b.sha256) for b in analysis.books], projects=projects,
        milestones=done_milestones(analysis.reconciled.kept, {}), units=units)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _has_error(row: Row) -> bool:
    return any(f.severity == "error" for f in row.findings)


def check_outputs(analysis: Analysis) -> dict[str, bytes]:
    return {
        "findings.csv": csv_bytes(C.FINDINGS_CSV, findings_records(analysis.findings)),
        "rows.csv": csv_bytes(C.ROWS_CSV, rows_records(analysis.reconciled.rows)),
    }


def data_outputs(analysis: Analysis) -> dict[str, bytes]:
    """data/*.csv of SPEC 6.2, byte-identical for the same inputs."""
    checked = check_outputs(analysis)
    units = units_table(analysis.units)
    return {
        "data/projects.csv": frame_csv(projects_table(analysis.projects), C.PROJECTS_CSV),
        "data/units.csv": frame_csv(units, units.columns),
        "data/findings.csv": checked["findings.csv"],
        "data/rows.csv": checked["rows.csv"],
        "data/lists.csv": frame_csv(analysis.lists, LISTS_CSV),
        "data/attraction.csv": frame_csv(analysis.attraction, ATTRACTION_CSV),
        "data/coordination.csv": frame_csv(analysis.coordination, COORDINATION_CSV),
    }


def write_files(root: Path, files: dict[str, bytes]) -> dict[str, str]:
    """Write each file atomically; return name -> SHA-256."""
    digests = {}
    for name, data in files.items():
        write_atomic(root / name, data)
        digests[name] = sha256_of(data)
    return digests


def _remove_stale(stage: Path, files: dict[str, bytes]) -> None:
    """Drop what the previous run wrote (per its manifest) and this run does not."""
    previous = stage / "manifest.json"
    if not previous.exists():
        return
    try:
        listed = [o["file"] for o in json.loads(previous.read_text("utf-8"))["outputs"]]
    except (ValueError, KeyError, TypeError):
        return
    root = stage.resolve()
    for name in listed:
        target = (stage / name).resolve()
        if name not in files and root in target.parents:
            target.unlink(missing_ok=True)


def previous_pdfs(out: Path) -> dict[str, bytes]:
    """Source key -> PDF bytes of the period's last run, for the PDFs whose file is still
    as its manifest lists it (same SHA-256)."""
    try:
        listed = json.loads((out / "manifest.json").read_text("utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    reuse = {}
    for entry in listed:
        if not isinstance(entry, dict) or not entry.get("source"):
            continue
        path = out / str(entry["file"])
        if out.resolve() not in path.resolve().parents or not path.is_file():
            continue
        data = path.read_bytes()
        if sha256_of(data) == entry.get("sha256"):
            reuse[str(entry["source"])] = data
    return reuse


def manifest(analysis: Analysis, settings: Settings, outputs: dict[str, str],
             sources: dict[str, str] | None = None, key: str = "") -> dict[str, Any]:
    """SPEC 6.3; a PDF's entry also names its source key (what it was printed from), and
    ``run_key`` what the whole run was made from (pipeline/rerun.py)."""
    sources = sources or {}
    return {
        "period": str(analysis.period),
        "version": __version__,
        "config_digest": settings.digest(),
        "run_key": key,
        "started": analysis.started,
        "finished": now(),
        "inputs": [{"file": b.name, "size": b.size, "sha256": b.sha256} for b in analysis.books],
        "register": {"file": "../register.xlsx"},
        "outputs": [{"file": name, "sha256": digest,
                     **({"source": sources[name]} if name in sources else {})}
                    for name, digest in sorted(outputs.items())],
        "rows": analysis.row_counts(),
        "findings": analysis.finding_counts(),
    }


def now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def run_check(workspace: Workspace, period: Period, settings: Settings,
              progress: Progress[Any] = no_progress) -> Analysis:
    """Read, check, reconcile; write output/P/check/findings.csv and rows.csv only."""
    register = load_register(workspace, settings)
    past = load_past(workspace.history_path, before=period)
    analysis = analyse(register, read_period(workspace, period, settings, progress), period,
                       settings, past)
    write_files(workspace.period_output(period) / "check", check_outputs(analysis))
    gc.unfreeze()          # what the stages froze may be collected again
    return analysis


def run_period(workspace: Workspace, period: Period, settings: Settings,
               progress: Progress[Any] = no_progress,
               before_commit: Callable[[], None] | None = None, *,
               jobs: int | None = None, force: bool = False) -> Analysis:
    """The whole monthly batch for one period; the history is written last but the manifest.

    PDFs are printed in ``jobs`` processes (default: one a core); a PDF whose source is the
    same as in the period's last run (its manifest) is taken over, not printed again, unless
    ``force``. ``before_commit`` runs inside the history transaction (tests fail there).
    """
    started = now()
    check_fonts()          # a missing CJK font stops the run before anything is read
    # the key is taken before reading: a file that changes while it is read makes the next
    # run's key differ, so that run does the work again
    key = run_key(workspace, period, settings)
    warm_up(jobs)          # the PDF workers load WeasyPrint while the period is read
    register = load_register(workspace, settings)
    past = load_past(workspace.history_path, before=period)
    analysis = analyse(register, read_period(workspace, period, settings, progress), period,
                       settings, past)
    analysis.started = started
    out = workspace.period_output(period)
    files = data_outputs(analysis)
    sources: dict[str, str] = {}
    files.update(render_reports(analysis, settings, jobs=jobs, sources=sources,
                                reuse=None if force else previous_pdfs(out)))
    # everything is written to output/.P.tmp/ and swapped in whole: a reader never sees
    # half a period, and a kill at any moment leaves the previous outputs as they were
    stage = stage_period(out)
    _remove_stale(stage, files)
    outputs = write_files(stage, files)
    write_atomic(stage / "manifest.json",
                 json_bytes(manifest(analysis, settings, outputs, sources, key)))
    write_period(workspace.history_path, period_facts(analysis, settings), before_commit)
    publish_period(stage, out)
    analysis.outputs = outputs
    gc.unfreeze()          # what the stages froze may be collected again
    return analysis


def submitted_units(analysis: Analysis) -> tuple[list[str], list[str]]:
    """(units that sent at least one file, units that sent none)."""
    sent = {u for u in analysis.reconciled.file_units.values() if u}
    units = analysis.register.units
    return [u for u in units if u in sent], [u for u in units if u not in sent]

