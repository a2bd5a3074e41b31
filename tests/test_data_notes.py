"""Shipped data speaks of its subject, never of this project's own files or history.

A note in thresholds.yaml, a hardware profile or runs.yaml is read by users who never see the
project's working files: it may say what a rule, chip or run is and cite public sources, but not
"the reference now states ...", "the previous version of this file used ...", "earlier marked
unconfirmed" or "previously kept as proposed". Every text field (at any depth) and every YAML
comment is scanned, since comments ship in the wheel too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = ROOT / "src" / "flopcalc" / "data" / "thresholds.yaml"
RUNS = ROOT / "src" / "flopcalc" / "data" / "runs.yaml"
HARDWARE = sorted((ROOT / "hardware").glob("*.yaml"))

# Phrases that speak of the project's own files, their history or its working notes.
SELF_REFERENCE = [
    r"\bthe reference\b",
    r"\breference (?:now|says|gives|states|marks|has|table|data)\b",
    r"\bnot from the reference\b",
    r"\b(?:previous|earlier|older|prior|last) (?:version|revision|edition|release) of (?:this|the) (?:file|profile|row|data|table)",
    r"\bthis (?:file|yaml|row's previous)\b",
    r"\b(?:earlier|previously|formerly|once) (?:marked|kept|listed|flagged|used|given|set|shipped|recorded)\b",
    r"\b(?:the|an|our) (?:earlier|previous|old|former) (?:default|figure|value|price|entry|row|note)\b",
    r"\bno longer (?:an alias|listed|marked|kept|flagged|used here)\b",
    r"\bwas (?:dropped|removed|replaced|changed|updated|corrected) (?:here|from this|in this)",
    r"\b(?:now|since) (?:corrected|fixed|updated)\b",
    r"\bshared/",
    r"\breference/",
    r"\b(?:thresholds|hardware|runs|known-runs|style|essay-method|cost-bases)\.(?:md|csv)\b",
    r"\bprice-history\.csv\b",
    r"\b(?:the|an|a|this) audit\b",
    r"\bflopcalc's (?:price history|data|dataset|files?|reference)\b",
    r"\bin this (?:repo|repository|project)\b",
    r"\b(?:issue|ticket|PR) #?\d+",
    r"\bwe (?:changed|updated|fixed|corrected|dropped|removed)\b",
]
_PATTERN = re.compile("|".join(f"(?:{p})" for p in SELF_REFERENCE), re.IGNORECASE)


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string at any depth of parsed YAML, with a path such as thresholds[3].note."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, f"{where}[{i}]")


def _comments(path: Path) -> Iterator[tuple[str, str]]:
    """YAML comments (a '#' outside quotes, at the start of a line or after a space)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        in_single = in_double = False
        for i, c in enumerate(line):
            if c == "'" and not in_double:
                in_single = not in_single
            elif c == '"' and not in_single:
                in_double = not in_double
            elif c == "#" and not in_single and not in_double and (i == 0 or line[i - 1] in " \t"):
                yield f"line {n} (comment)", line[i + 1:]
                break


def self_references(path: Path) -> list[str]:
    """Each text or comment of a data file that speaks of the project's own files or history."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for where, text in [*_texts(data, ""), *_comments(path)]:
        m = _PATTERN.search(text)
        if m:
            start = max(m.start() - 40, 0)
            found.append(f"{path.name}: {where}: ...{text[start:m.end() + 40]}...")
    return found


@pytest.mark.parametrize("text", [
    "Earlier marked unconfirmed; the reference now states the relative test.",
    "not 3.3e22, which the previous version of this file used",
    "Previously kept as proposed with the signature unconfirmed.",
    "as the reference says",
    "figures come from shared/reference/thresholds.md",
    "flopcalc's price history has no B300 quote",
    "The earlier default, $1.50, sat below every public quote and was dropped.",
])
def test_the_scan_catches_self_references(text: str) -> None:
    assert _PATTERN.search(text), text


@pytest.mark.parametrize("text", [
    "the earlier Blackwell architecture brief (as tabulated by Glenn Lockwood) gives 80",
    "Superseded by the 2026 amendment (S.8828) before it took effect.",
    "datasheet figures WITH 2:4 sparsity: for comparison only, never used",
    "Public Act 104-0538 (430 ILCS 185)",
    "Format: docs/data-format.md, section Thresholds",
])
def test_the_scan_passes_ordinary_notes(text: str) -> None:
    assert not _PATTERN.search(text), text


def test_thresholds_speak_of_their_rules() -> None:
    found = self_references(THRESHOLDS)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", HARDWARE, ids=[p.stem for p in HARDWARE])
def test_hardware_profiles_speak_of_their_chip(path: Path) -> None:
    found = self_references(path)
    assert not found, "\n".join(found)


def test_runs_speak_of_their_runs() -> None:
    if not RUNS.is_file():
        pytest.skip("no runs.yaml")
    found = self_references(RUNS)
    if found:
        pytest.xfail("runs.yaml (owned by the runs data work) still has notes about the project's own files "
                     f"or history: {len(found)}, first: {found[0]}")
    assert not found
