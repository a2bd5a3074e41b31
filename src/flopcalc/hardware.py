"""Hardware profiles: one YAML file per chip, parsed and dimension-checked at load time.

The format is documented in docs/data-format.md. Shipped profiles live in hardware/ (inside
the wheel: flopcalc/data/hardware); the user's own come from $FLOPCALC_HARDWARE_PATH (else
<config dir>/flopcalc/hardware) and from explicit files (--hardware-file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Mapping, overload

from ._paths import data_path, user_dirs
from ._schema import Fields, as_date
from ._yaml import read_yaml
from .errors import DataError, InputTypeError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["Profile", "Source", "PricePoint", "HardwareDB", "load_profile", "load_profiles", "PRECISIONS",
           "HARDWARE_ENV", "PRICE_TIERS", "LEGACY_TIERS", "CONFIDENCE", "USER_REQUIRED", "USER_DEFAULTS", "market_of",
           "tier_of"]

HARDWARE_ENV = "FLOPCALC_HARDWARE_PATH"
PRECISIONS = ("fp4", "fp6", "fp8", "bf16", "fp16", "tf32", "fp32", "fp64")
PRICE_TIERS = ("hyperscaler-on-demand", "neocloud-on-demand", "hyperscaler-contract-1yr", "neocloud-contract-1yr",
               "hyperscaler-contract-3yr", "neocloud-contract-3yr", "hyperscaler-spot", "neocloud-spot")
# Tier names of flopcalc 0.2, which mixed hyperscaler and neocloud quotes. Still read: a quote's market comes
# from its provider (HYPERSCALERS), a profile's default tier and a user's --price-tier from the chip's quotes.
LEGACY_TIERS = ("contract-1yr", "contract-3yr", "spot")
HYPERSCALERS = ("aws", "amazon", "google", "gcp", "azure", "microsoft", "oracle", "alibaba", "ibm")


def market_of(provider: str | None) -> str:
    """'hyperscaler' for the big clouds' own quotes, else 'neocloud'."""
    words = (provider or "").lower()
    return "hyperscaler" if any(h in words for h in HYPERSCALERS) else "neocloud"


def tier_of(tier: str, provider: str | None = None) -> str:
    """A price tier by its current name: a 0.2 name ('contract-1yr') gets the market of its provider."""
    return f"{market_of(provider)}-{tier}" if tier in LEGACY_TIERS else tier
CONFIDENCE = ("high", "medium", "low")  # shipped profiles; a profile of your own may also be "user"
_REQUIRED = ("id", "name", "peak", "default_precision", "efficiency", "price", "overhead", "tdp", "memory", "sources")
_OPTIONAL = ("data_as_of", "aliases", "replaces", "vendor", "year", "released", "generation", "confidence",
             "confidence_note", "sparse_peak", "peak_caveats", "mfu_range", "efficiency_range", "price_tier",
             "price_date", "price_is_estimate", "price_range", "prices", "notes")
_ALLOWED = _REQUIRED + _OPTIONAL
_SOURCE_KEYS = ("field", "source", "url", "dataset", "date")
_PRICE_KEYS = ("usd_per_hour", "tier", "date", "provider", "source", "url", "dataset", "confidence", "note")


@dataclass(frozen=True)
class Source:
    """Where one or more of a profile's figures come from."""

    field: str
    source: str
    date: str
    url: str | None = None
    dataset: str | None = None

    def covers(self, name: str) -> bool:
        return self.field == "*" or name in {f.strip() for f in self.field.split(",")}


@dataclass(frozen=True)
class PricePoint:
    """One dated rental price of a chip: USD per chip-hour, its tier and its source."""

    usd_per_hour: float
    tier: str
    date: str
    source: str
    url: str | None = None
    provider: str | None = None


