"""flopcalc hardware, runs and calibrate."""

from __future__ import annotations

import re

from typing import TYPE_CHECKING, Any

import click

from . import cli, params
from .common import format_option, hardware_files_option, load_db
from .output import echo, emit_data, emit_table, say_empty

if TYPE_CHECKING:  # pragma: no cover
    from ..hardware import Profile


def _profile_row(p: Profile) -> dict[str, Any]:
    from ..units import mag

    return {
        "id": p.id, "name": p.name, "aliases": list(p.aliases), "vendor": p.vendor, "year": p.year,
        "generation": p.generation, "default_precision": p.default_precision,
        "peak_flop_per_s": {k: mag(v, "FLOP/s") for k, v in p.peak.items()},
        "sparse_peak_flop_per_s": {k: mag(v, "FLOP/s") for k, v in p.sparse_peak.items()},
        "efficiency": dict(p.efficiency),
        "efficiency_kind": "assumed",
        "efficiency_range": {k: list(v) for k, v in p.mfu_range.items()},
        "mfu_range_cited": {k: list(v) for k, v in p.mfu_range.items()},
        "price_usd_per_chip_hour": mag(p.price, "USD/hour"),
        "price_tier": p.price_tier,
        "price_date": p.price_date,
        "price_range_usd_per_chip_hour": [mag(q, "USD/hour") for q in p.price_range] if p.price_range else None,
        "price_ranges_usd_per_chip_hour": {t: [mag(q, "USD/hour") for q in r] for t, r in p.price_ranges.items()},
        "prices": [{"usd_per_chip_hour": x.usd_per_hour, "tier": x.tier, "date": x.date, "provider": x.provider,
                    "source": x.source, "url": x.url} for x in p.prices],
        "price_is_estimate": p.price_is_estimate,
        "released": p.released, "confidence": p.confidence, "confidence_note": p.confidence_note,
        "peak_caveats": dict(p.peak_caveats), "data_as_of": p.data_as_of,
        "overhead": p.overhead, "tdp_w": mag(p.tdp, "W"), "memory_gb": mag(p.memory, "GB"),
        "sources": [{"field": s.field, "source": s.source, "url": s.url, "dataset": s.dataset, "date": s.date}
                    for s in p.sources],
        "notes": p.notes, "file": p.path, "origin": p.origin,
    }


@cli.group(invoke_without_command=True)
@click.option("--gpu", "gpus", multiple=True, metavar="ID", type=params.CHIP,
              help="Only these chips (id or alias; repeatable; a chip named twice is listed once).")
@format_option()
@hardware_files_option()
@click.pass_context
def hardware(ctx: click.Context, gpus: tuple[str, ...], fmt: str, hardware_files: tuple[str, ...]) -> None:
    """The chip profiles: list them, or 'show ID' for one with every source.

    Profiles come from the shipped hardware/ folder, then the user folder ($FLOPCALC_HARDWARE_PATH,
    else <config dir>/flopcalc/hardware), then --hardware-file; a later one with the same id wins.
    """
    ctx.obj = {"fmt": fmt, "files": hardware_files}
    if ctx.invoked_subcommand is not None:
        if gpus:
            raise click.UsageError(f"--gpu does not apply to 'hardware {ctx.invoked_subcommand}'; it takes an ID")
        return
    from ..fmt import pct

    db = load_db(hardware_files)
    profiles = db.unique(gpus) if gpus else db.all()
    if fmt in ("json", "csv"):
        emit_data([_profile_row(p) for p in profiles], fmt)
        return
    precisions = ["fp8", "bf16", "fp16", "tf32", "fp32"]
    table = []
    for p in profiles:
        row = _profile_row(p)
        peaks = row["peak_flop_per_s"]
        table.append([p.id, p.name, p.year or "", p.default_precision]
                     + [f"{peaks[k] / 1e12:g}" if k in peaks else "-" for k in precisions]
                     + [pct(p.efficiency[p.default_precision]), f"${row['price_usd_per_chip_hour']:.2f}",
                        (p.price_tier or "-") + (" (estimate)" if p.price_is_estimate else ""), p.confidence,
                        "" if p.origin == "shipped" else p.origin])
    emit_table(["id", "name", "year", "default"] + [f"{k} TFLOP/s" for k in precisions]
               + ["eff (assumed)", "$/chip-h", "price tier", "confidence", "from"], table, fmt,
               footer=["Peaks are dense (no 2:4 sparsity). confidence: how sure the peak figures are. "
                       "'flopcalc hardware show ID' lists every source and the price history."])


