"""Small helpers to turn parsed YAML into checked values, with errors naming file and field."""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from .errors import DataError, InputError
from .text import clean
from .units import has_unit, parse_number, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity


class Fields:
    """Check one mapping from a data file: known keys only, typed access, precise errors."""

    def __init__(self, path: Path | str, data: Any, *, allowed: tuple[str, ...], required: tuple[str, ...],
                 where: str = "") -> None:
        self.path = path
        self.where = where
        if not isinstance(data, dict):
            raise DataError(path, f"must be a mapping of {', '.join(required)}, not a {_kind(data)}", field=where or None)
        unknown = [str(k) for k in data if k not in allowed]
        if unknown:
            raise DataError(path, f"unknown key {unknown[0][:40]!r}; allowed keys are {', '.join(allowed)}",
                            field=where or None)
        missing = [k for k in required if data.get(k) is None]
        if missing:
            raise DataError(path, f"missing required key {missing[0]!r}", field=where or None)
        self.data = data

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, message: str) -> DataError:
        return DataError(self.path, message, field=self.name(key))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    # A required field (optional=False) is never None: a missing one raises DataError. The overloads
    # say so, so callers get `str`, `float`... rather than `... | None`.
    @overload
    def text(self, key: str, *, optional: Literal[False] = ...) -> str: ...
    @overload
    def text(self, key: str, *, optional: bool) -> str | None: ...

    def text(self, key: str, *, optional: bool = False) -> str | None:
        v = self.data.get(key)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise self.error(key, f"must be text, not a {_kind(v)}")
        if isinstance(v, int) and abs(v) > 10**300:
            raise self.error(key, "must be text, not a huge integer")
        return clean(str(v)).strip()

    @overload
    def number(self, key: str, value: Any = None, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, optional: Literal[False] = ..., label: str | None = None,
               integer: bool = False) -> float: ...
    @overload
    def number(self, key: str, value: Any = None, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, optional: bool, label: str | None = None,
               integer: bool = False) -> float | None: ...

    def number(self, key: str, value: Any = None, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, optional: bool = False, label: str | None = None,
               integer: bool = False) -> float | None:
        v = self.data.get(key) if value is None else value
        label = label or self.name(key)
        if v is None and optional:
            return None
        scale = 1.0
        if isinstance(v, str):  # YAML reads 1e24 (no dot) as text; accept number spellings, 37.5% and 1.5x
            s = v.strip()
            if s.endswith("%"):
                s, scale = s[:-1], 0.01
            elif s.endswith(("x", "X", "×")):
                s = s[:-1]
            try:
                v = parse_number(s)
            except InputError:
                raise DataError(self.path, f"must be a number, not {_short(v)}", field=label) from None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise DataError(self.path, f"must be a number, not {_short(v)}", field=label)
        if isinstance(v, int) and abs(v) > 10**300:
            raise DataError(self.path, f"must be a number in range, not a {len(str(abs(v)))}-digit integer", field=label)
        x = float(v) * scale
        if not math.isfinite(x):
            raise DataError(self.path, f"must be a finite number, not {_short(v)}", field=label)
        if integer and x != int(x):
            raise DataError(self.path, f"must be a whole number, not {x:g}", field=label)
        if lo is not None and (x < lo or (lo_open and x == lo)):
            raise DataError(self.path, f"{x:g} is out of range: must be {'>' if lo_open else '>='} {lo:g}"
                            + (f" and <= {hi:g}" if hi is not None else ""), field=label)
        if hi is not None and x > hi:
            raise DataError(self.path, f"{x:g} is out of range: must be <= {hi:g}", field=label)
        return x

    @overload
    def quantity(self, key: str, kind: str, value: Any = None, *, label: str | None = None,
                 allow_zero: bool = False, optional: Literal[False] = ..., require_unit: bool = True) -> Quantity: ...
    @overload
    def quantity(self, key: str, kind: str, value: Any = None, *, label: str | None = None,
                 allow_zero: bool = False, optional: bool, require_unit: bool = True) -> Quantity | None: ...

    def quantity(self, key: str, kind: str, value: Any = None, *, label: str | None = None,
                 allow_zero: bool = False, optional: bool = False, require_unit: bool = True) -> Quantity | None:
        v = self.data.get(key) if value is None else value
        label = label or self.name(key)
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise DataError(self.path, f"must be a quantity with a unit, not a {_kind(v)}", field=label)
        if require_unit and not has_unit(v):
            raise DataError(self.path, f"{_short(v)} needs a unit, e.g. '700 W', '80 GB', '989.4 TFLOP/s' or "
                            "'2.00 USD/hour'", field=label)
        try:
            return parse_quantity(v, kind, what="value", allow_zero=allow_zero)
        except InputError as e:
            raise DataError(self.path, str(e), field=label) from None

    @overload
    def mapping(self, key: str, *, optional: Literal[False] = ...) -> dict[Any, Any]: ...
    @overload
    def mapping(self, key: str, *, optional: bool) -> dict[Any, Any] | None: ...

    def mapping(self, key: str, *, optional: bool = False) -> dict[Any, Any] | None:
        v = self.data.get(key)
        if v is None and optional:
            return None
        if not isinstance(v, dict) or not v:
            raise self.error(key, f"must be a non-empty mapping, not {_short(v)}")
        return v

    @overload
    def seq(self, key: str, *, optional: Literal[False] = ...) -> list[Any]: ...
    @overload
    def seq(self, key: str, *, optional: bool) -> list[Any] | None: ...

    def seq(self, key: str, *, optional: bool = False) -> list[Any] | None:
        v = self.data.get(key)
        if v is None and optional:
            return None
        if not isinstance(v, list):
            raise self.error(key, f"must be a list, not a {_kind(v)}")
        return v


def as_date(value: Any) -> str | None:
    """A YAML date (or 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' text) as ISO text, or None if it is not one.

    A datetime is not a date (None); neither is 2024-02-30 (YAML leaves impossible dates as text).
    """
    if isinstance(value, _dt.datetime):
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1900 <= value <= 2100:
        return str(value)
    if isinstance(value, str):
        v = value.strip()
        for fmt, n in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
            try:
                if len(v) == n:
                    _dt.datetime.strptime(v, fmt)
                    return v
            except ValueError:
                pass
    return None


def _kind(v: Any) -> str:
    return {dict: "mapping", list: "list", str: "text", type(None): "nothing"}.get(type(v), type(v).__name__)


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:40] + "..."


def first_day(iso: str) -> _dt.date:
    """The first day an ISO date text ('2024', '2024-06', '2024-06-15') can mean."""
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    return _dt.date(parts[0], parts[1], parts[2])
