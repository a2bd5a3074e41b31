"""flopcalc trend / flopcalc.trend(): the cost of a FLOP figure year by year (docs/trend-method.md).

Expected figures are worked out here from the YAML files (read with PyYAML, not flopcalc's loader)
and from the stated rate, never from the code's own output.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from flopcalc.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HW = ROOT / "hardware"
RATE = 0.14
BAND = (0.10, 0.19)
ON_DEMAND = ("neocloud-on-demand", "hyperscaler-on-demand")
KEYS = ("year", "flop", "gpu", "price_usd_per_chip_hour", "price_date", "price_tier", "projected", "chip_hours",
        "cost_usd", "cost_usd_low", "cost_usd_high")
TEN = {"PFLOP/s": 1e15, "TFLOP/s": 1e12, "GFLOP/s": 1e9}


def run(args: list[str]):
    return CliRunner().invoke(cli, args, prog_name="flopcalc")


def ok(args: list[str]) -> str:
    r = run(args)
    assert r.exit_code == 0, r.output
    return r.stdout


def _yaml(gpu: str) -> dict:
    return yaml.safe_load((HW / f"{gpu}.yaml").read_text(encoding="utf-8"))


def _released_year(doc: dict) -> int:
    return int(str(doc.get("released") or doc["year"])[:4])


def _peak(doc: dict) -> float:
    num, unit = str(doc["peak"][doc["default_precision"]]).split()
    return float(num) * TEN[unit]


def _quotes(doc: dict, tier: str, year: int) -> list[dict]:
    return [q for q in doc.get("prices") or [] if q["tier"] == tier and str(q["date"])[:4] == str(year)]


def _day(text: str) -> dt.date:
    parts = [int(p) for p in str(text).split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _latest_median(quotes: list[dict]) -> tuple[float, dt.date]:
    last = max(_day(q["date"]) for q in quotes)
    return statistics.median(float(q["usd_per_hour"]) for q in quotes if _day(q["date"]) == last), last


@pytest.fixture(scope="module")
def done_when() -> list[dict]:
    return json.loads(ok(["trend", "1e25", "1e26", "--from", "2020", "--to", "2030", "--format", "json"]))


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(HW.glob("*.yaml"))}


def test_done_when_22_rows_with_the_issue_keys(done_when):
    assert len(done_when) == 22
    assert [(r["year"], r["flop"]) for r in done_when] == [(y, f) for y in range(2020, 2031) for f in (1e25, 1e26)]
    for r in done_when:
        assert all(k in r for k in KEYS), r.keys()
        assert r["price_tier"] in ON_DEMAND
        assert isinstance(r["projected"], bool)
        assert 0 < r["cost_usd_low"] < r["cost_usd"] < r["cost_usd_high"]
        assert r["data_as_of"]["hardware"]
        assert math.isclose(r["cost_usd"], r["chip_hours"] * r["price_usd_per_chip_hour"], rel_tol=1e-12)


def test_every_row_chip_was_released_by_its_year(done_when):
    for r in done_when:
        assert _released_year(_yaml(r["gpu"])) <= r["year"], r


def test_projected_exactly_when_no_released_chip_has_a_dated_price(done_when, shipped):
    for r in done_when:
        y = r["year"]
        dated = any(_quotes(doc, t, y) for doc in shipped.values() if _released_year(doc) <= y for t in ON_DEMAND)
        assert r["projected"] is (not dated), (y, r["gpu"])
    assert any(r["projected"] for r in done_when)  # 2030 lies past the last dated price
    assert not all(r["projected"] for r in done_when)


def test_projected_rows_fall_by_the_stated_rate(done_when):
    by_key = {(r["year"], r["flop"]): r for r in done_when}
    pairs = 0
    for r in done_when:
        prev = by_key.get((r["year"] - 1, r["flop"]))
        if prev and prev["projected"] and r["projected"] and prev["gpu"] == r["gpu"]:
            assert math.isclose(r["cost_usd"] / prev["cost_usd"], 10 ** -RATE, rel_tol=1e-9)
            assert math.isclose(r["price_usd_per_chip_hour"] / prev["price_usd_per_chip_hour"], 10 ** -RATE,
                                rel_tol=1e-9)
            # the band widens the interval with every year away from the dated price
            assert r["cost_usd_high"] / r["cost_usd"] > prev["cost_usd_high"] / prev["cost_usd"]
            pairs += 1
    assert pairs >= 2


def test_rows_price_is_the_dated_quote_or_its_projection(done_when):
    for r in done_when:
        doc = _yaml(r["gpu"])
        anchor = r["anchor_year"]
        quotes = _quotes(doc, r["price_tier"], anchor)
        assert quotes, r
        if r["price_tier"] == "hyperscaler-on-demand":  # chosen only where the chip has no neocloud quote that year
            assert not _quotes(doc, "neocloud-on-demand", anchor)
        price, day = _latest_median(quotes)
        assert _day(r["price_date"]) == day
        assert r["projected"] is (anchor != r["year"])
        expected = price * 10 ** (-RATE * (r["year"] - anchor))
        assert math.isclose(r["price_usd_per_chip_hour"], expected, rel_tol=1e-12), r
        assert math.isclose(r["anchor_price_usd_per_chip_hour"], price, rel_tol=1e-12)
        # chip-hours at the evidence efficiency and the chip's dense peak at its default precision (from YAML)
        assert math.isclose(r["chip_hours"], r["flop"] / (_peak(doc) * r["evidence_efficiency"] * 3600),
                            rel_tol=1e-9)


def test_the_row_is_the_cheapest_chip_dated_that_year(done_when, shipped):
    from flopcalc.evidence import default_model
    from flopcalc.hardware import default_db

    model, db = default_model(), default_db()
    for r in done_when:
        if r["projected"]:
            continue
        y = r["year"]
        best = []
        for gid, doc in shipped.items():
            if _released_year(doc) > y:
                continue
            qs = next((q for q in (_quotes(doc, t, y) for t in ON_DEMAND) if q), None)
            if qs:
                best.append((gid, _latest_median(qs)[0] / _peak(doc)))
        row_cost_per_peak = r["price_usd_per_chip_hour"] / r["peak_flop_per_s"]
        # no chip dated that year is cheaper per useful FLOP (each at its own evidence efficiency)
        row_cost = row_cost_per_peak / r["evidence_efficiency"]
        for gid, per_peak in best:
            p = db.get(gid)
            iv = model.interval(p, p.default_precision)
            if iv.centre is not None:
                assert row_cost <= per_peak / iv.centre * (1 + 1e-12), (y, gid)


def _profile(pid: str, peak_tflops: float, released: str, prices: list[tuple[float, str, str]]) -> dict:
    return {"id": pid, "name": f"Test chip {pid}", "peak": {"bf16": f"{peak_tflops} TFLOP/s"},
            "default_precision": "bf16", "efficiency": 0.4, "mfu_range": {"bf16": [0.3, 0.5]},
            "generation": "trendtest", "released": released, "price": "2 USD/hour", "overhead": 1.5,
            "tdp": "500 W", "memory": "64 GB", "sources": ["https://example.org/datasheet"],
            "prices": [{"usd_per_hour": p, "tier": t, "date": d, "source": "test quote", "provider": f"P{i}"}
                       for i, (p, t, d) in enumerate(prices)]}


@pytest.fixture
def synthetic(tmp_path) -> tuple[list[str], object]:
    a = _profile("trend-a", 100, "2021-03", [
        (0.10, "neocloud-on-demand", "2019-05-01"),  # before release: ignored
        (3.00, "neocloud-on-demand", "2022-02-01"),
        (2.00, "neocloud-on-demand", "2022-06"),  # the year's latest neocloud quote
        (9.00, "hyperscaler-on-demand", "2022-12-01"),  # ignored: the chip has a neocloud quote in 2022
        (1.00, "hyperscaler-on-demand", "2023-01-01"),  # not the year's latest
        (4.00, "hyperscaler-on-demand", "2023-05-01"),
        (6.00, "hyperscaler-on-demand", "2023-05-01"),  # same date: the median, 5.00 (a rise from 2.00)
        (1.50, "contract-1yr", "2024-02-01"),  # another tier: not on demand
        (2.50, "neocloud-on-demand", "2025-03"),
    ])
    b = _profile("trend-b", 400, "2025-01", [(8.00, "neocloud-on-demand", "2025-06-01")])
    files = []
    for doc in (a, b):
        p = tmp_path / f"{doc['id']}.yaml"
        p.write_text(yaml.safe_dump(doc), encoding="utf-8")
        files.append(str(p))
    from flopcalc.hardware import load_profiles

    return files, load_profiles(files)


def _efficiency(db, gpu: str):
    from flopcalc.evidence import default_model

    p = db.get(gpu)
    return default_model().interval(p, "bf16")


def test_synthetic_history_golden(synthetic):
    from flopcalc import trend

    _, db = synthetic
    rows = trend(["1e24"], start=2021, end=2027, gpus=["trend-a", "trend-b"], hardware=db)
    got = [(r.year, r.gpu, r.price_tier, r.projected, r.anchor_year) for r in rows]
    assert got == [
        (2021, "trend-a", "neocloud-on-demand", True, 2022),  # before the first dated price: backwards
        (2022, "trend-a", "neocloud-on-demand", False, 2022),
        (2023, "trend-a", "hyperscaler-on-demand", False, 2023),
        (2024, "trend-a", "hyperscaler-on-demand", True, 2023),  # a year with no on-demand quote
        (2025, "trend-b", "neocloud-on-demand", False, 2025),  # 8.00 / 400 beats 2.50 / 100
        (2026, "trend-b", "neocloud-on-demand", True, 2025),
        (2027, "trend-b", "neocloud-on-demand", True, 2025),
    ]
    base = {2022: 2.00, 2023: 5.00, 2025: 8.00}
    peak = {"trend-a": 100e12, "trend-b": 400e12}
    for r in rows:
        iv = _efficiency(db, r.gpu)
        k = r.year - r.anchor_year
        price = base[r.anchor_year] * 10 ** (-RATE * k)
        hours = 1e24 / (peak[r.gpu] * iv.centre * 3600)
        assert math.isclose(r.price_usd_per_chip_hour, price, rel_tol=1e-12)
        assert math.isclose(r.chip_hours, hours, rel_tol=1e-12)
        assert math.isclose(r.cost_usd, hours * price, rel_tol=1e-12)
        s = iv.log_spread
        if k == 0:
            down = up = s
        elif k > 0:
            down = math.hypot(s, (BAND[1] - RATE) * k * math.log(10))
            up = math.hypot(s, (RATE - BAND[0]) * k * math.log(10))
        else:
            down = math.hypot(s, (RATE - BAND[0]) * -k * math.log(10))
            up = math.hypot(s, (BAND[1] - RATE) * -k * math.log(10))
        assert math.isclose(r.cost_usd_low, hours * price * math.exp(-down), rel_tol=1e-12)
        assert math.isclose(r.cost_usd_high, hours * price * math.exp(up), rel_tol=1e-12)
        assert math.isclose(r.chip_hours_low, hours / math.exp(s), rel_tol=1e-12)
    assert rows[1].price_date == "2022-06" and rows[2].price_date == "2023-05-01" and rows[2].price_quotes == 2
    assert rows[2].cost_usd > rows[1].cost_usd  # observed years show the dated prices, even a rise
    assert "median of 2 quotes" in rows[2].price_source


def test_synthetic_explicit_tier_and_cli(synthetic):
    from flopcalc import trend

    files, db = synthetic
    rows = trend([1e24], start=2022, end=2025, gpus=["trend-a", "trend-b"], price_tier="contract-1yr", hardware=db)
    assert [(r.year, r.gpu, r.price_tier, r.anchor_year) for r in rows] == [
        (2022, "trend-a", "contract-1yr", 2024), (2023, "trend-a", "contract-1yr", 2024),
        (2024, "trend-a", "contract-1yr", 2024), (2025, "trend-a", "contract-1yr", 2024)]
    assert math.isclose(rows[0].price_usd_per_chip_hour, 1.50 * 10 ** (2 * RATE), rel_tol=1e-12)
    args = ["trend", "1e24", "--gpu", "trend-a", "--gpu", "trend-b", "--to", "2027"]
    for f in files:
        args += ["--hardware-file", f]
    data = json.loads(ok([*args, "--from", "2021", "--format", "json"]))
    assert [r["projected"] for r in data] == [True, False, False, True, False, True, True]
    r = run([*args, "--from", "2020"])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "2020" in r.stderr and "2021" in r.stderr


def test_api_rows(synthetic):
    import flopcalc
    from flopcalc.trends import TrendRow

    _, db = synthetic
    rows = flopcalc.trend(["1e24", "1e25"], start=2024, end=2025, gpus=["trend-a", "trend-b"], hardware=db)
    assert all(isinstance(r, TrendRow) for r in rows) and len(rows) == 4
    assert [(r.year, r.flop) for r in rows] == [(2024, 1e24), (2024, 1e25), (2025, 1e24), (2025, 1e25)]
    d = rows[0].to_dict()
    assert tuple(d)[:len(KEYS)] == KEYS
    assert d["projected"] is True and d["rate_oom_per_year"] == RATE and d["data_as_of"]["runs"]
    assert json.loads(json.dumps(d)) == d
    text = repr(rows[0])
    assert text.startswith("TrendRow(year=2024") and "trend-a" in text and "projected from 2023" in text
    assert len(text) < 200
    assert math.isclose(rows[0].cost.to("USD").magnitude, rows[0].cost_usd)


def test_default_years_run_to_this_year_plus_four():
    from flopcalc import trend

    rows = trend([1e25], gpus=["a100"])
    assert rows[0].year == 2020 and rows[-1].year == dt.date.today().year + 4
    assert len(rows) == dt.date.today().year + 4 - 2020 + 1


@pytest.mark.parametrize("kw", [dict(start=1989), dict(end=2101), dict(start="abc"), dict(start=True),
                                dict(start=2020.5), dict(start=2030, end=2020), dict(start=1990, end=2100),
                                dict(price_tier="bogus"), dict(flops=[]), dict(flops=["-1e26"]),
                                dict(gpus=["h100"], start=2020)])
def test_api_bad_input_is_input_error(kw):
    from flopcalc import InputError, trend

    flops = kw.pop("flops", [1e26])
    with pytest.raises(InputError):
        trend(flops, **kw)


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_cli_formats_mark_projected_rows(fmt):
    out = ok(["trend", "1e26", "--from", "2025", "--to", "2028", "--format", fmt])
    if fmt == "json":
        rows = json.loads(out)
        assert [r["year"] for r in rows] == [2025, 2026, 2027, 2028] and rows[-1]["projected"] is True
    elif fmt == "csv":
        import csv
        import io

        header, *rows = list(csv.reader(io.StringIO(out)))
        assert header[:len(KEYS)] == list(KEYS) and len(rows) == 4
        assert [r[header.index("projected")] for r in rows][-1] == "true"
        assert all(len(r) == len(header) for r in rows)
    else:
        assert "projected" in out and "yes, from " in out
        assert "0.14 orders of magnitude a year" in out
        assert "https://epoch.ai/blog/trends-in-gpu-price-performance" in out
        assert "Prices: the dated quotes" in out
        if fmt == "markdown":
            assert "| year" in out and "- cost = FLOP" in out


@pytest.mark.parametrize("args", [["--from", "1989"], ["--to", "2101"], ["--from", "abc"], ["--from", "2020.5"],
                                  ["--from", "2030", "--to", "2020"], ["--from", "1990", "--to", "2100"],
                                  ["--price-tier", "bogus"], ["--gpu", "h100", "--from", "2020"],
                                  ["--gpu", "nosuchchip"], ["--from", "2020", "--from", "2021"]])
def test_cli_bad_input_is_one_line_exit_2(args):
    r = run(["trend", "1e26", *args])
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
