"""Settings: keyproj.toml and command-line options, with the SPEC 7 defaults."""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.values import norm_id, short_form


@dataclass(frozen=True)
class Lights:
    mode: str = "points"
    yellow_above_pp: float = 0.0
    red_above_pp: float = 10.0
    relative_red_below: float = 0.5


@dataclass(frozen=True)
class Weights:
    investment: float = 50.0
    starts: float = 20.0
    milestones: float = 20.0
    reporting: float = 10.0


@dataclass(frozen=True)
class ListSizes:
    red_projects: int = 10
    red_units: int = 3
    red_unit_min_score: float = 90.0
    black_units: int = 3
    black_unit_below_score: float = 60.0


@dataclass(frozen=True)
class Report:
    lang: str = "zh"
    county: str = ""
    office: str = ""
    next_steps: str = ""
    templates: str = ""


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 50.0
    max_uncompressed_mb: float = 500.0
    max_ratio: float = 100.0


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 587
    user: str = ""
    sender: str = ""
    starttls: bool = True


@dataclass(frozen=True)
class Recipient:
    """One [[recipients]] entry: someone distribute sends to, besides the contacts sheet."""

    name: str
    role: str            # 责任单位/联系领导/县领导, or unit | leader | leadership
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Settings:
    lights: Lights = field(default_factory=Lights)
    weights: Weights = field(default_factory=Weights)
    lists: ListSizes = field(default_factory=ListSizes)
    report: Report = field(default_factory=Report)
    limits: Limits = field(default_factory=Limits)
    smtp: Smtp = field(default_factory=Smtp)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unit_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    force_majeure_approved: frozenset[str] = frozenset()
    # [[recipients]]: extra distribution recipients (name, role, email, phone), as the
    # register's contacts sheet lists them; they win over the sheet for the same name and role
    recipients: tuple[Recipient, ...] = ()

    def __post_init__(self) -> None:
        # approved ids compare as the register's do (SPEC 5.1: trimmed, half-width, upper)
        object.__setattr__(self, "force_majeure_approved",
                           frozenset(map(norm_id, self.force_majeure_approved)))

    def digest(self) -> str:
        """SHA-256 of the settings as canonical JSON (recorded in the manifest)."""
        data = asdict(self)
        data["force_majeure_approved"] = sorted(self.force_majeure_approved)
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=list)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SECTIONS = {"lights": Lights, "weights": Weights, "lists": ListSizes, "report": Report,
             "limits": Limits, "smtp": Smtp}
_KNOWN = set(_SECTIONS) | {"groups", "units", "force_majeure", "recipients"}
RECIPIENT_KEYS = ("name", "role", "email", "phone")


def _section(cls: type, name: str, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"keyproj.toml: [{name}] 应为一节 / must be a table")
    fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
    values = {}
    for key, value in raw.items():
        if key not in fields:
            raise ConfigError(
                f"keyproj.toml: [{name}] 没有 {key} 这一项，可用：{', '.join(fields)} / "
                f"[{name}] has no key {key!r}; known keys: {', '.join(fields)}")
        default = fields[key].default
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, (int, float)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = type(default)(value) if ok else value
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ConfigError(
                f"keyproj.toml: [{name}] {key} = {value!r} 类型不对，应与默认值 {default!r} 同类 / "
                f"[{name}] {key} has the wrong type; expected one like {default!r}")
        values[key] = value
    return cls(**values)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"keyproj.toml: {where} 应为字符串列表 / must be a list of strings")
    return tuple(value)


def _table(value: Any, where: str, example: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"keyproj.toml: {where} 应为一节（如 {example}） / must be a table, "
                          f"as in {example}")
    return value


