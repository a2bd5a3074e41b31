"""flopcalc thresholds and check."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .common import assumption_options, format_option, hardware_files_option, load_db, overrides
from .output import emit_data, emit_table


def _thresholds_file_option():
    return click.option("--thresholds-file", "thresholds_files", multiple=True, metavar="PATH",
                        help="Extra thresholds (YAML, same schema as the shipped file); repeatable.")


def _threshold_row(t) -> dict[str, Any]:
    def lim(kind: str):
        x = t.limit(kind)
        return x.base if x is not None else None

    return {
        "id": t.id, "name": t.name, "jurisdiction": t.jurisdiction, "instrument": t.instrument,
        "article": t.article, "status": t.status,
        "effective_from": t.effective_from.isoformat() if t.effective_from else None,
        "effective_until": t.effective_until.isoformat() if t.effective_until else None,
        "flop": lim("flop"), "flop_per_s": lim("flop_per_s"), "usd": lim("usd"),
        "comparison": " AND ".join(x.comparison for x in t.limits),
        "limits": [{"kind": x.kind, "value": x.base, "comparison": x.comparison} for x in t.limits],
        "counts": t.counts, "triggers": t.triggers, "scope": t.scope, "confidence": t.confidence,
        "dates": dict(t.dates), "source": t.source, "status_as_of": t.status_as_of, "note": t.note,
    }


@cli.command()
@click.option("--gpu", "gpus", multiple=True, metavar="ID",
              help="Cost every threshold on this chip (repeatable): chip-hours, dollars, chips, FLOP per dollar.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              type=click.Choice(["in-force", "enacted", "guidance", "proposed", "vetoed", "rescinded", "superseded"]),
              help="Only thresholds with this status (repeatable).")
@click.option("--as-of", type=params.DATE, help="Only rules in force on this date (YYYY-MM-DD).")
@assumption_options()
@format_option()
@_thresholds_file_option()
@hardware_files_option()
def thresholds(gpus: tuple[str, ...], statuses: tuple[str, ...], as_of: Any, fmt: str,
               thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """The compute thresholds in AI rules, side by side; with --gpu, what each costs on that chip."""
    from ..fmt import human, money, sci
    from ..rules import load_thresholds, threshold_costs
    from ..rules import thresholds as select
    from ..units import mag

    rules = select(load_thresholds(thresholds_files), status=statuses, as_of=as_of)
    sources = [f"{t.id}: {t.source}" for t in rules]
    checked = sorted({t.status_as_of for t in rules if t.status_as_of})
    if checked:
        sources.insert(0, f"(statuses as of {', '.join(checked)})")
    if not gpus:
        rows = [_threshold_row(t) for t in rules]
        if fmt in ("json", "csv"):
            emit_data(rows, fmt)
            return
        table = [[t.id, t.jurisdiction, t.describe_limits(), t.status,
                  (t.effective_from.isoformat() if t.effective_from else "-")
                  + (f" to {t.effective_until.isoformat()}" if t.effective_until else ""),
                  "" if t.confidence == "confirmed" else "UNCONFIRMED"] for t in rules]
        title = f"Thresholds in force on {as_of.isoformat()}" if as_of else None
        emit_table(["id", "where", "limit", "status", "in effect", "confidence"], table, fmt, title=title,
                   footer=["Sources:"] + sources)
        return
    db = load_db(hardware_files)
    rows, table = [], []
    for g in gpus:
        for tc in threshold_costs(rules, g, hardware=db, **overrides(kw)):
            row = _threshold_row(tc.threshold)
            row.update({
                "gpu": tc.gpu,
                "chip_hours": mag(tc.chip_hours, "hour") if tc.chip_hours is not None else None,
                "cost_usd": mag(tc.cost, "USD") if tc.cost is not None else None,
                "cost_with_overhead_usd": mag(tc.cost_with_overhead, "USD") if tc.cost_with_overhead is not None
                else None,
                "chips_needed": tc.chips_needed,
                "flop_for_usd": mag(tc.flop_for_usd, "FLOP") if tc.flop_for_usd is not None else None,
            })
            rows.append(row)
            t = tc.threshold
            table.append([
                t.id, t.describe_limits(), t.status, tc.gpu,
                human(row["chip_hours"]) if row["chip_hours"] is not None else "",
                money(row["cost_usd"]) if row["cost_usd"] is not None else "",
                money(row["cost_with_overhead_usd"]) if row["cost_with_overhead_usd"] is not None else "",
                f"{tc.chips_needed:,}" if tc.chips_needed is not None else "",
                sci(row["flop_for_usd"]) if row["flop_for_usd"] is not None else "",
            ])
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    footer = [
        "chip-hours and cost: the FLOP limit at the chip's default assumptions (see 'flopcalc cost --explain');",
        "chips at peak: how many chips reach a FLOP/s (cluster) limit at their highest dense peak;",
        "FLOP for $: what a dollar limit buys before overhead.",
        "Sources:",
    ] + sources
    emit_table(["id", "limit", "status", "chip", "chip-hours", "cost", "with overhead", "chips at peak",
                "FLOP for $"], table, fmt, footer=footer)


def _ratio(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if x >= 1000 else f"{x:.3g}"


@cli.command()
@click.option("--flop", type=params.FLOP, help="The run's training compute, if known.")
@click.option("--params", "n_params", type=params.positive("params"), help="Parameters N (architecture method).")
@click.option("--active-params", type=params.positive("active params"),
              help="Active parameters per token, for mixture-of-experts models (replaces --params in 6 N D).")
@click.option("--tokens", type=params.positive("tokens"), help="Training tokens D (architecture method).")
@click.option("--gpu", metavar="ID", help="Chip (hardware method; also prices the run). Default h100.")
@click.option("--chips", type=params.CHIPS, help="Chips in the run (hardware method).")
@click.option("--days", type=params.DAYS, help="Days of training (hardware method).")
@assumption_options()
@format_option()
@_thresholds_file_option()
@hardware_files_option()
def check(flop: Any, n_params: float | None, active_params: float | None, tokens: float | None, gpu: str | None,
          chips: int | None, days: Any, fmt: str, thresholds_files: tuple[str, ...],
          hardware_files: tuple[str, ...], **kw: Any) -> None:
    """Estimate a run's training compute and set it against every threshold.

    Architecture method: --params N --tokens D (C = 6 N D). Hardware method: --gpu ID --chips N
    --days T (chips x peak x efficiency x time). Or --flop X directly.
    """
    from ..fmt import money, sci
    from ..rules import check as check_fn
    from ..rules import load_thresholds
    from ..units import mag

    db = load_db(hardware_files)
    res = check_fn(flop=flop, params=n_params, tokens=tokens, active_params=active_params, gpu=gpu, chips=chips,
                   days=days, rules=load_thresholds(thresholds_files), hardware=db, **overrides(kw))
    data = {
        "flop": mag(res.flop, "FLOP"),
        "method": res.method,
        "architecture_flop": mag(res.architecture_flop, "FLOP") if res.architecture_flop is not None else None,
        "hardware_flop": mag(res.hardware_flop, "FLOP") if res.hardware_flop is not None else None,
        "hardware_to_architecture_ratio": res.method_ratio,
        "gpu": res.gpu,
        "chips": res.chips,
        "days": mag(res.days, "day") if res.days is not None else None,
        "cluster_peak_flop_per_s": mag(res.cluster_peak, "FLOP/s") if res.cluster_peak is not None else None,
        "cost_usd": mag(res.cost, "USD"),
        "cost_basis": res.cost_basis,
        "thresholds": [
            {"id": c.threshold.id, "name": c.threshold.name, "status": c.threshold.status, "crossed": c.crossed,
             "ratio": c.ratio, "days_to_cross": c.days_to_cross, "limit": c.threshold.describe_limits(),
             "scope": c.threshold.scope}
            for c in res.checks
        ],
    }
    if fmt == "json":
        emit_data(data, fmt)
        return
    if fmt == "csv":
        emit_data([{"run_flop": data["flop"], "method": data["method"], **t} for t in data["thresholds"]], fmt)
        return
    head = [f"Training compute: {sci(data['flop'], 3)} FLOP ({res.method} method)"]
    if res.architecture_flop is not None:
        head.append(f"  architecture: 6 x N x D = {sci(data['architecture_flop'], 3)} FLOP")
    if res.hardware_flop is not None:
        head.append(f"  hardware: {res.chips:,} {res.gpu} x {data['days']:g} days at the chip's assumptions = "
                    f"{sci(data['hardware_flop'], 3)} FLOP")
    if res.method_ratio is not None:
        head.append(f"  hardware / architecture = {res.method_ratio:.2f} (the larger estimate is checked)")
    head.append(f"  cost: {money(data['cost_usd'])} ({res.cost_basis})")
    click.echo("\n".join(head) + "\n")
    table = []
    for c in res.checks:
        state = {True: "CROSSED", False: "no", None: "n/a"}[c.crossed]
        table.append([c.threshold.id, c.threshold.describe_limits(), c.threshold.status, state,
                      _ratio(c.ratio),
                      f"{c.days_to_cross:,.1f}" if c.days_to_cross is not None else ""])
    footer = ["ratio: run / limit (the smallest over a rule's limits); n/a: the run lacks a figure the rule tests "
              "(e.g. cluster size without --chips)."]
    if res.method == "hardware":
        footer.append("more days: training days at this rate until the rule is crossed.")
    scoped = [c.threshold for c in res.checks if c.crossed and c.threshold.scope]
    footer += [f"{t.id} applies only to {t.scope}." for t in scoped]
    emit_table(["id", "limit", "status", "crossed", "ratio", "more days"], table, fmt, footer=footer)
