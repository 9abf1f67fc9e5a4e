"""Safe file names for units and leaders (SPEC 6.1). Pure."""

from __future__ import annotations

import hashlib
import re
import unicodedata

UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
MAX_LENGTH = 100
MAX_BYTES = 200   # file systems allow 255 bytes a name; room for “-marked.xlsx” and a hash


def safe_name(name: str) -> str:
    """The name as the register writes it, with only characters unsafe in a file name
    (``/ \\ : * ? " < > |`` and control characters) replaced by ``_``, cut at 100 characters
    (and at 200 bytes of UTF-8, since 100 Chinese characters are 300 bytes and file systems
    allow 255 a name).

    Names that are empty or only dots (“..”) become ``_`` so they never name a folder.
    """
    text = UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip()
    text = _fit(text[:MAX_LENGTH], MAX_BYTES)
    if not text.strip("."):
        text = "_" + text
    return text


def _fit(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def _suffix(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def file_names(names: list[str]) -> dict[str, str]:
    """name -> safe file name, unique: names that would collide get a short hash suffix.

    Comparison ignores case, since Windows and macOS file systems do.
    """
    safe = {name: safe_name(name) for name in sorted(set(names))}
    counts: dict[str, int] = {}
    for value in safe.values():
        counts[value.lower()] = counts.get(value.lower(), 0) + 1
    out = {}
    for name, value in safe.items():
        if counts[value.lower()] > 1:
            value = f"{_fit(value[:MAX_LENGTH - 9], MAX_BYTES - 9)}-{_suffix(name)}"
        out[name] = value
    return out
