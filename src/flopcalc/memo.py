"""A one-page memo of one answer: the question, the quotable sentence, assumption vs evidence, the rules
crossed on a date, the chips side by side, every source, and a stamp saying what made it.

`build_memo()` gathers the figures (cost_table for the chips, verdicts.check for the rules);
`render_html()` writes one self-contained page (inline CSS and SVG, no script, no network,
one printed page on A4 or Letter); `render_markdown()` the same in Markdown beside the chart as
an SVG file; `write_memo()` picks by suffix and writes. Every data string is escaped on the
way out: a shared profile or thresholds file is untrusted input. Only the standard library is
used (html.escape and f-strings: no template engine to import).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InputError, OutputError
from .fmt import money, money_sig, pct, plural, sci, sig
from .judgement import ratio_text
from .text import clean
from .units import mag

if TYPE_CHECKING:  # pragma: no cover
    from .estimate import CostResult
    from .hardware import HardwareDB
    from .rules import Threshold
    from .verdicts import CheckResult, ThresholdCheck

__all__ = [
    "SUFFIXES",
    "Memo",
    "SourceEntry",
    "build_memo",
    "chart_svg",
    "memo_format",
    "render_html",
    "render_markdown",
    "write_memo",
]

SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown"}
_URL = re.compile(r"https?://[^\s<>\"'`;,)\]]+")
_EVIDENCE_COLOUR = "#1f4e79"
_ASSUMPTION_COLOUR = "#c55a11"


@dataclass(frozen=True)
class SourceEntry:
    """One line of the sources list: what it backs, the source's own words, its URL and date."""

    what: str  # e.g. "h100, a100: peak, tdp" or "rule eu-ai-act-systemic-risk"
    text: str
    url: str | None = None
    date: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, url) pairs, e.g. known runs linked by name
    kind: str = "hardware"  # "hardware", "runs" or "rule"


@dataclass(frozen=True)
class Memo:
    """Everything a memo shows, as data (rendered by render_html / render_markdown)."""

    flop: float
    method: str  # how the FLOP figure was found: "flop", "architecture", "hardware" or "both"
    question: str
    answer: str  # the quotable sentence (the first chip's summary)
    answer_more: tuple[str, ...]  # the rules sentence, and the spread across chips
    results: tuple[CostResult, ...]
    check: CheckResult
    as_of: _dt.date
    basis_notes: tuple[str, ...]
    notes: tuple[str, ...]
    sources: tuple[SourceEntry, ...]
    version: str
    data_dates: tuple[tuple[str, str], ...]
    command: str | None


# ----------------------------------------------------------------------------------------------- gathering


def build_memo(flop: Any = None, gpus: Sequence[str] = ("h100",), *, params: Any = None, tokens: Any = None,
               chips: Any = None, days: Any = None, as_of: _dt.date | str | None = None, revenue: Any = None,
               precision: str | None = None, peak: Any = None, efficiency: Any = None, price: Any = None,
               price_tier: str | None = None, overhead: Any = None, hardware: HardwareDB | None = None,
               rules: Iterable[Threshold] | None = None, command: str | None = None, base_flop: Any = None,
               finetune_tokens: Any = None, trainable_params: Any = None, basis: str = "rental") -> Memo:
    """Gather one memo: `flop` (or params and tokens, or chips and days on the first chip) costed on every
    chip in `gpus`, and set against the rules as they stood on `as_of` (default today).

    A given `as_of` also prices each chip at its price on that date (as `flopcalc cost --as-of`, the
    same scenario). Dollar limits are tested at the first chip's final-run compute cost. A modification
    (`base_flop` with `finetune_tokens` and `params`) is reported with whether the modifier becomes the
    provider of a new model. `basis` ('amortized', 'acquisition' or 'all') adds the final run's other
    dollars, chip by chip (docs/cost-bases.md).
    """
    from . import __version__
    from .datadates import data_as_of
    from .estimate import basis_notes, cost_table
    from .hardware import resolve
    from .inputs import parse_date
    from .rules import load_thresholds
    from .units import parse_quantity
    from .verdicts import check

    gpus = list(gpus) or ["h100"]
    modification = base_flop is not None or finetune_tokens is not None
    estimated = any(x is not None for x in (tokens, chips, days)) or (params is not None and not modification)
    if flop is not None and (estimated or modification):
        raise InputError("give FLOP, or an estimation method (--params and --tokens, or --chips and --days), "
                         "not both")
    if flop is None and not estimated and not modification:
        raise InputError("nothing to report: give FLOP (1e26), or --params and --tokens, or --chips and --days")
    day = parse_date(as_of, what="as-of date") if as_of is not None else _dt.date.today()
    rule_list = load_thresholds() if rules is None else list(rules)
    first = resolve(gpus[0], hardware)
    assumptions = {k: v for k, v in dict(peak=peak, efficiency=efficiency, price=price, price_tier=price_tier,
                                          overhead=overhead).items() if v is not None}
    res = check(flop=parse_quantity(flop, "flop", what="FLOP") if flop is not None else None, params=params,
                tokens=tokens, gpu=first, chips=chips, days=days, revenue=revenue, as_of=as_of, rules=rule_list,
                hardware=hardware, precision=precision if first.has_precision(precision) else None,
                base_flop=base_flop, finetune_tokens=finetune_tokens, trainable_params=trainable_params,
                **assumptions)
    f = res.flop.to("FLOP")
    results = tuple(cost_table([f], gpus, precision=precision, hardware=hardware,
                               as_of=day if as_of is not None else None, **assumptions))
    x = mag(f, "FLOP")
    names = _join([r.gpu_name for r in results])
    how = {
        "flop": f"{sci(x, 3)} FLOP",
        "architecture": f"{sci(x, 3)} FLOP (6 x parameters x tokens)",
        "hardware": f"{sci(x, 3)} FLOP ({res.chips:,} {res.gpu} chips for {_days(res)} days at the assumed "
                    f"efficiency{_flop_interval(res)})" if res.chips else f"{sci(x, 3)} FLOP",
        "both": f"{sci(x, 3)} FLOP (the larger of the architecture and hardware estimates)",
    }.get(res.method, f"{sci(x, 3)} FLOP")
    question = (f"What does a training run of {how} cost on {names}, and which AI rules does it cross "
                f"on {day.isoformat()}?")
    more = [_rules_sentence(res, day)]
    if basis != "rental":
        more.append(_bases_sentence(results, basis))
    spread = _spread_sentence(results)
    if spread:
        more.append(spread)
    notes = list(dict.fromkeys([*res.notes, *(n for r in results for n in r.notes)]))
    dates = data_as_of()
    stamp = [("thresholds", dates.get("thresholds") or "-"), ("runs", dates.get("runs") or "-")]
    stamp += [(f"hardware {r.gpu}", r.data_as_of or "-") for r in _unique_chips(results)]
    answer = results[0].summary
    if res.method == "hardware" and res.chips and res.days is not None:
        # a given cluster: its chip-hours and dollars are known; the evidence is on the FLOP it delivers
        answer = _cluster_answer(res, results[0])
        more.insert(1, f"The table prices {sci(x, 3)} FLOP, the cluster's output at the assumption, on each chip.")
    return Memo(flop=x, method=res.method, question=question, answer=answer, answer_more=tuple(more),
                results=results, check=res, as_of=day, basis_notes=tuple(basis_notes(results)), notes=tuple(notes),
                sources=tuple(_sources(results, res, hardware, as_of_given=as_of is not None)),
                version=__version__, data_dates=tuple(stamp), command=command)


