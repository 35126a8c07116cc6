"""Write a report page as PDF with WeasyPrint.

Why WeasyPrint: it is a Python package on PyPI (``pip install weasyprint``) that lays out HTML and
CSS for print itself, including the inline SVG charts, the print stylesheet and ``@page`` rules;
its only system needs are Pango and HarfBuzz, which Debian ships (``apt-get install
libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b``; most desktop and server images already have
them) and macOS and Windows get as documented by WeasyPrint. It runs in-process, needs no display,
browser, sandbox or network, and is given a URL fetcher that refuses every URL, so a report can
never load anything from elsewhere while it is printed. The alternative, a headless Chromium with
``--print-to-pdf``, needs a several-hundred-megabyte browser from the OS, a subprocess with
sandbox flags, and a temporary file per page; it renders the same HTML, so it stays an option
for users who already have Chromium (open the HTML report and print it).

Fonts: the PDF embeds the fonts its text is set in. Chinese is set in Noto Sans SC, the CJK font
installed with this package (:mod:`footprint.report.fonts`), never in whatever CJK font the
machine may lack: the fetcher serves that one local file and refuses every other URL. WeasyPrint
subsets a CJK font fast with the HarfBuzz-subset library (Debian: ``libharfbuzz-subset0``); without
it, it falls back to fontTools, which takes seconds per font.
"""

from __future__ import annotations

import importlib
import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit
from urllib.request import url2pathname

from footprint.errors import FootprintError
from footprint.output import write_bytes
from footprint.report.fonts import CJK_FAMILY, CJK_PACKAGE, cjk_font

FIX = (
    "install WeasyPrint into this environment (pip install 'weasyprint>=68') and, on Debian or "
    "Ubuntu, its libraries (apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b "
    "libharfbuzz-subset0); or save the HTML report and print it to PDF from a browser"
)
#: Han, CJK punctuation and full-width forms: text that needs the CJK font
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
#: the print fonts: the bundled CJK font by family name, first for Chinese pages, else a fallback
_FONT_CSS = """
@font-face { font-family: "%(family)s"; src: url("%(url)s"); }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "DejaVu Sans", "%(family)s", sans-serif; }
html:lang(zh-CN) body { font-family: "%(family)s", "DejaVu Sans", sans-serif; }
.mono, table.data td.inputs { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono",
  Menlo, Consolas, "%(family)s", monospace; }
"""


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """Refuse to load ``url``: reports are self-contained."""
    raise ValueError(f"reports load nothing from elsewhere: {url}")


def _local_file(url: str, allowed: Sequence[Path]) -> Path | None:
    """The file of ``allowed`` that the ``file:`` URL ``url`` names, else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path))
    return next((p for p in allowed if p == path), None)


def _fetcher(allowed: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves the font files ``allowed`` and refuses the rest."""
    urls = importlib.import_module("weasyprint.urls")  # loaded by _weasyprint(); untyped

    class LocalFonts(urls.URLFetcher):  # type: ignore[misc, name-defined]
        def fetch(self, url: str, headers: object = None) -> Any:
            path = _local_file(url, allowed)
            if path is None:
                _refuse(url)
            return urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/otf"})

    return LocalFonts()


def _font_stylesheet(html: str) -> tuple[str, list[Path]]:
    """The print font rules and the font files they load (none without the bundled font).

    Raises:
        FootprintError: the page has Chinese text and the bundled CJK font is not installed.
    """
    path = cjk_font()
    if path is None:
        if _CJK.search(html):
            raise FootprintError(
                f"the page has Chinese text and the CJK font it is printed with ({CJK_FAMILY}, "
                f"from the {CJK_PACKAGE} package) is not installed",
                fix=f"pip install '{CJK_PACKAGE}>=0.1.1' (it is a dependency of footprint)",
            )
        return "", []
    return _FONT_CSS % {"family": CJK_FAMILY, "url": path.as_uri()}, [path]


def _weasyprint() -> Any:
    try:
        with warnings.catch_warnings():
            # Without the optional HarfBuzz-subset library WeasyPrint subsets fonts with fontTools
            # and says so with a DeprecationWarning; the PDF is the same.
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            return importlib.import_module("weasyprint")
    except ImportError:
        raise FootprintError(
            "PDF output needs WeasyPrint, which is not installed", fix=FIX
        ) from None
    except OSError as exc:  # the package is there but Pango/HarfBuzz could not be loaded
        raise FootprintError(
            f"WeasyPrint cannot load its system libraries ({exc})", fix=FIX
        ) from None
    except Exception as exc:  # noqa: BLE001 - any other failure to load it: PDF is unavailable
        raise FootprintError(
            f"WeasyPrint cannot be loaded ({type(exc).__name__}: {exc})", fix=FIX
        ) from None


def pdf_unavailable_reason() -> str | None:
    """Why :func:`write_pdf` cannot run here, or None when it can."""
    try:
        _weasyprint()
    except FootprintError as exc:
        return exc.what
    return None


def pdf_available() -> bool:
    """Whether :func:`write_pdf` can run here."""
    return pdf_unavailable_reason() is None


def write_pdf(html: str, path: Path) -> None:
    """Print the report page ``html`` to a PDF file at ``path`` (A4, the print stylesheet).

    Chinese text is set in the bundled CJK font, embedded in the PDF; nothing else is loaded.

    Raises:
        FootprintError: WeasyPrint or its system libraries are missing (with how to install them),
            the page has Chinese text and the bundled CJK font is missing, or the file cannot be
            written.
    """
    weasyprint = _weasyprint()
    path = Path(path)
    css, files = _font_stylesheet(html)
    fetcher = _fetcher(files)
    fonts = importlib.import_module("weasyprint.text.fonts").FontConfiguration()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(
        logging.ERROR
    )  # unsupported screen-only CSS is expected, not the user's problem
    try:
        sheets = [weasyprint.CSS(string=css, url_fetcher=fetcher, font_config=fonts)] if css else []
        data = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=sheets, font_config=fonts
        )
    finally:
        logger.setLevel(level)
    write_bytes(data, path)  # atomically, like every other output
