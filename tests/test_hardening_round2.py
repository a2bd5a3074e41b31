"""Hardening, round 2: separators stripped, Markdown inert, memo siblings safe, sub-unit FLOP refused,
zero revenue, amounts below a cent, '1 run'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flopcalc.errors import InputError, OutputError
from flopcalc.fmt import money, money_sig, plural
from flopcalc.text import clean, clean_block
from flopcalc.units import Q_, parse_quantity


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_line_and_paragraph_separators_are_stripped(sep: str) -> None:
    assert clean(f"a{sep}b") == "ab"
    assert clean_block(f"a{sep}b\nc") == "ab\nc"


@pytest.mark.parametrize(("x", "shown"), [
    (0.004, "$0.004"), (0.0042, "$0.0042"), (1.234e-5, "$1.2e-5"), (0.0049, "$0.0049"), (0.005, "$0.01"),
    (1.5, "$1.50"), (0, "$0"),
])
def test_amounts_below_a_cent_keep_significant_figures(x: float, shown: str) -> None:
    assert money(x) == shown
    assert money_sig(x) == shown


@pytest.mark.parametrize("x", [1e-3, 3e-7, 4.9e-3, 1e-12])
def test_never_zero_dollars_for_a_positive_amount(x: float) -> None:
    assert money(x) not in ("$0.00", "$0")
    assert float(money(x)[1:]) == pytest.approx(x, rel=0.05)


def test_plural() -> None:
    assert plural(1, "run") == "1 run"
    assert plural(2, "run") == "2 runs"
    assert plural(0, "run") == "0 runs"
    assert plural(1, "chip-hour") == "1 chip-hour"


@pytest.mark.parametrize("text", ["1 mFLOP", "1e29 mFLOP", "1e32 uFLOP", "5e28 milliFLOP"])
def test_sub_unit_prefixes_on_flop_counts_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="prefix below one"):
        parse_quantity(text, "flop")


def test_sub_unit_prefix_on_a_quantity_object_is_refused() -> None:
    with pytest.raises(InputError, match="prefix below one"):
        parse_quantity(Q_(1e29, "mFLOP"), "flop")
    with pytest.raises(InputError, match="prefix below one"):
        parse_quantity("1e18 mFLOP/s", "flop_rate")


@pytest.mark.parametrize("text", ["1e26 FLOP", "100 YFLOP", "1e20 kFLOP", "0.1 YFLOP"])
def test_prefixes_of_one_or_more_still_work(text: str) -> None:
    assert parse_quantity(text, "flop").magnitude > 0


def test_sub_unit_flop_on_the_command_line_is_one_line_exit_2() -> None:
    r = subprocess.run([sys.executable, "-m", "flopcalc", "cost", "1e29 mFLOP"], capture_output=True, text=True,
                       env={**os.environ, "FLOPCALC_HARDWARE_PATH": ""}, timeout=60)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "1e29 mFLOP" in r.stderr and "Traceback" not in r.stderr


def test_zero_revenue_is_a_value() -> None:
    from flopcalc.cli.params import REVENUE

    assert REVENUE.convert("0", None, None).magnitude == 0
    assert REVENUE.convert("$600M", None, None).to("USD").magnitude == pytest.approx(6e8)
    import click

    with pytest.raises(click.BadParameter):
        REVENUE.convert("-1", None, None)


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>", "[click](javascript:alert(1))", "![x](https://evil.example/t.png)",
    "<img src=x onerror=alert(1)>", "a|b", "`code`",
])
def test_markdown_cells_are_inert(hostile: str) -> None:
    from flopcalc.cli.output import md_escape

    out = md_escape(hostile)
    assert "<" not in out and ">" not in out
    assert "](" not in out.replace("\\](", "")  # every ']' before '(' is escaped
    assert "|" not in out.replace("\\|", "")
    assert "`" not in out.replace("\\`", "")


def test_markdown_table_from_a_hostile_profile(tmp_path: Path) -> None:
    from conftest import invoke

    p = tmp_path / "evil.yaml"
    p.write_text("id: evil\nname: '<b>x</b> [link](javascript:alert(1))'\npeak: {bf16: 500}\nprice: 1\n"
                 "efficiency: 0.4\n", encoding="utf-8")
    out = invoke(["cost", "1e26", "--gpu", "evil", "--hardware-file", str(p), "--format", "markdown"]).stdout
    assert "<" not in out and ">" not in out.replace("&gt;", "")
    assert "\\[link\\](javascript" in out and "[link](" not in out


def _memo():
    from flopcalc.memo import build_memo

    return build_memo(1e26, ["h100"])


def test_memo_never_writes_through_a_symlinked_sibling(tmp_path: Path) -> None:
    from flopcalc.memo import write_memo

    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    (tmp_path / "memo.svg").symlink_to(precious)
    with pytest.raises(OutputError, match="symbolic link"):
        write_memo(_memo(), tmp_path / "memo.md")
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "memo.md").exists()


def test_memo_never_overwrites_a_sibling_it_did_not_write(tmp_path: Path) -> None:
    from flopcalc.memo import write_memo

    (tmp_path / "memo.svg").write_text("<svg>my own drawing</svg>", encoding="utf-8")
    with pytest.raises(OutputError, match="not a flopcalc chart"):
        write_memo(_memo(), tmp_path / "memo.md")
    assert (tmp_path / "memo.svg").read_text(encoding="utf-8") == "<svg>my own drawing</svg>"


def test_memo_rewrites_its_own_chart(tmp_path: Path) -> None:
    from flopcalc.memo import write_memo

    m = _memo()
    first = write_memo(m, tmp_path / "memo.md")
    assert write_memo(m, tmp_path / "memo.md") == first
