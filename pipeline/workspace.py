"""Where a workspace keeps its inputs, outputs and history (no pandas: the CLI's fast
paths import this alone)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PeriodError
from pipeline.period import Period, latest_period


@dataclass(frozen=True)
class Workspace:
    input_dir: Path
    output_dir: Path

    @property
    def history_path(self) -> Path:
        return self.output_dir / "history.sqlite"

    @property
    def register_path(self) -> Path:
        return self.input_dir / "register.xlsx"

    def period_input(self, period: Period) -> Path:
        return self.input_dir / str(period)

    def period_output(self, period: Period) -> Path:
        return self.output_dir / str(period)

    def resolve_period(self, text: str | None) -> Period:
        if text:
            period = Period.parse(text)
            if not self.period_input(period).is_dir():
                raise PeriodError(
                    f"找不到期间文件夹 {self.period_input(period)}；请把各单位报表放入该文件夹 / "
                    f"no folder {self.period_input(period)}: put the units' sheets there")
            return period
        return latest_period(self.input_dir)
