"""flopcalc cost, budget and size."""

from __future__ import annotations

import sys
from typing import Any

import click

from . import cli, params
from .common import assumption_options, format_option, gpu_option, hardware_files_option, load_db, overrides
from .output import emit_data, emit_table

_ASSUMPTIONS = (
    "peak = dense tensor FLOP/s at the precision shown; eff = fraction of peak achieved (MFU); "
    "overhead multiplies cost for failed runs, restarts and bugs."
)


def _range(point: str, lo: str, hi: str, show: bool) -> str:
    return f"{point} ({lo}-{hi})" if show and (lo != point or hi != point) else point


@cli.command()
@click.argument("flop", nargs=-1, required=True, type=params.FLOP)
@gpu_option()
@assumption_options()
@click.option("--chips", type=params.CHIPS, help="Number of chips: adds wall-clock days.")
@click.option("--days", type=params.DAYS, help="Target wall-clock time (bare number: days): adds chips needed.")
@click.option("--pue", type=params.at_least("PUE", 1), help="Datacenter power usage effectiveness (default 1.2).")
@click.option("--grid-intensity", type=params.at_least("grid intensity", 0), metavar="KG_PER_KWH",
              help="Grid carbon intensity in kgCO2e/kWh (default 0.42).")
@format_option()
@click.option("--explain", is_flag=True, help="Print the derivation line by line, with the real numbers.")
@click.option("--no-range", is_flag=True, help="Hide the low-high ranges.")
@hardware_files_option()
def cost(flop: tuple[Any, ...], gpus: tuple[str, ...], fmt: str, explain: bool, no_range: bool,
         hardware_files: tuple[str, ...], chips: int | None, days: Any, pue: float | None,
         grid_intensity: float | None, **kw: Any) -> None:
    """What training with FLOP costs: chip-hours, dollars, energy.

    FLOP accepts 1e26, 1E+26, 10^26, 10**26 or a quantity ('100 YFLOP'). Several FLOP values
    and several --gpu give one row per combination.
    """
    from ..calc import cost as cost_fn
    from ..fmt import human, money, pct, sci
    from ..report import cost_row, explain_cost
    from ..units import mag

    db = load_db(hardware_files)
    results = [cost_fn(f, g, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity, hardware=db,
                       **overrides(kw))
               for g in gpus for f in flop]
    if explain:
        out = sys.stdout if fmt in ("table", "markdown") else sys.stderr
        for r in results:
            click.echo("\n".join(explain_cost(r)) + "\n", file=out)
    if fmt in ("json", "csv"):
        emit_data([cost_row(r, ranges=not no_range) for r in results], fmt)
        return
    show = not no_range
    headers = ["FLOP", "chip", "prec", "peak TFLOP/s", "eff", "$/chip-h", "chip-hours", "cost",
               "with overhead", "MWh", "tCO2e"]
    if chips is not None:
        headers.append("days")
    if days is not None:
        headers.append("chips needed")
    rows = []
    for r in results:
        o = mag(r.overhead, "")
        row = [
            sci(mag(r.flop, "FLOP")), r.gpu, r.precision, f"{mag(r.peak, 'TFLOP/s'):g}",
            pct(mag(r.efficiency, "")), money(mag(r.price, "USD/hour")),
            _range(human(mag(r.chip_hours, "hour")), human(mag(r.chip_hours_low, "hour")),
                   human(mag(r.chip_hours_high, "hour")), show),
            _range(money(mag(r.cost, "USD")), money(mag(r.cost_low, "USD")), money(mag(r.cost_high, "USD")), show),
            f"{money(mag(r.cost_with_overhead, 'USD'))} ({o:g}x)",
            human(mag(r.energy, "MWh")), human(mag(r.co2e, "tCO2e")),
        ]
        if chips is not None:
            row.append(f"{mag(r.wall_clock, 'day'):,.1f}")
        if days is not None:
            row.append(f"{r.chips_needed:,}")
        rows.append(row)
    footer = [_ASSUMPTIONS]
    if show and any(r.efficiency_low != r.efficiency_high or r.price_low != r.price_high for r in results):
        footer.append("Ranges (low-high) span the evidence for efficiency and price: see --explain, "
                      "'flopcalc calibrate'; hide them with --no-range.")
    ea = results[0].energy_assumptions
    footer.append(f"Energy = chip-hours x TDP x {ea.server_power_factor:g} (server) x {ea.average_load:g} (load) x "
                  f"PUE {ea.pue:g}; CO2e at {ea.grid_intensity:g} kgCO2e/kWh.")
    seen = set()
    for r in results:
        for n in r.notes:
            if n not in seen:
                seen.add(n)
                footer.append(f"Note: {n}")
    emit_table(headers, rows, fmt, footer=footer)


