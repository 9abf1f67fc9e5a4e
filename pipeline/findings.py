"""Findings: every problem found in the data, a record with a stable code (SPEC 5.2).

Checks never raise on bad data; they return findings. Each message says what is wrong and
how to fix it, in Chinese and then English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY: dict[str, Severity] = {
    # SPEC 5.2
    "missing_value": Severity.ERROR,
    "bad_number": Severity.ERROR,
    "negative_amount": Severity.ERROR,
    "bad_date": Severity.ERROR,
    "future_date": Severity.ERROR,
    "ytd_exceeds_total": Severity.ERROR,
    "unknown_project": Severity.ERROR,
    "conflicting_rows": Severity.ERROR,
    "not_reported": Severity.ERROR,
    "unreadable_file": Severity.ERROR,
    "unsupported_file": Severity.ERROR,
    "no_header": Severity.ERROR,
    "matched_by_name": Severity.WARNING,
    "ytd_mismatch": Severity.WARNING,
    "ytd_decreased": Severity.WARNING,
    "started_without_date": Severity.WARNING,
    "unit_mismatch": Severity.WARNING,
    "duplicate_row": Severity.INFO,
    "amount_in_yuan": Severity.INFO,
    # cases SPEC 5.2 lacks (documented in the README)
    "bad_flag": Severity.ERROR,            # a yes/no cell that is neither
    "encrypted_file": Severity.ERROR,      # password-protected workbook
    "file_too_large": Severity.ERROR,      # over [limits]
    "macros_present": Severity.INFO,       # .xlsm / vbaProject: values read, macros ignored
    "file_in_progress": Severity.ERROR,    # changed while being read (still being copied or
                                           # saved): not read, left for the next run
    "hidden_sheet_skipped": Severity.INFO,  # a hidden sheet with a progress header
    "other_month_sheet_skipped": Severity.INFO,  # a sheet of another month (10月) next to
                                                 # the period's: not read
    "unknown_unit": Severity.WARNING,      # a file whose unit cannot be told
    "ytd_header_month": Severity.WARNING,  # the ytd column headed 1-N月 of another month
    "amount_in_yi": Severity.INFO,         # header says 亿元: converted
    "register_error": Severity.ERROR,      # a register row or cell the office must fix
    "plans_cumulated": Severity.INFO,      # a register's monthly plans each month's own: added up
    "duplicate_project": Severity.ERROR,   # the same project_id twice in the register
}


@dataclass(frozen=True, slots=True)
class CellRef:
    """A place in an input file: row is the 1-based sheet row, column the letter."""

    file: str
    sheet: str
    row: int | None = None
    column: str | None = None

    @property
    def cell(self) -> str:
        if self.row is None:
            return ""
        return f"{self.column or ''}{self.row}"

    def __str__(self) -> str:
        place = self.file
        if self.sheet:
            place += f":{self.sheet}"
        if self.row is not None:
            place += f"!{self.cell}"
        return place


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    ref: CellRef | None = None
    project_id: str | None = None
    unit: str | None = None
    value: str | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]


def finding(code: str, zh: str, en: str, *, ref: CellRef | None = None,
            project_id: str | None = None, unit: str | None = None,
            value: object = None) -> Finding:
    """Build a finding whose message is 'place: zh / en'."""
    if code not in SEVERITY:
        raise ValueError(f"unknown finding code {code!r}")
    place = f"{ref}: " if ref is not None else ""
    return Finding(code=code, message=f"{place}{zh} / {en}", ref=ref, project_id=project_id,
                   unit=unit, value=None if value is None else str(value))
