"""Which price a chip-hour is charged at: the default, a tier's latest, or the latest on a date."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._schema import first_day
from .errors import InputError
from .hardware import PRICE_TIERS, Profile
from .units import Q_

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["PriceChoice", "choose_price", "released_on"]


@dataclass(frozen=True)
class PriceChoice:
    """A price per chip-hour, its tier and date, and whether it stood in for the tier asked for."""

    price: Quantity
    tier: str | None
    date: str | None
    source: str
    fallback: bool = False
    note: str | None = None
    provider: str | None = None  # who quoted it, for a price from the dated history


def released_on(profile: Profile, day: _dt.date) -> bool:
    """Whether the chip was on the market on `day` (chips without a release date always are)."""
    return profile.released is None or first_day(profile.released) <= day


def choose_price(profile: Profile, *, tier: str | None = None, as_of: _dt.date | None = None) -> PriceChoice:
    """The price to use for `profile`: the default, or the latest of `tier`, or the latest on or before `as_of`.

    A tier the chip has no price in falls back to the default price (fallback=True, with a note).
    With `as_of`, the chip must have been released by then and have a dated price on or before it.
    """
    if tier is not None and tier not in PRICE_TIERS:
        raise InputError(f"price tier {tier[:30]!r} is not a tier; use one of {', '.join(PRICE_TIERS)}")
    default = PriceChoice(profile.price.to("USD/hour"), profile.price_tier, profile.price_date,
                          f"profile {profile.id} default price")
    if as_of is not None:
        if not released_on(profile, as_of):
            raise InputError(f"{profile.id} was not released until {profile.released}, after {as_of.isoformat()}: "
                             "choose another chip or date, or give --price")
        want = tier or profile.price_tier
        dated = [p for p in profile.prices if first_day(p.date) <= as_of]
        if not dated:
            if not profile.prices:
                raise InputError(f"{profile.id} has no dated prices: give --price")
            pick = profile.prices[0]  # the quote nearest the date asked, whatever its tier
            return PriceChoice(Q_(pick.usd_per_hour, "USD/hour"), pick.tier, pick.date, pick.provider or pick.source,
                               fallback=pick.tier != want,
                               note=f"{profile.id} has no price dated on or before {as_of.isoformat()}; used its "
                                    f"earliest dated {pick.tier} price ({pick.date}, {pick.provider or pick.source})")
        same = [p for p in dated if p.tier == want]
        pick = same[-1] if same else dated[-1]
        fallback = not same and tier is not None
        note = (f"{profile.id} has no {want} price on or before {as_of.isoformat()}; used its latest "
                f"{pick.tier} price ({pick.date})") if not same else None
        return PriceChoice(Q_(pick.usd_per_hour, "USD/hour"), pick.tier, pick.date,
                           pick.provider or pick.source, fallback=fallback, note=note, provider=pick.provider)
    if tier is None or tier == profile.price_tier:
        return default
    same = [p for p in profile.prices if p.tier == tier]
    if same:
        pick = same[-1]
        return PriceChoice(Q_(pick.usd_per_hour, "USD/hour"), pick.tier, pick.date, pick.provider or pick.source,
                           provider=pick.provider)
    return PriceChoice(default.price, default.tier, default.date, default.source, fallback=True,
                       note=f"{profile.id} has no {tier} price; used its default "
                            f"{profile.price_tier or 'untiered'} price")
