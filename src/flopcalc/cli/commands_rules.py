"""flopcalc thresholds and check."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from . import cli, params
from .common import (
    assumption_options,
    format_option,
    hardware_files_option,
    load_db,
    overrides,
    thresholds_files_option,
)
from .output import echo, emit_data, emit_table, say_empty

if TYPE_CHECKING:  # pragma: no cover
    from ..rules import Threshold
    from ..verdicts import ThresholdCheck

STATUS_CHOICE = click.Choice(["in-force", "enacted", "guidance", "proposed", "vetoed", "rescinded", "not-enforced",
                              "superseded"])


def _threshold_row(t: Threshold) -> dict[str, Any]:
    from ..datadates import data_as_of

    def lim(kind: str) -> float | None:
        x = t.limit(kind)
        return x.base if x is not None else None

    rel = t.limit("relative")
    return {
        "id": t.id, "name": t.name, "jurisdiction": t.jurisdiction, "instrument": t.instrument,
        "article": t.article, "status": t.status, "status_today": t.current_status or t.status,
        "as_of": t.as_of.isoformat() if t.as_of else None, "kind": t.kind,
        "effective_from": t.effective_from.isoformat() if t.effective_from else None,
        "effective_until": t.effective_until.isoformat() if t.effective_until else None,
        "flop": lim("flop"), "flop_per_s": lim("flop_per_s"), "usd": lim("usd"), "revenue_usd": lim("revenue_usd"),
        "relative_fraction": float(rel.fraction) if rel is not None and rel.fraction is not None else None,
        "relative_fallback_flop": rel.base if rel is not None else None,
        "comparison": " AND ".join(x.comparison for x in t.limits),
        "limits": [{"kind": x.kind, "value": x.base, "comparison": x.comparison,
                    "fraction": float(x.fraction) if x.fraction is not None else None} for x in t.limits],
        "cumulative": t.cumulative, "counts": t.counts, "triggers": t.triggers, "scope": t.scope,
        "confidence": t.confidence, "dates": dict(t.dates),
        "history": [{"date": c.when, "status": c.status, "event": c.event} for c in t.history],
        "counting": dict(t.counting) if t.counting else None,
        "source": t.source, "status_as_of": t.status_as_of, "note": t.note, "data_as_of": data_as_of(),
    }


def _no_rules(rules: list[Threshold], as_of: Any, statuses: Iterable[str]) -> str:
    """Why a list of rules is empty: the date is before any rule, or no rule has the status asked for."""
    first = min((c.date for t in rules for c in t.history), default=None)
    if as_of is not None and first is not None and as_of < first:
        return (f"no rule in the data existed yet on {as_of.isoformat()}: the earliest dates from "
                f"{first.isoformat()}")
    wanted = ", ".join(statuses)
    on = f" on {as_of.isoformat()}" if as_of is not None else ""
    return f"no rule had the status {wanted}{on}" if wanted else f"no rule{on}"


def _when(t: Threshold) -> str:
    return ((t.effective_from.isoformat() if t.effective_from else "-")
            + (f" to {t.effective_until.isoformat()}" if t.effective_until else ""))


@cli.group(invoke_without_command=True)
@click.option("--gpu", "gpus", multiple=True, metavar="ID", type=params.CHIP,
              help="Cost every threshold on this chip (repeatable): chip-hours, dollars, chips, FLOP per dollar.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS", type=STATUS_CHOICE,
              help="Only thresholds with this status (on --as-of, if given); repeatable.")
@click.option("--as-of", type=params.DATE, help="Each rule's status on this date (YYYY-MM-DD); rules not yet "
              "introduced are left out.")
@click.option("--timeline", is_flag=True, help="Every status change in date order, one line each.")
@assumption_options()
@format_option()
@thresholds_files_option()
@hardware_files_option()
@click.pass_context
def thresholds(ctx: click.Context, /, gpus: tuple[str, ...], statuses: tuple[str, ...], as_of: Any, timeline: bool,
               fmt: str, thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...], **kw: Any) -> None:
    """The compute thresholds in AI rules, side by side; with --gpu, what each costs on that chip.

    'flopcalc thresholds show ID' prints one rule's full record.
    """
    ctx.obj = {"fmt": fmt, "files": thresholds_files, "as_of": as_of}
    if ctx.invoked_subcommand is not None:
        extra = [name for name, v in (("--gpu", gpus), ("--status", statuses), ("--timeline", timeline))
                 if v] + [f"--{k.replace('_', '-')}" for k, v in kw.items() if v is not None]
        if extra:
            raise click.UsageError(f"{extra[0]} does not apply to 'thresholds {ctx.invoked_subcommand}'; it takes "
                                   "an ID, --as-of and --format")
        return
    from ..fmt import human, money, sci
    from ..rules import load_thresholds
    from ..rules import thresholds as select
    from ..rules import timeline as timeline_fn
    from ..units import mag

    given = [k for k in ("precision", "peak", "efficiency", "price", "overhead", "price_tier") if kw.get(k) is not None]
    if given and not gpus:
        raise click.UsageError(f"--{given[0].replace('_', '-')} needs --gpu: it sets an assumption for costing the "
                               "thresholds on a chip")
    if timeline and gpus:
        raise click.UsageError("--timeline lists status changes; it cannot be combined with --gpu")
    rules = select(load_thresholds(thresholds_files), status=statuses, as_of=as_of)
    if timeline:
        events = [e for e in timeline_fn(rules) if as_of is None or e[0].date <= as_of]
        data = [{"date": c.when, "id": t.id, "status": c.status, "event": c.event} for c, t in events]
        if fmt in ("json", "csv"):
            emit_data(data, fmt, columns=["date", "id", "status", "event"])
            return
        emit_table(["date", "id", "status", "event"], [[d["date"], d["id"], d["status"], d["event"] or ""]
                                                        for d in data], fmt)
        return
    sources = [f"{t.id}: {t.source}" for t in rules]
    checked = sorted({t.status_as_of for t in rules if t.status_as_of})
    if checked:
        sources.insert(0, f"(statuses checked as of {', '.join(checked)})")
    if not gpus:
        rows = [_threshold_row(t) for t in rules]
        if fmt in ("json", "csv"):
            emit_data(rows, fmt, columns=["id", "name", "status"])
            if not rows:
                say_empty(_no_rules(load_thresholds(thresholds_files), as_of, statuses), fmt)
            return
        status_head = f"status on {as_of.isoformat()}" if as_of else "status"
        table = [[t.id, t.jurisdiction, t.describe_limits(), t.kind, t.status, _when(t),
                  "" if t.confidence == "confirmed" else "UNCONFIRMED"] for t in rules]
        title = f"Thresholds as they stood on {as_of.isoformat()}" if as_of else None
        if not rules:
            emit_table(["id", "where", "limit", "kind", status_head, "in effect", "confidence"], [], fmt,
                       title=title, footer=[_no_rules(load_thresholds(thresholds_files), as_of, statuses)])
            return
        emit_table(["id", "where", "limit", "kind", status_head, "in effect", "confidence"], table, fmt, title=title,
                   footer=["revenue_usd: the developer's annual revenue (converts to no compute); relative: a "
                           "fraction of the original model's compute, with the fallback shown.", "Sources:"]
                   + sources)
        return
    from ..verdicts import threshold_costs

    db = load_db(hardware_files)
    rows, table = [], []
    chosen = db.unique(gpus)
    for g in chosen:
        for tc in threshold_costs(rules, g, hardware=db, fallback_precision=len(chosen) > 1, as_of=as_of,
                                  **overrides(kw)):
            row = _threshold_row(tc.threshold)
            r = tc.estimate
            ev = r.evidence if r is not None else None
            row.update({
                "gpu": tc.gpu,
                "precision": r.precision if r is not None else None,
                "price_tier": r.price_tier if r is not None else None,
                "chip_hours": mag(tc.chip_hours, "hour") if tc.chip_hours is not None else None,
                "cost_usd": mag(tc.cost, "USD") if tc.cost is not None else None,
                "cost_with_overhead_usd": mag(tc.cost_with_overhead, "USD") if tc.cost_with_overhead is not None
                else None,
                "chip_hours_low": mag(ev.chip_hours_low, "hour") if ev and ev.chip_hours_low is not None else None,
                "chip_hours_high": mag(ev.chip_hours_high, "hour") if ev and ev.chip_hours_high is not None else None,
                "cost_usd_low": mag(ev.cost_low, "USD") if ev and ev.cost_low is not None else None,
                "cost_usd_high": mag(ev.cost_high, "USD") if ev and ev.cost_high is not None else None,
                "evidence_cost_usd": mag(ev.cost, "USD") if ev and ev.cost is not None else None,
                "range_level": 0.9 if ev and ev.cost is not None else None,
                "chips_needed": tc.chips_needed,
                "flop_for_usd": mag(tc.flop_for_usd, "FLOP") if tc.flop_for_usd is not None else None,
            })
            rows.append(row)
            t = tc.threshold
            evid = (f"{money(row['evidence_cost_usd'])} (90% {money(row['cost_usd_low'])}-"
                    f"{money(row['cost_usd_high'])})" if row["evidence_cost_usd"] is not None else "")
            table.append([
                t.id, t.describe_limits(), t.status, tc.gpu,
                human(row["chip_hours"]) if row["chip_hours"] is not None else "",
                money(row["cost_usd"]) if row["cost_usd"] is not None else "",
                money(row["cost_with_overhead_usd"]) if row["cost_with_overhead_usd"] is not None else "",
                evid,
                f"{tc.chips_needed:,}" if tc.chips_needed is not None else "",
                sci(row["flop_for_usd"]) if row["flop_for_usd"] is not None else "",
            ])
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    footer = [
        "chip-hours and cost: the FLOP limit (a relative rule's fallback) at the chip's assumption "
        "(see 'flopcalc cost --explain'); evidence cost: what known runs imply, with its 90% interval;",
        "chips at peak: how many chips reach a FLOP/s (cluster) limit at their highest dense peak;",
        "FLOP for $: what a dollar limit buys before overhead. Revenue limits convert to nothing.",
        "Sources:",
    ] + sources
    emit_table(["id", "limit", "status", "chip", "chip-hours", "cost", "with overhead", "evidence cost",
                "chips at peak", "FLOP for $"], table, fmt, footer=footer)


@thresholds.command("show")
@click.argument("rule_id", metavar="ID")
@click.option("--as-of", type=params.DATE, help="The rule's status on this date (default: as last checked).")
@format_option(default=None)
@click.pass_context
def thresholds_show(ctx: click.Context, rule_id: str, as_of: Any, fmt: str | None) -> None:
    """One rule's full record: the test, what counts, what it triggers, status history, counting notes, sources."""
    from ..rules import get_threshold, load_thresholds
    from ..rules import thresholds as select

    fmt = fmt or ctx.obj["fmt"]
    day = as_of or ctx.obj.get("as_of")
    t = get_threshold(rule_id, load_thresholds(ctx.obj["files"]))
    if day is not None:
        dated = select([t], as_of=day)
        if not dated:
            raise click.UsageError(f"{t.id} did not exist yet on {day.isoformat()}: its history starts "
                                   f"{t.history[0].when if t.history else '(no dated history)'}")
        t = dated[0]
    row = _threshold_row(t)
    if fmt in ("json", "csv"):
        emit_data(row, fmt)
        return
    table = [["name", t.name], ["jurisdiction", t.jurisdiction], ["instrument", t.instrument],
             ["article", t.article or "-"], ["test", t.describe_limits()], ["kind", t.kind],
             ["counts", t.counts or "-"], ["cumulative", "yes: original run plus later modifications"
                                           if t.cumulative else "no"],
             ["triggers", t.triggers or "-"], ["applies to", t.scope or "all models"],
             [f"status on {t.as_of.isoformat()}" if t.as_of else "status", t.status],
             ["in effect", _when(t)], ["confidence", t.confidence]]
    for k, v in (t.counting or {}).items():
        table.append([f"counting: {k}", "; ".join(v) if isinstance(v, list) else
                      (f"+-{v:.0%}" if k == "tolerance" else str(v))])
    for k, v in t.dates.items():
        table.append([f"date: {k}", v])
    footer = ["Status history:"] + [f"{c.when}  {c.status}" + (f"  ({c.event})" if c.event else "")
                                    for c in t.history]
    footer += [f"Source: {t.source}" + (f" (checked {t.status_as_of})" if t.status_as_of else "")]
    if t.note:
        footer.append(f"Note: {t.note}")
    emit_table([t.id, ""], table, fmt, footer=footer)


