"""Parallel and incremental printing (issue 6): same bytes whatever --jobs, a re-run of an
unchanged period prints nothing, a change prints only what it touches, --force all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factory import TWO_UNITS_HEADER, make_workbook, two_units

from pipeline.config import Settings
from pipeline.period import Period
from pipeline.render import pdf, printer
from pipeline.run import Workspace, run_period

HEADER = TWO_UNITS_HEADER
PERIOD = Period(2026, 11)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    two_units(tmp_path)
    return Workspace(tmp_path / "input", tmp_path / "output")


def _pdfs(ws: Workspace) -> dict[str, bytes]:
    out = ws.period_output(PERIOD)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}


def test_rerun_prints_nothing_and_a_change_prints_only_what_it_touches(
        workspace: Workspace, printed: list[str]) -> None:
    run_period(workspace, PERIOD, Settings(), jobs=1)
    first = _pdfs(workspace)
    assert len(printed) == len(first) == 5        # bulletin, 2 units, 2 leaders
    printer._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1)
    assert printed == [] and _pdfs(workspace) == first
    # 乙镇 sends a corrected figure: its sheet, its leader's list and the bulletin change
    # (甲局's sheet too, as it shows the unit ranking); 张明华's list does not
    make_workbook(workspace.input_dir / "2026-11/乙镇人民政府.xlsx", HEADER,
                  [["P2", "二号桥", 10, 1000]], title_rows=[["填报单位：乙镇人民政府"]])
    printer._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1)
    after = _pdfs(workspace)
    changed = sorted(name for name in after if after[name] != first[name])
    assert 0 < len(printed) < 5 and len(printed) == len(changed)
    assert "leaders/张明华.pdf" not in changed and "leaders/李建国.pdf" in changed
    printer._PRINTED.clear()
    printed.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1, force=True)
    assert len(printed) == 5 and _pdfs(workspace) == after


def test_parallel_output_equals_serial(workspace: Workspace, tmp_path: Path) -> None:
    printer._PRINTED.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1, force=True)
    serial = _pdfs(workspace)
    printer._PRINTED.clear()
    run_period(workspace, PERIOD, Settings(), jobs=2, force=True)
    assert _pdfs(workspace) == serial


def test_a_shared_stylesheet_prints_the_same_bytes(workspace: Path) -> None:
    """Workers parse a page's head stylesheet once for all pages; the PDF is byte for byte
    the one WeasyPrint prints from the page as it is."""
    import weasyprint

    run_period(workspace, PERIOD, Settings(), jobs=1)
    out = workspace.period_output(PERIOD)
    for name in ("units/甲局.html", "leaders/李建国.html", "report.html"):
        page = (out / name).read_text(encoding="utf-8")
        whole = weasyprint.HTML(string=page, base_url=str(Path.cwd())).write_pdf()
        assert pdf.html_to_pdf(page, base_dir=Path(".")) == whole
        assert pdf.html_to_pdf(page, base_dir=Path(".")) == whole     # from the cache
    assert len(pdf.split_styles((out / "units/甲局.html").read_text("utf-8"))[1]) == 1
    # a page whose body has styles of its own (the bulletin's SVG charts) keeps them all
    assert pdf.split_styles((out / "report.html").read_text("utf-8"))[1] == []


@pytest.mark.parametrize(("page", "split"), [
    ("<html><head><style>p{color:red}</style></head><body><p>x</p></body></html>", True),
    ("<html><head><style media='print'>p{}</style></head><body></body></html>", False),
    ("<html><head><style>p{}</style><link rel=stylesheet href=a.css></head></html>", False),
    ("<html><head><style>@font-face{font-family:x;src:url(x.ttf)}</style></head></html>", False),
    ("<html><head><style>@import 'a.css';</style></head></html>", False),
    ("<html><body><style>p{}</style></body></html>", False),
])
def test_only_a_plain_head_stylesheet_is_taken_apart(page: str, split: bool) -> None:
    body, styles = pdf.split_styles(page)
    assert bool(styles) is split and (body != page) is split


PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>p{{font-size:14pt}}</style>"
        "</head><body><p>第{n}页 县重点项目建设调度</p></body></html>")


def test_a_killed_pdf_worker_does_not_lose_a_page(tmp_path: Path) -> None:
    """A worker that dies (out of memory, killed by hand) breaks the pool: the pages it
    had are printed in the run's own process, the same bytes."""
    import os
    import signal

    pages = {f"p{n}": PAGE.format(n=n) for n in range(6)}
    serial = printer.print_pages(pages, base_dir=tmp_path, jobs=1)
    printer._PRINTED.clear()
    job = printer.Printer(base_dir=tmp_path, jobs=2)
    pool = printer._pool(2)
    for pid in list(pool._processes):       # the workers are up: kill them all
        os.kill(pid, signal.SIGKILL)
    for name, html in pages.items():
        job.submit(name, html)
    assert job.results() == serial
    printer._PRINTED.clear()
    assert printer.print_pages(pages, base_dir=tmp_path, jobs=2) == serial   # a new pool