def _cluster_answer(res: CheckResult, r: CostResult) -> str:
    """The answer for a given cluster: what it costs (known), what it delivers at the assumption, what the evidence
    says it delivers (check's figures: the same scenario)."""
    chips, days = res.chips or 0, mag(res.days, "day") if res.days is not None else 0.0
    text = (f"{chips:,} {res.gpu} chips for {days:g} days: {sig(chips * days * 24)} chip-hours and "
            f"{money_sig(mag(res.cost, 'USD'))} at {money(mag(r.price, 'USD/hour'))}/h {r.price_tier or ''}".rstrip()
            + f"; at the assumed {pct(float(getattr(r.efficiency, 'magnitude', r.efficiency)))} of dense "
            f"{r.precision.upper()} peak they deliver "
            f"{sci(mag(res.flop, 'FLOP'), 3)} FLOP")
    lo, hi, mid = res.flop_low, res.flop_high, res.flop_centre
    if lo is not None and hi is not None and mid is not None:
        cited = " (cited MFU range, not runs)" if res.evidence_basis == "cited" else ""
        text += (f"; the evidence implies {sci(mag(mid, 'FLOP'), 3)} FLOP (90% interval "
                 f"{sci(mag(lo, 'FLOP'), 3)}-{sci(mag(hi, 'FLOP'), 3)}){cited}")
    return text + "."


def _flop_interval(res: CheckResult) -> str:
    lo, hi = res.flop_low, res.flop_high
    if lo is None or hi is None or mag(lo, "FLOP") == mag(hi, "FLOP"):
        return ""
    return f"; 90% interval on the evidence {sci(mag(lo, 'FLOP'), 3)}-{sci(mag(hi, 'FLOP'), 3)}"


def _days(res: CheckResult) -> str:
    return f"{mag(res.days, 'day'):g}" if res.days is not None else "?"


