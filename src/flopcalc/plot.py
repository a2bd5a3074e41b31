"""Charts of what compute thresholds cost (needs matplotlib: pip install 'flopcalc[plot]').

- plot_costs: training cost against FLOP (log-log). Per chip, the evidence (what known runs imply:
  solid line, its 90% interval as a band) and the assumption (profile efficiency x price: dashed),
  with lines at the figures of the rules that apply.
- plot_bars: one FLOP figure, one bar per chip on one basis (precision class, price tier): the
  evidence cost with its 90% interval as error bars, the assumption as a marker, sorted by cost.
- plot_trend: the cost of reaching FLOP figures over the years (flopcalc.trends), observed solid,
  projected dashed with its band.

The format comes from the output file's suffix (.png, .svg, .pdf). Every chart carries a stamp
(flopcalc's version, the dates of the data, the basis) and the files are deterministic: no dates
or library versions in their metadata, fixed SVG ids. matplotlib is imported only when a chart
is drawn, and pyplot never (no global state is touched).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .errors import InputError, MissingExtraError, OutputError
from .errors import install_hint as _install_hint
from .text import clean

if TYPE_CHECKING:  # pragma: no cover
    from .estimate import CostResult
    from .hardware import HardwareDB, Profile
    from .rules import Threshold

__all__ = ["plot_costs", "plot_bars", "plot_trend", "select_rules", "RuleSelection", "install_hint", "usd_label",
           "output_path", "FORMATS", "KINDS", "DEFAULT_PRECISION", "DEFAULT_PRICE_TIER", "DEFAULT_COST_GPUS",
           "DEFAULT_BAR_GPUS"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
KINDS = ("cost", "bars", "trend")
DEFAULT_PRECISION = "bf16"
DEFAULT_PRICE_TIER = "neocloud-on-demand"
DEFAULT_COST_GPUS = ("h100", "a100")
# Current chips from each maker, plus the A100 as the reference most known runs used.
DEFAULT_BAR_GPUS = ("a100", "h100", "h200", "b200", "gb200", "mi300x", "mi355x", "gaudi3", "tpu-v6e", "tpu-v7",
                    "trainium2")
_SAME_CLASS = {"bf16": ("bf16", "fp16"), "fp16": ("fp16", "bf16"), "fp8": ("fp8",), "tf32": ("tf32", "fp32"),
               "fp32": ("fp32", "tf32")}
_RULE_BINDING = "0.15"
_RULE_OTHER = "0.5"
_EVIDENCE_ALPHA = 0.16


# ------------------------------------------------------------------ matplotlib, files

def install_hint() -> str:
    """The command that installs matplotlib for this installation of flopcalc (see errors.install_hint)."""
    return _install_hint("plot", "matplotlib")


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        raise MissingExtraError(f"plotting needs matplotlib: {install_hint()}") from None
    return matplotlib


def output_path(out: Path | str) -> tuple[Path, str]:
    """The output file and its format from its suffix (.png, .svg, .pdf); any other suffix is an InputError."""
    path = Path(out)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = clean(str(out))[:60]
        raise InputError(f"output file {shown!r} must end in .png, .svg or .pdf (the suffix sets the format)")
    return path, fmt


def _rc() -> dict[str, Any]:
    return {"svg.hashsalt": "flopcalc", "svg.fonttype": "path", "pdf.fonttype": 42, "font.size": 9,
            "axes.titlesize": 11, "path.simplify": True}


def _save(fig: Any, out: Path, fmt: str) -> Path:
    """Render to memory first (a failed render leaves no partial file), then write; missing folders are made."""
    from . import __version__

    creator = f"flopcalc {__version__}"
    meta = {"png": {"Software": creator},
            "svg": {"Date": None, "Creator": creator},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": creator, "Producer": creator}}[fmt]
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata=meta)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(buf.getvalue())
    except OSError as e:
        raise OutputError(f"cannot write {clean(str(out))[:80]!r}: {e.strerror or e}") from None
    return out


def _t(text: object) -> str:
    """Text for a chart: clean lines, and '$' shown as a dollar sign (never read as mathtext)."""
    return "\n".join(clean(line) for line in str(text).split("\n")).replace("$", r"\$")


def usd_label(v: float) -> str:
    """A dollar tick: 1e6 -> '$1M', 1e8 -> '$100M', 1e10 -> '$10B', 2.5e8 -> '$250M', 0 -> '$0'."""
    if v == 0 or not math.isfinite(v):
        return "$0"
    if abs(v) >= 1e15 * (1 - 1e-9) or abs(v) < 0.01:
        from .fmt import sci

        return f"${sci(v)}"
    for step, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= step * (1 - 1e-9):
            return f"${v / step:.3g}{suffix}"
    return f"${v:.3g}"


def _dollar_axis(ax: Any, *, log: bool) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    if log:
        lo, hi = ax.get_ylim()
        decades = math.log10(hi / lo)
        subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0, 3.0) if decades <= 4.5 else (1.0,)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=30))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _t(usd_label(v))))


# ------------------------------------------------------------------ which rules

@dataclass(frozen=True)
class RuleSelection:
    """The rules a chart draws, as they stood on `day`, and the scoped ones it leaves out."""

    drawn: tuple[Threshold, ...]
    scoped: tuple[Threshold, ...]  # have the statuses asked for, but apply only to a kind of model or developer
    day: _dt.date
    statuses: tuple[str, ...]
    default_statuses: bool

    def describe(self) -> str:
        which = "in force" if self.default_statuses else "with status " + ", ".join(self.statuses)
        return f"rules {which} on {self.day.isoformat()}"


def select_rules(rules: Iterable[Threshold] | None = None, *, as_of: _dt.date | str | None = None,
                 statuses: Iterable[str] = (), include_scoped: bool = False) -> RuleSelection:
    """The rules to draw: by default those binding (in force) today, without scoped ones.

    `statuses` picks other statuses (on `as_of`, default today). A rule with a `scope` applies only
    to that kind of model (e.g. biological-sequence models), not to all models, and is left out
    unless `include_scoped`.
    """
    from .inputs import parse_date
    from .rules import BINDING_STATUSES, load_thresholds, thresholds

    day = parse_date(as_of, what="as-of date") if as_of is not None else _dt.date.today()
    if isinstance(statuses, str):
        statuses = [statuses]
    wanted = tuple(dict.fromkeys(str(s).lower() for s in statuses))
    rules = load_thresholds() if rules is None else list(rules)
    dated = thresholds(rules, as_of=day, status=wanted or BINDING_STATUSES)
    scoped = tuple(t for t in dated if t.scope)
    drawn = tuple(t for t in dated if include_scoped or not t.scope)
    return RuleSelection(drawn=drawn, scoped=() if include_scoped else scoped, day=day,
                         statuses=wanted or tuple(BINDING_STATUSES), default_statuses=not wanted)


def _binding(t: Threshold) -> bool:
    from .rules import BINDING_STATUSES

    return t.status in BINDING_STATUSES


def _short(t: Threshold) -> str:
    return t.name.split(":")[0].strip()


@dataclass
class _Mark:
    """One line on a chart: a FLOP or dollar figure and the rules (with any further condition) set there."""

    value: float
    rules: list[tuple[Threshold, str]]

    @property
    def binding(self) -> bool:
        return any(_binding(t) for t, _ in self.rules)

    @property
    def scoped(self) -> bool:
        """Every rule here applies only to a kind of model or developer: the line is dotted."""
        return all(t.scope for t, _ in self.rules)

    @property
    def style(self) -> tuple[str, Any]:
        colour = _RULE_BINDING if self.binding else _RULE_OTHER
        return colour, (0, (1, 2)) if self.scoped else "-" if self.binding else (0, (5, 3))


def _names(mark: _Mark, *, limit: int = 6) -> list[str]:
    """The rules at a mark, binding first, the others grouped by status: ['A, B', 'proposed: C, D']."""
    groups: dict[str, list[str]] = {}
    order = sorted(mark.rules, key=lambda r: (not _binding(r[0]), "" if _binding(r[0]) else r[0].status,
                                              _short(r[0]), r[0].id))
    shown = 0
    hidden = 0
    for t, cond in order:
        name = _short(t) + (f" (only {_scope(t.scope)})" if t.scope else "") + (f" ({cond})" if cond else "")
        key = "" if _binding(t) else t.status
        if name in groups.get(key, []):
            continue
        if shown >= limit:
            hidden += 1
            continue
        groups.setdefault(key, []).append(name)
        shown += 1
    out = [(f"{k}: " if k else "") + ", ".join(v) for k, v in groups.items()]
    if hidden:
        out[-1] += f", +{hidden} more"
    return out


def _test_kind(t: Threshold) -> str:
    """'flop' (a FLOP or relative test), 'usd' (training-cost tests only) or 'other' (revenue, cluster size)."""
    if t.limit("flop") is not None or t.limit("relative") is not None:
        return "flop"
    if all(lim.kind == "usd" for lim in t.limits):
        return "usd"
    return "other"


def _condition(t: Threshold) -> str:
    """What a FLOP rule tests besides FLOP: 'and > $100M' (or a relative limit's fallback)."""
    from .fmt import money_sig

    fl = t.limit("flop") or t.limit("relative")
    extra = []
    if fl is not None and fl.kind == "relative" and fl.fraction is not None:
        extra.append(f"{fl.fraction.numerator}/{fl.fraction.denominator} of the original; fallback")
    for lim in t.limits:
        if lim.kind == "usd":
            extra.append(f"and {lim.comparison} {money_sig(lim.base)}")
        elif lim.kind not in ("flop", "relative"):
            extra.append(f"and {lim.describe()}")
    return ", ".join(extra)


@dataclass
class _Marks:
    x: dict[float, _Mark]
    y: dict[float, _Mark]
    notes: list[str]


def _rule_marks(sel: RuleSelection, *, run_cost_axis: bool, x_range: tuple[float, float],
                amortized_axis: bool = False) -> _Marks:
    """Lines at FLOP tests (x) and, when the y axis is the run's cost, at dollar tests (y); notes on what is left
    out and why (`amortized_axis`: the y axis is the amortized cost, which no dollar test measures)."""
    marks = _Marks({}, {}, [])
    lo, hi = x_range
    left: dict[str, list[str]] = {"scoped": [], "cost": [], "outside": [], "other": []}
    for t in sel.drawn:
        kind = _test_kind(t)
        if kind == "flop":
            fl = t.limit("flop") or t.limit("relative")
            assert fl is not None
            if not lo * (1 - 1e-9) <= fl.base <= hi * (1 + 1e-9):
                left["outside"].append(t.id)
                continue
            marks.x.setdefault(fl.base, _Mark(fl.base, [])).rules.append((t, _condition(t)))
        elif kind == "usd" and run_cost_axis:
            top = max(lim.base for lim in t.limits)
            marks.y.setdefault(top, _Mark(top, [])).rules.append((t, ""))
        else:
            left["cost" if kind == "usd" else "other"].append(t.id)
    for t in sel.scoped:
        kind = _test_kind(t)
        fl = t.limit("flop") or t.limit("relative")
        if kind == "flop" and fl is not None and lo * (1 - 1e-9) <= fl.base <= hi * (1 + 1e-9):
            left["scoped"].append(t.id)
        elif kind == "usd" and run_cost_axis:
            left["scoped"].append(t.id)
    if left["scoped"]:
        marks.notes.append("Not drawn: rules that apply only to a kind of model or developer "
                           f"({_ids(left['scoped'])}); --include-scoped draws them.")
    if left["cost"] and amortized_axis:
        marks.notes.append(f"Not drawn: training-cost tests ({_ids(left['cost'])}); they test the cost at market "
                           "prices (rental), not the amortized cost on this axis: --basis all draws both.")
    elif left["cost"]:
        marks.notes.append(f"Not drawn: training-cost tests ({_ids(left['cost'])}); they test the final run's cost, "
                           "and this y axis includes overhead: --no-overhead draws them.")
    if left["outside"] and lo < hi:
        marks.notes.append(f"Outside the FLOP range drawn: {_ids(left['outside'])}.")
    if left["other"] and lo < hi:
        marks.notes.append(f"Not drawn, tests of revenue or cluster size: {_ids(left['other'])}.")
    return marks


def _ids(ids: Sequence[str], limit: int = 6) -> str:
    ids = list(dict.fromkeys(ids))
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# ------------------------------------------------------------------ one basis for every chip

@dataclass(frozen=True)
class _Basis:
    precision: str | None
    price_tier: str | None
    with_overhead: bool
    assumptions: dict[str, Any]


def _precision_for(prof: Profile, want: str | None, efficiency_given: bool) -> tuple[str, str | None]:
    """The precision to use on `prof`: `want`, else one of its class, else the chip's default (with a note)."""
    if want is None:
        return prof.default_precision, None
    want = want.strip().lower()
    for p in _SAME_CLASS.get(want, (want,)):
        if p in prof.peak and (efficiency_given or p in prof.efficiency):
            return p, None if p == want else f"{p} (no {want} figures)"
    return prof.default_precision, f"{prof.default_precision} (no {want}-class figures)"


def _estimate(gpus: Sequence[str | Profile], flops: Sequence[float], basis: _Basis, hardware: HardwareDB | None,
              *, skip_unknown: bool) -> tuple[list[tuple[Profile, list[CostResult]]], list[tuple[str, str]]]:
    from .errors import UnknownNameError
    from .estimate import cost
    from .hardware import resolve

    out = []
    notes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for g in gpus:
        try:
            prof = resolve(g, hardware)
        except UnknownNameError:
            if skip_unknown:
                continue
            raise
        if prof.id in seen:
            continue
        seen.add(prof.id)
        prec, note = _precision_for(prof, basis.precision, "efficiency" in basis.assumptions)
        if note:
            notes.append((prof.id, note))
        rows = [cost(f, prof, precision=prec, price_tier=basis.price_tier, hardware=hardware, **basis.assumptions)
                for f in flops]
        r = rows[0]
        if r.price_tier_fallback:
            notes.append((prof.id, f"{r.price_tier or 'untiered'} price (no {basis.price_tier} price)"))
        if r.price_is_estimate:
            notes.append((prof.id, "estimated price: no public per-hour quote"))
        ev = r.evidence
        if ev is None or ev.cost is None:
            notes.append((prof.id, "no evidence interval, assumption only"))
        elif ev.basis == "class":
            notes.append((prof.id, "class evidence: no known runs on its generation yet"))
        elif ev.basis != "runs":
            notes.append((prof.id, "its band is the cited MFU range, not evidence from runs"))
        out.append((prof, rows))
    if not out:
        raise InputError("no chip to draw: give one with --gpu (see 'flopcalc hardware')")
    return out, notes


def _grouped(notes: Sequence[tuple[str, str]]) -> str:
    """('tpu-v6e', 'x'), ('tpu-v7', 'x') -> 'tpu-v6e, tpu-v7: x'."""
    by_text: dict[str, list[str]] = {}
    for chip, text in notes:
        by_text.setdefault(text, [])
        if chip not in by_text[text]:
            by_text[text].append(chip)
    return "; ".join(f"{', '.join(chips)}: {text}" for text, chips in by_text.items())


def _y(r: CostResult, with_overhead: bool) -> tuple[float, float | None, float | None, float | None]:
    """Assumption cost, and the evidence centre, low and high (None without evidence), in USD."""
    from .units import mag

    ev = r.evidence
    if with_overhead:
        a = mag(r.cost_with_overhead, "USD")
        e = (ev.cost_with_overhead, ev.cost_with_overhead_low, ev.cost_with_overhead_high) if ev else (None,) * 3
    else:
        a = mag(r.cost, "USD")
        e = (ev.cost, ev.cost_low, ev.cost_high) if ev else (None,) * 3
    vals = tuple(None if q is None else mag(q, "USD") for q in e)
    return (a, *vals)  # type: ignore[return-value]


# ------------------------------------------------------------------ which dollars (rental, amortized; nominal or one month's)

DOLLAR_BASES = ("rental", "amortized", "all")  # acquisition has no place on a chart of one run's cost
_RENTAL_COLOUR = "#5b7fa8"
_AMORTIZED_COLOUR = "#6a9f58"


def _dollar_basis(basis: Any, kind: str) -> str:
    """'rental', 'amortized' or 'all' for a chart of `kind`; anything else (acquisition above all) is refused."""
    s = basis.strip().lower() if isinstance(basis, str) else None
    if s == "acquisition":
        raise InputError(f"--basis acquisition cannot be charted by --kind {kind}: a chart of one run's cost has no "
                         "cluster to buy; flopcalc cost FLOP --basis acquisition gives it")
    if s not in DOLLAR_BASES:
        shown = repr(basis) if isinstance(basis, str) else str(basis)
        raise InputError(f"basis {shown[:40]} is not a chart basis: expected one of {', '.join(DOLLAR_BASES)}")
    return s


def _month(dollars: Any) -> str | None:
    if dollars is None:
        return None
    from .bases import parse_dollars

    return parse_dollars(dollars)


def _dollars_inputs(b: str, dollars: Any, start: Any, with_overhead: bool | None,
                    assumptions: Mapping[str, Any]) -> tuple[str | None, Any, bool]:
    """The month of the dollars, the training start and whether overhead is drawn, checked for the basis."""
    month = _month(dollars)
    start_d = None
    if start is not None:
        from .bases import parse_start

        start_d = parse_start(start)
    overhead = _overhead_for(b, with_overhead)
    if b != "rental" and "overhead" in assumptions:
        _overhead_for(b, True)
    return month, start_d, overhead


def _overhead_for(basis: str, with_overhead: bool | None) -> bool:
    """Rental charts carry overhead unless told not to; amortized is the final run's cost (Epoch AI's), so a chart
    with it (amortized or all) is of the final run, for every basis drawn."""
    if basis == "rental":
        return True if with_overhead is None else bool(with_overhead)
    if with_overhead:
        raise InputError(f"--basis {basis} charts the final run only (the amortized cost is the final run's, as Epoch "
                         "AI publishes it): overhead applies to rental charts alone")
    return False


def _nominal_label(results: Sequence[CostResult], basis: str, start: str | None) -> str:
    """'nominal USD (rental at each chip's price date, 2024 to 2026-11; amortized at 2026-12 prices, the start)'."""
    from .bases import price_month

    parts = []
    if basis in ("rental", "all"):
        months = sorted({price_month(r) for r in results})
        parts.append(f"rental at {months[0]} prices" if len(months) == 1 else
                     f"rental at each chip's price date, {months[0]} to {months[-1]}")
    if basis in ("amortized", "all") and start:
        parts.append(f"amortized at {start[:7]} prices, the training start")
    return f"nominal USD ({'; '.join(parts)})"


def _short_dollars(label: str) -> str:
    """The stamp's few words: '2026-01 USD (PPI PCU518210518210)' or 'nominal USD'."""
    return label if not label.startswith("nominal") else "nominal USD"


def _usd_unit(label: str) -> str:
    """The unit on a cost axis: 'USD' (nominal) or '2026-01 USD'."""
    return "USD" if label.startswith("nominal") else label.split(" (")[0]


Figures = tuple[float, "float | None", "float | None", "float | None"]


@dataclass(frozen=True)
class ChipBar:
    """One chip's figures on a bar chart (USD, in the chart's dollars): on each basis drawn, the assumption and the
    evidence centre, low and high (None without evidence). `amortized` is None on a rental chart.

    Amortized, as flopcalc.bases.bases_of gives it: `amortized[0]` is its `amortized` (the assumption's
    chip-hours) and `amortized[2:]` its `amortized_low`/`_high` (the evidence chip-hours interval and the
    depreciation band and server price range); `amortized[1]`, the bar, is the cost at the evidence's centre
    chip-hours (amortized is proportional to chip-hours: hardware, interconnect and energy all are).
    """

    gpu: str
    precision: str
    rental: Figures
    amortized: Figures | None
    result: CostResult  # the rental result, in the chart's dollars
    evidence_basis: str | None  # "runs", "class" or "cited"; None without evidence
    server_price_usd: float | None = None  # nominal, per chip, at server_price_date (amortized only)
    server_price_date: str | None = None
    server_price_estimate: bool = False

    def figures(self, basis: str) -> Figures:
        """The figures of 'rental' or 'amortized'."""
        out = self.rental if basis == "rental" else self.amortized
        assert out is not None
        return out

    def key(self, basis: str) -> float:
        """What the bars are sorted by: the evidence centre (else the assumption) of `basis`."""
        a, e, _, _ = self.figures(basis)
        return e if e is not None else a


@dataclass(frozen=True)
class BarsData:
    """What a bar chart draws: one ChipBar per chip, sorted as drawn, and the basis and dollars they are in."""

    flop: float
    basis: str  # rental, amortized or all
    bars: tuple[ChipBar, ...]
    dollars: str  # e.g. "2026-01 USD (PPI PCU518210518210)" or "nominal USD (rental at ...)"
    dollars_month: str | None
    start: str | None  # the training start amortized is taken from (None on a rental chart)
    with_overhead: bool
    notes: tuple[tuple[str, str], ...]  # (chip, what departs from the basis)
    amortized_notes: tuple[str, ...] = ()


def _amortized_figures(b: Any, r: CostResult) -> Figures:
    """(assumption, evidence centre, low, high) of amortized from a BasesResult (see ChipBar)."""
    from .units import mag

    c = b.costs
    a = mag(c.amortized, "USD")
    ev = r.evidence
    if ev is None or ev.chip_hours is None or ev.cost is None:
        return a, None, None, None
    e = a * mag(ev.chip_hours, "hour") / mag(r.chip_hours, "hour")
    return a, e, mag(c.amortized_low, "USD"), mag(c.amortized_high, "USD")


def bars_data(flop: Any, gpus: Sequence[str | Profile] | None = None, *, basis: str = "rental", dollars: Any = None,
              start: Any = None, with_overhead: bool | None = None, precision: str | None = DEFAULT_PRECISION,
              price_tier: str | None = DEFAULT_PRICE_TIER, hardware: HardwareDB | None = None,
              **assumptions: Any) -> BarsData:
    """The figures plot_bars draws for `flop`, chip by chip, without matplotlib.

    basis: 'rental' (chip-hours at a market price), 'amortized' (what the run costs the chips' owner, Epoch
    AI's method, flopcalc.bases) or 'all' (both, side by side). dollars: 'YYYY-MM' states every dollar in
    that month's dollars by the PPI (default nominal, and `dollars` says at which dates). start: the
    training start amortized depreciates to (default today). A chart with amortized is of the final run
    (no overhead); a rental one carries overhead unless with_overhead=False.
    """
    from .errors import FlopcalcError
    from .units import mag, parse_quantity

    f = mag(parse_quantity(flop, "flop", what="FLOP"), "FLOP")
    b = _dollar_basis(basis, "bars")
    month, start_d, overhead = _dollars_inputs(b, dollars, start, with_overhead, assumptions)
    chips, notes = _estimate(gpus or DEFAULT_BAR_GPUS, [f], _Basis(precision, price_tier, overhead, dict(assumptions)),
                             hardware, skip_unknown=gpus is None)
    bars: list[ChipBar] = []
    labels: list[str] = []
    starts: list[str] = []
    amortized_notes: list[str] = []
    for prof, (r,) in chips:
        if b == "rental" and month is None:
            bars.append(ChipBar(prof.id, r.precision, _y(r, overhead), None, r,
                                r.evidence.basis if r.evidence is not None else None))
            continue
        from .bases import bases_of

        try:
            res = bases_of(r, basis="rental" if b == "rental" else "amortized", start=start_d, dollars=month)
        except FlopcalcError as e:
            if gpus is not None:
                raise InputError(f"{prof.id}: {e}") from None
            notes.append((prof.id, f"left out: {e}"))
            continue
        rr = res.rental
        ev_basis = rr.evidence.basis if rr.evidence is not None else None
        labels.append(res.dollars)
        if res.costs is None:
            bars.append(ChipBar(prof.id, rr.precision, _y(rr, overhead), None, rr, ev_basis))
            continue
        c = res.costs
        starts.append(c.start)
        amortized_notes += [n for n in c.notes if not n.startswith("the server price of")]
        bars.append(ChipBar(prof.id, rr.precision, _y(rr, overhead), _amortized_figures(res, r), rr, ev_basis,
                            server_price_usd=mag(c.server_price, "USD"), server_price_date=c.server_price_date,
                            server_price_estimate=c.server_price_estimate))
        if c.server_price_estimate:
            notes.append((prof.id, ("estimated server price (no public listing; flopcalc cost --basis amortized "
                                    "--explain gives its basis)")))
    if not bars:
        raise InputError("no chip to draw on this basis: give one with --gpu (see 'flopcalc hardware')")
    if b == "amortized":  # no rental price is drawn: its exceptions do not apply
        notes = [(c, n) for c, n in notes if not n.endswith(" price)") and not n.startswith("estimated price:")]
    order = "rental" if b != "amortized" else "amortized"
    bars.sort(key=lambda x: (x.key(order), x.gpu))
    start_s = starts[0] if starts else None
    if month is not None:
        label = labels[0]
    else:
        label = _nominal_label([x.result for x in bars], b, start_s)
    return BarsData(flop=f, basis=b, bars=tuple(bars), dollars=label, dollars_month=month, start=start_s,
                    with_overhead=overhead, notes=tuple(notes), amortized_notes=tuple(dict.fromkeys(amortized_notes)))


@dataclass(frozen=True)
class ChipLine:
    """One chip's line on a cost-against-FLOP chart: at each FLOP figure, the (assumption, evidence centre, low,
    high) of the chart's basis in USD of its dollars, as in ChipBar."""

    gpu: str
    precision: str
    flops: tuple[float, ...]
    figures: tuple[Figures, ...]
    results: tuple[CostResult, ...]  # the rental results, in the chart's dollars
    server_price_usd: float | None = None
    server_price_estimate: bool = False


@dataclass(frozen=True)
class CostsData:
    """What plot_costs draws: one ChipLine per chip, on one basis (rental or amortized), in one kind of dollar."""

    basis: str
    lines: tuple[ChipLine, ...]
    dollars: str
    dollars_month: str | None
    start: str | None
    with_overhead: bool
    notes: tuple[tuple[str, str], ...]
    amortized_notes: tuple[str, ...] = ()


def cost_lines(gpus: Sequence[str | Profile] | None = None, *, flop_min: float = 1e22, flop_max: float = 1e27,
               points: int = 13, basis: str = "rental", dollars: Any = None, start: Any = None,
               with_overhead: bool | None = None, precision: str | None = DEFAULT_PRECISION,
               price_tier: str | None = DEFAULT_PRICE_TIER, hardware: HardwareDB | None = None,
               **assumptions: Any) -> CostsData:
    """The lines plot_costs draws, without matplotlib: per chip, the cost at `points` FLOP figures spaced evenly on
    a log scale from flop_min to flop_max.

    basis: 'rental' or 'amortized' (what the run costs the chips' owner, flopcalc.bases.bases_of; a chart of
    the final run, no overhead); 'all' is refused (--kind bars sets the two side by side). dollars, start: as
    bars_data.
    """
    from .errors import FlopcalcError
    from .units import mag

    if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in (flop_min, flop_max)) \
            or not 0 < flop_min < flop_max:
        raise InputError(f"the FLOP range must satisfy 0 < min < max (got {flop_min!r} to {flop_max!r})")
    if not 2 <= int(points) <= 1000:
        raise InputError("points must be between 2 and 1000")
    b = _dollar_basis(basis, "cost")
    if b == "all":
        raise InputError("a cost chart draws one basis, rental or amortized; basis 'all' sets them side by side in "
                         "a bars or a trend chart")
    month, start_d, overhead = _dollars_inputs(b, dollars, start, with_overhead, assumptions)
    n = int(points)
    xs = tuple(flop_min * (flop_max / flop_min) ** (i / (n - 1)) for i in range(n))
    chips, notes = _estimate(gpus or DEFAULT_COST_GPUS, xs, _Basis(precision, price_tier, overhead, dict(assumptions)),
                             hardware, skip_unknown=gpus is None)
    lines: list[ChipLine] = []
    labels: list[str] = []
    starts: list[str] = []
    amortized_notes: list[str] = []
    for prof, rows in chips:
        if b == "rental" and month is None:
            lines.append(ChipLine(prof.id, rows[0].precision, xs, tuple(_y(r, overhead) for r in rows), tuple(rows)))
            continue
        from .bases import bases_of

        try:
            res = [bases_of(r, basis=b, start=start_d, dollars=month) for r in rows]
        except FlopcalcError as e:
            if gpus is not None:
                raise InputError(f"{prof.id}: {e}") from None
            notes.append((prof.id, f"left out: {e}"))
            continue
        labels.append(res[0].dollars)
        rentals = tuple(x.rental for x in res)
        if b == "rental":
            lines.append(ChipLine(prof.id, rows[0].precision, xs, tuple(_y(r, overhead) for r in rentals), rentals))
            continue
        c = res[0].costs
        assert c is not None
        starts.append(c.start)
        amortized_notes += [t for x in res if x.costs is not None for t in x.costs.notes
                            if not t.startswith("the server price of")]
        if c.server_price_estimate:
            notes.append((prof.id, "estimated server price (no public listing)"))
        lines.append(ChipLine(prof.id, rows[0].precision, xs,
                              tuple(_amortized_figures(x, r) for x, r in zip(res, rows, strict=True)), rentals,
                              server_price_usd=mag(c.server_price, "USD"),
                              server_price_estimate=c.server_price_estimate))
    if not lines:
        raise InputError("no chip to draw on this basis: give one with --gpu (see 'flopcalc hardware')")
    if b == "amortized":
        notes = [(c_, t) for c_, t in notes if not t.endswith(" price)") and not t.startswith("estimated price:")]
    start_s = starts[0] if starts else None
    label = labels[0] if month is not None else _nominal_label([r for x in lines for r in x.results[:1]], b, start_s)
    return CostsData(basis=b, lines=tuple(lines), dollars=label, dollars_month=month, start=start_s,
                     with_overhead=overhead, notes=tuple(notes), amortized_notes=tuple(dict.fromkeys(amortized_notes)))


