"""Laws of flopcalc's arithmetic, checked with hypothesis (style.md point 8).

Every expectation is computed here from the inputs (and the profiles' own data), never
taken from an earlier output of the code under test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import flopcalc
from flopcalc import Q_, InputError
from flopcalc.units import parse_quantity

from conftest import energy_by_hand

# The conftest fixture that hides ~/.config/flopcalc is not active at import time, so the
# module-level listing asks for no user folders explicitly.
DB = flopcalc.load_profiles(user_dirs_=[])
IDS = DB.ids()
PROFILES = {pid: DB.get(pid) for pid in IDS}
CHIP_PRECISIONS = [(pid, prec) for pid in IDS for prec in PROFILES[pid].peak]
RULES = flopcalc.load_thresholds()

# The autouse fixture in conftest.py only sets an environment variable, so running it once
# per test rather than once per example is harmless.
PROP = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

flops = st.floats(min_value=1e18, max_value=1e30, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=0.01, max_value=100.0, allow_nan=False, allow_infinity=False)
efficiencies = st.floats(min_value=0.01, max_value=1.0, allow_nan=False, allow_infinity=False)
prices = st.floats(min_value=0.01, max_value=100.0, allow_nan=False, allow_infinity=False)
overheads = st.floats(min_value=1.0, max_value=5.0, allow_nan=False, allow_infinity=False)
peaks_tflops = st.floats(min_value=1.0, max_value=10_000.0, allow_nan=False, allow_infinity=False)
chip_ids = st.sampled_from(IDS)


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def hours(q) -> float:
    return float(q.to("hour").magnitude)


def usd(q) -> float:
    return float(q.to("USD").magnitude)


def flop_of(q) -> float:
    return float(q.to("FLOP").magnitude)


def _efficiency_or_default(pid: str, prec: str, drawn: float) -> float | None:
    """The profile's default efficiency at prec if it has one (None: use it), else the drawn one."""
    return None if prec in PROFILES[pid].efficiency else drawn


# 1. cost is linear in FLOP
@PROP
@given(x=flops, k=factors, gpu=chip_ids)
def test_cost_is_linear_in_flop(x, k, gpu):
    a = flopcalc.cost(x, gpu)
    b = flopcalc.cost(k * x, gpu)
    assert close(usd(b.cost), k * usd(a.cost))
    assert close(hours(b.chip_hours), k * hours(a.chip_hours))


# 2. cost is linear in price, and is chip-hours times price
@PROP
@given(x=flops, p=prices, k=factors, gpu=chip_ids)
def test_cost_is_linear_in_price(x, p, k, gpu):
    a = flopcalc.cost(x, gpu, price=p)
    b = flopcalc.cost(x, gpu, price=f"{k * p!r} USD/hour")
    assert close(usd(b.cost), k * usd(a.cost))
    assert close(usd(a.cost), hours(a.chip_hours) * p)
    assert close(hours(a.chip_hours), hours(b.chip_hours), rel=1e-12)  # price never moves chip-hours


# 3a. chip-hours inversely proportional to efficiency
@PROP
@given(x=flops, e1=efficiencies, e2=efficiencies, gpu=chip_ids)
def test_chip_hours_inverse_in_efficiency(x, e1, e2, gpu):
    a = flopcalc.cost(x, gpu, efficiency=e1)
    b = flopcalc.cost(x, gpu, efficiency=e2)
    assert close(hours(a.chip_hours) * e1, hours(b.chip_hours) * e2)


# 3b. chip-hours inversely proportional to peak, and equal to FLOP / (peak x efficiency)
@PROP
@given(x=flops, p1=peaks_tflops, p2=peaks_tflops, e=efficiencies)
def test_chip_hours_inverse_in_peak(x, p1, p2, e):
    a = flopcalc.cost(x, "h100", peak=f"{p1!r} TFLOP/s", efficiency=e)
    b = flopcalc.cost(x, "h100", peak=Q_(p2 * 1e3, "GFLOP/s"), efficiency=e)
    assert close(hours(a.chip_hours) * p1, hours(b.chip_hours) * p2)
    assert close(hours(a.chip_hours), x / (p1 * 1e12 * e * 3600.0))


