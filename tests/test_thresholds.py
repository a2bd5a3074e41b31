"""Thresholds data, boundaries, --as-of, costing on a chip, and `check`."""

from __future__ import annotations

import json
import math

import pytest
from conftest import invoke

import flopcalc
from flopcalc.rules import STATUSES, load_thresholds

H100_DENSE_FP8 = 1979e12
H100_BF16 = 989.4e12
RULES = load_thresholds()
BY_ID = {t.id: t for t in RULES}


def test_every_reference_row_is_shipped_with_a_source() -> None:
    expected = {
        "eu-ai-act-systemic-risk", "eu-gpai-indicative", "eu-gpai-downstream-modification", "us-eo-14110",
        "us-eo-14110-bio", "us-eo-14110-cluster", "us-bis-reporting-nprm", "us-bis-ai-diffusion", "us-ca-sb1047",
        "us-ca-sb1047-finetune", "us-ca-sb53", "us-ny-raise", "us-il-sb315", "kr-ai-basic-act",
    }
    assert expected <= set(BY_ID)
    for t in RULES:
        assert t.source.startswith("http"), t.id
        assert t.status in STATUSES
        assert t.limits
        assert t.status_as_of == "2026-11-24"
        assert t.history and t.history[-1].status == t.status, t.id  # every rule has a dated status history


def test_statuses_and_flags() -> None:
    assert BY_ID["us-eo-14110"].status == "rescinded"
    assert BY_ID["us-ca-sb1047"].status == "vetoed"
    assert BY_ID["us-ca-sb53"].status == "in-force"
    assert BY_ID["us-ny-raise"].status == "enacted"
    assert BY_ID["us-bis-reporting-nprm"].status == "proposed"
    assert BY_ID["eu-gpai-indicative"].status == "guidance"
    assert any(t.status == "superseded" for t in RULES)
    assert BY_ID["us-ny-raise"].confidence == "confirmed"  # S.8828's text checked (2026-11)
    assert BY_ID["us-il-sb315"].status == "enacted" and str(BY_ID["us-il-sb315"].effective_from) == "2027-01-01"
    assert BY_ID["us-bis-ai-diffusion"].status == "not-enforced"
    assert BY_ID["eu-ai-act-systemic-risk"].confidence == "confirmed"
    # SB 1047 sets two limits at once
    kinds = sorted(lim.kind for lim in BY_ID["us-ca-sb1047"].limits)
    assert kinds == ["flop", "usd"]


@pytest.mark.parametrize(("tid", "at", "crossed"), [
    ("eu-ai-act-systemic-risk", 1e25, False),  # "greater than 10^25"
    ("eu-ai-act-systemic-risk", 1.0000001e25, True),
    ("us-ca-sb53", 1e26, False),
    ("kr-ai-basic-act", 1e26, True),  # "equal to or greater than"
    ("kr-ai-basic-act", 0.9999999e26, False),
])
def test_boundaries(tid: str, at: float, crossed: bool) -> None:
    res = flopcalc.check(flop=at, rules=[BY_ID[tid]])
    assert res.checks[0].crossed is crossed


def test_as_of_around_the_eo_rescission() -> None:
    on = {t.id: t.status for t in flopcalc.thresholds(RULES, as_of="2024-06-01")}
    assert on["us-eo-14110"] == "in-force" and on["us-eo-14110-cluster"] == "in-force"
    assert "us-ca-sb53" not in on  # not yet introduced: absent, not "in force"
    assert on["eu-ai-act-systemic-risk"] == "proposed"  # signed 2024-06-13; the GPAI chapter applies from 2025-08-02
    later = {t.id: t.status for t in flopcalc.thresholds(RULES, as_of="2025-06-01")}
    assert later["us-eo-14110"] == "rescinded" and later["us-ca-sb53"] == "proposed"
    in_2026 = {t.id: t.status for t in flopcalc.thresholds(RULES, as_of="2026-06-01")}
    assert in_2026["us-ca-sb53"] == in_2026["kr-ai-basic-act"] == "in-force"
    assert in_2026["us-ny-raise"] == "enacted"  # effective 2027-01-01
    rows = json.loads(invoke(["thresholds", "--as-of", "2024-06-01", "--format", "json"]).stdout)
    assert {r["id"]: r["status"] for r in rows} == on
    assert all(r["status_today"] == BY_ID[r["id"]].status for r in rows)


