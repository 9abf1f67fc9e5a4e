"""The county bulletin: filters, labels, context, HTML (parsed DOM) and PDF (read back)."""

from __future__ import annotations

import datetime as dt
import io
import math
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pandas as pd
import pytest
from factory import pdf_fonts
from pypdf import PdfReader

from pipeline.render import filters
from pipeline.render.context import BulletinContext, bulletin_context, section_heading
from pipeline.render.html import TEMPLATES_DIR, environment, render_bulletin
from pipeline.render.labels import LABELS, LANGS, label, labels
from pipeline.render.pdf import LocalFetcher, html_to_pdf

MM = 72 / 25.4   # PDF points per millimetre

# --- frames as the pipeline produces them ------------------------------------------------

UNITS = ("县交通运输局", "县住房和城乡建设局", "泷泊镇人民政府", "江村镇人民政府",
         "县工业园区管理委员会", "县文化旅游广电体育局", "县水利局", "县农业农村局",
         "县教育局", "县卫生健康局", "五里牌镇人民政府", "县城市建设投资开发有限公司")
NAMES = ("城乡供水一体化及农村饮水安全巩固提升工程（二期）", "县城至泷泊镇二级公路改扩建工程",
         "潇水河流域综合治理与生态修复项目", "工业园区标准化厂房及配套基础设施建设项目（三期）",
         "县人民医院综合住院大楼暨医养结合中心建设工程", "阳明山国家森林公园旅游基础设施提升工程",
         "老旧小区改造及城市更新项目", "高标准农田建设项目", "第二中学新校区建设项目",
         "城区雨污分流改造工程", "冷链物流产业园", "光伏发电项目")
CATEGORIES = ("continuing", "new", "completing", "preparatory")
SECTIONS_ZH = ["一、总体情况", "二、分类推进情况", "三、亮灯情况", "四、责任单位排名", "五、红黑榜",
               "六、招商引资项目", "七、存在问题", "八、下步工作要求"]


def project_frame(rows: list[dict]) -> pd.DataFrame:
    """A projects frame with the pipeline's columns; missing fields get plain defaults."""
    records = []
    for i, row in enumerate(rows, start=1):
        record = {"project_id": f"SP2026-{i:03d}", "name": f"项目{i}", "category": "continuing",
                  "unit": "县交通运输局", "leader": "张三", "sector": "交通",
                  "total_investment": 10000.0, "annual_plan": 1000.0, "ytd_done": 500.0,
                  "month_done": 50.0, "time_progress": 11 / 12, "reported": True,
                  "light_reason": None, "light": None, "rank": pd.NA, **row}
        plan, done, progress = record["annual_plan"], record["ytd_done"], record["time_progress"]
        rate = done / plan if plan and not math.isnan(done) else math.nan
        record.setdefault("completion_rate", rate)
        record.setdefault("progress_index", rate / progress)
        record.setdefault("lag_pp", (progress - rate) * 100)
        if record["light"] is None:
            lag = record["lag_pp"]
            record["light"] = ("grey" if not record["reported"] else "green" if lag <= 0
                               else "yellow" if lag <= 10 else "red")
        if record["light_reason"] is None:
            record["light_reason"] = {"grey": "not_reported", "green": "on_schedule"}.get(
                record["light"], "lag")
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    ranked = frame[frame["progress_index"].notna() & frame["reported"]].sort_values(
        ["progress_index", "ytd_done", "project_id"], ascending=[False, False, True])
    rank = pd.Series(range(1, len(ranked) + 1), index=ranked.index)
    return frame.assign(
        rank=rank.reindex(frame.index).astype("Int64"),
        category_rank=ranked.groupby("category").cumcount().add(1)
        .reindex(frame.index).astype("Int64"))


