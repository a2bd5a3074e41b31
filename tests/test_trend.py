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


def _months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m + 1, d)
        except ValueError:
            continue
    raise AssertionError


def _market_quotes(doc: dict) -> list[tuple[dt.date, str, float]]:
    """(date, tier, USD/h) of the chip's quotes on or after its release, its dated default price as one more
    unless that default is an estimate (an estimate is not a quote)."""
    rel = _day(str(doc.get("released") or doc.get("year") or "1900"))
    out = []
    for q in doc.get("prices") or []:
        tier = q["tier"]
        if tier in ("contract-1yr", "contract-3yr", "spot"):  # a 0.2 name: the market of its provider
            big = any(h in str(q.get("provider") or "").lower() for h in ("aws", "azure", "google", "oracle",
                                                                           "microsoft", "amazon", "gcp", "oci"))
            tier = ("hyperscaler-" if big else "neocloud-") + tier
        out.append((_day(q["date"]), tier, float(q["usd_per_hour"])))
    if doc.get("price_tier") and doc.get("price_date") and not doc.get("price_is_estimate"):
        out.append((_day(doc["price_date"]), doc["price_tier"], float(str(doc["price"]).split()[0])))
    return sorted((x for x in out if x[0] >= rel), key=lambda x: x[0])


def _price_on(doc: dict, tiers: tuple[str, ...], year: int) -> tuple[float, str, str] | None:
    """The chip's price on the year's last day (or its data date, in that year), by the rule written out
    here: the median of the tier's quotes in the 12 months to the day, else its latest earlier quote if at
    most 24 months old; the first tier with a price wins. (price, tier, rule) or None."""
    day = dt.date(year, 12, 31)
    if doc.get("data_as_of"):
        last = _day(str(doc["data_as_of"]))
        if year > last.year:
            return None
        day = min(day, last)
    quotes = _market_quotes(doc)
    for t in tiers:
        mine = [q for q in quotes if q[1] == t and q[0] <= day]
        window = [q[2] for q in mine if q[0] >= _months_back(day, 12)]
        if window:
            return statistics.median(window), t, "median"
        if mine and mine[-1][0] >= _months_back(day, 24):
            return mine[-1][2], t, "latest-earlier"
    return None


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


def test_projected_exactly_when_no_released_chip_has_a_price_on_the_years_last_day(done_when, shipped):
    for r in done_when:
        y = r["year"]
        priced = any(_price_on(doc, ON_DEMAND, y) for doc in shipped.values() if _released_year(doc) <= y)
        assert r["projected"] is (not priced), (y, r["gpu"])
    assert any(r["projected"] for r in done_when)  # 2030 lies past the data's date
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


def test_rows_price_is_the_price_on_the_anchor_years_last_day_or_its_projection(done_when):
    for r in done_when:
        doc = _yaml(r["gpu"])
        anchor = r["anchor_year"]
        got = _price_on(doc, ON_DEMAND, anchor)
        assert got is not None, r
        price, tier, rule = got
        assert r["price_tier"] == tier and r["price_rule"] == rule
        assert r["projected"] is (anchor != r["year"])
        expected = price * 10 ** (-RATE * (r["year"] - anchor))
        assert math.isclose(r["price_usd_per_chip_hour"], expected, rel_tol=1e-12), r
        assert math.isclose(r["anchor_price_usd_per_chip_hour"], price, rel_tol=1e-12)
        # chip-hours at the evidence efficiency and the chip's dense peak at its default precision (from YAML)
        assert math.isclose(r["chip_hours"], r["flop"] / (_peak(doc) * r["evidence_efficiency"] * 3600),
                            rel_tol=1e-9)


def test_observed_price_is_what_cost_as_of_the_years_last_day_charges(done_when):
    """One date, one price: trend's observed price is pricing.choose_price's on the same day and tier."""
    from flopcalc.hardware import default_db
    from flopcalc.pricing import choose_price

    db = default_db()
    for r in done_when:
        if r["projected"]:
            continue
        c = choose_price(db.get(r["gpu"]), tier=r["price_tier"], as_of=dt.date.fromisoformat(r["price_on"]))
        assert not c.fallback
        assert math.isclose(c.price.to("USD/hour").magnitude, r["price_usd_per_chip_hour"], rel_tol=1e-12), r


