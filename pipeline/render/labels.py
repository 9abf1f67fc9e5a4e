"""Every word the reports print, in Chinese and English: one table, not copies of templates.

Entries with ``{placeholders}`` are sentence patterns filled by the context builders, so
word order can differ between languages without logic in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # --- lights (SPEC 1: grey = not reported) -------------------------------------------
    "green": {"zh": "绿", "en": "green"},
    "yellow": {"zh": "黄", "en": "yellow"},
    "red": {"zh": "红", "en": "red"},
    "grey": {"zh": "未报", "en": "not reported"},
    # --- categories ---------------------------------------------------------------------
    "new": {"zh": "新开工", "en": "new"},
    "continuing": {"zh": "续建", "en": "continuing"},
    "completing": {"zh": "竣工投产", "en": "completing"},
    "preparatory": {"zh": "前期", "en": "preparatory"},
    # --- light reasons (SPEC 5.3, 6.2) --------------------------------------------------
    "on_schedule": {"zh": "序时推进", "en": "on schedule"},
    "lag": {"zh": "滞后", "en": "behind schedule"},
    "overdue_start": {"zh": "逾期未开工", "en": "start overdue"},
    "overdue_completion": {"zh": "逾期未竣工", "en": "completion overdue"},
    "milestones_on_time": {"zh": "节点按时", "en": "milestones on time"},
    "milestone_overdue": {"zh": "节点逾期", "en": "milestone overdue"},
    "milestone_overdue_30d": {"zh": "节点逾期超30天", "en": "milestone overdue > 30 days"},
    "not_reported": {"zh": "未报送", "en": "not reported"},
    "unusable_value": {"zh": "数据不可用", "en": "unusable value"},
    # --- page ---------------------------------------------------------------------------
    "html_lang": {"zh": "zh-CN", "en": "en"},
    # --- masthead -----------------------------------------------------------------------
    "bulletin_title": {"zh": "{county}重点项目建设调度通报",
                       "en": "{county} Key Construction Projects Bulletin"},
    "bulletin_title_no_county": {"zh": "重点项目建设调度通报",
                                 "en": "Key Construction Projects Bulletin"},
    "issue": {"zh": "{year}年第{month}期", "en": "Issue {month}, {year}"},
    "date": {"zh": "{year}年{month}月{day}日", "en": "{day} {month_name} {year}"},
    # --- section headings ---------------------------------------------------------------
    "section_number": {"zh": "{number}、", "en": "{number}. "},
    "sec_overview": {"zh": "总体情况", "en": "Overview"},
    "sec_lights": {"zh": "亮灯情况", "en": "Lights"},
    "sec_units": {"zh": "责任单位排名", "en": "Ranking of responsible units"},
    "sec_projects": {"zh": "项目进度排名", "en": "Ranking of projects by progress"},
    # --- narrative ----------------------------------------------------------------------
    "overview_summary": {
        "zh": "全县纳入调度的重点项目{projects}个，总投资{total}亿元，年度计划投资{plan}亿元。"
              "{months}累计完成投资{done}亿元，其中本月完成{month_done}亿元。",
        "en": "The county schedules {projects} key projects with a total investment of "
              "{total} hundred million yuan and an annual plan of {plan} hundred million yuan. "
              "{months}, {done} hundred million yuan were invested, {month_done} of them "
              "this month.",
    },
    "overview_summary_county": {
        "zh": "{county}纳入调度的重点项目{projects}个，总投资{total}亿元，年度计划投资{plan}亿元。"
              "{months}累计完成投资{done}亿元，其中本月完成{month_done}亿元。",
        "en": "{county} schedules {projects} key projects with a total investment of "
              "{total} hundred million yuan and an annual plan of {plan} hundred million yuan. "
              "{months}, {done} hundred million yuan were invested, {month_done} of them "
              "this month.",
    },
    "months_span": {"zh": "1—{month}月", "en": "From January to {month_name}"},
    "months_span_january": {"zh": "1月", "en": "In January"},
    "overview_rate": {
        "zh": "年度计划完成率{rate}，序时进度{time}，{gap}。",
        "en": "That is {rate} of the annual plan against a time progress of {time}: {gap}.",
    },
    "ahead_pp": {"zh": "超序时进度{pp}个百分点", "en": "{pp} percentage points ahead of schedule"},
    "behind_pp": {"zh": "低于序时进度{pp}个百分点",
                  "en": "{pp} percentage points behind schedule"},
    "even_pp": {"zh": "与序时进度持平", "en": "level with the schedule"},
    "sentence_gap": {"zh": "", "en": " "},
    "overview_lights": {
        "zh": "亮绿灯{green}个、黄灯{yellow}个、红灯{red}个，未报送{grey}个。",
        "en": "Lights: {green} green, {yellow} yellow, {red} red, {grey} not reported.",
    },
    "overview_quality": {
        "zh": "本期数据核查发现错误{error}条、警告{warning}条、提示{info}条。",
        "en": "Data checks found {error} errors, {warning} warnings and {info} notes.",
    },
    # --- table headings -----------------------------------------------------------------
    "col_rank": {"zh": "排名", "en": "Rank"},
    "col_unit": {"zh": "责任单位", "en": "Unit"},
    "col_name": {"zh": "项目名称", "en": "Project"},
    "col_project_id": {"zh": "项目编号", "en": "ID"},
    "col_category": {"zh": "类别", "en": "Category"},
    "col_leader": {"zh": "联系领导", "en": "Leader"},
    "col_projects": {"zh": "项目数", "en": "Projects"},
    "col_score": {"zh": "得分", "en": "Score"},
    "col_parts": {"zh": "分项完成比例", "en": "Parts achieved"},
    "col_investment": {"zh": "投资", "en": "Investment"},
    "col_starts": {"zh": "开工", "en": "Starts"},
    "col_milestones": {"zh": "节点", "en": "Milestones"},
    "col_reporting": {"zh": "报送", "en": "Reporting"},
    "col_annual_plan": {"zh": "年度计划", "en": "Annual plan"},
    "col_ytd_done": {"zh": "累计完成", "en": "Done this year"},
    "col_completion_rate": {"zh": "完成率", "en": "% of plan"},
    "col_time_progress": {"zh": "序时进度", "en": "Time progress"},
    "col_lag_pp": {"zh": "滞后（百分点）", "en": "Lag (pp)"},
    "col_light": {"zh": "亮灯", "en": "Light"},
    "col_light_reason": {"zh": "原因", "en": "Reason"},
    "col_total": {"zh": "合计", "en": "Total"},
    "amount_unit_wan": {"zh": "金额单位：万元", "en": "Amounts in 10,000 yuan"},
    "units_note": {
        "zh": "注：得分满分100分：投资完成{investment}分、开工{starts}分、节点{milestones}分、"
              "报送{reporting}分；无可考核内容的项不计，其余按比例折算。各项为完成比例。",
        "en": "Note: score out of 100: investment {investment}, starts {starts}, milestones "
              "{milestones}, reporting {reporting}; a part with nothing to measure drops out "
              "and the others are scaled up. Parts are shown as shares achieved.",
    },
    "projects_note": {
        "zh": "注：未排名项目（年度计划投资为0、未报送或数据不可用）列于表末。",
        "en": "Note: unranked projects (no annual plan, not reported or unusable value) are "
              "listed last.",
    },
    "lights_unit": {"zh": "单位：个", "en": "Number of projects"},
    "no_rows": {"zh": "（无）", "en": "(none)"},
}

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")


def label(key: str, lang: str) -> str:
    """Return the label for ``key`` in ``lang`` ("zh" or "en")."""
    _check_lang(lang)
    try:
        return LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no label {key!r}: add it to pipeline/render/labels.py") from None


def labels(lang: str) -> Mapping[str, str]:
    """All labels in ``lang``, read-only, for templates (``t.col_unit``)."""
    _check_lang(lang)
    return MappingProxyType({key: entry[lang] for key, entry in LABELS.items()})


def month_name(month: int) -> str:
    """English month name (1 = January)."""
    return _MONTHS_EN[month - 1]
