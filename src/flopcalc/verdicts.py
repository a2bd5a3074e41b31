"""Set a training run against the rules: its compute by one or two methods, with the evidence
interval, and a verdict per rule on a date ("crossed", "not crossed", "uncertain", or what is missing).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import calc
from .errors import InputError
from .estimate import CostResult, budget, cost
from .fmt import sci
from .hardware import HardwareDB, Profile, resolve
from .inputs import items_of, names, optional_name, parse_chips, parse_date, parse_peak
from .rows import Tabular
from .rules import BINDING_STATUSES, STATUSES, Limit, Threshold, load_thresholds
from .units import Q_, mag, parse_count, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["CheckResult", "ThresholdCheck", "ThresholdCost", "check", "threshold_costs", "theoretical_peak",
           "VERDICTS", "Modification"]

VERDICTS = ("crossed", "not crossed", "uncertain", "needs revenue", "needs cluster size", "needs base compute",
            "not applicable")


def theoretical_peak(prof: Profile) -> Quantity:
    """A chip's highest dense floating-point peak: what cluster tests ("theoretical maximum") count."""
    return max(prof.peak.values(), key=lambda q: mag(q, "FLOP/s")).to("FLOP/s")


@dataclass(frozen=True)
class Modification:
    """A fine-tuning or other downstream modification, and the model it modifies."""

    flop: float  # the modification's own compute
    base_flop: float | None  # the original model's training compute (None: unknown)
    formula: str

    @property
    def cumulative_flop(self) -> float | None:
        return None if self.base_flop is None else self.base_flop + self.flop


@dataclass(frozen=True)
class ThresholdCheck:
    """One threshold set against a run."""

    threshold: Threshold
    crossed: bool | None  # the point estimate; None: the run lacks a figure this rule tests
    ratio: float | None  # run / limit (the smallest over the rule's limits)
    days_to_cross: float | None  # more days at the run's rate to cross (hardware method, not yet crossed)
    verdict: str = "not applicable"
    status_on_date: str = ""
    binding: bool = False
    sees: str = "run"  # which figure the rule is tested on: run, cumulative, modification
    value: float | None = None  # the FLOP figure tested (for FLOP and relative limits)


@dataclass(frozen=True)
class CheckResult(Tabular):
    """A run's training compute, how it was estimated, and every threshold set against it."""

    flop: Quantity
    method: str  # "flop", "architecture", "hardware", "both" or "modification"
    architecture_flop: Quantity | None
    hardware_flop: Quantity | None
    gpu: str
    chips: int | None
    days: Quantity | None
    cluster_peak: Quantity | None
    cost: Quantity
    cost_basis: str
    checks: tuple[ThresholdCheck, ...]
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

    @property
    def method_ratio(self) -> float | None:
        """Hardware estimate / architecture estimate, when both are given."""
        if self.architecture_flop is None or self.hardware_flop is None:
            return None
        return mag(self.hardware_flop, "FLOP") / mag(self.architecture_flop, "FLOP")

    @property
    def binding(self) -> tuple[ThresholdCheck, ...]:
        return tuple(c for c in self.checks if c.binding)

    @property
    def others(self) -> tuple[ThresholdCheck, ...]:
        return tuple(c for c in self.checks if not c.binding)

    def to_dict(self) -> dict[str, Any]:
        from .rows import check_row

        return check_row(self)

    def __repr__(self) -> str:
        crossed = [c.threshold.id for c in self.checks if c.verdict == "crossed"]
        return (f"CheckResult(flop={mag(self.flop, 'FLOP'):.3g}, method={self.method!r}, "
                f"crossed={crossed[:4]}{'...' if len(crossed) > 4 else ''})")


def _verdict(states: list[str]) -> str:
    if any(s == "no" for s in states):
        return "not crossed"
    for need in ("needs revenue", "needs cluster size", "needs base compute", "not applicable"):
        if need in states:
            return need
    if all(s == "yes" for s in states):
        return "crossed"
    return "uncertain"


