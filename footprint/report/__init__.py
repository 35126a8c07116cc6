"""Reports: a product's footprint, a claim's verification and a catalogue as self-contained HTML or PDF.

Charts are drawn server-side with matplotlib into inline SVG; the pages load nothing from
elsewhere. Importing this package has no side effects and loads no template engine or plotting
library: the page functions are imported when first used, so that number formatting
(:mod:`footprint.report.format`) is cheap to share with the command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["render_catalogue_html", "render_html", "render_verification_html", "write_pdf"]

_LAZY = {
    "render_catalogue_html": "footprint.report.html",
    "render_html": "footprint.report.html",
    "render_verification_html": "footprint.report.html",
    "write_pdf": "footprint.report.pdf",
}

if TYPE_CHECKING:
    from footprint.report.html import (
        render_catalogue_html,
        render_html,
        render_verification_html,
    )
    from footprint.report.pdf import write_pdf


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'footprint.report' has no attribute {name!r}")
