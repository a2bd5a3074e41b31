"""Results as a pandas DataFrame, for notebooks (needs the optional extra flopcalc[frame])."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .errors import InputTypeError, MissingExtraError, install_hint

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = ["to_frame"]


def to_frame(results: Iterable[Any] | Any) -> pandas.DataFrame:
    """One row per result (CostResult, BudgetResult, CheckResult, Plan, TrendRow...), the CLI's JSON keys as columns.

    A single result gives a one-row frame.

        >>> import flopcalc
        >>> df = flopcalc.to_frame([flopcalc.cost(1e26, gpu="h100"), flopcalc.cost(1e26, gpu="a100")])
        >>> list(df["gpu"]), "cost_usd" in df.columns
        (['h100', 'a100'], True)
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtraError(f"flopcalc.to_frame needs pandas: {install_hint('frame', 'pandas')}") from None
    if hasattr(results, "to_dict"):
        results = [results]
    try:
        items = list(results)
    except TypeError:
        raise InputTypeError(f"to_frame takes flopcalc results (with .to_dict()), not {type(results).__name__}") from None
    rows = []
    for r in items:
        to_dict = getattr(r, "to_dict", None)
        if to_dict is None:
            raise InputTypeError(f"to_frame takes flopcalc results (with .to_dict()), not {type(r).__name__}")
        rows.append(to_dict())
    return pd.DataFrame(rows)
