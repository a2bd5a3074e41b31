"""What known training runs imply about a chip's all-in efficiency: a centre and a 90% interval tested on held-out runs.

The method (docs/evidence-method.md):

- Each known run with FLOP and chip-hours gives an all-in efficiency
  e = FLOP / (chip-hours x peak at the run's precision x 3600); y = ln e.
- Precision classes: 16-bit (bf16, fp16, tf32) and fp8. Groups: (generation, class).
- Point: a group with n runs and mean ybar has centre mu = (n ybar + 3 mu0) / (n + 3), mu0 the class mean.
- Interval: split-conformal, with a spread that depends on the run's scale. The class is refitted without each
  organisation in turn and its runs are predicted; ln|residual| is regressed on log10 FLOP over those held-out
  residuals, s(x) = exp(b (x - xbar)) (x clamped to the runs' range), and q is the ceil((m + 1) x 0.9)-th smallest
  of the m scores |residual| / s(x). The 90% interval of a run of 10^x FLOP is exp(mu +- q s(x)). A generation with
  no runs gets the class centre and q_new, the same quantile over runs predicted with their whole generation held
  out (never below q). Without a FLOP figure, x is REFERENCE_LOG10_FLOP (a run of 1e25-1e26 FLOP).
- A class with fewer than 3 runs centres on the geometric middle of the profile's cited MFU range and takes the
  16-bit class's q_new ("cited").

The model is fitted on the shipped runs against the shipped profiles only; the observations are precomputed
by scripts/build_runs.py into data/evidence_fit.json (tests check it against a fresh build), so a process
reads one small file and never the hardware folder to fit it. User profiles never move it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ._paths import data_path
from .errors import DataError, UnknownNameError
from .hardware import HardwareDB, Profile, resolve
from .runs import Run, load_runs
from .stats import conformal_quantile, mean, median, pooled_sd, t_quantile

__all__ = ["CLASSES", "LEVEL", "Observation", "Dropped", "ClassFit", "EfficiencyInterval", "EvidenceModel",
           "Validation", "build_model", "default_model", "fit_observations", "RunEstimate", "estimate_runs",
           "precision_class", "write_fit", "TIME_SPLIT", "REFERENCE_LOG10_FLOP"]

CLASSES = {"bf16": "16-bit", "fp16": "16-bit", "tf32": "16-bit", "fp8": "fp8"}
LEVEL = 0.90
PRIOR_RUNS = 3  # the class centre counts as this many runs in a group's centre
MIN_CLASS_RUNS = 3  # fewer runs in a class: the cited MFU range, not evidence
MIN_CONFORMAL_RUNS = 20  # fewer runs in a class: it takes the 16-bit class's quantiles
SD_FLOOR = 0.30
DF_FOR_FLOOR = 10
REFERENCE_CLASS = "16-bit"
TIME_SPLIT = "2024-01-01"  # fit on runs published before, test on those from this date on
FIT_FILE = "evidence_fit.json"
# The interval is for runs at the scale flopcalc's rules speak of: at least the smallest compute line among them
# (the EU's 1e23 FLOP indicative criterion for a general-purpose model). Smaller runs stay in runs.yaml and in
# `flopcalc runs`, marked as outside the evidence (docs/evidence-method.md shows the figures with them).
MIN_EVIDENCE_FLOP = 0.0  # every size is in the evidence; the spread depends on scale instead (docs/evidence-method.md)
# The scale at which an interval is given when the caller does not pass the run's FLOP: the geometric middle of
# 1e25-1e26 FLOP, the range flopcalc's rules speak of.
REFERENCE_LOG10_FLOP = 25.5
RESIDUAL_FLOOR = 1e-3  # |ln residual| below this is floored before its log is taken (the spread regression)


def precision_class(precision: str | None) -> str | None:
    return CLASSES.get(precision or "")


@dataclass(frozen=True)
class Observation:
    """One known run's all-in efficiency, the group it belongs to, and what was known before it ran."""

    model: str
    gpu: str
    generation: str
    precision: str
    cls: str
    efficiency: float
    org: str = ""
    date: str | None = None
    log10_flop: float | None = None
    chip_age_months: float | None = None
    chip_hours_kind: str = "reported"
    cited_centre: float | None = None  # geometric middle of the chip's cited MFU range at this precision
    profile: Profile | None = field(default=None, repr=False, compare=False)

    @property
    def y(self) -> float:
        return math.log(self.efficiency)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("profile")
        return d


