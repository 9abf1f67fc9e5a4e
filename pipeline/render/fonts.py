"""[IO] Fonts the reports need: a PDF or chart that would print a box for a missing glyph
is a failure, said before anything is written.

``check_fonts`` looks for a CJK font (fontconfig, for WeasyPrint) and a CJK family that
matplotlib can draw charts with; ``missing_glyphs`` finds the characters of the reports'
text that no installed font has.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.doctor import FONT_FIX, font_problem
from pipeline.errors import KeyprojError

# the families the print CSS asks for, body first; charts use the first one matplotlib has
BODY_FONT = "Noto Serif CJK SC"
CHART_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "SimHei",
               "Microsoft YaHei", "WenQuanYi Zen Hei", "Source Han Serif SC")


class FontError(KeyprojError):
    """A font the reports need is not installed: the PDFs would print boxes."""


@functools.lru_cache(maxsize=1)
def chart_font() -> str:
    """The CJK family matplotlib draws chart labels with; FontError when it has none."""
    try:
        from matplotlib import font_manager
    except ImportError:
        raise KeyprojError("缺少 matplotlib，无法绘制图表；请安装：pip install 'matplotlib>=3.8' / "
                           "matplotlib is missing, so the charts cannot be drawn: "
                           "pip install 'matplotlib>=3.8'") from None

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CHART_FONTS:
        if family in known:
            return family
    raise FontError(
        f"图表需要中文字体 {CHART_FONTS[0]}，但 matplotlib 找不到 / charts need a CJK font such "
        f"as {CHART_FONTS[0]} and matplotlib has none. {FONT_FIX}; then delete matplotlib's "
        "font cache (~/.cache/matplotlib) so it finds the new font")


def check_fonts() -> None:
    """Raise FontError naming the missing CJK font and how to install it.

    The charts' font (``chart_font``) is not asked here: asking matplotlib costs its
    import, a fifth of a second of the main process; the worker that draws the charts asks
    and raises the same error, before a run writes anything."""
    problem = font_problem()
    if problem is not None:
        fix = "" if FONT_FIX in problem else f" {FONT_FIX}"
        raise FontError(f"{problem}（报告需要 {BODY_FONT} / the reports need {BODY_FONT}）{fix}")


@functools.lru_cache(maxsize=1)
def _body_cmap() -> frozenset[int]:
    """Code points of the font fontconfig uses for the body text: its charset, as
    fontconfig's cache has it (a hundredth of the time of reading the font's cmap, the
    same set), or else the font's cmap."""
    if shutil.which("fc-match") is None:
        return frozenset()
    out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{charset}", BODY_FONT],
                         capture_output=True, text=True, check=False).stdout
    path, _, rest = out.partition("|")
    index, _, charset = rest.partition("|")
    if not path:
        return frozenset()
    try:
        codes = set()
        for span in charset.split():
            low, _, high = span.partition("-")
            codes.update(range(int(low, 16), int(high or low, 16) + 1))
    except ValueError:
        codes = set()
    if codes:
        return frozenset(codes)
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=int(index or 0), lazy=True)
        try:
            return frozenset(font.getBestCmap() or {})
        finally:
            font.close()
    except Exception:  # noqa: BLE001 - an unreadable font just means no fast path
        return frozenset()


@functools.lru_cache(maxsize=4096)
def _any_font_has(code: int) -> bool:
    if shutil.which("fc-list") is None:
        return True    # cannot tell: doctor says fontconfig is missing
    out = subprocess.run(["fc-list", f":charset={code:x}", "family"], capture_output=True,
                         text=True, check=False).stdout
    return bool(out.strip())


def missing_glyphs(texts: Iterable[str]) -> list[str]:
    """The characters of ``texts`` that no installed font can print (sorted, unique)."""
    seen = set().union(*map(set, texts))
    body = _body_cmap()
    out = []
    for ch in sorted(seen):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            continue
        code = ord(ch)
        if code in body or code < 0x80:
            continue
        if not _any_font_has(code):
            out.append(ch)
    return out


