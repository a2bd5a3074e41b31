"""Whole grids of assumptions at once: numpy arrays inside pint Quantities (needs numpy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .errors import InputError, InputTypeError, MissingExtraError, install_hint
from .hardware import HardwareDB, Profile, resolve
from .units import Q_, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType

    from .units import Quantity

__all__ = ["grid", "GridResult"]


def _numpy() -> ModuleType:
    try:
        import numpy as np
    except ImportError:
        raise MissingExtraError(f"flopcalc.grid needs numpy: {install_hint('grid', 'numpy')}") from None
    from pint.compat import HAS_NUMPY

    if not HAS_NUMPY:
        raise MissingExtraError("pint was imported without numpy support in this process; import numpy first")
    return np


def _axis(np: ModuleType, values: Any, *, what: str, lo: float, hi: float | None = None, lo_open: bool = True,
          parse: Callable[[Any], Any] | None = None) -> Any:
    """A 1-D float array from a scalar or a sequence, every value checked (finite, in range)."""
    if hasattr(values, "__array__") and getattr(values, "ndim", 1) > 0:
        seq = list(np.asarray(values).reshape(-1).tolist())
    elif isinstance(values, (list, tuple, range)):
        seq = list(values)
    else:
        seq = [values]
    from .units import parse_number

    def one(v: Any) -> float:
        if isinstance(v, (bool, type(None))) or not isinstance(v, (str, int, float)) and not hasattr(v, "__float__"):
            raise InputTypeError(f"{what} must be numbers, e.g. [0.3, 0.4, 0.5], not {type(v).__name__}")
        if parse is not None and isinstance(v, str) or hasattr(v, "units"):
            if parse is None:
                raise InputError(f"{what} takes plain numbers, not {v!r:.40}")
            return float(parse(v))
        return parse_number(v, what=what)

    arr = np.asarray([one(v) for v in seq], dtype=float).reshape(-1)
    if arr.size == 0:
        raise InputError(f"{what} is empty: give at least one value")
    bad = ~np.isfinite(arr) | (arr < lo) | ((arr == lo) if lo_open else False)
    if hi is not None:
        bad |= arr > hi
    if bad.any():
        v = float(arr[np.argmax(bad)])
        rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]" if hi is not None else f"{'>' if lo_open else '>='} {lo:g}"
        raise InputError(f"{what} value {v!r} is out of range: each must be finite and {rng}")
    return arr


@dataclass(frozen=True)
class GridResult:
    """Every combination of flop x efficiency x price x overhead, as arrays of that shape."""

    gpu: str
    precision: str
    peak: Quantity
    flop: Quantity  # 1-D
    efficiency: Quantity  # 1-D
    price: Quantity  # 1-D
    overhead: Quantity  # 1-D
    chip_hours: Quantity  # shape (flop, efficiency)
    cost: Quantity  # shape (flop, efficiency, price)
    cost_with_overhead: Quantity  # shape (flop, efficiency, price, overhead)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        shape: tuple[int, int, int, int] = self.cost_with_overhead.magnitude.shape
        return shape

    @property
    def size(self) -> int:
        return int(self.cost_with_overhead.magnitude.size)

    def cells(self) -> Iterator[dict[str, float]]:
        """Each cell as a dict of plain numbers in base units (FLOP, hour, USD)."""
        f, e, p, o = (q.magnitude for q in (self.flop.to("FLOP"), self.efficiency, self.price.to("USD/hour"),
                                           self.overhead))
        ch = self.chip_hours.to("hour").magnitude
        c = self.cost.to("USD").magnitude
        co = self.cost_with_overhead.to("USD").magnitude
        for i in range(len(f)):
            for j in range(len(e)):
                for k in range(len(p)):
                    for m in range(len(o)):
                        yield {"flop": float(f[i]), "efficiency": float(e[j]), "price_usd_per_chip_hour": float(p[k]),
                               "overhead": float(o[m]), "chip_hours": float(ch[i, j]), "cost_usd": float(c[i, j, k]),
                               "cost_with_overhead_usd": float(co[i, j, k, m])}


def grid(flop: Any, gpu: str | Profile | None = "h100", *, efficiency: Any = None, price: Any = None,
         overhead: Any = None, precision: str | None = None, peak: Any = None,
         hardware: HardwareDB | None = None) -> GridResult:
    """Evaluate cost() over every combination of the given FLOP, efficiency, price and overhead values.

    Each argument is a scalar or a sequence (None: the chip's default). Results are pint Quantities
    holding numpy arrays, broadcast as (flop, efficiency, price, overhead); the arithmetic is the
    same as cost(), cell for cell.

        >>> g = grid(1e26, "h100", efficiency=[0.3, 0.4], price=[2.0, 3.0], overhead=1)
        >>> g.shape
        (1, 2, 2, 1)
        >>> [f"{c['cost_usd']:.3g}" for c in g.cells()]
        ['9.36e+07', '1.4e+08', '7.02e+07', '1.05e+08']
    """
    np = _numpy()
    prof = resolve(gpu, hardware)
    prec = prof.check_precision(precision)
    pk = (parse_quantity(peak, "flop_rate", what="peak") if peak is not None else prof.peak[prec]).to("FLOP/s")
    f = _axis(np, flop, what="FLOP", lo=0, parse=lambda v: parse_quantity(v, "flop", what="FLOP").to("FLOP").magnitude)
    e = _axis(np, prof.efficiency_for(prec) if efficiency is None else efficiency, what="efficiency", lo=0, hi=1)
    p = _axis(np, prof.price.to("USD/hour").magnitude if price is None else price, what="price", lo=0,
              lo_open=False,
              parse=lambda v: parse_quantity(v, "price", what="price", allow_zero=True).to("USD/hour").magnitude)
    o = _axis(np, prof.overhead if overhead is None else overhead, what="overhead", lo=1, lo_open=False)
    F = Q_(f[:, None], "FLOP")
    effective = pk * Q_(e[None, :], "")
    chip_hours = (F / effective).to("hour")
    cost = (chip_hours[:, :, None] * Q_(p[None, None, :], "USD/hour")).to("USD")
    cost_o = cost[:, :, :, None] * Q_(o[None, None, None, :], "")
    return GridResult(gpu=prof.id, precision=prec, peak=pk, flop=Q_(f, "FLOP"), efficiency=Q_(e, ""),
                      price=Q_(p, "USD/hour"), overhead=Q_(o, ""), chip_hours=chip_hours, cost=cost,
                      cost_with_overhead=cost_o)
