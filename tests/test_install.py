"""Build the wheel, install it in a fresh venv, and run flopcalc from outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_runs_from_anywhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=tmp_path)
    (wheel,) = dist.glob("flopcalc-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "FLOPCALC_HARDWARE_PATH": ""}
    env.pop("PYTHONPATH", None)

    def run(*args: str) -> str:
        res = subprocess.run([str(bindir / "flopcalc"), *args], capture_output=True, text=True, cwd=elsewhere, env=env)
        assert res.returncode == 0, res.stderr
        return res.stdout

    out = run("cost", "1e26", "--gpu", "h100")
    assert "$70.2M" in out and "35.1M" in out
    (row,) = json.loads(run("cost", "1e26", "--gpu", "h100", "--format", "json"))
    assert str(env_dir) in row["profile_file"]  # the packaged copy, not the checkout's
    assert len(json.loads(run("hardware", "--format", "json"))) >= 18
    assert json.loads(run("thresholds", "--format", "json"))
    assert len(json.loads(run("runs", "--format", "json"))) >= 25
    res = subprocess.run([str(bindir / "python"), "-m", "flopcalc", "--version"], capture_output=True, text=True,
                         cwd=elsewhere, env=env)
    assert res.returncode == 0 and res.stdout.startswith("flopcalc ") and "data as of: thresholds 20" in res.stdout
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "flopcalc/py.typed" in names and "flopcalc/data/hardware/h100.yaml" in names
    assert len([n for n in names if n.startswith("flopcalc/data/hardware/")]) >= 29
    # the extras hint for an index install (no direct_url.json in this venv: installed from a wheel file it
    # does have one, so the hint names the package itself)
    res = subprocess.run([str(bindir / "python"), "-c", "from flopcalc.errors import install_hint; "
                          "print(install_hint('plot', 'matplotlib'))"], capture_output=True, text=True, cwd=elsewhere,
                         env=env)
    assert res.stdout.strip() == "pip install matplotlib"
    out = run("report", "1e26", "--gpu", "h100", "--out", str(elsewhere / "memo.html"))
    assert (elsewhere / "memo.html").read_text(encoding="utf-8").count("<svg") >= 1
