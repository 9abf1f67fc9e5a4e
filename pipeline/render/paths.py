"""Where the bundled templates live (a module of its own so PDF workers import little)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
