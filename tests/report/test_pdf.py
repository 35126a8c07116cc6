"""PDF output with WeasyPrint (skipped when WeasyPrint or its system libraries are missing)."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from footprint.errors import FootprintError
from footprint.report import pdf, render_html, render_verification_html, write_pdf
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
