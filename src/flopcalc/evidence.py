"""What known training runs imply about a chip's all-in efficiency: a centre and a real 90% interval.

The method (docs/evidence-method.md, checked by leave-one-out on the bundled runs):

- Each known run with FLOP and chip-hours gives an all-in efficiency
  e = FLOP / (chip-hours x peak at the run's precision x 3600); y = ln e.
- Precision classes: 16-bit (bf16, fp16, tf32) and fp8. Groups: (generation, class).
- Per class: pooled centre mu0 = mean y; pooled within-group standard deviation sw with
  df = runs - groups; if df < 10, sw = max(sw, 0.30).
- A group with n runs and mean ybar: centre mu = (n ybar + 3 mu0) / (n + 3), spread
  s = sw sqrt(1 + 1/(n + 3)), 90% interval exp(mu +- t s), t the 0.95 quantile of Student's t at df.
- A class with fewer than 3 runs centres on the geometric middle of the profile's cited MFU
  range and takes the 16-bit class's no-run spread (n = 0) and t.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from .errors import DataError, UnknownNameError
from .hardware import HardwareDB, Profile, default_db, resolve
from .runs import Run, load_runs
from .stats import mean, pooled_sd, t_quantile

__all__ = ["CLASSES", "LEVEL", "Observation", "Dropped", "ClassFit", "EfficiencyInterval", "EvidenceModel",
           "build_model", "default_model", "RunEstimate", "estimate_runs", "precision_class"]

CLASSES = {"bf16": "16-bit", "fp16": "16-bit", "tf32": "16-bit", "fp8": "fp8"}
LEVEL = 0.90
PRIOR_RUNS = 3  # the class centre counts as this many runs in a group's centre
MIN_CLASS_RUNS = 3
SD_FLOOR = 0.30
DF_FOR_FLOOR = 10
REFERENCE_CLASS = "16-bit"


def precision_class(precision: str | None) -> str | None:
    return CLASSES.get(precision or "")


@dataclass(frozen=True)
class Observation:
    """One known run's all-in efficiency, and the group it belongs to."""

    model: str
    gpu: str
    generation: str
    precision: str
    cls: str
    efficiency: float
    profile: Profile = field(repr=False, compare=False)

    @property
    def y(self) -> float:
        return math.log(self.efficiency)


@dataclass(frozen=True)
class Dropped:
    """A known run the interval does not use, and why."""

    model: str
    reason: str


@dataclass(frozen=True)
class ClassFit:
    """The pooled figures of one precision class."""

    cls: str
    runs: int
    groups: int
    mu0: float
    sw_raw: float | None
    sw: float
    df: int
    t: float

    @property
    def centre(self) -> float:
        return math.exp(self.mu0)

    def no_run_spread(self) -> float:
        return self.sw * math.sqrt(1 + 1 / PRIOR_RUNS)


@dataclass(frozen=True)
class EfficiencyInterval:
    """An efficiency estimate with its 90% interval, and what it rests on."""

    basis: str  # "runs", "cited" or "none"
    kind: str  # "all-in" (from billed chip-hours) or "mfu" (steady state, as cited)
    centre: float | None
    low: float | None
    high: float | None
    log_spread: float  # t x s: the interval's half-width in natural-log units
    runs: int
    group: str | None
    method: str
    level: float = LEVEL


