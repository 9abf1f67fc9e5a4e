"""[IO] The bulletin's charts as SVG drawn with matplotlib, for inline use in HTML and PDF.

Text is drawn as paths (``svg.fonttype = "path"``) in a CJK font, so the charts look the
same in a browser without that font and in the PDF, where WeasyPrint has no glyphs to
embed. Each SVG's ids get a prefix of their own, since several charts share one page.
Nothing here depends on a display: figures are drawn on the SVG canvas directly, never
through pyplot, and every rc setting is local to the drawing.
"""

from __future__ import annotations

import base64
import io
import math
import re
import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from pipeline.render import filters
from pipeline.render.fonts import FontError, chart_font, chart_text

if TYPE_CHECKING:     # not imported at run time: a worker drawing the charts needs no pandas
    from pipeline.render.context import (
        BulletinContext,
        CategoryRow,
        LightRow,
        TrendRow,
        UnitRow,
    )

WIDTH_IN = 156 / 25.4          # the text block of the page (SPEC 6.1: 156 mm)
COLOURS = {"green": "#5cb85c", "yellow": "#f0c419", "red": "#d9534f", "grey": "#a0a0a0"}
BAR = "#4f7fb8"                # completion rate
MARK = "#222222"               # time progress
_ID = re.compile(r'\bid="([^"]+)"')


LABEL_CHARS = 14        # a name's line beside a bar; a longer name goes on two lines


def _label(text: str) -> str:
    """A name as a chart prints it (fonts.chart_text): never a box; a long one on two
    lines, cut with … past them (a 40-character name left no room for the bars, and
    every label was cut off at the figure's edge)."""
    text = chart_text(text)
    if len(text) <= LABEL_CHARS:
        return text
    first, rest = text[:LABEL_CHARS], text[LABEL_CHARS:]
    if len(rest) > LABEL_CHARS:
        rest = rest[:LABEL_CHARS - 1] + "…"
    return f"{first}\n{rest}"


def _row_height(labels: Sequence[str]) -> float:
    """Inches a bar's row takes: more when a label takes two lines."""
    return 0.36 if any(len(chart_text(t)) > LABEL_CHARS for t in labels) else 0.27


def _rc() -> dict[Any, Any]:
    return {
        "svg.fonttype": "path", "svg.hashsalt": "keyproj", "font.family": [chart_font()],
        "font.size": 9, "axes.titlesize": 9.5, "axes.labelsize": 9, "legend.fontsize": 8.5,
        "xtick.labelsize": 8.5, "ytick.labelsize": 9, "axes.spines.top": False,
        "axes.spines.right": False, "axes.unicode_minus": False, "path.simplify": True,
        "legend.frameon": False,
    }


def load_matplotlib() -> None:
    """Import what drawing a chart takes and find its font: the PDF workers' fork server
    does it once for all of them (preload.py), while the main process reads the period."""
    import matplotlib.backends.backend_svg
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401

    chart_font()


def _svg(draw: object, height: float, key: str, title: str) -> str:
    """Run ``draw(fig)`` on a new figure and return its SVG, ids prefixed with ``key``."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure(figsize=(WIDTH_IN, height))
        FigureCanvasSVG(fig)
        draw(fig)  # type: ignore[operator]
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if glyphs:
        raise FontError(f"图表缺字 / a chart lacks glyphs ({chart_font()}): {glyphs[0]}")
    return inline(buffer.getvalue(), key, title)


def inline(svg: str, key: str, title: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prolog or metadata, ids unique."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    ids = set(_ID.findall(svg))
    prefix = f"chart-{key}-"

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}{name}" if name in ids else match.group(0)

    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'((?:xlink:)?href="#)([^"]+)', rename, svg)
    svg = re.sub(r"(url\(#)([^)]+)", rename, svg)
    escaped = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escaped}" class="chart" ', 1)


def as_image(svg: str) -> str:
    """An inline chart (``inline``) as an ``<img>`` of the same SVG, for printing.

    The same drawing, byte for byte in the PDF: but WeasyPrint no longer runs the page's
    cascade over every path of it (a third of a second a chart), and the page has no style
    element but its own, so its stylesheet can be shared (pdf.py). Its label becomes the
    image's alt text."""
    label = re.search(r'aria-label="([^"]*)"', svg)
    body = svg if "xmlns=" in svg else svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    data = base64.b64encode(body.encode("utf-8")).decode("ascii")
    return (f'<img class="chart" alt="{label.group(1) if label else ""}" '
            f'src="data:image/svg+xml;base64,{data}">')


