"""[IO] Every report of a period, as relative path -> bytes; run.py writes them (SPEC 6.1).

``render_reports`` is the one entry point: the county bulletin (report.html/pdf), a feedback
sheet for every register unit (units/<unit>.html/pdf), a marked copy of each unit's own
workbook (units/<unit>-marked.xlsx), a coordination list for every leader
(leaders/<leader>.html/pdf), the ledger (ledger.xlsx) and index.html linking them all.

Fonts are checked first: when a CJK font is missing, ``FontError`` (a ``KeyprojError``)
says which and how to install it, before anything is written. A character of the sheets'
text that no installed font has is printed in the PDFs as its code point (〔U+20000〕),
with a warning in the log — a PDF never prints boxes, and bad input never stops a batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html as html_lib
import logging
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline import columns as C
from pipeline.config import Settings, next_steps_text
from pipeline.findings import SEVERITY, Finding
from pipeline.followup import trends
from pipeline.names import file_names
from pipeline.outputs import findings_records
from pipeline.period import Period
from pipeline.read import Book
from pipeline.render.charts import as_image, bulletin_charts, chart_inputs
from pipeline.render.context import BulletinContext, bulletin_context, county_trend, quality_facts
from pipeline.render.fonts import (
    check_fonts,
    glyph_error,
    missing_glyphs,
    period_font_spec,
    printable,
)
from pipeline.render.html import environment, render_bulletin, render_page
from pipeline.render.labels import labels
from pipeline.render.pages import index_context, leader_context, unit_context
from pipeline.render.paths import TEMPLATES_DIR
from pipeline.render.printer import Printer, in_worker
from pipeline.render.workbooks import ledger, marked_copy, primary_book
from pipeline.score import done_milestones, milestone_status, time_progress

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from pipeline.run import Analysis

# SPEC 6.2 and 6.3: written by run.py next to the reports, linked from index.html
DATA_FILES = ("data/projects.csv", "data/units.csv", "data/findings.csv", "data/rows.csv",
              "data/lists.csv", "data/attraction.csv", "data/coordination.csv",
              "manifest.json")
_TAGS = re.compile(r"<style\b.*?</style>|<svg\b.*?</svg>|<[^>]+>", re.DOTALL)


def visible_text(page: str) -> str:
    """The text a page prints: no tags, styles or chart drawings."""
    return html_lib.unescape(_TAGS.sub(" ", page))


def bulletin_for(analysis: Analysis, settings: Settings) -> BulletinContext:
    """The county bulletin's context from a period's analysis."""
    report = settings.report
    period = analysis.period
    past = analysis.past
    completion, _ = trends(past, analysis.projects, analysis.units, period)
    lights = {p: {pid: fact.light for pid, fact in facts.items()}
              for p, facts in past.projects.items() if p < str(period)}
    lights[str(period)] = dict(zip(analysis.projects["project_id"], analysis.projects["light"]))
    register = {p.project_id: p for p in analysis.register.projects}

    def progress(pid: str, month: int) -> float | None:
        project = register.get(pid)
        return time_progress(project, month) if project is not None else None

    previous = period.previous
    unreported = analysis.projects[analysis.projects["light_reason"] == "not_reported"]
    not_reported = {str(unit): int(n) for unit, n in unreported.groupby("unit").size().items()}
    return bulletin_context(
        projects=analysis.projects, units=analysis.units,
        finding_counts=analysis.finding_counts(), period=str(period), county=report.county,
        office=report.office, lang=report.lang, weights=dataclasses.asdict(settings.weights),
        lists=analysis.lists, attraction=analysis.attraction, coordination=analysis.coordination,
        trend=county_trend(completion=completion, lights=lights, projects=analysis.projects,
                           time_progress=progress, period=period),
        previous_scores=({unit: score for unit, (score, _) in
                          past.units.get(str(previous), {}).items()} if previous else {}),
        quality=quality_facts(rows=analysis.reconciled.rows,
                              file_units=analysis.reconciled.file_units,
                              findings=analysis.findings, files=[b.name for b in analysis.books],
                              units=analysis.register.units, not_reported=not_reported),
        severity_of={code: str(severity) for code, severity in SEVERITY.items()},
        next_steps=next_steps_text(report.next_steps),
        approved=settings.force_majeure_approved,
        light_settings=dataclasses.asdict(settings.lights),
        list_settings=dataclasses.asdict(settings.lists),
    )


def period_text(analysis: Analysis, settings: Settings, bulletin: BulletinContext,
                templates: Path | None) -> list[str]:
    """Text holding every character the period's pages can print, before any is built.

    A page prints the templates and labels, words the render code writes (filters, the
    pages' contexts), and the data: the sheets, the register, the settings, the history,
    and what the stages made of them (in ``analysis`` and the bulletin's context). Each of
    those is here, and their NFKC forms (the sheets' text is normalised when read). The period's
    fonts are made from it, so that a page prints as soon as it is built; were a character
    missed, its page would print it from the installed font, the same glyph. A corrected
    figure, or a word that turns (滞后 to 超前), leaves the fonts, and every other PDF, as
    they were (a PDF names its font's glyphs by number)."""
    folders = [TEMPLATES_DIR] + ([templates] if templates is not None else [])
    texts = [path.read_text(encoding="utf-8", errors="replace") for folder in folders
             for path in sorted(folder.rglob("*"))
             if path.is_file() and path.suffix.lower() in _TEMPLATE_SUFFIXES]
    texts += [*labels(settings.report.lang).values(), _program_text(),
              next_steps_text(settings.report.next_steps)]
    # the rows read (reconciled.rows, Book.checked) hold the sheets' cells, cleaned: the
    # grids and their NFKC forms hold their characters, at a fraction of the walk
    sources = ([book.grids for book in analysis.books], analysis.register, analysis.projects,
               analysis.units, analysis.lists, analysis.attraction, analysis.coordination,
               analysis.findings, analysis.past, str(analysis.period), settings, bulletin)
    return [*texts, *_data_text(set(_strings(sources)))]


def _data_text(strings: set[str]) -> list[str]:
    """The characters of ``strings``, and of each one folded (NFKC) on its own, as the
    sheets' cells are when read: a combining mark composes with its own letter (u + ¨ = ü),
    never with a neighbour in a joined string."""
    data = "".join(sorted(set().union(*map(set, strings))))
    folded = {unicodedata.normalize("NFKC", text) for text in strings if not text.isascii()}
    return [data, *sorted(folded)]


@functools.cache
def _program_text() -> str:
    """The source of the render package: every word it writes into a page is in it (the
    other stages' words, such as the findings' messages, are in what they made)."""
    root = Path(__file__).resolve().parent
    return "".join(sorted({ch for path in sorted(root.rglob("*.py"))
                           for ch in set(path.read_text(encoding="utf-8"))}))


_SCALARS = (bool, int, float, bytes, dt.date, dt.time, dt.timedelta, Path)
_TEMPLATE_SUFFIXES = (".html", ".htm", ".css", ".txt", ".j2", ".jinja", ".jinja2", ".xml",
                      ".svg")


def _text_column(column: pd.Series) -> bool:
    """Whether a column may hold text: object, or pandas' string dtypes (pandas 3's default
    for text)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def _strings(root: object) -> list[str]:
    """Every string in ``root``: in dataclasses, mappings, sequences and sets, DataFrames
    and Series, however deep."""
    out: list[str] = []
    # what was looked at, by id, kept alive: the lists made here (a mapping's keys and
    # values, a column's objects) are freed once walked, and a new one may get a freed id,
    # which would skip it (its strings missing from the period's fonts, which then differed
    # from one run to the next)
    stack: list[Any] = [root]
    seen: dict[int, Any] = {}
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item is None or isinstance(item, _SCALARS) or id(item) in seen:
            continue
        seen[id(item)] = item
        if isinstance(item, (list, tuple, set, frozenset)):
            for value in item:            # a grid's row: mostly strings and numbers
                if type(value) is str:
                    out.append(value)
                elif value is not None and not isinstance(value, _SCALARS):
                    stack.append(value)
        elif isinstance(item, pd.DataFrame):
            stack.extend(str(c) for c in item.columns)
            stack.extend(item[c].to_numpy(dtype=object) for c in item.columns
                         if _text_column(item[c]))
        elif isinstance(item, pd.Series):
            if _text_column(item):
                stack.append(item.tolist())
        elif isinstance(item, np.ndarray):
            if item.dtype == object:
                stack.append(item.tolist())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, Mapping):
            stack.append(list(item.keys()))
            stack.append(list(item.values()))
    return out


def _unit_findings(analysis: Analysis, unit: str) -> list[Finding]:
    files = analysis.reconciled.file_units
    return [f for f in analysis.findings if f.unit == unit or (
        f.unit is None and f.ref is not None and files.get(f.ref.file) == unit)]


def render_reports(analysis: Analysis, settings: Settings, *, jobs: int | None = None,
                   reuse: Mapping[str, bytes] | None = None,
                   sources: dict[str, str] | None = None) -> dict[str, bytes]:
    """Every report of SPEC 6.1 for the period: relative output path -> bytes.

    PDFs are printed in ``jobs`` worker processes (default: one a core), dated the
    period's last day so runs are reproducible. A PDF whose source key is in ``reuse``
    (source key -> bytes, from the previous run's manifest) is taken from there instead of
    printed again; ``sources`` is filled with PDF path -> source key for the manifest.
    Raises FontError before rendering anything when the PDFs would print boxes, and
    before returning anything when the charts would (the worker drawing them finds out).
    """
    check_fonts()
    report = settings.report
    lang = report.lang
    templates = Path(report.templates) if report.templates else None
    env = environment(templates)
    period: Period = analysis.period
    created = dt.datetime.combine(period.end, dt.time(), tzinfo=dt.UTC)
    author = report.office or "keyproj"
    pages: dict[str, str] = {}     # stem -> HTML; each gets an .html and a .pdf
    files: dict[str, bytes] = {}
    missing: dict[str, list[str]] = {}   # stem -> characters no installed font has

    bulletin = bulletin_for(analysis, settings)
    # a PDF worker draws the charts while the unit and leader pages are being built
    drawn = in_worker(bulletin_charts, chart_inputs(bulletin), jobs=jobs)
    # the period's fonts hold every character a page can print, known before any page is
    # built: each page is handed to the PDF workers as soon as it is
    printer = Printer(base_dir=Path("."), templates_dir=templates, created=created, jobs=jobs,
                      reuse=reuse, fonts=period_font_spec(
                          period_text(analysis, settings, bulletin, templates)))

    def add_page(stem: str, page: str, printed: str | None = None, first: bool = False) -> None:
        """Keep the page and print its PDF from ``printed`` (or the page), ``first``: before
        the pages no worker has taken yet.

        A character no installed font has (a rare place-name character, an emoji typed into
        a sheet) must neither print as a box nor stop the batch: the PDF prints its code
        point instead, the HTML keeps it, and the log says how to get a font that has it.
        """
        pages[stem] = page
        lacking = missing_glyphs([visible_text(page)])
        if lacking:
            missing[stem] = lacking
        printed = printed or page
        printer.submit(stem, printable(printed, lacking) if lacking else printed, first=first)

    def add_bulletin() -> None:
        charts = drawn()
        add_page("report", render_bulletin(bulletin, charts=charts, env=env),
                 printed=render_bulletin(bulletin, env=env,
                                         charts={k: as_image(v) for k, v in charts.items()}),
                 first=True)

    pages["report"] = ""   # first among the outputs; built once the charts are drawn, and
    # printed (the longest) before the pages that wait for a worker then

    try:
        register = {p.project_id: p for p in analysis.register.projects}
        done = done_milestones(analysis.reconciled.kept, analysis.past.milestones)
        statuses = milestone_status(analysis.register.milestones, done, period)
        _, unit_trend = trends(analysis.past, analysis.projects, analysis.units, period)
        unit_files = file_names(analysis.register.units)
        marked: dict[str, str] = {}
        books: dict[str, tuple[Book, list[Finding], str]] = {}   # unit -> its book to mark
        weights = dataclasses.asdict(settings.weights)
        file_units = analysis.reconciled.file_units
        for unit, stem in unit_files.items():
            rows = [r for r in analysis.reconciled.rows if file_units.get(r.raw.file) == unit]
            found = _unit_findings(analysis, unit)
            book = primary_book([b for b in analysis.books if file_units.get(b.name) == unit], rows)
            marked_name = f"{stem}-marked.xlsx" if book is not None else ""
            scores = [(p, s) for p, u, s in unit_trend.itertuples(index=False, name=None)
                      if u == unit and Period.parse(p).year == period.year]
            ctx = unit_context(unit=unit, projects=analysis.projects, units=analysis.units,
                               lists=analysis.lists, findings=found, rows=rows, statuses=statuses,
                               register=register, period=str(period), county=report.county,
                               office=report.office, lang=lang, weights=weights, scores=scores,
                               marked=marked_name, ranked=bulletin.project_rows)
            add_page(f"units/{stem}", render_page("unit.html", ctx, env=env))
            if book is not None:
                books[unit] = (book, found, marked_name)
                marked[unit] = f"units/{marked_name}"
            if not pages["report"] and drawn.done():
                add_bulletin()

        leader_files = file_names(analysis.register.leaders)
        for leader, stem in leader_files.items():
            sheet = leader_context(leader=leader, projects=analysis.projects,
                                   coordination=analysis.coordination, period=str(period),
                                   county=report.county, office=report.office, lang=lang,
                                   ranked=bulletin.project_rows)
            add_page(f"leaders/{stem}", render_page("leader.html", sheet, env=env))
            if not pages["report"] and drawn.done():
                add_bulletin()
        if not pages["report"]:
            add_bulletin()

        if missing:
            chars = sorted({ch for lacking in missing.values() for ch in lacking})
            where = next(stem for stem in pages if stem in missing)
            log.warning("%s", glyph_error(chars, f"{where}.pdf"))

        # the workbooks are made while the PDFs print
        for unit, (book, found, marked_name) in books.items():
            mine = [f for f in found if f.ref is not None and f.ref.file == book.name]
            others = [f for f in found if f not in mine]
            files[f"units/{marked_name}"] = marked_copy(book, mine, lang=lang, author=author,
                                                        others=others, created=created)

        files["ledger.xlsx"] = ledger(
            projects=analysis.projects, units=analysis.units,
            findings=findings_records(analysis.findings), finding_columns=C.FINDINGS_CSV,
            lists=analysis.lists, attraction=analysis.attraction,
            coordination=analysis.coordination, lang=lang, created=created)
        index = index_context(period=str(period), lang=lang, unit_files=unit_files,
                              leader_files=leader_files, marked=marked, data=DATA_FILES)
        files["index.html"] = render_page("index.html", index, env=env).encode("utf-8")

        printed = printer.results()
    except BaseException:      # stop printing: no PDF of a run that failed is wanted
        printer.close()
        raise
    if sources is not None:
        sources.update({f"{stem}.pdf": key for stem, key in printer.keys.items()})
    for stem, page in pages.items():
        files[f"{stem}.html"] = page.encode("utf-8")
        files[f"{stem}.pdf"] = printed[stem]
    return files