@dataclass(frozen=True)
class Dropped:
    """A known run the interval does not use, and why."""

    model: str
    reason: str


@dataclass(frozen=True)
class ClassFit:
    """The figures of one precision class: centre, held-out quantiles, and the pooled spread (for reference)."""

    cls: str
    runs: int
    groups: int
    mu0: float
    sw_raw: float | None
    sw: float
    df: int
    t: float
    q: float | None = None  # conformal half-width in ln units for a generation with runs
    q_new: float | None = None  # for a generation with no runs
    q_from: str = ""  # the class whose held-out residuals set q ("16-bit" when this one has too few runs)
    held_out: int = 0  # residuals behind q
    scale_slope: float = 0.0  # b in s(x) = exp(b (x - scale_centre)), x = log10 FLOP
    scale_centre: float = REFERENCE_LOG10_FLOP
    scale_range: tuple[float, float] = (REFERENCE_LOG10_FLOP, REFERENCE_LOG10_FLOP)  # x is clamped to this

    @property
    def centre(self) -> float:
        return math.exp(self.mu0)

    def scale_factor(self, log10_flop: float | None = None) -> float:
        """s(x): how much wider (> 1) or narrower than at the runs' mean scale the interval is at 10^x FLOP."""
        x = REFERENCE_LOG10_FLOP if log10_flop is None else log10_flop
        x = min(max(x, self.scale_range[0]), self.scale_range[1])
        return math.exp(self.scale_slope * (x - self.scale_centre))

    def half_width(self, log10_flop: float | None = None, *, new_generation: bool = False) -> float | None:
        """The 90% half-width in ln units for a run of 10^x FLOP (default: REFERENCE_LOG10_FLOP)."""
        q = self.q_new if new_generation else self.q
        return None if q is None else q * self.scale_factor(log10_flop)

    def no_run_spread(self, log10_flop: float | None = None) -> float:
        h = self.half_width(log10_flop, new_generation=True)
        return h if h is not None else self.sw * math.sqrt(1 + 1 / PRIOR_RUNS)


@dataclass(frozen=True)
class EfficiencyInterval:
    """An efficiency estimate with its 90% interval, and what it rests on."""

    basis: str  # "runs", "class" (no runs on the generation: the class figure), "cited" or "none"
    kind: str  # "all-in" (from billed chip-hours) or "mfu" (steady state, as cited)
    centre: float | None
    low: float | None
    high: float | None
    log_spread: float  # the interval's half-width in natural-log units
    runs: int
    group: str | None
    method: str
    level: float = LEVEL


@dataclass(frozen=True)
class Validation:
    """How the interval does on runs it was not fitted on: one split."""

    name: str
    runs: int
    inside: int
    median_width: float | None  # high / low of the intervals, median over the held-out runs
    median_error: float | None  # exp(median |ln(actual / centre)|): the point's typical factor off
    misses: tuple[tuple[str, float, float, float], ...] = ()  # (model, efficiency, low, high)
    scale: tuple[tuple[float, bool, float], ...] = ()  # per held-out run: (log10 FLOP, inside, width high / low)

    @property
    def coverage(self) -> float | None:
        return self.inside / self.runs if self.runs else None

    def band(self, lo: float, hi: float) -> tuple[int, int, float | None]:
        """(inside, runs, median width) over the held-out runs with lo <= log10 FLOP < hi (reporting only)."""
        sel = [(ok, w) for x, ok, w in self.scale if lo <= x < hi]
        return sum(ok for ok, _ in sel), len(sel), median(w for _, w in sel) if sel else None


