"""The essay's worked example, to the dollar. Every expected figure is arithmetic written here."""

from __future__ import annotations

import json
import math

import pytest
from conftest import invoke

import flopcalc

H100_ROUNDED = 2000e12  # the essay's rounded FP8 peak, FLOP/s
H100_DENSE = 1979e12  # the dense FP8 datasheet figure (3958 with 2:4 sparsity, halved)
A100_BF16 = 312e12


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel)


def essay(flop: float, peak: float, eff: float, price: float, overhead: float = 1.5):
    per_chip_hour = peak * eff * 3600
    chip_hours = flop / per_chip_hour
    return chip_hours, chip_hours * price, chip_hours * price * overhead


@pytest.mark.parametrize("flop", [1e25, 1e26])
def test_essay_h100_rounded_peak_library(flop: float) -> None:
    ch, usd, usd_o = essay(flop, H100_ROUNDED, 0.40, 2.00)
    r = flopcalc.cost(flop, "h100", peak="2000 TFLOP/s")
    assert close(r.chip_hours.to("hour").magnitude, ch)
    assert close(r.cost.to("USD").magnitude, usd)
    assert close(r.cost_with_overhead.to("USD").magnitude, usd_o)
    assert close(r.flop_per_chip_hour.to("FLOP").magnitude, 2.88e18)
    assert close(r.effective_flop_per_s.to("FLOP/s").magnitude, 8e14)


def test_essay_figures_to_the_dollar() -> None:
    # The essay: 10^26 = 34,722,222 chip-hours = $69,444,444; x 1.5 = $104,166,667
    r = flopcalc.cost("10^26", "h100", peak="2000 TFLOP/s")
    assert round(r.chip_hours.to("hour").magnitude) == 34_722_222
    assert round(r.cost.to("USD").magnitude) == 69_444_444
    assert round(r.cost_with_overhead.to("USD").magnitude) == 104_166_667
    # 10^25: $6.944M, $10.42M with overhead
    r25 = flopcalc.cost(1e25, "h100", peak="2000 TFLOP/s")
    assert round(r25.cost.to("USD").magnitude) == 6_944_444
    assert round(r25.cost_with_overhead.to("USD").magnitude) == 10_416_667


def test_essay_h100_dense_peak_is_the_default() -> None:
    ch, usd, usd_o = essay(1e26, H100_DENSE, 0.40, 2.00)
    r = flopcalc.cost(1e26, "h100")
    assert r.precision == "fp8"
    assert close(r.peak.to("FLOP/s").magnitude, H100_DENSE)
    assert close(r.chip_hours.to("hour").magnitude, ch)
    assert int(r.cost.to("USD").magnitude) == 70_181_348 == int(usd)  # $70,181,348.60
    assert round(ch) == 35_090_674
    assert close(r.cost_with_overhead.to("USD").magnitude, usd_o)


def test_essay_a100() -> None:
    ch, usd, _ = essay(1e26, A100_BF16, 0.60, 0.80)
    r = flopcalc.cost(1e26, "a100")
    assert r.precision == "bf16"
    assert round(r.chip_hours.to("hour").magnitude) == 148_385_565 == round(ch)
    assert round(r.cost.to("USD").magnitude) == 118_708_452 == round(usd)


def test_cli_json_reproduces_the_essay() -> None:
    out = invoke(["cost", "1e26", "--gpu", "h100", "--peak", "2000 TFLOP/s", "--format", "json"]).stdout
    (row,) = json.loads(out)
    assert round(row["chip_hours"], 1) == 34722222.2
    assert round(row["cost_usd"], 1) == 69444444.4
    assert round(row["cost_with_overhead_usd"], 1) == 104166666.7
    for key in ("flop", "gpu", "precision", "peak_flop_per_s", "efficiency", "effective_flop_per_s",
                "flop_per_chip_hour", "chip_hours", "price_usd_per_chip_hour", "cost_usd", "overhead",
                "cost_with_overhead_usd", "energy_mwh", "co2e_tonnes", "chip_hours_low", "chip_hours_high",
                "cost_usd_low", "cost_usd_high", "cost_with_overhead_usd_low", "cost_with_overhead_usd_high",
                "notes"):
        assert key in row, key
    assert row["peak_flop_per_s"] == 2000e12 and row["flop"] == 1e26
    assert "chips" not in row and "wall_clock_days" not in row


