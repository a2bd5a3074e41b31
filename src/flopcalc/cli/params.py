"""click ParamTypes: bad values are rejected here, with one line naming the value and what is accepted."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

import click

from ..errors import FlopcalcError


class _Parsed(click.ParamType):
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
    from ..calc import parse_efficiency

    return parse_efficiency(v)


def _overhead(v: str) -> float:
    from ..calc import parse_overhead

    return parse_overhead(v)


def _chips(v: str) -> int:
    from ..calc import parse_chips

    return parse_chips(v)


def _bounded(v: str, what: str, lo: float, lo_open: bool) -> float:
    from ..units import parse_bounded

    return parse_bounded(v, what=what, lo=lo, lo_open=lo_open)


def _date(v: str) -> _dt.date:
    from ..errors import InputError

    try:
        return _dt.date.fromisoformat(v.strip())
    except ValueError:
        raise InputError(f"date {v[:30]!r} is not a date: use YYYY-MM-DD, e.g. 2024-06-01") from None


FLOP = quantity("flop", "FLOP", what="FLOP")
PEAK = quantity("flop_rate", "FLOP/S", what="peak")
PRICE = quantity("price", "USD/HOUR", allow_zero=True, what="price")
USD = quantity("usd", "USD", what="amount")
DAYS = quantity("time", "DAYS", what="days")
EFFICIENCY = _Parsed("FRACTION", _efficiency)
OVERHEAD = _Parsed("FACTOR", _overhead)
CHIPS = _Parsed("N", _chips)
DATE = _Parsed("DATE", _date)


def positive(what: str, name: str = "NUMBER") -> _Parsed:
    return _Parsed(name, lambda v: _bounded(v, what, 0, True))


def at_least(what: str, lo: float, name: str = "NUMBER") -> _Parsed:
    return _Parsed(name, lambda v: _bounded(v, what, lo, False))


FORMATS = click.Choice(["table", "json", "csv", "markdown"], case_sensitive=False)
