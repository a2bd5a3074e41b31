"""The calculator: FLOP -> chip-hours -> dollars, and the inverses. No click here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from . import energy as _energy
from .errors import InputError
from .hardware import HardwareDB, Profile, resolve
from .units import Q_, parse_bounded, parse_number, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["CostResult", "BudgetResult", "SizeResult", "cost", "budget", "size", "parse_efficiency",
           "parse_overhead", "parse_chips"]


def parse_efficiency(value: Any, *, what: str = "efficiency") -> float:
    """A fraction in (0, 1]: 0.4, '0.4', '40%' or a dimensionless Quantity."""
    if hasattr(value, "dimensionless") and hasattr(value, "magnitude"):
        if not value.dimensionless:
            raise InputError(f"{what} {value!s:.40} must be a plain fraction in (0, 1], e.g. 0.4")
        value = float(value.to("").magnitude)
    scale = 1.0
    accepted = "a fraction in (0, 1] such as 0.4 (or '40%')"
    text = value
    if isinstance(value, str) and value.strip().endswith("%"):
        value, scale = value.strip()[:-1], 0.01
    try:
        x = parse_number(value, what=what, accepted=accepted) * scale
    except InputError:
        raise InputError(f"{what} {str(text)[:40]!r} is not a number: expected {accepted}") from None
    if not 0 < x <= 1:
        raise InputError(f"{what} {x:g} is outside (0, 1]: give a fraction such as 0.4 (or '40%')")
    return x


def parse_overhead(value: Any, *, what: str = "overhead") -> float:
    """A multiplier of at least 1 (1.5 means the project spends 50% more than the final run)."""
    x = parse_number(value, what=what, accepted="a multiplier of at least 1, e.g. 1.5")
    if x < 1:
        raise InputError(f"{what} {x:g} is below 1: it multiplies the cost, e.g. 1.5 (use 1 for none)")
    return x


def parse_chips(value: Any, *, what: str = "chips") -> int:
    """A whole number of chips, at least 1."""
    x = parse_number(value, what=what, accepted="a whole number of at least 1")
    if x < 1 or x != int(x):
        raise InputError(f"{what} {x:g} must be a whole number of at least 1")
    return int(x)


def _fewest_chips(ratio: float) -> int:
    """The fewest whole chips that do `ratio` chips' work in time (at least one), ignoring float noise."""
    k = math.ceil(ratio)
    if k > 1 and math.isclose(k - 1, ratio, rel_tol=1e-12):
        k -= 1
    return max(1, k)


@dataclass(frozen=True)
class CostResult:
    """Every step from FLOP to dollars, as pint Quantities, and where each assumption came from."""

    flop: pint.Quantity
    gpu: str
    gpu_name: str
    precision: str
    peak: pint.Quantity
    efficiency: pint.Quantity
    effective_flop_per_s: pint.Quantity
    flop_per_chip_hour: pint.Quantity
    chip_hours: pint.Quantity
    price: pint.Quantity
    cost: pint.Quantity
    overhead: pint.Quantity
    cost_with_overhead: pint.Quantity
    energy: pint.Quantity
    co2e: pint.Quantity
    tdp: pint.Quantity
    energy_assumptions: _energy.EnergyAssumptions
    chips: int | None = None
    wall_clock: pint.Quantity | None = None
    days: pint.Quantity | None = None
    chips_needed: int | None = None
    efficiency_low: pint.Quantity | None = None
    efficiency_high: pint.Quantity | None = None
    efficiency_basis: str | None = None
    price_low: pint.Quantity | None = None
    price_high: pint.Quantity | None = None
    origin: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()
    profile_path: str = ""

    @property
    def chip_hours_low(self) -> pint.Quantity:
        return self.flop / (self.peak * self.efficiency_high) if self.efficiency_high is not None else self.chip_hours

    @property
    def chip_hours_high(self) -> pint.Quantity:
        return self.flop / (self.peak * self.efficiency_low) if self.efficiency_low is not None else self.chip_hours

    @property
    def cost_low(self) -> pint.Quantity:
        return (self.chip_hours_low * (self.price_low if self.price_low is not None else self.price)).to("USD")

    @property
    def cost_high(self) -> pint.Quantity:
        return (self.chip_hours_high * (self.price_high if self.price_high is not None else self.price)).to("USD")

    @property
    def cost_with_overhead_low(self) -> pint.Quantity:
        return self.cost_low * self.overhead

    @property
    def cost_with_overhead_high(self) -> pint.Quantity:
        return self.cost_high * self.overhead