def _join(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _unique_chips(results: Iterable[CostResult]) -> list[CostResult]:
    seen: dict[str, CostResult] = {}
    for r in results:
        seen.setdefault(r.gpu, r)
    return list(seen.values())


def _rules_sentence(res: CheckResult, day: _dt.date) -> str:
    binding = res.binding

    def named(c: ThresholdCheck) -> str:
        return c.threshold.id + (" (UNCONFIRMED)" if c.threshold.confidence == "unconfirmed" else "")

    crossed = [named(c) for c in binding if c.verdict == "crossed"]
    straddles = [named(c) for c in binding if c.verdict == "uncertain" and "straddles" in c.reason]
    apart = [named(c) for c in binding if c.verdict == "uncertain" and "straddles" not in c.reason]
    revenue = [c.threshold.id for c in binding if c.verdict == "needs revenue"]
    head = (f"On {day.isoformat()} it crosses {len(crossed)} of the {len(binding)} rule"
            f"{'' if len(binding) == 1 else 's'} in force"
            + (f" ({', '.join(crossed)})" if crossed else ""))
    tail = []
    if res.provider is not None:
        tail.append(res.provider.reason)
    if straddles:
        tail.append(f"{len(straddles)} {'is' if len(straddles) == 1 else 'are'} uncertain because the 90% evidence "
                    f"interval straddles the line ({', '.join(straddles)})")
    if apart:
        tail.append(f"{len(apart)} {'is' if len(apart) == 1 else 'are'} uncertain because the assumption and the "
                    f"whole 90% evidence interval fall on opposite sides of the line ({', '.join(apart)})")
    upcoming = [f"{c.threshold.id} from {c.threshold.effective_from}" for c in res.upcoming
                if c.verdict == "crossed"]
    if upcoming:
        tail.append(f"it also crosses {len(upcoming)} enacted rule{'s' if len(upcoming) != 1 else ''} not yet in "
                    f"force ({', '.join(upcoming)})")
    if revenue:
        tail.append(f"{len(revenue)} more turn{'s' if len(revenue) == 1 else ''} on the developer's revenue, "
                    "not given")
    return head + ("; " + "; ".join(tail) if tail else "") + "."


def _bases_sentence(results: Sequence[CostResult], basis: str) -> str:
    """The final run's other dollars on each chip: amortized (the owner's cost) and acquisition (the cluster)."""
    from .bases import bases_of

    on = [(r.gpu, bases_of(r, basis=basis)) for r in results]
    parts = []
    if any(b.amortized is not None for _, b in on):
        parts.append("amortized, what the run costs the chips' owner (Epoch AI's method): " + ", ".join(
            f"{money_sig(mag(b.amortized, 'USD'))} on {g}" for g, b in on if b.amortized is not None))
    if any(b.acquisition is not None for _, b in on):
        parts.append("acquisition, what the cluster costs to buy: " + ", ".join(
            f"{money_sig(mag(b.acquisition, 'USD'))} on {g} ({plural(b.costs.chips, 'chip')})" for g, b in on
            if b.acquisition is not None and b.costs is not None and b.costs.chips is not None))
    labels = {b.dollars for _, b in on}
    label = labels.pop() if len(labels) == 1 else "nominal USD, each chip's at the dates of its own prices"
    return f"In other dollars ({label}): " + "; ".join(parts) + "."


MAX_RUN_LINKS = 12  # runs named per evidence group in a memo's sources (one page); the rest: flopcalc runs


def _spread_sentence(results: Sequence[CostResult]) -> str | None:
    costs = [(mag(r.evidence.cost, "USD"), r.gpu) for r in results
             if r.evidence is not None and r.evidence.cost is not None]
    if len({gpu for _, gpu in costs}) < 2:
        return None
    (low, lo_gpu), (high, hi_gpu) = min(costs), max(costs)
    cited = [r.gpu for r in results if r.evidence is not None and r.evidence.basis == "cited"]
    if not cited:
        return (f"Like for like (evidence figures, one method), the cost runs from {money_sig(low)} on {lo_gpu} to "
                f"{money_sig(high)} on {hi_gpu}.")
    return (f"On the evidence figures the cost runs from {money_sig(low)} on {lo_gpu} to {money_sig(high)} on "
            f"{hi_gpu} ({', '.join(dict.fromkeys(cited))}: cited MFU range, not runs).")


# the profile fields a memo shows (energy, memory and sparse peaks are not in it), and those it names
_USED_FIELDS = ("peak", "efficiency", "price", "price_tier", "price_date", "mfu_range", "efficiency_range",
                "price_range", "prices", "overhead")
_SHOWN_FIELDS = ("peak", "efficiency", "price", "mfu_range", "efficiency_range", "price_range", "prices", "overhead",
                 "released")


def _sources(results: Sequence[CostResult], res: CheckResult, hardware: HardwareDB | None, *,
             as_of_given: bool) -> list[SourceEntry]:
    from .hardware import resolve

    out: list[SourceEntry] = []
    # hardware profiles: one line per distinct source of a figure the memo uses, naming the chips and fields
    used = _USED_FIELDS + (("released",) if as_of_given else ())
    merged: dict[tuple[str, str | None, str], list[str]] = {}
    for r in _unique_chips(results):
        prof = resolve(r.gpu, hardware)
        for s in prof.sources:
            if any(s.covers(f) for f in used):
                shown = [f for f in (x.strip() for x in s.field.split(",")) if f in _SHOWN_FIELDS or f == "*"]
                merged.setdefault((s.source, s.url, s.date), []).append(f"{prof.id} {', '.join(shown) or s.field}")
        if r.price_date is not None and r.price_tier not in (None, "given"):
            pick = next((p for p in prof.prices if p.date == r.price_date and p.tier == r.price_tier
                         and math.isclose(p.usd_per_hour, mag(r.price, "USD/hour"))), None)
            if pick is not None:
                merged.setdefault((pick.source, pick.url, pick.date), []).append(
                    f"{prof.id} price used ({money(pick.usd_per_hour)}/h, {pick.tier})")
    for (text, url, date), what in merged.items():
        out.append(SourceEntry(what="; ".join(what), text=text, url=url, date=date))
    # the known runs behind each evidence interval
    groups: dict[str, list[str]] = {}
    for r in results:
        ev = r.evidence
        if ev is not None and ev.basis in ("runs", "class") and ev.group:
            groups.setdefault(ev.group, []).append(r.gpu)
    if groups:
        from .datadates import file_stamp
        from .evidence import default_model

        model = default_model()
        runs = _runs_by_model()
        for group, chips in groups.items():
            generation, _, cls = group.rpartition(", ")
            obs = model.group_runs(generation, cls)
            named = sorted(obs, key=lambda o: -(o.log10_flop or 0.0))[:MAX_RUN_LINKS]  # the largest: nearest the lines
            links = []
            for o in named:
                url, year = runs.get(o.model, (None, None))
                links.append((o.model + (f" ({year})" if year else ""), url or ""))
            fit = model.fits.get(cls)
            centre = f"the {cls} class centre of {fit.runs} known runs" if fit else f"the {cls} class centre"
            text = (f"{len(obs)} known run{'' if len(obs) == 1 else 's'} in group ({group}), shrunk toward {centre}"
                    if obs else f"no known runs in group ({group}): {centre}")
            if len(obs) > len(named):
                text += (f" (flopcalc runs.yaml; the {len(named)} largest link to their sources; all {len(obs)} "
                         f"are listed by flopcalc calibrate --gpu {chips[0]} --format json)")
            else:
                text += " (flopcalc runs.yaml" + ("; each name links to the run's source)" if obs else ")")
            out.append(SourceEntry(what=f"{_join(list(dict.fromkeys(chips)))} evidence", text=text,
                                   date=file_stamp("runs.yaml"), links=tuple(links), kind="runs"))
    # the rules: those in force on the date, and any other the run crosses
    by_source: dict[tuple[str, str | None], list[str]] = {}
    for c in res.checks:
        if c.binding or c.verdict == "crossed":
            t = c.threshold
            by_source.setdefault((t.source, t.status_as_of), []).append(t.id)
    for (text, checked), ids in by_source.items():
        out.append(SourceEntry(what="rule " + ", ".join(ids), text=text,
                               date=f"status checked {checked}" if checked else None, kind="rule"))
    return out


def _runs_by_model() -> dict[str, tuple[str | None, int | None]]:
    from .runs import load_runs

    out: dict[str, tuple[str | None, int | None]] = {}
    for run in load_runs():
        m = _URL.search(run.source or "")
        out[run.model] = (_safe_url(m[0]) if m else None, run.year)
    return out


# ----------------------------------------------------------------------------------------------- safe text


def _safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) address (no script, no data:, no spaces), else None."""
    if not url:
        return None
    u = clean(url).strip().rstrip(".")
    if any(ch in u for ch in " \"'<>`\\"):
        return None
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return u


def _display_url(url: str, limit: int = 56) -> str:
    """A URL as people read it on paper: no scheme, no 'www.', and a very long one cut short (the link keeps it)."""
    shown = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return shown if len(shown) <= limit else shown[:limit - 1] + "\u2026"


def _short(text: str, limit: int = 84) -> str:
    """Text cut at a word boundary near `limit` characters (texts holding a link are left whole)."""
    if len(text) <= limit or _URL.search(text):
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip(" ,;:(") + "\u2026"


def _h(text: Any) -> str:
    """Text for HTML or SVG: control characters removed, &, <, >, quotes escaped."""
    return escape(clean("" if text is None else str(text)), quote=True)


def _h_linked(text: str) -> str:
    """Escaped text whose http(s) URLs become links."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = _safe_url(m[0])
        out.append(_h(text[pos:m.start()]))
        out.append(_a(url, _display_url(url)) if url else _h(m[0]))
        pos = m.end()
    out.append(_h(text[pos:]))
    return "".join(out)