@dataclass(frozen=True)
class EvidenceModel:
    """The fitted classes over a set of known runs."""

    observations: tuple[Observation, ...]
    dropped: tuple[Dropped, ...]
    fits: Mapping[str, ClassFit]

    def group_runs(self, generation: str, cls: str) -> list[Observation]:
        return [o for o in self.observations if o.generation == generation and o.cls == cls]

    def interval(self, profile: Profile, precision: str, *, cited_only: bool = False) -> EfficiencyInterval:
        """The evidence interval of all-in efficiency for `profile` at `precision`."""
        cls = precision_class(precision)
        ref = self.fits.get(REFERENCE_CLASS)
        fit = self.fits.get(cls or "")
        group = _group(profile)
        if not cited_only and fit is not None and fit.runs >= MIN_CLASS_RUNS:
            obs = self.group_runs(group, fit.cls)
            n = len(obs)
            ybar = mean(o.y for o in obs) if obs else 0.0
            mu = (n * ybar + PRIOR_RUNS * fit.mu0) / (n + PRIOR_RUNS)
            s = fit.sw * math.sqrt(1 + 1 / (n + PRIOR_RUNS))
            half = fit.t * s
            method = (f"{n} known run{'s' if n != 1 else ''} in group ({group}, {fit.cls}) shrunk toward the "
                      f"{fit.cls} class centre of {fit.runs} runs; log-normal 90% interval, t({fit.df}) = {fit.t:.3f}")
            return EfficiencyInterval("runs", "all-in", math.exp(mu), math.exp(mu - half), math.exp(mu + half), half,
                                      n, f"{group}, {fit.cls}", method)
        rng = profile.mfu_range.get(precision)
        if rng is None or ref is None:
            why = "no known runs in this precision class and no cited MFU range" if rng is None \
                else "no 16-bit class to take a spread from"
            return EfficiencyInterval("none", "mfu", None, None, None, 0.0, 0, None, why)
        centre = math.sqrt(rng[0] * rng[1])
        half = ref.t * ref.no_run_spread()
        what = "cited, not evidence" if cited_only else f"fewer than {MIN_CLASS_RUNS} known {cls or precision} runs"
        method = (f"{what}: centre is the geometric middle of the profile's cited MFU range "
                  f"({rng[0]:.3g}-{rng[1]:.3g}); spread is the 16-bit class's no-run spread, t({ref.df}) = {ref.t:.3f}")
        return EfficiencyInterval("cited", "mfu", centre, centre * math.exp(-half), centre * math.exp(half), half,
                                  0, f"{group}, {cls or precision}", method)

    def leave_one_out(self) -> tuple[int, int, tuple[tuple[Observation, EfficiencyInterval], ...]]:
        """Each run predicted from the others: (inside its own 90% interval, runs, details)."""
        inside = 0
        details = []
        for i, o in enumerate(self.observations):
            rest = self.observations[:i] + self.observations[i + 1:]
            model = _fit(rest, self.dropped)
            iv = model.interval(o.profile, o.precision)
            if iv.low is not None and iv.high is not None and iv.low <= o.efficiency <= iv.high:
                inside += 1
            details.append((o, iv))
        return inside, len(self.observations), tuple(details)


def _group(profile: Profile) -> str:
    return profile.generation or profile.id


def _fit(observations: Sequence[Observation], dropped: Sequence[Dropped]) -> EvidenceModel:
    fits: dict[str, ClassFit] = {}
    for cls in sorted({o.cls for o in observations}):
        obs = [o for o in observations if o.cls == cls]
        groups: dict[str, list[float]] = {}
        for o in obs:
            groups.setdefault(o.generation, []).append(o.y)
        sw_raw, df = pooled_sd(list(groups.values()))
        sw = sw_raw if sw_raw is not None else SD_FLOOR
        if df < DF_FOR_FLOOR:
            sw = max(sw, SD_FLOOR)
        t = t_quantile(0.5 + LEVEL / 2, max(df, 1))
        fits[cls] = ClassFit(cls=cls, runs=len(obs), groups=len(groups), mu0=mean(o.y for o in obs), sw_raw=sw_raw,
                             sw=sw, df=df, t=t)
    return EvidenceModel(observations=tuple(observations), dropped=tuple(dropped), fits=fits)