def test_cli_table_is_for_people() -> None:
    out = invoke(["cost", "1e26", "--gpu", "h100", "--peak", "2000 TFLOP/s"]).stdout
    assert "34.7M" in out and "$69.4M" in out and "$104.2M" in out
    out = invoke(["cost", "1e26", "--gpu", "a100"]).stdout
    assert "$118.7M" in out and "148.4M" in out


def test_four_rows_for_two_flop_by_two_gpus() -> None:
    rows = json.loads(invoke(["cost", "1e25", "1e26", "--gpu", "h100", "--gpu", "a100", "--format", "json"]).stdout)
    assert [(r["gpu"], r["flop"]) for r in rows] == [("h100", 1e25), ("h100", 1e26), ("a100", 1e25), ("a100", 1e26)]
    for r in rows:
        peak = H100_DENSE if r["gpu"] == "h100" else A100_BF16
        eff, price = (0.40, 2.00) if r["gpu"] == "h100" else (0.60, 0.80)
        assert close(r["cost_usd"], essay(r["flop"], peak, eff, price)[1])


def test_chips_gives_wall_clock_days() -> None:
    (row,) = json.loads(invoke(["cost", "1e26", "--peak", "2000", "--chips", "16384", "--format", "json"]).stdout)
    assert row["chips"] == 16384
    assert close(row["wall_clock_days"], 1e26 / 2.88e18 / 16384 / 24)


def test_days_gives_chips_needed() -> None:
    (row,) = json.loads(invoke(["cost", "1e26", "--days", "90", "--format", "json"]).stdout)
    chips = 1e26 / (H100_DENSE * 0.4 * 3600) / (90 * 24)
    assert row["chips_needed"] == math.ceil(chips)


def test_every_flop_spelling_is_the_same() -> None:
    forms = ["1e26", "1E+26", "10^26", "10**26", "1e26 FLOP", "100 YFLOP", "0.1 RFLOP", "1e26 FLOPs"]
    costs = [json.loads(invoke(["cost", f, "--format", "json"]).stdout)[0]["cost_usd"] for f in forms]
    assert all(close(c, costs[0], 1e-12) for c in costs)


def test_explain_shows_the_arithmetic() -> None:
    out = invoke(["cost", "1e26", "--peak", "2000 TFLOP/s", "--explain"]).stdout
    assert "8e14 FLOP/s" in out and "2.88e18 FLOP per chip-hour" in out
    assert "34,722,222" in out and "$69,444,444" in out and "$104,166,667" in out


def test_overrides_are_recorded() -> None:
    r = flopcalc.cost(1e26, "h100", efficiency=0.5, price="3 USD/hour")
    assert r.origin["efficiency"] == "given" and r.origin["price"] == "given"
    assert r.origin["peak"].startswith("profile h100")
    assert close(r.cost.to("USD").magnitude, 1e26 / (H100_DENSE * 0.5 * 3600) * 3)


def test_budget_inverse_of_the_essay() -> None:
    b = flopcalc.budget("$100M", "h100")
    expected = 100e6 / 2.00 * H100_DENSE * 0.4 * 3600
    assert close(b.flop.to("FLOP").magnitude, expected)
    assert close(b.flop_after_overhead.to("FLOP").magnitude, expected / 1.5)
    assert 1.4e26 < expected < 1.45e26


def test_size_chinchilla() -> None:
    s = flopcalc.size(1e25)
    n = math.sqrt(1e25 / (6 * 20))
    assert close(s.params, n) and close(s.tokens, 20 * n)
    assert 2.88e11 < s.params < 2.9e11 and 5.7e12 < s.tokens < 5.8e12


def test_energy_from_tdp() -> None:
    r = flopcalc.cost(1e26, "h100", peak="2000 TFLOP/s")
    from conftest import energy_by_hand

    spf, load, pue = energy_by_hand("h100")  # DGX H100 10.2 kW / 8 / 0.7 kW, GPU load 0.75, non-hyperscale PUE 1.25
    assert (spf, load, pue) == (1.8214, 0.75, 1.25)
    mwh = 34_722_222.222 * 700 * spf * load * pue / 1e6
    assert close(r.energy.to("MWh").magnitude, mwh, 1e-6)
    assert close(r.co2e.to("tCO2e").magnitude, mwh * 1000 * 0.42 / 1000, 1e-6)
