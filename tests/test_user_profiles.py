"""A chip of one's own: a minimal profile, every problem at once, no shadowing, `replaces:`, one row per chip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke

import flopcalc
from flopcalc.errors import DataError
from flopcalc.hardware import USER_DEFAULTS, USER_REQUIRED, HardwareDB, load_profiles

MINIMAL = """\
id: mine
name: My accelerator
peak:
  bf16: 500
price: 1.5
efficiency: 40%
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _cli(args: list[str], env_path: str = "") -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "FLOPCALC_HARDWARE_PATH": env_path}
    return subprocess.run([sys.executable, "-m", "flopcalc", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_minimal_profile_costs_like_the_arithmetic(tmp_path: Path) -> None:
    p = _write(tmp_path, "mine.yaml", MINIMAL)
    (row,) = json.loads(invoke(["cost", "1e26", "--hardware-file", str(p), "--gpu", "mine", "--format", "json",
                                "--no-range"]).stdout)
    # Independent arithmetic: 500 TFLOP/s x 0.40 x 3600 s = 7.2e17 FLOP per chip-hour.
    chip_hours = 1e26 / (500e12 * 0.40 * 3600)
    assert row["chip_hours"] == pytest.approx(chip_hours, rel=1e-12)
    assert row["cost_usd"] == pytest.approx(chip_hours * 1.5, rel=1e-12)
    assert row["cost_with_overhead_usd"] == pytest.approx(chip_hours * 1.5 * 1.5, rel=1e-12)
    assert row["precision"] == "bf16"
    assert row["confidence"] == "user"


@pytest.mark.parametrize(("field", "value", "expect"), [
    ("efficiency", "0.4", 0.4), ("efficiency", "'40%'", 0.4), ("efficiency", "40%", 0.4),
    ("price", "'2.5 USD/hour'", 2.5), ("price", "'$2.5/hour'", 2.5), ("price", "2.5", 2.5),
])
def test_written_as_people_write_them(tmp_path: Path, field: str, value: str, expect: float) -> None:
    text = MINIMAL.replace("efficiency: 40%", f"efficiency: {value}") if field == "efficiency" else \
        MINIMAL.replace("price: 1.5", f"price: {value}")
    prof = load_profiles([_write(tmp_path, "mine.yaml", text)]).get("mine")
    got = prof.efficiency["bf16"] if field == "efficiency" else float(prof.price.to("USD/hour").magnitude)
    assert got == pytest.approx(expect)


def test_minimal_profile_defaults_are_listed_and_marked_user(tmp_path: Path) -> None:
    prof = load_profiles([_write(tmp_path, "mine.yaml", MINIMAL)]).get("mine")
    assert prof.confidence == "user"
    assert prof.is_user
    assert set(prof.defaults) == set(USER_DEFAULTS)
    assert prof.default_precision == "bf16"
    assert prof.overhead == 1.5
    assert float(prof.peak["bf16"].to("FLOP/s").magnitude) == pytest.approx(500e12)
    assert float(prof.tdp.to("W").magnitude) == pytest.approx(700)
    assert prof.sources and "mine.yaml" in prof.sources[0].source


def test_the_format_page_documents_every_default() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert "confidence: user" in page
    for key in (*USER_REQUIRED, *USER_DEFAULTS):
        assert f"`{key}`" in page, key


def test_shipped_profiles_never_say_user() -> None:
    assert all(p.confidence != "user" for p in HardwareDB(user_dirs_=[]).all())


def test_a_shipped_profile_may_not_claim_user(tmp_path: Path) -> None:
    import yaml

    from flopcalc.hardware import profile_from_data

    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "hardware" / "h100.yaml").read_text())
    data["confidence"] = "user"
    with pytest.raises(DataError, match="confidence"):
        profile_from_data(data, "h100.yaml", origin="shipped")


def test_empty_file_lists_every_missing_field_in_one_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "mine.yaml", "")
    r = _cli(["cost", "1e26", "--hardware-file", str(p), "--gpu", "mine"])
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for key in USER_REQUIRED:
        assert f"{p}: {key}: missing" in lines[0], key
    assert "empty" in lines[0]


