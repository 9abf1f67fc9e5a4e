"""[pure] What follows from the ranking and the history (SPEC 5.5, 5.6): escalation,
red and black lists, attraction rates, coordination items, trends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import ListSizes
from pipeline.history import Past, ProjectFact
from pipeline.period import Period
from pipeline.score import r9
from pipeline.values import leaders_of, norm_id, short_form

ESCALATION = {1: "remind", 2: "interview"}   # 3 or more: accountability
LISTS_CSV = ("list", "kind", "id", "name", "reason", "rank")
ATTRACTION_CSV = ("scope", "signed", "performing", "started", "funds_in_place",
                  "contract_amount", "performance_rate", "funds_rate", "start_rate")
COORDINATION_CSV = ("leader", "project_id", "unit", "problem_type", "text", "months")


def red_months(project_id: str, period: Period, past: Past, unit: str | None = None) -> int:
    """Consecutive red months of a project before ``period`` in the history; with ``unit``,
    a month the id belonged to another unit breaks the chain (an id a county numbers afresh
    each year names another project in the new register)."""
    count, month = 0, period.before
    while True:
        fact = past.project(month, project_id)
        if fact is None or fact.light != "red" or not _same(fact, unit):
            return count
        count += 1
        month = month.before


def escalation(projects: pd.DataFrame, period: Period, past: Past) -> pd.DataFrame:
    """1 red month: remind; 2: interview; 3 or more: accountability; else empty."""
    levels = []
    for pid, light, unit in zip(projects["project_id"], projects["light"], projects["unit"]):
        if light != "red":
            levels.append("")
            continue
        months = 1 + red_months(pid, period, past, unit)
        levels.append(ESCALATION.get(months, "accountability"))
    return projects.assign(escalation=levels)


def problem_months(project_id: str, problem_type: str, period: Period, past: Past,
                   unit: str | None = None) -> int:
    """Consecutive months, this one included, the project reported this problem type (with
    ``unit``, as ``red_months``: a month of another unit's project breaks the chain)."""
    count, month = 1, period.before
    while True:
        fact = past.project(month, project_id)
        if fact is None or fact.problem_type != problem_type or not _same(fact, unit):
            return count
        count += 1
        month = month.before


def _same(fact: ProjectFact, unit: str | None) -> bool:
    """Whether a past month's fact is of the same project as one of ``unit`` (a fact from
    before the history kept units, or no unit given: the same; 交通运输局 and 县交通运输局
    are one unit)."""
    return unit is None or not fact.unit or short_form(fact.unit) == short_form(unit)


def problem_type_of(row: Mapping[str, Any] | pd.Series) -> str | None:
    """A reported problem's type: its code, 'other' when untyped; None without a problem."""
    text = [row.get(k) for k in ("problem", "coordination")]
    if not any(isinstance(t, str) and t for t in text):
        return None
    kind = row.get("problem_type")
    return kind if isinstance(kind, str) and kind else "other"


def coordination_items(projects: pd.DataFrame, period: Period, past: Past) -> pd.DataFrame:
    """Every reported problem or coordination request, for each of its project's leaders,
    oldest first."""
    records = []
    # the columns read, as plain records (a province has 20,000 projects: iterrows made a
    # Series of each); a column the frame lacks reads as None, as Series.get gives it
    wanted = [c for c in ("leader", "project_id", "unit", "problem", "coordination",
                          "problem_type") if c in projects.columns]
    for row in projects[wanted].to_dict("records"):
        kind = problem_type_of(row)
        if kind is None:
            continue
        parts = []
        if isinstance(row.get("problem"), str) and row["problem"]:
            parts.append(row["problem"])
        if isinstance(row.get("coordination"), str) and row["coordination"]:
            parts.append(f"需协调：{row['coordination']}")
        months = problem_months(row["project_id"], kind, period, past, row.get("unit"))
        # an item for each of the project's leaders (a cell may name two: 张三、李四)
        for leader in leaders_of(row.get("leader")) or ("",):
            records.append({"leader": leader, "project_id": row["project_id"],
                            "unit": row["unit"], "problem_type": kind, "text": "；".join(parts),
                            "months": months})
    frame = pd.DataFrame.from_records(records, columns=list(COORDINATION_CSV))
    return frame.sort_values(["leader", "months", "project_id"], ascending=[True, False, True],
                             kind="mergesort").reset_index(drop=True)


def _list_rows(list_name: str, kind: str, items: list[tuple[str, str, list[str]]]
               ) -> list[dict[str, object]]:
    return [{"list": list_name, "kind": kind, "id": ident, "name": name,
             "reason": ";".join(reasons), "rank": position}
            for position, (ident, name, reasons) in enumerate(items, start=1)]


def red_black_lists(projects: pd.DataFrame, units: pd.DataFrame, sizes: ListSizes,
                    approved: frozenset[str]) -> pd.DataFrame:
    """lists.csv: red and black lists of projects and units (SPEC 5.5).

    Red projects: green with progress_index ≥ 1, the best by rank. Red units: score ≥ the
    minimum, the best by rank. Black projects: every red project (worst rank first, then
    unranked by id) unless its row claims force majeure (the 不可抗力 column) and the office
    approved the claim (``approved``: project ids). Black units: every unit with
    an unreported project, and the worst units below the score (lowest score first). With
    peer groups, units are listed and numbered within their group.
    """
    ranked = projects[projects["rank"].notna()].sort_values("rank")
    ahead = ranked[(ranked["light"] == "green")
                   & (ranked["progress_index"].astype(float).map(r9) >= 1.0)]
    rows = _list_rows("red", "project", [(p, n, ["ahead"]) for p, n in
                                          zip(ahead["project_id"], ahead["name"])][
        : sizes.red_projects])
    for group in _groups(units):
        top = group[group["score"].map(r9) >= r9(sizes.red_unit_min_score)].sort_values("rank")
        rows += _list_rows("red", "unit", [(u, u, ["top_score"]) for u in top["unit"]][
            : sizes.red_units])
    # an approved id exempts the project only in a month whose row claims force majeure:
    # a month without the claim has nothing to hold
    claimed = (projects["force_majeure"].fillna("").astype(str).str.strip() != ""
               if "force_majeure" in projects.columns else False)
    exempt = projects["project_id"].map(norm_id).isin(approved) & claimed
    red = projects[(projects["light"] == "red") & ~exempt]
    red = red.assign(_unranked=red["rank"].isna(), _rank=red["rank"].fillna(0).astype(int))
    red = red.sort_values(["_unranked", "_rank", "project_id"], ascending=[True, False, True],
                          kind="mergesort")
    rows += _list_rows("black", "project", [(p, n, [r]) for p, n, r in
                                            zip(red["project_id"], red["name"],
                                                red["light_reason"])])
    for group in _groups(units):
        reasons: dict[str, list[str]] = {}
        for unit in group[group["reported"] < group["projects"]]["unit"]:
            reasons.setdefault(unit, []).append("not_reported")
        # the worst: the last by rank, whose ties (SPEC 5.4: the investment part, then the
        # name) decide among equal scores (units that sent nothing all score 0)
        low = group[group["score"].map(r9) < r9(sizes.black_unit_below_score)]
        low = low.sort_values("rank", ascending=False, kind="mergesort").head(sizes.black_units)
        for unit in low["unit"]:
            reasons.setdefault(unit, []).append("score_below_60")
        order = group.set_index("unit")["rank"]
        listed = sorted(reasons, key=lambda u: -int(order[u]))
        rows += _list_rows("black", "unit", [(u, u, reasons[u]) for u in listed])
    return pd.DataFrame.from_records(rows, columns=list(LISTS_CSV))


def _groups(units: pd.DataFrame) -> list[pd.DataFrame]:
    if "group" not in units.columns:
        return [units]
    return [g for _, g in units.groupby("group", sort=True)]


def attraction_rates(projects: pd.DataFrame) -> pd.DataFrame:
    """履约率, 资金到位率, 开工率 for the county and each unit with attraction projects."""
    signed = projects[projects["attraction"].astype(bool)]
    # each value made once for every signed project, then summed by scope: per unit, the
    # same numbers in the same order as summing each unit's rows (numpy sums a unit's
    # amounts as it would sum the unit's own column; a province has thousands of units)
    performing_all = (signed["performing"] == True).to_numpy()
    started_all = signed["started"].astype(bool).to_numpy()
    funds_all = signed["funds_in_place"].fillna(0).astype(float).to_numpy()
    contract_all = signed["contract_amount"].fillna(0).astype(float).to_numpy()
    everything = np.arange(len(signed))
    scopes = [("county", everything)] + list(signed.groupby("unit", sort=True).indices.items())
    records = [_attraction_record(scope, len(rows), int(performing_all[rows].sum()),
                                  int(started_all[rows].sum()), float(funds_all[rows].sum()),
                                  float(contract_all[rows].sum()))
               for scope, rows in scopes]
    return pd.DataFrame.from_records(records, columns=list(ATTRACTION_CSV))


def _attraction_record(scope: str, count: int, performing: int, started: int, funds: float,
                       contract: float) -> dict[str, object]:
    """One scope's line of attraction.csv from its counts and sums."""
    return {"scope": scope, "signed": count, "performing": performing, "started": started,
            "funds_in_place": funds, "contract_amount": contract,
            "performance_rate": performing / count if count else None,
            "funds_rate": funds / contract if contract else None,
            "start_rate": started / count if count else None}


def trends(past: Past, projects: pd.DataFrame, units: pd.DataFrame, period: Period
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Completion rate per project and score per unit over the periods held, this one last."""
    project_rows = [(p, pid, fact.completion_rate)
                    for p, facts in sorted(past.projects.items()) if p < str(period)
                    for pid, fact in facts.items()]
    project_rows += [(str(period), pid, rate) for pid, rate in
                     zip(projects["project_id"], projects["completion_rate"])]
    unit_rows = [(p, unit, score) for p, values in sorted(past.units.items()) if p < str(period)
                 for unit, (score, _) in values.items()]
    unit_rows += [(str(period), u, s) for u, s in zip(units["unit"], units["score"])]
    return (pd.DataFrame(project_rows, columns=["period", "project_id", "completion_rate"]),
            pd.DataFrame(unit_rows, columns=["period", "unit", "score"]))
