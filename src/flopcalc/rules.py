"""Regulatory compute thresholds: load them, cost them on a chip, and check a training run against them."""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ._paths import data_path
from ._schema import Fields, as_date
from ._yaml import read_yaml
from .errors import DataError, InputError
from .fmt import sci
from .hardware import HardwareDB, Profile, resolve
from .units import Q_, mag, parse_bounded, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["Limit", "Threshold", "load_thresholds", "thresholds", "crossed_by", "ThresholdCost", "threshold_costs",
           "CheckResult", "ThresholdCheck", "check", "STATUSES", "theoretical_peak"]

STATUSES = ("in-force", "enacted", "guidance", "proposed", "vetoed", "rescinded", "superseded")
BINDING = ("in-force", "enacted", "rescinded", "superseded")  # law at some point (if its dates say so)
_KEYS = ("id", "name", "jurisdiction", "instrument", "article", "limits", "counts", "triggers", "scope", "status",
         "effective_from", "effective_until", "dates", "source", "confidence", "note")
_REQUIRED = ("id", "name", "jurisdiction", "instrument", "limits", "status", "source")
_LIMIT_KINDS = (("flop", "flop"), ("flop_per_s", "flop_rate"), ("usd", "usd"))  # (limit kind, parser kind)


@dataclass(frozen=True)
class Limit:
    """One test a rule sets: a quantity and how a run is compared with it."""

    kind: str  # "flop", "flop_per_s" or "usd"
    value: pint.Quantity
    comparison: str  # ">" or ">="

    @property
    def base(self) -> float:
        return mag(self.value, {"flop": "FLOP", "flop_per_s": "FLOP/s", "usd": "USD"}[self.kind])

    def met_by(self, x: float) -> bool:
        return x > self.base if self.comparison == ">" else x >= self.base


@dataclass(frozen=True)
class Threshold:
    """A compute threshold in a rule, with its status, dates and source."""

    id: str
    name: str
    jurisdiction: str
    instrument: str
    article: str | None
    limits: tuple[Limit, ...]
    counts: str | None
    triggers: str | None
    scope: str | None
    status: str
    effective_from: _dt.date | None
    effective_until: _dt.date | None
    dates: Mapping[str, str]
    source: str
    confidence: str
    note: str | None
    path: str = ""
    status_as_of: str | None = None  # when the file's statuses were last checked

    def limit(self, kind: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.kind == kind), None)

    def in_force_on(self, day: _dt.date) -> bool:
        """Whether this rule bound anyone on `day` (guidance, proposals and vetoed bills never do)."""
        if self.status not in BINDING or self.effective_from is None:
            return False
        return self.effective_from <= day and (self.effective_until is None or day < self.effective_until)

    def describe_limits(self) -> str:
        parts = []
        for lim in self.limits:
            v = lim.base
            unit = {"flop": "FLOP", "flop_per_s": "FLOP/s", "usd": "USD"}[lim.kind]
            shown = f"${v / 1e6:g}M" if lim.kind == "usd" else f"{v:.3g} {unit}".replace("e+", "e")
            parts.append(f"{lim.comparison} {shown}")
        return " AND ".join(parts)


def _date(f: Fields, key: str) -> _dt.date | None:
    v = f.get(key)
    if v is None:
        return None
    if isinstance(v, _dt.date):
        return v
    try:
        return _dt.date.fromisoformat(str(v))
    except ValueError:
        raise f.error(key, "must be a date YYYY-MM-DD or null") from None


