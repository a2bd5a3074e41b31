"""Which price a chip-hour is charged at: the profile's default, or a tier's price on a date.

A tier's price on a date (docs/pricing.md):

- the median of that tier's quotes dated in the 12 months up to the date (the profile's dated
  default price counts as one quote of its tier), with the count, range and providers;
- with no quote in that window, the latest earlier quote of the tier if it is at most 24 months
  old, with a note;
- past the data's date (the profile's `data_as_of`), the price on that date: prices are not
  projected (`trend` projects), and a note says so;
- quotes dated before the chip's release are ignored.

Hyperscaler and neocloud quotes are separate tiers. A 0.2 tier name ('contract-1yr') given by a
user means the chip's neocloud tier of that name if it has quotes there, else its hyperscaler one.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ._schema import first_day
from .errors import InputError
from .hardware import LEGACY_TIERS, PRICE_TIERS, PricePoint, Profile
from .units import Q_

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = [
    "ON_DEMAND_TIERS",
    "STALE_MONTHS",
    "WINDOW_MONTHS",
    "PriceChoice",
    "check_released",
    "choose_price",
    "on_demand_tier",
    "quotes",
    "released_on",
    "resolve_tier",
    "tier_price_on",
]

WINDOW_MONTHS = 12  # a tier's price on a date: the median of its quotes in this many months up to the date
STALE_MONTHS = 24  # with none in the window, the latest earlier quote if it is at most this old


@dataclass(frozen=True)
class PriceChoice:
    """A price per chip-hour, where it comes from, and whether it stood in for the tier asked for."""

    price: Quantity
    tier: str | None
    date: str | None
    source: str
    fallback: bool = False
    note: str | None = None
    provider: str | None = None  # who quoted it (one quote), or "median of N quotes"
    rule: str = "default"  # default | median | latest-earlier | given
    count: int = 1  # quotes behind the price
    low: float | None = None  # the range of those quotes, USD per chip-hour
    high: float | None = None
    providers: tuple[str, ...] = ()
    window: tuple[str, str] | None = None  # the dates the quotes were taken from
    quotes: tuple[PricePoint, ...] = ()  # the quotes behind the price (for a price on a date)

    @property
    def description(self) -> str:
        """The price's basis in words: 'median of 3 neocloud-on-demand quotes 2025-12-06..2026-12-06 ($2.45-$3.78)'."""
        if self.rule == "median" and self.window is not None:
            rng = "" if self.low == self.high else f", ${self.low:.2f}-${self.high:.2f}"
            return (f"median of {self.count} {self.tier} quote{'s' if self.count != 1 else ''} "
                    f"{self.window[0]}..{self.window[1]}{rng}")
        if self.rule == "latest-earlier":
            return f"latest {self.tier} quote ({self.date}, {self.provider or self.source})"
        if self.rule == "given":
            return "given"
        return f"profile default ({self.tier or 'untiered'}{', ' + self.date if self.date else ''})"


def released_on(profile: Profile, day: _dt.date) -> bool:
    """Whether the chip was on the market on `day` (chips without a release date always are)."""
    return profile.released is None or first_day(profile.released) <= day


def check_released(profile: Profile, day: _dt.date) -> None:
    """Refuse a chip that was not yet released on `day`, naming its release date."""
    if not released_on(profile, day):
        raise InputError(f"{profile.id} was not released until {profile.released}, after {day.isoformat()}: "
                         "choose another chip or a later date")


def newest_released(profiles: Iterable[Profile], day: _dt.date) -> Profile | None:
    """The most recently released chip on the market on `day` that has dated prices (to price a run whose chip
    is not given), or None."""
    ready = [p for p in profiles if p.released and released_on(p, day) and p.prices]
    return max(ready, key=lambda p: (first_day(p.released or "1900"), p.id), default=None)


