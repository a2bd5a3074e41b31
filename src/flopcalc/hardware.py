"""Hardware profiles: one YAML file per chip, parsed and dimension-checked at load time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ._paths import data_path, user_dirs
from ._schema import Fields, as_date
from ._yaml import read_yaml
from .errors import DataError, InputError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["Profile", "Source", "HardwareDB", "load_profile", "load_profiles", "PRECISIONS", "HARDWARE_ENV"]

HARDWARE_ENV = "FLOPCALC_HARDWARE_PATH"
PRECISIONS = ("fp4", "fp6", "fp8", "bf16", "fp16", "tf32", "fp32", "fp64")
_REQUIRED = ("id", "name", "peak", "default_precision", "efficiency", "price", "overhead", "tdp", "memory", "sources")
_OPTIONAL = ("aliases", "vendor", "year", "generation", "sparse_peak", "efficiency_range", "price_range", "notes")
_ALLOWED = _REQUIRED[:3] + ("aliases",) + _REQUIRED[3:] + _OPTIONAL[1:]
_SOURCE_KEYS = ("field", "source", "url", "date")


@dataclass(frozen=True)
class Source:
    """Where one or more of a profile's figures come from."""

    field: str
    source: str
    date: str
    url: str | None = None

    def covers(self, name: str) -> bool:
        return name in {f.strip() for f in self.field.split(",")}


@dataclass(frozen=True, eq=False)
class Profile:
    """One accelerator: dense peaks per precision, default assumptions, and their sources."""

    id: str
    name: str
    peak: Mapping[str, pint.Quantity]
    default_precision: str
    efficiency: Mapping[str, float]
    price: pint.Quantity
    overhead: float
    tdp: pint.Quantity
    memory: pint.Quantity
    sources: tuple[Source, ...]
    aliases: tuple[str, ...] = ()
    vendor: str | None = None
    year: int | None = None
    generation: str | None = None
    sparse_peak: Mapping[str, pint.Quantity] = field(default_factory=lambda: MappingProxyType({}))
    efficiency_range: Mapping[str, tuple[float, float]] = field(default_factory=lambda: MappingProxyType({}))
    price_range: tuple[pint.Quantity, pint.Quantity] | None = None
    notes: str | None = None
    path: str = ""
    origin: str = "shipped"

    @property
    def precisions(self) -> tuple[str, ...]:
        return tuple(self.peak)

    def check_precision(self, precision: str | None) -> str:
        """The precision to use: the given one (case-insensitive) if this chip has it, else the default."""
        if precision is None:
            return self.default_precision
        p = str(precision).strip().lower()
        if p not in self.peak:
            raise UnknownNameError(
                f"{self.id} has no {str(precision)[:20]!r} peak; its precisions are {', '.join(self.peak)}"
            )
        return p

    def efficiency_for(self, precision: str) -> float:
        p = self.check_precision(precision)
        try:
            return self.efficiency[p]
        except KeyError:
            raise UnknownNameError(
                f"{self.id} has no default efficiency at {p} (it has one for {', '.join(self.efficiency)}); "
                "give one with --efficiency"
            ) from None

    def sources_for(self, name: str) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.covers(name))


def _precision_map(f: Fields, key: str, *, optional: bool = False) -> dict[str, Any] | None:
    m = f.mapping(key, optional=optional)
    if m is None:
        return None
    out: dict[str, Any] = {}
    for k, v in m.items():
        p = str(k).strip().lower()
        if p not in PRECISIONS:
            raise f.error(f"{key}.{k}", f"unknown precision; known precisions are {', '.join(PRECISIONS)}")
        out[p] = v
    return out


def _range(f: Fields, label: str, value: Any, conv) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise f.error(label, "must be a [low, high] pair")
    lo, hi = (conv(v, f"{label}[{i}]") for i, v in enumerate(value))
    if lo > hi:
        raise f.error(label, "low is above high")
    return lo, hi