def _threshold(data: Any, path: Path | str, i: int) -> Threshold:
    f = Fields(path, data, allowed=_KEYS, required=_REQUIRED, where=f"thresholds[{i}]")
    tid = f.text("id").lower()
    status = f.text("status").lower()
    if status not in STATUSES:
        raise f.error("status", f"{status[:30]!r} is not a status; use one of {', '.join(STATUSES)}")
    limits_raw = f.seq("limits")
    if not limits_raw:
        raise f.error("limits", "must list at least one limit")
    limits = []
    for j, item in enumerate(limits_raw):
        lf = Fields(path, item, allowed=("value", "comparison"), required=("value", "comparison"),
                    where=f"{f.name('limits')}[{j}]")
        raw = lf.get("value")
        kind = None
        for k, parse_kind in _LIMIT_KINDS:
            try:
                q = parse_quantity(raw, parse_kind)
            except InputError:
                continue
            kind = k
            break
        if kind is None:
            raise lf.error("value", f"{str(raw)[:40]!r} must be a positive quantity in FLOP, FLOP/s or USD")
        comparison = lf.text("comparison")
        if comparison not in (">", ">="):
            raise lf.error("comparison", f"{comparison[:10]!r} must be '>' or '>='")
        limits.append(Limit(kind=kind, value=q, comparison=comparison))
    dates_raw = f.get("dates") or {}
    if not isinstance(dates_raw, dict):
        raise f.error("dates", "must be a mapping of name to date")
    dates = {}
    for k, v in dates_raw.items():
        d = as_date(v)
        if d is None:
            raise f.error(f"dates.{k}", "must be a date YYYY-MM-DD")
        dates[str(k)] = d
    frm, until = _date(f, "effective_from"), _date(f, "effective_until")
    if frm and until and until < frm:
        raise f.error("effective_until", "is before effective_from")
    confidence = (f.text("confidence", optional=True) or "confirmed").lower()
    if confidence not in ("confirmed", "unconfirmed"):
        raise f.error("confidence", "must be 'confirmed' or 'unconfirmed'")
    return Threshold(
        id=tid, name=f.text("name"), jurisdiction=f.text("jurisdiction"), instrument=f.text("instrument"),
        article=f.text("article", optional=True), limits=tuple(limits), counts=f.text("counts", optional=True),
        triggers=f.text("triggers", optional=True), scope=f.text("scope", optional=True), status=status,
        effective_from=frm, effective_until=until, dates=MappingProxyType(dates), source=f.text("source"),
        confidence=confidence, note=f.text("note", optional=True), path=str(path),
    )


def load_thresholds(files: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Threshold]:
    """The shipped thresholds, then those in `files` (a file's id replaces a shipped one with that id)."""
    paths = ([data_path("thresholds.yaml")] if bundled else []) + [Path(p) for p in files]
    by_id: dict[str, Threshold] = {}
    for path in paths:
        doc = read_yaml(path)
        f = Fields(path, doc, allowed=("as_of", "thresholds"), required=("thresholds",))
        as_of = as_date(f.get("as_of")) if f.get("as_of") is not None else None
        if f.get("as_of") is not None and as_of is None:
            raise f.error("as_of", "must be a date YYYY-MM-DD")
        seen: dict[str, int] = {}
        for i, item in enumerate(f.seq("thresholds")):
            t = replace(_threshold(item, path, i), status_as_of=as_of)
            if t.id in seen:
                raise DataError(path, f"id {t.id!r} appears twice (thresholds[{seen[t.id]}] and thresholds[{i}])",
                                field=f"thresholds[{i}].id")
            seen[t.id] = i
            by_id[t.id] = t
    return list(by_id.values())


def thresholds(rules: Iterable[Threshold] | None = None, *, status: Iterable[str] = (),
               as_of: _dt.date | str | None = None) -> list[Threshold]:
    """Filter thresholds by status and/or by what was in force on a date."""
    rules = load_thresholds() if rules is None else list(rules)
    wanted = {s.lower() for s in status}
    bad = wanted - set(STATUSES)
    if bad:
        raise InputError(f"status {sorted(bad)[0]!r} is not a status; use one of {', '.join(STATUSES)}")
    if isinstance(as_of, str):
        try:
            as_of = _dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"date {as_of[:30]!r} is not a date: use YYYY-MM-DD") from None
    out = [t for t in rules if not wanted or t.status in wanted]
    if as_of is not None:
        out = [t for t in out if t.in_force_on(as_of)]
    return out


def _met(t: Threshold, values: Mapping[str, float | None]) -> tuple[bool | None, float | None]:
    """Whether every limit is met, and the smallest run/limit ratio; None where a value is unknown."""
    crossed: bool | None = True
    ratios = []
    for lim in t.limits:
        x = values.get(lim.kind)
        if x is None:
            crossed = None if crossed is not False else False
            continue
        ratios.append(x / lim.base)
        if not lim.met_by(x):
            crossed = False
    if crossed and len(ratios) < len(t.limits):
        crossed = None
    return crossed, (min(ratios) if ratios else None)


