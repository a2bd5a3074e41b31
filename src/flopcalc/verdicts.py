"""Set a training run against the rules: its compute by one or two methods, with the evidence
interval, and a verdict per rule on a date, with the reason (flopcalc.judgement decides both).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import calc
from .errors import InputError
from .estimate import (
    BudgetResult,
    CostResult,
    DeliveredEvidence,
    budget,
    cost,
    cost_of,
    delivered,
    evidence_usd,
)
from .fmt import plural, sci
from .hardware import HardwareDB, Profile, resolve
from .inputs import items_of, names, optional_name, parse_peak
from .judgement import (
    NEW_PROVIDER_RULE,
    VERDICTS,
    Measure,
    Modification,
    RuleVerdict,
    RunFigures,
    judge_all,
)
from .rows import Tabular
from .rules import STATUSES, Limit, Threshold, load_thresholds
from .scenario import Scenario, scenario, theoretical_peak
from .units import Q_, mag, parse_count, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["VERDICTS", "CheckResult", "Modification", "NewProvider", "ThresholdCheck", "ThresholdCost", "budget_verdicts", "check",
           "new_provider", "theoretical_peak", "threshold_costs"]

ThresholdCheck = RuleVerdict  # the 0.2 name of a rule's row in a check


@dataclass(frozen=True)
class NewProvider:
    """Whether a downstream modifier becomes the provider of a new GPAI model (EU guidelines), and why."""

    new_provider: bool | None  # None: no rule in the list decides it
    reason: str
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"new_provider": self.new_provider, "reason": self.reason, "rule": self.rule}


def new_provider(mod: Modification, rules: Iterable[Threshold]) -> NewProvider:
    """The EU test: a modification using more than one third of the original's compute makes a new model."""
    rule = next((t for t in rules if t.id == NEW_PROVIDER_RULE), None)
    lim = rule.limit("relative") if rule is not None else None
    if rule is None or lim is None:
        return NewProvider(None, "no rule in the list decides whether the modifier becomes a new model's provider")
    frac = lim.fraction
    if mod.base_flop is None or frac is None:
        line, how = lim.base, f"the fallback line of {sci(lim.base, 4)} FLOP (the original's compute is unknown)"
    else:
        line = float(frac) * mod.base_flop
        third = "one third" if (frac.numerator, frac.denominator) == (1, 3) else f"{frac.numerator}/{frac.denominator}"
        how = f"{third} of the original's {sci(mod.base_flop, 3)} FLOP ({sci(line, 4)})"
    met = lim.met_by(mod.flop, line)
    rel = ">" if mod.flop > line else "<" if mod.flop < line else "="
    verdict = ("the modifier becomes the provider of a new GPAI model under the EU guidelines" if met else
               "the modifier does not become the provider of a new GPAI model under the EU guidelines")
    return NewProvider(met, f"{verdict}, because its {sci(mod.flop, 3)} FLOP {rel} {how}", rule.id)


