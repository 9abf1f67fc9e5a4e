"""[pure] Contexts of the unit feedback sheet (反馈单), the leader's coordination list (督办单)
and the period's index page, built from the same frames as the bulletin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

import pandas as pd

from pipeline.check import Row
from pipeline.findings import Finding
from pipeline.period import Period
from pipeline.register import Project
from pipeline.render import filters
from pipeline.render.context import (
    DEFAULT_WEIGHTS,
    LIGHT_ORDER,
    PARTS,
    ProblemRow,
    ProjectRow,
    Section,
    _flags,
    _numbers,
    _text,
    _value,
    issue_date,
    names_joined,
    problem_rows,
    project_rows,
    section_heading,
)
from pipeline.render.labels import label, label_or, labels, month_label
from pipeline.score import MilestoneStatus
from pipeline.values import leaders_of

# red first: what a reader must act on comes first
_LIGHT_URGENCY = {"red": 0, "grey": 1, "yellow": 2, "green": 3}


class PartRow(NamedTuple):
    label: str
    out_of: float | None       # the part's weight scaled so present parts sum to 100
    achieved: float | None     # 0–1, None when there is nothing to measure
    points: float | None
    basis: str


class FindingRow(NamedTuple):
    place: str                 # 进度表!F10, or the project for a project-level finding
    severity: str              # error | warning | info (the CSS class)
    severity_label: str
    code: str                  # label
    what: str
    fix: str


class FindingGroup(NamedTuple):
    heading: str               # 文件：交通局11月.xlsx
    rows: tuple[FindingRow, ...]


@dataclass(frozen=True)
class Masthead:
    title: str
    issue: str
    office: str
    date: str


@dataclass(frozen=True)
class UnitContext:
    """Everything ``unit.html`` prints: one unit's feedback sheet."""

    lang: str
    t: Mapping[str, str]
    period: str
    head: Masthead
    unit: str
    to_line: str
    sections: tuple[Section, ...]
    standing: tuple[str, ...]        # rank and score, lists, trend
    part_rows: tuple[PartRow, ...]
    score: float | None
    project_rows: tuple[ProjectRow, ...]
    finding_groups: tuple[FindingGroup, ...]
    findings_note: str
    todo: tuple[str, ...]


@dataclass(frozen=True)
class LeaderContext:
    """Everything ``leader.html`` prints: one leader's coordination list."""

    lang: str
    t: Mapping[str, str]
    period: str
    head: Masthead
    leader: str
    to_line: str
    sections: tuple[Section, ...]
    summary: str
    project_rows: tuple[ProjectRow, ...]
    problem_rows: tuple[ProblemRow, ...]


class Link(NamedTuple):
    text: str
    href: str                  # relative, percent-encoded


class IndexRow(NamedTuple):
    name: str
    html: Link
    pdf: Link
    marked: Link | None


@dataclass(frozen=True)
class IndexContext:
    """Everything ``index.html`` prints: links to every output of the period."""

    lang: str
    t: Mapping[str, str]
    period: str
    title: str
    bulletin: tuple[Link, ...]
    ledger: Link
    unit_rows: tuple[IndexRow, ...]
    leader_rows: tuple[IndexRow, ...]
    data: tuple[Link, ...]


def masthead(kind: str, *, county: str, office: str, period: Period, lang: str,
             issued: dt.date | None = None) -> Masthead:
    title = (label(f"{kind}_title_county", lang).format(county=county) if county
             else label(f"{kind}_title", lang))
    return Masthead(title, label("issue", lang).format(year=period.year, month=period.month),
                    office, issue_date(issued or period.end, lang))


def href(path: str) -> str:
    """A relative link to an output: each path segment percent-encoded (UTF-8)."""
    return quote(path, safe="/")


# --- findings -----------------------------------------------------------------------------

def split_message(f: Finding, lang: str) -> tuple[str, str]:
    """(what is wrong, how to fix it) in ``lang`` from a finding's 'place: zh / en' message.

    The fix is the message's last sentence when it has more than one.
    """
    text = f.message
    if f.ref is not None and text.startswith(f"{f.ref}: "):
        text = text[len(f"{f.ref}: "):]
    zh, sep, en = text.partition(" / ")
    text = (zh if lang == "zh" or not sep else en).strip()
    stop = "。" if lang == "zh" else ". "
    head, sep, tail = text.rpartition(stop)
    if sep and head and tail.strip():
        return head + ("。" if lang == "zh" else "."), tail.strip()
    return text, ""