def _a(url: str | None, label: str) -> str:
    safe = _safe_url(url)
    if safe is None:
        return _h(label)
    return f'<a href="{_h(safe)}">{_h(label)}</a>'


def _md(text: Any) -> str:
    """Text for Markdown: HTML-escaped, and the characters Markdown acts on (links, images, code, emphasis,
    tables, headings) backslash-escaped."""
    s = escape(clean("" if text is None else str(text)), quote=False)
    return re.sub(r"([\\`*_\[\]|#!~])", r"\\\1", s)


def _md_link(url: str | None, label: str) -> str:
    safe = _safe_url(url)
    if safe is None:
        return _md(label)
    return f"[{_md(label)}]({safe.replace('(', '%28').replace(')', '%29')})"


def _md_linked(text: str) -> str:
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = _safe_url(m[0])
        out.append(_md(text[pos:m.start()]))
        out.append(_md_link(url, _display_url(url)) if url else _md(m[0]))
        pos = m.end()
    out.append(_md(text[pos:]))
    return "".join(out)


# ----------------------------------------------------------------------------------------------- figures


_CHIP_HEAD = ("chip", "peak TFLOP/s", "assumed eff.", "$ per chip-hour", "chip-hours", "assumed cost",
              "evidence eff. (90%)", "evidence cost (90%)")


_CHIP_HEAD_HTML = ("chip", "peak TFLOP/s", "efficiency", "$ per chip-hour", "chip-hours", "cost", "efficiency",
                   "cost")


def _chip_rows(m: Memo) -> list[list[str]]:
    """The like-for-like table: the assumption beside the evidence, one row per chip."""
    rows = []
    for r in m.results:
        ev = r.evidence
        tier = r.price_tier or "untiered"
        row = [
            f"{r.gpu} {r.precision}{'*' if r.precision_fallback else ''}",
            f"{mag(r.peak, 'TFLOP/s'):g}",
            pct(mag(r.efficiency, "")),
            f"{money(mag(r.price, 'USD/hour'))} {tier}{' (' + r.price_date + ')' if r.price_date else ''}",
            sig(mag(r.chip_hours, "hour")),
            money_sig(mag(r.cost, "USD")),
        ]
        if ev is not None and ev.efficiency is not None and ev.cost is not None:
            assert ev.efficiency_low is not None and ev.efficiency_high is not None
            assert ev.cost_low is not None and ev.cost_high is not None  # set together with ev.cost
            kind = {"runs": "all-in", "class": "all-in, class"}.get(ev.basis, "cited")
            row += [f"{pct(ev.efficiency)} ({pct(ev.efficiency_low)}-{pct(ev.efficiency_high)}) {kind}",
                    f"{money_sig(mag(ev.cost, 'USD'))} ({money_sig(mag(ev.cost_low, 'USD'))}-"
                    f"{money_sig(mag(ev.cost_high, 'USD'))})"]
        else:
            row += ["none", "none"]
        rows.append(row)
    return rows


