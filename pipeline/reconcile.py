"""[pure] Match rows to the register, tell each file's unit, settle duplicates (SPEC 5.1).

Nothing is lost: every data row ends ``used``, ``duplicate`` or ``rejected``, and a rejected
row carries the finding that says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from pipeline import columns as C
from pipeline.check import Row
from pipeline.findings import CellRef, Finding, finding
from pipeline.history import ProjectFact
from pipeline.register import Project, Register
from pipeline.values import amount, display, norm_id, norm_name, short_form

FUZZY_MIN = 90


@dataclass
class Submission:
    """One input file's rows and what tells its unit and its date."""

    file: str
    mtime: float
    rows: list[Row]
    unit_line: str | None = None
    report_date: dt.date | None = None
    unit: str | None = None
    unit_source: str = ""          # line | file_name | rows | ""
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Reconciled:
    rows: list[Row]                          # every data row, in read order, disposition set
    kept: dict[str, Row]                     # project_id -> the row used
    findings: list[Finding]                  # row findings, file findings, not_reported
    file_units: dict[str, str | None]


def unit_names(units: list[str], aliases: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(form, unit) pairs to look for: the name, its short form, configured aliases."""
    pairs: list[tuple[str, str]] = []
    for unit in units:
        forms = {norm_name(unit), short_form(unit)}
        forms.update(norm_name(a) for a in aliases.get(unit, ()))
        pairs.extend((form, unit) for form in forms if form)
    return pairs


def resolve_unit(text: str, units: list[str], aliases: dict[str, tuple[str, ...]]
                 ) -> str | None:
    """The unit a text names: exactly, else the one whose longest form the text contains."""
    return _resolve(text, unit_names(units, aliases))


def _exact(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each form and the unit of its first pair (what ``_resolve`` looks up first)."""
    exact: dict[str, str] = {}
    for form, unit in pairs:
        exact.setdefault(form, unit)
    return exact


def _resolve(text: str, pairs: list[tuple[str, str]],
             exact: dict[str, str] | None = None) -> str | None:
    """``exact``: ``_exact(pairs)``, made once by a caller that resolves many texts (a
    province's 2,000 files against its 2,000 units)."""
    exact = exact if exact is not None else _exact(pairs)
    # a bracket says more of the unit (县交通运输局（盖章）) or of the file (（更正）): the
    # text without it first; then with it, for a name given only there (进度表（泷泊镇）)
    outside = re.sub(r"[(（][^)）]*[)）]", "", text)
    unit = _lookup(norm_name(outside), pairs, exact)
    if unit is None and outside != text:
        unit = _lookup(norm_name(text), pairs, exact)
    return unit


def _lookup(key: str, pairs: list[tuple[str, str]], exact: dict[str, str]) -> str | None:
    if not key:
        return None
    unit = exact.get(key)
    if unit is not None:
        return unit
    found = sorted(((len(form), unit) for form, unit in pairs if form in key), reverse=True)
    if not found or (len(found) > 1 and found[0][0] == found[1][0]
                     and found[0][1] != found[1][1]):
        return None
    return found[0][1]


class Matcher:
    """Row -> register project: by id, by exact name, by fuzzy name (rapidfuzz)."""

    def __init__(self, register: Register) -> None:
        self.by_id = register.by_id()
        self.by_name: dict[str, list[Project]] = defaultdict(list)
        for project in register.projects:
            self.by_name[norm_name(project.name)].append(project)
        self.names = list(self.by_name)

    def match(self, row: Row) -> tuple[Project | None, Finding | None]:
        pid = norm_id(row.values.get(C.PROJECT_ID))
        if pid and pid in self.by_id:
            return self.by_id[pid], None
        raw_name = row.values.get(C.NAME) or ""
        name = norm_name(raw_name)
        shown = display(row.raw.cells[C.NAME].value) if C.NAME in row.raw.cells else ""
        shown_id = row.values.get(C.PROJECT_ID) or ""
        ref = row.ref(C.PROJECT_ID if shown_id and not name else C.NAME)
        same = self.by_name.get(name, ()) if name else ()
        if len(same) == 1:
            return same[0], None
        if len(same) > 1:       # a tie (SPEC 5.1): the id tells them apart
            ids = [p.project_id for p in same[:3]]
            return None, finding(
                "unknown_project",
                f"项目库中有多个项目名为“{shown}”（{'、'.join(ids)}），无法确定是哪一个。请填写项目编号",
                f"several register projects are named “{shown}” ({', '.join(ids)}); fill in "
                "the project_id to say which", ref=ref, value=shown)
        if name:
            hits = process.extract(name, self.names, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN,
                                   limit=None)
            best = max((score for _, score, _ in hits), default=None)
            top = [choice for choice, score, _ in hits if score == best]
            if len(top) == 1 and len(self.by_name[top[0]]) == 1:
                project = self.by_name[top[0]][0]
                return project, finding(
                    "matched_by_name",
                    f"项目“{shown}”按名称近似匹配到项目库中的“{project.name}”"
                    f"（{project.project_id}，相似度{best:.0f}）。请核对并填写项目编号",
                    f"“{shown}” was matched by a similar name to “{project.name}” "
                    f"({project.project_id}, similarity {best:.0f}). Check it and fill in "
                    "the project_id", ref=ref, project_id=project.project_id, value=shown)
            if len(top) > 1:
                return None, finding(
                    "unknown_project",
                    f"项目“{shown}”与项目库中多个项目同样相近（{'、'.join(top[:3])}），无法确定。"
                    "请填写项目编号",
                    f"“{shown}” is equally close to several register projects; fill in the "
                    "project_id", ref=ref, value=shown)
        what = f"编号“{shown_id}”、名称“{shown}”" if shown_id else f"名称“{shown}”"
        return None, finding(
            "unknown_project",
            f"项目{what}在项目库中找不到。请按项目库填写项目编号和名称；新增项目请先报县重点办入库",
            f"project (id “{shown_id}”, name “{shown}”) is not in the register. Use the "
            "register's project_id and name; a new project must be registered first",
            ref=ref, value=shown or shown_id)


def _signature(row: Row) -> tuple[object, ...]:
    """The row's content, to tell an exact duplicate from a conflicting row."""
    parts: list[object] = []
    for name in C.COMPARED_FIELDS:
        if name in row.unusable:
            # a field can be unusable because its column is missing: no cell to show
            cell = row.raw.cells.get(name)
            parts.append(("raw", display(cell.value if cell else None)))
        else:
            value = row.values.get(name)
            parts.append(round(value, 6) if isinstance(value, float) else value)
    parts.append(tuple(row.milestones))
    return tuple(parts)


def assign_units(submissions: list[Submission], register: Register,
                 aliases: dict[str, tuple[str, ...]], matched: dict[tuple[str, str, int], Project]
                 ) -> None:
    """Set each submission's unit: its 填报单位 line, else its file name, else most rows."""
    pairs = unit_names(register.units, aliases)
    exact = _exact(pairs)
    for sub in submissions:
        if sub.file.rsplit("/", 1)[-1].startswith("~$"):
            # an Office lock file: what is left while a workbook is open, sent by nobody
            # (its name copies the workbook's, so it would name a unit that sent nothing)
            sub.unit, sub.unit_source = None, ""
            continue
        unit = _resolve(sub.unit_line, pairs, exact) if sub.unit_line else None
        source = "line" if unit else ""
        if unit is None:
            stem = sub.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            unit = _resolve(stem, pairs, exact)
            source = "file_name" if unit else ""
        if unit is None:
            owners = Counter(matched[r.key].unit for r in sub.rows if r.key in matched)
            if owners:
                best = max(owners.values())
                unit = min(u for u, n in owners.items() if n == best)
                source = "rows"
        sub.unit, sub.unit_source = unit, source
        if unit is None and sub.rows:
            sub.findings.append(finding(
                "unknown_unit", "无法确定报送单位：表中没有“填报单位：”一行，文件名也不含单位名称",
                "cannot tell which unit sent this file: add a “填报单位：” line or put the "
                "unit's name in the file name", ref=CellRef(sub.file, "")))


def reconcile(submissions: list[Submission], register: Register,
              aliases: dict[str, tuple[str, ...]],
              previous: dict[str, ProjectFact] | None = None) -> Reconciled:
    """Match, check against the register, and give every row its disposition.

    ``previous`` holds last month's facts (same year) for the history checks; None skips them.
    """
    matcher = Matcher(register)
    matched: dict[tuple[str, str, int], Project] = {}
    for sub in submissions:
        for row in sub.rows:
            project, note = matcher.match(row)
            if note is not None:
                row.findings.append(note)
            if project is not None:
                matched[row.key] = project
                row.project_id = project.project_id
            else:
                row.disposition = "rejected"
    assign_units(submissions, register, aliases, matched)
    for sub in submissions:
        for row in sub.rows:
            project = matched.get(row.key)
            if project is not None:
                _project_checks(row, project, sub.unit)
                if previous is not None:
                    _history_checks(row, previous.get(project.project_id))
    kept = _settle_duplicates(submissions, {norm_id(p.project_id): p
                                            for p in register.projects})
    findings: list[Finding] = []
    for sub in submissions:
        findings.extend(replace(f, unit=f.unit or sub.unit) for f in sub.findings)
        for row in sub.rows:
            owner = matched.get(row.key)
            unit = sub.unit or (owner.unit if owner else None)
            row.findings = [replace(f, project_id=f.project_id or row.project_id,
                                    unit=f.unit or unit) for f in row.findings]
            findings.extend(row.findings)
    for project in register.projects:
        if project.project_id not in kept:
            findings.append(finding(
                "not_reported", f"项目“{project.name}”本期未报送。请{project.unit}补报",
                f"project “{project.name}” was not reported this period; {project.unit} must "
                "send its figures", project_id=project.project_id, unit=project.unit))
    rows = [row for sub in submissions for row in sub.rows]
    return Reconciled(rows=rows, kept=kept, findings=findings,
                      file_units={s.file: s.unit for s in submissions})


def _project_checks(row: Row, project: Project, file_unit: str | None) -> None:
    ytd = row.values.get(C.YTD_DONE)
    total = project.total_investment
    if ytd is not None and total is not None and round(ytd, 9) > round(total, 9):
        row.findings.append(finding(
            "ytd_exceeds_total",
            f"年度累计完成投资{amount(ytd)}万元大于项目总投资{amount(total)}万元。"
            "请核对金额和单位（万元）",
            f"ytd_done {amount(ytd)} 万元 is more than the total investment {amount(total)} "
            "万元. Check the figure and its unit (万元)", ref=row.ref(C.YTD_DONE), value=ytd))
    if file_unit is not None and project.unit and project.unit != file_unit:
        row.findings.append(finding(
            "unit_mismatch",
            f"项目“{project.name}”属于{project.unit}，却出现在{file_unit}的报表中。"
            "请由责任单位报送",
            f"project “{project.name}” belongs to {project.unit} but is in {file_unit}'s "
            "sheet; its own unit should report it",
            ref=row.ref(C.PROJECT_ID if C.PROJECT_ID in row.raw.cells else C.NAME)))


def _history_checks(row: Row, last: ProjectFact | None) -> None:
    """ytd_decreased and ytd_mismatch against last month's kept ytd_done (tolerance 0.5)."""
    ytd = row.values.get(C.YTD_DONE)
    if last is None or last.ytd_done is None or ytd is None or C.YTD_DONE in row.unusable:
        return
    before = last.ytd_done
    if round(ytd, 9) < round(before, 9):
        row.findings.append(finding(
            "ytd_decreased",
            f"年度累计完成投资{amount(ytd)}万元少于上月的{amount(before)}万元。累计数只增不减，请核对",
            f"ytd_done {amount(ytd)} 万元 is less than last month's {amount(before)} 万元; "
            "a year-to-date figure cannot go down. Check it", ref=row.ref(C.YTD_DONE), value=ytd))
    month = row.values.get(C.MONTH_DONE)
    if month is not None and round(abs(ytd - (before + month)), 9) > 0.5:
        row.findings.append(finding(
            "ytd_mismatch",
            f"年度累计{amount(ytd)}万元不等于上月累计{amount(before)}万元加本月完成{amount(month)}万元"
            f"（应为{amount(before + month)}）。请核对本月完成数和累计数",
            f"ytd_done {amount(ytd)} ≠ last month's {amount(before)} + month_done "
            f"{amount(month)} (= {amount(before + month)}). Check both figures", ref=row.ref(C.YTD_DONE), value=ytd))


def _settle_duplicates(submissions: list[Submission], projects: dict[str, Project]
                       ) -> dict[str, Row]:
    """One kept row per project (SPEC 5.1.3); the others duplicate or rejected."""
    groups: dict[str, list[tuple[int, Submission, Row]]] = defaultdict(list)
    order = 0
    for sub in submissions:
        for row in sub.rows:
            if row.project_id is not None:
                groups[row.project_id].append((order, sub, row))
            order += 1
    kept: dict[str, Row] = {}
    for pid, members in groups.items():
        # most projects have one row: nothing to compare it with
        if len(members) == 1 or len({_signature(row) for _, _, row in members}) == 1:
            winner = members[0]
        else:
            unit = projects[norm_id(pid)].unit

            def priority(member: tuple[int, Submission, Row], unit: str = unit
                         ) -> tuple[bool, dt.date, float, int]:
                index, sub, _ = member
                return (sub.unit == unit, sub.report_date or dt.date.min, sub.mtime, index)

            winner = max(members, key=priority)
        kept_row = winner[2]
        kept_row.disposition = "used"
        kept[pid] = kept_row
        if len(members) == 1:
            continue
        same = _signature(kept_row)
        for _, _, row in members:
            if row is kept_row:
                continue
            where = f"{kept_row.raw.file}:{kept_row.raw.sheet} 第{kept_row.raw.row}行"
            where_en = f"{kept_row.raw.file}:{kept_row.raw.sheet} row {kept_row.raw.row}"
            ref = row.ref(C.PROJECT_ID if C.PROJECT_ID in row.raw.cells else C.NAME)
            if _signature(row) == same:
                row.disposition = "duplicate"
                row.findings.append(finding(
                    "duplicate_row", f"与{where}重复，只计一次", f"same as {where_en}; counted once",
                    ref=ref))
            else:
                row.disposition = "rejected"
                row.findings.append(finding(
                    "conflicting_rows",
                    f"同一项目另有数值不同的一行（{where}），已采用那一行。请删除或更正本行",
                    f"another row for the same project with different figures ({where_en}) "
                    "was used instead. Delete or correct this row", ref=ref))
    return kept