def unit_frame(projects: pd.DataFrame) -> pd.DataFrame:
    """A units frame: one row per unit of ``projects`` with plausible scores."""
    records = []
    for i, (unit, group) in enumerate(projects.groupby("unit", sort=True)):
        lights = group["light"].value_counts()
        records.append({
            "unit": unit, "score": 97.25 - 3.5 * i, "investment": min(1.0, 1.02 - 0.05 * i),
            "starts": math.nan if i % 3 else 0.5, "milestones": 1.0 if i % 2 else math.nan,
            "reporting": float(group["reported"].mean()), "projects": len(group),
            "reported": int(group["reported"].sum()),
            **{light: int(lights.get(light, 0)) for light in ("red", "yellow", "green", "grey")},
        })
    frame = pd.DataFrame.from_records(records).sort_values("score", ascending=False)
    return frame.assign(rank=range(1, len(frame) + 1)).reset_index(drop=True)


def realistic_projects(count: int = 45) -> pd.DataFrame:
    """``count`` projects over twelve units with long Chinese names, every light present."""
    rows = []
    for i in range(count):
        category = CATEGORIES[i % 4]
        plan = 0.0 if category == "preparatory" and i % 8 == 3 else 1500.0 + 731.5 * (i % 9)
        row: dict = {"name": f"双牌县{NAMES[i % len(NAMES)]}", "category": category,
                     "unit": UNITS[i % len(UNITS)], "leader": ("李明", "王芳", "赵强")[i % 3],
                     "total_investment": 25000.0 + 12345.67 * i, "annual_plan": plan,
                     "ytd_done": plan * (0.55 + 0.013 * (i % 37)), "month_done": plan * 0.08}
        if i % 11 == 7:
            row.update(ytd_done=math.nan, month_done=math.nan, reported=False)
        if plan == 0:
            row.update(ytd_done=0.0, light="green", light_reason="milestones_on_time",
                       progress_index=math.nan, lag_pp=math.nan, completion_rate=math.nan)
        rows.append(row)
    return project_frame(rows)


def small_projects() -> pd.DataFrame:
    """Four projects whose totals are easy to check by hand."""
    return project_frame([
        {"name": "潇水大桥", "unit": "县交通运输局", "category": "new", "total_investment": 80000.0,
         "annual_plan": 20000.0, "ytd_done": 18000.0, "month_done": 1500.0},
        {"name": "城区供水<管网>改造", "unit": "泷泊镇人民政府", "total_investment": 30000.0,
         "annual_plan": 10000.0, "ytd_done": 6000.0, "month_done": 400.0},
        {"name": "物流园", "unit": "泷泊镇人民政府", "category": "completing",
         "total_investment": 12345.0, "annual_plan": 5000.0, "ytd_done": math.nan,
         "month_done": math.nan, "reported": False},
        {"name": "高铁站前期", "unit": "县交通运输局", "category": "preparatory",
         "total_investment": 200000.0, "annual_plan": 0.0, "ytd_done": 0.0, "month_done": 0.0,
         "light": "green", "light_reason": "milestones_on_time", "completion_rate": math.nan,
         "progress_index": math.nan, "lag_pp": math.nan},
    ])


def context(projects: pd.DataFrame | None = None, *, lang: str = "zh", **kwargs) -> BulletinContext:
    projects = small_projects() if projects is None else projects
    options = {"finding_counts": {"error": 3, "warning": 2}, "period": "2026-11",
               "county": "双牌县", "office": "双牌县重点项目建设服务中心", "lang": lang, **kwargs}
    return bulletin_context(projects=projects, units=unit_frame(projects), **options)


# --- a small DOM from the stdlib parser ---------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children).strip()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                classes = child.attrs.get("class", "").split()
                if child.tag == tag and (cls is None or cls in classes):
                    found.append(child)
                found.extend(child.find_all(tag, cls))
        return found

    def find(self, tag: str, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]


