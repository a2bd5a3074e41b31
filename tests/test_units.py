"""How unit strings are read: FLOP is a count, FLOP/s and FLOPS a rate, USD a currency."""

from __future__ import annotations

import math

import pytest

import flopcalc
from flopcalc.units import parse_quantity


@pytest.mark.parametrize(("text", "flop"), [
    ("1e26", 1e26), ("1E+26", 1e26), ("10^26", 1e26), ("10**26", 1e26), ("1.5 x 10^25", 1.5e25),
    ("3*10**25 FLOP", 3e25), ("1e26 FLOP", 1e26), ("100 YFLOP", 1e26), ("1e26 FLOPs", 1e26), ("1e26 flop", 1e26),
    ("1e26 flops", 1e26), ("5 ZFLOP", 5e21),
])
def test_flop_counts(text: str, flop: float) -> None:
    assert math.isclose(parse_quantity(text, "flop").to("FLOP").magnitude, flop, rel_tol=1e-12)


@pytest.mark.parametrize(("text", "rate"), [
    ("2000 TFLOP/s", 2e15), ("2000 TFLOPS", 2e15), ("2 PFLOP/s", 2e15), ("2000", 2e15), ("1.979 PFLOPS", 1.979e15),
    ("7.2e18 FLOP/hour", 2e15),
])
def test_flop_rates(text: str, rate: float) -> None:
    assert math.isclose(parse_quantity(text, "flop_rate").to("FLOP/s").magnitude, rate, rel_tol=1e-12)


@pytest.mark.parametrize("text", ["2000 TFLOPs", "2000 TFLOP", "2000 flops", "2000 Hz"])
def test_counts_are_not_rates(text: str) -> None:
    with pytest.raises(flopcalc.InputError):
        parse_quantity(text, "flop_rate")


def test_flop_is_its_own_dimension() -> None:
    ureg = flopcalc.registry()
    assert ureg.Quantity(1, "FLOP/s").dimensionality != ureg.Quantity(1, "1/s").dimensionality
    assert ureg.Quantity(1, "USD").dimensionality != ureg.Quantity(1, "FLOP").dimensionality
    with pytest.raises(Exception):
        ureg.Quantity(1, "USD") + ureg.Quantity(1, "FLOP")


@pytest.mark.parametrize(("text", "usd"), [
    ("100e6", 1e8), ("$100M", 1e8), ("2.5B", 2.5e9), ("100 MUSD", 1e8), ("$250k", 2.5e5), ("1.2 GUSD", 1.2e9),
])
def test_money(text: str, usd: float) -> None:
    assert math.isclose(parse_quantity(text, "usd").to("USD").magnitude, usd, rel_tol=1e-12)


@pytest.mark.parametrize(("text", "per_hour"), [("2.5 USD/hour", 2.5), ("$2/h", 2.0), ("2", 2.0),
                                                ("0.05 USD/minute", 3.0), ("48 USD/day", 2.0)])
def test_prices(text: str, per_hour: float) -> None:
    assert math.isclose(parse_quantity(text, "price").to("USD/hour").magnitude, per_hour, rel_tol=1e-12)


def test_the_registry_is_small_and_built_once() -> None:
    assert flopcalc.registry() is flopcalc.registry()
    with pytest.raises(Exception):
        flopcalc.registry().parse_units("parsec")  # not in flopcalc's registry