# 4. cost_with_overhead is cost times overhead (and its range ends likewise)
@PROP
@given(x=flops, o=overheads, gpu=chip_ids)
def test_cost_with_overhead_is_cost_times_overhead(x, o, gpu):
    r = flopcalc.cost(x, gpu, overhead=o)
    assert close(usd(r.cost_with_overhead), usd(r.cost) * o)
    assert close(usd(r.cost_with_overhead_low), usd(r.cost_low) * o)
    assert close(usd(r.cost_with_overhead_high), usd(r.cost_high) * o)
    default = flopcalc.cost(x, gpu)
    assert close(usd(default.cost_with_overhead), usd(default.cost) * PROFILES[gpu].overhead)


# 5. the spelling of a FLOP value never changes the answer
mantissas = st.decimals(min_value=1, max_value="9.999", places=3, allow_nan=False, allow_infinity=False)


@PROP
@given(m=mantissas, e=st.integers(min_value=18, max_value=30))
def test_flop_spelling_never_changes_the_answer(m, e):
    mf = float(m)
    ms = str(m)
    expected = float(f"{ms}e{e}")
    spellings = [
        f"{ms}e{e}",
        f"{ms}E+{e}",
        f"{ms}*10^{e}",
        f"{ms} x 10^{e}",
        f"{ms}x10**{e}",
        f"{ms}×10^{e} FLOP",
        f"{ms}e{e} FLOP",
        f"{ms}e{e - 24} YFLOP",
        f"{ms}e{e - 18} EFLOP",
        Q_(mf * 10 ** (e - 24), "YFLOP"),
        Q_(mf * 10 ** (e - 21), "ZFLOP"),
        mf * 10.0**e,
    ]
    want = expected / (PROFILES["h100"].peak["fp8"].to("FLOP/s").magnitude * 0.5 * 3600.0)
    for s in spellings:
        r = flopcalc.cost(s, "h100", precision="fp8", efficiency=0.5)
        assert close(flop_of(r.flop), expected, rel=1e-12), s
        assert close(hours(r.chip_hours), want, rel=1e-12), s
    if m == 1:
        for s in (f"10^{e}", f"10**{e}", f"1e{e}"):
            assert close(hours(flopcalc.cost(s, "h100", precision="fp8", efficiency=0.5).chip_hours), want,
                         rel=1e-12), s


# 6. unit round trips are identities
values = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@PROP
@given(v=values)
def test_unit_round_trips(v):
    rate = {"TFLOP/s": 1e12, "TFLOPS": 1e12, "PFLOP/s": 1e15, "EFLOP/s": 1e18, "GFLOP/s": 1e9,
            "FLOP/s": 1.0, "TFLOP/hour": 1e12 / 3600, "": 1e12}  # a bare number means TFLOP/s
    for unit, scale in rate.items():
        q = parse_quantity(f"{v!r} {unit}".strip(), "flop_rate")
        assert close(float(q.to("FLOP/s").magnitude), v * scale), unit
    count = {"FLOP": 1.0, "flop": 1.0, "FLOPs": 1.0, "flops": 1.0, "kFLOP": 1e3, "PFLOP": 1e15,
             "EFLOP": 1e18, "ZFLOP": 1e21, "YFLOP": 1e24, "RFLOP": 1e27, "QFLOP": 1e30, "": 1.0}
    for unit, scale in count.items():
        q = parse_quantity(f"{v!r} {unit}".strip(), "flop")
        assert close(flop_of(q), v * scale), unit
    # the same price written per hour, per minute, per second and per day
    per_hour = [f"{v!r} USD/hour", f"{v / 60!r} USD/minute", f"{v / 3600!r} USD/second",
                f"{v * 24!r} USD/day", f"${v!r}/h", f"${v!r}/hr", f"{v!r} usd/h", f"{v!r}",
                Q_(v * 1e3, "mUSD/hour")]
    for s in per_hour:
        assert close(float(parse_quantity(s, "price").to("USD/hour").magnitude), v), s
    money = {f"{v!r}": v, f"${v!r}": v, f"${v!r}k": v * 1e3, f"${v!r}M": v * 1e6, f"{v!r}B": v * 1e9,
             f"{v!r} MUSD": v * 1e6, f"{v!r} kUSD": v * 1e3}
    for s, want in money.items():
        assert close(usd(parse_quantity(s, "usd")), want), s
    # going there and back through any pair of units is the identity
    q = Q_(v, "PFLOP/s")
    assert close(float(q.to("TFLOP/s").to("EFLOP/s").to("PFLOP/s").magnitude), v)
    t = parse_quantity(f"{v!r} week", "time")
    assert close(float(t.to("day").magnitude), 7 * v)
    assert close(float(t.to("hour").to("week").magnitude), v)


