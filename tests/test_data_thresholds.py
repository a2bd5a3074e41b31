"""The shipped thresholds data, read as plain YAML (independent of flopcalc's loader)."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "src" / "flopcalc" / "data" / "thresholds.yaml"
DOC = yaml.safe_load(DATA.read_text(encoding="utf-8"))
ROWS = DOC["thresholds"]
BY_ID = {r["id"]: r for r in ROWS}

KINDS = {"flop", "flop_per_s", "usd", "revenue_usd", "relative"}
UNITS = {"flop": "FLOP", "flop_per_s": "FLOP/s", "usd": "USD", "revenue_usd": "USD"}
STATUSES = {"in-force", "enacted", "proposed", "guidance", "vetoed", "rescinded", "not-enforced", "superseded"}
EU_ROWS = {"eu-ai-act-systemic-risk", "eu-gpai-indicative", "eu-gpai-downstream-modification",
           "eu-gpai-sr-modification"}
PRIMARY_HOSTS = ("eur-lex.europa.eu", "digital-strategy.ec.europa.eu", "federalregister.gov", "bis.gov", "gao.gov",
                 "leginfo.legislature.ca.gov", "nysenate.gov", "ilga.gov", "cga.ct.gov", "congress.gov",
                 "legislature.mi.gov", "law.go.kr")
DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _date(value: object) -> str:
    """A YYYY, YYYY-MM or YYYY-MM-DD date as an ISO string; fail on anything else."""
    s = value.isoformat() if isinstance(value, dt.date) else str(value)
    assert DATE_RE.fullmatch(s), f"not a date: {value!r}"
    parts = [int(p) for p in s.split("-")]
    try:  # a real calendar date, not just the right shape
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise AssertionError(f"not a calendar date: {value!r}") from exc
    return s


def _number(quantity: str, unit: str) -> Fraction:
    """The exact number in '1e25 FLOP', checking the unit."""
    number, _, got = str(quantity).partition(" ")
    assert got == unit, f"{quantity!r}: unit should be {unit}"
    return Fraction(number)


def status_on(row: dict, date: str) -> str | None:
    """The status of the last history entry on or before `date`; None before the first ("absent")."""
    status = None
    for entry in row["history"]:
        if _date(entry["date"]) <= date:
            status = entry["status"]
    return status


def test_top_level() -> None:
    assert set(DOC) == {"data_as_of", "thresholds"}
    assert DOC["data_as_of"] == dt.date(2026, 11, 24)


def test_ids_are_unique_and_every_reference_row_is_there() -> None:
    ids = [r.get("id") for r in ROWS]
    assert all(isinstance(i, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in ids), ids
    assert len(ids) == len(set(ids))
    expected = {
        "eu-ai-act-systemic-risk", "eu-gpai-indicative", "eu-gpai-downstream-modification", "eu-gpai-sr-modification",
        "us-eo-14110", "us-eo-14110-bio", "us-eo-14110-cluster", "us-bis-reporting-nprm", "us-bis-ai-diffusion",
        "us-ca-sb1047", "us-ca-sb1047-finetune", "us-ca-sb1047-cluster", "us-ca-sb53", "us-ca-sb53-large",
        "us-ny-raise", "us-ny-raise-large", "us-ny-raise-2025", "us-il-sb315", "us-il-sb315-large", "us-ct-pa-26-15",
        "us-s2938", "us-gaaia-draft", "us-frontier-act", "us-hr-9917", "us-mi-hb4668", "kr-ai-basic-act",
        # kept from the previous file
        "eu-gpai-indicative-draft", "us-bis-reporting-nprm-cluster", "us-ny-raise-2025-distilled",
    }
    assert expected <= set(ids), expected - set(ids)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_limits(row: dict) -> None:
    assert row["limits"], row["id"]
    for lim in row["limits"]:
        assert lim.get("kind") in KINDS, (row["id"], lim)
        assert lim["comparison"] in (">", ">="), (row["id"], lim)
        if lim["kind"] == "relative":
            assert "value" not in lim
            assert Fraction(str(lim["fraction"])) > 0
            assert _number(lim["fallback_base"], "FLOP") > 0
        else:
            assert _number(lim["value"], UNITS[lim["kind"]]) > 0


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_status_and_history(row: dict) -> None:
    assert row["status"] in STATUSES, row["id"]
    history = row["history"]
    assert isinstance(history, list) and history, row["id"]
    dates = [_date(h["date"]) for h in history]
    assert dates == sorted(dates), (row["id"], dates)
    for h in history:
        assert h["status"] in STATUSES and h["event"], (row["id"], h)
    assert history[-1]["status"] == row["status"], row["id"]
    assert all(_date(h["date"]) <= DOC["data_as_of"].isoformat() for h in history), row["id"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_effective_dates_agree_with_history(row: dict) -> None:
    history = row["history"]
    start, until = row["effective_from"], row["effective_until"]
    in_force = [_date(h["date"]) for h in history if h["status"] == "in-force"]
    rescinded = [_date(h["date"]) for h in history if h["status"] == "rescinded"]
    if in_force:
        assert start is not None and _date(start) == in_force[0], row["id"]
    if start is not None:
        assert _date(start) >= _date(history[0]["date"]), row["id"]
    if row["status"] in ("proposed", "vetoed", "superseded"):
        assert start is None, row["id"]
    if rescinded:
        assert until is not None and _date(until) == rescinded[0], row["id"]
    else:
        assert until is None, row["id"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["id"])
def test_source_confidence_and_cumulative(row: dict) -> None:
    assert re.search(r"https?://\S", row["source"]), row["id"]
    assert row["confidence"] in ("confirmed", "unconfirmed"), row["id"]
    if row["confidence"] == "unconfirmed":
        assert "UNCONFIRMED" in row["note"], row["id"]
    assert isinstance(row["cumulative"], bool), row["id"]


def test_sources_point_at_the_primary_hosts() -> None:
    for row in ROWS:
        assert any(host in row["source"] for host in PRIMARY_HOSTS), row["id"]


def test_cumulative_rules() -> None:
    cumulative = {r["id"] for r in ROWS if r["cumulative"]}
    assert cumulative == {"eu-ai-act-systemic-risk", "us-ca-sb53", "us-ny-raise", "us-il-sb315", "kr-ai-basic-act",
                          "us-bis-ai-diffusion", "us-gaaia-draft",
                          # a large frontier developer is a frontier developer (the cumulative compute test) with revenue
                          "us-ca-sb53-large", "us-ny-raise-large", "us-il-sb315-large"}


def test_eu_counting_block() -> None:
    for tid in EU_ROWS:
        c = BY_ID[tid]["counting"]
        assert c["operations"] == "floating-point only"
        assert c["tolerance"] == 0.30 and c["significant_figures"] == 2
        assert c["includes"] and c["excludes"] and len(c["methods"]) == 2
        assert {"teacher models", "reward models", "evaluations"} <= set(c["excludes"])
    assert "fine-tuning" in BY_ID["eu-ai-act-systemic-risk"]["counting"]["includes"]
    assert not {r["id"] for r in ROWS if "counting" in r} - EU_ROWS


@pytest.mark.parametrize(("tid", "kind", "comparison", "value"), [
    ("eu-ai-act-systemic-risk", "flop", ">", 10**25),
    ("eu-gpai-indicative", "flop", ">", 10**23),
    ("kr-ai-basic-act", "flop", ">=", 10**26),
    ("us-ca-sb1047-finetune", "flop", ">=", 3 * 10**25),
    ("us-ca-sb1047-cluster", "flop_per_s", ">=", 10**20),
    ("us-ca-sb1047", "flop", ">", 10**26),
    ("us-ca-sb53", "flop", ">", 10**26),
    ("us-ny-raise", "flop", ">", 10**26),
    ("us-il-sb315", "flop", ">", 10**26),
    ("us-s2938", "flop", ">", 10**26),
    ("us-bis-ai-diffusion", "flop", ">", 10**26),
])
def test_comparisons_as_the_texts_say(tid: str, kind: str, comparison: str, value: int) -> None:
    (lim,) = [lim for lim in BY_ID[tid]["limits"] if lim["kind"] == kind]
    assert lim["comparison"] == comparison
    assert _number(lim["value"], UNITS[kind]) == value


def test_illinois_is_enacted() -> None:
    il = BY_ID["us-il-sb315"]
    assert il["status"] == "enacted"
    assert _date(il["effective_from"]) == "2027-01-01"
    assert any(h["status"] == "enacted" and _date(h["date"]) == "2026-07-06" for h in il["history"])


def test_ai_diffusion_is_not_enforced_not_rescinded() -> None:
    row = BY_ID["us-bis-ai-diffusion"]
    assert row["status"] == "not-enforced"
    assert [(_date(h["date"]), h["status"]) for h in row["history"]] == [
        ("2025-01-13", "in-force"), ("2025-05-13", "not-enforced")]
    assert row["effective_until"] is None


@pytest.mark.parametrize(("tid", "base"), [
    ("eu-gpai-downstream-modification", 10**23),
    ("eu-gpai-sr-modification", 10**25),
])
def test_eu_modification_fallbacks_are_exact_thirds(tid: str, base: int) -> None:
    (lim,) = BY_ID[tid]["limits"]
    assert lim["kind"] == "relative" and lim["comparison"] == ">"
    fraction = Fraction(str(lim["fraction"]))
    assert fraction == Fraction(1, 3)
    assert fraction * _number(lim["fallback_base"], "FLOP") == Fraction(base, 3)


@pytest.mark.parametrize("tid", ["us-ca-sb53-large", "us-ny-raise-large", "us-il-sb315-large", "us-ct-pa-26-15"])
def test_500m_revenue_tiers(tid: str) -> None:
    revenue = [lim for lim in BY_ID[tid]["limits"] if lim["kind"] == "revenue_usd"]
    assert len(revenue) == 1
    assert _number(revenue[0]["value"], "USD") == 5 * 10**8
    assert revenue[0]["comparison"] == ">"


def test_status_on_a_date() -> None:
    assert status_on(BY_ID["us-eo-14110"], "2024-06-01") == "in-force"
    assert status_on(BY_ID["us-eo-14110"], "2025-06-01") == "rescinded"
    assert status_on(BY_ID["us-eo-14110"], "2023-10-29") is None
    assert status_on(BY_ID["us-ca-sb53"], "2024-06-01") is None  # introduced 2025-01-07
    assert all(_date(h["date"]) > "2024-06-01" for h in BY_ID["us-ca-sb53"]["history"])
    assert _date(BY_ID["us-ca-sb53"]["history"][0]["date"]) == "2025-01-07"
    assert status_on(BY_ID["us-ca-sb53"], "2026-06-01") == "in-force"
    assert status_on(BY_ID["us-bis-ai-diffusion"], "2025-03-01") == "in-force"
    assert status_on(BY_ID["us-bis-ai-diffusion"], "2026-11-24") == "not-enforced"
    assert status_on(BY_ID["us-ny-raise-2025"], "2026-01-01") == "enacted"
    assert status_on(BY_ID["us-ny-raise-2025"], "2026-06-01") == "superseded"


def test_alternative_tests_are_separate_rows() -> None:
    # `limits` means AND: a run test and a cluster test, or a compute line and revenue tiers, never share a row
    # ... except where the statute itself joins them: a "large frontier developer" (SB 53, RAISE as amended,
    # Illinois) is a frontier developer (over 1e26 FLOP) AND has over $500M revenue.
    statutory_and = {"us-ca-sb53-large", "us-ny-raise-large", "us-il-sb315-large"}
    for row in ROWS:
        kinds = {lim["kind"] for lim in row["limits"]}
        assert not ({"flop", "flop_per_s"} <= kinds), row["id"]
        assert not ({"flop", "revenue_usd"} <= kinds) or row["id"] in statutory_and, row["id"]
    for rid in statutory_and:
        assert sorted(lim["kind"] for lim in BY_ID[rid]["limits"]) == ["flop", "revenue_usd"], rid
    gaaia = [r for r in ROWS if r["id"].startswith("us-gaaia-draft")]
    assert sorted(lim["kind"] for r in gaaia for lim in r["limits"]) == ["flop", "revenue_usd", "revenue_usd"]


def test_unconfirmed_rows() -> None:
    for tid in ("us-gaaia-draft", "us-frontier-act", "us-hr-9917", "us-mi-hb4668", "kr-ai-basic-act", "us-ct-pa-26-15"):
        assert BY_ID[tid]["confidence"] == "unconfirmed", tid
    for tid in ("us-s2938", "us-gaaia-draft", "us-frontier-act", "us-hr-9917", "us-mi-hb4668"):
        assert BY_ID[tid]["status"] == "proposed", tid
    assert BY_ID["kr-ai-basic-act"]["status"] == "in-force"
    assert _date(BY_ID["kr-ai-basic-act"]["effective_from"]) == "2026-01-22"
    assert BY_ID["eu-ai-act-systemic-risk"]["confidence"] == "confirmed"


def test_frontier_act_is_hr_9925() -> None:
    from conftest import invoke

    out = invoke(["thresholds", "show", "us-frontier-act"]).stdout
    assert "H.R. 9925" in out and "2026-07-23" in out
    assert "congress.gov/bill/119th-congress/house-bill/9925" in out


def test_no_source_is_a_search_page() -> None:
    from flopcalc.rules import load_thresholds

    for t in load_thresholds():
        assert "/search?" not in t.source, t.id
