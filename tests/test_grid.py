"""The vectorised grid agrees with the scalar calculator, cell for cell."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
import flopcalc  # noqa: E402


def test_grid_shape_and_essay_cell() -> None:
    g = flopcalc.grid([1e25, 1e26], "h100", efficiency=[0.3, 0.4], price=[2.0, 3.0], overhead=[1.0, 1.5],
                      peak="2000 TFLOP/s")
    assert g.shape == (2, 2, 2, 2) and g.size == 16
    assert math.isclose(g.cost_with_overhead.to("USD").magnitude[1, 1, 0, 1], 1e26 / 2.88e18 * 2 * 1.5)
    assert math.isclose(g.chip_hours.to("hour").magnitude[1, 1], 1e26 / 2.88e18)
    assert len(list(g.cells())) == 16


def test_grid_defaults_are_the_profile() -> None:
    g = flopcalc.grid(1e26, "a100")
    assert g.shape == (1, 1, 1, 1)
    assert math.isclose(g.cost.to("USD").magnitude.item(), 1e26 / (312e12 * 0.6 * 3600) * 0.8)


@pytest.mark.parametrize(("kw", "bad"), [({"efficiency": [0.4, 1.5]}, "1.5"), ({"efficiency": [0.0]}, "0.0"),
                                          ({"price": [-1.0]}, "-1.0"), ({"overhead": [0.5]}, "0.5"),
                                          ({"efficiency": [float("nan")]}, "nan")])
def test_grid_rejects_bad_values(kw, bad) -> None:
    with pytest.raises(flopcalc.InputError, match=bad):
        flopcalc.grid([1e26], "h100", **kw)


def test_grid_rejects_bad_flop() -> None:
    with pytest.raises(flopcalc.InputError):
        flopcalc.grid([1e26, -1.0], "h100")


values = st.lists(st.floats(min_value=0.05, max_value=1.0), min_size=1, max_size=3)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flops=st.lists(st.floats(min_value=1e20, max_value=1e28), min_size=1, max_size=3), effs=values,
       prices=st.lists(st.floats(min_value=0.1, max_value=20), min_size=1, max_size=3),
       overheads=st.lists(st.floats(min_value=1, max_value=3), min_size=1, max_size=2),
       gpu=st.sampled_from(["h100", "a100", "tpu-v4", "b200"]))
def test_grid_is_the_union_of_its_cells(flops, effs, prices, overheads, gpu) -> None:
    g = flopcalc.grid(flops, gpu, efficiency=effs, price=prices, overhead=overheads)
    for cell in g.cells():
        r = flopcalc.cost(cell["flop"], gpu, efficiency=cell["efficiency"], price=cell["price_usd_per_chip_hour"],
                          overhead=cell["overhead"])
        assert math.isclose(cell["chip_hours"], r.chip_hours.to("hour").magnitude, rel_tol=1e-12)
        assert math.isclose(cell["cost_usd"], r.cost.to("USD").magnitude, rel_tol=1e-12)
        assert math.isclose(cell["cost_with_overhead_usd"], r.cost_with_overhead.to("USD").magnitude, rel_tol=1e-12)
