"""Every report of SPEC 6.1 on the demo workspace: PDFs read back, HTML parsed, workbooks
opened with openpyxl, the bulletin opened in headless Chromium, English from the same
templates, and the font check that keeps boxes out of the PDFs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from factory import pdf_fonts
from pypdf import PdfReader

from pipeline.cli import cli
from pipeline.config import Settings, load_settings
from pipeline.findings import SEVERITY
from pipeline.history import load_past
from pipeline.names import file_names
from pipeline.period import Period
from pipeline.render import filters, fonts
from pipeline.render.charts import bulletin_charts
from pipeline.render.context import headline
from pipeline.render.html import environment, render_bulletin, render_page
from pipeline.render.labels import LABELS
from pipeline.render.pages import leader_context
from pipeline.render.reports import (
    bulletin_for,
    next_steps_text,
    period_text,
    render_reports,
    visible_text,
)
from pipeline.render.workbooks import SEVERITY_FILLS, ledger, put
from pipeline.run import Analysis, Workspace, analyse, load_register, read_period
from tests.test_render import parse, table_rows

PERIOD = "2026-11"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace run for October, then November (so November has a trend)."""
    root = tmp_path_factory.mktemp("reports")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", str(root)]).exit_code == 0
    for period in ("2026-10", PERIOD):
        result = runner.invoke(cli, ["run", "--input", str(root / "input"),
                                     "--output", str(root / "output"),
                                     "--config", str(root / "keyproj.toml"),
                                     "--period", period])
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def out(demo: Path) -> Path:
    return demo / "output" / PERIOD


def _csv(out: Path, name: str) -> list[dict[str, str]]:
    with open(out / "data" / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _analysis(demo: Path, **report: str) -> tuple[Analysis, Settings]:
    settings = load_settings(demo / "keyproj.toml")
    settings = dataclasses.replace(settings,
                                   report=dataclasses.replace(settings.report, **report))
    workspace = Workspace(demo / "input", demo / "output")
    period = Period.parse(PERIOD)
    register = load_register(workspace, settings)
    books = read_period(workspace, period, settings)
    past = load_past(workspace.history_path, before=period)
    return analyse(register, books, period, settings, past), settings


@pytest.fixture(scope="module")
def english(demo: Path) -> tuple[Analysis, Settings]:
    return _analysis(demo, lang="en")


def _pdf_text(path: Path) -> str:
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    return text.replace(" ", "").replace("\n", "")


# --- what a run writes ------------------------------------------------------------------

def test_every_report_is_written_and_listed(demo: Path, out: Path) -> None:
    listed = {o["file"] for o in json.loads((out / "manifest.json").read_text("utf-8"))["outputs"]}
    units = sorted({row["unit"] for row in _csv(out, "projects.csv")})
    leaders = sorted({row["leader"] for row in _csv(out, "projects.csv")})
    unit_files, leader_files = file_names(units), file_names(leaders)
    expected = {"report.html", "report.pdf", "ledger.xlsx", "index.html"}
    expected |= {f"units/{unit_files[u]}.{ext}" for u in units for ext in ("html", "pdf")}
    expected |= {f"leaders/{leader_files[name]}.{ext}" for name in leaders
                 for ext in ("html", "pdf")}
    # every unit of the demo sent a sheet, so every unit gets its marked copy
    expected |= {f"units/{unit_files[u]}-marked.xlsx" for u in units}
    assert expected <= listed
    assert all((out / name).is_file() for name in listed)
    assert "units/县交通运输局.pdf" in listed      # the name as the register writes it


def test_index_links_every_output_and_every_link_resolves(out: Path) -> None:
    dom = parse((out / "index.html").read_text("utf-8"))
    links = [a.attrs["href"] for a in dom.find_all("a")]
    assert links and all(not re.match(r"^[a-z]+:", href) for href in links)  # all relative
    for href in links:
        assert (out / unquote(href)).is_file(), href
    listed = {o["file"] for o in json.loads((out / "manifest.json").read_text("utf-8"))["outputs"]}
    reports = {name for name in listed if not name.startswith("data/") and name != "index.html"}
    assert reports <= {unquote(href) for href in links}


# --- the bulletin -----------------------------------------------------------------------

def test_bulletin_pdf_reads_back_with_names_figures_and_fonts(out: Path) -> None:
    path = out / "report.pdf"
    assert path.stat().st_size < 2 * 1024 * 1024
    reader = PdfReader(path)
    text = _pdf_text(path)
    for unit in {row["unit"] for row in _csv(out, "units.csv")}:
        assert unit in text, unit
    head = headline(pd.read_csv(out / "data/projects.csv").assign(
        total_investment=[0.0] * len(_csv(out, "projects.csv"))))
    assert f"年度计划投资{filters.yi(head.annual_plan)}亿元" in text
    assert f"累计完成投资{filters.yi(head.ytd_done)}亿元" in text
    assert f"年度计划完成率{filters.pct(head.completion_rate)}" in text
    for heading in ("一、总体情况", "二、分类推进情况", "三、亮灯情况", "四、责任单位排名",
                    "五、红黑榜", "六、招商引资项目", "七、存在问题", "八、下步工作要求",
                    "附件1", "重点项目进度排名表", "附件2", "数据质量情况"):
        assert heading in text, heading
    for number in range(1, len(reader.pages) + 1):
        assert f"—{number}—" in text
    embedded = pdf_fonts(reader)
    assert embedded and all(ok for _, ok in embedded)
    assert all("+" in name for name, _ in embedded)          # subset
    assert any("CJK" in name for name, _ in embedded)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages}
    assert sizes == {(595, 842), (842, 595)}                 # A4, the annexed table landscape


