"""PDF output with WeasyPrint (skipped when WeasyPrint or its system libraries are missing)."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.errors import FootprintError
from footprint.report import fonts, pdf, render_html, render_verification_html, write_pdf
from tests.report.conftest import CLAIM, EXAMPLES, example


@pytest.mark.slow
@pytest.mark.skipif(
    not pdf.pdf_available(), reason=f"PDF output unavailable here: {pdf.pdf_unavailable_reason()}"
)
def test_product_and_verification_reports_print_to_pdf(tmp_path: Path) -> None:
    from footprint.labels.verify import verify

    ex = example(EXAMPLES[0])
    target = tmp_path / "report.pdf"
    write_pdf(render_html(ex.result, labels=ex.labels, generated="2025-06-01"), target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(data) > 20_000
    if shutil.which("pdfinfo"):  # Debian poppler-utils
        info = subprocess.run(
            ["pdfinfo", str(target)], capture_output=True, text=True, check=True
        ).stdout
        pages = re.search(r"Pages:\s+(\d+)", info)
        assert pages is not None
        assert int(pages.group(1)) >= 2
        assert "(A4)" in info
    other = tmp_path / "verification.pdf"
    write_pdf(render_verification_html(verify(CLAIM), generated="2025-06-01"), other)
    assert other.read_bytes().startswith(b"%PDF-")


def test_missing_weasyprint_is_a_footprint_error_with_a_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(FootprintError) as error:
        write_pdf("<html></html>", tmp_path / "x.pdf")
    assert "pip install" in error.value.message
    assert "apt-get install" in error.value.message
    assert not pdf.pdf_available()
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.skipif(
    not pdf.pdf_available(), reason=f"PDF output unavailable here: {pdf.pdf_unavailable_reason()}"
)
def test_unwritable_path_is_a_footprint_error(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="does not exist"):
        write_pdf("<html><body>x</body></html>", tmp_path / "missing" / "x.pdf")


def test_pdf_rendering_loads_nothing_remote() -> None:
    with pytest.raises(ValueError, match="load nothing"):
        pdf._refuse("https://example.org/font.woff")


def embedded_fonts(data: bytes) -> set[str]:
    """The /FontName of every font in a PDF, also of those inside compressed object streams."""
    names: set[bytes] = set(re.findall(rb"/FontName\s*/([A-Za-z0-9+-]+)", data))
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        names.update(re.findall(rb"/FontName\s*/([A-Za-z0-9+-]+)", text))
    return {n.decode("ascii") for n in names}


@pytest.mark.slow
@pytest.mark.skipif(
    not pdf.pdf_available(), reason=f"PDF output unavailable here: {pdf.pdf_unavailable_reason()}"
)
@pytest.mark.skipif(
    fonts.cjk_font() is None, reason=f"the CJK font package {fonts.CJK_PACKAGE} is not installed"
)
def test_chinese_report_embeds_the_bundled_cjk_font(tmp_path: Path, runner: CliRunner) -> None:
    from footprint.cli.app import app

    cement = next(p for p in EXAMPLES if p.stem == "cement-cn")
    pages = {}
    for fmt in ("pdf", "html"):
        pages[fmt] = tmp_path / f"cement.{fmt}"
        args = ["report", str(cement), "--lang", "zh-CN", "--format", fmt]
        result = runner.invoke(app, [*args, "--out", str(pages[fmt])])
        assert result.exit_code == 0, result.output
    assert "<h2>按生命周期阶段</h2>" in pages["html"].read_text(encoding="utf-8")
    names = embedded_fonts(pages["pdf"].read_bytes())
    # subset fonts are named ABCDEF+Family-Style
    assert "Noto-Sans-SC" in {n.split("+")[-1] for n in names}, names
    if shutil.which("pdffonts"):  # Debian poppler-utils
        listing = subprocess.run(
            ["pdffonts", str(pages["pdf"])], capture_output=True, text=True, check=True
        ).stdout
        line = next(line for line in listing.splitlines() if "+Noto-Sans-SC " in line)
        assert line.split()[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, with Unicode map
    if shutil.which("pdftotext"):  # the Chinese text is there as text, not as boxes
        text = subprocess.run(
            ["pdftotext", str(pages["pdf"]), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "按生命周期阶段" in text
        assert "数据来源" in text


@pytest.mark.skipif(
    not pdf.pdf_available(), reason=f"PDF output unavailable here: {pdf.pdf_unavailable_reason()}"
)
@pytest.mark.skipif(
    fonts.cjk_font() is None, reason=f"the CJK font package {fonts.CJK_PACKAGE} is not installed"
)
def test_the_fetcher_serves_only_the_bundled_font(tmp_path: Path) -> None:
    font = fonts.cjk_font()
    assert font is not None
    css, files = pdf._font_stylesheet("<p>产品碳足迹</p>")
    assert files == [font]
    assert font.as_uri() in css
    fetcher = pdf._fetcher(files)
    response = fetcher.fetch(font.as_uri())
    assert response.read(4) == b"OTTO"  # OpenType with CFF outlines
    response.close()
    other = tmp_path / "other.otf"
    other.write_bytes(b"OTTO")
    for url in ("https://example.org/font.woff", other.as_uri(), "file:///etc/passwd"):
        with pytest.raises(ValueError, match="load nothing"):
            fetcher.fetch(url)


def test_chinese_text_without_the_cjk_font_is_a_footprint_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "cjk_font", lambda: None)
    assert pdf._font_stylesheet("<p>English only</p>") == ("", [])
    with pytest.raises(FootprintError) as error:
        pdf._font_stylesheet("<h2>按生命周期阶段</h2>")
    assert error.value.fix is not None
    assert fonts.CJK_PACKAGE in error.value.fix


def test_the_cjk_font_ships_with_its_licence() -> None:
    if fonts.cjk_font() is None:
        pytest.skip(f"the CJK font package {fonts.CJK_PACKAGE} is not installed")
    licence = fonts.cjk_licence()
    assert licence is not None
    assert "SIL Open Font License" in licence
