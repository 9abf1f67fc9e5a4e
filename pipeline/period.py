"""The reporting period YYYY-MM."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PeriodError
from pipeline.values import month_end

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if not match:
            raise PeriodError(f"期间“{text}”格式不对，应为 YYYY-MM，如 2026-11 / "
                              f"period {text!r} must look like 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.month)

    @property
    def previous(self) -> Period | None:
        """The previous month of the same year (history checks never cross a year)."""
        return Period(self.year, self.month - 1) if self.month > 1 else None

    @property
    def before(self) -> Period:
        """The calendar month before (December of last year for January)."""
        return Period(self.year, self.month - 1) if self.month > 1 else Period(self.year - 1, 12)

    @property
    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def latest_period(folder: Path) -> Period:
    """[IO] The latest input/YYYY-MM/ folder that holds a file (a folder made ahead of the
    month, still empty, is not the month to run)."""
    found = sorted((Period.parse(p.name), p) for p in folder.glob("*")
                   if p.is_dir() and _PERIOD.match(p.name))
    if not found:
        raise PeriodError(f"{folder} 下没有 YYYY-MM 期间文件夹；请把各单位报表放入如 "
                          f"{folder}/2026-11/ / no YYYY-MM folder under {folder}: put the "
                          "units' sheets into e.g. input/2026-11/")
    filled = [period for period, path in found if has_files(path)]
    if not filled:
        raise PeriodError(f"{folder} 下的期间文件夹都是空的；请把各单位报表放入如 "
                          f"{found[-1][1]} / every YYYY-MM folder under {folder} is empty: "
                          f"put the units' sheets into e.g. {found[-1][1]}")
    return filled[-1]


def is_period_name(name: str) -> bool:
    """Whether a folder's name is a period's (YYYY-MM)."""
    return _PERIOD.match(name) is not None


def has_files(folder: Path) -> bool:
    """[IO] Whether a file is anywhere below ``folder``."""
    return any(p.is_file() for p in folder.rglob("*"))
