"""Plan a training run from what you have: money, a FLOP figure or a cluster, through the whole chain.

money -> chip-hours -> FLOP after overhead (assumption and evidence interval) -> compute-optimal
parameters and tokens -> chips for the deadline -> cluster power and energy -> training memory and
the fewest chips that hold it -> every rule crossed, not crossed or uncertain.

The overhead works the same way from every starting point: of the money or cluster time bought,
only 1/overhead trains the final run (the rest goes to failed runs, restarts and bugs). So

    budget start:  chip-hours bought = budget / price;          final-run FLOP = chip-hours bought x
                                                                 useful FLOP per chip-hour / overhead
    FLOP start:    chip-hours bought = FLOP / useful FLOP per chip-hour x overhead;  budget = that x price
    cluster start: chip-hours bought = chips x days x 24;        budget = that x price;
                                                                 final-run FLOP as for a budget

and each start is the exact inverse of the others (plan(flop=plan("$50M").flop).budget is $50M).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import calc
from . import energy as _energy
from .errors import InputError, InputTypeError
from .estimate import CostResult
from .estimate import budget as _budget
from .estimate import cost as _cost
from .hardware import HardwareDB, Profile, resolve
from .inputs import parse_chips, parse_date
from .rules import BINDING_STATUSES, Threshold, load_thresholds
from .units import Q_, mag, parse_bounded, parse_quantity
from .verdicts import theoretical_peak

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["Plan", "PlanRule", "plan", "STARTS"]

STARTS = ("budget", "flop", "cluster")

TOKENS_PER_PARAM_SOURCE = "Chinchilla, Hoffmann et al. 2022 (arXiv 2203.15556)"
MEMORY_SOURCE = ("mixed-precision Adam: 2 bf16 weights + 2 bf16 grads + 4 fp32 master + 8 fp32 moments, before "
                 "activations (ZeRO, Rajbhandari et al., arXiv 1910.02054)")


@dataclass(frozen=True)
class PlanRule:
    """One rule set against the plan: its status on the date, and the verdict on the plan's figures."""

    threshold: Threshold
    status_on_date: str
    binding: bool
    verdict: str  # crossed, not crossed, uncertain, needs revenue, needs cluster size, not applicable
    ratio: float | None  # the plan's point figure / the limit (the smallest over the rule's limits)

    def to_dict(self) -> dict[str, Any]:
        t = self.threshold
        return {"id": t.id, "name": t.name, "status_on_date": self.status_on_date, "verdict": self.verdict,
                "binding": self.binding, "limit": t.describe_limits(), "ratio": self.ratio}


