"""Matplotlib figures as deterministic, self-contained inline SVG.

Figures are drawn on an explicit Agg canvas (no pyplot, no global backend switch), saved as SVG
with a fixed ``svg.hashsalt`` and without metadata, and rewritten for inlining in HTML: no XML
prolog, no namespace URLs, ids prefixed per chart so that several charts share one page.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, Any

from footprint.report.fonts import CJK_FAMILY, SYSTEM_CJK, css_families, matplotlib_fallbacks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
SKY = "#56B4E9"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#8C8C8C"
INK = "#1F2328"
MUTED = "#57606A"

STYLE: dict[str, Any] = {
    "svg.hashsalt": "footprint-report",
    "svg.fonttype": "none",
    "font.family": ["DejaVu Sans"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#8C959F",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#D0D7DE",
    "grid.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "text.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "figure.dpi": 72,
    "savefig.transparent": True,
    "path.simplify": True,
}

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_STYLE = re.compile(r"\s*<style[^>]*>.*?</style>", re.S)
_ROOT = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')
_FONT = re.compile(r"font-family: 'DejaVu Sans'(?:, '[^']+')*")
#: what the browser (or WeasyPrint) draws chart text with: DejaVu Sans, which matplotlib measured
#: it with, or a look-alike; CJK glyphs from the bundled font or a common system CJK font
_FONT_STACK = "font-family: " + ", ".join(
    [
        "'DejaVu Sans'",
        "'Bitstream Vera Sans'",
        "Verdana",
        css_families(list(dict.fromkeys((CJK_FAMILY, *SYSTEM_CJK)))),
        "sans-serif",
    ]
)


@contextmanager
def style() -> Iterator[None]:
    """The report's matplotlib settings, applied only inside the ``with`` block.

    Glyphs DejaVu Sans lacks (Chinese) are measured with the bundled CJK font, when installed.
    """
    import matplotlib

    params: Any = {**STYLE, "font.family": [*STYLE["font.family"], *matplotlib_fallbacks()]}
    # the CJK font has one weight: bold titles use it as it is, which findfont logs each time
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(params):
            yield
    finally:
        logger.setLevel(level)


def new_figure(width: float, height: float) -> Figure:
    """A figure ``width`` × ``height`` inches on its own Agg canvas (call inside :func:`style`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def text(label: str) -> str:
    """``label`` safe from matplotlib's mathtext (a ``$`` is shown as a dollar sign)."""
    return label.replace("$", r"\$")


def to_svg(figure: Figure, prefix: str, title: str) -> str:
    """``figure`` as an inline ``<svg>`` element with an accessible ``title``; ids get ``prefix``."""
    buffer = io.StringIO()
    with style(), warnings.catch_warnings():
        # Text stays text (svg.fonttype none): the viewer's font fallback draws the glyphs that
        # DejaVu Sans lacks (e.g. 江苏 in a grid factor's name); only the layout width is estimated.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    svg = _METADATA.sub("", svg)
    svg = _STYLE.sub("", svg)
    svg = _FONT.sub(_FONT_STACK, svg.replace("xlink:href=", "href="))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    root = _ROOT.search(svg)
    assert root is not None
    attributes = " ".join(
        f'{name}="{value}"'
        for name, value in re.findall(r'\b(width|height|viewBox)="([^"]*)"', root.group(0))
    )
    head = (
        f'<svg class="chart" {attributes} role="img" aria-labelledby="{prefix}-title">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
    )
    return head + svg[root.end() :].strip()
