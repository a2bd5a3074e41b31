"""Where flopcalc finds its packaged data and the user's own files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import DataError

_HERE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of a packaged data file or folder (e.g. 'thresholds.yaml', 'hardware').

    A wheel carries everything under flopcalc/data/. An editable install or a plain
    checkout has the hardware profiles at the repository root instead: that is the one
    fallback, and a test installs the wheel to make sure it never hides a packaging bug.
    """
    packaged = _HERE / "data" / name
    if packaged.exists():
        return packaged
    checkout = _HERE.parent.parent / name
    if checkout.exists():
        return checkout
    raise DataError(packaged, "is missing from the installation (was flopcalc installed from a wheel or checkout?)")


def app_dir() -> Path:
    """The user's config folder for flopcalc: the same place as click.get_app_dir('flopcalc')."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
        return Path(base) / "flopcalc"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support")) / "flopcalc"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / "flopcalc"


def user_dirs(env_var: str, subdir: str) -> list[Path]:
    """Folders of user data files: $env_var (os.pathsep-separated; empty means none), else the app dir."""
    value = os.environ.get(env_var)
    if value is not None:
        return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    return [app_dir() / subdir]
