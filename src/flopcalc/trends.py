"""Is the line getting cheaper? What a FLOP figure costs in each year, observed and projected.

For each year and each FLOP figure: the cheapest way to buy that compute with chips released by
then, each at its price on the year's last day (flopcalc.pricing's rule: the median of its quotes
in the 12 months to the day, else its latest earlier quote if at most 24 months old, so a year
without a new quote keeps last year's chips), and the all-in efficiency known runs imply (with its
90% interval). Years in which no chip has a price are projected from the nearest priced year at
Epoch AI's measured decline in price per FLOP. The method, and why, is in docs/trend-method.md.

    >>> rows = trend([1e25], start=2024, end=2024, gpus=["h100"])
    >>> rows[0].gpu, rows[0].price_tier, rows[0].projected
    ('h100', 'neocloud-on-demand', False)
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import calc
from ._schema import first_day
from .errors import FlopcalcError, InputError, InputTypeError
from .evidence import EfficiencyInterval, default_model
from .hardware import (
    LEGACY_TIERS,
    PRICE_TIERS,
    HardwareDB,
    PricePoint,
    Profile,
    default_db,
    resolve,
)
from .rows import Tabular
from .units import Q_, mag, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = [
    "DEFAULT_START",
    "EPOCH_URL",
    "HORIZON_YEARS",
    "MAX_YEAR",
    "MAX_YEARS",
    "MIN_YEAR",
    "ON_DEMAND",
    "RATE_BAND",
    "RATE_OOM_PER_YEAR",
    "TREND_BASES",
    "YEARS_AHEAD",
    "TrendRow",
    "horizon",
    "method_lines",
    "parse_year",
    "price_sources",
    "release_year",
    "trend",
]

# Epoch AI (Hobbhahn and Besiroglu 2022), "Trends in GPU price-performance": FLOP/s per dollar of
# GPUs used in ML doubles every 2.07 years (95% CI 1.54-3.13), i.e. 0.146 OOM/year (0.096-0.195).
RATE_OOM_PER_YEAR = 0.14
RATE_BAND = (0.10, 0.19)
EPOCH_URL = "https://epoch.ai/blog/trends-in-gpu-price-performance"
ON_DEMAND = "on-demand"
ON_DEMAND_TIERS = ("neocloud-on-demand", "hyperscaler-on-demand")  # in order of preference
DEFAULT_START = 2020
YEARS_AHEAD = 4
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_YEARS = 100
# Projections stop this many years past the price data (the newest `data_as_of` of the profiles): the
# 0.14 OOM/year trend is measured over about a decade of GPUs, and is not a forecast beyond one.
HORIZON_YEARS = 10
LEVEL = 0.90
_LN10 = math.log(10)


@dataclass(frozen=True)
class TrendRow(Tabular):
    """One year and one FLOP figure: the cheapest chip then, its price, chip-hours and cost (90% interval).

    Plain numbers in base units (FLOP, chip-hours, USD, USD per chip-hour), as in the JSON output;
    `cost`, `cost_low`, `cost_high` and `price` give them back as pint Quantities.
    """

    year: int
    flop: float
    gpu: str
    price_usd_per_chip_hour: float  # for a projected row: the projected price
    price_date: str  # the date of the dated quote (for a projected row: the quote it is projected from)
    price_tier: str
    projected: bool
    chip_hours: float
    cost_usd: float
    cost_usd_low: float
    cost_usd_high: float
    chip_hours_low: float
    chip_hours_high: float
    gpu_name: str
    precision: str
    peak_flop_per_s: float
    evidence_efficiency: float
    evidence_efficiency_low: float
    evidence_efficiency_high: float
    efficiency_basis: str  # "runs" (all-in, from known runs), "class" (runs of the class) or "cited" (MFU range)
    anchor_year: int  # the year of the dated price (the row's own year when not projected)
    anchor_price_usd_per_chip_hour: float
    price_source: str
    price_url: str | None
    price_quotes: int  # the quotes whose median is the price (one, for a carried quote)
    hardware_data_as_of: str | None = None
    price_on: str | None = None  # the date the price is the tier's price on: the anchor year's last day
    price_rule: str = "median"  # "median" (of the quotes in the 12 months to price_on) or "latest-earlier"
    # --dollars / --basis (docs/cost-bases.md); None unless asked for.
    dollars: str | None = None  # e.g. "2026-01 USD (PPI PCU518210518210)"; money fields are in these dollars
    nominal_month: str | None = None  # the month the row's nominal dollars are of (its price day's month)
    inflation_factor: float | None = None  # PPI(dollars month) / PPI(nominal_month)
    cost_usd_nominal: float | None = None
    basis: str | None = None
    start: str | None = None  # the amortized run's start: the year's last day
    amortized_cost_usd: float | None = None
    amortized_cost_usd_low: float | None = None
    amortized_cost_usd_high: float | None = None
    amortized_note: str | None = None
    rate_oom_per_year: float = RATE_OOM_PER_YEAR
    rate_oom_per_year_low: float = RATE_BAND[0]
    rate_oom_per_year_high: float = RATE_BAND[1]
    level: float = LEVEL

    @property
    def years_projected(self) -> int:
        """Years from the dated price to this row (negative: projected backwards)."""
        return self.year - self.anchor_year

    @property
    def cost(self) -> Quantity:
        return Q_(self.cost_usd, "USD")

    @property
    def cost_low(self) -> Quantity:
        return Q_(self.cost_usd_low, "USD")

    @property
    def cost_high(self) -> Quantity:
        return Q_(self.cost_usd_high, "USD")

    @property
    def price(self) -> Quantity:
        return Q_(self.price_usd_per_chip_hour, "USD/hour")

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (flopcalc trend --format json)."""
        from .datadates import data_as_of

        return {
            "year": self.year,
            "flop": self.flop,
            "gpu": self.gpu,
            "price_usd_per_chip_hour": self.price_usd_per_chip_hour,
            "price_date": self.price_date,
            "price_tier": self.price_tier,
            "projected": self.projected,
            "chip_hours": self.chip_hours,
            "cost_usd": self.cost_usd,
            "cost_usd_low": self.cost_usd_low,
            "cost_usd_high": self.cost_usd_high,
            "range_level": self.level,
            "chip_hours_low": self.chip_hours_low,
            "chip_hours_high": self.chip_hours_high,
            "gpu_name": self.gpu_name,
            "precision": self.precision,
            "peak_flop_per_s": self.peak_flop_per_s,
            "evidence_efficiency": self.evidence_efficiency,
            "evidence_efficiency_low": self.evidence_efficiency_low,
            "evidence_efficiency_high": self.evidence_efficiency_high,
            "efficiency_kind": "all-in" if self.efficiency_basis in ("runs", "class") else "mfu",
            "efficiency_basis": self.efficiency_basis,
            "anchor_year": self.anchor_year,
            "anchor_price_usd_per_chip_hour": self.anchor_price_usd_per_chip_hour,
            "years_projected": self.years_projected,
            "rate_oom_per_year": self.rate_oom_per_year if self.projected else None,
            "rate_oom_per_year_low": self.rate_oom_per_year_low if self.projected else None,
            "rate_oom_per_year_high": self.rate_oom_per_year_high if self.projected else None,
            "price_source": self.price_source,
            "price_url": self.price_url,
            "price_quotes": self.price_quotes,
            "price_on": self.price_on,
            "price_rule": self.price_rule,
            "price_carried": self.price_rule == "latest-earlier",
            "data_as_of": data_as_of(self.hardware_data_as_of),
            **({} if self.dollars is None and self.basis in (None, "rental") else {
                "rental_cost_usd": self.cost_usd, "rental_cost_usd_low": self.cost_usd_low,
                "rental_cost_usd_high": self.cost_usd_high}),
            **({} if self.dollars is None else {
                "dollars": self.dollars,
                "nominal_month": self.nominal_month, "inflation_factor": self.inflation_factor,
                "cost_usd_nominal": self.cost_usd_nominal}),
            **({} if self.basis is None or self.basis == "rental" else {
                "basis": self.basis, "start": self.start, "amortized_cost_usd": self.amortized_cost_usd,
                "amortized_cost_usd_low": self.amortized_cost_usd_low,
                "amortized_cost_usd_high": self.amortized_cost_usd_high, "amortized_note": self.amortized_note}),
        }

    def __repr__(self) -> str:
        mark = f", projected from {self.anchor_year}" if self.projected else ""
        return (f"TrendRow(year={self.year}, flop={self.flop:.3g}, gpu={self.gpu!r}, "
                f"cost_usd={self.cost_usd:.4g} [{self.cost_usd_low:.3g}-{self.cost_usd_high:.3g}]{mark})")


