"""A CLI fuzz test over every command and option (issue 11, item 6).

Commands and options are enumerated from the click objects, so a new command or option is
fuzzed without touching this file. A seeded, deterministic loop draws >= 2,000 invocations:
boundary values, random numbers, hostile strings, and hostile YAML profiles in a temp user
folder. Every invocation must end with exit code 0, 1, 2 or 130; never a traceback, never a
control byte on stdout or stderr, never a non-finite number in the output.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Iterator

import click
import pytest
from click.testing import CliRunner

from flopcalc.cli import cli

SEED = 20261201
N_INVOCATIONS = 2100
ALLOWED_EXIT = {0, 1, 2, 130}

# C0 controls except tab and newline, DEL, and the C1 block (U+0080-U+009F).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
NON_FINITE = re.compile(r"(?<![A-Za-z-])(nan|inf|infinity)(?![A-Za-z-])", re.I)

HOSTILE_TEXT = [
    "", " ", "\x1b]52;c;ZXZpbA==\x07", "\x1b[2J\x1b[31mred", "a|b", "line1\nline2", "\u009b31m", "\x00",
    "\u202e1e26", "nan", "inf", "-inf", "NaN FLOP", "Infinity", "1e400", "-1e400", "9" * 400, "1" + "0" * 400,
    "0x10", "1_000", "١٢٣", "1/3", "1e26 FLOP/s", "2e26 USD", "1e26 W", "10^26", "10**26", "1e-400", "-0",
    "+1e26", "1e26 FLOP FLOP", "--help", "-", "'", "\"", "%", "%s", "{}", "${HOME}", "../../etc/passwd",
]
NUMBERS = [
    "0", "-1", "1", "0.5", "1e-300", "1e300", "1e26", "1e25", "1e23", "0.1 YFLOP", "100 YFLOP", "9007199254740993",
    "9007199254740992", "2**53", "1e308", "1.7976931348623157e308", "5e-324", "2.5e25", "16k", "1.8T", "400B",
    "40%", "150%", "0%", "100%", "1.0", "7", "1.5", "$100M", "2.5B", "100 MUSD", "2000 TFLOP/s", "1e300 FLOP/s",
    "1e-30 FLOP/s", "2.5 USD/hour", "0 USD/hour", "90", "90 days", "1000 s", "1 ks", "1e-9 day", "1e9 days",
]
DATES = ["2024-02-30", "2024-13-01", "2024", "2024-06", "2025-08-02", "1900-01-01", "9999-12-31", "0000-01-01",
         "2024-7", "2024.7", "today", "2024-02-29", "2023-02-29", "2024-02-29T12:00:00"]
IDS = ["h100", "H100", "a100", "tpu-v5p", "mi300x", "nonesuch", "fp8", "bf16", "fp4", "fp64", "FP8", "evil",
       "hostile", "h100-sxm"]


def _hostile_profiles(folder: Path) -> None:
    """A user folder with a hostile but valid profile, a malformed one and a duplicate of a shipped id."""
    folder.mkdir(parents=True, exist_ok=True)
    from flopcalc._paths import data_path

    h100 = (data_path("hardware") / "h100.yaml").read_text(encoding="utf-8")
    evil = (h100.replace("id: h100", "id: hostile", 1)
            .replace("aliases: [h100-sxm, h100-sxm5, h100-80gb]", "aliases: [evil]", 1)
            .replace("name: NVIDIA H100 SXM5 80GB",
                     'name: "Evil \\x1b]52;c;ZXZpbA==\\x07 \\u009b31m | pipe\\nnewline \\u202e"', 1))
    assert "id: hostile" in evil and "aliases: [evil]" in evil and "Evil" in evil
    (folder / "hostile.yaml").write_text(evil, encoding="utf-8")
    (folder / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "dup.yaml").write_text(h100.replace("aliases: [h100-sxm, h100-sxm5, h100-80gb]", "aliases: [x-dup]"),
                                     encoding="utf-8")
    (folder / "huge.yaml").write_text("id: huge\nyear: " + "9" * 400 + "\n", encoding="utf-8")


def _walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, (*path, name))


COMMANDS = list(_walk(cli))


def _value_for(param: click.Parameter, rng: random.Random, files: dict[str, str]) -> str:
    """A value for one parameter: mostly plausible, often a boundary, sometimes hostile."""
    roll = rng.random()
    if roll < 0.12:
        return rng.choice(HOSTILE_TEXT)
    t = param.type
    name = (param.name or "").lower()
    if isinstance(t, click.Choice):
        choices = [str(c) for c in t.choices]
        return rng.choice(choices) if roll < 0.9 else rng.choice(["", "TABLE", "xml", "in force"])
    if "file" in name or name in ("out",):
        if name == "out":
            return rng.choice([files["out_bad_dir"], files["out_txt"], ""])
        return rng.choice([files["profile"], files["broken"], files["missing"], files["dir"], files["thresholds_bad"],
                           files["runs_bad"], files["binary"]])
    tname = (getattr(t, "name", "") or "").upper()
    if tname == "DATE" or "as_of" in name:
        return rng.choice(DATES)
    if tname == "ID" or name in ("gpu", "gpus", "precision"):
        return rng.choice(IDS)
    if roll < 0.75:
        return rng.choice(NUMBERS)
    # random numbers around the interesting scales
    mant = rng.uniform(-2, 10)
    exp = rng.randint(-320, 320)
    return rng.choice([f"{mant:.6g}e{exp}", repr(rng.uniform(0, 1)), str(rng.randint(-5, 2**64))])


def _args_for(path: tuple[str, ...], cmd: click.Command, rng: random.Random, files: dict[str, str]) -> list[str]:
    args = list(path)
    if rng.random() < 0.03:
        return args + [rng.choice(["--help", "-h", "--nonesuch"])]
    for p in cmd.params:
        if isinstance(p, click.Argument):
            n = 1 if p.nargs == 1 else rng.randint(0 if not p.required else 1, 3)
            if rng.random() < 0.05:
                n = 0
            args += [_value_for(p, rng, files) for _ in range(n)]
            continue
        if not isinstance(p, click.Option) or rng.random() < 0.6:
            continue
        opt = rng.choice(p.opts)
        if p.is_flag:
            args.append(opt)
            continue
        k = rng.randint(1, 3) if p.multiple else (2 if rng.random() < 0.04 else 1)  # a repeated single option: exit 2
        for _ in range(k):
            args += [opt, _value_for(p, rng, files)]
    return args


def _check_output(args: list[str], result: Any) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (args, repr(exc))
    assert result.exit_code in ALLOWED_EXIT, (args, result.exit_code, result.output)
    out, err = result.stdout, result.stderr
    for stream in (out, err):
        assert "Traceback" not in stream, (args, stream[-2000:])
        bad = CONTROL.search(stream)
        assert bad is None, (args, repr(bad.group()), stream[max(0, bad.start() - 80):bad.end() + 40])
    if result.exit_code != 0:
        assert err.strip(), (args, "a failure must say why on stderr")
        if result.exit_code in (1, 2):
            assert len(err.strip().splitlines()) >= 1
    if result.exit_code == 0 and "--format" in args and not {"--help", "-h"} & set(args):  # help wins over --format
        fmt = args[args.index("--format") + 1] if args.index("--format") + 1 < len(args) else ""
        if fmt == "json":
            # Strict JSON: no NaN / Infinity literals anywhere.
            def refuse(c: str) -> None:
                raise AssertionError((args, f"non-finite JSON constant {c}"))

            json.loads(out, parse_constant=refuse)
    if result.exit_code == 0:
        # Hostile text in arguments never reaches the output, so a 'nan'/'inf' token is the code's own.
        m = NON_FINITE.search(out)
        assert m is None, (args, out[max(0, m.start() - 120):m.end() + 40])


@pytest.fixture
def fuzz_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    user = tmp_path / "user-hw"
    _hostile_profiles(user)
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", str(user))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad-thresholds.yaml").write_text("thresholds:\n  - id: x\n    limits: [{kind: flop, value: 1e26}]\n",
                                                 encoding="utf-8")
    (tmp_path / "bad-runs.yaml").write_text("runs:\n  - id: r\n    flop: 0\n", encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00id: \x1b[31m\n")
    return {
        "profile": str(user / "hostile.yaml"), "broken": str(user / "broken.yaml"),
        "missing": str(tmp_path / "nope.yaml"), "dir": str(tmp_path),
        "thresholds_bad": str(tmp_path / "bad-thresholds.yaml"), "runs_bad": str(tmp_path / "bad-runs.yaml"),
        "binary": str(tmp_path / "binary.yaml"),
        "out_bad_dir": str(tmp_path / "no" / "such" / "dir" / "x.png"), "out_txt": str(tmp_path / "x.txt"),
    }


def test_every_command_is_fuzzed() -> None:
    names = {p for p, _ in COMMANDS}
    assert ("cost",) in names and ("check",) in names and ("hardware", "show") in names
    assert len(COMMANDS) >= 9


def test_cli_fuzz_no_traceback_no_control_bytes(fuzz_env: dict[str, str]) -> None:
    rng = random.Random(SEED)
    runner = CliRunner()
    # Round-robin over commands so each is hit ~N/len times; plot renders a chart, so its share is smaller.
    weighted = [(p, c) for p, c in COMMANDS for _ in range(1 if p[0] == "plot" else 4)]
    failures: list[str] = []
    seen_codes: set[int] = set()
    for i in range(N_INVOCATIONS):
        path, cmd = weighted[i % len(weighted)]
        args = _args_for(path, cmd, rng, fuzz_env)
        result = runner.invoke(cli, args, catch_exceptions=True)
        seen_codes.add(result.exit_code)
        try:
            _check_output(args, result)
        except AssertionError as e:
            failures.append(str(e)[:1500])
            if len(failures) >= 15:
                break
    assert not failures, f"{len(failures)} failing invocations (first 15):\n" + "\n\n".join(failures)
    assert {0, 2} <= seen_codes, seen_codes  # the fuzz reached both success and usage errors


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_of_every_command(path: tuple[str, ...], cmd: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and not CONTROL.search(result.stdout)


@pytest.mark.parametrize("path,cmd", [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group)],
                         ids=[" ".join(p) for p, c in COMMANDS if not isinstance(c, click.Group)])
def test_repeated_single_value_option_is_a_usage_error(path: tuple[str, ...], cmd: click.Command) -> None:
    single = [p for p in cmd.params if isinstance(p, click.Option) and not p.multiple and not p.is_flag
              and not p.count]
    if not single:
        pytest.skip("no single-value option")
    opt = single[0]
    value = {"DATE": "2025-01-01"}.get(getattr(opt.type, "name", ""), "1")
    if isinstance(opt.type, click.Choice):
        value = str(opt.type.choices[0])
    result = CliRunner().invoke(cli, [*path, opt.opts[0], value, opt.opts[0], value])
    assert result.exit_code == 2, (opt.opts, result.output)
    assert "twice" in result.stderr and "Traceback" not in result.output
