"""The shipped hardware profiles, checked as plain data.

These tests read hardware/*.yaml with `yaml.safe_load` directly, not through flopcalc's loader,
so a loader bug cannot hide a data bug (and the data can be checked while the loader changes).
Quantities are parsed with a small regex of our own.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HARDWARE = ROOT / "hardware"
PRICE_HISTORY = ROOT.parent / "shared" / "reference" / "price-history.csv"

TIERS = {f"{market}-{kind}" for market in ("hyperscaler", "neocloud")
         for kind in ("on-demand", "contract-1yr", "contract-3yr", "spot")}
CONFIDENCE = {"high", "medium", "low"}
NEW_IDS = {"b300", "gb300", "trainium2", "trainium3", "tpu-v7", "h20", "ascend-910b", "ascend-910c", "gh200",
           "a100-40gb", "v100-16gb"}
HOPPER_DIE = ("h100", "h800", "h200", "gh200")
HOPPER_PEAKS = {"fp8": 1979, "bf16": 989.4, "fp16": 989.4, "tf32": 494.7, "fp32": 66.9}
MAX_TIER_SPREAD = 4.0  # high / low within one price tier

_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([A-Za-z/%$]+(?:/[A-Za-z]+)?)?\s*$")
_TO_BASE = {  # unit -> (kind, factor to the kind's base unit)
    "TFLOP/s": ("flop_rate", 1.0), "PFLOP/s": ("flop_rate", 1e3), "GFLOP/s": ("flop_rate", 1e-3),
    "W": ("power", 1.0), "kW": ("power", 1e3),
    "GB": ("memory", 1.0), "TB": ("memory", 1e3), "GiB": ("memory", 2**30 / 1e9), "TiB": ("memory", 2**40 / 1e9),
    "USD/hour": ("price", 1.0), "USD/h": ("price", 1.0),
}
_BANNED = [(re.compile(r"recalled", re.I), "recalled"), (re.compile(r"\bC1\b"), "C1"),
           (re.compile(r"hardware\.md", re.I), "hardware.md")]


def quantity(value, kind: str, bare_unit: str | None = None) -> float:
    """'989.4 TFLOP/s' -> 989.4 in the kind's base unit (TFLOP/s, W, GB, USD/hour)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert bare_unit is not None, f"bare number {value!r} where a {kind} with a unit is needed"
        return float(value)
    m = _QUANTITY.match(str(value))
    assert m, f"cannot read {value!r} as a quantity"
    number, unit = float(m.group(1)), m.group(2) or bare_unit
    assert unit in _TO_BASE, f"unknown unit in {value!r}"
    got_kind, factor = _TO_BASE[unit]
    assert got_kind == kind, f"{value!r} is a {got_kind}, expected a {kind}"
    return number * factor


