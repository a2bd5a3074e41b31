"""cost --basis / --chip-hours / --start / --dollars and trend --dollars / --basis (issue 21).

Expected figures are recomputed here from the shipped YAML and CSV (read with PyYAML and csv, not
flopcalc's loaders), with the arithmetic written out in the test; never the code's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from flopcalc.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "flopcalc" / "data"
HW = ROOT / "hardware"
LN10 = math.log(10)
BASIS_KEYS = ("rental_cost_usd", "amortized_cost_usd", "hardware_cost_usd", "interconnect_cost_usd",
              "energy_cost_usd", "acquisition_cost_usd")


def run(args: list[str]):
    return CliRunner().invoke(cli, args, prog_name="flopcalc")


def ok_json(args: list[str]) -> list[dict]:
    r = run([*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _ppi() -> dict[str, float]:
    lines = [ln for ln in (DATA / "ppi-pcu518210518210.csv").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    return {row["month"]: float(row["index"]) for row in csv.DictReader(lines)}


def _bases() -> dict:
    d = yaml.safe_load((DATA / "cost-bases.yaml").read_text(encoding="utf-8"))
    energy = yaml.safe_load((DATA / "energy.yaml").read_text(encoding="utf-8"))
    return {**d, **{k: v for k, v in energy.items() if k != "data_as_of"}}


# ---------------------------------------------------------------------------------------------
# GPT-4, Epoch AI's figure
# ---------------------------------------------------------------------------------------------

def test_gpt4_amortized_from_the_cli_is_epochs_40m_recomputed_by_hand():
    rows = ok_json(["cost", "--gpu", "a100-40gb", "--chip-hours", "5.7e7", "--start", "2022-05-12",
                    "--basis", "amortized", "--dollars", "2023-12"])
    assert len(rows) == 1
    row = rows[0]
    # Epoch AI's published figure: about $40M (December 2023 dollars); "within a few percent"
    assert abs(row["amortized_cost_usd"] / 40e6 - 1) < 0.05

    # The arithmetic, from the shipped data (docs/cost-bases.md, "Worked example")
    d = _bases()
    sp = d["server_prices"]["a100-40gb"]
    price = float(sp["usd_per_chip"])
    released = dt.date.fromisoformat(str(sp["released"]))
    price_day = dt.date.fromisoformat(str(sp["date"]))
    acquired = max(price_day, released + dt.timedelta(days=int(d["method"]["acquisition_days_after_release"])))
    years = (dt.date(2022, 5, 12) - acquired).days / 365.25
    r = float(d["method"]["depreciation_ooms_per_year"])
    hours = 5.7e7
    hardware = price * 10 ** (-r * years) * r * LN10 / float(d["method"]["hours_per_year"]) * hours
    f = float(d["method"]["interconnect_fraction"])
    interconnect = hardware * f / (1 - f)
    spf = float(d["server_power_factor"]["chips"].get("a100-40gb", d["server_power_factor"]["gpu_default"]))
    tdp_kw = float(str(yaml.safe_load((HW / "a100-40gb.yaml").read_text())["tdp"]).split()[0]) / 1000
    kwh = hours * tdp_kw * spf * float(d["average_load"]["gpu"]) * float(d["pue"]["kinds"]["other"])
    energy = kwh * float(d["electricity_usd_per_kwh"]["years"][2022])
    ppi = _ppi()
    k = ppi["2023-12"] / ppi["2022-05"]
    assert math.isclose(row["hardware_cost_usd"], hardware * k, rel_tol=1e-9)
    assert math.isclose(row["interconnect_cost_usd"], interconnect * k, rel_tol=1e-9)
    assert math.isclose(row["energy_cost_usd"], energy * k, rel_tol=1e-9)
    assert math.isclose(row["amortized_cost_usd"], (hardware + interconnect + energy) * k, rel_tol=1e-9)
    # chip-hours given: FLOP = chip-hours x useful FLOP per chip-hour at the assumption
    assert row["chip_hours"] == pytest.approx(5.7e7, rel=1e-12)
    assert math.isclose(row["flop"], 5.7e7 * row["flop_per_chip_hour"], rel_tol=1e-12)
    assert row["chip_hours_given"] is True
    # chip-hours given: no efficiency interval, only the depreciation band and the price range
    assert row["amortized_cost_usd_low"] < row["amortized_cost_usd"] < row["amortized_cost_usd_high"]
    assert row["energy_cost_usd_low"] == row["energy_cost_usd"] == row["energy_cost_usd_high"]
    assert row["dollars"].startswith("2023-12 USD") and row["start"] == "2022-05-12"


def test_gpt4_table_says_which_dollars():
    r = run(["cost", "--gpu", "a100-40gb", "--chip-hours", "5.7e7", "--start", "2022-05-12", "--basis",
             "amortized", "--dollars", "2023-12"])
    assert r.exit_code == 0, r.output
    assert "$40.9M" in r.stdout and "2023-12 USD" in r.stdout and "Epoch AI" in r.stdout


# ---------------------------------------------------------------------------------------------
# --basis all
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def all_h100() -> dict:
    rows = ok_json(["cost", "1e26", "--gpu", "h100", "--basis", "all"])
    assert len(rows) == 1
    return rows[0]


def test_basis_all_has_every_key_and_rental_is_cost(all_h100):
    row = all_h100
    for k in BASIS_KEYS:
        for suffix in ("", "_low", "_high"):
            assert isinstance(row[k + suffix], float), k + suffix
    assert row["dollars"] and row["start"] == dt.date.today().isoformat()
    assert row["rental_cost_usd"] == row["cost_usd"]
    assert row["rental_cost_usd_low"] == row["cost_usd_low"]
    assert row["rental_cost_usd_high"] == row["cost_usd_high"]
    # the rental figure itself, by hand: 1e26 / (dense FP8 peak x 40% x 3600) x $2.00
    doc = yaml.safe_load((HW / "h100.yaml").read_text(encoding="utf-8"))
    peak = float(str(doc["peak"]["fp8"]).split()[0]) * 1e12
    assert math.isclose(row["cost_usd"], 1e26 / (peak * 0.4 * 3600) * 2.00, rel_tol=1e-9)
    assert math.isclose(row["amortized_cost_usd"],
                        row["hardware_cost_usd"] + row["interconnect_cost_usd"] + row["energy_cost_usd"], rel_tol=1e-9)


def test_basis_all_keeps_every_existing_key():
    plain = ok_json(["cost", "1e26", "--gpu", "h100"])[0]
    on = ok_json(["cost", "1e26", "--gpu", "h100", "--basis", "all"])[0]
    assert set(plain) <= set(on)
    for k in ("cost_usd", "chip_hours", "price_usd_per_chip_hour", "cost_with_overhead_usd", "evidence"):
        assert on[k] == plain[k]
    assert plain["rental_cost_usd"] == plain["cost_usd"]  # the default output gains the rental key only


def test_acquisition_by_hand_with_chips():
    row = ok_json(["cost", "1e26", "--gpu", "h100", "--basis", "acquisition", "--chips", "20000"])[0]
    d = _bases()
    sp = d["server_prices"]["h100"]
    f = float(d["method"]["interconnect_fraction"])
    assert math.isclose(row["acquisition_cost_usd"], 20000 * float(sp["usd_per_chip"]) / (1 - f), rel_tol=1e-9)
    assert math.isclose(row["acquisition_cost_usd_low"], 20000 * float(sp["low"]) / (1 - f), rel_tol=1e-9)
    assert math.isclose(row["acquisition_cost_usd_high"], 20000 * float(sp["high"]) / (1 - f), rel_tol=1e-9)


def test_basis_all_table_shows_three_dollars_and_the_readers():
    r = run(["cost", "1e26", "--gpu", "h100", "--basis", "all"])
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()[0]
    assert "rental" in head and "amortized" in head and "acquisition" in head
    assert r.stdout.count("$") >= 3
    assert "journalists" in r.stdout and "Epoch AI" in r.stdout and "buy" in r.stdout


def test_dollars_restates_rental_by_the_ppi_ratio():
    nominal = ok_json(["cost", "1e26", "--gpu", "h100"])[0]
    real = ok_json(["cost", "1e26", "--gpu", "h100", "--dollars", "2023-12"])[0]
    ppi = _ppi()
    year = nominal["price_date"][:4]  # the essay price is dated by year: that year's mean index
    mean = sum(v for m, v in ppi.items() if m.startswith(year + "-")) / sum(1 for m in ppi if m.startswith(year + "-"))
    k = ppi["2023-12"] / mean
    assert math.isclose(real["cost_usd"], nominal["cost_usd"] * k, rel_tol=1e-9)
    assert math.isclose(real["price_usd_per_chip_hour"], nominal["price_usd_per_chip_hour"] * k, rel_tol=1e-9)
    assert real["rental_cost_usd"] == real["cost_usd"]
    assert real["dollars"].startswith("2023-12 USD")


def test_library_entry_point():
    from flopcalc.bases import cost_on_bases

    r = cost_on_bases(chip_hours=5.7e7, gpu="a100-40gb", start="2022-05-12", basis="all", chips=25000,
                      dollars="2023-12")
    assert abs(r.amortized.to("USD").magnitude / 40e6 - 1) < 0.05
    assert r.acquisition is not None and r.to_dict()["acquisition_chips"] == 25000


# ---------------------------------------------------------------------------------------------
# trend --dollars / --basis
# ---------------------------------------------------------------------------------------------

def test_constant_dollar_trend_is_nominal_times_the_ppi_ratio():
    nominal = ok_json(["trend", "1e26", "--from", "2021", "--to", "2028"])
    real = ok_json(["trend", "1e26", "--from", "2021", "--to", "2028", "--dollars", "2026-01"])
    ppi = _ppi()
    last = max(ppi)
    assert [r["year"] for r in real] == [r["year"] for r in nominal]
    for n, r in zip(nominal, real):
        # the row's nominal month: its price day (the year's last day; the data's date in its year)
        day = n["price_on"] if not n["projected"] else f"{n['year']}-12-31"
        month = min(day[:7], last)
        k = ppi["2026-01"] / ppi[month]
        assert math.isclose(r["cost_usd"], n["cost_usd"] * k, rel_tol=1e-12), n["year"]
        assert math.isclose(r["cost_usd_low"], n["cost_usd_low"] * k, rel_tol=1e-12)
        assert math.isclose(r["cost_usd_high"], n["cost_usd_high"] * k, rel_tol=1e-12)
        assert math.isclose(r["price_usd_per_chip_hour"], n["price_usd_per_chip_hour"] * k, rel_tol=1e-12)
        assert r["cost_usd_nominal"] == n["cost_usd"] and r["gpu"] == n["gpu"]
        assert r["dollars"].startswith("2026-01 USD")


def test_trend_basis_all_shows_amortized_beside_rental():
    rows = ok_json(["trend", "1e26", "--from", "2022", "--to", "2026", "--basis", "all"])
    for r in rows:
        assert r["rental_cost_usd"] == r["cost_usd"]
        assert r["start"] == f"{r['year']}-12-31"
        assert 0 < r["amortized_cost_usd_low"] < r["amortized_cost_usd"] < r["amortized_cost_usd_high"]
    t = run(["trend", "1e26", "--from", "2022", "--to", "2026", "--basis", "all"])
    assert t.exit_code == 0 and "amortized cost" in t.stdout.splitlines()[0] and "rental cost" in t.stdout


# ---------------------------------------------------------------------------------------------
# Bad inputs: one line, exit 2, naming the value and what is accepted
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, shown", [
    (["cost", "1e26", "--dollars", "1999-13"], "1999-13"),
    (["cost", "1e26", "--dollars", "1990-01"], "1990-01"),
    (["cost", "1e26", "--basis", "amortized", "--start", "garbage"], "garbage"),
    (["cost", "1e26", "--basis", "bogus"], "bogus"),
    (["cost", "--chip-hours", "-5"], "-5"),
    (["cost", "--chip-hours", "abc"], "abc"),
    (["cost", "1e26", "--chip-hours", "5.7e7"], "chip-hours"),
    (["cost"], "FLOP"),
    (["trend", "1e26", "--dollars", "1999-13"], "1999-13"),
    (["trend", "1e26", "--basis", "bogus"], "bogus"),
])
def test_bad_input_is_one_line_exit_2(args, shown):
    r = run(args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert shown in r.stderr
    assert any(w in r.stderr for w in ("expected", "give", "use YYYY-MM-DD"))
