"""The one unit registry, and the parsers that turn user text into checked quantities.

The registry is small on purpose: building pint's default registry costs ~130 ms of
start-up, this one ~3 ms. FLOP and USD are base dimensions of their own, so FLOP/s can
never silently become hertz and a price can never be added to a count.

How FLOP strings are read (tested in tests/test_units.py):
  FLOP, flop, FLOPs, flops  -> a count of floating-point operations ("FLOPs" is a plural)
  FLOP/s, FLOPS             -> a rate (FLOP per second); prefixes work: TFLOP/s, TFLOPS
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["registry", "Q_", "parse_number", "parse_bounded", "parse_quantity", "KINDS", "check_kind", "mag"]

_DEFINITIONS = """
quetta- = 1e30 = Q
ronna- = 1e27 = R
yotta- = 1e24 = Y
zetta- = 1e21 = Z
exa- = 1e18 = E
peta- = 1e15 = P
tera- = 1e12 = T
giga- = 1e9 = G
mega- = 1e6 = M
kilo- = 1e3 = k
milli- = 1e-3 = m
micro- = 1e-6 = u
kibi- = 2**10 = Ki
mebi- = 2**20 = Mi
gibi- = 2**30 = Gi
tebi- = 2**40 = Ti
second = [time] = s = sec
minute = 60 * second = min
hour = 60 * minute = h = hr
day = 24 * hour = d
week = 7 * day
year = 365.25 * day = yr
floating_point_operation = [flop] = FLOP = flop
FLOPS = FLOP / second
us_dollar = [currency] = USD = usd = dollar
watt = [power] = W
joule = watt * second = J
watt_hour = watt * hour = Wh
byte = [information] = B
gram_co2e = [emissions] = gCO2e
tonne_co2e = 1e6 * gram_co2e = tCO2e
percent = 0.01 = %
"""


# The command line sets this: pint imports numpy (~40-80 ms) whenever it can, only to support
# arrays, and a command computing a few scalars needs none. Library users keep numpy support.
SCALAR_ONLY = False


def _import_pint():
    import sys

    if not SCALAR_ONLY or "pint" in sys.modules or "numpy" in sys.modules:
        import pint

        return pint
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail inside pint
    try:
        import pint
    finally:
        del sys.modules["numpy"]
    return pint


@lru_cache(maxsize=None)
def registry() -> pint.UnitRegistry:
    """Build (once) and return flopcalc's unit registry."""
    pint = _import_pint()

    ureg = pint.UnitRegistry(None, cache_folder=None, on_redefinition="raise")
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    ureg.formatter.default_format = "~P"
    return ureg


def Q_(value: Any, unit: str = "") -> pint.Quantity:
    """Make a Quantity in flopcalc's registry."""
    return registry().Quantity(value, unit)


# What each kind of input means: dimensionality, the unit a bare number is read in,
# and how to describe what is accepted.
KINDS: dict[str, tuple[str, str, str]] = {
    "flop": ("FLOP", "FLOP", "a FLOP count such as 1e26, 10^26 or '100 YFLOP'"),
    "flop_rate": ("FLOP/s", "TFLOP/s", "a rate such as '2000 TFLOP/s' (a bare number means TFLOP/s)"),
    "price": ("USD/hour", "USD/hour", "a price per chip-hour such as '2.5 USD/hour' (a bare number means USD/hour)"),
    "usd": ("USD", "USD", "an amount of money such as 100e6, '$100M', '2.5B' or '100 MUSD'"),
    "power": ("W", "W", "a power such as '700 W'"),
    "memory": ("GB", "GB", "a memory size such as '80 GB'"),
    "time": ("day", "day", "a duration such as '90 day' (a bare number means days)"),
    "intensity": ("kgCO2e/kWh", "kgCO2e/kWh", "an emission intensity such as 0.4 (kgCO2e/kWh)"),
}

_NUMBER = r"[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_POWER = re.compile(
    rf"^(?:(?P<mant>{_NUMBER})\s*(?:[x*×·]\s*)?)?10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+)(?P<rest>.*)$"
)
_PLAIN = re.compile(rf"^(?P<num>{_NUMBER})(?P<rest>.*)$")
_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}
_SHOWN = 60


def _shown(text: str) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _split_number(text: str) -> tuple[float, str]:
    """Split '1.5e26 FLOP' / '10^26' / '3 x 10**25 FLOP' into (number, unit text)."""
    m = _POWER.match(text)
    if m:
        exp = int(m["exp"])
        if abs(exp) > 400:
            return math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0), m["rest"].strip()
        mant = Decimal(m["mant"].replace("_", "")) if m["mant"] else Decimal(1)
        return float(mant.scaleb(exp)), m["rest"].strip()
    m = _PLAIN.match(text)
    if m:
        return float(m["num"].replace("_", "")), m["rest"].strip()
    raise InputError(f"{_shown(text)} is not a number")


