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

FLOP_KINDS = {"reported", "counted", "lower-bound", "6ND"}
CHIP_HOURS_KINDS = {"reported", "chips-x-days", "calendar-window", "upper-bound", "rate-x-tokens"}
EPOCH = [r for r in RUNS if "epoch" in r]
# wording that makes a token (or parameter) count a floor
FLOOR_WORDS = re.compile(r"15T\+|over 15 trillion|more than 12 trillion")


def test_top_level() -> None:
    assert set(DOC) == {"data_as_of", "runs"}
    assert DOC["data_as_of"] == dt.date(2026, 12, 6)
    assert len(RUNS) >= 120
    assert len(BY_MODEL) == len(RUNS)


def test_epoch_rows_carry_provenance_and_the_licence() -> None:
    assert len(EPOCH) >= 30
    commits = {r["epoch"]["commit"] for r in EPOCH}
    assert len(commits) == 1 and re.fullmatch(r"[0-9a-f]{40}", commits.pop())  # one pinned snapshot
    for r in EPOCH:
        ep = r["epoch"]
        assert ep["system"] and ep["columns"] and "Training compute (FLOP)" in ep["columns"], r["model"]
        assert "Epoch AI" in r["source"] and "CC-BY" in r["source"], r["model"]
    head = DATA.read_text(encoding="utf-8").split("runs:")[0]
    assert "CC-BY 4.0" in head and "epoch-research/training-cost-trends" in head


_HISTORY = re.compile(r"\bthe reference\b|previous version|earlier marked|previously kept|this file|"
                      r"shared/reference|known-runs\.yaml|\bflopcalc's own\b", re.I)
_MIRRORS = re.compile(r"taodong\.net|xuzou\.cn|emergentmind|pulsatingnews|railway\.app|pages\.dev|aiportalx")


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_notes_speak_of_the_run_and_cite_primary_sources(run: dict) -> None:
    """Issue 22: no note speaks of this project's own files or history; no mirror stands in for a source."""
    for field in ("source", "notes"):
        text = run.get(field) or ""
        assert not _HISTORY.search(text), (run["model"], field, _HISTORY.search(text))
        assert not _MIRRORS.search(text), (run["model"], field)


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_kinds(run: dict) -> None:
    assert run["flop_kind"] in FLOP_KINDS, run["model"]
    assert run["chip_hours_kind"] is None or run["chip_hours_kind"] in CHIP_HOURS_KINDS, run["model"]


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_kinds_agree_with_the_figures(run: dict) -> None:
    m = run["model"]
    if run.get("flop") is not None:
        assert run["flop_kind"] in ("reported", "counted"), m
    else:
        assert run["flop_kind"] in ("6ND", "lower-bound"), m
        assert run["params"] and run["tokens"], m
    if run.get("chip_hours") is not None:
        assert run["chip_hours_kind"] in ("reported", "calendar-window"), m
        if run["chip_hours_kind"] == "calendar-window":  # a sum of stated windows (Olmo 3 32B): the sum is shown
            assert "Derived" in run["notes"], m
    elif run["chip_hours_kind"] == "rate-x-tokens":
        assert run["chip_hours_per_trillion_tokens"] and run["tokens"], m
        assert not run.get("chips") or not run.get("days"), m
    elif run["chip_hours_kind"] is not None:
        assert run["chip_hours_kind"] in ("chips-x-days", "calendar-window", "upper-bound"), m
        assert run["chips"] and run["days"], m
    else:
        assert not (run.get("chips") and run.get("days")), m  # chips x days was possible but not labelled


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r["model"])
def test_sources_are_citable(run: dict) -> None:
    assert re.search(r"https?://\S", run["source"]), run["model"]
    for field in ("source", "notes"):
        assert not re.search(r"\bC1\b", run.get(field) or ""), (run["model"], field)
        assert not re.search(r"\b(via|per|in) E\b", run.get(field) or ""), (run["model"], field)


def test_floor_token_counts_are_lower_bounds() -> None:
    floors = [r for r in RUNS if r.get("flop") is None and FLOOR_WORDS.search((r.get("notes") or "") + r["source"])]
    assert {r["model"] for r in floors} >= {"Llama 3.1 70B", "Llama 3.1 8B", "Llama 3 70B", "Llama 3 8B", "DBRX"}
    for r in floors:
        assert r["flop_kind"] == "lower-bound", r["model"]
    for r in RUNS:
        if r.get("flop") is None and "15T+" in (r.get("notes") or ""):
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
        mfu = r.get("mfu")
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


def test_a_reported_rate_times_the_tokens_gives_the_chip_hours() -> None:
    from flopcalc.runs import load_runs

    by = {r.model: r for r in load_runs()}
    hours, kind = by["DeepSeek-V2"].hours
    assert kind == "rate-x-tokens" and hours == 172_800 * 8.1  # "172.8K GPU hours" per trillion tokens, 8.1T tokens