def test_a_page_submitted_first_overtakes_the_pages_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bulletin is built last (it waits for its charts) but prints longest: handed over
    ``first``, it goes to the next free worker, not behind every page queued before it;
    the PDFs are the same."""
    pages = {f"p{n}": PAGE.format(n=n) for n in range(10)}
    serial = printer.print_pages(pages, base_dir=tmp_path, jobs=1)
    printer._PRINTED.clear()
    handed: list[str] = []
    real = printer.in_worker

    def recording(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        if func is printer._print_one:
            handed.append(args[0][0])
        return real(func, *args, **kwargs)

    monkeypatch.setattr(printer, "in_worker", recording)
    job = printer.Printer(base_dir=tmp_path, jobs=2)
    for name in list(pages)[:-1]:
        job.submit(name, pages[name])
    job.submit("p9", pages["p9"], first=True)
    assert job.results() == {name: serial[name] for name in [*list(pages)[:-1], "p9"]}
    assert len(handed) == 10
    # at most jobs + 1 pages are in the pool ahead of it
    assert handed.index(pages["p9"]) <= 3, [h[-30:] for h in handed]


def test_a_printer_closed_before_its_results_stops_and_removes_its_fonts(
        tmp_path: Path) -> None:
    """A run that fails after pages were handed over (a chart that cannot be drawn, a disk
    full) closes its printer: the pages not yet with a worker are dropped, the feeder
    ends, the period's fonts are removed."""
    from pipeline.render.fonts import period_font_spec

    pages = {f"p{n}": PAGE.format(n=n) for n in range(12)}
    printer._PRINTED.clear()
    job = printer.Printer(base_dir=tmp_path, jobs=2, fonts=period_font_spec(pages.values()))
    for name, html in pages.items():
        job.submit(name, html)
    assert job._folder is not None
    folder = Path(job._folder.name)
    assert (folder / pdf.FACES_CSS).exists()
    job.close()
    assert job._feeder is not None
    job._feeder.join(timeout=30)
    assert not job._feeder.is_alive() and job._queue == [] and not folder.exists()
    with pytest.raises(RuntimeError):
        job.submit("late", PAGE.format(n=99))      # never left waiting for a feeder gone
    with pytest.raises(RuntimeError):
        job.results()                              # nor for the pages it dropped
    again = printer.Printer(base_dir=tmp_path, jobs=1)
    again.submit("p0", pages["p0"])
    with pytest.raises(ValueError):
        again.submit("p0", pages["p1"])            # one PDF a name


@pytest.mark.parametrize("warm", [False, True])
def test_pdf_workers_do_not_run_the_callers_script_again(tmp_path: Path, warm: bool) -> None:
    """``spawn`` and ``forkserver`` would import the caller's main script in every worker
    (for the keyproj command: the whole CLI); the workers start with it hidden, also when
    ``warm_up`` starts them in a thread while the script goes on."""
    import subprocess
    import sys

    seen = tmp_path / "imported.txt"
    script = tmp_path / "main.py"
    script.write_text(
        "from pathlib import Path\n"
        f"with open({str(seen)!r}, 'a') as f:\n"
        "    f.write(__name__ + '\\n')\n"
        "if __name__ == '__main__':\n"
        "    from pipeline.render import printer\n"
        + ("    printer.warm_up(2)\n" if warm else "") +
        f"    pdfs = printer.print_pages({{'a': '<p>甲</p>', 'b': '<p>乙</p>'}}, "
        f"base_dir=Path({str(tmp_path)!r}), jobs=2)\n"
        "    assert all(pdf.startswith(b'%PDF') for pdf in pdfs.values())\n",
        encoding="utf-8")
    subprocess.run([sys.executable, str(script)], check=True, timeout=120)
    assert seen.read_text().split() == ["__main__"]


def _pngs(data: bytes, folder: Path, name: str) -> list[bytes]:
    import subprocess

    (folder / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(folder / f"{name}.pdf"),
                    str(folder / name)], check=True)
    return [p.read_bytes() for p in sorted(folder.glob(f"{name}-*.png"))]


