"""Progress, lights and milestones (SPEC 5.3) on register records, without files."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.check import Row
from pipeline.config import Lights
from pipeline.period import Period
from pipeline.register import Milestone, Project, Register
from pipeline.score import lag_light, milestone_status, score_projects, time_progress
from pipeline.sheet import RawRow

PERIOD = Period(2026, 11)


def _project(pid: str = "P", category: str = "continuing", plan: float | None = 1200,
             **extra: object) -> Project:
    base: dict[str, object] = {
        "project_id": pid, "name": pid, "category": category, "sector": "", "unit": "甲",
        "leader": "张", "total_investment": 99999.0, "annual_plan": plan,
        "planned_start": None, "planned_completion": None, "attraction": False,
        "contract_amount": None, "plans": (None,) * 12}
    base.update(extra)
    return Project(**base)  # type: ignore[arg-type]


def _row(ytd: float | None, milestones: list[tuple[str, dt.date | None]] | None = None,
         **values: object) -> Row:
    row = Row(raw=RawRow("a.xlsx", "s", 5, {}), values={"ytd_done": ytd, **values})
    if ytd is None:
        row.unusable.add("ytd_done")
    row.milestones = milestones or []
    return row


def test_points_and_relative_lights() -> None:
    t = 11 / 12
    assert lag_light(t, t, Lights()) == "green"
    assert lag_light(t - 0.10, t, Lights()) == "yellow"           # exactly 10 points: yellow
    assert lag_light(t - 0.1000001, t, Lights()) == "red"
    relative = Lights(mode="relative")
    assert lag_light(0.5 * t, t, relative) == "yellow"            # C = (1 − r)·T
    assert lag_light(0.49 * t, t, relative) == "red"
    assert lag_light(t, t, relative) == "green"


def test_time_progress_uses_monthly_plans_only_when_all_twelve_are_numbers() -> None:
    plans = tuple(float(100 * m) for m in range(1, 13))
    assert time_progress(_project(plans=plans), 11) == pytest.approx(1100 / 1200)
    assert time_progress(_project(plans=plans[:11] + (None,)), 11) == pytest.approx(11 / 12)


def test_rules_in_order_and_zero_time_progress_is_unranked() -> None:
    plans = (0.0,) * 11 + (1200.0,)
    register = Register(projects=[
        _project("A"), _project("B"), _project("C", category="new",
                                                planned_start=dt.date(2026, 10, 1)),
        _project("D", category="completing", planned_completion=dt.date(2026, 11, 15)),
        _project("E", plans=plans),
    ])
    kept = {"B": _row(None), "C": _row(1200, started=False),
            "D": _row(0, completed=False), "E": _row(0)}
    frame = score_projects(register, kept, [], PERIOD, Lights()).set_index("project_id")
    got = {pid: (frame.loc[pid, "light"], frame.loc[pid, "light_reason"]) for pid in "ABCDE"}
    assert got == {"A": ("grey", "not_reported"), "B": ("grey", "unusable_value"),
                   "C": ("red", "overdue_start"),
                   # planned completion in November has not *passed* in November
                   "D": ("red", "lag"), "E": ("green", "on_schedule")}
    assert frame.loc["E", "time_progress"] == 0 and frame["progress_index"].isna()["E"]


def test_milestone_rule_thresholds_and_late_is_done() -> None:
    end = PERIOD.end
    milestones = [Milestone("P", "可研批复", dt.date(2026, 6, 30)),
                  Milestone("P", "用地预审", end - dt.timedelta(days=30)),
                  Milestone("Q", "施工许可", end - dt.timedelta(days=31)),
                  Milestone("R", "开工", dt.date(2026, 9, 30))]
    done = {"P": {"可研批复": dt.date(2026, 7, 5)}, "R": {"开工": dt.date(2026, 9, 1)}}
    statuses = milestone_status(milestones, done, PERIOD)
    late = statuses[0]
    assert (late.done, late.on_time, late.overdue_days) == (dt.date(2026, 7, 5), False, 0)
    register = Register(projects=[_project(p, category="preparatory", plan=0) for p in "PQRS"],
                        milestones=milestones)
    kept = {p: _row(0) for p in "PQRS"}
    frame = score_projects(register, kept, statuses, PERIOD, Lights()).set_index("project_id")
    got = {p: frame.loc[p, "light_reason"] for p in "PQRS"}
    assert got == {"P": "milestone_overdue", "Q": "milestone_overdue_30d",
                   "R": "milestones_on_time", "S": "milestones_on_time"}
    assert frame.loc["R", "milestones_on_time"] == 1 and frame.loc["P", "milestones_on_time"] == 0


def test_unreported_project_milestones_count_as_not_done() -> None:
    milestones = [Milestone("P", "开工", dt.date(2026, 9, 30))]
    statuses = milestone_status(milestones, {"P": {"开工": dt.date(2026, 9, 1)}}, PERIOD)
    register = Register(projects=[_project("P", category="preparatory", plan=0)],
                        milestones=milestones)
    frame = score_projects(register, {}, statuses, PERIOD, Lights())
    assert (frame.loc[0, "milestones_due"], frame.loc[0, "milestones_on_time"]) == (1, 0)