@dataclass(frozen=True)
class CheckResult(Tabular):
    """A run's training compute, how it was estimated, and every rule set against it on a date."""

    flop: Quantity
    method: str  # "flop", "architecture", "hardware", "both" or "modification"
    architecture_flop: Quantity | None
    hardware_flop: Quantity | None
    gpu: str
    chips: int | None
    days: Quantity | None
    cluster_peak: Quantity | None
    cost: Quantity  # the final run's compute cost at the price on the date (what dollar limits test)
    cost_basis: str
    checks: tuple[RuleVerdict, ...]
    as_of: _dt.date | None = None
    precision: str | None = None
    peak: Quantity | None = None
    efficiency: float | None = None
    price: Quantity | None = None
    price_tier: str | None = None
    flop_low: Quantity | None = None
    flop_high: Quantity | None = None
    evidence_basis: str | None = None
    revenue: Quantity | None = None
    modification: Modification | None = None
    notes: tuple[str, ...] = ()
    unit: CostResult | None = field(default=None, repr=False)
    bf16_flop: Quantity | None = None
    flop_centre: Quantity | None = None  # the evidence centre of the run's compute (hardware method)
    overhead: float = 1.0
    evidence: DeliveredEvidence | None = field(default=None, repr=False)
    provider: NewProvider | None = None
    scenario: Scenario | None = field(default=None, repr=False, compare=False)

    @property
    def method_ratio(self) -> float | None:
        """Hardware estimate / architecture estimate, when both are given."""
        if self.architecture_flop is None or self.hardware_flop is None:
            return None
        return mag(self.hardware_flop, "FLOP") / mag(self.architecture_flop, "FLOP")

    @property
    def cost_with_overhead(self) -> Quantity:
        out: Quantity = (self.cost * self.overhead).to("USD")
        return out

    @property
    def binding(self) -> tuple[RuleVerdict, ...]:
        return tuple(c for c in self.checks if c.binding)

    @property
    def upcoming(self) -> tuple[RuleVerdict, ...]:
        return tuple(c for c in self.checks if not c.binding and c.upcoming)

    @property
    def others(self) -> tuple[RuleVerdict, ...]:
        return tuple(c for c in self.checks if not c.binding and not c.upcoming)

    def to_dict(self) -> dict[str, Any]:
        from .rows import check_row

        return check_row(self)

    def __repr__(self) -> str:
        crossed = [c.threshold.id for c in self.checks if c.verdict == "crossed" and c.binding]
        return (f"CheckResult(flop={mag(self.flop, 'FLOP'):.3g}, method={self.method!r}, "
                f"crossed={crossed[:4]}{'...' if len(crossed) > 4 else ''})")


