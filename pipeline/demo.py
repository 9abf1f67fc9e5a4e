"""A realistic demo workspace: config, register and two months of unit sheets.

`write_demo(dest)` writes the workspace of an invented county office (双牌县, 47 key
projects, 10 responsible units, 6 liaison leaders) for the periods 2026-10 and 2026-11:

    keyproj.toml
    input/register.xlsx            sheets projects, milestones, contacts
    input/2026-10/*.xlsx           one workbook per unit
    input/2026-11/*.xlsx, *.csv    one per unit; 江村镇 sends a GB18030 CSV, 县水利局
                                   sends a corrected second file

The unit sheets are as messy as SPEC section 4 allows, varied so that every tolerance
appears somewhere: title, 填报单位 and 填报日期 lines (no 填报单位 line in 交通局11月.xlsx,
泷泊镇-10月.xlsx, 泷泊镇.xlsx: their unit comes from the file name); two-row merged headers
(县交通运输局, 县水利局); varying column order, 序号, 合计/总计 rows (on top in 住建局),
blank rows, section rows (一、续建项目 / （一）续建项目); amounts as numbers, as text
with thousands separators, in full-width digits, with a trailing 万元, and in 元
(县农业农村局); dates as Excel dates, 2026-03-15, 2026/3/15, 2026年3月15日, 2026年3月,
2026.3; flags as 是/否, Y/N, √/×, 已开工/未开工; a 填表说明 sheet (first in 县文化旅游
广电体育局), a hidden sheet (县水利局); look-alike and alias headers (截至上月底累计完成投资,
1-N月累计完成投资, 今年累计, 工程进展, 存在的问题及困难, 需县级协调解决的问题, 累计到位资金,
不可抗力说明). No formulas: openpyxl cannot store their cached values.

November ytd = October ytd + November month_done in every row the list below leaves
alone. Figures are drawn from `random.Random(seed)`; project ids, file names, layouts
and the cells below do not depend on the seed. The history checks (ytd_mismatch,
ytd_decreased) need October in the history: run 2026-10 before 2026-11.

Deliberate mistakes (file, sheet!cell, project: what → expected findings):

2026-10
- 住建局10月进度.xlsx, Sheet1!H7, SP2026-027: 实际开工时间 "2026-04-31" → bad_date
- 江村镇人民政府10月份重点项目调度表.xlsx, 进度表!E5, SP2026-037: 年度累计完成投资 left
  empty → missing_value

2026-11
- 县文化旅游广电体育局-11月进度.xlsx, SP2026-017: no row → not_reported
- 住建局11月进度.xlsx, Sheet1!B6 empty, A6 the exact register name plus a trailing space,
  SP2026-013 → matched by exact name, no finding
- 工业园管委会2026年11月重点项目进度.xlsx, 11月!C5 empty, B5 “双牌县工业园区基础设施配套
  （道路管网）工程” (区 added; fuzz.ratio 97.6, next best 62.9), SP2026-019 → matched_by_name
- 五里牌镇11月.xlsx, 进度表!B6 “五里牌镇中心小学风雨操场建设项目”, no id, not in the
  register → unknown_project
- 住建局11月进度.xlsx, Sheet1!F10, SP2026-002: ytd typed with a letter O (“4,73O.3”) →
  bad_number; the project is grey (unusable_value)
- 农业农村局11月.xlsx, 进度表!E5, SP2026-007: 本月完成投资 −350000 元 (an audit deduction),
  F5 lowered to match → negative_amount, ytd_decreased
- 交通局11月.xlsx, 进度表!J11, SP2026-026: 实际开工时间 in December → future_date
- 五里牌镇11月.xlsx, 进度表!F7, SP2026-047: ytd 1200 (a planned figure) > 总投资 1000 →
  ytd_exceeds_total, ytd_mismatch
- 泷泊镇.xlsx, 进度表!B6, SP2026-012 of 县住房和城乡建设局 with the town's lower figures →
  unit_mismatch, conflicting_rows (住建局's row kept), ytd_mismatch
- 县水利局-11月进度.xlsx, 进度表!D7:E7, SP2026-015: both 150 too high; 县水利局-11月进度
  （更正）.xlsx has a later 填报日期 and the right figures → conflicting_rows on the first
  file's row; the unit's other five rows are equal in both files → duplicate_row
- 县卫生健康局-11月进度.xlsx, 进度表 rows 4 and 5, SP2026-018: the same row twice →
  duplicate_row
- 交通局11月.xlsx, 进度表!H6, SP2026-009: ytd counts November twice → ytd_mismatch
- 工业园管委会2026年11月重点项目进度.xlsx, 11月!I8, SP2026-031: 已开工 without 实际开工时间
  → started_without_date

By design, not mistakes: SP2026-029 (planned start 2026-05) and SP2026-036 (2026-08) are
still 未开工 (overdue_start); SP2026-005 is not completed after its planned 2026-09
(overdue_completion); SP2026-014 claims 不可抗力 (县水利局 files, 进度表!Q6) while more
than 10 points behind, and `[force_majeure] approved` is left empty for the office to
decide; SP2026-034 and SP2026-039 start in December (time progress 0, unranked). The second
milestone of each 前期 project is done on time in October or November, done late, overdue
by up to 30 days or by more; every row names all its done milestones (two 完成节点 /
完成时间 pairs), so no month depends on the history for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.xlsx import workbook_bytes

YEAR = 2026
COUNTY = "双牌县"
OFFICE = "县重点项目建设服务中心"
_FIXED_TIME = dt.datetime(2026, 11, 30, 9, 0)  # workbook properties and zip entry times
_CUTOFF_DAY = 24  # figures are as of this day; 填报日期 is later in the month

_JT, _ZJ, _SL, _GYY, _WL = ("县交通运输局", "县住房和城乡建设局", "县水利局", "县工业园管理委员会",
                            "县文化旅游广电体育局")
_NY, _WJ, _LB, _JC, _WLP = ("县农业农村局", "县卫生健康局", "泷泊镇人民政府", "江村镇人民政府",
                            "五里牌镇人民政府")

# (unit, email — empty when the unit has none, phone)
_UNITS = (
    (_JT, "jtj@example.gov.cn", "0746-7722316"), (_ZJ, "zjj@example.gov.cn", "0746-7723108"),
    (_SL, "slj@example.gov.cn", "0746-7722562"), (_GYY, "gyy@example.gov.cn", "0746-7728890"),
    (_WL, "wlgtj@example.gov.cn", "0746-7721135"), (_NY, "nyncj@example.gov.cn", "0746-7722419"),
    (_WJ, "wjj@example.gov.cn", "0746-7723651"), (_LB, "lbz@example.gov.cn", "0746-7721020"),
    (_JC, "jcz@example.gov.cn", "0746-7741006"), (_WLP, "", "0746-7761012"),
)
_LEADERS = (
    ("张明华", "zhangminghua@example.gov.cn", "0746-7720101"),
    ("李建国", "lijianguo@example.gov.cn", "0746-7720106"),
    ("王志刚", "wangzhigang@example.gov.cn", "0746-7720108"),
    ("陈晓红", "chenxiaohong@example.gov.cn", "0746-7720112"),
    ("刘德胜", "liudesheng@example.gov.cn", "0746-7720115"),
    ("周文斌", "zhouwenbin@example.gov.cn", "0746-7720118"),
)
_LEADERSHIP = ("赵立新", "zhaolixin@example.gov.cn", "0746-7720001")

_CATEGORIES = ("续建", "新开工", "竣工投产", "前期")  # the order sheets list them in


@dataclass(frozen=True)
class _Entry:
    """One register line as the office wrote it; `month` is the planned start month of a
    新开工 project or the planned completion month of a 竣工投产 one."""

    pid: str
    name: str
    category: str
    sector: str
    unit: str
    leader: str
    total: float
    month: int = 0
    contract: float = 0.0


def _e(n: int, name: str, category: str, sector: str, unit: str, leader: str, total: float,
       month: int = 0, contract: float = 0.0) -> _Entry:
    return _Entry(f"SP{YEAR}-{n:03d}", name, category, sector, unit, leader, float(total),
                  month, float(contract))


_C, _X, _N, _P = "竣工投产", "续建", "新开工", "前期"
_CATALOGUE = (
    _e(1, "双牌县城区污水管网改造工程", _C, "城建", _ZJ, "李建国", 12800, 6),
    _e(2, "双牌县第二自来水厂扩建工程", _C, "城建", _ZJ, "李建国", 9600, 12),
    _e(3, "双牌县人民医院门急诊综合楼建设项目", _C, "社会事业", _WJ, "陈晓红", 21500, 10),
    _e(4, "双牌县工业园标准化厂房（二期）建设项目", _C, "工业", _GYY, "周文斌", 16800, 8),
    _e(5, "潇水双牌段防洪治理工程", _C, "水利", _SL, "王志刚", 8900, 9),
    _e(6, "泷泊镇农贸市场提质改造项目", _C, "城建", _LB, "刘德胜", 1350, 11),
    _e(7, "双牌县2025年度高标准农田建设项目", _C, "农业", _NY, "王志刚", 5200, 7),
    _e(8, "双牌县恒竹新材料有限公司年产10万立方米竹木复合板项目", _C, "工业", _GYY, "周文斌",
       32000, 12, 32000),
    _e(9, "G207线泷泊至江村段公路改建工程", _X, "交通", _JT, "张明华", 86000),
    _e(10, "双牌县城乡客运综合枢纽站建设项目", _X, "交通", _JT, "张明华", 7800),
    _e(11, "S325线五里牌至茶林段公路提质改造工程", _X, "交通", _JT, "张明华", 42500),
    _e(12, "双牌县日月湖片区棚户区改造项目", _X, "城建", _ZJ, "李建国", 58000),
    _e(13, "双牌县城区道路“白改黑”及配套设施提质工程", _X, "城建", _ZJ, "李建国", 6500),
    _e(14, "双牌县大型灌区续建配套与现代化改造项目", _X, "水利", _SL, "王志刚", 23600),
    _e(15, "双牌县农村供水保障工程", _X, "水利", _SL, "王志刚", 14200),
    _e(16, "阳明山国家森林公园旅游基础设施提质项目", _X, "文旅", _WL, "陈晓红", 18500),
    _e(17, "双牌县全民健身中心建设项目", _X, "社会事业", _WL, "陈晓红", 9800),
    _e(18, "双牌县中医医院整体搬迁项目", _X, "社会事业", _WJ, "陈晓红", 36000),
    _e(19, "双牌县工业园基础设施配套（道路管网）工程", _X, "工业", _GYY, "周文斌", 15600),
    _e(20, "双牌县永和新能源科技有限公司锂电池正极材料项目", _X, "工业", _GYY, "周文斌",
       120000, 0, 120000),
    _e(21, "江村镇集镇提质改造项目", _X, "城建", _JC, "刘德胜", 3200),
    _e(22, "五里牌镇乡村振兴示范片建设项目", _X, "农业", _WLP, "刘德胜", 4600),
    _e(23, "泷泊镇城东片区道路及排水工程", _X, "城建", _LB, "刘德胜", 5800),
    _e(24, "双牌县阳明山茶业有限公司有机茶精深加工项目", _X, "农业", _NY, "王志刚", 12500, 0,
       10000),
    _e(25, "双牌县G207线与S325线连接线工程", _N, "交通", _JT, "张明华", 28000, 3),
    _e(26, "双牌县2026年农村公路安全生命防护工程", _N, "交通", _JT, "张明华", 2400, 11),
    _e(27, "双牌县2026年城镇老旧小区改造项目", _N, "城建", _ZJ, "李建国", 8600, 4),
    _e(28, "双牌县城区公共停车场建设项目", _N, "城建", _ZJ, "李建国", 4200, 9),
    _e(29, "双牌县2026年小型水库除险加固工程", _N, "水利", _SL, "王志刚", 3600, 5),
    _e(30, "双牌县潇水支流中小河流治理工程", _N, "水利", _SL, "王志刚", 6800, 10),
    _e(31, "双牌县工业园污水处理厂提标改造工程", _N, "工业", _GYY, "周文斌", 4800, 10),
    _e(32, "双牌县绿源生物科技有限公司竹笋精深加工项目", _N, "工业", _GYY, "周文斌", 15000, 6,
       15000),
    _e(33, "双牌县日月湖文化旅游综合体项目", _N, "文旅", _WL, "陈晓红", 65000, 7, 50000),
    _e(34, "双牌县县级综合文化中心建设项目", _N, "社会事业", _WL, "陈晓红", 7200, 12),
    _e(35, "双牌县妇幼保健院迁建项目", _N, "社会事业", _WJ, "陈晓红", 15800, 6),
    _e(36, "双牌县乡镇卫生院提质改造项目", _N, "社会事业", _WJ, "陈晓红", 2600, 8),
    _e(37, "江村镇污水处理设施建设项目", _N, "城建", _JC, "刘德胜", 1800, 9),
    _e(38, "五里牌镇农村人居环境整治项目", _N, "农业", _WLP, "刘德胜", 1200, 4),
    _e(39, "泷泊镇潇水滨江风光带建设项目", _N, "城建", _LB, "刘德胜", 3800, 12),
    _e(40, "永州至双牌高速公路（双牌段）", _P, "交通", _JT, "张明华", 265000),
    _e(41, "双牌县城区防洪堤（二期）工程", _P, "水利", _SL, "王志刚", 18000),
    _e(42, "双牌县殡仪馆迁建项目", _P, "社会事业", _ZJ, "李建国", 5600),
    _e(43, "双牌县工业园扩区基础设施项目", _P, "工业", _GYY, "周文斌", 24000),
    _e(44, "阳明山景区客运索道建设项目", _P, "文旅", _WL, "陈晓红", 38000, 0, 35000),
    _e(45, "双牌县现代农业产业园建设项目", _P, "农业", _NY, "王志刚", 16000),
    _e(46, "江村镇农产品冷链物流中心项目", _P, "农业", _JC, "刘德胜", 3500),
    _e(47, "五里牌镇集镇供水工程", _P, "水利", _WLP, "刘德胜", 1000),
)

_ANNUAL_SHARE = {"续建": (0.2, 0.45), "新开工": (0.15, 0.35), "竣工投产": (0.3, 0.6)}
_MONTH_WEIGHTS = (3, 3, 7, 8, 9, 10, 10, 10, 10, 10, 10, 10)  # slow around 春节
_MONTHLY_PLANS = 15  # about a third of the register carries 1月…12月
_LAG_PP = {"ahead": (-12.0, -1.0), "behind": (1.0, 9.0), "far_behind": (12.0, 30.0)}
_PROFILE_SHARES = {"ahead": 0.3, "far_behind": 0.25}  # the rest are a few points behind
_FORCED_PROFILES = {"SP2026-009": "behind", "SP2026-014": "far_behind"}
_NOT_STARTED = ("SP2026-029", "SP2026-036")  # 新开工, past the planned start, still 未开工
_NOT_COMPLETED = ("SP2026-005",)  # 竣工投产, past the planned completion
_NOT_PERFORMING = ("SP2026-032",)
_FORCE_MAJEURE = "SP2026-014"

_PREP_STEPS = ("项目建议书批复", "可研批复", "用地预审", "环评批复", "初步设计批复", "施工许可")
# what happens to the second milestone of each 前期 project (shuffled per seed)
_PREP_OUTCOMES = ("done_oct", "done_nov", "late", "short", "long", "done_nov", "short", "long")
_EXTRA_MILESTONES = ("SP2026-011", "SP2026-016", "SP2026-025", "SP2026-027", "SP2026-033")

_PROBLEMS = {
    "征地拆迁": ("项目红线范围内尚有{n}户房屋未签订征收补偿协议，部分路段无法进场施工",
             "请属地乡镇和县自然资源局加快征地拆迁扫尾"),
    "用地审批": ("项目建设用地报批材料已报省自然资源厅，农用地转用尚未获批",
             "请县自然资源局加强与省厅对接，加快用地审批"),
    "资金筹措": ("地方配套资金缺口约{n}00万元，工程进度款支付滞后",
             "请县财政局统筹安排配套资金，加快拨付进度款"),
    "规划许可": ("规划设计方案需调整，建设工程规划许可证尚未办理", "请县自然资源局加快规划方案审查"),
    "环评": ("环评报告需补充水土保持及生态影响专章，审批时间延后", "请市生态环境局双牌分局提前介入指导"),
    "其他": ("施工单位劳动力和机械设备投入不足，施工进度滞后", "请行业主管部门约谈施工单位，督促加大投入"),
}
_FORCED_PROBLEMS = {"SP2026-005": "其他", "SP2026-029": "用地审批", "SP2026-036": "资金筹措"}
_PREP_PROBLEM_TYPES = {"用地预审": "用地审批", "环评批复": "环评", "初步设计批复": "规划许可",
                       "施工许可": "规划许可"}
_FORCE_MAJEURE_TEXT = "2026年6月下旬特大暴雨洪水致渠系工程水毁，停工约两个月"

_PROGRESS = {
    "交通": "路基工程完成{a}%，路面工程完成{b}%，桥涵构造物完成{c}%",
    "城建": "主体工程完成{a}%，管网及附属设施完成{b}%",
    "水利": "堤防及护岸工程完成{a}%，配套建筑物完成{b}%",
    "工业": "厂房主体完成{a}%，设备采购安装完成{b}%",
    "文旅": "主体工程完成{a}%，景观绿化及配套设施完成{b}%",
    "社会事业": "主体结构完成{a}%，室内装饰装修完成{b}%",
    "农业": "土地平整完成{a}%，灌排沟渠及田间道路完成{b}%",
}


@dataclass
class _Milestone:
    name: str
    planned: dt.date
    done: dt.date | None = None


@dataclass(frozen=True)
class _Problem:
    kind: str
    text: str
    coordination: str
    months: tuple[int, ...]


@dataclass
class _Project:
    entry: _Entry
    annual: float
    planned_start: dt.date | None
    planned_completion: dt.date | None
    plan: tuple[float, ...] | None
    ytd: dict[int, float]  # month (9, 10, 11) -> ytd_done as of that month's cutoff
    actual_start: dt.date | None
    completion: dt.date | None
    milestones: list[_Milestone]
    funds: dict[int, float]
    problem: _Problem | None


class _Raw(str):
    """A cell text written as is, bypassing the layout's formatting (a typo)."""