class DomBuilder(HTMLParser):
    VOID = frozenset({"meta", "link", "col", "br", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.root = self.node = Node("#root", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in self.VOID:
            self.node = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.node = node.parent

    def handle_data(self, data: str) -> None:
        self.node.children.append(data)


def parse(html: str) -> Node:
    builder = DomBuilder()
    builder.feed(html)
    builder.close()
    assert builder.node is builder.root, "unclosed elements"
    return builder.root


def table_rows(table: Node, part: str = "tbody") -> list[list[str]]:
    return [[cell.text for cell in row.children if isinstance(cell, Node)]
            for row in table.find(part).find_all("tr")]


# --- filters -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (0.12345, "12.3%"), (0.0125, "1.3%"), (0.00049999, "0.0%"), (0.0005, "0.1%"),
    (1.0, "100.0%"), (0.012499999999999999, "1.3%"), (-0.0001, "0.0%"), (-0.0125, "-1.3%"),
    (None, "—"), (math.nan, "—"), (pd.NA, "—"), (float("inf"), "—"),
])
def test_pct_rounds_half_up(value, expected):
    assert filters.pct(value) == expected


def test_round_builtin_would_round_half_even():
    # the reason filters use Decimal: round() gives 1.2 here where the office writes 1.3
    assert round(0.0125 * 100, 1) == 1.2 and filters.pct(0.0125) == "1.3%"


@pytest.mark.parametrize(("value", "expected"), [
    (12345.678, "12,345.68"), (1200.0, "1,200"), (1234.5, "1,234.5"), (0.005, "0.01"),
    (1234567.125, "1,234,567.13"), (0, "0"), (math.nan, "—"),
])
def test_wan(value, expected):
    assert filters.wan(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (123456.0, "12.35"), (125.0, "0.01"), (50000, "5.00"), (12345678.9, "1,234.57"),
    (None, "—"),
])
def test_yi(value, expected):
    assert filters.yi(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (7.25, "7.3"), (-7.25, "-7.3"), (10.000000000000004, "10.0"), (0.04999, "0.0"),
    (pd.NA, "—"),
])
def test_pp(value, expected):
    assert filters.pp(value) == expected


def test_num_and_count():
    assert (filters.num(87.25), filters.num(3, 0), filters.count(4.0), filters.count(pd.NA)) == (
        "87.3", "3", "4", "—")


# --- labels ------------------------------------------------------------------------------

def test_every_label_has_both_languages():
    assert all(set(entry) == set(LANGS) for entry in LABELS.values())
    empty = {key for key, entry in LABELS.items() if not all(entry.values())}
    assert empty == {"sentence_gap"}   # Chinese sentences join without a space


def test_labels_zh_and_en():
    assert [label(code, "zh") for code in ("green", "yellow", "red", "grey")] == [
        "绿", "黄", "红", "未报"]
    assert [label(code, "en") for code in ("green", "yellow", "red", "grey")] == [
        "green", "yellow", "red", "not reported"]
    assert [label(code, "zh") for code in CATEGORIES] == ["续建", "新开工", "竣工投产", "前期"]
    assert [label(code, "en") for code in CATEGORIES] == [
        "continuing", "new", "completing", "preparatory"]
    assert label("milestone_overdue_30d", "zh") == "节点逾期超30天"
    assert label("unusable_value", "en") == "unusable value"
    assert labels("en")["col_unit"] == "Unit"


def test_label_errors_name_the_fix():
    with pytest.raises(KeyError, match="labels.py"):
        label("no_such_label", "zh")
    with pytest.raises(ValueError, match=r"zh, en"):
        label("green", "fr")


def test_section_headings():
    assert [section_heading(n, "X", "zh") for n in (1, 4, 10, 12, 21)] == [
        "一、X", "四、X", "十、X", "十二、X", "二十一、X"]
    assert section_heading(2, "Lights", "en") == "2. Lights"


# --- context -----------------------------------------------------------------------------

def test_headline_figures():
    head = context().headline
    assert head.projects == 4
    assert head.total_investment == 322345.0
    assert head.annual_plan == 35000.0
    assert head.ytd_done == 24000.0            # the unreported project counts as 0
    assert head.month_done == 1900.0
    assert head.completion_rate == pytest.approx(24000 / 35000)
    assert head.time_progress == pytest.approx(11 / 12)
    assert head.gap_pp == pytest.approx((24000 / 35000 - 11 / 12) * 100)


