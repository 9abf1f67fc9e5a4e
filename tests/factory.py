"""Build real workbooks with openpyxl for tests: registers and messy unit sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

import openpyxl
from openpyxl.utils import get_column_letter

REGISTER_HEADER = ["项目编号", "项目名称", "项目类别", "行业领域", "责任单位", "联系领导",
                   "总投资（万元）", "年度计划投资（万元）", "计划开工时间", "计划竣工时间",
                   "是否招商引资项目", "合同引资额（万元）"]


def project(pid: str, name: str, category: str = "续建", unit: str = "县交通运输局",
            leader: str = "张明华", total: float = 10000, plan: float = 1200,
            start: Any = None, completion: Any = None, attraction: str = "否",
            contract: Any = None, plans: Sequence[float] | None = None) -> list[Any]:
    row = [pid, name, category, "交通", unit, leader, total, plan, start, completion,
           attraction, contract]
    return row + (list(plans) if plans else [])


def write_register(path: Path, projects: list[list[Any]],
                   milestones: list[tuple[str, str, Any]] | None = None,
                   monthly: bool = False) -> Path:
    """input/register.xlsx with a projects sheet (and milestones when given)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "projects"
    header = REGISTER_HEADER + ([f"{m}月" for m in range(1, 13)] if monthly else [])
    ws.append(header)
    for row in projects:
        ws.append(row)
    if milestones is not None:
        ms = wb.create_sheet("milestones")
        ms.append(["项目编号", "节点名称", "计划完成时间"])
        for item in milestones:
            ms.append(list(item))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_workbook(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], *,
                  title_rows: Sequence[Sequence[Any]] = (), header2: Sequence[Any] | None = None,
                  merges: Sequence[str] = (), sheet: str = "进度表",
                  after: Sequence[Sequence[Any]] = (), extra_sheets: dict[str, list[list[Any]]]
                  | None = None, hidden: Sequence[str] = (),
                  number_formats: dict[str, str] | None = None) -> Path:
    """A unit's sheet: title rows, a header (optionally two rows with merges), data rows.

    Returns the path; cell addresses follow from the rows given (title rows first).
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(header))
    if header2 is not None:
        ws.append(list(header2))
    for row in rows:
        ws.append(list(row))
    for row in after:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for address, fmt in (number_formats or {}).items():
        ws[address].number_format = fmt
    for name, grid in (extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        for row in grid:
            extra.append(row)
        if name in hidden:
            extra.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def col(index: int) -> str:
    return get_column_letter(index)


DATE = dt.date
