"""README examples are real output, and README's two commands are what CI runs.

Regenerate the examples after a change:  python tests/test_readme.py --update
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- output: (?P<cmd>flopcalc [^>]*?) -->\n```text\n(?P<out>.*?)```", re.S)


def run(cmd: str) -> str:
    from click.testing import CliRunner

    from flopcalc.cli import cli

    res = CliRunner().invoke(cli, shlex.split(cmd)[1:], prog_name="flopcalc", catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_readme_examples_are_current(monkeypatch) -> None:
    monkeypatch.setenv("FLOPCALC_HARDWARE_PATH", "")
    text = README.read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    assert len(blocks) >= 6
    for m in blocks:
        assert run(m["cmd"]) == m["out"], f"README output of {m['cmd']!r} is stale: run python tests/test_readme.py --update"


def test_readme_commands_are_what_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = re.search(r"^INSTALL=\"(.*)\"$", ci, re.M)[1]
    tests = re.search(r"^TESTS=\"(.*)\"$", ci, re.M)[1]
    assert f"{install} && flopcalc cost 1e26 --gpu h100" in text
    assert tests in text


def update() -> None:
    import os

    os.environ["FLOPCALC_HARDWARE_PATH"] = ""
    text = README.read_text(encoding="utf-8")
    new = BLOCK.sub(lambda m: f"<!-- output: {m['cmd']} -->\n```text\n{run(m['cmd'])}```", text)
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__" and "--update" in sys.argv:
    update()


def test_readme_counts_the_runs_it_ships() -> None:
    import re

    import yaml

    runs = yaml.safe_load((ROOT / "src" / "flopcalc" / "data" / "runs.yaml").read_text(encoding="utf-8"))["runs"]
    epoch = sum("epoch" in r for r in runs)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"(\d+) known training runs, (\d+) of them read from the developers' documents and (\d+) from", text)
    assert m and (int(m[1]), int(m[2]), int(m[3])) == (len(runs), len(runs) - epoch, epoch)
    m = re.search(r"runs\.yaml`: (\d+) publicly reported runs, (\d+) curated by hand and (\d+) rebuilt", text)
    assert m and (int(m[1]), int(m[2]), int(m[3])) == (len(runs), len(runs) - epoch, epoch)