@dataclass(frozen=True)
class Plan:
    """A training run planned from a budget, a FLOP figure or a cluster: every step of the chain.

    `flop` is the final run's compute (after overhead); `chip_hours` the cluster time bought
    (chips x days x 24 when there is a deadline; else the chip-hours the money buys), and
    `chip_hours_needed` the chip-hours the money buys (or the run needs, with overhead).
    """

    start: str  # "budget", "flop" or "cluster"
    budget: Quantity  # USD: everything bought, overhead included
    budget_low: Quantity | None
    budget_high: Quantity | None
    flop_bought: Quantity  # FLOP the chip-hours bought do at the assumed efficiency
    flop: Quantity  # the final run: flop_bought / overhead
    flop_low: Quantity | None  # 90% evidence interval of the final run's FLOP
    flop_high: Quantity | None
    params: float
    tokens: float
    tokens_per_param: float
    gpu: str
    gpu_name: str
    precision: str
    peak: Quantity
    efficiency: Quantity
    effective_flop_per_s: Quantity
    flop_per_chip_hour: Quantity
    price: Quantity
    overhead: Quantity
    chip_hours_needed: Quantity
    chip_hours: Quantity
    chips: int | None
    days: Quantity | None
    tdp: Quantity
    energy_assumptions: _energy.EnergyAssumptions
    power: Quantity | None  # MW: chips x TDP x server factor x PUE (peak facility draw)
    energy: Quantity  # MWh: chip-hours x TDP x server factor x average load x PUE
    memory: Quantity  # bytes: params x 16
    chip_memory: Quantity
    min_chips_for_memory: int
    rules: tuple[PlanRule, ...]
    as_of: _dt.date
    unit: CostResult = field(repr=False)
    origin: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def binding(self) -> tuple[PlanRule, ...]:
        return tuple(r for r in self.rules if r.binding)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (flopcalc plan --format json): FLOP, USD, hours, days, W, MW, MWh, bytes."""
        from .datadates import data_as_of
        from .rows import evidence_dict, opt

        u = self.unit
        ea = self.energy_assumptions
        return {
            "start": self.start,
            "budget_usd": mag(self.budget, "USD"),
            "budget_usd_low": opt(self.budget_low, "USD"),
            "budget_usd_high": opt(self.budget_high, "USD"),
            "flop_bought": mag(self.flop_bought, "FLOP"),
            "overhead": mag(self.overhead, ""),
            "flop": mag(self.flop, "FLOP"),
            "flop_low": opt(self.flop_low, "FLOP"),
            "flop_high": opt(self.flop_high, "FLOP"),
            "range_level": u.evidence.level if u.evidence is not None and self.flop_low is not None else None,
            "params": self.params,
            "tokens": self.tokens,
            "tokens_per_param": self.tokens_per_param,
            "gpu": self.gpu,
            "gpu_name": self.gpu_name,
            "precision": self.precision,
            "peak_flop_per_s": mag(self.peak, "FLOP/s"),
            "efficiency": mag(self.efficiency, ""),
            "efficiency_kind": "assumed",
            "effective_flop_per_s": mag(self.effective_flop_per_s, "FLOP/s"),
            "flop_per_chip_hour": mag(self.flop_per_chip_hour, "FLOP"),
            "price_usd_per_chip_hour": mag(self.price, "USD/hour"),
            "price_tier": u.price_tier,
            "price_date": u.price_date,
            "chips": self.chips,
            "days": opt(self.days, "day"),
            "chip_hours_needed": mag(self.chip_hours_needed, "hour"),
            "chip_hours": mag(self.chip_hours, "hour"),
            "tdp_w": mag(self.tdp, "W"),
            "server_power_factor": ea.server_power_factor,
            "average_load": ea.average_load,
            "pue": ea.pue,
            "power_mw": opt(self.power, "MW"),
            "energy_mwh": mag(self.energy, "MWh"),
            "bytes_per_param": calc.BYTES_PER_PARAM_TRAINING,
            "memory_bytes": mag(self.memory, "byte"),
            "chip_memory_bytes": mag(self.chip_memory, "byte"),
            "min_chips_for_memory": self.min_chips_for_memory,
            "as_of": self.as_of.isoformat(),
            "rules": [r.to_dict() for r in self.rules],
            "evidence": evidence_dict(u.evidence),
            "assumptions_from": dict(self.origin),
            "notes": list(self.notes),
            "data_as_of": data_as_of(u.data_as_of),
        }

    def __repr__(self) -> str:
        return (f"Plan(start={self.start!r}, budget_usd={mag(self.budget, 'USD'):.4g}, "
                f"flop={mag(self.flop, 'FLOP'):.3g}, gpu={self.gpu!r}, params={self.params:.3g}, "
                f"chips={self.chips})")

    def _repr_html_(self) -> str:
        """The chain's main figures, as people write them, and the verdicts of the binding rules (for Jupyter)."""
        from .fmt import grouped, human, money, sci, sig
        from .rows import html_table

        f = sci(mag(self.flop, "FLOP"), 2)
        if self.flop_low is not None and self.flop_high is not None and self.flop_low != self.flop_high:
            f += f" (90% {sci(mag(self.flop_low, 'FLOP'))}-{sci(mag(self.flop_high, 'FLOP'))})"
        row: dict[str, Any] = {
            "start": self.start, "budget": money(mag(self.budget, "USD")), "chip": f"{self.gpu} ({self.precision})",
            "final-run FLOP": f, "parameters": sig(self.params), "tokens": sig(self.tokens),
            "chips": "-" if self.chips is None else f"{self.chips:,}",
            "days": "-" if self.days is None else f"{mag(self.days, 'day'):g}",
            "chip-hours": human(mag(self.chip_hours, "hour")),
            "power": "-" if self.power is None else f"{sig(mag(self.power, 'MW'))} MW",
            "energy": f"{grouped(mag(self.energy, 'MWh'))} MWh",
            "training memory": f"{sig(mag(self.memory, 'TB'))} TB",
            "fewest chips for memory": f"{self.min_chips_for_memory:,}",
        }
        row.update({f"rule {r.threshold.id}": r.verdict for r in self.binding})
        return html_table(row)


