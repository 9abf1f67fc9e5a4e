"""[pure] Template contexts: one frozen dataclass per page type, built from the frames.

Templates hold no logic: rows reach them as named tuples of plain values (str, int, float
or None — never NaN or pd.NA), sentences already composed from the label table, and
numbers formatted by the filters of ``filters.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd

from pipeline.period import Period
from pipeline.render import filters
from pipeline.render.labels import label, labels, month_name

CATEGORY_ORDER = ("new", "continuing", "completing", "preparatory")
LIGHT_ORDER = ("green", "yellow", "red", "grey")
PARTS = ("investment", "starts", "milestones", "reporting")
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"investment": 50, "starts": 20, "milestones": 20, "reporting": 10})
_ZH_NUMERALS = "一二三四五六七八九十"


class Section(NamedTuple):
    key: str        # the partial that renders it: templates/_<key>.html
    heading: str    # numbered: "一、总体情况" / "1. Overview"


class LightRow(NamedTuple):
    label: str
    projects: int
    green: int
    yellow: int
    red: int
    grey: int


class UnitRow(NamedTuple):
    rank: int
    unit: str
    group: str | None
    score: float | None
    investment: float | None   # parts are fractions 0–1, None when nothing to measure
    starts: float | None
    milestones: float | None
    reporting: float | None
    projects: int
    reported: int
    green: int
    yellow: int
    red: int
    grey: int


class ProjectRow(NamedTuple):
    rank: int | None
    project_id: str
    name: str
    category: str              # label in the page's language
    unit: str
    leader: str
    annual_plan: float | None  # 万元
    ytd_done: float | None
    completion_rate: float | None
    time_progress: float | None
    lag_pp: float | None
    light: str                 # code: green / yellow / red / grey (the CSS class)
    light_label: str           # the word printed in the cell: 绿 / 黄 / 红 / 未报
    light_reason: str          # label


class Headline(NamedTuple):
    projects: int
    total_investment: float    # 万元
    annual_plan: float
    ytd_done: float
    month_done: float
    completion_rate: float | None  # Σytd_done / Σannual_plan over projects with a plan
    time_progress: float | None    # Σ(annual_plan × T) / Σannual_plan over the same
    gap_pp: float | None           # (completion_rate − time_progress) × 100


@dataclass(frozen=True)
class BulletinContext:
    """Everything ``bulletin.html`` prints."""

    lang: str
    t: Mapping[str, str]            # labels in ``lang``: {{ t.col_unit }}
    period: str                     # "2026-11"
    title: str                      # masthead: 双牌县重点项目建设调度通报
    issue: str                      # 2026年第11期
    office: str
    date: str                       # issue date as printed
    sections: tuple[Section, ...]
    headline: Headline
    overview: tuple[str, ...]       # paragraphs of 总体情况
    light_rows: tuple[LightRow, ...]  # by category
    light_total: LightRow
    units_note: str
    unit_rows: tuple[UnitRow, ...]
    projects_note: str
    project_rows: tuple[ProjectRow, ...]


def _value(value: Any) -> float | None:
    """A float, or None for anything missing (NaN, pd.NA, None, text)."""
    if value is None or value is pd.NA or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    number = _value(value)
    return None if number is None else int(number)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats, NaN for missing; an absent column reads as all NaN."""
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def section_heading(number: int, title: str, lang: str) -> str:
    """"一、总体情况" in Chinese, "1. Overview" in English (numbers from 1 to 99)."""
    if lang == "zh":
        tens, ones = divmod(number, 10)
        numeral = ((_ZH_NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
                   + (_ZH_NUMERALS[ones - 1] if ones else ""))
    else:
        numeral = str(number)
    return label("section_number", lang).format(number=numeral) + title


def issue_date(day: dt.date, lang: str) -> str:
    """A date as printed under the masthead: 2026年11月30日 / 30 November 2026."""
    return label("date", lang).format(year=day.year, month=day.month, day=day.day,
                                      month_name=month_name(day.month))


def headline(projects: pd.DataFrame) -> Headline:
    """The county's totals: amounts in 万元, rates as fractions (None without a plan)."""
    plan = _numbers(projects, "annual_plan").fillna(0.0)
    done = _numbers(projects, "ytd_done").fillna(0.0)
    progress = _numbers(projects, "time_progress").fillna(0.0)
    planned = plan > 0
    plan_sum = float(plan[planned].sum())
    rate = time = gap = None
    if plan_sum > 0:
        done_share = float(done[planned].sum()) / plan_sum
        due_share = float((plan[planned] * progress[planned]).sum()) / plan_sum
        # rounded to 9 decimals like every comparison of the pipeline (SPEC 5.3)
        rate, time, gap = done_share, due_share, round((done_share - due_share) * 100, 9)
    return Headline(
        projects=len(projects),
        total_investment=float(_numbers(projects, "total_investment").fillna(0.0).sum()),
        annual_plan=float(plan.sum()),
        ytd_done=float(done.sum()),
        month_done=float(_numbers(projects, "month_done").fillna(0.0).sum()),
        completion_rate=rate, time_progress=time, gap_pp=gap,
    )


def _light_row(name: str, frame: pd.DataFrame) -> LightRow:
    counts = (frame["light"].value_counts() if "light" in frame.columns
              else pd.Series(dtype="int64"))
    return LightRow(name, len(frame), *(int(counts.get(light, 0)) for light in LIGHT_ORDER))


def light_rows(projects: pd.DataFrame, lang: str) -> tuple[tuple[LightRow, ...], LightRow]:
    """Light counts by category (every category, in the register's order) and in total."""
    rows = tuple(_light_row(label(code, lang), projects[projects["category"] == code])
                 for code in CATEGORY_ORDER)
    return rows, _light_row(label("col_total", lang), projects)


def unit_rows(units: pd.DataFrame) -> tuple[UnitRow, ...]:
    """Units by rank (within their group when peer groups are configured), then name."""
    if units.empty:
        return ()
    keys = (["group"] if "group" in units.columns else []) + ["rank", "unit"]
    ordered = units.assign(rank=_numbers(units, "rank")).sort_values(
        keys, kind="mergesort", na_position="last")
    out = []
    for record in ordered.to_dict("records"):
        out.append(UnitRow(
            rank=_int(record.get("rank")) or 0,
            unit=_text(record.get("unit")),
            group=_text(record.get("group")) or None,
            score=_value(record.get("score")),
            investment=_value(record.get("investment")),
            starts=_value(record.get("starts")),
            milestones=_value(record.get("milestones")),
            reporting=_value(record.get("reporting")),
            projects=_int(record.get("projects")) or 0,
            reported=_int(record.get("reported")) or 0,
            green=_int(record.get("green")) or 0,
            yellow=_int(record.get("yellow")) or 0,
            red=_int(record.get("red")) or 0,
            grey=_int(record.get("grey")) or 0,
        ))
    return tuple(out)


def project_rows(projects: pd.DataFrame, lang: str) -> tuple[ProjectRow, ...]:
    """Ranked projects by rank, then the unranked ones by category and id."""
    if projects.empty:
        return ()
    category_index = {code: i for i, code in enumerate(CATEGORY_ORDER)}
    ordered = projects.assign(
        _rank=_numbers(projects, "rank"),
        _category=projects["category"].map(category_index).fillna(len(CATEGORY_ORDER)),
        _id=projects["project_id"].astype(str),
    ).sort_values(["_rank", "_category", "_id"], kind="mergesort", na_position="last")
    out = []
    for record in ordered.to_dict("records"):
        light = _text(record.get("light")) or "grey"
        reason = _text(record.get("light_reason"))
        category = _text(record.get("category"))
        out.append(ProjectRow(
            rank=_int(record.get("_rank")),
            project_id=_text(record.get("project_id")),
            name=_text(record.get("name")),
            category=label(category, lang) if category in CATEGORY_ORDER else category,
            unit=_text(record.get("unit")),
            leader=_text(record.get("leader")),
            annual_plan=_value(record.get("annual_plan")),
            ytd_done=_value(record.get("ytd_done")),
            completion_rate=_value(record.get("completion_rate")),
            time_progress=_value(record.get("time_progress")),
            lag_pp=_value(record.get("lag_pp")),
            light=light,
            light_label=label(light, lang),
            light_reason=label(reason, lang) if reason else "",
        ))
    return tuple(out)


def overview(head: Headline, total: LightRow, finding_counts: Mapping[str, int],
             period: Period, county: str, lang: str) -> tuple[str, ...]:
    """The paragraphs of 总体情况: amounts in 亿元, rates against time progress."""
    months = (label("months_span_january", lang) if period.month == 1 else
              label("months_span", lang).format(month=period.month,
                                                month_name=month_name(period.month)))
    key = "overview_summary_county" if county else "overview_summary"
    first = label(key, lang).format(
        county=county, projects=head.projects, total=filters.yi(head.total_investment),
        plan=filters.yi(head.annual_plan), months=months, done=filters.yi(head.ytd_done),
        month_done=filters.yi(head.month_done))
    if head.gap_pp is not None:
        shown = filters.pp(abs(head.gap_pp))
        gap_key = ("even_pp" if shown == "0.0" else
                   "ahead_pp" if head.gap_pp > 0 else "behind_pp")
        first += label("sentence_gap", lang) + label("overview_rate", lang).format(
            rate=filters.pct(head.completion_rate), time=filters.pct(head.time_progress),
            gap=label(gap_key, lang).format(pp=shown))
    lights = label("overview_lights", lang).format(
        green=total.green, yellow=total.yellow, red=total.red, grey=total.grey)
    quality = label("overview_quality", lang).format(
        **{severity: int(finding_counts.get(severity, 0))
           for severity in ("error", "warning", "info")})
    return first, lights + label("sentence_gap", lang) + quality


def bulletin_context(*, projects: pd.DataFrame, units: pd.DataFrame,
                     finding_counts: dict[str, int], period: str, county: str, office: str,
                     lang: str, issued: dt.date | None = None,
                     weights: Mapping[str, float] | None = None) -> BulletinContext:
    """Build the county bulletin's context from the scored projects and units.

    ``issued`` is the date printed under the masthead (default: the period's last day, so
    the same inputs give the same report); ``weights`` the unit score weights of the
    config, named in the note under the unit table.
    """
    when = Period.parse(period)
    t = labels(lang)
    head = headline(projects)
    by_category, total = light_rows(projects, lang)
    titles = ("overview", "lights", "units", "projects")
    shown_weights = {part: filters.num((weights or DEFAULT_WEIGHTS).get(part, 0), 0)
                     for part in PARTS}
    return BulletinContext(
        lang=lang,
        t=t,
        period=str(when),
        title=(label("bulletin_title", lang).format(county=county) if county
               else label("bulletin_title_no_county", lang)),
        issue=label("issue", lang).format(year=when.year, month=when.month),
        office=office,
        date=issue_date(issued or when.end, lang),
        sections=tuple(Section(key, section_heading(i, t[f"sec_{key}"], lang))
                       for i, key in enumerate(titles, start=1)),
        headline=head,
        overview=overview(head, total, finding_counts, when, county, lang),
        light_rows=by_category,
        light_total=total,
        units_note=label("units_note", lang).format(**shown_weights),
        unit_rows=unit_rows(units),
        projects_note=label("projects_note", lang),
        project_rows=project_rows(projects, lang),
    )
