"""Reading an Excel bill of materials (the layout of :mod:`footprint.inventory.excel`) into an
:class:`~footprint.inventory.model.Inventory`, with errors that name the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from footprint.errors import InventoryError
from footprint.inventory.csv_reader import COLUMNS
from footprint.inventory.excel.cells import (
    Cell,
    DataPath,
    Row,
    as_date,
    as_number,
    as_text,
    clean_value,
    row_value,
    split_list,
    where,
)
from footprint.inventory.excel.layout import (
    INPUTS_SHEET,
    OPTIONAL_FIELDS,
    PARAMETER,
    PRODUCT_FIELDS,
    PRODUCT_SHEET,
    REQUIRED_COLUMNS,
)
from footprint.inventory.model import Inventory
from footprint.inventory.validate import Lines, build_inventory, combine_problems
from footprint.safeload import check_archive, read_bytes

__all__ = ["MAX_CELLS", "read_excel"]

#: Most cells (rows × columns, as far as the farthest used cell) read from one sheet.
MAX_CELLS = 2_000_000
_TEMPLATE_FIX = "the Help sheet of the template (`footprint template xlsx`) explains each column"


def read_excel(path: Path) -> Inventory:
    """Read the Excel bill of materials in ``path`` (the layout of
    :func:`~footprint.inventory.excel.template.write_template`).

    Raises:
        InventoryError: an unreadable file (not a zip archive, over the size limits of
            :func:`footprint.safeload.check_archive`), a missing or too large sheet, a missing
            column, or an invalid cell, naming the file, sheet, row and column.
    """
    source = str(path)
    raw = read_bytes(Path(path), error=InventoryError)
    check_archive(raw, source=source, error=InventoryError)
    workbook = _load(raw, source)
    cells: dict[DataPath, Cell] = {(): Cell(None)}
    unit_cells: dict[DataPath, Cell] = {}
    product = _read_product(_sheet(workbook, PRODUCT_SHEET, source), source, cells, unit_cells)
    process = _read_inputs(_sheet(workbook, INPUTS_SHEET, source), source, cells, unit_cells)
    process["name"] = product.get("name") or Path(path).stem
    process["output"] = f"{product.get('declared_amount', 1)} {product.get('declared_unit', '')}"
    data = {"product": product, "processes": [process]}
    lines: Lines = {key: cell.row for key, cell in cells.items() if cell.row is not None}
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        return build_inventory(data, source=source, lines=lines, sha256=sha256)
    except InventoryError:
        # build_inventory words its locations as lines; validate again to point at the cells.
        try:
            Inventory.model_validate(data)
        except ValidationError as validation:
            raise _cell_error(validation, source, cells, unit_cells) from None
        raise


def _load(raw: bytes, source: str) -> Any:
    import openpyxl  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Data Validation extension is not supported"
            return openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged or foreign file
        raise InventoryError(
            f"cannot read it as an Excel workbook ({type(exc).__name__}: {exc})",
            where=source,
            fix="save it from Excel as 'Excel Workbook (.xlsx)'; .xls, .ods and password-protected "
            "files cannot be read",
        ) from None


def _sheet(workbook: Any, name: str, source: str) -> Any:
    for sheet in workbook.worksheets:
        if str(sheet.title).strip().lower() == name.lower() and hasattr(sheet, "iter_rows"):
            return sheet
    found = ", ".join(repr(s.title) for s in workbook.worksheets) or "none"
    raise InventoryError(
        f"no sheet named {name!r} (found {found})",
        where=source,
        fix=f"the workbook needs the sheets {PRODUCT_SHEET!r} and {INPUTS_SHEET!r}; "
        "`footprint template xlsx` writes one to start from",
    )


def _table(
    sheet: Any, source: str, known: Sequence[str], required: Sequence[str]
) -> tuple[int, list[tuple[int, Row]]]:
    """The header row number and the data rows (number, header → cell) of ``sheet``."""
    title = str(sheet.title)
    header_row: int | None = None
    columns: dict[str, int] = {}
    rows: list[tuple[int, Row]] = []
    if sheet.max_row * sheet.max_column > MAX_CELLS:
        raise InventoryError(
            f"sheet {title!r} spans {sheet.dimensions} ({sheet.max_row:,} rows, "
            f"{sheet.max_column:,} columns); at most {MAX_CELLS:,} cells are read",
            where=source,
            fix="delete the stray cells beyond your table (select the empty rows and columns "
            "after it, delete them, and save)",
        )
    for cells in sheet.iter_rows():
        values = [clean_value(c.value) for c in cells]
        if all(v is None for v in values):
            continue
        number = int(cells[0].row)
        if header_row is None:
            header_row = number
            columns = _columns(values, title, number, source, known, required)
            continue
        first = next(v for v in values if v is not None)
        if isinstance(first, str) and first.startswith("#"):
            continue
        row = {name: cells[i] for name, i in columns.items() if i < len(cells)}
        if any(clean_value(c.value) is not None for c in row.values()):
            rows.append((number, row))
    if header_row is None:
        raise InventoryError(
            f"sheet {title!r} is empty",
            where=source,
            fix=f"start it with the header row: {', '.join(known)}",
        )
    return header_row, rows


def _columns(
    values: list[Any],
    title: str,
    row: int,
    source: str,
    known: Sequence[str],
    required: Sequence[str],
) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        name = as_text(value).lower()
        if not name or name.startswith("#"):
            continue
        if name not in known:
            raise InventoryError(
                f"unknown column {as_text(value)!r}",
                where=where(source, Cell(title, row)),
                fix=f"the columns are {', '.join(known)}; start a note column's header with '#'",
            )
        if name in columns:
            raise InventoryError(
                f"column {name!r} appears twice", where=where(source, Cell(title, row))
            )
        columns[name] = index
    missing = [c for c in required if c not in columns]
    if missing:
        raise InventoryError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in columns) or 'none'}",
            where=where(source, Cell(title, row)),
            fix=f"use the header row: {', '.join(known)}",
        )
    return columns


def _read_product(
    sheet: Any, source: str, cells: dict[DataPath, Cell], unit_cells: dict[DataPath, Cell]
) -> dict[str, Any]:
    title = str(sheet.title)
    _, rows = _table(sheet, source, ("field", "value"), ("field", "value"))
    cells[("product",)] = Cell(title)
    product: dict[str, Any] = {}
    period: dict[str, dt.date] = {}
    parameters: dict[str, float] = {}
    seen: dict[str, int] = {}
    accepted = (*PRODUCT_FIELDS, *OPTIONAL_FIELDS)
    for number, row in rows:
        label = as_text(row_value(row, "field"))
        value = row_value(row, "value")
        at = Cell(title, number, "value", label)
        key = re.sub(r"[\s-]+", "_", label.lower())
        if not label:
            raise InventoryError(
                "a value without a field name",
                where=where(source, Cell(title, number, "field")),
                fix="write the field name in column 'field', or delete the row",
            )
        if key.startswith(PARAMETER):
            name = label.split(":", 1)[1].strip()
            key = PARAMETER + name
            if not name:
                raise InventoryError(
                    "parameter without a name",
                    where=where(source, Cell(title, number, "field")),
                    fix="write it as parameter:<name>, e.g. parameter:scrap_share",
                )
        elif key not in accepted:
            raise InventoryError(
                f"unknown product field {label!r}",
                where=where(source, Cell(title, number, "field")),
                fix=f"use one of {', '.join(accepted)}, or parameter:<name>",
            )
        if key in seen:
            raise InventoryError(
                f"field {label!r} is given twice (rows {seen[key]} and {number})",
                where=where(source, Cell(title, number, "field")),
                fix="keep one of the rows",
            )
        seen[key] = number
        if value is None:
            continue
        if key.startswith(PARAMETER):
            name = key.removeprefix(PARAMETER)
            parameters[name] = as_number(value, label, source, at)
            cells[("product", "parameters", name)] = at
            cells.setdefault(("product", "parameters"), at)
            continue
        if key in ("reference_period_start", "reference_period_end"):
            part = key.removeprefix("reference_period_")
            period[part] = as_date(value, key, source, at)
            cells[("product", "reference_period", part)] = at
            cells.setdefault(("product", "reference_period"), at)
            continue
        cells[("product", key)] = at
        if key in ("declared_amount", "primary_data_share"):
            number_value = as_number(value, key, source, at)
            cell_format = str(getattr(row["value"], "number_format", ""))
            if key == "primary_data_share" and "%" in cell_format:
                number_value *= 100  # a percent-formatted cell holds 0.6 for 60 %
            product[key] = number_value
        elif key == "sources":
            product[key] = split_list(value)
        elif key.startswith("data_quality_"):
            part = key.removeprefix("data_quality_")
            product.setdefault("data_quality", {})[part] = as_number(value, key, source, at)
            cells[("product", "data_quality", part)] = at
            cells.setdefault(("product", "data_quality"), at)
        elif key in ("company_name", "company_ids"):
            part = key.removeprefix("company_")
            company = product.setdefault("company", {})
            company[part] = split_list(value) if part == "ids" else as_text(value)
            cells[("product", "company", part)] = at
            cells.setdefault(("product", "company"), at)
        else:
            product[key] = as_text(value)
    if period:
        product["reference_period"] = period
    if parameters:
        product["parameters"] = parameters
    declared = cells.get(("product", "declared_amount")) or cells.get(("product", "declared_unit"))
    cells[("processes", 0, "output")] = declared or Cell(title)
    if ("product", "declared_unit") in cells:
        unit_cells[("processes", 0, "output")] = cells[("product", "declared_unit")]
    if ("product", "name") in cells:
        cells[("processes", 0, "name")] = cells[("product", "name")]
    return product


_INPUT_COLUMNS = {"name": "item", "amount": "amount", "stage": "stage", "background": "background"}
_EMISSION_COLUMNS = {
    "name": "item",
    "amount": "amount",
    "stage": "stage",
    "gas": "gas",
    "origin": "origin",
}


def _read_inputs(
    sheet: Any, source: str, cells: dict[DataPath, Cell], unit_cells: dict[DataPath, Cell]
) -> dict[str, Any]:
    title = str(sheet.title)
    header_row, rows = _table(sheet, source, COLUMNS, REQUIRED_COLUMNS)
    process: dict[str, Any] = {"id": "product", "inputs": [], "emissions": []}
    cells[("processes",)] = cells[("processes", 0)] = Cell(title, header_row)
    for number, row in rows:
        text = {name: as_text(row_value(row, name)) for name in COLUMNS}
        amount = as_number(
            row_value(row, "amount"), "amount", source, Cell(title, number, "amount")
        )
        entry: dict[str, Any] = {"amount": amount, "unit": text["unit"]}
        if text["stage"]:
            entry["stage"] = text["stage"].upper()
        if text["item"]:
            entry["name"] = text["item"]
        if text["gas"]:
            if text["background"] or text["location"]:
                raise InventoryError(
                    "a row with a gas is a direct emission, but it also names a background activity",
                    where=where(source, Cell(title, number, "background")),
                    fix="leave 'background' and 'location' empty on emission rows, or split the row",
                )
            entry["gas"] = text["gas"]
            if text["origin"]:
                entry["origin"] = re.sub(r"[\s-]+", "_", text["origin"].lower())
            kind, columns = "emissions", _EMISSION_COLUMNS
        else:
            if text["origin"]:
                raise InventoryError(
                    "'origin' applies only to direct emissions (rows with a gas)",
                    where=where(source, Cell(title, number, "origin")),
                    fix="fill in 'gas' if this is an emission, or leave 'origin' empty",
                )
            # One column holds an id or a name: linking tries the id first, then the name.
            reference = text["background"]
            entry["background"] = {"id": reference, "name": reference}
            if text["location"]:
                entry["background"]["location"] = text["location"]
            kind, columns = "inputs", _INPUT_COLUMNS
        path: DataPath = ("processes", 0, kind, len(process[kind]))
        cells[path] = Cell(title, number)
        for field, column in columns.items():
            cells[(*path, field)] = Cell(title, number, column)
        if kind == "inputs":
            cells[(*path, "background", "location")] = Cell(title, number, "location")
        unit_cells[(*path, "amount")] = Cell(title, number, "unit")
        process[kind].append(entry)
    return process


def _cell_of(
    loc: DataPath, message: str, cells: dict[DataPath, Cell], unit_cells: dict[DataPath, Cell]
) -> Cell:
    if loc in unit_cells and "unit" in message.lower():
        return unit_cells[loc]
    for cut in range(len(loc), -1, -1):
        cell = cells.get(loc[:cut])
        if cell is not None:
            if cut == len(loc) == 4 and cell.column is None and "negative" in message:
                return cell._replace(column="amount")
            return cell
    return Cell(None)


def _cell_error(
    exc: ValidationError, source: str, cells: dict[DataPath, Cell], unit_cells: dict[DataPath, Cell]
) -> InventoryError:
    problems: list[tuple[str, str]] = []
    fix = f"correct that cell; {_TEMPLATE_FIX}"
    for error in exc.errors():
        # pydantic adds validator tags such as 'function-after[...]'; keep only data keys.
        loc = tuple(p for p in error["loc"] if isinstance(p, int) or "[" not in str(p))
        message = str(error["msg"]).removeprefix("Value error, ")
        cell = _cell_of(loc, message, cells, unit_cells)
        if error["type"] == "missing":
            name = "_".join(str(p) for p in loc[1:]) if loc[:1] == ("product",) else str(loc[-1])
            message = f"required field {name!r} is missing"
            if not problems:
                fix = f"add a row {name!r} with its value to the {cell.sheet or PRODUCT_SHEET!r} sheet"
        elif cell.field:
            message = f"{cell.field}: {message}"
        message = message.replace(
            "declare co-products under 'co_products'",
            "the Excel form has no co-products (the YAML form does)",
        )
        problem = (where(source, cell), message)
        if problem not in problems:  # the declared unit is checked as product and as output
            problems.append(problem)
    return combine_problems(problems, fix)
