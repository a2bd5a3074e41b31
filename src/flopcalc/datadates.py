"""When each data file was last checked: the `data_as_of` stamps shown by --version and in every JSON record."""

from __future__ import annotations

import re
from functools import lru_cache

from ._paths import data_path

__all__ = ["data_as_of", "file_stamp"]

_STAMP = re.compile(r"^data_as_of:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.M)


@lru_cache(maxsize=8)
def file_stamp(name: str) -> str | None:
    """The data_as_of date at the top of a packaged data file (read from its first lines only)."""
    try:
        with data_path(name).open("r", encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return None
    m = _STAMP.search(head)
    return m[1] if m else None


def data_as_of(hardware: str | None = None) -> dict[str, str | None]:
    """The stamps of the shipped data: thresholds, runs and (when given) the hardware profile used."""
    out = {"thresholds": file_stamp("thresholds.yaml"), "runs": file_stamp("runs.yaml")}
    if hardware is not None:
        out["hardware"] = hardware
    return out
