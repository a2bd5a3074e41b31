"""docs/json.md lists every key the commands print (one vocabulary, documented)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from flopcalc.cli import cli

DOC = (Path(__file__).resolve().parent.parent / "docs" / "json.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"`([a-z_][a-z0-9_]*)`", DOC))
# "(+ `_low`, `_high`)" and "`cost_usd_low`, `cost_usd_high` (and `cost_with_overhead_usd_…`)" cover suffixed keys
SUFFIXES = ("_low", "_high", "_centre")
FREE_FORM = {"assumptions_from", "data_as_of", "assumption_in_range"}  # objects keyed by field or file name


def _keys(x: object, out: set[str]) -> set[str]:
    if isinstance(x, dict):
        for k, v in x.items():
            out.add(k)
            if k not in FREE_FORM:
                _keys(v, out)
    elif isinstance(x, list):
        for v in x:
            _keys(v, out)
    return out


def _documented(key: str) -> bool:
    if key in DOCUMENTED:
        return True
    return any(key.endswith(s) and key[: -len(s)] in DOCUMENTED for s in SUFFIXES)


@pytest.mark.parametrize("args", [
    ["cost", "1e26", "--days", "90", "--chips", "1000"], ["cost", "1e26", "--gpu", "h100", "--as-of", "2026-06-01"],
    ["budget", "$50M", "--all"], ["check", "--gpu", "h100", "--chips", "16k", "--days", "90"],
    ["check", "--flop", "2e26", "--revenue", "$600M"],
    ["check", "--base-flop", "3.8e25", "--params", "405B", "--finetune-tokens", "1T"],
    ["plan", "$50M", "--days", "90"], ["plan", "--flop", "1e26"], ["plan", "--chips", "16k", "--days", "90"],
    ["plan", "$50M", "--basis", "all"], ["cost", "1e26", "--basis", "all"],
    ["cost", "--gpu", "a100-40gb", "--chip-hours", "5.7e7", "--start", "2022-05-12", "--basis", "amortized",
     "--dollars", "2023-12"], ["trend", "1e26", "--from", "2024", "--to", "2026", "--basis", "all",
                               "--dollars", "2026-01"]])
def test_every_json_key_is_documented(args: list[str]) -> None:
    r = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    missing = sorted(k for k in _keys(json.loads(r.stdout), set()) if not _documented(k))
    assert not missing, f"add to docs/json.md: {missing}"
