"""Reports: a product's footprint, a claim's verification and a catalogue as self-contained HTML or PDF.

Charts are drawn server-side with matplotlib into inline SVG; the pages load nothing from
elsewhere. Importing this package has no side effects (matplotlib is imported when drawing).
"""

from __future__ import annotations

from footprint.report.html import render_catalogue_html, render_html, render_verification_html
from footprint.report.pdf import write_pdf

__all__ = ["render_catalogue_html", "render_html", "render_verification_html", "write_pdf"]
