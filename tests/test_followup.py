"""Attraction rates and coordination items, summed and listed without a pandas object per
unit or per project (a province has thousands of units and 20,000 projects)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.followup import _attraction_record, attraction_rates, coordination_items
from pipeline.history import Past
from pipeline.period import Period


def _awkward() -> pd.DataFrame:
    """Signed and unsigned projects with the values a real frame can hold: flags as None,
    NaN, text and numbers, missing amounts, a project without a unit."""
    frame = pd.DataFrame({
        "attraction": [True, True, 1, 0, True, True, True, True],
        "unit": ["乙", "甲", "乙", "甲", None, "甲", "丙", "甲"],
        "performing": [True, None, "是", True, False, np.nan, True, True],
        "started": [True, None, np.nan, False, True, 0, "x", True],
        "funds_in_place": [0.1, None, 0.2, 5.0, np.nan, 0.3, 1e-17, 0.7],
        "contract_amount": [0.3, 0.7, None, 1.0, 2.0, 0.1, 0.0, 0.2],
    })
    return frame.astype({"performing": object, "started": object})


def _per_unit(projects: pd.DataFrame) -> pd.DataFrame:
    """The sums as the definition reads: each scope's own rows, summed one scope at a time
    (the rates from them as attraction.csv makes them)."""
    signed = projects[projects["attraction"].astype(bool)]
    scopes = [("county", signed)] + [(u, g) for u, g in signed.groupby("unit", sort=True)]
    records = [_attraction_record(scope, len(group), int((group["performing"] == True).sum()),
                                  int(group["started"].astype(bool).sum()),
                                  float(group["funds_in_place"].fillna(0).astype(float).sum()),
                                  float(group["contract_amount"].fillna(0).astype(float).sum()))
               for scope, group in scopes]
    return pd.DataFrame.from_records(records, columns=list(attraction_rates(projects).columns))


def test_attraction_rates_are_each_scopes_own_sums() -> None:
    projects = _awkward()
    rates = attraction_rates(projects)
    assert rates.equals(_per_unit(projects))
    # what the definition gives, by hand: the project without a unit counts for the county
    # only; the unsigned project (attraction 0) for nobody
    county = rates.iloc[0]
    assert (county["scope"], county["signed"], county["performing"]) == ("county", 7, 3)
    assert list(rates["scope"]) == ["county", "丙", "乙", "甲"]
    jia = rates.set_index("scope").loc["甲"]     # P2 (None, None), P6 (NaN, 0), P8 (yes, yes)
    assert (jia["signed"], jia["performing"], jia["started"]) == (3, 1, 1)
    assert jia["funds_in_place"] == pytest.approx(1.0)
    assert jia["contract_amount"] == pytest.approx(1.0)
    assert pd.isna(rates.set_index("scope").loc["丙", "funds_rate"])   # nothing contracted


def test_attraction_rates_of_many_units_match_the_per_unit_sums() -> None:
    rng = np.random.default_rng(6)
    n = 3000
    projects = pd.DataFrame({
        "attraction": rng.random(n) < 0.7,
        "unit": [f"单位{k:03d}" for k in rng.integers(0, 400, n)],
        "performing": rng.random(n) < 0.5,
        "started": rng.random(n) < 0.6,
        "funds_in_place": np.round(rng.random(n) * 1000, 1),
        "contract_amount": np.round(rng.random(n) * 3000, 1),
    })
    assert attraction_rates(projects).equals(_per_unit(projects))
    assert attraction_rates(projects.iloc[0:0]).equals(_per_unit(projects.iloc[0:0]))


def test_coordination_items_list_each_problem_once() -> None:
    projects = pd.DataFrame({
        "leader": ["王", "王", "李", "李", "张"],
        "project_id": ["P1", "P2", "P3", "P4", "P5"],
        "unit": ["甲", "甲", "乙", "乙", "丙"],
        "problem": ["征地未完成", None, np.nan, "", "资金不足"],
        "coordination": [None, "需要协调电力", "", np.nan, "请县里协调"],
        "problem_type": ["land", None, "funds", None, np.nan],
    })
    items = coordination_items(projects, Period(2026, 11), Past())
    assert items.to_dict("records") == [
        {"leader": "张", "project_id": "P5", "unit": "丙", "problem_type": "other",
         "text": "资金不足；需协调：请县里协调", "months": 1},
        {"leader": "王", "project_id": "P1", "unit": "甲", "problem_type": "land",
         "text": "征地未完成", "months": 1},
        {"leader": "王", "project_id": "P2", "unit": "甲", "problem_type": "other",
         "text": "需协调：需要协调电力", "months": 1},
    ]