def plan(budget: Any = None, *, flop: Any = None, chips: Any = None, days: Any = None,
         gpu: str | Profile | None = "h100", precision: str | None = None, peak: Any = None, efficiency: Any = None,
         price: Any = None, price_tier: str | None = None, overhead: Any = None, tokens_per_param: Any = None,
         pue: Any = None, as_of: _dt.date | str | None = None, rules: Iterable[Threshold] | None = None,
         hardware: HardwareDB | None = None) -> Plan:
    """Plan a run from ONE starting point: a `budget` ('$50M'), a `flop` figure (1e26) or a cluster
    (`chips` with `days`). `days` with a budget or FLOP start adds the chips that finish in time.

    Assumptions (precision, peak, efficiency, price, price_tier, overhead) work as in cost();
    `tokens_per_param` defaults to 20 (Chinchilla); `as_of` is the date the rules are read on
    (default today; as in check(), it does not change the price: use `price_tier` or `price`);
    `rules` replaces the shipped thresholds.

        >>> p = plan("$50M", gpu="h100", days=90)
        >>> f"{p.flop.to('FLOP').magnitude:.4g}", p.chips, f"{p.params:.3g}"
        ('4.75e+25', 11575, '6.29e+11')
    """
    given = [name for name, v in (("budget", budget), ("flop", flop), ("cluster", chips)) if v is not None]
    if not given:
        raise InputError("nothing to plan from: give a budget ('$50M'), a FLOP figure (--flop 1e26), "
                         "or a cluster (--chips 16k --days 90)")
    if len(given) > 1:
        raise InputError(f"give one starting point, not {' and '.join(given)}: a budget ('$50M'), "
                         "a FLOP figure (--flop 1e26) or a cluster (--chips 16k --days 90)")
    start = given[0]
    if price_tier is not None and not isinstance(price_tier, str):
        raise InputTypeError(f"price tier must be text such as 'spot', not {type(price_tier).__name__}")
    rule_list = _rule_list(rules)
    if start == "cluster" and days is None:
        raise InputError("a cluster start needs --days as well as --chips (e.g. --chips 16k --days 90)")
    d = parse_quantity(days, "time", what="days").to("day") if days is not None else None
    r = parse_bounded(tokens_per_param, what="tokens per parameter") if tokens_per_param is not None \
        else calc.CHINCHILLA_TOKENS_PER_PARAM
    day = parse_date(as_of, what="as-of date") if as_of is not None else _dt.date.today()
    kw: dict[str, Any] = dict(precision=precision, peak=peak, efficiency=efficiency, price=price,
                              price_tier=price_tier, overhead=overhead, hardware=hardware)
    prof = resolve(gpu, hardware)
    f_given = parse_quantity(flop, "flop", what="FLOP").to("FLOP") if flop is not None else None
    unit = _cost(f_given if f_given is not None else Q_(1.0, "FLOP"), prof, pue=pue, **kw)
    ovh = mag(unit.overhead, "")
    ev = unit.evidence
    n_chips: int | None = None
    f_lo: Quantity | None
    f_hi: Quantity | None
    usd_lo: Quantity | None
    usd_hi: Quantity | None

    if start == "budget":
        b = _budget(budget, prof, **kw)
        usd = b.usd.to("USD")
        needed = b.chip_hours
        bought = b.flop
        f_lo, f_hi = b.flop_after_overhead_low, b.flop_after_overhead_high
        usd_lo = usd_hi = usd
    elif start == "flop":
        assert f_given is not None
        needed = calc.finite((unit.chip_hours * unit.overhead).to("hour"), "chip-hours")
        usd = calc.finite((needed * unit.price).to("USD"), "cost")
        bought = calc.finite((f_given * unit.overhead).to("FLOP"), "FLOP")
        f_lo = f_hi = f_given
        usd_lo, usd_hi = unit.cost_with_overhead_low, unit.cost_with_overhead_high
    else:
        n_chips = parse_chips(chips)
        assert d is not None
        needed = calc.finite((Q_(n_chips, "") * d).to("hour"), "chip-hours")
        usd = calc.dollars(needed, unit.price)
        bought = calc.flop_in(needed, unit.peak, mag(unit.efficiency, ""))
        f_lo = f_hi = None
        if ev is not None and ev.efficiency_low is not None and ev.efficiency_high is not None:
            f_lo = calc.flop_in(needed, unit.peak, ev.efficiency_low) / unit.overhead
            f_hi = calc.flop_in(needed, unit.peak, ev.efficiency_high) / unit.overhead
        usd_lo = calc.dollars(needed, ev.price_low) if ev is not None else None
        usd_hi = calc.dollars(needed, ev.price_high) if ev is not None else None
    final = f_given if f_given is not None else calc.finite((bought / unit.overhead).to("FLOP"), "FLOP")
    if f_given is None:  # the estimate of the final run itself (its evidence chip-hours and cost)
        unit = _cost(final, prof, pue=pue, **kw)
    if f_lo is not None and f_hi is not None and mag(f_lo, "FLOP") > mag(f_hi, "FLOP"):
        f_lo, f_hi = f_hi, f_lo

    if n_chips is None and d is not None:
        n_chips = calc.fewest_chips(needed, d)
    hours = (Q_(n_chips, "") * d).to("hour") if n_chips is not None and d is not None else needed

    params, tokens = calc.compute_optimal(mag(final, "FLOP"), r)
    memory = Q_(params * calc.BYTES_PER_PARAM_TRAINING, "byte")
    mem_chips = _fewest(mag(memory, "byte"), mag(prof.memory, "byte"))
    ea = unit.energy_assumptions
    power = None
    if n_chips is not None:
        power = (Q_(n_chips, "") * prof.tdp * Q_(ea.server_power_factor * ea.pue, "")).to("MW")
    mwh = calc.energy(hours, prof.tdp, ea.factor)

    cluster_peak = None
    if n_chips is not None:
        per_chip = parse_quantity(peak, "flop_rate", what="peak") if peak is not None else theoretical_peak(prof)
        cluster_peak = mag(per_chip, "FLOP/s") * n_chips
    run_usd = [mag(x, "USD") / ovh for x in (usd, usd_lo, usd_hi) if x is not None]
    run_flop = [mag(x, "FLOP") for x in (final, f_lo, f_hi) if x is not None]
    plan_rules = tuple(_rules(rule_list, day, flop=run_flop, usd=run_usd, cluster=cluster_peak))

    origin = dict(unit.origin)
    origin["tokens_per_param"] = "given" if tokens_per_param is not None else f"default ({TOKENS_PER_PARAM_SOURCE})"
    origin["bytes_per_param"] = MEMORY_SOURCE
    origin["server_power_factor"] = _energy.SOURCES["server_power_factor"]
    origin["average_load"] = _energy.SOURCES["average_load"]
    origin["tdp"] = f"profile {prof.id}"
    origin["chip_memory"] = f"profile {prof.id}"
    notes = list(unit.notes)
    if n_chips is not None and n_chips < mem_chips:
        notes.append(f"the cluster ({n_chips:,} chips) cannot hold the training state: that needs at least "
                     f"{mem_chips:,} chips of {mag(prof.memory, 'GB'):g} GB")
    if n_chips is not None and start != "cluster" and mag(hours, "hour") > mag(needed, "hour"):
        notes.append("chips are rounded up to a whole number, so the cluster's time (chips x days x 24) is "
                     "slightly more than the chip-hours bought; the FLOP comes from the chip-hours bought")

    return Plan(
        start=start, budget=usd, budget_low=usd_lo, budget_high=usd_hi, flop_bought=bought, flop=final,
        flop_low=f_lo, flop_high=f_hi, params=params, tokens=tokens, tokens_per_param=r, gpu=prof.id,
        gpu_name=prof.name, precision=unit.precision, peak=unit.peak, efficiency=unit.efficiency,
        effective_flop_per_s=unit.effective_flop_per_s, flop_per_chip_hour=unit.flop_per_chip_hour, price=unit.price,
        overhead=unit.overhead, chip_hours_needed=needed, chip_hours=hours, chips=n_chips, days=d, tdp=prof.tdp,
        energy_assumptions=ea, power=power, energy=mwh, memory=memory, chip_memory=prof.memory,
        min_chips_for_memory=mem_chips, rules=plan_rules, as_of=day, unit=unit, origin=origin, notes=tuple(notes),
    )


