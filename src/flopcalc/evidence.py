"""What known training runs imply about a chip's all-in efficiency: a centre and a 90% interval tested on held-out runs.

The method (docs/evidence-method.md):

- Each known run with FLOP and chip-hours gives an all-in efficiency
  e = FLOP / (chip-hours x peak at the run's precision x 3600); y = ln e.
- Precision classes: 16-bit (bf16, fp16, tf32) and fp8. Groups: (generation, class).
- Point (the candidate chosen by a rule fixed in advance, docs/evidence-method.md; on the shipped runs that is (c),
  whose centre does not depend on scale, beta = 0): within a class, the pooled within-generation slope beta of y on
  x = log10 FLOP (candidates (a) and (b) only); each run moved to the class's mean scale xc, z = y - beta (x - xc);
  a group with n runs and mean zbar has centre mu = (n zbar + 3 z0) / (n + 3) at xc, z0 the class mean of z, and a
  run of 10^x FLOP is centred at mu + beta (x' - xc), x' = x clamped to the runs' range.
- Interval: split-conformal, with a spread that depends on the run's scale. The class is refitted without each
  organisation in turn and its runs are predicted; ln|residual| is regressed on log10 FLOP over those held-out
  residuals, s(x) = exp(b (x - xbar)) (x clamped to the runs' range), and q is the ceil((m + 1) x 0.9)-th smallest
  of the m scores |residual| / s(x). The 90% interval of a run of 10^x FLOP is exp(centre +- q s(x)). A generation
  with no runs gets the class centre and q_new, the same quantile over runs predicted with their whole generation
  held out (never below q). Without a FLOP figure, x is REFERENCE_LOG10_FLOP (a run of 1e25-1e26 FLOP).
- The candidates (a) slope + scale-dependent width, (b) slope + constant width, (c) no slope + scale-dependent
  width are compared on held-out runs by `compare_candidates`; scripts/build_runs.py stores the comparison and the
  choice in data/evidence_fit.json.
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
           "precision_class", "write_fit", "TIME_SPLIT", "REFERENCE_LOG10_FLOP", "ModelSpec", "CANDIDATES",
           "Candidate", "compare_candidates", "choose", "interval_score", "lab", "selection"]

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
MIN_COVERAGE = 0.88  # the decision rule's coverage floor (docs/evidence-method.md)
LARGE_LOG10_FLOP = 23.0  # the decision rule's "large runs": at least 1e23 FLOP
FRONTIER_LOG10_FLOP = 24.0  # reported (not in the rule): is each run of at least 1e24 FLOP inside its interval
MAX_WIDTH_AT_1E26 = 4.5  # issue 20: every shipped chip's chip-hours interval at 1e26 FLOP at most this wide
# One lab spelled several ways in the record: merged so that leaving out an organisation leaves out its house style.
ORG_ALIASES = {"meta ai": "Meta", "facebook": "Meta", "facebook ai research": "Meta", "meta": "Meta",
               "microsoft research": "Microsoft", "microsoft": "Microsoft",
               "technology innovation institute": "TII", "tii": "TII",
               "google research": "Google", "google": "Google"}


def lab(org: str | None) -> str:
    """The organisation key of the held-out checks: names of one lab merged (ORG_ALIASES), others as given."""
    o = (org or "").strip()
    return ORG_ALIASES.get(o.lower(), o)


@dataclass(frozen=True)
class ModelSpec:
    """One candidate model: whether the centre has a within-class slope on log10 FLOP, whether the width depends on
    scale."""

    key: str
    slope: bool
    scale_width: bool
    label: str


CANDIDATES = {
    "a": ModelSpec("a", True, True, "(a) centre with a slope on log10 FLOP + scale-dependent width"),
    "b": ModelSpec("b", True, False, "(b) centre with a slope on log10 FLOP + constant width"),
    "c": ModelSpec("c", False, True, "(c) centre without scale + scale-dependent width (the model before)"),
}
DEFAULT_SPEC = "a"  # used when a fit is made without a spec and no stored choice exists


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
    centre_slope: float = 0.0  # beta: d ln(efficiency) / d log10 FLOP within a generation (0 without a slope)
    centre_x: float = REFERENCE_LOG10_FLOP  # xc: the scale at which mu0 (the class mean of z) is the centre
    centre_range: tuple[float, float] = (REFERENCE_LOG10_FLOP, REFERENCE_LOG10_FLOP)  # the centre's x is clamped
    spec: str = DEFAULT_SPEC

    def shift(self, log10_flop: float | None = None) -> float:
        """beta (x' - xc): how far (ln units) the centre of a run of 10^x FLOP sits from the centre at xc."""
        x = REFERENCE_LOG10_FLOP if log10_flop is None else log10_flop
        x = min(max(x, self.centre_range[0]), self.centre_range[1])
        return self.centre_slope * (x - self.centre_x)

    def centre_at(self, log10_flop: float | None = None) -> float:
        """The class centre (no runs on the generation) for a run of 10^x FLOP (default REFERENCE_LOG10_FLOP)."""
        return math.exp(self.mu0 + self.shift(log10_flop))

    @property
    def centre(self) -> float:
        """The class centre for a run of 1e25-1e26 FLOP (REFERENCE_LOG10_FLOP)."""
        return self.centre_at(None)

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

    @property
    def log_up(self) -> float:
        """ln(high / centre): the interval's reach above the centre (less than log_spread when held at 100%)."""
        return math.log(self.high / self.centre) if self.high and self.centre else self.log_spread

    @property
    def log_down(self) -> float:
        """ln(centre / low): the interval's reach below the centre."""
        return math.log(self.centre / self.low) if self.low and self.centre else self.log_spread


MAX_EFFICIENCY = 1.0  # a run cannot use more than its chips' peak: the interval's upper end is held there


def bounded(basis: str, kind: str, centre: float, half: float, runs: int, group: str | None,
            method: str) -> EfficiencyInterval:
    """centre x/÷ e^half, its upper end held at 100% of peak (no run exceeds it), and the method saying so."""
    high = centre * math.exp(half)
    if high > MAX_EFFICIENCY:
        high = MAX_EFFICIENCY
        method += "; the upper end is held at 100% of peak, which no run can exceed"
    return EfficiencyInterval(basis, kind, centre, centre * math.exp(-half), high, half, runs, group, method)


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
    held: tuple[tuple[str, float, float, float, float, float], ...] = ()  # (model, log10 FLOP, e, centre, low, high)

    @property
    def coverage(self) -> float | None:
        return self.inside / self.runs if self.runs else None

    @property
    def score(self) -> float | None:
        """Mean interval score (Gneiting-Raftery, alpha = 0.1, ln units) over the held-out runs; lower is better."""
        s = [interval_score(e, lo, hi) for _, _, e, _, lo, hi in self.held]
        return mean(s) if s else None

    def subset(self, lo: float, hi: float = 99.0) -> tuple[int, int, float | None]:
        """(inside, runs, mean interval score) over the held-out runs with lo <= log10 FLOP < hi."""
        sel = [(e, a, b) for _, x, e, _, a, b in self.held if lo <= x < hi]
        return (sum(a <= e <= b for e, a, b in sel), len(sel),
                mean(interval_score(e, a, b) for e, a, b in sel) if sel else None)

    def band(self, lo: float, hi: float) -> tuple[int, int, float | None]:
        """(inside, runs, median width) over the held-out runs with lo <= log10 FLOP < hi (reporting only)."""
        sel = [(ok, w) for x, ok, w in self.scale if lo <= x < hi]
        return sum(ok for ok, _ in sel), len(sel), median(w for _, w in sel) if sel else None


def interval_score(actual: float, low: float, high: float, alpha: float = 1 - LEVEL) -> float:
    """Gneiting and Raftery's (2007) interval score of [low, high] for `actual`, in natural-log units."""
    y, lo, hi = math.log(actual), math.log(low), math.log(high)
    return (hi - lo) + 2 / alpha * max(0.0, lo - y) + 2 / alpha * max(0.0, y - hi)


def _group_key(profile: Profile) -> str:
    return profile.generation or profile.id


@dataclass(frozen=True)
class EvidenceModel:
    """The fitted classes over a set of known runs."""

    observations: tuple[Observation, ...]
    dropped: tuple[Dropped, ...]
    fits: Mapping[str, ClassFit]
    spec: str = DEFAULT_SPEC

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
                c = fit.centre_at(log10_flop)
                half = fit.q_new * fit.scale_factor(log10_flop)
                method = (f"no known runs on generation {generation}: the {cls} class centre of {fit.runs} runs"
                          f"{_slope_text(fit)}; 90% interval from the held-out error of runs whose whole generation "
                          f"was left out (split-conformal, {_q_from(fit)}), {_at_scale(log10_flop, fit.scale_range)}")
                return bounded("class", "all-in", c, half, 0, f"{generation}, {cls}", method)
            zbar = mean(o.y - fit.centre_slope * (_x(o) - fit.centre_x) for o in obs)
            mu = (n * zbar + PRIOR_RUNS * fit.mu0) / (n + PRIOR_RUNS) + fit.shift(log10_flop)
            half = fit.q * fit.scale_factor(log10_flop)
            method = (f"{n} known run{'s' if n != 1 else ''} in group ({generation}, {cls}) shrunk toward the "
                      f"{cls} class centre of {fit.runs} runs{_slope_text(fit)}; 90% interval from the held-out "
                      f"error of runs predicted without their organisation (split-conformal, {_q_from(fit)}), "
                      f"{_at_scale(log10_flop, fit.scale_range)}")
            return bounded("runs", "all-in", math.exp(mu), half, n, f"{generation}, {cls}", method)
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
                  f"{_at_scale(log10_flop, ref.scale_range)}")
        return bounded("cited", "mfu", centre, half, 0, f"{generation}, {cls}", method)

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
            c = fit.centre_at(x)
            method = (f"a profile not shipped with flopcalc: the {cls} class centre of {fit.runs} known runs"
                      f"{_slope_text(fit)}, with the held-out spread of a generation with no runs (split-conformal, "
                      f"{_q_from(fit)}), {_at_scale(x, fit.scale_range)}")
            return bounded("class", "all-in", c, half, 0, f"{group}, {cls}", method)
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
            iv = fit_observations(rest, self.dropped, spec=self.spec).predict(o.generation, o.cls, o.cited_centre,
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
        held = []
        n = 0
        for train, test in folds:
            m = fit_observations(train, (), spec=self.spec)
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
                held.append((o.model, _x(o), o.efficiency, iv.centre, iv.low, iv.high))
        return Validation(name, n, inside, median(widths) if widths else None,
                          math.exp(median(errors)) if errors else None, tuple(misses), tuple(scale), tuple(held))

    def time_split(self, cut: str = TIME_SPLIT) -> Validation:
        """Fitted on runs published before `cut`, tested on those from `cut` on."""
        train = [o for o in self.observations if (o.date or "") < cut]
        test = [o for o in self.observations if (o.date or "") >= cut]
        return self.validate(f"time split: fitted before {cut}, tested from {cut}", [(train, test)])

    def group_split(self) -> Validation:
        """Leave one organisation out: each organisation's runs predicted from the others'."""
        orgs = sorted({lab(o.org) for o in self.observations})
        folds = [([o for o in self.observations if lab(o.org) != g], [o for o in self.observations if lab(o.org) == g])
                 for g in orgs]
        return self.validate("leave one organisation out", folds)


def _at_scale(log10_flop: float | None, scale_range: tuple[float, float] | None = None) -> str:
    """The scale a width is for, said truly: the default is one point (10^25.5, the middle of 1e25-1e26), and a
    scale beyond the runs' range takes the edge's width (never extrapolated)."""
    if log10_flop is None:
        return f"width for a run of {10 ** REFERENCE_LOG10_FLOP:.2g} FLOP (10^25.5, the middle of 1e25-1e26: the default)"
    text = f"width for a run of {10 ** log10_flop:.2g} FLOP"
    if scale_range is not None and scale_range[0] < scale_range[1]:
        lo, hi = scale_range
        if log10_flop > hi:
            text += f", held at that of {10 ** hi:.2g} FLOP, the largest run in evidence (never extrapolated)"
        elif log10_flop < lo:
            text += f", held at that of {10 ** lo:.2g} FLOP, the smallest run in evidence (never extrapolated)"
    return text


def _q_from(fit: ClassFit) -> str:
    src = f"the {fit.q_from} class's" if fit.q_from and fit.q_from != fit.cls else "its"
    return f"{src} {fit.held_out} held-out runs"


def _slope_text(fit: ClassFit) -> str:
    if not fit.centre_slope:
        return ""
    return (f", moved along the within-generation slope of {fit.centre_slope:+.3f} ln per decade of FLOP "
            f"(scale clamped to 10^{fit.centre_range[0]:.1f}-10^{fit.centre_range[1]:.1f})")


def centre_line(obs: Sequence[Observation], slope: bool = True) -> tuple[float, float, tuple[float, float]]:
    """(beta, xc, (x_min, x_max)): the pooled within-generation least-squares slope of y on log10 FLOP over `obs`
    (one class; 0 without `slope` or without spread in scale), the runs' mean scale and their range of scales."""
    if not obs:
        return 0.0, REFERENCE_LOG10_FLOP, (REFERENCE_LOG10_FLOP, REFERENCE_LOG10_FLOP)
    xs = [_x(o) for o in obs]
    xc, rng = mean(xs), (min(xs), max(xs))
    if not slope:
        return 0.0, xc, rng
    groups: dict[str, list[Observation]] = {}
    for o in obs:
        groups.setdefault(o.generation, []).append(o)
    sxy = sxx = 0.0
    for g in groups.values():
        gx, gy = mean(_x(o) for o in g), mean(o.y for o in g)
        sxy += math.fsum((_x(o) - gx) * (o.y - gy) for o in g)
        sxx += math.fsum((_x(o) - gx) ** 2 for o in g)
    return (sxy / sxx if sxx > 0 else 0.0), xc, rng


def _class_point_fit(obs: Sequence[Observation], slope: bool = True) -> Callable[[Observation], float]:
    """A point predictor (ln efficiency) fitted on `obs` (one class): the shrunk group mean of z moved along the
    within-generation slope to the run's scale (clamped to the runs' range)."""
    if not obs:
        return lambda o: math.nan
    beta, xc, (lo, hi) = centre_line(obs, slope)
    z0 = mean(o.y - beta * (_x(o) - xc) for o in obs)
    sums: dict[str, list[float]] = {}
    for o in obs:
        sums.setdefault(o.generation, []).append(o.y - beta * (_x(o) - xc))

    def predict(o: Observation) -> float:
        zs = sums.get(o.generation, [])
        return (math.fsum(zs) + PRIOR_RUNS * z0) / (len(zs) + PRIOR_RUNS) + beta * (min(max(_x(o), lo), hi) - xc)

    return predict


def _class_only_fit(obs: Sequence[Observation], slope: bool = True) -> Callable[[Observation], float]:
    """The class centre alone (a generation with no runs), moved along the slope to the run's scale."""
    beta, xc, (lo, hi) = centre_line(obs, slope)
    z0 = mean(o.y - beta * (_x(o) - xc) for o in obs)
    return lambda o: z0 + beta * (min(max(_x(o), lo), hi) - xc)


def _held_out_residuals(obs: Sequence[Observation], key: Callable[[Observation], str],
                        new_group: bool, slope: bool = True) -> list[tuple[float, float]]:
    """(|ln residual|, log10 FLOP) of every run predicted with all runs sharing its `key` left out."""
    out = []
    for k in sorted({key(o) for o in obs}):
        rest = [o for o in obs if key(o) != k]
        if not rest:
            continue
        pred = _class_only_fit(rest, slope) if new_group else _class_point_fit(rest, slope)
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


def fit_observations(observations: Sequence[Observation], dropped: Sequence[Dropped], *,
                     spec: str | None = None) -> EvidenceModel:
    """Fit every class over `observations` with candidate `spec` (default: DEFAULT_SPEC; pure arithmetic, no files)."""
    sp = CANDIDATES[spec or DEFAULT_SPEC]
    fits: dict[str, ClassFit] = {}
    quantiles: dict[str, tuple[float | None, float | None, int, tuple[float, float, tuple[float, float]]]] = {}
    for cls in sorted({o.cls for o in observations}):
        obs = [o for o in observations if o.cls == cls]
        res = _held_out_residuals(obs, lambda o: lab(o.org) or o.model, new_group=False, slope=sp.slope)
        res_new = _held_out_residuals(obs, lambda o: o.generation, new_group=True, slope=sp.slope)
        b, xm, rng = scale_spread(res) if sp.scale_width else (0.0, REFERENCE_LOG10_FLOP,
                                                                 (REFERENCE_LOG10_FLOP, REFERENCE_LOG10_FLOP))

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
        beta, xc, crng = centre_line(obs, sp.slope) if len(obs) >= MIN_CLASS_RUNS else centre_line(obs, False)
        fits[cls] = ClassFit(cls=cls, runs=len(obs), groups=len(groups),
                             mu0=mean(o.y - beta * (_x(o) - xc) for o in obs), sw_raw=sw_raw,
                             sw=sw, df=df, t=t, q=q, q_new=q_new, q_from=src, held_out=held, scale_slope=b,
                             scale_centre=xm, scale_range=rng, centre_slope=beta, centre_x=xc, centre_range=crng,
                             spec=sp.key)
    return EvidenceModel(observations=tuple(observations), dropped=tuple(dropped), fits=fits, spec=sp.key)


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
    """Fit the classes over `runs` with the chosen candidate, dropping (with a reason) those that cannot give an
    all-in efficiency."""
    observations, dropped = observe(runs, hardware)
    return fit_observations(observations, dropped, spec=chosen_spec())


# -- choosing the model: the candidates on held-out runs (docs/evidence-method.md) ----------------------------------
@dataclass(frozen=True)
class Candidate:
    """One candidate model's held-out figures and what the decision rule makes of them."""

    key: str
    label: str
    time: Validation
    group: Validation
    max_width_1e26: float  # the widest shipped chip's chip-hours interval (high / low) for a 1e26 FLOP run
    widest_chip: str

    def coverages(self) -> dict[str, float | None]:
        def cov(v: Validation) -> float | None:
            inside, n, _ = v.subset(LARGE_LOG10_FLOP)
            return inside / n if n else None
        return {"time_split": self.time.coverage, "time_split_large": cov(self.time),
                "group_split": self.group.coverage, "group_split_large": cov(self.group)}

    @property
    def shortfall(self) -> float:
        """Sum over the four coverages of max(0, 0.88 - coverage): 0 when all four meet the floor."""
        return math.fsum(max(0.0, MIN_COVERAGE - (c if c is not None else 0.0)) for c in self.coverages().values())

    @property
    def width_ok(self) -> bool:
        return self.max_width_1e26 <= MAX_WIDTH_AT_1E26 + 1e-12

    @property
    def eligible(self) -> bool:
        return self.shortfall == 0 and self.width_ok

    @property
    def score(self) -> float:
        """The rule's score: the time split's mean interval score plus leave-one-organisation-out's."""
        return (self.time.score or 0.0) + (self.group.score or 0.0)

    def frontier(self) -> list[tuple[str, float, float, float, float, bool]]:
        """(model, log10 FLOP, efficiency, low, high, inside) of every run of at least 1e24 FLOP, leave one
        organisation out (reported, not part of the rule)."""
        return [(m, x, e, lo, hi, lo <= e <= hi) for m, x, e, _, lo, hi in self.group.held
                if x >= FRONTIER_LOG10_FLOP]

    def to_json(self) -> dict[str, Any]:
        def split(v: Validation) -> dict[str, Any]:
            li, ln, ls = v.subset(LARGE_LOG10_FLOP)
            return {"runs": v.runs, "inside": v.inside, "coverage": v.coverage, "interval_score": v.score,
                    "median_width": v.median_width, "median_error": v.median_error,
                    "large_runs": ln, "large_inside": li, "large_coverage": li / ln if ln else None,
                    "large_interval_score": ls,
                    "held": [{"model": m, "log10_flop": x, "efficiency": e, "centre": c, "low": lo, "high": hi}
                             for m, x, e, c, lo, hi in v.held]}
        return {"key": self.key, "label": self.label, "time_split": split(self.time),
                "group_split": split(self.group), "max_width_1e26": self.max_width_1e26,
                "widest_chip": self.widest_chip, "coverage_shortfall": self.shortfall, "width_ok": self.width_ok,
                "eligible": self.eligible, "score": self.score}


def _shipped_width_1e26(model: EvidenceModel, db: HardwareDB) -> tuple[float, str]:
    """The widest chip-hours interval (high / low) over the shipped chips at their default precision, 1e26 FLOP."""
    widest, chip = 0.0, ""
    for prof in db.all():
        if prof.origin != "shipped":
            continue
        iv = model.interval(prof, prof.default_precision, flop=1e26)
        if iv.low and iv.high and iv.high / iv.low > widest:
            widest, chip = iv.high / iv.low, prof.id
    return widest, chip


def compare_candidates(observations: Sequence[Observation], dropped: Sequence[Dropped] = (),
                       db: HardwareDB | None = None) -> list[Candidate]:
    """Every candidate fitted and checked on held-out runs (time split, leave one organisation out)."""
    db = db or shipped_db()
    out = []
    for key, sp in CANDIDATES.items():
        m = fit_observations(observations, dropped, spec=key)
        width, chip = _shipped_width_1e26(m, db)
        out.append(Candidate(key, sp.label, m.time_split(), m.group_split(), width, chip))
    return out


def choose(cands: Sequence[Candidate]) -> tuple[Candidate, bool]:
    """The decision rule (fixed before the figures, docs/evidence-method.md): (chosen, whether it met the criterion).

    Eligible: all four coverages >= 0.88 and every shipped chip at most x4.5 wide at 1e26 FLOP; the eligible
    candidate with the lowest summed interval score wins. If none is eligible: among those meeting x4.5 (all, if
    none does), the smallest coverage shortfall, ties broken by the summed interval score.
    """
    ok = [c for c in cands if c.eligible]
    if ok:
        return min(ok, key=lambda c: c.score), True
    pool = [c for c in cands if c.width_ok] or list(cands)
    return min(pool, key=lambda c: (round(c.shortfall, 12), c.score)), False


def selection_document(observations: Sequence[Observation], dropped: Sequence[Dropped] = ()) -> dict[str, Any]:
    cands = compare_candidates(observations, dropped)
    best, met = choose(cands)
    return {"chosen": best.key, "criterion_met": met, "candidates": [c.to_json() for c in cands]}


def shipped_db() -> HardwareDB:
    """The shipped profiles alone: no user folder, no $FLOPCALC_HARDWARE_PATH, no --hardware-file."""
    return HardwareDB(user_dirs_=())


def fresh_fit_document() -> dict[str, Any]:
    """What data/evidence_fit.json holds: the observations of the shipped runs on the shipped profiles."""
    obs, dropped = observe(load_runs(), shipped_db())
    return {"comment": "Generated by scripts/build_runs.py from runs.yaml and the shipped hardware profiles; "
                       "do not edit. tests/test_evidence.py checks it against a fresh build. 'selection' holds "
                       "the candidate models' held-out figures and the one the decision rule chose "
                       "(docs/evidence-method.md).",
            "observations": [o.to_json() for o in obs], "dropped": [asdict(d) for d in dropped],
            "selection": selection_document(obs, dropped)}


def write_fit(path: Path | None = None) -> Path:
    """Rewrite data/evidence_fit.json from the shipped runs and profiles."""
    path = path or Path(__file__).resolve().parent / "data" / FIT_FILE
    path.write_text(json.dumps(fresh_fit_document(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def _fit_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(data_path(FIT_FILE).read_text(encoding="utf-8"))
    return doc


def selection() -> dict[str, Any]:
    """The stored comparison of the candidate models and the choice (data/evidence_fit.json, 'selection')."""
    return _fit_document().get("selection") or {"chosen": DEFAULT_SPEC, "criterion_met": None, "candidates": []}


def chosen_spec() -> str:
    return str(selection().get("chosen") or DEFAULT_SPEC)


@lru_cache(maxsize=1)
def default_model() -> EvidenceModel:
    """The model over the shipped runs and shipped profiles (precomputed observations), fitted once per process
    with the candidate the decision rule chose.

    User profiles, however given, never move it.
    """
    doc = _fit_document()
    obs = tuple(Observation(**o) for o in doc["observations"])
    return fit_observations(obs, tuple(Dropped(**d) for d in doc["dropped"]), spec=chosen_spec())


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
