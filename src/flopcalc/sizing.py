"""Model size and tokens for a FLOP budget (C = 6 N D), and what fine-tuning costs in FLOP."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import calc
from .errors import InputError
from .rows import Tabular
from .units import Q_, mag, parse_bounded, parse_count, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .units import Quantity

__all__ = ["SizeResult", "size", "finetune_flop"]


@dataclass(frozen=True)
class SizeResult(Tabular):
    """A model size and token count that spend a FLOP budget (C = 6 N D)."""

    flop: Quantity
    params: float
    tokens: float
    tokens_per_param: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {"flop": mag(self.flop, "FLOP"), "params": self.params, "tokens": self.tokens,
                "tokens_per_param": self.tokens_per_param, "method": self.method}


def size(flop: Any, *, params: Any = None, tokens: Any = None, tokens_per_param: Any = None) -> SizeResult:
    """Compute-optimal parameters and tokens for `flop` (Hoffmann et al. 2022: ~20 tokens per parameter).

        >>> s = size(1e25)
        >>> f"{s.params:.3g}"
        '2.89e+11'
    """
    c = mag(parse_quantity(flop, "flop", what="FLOP"), "FLOP")
    given = [x is not None for x in (params, tokens, tokens_per_param)]
    if sum(given) > 1:
        raise InputError("give at most one of params, tokens and tokens-per-param")
    if params is not None:
        n = float(parse_count(params, what="params"))
        d = c / (6 * n) if n else math.inf
        method = "tokens that spend the budget at the given parameter count"
    elif tokens is not None:
        d = float(parse_count(tokens, what="tokens"))
        n = c / (6 * d) if d else math.inf
        method = "parameters that spend the budget on the given token count"
    else:
        r = parse_bounded(tokens_per_param, what="tokens per parameter") if tokens_per_param is not None \
            else calc.CHINCHILLA_TOKENS_PER_PARAM
        n, d = calc.compute_optimal(c, r)
        method = f"compute-optimal at {r:g} tokens per parameter"
    ratio = d / n if n else math.inf
    if not all(math.isfinite(x) and x > 0 for x in (n, d, ratio)):
        raise InputError(f"parameters {n:.3g} and tokens {d:.3g} for {c:.3g} FLOP are not both finite and positive: "
                         "the inputs are too extreme")
    if n < 1 or d < 1:  # a model has at least one parameter and sees at least one token
        raise InputError(f"{c:.3g} FLOP gives {n:.3g} parameters and {d:.3g} tokens: expected at least one of each "
                         f"(6 x params x tokens = FLOP, so params and tokens can each be at most {c / 6:.3g})")
    return SizeResult(flop=Q_(c, "FLOP"), params=n, tokens=d, tokens_per_param=ratio, method=method)


def finetune_flop(params: Any, tokens: Any, trainable_params: Any = None) -> Quantity:
    """Fine-tuning compute: (4 N + 2 N_trainable) D FLOP (full fine-tune 6 N D, LoRA about 4 N D).

    Forward pass 2N per token; backward 2N for activation gradients plus 2N_trainable for weight
    gradients of the weights that train.

        >>> f"{finetune_flop('405B', '1T').to('FLOP').magnitude:.3g}"
        '2.43e+24'
    """
    n = float(parse_count(params, what="params"))
    d = float(parse_count(tokens, what="tokens"))
    nt = float(parse_count(trainable_params, what="trainable params")) if trainable_params is not None else n
    if nt > n:
        raise InputError(f"trainable params {nt:.3g} cannot exceed params {n:.3g}")
    return calc.finetune_flop_value(n, d, nt)
