"""Parallel and incremental printing (issue 6): same bytes whatever --jobs, a re-run of an
unchanged period prints nothing, a change prints only what it touches, --force all."""

from __future__ import annotations

from pathlib import Path

import pytest
from factory import make_workbook, project, write_register

from pipeline.config import Settings
from pipeline.period import Period
from pipeline.render import pdf
from pipeline.run import Workspace, run_period

HEADER = ["项目编号", "项目名称", "本月完成投资", "年度累计完成投资"]
PERIOD = Period(2026, 11)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    write_register(tmp_path / "input/register.xlsx", [
        project("P1", "一号路", unit="甲局", leader="张明华"),
        project("P2", "二号桥", unit="乙镇人民政府", leader="李建国"),
    ])
    for unit, pid, name in (("甲局", "P1", "一号路"), ("乙镇人民政府", "P2", "二号桥")):
        make_workbook(tmp_path / f"input/2026-11/{unit}.xlsx", HEADER, [[pid, name, 10, 900]],
                      title_rows=[[f"填报单位：{unit}"]])
    return Workspace(tmp_path / "input", tmp_path / "output")


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real html_to_pdf, counted; the in-process cache emptied so reuse is the manifest's."""
    calls: list[str] = []
    real = pdf.html_to_pdf

    def counting(html: str, **kwargs: object) -> bytes:
        calls.append(html[:0])
        return real(html, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    pdf._PRINTED.clear()
    return calls


def _pdfs(ws: Workspace) -> dict[str, bytes]:
    out = ws.period_output(PERIOD)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}


def test_rerun_prints_nothing_and_a_change_prints_only_what_it_touches(
        workspace: Workspace, printed: list[str]) -> None:
    run_period(workspace, PERIOD, Settings(), jobs=1)
    first = _pdfs(workspace)
    assert len(printed) == len(first) == 5        # bulletin, 2 units, 2 leaders
    pdf._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1)
    assert printed == [] and _pdfs(workspace) == first
    # 乙镇 sends a corrected figure: its sheet, its leader's list and the bulletin change
    # (甲局's sheet too, as it shows the unit ranking); 张明华's list does not
    make_workbook(workspace.input_dir / "2026-11/乙镇人民政府.xlsx", HEADER,
                  [["P2", "二号桥", 10, 1000]], title_rows=[["填报单位：乙镇人民政府"]])
    pdf._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1)
    after = _pdfs(workspace)
    changed = sorted(name for name in after if after[name] != first[name])
    assert 0 < len(printed) < 5 and len(printed) == len(changed)
    assert "leaders/张明华.pdf" not in changed and "leaders/李建国.pdf" in changed
    pdf._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1, force=True)
    assert len(printed) == 5 and _pdfs(workspace) == after


def test_parallel_output_equals_serial(workspace: Workspace, tmp_path: Path) -> None:
    pdf._PRINTED.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1, force=True)
    serial = _pdfs(workspace)
    pdf._PRINTED.clear()
    run_period(workspace, PERIOD, Settings(), jobs=2, force=True)
    assert _pdfs(workspace) == serial
