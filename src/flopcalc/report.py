"""Turn results into rows (plain numbers, base units) and explanations. No click here."""

from __future__ import annotations

from typing import Any

from .calc import BudgetResult, CostResult, SizeResult
from .fmt import grouped, human, money, pct, sci
from .units import mag

__all__ = ["cost_row", "budget_row", "size_row", "explain_cost"]


def cost_row(r: CostResult, *, ranges: bool = True) -> dict[str, Any]:
    """One JSON/CSV row for a cost result: plain numbers in documented base units."""
    ea = r.energy_assumptions
    row: dict[str, Any] = {
        "flop": mag(r.flop, "FLOP"),
        "gpu": r.gpu,
        "gpu_name": r.gpu_name,
        "precision": r.precision,
        "peak_flop_per_s": mag(r.peak, "FLOP/s"),
        "efficiency": mag(r.efficiency, ""),
        "effective_flop_per_s": mag(r.effective_flop_per_s, "FLOP/s"),
        "flop_per_chip_hour": mag(r.flop_per_chip_hour, "FLOP"),
        "chip_hours": mag(r.chip_hours, "hour"),
        "price_usd_per_chip_hour": mag(r.price, "USD/hour"),
        "cost_usd": mag(r.cost, "USD"),
        "overhead": mag(r.overhead, ""),
        "cost_with_overhead_usd": mag(r.cost_with_overhead, "USD"),
    }
    if r.chips is not None:
        row["chips"] = r.chips
        row["wall_clock_days"] = mag(r.wall_clock, "day")
    if r.days is not None:
        row["days"] = mag(r.days, "day")
        row["chips_needed"] = r.chips_needed
    row.update({
        "energy_mwh": mag(r.energy, "MWh"),
        "co2e_tonnes": mag(r.co2e, "tCO2e"),
        "tdp_w": mag(r.tdp, "W"),
        "server_power_factor": ea.server_power_factor,
        "average_load": ea.average_load,
        "pue": ea.pue,
        "grid_intensity_kgco2e_per_kwh": ea.grid_intensity,
    })
    if ranges:
        row.update({
            "efficiency_low": mag(r.efficiency_low, ""),
            "efficiency_high": mag(r.efficiency_high, ""),
            "efficiency_range_basis": r.efficiency_basis,
            "price_usd_per_chip_hour_low": mag(r.price_low, "USD/hour"),
            "price_usd_per_chip_hour_high": mag(r.price_high, "USD/hour"),
            "chip_hours_low": mag(r.chip_hours_low, "hour"),
            "chip_hours_high": mag(r.chip_hours_high, "hour"),
            "cost_usd_low": mag(r.cost_low, "USD"),
            "cost_usd_high": mag(r.cost_high, "USD"),
            "cost_with_overhead_usd_low": mag(r.cost_with_overhead_low, "USD"),
            "cost_with_overhead_usd_high": mag(r.cost_with_overhead_high, "USD"),
        })
    row["assumptions_from"] = dict(r.origin)
    row["profile_file"] = r.profile_path
    row["notes"] = list(r.notes)
    return row


def budget_row(b: BudgetResult, *, ranges: bool = True) -> dict[str, Any]:
    """One JSON/CSV row for a budget result."""
    row: dict[str, Any] = {
        "usd": mag(b.usd, "USD"),
        "gpu": b.gpu,
        "precision": b.precision,
        "price_usd_per_chip_hour": mag(b.price, "USD/hour"),
        "effective_flop_per_s": mag(b.effective_flop_per_s, "FLOP/s"),
        "overhead": mag(b.overhead, ""),
        "chip_hours": mag(b.chip_hours, "hour"),
        "flop": mag(b.flop, "FLOP"),
        "flop_after_overhead": mag(b.flop_after_overhead, "FLOP"),
    }
    if ranges:
        row.update({
            "chip_hours_low": mag(b.chip_hours_low, "hour"),
            "chip_hours_high": mag(b.chip_hours_high, "hour"),
            "flop_low": mag(b.flop_low, "FLOP"),
            "flop_high": mag(b.flop_high, "FLOP"),
            "flop_after_overhead_low": mag(b.flop_after_overhead_low, "FLOP"),
            "flop_after_overhead_high": mag(b.flop_after_overhead_high, "FLOP"),
        })
    row["notes"] = list(b.notes)
    return row