def _only(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ConfigError(f"keyproj.toml: {where} 没有 {'、'.join(unknown)} 这一项，可用："
                          f"{', '.join(keys)} / {where} has no key {', '.join(unknown)}; "
                          f"known keys: {', '.join(keys)}")


def _check_values(parts: dict[str, Any]) -> None:
    """Numbers that would make the rules meaningless: thresholds out of order or range,
    negative weights or list sizes, all weights zero."""
    problems: list[tuple[str, str]] = []
    for name, part in parts.items():
        for key, value in asdict(part).items():
            if isinstance(value, float) and not math.isfinite(value):
                problems.append((f"[{name}] {key} 不是有限数", f"[{name}] {key} is not finite"))
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0 \
                    and name in ("weights", "lists", "limits"):
                problems.append((f"[{name}] {key} 不能为负", f"[{name}] {key} cannot be negative"))
    lights, weights = parts["lights"], parts["weights"]
    if lights.red_above_pp < lights.yellow_above_pp:
        problems.append(("[lights] red_above_pp 应不小于 yellow_above_pp",
                         "[lights] red_above_pp must be at least yellow_above_pp"))
    if not 0 < lights.relative_red_below <= 1:
        problems.append(("[lights] relative_red_below 应在 0 到 1 之间（如 0.5）",
                         "[lights] relative_red_below must be over 0 and at most 1 (e.g. 0.5)"))
    if not sum(asdict(weights).values()) > 0:
        problems.append(("[weights] 权重之和应大于 0", "[weights] must not all be 0"))
    if problems:
        raise ConfigError("keyproj.toml: " + "；".join(zh for zh, _ in problems) + " / "
                          + "; ".join(en for _, en in problems))


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    """Validate a parsed keyproj.toml and build Settings."""
    unknown = set(raw) - _KNOWN
    if unknown:
        raise ConfigError(
            f"keyproj.toml: 不认识的节 {sorted(unknown)}，可用：{sorted(_KNOWN)} / "
            f"unknown sections {sorted(unknown)}; known: {sorted(_KNOWN)}")
    parts = {name: _section(cls, name, raw.get(name, {})) for name, cls in _SECTIONS.items()}
    lights = parts["lights"]
    if lights.mode not in ("points", "relative"):
        raise ConfigError(
            f"keyproj.toml: [lights] mode = {lights.mode!r}，应为 points 或 relative / "
            "mode must be \"points\" or \"relative\"")
    if parts["report"].lang not in ("zh", "en"):
        raise ConfigError("keyproj.toml: [report] lang 应为 zh 或 en / lang must be zh or en")
    _check_values(parts)
    groups_raw = _table(raw.get("groups", {}), "[groups]", "乡镇 = [\"泷泊镇人民政府\"]")
    groups = {str(k): _names(v, f"[groups] {k}") for k, v in groups_raw.items()}
    # a unit named by its short form is the same unit (泷泊镇人民政府, 泷泊镇)
    forms = [{short_form(u) for u in units} for units in groups.values()]
    twice = sorted({u for units in groups.values() for u in units
                    if sum(short_form(u) in f for f in forms) > 1})
    if twice:
        raise ConfigError(f"keyproj.toml: [groups] 中 {'、'.join(twice)} 出现在多个分组 / "
                          f"{', '.join(twice)} in more than one group")
    units = _table(raw.get("units", {}), "[units]", "[units.aliases]")
    _only(units, ("aliases",), "[units]")
    aliases_raw = _table(units.get("aliases", {}), "[units.aliases]",
                         "县交通运输局 = [\"交通局\"]")
    aliases = {str(k): _names(v, f"[units.aliases] {k}") for k, v in aliases_raw.items()}
    fm = _table(raw.get("force_majeure", {}), "[force_majeure]", "approved = [\"SP2026-014\"]")
    _only(fm, ("approved",), "[force_majeure]")
    approved = _names(fm.get("approved", []), "[force_majeure] approved")
    return Settings(**parts, groups=groups, unit_aliases=aliases,
                    force_majeure_approved=frozenset(approved),
                    recipients=_recipients(raw.get("recipients", [])))


def _recipients(raw: Any) -> tuple[Recipient, ...]:
    where = "keyproj.toml: [[recipients]]"
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(f"{where} 应为表数组，每个收件人一节 / must be an array of tables, "
                          "one per recipient")
    out = []
    for item in raw:
        unknown = set(item) - set(RECIPIENT_KEYS)
        if unknown or not all(isinstance(v, str) for v in item.values()):
            raise ConfigError(
                f"{where} 只能有 {', '.join(RECIPIENT_KEYS)} 几项，且都是字符串 / keys must be "
                f"among {', '.join(RECIPIENT_KEYS)}, every value a string: {item!r}")
        if not item.get("name") or not item.get("role"):
            raise ConfigError(f"{where} 每个收件人都要有 name 和 role / every recipient needs "
                              f"a name and a role: {item!r}")
        out.append(Recipient(**item))
    return tuple(out)


def load_settings(path: Path | None, *, required: bool = False) -> Settings:
    """Read keyproj.toml (absent -> defaults, unless the user named it)."""
    if path is None or not path.exists():
        if required and path is not None:
            raise ConfigError(f"找不到配置文件 {path} / config file {path} not found")
        return Settings()
    if path.is_dir():
        raise ConfigError(f"{path} 是文件夹，不是配置文件 / {path} is a folder, not a config file")
    try:
        # utf-8-sig: Windows Notepad starts a UTF-8 file with a byte-order mark
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: 配置文件不是 UTF-8 编码（可能是 GBK），请用记事本“另存为”UTF-8 / not UTF-8 "
            "(GBK?): save it as UTF-8 (Notepad: Save as, Encoding UTF-8)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: 配置文件格式有误（{exc}），请按 TOML 语法修改 / cannot parse: {exc}; "
            "correct the TOML there (README: keyproj.toml)") from exc
    settings = settings_from_dict(raw)
    report = settings.report
    # folders and files are named relative to the working directory, as they are used
    if report.templates and not Path(report.templates).is_dir():
        raise ConfigError(
            f"keyproj.toml: [report] templates = {report.templates!r} 文件夹不存在 / the folder "
            f"[report] templates names does not exist: {report.templates}")
    if _FILE_NAME.match(report.next_steps.strip()) and not Path(report.next_steps.strip()).is_file():
        raise ConfigError(
            f"keyproj.toml: [report] next_steps = {report.next_steps!r} 像是文件名，但文件不存在"
            "（否则这行字会原样印进通报） / [report] next_steps names a file that does not "
            f"exist: {report.next_steps} (else these words would be printed in the bulletin)")
    return settings


# a next_steps value that names a file (one line ending in a text file's suffix)
_FILE_NAME = re.compile(r"^[^\n]{1,1000}\.(?:txt|md|text)$", re.IGNORECASE)


def next_steps_text(value: str) -> str:
    """The office's 下步工作要求: the text itself, or the file it names (UTF-8)."""
    text = value.strip()
    if text and "\n" not in text and len(text) < 1024:
        try:
            path = Path(text)
            if path.is_file():
                return path.read_text(encoding="utf-8-sig")
        except OSError:
            pass
    return value
