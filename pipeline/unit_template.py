"""[IO] The sheet each unit fills in for a period, prefilled from the register and last
month's history (SPEC 7 `keyproj templates`).

The headers are the exact aliases of ``columns.SUBMISSION_ALIASES``, so a filled-in
template reads back with no finding its values do not earn. Reference columns (last
month's ytd_done, the annual plan, milestones still open) carry headers that match no
alias: the reader leaves them alone. The workbook's bytes depend only on its content
(fixed timestamps), so making a template twice gives the same file and the same hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import columns as C
from pipeline.config import Settings
from pipeline.history import ProjectFact, load_past
from pipeline.names import file_names
from pipeline.outputs import write_atomic
from pipeline.period import Period
from pipeline.register import Milestone, Project, Register

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from pipeline.run import Workspace

SHEET = "进度表"
GUIDE_SHEET = "填表说明"
HEADER_ROW = 4            # title, 填报单位, 填报日期, then the header
FIRST_DATA_ROW = HEADER_ROW + 1
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
EARLIEST_DATE = dt.date(2000, 1, 1)

# What a column holds: the reader never sees the reference ones.
SERIAL, ID, NAME, REFERENCE, AMOUNT, FLAG, DATE, TEXT, CHOICE = (
    "serial", "id", "name", "reference", "amount", "flag", "date", "text", "choice")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float
    key: str | None = None          # canonical name (columns.py) for input columns
    attraction_only: bool = False


# Input headers are aliases of SUBMISSION_ALIASES (a bracketed unit is allowed by the
# reader); test_templates checks each against headers.match_label.
COLUMNS: tuple[Column, ...] = (
    Column("序号", SERIAL, 6),
    Column("项目编号", ID, 14, C.PROJECT_ID),
    Column("项目名称", NAME, 34, C.NAME),
    Column("年度计划投资（万元）（参考）", REFERENCE, 14),
    Column("上月末累计完成投资（万元）（参考）", REFERENCE, 16),
    Column("本月完成投资（万元）", AMOUNT, 14, C.MONTH_DONE),
    Column("年度累计完成投资（万元）", AMOUNT, 16, C.YTD_DONE),
    Column("是否开工", FLAG, 9, C.STARTED),
    Column("实际开工时间", DATE, 13, C.ACTUAL_START),
    Column("是否竣工", FLAG, 9, C.COMPLETED),
    Column("形象进度", TEXT, 36, C.PHYSICAL_PROGRESS),
    Column("存在问题", TEXT, 30, C.PROBLEM),
    Column("问题类型", CHOICE, 11, C.PROBLEM_TYPE),
    Column("需协调事项", TEXT, 30, C.COORDINATION),
    Column("到位资金（万元）", AMOUNT, 13, C.FUNDS_IN_PLACE, attraction_only=True),
    Column("是否履约", FLAG, 9, C.PERFORMING, attraction_only=True),
    Column("待完成节点（参考）", REFERENCE, 26),
    Column("完成节点", TEXT, 16, C.MILESTONE),
    Column("完成时间", DATE, 13, C.MILESTONE_DONE),
    Column("不可抗力说明", TEXT, 24, C.FORCE_MAJEURE),
)
REFERENCE_HEADERS = tuple(c.header for c in COLUMNS if c.kind == REFERENCE)
LOCKED_KINDS = frozenset({ID, NAME})


@dataclass(frozen=True)
class TemplateRow:
    project: Project
    last_ytd: float | None           # last month's ytd_done (history), None when unknown
    open_milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class TemplateContext:
    """Everything one unit's workbook shows."""

    unit: str
    period: Period
    rows: tuple[TemplateRow, ...]
    county: str = ""
    office: str = ""
    reference_period: Period | None = None     # the month the reference column comes from
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return f"{self.county}{self.period.year}年重点项目建设进度表（{self.period.month}月）"


