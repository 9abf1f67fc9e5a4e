"""[IO] The month-over-month history: output/history.sqlite (standard-library sqlite3).

The history keeps each period's *facts* (a project's light, figures, problem types and
milestones done; a unit's score), never values derived from earlier months. Derived values
(escalation, months a problem has been open, ytd checks) are computed at run time from the
facts of the months before, so periods may be run in any order. Re-running an earlier
period after a later one marks the later one ``stale``: its outputs were computed from the
old facts and should be run again.

A period is written in one transaction: a run that fails half-way leaves the history as
it was. The schema is versioned (``PRAGMA user_version``) and migrated on open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.period import Period

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE periods (
        period TEXT PRIMARY KEY, run_at TEXT NOT NULL, version TEXT NOT NULL,
        config_digest TEXT NOT NULL, stale INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE inputs (
        period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
        file TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        PRIMARY KEY (period, file));
    CREATE TABLE projects (
        period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
        project_id TEXT NOT NULL, unit TEXT NOT NULL, light TEXT NOT NULL,
        reported INTEGER NOT NULL, ytd_done REAL, completion_rate REAL,
        problem_type TEXT, PRIMARY KEY (period, project_id));
    CREATE TABLE milestones_done (
        period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
        project_id TEXT NOT NULL, milestone TEXT NOT NULL, done TEXT NOT NULL,
        PRIMARY KEY (period, project_id, milestone));
    CREATE TABLE units (
        period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,
        unit TEXT NOT NULL, score REAL, investment REAL, PRIMARY KEY (period, unit));
    CREATE TABLE run_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, period TEXT NOT NULL, action TEXT NOT NULL,
        at TEXT NOT NULL);
    """,
}


@dataclass(frozen=True)
class ProjectFact:
    light: str
    reported: bool
    ytd_done: float | None
    completion_rate: float | None
    problem_type: str | None
    unit: str = ""


@dataclass
class Past:
    """The facts of the periods held, as the pure stages need them."""

    projects: dict[str, dict[str, ProjectFact]] = field(default_factory=dict)  # period -> id ->
    milestones: dict[str, dict[str, dict[str, dt.date]]] = field(default_factory=dict)
    units: dict[str, dict[str, tuple[float | None, float | None]]] = field(default_factory=dict)

    def project(self, period: Period | None, project_id: str) -> ProjectFact | None:
        if period is None:
            return None
        return self.projects.get(str(period), {}).get(project_id)

    def held(self, period: Period) -> bool:
        return str(period) in self.projects


@dataclass(frozen=True)
class PeriodFacts:
    """What a run of one period adds to the history."""

    period: Period
    version: str
    config_digest: str
    inputs: list[tuple[str, int, str]]
    projects: dict[str, ProjectFact]
    milestones: dict[str, dict[str, dt.date]]
    units: dict[str, tuple[float | None, float | None]]


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating) the history database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return conn


def load_past(path: Path, *, before: Period | None = None) -> Past:
    """Every period's facts (only those before ``before`` when given)."""
    past = Past()
    if not path.exists():
        return past
    with closing(connect(path)) as conn:
        for period, pid, unit, light, reported, ytd, rate, ptype in conn.execute(
                "SELECT period, project_id, unit, light, reported, ytd_done, completion_rate, "
                "problem_type FROM projects"):
            if before is not None and period >= str(before):
                continue
            past.projects.setdefault(period, {})[pid] = ProjectFact(
                light, bool(reported), ytd, rate, ptype, unit)
        for period, pid, name, done in conn.execute(
                "SELECT period, project_id, milestone, done FROM milestones_done"):
            if before is not None and period >= str(before):
                continue
            past.milestones.setdefault(period, {}).setdefault(pid, {})[name] = \
                dt.date.fromisoformat(done)
        for period, unit, score, investment in conn.execute(
                "SELECT period, unit, score, investment FROM units"):
            if before is not None and period >= str(before):
                continue
            past.units.setdefault(period, {})[unit] = (score, investment)
    return past


