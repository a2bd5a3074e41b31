"""Amortized, acquisition and constant-dollar costs (flopcalc.cost_bases), checked against independent arithmetic.

Expected values are computed here from the shipped data files, read with plain yaml/csv, and the
formulas written out again (Epoch AI's method, docs/cost-bases.md); they never call the module's
own functions.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from flopcalc import cost_bases as cb
from flopcalc.errors import DataError, FlopcalcError, InputError, UnknownNameError
from flopcalc.hardware import HardwareDB
from flopcalc.units import Q_

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "flopcalc" / "data"
YAML_FILE = DATA / "cost-bases.yaml"
PPI_FILE = DATA / "ppi-pcu518210518210.csv"



@pytest.fixture(scope="module")
def db() -> HardwareDB:
    return HardwareDB()


def usd(q) -> float:
    return float(q.to("USD").magnitude)


def expected(raw: dict, ppi_table: dict, chip: str, tdp_w: float, hours: float, start: str, *, chips=None,
             dollars=None, operator="other") -> dict[str, float]:
    """Epoch AI's formulas, written out again from the data files."""
    e = raw["server_prices"][chip]
    m = raw["method"]
    p = float(e["usd_per_chip"])
    price_day = e["date"] if isinstance(e["date"], dt.date) else dt.date.fromisoformat(str(e["date"]))
    rel = e["released"] if isinstance(e["released"], dt.date) else dt.date.fromisoformat(str(e["released"]))
    tpu = e["family"] == "tpu"
    lag = m["acquisition_days_after_release_tpu"] if tpu else m["acquisition_days_after_release"]
    acquired = max(price_day, rel + dt.timedelta(days=lag))
    s = dt.date.fromisoformat(start)
    years = (s - acquired).days / 365.25
    r = m["depreciation_ooms_per_year"]
    value = p * 10 ** (-r * years)
    hardware = value * r * math.log(10) / 8766 * hours
    interconnect = hardware * 0.19 / 0.81
    spf = raw["server_power_factor"]
    factor = spf["chips"].get(chip, spf["tpu_default"] if tpu else spf["gpu_default"])
    load = raw["average_load"]["tpu" if tpu else "gpu"]
    pue = raw["pue"]["kinds"][operator]
    years_table = raw["electricity_usd_per_kwh"]["years"]
    price = years_table[min(s.year, max(years_table))]
    energy = hours * tdp_w / 1000 * factor * load * pue * price
    f_am = f_acq = 1.0
    if dollars:
        f_am = ppi_table[dollars] / ppi_table[start[:7]]
        f_acq = ppi_table[dollars] / ppi_table[price_day.strftime("%Y-%m")]
    out = {"value": value, "hardware": hardware * f_am, "interconnect": interconnect * f_am, "energy": energy * f_am,
           "amortized": (hardware + interconnect + energy) * f_am, "years": years}
    if chips:
        out["acquisition"] = chips * p / 0.81 * f_acq
    return out


# --- recomputation from the shipped data -----------------------------------------------------------------

@pytest.mark.parametrize("chip,hours,start,chips,dollars,operator", [
    ("a100-40gb", 5.7e7, "2022-05-12", 25000, "2023-12", "other"),
    ("h100", 3.084e7, "2024-01-15", 16384, None, "hyperscaler"),
    ("tpu-v4", 8.0e6, "2022-01-10", 6144, "2024-06", "hyperscaler"),
    ("b200", 1.0e7, "2025-06-01", None, "2026-01", "other"),
    ("v100", 3.5e6, "2019-10-01", 10000, None, "other"),
])
def test_recomputed_from_shipped_data(raw, ppi_table, db, chip, hours, start, chips, dollars, operator):
    prof = db.get(chip)
    tdp = float(prof.tdp.to("W").magnitude)
    want = expected(raw, ppi_table, chip, tdp, hours, start, chips=chips, dollars=dollars, operator=operator)
    got = cb.basis_costs(prof, Q_(hours, "hour"), start, chips=chips, dollars=dollars, operator=operator)
    for key in ("hardware", "interconnect", "energy", "amortized"):
        assert usd(getattr(got, key)) == pytest.approx(want[key], rel=1e-9), key
    assert usd(got.value_at_start) == pytest.approx(want["value"], rel=1e-9)
    assert got.years_owned == pytest.approx(want["years"], rel=1e-12)
    if chips:
        assert usd(got.acquisition) == pytest.approx(want["acquisition"], rel=1e-9)
    else:
        assert got.acquisition is None and got.to_dict()["acquisition_cost_usd"] is None


