"""One rule set against one run's figures: a verdict, and one sentence that is true of the numbers.

Every command that says whether a rule is crossed (check, plan, budget, report, cost) calls
`judge()`, and every rule row in JSON comes from `RuleVerdict.to_dict()`, so the verdicts, the
reasons and the row fields are the same everywhere.

A compute figure carries the assumption (the point) and, where a chip's efficiency is uncertain,
the 90% evidence interval. The verdict weighs both:

    assumption and whole interval above the line   -> crossed
    assumption and whole interval below the line   -> not crossed
    the interval straddles the line                -> uncertain
    assumption above, whole interval below (or the reverse) -> uncertain

"Above" means the rule's test is met: a figure on the line (within rules.REL_TOL) meets a '>='
rule and not a '>' rule. A rule with several limits (compute AND revenue) is crossed only when
every limit is surely met, not crossed when one surely is not, and otherwise needs an input or is
uncertain.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .fmt import sci, sci_against
from .rules import BINDING_STATUSES, Limit, Threshold

__all__ = [
    "NEW_PROVIDER_RULE",
    "VERDICTS",
    "Measure",
    "Modification",
    "RuleVerdict",
    "RunFigures",
    "judge",
    "judge_all",
    "ratio_text",
]

VERDICTS = ("crossed", "not crossed", "uncertain", "needs revenue", "needs cluster size", "needs base compute",
            "not applicable")
# The EU guidelines' test of whether a downstream modifier becomes the provider of a new GPAI model.
NEW_PROVIDER_RULE = "eu-gpai-downstream-modification"
_NEEDS = {"flop_per_s": "needs cluster size", "revenue_usd": "needs revenue"}


@dataclass(frozen=True)
class Measure:
    """One figure a rule may test: the assumption's point, and the evidence's 90% interval and centre if any."""

    point: float
    low: float | None = None
    high: float | None = None
    centre: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Modification:
    """A fine-tuning or other downstream modification, and the model it modifies."""

    flop: float  # the modification's own compute
    base_flop: float | None  # the original model's training compute (None: unknown)
    formula: str

    @property
    def cumulative_flop(self) -> float | None:
        return None if self.base_flop is None else self.base_flop + self.flop


@dataclass(frozen=True)
class RunFigures:
    """What a run offers the rules: compute, the final run's compute cost, cluster peak, revenue, a modification."""

    flop: Measure | None
    usd: Measure | None = None  # the final run's compute cost at the price on the date (never with overhead)
    cluster_flop_per_s: float | None = None
    revenue_usd: float | None = None
    modification: Modification | None = None
    new_provider: bool | None = None  # for a modification: does the modifier become a new model's provider?
    flop_per_day: float | None = None  # the cluster's pace, for "more days to cross"
    usd_per_day: float | None = None


@dataclass(frozen=True)
class RuleVerdict:
    """One rule against a run on a date: the verdict, why, and the figures behind it."""

    threshold: Threshold
    verdict: str
    reason: str
    status_on_date: str
    binding: bool  # in force on the date (or listed as binding by --all / --status)
    upcoming: bool  # enacted, not yet in force on the date
    crossed: bool | None  # the assumption's point alone (None: the run lacks a figure the rule tests)
    ratio: float | None  # compute tested / the compute line (FLOP for FLOP; None for a rule without one)
    revenue_ratio: float | None = None
    usd_ratio: float | None = None
    cluster_ratio: float | None = None
    days_to_cross: float | None = None
    sees: str = "run"  # which compute the rule sees: run, cumulative, modification
    value: float | None = None  # the FLOP figure tested

    @property
    def confidence(self) -> str:
        return self.threshold.confidence

    def to_dict(self) -> dict[str, Any]:
        """One row of `rules` in check, plan, budget and report JSON (FLOP, USD, days)."""
        t = self.threshold
        sig_figs = t.counting.get("significant_figures") if t.counting else None
        return {
            "id": t.id, "name": t.name, "jurisdiction": t.jurisdiction, "status": t.current_status or t.status,
            "status_on_date": self.status_on_date, "binding": self.binding, "upcoming": self.upcoming,
            "effective_from": t.effective_from.isoformat() if t.effective_from else None,
            "confidence": t.confidence, "verdict": self.verdict, "reason": self.reason, "crossed": self.crossed,
            "limit": t.describe_limits(), "kind": t.kind, "scope": t.scope, "sees": self.sees,
            "value_tested": self.value, "cumulative": t.cumulative, "ratio": self.ratio,
            "revenue_ratio": self.revenue_ratio, "usd_ratio": self.usd_ratio, "cluster_ratio": self.cluster_ratio,
            "days_to_cross": self.days_to_cross,
            "notification_flop": float(f"{self.value:.{sig_figs - 1}e}") if sig_figs and self.value else None,
        }


def ratio_text(x: float | None) -> str:
    """A ratio with the digits its side of 1 needs: never '1' for 1.0000001 or 0.9999999."""
    if x is None:
        return ""
    if x >= 1000:
        return f"{x:,.0f}"
    for d in range(3, 18):
        text = f"{x:.{d}g}"
        shown = float(text)
        if (shown > 1) == (x > 1) and (shown == 1) == (x == 1):
            return text
    return repr(x)