def test_check_lists_binding_rules_apart() -> None:
    data = json.loads(invoke(["check", "--flop", "2e26", "--as-of", "2026-11-30", "--format", "json"]).stdout)
    binding = {r["id"] for r in data["thresholds"] if r["binding"]}
    assert binding and all(r["status_on_date"] in ("in-force", "enacted") for r in data["thresholds"]
                           if r["binding"])
    assert "us-eo-14110" not in binding and "us-ca-sb1047" not in binding
    out = invoke(["check", "--flop", "2e26", "--as-of", "2026-11-30"]).stdout
    main, _, rest = out.partition("Not binding on")
    assert "us-ca-sb53 " in main and "us-eo-14110 " not in main and "us-eo-14110 " in rest
    every = json.loads(invoke(["check", "--flop", "2e26", "--all", "--format", "json"]).stdout)
    assert all(r["binding"] for r in every["thresholds"])


def test_revenue_tiers_need_revenue() -> None:
    large = ("us-ca-sb53-large", "us-ny-raise-large", "us-il-sb315-large", "us-ct-pa-26-15")
    data = json.loads(invoke(["check", "--flop", "2e26", "--format", "json"]).stdout)
    by = {r["id"]: r for r in data["thresholds"]}
    assert all(by[t]["verdict"] == "needs revenue" and by[t]["crossed"] is None for t in large)
    data = json.loads(invoke(["check", "--flop", "2e26", "--revenue", "$600M", "--format", "json"]).stdout)
    by = {r["id"]: r for r in data["thresholds"]}
    assert all(by[t]["verdict"] == "crossed" for t in large)


def test_status_filter() -> None:
    rows = json.loads(invoke(["thresholds", "--status", "in-force", "--format", "json"]).stdout)
    assert rows and all(r["status"] == "in-force" for r in rows)
    for key in ("id", "jurisdiction", "instrument", "status", "source", "flop", "flop_per_s", "usd"):
        assert key in rows[0]


def test_thresholds_on_h100_json() -> None:
    rows = json.loads(invoke(["thresholds", "--gpu", "h100", "--format", "json"]).stdout)
    by = {r["id"]: r for r in rows}
    eu = by["eu-ai-act-systemic-risk"]
    ch = 1e25 / (H100_DENSE_FP8 * 0.4 * 3600)
    assert math.isclose(eu["chip_hours"], ch, rel_tol=1e-9)
    assert math.isclose(eu["cost_usd"], ch * 2, rel_tol=1e-9)  # ~$7.0M
    assert math.isclose(eu["cost_with_overhead_usd"], ch * 3, rel_tol=1e-9)  # ~$10.5M
    assert eu["chips_needed"] is None and eu["flop_for_usd"] is None and eu["usd"] is None
    cluster = by["us-eo-14110-cluster"]
    assert cluster["chips_needed"] == math.floor(1e20 / H100_DENSE_FP8) + 1  # 50,531 H100s at FP8 peak
    assert cluster["chip_hours"] is None
    sb1047 = by["us-ca-sb1047"]
    assert math.isclose(sb1047["flop_for_usd"], 100e6 / 2 * H100_DENSE_FP8 * 0.4 * 3600, rel_tol=1e-9)
    assert math.isclose(by["us-ca-sb53"]["cost_usd"], 1e26 / (H100_DENSE_FP8 * 0.4 * 3600) * 2, rel_tol=1e-9)


def test_thresholds_table_shows_costs_and_sources() -> None:
    out = invoke(["thresholds", "--gpu", "h100"]).stdout
    assert "$7.0M" in out and "$10.5M" in out and "$70.2M" in out
    assert "50,531" in out
    assert "https://eur-lex.europa.eu" in out


