"""flopcalc hardware, runs, calibrate and plot."""

from __future__ import annotations

from typing import Any

import click

from . import cli, params
from .common import format_option, hardware_files_option, load_db
from .output import emit_data, emit_table


def _profile_row(p) -> dict[str, Any]:
    from ..units import mag

    return {
        "id": p.id, "name": p.name, "aliases": list(p.aliases), "vendor": p.vendor, "year": p.year,
        "generation": p.generation, "default_precision": p.default_precision,
        "peak_flop_per_s": {k: mag(v, "FLOP/s") for k, v in p.peak.items()},
        "sparse_peak_flop_per_s": {k: mag(v, "FLOP/s") for k, v in p.sparse_peak.items()},
        "efficiency": dict(p.efficiency),
        "efficiency_range": {k: list(v) for k, v in p.efficiency_range.items()},
        "price_usd_per_chip_hour": mag(p.price, "USD/hour"),
        "price_range_usd_per_chip_hour": [mag(q, "USD/hour") for q in p.price_range] if p.price_range else None,
        "overhead": p.overhead, "tdp_w": mag(p.tdp, "W"), "memory_gb": mag(p.memory, "GB"),
        "sources": [{"field": s.field, "source": s.source, "url": s.url, "date": s.date} for s in p.sources],
        "notes": p.notes, "file": p.path, "origin": p.origin,
    }


@cli.group(invoke_without_command=True)
@format_option()
@hardware_files_option()
@click.pass_context
def hardware(ctx: click.Context, fmt: str, hardware_files: tuple[str, ...]) -> None:
    """The chip profiles: list them, or 'show ID' for one with every source.

    Profiles come from the shipped hardware/ folder, then the user folder ($FLOPCALC_HARDWARE_PATH,
    else <config dir>/flopcalc/hardware), then --hardware-file; a later one with the same id wins.
    """
    ctx.obj = {"fmt": fmt, "files": hardware_files}
    if ctx.invoked_subcommand is not None:
        return
    from ..fmt import pct

    profiles = load_db(hardware_files).all()
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
                        "" if p.origin == "shipped" else p.origin])
    emit_table(["id", "name", "year", "default"] + [f"{k} TFLOP/s" for k in precisions]
               + ["eff", "$/chip-h", "from"], table, fmt,
               footer=["Peaks are dense (no 2:4 sparsity). 'flopcalc hardware show ID' lists every source."])


@hardware.command("show")
@click.argument("gpu")
@format_option(default=None)
@click.pass_context
def hardware_show(ctx: click.Context, gpu: str, fmt: str | None) -> None:
    """One chip's profile, with the file it came from and every source."""
    from ..fmt import pct

    fmt = fmt or ctx.obj["fmt"]
    p = load_db(ctx.obj["files"]).get(gpu)
    row = _profile_row(p)
    if fmt in ("json", "csv"):
        emit_data(row if fmt == "json" else [{k: v for k, v in row.items() if k != "sources"}], fmt)
        return
    table = [
        ["name", p.name], ["aliases", ", ".join(p.aliases) or "-"], ["vendor", p.vendor or "-"],
        ["year", p.year or "-"], ["generation", p.generation or "-"],
        ["default precision", p.default_precision],
    ]
    for k, v in row["peak_flop_per_s"].items():
        sparse = row["sparse_peak_flop_per_s"].get(k)
        extra = f"  (datasheet with 2:4 sparsity: {sparse / 1e12:g}, not used)" if sparse else ""
        table.append([f"peak {k} (dense)", f"{v / 1e12:g} TFLOP/s{extra}"])
    for k, v in p.efficiency.items():
        rng = p.efficiency_range.get(k)
        table.append([f"efficiency {k}", pct(v) + (f"  (evidence range {pct(rng[0])}-{pct(rng[1])})" if rng else "")])
    pr = row["price_range_usd_per_chip_hour"]
    table += [
        ["price", f"${row['price_usd_per_chip_hour']:.2f} per chip-hour"
         + (f"  (range ${pr[0]:.2f}-${pr[1]:.2f})" if pr else "")],
        ["overhead", f"{p.overhead:g}x"], ["TDP", f"{row['tdp_w']:g} W"], ["memory", f"{row['memory_gb']:g} GB"],
        ["file", f"{p.path} ({p.origin})"],
    ]
    footer = ["Sources:"] + [f"[{s.field}] {s.source} ({s.date})" + (f" {s.url}" if s.url else "")
                             for s in p.sources]
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
    from ..fmt import human, pct, sci
    from ..runs import estimate_runs, load_runs

    db = load_db(hardware_files)
    ests = estimate_runs(load_runs(runs_files), gpu=gpu, hardware=db)
    if not show_all:
        ests = [e for e in ests if e.flop and e.reported_chip_hours]
    rows = []
    for e in ests:
        r = e.run
        rows.append({
            "model": r.model, "org": r.org, "year": r.year, "gpu": e.gpu, "precision": e.precision,
            "precision_assumed": r.precision_assumed, "flop": e.flop, "flop_basis": e.flop_basis,
            "reported_chip_hours": e.reported_chip_hours, "chip_hours_basis": e.chip_hours_basis,
            "estimated_chip_hours": e.estimated_chip_hours, "estimate_to_reported": e.ratio,
            "implied_efficiency": e.implied_efficiency,
            "reported_mfu": list(r.mfu) if r.mfu else None,
            "implied_price_usd_per_chip_hour": list(e.implied_price) if e.implied_price else None,
            "grade": r.grade, "source": r.source,
        })
    if fmt in ("json", "csv"):
        emit_data(rows, fmt)
        return
    table = []
    for row in rows:
        price = row["implied_price_usd_per_chip_hour"]
        table.append([
            row["model"], row["gpu"] or "-", (row["precision"] or "-") + ("*" if row["precision_assumed"] else ""),
            sci(row["flop"]) + (" (6ND)" if row["flop_basis"] == "6ND" else "") if row["flop"] else "-",
            human(row["reported_chip_hours"]) + ("" if row["chip_hours_basis"] == "reported" else " (c x d)")
            if row["reported_chip_hours"] else "-",
            human(row["estimated_chip_hours"]) if row["estimated_chip_hours"] else "-",
            f"{row['estimate_to_reported']:.2f}" if row["estimate_to_reported"] else "-",
            pct(row["implied_efficiency"]) if row["implied_efficiency"] else "-",
            (f"${price[0]:.2f}" if price[0] == price[1] else f"${price[0]:.2f}-{price[1]:.2f}") if price else "",
            row["grade"] or "",
        ])
    emit_table(["model", "chip", "prec", "FLOP", "chip-hours", "flopcalc est.", "est/rep", "implied eff",
                "$/chip-h", "grade"], table, fmt,
               footer=["implied eff = FLOP / (chip-hours x peak at the run's precision x 3600): all-in, so below "
                       "reported MFU.", "flopcalc est. uses the chip's default efficiency at that precision; "
                       "est/rep < 1 means flopcalc's default is optimistic for that run.",
                       "(6ND): FLOP from 6 x params x tokens; (c x d): chips x days x 24; *: precision assumed."])


