"""Text from the units' sheets and the register must stay text in every output (issue 7):
prefixed in CSV (OWASP), escaped in HTML, never a formula in an exported .xlsx, and a PDF
built from it fetches nothing and embeds no file."""

from __future__ import annotations

import csv
import html.parser
import io
from collections.abc import Iterator
from pathlib import Path

import hostile_files as H
import pytest
from conftest import PERIOD, recording_server
from factory import project, write_register

from pipeline.config import Settings
from pipeline.outputs import cell_text, csv_bytes
from pipeline.period import Period
from pipeline.run import Workspace, run_period

FORMULAS = ['=HYPERLINK("http://evil.example/","点击")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def markup(url: str, secret: Path) -> list[str]:
    return ["<script>alert('x')</script>", f"<img src={secret}>",
            f'<img src="{url}/img.png">', f'<link rel=attachment href="{secret.as_uri()}">',
            f"<style>@import url({url}/x.css);</style>", f'<object data="{secret.as_uri()}">',
            f'<a href="{url}/a">链接</a><iframe src="{url}/f"></iframe>',
            f"<div style=\"background:url('{url}/bg.png')\">背景</div>"]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request: nothing may ever ask it anything."""
    with recording_server() as recorded:
        yield recorded


@pytest.fixture(scope="module")
def hostile_text_run(tmp_path_factory: pytest.TempPathFactory,
                     server: tuple[str, list[str]]) -> tuple[Path, Path, list[str]]:
    """A period whose register and sheet are full of formulas and markup: as project names,
    problems, coordination requests, physical progress, an unknown project's id and name,
    and a bad number."""
    root = tmp_path_factory.mktemp("injection")
    secret = root / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c not for any report\n", encoding="utf-8")
    texts = FORMULAS + markup(server[0], secret)
    n = len(texts)
    write_register(root / "input/register.xlsx", [
        *(project(f"SP-3{k:02d}", f"项目{k:02d}", unit="县交通运输局") for k in range(n)),
        *(project(f"SP-2{k:02d}", text, unit="县水利局")
          for k, text in enumerate(texts)),
    ])
    rows = [[f"SP-3{k:02d}", f"项目{k:02d}", 100, 900, texts[(k + 2) % n], texts[k],
             texts[(k + 1) % n]] for k in range(n)]
    rows.append([FORMULAS[0], "未登记的项目", 1, 2, "x", None, None])       # an unknown project
    rows.append(["SP-300", "项目00", 5, "=1+2", "y", None, None])       # a bad number
    H.workbook(root / "input" / PERIOD / "交通运输局.xlsx", rows, header=H.HEADER + ["需协调事项"])
    run_period(Workspace(root / "input", root / "output"), Period.parse(PERIOD), Settings())
    return root / "output" / PERIOD, secret, texts


def _files(out: Path, suffix: str) -> list[Path]:
    return sorted(p for p in out.rglob(f"*{suffix}") if p.is_file())


def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(
        hostile_text_run: tuple[Path, Path, list[str]]) -> None:
    out, _, _ = hostile_text_run
    cells: list[str] = []
    for path in _files(out, ".csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            cells += [cell for row in csv.reader(handle) for cell in row]
    for cell in cells:
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            float(cell)       # only a number may start so (lag_pp: -3.5)
    assert "'" + FORMULAS[0] in cells                 # the unknown project's id (rows.csv)
    for text in FORMULAS:        # as a name, a problem: kept as text (the reader trims
        assert "'" + text.lstrip("\t\r") in cells, text       # a leading tab or CR)


@pytest.mark.parametrize("text", FORMULAS + ["=1", "+", "-x", "@", "\t", "\r"])
def test_every_start_a_spreadsheet_runs_is_prefixed(text: str) -> None:
    assert cell_text(text) == "'" + text.replace("\r", "\n")
    written = csv_bytes(["a"], [[text]]).decode()
    assert list(csv.reader(io.StringIO(written, newline=""))) == [["a"], [cell_text(text)]]


def test_a_line_break_in_a_cell_never_ends_the_row() -> None:
    """A lone CR is no line terminator to the csv module, so it went unquoted and split the
    row in every reader that takes CR for a line end (Excel among them)."""
    written = csv_bytes(["a", "b"], [["甲\r乙", "x"], ["丙\r\n丁", "y"], ["戊\n己", "z"]])
    assert b"\r" not in written
    assert list(csv.reader(io.StringIO(written.decode(), newline=""))) == [
        ["a", "b"], ["甲\n乙", "x"], ["丙\n丁", "y"], ["戊\n己", "z"]]


def test_numbers_are_not_prefixed() -> None:
    assert [cell_text(v) for v in (-3.5, -2, 0.25)] == ["-3.5", "-2", "0.25"]


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_markup_in_cells_is_escaped_in_every_html_page(
        hostile_text_run: tuple[Path, Path, list[str]], server: tuple[str, list[str]]) -> None:
    out, secret, _ = hostile_text_run
    pages = _files(out, ".html")
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Tags()
        parser.feed(text)
        for tag, attrs in parser.tags:
            assert tag not in ("script", "object", "iframe"), (page, tag)
            for key in ("src", "href", "data", "style"):
                value = attrs.get(key) or ""
                assert server[0] not in value and str(secret) not in value, (page, tag, attrs)
        assert "<script>alert" not in text
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in report       # shown as the text it is


def test_a_pdf_from_hostile_text_fetches_nothing_and_embeds_no_file(
        hostile_text_run: tuple[Path, Path, list[str]], server: tuple[str, list[str]]) -> None:
    from pypdf import PdfReader

    out, _, _ = hostile_text_run
    assert server[1] == []
    pdfs = _files(out, ".pdf")
    assert pdfs
    for path in pdfs:
        raw = path.read_bytes()
        assert b"TOP-SECRET" not in raw
        reader = PdfReader(path)
        assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                obj = annot.get_object()
                assert obj.get("/Subtype") != "/FileAttachment", path
                uri = str(obj.get("/A", {}).get("/URI", ""))
                assert server[0] not in uri and "file:" not in uri, path
        text = "".join(page.extract_text() for page in reader.pages)
        assert "TOP-SECRET" not in text


def test_no_exported_xlsx_holds_a_formula_from_input_text(
        hostile_text_run: tuple[Path, Path, list[str]]) -> None:
    import openpyxl

    out, _, _ = hostile_text_run
    for path in _files(out, ".xlsx"):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formula = str(cell.value)
                        assert not any(t.strip("=\t\r") in formula for t in FORMULAS), \
                            (path.name, cell.coordinate, formula)


def test_the_pdf_fetcher_refuses_everything_but_data_and_the_templates(
        tmp_path: Path, server: tuple[str, list[str]]) -> None:
    """Even markup that escaping would have let through: no file, no URL, no attachment."""
    from pypdf import PdfReader

    from pipeline.render.pdf import html_to_pdf

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c\n", encoding="utf-8")
    dot = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
           "2mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    page = ("<html><head>"
            f'<link rel="stylesheet" href="{server[0]}/x.css">'
            f'<link rel="attachment" href="{secret.as_uri()}">'
            '<link rel="attachment" href="secret.txt">'
            f"<style>@import url({server[0]}/y.css); body {{ background: url({secret.as_uri()}) }}"
            "</style></head><body><p>正文 text</p>"
            f'<img src="{server[0]}/i.png"><img src="{secret.as_uri()}"><img src="../../etc/passwd">'
            f'<img src="{dot}"><object data="{secret.as_uri()}"></object>'
            f'<iframe src="{secret.as_uri()}"></iframe></body></html>')
    pdf = html_to_pdf(page, base_dir=tmp_path)
    assert server[1] == []
    assert b"TOP-SECRET" not in pdf
    (tmp_path / "out.pdf").write_bytes(pdf)
    reader = PdfReader(tmp_path / "out.pdf")
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert "正文" in reader.pages[0].extract_text()
