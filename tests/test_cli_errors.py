"""Every bad input gives ONE line on stderr starting 'Error: ', naming the bad value and what is
accepted, exit code 2 for usage errors, nothing on stdout, and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from flopcalc.cli import cli


def run(args: list[str]):
    return CliRunner().invoke(cli, args, prog_name="flopcalc")


def assert_one_line_error(result, *, code: int | None = 2) -> str:
    """The shared contract; returns stderr for the case-specific checks."""
    err = result.stderr
    # an exception other than SystemExit means a traceback would have been printed
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception!r}\nstderr: {err!r}")
    if code is None:
        assert result.exit_code != 0, f"exit 0 on bad input; stdout: {result.stdout!r}"
    else:
        assert result.exit_code == code, f"exit {result.exit_code}, wanted {code}; stderr: {err!r}"
    assert result.stdout == "", f"stdout should be empty: {result.stdout!r}"
    assert err.startswith("Error: "), err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not exactly one line: {err!r}"
    assert "Traceback" not in err
    return err


CHIPS_KNOWN = ("h100",)  # the list of known chips must at least name the default chip

# (id, args, texts naming the bad value (all must appear), texts naming what is accepted (any one must appear))
CASES = [
    ("flop-abc", ["cost", "abc"], ["'abc'"], ["1e26"]),
    ("flop-negative", ["cost", "--", "-1e26"], ["-1e26"], ["greater than zero"]),
    ("flop-nan", ["cost", "nan"], ["'nan'"], ["1e26"]),
    ("flop-inf", ["cost", "inf"], ["'inf'"], ["1e26"]),
    ("flop-overflow", ["cost", "1e999"], ["1e999"], ["1e26"]),
    ("flop-wrong-unit", ["cost", "1e26 USD"], ["1e26 USD"], ["FLOP count"]),
    ("flop-zero", ["cost", "0"], ["'0'"], ["greater than zero"]),
    ("flop-empty", ["cost", ""], ["empty"], ["1e26"]),
    ("gpu-unknown", ["cost", "1e26", "--gpu", "xyz"], ["'xyz'"], ["h100"]),
    ("gpu-empty", ["cost", "1e26", "--gpu", ""], ["''"], ["h100"]),
    ("precision-missing", ["cost", "1e26", "--gpu", "a100", "--precision", "fp8"], ["fp8"], ["bf16"]),
    ("precision-empty", ["cost", "1e26", "--precision", ""], ["''"], ["fp8"]),
    ("efficiency-zero", ["cost", "1e26", "--efficiency", "0"], ["efficiency '0'"], ["(0, 1]"]),
    ("efficiency-above-1", ["cost", "1e26", "--efficiency", "1.5"], ["1.5"], ["(0, 1]"]),
    ("efficiency-nan", ["cost", "1e26", "--efficiency", "nan"], ["nan"], ["(0, 1]", "0.4"]),
    ("efficiency-negative", ["cost", "1e26", "--efficiency", "-0.1"], ["-0.1"], ["(0, 1]"]),
    ("efficiency-abc", ["cost", "1e26", "--efficiency", "abc"], ["'abc'"], ["(0, 1]", "0.4"]),
    ("efficiency-unit", ["cost", "1e26", "--efficiency", "40 W"], ["40 W"], ["(0, 1]", "0.4", "without a unit"]),
    ("price-negative", ["cost", "1e26", "--price=-2"], ["-2"], ["greater than zero"]),
    ("price-wrong-unit", ["cost", "1e26", "--price", "2 FLOP"], ["2 FLOP"], ["USD/hour"]),
    ("overhead-below-1", ["cost", "1e26", "--overhead", "0.5"], ["0.5"], ["1.5", ">= 1", "at least 1"]),
    ("overhead-nan", ["cost", "1e26", "--overhead", "nan"], ["nan"], ["1.5", ">= 1", "at least 1"]),
    ("overhead-abc", ["cost", "1e26", "--overhead", "abc"], ["'abc'"], ["1.5", ">= 1", "at least 1"]),
    ("peak-count-not-rate", ["cost", "1e26", "--peak", "2000 TFLOP"], ["2000 TFLOP"], ["TFLOP/s"]),
    ("peak-plural-count", ["cost", "1e26", "--peak", "2000 TFLOPs"], ["2000 TFLOPs"], ["TFLOP/s"]),
    ("peak-watts", ["cost", "1e26", "--peak", "2000 W"], ["2000 W"], ["TFLOP/s"]),
    ("peak-nan", ["cost", "1e26", "--peak", "nan TFLOP/s"], ["nan TFLOP/s"], ["TFLOP/s"]),
    ("chips-zero", ["cost", "1e26", "--chips", "0"], ["chips '0'"], ["at least 1"]),
    ("chips-fraction", ["cost", "1e26", "--chips", "1.5"], ["1.5"], ["whole number"]),
    ("chips-negative", ["cost", "1e26", "--chips=-3"], ["-3"], ["at least 1"]),
    ("chips-nan", ["cost", "1e26", "--chips", "nan"], ["nan"], ["whole number", "at least 1"]),
    ("chips-abc", ["cost", "1e26", "--chips", "abc"], ["'abc'"], ["whole number", "at least 1"]),
    ("days-zero", ["cost", "1e26", "--days", "0"], ["'0'"], ["greater than zero"]),
    ("days-wrong-unit", ["cost", "1e26", "--days", "5 W"], ["5 W"], ["90 day"]),
    ("pue-below-1", ["cost", "1e26", "--pue", "0.5"], ["0.5"], [">= 1", "at least 1"]),
    ("pue-abc", ["cost", "1e26", "--pue", "abc"], ["'abc'"], [">= 1", "at least 1", "1.2"]),
    ("grid-negative", ["cost", "1e26", "--grid-intensity=-1"], ["-1"], ["at least 0"]),
    ("format-xml", ["cost", "1e26", "--format", "xml"], ["'xml'"], ["json"]),
    ("option-unknown", ["cost", "1e26", "--bogus"], ["--bogus"], ["--help"]),
    ("hardware-file-missing", ["cost", "1e26", "--hardware-file", "/nonexistent.yaml"],
     ["/nonexistent.yaml"], ["no such file"]),
    ("budget-abc", ["budget", "abc"], ["'abc'"], ["$100M"]),
    ("budget-negative", ["budget", "--", "-5"], ["-5"], ["greater than zero"]),
    ("budget-negative-dollar", ["budget", "--", "-$5M"], ["-$5M"], ["greater than zero"]),
    ("budget-wrong-unit", ["budget", "100 FLOP"], ["100 FLOP"], ["money"]),
    ("budget-zero-price", ["budget", "1e6", "--price", "0"], ["price '0' is zero"], ["greater than zero"]),
    ("size-abc", ["size", "abc"], ["'abc'"], ["1e26"]),
    ("size-params-abc", ["size", "1e26", "--params", "abc"], ["'abc'"], ["greater than zero", "positive"]),
    ("size-both", ["size", "1e26", "--params", "1e9", "--tokens", "1e12"], ["params", "tokens"], ["at most one"]),
    ("check-nothing", ["check"], ["nothing to check"], ["--flop"]),
    ("check-params-without-tokens", ["check", "--params", "1e9"], ["tokens"], ["params and tokens"]),
    ("check-chips-without-days", ["check", "--chips", "8"], ["--days"], ["--chips and --days"]),
    ("check-flop-and-method", ["check", "--flop", "1e26", "--params", "1e9", "--tokens", "1e12"],
     ["--flop"], ["not both"]),
    ("thresholds-status", ["thresholds", "--status", "bogus"], ["'bogus'"], ["in-force"]),
    ("thresholds-as-of", ["thresholds", "--as-of", "2024-13-45"], ["2024-13-45"], ["YYYY-MM-DD"]),
    ("thresholds-gpu", ["thresholds", "--gpu", "nosuch"], ["'nosuch'"], ["h100"]),
    ("thresholds-file-missing", ["thresholds", "--thresholds-file", "/nonexistent.yaml"],
     ["/nonexistent.yaml"], ["no such file"]),
    ("hardware-show-unknown", ["hardware", "show", "nosuchchip"], ["'nosuchchip'"], ["h100"]),
    ("hardware-show-no-arg", ["hardware", "show"], ["GPU"], ["Missing argument"]),
    ("calibrate-unknown", ["calibrate", "--gpu", "nosuch"], ["'nosuch'"], ["h100"]),
    ("calibrate-bad-gpu", ["calibrate", "--gpu", "nope"], ["nope"], ["known chips"]),
    ("calibrate-precision", ["calibrate", "--gpu", "a100", "--precision", "fp8"], ["fp8"], ["bf16"]),
    ("runs-unknown-gpu", ["runs", "--gpu", "nosuch"], ["'nosuch'"], ["h100"]),
    ("runs-file-missing", ["runs", "--runs-file", "/nonexistent.yaml"], ["/nonexistent.yaml"], ["no such file"]),
    ("command-unknown", ["nosuchcmd"], ["'nosuchcmd'"], ["--help"]),
]


@pytest.mark.parametrize("args, values, accepted", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2(args, values, accepted):
    err = assert_one_line_error(run(args))
    for v in values:
        assert v in err, f"the bad value {v!r} is not named in {err!r}"
    assert any(a in err for a in accepted), f"none of {accepted} (what is accepted) in {err!r}"


def test_unknown_gpu_lists_every_known_chip():
    err = assert_one_line_error(run(["cost", "1e26", "--gpu", "xyz"]))
    for chip in ("a100", "h100", "b200", "mi300x", "tpu-v5p"):
        assert chip in err


def test_unknown_precision_lists_the_chips_precisions():
    err = assert_one_line_error(run(["cost", "1e26", "--gpu", "a100", "--precision", "fp8"]))
    assert "a100" in err
    for p in ("bf16", "fp16", "tf32", "fp32"):
        assert p in err


def test_peak_without_per_second_hints_at_rate():
    err = assert_one_line_error(run(["cost", "1e26", "--peak", "2000 TFLOP"]))
    assert "TFLOP/s" in err and "count" in err


def test_bare_negative_flop_is_one_line_exit_2():
    # click reads '-1e26' as an option; it must still be one line and exit 2.
    err = assert_one_line_error(run(["cost", "-1e26"]))
    assert "-1" in err


def test_multiline_value_is_shown_on_one_line():
    err = assert_one_line_error(run(["cost", "1e26 FLOP\nmore"]))
    assert "1e26 FLOP more" in err


def test_real_entry_point_one_line(tmp_path):
    env = dict(os.environ, FLOPCALC_HARDWARE_PATH="")
    r = subprocess.run([sys.executable, "-m", "flopcalc", "cost", "abc"], capture_output=True, text=True,
                       timeout=60, env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
    assert "'abc'" in r.stderr and "flopcalc cost --help" in r.stderr


# ---- help -----------------------------------------------------------------------------------------

def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield path + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + (name,))


ALL = list(_commands(cli))


def test_there_are_commands():
    names = {p for p, _ in ALL}
    assert {("cost",), ("budget",), ("size",), ("check",), ("thresholds",), ("hardware",),
            ("hardware", "show"), ("calibrate",), ("runs",)} <= names


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help_mentions_every_command(flag):
    r = run([flag])
    assert r.exit_code == 0 and r.stderr == ""
    for name in cli.commands:
        assert f"  {name} " in r.stdout, name


@pytest.mark.parametrize("path, cmd", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_command_has_help(path, cmd):
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    r = run([*path, "--help"])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert f"Usage: flopcalc {' '.join(path)}" in r.stdout
    assert cmd.get_short_help_str(limit=40).rstrip(".").split()[0] in r.stdout
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"
            assert param.opts[-1] in r.stdout or param.opts[0] in r.stdout
    if isinstance(cmd, click.Group):
        for sub in cmd.commands:
            assert sub in r.stdout


def test_version():
    r = run(["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("flopcalc ")
