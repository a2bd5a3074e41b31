"""flopcalc: napkin math for AI compute thresholds, with every unit checked by pint.

    >>> import flopcalc
    >>> r = flopcalc.cost(1e26, "h100", peak="2000 TFLOP/s")
    >>> round(r.chip_hours.to("hour").magnitude)
    34722222
"""

from __future__ import annotations

__version__ = "0.1.0"

from .calc import BudgetResult, CostResult, SizeResult, budget, cost, size
from .errors import DataError, FlopcalcError, InputError, MissingExtraError, UnknownNameError
from .hardware import HardwareDB, Profile, load_profile, load_profiles
from .runs import Calibration, Run, calibrate, estimate_runs, load_runs
from .units import Q_, parse_quantity, registry

__all__ = [
    "__version__",
    "cost", "budget", "size", "grid",
    "CostResult", "BudgetResult", "SizeResult",
    "load_profiles", "load_profile", "HardwareDB", "Profile",
    "load_thresholds", "thresholds", "check", "Threshold", "CheckResult",
    "load_runs", "estimate_runs", "calibrate", "Run", "Calibration",
    "Q_", "registry", "parse_quantity",
    "FlopcalcError", "InputError", "UnknownNameError", "DataError", "MissingExtraError",
]


def __getattr__(name: str):
    # Modules added later are imported on first use, so `import flopcalc` stays cheap.
    if name in {"load_thresholds", "thresholds", "check", "Threshold", "CheckResult"}:
        from . import rules

        return getattr(rules, name)
    if name == "grid":
        from .grid import grid

        return grid
    raise AttributeError(f"module 'flopcalc' has no attribute {name!r}")