Row = dict[str, object]
Value = str | float | dt.date | None  # what a sheet cell holds
Batch = dict[str, list[Row]]  # unit -> its rows for one month


# ---------------------------------------------------------------- small helpers

def _r1(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _round_amount(value: float) -> float:
    step = 100 if value >= 10000 else 10
    return float(max(step, round(value / step) * step))


def _month_end(month: int, year: int = YEAR) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _cutoff(month: int) -> dt.date:
    return dt.date(YEAR, month, _CUTOFF_DAY)


def _trim(value: float, grouping: bool = False) -> str:
    text = f"{value:,.1f}" if grouping else f"{value:.1f}"
    return text.removesuffix(".0")


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- the projects

def _build_projects(rng: random.Random) -> list[_Project]:
    with_plan = _monthly_plan_ids(rng)
    profiles = _profiles(rng)
    outcomes = list(_PREP_OUTCOMES)
    rng.shuffle(outcomes)
    projects = []
    for entry in _CATALOGUE:
        outcome = outcomes.pop() if entry.category == "前期" else ""
        projects.append(_build_project(rng, entry, entry.pid in with_plan,
                                       profiles.get(entry.pid, ""), outcome))
    return projects


def _profiles(rng: random.Random) -> dict[str, str]:
    """How far each invested project is from its time progress: fixed shares, shuffled."""
    free = [e.pid for e in _CATALOGUE
            if e.category in _ANNUAL_SHARE and e.pid not in _FORCED_PROFILES]
    counts = {name: round(len(free) * share) for name, share in _PROFILE_SHARES.items()}
    drawn = [name for name, count in counts.items() for _ in range(count)]
    drawn += ["behind"] * (len(free) - len(drawn))
    rng.shuffle(drawn)
    return dict(zip(free, drawn)) | _FORCED_PROFILES


def _monthly_plan_ids(rng: random.Random) -> set[str]:
    """Late 新开工 projects always plan by month; a sample of the others too."""
    late_new = {e.pid for e in _CATALOGUE if e.category == "新开工" and e.month >= 7}
    others = [e.pid for e in _CATALOGUE
              if e.category in _ANNUAL_SHARE and e.pid not in late_new]
    return late_new | set(rng.sample(others, _MONTHLY_PLANS - len(late_new)))


def _build_project(rng: random.Random, entry: _Entry, with_plan: bool, profile: str,
                   outcome: str) -> _Project:
    low, high = _ANNUAL_SHARE.get(entry.category, (0.0, 0.0))
    annual = _round_amount(entry.total * rng.uniform(low, high)) if high else 0.0
    planned_start, planned_completion = _planned_dates(rng, entry)
    plan = _monthly_plan(entry, annual) if with_plan else None
    actual_start = _actual_start(rng, entry, planned_start)
    milestones = _milestones(rng, entry, actual_start, profile, outcome)
    return _Project(
        entry=entry,
        annual=annual,
        planned_start=planned_start,
        planned_completion=planned_completion,
        plan=plan,
        ytd=_ytd_path(rng, entry, annual, plan, actual_start, profile),
        actual_start=actual_start,
        completion=_completion(rng, entry),
        milestones=milestones,
        funds=_funds(rng, entry),
        problem=_problem(rng, entry, profile, milestones),
    )


def _planned_dates(rng: random.Random, entry: _Entry) -> tuple[dt.date, dt.date | None]:
    later = _month_end(rng.randint(1, 12), rng.choice((YEAR + 1, YEAR + 2)))
    earlier = dt.date(rng.choice((YEAR - 2, YEAR - 1)), rng.randint(1, 12), rng.randint(1, 28))
    match entry.category:
        case "新开工":
            return dt.date(YEAR, entry.month, rng.randint(1, 20)), later
        case "竣工投产":
            return earlier, _month_end(entry.month)
        case "续建":
            return earlier, later
    return dt.date(YEAR + 1, rng.randint(3, 9), 1), None


def _monthly_plan(entry: _Entry, annual: float) -> tuple[float, ...]:
    """Planned cumulative investment by month end, reaching the annual plan."""
    first = entry.month if entry.category == "新开工" else 1
    last = entry.month if entry.category == "竣工投产" else 12
    weights = [w if first <= k <= last else 0 for k, w in enumerate(_MONTH_WEIGHTS, 1)]
    total, running, plan = sum(weights), 0, []
    for weight in weights:
        running += weight
        plan.append(_r1(annual * running / total))
    plan[-1] = annual
    return tuple(plan)


def _time_progress(plan: tuple[float, ...] | None, annual: float, month: int) -> float:
    return plan[month - 1] / annual if plan else month / 12


def _actual_start(rng: random.Random, entry: _Entry, planned: dt.date) -> dt.date | None:
    """Projects under way started when planned, in an earlier year; 新开工 ones this year
    in their planned month unless it is December or they are overdue."""
    if entry.category in ("续建", "竣工投产"):
        return planned
    if entry.category == "前期" or entry.month == 12 or entry.pid in _NOT_STARTED:
        return None
    return dt.date(YEAR, entry.month, rng.randint(5, _CUTOFF_DAY))


def _completion(rng: random.Random, entry: _Entry) -> dt.date | None:
    if entry.category != "竣工投产" or entry.month > 11 or entry.pid in _NOT_COMPLETED:
        return None
    return dt.date(YEAR, entry.month, rng.randint(5, _CUTOFF_DAY))


def _ytd_path(rng: random.Random, entry: _Entry, annual: float,
              plan: tuple[float, ...] | None, actual_start: dt.date | None,
              profile: str) -> dict[int, float]:
    """ytd_done at the September, October and November cutoffs."""
    if entry.category == "新开工" and actual_start is None:
        return {9: 0.0, 10: 0.0, 11: 0.0}
    if annual:
        lag = rng.uniform(*_LAG_PP[profile]) / 100
        november = annual * max(0.02, _time_progress(plan, annual, 11) - lag)
    else:  # 前期: design and survey fees only
        november = rng.uniform(10, 60)
    start_month = actual_start.month if actual_start and actual_start.year == YEAR else 1
    ytd = {11: november}
    for month in (10, 9):
        share = 1 - rng.uniform(0.06, 0.14) if month >= start_month else 0.0
        ytd[month] = ytd[month + 1] * share
    return {month: _r1(value) for month, value in ytd.items()}


def _milestones(rng: random.Random, entry: _Entry, actual_start: dt.date | None,
                profile: str, outcome: str) -> list[_Milestone]:
    december = dt.date(YEAR, 12, rng.randint(10, 31))
    if entry.category == "前期":
        return _prep_milestones(rng, outcome, december)
    if entry.pid not in _EXTRA_MILESTONES:
        return []
    if entry.category == "新开工":
        return [_Milestone("开工", _month_end(entry.month), actual_start),
                _Milestone("主体完工", december)]
    planned = _month_end(rng.randint(6, 10))
    done = None if profile == "far_behind" else planned - dt.timedelta(rng.randint(7, 25))
    return [_Milestone("主体完工", planned, done), _Milestone("竣工验收", december)]


def _prep_milestones(rng: random.Random, outcome: str, december: dt.date) -> list[_Milestone]:
    count = rng.choice((2, 3))
    first = rng.randint(0, len(_PREP_STEPS) - count)
    names = _PREP_STEPS[first:first + count]
    planned = dt.date(YEAR, rng.randint(4, 9), rng.randint(10, 28))
    milestones = [_Milestone(names[0], planned, planned - dt.timedelta(rng.randint(3, 30))),
                  _second_milestone(rng, names[1], outcome)]
    return milestones + [_Milestone(name, december) for name in names[2:]]


def _second_milestone(rng: random.Random, name: str, outcome: str) -> _Milestone:
    """done_oct / done_nov: on time; late: done after its date; short: overdue ≤ 30 days
    at the end of November; long: overdue more than 30 days."""
    match outcome:
        case "done_oct":
            planned = dt.date(YEAR, 10, rng.randint(15, 31))
            return _Milestone(name, planned, dt.date(YEAR, 10, rng.randint(5, 14)))
        case "done_nov":
            planned = dt.date(YEAR, 11, rng.randint(15, 30))
            return _Milestone(name, planned, dt.date(YEAR, 11, rng.randint(3, 14)))
        case "late":
            planned = dt.date(YEAR, 10, rng.randint(8, 20))
            return _Milestone(name, planned, dt.date(YEAR, 11, rng.randint(3, 20)))
        case "short":
            return _Milestone(name, dt.date(YEAR, 11, rng.randint(5, 25)))
    return _Milestone(name, dt.date(YEAR, 10, rng.randint(5, 25)))


def _funds(rng: random.Random, entry: _Entry) -> dict[int, float]:
    if not entry.contract:
        return {}
    share = {"前期": (0.02, 0.1), "新开工": (0.15, 0.5)}.get(entry.category, (0.3, 0.9))
    november = entry.contract * rng.uniform(*share)
    return {10: _r1(november * rng.uniform(0.85, 1.0)), 11: _r1(november)}


def _problem(rng: random.Random, entry: _Entry, profile: str,
             milestones: Sequence[_Milestone]) -> _Problem | None:
    """A problem for the forced cases, far-behind projects and long-overdue 前期 ones;
    a quarter of them are new in November."""
    if entry.pid == _FORCE_MAJEURE:
        return _Problem("其他", "受6月下旬特大暴雨洪水影响，渠系工程水毁严重，停工约两个月",
                        "请县水利局协调水毁修复资金，争取上级救灾资金支持", (10, 11))
    months = (10, 11) if entry.pid in _FORCED_PROBLEMS or rng.random() < 0.75 else (11,)
    if entry.category == "前期":
        return _prep_problem(milestones, months)
    kind = _FORCED_PROBLEMS.get(entry.pid)
    if kind is None and profile == "far_behind":
        kind = rng.choice(list(_PROBLEMS))
    if kind is None:
        return None
    text, coordination = _PROBLEMS[kind]
    return _Problem(kind, text.format(n=rng.randint(3, 15)), coordination, months)


def _prep_problem(milestones: Sequence[_Milestone], months: tuple[int, ...]) -> _Problem | None:
    """A problem for a 前期 project whose milestone is more than 30 days overdue."""
    overdue = [m for m in milestones
               if m.done is None and (_month_end(11) - m.planned).days > 30]
    if not overdue:
        return None
    step = overdue[0].name
    return _Problem(_PREP_PROBLEM_TYPES.get(step, "其他"),
                    f"{step}报批材料需补充完善，审批进度滞后于计划",
                    f"请县发展和改革局牵头协调，加快{step}办理", months)


# ---------------------------------------------------------------- one month's rows

def _row(project: _Project, month: int) -> Row:
    entry, cutoff = project.entry, _cutoff(month)
    started = project.actual_start is not None and project.actual_start <= cutoff
    problem = project.problem if project.problem and month in project.problem.months else None
    done = sorted((m.done, m.name) for m in project.milestones if m.done and m.done <= cutoff)
    (first_done, first), (second_done, second) = (done + [(None, None)] * 2)[:2]
    return {
        "project_id": entry.pid,
        "name": entry.name,
        "category": entry.category,
        "total": entry.total,
        "annual": project.annual,
        "prev_ytd": project.ytd[month - 1],
        "month_done": _r1(project.ytd[month] - project.ytd[month - 1]),
        "ytd_done": project.ytd[month],
        "started": started,
        "actual_start": project.actual_start if started else None,
        "completed": (project.completion is not None and project.completion <= cutoff)
        if entry.category == "竣工投产" else None,
        "progress": _progress_text(project, month),
        "problem": problem.text if problem else None,
        "problem_type": problem.kind if problem else None,
        "coordination": problem.coordination if problem else None,
        "funds": project.funds.get(month),
        "performing": entry.pid not in _NOT_PERFORMING if entry.contract else None,
        "milestone": first,
        "milestone_done": first_done,
        "milestone2": second,
        "milestone2_done": second_done,
        "force_majeure": _FORCE_MAJEURE_TEXT if entry.pid == _FORCE_MAJEURE else None,
        "remark": "省重点项目" if entry.total >= 50000 else None,
    }


def _progress_text(project: _Project, month: int) -> str:
    entry, cutoff = project.entry, _cutoff(month)
    share = project.ytd[month] / project.annual if project.annual else 0.0
    if entry.category == "前期":
        return _prep_progress(project.milestones, cutoff)
    if entry.category == "新开工" and not (project.actual_start and project.actual_start <= cutoff):
        if entry.month == 12:
            return "正在开展施工图设计及招标准备工作"
        return "施工图审查已完成，正在办理施工许可，尚未开工"
    if project.completion and project.completion <= cutoff:
        return "已建成投产" if entry.sector == "工业" else "已完成竣工验收并投入使用"
    if entry.category == "竣工投产":
        return "主体工程已完工，正在进行附属工程扫尾及竣工验收准备"
    done = min(96, round((10 + 70 * share) if entry.category == "新开工" else (40 + 55 * share)))
    text = _PROGRESS[entry.sector].format(a=done, b=max(5, done - 18), c=max(5, done - 9))
    return f"已完成场地平整及“三通一平”，{text}" if entry.category == "新开工" else text


def _prep_progress(milestones: Sequence[_Milestone], cutoff: dt.date) -> str:
    done = [m for m in milestones if m.done and m.done <= cutoff]
    pending = [m for m in milestones if m not in done]
    if not done:
        return f"正在推进{pending[0].name}"
    if not pending:
        return f"{done[-1].name}已完成"
    return f"{done[-1].name}已完成，正在推进{pending[0].name}"


def _month_rows(projects: Sequence[_Project], month: int) -> Batch:
    batch: Batch = {unit: [] for unit, _, _ in _UNITS}
    for project in projects:
        batch[project.entry.unit].append(_row(project, month))
    return batch


def _find(rows: list[Row], pid: str) -> Row:
    return next(row for row in rows if row["project_id"] == pid)


def _num(row: Row, key: str) -> float:
    return cast(float, row[key])


# ---------------------------------------------------------------- deliberate mistakes

def _bad_date_027(batch: Batch) -> None:
    _find(batch[_ZJ], "SP2026-027")["actual_start"] = _Raw("2026-04-31")


def _missing_ytd_037(batch: Batch) -> None:
    _find(batch[_JC], "SP2026-037")["ytd_done"] = None


def _unreported_017(batch: Batch) -> None:
    batch[_WL].remove(_find(batch[_WL], "SP2026-017"))


def _no_id_exact_name_013(batch: Batch) -> None:
    row = _find(batch[_ZJ], "SP2026-013")
    row.update(project_id=None, name=f"{row['name']} ")


def _no_id_typo_019(batch: Batch) -> None:
    row = _find(batch[_GYY], "SP2026-019")
    row.update(project_id=None, name="双牌县工业园区基础设施配套（道路管网）工程")


def _unknown_project(batch: Batch) -> None:
    batch[_WLP].append({
        "name": "五里牌镇中心小学风雨操场建设项目", "category": "新开工", "annual": 300.0,
        "month_done": 45.0, "ytd_done": 120.0, "started": True,
        "actual_start": dt.date(YEAR, 9, 12), "progress": "基础工程完工，正在进行钢结构安装",
    })


def _bad_number_002(batch: Batch) -> None:
    row = _find(batch[_ZJ], "SP2026-002")
    text = _trim(_num(row, "ytd_done"), grouping=True)
    digit = max(i for i, char in enumerate(text.split(".")[0]) if char.isdigit())
    row["ytd_done"] = _Raw(text[:digit] + "O" + text[digit + 1:])


def _negative_007(batch: Batch) -> None:
    row = _find(batch[_NY], "SP2026-007")
    row.update(month_done=-35.0, ytd_done=_r1(_num(row, "prev_ytd") - 35),
               progress=f"{row['progress']}；经竣工决算审计核减工程款35万元")


def _future_start_026(batch: Batch) -> None:
    row = _find(batch[_JT], "SP2026-026")
    row["actual_start"] = cast(dt.date, row["actual_start"]).replace(month=12)


def _plan_as_ytd_047(batch: Batch) -> None:
    """A planned figure typed into 年度累计 of a small 前期 project."""
    row = _find(batch[_WLP], "SP2026-047")
    row["ytd_done"] = _r1(_num(row, "total") * 1.2)


def _other_units_project_012(batch: Batch) -> None:
    own = _find(batch[_ZJ], "SP2026-012")
    batch[_LB].append(dict(
        own, month_done=_r1(_num(own, "month_done") * 0.6),
        ytd_done=_r1(_num(own, "ytd_done") * 0.6),
        progress="泷泊镇范围内安置房主体完工，正在进行外墙装饰",
        problem="棚改范围内尚有5户未签订征收协议", problem_type="征地拆迁",
        coordination="请县住房和城乡建设局协调征收补偿标准"))


def _duplicate_018(batch: Batch) -> None:
    rows = batch[_WJ]
    row = _find(rows, "SP2026-018")
    rows.insert(rows.index(row) + 1, dict(row))


def _ytd_mismatch_009(batch: Batch) -> None:
    row = _find(batch[_JT], "SP2026-009")
    row["ytd_done"] = _r1(_num(row, "ytd_done") + _num(row, "month_done"))


def _started_without_date_031(batch: Batch) -> None:
    _find(batch[_GYY], "SP2026-031")["actual_start"] = None


def _uncorrected_015(rows: list[Row]) -> None:
    """The first 县水利局 file for November, before its correction."""
    row = _find(rows, "SP2026-015")
    row.update(month_done=_r1(_num(row, "month_done") + 150),
               ytd_done=_r1(_num(row, "ytd_done") + 150))


_MISTAKES: dict[int, tuple[Callable[[Batch], None], ...]] = {
    10: (_bad_date_027, _missing_ytd_037),
    11: (_unreported_017, _no_id_exact_name_013, _no_id_typo_019, _unknown_project,
         _bad_number_002, _negative_007, _future_start_026, _plan_as_ytd_047,
         _other_units_project_012, _duplicate_018, _ytd_mismatch_009,
         _started_without_date_031),
}


# ---------------------------------------------------------------- sheet layouts

_HEADERS = {
    "seq": "序号", "project_id": "项目编号", "name": "项目名称", "category": "项目类别",
    "total": "总投资", "annual": "年度计划投资", "prev_ytd": "截至上月底累计完成投资",
    "month_done": "本月完成投资", "ytd_done": "年度累计完成投资", "started": "是否开工",
    "actual_start": "实际开工时间", "completed": "是否竣工", "progress": "形象进度",
    "problem": "存在问题", "problem_type": "问题类型", "coordination": "需协调事项",
    "funds": "到位资金", "performing": "是否履约", "milestone": "完成节点",
    "milestone_done": "完成时间", "milestone2": "完成节点", "milestone2_done": "完成时间",
    "force_majeure": "不可抗力", "remark": "备注",
}
_AMOUNT_KEYS = frozenset({"total", "annual", "prev_ytd", "month_done", "ytd_done", "funds"})
_DATE_KEYS = frozenset({"actual_start", "milestone_done", "milestone2_done"})
_FLAG_KEYS = frozenset({"started", "completed", "performing"})
_FLAG_WORDS = {"是否": ("是", "否"), "YN": ("Y", "N"), "√×": ("√", "×")}
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
_EXCEL_DATE_FORMATS = {"excel": "yyyy-mm-dd", "excel_cn": 'yyyy"年"m"月"d"日"'}
_NUMERALS = "一二三四"
_INSTRUCTIONS = (
    "填表说明",
    "一、本表由项目责任单位填报，每月25日前报送县重点项目建设服务中心。",
    "二、金额单位为万元，保留一位小数；本月完成投资指当月完成的固定资产投资。",
    "三、年度累计完成投资指当年1月1日至本月底累计完成投资，应等于上月累计加本月完成。",
    "四、问题类型从征地拆迁、用地审批、资金筹措、规划许可、环评、其他中选择填写。",
    "五、招商引资项目须填报累计到位资金和是否履约；前期项目须填报已完成的时间节点。",
    "六、因不可抗力影响进度的，请写明原因并附佐证材料，经县重点项目建设服务中心认定后免于问责。",
)


@dataclass(frozen=True)
class _Layout:
    """How one unit lays out its sheet.

    numbers: number | comma (1,234.5 as text) | fullwidth | wan (850万元) | yuan (元);
    dates: excel | excel_cn | iso | slash | cn | cn_month | dot_month;
    flags: 是否 | YN | √× | 开工 (已开工/未开工 for 是否开工, 是/否 elsewhere);
    sections: "" | 一、 | （一）; notes: where the 填表说明 sheet goes ("" = none)."""

    columns: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    numbers: str = "number"
    dates: str = "excel"
    flags: str = "是否"
    sections: str = ""
    totals: str = "bottom"
    totals_label: str = "合计"
    blank_rows: bool = False
    split_meta: bool = False
    sheet: str = "进度表"
    notes: str = ""
    hidden: bool = False
    footer: bool = False

    @property
    def amount_unit(self) -> str:
        return {"yuan": "（元）", "wan": ""}.get(self.numbers, "（万元）")


_PROBLEM_COLUMNS = ("progress", "problem", "problem_type", "coordination")
_MILESTONE_COLUMNS = ("milestone", "milestone_done", "milestone2", "milestone2_done")

_LAYOUTS = {
    _JT: _Layout(
        columns=("seq", "project_id", "name", "total", "annual", "prev_ytd", "month_done",
                 "ytd_done", "started", "actual_start", *_PROBLEM_COLUMNS,
                 *_MILESTONE_COLUMNS, "force_majeure"),
        headers={"force_majeure": "不可抗力说明"},
        groups=(("投资完成情况", ("prev_ytd", "month_done", "ytd_done")),
                ("开工情况", ("started", "actual_start")),
                ("前期工作进展", _MILESTONE_COLUMNS)),
        numbers="comma", dates="cn", sections="一、", notes="after"),
    _ZJ: _Layout(
        columns=("name", "project_id", "category", "annual", "month_done", "ytd_done",
                 "started", "actual_start", "completed", *_PROBLEM_COLUMNS,
                 *_MILESTONE_COLUMNS, "remark"),
        headers={"ytd_done": "1-{m}月累计完成投资"},
        flags="YN", totals="top", sheet="Sheet1"),
    _SL: _Layout(
        columns=("seq", "project_id", "name", "month_done", "ytd_done", "started",
                 "actual_start", "completed", "progress", "problem", "problem_type",
                 "coordination", *_MILESTONE_COLUMNS, "force_majeure"),
        groups=(("投资完成情况", ("month_done", "ytd_done")),
                ("存在问题及协调事项", ("problem", "problem_type", "coordination"))),
        dates="slash", flags="√×", totals_label="总计", blank_rows=True, split_meta=True,
        hidden=True),
    _GYY: _Layout(
        columns=("seq", "name", "project_id", "category", "total", "month_done", "ytd_done",
                 "started", "actual_start", "completed", "funds", "performing",
                 *_PROBLEM_COLUMNS, *_MILESTONE_COLUMNS),
        headers={"funds": "累计到位资金"},
        numbers="fullwidth", dates="iso", flags="开工", sections="一、", sheet="{m}月"),
    _WL: _Layout(
        columns=("project_id", "name", "annual", "month_done", "ytd_done", "started",
                 "actual_start", "funds", "performing", *_PROBLEM_COLUMNS,
                 *_MILESTONE_COLUMNS),
        headers={"progress": "工程进展", "problem": "存在的问题及困难",
                 "coordination": "需县级协调解决的问题", "funds": "累计到位资金"},
        numbers="wan", dates="excel_cn", notes="before"),
    _NY: _Layout(
        columns=("seq", "project_id", "name", "category", "month_done", "ytd_done",
                 "completed", "funds", "performing", *_PROBLEM_COLUMNS, *_MILESTONE_COLUMNS),
        headers={"ytd_done": "今年累计"},
        numbers="yuan", flags="YN"),
    _WJ: _Layout(
        columns=("seq", "project_id", "name", "annual", "month_done", "ytd_done", "started",
                 "actual_start", "completed", *_PROBLEM_COLUMNS),
        dates="cn_month", notes="after", footer=True),
    _LB: _Layout(
        columns=("seq", "project_id", "name", "month_done", "ytd_done", "started",
                 "actual_start", "completed", *_PROBLEM_COLUMNS),
        numbers="comma", dates="dot_month", flags="√×", sections="（一）", blank_rows=True),
    _JC: _Layout(
        columns=("seq", "project_id", "name", "month_done", "ytd_done", "started",
                 "actual_start", *_PROBLEM_COLUMNS, *_MILESTONE_COLUMNS),
        dates="slash"),
    _WLP: _Layout(
        columns=("project_id", "name", "category", "annual", "month_done", "ytd_done",
                 "started", "actual_start", *_PROBLEM_COLUMNS, *_MILESTONE_COLUMNS),
        headers={"ytd_done": "1-{m}月累计完成投资"},
        dates="cn", footer=True),
}


@dataclass(frozen=True)
class _File:
    """One submitted file; `edits` change a copy of the unit's rows for this file only."""

    month: int
    unit: str
    name: str
    day: int  # 填报日期
    unit_line: bool = True
    edits: tuple[Callable[[list[Row]], None], ...] = ()


_FILES = (
    _File(10, _JT, "县交通运输局-10月进度.xlsx", 26),
    _File(10, _ZJ, "住建局10月进度.xlsx", 25),
    _File(10, _SL, "县水利局-10月进度.xlsx", 25),
    _File(10, _GYY, "工业园管委会2026年10月重点项目进度.xlsx", 25),
    _File(10, _WL, "县文化旅游广电体育局-10月进度.xlsx", 27),
    _File(10, _NY, "农业农村局10月.xlsx", 26),
    _File(10, _WJ, "县卫生健康局-10月进度.xlsx", 25),
    _File(10, _LB, "泷泊镇-10月.xlsx", 26, unit_line=False),
    _File(10, _JC, "江村镇人民政府10月份重点项目调度表.xlsx", 26),
    _File(10, _WLP, "五里牌镇10月.xlsx", 27),
    _File(11, _JT, "交通局11月.xlsx", 25, unit_line=False),
    _File(11, _ZJ, "住建局11月进度.xlsx", 25),
    _File(11, _SL, "县水利局-11月进度.xlsx", 25, edits=(_uncorrected_015,)),
    _File(11, _SL, "县水利局-11月进度（更正）.xlsx", 28),
    _File(11, _GYY, "工业园管委会2026年11月重点项目进度.xlsx", 25),
    _File(11, _WL, "县文化旅游广电体育局-11月进度.xlsx", 27),
    _File(11, _NY, "农业农村局11月.xlsx", 26),
    _File(11, _WJ, "县卫生健康局-11月进度.xlsx", 25),
    _File(11, _LB, "泷泊镇.xlsx", 26, unit_line=False),
    _File(11, _JC, "江村镇-11月进度.csv", 26),
    _File(11, _WLP, "五里牌镇11月.xlsx", 27),
)


# ---------------------------------------------------------------- cell values

def _amount(value: float, style: str) -> Value:
    if style == "number":
        return value
    if style == "yuan":
        return round(value * 10000)
    text = _trim(value, grouping=style == "comma")
    if style == "fullwidth":
        return text.translate(_FULLWIDTH)
    return f"{text}万元" if style == "wan" else text


def _date(value: dt.date, style: str) -> Value:
    match style:
        case "iso":
            return value.isoformat()
        case "slash":
            return f"{value.year}/{value.month}/{value.day}"
        case "cn":
            return _cn_date(value)
        case "cn_month":
            return f"{value.year}年{value.month}月"
        case "dot_month":
            return f"{value.year}.{value.month}"
    return value


def _flag(key: str, value: bool, style: str) -> str:
    if style == "开工" and key == "started":
        return "已开工" if value else "未开工"
    yes, no = _FLAG_WORDS.get(style, ("是", "否"))
    return yes if value else no


def _cell(key: str, value: object, layout: _Layout) -> Value:
    if value is None or isinstance(value, str):
        return str(value) if isinstance(value, _Raw) else value
    if key in _AMOUNT_KEYS:
        return _amount(cast(float, value), layout.numbers)
    if key in _DATE_KEYS and isinstance(value, dt.date):
        return _date(value, layout.dates)
    if key in _FLAG_KEYS:
        return _flag(key, bool(value), layout.flags)
    return cast(Value, value)


# ---------------------------------------------------------------- the sheet as a grid

@dataclass
class _Grid:
    """A sheet's cells row by row (None = empty), with merged ranges (1-based) and the
    rows to set in bold."""

    width: int
    rows: list[list[Value]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bold: set[int] = field(default_factory=set)

    def add(self, cells: dict[int, Value], bold: bool = False) -> int:
        self.rows.append([cells.get(c) for c in range(self.width)])
        if bold:
            self.bold.add(len(self.rows))
        return len(self.rows)


def _grid(layout: _Layout, spec: _File, rows: list[Row]) -> _Grid:
    grid = _Grid(len(layout.columns))
    title = grid.add({0: f"{COUNTY}{YEAR}年重点项目建设进度表（{spec.month}月）"}, bold=True)
    grid.merges.append((title, 1, title, grid.width))
    _add_meta(grid, layout, spec)
    _add_header(grid, layout, spec.month)
    body = _body(layout, rows)
    totals = _totals(layout, rows)
    for line in [totals, *body] if layout.totals == "top" else [*body, totals]:
        grid.add(line)
    if layout.footer:
        phone = next(p for unit, _, p in _UNITS if unit == spec.unit)
        grid.add({})
        grid.add({0: f"填表人：唐晓燕　　审核人：蒋卫军　　联系电话：{phone}"})
    return grid


def _add_meta(grid: _Grid, layout: _Layout, spec: _File) -> None:
    unit = f"填报单位：{spec.unit}" if spec.unit_line else None
    day = f"填报日期：{_cn_date(dt.date(YEAR, spec.month, spec.day))}"
    note = f"单位：{layout.amount_unit.strip('（）') or '万元'}"
    if layout.split_meta:
        if unit:
            grid.add({0: unit})
        grid.add({0: day, grid.width - 1: note})
    else:
        grid.add({0: unit or day, grid.width - 4: day if unit else None,
                  grid.width - 1: note})


def _header_text(key: str, layout: _Layout, month: int, in_group: bool) -> str:
    text = layout.headers.get(key, _HEADERS[key]).format(m=month)
    return text if in_group or key not in _AMOUNT_KEYS else text + layout.amount_unit


def _add_header(grid: _Grid, layout: _Layout, month: int) -> None:
    if not layout.groups:
        grid.add({c: _header_text(k, layout, month, False)
                  for c, k in enumerate(layout.columns)}, bold=True)
        return
    parents = {key: group for group in layout.groups for key in group[1]}
    top: dict[int, Value] = {}
    bottom: dict[int, Value] = {}
    first = len(grid.rows) + 1
    for c, key in enumerate(layout.columns):
        label, members = parents.get(key, ("", ()))
        if not members:
            top[c] = _header_text(key, layout, month, False)
            grid.merges.append((first, c + 1, first + 1, c + 1))
            continue
        bottom[c] = _header_text(key, layout, month, True)
        if key == members[0]:
            amounts = any(member in _AMOUNT_KEYS for member in members)
            top[c] = label + (layout.amount_unit if amounts else "")
            grid.merges.append((first, c + 1, first, c + len(members)))
    grid.add(top, bold=True)
    grid.add(bottom, bold=True)


def _body(layout: _Layout, rows: list[Row]) -> list[dict[int, Value]]:
    ordered = sorted(rows, key=lambda row: _CATEGORIES.index(str(row["category"])))
    lines: list[dict[int, Value]] = []
    seq = 0
    sections = groupby(ordered, key=lambda row: row["category"])
    for index, (category, members) in enumerate(sections):
        if layout.sections:
            lines.append({0: _section_label(layout.sections, index, str(category))})
        for row in members:
            seq += 1
            lines.append(_data_line(layout, row, seq))
        if layout.blank_rows:
            lines.append({})
    return lines


def _section_label(style: str, index: int, category: str) -> str:
    numeral = _NUMERALS[index]
    prefix = f"（{numeral}）" if style.startswith("（") else f"{numeral}、"
    return f"{prefix}{category}项目"


def _data_line(layout: _Layout, row: Row, seq: int) -> dict[int, Value]:
    values = dict(row, seq=seq)
    return {c: _cell(key, values.get(key), layout) for c, key in enumerate(layout.columns)}


def _totals(layout: _Layout, rows: list[Row]) -> dict[int, Value]:
    line: dict[int, Value] = {layout.columns.index("name"): layout.totals_label}
    for c, key in enumerate(layout.columns):
        if key in _AMOUNT_KEYS:
            numbers = [v for row in rows if isinstance(v := row.get(key), float)]
            line[c] = _amount(_r1(sum(numbers)), layout.numbers)
    return line


# ---------------------------------------------------------------- writing files

def _save_workbook(workbook: Workbook, path: pathlib.Path, creator: str) -> pathlib.Path:
    """Save with fixed properties and zip entry times, so a seed gives the same bytes
    (openpyxl's own save stamps the clock into both)."""
    workbook.properties.creator = creator
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(workbook, _FIXED_TIME))
    return path


def _fill(sheet: Worksheet, grid: _Grid, date_format: str) -> None:
    for r, line in enumerate(grid.rows, 1):
        for c, value in enumerate(line, 1):
            if value is None:
                continue
            cell = sheet.cell(r, c, value)
            if isinstance(value, dt.date):
                cell.number_format = date_format
            if r in grid.bold:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center",
                                           wrap_text=True)
    for r1, c1, r2, c2 in grid.merges:
        sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    return workbook, sheet