def test_overview_narrative_in_yi_and_points():
    first, second = context().overview
    assert first == ("双牌县纳入调度的重点项目4个，总投资32.23亿元，年度计划投资3.50亿元。"
                     "1—11月累计完成投资2.40亿元，其中本月完成0.19亿元。"
                     "年度计划完成率68.6%，序时进度91.7%，低于序时进度23.1个百分点。")
    assert second == ("亮绿灯1个、黄灯1个、红灯1个、灰灯（未报送或数据不可用）1个。"
                      "本期数据核查发现错误3条、警告2条、提示0条。")


def test_the_category_table_sums_every_project_s_amount_done():
    """前期 projects without a plan have amounts done: the table shows them in their row and
    its total (as the narrative and the annex do); the rates are over planned projects."""
    projects = project_frame([
        {"annual_plan": 1000.0, "ytd_done": 900.0},
        {"category": "preparatory", "annual_plan": 0.0, "ytd_done": 120.0,
         "completion_rate": math.nan, "progress_index": math.nan, "lag_pp": math.nan}])
    ctx = context(projects)
    rows = {row.label: row for row in ctx.category_rows}
    assert rows["前期"].ytd_done == 120.0 and rows["前期"].completion_rate is None
    assert ctx.category_total.ytd_done == 1020.0 == ctx.headline.ytd_done
    assert ctx.category_total.completion_rate == pytest.approx(0.9)


def test_a_leader_s_count_stands_apart_from_a_name_ending_in_a_digit():
    from pipeline.render.context import problems_summary

    items = pd.DataFrame({"leader": ["领导08", "领导08", "张三"], "project_id": ["A", "B", "C"],
                          "problem_type": ["land", "funding", "land"]})
    assert problems_summary(items, "zh").endswith("按联系领导分：领导08（2个）、张三（1个）。")


def test_overview_ahead_and_level():
    ahead = project_frame([{"annual_plan": 1000.0, "ytd_done": 1000.0, "time_progress": 0.9}])
    assert "超序时进度10.0个百分点" in context(ahead).overview[0]
    level = project_frame([{"annual_plan": 1000.0, "ytd_done": 900.4, "time_progress": 0.9}])
    assert "与序时进度持平" in context(level).overview[0]


def test_overview_without_plan_has_no_rate():
    frame = project_frame([{"annual_plan": 0.0, "ytd_done": 0.0, "light": "green",
                            "light_reason": "milestones_on_time"}])
    assert "完成率" not in context(frame).overview[0]


def test_masthead_and_sections():
    ctx = context()
    assert (ctx.title, ctx.issue, ctx.office, ctx.date) == (
        "双牌县重点项目建设调度通报", "2026年第11期", "双牌县重点项目建设服务中心",
        "2026年11月30日")
    assert [s.heading for s in ctx.sections] == SECTIONS_ZH
    assert [(a.number, a.title) for a in ctx.annexes] == [
        ("附件1", "重点项目进度排名表"), ("附件2", "数据质量情况")]
    assert context(issued=dt.date(2026, 12, 3)).date == "2026年12月3日"


def test_lights_by_category():
    ctx = context()
    assert [tuple(row) for row in ctx.light_rows] == [
        ("新开工", 1, 0, 1, 0, 0), ("续建", 1, 0, 0, 1, 0), ("竣工投产", 1, 0, 0, 0, 1),
        ("前期", 1, 1, 0, 0, 0)]
    assert tuple(ctx.light_total) == ("合计", 4, 1, 1, 1, 1)


def test_project_rows_ranked_first_then_unranked():
    rows = context(realistic_projects()).project_rows
    ranks = [row.rank for row in rows]
    ranked = [r for r in ranks if r is not None]
    assert ranked == list(range(1, len(ranked) + 1))
    assert ranks == ranked + [None] * (len(ranks) - len(ranked))
    values = [v for row in rows for v in row if isinstance(v, float)]
    assert values and not any(math.isnan(v) for v in values)


def test_unit_rows_by_rank_with_missing_parts_as_none():
    rows = context(realistic_projects()).unit_rows
    assert [row.rank for row in rows] == list(range(1, 13))
    assert rows[1].starts is None and rows[0].starts == 0.5


