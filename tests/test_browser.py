"""The HTML memo in a real browser: headless Chromium (Debian's `chromium` package) opens it, finds the answer
and the chart, logs no console message, takes a screenshot, and prints it on ONE page of A4 and of Letter.

Outside CI, without Chromium, these tests are skipped (install Debian's chromium: apt-get install chromium).
In CI (CI set, as .ci/run does) a missing Chromium is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest
from conftest import invoke

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--no-default-browser-check", "--hide-scrollbars"]


def _chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium_path()
    if path is None:
        why = "headless Chromium is needed for the browser test: install Debian's chromium: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return path


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "HOME": str(profile)})


def _console(stderr: str) -> list[str]:
    """Console messages and uncaught errors a page logged (Chromium writes them to stderr as CONSOLE lines)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


@pytest.fixture(scope="module")
def memo(tmp_path_factory) -> tuple[Path, str]:
    import flopcalc

    out = tmp_path_factory.mktemp("browser") / "memo.html"
    invoke(["report", "1e26", "--gpu", "h100", "--gpu", "a100", "--out", str(out)])
    return out, flopcalc.cost_table([1e26], ["h100"])[0].summary


def test_console_detector_sees_errors(chromium, tmp_path) -> None:
    """The check below can fail: a page with a script error does log CONSOLE lines."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); notDefined();</script>", encoding="utf-8")
    res = _run(chromium, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom", bad.as_uri())
    lines = _console(res.stderr)
    assert any("boom" in line for line in lines) and any("Uncaught" in line for line in lines), res.stderr[-2000:]


def test_memo_renders_with_answer_chart_and_no_console_errors(chromium, memo, tmp_path) -> None:
    path, sentence = memo
    res = _run(chromium, tmp_path / "profile", "--enable-logging=stderr", "--v=0",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", path.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    assert _console(res.stderr) == []
    assert escape(sentence, quote=False) in dom  # the answer, as the browser parsed it (quotes serialize bare)
    assert re.search(r"<svg[^>]*role=\"img\"", dom) and dom.count("<circle") >= 3  # the chart, drawn inline
    assert "<script" not in dom


def test_screenshot(chromium, memo, tmp_path) -> None:
    path, _ = memo
    shot = tmp_path / "memo.png"
    res = _run(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,1500", path.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a page of text and a chart, not a blank window
    keep = os.environ.get("FLOPCALC_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "memo.png")


@pytest.fixture(scope="module")
def memo3(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("browser3") / "memo3.html"
    invoke(["report", "1e26", "--gpu", "h100", "--gpu", "b200", "--gpu", "mi300x", "--basis", "all", "--out", str(out)])
    return out, ""


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize("which", ["memo", "memo3"])
def test_prints_on_one_page(chromium, request, tmp_path, paper: str, which: str) -> None:
    path, _ = request.getfixturevalue(which)
    html = path.read_text(encoding="utf-8")
    assert "@page {" in html
    page = tmp_path / f"memo-{paper}.html"
    page.write_text(html.replace("@page {", f"@page {{ size: {paper};", 1), encoding="utf-8")
    pdf = tmp_path / f"memo-{paper}.pdf"
    res = _run(chromium, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert res.returncode == 0 and pdf.exists(), res.stderr[-2000:]
    assert _pages(pdf) == 1
