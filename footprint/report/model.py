"""What the templates show: tables of cells, and charts that pair an SVG with their data table."""

from __future__ import annotations

from dataclasses import dataclass, field

from footprint.report.format import sig


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown and, for numbers, the full-precision value (``data-value``)."""

    text: str
    value: float | None = None
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A data table: caption, column headings, body rows and optional footer rows."""

    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    foot: list[list[Cell]] = field(default_factory=list)
    css: str = ""
    #: a css class per body row (e.g. ``failed``), or empty
    row_css: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart with the table of the numbers it draws."""

    id: str
    title: str
    svg: str
    table: Table
    note: str = ""
    #: the last bar stands for the rest of the items
    remainder: bool = False


def num(value: float | None, digits: int = 4, css: str = "num") -> Cell:
    """A number cell shown to ``digits`` significant figures."""
    return Cell(sig(value, digits), value, css)


def txt(text: object, css: str = "") -> Cell:
    """A text cell."""
    return Cell("" if text is None else str(text), None, css)