@dataclass(frozen=True, eq=False)
class Profile:
    """One accelerator: dense peaks per precision, default assumptions, and their sources."""

    id: str
    name: str
    peak: Mapping[str, Quantity]
    default_precision: str
    efficiency: Mapping[str, float]
    price: Quantity
    overhead: float
    tdp: Quantity
    memory: Quantity
    sources: tuple[Source, ...]
    aliases: tuple[str, ...] = ()
    vendor: str | None = None
    year: int | None = None
    generation: str | None = None
    sparse_peak: Mapping[str, Quantity] = field(default_factory=dict)
    mfu_range: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    price_ranges: Mapping[str, tuple[Quantity, Quantity]] = field(
        default_factory=dict)
    notes: str | None = None
    path: str = ""
    origin: str = "shipped"
    price_tier: str | None = None
    price_date: str | None = None
    prices: tuple[PricePoint, ...] = ()
    released: str | None = None
    confidence: str = "high"
    confidence_note: str | None = None
    peak_caveats: Mapping[str, str] = field(default_factory=dict)
    data_as_of: str | None = None
    replaces: str | None = None
    price_is_estimate: bool = False
    defaults: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Profile(id={self.id!r}, name={self.name!r}, default_precision={self.default_precision!r})"

    @property
    def precisions(self) -> tuple[str, ...]:
        return tuple(self.peak)

    @property
    def efficiency_range(self) -> Mapping[str, tuple[float, float]]:
        """Old name of mfu_range (the cited steady-state MFU range)."""
        return self.mfu_range

    @property
    def price_range(self) -> tuple[Quantity, Quantity] | None:
        """The plausible price range of the default price's tier, if the profile gives one."""
        return self.price_ranges.get(self.price_tier or "")

    def has_precision(self, precision: str | None) -> bool:
        return precision is None or str(precision).strip().lower() in self.peak

    def check_precision(self, precision: str | None) -> str:
        """The precision to use: the given one (case-insensitive) if this chip has it, else the default."""
        if precision is None:
            return self.default_precision
        p = str(precision).strip().lower()
        if p not in self.peak:
            from .text import clean

            raise UnknownNameError(
                f"{self.id} has no {clean(str(precision))[:20]!r} peak; its precisions are {', '.join(self.peak)}"
            )
        return p

    def efficiency_for(self, precision: str) -> float:
        p = self.check_precision(precision)
        if p in self.efficiency:
            return self.efficiency[p]
        raise UnknownNameError(
            f"{self.id} has no default efficiency at {p} (it has one for {', '.join(self.efficiency)}); "
            "give one with --efficiency"
        )

    def sources_for(self, name: str) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.covers(name))

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def is_user(self) -> bool:
        """True for a profile of your own (user folder or --hardware-file), not a shipped one."""
        return self.origin != "shipped"

    @property
    def replaces_note(self) -> str | None:
        """The note every output using this profile should carry when it overrides a shipped chip."""
        if not self.replaces:
            return None
        from .text import clean

        return clean(f"{self.id}: your profile {Path(self.path).name or self.path} replaces the shipped chip "
                     f"{self.replaces}; its figures are yours, not the shipped ones")


@overload
def _precision_map(f: Fields, key: str, *, optional: Literal[False] = ...) -> dict[str, Any]: ...
@overload
def _precision_map(f: Fields, key: str, *, optional: bool) -> dict[str, Any] | None: ...


def _precision_map(f: Fields, key: str, *, optional: bool = False) -> dict[str, Any] | None:
    m = f.mapping(key, optional=optional)
    if m is None:
        return None
    out: dict[str, Any] = {}
    for k, v in m.items():
        p = str(k).strip().lower()
        if p not in PRECISIONS:
            raise f.error(f"{key}.{str(k)[:20]}", f"unknown precision; known precisions are {', '.join(PRECISIONS)}")
        out[p] = v
    return out


def _range(f: Fields, label: str, value: Any, conv: Callable[[Any, str], Any]) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise f.error(label, "must be a [low, high] pair")
    lo, hi = (conv(v, f"{label}[{i}]") for i, v in enumerate(value))
    if lo > hi:
        raise f.error(label, "low is above high")
    return lo, hi


