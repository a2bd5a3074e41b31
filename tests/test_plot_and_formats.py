"""The csv and markdown formats, and python -m flopcalc (the charts are tested in test_plot.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from conftest import invoke


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
