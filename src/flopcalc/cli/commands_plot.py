"""flopcalc plot."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .commands_rules import STATUS_CHOICE
from .common import (
    TIERS,
    assumption_options,
    gpu_option,
    hardware_files_option,
    load_db,
    overrides,
    thresholds_files_option,
)
from .output import echo

_ON_DEMAND = "on-demand"


def _year(what: str) -> params._Parsed:
    def parse(v: str) -> int:
        from ..trends import parse_year

        return parse_year(v, what=what)

    return params._Parsed("YEAR", parse)


KINDS = ("cost", "bars", "trend")  # plot.KINDS; kept here so the CLI starts without importing plot.py


@cli.command()
@click.argument("flop", nargs=-1, type=params.FLOP)
@click.option("--out", required=True, metavar="FILE",
              help="Output file; its suffix sets the format: .png, .svg or .pdf. Missing folders are created.")
@click.option("--kind", type=click.Choice(KINDS), default="cost", show_default=True,
              help="cost: cost against FLOP, one line per chip; bars: one FLOP figure, one bar per chip; "
                   "trend: what FLOP figures cost year by year (default: the rules' figures).")
@gpu_option(default=None)
@assumption_options(tiers=False)
@click.option("--price-tier", type=click.Choice((_ON_DEMAND, *TIERS)), metavar="TIER",
              help="Price every chip at its price of this tier (one basis for all): " + ", ".join(TIERS)
                   + ", or on-demand (neocloud where quoted, else hyperscaler). Default: neocloud-on-demand "
                     "(trend: on-demand).")
@click.option("--min-flop", type=params.FLOP, help="Left edge of --kind cost (default 1e22).")
@click.option("--max-flop", type=params.FLOP, help="Right edge of --kind cost (default 1e27).")
@click.option("--no-overhead", is_flag=True,
              help="Plot the cost of the final run alone, without overhead (trend: always).")
@click.option("--from", "start", type=_year("start year"), metavar="YEAR", help="--kind trend: first year (2020).")
@click.option("--to", "end", type=_year("end year"), metavar="YEAR",
              help="--kind trend: last year (default this year + 4; years without a dated price are projected).")
@click.option("--basis", default="rental", show_default=True, metavar="BASIS",
              help="Which dollars: rental (chip-hours at a market price), amortized (what the run costs the chips' "
                   "owner: depreciation + interconnect + energy, Epoch AI's method; the final run, no overhead) or "
                   "all (both; --kind bars and trend). See docs/cost-bases.md.")
@click.option("--dollars", metavar="YYYY-MM",
              help="State every dollar in this month's dollars by the producer price index PCU518210518210 "
                   "(default: nominal dollars, the chart says at which dates).")
@click.option("--start", "train_start", metavar="DATE",
              help="Training start for amortized (--kind cost and bars; default today): the chips depreciate to it.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS", type=STATUS_CHOICE,
              help="Draw the rules with this status (on --as-of); repeatable. Default: in-force and enacted.")
@click.option("--as-of", type=params.DATE, help="Take each rule's status on this date (default today).")
@click.option("--include-scoped", is_flag=True,
              help="Also draw rules that apply only to a kind of model (e.g. biological-sequence models).")
@thresholds_files_option()
@hardware_files_option()
def plot(flop: tuple[Any, ...], out: str, kind: str, gpus: tuple[str, ...], min_flop: Any, max_flop: Any,
         no_overhead: bool, statuses: tuple[str, ...], as_of: Any, include_scoped: bool, price_tier: str | None,
         start: int | None, end: int | None, basis: str, dollars: str | None, train_start: str | None,
         thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """Chart what compute costs: the evidence (with its 90% interval) and the assumption, per chip.

    \b
    flopcalc plot --out cost.png                     cost against FLOP, rule lines marked
    flopcalc plot --out bars.pdf --kind bars 1e26    one figure, chips side by side
    flopcalc plot --out trend.svg --kind trend       the rules' figures, year by year
    flopcalc plot --out own.png --kind bars 1e26 --basis all --dollars 2026-01
                                                     rented and owned, in 2026-01 dollars

    Every chip is put on one basis: --precision (default bf16, or the nearest of its class) and
    --price-tier. Rules drawn: those in force or enacted today, unless --status / --as-of say
    otherwise. Needs matplotlib: pip install 'flopcalc[plot]'.
    """
    from ..errors import FlopcalcError
    from ..plot import (
        DEFAULT_PRICE_TIER,
        output_path,
        plot_bars,
        plot_costs,
        plot_trend,
    )
    from ..rules import load_thresholds
    from ..units import mag

    output_path(out)
    basis = basis.strip().lower()
    if basis == "acquisition":
        raise click.UsageError("--basis acquisition cannot be charted: a chart of one run's cost has no cluster to "
                               "buy; flopcalc cost FLOP --basis acquisition gives it")
    if basis not in ("rental", "amortized", "all"):
        raise click.UsageError(f"--basis {basis[:30]!r} is not a chart basis: expected rental, amortized or all")
    if kind == "cost" and basis == "all":
        raise click.UsageError("--kind cost draws one basis, rental or amortized: --basis all sets them side by side "
                               "with --kind bars FLOP or --kind trend")
    if kind == "trend" and train_start is not None:
        raise click.UsageError("--start sets the training start of --kind cost and bars: a trend starts each year's "
                               "run on that year's last day")
    if basis != "rental" and kw.get("overhead") is not None:
        raise click.UsageError(f"--overhead applies to rental charts only: --basis {basis} charts the final run "
                               "(the amortized cost is the final run's, as Epoch AI publishes it)")
    if kind == "cost" and flop:
        raise click.UsageError("--kind cost draws --min-flop to --max-flop and takes no FLOP argument; "
                               "for one figure chip by chip use --kind bars FLOP")
    if kind != "cost" and (min_flop is not None or max_flop is not None):
        raise click.UsageError("--min-flop and --max-flop set the range of --kind cost only")
    if kind != "trend" and (start is not None or end is not None):
        raise click.UsageError("--from and --to set the years of --kind trend only")
    assumptions = overrides(kw)
    if kind == "trend":
        given = [f"--{k}" for k in assumptions]
        if given:
            raise click.UsageError(f"--kind trend uses each chip's default precision and dated prices: "
                                   f"{', '.join(given)} cannot be set for it")
        try:
            path = plot_trend(out, flop, start=start, end=end, gpus=list(gpus) or None,
                              price_tier=None if price_tier == _ON_DEMAND else price_tier,
                              rules=load_thresholds(thresholds_files), as_of=as_of, statuses=statuses,
                              include_scoped=include_scoped, hardware=load_db(hardware_files), basis=basis,
                              dollars=dollars)
        except FlopcalcError as e:
            if dollars is not None or basis != "rental":
                raise click.UsageError(str(e)) from None
            raise
        echo(f"wrote {path}")
        return
    if kind == "bars" and len(flop) != 1:
        raise click.UsageError(f"--kind bars takes one FLOP figure (got {len(flop)}), e.g. "
                               "flopcalc plot --kind bars 1e26 --out bars.png")
    precision = assumptions.pop("precision", "bf16")
    tier = DEFAULT_PRICE_TIER if price_tier in (None, _ON_DEMAND) else price_tier
    common: dict[str, Any] = dict(with_overhead=False if no_overhead else None, basis=basis, dollars=dollars,
                                  start=train_start, rules=load_thresholds(thresholds_files),
                                  as_of=as_of, statuses=statuses, include_scoped=include_scoped, precision=precision,
                                  price_tier=None if "price" in assumptions else tier,
                                  hardware=load_db(hardware_files), **assumptions)
    chips = list(gpus) or None
    if kind == "bars":
        path = plot_bars(out, flop[0], chips, **common)
    else:
        lo = mag(min_flop, "FLOP") if min_flop is not None else 1e22
        hi = mag(max_flop, "FLOP") if max_flop is not None else 1e27
        path = plot_costs(out, chips, flop_min=lo, flop_max=hi, **common)
    echo(f"wrote {path}")