def date_parts(value) -> tuple[int, ...]:
    """A YYYY, YYYY-MM or YYYY-MM-DD date (quoted or not) as a tuple of its parts."""
    if isinstance(value, dt.date):
        return (value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    assert isinstance(value, str), f"not a date: {value!r}"
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    assert m, f"not a YYYY, YYYY-MM or YYYY-MM-DD date: {value!r}"
    parts = tuple(int(p) for p in m.groups() if p is not None)
    if len(parts) >= 2:
        assert 1 <= parts[1] <= 12, f"bad month in {value!r}"
    if len(parts) == 3:
        dt.date(*parts)  # raises on an impossible day
    return parts


def earlier(a, b) -> bool:
    """True when date a is before date b, compared at the coarser of their two precisions."""
    pa, pb = date_parts(a), date_parts(b)
    n = min(len(pa), len(pb))
    return pa[:n] < pb[:n]


def _load() -> dict[str, tuple[Path, dict]]:
    out = {}
    for path in sorted(HARDWARE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), f"{path.name}: not a mapping"
        out[path.stem] = (path, data)
    return out


PROFILES = _load()
IDS = sorted(PROFILES)


def _sources(data: dict) -> list:
    sources = data.get("sources")
    assert isinstance(sources, list) and sources, "no sources"
    return sources


def _source_texts(data: dict) -> list[str]:
    texts = []
    for s in _sources(data):
        texts.extend([s] if isinstance(s, str) else [str(v) for v in s.values() if v is not None])
    for p in data.get("prices") or []:
        texts.extend(str(p.get(k, "")) for k in ("source", "provider", "url"))
    return texts


def test_profiles_are_shipped() -> None:
    assert len(PROFILES) >= 29
    assert NEW_IDS <= set(PROFILES)


@pytest.mark.parametrize("pid", IDS)
def test_file_is_named_after_its_id(pid: str) -> None:
    path, data = PROFILES[pid]
    assert data["id"] == pid == path.stem


@pytest.mark.parametrize("pid", IDS)
def test_dated_and_flagged(pid: str) -> None:
    data = PROFILES[pid][1]
    for key in ("data_as_of", "released", "price_date"):
        assert key in data, f"{pid}: no {key}"
        date_parts(data[key])
    assert data["confidence"] in CONFIDENCE, f"{pid}: confidence {data.get('confidence')!r}"
    if data["confidence"] != "high":
        assert str(data.get("confidence_note") or "").strip(), f"{pid}: confidence {data['confidence']} needs a note"
    assert data.get("price_tier") in TIERS, f"{pid}: price_tier {data.get('price_tier')!r}"
    assert "efficiency_range" not in data, f"{pid}: efficiency_range is now mfu_range"
    assert quantity(data["price"], "price", "USD/hour") > 0
    assert quantity(data["tdp"], "power") > 0
    assert quantity(data["memory"], "memory") > 0


@pytest.mark.parametrize("pid", IDS)
def test_every_source_is_citable(pid: str) -> None:
    for i, s in enumerate(_sources(PROFILES[pid][1])):
        if isinstance(s, str):
            assert s.startswith(("http://", "https://")), f"{pid}: sources[{i}] is a bare string but not a URL"
            continue
        assert isinstance(s, dict), f"{pid}: sources[{i}]"
        url, dataset = s.get("url"), s.get("dataset")
        assert (isinstance(url, str) and url.startswith(("http://", "https://"))) or (
            isinstance(dataset, str) and dataset.strip()), f"{pid}: sources[{i}] has neither a url nor a dataset"
        assert s.get("date") is not None, f"{pid}: sources[{i}] has no date"
        date_parts(s["date"])


@pytest.mark.parametrize("pid", IDS)
def test_no_uncitable_source_text(pid: str) -> None:
    data = PROFILES[pid][1]
    for text in [*_source_texts(data), str(data.get("notes") or "")]:
        for pattern, word in _BANNED:
            assert not pattern.search(text), f"{pid}: source text mentions {word!r}: {text[:80]!r}"


@pytest.mark.parametrize("pid", IDS)
def test_price_history_entries(pid: str) -> None:
    data = PROFILES[pid][1]
    released = data["released"]
    assert not earlier(data["price_date"], released), f"{pid}: price_date before released"
    for i, p in enumerate(data.get("prices") or []):
        where = f"{pid}: prices[{i}]"
        price = p.get("usd_per_hour")
        assert isinstance(price, (int, float)) and not isinstance(price, bool) and price > 0, where
        assert p.get("tier") in TIERS, f"{where}: tier {p.get('tier')!r}"
        assert p.get("date") is not None, f"{where}: no date"
        assert not earlier(p["date"], released), f"{where}: dated {p['date']}, before release {released}"
        assert str(p.get("source") or "").strip(), f"{where}: no source"
        assert str(p.get("url") or "").startswith(("http://", "https://")), f"{where}: no url"


@pytest.mark.parametrize("pid", IDS)
def test_price_range_tiers_are_tight(pid: str) -> None:
    ranges = PROFILES[pid][1].get("price_range")
    if ranges is None:
        return
    assert isinstance(ranges, dict), f"{pid}: price_range must map tier -> [low, high]"
    for tier, pair in ranges.items():
        assert tier in TIERS, f"{pid}: price_range tier {tier!r}"
        assert isinstance(pair, list) and len(pair) == 2, f"{pid}: price_range.{tier}"
        low, high = (quantity(v, "price", "USD/hour") for v in pair)
        assert 0 < low <= high, f"{pid}: price_range.{tier} {pair}"
        assert high / low <= MAX_TIER_SPREAD, f"{pid}: price_range.{tier} spans {high / low:.2f}x"


@pytest.mark.parametrize("pid", IDS)
def test_fp8_is_twice_bf16_unless_explained(pid: str) -> None:
    data = PROFILES[pid][1]
    peak = {k: quantity(v, "flop_rate") for k, v in data["peak"].items()}
    caveats = data.get("peak_caveats") or {}
    for precision, why in caveats.items():
        assert precision in peak and str(why).strip(), f"{pid}: peak_caveats.{precision}"
    if "fp8" in peak and "bf16" in peak and "fp8" not in caveats:
        assert math.isclose(peak["fp8"], 2 * peak["bf16"], rel_tol=1e-3), (
            f"{pid}: fp8 {peak['fp8']} is not 2x bf16 {peak['bf16']}; explain it in peak_caveats")
    assert data["default_precision"] in peak


@pytest.mark.parametrize("pid", HOPPER_DIE)
def test_one_hopper_die_one_peak(pid: str) -> None:
    peak = PROFILES[pid][1]["peak"]
    for precision, ref in HOPPER_PEAKS.items():
        assert quantity(peak[precision], "flop_rate") == pytest.approx(ref, abs=1e-9), f"{pid} {precision}"


@pytest.mark.parametrize(("pid", "sibling", "gb"), [("a100-40gb", "a100", 40), ("v100-16gb", "v100", 16)])
def test_small_memory_parts_are_their_own_profiles(pid: str, sibling: str, gb: float) -> None:
    data = PROFILES[pid][1]
    assert quantity(data["memory"], "memory") == pytest.approx(gb)
    assert data["generation"] == PROFILES[sibling][1]["generation"]
    assert data["peak"] == PROFILES[sibling][1]["peak"]
    for other, (_, odata) in PROFILES.items():
        aliases = {str(a).lower() for a in odata.get("aliases") or []}
        assert pid not in aliases, f"{other} lists {pid} as an alias (an alias inherits {other}'s memory)"


def test_no_alias_names_two_profiles() -> None:
    seen: dict[str, str] = {pid: pid for pid in PROFILES}
    for pid, (_, data) in PROFILES.items():
        for alias in data.get("aliases") or []:
            a = str(alias).lower()
            assert a not in seen, f"{a!r} names both {seen[a]} and {pid}"
            seen[a] = pid


@pytest.mark.parametrize("pid", IDS)
def test_year_and_released_agree(pid: str) -> None:
    data = PROFILES[pid][1]
    assert int(data["year"]) == date_parts(data["released"])[0], (
        f"{pid}: year {data['year']} but released {data['released']}")


@pytest.mark.parametrize(("pid", "tf32"), [("b300", 1125), ("gb300", 1250)])
def test_blackwell_ultra_dense_tf32(pid: str, tf32: float) -> None:
    peak = PROFILES[pid][1]["peak"]
    assert quantity(peak["tf32"], "flop_rate") == pytest.approx(tf32)
    assert quantity(peak["tf32"], "flop_rate") == pytest.approx(quantity(peak["bf16"], "flop_rate") / 2)


def test_tpu_v7_answers_to_its_cloud_names() -> None:
    assert {"tpu7x", "ironwood"} <= {str(a).lower() for a in PROFILES["tpu-v7"][1].get("aliases") or []}


def _csv_rows() -> list[dict]:
    if not PRICE_HISTORY.is_file():
        pytest.skip(f"{PRICE_HISTORY} is not present")
    with PRICE_HISTORY.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_price_history_row_is_in_its_profile() -> None:
    rows = _csv_rows()
    assert rows
    missing_chips = sorted({r["chip"] for r in rows} - set(PROFILES))
    assert not missing_chips, f"price history chips without a profile: {missing_chips}"
    for r in rows:
        entries = PROFILES[r["chip"]][1].get("prices") or []
        want = float(r["usd_per_chip_hour"])
        match = [p for p in entries
                 if str(p.get("date")) == r["date"] and str(p.get("tier")).endswith(r["tier"])
                 and math.isclose(float(p.get("usd_per_hour", -1)), want, rel_tol=1e-9)]
        assert match, f"{r['chip']}: no prices entry for {r['date']} {r['tier']} {r['usd_per_chip_hour']}"