def write_period(path: Path, facts: PeriodFacts,
                 before_commit: Callable[[], None] | None = None) -> None:
    """Replace one period's facts in a single transaction; later periods become stale."""
    key = str(facts.period)
    with closing(connect(path)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM periods WHERE period = ?", (key,))
            conn.execute("INSERT INTO periods VALUES (?, ?, ?, ?, 0)",
                         (key, _now(), facts.version, facts.config_digest))
            conn.executemany("INSERT INTO inputs VALUES (?, ?, ?, ?)",
                             [(key, *item) for item in facts.inputs])
            conn.executemany(
                "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(key, pid, f.unit, f.light, int(f.reported), f.ytd_done, f.completion_rate,
                  f.problem_type) for pid, f in sorted(facts.projects.items())])
            conn.executemany(
                "INSERT INTO milestones_done VALUES (?, ?, ?, ?)",
                [(key, pid, name, when.isoformat())
                 for pid, names in sorted(facts.milestones.items())
                 for name, when in sorted(names.items())])
            conn.executemany("INSERT INTO units VALUES (?, ?, ?, ?)",
                             [(key, unit, *values) for unit, values in sorted(facts.units.items())])
            conn.execute("UPDATE periods SET stale = 1 WHERE period > ?", (key,))
            conn.execute("INSERT INTO run_log (period, action, at) VALUES (?, 'run', ?)",
                         (key, _now()))
            if before_commit is not None:
                before_commit()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def drop_period(path: Path, period: Period) -> bool:
    """Remove a period; True when it was held."""
    if not path.exists():
        return False
    with closing(connect(path)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            gone = conn.execute("DELETE FROM periods WHERE period = ?", (str(period),)).rowcount
            for table in ("inputs", "projects", "milestones_done", "units"):
                conn.execute(f"DELETE FROM {table} WHERE period = ?", (str(period),))
            if gone:
                conn.execute("UPDATE periods SET stale = 1 WHERE period > ?", (str(period),))
                conn.execute("INSERT INTO run_log (period, action, at) VALUES (?, 'drop', ?)",
                             (str(period), _now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return bool(gone)


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    run_at: str
    version: str
    stale: bool
    projects: int
    inputs: list[tuple[str, int, str]]


def summary(path: Path) -> list[PeriodSummary]:
    """The periods held, oldest first, with their inputs."""
    if not path.exists():
        return []
    with closing(connect(path)) as conn:
        rows = conn.execute(
            "SELECT p.period, p.run_at, p.version, p.stale, "
            "(SELECT COUNT(*) FROM projects j WHERE j.period = p.period) "
            "FROM periods p ORDER BY p.period").fetchall()
        out = []
        for period, run_at, version, stale, count in rows:
            inputs = conn.execute("SELECT file, size, sha256 FROM inputs WHERE period = ? "
                                  "ORDER BY file", (period,)).fetchall()
            out.append(PeriodSummary(period, run_at, version, bool(stale), count,
                                     [tuple(i) for i in inputs]))
    return out


def table_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact table's rows, sorted (for comparing two histories; run times left out)."""
    with closing(connect(path)) as conn:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
                for table in ("inputs", "projects", "milestones_done", "units")}


def facts_digest(path: Path, *, before: Period) -> str:
    """SHA-256 of every fact of the periods before ``before``: what a run of ``before``
    derives its values from. The same digest means the same ``load_past`` result."""
    digest = hashlib.sha256()
    if path.exists():
        with closing(connect(path)) as conn:
            for table in ("periods", "projects", "milestones_done", "units"):
                columns, order = ("period", "1") if table == "periods" else ("*", "1, 2, 3")
                for row in conn.execute(f"SELECT {columns} FROM {table} WHERE period < ? "
                                        f"ORDER BY {order}", (str(before),)):
                    digest.update(repr((table, *row)).encode("utf-8") + b"\n")
    return digest.hexdigest()


def is_current(path: Path, period: Period) -> bool:
    """Whether the history holds ``period`` and it is not stale (no earlier period was
    run or dropped after it)."""
    if not path.exists():
        return False
    with closing(connect(path)) as conn:
        row = conn.execute("SELECT stale FROM periods WHERE period = ?",
                           (str(period),)).fetchone()
    return row is not None and not row[0]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