def build_model(runs: Iterable[Run], hardware: HardwareDB | None = None) -> EvidenceModel:
    """Fit the classes over `runs`, dropping (with a reason) those that cannot give an all-in efficiency."""
    observations: list[Observation] = []
    dropped: list[Dropped] = []
    for run in runs:
        flop, fk = run.training_flop
        hours, hk = run.hours
        reason = None
        prof = None
        if not run.gpu:
            reason = "no single known chip"
        elif flop is None or hours is None:
            reason = "no FLOP figure" if flop is None else "no chip-hours figure"
        elif fk == "lower-bound":
            reason = "FLOP is a lower bound, so the efficiency would be too"
        elif hk == "upper-bound":
            reason = "chip-hours are an upper bound ('up to N chips'), so the efficiency would be a lower bound"
        else:
            try:
                prof = resolve(run.gpu, hardware)
            except (UnknownNameError, DataError):
                reason = f"chip {run.gpu!r} has no profile"
        if prof is not None and reason is None:
            if not run.precision or run.precision not in prof.peak:
                reason = f"{prof.id} has no {run.precision or 'stated'} peak"
            elif precision_class(run.precision) is None:
                reason = f"precision {run.precision} is in no class (16-bit or fp8)"
        if reason is not None or prof is None or run.precision is None or flop is None or hours is None:
            dropped.append(Dropped(run.model, reason or "unusable"))
            continue
        peak = float(prof.peak[run.precision].to("FLOP/s").magnitude)
        e = flop / (hours * peak * 3600)
        if not 0 < e <= 1:
            dropped.append(Dropped(run.model, f"implied efficiency {e:.3g} is outside (0, 1]"))
            continue
        observations.append(Observation(model=run.model, gpu=prof.id, generation=_group(prof),
                                        precision=run.precision, cls=precision_class(run.precision) or "",
                                        efficiency=e, profile=prof))
    return _fit(observations, dropped)


@lru_cache(maxsize=4)
def _default_model(_key: object) -> EvidenceModel:
    return build_model(load_runs(), default_db())


def default_model() -> EvidenceModel:
    """The model over the bundled runs and shipped profiles, fitted once per process."""
    return _default_model(id(default_db()))


@dataclass(frozen=True)
class RunEstimate:
    """A known run set against flopcalc: what it implies, and what flopcalc's default would have said."""

    run: Run
    gpu: str | None
    precision: str | None
    flop: float | None
    flop_basis: str
    reported_chip_hours: float | None
    chip_hours_basis: str
    estimated_chip_hours: float | None
    ratio: float | None  # estimated / reported chip-hours
    implied_efficiency: float | None  # all-in
    implied_price: tuple[float, float] | None  # USD per chip-hour (low, high)
    peak_flop_per_s: float | None


def _estimate(run: Run, db: HardwareDB | None) -> RunEstimate:
    flop, fb = run.training_flop
    hours, hb = run.hours
    prof: Profile | None = None
    prec = run.precision
    if run.gpu:
        try:
            prof = resolve(run.gpu, db)
        except (UnknownNameError, DataError):
            prof = None
    peak = (float(prof.peak[prec].to("FLOP/s").magnitude) if prof is not None and prec is not None
            and prec in prof.peak else None)
    implied = flop / (hours * peak * 3600) if flop and hours and peak else None
    est = None
    if prof is not None and flop and peak and prec is not None and prec in prof.efficiency:
        est = flop / (peak * prof.efficiency[prec] * 3600)
    price = (run.cost_usd[0] / hours, run.cost_usd[1] / hours) if run.cost_usd and hours else None
    return RunEstimate(
        run=run, gpu=prof.id if prof else run.gpu, precision=prec, flop=flop, flop_basis=fb,
        reported_chip_hours=hours, chip_hours_basis=hb, estimated_chip_hours=est,
        ratio=est / hours if est and hours else None, implied_efficiency=implied, implied_price=price,
        peak_flop_per_s=peak,
    )


def estimate_runs(runs: Iterable[Run] | None = None, *, gpu: str | None = None,
                  hardware: HardwareDB | None = None) -> list[RunEstimate]:
    """Every run set against the chip profiles; with `gpu`, only runs on that chip.

        >>> llama = next(e for e in estimate_runs(gpu="h100") if e.run.model == "Llama 3.1 405B")
        >>> f"{llama.implied_efficiency:.3f}"
        '0.346'
    """
    runs = load_runs() if runs is None else list(runs)
    want = resolve(gpu, hardware).id if gpu is not None else None
    out = []
    for run in runs:
        e = _estimate(run, hardware)
        if want and e.gpu != want:
            continue
        out.append(e)
    return out
