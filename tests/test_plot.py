"""flopcalc plot: every kind in every format, dollar ticks, which rules are drawn, errors, the install hint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke

pytest.importorskip("matplotlib")

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}
KIND_ARGS = {
    "cost": ["--gpu", "h100", "--min-flop", "1e24", "--max-flop", "1e26"],
    "bars": ["--kind", "bars", "1e26", "--gpu", "h100", "--gpu", "a100"],
    "trend": ["--kind", "trend", "1e26", "--from", "2023", "--to", "2027", "--gpu", "h100"],
}

RULES_YAML = """\
data_as_of: 2026-01-01
thresholds:
  - id: all-models
    name: "Test Act: all models"
    jurisdiction: Testland
    instrument: Test Act
    limits: [{kind: flop, value: 1e25 FLOP, comparison: ">"}]
    scope: null
    status: in-force
    history: [{date: 2025-01-01, status: in-force}]
    source: https://example.org/a
  - id: bio-only
    name: "Test Act: biology"
    jurisdiction: Testland
    instrument: Test Act
    limits: [{kind: flop, value: 1e23 FLOP, comparison: ">"}]
    scope: biological sequence models
    status: in-force
    history: [{date: 2025-01-01, status: in-force}]
    source: https://example.org/b
  - id: proposed-bill
    name: "Test Bill: frontier"
    jurisdiction: Testland
    instrument: Test Bill
    limits: [{kind: flop, value: 1e26 FLOP, comparison: ">"}]
    scope: null
    status: proposed
    history: [{date: 2025-06-01, status: proposed}]
    source: https://example.org/c
  - id: cost-bill
    name: "Cost Bill: spend"
    jurisdiction: Testland
    instrument: Cost Bill
    limits: [{kind: usd, value: 100e6 USD, comparison: ">"}]
    scope: null
    status: in-force
    history: [{date: 2025-01-01, status: in-force}]
    source: https://example.org/d
