"""The chart, the missing-matplotlib error, and the csv/markdown formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import invoke


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_writes_a_real_file(tmp_path, suffix: str) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"chart{suffix}"
    res = invoke(["plot", "--out", str(out), "--gpu", "h100", "--gpu", "a100"])
    assert str(out) in res.stdout
    data = out.read_bytes()
    assert len(data) > 10_000
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert b"<svg" in data[:2000] and b"EU AI Act" in data


def test_plot_rejects_other_suffixes(tmp_path) -> None:
    res = invoke(["plot", "--out", str(tmp_path / "chart.jpg")], ok=False)
    assert res.exit_code == 2 and ".png or .svg" in res.stderr


def test_plot_without_matplotlib_says_how_to_install(tmp_path) -> None:
    code = ("import sys; sys.modules['matplotlib'] = None\nfrom flopcalc.cli import main\n"
            f"sys.argv = ['flopcalc', 'plot', '--out', {str(tmp_path / 'c.png')!r}]\nmain()")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode != 0
    assert res.stderr.strip().splitlines() == ["Error: plotting needs matplotlib: pip install 'flopcalc[plot]'"]
    assert not (tmp_path / "c.png").exists()


def test_csv_has_the_json_columns() -> None:
    args = ["cost", "1e25", "1e26", "--gpu", "h100", "--chips", "1000"]
    rows = json.loads(invoke([*args, "--format", "json"]).stdout)
    table = list(csv.DictReader(io.StringIO(invoke([*args, "--format", "csv"]).stdout)))
    assert list(table[0]) == list(rows[0])
    assert len(table) == 2
    assert float(table[1]["cost_usd"]) == rows[1]["cost_usd"]
    assert float(table[0]["wall_clock_days"]) == rows[0]["wall_clock_days"]


def test_markdown_table() -> None:
    out = invoke(["cost", "1e26", "--format", "markdown"]).stdout
    assert out.startswith("| FLOP") and "|--" in out and "$70.2M" in out


def test_python_dash_m() -> None:
    res = subprocess.run([sys.executable, "-m", "flopcalc", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("flopcalc 0.")