def check(*, flop: Any = None, params: Any = None, tokens: Any = None, active_params: Any = None,
          gpu: str | Profile | None = None, chips: Any = None, days: Any = None, precision: str | None = None,
          peak: Any = None, efficiency: Any = None, price: Any = None, price_tier: str | None = None,
          overhead: Any = None, revenue: Any = None, as_of: _dt.date | str | None = None,
          statuses: Iterable[str] | None = None, include_all: bool = False,
          base_flop: Any = None, finetune_tokens: Any = None, trainable_params: Any = None,
          finetune_flop: Any = None, rules: Iterable[Threshold] | None = None,
          hardware: HardwareDB | None = None) -> CheckResult:
    """Estimate a run's training compute and set it against every threshold, as the rules stood on `as_of`.

    Give `flop` directly, or `params` and `tokens` (C = 6 N D; `active_params` for mixture-of-experts),
    or `gpu`, `chips` and `days` (chips x peak x efficiency x time: the final run, no overhead), or both
    of the last two. When both methods are given, the larger estimate is checked (the cautious reading).
    For a modification, give `base_flop` (or "unknown") with `finetune_tokens` and `params` (and
    `trainable_params`), or `finetune_flop`. `as_of` (default today) picks each rule's status and, when
    given, prices the run on that date (flopcalc.scenario).

        >>> r = check(params="400B", tokens="15T")
        >>> f"{r.flop.to('FLOP').magnitude:.2g}"
        '3.6e+25'
    """
    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    wanted = set(names(statuses, what="statuses"))
    price_tier = optional_name(price_tier, what="price tier")
    bad = wanted - set(STATUSES)
    if bad:
        raise InputError(f"status {sorted(bad)[0][:30]!r} is not a status; use one of {', '.join(STATUSES)}")

    mod = _modification(base_flop=base_flop, finetune_tokens=finetune_tokens, trainable_params=trainable_params,
                        finetune_flop=finetune_flop, params=params)
    arch = hw = None
    if mod is None:
        if (params is None) != (tokens is None) and active_params is None:
            raise InputError("the architecture method needs both params and tokens (C = 6 x params x tokens)")
        if tokens is not None:
            n_raw = active_params if active_params is not None else params
            if n_raw is None:
                raise InputError("the architecture method needs params (or active params) and tokens")
            n = float(parse_count(n_raw, what="active params" if active_params is not None else "params"))
            d = float(parse_count(tokens, what="tokens"))
            if active_params is not None and params is not None:
                total = float(parse_count(params, what="params"))
                if n > total:
                    raise InputError(f"active params ({n:.3g}) cannot exceed params ({total:.3g})")
            arch = calc.architecture_flop(n, d)
    elif tokens is not None or active_params is not None:
        raise InputError("for a modification give fine-tuning tokens (not tokens) with params")
    if (chips is None) != (days is None):
        raise InputError("the hardware method needs chips and days (and a chip, default h100)")
    chip_note = None
    if gpu is None and chips is None and as_of is not None:  # the chip only prices the run: one on the market then
        from .hardware import default_db
        from .inputs import parse_date
        from .pricing import newest_released, released_on

        db = hardware or default_db()
        day0 = parse_date(as_of, what="as-of date")
        first = resolve(None, db)
        if not released_on(first, day0):
            alt = newest_released([p for p in db.all() if not p.is_user], day0)
            if alt is not None:
                gpu = alt
                chip_note = (f"priced on {alt.id}, the newest chip with prices on the market on {day0.isoformat()} "
                             f"({first.id} came out in {first.released}); give a chip to price it on another")
    scn = scenario(gpu, precision=precision, peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                   as_of=as_of, overhead=overhead, chips=chips, days=days, hardware=hardware)
    prof = scn.profile
    ev: DeliveredEvidence | None = None
    bf16 = None
    notes: list[str] = ([chip_note] if chip_note else []) + list(scn.notes)
    if scn.has_cluster:
        hw = scn.cluster_flop()
        ev = delivered(scn, scn.cluster_chip_hours())
        if precision is None and scn.precision == "fp8" and "bf16" in prof.peak:
            assert scn.days is not None
            bf16 = calc.cluster_flop(scn.chips or 0, scn.days, prof.peak["bf16"],
                                     prof.efficiency.get("bf16", scn.efficiency))
            notes.append(f"the whole run is assumed at {prof.id}'s FP8 peak ({prof.id}'s default precision); at "
                         f"BF16 it would be {sci(mag(bf16, 'FLOP'), 2)} FLOP (give precision bf16)")
    direct = parse_quantity(flop, "flop", what="FLOP").to("FLOP") if flop is not None else None
    if mod is not None and (direct is not None or arch is not None or hw is not None):
        raise InputError("a modification check takes the base FLOP with fine-tuning tokens or fine-tuning FLOP; "
                         "not a FLOP figure, tokens or a cluster")
    if direct is not None and (arch is not None or hw is not None):
        raise InputError("give a FLOP figure, or an estimation method (params and tokens, or chips and days), "
                         "not both")
    if mod is not None:
        run, method = Q_(mod.flop, "FLOP"), "modification"
    elif direct is not None:
        run, method = direct, "flop"
    elif arch is not None and hw is not None:
        run = arch if mag(arch, "FLOP") >= mag(hw, "FLOP") else hw
        method = "both"
    elif arch is not None:
        run, method = arch, "architecture"
    elif hw is not None:
        run, method = hw, "hardware"
    else:
        raise InputError("nothing to check: give a FLOP figure, or params and tokens, or a chip, chips and days, "
                         "or a modification (base FLOP with fine-tuning tokens)")
    rev = parse_quantity(revenue, "usd", what="revenue", allow_zero=True).to("USD") if revenue is not None else None
    unit = cost_of(scn, run)
    on_cluster = hw is not None and run is hw
    if hw is not None:  # a given cluster: its chip-hours, and so its dollars, are known whichever FLOP figure is used
        dollars = scn.run_cost(scn.cluster_chip_hours())
        assert scn.days is not None
        basis = (f"{plural(scn.chips or 0, 'chip')} x {mag(scn.days, 'day'):g} days x 24 h x "
                 f"${mag(scn.price_per_hour, 'USD/hour'):.2f}/h")
    else:
        dollars = unit.cost
        basis = f"{sci(mag(run, 'FLOP'), 2)} FLOP on {prof.id} at {scn.price.description}"
    point = mag(run, "FLOP")
    if on_cluster and ev is not None and ev.flop_low is not None and ev.flop_high is not None:
        flop_m = Measure(point, mag(ev.flop_low, "FLOP"), mag(ev.flop_high, "FLOP"),
                         None if ev.flop is None else mag(ev.flop, "FLOP"))
        usd_m = Measure(mag(dollars, "USD"))
    elif hw is not None:  # the architecture's FLOP, larger than the cluster's: its dollars are still the cluster's
        flop_m = Measure(point)
        usd_m = Measure(mag(dollars, "USD"))
    elif method in ("flop", "architecture", "both") and unit.evidence is not None \
            and unit.evidence.cost_low is not None and unit.evidence.cost_high is not None:
        flop_m = Measure(point)
        usd_m = evidence_usd(mag(dollars, "USD"), unit.evidence)
    else:
        flop_m = Measure(point)
        usd_m = Measure(mag(dollars, "USD"))
    cluster = scn.cluster_peak()
    provider = new_provider(mod, rules) if mod is not None else None
    figs = RunFigures(flop=flop_m, usd=usd_m, cluster_flop_per_s=None if cluster is None else mag(cluster, "FLOP/s"),
                      revenue_usd=None if rev is None else mag(rev, "USD"), modification=mod,
                      new_provider=None if provider is None else provider.new_provider,
                      flop_per_day=(mag(scn.useful_flop_per_s, "FLOP/s") * (scn.chips or 0) * 86400)
                      if on_cluster else None,
                      usd_per_day=mag(scn.price_per_hour, "USD/hour") * (scn.chips or 0) * 24 if on_cluster else None)
    checks = judge_all(rules, figs, scn.day, statuses=wanted, include_all=include_all)
    lo, hi = flop_m.low, flop_m.high
    if lo is not None and hi is not None:
        for c in checks:
            tol = c.threshold.counting.get("tolerance") if c.threshold.counting else None
            centre = flop_m.centre or math.sqrt(lo * hi)
            if tol and (hi / centre - 1 > tol or 1 - lo / centre > tol):
                notes.append(f"the evidence's 90% interval ({sci(lo, 2)}-{sci(hi, 2)} FLOP) runs from "
                             f"{lo / centre - 1:+.0%} to {hi / centre - 1:+.0%} of its centre, wider than the "
                             f"+-{tol:.0%} the EU accepts for a compute estimate")
                break
    return CheckResult(flop=run, method=method, architecture_flop=arch, hardware_flop=hw, gpu=prof.id,
                       chips=scn.chips, days=scn.days, cluster_peak=cluster, cost=dollars, cost_basis=basis,
                       checks=tuple(checks), as_of=scn.day, precision=scn.precision, peak=scn.peak,
                       efficiency=scn.efficiency, price=scn.price_per_hour, price_tier=scn.price.tier,
                       flop_low=Q_(lo if lo is not None else point, "FLOP"),
                       flop_high=Q_(hi if hi is not None else point, "FLOP"),
                       evidence_basis=(ev.basis if ev is not None else unit.evidence.basis if unit.evidence else None),
                       revenue=rev, modification=mod,
                       notes=tuple(dict.fromkeys(notes + list(unit.notes if on_cluster else ()))), unit=unit,
                       bf16_flop=bf16, flop_centre=None if flop_m.centre is None else Q_(flop_m.centre, "FLOP"),
                       overhead=scn.overhead, evidence=ev, provider=provider, scenario=scn)


