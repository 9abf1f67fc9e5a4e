"""[IO] Every report of a period, as relative path -> bytes; run.py writes them (SPEC 6.1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.render.context import bulletin_context
from pipeline.render.html import render_bulletin
from pipeline.render.pdf import html_to_pdf

if TYPE_CHECKING:
    from pipeline.run import Analysis


def render_reports(analysis: Analysis, settings: Settings) -> dict[str, bytes]:
    """report.html and report.pdf (the county bulletin)."""
    report = settings.report
    templates = Path(report.templates) if report.templates else None
    ctx = bulletin_context(projects=analysis.projects, units=analysis.units,
                           finding_counts=analysis.finding_counts(), period=str(analysis.period),
                           county=report.county, office=report.office, lang=report.lang,
                           weights=dataclasses.asdict(settings.weights))
    html = render_bulletin(ctx, templates_dir=templates)
    # the PDF's creation date is the period's last day, so runs are reproducible
    created = dt.datetime.combine(analysis.period.end, dt.time(), tzinfo=dt.timezone.utc)
    pdf = html_to_pdf(html, base_dir=Path("."), templates_dir=templates, created=created)
    return {"report.html": html.encode("utf-8"), "report.pdf": pdf}
