"""Options shared by several commands."""

from __future__ import annotations

from typing import Any, Callable

import click

from . import params


def _compose(*decorators: Callable) -> Callable:
    def apply(f: Callable) -> Callable:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


def hardware_files_option() -> Callable:
    return click.option("--hardware-file", "hardware_files", multiple=True, metavar="PATH",
                        help="Extra hardware profile (YAML, same schema as hardware/*.yaml); repeatable.")


def gpu_option(*, default: tuple[str, ...] | None = ("h100",), required: bool = False) -> Callable:
    return click.option("--gpu", "gpus", multiple=True, default=default, required=required, metavar="ID",
                        show_default=bool(default),
                        help="Chip id or alias (see 'flopcalc hardware'); repeat for several chips.")


def assumption_options() -> Callable:
    return _compose(
        click.option("--precision", metavar="P", help="Number format whose peak is used (fp8, bf16, ...); "
                     "default: the chip's default."),
        click.option("--peak", type=params.PEAK, help="Peak per chip, e.g. '2000 TFLOP/s' (bare number: TFLOP/s)."),
        click.option("--efficiency", type=params.EFFICIENCY,
                     help="Fraction of peak achieved (model FLOP utilization), in (0, 1], e.g. 0.4 or 40%."),
        click.option("--price", type=params.PRICE, help="Price per chip-hour, e.g. '2.5 USD/hour' (bare: USD/hour)."),
        click.option("--overhead", type=params.OVERHEAD,
                     help="Multiplier for failed runs, restarts, bugs (>= 1; the essay uses 1.5)."),
    )


def format_option(default: str = "table") -> Callable:
    return click.option("--format", "fmt", type=params.FORMATS, default=default, show_default=True,
                        help="table for people; json, csv or markdown for programs and documents.")


def overrides(kw: dict[str, Any]) -> dict[str, Any]:
    """The assumption overrides a command received, ready for flopcalc.cost()."""
    keys = ("precision", "peak", "efficiency", "price", "overhead")
    return {k: kw[k] for k in keys if kw.get(k) is not None}


def load_db(hardware_files: tuple[str, ...]):
    from ..hardware import load_profiles

    return load_profiles(hardware_files)
