"""flopcalc cost, budget and size."""

from __future__ import annotations

import sys
from typing import Any

import click

from . import cli, params
from .common import (
    assumption_options,
    energy_options,
    format_option,
    gpu_option,
    hardware_files_option,
    load_db,
    overrides,
    thresholds_files_option,
)
from .output import echo, emit_data, emit_table

_ASSUMPTIONS = (
    "peak = dense tensor FLOP/s at the precision shown; eff = the ASSUMED efficiency (fraction of that peak over "
    "billed chip-hours); overhead multiplies cost for failed runs, restarts and bugs."
)
_EVIDENCE = ("evidence = what known runs on the chip or its generation imply: all-in efficiency from billed "
             "chip-hours, centre (90% interval); 'class' = no runs yet on this chip's generation, so the figure of "
             "all runs of its precision class; 'cited' = from the profile's cited MFU range, not from runs. "
             "See 'flopcalc calibrate' and docs/evidence-method.md.")


def _ev_cell(point: str, lo: str, hi: str, basis: str, runs: int) -> str:
    return f"{point} ({lo}-{hi})" + ("" if basis == "runs" else f" {basis}")


def _lazy(name: str, fn: str) -> params._Parsed:
    """A parameter type whose parser lives in flopcalc.bases (imported only when the option is given)."""
    def parse(v: str) -> Any:
        from .. import bases

        return getattr(bases, fn)(v)

    return params._Parsed(name, parse)


_BASES = ("rental", "amortized", "acquisition", "all")


@cli.command()
@click.argument("flop", nargs=-1, required=False, type=params.FLOP)
@gpu_option()
@assumption_options()
@click.option("--as-of", type=params.DATE,
              help="Price each chip on this date: its tier's median quote of the 12 months to it (default: the "
                   "profile's price, the essay-style assumption); a chip not yet released is refused.")
@click.option("--chips", type=params.CHIPS, help="Number of chips: adds wall-clock days (and sizes the cluster "
                                                 "--basis acquisition buys).")
@click.option("--days", type=params.DAYS, help="Target wall-clock time (bare number: days): adds chips needed.")
@click.option("--basis", type=_lazy("BASIS", "parse_basis"),
              help="Which dollars (default rental): rental (chip-hours at a market price), amortized (what the owner's run costs: "
                   "depreciation + interconnect + energy, Epoch AI's method), acquisition (buying the cluster) "
                   "or all. See docs/cost-bases.md.")
@click.option("--chip-hours", type=_lazy("H", "parse_chip_hours"),
              help="A run given as chip-hours instead of FLOP (FLOP = chip-hours x useful FLOP per chip-hour at "
                   "the assumption).")
@click.option("--start", type=_lazy("DATE", "parse_start"),
              help="Training start, YYYY-MM-DD (amortized and acquisition; default: --as-of, else today).")
@click.option("--dollars", type=_lazy("YYYY-MM", "parse_dollars"),
              help="State every dollar in this month's dollars by the producer price index PCU518210518210 "
                   "(default: nominal dollars at the price's date).")
@energy_options()
@click.option("--grid-intensity", type=params.at_least("grid intensity", 0, hi=2.0, hint=" kgCO2e/kWh (400 g/kWh is 0.4)"),
              metavar="KG_PER_KWH",
              help="Grid carbon intensity in kgCO2e/kWh (default 0.42).")