def _percent_axis(ax: object, top: float) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.set_xlim(0, top)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))  # type: ignore[attr-defined]
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)  # type: ignore[attr-defined]
    ax.set_axisbelow(True)  # type: ignore[attr-defined]


def progress_chart(names: Sequence[str], rates: Sequence[float | None],
                   times: Sequence[float | None], *, key: str, title: str,
                   rate_label: str, time_label: str) -> str:
    """Completion rate bars with a mark at each row's time progress, first row on top."""
    count = len(names)
    height = 0.75 + _row_height(names) * max(count, 1)
    # a rate no axis can hold (a plan of almost nothing) is drawn as none, not a crash
    rates = [r if r is not None and math.isfinite(r) else None for r in rates]
    times = [t if t is not None and math.isfinite(t) else None for t in times]
    values = [r if r is not None else 0.0 for r in rates]
    top = max([1.0] + [v * 1.12 for v in values] + [(t or 0) * 1.05 for t in times])

    def draw(fig: object) -> None:
        ax = fig.add_subplot()  # type: ignore[attr-defined]
        ys = list(range(count))[::-1]
        ax.barh(ys, values, height=0.62, color=BAR, label=rate_label, zorder=2)
        marks = [(y, t) for y, t in zip(ys, times) if t is not None]
        if marks:
            ax.scatter([t for _, t in marks], [y for y, _ in marks], marker="|", s=260,
                       linewidths=2.2, color=MARK, label=time_label, zorder=3)
        for y, rate in zip(ys, rates):
            value = rate or 0.0
            # the figure at the bar's start, where the time mark never falls on it
            inside = value > top * 0.12
            ax.text(top * 0.01 if inside else value + top * 0.008, y,
                    filters.pct(rate), va="center", ha="left",
                    fontsize=7.5, color="#ffffff" if inside else "#333333", zorder=4)
        ax.set_yticks(ys, [_label(name) for name in names])
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(-0.6, count - 0.4)
        _percent_axis(ax, top)
        handles, names_ = ax.get_legend_handles_labels()
        order = sorted(range(len(names_)), key=lambda i: names_[i] != rate_label)
        ax.legend([handles[i] for i in order], [names_[i] for i in order], loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncol=2, handletextpad=0.4, columnspacing=1.5,
                  borderaxespad=0.2)
        fig.tight_layout(pad=0.4)  # type: ignore[attr-defined]

    return _svg(draw, height, key, title)


def lights_chart(rows: Sequence[LightRow], words: dict[str, str], *, key: str,
                 title: str) -> str:
    """Stacked bars of light counts, one row a category; the count inside each segment."""
    count = len(rows)
    height = 0.8 + 0.3 * max(count, 1)

    def draw(fig: object) -> None:
        ax = fig.add_subplot()  # type: ignore[attr-defined]
        ys = list(range(count))[::-1]
        left = [0] * count
        for light, colour in COLOURS.items():
            widths = [getattr(row, light) for row in rows]
            ax.barh(ys, widths, left=left, height=0.6, color=colour,
                    label=words[light], edgecolor="white", linewidth=0.8, zorder=2)
            for y, start, width in zip(ys, left, widths):
                if width:
                    ax.text(start + width / 2, y, str(width), va="center", ha="center",
                            fontsize=8, color="#000000", zorder=3)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(ys, [_label(row.label) for row in rows])
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, max(left + [1]) * 1.02)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, handlelength=1.2,
                  handletextpad=0.4, columnspacing=1.5, borderaxespad=0.2)
        fig.tight_layout(pad=0.4)  # type: ignore[attr-defined]

    return _svg(draw, height, key, title)