def _limit_state(lim: Limit, values: list[float], line: float | None = None) -> str:
    met = [lim.met_by(v, line) for v in values]
    return "yes" if all(met) else "no" if not any(met) else "mixed"


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
    or `gpu`, `chips` and `days` (chips x peak x efficiency x time), or both of the last two.
    When both methods are given, the larger estimate is checked (the cautious reading). For a
    modification, give `base_flop` (or "unknown") with `finetune_tokens` and `params` (and
    `trainable_params`), or `finetune_flop`.

        >>> r = check(params="400B", tokens="15T")
        >>> f"{r.flop.to('FLOP').magnitude:.2g}"
        '3.6e+25'
    """
    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    day = parse_date(as_of, what="as-of date") if as_of is not None else _dt.date.today()
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
            arch = calc.architecture_flop(n, d)
    elif tokens is not None or active_params is not None:
        raise InputError("for a modification give --finetune-tokens (not --tokens) with --params")
    hw_given = [x is not None for x in (chips, days)]
    if any(hw_given) and not all(hw_given):
        raise InputError("the hardware method needs --chips and --days (and --gpu, default h100)")
    prof = resolve(gpu, hardware)
    unit = cost(Q_(1.0, "FLOP"), prof, precision=precision, peak=peak, efficiency=efficiency, price=price,
                price_tier=price_tier, overhead=overhead, hardware=hardware)
    n_chips = parse_chips(chips) if chips is not None else None
    t_days = parse_quantity(days, "time", what="days") if days is not None else None  # in seconds, as given
    cluster = None
    flop_lo = flop_hi = None
    bf16 = None
    notes: list[str] = []
    if n_chips is not None and t_days is not None:
        hw = calc.cluster_flop(n_chips, t_days, unit.peak, mag(unit.efficiency, ""))
        ev = unit.evidence
        if ev is not None and ev.efficiency_low is not None and ev.efficiency_high is not None:
            flop_lo = calc.cluster_flop(n_chips, t_days, unit.peak, ev.efficiency_low)
            flop_hi = calc.cluster_flop(n_chips, t_days, unit.peak, ev.efficiency_high)
        cluster = calc.finite(((parse_peak(peak) if peak is not None else theoretical_peak(prof))
                               * Q_(n_chips, "")).to("FLOP/s"), "cluster FLOP/s")
        if precision is None and unit.precision == "fp8" and "bf16" in prof.peak:
            bf16 = calc.cluster_flop(n_chips, t_days, prof.peak["bf16"],
                                     prof.efficiency.get("bf16", mag(unit.efficiency, "")))
            notes.append(f"the whole run is assumed at {prof.id}'s FP8 peak ({prof.id}'s default precision); at "
                         f"BF16 it would be {sci(mag(bf16, 'FLOP'), 2)} FLOP (give --precision bf16)")
    direct = parse_quantity(flop, "flop", what="FLOP").to("FLOP") if flop is not None else None
    if mod is not None and (direct is not None or arch is not None or hw is not None):
        raise InputError("a modification check takes --base-flop with --finetune-tokens or --finetune-flop; "
                         "not --flop, --tokens or --chips")
    if direct is not None and (arch is not None or hw is not None):
        raise InputError("give --flop, or an estimation method (params and tokens, or chips and days), not both")
    if mod is not None:
        run, method = Q_(mod.flop, "FLOP"), "modification"
    elif direct is not None:
        run, method = direct, "flop"
    elif arch is not None and hw is not None:
        run, method = (arch if mag(arch, "FLOP") >= mag(hw, "FLOP") else hw), "both"
        if method == "both" and run is arch:
            flop_lo = flop_hi = None
    elif arch is not None:
        run, method = arch, "architecture"
    elif hw is not None:
        run, method = hw, "hardware"
    else:
        raise InputError("nothing to check: give --flop, or --params and --tokens, or --gpu, --chips and --days, "
                         "or a modification (--base-flop with --finetune-tokens)")
    rev = parse_quantity(revenue, "usd", what="revenue").to("USD") if revenue is not None else None

    if n_chips is not None and t_days is not None:
        dollars = calc.dollars((Q_(n_chips, "") * t_days).to("hour"), unit.price)
        basis = f"{n_chips:,} chips x {mag(t_days, 'day'):g} days x 24 h x ${mag(unit.price, 'USD/hour'):.2f}/h"
    else:
        dollars = calc.finite((mag(run, "FLOP") * unit.cost).to("USD"), "cost")
        basis = f"{sci(mag(run, 'FLOP'), 2)} FLOP on {prof.id} at its {unit.price_tier or 'default'} price"
    point = mag(run, "FLOP")
    lo = mag(flop_lo, "FLOP") if flop_lo is not None and method == "hardware" else point
    hi = mag(flop_hi, "FLOP") if flop_hi is not None and method == "hardware" else point
    usd_point = mag(dollars, "USD")
    flop_rate = (mag(unit.effective_flop_per_s, "FLOP/s") * n_chips * 86400) if n_chips and method == "hardware" \
        else None
    usd_rate = mag(unit.price, "USD/hour") * n_chips * 24 if n_chips and method == "hardware" else None

    checks = []
    for t in rules:
        status = t.status_on(day)
        if status == "absent":
            continue
        if wanted and status not in wanted:
            continue
        binding = include_all or bool(wanted) or status in BINDING_STATUSES
        checks.append(_check_one(t, status, binding, point=point, lo=lo, hi=hi, usd=usd_point,
                                 cluster=mag(cluster, "FLOP/s") if cluster is not None else None,
                                 revenue=mag(rev, "USD") if rev is not None else None, mod=mod,
                                 flop_rate=flop_rate, usd_rate=usd_rate))
    for t_check in checks:
        counting = t_check.threshold.counting
        tol = counting.get("tolerance") if counting else None
        if tol and flop_lo is not None and flop_hi is not None and method == "hardware":
            centre = math.sqrt(lo * hi)  # the evidence interval is symmetric in log space about its centre
            if hi / centre - 1 > tol or 1 - lo / centre > tol:
                notes.append(f"the evidence's 90% interval ({sci(lo, 2)}-{sci(hi, 2)} FLOP) runs from "
                             f"{lo / centre - 1:+.0%} to {hi / centre - 1:+.0%} of its centre, wider than the "
                             f"+-{tol:.0%} the EU accepts for a compute estimate")
                break
    return CheckResult(flop=run, method=method, architecture_flop=arch, hardware_flop=hw, gpu=prof.id,
                       chips=n_chips, days=t_days, cluster_peak=cluster, cost=dollars, cost_basis=basis,
                       checks=tuple(checks), as_of=day, precision=unit.precision, peak=unit.peak,
                       efficiency=mag(unit.efficiency, ""), price=unit.price, price_tier=unit.price_tier,
                       flop_low=Q_(lo, "FLOP"), flop_high=Q_(hi, "FLOP"),
                       evidence_basis=unit.evidence.basis if unit.evidence else None, revenue=rev, modification=mod,
                       notes=tuple(notes + list(unit.notes if method == "hardware" else ())), unit=unit, bf16_flop=bf16)


def _modification(*, base_flop: Any, finetune_tokens: Any, trainable_params: Any, finetune_flop: Any,
                  params: Any) -> Modification | None:
    if base_flop is None and finetune_tokens is None and finetune_flop is None and trainable_params is None:
        return None
    if base_flop is None:
        raise InputError("a modification check needs --base-flop (the original model's compute, or 'unknown')")
    base = None
    if not (isinstance(base_flop, str) and base_flop.strip().lower() == "unknown"):
        base = mag(parse_quantity(base_flop, "flop", what="base FLOP"), "FLOP")
    if finetune_flop is not None:
        if finetune_tokens is not None or trainable_params is not None:
            raise InputError("give --finetune-flop, or --finetune-tokens with --params, not both")
        return Modification(flop=mag(parse_quantity(finetune_flop, "flop", what="fine-tuning FLOP"), "FLOP"),
                            base_flop=base, formula="given")
    if finetune_tokens is None or params is None:
        raise InputError("modification compute needs --params and --finetune-tokens (or --finetune-flop)")
    n = float(parse_count(params, what="params"))
    d = float(parse_count(finetune_tokens, what="fine-tuning tokens"))
    nt = float(parse_count(trainable_params, what="trainable params")) if trainable_params is not None else n
    if nt > n:
        raise InputError(f"trainable params ({nt:.3g}) cannot exceed params ({n:.3g})")
    f = mag(calc.finetune_flop_value(n, d, nt), "FLOP")
    return Modification(flop=f, base_flop=base, formula=f"(4 x {sci(n, 2)} + 2 x {sci(nt, 2)}) x {sci(d, 2)}")


def _check_one(t: Threshold, status: str, binding: bool, *, point: float, lo: float, hi: float, usd: float,
               cluster: float | None, revenue: float | None, mod: Modification | None,
               flop_rate: float | None, usd_rate: float | None) -> ThresholdCheck:
    states = []
    ratios = []
    crossed: bool | None = True
    sees = "run"
    tested: float | None = None
    for lim in t.limits:
        if lim.kind == "relative":
            if mod is None:
                states.append("not applicable")
                crossed = None
                continue
            sees = "modification"
            line = lim.base if mod.base_flop is None else float(lim.fraction or 1) * mod.base_flop
            tested = mod.flop
            states.append(_limit_state(lim, [mod.flop], line))
            ratios.append(mod.flop / line)
            crossed = crossed if lim.met_by(mod.flop, line) else False
            continue
        if lim.kind == "flop":
            if mod is not None and t.cumulative:
                sees = "cumulative"
                if mod.cumulative_flop is None:
                    states.append("needs base compute")
                    crossed = None
                    continue
                vals = [mod.cumulative_flop]
            elif mod is not None:
                sees = "modification"
                vals = [mod.flop]
            else:
                vals = [point, lo, hi]
            tested = vals[0]
        elif lim.kind == "usd":
            vals = [usd]
        elif lim.kind == "flop_per_s":
            if cluster is None:
                states.append("needs cluster size")
                crossed = None
                continue
            vals = [cluster]
        else:  # revenue_usd
            if revenue is None:
                states.append("needs revenue")
                crossed = None
                continue
            vals = [revenue]
        states.append(_limit_state(lim, vals))
        ratios.append(vals[0] / lim.base)
        if crossed is not False and not lim.met_by(vals[0]):
            crossed = False
    if crossed is True and len(ratios) < len(t.limits):
        crossed = None
    if any(s == "no" for s in states):
        crossed = False
    verdict = _verdict(states)
    more = None
    if crossed is False and flop_rate and mod is None:
        more = _days_to_cross(t, {"flop": point, "usd": usd, "flop_per_s": cluster, "revenue_usd": revenue},
                              flop_rate, usd_rate)
    return ThresholdCheck(threshold=t, crossed=crossed, ratio=min(ratios) if ratios else None, days_to_cross=more,
                          verdict=verdict, status_on_date=status, binding=binding, sees=sees, value=tested)


def _days_to_cross(t: Threshold, values: Mapping[str, float | None], flop_per_day: float,
                   usd_per_day: float | None) -> float | None:
    """More days at the run's rate until every limit is met; None if time cannot do it (cluster size, revenue)."""
    need = 0.0
    for lim in t.limits:
        x = values.get(lim.kind)
        if x is not None and lim.met_by(x):
            continue
        rate = flop_per_day if lim.kind == "flop" else usd_per_day if lim.kind == "usd" else None
        if not rate or x is None:
            return None
        need = max(need, (lim.base - x) / rate)
    return need


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
                    price_tier: str | None = None, overhead: Any = None) -> list[ThresholdCost]:
    """For each threshold: the cost of its FLOP limit (or a relative limit's fallback), the chips that reach
    its FLOP/s limit at peak, and the FLOP its dollar limit buys, on `gpu`.

        >>> rows = threshold_costs(load_thresholds(), "h100")
        >>> eu = next(r for r in rows if r.threshold.id == "eu-ai-act-systemic-risk")
        >>> f"{eu.chip_hours.to('hour').magnitude:.3g}"
        '3.51e+06'
    """
    rules = items_of(rules, Threshold, what="rules")
    prof = resolve(gpu, hardware)
    kw: dict[str, Any] = dict(precision=precision, peak=peak, efficiency=efficiency, price=price,
                              price_tier=optional_name(price_tier, what="price tier"), overhead=overhead)
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


