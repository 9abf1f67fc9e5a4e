"""[IO] Environment check for `keyproj doctor`: CJK fonts, Pango, library versions."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys

CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC", "FangSong", "仿宋", "SimSun", "宋体",
             "Source Han Serif SC", "WenQuanYi Zen Hei")
FONT_FIX = ("安装中文字体：apt-get install -y fonts-noto-cjk / install a CJK font: "
            "apt-get install -y fonts-noto-cjk")


def cjk_fonts() -> list[str]:
    """Installed font families that can set Chinese text (per fontconfig)."""
    if shutil.which("fc-list") is None:
        return []
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                         check=False).stdout
    families = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return sorted(f for f in families if f)


def font_problem() -> str | None:
    """None when a CJK font is installed, else what is missing and how to install it."""
    found = cjk_fonts()
    if any(name in found for name in CJK_FONTS):
        return None
    return ("没有中文字体，报告中的汉字会显示为方框 / no CJK font: Chinese would print as boxes. "
            + FONT_FIX)


def diagnose() -> list[tuple[bool, str]]:
    lines: list[tuple[bool, str]] = [(sys.version_info >= (3, 11), f"Python {sys.version.split()[0]}")]
    for package in ("pandas", "openpyxl", "python-calamine", "jinja2", "weasyprint", "click",
                    "rapidfuzz", "defusedxml"):
        try:
            lines.append((True, f"{package} {importlib.metadata.version(package)}"))
        except importlib.metadata.PackageNotFoundError:
            lines.append((False, f"{package} 未安装 not installed: pip install {package}"))
    try:
        from weasyprint.text.ffi import pango

        number = pango.pango_version()
        lines.append((True, f"Pango {number // 10000}.{number // 100 % 100}.{number % 100}"))
    except Exception as exc:  # noqa: BLE001 - any failure to load Pango is the finding
        lines.append((False, (f"Pango/WeasyPrint 无法加载 cannot load ({exc}): "
                              "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0")))
    problem = font_problem()
    fonts = [f for f in cjk_fonts() if f in CJK_FONTS]
    lines.append((problem is None, problem or f"CJK fonts: {', '.join(fonts)}"))
    return lines
