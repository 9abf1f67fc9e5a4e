"""[pure] The year's register: projects, milestones, contacts (SPEC 3), from a read Book."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline import columns as C
from pipeline.check import field_zh, parse_cell, parse_row_cell
from pipeline.findings import CellRef, Finding, finding
from pipeline.headers import Header, alias_table, find_header
from pipeline.read import Book, Grid
from pipeline.sheet import RawRow, extract_rows
from pipeline.values import (
    clean_text,
    is_empty,
    leaders_of,
    nfkc,
    norm_id,
    norm_name,
    short_form,
)

REGISTER_FILE = "../register.xlsx"


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    category: str | None          # code: new | continuing | completing | preparatory
    sector: str
    unit: str
    leader: str
    total_investment: float | None
    annual_plan: float | None
    planned_start: dt.date | None
    planned_completion: dt.date | None
    attraction: bool
    contract_amount: float | None
    plans: tuple[float | None, ...]   # plan_1 … plan_12, planned cumulative 万元


@dataclass(frozen=True)
class Milestone:
    project_id: str
    name: str
    planned: dt.date


@dataclass
class Register:
    projects: list[Project]
    milestones: list[Milestone] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def units(self) -> list[str]:
        """Every responsible unit (a row naming none is a register_error, not a unit)."""
        return sorted({p.unit for p in self.projects if p.unit})

    @property
    def leaders(self) -> list[str]:
        """Every liaison leader, one by one (a cell may name two: ``leaders_of``)."""
        return sorted({name for p in self.projects for name in leaders_of(p.leader)})

    def by_id(self) -> dict[str, Project]:
        return {norm_id(p.project_id): p for p in self.projects}


def _pick(grids: list[Grid], names: tuple[str, ...], default_first: bool,
          table: dict[str, str], required: tuple[str, ...],
          taken: tuple[Grid | None, ...] = ()) -> Grid | None:
    """The sheet named one of ``names``; else the first visible sheet (not one ``taken``)
    whose header names the ``required`` columns (a 填表说明 or 汇总 sheet first, the
    milestones on a sheet named 项目节点计划); else, with ``default_first``, the first
    sheet."""
    for grid in grids:
        if grid.name.strip().lower() in names:
            return grid
    visible = [g for g in grids if not g.hidden] or grids
    for grid in visible:
        if not any(grid is t for t in taken) and find_header(grid.rows, table, required):
            return grid
    return visible[0] if default_first and visible else None


def _category(value: Any) -> str | None:
    text = clean_text(value).replace(" ", "")
    if text in C.CATEGORIES:
        return C.CATEGORIES[text]
    if text.lower() in C.CATEGORY_ZH:
        return text.lower()
    return C.CATEGORY_EXTRA.get(text)


def _project(raw: RawRow, findings: list[Finding]) -> Project | None:
    values: dict[str, Any] = {}
    place = (raw.file, raw.sheet, raw.row)
    for name, cell in raw.cells.items():
        value, found, _ = parse_row_cell(name, cell, place, period_end=None)
        values[name] = value
        if found:
            findings.extend(_as_register(f) for f in found if f.severity != "info")

    def place(name: str) -> CellRef:
        cell = raw.cells.get(name)
        return CellRef(raw.file, raw.sheet, raw.row, cell.column if cell else None)

    pid = clean_text(raw.cells[C.PROJECT_ID].value) if C.PROJECT_ID in raw.cells else ""
    for name in C.REGISTER_REQUIRED:
        if name not in raw.cells:      # said once for the sheet (parse_register)
            continue
        if values.get(name) in (None, "") and name != C.CATEGORY:
            findings.append(finding(
                "register_error", f"项目库{field_zh(name)}未填写，请在项目库中补填",
                f"the register's {name} is empty; fill it in", ref=place(name),
                project_id=pid or None))
    name = clean_text(values.get(C.NAME))
    if not pid or not name:
        return None
    category = _category(values.get(C.CATEGORY))
    if category is None:
        findings.append(finding(
            "register_error", "项目类别应为 新开工/续建/竣工投产/前期 之一",
            "category must be one of 新开工/续建/竣工投产/前期 (new/continuing/completing/"
            "preparatory)", ref=place(C.CATEGORY), project_id=pid))
    # what SPEC 3 requires of a category (or an attraction project): without it a rule
    # cannot judge the project (a new one without a planned start is never overdue)
    for needed, when in ((C.PLANNED_START, category == "new"),
                         (C.PLANNED_COMPLETION, category == "completing"),
                         (C.CONTRACT_AMOUNT, bool(values.get(C.ATTRACTION)))):
        if when and values.get(needed) is None and needed not in _unusable(values, raw):
            findings.append(finding(
                "register_error", f"项目库{field_zh(needed)}未填写（{_WHY[needed][0]}需要），请补填",
                f"the register's {needed} is empty ({_WHY[needed][1]} need one); fill it in",
                ref=place(needed), project_id=pid))
    return Project(
        project_id=pid, name=name, category=category,
        sector=clean_text(values.get(C.SECTOR)), unit=clean_text(values.get(C.UNIT)),
        leader=clean_text(values.get(C.LEADER)),
        total_investment=values.get(C.TOTAL_INVESTMENT), annual_plan=values.get(C.ANNUAL_PLAN),
        planned_start=values.get(C.PLANNED_START),
        planned_completion=values.get(C.PLANNED_COMPLETION),
        attraction=bool(values.get(C.ATTRACTION)),
        contract_amount=values.get(C.CONTRACT_AMOUNT),
        plans=_cumulative(tuple(map(values.get, C.PLAN_MONTHS)), values.get(C.ANNUAL_PLAN),
                          raw, pid, findings),
    )


def _cumulative(plans: tuple[Any, ...], annual: Any, raw: RawRow, pid: str,
                findings: list[Finding]) -> tuple[Any, ...]:
    """The monthly plans as SPEC 3 has them: planned cumulative 万元 by each month's end.

    A register that gives each month's own amount (10, 10, … summing to the annual plan,
    December's far below it) is added up, with ``plans_cumulated`` (info); cumulative plans
    that go down from one month to the next are a ``register_error`` (T is taken from them
    as they are)."""
    if not all(isinstance(p, (int, float)) for p in plans) or not isinstance(annual, (int, float)):
        return plans
    tolerance = max(0.5, abs(annual) * 1e-6)
    ref = CellRef(raw.file, raw.sheet, raw.row, raw.cells[C.PLAN_MONTHS[0]].column)
    if abs(plans[-1] - annual) > tolerance and abs(sum(plans) - annual) <= tolerance:
        findings.append(finding(
            "plans_cumulated", "项目库1-12月计划为各月计划数（合计等于年度计划），已逐月累加为计划累计数",
            "the register's plans for 1-12月 are each month's own (summing to the annual plan): "
            "added up into cumulative plans", ref=ref, project_id=pid or None))
        total, out = 0.0, []
        for value in plans:
            total += value
            out.append(total)
        return tuple(out)
    if any(later < earlier - tolerance for earlier, later in itertools.pairwise(plans)):
        findings.append(finding(
            "register_error", "项目库1-12月计划累计数逐月减少，应为截至各月末的累计计划（12月等于年度计划）",
            "the register's cumulative plans for 1-12月 go down from one month to the next; "
            "each must be the plan to that month's end (December: the annual plan)", ref=ref,
            project_id=pid or None))
    return plans


_WHY = {C.PLANNED_START: ("新开工项目", "new projects"),
        C.PLANNED_COMPLETION: ("竣工投产项目", "completing projects"),
        C.CONTRACT_AMOUNT: ("招商引资项目", "attraction projects")}


def _unusable(values: dict[str, Any], raw: RawRow) -> set[str]:
    """The cells of ``raw`` that hold something unreadable (already a register_error)."""
    return {name for name, cell in raw.cells.items()
            if values.get(name) is None and not is_empty(cell.value)}


def _as_register(f: Finding) -> Finding:
    """A bad register cell is the office's to fix: one code, register_error."""
    return replace(f, code="register_error", message=f"项目库单元格有误 / register cell: {f.message}")


