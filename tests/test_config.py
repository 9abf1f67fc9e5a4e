"""keyproj.toml: defaults, every section, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError

FULL = '''
[lights]
mode = "relative"
relative_red_below = 0.4
[weights]
investment = 60
[lists]
red_projects = 5
[groups]
"乡镇" = ["泷泊镇人民政府", "江村镇人民政府"]
[units.aliases]
"县交通运输局" = ["交通局"]
[force_majeure]
approved = ["SP2026-014"]
[report]
county = "双牌县"
[limits]
max_file_mb = 20
'''


def test_absent_file_gives_the_spec_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "keyproj.toml")
    assert settings == Settings()
    assert (settings.lights.mode, settings.lights.red_above_pp) == ("points", 10.0)
    assert (settings.weights.investment, settings.lists.black_units) == (50.0, 3)


def test_every_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "keyproj.toml"
    path.write_text(FULL, encoding="utf-8")
    settings = load_settings(path)
    assert settings.lights.mode == "relative" and settings.lights.relative_red_below == 0.4
    assert settings.weights.investment == 60.0 and settings.weights.starts == 20.0
    assert settings.groups == {"乡镇": ("泷泊镇人民政府", "江村镇人民政府")}
    assert settings.unit_aliases == {"县交通运输局": ("交通局",)}
    assert settings.force_majeure_approved == frozenset({"SP2026-014"})
    assert settings.report.county == "双牌县" and settings.limits.max_file_mb == 20.0
    assert settings.digest() != Settings().digest()


@pytest.mark.parametrize(("text", "needle"), [
    ("[lights]\nmode = 'sideways'\n", "points"),
    ("[weights]\ninvestment = 'lots'\n", "investment"),
    ("[weights]\nspeed = 5\n", "speed"),
    ("[colours]\n", "colours"),
    ("[groups]\n乡镇 = ['a']\n", "TOML"),          # a bare CJK key is not TOML
    ("[force_majeure]\napproved = 'SP1'\n", "approved"),
])
def test_bad_config_names_the_problem(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "keyproj.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_settings(path)


def test_a_named_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", required=True)


@pytest.mark.parametrize(("text", "says"), [
    ('[force_majeure]\napprove = ["P1"]', "approve"),            # a typo is no approval
    ('[units]\nalias = {"县交通运输局" = ["交通局"]}', "alias"),
    ('groups = "乡镇"', "[groups]"),
    ("units = 5", "[units]"),
    ('[units]\naliases = ["交通局"]', "[units.aliases]"),
    ('force_majeure = ["P1"]', "[force_majeure]"),
    ("[lights]\nyellow_above_pp = 20\nred_above_pp = 10", "red_above_pp"),
    ("[lights]\nrelative_red_below = 1.5", "relative_red_below"),
    ("[lights]\nred_above_pp = nan", "red_above_pp"),
    ("[weights]\nstarts = -20", "starts"),
    ("[weights]\ninvestment = 0\nstarts = 0\nmilestones = 0\nreporting = 0", "[weights]"),
    ("[lists]\nred_projects = -1", "red_projects"),
    ('[groups]\n"乡镇" = ["泷泊镇"]\n"部门" = ["泷泊镇", "县水利局"]', "泷泊镇"),
])
def test_settings_that_cannot_mean_what_they_say_stop_the_run(tmp_path: Path, text: str,
                                                             says: str) -> None:
    """A mistyped key, a wrong type or a meaningless number: a ConfigError in Chinese and
    English that names it (never a traceback, never silently ignored)."""
    path = tmp_path / "keyproj.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert says in message and " / " in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.split(" / ")[0])


def test_a_config_saved_by_notepad_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "keyproj.toml"
    path.write_bytes("\ufeff[report]\ncounty = \"双牌县\"\n".encode())
    assert load_settings(path).report.county == "双牌县"


@pytest.mark.parametrize(("write", "says"), [
    (lambda p: p.write_bytes('[report]\ncounty = "双牌县"\n'.encode("gbk")), "UTF-8"),
    (lambda p: p.mkdir(), "是文件夹"),
    (lambda p: p.write_text('[report]\ntemplates = "no/such/folder"\n', encoding="utf-8"),
     "no/such/folder"),
    (lambda p: p.write_text('[report]\nnext_steps = "notes/下步工作.txt"\n', encoding="utf-8"),
     "notes/下步工作.txt"),
])
def test_a_config_that_cannot_be_used_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               write: Any, says: str) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "keyproj.toml"
    write(path)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert says in str(caught.value) and " / " in str(caught.value)
