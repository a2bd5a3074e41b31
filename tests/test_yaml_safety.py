"""Hostile and broken hardware files (--hardware-file PATH): exit 2, one line naming the file and field."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import flopcalc
from flopcalc.cli import cli
from flopcalc.hardware import load_profiles

# The minimal v1 profile: only the required keys (shape of hardware/h100.yaml).
BASE = {
    "id": "testchip",
    "name": "Test Chip 80GB",
    "peak": {"fp8": "1000 TFLOP/s", "bf16": "500 TFLOP/s"},
    "default_precision": "bf16",
    "efficiency": 0.4,
    "price": "2.5 USD/hour",
    "overhead": 1.5,
    "tdp": "700 W",
    "memory": "80 GB",
    "sources": [{"field": "peak, efficiency, price, overhead, tdp, memory", "source": "a datasheet",
                 "date": "2024-01"}],
}


def profile(**changes) -> dict:
    d = copy.deepcopy(BASE)
    for k, v in changes.items():
        if v is _DROP:
            d.pop(k)
        else:
            d[k] = v
    return d


_DROP = object()


def write(tmp_path: Path, data, name: str = "chip.yaml") -> Path:
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    elif isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def run(*paths: Path | str, extra: tuple[str, ...] = ()):
    args = ["cost", "1e26", "--gpu", "testchip", *extra]
    for p in paths:
        args += ["--hardware-file", str(p)]
    return CliRunner().invoke(cli, args, prog_name="flopcalc")


def assert_data_error(result, path: Path | str, *needles: str) -> str:
    err = result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception!r}\nstderr: {err!r}")
    assert result.exit_code == 2, f"exit {result.exit_code}; stdout {result.stdout[:200]!r}; stderr {err!r}"
    assert result.stdout == ""
    assert err.startswith("Error: "), err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    assert "Traceback" not in err
    assert str(path) in err, f"file {path} not named in {err!r}"
    for n in needles:
        assert n in err, f"{n!r} not in {err!r}"
    return err


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a: &a [" + ", ".join(['"lol"'] * width) + "]"]
    prev = "a"
    for i in range(1, levels):
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
        prev = name
    return "\n".join(lines) + "\n"


# ---- the base profile is valid, and the arithmetic is right -------------------------------------

def test_minimal_v1_profile_loads_and_costs(tmp_path):
    p = write(tmp_path, BASE)
    prof = flopcalc.load_profile(p)
    assert prof.id == "testchip" and prof.default_precision == "bf16"
    r = run(p, extra=("--format", "json"))
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)
    peak, eff, price, overhead = 500e12, 0.4, 2.5, 1.5
    chip_hours = 1e26 / (peak * eff * 3600)
    assert row["gpu"] == "testchip" and row["precision"] == "bf16"
    assert row["peak_flop_per_s"] == pytest.approx(peak, rel=1e-12)
    assert row["efficiency"] == pytest.approx(eff, rel=1e-12)
    assert row["chip_hours"] == pytest.approx(chip_hours, rel=1e-12)
    assert row["cost_usd"] == pytest.approx(chip_hours * price, rel=1e-12)
    assert row["cost_with_overhead_usd"] == pytest.approx(chip_hours * price * overhead, rel=1e-12)
    assert row["profile_file"] == str(p)


# ---- files that are not a profile at all -------------------------------------------------------

RAW = [
    ("empty", "", ["empty"]),
    ("whitespace", "  \n\t\n   \n", ["empty"]),
    ("colons", ": : :\n", ["not valid YAML"]),
    ("unbalanced", "id: [h100, {name: x\n", ["not valid YAML"]),
    ("list", "- id\n- name\n", ["mapping", "list"]),
    ("scalar", "just text\n", ["mapping"]),
    ("deep-list", "[" * 5000 + "]" * 5000, []),
    ("deep-map", "{a: " * 5000 + "}" * 5000, []),
    ("tab-indent", "id:\ttestchip\n\tname: x\n", ["not valid YAML"]),
    ("two-documents", yaml.safe_dump(BASE) + "---\n" + yaml.safe_dump(BASE), ["not valid YAML"]),
    ("python-name", "!!python/name:os.system\n", ["python/name"]),
    ("unhashable-key", yaml.safe_dump(BASE) + "? [a, b]\n: x\n", []),
]


@pytest.mark.parametrize("text, needles", [c[1:] for c in RAW], ids=[c[0] for c in RAW])
def test_not_a_profile(tmp_path, text, needles):
    p = write(tmp_path, text)
    assert_data_error(run(p), p, *needles)


def test_python_object_apply_is_not_executed(tmp_path):
    target = tmp_path / "pwned"
    p = write(tmp_path, f'!!python/object/apply:os.system ["echo pwned > {target}"]\n')
    assert_data_error(run(p), p, "python/object/apply")
    assert not target.exists()


def test_python_object_apply_inside_a_field_is_not_executed(tmp_path):
    target = tmp_path / "pwned"
    p = write(tmp_path, yaml.safe_dump(BASE) + f'notes: !!python/object/apply:os.system ["echo pwned > {target}"]\n')
    assert_data_error(run(p), p)
    assert not target.exists()


@pytest.mark.parametrize("where", ["top-level", "notes"])
def test_alias_bomb_fails_fast(tmp_path, where):
    bomb = alias_bomb()
    if where == "notes":
        text = yaml.safe_dump(BASE) + "notes:\n" + "".join(f"  {line}\n" for line in bomb.splitlines())
    else:
        text = bomb
    p = write(tmp_path, text)
    t = time.perf_counter()
    r = run(p)
    assert time.perf_counter() - t < 5
    assert_data_error(r, p, "alias")


def test_alias_bomb_library(tmp_path):
    p = write(tmp_path, alias_bomb())
    t = time.perf_counter()
    with pytest.raises(flopcalc.DataError) as e:
        flopcalc.load_profile(p)
    assert time.perf_counter() - t < 5
    assert str(p) in str(e.value)


def test_file_over_one_megabyte(tmp_path):
    p = write(tmp_path, yaml.safe_dump(BASE) + "# " + "x" * 2_000_000 + "\n")
    assert_data_error(run(p), p, "1000000")


def test_binary_file(tmp_path):
    p = write(tmp_path, b"\xff\xfe\x00\x01\x80\x81garbage\xc3\x28")
    assert_data_error(run(p), p, "UTF-8")


def test_directory(tmp_path):
    d = tmp_path / "profiles.yaml"
    d.mkdir()
    assert_data_error(run(d), d, "directory")


def test_missing_file(tmp_path):
    p = tmp_path / "nope.yaml"
    assert_data_error(run(p), p, "no such file")


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform == "win32", reason="needs /dev/zero")
def test_endless_file_is_refused_without_reading_it_all():
    # st_size of a device is 0, so a stat-based size check passes; the read must be bounded too.
    import resource

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = dict(os.environ, FLOPCALC_HARDWARE_PATH="")
    try:
        r = subprocess.run([sys.executable, "-m", "flopcalc", "cost", "1e26", "--hardware-file", "/dev/zero"],
                           capture_output=True, text=True, timeout=20, env=env, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("reading /dev/zero as a hardware file did not finish in 20 s")
    assert "Traceback" not in r.stderr, r.stderr[-500:]
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
    assert "/dev/zero" in r.stderr


# ---- a profile with one bad field ---------------------------------------------------------------

FIELD_CASES = [
    ("missing-peak", profile(peak=_DROP), ["'peak'", "missing"]),
    ("unknown-key", profile(flavour="x"), ["'flavour'", "allowed keys"]),
    ("tdp-flop", profile(tdp="700 FLOP"), ["tdp", "700 FLOP", "W"]),
    ("peak-count", profile(peak={"fp8": "1979 TFLOP"}, default_precision="fp8"), ["peak.fp8", "1979 TFLOP", "TFLOP/s"]),
    ("price-no-hour", profile(price="2 USD"), ["price", "2 USD", "USD/hour"]),
    ("memory-watts", profile(memory="80 W"), ["memory", "80 W", "GB"]),
    ("efficiency-1.5", profile(efficiency=1.5), ["efficiency", "1.5", "<= 1"]),
    ("efficiency-0", profile(efficiency=0), ["efficiency", "0", "> 0"]),
    ("efficiency-text", profile(efficiency="forty"), ["efficiency", "forty", "number"]),
    ("efficiency-map-bad", profile(efficiency={"bf16": 2}), ["efficiency.bf16", "2", "<= 1"]),
    ("price-negative", profile(price="-2 USD/hour"), ["price", "-2 USD/hour", "greater than zero"]),
    ("overhead-0.5", profile(overhead=0.5), ["overhead", "0.5", ">= 1"]),
    ("default-precision-no-peak", profile(default_precision="fp8", peak={"bf16": "500 TFLOP/s"}),
     ["default_precision", "fp8", "bf16"]),
    ("unknown-precision", profile(peak={"fp9": "1 TFLOP/s", "bf16": "1 TFLOP/s"}), ["peak.fp9", "bf16"]),
    ("sparse-trap", profile(peak={"fp8": "3958 TFLOP/s"}, sparse_peak={"fp8": "3958 TFLOP/s"},
                            default_precision="fp8"), ["peak.fp8", "sparse"]),
    ("source-without-date", profile(sources=[{"field": "peak", "source": "a datasheet"}]),
     ["sources[0]", "'date'"]),
    ("source-bad-date", profile(sources=[{"field": "peak", "source": "a datasheet", "date": "soon"}]),
     ["sources[0].date", "YYYY"]),
    ("no-sources", profile(sources=[]), ["sources"]),
    ("id-two-words", profile(id="test chip"), ["id", "one word"]),
    ("tdp-bool", profile(tdp=True), ["tdp"]),
    ("year-1800", profile(year=1800), ["year", "1800", "1990"]),
]


@pytest.mark.parametrize("data, needles", [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
def test_bad_field(tmp_path, data, needles):
    p = write(tmp_path, data)
    assert_data_error(run(p), p, *needles)


def test_efficiency_nan(tmp_path):
    p = write(tmp_path, yaml.safe_dump(BASE).replace("efficiency: 0.4", "efficiency: .nan"))
    assert "efficiency: .nan" in p.read_text()
    assert_data_error(run(p), p, "efficiency", "nan")


def test_duplicate_key_is_refused(tmp_path):
    # PyYAML keeps the last of two equal keys: a file saying 'id' twice must be refused, not half-read.
    p = write(tmp_path, yaml.safe_dump(BASE) + "id: other\n")
    assert_data_error(run(p), p, "id")


# ---- two files with the same id ----------------------------------------------------------------

def test_two_files_same_id_cli(tmp_path):
    a = write(tmp_path, BASE, "a.yaml")
    b = write(tmp_path, profile(name="Another"), "b.yaml")
    err = assert_data_error(run(a, b), b, "testchip")
    assert str(a) in err


def test_two_files_same_id_library(tmp_path):
    a = write(tmp_path, BASE, "a.yaml")
    b = write(tmp_path, profile(name="Another"), "b.yaml")
    with pytest.raises(flopcalc.DataError) as e:
        load_profiles([a, b])
    assert str(a) in str(e.value) and str(b) in str(e.value)
    assert e.value.field == "id"
