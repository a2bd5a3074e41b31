"""flopcalc report: the one-page memo (issue 15). Self-contained HTML, escaped data, Markdown beside an SVG,
the chart's arithmetic, the footer stamp, and one-line errors."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import invoke

DONE = ["1e26", "--gpu", "h100", "--gpu", "a100"]  # the "done when" command


class _Page(HTMLParser):
    """Every tag, every src/href attribute (and whether it sits in the sources list), the style text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.refs: list[tuple[str, str, bool]] = []  # (attribute, value, inside ol.sources)
        self.style = ""
        self.text: list[str] = []
        self._in_style = False
        self._sources_depth = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.text.append(" ")
        a = dict(attrs)
        if tag == "ol" and "sources" in (a.get("class") or ""):
            self._sources_depth = len(self._stack) + 1
        if tag not in ("br", "meta", "circle", "line", "rect", "path"):
            self._stack.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "srcset", "action", "data", "poster") or k.startswith("on"):
                self.refs.append((k, v or "", self._sources_depth > 0))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self.text.append(" ")
        if tag in ("br", "meta", "circle", "line", "rect", "path"):
            return
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        if self._sources_depth and len(self._stack) < self._sources_depth:
            self._sources_depth = 0
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def _page(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def done_memo(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("memo") / "memo.html"
    res = invoke(["report", *DONE, "--out", str(out)])
    assert res.stdout.strip() == f"wrote {out}"
    return out, out.read_text(encoding="utf-8")


def _plain_text(html: str) -> str:
    return " ".join("".join(_page(html).text).split())


# ------------------------------------------------------------------------------------------- the done command


def test_one_self_contained_file(done_memo) -> None:
    out, html = done_memo
    assert sorted(p.name for p in out.parent.iterdir()) == ["memo.html"]  # one file, nothing beside it
    page = _page(html)
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form", "video", "audio", "source"):
        assert tag not in page.tags, tag
    assert page.tags.count("svg") == 1 and page.tags.count("style") == 1
    assert "url(" not in page.style and "@import" not in page.style and "@font-face" not in page.style
    assert "http" not in page.style
    # no src at all; every href an http(s) source link inside the sources list; no event handlers
    assert page.refs, "the sources list links its sources"
    for attr, value, in_sources in page.refs:
        assert attr == "href", (attr, value)
        assert in_sources, value
        assert re.match(r"https?://[^\s\"'<>]+$", value), value


def test_no_other_url_attributes_outside_the_sources(done_memo) -> None:
    _, html = done_memo
    body = html.split('<ol class="sources">')[0]
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*https?:""", body, re.I)
    assert "xmlns" not in body  # inline SVG in HTML needs no namespace URL


def test_answer_is_the_library_sentence(done_memo) -> None:
    import flopcalc

    _, html = done_memo
    first = flopcalc.cost_table([1e26], ["h100", "a100"])[0]
    assert f'<p class="quote" id="answer">{escape(first.summary)}</p>' in html


def test_figures_match_independent_arithmetic(done_memo) -> None:
    _, html = done_memo
    text = _plain_text(html)
    # h100: 1e26 / (1979e12 FLOP/s x 0.40 x 3600 s) chip-hours at $2.00; a100: 312e12 x 0.60 at $0.80
    h100_hours = 1e26 / (1979e12 * 0.40 * 3600)
    a100_hours = 1e26 / (312e12 * 0.60 * 3600)
    assert f"{h100_hours / 1e6:.1f}M" == "35.1M" and f"{a100_hours / 1e6:.0f}M" == "148M"
    row_h100 = re.search(r"h100 fp8 1979 40% \$2\.00 neocloud-contract-1yr \(2024\) (\S+) (\S+)", text)
    row_a100 = re.search(r"a100 bf16 312 60% \$0\.80 neocloud-on-demand \(2024\) (\S+) (\S+)", text)
    assert row_h100 and row_a100, text[:2000]
    assert row_h100.groups() == ("35.1M", f"${h100_hours * 2.00 / 1e6:.1f}M")  # $70.2M
    assert row_a100.groups() == ("148M", f"${a100_hours * 0.80 / 1e6:.0f}M")  # $119M
    # overhead multiplies the assumed cost: 1.5x on both chips
    assert (f"h100 x1.5 = ${h100_hours * 2.00 * 1.5 / 1e6:.0f}M; a100 x1.5 = ${a100_hours * 0.80 * 1.5 / 1e6:.0f}M."
            in text)  # $105M and $178M


def test_overhead_option_reaches_the_memo(tmp_path) -> None:
    out = tmp_path / "m.html"
    invoke(["report", "1e26", "--overhead", "2", "--out", str(out)])
    h100_cost = 1e26 / (1979e12 * 0.40 * 3600) * 2.00
    assert f"h100 x2 = ${h100_cost * 2 / 1e6:.0f}M." in _plain_text(out.read_text(encoding="utf-8"))  # $140M


def test_rules_and_their_status_on_the_date(done_memo) -> None:
    import datetime as dt

    _, html = done_memo
    text = _plain_text(html)
    today = dt.date.today().isoformat()
    assert f"The rules on {today}: in force" in text
    # 1e26 FLOP is ten times the EU AI Act's 1e25 and exactly on Korea's '>= 1e26'; '> 1e26' rules are not crossed
    assert re.search(r"eu-ai-act-systemic-risk: EU AI Act[^>]*?> 1e25 FLOP in-force crossed 10\b", text)
    assert re.search(r"kr-ai-basic-act \(UNCONFIRMED\): .*?>= 1e26 FLOP in-force crossed 1\b", text)
    assert re.search(r"us-ca-sb53: California SB 53: frontier model > 1e26 FLOP in-force not crossed 1\b", text)
    # at exactly 1e26 every revenue tier in force fails its '> 1e26' compute test first, so none waits on revenue
    assert "Not tested without the developer's revenue (give --revenue)" not in text
    assert "us-ca-sb53-large" in text and "Not crossed either, whatever the revenue" in text


def test_sources_carry_url_and_date(done_memo) -> None:
    from flopcalc.hardware import default_db

    _, html = done_memo
    links = {v for _, v, _ in _page(html).refs}
    h100 = default_db().get("h100")
    for s in h100.sources_for("peak") + h100.sources_for("efficiency") + h100.sources_for("price_range"):
        assert s.url in links, s.url
        assert f"({s.date})" in html
    for url in ("https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "https://arxiv.org/abs/2302.13971"):
        assert url in links  # a rule's statute; a known run behind the a100 evidence


def test_footer_stamp(done_memo) -> None:
    import flopcalc
    from flopcalc.datadates import data_as_of

    out, html = done_memo
    footer = html.split("<footer>")[1].split("</footer>")[0]
    dates = data_as_of()
    assert f"flopcalc {flopcalc.__version__}" in footer
    assert f"thresholds {dates['thresholds']}" in footer and f"runs {dates['runs']}" in footer
    assert "hardware h100 20" in footer and "hardware a100 20" in footer
    assert f"<code>flopcalc report 1e26 --gpu h100 --gpu a100 --out {escape(str(out))}</code>" in footer


# ------------------------------------------------------------------------------------------- the chart


def test_chart_positions_follow_the_log_dollar_axis() -> None:
    from flopcalc.memo import build_memo, chart_svg

    m = build_memo(1e26, ["h100", "a100"])  # default prices (a given --as-of prices at dated quotes)
    svg = chart_svg(m)
    # costs run $70.2M (h100 assumption) to about $540M (a100 evidence high): the axis spans $10M..$1B
    left, right, lo, hi = 130, 664, 7, 9
    for v, label in ((1e7, "$10M"), (2e7, "$20M"), (5e7, "$50M"), (1e8, "$100M"), (1e9, "$1B")):
        xv = left + (math.log10(v) - lo) / (hi - lo) * (right - left)
        assert f'<text x="{xv:.1f}" y="' in svg and f">{label}</text>" in svg, label
    h100_cost = 1e26 / (1979e12 * 0.40 * 3600) * 2.00  # the assumption tick
    xa = left + (math.log10(h100_cost) - lo) / (hi - lo) * (right - left)
    assert re.search(rf'<line x1="{xa:.1f}" y1="[\d.]+" x2="{xa:.1f}" y2="[\d.]+" stroke="#c55a11"', svg)
    # the h100 interval is the cited MFU range (dashed), the a100's comes from runs (solid)
    whiskers = re.findall(r'stroke="#1f4e79" stroke-width="2"( stroke-dasharray="4 3")?/>', svg)
    assert whiskers == ["", ' stroke-dasharray="4 3"', ""]  # the key's solid line, then h100, a100


def test_standalone_svg_is_well_formed() -> None:
    import xml.etree.ElementTree as ET

    from flopcalc.memo import build_memo, chart_svg

    svg = chart_svg(build_memo(1e26, ["h100", "a100", "b200"]), standalone=True)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 1 + 3  # the key's, then one per chip


# ------------------------------------------------------------------------------------------- Markdown


def test_markdown_with_the_chart_beside_it(tmp_path) -> None:
    import flopcalc

    out = tmp_path / "memo.md"
    res = invoke(["report", *DONE, "--out", str(out)])
    assert res.stdout.strip() == f"wrote {out} and {tmp_path / 'memo.svg'}"
    md = out.read_text(encoding="utf-8")
    svg = (tmp_path / "memo.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "](memo.svg)" in md  # relative, beside it
    assert "<svg" not in md and "<script" not in md
    first = flopcalc.cost_table([1e26], ["h100"])[0]
    sentence = first.summary.replace("_", "\\_").replace("*", "\\*")
    assert f"> **{sentence}**" in md
    assert "| kr-ai-basic-act (UNCONFIRMED): Korea AI Basic Act: Art. 32 compute | &gt;= 1e26 FLOP | in-force | **crossed** |" in md
    assert "## Sources" in md and "(https://eur-lex.europa.eu/eli/reg/2024/1689/oj)" in md


# ------------------------------------------------------------------------------------------- hostile data


EVIL = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)>'


def _evil_profile(tmp_path: Path) -> Path:
    data = {"id": "evilchip", "name": f"Evil {EVIL}", "peak": {"bf16": "1000 TFLOP/s"}, "default_precision": "bf16",
            "efficiency": 0.5, "price": "1.00 USD/hour", "overhead": 1.0, "tdp": "500 W", "memory": "64 GB",
            "sources": [
                {"field": "peak", "source": f"datasheet {EVIL}", "url": "javascript:alert(3)", "date": "2026-11"},
                {"field": "efficiency", "source": "see https://example.org/a\"onmouseover=alert(4) and more",
                 "url": "https://example.org/x'><script>alert(5)</script>", "date": "2026-11"},
                {"field": "price", "source": "plain", "url": "data:text/html,<script>alert(6)</script>",
                 "date": "2026-11"},
            ]}
    path = tmp_path / "evilchip.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_html_escapes_every_data_string(tmp_path) -> None:
    prof = _evil_profile(tmp_path)
    out = tmp_path / "evil.html"
    invoke(["report", "1e25", "--gpu", "evilchip", "--gpu", "h100", "--hardware-file", str(prof), "--out", str(out)])
    html = out.read_text(encoding="utf-8")
    page = _page(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    for attr, value, in_sources in page.refs:
        assert attr == "href" and in_sources and re.match(r"https?://[^\s\"'<>]+$", value), value
    assert not any("alert" in v or "javascript" in v or v.startswith("data:") for _, v, _ in page.refs)
    assert "javascript:alert(3)" in _plain_text(html)  # shown as text, never linked
    # the SVG labels are escaped too (the chart's tooltips carry the chip's name)
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert "<script" not in svg and "Evil &lt;script&gt;" in svg


def test_markdown_escapes_every_data_string(tmp_path) -> None:
    prof = _evil_profile(tmp_path)
    out = tmp_path / "evil.md"
    invoke(["report", "1e25", "--gpu", "evilchip", "--hardware-file", str(prof), "--out", str(out)])
    md = out.read_text(encoding="utf-8")
    svg = (tmp_path / "evil.svg").read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md and "<script" not in svg
    assert "](javascript" not in md and "](data:" not in md
    assert "&lt;script&gt;" in md


def test_command_line_in_the_footer_is_escaped(tmp_path) -> None:
    out = tmp_path / "a<b>'c.html"
    invoke(["report", "1e26", "--out", str(out)])
    html = out.read_text(encoding="utf-8")
    footer = html.split("<footer>")[1].split("</footer>")[0]
    assert "<b>" not in footer and "a&lt;b&gt;" in footer
    assert _page(html).tags.count("b") == len(re.findall(r"<b>", html.split("<footer>")[0]))


# ------------------------------------------------------------------------------------------- inputs


def test_params_and_tokens_give_the_flop(tmp_path) -> None:
    out = tmp_path / "m.html"
    invoke(["report", "--params", "405B", "--tokens", "15.6T", "--out", str(out)])
    text = _plain_text(out.read_text(encoding="utf-8"))
    flop = 6 * 405e9 * 15.6e12  # 3.7908e25
    assert f"What does a training run of {flop:.3e}".replace("e+", "e") in text
    assert "(6 x parameters x tokens)" in text


def test_chips_and_days_give_the_flop_with_its_interval(tmp_path) -> None:
    out = tmp_path / "m.html"
    invoke(["report", "--chips", "16384", "--days", "54", "--gpu", "h100", "--precision", "bf16", "--out", str(out)])
    text = _plain_text(out.read_text(encoding="utf-8"))
    flop = 16384 * 54 * 86400 * 989.4e12 * 0.40  # chips x seconds x BF16 peak x assumed efficiency = 3.025e25
    assert f"What does a training run of {flop:.3e}".replace("e+", "e") + " FLOP (16,384 h100 chips for 54 days" in text
    assert "; 90% interval on the evidence " in text


def test_revenue_decides_the_revenue_tiers(tmp_path) -> None:
    out = tmp_path / "m.html"
    invoke(["report", "1e26", "--revenue", "$600M", "--as-of", "2026-11-30", "--out", str(out)])
    text = _plain_text(out.read_text(encoding="utf-8"))
    # $600M > $500M, but 1e26 FLOP is not "more than 1e26": a large frontier developer must first be a frontier
    # developer, so the tiers (compute AND revenue) are not crossed, whatever the revenue
    assert re.search(r"Not crossed either, whatever the revenue: [^.]*us-ca-sb53-large \(in-force\)", text)
    assert "Not tested without the developer's revenue" not in text
    out2 = tmp_path / "m2.html"
    invoke(["report", "2e26", "--revenue", "$600M", "--as-of", "2026-11-30", "--out", str(out2)])
    text2 = _plain_text(out2.read_text(encoding="utf-8"))
    assert re.search(r"us-ca-sb53-large: [^>]*> 1e26 FLOP AND > \$500M revenue in-force crossed 2\b", text2)


def test_as_of_prices_like_cost(tmp_path) -> None:
    out = tmp_path / "m.html"
    invoke(["report", "1e26", "--gpu", "h100", "--as-of", "2024-03-01", "--out", str(out)])
    (row,) = json.loads(invoke(["cost", "1e26", "--gpu", "h100", "--as-of", "2024-03-01", "--format", "json"]).stdout)
    text = _plain_text(out.read_text(encoding="utf-8"))
    assert f"${row['price_usd_per_chip_hour']:.2f} {row['price_tier']} ({row['price_date']})" in text
    assert "rules on 2024-03-01" in text


@pytest.mark.parametrize("args, code, needle", [
    (["1e26", "--out", "memo.txt"], 2, "must end in .html, .htm or .md"),
    (["--out", "m.html"], 2, "nothing to report"),
    (["1e26", "--params", "1B", "--tokens", "1T", "--out", "m.html"], 2, "not both"),
    (["1e26", "--gpu", "nochip", "--out", "m.html"], 2, "nochip"),
    (["1e26", "--as-of", "2021-01-01", "--out", "m.html"], 2, "not released until 2022-09"),
])
def test_bad_input_is_one_line(tmp_path, monkeypatch, args, code, needle) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", *args], ok=False)
    assert res.exit_code == code, res.output
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("Error: ") and needle in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_output_error(tmp_path) -> None:
    res = invoke(["report", "1e26", "--out", str(tmp_path / "no" / "such" / "memo.html")], ok=False)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "does not exist" in res.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("name", ["memo.html", "memo.md"])
def test_unwritable_target_is_an_output_error(tmp_path, name) -> None:
    target = tmp_path / name
    target.mkdir()  # a folder where the file should go: cannot be opened for writing, even as root
    res = invoke(["report", "1e26", "--out", str(target)], ok=False)
    assert res.exit_code == 1 and res.stderr.startswith("Error: cannot write") and res.stderr.count("\n") == 1


def test_library_raises_output_error(tmp_path) -> None:
    from flopcalc.errors import InputError, OutputError
    from flopcalc.memo import build_memo, write_memo

    m = build_memo(1e26, ["h100"], as_of="2026-11-30")
    with pytest.raises(OutputError):
        write_memo(m, tmp_path / "missing" / "m.html")
    with pytest.raises(InputError):
        write_memo(m, tmp_path / "m.pdf")
    with pytest.raises(OutputError):
        write_memo(m, str(tmp_path / "nul\x00.html"))
    assert write_memo(m, tmp_path / "m.htm") == [tmp_path / "m.htm"]


# ------------------------------------------------------------------------------------------- start-up


def test_memo_loads_only_for_the_report_command() -> None:
    probe = ("import sys\nfrom flopcalc.cli import cli\nprint('flopcalc.memo' in sys.modules)\n"
             "import flopcalc.memo\nprint(sorted(m for m in ('click', 'jinja2', 'matplotlib', 'numpy')\n"
             "             if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"FLOPCALC_HARDWARE_PATH": "", "PATH": ""}).stdout.split("\n")
    assert out[0] == "False"
    assert "jinja2" not in out[1] and "matplotlib" not in out[1] and "numpy" not in out[1]


def test_memo_library_does_not_import_click() -> None:
    probe = ("import sys\nfrom flopcalc.memo import build_memo, render_html\n"
             "render_html(build_memo(1e26, ['h100']))\nprint('click' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"FLOPCALC_HARDWARE_PATH": "", "PATH": ""}).stdout.strip()
    assert out == "False"