def test_the_row_is_the_cheapest_chip_priced_that_year(done_when, shipped):
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
            got = _price_on(doc, ON_DEMAND, y)
            if got:
                best.append((gid, got[0] / _peak(doc)))
        row_cost_per_peak = r["price_usd_per_chip_hour"] / r["peak_flop_per_s"]
        # no chip priced that year is cheaper per useful FLOP (each at its own evidence efficiency)
        row_cost = row_cost_per_peak / r["evidence_efficiency"]
        for gid, per_peak in best:
            p = db.get(gid)
            iv = model.interval(p, p.default_precision)
            if iv.centre is not None:
                assert row_cost <= per_peak / iv.centre * (1 + 1e-12), (y, gid)


def test_done_when_no_observed_year_rises_for_want_of_a_quote():
    """trend 1e26 --from 2021 --to 2026: no observed year more than 10% above the one before; and a year's
    chip is never dearer than last year's chip at its carried price (a year without a new quote keeps it)."""
    rows = json.loads(ok(["trend", "1e26", "--from", "2021", "--to", "2026", "--format", "json"]))
    assert [r["year"] for r in rows] == list(range(2021, 2027))
    pairs = 0
    for prev, r in zip(rows, rows[1:]):
        if prev["projected"] or r["projected"]:
            continue
        pairs += 1
        assert r["cost_usd"] <= 1.10 * prev["cost_usd"], (prev["year"], prev["cost_usd"], r["year"], r["cost_usd"])
        doc = _yaml(prev["gpu"])
        carried = _price_on(doc, ON_DEMAND, r["year"])
        if carried is not None:  # last year's chip still has a price: this year's row is no dearer
            last_chip_cost = r["flop"] / (_peak(doc) * prev["evidence_efficiency"] * 3600) * carried[0]
            assert r["cost_usd"] <= last_chip_cost * (1 + 1e-12), (r["year"], prev["gpu"])
    assert pairs >= 4


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


def _efficiency(db, gpu: str, flop: float):
    from flopcalc.evidence import default_model

    p = db.get(gpu)
    return default_model().interval(p, "bf16", flop=flop)  # the interval for a run of the row's FLOP


def test_synthetic_history_golden(synthetic):
    from flopcalc import trend

    _, db = synthetic
    rows = trend(["1e24"], start=2021, end=2028, gpus=["trend-a", "trend-b"], hardware=db)
    got = [(r.year, r.gpu, r.price_tier, r.projected, r.anchor_year, r.price_rule) for r in rows]
    assert got == [
        (2021, "trend-a", "neocloud-on-demand", True, 2022, "median"),  # before the first price: backwards
        (2022, "trend-a", "neocloud-on-demand", False, 2022, "median"),  # median of 3.00 and 2.00
        # no neocloud quote in 2023: the 2022-06 one is carried (at most 24 months old) and still preferred
        (2023, "trend-a", "neocloud-on-demand", False, 2023, "latest-earlier"),
        # 2022-06 is now over 24 months old: the hyperscaler quote of 2023-05 is carried
        (2024, "trend-a", "hyperscaler-on-demand", False, 2024, "latest-earlier"),
        (2025, "trend-b", "neocloud-on-demand", False, 2025, "median"),  # 8.00 / 400 beats 2.50 / 100
        (2026, "trend-b", "neocloud-on-demand", False, 2026, "latest-earlier"),  # both carry: b still wins
        (2027, "trend-b", "neocloud-on-demand", True, 2026, "latest-earlier"),  # every quote over 24 months old
        (2028, "trend-b", "neocloud-on-demand", True, 2026, "latest-earlier"),
    ]
    hyper_2023 = rows[3].price_usd_per_chip_hour
    assert hyper_2023 in (4.00, 6.00)  # the latest earlier quote (two share 2023-05-01; pricing takes one)
    base = {2022: 2.50, 2023: 2.00, 2024: hyper_2023, 2025: 8.00, 2026: 8.00}
    peak = {"trend-a": 100e12, "trend-b": 400e12}
    for r in rows:
        iv = _efficiency(db, r.gpu, 1e24)
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
    assert rows[1].price_date == "2022-06" and rows[1].price_quotes == 2 and rows[1].price_on == "2022-12-31"
    assert "median of 2 quotes" in rows[1].price_source
    assert rows[2].price_date == "2022-06" and rows[2].to_dict()["price_carried"] is True
    assert "carried" in rows[2].price_source
    assert rows[2].cost_usd < rows[1].cost_usd  # a year without a new quote keeps last year's chip and price