def test_broken_profile_reports_every_problem_at_once(tmp_path: Path) -> None:
    p = _write(tmp_path, "bad.yaml", "id: two words\nname: [x]\npeak: {bf16: '1e30 TFLOP/s', fq8: 3}\n"
                                     "price: -1\nefficiency: 40\ncolour: red\n")
    with pytest.raises(DataError) as e:
        load_profiles([p])
    text = str(e.value)
    assert "\n" not in text
    for field in ("id", "name", "peak.bf16", "peak.fq8", "price", "efficiency"):
        assert f"{p}: {field}:" in text, field
    assert "'colour'" in text
    assert "ZFLOP/s" in text  # the peak's plausible range is named
    assert "'40%'" in text  # the efficiency hint


@pytest.mark.parametrize("peak", ["0.5 GFLOP/s", "2 ZFLOP/s", "1e-4"])
def test_peak_outside_one_chip_is_refused_at_load(tmp_path: Path, peak: str) -> None:
    p = _write(tmp_path, "mine.yaml", MINIMAL.replace("bf16: 500", f"bf16: '{peak}'"))
    with pytest.raises(DataError, match=r"peak\.bf16: .*1 GFLOP/s to 1 ZFLOP/s"):
        load_profiles([p])


@pytest.mark.parametrize("peak", ["1 GFLOP/s", "1 ZFLOP/s"])
def test_peak_at_the_ends_of_the_range_loads(tmp_path: Path, peak: str) -> None:
    p = _write(tmp_path, "mine.yaml", MINIMAL.replace("bf16: 500", f"bf16: '{peak}'"))
    assert load_profiles([p]).get("mine").peak["bf16"]


def test_shipped_peaks_are_in_range() -> None:
    for prof in HardwareDB(user_dirs_=[]).all():
        for q in prof.peak.values():
            assert 1e9 <= float(q.to("FLOP/s").magnitude) <= 1e21


@pytest.mark.parametrize("content", ["id: [broken\n", "", "id: a100\nname: x\n", MINIMAL.replace("id: mine", "id: a100")])
def test_broken_user_file_never_shadows_a_shipped_chip(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    _write(folder, "a100.yaml", content)
    base = _cli(["cost", "1e26", "--gpu", "a100", "--format", "json", "--no-range"])
    got = _cli(["cost", "1e26", "--gpu", "a100", "--format", "json", "--no-range"], env_path=str(folder))
    assert base.returncode == 0 and got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(base.stdout)
    assert "a100.yaml" in got.stderr  # one warning names the skipped file
    assert "Traceback" not in got.stderr


def test_broken_user_file_of_a_new_chip_fails_only_when_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    _write(folder, "mine.yaml", "id: mine\nname: x\n")
    db = HardwareDB(user_dirs_=[folder])
    assert db.get("h100").id == "h100"
    with pytest.raises(DataError, match="peak: missing"):
        db.get("mine")


def test_replaces_is_noted(tmp_path: Path) -> None:
    p = _write(tmp_path, "deal.yaml", MINIMAL.replace("id: mine", "id: deal") + "replaces: h100\n")
    db = load_profiles([p])
    prof = db.get("h100")  # the shipped id now names the profile that replaces it
    assert prof.id == "deal"
    note = prof.replaces_note
    assert note and "h100" in note and "deal.yaml" in note
    assert db.notes == [note]
    assert load_profiles([_write(tmp_path, "mine.yaml", MINIMAL)]).get("mine").replaces_note is None


def test_same_chip_by_id_and_alias_is_one_profile() -> None:
    db = load_profiles()
    assert [p.id for p in db.unique(["h100", "h100-sxm", "H100", "a100", "a100-80gb"])] == ["h100", "a100"]


def test_repr_is_one_line(tmp_path: Path) -> None:
    prof = load_profiles([_write(tmp_path, "mine.yaml", MINIMAL)]).get("mine")
    assert "\n" not in repr(prof)
    assert "\n" not in repr(flopcalc.load_profiles())
