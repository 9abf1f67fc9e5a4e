"""Ranking properties (Hypothesis) and unit-score rules (SPEC 5.4)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Weights
from pipeline.rank import rank_projects, rank_units, unit_score

CATEGORIES = ("new", "continuing", "completing", "preparatory")


@st.composite
def project_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=25))
    records = []
    for i in range(n):
        plan = draw(st.sampled_from([0.0, 100.0, 1200.0, 5000.0]))
        ytd = draw(st.one_of(st.none(), st.floats(min_value=0, max_value=6000,
                                                  allow_nan=False)))
        progress = draw(st.sampled_from([0.0, 0.5, 11 / 12]))
        completion = ytd / plan if ytd is not None and plan else None
        index = completion / progress if completion is not None and progress else None
        records.append({"project_id": f"P{i:03d}", "category": draw(st.sampled_from(CATEGORIES)),
                        "annual_plan": plan, "ytd_done": ytd, "time_progress": progress,
                        "progress_index": index})
    return pd.DataFrame.from_records(records)


def _ranks(frame: pd.DataFrame) -> dict[str, object]:
    ranked = rank_projects(frame)
    return {pid: (None if pd.isna(r) else int(r)) for pid, r in zip(ranked["project_id"],
                                                                      ranked["rank"])}


@settings(max_examples=150, deadline=None)
@given(project_frames())
def test_ranks_are_one_to_n_over_scored_projects(frame: pd.DataFrame) -> None:
    ranked = rank_projects(frame)
    scored = ranked[ranked["progress_index"].notna()]
    assert sorted(scored["rank"].astype(int)) == list(range(1, len(scored) + 1))
    assert ranked[ranked["progress_index"].isna()]["rank"].isna().all()
    for _, group in scored.groupby("category"):
        assert sorted(group["category_rank"].astype(int)) == list(range(1, len(group) + 1))


@settings(max_examples=100, deadline=None)
@given(project_frames(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(frame: pd.DataFrame, rnd: object) -> None:
    order = list(frame.index)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    assert _ranks(frame.loc[order]) == _ranks(frame)


@settings(max_examples=150, deadline=None)
@given(project_frames(), st.data())
def test_raising_ytd_never_lowers_rank(frame: pd.DataFrame, data: st.DataObject) -> None:
    scored = frame[frame["progress_index"].notna()]
    if scored.empty:
        return
    pid = data.draw(st.sampled_from(list(scored["project_id"])))
    extra = data.draw(st.floats(min_value=0.01, max_value=5000, allow_nan=False))
    before = _ranks(frame)[pid]
    raised = frame.copy()
    row = raised["project_id"] == pid
    raised.loc[row, "ytd_done"] = raised.loc[row, "ytd_done"] + extra
    plan = raised.loc[row, "annual_plan"]
    progress = raised.loc[row, "time_progress"]
    raised.loc[row, "progress_index"] = raised.loc[row, "ytd_done"] / plan / progress
    assert _ranks(raised)[pid] <= before


def test_ties_break_by_ytd_then_id() -> None:
    frame = pd.DataFrame.from_records([
        {"project_id": "B", "category": "new", "annual_plan": 100.0, "ytd_done": 50.0,
         "time_progress": 0.5, "progress_index": 1.0},
        {"project_id": "A", "category": "new", "annual_plan": 100.0, "ytd_done": 50.0,
         "time_progress": 0.5, "progress_index": 1.0},
        {"project_id": "C", "category": "new", "annual_plan": 200.0, "ytd_done": 100.0,
         "time_progress": 0.5, "progress_index": 1.0 + 1e-12},  # equal once rounded to 9
    ])
    assert _ranks(frame) == {"C": 1, "A": 2, "B": 3}


def test_missing_parts_drop_out_and_weights_rescale() -> None:
    weights = Weights()
    assert unit_score({"investment": 1.0, "starts": None, "milestones": None,
                       "reporting": 0.5}, weights) == pytest.approx((50 + 5) / 60 * 100)
    assert unit_score({"investment": 0.8, "starts": 0.5, "milestones": 1.0,
                       "reporting": 1.0}, weights) == pytest.approx(40 + 10 + 20 + 10)


def test_units_tie_on_score_then_investment_then_name() -> None:
    parts = pd.DataFrame.from_records([
        {"unit": "乙", "investment": 0.5, "starts": None, "milestones": None, "reporting": 1.0},
        {"unit": "甲", "investment": 0.5, "starts": None, "milestones": None, "reporting": 1.0},
        {"unit": "丙", "investment": 0.6, "starts": None, "milestones": None, "reporting": 0.0},
    ])
    # 丙: (30 + 0)/60 = 50; 甲, 乙: (25 + 10)/60 = 58.3 -> by name in code-point
    # order, so 乙 (U+4E59) before 甲 (U+7532)
    ranked = rank_units(parts, Weights())
    assert list(ranked["unit"]) == ["乙", "甲", "丙"]
    assert list(ranked["rank"]) == [1, 2, 3]


def test_peer_groups_rank_within_group() -> None:
    parts = pd.DataFrame.from_records([
        {"unit": u, "investment": inv, "starts": None, "milestones": None, "reporting": 1.0}
        for u, inv in (("泷泊镇人民政府", 0.9), ("江村镇人民政府", 0.7), ("县水利局", 0.8))])
    ranked = rank_units(parts, Weights(), {"乡镇": ("泷泊镇人民政府", "江村镇人民政府")})
    got = {u: (g, r) for u, g, r in zip(ranked["unit"], ranked["group"], ranked["rank"])}
    assert got == {"泷泊镇人民政府": ("乡镇", 1), "江村镇人民政府": ("乡镇", 2),
                   "县水利局": ("其他", 1)}


def test_the_worst_three_units_among_equal_scores_are_the_last_by_rank() -> None:
    """Units that sent nothing all score 0: the black list's worst three are the last three
    by the ranking's ties (investment part, then name), not the first three by name."""
    from pipeline.config import ListSizes
    from pipeline.followup import red_black_lists

    names = ["丁", "丙", "乙", "戊", "甲"]          # in code-point order
    parts = pd.DataFrame.from_records([
        {"unit": u, "investment": 0.0, "starts": None, "milestones": None, "reporting": 0.0,
         "projects": 1, "reported": 0} for u in names])
    units = rank_units(parts, Weights())
    assert list(units["unit"]) == names
    projects = pd.DataFrame(columns=["project_id", "name", "light", "light_reason", "rank",
                                     "progress_index"])
    lists = red_black_lists(projects, units, ListSizes(), frozenset())
    low = lists[lists["reason"].str.contains("score_below_60")]
    assert list(low["id"]) == ["甲", "戊", "乙"]         # worst first
