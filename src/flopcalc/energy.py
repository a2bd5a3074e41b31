"""Energy and emissions: what a chip-hour draws from the grid, one model for every command.

energy (MWh) = chip-hours x chip TDP x server-power factor x average load x PUE, and
emissions (tCO2e) = energy x grid intensity. The factors are data (data/energy.yaml, Epoch AI's
energy model): the server-power factor per chip (DGX system power over the chip's TDP), the
average load (GPUs 0.75, TPUs 0.43) and the PUE by operator (hyperscaler 1.1, other 1.25). The
megawatt-hours of cost and plan and the amortized basis's energy dollars (cost, plan, report with
--basis) all read them through `assumptions_for`, so one run has one figure for its energy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from .errors import DataError, InputError

__all__ = ["EnergyAssumptions", "EnergyFactors", "assumptions_for", "energy_factors", "OPERATOR_KINDS"]

_DATA_FILE = "energy.yaml"
OPERATOR_KINDS = ("hyperscaler", "other")

# The figures a library caller gets from a bare EnergyAssumptions(): an H100 in a non-hyperscale
# datacenter, as data/energy.yaml gives them (a test holds the two equal).
SERVER_POWER_FACTOR = 1.8214
AVERAGE_LOAD = 0.75
PUE = 1.25
GRID_INTENSITY = 0.42  # kgCO2e per kWh


@dataclass(frozen=True)
class EnergyAssumptions:
    """The factors that turn chip-hours into megawatt-hours and tonnes of CO2e, and where each came from."""

    server_power_factor: float = SERVER_POWER_FACTOR
    average_load: float = AVERAGE_LOAD
    pue: float = PUE
    grid_intensity: float = GRID_INTENSITY  # kgCO2e/kWh
    operator: str | None = None  # hyperscaler | other, when the PUE is the operator's (None: given)
    sources: Mapping[str, str] | None = None
    caveat: str | None = None  # what the figure is known to miss, said wherever it is printed

    @property
    def factor(self) -> float:
        """Facility energy per unit of chip TDP-hours."""
        return self.server_power_factor * self.average_load * self.pue


@dataclass(frozen=True)
class EnergyFactors:
    """The checked contents of data/energy.yaml."""

    power_factor_gpu: float
    power_factor_tpu: float
    power_factors: Mapping[str, float]
    load_gpu: float
    load_tpu: float
    pue: Mapping[str, float]
    pue_default: str
    grid_intensity: float
    sources: Mapping[str, str]
    path: str = ""


def _map(path: Any, where: str, v: Any) -> dict[Any, Any]:
    if not isinstance(v, dict) or not v:
        raise DataError(path, "must be a non-empty mapping", field=where)
    return v


def _num(path: Any, where: str, v: Any, *, lo: float = 0.0, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        raise DataError(path, f"must be a number, not {v!r:.40}", field=where)
    x = float(v)
    if not lo < x <= hi:
        raise DataError(path, f"{x:g} is out of range: must be > {lo:g} and <= {hi:g}", field=where)
    return x


def _source(path: Any, section: str, d: Mapping[str, Any]) -> str:
    from .text import clean

    src, url = d.get("source"), d.get("url")
    if not isinstance(src, str) or not src.strip() or not isinstance(url, str) or not url.startswith("http"):
        raise DataError(path, "must give a source and a url", field=section)
    return f"{clean(src).strip()} ({url}, {d.get('date')})"


def read_factors(path: Any) -> EnergyFactors:
    """Read and check an energy-factors file (the shipped one: `energy_factors()`)."""
    from ._yaml import read_yaml

    d = _map(path, "(top level)", read_yaml(path))
    spf = _map(path, "server_power_factor", d.get("server_power_factor"))
    chips = _map(path, "server_power_factor.chips", spf.get("chips"))
    load = _map(path, "average_load", d.get("average_load"))
    pue = _map(path, "pue", d.get("pue"))
    kinds = _map(path, "pue.kinds", pue.get("kinds"))
    pue_kinds = {str(k): _num(path, f"pue.kinds.{k}", v, lo=1 - 1e-12, hi=3) for k, v in kinds.items()}
    if set(pue_kinds) != set(OPERATOR_KINDS):
        raise DataError(path, f"must give exactly {', '.join(OPERATOR_KINDS)}", field="pue.kinds")
    default = str(pue.get("default"))
    if default not in pue_kinds:
        raise DataError(path, f"{default!r:.30} must be one of {', '.join(OPERATOR_KINDS)}", field="pue.default")
    grid = _map(path, "grid_intensity", d.get("grid_intensity"))
    return EnergyFactors(
        power_factor_gpu=_num(path, "server_power_factor.gpu_default", spf.get("gpu_default"), hi=10),
        power_factor_tpu=_num(path, "server_power_factor.tpu_default", spf.get("tpu_default"), hi=10),
        power_factors={str(k).lower(): _num(path, f"server_power_factor.chips.{k}", v, hi=10)
                       for k, v in chips.items()},
        load_gpu=_num(path, "average_load.gpu", load.get("gpu"), hi=1),
        load_tpu=_num(path, "average_load.tpu", load.get("tpu"), hi=1),
        pue=pue_kinds, pue_default=default,
        grid_intensity=_num(path, "grid_intensity.kg_co2e_per_kwh", grid.get("kg_co2e_per_kwh"), hi=2),
        sources={"server_power_factor": _source(path, "server_power_factor", spf),
                 "average_load": _source(path, "average_load", load), "pue": _source(path, "pue", pue),
                 "grid_intensity": _source(path, "grid_intensity", grid)},
        path=str(path),
    )


@lru_cache(maxsize=1)
def energy_factors() -> EnergyFactors:
    """The shipped energy factors, read and checked once (on first use)."""
    from ._paths import data_path

    return read_factors(data_path(_DATA_FILE))


def is_tpu(chip_id: str) -> bool:
    """Whether a chip is a Google TPU (its own server-power and load figures)."""
    return chip_id.lower().startswith("tpu")


def parse_operator(operator: Any) -> str | None:
    """'hyperscaler' or 'other' (case-insensitive); None stays None (the data's default)."""
    if operator is None:
        return None
    op = str(operator).strip().lower()
    if op not in OPERATOR_KINDS:
        raise InputError(f"operator {str(operator)[:30]!r} is not an operator kind: expected one of "
                         f"{', '.join(OPERATOR_KINDS)}")
    return op


def assumptions_for(chip_id: str, *, operator: Any = None, pue: float | None = None,
                    grid_intensity: float | None = None, factors: EnergyFactors | None = None) -> EnergyAssumptions:
    """The energy factors of one chip: its server-power factor, its kind's load, the operator's PUE.

    operator: 'hyperscaler' or 'other' (default: the data's, 'other'). pue and grid_intensity,
    when given, replace the data's figures (pue then wins over the operator's).
    """
    f = factors or energy_factors()
    op = parse_operator(operator) or f.pue_default
    tpu = is_tpu(chip_id)
    spf = f.power_factors.get(chip_id.lower(), f.power_factor_tpu if tpu else f.power_factor_gpu)
    spf_note = ("the chip's own" if chip_id.lower() in f.power_factors
                else f"the {'TPU' if tpu else 'GPU'} default (no figure for {chip_id})")
    sources = dict(f.sources)
    sources["server_power_factor"] = f"{spf_note}: {f.sources['server_power_factor']}"
    sources["average_load"] = f"{'TPUs' if tpu else 'GPUs'}: {f.sources['average_load']}"
    sources["pue"] = ("given" if pue is not None else f"operator '{op}': {f.sources['pue']}")
    if grid_intensity is not None:
        sources["grid_intensity"] = "given"
    caveat = None
    if tpu:
        caveat = (f"{chip_id} energy is likely understated: its profile's power is Google's measured per-chip "
                  "figure, lower than the TDP the TPU server factor was derived against (TPU v3: 450 W), and "
                  "published TPU runs drew more (Gopher assumed 283 W per TPU v3 chip; PaLM measured 378.5 W of "
                  "system power per TPU v4 chip)")
    return EnergyAssumptions(
        caveat=caveat,
        server_power_factor=spf, average_load=f.load_tpu if tpu else f.load_gpu,
        pue=pue if pue is not None else f.pue[op], grid_intensity=grid_intensity if grid_intensity is not None
        else f.grid_intensity, operator=None if pue is not None else op, sources=sources)
