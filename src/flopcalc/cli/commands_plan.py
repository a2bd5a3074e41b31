"""flopcalc plan: from a budget, a FLOP figure or a cluster to the whole chain, and the rules it crosses."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .common import (
    assumption_options,
    energy_options,
    format_option,
    hardware_files_option,
    load_db,
    overrides,
    thresholds_files_option,
)
from .output import emit_data, emit_table

_OVERHEAD = ("Overhead multiplies what is paid and the chip-hours bought (failed runs, restarts, bugs); chips and "
             "days describe the final run. Rules see the final run: its FLOP, and its compute cost (budget / overhead).")
_VERDICTS = ("verdict: crossed / not crossed = the assumption and the whole 90% evidence interval agree; uncertain = "
             "the interval straddles the line, or it and the assumption fall on opposite sides; "
             "needs revenue = the rule tests annual revenue (flopcalc check --revenue); "
             "needs cluster size = give --days (or --chips).")


@cli.command()
@click.argument("budget", required=False, type=params.USD)
@click.option("--flop", type=params.FLOP, help="Start from the final run's FLOP (1e26) instead of a budget.")
@click.option("--chips", type=params.CHIPS, help="Start from a cluster: this many chips (16k) for --days.")
@click.option("--days", type=params.DAYS, help="Deadline (bare number: days): gives the chips that finish in time.")
@click.option("--gpu", "gpus", multiple=True, metavar="ID", type=params.CHIP,
              help="Chip id or alias (see 'flopcalc hardware'); repeat to compare chips, one plan each. "
                   "Default h100.")
@assumption_options()
@click.option("--tokens-per-param", type=params.positive("tokens per parameter"),
              help="Tokens per parameter for the compute-optimal model (default 20, Chinchilla).")
@energy_options()
@click.option("--as-of", type=params.DATE,
              help="Read the rules, and price the run, as they stood on this date (default: today's rules, the "
                   "profile's default price).")
@click.option("--all", "show_all", is_flag=True, help="List every rule in the table, not only those in force.")
@click.option("--basis", type=click.Choice(("rental", "amortized", "acquisition", "all")), default="rental",
              show_default=True, help="Which dollars besides rental: amortized (what the owner's run costs, Epoch "
                                      "AI's method), acquisition (buying the cluster), or all (docs/cost-bases.md).")
@format_option()
@thresholds_files_option()
@hardware_files_option()
def plan(budget: Any, flop: Any, chips: int | None, days: Any, gpus: tuple[str, ...], tokens_per_param: float | None,
         pue: float | None, operator: str | None, as_of: Any, show_all: bool, basis: str, fmt: str, thresholds_files: tuple[str, ...],
         hardware_files: tuple[str, ...], **kw: Any) -> None:
    """Plan a run from a BUDGET ('$50M'), a FLOP figure (--flop 1e26) or a cluster (--chips 16k --days 90).

    One table, the whole chain: money -> FLOP after overhead (assumption and evidence interval) ->
    compute-optimal parameters and tokens -> chips for the deadline -> power and energy ->
    training memory -> every binding rule crossed, not crossed or uncertain.
    """
    from ..planning import plan as plan_fn
    from ..rules import load_thresholds

    db = load_db(hardware_files)
    rules = load_thresholds(thresholds_files)
    chosen = db.unique(gpus or ("h100",))
    assumed = overrides(kw)
    several = len(chosen) > 1
    if several and assumed.get("price") is None and assumed.get("price_tier") is None:
        from ..pricing import (
            on_demand_tier,  # one basis: each chip's on-demand price (neocloud where quoted)
        )

        tiers = {p.id: on_demand_tier(p) for p in chosen}
    else:
        tiers = {}
    plans = [plan_fn(budget, flop=flop, chips=chips, days=days, gpu=g, tokens_per_param=tokens_per_param, pue=pue,
                     operator=operator, as_of=as_of, rules=rules, hardware=db, include_all=show_all, fallback_precision=several,
                     **{**assumed, **({"price_tier": tiers[g.id]} if g.id in tiers else {})}) for g in chosen]
    if len(plans) > 1:
        _compare(plans, fmt, show_all=show_all)
        return
    p = plans[0]
    extra, more_rows, more_notes = _bases(p, basis)
    if fmt in ("json", "csv"):
        emit_data({**p.to_dict(), **extra}, fmt)
        return
    rows, footer = _table(p, show_all=show_all)
    at = next((i for i, r in enumerate(rows) if r[0] == "final-run compute cost"), len(rows) - 1) + 1
    rows[at:at] = more_rows
    footer += more_notes
    emit_table(["step", "value", "how (assumption)"], rows, fmt, footer=footer, title=_title(p))


def _bases(p: Any, basis: str) -> tuple[dict[str, Any], list[list[str]], list[str]]:
    """The final run on the other bases (amortized, acquisition): JSON keys, table rows and notes."""
    if basis == "rental":
        return {}, [], []
    from ..bases import bases_of
    from ..fmt import money, plural

    b = bases_of(p.unit, basis=basis, chips=p.chips)
    d = b.to_dict()
    # the basis's dollars (its energy_mwh is the final run's: the plan keeps its own, the chip-hours bought)
    keys = [k for k in d if k.startswith(("amortized_", "hardware_", "interconnect_", "energy_cost", "acquisition_"))]
    extra = {k: d[k] for k in keys}
    extra.update({"dollars": d["dollars"], "training_start": d["start"], "basis": basis})
    rows = []
    if b.amortized is not None:
        c = b.costs
        assert c is not None
        rows.append(["amortized cost (final run)", money(extra["amortized_cost_usd"]),
                     f"hardware {money(extra['hardware_cost_usd'])} + interconnect "
                     f"{money(extra['interconnect_cost_usd'])} + energy {money(extra['energy_cost_usd'])}, "
                     f"training from {d['start']} (Epoch AI's method: what the owner's run costs)"])
    if b.acquisition is not None:
        rows.append(["acquisition (the cluster)", money(extra["acquisition_cost_usd"]),
                     f"{plural(d.get('acquisition_chips', p.chips), 'chip')} x server-level price / 0.81 (interconnect)"])
    notes = [f"Dollars: {d['dollars']}."] + [f"Note: {n}" for n in b.notes]
    return extra, rows, notes


def _compare(plans: list[Any], fmt: str, *, show_all: bool) -> None:
    """One plan per chip on one basis: a row each, the rules in force as columns, and what differs between them."""
    from ..estimate import basis_notes
    from ..fmt import grouped, human, money, sci, sig
    from ..units import mag

    if fmt in ("json", "csv"):
        emit_data([p.to_dict() for p in plans], fmt)
        return
    ids = list(dict.fromkeys(r.threshold.id for p in plans for r in (p.rules if show_all else p.binding)))
    table = []
    for p in plans:
        verdict = {r.threshold.id: r.verdict for r in p.rules}
        mid = "" if p.flop_centre is None else (f"{sci(mag(p.flop_centre, 'FLOP'))} (90% "
                                                f"{sci(mag(p.flop_low, 'FLOP'))}-{sci(mag(p.flop_high, 'FLOP'))})")
        ev = p.unit.evidence
        table.append([f"{p.gpu} ({p.precision}{'*' if p.scenario.precision_requested else ''})",
                      f"{money(mag(p.price, 'USD/hour'))} {p.unit.price_tier or ''}", money(mag(p.budget, "USD")),
                      sci(mag(p.flop, "FLOP")), mid or "-", (ev.basis if ev is not None else "none"),
                      human(mag(p.run_chip_hours, "hour")), "-" if p.chips is None else f"{p.chips:,}",
                      f"{sig(p.params)}", f"{grouped(mag(p.energy, 'MWh'))}",
                      *[verdict.get(i, "-") for i in ids]])
    first = plans[0]
    footer = [f"One plan per chip from the same {first.start}; rules as they stood on {first.as_of.isoformat()}. "
              "final-run FLOP is the assumption; evidence is what known runs imply (basis: runs, class = no runs "
              "on the chip's generation, cited = the profile's MFU range), with its 90% interval.",
              _OVERHEAD, _VERDICTS]
    footer.append("Prices: each chip's on-demand price (neocloud where quoted, else hyperscaler), so the chips share "
                  "one basis; give --price-tier or --price to choose another." if not any(
                      p.origin.get("price") == "given" for p in plans) else "Prices: as given.")
    footer += basis_notes([p.unit for p in plans])
    footer += [f"Note: {n}" for n in dict.fromkeys(n for p in plans for n in p.notes)]
    emit_table(["chip", "price", "budget", "final-run FLOP", "evidence FLOP", "basis", "final-run chip-h", "chips",
                "params", "MWh", *ids], table, fmt, footer=footer)


def _title(p: Any) -> str:
    from ..fmt import money, plural, sci
    from ..units import mag

    if p.start == "budget":
        what = f"a {money(mag(p.budget, 'USD'))} budget"
    elif p.start == "flop":
        what = f"a {sci(mag(p.flop, 'FLOP'), 3)} FLOP final run"
    else:
        what = f"a cluster of {plural(p.chips, 'chip')} for {mag(p.days, 'day'):g} days"
    return f"Plan from {what} on {p.gpu} ({p.precision}); rules as they stood on {p.as_of.isoformat()}"


def _bytes(x: float) -> str:
    from ..fmt import human

    text = human(x)  # 10.1T -> 10.1 TB; B (billion) -> GB
    if text[-1] in "kMBT":
        return f"{text[:-1]} {'G' if text[-1] == 'B' else text[-1]}B"
    return f"{text} bytes"


def _table(p: Any, *, show_all: bool) -> tuple[list[list[str]], list[str]]:
    from ..fmt import grouped, human, money, pct, plural, sci_against, sig
    from ..units import mag

    u = p.unit
    o = p.origin
    ev = u.evidence
    ovh = mag(p.overhead, "")
    lines = [lim.base for r in p.rules for lim in r.threshold.limits if lim.kind in ("flop", "relative")]

    def given(key: str) -> str:
        return " (given)" if o.get(key) == "given" else ""

    def flop_text(x: Any) -> str:
        return sci_against(mag(x, "FLOP"), lines)

    usd = mag(p.budget, "USD")
    needed = mag(p.chip_hours_needed, "hour")
    tier = f" ({u.price_tier}{', ' + u.price_date if u.price_date else ''})" \
        if u.price_tier and u.price_tier != "given" else ""
    price = f"{money(mag(p.price, 'USD/hour'))} per chip-hour{tier}{given('price')}"
    rate = (f"{mag(p.peak, 'TFLOP/s'):g} TFLOP/s ({p.precision} dense peak){given('peak')} x "
            f"{pct(mag(p.efficiency, ''))} (assumed efficiency){given('efficiency')} x 3600 s")
    overhead = f"{ovh:g} (overhead{given('overhead')}: failed runs, restarts; paid, never subtracted from the run)"
    spread = ""
    if ev is not None and ev.efficiency is not None:
        from ..rows import basis_words

        spread = (f"{basis_words(ev.basis, runs=ev.runs)}, {pct(ev.efficiency_low)}-{pct(ev.efficiency_high)} "
                  f"({ev.group})")
    price_spread = ""
    if ev is not None and mag(ev.price_low, "USD/hour") != mag(ev.price_high, "USD/hour"):
        price_spread = (f"price range {money(mag(ev.price_low, 'USD/hour'))}-{money(mag(ev.price_high, 'USD/hour'))}"
                        f" ({u.price_tier})")

    def interval(lo: Any, hi: Any, unit: str, show: Any, why: str) -> list[list[str]]:
        if lo is None or hi is None or mag(lo, unit) == mag(hi, unit) or not why:
            return []
        return [["90% interval", f"{show(lo)}-{show(hi)}", why]]

    def usd_text(x: Any) -> str:
        return money(mag(x, "USD"))

    both = " and ".join(x for x in (spread, price_spread) if x)
    rows: list[list[str]] = []
    run_h = mag(p.run_chip_hours, "hour")
    centre = (f"evidence {flop_text(p.flop_centre)}, " if p.flop_centre is not None else "")
    if p.start == "budget":
        rows += [["budget", money(usd), "given (overhead included)"],
                 ["chip-hours bought", human(needed), f"{money(usd)} / {price}"],
                 ["final-run compute cost", money(mag(p.cost, 'USD')), f"/ {overhead}: what dollar limits test"],
                 ["final-run chip-hours", human(run_h), f"/ {price}"],
                 ["final-run FLOP", f"assumption {flop_text(p.flop)}", f"x {rate}"]]
        rows += interval(p.flop_low, p.flop_high, "FLOP", lambda x: centre + "90% " + flop_text(x) if x is p.flop_low
                         else flop_text(x), spread)
    elif p.start == "flop":
        rows += [["final-run FLOP", flop_text(p.flop), "given"],
                 ["final-run chip-hours", human(run_h), f"/ ({rate})"],
                 ["final-run compute cost", money(mag(p.cost, 'USD')), f"x {price}: what dollar limits test"],
                 ["chip-hours bought", human(needed), f"x {overhead}"],
                 ["budget", money(usd), "chip-hours bought x the price (overhead included)"]]
        rows += interval(p.budget_low, p.budget_high, "USD", usd_text, both)
    else:
        d = mag(p.days, "day")
        rows += [["cluster", f"{plural(p.chips, 'chip')} for {d:g} days", "given: the final run"],
                 ["final-run chip-hours", human(run_h), f"{plural(p.chips, 'chip')} x {d:g} days x 24 h"],
                 ["final-run FLOP", f"assumption {flop_text(p.flop)}", f"x {rate}"]]
        rows += interval(p.flop_low, p.flop_high, "FLOP", lambda x: centre + "90% " + flop_text(x) if x is p.flop_low
                         else flop_text(x), spread)
        rows += [["final-run compute cost", money(mag(p.cost, 'USD')), f"x {price}: what dollar limits test"],
                 ["chip-hours bought", human(needed), f"x {overhead}"],
                 ["budget", money(usd), "chip-hours bought x the price (overhead included)"]]
    rows.append(["model", f"{sig(p.params)} parameters, {sig(p.tokens)} tokens",
                 f"C = 6 N D with D = {p.tokens_per_param:g} N"
                 + (" (given)" if o.get("tokens_per_param") == "given" else " (Chinchilla, Hoffmann et al. 2022)")])
    ch = mag(p.chip_hours, "hour")
    if p.days is None:
        rows.append(["chips for the deadline", "-", "give --days for the chips and the cluster's power"])
    else:
        d = mag(p.days, "day")
        if p.start != "cluster":
            rows.append(["chips for the deadline", f"{p.chips:,} for {d:g} days",
                         f"{human(run_h)} final-run chip-hours / ({d:g} days x 24 h), rounded up"])
    ea = p.energy_assumptions
    tdp = mag(p.tdp, "W")
    if p.power is not None:
        rows.append(["cluster power", f"{sig(mag(p.power, 'MW'))} MW",
                     f"{plural(p.chips, 'chip')} x {tdp:g} W (TDP) x {ea.server_power_factor:g} (server) x "
                     f"{ea.pue:g} (PUE{given('pue')}): the peak draw"])
    mwh = mag(p.energy, "MWh")
    final_mwh = mag(p.final_run_energy, "MWh") if p.final_run_energy is not None else None
    alone = "" if final_mwh is None else (
        f"; the final run alone {grouped(final_mwh) if final_mwh >= 100 else sig(final_mwh)} MWh (as cost shows)")
    rows.append(["energy", f"{grouped(mwh) if mwh >= 100 else sig(mwh)} MWh",
                 f"{human(ch)} chip-hours bought x {tdp:g} W x {ea.server_power_factor:g} x {ea.average_load:g} "
                 f"(average load) x {ea.pue:g}{alone}"])
    mem = mag(p.memory, "byte")
    rows.append(["training memory", _bytes(mem),
                 f"{sig(p.params)} parameters x 16 bytes (mixed-precision Adam, before activations)"])
    rows.append(["fewest chips for memory", f"{p.min_chips_for_memory:,}",
                 f"{_bytes(mem)} / {mag(p.chip_memory, 'GB'):g} GB per chip, rounded up"])
    shown = p.rules if show_all else p.binding
    for r in shown:
        flag = " (UNCONFIRMED)" if r.confidence == "unconfirmed" else ""
        rows.append([f"rule {r.threshold.id}{flag}", r.verdict.upper() if r.verdict == "crossed" else r.verdict,
                     f"{r.threshold.describe_limits()} ({r.status_on_date}): {r.reason}"])
    from pathlib import Path

    footer = [f"Assumptions not marked (given) are the {p.gpu} profile's ({Path(u.profile_path).name}).",
              _OVERHEAD, _VERDICTS]
    upcoming = [r for r in p.rules if r.upcoming and not r.binding]
    if upcoming and not show_all:
        footer.append("Enacted, not yet in force: " + "; ".join(
            f"{r.threshold.id} from {r.threshold.effective_from} ({r.verdict})" for r in upcoming))
    hidden = len(p.rules) - len(shown)
    if hidden:
        crossed = sum(1 for r in p.rules if not r.binding and r.verdict == "crossed")
        footer.append(f"{hidden} rules not binding on {p.as_of.isoformat()} (proposed, guidance, vetoed, rescinded, "
                      f"superseded; {crossed} of them crossed) are listed with --all and in --format json.")
    footer += [f"Note: {n}" for n in dict.fromkeys(p.notes)]
    return rows, footer
