"""[pure] Number formatting for the reports, registered as Jinja2 filters.

Every figure is rounded half up (四舍五入), the way the office rounds by hand, through
``decimal.Decimal`` of the float's shortest repr — ``round()`` rounds half to even on the
binary value, so ``round(1.25, 1)`` and 0.0125 as a percentage would come out low. Values are
first rounded to 9 decimals, as the pipeline compares them (SPEC 5.3), so float noise such as
0.012499999999999999 still reads 1.3 %. Missing values (None, NaN, pd.NA) print as "—".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MISSING = "—"
_NINE = Decimal("1e-9")


def _decimal(value: Any) -> Decimal | None:
    """The value as a Decimal rounded to 9 places, or None when it is missing."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None  # pd.NA and anything else that is not a number
    if not math.isfinite(number):
        return None
    try:
        return Decimal(repr(number)).quantize(_NINE, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # beyond 28 significant digits: no report shows such figures
        return Decimal(repr(number))


def _fixed(value: Decimal, places: int, *, separators: bool = False, trim: bool = False) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.0"
    text = f"{rounded:,.{places}f}" if separators else f"{rounded:.{places}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def pct(value: Any) -> str:
    """A fraction as a percentage with one decimal: 0.12345 -> "12.3%"."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number * 100, 1) + "%"


def pp(value: Any) -> str:
    """Percentage points with one decimal: 7.25 -> "7.3"."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number, 1)


def wan(value: Any) -> str:
    """An amount in 万元 with thousands separators and at most 2 decimals: "12,345.6"."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number, 2, separators=True, trim=True)


def yi(value: Any) -> str:
    """An amount in 万元 shown in 亿元 with 2 decimals: 123456 -> "12.35"."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number / 10000, 2, separators=True)


def num(value: Any, places: int = 1) -> str:
    """A plain number with ``places`` decimals, half up: a unit's score 87.25 -> "87.3"."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number, places)


def count(value: Any) -> str:
    """A whole count, or "—" when missing."""
    number = _decimal(value)
    return MISSING if number is None else _fixed(number, 0)


FILTERS = {"pct": pct, "pp": pp, "wan": wan, "yi": yi, "num": num, "count": count}
