"""Canonical column names, header aliases and code tables (SPEC 1, 3, 4): data, not code.

Header matching (see ``headers.py``) compares a header cell, once spaces, line breaks and a
bracketed unit are removed and letters are lower-cased, with these aliases as a whole —
never a part of a longer header.
"""

from __future__ import annotations

# --- canonical names -------------------------------------------------------------------
PROJECT_ID = "project_id"
NAME = "name"
CATEGORY = "category"
SECTOR = "sector"
UNIT = "unit"
LEADER = "leader"
TOTAL_INVESTMENT = "total_investment"
ANNUAL_PLAN = "annual_plan"
PLANNED_START = "planned_start"
PLANNED_COMPLETION = "planned_completion"
ATTRACTION = "attraction"
CONTRACT_AMOUNT = "contract_amount"
PLAN_MONTHS = tuple(f"plan_{m}" for m in range(1, 13))

MONTH_DONE = "month_done"
YTD_DONE = "ytd_done"
STARTED = "started"
ACTUAL_START = "actual_start"
COMPLETED = "completed"
PHYSICAL_PROGRESS = "physical_progress"
PROBLEM = "problem"
PROBLEM_TYPE = "problem_type"
COORDINATION = "coordination"
FUNDS_IN_PLACE = "funds_in_place"
PERFORMING = "performing"
MILESTONE = "milestone"
MILESTONE_DONE = "milestone_done"
FORCE_MAJEURE = "force_majeure"

MILESTONE_PLANNED = "planned_date"

# --- aliases (canonical -> accepted headers; the canonical name itself is accepted too) ---
REGISTER_ALIASES: dict[str, tuple[str, ...]] = {
    PROJECT_ID: ("项目编号", "编号"),
    NAME: ("项目名称",),
    CATEGORY: ("项目类别", "类别"),
    SECTOR: ("行业领域", "领域"),
    UNIT: ("责任单位",),
    LEADER: ("联系领导", "县级联系领导"),
    TOTAL_INVESTMENT: ("总投资",),
    ANNUAL_PLAN: ("年度计划投资", "年度投资计划", "本年计划投资", "本年度计划投资", "年度计划"),
    PLANNED_START: ("计划开工时间",),
    PLANNED_COMPLETION: ("计划竣工时间",),
    ATTRACTION: ("招商引资", "是否招商引资项目"),
    CONTRACT_AMOUNT: ("合同引资额",),
    # 1月 … 12月 (planned cumulative), as registers head them: 1月份, 01月, 1月末, 截至1月底,
    # 1-3月, 1-3月计划, 3月计划累计 (a year before them, 2026年3月, is taken off: headers.py)
    **{f"plan_{m}": (f"{m}月", f"{m}月份", f"{m:02d}月", f"{m}月末", f"{m}月底", f"截至{m}月底",
                     f"截至{m}月末", f"截止{m}月底", f"截止{m}月末", f"{m}月计划", f"{m}月计划累计",
                     f"{m}月累计计划", f"1-{m}月", f"1-{m}月计划", f"1-{m}月计划累计",
                     f"1-{m}月累计计划")
       for m in range(1, 13)},
}
REGISTER_REQUIRED = (PROJECT_ID, NAME, CATEGORY, UNIT, LEADER, TOTAL_INVESTMENT, ANNUAL_PLAN)

SUBMISSION_ALIASES: dict[str, tuple[str, ...]] = {
    PROJECT_ID: ("项目编号", "编号"),
    NAME: ("项目名称",),
    UNIT: ("责任单位",),
    MONTH_DONE: ("本月完成投资", "当月完成投资", "本月完成"),
    YTD_DONE: ("年度累计完成投资", "今年累计", "今年累计完成投资", "本年累计完成投资",
               "本年度累计完成投资"),
    STARTED: ("是否开工",),
    ACTUAL_START: ("实际开工时间",),
    COMPLETED: ("是否竣工",),
    PHYSICAL_PROGRESS: ("形象进度", "工程进展"),
    PROBLEM: ("存在问题", "存在的问题及困难"),
    PROBLEM_TYPE: ("问题类型",),
    COORDINATION: ("需协调事项", "需县级协调解决的问题"),
    FUNDS_IN_PLACE: ("到位资金", "累计到位资金"),
    PERFORMING: ("是否履约",),
    MILESTONE: ("完成节点",),
    MILESTONE_DONE: ("完成时间",),
    FORCE_MAJEURE: ("不可抗力", "不可抗力说明"),
}
# "1-N月累计完成投资" (N = 1…12) is a ytd_done alias too; any dash form is accepted, and
# the year before it (2026年1-11月累计完成投资), 1-N月完成投资 without 累计, and 1-N月累计完成
# without 投资 (under a parent 投资完成情况, as 本月完成 is month_done there).
# 1-11月, 1月-11月, 01-11月: from January through month N (N captured)
MONTHS_THROUGH = r"0?1月?[-‐‑–—~～至到](0?[1-9]|1[0-2])月(?:份)?"
YTD_PATTERN = ("^" + MONTHS_THROUGH +
               r"(?:累计完成|(?:累计)?完成投资)$")

MILESTONE_ALIASES: dict[str, tuple[str, ...]] = {
    PROJECT_ID: ("项目编号", "编号"),
    MILESTONE: ("节点名称", "节点", "时间节点"),
    MILESTONE_PLANNED: ("计划完成时间",),
}

CONTACT_ROLES: dict[str, tuple[str, ...]] = {
    "unit": ("责任单位",),
    "leader": ("联系领导", "县级联系领导"),
    "leadership": ("县领导", "主要领导"),
}
CONTACT_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("联系对象", "姓名", "名称"),
    "role": ("角色",),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "phone": ("电话", "联系电话", "手机"),
    **CONTACT_ROLES,
}

