"""Known training runs: the reported figures, as data (what they imply lives in evidence.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ._paths import data_path
from ._schema import Fields, as_date
from ._yaml import read_yaml
from .errors import DataError
from .hardware import PRECISIONS

__all__ = ["Run", "load_runs", "FLOP_KINDS", "CHIP_HOURS_KINDS", "runs_data_as_of"]

_KEYS = ("model", "org", "year", "accelerator", "gpu", "precision", "precision_assumed", "chips", "days",
         "chip_hours", "flop", "flop_kind", "chip_hours_kind", "params", "active_params", "tokens", "cost_usd", "mfu",
         "energy_mwh", "co2_t", "grade", "source", "notes", "published", "epoch", "chip_hours_per_trillion_tokens")
_NUMBERS = ("chips", "days", "chip_hours", "flop", "params", "active_params", "tokens", "energy_mwh", "co2_t",
            "chip_hours_per_trillion_tokens")
FLOP_KINDS = ("reported", "counted", "lower-bound", "6ND")
CHIP_HOURS_KINDS = ("reported", "chips-x-days", "calendar-window", "upper-bound", "rate-x-tokens")


@dataclass(frozen=True)
class Run:
    """One publicly reported training run; numeric fields are reported figures (None if not reported)."""

    model: str
    org: str | None
    year: int | None
    accelerator: str | None
    gpu: str | None
    precision: str | None
    precision_assumed: bool
    chips: float | None
    days: float | None
    chip_hours: float | None
    flop: float | None
    params: float | None
    active_params: float | None
    tokens: float | None
    cost_usd: tuple[float, float] | None
    mfu: tuple[float, float] | None
    energy_mwh: float | None
    co2_t: float | None
    grade: str | None
    source: str
    notes: str | None
    path: str = ""
    flop_kind: str | None = None
    chip_hours_kind: str | None = None
    published: str | None = None  # publication date (YYYY-MM-DD), where known
    epoch_system: str | None = None  # provenance of rows taken from Epoch AI's dataset
    epoch_commit: str | None = None
    epoch_columns: tuple[str, ...] = ()
    chip_hours_per_trillion_tokens: float | None = None  # a reported rate (DeepSeek-V2: 172.8K GPU-hours per 1T tokens)

    @property
    def date(self) -> str | None:
        """The publication date, else the middle of the year (for time splits and chip age)."""
        return self.published or (f"{self.year}-07-01" if self.year else None)

    @property
    def training_flop(self) -> tuple[float | None, str]:
        """Reported FLOP, else 6 N D (active parameters for mixture-of-experts), and which it is."""
        if self.flop:
            return self.flop, self.flop_kind or "reported"
        n = self.active_params or self.params
        if n and self.tokens:
            return 6 * n * self.tokens, self.flop_kind or "6ND"
        return None, "unknown"

    @property
    def hours(self) -> tuple[float | None, str]:
        """Reported chip-hours, else chips x days x 24, else a reported rate x the tokens, and which it is."""
        if self.chip_hours:
            return self.chip_hours, self.chip_hours_kind or "reported"
        if self.chips and self.days:
            return self.chips * self.days * 24, self.chip_hours_kind or "chips-x-days"
        if self.chip_hours_per_trillion_tokens and self.tokens:
            return self.chip_hours_per_trillion_tokens * self.tokens / 1e12, self.chip_hours_kind or "rate-x-tokens"
        return None, "unknown"


def _pair(f: Fields, key: str, lo: float = 0.0, hi: float | None = None) -> tuple[float, float] | None:
    v = f.get(key)
    if v is None:
        return None
    if isinstance(v, list):
        if len(v) != 2:
            raise f.error(key, "must be a number or a [low, high] pair")
        a, b = (f.number(key, x, lo=lo, hi=hi, lo_open=True, label=f"{f.name(key)}[{i}]") for i, x in enumerate(v))
        if a > b:
            raise f.error(key, "low is above high")
        return a, b
    x = f.number(key, lo=lo, hi=hi, lo_open=True)
    return x, x


def _run(data: Any, path: Path | str, i: int) -> Run:
    f = Fields(path, data, allowed=_KEYS, required=("model", "source"), where=f"runs[{i}]")
    nums = {k: f.number(k, optional=True, lo=0, lo_open=True) for k in _NUMBERS}
    gpu = f.text("gpu", optional=True)
    prec = f.text("precision", optional=True)
    if prec and prec.lower() not in PRECISIONS:
        raise f.error("precision", f"{prec[:20]!r} is not a precision; known precisions are {', '.join(PRECISIONS)}")
    year = f.number("year", optional=True, lo=1950, hi=2100, integer=True)
    kinds: dict[str, str | None] = {}
    for key, allowed in (("flop_kind", FLOP_KINDS), ("chip_hours_kind", CHIP_HOURS_KINDS)):
        v = f.text(key, optional=True)
        if v is not None and v not in allowed:
            raise f.error(key, f"{v[:20]!r} must be one of {', '.join(allowed)}")
        kinds[key] = v
    rate, kind = nums["chip_hours_per_trillion_tokens"], kinds["chip_hours_kind"]
    if kind == "rate-x-tokens" and not (rate and nums["tokens"]):
        raise f.error("chip_hours_kind", "rate-x-tokens needs chip_hours_per_trillion_tokens and tokens")
    if rate is not None:
        if nums["chip_hours"] is not None or (nums["chips"] and nums["days"]):
            raise f.error("chip_hours_per_trillion_tokens", "give chip_hours, chips with days, or a rate, not two")
        if not nums["tokens"]:
            raise f.error("chip_hours_per_trillion_tokens", "a rate needs tokens (chip-hours = rate x tokens / 1e12)")
        if kind not in (None, "rate-x-tokens", "upper-bound"):
            raise f.error("chip_hours_kind", f"{kind!r} does not fit a rate: expected rate-x-tokens or upper-bound")
        if not rate * nums["tokens"] / 1e12 < 1e15:
            raise f.error("chip_hours_per_trillion_tokens", f"{rate:g} x {nums['tokens']:g} tokens is over 1e15 "
                          "chip-hours: expected a rate of GPU-hours per trillion tokens")
    published = as_date(f.get("published")) if f.get("published") is not None else None
    if f.get("published") is not None and published is None:
        raise f.error("published", "must be a date: YYYY-MM-DD")
    ep = f.get("epoch")
    if ep is not None and not (isinstance(ep, dict) and isinstance(ep.get("system"), str)
                               and isinstance(ep.get("commit"), str) and isinstance(ep.get("columns"), list)):
        raise f.error("epoch", "must be a mapping with system, commit and columns")
    return Run(
        published=published, epoch_system=ep["system"] if ep else None, epoch_commit=ep["commit"] if ep else None,
        epoch_columns=tuple(str(c) for c in ep["columns"]) if ep else (),
        model=f.text("model"), org=f.text("org", optional=True), year=int(year) if year else None,
        accelerator=f.text("accelerator", optional=True), gpu=gpu.lower() if gpu else None,
        precision=prec.lower() if prec else None, precision_assumed=bool(f.get("precision_assumed")),
        cost_usd=_pair(f, "cost_usd"), mfu=_pair(f, "mfu", hi=1.0), grade=f.text("grade", optional=True),
        source=f.text("source"), notes=f.text("notes", optional=True), path=str(path),
        flop_kind=kinds["flop_kind"], chip_hours_kind=kinds["chip_hours_kind"],
        chips=nums["chips"], days=nums["days"], chip_hours=nums["chip_hours"], flop=nums["flop"],
        params=nums["params"], active_params=nums["active_params"], tokens=nums["tokens"],
        energy_mwh=nums["energy_mwh"], co2_t=nums["co2_t"],
        chip_hours_per_trillion_tokens=nums["chip_hours_per_trillion_tokens"],
    )


def load_runs(files: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Run]:
    """The bundled known runs, then the runs in `files` (same schema: a mapping with a `runs` list).

        >>> llama = next(r for r in load_runs() if r.model == "Llama 3.1 405B")
        >>> llama.gpu, llama.training_flop
        ('h100', (3.8e+25, 'reported'))
    """
    from .inputs import paths as _paths_of

    paths = ([data_path("runs.yaml")] if bundled else []) + _paths_of(files, what="runs files")
    runs: list[Run] = []
    where: dict[str, str] = {}
    for path in paths:
        doc = read_yaml(path)
        f = Fields(path, doc, allowed=("data_as_of", "runs"), required=("runs",))
        items = f.seq("runs")
        for i, item in enumerate(items):
            run = _run(item, path, i)
            key = run.model.strip().casefold()
            if key in where:  # one name, one run: a second would be reported as the first (in evidence or not)
                raise DataError(path, f"model {run.model[:60]!r} is already a run (in {where[key]}): give it "
                                "another name", field=f"runs[{i}].model")
            where[key] = str(path)
            runs.append(run)
    return runs




def runs_data_as_of() -> str | None:
    """When the bundled runs were last checked (the file's data_as_of)."""
    doc = read_yaml(data_path("runs.yaml"))
    return as_date(doc.get("data_as_of")) if isinstance(doc, dict) else None
