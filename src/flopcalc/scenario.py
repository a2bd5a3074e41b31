"""One question, resolved once: the chip and precision, the cluster, the price on a date, the overhead, the date.

Every command (cost, budget, check, plan, report, trend, plot) turns the user's inputs into one
`Scenario` with `scenario()`, and reads its figures from it, so two commands asked the same
question give the same answer. The conventions, written once (also in docs/scenario.md):

- `chips` and `days` describe the FINAL training run, as labs report them ("16k H100 for 54
  days"): its compute is chips x days x peak x efficiency. Overhead (failed runs, restarts, bugs)
  multiplies what is paid and the chip-hours bought; it never shrinks a given cluster's compute.
- A budget buys `budget / overhead` worth of final run.
- A rule's dollar limit is tested against the final run's compute cost at the price on the date
  (the statutes speak of the cost of the computing power at market prices); the total with
  overhead is shown beside it, never tested.
- The date (`as_of`, default today) picks each rule's status; when given, it also prices the run
  (the tier's price on that date, flopcalc.pricing) and refuses chips not yet released. Without
  it, the price is the profile's default, the essay-style assumption people quote.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import calc
from . import energy as _energy
from .errors import InputError
from .hardware import HardwareDB, Profile, resolve
from .inputs import (
    optional_name,
    parse_chips,
    parse_date,
    parse_efficiency,
    parse_overhead,
    parse_peak,
    parse_precision,
)
from .pricing import PriceChoice, check_released, choose_price
from .units import Q_, mag, parse_bounded, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["MAX_DAYS", "MIN_DAYS", "Scenario", "scenario"]

MIN_DAYS = 1e-9  # about 86 microseconds: below this a time is a typo, and chip counts overflow
MAX_DAYS = 1e12  # a bound far past any run, below which chip counts stay finite


@dataclass(frozen=True)
class Scenario:
    """What a question fixes: chip, precision, peak, efficiency, price on a date, overhead, cluster, date."""

    profile: Profile
    precision: str
    peak: Quantity  # FLOP/s per chip at `precision` (dense), or as given
    efficiency: float  # the ASSUMED fraction of that peak over billed chip-hours
    price: PriceChoice
    overhead: float
    day: _dt.date  # the date rules are read on (as_of, else today)
    as_of: _dt.date | None = None  # the date as given (it also prices the run)
    chips: int | None = None
    days: Quantity | None = None  # the final run's wall-clock time
    energy: _energy.EnergyAssumptions = field(default_factory=_energy.EnergyAssumptions)
    given: frozenset[str] = frozenset()  # which of precision, peak, efficiency, price, overhead were given
    origin: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    precision_requested: str | None = None  # the precision asked for, when the chip lacked it and fell back

    @property
    def gpu(self) -> str:
        return self.profile.id

    @property
    def price_per_hour(self) -> Quantity:
        return self.price.price.to("USD/hour")

    @cached_property
    def useful_flop_per_s(self) -> Quantity:
        return calc.effective_rate(self.peak, self.efficiency)

    @cached_property
    def flop_per_chip_hour(self) -> Quantity:
        out: Quantity = (self.useful_flop_per_s * Q_(1, "hour")).to("FLOP")
        return out

    @property
    def has_cluster(self) -> bool:
        return self.chips is not None and self.days is not None

    def cluster_chip_hours(self) -> Quantity:
        """The final run's chip-hours on the given cluster: chips x days x 24."""
        if self.chips is None or self.days is None:
            raise InputError("this needs a cluster: chips and days")
        return calc.finite((Q_(self.chips, "") * self.days).to("hour"), "chip-hours")

    def cluster_flop(self, efficiency: float | None = None) -> Quantity:
        """The final run's compute on the given cluster: chips x days x peak x efficiency (no overhead)."""
        if self.chips is None or self.days is None:
            raise InputError("this needs a cluster: chips and days")
        eff = self.efficiency if efficiency is None else efficiency
        return calc.cluster_flop(self.chips, self.days, self.peak, eff)

    def run_cost(self, chip_hours: Quantity) -> Quantity:
        """The final run's compute cost at the price on the date (what dollar limits test)."""
        return calc.dollars(chip_hours, self.price_per_hour)

    def paid(self, chip_hours: Quantity) -> Quantity:
        """What is paid for a final run of `chip_hours`, overhead included (shown, never tested)."""
        return calc.finite((self.run_cost(chip_hours) * self.overhead).to("USD"), "cost")

    def cluster_peak(self) -> Quantity | None:
        """The cluster's theoretical peak (what cluster rules count): chips x the chip's highest dense peak."""
        if self.chips is None:
            return None
        per_chip = self.peak if "peak" in self.given else theoretical_peak(self.profile)
        return calc.finite((per_chip * Q_(self.chips, "")).to("FLOP/s"), "cluster FLOP/s")


def theoretical_peak(prof: Profile) -> Quantity:
    """A chip's highest dense floating-point peak: what cluster tests ("theoretical maximum") count."""
    return max(prof.peak.values(), key=lambda q: mag(q, "FLOP/s")).to("FLOP/s")


