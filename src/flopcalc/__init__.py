"""flopcalc: napkin math for AI compute thresholds, with every unit checked by pint.

    >>> import flopcalc
    >>> r = flopcalc.cost(1e26, "h100", peak="2000 TFLOP/s")
    >>> round(r.chip_hours.to("hour").magnitude)
    34722222

Names are imported on first use (PEP 562), so `import flopcalc` costs next to nothing
and a command pays only for what it uses. No submodule shares a name with a public function.
"""

from __future__ import annotations

import sys as _sys

if _sys.argv and (_sys.argv[0] == "-m" or _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("flopcalc",
                                                                                          "flopcalc.exe")):
    # Started as the command line: Ctrl-C at any moment (even while importing) exits 130, quietly.
    import _signal  # type: ignore[import-not-found]  # the C module (typeshed has no stub for it): `signal`
    # itself imports enum, long enough to be interrupted

    def _interrupted(_sig: int, _frame: object) -> None:
        import os

        try:
            os.write(2, b"Aborted.\n")
        finally:
            os._exit(130)

    _signal.signal(_signal.SIGINT, _interrupted)

from importlib import import_module  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

__version__ = "0.2.0"

_EXPORTS = {
    "cost": "estimate", "budget": "estimate", "cost_table": "estimate", "CostResult": "estimate",
    "BudgetResult": "estimate", "EvidenceEstimate": "estimate",
    "size": "sizing", "SizeResult": "sizing", "finetune_flop": "sizing",
    "grid": "sweep", "GridResult": "sweep",
    "load_profiles": "hardware", "load_profile": "hardware", "HardwareDB": "hardware", "Profile": "hardware",
    "load_thresholds": "rules", "thresholds": "rules", "Threshold": "rules", "timeline": "rules",
    "check": "verdicts", "threshold_costs": "verdicts", "CheckResult": "verdicts",
    "load_runs": "runs", "Run": "runs",
    "estimate_runs": "evidence", "calibrate": "calibration", "Calibration": "calibration",
    "trend": "trends", "TrendRow": "trends",
    "plan": "planning", "Plan": "planning",
    "to_frame": "frames",
    "Q_": "units", "registry": "units", "parse_quantity": "units",
    "FlopcalcError": "errors", "InputError": "errors", "UnknownNameError": "errors", "DataError": "errors",
    "MissingExtraError": "errors", "OutputError": "errors",
}

# Static, so that type checkers see the public names (mypy --strict on `flopcalc.cost(...)`); a test keeps
# it equal to the lazy table above.
__all__ = [
    "Q_",
    "BudgetResult",
    "Calibration",
    "CheckResult",
    "CostResult",
    "DataError",
    "EvidenceEstimate",
    "FlopcalcError",
    "GridResult",
    "HardwareDB",
    "InputError",
    "MissingExtraError",
    "OutputError",
    "Plan",
    "Profile",
    "Run",
    "SizeResult",
    "Threshold",
    "TrendRow",
    "UnknownNameError",
    "__version__",
    "budget",
    "calibrate",
    "check",
    "cost",
    "cost_table",
    "estimate_runs",
    "finetune_flop",
    "grid",
    "load_profile",
    "load_profiles",
    "load_runs",
    "load_thresholds",
    "parse_quantity",
    "plan",
    "registry",
    "size",
    "threshold_costs",
    "thresholds",
    "timeline",
    "to_frame",
    "trend",
]


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
    from .calibration import Calibration, calibrate
    from .errors import (
        DataError,
        FlopcalcError,
        InputError,
        MissingExtraError,
        OutputError,
        UnknownNameError,
    )
    from .estimate import (
        BudgetResult,
        CostResult,
        EvidenceEstimate,
        budget,
        cost,
        cost_table,
    )
    from .evidence import estimate_runs
    from .frames import to_frame
    from .hardware import HardwareDB, Profile, load_profile, load_profiles
    from .planning import Plan, plan
    from .rules import Threshold, load_thresholds, thresholds, timeline
    from .runs import Run, load_runs
    from .sizing import SizeResult, finetune_flop, size
    from .sweep import GridResult, grid
    from .trends import TrendRow, trend
    from .units import Q_, parse_quantity, registry
    from .verdicts import CheckResult, check, threshold_costs
