"""[IO] Print report HTML to PDF with WeasyPrint, fetching nothing from outside.

The HTML is untrusted in part (project names, problems and units' words come from the
units' sheets), so the URL fetcher allows only ``data:`` URLs and files inside the template
folders: an ``<img src="http://…">`` or ``file:///etc/passwd`` is refused, not fetched.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing.util
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.render.fonts import PERIOD_FAMILIES, FontSpec
from pipeline.render.paths import TEMPLATES_DIR


class LocalFetcher(URLFetcher):
    """Fetch ``data:`` URLs and files under ``roots``; raise ValueError for anything else."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"refused to fetch {url[:200]!r}: reports may only use data: URLs "
                         f"and files in the templates folder")


def html_to_pdf(html: str, *, base_dir: Path, templates_dir: Path | None = None,
                created: dt.datetime | None = None, fonts: Path | None = None) -> bytes:
    """Print ``html`` to PDF bytes; relative links resolve against ``base_dir``.

    Fonts are embedded and subset. ``created`` sets the PDF's creation and modification
    dates; without it the PDF carries none, so the same HTML gives the same bytes.
    ``fonts`` is a folder ``make_period_fonts`` filled: the CJK families it has are printed
    from its small copies (same glyphs) when the page's stylesheet can be taken apart.
    """
    roots = tuple([TEMPLATES_DIR] + ([templates_dir] if templates_dir is not None else [])
                  + ([fonts] if fonts is not None else []))
    base_url = str(Path(base_dir).resolve())
    fetcher = LocalFetcher(roots)
    body, styles = split_styles(html)
    faces, alias = _faces(fonts) if fonts is not None and styles else ("", "")
    config = _font_config(faces) if faces else None
    if faces:
        styles = [faces + _aliased(css, alias) for css in styles]
    sheets = [_stylesheet(css, base_url, roots, config) for css in styles]
    document = weasyprint.HTML(string=body, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=config)
    if created is not None:
        stamp = created.isoformat(timespec="seconds")
        document.metadata.created = stamp
        document.metadata.modified = stamp
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf


# --- the period's fonts (see fonts.py) ----------------------------------------------------

FACES_CSS = "faces.css"


def make_period_fonts(spec: FontSpec, folder: Path) -> None:
    """Write into ``folder`` a copy of each face of ``spec`` holding only its characters
    (HarfBuzz, glyph shapes and metrics unchanged) and ``faces.css`` declaring them under
    the family name prefixed with ``keyproj <digest> ``: a worker that prints for several
    runs never takes one run's copy for another's. A face HarfBuzz cannot subset is left
    out."""
    alias = f"keyproj {spec.digest[:16]} "
    rules = [f"/* alias: {alias}*/"]
    if harfbuzz_subset is None:     # no libharfbuzz-subset: the installed fonts, as before
        (folder / FACES_CSS).write_text(rules[0] + "\n", encoding="utf-8")
        return
    _declare_subset_calls()
    for family, weight, path, index, _, _ in spec.faces:
        data = _subset_face(path, index, spec.chars)
        if not data:
            continue
        target = folder / f"{family.replace(' ', '-')}-{weight}.otf"
        target.write_bytes(data)
        rules.append(f'@font-face {{ font-family: "{alias}{family}"; font-weight: {weight}; '
                     f'src: url("{target.resolve().as_uri()}"); }}')
    (folder / FACES_CSS).write_text("\n".join(rules) + "\n", encoding="utf-8")


def _faces(folder: Path) -> tuple[str, str]:
    """The @font-face rules of a fonts folder and the prefix of their family names;
    ("", "") when it has none."""
    try:
        text = (folder / FACES_CSS).read_text(encoding="utf-8")
    except OSError:
        return "", ""
    head, _, rules = text.partition("\n")
    if not head.startswith("/* alias: ") or "@font-face" not in rules:
        return "", ""
    return rules.strip() + "\n", head.removeprefix("/* alias: ").removesuffix("*/")


def _aliased(css: str, alias: str) -> str:
    """The stylesheet with each period family named first by its small copy's name."""
    for family in PERIOD_FAMILIES:
        css = css.replace(f'"{family}"', f'"{alias}{family}", "{family}"')
    return css


@functools.lru_cache(maxsize=4)
def _font_config(faces: str) -> FontConfiguration:
    """One font configuration a set of period fonts (it loads each file once).

    WeasyPrint copies a configuration's @font-face fonts into a temporary folder that it
    removes only when the configuration is collected; these live as long as the process
    (a PDF worker ends without collecting them), so the folders are removed as it ends."""
    config = FontConfiguration()
    if not _MADE:
        multiprocessing.util.Finalize(None, _remove_font_folders, exitpriority=0)
    _MADE.append(config)
    return config


_MADE: list[FontConfiguration] = []


def _remove_font_folders() -> None:
    for config in _MADE:
        folder = getattr(config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


_DECLARED = False


def _declare_subset_calls() -> None:
    """The HarfBuzz calls WeasyPrint's bindings lack, declared once on the same library."""
    global _DECLARED
    if not _DECLARED:
        ffi.cdef("""
            hb_blob_t * hb_blob_create_from_file (const char *file_name);
            hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
            hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
        """, override=True)
        _DECLARED = True


def _subset_face(path: str, index: int, chars: tuple[int, ...]) -> bytes:
    blob = ffi.gc(harfbuzz.hb_blob_create_from_file(path.encode()), harfbuzz.hb_blob_destroy)
    face = ffi.gc(harfbuzz.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    wanted = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                    harfbuzz_subset.hb_subset_input_destroy)
    if wanted == ffi.NULL:
        return b""
    codes = ffi.new(f"hb_codepoint_t[{len(chars)}]", chars)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_unicode_set(wanted), codes, len(chars))
    harfbuzz_subset.hb_subset_input_set_flags(
        wanted, harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED)
    made = harfbuzz_subset.hb_subset_or_fail(face, wanted)
    if made == ffi.NULL:
        return b""
    made = ffi.gc(made, harfbuzz.hb_face_destroy)
    return bytes(get_hb_object_data(made) or b"")


# The unit and leader pages of a period share one stylesheet: a worker parses it once (and
# compiles its selectors once) instead of once a page, a third of a small page's time.
_HEAD_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def split_styles(html: str) -> tuple[str, list[str]]:
    """The page without the plain ``<style>`` blocks of its head, and their texts in order.

    Only when that leaves the cascade as it was: the page has no other style element or
    linked stylesheet (those would then come before the head's rules, not after) and the
    styles load no fonts. Otherwise the page is returned whole with no styles apart.
    """
    head_end = html.find("</head>")
    if head_end < 0:
        return html, []
    head, rest = html[:head_end], html[head_end:]
    styles = _HEAD_STYLE.findall(head)
    lowered = html.lower()
    if (not styles or lowered.count("<style") != len(styles) or "<link" in lowered
            or "@import" in lowered or any("@font-face" in css for css in styles)):
        return html, []
    return _HEAD_STYLE.sub("", head) + rest, styles


@functools.lru_cache(maxsize=8)
def _stylesheet(css: str, base_url: str, roots: tuple[Path, ...],
                config: FontConfiguration | None) -> weasyprint.CSS:
    """A page's head stylesheet, parsed once for every page that has it (its fonts load
    into ``config``, so a sheet is kept for each configuration)."""
    return weasyprint.CSS(string=css, base_url=base_url, url_fetcher=LocalFetcher(roots),
                          font_config=config)
