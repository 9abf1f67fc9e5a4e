"""[IO] Render contexts with the Jinja2 templates of the repository's ``templates/`` folder."""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipeline.render.context import BulletinContext
from pipeline.render.filters import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


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
    )
    env.filters.update(FILTERS)
    return env


def render_bulletin(ctx: BulletinContext, *, templates_dir: Path | None = None) -> str:
    """The county bulletin (report.html) as a self-contained HTML page."""
    template = environment(templates_dir).get_template("bulletin.html")
    return template.render(ctx=ctx, t=ctx.t)