def test_bulletin_html_tables_have_the_spec_rows(out: Path) -> None:
    dom = parse((out / "report.html").read_text("utf-8"))
    units = _csv(out, "units.csv")
    rows = table_rows(dom.find("table", "units"))
    assert [row[1] for row in rows] == [u["unit"] for u in units]
    assert [row[2] for row in rows] == [filters.num(float(u["score"])) for u in units]
    projects = _csv(out, "projects.csv")
    annex = table_rows(dom.find("table", "projects"))
    assert len(annex) == len(projects)
    ranked = [p for p in projects if p["rank"]]
    assert [row[1] for row in annex[:len(ranked)]] == [p["name"] for p in ranked]
    lists = _csv(out, "lists.csv")
    for table, which, kind in (("list-projects", "red", "project"), ("list-units", "red", "unit")):
        shown = table_rows(dom.find_all("table", table)[0])
        assert [row[1] for row in shown] == [r["name"] for r in lists
                                             if (r["list"], r["kind"]) == (which, kind)]
    black = table_rows(dom.find_all("table", "list-projects")[1])
    assert [row[1] for row in black] == [r["name"] for r in lists
                                         if (r["list"], r["kind"]) == ("black", "project")]
    assert {row[-1] for row in black} <= {"提醒", "约谈", "通报问责"}
    attraction = table_rows(dom.find("table", "attraction"))
    assert [row[0] for row in attraction] == ["全县"] + [
        r["scope"] for r in _csv(out, "attraction.csv")[1:]]
    problems = [[cell.text for cell in row.children if not isinstance(cell, str)]
                for body in dom.find("table", "problems").find_all("tbody")
                for row in body.find_all("tr")]
    problems = [row for row in problems if len(row) == 6]
    assert len(problems) == len(_csv(out, "coordination.csv"))
    assert "一是加快项目建设进度" in dom.text
    # four charts, inline SVG with their own ids, glyphs drawn as paths
    figures = dom.find_all("figure", "chart")
    assert [f.attrs["id"] for f in figures] == [
        "figure-trend", "figure-categories", "figure-lights", "figure-units"]
    html = (out / "report.html").read_text("utf-8")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "<text" not in html and "<img" not in html


