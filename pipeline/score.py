"""[pure] Progress, lights and milestone status of every register project (SPEC 5.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from pipeline import columns as C
from pipeline.check import Row
from pipeline.config import Lights
from pipeline.period import Period
from pipeline.register import Milestone, Project, Register
from pipeline.values import norm_name

PRECISION = 9   # every threshold comparison uses values rounded to 9 decimals


def r9(value: float) -> float:
    return round(value, PRECISION)


@dataclass(frozen=True)
class MilestoneStatus:
    project_id: str
    name: str
    planned: dt.date
    done: dt.date | None       # the 完成时间 reported, when no later than the period's end
    due: bool
    on_time: bool
    overdue_days: int          # 0 unless due and not done


def milestone_status(milestones: list[Milestone], done: dict[str, dict[str, dt.date]],
                     period: Period) -> list[MilestoneStatus]:
    """Each register milestone: due, done, on time, overdue days (SPEC 5.3).

    ``done`` maps project_id -> {normalised milestone name -> 完成时间} from this period's
    kept rows (and earlier periods of the history); the earliest date counts.
    """
    end = period.end
    out = []
    for m in milestones:
        when: dt.date | None = done.get(m.project_id, {}).get(norm_name(m.name))
        if when is not None and when > end:
            when = None
        due = m.planned <= end
        overdue = (end - m.planned).days if due and when is None else 0
        out.append(MilestoneStatus(m.project_id, m.name, m.planned, when, due,
                                   on_time=when is not None and when <= m.planned,
                                   overdue_days=overdue))
    return out


def done_milestones(kept: dict[str, Row],
                    earlier: dict[str, dict[str, dict[str, dt.date]]]
                    ) -> dict[str, dict[str, dt.date]]:
    """project_id -> {milestone name -> earliest 完成时间}, from the kept rows of this period
    and ``earlier`` (period -> project_id -> names) from the history."""
    out: dict[str, dict[str, dt.date]] = {}

    def add(pid: str, name: str, when: dt.date) -> None:
        names = out.setdefault(pid, {})
        key = norm_name(name)
        names[key] = min(when, names.get(key, when))

    for projects in earlier.values():
        for pid, names in projects.items():
            for name, when in names.items():
                add(pid, name, when)
    for pid, row in kept.items():
        for name, reported in row.milestones:
            if reported is not None:
                add(pid, name, reported)
    return out


def time_progress(project: Project, month: int) -> float | None:
    """plan_m / annual_plan when all twelve months are planned, else m / 12."""
    plan = project.annual_plan
    if plan and all(isinstance(p, (int, float)) for p in project.plans):
        value = project.plans[month - 1]
        assert value is not None
        return value / plan
    return month / 12


def is_started(row: Row | None) -> bool:
    """The 是否开工 flag; when empty, a given actual start date."""
    if row is None:
        return False
    flag = row.values.get(C.STARTED)
    if flag is not None:
        return bool(flag)
    return row.values.get(C.ACTUAL_START) is not None


def _passed(date: dt.date | None, period: Period) -> bool:
    """A planned month has passed when its (year, month) is before the period's."""
    return date is not None and (date.year, date.month) < (period.year, period.month)


def lag_light(completion: float, progress: float, lights: Lights) -> str:
    """green / yellow / red from completion rate C and time progress T."""
    if lights.mode == "relative":
        if r9(completion) >= r9(progress):
            return "green"
        if r9(completion) >= r9((1 - lights.relative_red_below) * progress):
            return "yellow"
        return "red"
    lag_pp = r9((progress - completion) * 100)
    if lag_pp <= r9(lights.yellow_above_pp):
        return "green"
    if lag_pp <= r9(lights.red_above_pp):
        return "yellow"
    return "red"


def milestone_light(statuses: list[MilestoneStatus]) -> tuple[str, str]:
    worst = max((s.overdue_days for s in statuses if s.due and s.done is None), default=None)
    if worst is None:
        return "green", "milestones_on_time"
    if worst <= 30:
        return "yellow", "milestone_overdue"
    return "red", "milestone_overdue_30d"


def score_projects(register: Register, kept: dict[str, Row], statuses: list[MilestoneStatus],
                   period: Period, lights: Lights) -> pd.DataFrame:
    """One row per register project with the SPEC 6.2 progress columns (and a few more)."""
    by_project: dict[str, list[MilestoneStatus]] = {}
    for status in statuses:
        by_project.setdefault(status.project_id, []).append(status)
    records = []
    for project in register.projects:
        row = kept.get(project.project_id)
        mine = by_project.get(project.project_id, [])
        records.append(_score_one(project, row, mine, period, lights))
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        frame = pd.DataFrame(columns=list(C.PROJECTS_CSV))
    return frame


def _score_one(project: Project, row: Row | None, mine: list[MilestoneStatus], period: Period,
               lights: Lights) -> dict[str, object]:
    plan = project.annual_plan
    progress = time_progress(project, period.month)
    ytd = None if row is None or C.YTD_DONE in row.unusable else row.values.get(C.YTD_DONE)
    month_done = None if row is None else row.values.get(C.MONTH_DONE)
    completion = ytd / plan if ytd is not None and plan else None
    index = lag = None
    if completion is not None and progress is not None:
        lag = (progress - completion) * 100
        index = completion / progress if r9(progress) != 0 else None
    started = is_started(row)
    completed = bool(row.values.get(C.COMPLETED)) if row is not None else False
    if row is None:
        light, reason = "grey", "not_reported"
    elif ytd is None:
        light, reason = "grey", "unusable_value"
    elif project.category == "new" and not started and _passed(project.planned_start, period):
        light, reason = "red", "overdue_start"
    elif (project.category == "completing" and not completed
          and _passed(project.planned_completion, period)):
        light, reason = "red", "overdue_completion"
    elif not plan:
        light, reason = milestone_light(mine)
    else:
        light = lag_light(completion or 0.0, progress or 0.0, lights)
        reason = "on_schedule" if light == "green" else "lag"
    values = row.values if row is not None else {}
    return {
        "project_id": project.project_id, "name": project.name,
        "category": project.category or "", "unit": project.unit, "leader": project.leader,
        "sector": project.sector, "total_investment": project.total_investment,
        "annual_plan": plan, "ytd_done": ytd, "month_done": month_done,
        "time_progress": progress, "completion_rate": completion, "progress_index": index,
        "lag_pp": lag, "light": light, "light_reason": reason, "reported": row is not None,
        "started": started, "completed": completed,
        "due_to_start": project.category == "new" and project.planned_start is not None
        and project.planned_start <= period.end,
        "milestones_due": sum(s.due for s in mine),
        # an unreported project's milestones count as not done (SPEC 5.4)
        "milestones_on_time": 0 if row is None else sum(s.due and s.on_time for s in mine),
        "milestones_overdue": sum(s.due and s.done is None for s in mine),
        "attraction": project.attraction, "contract_amount": project.contract_amount,
        "funds_in_place": values.get(C.FUNDS_IN_PLACE),
        "performing": values.get(C.PERFORMING),
        "force_majeure": values.get(C.FORCE_MAJEURE),
        "problem": values.get(C.PROBLEM), "problem_type": values.get(C.PROBLEM_TYPE),
        "coordination": values.get(C.COORDINATION),
        "physical_progress": values.get(C.PHYSICAL_PROGRESS),
    }