@format_option()
@click.option("--explain", is_flag=True, help="Print the derivation line by line, with the real numbers.")
@click.option("--no-range", is_flag=True, help="Hide the evidence columns.")
@hardware_files_option()
def cost(flop: tuple[Any, ...], gpus: tuple[str, ...], fmt: str, explain: bool, no_range: bool,
         hardware_files: tuple[str, ...], chips: int | None, days: Any, pue: float | None,
         grid_intensity: float | None, as_of: Any, basis: str | None, chip_hours: Any, start: Any, dollars: str | None,
         operator: str | None, **kw: Any) -> None:
    """What training with FLOP costs: chip-hours, dollars, energy; the assumption and the evidence.

    FLOP accepts 1e26, 1E+26, 10^26, 10**26 or a quantity ('100 YFLOP'). Several FLOP values
    and several --gpu give one row per combination. --chip-hours H instead of FLOP gives a run
    by its chip-hours. --basis amortized|acquisition|all adds what the run costs the owner and
    what the cluster costs to buy (docs/cost-bases.md).
    """
    from ..estimate import basis_notes, cost_table
    from ..fmt import human, money, money_sig, pct, sci, sig
    from ..rows import cost_row, energy_line, explain_cost
    from ..units import mag

    db = load_db(hardware_files)
    if chip_hours is not None and flop:
        raise click.UsageError(f"give FLOP or --chip-hours, not both: got FLOP {sci(mag(flop[0], 'FLOP'))} and "
                               f"--chip-hours {mag(chip_hours, 'hour'):g}")
    if chip_hours is None and not flop:
        raise click.UsageError("Missing argument 'FLOP...': give FLOP (e.g. 1e26) or --chip-hours H (e.g. 5.7e7)")
    basis = basis or "rental"
    if basis != "rental" or chip_hours is not None or dollars is not None or start is not None:
        from ..bases import cost_table_on_bases

        on = cost_table_on_bases(flop, gpus, chip_hours=chip_hours, basis=basis, start=start, dollars=dollars,
                                 operator=operator, hardware=db, chips=chips, days=days, pue=pue,
                                 grid_intensity=grid_intensity, as_of=as_of, **overrides(kw))
        if explain:
            for b in on:
                echo("\n".join(explain_cost(b.rental)) + "\n", err=fmt not in ("table", "markdown"))
        if fmt in ("json", "csv"):
            emit_data([b.to_dict(ranges=not no_range) for b in on], fmt)
            return
        if basis != "rental":
            _bases_table(on, fmt, no_range=no_range)
            return
        results = [b.rental for b in on]
    elif fmt in ("json", "csv") and not explain:  # rows stream out as they are computed
        from ..estimate import iter_cost_table
        from .output import emit_rows

        emit_rows((cost_row(r, ranges=not no_range) for r in iter_cost_table(
            flop, gpus, hardware=db, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity, as_of=as_of,
            operator=operator, **overrides(kw))), fmt)
        return
    else:
        results = cost_table(flop, gpus, hardware=db, chips=chips, days=days, pue=pue, grid_intensity=grid_intensity,
                             as_of=as_of, operator=operator, **overrides(kw))
    if explain and chip_hours is None and dollars is None:  # (explained above otherwise)
        out = sys.stdout if fmt in ("table", "markdown") else sys.stderr
        for r in results:
            echo("\n".join(explain_cost(r)) + "\n", err=out is sys.stderr)
    if fmt in ("json", "csv"):
        emit_data([cost_row(r, ranges=not no_range) for r in results], fmt)
        return
    show = not no_range
    headers = ["FLOP", "chip", "prec", "peak TFLOP/s", "eff", "$/chip-h (tier)", "chip-hours", "cost",
               "with overhead"]
    if show:
        headers += ["evidence chip-h (90%)", "evidence cost (90%)"]
    headers += ["MWh", "tCO2e"]
    if chips is not None:
        headers.append("days")
    if days is not None:
        headers.append("chips needed")
    rows = []
    for r in results:
        o = mag(r.overhead, "")
        tier = r.price_tier or "untiered"
        row = [
            sci(mag(r.flop, "FLOP")), f"{r.gpu_name} ({r.gpu})" if fmt == "markdown" else r.gpu,
            r.precision + ("*" if r.precision_fallback else ""),
            f"{mag(r.peak, 'TFLOP/s'):g}", pct(mag(r.efficiency, "")),
            f"{money(mag(r.price, 'USD/hour'))} ({tier}{', ' + r.price_date if r.price_date else ''}"
            f"{', ' + r.price_provider if r.price_provider else ''}{', estimate' if r.price_is_estimate else ''})",
            human(mag(r.chip_hours, "hour")), money(mag(r.cost, "USD")),
            f"{money(mag(r.cost_with_overhead, 'USD'))} ({o:g}x)",
        ]
        if show:
            ev = r.evidence
            if ev is not None and ev.chip_hours is not None:
                # The evidence's figures are set together: with chip-hours come their interval and the cost's.
                assert ev.chip_hours_low is not None and ev.chip_hours_high is not None
                assert ev.cost is not None and ev.cost_low is not None and ev.cost_high is not None
                row += [_ev_cell(sig(mag(ev.chip_hours, "hour")), sig(mag(ev.chip_hours_low, "hour")),
                                 sig(mag(ev.chip_hours_high, "hour")), ev.basis, ev.runs),
                        _ev_cell(money_sig(mag(ev.cost, "USD")), money_sig(mag(ev.cost_low, "USD")),
                                 money_sig(mag(ev.cost_high, "USD")), ev.basis, ev.runs)]
            else:
                row += ["none", "none"]
        row += [human(mag(r.energy, "MWh")), human(mag(r.co2e, "tCO2e"))]
        if chips is not None:
            assert r.wall_clock is not None  # cost() gives the wall-clock time whenever it is given chips
            row.append(f"{mag(r.wall_clock, 'day'):,.1f}")
        if days is not None:
            row.append(f"{r.chips_needed:,}")
        rows.append(row)
    footer = [_ASSUMPTIONS]
    if show:
        footer.append(_EVIDENCE)
    footer += basis_notes(results)
    footer.append(energy_line(results))
    if len(results) == 1:
        footer.append(f"In one sentence: {results[0].summary}")
    for n in dict.fromkeys(n for r in results for n in r.notes):
        footer.append(f"Note: {n}")
    emit_table(headers, rows, fmt, footer=footer)