def test_trend_and_change_since_last_month(out: Path) -> None:
    html = (out / "report.html").read_text("utf-8")
    assert "与上月相比" in html
    units = table_rows(parse(html).find("table", "units"))
    assert all(re.fullmatch(r"[+-]?\d+\.\d|—", row[3]) for row in units)
    assert any(row[3] != "—" for row in units)


# --- unit feedback sheets and leader lists ----------------------------------------------

def test_unit_sheets_read_back(out: Path) -> None:
    findings = _csv(out, "findings.csv")
    for unit in _csv(out, "units.csv"):
        name = unit["unit"]
        path = out / "units" / f"{file_names([name])[name]}.pdf"
        reader = PdfReader(path)
        assert len(reader.pages) <= 2, name                  # one or two pages (REPORTS.md)
        assert all(ok for _, ok in pdf_fonts(reader))
        text = _pdf_text(path)
        assert f"{name}：" in text and f"得分{filters.num(float(unit['score']))}分" in text
        assert f"排第{unit['rank']}名" in text
        for f in findings:
            if f["unit"] == name and f["cell"]:
                assert f"{f['sheet']}!{f['cell']}" in text, (name, f["cell"])


def test_unit_sheet_names_the_finding_and_the_fix(out: Path) -> None:
    dom = parse((out / "units/县住房和城乡建设局.html").read_text("utf-8"))
    rows = table_rows(dom.find("table", "findings"))
    assert rows == [["Sheet1!F10", "错误",
                     "年度累计完成投资“4,73O.3”不是数字（含字母 O，是否应为数字 0？）。",
                     "请填写以万元计的金额"]]
    todo = [li.text for li in dom.find("ol", "todo").find_all("li")]
    assert any("双牌县第二自来水厂扩建工程" in item and "无法使用" in item for item in todo)


def test_leader_lists_hold_every_open_problem_oldest_first(out: Path) -> None:
    items = _csv(out, "coordination.csv")
    names = {p["project_id"]: p["name"] for p in _csv(out, "projects.csv")}
    for leader in sorted({p["leader"] for p in _csv(out, "projects.csv")}):
        stem = file_names([leader])[leader]
        dom = parse((out / "leaders" / f"{stem}.html").read_text("utf-8"))
        mine = [i for i in items if i["leader"] == leader]
        if not mine:
            assert dom.find_all("table", "instructions") == []
            continue
        rows = table_rows(dom.find("table", "instructions"))
        assert [row[1] for row in rows] == [names[i["project_id"]] for i in sorted(
            mine, key=lambda i: (-int(i["months"]), i["project_id"]))]
        assert all(row[-1] == "" for row in rows)          # left blank for the 批示
        assert leader in _pdf_text(out / "leaders" / f"{stem}.pdf")


# --- workbooks --------------------------------------------------------------------------

def _worst(codes: list[str]) -> str:
    order = ("error", "warning", "info")
    return min((str(SEVERITY[c]) for c in codes), key=order.index)


def test_marked_copies_fill_and_comment_every_finding_cell(out: Path) -> None:
    findings = _csv(out, "findings.csv")
    marked = 0
    for path in sorted((out / "units").glob("*-marked.xlsx")):
        book = openpyxl.load_workbook(path)
        review = book.worksheets[-1]
        assert review.title == "核查意见"
        listed = [r[:3] for r in review.iter_rows(min_row=3, values_only=True)
                  if r[0] and not r[0].startswith("项目层面问题")]
        unit = path.name.removesuffix("-marked.xlsx")
        mine = [f for f in findings if f["unit"] == unit and f["file"]]
        # the unit's sheet says where the copy lists them, by the review sheet's own name
        page = (out / "units" / f"{unit}.html").read_text(encoding="utf-8")
        if mine:
            assert f"已将原表中有问题的单元格标色并加批注，以上全部问题另列于其“{review.title}”工作表" in page
        # every finding of the unit's files is on the review sheet …
        assert sorted((f["file"], f["sheet"], f["cell"]) for f in mine) == sorted(
            (file.removesuffix("（另一报送文件）"), sheet, cell or "")
            for file, sheet, cell in listed)
        # … and each cell of the marked file itself is filled and commented
        here = {file for file, _, _ in listed if not file.endswith("（另一报送文件）")}
        for f in mine:
            if f["file"] not in here or not f["cell"]:
                continue
            cell = book[f["sheet"]][f["cell"]]
            codes = [g["code"] for g in mine
                     if (g["file"], g["sheet"], g["cell"]) == (f["file"], f["sheet"], f["cell"])]
            assert cell.fill.fgColor.rgb.endswith(SEVERITY_FILLS[_worst(codes)]), f
            assert cell.comment is not None, f
            zh = f["message"].split(": ", 1)[1].split(" / ")[0]
            assert zh.split("。")[0] in cell.comment.text
            marked += 1
    assert marked >= 10