def trend_chart(rows: Sequence[TrendRow], words: dict[str, str], *, key: str, title: str,
                rate_label: str, time_label: str) -> str:
    """Left: completion rate and time progress by month; right: light counts by month."""

    def draw(fig: object) -> None:
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})  # type: ignore[attr-defined]
        xs = list(range(len(rows)))
        months = [row.month for row in rows]
        rates = [row.completion_rate for row in rows]
        times = [row.time_progress for row in rows]
        left.plot(xs, [r if r is not None else float("nan") for r in rates], marker="o",
                  color=BAR, label=rate_label, zorder=3)
        left.plot(xs, [t if t is not None else float("nan") for t in times], marker="s",
                  linestyle="--", color=MARK, label=time_label, zorder=3)
        for x, rate, time in zip(xs, rates, times):
            # each figure on the far side from the other line
            if rate is not None:
                below = time is not None and time >= rate
                left.annotate(filters.pct(rate), (x, rate), textcoords="offset points",
                              xytext=(0, -12 if below else 7), ha="center", fontsize=7.5,
                              color=BAR)
            if time is not None:
                above = rate is None or time >= rate
                left.annotate(filters.pct(time), (x, time), textcoords="offset points",
                              xytext=(0, 7 if above else -12), ha="center", fontsize=7.5,
                              color=MARK)
        top = max([1.0] + [v * 1.1 for v in rates + times if v is not None])
        left.set_ylim(0, top)
        left.set_xticks(xs, months)
        left.set_xlim(-0.5, len(rows) - 0.5)
        from matplotlib.ticker import FuncFormatter

        left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
        left.grid(axis="y", color="#dddddd", linewidth=0.6)
        left.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                    handletextpad=0.4, borderaxespad=0.2)
        bottom = [0] * len(rows)
        for light, colour in COLOURS.items():
            heights = [getattr(row, light) for row in rows]
            right.bar(xs, heights, bottom=bottom, width=0.6, color=colour,
                      label=words[light], edgecolor="white", linewidth=0.8, zorder=2)
            for x, start, h in zip(xs, bottom, heights):
                if h:
                    right.text(x, start + h / 2, str(h), ha="center", va="center",
                               fontsize=7.5, zorder=3)
            bottom = [a + b for a, b in zip(bottom, heights)]
        right.set_xticks(xs, months)
        right.set_xlim(-0.6, len(rows) - 0.4)
        right.yaxis.get_major_locator().set_params(integer=True)
        right.grid(axis="y", color="#dddddd", linewidth=0.6)
        right.set_axisbelow(True)
        right.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, handlelength=1,
                     handletextpad=0.3, columnspacing=0.9, borderaxespad=0.2)
        fig.tight_layout(pad=0.4, w_pad=2.0)  # type: ignore[attr-defined]

    return _svg(draw, 2.5, key, title)


def chart_inputs(ctx: BulletinContext) -> SimpleNamespace:
    """What ``bulletin_charts`` reads of the bulletin's context, as plain values that can be
    sent to a worker process (the context's read-only mappings cannot), its rows as
    namespaces (the context's row types would make the worker import pandas)."""
    def plain(rows: Sequence[Any]) -> list[SimpleNamespace]:
        return [SimpleNamespace(**row._asdict()) for row in rows]

    total = ctx.category_total
    return SimpleNamespace(t=dict(ctx.t), figures=dict(ctx.figures),
                           trend_rows=plain(ctx.trend_rows),
                           category_rows=plain(ctx.category_rows),
                           category_total=None if total is None else plain([total])[0],
                           light_rows=plain(ctx.light_rows), unit_rows=plain(ctx.unit_rows))


def bulletin_charts(ctx: BulletinContext | SimpleNamespace) -> dict[str, str]:
    """Chart key -> inline SVG for every figure the bulletin's context names."""
    t = ctx.t
    words = {light: t[light] for light in COLOURS}
    rate, time = t["col_completion_rate"], t["col_time_progress"]
    out: dict[str, str] = {}
    for key, caption in ctx.figures.items():
        if key == "trend":
            out[key] = trend_chart(ctx.trend_rows, words, key=key, title=caption,
                                   rate_label=rate, time_label=time)
        elif key == "categories":
            rows: list[CategoryRow] = [r for r in ctx.category_rows if r.completion_rate
                                       is not None]
            if ctx.category_total is not None:
                rows.append(ctx.category_total)
            out[key] = progress_chart([r.label for r in rows],
                                      [r.completion_rate for r in rows],
                                      [r.time_progress for r in rows], key=key, title=caption,
                                      rate_label=rate, time_label=time)
        elif key == "lights":
            out[key] = lights_chart(list(ctx.light_rows), words, key=key, title=caption)
        elif key == "units":
            units: list[UnitRow] = sorted(ctx.unit_rows, key=lambda r: (r.group or "", r.rank))
            out[key] = progress_chart([r.unit for r in units],
                                      [r.completion_rate for r in units],
                                      [r.time_progress for r in units], key=key,
                                      title=caption, rate_label=rate, time_label=time)
    return out
