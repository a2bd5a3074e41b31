"""flopcalc plan: the chain from money, FLOP or a cluster, checked with arithmetic written here.

The chip's figures are read from hardware/h100.yaml by this test itself (not through flopcalc),
and every expected number is recomputed from them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import flopcalc
from flopcalc.cli import cli

ROOT = Path(__file__).resolve().parent.parent
H100 = yaml.safe_load((ROOT / "hardware" / "h100.yaml").read_text(encoding="utf-8"))
PREC = H100["default_precision"]
PEAK = float(H100["peak"][PREC].split()[0]) * 1e12  # "1979 TFLOP/s"
assert H100["peak"][PREC].split()[1] == "TFLOP/s"
EFF = float(H100["efficiency"][PREC])
PRICE = float(H100["price"].split()[0])  # "2.00 USD/hour"
OVERHEAD = float(H100["overhead"])
TDP = float(H100["tdp"].split()[0])  # "700 W"
MEMORY = float(H100["memory"].split()[0]) * 1e9  # "80 GB"
PER_CHIP_HOUR = PEAK * EFF * 3600  # useful FLOP per chip-hour
from conftest import energy_by_hand  # noqa: E402

SERVER, LOAD, PUE = energy_by_hand("h100")  # energy.yaml (Epoch AI's model): server/chip power, load, PUE

KEYS = ("budget_usd", "flop", "flop_low", "flop_high", "params", "tokens", "gpu", "chips", "days", "chip_hours",
        "power_mw", "energy_mwh", "memory_bytes", "min_chips_for_memory", "rules", "data_as_of")


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel)


def run(args: list[str]):
    return CliRunner().invoke(cli, args, prog_name="flopcalc")


def plan_json(args: list[str]) -> dict:
    res = run(["plan", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert isinstance(data, dict)
    return data


def rule(data: dict, rid: str) -> dict:
    [r] = [r for r in data["rules"] if r["id"] == rid]
    return r


def test_done_when_budget_chain_is_consistent() -> None:
    d = plan_json(["$50M", "--gpu", "h100", "--days", "90"])
    assert all(k in d for k in KEYS)
    bought_hours = 50e6 / PRICE
    run_hours = bought_hours / OVERHEAD  # the budget buys budget / overhead of final run
    flop = run_hours * PER_CHIP_HOUR
    assert d["budget_usd"] == 50e6
    assert close(d["flop"], flop)
    assert close(d["params"] * d["tokens"] * 6, d["flop"])
    assert close(d["tokens"] / d["params"], 20)
    assert close(d["chip_hours_needed"], bought_hours)
    assert close(d["run_chip_hours"], run_hours)
    assert close(d["cost_usd"], 50e6 / OVERHEAD)  # the final run's compute cost: what dollar limits test
    assert d["chips"] == math.ceil(run_hours / (90 * 24))  # the fewest that finish the final run in time
    assert d["days"] == 90
    assert close(d["chip_hours"], bought_hours)
    assert close(d["power_mw"], d["chips"] * TDP * SERVER * PUE / 1e6)
    assert close(d["energy_mwh"], d["chip_hours"] * TDP * SERVER * LOAD * PUE / 1e6)
    # energy is paid on the chip-hours bought: the cluster's draw over the days, times the overhead
    assert close(d["energy_mwh"], d["power_mw"] * LOAD * d["days"] * 24 * OVERHEAD, rel=1e-3)
    assert close(d["memory_bytes"], d["params"] * 16)
    assert d["min_chips_for_memory"] == math.ceil(d["params"] * 16 / MEMORY)
    assert d["flop_low"] < d["flop_high"]
    eu = rule(d, "eu-ai-act-systemic-risk")
    assert eu["limit"] == "> 1e25 FLOP" and eu["binding"] is True and eu["status_on_date"] == "in-force"
    assert eu["verdict"] == "crossed"  # 4.75e25, and the whole interval lies above 1e25
    assert d["flop_low"] > 1e25
    assert rule(d, "us-ca-sb53")["verdict"] == "not crossed"  # 1e26, far above the whole interval


def test_flop_start() -> None:
    d = plan_json(["--flop", "1e26", "--days", "90"])
    hours = 1e26 * OVERHEAD / PER_CHIP_HOUR
    assert d["flop"] == 1e26 and d["flop_low"] == d["flop_high"] == 1e26
    assert close(d["chip_hours_needed"], hours)
    assert close(d["budget_usd"], hours * PRICE)
    assert d["chips"] == math.ceil(hours / OVERHEAD / (90 * 24))  # the final run's chip-hours in 90 days
    assert close(d["params"], math.sqrt(1e26 / 120))
    assert d["budget_usd_low"] < d["budget_usd_high"]
    assert rule(d, "kr-ai-basic-act")["verdict"] == "crossed"  # >= 1e26, exactly on the line
    assert rule(d, "us-ca-sb53")["verdict"] == "not crossed"  # > 1e26, exactly on the line


def test_cluster_start() -> None:
    d = plan_json(["--chips", "16k", "--days", "90"])
    hours = 16_000 * 90 * 24
    # chips and days are the final run: its compute is never shrunk by overhead, which is paid on top
    assert d["chips"] == 16_000 and d["run_chip_hours"] == hours
    assert close(d["chip_hours"], hours * OVERHEAD) and d["chip_hours"] == d["chip_hours_needed"]
    assert close(d["budget_usd"], hours * OVERHEAD * PRICE)
    assert close(d["cost_usd"], hours * PRICE)
    assert close(d["flop"], hours * PER_CHIP_HOUR)
    assert d["flop_low"] < d["flop_centre"] < d["flop_high"]
    assert close(d["power_mw"], 16_000 * TDP * SERVER * PUE / 1e6)
    # the cluster rule tests chips x the chip's highest dense peak
    top = max(float(v.split()[0]) for v in H100["peak"].values()) * 1e12
    assert close(rule(d, "us-eo-14110-cluster")["cluster_ratio"], 16_000 * top / 1e20)
    assert rule(d, "us-eo-14110-cluster")["ratio"] is None  # `ratio` compares FLOP with a FLOP line only


def test_the_three_starts_are_inverses() -> None:
    c = flopcalc.plan(chips=16384, days=90)
    usd = c.budget.to("USD").magnitude
    b = flopcalc.plan(usd, days=90)
    f = flopcalc.plan(flop=c.flop, days=90)
    assert b.chips == f.chips == 16384
    assert close(b.flop.to("FLOP").magnitude, c.flop.to("FLOP").magnitude)
    assert close(f.budget.to("USD").magnitude, usd)
    back = flopcalc.plan(flop=flopcalc.plan("$50M").flop)
    assert close(back.budget.to("USD").magnitude, 50e6)


def test_overhead_divides_what_a_budget_trains() -> None:
    one = flopcalc.plan("$50M", overhead=1)
    two = flopcalc.plan("$50M", overhead=2)
    assert close(one.budget.to("USD").magnitude, two.budget.to("USD").magnitude)
    assert close(one.flop.to("FLOP").magnitude, 2 * two.flop.to("FLOP").magnitude)


def test_overhead_never_shrinks_a_given_cluster() -> None:
    one = flopcalc.plan(chips="16k", days=90, overhead=1)
    two = flopcalc.plan(chips="16k", days=90, overhead=2)
    assert one.flop.to("FLOP").magnitude == two.flop.to("FLOP").magnitude
    assert close(two.budget.to("USD").magnitude, 2 * one.budget.to("USD").magnitude)


def test_overhead_multiplies_the_budget_of_a_flop_target() -> None:
    one = flopcalc.plan(flop=1e25, overhead=1)
    two = flopcalc.plan(flop=1e25, overhead=2)
    assert close(two.budget.to("USD").magnitude, 2 * one.budget.to("USD").magnitude)
    assert close(one.budget.to("USD").magnitude, 1e25 / PER_CHIP_HOUR * PRICE)


def test_uncertain_when_the_interval_straddles_the_line() -> None:
    p = flopcalc.plan("$20M")
    point, lo, hi = (x.to("FLOP").magnitude for x in (p.flop, p.flop_low, p.flop_high))
    assert close(point, 20e6 / OVERHEAD / PRICE * PER_CHIP_HOUR)
    assert min(point, lo, hi) < 1e25 < max(point, lo, hi)  # the precondition of this test
    [eu] = [r for r in p.rules if r.threshold.id == "eu-ai-act-systemic-risk"]
    assert eu.verdict == "uncertain"
    low = flopcalc.plan("$5M")
    assert max(x.to("FLOP").magnitude for x in (low.flop, low.flop_low, low.flop_high)) < 1e25
    assert [r.verdict for r in low.rules if r.threshold.id == "eu-ai-act-systemic-risk"] == ["not crossed"]


def test_flop_verdicts_agree_with_check() -> None:
    p = flopcalc.plan(flop=3e25, as_of="2026-06-01")
    c = flopcalc.check(flop=3e25, as_of="2026-06-01", include_all=True)
    theirs = {t.threshold.id: t.verdict for t in c.checks}
    compared = 0
    for r in p.rules:
        if {lim.kind for lim in r.threshold.limits} == {"flop"}:
            assert r.verdict == theirs[r.threshold.id], r.threshold.id
            compared += 1
    assert compared >= 5


def test_as_of_dates_the_rules_and_the_price_as_cost_does() -> None:
    p = flopcalc.plan("$50M", as_of="2026-06-01")
    c = flopcalc.cost(1e26, "h100", as_of="2026-06-01")
    assert p.price.to("USD/hour").magnitude == c.price.to("USD/hour").magnitude
    assert p.to_dict()["as_of"] == "2026-06-01"
    assert flopcalc.plan("$50M").price.to("USD/hour").magnitude == PRICE  # no date: the profile's default


def test_tokens_per_param_and_no_deadline() -> None:
    p = flopcalc.plan(flop="1e26", tokens_per_param=100)
    assert close(p.tokens / p.params, 100) and close(6 * p.params * p.tokens, 1e26)
    d = p.to_dict()
    assert d["chips"] is None and d["days"] is None and d["power_mw"] is None
    assert close(d["chip_hours"], 1e26 * OVERHEAD / PER_CHIP_HOUR)
    json.dumps(d, allow_nan=False)


def test_small_cluster_is_told_it_cannot_hold_the_state() -> None:
    p = flopcalc.plan(chips=1, days=3650)  # ten years on one chip: a model too big for its memory
    assert p.min_chips_for_memory > 1
    assert any("cannot hold the training state" in n for n in p.notes)


def test_repr_is_short_and_html_shows_the_chain() -> None:
    p = flopcalc.plan("$50M", days=90)
    text = repr(p)
    assert text.startswith("Plan(start='budget'") and len(text) < 160 and f"chips={math.ceil(50e6 / OVERHEAD / PRICE / (90 * 24))}" in text
    html = p._repr_html_()
    assert f"<td>{math.ceil(50e6 / OVERHEAD / PRICE / (90 * 24)):,}</td>" in html and "<th style='text-align:left'>rule eu-ai-act-systemic-risk</th>" in html


@pytest.mark.parametrize("kwargs, text", [
    ({}, "nothing to plan from"),
    (dict(budget="$50M", flop=1e26), "one starting point"),
    (dict(flop=1e26, chips=16), "one starting point"),
    (dict(chips=16), "needs --days"),
    (dict(budget="-5e7"), "negative"),
    (dict(budget="$50M", days=0), "zero"),
    (dict(budget="$50M", tokens_per_param=-1), "tokens per parameter"),
])
def test_library_rejects_bad_input(kwargs: dict, text: str) -> None:
    with pytest.raises(flopcalc.InputError, match=text):
        flopcalc.plan(**kwargs)


@pytest.mark.parametrize("args, text", [
    (["plan"], "nothing to plan from"),
    (["plan", "$50M", "--flop", "1e26"], "one starting point"),
    (["plan", "--flop", "1e26", "--chips", "16k", "--days", "9"], "one starting point"),
    (["plan", "--chips", "16k"], "needs --days"),
    (["plan", "--", "-5e7"], "negative"),
    (["plan", "$50M", "--days=-3"], "negative"),
    (["plan", "--flop", "-1e26"], "-1e26"),
    (["plan", "$50M", "--tokens-per-param", "0"], "tokens per parameter"),
    (["plan", "$50M", "--gpu", "xyz"], "'xyz'"),
])
def test_cli_bad_input_is_one_line_exit_2(args: list[str], text: str) -> None:
    res = run(args)
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1, res.stderr
    assert text in res.stderr and "Traceback" not in res.stderr


def test_table_names_every_step() -> None:
    res = run(["plan", "$50M", "--days", "90", "--as-of", "2026-06-01"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    for step in ("budget", "chip-hours bought", "final-run compute cost", "final-run chip-hours", "final-run FLOP",
                 "90% interval", "model", "chips for the deadline", "cluster power", "energy", "training memory",
                 "fewest chips for memory", "rule eu-ai-act-systemic-risk"):
        assert f"\n{step} " in out, step
    price = flopcalc.cost(1e26, "h100", as_of="2026-06-01").price.to("USD/hour").magnitude  # the price on the date
    assert f"{math.ceil(50e6 / OVERHEAD / price / (90 * 24)):,} for 90 days" in out and "(assumed efficiency)" in out and "Chinchilla" in out
    assert "on 2026-06-01" in out.splitlines()[0]


def test_markdown_and_csv() -> None:
    md = run(["plan", "--flop", "1e26", "--format", "markdown"])
    assert md.exit_code == 0 and "| final-run FLOP" in md.stdout
    res = run(["plan", "--chips", "16k", "--days", "90", "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 1
    assert close(float(rows[0]["flop"]), 16_000 * 90 * 24 * PER_CHIP_HOUR)  # the final run: no overhead
    assert "eu-ai-act-systemic-risk" in json.loads(rows[0]["rules"])[0]["id"]


def test_docstring_example() -> None:
    import doctest

    import flopcalc.planning

    result = doctest.testmod(flopcalc.planning)
    assert result.attempted >= 2 and result.failed == 0


# docs/plan-and-finetune.md: its command output is real, and its Python examples run.
DOC = ROOT / "docs" / "plan-and-finetune.md"
BLOCK = re.compile(r"<!-- output: (?P<cmd>flopcalc [^>]*?) -->\n```text\n(?P<out>.*?)```", re.S)


def _doc_run(cmd: str) -> str:
    import shlex

    res = CliRunner().invoke(cli, shlex.split(cmd)[1:], prog_name="flopcalc", catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_doc_outputs_are_current() -> None:
    blocks = list(BLOCK.finditer(DOC.read_text(encoding="utf-8")))
    assert len(blocks) >= 6
    for m in blocks:
        assert _doc_run(m["cmd"]) == m["out"], f"{m['cmd']!r} is stale: run python tests/test_plan.py --update"


def test_doc_python_examples_run() -> None:
    import doctest

    text = DOC.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, DOC.name, str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert test.examples and runner.failures == 0


if __name__ == "__main__":
    import os
    import sys

    if "--update" in sys.argv:
        os.environ["FLOPCALC_HARDWARE_PATH"] = ""
        DOC.write_text(BLOCK.sub(lambda m: f"<!-- output: {m['cmd']} -->\n```text\n{_doc_run(m['cmd'])}```",
                                 DOC.read_text(encoding="utf-8")), encoding="utf-8")


def test_plan_compares_chips_on_one_basis() -> None:
    res = run(["plan", "$50M", "--gpu", "h100", "--gpu", "b200", "--gpu", "h100-sxm", "--format", "json"])
    assert res.exit_code == 0, res.output
    plans = json.loads(res.stdout)
    assert [p["gpu"] for p in plans] == ["h100", "b200"]  # one plan per chip, a chip named twice counted once
    assert {p["price_tier"] for p in plans} == {"neocloud-on-demand"}  # one basis: each chip's on-demand price
    for p in plans:  # each plan is the single-chip plan at that tier
        alone = plan_json(["$50M", "--gpu", p["gpu"], "--price-tier", "neocloud-on-demand"])
        assert alone["flop"] == p["flop"] and alone["price_usd_per_chip_hour"] == p["price_usd_per_chip_hour"]
        assert close(p["flop"], 50e6 / OVERHEAD / p["price_usd_per_chip_hour"] * p["flop_per_chip_hour"])
    text = run(["plan", "$50M", "--gpu", "h100", "--gpu", "tpu-v4", "--precision", "fp8"])
    assert text.exit_code == 0, text.output
    assert "tpu-v4 (bf16*)" in text.stdout and "tpu-v4 has no fp8 peak" in text.stdout and "Basis:" in text.stdout
