"""A chart of dollars against FLOP, one line per chip, with the thresholds marked (needs matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

from .errors import InputError, MissingExtraError

__all__ = ["plot_costs"]

_STYLE = {"in-force": "-", "enacted": "-"}


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise MissingExtraError("plotting needs matplotlib: pip install 'flopcalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_costs(out: Path | str, gpus: Iterable[str] = ("h100", "a100"), *, flop_min: float = 1e22,
               flop_max: float = 1e27, overhead: bool = True, rules: Iterable[Any] | None = None,
               hardware: Any = None, points: int = 61, **overrides: Any) -> Path:
    """Write a log-log chart of training cost against FLOP to `out` (.png or .svg)."""
    from .calc import cost
    from .rules import load_thresholds

    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"output file {str(out)[:60]!r} must end in .png or .svg")
    if not (0 < flop_min < flop_max) or not all(math.isfinite(x) for x in (flop_min, flop_max)):
        raise InputError("the FLOP range must satisfy 0 < min < max")
    plt = _pyplot()
    rules = load_thresholds() if rules is None else list(rules)
    xs = [flop_min * (flop_max / flop_min) ** (i / (points - 1)) for i in range(points)]

    fig, ax = plt.subplots(figsize=(10, 6.2), dpi=150)
    for gpu in gpus:
        rows = [cost(x, gpu, hardware=hardware, **overrides) for x in xs]
        key = "cost_with_overhead" if overhead else "cost"
        mid = [getattr(r, key).to("USD").magnitude for r in rows]
        lo = [getattr(r, key + "_low").to("USD").magnitude for r in rows]
        hi = [getattr(r, key + "_high").to("USD").magnitude for r in rows]
        r0 = rows[0]
        label = (f"{r0.gpu} {r0.precision}: {r0.efficiency.magnitude:.0%} of "
                 f"{r0.peak.to('TFLOP/s').magnitude:g} TFLOP/s, ${r0.price.to('USD/hour').magnitude:.2f}/h")
        (line,) = ax.plot(xs, mid, lw=2, label=label)
        ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.12, lw=0)

    by_value: dict[float, list[Any]] = {}
    for t in rules:
        lim = t.limit("flop")
        if lim is not None and flop_min <= lim.base <= flop_max:
            by_value.setdefault(lim.base, []).append(t)
    for value, ts in sorted(by_value.items()):
        binding = any(t.status in _STYLE for t in ts)
        ax.axvline(value, color="0.25", lw=1.1, ls="-" if binding else "--", alpha=0.8)
        first = [t for t in ts if t.status in _STYLE] or ts
        short = {t.id: t.name.split(":")[0].split(" (")[0] for t in ts}
        names = list(dict.fromkeys(short[t.id] for t in first))[:2]
        label = ", ".join(names)
        others = len([t for t in ts if short[t.id] not in names])
        if others > 0:
            label += f" +{others} other{'s' if others > 1 else ''}"
        ax.text(value * 1.08, 0.97, f"{value:.0e}: {label}".replace("e+", "e"), rotation=90, va="top",
                ha="left", fontsize=7, color="0.2", transform=ax.get_xaxis_transform(), clip_on=True,
                bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 1})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training compute (FLOP)")
    ax.set_ylabel("training cost, USD" + (" (with overhead)" if overhead else ""))
    ax.set_title("What a compute threshold costs to reach, by chip (band: evidence range of efficiency and price)",
                 fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    fig.text(0.01, 0.01, "flopcalc; thresholds: solid = in force or enacted, dashed = guidance, proposed, "
             "vetoed, rescinded or superseded", fontsize=7, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata={"Software": None} if out.suffix.lower() == ".png" else None)
    plt.close(fig)
    return out
