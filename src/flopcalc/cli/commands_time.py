"""flopcalc trend: what crossing a threshold cost in each year, observed and projected."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .common import TIERS, format_option, hardware_files_option, load_db
from .output import emit_data, emit_table


def _year(what: str) -> params._Parsed:
    def parse(v: str) -> int:
        from ..trends import parse_year

        return parse_year(v, what=what)

    return params._Parsed("YEAR", parse)


def _cost_cell(r: Any) -> str:
    from ..fmt import money_sig

    mark = "" if r.efficiency_basis == "runs" else " cited"
    return f"{money_sig(r.cost_usd)} (90%{mark} {money_sig(r.cost_usd_low)}-{money_sig(r.cost_usd_high)})"


def _projected_cell(r: Any) -> str:
    if not r.projected:
        return "no"
    return f"yes, from {r.anchor_year}" if r.year > r.anchor_year else f"yes, back from {r.anchor_year}"


@cli.command()
@click.argument("flop", nargs=-1, required=True, type=params.FLOP)
@click.option("--from", "start", type=_year("start year"), metavar="YEAR",
              help="First year (default 2020).")
@click.option("--to", "end", type=_year("end year"), metavar="YEAR",
              help="Last year (default: this year + 4); years past the last dated price are projected.")
@click.option("--gpu", "gpus", multiple=True, metavar="ID", type=params.CHIP,
              help="Only these chips (repeatable); default: every chip with dated prices.")
@click.option("--price-tier", type=click.Choice(("on-demand", *TIERS)), metavar="TIER",
              help="on-demand (default: neocloud where quoted, else hyperscaler), or one of " + ", ".join(TIERS)
                   + ".")
@format_option()
@hardware_files_option()
def trend(flop: tuple[Any, ...], start: int | None, end: int | None, gpus: tuple[str, ...], price_tier: str | None,
          fmt: str, hardware_files: tuple[str, ...]) -> None:
    """Is the line getting cheaper? The cost of FLOP in each year, on the cheapest chip of the time.

    Each year: chips released by then, each at its price on the year's last day (median of its quotes in
    the 12 months to it, else its latest quote up to 24 months old), and the efficiency known
    runs imply (90% interval). Years in which no chip has a price are projected at Epoch AI's measured
    decline in price per FLOP (0.14 orders of magnitude a year) and marked.
    """
    from ..fmt import human, money, sci
    from ..trends import method_lines
    from ..trends import trend as trend_fn

    rows = trend_fn(flop, start=start, end=end, gpus=gpus or None, price_tier=price_tier,
                    hardware=load_db(hardware_files))
    if fmt in ("json", "csv"):
        emit_data([r.to_dict() for r in rows], fmt)
        return
    table = []
    for r in rows:
        date = r.price_date if not r.projected else f"from {r.price_date}"
        table.append([str(r.year), sci(r.flop), f"{r.gpu} {r.precision}",
                      f"{money(r.price_usd_per_chip_hour)} ({r.price_tier}, {date})", human(r.chip_hours),
                      _cost_cell(r), _projected_cell(r)])
    emit_table(["year", "FLOP", "chip", "$/chip-h (tier, date)", "chip-hours", "cost", "projected"], table, fmt,
               footer=method_lines(rows, tier=price_tier, sources=True))
