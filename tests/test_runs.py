"""Known runs, implied efficiency, calibrate, and the assumption notes."""

from __future__ import annotations

import json
import math

import pytest

from conftest import invoke

import flopcalc

RUNS = flopcalc.load_runs()


def _run(model: str):
    return next(r for r in RUNS if r.model == model)


def test_every_run_loads_with_a_source_and_grade() -> None:
    assert len(RUNS) >= 30
    for r in RUNS:
        assert r.source and r.grade, r.model


def test_implied_efficiency_llama_405b() -> None:
    (e,) = [e for e in flopcalc.estimate_runs(RUNS) if e.run.model == "Llama 3.1 405B"]
    expected = 3.8e25 / (30.84e6 * 989.4e12 * 3600)
    assert math.isclose(e.implied_efficiency, expected, rel_tol=1e-9)
    assert abs(e.implied_efficiency - 0.346) < 0.001


def test_implied_efficiency_deepseek_v3() -> None:
    (e,) = [e for e in flopcalc.estimate_runs(RUNS) if e.run.model == "DeepSeek-V3"]
    expected = 6 * 37e9 * 14.8e12 / (2.788e6 * 1979e12 * 3600)
    assert e.flop_basis == "6ND" and e.precision == "fp8" and e.gpu == "h800"
    assert math.isclose(e.implied_efficiency, expected, rel_tol=1e-3)
    assert abs(e.implied_efficiency - 0.165) < 0.002


def test_estimate_uses_chip_defaults() -> None:
    (e,) = [e for e in flopcalc.estimate_runs(RUNS) if e.run.model == "Llama 3.1 405B"]
    assert math.isclose(e.estimated_chip_hours, 3.8e25 / (989.4e12 * 0.40 * 3600), rel_tol=1e-9)
    assert math.isclose(e.ratio, e.estimated_chip_hours / 30.84e6, rel_tol=1e-12)


def test_runs_cli_lists_25_plus() -> None:
    rows = json.loads(invoke(["runs", "--format", "json"]).stdout)
    assert len(rows) >= 25
    for key in ("model", "gpu", "precision", "flop", "reported_chip_hours", "estimated_chip_hours",
                "implied_efficiency"):
        assert key in rows[0]
    assert all(0 < r["implied_efficiency"] < 1 for r in rows if r["implied_efficiency"] is not None)
    assert all(r["implied_efficiency"] is not None for r in rows if r["in_evidence"])


def test_calibrate_a100() -> None:
    data = json.loads(invoke(["calibrate", "--gpu", "a100", "--format", "json"]).stdout)
    assert data["gpu"] == "a100" and data["precision"] == "bf16"
    assert data["count"] >= 10 and len(data["runs"]) == data["count"]
    assert data["min"] <= data["median"] <= data["max"]
    assert 0.25 <= data["median"] <= 0.45
    effs = sorted(r["implied_efficiency"] for r in data["runs"])
    assert data["min"] == effs[0] and data["max"] == effs[-1]


def test_a100_note_follows_the_interval_and_essay_number_unchanged() -> None:
    data = json.loads(invoke(["cost", "1e26", "--gpu", "a100", "--format", "json"]).stdout)[0]
    assert round(data["cost_usd"]) == round(1e26 / (312e12 * 0.6 * 3600) * 0.8)
    ev = data["evidence"]
    inside = ev["efficiency_low"] <= 0.6 <= ev["efficiency_high"]
    assert data["assumption_in_range"]["efficiency"] is inside
    assert any("60% of bf16 peak on a100 is above the 90% evidence interval" in n for n in data["notes"]) is (
        0.6 > ev["efficiency_high"])
    out = invoke(["cost", "1e26", "--gpu", "a100"]).stdout
    assert "$118.7M" in out


def test_no_note_inside_the_evidence() -> None:
    r = flopcalc.cost(1e26, "a100", efficiency=0.4)
    assert not any("efficiency" in n for n in r.notes)


def test_user_runs_file(tmp_path) -> None:
    f = tmp_path / "runs.yaml"
    f.write_text("runs:\n  - model: My run\n    gpu: h100\n    precision: bf16\n    chip_hours: 1000000\n"
                 "    flop: 1e24\n    source: my notes\n    grade: SOLID\n")
    rows = json.loads(invoke(["runs", "--runs-file", str(f), "--gpu", "h100", "--format", "json"]).stdout)
    mine = next(r for r in rows if r["model"] == "My run")
    assert math.isclose(mine["implied_efficiency"], 1e24 / (1e6 * 989.4e12 * 3600), rel_tol=1e-9)


_BASE = ("  - model: My run\n    gpu: h100\n    precision: bf16\n    params: 7.0e+9\n    flop_kind: 6ND\n"
         "    source: https://example.org/run\n")


@pytest.mark.parametrize("extra,field,words", [
    ("    tokens: 2.0e+12\n    chip_hours_kind: rate-x-tokens\n", "chip_hours_kind", "needs chip_hours_per_trillion"),
    ("    chip_hours_per_trillion_tokens: 50000\n", "chip_hours_per_trillion_tokens", "needs tokens"),
    ("    tokens: 2.0e+12\n    chip_hours_per_trillion_tokens: 50000\n    chip_hours: 1000\n",
     "chip_hours_per_trillion_tokens", "not two"),
    ("    tokens: 2.0e+12\n    chip_hours_per_trillion_tokens: 1.0e+300\n", "chip_hours_per_trillion_tokens",
     "over 1e15 chip-hours"),
    ("    tokens: 2.0e+12\n    chip_hours_per_trillion_tokens: 50000\n    chip_hours_kind: reported\n",
     "chip_hours_kind", "does not fit a rate"),
])
def test_a_bad_rate_is_refused_in_one_line(tmp_path, extra: str, field: str, words: str) -> None:
    f = tmp_path / "runs.yaml"
    f.write_text("runs:\n" + _BASE + extra, encoding="utf-8")
    r = invoke(["runs", "--runs-file", str(f)], ok=False)
    assert r.exit_code == 2 and "Traceback" not in r.output
    (line,) = [ln for ln in r.output.splitlines() if ln.strip()]
    assert field in line and words in line, line


def test_a_rate_with_a_declared_upper_bound_stays_an_upper_bound(tmp_path) -> None:
    f = tmp_path / "runs.yaml"
    f.write_text("runs:\n" + _BASE + "    tokens: 2.0e+12\n    chip_hours_per_trillion_tokens: 50000\n"
                 "    chip_hours_kind: upper-bound\n", encoding="utf-8")
    rows = json.loads(invoke(["runs", "--runs-file", str(f), "--all", "--format", "json"]).stdout)
    (mine,) = [r for r in rows if r["model"] == "My run"]
    assert mine["chip_hours_kind"] == "upper-bound" and mine["in_evidence"] is False
    assert mine["reported_chip_hours"] == 50000 * 2.0  # 50,000 per trillion tokens x 2 trillion


def test_one_name_one_run(tmp_path) -> None:
    f = tmp_path / "runs.yaml"
    f.write_text("runs:\n" + _BASE.replace("My run", "Llama 3.1 70B") + "    tokens: 1.0e+12\n    chip_hours: 1000\n",
                 encoding="utf-8")
    r = invoke(["runs", "--runs-file", str(f)], ok=False)
    assert r.exit_code == 2 and "is already a run" in r.output and "Llama 3.1 70B" in r.output