_RULE_HEAD = ("rule", "limit", "status on date", "verdict", "run / limit")


def _tier_not_reached(c: ThresholdCheck) -> bool:
    """A large-developer tier (compute AND revenue) that the run's compute alone already leaves uncrossed."""
    kinds = {lim.kind for lim in c.threshold.limits}
    return c.verdict == "not crossed" and {"flop", "revenue_usd"} <= kinds


def _rule_rows(m: Memo) -> list[tuple[ThresholdCheck, list[str]]]:
    """The rules in force on the date (revenue tiers apart when no revenue was given, and when the
    run's compute already leaves them uncrossed)."""
    out = []
    for c in m.check.binding:
        if (c.verdict == "needs revenue" and m.check.revenue is None) or _tier_not_reached(c):
            continue
        t = c.threshold
        ratio = ratio_text(c.ratio)
        flag = " (UNCONFIRMED)" if t.confidence == "unconfirmed" else ""
        out.append((c, [f"{t.id}{flag}: {t.name}", t.describe_limits(), c.status_on_date, c.verdict, ratio]))
    return out


def _rule_lines(m: Memo) -> list[str]:
    """The lines under the rules table: revenue tiers not tested, other rules crossed, scopes, the key."""
    day = m.as_of.isoformat()
    out = []
    revenue = [c for c in m.check.binding if c.verdict == "needs revenue" and m.check.revenue is None]
    if revenue:
        by_limit: dict[str, list[str]] = {}
        for c in revenue:
            by_limit.setdefault(c.threshold.describe_limits(), []).append(f"{c.threshold.id} ({c.status_on_date})")
        out.append("Not tested without the developer's revenue (give --revenue): "
                   + "; ".join(f"{lim}: {', '.join(ids)}" for lim, ids in by_limit.items()) + ".")
    tiers = [c for c in m.check.binding if _tier_not_reached(c)]
    if tiers:
        out.append("Not crossed either, whatever the revenue: the large-developer tiers that add a revenue test to a "
                   "compute line the run does not cross: " + ", ".join(f"{c.threshold.id} ({c.status_on_date})"
                                                                     for c in tiers) + ".")
    others = [c for c in m.check.others if c.verdict == "crossed"]
    if others:
        out.append(f"Also crossed, but not binding on {day} (for reference only): "
                   + ", ".join(f"{c.threshold.id} ({c.status_on_date})" for c in others) + ".")
    out += [f"{c.threshold.id} applies only to {c.threshold.scope}." for c in m.check.binding
            if c.verdict == "crossed" and c.threshold.scope]
    verdicts = {c.verdict for c in m.check.binding}
    key = [k for v, k in (("uncertain", "uncertain = the 90% evidence interval straddles the line, or it and the "
                                        "assumption fall on opposite sides"),
                          ("needs cluster size", "needs cluster size = give --chips and --days")) if v in verdicts]
    if any(lim.kind == "usd" for c in m.check.binding for lim in c.threshold.limits):
        key.append(f"dollar limits are tested at the final run's compute cost on {m.results[0].gpu}")
    if key:
        out.append("Key: " + "; ".join(key) + ".")
    return out


_TABLE_NOTE = ("Assumed efficiency: a fraction of dense peak over billed chip-hours. Evidence: 'all-in' = what known "
               "runs on the chip's generation imply (from billed chip-hours); 'all-in, class' = no runs on its "
               "generation yet, so its precision class's; 'cited' = the profile's cited MFU range, not runs. 90% "
               "intervals, for a run like those in the public record at this scale (a well-engineered frontier run "
               "may sit in the upper half or above). Costs: the final run, before overhead.")


def _overhead_line(m: Memo) -> str:
    parts = [f"{r.gpu} x{mag(r.overhead, ''):g} = {money_sig(mag(r.cost_with_overhead, 'USD'))}" for r in m.results]
    text = "With overhead (failed runs, restarts, bugs), the assumed cost is " + "; ".join(parts) + "."
    # the evidence cost is at the centre of the chip's tier price range: say so where that is not the table's price
    other = [f"{r.gpu} {money(mag(r.evidence.price, 'USD/hour'))}/h" for r in m.results if r.evidence is not None
             and r.evidence.cost is not None
             and not math.isclose(mag(r.evidence.price, "USD/hour"), mag(r.price, "USD/hour"), rel_tol=5e-3)]
    if other:
        text += " Evidence costs use the centre of the tier's price range: " + ", ".join(other) + "."
    return text


# ----------------------------------------------------------------------------------------------- the chart


def _nice(v: float) -> str:
    """A tick label: $10M, $200M, $1B, $2.5k."""
    for step, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, "")):
        if v >= step:
            return f"${v / step:g}{suffix}"
    return f"${v:.2g}"


