"""[IO] Render contexts with the Jinja2 templates of the repository's ``templates/`` folder."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.render.context import BulletinContext
from pipeline.render.filters import FILTERS
from pipeline.render.paths import TEMPLATES_DIR

__all__ = ["TEMPLATES_DIR", "environment", "render_bulletin", "render_page"]


def printable(value: Any) -> Any:
    """Every value a template prints, with control characters (NUL, CR, LF, TAB … from a
    register or a sheet) shown as spaces: a PDF must never print a box for them."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROL.sub(" ", value)
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def environment(extra_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment over the bundled templates; ``extra_dir`` overrides them by name.

    Autoescaping is on for HTML and undefined names raise, so a misspelt field in a
    template fails the run instead of printing an empty cell.
    """
    loaders: list[jinja2.BaseLoader] = []
    if extra_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(extra_dir)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
    )
    env.filters.update(FILTERS)
    return env


def render_page(template: str, ctx: Any, *, templates_dir: Path | None = None,
                charts: Mapping[str, str] | None = None,
                env: jinja2.Environment | None = None) -> str:
    """One page (``unit.html``, ``leader.html``, ``index.html`` …) as self-contained HTML.

    ``charts`` maps a figure's key to its inline SVG, trusted: it is drawn by charts.py.
    """
    env = env or environment(templates_dir)
    shown = {key: Markup(svg) for key, svg in (charts or {}).items()}
    return env.get_template(template).render(ctx=ctx, t=ctx.t, charts=shown)


def render_bulletin(ctx: BulletinContext, *, templates_dir: Path | None = None,
                    charts: Mapping[str, str] | None = None,
                    env: jinja2.Environment | None = None) -> str:
    """The county bulletin (report.html) as a self-contained HTML page."""
    return render_page("bulletin.html", ctx, templates_dir=templates_dir, charts=charts, env=env)
