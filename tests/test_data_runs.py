"""The shipped known-runs data, read as plain YAML (independent of flopcalc's loader)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "src" / "flopcalc" / "data" / "runs.yaml"
DOC = yaml.safe_load(DATA.read_text(encoding="utf-8"))
RUNS = DOC["runs"]
BY_MODEL = {r["model"]: r for r in RUNS}

FLOP_KINDS = {"reported", "lower-bound", "6ND"}
CHIP_HOURS_KINDS = {"reported", "chips-x-days", "upper-bound"}
# wording that makes a token (or parameter) count a floor
FLOOR_WORDS = re.compile(r"15T\+|over 15 trillion|more than 12 trillion")


def test_top_level() -> None:
    assert set(DOC) == {"data_as_of", "runs"}
    assert DOC["data_as_of"] == dt.date(2026, 11, 24)
    assert len(RUNS) >= 30
    assert len(BY_MODEL) == len(RUNS)


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_kinds(run: dict) -> None:
    assert run["flop_kind"] in FLOP_KINDS, run["model"]
    assert run["chip_hours_kind"] is None or run["chip_hours_kind"] in CHIP_HOURS_KINDS, run["model"]


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_kinds_agree_with_the_figures(run: dict) -> None:
    m = run["model"]
    if run["flop"] is not None:
        assert run["flop_kind"] == "reported", m
    else:
        assert run["flop_kind"] in ("6ND", "lower-bound"), m
        assert run["params"] and run["tokens"], m
    if run["chip_hours"] is not None:
        assert run["chip_hours_kind"] == "reported", m
    elif run["chip_hours_kind"] is not None:
        assert run["chip_hours_kind"] in ("chips-x-days", "upper-bound"), m
        assert run["chips"] and run["days"], m
    else:
        assert not (run["chips"] and run["days"]), m  # chips x days was possible but not labelled


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_sources_are_citable(run: dict) -> None:
    assert re.search(r"https?://\S", run["source"]), run["model"]
    for field in ("source", "notes"):
        assert not re.search(r"\bC1\b", run[field]), (run["model"], field)
        assert not re.search(r"\b(via|per|in) E\b", run[field]), (run["model"], field)


def test_floor_token_counts_are_lower_bounds() -> None:
    floors = [r for r in RUNS if r["flop"] is None and FLOOR_WORDS.search(r["notes"] + r["source"])]
    assert {r["model"] for r in floors} >= {"Llama 3.1 70B", "Llama 3.1 8B", "Llama 3 70B", "Llama 3 8B", "DBRX"}
    for r in floors:
        assert r["flop_kind"] == "lower-bound", r["model"]
    for r in RUNS:
        if r["flop"] is None and "15T+" in r["notes"]:
            assert r["flop_kind"] == "lower-bound", r["model"]


def test_bounds_are_justified_in_notes() -> None:
    for r in RUNS:
        if r["flop_kind"] == "lower-bound":
            assert "flop_kind lower-bound" in r["notes"], r["model"]
        if r["chip_hours_kind"] == "upper-bound":
            assert "chip_hours_kind upper-bound" in r["notes"], r["model"]
    assert BY_MODEL["GLM-130B"]["chip_hours_kind"] == "upper-bound"  # 60 days is an access window


def test_mfu_is_a_reported_fraction() -> None:
    for r in RUNS:
        mfu = r["mfu"]
        if mfu is None:
            continue
        values = mfu if isinstance(mfu, list) else [mfu]
        assert len(values) in (1, 2) and values == sorted(values), r["model"]
        assert all(0 < v < 1 for v in values), r["model"]


def test_precision_flag() -> None:
    for r in RUNS:
        assert isinstance(r["precision_assumed"], bool), r["model"]
        if r["precision_assumed"]:
            assert r["precision"] is not None, r["model"]