def _bases_table(on: list[Any], fmt: str, *, no_range: bool) -> None:
    """The three dollars side by side (or the one asked for), and which reader means which."""
    from ..bases import READERS
    from ..fmt import human, money, money_sig, sci
    from ..units import mag

    basis = on[0].basis
    want = ("rental", "amortized", "acquisition") if basis == "all" else (basis,)
    headers = ["FLOP", "chip", "chip-hours", "start"]
    if "rental" in want:
        headers += ["rental ($/chip-h, tier)"]
    if "amortized" in want:
        headers += ["amortized", "hardware + interconnect + energy"]
    if "acquisition" in want:
        headers += ["acquisition (chips)"]

    def rng(q: Any, lo: Any, hi: Any, what: str = "range") -> str:
        if q is None:
            return "n/a"
        point = money_sig(mag(q, "USD"))
        if no_range or lo is None or hi is None:
            return point
        a, b = sorted((mag(lo, "USD"), mag(hi, "USD")))
        return f"{point} ({what} {money_sig(a)}-{money_sig(b)})"

    rows = []
    for b in on:
        r, c = b.rental, b.costs
        ev = r.evidence
        row = [sci(mag(r.flop, "FLOP")), r.gpu, human(mag(r.chip_hours, "hour")), b.start]
        if "rental" in want:
            row.append(f"{rng(r.cost, ev.cost_low if ev else None, ev.cost_high if ev else None, 'evidence 90%')} "
                       f"({money(mag(r.price, 'USD/hour'))}, {r.price_tier or 'untiered'})")
        if "amortized" in want:
            assert c is not None
            row.append(rng(c.amortized, c.amortized_low, c.amortized_high))
            row.append(f"{money_sig(mag(c.hardware, 'USD'))} + {money_sig(mag(c.interconnect, 'USD'))} + "
                       f"{money_sig(mag(c.energy, 'USD'))}")
        if "acquisition" in want:
            assert c is not None
            row.append(f"{rng(c.acquisition, c.acquisition_low, c.acquisition_high)}"
                       + (f" ({c.chips:,})" if c.chips is not None else ""))
        rows.append(row)
    footer = [f"Dollars: {on[0].dollars}." if len({b.dollars for b in on}) == 1
              else "Dollars: " + "; ".join(f"{b.rental.gpu} {b.dollars}" for b in on) + "."]
    footer.append("Which dollars: " + READERS)
    if not no_range:
        footer.append("Ranges: the first figure is at the assumption; rental's range is the evidence's 90% "
                      "interval (what known runs imply, which need not contain the assumption); amortized's range "
                      "carries the same chip-hours interval (none when --chip-hours gives them), the depreciation "
                      "band (0.10-0.19 orders of magnitude a year) and the server price range; acquisition's the "
                      "price range. See docs/cost-bases.md.")
    for n in dict.fromkeys(n for b in on for n in (*b.rental.notes, *b.notes)):
        footer.append(f"Note: {n}")
    emit_table(headers, rows, fmt, footer=footer)


def _crossed(row: dict[str, Any]) -> str:
    binding = row["thresholds_crossed"]
    upcoming = [r["id"] for r in row["rules"] if r["upcoming"] and r["verdict"] == "crossed"]
    text = ", ".join(binding) or "no rule in force"
    return text + (f" (from their effective dates: {', '.join(upcoming)})" if upcoming else "")


@cli.command()
@click.argument("amount", nargs=-1, required=True, type=params.USD)
@gpu_option()
@assumption_options()
@click.option("--as-of", type=params.DATE,
              help="Price each chip, and read the rules, as they stood on this date (default: today's rules, the "
                   "profile's default price).")