def _basis_text(basis: _Basis, results: Sequence[CostResult], *, rental: bool = True) -> str:
    from .fmt import money, pct
    from .units import mag

    a = basis.assumptions
    parts = []
    parts.append(f"{basis.precision} dense peak" if basis.precision else "each chip's default precision")
    if "peak" in a:
        parts[-1] = f"peak {mag(results[0].peak, 'TFLOP/s'):g} TFLOP/s (given)"
    if "efficiency" in a:
        parts.append(f"assumed efficiency {pct(mag(results[0].efficiency, ''))} (given)")
    if not rental:
        pass
    elif "price" in a:
        parts.append(f"{money(mag(results[0].price, 'USD/hour'))}/chip-hour (given)")
    else:
        parts.append(f"{basis.price_tier or 'default'} prices")
    overheads = sorted({mag(r.overhead, '') for r in results})
    if basis.with_overhead:
        o = f"{overheads[0]:g}" if len(overheads) == 1 else "each chip's overhead"
        parts.append(f"cost of the final run × {o} (overhead for failed runs and restarts"
                     + (", given)" if "overhead" in a else ")"))
    else:
        parts.append("final run only (no overhead)")
    return "; ".join(parts)


def _stamp(rules: Sequence[Threshold], hardware_dates: Iterable[str | None], basis: str) -> str:
    """flopcalc <version> · data as of: thresholds <date>, runs <date>, hardware <date> · <basis>."""
    from . import __version__
    from .datadates import data_as_of

    stamps = data_as_of()
    rule_dates = sorted({str(t.status_as_of) for t in rules if t.status_as_of}) or [stamps["thresholds"] or "-"]
    hw = sorted({d for d in hardware_dates if d})
    return (f"flopcalc {__version__} · data as of: thresholds {'/'.join(rule_dates)}, runs {stamps['runs'] or '-'}, "
            f"hardware {hw[-1] if hw else '-'} · {basis}")