def test_marked_copy_of_a_csv_is_an_xlsx_of_its_values(demo: Path, out: Path) -> None:
    book = openpyxl.load_workbook(out / "units/江村镇人民政府-marked.xlsx")
    sheet = book.worksheets[0]
    data = (demo / "input" / PERIOD / "江村镇-11月进度.csv").read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    first = next(csv.reader(io.StringIO(text)))
    assert [c.value for c in sheet[1]][:len(first)] == [v or None for v in first]


def test_ledger_sheets_fills_formats_and_frozen_headers(out: Path) -> None:
    book = openpyxl.load_workbook(out / "ledger.xlsx")
    assert book.sheetnames == ["项目", "单位", "数据问题", "红黑榜", "招商引资", "协调事项"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    projects = book["项目"]
    header = [c.value for c in projects[1]]
    light = header.index("亮灯") + 1
    plan = header.index("年度计划（万元）") + 1
    rate = header.index("完成率") + 1
    colours = {"绿": "8FD694", "黄": "FFE066", "红": "F08080", "未报": "D0D0D0"}
    rows = list(projects.iter_rows(min_row=2))
    assert len(rows) == len(_csv(out, "projects.csv"))
    for row in rows:
        cell = row[light - 1]
        assert cell.fill.fgColor.rgb.endswith(colours[cell.value])
        assert row[plan - 1].number_format == "#,##0.00"
        assert row[rate - 1].number_format == "0.0%"
    assert len(list(book["数据问题"].iter_rows(min_row=2))) == len(_csv(out, "findings.csv"))


def test_ledger_writes_text_that_looks_like_a_formula_as_text() -> None:
    projects = pd.DataFrame([{"project_id": "SP-1", "name": "=HYPERLINK(\"http://x\")",
                              "category": "new", "unit": "@SUM(A1)", "leader": "+1",
                              "light": "green", "rank": 1, "annual_plan": 10.0}])
    data = ledger(projects=projects, units=pd.DataFrame(), findings=[], finding_columns=(),
                  lists=pd.DataFrame(), attraction=pd.DataFrame(),
                  coordination=pd.DataFrame(), lang="zh")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["项目"]
    values = {c.value: c.data_type for c in sheet[2] if isinstance(c.value, str)}
    assert values['=HYPERLINK("http://x")'] == "s" and values["@SUM(A1)"] == "s"
    book = openpyxl.Workbook()
    assert put(book.active, 1, 1, "=1+1").data_type == "s"


# --- Chromium -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(url: str, profile: Path) -> tuple[str, str]:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package "
                    "chromium; setup.sh installs it): the browser test cannot run")
def test_bulletin_and_index_open_in_chromium_without_console_errors(out: Path,
                                                                   tmp_path: Path) -> None:
    # the check can see an error: a page that logs one is caught
    broken = tmp_path / "broken.html"
    broken.write_text("<p>x</p><script>console.error('boom'); nope();</script>", "utf-8")
    _, stderr = _chromium(broken.as_uri(), tmp_path / "profile")
    assert _console_errors(stderr), stderr[-2000:]
    for name in ("report.html", "index.html", "units/县水利局.html"):
        dom, stderr = _chromium((out / name).as_uri(), tmp_path / "profile")
        assert "</html>" in dom and ("调度通报" in dom or "调度成果" in dom or "反馈单" in dom)
        assert _console_errors(stderr) == [], (name, _console_errors(stderr))