@cli.command()
@click.option("--gpu", metavar="ID", required=True, help="Chip to calibrate.")
@click.option("--precision", metavar="P", help="Precision (default: the chip's default).")
@format_option()
@click.option("--runs-file", "runs_files", multiple=True, metavar="PATH",
              help="Extra known runs (YAML, same schema as the shipped file); repeatable.")
@hardware_files_option()
def calibrate(gpu: str, precision: str | None, fmt: str, runs_files: tuple[str, ...],
              hardware_files: tuple[str, ...]) -> None:
    """The spread of efficiency that known runs on a chip achieved: where cost's ranges come from."""
    from ..fmt import pct
    from ..runs import calibrate as calibrate_fn
    from ..runs import load_runs

    db = load_db(hardware_files)
    cal = calibrate_fn(gpu, precision, runs=load_runs(runs_files), hardware=db)
    prof = db.get(gpu)
    data = {"gpu": cal.gpu, "precision": cal.precision, "scope": cal.scope, "count": cal.count,
            "median": cal.median, "min": cal.min, "max": cal.max,
            "default_efficiency": prof.efficiency.get(cal.precision),
            "runs": [{"model": m, "gpu": g, "implied_efficiency": e} for m, g, e in cal.runs]}
    if fmt == "json":
        emit_data(data, fmt)
        return
    if fmt == "csv":
        emit_data([{"gpu": cal.gpu, "precision": cal.precision, **r} for r in data["runs"]], fmt)
        return
    if not cal.count:
        click.echo(f"No known runs on {cal.gpu} ({cal.precision}) or its generation report enough to imply an "
                   "efficiency.")
        return
    d = data["default_efficiency"]
    click.echo(f"{cal.gpu} {cal.precision}: median {pct(cal.median)}, min {pct(cal.min)}, max {pct(cal.max)} "
               f"over {cal.count} runs ({cal.scope}); flopcalc's default is {pct(d) if d else '-'}\n")
    emit_table(["run", "chip", "implied efficiency"], [[m, g, pct(e)] for m, g, e in cal.runs], fmt)


@cli.command()
@click.option("--out", required=True, metavar="FILE", help="Output file, .png or .svg.")
@click.option("--gpu", "gpus", multiple=True, default=("h100", "a100"), show_default=True, metavar="ID",
              help="Chip to draw (repeatable).")
@click.option("--min-flop", type=params.FLOP, default="1e22", show_default=True, help="Left edge.")
@click.option("--max-flop", type=params.FLOP, default="1e27", show_default=True, help="Right edge.")
@click.option("--no-overhead", is_flag=True, help="Plot the cost of the final run alone, without overhead.")
@click.option("--thresholds-file", "thresholds_files", multiple=True, metavar="PATH",
              help="Extra thresholds (YAML); repeatable.")
@hardware_files_option()
def plot(out: str, gpus: tuple[str, ...], min_flop: Any, max_flop: Any, no_overhead: bool,
         thresholds_files: tuple[str, ...], hardware_files: tuple[str, ...]) -> None:
    """Chart dollars against FLOP (log-log), one line per chip with its range, thresholds marked.

    Needs matplotlib: pip install 'flopcalc[plot]'.
    """
    from ..plot import plot_costs
    from ..rules import load_thresholds
    from ..units import mag

    path = plot_costs(out, gpus, flop_min=mag(min_flop, "FLOP"), flop_max=mag(max_flop, "FLOP"),
                      overhead=not no_overhead, rules=load_thresholds(thresholds_files),
                      hardware=load_db(hardware_files))
    click.echo(f"wrote {path}")
