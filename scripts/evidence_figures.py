#!/usr/bin/env python3
"""Print the figures of docs/evidence-method.md, recomputed from the shipped runs (markdown, for the doc).

Usage (from the repository root): python scripts/evidence_figures.py

Every table of the doc's "The result", "What explains the spread", "The figures on the bundled runs" and
"Held-out checks" sections comes from here, so the doc can be brought up to date after the runs change
(scripts/build_runs.py). Nothing is written; the doc is edited by hand from this output.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from flopcalc import evidence as ev  # noqa: E402
from flopcalc.hardware import resolve  # noqa: E402
from flopcalc.runs import load_runs  # noqa: E402


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def cov(inside: int, n: int) -> str:
    return f"{inside}/{n} ({pct(inside / n)})" if n else "-"


def _feature(o: ev.Observation, name: str) -> float | None:
    if name == "chip age (months since release)":
        return o.chip_age_months
    if name == "year":
        return float(o.date[:4]) + int(o.date[5:7]) / 12 if o.date else None
    if name == "chip-hours as a calendar window (0/1)":
        return float(o.chip_hours_kind == "calendar-window")
    if name == "chip-hours as chips x days (0/1)":
        return float(o.chip_hours_kind == "chips-x-days")
    return None


def features(obs: list[ev.Observation], spec: str) -> None:
    """Does a point feature, fitted on each training fold's residuals, lower the held-out error on both splits?

    For each fold of each split: fit the shipped model on the training runs; regress the training runs' ln
    residuals (y - ln centre) on the feature (least squares, intercept and slope); predict the test runs with and
    without that correction. Reported: the median |ln error| with and without, on each split.
    """
    print("\n## Point features: median held-out |ln error| without / with the feature (time split; leave one org out)\n")
    orgs = sorted({ev.lab(o.org) for o in obs})
    splits = {"time": [([o for o in obs if (o.date or "") < ev.TIME_SPLIT], [o for o in obs if (o.date or "") >= ev.TIME_SPLIT])],
              "org": [([o for o in obs if ev.lab(o.org) != g], [o for o in obs if ev.lab(o.org) == g]) for g in orgs]}
    names = ("chip age (months since release)", "year", "chip-hours as a calendar window (0/1)",
             "chip-hours as chips x days (0/1)")
    for name in names:
        cells = []
        for folds in splits.values():
            base, withf = [], []
            for train, test in folds:
                m = ev.fit_observations(train, (), spec=spec)

                def centre(o: ev.Observation) -> float | None:
                    iv = m.predict(o.generation, o.cls, o.cited_centre, log10_flop=o.log10_flop)
                    return math.log(iv.centre) if iv.centre else None
                pts = [(_feature(o, name), o.y - c) for o in train if (c := centre(o)) is not None
                       and _feature(o, name) is not None]
                xs = [x for x, _ in pts]
                mx = sum(xs) / len(xs)
                sxx = sum((x - mx) ** 2 for x in xs)
                my = sum(r for _, r in pts) / len(pts)
                b = sum((x - mx) * (r - my) for x, r in pts) / sxx if sxx else 0.0
                a = my - b * mx
                for o in test:
                    c, f = centre(o), _feature(o, name)
                    if c is None or f is None:
                        continue
                    base.append(abs(o.y - c))
                    withf.append(abs(o.y - c - (a + b * f)))
            med = lambda v: sorted(v)[len(v) // 2] if len(v) % 2 else sum(sorted(v)[len(v) // 2 - 1:len(v) // 2 + 1]) / 2  # noqa: E731
            cells.append(f"x{math.exp(med(base)):.3f} / x{math.exp(med(withf)):.3f} ({len(base)} runs)")
        print(f"| {name} | {cells[0]} | {cells[1]} |")


def main() -> int:
    obs, dropped = ev.observe(load_runs(), ev.shipped_db())
    print(f"runs in evidence: {len(obs)}; dropped: {len(dropped)}")
    print("  dropped:", dict(Counter(d.reason.split(',')[0][:40] for d in dropped)))
    print("  by class:", dict(Counter(o.cls for o in obs)))
    print("  16-bit by generation:", dict(Counter(o.generation for o in obs if o.cls == "16-bit").most_common()))
    print("  large (>= 1e23):", sum(o.log10_flop >= ev.LARGE_LOG10_FLOP for o in obs),
          " frontier (>= 1e24):", sum(o.log10_flop >= ev.FRONTIER_LOG10_FLOP for o in obs))
    print("  held out in time split (>= 2024):", sum((o.date or "") >= ev.TIME_SPLIT for o in obs))

    cands = ev.compare_candidates(obs, dropped)
    best, met = ev.choose(cands)
    print(f"\n## The result: chosen ({best.key}), criterion {'met' if met else 'NOT met'}\n")
    print("| candidate | time split: all / large | time split: score, point's median error, median width | "
          "leave one org out: all / large | leave one org out: score, point's median error, median width | "
          "score sum | widest at 1e26 | eligible |")
    print("|---|---|---|---|---|---|---|---|")
    for c in cands:
        ti, tn, _ = c.time.subset(ev.LARGE_LOG10_FLOP)
        gi, gn, _ = c.group.subset(ev.LARGE_LOG10_FLOP)
        why = "**yes**" if c.eligible else ("no (width)" if not c.width_ok else "no (coverage)")
        print(f"| {c.label} | {cov(c.time.inside, c.time.runs)} / {cov(ti, tn)} | {c.time.score:.3f}, "
              f"x{c.time.median_error:.2f}, x{c.time.median_width:.2f} | {cov(c.group.inside, c.group.runs)} / "
              f"{cov(gi, gn)} | {c.group.score:.3f}, x{c.group.median_error:.2f}, x{c.group.median_width:.2f} | "
              f"{c.score:.3f} | x{c.max_width_1e26:.2f} ({c.widest_chip}) | {why} |")

    m16 = [o for o in obs if o.cls == "16-bit"]
    beta, _, _ = ev.centre_line(m16, True)
    print(f"\npooled within-generation slope (16-bit): beta = {beta:+.3f} ln per decade")

    print("\n## Runs of at least 1e24 FLOP, leave one organisation out\n")
    print("| run (FLOP, all-in) | " + " | ".join(c.key for c in cands) + " |")
    print("|---|" + "---|" * len(cands))
    rows: dict[str, list[str]] = {}
    info: dict[str, tuple[float, float]] = {}
    for c in cands:
        for mdl, x, e, lo, hi, ok in c.frontier():
            rows.setdefault(mdl, []).append(f"{'yes' if ok else '**no**'} ({pct(lo)}-{pct(hi)})")
            info[mdl] = (x, e)
    for mdl, cells in sorted(rows.items(), key=lambda kv: -info[kv[0]][0]):
        x, e = info[mdl]
        print(f"| {mdl} ({10 ** x:.2g}, {pct(e)}) | " + " | ".join(cells) + " |")
    for c in cands:  # GPT-3 and the time split's view of the frontier
        for mdl, x, e, _, lo, hi in c.time.held:
            if x >= ev.FRONTIER_LOG10_FLOP:
                print(f"  time split ({c.key}): {mdl} {pct(e)} in {pct(lo)}-{pct(hi)}: {lo <= e <= hi}")

    print("\n## What explains the spread (constant spread row: spec '0')\n")
    ev.CANDIDATES["0"] = ev.ModelSpec("0", False, False, "generation and class only (constant spread)")
    try:
        for key in ("0", "c", "a", "b"):
            m = ev.fit_observations(obs, dropped, spec=key)
            t, g = m.time_split(), m.group_split()
            prof = resolve("a100")
            widths = []
            for x in (21, 23, 25.5):
                iv = m.interval(prof, "bf16", flop=10 ** x)
                widths.append(f"x{iv.high / iv.low:.2f}")
            print(f"| {ev.CANDIDATES[key].label} | {t.inside}/{t.runs}, {t.score:.3f}, x{t.median_error:.2f} | "
                  f"{g.inside}/{g.runs}, {g.score:.3f}, x{g.median_error:.2f} | {' / '.join(widths)} |")
        print("\n## Cutoffs (constant spread, no slope, fitted only on runs at or above the cutoff)\n")
        for cut in (None, 21, 22, 23):
            sub = [o for o in obs if cut is None or o.log10_flop >= cut]
            m = ev.fit_observations(sub, (), spec="0")
            f16 = m.fits["16-bit"]
            t, g = m.time_split(), m.group_split()
            w_with = math.exp(2 * f16.q) if f16.q else float("nan")
            w_new = math.exp(2 * f16.q_new) if f16.q_new else float("nan")
            print(f"| {'any size' if cut is None else f'1e{cut} FLOP'} | {len(sub)} ({f16.runs}) | {f16.q:.3f} | "
                  f"x{w_with:.2f} / x{w_new:.2f} | {t.inside}/{t.runs}, x{t.median_width:.2f} | "
                  f"{cov(g.inside, g.runs)}, x{g.median_width:.2f} |")
    finally:
        del ev.CANDIDATES["0"]

    features(obs, best.key)

    model = ev.fit_observations(obs, dropped, spec=best.key)
    f = model.fits["16-bit"]
    print(f"\n## The figures: q = {f.q:.3f}, q_new = {f.q_new:.3f}, spread slope b = {f.scale_slope:+.3f} per decade, "
          f"centre {10 ** f.scale_centre:.2g} FLOP, clamp 1e{f.scale_range[0]:.1f}-1e{f.scale_range[1]:.1f}; "
          f"{f.held_out} held-out runs\n")
    for gpu, prec in (("a100", "bf16"), ("h100", "fp8"), ("h100", "bf16"), ("v100", "fp16"), ("b200", None),
                      ("tpu-v4", "bf16")):
        prof = resolve(gpu)
        p = prec or prof.default_precision
        iv = model.interval(prof, p, flop=1e26)
        ws = []
        for x in (26, 24, 22):
            j = model.interval(prof, p, flop=10 ** x)
            ws.append(f"x{j.high / j.low:.2f}")
        print(f"| {gpu} ({p}) | {iv.basis} ({iv.group}, {iv.runs} runs) | {pct(iv.centre)} | {pct(iv.low)}-{pct(iv.high)} "
              f"| {' / '.join(ws)} |")

    print("\n## Held-out checks\n")
    for v in (best.time, best.group):
        bands = []
        for lo, hi in ((0, 21), (21, 23), (23, 99)):
            i, n, w = v.band(lo, hi)
            bands.append(f"{i}/{n}" + (f" (x{w:.2f})" if lo == 23 and w else ""))
        print(f"| {v.name} | {v.runs} | {cov(v.inside, v.runs)} | x{v.median_width:.2f} | x{v.median_error:.2f} | "
              f"{' / '.join(bands)} |")
        print("   misses:", ", ".join(f"{mdl} ({'above' if e > hi else 'below'})" for mdl, e, lo, hi in v.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
