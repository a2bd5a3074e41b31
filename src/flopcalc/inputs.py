"""Parsers for the user's assumptions: efficiency, overhead, chip counts, dates and precisions.

Each returns a checked plain value or raises InputError naming the value and what is accepted.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .errors import InputError, InputTypeError
from .text import clean
from .units import _shown, exact, parse_count, to_float

__all__ = ["parse_peak", "PEAK_RANGE", "parse_efficiency", "parse_overhead", "parse_chips", "parse_date", "parse_precision", "parse_fraction"]


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


# A chip's plausible dense peak: 1 GFLOP/s to 1 ZFLOP/s (the fastest chip of 2026 does ~1e16 FLOP/s at FP4).
PEAK_RANGE = (1e9, 1e21)


def parse_peak(value: Any, *, what: str = "peak") -> Any:
    """A peak per chip as a FLOP/s Quantity, within PEAK_RANGE (a bare number means TFLOP/s)."""
    from .units import parse_quantity

    q = parse_quantity(value, "flop_rate", what=what)
    x = float(q.to("FLOP/s").magnitude)
    if not PEAK_RANGE[0] <= x <= PEAK_RANGE[1]:
        raise InputError(f"{what} {_shown(value)} is {x:.3g} FLOP/s, outside what one chip can do: expected "
                         "1 GFLOP/s to 1 ZFLOP/s, e.g. '2000 TFLOP/s'")
    return q


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


def _listed(values: Any, *, what: str, expected: str) -> list[Any]:
    try:
        return list(values)
    except TypeError:
        raise InputTypeError(f"{what} must be {expected}, not {type(values).__name__}") from None


def _check_all(items: list[Any], types: type | tuple[type, ...], *, what: str, expected: str) -> None:
    for v in items:
        if not isinstance(v, types):
            raise InputTypeError(f"{what} must hold {expected}, not {type(v).__name__}")


def paths(files: Any, *, what: str = "files") -> list[Any]:
    """A list of file paths from a path, or an iterable of paths (str or os.PathLike)."""
    import os
    from pathlib import Path

    if files is None:
        return []
    items = [files] if isinstance(files, (str, os.PathLike)) else _listed(files, what=what,
                                                                            expected="a path or a list of paths")
    _check_all(items, (str, os.PathLike), what=what, expected="paths (text or Path)")
    out = []
    for f in items:
        text = os.fspath(f)
        if not isinstance(text, str) or "\x00" in text or not text.strip():
            raise InputError(f"{what}: {_shown(text)} is not a usable path")
        out.append(Path(text))
    return out


def names(values: Any, *, what: str) -> list[str]:
    """A list of names (statuses, ids) from one name, an iterable of names, or None (none)."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else _listed(values, what=what,
                                                             expected="a name or a list of names")
    _check_all(items, str, what=what, expected="names (text)")
    return [clean(v).strip().lower() for v in items]


def optional_name(value: Any, *, what: str) -> str | None:
    """None, or a name given as text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputTypeError(f"{what} must be text, not {type(value).__name__}")
    return clean(value).strip().lower()


def items_of(values: Any, cls: type, *, what: str) -> list[Any]:
    """A list of `cls` objects from an iterable of them (e.g. thresholds from flopcalc.load_thresholds())."""
    expected = f"a list of {cls.__name__} objects"
    if isinstance(values, (str, bytes)) or values is None:
        raise InputTypeError(f"{what} must be {expected}, not {type(values).__name__}")
    items = _listed(values, what=what, expected=expected)
    _check_all(items, cls, what=what, expected=f"{cls.__name__} objects")
    return items