def _rule_list(rules: Any) -> list[Threshold]:
    """The shipped thresholds, or the given ones (an iterable of Threshold)."""
    if rules is None:
        return load_thresholds()
    what = f"rules must be a list of thresholds (flopcalc.thresholds()), not {type(rules).__name__}"
    if isinstance(rules, (str, bytes)) or not isinstance(rules, Iterable):
        raise InputTypeError(what)
    try:
        out = list(rules)
    except TypeError:  # a pint Quantity or numpy scalar claims to be iterable and is not
        raise InputTypeError(what) from None
    bad = [r for r in out if not isinstance(r, Threshold)]
    if bad:
        raise InputTypeError(f"rules must hold thresholds (flopcalc.thresholds()), not {type(bad[0]).__name__}")
    return out


def _fewest(need: float, per_chip: float) -> int:
    """The fewest whole chips whose memory holds `need` bytes (at least one)."""
    ratio = need / per_chip
    if not math.isfinite(ratio) or ratio > 1e18:
        raise InputError("chips for the training memory come out too large to count: the inputs are too extreme")
    k = math.ceil(ratio)
    if k > 1 and math.isclose(k - 1, ratio, rel_tol=1e-12):
        k -= 1
    return max(1, k)


def _state(lim: Any, values: list[float]) -> str:
    met = [lim.met_by(v) for v in values]
    return "yes" if all(met) else "no" if not any(met) else "mixed"