def _days(x: float | None) -> str:
    """More days, never '0.0' for a rule not yet crossed."""
    if x is None:
        return ""
    return f"{x:,.1f}" if x >= 0.05 else f"{x:.2g}"


def _basis_words(ev: dict[str, Any] | None) -> str:
    """How the evidence is grounded: known runs, the class (no runs on this generation) or a cited range."""
    if ev is None:
        return "no evidence"
    basis = ev.get("basis")
    n = ev.get("runs") or 0
    return {"runs": f"{n} known run{'s' if n != 1 else ''} on this generation",
            "class": "class: no known runs on this generation",
            "cited": "cited MFU range, not runs"}.get(str(basis), str(basis))


def _flop_text(x: float, lines: list[float]) -> str:
    from ..fmt import sci_against

    return sci_against(x, lines)


@cli.command()
@click.option("--flop", type=params.FLOP, help="The run's training compute, if known.")
@click.option("--params", "n_params", type=params.count("params"),
              help="Parameters N (architecture method; 400B, 7e9).")
@click.option("--active-params", type=params.count("active params"),
              help="Active parameters per token, for mixture-of-experts models (replaces --params in 6 N D).")
@click.option("--tokens", type=params.count("tokens"), help="Training tokens D (architecture method; 15T).")
@click.option("--gpu", metavar="ID", type=params.CHIP, help="Chip (hardware method; also prices the run). Default h100.")
@click.option("--chips", type=params.CHIPS, help="Chips in the run (hardware method; 16384 or 16k).")
@click.option("--days", type=params.DAYS, help="Days of training (hardware method).")
@click.option("--revenue", type=params.REVENUE, help="The developer's annual revenue, for revenue tiers ('$600M').")
@click.option("--base-flop", metavar="X", help="Modification: the original model's training compute, or 'unknown'.")
@click.option("--finetune-tokens", type=params.count("fine-tuning tokens"),
              help="Modification: tokens of fine-tuning (with --params).")