def _group_key(profile: Profile) -> str:
    return profile.generation or profile.id


@dataclass(frozen=True)
class EvidenceModel:
    """The fitted classes over a set of known runs."""

    observations: tuple[Observation, ...]
    dropped: tuple[Dropped, ...]
    fits: Mapping[str, ClassFit]

    def group_runs(self, generation: str, cls: str | None) -> list[Observation]:
        return [o for o in self.observations if o.generation == generation and o.cls == cls]

    # -- the interval --------------------------------------------------------------------------------------------
    def predict(self, generation: str, cls: str, cited_centre: float | None = None, *,
                log10_flop: float | None = None) -> EfficiencyInterval:
        """The interval for a run of 10^log10_flop FLOP (default REFERENCE_LOG10_FLOP) on `generation` in `cls`."""
        fit = self.fits.get(cls)
        if fit is not None and fit.runs >= MIN_CLASS_RUNS and fit.q is not None and fit.q_new is not None:
            obs = self.group_runs(generation, cls)
            n = len(obs)
            if n == 0:
                half = fit.q_new * fit.scale_factor(log10_flop)
                method = (f"no known runs on generation {generation}: the {cls} class centre of {fit.runs} runs; "
                          f"90% interval from the held-out error of runs whose whole generation was left out "
                          f"(split-conformal, {_q_from(fit)}), {_at_scale(log10_flop)}")
                return EfficiencyInterval("class", "all-in", fit.centre, fit.centre * math.exp(-half),
                                          fit.centre * math.exp(half), half, 0, f"{generation}, {cls}", method)
            ybar = mean(o.y for o in obs)
            mu = (n * ybar + PRIOR_RUNS * fit.mu0) / (n + PRIOR_RUNS)
            half = fit.q * fit.scale_factor(log10_flop)
            method = (f"{n} known run{'s' if n != 1 else ''} in group ({generation}, {cls}) shrunk toward the "
                      f"{cls} class centre of {fit.runs} runs; 90% interval from the held-out error of runs "
                      f"predicted without their organisation (split-conformal, {_q_from(fit)}), "
                      f"{_at_scale(log10_flop)}")
            return EfficiencyInterval("runs", "all-in", math.exp(mu), math.exp(mu - half), math.exp(mu + half), half,
                                      n, f"{generation}, {cls}", method)
        return self._cited(cited_centre, None, generation, cls, f"fewer than {MIN_CLASS_RUNS} known {cls} runs",
                           log10_flop)

    def _cited(self, centre: float | None, rng: tuple[float, float] | None, generation: str, cls: str,
               what: str, log10_flop: float | None = None) -> EfficiencyInterval:
        ref = self.fits.get(REFERENCE_CLASS)
        if centre is None or ref is None:
            why = "no known runs in this precision class and no cited MFU range" if centre is None \
                else "no 16-bit class to take a spread from"
            return EfficiencyInterval("none", "mfu", None, None, None, 0.0, 0, None, why)
        half = ref.no_run_spread(log10_flop)
        span = f" ({rng[0]:.3g}-{rng[1]:.3g})" if rng else ""
        method = (f"{what}: centre is the geometric middle of the profile's cited MFU range{span}; spread is the "
                  f"16-bit class's held-out spread for a generation with no runs (x/{math.exp(half):.2f}), "
                  f"{_at_scale(log10_flop)}")
        return EfficiencyInterval("cited", "mfu", centre, centre * math.exp(-half), centre * math.exp(half), half,
                                  0, f"{generation}, {cls}", method)

    def interval(self, profile: Profile, precision: str, *, cited_only: bool = False,
                 flop: float | None = None) -> EfficiencyInterval:
        """The evidence interval of all-in efficiency for `profile` at `precision`, for a run of `flop` FLOP.

        A shipped chip gets its group's figure; a user's chip (any profile not shipped) gets the class figure, or its
        cited MFU range when it has one; `cited_only` (e.g. a --peak override) asks for the cited range. The
        interval's width depends on the run's scale; without `flop` it is given for a run of 1e25-1e26 FLOP
        (REFERENCE_LOG10_FLOP).
        """
        x = math.log10(flop) if flop is not None and flop > 0 else None
        cls = precision_class(precision)
        rng = profile.mfu_range.get(precision)
        centre = math.sqrt(rng[0] * rng[1]) if rng else None
        group = _group_key(profile)
        user = profile.origin != "shipped"
        if cited_only or user:
            if rng is not None or not user or cls is None:
                return self._cited(centre, rng, group, cls or precision,
                                   "cited, not evidence" if (cited_only or user) else "cited", x)
            fit = self.fits.get(cls)
            if fit is None or fit.runs < MIN_CLASS_RUNS or fit.q_new is None:
                return self._cited(None, None, group, cls, "")
            half = fit.q_new * fit.scale_factor(x)
            method = (f"a profile not shipped with flopcalc: the {cls} class centre of {fit.runs} known runs, with "
                      f"the held-out spread of a generation with no runs (split-conformal, {_q_from(fit)}), "
                      f"{_at_scale(x)}")
            return EfficiencyInterval("class", "all-in", fit.centre, fit.centre * math.exp(-half),
                                      fit.centre * math.exp(half), half, 0, f"{group}, {cls}", method)
        if cls is None:
            return self._cited(centre, rng, group, precision, f"precision {precision} is in no class", x)
        iv = self.predict(group, cls, centre, log10_flop=x)
        if iv.basis == "cited" and rng is not None:
            return self._cited(centre, rng, group, cls, f"fewer than {MIN_CLASS_RUNS} known {cls} runs", x)
        return iv

    # -- held-out checks -----------------------------------------------------------------------------------------
    def leave_one_out(self) -> tuple[int, int, tuple[tuple[Observation, EfficiencyInterval], ...]]:
        """Each run predicted from the others: (inside its own 90% interval, runs, details)."""
        inside = 0
        details = []
        for i, o in enumerate(self.observations):
            rest = self.observations[:i] + self.observations[i + 1:]
            iv = fit_observations(rest, self.dropped).predict(o.generation, o.cls, o.cited_centre,
                                                              log10_flop=o.log10_flop)
            if iv.low is not None and iv.high is not None and iv.low <= o.efficiency <= iv.high:
                inside += 1
            details.append((o, iv))
        return inside, len(self.observations), tuple(details)

    def validate(self, name: str, folds: Iterable[tuple[Sequence[Observation], Sequence[Observation]]]) -> Validation:
        """Fit on each fold's training runs, predict its test runs; coverage, median width and error over all."""
        inside = 0
        widths: list[float] = []
        errors: list[float] = []
        misses = []
        scale = []
        n = 0
        for train, test in folds:
            m = fit_observations(train, ())
            for o in test:
                iv = m.predict(o.generation, o.cls, o.cited_centre, log10_flop=o.log10_flop)
                if iv.centre is None or iv.low is None or iv.high is None:
                    continue
                n += 1
                ok = iv.low <= o.efficiency <= iv.high
                inside += ok
                if not ok:
                    misses.append((o.model, o.efficiency, iv.low, iv.high))
                widths.append(iv.high / iv.low)
                errors.append(abs(math.log(o.efficiency / iv.centre)))
                scale.append((_x(o), ok, iv.high / iv.low))
        return Validation(name, n, inside, median(widths) if widths else None,
                          math.exp(median(errors)) if errors else None, tuple(misses), tuple(scale))

    def time_split(self, cut: str = TIME_SPLIT) -> Validation:
        """Fitted on runs published before `cut`, tested on those from `cut` on."""
        train = [o for o in self.observations if (o.date or "") < cut]
        test = [o for o in self.observations if (o.date or "") >= cut]
        return self.validate(f"time split: fitted before {cut}, tested from {cut}", [(train, test)])

    def group_split(self) -> Validation:
        """Leave one organisation out: each organisation's runs predicted from the others'."""
        orgs = sorted({o.org for o in self.observations})
        folds = [([o for o in self.observations if o.org != g], [o for o in self.observations if o.org == g])
                 for g in orgs]
        return self.validate("leave one organisation out", folds)


