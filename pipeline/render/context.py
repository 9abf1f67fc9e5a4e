"""[pure] Template contexts: one frozen dataclass per page type, built from the frames.

Templates hold no logic: rows reach them as named tuples of plain values (str, int, float
or None — never NaN or pd.NA), sentences already composed from the label table, and
numbers formatted by the filters of ``filters.py``. This module builds the county bulletin;
``pages.py`` builds the unit feedback sheet, the leader's list and the index.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd

from pipeline.check import Row
from pipeline.findings import Finding
from pipeline.period import Period
from pipeline.render import filters
from pipeline.render.labels import label, label_or, labels, month_label, month_name
from pipeline.values import norm_id

CATEGORY_ORDER = ("new", "continuing", "completing", "preparatory")
LIGHT_ORDER = ("green", "yellow", "red", "grey")
PARTS = ("investment", "starts", "milestones", "reporting")
PROBLEM_ORDER = ("land", "approval", "funding", "planning", "environment", "other")
SEVERITIES = ("error", "warning", "info")
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"investment": 50, "starts": 20, "milestones": 20, "reporting": 10})
_ZH_NUMERALS = "一二三四五六七八九十"


class Section(NamedTuple):
    key: str        # the partial that renders it: templates/_<key>.html
    heading: str    # numbered: "一、总体情况" / "1. Overview"


class Annex(NamedTuple):
    key: str        # the partial that renders it: templates/_<key>.html
    number: str     # 附件1 / Annex 1
    title: str


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
    change: float | None = None            # score change since last month (points)
    completion_rate: float | None = None   # Σytd_done / Σannual_plan of its planned projects
    time_progress: float | None = None     # Σ(annual_plan × T) / Σannual_plan


class UnitGroup(NamedTuple):
    name: str | None     # the peer group; None when no groups are configured
    rows: tuple[UnitRow, ...]


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
    month_done: float | None = None
    escalation: str = ""       # label: 提醒 / 约谈 / 通报问责, or ""
    gap_pp: float | None = None  # (C − T) × 100: positive is ahead


class Headline(NamedTuple):
    projects: int
    total_investment: float    # 万元
    annual_plan: float
    ytd_done: float
    month_done: float
    completion_rate: float | None  # Σytd_done / Σannual_plan over projects with a plan
    time_progress: float | None    # Σ(annual_plan × T) / Σannual_plan over the same
    gap_pp: float | None           # (completion_rate − time_progress) × 100


class CategoryRow(NamedTuple):
    label: str
    projects: int
    annual_plan: float
    ytd_done: float
    completion_rate: float | None
    time_progress: float | None
    gap_pp: float | None


class ListRow(NamedTuple):
    number: int
    ident: str                 # project_id, or the unit's name
    name: str
    unit: str                  # the project's unit; "" for a unit row
    score: float | None        # a unit's score
    completion_rate: float | None
    time_progress: float | None
    reason: str                # labels joined
    escalation: str            # label, projects on the black list only
    group: str = ""            # a unit's peer group, when [groups] is configured


class ClaimRow(NamedTuple):
    project_id: str
    name: str
    unit: str
    text: str                  # the reason the unit gave
    approved: bool
    status: str


class AttractionRow(NamedTuple):
    scope: str
    signed: int
    performing: int
    started: int
    funds_in_place: float | None
    contract_amount: float | None
    performance_rate: float | None
    funds_rate: float | None
    start_rate: float | None
    county: bool


class ProblemRow(NamedTuple):
    number: int
    project_id: str
    name: str
    unit: str
    leader: str
    kind: str                  # label of the problem type
    text: str
    months: int


class ProblemGroup(NamedTuple):
    heading: str               # "（一）征地拆迁（2个）"
    rows: tuple[ProblemRow, ...]


class TrendPoint(NamedTuple):
    """The county in one month of the year: rates and light counts."""

    period: str
    completion_rate: float | None
    time_progress: float | None
    green: int
    yellow: int
    red: int
    grey: int


class TrendRow(NamedTuple):
    month: str                 # 11月 / Nov
    completion_rate: float | None
    time_progress: float | None
    green: int
    yellow: int
    red: int
    grey: int


class QualityRow(NamedTuple):
    unit: str
    files: int
    rows: int
    used: int
    duplicate: int
    rejected: int
    errors: int
    warnings: int
    infos: int
    not_reported: int


class CodeRow(NamedTuple):
    code: str
    label: str
    severity: str              # code, for the CSS class
    severity_label: str
    total: int


class Quality(NamedTuple):
    """The data-quality facts of a period, as ``quality_facts`` counts them."""

    files: int
    rows: Counter[str]                 # read / used / duplicate / rejected
    by_unit: tuple[QualityRow, ...]
    by_code: Counter[str]
    by_severity: Counter[str]


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
    annexes: tuple[Annex, ...] = ()
    figures: Mapping[str, str] = field(default_factory=dict)  # chart key -> caption
    trend_rows: tuple[TrendRow, ...] = ()
    category_paragraphs: tuple[str, ...] = ()
    category_rows: tuple[CategoryRow, ...] = ()
    category_total: CategoryRow | None = None
    sector_rows: tuple[LightRow, ...] = ()
    lights_rule: str = ""
    unit_groups: tuple[UnitGroup, ...] = ()
    units_summary: str = ""
    red_projects: tuple[ListRow, ...] = ()
    red_units: tuple[ListRow, ...] = ()
    black_projects: tuple[ListRow, ...] = ()
    black_units: tuple[ListRow, ...] = ()
    claims: tuple[ClaimRow, ...] = ()
    list_headings: Mapping[str, str] = field(default_factory=dict)  # red, black, claims
    lists_note: str = ""
    attraction_summary: str = ""
    attraction_rows: tuple[AttractionRow, ...] = ()
    problems_summary: str = ""
    problem_groups: tuple[ProblemGroup, ...] = ()
    next_steps: tuple[str, ...] = ()
    quality_summary: str = ""
    quality_rows: tuple[QualityRow, ...] = ()
    code_rows: tuple[CodeRow, ...] = ()


# --- plain values -------------------------------------------------------------------------

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


def _flags(frame: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column as bools; missing and absent read as False."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame[column].map(lambda v: bool(v) if not _missing(v) else False).astype(bool)


def numeral(number: int, lang: str) -> str:
    """一 … 九十九 in Chinese, 1 … 99 in English."""
    if lang != "zh":
        return str(number)
    tens, ones = divmod(number, 10)
    return ((_ZH_NUMERALS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
            + (_ZH_NUMERALS[ones - 1] if ones else ""))


def section_heading(number: int, title: str, lang: str) -> str:
    """"一、总体情况" in Chinese, "1. Overview" in English (numbers from 1 to 99)."""
    return label("section_number", lang).format(number=numeral(number, lang)) + title


def sub_heading(number: int, title: str, lang: str) -> str:
    """"（一）红榜" in Chinese, "(1) Red list" in English."""
    return label("sub_number", lang).format(number=numeral(number, lang)) + title


def issue_date(day: dt.date, lang: str) -> str:
    """A date as printed under the masthead: 2026年11月30日 / 30 November 2026."""
    return label("date", lang).format(year=day.year, month=day.month, day=day.day,
                                      month_name=month_name(day.month))


def names_joined(names: Iterable[str], lang: str) -> str:
    return label("name_join", lang).join(names)


def gap_words(gap_pp: float | None, lang: str) -> str:
    """超序时进度7.3个百分点 / 低于序时进度4.2个百分点 / 与序时进度持平."""
    if gap_pp is None:
        return filters.MISSING
    shown = filters.pp(abs(gap_pp))
    key = "even_pp" if shown == "0.0" else "ahead_pp" if gap_pp > 0 else "behind_pp"
    return label(key, lang).format(pp=shown)


# --- headline and overview ----------------------------------------------------------------

def _rates(frame: pd.DataFrame) -> tuple[float, float, float | None, float | None]:
    """(Σplan, Σdone, completion rate, time progress) over the projects with a plan."""
    plan = _numbers(frame, "annual_plan").fillna(0.0)
    done = _numbers(frame, "ytd_done").fillna(0.0)
    progress = _numbers(frame, "time_progress").fillna(0.0)
    planned = plan > 0
    plan_sum = float(plan[planned].sum())
    done_sum = float(done[planned].sum())
    if plan_sum <= 0:
        return plan_sum, done_sum, None, None
    return (plan_sum, done_sum, done_sum / plan_sum,
            float((plan[planned] * progress[planned]).sum()) / plan_sum)


def _gap(rate: float | None, time: float | None) -> float | None:
    # rounded to 9 decimals like every comparison of the pipeline (SPEC 5.3)
    return None if rate is None or time is None else round((rate - time) * 100, 9)


def headline(projects: pd.DataFrame) -> Headline:
    """The county's totals: amounts in 万元, rates as fractions (None without a plan)."""
    _, _, rate, time = _rates(projects)
    return Headline(
        projects=len(projects),
        total_investment=float(_numbers(projects, "total_investment").fillna(0.0).sum()),
        annual_plan=float(_numbers(projects, "annual_plan").fillna(0.0).sum()),
        ytd_done=float(_numbers(projects, "ytd_done").fillna(0.0).sum()),
        month_done=float(_numbers(projects, "month_done").fillna(0.0).sum()),
        completion_rate=rate, time_progress=time, gap_pp=_gap(rate, time),
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


def sector_rows(projects: pd.DataFrame, lang: str) -> tuple[LightRow, ...]:
    """Light counts by sector: most projects first, then by name; unspecified last."""
    if projects.empty:
        return ()
    sectors = (projects["sector"] if "sector" in projects.columns
               else pd.Series("", index=projects.index)).map(_text).str.strip()
    groups = [(name, projects[sectors == name]) for name in sorted(set(sectors))]
    groups.sort(key=lambda item: (item[0] == "", -len(item[1]), item[0]))
    return tuple(_light_row(name or label("sector_none", lang), frame) for name, frame in groups)


def unit_progress(projects: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """unit -> (completion rate, time progress) over its projects with a plan."""
    if projects.empty:
        return {}
    return {str(unit): _rates(group)[2:] for unit, group in projects.groupby("unit", sort=True)}


def unit_rows(units: pd.DataFrame, projects: pd.DataFrame | None = None,
              previous: Mapping[str, float | None] | None = None) -> tuple[UnitRow, ...]:
    """Units by rank (within their group when peer groups are configured), then name.

    ``previous`` maps a unit to last month's score, for the change column.
    """
    if units.empty:
        return ()
    progress = unit_progress(projects) if projects is not None else {}
    keys = (["group"] if "group" in units.columns else []) + ["rank", "unit"]
    ordered = units.assign(rank=_numbers(units, "rank")).sort_values(
        keys, kind="mergesort", na_position="last")
    out = []
    for record in ordered.to_dict("records"):
        unit = _text(record.get("unit"))
        score = _value(record.get("score"))
        before = _value((previous or {}).get(unit))
        rate, time = progress.get(unit, (None, None))
        out.append(UnitRow(
            rank=_int(record.get("rank")) or 0,
            unit=unit,
            group=_text(record.get("group")) or None,
            score=score,
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
            change=None if score is None or before is None else score - before,
            completion_rate=rate, time_progress=time,
        ))
    return tuple(out)


def unit_groups(rows: Sequence[UnitRow]) -> tuple[UnitGroup, ...]:
    """Rows apart by peer group (in order), or one group named None."""
    if not any(row.group for row in rows):
        return (UnitGroup(None, tuple(rows)),) if rows else ()
    names = list(dict.fromkeys(row.group for row in rows))
    return tuple(UnitGroup(name, tuple(r for r in rows if r.group == name)) for name in names)


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
        escalation = _text(record.get("escalation"))
        lag = _value(record.get("lag_pp"))
        plan = _value(record.get("annual_plan"))
        out.append(ProjectRow(
            rank=_int(record.get("_rank")),
            project_id=_text(record.get("project_id")),
            name=_text(record.get("name")),
            category=label(category, lang) if category in CATEGORY_ORDER else category,
            unit=_text(record.get("unit")),
            leader=_text(record.get("leader")),
            annual_plan=plan,
            ytd_done=_value(record.get("ytd_done")),
            completion_rate=_value(record.get("completion_rate")),
            # without an annual plan there is no schedule to keep (SPEC 5.3: no index)
            time_progress=_value(record.get("time_progress")) if plan else None,
            lag_pp=lag,
            light=light,
            light_label=label(light, lang),
            light_reason=label_or(reason, lang, reason) if reason else "",
            month_done=_value(record.get("month_done")),
            escalation=label_or(escalation, lang, escalation) if escalation else "",
            gap_pp=None if lag is None or _value(record.get("completion_rate")) is None
            else -lag,
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
        first += label("sentence_gap", lang) + label("overview_rate", lang).format(
            rate=filters.pct(head.completion_rate), time=filters.pct(head.time_progress),
            gap=gap_words(head.gap_pp, lang))
    lights = label("overview_lights", lang).format(
        green=total.green, yellow=total.yellow, red=total.red, grey=total.grey)
    quality = label("overview_quality", lang).format(
        **{severity: int(finding_counts.get(severity, 0)) for severity in SEVERITIES})
    return first, lights + label("sentence_gap", lang) + quality


# --- trend --------------------------------------------------------------------------------

def trend_rows(points: Sequence[TrendPoint], lang: str) -> tuple[TrendRow, ...]:
    return tuple(TrendRow(month_label(Period.parse(p.period).month, lang), p.completion_rate,
                          p.time_progress, p.green, p.yellow, p.red, p.grey) for p in points)


def trend_sentence(points: Sequence[TrendPoint], lang: str) -> str:
    """Change since the month before, when the history holds it."""
    if len(points) < 2:
        return ""
    last, before = points[-1], points[-2]
    if Period.parse(before.period).next != Period.parse(last.period):
        return ""
    if last.completion_rate is None or before.completion_rate is None:
        return ""
    change = (last.completion_rate - before.completion_rate) * 100
    red = last.red - before.red
    red_words = (label("red_more", lang).format(n=red) if red > 0 else
                 label("red_fewer", lang).format(n=-red) if red < 0 else label("red_same", lang))
    key = "trend_sentence" if round(change, 9) >= 0 else "trend_sentence_down"
    return label(key, lang).format(rate_change=filters.pp(abs(change)), red_change=red_words)


# --- section 2: by category ---------------------------------------------------------------

def category_rows(projects: pd.DataFrame, lang: str) -> tuple[tuple[CategoryRow, ...],
                                                              CategoryRow]:
    def row(name: str, frame: pd.DataFrame) -> CategoryRow:
        # the amount done is every project's (前期 ones without a plan too, as the narrative
        # and the annex have it); the rates are over the projects with a plan
        plan, _, rate, time = _rates(frame)
        done = float(_numbers(frame, "ytd_done").fillna(0.0).sum())
        return CategoryRow(name, len(frame), plan, done, rate, time, _gap(rate, time))

    rows = tuple(row(label(code, lang), projects[projects["category"] == code])
                 for code in CATEGORY_ORDER)
    return rows, row(label("col_total", lang), projects)


def _names(frame: pd.DataFrame) -> list[str]:
    return [_text(n) for n in frame.sort_values("project_id", kind="mergesort")["name"]]


def category_paragraphs(projects: pd.DataFrame, lang: str) -> tuple[str, ...]:
    """One paragraph a category: starts, investment, completions, milestones."""
    out = []
    for code in CATEGORY_ORDER:
        frame = projects[projects["category"] == code]
        if frame.empty:
            out.append(label("cat_none", lang).format(category=label(code, lang)))
            continue
        reasons = frame["light_reason"].map(_text) if "light_reason" in frame else None
        if code == "new":
            due = _flags(frame, "due_to_start")
            started = _flags(frame, "started")
            overdue = frame[reasons == "overdue_start"] if reasons is not None else frame.iloc[:0]
            rate = float((due & started).sum()) / float(due.sum()) if due.any() else None
            # a due project not reported may be overdue too: not said to be none
            unknown = int((due & ~started & (reasons == "not_reported")).sum()) \
                if reasons is not None else 0
            words = (label("cat_new_overdue", lang).format(names=names_joined(_names(overdue),
                                                                                 lang))
                     if len(overdue) else "" if unknown else label("cat_new_none_overdue", lang))
            if unknown:
                words += label("cat_new_unknown", lang).format(n=unknown)
            out.append(label("cat_new", lang).format(
                n=len(frame), due=int(due.sum()), started=int((due & started).sum()),
                rate=filters.pct(rate), overdue=words))
        elif code == "continuing":
            plan, done, rate, time = _rates(frame)
            out.append(label("cat_continuing", lang).format(
                n=len(frame), plan=filters.yi(plan), done=filters.yi(done),
                rate=filters.pct(rate), gap=gap_words(_gap(rate, time), lang)))
        elif code == "completing":
            overdue = (frame[reasons == "overdue_completion"] if reasons is not None
                       else frame.iloc[:0])
            words = (label("cat_completing_overdue", lang).format(
                names=names_joined(_names(overdue), lang)) if len(overdue)
                else label("cat_completing_none_overdue", lang))
            out.append(label("cat_completing", lang).format(
                n=len(frame), completed=int(_flags(frame, "completed").sum()), overdue=words))
        else:
            due_count = int(_numbers(frame, "milestones_due").fillna(0).sum())
            on_time = int(_numbers(frame, "milestones_on_time").fillna(0).sum())
            late = _numbers(frame, "milestones_overdue").fillna(0)
            names = _names(frame[late > 0])
            out.append(label("cat_preparatory", lang).format(
                n=len(frame), due=due_count, on_time=on_time, overdue=int(late.sum()),
                names=label("cat_preparatory_names", lang).format(
                    names=names_joined(names, lang)) if names else ""))
    return tuple(out)


# --- section 5: red and black lists -------------------------------------------------------

def _reason_words(reason: str, lang: str) -> str:
    return label("name_join", lang).join(label_or(code, lang, code)
                                          for code in reason.split(";") if code)


def list_rows(lists: pd.DataFrame, projects: pd.DataFrame, units: pd.DataFrame, lang: str,
              which: str, kind: str) -> tuple[ListRow, ...]:
    """The rows of one list (red|black, project|unit), in its rank order."""
    if lists.empty:
        return ()
    chosen = lists[(lists["list"] == which) & (lists["kind"] == kind)]
    # with peer groups a unit is listed and numbered within its group (lists.csv's rank)
    groups = (dict(zip(units["unit"], units["group"]))
              if kind == "unit" and not units.empty and "group" in units.columns else {})
    chosen = chosen.assign(_rank=_numbers(chosen, "rank"),
                           _group=[groups.get(i, "") for i in chosen["id"]]).sort_values(
        ["_group", "_rank", "id"], kind="mergesort")
    by_project = projects.set_index("project_id") if not projects.empty else None
    scores = dict(zip(units["unit"], units["score"])) if not units.empty else {}
    out = []
    for position, record in enumerate(chosen.to_dict("records"), start=1):
        number = int(record["_rank"]) if groups and pd.notna(record["_rank"]) else position
        ident = _text(record.get("id"))
        unit = rate = time = None
        escalation = ""
        if kind == "project" and by_project is not None and ident in by_project.index:
            project = by_project.loc[ident]
            unit = _text(project.get("unit"))
            rate, time = _value(project.get("completion_rate")), _value(project.get("time_progress"))
            code = _text(project.get("escalation"))
            escalation = label_or(code, lang, code) if which == "black" and code else ""
        out.append(ListRow(
            number=number, ident=ident, name=_text(record.get("name")), unit=unit or "",
            score=_value(scores.get(ident)) if kind == "unit" else None,
            completion_rate=rate, time_progress=time,
            reason=_reason_words(_text(record.get("reason")), lang), escalation=escalation,
            group=_text(record.get("_group"))))
    return tuple(out)


def claim_rows(projects: pd.DataFrame, approved: frozenset[str], lang: str
               ) -> tuple[ClaimRow, ...]:
    """Force-majeure claims of the period: approved ones and those awaiting a decision."""
    if projects.empty or "force_majeure" not in projects.columns:
        return ()
    out = []
    for record in projects.sort_values("project_id", kind="mergesort").to_dict("records"):
        text = _text(record.get("force_majeure")).strip()
        if not text:
            continue
        ok = norm_id(record.get("project_id")) in approved
        out.append(ClaimRow(_text(record.get("project_id")), _text(record.get("name")),
                            _text(record.get("unit")), text, ok,
                            label("fm_approved" if ok else "fm_pending", lang)))
    return tuple(out)


# --- section 6: attraction ----------------------------------------------------------------

def attraction_rows(attraction: pd.DataFrame, lang: str) -> tuple[AttractionRow, ...]:
    if attraction.empty:
        return ()
    out = []
    for record in attraction.to_dict("records"):
        scope = _text(record.get("scope"))
        county = scope == "county"
        out.append(AttractionRow(
            scope=label("county_scope", lang) if county else scope,
            signed=_int(record.get("signed")) or 0,
            performing=_int(record.get("performing")) or 0,
            started=_int(record.get("started")) or 0,
            funds_in_place=_value(record.get("funds_in_place")),
            contract_amount=_value(record.get("contract_amount")),
            performance_rate=_value(record.get("performance_rate")),
            funds_rate=_value(record.get("funds_rate")),
            start_rate=_value(record.get("start_rate")), county=county))
    out.sort(key=lambda row: not row.county)   # the county first, then units as given
    return tuple(out)


def attraction_summary(rows: Sequence[AttractionRow], lang: str) -> str:
    county = next((row for row in rows if row.county), None)
    if county is None or county.signed == 0:
        return label("attraction_none", lang)
    return label("attraction_summary", lang).format(
        signed=county.signed, contract=filters.yi(county.contract_amount),
        funds=filters.yi(county.funds_in_place), performance=filters.pct(county.performance_rate),
        funds_rate=filters.pct(county.funds_rate), start_rate=filters.pct(county.start_rate))


# --- section 7: problems ------------------------------------------------------------------

def problem_rows(coordination: pd.DataFrame, projects: pd.DataFrame, lang: str
                 ) -> tuple[ProblemRow, ...]:
    """Every open item: oldest first, then by leader and project (as the leader reads them)."""
    if coordination.empty:
        return ()
    names = dict(zip(projects["project_id"], projects["name"])) if not projects.empty else {}
    frame = coordination.assign(_months=_numbers(coordination, "months").fillna(1)).sort_values(
        ["_months", "leader", "project_id"], ascending=[False, True, True], kind="mergesort")
    out = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        kind = _text(record.get("problem_type")) or "other"
        pid = _text(record.get("project_id"))
        out.append(ProblemRow(
            number=number, project_id=pid, name=_text(names.get(pid, pid)),
            unit=_text(record.get("unit")), leader=_text(record.get("leader")),
            kind=label_or(kind, lang, kind), text=_text(record.get("text")),
            months=_int(record.get("months")) or 1))
    return tuple(out)


def problem_groups(coordination: pd.DataFrame, projects: pd.DataFrame, lang: str
                   ) -> tuple[ProblemGroup, ...]:
    """Open items grouped by problem type (SPEC order), each group oldest first."""
    rows = problem_rows(coordination, projects, lang)
    codes = [_text(c) or "other" for c in coordination["problem_type"]] if rows else []
    kinds = {label_or(code, lang, code): code for code in codes}
    order = [code for code in PROBLEM_ORDER if code in codes]
    order += sorted(set(codes) - set(order))
    out = []
    for number, code in enumerate(order, start=1):
        mine = [row for row in rows if kinds.get(row.kind) == code]
        mine = [row._replace(number=i) for i, row in enumerate(mine, start=1)]
        heading = label("problem_group", lang).format(type=label_or(code, lang, code),
                                                      count=len(mine))
        out.append(ProblemGroup(sub_heading(number, heading, lang), tuple(mine)))
    return tuple(out)


def problems_summary(coordination: pd.DataFrame, lang: str) -> str:
    if coordination.empty:
        return label("problems_none", lang)
    kinds = Counter(_text(c) or "other" for c in coordination["problem_type"])
    order = [c for c in PROBLEM_ORDER if c in kinds] + sorted(set(kinds) - set(PROBLEM_ORDER))
    by_type = label("name_join", lang).join(
        label("count_of", lang).format(name=label_or(c, lang, c), count=kinds[c]) for c in order)
    leaders = Counter(_text(name) for name in coordination["leader"])
    by_leader = label("name_join", lang).join(
        label("count_of_name", lang).format(name=name, count=count)
        for name, count in sorted(leaders.items(), key=lambda item: (-item[1], item[0])))
    return label("problems_summary", lang).format(count=len(coordination), by_type=by_type,
                                                  by_leader=by_leader)


# --- annex 2: data quality ----------------------------------------------------------------

def quality_summary(quality: Quality, lang: str) -> str:
    return label("quality_summary", lang).format(
        files=quality.files, rows=quality.rows["read"], used=quality.rows["used"],
        duplicate=quality.rows["duplicate"], rejected=quality.rows["rejected"],
        **{s: quality.by_severity[s] for s in SEVERITIES})


def code_rows(quality: Quality, severity_of: Mapping[str, str], lang: str
              ) -> tuple[CodeRow, ...]:
    """Finding counts by code: errors first, then warnings, notes; most frequent first."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    codes = sorted(quality.by_code, key=lambda c: (rank.get(severity_of.get(c, "info"), 3),
                                                   -quality.by_code[c], c))
    return tuple(CodeRow(code, label_or(f"code_{code}", lang, code),
                         severity_of.get(code, "info"),
                         label(severity_of.get(code, "info"), lang), quality.by_code[code])
                 for code in codes)


# --- the bulletin -------------------------------------------------------------------------

def lights_rule(lang: str, *, mode: str = "points", yellow_above_pp: float = 0.0,
                red_above_pp: float = 10.0, relative_red_below: float = 0.5) -> str:
    if mode == "relative":
        return label("lights_rule_relative", lang).format(
            share=filters.pct(1 - relative_red_below))
    key = "lights_rule" if round(yellow_above_pp, 9) == 0 else "lights_rule_offset"
    return label(key, lang).format(yellow=filters.num(yellow_above_pp, 1).removesuffix(".0"),
                                   red=filters.num(red_above_pp, 1).removesuffix(".0"))


def units_summary(rows: Sequence[UnitRow], lang: str) -> str:
    if len(rows) < 6 or any(row.group for row in rows):
        return label("units_summary_short", lang).format(count=len(rows))

    def named(chosen: Iterable[UnitRow]) -> str:
        return names_joined((label("score_points", lang).format(name=r.unit,
                                                                score=filters.num(r.score))
                             for r in chosen), lang)

    ordered = sorted(rows, key=lambda r: r.rank)
    return label("units_summary", lang).format(count=len(rows), top=named(ordered[:3]),
                                               bottom=named(ordered[-3:]))


def bulletin_context(*, projects: pd.DataFrame, units: pd.DataFrame,
                     finding_counts: dict[str, int], period: str, county: str, office: str,
                     lang: str, issued: dt.date | None = None,
                     weights: Mapping[str, float] | None = None,
                     lists: pd.DataFrame | None = None,
                     attraction: pd.DataFrame | None = None,
                     coordination: pd.DataFrame | None = None,
                     trend: Sequence[TrendPoint] = (),
                     previous_scores: Mapping[str, float | None] | None = None,
                     quality: Quality | None = None,
                     severity_of: Mapping[str, str] | None = None,
                     next_steps: str = "",
                     approved: frozenset[str] = frozenset(),
                     light_settings: Mapping[str, Any] | None = None,
                     list_settings: Mapping[str, Any] | None = None) -> BulletinContext:
    """Build the county bulletin's context from the scored projects and units.

    ``issued`` is the date printed under the masthead (default: the period's last day, so
    the same inputs give the same report); ``weights`` the unit score weights of the
    config, named in the note under the unit table. The other frames are those of
    ``followup.py`` (SPEC 6.2 columns); ``trend`` the county's months of this year,
    ``quality`` the counts of ``quality_facts``; ``next_steps`` the office's own text.
    """
    when = Period.parse(period)
    t = labels(lang)
    head = headline(projects)
    by_category, total = light_rows(projects, lang)
    lists = lists if lists is not None else pd.DataFrame(columns=["list", "kind", "id"])
    attraction = attraction if attraction is not None else pd.DataFrame()
    coordination = (coordination if coordination is not None
                    else pd.DataFrame(columns=["leader", "project_id", "problem_type"]))
    shown_weights = {part: filters.num((weights or DEFAULT_WEIGHTS).get(part, 0), 0)
                     for part in PARTS}
    sizes = {"red_projects": 10, "red_units": 3, "red_unit_min_score": 90, "black_units": 3,
             "black_unit_below_score": 60, **(list_settings or {})}
    keys = ("overview", "categories", "lights", "units", "lists", "attraction", "problems",
            "next_steps")
    rows = unit_rows(units, projects, previous_scores)
    trend_list = list(trend)
    first, second = overview(head, total, finding_counts, when, county, lang)
    change = trend_sentence(trend_list, lang)
    figures: dict[str, str] = {}
    captions = (("trend", "trend_caption", len(trend_list) >= 2),
                ("categories", "categories_caption", not projects.empty),
                ("lights", "lights_caption", not projects.empty),
                ("units", "units_caption", bool(rows)))
    for key, caption, shown in captions:
        if shown:
            figures[key] = label(caption, lang).format(number=len(figures) + 1)
    categories, category_total = category_rows(projects, lang)
    attraction_list = attraction_rows(attraction, lang)
    steps = tuple(line.strip() for line in next_steps.splitlines() if line.strip())
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
                       for i, key in enumerate(keys, start=1)),
        headline=head,
        overview=(first, second + (label("sentence_gap", lang) + change if change else "")),
        light_rows=by_category,
        light_total=total,
        units_note=label("units_note", lang).format(**shown_weights),
        unit_rows=rows,
        projects_note=label("projects_note", lang),
        project_rows=project_rows(projects, lang),
        annexes=tuple(Annex(key, label("annex_heading", lang).format(number=i), t[key])
                      for i, key in enumerate(("annex_projects", "annex_quality"), start=1)),
        figures=MappingProxyType(figures),
        trend_rows=trend_rows(trend_list, lang),
        category_paragraphs=category_paragraphs(projects, lang),
        category_rows=categories,
        category_total=category_total,
        sector_rows=sector_rows(projects, lang),
        lights_rule=lights_rule(lang, **(light_settings or {})),
        unit_groups=unit_groups(rows),
        units_summary=units_summary(rows, lang),
        red_projects=list_rows(lists, projects, units, lang, "red", "project"),
        red_units=list_rows(lists, projects, units, lang, "red", "unit"),
        black_projects=list_rows(lists, projects, units, lang, "black", "project"),
        black_units=list_rows(lists, projects, units, lang, "black", "unit"),
        claims=claim_rows(projects, approved, lang),
        list_headings=MappingProxyType({
            key: sub_heading(i, t[word], lang) for i, (key, word) in enumerate(
                (("red", "red_list"), ("black", "black_list"), ("claims", "force_majeure")),
                start=1)}),
        lists_note=label("lists_rule", lang).format(
            red_projects=sizes["red_projects"], red_units=sizes["red_units"],
            min_score=filters.num(sizes["red_unit_min_score"], 0),
            black_units=sizes["black_units"],
            below=filters.num(sizes["black_unit_below_score"], 0)),
        attraction_summary=attraction_summary(attraction_list, lang),
        attraction_rows=attraction_list,
        problems_summary=problems_summary(coordination, lang),
        problem_groups=problem_groups(coordination, projects, lang),
        next_steps=steps or (label("next_steps_missing", lang),),
        quality_summary=quality_summary(quality, lang) if quality else "",
        quality_rows=tuple(row._replace(unit=row.unit or t["unit_unknown"])
                           for row in quality.by_unit) if quality else (),
        code_rows=code_rows(quality, severity_of or {}, lang) if quality else (),
    )


# --- facts gathered from the run ------------------------------------------------------------

def county_trend(*, completion: pd.DataFrame, lights: Mapping[str, Mapping[str, str]],
                 projects: pd.DataFrame, time_progress: Callable[[str, int], float | None],
                 period: Period) -> tuple[TrendPoint, ...]:
    """The county's completion rate, time progress and light counts in each month of the
    period's year held, this one last.

    ``completion`` is ``followup.trends``' project frame (period, project_id,
    completion_rate); ``lights`` period -> project_id -> light; ``time_progress`` gives a
    project's T for a month. Rates are weighted by this year's annual plans, so a month's
    completion rate is Σytd_done / Σannual_plan as in the headline.
    """
    plans = dict(zip(projects["project_id"], _numbers(projects, "annual_plan").fillna(0.0)))
    planned = {pid for pid, plan in plans.items() if plan > 0}
    total = sum(plans[pid] for pid in planned)
    out = []
    months = sorted({p for p in completion["period"]} | set(lights))
    for month in months:
        when = Period.parse(month)
        if when.year != period.year or when > period:
            continue
        rows = completion[completion["period"] == month]
        rates = dict(zip(rows["project_id"], _numbers(rows, "completion_rate")))
        rate = time = None
        if total > 0:
            done = sum(plans[pid] * rates[pid] for pid in planned
                       if pid in rates and not math.isnan(rates[pid]))
            due = 0.0
            for pid in planned:
                share = time_progress(pid, when.month)
                due += plans[pid] * (share or 0.0)
            rate, time = done / total, due / total
        counts = Counter(lights.get(month, {}).values())
        out.append(TrendPoint(month, rate, time, *(counts[light] for light in LIGHT_ORDER)))
    return tuple(out)


def quality_facts(*, rows: Sequence[Row], file_units: Mapping[str, str | None],
                  findings: Sequence[Finding], files: Sequence[str], units: Sequence[str],
                  not_reported: Mapping[str, int]) -> Quality:
    """Files, rows and findings counted per unit (files of no known unit apart)."""
    per_unit: dict[str, Counter[str]] = {unit: Counter() for unit in units}
    unknown = ""

    def bucket(unit: str | None) -> Counter[str]:
        return per_unit.setdefault(unit or unknown, Counter())

    for name in files:
        bucket(file_units.get(name))["files"] += 1
    for row in rows:
        counts = bucket(file_units.get(row.raw.file))
        counts["rows"] += 1
        counts[row.disposition] += 1
    for f in findings:
        unit = f.unit or (file_units.get(f.ref.file) if f.ref is not None else None)
        bucket(unit)[str(f.severity)] += 1
    out = []
    for unit in sorted(per_unit, key=lambda u: (u == unknown, u)):
        c = per_unit[unit]
        if unit == unknown and not any(c.values()):
            continue
        out.append(QualityRow(unit, c["files"], c["rows"], c["used"], c["duplicate"],
                              c["rejected"], c["error"], c["warning"], c["info"],
                              int(not_reported.get(unit, 0))))
    dispositions = Counter(row.disposition for row in rows)
    dispositions["read"] = len(rows)
    return Quality(files=len(files), rows=dispositions, by_unit=tuple(out),
                   by_code=Counter(f.code for f in findings),
                   by_severity=Counter(str(f.severity) for f in findings))