@click.option("--trainable-params", type=params.count("trainable params"),
              help="Modification: parameters that train (default: all; LoRA: a few million).")
@click.option("--finetune-flop", type=params.FLOP, help="Modification: its compute, if known.")
@click.option("--as-of", type=params.DATE, help="Set the run against the rules as they stood on this date (default today).")
@click.option("--all", "show_all", is_flag=True, help="Treat every rule as if it bound (one list).")
@click.option("--status", "statuses", multiple=True, type=STATUS_CHOICE, metavar="STATUS",
              help="Only rules with this status on the date; repeatable.")
@click.option("--explain", is_flag=True, help="Print how the compute was estimated, step by step.")
@assumption_options()
@format_option()
@thresholds_files_option()
@hardware_files_option()
def check(flop: Any, n_params: float | None, active_params: float | None, tokens: float | None, gpu: str | None,
          chips: int | None, days: Any, revenue: Any, base_flop: str | None, finetune_tokens: float | None,
          trainable_params: float | None, finetune_flop: Any, as_of: Any, show_all: bool,
          statuses: tuple[str, ...], explain: bool, fmt: str, thresholds_files: tuple[str, ...],
          hardware_files: tuple[str, ...], **kw: Any) -> None:
    """Estimate a run's training compute and set it against the rules that bind on a date.

    Architecture method: --params N --tokens D (C = 6 N D). Hardware method: --gpu ID --chips N
    --days T (chips x peak x efficiency x time). Or --flop X directly. A modification (fine-tuning):
    --base-flop X|unknown --params N --finetune-tokens D [--trainable-params N].
    """
    from ..fmt import money, pct, sci
    from ..judgement import ratio_text
    from ..rules import load_thresholds
    from ..units import mag
    from ..verdicts import check as check_fn

    method = [x is not None for x in (n_params, tokens, chips, days)]
    if flop is None and not any(method) and base_flop is None and finetune_flop is None and finetune_tokens is None:
        raise click.UsageError("nothing to check: give --flop, or --params and --tokens, or --gpu, --chips and "
                               "--days, or a modification (--base-flop with --finetune-tokens)")
    if (chips is None) != (days is None):
        raise click.UsageError(f"{'--chips' if days is None else '--days'} needs {'--days' if days is None else '--chips'}:"
                               " the hardware method takes --chips and --days (and --gpu, default h100)")
    if flop is not None and (tokens is not None or chips is not None):
        raise click.UsageError("give --flop, or an estimation method (--params and --tokens, or --chips and --days), "
                               "not both")
    db = load_db(hardware_files)
    res = check_fn(flop=flop, params=n_params, tokens=tokens, active_params=active_params, gpu=gpu, chips=chips,
                   days=days, revenue=revenue, as_of=as_of, statuses=statuses, include_all=show_all,
                   base_flop=base_flop, finetune_tokens=finetune_tokens, trainable_params=trainable_params,
                   finetune_flop=finetune_flop, rules=load_thresholds(thresholds_files), hardware=db, **overrides(kw))
    data = res.to_dict()
    if fmt == "json":
        emit_data(data, fmt)
        return
    if fmt == "csv":
        if not data["rules"]:
            say_empty(_no_rules(load_thresholds(thresholds_files), res.as_of, statuses), fmt)
        emit_data([{"run_flop": data["flop"], "flop_low": data["flop_low"], "flop_high": data["flop_high"],
                    "method": data["method"], **t} for t in data["rules"]], fmt,
                  columns=["run_flop", "flop_low", "flop_high", "method", "id", "verdict", "reason", "confidence",
                           "status_on_date", "binding", "effective_from"])
        return
    lines = [line.base for c in res.checks for line in c.threshold.limits if line.kind in ("flop", "relative")]
    f = data["flop"]
    head = [f"Training compute: {_flop_text(f, lines)} FLOP ({res.method} method)"]
    ev = data["evidence"]
    if res.method == "hardware" and data["flop_centre"] is not None and data["flop_low"] != data["flop_high"]:
        head[0] = (f"Training compute ({res.method} method): assumption {_flop_text(f, lines)} FLOP; evidence "
                   f"{sci(data['flop_centre'], 2)}, 90% {_flop_text(data['flop_low'], lines)}-"
                   f"{_flop_text(data['flop_high'], lines)} FLOP ({_basis_words(ev)})")
    if res.architecture_flop is not None:
        head.append(f"  architecture: 6 x N x D = {sci(data['architecture_flop'], 3)} FLOP")
    if res.hardware_flop is not None:
        assert res.peak is not None and res.efficiency is not None  # check() sets them with the hardware method
        head.append(f"  hardware: {res.chips:,} {res.gpu} x {data['days']:g} days x "
                    f"{mag(res.peak, 'TFLOP/s'):g} TFLOP/s ({res.precision}, dense) x {pct(res.efficiency)} "
                    f"(assumed) = {sci(data['hardware_flop'], 3)} FLOP")
    if res.method_ratio is not None:
        head.append(f"  hardware / architecture = {res.method_ratio:.2f} (the larger estimate is checked)")
    if res.modification is not None:
        m = res.modification
        cumulative = m.cumulative_flop  # known exactly when the original's compute is
        head.append(f"  modification: {m.formula} = {sci(m.flop, 3)} FLOP"
                    + (f"; original {sci(m.base_flop, 3)}, cumulative {sci(cumulative, 3)}"
                       if m.base_flop is not None and cumulative is not None
                       else "; original's compute unknown: fallbacks apply"))
        for c in res.checks:
            rel = c.threshold.limit("relative")
            if rel is None or rel.fraction is None:
                continue
            line = rel.base if m.base_flop is None else float(rel.fraction) * m.base_flop
            how = (f"{rel.fraction.numerator}/{rel.fraction.denominator} x {sci(m.base_flop, 3)}"
                   if m.base_flop is not None else "fallback")
            met = "met" if c.verdict == "crossed" else "not met"
            rel_op = ">" if m.flop > line else "<" if m.flop < line else "="
            head.append(f"  {c.threshold.id}: {sci(m.flop, 3)} {rel_op} {how} = "
                        f"{sci(line, 4)}: {met}")
    head.append(f"  cost: {money(data['cost_usd'])} ({res.cost_basis}; the final run's compute, what dollar "
                f"limits test); with {data['overhead']:g}x overhead {money(data['cost_with_overhead_usd'])}")
    if res.provider is not None:
        head.append(f"  {res.provider.reason[:1].upper() + res.provider.reason[1:]}.")
    if data["notification_flop"] is not None:
        head.append(f"  as an EU notification states it (2 significant figures): {data['notification_flop']:.1e} FLOP"
                    .replace("e+", "e"))
    echo("\n".join(head) + "\n")
    if explain:
        from ..rows import explain_cost

        if res.hardware_flop is not None and res.chips is not None and res.days is not None:
            from ..estimate import cost as cost_fn

            run = cost_fn(res.hardware_flop, res.gpu, chips=res.chips, hardware=db, **overrides(kw))
            echo(f"The hardware method, step by step ({res.chips:,} chips x {mag(res.days, 'day'):g} days):")
            echo("\n".join(explain_cost(run)) + "\n")
        else:
            echo(f"{res.method} method: no chip arithmetic; the figure is tested as given.\n")

    def table_of(checks: Iterable[ThresholdCheck]) -> list[list[str]]:
        out = []
        for c in checks:
            t = c.threshold
            out.append([t.id + (" (UNCONFIRMED)" if t.confidence == "unconfirmed" else ""), t.describe_limits(),
                        c.status_on_date, t.effective_from.isoformat() if t.effective_from else "-", c.sees,
                        c.verdict.upper() if c.verdict == "crossed" else c.verdict, ratio_text(c.ratio),
                        ratio_text(c.revenue_ratio), _days(c.days_to_cross)])
        return out

    headers = ["id", "limit", "status on date", "in force from", "tests", "verdict", "FLOP ratio", "revenue ratio",
               "more days"]
    day = data["as_of"]
    main_title = (f"Rules with status {', '.join(statuses)} on {day}" if statuses else
                  f"All rules on {day}" if show_all else f"Rules in force on {day}")
    emit_table(headers, table_of(res.binding), fmt, title=main_title)
    reasons = [f"{c.threshold.id}: {c.reason}" for c in res.binding + res.upcoming if c.verdict != "not applicable"]
    if res.upcoming:
        echo("")
        emit_table(headers, table_of(res.upcoming), fmt,
                   title=f"Enacted, not yet in force on {day} (binding from the date shown)")
    if res.others:
        echo("")
        emit_table(headers, table_of(res.others), fmt,
                   title=f"Not binding on {day} ({', '.join(dict.fromkeys(c.status_on_date for c in res.others))}): "
                         "for reference only")
    why_empty = [] if res.checks else [_no_rules(load_thresholds(thresholds_files), res.as_of, statuses)]
    if not res.binding and res.checks and not show_all:
        why_empty = [f"no rule was in force on {day}" + (f"; {len(res.upcoming)} enacted, not yet" if res.upcoming
                                                        else "")]
    footer = why_empty + (["Why (each verdict in one sentence):"] + reasons if reasons else []) + [
        "verdict: crossed = the assumption and the whole 90% evidence interval meet the test; not crossed = "
        "neither does; uncertain = the interval straddles the line, or the assumption and the interval fall on "
        "opposite sides; needs revenue / cluster size / base compute = an input is missing.",
        "FLOP ratio: the compute tested / the rule's compute line; revenue ratio: revenue / the revenue line. "
        "tests: which compute the rule sees (run; cumulative = original + modification; modification alone)."]
    if any(t.confidence == "unconfirmed" for t in (c.threshold for c in res.checks)):
        footer.append("UNCONFIRMED: the rule's text or status could not be confirmed from a primary source.")
    if res.method == "hardware":
        footer.append("more days: training days at this pace until the assumption and the whole 90% evidence "
                      "interval cross the line.")
    scoped = [c.threshold for c in res.checks if c.verdict == "crossed" and c.threshold.scope]
    footer += [f"{t.id} applies only to {t.scope}." for t in scoped]
    footer += [f"Note: {n}" for n in dict.fromkeys(res.notes)]
    echo("")
    for note in footer:
        echo(f"- {note}" if fmt == "markdown" else note)