def test_llama_405b_architecture_method() -> None:
    data = json.loads(invoke(["check", "--params", "405e9", "--tokens", "15.6e12", "--format", "json"]).stdout)
    assert math.isclose(data["flop"], 6 * 405e9 * 15.6e12, rel_tol=1e-12)  # 3.79e25
    assert data["method"] == "architecture"
    crossed = {t["id"]: t["crossed"] for t in data["thresholds"]}
    assert crossed["eu-ai-act-systemic-risk"] is True
    for t in RULES:
        if t.limit("flop") is not None and t.limit("flop").base == 1e26:
            assert crossed[t.id] is False, t.id
    ratio = {t["id"]: t["ratio"] for t in data["thresholds"]}
    assert math.isclose(ratio["eu-ai-act-systemic-risk"], 3.7908, rel_tol=1e-9)


def test_active_params_for_moe() -> None:
    res = flopcalc.check(params=671e9, active_params=37e9, tokens=14.8e12)
    assert math.isclose(res.flop.to("FLOP").magnitude, 6 * 37e9 * 14.8e12, rel_tol=1e-12)


def test_hardware_method_and_days_to_cross() -> None:
    data = json.loads(invoke(["check", "--gpu", "h100", "--chips", "16384", "--days", "54", "--precision", "bf16",
                              "--format", "json"]).stdout)
    per_day = 16384 * H100_BF16 * 0.40 * 86400
    assert math.isclose(data["flop"], per_day * 54, rel_tol=1e-9)  # ~3.0e25
    assert 2.9e25 < data["flop"] < 3.1e25
    by = {t["id"]: t for t in data["thresholds"]}
    assert by["us-ca-sb53"]["crossed"] is False
    # more days: until the assumption AND the low end of the 90% evidence interval cross (the verdict turns)
    per_day_low = 16384 * H100_BF16 * data["evidence"]["efficiency_low"] * 86400
    assert math.isclose(by["us-ca-sb53"]["days_to_cross"], max(1e26 / per_day, 1e26 / per_day_low) - 54,
                        rel_tol=1e-9)
    assert by["eu-ai-act-systemic-risk"]["crossed"] is True
    eu = by["eu-ai-act-systemic-risk"]
    assert (eu["days_to_cross"] is None) == (eu["verdict"] == "crossed")  # more days only for a rule not yet crossed
    # the cluster test counts theoretical (FP8) peak: 16,384 H100s are far below 1e20 FLOP/s
    assert by["us-eo-14110-cluster"]["crossed"] is False


def test_both_methods_show_their_ratio() -> None:
    res = flopcalc.check(params=405e9, tokens=15.6e12, gpu="h100", chips=16384, days=54, precision="bf16")
    arch, hw = 6 * 405e9 * 15.6e12, 16384 * H100_BF16 * 0.4 * 86400 * 54
    assert res.method == "both"
    assert math.isclose(res.method_ratio, hw / arch, rel_tol=1e-9)
    assert math.isclose(res.flop.to("FLOP").magnitude, max(arch, hw), rel_tol=1e-12)


def test_architecture_run_without_cluster_is_not_judged_on_cluster_tests() -> None:
    res = flopcalc.check(flop=1e27)
    cluster = next(c for c in res.checks if c.threshold.id == "us-eo-14110-cluster")
    assert cluster.crossed is None


def test_user_thresholds_file(tmp_path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(
        "thresholds:\n"
        "  - id: my-line\n    name: Mine\n    jurisdiction: Nowhere\n    instrument: Memo\n"
        "    limits: [{value: 5e24 FLOP, comparison: '>'}]\n    status: proposed\n"
        "    source: https://example.org/memo\n"
    )
    rows = json.loads(invoke(["thresholds", "--thresholds-file", str(f), "--format", "json"]).stdout)
    assert rows[-1]["id"] == "my-line" and rows[-1]["flop"] == 5e24