def _side(lim: Limit, x: float, line: float) -> str:
    if lim.at_line(x, line):
        return "on"
    return "above" if x > line else "below"


def _where(lim: Limit, x: float, line: float, shown_line: str) -> str:
    """Where x stands against the line, in words true to the rule's test ('on the line' is not 'above')."""
    side = _side(lim, x, line)
    if side == "on":
        return (f"on the line ({shown_line}), which {'meets' if lim.comparison == '>=' else 'does not meet'} a "
                f"'{lim.comparison}' test")
    return f"{side} the line ({shown_line})"


def _fig(x: float, line: float) -> str:
    return sci_against(x, [line])


def _usd(x: float, line: float) -> str:
    """Dollars in millions with the digits that keep x on its side of the line ($70.2M, $100M)."""
    for d in range(3, 18):
        text = f"{x / 1e6:.{d}g}"
        shown = float(text) * 1e6
        if (shown > line) == (x > line) and (shown == line) == (x == line):
            return f"${text}M"
    return f"${x:,.2f}"


def _compute_sentence(lim: Limit, m: Measure, line: float, what: str) -> tuple[str, str]:
    """The state of one compute (or dollar) limit and a sentence true of the numbers."""
    unit = "FLOP" if lim.kind in ("flop", "relative") else "USD"

    def val(x: float) -> str:
        return f"{_fig(x, line)} FLOP" if unit == "FLOP" else _usd(x, line)

    shown_line = val(line)

    def where(x: float) -> str:
        return _where(lim, x, line, f"{lim.comparison} {shown_line}")

    a = lim.met_by(m.point, line)
    if not m.has_interval:
        return ("yes" if a else "no"), f"{what} {val(m.point)} is {where(m.point)}"
    assert m.low is not None and m.high is not None
    lo, hi = lim.met_by(m.low, line), lim.met_by(m.high, line)
    iv = f"the 90% evidence interval ({val(m.low)} to {val(m.high)})"
    if a and lo:
        return "yes", f"the assumption ({val(m.point)}) and {iv} are all above the line ({lim.comparison} {shown_line})"
    if not a and not hi:
        return "no", f"the assumption ({val(m.point)}) and {iv} are all below the line ({lim.comparison} {shown_line})"
    if hi and not lo:
        return "mixed", (f"{iv} straddles the line ({lim.comparison} {shown_line}); the assumption ({val(m.point)}) " \
                        f"is {where(m.point)}")
    if a:  # the assumption crosses, the whole interval lies below
        return "mixed", (f"the assumption ({val(m.point)}) crosses the line ({lim.comparison} {shown_line}) but " \
                        f"{iv} lies wholly below it")
    return "mixed", f"the assumption ({val(m.point)}) is {where(m.point)} but {iv} lies wholly above it"


def _verdict(states: list[str]) -> str:
    if "no" in states:
        return "not crossed"
    for need in ("needs revenue", "needs cluster size", "needs base compute", "not applicable"):
        if need in states:
            return need
    return "crossed" if all(s == "yes" for s in states) else "uncertain"


