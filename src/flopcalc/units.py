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

from .errors import InputError, InputTypeError

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType
    from typing import TypeAlias

    import pint

    # pint's Quantity is generic in its magnitude (float, int, numpy array...): flopcalc's hold any of them.
    # The one name to annotate with everywhere (`from .units import Quantity` under TYPE_CHECKING).
    Quantity: TypeAlias = pint.Quantity[Any]

__all__ = ["registry", "Q_", "exact", "has_unit", "to_float", "parse_number", "parse_bounded", "parse_count", "parse_quantity",
           "KINDS", "SUFFIXES", "check_kind", "mag"]

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


def _import_pint() -> ModuleType:
    import sys

    if not SCALAR_ONLY or "pint" in sys.modules or "numpy" in sys.modules:
        import pint

        return pint
    modules: dict[str, Any] = sys.modules  # typeshed allows only modules as values; None is the documented block
    modules["numpy"] = None  # makes `import numpy` fail inside pint
    try:
        import pint
    finally:
        del sys.modules["numpy"]
    return pint


@lru_cache(maxsize=None)
def registry() -> pint.UnitRegistry[Any]:
    """Build (once) and return flopcalc's unit registry.

        >>> registry() is registry()
        True
        >>> registry().Quantity(1, "PFLOP/s").to("TFLOP/s").magnitude
        1000.0
    """
    pint_module = _import_pint()

    ureg: pint.UnitRegistry[Any] = pint_module.UnitRegistry(None, cache_folder=None, on_redefinition="raise")
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    ureg.formatter.default_format = "~P"
    # Unit text ("USD/hour", "FLOP") is parsed on every .to() and Quantity(); the result depends only on the
    # text, so parse each once (a table of 10,000 rows converts the same dozen units over and over).
    parse = ureg.parse_units_as_container
    ureg.parse_units_as_container = lru_cache(maxsize=512)(parse)  # type: ignore[method-assign]
    return ureg


def Q_(value: Any, unit: str = "") -> Quantity:
    """Make a Quantity in flopcalc's registry.

        >>> Q_(1.5, "kW").to("W").magnitude
        1500.0
    """
    return registry().Quantity(value, _units(unit) if unit else unit)  # unit text parsed once per process


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

_NUMBER = r"[+-]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_POWER = re.compile(
    rf"^(?:(?P<mant>{_NUMBER})\s*(?:[x*×·]\s*)?)?10\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d+)(?P<rest>.*)$"
)
_PLAIN = re.compile(rf"^(?P<num>{_NUMBER})(?P<rest>.*)$")
# Suffixes for counts and money, defined once (README "Numbers as people write them"):
# k/K thousand, M million (never "thousand", never mega-bytes), B/b/bn billion (a count is
# never bytes), T/t trillion. Lower-case m is refused: milli or million is anyone's guess.
SUFFIXES = {"k": 3, "K": 3, "M": 6, "B": 9, "b": 9, "bn": 9, "G": 9, "T": 12, "t": 12}
_SHOWN = 60
_MAX_EXP = 400


def _shown(text: object) -> str:
    from .text import clean

    text = " ".join(clean(str(text)).split())
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _decimal(text: str) -> Decimal:
    t = text.replace("_", "")
    if "," in t:  # thousands separators only: 16,384 but not 1,5
        if not re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?", t):
            raise InputError(f"{_shown(text)} is not a number")
        t = t.replace(",", "")
    d = Decimal(t)
    if abs(d.adjusted()) > _MAX_EXP:
        raise InputError(f"{_shown(text)} is out of range")
    return d


def _split_number(text: str) -> tuple[Decimal, str]:
    """Split '1.5e26 FLOP' / '10^26' / '3 x 10**25 FLOP' into (exact number, unit text)."""
    m = _POWER.match(text)
    if m:
        exp = int(m["exp"])
        if abs(exp) > _MAX_EXP:
            raise InputError(f"{_shown(text)} is out of range")
        mant = _decimal(m["mant"]) if m["mant"] else Decimal(1)
        return mant.scaleb(exp), m["rest"].strip()
    m = _PLAIN.match(text)
    if m:
        return _decimal(m["num"]), m["rest"].strip()
    raise InputError(f"{_shown(text)} is not a number")


def has_unit(value: Any) -> bool:
    """Whether text carries a unit (or a '$') after its number: '700 W' yes; 700, '1e26' and '10^26' no."""
    if not isinstance(value, str):
        return False
    s = value.strip()
    if s.startswith(("$", "-$", "+$")):
        return True
    try:
        return bool(_split_number(s)[1])
    except InputError:
        return True  # not a number at all: let the parser name the problem


