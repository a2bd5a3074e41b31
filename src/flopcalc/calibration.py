"""`flopcalc calibrate`: what the evidence says for one chip and precision, and how well the method predicts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from .evidence import (
    CANDIDATES,
    REFERENCE_LOG10_FLOP,
    EfficiencyInterval,
    EvidenceModel,
    Observation,
    Validation,
    build_model,
    default_model,
    precision_class,
    selection,
    shipped_db,
)
from .hardware import HardwareDB, Profile, resolve
from .runs import Run

__all__ = ["Calibration", "calibrate"]


@dataclass(frozen=True)
class Calibration:
    """The evidence interval for one chip and precision, its group and class figures, and LOO coverage."""

    gpu: str
    precision: str
    interval: EfficiencyInterval
    group_runs: tuple[Observation, ...]
    class_name: str | None
    class_runs: int
    class_centre: float | None
    class_sd: float | None
    class_df: int | None
    class_t: float | None
    loo_inside: int
    loo_runs: int
    dropped: tuple[tuple[str, str], ...]
    time_split: Validation | None = None
    group_split: Validation | None = None
    class_q: float | None = None
    class_q_new: float | None = None
    class_q_from: str | None = None
    class_held_out: int = 0
    class_scale_slope: float | None = None
    class_scale_centre: float | None = None
    class_scale_range: tuple[float, float] | None = None
    log10_flop: float = REFERENCE_LOG10_FLOP  # the scale the interval is given for
    model_spec: str = ""  # the candidate model in use (evidence.CANDIDATES)
    model_choice: dict[str, Any] | None = None  # the stored comparison of the candidates and the decision

    @property
    def model_label(self) -> str:
        return CANDIDATES[self.model_spec].label if self.model_spec in CANDIDATES else self.model_spec

    @property
    def criterion_met(self) -> bool | None:
        return None if self.model_choice is None else self.model_choice.get("criterion_met")

    @property
    def loo_coverage(self) -> float | None:
        return self.loo_inside / self.loo_runs if self.loo_runs else None

    # old names, kept for scripts
    @property
    def count(self) -> int:
        return len(self.group_runs)

    @property
    def median(self) -> float | None:
        import statistics

        return statistics.median(o.efficiency for o in self.group_runs) if self.group_runs else None

    @property
    def min(self) -> float | None:
        return min((o.efficiency for o in self.group_runs), default=None)

    @property
    def max(self) -> float | None:
        return max((o.efficiency for o in self.group_runs), default=None)

    @property
    def scope(self) -> str:
        return f"group {self.interval.group}" if self.interval.group else "none"

    @property
    def runs(self) -> tuple[tuple[str, str, float], ...]:
        return tuple(sorted(((o.model, o.gpu, o.efficiency) for o in self.group_runs), key=lambda t: t[2]))


def calibrate(gpu: str | Profile | None, precision: str | None = None, *, runs: Iterable[Run] | None = None,
              hardware: HardwareDB | None = None, flop: float | None = None) -> Calibration:
    """The evidence interval for `gpu` at `precision`, with its held-out checks (time split, leave one
    organisation out) and leave-one-out coverage over the runs.

    The model is the shipped one (shipped runs on shipped profiles) unless `runs` are given; `hardware` only
    says which chip `gpu` names, it never refits the model. The interval is for a run of `flop` FLOP (default: a run
    of 1e25-1e26 FLOP); its width depends on the scale.

        >>> c = calibrate("a100")
        >>> c.interval.basis
        'runs'
    """
    prof = resolve(gpu, hardware)
    prec = prof.check_precision(precision)
    model: EvidenceModel = default_model() if runs is None else build_model(runs, shipped_db())
    iv = model.interval(prof, prec, flop=flop)
    cls = precision_class(prec)
    fit = model.fits.get(cls or "")
    group = prof.generation or prof.id
    inside, n, _ = model.leave_one_out()
    return Calibration(
        time_split=model.time_split(), group_split=model.group_split(), class_q=fit.q if fit else None,
        class_q_new=fit.q_new if fit else None, class_q_from=fit.q_from if fit else None,
        class_held_out=fit.held_out if fit else 0,
        class_scale_slope=fit.scale_slope if fit else None, class_scale_centre=fit.scale_centre if fit else None,
        class_scale_range=fit.scale_range if fit else None,
        log10_flop=math.log10(flop) if flop and flop > 0 else REFERENCE_LOG10_FLOP,
        gpu=prof.id, precision=prec, interval=iv, model_spec=model.spec, model_choice=selection(),
        group_runs=tuple(model.group_runs(group, cls)) if cls and iv.basis == "runs" else (), class_name=cls,
        class_runs=fit.runs if fit else 0, class_centre=fit.centre if fit else None, class_sd=fit.sw if fit else None,
        class_df=fit.df if fit else None, class_t=fit.t if fit else None, loo_inside=inside, loo_runs=n,
        dropped=tuple((d.model, d.reason) for d in model.dropped),
    )
