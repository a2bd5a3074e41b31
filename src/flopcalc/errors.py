"""The exceptions flopcalc raises: one base class, a few kinds."""

from __future__ import annotations

__all__ = ["FlopcalcError", "InputError", "UnknownNameError", "DataError", "MissingExtraError"]


class FlopcalcError(Exception):
    """Base class of every error flopcalc raises on purpose."""

    exit_code = 1


class InputError(FlopcalcError, ValueError):
    """A value given by the user is malformed, of the wrong unit, or out of range."""

    exit_code = 2


class UnknownNameError(FlopcalcError, LookupError):
    """A chip, precision or threshold id that no loaded file defines."""

    exit_code = 2


class DataError(FlopcalcError):
    """A data file (hardware profile, thresholds, runs) is missing, malformed or invalid."""

    exit_code = 2

    def __init__(self, path: object, message: str, *, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


class MissingExtraError(FlopcalcError, ImportError):
    """An optional dependency (numpy, matplotlib) is needed but not installed."""

    exit_code = 1