# 7. budget undoes cost
@PROP
@given(x=flops, gpu=st.sampled_from(["h100", "a100", "b200", "tpu-v4", "v100"]),
       e=st.none() | efficiencies, p=st.none() | prices, pk=st.none() | peaks_tflops,
       o=st.none() | overheads)
def test_budget_inverts_cost(x, gpu, e, p, pk, o):
    kw = {k: v for k, v in dict(efficiency=e, price=p, overhead=o,
                                peak=None if pk is None else f"{pk!r} TFLOP/s").items() if v is not None}
    r = flopcalc.cost(x, gpu, **kw)
    b = flopcalc.budget(r.cost, gpu, **kw)
    assert close(flop_of(b.flop), x)
    assert close(hours(b.chip_hours), hours(r.chip_hours))
    # spending the cost with overhead buys the run plus its overhead
    b2 = flopcalc.budget(usd(r.cost_with_overhead), gpu, **kw)
    assert close(flop_of(b2.flop_after_overhead), x)
    # and the budget's evidence interval brackets the evidence point (not the assumption: never stretched)
    if b.flop_low is not None:
        assert flop_of(b.flop_low) < flop_of(b.evidence_flop_bought) < flop_of(b.flop_high)
        assert flop_of(b.flop_after_overhead_low) < flop_of(b.evidence_flop) < flop_of(b.flop_after_overhead_high)


# 8. evidence intervals contain the evidence point, for every shipped chip and precision; they are never
# stretched to hold the assumption, and assumption_in_range says honestly whether it lies inside.
@PROP
@given(x=flops, cp=st.sampled_from(CHIP_PRECISIONS), e=efficiencies, p=st.none() | prices)
def test_evidence_intervals_contain_the_evidence_point(x, cp, e, p):
    gpu, prec = cp
    eff = _efficiency_or_default(gpu, prec, e)
    kw = {k: v for k, v in dict(efficiency=eff, price=p).items() if v is not None}
    r = flopcalc.cost(x, gpu, precision=prec, **kw)
    ev = r.evidence
    if ev.chip_hours is None:
        assert ev.basis == "none" and r.chip_hours_low is None
        return
    for lo, mid, hi, conv in [
        (r.efficiency_low, flopcalc.Q_(ev.efficiency, ""), r.efficiency_high, lambda q: float(q.to("").magnitude)),
        (r.chip_hours_low, ev.chip_hours, r.chip_hours_high, hours),
        (r.cost_low, ev.cost, r.cost_high, usd),
        (r.cost_with_overhead_low, ev.cost_with_overhead, r.cost_with_overhead_high, usd),
    ]:
        assert conv(lo) < conv(mid) < conv(hi)
    e_used = PROFILES[gpu].efficiency[prec] if eff is None else eff
    inside = ev.efficiency_low <= e_used <= ev.efficiency_high
    assert r.assumption_in_range["efficiency"] is inside
    # the point estimate is the profile's (or the given) figures, independently of the range
    peak = float(PROFILES[gpu].peak[prec].to("FLOP/s").magnitude)
    assert close(hours(r.chip_hours), x / (peak * e_used * 3600.0))
    if p is None and PROFILES[gpu].price_range is not None:  # the price spread is the tier's cited range
        lo, hi = (float(q.to("USD/hour").magnitude) for q in PROFILES[gpu].price_range)
        assert close(float(r.price_low.to("USD/hour").magnitude), lo)
        assert close(float(r.price_high.to("USD/hour").magnitude), hi)