def chart_svg(m: Memo, *, standalone: bool = False) -> str:
    """The cost chart: per chip, the evidence cost with its 90% interval (whisker) and the assumption (tick),
    on a log dollar axis. Hand-written SVG; every label escaped."""
    rows = m.results
    values = []
    for r in rows:
        values.append(mag(r.cost, "USD"))
        ev = r.evidence
        if ev is not None and ev.cost is not None and ev.cost_low is not None and ev.cost_high is not None:
            values += [mag(ev.cost_low, "USD"), mag(ev.cost_high, "USD")]
    values = [v for v in values if v > 0 and math.isfinite(v)] or [1.0]
    lo_e = math.floor(math.log10(min(values)))
    hi_e = math.ceil(math.log10(max(values)))
    if hi_e == lo_e:
        hi_e += 1
    left, right, top = 130, 664, 8
    row_h = 24 if len(rows) <= 2 else 17  # more chips, tighter rows: the memo stays one page
    width = 680
    plot_h = row_h * len(rows)
    height = top + plot_h + 33

    def x(v: float) -> float:
        return left + (math.log10(v) - lo_e) / (hi_e - lo_e) * (right - left)

    ticks = []
    for e in range(lo_e, hi_e + 1):
        for k in ((1, 2, 5) if hi_e - lo_e <= 2 else (1,)):
            v = k * 10.0 ** e
            if 10.0 ** lo_e <= v <= 10.0 ** hi_e:
                ticks.append(v)
    label = ("Training cost of the final run (USD, log scale, before overhead): evidence centre and 90% interval; "
             "assumption as a tick")
    parts = [
        f'<svg {"xmlns=" + chr(34) + "http://www.w3.org/2000/svg" + chr(34) + " " if standalone else ""}'
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_h(label)}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>{_h(label)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # the key, on one line under the axis: the marks on the left, the axis's unit on the right
    yk = top + plot_h + 29
    parts.append(f'<g font-size="10" fill="#333"><line x1="6" y1="{yk - 4}" x2="32" y2="{yk - 4}" '
                 f'stroke="{_EVIDENCE_COLOUR}" stroke-width="2"/><circle cx="19" cy="{yk - 4}" r="3.5" '
                 f'fill="{_EVIDENCE_COLOUR}"/><text x="38" y="{yk}">evidence, 90% interval (dashed: class or cited)'
                 f'</text><line x1="292" y1="{yk - 11}" x2="292" y2="{yk + 3}" stroke="{_ASSUMPTION_COLOUR}" '
                 f'stroke-width="3"/><text x="299" y="{yk}">assumption</text>'
                 f'<text x="{right}" y="{yk}" text-anchor="end">training cost, USD, log scale, before overhead'
                 "</text></g>")
    for v in ticks:
        xv = x(v)
        major = abs(math.log10(v) - round(math.log10(v))) < 1e-9
        parts.append(f'<line x1="{xv:.1f}" y1="{top - 4}" x2="{xv:.1f}" y2="{top + plot_h}" '
                     f'stroke="{"#c8c8c8" if major else "#e6e6e6"}" stroke-width="1"/>')
        parts.append(f'<text x="{xv:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#333">'
                     f"{_h(_nice(v))}</text>")
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{right}" y2="{top + plot_h}" stroke="#555"/>')
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        name = f"{r.gpu} ({r.precision})"
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#111">{_h(name)}</text>')
        ev = r.evidence
        tip = f"{r.gpu_name}: assumption {money_sig(mag(r.cost, 'USD'))}"
        if ev is not None and ev.cost is not None and ev.cost_low is not None and ev.cost_high is not None:
            lo, mid, hi = (mag(q, "USD") for q in (ev.cost_low, ev.cost, ev.cost_high))
            dash = ' stroke-dasharray="4 3"' if ev.basis != "runs" else ""
            tip += (f"; {'evidence' if ev.basis == 'runs' else 'class evidence' if ev.basis == 'class' else 'cited MFU range'} {money_sig(mid)} "
                    f"(90% {money_sig(lo)}-{money_sig(hi)})")
            parts.append(f'<g><title>{_h(tip)}</title>'
                         f'<line x1="{x(lo):.1f}" y1="{y:.1f}" x2="{x(hi):.1f}" y2="{y:.1f}" '
                         f'stroke="{_EVIDENCE_COLOUR}" stroke-width="2"{dash}/>'
                         f'<line x1="{x(lo):.1f}" y1="{y - 5:.1f}" x2="{x(lo):.1f}" y2="{y + 5:.1f}" '
                         f'stroke="{_EVIDENCE_COLOUR}" stroke-width="1.5"/>'
                         f'<line x1="{x(hi):.1f}" y1="{y - 5:.1f}" x2="{x(hi):.1f}" y2="{y + 5:.1f}" '
                         f'stroke="{_EVIDENCE_COLOUR}" stroke-width="1.5"/>'
                         f'<circle cx="{x(mid):.1f}" cy="{y:.1f}" r="4" fill="{_EVIDENCE_COLOUR}"/></g>')
        else:
            parts.append(f'<text x="{right}" y="{y + 4:.1f}" text-anchor="end" fill="#666">no evidence interval'
                         f"</text>")
        xa = x(mag(r.cost, "USD"))
        parts.append(f'<g><title>{_h(tip)}</title><line x1="{xa:.1f}" y1="{y - 8:.1f}" x2="{xa:.1f}" '
                     f'y2="{y + 8:.1f}" stroke="{_ASSUMPTION_COLOUR}" stroke-width="3"/></g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------------------------------------- HTML

_CSS = """
@page { margin: 9mm 11mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; font-size: 9pt;
  line-height: 1.3; color: #111; background: #fff; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
@media print { body { padding: 0; max-width: none; } }
header { display: flex; justify-content: space-between; font-size: 7.5pt; color: #555;
  border-bottom: 2px solid #1f4e79; padding-bottom: 0.8mm; margin-bottom: 2mm; }
h1 { font-size: 11.5pt; line-height: 1.25; margin: 0 0 1.6mm; font-weight: 600; }
h2 { font-size: 9.5pt; margin: 2.2mm 0 0.8mm; color: #1f4e79; }
p { margin: 0 0 0.8mm; }
.answer { border-left: 3px solid #1f4e79; background: #f1f5fa; padding: 1.6mm 2.6mm; }
.answer .quote { font-size: 9.5pt; font-weight: 600; }
.answer p:last-child { margin-bottom: 0; }
table { border-collapse: collapse; width: 100%; font-size: 7.6pt; line-height: 1.25; margin: 0 0 0.8mm; }
th, td { text-align: left; padding: 0.35mm 1.2mm; border-bottom: 1px solid #dcdcdc; vertical-align: top; }
th { font-weight: 600; background: #f4f4f4; }
table.chips td { white-space: nowrap; }
table.chips th.group { text-align: center; background: #e9eef5; border-bottom: 1px solid #fff; }
tr.crossed td { font-weight: 600; }
figure { margin: 0.5mm 0; }
figure svg { width: 100%; height: auto; display: block; }
.small { font-size: 7pt; line-height: 1.25; color: #333; }
ol.sources.wide { columns: 4; font-size: 5.6pt; line-height: 1.15; }
ol.sources { font-size: 6.1pt; line-height: 1.2; color: #222; columns: 3; column-gap: 4mm; margin: 0;
  padding-left: 0; list-style-position: inside; }
ol.sources li { overflow-wrap: anywhere; margin: 0 0 0.4mm; }
a { color: #1f4e79; text-decoration: none; }
footer { font-size: 6.5pt; color: #444; border-top: 1px solid #bbb; margin-top: 1.5mm; padding-top: 0.8mm;
  overflow-wrap: anywhere; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 6.3pt; }
"""


def render_html(m: Memo) -> str:
    """One self-contained HTML page: inline CSS and SVG, no script, no external reference but source links."""
    day = m.as_of.isoformat()
    p: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h('flopcalc memo: ' + sci(m.flop, 3) + ' FLOP, rules on ' + day)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_h(m.question)}</h1>",
        '<section class="answer">',
        f'<p class="quote" id="answer">{_h(m.answer)}</p>',
        *(f"<p>{_h(s)}</p>" for s in m.answer_more),
        "</section>",
        "<h2>Assumption vs evidence, chip by chip</h2>",
        '<table class="chips"><thead><tr><th colspan="2"></th><th class="group" colspan="4">assumption</th>'
        '<th class="group" colspan="2">evidence, 90% interval</th></tr><tr>'
        + "".join(f"<th>{_h(h)}</th>" for h in _CHIP_HEAD_HTML) + "</tr></thead><tbody>",
    ]
    for row in _chip_rows(m):
        p.append("<tr>" + "".join(f"<td>{_h(v)}</td>" for v in row) + "</tr>")
    p.append("</tbody></table>")
    p.append(f'<figure id="chart">{chart_svg(m)}</figure>')
    p.append(f'<p class="small">{_h(_TABLE_NOTE + " " + _overhead_line(m))}</p>')
    for n in m.basis_notes:
        p.append(f'<p class="small">{_h(n)}</p>')
    if m.notes:
        p.append(f'<p class="small">{_h("Notes: " + "; ".join(m.notes) + ".")}</p>')
    p.append(f"<h2>The rules on {_h(day)}: in force</h2>")
    p.append("<table><thead><tr>" + "".join(f"<th>{_h(h)}</th>" for h in _RULE_HEAD) + "</tr></thead><tbody>")
    rows = _rule_rows(m)
    for c, cells in rows:
        cls = ' class="crossed"' if c.verdict == "crossed" else ""
        p.append(f"<tr{cls}>" + "".join(f"<td>{_h(v)}</td>" for v in cells) + "</tr>")
    if not rows:
        p.append(f'<tr><td colspan="5">No rule with a compute or dollar test was in force on {_h(day)}.'
                 "</td></tr>")
    p.append("</tbody></table>")
    for line in _rule_lines(m):
        p.append(f'<p class="small">{_h(line)}</p>')
    rule_dates = {s.date for s in m.sources if s.kind == "rule"}
    common = rule_dates.pop() if len(rule_dates) == 1 else None
    p.append("<h2>Sources" + (f' <span class="small">(rules: {_h(common)})</span>' if common else "") + "</h2>")
    p.append('<ol class="sources wide">' if len(m.sources) > 20 else '<ol class="sources">')
    for s in m.sources:
        p.append("<li>" + _source_html(s, skip_date=common is not None and s.kind == "rule") + "</li>")
    p.append("</ol>")
    p.append("<footer>" + _stamp_html(m) + "</footer>")
    p.append("</body></html>")
    return "\n".join(p) + "\n"