def _at_scale(log10_flop: float | None) -> str:
    x = REFERENCE_LOG10_FLOP if log10_flop is None else log10_flop
    what = "1e25-1e26 FLOP, the default" if log10_flop is None else f"{10 ** x:.2g} FLOP"
    return f"width for a run of {what}"


def _q_from(fit: ClassFit) -> str:
    src = f"the {fit.q_from} class's" if fit.q_from and fit.q_from != fit.cls else "its"
    return f"{src} {fit.held_out} held-out runs"


def _class_mean_fit(obs: Sequence[Observation]) -> Callable[[Observation], float]:
    """A point predictor fitted on `obs` (one class): the shrunk group mean."""
    if not obs:
        return lambda o: math.nan
    mu0 = mean(o.y for o in obs)
    sums: dict[str, list[float]] = {}
    for o in obs:
        sums.setdefault(o.generation, []).append(o.y)

    def predict(o: Observation) -> float:
        ys = sums.get(o.generation, [])
        return (sum(ys) + PRIOR_RUNS * mu0) / (len(ys) + PRIOR_RUNS)

    return predict


def _held_out_residuals(obs: Sequence[Observation], key: Callable[[Observation], str],
                        new_group: bool) -> list[tuple[float, float]]:
    """(|ln residual|, log10 FLOP) of every run predicted with all runs sharing its `key` left out."""
    out = []
    for k in sorted({key(o) for o in obs}):
        rest = [o for o in obs if key(o) != k]
        if not rest:
            continue
        if new_group:
            mu0 = mean(o.y for o in rest)
            out += [(abs(o.y - mu0), _x(o)) for o in obs if key(o) == k]
        else:
            pred = _class_mean_fit(rest)
            out += [(abs(o.y - pred(o)), _x(o)) for o in obs if key(o) == k]
    return out


