"""flopcalc trend: what crossing a threshold cost in each year, observed and projected."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .common import TIERS, format_option, hardware_files_option, load_db
from .output import emit_table


def _year(what: str) -> params._Parsed:
    def parse(v: str) -> int:
        from ..trends import parse_year

        return parse_year(v, what=what)

    return params._Parsed("YEAR", parse)


def _cost_cell(r: Any) -> str:
    from ..fmt import money_sig

    mark = "" if r.efficiency_basis == "runs" else f" {r.efficiency_basis}"
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
@click.option("--dollars", metavar="YYYY-MM",
              help="Constant dollars: every row in this month's dollars by the producer price index PCU518210518210 "
                   "(default: nominal dollars of each year).")
@click.option("--basis", default="rental", show_default=True, metavar="BASIS",
              help="rental (chip-hours at the year's price), amortized (the row's chip owned, its run started on "
                   "the year's last day, Epoch AI's method) or all (both). See docs/cost-bases.md.")
@format_option()
@hardware_files_option()
def trend(flop: tuple[Any, ...], start: int | None, end: int | None, gpus: tuple[str, ...], price_tier: str | None,
          fmt: str, hardware_files: tuple[str, ...], dollars: str | None, basis: str) -> None:
    """Is the line getting cheaper? The cost of FLOP in each year, on the cheapest chip of the time.

    Each year: chips released by then, each at its price on the year's last day (median of its quotes in
    the 12 months to it, else its latest quote up to 24 months old), and the efficiency known
    runs imply (90% interval). Years in which no chip has a price are projected at Epoch AI's measured
    decline in price per FLOP (0.14 orders of magnitude a year) and marked.
    """
    from ..errors import FlopcalcError
    from ..fmt import human, money, sci
    from ..trends import iter_trend as trend_fn
    from ..trends import method_lines

    try:
        stream = trend_fn(flop, start=start, end=end, gpus=gpus or None, price_tier=price_tier,
                        hardware=load_db(hardware_files), dollars=dollars, basis=basis)
    except FlopcalcError as e:
        if dollars is not None or basis != "rental":
            raise click.UsageError(str(e)) from None
        raise
    if fmt in ("json", "csv"):
        from .output import emit_rows

        emit_rows((r.to_dict() for r in stream), fmt)  # streamed: memory does not grow with the rows
        return
    rows = list(stream)  # a table aligns its columns: it needs every row
    amortized = basis in ("amortized", "all")
    table = []
    for r in rows:
        date = r.price_date if not r.projected else f"from {r.price_date}"
        line = [str(r.year), sci(r.flop), f"{r.gpu} {r.precision}",
                f"{money(r.price_usd_per_chip_hour)} ({r.price_tier}, {date})", human(r.chip_hours), _cost_cell(r)]
        if amortized:
            line.append(_amortized_cell(r))
        table.append(line + [_projected_cell(r)])
    headers = ["year", "FLOP", "chip", "$/chip-h (tier, date)", "chip-hours", "rental cost" if amortized else "cost"]
    if amortized:
        headers.append("amortized cost")
    footer = method_lines(rows, tier=price_tier, sources=True)
    if dollars is not None:
        footer.insert(0, f"Dollars: {rows[0].dollars}: each row's nominal dollars (of the month of its price day, the "
                         "year's last day; months past the published index use its last value) x PPI(dollars month) "
                         "/ PPI(that month).")
    if amortized:
        footer.insert(0, "amortized = the row's chip owned, not rented: the run of that FLOP (its chip-hours and their "
                         "90% interval) started on the year's last day; hardware depreciation + interconnect + energy, "
                         "Epoch AI's method (docs/cost-bases.md). Rental is what journalists and the statutes' market-"
                         "price tests mean; amortized what Epoch AI and the AI Index publish.")
        for n in dict.fromkeys(r.amortized_note for r in rows if r.amortized_note and r.amortized_cost_usd is None):
            footer.append(f"Note: no amortized cost: {n}")
    emit_table(headers + ["projected"], table, fmt, footer=footer)


def _amortized_cell(r: Any) -> str:
    from ..fmt import money_sig

    if r.amortized_cost_usd is None:
        return "n/a"
    return (f"{money_sig(r.amortized_cost_usd)} ({money_sig(r.amortized_cost_usd_low)}-"
            f"{money_sig(r.amortized_cost_usd_high)})")