# 9. energy is linear in chip-hours (scale FLOP) and in PUE
@PROP
@given(x=flops, k=factors, pue1=st.floats(min_value=1.0, max_value=3.0),
       pue2=st.floats(min_value=1.0, max_value=3.0), gpu=chip_ids,
       gi=st.floats(min_value=0.0, max_value=2.0))
def test_energy_is_linear_in_chip_hours_and_pue(x, k, pue1, pue2, gpu, gi):
    a = flopcalc.cost(x, gpu, pue=pue1, grid_intensity=gi)
    b = flopcalc.cost(k * x, gpu, pue=pue1, grid_intensity=gi)
    c = flopcalc.cost(x, gpu, pue=pue2, grid_intensity=gi)
    mwh = lambda r: float(r.energy.to("MWh").magnitude)  # noqa: E731
    assert close(mwh(b), k * mwh(a))
    assert close(mwh(c) * pue1, mwh(a) * pue2)
    tdp_w = float(PROFILES[gpu].tdp.to("W").magnitude)
    spf, load, _ = energy_by_hand(gpu)
    want = hours(a.chip_hours) * tdp_w * spf * load * pue1 / 1e6
    assert close(mwh(a), want)
    # tonnes of CO2e = MWh x 1000 kWh/MWh x kg/kWh / 1000 kg/t
    assert close(float(a.co2e.to("tCO2e").magnitude), mwh(a) * gi) if gi else a.co2e.magnitude == 0.0


# 10. wall-clock x chips == chip-hours
@PROP
@given(x=flops, n=st.integers(min_value=1, max_value=1_000_000), gpu=chip_ids)
def test_wall_clock_times_chips_is_chip_hours(x, n, gpu):
    r = flopcalc.cost(x, gpu, chips=n)
    assert r.chips == n
    assert close(hours(r.wall_clock) * n, hours(r.chip_hours))
    s = flopcalc.cost(x, gpu, chips=str(n))
    assert close(hours(s.wall_clock), hours(r.wall_clock), rel=1e-12)


# 11. chips_needed for T days is the fewest chips that finish in T days (at least one chip)
@PROP
@given(x=st.floats(min_value=1e3, max_value=1e30), t=st.floats(min_value=0.5, max_value=1000.0), gpu=chip_ids)
def test_chips_needed_finishes_in_time(x, t, gpu):
    r = flopcalc.cost(x, gpu, days=t)
    ch = hours(r.chip_hours)
    n = r.chips_needed
    assert isinstance(n, int) and n >= 1
    # n chips finish in T days (forgiving float noise of one part in 1e9, as the code means to)...
    assert n * t * 24 >= ch * (1 - 1e-9)
    # ...and one chip fewer would not
    assert (n - 1) * t * 24 < ch


@PROP
@given(n=st.integers(min_value=1, max_value=1_000_000) | st.integers(min_value=10**7, max_value=10**9),
       t=st.integers(min_value=1, max_value=365), e=efficiencies, gpu=chip_ids)