def profile_from_data(data: Any, path: Path | str, *, origin: str = "file") -> Profile:
    """Check one parsed profile document and build a Profile."""
    f = Fields(path, data, allowed=_ALLOWED, required=_REQUIRED)
    pid = f.text("id").lower()
    if not pid or any(c.isspace() for c in pid):
        raise f.error("id", "must be one word, e.g. h100")
    peaks_raw = _precision_map(f, "peak")
    peak = {p: f.quantity("peak", "flop_rate", v, label=f"peak.{p}") for p, v in peaks_raw.items()}
    sparse: dict[str, Any] = {}
    for p, v in (_precision_map(f, "sparse_peak", optional=True) or {}).items():
        q = f.quantity("sparse_peak", "flop_rate", v, label=f"sparse_peak.{p}")
        sparse[p] = q
        if p in peak:
            ratio = float((peak[p] / q).to("").magnitude)
            if not 0.45 <= ratio <= 0.55:
                raise f.error(f"peak.{p}", (
                    f"is {ratio:.2f}x the sparse figure; the dense peak must be half the 2:4-sparse one "
                    "(did the datasheet's sparse figure get copied?)"))
    default = f.text("default_precision").lower()
    if default not in peak:
        raise f.error("default_precision", f"{default!r} has no peak; peaks are given for {', '.join(peak)}")
    eff_raw = f.get("efficiency")
    efficiency: dict[str, float] = {}
    if isinstance(eff_raw, dict):
        for p, v in _precision_map(f, "efficiency").items():
            if p not in peak:
                raise f.error(f"efficiency.{p}", f"has no peak; peaks are given for {', '.join(peak)}")
            efficiency[p] = f.number("efficiency", v, lo=0, hi=1, lo_open=True, label=f"efficiency.{p}")
        if default not in efficiency:
            raise f.error("efficiency", f"must give the default precision {default!r}")
    else:
        e = f.number("efficiency", lo=0, hi=1, lo_open=True)
        efficiency = {p: e for p in peak}

    def frac(v: Any, label: str) -> float:
        return f.number("", v, lo=0, hi=1, lo_open=True, label=label)

    eff_range: dict[str, tuple[float, float]] = {}
    er = f.get("efficiency_range")
    if isinstance(er, dict):
        for p, v in _precision_map(f, "efficiency_range").items():
            if p not in peak:
                raise f.error(f"efficiency_range.{p}", f"has no peak; peaks are given for {', '.join(peak)}")
            eff_range[p] = _range(f, f"efficiency_range.{p}", v, frac)
    elif er is not None:
        pair = _range(f, "efficiency_range", er, frac)
        eff_range = {p: pair for p in peak}
    price = f.quantity("price", "price", allow_zero=True)
    pr = f.get("price_range")
    price_range = None
    if pr is not None:
        price_range = _range(f, "price_range", pr,
                             lambda v, label: f.quantity("", "price", v, label=label, allow_zero=True))
    overhead = f.number("overhead", lo=1)
    aliases_raw = f.get("aliases") or []
    if not isinstance(aliases_raw, list):
        raise f.error("aliases", "must be a list of names")
    aliases = tuple(dict.fromkeys(str(a).strip().lower() for a in aliases_raw if str(a).strip()))
    year = f.number("year", optional=True, lo=1990, hi=2100)
    sources_raw = f.seq("sources")
    if not sources_raw:
        raise f.error("sources", "must list where the figures come from")
    sources = []
    for i, s in enumerate(sources_raw):
        sf = Fields(path, s, allowed=_SOURCE_KEYS, required=("field", "source", "date"), where=f"sources[{i}]")
        date = as_date(sf.get("date"))
        if date is None:
            raise sf.error("date", "must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
        sources.append(Source(field=sf.text("field"), source=sf.text("source"), date=date,
                              url=sf.text("url", optional=True)))
    return Profile(
        id=pid, name=f.text("name"), peak=MappingProxyType(peak), default_precision=default,
        efficiency=MappingProxyType(efficiency), price=price, overhead=overhead,
        tdp=f.quantity("tdp", "power"), memory=f.quantity("memory", "memory"), sources=tuple(sources),
        aliases=aliases, vendor=f.text("vendor", optional=True), year=int(year) if year else None,
        generation=(f.text("generation", optional=True) or "").lower() or None,
        sparse_peak=MappingProxyType(sparse), efficiency_range=MappingProxyType(eff_range),
        price_range=price_range, notes=f.text("notes", optional=True), path=str(path), origin=origin,
    )


def load_profile(path: Path | str, *, origin: str = "file") -> Profile:
    """Read and check one profile file."""
    return profile_from_data(read_yaml(path), path, origin=origin)


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


class HardwareDB:
    """The loaded profiles: shipped ones, overridden by the user's folder, overridden by explicit files.

    Shipped profiles are read lazily (a file is named after its id), so looking up one chip
    reads one file; listing reads them all and checks every id and alias is unique.
    """

    def __init__(self, files: Iterable[Path | str] = (), *, user_dirs_: Iterable[Path] | None = None,
                 shipped: bool = True) -> None:
        self._shipped_dir = data_path("hardware") if shipped else None
        self._shipped: dict[str, Profile] = {}
        self._shipped_all = False
        dirs = user_dirs(HARDWARE_ENV, "hardware") if user_dirs_ is None else list(user_dirs_)
        self._user = self._layer([p for d in dirs for p in _yaml_files(Path(d))], origin="user")
        self._explicit = self._layer([Path(p) for p in files], origin="file")

    @staticmethod
    def _layer(paths: list[Path], *, origin: str) -> dict[str, Profile]:
        layer: dict[str, Profile] = {}
        for path in paths:
            prof = load_profile(path, origin=origin)
            if prof.id in layer:
                raise DataError(path, f"defines id {prof.id!r}, which {layer[prof.id].path} defines too", field="id")
            layer[prof.id] = prof
        return layer

    def _load_shipped(self, pid: str) -> Profile | None:
        if pid in self._shipped or self._shipped_dir is None:
            return self._shipped.get(pid)
        path = self._shipped_dir / f"{pid}.yaml"
        if not path.is_file():
            return None
        prof = load_profile(path, origin="shipped")
        if prof.id != pid:
            raise DataError(path, f"defines id {prof.id!r}, but a shipped profile's file must be named after its id",
                            field="id")
        self._shipped[pid] = prof
        return prof

    def _load_all_shipped(self) -> None:
        if self._shipped_all or self._shipped_dir is None:
            return
        for path in _yaml_files(self._shipped_dir):
            self._load_shipped(path.stem.lower())
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

    def get(self, name: str) -> Profile:
        """Find a profile by id or alias, case-insensitively."""
        key = str(name).strip().lower()
        for layer in (self._explicit, self._user):
            if key in layer:
                return layer[key]
        prof = self._load_shipped(key) if key and "/" not in key and "\\" not in key else None
        if prof is not None:
            return prof
        for prof in self.all():
            if key in prof.aliases:
                return prof
        raise UnknownNameError(f"unknown chip {str(name)[:40]!r}; known chips are {', '.join(self.ids())}")


def load_profiles(files: Iterable[Path | str] = (), *, user_dirs_: Iterable[Path] | None = None) -> HardwareDB:
    """The profiles in effect: shipped, then the user's folder, then `files` (later ones override)."""
    return HardwareDB(files, user_dirs_=user_dirs_)


def resolve(gpu: str | Profile | None, db: HardwareDB | None = None) -> Profile:
    """A Profile from an id, alias or Profile (default h100)."""
    if isinstance(gpu, Profile):
        return gpu
    if gpu is not None and not isinstance(gpu, str):
        raise InputError(f"gpu must be a chip id or a Profile, not {type(gpu).__name__}")
    return (db or _default_db()).get("h100" if gpu is None else gpu)


_DB: list[HardwareDB] = []


def _default_db() -> HardwareDB:
    if not _DB:
        _DB.append(load_profiles())
    return _DB[0]
