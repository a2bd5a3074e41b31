"""flopcalc: napkin math for AI compute thresholds, with every unit checked by pint.

    >>> import flopcalc
    >>> r = flopcalc.cost(1e26, "h100", peak="2000 TFLOP/s")
    >>> round(r.chip_hours.to("hour").magnitude)
    34722222

Names are imported on first use (PEP 562), so `import flopcalc` costs next to nothing
and a command pays only for what it uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "cost": "calc", "budget": "calc", "size": "calc", "CostResult": "calc", "BudgetResult": "calc",
    "SizeResult": "calc",
    "grid": "grid", "GridResult": "grid",
    "load_profiles": "hardware", "load_profile": "hardware", "HardwareDB": "hardware", "Profile": "hardware",
    "load_thresholds": "rules", "thresholds": "rules", "check": "rules", "threshold_costs": "rules",
    "Threshold": "rules", "CheckResult": "rules",
    "load_runs": "runs", "estimate_runs": "runs", "calibrate": "runs", "Run": "runs", "Calibration": "runs",
    "Q_": "units", "registry": "units", "parse_quantity": "units",
    "FlopcalcError": "errors", "InputError": "errors", "UnknownNameError": "errors", "DataError": "errors",
    "MissingExtraError": "errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flopcalc' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .calc import BudgetResult, CostResult, SizeResult, budget, cost, size
    from .errors import DataError, FlopcalcError, InputError, MissingExtraError, UnknownNameError
    from .grid import GridResult, grid
    from .hardware import HardwareDB, Profile, load_profile, load_profiles
    from .rules import CheckResult, Threshold, check, load_thresholds, threshold_costs, thresholds
    from .runs import Calibration, Run, calibrate, estimate_runs, load_runs
    from .units import Q_, parse_quantity, registry