def test_empty_frames_render(tmp_path: Path):
    ctx = bulletin_context(projects=small_projects().iloc[0:0], units=pd.DataFrame(),
                           finding_counts={}, period="2026-01", county="", office="", lang="zh")
    assert ctx.title == "重点项目建设调度通报"
    assert ctx.overview[0] == ("全县纳入调度的重点项目0个，总投资0.00亿元，年度计划投资0.00亿元。"
                               "1月累计完成投资0.00亿元，其中本月完成0.00亿元。")
    assert (ctx.unit_rows, ctx.project_rows) == ((), ())
    dom = parse(render_bulletin(ctx))
    empty = [td.text for td in dom.find_all("td", "empty")]
    assert len(empty) >= 2 and set(empty) == {"（无）"}


# --- HTML --------------------------------------------------------------------------------

def test_bulletin_html_structure():
    dom = parse(render_bulletin(context()))
    assert dom.find("html").attrs["lang"] == "zh-CN"
    assert dom.find("h1").text == "双牌县重点项目建设调度通报"
    assert dom.find("p", "issue").text == "2026年第11期"
    assert [h.text for h in dom.find_all("h2")] == SECTIONS_ZH + [
        "重点项目进度排名表", "数据质量情况"]
    assert "低于序时进度23.1个百分点" in dom.find("section").text

    units = table_rows(dom.find("table", "units"))
    assert [row[:3] for row in units] == [["1", "县交通运输局", "97.3"],
                                          ["2", "泷泊镇人民政府", "93.8"]]
    assert units[0][3:9] == ["—", "100.0%", "50.0%", "—", "100.0%", "2"]

    table = dom.find("table", "projects")
    assert table.find("thead").find_all("th")[1].text == "项目名称"
    projects = table_rows(table)
    assert projects[0] == ["1", "潇水大桥", "新开工", "县交通运输局", "张三", "20,000", "1,500",
                           "18,000", "90.0%", "91.7%", "-1.7", "黄", "滞后"]
    assert [row[0] for row in projects] == ["1", "2", "—", "—"]
    cells = table.find_all("td", "light")
    assert [(c.attrs["class"], c.text) for c in cells] == [
        ("light light-yellow", "黄"), ("light light-red", "红"), ("light light-grey", "未报"),
        ("light light-green", "绿")]


def test_bulletin_html_escapes_sheet_text():
    html = render_bulletin(context())
    assert "城区供水&lt;管网&gt;改造" in html and "<管网>" not in html


def test_bulletin_html_is_self_contained():
    dom = parse(render_bulletin(context()))
    assert not dom.find_all("link") and not dom.find_all("script")
    assert "@page" in dom.find("style").text