def budget_verdicts(b: BudgetResult, rules: Iterable[Threshold] | None = None, *,
                    include_all: bool = False) -> list[RuleVerdict]:
    """The rules on the budget's date against the final run it buys: its FLOP (with the evidence interval)
    and its compute cost (budget / overhead)."""
    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    d = b.delivered
    lo = hi = mid = None
    if d is not None and d.flop_low is not None and d.flop_high is not None:
        lo, hi = mag(d.flop_low, "FLOP"), mag(d.flop_high, "FLOP")
        mid = None if d.flop is None else mag(d.flop, "FLOP")
    figs = RunFigures(flop=Measure(mag(b.flop_after_overhead, "FLOP"), lo, hi, mid), usd=Measure(mag(b.run_cost, "USD")))
    scn = b.unit.scenario
    day = scn.day if scn is not None else _dt.date.today()
    return judge_all(rules, figs, day, include_all=include_all)


def _modification(*, base_flop: Any, finetune_tokens: Any, trainable_params: Any, finetune_flop: Any,
                  params: Any) -> Modification | None:
    if base_flop is None and finetune_tokens is None and finetune_flop is None and trainable_params is None:
        return None
    if base_flop is None:
        raise InputError("a modification check needs the base FLOP (the original model's compute, or 'unknown')")
    base = None
    if not (isinstance(base_flop, str) and base_flop.strip().lower() == "unknown"):
        base = mag(parse_quantity(base_flop, "flop", what="base FLOP"), "FLOP")
    if finetune_flop is not None:
        if finetune_tokens is not None or trainable_params is not None:
            raise InputError("give the fine-tuning FLOP, or fine-tuning tokens with params, not both")
        return Modification(flop=mag(parse_quantity(finetune_flop, "flop", what="fine-tuning FLOP"), "FLOP"),
                            base_flop=base, formula="given")
    if finetune_tokens is None or params is None:
        raise InputError("modification compute needs params and fine-tuning tokens (or the fine-tuning FLOP)")
    n = float(parse_count(params, what="params"))
    d = float(parse_count(finetune_tokens, what="fine-tuning tokens"))
    nt = float(parse_count(trainable_params, what="trainable params")) if trainable_params is not None else n
    if nt > n:
        raise InputError(f"trainable params ({nt:.3g}) cannot exceed params ({n:.3g})")
    f = mag(calc.finetune_flop_value(n, d, nt), "FLOP")
    return Modification(flop=f, base_flop=base, formula=f"(4 x {sci(n, 2)} + 2 x {sci(nt, 2)}) x {sci(d, 2)}")