def crossed_by(rules: Iterable[Threshold], *, flop: float | None = None, usd: float | None = None,
               flop_per_s: float | None = None) -> list[Threshold]:
    """The thresholds whose every limit a run with these figures meets."""
    values = {"flop": flop, "usd": usd, "flop_per_s": flop_per_s}
    return [t for t in rules if _met(t, values)[0] is True]


@dataclass(frozen=True)
class ThresholdCost:
    """What one threshold means on one chip."""

    threshold: Threshold
    gpu: str
    chip_hours: pint.Quantity | None = None
    cost: pint.Quantity | None = None
    cost_with_overhead: pint.Quantity | None = None
    chips_needed: int | None = None
    cluster_peak_per_chip: pint.Quantity | None = None
    flop_for_usd: pint.Quantity | None = None


def theoretical_peak(prof: Profile) -> pint.Quantity:
    """A chip's highest dense floating-point peak: what cluster tests ("theoretical maximum") count."""
    return max(prof.peak.values(), key=lambda q: mag(q, "FLOP/s")).to("FLOP/s")


def _chips_to_meet(limit: Limit, per_chip: float) -> int:
    n = limit.base / per_chip
    k = math.ceil(n - 1e-9)
    return k + 1 if limit.comparison == ">" and math.isclose(k * per_chip, limit.base, rel_tol=1e-12) else k


def threshold_costs(rules: Iterable[Threshold], gpu: str | Profile, *, hardware: HardwareDB | None = None,
                    **overrides: Any) -> list[ThresholdCost]:
    """For each threshold: the cost of its FLOP limit, the chips that reach its FLOP/s limit at peak,
    and the FLOP its dollar limit buys, on `gpu` with its default (or overridden) assumptions."""
    from .calc import budget, cost

    prof = resolve(gpu, hardware)
    out = []
    for t in rules:
        kw: dict[str, Any] = {}
        fl, fs, us = t.limit("flop"), t.limit("flop_per_s"), t.limit("usd")
        if fl is not None:
            r = cost(fl.value, prof, hardware=hardware, **overrides)
            kw.update(chip_hours=r.chip_hours, cost=r.cost, cost_with_overhead=r.cost_with_overhead)
        if fs is not None:
            peak = parse_quantity(overrides["peak"], "flop_rate") if overrides.get("peak") is not None \
                else theoretical_peak(prof)
            kw.update(chips_needed=_chips_to_meet(fs, mag(peak, "FLOP/s")), cluster_peak_per_chip=peak)
        if us is not None:
            kw.update(flop_for_usd=budget(us.value, prof, hardware=hardware, **overrides).flop)
        out.append(ThresholdCost(threshold=t, gpu=prof.id, **kw))
    return out


@dataclass(frozen=True)
class ThresholdCheck:
    """One threshold set against a run."""

    threshold: Threshold
    crossed: bool | None  # None: the run lacks a figure this rule tests (e.g. cluster size)
    ratio: float | None  # run / limit (the smallest over the rule's limits)
    days_to_cross: float | None  # more days at the run's rate to cross (hardware method, not yet crossed)


@dataclass(frozen=True)
class CheckResult:
    """A run's training compute, how it was estimated, and every threshold set against it."""

    flop: pint.Quantity
    method: str  # "flop", "architecture", "hardware" or "both"
    architecture_flop: pint.Quantity | None
    hardware_flop: pint.Quantity | None
    gpu: str
    chips: int | None
    days: pint.Quantity | None
    cluster_peak: pint.Quantity | None
    cost: pint.Quantity
    cost_basis: str
    checks: tuple[ThresholdCheck, ...]

    @property
    def method_ratio(self) -> float | None:
        """Hardware estimate / architecture estimate, when both are given."""
        if self.architecture_flop is None or self.hardware_flop is None:
            return None
        return mag(self.hardware_flop, "FLOP") / mag(self.architecture_flop, "FLOP")