def _source_html(s: SourceEntry, *, skip_date: bool = False) -> str:
    short = _short(s.text) if s.kind == "hardware" else s.text
    text = _h_linked(s.text) if short == s.text else f'<span title="{_h(s.text)}">{_h(short)}</span>'
    parts = [f"<b>{_h(s.what)}</b>: {text}"]
    if s.links:
        parts.append(": " + ", ".join(_a(url, label) for label, url in s.links))
    if s.date and not skip_date:
        parts.append(f" ({_h(s.date)})")
    safe = _safe_url(s.url)
    if safe and safe not in s.text:
        parts.append(" " + _a(safe, _display_url(safe)))
    elif s.url and not safe:
        parts.append(" " + _h(s.url))
    return "".join(parts)


def _stamp_text(m: Memo) -> tuple[str, str]:
    dates = ", ".join(f"{k} {v}" for k, v in m.data_dates)
    return f"flopcalc {m.version}; data as of: {dates}", m.command or ""


def _stamp_html(m: Memo) -> str:
    head, cmd = _stamp_text(m)
    out = _h(head)
    if cmd:
        out += f"<br>made by: <code>{_h(cmd)}</code>"
    return out


# ----------------------------------------------------------------------------------------------- Markdown


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_markdown(m: Memo, chart: str = "memo.svg") -> str:
    """The memo in Markdown, the chart referenced as `chart` (an SVG file written beside it)."""
    day = m.as_of.isoformat()
    out = [f"# {_md(m.question)}", "", f"> **{_md(m.answer)}**", ">"]
    out += "\n>\n".join(f"> {_md(s)}" for s in m.answer_more).split("\n")
    out += ["", "## Assumption vs evidence, chip by chip", "", _md_row([_md(h) for h in _CHIP_HEAD]),
            _md_row(["---"] * len(_CHIP_HEAD))]
    out += [_md_row([_md(v) for v in row]) for row in _chip_rows(m)]
    label = "Training cost per chip: evidence centre and 90% interval, assumption as a tick"
    target = chart.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    out += ["", f"![{_md(label)}]({target})", "", _md(_TABLE_NOTE + " " + _overhead_line(m)), ""]
    out += [f"- {_md(n)}" for n in (*m.basis_notes, *(f"Note: {x}" for x in m.notes))]
    out += ["", f"## The rules on {_md(day)}: in force", "", _md_row([_md(h) for h in _RULE_HEAD]),
            _md_row(["---"] * len(_RULE_HEAD))]
    rows = _rule_rows(m)
    for c, cells in rows:
        shown = [_md(v) for v in cells]
        if c.verdict == "crossed":
            shown[3] = f"**{shown[3]}**"
        out.append(_md_row(shown))
    if not rows:
        out.append(_md_row([_md(f"No rule with a compute or dollar test was in force on {day}."),
                            "", "", "", ""]))
    out.append("")
    out += [f"- {_md(x)}" for x in _rule_lines(m)]
    out += ["", "## Sources", ""]
    for i, s in enumerate(m.sources, 1):
        line = f"{i}. **{_md(s.what)}**: {_md_linked(s.text)}"
        if s.links:
            line += ": " + ", ".join(_md_link(url, label) for label, url in s.links)
        if s.date:
            line += f" ({_md(s.date)})"
        safe = _safe_url(s.url)
        if safe and safe not in s.text:
            line += " " + _md_link(safe, _display_url(safe))
        elif s.url and not safe:
            line += " " + _md(s.url)
        out.append(line)
    head, cmd = _stamp_text(m)
    out += ["", "---", "", _md(head) + ("  " if cmd else "")]
    if cmd:
        out.append("made by: " + _md(cmd))
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------------------- writing