def parse_number(text: str | float | int, *, what: str = "value", accepted: str = "a number such as 1e26") -> float:
    """Read a plain finite number ('1e26', '10^26', '10**26'); reject units, NaN and infinity."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InputError(f"{what} {text!r} is not a number: expected {accepted}")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = str(text).strip()
        if s.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            raise InputError(f"{what} {_shown(s)} is not a finite number: expected {accepted}")
        try:
            value, rest = _split_number(s)
        except InputError:
            raise InputError(f"{what} {_shown(s)} is not a number: expected {accepted}") from None
        if rest:
            raise InputError(f"{what} {_shown(s)} must be a plain number, without a unit: expected {accepted}")
    if not math.isfinite(value):
        raise InputError(f"{what} {_shown(text)} is not a finite number: expected {accepted}")
    return value


def parse_bounded(value: Any, *, what: str, lo: float = 0.0, lo_open: bool = True) -> float:
    """A plain finite number above `lo` (or at least `lo` when not lo_open), else InputError."""
    if (lo, lo_open) == (0, True):
        accepted = "a number greater than zero"
    else:
        accepted = f"a number {'greater than' if lo_open else 'of at least'} {lo:g}"
    x = parse_number(value, what=what, accepted=accepted)
    if x < lo or (lo_open and x == lo):
        raise InputError(f"{what} {x:g} is out of range: expected {accepted}")
    return x


def check_kind(q: pint.Quantity, kind: str, *, what: str, text: object = None) -> pint.Quantity:
    """Raise InputError unless q has the dimensionality of `kind`."""
    dim_unit, _, accepted = KINDS[kind]
    ureg = registry()
    if q.dimensionality != ureg.parse_units(dim_unit).dimensionality:
        shown = _shown(text if text is not None else f"{q:~P}")
        hint = ""
        if kind == "flop_rate" and q.dimensionality == ureg.parse_units("FLOP").dimensionality:
            hint = " ('FLOPs' and 'FLOP' are counts; write 'TFLOP/s' or 'TFLOPS' for a rate)"
        raise InputError(f"{what} {shown} has the wrong unit: expected {accepted}{hint}")
    return q


def parse_quantity(
    text: str | float | int | pint.Quantity,
    kind: str,
    *,
    what: str = "value",
    allow_zero: bool = False,
) -> pint.Quantity:
    """Read user text as a finite, positive Quantity of the given kind, in its default unit if bare."""
    _, default_unit, accepted = KINDS[kind]
    ureg = registry()
    if isinstance(text, ureg.Quantity):
        q = text
        shown_text: object = f"{q:~P}"
    elif hasattr(text, "magnitude") and hasattr(text, "units"):
        raise InputError(f"{what} comes from another pint registry; use flopcalc.Q_ to build it")
    else:
        shown_text = text
        if isinstance(text, bool):
            raise InputError(f"{what} {text!r} is not a number: expected {accepted}")
        if isinstance(text, (int, float)):
            value, rest = float(text), ""
        else:
            s = str(text).strip()
            if not s:
                raise InputError(f"{what} is empty: expected {accepted}")
            if s.lower().lstrip("+-").split(" ")[0] in {"nan", "inf", "infinity"}:
                raise InputError(f"{what} {_shown(s)} is not a finite number: expected {accepted}")
            dollar = s.startswith("$") or s.startswith("-$") or s.startswith("+$")
            if dollar:
                s = s.replace("$", "", 1)
            try:
                value, rest = _split_number(s)
            except InputError:
                raise InputError(f"{what} {_shown(text)} is not a number: expected {accepted}") from None
            if kind == "usd" and rest in _SUFFIX:
                value, rest = value * _SUFFIX[rest], ""
            if dollar:
                if kind not in ("usd", "price"):
                    raise InputError(f"{what} {_shown(text)} is money: expected {accepted}")
                if kind == "usd" and rest:
                    raise InputError(f"{what} {_shown(text)}: after '$' use only k, M, B or T")
                if kind == "price" and rest:
                    rest = "USD " + rest if rest.startswith("/") else rest
        if not rest:
            rest = default_unit
        elif rest.startswith("/"):
            rest = ("USD" if kind == "price" else "FLOP") + rest
        try:
            unit = _units(rest)
        except Exception:  # pint raises several kinds for unknown or malformed units
            raise InputError(f"{what} {_shown(text)} has an unknown unit {_shown(rest)}: expected {accepted}") from None
        q = ureg.Quantity(value, unit)
    check_kind(q, kind, what=what, text=shown_text)
    m = float(q.magnitude)
    if not math.isfinite(m):
        raise InputError(f"{what} {_shown(shown_text)} is not a finite number: expected {accepted}")
    if m < 0 or (m == 0 and not allow_zero):
        sign = "negative" if m < 0 else "zero"
        need = "zero or more" if allow_zero else "greater than zero"
        raise InputError(f"{what} {_shown(shown_text)} is {sign}: it must be {need}")
    return q


@lru_cache(maxsize=512)
def _units(text: str):
    return registry().parse_units(text)


def mag(q: pint.Quantity, unit: str) -> float:
    """The magnitude of q in `unit`, as a float: for the JSON/CSV edge only."""
    return float(q.to(unit).magnitude)
