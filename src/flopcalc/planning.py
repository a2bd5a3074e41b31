"""Plan a training run from what you have: money, a FLOP figure or a cluster, through the whole chain.

money -> chip-hours -> FLOP after overhead (assumption and evidence interval) -> compute-optimal
parameters and tokens -> chips for the deadline -> cluster power and energy -> training memory and
the fewest chips that hold it -> every rule crossed, not crossed or uncertain.

The run is read as flopcalc.scenario defines it, as every command does: chips and days describe
the FINAL training run; overhead multiplies what is paid and the chip-hours bought, never a given
cluster's compute; a budget buys budget / overhead worth of final run. So

    budget start:  final-run chip-hours = budget / overhead / price;  final-run FLOP = that x useful FLOP per
                   chip-hour
    FLOP start:    final-run chip-hours = FLOP / useful FLOP per chip-hour;  budget = that x overhead x price
    cluster start: final-run chip-hours = chips x days x 24;  FLOP = chips x days x peak x efficiency;
                   budget = that x overhead x price

and each start is the exact inverse of the others (plan(flop=plan("$50M").flop).budget is $50M).
Rules see the final run: its FLOP (with the evidence interval) and its compute cost (budget / overhead).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import calc
from . import energy as _energy
from .errors import InputError, InputTypeError
from .fmt import plural
from .estimate import CostResult, DeliveredEvidence, delivered, evidence_usd
from .estimate import cost_of as _cost_of
from .hardware import HardwareDB, Profile
from .judgement import Measure, RuleVerdict, RunFigures, judge_all
from .rules import Threshold, load_thresholds
from .scenario import Scenario, scenario, theoretical_peak
from .units import Q_, mag, parse_bounded, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["STARTS", "Plan", "PlanRule", "plan"]

STARTS = ("budget", "flop", "cluster")

TOKENS_PER_PARAM_SOURCE = "Chinchilla, Hoffmann et al. 2022 (arXiv 2203.15556)"
MEMORY_SOURCE = ("mixed-precision Adam: 2 bf16 weights + 2 bf16 grads + 4 fp32 master + 8 fp32 moments, before "
                 "activations (ZeRO, Rajbhandari et al., arXiv 1910.02054)")


PlanRule = RuleVerdict  # the 0.2 name of a rule row in a plan


@dataclass(frozen=True)
class Plan:
    """A training run planned from a budget, a FLOP figure or a cluster: every step of the chain.

    `flop` is the final run's compute (after overhead); `chip_hours` the cluster time bought
    (chips x days x 24 when there is a deadline; else the chip-hours the money buys), and
    `chip_hours_needed` the chip-hours the money buys (or the run needs, with overhead).
    """

    start: str  # "budget", "flop" or "cluster"
    budget: Quantity  # USD: everything paid, overhead included
    budget_low: Quantity | None
    budget_high: Quantity | None
    flop_bought: Quantity  # FLOP the chip-hours bought would do at the assumed efficiency (flop x overhead)
    flop: Quantity  # the final run's compute
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
    energy: Quantity  # MWh: chip-hours bought x TDP x server factor x average load x PUE
    memory: Quantity  # bytes: params x 16
    chip_memory: Quantity
    min_chips_for_memory: int
    rules: tuple[RuleVerdict, ...]
    as_of: _dt.date
    unit: CostResult = field(repr=False)
    origin: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    final_run_energy: Quantity | None = None  # MWh of the final run's chip-hours alone (cost's energy_mwh)
    run_chip_hours: Quantity | None = None  # the final run's chip-hours (chip_hours_needed / overhead)
    cost: Quantity | None = None  # the final run's compute cost at the price on the date (what dollar limits test)
    flop_centre: Quantity | None = None  # the evidence centre of the final run's FLOP (budget and cluster starts)
    delivered: DeliveredEvidence | None = field(default=None, repr=False)
    scenario: Scenario | None = field(default=None, repr=False, compare=False)

    @property
    def binding(self) -> tuple[RuleVerdict, ...]:
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
            "flop_centre": opt(self.flop_centre, "FLOP"),
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
            "run_chip_hours": opt(self.run_chip_hours, "hour"),
            "cost_usd": opt(self.cost, "USD"),
            "cost_with_overhead_usd": mag(self.budget, "USD"),
            "price_provider": u.price_provider,
            "tdp_w": mag(self.tdp, "W"),
            "server_power_factor": ea.server_power_factor,
            "average_load": ea.average_load,
            "pue": ea.pue,
            "power_mw": opt(self.power, "MW"),
            "energy_mwh": mag(self.energy, "MWh"),
            "final_run_energy_mwh": opt(self.final_run_energy, "MWh"),
            "bytes_per_param": calc.BYTES_PER_PARAM_TRAINING,
            "memory_bytes": mag(self.memory, "byte"),
            "chip_memory_bytes": mag(self.chip_memory, "byte"),
            "min_chips_for_memory": self.min_chips_for_memory,
            "as_of": self.as_of.isoformat(),
            "rules": [r.to_dict() for r in self.rules],
            "evidence": self.delivered.to_dict() if self.delivered is not None else evidence_dict(u.evidence),
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
         pue: Any = None, operator: str | None = None, as_of: _dt.date | str | None = None,
         rules: Iterable[Threshold] | None = None,
         include_all: bool = False, hardware: HardwareDB | None = None, fallback_precision: bool = False) -> Plan:
    """Plan a run from ONE starting point: a `budget` ('$50M'), a `flop` figure (1e26) or a cluster
    (`chips` with `days`). `days` with a budget or FLOP start adds the chips that finish in time.

    Assumptions (precision, peak, efficiency, price, price_tier, overhead) work as in cost();
    `tokens_per_param` defaults to 20 (Chinchilla); `as_of` is the date the rules are read on
    (default today) and, when given, the date the run is priced on, as in cost() and check();
    `rules` replaces the shipped thresholds; `include_all` lists every rule as binding;
    `fallback_precision` lets a chip without the precision asked use its default (for comparing chips).

        >>> p = plan("$50M", gpu="h100", days=90)
        >>> f"{p.flop.to('FLOP').magnitude:.4g}", p.chips, f"{p.params:.3g}"
        ('4.75e+25', 7717, '6.29e+11')
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
    r = parse_bounded(tokens_per_param, what="tokens per parameter") if tokens_per_param is not None \
        else calc.CHINCHILLA_TOKENS_PER_PARAM
    scn = scenario(gpu, precision=precision, peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                   as_of=as_of, overhead=overhead, chips=chips if start == "cluster" else None, days=days, pue=pue,
                   operator=operator, hardware=hardware, fallback_precision=fallback_precision)
    prof, d, o = scn.profile, scn.days, Q_(scn.overhead, "")
    n_chips: int | None = scn.chips
    ev_run: DeliveredEvidence | None = None
    usd_lo: Quantity | None = None
    usd_hi: Quantity | None = None
    if start == "budget":
        money = parse_quantity(budget, "usd", what="amount").to("USD")
        usd = money
        run_hours = calc.finite((money / o / scn.price_per_hour).to("hour"), "chip-hours")
        final = calc.finite((run_hours * scn.useful_flop_per_s).to("FLOP"), "FLOP")
        unit = _cost_of(scn, final)
        ev_run = delivered(scn, run_hours)
        usd_lo = usd_hi = usd
    elif start == "flop":
        final = parse_quantity(flop, "flop", what="FLOP").to("FLOP")
        unit = _cost_of(scn, final)
        run_hours = unit.chip_hours
        usd = unit.cost_with_overhead
        usd_lo, usd_hi = unit.cost_with_overhead_low, unit.cost_with_overhead_high
    else:
        run_hours = scn.cluster_chip_hours()
        final = scn.cluster_flop()
        unit = _cost_of(scn, final)
        usd = scn.paid(run_hours)
        ev_run = delivered(scn, run_hours)
        usd_lo = usd_hi = usd
    needed = calc.finite((run_hours * o).to("hour"), "chip-hours")  # bought: the final run plus overhead
    bought = calc.finite((final * o).to("FLOP"), "FLOP")
    f_lo = f_hi = f_mid = None
    if ev_run is not None:
        f_lo, f_hi, f_mid = ev_run.flop_low, ev_run.flop_high, ev_run.flop
    elif start == "flop":  # a FLOP figure given is exact: no interval on it (the interval is on its cost)
        f_lo = f_hi = final
    if n_chips is None and d is not None:
        n_chips = calc.fewest_chips(run_hours, d)
    hours = needed

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
        per_chip = scn.peak if "peak" in scn.given else theoretical_peak(prof)
        cluster_peak = mag(per_chip, "FLOP/s") * n_chips
    run_cost = scn.run_cost(run_hours)
    if start == "flop" and unit.evidence is not None and unit.evidence.cost_low is not None \
            and unit.evidence.cost_high is not None:
        usd_m = evidence_usd(mag(run_cost, "USD"), unit.evidence)
    else:
        usd_m = Measure(mag(run_cost, "USD"))
    if start == "flop":  # a FLOP figure given is the run's: the rules see it exactly, as check --flop does
        flop_m = Measure(mag(final, "FLOP"))
    else:
        flop_m = Measure(mag(final, "FLOP"), None if f_lo is None else mag(f_lo, "FLOP"),
                         None if f_hi is None else mag(f_hi, "FLOP"), None if f_mid is None else mag(f_mid, "FLOP"))
    figs = RunFigures(flop=flop_m, usd=usd_m, cluster_flop_per_s=cluster_peak)
    plan_rules = tuple(judge_all(rule_list, figs, scn.day, include_all=include_all))

    origin = dict(scn.origin)
    origin["tokens_per_param"] = "given" if tokens_per_param is not None else f"default ({TOKENS_PER_PARAM_SOURCE})"
    origin["bytes_per_param"] = MEMORY_SOURCE
    origin["server_power_factor"] = (ea.sources or {}).get("server_power_factor", "given")
    origin["average_load"] = (ea.sources or {}).get("average_load", "given")
    origin["tdp"] = f"profile {prof.id}"
    origin["chip_memory"] = f"profile {prof.id}"
    notes = list(dict.fromkeys(unit.notes))
    if n_chips is not None and n_chips < mem_chips:
        notes.append(f"the cluster ({plural(n_chips, 'chip')}) cannot hold the training state: that needs at least "
                     f"{plural(mem_chips, 'chip')} of {mag(prof.memory, 'GB'):g} GB")
    if n_chips is not None and start != "cluster" and d is not None:
        notes.append(f"{plural(n_chips, 'chip')} is the fewest that finish the final run ({mag(run_hours, 'hour'):,.0f} "
                     f"chip-hours) in {mag(d, 'day'):g} days; overhead adds time or chips beyond that")

    return Plan(
        start=start, budget=usd, budget_low=usd_lo, budget_high=usd_hi, flop_bought=bought, flop=final,
        flop_low=f_lo, flop_high=f_hi, params=params, tokens=tokens, tokens_per_param=r, gpu=prof.id,
        gpu_name=prof.name, precision=unit.precision, peak=unit.peak, efficiency=unit.efficiency,
        effective_flop_per_s=unit.effective_flop_per_s, flop_per_chip_hour=unit.flop_per_chip_hour, price=unit.price,
        overhead=unit.overhead, chip_hours_needed=needed, chip_hours=hours, chips=n_chips, days=d, tdp=prof.tdp,
        energy_assumptions=ea, power=power, energy=mwh, memory=memory, chip_memory=prof.memory,
        min_chips_for_memory=mem_chips, rules=plan_rules, as_of=scn.day, unit=unit, origin=origin, notes=tuple(notes),
        run_chip_hours=run_hours, cost=run_cost, flop_centre=f_mid, delivered=ev_run, scenario=scn,
        final_run_energy=calc.energy(run_hours, prof.tdp, ea.factor),
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