@example(n=93_393_107, t=229, e=0.27366725485268695, gpu="h200")
@example(n=999_999_968, t=1, e=1.0, gpu="a100")
def test_a_run_sized_for_n_chips_needs_n_chips(n, t, e, gpu):
    peak = float(PROFILES[gpu].peak[PROFILES[gpu].default_precision].to("FLOP/s").magnitude)
    x = n * peak * e * t * 86400.0  # exactly what n chips do in t days
    r = flopcalc.cost(x, gpu, efficiency=e, days=t)
    assert r.chips_needed == n


# 12. size spends the budget: 6 N D == C in every mode
@PROP
@given(c=flops, n=st.floats(min_value=1e6, max_value=1e13), d=st.floats(min_value=1e6, max_value=1e15),
       r=st.floats(min_value=0.1, max_value=1000.0))
def test_size_spends_the_budget(c, n, d, r):
    by_params = flopcalc.size(c, params=n)
    assert by_params.params == n
    assert close(6 * by_params.params * by_params.tokens, c)
    by_tokens = flopcalc.size(c, tokens=d)
    assert by_tokens.tokens == d
    assert close(6 * by_tokens.params * by_tokens.tokens, c)
    optimal = flopcalc.size(c, tokens_per_param=r)
    assert close(6 * optimal.params * optimal.tokens, c)
    assert close(optimal.tokens / optimal.params, r)
    assert close(optimal.tokens_per_param, r)
    chinchilla = flopcalc.size(f"{c!r} FLOP")
    assert close(chinchilla.tokens / chinchilla.params, 20.0)  # Hoffmann et al. 2022
    assert close(chinchilla.params, math.sqrt(c / 120.0))


# 13. more FLOP never crosses fewer thresholds
@PROP
@given(x=st.floats(min_value=1e20, max_value=1e28), k=st.floats(min_value=1.0, max_value=1e4))
def test_check_is_monotone_in_flop(x, k):
    y = x * k

    def crossed(f):
        return {c.threshold.id for c in flopcalc.check(flop=f, rules=RULES).checks if c.crossed is True}

    assert crossed(x) <= crossed(y)


@PROP
@given(x=st.floats(min_value=1e20, max_value=1e28))
def test_check_crosses_a_flop_only_threshold_exactly_when_above_it(x):
    res = flopcalc.check(flop=x, rules=RULES)
    for c in res.checks:
        kinds = {lim.kind for lim in c.threshold.limits}
        if kinds != {"flop"}:
            continue
        (lim,) = c.threshold.limits
        base = flop_of(lim.value)
        assert c.crossed is ((x > base) if lim.comparison == ">" else (x >= base)), c.threshold.id
        assert close(c.ratio, x / base)


# 13b. a bigger or longer hardware run never crosses fewer thresholds
@PROP
@given(chips=st.integers(min_value=1, max_value=1_000_000), days=st.floats(min_value=1.0, max_value=365.0),
       kc=st.integers(min_value=1, max_value=100), kd=st.floats(min_value=1.0, max_value=10.0), gpu=chip_ids)
def test_check_is_monotone_in_chips_and_days(chips, days, kc, kd, gpu):
    def crossed(n, d):
        res = flopcalc.check(gpu=gpu, chips=n, days=d, rules=RULES)
        return {c.threshold.id for c in res.checks if c.crossed is True}

    base = crossed(chips, days)
    assert base <= crossed(chips * kc, days)
    assert base <= crossed(chips, days * kd)


# 13c. running days_to_cross more days crosses the threshold
@PROP
@given(chips=st.integers(min_value=1, max_value=100_000), days=st.floats(min_value=1.0, max_value=365.0),
       gpu=chip_ids)
def test_days_to_cross_is_enough(chips, days, gpu):
    res = flopcalc.check(gpu=gpu, chips=chips, days=days, rules=RULES)
    for c in res.checks:
        if c.days_to_cross is None:
            continue
        assert c.verdict != "crossed" and c.days_to_cross > 0
        later = flopcalc.check(gpu=gpu, chips=chips, days=(days + c.days_to_cross) * (1 + 1e-9), rules=RULES)
        (again,) = [k for k in later.checks if k.threshold.id == c.threshold.id]
        # "more days" is until the assumption and the whole evidence interval cross: the verdict, not just the point
        assert again.crossed is True and again.verdict == "crossed", c.threshold.id