def parse_register(book: Book) -> Register:
    """Projects, milestones and contacts from the register workbook; bad cells are findings."""
    findings = list(book.findings)
    projects_grid = _pick(book.grids, ("projects", "项目", "项目库"), True, _REGISTER_TABLE,
                          (C.PROJECT_ID,))
    projects: list[Project] = []
    if projects_grid is not None:
        sheet = extract_rows(projects_grid.rows, file=REGISTER_FILE, sheet=projects_grid.name,
                             table=_REGISTER_TABLE, required=(C.PROJECT_ID,))
        if sheet.header is not None:
            findings.extend(_missing_columns(sheet.header, projects_grid.name))
        seen: set[str] = set()
        for raw in sheet.rows:
            project = _project(raw, findings)
            if project is None:
                continue
            key = norm_id(project.project_id)
            if key in seen:
                findings.append(finding(
                    "duplicate_project", f"项目编号 {project.project_id} 在项目库中重复，只取第一行",
                    f"project_id {project.project_id} appears twice in the register; the first "
                    "row is used", ref=CellRef(raw.file, raw.sheet, raw.row,
                                               raw.cells[C.PROJECT_ID].column),
                    project_id=project.project_id))
                continue
            seen.add(key)
            projects.append(project)
    register = Register(projects=_one_spelling(projects, findings), findings=findings)
    register.milestones = _milestones(book, register, projects_grid)
    register.contacts = _contacts(book, projects_grid)
    return register


