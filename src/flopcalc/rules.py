"""Regulatory compute thresholds as data: their limits, kinds, status history and counting rules."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ._paths import data_path
from ._schema import Fields, as_date, first_day
from ._yaml import read_yaml
from .errors import DataError, InputError
from .text import clean
from .units import has_unit, mag, parse_quantity, registry

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["Limit", "Threshold", "StatusChange", "load_thresholds", "thresholds", "crossed_by", "STATUSES",
           "BINDING_STATUSES", "LIMIT_KINDS", "REL_TOL", "timeline", "get_threshold"]

STATUSES = ("in-force", "enacted", "guidance", "proposed", "vetoed", "rescinded", "not-enforced", "superseded")
BINDING_STATUSES = ("in-force",)  # a rule binds only while in force; enacted-but-not-yet rules are listed apart
LIMIT_KINDS = ("flop", "flop_per_s", "usd", "revenue_usd", "relative")
_PARSE_KIND = {"flop": "flop", "flop_per_s": "flop_rate", "usd": "usd", "revenue_usd": "usd"}
_UNIT = {"flop": "FLOP", "flop_per_s": "FLOP/s", "usd": "USD", "revenue_usd": "USD", "relative": "FLOP"}
# Two figures within this relative distance (about 45 units in the last place of a double) are the same
# figure: float arithmetic (chips x days x peak x efficiency, budget(cost(x))) lands a few ulps off a line
# it reaches exactly. Such a figure is "at the line": '>=' rules are met there and '>' rules are not.
# Documented in docs/reliability.md; 10^13 times finer than the EU's accepted +-30%.
REL_TOL = 1e-14
_KEYS = ("id", "name", "jurisdiction", "instrument", "article", "limits", "counts", "triggers", "scope", "status",
         "history", "effective_from", "effective_until", "dates", "source", "confidence", "note", "cumulative",
         "counting")
_REQUIRED = ("id", "name", "jurisdiction", "instrument", "limits", "status", "source")
_COUNTING_KEYS = ("operations", "tolerance", "significant_figures", "includes", "excludes", "methods", "note")


@dataclass(frozen=True)
class Limit:
    """One test a rule sets: a quantity and how a run is compared with it.

    A `relative` limit is `fraction` of the original model's compute; `value` is then its fallback
    (fraction x fallback_base) for when the original's compute is unknown.
    """

    kind: str
    value: Quantity
    comparison: str  # ">" or ">="
    fraction: Fraction | None = None

    @property
    def base(self) -> float:
        return mag(self.value, _UNIT[self.kind])

    def at_line(self, x: float, line: float | None = None) -> bool:
        """Whether x is on the limit's line, within REL_TOL."""
        limit = self.base if line is None else line
        return abs(x - limit) <= REL_TOL * abs(limit)

    def met_by(self, x: float, line: float | None = None) -> bool:
        """Whether x meets the limit (against `line` instead of the limit's own value, if given).

        Figures within REL_TOL of the line count as on it: '>=' is met there and '>' is not.
        """
        limit = self.base if line is None else line
        on_line = abs(x - limit) <= REL_TOL * abs(limit)
        if on_line:
            return self.comparison == ">="
        return x > limit

    def describe(self) -> str:
        v = self.base
        if self.kind in ("usd", "revenue_usd"):
            shown = f"${v / 1e6:,.6g}M" + (" revenue" if self.kind == "revenue_usd" else "")
        elif self.kind == "relative":
            frac = self.fraction
            shown = (f"{frac.numerator}/{frac.denominator} of the original's compute (fallback {_sci4(v)} FLOP)"
                     if frac is not None else f"{_sci4(v)} FLOP")
        else:
            shown = f"{_sci4(v)} {_UNIT[self.kind]}"
        return f"{self.comparison} {shown}"


def _sci4(v: float) -> str:
    s = f"{v:.4g}".replace("e+", "e")
    return s


@dataclass(frozen=True)
class StatusChange:
    """One change of a rule's status, with its date."""

    date: _dt.date  # the first day the date text can mean (2025 -> 2025-01-01), for ordering and "as of"
    status: str
    event: str | None = None
    date_text: str = ""  # the date as the source gives it: '2025', '2025-09' or '2025-09-29'

    @property
    def when(self) -> str:
        return self.date_text or self.date.isoformat()


