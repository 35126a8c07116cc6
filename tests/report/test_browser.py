"""Open the reports in a real headless Chromium: screenshots, rendered DOM, console errors, sorting.

Skipped when neither ``chromium`` nor ``chromium-browser`` is on PATH (Debian: apt-get install chromium).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from footprint.report import render_catalogue_html, render_html
from footprint.report.format import sig
from tests.report.conftest import Example
from tests.report.test_catalogue import catalogue

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BROWSER is None, reason="no chromium or chromium-browser on PATH (apt-get install chromium)"
    ),
]
FLAGS = [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def page_errors(stderr: str) -> list[str]:
    """Console errors of the page in Chromium's log (not the browser's own messages)."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and re.search(r"Uncaught|Error", line) or "Uncaught" in line
    ]


def test_example_report_in_chromium(shipped: Example, tmp_path: Path) -> None:
    html_path = tmp_path / f"{shipped.path.stem}.html"
    html_path.write_text(
        render_html(shipped.result, labels=shipped.labels, generated="2025-06-01"), encoding="utf-8"
    )
    shot = tmp_path / f"{shipped.path.stem}.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400", html_path.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    from PIL import Image, ImageStat

    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 200, "the screenshot is blank or nearly so"
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 20
    assert shot.stat().st_size > 50_000

    dom = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", html_path.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    headline = re.search(r'id="headline-total"[^>]*>([^<]+)<', dom.stdout)
    assert headline is not None
    assert headline.group(1) == sig(shipped.result.total)
    assert dom.stdout.count("<svg") >= 3
    assert page_errors(dom.stderr) == []


def test_catalogue_sorts_in_chromium(tmp_path: Path) -> None:
    batch = catalogue(200)
    html = render_catalogue_html(batch, generated="2025-06-01")
    click = "<script>document.querySelectorAll('#table-ranking th button')[3].click();</script>"
    path = tmp_path / "catalogue.html"
    path.write_text(html.replace("</body>", click + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", path.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert page_errors(dom.stderr) == []
    assert 'aria-sort="ascending"' in dom.stdout
    body = (
        dom.stdout.split('id="table-ranking"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    )
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    values = [float(re.findall(r'data-value="([^"]+)"', row)[1]) for row in rows]
    assert len(values) == int((batch.rows["status"] == "ok").sum())
    assert values == sorted(values)
    shot = tmp_path / "catalogue.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", path.as_uri())
    assert shot.is_file()
    assert shot.stat().st_size > 30_000