def _x(o: Observation) -> float:
    return REFERENCE_LOG10_FLOP if o.log10_flop is None else o.log10_flop


def scale_spread(res: Sequence[tuple[float, float]]) -> tuple[float, float, tuple[float, float]]:
    """(b, xbar, (x_min, x_max)) of the least-squares line ln max(|r|, floor) = a + b (x - xbar) over `res`."""
    if len(res) < 3:
        return 0.0, REFERENCE_LOG10_FLOP, (REFERENCE_LOG10_FLOP, REFERENCE_LOG10_FLOP)
    xs = [x for _, x in res]
    ls = [math.log(max(r, RESIDUAL_FLOOR)) for r, _ in res]
    xm, lm = mean(xs), mean(ls)
    sxx = math.fsum((x - xm) ** 2 for x in xs)
    b = math.fsum((x - xm) * (v - lm) for x, v in zip(xs, ls)) / sxx if sxx > 0 else 0.0
    return b, xm, (min(xs), max(xs))


def fit_observations(observations: Sequence[Observation], dropped: Sequence[Dropped]) -> EvidenceModel:
    """Fit every class over `observations` (pure arithmetic: no files are read)."""
    fits: dict[str, ClassFit] = {}
    quantiles: dict[str, tuple[float | None, float | None, int, tuple[float, float, tuple[float, float]]]] = {}
    for cls in sorted({o.cls for o in observations}):
        obs = [o for o in observations if o.cls == cls]
        res = _held_out_residuals(obs, lambda o: o.org or o.model, new_group=False)
        res_new = _held_out_residuals(obs, lambda o: o.generation, new_group=True)
        b, xm, rng = scale_spread(res)

        def s(x: float) -> float:
            return math.exp(b * (min(max(x, rng[0]), rng[1]) - xm))

        q = conformal_quantile([r / s(x) for r, x in res], LEVEL)
        q_new = conformal_quantile([r / s(x) for r, x in res_new], LEVEL)
        if q is not None and q_new is not None:
            q_new = max(q_new, q)
        quantiles[cls] = (q, q_new, len(res), (b, xm, rng))
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
        src = cls if len(obs) >= MIN_CONFORMAL_RUNS or REFERENCE_CLASS not in quantiles else REFERENCE_CLASS
        q, q_new, held, (b, xm, rng) = quantiles[src]
        fits[cls] = ClassFit(cls=cls, runs=len(obs), groups=len(groups), mu0=mean(o.y for o in obs), sw_raw=sw_raw,
                             sw=sw, df=df, t=t, q=q, q_new=q_new, q_from=src, held_out=held, scale_slope=b,
                             scale_centre=xm, scale_range=rng)
    return EvidenceModel(observations=tuple(observations), dropped=tuple(dropped), fits=fits)


