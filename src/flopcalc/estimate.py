"""One estimate, two answers: the assumption (essay-style, overridable) and what known runs imply.

This is the one layer that composes a hardware profile, the evidence (known runs) and the
user's assumptions into an estimate. `calc` does the arithmetic; `evidence` fits the runs;
this module decides which figure comes from where, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from . import calc
from . import energy as _energy
from .evidence import EfficiencyInterval, EvidenceModel, default_model
from .hardware import HardwareDB, Profile
from .inputs import (
    parse_precision,
)
from .pricing import PriceChoice
from .rows import Tabular
from .scenario import Scenario, scenario
from .units import Q_, mag, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt

    from .judgement import Measure
    from .units import Quantity

__all__ = ["RANGE_LEVEL", "BudgetResult", "CostResult", "DeliveredEvidence", "EvidenceEstimate", "assumption_label",
           "basis_notes", "budget", "budget_of", "cost", "cost_of", "cost_table", "delivered",
           "iter_cost_table"]

RANGE_LEVEL = 0.90


@dataclass(frozen=True)
class EvidenceEstimate:
    """What known runs on the chip (or its generation) imply, with a 90% interval."""

    basis: str  # "runs", "cited" or "none"
    efficiency_kind: str  # "all-in" or "mfu"
    efficiency: float | None
    efficiency_low: float | None
    efficiency_high: float | None
    chip_hours: Quantity | None
    chip_hours_low: Quantity | None
    chip_hours_high: Quantity | None
    price: Quantity
    price_low: Quantity
    price_high: Quantity
    price_log_half_width: float
    cost: Quantity | None
    cost_low: Quantity | None
    cost_high: Quantity | None
    overhead: float
    runs: int
    group: str | None
    method: str
    level: float = RANGE_LEVEL

    @property
    def cost_with_overhead(self) -> Quantity | None:
        return None if self.cost is None else self.cost * self.overhead

    @property
    def cost_with_overhead_low(self) -> Quantity | None:
        return None if self.cost_low is None else self.cost_low * self.overhead

    @property
    def cost_with_overhead_high(self) -> Quantity | None:
        return None if self.cost_high is None else self.cost_high * self.overhead


@dataclass(frozen=True)
class DeliveredEvidence:
    """What known runs imply about the compute a FIXED amount of final-run chip-time delivers.

    For a given cluster (chips x days) or a budget, the chip-hours and their cost are fixed; what is
    uncertain is the FLOP they do. So the interval is on FLOP, never on chip-hours for one FLOP.
    """

    basis: str  # "runs", "class", "cited" or "none"
    efficiency_kind: str
    efficiency: float | None
    efficiency_low: float | None
    efficiency_high: float | None
    chip_hours: Quantity  # the final run's chip-hours (fixed)
    cost: Quantity  # their compute cost at the price on the date (fixed)
    flop: Quantity | None  # at the evidence centre
    flop_low: Quantity | None
    flop_high: Quantity | None
    runs: int
    group: str | None
    method: str
    level: float = RANGE_LEVEL

    def to_dict(self) -> dict[str, Any]:
        """The `evidence` object of check, plan and budget JSON (FLOP, hours, USD)."""
        def f(q: Quantity | None) -> float | None:
            return None if q is None else mag(q, "FLOP")

        return {"basis": self.basis, "efficiency_kind": self.efficiency_kind, "efficiency": self.efficiency,
                "efficiency_low": self.efficiency_low, "efficiency_high": self.efficiency_high,
                "fixed": "chip_hours", "chip_hours": mag(self.chip_hours, "hour"), "cost_usd": mag(self.cost, "USD"),
                "flop": f(self.flop), "flop_low": f(self.flop_low), "flop_high": f(self.flop_high),
                "runs": self.runs, "group": self.group, "level": self.level, "method": self.method}


def delivered(scn: Scenario, chip_hours: Quantity, *, evidence_model: EvidenceModel | None = None) -> DeliveredEvidence:
    """The evidence interval on the FLOP that `chip_hours` of final-run time deliver in this scenario."""
    iv = _interval(scn, evidence_model, flop=mag(chip_hours * scn.useful_flop_per_s, "FLOP"))
    fl = [None if e is None else calc.finite((chip_hours * scn.peak * Q_(e, "")).to("FLOP"), "FLOP")
          for e in (iv.centre, iv.low, iv.high)]
    return DeliveredEvidence(basis=iv.basis, efficiency_kind=iv.kind, efficiency=iv.centre, efficiency_low=iv.low,
                             efficiency_high=iv.high, chip_hours=chip_hours.to("hour"), cost=scn.run_cost(chip_hours),
                             flop=fl[0], flop_low=fl[1], flop_high=fl[2], runs=iv.runs, group=iv.group,
                             method=iv.method)


def _interval(scn: Scenario, model: EvidenceModel | None, *, flop: float) -> EfficiencyInterval:
    """The evidence interval for a run of about `flop` (the assumption's figure: the interval's width depends
    on the run's scale, docs/evidence-method.md)."""
    cited_only = "peak" in scn.given or scn.profile.origin != "shipped"
    return (model or default_model()).interval(scn.profile, scn.precision, cited_only=cited_only, flop=flop)


class _FromEvidence:
    """A CostResult attribute that is its evidence's attribute of the same name (None without evidence)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, objtype: type | None = None) -> Quantity | None:
        ev = getattr(obj, "evidence", None)
        return None if ev is None else cast("Quantity | None", getattr(ev, self.name))


@dataclass(frozen=True)
class CostResult(Tabular):
    """Every step from FLOP to dollars, as pint Quantities, where each assumption came from, and the evidence."""

    flop: Quantity
    gpu: str
    gpu_name: str
    precision: str
    peak: Quantity
    efficiency: Quantity
    effective_flop_per_s: Quantity
    flop_per_chip_hour: Quantity
    chip_hours: Quantity
    price: Quantity
    cost: Quantity
    overhead: Quantity
    cost_with_overhead: Quantity
    energy: Quantity
    co2e: Quantity
    tdp: Quantity
    energy_assumptions: _energy.EnergyAssumptions
    chips: int | None = None
    wall_clock: Quantity | None = None
    days: Quantity | None = None
    chips_needed: int | None = None
    evidence: EvidenceEstimate | None = None
    price_tier: str | None = None
    price_date: str | None = None
    price_tier_fallback: bool = False
    price_provider: str | None = None  # who quoted the price, when it comes from the dated price history
    precision_requested: str | None = None
    origin: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    profile_path: str = ""
    confidence: str = "high"
    data_as_of: str | None = None
    assumption_label: str = "profile"
    price_is_estimate: bool = False
    price_choice: PriceChoice | None = field(default=None, repr=False, compare=False)
    scenario: Scenario | None = field(default=None, repr=False, compare=False)

    # The low/high figures are the evidence's 90% interval (never stretched to hold the assumption).
    @property
    def efficiency_low(self) -> Quantity | None:
        ev = self.evidence
        return Q_(ev.efficiency_low, "") if ev and ev.efficiency_low is not None else None

    @property
    def efficiency_high(self) -> Quantity | None:
        ev = self.evidence
        return Q_(ev.efficiency_high, "") if ev and ev.efficiency_high is not None else None

    @property
    def efficiency_basis(self) -> str | None:
        return self.evidence.method if self.evidence else None

    @property
    def price_low(self) -> Quantity:
        return self.evidence.price_low if self.evidence else self.price

    @property
    def price_high(self) -> Quantity:
        return self.evidence.price_high if self.evidence else self.price

    chip_hours_low = _FromEvidence()
    chip_hours_high = _FromEvidence()
    cost_low = _FromEvidence()
    cost_high = _FromEvidence()
    cost_with_overhead_low = _FromEvidence()
    cost_with_overhead_high = _FromEvidence()

    @property
    def precision_fallback(self) -> bool:
        return self.precision_requested is not None and self.precision_requested != self.precision

    @property
    def assumption_in_range(self) -> dict[str, bool | None]:
        ev = self.evidence
        e = mag(self.efficiency, "")
        p = mag(self.price, "USD/hour")
        eff_in = (None if ev is None or ev.efficiency_low is None or ev.efficiency_high is None
                  else ev.efficiency_low <= e <= ev.efficiency_high)
        price_in = None if ev is None else mag(ev.price_low, "USD/hour") <= p <= mag(ev.price_high, "USD/hour")
        return {"efficiency": eff_in, "price": price_in}

    @property
    def summary(self) -> str:
        from .rows import cost_summary

        return cost_summary(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values with the CLI's JSON keys (flopcalc cost --format json)."""
        from .rows import cost_row

        return cost_row(self)

    def __repr__(self) -> str:
        return (f"CostResult(flop={mag(self.flop, 'FLOP'):.3g}, gpu={self.gpu!r}, precision={self.precision!r}, "
                f"chip_hours={mag(self.chip_hours, 'hour'):.4g}, cost_usd={mag(self.cost, 'USD'):.4g})")


@dataclass(frozen=True)
class BudgetResult(Tabular):
    """What an amount of money buys on one kind of chip: the final run it pays for, with the evidence interval.

    `flop` is what the chip-hours bought would do (kept for 0.2 scripts; `flop_bought` in JSON), and
    `flop_after_overhead` the final run (`flop` in JSON): the money buys budget / overhead of final run.
    """

    usd: Quantity
    gpu: str
    precision: str
    price: Quantity
    overhead: Quantity
    chip_hours: Quantity  # bought, overhead included
    flop: Quantity  # what the chip-hours bought would do at the assumed efficiency
    flop_after_overhead: Quantity  # the final run
    effective_flop_per_s: Quantity
    peak: Quantity
    efficiency: Quantity
    unit: CostResult = field(repr=False)
    notes: tuple[str, ...] = ()
    run_chip_hours: Quantity | None = None  # the final run's chip-hours: chip_hours / overhead
    delivered: DeliveredEvidence | None = field(default=None, repr=False)

    @property
    def run_cost(self) -> Quantity:
        """The final run's compute cost (budget / overhead): what dollar limits test."""
        out: Quantity = (self.usd / self.overhead).to("USD")
        return out

    @property
    def evidence_flop(self) -> Quantity | None:
        """The final run's FLOP at the evidence centre."""
        return None if self.delivered is None else self.delivered.flop

    @property
    def flop_low(self) -> Quantity | None:
        """The 90% interval of what the chip-hours bought would do (flop_after_overhead's x overhead)."""
        lo = self.flop_after_overhead_low
        return None if lo is None else (lo * self.overhead).to("FLOP")

    @property
    def flop_high(self) -> Quantity | None:
        hi = self.flop_after_overhead_high
        return None if hi is None else (hi * self.overhead).to("FLOP")

    @property
    def evidence_flop_bought(self) -> Quantity | None:
        mid = self.evidence_flop
        return None if mid is None else (mid * self.overhead).to("FLOP")

    @property
    def flop_after_overhead_low(self) -> Quantity | None:
        return None if self.delivered is None else self.delivered.flop_low

    @property
    def flop_after_overhead_high(self) -> Quantity | None:
        return None if self.delivered is None else self.delivered.flop_high

    def to_dict(self) -> dict[str, Any]:
        from .rows import budget_row

        return budget_row(self)

    def __repr__(self) -> str:
        return (f"BudgetResult(usd={mag(self.usd, 'USD'):.4g}, gpu={self.gpu!r}, "
                f"flop_after_overhead={mag(self.flop_after_overhead, 'FLOP'):.3g})")


def assumption_label(profile: Profile, precision: str, *, given: bool) -> str:
    """Where the efficiency assumption comes from: 'given', 'essay' or 'profile'."""
    if given:
        return "given"
    if any("jack-clark" in (s.url or "") for s in profile.sources_for("efficiency")):
        return "essay"
    return "profile"


def evidence_usd(point: float, ev: EvidenceEstimate) -> Measure:
    """The dollars a rule tests: the assumption's final-run cost, with the evidence's final-run cost and its 90%
    interval (efficiency and price spread together), the same figures `cost` shows (no overhead: dollar lines test
    the final run)."""
    from .judgement import Measure

    return Measure(point, None if ev.cost_low is None else mag(ev.cost_low, "USD"),
                   None if ev.cost_high is None else mag(ev.cost_high, "USD"),
                   None if ev.cost is None else mag(ev.cost, "USD"))


def _evidence(profile: Profile, precision: str, *, flop: Quantity, peak: Quantity,
              price: Quantity, price_given: bool, tier: str | None, overhead: float,
              cited_only: bool, model: EvidenceModel | None) -> EvidenceEstimate:
    iv: EfficiencyInterval = (model or default_model()).interval(profile, precision, cited_only=cited_only,
                                                                 flop=mag(flop, "FLOP"))
    rng = None if price_given else profile.price_ranges.get(tier or "")
    if rng is not None:
        lo, hi = (q.to("USD/hour") for q in rng)
        p_centre = Q_(math.sqrt(mag(lo, "USD/hour") * mag(hi, "USD/hour")), "USD/hour")
        h = 0.5 * math.log(mag(hi, "USD/hour") / mag(lo, "USD/hour"))
    else:
        lo = hi = p_centre = price.to("USD/hour")
        h = 0.0
    if iv.centre is None:
        return EvidenceEstimate(basis=iv.basis, efficiency_kind=iv.kind, efficiency=None, efficiency_low=None,
                                efficiency_high=None, chip_hours=None, chip_hours_low=None, chip_hours_high=None,
                                price=p_centre, price_low=lo, price_high=hi, price_log_half_width=h, cost=None,
                                cost_low=None, cost_high=None, overhead=overhead, runs=iv.runs, group=iv.group,
                                method=iv.method)
    ch = calc.chip_hours(flop, peak, iv.centre)
    # the efficiency's upper end (fewer chip-hours, lower cost) may be held at 100% of peak: each side its own reach
    up, down = iv.log_up, iv.log_down
    dollars = calc.dollars(ch, p_centre)
    return EvidenceEstimate(
        basis=iv.basis, efficiency_kind=iv.kind, efficiency=iv.centre, efficiency_low=iv.low,
        efficiency_high=iv.high, chip_hours=ch, chip_hours_low=ch / math.exp(up), chip_hours_high=ch * math.exp(down),
        price=p_centre, price_low=lo, price_high=hi, price_log_half_width=h, cost=dollars,
        cost_low=dollars / math.exp(math.hypot(up, h)), cost_high=dollars * math.exp(math.hypot(down, h)),
        overhead=overhead, runs=iv.runs, group=iv.group, method=iv.method)


def cost(
    flop: Any,
    gpu: str | Profile | None = "h100",
    *,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    price_tier: str | None = None,
    as_of: _dt.date | str | None = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    operator: str | None = None,
    hardware: HardwareDB | None = None,
    evidence_model: EvidenceModel | None = None,
) -> CostResult:
    """What `flop` of training costs on one kind of chip: the assumption, and what known runs imply.

    flop: a number, text ('1e26', '10^26', '100 YFLOP') or a FLOP Quantity. Overrides (peak,
    efficiency, price, overhead) take precedence over the chip's profile; `price_tier` picks the
    chip's price in that tier; `as_of` prices it on that date (the median of the tier's quotes in the 12
    months to it, flopcalc.pricing) and refuses a chip not yet released;
    `chips` adds wall-clock time; `days` adds the chips needed to finish in that time.

        >>> r = cost(1e26, "h100")
        >>> round(r.chip_hours.to("hour").magnitude)
        35090674
    """
    f = parse_quantity(flop, "flop", what="FLOP").to("FLOP")
    scn = scenario(gpu, precision=precision, peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                   as_of=as_of, overhead=overhead, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity,
                   operator=operator, hardware=hardware)
    return cost_of(scn, f, evidence_model=evidence_model)


def cost_of(scn: Scenario, flop: Quantity, *, evidence_model: EvidenceModel | None = None) -> CostResult:
    """What `flop` of final-run training costs in a resolved scenario: the assumption and the evidence."""
    if evidence_model is not None and not isinstance(evidence_model, EvidenceModel):
        from .errors import InputTypeError

        raise InputTypeError(f"evidence_model must be a flopcalc EvidenceModel (flopcalc.evidence.default_model()), "
                             f"not {type(evidence_model).__name__}")
    prof, prec, pk, eff = scn.profile, scn.precision, scn.peak, scn.efficiency
    f = flop.to("FLOP")
    choice = scn.price
    pr = scn.price_per_hour
    ea = scn.energy
    effective = scn.useful_flop_per_s
    per_hour = scn.flop_per_chip_hour
    hours = calc.chip_hours(f, pk, eff)
    dollars = calc.dollars(hours, pr)
    o = Q_(scn.overhead, "")
    mwh = calc.energy(hours, prof.tdp, ea.factor)
    co2e = (mwh * Q_(ea.grid_intensity, "kgCO2e/kWh")).to("tCO2e")
    n_chips, d = scn.chips, scn.days
    wall = (hours / n_chips).to("day") if n_chips else None
    needed = calc.fewest_chips(hours, d) if d is not None else None
    price_given = "price" in scn.given
    cited_only = "peak" in scn.given or prof.origin != "shipped"
    # A dated price (--as-of) is its own evidence: today's tier range says nothing about 2023.
    ev = _evidence(prof, prec, flop=f, peak=pk, price=pr, price_given=price_given or scn.as_of is not None,
                   tier=None if price_given else choice.tier, overhead=scn.overhead, cited_only=cited_only,
                   model=evidence_model)
    estimated = prof.price_is_estimate and choice.rule == "default"
    label = "given" if "efficiency" in scn.given else (
        "essay" if scn.origin.get("efficiency", "").endswith("(essay)") else "profile")
    notes = list(scn.notes)
    if scn.energy.caveat:  # where energy is printed (cost, plan), what its figure is known to miss
        notes.append(scn.energy.caveat)
    if choice.rule == "median":
        notes.append(f"{prof.id} price: {choice.description} ({', '.join(choice.providers)})")
    notes.extend(_notes(prof, prec, eff=eff, price=pr, ev=ev, efficiency_given="efficiency" in scn.given,
                        price_given=price_given, cited_only=cited_only, price_estimate=estimated))
    return CostResult(
        flop=f, gpu=prof.id, gpu_name=prof.name, precision=prec, peak=pk, efficiency=Q_(eff, ""),
        effective_flop_per_s=effective, flop_per_chip_hour=per_hour, chip_hours=hours, price=pr,
        cost=dollars, overhead=o, cost_with_overhead=calc.finite((dollars * o).to("USD"), "cost"), energy=mwh,
        co2e=co2e, tdp=prof.tdp, energy_assumptions=ea, chips=n_chips, wall_clock=wall, days=d,
        chips_needed=needed, evidence=ev, price_tier=choice.tier, price_date=choice.date,
        price_tier_fallback=choice.fallback, price_provider=choice.provider,
        precision_requested=None, origin=dict(scn.origin), notes=tuple(notes), profile_path=prof.path,
        confidence=prof.confidence, data_as_of=prof.data_as_of, assumption_label=label,
        price_is_estimate=estimated, price_choice=choice, scenario=scn,
    )


def _notes(prof: Profile, prec: str, *, eff: float, price: Quantity, ev: EvidenceEstimate, efficiency_given: bool,
           price_given: bool, cited_only: bool, price_estimate: bool = False) -> list[str]:
    """Short notes when an assumption lies outside the evidence interval. They inform; they never override."""
    from .fmt import money, pct

    notes: list[str] = []
    if (ev.efficiency_low is not None and ev.efficiency_high is not None
            and not ev.efficiency_low <= eff <= ev.efficiency_high):
        side = "above" if eff > ev.efficiency_high else "below"
        from .rows import basis_words

        what = basis_words(ev.basis, runs=ev.runs)
        notes.append(f"the assumed {pct(eff)} of {prec} peak on {prof.id} is {side} the 90% evidence interval, "
                     f"{pct(ev.efficiency_low)}-{pct(ev.efficiency_high)} ({ev.group}: {what})")
    p = mag(price, "USD/hour")
    lo, hi = mag(ev.price_low, "USD/hour"), mag(ev.price_high, "USD/hour")
    if not price_given and not lo <= p <= hi:
        side = "above" if p > hi else "below"
        notes.append(f"{money(p)}/chip-hour is {side} the {prof.id} price range for its tier ({money(lo)}-{money(hi)})")
    if ev.basis == "none":
        notes.append(f"{prof.id} {prec}: no evidence interval ({ev.method})")
    if price_estimate:
        notes.append(f"{prof.id}'s default price is an estimate (no public per-hour quote): see "
                     f"'flopcalc hardware show {prof.id}', or give --price")
    if prof.confidence == "user":
        notes.append(f"{prof.id} is your own profile ({prof.path}): its figures are yours, not checked by flopcalc"
                     + (f"; defaults used for {', '.join(prof.defaults)}" if prof.defaults else ""))
    elif prof.confidence != "high":
        notes.append(f"{prof.id}'s peak figures are {prof.confidence} confidence"
                     + (f": {prof.confidence_note}" if prof.confidence_note else ""))
    return notes


def cost_table(
    flops: Sequence[Any],
    gpus: Sequence[str | Profile],
    *,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    price_tier: str | None = None,
    as_of: _dt.date | str | None = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    operator: str | None = None,
    hardware: HardwareDB | None = None,
    evidence_model: EvidenceModel | None = None,
) -> list[CostResult]:
    """cost() for every chip x FLOP pair, chip by chip; the assumptions apply to every row, as in cost().

    With several chips, a precision a chip lacks falls back to that chip's default (the result's
    precision_requested records what was asked).

        >>> rows = cost_table([1e25, 1e26], ["h100", "a100"], precision="bf16")
        >>> [(r.gpu, f"{r.flop.to('FLOP').magnitude:.0e}") for r in rows]
        [('h100', '1e+25'), ('h100', '1e+26'), ('a100', '1e+25'), ('a100', '1e+26')]
    """
    return list(iter_cost_table(flops, gpus, precision=precision, peak=peak, efficiency=efficiency, price=price,
                                price_tier=price_tier, as_of=as_of, overhead=overhead, chips=chips, days=days,
                                pue=pue, grid_intensity=grid_intensity, operator=operator, hardware=hardware,
                                evidence_model=evidence_model))


def iter_cost_table(
    flops: Sequence[Any],
    gpus: Sequence[str | Profile],
    *,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    price_tier: str | None = None,
    as_of: _dt.date | str | None = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    operator: str | None = None,
    hardware: HardwareDB | None = None,
    evidence_model: EvidenceModel | None = None,
) -> Iterator[CostResult]:
    """cost_table() one row at a time, chip by chip: memory does not grow with the number of rows."""
    from dataclasses import replace

    several = len(gpus) > 1
    p = parse_precision(precision)
    from .hardware import default_db

    # one scenario per chip, all resolved before the first row, so a bad input fails before any output
    scns = [scenario(g, precision=p, peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                     as_of=as_of, overhead=overhead, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity,
                     operator=operator, hardware=hardware, fallback_precision=several)
            for g in ((hardware or default_db()).unique(gpus) if several else gpus)]
    for scn in scns:
        for x in flops:
            r = cost_of(scn, parse_quantity(x, "flop", what="FLOP").to("FLOP"), evidence_model=evidence_model)
            yield replace(r, precision_requested=p) if p is not None else r


def evidence_method_words(results: Iterable[CostResult]) -> str:
    """How the rows' evidence figures were made, said truly: one method (known runs, 90% interval), or which rows
    rest on a profile's cited MFU range instead."""
    cited = list(dict.fromkeys(f"{r.gpu} {r.precision}" for r in results
                               if r.evidence is not None and r.evidence.basis == "cited"))
    if not cited:
        return "which share one method (known runs, 90% interval)"
    return f"known runs (90% interval) except {', '.join(cited)} (cited MFU range, not runs)"


def basis_notes(results: Iterable[CostResult]) -> list[str]:
    """Say how the rows of one table differ in basis (precision, price tier, assumption source)."""
    results = list(results)
    notes: list[str] = []
    if len({r.gpu for r in results}) < 2:
        return notes
    precs = sorted({r.precision for r in results})
    tiers = sorted({r.price_tier or "untiered" for r in results})
    labels = sorted({r.assumption_label for r in results})
    diffs = []
    if len(precs) > 1:
        diffs.append(f"precision ({', '.join(precs)})")
    if len(tiers) > 1:
        diffs.append(f"price tier ({', '.join(tiers)})")
    if len(labels) > 1:
        diffs.append(f"where the efficiency assumption comes from ({', '.join(labels)})")
    if diffs:
        notes.append("Basis: the rows' assumptions differ in " + "; ".join(diffs)
                     + f". Compare chips on the evidence figures, {evidence_method_words(results)}; or set "
                       "--precision, --price-tier and --efficiency for all.")
    fb = [r.gpu for r in results if r.precision_fallback]
    if fb:
        notes.append(f"Marked *: {', '.join(dict.fromkeys(fb))} lack the requested precision and use their default.")
    return notes


def budget(usd: Any, gpu: str | Profile | None = "h100", *, precision: str | None = None, peak: Any = None,
           efficiency: Any = None, price: Any = None, price_tier: str | None = None,
           as_of: _dt.date | str | None = None, overhead: Any = None, hardware: HardwareDB | None = None,
           evidence_model: EvidenceModel | None = None, fallback_precision: bool = False) -> BudgetResult:
    """How much training compute `usd` buys: the inverse of cost(), with the evidence interval.

        >>> b = budget("$100M", "h100")
        >>> f"{b.flop_after_overhead.to('FLOP').magnitude:.3g}"
        '9.5e+25'
    """
    money = parse_quantity(usd, "usd", what="amount").to("USD")
    scn = scenario(gpu, precision=precision, peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                   as_of=as_of, overhead=overhead, hardware=hardware, fallback_precision=fallback_precision)
    return budget_of(scn, money, evidence_model=evidence_model)


def budget_of(scn: Scenario, money: Quantity, *, evidence_model: EvidenceModel | None = None) -> BudgetResult:
    """What `money` buys in a resolved scenario: chip-hours bought, and the final run (money / overhead)."""
    money = money.to("USD")
    hours = calc.finite((money / scn.price_per_hour).to("hour"), "chip-hours")
    flop = calc.finite((hours * scn.useful_flop_per_s).to("FLOP"), "FLOP")
    final = calc.finite((flop / scn.overhead).to("FLOP"), "FLOP")
    unit = cost_of(scn, final, evidence_model=evidence_model)
    run_hours = (hours / scn.overhead).to("hour")
    return BudgetResult(
        usd=money, gpu=unit.gpu, precision=unit.precision, price=unit.price, overhead=unit.overhead,
        chip_hours=hours, flop=flop, flop_after_overhead=final,
        effective_flop_per_s=unit.effective_flop_per_s, peak=unit.peak, efficiency=unit.efficiency, unit=unit,
        notes=unit.notes, run_chip_hours=run_hours,
        delivered=delivered(scn, run_hours, evidence_model=evidence_model),
    )
