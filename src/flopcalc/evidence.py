"""What the evidence says about a chip's efficiency and price, and notes when defaults stray from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import FlopcalcError
from .fmt import money, pct
from .hardware import Profile

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["Evidence", "efficiency_evidence", "notes_for"]


@dataclass(frozen=True)
class Evidence:
    """A plausible efficiency range and where it comes from."""

    low: float
    high: float
    basis: str


_CALIBRATED: dict[tuple[str, str, str], object] = {}


def _calibrated(profile: Profile, precision: str):
    from .runs import calibrate

    key = (profile.id, profile.path, precision)
    if key not in _CALIBRATED:
        _CALIBRATED[key] = calibrate(profile, precision, runs=_bundled_runs(), hardware=None)
    return _CALIBRATED[key]


@lru_cache(maxsize=1)
def _bundled_runs():
    from .runs import load_runs

    return tuple(load_runs())


def efficiency_evidence(profile: Profile, precision: str) -> Evidence | None:
    """Known runs (`flopcalc calibrate`) when there are enough of them, else the profile's cited range."""
    from .runs import MIN_RUNS

    cal = None
    if profile.origin == "shipped":
        try:
            cal = _calibrated(profile, precision)
        except FlopcalcError:
            cal = None
    if cal is not None and cal.count >= MIN_RUNS:
        where = "" if cal.scope == "chip" else f" ({cal.scope})"
        return Evidence(cal.min, cal.max,
                        f"{cal.count} known runs{where}: flopcalc calibrate --gpu {profile.id} --precision {precision}")
    rng = profile.efficiency_range.get(precision)
    if rng is not None:
        return Evidence(rng[0], rng[1], f"profile {profile.id} efficiency_range (cited in its sources)")
    return None


def notes_for(profile: Profile, precision: str, *, efficiency: float, price: pint.Quantity,
              ev: Evidence | None, efficiency_given: bool, price_given: bool) -> list[str]:
    """Short notes when an assumption lies outside what the evidence shows. They inform; they never override."""
    notes = []
    if ev is not None and not (ev.low - 1e-9 <= efficiency <= ev.high + 1e-9):
        side = "above" if efficiency > ev.high else "below"
        notes.append(
            f"{pct(efficiency)} efficiency is {side} the observed {profile.id.upper()} {precision} range "
            f"({pct(ev.low)}-{pct(ev.high)}; {ev.basis})"
        )
    if profile.price_range is not None:
        lo, hi = (float(q.to("USD/hour").magnitude) for q in profile.price_range)
        p = float(price.to("USD/hour").magnitude)
        if not lo - 1e-9 <= p <= hi + 1e-9:
            side = "above" if p > hi else "below"
            notes.append(f"{money(p)}/chip-hour is {side} the {profile.id} price range seen "
                         f"({money(lo)}-{money(hi)} per chip-hour)")
    return notes
