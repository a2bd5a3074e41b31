"""Exact-boundary properties (issue 11, item 6): a FLOP equal to a threshold, one ulp either side,
for '>' and '>=' rules, by the direct method (--flop) and the hardware method (chips x days x
peak x efficiency landing exactly on the line); budget/cost round trip; table rounding.

Expected verdicts are decided here from exact rational arithmetic (fractions.Fraction), never
from the code's own output.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import flopcalc
from flopcalc.cli import cli

LINE = 10**26
GT = "us-ca-sb53"  # "> 1e26 FLOP"
GE = "kr-ai-basic-act"  # ">= 1e26 FLOP"
BELOW = math.nextafter(1e26, 0.0)
ABOVE = math.nextafter(1e26, math.inf)


def _rule_comparisons() -> dict[str, str]:
    rules = {t.id: t for t in flopcalc.load_thresholds()}
    return {rid: rules[rid].limits[0].comparison for rid in (GT, GE)}


def test_the_two_probe_rules_are_what_this_file_assumes() -> None:
    rules = {t.id: t for t in flopcalc.load_thresholds()}
    for rid, cmp in ((GT, ">"), (GE, ">=")):
        (lim,) = [x for x in rules[rid].limits if x.kind == "flop"]
        assert lim.comparison == cmp and lim.base == 1e26


def _cli_crossed(args: list[str]) -> tuple[float, dict[str, bool | None]]:
    r = CliRunner().invoke(cli, ["check", *args, "--format", "json", "--all"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    return d["flop"], {t["id"]: t["crossed"] for t in d["thresholds"] if t["id"] in (GT, GE)}


REL_TOL = Fraction(1, 10**14)  # docs/reliability.md: figures this close to a line are at the line


def _expected(exact: Fraction) -> dict[str, bool]:
    """The verdict for a figure whose exact value is `exact`, under the documented contract: a figure within
    1e-14 relative of the line (a few ulps of float rounding, e.g. in budget(cost(x))) is at the line,
    where '>=' rules are crossed and '>' rules are not; elsewhere the comparison is exact."""
    line = Fraction(10**26)
    if abs(exact - line) <= REL_TOL * line:
        return {GT: False, GE: True}
    return {GT: exact > line, GE: exact >= line}


@pytest.mark.parametrize("text", ["1e26", "100000000000000000000000000", "0.1 RFLOP", "100 YFLOP", "1e2 YFLOP",
                                  "10^26", "1E+26"])
def test_direct_flop_exactly_on_the_line(text: str) -> None:
    _, got = _cli_crossed(["--flop", text])
    assert got == {GT: False, GE: True}


@pytest.mark.parametrize("value,exact", [(ABOVE, Fraction(ABOVE)), (BELOW, Fraction(BELOW))],
                         ids=["one-ulp-above", "one-ulp-below"])
def test_direct_flop_one_ulp_either_side(value: float, exact: Fraction) -> None:
    _, got = _cli_crossed(["--flop", repr(value)])
    assert got == _expected(exact), (repr(value), got)


@pytest.mark.parametrize("value", [ABOVE, BELOW, 1e26, 1e26 * (1 + 5e-13), 1e26 * (1 - 5e-13)])
def test_library_check_one_ulp_either_side(value: float) -> None:
    res = flopcalc.check(flop=value, include_all=True)
    got = {c.threshold.id: c.crossed for c in res.checks if c.threshold.id in (GT, GE)}
    assert got == _expected(Fraction(value)), (repr(value), got)


def test_point_one_yflop_and_1e23_give_identical_verdicts() -> None:
    a = CliRunner().invoke(cli, ["check", "--flop", "0.1 YFLOP", "--format", "json", "--as-of", "2026-01-01"])
    b = CliRunner().invoke(cli, ["check", "--flop", "1e23", "--format", "json", "--as-of", "2026-01-01"])
    assert a.exit_code == b.exit_code == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


# chips x seconds x peak x efficiency == 1e26 exactly in real arithmetic (time in seconds: a day has
# a factor 27 that no decimal peak can cancel).
HARDWARE_ON_LINE = [
    ("1000000", "1000 s", "1e17 FLOP/s", "1"),
    ("1000000", "1000 s", "2e17 FLOP/s", "0.5"),
    ("10000", "1e5 s", "1.25e17 FLOP/s", "0.8"),
    ("4096", "1e6 s", "6.103515625e16 FLOP/s", "0.4"),
    ("3", "1e5 s", "1e21 FLOP/s", "1"),
    ("7", "1e6 s", "1e19 FLOP/s", "0.7"),  # 4.9e25: below both lines
]


@pytest.mark.parametrize("chips,days,peak,eff", HARDWARE_ON_LINE)
def test_hardware_method_on_the_line(chips: str, days: str, peak: str, eff: str) -> None:
    from decimal import Decimal

    exact = (Fraction(Decimal(chips)) * Fraction(Decimal(days.split()[0])) * Fraction(Decimal(peak.split()[0]))
             * Fraction(Decimal(eff)))
    flop, got = _cli_crossed(["--gpu", "h100", "--chips", chips, "--days", days, "--peak", peak,
                              "--efficiency", eff])
    assert got == _expected(exact), (chips, days, peak, eff, flop, got)
    assert flop == float(exact), (flop, float(exact))  # one rounding of the exact product


def test_hardware_method_with_days_as_days() -> None:
    # 1000 chips x 25 days x 86400 s x 1e17 FLOP/s x 0.3 = 6.48e25 exactly
    exact = Fraction(1000) * 25 * 86400 * 10**17 * Fraction(3, 10)
    flop, got = _cli_crossed(["--gpu", "h100", "--chips", "1000", "--days", "25", "--peak", "1e17 FLOP/s",
                              "--efficiency", "0.3"])
    assert flop == float(exact) and got == _expected(exact)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(k=st.integers(min_value=-3, max_value=3), chips=st.sampled_from([1, 2, 4, 8, 16, 1024, 2**20]))
def test_hardware_method_ulp_neighbours(k: int, chips: int) -> None:
    """peak chosen k ulps away from the on-line value: the verdict follows the exact product."""
    seconds = 10**8  # a peak per chip between 1 GFLOP/s and 1 ZFLOP/s for every chip count drawn
    peak = float(Fraction(10**26, chips * seconds))
    for _ in range(abs(k)):
        peak = math.nextafter(peak, math.inf if k > 0 else 0.0)
    exact = Fraction(chips) * seconds * Fraction(peak)
    res = flopcalc.check(gpu="h100", chips=chips, days=f"{seconds} s", peak=flopcalc.Q_(peak, "FLOP/s"), efficiency=1,
                         include_all=True)
    got = {c.threshold.id: c.crossed for c in res.checks if c.threshold.id in (GT, GE)}
    assert got == _expected(exact), (k, chips, repr(peak), got)


@pytest.mark.parametrize("gpu", ["h100", "a100", "tpu-v5p", "mi300x"])
def test_budget_of_the_exact_cost_of_1e26_gives_back_1e26(gpu: str) -> None:
    c = flopcalc.cost(1e26, gpu)
    usd = c.cost.to("USD").magnitude
    b = flopcalc.budget(usd, gpu)
    got = b.flop.to("FLOP").magnitude
    assert math.isclose(got, 1e26, rel_tol=1e-15), got
    # and the same rules: the budget command's crossings equal check --flop 1e26's
    r = CliRunner().invoke(cli, ["budget", repr(usd * c.overhead.to("").magnitude), "--gpu", gpu, "--format",
                                 "json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)[0]
    assert math.isclose(row["flop_after_overhead"], 1e26, rel_tol=1e-15)
    assert math.isclose(row["flop"], 1e26, rel_tol=1e-15)  # `flop` is the final run everywhere
    # the same rules, judged on the same point: each rule's point verdict equals check --flop 1e26's
    chk = flopcalc.check(flop=1e26)
    flop_only = {c.threshold.id for c in chk.checks if all(x.kind == "flop" for x in c.threshold.limits)}
    point_by_check = {c.threshold.id for c in chk.checks if c.crossed and c.threshold.id in flop_only}
    listed = {r["id"] for r in row["rules"]} & flop_only
    assert listed == {c.threshold.id for c in chk.checks if c.binding or c.upcoming} & flop_only
    assert {r["id"] for r in row["rules"] if r["crossed"]} & flop_only == point_by_check & listed
    # and what budget calls crossed is crossed on the point too, and binding
    assert set(row["thresholds_crossed"]) <= {r["id"] for r in row["rules"] if r["crossed"] and r["binding"]}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(flop=st.floats(min_value=1e20, max_value=1e29), gpu=st.sampled_from(["h100", "a100", "tpu-v5p"]))
def test_budget_cost_round_trip(flop: float, gpu: str) -> None:
    usd = flopcalc.cost(flop, gpu).cost.to("USD").magnitude
    back = flopcalc.budget(usd, gpu).flop.to("FLOP").magnitude
    assert math.isclose(back, flop, rel_tol=1e-12), (flop, back)


@pytest.mark.parametrize("value", [math.nextafter(1e26, 0.0), 9.9999999999999e25, 9.99999e25, 9.9996e25])
def test_table_rounding_never_prints_the_line_as_crossed_below_a_gt_line(value: float) -> None:
    r = CliRunner().invoke(cli, ["check", "--flop", repr(value), "--all"])
    assert r.exit_code == 0, r.output
    rows = [line for line in r.stdout.splitlines() if line.startswith((GT + " ", GE + " ")) and "FLOP" in line]
    assert len(rows) == 2, r.stdout
    want = _expected(Fraction(value))
    for line in rows:  # below a '>' line nothing prints as crossed; '>=' only when at the line (REL_TOL)
        rid = line.split()[0]
        assert ("CROSSED" in line) is want[rid], (repr(value), line)


def test_chips_above_2_53_keep_their_value() -> None:
    n = 2**53 + 1
    r = CliRunner().invoke(cli, ["cost", "1e26", "--chips", str(n), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["chips"] == n
    r = CliRunner().invoke(cli, ["check", "--gpu", "h100", "--chips", str(n), "--days", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["chips"] == n


@pytest.mark.parametrize("args", [["cost", "1e26", "--peak", "1e300"], ["cost", "1e26", "--peak", "1e300 FLOP/s"],
                                  ["check", "--gpu", "h100", "--chips", "8", "--days", "1", "--peak", "1e300 FLOP/s"],
                                  ["cost", "1e26", "--peak", "1e-300 FLOP/s"]])
def test_absurd_peak_is_a_clean_error(args: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, (args, r.output[:500])
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


@settings(max_examples=150, deadline=None, derandomize=True)
@given(flop=st.floats(min_value=1e15, max_value=1e32), gpu=st.sampled_from(["h100", "a100", "tpu-v4", "v100"]))
def test_json_low_is_never_above_high(flop: float, gpu: str) -> None:
    d = flopcalc.cost(flop, gpu).to_dict()
    for k, v in d.items():
        if k.endswith("_low") and v is not None:
            hi = d.get(k[:-4] + "_high")
            assert hi is not None and v <= hi, (k, v, hi)
    chk = flopcalc.check(gpu=gpu, chips=1024, days=flop / 1e22).to_dict()
    assert chk["flop_low"] <= chk["flop_high"]


def test_explain_of_the_hardware_method_explains_the_run_not_one_flop() -> None:
    r = CliRunner().invoke(cli, ["check", "--gpu", "h100", "--chips", "16k", "--days", "90", "--explain"])
    assert r.exit_code == 0, r.output
    assert "1e0 /" not in r.stdout and "$0.00" not in r.stdout, r.stdout[:1500]


@pytest.mark.parametrize("args", [["cost", "1e26", "--peak", "1e300 FLOP/s"], ["size", "1e26", "--params", "1e-300"]])
def test_no_giant_positional_numbers(args: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert "0" * 40 not in r.output, r.output[:800]
