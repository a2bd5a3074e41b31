"""The library feels native in a notebook: results are data, with short reprs, HTML and DataFrames."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from conftest import invoke

import flopcalc


@pytest.fixture(scope="module")
def result() -> flopcalc.CostResult:
    return flopcalc.cost(1e26, gpu="h100")


def test_to_dict_is_the_cli_json(result) -> None:
    d = result.to_dict()
    json.dumps(d, allow_nan=False)
    (cli_row,) = json.loads(invoke(["cost", "1e26", "--gpu", "h100", "--format", "json"]).stdout)
    assert list(d) == list(cli_row)
    assert d["cost_usd"] == cli_row["cost_usd"] == pytest.approx(1e26 / (1979e12 * 0.4 * 3600) * 2.0, rel=1e-12)


@pytest.mark.parametrize("make", [
    lambda: flopcalc.cost(1e26, gpu="h100"), lambda: flopcalc.budget("$50M", "h100"),
    lambda: flopcalc.check(flop=2e26, as_of="2026-12-01"), lambda: flopcalc.size(1e25),
    lambda: flopcalc.plan("$50M", gpu="h100", days=90), lambda: flopcalc.trend([1e26], start=2024, end=2027)[0],
])
def test_results_are_data(make) -> None:
    r = make()
    assert len(repr(r)) < 300, repr(r)
    json.dumps(r.to_dict(), allow_nan=False)
    dataclasses.asdict(r)


def test_html_repr_is_a_small_escaped_table(result) -> None:
    html = result._repr_html_()
    assert html.startswith("<table>") and "<script" not in html and "cost_usd" in html


def test_to_frame(result) -> None:
    pd = pytest.importorskip("pandas")
    df = flopcalc.to_frame([result, flopcalc.cost(1e25, gpu="a100")])
    assert isinstance(df, pd.DataFrame) and df.shape[0] == 2
    assert list(df["gpu"]) == ["h100", "a100"] and df.loc[0, "cost_usd"] == result.to_dict()["cost_usd"]
    with pytest.raises(flopcalc.InputError):
        flopcalc.to_frame([object()])


def test_to_frame_without_pandas_says_how_to_install() -> None:
    code = ("import sys; sys.modules['pandas'] = None\nimport flopcalc\n"
            "try:\n    flopcalc.to_frame([flopcalc.cost(1e26)])\nexcept flopcalc.MissingExtraError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "needs pandas" in out and "pip install" in out


def test_no_submodule_shadows_a_public_function() -> None:
    import importlib

    for name in ("estimate", "verdicts", "trends", "planning", "sweep", "rules", "sizing", "frames"):
        importlib.import_module(f"flopcalc.{name}")
    assert callable(flopcalc.grid) and callable(flopcalc.trend) and callable(flopcalc.plan)
    assert callable(flopcalc.check) and callable(flopcalc.thresholds) and callable(flopcalc.cost)


def test_py_typed_is_shipped() -> None:
    from importlib.resources import files

    assert files("flopcalc").joinpath("py.typed").is_file()


def test_to_frame_of_a_single_result_is_one_row() -> None:
    pytest.importorskip("pandas")
    r = flopcalc.cost(1e26, gpu="h100")
    df = flopcalc.to_frame(r)
    assert df.shape[0] == 1 and df["cost_usd"].iloc[0] == r.to_dict()["cost_usd"]
    with pytest.raises(flopcalc.FlopcalcError):
        flopcalc.to_frame(5)
