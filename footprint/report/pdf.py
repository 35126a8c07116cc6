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
"""

from __future__ import annotations

import importlib
import logging
import warnings
from pathlib import Path
from typing import Any

from footprint.errors import FootprintError
from footprint.output import write_bytes

FIX = (
    "install WeasyPrint into this environment (pip install 'weasyprint>=62') and, on Debian or "
    "Ubuntu, its libraries (apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b); "
    "or save the HTML report and print it to PDF from a browser"
)


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint URL fetcher that loads nothing: reports are self-contained."""
    raise ValueError(f"reports load nothing from elsewhere: {url}")


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

    Raises:
        FootprintError: WeasyPrint or its system libraries are missing (with how to install them),
            or the file cannot be written.
    """
    weasyprint = _weasyprint()
    path = Path(path)
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(
        logging.ERROR
    )  # unsupported screen-only CSS is expected, not the user's problem
    try:
        data = weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf()
    finally:
        logger.setLevel(level)
    write_bytes(data, path)  # atomically, like every other output