def _origin(given: Any, label: str) -> str:
    return "given" if given is not None else label


def cost(
    flop: Any,
    gpu: str | Profile | None = "h100",
    *,
    precision: str | None = None,
    peak: Any = None,
    efficiency: Any = None,
    price: Any = None,
    overhead: Any = None,
    chips: Any = None,
    days: Any = None,
    pue: Any = None,
    grid_intensity: Any = None,
    hardware: HardwareDB | None = None,
) -> CostResult:
    """What `flop` of training costs on one kind of chip.

    flop: a number, text ('1e26', '10^26', '100 YFLOP') or a FLOP Quantity.
    Overrides (peak, efficiency, price, overhead) take precedence over the chip's profile;
    `chips` adds wall-clock time; `days` adds the chips needed to finish in that time.
    """
    f = parse_quantity(flop, "flop", what="FLOP").to("FLOP")
    prof = resolve(gpu, hardware)
    prec = prof.check_precision(precision)
    base = f"profile {prof.id}"
    origin: dict[str, str] = {"precision": _origin(precision, f"{base} default")}

    pk = (parse_quantity(peak, "flop_rate", what="peak") if peak is not None else prof.peak[prec]).to("FLOP/s")
    origin["peak"] = _origin(peak, f"{base} ({prec}, dense)")
    eff = parse_efficiency(efficiency) if efficiency is not None else prof.efficiency_for(prec)
    origin["efficiency"] = _origin(efficiency, base)
    pr = (parse_quantity(price, "price", what="price", allow_zero=True) if price is not None else prof.price)
    pr = pr.to("USD/hour")
    origin["price"] = _origin(price, base)
    ovh = parse_overhead(overhead) if overhead is not None else prof.overhead
    origin["overhead"] = _origin(overhead, base)
    n_chips = parse_chips(chips) if chips is not None else None
    d = parse_quantity(days, "time", what="days").to("day") if days is not None else None

    ea = _energy.EnergyAssumptions(
        pue=parse_bounded(pue, what="PUE", lo=1, lo_open=False) if pue is not None else _energy.PUE,
        grid_intensity=(parse_bounded(grid_intensity, what="grid intensity", lo=0, lo_open=False)
                        if grid_intensity is not None else _energy.GRID_INTENSITY),
    )
    origin["pue"] = _origin(pue, "default")
    origin["grid_intensity"] = _origin(grid_intensity, "default")

    e = Q_(eff, "")
    effective = (pk * e).to("FLOP/s")
    per_hour = (effective * Q_(1, "hour")).to("FLOP")  # FLOP in one chip-hour
    chip_hours = (f / effective).to("hour")
    dollars = (chip_hours * pr).to("USD")
    o = Q_(ovh, "")
    energy = (chip_hours * prof.tdp * ea.factor).to("MWh")
    co2e = (energy * Q_(ea.grid_intensity, "kgCO2e/kWh")).to("tCO2e")

    wall = (chip_hours / n_chips).to("day") if n_chips else None
    needed = _fewest_chips(float((chip_hours / d).to("").magnitude)) if d is not None else None

    from .evidence import efficiency_evidence, notes_for

    ev = efficiency_evidence(prof, prec) if peak is None else None
    if efficiency is not None:
        e_lo = e_hi = eff
        basis = "given"
    elif ev is not None:
        e_lo, e_hi = min(ev.low, eff), max(ev.high, eff)
        basis = ev.basis
    else:
        e_lo = e_hi = eff
        basis = None
    if price is not None or prof.price_range is None:
        p_lo = p_hi = pr
    else:
        p_lo = min(prof.price_range[0].to("USD/hour"), pr)
        p_hi = max(prof.price_range[1].to("USD/hour"), pr)
    notes = notes_for(prof, prec, efficiency=eff, price=pr, ev=ev,
                      efficiency_given=efficiency is not None, price_given=price is not None)

    return CostResult(
        flop=f, gpu=prof.id, gpu_name=prof.name, precision=prec, peak=pk, efficiency=e,
        effective_flop_per_s=effective, flop_per_chip_hour=per_hour, chip_hours=chip_hours, price=pr,
        cost=dollars, overhead=o, cost_with_overhead=(dollars * o).to("USD"), energy=energy, co2e=co2e,
        tdp=prof.tdp, energy_assumptions=ea, chips=n_chips, wall_clock=wall, days=d, chips_needed=needed,
        efficiency_low=Q_(e_lo, ""), efficiency_high=Q_(e_hi, ""), efficiency_basis=basis,
        price_low=p_lo, price_high=p_hi, origin=MappingProxyType(origin), notes=tuple(notes),
        profile_path=prof.path,
    )