# 14. the architecture and hardware estimates agree when the run is built to make them agree
@PROP
@given(chips=st.integers(min_value=1, max_value=200_000), days=st.floats(min_value=1.0, max_value=365.0),
       params=st.floats(min_value=1e8, max_value=1e13), e=efficiencies)
def test_methods_agree_when_they_should(chips, days, params, e):
    peak = float(PROFILES["h100"].peak["bf16"].to("FLOP/s").magnitude)
    hw = chips * peak * e * days * 86400.0
    tokens = hw / (6 * params)
    res = flopcalc.check(params=params, tokens=tokens, gpu="h100", chips=chips, days=days, efficiency=e,
                         precision="bf16", rules=RULES)
    assert close(res.method_ratio, 1.0)
    assert close(flop_of(res.architecture_flop), 6 * params * tokens)
    assert close(flop_of(res.hardware_flop), hw)
    assert close(flop_of(res.flop), hw)


# 15. negative, zero, NaN and infinite inputs always raise InputError
nonpositive_floats = st.floats(max_value=0.0, allow_nan=False, allow_infinity=False)
bad_numbers = nonpositive_floats | st.sampled_from([math.nan, math.inf, -math.inf])
bad_texts = st.sampled_from(["0", "-1", "-1e26", "nan", "NaN", "inf", "-inf", "Infinity", "+inf",
                             "1e400", "10^500", "-10^26", "nan FLOP", "-5 YFLOP", "0 FLOP"])


@PROP
@given(v=bad_numbers | bad_texts)
def test_bad_flop_raises(v):
    with pytest.raises(InputError):
        flopcalc.cost(v)
    with pytest.raises(InputError):
        flopcalc.size(v)
    with pytest.raises(InputError):
        flopcalc.check(flop=v, rules=RULES)


@PROP
@given(v=bad_numbers)
def test_bad_flop_quantity_raises(v):
    with pytest.raises(InputError):
        flopcalc.cost(Q_(v, "FLOP"))


@PROP
@given(v=bad_numbers | st.floats(min_value=1.0, exclude_min=True, allow_infinity=False)
       | st.sampled_from(["0", "-0.4", "nan", "inf", "0%", "-40%", "nan%", "150%", "1.5"]))
def test_bad_efficiency_raises(v):
    with pytest.raises(InputError):
        flopcalc.cost(1e25, efficiency=v)


@PROP
@given(v=st.floats(max_value=0.0, exclude_max=True, allow_nan=False, allow_infinity=False)
       | st.sampled_from([math.nan, math.inf, -math.inf, "-2", "nan", "inf", "-inf", "-$2/h", "nan USD/hour",
                          "inf USD/hour", "1e400 USD/hour", "-2.5 USD/hour", "2 FLOP", "2 USD"]))
def test_bad_price_raises(v):
    with pytest.raises(InputError):
        flopcalc.cost(1e25, price=v)
    with pytest.raises(InputError):
        flopcalc.budget(1e6, price=v)


@PROP
@given(x=flops, z=st.sampled_from([0, 0.0, "0", "$0/h", "0 USD/hour"]))
def test_zero_price_is_an_error(x, z):
    # Every computed number is finite and positive, or the call is a clear error: a $0 price would
    # give a $0 cost and an infinite budget, so it is refused on both sides.
    with pytest.raises(InputError, match="zero"):
        flopcalc.cost(x, price=z)
    with pytest.raises(InputError, match="zero"):
        flopcalc.budget(1e6, price=z)


@PROP
@given(v=bad_numbers | st.floats(min_value=0.0, max_value=1.0, exclude_max=True)
       | st.sampled_from(["0", "-1", "0.5", "nan", "inf", "-inf"]))