def _col_index(letters: str | None) -> int:
    index = 0
    for ch in letters or "":
        index = index * 26 + ord(ch) - 64
    return index


def finding_groups(findings: Sequence[Finding], names: Mapping[str, str], lang: str
                   ) -> tuple[FindingGroup, ...]:
    """A unit's findings by file (by name), each in sheet, row, column order; findings of a
    project (not_reported) after the files."""
    by_file: dict[str, list[Finding]] = {}
    loose: list[Finding] = []
    for f in findings:
        if f.ref is None:
            loose.append(f)
        else:
            by_file.setdefault(f.ref.file, []).append(f)

    def row(f: Finding, place: str) -> FindingRow:
        what, fix = split_message(f, lang)
        severity = str(f.severity)
        return FindingRow(place, severity, label(severity, lang),
                          label_or(f"code_{f.code}", lang, f.code), what, fix)

    out = []
    for name in sorted(by_file):
        mine = sorted(by_file[name], key=lambda f: (f.ref.sheet, f.ref.row or 0,  # type: ignore[union-attr]
                                                    _col_index(f.ref.column), f.code))  # type: ignore[union-attr]
        rows = []
        for f in mine:
            ref = f.ref
            assert ref is not None
            place = (f"{ref.sheet}!{ref.cell}" if ref.row is not None and ref.sheet
                     else ref.sheet or "—")
            rows.append(row(f, place))
        out.append(FindingGroup(label("findings_file", lang).format(file=name), tuple(rows)))
    if loose:
        rows = [row(f, names.get(f.project_id or "", f.project_id or "—"))
                for f in sorted(loose, key=lambda f: (f.project_id or "", f.code))]
        out.append(FindingGroup(label("findings_project_level", lang), tuple(rows)))
    return tuple(out)


# --- the unit feedback sheet --------------------------------------------------------------

def part_rows(unit_record: Mapping[str, object], projects: pd.DataFrame, rows: Sequence[Row],
              weights: Mapping[str, float], lang: str) -> tuple[PartRow, ...]:
    """The score's parts with what each was computed from (SPEC 5.4)."""
    values = {part: _value(unit_record.get(part)) for part in PARTS}
    total = sum(float(weights.get(p, 0)) for p, v in values.items() if v is not None)
    plan = _numbers(projects, "annual_plan").fillna(0.0)
    planned = projects[plan > 0]
    target = float((_numbers(planned, "annual_plan") * _numbers(planned, "time_progress")
                    .fillna(0.0)).sum())
    done = float(_numbers(planned, "ytd_done").fillna(0.0).sum())
    due = _flags(projects, "due_to_start")
    clean = sum(not any(str(f.severity) == "error" for f in row.findings) for row in rows)
    basis = {
        "investment": label("basis_investment", lang).format(done=filters.wan(done),
                                                             target=filters.wan(target)),
        "starts": label("basis_starts", lang).format(
            due=int(due.sum()), started=int((due & _flags(projects, "started")).sum())),
        "milestones": label("basis_milestones", lang).format(
            due=int(_numbers(projects, "milestones_due").fillna(0).sum()),
            on_time=int(_numbers(projects, "milestones_on_time").fillna(0).sum())),
        "reporting": label("basis_reporting", lang).format(
            reported=int(_flags(projects, "reported").sum()), projects=len(projects),
            clean=clean, rows=len(rows)),
    }
    out = []
    for part in PARTS:
        value = values[part]
        out_of = (float(weights.get(part, 0)) * 100 / total
                  if value is not None and total else None)
        out.append(PartRow(label(f"col_{part}", lang), out_of, value,
                           None if out_of is None or value is None else out_of * value,
                           basis[part] if value is not None else label("basis_none", lang)))
    return tuple(out)


def _day(value: dt.date | None, lang: str) -> str:
    return issue_date(value, lang) if value is not None else filters.MISSING


