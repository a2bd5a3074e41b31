"""Known training runs: reported figures, and what they imply about efficiency and price."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ._paths import data_path
from ._schema import Fields
from ._yaml import read_yaml
from .errors import DataError, UnknownNameError
from .hardware import HardwareDB, Profile, resolve

__all__ = ["Run", "load_runs", "RunEstimate", "estimate_runs", "Calibration", "calibrate", "MIN_RUNS"]

_KEYS = ("model", "org", "year", "accelerator", "gpu", "precision", "precision_assumed", "chips", "days",
         "chip_hours", "flop", "params", "active_params", "tokens", "cost_usd", "mfu", "energy_mwh", "co2_t",
         "grade", "source", "notes")
_NUMBERS = ("chips", "days", "chip_hours", "flop", "params", "active_params", "tokens", "energy_mwh", "co2_t")
MIN_RUNS = 3  # fewer runs than this on a chip: calibrate falls back to its generation


@dataclass(frozen=True)
class Run:
    """One publicly reported training run; numeric fields are reported figures (None if not reported)."""

    model: str
    org: str | None
    year: int | None
    accelerator: str | None
    gpu: str | None
    precision: str | None
    precision_assumed: bool
    chips: float | None
    days: float | None
    chip_hours: float | None
    flop: float | None
    params: float | None
    active_params: float | None
    tokens: float | None
    cost_usd: tuple[float, float] | None
    mfu: tuple[float, float] | None
    energy_mwh: float | None
    co2_t: float | None
    grade: str | None
    source: str
    notes: str | None
    path: str = ""

    @property
    def training_flop(self) -> tuple[float | None, str]:
        """Reported FLOP, else 6 N D (active parameters for mixture-of-experts), and which it is."""
        if self.flop:
            return self.flop, "reported"
        n = self.active_params or self.params
        if n and self.tokens:
            return 6 * n * self.tokens, "6ND"
        return None, "unknown"

    @property
    def hours(self) -> tuple[float | None, str]:
        """Reported chip-hours, else chips x days x 24, and which it is."""
        if self.chip_hours:
            return self.chip_hours, "reported"
        if self.chips and self.days:
            return self.chips * self.days * 24, "chips x days x 24"
        return None, "unknown"


def _pair(f: Fields, key: str, lo: float = 0.0) -> tuple[float, float] | None:
    v = f.get(key)
    if v is None:
        return None
    if isinstance(v, list):
        if len(v) != 2:
            raise f.error(key, "must be a number or a [low, high] pair")
        a, b = (f.number(key, x, lo=lo, label=f"{f.name(key)}[{i}]") for i, x in enumerate(v))
        if a > b:
            raise f.error(key, "low is above high")
        return a, b
    x = f.number(key, lo=lo)
    return x, x


def _run(data: Any, path: Path | str, i: int) -> Run:
    f = Fields(path, data, allowed=_KEYS, required=("model", "source"), where=f"runs[{i}]")
    nums = {k: f.number(k, optional=True, lo=0) for k in _NUMBERS}
    gpu = f.text("gpu", optional=True)
    prec = f.text("precision", optional=True)
    year = f.number("year", optional=True, lo=1950, hi=2100)
    return Run(
        model=f.text("model"), org=f.text("org", optional=True), year=int(year) if year else None,
        accelerator=f.text("accelerator", optional=True), gpu=gpu.lower() if gpu else None,
        precision=prec.lower() if prec else None, precision_assumed=bool(f.get("precision_assumed")),
        cost_usd=_pair(f, "cost_usd"), mfu=_pair(f, "mfu"), grade=f.text("grade", optional=True),
        source=f.text("source"), notes=f.text("notes", optional=True), path=str(path), **nums,
    )


def load_runs(files: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Run]:
    """The bundled known runs, then the runs in `files` (same schema: a mapping with a `runs` list)."""
    paths = ([data_path("runs.yaml")] if bundled else []) + [Path(p) for p in files]
    runs: list[Run] = []
    for path in paths:
        doc = read_yaml(path)
        f = Fields(path, doc, allowed=("runs",), required=("runs",))
        items = f.seq("runs")
        runs.extend(_run(item, path, i) for i, item in enumerate(items))
    return runs


@dataclass(frozen=True)
class RunEstimate:
    """A known run set against flopcalc: what it implies, and what flopcalc would have said."""

    run: Run
    gpu: str | None
    precision: str | None
    flop: float | None
    flop_basis: str
    reported_chip_hours: float | None
    chip_hours_basis: str
    estimated_chip_hours: float | None
    ratio: float | None  # estimated / reported chip-hours
    implied_efficiency: float | None
    implied_price: tuple[float, float] | None  # USD per chip-hour (low, high)
    peak_flop_per_s: float | None


def _estimate(run: Run, db: HardwareDB | None, use_defaults: bool) -> RunEstimate:
    flop, fb = run.training_flop
    hours, hb = run.hours
    prof: Profile | None = None
    prec = run.precision
    if run.gpu:
        try:
            prof = resolve(run.gpu, db)
        except UnknownNameError:
            prof = None
    peak = None
    if prof is not None and prec in prof.peak:
        peak = float(prof.peak[prec].to("FLOP/s").magnitude)
    implied = flop / (hours * peak * 3600) if flop and hours and peak else None
    est = None
    if use_defaults and prof is not None and flop and peak:
        from .calc import cost

        try:
            est = float(cost(flop, prof, precision=prec).chip_hours.to("hour").magnitude)
        except UnknownNameError:
            est = None
    price = (run.cost_usd[0] / hours, run.cost_usd[1] / hours) if run.cost_usd and hours else None
    return RunEstimate(
        run=run, gpu=prof.id if prof else run.gpu, precision=prec, flop=flop, flop_basis=fb,
        reported_chip_hours=hours, chip_hours_basis=hb, estimated_chip_hours=est,
        ratio=est / hours if est and hours else None, implied_efficiency=implied, implied_price=price,
        peak_flop_per_s=peak,
    )


def estimate_runs(runs: Iterable[Run] | None = None, *, gpu: str | None = None,
                  hardware: HardwareDB | None = None, defaults: bool = True) -> list[RunEstimate]:
    """Every run set against the chip profiles; with `gpu`, only runs on that chip."""
    runs = load_runs() if runs is None else list(runs)
    want = resolve(gpu, hardware).id if gpu else None
    out = []
    for run in runs:
        if want and (not run.gpu or _safe_id(run.gpu, hardware) != want):
            continue
        out.append(_estimate(run, hardware, defaults))
    return out


def _safe_id(name: str, db: HardwareDB | None) -> str | None:
    try:
        return resolve(name, db).id
    except UnknownNameError:
        return None


@dataclass(frozen=True)
class Calibration:
    """The spread of implied efficiency over known runs on a chip (or its generation)."""

    gpu: str
    precision: str
    scope: str  # "chip" or "generation <name>"
    count: int
    median: float | None
    min: float | None
    max: float | None
    runs: tuple[tuple[str, str, float], ...]  # (model, gpu, implied efficiency)


def calibrate(gpu: str | Profile | None, precision: str | None = None, *, runs: Iterable[Run] | None = None,
              hardware: HardwareDB | None = None, min_runs: int = MIN_RUNS) -> Calibration:
    """Median, min and max implied efficiency of known runs on `gpu` at `precision`.

    Runs at another precision count when that precision has the same peak on the chip (bf16 and
    fp16 on an A100). With fewer than `min_runs` on the chip itself, runs on chips of the same
    generation count too (each against its own chip's peak).
    """
    prof = resolve(gpu, hardware)
    prec = prof.check_precision(precision)
    runs = load_runs() if runs is None else list(runs)
    estimates = [_estimate(r, hardware, False) for r in runs if r.gpu]

    def matching(scope_ids: set[str]) -> list[RunEstimate]:
        out = []
        for e in estimates:
            if e.gpu not in scope_ids or e.implied_efficiency is None:
                continue
            other = resolve(e.gpu, hardware)
            if prec not in other.peak:
                continue
            if e.precision == prec or other.peak.get(e.precision) == other.peak[prec]:
                out.append(e)
        return out

    chosen = matching({prof.id})
    scope = "chip"
    if len(chosen) < min_runs and prof.generation:
        # only chips that known runs used need reading to find this chip's generation-mates
        family = {g for g in {e.gpu for e in estimates} if _generation(g, hardware) == prof.generation}
        wider = matching(family | {prof.id})
        if len(wider) > len(chosen):
            chosen, scope = wider, f"generation {prof.generation}"
    effs = [e.implied_efficiency for e in chosen]
    return Calibration(
        gpu=prof.id, precision=prec, scope=scope, count=len(effs),
        median=statistics.median(effs) if effs else None, min=min(effs) if effs else None,
        max=max(effs) if effs else None,
        runs=tuple(sorted(((e.run.model, e.gpu, e.implied_efficiency) for e in chosen), key=lambda t: t[2])),
    )


def _generation(gpu: str, db: HardwareDB | None) -> str | None:
    try:
        return resolve(gpu, db).generation
    except (UnknownNameError, DataError):
        return None