def parse_days(days: Any) -> Quantity:
    """A training time in days (a number of days, or a time such as '90 days', '2000 h'), within bounds."""
    d = parse_quantity(days, "time", what="days")  # kept in the unit given: exact products stay exact
    x = mag(d, "day")
    if not math.isfinite(x) or x < MIN_DAYS or x > MAX_DAYS:
        raise InputError(f"days {x:.6g} is out of range; give a training time from {MIN_DAYS:g} to "
                         f"{MAX_DAYS:g} days")
    return d


MAX_PUE = 3.0  # no datacenter runs at more (new AI sites: 1.1-1.4)
MAX_GRID_INTENSITY = 2.0  # kgCO2e/kWh: above any grid (coal-only is about 1.0)


def scenario(gpu: str | Profile | None = "h100", *, precision: str | None = None, peak: Any = None,
             efficiency: Any = None, price: Any = None, price_tier: str | None = None,
             as_of: _dt.date | str | None = None, overhead: Any = None, chips: Any = None, days: Any = None,
             pue: Any = None, grid_intensity: Any = None, operator: str | None = None,
             hardware: HardwareDB | None = None, fallback_precision: bool = False) -> Scenario:
    """Resolve a question's inputs once: the profile's figures, each override, and the price on the date.

    The energy factors are the chip's (energy.assumptions_for): its server-power factor, its kind's
    load, and the PUE of `operator` ('hyperscaler' 1.1 or 'other' 1.25, the default) unless `pue` is given.

    `fallback_precision`: a precision the chip lacks falls back to its default (for tables of several
    chips) instead of being refused.
    """
    prof = resolve(gpu, hardware)
    price_tier = optional_name(price_tier, what="price tier")
    asked = parse_precision(precision)
    fell_back = fallback_precision and asked is not None and not prof.has_precision(asked)
    prec = prof.check_precision(None if fell_back else asked)
    day = parse_date(as_of, what="as-of date") if as_of is not None else None
    if day is not None:
        check_released(prof, day)
    given = {name for name, v in (("precision", precision), ("peak", peak), ("efficiency", efficiency),
                                  ("price", price), ("overhead", overhead)) if v is not None}
    base = f"profile {prof.id}"
    origin: dict[str, str] = {"precision": "given" if precision is not None else f"{base} default"}
    pk = (parse_peak(peak) if peak is not None else prof.peak[prec]).to("FLOP/s")
    origin["peak"] = "given" if peak is not None else f"{base} ({prec}, dense)"
    eff = parse_efficiency(efficiency) if efficiency is not None else prof.efficiency_for(prec)
    essay = any("jack-clark" in (s.url or "") for s in prof.sources_for("efficiency"))
    origin["efficiency"] = "given" if efficiency is not None else (f"{base} (essay)" if essay else base)
    notes: list[str] = [prof.replaces_note] if prof.replaces_note else []
    if fell_back:
        notes.append(f"{prof.id} has no {asked} peak: used its default {prec}")
    if price is not None:
        pr = parse_quantity(price, "price", what="price").to("USD/hour")
        choice = PriceChoice(pr, "given", None, "given", rule="given")
        origin["price"] = "given"
    else:
        choice = choose_price(prof, tier=price_tier, as_of=day)
        origin["price"] = f"{base} ({choice.description})"
        if choice.note:
            notes.append(choice.note)
    ovh = parse_overhead(overhead) if overhead is not None else prof.overhead
    origin["overhead"] = "given" if overhead is not None else base
    n_chips = parse_chips(chips) if chips is not None else None
    d = parse_days(days) if days is not None else None
    ea = _energy.assumptions_for(
        prof.id, operator=operator,
        pue=parse_bounded(pue, what="PUE", lo=1, lo_open=False, hi=MAX_PUE) if pue is not None else None,
        grid_intensity=(parse_bounded(grid_intensity, what="grid intensity", lo=0, lo_open=False,
                                      hi=MAX_GRID_INTENSITY, hint=" kgCO2e/kWh (400 g/kWh is 0.4)")
                        if grid_intensity is not None else None))
    op = _energy.parse_operator(operator)
    if op is not None and pue is not None:
        notes.append(f"PUE {ea.pue:g} given: it replaces the PUE {_energy.energy_factors().pue[op]:g} of operator "
                     f"'{op}'")
    origin["pue"] = "given" if pue is not None else f"default (operator {ea.operator})"
    origin["grid_intensity"] = "given" if grid_intensity is not None else "default"
    scn = Scenario(profile=prof, precision=prec, peak=pk, efficiency=eff, price=choice, overhead=ovh,
                   day=day or _dt.date.today(), as_of=day, chips=n_chips, days=d, energy=ea,
                   given=frozenset(given), origin=origin, notes=tuple(notes),
                   precision_requested=asked if fell_back else None)
    if n_chips is not None and d is not None:  # extreme clusters fail here, in one line, not deep in a command
        scn.cluster_flop()
        scn.paid(scn.cluster_chip_hours())
    return scn