def template_contexts(register: Register, period: Period, settings: Settings,
                      previous: dict[str, ProjectFact] | None,
                      done: dict[str, set[str]] | None = None) -> dict[str, TemplateContext]:
    """unit -> the context of its template for ``period``; ``previous`` is P − 1's history
    (same year: January has no reference), ``done`` the milestones already done."""
    done = done or {}
    reference = period.previous if previous is not None else None
    by_project: dict[str, list[Milestone]] = {}
    for milestone in sorted(register.milestones, key=lambda m: (m.planned, m.name)):
        if milestone.name not in done.get(milestone.project_id, set()):
            by_project.setdefault(milestone.project_id, []).append(milestone)
    out = {}
    for unit in register.units:
        rows = []
        for project in register.projects:
            if project.unit != unit:
                continue
            fact = (previous or {}).get(project.project_id)
            rows.append(TemplateRow(project, fact.ytd_done if fact else None,
                                    tuple(by_project.get(project.project_id, ()))))
        out[unit] = TemplateContext(unit=unit, period=period, rows=tuple(rows),
                                    county=settings.report.county,
                                    office=settings.report.office, reference_period=reference)
    return out


def build_template(ctx: TemplateContext) -> bytes:
    """One unit's workbook as .xlsx bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    _fill_sheet(sheet, ctx)
    guide = workbook.create_sheet(GUIDE_SHEET)
    _fill_guide(guide, ctx)
    fixed = dt.datetime.combine(dt.date(ctx.period.year, ctx.period.month, 1), dt.time())
    workbook.properties.creator = ctx.office or "keyproj"
    workbook.properties.title = ctx.title
    from pipeline.xlsx import workbook_bytes

    return workbook_bytes(workbook, fixed)


def _fill_sheet(sheet: Worksheet, ctx: TemplateContext) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    width = len(COLUMNS)
    last_letter = get_column_letter(width)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="EDEDED")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    unlocked = Protection(locked=False)

    sheet["A1"] = ctx.title
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last_letter}1")
    sheet.row_dimensions[1].height = 30
    # the reader takes the unit from this line: keep it as the register writes the name
    sheet["A2"] = f"填报单位：{ctx.unit}"
    sheet.merge_cells("A2:E2")
    # the date goes in C3 (A3 runs over the empty B3): the reader takes the cell after
    sheet["A3"] = "填报日期："
    sheet["C3"].number_format = DATE_FORMAT
    sheet["C3"].protection = unlocked
    sheet["C3"].alignment = Alignment(horizontal="left")
    sheet["F2"] = "金额单位：万元"

    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, index, column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        cell.fill = grey if column.kind == REFERENCE else header_fill
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[HEADER_ROW].height = 42

    for offset, row in enumerate(ctx.rows):
        r = FIRST_DATA_ROW + offset
        project = row.project
        values: dict[str, object] = {
            SERIAL: offset + 1, ID: project.project_id, NAME: project.name}
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(r, index)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=column.kind in (NAME, TEXT,
                                                                                   REFERENCE))
            if column.kind in values:
                cell.value = values[column.kind]
            elif column.header.startswith("年度计划投资"):
                cell.value = project.annual_plan
            elif column.header.startswith("上月末"):
                cell.value = row.last_ytd
            elif column.header.startswith("待完成节点"):
                cell.value = "、".join(f"{m.name}（{m.planned.isoformat()}）"
                                      for m in row.open_milestones) or None
            if column.kind in (AMOUNT, REFERENCE) and not column.header.startswith("待完成"):
                cell.number_format = AMOUNT_FORMAT
            elif column.kind == DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind in (ID, TEXT, CHOICE, FLAG) or column.header.startswith("待完成"):
                cell.number_format = TEXT_FORMAT
            if column.kind not in LOCKED_KINDS:
                cell.protection = unlocked
            if column.kind == REFERENCE or (column.attraction_only and not project.attraction):
                cell.fill = grey
    last_row = FIRST_DATA_ROW + max(len(ctx.rows), 1) - 1
    footer = last_row + 2
    sheet.cell(footer, 2, "填报人：")
    sheet.cell(footer, 6, "联系电话：")
    sheet.cell(footer, 11, "审核人：")
    for col in (3, 7, 12):
        sheet.cell(footer, col).protection = unlocked

    _validations(sheet, ctx, last_row, DataValidation)
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 4)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # protected without a password: it keeps ids and names from being changed by mistake,
    # not from anyone who means to (Excel: 审阅 → 撤消工作表保护)
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _validations(sheet: Worksheet, ctx: TemplateContext, last_row: int, factory: type) -> None:
    from openpyxl.utils import get_column_letter

    if not ctx.rows:
        return
    end = ctx.period.end

    def spans(kind: str) -> list[str]:
        letters = [get_column_letter(i) for i, c in enumerate(COLUMNS, start=1) if c.kind == kind]
        return [f"{x}{FIRST_DATA_ROW}:{x}{last_row}" for x in letters]

    rules = [
        (FLAG, factory(type="list", formula1='"是,否"', allow_blank=True,
                       errorTitle="请选择", error="请从下拉列表选择“是”或“否”。",
                       promptTitle="是/否", prompt="从下拉列表选择“是”或“否”")),
        (CHOICE, factory(type="list", formula1='"' + ",".join(C.PROBLEM_TYPES) + '"',
                         allow_blank=True, errorTitle="问题类型",
                         error="请从下拉列表选择问题类型：" + "、".join(C.PROBLEM_TYPES) + "。",
                         promptTitle="问题类型", prompt="有问题时从下拉列表选择类型")),
        (AMOUNT, factory(type="decimal", operator="greaterThanOrEqual", formula1="0",
                         allow_blank=True, errorTitle="金额",
                         error="请填写不小于 0 的数字，单位万元，不要带“万元”等文字。",
                         promptTitle="金额（万元）", prompt="填数字，单位万元")),
        (DATE, factory(type="date", operator="between",
                       formula1=f"DATE({EARLIEST_DATE.year},{EARLIEST_DATE.month},"
                                f"{EARLIEST_DATE.day})",
                       formula2=f"DATE({end.year},{end.month},{end.day})", allow_blank=True,
                       errorTitle="日期", error=f"请填写不晚于 {end.isoformat()} 的日期，如 "
                                                f"{end.isoformat()}。",
                       promptTitle="日期", prompt=f"如 {end.isoformat()}，不晚于本月底")),
    ]
    for kind, rule in rules:
        rule.showErrorMessage = True
        rule.showInputMessage = True
        for cells in spans(kind):
            rule.add(cells)
        sheet.add_data_validation(rule)
    date_rule = factory(type="date", operator="between",
                        formula1=f"DATE({EARLIEST_DATE.year},1,1)",
                        formula2=f"DATE({end.year + 1},12,31)", allow_blank=True,
                        showErrorMessage=True, error="请填写日期，如 2026-11-25。")
    date_rule.add("C3")
    sheet.add_data_validation(date_rule)


def guide_lines(ctx: TemplateContext) -> list[str]:
    """The 填表说明 sheet, one paragraph a line."""
    period = ctx.period
    month = f"{period.year}年{period.month}月"
    if ctx.reference_period is not None:
        reference = (f"“上月末累计完成投资（参考）”是本单位{ctx.reference_period.month}月报送并经"
                     "审核的年度累计完成投资，仅供参考，不需填写；本月“年度累计完成投资”应等于"
                     "它加上“本月完成投资”。")
    elif period.month == 1:
        reference = "1月为年度首月，“上月末累计完成投资（参考）”为空：年度累计从1月1日起算。"
    else:
        reference = ("暂无上月数据，“上月末累计完成投资（参考）”为空；年度累计完成投资仍应"
                     "与上月报送数相衔接。")
    office = ctx.office or "县重点项目办"
    return [
        f"{ctx.county}{month}重点项目建设进度表 填表说明",
        (f"一、本表由{office}根据{period.year}年度重点项目库生成，列出{ctx.unit}负责的"
        f"{len(ctx.rows)}个项目。请据实填写“{SHEET}”工作表后报送。"),
        ("二、“项目编号”“项目名称”已锁定（工作表保护，未设密码），请勿修改；不要增删行列、"
        "不要改动表头和“填报单位”一行。项目信息有误或需调整的，请与县重点项目办联系。"),
        "三、金额单位均为万元，填数字即可（可保留两位小数），不要加“万元”等文字；没有发生的填 0。",
        "四、“年度累计完成投资”为本年1月1日至本月底累计完成的投资（含本月），必须填写。",
        f"五、{reference}",
        ("六、“是否开工”“是否竣工”“是否履约”从下拉列表选择“是”或“否”；已开工的项目请填写"
        "“实际开工时间”。"),
        (f"七、日期请填写为 {period.end.isoformat()} 这样的格式，且不晚于本月底"
        f"（{period.end.isoformat()}）。"),
        "八、有困难或问题的，在“存在问题”中写明，并从下拉列表选择“问题类型”（"
        + "、".join(C.PROBLEM_TYPES) + "）；需要县级领导协调解决的，写入“需协调事项”。",
        ("九、“到位资金”“是否履约”只由招商引资项目填写（其他项目为灰色，不需填写）；到位资金"
        "为累计到位数。"),
        ("十、本月完成了时间节点的，在“完成节点”填写节点名称（多个用“、”分隔），在“完成时间”"
        "填写完成日期；“待完成节点（参考）”列出项目库中尚未完成的节点及计划完成时间。"),
        ("十一、因不可抗力影响进度的，在“不可抗力说明”写明原因，经县重点项目办认定后不列入"
        "黑榜；没有的留空。"),
        "十二、灰色底纹的“参考”列不需填写，改动也不会被采用。",
        "十三、请保存为 .xlsx 格式报送，不要设置打开密码；文件名可自定。",
    ]


def _fill_guide(sheet: Worksheet, ctx: TemplateContext) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 110
    for index, line in enumerate(guide_lines(ctx), start=1):
        cell = sheet.cell(index, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1:
            cell.font = Font(size=14, bold=True)


def templates_dir(workspace: Workspace, period: Period) -> Path:
    return workspace.period_output(period) / "templates"


def template_paths(register: Register, workspace: Workspace, period: Period) -> dict[str, Path]:
    """unit -> output/P/templates/<unit>.xlsx (file names as names.file_names gives them)."""
    folder = templates_dir(workspace, period)
    return {unit: folder / f"{name}.xlsx" for unit, name in file_names(register.units).items()}


def write_templates(workspace: Workspace, period: Period, settings: Settings, *,
                    register: Register | None = None, only_missing: bool = False,
                    units: Iterable[str] | None = None) -> dict[str, Path]:
    """Write output/P/templates/<unit>.xlsx for every unit (or ``units``); return unit ->
    path of those written. ``only_missing`` keeps templates already there."""
    from pipeline.run import load_register

    register = register or load_register(workspace, settings)
    previous_period = period.previous
    past = load_past(workspace.history_path, before=period)
    previous = (past.projects[str(previous_period)]
                if previous_period is not None and past.held(previous_period) else None)
    # done by the end of the last month reported (a date reported ahead of it is not
    # done yet: the template still asks for it)
    cutoff = previous_period.end if previous_period is not None else period.end
    done: dict[str, set[str]] = {}
    for by_project in past.milestones.values():
        for pid, names in by_project.items():
            done.setdefault(pid, set()).update(
                name for name, when in names.items() if when <= cutoff)
    contexts = template_contexts(register, period, settings, previous, done)
    paths = template_paths(register, workspace, period)
    wanted = set(units) if units is not None else set(contexts)
    written = {}
    for unit, ctx in contexts.items():
        path = paths[unit]
        if unit not in wanted or (only_missing and path.exists()):
            continue
        write_atomic(path, build_template(ctx))
        written[unit] = path
    return written


def reference_period(workspace: Workspace, period: Period) -> Period | None:
    """The month the reference column comes from, when the history holds it."""
    previous = period.previous
    if previous is None:
        return None
    past = load_past(workspace.history_path, before=period)
    return previous if past.held(previous) else None


def default_period(workspace: Workspace) -> Period:
    """The month after the latest period the history holds, else after the latest
    input/YYYY-MM/: the sheet the units fill in next."""
    from pipeline.errors import PeriodError
    from pipeline.history import summary
    from pipeline.period import latest_period

    held = [Period.parse(item.period) for item in summary(workspace.history_path)]
    if held:
        return max(held).next
    try:
        return latest_period(workspace.input_dir).next
    except PeriodError as exc:
        raise PeriodError("不知道要生成哪个月的模板：请用 --period 指定，如 --period 2026-11 / "
                          "no history and no input/YYYY-MM/ folder: say which month with "
                          "--period, e.g. --period 2026-11") from exc