"""


def _texts(svg: str) -> list[str]:
    """The text matplotlib wrote: with text drawn as paths, each piece is kept as a comment before its glyphs."""
    import html

    return [html.unescape(t.strip()) for t in re.findall(r"<!-- (.*?) -->", svg, re.S)]


def _tick_labels(svg: str, axis: str) -> list[str]:
    """The labels of one axis ('matplotlib.axis_1' is x, 'matplotlib.axis_2' is y), read from the SVG tree."""
    import xml.etree.ElementTree as ET

    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg.encode("utf-8"), parser=parser)
    ns = "{http://www.w3.org/2000/svg}"
    group = next(g for g in root.iter(f"{ns}g") if g.get("id") == axis)
    labels = []
    for tick in group.findall(f"{ns}g"):
        if not re.fullmatch(r"[xy]tick_\d+", tick.get("id") or ""):
            continue
        for text in tick.iter(f"{ns}g"):
            if (text.get("id") or "").startswith("text_"):
                labels += [c.text.strip() for c in text if c.tag is ET.Comment]
    return labels


def _ytick_labels(svg: str) -> list[str]:
    return _tick_labels(svg, "matplotlib.axis_2")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.parametrize("kind", ["cost", "bars", "trend"])
def test_each_kind_writes_each_format(tmp_path: Path, kind: str, suffix: str) -> None:
    out = tmp_path / "new folder" / f"chart{suffix}"  # a missing folder is created
    res = invoke(["plot", "--out", str(out), *KIND_ARGS[kind]])
    assert res.stdout.strip() == f"wrote {out}"
    data = out.read_bytes()
    assert data.startswith(MAGIC[suffix]) and len(data) > 5_000
    if suffix == ".svg":
        assert b"</svg>" in data[-100:]
    if suffix == ".pdf":
        assert b"%%EOF" in data[-50:]


def test_svg_y_ticks_read_as_dollars(tmp_path: Path) -> None:
    out = tmp_path / "cost.svg"
    invoke(["plot", "--out", str(out), "--gpu", "h100", "--min-flop", "1e22", "--max-flop", "1e27"])
    labels = _ytick_labels(out.read_text(encoding="utf-8"))
    assert labels, "no y tick labels found"
    assert all(re.fullmatch(r"\$\d+(\.\d+)?[kMBT]?", s) for s in labels), labels
    # a log axis from about $10k to $10B: one label per decade, written as dollars
    assert {"$1M", "$10M", "$100M", "$1B"} <= set(labels)
    assert not any("10^" in s or "mathdefault" in s for s in labels)


def test_bar_chart_y_ticks_are_dollars_from_zero(tmp_path: Path) -> None:
    out = tmp_path / "bars.svg"
    invoke(["plot", "--out", str(out), "--kind", "bars", "1e26", "--gpu", "h100", "--gpu", "a100"])
    labels = _ytick_labels(out.read_text(encoding="utf-8"))
    assert labels[0] == "$0"
    assert all(re.fullmatch(r"\$\d+(\.\d+)?[kMBT]?", s) for s in labels), labels
    assert any(s.endswith(("M", "B")) for s in labels)


def test_usd_label() -> None:
    from flopcalc.plot import usd_label

    cases = {0: "$0", 0.001: "$1e-3", 0.5: "$0.5", 500: "$500", 5e3: "$5k", 1e6: "$1M", 1e8: "$100M",
             2.5e8: "$250M", 1e9: "$1B", 1.25e9: "$1.25B", 1e10: "$10B", 3e12: "$3T", 2e15: "$2e15"}
    assert {v: usd_label(v) for v in cases} == cases


def test_bars_are_sorted_by_evidence_cost(tmp_path: Path) -> None:
    import flopcalc

    gpus = ["h100", "a100", "gaudi3", "mi300x"]
    out = tmp_path / "bars.svg"
    invoke(["plot", "--out", str(out), "--kind", "bars", "1e26", *sum((["--gpu", g] for g in gpus), [])])
    shown = [t for t in _tick_labels(out.read_text(encoding="utf-8"), "matplotlib.axis_1") if t in gpus]

    def evidence(g: str) -> float:
        r = flopcalc.cost(1e26, g, precision="bf16", price_tier="neocloud-on-demand")
        return r.evidence.cost_with_overhead.to("USD").magnitude

    assert shown == sorted(gpus, key=evidence)


def test_output_is_deterministic(tmp_path: Path) -> None:
    args = ["--kind", "bars", "1e25", "--gpu", "h100"]
    for suffix in (".svg", ".pdf"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        invoke(["plot", "--out", str(a), *args])
        invoke(["plot", "--out", str(b), *args])
        assert a.read_bytes() == b.read_bytes(), suffix
    pdf = (tmp_path / "a.pdf").read_bytes()
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    p = tmp_path / "rules.yaml"
    p.write_text(RULES_YAML, encoding="utf-8")
    return p


def test_select_rules_default_is_binding_and_unscoped(rules_file: Path) -> None:
    from flopcalc.plot import select_rules
    from flopcalc.rules import load_thresholds

    rules = load_thresholds([rules_file], bundled=False)
    sel = select_rules(rules, as_of="2026-01-01")
    assert [t.id for t in sel.drawn] == ["all-models", "cost-bill"]
    assert [t.id for t in sel.scoped] == ["bio-only"]
    assert [t.id for t in select_rules(rules, as_of="2026-01-01", include_scoped=True).drawn] == \
        ["all-models", "bio-only", "cost-bill"]
    assert [t.id for t in select_rules(rules, as_of="2026-01-01", statuses=["proposed"]).drawn] == ["proposed-bill"]
    # before the rules existed, nothing is drawn
    assert select_rules(rules, as_of="2024-12-31").drawn == ()
    assert select_rules(rules, as_of="2025-03-01", statuses=["proposed"]).drawn == ()


def test_scoped_rules_are_left_out_and_said_so(tmp_path: Path, rules_file: Path) -> None:
    from flopcalc.plot import plot_costs
    from flopcalc.rules import load_thresholds

    rules = load_thresholds([rules_file], bundled=False)
    out = plot_costs(tmp_path / "c.svg", ["h100"], rules=rules, as_of="2026-01-01", points=2)
    text = " ".join(_texts(out.read_text(encoding="utf-8")))
    assert "1e25 FLOP: Test Act" in text
    assert "1e23 FLOP" not in text and "1e26 FLOP" not in text
    # the footnotes name what was left out (matplotlib writes '--' as '- -' inside SVG comments)
    assert "bio-only" in text and "include-scoped" in text
    assert "cost-bill" in text and "no-overhead" in text  # a dollar test cannot sit on a with-overhead axis

    out = plot_costs(tmp_path / "d.svg", ["h100"], rules=rules, as_of="2026-01-01", points=2,
                     include_scoped=True, with_overhead=False)
    text = " ".join(_texts(out.read_text(encoding="utf-8")))
    assert "1e23 FLOP" in text and "only biological sequence models" in text
    assert "> $100M training cost: Cost Bill" in text


def test_bad_suffix_exits_2_in_one_line(tmp_path: Path) -> None:
    res = invoke(["plot", "--out", str(tmp_path / "chart.jpg")], ok=False)
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and ".png, .svg or .pdf" in res.stderr
    assert not (tmp_path / "chart.jpg").exists()


@pytest.mark.parametrize("args, words", [
    (["1e26"], "takes no FLOP argument"),
    (["--kind", "bars"], "one FLOP figure (got 0)"),
    (["--kind", "bars", "1e25", "1e26"], "one FLOP figure (got 2)"),
    (["--from", "2020"], "--kind trend only"),
    (["--kind", "trend", "--efficiency", "0.4"], "--efficiency cannot be set"),
    (["--gpu", "no-such-chip"], "unknown chip"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    res = invoke(["plot", "--out", str(tmp_path / "c.png"), *args], ok=False)
    assert res.exit_code == 2, res.output
    assert len(res.stderr.strip().splitlines()) == 1 and words in res.stderr
    assert not (tmp_path / "c.png").exists()


def test_unwritable_place_exits_1_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    res = invoke(["plot", "--out", str(blocker / "chart.png"), "--kind", "bars", "1e26", "--gpu", "h100"], ok=False)
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write")


def _expected_hint() -> str:
    from importlib import metadata

    try:
        dist = metadata.distribution("flopcalc")
    except metadata.PackageNotFoundError:
        return "pip install matplotlib"
    return "pip install matplotlib" if dist.read_text("direct_url.json") else "pip install 'flopcalc[plot]'"


def test_without_matplotlib_one_line_with_the_install_hint(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['matplotlib'] = None\nfrom flopcalc.cli import main\n"
            f"sys.argv = ['flopcalc', 'plot', '--out', {str(tmp_path / 'c.png')!r}]\nmain()")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [f"Error: plotting needs matplotlib: {_expected_hint()}"]
    assert not (tmp_path / "c.png").exists()


class _Dist:
    def __init__(self, direct: str | None) -> None:
        self.direct = direct

    def read_text(self, name: str) -> str | None:
        return self.direct if name == "direct_url.json" else None


@pytest.mark.parametrize("dist, hint", [
    (None, "pip install matplotlib"),  # not installed: running from a source tree
    (_Dist(None), "pip install 'flopcalc[plot]'"),  # from a package index
    (_Dist('{"url": "file:///src/flopcalc", "dir_info": {"editable": true}}'), "pip install matplotlib"),
])
def test_install_hint(monkeypatch: pytest.MonkeyPatch, dist: _Dist | None, hint: str) -> None:
    from importlib import metadata

    from flopcalc.plot import install_hint

    def fake(name: str) -> _Dist:
        assert name == "flopcalc"
        if dist is None:
            raise metadata.PackageNotFoundError(name)
        return dist

    monkeypatch.setattr(metadata, "distribution", fake)
    assert install_hint() == hint


def test_precision_stays_in_its_class() -> None:
    from flopcalc.hardware import load_profiles
    from flopcalc.plot import _precision_for

    db = load_profiles()
    assert _precision_for(db.get("h100"), "bf16", False) == ("bf16", None)
    prec, note = _precision_for(db.get("v100"), "bf16", False)  # V100 has no bf16: fp16 is the same class
    assert prec == "fp16" and note is not None and "no bf16" in note


def test_spread_never_overlaps() -> None:
    from flopcalc.plot import _spread

    want, sizes = [50.0, 50.0, 52.0, 10.0, 99.0], [6.0, 4.0, 6.0, 6.0, 6.0]
    pos = _spread(want, sizes, 0.0, 100.0, gap=1.0)
    order = sorted(range(len(want)), key=lambda i: pos[i])
    for a, b in zip(order, order[1:]):
        assert pos[b] - pos[a] >= (sizes[a] + sizes[b]) / 2 + 1.0 - 1e-9
    assert all(0.0 <= p - s / 2 and p + s / 2 <= 100.0 for p, s in zip(pos, sizes))
    assert pos[3] == 10.0  # a label with room stays where it belongs


def test_trend_segments_keep_the_steps_into_and_out_of_projections_dashed() -> None:
    from types import SimpleNamespace

    from flopcalc.plot import _segments

    rows = [SimpleNamespace(year=2018 + i, projected=p) for i, p in enumerate([True, True, False, False, True])]
    segs = [([r.year for r in rs], dashed) for rs, dashed in _segments(rows)]
    assert segs == [([2018, 2019, 2020], True), ([2020, 2021], False), ([2021, 2022], True)]


def test_plot_help_imports_no_matplotlib() -> None:
    code = ("import sys\nfrom flopcalc.cli import main\nsys.argv = ['flopcalc', 'plot', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('matplotlib' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip().splitlines()[-1] == "False"


def test_the_cli_knows_the_chart_kinds_without_importing_plot() -> None:
    from flopcalc.cli import commands_plot
    from flopcalc.plot import KINDS

    assert commands_plot.KINDS == KINDS