def _text(data: bytes, folder: Path) -> str:
    import subprocess

    (folder / "t.pdf").write_bytes(data)
    return subprocess.run(["pdftotext", str(folder / "t.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_period_fonts_print_the_same_pages_smaller(workspace: Path, tmp_path: Path) -> None:
    """Pages printed from the period's small copies of the CJK faces look the same to the
    pixel as pages printed from the installed fonts, and read back the same."""
    from pipeline.render.fonts import period_font_spec

    run_period(workspace, PERIOD, Settings(), jobs=1)
    page = (workspace.period_output(PERIOD) / "units/甲局.html").read_text("utf-8")
    spec = period_font_spec([page])
    assert spec is not None and {f[0] for f in spec.faces} == {"Noto Serif CJK SC",
                                                               "Noto Sans CJK SC"}
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    pdf.make_period_fonts(spec, fonts)
    assert f"keyproj {spec.digest[:16]} Noto Serif CJK SC" in (fonts / "faces.css").read_text()
    whole = pdf.html_to_pdf(page, base_dir=Path("."))
    small = pdf.html_to_pdf(page, base_dir=Path("."), fonts=fonts)
    assert small != whole and len(small) < len(whole) / 2
    assert _pngs(small, tmp_path, "small") == _pngs(whole, tmp_path, "whole")
    assert _text(small, tmp_path) == _text(whole, tmp_path)
    assert pdf.html_to_pdf(page, base_dir=Path("."), fonts=fonts) == small    # cached sheet


def test_a_character_the_period_fonts_lack_still_prints(tmp_path: Path) -> None:
    """A run makes its fonts from every page's text, so this does not happen in a run; a
    page given other fonts still prints each character, from the installed font."""
    from pipeline.render.fonts import period_font_spec

    page = PAGE.format(n=1)
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    spec = period_font_spec([page.replace("调度", "")])
    assert spec is not None and ord("度") not in spec.chars
    pdf.make_period_fonts(spec, fonts)
    assert "第1页 县重点项目建设调度" in _text(pdf.html_to_pdf(page, base_dir=tmp_path,
                                                           fonts=fonts), tmp_path)


def test_a_missing_or_empty_font_folder_prints_as_before(tmp_path: Path) -> None:
    page = PAGE.format(n=1)
    whole = pdf.html_to_pdf(page, base_dir=tmp_path)
    assert pdf.html_to_pdf(page, base_dir=tmp_path, fonts=tmp_path / "none") == whole
    (tmp_path / pdf.FACES_CSS).write_text("", encoding="utf-8")
    assert pdf.html_to_pdf(page, base_dir=tmp_path, fonts=tmp_path) == whole


def test_the_bulletin_prints_its_charts_as_images_and_looks_the_same(
        workspace: Path, tmp_path: Path) -> None:
    """report.html keeps its charts inline; its PDF is printed with them as images of the
    same SVG (faster, and the page's stylesheet can be shared): the same pages, pixel for
    pixel, as printing report.html as it is."""
    import re

    from pipeline.render.charts import as_image

    run_period(workspace, PERIOD, Settings(), jobs=1)
    out = workspace.period_output(PERIOD)
    page = (out / "report.html").read_text("utf-8")
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) >= 3 and "<img" not in page
    printed = page
    for svg in charts:
        printed = printed.replace(svg, as_image(svg))
    assert pdf.split_styles(printed)[1] and not pdf.split_styles(page)[1]
    as_is = pdf.html_to_pdf(page, base_dir=Path("."))
    assert _pngs((out / "report.pdf").read_bytes(), tmp_path, "run") == \
        _pngs(as_is, tmp_path, "as_is")


def test_one_process_keeps_two_runs_fonts_apart(workspace: Path, tmp_path: Path) -> None:
    """A worker prints for every run of the process (the tests, a long-lived caller): the
    fonts of one run must not stand in for another's (they lack its characters)."""
    from pipeline.render.fonts import period_font_spec

    run_period(workspace, PERIOD, Settings(), jobs=1)
    page = (workspace.period_output(PERIOD) / "units/甲局.html").read_text("utf-8")
    pages = [page, page.replace("一号路", "鑫源大道鹏城路翔宇桥")]
    folders = []
    for n, text in enumerate(pages):
        folder = tmp_path / f"fonts{n}"
        folder.mkdir()
        pdf.make_period_fonts(period_font_spec([text]), folder)
        folders.append(folder)
    pdf.html_to_pdf(pages[0], base_dir=Path("."), fonts=folders[0])
    assert _pngs(pdf.html_to_pdf(pages[1], base_dir=Path("."), fonts=folders[1]), tmp_path,
                 "second") == _pngs(pdf.html_to_pdf(pages[1], base_dir=Path(".")), tmp_path,
                                    "whole")


def test_fonts_that_cannot_be_made_leave_the_installed_ones(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The period's fonts only make printing faster: when they cannot be made (no
    libharfbuzz-subset, a font HarfBuzz refuses), the PDFs print from the installed fonts."""
    def broken(spec: object, folder: Path) -> None:
        raise OSError("no libharfbuzz-subset")

    monkeypatch.setattr(pdf, "make_period_fonts", broken)
    printer._PRINTED.clear()
    run_period(workspace, PERIOD, Settings(), jobs=1)
    assert "could not be made" in caplog.text
    out = workspace.period_output(PERIOD)
    page = (out / "units/甲局.html").read_text("utf-8")
    assert (out / "units/甲局.pdf").read_bytes() == pdf.html_to_pdf(
        page, base_dir=Path("."), created=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))


def test_charts_drawn_in_a_worker_are_the_charts_drawn_here(workspace: Workspace) -> None:
    """A PDF worker draws the bulletin's charts while the pages are built: the same SVG."""
    from pipeline.render.charts import bulletin_charts, chart_inputs
    from pipeline.render.reports import bulletin_for

    analysis = run_period(workspace, PERIOD, Settings(), jobs=1)
    ctx = bulletin_for(analysis, Settings())
    here = bulletin_charts(ctx)
    assert len(here) >= 3
    assert printer.in_worker(bulletin_charts, chart_inputs(ctx), jobs=2)() == here
    assert printer.in_worker(bulletin_charts, chart_inputs(ctx), jobs=1)() == here
