"""Fixtures more than one test file uses."""

from __future__ import annotations

import pytest

from pipeline.render import pdf, printer


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real html_to_pdf, counted; the in-process cache emptied so reuse is the manifest's."""
    calls: list[str] = []
    real = pdf.html_to_pdf

    def counting(html: str, **kwargs: object) -> bytes:
        calls.append(html[:0])
        return real(html, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    printer._PRINTED.clear()
    return calls