@hardware.command("show")
@click.argument("gpu")
@format_option(default=None)
@hardware_files_option()
@click.pass_context
def hardware_show(ctx: click.Context, gpu: str, fmt: str | None, hardware_files: tuple[str, ...]) -> None:
    """One chip's profile, with the file it came from, every source and its price history."""
    from ..fmt import pct

    fmt = fmt or ctx.obj["fmt"]
    p = load_db(tuple(ctx.obj["files"]) + tuple(hardware_files)).get(gpu)
    row = _profile_row(p)
    if fmt in ("json", "csv"):
        emit_data(row if fmt == "json" else [{k: v for k, v in row.items() if k != "sources"}], fmt)
        return
    table: list[list[Any]] = [
        ["name", p.name], ["aliases", ", ".join(p.aliases) or "-"], ["vendor", p.vendor or "-"],
        ["year", p.year or "-"], ["generation", p.generation or "-"],
        ["default precision", p.default_precision],
    ]
    for k, v in row["peak_flop_per_s"].items():
        sparse = row["sparse_peak_flop_per_s"].get(k)
        extra = f"  (datasheet with 2:4 sparsity: {sparse / 1e12:g}, not used)" if sparse else ""
        table.append([f"peak {k} (dense)", f"{v / 1e12:g} TFLOP/s{extra}"])
    for k, v in p.efficiency.items():
        rng = p.mfu_range.get(k)
        table.append([f"efficiency {k} (assumed)", pct(v) + (f"  (MFU (cited) {pct(rng[0])}-{pct(rng[1])})"
                                                              if rng else "")])
    table.append(["price", f"${row['price_usd_per_chip_hour']:.2f} per chip-hour ({p.price_tier or 'untiered'}"
                  f"{', ' + p.price_date if p.price_date else ''})"])
    for tier, (lo, hi) in row["price_ranges_usd_per_chip_hour"].items():
        table.append([f"price range {tier}", f"${lo:.2f}-${hi:.2f}"])
    table += [["released", p.released or "-"], ["confidence", p.confidence + (f" ({p.confidence_note})"
                                                                              if p.confidence_note else "")]]
    table += [
        ["overhead", f"{p.overhead:g}x"], ["TDP", f"{row['tdp_w']:g} W"], ["memory", f"{row['memory_gb']:g} GB"],
        ["file", f"{p.path} ({p.origin})"],
    ]
    footer = ["Sources:"] + [f"[{s.field}] {s.source} ({s.date or 'undated'})" + (f" {s.url}" if s.url else "")
                             + (f" [dataset: {s.dataset}]" if s.dataset else "") for s in p.sources]
    if p.prices:
        footer += ["Price history (USD per chip-hour):"] + [
            f"{x.date}  ${x.usd_per_hour:.2f}  {x.tier}  {x.provider or ''}  {x.url or x.source}" for x in p.prices]
    if p.notes:
        footer += ["Notes: " + " ".join(p.notes.split())]
    emit_table([p.id, ""], table, fmt, footer=footer)


@cli.command()
@click.option("--gpu", metavar="ID", help="Only runs on this chip.")
@format_option()
@click.option("--runs-file", "runs_files", multiple=True, metavar="PATH",
              help="Extra known runs (YAML, same schema as the shipped file); repeatable.")
