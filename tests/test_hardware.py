"""Profiles: the shipped set, user folders, overrides, clashes, and `flopcalc hardware`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from conftest import invoke

import flopcalc

SHIPPED = Path(__file__).resolve().parent.parent / "hardware"
REQUIRED = {"h100", "h100-pcie", "h800", "h200", "b200", "gb200", "a100", "a800", "v100", "mi300x", "mi325x",
            "mi355x", "tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v5p", "tpu-v6e", "gaudi3"}


def _minimal(pid: str, **changes) -> dict:
    data = {"id": pid, "name": f"Test chip {pid}", "peak": {"bf16": "1000 TFLOP/s"}, "default_precision": "bf16",
            "efficiency": 0.5, "price": "1.00 USD/hour", "overhead": 1.0, "tdp": "500 W", "memory": "64 GB",
            "sources": [{"field": "peak", "source": "made up for a test", "date": "2026-11"}]}
    data.update(changes)
    return data


def _write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_shipped_profiles() -> None:
    db = flopcalc.load_profiles(user_dirs_=[])
    assert REQUIRED <= set(db.ids())
    for p in db.all():
        assert Path(p.path).stem == p.id
        assert p.sources_for("price") and all(s.date for s in p.sources_for("price"))
        assert p.default_precision in p.peak and p.default_precision in p.efficiency
        assert 0 < p.efficiency[p.default_precision] <= 1


def test_ids_and_aliases_match_case_insensitively() -> None:
    db = flopcalc.load_profiles(user_dirs_=[])
    assert db.get("H100").id == "h100" and db.get("h100-SXM").id == "h100"
    assert db.get("A100-80GB").id == "a100"
    assert db.get("A100-40GB").id == "a100-40gb"  # its own profile: an alias would inherit 80 GB


@pytest.mark.parametrize("args", [
    ["1e26", "--gpu", "b200", "--precision", "bf16"], ["1e26", "--gpu", "tpu-v4"],
    ["1e26", "--gpu", "v100", "--precision", "fp16"], ["1e26", "--gpu", "mi300x"],
])
def test_new_chips_answer(args: list[str]) -> None:
    (row,) = json.loads(invoke(["cost", *args, "--format", "json"]).stdout)
    p = flopcalc.load_profiles(user_dirs_=[]).get(row["gpu"])
    peak = p.peak[row["precision"]].to("FLOP/s").magnitude
    eff = p.efficiency[row["precision"]]
    assert math.isclose(row["chip_hours"], 1e26 / (peak * eff * 3600), rel_tol=1e-9)


def test_hardware_list_and_show() -> None:
    rows = json.loads(invoke(["hardware", "--format", "json"]).stdout)
    assert len(rows) >= 18
    out = invoke(["hardware"]).stdout
    assert "h100" in out and "tpu-v6e" in out and "1979" in out
    shown = invoke(["hardware", "show", "h100"]).stdout
    assert "3958" in shown and "not used" in shown  # the sparse figure, labelled
    assert "h100.yaml" in shown and "Sources:" in shown
    data = json.loads(invoke(["hardware", "show", "a100", "--format", "json"]).stdout)
    assert data["id"] == "a100" and data["sources"] and data["origin"] == "shipped"


def test_user_dir_profile_is_listed_and_used(tmp_path, monkeypatch) -> None:
    _write(tmp_path / "hw", "mine.yaml", _minimal("my-chip"))
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(tmp_path / "hw"))
    listed = {r["id"]: r for r in json.loads(invoke(["hardware", "--format", "json"]).stdout)}
    assert listed["my-chip"]["origin"] == "user"
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "my-chip", "--format", "json"]).stdout)
    assert math.isclose(row["cost_usd"], 1e26 / (1000e12 * 0.5 * 3600) * 1.0, rel_tol=1e-9)


def test_user_profile_overrides_a_shipped_id_only_when_it_says_so(tmp_path, monkeypatch) -> None:
    _write(tmp_path / "hw0", "h100.yaml", _minimal("h100", price="9 USD/hour"))
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(tmp_path / "hw0"))
    res = invoke(["cost", "1e26", "--gpu", "h100", "--format", "json"], ok=False)
    # skipped with one warning naming both files; the shipped h100 answers, unchanged
    assert res.exit_code == 0 and "replaces: h100" in res.stderr and "hardware/h100.yaml" in res.stderr
    assert "Traceback" not in res.output
    assert json.loads(res.stdout)[0]["price_usd_per_chip_hour"] == 2
    assert invoke(["cost", "1e26", "--gpu", "a100"]).exit_code == 0  # other chips still work
    _write(tmp_path / "hw", "h100.yaml", _minimal("h100", price="9 USD/hour", replaces="h100"))
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(tmp_path / "hw"))
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "h100", "--format", "json"]).stdout)
    assert row["price_usd_per_chip_hour"] == 9 and row["precision"] == "bf16"
    shown = invoke(["hardware", "show", "h100"]).stdout
    assert str(tmp_path / "hw" / "h100.yaml") in shown and "(user)" in shown


def test_default_user_dir_is_clicks_app_dir(monkeypatch, tmp_path) -> None:
    import click

    from flopcalc._paths import app_dir

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path))
    assert app_dir() == Path(click.get_app_dir("flopcalc"))
    monkeypatch.delenv("FLOPCALC_HARDWARE_PATH")
    _write(Path(click.get_app_dir("flopcalc")) / "hardware", "x.yaml", _minimal("from-app-dir"))
    assert "from-app-dir" in flopcalc.load_profiles().ids()


def test_clash_in_the_user_dir_names_both_files(tmp_path, monkeypatch) -> None:
    a = _write(tmp_path / "hw", "a.yaml", _minimal("dup"))
    b = _write(tmp_path / "hw", "b.yaml", _minimal("dup"))
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(tmp_path / "hw"))
    res = invoke(["hardware"], ok=False)  # a broken user folder never breaks unrelated commands ...
    assert res.exit_code == 0 and res.stderr.count("Warning:") == 1
    assert str(a) in res.stderr and str(b) in res.stderr
    res = invoke(["cost", "1e26", "--gpu", "dup"], ok=False)  # ... but a command that uses it fails, naming both
    assert res.exit_code == 2 and str(a) in res.stderr and str(b) in res.stderr


def test_alias_clash_is_an_error(tmp_path) -> None:
    f = _write(tmp_path, "x.yaml", _minimal("x-chip", aliases=["h100-sxm"]))
    with pytest.raises(flopcalc.DataError, match="h100-sxm"):
        flopcalc.load_profiles([f], user_dirs_=[]).all()


def test_sparse_guard(tmp_path) -> None:
    f = _write(tmp_path, "s.yaml", _minimal("s", peak={"fp8": "3958 TFLOP/s"}, default_precision="fp8",
                                            sparse_peak={"fp8": "3958 TFLOP/s"}))
    with pytest.raises(flopcalc.DataError, match=r"peak\.fp8.*sparse"):
        flopcalc.load_profile(f)


def test_per_precision_efficiency(tmp_path) -> None:
    f = _write(tmp_path, "p.yaml", _minimal("p", peak={"fp8": "2000 TFLOP/s", "bf16": "1000 TFLOP/s"},
                                            default_precision="bf16", efficiency={"bf16": 0.4, "fp8": 0.2}))
    db = flopcalc.load_profiles([f], user_dirs_=[])
    assert flopcalc.cost(1e26, "p", precision="fp8", hardware=db).efficiency.magnitude == 0.2
    assert flopcalc.cost(1e26, "p", hardware=db).efficiency.magnitude == 0.4


def test_v1_minimal_schema_still_loads(tmp_path) -> None:
    p = flopcalc.load_profile(_write(tmp_path, "m.yaml", _minimal("m")))
    assert p.aliases == () and p.year is None and p.efficiency_range == {}