# ------------------------------------------------------------------ layout helpers

class _Page:
    """A figure laid out in inches: title and subtitle on top, footnotes and the stamp at the bottom."""

    def __init__(self, width: float, height: float, *, title: str, subtitle: Sequence[str],
                 footnotes: Sequence[str], stamp: str) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(width, height), dpi=150)
        canvas = FigureCanvasAgg(self.fig)
        self.width, self.height = width, height
        self.renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # matplotlib has no hints here
        wrap = int(width * 72 / (7 * 0.56))
        foot = [ln for note in footnotes for ln in textwrap.wrap(_t(note), wrap, subsequent_indent="  ",
                                                                  break_on_hyphens=False)]
        stamp_lines = textwrap.wrap(_t(stamp), int(width * 72 / (6.5 * 0.56)), break_on_hyphens=False)
        y = 0.08
        for line in reversed(stamp_lines):
            self.fig.text(1 - 0.1 / width, y / height, line, ha="right", va="bottom", fontsize=6.5, color="0.4")
            y += 0.12
        y += 0.04
        for line in reversed(foot):
            self.fig.text(0.1 / width, y / height, line, ha="left", va="bottom", fontsize=7, color="0.25")
            y += 0.125
        self.bottom_in = y
        top = height - 0.12
        self.fig.text(0.1 / width, top / height, _t(title), ha="left", va="top", fontsize=12.5, weight="bold")
        top -= 0.3
        for line in subtitle:
            for part in textwrap.wrap(_t(line), int(width * 72 / (8.5 * 0.55)), break_on_hyphens=False):
                self.fig.text(0.1 / width, top / height, part, ha="left", va="top", fontsize=8.5, color="0.2")
                top -= 0.17
        self.top_in = top - 0.08

    def axes(self, *, left: float, right: float, below: float) -> Any:
        """An axes between the title block and the footnotes; left/right margins and room below it, in inches."""
        ax = self.fig.add_axes((left / self.width, (self.bottom_in + below) / self.height,
                                1 - (left + right) / self.width,
                                (self.top_in - self.bottom_in - below) / self.height))
        return ax

    def width_px(self, text: Any) -> float:
        return float(text.get_window_extent(self.renderer).width)

    def height_px(self, text: Any) -> float:
        return float(text.get_window_extent(self.renderer).height)


