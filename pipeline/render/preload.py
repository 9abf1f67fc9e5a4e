"""[IO] What the PDF workers' fork server imports once, before it forks them (printer.py):
WeasyPrint and its fonts code, so that each worker starts with them loaded."""

import contextlib

# a worker that prints imports it again, and its error says what is missing
with contextlib.suppress(Exception):
    from pipeline.render import pdf  # noqa: F401