# --- English from the same templates ------------------------------------------------------

def test_every_english_label_is_english() -> None:
    # 万元/亿元 name the unit a sheet uses; those labels quote it on purpose
    quoting = {"code_amount_in_yi"}
    for key, entry in LABELS.items():
        if key not in quoting:
            assert not CJK.search(entry["en"]), (key, entry["en"])


def test_english_reports_print_no_chinese_but_the_data(english: tuple[Analysis, Settings]
                                                       ) -> None:
    analysis, settings = english
    env = environment()
    ctx = bulletin_for(analysis, settings)
    pages = [render_bulletin(ctx, charts={}, env=env)]
    pages.append(render_page("leader.html", leader_context(
        leader="王志刚", projects=analysis.projects, coordination=analysis.coordination,
        period=PERIOD, county="双牌县", office="县重点项目建设服务中心", lang="en"), env=env))
    for html in pages:
        dom = parse(html)
        assert dom.find("html").attrs["lang"] == "en"
        chrome = [th.text for head in dom.find_all("thead") for th in head.find_all("th")]
        chrome += [h.text for tag in ("h2", "h4") for h in dom.find_all(tag)]
        chrome += [p.text for cls in ("table-unit", "table-note") for p in dom.find_all("p", cls)]
        for text in chrome:
            assert not CJK.search(text), text
    narrative = " ".join(p.text for p in parse(pages[0]).find_all("p", "narrative"))
    assert "percentage points" in narrative and "hundred million yuan" in narrative


def test_english_unit_sheet_quotes_the_english_fix(english: tuple[Analysis, Settings]) -> None:
    from pipeline.render.pages import unit_context

    analysis, _ = english
    unit = "县住房和城乡建设局"
    mine = [f for f in analysis.findings if f.unit == unit]
    ctx = unit_context(unit=unit, projects=analysis.projects, units=analysis.units,
                       lists=analysis.lists, findings=mine, rows=[], statuses=[], register={},
                       period=PERIOD, county="", office="", lang="en")
    rows = table_rows(parse(render_page("unit.html", ctx)).find("table", "findings"))
    assert rows[0][1:] == ["error", "“4,73O.3” is not a number (letter O where a 0 was meant?).",
                           "Enter the amount in 万元"]


# --- templates, text, fonts ---------------------------------------------------------------

def test_user_templates_override_the_bundled_ones(english: tuple[Analysis, Settings],
                                                  tmp_path: Path) -> None:
    analysis, settings = english
    (tmp_path / "_next_steps.html").write_text(
        '<p class="ours">{{ ctx.next_steps | length }} steps</p>', "utf-8")
    html = render_bulletin(bulletin_for(analysis, settings), env=environment(tmp_path))
    assert '<p class="ours">3 steps</p>' in html


def test_next_steps_come_from_the_text_or_the_file_it_names(tmp_path: Path) -> None:
    path = tmp_path / "steps.txt"
    path.write_text("一是抓开工。\n二是抓投资。", "utf-8")
    assert next_steps_text(str(path)) == "一是抓开工。\n二是抓投资。"
    assert next_steps_text("一是抓开工。") == "一是抓开工。"
    assert next_steps_text("x" * 5000) == "x" * 5000


def test_a_missing_cjk_font_stops_the_run_before_anything_is_written(
        demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "font_problem", lambda: "没有中文字体 / no CJK font")
    shutil.copytree(demo / "input", tmp_path / "input")
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "input"), "--output",
                                      str(tmp_path / "output"), "--period", PERIOD])
    assert result.exit_code == 1
    assert "Noto Serif CJK SC" in result.output and "fonts-noto-cjk" in result.output
    assert not (tmp_path / "output" / PERIOD).exists()