def _verdict(states: list[str]) -> str:
    """As flopcalc check decides: any limit surely not met -> not crossed; a missing figure -> what it needs;
    every limit surely met -> crossed; else (an interval straddles a line) uncertain."""
    if "no" in states:
        return "not crossed"
    for need in ("needs revenue", "needs cluster size", "not applicable"):
        if need in states:
            return need
    return "crossed" if all(s == "yes" for s in states) else "uncertain"


def _rules(rules: list[Threshold], day: _dt.date, *, flop: list[float], usd: list[float],
           cluster: float | None) -> list[PlanRule]:
    """Each rule present on `day`, with its verdict on the plan's figures and their intervals.

    FLOP limits see the final run's FLOP (point and 90% interval); dollar limits the final run's cost
    (the budget / overhead, with its interval); cluster limits the cluster's theoretical peak.
    """
    out = []
    for t in rules:
        status = t.status_on(day)
        if status == "absent":
            continue
        states, ratios = [], []
        for lim in t.limits:
            vals = {"flop": flop, "usd": usd, "flop_per_s": [cluster] if cluster is not None else []}.get(lim.kind)
            if not vals:
                states.append({"flop_per_s": "needs cluster size", "revenue_usd": "needs revenue"}
                              .get(lim.kind, "not applicable"))
                continue
            states.append(_state(lim, vals))
            ratios.append(vals[0] / lim.base)
        out.append(PlanRule(threshold=t, status_on_date=status, binding=status in BINDING_STATUSES,
                            verdict=_verdict(states), ratio=min(ratios) if ratios else None))
    return out