@click.option("--all", "show_all", is_flag=True, help="List every rule in `rules` (JSON), each labelled by status.")
@format_option()
@click.option("--no-range", is_flag=True, help="Hide the evidence interval.")
@thresholds_files_option()
@hardware_files_option()
def budget(amount: tuple[Any, ...], gpus: tuple[str, ...], fmt: str, no_range: bool, as_of: Any, show_all: bool,
           thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """What an AMOUNT of money buys: the final run (AMOUNT / overhead) in chip-hours and FLOP, with the evidence
    interval, and the rules in force it crosses.

    AMOUNT accepts 100e6, '$100M', '2.5B' or '100 MUSD'.
    """
    from ..estimate import budget as budget_fn
    from ..fmt import human, money, sci
    from ..rows import budget_row
    from ..rules import load_thresholds
    from ..rules import BINDING_STATUSES
    from ..verdicts import budget_verdicts

    db = load_db(hardware_files)
    chosen = db.unique(gpus)
    results = [budget_fn(a, g, hardware=db, as_of=as_of, fallback_precision=len(chosen) > 1, **overrides(kw))
               for g in chosen for a in amount]
    rules = load_thresholds(thresholds_files)
    rows = []
    for b in results:
        row = budget_row(b, ranges=not no_range)
        verdicts = budget_verdicts(b, rules, include_all=show_all)
        crossed = [v.threshold.id for v in verdicts if v.verdict == "crossed" and v.binding]
        row["thresholds_crossed"] = crossed  # with --all: every rule listed
        row["thresholds_crossed_in_force"] = [v.threshold.id for v in verdicts if v.verdict == "crossed"
                                              and v.status_on_date in BINDING_STATUSES]
        row["rules"] = [v.to_dict() for v in verdicts if v.binding or v.upcoming or show_all]
        rows.append(row)
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    table = []
    for b, row in zip(results, rows, strict=True):
        line = [money(row["budget_usd"]), b.gpu, b.precision, money(row["price_usd_per_chip_hour"]),
                human(row["run_chip_hours"]), sci(row["flop"])]
        if not no_range:
            lo, hi, mid = row.get("flop_low"), row.get("flop_high"), row.get("evidence_flop")
            line.append(f"{sci(mid)} (90% {sci(lo)}-{sci(hi)})" if lo and hi and mid else "none")
        line.append(_crossed(row))
        table.append(line)
    footer = ["final run = what a project spending this much puts into its final run: the amount / overhead buys "
              "final-run chip-hours, and rules test its FLOP and its compute cost (the amount / overhead)."]
    if not no_range:
        footer.append("evidence: the final run's FLOP at the efficiency known runs imply, with its 90% interval.")
    footer += [f"Note: {n}" for n in dict.fromkeys(n for b in results for n in b.notes)]
    which = ("every rule present on the date, whatever its status (--all)" if show_all
             else "rules in force on the date")
    footer.append(f"crosses: {which} whose every test the final run surely meets (the assumption and the whole 90% "
                  "interval); --format json lists them with a reason" + ("." if show_all else ", --all every rule."))
    headers = ["amount", "chip", "prec", "$/chip-h", "final-run chip-h", "final-run FLOP"]
    if not no_range:
        headers.append("evidence FLOP")
    emit_table(headers + ["crosses"], table, fmt, footer=footer)


@cli.command()
@click.argument("flop", nargs=-1, required=True, type=params.FLOP)
@click.option("--params", "n_params", type=params.count("params"), help="Fix the parameter count (400B, 7e9): gives tokens.")
@click.option("--tokens", type=params.count("tokens"), help="Fix the token count (15T): gives parameters.")
@click.option("--tokens-per-param", type=params.positive("tokens per parameter"),
              help="Tokens per parameter for the compute-optimal split (default 20, Chinchilla).")
@format_option()
def size(flop: tuple[Any, ...], n_params: float | None, tokens: float | None, tokens_per_param: float | None,
         fmt: str) -> None:
    """What model FLOP trains: parameters and tokens with C = 6 N D (Chinchilla: ~20 tokens per parameter)."""
    from ..fmt import human, sci
    from ..sizing import size as size_fn

    rows = [size_fn(f, params=n_params, tokens=tokens, tokens_per_param=tokens_per_param).to_dict() for f in flop]
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    emit_table(["FLOP", "params", "tokens", "tokens/param", "method"],
               [[sci(r["flop"]), human(r["params"]), human(r["tokens"]), f"{r['tokens_per_param']:.3g}",
                 r["method"]] for r in rows], fmt,
               footer=["C = 6 N D: about 6 FLOP per parameter per training token (forward and backward pass)."])