def _set_widths(sheet: Worksheet, headers: Sequence[str]) -> None:
    wide = {"项目名称": 40, "形象进度": 36, "工程进展": 36}
    for c, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(c)].width = wide.get(header, 14)


def _write_submission(folder: pathlib.Path, spec: _File, rows: list[Row]) -> pathlib.Path:
    rows = [dict(row) for row in rows]
    for edit in spec.edits:
        edit(rows)
    layout = _LAYOUTS[spec.unit]
    grid = _grid(layout, spec, rows)
    path = folder / spec.name
    if path.suffix == ".csv":
        return _write_csv(path, grid)
    workbook, sheet = _new_workbook(layout.sheet.format(m=spec.month))
    _fill(sheet, grid, _EXCEL_DATE_FORMATS.get(layout.dates, "yyyy-mm-dd"))
    _set_widths(sheet, [_HEADERS[key] for key in layout.columns])
    if layout.notes:
        notes = workbook.create_sheet("填表说明", 0 if layout.notes == "before" else None)
        for line in _INSTRUCTIONS:
            notes.append([line])
        notes.column_dimensions["A"].width = 90
    if layout.hidden:
        _add_hidden_lists(workbook)
    return _save_workbook(workbook, path, spec.unit)


def _add_hidden_lists(workbook: Workbook) -> None:
    """The source of the sheet's drop-down lists, hidden as WPS templates do."""
    sheet = workbook.create_sheet("下拉选项")
    sheet.sheet_state = "hidden"
    sheet.append(["问题类型", "项目类别", "是否"])
    lists: list[list[str | None]] = [list(_PROBLEMS), list(_CATEGORIES), ["√", "×"]]
    for values in zip(*(column + [None] * (len(_PROBLEMS) - len(column)) for column in lists)):
        sheet.append(list(values))


