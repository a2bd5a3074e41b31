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


def _cents(x: float) -> str:
    """Dollars below $1,000: cents, or 2 significant figures below a cent (never '$0.00' for a non-zero amount)."""
    if x == 0:
        return "$0"
    if abs(x) < 0.005:  # would print as $0.00
        return ("-" if x < 0 else "") + "$" + sci_small(abs(x))
    return f"${x:,.2f}"


def sci_small(x: float, digits: int = 2) -> str:
    """A small positive amount to `digits` significant figures: 0.0042 -> '0.0042', 1.234e-9 -> '1.2e-9'."""
    if not math.isfinite(x) or x == 0:
        return str(x)
    if x >= 1e-4:
        decimals = digits - 1 - math.floor(math.log10(x))
        text = f"{x:.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return sci(x, digits - 1)


def money(x: float) -> str:
    """Dollars: 69444444 -> '$69.4M', 118708452 -> '$118.7M', 1.5 -> '$1.50', 0.0042 -> '$0.0042'."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    if abs(x) < 1000:
        return _cents(x)
    return "$" + human(x)


def plural(n: float, word: str, words: str | None = None) -> str:
    """'1 run', '2 runs', '0 runs' (words: the plural when it is not word + 's')."""
    one = n == 1
    count = f"{n:,}" if isinstance(n, int) else f"{n:g}"
    return f"{count} {word if one else (words or word + 's')}"


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


def sig(x: float, digits: int = 3) -> str:
    """A count to `digits` significant figures with a k/M/B/T suffix: 58312345 -> '58.3M', 1.18e8 -> '118M'."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    ax = abs(x)
    if ax >= 1e15 or 0 < ax < 0.01:
        return sci(x, digits - 1)
    for step, suffix in _STEPS + ((1.0, ""),):
        if ax >= step * 0.9995 or step == 1.0:
            v = float(f"{x / step:.{digits}g}")
            if abs(v) >= 1000 and suffix != "T":
                continue
            text = f"{v:.{max(digits - 1 - int(math.floor(math.log10(abs(v)))) if v else 0, 0)}f}"
            return text + suffix
    return f"{x:.{digits}g}"


def money_sig(x: float, digits: int = 3) -> str:
    """Dollars to `digits` significant figures: 70181348 -> '$70.2M'; below $1,000 with cents."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    if abs(x) < 1000:
        return _cents(x)
    return "$" + sig(x, digits)


def sci_against(x: float, lines: list[float] | tuple[float, ...] = (), digits: int = 3) -> str:
    """Scientific notation with enough digits that the text never lands on a line x is not on.

    3 significant figures by default; near a threshold (1e26 vs 9.9999e25) more digits are shown,
    so a table never prints '1e26' beside a verdict of 'not crossed'.
    """
    for line in lines:
        if line and abs(x - line) <= 1e-14 * abs(line):  # on the line (the verdict's tolerance, rules.REL_TOL)
            x = line
    for d in range(digits, 18):
        text = sci(x, d - 1)
        shown = float(text)
        if all((shown == line) == (x == line) and (shown > line) == (x > line) for line in lines):
            return text
    return repr(x)
