"""A character no installed font has, typed into a unit's sheet, never stops the batch and
never prints as a box: the PDFs show its code point, the HTML and the data keep it."""

from __future__ import annotations

import csv
from pathlib import Path

from factory import make_workbook, project, write_register
from pypdf import PdfReader

from pipeline.config import Settings
from pipeline.period import Period
from pipeline.run import Workspace, run_period

RARE = "\U000f0001"      # a private-use character: in no font


def test_a_character_in_no_font_is_printed_as_its_code_point(tmp_path: Path) -> None:
    write_register(tmp_path / "input/register.xlsx", [
        project("P1", f"一号路{RARE}改造", unit="甲局", leader="张明华")])
    make_workbook(tmp_path / "input/2026-11/甲局.xlsx",
                  ["项目编号", "项目名称", "年度累计完成投资", "存在问题", "问题类型"],
                  [["P1", f"一号路{RARE}改造", 900, f"征地{RARE}未完成", "征地拆迁"]],
                  title_rows=[["填报单位：甲局"]])
    ws = Workspace(tmp_path / "input", tmp_path / "output")
    run_period(ws, Period(2026, 11), Settings(), jobs=1)
    out = ws.period_output(Period(2026, 11))
    with open(out / "data/coordination.csv", encoding="utf-8") as handle:
        assert [row["text"] for row in csv.DictReader(handle)] == [f"征地{RARE}未完成"]
    assert RARE in (out / "leaders/张明华.html").read_text(encoding="utf-8")
    for pdf in ("report.pdf", "leaders/张明华.pdf", "units/甲局.pdf"):
        text = "".join(page.extract_text() for page in PdfReader(out / pdf).pages)
        assert "U+F0001" in text and RARE not in text, pdf