@dataclass(frozen=True)
class _YearPrice:
    """A chip's price in one year: its tier's price on the year's last day (pricing's rule)."""

    usd_per_hour: float
    tier: str
    date: str  # the latest quote the price rests on
    quotes: tuple[PricePoint, ...]  # the quotes whose median it is (one, for a carried quote)
    on: str  # the date it is the price on: the year's last day (or the data's date, in the data's year)
    rule: str  # "median" (quotes in the 12 months to `on`) or "latest-earlier" (carried, at most 24 months old)


@dataclass(frozen=True)
class _Chip:
    profile: Profile
    precision: str
    peak: Quantity
    interval: EfficiencyInterval
    released: int
    prices: dict[int, _YearPrice]
    at_scale: dict[float, EfficiencyInterval] = field(default_factory=dict, compare=False, repr=False)

    def interval_at(self, flop: float) -> EfficiencyInterval:
        """The evidence interval for a run of `flop` FLOP: the width depends on the run's scale, the centre does not
        (docs/evidence-method.md), so the chip chosen (by centre) is the same at every FLOP figure."""
        iv = self.at_scale.get(flop)
        if iv is None:
            iv = self.at_scale[flop] = default_model().interval(self.profile, self.precision, flop=flop)
        return iv

    def usd_per_flop(self, usd_per_hour: float) -> float:
        """Dollars per FLOP at the evidence centre: what 'cheapest' compares."""
        return usd_per_hour / (mag(self.peak, "FLOP/s") * float(self.interval.centre or 0) * 3600)


