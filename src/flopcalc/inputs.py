"""Parsers for the user's assumptions: efficiency, overhead, chip counts, dates and precisions.

Each returns a checked plain value or raises InputError naming the value and what is accepted.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .errors import InputError, InputTypeError
from .text import clean
from .units import _shown, exact, parse_count, to_float

__all__ = ["parse_efficiency", "parse_overhead", "parse_chips", "parse_date", "parse_precision", "parse_fraction"]


def parse_fraction(value: Any, *, what: str, accepted: str) -> float:
    """A fraction in (0, 1]: 0.4, '0.4', '40%', a Decimal/Fraction or a dimensionless Quantity."""
    if hasattr(value, "dimensionless") and hasattr(value, "magnitude"):
        if not value.dimensionless:
            raise InputError(f"{what} {_shown(value)} must be a plain fraction: expected {accepted}")
        value = value.to("").magnitude
    scale = 1
    if isinstance(value, str) and value.strip().endswith("%"):
        value, scale = value.strip()[:-1], 100
    d = exact(value, what=what, accepted=accepted) / scale
    x = to_float(d, what=what, accepted=accepted)
    if not 0 < d <= 1 or x == 0:
        raise InputError(f"{what} {_shown(value if scale == 1 else f'{value}%')} is outside (0, 1]: expected {accepted}")
    return x


def parse_efficiency(value: Any, *, what: str = "efficiency") -> float:
    """An efficiency: a fraction of peak in (0, 1], e.g. 0.4 or '40%'."""
    return parse_fraction(value, what=what, accepted="a fraction in (0, 1] such as 0.4 (or '40%')")


def parse_overhead(value: Any, *, what: str = "overhead") -> float:
    """A multiplier of at least 1 (1.5 means the project spends 50% more than the final run); '1.5x' works."""
    accepted = "a multiplier of at least 1, e.g. 1.5 (use 1 for none)"
    if isinstance(value, str) and value.strip().lower().endswith(("x", "×")):
        value = value.strip()[:-1]
    d = exact(value, what=what, accepted=accepted)
    if d < 1:
        raise InputError(f"{what} {_shown(value)} is below 1: expected {accepted}")
    return to_float(d, what=what, accepted=accepted)


def parse_chips(value: Any, *, what: str = "chips") -> int:
    """A whole number of chips, at least 1: 16384, '16k', '16,384' (exact, even above 2**53)."""
    return int(parse_count(value, what=what, integer=True))


def parse_date(value: Any, *, what: str = "date") -> _dt.date:
    """A calendar date: a datetime.date (not a datetime) or 'YYYY-MM-DD' text."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        raise InputTypeError(f"{what} must be a date or 'YYYY-MM-DD' text, not {type(value).__name__}")
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{what} {_shown(value)} is not a date: use YYYY-MM-DD, e.g. 2024-06-01") from None


def parse_precision(value: Any) -> str | None:
    """A precision name as given (lower case), or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputTypeError(f"precision must be text such as 'bf16', not {type(value).__name__}")
    p = clean(value).strip().lower()
    if not p:
        raise InputError("precision is empty: expected a name such as fp8 or bf16")
    return p