@dataclass(frozen=True)
class ThresholdCost:
    """What one threshold means on one chip."""

    threshold: Threshold
    gpu: str
    chip_hours: Quantity | None = None
    cost: Quantity | None = None
    cost_with_overhead: Quantity | None = None
    chips_needed: int | None = None
    cluster_peak_per_chip: Quantity | None = None
    flop_for_usd: Quantity | None = None
    estimate: CostResult | None = None


def _chips_to_meet(limit: Limit, per_chip: float) -> int:
    n = limit.base / per_chip
    if not math.isfinite(n) or n > 1e18:
        raise InputError("chips needed comes out too large to count: the peak given is too small")
    k = max(1, math.ceil(n))
    while k > 1 and limit.met_by((k - 1) * per_chip):
        k -= 1
    while not limit.met_by(k * per_chip):
        k += 1
    return k


def threshold_costs(rules: Iterable[Threshold], gpu: str | Profile, *, hardware: HardwareDB | None = None,
                    precision: str | None = None, peak: Any = None, efficiency: Any = None, price: Any = None,
                    price_tier: str | None = None, overhead: Any = None,
                    fallback_precision: bool = False, as_of: _dt.date | str | None = None) -> list[ThresholdCost]:
    """For each threshold: the cost of its FLOP limit (or a relative limit's fallback), the chips that reach
    its FLOP/s limit at peak, and the FLOP its dollar limit buys, on `gpu`. `as_of` prices the chip on that date
    and refuses a chip not yet released, as cost() does.

        >>> rows = threshold_costs(load_thresholds(), "h100")
        >>> eu = next(r for r in rows if r.threshold.id == "eu-ai-act-systemic-risk")
        >>> f"{eu.chip_hours.to('hour').magnitude:.3g}"
        '3.51e+06'
    """
    rules = items_of(rules, Threshold, what="rules")
    prof = resolve(gpu, hardware)
    if fallback_precision and precision is not None and not prof.has_precision(precision):
        precision = None  # a chip without the precision asked uses its default (comparing several chips)
    kw: dict[str, Any] = dict(precision=precision, peak=peak, efficiency=efficiency, price=price,
                              price_tier=optional_name(price_tier, what="price tier"), overhead=overhead, as_of=as_of)
    out = []
    for t in rules:
        fields: dict[str, Any] = {}
        fl = t.limit("flop") or t.limit("relative")
        fs, us = t.limit("flop_per_s"), t.limit("usd")
        if fl is not None:
            r = cost(fl.value, prof, hardware=hardware, **kw)
            fields.update(chip_hours=r.chip_hours, cost=r.cost, cost_with_overhead=r.cost_with_overhead, estimate=r)
        if fs is not None:
            pk = parse_peak(peak) if peak is not None else theoretical_peak(prof)
            fields.update(chips_needed=_chips_to_meet(fs, mag(pk, "FLOP/s")), cluster_peak_per_chip=pk)
        if us is not None:
            fields.update(flop_for_usd=budget(us.value, prof, hardware=hardware, **kw).flop)
        out.append(ThresholdCost(threshold=t, gpu=prof.id, **fields))
    return out