@dataclass(frozen=True)
class BudgetResult:
    """What an amount of money buys on one kind of chip."""

    usd: pint.Quantity
    gpu: str
    precision: str
    price: pint.Quantity
    overhead: pint.Quantity
    chip_hours: pint.Quantity
    flop: pint.Quantity
    flop_after_overhead: pint.Quantity
    effective_flop_per_s: pint.Quantity
    peak: pint.Quantity
    efficiency: pint.Quantity
    chip_hours_low: pint.Quantity
    chip_hours_high: pint.Quantity
    flop_low: pint.Quantity
    flop_high: pint.Quantity
    notes: tuple[str, ...] = ()

    @property
    def flop_after_overhead_low(self) -> pint.Quantity:
        return self.flop_low / self.overhead

    @property
    def flop_after_overhead_high(self) -> pint.Quantity:
        return self.flop_high / self.overhead


def budget(usd: Any, gpu: str | Profile | None = "h100", **kw: Any) -> BudgetResult:
    """How much training compute `usd` buys: the inverse of cost()."""
    money = parse_quantity(usd, "usd", what="amount").to("USD")
    # One FLOP through cost() gives every per-chip rate with the same overrides and checks.
    unit = cost(Q_(1.0, "FLOP"), gpu, **kw)
    if unit.price.magnitude == 0:
        raise InputError("price is zero, so any amount buys unlimited compute: give a price above zero")
    chip_hours = (money / unit.price).to("hour")
    flop = (chip_hours * unit.effective_flop_per_s).to("FLOP")
    ch_lo = (money / unit.price_high).to("hour")
    ch_hi = (money / unit.price_low).to("hour") if unit.price_low.magnitude > 0 else chip_hours
    f_lo = (ch_lo * unit.peak * unit.efficiency_low).to("FLOP")
    f_hi = (ch_hi * unit.peak * unit.efficiency_high).to("FLOP")
    return BudgetResult(
        usd=money, gpu=unit.gpu, precision=unit.precision, price=unit.price, overhead=unit.overhead,
        chip_hours=chip_hours, flop=flop, flop_after_overhead=(flop / unit.overhead).to("FLOP"),
        effective_flop_per_s=unit.effective_flop_per_s, peak=unit.peak, efficiency=unit.efficiency,
        chip_hours_low=ch_lo, chip_hours_high=ch_hi, flop_low=f_lo, flop_high=f_hi, notes=unit.notes,
    )


@dataclass(frozen=True)
class SizeResult:
    """A model size and token count that spend a FLOP budget (C = 6 N D)."""

    flop: pint.Quantity
    params: float
    tokens: float
    tokens_per_param: float
    method: str


CHINCHILLA_TOKENS_PER_PARAM = 20.0


def size(flop: Any, *, params: Any = None, tokens: Any = None, tokens_per_param: Any = None) -> SizeResult:
    """Compute-optimal parameters and tokens for `flop` (Hoffmann et al. 2022: ~20 tokens per parameter)."""
    c = float(parse_quantity(flop, "flop", what="FLOP").to("FLOP").magnitude)
    given = [x is not None for x in (params, tokens, tokens_per_param)]
    if sum(given) > 1:
        raise InputError("give at most one of params, tokens and tokens-per-param")
    if params is not None:
        n = parse_bounded(params, what="params")
        d = c / (6 * n)
        method = "tokens that spend the budget at the given parameter count"
    elif tokens is not None:
        d = parse_bounded(tokens, what="tokens")
        n = c / (6 * d)
        method = "parameters that spend the budget on the given token count"
    else:
        r = parse_bounded(tokens_per_param, what="tokens per parameter") if tokens_per_param is not None \
            else CHINCHILLA_TOKENS_PER_PARAM
        n = math.sqrt(c / (6 * r))
        d = r * n
        method = f"compute-optimal at {r:g} tokens per parameter"
    return SizeResult(flop=Q_(c, "FLOP"), params=n, tokens=d, tokens_per_param=d / n, method=method)
