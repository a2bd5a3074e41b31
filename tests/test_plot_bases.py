"""flopcalc plot --basis rental|amortized|all and --dollars YYYY-MM: what the charts draw is what bases_of and
trends.trend give, recomputed here by hand from the shipped data where feasible (test_cost_bases.expected, which
never calls flopcalc.cost_bases); the dollars are named on every chart; bad combinations exit 2 in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import invoke
from test_cost_bases import expected

pytest.importorskip("matplotlib")

START = "2026-01-01"



def _usd(q) -> float:
    return float(q.to("USD").magnitude)


def _texts(svg: str) -> list[str]:
    import html

    return [html.unescape(t.strip()) for t in re.findall(r"<!-- (.*?) -->", svg, re.DOTALL)]


def _rental(chip: str, flop: float = 1e26):
    import flopcalc

    return flopcalc.cost(flop, chip, precision="bf16", price_tier="neocloud-on-demand")


# ------------------------------------------------------------------ bars

@pytest.mark.parametrize("chip", ["h100", "a100", "b200"])
@pytest.mark.parametrize("dollars", [None, "2023-12"])
def test_bars_amortized_is_bases_of_and_epochs_arithmetic(raw, ppi_table, chip: str, dollars: str | None) -> None:
    from flopcalc.bases import bases_of
    from flopcalc.plot import bars_data

    data = bars_data(1e26, [chip], basis="all", start=START, dollars=dollars)
    (bar,) = data.bars
    r = _rental(chip)
    b = bases_of(r, basis="amortized", start=START, dollars=dollars)
    a, e, lo, hi = bar.amortized
    # the diamond and the whiskers are bases_of's figures
    assert a == pytest.approx(_usd(b.amortized), rel=1e-12)
    assert (lo, hi) == pytest.approx((_usd(b.costs.amortized_low), _usd(b.costs.amortized_high)), rel=1e-12)
    # by hand: Epoch AI's formulas from the data files, at the assumption's and at the evidence's chip-hours
    tdp = float(r.scenario.profile.tdp.to("W").magnitude)
    hours = float(r.chip_hours.to("hour").magnitude)
    ev_hours = float(r.evidence.chip_hours.to("hour").magnitude)
    assert a == pytest.approx(expected(raw, ppi_table, chip, tdp, hours, START, dollars=dollars)["amortized"],
                              rel=1e-9)
    assert e == pytest.approx(expected(raw, ppi_table, chip, tdp, ev_hours, START, dollars=dollars)["amortized"],
                              rel=1e-9)
    # rental beside it: the final run (no overhead) in the same dollars as bases_of states it
    ra, re_, rlo, rhi = bar.rental
    assert ra == pytest.approx(_usd(b.rental.cost), rel=1e-12)
    assert (re_, rlo, rhi) == pytest.approx(
        (_usd(b.rental.evidence.cost), _usd(b.rental.evidence.cost_low), _usd(b.rental.evidence.cost_high)), rel=1e-12)
    if dollars is None:
        assert re_ == pytest.approx(_usd(r.evidence.cost), rel=1e-12)
        assert data.dollars.startswith("nominal USD (rental at ") and f"amortized at {START[:7]} prices" in data.dollars
    else:
        assert data.dollars == "2023-12 USD (PPI PCU518210518210)"
    assert not data.with_overhead


def test_rental_bars_in_constant_dollars_are_the_ppi_ratio(ppi_table) -> None:
    from flopcalc.plot import bars_data

    (bar,) = bars_data(1e26, ["h100"], dollars="2023-12", with_overhead=False).bars
    r = _rental("h100")
    month = r.price_date[:7]
    if month not in ppi_table:  # a price dated after the last published index: its last value
        month = max(ppi_table)
    f = ppi_table["2023-12"] / ppi_table[month]
    assert bar.rental[0] == pytest.approx(_usd(r.cost) * f, rel=1e-9)
    assert bar.rental[1] == pytest.approx(_usd(r.evidence.cost) * f, rel=1e-9)
    assert bar.amortized is None


def test_rental_bars_are_unchanged_by_default() -> None:
    from flopcalc.plot import bars_data

    data = bars_data(1e26, ["h100", "a100"])
    assert data.with_overhead and data.basis == "rental"
    for bar in data.bars:
        r = _rental(bar.gpu)
        ev = r.evidence
        assert bar.rental == (_usd(r.cost_with_overhead), _usd(ev.cost_with_overhead), _usd(ev.cost_with_overhead_low),
                              _usd(ev.cost_with_overhead_high))


def test_amortized_bars_are_sorted_by_amortized_evidence() -> None:
    from flopcalc.plot import bars_data

    data = bars_data(1e26, ["h100", "a100", "b200", "mi300x"], basis="amortized", start=START)
    keys = [bar.amortized[1] for bar in data.bars]
    assert keys == sorted(keys)


def test_bars_chart_draws_those_figures_and_names_its_dollars(tmp_path: Path) -> None:
    from flopcalc.fmt import money_sig
    from flopcalc.plot import bars_data

    out = tmp_path / "bars.svg"
    args = ["--kind", "bars", "1e26", "--gpu", "h100", "--gpu", "tpu-v6e", "--basis", "all", "--dollars", "2023-12",
            "--start", START]
    invoke(["plot", "--out", str(out), *args])
    text = _texts(out.read_text(encoding="utf-8"))
    joined = " ".join(text)
    data = bars_data(1e26, ["h100", "tpu-v6e"], basis="all", dollars="2023-12", start=START)
    for bar in data.bars:  # every bar's figure is written above it
        assert money_sig(bar.rental[1]) in text
        assert money_sig(bar.amortized[1]) in text
    assert "Dollars: 2023-12 USD (PPI PCU518210518210)." in joined
    assert "rental and amortized, 2023-12 USD" in re.sub(r"\s+", " ", joined)  # the stamp (it may wrap)
    assert "rental: chip-hours at a market price, evidence" in text
    assert "amortized: owning the chips (Epoch AI's method), evidence" in text
    assert "cost of 1e26 FLOP (2023-12 USD), final run only" in text
    # evidence basis and estimated prices are named, as on the rental chart
    assert "class" in text and "tpu-v6e: class evidence" in joined
    assert "estimated server price" in joined


def test_bars_with_basis_all_are_deterministic(tmp_path: Path) -> None:
    args = ["--kind", "bars", "1e26", "--gpu", "h100", "--gpu", "a100", "--basis", "all", "--start", START]
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    invoke(["plot", "--out", str(a), *args])
    invoke(["plot", "--out", str(b), *args])
    assert a.read_bytes() == b.read_bytes()


# ------------------------------------------------------------------ cost against FLOP

def test_cost_lines_amortized_are_bases_of_at_every_point(raw, ppi_table) -> None:
    from flopcalc.bases import bases_of
    from flopcalc.plot import cost_lines

    data = cost_lines(["h100"], flop_min=1e24, flop_max=1e26, points=3, basis="amortized", start=START,
                      dollars="2026-01")
    (line,) = data.lines
    assert line.flops == pytest.approx((1e24, 1e25, 1e26))
    for f, (a, e, lo, hi) in zip(line.flops, line.figures, strict=True):
        r = _rental("h100", f)
        b = bases_of(r, basis="amortized", start=START, dollars="2026-01")
        assert (a, lo, hi) == pytest.approx((_usd(b.amortized), _usd(b.costs.amortized_low),
                                             _usd(b.costs.amortized_high)), rel=1e-12)
        tdp = float(r.scenario.profile.tdp.to("W").magnitude)
        ev_hours = float(r.evidence.chip_hours.to("hour").magnitude)
        assert e == pytest.approx(expected(raw, ppi_table, "h100", tdp, ev_hours, START, dollars="2026-01")
                                  ["amortized"], rel=1e-9)
    # amortized is proportional to chip-hours, so to FLOP: 100x the FLOP, 100x the cost
    assert line.figures[2][0] / line.figures[0][0] == pytest.approx(100, rel=1e-9)
    assert data.dollars == "2026-01 USD (PPI PCU518210518210)" and not data.with_overhead


def test_cost_chart_amortized_says_so_and_leaves_out_dollar_tests(tmp_path: Path) -> None:
    from flopcalc.plot import plot_costs
    from flopcalc.rules import load_thresholds

    rules_yaml = Path(__file__).parent / "test_plot.py"
    src = rules_yaml.read_text(encoding="utf-8")
    body = src.split('RULES_YAML = """\\\n', 1)[1].split('"""', 1)[0]
    p = tmp_path / "rules.yaml"
    p.write_text(body, encoding="utf-8")
    out = plot_costs(tmp_path / "c.svg", ["h100"], rules=load_thresholds([p], bundled=False), as_of="2026-01-01",
                     points=2, basis="amortized", start=START)
    text = " ".join(_texts(out.read_text(encoding="utf-8")))
    assert "costs the chips' owner" in text
    assert f"Dollars: nominal USD (amortized at {START[:7]} prices, the training start)." in text
    assert "amortized training cost (USD), final run only" in text
    # a statute's dollar test is of market-price (rental) cost: not drawn across an amortized axis, and said so
    assert "> $100M training cost" not in text
    assert "cost-bill" in text and "not the amortized cost" in text


# ------------------------------------------------------------------ trend

def test_trend_series_are_the_trend_rows_and_epochs_arithmetic(raw, ppi_table) -> None:
    from flopcalc.plot import trend_rows, trend_series

    rows = trend_rows([1e26], start=2023, end=2025, gpus=["h100"], basis="all", dollars="2026-01")
    rental = trend_series(rows, "rental")
    amortized = trend_series(rows, "amortized")
    assert [p.year for p in rental] == [p.year for p in amortized] == [2023, 2024, 2025]
    from flopcalc.hardware import HardwareDB

    tdp = float(HardwareDB().get("h100").tdp.to("W").magnitude)
    for r, pr, pa in zip(rows, rental, amortized, strict=True):
        assert (pr.usd, pr.low, pr.high) == (r.cost_usd, r.cost_usd_low, r.cost_usd_high)
        assert (pa.usd, pa.low, pa.high) == (r.amortized_cost_usd, r.amortized_cost_usd_low, r.amortized_cost_usd_high)
        # constant dollars: nominal x PPI(2026-01) / PPI(the row's month)
        assert pr.usd == pytest.approx(r.cost_usd_nominal * ppi_table["2026-01"] / ppi_table[r.nominal_month],
                                       rel=1e-9)
        # amortized by hand: that year's chip owned, its run started on the year's last day
        want = expected(raw, ppi_table, "h100", tdp, r.chip_hours, f"{r.year}-12-31", dollars="2026-01")
        assert pa.usd == pytest.approx(want["amortized"], rel=1e-9)


def test_trend_chart_draws_both_and_names_its_dollars(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    invoke(["plot", "--out", str(out), "--kind", "trend", "1e26", "--from", "2023", "--to", "2027", "--gpu", "h100",
            "--basis", "all", "--dollars", "2026-01"])
    text = _texts(out.read_text(encoding="utf-8"))
    joined = " ".join(text)
    assert "1e26 FLOP, amortized" in text
    assert "amortized: the chip owned (Epoch AI's method; band: 90% interval)" in text
    assert "Dollars: 2026-01 USD (PPI PCU518210518210)." in joined
    assert "training cost (2026-01 USD), final run only" in text
    out2 = tmp_path / "n.svg"
    invoke(["plot", "--out", str(out2), "--kind", "trend", "1e26", "--from", "2023", "--to", "2025", "--gpu", "h100"])
    assert "Dollars: nominal USD of each year (rental at each year's price)" in " ".join(
        _texts(out2.read_text(encoding="utf-8")))


def test_default_chart_names_its_dollars(tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    invoke(["plot", "--out", str(out), "--gpu", "h100", "--min-flop", "1e24", "--max-flop", "1e26"])
    text = " ".join(_texts(out.read_text(encoding="utf-8")))
    assert "Dollars: nominal USD (rental at " in text and "nominal USD" in text.rsplit("·", 1)[-1]


# ------------------------------------------------------------------ refused, in one line

@pytest.mark.parametrize("args, words", [
    (["--kind", "bars", "1e26", "--basis", "acquisition"], "has no cluster to buy"),
    (["--kind", "trend", "--basis", "acquisition"], "has no cluster to buy"),
    (["--basis", "acquisition"], "has no cluster to buy"),
    (["--basis", "all"], "--kind cost draws one basis"),
    (["--basis", "owned"], "not a chart basis"),
    (["--kind", "bars", "1e26", "--basis", "amortized", "--overhead", "1.5"], "overhead applies to rental charts"),
    (["--kind", "trend", "--start", "2025-01-01"], "a trend starts each year's run"),
    (["--kind", "bars", "1e26", "--dollars", "2026-13"], "is not a month"),
    (["--kind", "bars", "1e26", "--dollars", "1990-01"], "before the PCU518210518210 price index starts"),
    (["--kind", "trend", "1e26", "--dollars", "1990-01"], "before the PCU518210518210 price index starts"),
    (["--kind", "bars", "1e26", "--basis", "amortized", "--start", "soon"], "is not a date"),
    (["--kind", "bars", "1e26", "--basis", "amortized", "--gpu", "h200", "--start", "2020-01-01"],
     "before h200 was released"),
])
def test_bad_combinations_exit_2_in_one_line(tmp_path: Path, args: list[str], words: str) -> None:
    res = invoke(["plot", "--out", str(tmp_path / "c.png"), *args], ok=False)
    assert res.exit_code == 2, res.output
    assert len(res.stderr.strip().splitlines()) == 1 and words in res.stderr, res.stderr
    assert not (tmp_path / "c.png").exists()


def test_library_refuses_acquisition_and_overhead_with_amortized(tmp_path: Path) -> None:
    from flopcalc.errors import InputError
    from flopcalc.plot import bars_data, cost_lines, plot_trend

    with pytest.raises(InputError, match="no cluster to buy"):
        bars_data(1e26, ["h100"], basis="acquisition")
    with pytest.raises(InputError, match="final run only"):
        bars_data(1e26, ["h100"], basis="amortized", with_overhead=True)
    with pytest.raises(InputError, match="one basis"):
        cost_lines(["h100"], basis="all")
    with pytest.raises(InputError, match="no cluster to buy"):
        plot_trend(tmp_path / "t.png", [1e26], basis="acquisition")
    assert not (tmp_path / "t.png").exists()