@dataclass(frozen=True)
class Threshold:
    """A compute threshold in a rule, with its status history, dates and source."""

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
    status_as_of: str | None = None  # when the file's statuses were last checked (its data_as_of)
    history: tuple[StatusChange, ...] = ()
    cumulative: bool = False
    counting: Mapping[str, Any] = field(default_factory=dict)
    as_of: _dt.date | None = None  # set by thresholds(as_of=...): `status` is then the status on that date
    current_status: str | None = None

    def limit(self, kind: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.kind == kind), None)

    def __repr__(self) -> str:
        return f"Threshold(id={self.id!r}, limits={self.describe_limits()!r}, status={self.status!r})"

    @property
    def kind(self) -> str:
        return "+".join(lim.kind for lim in self.limits)

    def status_on(self, day: _dt.date) -> str:
        """The rule's status on `day`, from its dated history and its effective dates, or 'absent'.

        The last status change on or before `day` decides; an enacted rule is in force from its
        `effective_from` date, and a rule in force stops being so on its `effective_until` date.
        """
        if not self.history:
            if self.effective_from is None:
                return self.current_status or self.status
            if day < self.effective_from:
                return "absent"
            if self.effective_until is not None and day >= self.effective_until:
                return self.current_status or self.status
            return "in-force" if (self.current_status or self.status) in ("in-force", "rescinded", "superseded",
                                                                         "not-enforced") else self.status
        status = "absent"
        for change in self.history:
            if change.date <= day:
                status = change.status
        if status == "enacted" and self.effective_from is not None and day >= self.effective_from:
            status = "in-force"
        if status == "in-force" and self.effective_until is not None and day >= self.effective_until:
            final = self.history[-1].status
            status = final if final in ("rescinded", "superseded", "not-enforced") else "rescinded"
        return status

    def upcoming_on(self, day: _dt.date) -> bool:
        """Whether the rule is enacted on `day` but not yet in force (it takes effect on `effective_from`)."""
        return self.status_on(day) == "enacted" and self.effective_from is not None and day < self.effective_from

    def in_force_on(self, day: _dt.date) -> bool:
        """Whether this rule bound anyone on `day`."""
        return self.status_on(day) == "in-force"

    def describe_limits(self) -> str:
        return " AND ".join(lim.describe() for lim in self.limits)


def _date(f: Fields, key: str) -> _dt.date | None:
    v = f.get(key)
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        raise f.error(key, "must be a date YYYY-MM-DD, not a date and time")
    if isinstance(v, _dt.date):
        return v
    try:
        return _dt.date.fromisoformat(str(v))
    except ValueError:
        raise f.error(key, "must be a date YYYY-MM-DD or null") from None


def _fraction(lf: Fields, raw: Any) -> Fraction:
    try:
        if isinstance(raw, str) and "/" in raw:
            a, b = raw.split("/", 1)
            fr = Fraction(int(a.strip()), int(b.strip()))
        elif isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
            fr = Fraction(str(raw))
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise lf.error("fraction", f"{str(raw)[:20]!r} must be a fraction such as 1/3") from None
    if not 0 < fr <= 1:
        raise lf.error("fraction", "must be in (0, 1]")
    return fr


def _limit(f: Fields, item: Any, j: int) -> Limit:
    lf = Fields(f.path, item, allowed=("kind", "value", "comparison", "fraction", "fallback_base"),
                required=("comparison",), where=f"{f.name('limits')}[{j}]")
    kind = (lf.text("kind", optional=True) or "").lower() or None
    if kind is not None and kind not in LIMIT_KINDS:
        raise lf.error("kind", f"{kind[:20]!r} must be one of {', '.join(LIMIT_KINDS)}")
    comparison = lf.text("comparison")
    if comparison not in (">", ">="):
        raise lf.error("comparison", f"{comparison[:10]!r} must be '>' or '>='")
    if kind == "relative":
        fr = _fraction(lf, lf.get("fraction"))
        base = lf.get("fallback_base")
        if base is None:
            raise lf.error("fallback_base", "a relative limit needs the FLOP figure its fallback is a fraction of")
        q = _unit_value(lf, "fallback_base", base, "flop")
        value = registry().Quantity(float(Fraction(repr(mag(q, "FLOP"))) * fr), "FLOP")
        return Limit(kind="relative", value=value, comparison=comparison, fraction=fr)
    raw = lf.get("value")
    if raw is None:
        raise lf.error("value", "missing required key 'value'")
    if kind is None:  # older files: infer the kind from the unit (revenue must be said explicitly)
        for k in ("flop", "flop_per_s", "usd"):
            try:
                parse_quantity(raw, _PARSE_KIND[k])
            except InputError:
                continue
            kind = k
            break
        if kind is None:
            raise lf.error("value", f"{str(raw)[:40]!r} must be a positive quantity in FLOP, FLOP/s or USD")
    return Limit(kind=kind, value=_unit_value(lf, "value", raw, kind), comparison=comparison)


