"""One question, one answer: cost, budget, check, plan and report agree, and each rule's status and
verdict follow from the data by arithmetic written here (issue: "One run, one date, one answer").
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import flopcalc
from flopcalc.cli import cli
from flopcalc.judgement import Measure, RunFigures, judge
from flopcalc.memo import build_memo
from flopcalc.rules import load_thresholds

ROOT = Path(__file__).resolve().parent.parent
RULES = load_thresholds()
RAW = {r["id"]: r for r in yaml.safe_load((ROOT / "src" / "flopcalc" / "data" / "thresholds.yaml").read_text())[
    "thresholds"]}
CHIPS = ["h100", "a100", "b200", "mi300x", "tpu-v5p"]
RELEASED = {g: yaml.safe_load((ROOT / "hardware" / f"{g}.yaml").read_text()).get("released") for g in CHIPS}


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel)


def first_day(text: object) -> dt.date:
    parts = [int(p) for p in str(text).split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _date_or_none(x: object) -> dt.date | None:
    return None if x in (None, "") else first_day(x)


def status_on(rule_id: str, day: dt.date) -> str:
    """The status on `day`, derived here from the YAML: the last dated change on or before it; enacted turns
    in force on effective_from; in force ends on effective_until."""
    r = RAW[rule_id]
    status = "absent"
    for ch in sorted(r.get("history") or [], key=lambda c: first_day(c["date"])):
        if first_day(ch["date"]) <= day:
            status = ch["status"]
    start, end = _date_or_none(r.get("effective_from")), _date_or_none(r.get("effective_until"))
    if status == "enacted" and start is not None and day >= start:
        status = "in-force"
    if status == "in-force" and end is not None and day >= end:
        last = sorted(r["history"], key=lambda c: first_day(c["date"]))[-1]["status"]
        status = last if last in ("rescinded", "superseded", "not-enforced") else "rescinded"
    return status


@settings(max_examples=300, deadline=None, derandomize=True)
@given(day=st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2031, 12, 31)))
def test_every_rules_status_on_a_date_follows_from_its_history(day: dt.date) -> None:
    with_history = [t for t in RULES if RAW[t.id].get("history")]
    assert len(with_history) >= 25
    for t in with_history:
        assert t.status_on(day) == status_on(t.id, day), (t.id, day)
        assert (t.status_on(day) == "in-force") == t.in_force_on(day)


def test_raise_and_sb315_come_into_force_and_bind_only_then() -> None:
    later = {t.id: t.status for t in flopcalc.thresholds(as_of="2027-06-01")}
    assert later["us-ny-raise"] == later["us-il-sb315"] == "in-force"
    res = flopcalc.check(flop=2e26, as_of="2026-12-01")
    raise_ = next(c for c in res.checks if c.threshold.id == "us-ny-raise")
    assert raise_.binding is False and raise_.upcoming is True and raise_.status_on_date == "enacted"
    assert raise_.to_dict()["effective_from"] == "2027-01-01"
    assert all(c.status_on_date == "in-force" for c in res.binding)
    r = CliRunner().invoke(cli, ["thresholds", "--as-of", "2027-06-01", "--status", "in-force", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert {"us-ny-raise", "us-il-sb315"} <= {row["id"] for row in json.loads(r.stdout)}


def _json(args: list[str]) -> object:
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_done_when_cluster_flop_and_chips_agree() -> None:
    c = _json(["check", "--gpu", "h100", "--chips", "16k", "--days", "90"])
    p = _json(["plan", "--gpu", "h100", "--chips", "16k", "--days", "90"])
    assert c["flop"] == p["flop"] == 16_000 * 90 * 86400 * 1979e12 * 0.40
    [cost] = _json(["cost", "1e26", "--gpu", "h100", "--days", "90"])
    p2 = _json(["plan", "--flop", "1e26", "--gpu", "h100", "--days", "90"])
    assert abs(cost["chips_needed"] - p2["chips"]) <= 1
    assert cost["chips_needed"] == math.ceil(1e26 / (1979e12 * 0.40 * 3600) / (90 * 24))


def test_done_when_price_on_today_is_a_median_not_one_quote() -> None:
    today = dt.date.today().isoformat()
    [a] = _json(["cost", "1e26", "--gpu", "h100"])
    [b] = _json(["cost", "1e26", "--gpu", "h100", "--as-of", today])
    assert a["price_usd_per_chip_hour"] == 2.00
    assert 1 / 1.5 <= b["price_usd_per_chip_hour"] / 2.00 <= 1.5
    assert b["price_quote_low"] <= b["price_usd_per_chip_hour"] <= b["price_quote_high"]
    assert "median of" in b["price_basis"]
    # check prices as cost does, on the same date
    c = _json(["check", "--flop", "1.5e26", "--gpu", "h100", "--as-of", "2025-12-20"])
    [d] = _json(["cost", "1.5e26", "--gpu", "h100", "--as-of", "2025-12-20"])
    assert c["price_usd_per_chip_hour"] == d["price_usd_per_chip_hour"] and close(c["cost_usd"], d["cost_usd"])


@pytest.mark.parametrize("cmd", [["check", "--chips", "1000", "--days", "30"], ["plan", "--chips", "1000", "--days", "30"],
                                 ["cost", "1e25"], ["budget", "$1M"]])
def test_done_when_an_unreleased_chip_is_refused_with_its_release_date(cmd: list[str]) -> None:
    r = CliRunner().invoke(cli, [*cmd, "--gpu", "b200", "--as-of", "2020-01-01"])
    assert r.exit_code == 2 and "released" in r.output and str(RELEASED["b200"]) in r.output, r.output


def test_done_when_budget_and_plan_agree_on_the_100m_rules() -> None:
    [b] = _json(["budget", "$120M", "--all"])
    p = _json(["plan", "$120M"])
    usd_rules = {r["id"] for r in p["rules"] if "usd" in r["kind"].split("+")}
    assert {"us-hr-9917", "us-ca-sb1047"} <= usd_rules
    bv = {r["id"]: (r["verdict"], r["usd_ratio"]) for r in b["rules"]}
    for r in p["rules"]:
        if r["id"] in usd_rules:
            assert bv[r["id"]] == (r["verdict"], r["usd_ratio"]), r["id"]
    for rid in ("us-hr-9917", "us-ca-sb1047"):  # both test the final run's compute cost: $120M / 1.5 = $80M
        assert close(bv[rid][1], 120e6 / 1.5 / 100e6) and bv[rid][0] == "not crossed"


PROP = settings(max_examples=40, deadline=None, derandomize=True)


@PROP
@given(gpu=st.sampled_from(CHIPS), chips=st.integers(min_value=256, max_value=100_000),
       days=st.integers(min_value=5, max_value=200),
       day=st.one_of(st.none(), st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 11, 30))))
def test_commands_agree_on_one_cluster(gpu: str, chips: int, days: int, day: dt.date | None) -> None:
    if day is not None and first_day(RELEASED[gpu]) > day:
        day = None
    c = flopcalc.check(gpu=gpu, chips=chips, days=days, as_of=day)
    p = flopcalc.plan(chips=chips, days=days, gpu=gpu, as_of=day)
    flop = c.flop.to("FLOP").magnitude
    assert flop == p.flop.to("FLOP").magnitude
    price = c.price.to("USD/hour").magnitude
    assert price == p.price.to("USD/hour").magnitude
    run_hours = chips * days * 24
    assert close(p.run_chip_hours.to("hour").magnitude, run_hours)
    assert close(c.cost.to("USD").magnitude, run_hours * price) and close(p.cost.to("USD").magnitude, run_hours * price)
    assert close(c.flop_low.to("FLOP").magnitude, p.flop_low.to("FLOP").magnitude)
    assert close(c.flop_high.to("FLOP").magnitude, p.flop_high.to("FLOP").magnitude)
    cv = {r.threshold.id: (r.verdict, r.status_on_date, r.binding) for r in c.checks}
    for r in p.rules:
        assert cv[r.threshold.id] == (r.verdict, r.status_on_date, r.binding), r.threshold.id
    # cost of that FLOP with the same days: the same chip-hours, cost and (within one) chips
    k = flopcalc.cost(c.flop, gpu, days=days, as_of=day)
    assert close(k.chip_hours.to("hour").magnitude, run_hours) and close(k.cost.to("USD").magnitude, run_hours * price)
    assert abs(k.chips_needed - chips) <= 1
    # a budget of what the cluster costs, overhead included, buys that final run and judges the rules the same
    b = flopcalc.budget(c.cost_with_overhead, gpu, as_of=day)
    assert close(b.flop_after_overhead.to("FLOP").magnitude, flop)
    bv = {v.threshold.id: v.verdict for v in flopcalc.verdicts.budget_verdicts(b)}
    for rid, (verdict, _, _) in cv.items():
        kinds = {lim.kind for lim in next(t for t in RULES if t.id == rid).limits}
        if kinds <= {"flop", "usd", "revenue_usd"}:
            assert bv[rid] == verdict, rid
    # the report of that cluster says the same
    m = build_memo(chips=chips, days=days, gpus=[gpu], as_of=day)
    assert m.check.flop.to("FLOP").magnitude == flop
    assert {r.threshold.id: r.verdict for r in m.check.checks} == {k: v[0] for k, v in cv.items()}


# Verdicts and reasons, against a derivation written here --------------------------------------------------

EU = next(t for t in RULES if t.id == "eu-ai-act-systemic-risk")  # '> 1e25'
KR = next(t for t in RULES if t.id == "kr-ai-basic-act")  # '>= 1e26'


def expected(line: float, op: str, point: float, lo: float | None, hi: float | None) -> tuple[str, str]:
    def met(x: float) -> bool:
        on = abs(x - line) <= 1e-14 * line
        return op == ">=" if on else x > line

    if lo is None or hi is None:
        return ("crossed" if met(point) else "not crossed"), ""
    a, l_, h = met(point), met(lo), met(hi)
    if a and l_:
        return "crossed", "all above"
    if not a and not h:
        return "not crossed", "all below"
    if h and not l_:
        return "uncertain", "straddles"
    if a:
        return "uncertain", "lies wholly below"
    return "uncertain", "lies wholly above"


sides = st.sampled_from([0.1, 0.5, 0.99, 1.0, 1.0 + 1e-15, 1.01, 2.0, 10.0])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(rule=st.sampled_from([EU, KR]), p=sides, lo=sides, hi=sides, interval=st.booleans())
def test_verdict_and_reason_on_every_side_of_the_line(rule, p: float, lo: float, hi: float, interval: bool) -> None:
    lim = rule.limits[0]
    line = lim.base
    lo, hi = min(lo, hi), max(lo, hi)
    m = Measure(p * line, lo * line, hi * line) if interval else Measure(p * line)
    v = judge(rule, RunFigures(flop=m), dt.date(2026, 12, 1))
    want, words = expected(line, lim.comparison, m.point, m.low, m.high)
    assert v.verdict == want, (p, lo, hi, v.reason)
    assert words in v.reason, (want, v.reason)
    # no sentence claims what is not so
    if "straddles" in v.reason:
        assert lim.met_by(m.high) and not lim.met_by(m.low)
    if want != "uncertain":
        assert "straddles" not in v.reason and "wholly" not in v.reason


def test_done_when_the_16k_h100_100_day_reason_is_true() -> None:
    c = _json(["check", "--gpu", "h100", "--chips", "16k", "--days", "100"])
    sb53 = next(r for r in c["rules"] if r["id"] == "us-ca-sb53")
    assert c["flop"] > 1e26
    if c["flop_high"] < 1e26:  # the whole interval below the line, the assumption above it
        assert sb53["verdict"] == "uncertain"
        assert "crosses" in sb53["reason"] and "wholly below" in sb53["reason"]
        assert "straddles" not in sb53["reason"]
    else:
        assert "straddles" in sb53["reason"] and c["flop_low"] < 1e26 < c["flop_high"]


def _walk(x: object, path: str = ""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _walk(v, f"{path}[{i}]")
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        yield path, x


@pytest.mark.parametrize("args", [
    ["check", "--gpu", "h100", "--chips", "16000", "--days", "90"], ["check", "--flop", "1e26"],
    ["check", "--params", "405B", "--tokens", "15T"], ["budget", "$100M"], ["budget", "$1M", "--gpu", "a100"],
    ["plan", "$50M"], ["plan", "--chips", "16k", "--days", "90"], ["plan", "--flop", "1e25"],
    ["cost", "1e26", "--gpu", "b200"]])
def test_no_json_figure_is_meaningless_at_the_scale_of_the_inputs(args: list[str]) -> None:
    for path, v in _walk(_json(args)):
        leaf = path.rsplit(".", 1)[-1]
        if any(w in leaf for w in ("chip_hours", "cost", "flop", "usd")) and "ratio" not in leaf:
            assert v == 0 or abs(v) >= 1e-3, (args, path, v)


def test_confidence_travels_and_unconfirmed_is_marked() -> None:
    c = _json(["check", "--flop", "2e26", "--revenue", "$600M"])
    assert all("confidence" in r and "reason" in r and "verdict" in r for r in c["rules"])
    assert c["rules"] == c["thresholds"]  # the 0.2 key is an alias of `rules`
    r = CliRunner().invoke(cli, ["check", "--flop", "2e26", "--revenue", "$600M"])
    unconfirmed = [row["id"] for row in c["rules"] if row["confidence"] == "unconfirmed" and row["binding"]]
    for rid in unconfirmed:
        assert f"{rid} (UNCONFIRMED)" in r.output
    keys = {frozenset(row) for row in c["rules"]}
    p = _json(["plan", "$50M"])
    [b] = _json(["budget", "$50M"])
    assert keys == {frozenset(row) for row in p["rules"]} == {frozenset(row) for row in b["rules"]}
    assert "budget_usd" in b and b["budget_usd"] == 50e6


def test_done_when_budget_crosses_only_binding_rules() -> None:
    [b] = _json(["budget", "$50M", "--gpu", "h100"])
    binding = {r["id"] for r in b["rules"] if r["binding"]}
    assert set(b["thresholds_crossed"]) <= binding
    assert all(next(r for r in b["rules"] if r["id"] == i)["status_on_date"] == "in-force"
               for i in b["thresholds_crossed"])


def test_done_when_a_ratio_beside_crossed_is_never_1() -> None:
    r = CliRunner().invoke(cli, ["check", "--flop", "1.0000001e26"])
    assert r.exit_code == 0
    for line in r.output.splitlines():
        if "CROSSED" in line and "> 1e26 FLOP" in line:
            cells = line.split()
            assert "1" not in cells[cells.index("CROSSED") + 1:cells.index("CROSSED") + 2], line
    at = flopcalc.check(flop=1e26)
    for c in at.checks:
        if c.days_to_cross is not None:
            assert c.days_to_cross > 0


def test_done_when_the_modification_answer_is_one_true_line() -> None:
    res = flopcalc.check(base_flop=3.8e25, params="405B", finetune_tokens="1T")
    assert res.provider is not None and res.provider.new_provider is False
    f = 6 * 405e9 * 1e12
    assert close(res.modification.flop, f) and f < 3.8e25 / 3
    assert "does not become the provider" in res.provider.reason and "one third" in res.provider.reason
    eu = next(c for c in res.checks if c.threshold.id == "eu-ai-act-systemic-risk")
    assert eu.verdict != "crossed" and "original provider" in eu.reason
    r = CliRunner().invoke(cli, ["check", "--base-flop", "3.8e25", "--params", "405B", "--finetune-tokens", "1T"])
    assert sum("provider of a new GPAI model" in line for line in r.output.splitlines()) == 1
    m = build_memo(base_flop=3.8e25, params="405B", finetune_tokens="1T")
    assert any("does not become the provider" in s for s in m.answer_more)


def test_a_given_cluster_is_never_shrunk_by_overhead() -> None:
    one = flopcalc.check(gpu="h100", chips=1000, days=10, overhead=1)
    three = flopcalc.check(gpu="h100", chips=1000, days=10, overhead=3)
    assert one.flop == three.flop
    assert close(three.cost_with_overhead.to("USD").magnitude, 3 * one.cost_with_overhead.to("USD").magnitude)
    assert replace(one, notes=()).cost == replace(three, notes=()).cost  # dollar limits test the final run


def test_an_estimated_default_price_is_not_a_quote() -> None:
    from flopcalc.hardware import default_db
    from flopcalc.pricing import quotes

    estimated = [p for p in default_db().all() if p.price_is_estimate and p.price_date]
    assert estimated, "the shipped data has estimated default prices with a date"
    for p in estimated:
        assert all(q.provider != "profile default" for q in quotes(p)), p.id


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_an_empty_answer_says_why_in_every_format(fmt: str) -> None:
    r = CliRunner().invoke(cli, ["thresholds", "--as-of", "1990-01-01", "--format", fmt])
    assert r.exit_code == 0, r.output
    assert "no rule in the data existed yet on 1990-01-01" in r.output  # stdout or stderr
    if fmt == "csv":
        assert r.stdout.splitlines()[0].startswith("id,")  # the header stays
    runs = CliRunner().invoke(cli, ["runs", "--gpu", "gaudi3", "--format", fmt])
    assert runs.exit_code == 0 and "no known run in the data was trained on gaudi3" in runs.output
    if fmt == "csv":
        assert runs.stdout.splitlines()[0].startswith("model,")


def test_a_flop_check_before_the_default_chip_is_priced_on_a_chip_of_its_day() -> None:
    res = flopcalc.check(flop=1e26, as_of="2019-01-01")
    from flopcalc.hardware import default_db

    chip = default_db().get(res.gpu)
    assert res.gpu != "h100" and chip.released is not None and first_day(chip.released) <= dt.date(2019, 1, 1)
    assert any("the newest chip with prices on the market on 2019-01-01" in n for n in res.notes)
    with pytest.raises(flopcalc.FlopcalcError, match="released"):
        flopcalc.check(chips=10, days=3, as_of="2019-01-01")  # a cluster names its chip: h100 did not exist


def test_plan_and_cost_agree_on_the_amortized_dollars_of_one_run() -> None:
    p = _json(["plan", "--chips", "16k", "--days", "90", "--basis", "all", "--as-of", "2026-06-01"])
    [c] = _json(["cost", repr(p["flop"]), "--chips", "16000", "--basis", "all", "--as-of", "2026-06-01"])
    assert close(c["chip_hours"], p["run_chip_hours"]) and close(c["cost_usd"], p["cost_usd"])
    for k in ("amortized_cost_usd", "hardware_cost_usd", "interconnect_cost_usd", "energy_cost_usd",
              "acquisition_cost_usd"):
        assert close(c[k], p[k]), k
    assert c["start"] == p["training_start"] == "2026-06-01" and c["dollars"] == p["dollars"]


def test_a_chip_named_by_id_and_alias_is_one_row() -> None:
    rows = _json(["hardware", "--gpu", "h100", "--gpu", "h100-sxm", "--gpu", "a100"])
    assert [r["id"] for r in rows] == ["h100", "a100"]
    costs = _json(["cost", "1e26", "--gpu", "h100", "--gpu", "h100-sxm"])
    assert [r["gpu"] for r in costs] == ["h100"]


# --- one energy model: cost's megawatt-hours and the amortized basis's energy are the same figure -------------------
@pytest.mark.parametrize("gpu", ["h100", "a100-40gb", "tpu-v5p", "mi300x"])
@pytest.mark.parametrize("operator,pue", [(None, None), ("hyperscaler", None), ("hyperscaler", 1.4)])
def test_cost_and_amortized_energy_agree(gpu: str, operator: str | None, pue: float | None) -> None:
    from conftest import energy_by_hand

    def invoke(args: list[str]):  # type: ignore[no-untyped-def]
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 0, r.output
        return r

    from flopcalc.bases import cost_on_bases

    b = cost_on_bases(1e25, gpu, basis="amortized", start="2026-06-01", operator=operator, pue=pue)
    mwh = float(b.rental.energy.to("MWh").magnitude)
    assert b.costs is not None
    assert math.isclose(float(b.costs.energy_mwh.to("MWh").magnitude), mwh, rel_tol=1e-12)
    spf, load, op_pue = energy_by_hand(gpu, operator or "other")
    tdp_w = float(b.rental.tdp.to("W").magnitude)
    want = float(b.rental.chip_hours.to("hour").magnitude) * tdp_w * spf * load * (pue or op_pue) / 1e6
    assert math.isclose(mwh, want, rel_tol=1e-12)
    row = json.loads(invoke(["cost", "1e25", "--gpu", gpu, "--basis", "amortized", "--start", "2026-06-01",
                             "--format", "json", *(["--operator", operator] if operator else []),
                             *(["--pue", str(pue)] if pue else [])]).stdout)[0]
    assert math.isclose(row["energy_mwh"], want, rel_tol=1e-9) and math.isclose(row["pue"], pue or op_pue)
    plain = json.loads(invoke(["cost", "1e25", "--gpu", gpu, "--format", "json",
                               *(["--operator", operator] if operator else []),
                               *(["--pue", str(pue)] if pue else [])]).stdout)[0]
    assert math.isclose(plain["energy_mwh"], want, rel_tol=1e-9)


def test_a_bare_energy_assumptions_is_the_h100s() -> None:
    from flopcalc.energy import EnergyAssumptions, assumptions_for

    bare, h100 = EnergyAssumptions(), assumptions_for("h100")
    assert (bare.server_power_factor, bare.average_load, bare.pue, bare.grid_intensity) == (
        h100.server_power_factor, h100.average_load, h100.pue, h100.grid_intensity)


# --- a dollar line sees the same evidence interval in check, plan and cost --------------------------------------------
@pytest.mark.parametrize("flop,gpu", [("6.5e25", "a100"), ("2e26", "h100"), ("5e25", "h100")])
def test_dollar_rules_see_costs_evidence_interval(flop: str, gpu: str) -> None:
    import re

    def dollars(text: str) -> float:
        m = re.fullmatch(r"\$([\d.,]+)([kMBT]?)", text.strip())
        assert m, text
        return float(m[1].replace(",", "")) * {"": 1, "k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[m[2]]

    def run(args: list[str]) -> object:
        r = CliRunner().invoke(cli, [*args, "--format", "json"])
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    (row,) = run(["cost", flop, "--gpu", gpu])  # type: ignore[misc]
    want = (row["cost_usd_low"], row["cost_usd_high"])  # the final run's evidence cost: dollar lines test it
    checked = run(["check", "--flop", flop, "--gpu", gpu, "--all"])
    planned = run(["plan", "--flop", flop, "--gpu", gpu, "--all"])
    seen: list[str] = []
    for doc in (checked, planned):
        usd_rules = [r for r in doc["rules"] if r["kind"] == "usd"]  # type: ignore[index]
        assert usd_rules
        for r in usd_rules:
            m = re.search(r"90% evidence interval \((\$[^ ]+) to (\$[^)]+)\)", r["reason"])
            if m:  # the sentence names the interval when it matters to the verdict (3 significant figures)
                assert math.isclose(dollars(m[1]), want[0], rel_tol=5e-3), (r["id"], r["reason"], want)
                assert math.isclose(dollars(m[2]), want[1], rel_tol=5e-3), (r["id"], r["reason"], want)
                seen.append(r["id"])
    assert seen, "no dollar rule named its evidence interval: pick a FLOP figure nearer $100M"


def _json(args: list[str]) -> object:
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_plan_energy_is_its_own_on_every_basis_and_its_final_run_is_costs() -> None:
    (row,) = _json(["cost", "1e26", "--gpu", "h100", "--days", "90"])  # type: ignore[misc]
    plans = {b: _json(["plan", "--flop", "1e26", "--days", "90", "--basis", b]) for b in ("rental", "amortized", "all")}
    energies = {b: p["energy_mwh"] for b, p in plans.items()}  # type: ignore[index]
    assert len(set(energies.values())) == 1, energies  # the basis never replaces the plan's own figure
    p = plans["rental"]
    assert math.isclose(p["final_run_energy_mwh"], row["energy_mwh"], rel_tol=1e-12)  # type: ignore[index]
    assert math.isclose(p["energy_mwh"], row["energy_mwh"] * row["overhead"], rel_tol=1e-12)  # type: ignore[index]


def test_a_flop_figure_on_the_line_reads_the_same_in_plan_and_check() -> None:
    for doc in (_json(["plan", "--flop", "1e26"]), _json(["check", "--flop", "1e26"])):
        (sb53,) = [r for r in doc["rules"] if r["id"] == "us-ca-sb53"]  # type: ignore[index]
        assert "on the line" in sb53["reason"] and "interval" not in sb53["reason"], sb53["reason"]
        assert sb53["verdict"] == "not crossed"


def test_budget_names_in_force_only_what_is_in_force() -> None:
    (row,) = _json(["budget", "$100M", "--all"])  # type: ignore[misc]
    statuses = {r["id"]: r["status_on_date"] for r in row["rules"]}
    assert all(statuses[i] == "in-force" for i in row["thresholds_crossed_in_force"])
    assert set(row["thresholds_crossed_in_force"]) <= set(row["thresholds_crossed"])
    assert any(statuses[i] != "in-force" for i in row["thresholds_crossed"])  # --all lists the others too
    out = CliRunner().invoke(cli, ["budget", "$100M", "--all"]).output
    assert "rules in force on the date whose" not in out and "whatever its status (--all)" in out


def test_a_cited_row_is_not_called_one_method() -> None:
    out = CliRunner().invoke(cli, ["cost", "1e26", "--gpu", "h100", "--gpu", "a100"]).output
    assert "share one method" not in out and "h100 fp8 (cited MFU range, not runs)" in out
    same = CliRunner().invoke(cli, ["cost", "1e26", "--gpu", "h100", "--gpu", "a100", "--precision", "bf16",
                                    "--price-tier", "neocloud-on-demand", "--efficiency", "0.4"]).output
    assert "Compare chips" not in same or "share one method" in same


def test_tpu_energy_says_it_is_likely_low_where_energy_is_shown() -> None:
    cost_out = CliRunner().invoke(cli, ["cost", "1e25", "--gpu", "tpu-v4"]).output
    assert "tpu-v4 energy is likely understated" in cost_out
    gpu_out = CliRunner().invoke(cli, ["cost", "1e25", "--gpu", "h100"]).output
    assert "energy is likely understated" not in gpu_out


def test_a_width_beyond_the_runs_says_it_is_held_at_the_edge() -> None:
    d = _json(["calibrate", "--gpu", "a100", "--flop", "1e28"])
    assert "held at that of" in d["method"] and "never extrapolated" in d["method"]  # type: ignore[index]
    inside = _json(["calibrate", "--gpu", "a100", "--flop", "1e24"])
    assert "held at" not in inside["method"]  # type: ignore[index]


def test_a_memo_for_a_cluster_states_checks_figures(tmp_path) -> None:
    """report --chips --days answers with the cluster's known chip-hours and dollars, and the FLOP the evidence
    says it delivers: the figures check gives for the same cluster."""
    from flopcalc.fmt import money_sig

    out = tmp_path / "m.md"
    r = CliRunner().invoke(cli, ["report", "--chips", "4000", "--days", "30", "--gpu", "h100", "--gpu", "a100",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    answer = next(ln for ln in out.read_text(encoding="utf-8").splitlines() if ln.startswith("> **"))
    checked = _json(["check", "--chips", "4000", "--days", "30", "--gpu", "h100"])
    assert "2.88M chip-hours" in answer and money_sig(checked["cost_usd"]) in answer  # type: ignore[index]
    assert f"{checked['flop_centre']:.3e}".replace("e+", "e") in answer  # type: ignore[index]
    assert "implies 5." not in answer  # not the chip-hours a FLOP question would need


def test_a_given_cluster_costs_its_own_chip_hours_whichever_flop_is_used() -> None:
    both = _json(["check", "--params", "405B", "--tokens", "15.6T", "--chips", "16k", "--days", "54",
                  "--precision", "bf16", "--price", "4", "--all"])
    alone = _json(["check", "--chips", "16k", "--days", "54", "--precision", "bf16", "--price", "4", "--all"])
    hours = 16_000 * 54 * 24
    for doc in (both, alone):
        assert doc["run_chip_hours"] == hours and math.isclose(doc["cost_usd"], hours * 4.0)  # type: ignore[index]
        (rule,) = [r for r in doc["rules"] if r["id"] == "us-hr-9917"]  # type: ignore[index]
        assert rule["verdict"] == "not crossed", rule["reason"]  # $82.9M, known: below $100M


def test_thresholds_as_of_prices_the_line_as_cost_does() -> None:
    rows = _json(["thresholds", "--gpu", "h100", "--as-of", "2025-03-01", "--status", "in-force"])
    (line,) = [r for r in rows if r["id"] == "us-bis-ai-diffusion"]  # type: ignore[union-attr]
    (c,) = _json(["cost", "1e26", "--gpu", "h100", "--as-of", "2025-03-01"])  # type: ignore[misc]
    assert math.isclose(line["cost_usd"], c["cost_usd"]) and math.isclose(line["cost_usd_low"], c["cost_usd_low"])
    r = CliRunner().invoke(cli, ["thresholds", "--gpu", "b200", "--as-of", "2023-06-01"])
    assert r.exit_code == 2 and "not released" in r.output


@pytest.mark.parametrize("args,words", [
    (["cost", "1e26", "--grid-intensity", "400"], "at most 2 kgCO2e/kWh"),
    (["cost", "1e26", "--pue", "125"], "at most 3"),
    (["plan", "--flop", "1e26", "--pue", "4"], "at most 3"),
    (["size", "1e26", "--params", "1e30"], "at least one of each"),
    (["size", "1e26", "--tokens-per-param", "1e30"], "at least one of each"),
])
def test_implausible_inputs_are_refused_in_one_line(args: list[str], words: str) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output, r.output


def test_a_wrong_evidence_model_is_a_one_line_type_error() -> None:
    from flopcalc.errors import InputTypeError

    with pytest.raises(InputTypeError, match="evidence_model must be a flopcalc EvidenceModel"):
        flopcalc.cost(1e26, evidence_model="x")  # type: ignore[arg-type]