def memo_format(out: str | Path) -> str:
    """'html' or 'markdown' by the file's suffix; any other suffix is an InputError."""
    suffix = Path(str(out)).suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        raise InputError(f"output file {clean(str(out))[:60]!r} must end in .html, .htm or .md")
    return kind


def _write(path: Path, text: str) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as e:
        raise OutputError(f"cannot write {clean(str(path))[:120]}: {e.strerror or e}") from None
    except ValueError:  # a NUL in the path
        raise OutputError(f"cannot write {clean(str(path))[:120]}: the path holds a NUL character") from None


_SVG_MARK = "<!-- flopcalc memo chart -->"


def _check_sibling(svg: Path, named: Path) -> None:
    """Refuse to write the chart over anything the user did not name: a symbolic link (wherever it points),
    a folder or device, or a file flopcalc did not write (an earlier chart of the same memo is rewritten)."""
    shown = clean(str(svg))[:120]
    if svg.is_symlink():
        raise OutputError(f"cannot write the chart {shown}: it is a symbolic link, and flopcalc writes only "
                          f"files you name (remove it, or name the memo differently than {clean(named.name)!r})")
    if not svg.exists():
        return
    if not svg.is_file():
        raise OutputError(f"cannot write the chart {shown}: something other than a file is there")
    try:
        with svg.open("rb") as fh:
            head = fh.read(200)
    except OSError as e:
        raise OutputError(f"cannot write the chart {shown}: {e.strerror or e}") from None
    if _SVG_MARK.encode() not in head:
        raise OutputError(f"cannot write the chart {shown}: the file exists and is not a flopcalc chart; "
                          f"flopcalc writes only files you name (move it, or name the memo differently)")


def _write_new(path: Path, text: str) -> None:
    """Write without following a symbolic link put there after the check (O_NOFOLLOW where the OS has it)."""
    import os

    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as e:
        raise OutputError(f"cannot write {clean(str(path))[:120]}: {e.strerror or e}") from None
    except ValueError:
        raise OutputError(f"cannot write {clean(str(path))[:120]}: the path holds a NUL character") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as e:
        raise OutputError(f"cannot write {clean(str(path))[:120]}: {e.strerror or e}") from None


def write_memo(m: Memo, out: str | Path) -> list[Path]:
    """Write the memo to `out` (.html/.htm: one self-contained page; .md: Markdown plus `<stem>.svg` beside it).

    The folder must exist: a missing folder or a read-only place is an OutputError. The chart beside a Markdown
    memo is written only where nothing else is: never through a symbolic link, never over a file flopcalc did
    not write (OutputError). Returns the files written.
    """
    path = Path(out)
    kind = memo_format(path)
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {clean(str(path))[:120]}: the folder {clean(str(path.parent))[:120]!r} "
                          "does not exist")
    if kind == "html":
        _write(path, render_html(m))
        return [path]
    svg = path.with_suffix(".svg")
    _check_sibling(svg, path)
    text = render_markdown(m, chart=svg.name)
    _write_new(svg, f'<?xml version="1.0" encoding="UTF-8"?>\n{_SVG_MARK}\n' + chart_svg(m, standalone=True))
    _write(path, text)
    return [path, svg]
