"""Cells of an Excel bill of materials: where a value came from, and its value as text, number or date.

Every error raised here names the cell, e.g.
``bom.xlsx, sheet 'Inputs', row 7, column 'amount': amount '1,2' is not a number. Fix: ...``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, NamedTuple

from footprint.errors import InventoryError

__all__ = [
    "Cell",
    "DataPath",
    "Row",
    "as_date",
    "as_number",
    "as_text",
    "clean_value",
    "row_value",
    "split_list",
    "where",
]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

#: A location in the inventory data, as pydantic reports it: ``("processes", 0, "inputs", 3)``.
DataPath = tuple[str | int, ...]
#: A data row of a sheet: column header → openpyxl cell.
Row = dict[str, Any]


class Cell(NamedTuple):
    """Where a value came from: sheet title, row, column header, and the product field if any."""

    sheet: str | None
    row: int | None = None
    column: str | None = None
    field: str | None = None


def where(source: str, cell: Cell) -> str:
    """``source``, then the sheet, row and column of ``cell`` as far as they are known."""
    parts = [source]
    if cell.sheet:
        parts.append(f"sheet {cell.sheet!r}")
    if cell.row is not None:
        parts.append(f"row {cell.row}")
    if cell.column:
        parts.append(f"column {cell.column!r}")
    return ", ".join(parts)


def clean_value(value: Any) -> Any:
    """A cell's value with strings stripped; empty strings become None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def as_text(value: Any) -> str:
    """A cell's value as text: whole numbers without '.0', dates as 2024-01-31, '' for empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def as_number(value: Any, label: str, source: str, cell: Cell) -> float:
    """A cell's value as a finite number (a number, or text such as '1.5e3').

    Raises:
        InventoryError: the cell is empty or holds no plain number; ``label`` names it.
    """
    value = clean_value(value)
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
    if number is None or not math.isfinite(number):
        what = (
            f"{label} is empty" if value is None else f"{label} {as_text(value)!r} is not a number"
        )
        raise InventoryError(
            what,
            where=where(source, cell),
            fix="type a plain number (a point for decimals, no thousands separators, no unit)",
        )
    return number


def as_date(value: Any, label: str, source: str, cell: Cell) -> dt.date:
    """A cell's value as a date (an Excel date or serial number, or text such as 2024-01-31).

    Raises:
        InventoryError: the cell holds no date; ``label`` names it.
    """
    value = clean_value(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):  # beyond the dates Excel can hold
            converted = None
        if isinstance(converted, dt.datetime):
            return converted.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10] if "T" in value else value)
        except ValueError:
            pass
    raise InventoryError(
        f"{label} {as_text(value)!r} is not a date",
        where=where(source, cell),
        fix="enter an Excel date or write it as 2024-01-31",
    )


def row_value(row: Row, name: str) -> Any:
    """The cleaned value (:func:`clean_value`) in column ``name`` of ``row``; None if absent."""
    cell = row.get(name)
    return None if cell is None else clean_value(cell.value)


def split_list(value: Any) -> list[str]:
    """A cell's text split at semicolons and line breaks, blanks dropped."""
    return [part.strip() for part in re.split(r"[;\n]", as_text(value)) if part.strip()]