def test_gpt4_amortized_matches_epoch_published_40m(db):
    """GPT-4 (Epoch AI / AI Index: about $40M in Dec-2023 dollars), by hand from the published inputs."""
    got = cb.basis_costs(db.get("a100-40gb"), Q_(5.7e7, "hour"), "2022-05-12", dollars="2023-12", chips=25000)
    # By hand: DGX A100 $199,000 / 8 = $24,875, acquired 2020-08-12 (release 2020-05-14 + 90 days);
    # 638 days = 1.7467 years to 2022-05-12.
    v = 24875 * 10 ** (-0.14 * 638 / 365.25)
    assert v == pytest.approx(14165.05, abs=0.01)
    hardware = v * 0.14 * math.log(10) / 8766 * 5.7e7                  # $29.69M
    interconnect = hardware * 0.19 / 0.81                               # $6.96M
    energy = 5.7e7 * 0.400 * 2.0312 * 0.75 * 1.25 * 0.0832             # $3.61M (2022 price)
    nominal = hardware + interconnect + energy                          # $40.27M
    dec2023 = nominal * 119.029 / 117.176                               # PPI Dec-2023 / May-2022
    assert nominal == pytest.approx(40.27e6, rel=1e-3)
    assert usd(got.amortized) == pytest.approx(dec2023, rel=1e-6)
    assert usd(got.amortized) == pytest.approx(40e6, rel=0.05)          # within a few percent of Epoch's ~$40M
    assert got.dollars == "2023-12 USD (PPI PCU518210518210)"
    assert usd(got.acquisition) == pytest.approx(25000 * 24875 / 0.81 * 119.029 / 113.4, rel=1e-9)


# --- the price index ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("month,value", [
    # Published values of FRED series PCU518210518210 (Dec 2000 = 100).
    ("2000-12", 100.0), ("2015-01", 107.1), ("2020-05", 113.4), ("2022-05", 117.176),
    ("2023-03", 117.766), ("2023-12", 119.029), ("2024-12", 119.349), ("2025-05", 124.185),
])
def test_ppi_matches_published_values(month, value):
    assert cb.ppi(month) == pytest.approx(value, abs=1e-9)


def test_ppi_series_is_monthly_without_gaps_and_covers_2015_on(ppi_table):
    months = sorted(ppi_table)
    assert months[0] <= "2015-01" and months[-1] >= "2026-01"
    y, m = map(int, months[0].split("-"))
    for got in months:
        assert got == f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def test_deflate_is_the_index_ratio_and_round_trips(ppi_table):
    out = cb.deflate(Q_(1e6, "USD"), "2020-05", "2023-12")
    assert usd(out) == pytest.approx(1e6 * 119.029 / 113.4, rel=1e-12)
    back = cb.deflate(out, "2023-12", "2020-05")
    assert usd(back) == pytest.approx(1e6, rel=1e-12)
    assert usd(cb.deflate(5.0, "2022-05", "2022-05")) == pytest.approx(5.0)
    last = max(ppi_table)
    assert usd(cb.deflate(Q_(100, "USD"), "2099-01", last)) == pytest.approx(100.0)  # later months use the last
    with pytest.raises(InputError):
        cb.deflate(Q_(100, "USD"), "2099-01", last, allow_latest=False)


