"""click ParamTypes: bad values are rejected here, with one line naming the value and what is accepted."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable

import click

from ..errors import FlopcalcError

if TYPE_CHECKING:  # pragma: no cover
    _ParamType = click.ParamType[Any]  # generic in recent click's hints; older click cannot subscript it
else:
    _ParamType = click.ParamType


class _Parsed(_ParamType):
    """Wrap a library parser; its InputError becomes click's usage error (exit 2)."""

    def __init__(self, name: str, parse: Callable[[str], Any]) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self._parse(value)
        except FlopcalcError as e:
            self.fail(str(e), param, ctx)


def quantity(kind: str, name: str, *, allow_zero: bool = False, what: str = "value") -> _Parsed:
    from ..units import parse_quantity

    return _Parsed(name, lambda v: parse_quantity(v, kind, what=what, allow_zero=allow_zero))


def _efficiency(v: str) -> float:
    from ..inputs import parse_efficiency

    return parse_efficiency(v)


def _overhead(v: str) -> float:
    from ..inputs import parse_overhead

    return parse_overhead(v)


def _chips(v: str) -> int:
    from ..inputs import parse_chips

    return parse_chips(v)


def _count(v: str, what: str) -> float:
    from ..units import parse_count

    return float(parse_count(v, what=what))


def _name(v: str) -> str:
    from ..errors import InputError
    from ..text import clean

    s = clean(v).strip()
    if not s:
        raise InputError(f"{v!r} is empty: give a name such as h100 (chip) or bf16 (precision)")
    return s


def _bounded(v: str, what: str, lo: float, lo_open: bool) -> float:
    from ..units import parse_bounded

    return parse_bounded(v, what=what, lo=lo, lo_open=lo_open)


def _date(v: str) -> _dt.date:
    from ..inputs import parse_date

    return parse_date(v)


FLOP = quantity("flop", "FLOP", what="FLOP")
def _peak(v: str) -> Any:
    from ..inputs import parse_peak

    return parse_peak(v)


PEAK = _Parsed("FLOP/S", _peak)
PRICE = quantity("price", "USD/HOUR", what="price")
USD = quantity("usd", "USD", what="amount")
REVENUE = quantity("usd", "USD", allow_zero=True, what="revenue")  # zero revenue is a real answer
DAYS = quantity("time", "DAYS", what="days")
EFFICIENCY = _Parsed("FRACTION", _efficiency)
OVERHEAD = _Parsed("FACTOR", _overhead)
CHIPS = _Parsed("N", _chips)
DATE = _Parsed("DATE", _date)
CHIP = _Parsed("ID", _name)


def _precision(v: str) -> str:
    from ..errors import InputError
    from ..hardware import PRECISIONS
    from ..text import clean

    s = clean(v).strip().lower()
    if s not in PRECISIONS:
        raise InputError(f"precision {v[:20]!r} is not one flopcalc knows: expected one of {', '.join(PRECISIONS)}")
    return s


PRECISION = _Parsed("P", _precision)


def count(what: str, name: str = "N") -> _Parsed:
    """A count as people write it: 400B, 1.8T, 16k, 2.5e25."""
    return _Parsed(name, lambda v: _count(v, what))


def positive(what: str, name: str = "NUMBER") -> _Parsed:
    return _Parsed(name, lambda v: _bounded(v, what, 0, True))


def at_least(what: str, lo: float, name: str = "NUMBER", hi: float | None = None, hint: str = "") -> _Parsed:
    from ..units import parse_bounded

    return _Parsed(name, lambda v: parse_bounded(v, what=what, lo=lo, lo_open=False, hi=hi, hint=hint))


FORMATS = click.Choice(["table", "json", "csv", "markdown"], case_sensitive=False)