def exact(value: Any, *, what: str = "value", accepted: str = "a number such as 1e26") -> Decimal:
    """A finite number given as text, int, float, Decimal, Fraction or numpy scalar, as an exact Decimal.

    Text is read exactly ('0.1' is one tenth, not the nearest float); other numbers keep their
    exact binary value. Units, NaN and infinity are refused with InputError.
    """
    import numbers
    from fractions import Fraction

    if isinstance(value, bool) or value is None:
        raise InputTypeError(f"{what} {value!r} is not a number: expected {accepted}")
    if isinstance(value, str):
        s = value.strip()
        if not s:
            raise InputError(f"{what} is empty: expected {accepted}")
        if s.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            raise InputError(f"{what} {_shown(s)} is not a finite number: expected {accepted}")
        try:
            d, rest = _split_number(s)
        except InputError:
            raise InputError(f"{what} {_shown(s)} is not a number: expected {accepted}") from None
        if rest:
            raise InputError(f"{what} {_shown(s)} must be a plain number, without a unit: expected {accepted}")
        return d
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        if abs(value) >= 10**_MAX_EXP:
            raise InputError(f"{what} has {len(str(abs(value)))} digits: out of range, expected {accepted}")
        d = Decimal(value)
    elif isinstance(value, Fraction):
        if value.denominator == 1:
            return exact(value.numerator, what=what, accepted=accepted)
        d = Decimal(float(value)) if abs(value) < 10**_MAX_EXP else Decimal("Infinity")
    elif isinstance(value, float):
        d = Decimal(value)
    elif isinstance(value, numbers.Real) or type(value).__module__ == "numpy":
        try:
            f = float(value)  # numpy scalars and other real numbers
        except (TypeError, ValueError, OverflowError):
            raise InputTypeError(f"{what} {type(value).__name__} is not a number: expected {accepted}") from None
        d = Decimal(f)
    else:
        raise InputTypeError(f"{what} of type {type(value).__name__} is not a number: expected {accepted}")
    if not d.is_finite() or abs(d.adjusted()) > _MAX_EXP:
        raise InputError(f"{what} {_shown(value)} is not a finite number in range: expected {accepted}")
    return d


def to_float(d: Decimal, *, what: str = "value", text: object = None, accepted: str = "") -> float:
    """The float nearest to an exact number; InputError if it is too large to represent."""
    x = float(d)
    if not math.isfinite(x):
        raise InputError(f"{what} {_shown(text if text is not None else d)} is too large: expected {accepted}".rstrip(": "))
    return x


def parse_number(text: Any, *, what: str = "value", accepted: str = "a number such as 1e26") -> float:
    """Read a plain finite number ('1e26', '10^26', '10**26'); reject units, NaN and infinity."""
    return to_float(exact(text, what=what, accepted=accepted), what=what, text=text, accepted=accepted)


def parse_bounded(value: Any, *, what: str, lo: float = 0.0, lo_open: bool = True, hi: float | None = None,
                  hint: str = "") -> float:
    """A plain finite number above `lo` (or at least `lo` when not lo_open) and at most `hi`, else InputError.

    `hint` says why the upper bound is what it is (e.g. the unit people mistake for this one)."""
    if (lo, lo_open) == (0, True):
        accepted = "a number greater than zero"
    else:
        accepted = f"a number {'greater than' if lo_open else 'of at least'} {lo:g}"
    if hi is not None:
        accepted += f" and at most {hi:g}{hint}"
    x = parse_number(value, what=what, accepted=accepted)
    if x < lo or (lo_open and x == lo) or (hi is not None and x > hi):
        raise InputError(f"{what} {_shown(value)} is out of range: expected {accepted}")
    return x


def parse_count(value: Any, *, what: str = "count", integer: bool = False) -> Decimal:
    """A positive count as people write it: 400B, 1.8T, 15T, 16k, 1.5M, 2.5e25, 16,384.

    Suffixes (k, M, B/bn, T) are defined once in SUFFIXES; returns the exact value.
    """
    accepted = ("a whole number of at least 1, e.g. 16384 or 16k" if integer
                else "a positive number such as 405e9, 400B, 1.8T or 16k")
    if isinstance(value, str):
        s = value.strip()
        m = re.fullmatch(rf"({_NUMBER})\s*([A-Za-z]{{1,2}})", s)
        if m and m[2] in SUFFIXES:
            d = exact(m[1], what=what, accepted=accepted).scaleb(SUFFIXES[m[2]])
        elif m and not re.fullmatch(r"[eE]\d*", m[2]):
            raise InputError(f"{what} {_shown(s)} has an unknown suffix {m[2]!r}: expected {accepted} "
                             "(k thousand, M million, B billion, T trillion)")
        else:
            d = exact(s, what=what, accepted=accepted)
    else:
        d = exact(value, what=what, accepted=accepted)
    if d <= 0:
        raise InputError(f"{what} {_shown(value)} is {'zero' if d == 0 else 'negative'}: expected {accepted}")
    if integer and d != d.to_integral_value():
        raise InputError(f"{what} {_shown(value)} is not a whole number: expected {accepted}")
    to_float(d, what=what, text=value, accepted=accepted)
    return d