def _months(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    y0, m0 = int(start[:4]), int(start[5:7] or 1) if len(start) >= 7 else 1
    y1, m1 = int(end[:4]), int(end[5:7]) if len(end) >= 7 else 7
    return float((y1 - y0) * 12 + (m1 - m0))


def observe(runs: Iterable[Run], hardware: HardwareDB | None = None, *,
            min_flop: float = MIN_EVIDENCE_FLOP) -> tuple[list[Observation], list[Dropped]]:
    """Each run as an observation, or dropped with the reason it cannot give an all-in efficiency."""
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
        elif flop < min_flop:
            reason = f"{flop:.2g} FLOP is below {min_flop:.0e}, the scope asked for"
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
        rng = prof.mfu_range.get(run.precision)
        observations.append(Observation(
            model=run.model, gpu=prof.id, generation=_group_key(prof), precision=run.precision,
            cls=precision_class(run.precision) or "", efficiency=e, org=run.org or run.model, date=run.date,
            log10_flop=math.log10(flop), chip_age_months=_months(prof.released, run.date),
            chip_hours_kind=hk, cited_centre=math.sqrt(rng[0] * rng[1]) if rng else None, profile=prof))
    return observations, dropped


def build_model(runs: Iterable[Run], hardware: HardwareDB | None = None) -> EvidenceModel:
    """Fit the classes over `runs`, dropping (with a reason) those that cannot give an all-in efficiency."""
    observations, dropped = observe(runs, hardware)
    return fit_observations(observations, dropped)


def shipped_db() -> HardwareDB:
    """The shipped profiles alone: no user folder, no $FLOPCALC_HARDWARE_PATH, no --hardware-file."""
    return HardwareDB(user_dirs_=())


def fresh_fit_document() -> dict[str, Any]:
    """What data/evidence_fit.json holds: the observations of the shipped runs on the shipped profiles."""
    obs, dropped = observe(load_runs(), shipped_db())
    return {"comment": "Generated by scripts/build_runs.py from runs.yaml and the shipped hardware profiles; "
                       "do not edit. tests/test_evidence.py checks it against a fresh build.",
            "observations": [o.to_json() for o in obs], "dropped": [asdict(d) for d in dropped]}


def write_fit(path: Path | None = None) -> Path:
    """Rewrite data/evidence_fit.json from the shipped runs and profiles."""
    path = path or Path(__file__).resolve().parent / "data" / FIT_FILE
    path.write_text(json.dumps(fresh_fit_document(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def default_model() -> EvidenceModel:
    """The model over the shipped runs and shipped profiles (precomputed observations), fitted once per process.

    User profiles, however given, never move it.
    """
    doc = json.loads(data_path(FIT_FILE).read_text(encoding="utf-8"))
    obs = tuple(Observation(**o) for o in doc["observations"])
    return fit_observations(obs, tuple(Dropped(**d) for d in doc["dropped"]))


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
