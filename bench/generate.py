"""Synthetic workspaces for the benchmarks, from a fixed seed.

    python bench/generate.py county DIR     # 30 workbooks, 100 projects
    python bench/generate.py city DIR       # 300 workbooks, 3,000 projects
    python bench/generate.py province DIR   # 2,000 workbooks, 20,000 projects

The unit sheets are as messy as SPEC 4 allows and vary by unit: title and 填报单位 lines,
one- or two-row headers (merged parents), column order, numbers as text with separators,
full-width digits and 万元, amounts in 元, several date forms, yes/no forms, totals, section
headings and blank rows, an instructions sheet. A few rows carry mistakes (bad numbers,
unknown projects, duplicates) so the checks have work to do.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import openpyxl

SCALES = {"county": (30, 100), "city": (300, 3000), "province": (2000, 20000)}
CATEGORIES = ("新开工", "续建", "竣工投产", "前期")
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _register(path: Path, rnd: random.Random, units: list[str], projects: int) -> list[tuple]:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("projects")
    ws.append(["项目编号", "项目名称", "项目类别", "行业领域", "责任单位", "联系领导",
               "总投资（万元）", "年度计划投资（万元）", "计划开工时间", "计划竣工时间",
               "是否招商引资项目", "合同引资额（万元）"])
    rows = []
    for i in range(projects):
        category = CATEGORIES[i % 4]
        unit = units[i % len(units)]
        total = rnd.randrange(1_000, 300_000)
        plan = 0 if category == "前期" else round(total * rnd.uniform(0.1, 0.5))
        attraction = rnd.random() < 0.1
        row = (f"BP{i:06d}", f"第{i}号重点建设项目（{unit[:4]}）", category, "交通", unit,
               f"领导{i % 40:02d}", total, plan, f"2026-{rnd.randint(1, 12):02d}-01",
               f"2026-{rnd.randint(6, 12):02d}-28", "是" if attraction else "否",
               total if attraction else None)
        ws.append(list(row))
        rows.append(row)
    ms = wb.create_sheet("milestones")
    ms.append(["项目编号", "节点名称", "计划完成时间"])
    for row in rows:
        if row[2] == "前期":
            ms.append([row[0], "可研批复", f"2026-{rnd.randint(1, 12):02d}-15"])
    wb.save(path)
    return rows


def _amount(rnd: random.Random, value: float, in_yuan: bool) -> object:
    if in_yuan:
        return round(value * 10_000)
    style = rnd.random()
    if style < 0.5:
        return round(value, 1)
    if style < 0.7:
        return f"{value:,.1f}"
    if style < 0.8:
        return f"{value:.1f}".translate(FULLWIDTH)
    return f"{value:.1f}万元"


def _date(rnd: random.Random) -> str:
    month, day = rnd.randint(1, 10), rnd.randint(1, 28)
    return rnd.choice([f"2026-{month:02d}-{day:02d}", f"2026/{month}/{day}",
                       f"2026年{month}月{day}日", f"2026年{month}月", f"2026.{month}"])


def _sheet(path: Path, rnd: random.Random, unit: str, rows: list[tuple], index: int) -> None:
    in_yuan = index % 17 == 3
    two_rows = index % 3 == 0
    unit_label = "（元）" if in_yuan else "（万元）"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "进度表"
    ws.append(["2026年重点项目建设进度表（11月）"])
    ws.append([f"填报单位：{unit}", None, None, "填报日期：2026年11月25日"])
    names = ["序号", "项目编号", "项目名称", "本月完成投资", "1-11月累计完成投资", "是否开工",
             "实际开工时间", "形象进度", "存在问题", "问题类型"]
    if two_rows:
        ws.append(["序号", "项目编号", "项目名称", f"投资完成情况{unit_label}", None, "是否开工",
                   "实际开工时间", "形象进度", "存在问题", "问题类型"])
        ws.append([None, None, None, "本月完成投资", "1-11月累计完成投资"] + [None] * 5)
        for col in "ABCFGHIJ":
            ws.merge_cells(f"{col}3:{col}4")
        ws.merge_cells("D3:E3")
    else:
        ws.append([n + (unit_label if n in ("本月完成投资", "1-11月累计完成投资") else "")
                   for n in names])
    ws.append(["一、续建项目"])
    for number, row in enumerate(rows, start=1):
        plan = row[7] or 100
        ytd = plan * rnd.uniform(0.5, 1.05)
        month = ytd / 11
        pid = row[0]
        if rnd.random() < 0.01:
            pid = pid.replace("BP", "XX")          # unknown project
        values = [number, pid, row[1], _amount(rnd, month, in_yuan), _amount(rnd, ytd, in_yuan),
                  rnd.choice(["是", "Y", "√", "已开工"]), _date(rnd), "主体施工中",
                  None, None]
        if rnd.random() < 0.005:
            values[4] = "1,2O3"                     # bad number
        if rnd.random() < 0.05:
            values[8], values[9] = "征地拆迁未完成", "征地拆迁"
        ws.append(values)
        if rnd.random() < 0.01:
            ws.append(values)                       # exact duplicate
    ws.append([None])
    ws.append(["合计"])
    info = wb.create_sheet("填表说明")
    info.append(["金额单位为万元；年度累计完成投资为1月至本月累计。"])
    wb.save(path)


def generate(scale: str, dest: Path, seed: int = 1) -> Path:
    """Write a workspace of the given scale into dest; return dest."""
    files, projects = SCALES[scale]
    rnd = random.Random(seed)
    units = [f"县第{i:04d}单位" for i in range(files)]
    (dest / "input/2026-11").mkdir(parents=True, exist_ok=True)
    rows = _register(dest / "input/register.xlsx", rnd, units, projects)
    by_unit: dict[str, list[tuple]] = {}
    for row in rows:
        by_unit.setdefault(row[4], []).append(row)
    for index, unit in enumerate(units):
        mine = by_unit.get(unit, [])
        if index % 29 == 7:
            mine = mine[:-1]                        # one project not reported
        _sheet(dest / f"input/2026-11/{unit}.xlsx", rnd, unit, mine, index)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.scale, args.dest, args.seed)
    print(args.dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
