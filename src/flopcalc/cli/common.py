"""Options shared by several commands."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable

import click

from . import params

if TYPE_CHECKING:  # pragma: no cover
    from ..hardware import HardwareDB

# What a click.option(...) gives: a decorator that adds the option to a command function.
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# The price tiers (kept in step with hardware.PRICE_TIERS and LEGACY_TIERS by a test; not imported, to start fast).
TIERS = ("hyperscaler-on-demand", "neocloud-on-demand", "hyperscaler-contract-1yr", "neocloud-contract-1yr",
         "hyperscaler-contract-3yr", "neocloud-contract-3yr", "hyperscaler-spot", "neocloud-spot",
         "contract-1yr", "contract-3yr", "spot")


def _compose(*decorators: Decorator) -> Decorator:
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


def hardware_files_option() -> Decorator:
    return click.option("--hardware-file", "hardware_files", multiple=True, metavar="PATH",
                        help="Extra hardware profile (YAML, see docs/data-format.md); repeatable.")


def thresholds_files_option() -> Decorator:
    return click.option("--thresholds-file", "thresholds_files", multiple=True, metavar="PATH",
                        help="Extra thresholds (YAML, same schema as the shipped file); repeatable.")


def gpu_option(*, default: tuple[str, ...] | None = ("h100",), required: bool = False) -> Decorator:
    return click.option("--gpu", "gpus", multiple=True, default=default, required=required, metavar="ID",
                        show_default=bool(default), type=params.CHIP,
                        help="Chip id or alias (see 'flopcalc hardware'); repeat for several chips.")


def assumption_options(*, tiers: bool = True) -> Decorator:
    opts = [
        click.option("--precision", metavar="P", type=params.PRECISION,
                     help="Number format whose dense peak is used (fp8, bf16, ...); default: the chip's default."),
        click.option("--peak", type=params.PEAK, help="Peak per chip, e.g. '2000 TFLOP/s' (bare number: TFLOP/s)."),
        click.option("--efficiency", type=params.EFFICIENCY,
                     help="Assumed fraction of peak achieved over the billed chip-hours, in (0, 1], e.g. 0.4 or 40%."),
        click.option("--price", type=params.PRICE, help="Price per chip-hour, e.g. '2.5 USD/hour' (bare: USD/hour)."),
        click.option("--overhead", type=params.OVERHEAD,
                     help="Multiplier for failed runs, restarts, bugs (>= 1; the essay uses 1.5)."),
    ]
    if tiers:
        opts.append(click.option("--price-tier", type=click.Choice(TIERS), metavar="TIER",
                                 help="Price each chip at this tier's price (median of its quotes in the 12 months to --as-of, default today; "
                                      "the chip's own default tier without --as-of keeps its profile price, the "
                                      "essay's): " + ", ".join(TIERS) + "."))
    return _compose(*opts)


def energy_options() -> Decorator:
    """--operator and --pue: who runs the cluster sets the PUE of every energy figure (flopcalc.energy)."""
    return _compose(
        click.option("--operator", type=click.Choice(("hyperscaler", "other"), case_sensitive=False),
                     help="Who runs the cluster, which sets the datacenter's PUE for the energy (and amortized "
                          "energy dollars): hyperscaler (1.1) or other (1.25, default)."),
        click.option("--pue", type=params.at_least("PUE", 1, hi=3.0),
                     help="Datacenter power usage effectiveness (default: the operator's, 1.25; 1.1 for a "
                          "hyperscaler)."),
    )


def format_option(default: str | None = "table") -> Decorator:
    return click.option("--format", "fmt", type=params.FORMATS, default=default, show_default=default is not None,
                        help="table for people; json, csv or markdown for programs and documents.")


def overrides(kw: dict[str, Any]) -> dict[str, Any]:
    """The assumption overrides a command received, ready for flopcalc.cost()."""
    keys = ("precision", "peak", "efficiency", "price", "overhead", "price_tier")
    return {k: kw[k] for k in keys if kw.get(k) is not None}


# The profile databases whose problems were printed already (the default one is shared by the process).
_WARNED: weakref.WeakSet[HardwareDB] = weakref.WeakSet()


def load_db(hardware_files: tuple[str, ...]) -> HardwareDB:
    from ..hardware import load_profiles
    from .output import warn

    db = load_profiles(hardware_files)
    if db not in _WARNED:
        warn(db.problems)
        _WARNED.add(db)
    return db
