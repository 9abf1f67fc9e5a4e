"""[pure] Project ranks and unit scores (SPEC 5.4). Ties are broken deterministically."""

from __future__ import annotations

import pandas as pd

from pipeline.config import Weights
from pipeline.score import r9
from pipeline.values import short_form

PARTS = ("investment", "starts", "milestones", "reporting")


def rank_projects(projects: pd.DataFrame) -> pd.DataFrame:
    """Add rank and category_rank: progress_index high first, then ytd_done, then id."""
    frame = projects.assign(rank=None, category_rank=None)
    scored = frame[frame["progress_index"].notna()].copy()
    if scored.empty:
        return frame.astype({"rank": "Int64", "category_rank": "Int64"})
    scored["_index"] = scored["progress_index"].astype(float).map(r9)
    scored["_ytd"] = scored["ytd_done"].astype(float).map(r9)
    ordered = scored.sort_values(["_index", "_ytd", "project_id"],
                                 ascending=[False, False, True], kind="mergesort")
    overall = pd.Series(range(1, len(ordered) + 1), index=ordered.index)
    by_category = ordered.groupby("category", sort=False).cumcount() + 1
    frame.loc[overall.index, "rank"] = overall
    frame.loc[by_category.index, "category_rank"] = by_category
    return frame.astype({"rank": "Int64", "category_rank": "Int64"})


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def unit_parts(projects: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Each unit's score parts (0–1, or empty when there is nothing to measure).

    ``rows`` has one line per data row of the files each unit submitted: unit, has_error.
    """
    plan = projects["annual_plan"].astype(float).fillna(0)
    planned = plan > 0
    due = projects["due_to_start"].astype(bool)
    frame = pd.DataFrame({
        "unit": projects["unit"],
        "planned": planned,
        "target": (plan * projects["time_progress"].astype(float)).where(planned, 0.0),
        "done": projects["ytd_done"].astype(float).fillna(0).where(planned, 0.0),
        "due": due,
        "started_due": due & projects["started"].astype(bool),
        "m_on_time": projects["milestones_on_time"].astype(int),
        "m_due": projects["milestones_due"].astype(int),
        "reported": projects["reported"].astype(bool),
        **{light: projects["light"] == light for light in ("red", "yellow", "green", "grey")},
    })
    # a project whose register row names no unit (a register_error) is no nameless unit's
    frame = frame[frame["unit"].astype(str) != ""]
    sums = frame.groupby("unit", sort=True).sum()
    sizes = frame.groupby("unit", sort=True).size()
    row_count = rows.groupby("unit").size()
    error_count = rows.groupby("unit")["has_error"].sum()
    records = []
    for unit, part in sums.iterrows():
        target = float(part["target"])
        investment = (None if part["planned"] == 0 or r9(target) == 0
                      else min(1.0, float(part["done"]) / target))
        read = int(row_count.get(unit, 0))
        clean = 1.0 if read == 0 else (read - int(error_count.get(unit, 0))) / read
        records.append({
            "unit": unit, "investment": investment,
            "starts": _ratio(float(part["started_due"]), float(part["due"])),
            "milestones": _ratio(float(part["m_on_time"]), float(part["m_due"])),
            "reporting": float(part["reported"]) / int(sizes[unit]) * clean,
            "projects": int(sizes[unit]), "reported": int(part["reported"]),
            **{light: int(part[light]) for light in ("red", "yellow", "green", "grey")},
        })
    return pd.DataFrame.from_records(records, columns=[
        "unit", *PARTS, "projects", "reported", "red", "yellow", "green", "grey"])


def unit_score(parts: dict[str, float | None], weights: Weights) -> float:
    """Weighted 0–100; parts with nothing to measure drop out and weights rescale to 100."""
    present = {k: v for k, v in parts.items() if v is not None and not pd.isna(v)}
    total = sum(getattr(weights, k) for k in present)
    if total == 0:
        return 0.0
    return sum(getattr(weights, k) * v for k, v in present.items()) * 100 / total


def rank_units(parts: pd.DataFrame, weights: Weights,
               groups: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Score and rank units: score high first, then investment part, then name.

    With peer groups, units are ranked within their group and a ``group`` column is added
    (units in no configured group form the group “其他”).
    """
    frame = parts.copy()
    frame["score"] = [unit_score({k: row[k] for k in PARTS}, weights)
                      for _, row in frame.iterrows()]
    if groups:
        # a unit named in a group as the register writes it or by its short form (泷泊镇)
        member = {short_form(unit): name for name, units in groups.items() for unit in units}
        member.update({unit: name for name, units in groups.items() for unit in units})
        frame["group"] = frame["unit"].map(
            lambda u: member.get(u) or member.get(short_form(u), "其他"))
    frame["_score"] = frame["score"].map(r9)
    frame["_inv"] = frame["investment"].map(lambda v: -1.0 if pd.isna(v) else r9(float(v)))
    frame = frame.sort_values(["_score", "_inv", "unit"], ascending=[False, False, True],
                              kind="mergesort")
    keys = frame["group"] if groups else pd.Series("", index=frame.index)
    frame["rank"] = frame.groupby(keys, sort=False).cumcount() + 1
    return frame.drop(columns=["_score", "_inv"]).reset_index(drop=True)