def _write_csv(path: pathlib.Path, grid: _Grid) -> pathlib.Path:
    """A WPS “另存为 CSV” export: GB18030, no merges, numbers as shown."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        for line in grid.rows:
            writer.writerow([_csv_text(value) for value in line])
    return path


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    return _trim(value) if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- register and config

_REGISTER_HEADERS = (
    "项目编号", "项目名称", "项目类别", "行业领域", "责任单位", "联系领导", "总投资（万元）",
    "年度计划投资（万元）", "计划开工时间", "计划竣工时间", "是否招商引资项目",
    "合同引资额（万元）", *(f"{k}月" for k in range(1, 13)),
)


def _register_line(project: _Project) -> list[Value]:
    entry = project.entry
    return [entry.pid, entry.name, entry.category, entry.sector, entry.unit, entry.leader,
            entry.total, project.annual, project.planned_start, project.planned_completion,
            "是" if entry.contract else "否", entry.contract or None,
            *(project.plan or [None] * 12)]


def _write_register(path: pathlib.Path, projects: Sequence[_Project]) -> pathlib.Path:
    workbook, sheet = _new_workbook("projects")
    sheet.append(list(_REGISTER_HEADERS))
    for project in projects:
        sheet.append(_register_line(project))
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=10):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    _set_widths(sheet, _REGISTER_HEADERS)
    sheet.freeze_panes = "C2"

    milestones = workbook.create_sheet("milestones")
    milestones.append(["项目编号", "节点名称", "计划完成时间"])
    for project in projects:
        for milestone in project.milestones:
            milestones.append([project.entry.pid, milestone.name, milestone.planned])
            milestones.cell(milestones.max_row, 3).number_format = "yyyy-mm-dd"

    contacts = workbook.create_sheet("contacts")
    contacts.append(["联系对象", "角色", "邮箱", "电话"])
    for unit, email, phone in _UNITS:
        contacts.append([unit, "责任单位", email or None, phone])
    for leader, email, phone in _LEADERS:
        contacts.append([leader, "联系领导", email, phone])
    contacts.append([_LEADERSHIP[0], "县领导", *_LEADERSHIP[1:]])
    for extra in (milestones, contacts):
        for letter in "ABCD":
            extra.column_dimensions[letter].width = 28
    return _save_workbook(workbook, path, OFFICE)


_CONFIG = f'''# {COUNTY}重点项目建设调度 —— 演示工作区（keyproj demo 生成）

[report]
county = "{COUNTY}"
office = "{OFFICE}"
next_steps = """
一是加快项目建设进度。各责任单位要对照年度计划倒排工期，滞后项目要制定赶超方案，确保完成全年投资任务。
二是强化要素保障。县自然资源局、县财政局等部门要加快用地报批和资金拨付，及时协调解决项目建设中的困难问题。
三是提高调度质量。各单位要于每月25日前据实报送进度表，年度累计数应与上月累计相衔接，杜绝漏报、错报。"""

[units.aliases]
"县交通运输局" = ["交通局", "交通运输局"]
"县住房和城乡建设局" = ["住建局"]
"县工业园管理委员会" = ["工业园管委会"]

[force_majeure]
approved = []
'''


def _write_config(path: pathlib.Path) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_CONFIG, encoding="utf-8")
    return path


# ---------------------------------------------------------------- entry point

def demo_files(dest: pathlib.Path) -> list[pathlib.Path]:
    """The files ``write_demo`` writes under ``dest`` (whatever the seed)."""
    dest = pathlib.Path(dest)
    return [dest / "keyproj.toml", dest / "input" / "register.xlsx",
            *(dest / "input" / f"{YEAR}-{spec.month:02d}" / spec.name for spec in _FILES)]


def write_demo(dest: pathlib.Path, *, seed: int = 2026) -> list[pathlib.Path]:
    """Write a realistic demo workspace under dest; return the files written."""
    dest = pathlib.Path(dest)
    projects = _build_projects(random.Random(seed))
    written = [_write_config(dest / "keyproj.toml"),
               _write_register(dest / "input" / "register.xlsx", projects)]
    for month, mistakes in _MISTAKES.items():
        batch = _month_rows(projects, month)
        for mistake in mistakes:
            mistake(batch)
        folder = dest / "input" / f"{YEAR}-{month:02d}"
        written += [_write_submission(folder, spec, batch[spec.unit])
                    for spec in _FILES if spec.month == month]
    return written
