"""The arithmetic: FLOP -> chip-hours -> dollars -> energy, on pint Quantities. No data, no parsing.

Every function takes checked Quantities (or plain fractions) and returns Quantities; the
layers above decide where the numbers come from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .errors import InputError
from .units import Q_

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["effective_rate", "chip_hours", "flop_in", "cluster_flop", "dollars", "energy", "fewest_chips", "architecture_flop",
           "finetune_flop_value", "compute_optimal", "finite", "CHINCHILLA_TOKENS_PER_PARAM",
           "BYTES_PER_PARAM_TRAINING"]

CHINCHILLA_TOKENS_PER_PARAM = 20.0  # Hoffmann et al. 2022, arXiv 2203.15556
# Mixed-precision Adam: 2 (bf16 weights) + 2 (bf16 grads) + 4 (fp32 master) + 8 (two fp32 moments)
# = 16 bytes per parameter, before activations (Rajbhandari et al., ZeRO, arXiv 1910.02054).
BYTES_PER_PARAM_TRAINING = 16


def finite(q: Quantity, what: str) -> Quantity:
    """q, if its magnitude is finite and positive; else an InputError saying the inputs are too extreme."""
    m = float(q.magnitude)
    if not math.isfinite(m) or m <= 0:
        raise InputError(f"{what} comes out as {m:g}: the inputs are too extreme to give a finite, positive answer")
    return q


def effective_rate(peak: Quantity, efficiency: float) -> Quantity:
    """Useful FLOP/s per chip: peak x efficiency."""
    return finite((peak * Q_(efficiency, "")).to("FLOP/s"), "useful FLOP/s")


def chip_hours(flop: Quantity, peak: Quantity, efficiency: float) -> Quantity:
    """Chip-hours to do `flop` at `efficiency` of `peak`."""
    return finite((flop / effective_rate(peak, efficiency)).to("hour"), "chip-hours")


def flop_in(hours: Quantity, peak: Quantity, efficiency: float) -> Quantity:
    """FLOP done in `hours` chip-hours at `efficiency` of `peak` (the inverse of chip_hours)."""
    return finite((hours * effective_rate(peak, efficiency)).to("FLOP"), "FLOP")


def cluster_flop(chips: int, duration: Quantity, peak: Quantity, efficiency: float) -> Quantity:
    """FLOP done by `chips` chips in `duration` at `efficiency` of `peak`, rounded once from the exact product.

    Each factor is taken at its exact binary value (Fraction), so a run whose inputs multiply to
    exactly 1e26 lands on the float 1e26 and is judged on the line, not a hair below it.
    """
    from fractions import Fraction

    def dec(x: float) -> Fraction:  # the shortest decimal that reads back as x: what the user wrote
        return Fraction(repr(float(x)))

    exact = (Fraction(chips) * dec(duration.to("s").magnitude) * dec(peak.to("FLOP/s").magnitude)
             * dec(efficiency))
    return finite(Q_(float(exact), "FLOP"), "FLOP")


def dollars(hours: Quantity, price: Quantity) -> Quantity:
    return finite((hours * price).to("USD"), "cost")


def energy(hours: Quantity, tdp: Quantity, factor: float) -> Quantity:
    """Facility energy: chip-hours x TDP x (server factor x load x PUE)."""
    return finite((hours * tdp * Q_(factor, "")).to("MWh"), "energy")


def fewest_chips(hours: Quantity, days: Quantity) -> int:
    """The fewest whole chips that do `hours` chip-hours of work within `days` (at least one)."""
    ratio = float((hours / days).to("").magnitude)
    if not math.isfinite(ratio):
        raise InputError("chips needed comes out infinite: the inputs are too extreme")
    k = math.ceil(ratio)
    if k > 1 and math.isclose(k - 1, ratio, rel_tol=1e-12):
        k -= 1
    return max(1, k)


def architecture_flop(params: float, tokens: float) -> Quantity:
    """C = 6 N D: about 6 FLOP per parameter per training token (forward 2, backward 4)."""
    return finite(Q_(6.0 * params * tokens, "FLOP"), "FLOP")


def finetune_flop_value(params: float, tokens: float, trainable_params: float) -> Quantity:
    """Fine-tuning compute (4 N + 2 N_trainable) D: forward 2N, backward 2N for activations, 2N_t for weights."""
    return finite(Q_((4.0 * params + 2.0 * trainable_params) * tokens, "FLOP"), "fine-tuning FLOP")


def compute_optimal(flop: float, tokens_per_param: float) -> tuple[float, float]:
    """Parameters and tokens that spend `flop` at `tokens_per_param` (C = 6 N D, D = r N)."""
    try:
        n = math.sqrt(flop / (6 * tokens_per_param))
    except (ZeroDivisionError, OverflowError, ValueError):
        raise InputError(f"no model size spends {flop:.3g} FLOP at {tokens_per_param:.3g} tokens per parameter") from None
    return n, tokens_per_param * n