def _spread(want: list[float], sizes: list[float], lo: float, hi: float, gap: float = 2.0) -> list[float]:
    """Centres as near `want` as possible with no two boxes (of `sizes`) overlapping, kept inside [lo, hi]."""
    order = sorted(range(len(want)), key=lambda i: want[i])
    pos = [0.0] * len(want)
    prev_end = -math.inf
    for i in order:
        c = max(want[i], prev_end + gap + sizes[i] / 2)
        pos[i] = c
        prev_end = c + sizes[i] / 2
    nxt_start = math.inf
    for i in reversed(order):
        c = min(pos[i], hi - sizes[i] / 2, nxt_start - gap - sizes[i] / 2)
        pos[i] = c
        nxt_start = c - sizes[i] / 2
    prev_end = -math.inf
    for i in order:  # if squeezed against both ends, the low end wins: overlap only past the top
        c = max(pos[i], lo + sizes[i] / 2, prev_end + gap + sizes[i] / 2)
        pos[i] = c
        prev_end = c + sizes[i] / 2
    return pos


def _pack(head: str, groups: Sequence[str], width: int) -> str:
    """Lines of at most `width` characters, breaking between rule names where possible; each group starts a line."""
    lines: list[str] = []
    for gi, group in enumerate(groups):
        cur = head if gi == 0 else ""
        items = group.split(", ")
        for i, item in enumerate(items):
            piece = item + ("," if i < len(items) - 1 else "")
            if cur.strip() and len(cur) + len(piece) > width:
                lines.append(cur.rstrip())
                cur = "  "
            if len(cur) + len(piece) > width:  # one name longer than a line: wrap it between words
                parts = textwrap.wrap(piece, max(10, width - len(cur)), subsequent_indent="  ",
                                      break_on_hyphens=False)
                lines.extend(cur + parts[0] if j == 0 else p for j, p in enumerate(parts[:-1]))
                cur = (parts[-1] if len(parts) > 1 else cur + parts[0]) + " "
                continue
            cur += piece + " "
        lines.append(cur.rstrip())
    return "\n".join(line for line in lines if line.strip())


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters (a chip id from a user's file can be long)."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _scope(text: str, limit: int = 48) -> str:
    text = clean(text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;") + "..."


def _x_rule_lines(page: _Page, ax: Any, marks: dict[float, _Mark], *,
                  y_floor: dict[float, float] | None = None) -> list[Any]:
    """Vertical rule lines labelled at their top ends, labels nudged sideways so none overlap; returns the labels."""
    from matplotlib.transforms import blended_transform_factory

    from .fmt import sci

    trans = blended_transform_factory(ax.transData, ax.transAxes)
    x0, x1 = ax.get_xlim()
    ys = ax.get_ylim()
    texts, xs = [], []
    box = ax.get_window_extent(page.renderer)
    width = max(24, int(0.55 * box.height / page.fig.dpi * 72 / (7 * 0.6)))
    for value, mark in sorted(marks.items()):
        if not x0 <= value <= x1:
            continue
        colour, style = mark.style
        bottom = (y_floor or {}).get(value)
        if bottom is not None:  # a FLOP-and-dollars rule: the corner of the region it covers
            ax.plot([value, value], [bottom, ys[1]], color=colour, lw=1.2, ls=style, zorder=1.5, gid="rule")
            ax.plot([value, x1], [bottom, bottom], color=colour, lw=1.2, ls=style, zorder=1.5, gid="rule")
        else:
            ax.axvline(value, color=colour, lw=1.2, ls=style, zorder=1.5, gid="rule")
        label = _pack(f"{sci(value)} FLOP: ", _names(mark), width)
        t = ax.text(value, 0.985, _t(label), transform=trans, rotation=90, va="top", ha="left", fontsize=7,
                    color="0.1" if mark.binding else "0.3", linespacing=1.1, zorder=4,
                    bbox={"facecolor": "white", "alpha": 0.85, "lw": 0, "pad": 1.2})
        texts.append(t)
        xs.append(value)
    if not texts:
        return texts
    widths = [page.width_px(t) for t in texts]
    x_px = [ax.transData.transform((v, ys[0]))[0] + 3 + w / 2 for v, w in zip(xs, widths, strict=True)]
    centres = _spread(x_px, widths, box.x0, box.x1, gap=3)
    inv = ax.transData.inverted()
    for t, c, w in zip(texts, centres, widths, strict=True):
        t.set_x(inv.transform((c - w / 2, 0))[0])
    return texts


def _covers_data(ax: Any, bb: Any) -> bool:
    """Whether the display box `bb` lies over any data line (rule lines excepted)."""
    import numpy as np

    steps = np.linspace(0.0, 1.0, 25)[:, None]
    for line in ax.get_lines():
        if line.get_gid() is not None or len(line.get_xydata()) == 0:  # rule lines, leaders
            continue
        pts = ax.transData.transform(line.get_xydata())
        if len(pts) == 1:
            dense = pts
        else:
            dense = np.concatenate([a + steps * (b - a) for a, b in zip(pts[:-1], pts[1:], strict=True)])
        inside = (dense[:, 0] >= bb.x0) & (dense[:, 0] <= bb.x1) & (dense[:, 1] >= bb.y0) & (dense[:, 1] <= bb.y1)
        if inside.any():
            return True
    return False


def _y_rule_lines(page: _Page, ax: Any, marks: dict[float, _Mark], avoid: Sequence[Any] = ()) -> None:
    """Horizontal lines at dollar tests (training cost), each labelled at one of its ends, above or below it:
    the first place that covers no label, key or data line (else no label or key)."""
    from .fmt import money_sig

    placed = [a.get_window_extent(page.renderer) for a in avoid]
    width = int(0.45 * ax.get_window_extent(page.renderer).width / page.fig.dpi * 72 / (7 * 0.56))
    for value, mark in sorted(marks.items()):
        colour, style = mark.style
        ax.axhline(value, color=colour, lw=1.2, ls=style, zorder=1.5, gid="rule")
    for value, mark in sorted(marks.items()):
        label = _t(_pack(f"> {money_sig(value)} training cost: ", _names(mark, limit=4), width))
        options: list[tuple[int, int, float, str, str]] = []
        for va in ("bottom", "top"):
            for x, ha in ((0.005, "left"), (0.995, "right")):
                t = ax.text(x, value, label, transform=ax.get_yaxis_transform(), ha=ha, va=va, fontsize=7,
                            color="0.1" if mark.binding else "0.3", zorder=4, linespacing=1.1,
                            bbox={"facecolor": "white", "alpha": 0.85, "lw": 0, "pad": 1.0})
                bb = t.get_window_extent(page.renderer)
                t.remove()
                clear = not any(bb.overlaps(o) for o in placed)
                options.append((0 if clear and not _covers_data(ax, bb) else 1 if clear else 2, len(options), x,
                                ha, va))
        _, _, x, ha, va = min(options)
        t = ax.text(x, value, label, transform=ax.get_yaxis_transform(), ha=ha, va=va, fontsize=7,
                    color="0.1" if mark.binding else "0.3", zorder=4, linespacing=1.1,
                    bbox={"facecolor": "white", "alpha": 0.85, "lw": 0, "pad": 1.0})
        placed.append(t.get_window_extent(page.renderer))


def _end_labels(page: _Page, ax: Any, items: list[tuple[str, float, str]], *, fontsize: float = 8) -> None:
    """Labels just right of the axes at y values (data), nudged apart vertically, with a leader when moved."""
    if not items:
        return
    texts = [ax.text(1.0, 0.5, _t(label), transform=ax.transAxes, va="center", ha="left", fontsize=fontsize,
                     color=colour, clip_on=False) for label, _, colour in items]
    box = ax.get_window_extent(page.renderer)
    heights = [page.height_px(t) for t in texts]
    want = [ax.transData.transform((ax.get_xlim()[1], y))[1] for _, y, _ in items]
    centres = _spread(want, heights, box.y0 - 20, box.y1 + 20, gap=1.5)
    for t, c, w, (_, _, colour) in zip(texts, centres, want, items, strict=True):
        frac = (c - box.y0) / box.height
        t.set_position((1.0 + 12 / box.width, frac))
        ax.plot([1.0, 1.0 + 10 / box.width], [(w - box.y0) / box.height, frac], transform=ax.transAxes,
                color=colour, lw=0.8, clip_on=False, gid="leader")


def _label_width(page: _Page, labels: Sequence[str], fontsize: float) -> float:
    widths = [page.width_px(page.fig.text(0, 0, _t(s), fontsize=fontsize)) for s in labels]
    for t in list(page.fig.texts)[-len(labels):]:
        t.remove()
    return max(widths, default=0.0) / page.fig.dpi


def _price_text(r: CostResult) -> str:
    from .fmt import money
    from .units import mag

    return f"{money(mag(r.price, 'USD/hour'))}/h"


# ------------------------------------------------------------------ cost against FLOP

def plot_costs(out: Path | str, gpus: Sequence[str | Profile] | None = None, *, flop_min: float = 1e22,
               flop_max: float = 1e27, with_overhead: bool | None = None, rules: Iterable[Threshold] | None = None,
               as_of: _dt.date | str | None = None, statuses: Iterable[str] = (), include_scoped: bool = False,
               precision: str | None = DEFAULT_PRECISION, price_tier: str | None = DEFAULT_PRICE_TIER,
               hardware: HardwareDB | None = None, points: int = 13, basis: str = "rental", dollars: Any = None,
               start: Any = None, **assumptions: Any) -> Path:
    """Write a log-log chart of training cost against FLOP to `out` (.png, .svg or .pdf).

    Per chip: the evidence cost (solid, 90% interval as a band) and the assumption (dashed), all on
    one basis (`precision` class, `price_tier`); lines at the FLOP figures of the rules selected
    by select_rules(as_of=..., statuses=..., include_scoped=...). `assumptions` (efficiency,
    price, peak, overhead) override every chip's profile. basis 'amortized' draws what the run
    costs the chips' owner instead of rental; dollars 'YYYY-MM' gives constant dollars (cost_lines).
    """
    out, fmt = output_path(out)
    data = cost_lines(gpus, flop_min=flop_min, flop_max=flop_max, points=points, basis=basis, dollars=dollars,
                      start=start, with_overhead=with_overhead, precision=precision, price_tier=price_tier,
                      hardware=hardware, **assumptions)
    mpl = _matplotlib()
    b, overhead = data.basis, data.with_overhead
    rental = b == "rental"
    sel = select_rules(rules, as_of=as_of, statuses=statuses, include_scoped=include_scoped)
    basis_ = _Basis(precision, price_tier, overhead, dict(assumptions))
    marks = _rule_marks(sel, run_cost_axis=not overhead and rental, x_range=(flop_min, flop_max),
                        amortized_axis=not rental)
    all_results = [r for line in data.lines for r in line.results]
    basis_text = _basis_text(basis_, all_results, rental=rental)
    if data.start is not None:
        basis_text += f"; amortized from a training start of {data.start}"
    footnotes = [f"Rule lines: the tests of {sel.describe()}" + (" (costs at today's prices: --as-of dates the rules "
                                                                  "only)." if as_of is not None else ".")]
    if not rental:
        footnotes.append("Amortized: what the run costs the chips' owner (Epoch AI's method, docs/cost-bases.md): the "
                         "server-level price per chip depreciated at 0.14 orders of magnitude a year from its "
                         "acquisition to the training start and spent over the run's chip-hours, plus interconnect "
                         "(0.19/0.81 of it), plus energy. Band: the evidence's 90% chip-hours interval with the "
                         "depreciation band (0.10-0.19) and the server price range. Labels: the server-level price "
                         "per chip, nominal at its date.")
    footnotes += marks.notes
    if data.notes:
        footnotes.append("Basis exceptions: " + _grouped(data.notes) + ".")
    footnotes += [f"Note: {n}." for n in data.amortized_notes]
    loaded = list(sel.drawn) + list(sel.scoped)
    if rental:
        title = "What training compute costs, chip by chip, and where the rules draw lines"
        lead = ("Solid: what known training runs imply (band: 90% interval). Dashed: the profile's assumed efficiency "
                "and price.")
    else:
        title = "What training compute costs the chips' owner, chip by chip, and where the rules draw lines"
        lead = ("Amortized cost. Solid: at the chip-hours known training runs imply (band: 90% interval). Dashed: at "
                "the profile's assumed efficiency.")
    short = _short_basis(basis_, all_results, rental=rental) + ("" if rental else ", amortized")
    short += f", {_short_dollars(data.dollars)}"
    with mpl.rc_context(_rc()):
        page = _Page(11, 7, title=title, subtitle=[lead, f"Basis: {basis_text}.", f"Dollars: {data.dollars}."],
                     footnotes=footnotes,
                     stamp=_stamp(loaded, [line.results[0].scenario.profile.data_as_of
                                           if line.results[0].scenario else None for line in data.lines], short))
        labels = []
        for line in data.lines:
            r = line.results[0]
            price = _price_text(r) if rental else (f"{_money_short(line.server_price_usd)}/chip"
                                                   + ("*" if line.server_price_estimate else ""))
            labels.append(f"{_clip(line.gpu, 30)} · {line.precision} · {price}")
        right = _label_width(page, labels, 8) + 0.35
        ax = page.axes(left=0.85, right=right, below=0.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        lows, highs = [], []
        ends = []
        colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, line in enumerate(data.lines):
            colour = colours[i % len(colours)]
            xs = list(line.flops)
            vals = line.figures
            a = [v[0] for v in vals]
            ax.plot(xs, a, color=colour, lw=1.4, ls=(0, (5, 3)), zorder=3)
            lows += a
            highs += a
            end = a[-1]
            mid = [v[1] for v in vals if v[1] is not None]
            lo = [v[2] for v in vals if v[2] is not None]
            hi = [v[3] for v in vals if v[3] is not None]
            if len(mid) == len(lo) == len(hi) == len(vals):
                ax.fill_between(xs, lo, hi, color=colour, alpha=_EVIDENCE_ALPHA, lw=0, zorder=2)
                ax.plot(xs, mid, color=colour, lw=2.2, zorder=3)
                lows += lo
                highs += hi
                end = mid[-1]
            ends.append((labels[i], end, colour))
        y0 = min(lows) / 2.5
        y1 = max(highs) * 1.6
        for v in marks.y:
            y0, y1 = min(y0, v / 2), max(y1, v * 2)
        ax.set_xlim(flop_min, flop_max)
        ax.set_ylim(y0, y1)
        _dollar_axis(ax, log=True)
        ax.grid(True, which="major", color="0.88", lw=0.7, zorder=0)
        ax.set_axisbelow(True)
        ax.set_xlabel("training compute (FLOP)")
        ax.set_ylabel(("training cost" if rental else "amortized training cost") + f" ({_usd_unit(data.dollars)}), "
                      + ("final run × overhead" if overhead else "final run only"))
        floors = {}
        for value, mark in marks.x.items():
            usd = [lim.base for t, _ in mark.rules for lim in t.limits if lim.kind == "usd"]
            if usd and not overhead and rental and len(mark.rules) == 1:
                floors[value] = max(usd)
        texts = _x_rule_lines(page, ax, marks.x, y_floor=floors)
        legend = _legend(ax, [*marks.x.values(), *marks.y.values()], sel.day, loc="lower right",
                         what="" if rental else "amortized")
        _y_rule_lines(page, ax, marks.y, avoid=[*texts, legend])
        _end_labels(page, ax, ends)
        return _save(page.fig, out, fmt)


def _money_short(v: float | None) -> str:
    from .fmt import money_sig

    return "-" if v is None else money_sig(v)


def _short_basis(basis: _Basis, results: Sequence[CostResult], *, rental: bool = True) -> str:
    from .units import mag

    a = basis.assumptions
    parts = [basis.precision or "default precision"]
    if rental:
        parts.append("price given" if "price" in a else (basis.price_tier or "default prices"))
    if "peak" in a:
        parts.append("peak given")
    if "efficiency" in a:
        parts.append(f"efficiency {mag(results[0].efficiency, ''):g} given")
    overheads = sorted({mag(r.overhead, '') for r in results})
    parts.append((f"overhead {overheads[0]:g}x" if len(overheads) == 1 else "chip overheads")
                 if basis.with_overhead else "no overhead")
    return ", ".join(parts)


def _dollar_rule_entries(ax: Any, marks: dict[float, _Mark]) -> list[tuple[Any, str]]:
    """Lines across the chart at dollar tests, named in the key (where no label can sit clear of the data)."""
    from matplotlib.lines import Line2D

    from .fmt import money_sig

    out = []
    for value, mark in sorted(marks.items()):
        colour, style = mark.style
        ax.axhline(value, color=colour, lw=1.2, ls=style, zorder=2.5, gid="rule")
        out.append((Line2D([], [], color=colour, lw=1.2, ls=style),
                    _pack(f"> {money_sig(value)} training cost: ", _names(mark, limit=4), 70)))
    return out


def _legend(ax: Any, marks: Iterable[_Mark], day: _dt.date, *, loc: str, bars: Sequence[str] = (),
            extra: Sequence[tuple[Any, str]] = (), what: str = "") -> Any:
    """The key: evidence and assumption styles, and one entry per rule-line style drawn. `bars`: the bases of a
    bar chart ('rental', 'amortized'); `what`: the basis of the lines on a cost chart ('' for rental)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any]
    if bars:
        handles, labels = [], []
        for which in bars:
            handles.append(Patch(facecolor=_RENTAL_COLOUR if which == "rental" else _AMORTIZED_COLOUR,
                                 edgecolor="none"))
            labels.append("rental: chip-hours at a market price, evidence" if which == "rental" and len(bars) > 1 else
                          "amortized: owning the chips (Epoch AI's method), evidence" if which == "amortized" else
                          "evidence: what known training runs imply")
        handles += [Line2D([], [], color="0.15", marker="|", markersize=10, ls="-", lw=1.2),
                    Line2D([], [], color="none", marker="D", markerfacecolor="#f28e2b", markeredgecolor="0.1",
                           markersize=6)]
        labels += ["its 90% interval", "assumption: profile efficiency" + (" and price" if "rental" in bars else "")]
    elif what:
        handles = [(Patch(facecolor="0.45", alpha=_EVIDENCE_ALPHA + 0.1, edgecolor="none"),
                    Line2D([], [], color="0.3", lw=2.2)),
                   Line2D([], [], color="0.3", lw=1.4, ls=(0, (5, 3)))]
        labels = [f"{what} at the chip-hours known runs imply (band: 90% interval)",
                  f"{what} at the profile's assumed efficiency"]
    else:
        handles = [(Patch(facecolor="0.45", alpha=_EVIDENCE_ALPHA + 0.1, edgecolor="none"),
                    Line2D([], [], color="0.3", lw=2.2)),
                   Line2D([], [], color="0.3", lw=1.4, ls=(0, (5, 3)))]
        labels = ["evidence: what known training runs imply (band: 90% interval)",
                  "assumption: profile efficiency and price"]
    marks = list(marks)
    styles = {m.style for m in marks if not m.scoped}
    text = {_RULE_BINDING: f"rule in force on {day.isoformat()}",
            _RULE_OTHER: f"rule with another status on {day.isoformat()}"}
    for colour, style in sorted(styles, key=lambda cs: cs[0]):
        handles.append(Line2D([], [], color=colour, lw=1.2, ls=style))
        labels.append(text[colour])
    if any(m.scoped for m in marks):
        handles.append(Line2D([], [], color=_RULE_BINDING, lw=1.2, ls=(0, (1, 2))))
        labels.append("rule for one kind of model or developer only")
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    leg = ax.legend(handles, [_t(s) for s in labels], loc=loc, fontsize=7.5, framealpha=0.95, edgecolor="0.8",
                    handlelength=3.2)
    leg.set_zorder(5)
    return leg


# ------------------------------------------------------------------ one figure, chip by chip

def plot_bars(out: Path | str, flop: Any, gpus: Sequence[str | Profile] | None = None, *,
              with_overhead: bool | None = None, rules: Iterable[Threshold] | None = None,
              as_of: _dt.date | str | None = None, statuses: Iterable[str] = (), include_scoped: bool = False,
              precision: str | None = DEFAULT_PRECISION, price_tier: str | None = DEFAULT_PRICE_TIER,
              hardware: HardwareDB | None = None, basis: str = "rental", dollars: Any = None, start: Any = None,
              **assumptions: Any) -> Path:
    """Write a bar chart of what `flop` of training costs on each chip, like for like, to `out`.

    Bars: the evidence cost (what known runs imply) with its 90% interval; markers: the
    assumption. One precision class and one price tier for every chip (exceptions noted);
    chips sorted by cost. The subtitle names the rules set at this figure and the dollars.
    basis 'amortized' draws what the run costs the chips' owner (Epoch AI's method) instead of
    rental, 'all' both side by side; dollars 'YYYY-MM' gives constant dollars (bars_data).
    """
    from .fmt import money_sig, sci

    out, fmt = output_path(out)
    data = bars_data(flop, gpus, basis=basis, dollars=dollars, start=start, with_overhead=with_overhead,
                     precision=precision, price_tier=price_tier, hardware=hardware, **assumptions)
    mpl = _matplotlib()
    f, b, overhead = data.flop, data.basis, data.with_overhead
    sel = select_rules(rules, as_of=as_of, statuses=statuses, include_scoped=include_scoped)
    basis_ = _Basis(precision, price_tier, overhead, dict(assumptions))
    rows = list(data.bars)
    results = [x.result for x in rows]
    shown = ("rental", "amortized") if b == "all" else (b,)
    rental_axis = "rental" in shown

    marks = _rule_marks(sel, run_cost_axis=not overhead and rental_axis, x_range=(f, f),
                        amortized_axis=not rental_axis)
    names = [g for m in marks.x.values() for g in _names(m, limit=8)]
    ymarks = dict(marks.y)
    if not overhead and rental_axis:  # dollar tests of FLOP-and-dollars rules whose FLOP test this figure meets
        for t in sel.drawn:
            fl = t.limit("flop")
            usd = [lim.base for lim in t.limits if lim.kind == "usd"]
            if usd and fl is not None and fl.met_by(f) and all(lim.kind in ("flop", "usd") for lim in t.limits):
                ymarks.setdefault(max(usd), _Mark(max(usd), [])).rules.append((t, f"with {fl.describe()}"))
    rules_line = (f"The line at {sci(f)} FLOP of: " + "; ".join(names) + f" ({sel.describe()}).") if names else \
        f"No {sel.describe().replace('rules ', 'rule ')} sets its line at {sci(f)} FLOP."
    footnotes = []
    if "rental" in shown:
        footnotes.append(("Blue bars" if b == "all" else "Bars") + ": rental, the evidence cost, i.e. the chip's "
                         "all-in efficiency implied by known training runs and the centre of its price tier's range; "
                         "whiskers: its 90% interval; diamonds: the assumption (profile efficiency and price).")
    if "amortized" in shown:
        footnotes.append(("Green bars" if b == "all" else "Bars") + ": amortized, what the run costs the chips' owner "
                         "(Epoch AI's method, docs/cost-bases.md): the server-level price per chip depreciated at 0.14 "
                         "orders of magnitude a year from its acquisition to the training start and spent over the "
                         "run's chip-hours, plus interconnect (0.19/0.81 of it), plus energy; at the chip-hours the "
                         "evidence implies; whiskers: the evidence's 90% chip-hours interval with the depreciation band "
                         "(0.10-0.19) and the server price range; diamonds: at the assumption's chip-hours.")
    if ymarks:
        footnotes.append("Horizontal lines: rules that test the training run's cost in dollars"
                         + (" (at market prices: compare the rental bars)." if b == "all" else "."))
    footnotes += marks.notes
    if as_of is not None:
        footnotes.append(f"Costs at today's prices: --as-of dates the rules only ({sel.describe()}).")
    if "amortized" in shown:
        footnotes.append("Under each chip: its precision" + ("; rental price per chip-hour" if "rental" in shown
                                                              else "")
                         + "; server-level price per chip, nominal at its date, which amortized depreciates"
                         + "; 'class' or 'cited' where the evidence is not from runs on the chip.")
    if data.notes:
        footnotes.append("Basis exceptions (marked * under the chip): " + _grouped(data.notes) + ".")
    footnotes += [f"Note: {n}." for n in data.amortized_notes]
    basis_text = _basis_text(basis_, results, rental="rental" in shown)
    if data.start is not None:
        basis_text += f"; amortized from a training start of {data.start}"
    loaded = list(sel.drawn) + list(sel.scoped)
    what = {"rental": "costs to rent", "amortized": "costs the chips' owner", "all": "costs, rented or owned"}[b]
    per_chip = 1.3 if b == "all" else 0.82
    width = max(8.5, 1.0 + per_chip * len(rows))
    unit = _usd_unit(data.dollars)
    short = _short_basis(basis_, results, rental="rental" in shown) + ("" if b == "rental" else ", amortized" if
                                                                       b == "amortized" else ", rental and amortized")
    short += f", {_short_dollars(data.dollars)}"
    with mpl.rc_context(_rc()):
        page = _Page(width, 6.5, title=f"What {sci(f)} FLOP of training {what}, chip by chip",
                     subtitle=[rules_line, f"Basis: {basis_text}.", f"Dollars: {data.dollars}."],
                     footnotes=footnotes,
                     stamp=_stamp(loaded, [x.result.scenario.profile.data_as_of if x.result.scenario else None
                                           for x in rows], short))
        ticks = [_bar_tick(x, precision, shown) for x in rows]
        ax = page.axes(left=0.85, right=0.25, below=0.75 + (0.12 if "amortized" in shown else 0.0))
        xs = list(range(len(rows)))
        bar_w = 0.62 if len(shown) == 1 else 0.4
        offsets = [0.0] if len(shown) == 1 else [-0.21, 0.21]
        colours = {"rental": _RENTAL_COLOUR, "amortized": _AMORTIZED_COLOUR}
        values = []
        top = 0.0
        for which, dx in zip(shown, offsets, strict=True):
            figs = [x.figures(which) for x in rows]
            ax.bar([x + dx for x in xs], [e if e is not None else 0.0 for _, e, _, _ in figs], width=bar_w,
                   color=colours[which], zorder=2, gid=f"bars-{which}")
            for x, (a, e, lo, hi) in zip(xs, figs, strict=True):
                if e is not None and lo is not None and hi is not None:
                    ax.errorbar([x + dx], [e], yerr=[[max(0.0, e - lo)], [max(0.0, hi - e)]], fmt="none",
                                ecolor="0.15", elinewidth=1.2, capsize=4 if len(shown) > 1 else 5, capthick=1.2,
                                zorder=3)
                ax.plot([x + dx], [a], marker="D", color="none", markerfacecolor="#f28e2b", markeredgecolor="0.1",
                        markersize=6 if len(shown) > 1 else 6.5, zorder=4)
                y = max(hi or 0.0, a, e or 0.0)
                top = max(top, y)
                values.append(ax.annotate(_t(money_sig(e) if e is not None else "no evidence"), (x + dx, y),
                                          xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                                          fontsize=7.5 if len(shown) == 1 else 6.8, color="0.1", zorder=5,
                                          rotation=0))
        for v in ymarks:
            top = max(top, v)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.set_ylim(0, top * 1.12)
        _dollar_axis(ax, log=False)
        ax.set_xticks(xs)
        ax.set_xticklabels([_t(s) for s in ticks], fontsize=7.5)
        ax.grid(True, axis="y", color="0.88", lw=0.7, zorder=0)
        ax.set_axisbelow(True)
        ax.set_ylabel(f"cost of {sci(f)} FLOP ({unit}), " + ("final run × overhead" if overhead else
                                                             "final run only"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        extra = _dollar_rule_entries(ax, ymarks)
        legend = _legend(ax, (), sel.day, loc="upper left", bars=shown, extra=extra)
        for _ in range(12):  # raise the top until the key covers no bar's figure
            key = legend.get_window_extent(page.renderer)
            if not any(key.overlaps(v.get_window_extent(page.renderer)) for v in values):
                break
            ax.set_ylim(0, ax.get_ylim()[1] * 1.1)
        _separate_values(page, values)
        return _save(page.fig, out, fmt)


def _bar_tick(x: ChipBar, precision: str | None, shown: Sequence[str]) -> str:
    """Under a bar: chip, precision, rental price per chip-hour and/or server price per chip, evidence basis."""
    from .fmt import money_sig

    r = x.result
    lines = [_clip(x.gpu, 16), f"{r.precision}{'*' if r.precision != (precision or r.precision) else ''}"]
    if "rental" in shown:
        lines.append(f"{_price_text(r)}{'*' if r.price_tier_fallback or r.price_is_estimate else ''}")
    if "amortized" in shown and x.server_price_usd is not None:
        lines.append(f"{money_sig(x.server_price_usd)}/chip{'*' if x.server_price_estimate else ''}")
    if x.evidence_basis in ("class", "cited"):
        lines.append(x.evidence_basis)
    return "\n".join(lines)


def _separate_values(page: _Page, values: Sequence[Any]) -> None:
    """Lift a bar's figure above its left neighbour's where the two would overlap (side-by-side bars)."""
    boxes: list[Any] = []
    for v in values:
        bb = v.get_window_extent(page.renderer)
        for _ in range(4):
            if not any(bb.overlaps(o) for o in boxes):
                break
            x, y = v.xyann
            v.xyann = (x, y + bb.height + 1)
            bb = v.get_window_extent(page.renderer)
        boxes.append(bb)


# ------------------------------------------------------------------ over the years

def plot_trend(out: Path | str, flops: Sequence[Any] = (), *, start: int | None = None, end: int | None = None,
               gpus: Sequence[str] | None = None, price_tier: str | None = None,
               rules: Iterable[Threshold] | None = None, as_of: _dt.date | str | None = None,
               statuses: Iterable[str] = (), include_scoped: bool = False,
               hardware: HardwareDB | None = None, basis: str = "rental", dollars: Any = None) -> Path:
    """Write a chart of what each FLOP figure cost year by year (flopcalc.trends.trend) to `out`.

    One line per FLOP figure (default: the FLOP tests of the rules drawn): observed years solid,
    projected years dashed, each with its 90% interval as a band; each line labelled at its end
    with the rules set at that figure. Rules that test the run's cost in dollars are drawn across.
    basis 'amortized' draws what the year's chip costs its owner (trends.trend's amortized_cost_usd)
    instead of rental, 'all' both; dollars 'YYYY-MM' gives constant dollars (trend_rows).
    """
    from .fmt import sci
    from .trends import RATE_BAND, RATE_OOM_PER_YEAR, method_lines

    out, fmt = output_path(out)
    b = _dollar_basis(basis, "trend")
    sel = select_rules(rules, as_of=as_of, statuses=statuses, include_scoped=include_scoped)
    marks = _rule_marks(sel, run_cost_axis=b != "amortized", x_range=(0.0, math.inf), amortized_axis=b == "amortized")
    if isinstance(flops, (str, int, float)):
        flops = [flops]
    wanted = list(flops) or sorted(marks.x)
    if not wanted:
        raise InputError(f"no FLOP figure to draw: no {sel.describe().replace('rules ', 'rule ')} has a FLOP test; "
                         "give one, e.g. 1e26")
    rows = trend_rows(wanted, start=start, end=end, gpus=gpus, price_tier=price_tier, hardware=hardware, basis=b,
                      dollars=dollars)
    mpl = _matplotlib()
    by_flop: dict[float, list[Any]] = {}
    for r in rows:
        by_flop.setdefault(r.flop, []).append(r)
    years = sorted({r.year for r in rows})
    chip_by_year = {r.year: (r.gpu, r.projected) for r in rows}
    shown = ("rental", "amortized") if b == "all" else (b,)
    notes = [ln for ln in method_lines(rows, tier=price_tier) if not ln.startswith("Prices:")]
    if "amortized" in shown:
        notes.insert(0, "Amortized: the year's chip owned, not rented (Epoch AI's method, docs/cost-bases.md): the "
                        "run of that FLOP figure (the chip-hours known runs imply, and their 90% interval) started on "
                        "the year's last day; the server-level price per chip depreciated at 0.14 orders of magnitude "
                        "a year from its acquisition to that day, plus interconnect (0.19/0.81 of it), plus energy "
                        "at that year's industrial electricity price. Band: the chip-hours interval with the "
                        "depreciation band (0.10-0.19) and the server price range.")
        missing = dict.fromkeys(r.amortized_note for r in rows if r.amortized_cost_usd is None and r.amortized_note)
        notes += [f"No amortized cost: {n}." for n in missing]
    notes += marks.notes
    if as_of is not None:
        notes.append(f"Rules as of {sel.day.isoformat()} ({sel.describe()}).")
    projected = any(r.projected for r in rows)
    tier = price_tier or "on-demand"
    label = _trend_dollars(rows, shown)
    lead = {"rental": "Each year: the cheapest chip released by then, at its price dated that year and the all-in "
                      "efficiency known training runs imply (band: 90% interval).",
            "amortized": "Each year: the cheapest chip to rent that year, owned instead: what the run costs its owner "
                         "(amortized), at the chip-hours known training runs imply (band: 90% interval).",
            "all": "Each year: the cheapest chip released by then, rented at its price dated that year (circles) and "
                   "owned (amortized, squares), at the chip-hours known training runs imply (band: 90% interval)."}[b]
    rate = f"-{RATE_OOM_PER_YEAR:g} orders of magnitude a year (band {RATE_BAND[0]:.2f}-{RATE_BAND[1]:.2f})"
    dashed_text = {"rental": f" Dashed: projected at {rate}.",
                   "amortized": " Dashed: years with no dated price: the last priced chip, owned and depreciating on.",
                   "all": f" Dashed: years with no dated price: rental projected at {rate}; amortized, the last "
                          "priced chip depreciating on."}[b]
    subtitle = [lead + (dashed_text if projected else ""),
                f"Basis: each chip's default precision; {tier} prices; final run only (no overhead).",
                f"Dollars: {label}."]
    loaded = list(sel.drawn) + list(sel.scoped)
    short = f"default precision, {tier}, no overhead" + ("" if b == "rental" else ", amortized" if b == "amortized"
                                                         else ", rental and amortized")
    stamp = _stamp(loaded, [r.hardware_data_as_of for r in rows], f"{short}, {_short_dollars(label)}")
    title = {"rental": "What reaching each compute line costs, year by year",
             "amortized": "What reaching each compute line costs the chips' owner, year by year",
             "all": "What reaching each compute line costs, rented or owned, year by year"}[b]
    with mpl.rc_context(_rc()):
        page = _Page(11, 7, title=title, subtitle=subtitle, footnotes=notes, stamp=stamp)
        labels = {}
        for f in by_flop:
            mark = next((m for v, m in marks.x.items() if abs(v - f) <= 1e-9 * f), None)
            names = _names(mark, limit=4) if mark else []
            labels[f] = f"{sci(f)} FLOP" + ("\n" + _pack("", names, 34) if names else "")
        end_texts = list(labels.values()) + ([f"{sci(f)} FLOP, amortized" for f in by_flop] if b == "all" else [])
        right = _label_width(page, end_texts, 8) + 0.35
        chip = {y: ("projected" if projected_year else gpu) for y, (gpu, projected_year) in chip_by_year.items()}
        ticks = {y: f"{y}\n{chip[y]}" for y in years}
        per_year = (page.width - 0.85 - right) / len(years)
        rotate = _label_width(page, list(ticks.values()), 7.5) > 0.92 * per_year
        if rotate:  # too many years for two-line labels side by side: one line each, upright, thinned if need be
            step = max(1, math.ceil(0.17 / per_year))
            ticks = {y: f"{y} {chip[y]}" for y in years[::step]}
        below = (_label_width(page, list(ticks.values()), 7.5) + 0.4) if rotate else 0.62
        ax = page.axes(left=0.85, right=right, below=below)
        ax.set_yscale("log")
        colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        lows, highs, ends = [], [], []
        for i, (f, rs) in enumerate(sorted(by_flop.items())):
            colour = colours[i % len(colours)]
            rs = sorted(rs, key=lambda r: r.year)
            for which in shown:
                series = trend_series(rs, which)
                if not series:
                    continue
                rental = which == "rental"
                for seg, dashed in _segments(series):
                    ys = [p.year for p in seg]
                    ax.fill_between(ys, [p.low for p in seg], [p.high for p in seg], color=colour,
                                    alpha=_EVIDENCE_ALPHA * (0.7 if dashed else 1) * (1 if rental else 0.75), lw=0,
                                    zorder=2, hatch=None if rental else "////", edgecolor="none")
                    ax.plot(ys, [p.usd for p in seg], color=colour, lw=2.0 if rental else 1.6, zorder=3,
                            ls=(0, (5, 3)) if dashed else "-")
                obs = [p for p in series if not p.projected]
                ax.plot([p.year for p in obs], [p.usd for p in obs], ls="none", marker="o" if rental else "s",
                        markersize=4, color=colour, zorder=4)
                lows += [p.low for p in series]
                highs += [p.high for p in series]
                ends.append((labels[f] if rental or b == "amortized" else f"{sci(f)} FLOP, amortized",
                             series[-1].usd, colour))
        if not lows:
            raise InputError("no year has an amortized cost to draw: " + "; ".join(
                dict.fromkeys(r.amortized_note or "no server price" for r in rows)))
        y0, y1 = min(lows) / 2, max(highs) * 2
        for v in marks.y:
            y0, y1 = min(y0, v / 1.5), max(y1, v * 1.5)
        ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
        ax.set_ylim(y0, y1)
        _dollar_axis(ax, log=True)
        ax.set_xticks(list(ticks))
        ax.set_xticklabels([_t(s) for s in ticks.values()], fontsize=7.5, rotation=90 if rotate else 0)
        for tick, y in zip(ax.get_xticklabels(), ticks, strict=True):
            if chip_by_year[y][1]:
                tick.set_color("0.45")
        ax.grid(True, which="major", color="0.88", lw=0.7, zorder=0)
        ax.set_axisbelow(True)
        ax.set_xlabel("year, and the cheapest chip that year")
        ax.set_ylabel(("amortized training cost" if b == "amortized" else "training cost")
                      + f" ({_usd_unit(label)}), final run only")
        _trend_legend(ax, projected, _dollar_rule_entries(ax, marks.y), shown=shown)
        _end_labels(page, ax, ends)
        return _save(page.fig, out, fmt)


@dataclass(frozen=True)
class TrendPoint:
    """One year of one series on a trend chart: the cost (USD, in the chart's dollars) and its 90% interval."""

    year: int
    usd: float
    low: float
    high: float
    projected: bool


def trend_rows(flops: Sequence[Any], *, start: int | None = None, end: int | None = None,
               gpus: Sequence[str] | None = None, price_tier: str | None = None, hardware: HardwareDB | None = None,
               basis: str = "rental", dollars: Any = None) -> list[Any]:
    """The rows plot_trend draws (flopcalc.trends.trend, with `basis` 'rental', 'amortized' or 'all' and
    `dollars`), without matplotlib."""
    from .trends import trend

    b = _dollar_basis(basis, "trend")
    return trend(flops, start=start, end=end, gpus=gpus, price_tier=price_tier, hardware=hardware, basis=b,
                 dollars=dollars)


def trend_series(rows: Sequence[Any], basis: str) -> list[TrendPoint]:
    """One FLOP figure's rows as the points of its 'rental' or 'amortized' line (years without an amortized cost,
    e.g. a chip with no server price, are left out)."""
    rows = sorted(rows, key=lambda r: r.year)
    if basis == "rental":
        return [TrendPoint(r.year, r.cost_usd, r.cost_usd_low, r.cost_usd_high, r.projected) for r in rows]
    return [TrendPoint(r.year, r.amortized_cost_usd, r.amortized_cost_usd_low, r.amortized_cost_usd_high, r.projected)
            for r in rows if r.amortized_cost_usd is not None]


def _trend_dollars(rows: Sequence[Any], shown: Sequence[str]) -> str:
    """The dollars of a trend chart: one month's, or nominal (each year's)."""
    if rows and rows[0].dollars:
        return str(rows[0].dollars)
    parts = []
    if "rental" in shown:
        parts.append("rental at each year's price")
    if "amortized" in shown:
        parts.append("amortized at each year's end")
    return f"nominal USD of each year ({'; '.join(parts)}); --dollars YYYY-MM gives constant dollars"


def _segments(rows: Sequence[Any]) -> list[tuple[list[Any], bool]]:
    """Runs of observed (solid) and projected (dashed) years. The step from an observed year into a projected
    one, or from a projected one into an observed one, belongs to the projected (dashed) run."""
    segs: list[tuple[list[Any], bool]] = []
    for r in rows:
        if not segs:
            segs.append(([r], r.projected))
            continue
        last, dashed = segs[-1]
        if dashed == r.projected:
            last.append(r)
        elif r.projected:
            segs.append(([last[-1], r], True))
        else:
            last.append(r)
            segs.append(([r], False))
    return [(rs, dashed) for rs, dashed in segs if len(rs) > 1]


def _trend_legend(ax: Any, projected: bool, extra: Sequence[tuple[Any, str]], *,
                  shown: Sequence[str] = ("rental",)) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    for which in shown:
        rental = which == "rental"
        handles.append((Patch(facecolor="0.45", alpha=_EVIDENCE_ALPHA + 0.1, edgecolor="none",
                              hatch=None if rental else "////"),
                        Line2D([], [], color="0.3", lw=2.0 if rental else 1.6, marker="o" if rental else "s",
                               markersize=4)))
        if len(shown) == 1 and rental:
            labels.append("observed: a dated price that year (band: 90% interval)")
        elif rental:
            labels.append("rental, observed: a dated price that year (band: 90% interval)")
        else:
            labels.append("amortized: the chip owned (Epoch AI's method; band: 90% interval)")
    if projected:
        handles.append((Patch(facecolor="0.45", alpha=_EVIDENCE_ALPHA, edgecolor="none"),
                        Line2D([], [], color="0.3", lw=2.0, ls=(0, (5, 3)))))
        labels.append("projected from the nearest dated year")
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    leg = ax.legend(handles, [_t(s) for s in labels], loc="upper right", fontsize=7.5, framealpha=0.95,
                    edgecolor="0.8", handlelength=3.2)
    leg.set_zorder(5)
    return leg