def marker(ch: str) -> str:
    """What a report prints for a character no font has: its code point, never a box."""
    return f"〔U+{ord(ch):04X}〕"


def printable(text: str, missing: Iterable[str]) -> str:
    """``text`` with each of the ``missing`` characters replaced by its marker."""
    for ch in missing:
        text = text.replace(ch, marker(ch))
    return text


def chart_text(text: str) -> str:
    """A label as a chart can draw it with the CJK font alone (matplotlib has no fallback):
    control characters as spaces, characters the font lacks as their code point."""
    body = _body_cmap()
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        elif ord(ch) < 0x80 or not body or ord(ch) in body:
            out.append(ch)
        else:
            out.append(marker(ch))
    return "".join(out)


def glyph_error(chars: list[str], where: str) -> FontError:
    shown = "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in chars[:20])
    return FontError(
        f"{where} 中的字符 {shown} 没有已安装的字体可以显示，PDF 中会成为方框。请安装含这些字符的字体"
        f"（如 apt-get install -y fonts-noto-cjk-extra fonts-noto-color-emoji），或在报表中改用常用字 / "
        f"no installed font has {shown} used in {where}: the PDF would print boxes. Install a "
        "font that has them (e.g. apt-get install -y fonts-noto-cjk-extra "
        "fonts-noto-color-emoji) or change the text in the sheet")


# --- the period's fonts -------------------------------------------------------------------
# Noto CJK has 65,535 glyphs: WeasyPrint subsetting it for every PDF was a third of a unit
# sheet's printing time. A run makes, once, a copy of each CJK face the print CSS names that
# holds only the characters of the period's pages, and the PDFs are printed from those
# (pdf.py). The glyphs are the same, so the pages look the same to the pixel, print about
# twice as fast and come out several times smaller. A character a copy lacks is printed
# from the installed font, as before.

PERIOD_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")   # as print.css names them
PERIOD_WEIGHTS = {400: "regular", 700: "bold"}


@dataclass(frozen=True)
class FontSpec:
    """What the period's fonts are made from: the characters (sorted code points) and, for
    each face, (family, CSS weight, font file, index in the collection, size, mtime)."""

    chars: tuple[int, ...]
    faces: tuple[tuple[str, int, str, int, int, int], ...]

    @property
    def digest(self) -> str:
        """Names what the fonts will hold (same spec, same font bytes)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def period_font_spec(texts: Iterable[str]) -> FontSpec | None:
    """The faces to make for pages printing ``texts``; None when fontconfig has none of
    the families (the PDFs then use whatever fonts the CSS finds, as before)."""
    faces = tuple(face for family in PERIOD_FAMILIES for weight in PERIOD_WEIGHTS
                  if (face := _installed_face(family, weight)) is not None)
    if not faces:
        return None
    chars = {ord(ch) for ch in set().union(*map(set, texts)) if not ch.isspace() or ch == " "}
    return FontSpec(chars=tuple(sorted(chars | set(range(0x20, 0x7F)))), faces=faces)


@functools.lru_cache(maxsize=16)
def _installed_face(family: str, weight: int) -> tuple[str, int, str, int, int, int] | None:
    """The font file fontconfig gives ``family`` at ``weight``, when it is that family at
    that weight (not a fallback, not a regular face to be emboldened)."""
    if shutil.which("fc-match") is None:
        return None
    out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}|%{weight}",
                          f"{family}:weight={PERIOD_WEIGHTS[weight]}"],
                         capture_output=True, text=True, check=False).stdout
    parts = out.split("|")
    if len(parts) != 4 or family not in parts[2].split(","):
        return None
    path, index, _, fc_weight = parts
    bold = float(fc_weight or 0) >= 180          # fontconfig: 80 regular, 200 bold
    if bold != (weight >= 600):
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return (family, weight, path, int(index or 0), stat.st_size, stat.st_mtime_ns)