def _crossed(row: dict[str, Any]) -> str:
    binding = row["thresholds_crossed_in_force"]
    others = len(row["thresholds_crossed"]) - len(binding)
    text = ", ".join(binding) or "no binding rule"
    return text + (f" (+{others} other{'s' if others > 1 else ''})" if others else "")


@cli.command()
@click.argument("amount", nargs=-1, required=True, type=params.USD)
@gpu_option()
@assumption_options()
@format_option()
@click.option("--no-range", is_flag=True, help="Hide the low-high ranges.")
@click.option("--thresholds-file", "thresholds_files", multiple=True, metavar="PATH",
              help="Extra thresholds (YAML, same schema as the shipped file); repeatable.")
@hardware_files_option()
def budget(amount: tuple[Any, ...], gpus: tuple[str, ...], fmt: str, no_range: bool,
           thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """What an AMOUNT of money buys: chip-hours and FLOP, and the thresholds that crosses.

    AMOUNT accepts 100e6, '$100M', '2.5B' or '100 MUSD'.
    """
    from ..calc import budget as budget_fn
    from ..fmt import human, money, sci
    from ..report import budget_row
    from ..rules import crossed_by, load_thresholds
    from ..units import mag

    db = load_db(hardware_files)
    results = [budget_fn(a, g, hardware=db, **overrides(kw)) for g in gpus for a in amount]
    rules = load_thresholds(thresholds_files)
    rows = []
    for b in results:
        row = budget_row(b, ranges=not no_range)
        crossed = crossed_by(rules, flop=row["flop_after_overhead"], usd=row["usd"])
        row["thresholds_crossed"] = [t.id for t in crossed]
        row["thresholds_crossed_in_force"] = [t.id for t in crossed if t.status in ("in-force", "enacted")]
        rows.append(row)
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    show = not no_range
    table = []
    for b, row in zip(results, rows, strict=True):
        table.append([
            money(row["usd"]), b.gpu, b.precision, money(row["price_usd_per_chip_hour"]),
            _range(human(row["chip_hours"]), human(row.get("chip_hours_low", 0)),
                   human(row.get("chip_hours_high", 0)), show),
            _range(sci(row["flop"]), sci(row.get("flop_low", 0)), sci(row.get("flop_high", 0)), show),
            f"{sci(row['flop_after_overhead'])} (/{mag(b.overhead, ''):g})",
            _crossed(row),
        ])
    footer = ["FLOP after overhead = what a project spending this much can put into its final run "
              "(thresholds are checked against it)."]
    footer += [f"Note: {n}" for n in dict.fromkeys(n for b in results for n in b.notes)]
    footer.append("crosses: rules in force or enacted whose every limit that compute (and amount) meets; "
                  "--format json lists all in thresholds_crossed.")
    emit_table(["amount", "chip", "prec", "$/chip-h", "chip-hours", "FLOP", "after overhead", "crosses"],
               table, fmt, footer=footer)


@cli.command()
@click.argument("flop", nargs=-1, required=True, type=params.FLOP)
@click.option("--params", "n_params", type=params.positive("params"), help="Fix the parameter count: gives tokens.")
@click.option("--tokens", type=params.positive("tokens"), help="Fix the token count: gives parameters.")
@click.option("--tokens-per-param", type=params.positive("tokens per parameter"),
              help="Tokens per parameter for the compute-optimal split (default 20, Chinchilla).")
@format_option()
def size(flop: tuple[Any, ...], n_params: float | None, tokens: float | None, tokens_per_param: float | None,
         fmt: str) -> None:
    """What model FLOP trains: parameters and tokens with C = 6 N D (Chinchilla: ~20 tokens per parameter)."""
    from ..calc import size as size_fn
    from ..fmt import human, sci
    from ..report import size_row

    rows = [size_row(size_fn(f, params=n_params, tokens=tokens, tokens_per_param=tokens_per_param)) for f in flop]
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    emit_table(["FLOP", "params", "tokens", "tokens/param", "method"],
               [[sci(r["flop"]), human(r["params"]), human(r["tokens"]), f"{r['tokens_per_param']:.3g}",
                 r["method"]] for r in rows], fmt,
               footer=["C = 6 N D: about 6 FLOP per parameter per training token (forward and backward pass)."])