def size_row(s: SizeResult) -> dict[str, Any]:
    return {"flop": mag(s.flop, "FLOP"), "params": s.params, "tokens": s.tokens,
            "tokens_per_param": s.tokens_per_param, "method": s.method}


def explain_cost(r: CostResult) -> list[str]:
    """The derivation, line by line, with the real numbers (the essay's arithmetic)."""
    f = mag(r.flop, "FLOP")
    pk = mag(r.peak, "FLOP/s")
    e = mag(r.efficiency, "")
    eff = mag(r.effective_flop_per_s, "FLOP/s")
    per_h = mag(r.flop_per_chip_hour, "FLOP")
    ch = mag(r.chip_hours, "hour")
    price = mag(r.price, "USD/hour")
    usd = mag(r.cost, "USD")
    ovh = mag(r.overhead, "")
    usd_o = mag(r.cost_with_overhead, "USD")
    o = r.origin
    lines = [
        f"{sci(f)} FLOP on {r.gpu_name} ({r.gpu}), {r.precision}",
        f"  peak ({r.precision}, dense)      {pk / 1e12:g} TFLOP/s = {sci(pk, 4)} FLOP/s   [{o.get('peak')}]",
        f"  x efficiency (MFU)       {pct(e)}   [{o.get('efficiency')}]",
        f"  = useful FLOP/s per chip {sci(pk, 4)} x {e:g} = {sci(eff, 4)} FLOP/s",
        f"  x 3600 s per hour        = {sci(per_h, 4)} FLOP per chip-hour",
        f"  chip-hours               {sci(f)} / {sci(per_h, 4)} = {human(ch)} chip-hours ({grouped(ch)})",
        f"  x price                  {money(price)} per chip-hour   [{o.get('price')}]",
        f"  = cost                   {money(usd)} ({'$' + grouped(usd)})",
        f"  x overhead               {ovh:g}x (failed runs, restarts, bugs)   [{o.get('overhead')}]",
        f"  = cost with overhead     {money(usd_o)} ({'$' + grouped(usd_o)})",
    ]
    if r.chips is not None:
        days = mag(r.wall_clock, "day")
        lines.append(f"  wall-clock on {r.chips:,} chips {human(ch)} / {r.chips:,} / 24 = {days:,.1f} days")
    if r.days is not None:
        d = mag(r.days, "day")
        lines.append(f"  chips to finish in {d:g} days {human(ch)} / ({d:g} x 24) = {r.chips_needed:,} chips")
    ea = r.energy_assumptions
    mwh = mag(r.energy, "MWh")
    lines += [
        f"  energy                   {human(ch)} chip-h x {mag(r.tdp, 'W'):g} W TDP x {ea.server_power_factor:g} "
        f"server x {ea.average_load:g} load x {ea.pue:g} PUE = {grouped(mwh)} MWh",
        f"  emissions                {grouped(mwh)} MWh x {ea.grid_intensity:g} kgCO2e/kWh = "
        f"{grouped(mag(r.co2e, 'tCO2e'))} tCO2e",
    ]
    if r.efficiency_low is not None and r.efficiency_low != r.efficiency_high:
        lines.append(
            f"  range                    efficiency {pct(mag(r.efficiency_low, ''))}-{pct(mag(r.efficiency_high, ''))}"
            f" ({r.efficiency_basis}), price {money(mag(r.price_low, 'USD/hour'))}-"
            f"{money(mag(r.price_high, 'USD/hour'))}: {human(mag(r.chip_hours_low, 'hour'))}-"
            f"{human(mag(r.chip_hours_high, 'hour'))} chip-hours, {money(mag(r.cost_low, 'USD'))}-"
            f"{money(mag(r.cost_high, 'USD'))}"
        )
    lines += [f"  note: {n}" for n in r.notes]
    return lines