def check(*, flop: Any = None, params: Any = None, tokens: Any = None, active_params: Any = None,
          gpu: str | Profile | None = None, chips: Any = None, days: Any = None, precision: str | None = None,
          peak: Any = None, efficiency: Any = None, price: Any = None, overhead: Any = None,
          rules: Iterable[Threshold] | None = None, hardware: HardwareDB | None = None) -> CheckResult:
    """Estimate a run's training compute and set it against every threshold.

    Give `flop` directly, or `params` and `tokens` (C = 6 N D; `active_params` for mixture-of-experts),
    or `gpu`, `chips` and `days` (chips x peak x efficiency x time), or both of the last two.
    When both methods are given, the larger estimate is checked (the cautious reading).
    """
    from .calc import cost, parse_chips

    rules = load_thresholds() if rules is None else list(rules)
    arch = hw = None
    if (params is None) != (tokens is None) and active_params is None:
        raise InputError("the architecture method needs both params and tokens (C = 6 x params x tokens)")
    if tokens is not None:
        n_raw = active_params if active_params is not None else params
        if n_raw is None:
            raise InputError("the architecture method needs params (or active params) and tokens")
        n = parse_bounded(n_raw, what="active params" if active_params is not None else "params")
        d = parse_bounded(tokens, what="tokens")
        arch = Q_(6.0 * n * d, "FLOP")
    hw_given = [x is not None for x in (chips, days)]
    if any(hw_given) and not all(hw_given):
        raise InputError("the hardware method needs --chips and --days (and --gpu, default h100)")
    prof = resolve(gpu, hardware)
    overrides = {k: v for k, v in dict(precision=precision, peak=peak, efficiency=efficiency, price=price,
                                       overhead=overhead).items() if v is not None}
    unit = cost(Q_(1.0, "FLOP"), prof, hardware=hardware, **overrides)
    n_chips = parse_chips(chips) if chips is not None else None
    t_days = parse_quantity(days, "time", what="days").to("day") if days is not None else None
    cluster = None
    if n_chips is not None:
        hw = (unit.effective_flop_per_s * n_chips * t_days).to("FLOP")
        cluster = ((parse_quantity(peak, "flop_rate") if peak is not None else theoretical_peak(prof))
                   * n_chips).to("FLOP/s")
    direct = parse_quantity(flop, "flop", what="FLOP").to("FLOP") if flop is not None else None
    if direct is not None and (arch is not None or hw is not None):
        raise InputError("give --flop, or an estimation method (params and tokens, or chips and days), not both")
    if direct is not None:
        run, method = direct, "flop"
    elif arch is not None and hw is not None:
        run, method = (arch if arch >= hw else hw), "both"
    elif arch is not None:
        run, method = arch, "architecture"
    elif hw is not None:
        run, method = hw, "hardware"
    else:
        raise InputError("nothing to check: give --flop, or --params and --tokens, or --gpu, --chips and --days")

    if n_chips is not None:
        dollars = (unit.price * n_chips * t_days).to("USD")
        basis = f"{n_chips:,} chips x {mag(t_days, 'day'):g} days x 24 h x ${mag(unit.price, 'USD/hour'):.2f}/h"
    else:
        dollars = (mag(run, "FLOP") * unit.cost).to("USD")
        basis = f"{sci(mag(run, 'FLOP'), 3)} FLOP on {prof.id} at its default assumptions"
    values = {"flop": mag(run, "FLOP"), "usd": mag(dollars, "USD"),
              "flop_per_s": mag(cluster, "FLOP/s") if cluster is not None else None}
    flop_rate = mag(unit.effective_flop_per_s, "FLOP/s") * n_chips * 86400 if n_chips else None
    usd_rate = mag(unit.price, "USD/hour") * n_chips * 24 if n_chips else None
    checks = []
    for t in rules:
        crossed, ratio = _met(t, values)
        more = None
        if crossed is False and flop_rate and method == "hardware":
            more = _days_to_cross(t, values, flop_rate, usd_rate)
        checks.append(ThresholdCheck(threshold=t, crossed=crossed, ratio=ratio, days_to_cross=more))
    return CheckResult(flop=run, method=method, architecture_flop=arch, hardware_flop=hw, gpu=prof.id,
                       chips=n_chips, days=t_days, cluster_peak=cluster, cost=dollars, cost_basis=basis,
                       checks=tuple(checks))


def _days_to_cross(t: Threshold, values: Mapping[str, float | None], flop_per_day: float,
                   usd_per_day: float | None) -> float | None:
    """More days at the run's rate until every limit is met; None if time cannot do it (cluster size)."""
    need = 0.0
    for lim in t.limits:
        x = values.get(lim.kind)
        if lim.met_by(x if x is not None else -1):
            continue
        rate = flop_per_day if lim.kind == "flop" else usd_per_day if lim.kind == "usd" else None
        if not rate:
            return None
        need = max(need, (lim.base - x) / rate)
    return need