def _months_before(day: _dt.date, months: int) -> _dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return _dt.date(y, m + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def quotes(profile: Profile) -> list[PricePoint]:
    """The profile's dated quotes on or after its release, oldest first, with its dated default price as one more
    (unless that default is an estimate: an estimate is not a quote)."""
    out = [p for p in profile.prices if released_on(profile, first_day(p.date))]
    if profile.price_tier is not None and profile.price_date is not None and not profile.price_is_estimate and released_on(
            profile, first_day(profile.price_date)):
        out.append(PricePoint(usd_per_hour=float(profile.price.to("USD/hour").magnitude), tier=profile.price_tier,
                              date=profile.price_date, source=f"profile {profile.id} default price",
                              provider="profile default"))
    return sorted(out, key=lambda p: first_day(p.date))


def resolve_tier(profile: Profile, tier: str | None) -> str | None:
    """A tier name as the chip's data spell it (a 0.2 name picks the market the chip has quotes in)."""
    if tier is None:
        return None
    tier = tier.strip().lower()
    if tier in LEGACY_TIERS:
        have = {p.tier for p in profile.prices} | set(profile.price_ranges) | {profile.price_tier}
        return f"neocloud-{tier}" if f"neocloud-{tier}" in have or f"hyperscaler-{tier}" not in have \
            else f"hyperscaler-{tier}"
    if tier not in PRICE_TIERS:
        raise InputError(f"price tier {tier[:30]!r} is not a tier; use one of {', '.join(PRICE_TIERS)}")
    return tier


ON_DEMAND_TIERS = ("neocloud-on-demand", "hyperscaler-on-demand")  # one basis for comparing chips, in order


def on_demand_tier(profile: Profile) -> str:
    """The chip's on-demand tier for comparing chips on one basis: neocloud where quoted, else hyperscaler."""
    have = {p.tier for p in profile.prices} | {profile.price_tier}
    return next((t for t in ON_DEMAND_TIERS if t in have), ON_DEMAND_TIERS[0])


def tier_price_on(profile: Profile, tier: str, day: _dt.date) -> PriceChoice | None:
    """The tier's price on `day` by the median-of-window rule, or None if the tier has no usable quote."""
    mine = [q for q in quotes(profile) if q.tier == tier and first_day(q.date) <= day]
    start = _months_before(day, WINDOW_MONTHS)
    window = [q for q in mine if first_day(q.date) >= start]
    if window:
        values = [q.usd_per_hour for q in window]
        providers = tuple(dict.fromkeys(q.provider or q.source for q in window))
        one = window[0] if len(window) == 1 else None
        return PriceChoice(Q_(statistics.median(values), "USD/hour"), tier, window[-1].date,
                           one.source if one else f"{len(window)} dated {tier} quotes", rule="median",
                           count=len(window), low=min(values), high=max(values), providers=providers,
                           provider=one.provider if one else f"median of {len(window)} quotes",
                           window=(start.isoformat(), day.isoformat()), quotes=tuple(window))
    if mine and first_day(mine[-1].date) >= _months_before(day, STALE_MONTHS):
        q = mine[-1]
        return PriceChoice(Q_(q.usd_per_hour, "USD/hour"), tier, q.date, q.provider or q.source, rule="latest-earlier",
                           provider=q.provider, low=q.usd_per_hour, high=q.usd_per_hour,
                           providers=(q.provider or q.source,), quotes=(q,),
                           note=f"{profile.id} has no {tier} quote in the {WINDOW_MONTHS} months to {day.isoformat()}; "
                                f"used its latest earlier one ({q.date}, {q.provider or q.source})")
    return None


def choose_price(profile: Profile, *, tier: str | None = None, as_of: _dt.date | None = None) -> PriceChoice:
    """The price to use for `profile`: its default (no tier, no date), or a tier's price on a date.

    Without `as_of`, the default tier keeps the profile's default price (the essay-style assumption)
    and another tier is priced on today's date. With `as_of`, the chip must have been released by
    then. A tier with no usable quote falls back to the chip's default tier on the date (fallback=True,
    with a note); a date before any quote takes the earliest one, with a note.
    """
    want = resolve_tier(profile, tier)
    default_tier = profile.price_tier
    if as_of is None and (want is None or want == default_tier):
        return PriceChoice(profile.price.to("USD/hour"), default_tier, profile.price_date,
                           f"profile {profile.id} default price", rule="default")
    day = as_of if as_of is not None else _dt.date.today()
    if as_of is not None:
        check_released(profile, as_of)
    notes: list[str] = []
    last = first_day(profile.data_as_of) if profile.data_as_of else None
    if last is not None and day > last:
        notes.append(f"prices are not projected: {day.isoformat()} is after the price data's date "
                     f"({profile.data_as_of}), so this is the price on that date ('flopcalc trend' projects)")
        day = last
    asked = want or default_tier
    found = tier_price_on(profile, asked, day) if asked else None
    fallback = False
    if found is None and default_tier is not None and asked != default_tier:
        found = tier_price_on(profile, default_tier, day)
        fallback = found is not None
        if fallback:
            notes.append(f"{profile.id} has no {asked} quote within {STALE_MONTHS} months of {day.isoformat()}; "
                         f"used its {default_tier} price")
    if found is None:
        usable = [q for q in quotes(profile)]
        earlier = [q for q in usable if first_day(q.date) <= day]
        if earlier:
            q = earlier[-1]
            note = f"{profile.id} has no {asked or 'default-tier'} quote within {STALE_MONTHS} months of " \
                   f"{day.isoformat()}; used its latest earlier quote ({q.tier}, {q.date})"
        elif usable:
            q = usable[0]
            note = f"{profile.id} has no price dated on or before {day.isoformat()}; used its earliest dated " \
                   f"{q.tier} price ({q.date}, {q.provider or q.source})"
        else:  # a chip never quoted (a user's own, say): its default price, said so
            why = f"no {asked} price" if as_of is None else f"no dated price on or before {day.isoformat()}"
            return PriceChoice(profile.price.to("USD/hour"), default_tier, profile.price_date,
                               f"profile {profile.id} default price", fallback=want is not None, rule="default",
                               note=f"{profile.id} has {why}; used its default {default_tier or 'untiered'} price")
        fallback = q.tier != asked
        found = PriceChoice(Q_(q.usd_per_hour, "USD/hour"), q.tier, q.date, q.provider or q.source,
                            rule="latest-earlier", provider=q.provider, low=q.usd_per_hour, high=q.usd_per_hour,
                            providers=(q.provider or q.source,))
        notes.append(note)
    elif found.note:
        notes.append(found.note)
    from dataclasses import replace

    return replace(found, fallback=fallback or found.fallback, note="; ".join(notes) or None)
