"""[pure] The year's register: projects, milestones, contacts (SPEC 3), from a read Book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline import columns as C
from pipeline.check import field_zh, parse_cell, parse_row_cell
from pipeline.findings import CellRef, Finding, finding
from pipeline.headers import alias_table
from pipeline.read import Book, Grid
from pipeline.sheet import RawRow, extract_rows
from pipeline.values import clean_text, leaders_of, nfkc, norm_id, norm_name

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
        return sorted({p.unit for p in self.projects})

    @property
    def leaders(self) -> list[str]:
        """Every liaison leader, one by one (a cell may name two: ``leaders_of``)."""
        return sorted({name for p in self.projects for name in leaders_of(p.leader)})

    def by_id(self) -> dict[str, Project]:
        return {norm_id(p.project_id): p for p in self.projects}


def _pick(grids: list[Grid], names: tuple[str, ...], default_first: bool) -> Grid | None:
    for grid in grids:
        if grid.name.strip().lower() in names:
            return grid
    if default_first:
        visible = [g for g in grids if not g.hidden]
        chosen = visible or grids
        return chosen[0] if chosen else None
    return None


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

    for name in C.REGISTER_REQUIRED:
        if values.get(name) in (None, "") and name != C.CATEGORY:
            findings.append(finding(
                "register_error", f"项目库{field_zh(name)}未填写，请在项目库中补填",
                f"the register's {name} is empty; fill it in", ref=place(name)))
    pid = clean_text(raw.cells[C.PROJECT_ID].value) if C.PROJECT_ID in raw.cells else ""
    name = clean_text(values.get(C.NAME))
    if not pid or not name:
        return None
    category = _category(values.get(C.CATEGORY))
    if category is None:
        findings.append(finding(
            "register_error", "项目类别应为 新开工/续建/竣工投产/前期 之一",
            "category must be one of 新开工/续建/竣工投产/前期 (new/continuing/completing/"
            "preparatory)", ref=place(C.CATEGORY), project_id=pid))
    return Project(
        project_id=pid, name=name, category=category,
        sector=clean_text(values.get(C.SECTOR)), unit=clean_text(values.get(C.UNIT)),
        leader=clean_text(values.get(C.LEADER)),
        total_investment=values.get(C.TOTAL_INVESTMENT), annual_plan=values.get(C.ANNUAL_PLAN),
        planned_start=values.get(C.PLANNED_START),
        planned_completion=values.get(C.PLANNED_COMPLETION),
        attraction=bool(values.get(C.ATTRACTION)),
        contract_amount=values.get(C.CONTRACT_AMOUNT),
        plans=tuple(map(values.get, C.PLAN_MONTHS)),
    )


def _as_register(f: Finding) -> Finding:
    """A bad register cell is the office's to fix: one code, register_error."""
    return replace(f, code="register_error", message=f"项目库单元格有误 / register cell: {f.message}")


def parse_register(book: Book) -> Register:
    """Projects, milestones and contacts from the register workbook; bad cells are findings."""
    findings = list(book.findings)
    projects_grid = _pick(book.grids, ("projects", "项目", "项目库"), default_first=True)
    projects: list[Project] = []
    if projects_grid is not None:
        sheet = extract_rows(projects_grid.rows, file=REGISTER_FILE, sheet=projects_grid.name,
                             table=alias_table(C.REGISTER_ALIASES), required=(C.PROJECT_ID,))
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
    register = Register(projects=projects, findings=findings)
    register.milestones = _milestones(book, register)
    register.contacts = _contacts(book)
    return register


def _milestones(book: Book, register: Register) -> list[Milestone]:
    grid = _pick(book.grids, ("milestones", "时间节点", "节点"), default_first=False)
    if grid is None:
        return []
    sheet = extract_rows(grid.rows, file=REGISTER_FILE, sheet=grid.name,
                         table=alias_table(C.MILESTONE_ALIASES), required=(C.MILESTONE,))
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


def _contacts(book: Book) -> list[dict[str, str]]:
    """One dict a recipient: name, role (unit | leader | leadership, or the text as written
    when it names no known role), email, phone (SPEC 3).

    The recipient is named by a ``name`` (联系对象) column with a ``role`` (角色) column, or
    in a column per role (责任单位, 联系领导, 县领导); a row naming several takes the first of
    unit, leader, leadership. Rows that name nobody are left out.
    """
    grid = _pick(book.grids, ("contacts", "联系人", "通讯录", "联系方式"), default_first=False)
    if grid is None:
        return []
    sheet = extract_rows(grid.rows, file=REGISTER_FILE, sheet=grid.name,
                         table=alias_table(C.CONTACT_ALIASES), required=("email", "phone"))
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