@click.option("--all", "show_all", is_flag=True, help="Also list runs without enough data for an estimate.")
@hardware_files_option()
def runs(gpu: str | None, fmt: str, runs_files: tuple[str, ...], show_all: bool,
         hardware_files: tuple[str, ...]) -> None:
    """Known training runs set against flopcalc: reported chip-hours, the estimate, implied efficiency."""
    from ..evidence import build_model, default_model, estimate_runs, shipped_db
    from ..fmt import human, pct, sci
    from ..runs import load_runs

    db = load_db(hardware_files)
    all_runs = load_runs(runs_files)
    ests = estimate_runs(all_runs, gpu=gpu, hardware=db)
    model = default_model() if not runs_files else build_model(all_runs, shipped_db())  # user profiles never refit it
    used = {o.model for o in model.observations}
    from ..datadates import data_as_of

    stamp = data_as_of()
    why = {d.model: d.reason for d in model.dropped}
    if not show_all:
        ests = [e for e in ests if e.flop and e.reported_chip_hours]
    rows: list[dict[str, Any]] = []
    for e in ests:
        r = e.run
        rows.append({
            "model": r.model, "org": r.org, "year": r.year, "gpu": e.gpu, "precision": e.precision,
            "precision_assumed": r.precision_assumed, "flop": e.flop, "flop_basis": e.flop_basis,
            "reported_chip_hours": e.reported_chip_hours, "chip_hours_basis": e.chip_hours_basis,
            "estimated_chip_hours": e.estimated_chip_hours, "estimate_to_reported": e.ratio,
            "implied_efficiency": e.implied_efficiency, "implied_efficiency_kind": "all-in",
            "flop_kind": e.flop_basis, "chip_hours_kind": e.chip_hours_basis,
            "in_evidence": r.model in used, "dropped_because": why.get(r.model),
            "reported_mfu": list(r.mfu) if r.mfu else None,
            "implied_price_usd_per_chip_hour": list(e.implied_price) if e.implied_price else None,
            "grade": r.grade, "source": r.source, "data_as_of": stamp,
        })
    if fmt in ("json", "csv"):
        emit_data(rows, fmt, columns=["model", "org", "gpu", "precision", "flop", "reported_chip_hours",
                                      "in_evidence"])
        if not rows:
            say_empty(_no_runs(gpu), fmt)
        return
    table = []
    for row in rows:
        price = row["implied_price_usd_per_chip_hour"]
        table.append([
            row["model"], row["gpu"] or "-", (row["precision"] or "-") + ("*" if row["precision_assumed"] else ""),
            sci(row["flop"]) + {"6ND": " (6ND)", "lower-bound": " (>=)"}.get(row["flop_basis"], "")
            if row["flop"] else "-",
            human(row["reported_chip_hours"]) + {"chips-x-days": " (c x d)", "upper-bound": " (<=)",
                                                 "calendar-window": " (~)", "rate-x-tokens": " (rate)"}.get(
                row["chip_hours_basis"], "") if row["reported_chip_hours"] else "-",
            human(row["estimated_chip_hours"]) if row["estimated_chip_hours"] else "-",
            f"{row['estimate_to_reported']:.2f}" if row["estimate_to_reported"] else "-",
            pct(row["implied_efficiency"]) if row["implied_efficiency"] else "-",
            (f"${price[0]:.2f}" if price[0] == price[1] else f"${price[0]:.2f}-{price[1]:.2f}") if price else "",
            row["grade"] or "", "yes" if row["in_evidence"] else "no",
        ])
    emit_table(["model", "chip", "prec", "FLOP", "chip-hours", "flopcalc est.", "est/rep", "implied eff",
                "$/chip-h", "grade", "in evidence"], table, fmt,
               footer=["implied eff = FLOP / (chip-hours x peak at the run's precision x 3600): all-in efficiency, so "
                       "below reported MFU.", "in evidence: used by the 90% interval; runs with lower-bound FLOP (>=) "
                       "or upper-bound chip-hours (<=) are left out (--format json says why).", "flopcalc est. uses the chip's default efficiency at that precision; "
                       "est/rep < 1 means flopcalc's default is optimistic for that run.",
                       "(6ND): FLOP from 6 x params x tokens; (c x d): chips x days x 24; (~): chips x a loose window "
                       "('about two weeks'); (rate): a reported GPU-hours-per-trillion-tokens rate x the tokens; "
                       "*: precision assumed."]
               + ([_no_runs(gpu)] if not table else []))