def test_nominal_dollars_are_labelled_with_their_months(db):
    got = cb.basis_costs(db.get("a100-40gb"), Q_(5.7e7, "hour"), "2022-05-12", chips=8)
    assert got.dollars == "nominal USD (2022-05 prices; acquisition at 2020-05 prices)"
    assert got.inflation_factor == 1.0
    assert cb.basis_costs(db.get("a100-40gb"), Q_(1, "hour"), "2022-05-12").dollars == "nominal USD (2022-05 prices)"


# --- intervals ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chip,start", [("a100-40gb", "2022-05-12"), ("h100", "2023-06-01"), ("tpu-v5p", "2024-03-01"),
                                        ("mi300x", "2024-06-01"), ("v100", "2026-01-01")])
def test_intervals_contain_the_point(db, chip, start):
    got = cb.basis_costs(db.get(chip), Q_(1e7, "hour"), start, chips=1000, dollars="2024-01",
                         chip_hours_low=Q_(6e6, "hour"), chip_hours_high=Q_(1.6e7, "hour"))
    d = got.to_dict()
    for key in ("amortized", "hardware", "interconnect", "energy", "acquisition"):
        k = f"{key}_cost_usd"
        assert d[k + "_low"] <= d[k] <= d[k + "_high"], key
    assert d["amortized_cost_usd_low"] < d["amortized_cost_usd"] < d["amortized_cost_usd_high"]


def test_interval_is_the_band_and_price_range_by_hand(raw, db):
    """GPT-4's hardware interval: price range x the depreciation band 0.10..0.19 (monotonic for 1.75 years)."""
    got = cb.basis_costs(db.get("a100-40gb"), Q_(5.7e7, "hour"), "2022-05-12")
    e = raw["server_prices"]["a100-40gb"]
    t = 638 / 365.25

    def hw(p: float, r: float) -> float:
        return p * 10 ** (-r * t) * r * math.log(10) / 8766 * 5.7e7

    assert usd(got.hardware_low) == pytest.approx(hw(e["low"], 0.10), rel=1e-9)
    assert usd(got.hardware_high) == pytest.approx(hw(e["high"], 0.19), rel=1e-9)


def test_efficiency_interval_passes_through(db):
    base = cb.basis_costs(db.get("h100"), Q_(1e7, "hour"), "2024-01-01")
    wide = cb.basis_costs(db.get("h100"), Q_(1e7, "hour"), "2024-01-01",
                          chip_hours_low=Q_(5e6, "hour"), chip_hours_high=Q_(2e7, "hour"))
    assert usd(wide.energy_low) == pytest.approx(usd(base.energy) / 2)
    assert usd(wide.energy_high) == pytest.approx(usd(base.energy) * 2)
    assert usd(wide.amortized) == pytest.approx(usd(base.amortized))


# --- data: every chip has a server price -------------------------------------------------------------------

def test_every_shipped_chip_has_a_sourced_server_price(raw):
    ids = {p.stem for p in (ROOT / "hardware").glob("*.yaml")}
    assert len(ids) >= 29
    prices = raw["server_prices"]
    assert ids <= set(prices), sorted(ids - set(prices))
    for cid, e in prices.items():
        assert e["usd_per_chip"] > 0 and e["low"] <= e["usd_per_chip"] <= e["high"], cid
        assert isinstance(e["date"], dt.date), cid
        assert e["source"].strip() and e["basis"].strip() and e["range_basis"].strip(), cid
        assert str(e["url"]).startswith("https://"), cid
        assert e["family"] in ("gpu", "tpu")


def test_estimates_are_flagged_and_say_so(db):
    got = cb.basis_costs(db.get("gb200"), Q_(1e6, "hour"), "2025-06-01")
    assert got.server_price_estimate and any("estimate" in n for n in got.notes)
    assert cb.basis_costs(db.get("h100"), Q_(1e6, "hour"), "2024-01-01").server_price_estimate is False


def test_electricity_prices_cover_2015_to_2026(raw):
    years = raw["electricity_usd_per_kwh"]["years"]
    assert all(y in years for y in range(2015, 2027))
    assert years[2023] == pytest.approx(0.0806)


