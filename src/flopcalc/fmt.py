"""Numbers for people: 34.7M, $69.4M, 1.0e26. Used by tables and --explain, never by JSON."""

from __future__ import annotations

import math

_STEPS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def human(x: float, *, decimals: int = 1) -> str:
    """A count with a k/M/B/T suffix and one decimal (34722222 -> '34.7M', 148385565 -> '148.4M')."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    ax = abs(x)
    if ax >= 1e15:
        return sci(x)
    for step, suffix in _STEPS:
        if ax >= step * (1 - 0.05 / 10**decimals):
            return f"{x / step:.{decimals}f}{suffix}"
    if ax >= 100 or ax == 0:
        return f"{x:,.0f}"
    if ax >= 0.01:
        return f"{x:.3g}"
    return sci(x)


def money(x: float) -> str:
    """Dollars: 69444444 -> '$69.4M', 118708452 -> '$118.7M', 1.5 -> '$1.50'."""
    if x is None:
        return "-"
    if abs(x) < 1000:
        return f"${x:,.2f}"
    return "$" + human(x)


def sci(x: float, digits: int = 2) -> str:
    """Scientific notation for FLOP: 1e26 -> '1e26', 3.79e25 -> '3.79e25'."""
    if x == 0:
        return "0"
    s = f"{x:.{digits}e}"
    mant, exp = s.split("e")
    mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
    return f"{mant}e{int(exp)}"


def pct(x: float) -> str:
    return f"{x * 100:.3g}%"


def grouped(x: float) -> str:
    """Full figure with thousands separators: 34722222.2 -> '34,722,222'."""
    return f"{x:,.0f}"