def _one_spelling(projects: list[Project], findings: list[Finding]) -> list[Project]:
    """A unit the register writes both in full and by its short form (县交通运输局 and
    交通运输局, 泷泊镇人民政府 and 泷泊镇) is one unit, under its full name, with a
    register_error (else it would be two units, each ranked, and a unit_mismatch on its own
    sheet). A short form that could be either of two full names (县交通运输局, 市交通运输局)
    is left as written."""
    spellings: dict[str, set[str]] = {}
    for p in projects:
        if p.unit:
            spellings.setdefault(short_form(p.unit), set()).add(p.unit)
    chosen = {}
    for short, forms in spellings.items():
        full = forms - {short}
        if short in forms and len(full) == 1:
            name = full.pop()
            chosen[short] = name
            others = short
            findings.append(finding(
                "register_error", f"项目库中责任单位“{name}”又写作“{others}”，已按“{name}”合并；"
                "请统一写法", f"the register writes the unit {name} also as {others}: merged "
                f"as {name}; write it one way", ref=CellRef(REGISTER_FILE, "")))
    return [replace(p, unit=chosen[p.unit]) if p.unit in chosen else p for p in projects]


_REGISTER_TABLE = alias_table(C.REGISTER_ALIASES)
_MILESTONE_TABLE = alias_table(C.MILESTONE_ALIASES)
_CONTACT_TABLE = alias_table(C.CONTACT_ALIASES)


def _missing_columns(header: Header, sheet: str) -> list[Finding]:
    """A finding for each required column the projects sheet's header does not name (once,
    not a finding a row that says the cell is empty)."""
    named = set(header.columns.values())
    return [finding(
        "register_error", f"项目库表头中没有“{field_zh(name)}”列（可用表头：{'、'.join(aliases)}），"
        "各项目的该项无法读取；请按模板补上该列",
        f"the register's header has no {name} column (headers accepted: {', '.join(aliases)}); "
        "no project's value can be read: add the column as in the template",
        ref=CellRef(REGISTER_FILE, sheet, header.first_row + 1))
        for name in C.REGISTER_REQUIRED if name not in named
        for aliases in [C.REGISTER_ALIASES[name][:3]]]


def _milestones(book: Book, register: Register, taken: Grid | None) -> list[Milestone]:
    grid = _pick(book.grids, ("milestones", "时间节点", "节点"), False, _MILESTONE_TABLE,
                 (C.MILESTONE,), (taken,))
    if grid is None:
        return []
    sheet = extract_rows(grid.rows, file=REGISTER_FILE, sheet=grid.name,
                         table=_MILESTONE_TABLE, required=(C.MILESTONE,))
    known = register.by_id()
    out = []
    for raw in sheet.rows:
        pid = norm_id(raw.cells[C.PROJECT_ID].value) if C.PROJECT_ID in raw.cells else ""
        name = norm_name(raw.cells[C.MILESTONE].value) if C.MILESTONE in raw.cells else ""
        cell = raw.cells.get(C.MILESTONE_PLANNED)
        ref = CellRef(raw.file, raw.sheet, raw.row, cell.column if cell else None)
        planned, found, _ = (parse_cell(C.MILESTONE_PLANNED, cell, ref, period_end=None)
                             if cell else (None, [], False))
        register.findings.extend(_as_register(f) for f in found)
        if pid not in known or not name or planned is None:
            register.findings.append(finding(
                "register_error", "节点行缺少已登记的项目编号、节点名称或计划完成时间，未采用",
                "milestone row lacks a registered project_id, a name or a planned date; "
                "not used", ref=ref))
            continue
        out.append(Milestone(known[pid].project_id, name, planned))
    return out


_ROLE_WORDS = {key: role for role, words in C.CONTACT_ROLES.items()
               for key in (role, *words)} | {"单位": "unit"}


def contact_role(text: str) -> str:
    """责任单位 / 联系领导 / 县领导 (or the code) -> unit | leader | leadership; '' when the
    text names no known role."""
    return _ROLE_WORDS.get(nfkc(clean_text(text)).replace(" ", "").lower(), "")


def _contacts(book: Book, taken: Grid | None) -> list[dict[str, str]]:
    """One dict a recipient: name, role (unit | leader | leadership, or the text as written
    when it names no known role), email, phone (SPEC 3).

    The recipient is named by a ``name`` (联系对象) column with a ``role`` (角色) column, or
    in a column per role (责任单位, 联系领导, 县领导); a row naming several takes the first of
    unit, leader, leadership. Rows that name nobody are left out.
    """
    grid = _pick(book.grids, ("contacts", "联系人", "通讯录", "联系方式"), False, _CONTACT_TABLE,
                 ("email", "phone"), (taken,))
    if grid is None:
        return []
    sheet = extract_rows(grid.rows, file=REGISTER_FILE, sheet=grid.name,
                         table=_CONTACT_TABLE, required=("email", "phone"))
    out = []
    for raw in sheet.rows:
        cells = {key: clean_text(cell.value) for key, cell in raw.cells.items()}
        written = cells.get("role", "")
        name, role = cells.get("name", ""), contact_role(written)
        if not name:
            named = [r for r in C.CONTACT_ROLES if cells.get(r)]
            if named:
                name, role = cells[named[0]], role or named[0]
        if not name:
            continue
        out.append({"name": name, "role": role or written, "email": cells.get("email", ""),
                    "phone": cells.get("phone", "")})
    return out
