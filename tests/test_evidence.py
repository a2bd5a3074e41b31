"""The evidence interval, recomputed here from the YAML files with independent arithmetic.

The method (docs/evidence-method.md): all-in efficiency e = FLOP / (chip-hours x peak x 3600) per known
run; y = ln e; classes 16-bit (bf16, fp16, tf32) and fp8; groups (generation, class); pooled class
centre and within-group sd (floor 0.30 when df < 10); group centre shrunk toward the class centre with
weight 3; 90% interval exp(mu +- t s), s = sw sqrt(1 + 1/(n + 3)).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml
from conftest import invoke

ROOT = Path(__file__).resolve().parent.parent
HW = ROOT / "hardware"
RUNS = ROOT / "src" / "flopcalc" / "data" / "runs.yaml"
CLASSES = {"bf16": "16-bit", "fp16": "16-bit", "tf32": "16-bit", "fp8": "fp8"}
# Student's t, 0.95 quantile, from a printed table (two-sided 90%).
T95 = {1: 6.314, 2: 2.920, 3: 2.353, 4: 2.132, 5: 2.015, 6: 1.943, 7: 1.895, 8: 1.860, 9: 1.833, 10: 1.812,
       11: 1.796, 12: 1.782, 13: 1.771, 14: 1.761, 15: 1.753, 16: 1.746, 17: 1.740, 18: 1.734, 19: 1.729,
       20: 1.725, 21: 1.721, 22: 1.717, 23: 1.714, 24: 1.711, 25: 1.708, 26: 1.706, 27: 1.703, 28: 1.701,
       29: 1.699, 30: 1.697}
_PREFIX = {"T": 1e12, "P": 1e15, "G": 1e9}


def _rate(text: str) -> float:
    m = re.fullmatch(r"\s*([\d.]+)\s*([TPG])FLOP/s\s*", str(text))
    assert m, text
    return float(m[1]) * _PREFIX[m[2]]


def _chips() -> dict[str, dict]:
    out = {}
    for f in HW.glob("*.yaml"):
        d = yaml.safe_load(f.read_text())
        rng = d.get("mfu_range") or {}
        if isinstance(rng, list):
            rng = {p: rng for p in d["peak"]}
        info = {"id": d["id"], "generation": d.get("generation") or d["id"],
                "peak": {p: _rate(v) for p, v in d["peak"].items()}, "mfu_range": rng,
                "default": d["default_precision"]}
        for name in [d["id"], *d.get("aliases", [])]:
            out[str(name).lower()] = info
    return out


CHIPS = _chips()


def _observations() -> list[tuple[str, str, str, float, dict]]:
    """(model, group, class, efficiency, chip) for every run the method may use."""
    out = []
    for r in yaml.safe_load(RUNS.read_text())["runs"]:
        chip = CHIPS.get(str(r.get("gpu") or "").lower())
        if chip is None or r.get("flop_kind") == "lower-bound" or r.get("chip_hours_kind") == "upper-bound":
            continue
        flop = r.get("flop")
        if not flop:
            n = r.get("active_params") or r.get("params")
            flop = 6 * n * r["tokens"] if n and r.get("tokens") else None
        hours = r.get("chip_hours") or (r["chips"] * r["days"] * 24 if r.get("chips") and r.get("days") else None)
        prec = r.get("precision")
        if not flop or not hours or prec not in chip["peak"] or prec not in CLASSES:
            continue
        e = float(flop) / (float(hours) * chip["peak"][prec] * 3600)
        out.append((r["model"], chip["generation"], CLASSES[prec], e, chip))
    return out


def _fit(obs):
    fits = {}
    for cls in {o[2] for o in obs}:
        ys = [(o[1], math.log(o[3])) for o in obs if o[2] == cls]
        groups: dict[str, list[float]] = {}
        for g, y in ys:
            groups.setdefault(g, []).append(y)
        mu0 = sum(y for _, y in ys) / len(ys)
        ss = sum((y - sum(v) / len(v)) ** 2 for v in groups.values() for y in v)
        df = len(ys) - len(groups)
        sw = math.sqrt(ss / df) if df > 0 else 0.30
        if df < 10:
            sw = max(sw, 0.30)
        fits[cls] = (len(ys), mu0, sw, df, groups)
    return fits


def _interval(fits, chip, prec):
    cls = CLASSES[prec]
    n_all, mu0, sw, df, groups = fits.get(cls, (0, 0, 0, 0, {}))
    if n_all >= 3:
        ys = groups.get(chip["generation"], [])
        n = len(ys)
        mu = (sum(ys) + 3 * mu0) / (n + 3)
        half = T95[min(df, 30)] * sw * math.sqrt(1 + 1 / (n + 3))
        return math.exp(mu), math.exp(mu - half), math.exp(mu + half)
    lo, hi = chip["mfu_range"][prec]
    _, _, sw16, df16, _ = fits["16-bit"]
    half = T95[min(df16, 30)] * sw16 * math.sqrt(1 + 1 / 3)
    c = math.sqrt(lo * hi)
    return c, c * math.exp(-half), c * math.exp(half)


OBS = _observations()
FITS = _fit(OBS)


def close(a: float, b: float, tol: float = 2e-3) -> bool:  # t from a 3-decimal table
    return math.isclose(a, b, rel_tol=tol)


def test_the_class_figures() -> None:
    n, mu0, sw, df, groups = FITS["16-bit"]
    assert n >= 15 and df == n - len(groups)
    data = json.loads(invoke(["calibrate", "--gpu", "a100", "--format", "json"]).stdout)
    assert data["class_runs"] == n and data["class_df"] == df
    assert close(data["class_centre"], math.exp(mu0), 1e-9) and close(data["class_sd"], sw, 1e-9)
    assert close(data["class_t"], T95[min(df, 30)])


@pytest.mark.parametrize("gpu, prec", [("a100", "bf16"), ("h100", "fp8"), ("h100", "bf16"), ("tpu-v4", "bf16")])
def test_intervals_match_independent_arithmetic(gpu: str, prec: str) -> None:
    centre, lo, hi = _interval(FITS, CHIPS[gpu], prec)
    data = json.loads(invoke(["calibrate", "--gpu", gpu, "--precision", prec, "--format", "json"]).stdout)
    assert close(data["centre"], centre) and close(data["interval_low"], lo) and close(data["interval_high"], hi)
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", gpu, "--precision", prec, "--format", "json"]).stdout)
    ch = 1e26 / (CHIPS[gpu]["peak"][prec] * centre * 3600)
    assert close(row["evidence"]["chip_hours"], ch)
    assert close(row["chip_hours_low"], ch * lo / centre) and close(row["chip_hours_high"], ch * hi / centre)
    assert row["range_level"] == 0.9


def test_fp8_has_too_few_runs_and_uses_the_cited_range() -> None:
    assert FITS.get("fp8", (0,))[0] < 3
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "h100", "--format", "json"]).stdout)
    assert row["evidence"]["basis"] == "cited" and row["evidence"]["efficiency_kind"] == "mfu"
    # the essay's 40% of FP8 peak is above the interval: evidence chip-hours exceed the assumption's, and a note says so
    assert row["evidence"]["chip_hours"] > row["chip_hours"]
    assert row["assumption_in_range"]["efficiency"] is False
    assert any("above the 90% interval" in n for n in row["notes"])


def test_leave_one_out_coverage() -> None:
    inside = 0
    for i, (model, _, cls, e, chip) in enumerate(OBS):
        rest = OBS[:i] + OBS[i + 1:]
        prec = next(p for p, c in CLASSES.items() if c == cls and p in chip["peak"])
        _, lo, hi = _interval(_fit(rest), chip, prec)
        inside += lo <= e <= hi
    data = json.loads(invoke(["calibrate", "--gpu", "h100", "--format", "json"]).stdout)
    assert data["loo_runs"] == len(OBS) and data["loo_inside"] == inside
    assert data["loo_coverage"] >= 0.85 and inside / len(OBS) >= 0.85


@pytest.mark.parametrize("gpu", sorted({c["id"] for c in CHIPS.values()}))
def test_every_shipped_chip_has_a_real_interval(gpu: str) -> None:
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", gpu, "--format", "json"]).stdout)
    for key in ("evidence", "assumption_in_range", "summary", "range_level", "price_tier", "data_as_of"):
        assert key in row, key
    ev = row["evidence"]
    assert ev["basis"] in ("runs", "cited") and row["range_level"] == 0.9
    assert row["chip_hours_low"] < ev["chip_hours"] < row["chip_hours_high"]
    assert row["cost_usd_low"] < ev["cost_usd"] < row["cost_usd_high"]
    assert row["chip_hours_high"] / row["chip_hours_low"] <= 3.0
    assert row["cost_usd_high"] / row["cost_usd_low"] <= 6.0
    assert "90% interval" in row["summary"]


def test_essay_numbers_do_not_move() -> None:
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "a100", "--format", "json"]).stdout)
    assert round(row["chip_hours"]) == round(1e26 / (312e12 * 0.6 * 3600)) == 148385565
    assert round(row["cost_usd"]) == 118708452
    assert not math.isclose(row["chip_hours_high"], row["chip_hours"])  # no longer ends at the assumption


def test_user_profile_interval_is_cited_not_evidence(tmp_path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text(yaml.safe_dump({"id": "mychip", "name": "My chip", "peak": {"bf16": "500 TFLOP/s"},
                                 "default_precision": "bf16", "efficiency": "40%", "mfu_range": {"bf16": [0.3, 0.5]},
                                 "price": "2 USD/hour", "overhead": "1.5x", "tdp": "500 W", "memory": "64 GB",
                                 "sources": ["https://example.org/datasheet"]}))
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "mychip", "--hardware-file", str(p),
                                "--format", "json"]).stdout)
    assert row["evidence"]["basis"] == "cited" and "cited, not evidence" in row["evidence"]["method"]
    assert close(row["evidence"]["efficiency"], math.sqrt(0.3 * 0.5), 1e-12)
    assert row["efficiency"] == 0.4 and row["overhead"] == 1.5  # '40%' and '1.5x' read as people write them
    shown = invoke(["hardware", "show", "mychip", "--hardware-file", str(p)]).stdout
    assert "My chip" in shown and "https://example.org/datasheet" in shown and "MFU (cited) 30%-50%" in shown


def test_check_says_uncertain_when_the_interval_straddles_the_line() -> None:
    _, lo, hi = _interval(FITS, CHIPS["h100"], "bf16")
    chips, days = 4096, 86
    per_chip_day = 86400 * CHIPS["h100"]["peak"]["bf16"]
    point, low, high = (chips * days * per_chip_day * e for e in (0.40, lo, hi))
    assert low < 1e25 < point < high  # the case this test is about
    data = json.loads(invoke(["check", "--gpu", "h100", "--chips", str(chips), "--days", str(days), "--precision",
                              "bf16", "--as-of", "2026-12-01", "--format", "json"]).stdout)
    assert close(data["flop"], point, 1e-12) and close(data["flop_low"], low) and close(data["flop_high"], high)
    assert data["precision"] == "bf16" and data["efficiency"] == 0.4 and data["peak_flop_per_s"] == 989.4e12
    by = {t["id"]: t for t in data["thresholds"]}
    assert by["eu-ai-act-systemic-risk"]["verdict"] == "uncertain"
    assert by["eu-ai-act-systemic-risk"]["crossed"] is True  # today's key: the assumption's point verdict
    assert by["us-ca-sb53"]["verdict"] == "not crossed" and by["us-ca-sb53"]["crossed"] is False