def test_bulletin_in_english_from_the_same_templates():
    ctx = context(lang="en")
    dom = parse(render_bulletin(ctx))
    assert dom.find("html").attrs["lang"] == "en"
    assert dom.find("h1").text == "双牌县 Key Construction Projects Bulletin"
    assert dom.find("p", "issue").text == "Issue 11, 2026"
    assert [h.text for h in dom.find_all("h2")] == [
        "1. Overview", "2. Progress by category", "3. Lights",
        "4. Ranking of responsible units", "5. Red list and black list",
        "6. Investment-promotion projects", "7. Open problems", "8. Next steps",
        "Progress of every project, by rank", "Data quality"]
    assert "23.1 percentage points behind schedule" in dom.find("section").text
    headers = [th.text for th in dom.find("table", "projects").find("thead").find_all("th")]
    assert headers == ["Rank", "Project", "Category", "Unit", "Leader", "Annual plan",
                       "This month", "Done this year", "% of plan", "Time progress",
                       "Against schedule (pp)", "Light", "Reason"]
    assert [c.text for c in dom.find("table", "projects").find_all("td", "light")] == [
        "yellow", "red", "not reported", "green"]
    # no Chinese outside the data (names of units and projects, the county's name)
    chrome = [th.text for th in dom.find_all("th")] + [p.text for p in dom.find_all("p")][1:]
    data = ["双牌县重点项目建设服务中心", "县交通运输局", "泷泊镇人民政府", "双牌县", "交通"]
    for text in chrome:
        for word in data:
            text = text.replace(word, "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_user_templates_override_and_strict_undefined(tmp_path: Path):
    (tmp_path / "_overview.html").write_text("<p class=\"mine\">{{ ctx.headline.projects }}</p>",
                                             encoding="utf-8")
    dom = parse(render_bulletin(context(), templates_dir=tmp_path))
    assert dom.find("p", "mine").text == "4"
    (tmp_path / "_overview.html").write_text("{{ ctx.no_such_field }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render_bulletin(context(), templates_dir=tmp_path)


def test_environment_settings():
    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    assert {"pct", "wan", "yi", "pp"} <= set(env.filters)
    assert env.from_string("{{ x | pct }}").render(x=0.0125) == "1.3%"
    assert TEMPLATES_DIR.joinpath("bulletin.html").is_file()


# --- PDF ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_pdf() -> PdfReader:
    html = render_bulletin(context())
    return PdfReader(io.BytesIO(html_to_pdf(html, base_dir=TEMPLATES_DIR)))


@pytest.fixture(scope="module")
def large_pdf() -> tuple[bytes, BulletinContext]:
    ctx = context(realistic_projects())
    return html_to_pdf(render_bulletin(ctx), base_dir=TEMPLATES_DIR), ctx


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_text_reads_back(small_pdf: PdfReader):
    text = _text(small_pdf).replace(" ", "")
    for expected in ("双牌县重点项目建设调度通报", "2026年第11期", "县交通运输局", "泷泊镇人民政府",
                     "32.23亿元", "3.50亿元", "2.40亿元", "68.6%", "91.7%", "23.1个百分点",
                     "未报", "— 1 —".replace(" ", "")):
        assert expected in text, expected


def test_pdf_is_a4_with_fonts_embedded(small_pdf: PdfReader):
    page = small_pdf.pages[0]
    assert (round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)) == (
        210, 297)
    fonts = pdf_fonts(small_pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in name for name, _ in fonts)
    assert all("+" in name for name, _ in fonts)   # subset: ABCDEF+NotoSerifCJKsc-Regular


def test_pdf_is_reproducible_and_dated_on_request():
    html = render_bulletin(context())
    assert html_to_pdf(html, base_dir=TEMPLATES_DIR) == html_to_pdf(html, base_dir=TEMPLATES_DIR)
    assert "/CreationDate" not in PdfReader(io.BytesIO(
        html_to_pdf(html, base_dir=TEMPLATES_DIR))).trailer["/Info"]
    stamp = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    info = PdfReader(io.BytesIO(html_to_pdf(html, base_dir=TEMPLATES_DIR, created=stamp))).metadata
    assert info.creation_date == stamp


def test_large_pdf_repeats_table_headers_and_numbers_pages(large_pdf):
    data, _ = large_pdf
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    texts = [page.extract_text().replace(" ", "") for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"—{number}—" in text
    first = next(i for i, text in enumerate(texts) if "重点项目进度排名表" in text)
    last = next(i for i, text in enumerate(texts) if "数据质量情况" in text and i > first)
    assert last - first >= 2      # the annex spans pages, its header on each of them
    assert all("项目名称" in text and "序时进度" in text for text in texts[first:last])
    # every project once in the annex: 45 projects, 4 of them of this unit
    assert sum(text.count("县工业园区管理委员会") for text in texts[first:last]) == 4


def test_large_tables_stay_inside_the_text_block():
    import weasyprint

    html = render_bulletin(context(realistic_projects()))
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR),
                               url_fetcher=LocalFetcher([TEMPLATES_DIR])).render()
    px_per_mm = 96 / 25.4
    boxes = 0
    landscape = 0
    for page in document.pages:
        if page.width > page.height:   # the annexed project table: A4 landscape
            landscape += 1
            left, right, bottom = 30, 297 - 30, 210 - 28
        else:                          # GB/T 9704: 28 mm left, 156 mm wide, 225 mm high
            left, right, bottom = 28, 210 - 26, 297 - 35
        for child in page._page_box.children:
            if type(child).__name__ == "MarginBox":
                continue
            for box in child.descendants():
                if type(box).__name__ in {"TableBox", "TableCellBox", "LineBox"} and box.width:
                    boxes += 1
                    assert box.position_x >= left * px_per_mm - 0.5, box
                    assert box.position_x + box.margin_width() <= right * px_per_mm + 0.5, box
                    assert box.position_y + box.margin_height() <= bottom * px_per_mm + 0.5, box
    assert boxes > 1000 and landscape >= 2