def todo_items(projects: pd.DataFrame, statuses: Sequence[MilestoneStatus],
               register: Mapping[str, Project], lang: str) -> tuple[str, ...]:
    """What the unit must do before next month: overdue starts, completions and milestones,
    unreported and unusable projects, red projects to catch up."""
    out = []
    ordered = projects.sort_values("project_id", kind="mergesort")
    for record in ordered.to_dict("records"):
        pid, name = str(record["project_id"]), str(record["name"])
        reason = str(record.get("light_reason") or "")
        project = register.get(pid)
        if reason == "overdue_start":
            out.append(label("todo_overdue_start", lang).format(
                name=name, date=_day(project.planned_start if project else None, lang)))
        elif reason == "overdue_completion":
            out.append(label("todo_overdue_completion", lang).format(
                name=name, date=_day(project.planned_completion if project else None, lang)))
        elif reason == "not_reported":
            out.append(label("todo_not_reported", lang).format(name=name))
        elif reason == "unusable_value":
            out.append(label("todo_unusable", lang).format(name=name))
        elif record.get("light") == "red" and reason == "lag":
            escalation = str(record.get("escalation") or "")
            out.append(label("todo_red", lang).format(
                name=name, reason=label_or(reason, lang, reason),
                escalation=label_or(escalation, lang, escalation) or filters.MISSING))
        for status in statuses:
            if status.project_id == pid and status.due and status.done is None:
                out.append(label("todo_milestone", lang).format(
                    name=name, milestone=status.name, date=_day(status.planned, lang),
                    days=status.overdue_days))
    return tuple(out) or (label("todo_none", lang),)


def unit_context(*, unit: str, projects: pd.DataFrame, units: pd.DataFrame,
                 lists: pd.DataFrame, findings: Sequence[Finding], rows: Sequence[Row],
                 statuses: Sequence[MilestoneStatus], register: Mapping[str, Project],
                 period: str, county: str, office: str, lang: str,
                 weights: Mapping[str, float] | None = None,
                 scores: Sequence[tuple[str, float | None]] = (),
                 marked: str = "", issued: dt.date | None = None,
                 ranked: Sequence[ProjectRow] | None = None) -> UnitContext:
    """One unit's feedback sheet: rank and score parts, projects, findings, what to do.

    ``findings`` and ``rows`` are the unit's own (its files' rows, its projects' findings);
    ``scores`` its score by month of the history, this one last; ``marked`` the name of
    its marked copy, when it has one; ``ranked`` every project's row (``project_rows`` of
    the whole frame, made once for all pages), when the caller has it.
    """
    when = Period.parse(period)
    t = labels(lang)
    mine = projects[projects["unit"] == unit]
    record: dict[Any, Any] = {}
    peers = units
    if not units.empty and unit in set(units["unit"]):
        record = units[units["unit"] == unit].iloc[0].to_dict()
        if "group" in units.columns:
            peers = units[units["group"] == record.get("group")]
    score = _value(record.get("score"))
    standing = []
    if record:
        group = record.get("group") if "group" in units.columns else None
        scope = (label("unit_scope_group", lang).format(group=group) if group
                 else label("unit_scope_all", lang))
        standing.append(label("unit_rank", lang).format(
            score=filters.num(score), count=len(peers), scope=scope,
            rank=filters.count(record.get("rank"))))
    on_lists = lists[(lists["kind"] == "unit") & (lists["id"] == unit)] if not lists.empty \
        else lists
    if not on_lists.empty and (on_lists["list"] == "red").any():
        standing.append(label("unit_listed_red", lang))
    black = on_lists[on_lists["list"] == "black"] if not on_lists.empty else on_lists
    if not black.empty:
        reasons = [label_or(code, lang, code) for reason in black["reason"]
                   for code in str(reason).split(";") if code]
        standing.append(label("unit_listed_black", lang).format(
            reasons=names_joined(reasons, lang)))
    if len(scores) >= 2:
        standing.append(label("unit_trend", lang).format(scores=names_joined(
            (label("month_score", lang).format(
                month=Period.parse(p).month, month_abbr=month_label(Period.parse(p).month, lang),
                score=filters.num(s)) for p, s in scores), lang)))
    names = dict(zip(mine["project_id"], mine["name"]))
    keys = ("score", "projects", "findings", "todo")
    return UnitContext(
        lang=lang, t=t, period=str(when),
        head=masthead("unit", county=county, office=office, period=when, lang=lang,
                      issued=issued),
        unit=unit, to_line=label("unit_to", lang).format(unit=unit),
        sections=tuple(Section(key, section_heading(i, t[f"unit_sec_{key}"], lang))
                       for i, key in enumerate(keys, start=1)),
        standing=tuple(standing),
        part_rows=part_rows(record, mine, rows, weights or DEFAULT_WEIGHTS, lang),
        score=score,
        project_rows=own_rows(mine, ranked, lang),
        finding_groups=finding_groups(findings, names, lang),
        findings_note=(label("findings_note", lang).format(marked=marked,
                                                              review=label("sheet_marks", lang))
                       if marked and findings else ""),
        todo=todo_items(mine, statuses, register, lang),
    )


