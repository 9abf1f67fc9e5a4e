"""[IO] What the PDF workers' fork server imports once, before it forks them (printer.py):
WeasyPrint and its fonts code, and matplotlib with the charts' font for the worker that
draws the charts, so that each worker starts with them loaded. The server does this while
the main process loads its own modules and reads the period."""

import contextlib

# a worker that prints or draws imports it again, and its error says what is missing
with contextlib.suppress(Exception):
    from pipeline.render import pdf  # noqa: F401
with contextlib.suppress(Exception):
    from pipeline.render.charts import load_matplotlib

    load_matplotlib()