def _unit_value(lf: Fields, key: str, raw: Any, kind: str) -> Quantity:
    if not has_unit(raw):
        raise lf.error(key, f"{str(raw)[:40]!r} needs a unit, e.g. '1e26 FLOP', '1e20 FLOP/s' or '500e6 USD'")
    try:
        return parse_quantity(raw, _PARSE_KIND.get(kind, "flop"), what=key)
    except InputError as e:
        raise lf.error(key, str(e)) from None


def _threshold(data: Any, path: Path | str, i: int) -> Threshold:
    f = Fields(path, data, allowed=_KEYS, required=_REQUIRED, where=f"thresholds[{i}]")
    tid = f.text("id").lower()
    if not tid or any(c.isspace() for c in tid) or len(tid) > 60:
        raise f.error("id", "must be one word of at most 60 characters")
    status = f.text("status").lower()
    if status not in STATUSES:
        raise f.error("status", f"{status[:30]!r} is not a status; use one of {', '.join(STATUSES)}")
    limits_raw = f.seq("limits")
    if not limits_raw:
        raise f.error("limits", "must list at least one limit")
    limits = [_limit(f, item, j) for j, item in enumerate(limits_raw)]
    dates_raw = f.get("dates") or {}
    if not isinstance(dates_raw, dict):
        raise f.error("dates", "must be a mapping of name to date")
    dates = {}
    for k, v in dates_raw.items():
        d = as_date(v)
        if d is None:
            raise f.error(f"dates.{str(k)[:30]}", "must be a date YYYY-MM-DD")
        dates[clean(str(k))] = d
    frm, until = _date(f, "effective_from"), _date(f, "effective_until")
    if frm and until and until < frm:
        raise f.error("effective_until", "is before effective_from")
    history: list[StatusChange] = []
    for j, item in enumerate(f.seq("history", optional=True) or []):
        hf = Fields(path, item, allowed=("date", "status", "event"), required=("date", "status"),
                    where=f"{f.name('history')}[{j}]")
        iso = as_date(hf.get("date"))
        if iso is None:
            raise hf.error("date", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
        changed = first_day(iso)
        st = hf.text("status").lower()
        if st not in STATUSES:
            raise hf.error("status", f"{st[:30]!r} is not a status; use one of {', '.join(STATUSES)}")
        if history and changed < history[-1].date:
            raise hf.error("date", "is earlier than the entry before it: list status changes in date order")
        history.append(StatusChange(date=changed, status=st, event=hf.text("event", optional=True), date_text=iso))
    if history and history[-1].status != status:
        raise f.error("history", f"ends with {history[-1].status!r}, but the rule's status is {status!r}")
    confidence = (f.text("confidence", optional=True) or "confirmed").lower()
    if confidence not in ("confirmed", "unconfirmed"):
        raise f.error("confidence", "must be 'confirmed' or 'unconfirmed'")
    counting: dict[str, Any] = {}
    if f.get("counting") is not None:
        cf = Fields(path, f.get("counting"), allowed=_COUNTING_KEYS, required=(), where=f.name("counting"))
        for key in _COUNTING_KEYS:
            v = cf.get(key)
            if v is None:
                continue
            if key == "tolerance":
                counting[key] = cf.number(key, lo=0, hi=1, lo_open=True)
            elif key == "significant_figures":
                counting[key] = int(cf.number(key, lo=1, hi=17, integer=True) or 2)
            elif isinstance(v, list):
                counting[key] = [clean(str(x)) for x in v]
            else:
                counting[key] = cf.text(key)
    cumulative = f.get("cumulative")
    if cumulative is not None and not isinstance(cumulative, bool):
        raise f.error("cumulative", "must be true or false")
    return Threshold(
        id=tid, name=f.text("name"), jurisdiction=f.text("jurisdiction"), instrument=f.text("instrument"),
        article=f.text("article", optional=True), limits=tuple(limits), counts=f.text("counts", optional=True),
        triggers=f.text("triggers", optional=True), scope=f.text("scope", optional=True), status=status,
        effective_from=frm, effective_until=until, dates=dict(dates), source=f.text("source"),
        confidence=confidence, note=f.text("note", optional=True), path=str(path), history=tuple(history),
        cumulative=bool(cumulative), counting=counting, current_status=status,
    )


def load_thresholds(files: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Threshold]:
    """The shipped thresholds, then those in `files` (a file's id replaces a shipped one with that id).

        >>> rules = load_thresholds()
        >>> next(t for t in rules if t.id == "eu-ai-act-systemic-risk").describe_limits()
        '> 1e25 FLOP'
    """
    from .inputs import paths as _paths_of

    paths = ([data_path("thresholds.yaml")] if bundled else []) + _paths_of(files, what="thresholds files")
    by_id: dict[str, Threshold] = {}
    for path in paths:
        doc = _read_cached(path)
        f = Fields(path, doc, allowed=("as_of", "data_as_of", "thresholds"), required=("thresholds",))
        raw = f.get("data_as_of") if f.get("data_as_of") is not None else f.get("as_of")
        as_of = as_date(raw) if raw is not None else None
        if raw is not None and as_of is None:
            raise f.error("data_as_of", "must be a date YYYY-MM-DD")
        seen: dict[str, int] = {}
        for i, item in enumerate(f.seq("thresholds")):
            t = replace(_threshold(item, path, i), status_as_of=as_of)
            if t.id in seen:
                raise DataError(path, f"id {t.id!r} appears twice (thresholds[{seen[t.id]}] and thresholds[{i}])",
                                field=f"thresholds[{i}].id")
            seen[t.id] = i
            by_id[t.id] = t
    return list(by_id.values())


_DOCS: dict[tuple[str, int, int], Any] = {}


def _read_cached(path: Path | str) -> Any:
    p = Path(path)
    try:
        st = p.stat()
        key = (str(p), st.st_size, st.st_mtime_ns)
    except (OSError, ValueError):
        return read_yaml(p)
    if key not in _DOCS:
        _DOCS[key] = read_yaml(p)
    return _DOCS[key]


def thresholds(rules: Iterable[Threshold] | None = None, *, status: Iterable[str] = (),
               as_of: _dt.date | str | None = None) -> list[Threshold]:
    """The thresholds, optionally as they stood on a date and filtered by status.

    With `as_of`, each rule's `status` is its status on that date (rules not yet introduced are
    left out) and `current_status` is today's. `status` filters on that status.

        >>> [t.status for t in thresholds(as_of="2024-06-01") if t.id == "us-eo-14110"]
        ['in-force']
    """
    from .inputs import items_of, names, parse_date

    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    wanted = set(names(status, what="status"))
    bad = wanted - set(STATUSES)
    if bad:
        raise InputError(f"status {clean(sorted(bad)[0])[:30]!r} is not a status; use one of {', '.join(STATUSES)}")
    out = list(rules)
    if as_of is not None:
        day = parse_date(as_of, what="as-of date")
        dated = []
        for t in out:
            s = t.status_on(day)
            if s != "absent":
                dated.append(replace(t, status=s, as_of=day, current_status=t.current_status or t.status))
        out = dated
    return [t for t in out if not wanted or t.status in wanted]


def get_threshold(rule_id: str, rules: Iterable[Threshold] | None = None) -> Threshold:
    """One threshold by id."""
    from .errors import UnknownNameError
    from .inputs import items_of

    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    if not isinstance(rule_id, str):
        raise InputError(f"a threshold id must be text, not {type(rule_id).__name__}")
    key = clean(rule_id).strip().lower()
    for t in rules:
        if t.id == key:
            return t
    raise UnknownNameError(f"unknown threshold {key[:40]!r}; see 'flopcalc thresholds' for the ids")


def timeline(rules: Iterable[Threshold] | None = None) -> list[tuple[StatusChange, Threshold]]:
    """Every status change of every rule, in date order.

        >>> [(change.date.isoformat(), change.status) for change, t in timeline() if t.id == "us-eo-14110"]
        [('2023-10-30', 'in-force'), ('2025-01-20', 'rescinded')]
    """
    from .inputs import items_of

    rules = load_thresholds() if rules is None else items_of(rules, Threshold, what="rules")
    events = [(c, t) for t in rules for c in t.history]
    return sorted(events, key=lambda e: (e[0].date, e[1].id))


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
               flop_per_s: float | None = None, revenue_usd: float | None = None) -> list[Threshold]:
    """The thresholds whose every limit a run with these figures meets."""
    values = {"flop": flop, "usd": usd, "flop_per_s": flop_per_s, "revenue_usd": revenue_usd}
    return [t for t in rules if _met(t, values)[0] is True]