@cli.command()
@click.option("--gpu", metavar="ID", default="h100", show_default=True, type=params.CHIP, help="Chip to calibrate.")
@click.option("--precision", metavar="P", type=params.PRECISION, help="Precision (default: the chip's default).")
@format_option()
@click.option("--runs-file", "runs_files", multiple=True, metavar="PATH",
              help="Extra known runs (YAML, same schema as the shipped file); repeatable.")
@click.option("--flop", type=params.FLOP,
              help="The run's FLOP: the interval's width depends on scale (default: a run of 1e25-1e26 FLOP).")
@hardware_files_option()
def calibrate(gpu: str, precision: str | None, fmt: str, runs_files: tuple[str, ...],
              hardware_files: tuple[str, ...], flop: Any = None) -> None:
    """The evidence for a chip: its group's runs, the 90% interval, and leave-one-out coverage of the method."""
    from ..calibration import calibrate as calibrate_fn
    from ..datadates import data_as_of
    from ..evidence import CANDIDATES
    from ..fmt import pct
    from ..runs import load_runs

    db = load_db(hardware_files)
    runs_arg = load_runs(runs_files) if runs_files else None
    flop_value = float(flop.to("FLOP").magnitude) if flop is not None else None
    cal = calibrate_fn(gpu, precision, runs=runs_arg, hardware=db, flop=flop_value)
    prof = db.get(gpu)
    iv = cal.interval

    bands = (("below 1e21 FLOP", 0.0, 21.0), ("1e21-1e23 FLOP", 21.0, 23.0), ("1e23 FLOP and above", 23.0, 99.0))

    def split(v: Any) -> dict[str, Any] | None:
        if v is None:
            return None
        by_scale = []
        for label, lo, hi in bands:
            inside, n, width = v.band(lo, hi)
            by_scale.append({"scale": label, "runs": n, "inside": inside, "coverage": inside / n if n else None,
                             "median_width": width})
        return {"name": v.name, "runs": v.runs, "inside": v.inside, "coverage": v.coverage,
                "median_width": v.median_width, "median_error": v.median_error, "by_scale": by_scale,
                "misses": [{"model": m, "implied_efficiency": e, "interval_low": lo, "interval_high": hi}
                           for m, e, lo, hi in v.misses]}

    ts, gs = split(cal.time_split), split(cal.group_split)
    choice = cal.model_choice or {}

    def candidate(c: dict[str, Any]) -> dict[str, Any]:
        out = {k: c[k] for k in ("key", "label", "eligible", "coverage_shortfall", "score", "max_width_1e26",
                                 "widest_chip", "width_ok")}
        for name in ("time_split", "group_split"):
            v = c[name]
            out[name] = {k: v[k] for k in ("runs", "inside", "coverage", "large_runs", "large_inside",
                                           "large_coverage", "interval_score", "median_width", "median_error")}
        out["frontier_inside_group_split"] = [
            {"model": h["model"], "log10_flop": h["log10_flop"], "implied_efficiency": h["efficiency"],
             "interval_low": h["low"], "interval_high": h["high"], "inside": h["low"] <= h["efficiency"] <= h["high"]}
            for h in c["group_split"]["held"] if h["log10_flop"] >= 24.0]
        return out

    model_choice: dict[str, Any] = {
        "model": cal.model_spec, "label": cal.model_label, "criterion_met": choice.get("criterion_met"),
        "rule": ("eligible: held-out coverage >= 0.88 on the time split and leaving one organisation out, over all "
                 "runs and over runs >= 1e23 FLOP, and every shipped chip's chip-hours interval at 1e26 FLOP at most "
                 "x4.5 wide; then the lowest summed mean interval score (alpha 0.1); if none is eligible, the "
                 "smallest coverage shortfall among those meeting x4.5 (docs/evidence-method.md)"),
        "candidates": [candidate(c) for c in choice.get("candidates", [])],
    }
    data: dict[str, Any] = {
        "gpu": cal.gpu, "precision": cal.precision, "basis": iv.basis, "efficiency_kind": iv.kind,
        "group": iv.group, "group_runs": len(cal.group_runs), "centre": iv.centre, "interval_low": iv.low,
        "interval_high": iv.high, "interval_width": (iv.high / iv.low) if iv.low and iv.high else None,
        "log_half_width": iv.log_spread, "range_level": iv.level, "method": iv.method,
        "class": cal.class_name, "class_runs": cal.class_runs, "class_centre": cal.class_centre,
        "class_q": cal.class_q, "class_q_new_generation": cal.class_q_new, "class_q_from": cal.class_q_from,
        "class_held_out_runs": cal.class_held_out,
        "class_scale_slope": cal.class_scale_slope, "class_scale_centre": cal.class_scale_centre,
        "class_scale_range": list(cal.class_scale_range) if cal.class_scale_range else None,
        "log10_flop": cal.log10_flop, "flop_given": flop_value is not None,
        "class_sd": cal.class_sd, "class_df": cal.class_df, "class_t": cal.class_t,
        "time_split_coverage": ts["coverage"] if ts else None, "group_coverage": gs["coverage"] if gs else None,
        "time_split": ts, "group_split": gs,
        "loo_coverage": cal.loo_coverage, "loo_inside": cal.loo_inside, "loo_runs": cal.loo_runs,
        "default_efficiency": prof.efficiency.get(cal.precision),
        "scope": cal.scope, "count": cal.count, "median": cal.median, "min": cal.min, "max": cal.max,
        "runs": [{"model": o.model, "gpu": o.gpu, "precision": o.precision, "implied_efficiency": o.efficiency}
                 for o in cal.group_runs],
        "dropped": [{"model": m, "reason": r} for m, r in cal.dropped], "data_as_of": data_as_of(),
        "model_choice": model_choice,
    }
    if fmt == "json":
        emit_data(data, fmt)
        return
    if fmt == "csv":
        emit_data([{"gpu": cal.gpu, "precision": cal.precision, **r} for r in data["runs"]], fmt,
                  columns=["gpu", "precision", "model", "implied_efficiency"])
        return
    d = data["default_efficiency"]
    if iv.centre is None:
        echo(f"{cal.gpu} {cal.precision}: no evidence interval ({iv.method}).")
    else:
        kind = "all-in efficiency" if iv.kind == "all-in" else "MFU (cited, not evidence)"
        assert iv.low is not None and iv.high is not None  # an interval with a centre has both ends
        n = len(cal.group_runs)
        where = (f"group {iv.group}, {n} run{'' if n == 1 else 's'}" if iv.basis == "runs" else
                 f"no runs on this generation: the {cal.class_name} class figure" if iv.basis == "class" else
                 "the profile's cited MFU range")
        scale = (f"a run of {10 ** cal.log10_flop:.2g} FLOP" if flop_value is not None
                 else "a run of 3.2e25 FLOP, the middle of 1e25-1e26 (--flop sets the scale)")
        held = re.search(r"held at that of [^,;)]+", iv.method)
        if held:  # beyond the runs' range of scales the width is the edge's, never extrapolated
            scale += f", its width {held[0]}"
        echo(f"{cal.gpu} {cal.precision}: {kind} {pct(iv.centre)}, 90% interval {pct(iv.low)}-{pct(iv.high)} "
             f"(x{iv.high / iv.low:.2f} wide, for {scale}; {iv.basis}: {where}). flopcalc's assumption: "
             f"{pct(d) if d else '-'}.")
        spec = CANDIDATES.get(cal.model_spec)
        centre_text = ("its centre is the middle of the profile's cited MFU range, not known runs"
                       if iv.basis == "cited" else
                       "its centre rises with scale within a generation, along the slope fitted on the record's runs"
                       if spec is not None and spec.slope else
                       "its centre does not move with scale: it is the mean over runs of every size, most of them far "
                       "smaller")
        echo("The interval is for a run like those in the public record at that scale; a well-engineered frontier "
             f"run may sit in its upper half or above it ({centre_text}). Smaller runs in the record spread more "
             "widely, so the interval is wider for them.")
    if model_choice["candidates"]:
        met = model_choice["criterion_met"]
        chosen = next((c for c in model_choice["candidates"] if c["key"] == cal.model_spec), None)
        frontier = chosen["frontier_inside_group_split"] if chosen else []
        outside = sum(not f["inside"] for f in frontier)
        echo(f"model: {cal.model_label}. " + (
            "Chosen by the rule fixed in advance, and it meets the criterion (held-out coverage >= 0.88 on both "
            "splits, overall and for runs >= 1e23 FLOP, with every chip at most x4.5 wide at 1e26 FLOP; "
            f"docs/evidence-method.md). At frontier scale it rests on {len(frontier)} run"
            f"{'' if len(frontier) == 1 else 's'} of at least 1e24 FLOP, {outside} of them outside "
            "their held-out interval when their organisation is left out." if met else
            "NO candidate met the criterion fixed in advance (held-out coverage >= 0.88 on both splits, overall and "
            "for runs >= 1e23 FLOP, with every chip at most x4.5 wide at 1e26 FLOP); this is the one that came "
            "closest. Its interval is NOT validated at frontier scale."))
        for cand in model_choice["candidates"]:
            c: dict[str, Any] = cand
            t, g = c["time_split"], c["group_split"]
            miss = [f["model"] for f in c["frontier_inside_group_split"] if not f["inside"]]
            echo(f"  {c['label']}: time split {t['inside']}/{t['runs']} (>= 1e23: {t['large_inside']}/"
                 f"{t['large_runs']}), leave one organisation out {g['inside']}/{g['runs']} (>= 1e23: "
                 f"{g['large_inside']}/{g['large_runs']}); interval score {t['interval_score']:.3f} + "
                 f"{g['interval_score']:.3f} = {c['score']:.3f}; widest at 1e26 FLOP x{c['max_width_1e26']:.2f}"
                 f"{' (over x4.5)' if not c['width_ok'] else ''}; runs >= 1e24 FLOP outside their held-out "
                 f"interval: {', '.join(miss) or 'none'}.")
    if cal.class_name and cal.class_centre is not None and cal.class_q is not None:
        echo(f"class {cal.class_name}: {cal.class_runs} run{'' if cal.class_runs == 1 else 's'}, centre "
             f"{pct(cal.class_centre)}; split-conformal 90% half-width (ln) {cal.class_q:.3f} for a generation with "
             f"runs, {cal.class_q_new:.3f} for one without (from {cal.class_held_out} held-out runs of the "
             f"{cal.class_q_from} class), at the runs' mean scale ({10 ** (cal.class_scale_centre or 0):.2g} FLOP); "
             f"the half-width scales by exp({cal.class_scale_slope or 0:.3f} x (log10 FLOP - "
             f"{cal.class_scale_centre or 0:.2f})).")
    for v in (ts, gs):
        if v and v["runs"]:
            echo(f"{v['name']}: {v['inside']} of {v['runs']} held-out runs inside their 90% interval "
                 f"({pct(v['coverage'])}); median width x{v['median_width']:.2f}; the point's median error "
                 f"x{v['median_error']:.2f}. By scale: " + "; ".join(
                     f"{b['scale']} {b['inside']}/{b['runs']}" + (f" (x{b['median_width']:.2f})" if b["runs"] else "")
                     for b in v["by_scale"]) + ".")
    echo(f"leave-one-out: {cal.loo_inside} of {cal.loo_runs} runs fall inside the 90% interval predicted from the "
         f"others ({pct(cal.loo_coverage or 0)}).\n")
    if cal.group_runs:
        emit_table(["run", "chip", "prec", "all-in efficiency"],
                   [[o.model, o.gpu, o.precision, pct(o.efficiency)] for o in
                    sorted(cal.group_runs, key=lambda o: o.efficiency)], fmt)


def _no_runs(gpu: str | None) -> str:
    """Why `flopcalc runs` has no row: no known run on the chip (its evidence is then its class's or cited)."""
    if gpu:
        return (f"no known run in the data was trained on {gpu}: its evidence interval is its precision class's "
                f"(or its cited MFU range); see 'flopcalc calibrate --gpu {gpu}'")
    return "no known run matches: try without --gpu, or with --all"