def judge(t: Threshold, figs: RunFigures, day: _dt.date, *, binding: bool | None = None) -> RuleVerdict:
    """Set one rule against a run's figures as the rule stood on `day`."""
    status = t.status_on(day)
    upcoming = t.upcoming_on(day)
    is_binding = status in BINDING_STATUSES if binding is None else binding
    mod = figs.modification
    states: list[str] = []
    parts: list[tuple[str, str]] = []  # (state, sentence)
    point_met: list[bool] = []
    ratio = revenue_ratio = usd_ratio = cluster_ratio = None
    sees, tested = "run", None
    for lim in t.limits:
        if lim.kind == "relative":
            if mod is None:
                parts.append(("not applicable", "applies only to a modification of an existing model"))
                continue
            sees, tested = "modification", mod.flop
            line = lim.base if mod.base_flop is None else float(lim.fraction or 1) * mod.base_flop
            how = ("the fallback" if mod.base_flop is None else
                   f"{lim.fraction.numerator}/{lim.fraction.denominator} of the original's {sci(mod.base_flop, 3)}"
                   if lim.fraction is not None else "the line")
            st, text = _compute_sentence(lim, Measure(mod.flop), line, f"the modification's {how}: its")
            parts.append((st, text))
            point_met.append(lim.met_by(mod.flop, line))
            ratio = mod.flop / line
            continue
        if lim.kind == "flop":
            if mod is not None and t.cumulative:
                sees = "cumulative"
                if figs.new_provider is False:
                    parts.append(("not applicable",
                                  "the modifier does not become the provider of a new model, so the original "
                                  "model's cumulative compute"
                                  + (f" ({sci(mod.cumulative_flop, 3)} FLOP)" if mod.cumulative_flop else "")
                                  + " is the original provider's, shown as context"))
                    continue
                if mod.cumulative_flop is None:
                    parts.append(("needs base compute", "needs the original model's compute (give the base FLOP)"))
                    continue
                m, what = Measure(mod.cumulative_flop), "cumulative compute (original plus modification)"
            elif mod is not None:
                m, what, sees = Measure(mod.flop), "the modification's compute", "modification"
            elif figs.flop is None:
                parts.append(("not applicable", "the run has no compute figure"))
                continue
            else:
                m, what = figs.flop, "compute"
            tested = m.point
            st, text = _compute_sentence(lim, m, lim.base, what)
            parts.append((st, text))
            point_met.append(lim.met_by(m.point))
            ratio = m.point / lim.base
        elif lim.kind == "usd":
            if figs.usd is None:
                parts.append(("not applicable", "the run has no cost figure"))
                continue
            st, text = _compute_sentence(lim, figs.usd, lim.base, "the final run's compute cost")
            parts.append((st, text))
            point_met.append(lim.met_by(figs.usd.point))
            usd_ratio = figs.usd.point / lim.base
        else:  # a figure given exactly: the cluster's peak (flop_per_s) or the developer's revenue
            cluster = lim.kind == "flop_per_s"
            x = figs.cluster_flop_per_s if cluster else figs.revenue_usd
            if x is None:
                parts.append(("needs cluster size", "needs the cluster's size (give chips)") if cluster else
                             ("needs revenue", "needs the developer's annual revenue"))
                continue
            shown = f"the cluster's peak {sci_against(x, [lim.base])} FLOP/s" if cluster else \
                f"revenue {_usd(x, lim.base)}"
            met = lim.met_by(x)
            parts.append(("yes" if met else "no", f"{shown} is {_where(lim, x, lim.base, lim.describe())}"))
            point_met.append(met)
            if cluster:
                cluster_ratio = x / lim.base
            else:
                revenue_ratio = x / lim.base
    states = [s for s, _ in parts]
    verdict = _verdict(states)
    reason = _reason(verdict, parts)
    crossed: bool | None = True
    if not all(point_met):
        crossed = False
    elif len(point_met) < len(t.limits):
        crossed = None
    more = None
    if verdict != "crossed" and mod is None and figs.flop_per_day and figs.flop is not None:
        more = _days_to_cross(t, figs)
    return RuleVerdict(threshold=t, verdict=verdict, reason=reason, status_on_date=status, binding=is_binding,
                       upcoming=upcoming, crossed=crossed, ratio=ratio, revenue_ratio=revenue_ratio,
                       usd_ratio=usd_ratio, cluster_ratio=cluster_ratio, days_to_cross=more, sees=sees,
                       value=tested)


def _reason(verdict: str, parts: list[tuple[str, str]]) -> str:
    if verdict == "not crossed":
        chosen = [text for s, text in parts if s == "no"][:1]
    elif verdict == "crossed":
        chosen = [text for _, text in parts]
    elif verdict == "uncertain":
        chosen = [text for s, text in parts if s == "mixed"]
    else:
        chosen = [text for s, text in parts if s == verdict]
    text = "; ".join(chosen)
    return text[:1].upper() + text[1:] if text else verdict


def _days_to_cross(t: Threshold, figs: RunFigures) -> float | None:
    """More days at the cluster's pace until the assumption and the whole evidence interval meet every compute and
    cost limit (None if time cannot: cluster size, revenue)."""
    assert figs.flop is not None and figs.flop_per_day
    need = 0.0
    for lim in t.limits:
        if lim.kind == "flop":
            m = figs.flop
            pairs = [(m.point, figs.flop_per_day)]
            if m.low is not None and m.point > 0:  # the interval's low end grows in proportion
                pairs.append((m.low, figs.flop_per_day * m.low / m.point))
        elif lim.kind == "usd" and figs.usd is not None and figs.usd_per_day:
            pairs = [(figs.usd.point, figs.usd_per_day)]
        elif (lim.kind == "revenue_usd" and figs.revenue_usd is not None and lim.met_by(figs.revenue_usd)) or (
                lim.kind == "flop_per_s" and figs.cluster_flop_per_s is not None
                and lim.met_by(figs.cluster_flop_per_s)):
            continue
        else:
            return None
        for x, rate in pairs:
            if lim.met_by(x) or rate <= 0:
                continue
            days = max((lim.base - x) / rate, 0.0)
            step = max(abs(lim.base) * 1e-12, 1.0) / rate
            while not lim.met_by(x + days * rate):  # on a '>' line: the smallest step past it
                days += step
                step *= 2
            need = max(need, days)
    return need


def judge_all(rules: Iterable[Threshold], figs: RunFigures, day: _dt.date, *, statuses: Iterable[str] = (),
              include_all: bool = False) -> list[RuleVerdict]:
    """Each rule present on `day` (only those with a status in `statuses`, if given), judged.

    A rule is binding when in force on the date; with `include_all` or `statuses`, every listed rule is.
    """
    wanted = set(statuses)
    out = []
    for t in rules:
        status = t.status_on(day)
        if status == "absent" or (wanted and status not in wanted):
            continue
        out.append(judge(t, figs, day, binding=True if include_all or wanted else None))
    return out