def test_carried_chip_beats_a_dearer_new_quote(tmp_path):
    """A year whose only new quote is dear keeps last year's cheaper chip at its carried price."""
    from flopcalc import trend
    from flopcalc.hardware import load_profiles

    old = _profile("trend-old", 100, "2021-01", [(1.00, "neocloud-on-demand", "2022-03-01")])
    new = _profile("trend-new", 100, "2023-01", [(5.00, "neocloud-on-demand", "2023-04-01")])
    files = []
    for doc in (old, new):
        p = tmp_path / f"{doc['id']}.yaml"
        p.write_text(yaml.safe_dump(doc), encoding="utf-8")
        files.append(str(p))
    rows = trend([1e24], start=2022, end=2024, gpus=["trend-old", "trend-new"], hardware=load_profiles(files))
    assert [(r.year, r.gpu, r.projected, r.price_usd_per_chip_hour) for r in rows] == [
        (2022, "trend-old", False, 1.00), (2023, "trend-old", False, 1.00), (2024, "trend-new", False, 5.00)]


def test_synthetic_explicit_tier_and_cli(synthetic):
    from flopcalc import trend

    files, db = synthetic
    rows = trend([1e24], start=2022, end=2025, gpus=["trend-a", "trend-b"], price_tier="contract-1yr", hardware=db)
    # a 0.2 tier name: the chip's neocloud tier of that name (its quote's provider P7 is no hyperscaler)
    assert [(r.year, r.gpu, r.price_tier, r.anchor_year, r.projected) for r in rows] == [
        (2022, "trend-a", "neocloud-contract-1yr", 2024, True), (2023, "trend-a", "neocloud-contract-1yr", 2024, True),
        (2024, "trend-a", "neocloud-contract-1yr", 2024, False),
        (2025, "trend-a", "neocloud-contract-1yr", 2025, False)]  # 2024-02 carried to 2025-12-31
    assert math.isclose(rows[0].price_usd_per_chip_hour, 1.50 * 10 ** (2 * RATE), rel_tol=1e-12)
    assert rows[3].price_usd_per_chip_hour == 1.50
    args = ["trend", "1e24", "--gpu", "trend-a", "--gpu", "trend-b", "--to", "2027"]
    for f in files:
        args += ["--hardware-file", f]
    data = json.loads(ok([*args, "--from", "2021", "--format", "json"]))
    assert [r["projected"] for r in data] == [True, False, False, False, False, False, True]
    r = run([*args, "--from", "2020"])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "2020" in r.stderr and "2021" in r.stderr


def test_api_rows(synthetic):
    import flopcalc
    from flopcalc.trends import TrendRow

    _, db = synthetic
    rows = flopcalc.trend(["1e24", "1e25"], start=2027, end=2028, gpus=["trend-a", "trend-b"], hardware=db)
    assert all(isinstance(r, TrendRow) for r in rows) and len(rows) == 4
    assert [(r.year, r.flop) for r in rows] == [(2027, 1e24), (2027, 1e25), (2028, 1e24), (2028, 1e25)]
    d = rows[0].to_dict()
    assert tuple(d)[:len(KEYS)] == KEYS
    assert d["projected"] is True and d["rate_oom_per_year"] == RATE and d["data_as_of"]["runs"]
    assert json.loads(json.dumps(d)) == d
    text = repr(rows[0])
    assert text.startswith("TrendRow(year=2027") and "trend-b" in text and "projected from 2026" in text
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


def test_each_row_has_the_interval_of_its_own_scale() -> None:
    """The evidence interval narrows with the run's FLOP (docs/evidence-method.md): a 1e22 FLOP row is wider than a
    1e26 FLOP row of the same year, on the same chip, with the same centre; each is the evidence model's for its FLOP."""
    from flopcalc import trend
    from flopcalc.evidence import default_model
    from flopcalc.hardware import resolve

    small, large = trend([1e22, 1e26], start=2024, end=2024, gpus=["a100"])
    assert small.gpu == large.gpu == "a100" and small.evidence_efficiency == large.evidence_efficiency
    assert small.chip_hours_high / small.chip_hours_low > large.chip_hours_high / large.chip_hours_low
    for r in (small, large):
        iv = default_model().interval(resolve("a100"), r.precision, flop=r.flop)
        assert math.isclose(r.evidence_efficiency_low, iv.low) and math.isclose(r.evidence_efficiency_high, iv.high)
        assert math.isclose(r.chip_hours_high / r.chip_hours_low, math.exp(2 * iv.log_spread))