# Columns whose cells are amounts in 万元 (converted when the header says 元).
AMOUNT_COLUMNS = frozenset(
    {TOTAL_INVESTMENT, ANNUAL_PLAN, CONTRACT_AMOUNT, MONTH_DONE, YTD_DONE, FUNDS_IN_PLACE,
     *PLAN_MONTHS}
)
DATE_COLUMNS = frozenset({PLANNED_START, PLANNED_COMPLETION, ACTUAL_START, MILESTONE_DONE,
                          MILESTONE_PLANNED})
FLAG_COLUMNS = frozenset({STARTED, COMPLETED, PERFORMING, ATTRACTION})
# Submission fields compared to tell an exact duplicate row from a conflicting one.
COMPARED_FIELDS = (MONTH_DONE, YTD_DONE, STARTED, ACTUAL_START, COMPLETED, PHYSICAL_PROGRESS,
                   PROBLEM, PROBLEM_TYPE, COORDINATION, FUNDS_IN_PLACE, PERFORMING, MILESTONE,
                   FORCE_MAJEURE)

# --- codes ---------------------------------------------------------------------------
CATEGORIES: dict[str, str] = {  # zh -> code
    "新开工": "new",
    "续建": "continuing",
    "竣工投产": "completing",
    "前期": "preparatory",
}
CATEGORY_ZH = {v: k for k, v in CATEGORIES.items()}
CATEGORY_EXTRA = {"新建": "new", "竣工": "completing", "投产": "completing", "预备": "preparatory",
                  "前期项目": "preparatory", "续建项目": "continuing", "新开工项目": "new",
                  "竣工投产项目": "completing", "续建类": "continuing", "新开工类": "new",
                  "竣工投产类": "completing", "前期类": "preparatory", "前期工作": "preparatory",
                  "前期工作类": "preparatory", "新建类": "new", "新建项目": "new",
                  "续建类项目": "continuing", "新开工类项目": "new",
                  "竣工投产类项目": "completing", "前期类项目": "preparatory"}

PROBLEM_TYPES: dict[str, str] = {  # zh -> code
    "征地拆迁": "land",
    "用地审批": "approval",
    "资金筹措": "funding",
    "规划许可": "planning",
    "环评": "environment",
    "其他": "other",
}
PROBLEM_TYPE_ZH = {v: k for k, v in PROBLEM_TYPES.items()}
# words a 问题类型 written short or in other words names its type by (征地, 资金, 环境影响评价)
PROBLEM_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "land": ("征地", "拆迁", "征收"),
    "approval": ("用地", "审批", "报批"),
    "funding": ("资金", "融资", "筹资"),
    "planning": ("规划",),
    "environment": ("环评", "环境影响", "环保"),
}

# yes/no words of any flag column; a column's own words are in FLAG_WORDS
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "已", "有", "t"})
_NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "未", "无", "没有", "f"})
# (yes, no) words of each flag column (a word may answer one question yes and another no:
# 已开工 is started, and not completed)
FLAG_WORDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    STARTED: (_YES | {"已开工", "开工", "已动工", "动工", "已开建", "在建", "开工建设",
                      "已开工建设", "施工中", "正在施工", "已进场", "已竣工", "竣工", "已完工",
                      "完工", "已投产", "已建成"},
              _NO | {"未开工", "未动工", "未开建", "尚未开工", "未进场"}),
    COMPLETED: (_YES | {"已竣工", "竣工", "已完工", "完工", "已投产", "投产", "已建成", "建成",
                        "竣工投产", "已竣工投产", "已竣工验收", "已交付使用"},
                _NO | {"未竣工", "未完工", "尚未竣工", "未投产", "未建成", "在建", "施工中",
                       "正在施工", "已开工", "开工", "已开工建设"}),
    PERFORMING: (_YES | {"已履约", "履约", "正常履约", "按约履行", "履约中"},
                 _NO | {"未履约", "违约", "未按约履行"}),
    ATTRACTION: (_YES | {"招商引资", "招商引资项目"}, _NO | {"非招商引资", "非招商引资项目"}),
}
# the words of a flag whose column is not known: each column's own words for yes and no
YES_WORDS = _YES | {"已开工", "已竣工", "已履约", "开工", "竣工", "履约"}
NO_WORDS = _NO | {"未开工", "未竣工", "未履约"}
EMPTY_WORDS = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无", "没有", "无数据", "无问题",
                         "n/a", "na", "none", "null"})

TOTAL_WORDS = ("合计", "总计", "小计", "累计合计", "共计")
NOTE_PREFIXES = ("注", "说明", "备注", "填报人", "审核人", "负责人", "联系人", "联系电话",
                 "填报日期", "填报单位", "填表人", "制表", "单位负责人", "分管领导",
                 "填表说明", "审核", "复核", "填表", "统计", "经办")

# --- output column orders (SPEC 6.2) ---------------------------------------------------
PROJECTS_CSV = ("project_id", "name", "category", "unit", "leader", "annual_plan", "ytd_done",
                "month_done", "time_progress", "completion_rate", "progress_index", "lag_pp",
                "light", "light_reason", "rank", "category_rank", "escalation", "reported")
UNITS_CSV = ("unit", "score", "rank", "investment", "starts", "milestones", "reporting",
             "projects", "reported", "red", "yellow", "green", "grey")
FINDINGS_CSV = ("severity", "code", "file", "sheet", "cell", "row", "project_id", "unit",
                "message")
ROWS_CSV = ("file", "sheet", "row", "project_id", "disposition", "finding_code")

LIGHTS = ("green", "yellow", "red", "grey")
LIGHT_ZH = {"green": "绿", "yellow": "黄", "red": "红", "grey": "未报"}