def test_a_chart_font_matplotlib_lacks_stops_the_run_before_anything_is_written(
        demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The charts' font is asked where the charts are drawn (here: one job, this process),
    not before the period is read; the run still writes nothing and says how to fix it."""
    monkeypatch.setattr(fonts, "CHART_FONTS", ("No Such CJK Family",))
    fonts.chart_font.cache_clear()
    shutil.copytree(demo / "input", tmp_path / "input")
    try:
        result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "input"),
                                          "--output", str(tmp_path / "output"), "--period",
                                          PERIOD, "--jobs", "1"])
    finally:
        fonts.chart_font.cache_clear()
    assert result.exit_code == 1, result.output
    assert "No Such CJK Family" in result.output and "matplotlib" in result.output
    assert not (tmp_path / "output" / PERIOD).exists()


def test_the_period_fonts_hold_every_character_the_pages_print(
        demo: Path, out: Path, english: tuple[Analysis, Settings]) -> None:
    """The period's fonts are made before any page is built, from the text the pages can
    print (period_text): every character of every page is in them, in both languages."""
    for (analysis, settings), folder in ((_analysis(demo), out), (english, None)):
        spec = fonts.period_font_spec(
            period_text(analysis, settings, bulletin_for(analysis, settings), None))
        assert spec is not None
        held = {chr(code) for code in spec.chars}
        if folder is None:
            files = render_reports(analysis, settings, jobs=1)
            texts = [data.decode("utf-8") for name, data in files.items()
                     if name.endswith(".html") and name != "index.html"]
        else:
            texts = [path.read_text(encoding="utf-8") for path in folder.rglob("*.html")
                     if path.name != "index.html"]
        assert len(texts) > 5
        printed = set("".join(texts))
        assert any(CJK.match(ch) for ch in printed)
        assert {ch for ch in printed - held if not ch.isspace()} == set()


def test_characters_no_font_has_are_found() -> None:
    assert fonts.missing_glyphs(["双牌县 G207 ～ 100%"]) == []
    assert fonts.missing_glyphs(["项目\U000f0001"]) == ["\U000f0001"]
    error = fonts.glyph_error(["\U000f0001"], "units/x.pdf")
    assert "U+F0001" in str(error) and "units/x.pdf" in str(error)


def test_chart_text_is_drawn_in_the_cjk_font(english: tuple[Analysis, Settings]) -> None:
    analysis, settings = english
    zh = dataclasses.replace(settings, report=dataclasses.replace(settings.report, lang="zh"))
    ctx = bulletin_for(analysis, zh)
    charts = bulletin_charts(ctx)
    assert set(charts) == {"trend", "categories", "lights", "units"}
    for key, svg in charts.items():
        assert svg.startswith("<svg ") and 'role="img"' in svg
        assert "<text" not in svg and "NotoSansCJKsc" in svg        # glyphs as paths
        assert all(name.startswith(f"chart-{key}-") for name in re.findall(r'id="([^"]+)"',
                                                                              svg))
    assert visible_text(charts["units"]).strip() == ""


def test_the_data_text_folds_each_string_on_its_own() -> None:
    """NFKC of each string, not of the strings joined: a decomposed ü and half-width パ
    compose with their own letters, whatever order a set gives them."""
    from pipeline.render.reports import _data_text, _strings

    strings = {"u\u0308ber", "\uff8a\uff9f", "甲", "abc"}
    held = set("".join(_data_text(strings)))
    assert {"ü", "パ", "甲"} <= held
    frame = pd.DataFrame({"name": pd.array(["乙镇", None], dtype="string"), "n": [1, 2]})
    assert "乙镇" in _strings([frame])


def test_every_string_is_found_however_ids_are_reused() -> None:
    """The lists made while walking (a mapping's keys and values) are freed once walked and
    their ids reused: none may be taken for one already seen (the period's fonts then
    missed characters, by the hash seed, and PDFs differed from run to run)."""
    from pipeline.render.reports import _strings

    data = [{f"k{i}": f"v{i}", f"x{i}": [f"y{i}"]} for i in range(2000)]
    assert set(_strings(data)) == {f"{p}{i}" for i in range(2000) for p in "kvxy"}