def parse_year(value: Any, *, what: str = "year") -> int:
    """A calendar year from MIN_YEAR to MAX_YEAR: an int or its digits ('2024')."""
    accepted = f"a whole year from {MIN_YEAR} to {MAX_YEAR}, e.g. 2024"
    shown = repr(value) if isinstance(value, str) else str(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    year: int | None = None
    if isinstance(value, bool):
        year = None
    elif isinstance(value, int):
        year = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
    if year is None:
        raise InputError(f"{what} {shown} is not a year: expected {accepted}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"{what} {shown} is out of range: expected {accepted}")
    return year


def _tier(price_tier: str | None) -> str | None:
    """None for the default (on-demand: neocloud where quoted, else hyperscaler), else one tier."""
    if price_tier is None:
        return None
    t = str(price_tier).strip().lower()
    if t == ON_DEMAND:
        return None
    if t not in PRICE_TIERS and t not in LEGACY_TIERS:
        raise InputError(f"price tier {str(price_tier)[:30]!r} is not a tier; use {ON_DEMAND} (the default) or one "
                         f"of {', '.join(PRICE_TIERS)} (or {', '.join(LEGACY_TIERS)}: neocloud where quoted, else "
                         "hyperscaler)")
    return t


def _tier_label(tier: str | None) -> str:
    return tier or f"{ON_DEMAND} (neocloud or hyperscaler)"


def release_year(profile: Profile) -> int | None:
    """The year a chip came on the market: `released`, else `year`, else None."""
    if profile.released:
        return int(profile.released[:4])
    return profile.year


def price_on(profile: Profile, tier: str, day: _dt.date) -> _YearPrice | None:
    """The tier's price on `day`, by flopcalc.pricing's one rule (the median of the tier's quotes in the 12 months
    to the day, else its latest earlier quote if at most 24 months old), or None."""
    from .pricing import tier_price_on

    c = tier_price_on(profile, tier, day)
    if c is None:
        return None
    return _YearPrice(float(c.price.to("USD/hour").magnitude), tier, c.date or day.isoformat(), c.quotes,
                      day.isoformat(), c.rule)


def _tiers_for(profile: Profile, tier: str | None) -> tuple[str, ...]:
    """The tiers a chip is priced in, in order of preference (neocloud before hyperscaler)."""
    if tier is None:
        return ON_DEMAND_TIERS
    if tier in LEGACY_TIERS:
        return (f"neocloud-{tier}", f"hyperscaler-{tier}")
    return (tier,)


def _year_prices(profile: Profile, tier: str | None, released: int | None) -> dict[int, _YearPrice]:
    """The chip's price in each year it has one: its price on the year's last day (in the year of the
    profile's data date, on that date: prices are not known past it, and later years are projected)."""
    from .pricing import quotes as dated_quotes

    tiers = _tiers_for(profile, tier)
    quotes = [q for q in dated_quotes(profile) if q.tier in tiers]
    if not quotes:
        return {}
    from .pricing import STALE_MONTHS

    last_data = first_day(profile.data_as_of) if profile.data_as_of else None
    y0 = first_day(quotes[0].date).year
    if released is not None:
        y0 = max(y0, released)
    y1 = first_day(quotes[-1].date).year + (STALE_MONTHS + 11) // 12
    if last_data is not None:
        y1 = min(y1, last_data.year)
    out: dict[int, _YearPrice] = {}
    for y in range(y0, y1 + 1):
        day = _dt.date(y, 12, 31)
        if last_data is not None and day > last_data:
            day = last_data
        for t in tiers:
            yp = price_on(profile, t, day)
            if yp is not None:
                out[y] = yp
                break
    return out


def _largest_run() -> str:
    """The scale beyond which the evidence interval's width is held (the largest run in evidence), as text."""
    fit = default_model().fits.get("16-bit")
    return f"{10 ** fit.scale_range[1]:.2g} FLOP" if fit is not None else "the largest run"


def _chips(profiles: Sequence[Profile], tier: str | None) -> tuple[list[_Chip], list[str]]:
    model = default_model()
    chips: list[_Chip] = []
    skipped: list[str] = []
    for prof in profiles:
        prec = prof.default_precision
        iv = model.interval(prof, prec)
        rel = release_year(prof)
        prices = _year_prices(prof, tier, rel)
        if iv.centre is None or not prices:
            skipped.append(f"{prof.id} (" + ("no efficiency estimate" if iv.centre is None
                                             else f"no dated {_tier_label(tier)} price") + ")")
            continue
        chips.append(_Chip(prof, prec, prof.peak[prec].to("FLOP/s"), iv, rel if rel is not None else min(prices),
                           prices))
    return chips, skipped


def _flops(flops: Any) -> list[Quantity]:
    if isinstance(flops, (str, bytes, int, float)) or hasattr(flops, "units"):
        flops = [flops]
    try:
        items = list(flops)
    except TypeError:
        items = [flops]
    out: list[Quantity] = []
    seen: set[float] = set()
    for f in items:
        q = parse_quantity(f, "flop", what="FLOP").to("FLOP")
        if mag(q, "FLOP") not in seen:
            seen.add(mag(q, "FLOP"))
            out.append(q)
    if not out:
        raise InputError("no FLOP figure given: expected one or more, e.g. 1e26")
    return out


def _pick(year: int, chips: list[_Chip], tier: str | None, given: bool) -> tuple[_Chip, int]:
    """The cheapest chip for `year` and the year of the dated price it is charged at."""
    live = [c for c in chips if c.released <= year]
    if not live:
        first = min(chips, key=lambda c: (c.released, first_day(c.profile.released or str(c.released)),
                                          c.profile.id))
        who = "none of the chips given" if given else "no chip"
        raise InputError(f"{who} with a dated {_tier_label(tier)} price was released by {year}: the first was "
                         f"{first.profile.id} ({first.profile.released or first.released}); start at "
                         f"{first.released} or later")
    if any(year in c.prices for c in live):
        anchor = year
    else:
        earlier = [y for c in live for y in c.prices if y < year]
        anchor = max(earlier) if earlier else min(y for c in live for y in c.prices)
    pool = [c for c in live if anchor in c.prices]
    best = min(pool, key=lambda c: (c.usd_per_flop(c.prices[anchor].usd_per_hour), c.profile.id))
    return best, anchor


def _row(year: int, flop: Quantity, chip: _Chip, anchor: int) -> TrendRow:
    iv = chip.interval_at(mag(flop, "FLOP"))
    yp = chip.prices[anchor]
    k = year - anchor
    factor = 10 ** (-RATE_OOM_PER_YEAR * k)
    price = Q_(yp.usd_per_hour * factor, "USD/hour")
    hours = calc.chip_hours(flop, chip.peak, float(iv.centre or 0))
    usd = mag(calc.dollars(hours, price), "USD")
    # the cost's low end comes with the efficiency's high end (held at 100% of peak if it would pass it), and back
    s_up, s_down = iv.log_up, iv.log_down
    if k == 0:
        down, up = s_up, s_down
    else:
        devs = [(RATE_OOM_PER_YEAR - r) * k * _LN10 for r in RATE_BAND]  # ln of cost at rate r over the point
        down = math.hypot(s_up, max(0.0, -min(devs)))
        up = math.hypot(s_down, max(0.0, max(devs)))
    ch = mag(hours, "hour")
    ch_lo, ch_hi = ch / math.exp(s_up), ch * math.exp(s_down)
    low, high = usd * math.exp(-down), usd * math.exp(up)
    if not (0 < low < usd < high < math.inf and 0 < ch_lo and ch_hi < math.inf):
        raise InputError(f"the cost of {mag(flop, 'FLOP'):.3g} FLOP in {year} comes out as {usd:.3g} USD "
                         f"({low:.3g}-{high:.3g}): the FLOP figure is too extreme for a finite, positive range")
    q0 = yp.quotes[0]
    if len(yp.quotes) == 1:
        source = f"{q0.provider}: {q0.source}" if q0.provider and q0.provider not in q0.source else q0.source
        if yp.rule == "latest-earlier":
            source = f"carried (no {yp.tier} quote in the 12 months to {yp.on}): {source}"
    else:
        source = f"median of {len(yp.quotes)} quotes: " + "; ".join(
            f"${q.usd_per_hour:g} {q.provider or q.source}" for q in yp.quotes)
    prof = chip.profile
    return TrendRow(
        year=year, flop=mag(flop, "FLOP"), gpu=prof.id, price_usd_per_chip_hour=mag(price, "USD/hour"),
        price_date=yp.date, price_tier=yp.tier, projected=k != 0, chip_hours=ch, cost_usd=usd,
        cost_usd_low=low, cost_usd_high=high, chip_hours_low=ch_lo,
        chip_hours_high=ch_hi, gpu_name=prof.name, precision=chip.precision,
        peak_flop_per_s=mag(chip.peak, "FLOP/s"), evidence_efficiency=float(iv.centre or 0),
        evidence_efficiency_low=float(iv.low or 0), evidence_efficiency_high=float(iv.high or 0),
        efficiency_basis=iv.basis, anchor_year=anchor, anchor_price_usd_per_chip_hour=yp.usd_per_hour,
        price_source=source, price_url=q0.url if len(yp.quotes) == 1 or len({q.url for q in yp.quotes}) == 1
        else None, price_quotes=len(yp.quotes), hardware_data_as_of=prof.data_as_of, price_on=yp.on,
        price_rule=yp.rule)


def trend(flops: Sequence[Any], *, start: int | None = None, end: int | None = None,
          gpus: Sequence[str | Profile] | None = None, price_tier: str | None = None,
          hardware: HardwareDB | None = None, dollars: Any = None, basis: str = "rental") -> list[TrendRow]:
    """The rows of iter_trend() as a list (see there).

        >>> rows = trend([1e25, 1e26], start=2024, end=2025, gpus=["h100"])
        >>> [(r.year, f"{r.flop:.0e}", r.gpu) for r in rows]
        [(2024, '1e+25', 'h100'), (2024, '1e+26', 'h100'), (2025, '1e+25', 'h100'), (2025, '1e+26', 'h100')]
    """
    return list(iter_trend(flops, start=start, end=end, gpus=gpus, price_tier=price_tier, hardware=hardware,
                           dollars=dollars, basis=basis))


def iter_trend(flops: Sequence[Any], *, start: int | None = None, end: int | None = None,
               gpus: Sequence[str | Profile] | None = None, price_tier: str | None = None,
               hardware: HardwareDB | None = None, dollars: Any = None, basis: str = "rental") -> Iterator[TrendRow]:
    """For each year from `start` to `end` and each FLOP figure: the cheapest chip released by then (or
    among `gpus`), at its price on the year's last day (carried up to 24 months), with the evidence efficiency and its 90% interval.

    Years with no dated price are projected from the nearest dated year (earlier if any, else later)
    at 0.14 orders of magnitude a year, the 0.10-0.19 band widening the interval. `price_tier`: one
    tier, or None / 'on-demand' (neocloud where quoted, else hyperscaler). Defaults: 2020 to this
    year + 4. Rows come year by year, FLOP figures in the order given.

    dollars ('YYYY-MM'): every dollar of a row in that month's dollars, by the producer price index
    PCU518210518210: cost x PPI(dollars) / PPI(the month of the row's price day, its year's last
    day; a month past the published index uses its last value). basis 'amortized' or 'all' adds
    amortized_cost_usd: the row's chip running that FLOP figure (its chip-hours and their 90%
    interval) from the year's last day, Epoch AI's way (flopcalc.cost_bases).

        >>> rows = trend([1e25, 1e26], start=2024, end=2025, gpus=["h100"])
        >>> [(r.year, f"{r.flop:.0e}", r.gpu) for r in rows]
        [(2024, '1e+25', 'h100'), (2024, '1e+26', 'h100'), (2025, '1e+25', 'h100'), (2025, '1e+26', 'h100')]
    """
    fs = _flops(flops)
    y0 = parse_year(start, what="start year") if start is not None else DEFAULT_START
    y1 = parse_year(end, what="end year") if end is not None else _dt.date.today().year + YEARS_AHEAD
    if y0 > y1:
        raise InputError(f"start year {y0} is after end year {y1}: the start (--from) must not be after the end (--to)")
    if y1 - y0 + 1 > MAX_YEARS:
        raise InputError(f"the years {y0}-{y1} span {y1 - y0 + 1} years: at most {MAX_YEARS} at once")
    if hardware is None or isinstance(hardware, HardwareDB):
        last = horizon(hardware)
        if y1 > last:
            raise InputError(f"end year {y1} is past the projection horizon, {last}: projections stop "
                             f"{HORIZON_YEARS} years after the price data (docs/trend-method.md)")
    tier = _tier(price_tier)
    if hardware is not None and not isinstance(hardware, HardwareDB):
        raise InputTypeError(f"hardware must be a HardwareDB (flopcalc.load_profiles()), not "
                             f"{type(hardware).__name__}")
    db = hardware if hardware is not None else default_db()
    if isinstance(gpus, (str, Profile)):
        gpus = [gpus]
    try:
        wanted = [] if gpus is None else list(gpus)
    except TypeError:
        raise InputTypeError(f"gpus must be a list of chip ids, not {type(gpus).__name__}") from None
    given = bool(wanted)
    profiles = list({p.id: p for p in (resolve(g, db) for g in wanted)}.values()) if given else db.all()
    chips, skipped = _chips(profiles, tier)
    if not chips:
        names = ", ".join(skipped[:6]) + (", ..." if len(skipped) > 6 else "")
        raise InputError(f"no chip can be priced over time: {names}; a trend needs dated quotes (`prices` in the "
                         f"profile), so choose another chip or --price-tier")
    b = _basis(basis)
    month = _dollars(dollars, y0)
    return _rows(y0, y1, fs, chips, tier, given, db, b, month)  # checked above; rows come as they are made


def _rows(y0: int, y1: int, fs: Sequence[Quantity], chips: Any, tier: str | None, given: bool, db: HardwareDB, b: str,
          month: Any) -> Iterator[TrendRow]:
    for year in range(y0, y1 + 1):
        chip, anchor = _pick(year, chips, tier, given)
        for f in fs:
            row = _row(year, f, chip, anchor)
            yield _on_bases(row, db, b, month) if month is not None or b != "rental" else row


def horizon(db: HardwareDB | None = None) -> int:
    """The last year a trend projects to: HORIZON_YEARS past the newest price data."""
    dates = [p.data_as_of for p in (db or default_db()).all() if p.data_as_of]
    last = max(int(d[:4]) for d in dates) if dates else _dt.date.today().year
    return last + HORIZON_YEARS


TREND_BASES = ("rental", "amortized", "all")


def _basis(basis: Any) -> str:
    s = basis.strip().lower() if isinstance(basis, str) else None
    if s not in TREND_BASES:
        shown = repr(basis) if isinstance(basis, str) else str(basis)
        extra = ": a trend has no cluster to buy" if s == "acquisition" else ""
        raise InputError(f"basis {shown[:40]} is not a trend basis{extra}: expected one of {', '.join(TREND_BASES)}")
    return s


def _dollars(dollars: Any, first_year: int) -> str | None:
    if dollars is None:
        return None
    import re

    text = dollars.strftime("%Y-%m") if isinstance(dollars, _dt.date) else dollars
    if not isinstance(text, str) or not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", text.strip()):
        shown = repr(dollars) if isinstance(dollars, str) else str(dollars)
        raise InputError(f"dollars month {shown[:40]} is not a month: expected YYYY-MM, e.g. 2026-01")
    from .cost_bases import PPI_SERIES, cost_data

    text = text.strip()
    first = min(cost_data().ppi)
    if text < first:
        raise InputError(f"dollars month {text} is before the {PPI_SERIES} price index starts: expected YYYY-MM "
                         f"from {first} on, e.g. 2026-01")
    if f"{first_year}-12" < first:
        raise InputError(f"start year {first_year} is before the {PPI_SERIES} price index starts ({first}): give "
                         f"--from {int(first[:4]) + 1} or later with --dollars")
    return text


def _on_bases(r: TrendRow, db: HardwareDB, basis: str, month: str | None) -> TrendRow:
    """The row in `month`'s dollars (if given), with the amortized cost (if asked)."""
    from dataclasses import replace

    from .cost_bases import PPI_SERIES, basis_costs, cost_data, ppi_month

    day = _dt.date.fromisoformat(r.price_on) if r.price_on and not r.projected else _dt.date(r.year, 12, 31)
    nominal = day.strftime("%Y-%m")
    out = replace(r, basis=basis)
    if month is not None:
        data = cost_data()
        f = data.ppi[ppi_month(month, data=data)] / data.ppi[ppi_month(nominal, data=data)]
        out = replace(out, dollars=f"{month} USD (PPI {PPI_SERIES})", nominal_month=nominal, inflation_factor=f,
                      cost_usd_nominal=r.cost_usd, cost_usd=r.cost_usd * f, cost_usd_low=r.cost_usd_low * f,
                      cost_usd_high=r.cost_usd_high * f, price_usd_per_chip_hour=r.price_usd_per_chip_hour * f)
    if basis != "rental":
        start = _dt.date(r.year, 12, 31)
        out = replace(out, start=start.isoformat())
        try:
            bc = basis_costs(db.get(r.gpu), Q_(r.chip_hours, "hour"), start, dollars=month,
                             chip_hours_low=Q_(r.chip_hours_low, "hour"), chip_hours_high=Q_(r.chip_hours_high, "hour"))
        except FlopcalcError as e:
            return replace(out, amortized_note=str(e))
        out = replace(out, amortized_cost_usd=mag(bc.amortized, "USD"),
                      amortized_cost_usd_low=mag(bc.amortized_low, "USD"),
                      amortized_cost_usd_high=mag(bc.amortized_high, "USD"),
                      amortized_note="; ".join(bc.notes) or None)
    return out


def price_sources(rows: Sequence[TrendRow]) -> list[str]:
    """One line per dated price the rows rest on: chip, date, tier, price, source and URL."""
    seen: dict[tuple[str, str, str], str] = {}
    for r in rows:
        key = (r.gpu, r.price_date, r.price_tier)
        if key not in seen:
            url = f" ({r.price_url})" if r.price_url else ""
            seen[key] = (f"{r.gpu} {r.price_date} {r.price_tier} ${r.anchor_price_usd_per_chip_hour:.2f}/h: "
                         f"{r.price_source}{url}")
    return list(seen.values())


def method_lines(rows: Sequence[TrendRow], *, tier: str | None = None, sources: bool = False) -> list[str]:
    """The method in a few sentences with its source (shown under the table); `sources` adds one line
    per dated price the rows rest on (price_sources)."""
    t = _tier(tier)
    which = (f"the {t} tier" if t else "on-demand prices: a chip's neocloud price where it has one, "
             "else its hyperscaler price")
    lines = [
        "cost = FLOP / (dense peak at the chip's default precision x all-in efficiency that known runs imply "
        "x 3600 s) x price per chip-hour; the 90% interval is the efficiency evidence's for a run of the row's FLOP "
        f"(narrower for larger runs, up to the largest run in evidence, {_largest_run()}, whose width larger runs "
        "keep; 'cited' = the profile's cited MFU range, not evidence from runs).",
        f"chip = the cheapest at that cost among chips released by that year with a price on its last day ({which}); "
        "a chip's price on a day is the median of its quotes in the 12 months to it, else its latest earlier quote "
        "if at most 24 months old (carried), so a year without a new quote keeps last year's chips.",
    ]
    if any(r.projected for r in rows):
        lines.append(
            f"projected = no chip had a price on that year's last day: the nearest earlier priced year's cheapest price "
            f"(before the first, the first's, backwards) moved at Epoch AI's measured decline in price per FLOP, "
            f"{RATE_OOM_PER_YEAR:g} orders of magnitude a year (x{10 ** -RATE_OOM_PER_YEAR:.2f} a year); its band "
            f"{RATE_BAND[0]:.2f}-{RATE_BAND[1]:.2f} (Hobbhahn and Besiroglu's 2.07-year doubling of FLOP/s per "
            f"dollar, 95% CI 1.54-3.13 years) widens the interval: {EPOCH_URL}")
    if sources:
        lines.append("Prices: the dated quotes the rows rest on (chip, date, tier, price, source):")
        lines += [f"  {line}" for line in price_sources(rows)]
    lines.append("Method and caveats: docs/trend-method.md.")
    return lines