def own_rows(mine: pd.DataFrame, ranked: Sequence[ProjectRow] | None,
             lang: str) -> tuple[ProjectRow, ...]:
    """The rows of the projects in ``mine``, in ranking order: picked out of ``ranked`` when
    given (the same rows in the same order, as project ids are unique and order them
    last), else made from ``mine``. Seventy small frames turned into rows one by one cost
    more than all the pages' HTML."""
    if ranked is None:
        return project_rows(mine, lang)
    ids = {_text(pid) for pid in mine["project_id"]}
    return tuple(row for row in ranked if row.project_id in ids)


# --- the leader's coordination list -------------------------------------------------------

def leader_context(*, leader: str, projects: pd.DataFrame, coordination: pd.DataFrame,
                   period: str, county: str, office: str, lang: str,
                   issued: dt.date | None = None,
                   ranked: Sequence[ProjectRow] | None = None) -> LeaderContext:
    """One leader's projects (red first) and open problems (oldest first); ``ranked`` as
    for ``unit_context``."""
    when = Period.parse(period)
    t = labels(lang)
    mine = projects[projects["leader"].map(lambda cell: leader in leaders_of(cell))]
    rows = sorted(own_rows(mine, ranked, lang), key=lambda r: (
        _LIGHT_URGENCY.get(r.light, 4), r.rank is None, r.rank or 0, r.project_id))
    items = (coordination[coordination["leader"] == leader] if not coordination.empty
             else coordination)
    problems = problem_rows(items, projects, lang)
    counts = mine["light"].value_counts() if not mine.empty else pd.Series(dtype="int64")
    keys = ("projects", "problems")
    return LeaderContext(
        lang=lang, t=t, period=str(when),
        head=masthead("leader", county=county, office=office, period=when, lang=lang,
                      issued=issued),
        leader=leader, to_line=label("leader_to", lang).format(leader=leader),
        sections=tuple(Section(key, section_heading(i, t[f"leader_sec_{key}"], lang))
                       for i, key in enumerate(keys, start=1)),
        summary=label("leader_summary", lang).format(
            n=len(mine), problems=len(problems),
            **{light: int(counts.get(light, 0)) for light in LIGHT_ORDER}),
        project_rows=tuple(rows),
        problem_rows=problems,
    )


# --- the index ----------------------------------------------------------------------------

def index_context(*, period: str, lang: str, unit_files: Mapping[str, str],
                  leader_files: Mapping[str, str], marked: Mapping[str, str],
                  data: Sequence[str]) -> IndexContext:
    """Links to the period's outputs; ``unit_files``/``leader_files`` map a name to its safe
    file name, ``marked`` a unit to its marked copy's path."""
    t = labels(lang)

    def row(name: str, folder: str, stem: str) -> IndexRow:
        mark = marked.get(name) if folder == "units" else None
        return IndexRow(name, Link(t["col_html"], href(f"{folder}/{stem}.html")),
                        Link(t["col_pdf"], href(f"{folder}/{stem}.pdf")),
                        Link(t["col_marked"], href(mark)) if mark else None)

    return IndexContext(
        lang=lang, t=t, period=period,
        title=label("index_title", lang).format(period=period),
        bulletin=(Link("report.html", href("report.html")), Link("report.pdf",
                                                                 href("report.pdf"))),
        ledger=Link("ledger.xlsx", href("ledger.xlsx")),
        unit_rows=tuple(row(name, "units", unit_files[name]) for name in sorted(unit_files)),
        leader_rows=tuple(row(name, "leaders", leader_files[name])
                          for name in sorted(leader_files)),
        data=tuple(Link(name, href(name)) for name in data),
    )
