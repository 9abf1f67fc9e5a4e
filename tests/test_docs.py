"""The README is the manual: every command, config key and finding code appears in it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.findings import SEVERITY

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    command = cli.commands[name]
    assert command.help, f"keyproj {name} has no help text"
    assert f"keyproj {name}" in README


def test_every_config_key_is_in_the_readme() -> None:
    for section in dataclasses.fields(Settings):
        default = getattr(Settings(), section.name)
        if dataclasses.is_dataclass(default):
            for key in dataclasses.fields(default):
                assert f"{key.name}" in README, f"[{section.name}] {key.name}"
    for table in ("[groups]", "[units.aliases]", "[force_majeure]"):
        assert table in README


def test_every_finding_code_is_in_the_readme() -> None:
    for code in SEVERITY:
        assert f"`{code}`" in README, code