def _source(path: Path | str, s: Any, i: int) -> Source:
    if isinstance(s, str):  # a bare URL is a source too
        url = s.strip()
        if not url.startswith(("http://", "https://")):
            raise DataError(path, "must be a URL or a mapping with field, source, url/dataset and date",
                            field=f"sources[{i}]")
        from .text import clean

        return Source(field="*", source=clean(url), date="", url=clean(url))
    sf = Fields(path, s, allowed=_SOURCE_KEYS, required=("source", "date"), where=f"sources[{i}]")
    date = as_date(sf.get("date"))
    if date is None:
        raise sf.error("date", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    return Source(field=sf.text("field", optional=True) or "*", source=sf.text("source"), date=date,
                  url=sf.text("url", optional=True), dataset=sf.text("dataset", optional=True))


def _price_point(f: Fields, item: Any, i: int) -> PricePoint:
    pf = Fields(f.path, item, allowed=_PRICE_KEYS, required=("usd_per_hour", "tier", "date", "source"),
                where=f"prices[{i}]")
    raw = pf.get("usd_per_hour")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw < 1e6:  # a bare number: USD/hour
        usd = float(raw)
    else:
        usd = float(pf.quantity("usd_per_hour", "price", require_unit=False).to("USD/hour").magnitude)
    tier = tier_of(pf.text("tier").lower(), pf.text("provider", optional=True))
    if tier not in PRICE_TIERS:
        raise pf.error("tier", f"{tier[:30]!r} is not a price tier; use one of {', '.join(PRICE_TIERS)}")
    date = as_date(pf.get("date"))
    if date is None:
        raise pf.error("date", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    return PricePoint(usd_per_hour=usd, tier=tier, date=date, source=pf.text("source"),
                      url=pf.text("url", optional=True), provider=pf.text("provider", optional=True))


class _Problems:
    """Every problem of one profile, gathered so that one error can list them all."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))

    def take(self, fn: Callable[[], Any], default: Any = None) -> Any:
        try:
            return fn()
        except DataError as e:
            text = str(e)
            prefix = f"{e.path}: {e.field}: " if e.field else f"{e.path}: "
            self.add(e.field or "", text.removeprefix(prefix))
            return default

    def raise_if_any(self) -> None:
        if not self.items:
            return
        from .text import clean

        where = clean(str(self.path))
        parts = [f"{where}: {f}: {m}" if f else f"{where}: {m}" for f, m in self.items]
        err = DataError(self.path, parts[0][len(where) + 2:])
        if len(parts) > 1:
            err.args = (f"{len(parts)} problems: " + "; ".join(parts),)
        err.field = self.items[0][0] or None
        raise err


# What a profile of your own may leave out (docs/data-format.md, "A chip of your own").
USER_DEFAULTS: Mapping[str, str] = {
    "default_precision": "the only precision given; with several, bf16 if given, else the first listed",
    "overhead": "1.5 (the essay's whole-project allowance)",
    "tdp": "700 W (an H100 SXM's): energy figures are a placeholder until you give it",
    "memory": "80 GB (an H100 SXM's): memory sizing is a placeholder until you give it",
    "sources": "the file itself ('your profile <file>')",
    "confidence": "user",
}
USER_REQUIRED = ("id", "name", "peak", "price", "efficiency")
_PLACEHOLDER = {"overhead": 1.5, "tdp": "700 W", "memory": "80 GB"}


def profile_from_data(data: Any, path: Path | str, *, origin: str = "file") -> Profile:
    """Check one parsed profile document and build a Profile; every problem is reported in one DataError.

    A shipped profile must give every field with its unit. A profile of your own (origin 'user' or
    'file') needs only id, name, peak, price and efficiency: a bare peak is TFLOP/s, a bare price USD
    per chip-hour, and the other fields take the defaults in USER_DEFAULTS (listed in `defaults`).
    """
    shipped = origin == "shipped"
    problems = _Problems(path)
    empty = data is None
    if data is None and not shipped:
        data = {}  # an empty file: list every missing field
    if not isinstance(data, dict):
        raise DataError(path, f"must be a mapping of {', '.join(_REQUIRED if shipped else USER_REQUIRED)}, "
                        f"not a {'nothing' if data is None else type(data).__name__}")
    unknown = [str(k)[:40] for k in data if k not in _ALLOWED]
    if unknown:
        problems.add("", f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(repr(k) for k in unknown)}; "
                     f"allowed keys are {', '.join(_ALLOWED)}")
    required = _REQUIRED if shipped else USER_REQUIRED
    missing = [k for k in required if data.get(k) is None]
    for i, k in enumerate(missing):
        hint = "" if shipped or i else " (the file is empty; " if empty else " ("
        problems.add(k, f"missing required key {k!r}" + (f"{hint}a profile needs {', '.join(USER_REQUIRED)})" if hint
                                                         else ""))
    f = Fields(path, {k: v for k, v in data.items() if k in _ALLOWED}, allowed=_ALLOWED, required=())
    defaults: list[str] = []

    def pid_() -> str:
        pid = f.text("id").lower()
        if not pid or any(c.isspace() for c in pid) or len(pid) > 60:
            raise f.error("id", "must be one word of at most 60 characters, e.g. h100")
        return pid

    pid = problems.take(pid_, "") if "id" not in missing else ""
    name = problems.take(lambda: f.text("name"), "") if "name" not in missing else ""
    peak: dict[str, Any] = {}
    bad_peaks: set[str] = set()  # precisions whose peak is itself a problem: no second complaint about them
    if "peak" not in missing:
        peak_given = data.get("peak")
        if not isinstance(peak_given, dict) and not shipped:  # `peak: 500` is one precision's peak: bf16
            peak_given = {"bf16": peak_given}
        if not isinstance(peak_given, dict) or not peak_given:
            problems.add("peak", "must map a precision to its dense peak, e.g. {bf16: 989.4 TFLOP/s}")
            peak_given = {}
        for k, v in peak_given.items():
            p = str(k).strip().lower()
            if p not in PRECISIONS:
                problems.add(f"peak.{str(k)[:20]}", f"unknown precision; known precisions are {', '.join(PRECISIONS)}")
                continue
            q = problems.take(partial(_peak, f, p, v, require_unit=shipped))
            if q is not None:
                peak[p] = q
            else:
                bad_peaks.add(p)
    sparse: dict[str, Any] = {}
    for p, v in (problems.take(lambda: _precision_map(f, "sparse_peak", optional=True)) or {}).items():
        q = problems.take(partial(f.quantity, "sparse_peak", "flop_rate", v, label=f"sparse_peak.{p}"))
        if q is None:
            continue
        sparse[p] = q
        if p in peak:
            ratio = float((peak[p] / q).to("").magnitude)
            if not 0.45 <= ratio <= 0.55:
                problems.add(f"peak.{p}", (
                    f"is {ratio:.2f}x the sparse figure; the dense peak must be half the 2:4-sparse one "
                    "(did the datasheet's sparse figure get copied?)"))
    caveats = {p: str(v) for p, v in (problems.take(lambda: _precision_map(f, "peak_caveats", optional=True))
                                      or {}).items()}
    default = ""
    if data.get("default_precision") is not None:
        default = problems.take(lambda: f.text("default_precision").lower(), "")
        if default and peak and default not in peak and default not in bad_peaks:
            problems.add("default_precision", f"{default[:20]!r} has no peak; peaks are given for {', '.join(peak)}")
    elif peak and not shipped:
        default = next(iter(peak)) if len(peak) == 1 else ("bf16" if "bf16" in peak else next(iter(peak)))
        defaults.append("default_precision")
    efficiency: dict[str, float] = {}
    eff_raw = data.get("efficiency")
    if isinstance(eff_raw, dict):
        for p, v in (problems.take(lambda: _precision_map(f, "efficiency"), {}) or {}).items():
            if peak and p not in peak:
                if p not in bad_peaks:
                    problems.add(f"efficiency.{p}", f"has no peak; peaks are given for {', '.join(peak)}")
                continue
            e = problems.take(partial(_fraction, f, "efficiency", v, f"efficiency.{p}"))
            if e is not None:
                efficiency[p] = e
        if default and default in peak and default not in efficiency and efficiency:
            problems.add("efficiency", f"must give the default precision {default!r}")
    elif eff_raw is not None:
        e = problems.take(lambda: _fraction(f, "efficiency", eff_raw, "efficiency"))
        if e is not None:
            efficiency = {p: e for p in peak}

    def frac(v: Any, label: str) -> float:
        return _fraction(f, "", v, label)

    mfu: dict[str, tuple[float, float]] = {}
    key = "mfu_range" if f.get("mfu_range") is not None else "efficiency_range"
    if f.get("mfu_range") is not None and f.get("efficiency_range") is not None:
        problems.add("efficiency_range", "is the old name of mfu_range: give one of them")
    er = f.get(key)
    if isinstance(er, dict):
        for p, v in (problems.take(lambda: _precision_map(f, key), {}) or {}).items():
            if peak and p not in peak:
                if p not in bad_peaks:
                    problems.add(f"{key}.{p}", f"has no peak; peaks are given for {', '.join(peak)}")
                continue
            pair = problems.take(partial(_range, f, f"{key}.{p}", v, frac))
            if pair is not None:
                mfu[p] = pair
    elif er is not None:
        pair = problems.take(lambda: _range(f, key, er, frac))
        if pair is not None:
            mfu = {p: pair for p in peak}
    price = None
    if "price" not in missing:
        price = problems.take(lambda: f.quantity("price", "price", require_unit=shipped))
    tier = problems.take(lambda: (f.text("price_tier", optional=True) or "").lower() or None)
    tier = None if tier is None else tier_of(tier)
    if tier is not None and tier not in PRICE_TIERS:
        problems.add("price_tier", f"{tier[:30]!r} is not a price tier; use one of {', '.join(PRICE_TIERS)}")
        tier = None
    price_date = None
    if f.get("price_date") is not None:
        price_date = as_date(f.get("price_date"))
        if price_date is None:
            problems.add("price_date", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")

    def usd_h(v: Any, label: str) -> Quantity:  # a bare [low, high] pair is USD per chip-hour
        return f.quantity("", "price", v, label=label, require_unit=False)

    price_ranges: dict[str, tuple[Any, Any]] = {}
    pr = f.get("price_range")
    if isinstance(pr, dict):
        for t_, v in pr.items():
            tn = tier_of(str(t_).strip().lower())
            if tn not in PRICE_TIERS:
                problems.add(f"price_range.{str(t_)[:30]}", f"is not a price tier; use one of {', '.join(PRICE_TIERS)}")
                continue
            pair = problems.take(partial(_range, f, f"price_range.{tn}", v, usd_h))
            if pair is not None:
                price_ranges[tn] = pair
    elif pr is not None:
        pair = problems.take(lambda: _range(f, "price_range", pr, usd_h))
        if pair is not None:
            price_ranges[tier or "unspecified"] = pair
    prices_raw = problems.take(lambda: f.seq("prices", optional=True)) or []
    prices = tuple(sorted((pp for pp in (problems.take(partial(_price_point, f, item, i))
                                         for i, item in enumerate(prices_raw)) if pp is not None),
                          key=lambda pp: pp.date))

    def placeholder(key: str, fn: Callable[[], Any]) -> Any:
        if data.get(key) is None and not shipped:
            defaults.append(key)
            return fn()
        return problems.take(fn) if key not in missing else None

    overhead = placeholder("overhead", lambda: f.number("overhead", data.get("overhead", _PLACEHOLDER["overhead"]),
                                                        lo=1))
    tdp = placeholder("tdp", lambda: f.quantity("tdp", "power", data.get("tdp") or _PLACEHOLDER["tdp"]))
    memory = placeholder("memory", lambda: f.quantity("memory", "memory", data.get("memory") or _PLACEHOLDER["memory"]))
    aliases_raw = f.get("aliases") or []
    aliases: tuple[str, ...] = ()
    if not isinstance(aliases_raw, list):
        problems.add("aliases", "must be a list of names")
    else:
        aliases = tuple(dict.fromkeys(n for n in (problems.take(partial(_name, f, a, "aliases"))
                                                  for a in aliases_raw if str(a).strip()) if n))
    year = problems.take(lambda: f.number("year", optional=True, lo=1990, hi=2100, integer=True))
    released = None
    if f.get("released") is not None:
        released = as_date(f.get("released"))
        if released is None:
            problems.add("released", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    conf_given = problems.take(lambda: f.text("confidence", optional=True))
    confidence = (conf_given or ("high" if shipped else "user")).lower()
    if conf_given is None and not shipped:
        defaults.append("confidence")
    allowed_conf = CONFIDENCE if shipped else (*CONFIDENCE, "user")
    if confidence not in allowed_conf:
        problems.add("confidence", f"{confidence[:20]!r} must be one of {', '.join(allowed_conf)}"
                     + (" ('user' marks profiles of your own, never a shipped one)" if confidence == "user" else ""))
    data_as_of = None
    if f.get("data_as_of") is not None:
        data_as_of = as_date(f.get("data_as_of"))
        if data_as_of is None:
            problems.add("data_as_of", "must be a date YYYY-MM-DD")
    sources: tuple[Source, ...] = ()
    if data.get("sources") is None and not shipped:
        defaults.append("sources")
        from .text import clean

        sources = (Source(field="*", source=f"your profile {clean(Path(str(path)).name)}", date=""),)
    elif "sources" not in missing:
        sources_raw = problems.take(lambda: f.seq("sources"), [])
        if sources_raw == [] and data.get("sources") is not None:
            problems.add("sources", "must list where the figures come from")
        sources = tuple(s for s in (problems.take(partial(_source, path, s, i))
                                    for i, s in enumerate(sources_raw or [])) if s is not None)
    replaces = problems.take(lambda: f.text("replaces", optional=True))
    estimate = f.get("price_is_estimate", False)
    if not isinstance(estimate, bool):
        problems.add("price_is_estimate", "must be true or false")
    vendor = problems.take(lambda: f.text("vendor", optional=True))
    generation = problems.take(lambda: (f.text("generation", optional=True) or "").lower() or None)
    notes = problems.take(lambda: f.text("notes", optional=True))
    conf_note = problems.take(lambda: f.text("confidence_note", optional=True))
    problems.raise_if_any()
    if price is None or overhead is None or tdp is None or memory is None:  # cannot happen once no problem is left
        raise DataError(path, "is incomplete: give price, overhead, tdp and memory")
    return Profile(
        id=pid, name=name, peak=dict(peak), default_precision=default,
        efficiency=dict(efficiency), price=price, overhead=overhead,
        tdp=tdp, memory=memory, sources=sources,
        aliases=aliases, vendor=vendor, year=int(year) if year else None,
        generation=generation,
        sparse_peak=dict(sparse), mfu_range=dict(mfu),
        price_ranges=dict(price_ranges), notes=notes, path=str(path),
        origin=origin, price_tier=tier, price_date=price_date, prices=prices, released=released,
        confidence=confidence, confidence_note=conf_note,
        peak_caveats=dict(caveats), data_as_of=data_as_of,
        replaces=replaces.lower() if replaces else None, price_is_estimate=bool(estimate),
        defaults=tuple(defaults),
    )


def _peak(f: Fields, precision: str, value: Any, *, require_unit: bool) -> Quantity:
    """One dense peak, within what one chip can do (1 GFLOP/s to 1 ZFLOP/s); a bare number is TFLOP/s."""
    from .inputs import PEAK_RANGE

    label = f"peak.{precision}"
    q = f.quantity("peak", "flop_rate", value, label=label, require_unit=require_unit)
    x = float(q.to("FLOP/s").magnitude)
    if not PEAK_RANGE[0] <= x <= PEAK_RANGE[1]:
        raise DataError(f.path, f"{x:.3g} FLOP/s is outside what one chip can do: a peak must be 1 GFLOP/s to "
                        "1 ZFLOP/s, e.g. '989.4 TFLOP/s' (a bare number means TFLOP/s)", field=label)
    return q


def _fraction(f: Fields, key: str, value: Any, label: str) -> float:
    """A fraction in (0, 1]: 0.4 or '40%'; 40 is refused with a hint rather than read as 4000%."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value <= 100:
        raise DataError(f.path, f"{value!r} is out of range: must be > 0 and <= 1; write 0.4 or '40%' for 40%",
                        field=label)
    return f.number(key, value, lo=0, hi=1, lo_open=True, label=label)


def _name(f: Fields, value: Any, key: str) -> str:
    from .text import clean

    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise f.error(key, "must be a list of names")
    name = clean(str(value)).strip().lower()
    if any(c.isspace() for c in name) or len(name) > 60:
        raise f.error(key, f"{name[:30]!r} must be one word of at most 60 characters")
    return name


# Each file is parsed once per process (keyed by path, size and modification time).
_FILE_CACHE: dict[tuple[str, int, int, str], Profile | DataError] = {}


def load_profile(path: Path | str, *, origin: str = "file") -> Profile:
    """Read and check one profile file.

        >>> load_profile(data_path("hardware") / "h100.yaml").default_precision
        'fp8'
    """
    p = Path(path)
    try:
        st = p.stat()
        key: tuple[str, int, int, str] | None = (str(p), st.st_size, st.st_mtime_ns, origin)
    except (OSError, ValueError):
        key = None
    if key is not None and key in _FILE_CACHE:
        hit = _FILE_CACHE[key]
        if isinstance(hit, DataError):
            raise hit.with_traceback(None)
        return hit
    try:
        try:
            data = read_yaml(p)
        except DataError as e:
            if origin == "shipped" or str(e) != f"{e.path}: is empty":
                raise
            data = None  # an empty profile of your own: the error lists every missing field
        prof: Profile | DataError = profile_from_data(data, p, origin=origin)
    except DataError as e:
        prof = e
    if key is not None:
        _FILE_CACHE[key] = prof
    if isinstance(prof, DataError):
        raise prof
    return prof


def _yaml_files(folder: Path, problems: list[str] | None = None) -> list[Path]:
    try:
        if not folder.is_dir():
            if problems is not None and folder.exists():
                problems.append(f"{folder}: not a folder; ignored ({HARDWARE_ENV} lists folders of profiles)")
            elif problems is not None:
                problems.append(f"{folder}: no such folder; ignored")
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError as e:
        if problems is not None:
            problems.append(f"{folder}: cannot be read ({e.strerror or e}); ignored")
        return []


class HardwareDB:
    """The loaded profiles: shipped ones, then the user's folder, then explicit files.

    Shipped profiles are read lazily (a file is named after its id), so looking up one chip
    reads one file. A broken profile in the user's folder is skipped with a warning (in
    `problems`) and only fails a command that asks for it; an explicit file must be valid.
    A user profile may not take a shipped chip's id or alias unless it says `replaces: ID`.
    """

    def __init__(self, files: Iterable[Path | str] = (), *, user_dirs_: Iterable[Path] | None = None,
                 shipped: bool = True) -> None:
        from .inputs import paths as _paths_of

        files = _paths_of(files, what="hardware files")
        self.problems: list[str] = []
        self._shipped_dir = data_path("hardware") if shipped else None
        self._shipped_ids = ({p.stem.lower() for p in _yaml_files(self._shipped_dir)}
                             if self._shipped_dir is not None else set())
        self._shipped: dict[str, Profile] = {}
        self._shipped_all = False
        self._broken: dict[str, DataError] = {}
        explicit_dirs = user_dirs_ is not None
        dirs = user_dirs(HARDWARE_ENV, "hardware") if user_dirs_ is None else _paths_of(user_dirs_, what="user_dirs_")
        seen: set[str] = set()
        unique = []
        for d in dirs:
            k = os.path.normcase(os.path.abspath(d))
            if k not in seen:
                seen.add(k)
                unique.append(d)
        env_given = os.environ.get(HARDWARE_ENV) not in (None, "") or explicit_dirs
        user_files = [p for d in unique for p in _yaml_files(Path(d), self.problems if env_given else None)]
        self._user = self._layer(user_files, origin="user", soft=True)
        self._explicit = self._layer([Path(p) for p in files], origin="file", soft=False)
        if self._user or self._explicit:
            self._check_collisions()

    def __repr__(self) -> str:
        shipped = len(self._shipped_ids - {p.replaces for p in (*self._user.values(), *self._explicit.values())})
        return (f"HardwareDB(shipped={shipped}, user={len(self._user)}, files={len(self._explicit)}, "
                f"problems={len(self.problems)})")

    def _layer(self, paths: list[Path], *, origin: str, soft: bool) -> dict[str, Profile]:
        layer: dict[str, Profile] = {}
        for path in paths:
            try:
                prof = load_profile(path, origin=origin)
            except DataError as e:
                if not soft:
                    raise
                self.problems.append(f"skipped {e}")
                self._broken.setdefault(path.stem.lower(), e)
                continue
            first = layer.get(prof.id)
            if first is not None or prof.id in self._broken:
                err = DataError(path, f"defines id {prof.id!r}, which {first.path if first else 'another file'} "
                                "defines too", field="id")
                if not soft:
                    raise err
                self.problems.append(f"skipped both: {err}")
                layer.pop(prof.id, None)
                self._broken[prof.id] = err
                continue
            layer[prof.id] = prof
        return layer

    def _check_collisions(self) -> None:
        self._load_all_shipped()
        shipped_names = {n: p for p in self._shipped.values() for n in p.names()}
        for layer, soft in ((self._user, True), (self._explicit, False)):
            for pid, prof in list(layer.items()):
                for n in prof.names():
                    other = shipped_names.get(n)
                    if other is None or prof.replaces == other.id:
                        continue
                    err = DataError(prof.path, f"{'id' if n == prof.id else 'alias'} {n!r} is already the shipped "
                                    f"chip {other.id} ({other.path}); rename it, or add 'replaces: {other.id}' to "
                                    "override that chip on purpose", field="id" if n == prof.id else "aliases")
                    if not soft:
                        raise err
                    self.problems.append(f"skipped {err}")
                    self._broken.setdefault(pid, err)
                    layer.pop(pid, None)
                    break
        for layer in (self._user, self._explicit):
            for prof in layer.values():
                if prof.replaces and prof.replaces in self._shipped:
                    self._shipped.pop(prof.replaces, None)

    def _load_shipped(self, pid: str) -> Profile | None:
        if pid in self._shipped or self._shipped_dir is None or pid not in self._shipped_ids:
            return self._shipped.get(pid)
        if any(p.replaces == pid for layer in (self._user, self._explicit) for p in layer.values()):
            return None
        path = self._shipped_dir / f"{pid}.yaml"
        prof = load_profile(path, origin="shipped")
        if prof.id != pid:
            raise DataError(path, f"defines id {prof.id!r}, but a shipped profile's file must be named after its id",
                            field="id")
        self._shipped[pid] = prof
        return prof

    def _load_all_shipped(self) -> None:
        if self._shipped_all or self._shipped_dir is None:
            return
        for pid in sorted(self._shipped_ids):
            self._load_shipped(pid)
        self._shipped_all = True

    def all(self) -> list[Profile]:
        """Every profile in effect, in id order; raises DataError if two share an id or alias."""
        self._load_all_shipped()
        merged = {**self._shipped, **self._user, **self._explicit}
        names: dict[str, Profile] = {}
        for prof in merged.values():
            for alias in prof.aliases:
                other = names.get(alias) or merged.get(alias)
                if other is not None and other.id != prof.id:
                    raise DataError(prof.path, f"alias {alias!r} is already the name of {other.id} ({other.path})",
                                    field="aliases")
                names[alias] = prof
        return [merged[k] for k in sorted(merged)]

    def ids(self) -> list[str]:
        return [p.id for p in self.all()]

    def unique(self, names: Iterable[str | Profile]) -> list[Profile]:
        """The profiles for several ids or aliases, each chip once, in the order first named.

            >>> [p.id for p in load_profiles().unique(["h100", "h100-sxm", "a100"])]
            ['h100', 'a100']
        """
        out: dict[str, Profile] = {}
        for n in names:
            prof = n if isinstance(n, Profile) else self.get(n)
            out.setdefault(prof.id, prof)
        return list(out.values())

    @property
    def notes(self) -> list[str]:
        """One line per profile of your own that replaces a shipped chip (not a problem: to show with results)."""
        return [p.replaces_note for p in (*self._user.values(), *self._explicit.values()) if p.replaces_note]

    def get(self, name: str) -> Profile:
        """Find a profile by id or alias, case-insensitively."""
        from .text import clean

        if not isinstance(name, str):
            raise InputTypeError(f"a chip id must be text, not {type(name).__name__}")
        key = clean(name).strip().lower()
        if not key:
            raise UnknownNameError(f"chip id is empty; known chips are {', '.join(self.ids())}")
        for layer in (self._explicit, self._user):
            if key in layer:
                return layer[key]
        for layer in (self._explicit, self._user):  # a shipped chip's id names the profile that replaces it
            for prof in layer.values():
                if prof.replaces == key:
                    return prof
        # A shipped chip first: a broken file of your own never shadows it, not even by its file name.
        shipped = self._load_shipped(key) if "/" not in key and "\\" not in key and len(key) <= 60 else None
        if shipped is not None:
            return shipped
        for prof in self.all():
            if key in prof.aliases:
                return prof
        if key in self._broken:
            raise self._broken[key]
        raise UnknownNameError(f"unknown chip {key[:40]!r}; known chips are {', '.join(self.ids())}")


def load_profiles(files: Iterable[Path | str] = (), *, user_dirs_: Iterable[Path] | None = None) -> HardwareDB:
    """The profiles in effect: shipped, then the user's folder, then `files` (later ones override).

        >>> db = load_profiles()
        >>> db.get("H100").id
        'h100'
    """
    from .inputs import paths as _paths_of

    files = _paths_of(files, what="hardware files")
    if not files and user_dirs_ is None:
        return default_db()
    return HardwareDB(files, user_dirs_=user_dirs_)


def resolve(gpu: str | Profile | None, db: HardwareDB | None = None) -> Profile:
    """A Profile from an id, alias or Profile (default h100)."""
    if isinstance(gpu, Profile):
        return gpu
    if gpu is not None and not isinstance(gpu, str):
        raise InputTypeError(f"gpu must be a chip id or a Profile, not {type(gpu).__name__}")
    if db is not None and not isinstance(db, HardwareDB):
        raise InputTypeError(f"hardware must be a HardwareDB (flopcalc.load_profiles()), not {type(db).__name__}")
    return (db or default_db()).get("h100" if gpu is None else gpu)


_DB: dict[tuple[str, ...], HardwareDB] = {}


def default_db() -> HardwareDB:
    """The profiles in effect with no explicit files, built once per process (per set of user folders)."""
    key = tuple(str(d) for d in user_dirs(HARDWARE_ENV, "hardware"))
    if key not in _DB:
        _DB[key] = HardwareDB()
    return _DB[key]
