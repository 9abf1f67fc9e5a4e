"""Where a workspace keeps its inputs, outputs and history (no pandas: the CLI's fast
paths import this alone)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PeriodError
from pipeline.period import Period, has_files, is_period_name, latest_period


@dataclass(frozen=True)
class Workspace:
    input_dir: Path
    output_dir: Path

    def __post_init__(self) -> None:
        # outputs in the inputs' period folders would be read back as units' sheets by the
        # next run (the output folder itself, or one inside input/YYYY-MM/)
        inputs, outputs = self.input_dir.resolve(), self.output_dir.resolve()
        if outputs == inputs or any(p.parent == inputs and is_period_name(p.name)
                                    for p in (outputs, *outputs.parents)):
            raise PeriodError(
                f"输出文件夹 {self.output_dir} 是输入文件夹 {self.input_dir} 或在其期间文件夹之内，"
                "下次运行会把输出当作报表读入；请另选输出文件夹（默认 output）/ the output folder "
                f"{self.output_dir} is the input folder {self.input_dir} or inside one of its "
                "period folders, so the next run would read the outputs as sheets: choose "
                "another (default: output)")

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
            folder = self.period_input(period)
            if not folder.is_dir():
                raise PeriodError(
                    f"找不到期间文件夹 {folder}；请把各单位报表放入该文件夹 / "
                    f"no folder {folder}: put the units' sheets there")
            if not has_files(folder):
                raise PeriodError(
                    f"期间文件夹 {folder} 是空的；请先放入各单位报表再运行 / the folder {folder} "
                    "is empty: put the units' sheets there first")
            return period
        return latest_period(self.input_dir)
