"""Hypothesis over the public API (issue 11, item 6): any value in any argument gives a correct
result or a flopcalc.FlopcalcError, nothing else.

"Any value": ints of any size (10**400), floats (nan, inf, subnormal), Decimal, Fraction, strings
(hostile ones too), None, bools, lists, numpy scalars, and pint Quantities of any unit. A result
must be finite where it is a number (its to_dict() is strict JSON). Each public function gets
>= 500 examples.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flopcalc
from flopcalc import Q_, FlopcalcError

EXAMPLES = 500
API = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.filter_too_much])

UNITS = ["FLOP", "YFLOP", "FLOP/s", "TFLOP/s", "USD", "USD/hour", "hour", "day", "s", "W", "GB", "kWh", "byte", "",
         "percent", "kgCO2e/kWh"]

hostile_text = st.sampled_from([
    "", " ", "1e26", "0.1 YFLOP", "10^26", "1e400", "-1e26", "nan", "inf", "1e26 W", "$100M", "40%", "h100",
    "\x1b]52;c;ZXZpbA==\x07", "9" * 400, "2024-02-30", "2024.7", "1/3", "١٢٣", "fp8", "bf16", "0", "1e-400",
])
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 2**53 + 1, 0, 1, 10**26]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1e400"), Decimal("0.1"), Decimal("1E+26"), Decimal("-0"), Decimal("NaN"),
                     Decimal("sNaN")]),
    st.fractions(),
    st.sampled_from([Fraction(1, 3), Fraction(10**26), Fraction(1, 10**400)]),
)
numpy_scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(np.float32),
    st.floats(allow_nan=True, allow_infinity=True).map(np.float64),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(np.int64),
    st.sampled_from([np.float16(1), np.bool_(True), np.array(1e26), np.array([1e26, 1e25])]),
)
quantities = st.builds(lambda m, u: Q_(m, u),
                       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30)),
                       st.sampled_from(UNITS))
anything = st.one_of(numbers, hostile_text, st.none(), st.booleans(), numpy_scalars, quantities,
                     st.lists(st.integers(0, 10), max_size=2), st.just(object()), st.just({"a": 1}),
                     st.just(_dt.date(2025, 1, 1)), st.just(_dt.datetime(2025, 1, 1, 12)))


def _ok_or_flopcalc_error(fn, *args, **kw):
    """Call fn; a FlopcalcError is fine; any other exception fails the test. Returns the result or None."""
    try:
        return fn(*args, **kw)
    except FlopcalcError as e:
        msg = str(e)
        assert msg and "\x1b" not in msg and "\x07" not in msg, repr(msg)
        assert len(msg) < 2000, msg[:300]
        return None


def _finite_dict(result) -> None:
    if result is None:
        return
    d = result.to_dict() if hasattr(result, "to_dict") else None
    if d is not None:
        json.dumps(d, allow_nan=False, default=str)  # raises ValueError on nan/inf


def _finite_q(q) -> None:
    if q is not None and hasattr(q, "magnitude"):
        assert math.isfinite(float(q.magnitude)), q


@pytest.fixture(autouse=True)
def _hw_path(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(tmp_path_factory.mktemp("no-user-hw")))


@API
@given(flop=anything, gpu=st.one_of(st.sampled_from(["h100", "a100", "tpu-v5p", "nonesuch", ""]), anything),
       kw=st.dictionaries(st.sampled_from(["precision", "peak", "efficiency", "price", "overhead", "chips", "days",
                                           "pue", "grid_intensity", "as_of", "price_tier", "hardware"]),
                          anything, max_size=3))
def test_cost_any_input(flop, gpu, kw) -> None:
    r = _ok_or_flopcalc_error(flopcalc.cost, flop, gpu, **kw)
    _finite_dict(r)
    if r is not None:
        _finite_q(r.cost)
        assert r.cost.magnitude > 0 and r.chip_hours.magnitude > 0


@API
@given(usd=anything, gpu=st.one_of(st.just("h100"), anything),
       kw=st.dictionaries(st.sampled_from(["precision", "peak", "efficiency", "price", "overhead", "as_of",
                                           "hardware"]), anything, max_size=3))
def test_budget_any_input(usd, gpu, kw) -> None:
    r = _ok_or_flopcalc_error(flopcalc.budget, usd, gpu, **kw)
    _finite_dict(r)
    if r is not None:
        assert r.flop.magnitude > 0 and math.isfinite(r.flop.magnitude)


@API
@given(flop=anything, kw=st.dictionaries(st.sampled_from(["params", "tokens", "tokens_per_param"]), anything,
                                         max_size=2))
def test_size_any_input(flop, kw) -> None:
    r = _ok_or_flopcalc_error(flopcalc.size, flop, **kw)
    _finite_dict(r)
    if r is not None:
        for v in (r.params, r.tokens, r.tokens_per_param):
            assert math.isfinite(float(v)) and float(v) > 0, r


@API
@given(params=anything, tokens=anything, trainable=st.one_of(st.none(), anything))
def test_finetune_flop_any_input(params, tokens, trainable) -> None:
    r = _ok_or_flopcalc_error(flopcalc.finetune_flop, params, tokens, trainable)
    if r is not None:
        _finite_q(r)
        assert r.magnitude > 0


@API
@given(kw=st.dictionaries(st.sampled_from(["flop", "params", "tokens", "active_params", "gpu", "chips", "days",
                                           "precision", "peak", "efficiency", "price", "overhead", "revenue",
                                           "as_of", "statuses", "base_flop", "finetune_tokens", "trainable_params",
                                           "finetune_flop", "rules", "hardware"]), anything, min_size=1, max_size=4))
def test_check_any_input(kw) -> None:
    r = _ok_or_flopcalc_error(flopcalc.check, **kw)
    _finite_dict(r)


@API
@given(rules=st.one_of(st.none(), anything), status=st.one_of(st.just(()), anything),
       as_of=st.one_of(st.none(), anything))
def test_thresholds_any_input(rules, status, as_of) -> None:
    got = _ok_or_flopcalc_error(flopcalc.thresholds, rules, status=status, as_of=as_of)
    assert got is None or all(isinstance(t, flopcalc.Threshold) for t in got), got


RULES = None


def _rules():
    global RULES
    if RULES is None:
        RULES = flopcalc.load_thresholds()
    return RULES


@API
@given(gpu=st.one_of(st.sampled_from(["h100", "tpu-v5p"]), anything),
       kw=st.dictionaries(st.sampled_from(["precision", "peak", "efficiency", "price", "overhead", "price_tier",
                                           "hardware"]), anything, max_size=2),
       rules_bad=st.one_of(st.none(), anything))
def test_threshold_costs_any_input(gpu, kw, rules_bad) -> None:
    rules = _rules() if rules_bad is None else rules_bad
    rows = _ok_or_flopcalc_error(flopcalc.threshold_costs, rules, gpu, **kw)
    for row in rows or []:
        for v in vars(row).values() if hasattr(row, "__dict__") else ():
            if isinstance(v, float):
                assert math.isfinite(v)


@API
@given(gpu=st.one_of(st.sampled_from(["h100", "a100", "tpu-v4"]), anything),
       precision=st.one_of(st.none(), anything), hardware=st.one_of(st.none(), anything))
def test_calibrate_any_input(gpu, precision, hardware) -> None:
    _ok_or_flopcalc_error(flopcalc.calibrate, gpu, precision, hardware=hardware)


@API
@given(files=st.one_of(st.just(()), anything, st.lists(anything, max_size=2)))
def test_loaders_any_input(files) -> None:
    for fn in (flopcalc.load_profiles, flopcalc.load_thresholds, flopcalc.load_runs):
        _ok_or_flopcalc_error(fn, files)


@API
@given(text=anything, kind=st.one_of(st.sampled_from(["flop", "flop_rate", "price", "usd", "time", "power"]),
                                     anything))
def test_parse_quantity_any_input(text, kind) -> None:
    q = _ok_or_flopcalc_error(flopcalc.parse_quantity, text, kind)
    if q is not None:
        _finite_q(q)
        assert q.magnitude > 0


@API
@given(flop=st.one_of(anything, st.lists(st.floats(), min_size=1, max_size=3)),
       gpu=st.one_of(st.just("h100"), anything),
       kw=st.dictionaries(st.sampled_from(["efficiency", "price", "overhead", "precision", "peak", "hardware"]),
                          st.one_of(anything, st.lists(st.floats(), min_size=1, max_size=3)), max_size=2))
def test_grid_any_input(flop, gpu, kw) -> None:
    r = _ok_or_flopcalc_error(flopcalc.grid, flop, gpu, **kw)
    if r is not None and hasattr(r, "to_dict"):
        _finite_dict(r)


@API
@given(flops=st.one_of(anything, st.lists(anything, min_size=1, max_size=2)),
       kw=st.dictionaries(st.sampled_from(["start", "end", "gpus", "price_tier", "hardware"]), anything, max_size=3))
def test_trend_any_input(flops, kw) -> None:
    rows = _ok_or_flopcalc_error(flopcalc.trend, flops, **kw)
    for r in rows or []:
        _finite_dict(r)
        assert 0 < r.cost_usd_low < r.cost_usd < r.cost_usd_high


@API
@given(budget=st.one_of(st.just("$50M"), anything),
       kw=st.dictionaries(st.sampled_from(["flop", "chips", "days", "gpu", "precision", "peak", "efficiency", "price",
                                           "price_tier", "overhead", "tokens_per_param", "pue", "as_of", "rules",
                                           "hardware"]), anything, max_size=3))
def test_plan_any_input(budget, kw) -> None:
    _finite_dict(_ok_or_flopcalc_error(flopcalc.plan, budget, **kw))


# Named cases from the issue: each must be a FlopcalcError (not a bare TypeError/ValueError/OverflowError).
@pytest.mark.parametrize("value", [10**400, Decimal("1e400"), Decimal("NaN"), Fraction(1, 10**400),
                                   np.float64("nan"), np.float32("inf"), np.array([1e26, 1e25]), [1e26], True,
                                   object(), b"1e26", complex(1e26, 0)])
def test_named_bad_flop_values_raise_flopcalc_error(value) -> None:
    with pytest.raises(FlopcalcError):
        flopcalc.cost(value, "h100")


@pytest.mark.parametrize("value", [Decimal("1E+26"), Fraction(10**26), np.float64(1e26), np.int64(10**18),
                                   10**26, "1e26", "0.1 YFLOP" if False else "100 YFLOP", Q_(100, "YFLOP")])
def test_exact_kinds_of_1e26_cost_the_same(value) -> None:
    expected = flopcalc.cost(1e26, "h100")
    got = flopcalc.cost(value, "h100")
    if isinstance(value, np.int64):
        assert got.flop.to("FLOP").magnitude == 1e18
        return
    assert got.flop.to("FLOP").magnitude == 1e26
    assert got.cost.to("USD").magnitude == expected.cost.to("USD").magnitude


@pytest.mark.parametrize("hw", ["h100", 1, [], {"h100": 1}, object(), Q_(1, "FLOP"), True, b"x"])
def test_wrong_hardware_types_raise_flopcalc_error(hw) -> None:
    for fn, args in ((flopcalc.cost, (1e26, "h100")), (flopcalc.budget, (1e8, "h100")),
                     (flopcalc.check, ()), (flopcalc.calibrate, ("h100",))):
        kw = {"flop": 1e26} if fn is flopcalc.check else {}
        with pytest.raises(FlopcalcError):
            fn(*args, hardware=hw, **kw)