def check_kind(q: Quantity, kind: str, *, what: str, text: object = None) -> Quantity:
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
    text: Any,
    kind: str,
    *,
    what: str = "value",
    allow_zero: bool = False,
) -> Quantity:
    """Read user text as a finite, positive Quantity of the given kind, in its default unit if bare.

    Text is read exactly and converted to the kind's base unit with one rounding, so
    '0.1 YFLOP' is the same float as '1e23'. The result is in the base unit (FLOP, FLOP/s,
    USD, USD/hour, W, B, day, kgCO2e/kWh).

        >>> parse_quantity("100 YFLOP", "flop").magnitude
        1e+26
        >>> parse_quantity("$2.50/hour", "price").to("USD/hour").magnitude
        2.5
        >>> parse_quantity("90", "time", what="days").to("day").magnitude
        90.0
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise InputError(f"kind {_shown(kind)} is not a kind of quantity: expected one of {', '.join(KINDS)}")
    dim_unit, default_unit, accepted = KINDS[kind]
    ureg = registry()
    if isinstance(text, ureg.Quantity):
        q = text
        check_kind(q, kind, what=what, text=f"{q:~P}")
        value = exact(q.magnitude, what=what, accepted=accepted)
        unit_text = str(q.units)
        shown_text: object = f"{q:~P}"
        unit = q.units
    elif hasattr(text, "magnitude") and hasattr(text, "units"):
        raise InputTypeError(f"{what} comes from another pint registry; use flopcalc.Q_ to build it")
    else:
        shown_text = text
        if not isinstance(text, str):
            value, rest = exact(text, what=what, accepted=accepted), ""
        else:
            s = text.strip()
            if not s:
                raise InputError(f"{what} is empty: expected {accepted}")
            if s.lower().lstrip("+-").split(" ")[0] in {"nan", "inf", "infinity"}:
                raise InputError(f"{what} {_shown(s)} is not a finite number: expected {accepted}")
            dollar = s.startswith(("$", "-$", "+$"))
            if dollar:
                s = s.replace("$", "", 1)
            try:
                value, rest = _split_number(s)
            except InputError:
                raise InputError(f"{what} {_shown(text)} is not a number: expected {accepted}") from None
            if kind in ("usd", "price") and rest in SUFFIXES:
                value, rest = value.scaleb(SUFFIXES[rest]), ""
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
        unit_text = rest
        check_kind(ureg.Quantity(1.0, unit), kind, what=what, text=shown_text)
    if kind in ("flop", "flop_rate") and any(_SUBUNIT_FLOP.search(str(k)) for k in getattr(unit, "_units", {})):
        raise InputError(f"{what} {_shown(shown_text)} counts fractions of an operation (a milli- or micro- prefix "
                         f"on FLOP): a prefix below one is refused; expected {accepted}")
    if value < 0 or (value == 0 and not allow_zero):
        sign = "negative" if value < 0 else "zero"
        need = "zero or more" if allow_zero else "greater than zero"
        raise InputError(f"{what} {_shown(shown_text)} is {sign}: it must be {need}")
    base = _base_unit(dim_unit)
    factor = _factor(str(unit), base)
    magnitude = to_float(value * factor, what=what, text=shown_text, accepted=accepted)
    if magnitude == 0 and value != 0:
        raise InputError(f"{what} {_shown(shown_text)} is too small to represent: expected {accepted}")
    del unit_text
    return ureg.Quantity(magnitude, base)


# A prefix below one on the operation itself (mFLOP, uFLOP/s): no one counts fractions of an operation, and
# 'm' read as milli where million was meant is off by 10^9.
_SUBUNIT_FLOP = re.compile(r"\b(?:milli|micro)floating_point_operation\b")

_BASE = {"FLOP": "FLOP", "FLOP/s": "FLOP/s", "USD/hour": "USD/hour", "USD": "USD", "W": "W", "GB": "B",
         "day": "s", "kgCO2e/kWh": "kgCO2e/kWh"}


def _base_unit(dim_unit: str) -> str:
    return _BASE[dim_unit]


@lru_cache(maxsize=512)
def _factor(unit: str, base: str) -> Decimal:
    """How many `base` one `unit` is, as an exact decimal of pint's (power-of-ten) factor."""
    return Decimal(repr(float(registry().Quantity(1.0, unit).to(base).magnitude)))


@lru_cache(maxsize=512)
def _units(text: str) -> pint.Unit:
    return registry().parse_units(text)


_CONVERSIONS: dict[tuple[Any, str], float] = {}


def mag(q: Quantity, unit: str) -> float:
    """The magnitude of q in `unit`, as a float: for the JSON/CSV edge only.

    flopcalc's units are all multiplicative, so the conversion factor of each (units, target) pair is
    found once by pint and reused: the same product pint computes, without re-parsing the unit text.
    """
    key = (q._units, unit)
    factor = _CONVERSIONS.get(key)
    if factor is None:
        factor = float(registry().Quantity(1.0, q.units).to(unit).magnitude)
        if len(_CONVERSIONS) < 4096:
            _CONVERSIONS[key] = factor
    m = q.magnitude
    return float(m) if factor == 1.0 else float(m * factor)