def test_bad_overhead_raises(v):
    with pytest.raises(InputError):
        flopcalc.cost(1e25, overhead=v)


# extra laws: names are case- and alias-insensitive
@PROP
@given(x=flops, cp=st.sampled_from(CHIP_PRECISIONS), e=efficiencies)
def test_names_do_not_change_the_answer(x, cp, e):
    gpu, prec = cp
    eff = _efficiency_or_default(gpu, prec, e)
    kw = {} if eff is None else {"efficiency": eff}
    ref = flopcalc.cost(x, gpu, precision=prec, **kw)
    for name in (gpu.upper(), f" {gpu} ", *PROFILES[gpu].aliases):
        r = flopcalc.cost(x, name, precision=prec.upper(), **kw)
        assert r.gpu == gpu
        assert close(hours(r.chip_hours), hours(ref.chip_hours), rel=1e-12), name
        assert close(usd(r.cost), usd(ref.cost), rel=1e-12), name


# grids are the union of their cells: each cell is cost() with that cell's assumptions
small_lists = lambda s: st.lists(s, min_size=1, max_size=3)  # noqa: E731


@PROP
@given(fs=small_lists(flops), es=small_lists(efficiencies), ps=small_lists(prices), os_=small_lists(overheads),
       gpu=chip_ids)
def test_grid_is_the_union_of_its_cells(fs, es, ps, os_, gpu):
    pytest.importorskip("numpy")
    g = flopcalc.grid(fs, gpu, efficiency=es, price=ps, overhead=os_)
    assert g.shape == (len(fs), len(es), len(ps), len(os_))
    cells = list(g.cells())
    assert len(cells) == g.size == len(fs) * len(es) * len(ps) * len(os_)
    want = [(f, e, p, o) for f in fs for e in es for p in ps for o in os_]
    for cell, (f, e, p, o) in zip(cells, want):
        assert (cell["flop"], cell["efficiency"], cell["price_usd_per_chip_hour"], cell["overhead"]) == (f, e, p, o)
        r = flopcalc.cost(f, gpu, efficiency=e, price=p, overhead=o)
        assert close(cell["chip_hours"], hours(r.chip_hours))
        assert close(cell["cost_usd"], usd(r.cost))
        assert close(cell["cost_with_overhead_usd"], usd(r.cost_with_overhead))
        assert close(cell["chip_hours"], f / (float(PROFILES[gpu].peak[PROFILES[gpu].default_precision]
                                                     .to("FLOP/s").magnitude) * e * 3600.0))


# the chips a cluster threshold needs: the fewest whose combined peak passes the limit
CLUSTER_RULES = [t for t in RULES if t.limits and {lim.kind for lim in t.limits} == {"flop_per_s"}]


@PROP
@given(p=peaks_tflops | st.floats(min_value=1e-3, max_value=1.0), k=st.integers(min_value=1, max_value=10**9))
def test_cluster_chips_needed_is_the_fewest_that_pass(p, k):
    from flopcalc.verdicts import threshold_costs

    for peak in (p * 1e12, None):
        for t in CLUSTER_RULES:
            (lim,) = t.limits
            base = float(lim.value.to("FLOP/s").magnitude)
            per_chip = base / k if peak is None else peak  # None: a chip sized so k of them reach the limit
            (tc,) = threshold_costs([t], "h100", peak=f"{per_chip!r} FLOP/s")
            n = tc.chips_needed
            if peak is None:
                assert n == (k + 1 if lim.comparison == ">" else k), t.id
            else:
                # n chips pass the limit; n - 1 do not (figures within REL_TOL of a line count as on it)
                from flopcalc.rules import REL_TOL as tol

                assert (n * per_chip > base * (1 + tol) if lim.comparison == ">"
                        else n * per_chip >= base * (1 - tol)), t.id
                assert (n - 1) * per_chip <= base * (1 + tol), t.id