def test_every_shipped_chip_computes(db):
    for prof in db.all():
        got = cb.basis_costs(prof, Q_(1e6, "hour"), "2026-03-01", chips=1024, dollars="2026-01")
        assert usd(got.amortized) > 0 and usd(got.acquisition) > 0, prof.id


# --- errors ------------------------------------------------------------------------------------------------

def test_bad_inputs_raise_flopcalc_errors(db):
    a100 = db.get("a100-40gb")
    h = Q_(1e6, "hour")
    cases = [
        lambda: cb.basis_costs(a100, Q_(1e6, "USD"), "2022-05-12"),
        lambda: cb.basis_costs(a100, Q_(-1, "hour"), "2022-05-12"),
        lambda: cb.basis_costs(a100, 1e6, "2022-05-12"),
        lambda: cb.basis_costs(a100, h, "May 2022"),
        lambda: cb.basis_costs(a100, h, "2022-13-01"),
        lambda: cb.basis_costs(a100, h, "2019-01-01"),              # before the chip's release
        lambda: cb.basis_costs(a100, h, "2022-05-12", chips=0),
        lambda: cb.basis_costs(a100, h, "2022-05-12", chips=2.5),
        lambda: cb.basis_costs(a100, h, "2022-05-12", operator="moon"),
        lambda: cb.basis_costs(a100, h, "2022-05-12", dollars="1999-01"),
        lambda: cb.basis_costs(a100, h, "2022-05-12", chip_hours_low=Q_(2e6, "hour")),
        lambda: cb.basis_costs("a100", h, "2022-05-12"),
        lambda: cb.basis_costs(a100, h, "2022-05-12", server_price_usd=30000),  # no date
        lambda: cb.deflate(Q_(1, "hour"), "2020-01", "2021-01"),
        lambda: cb.ppi("2026-99"),
    ]
    for case in cases:
        with pytest.raises(FlopcalcError) as info:
            case()
        assert isinstance(info.value, (InputError, UnknownNameError, DataError))
        assert "--" not in str(info.value)  # library messages name no command-line flags


def test_chip_without_a_server_price_is_refused_or_given_one(db):
    import dataclasses

    odd = dataclasses.replace(db.get("h100"), id="my-chip", aliases=(), replaces=None)
    with pytest.raises(UnknownNameError, match="my-chip"):
        cb.basis_costs(odd, Q_(1e6, "hour"), "2024-01-01")
    got = cb.basis_costs(odd, Q_(1e6, "hour"), "2024-01-01", server_price_usd=Q_(30000, "USD"),
                         server_price_date="2023-06-01")
    assert usd(got.server_price) == 30000 and got.server_price_basis == "given"


def test_broken_data_file_names_file_and_field(tmp_path):
    bad = YAML_FILE.read_text(encoding="utf-8").replace("usd_per_chip: 24875\n", "usd_per_chip: lots\n", 1)
    p = tmp_path / "cost-bases.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(DataError, match=r"cost-bases\.yaml: server_prices\.a100-40gb\.usd_per_chip"):
        cb._cost_data_cached(str(p), str(PPI_FILE))
    gap = [ln for ln in PPI_FILE.read_text(encoding="utf-8").splitlines() if not ln.startswith("2015-06")]
    q = tmp_path / "ppi.csv"
    q.write_text("\n".join(gap) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"ppi\.csv: row"):
        cb._cost_data_cached(str(YAML_FILE), str(q))


def test_json_keys_are_exactly_the_documented_ones(db):
    d = cb.basis_costs(db.get("h100"), Q_(1e6, "hour"), "2024-01-01", chips=8).to_dict()
    money = ["amortized", "hardware", "interconnect", "energy", "acquisition"]
    keys = {f"{m}_cost_usd{s}" for m in money for s in ("", "_low", "_high")} | {"dollars", "start"}
    assert set(d) == keys
    assert all(isinstance(d[k], float) for k in keys - {"dollars", "start"})


def test_import_reads_no_data():
    import subprocess
    import sys

    code = ("import sys, flopcalc.cost_bases as cb; "
            "print(cb._cost_data_cached.cache_info().currsize, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0"