def test_fetcher_refuses_anything_outside_the_templates(tmp_path: Path):
    fetcher = LocalFetcher([TEMPLATES_DIR])
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert b"@page" in fetcher.fetch((TEMPLATES_DIR / "print.css").as_uri()).read()
    outside = tmp_path / "secret.css"
    outside.write_text("body{}", encoding="utf-8")
    for url in ("http://example.com/logo.png", "https://example.com/a.css",
                outside.as_uri(), (TEMPLATES_DIR / ".." / "pyproject.toml").as_uri(),
                "ftp://example.com/x"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


def test_pdf_renders_without_fetching_remote_images():
    html = render_bulletin(context()).replace(
        "</body>", '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname"></body>')
    assert html_to_pdf(html, base_dir=TEMPLATES_DIR).startswith(b"%PDF")


# --- the sections REPORTS.md adds ------------------------------------------------------------

def test_peer_groups_get_a_table_each():
    projects = realistic_projects()
    units = unit_frame(projects)
    units = units.assign(group=["乡镇" if "镇" in u else "部门" for u in units["unit"]])
    units = units.assign(rank=units.groupby("group").cumcount() + 1)
    ctx = bulletin_context(projects=projects, units=units, finding_counts={}, period="2026-11",
                           county="双牌县", office="", lang="zh")
    assert [g.name for g in ctx.unit_groups] == ["乡镇", "部门"]
    assert all([r.rank for r in g.rows] == list(range(1, len(g.rows) + 1))
               for g in ctx.unit_groups)
    dom = parse(render_bulletin(ctx))
    assert len(dom.find_all("table", "units")) == 2
    assert [h.text for h in dom.find("section").parent.find_all("h3")][:2] == ["乡镇", "部门"]


def test_with_peer_groups_the_unit_lists_are_numbered_within_each_group():
    """红榜单位 with [groups]: each unit with its group and its rank there (lists.csv), the
    groups apart (one list numbered 1-4 across groups put a 95.8 below a 93.3)."""
    from pipeline.render.context import list_rows

    units = pd.DataFrame({"unit": ["县交通运输局", "泷泊镇人民政府", "县农业农村局"],
                          "score": [93.3, 95.8, 91.4], "group": ["其他", "乡镇", "其他"]})
    lists = pd.DataFrame([
        {"list": "red", "kind": "unit", "id": u, "name": u, "reason": "top_score", "rank": r}
        for u, r in (("县交通运输局", 1), ("泷泊镇人民政府", 1), ("县农业农村局", 2))])
    rows = list_rows(lists, pd.DataFrame(), units, "zh", "red", "unit")
    assert [(r.group, r.number, r.ident) for r in rows] == [
        ("乡镇", 1, "泷泊镇人民政府"), ("其他", 1, "县交通运输局"), ("其他", 2, "县农业农村局")]


def test_next_steps_are_the_offices_words_or_a_note_to_write_them():
    ctx = context(next_steps="一是抓开工。\n\n二是抓投资。")
    assert ctx.next_steps == ("一是抓开工。", "二是抓投资。")
    assert "next_steps" in context().next_steps[0]     # never invented: a note says where


def test_lists_attraction_and_problems_sections():
    projects = small_projects().assign(escalation=["", "interview", "", ""],
                                       force_majeure=[None, "暴雨停工", None, None])
    lists = pd.DataFrame([
        {"list": "red", "kind": "project", "id": "SP2026-001", "name": "潇水大桥",
         "reason": "ahead", "rank": 1},
        {"list": "black", "kind": "project", "id": "SP2026-002", "name": "城区供水<管网>改造",
         "reason": "lag", "rank": 1},
        {"list": "black", "kind": "unit", "id": "泷泊镇人民政府", "name": "泷泊镇人民政府",
         "reason": "not_reported;score_below_60", "rank": 1}])
    coordination = pd.DataFrame([
        {"leader": "张三", "project_id": "SP2026-002", "unit": "泷泊镇人民政府",
         "problem_type": "funding", "text": "资金缺口", "months": 1},
        {"leader": "李四", "project_id": "SP2026-001", "unit": "县交通运输局",
         "problem_type": "land", "text": "拆迁未完", "months": 3}])
    attraction = pd.DataFrame([{"scope": "county", "signed": 2, "performing": 1, "started": 1,
                                "funds_in_place": 5000.0, "contract_amount": 20000.0,
                                "performance_rate": 0.5, "funds_rate": 0.25,
                                "start_rate": 0.5}])
    ctx = context(projects, lists=lists, coordination=coordination, attraction=attraction,
                  approved=frozenset({"SP2026-002"}))
    assert [(r.name, r.reason, r.escalation) for r in ctx.black_projects] == [
        ("城区供水<管网>改造", "滞后", "约谈")]
    assert ctx.black_units[0].reason == "未报送、得分偏低"
    assert [(c.name, c.text, c.status) for c in ctx.claims] == [
        ("城区供水<管网>改造", "暴雨停工", "已认定，不列入黑榜")]
    assert ctx.attraction_summary == ("全县招商引资项目2个，合同引资额2.00亿元，累计到位资金0.50亿元；"
                                      "履约率50.0%，资金到位率25.0%，开工率50.0%。")
    assert [g.heading for g in ctx.problem_groups] == ["（一）征地拆迁（1个）", "（二）资金筹措（1个）"]
    assert ctx.problems_summary == ("本期各单位反映需协调解决的问题2个，其中征地拆迁1个、资金筹措1个。"
                                    "按联系领导分：张三（1个）、李四（1个）。")
    html = render_bulletin(ctx)
    assert "城区供水&lt;管网&gt;改造" in html and "<管网>" not in html


def test_control_characters_in_names_print_as_spaces():
    from pipeline.render.charts import bulletin_charts

    projects = small_projects().assign(unit=["县水利局\x00.pdf", "泷泊镇\r\n人民政府",
                                             "泷泊镇\r\n人民政府", "县水利局\x00.pdf"])
    ctx = context(projects)
    html = render_bulletin(ctx, charts=bulletin_charts(ctx))
    assert "\x00" not in html and "泷泊镇  人民政府" in html
    assert "县水利局 .pdf" in html


def test_a_long_name_beside_a_bar_takes_two_lines_at_most():
    """A 40-character unit name left no room for the bars and cut every label off."""
    from pipeline.render.charts import LABEL_CHARS, _label

    name = "双牌县潇水河流域综合治理暨G207国道沿线产业开发区建设发展服务中心（挂县PPP项目管理办公室牌子）"
    lines = _label(name).split("\n")
    assert len(lines) == 2 and all(len(line) <= LABEL_CHARS for line in lines)
    assert lines[0] == name[:LABEL_CHARS] and lines[1].endswith("…")
    assert _label("县水利局") == "县水利局"


def test_new_projects_not_reported_are_not_said_to_be_on_time():
    """Nobody reported: the paragraph on new projects does not say no start is overdue."""
    from pipeline.render.context import category_paragraphs

    projects = project_frame([
        {"category": "new", "reported": False, "ytd_done": math.nan, "due_to_start": True,
         "started": False},
        {"category": "new", "reported": False, "ytd_done": math.nan, "due_to_start": True,
         "started": False}])
    text = category_paragraphs(projects, "zh")[0]
    assert "无逾期未开工项目" not in text
    assert "另有2个应开工项目未报送，开工情况不明" in text
    reported = projects.assign(reported=True, light="green", light_reason="on_schedule",
                               started=True)
    assert "无逾期未开工项目" in category_paragraphs(reported, "zh")[0]
