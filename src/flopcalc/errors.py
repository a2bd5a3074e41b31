"""The exceptions flopcalc raises: one base class, a few kinds, each naming the bad value.

Every failure caused by bad input (an argument, an option, a data file) is a FlopcalcError.
The command line turns them into one line on stderr and exit code 2 (usage), or 1 for
problems outside the user's input (a missing optional dependency, a file that cannot be
written).
"""

from __future__ import annotations

__all__ = ["FlopcalcError", "InputError", "InputTypeError", "UnknownNameError", "DataError",
           "MissingExtraError", "OutputError", "install_hint"]


class FlopcalcError(Exception):
    """Base class of every error flopcalc raises on purpose."""

    exit_code = 1


class InputError(FlopcalcError, ValueError):
    """A value given by the user is malformed, of the wrong unit, or out of range."""

    exit_code = 2


class InputTypeError(InputError, TypeError):
    """A value of a type flopcalc cannot read (a list where a number belongs, a wrong `hardware=`)."""


class UnknownNameError(FlopcalcError, LookupError):
    """A chip, precision or threshold id that no loaded file defines."""

    exit_code = 2


class DataError(FlopcalcError, ValueError):
    """A data file (hardware profile, thresholds, runs) is missing, malformed or invalid."""

    exit_code = 2

    def __init__(self, path: object, message: str, *, field: str | None = None) -> None:
        from .text import clean

        self.path = clean(str(path))
        self.field = clean(field) if field else None
        where = f"{self.path}: {self.field}" if self.field else self.path
        super().__init__(f"{where}: {clean(message)}")


class MissingExtraError(FlopcalcError, ImportError):
    """An optional dependency (numpy, matplotlib, pandas) is needed but not installed."""

    exit_code = 1


def install_hint(extra: str, package: str) -> str:
    """The command that installs an optional dependency for this installation of flopcalc.

    From a package index: pip install 'flopcalc[EXTRA]'. From a local folder, an editable checkout,
    a wheel file or a VCS URL (pip then writes direct_url.json), or not installed at all (running
    from source): pip install PACKAGE, since 'flopcalc[EXTRA]' would fetch another flopcalc.
    """
    from importlib import metadata

    try:
        dist = metadata.distribution("flopcalc")
    except metadata.PackageNotFoundError:
        return f"pip install {package}"
    try:
        direct = dist.read_text("direct_url.json")
    except OSError:
        direct = None
    return f"pip install {package}" if direct else f"pip install 'flopcalc[{extra}]'"


class OutputError(FlopcalcError, OSError):
    """A result could not be written (a missing folder, a read-only place, a full disk)."""

    exit_code = 1
