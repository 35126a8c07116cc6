"""Excel bills of materials: a template to fill in, and a reader whose errors name the cell.

The workbook is the spreadsheet twin of the flat CSV form (:mod:`footprint.inventory.csv_reader`):

* sheet ``Product``: columns ``field`` and ``value``, one row per product field (``sources`` separated
  by ``;``; parameters as rows ``parameter:<name>``);
* sheet ``Inputs``: columns ``stage, item, amount, unit, background, location, gas, origin``. A row
  with ``gas`` is a direct emission; any other row is an input from the background activity whose id
  or exact name is in ``background``;
* sheet ``Help``: the columns in plain words (not read).

Everything belongs to one process, id ``product``, that makes ``declared_amount declared_unit``.
Sheet names and headers are case-insensitive; blank rows, rows whose first cell starts with ``#`` and
columns whose header starts with ``#`` are ignored.

Reading errors name the cell, e.g.
``bom.xlsx, sheet 'Inputs', row 7, column 'unit': unknown unit 'kgg' (...). Fix: ...``.
Errors found later, when the engine links the inventory to a background, go through
:meth:`Inventory.where`, which knows only line numbers: they read
``bom.xlsx, line 7, processes[0].inputs[3].background``, where *line 7* is row 7 of the ``Inputs``
sheet (of the ``Product`` sheet for ``product.*`` paths).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from pydantic import ValidationError

from footprint.errors import InventoryError
from footprint.inventory.csv_reader import COLUMNS
from footprint.inventory.model import DataQuality, Inventory
from footprint.inventory.validate import Lines, build_inventory, combine_problems
from footprint.safeload import check_archive, read_bytes

__all__ = ["PRODUCT_FIELDS", "read_excel", "write_template"]

PRODUCT_SHEET = "Product"
INPUTS_SHEET = "Inputs"
HELP_SHEET = "Help"
#: Product-sheet fields, in template order; ``parameter:<name>`` rows come after them.
PRODUCT_FIELDS = (
    "name",
    "id",
    "category",
    "declared_unit",
    "declared_amount",
    "geography",
    "reference_period_start",
    "reference_period_end",
    "primary_data_share",
    "description",
    "sources",
)
DATA_QUALITY_KEYS = tuple(DataQuality.model_fields)
_OPTIONAL_FIELDS = (
    "biogenic_carbon_content",
    "fossil_carbon_content",
    "mass_per_declared_unit",
    "cpc",
    "company_name",
    "company_ids",
    *(f"data_quality_{k}" for k in DATA_QUALITY_KEYS),
    "boundary",
)
_PARAMETER = "parameter:"
#: Most cells (rows × columns, as far as the farthest used cell) read from one sheet.
MAX_CELLS = 2_000_000
_REQUIRED_COLUMNS = ("item", "amount", "unit", "background")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TEMPLATE_FIX = "the Help sheet of the template (`footprint template xlsx`) explains each column"

Path_ = tuple[str | int, ...]


class _Cell(NamedTuple):
    """Where a value came from: sheet title, row, column header, and the product field if any."""

    sheet: str | None
    row: int | None = None
    column: str | None = None
    field: str | None = None


def _where(source: str, cell: _Cell) -> str:
    parts = [source]
    if cell.sheet:
        parts.append(f"sheet {cell.sheet!r}")
    if cell.row is not None:
        parts.append(f"row {cell.row}")
    if cell.column:
        parts.append(f"column {cell.column!r}")
    return ", ".join(parts)


# ----------------------------------------------------------------------------------- the template

_EXAMPLE_PRODUCT: tuple[tuple[str, object], ...] = (
    ("name", "Steel wall bracket, 1.1 kg, bent and welded"),
    ("id", "urn:footprint:example:steel-bracket"),
    ("category", "steel.fabricated"),
    ("declared_unit", "piece"),
    ("declared_amount", 1),
    ("geography", "US"),
    ("reference_period_start", dt.date(2024, 1, 1)),
    ("reference_period_end", dt.date(2024, 12, 31)),
    ("primary_data_share", 60),
    (
        "description",
        "Worked example: replace with your product. Cradle-to-gate, one bracket cut, bent and "
        "welded from hot-rolled sheet (1.2 kg in, 1.1 kg out; offcuts sold as scrap, cut off).",
    ),
    ("sources", "Bill of materials, drawing BR-100 rev C; Plant electricity meter readings, 2024"),
    ("parameter:net_mass_kg", 1.1),
)

_EXAMPLE_INPUTS: tuple[tuple[object, ...], ...] = (
    (
        "A1",
        "Steel sheet, hot rolled",
        1.2,
        "kg",
        "Hot rolled sheet, steel, at plant",
        "RNA",
        None,
        None,
    ),
    (
        "A3",
        "Electricity, cutting, bending and welding",
        0.4,
        "kWh",
        "grid:US:2022:egrid",
        None,
        None,
        None,
    ),
    (
        "A2",
        "Truck transport of the sheet (1.2 kg x 250 km)",
        0.3,
        "tkm",
        "Transport, combination truck, diesel powered",
        "RNA",
        None,
        None,
    ),
    ("A3", "CO2 from welding shielding gas", 0.002, "kg", None, None, "CO2", "fossil"),
)

_HELP: tuple[tuple[str, str, str], ...] = (
    ("Product", "name", "The product's name, as shown in reports. Required."),
    ("Product", "id", "Optional product id, part number or URN."),
    ("Product", "category", "Optional category id used by green-label schemes, e.g. steel.rebar."),
    (
        "Product",
        "declared_unit",
        "The unit the footprint is declared per: piece, kg, t (tonne), m3, m2 ... Required.",
    ),
    (
        "Product",
        "declared_amount",
        "How many declared units the amounts on the Inputs sheet are for; usually 1.",
    ),
    (
        "Product",
        "geography",
        "Where the product is made: a country code (US, CN, DE) or a region code. Required.",
    ),
    (
        "Product",
        "reference_period_start",
        "First day of the period your data represent, as an Excel date or 2024-01-01.",
    ),
    ("Product", "reference_period_end", "Last day of that period (after the start)."),
    (
        "Product",
        "primary_data_share",
        "Percent (0 to 100) of the data you measured yourself rather than took from databases.",
    ),
    ("Product", "description", "Free text: what is included, what is left out, assumptions."),
    (
        "Product",
        "sources",
        "Where the data come from; separate several sources with a semicolon (;).",
    ),
    (
        "Product",
        "parameter:<name>",
        "A declared parameter and its number, e.g. parameter:scrap_share with value 0.1. "
        "Add as many rows as you need.",
    ),
    (
        "Product",
        "biogenic_carbon_content",
        "Optional: biogenic carbon in the product per declared unit, with its unit, e.g. 0.4 kg.",
    ),
    (
        "Product",
        "fossil_carbon_content",
        "Optional: fossil carbon in the product per declared unit, e.g. 0.02 kg (for PACT).",
    ),
    (
        "Product",
        "mass_per_declared_unit",
        "Optional: the product's mass per declared unit, e.g. 1.1 kg, when the unit is not a mass.",
    ),
    ("Product", "cpc", "Optional: UN CPC code of the product, e.g. 41262 (for PACT)."),
    ("Product", "company_name", "Optional: the maker's name (for PACT exchange)."),
    (
        "Product",
        "company_ids",
        "Optional: the maker's ids as URNs, separated by semicolons, e.g. urn:lei:5493001KJTIIGC8Y1R12.",
    ),
    (
        "Product",
        "data_quality_<rating>",
        "Optional PACT data quality ratings (lower is better): data_quality_technological, "
        "_geographical, _temporal (1-5 for PACT 3.0; 1-3 for PACT 2.x, which also needs "
        "_completeness, _reliability and _coverage_percent, 0-100).",
    ),
    (
        "Inputs",
        "stage",
        "A1 raw material supply, A2 transport to the factory, A3 manufacturing. Empty means A3.",
    ),
    ("Inputs", "item", "A short label for the line, shown in the footprint breakdown."),
    (
        "Inputs",
        "amount",
        "A plain number: how much goes into declared_amount declared_unit of product. "
        "No unit in this cell; use a point for decimals.",
    ),
    (
        "Inputs",
        "unit",
        "The amount's unit: kg, g, t (tonnes; never 'ton', which means a US short ton), kWh, MJ, "
        "m3, L, Nm3, tkm (tonne-kilometres of freight), piece.",
    ),
    (
        "Inputs",
        "background",
        "For an input: the id (e.g. grid:US:2022:egrid, or a dataset UUID) or the exact name of the "
        "background activity that supplies it. Leave empty on emission rows.",
    ),
    (
        "Inputs",
        "location",
        "Location code of the named background activity, e.g. US, RNA (North America), CN. "
        "Not needed with an id.",
    ),
    (
        "Inputs",
        "gas",
        "Only for a direct emission from your own site: CO2, CH4, N2O, SF6, NF3, HFC-134a ... or "
        "CO2e. A row with a gas is an emission, not an input; its unit is a mass (kg, g, t).",
    ),
    (
        "Inputs",
        "origin",
        "For emissions: fossil (the default), biogenic or land_use_change. Only a biogenic CO2 "
        "removal may be negative.",
    ),
    (
        "(all)",
        "",
        "Blank rows are ignored. A row whose first cell starts with # is a comment; a column whose "
        "header starts with # is a note column. Formulas are read as their last calculated value, "
        "so save the file in Excel before using it.",
    ),
)

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def write_template(path_or_buffer: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the Excel bill-of-materials template, filled with a worked example, as .xlsx.

    The bytes are the same on every call (fixed timestamps).
    """
    data = _template_bytes()
    if isinstance(path_or_buffer, str | os.PathLike):
        Path(path_or_buffer).write_bytes(data)
    else:
        path_or_buffer.write(data)


def _template_bytes() -> bytes:
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation,
    )

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(sheet: Any, names: Sequence[str], widths: Sequence[int]) -> None:
        sheet.append(list(names))
        for index, width in enumerate(widths):
            cell = sheet.cell(row=1, column=index + 1)
            cell.font = bold
            cell.fill = fill
            sheet.column_dimensions[cell.column_letter].width = width
        sheet.freeze_panes = "A2"

    workbook = openpyxl.Workbook()
    workbook.properties.creator = "footprint"
    workbook.properties.created = dt.datetime(*_FIXED_TIME)

    product = workbook.active
    product.title = PRODUCT_SHEET
    header(product, ("field", "value"), (26, 90))
    for field, value in _EXAMPLE_PRODUCT:
        product.append([field, value])
        if isinstance(value, dt.date):
            product.cell(row=product.max_row, column=2).number_format = "yyyy-mm-dd"
    for row in product.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(horizontal="left")

    inputs = workbook.create_sheet(INPUTS_SHEET)
    header(inputs, COLUMNS, (8, 44, 10, 8, 46, 10, 10, 16))
    for values in _EXAMPLE_INPUTS:
        inputs.append(list(values))
    letters = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(COLUMNS)}
    for column, choices in (("stage", "A1,A2,A3"), ("origin", "fossil,biogenic,land_use_change")):
        validation = DataValidation(
            type="list",
            formula1=f'"{choices}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column,
            error=f"Choose one of {choices.replace(',', ', ')}, or leave it empty.",
        )
        inputs.add_data_validation(validation)
        validation.add(f"{letters[column]}2:{letters[column]}1000")

    help_sheet = workbook.create_sheet(HELP_SHEET)
    header(help_sheet, ("sheet", "column or field", "what to write"), (10, 26, 100))
    for values in _HELP:
        help_sheet.append(list(values))
        for cell in help_sheet[help_sheet.max_row]:
            cell.alignment = wrap

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry times and document dates, so the bytes are reproducible."""
    stamp = dt.datetime(*_FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, content
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


# ------------------------------------------------------------------------------------- the reader


def read_excel(path: Path) -> Inventory:
    """Read the Excel bill of materials in ``path`` (the layout of :func:`write_template`).

    Raises:
        InventoryError: an unreadable file (not a zip archive, over the size limits of
            :func:`footprint.safeload.check_archive`), a missing or too large sheet, a missing
            column, or an invalid cell, naming the file, sheet, row and column.
    """
    source = str(path)
    raw = read_bytes(Path(path), error=InventoryError)
    check_archive(raw, source=source, error=InventoryError)
    workbook = _load(raw, source)
    cells: dict[Path_, _Cell] = {(): _Cell(None)}
    unit_cells: dict[Path_, _Cell] = {}
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
    import openpyxl

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


def _clean(value: Any) -> Any:
    """A cell's value with strings stripped; empty strings become None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _number(value: Any, label: str, source: str, cell: _Cell) -> float:
    value = _clean(value)
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
    if number is None or not math.isfinite(number):
        what = f"{label} is empty" if value is None else f"{label} {_text(value)!r} is not a number"
        raise InventoryError(
            what,
            where=_where(source, cell),
            fix="type a plain number (a point for decimals, no thousands separators, no unit)",
        )
    return number


def _date(value: Any, label: str, source: str, cell: _Cell) -> dt.date:
    value = _clean(value)
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
        f"{label} {_text(value)!r} is not a date",
        where=_where(source, cell),
        fix="enter an Excel date or write it as 2024-01-31",
    )


Row = dict[str, Any]


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
        values = [_clean(c.value) for c in cells]
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
        if any(_clean(c.value) is not None for c in row.values()):
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
        name = _text(value).lower()
        if not name or name.startswith("#"):
            continue
        if name not in known:
            raise InventoryError(
                f"unknown column {_text(value)!r}",
                where=_where(source, _Cell(title, row)),
                fix=f"the columns are {', '.join(known)}; start a note column's header with '#'",
            )
        if name in columns:
            raise InventoryError(
                f"column {name!r} appears twice", where=_where(source, _Cell(title, row))
            )
        columns[name] = index
    missing = [c for c in required if c not in columns]
    if missing:
        raise InventoryError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in columns) or 'none'}",
            where=_where(source, _Cell(title, row)),
            fix=f"use the header row: {', '.join(known)}",
        )
    return columns


def _value(row: Row, name: str) -> Any:
    cell = row.get(name)
    return None if cell is None else _clean(cell.value)


def _split(value: Any) -> list[str]:
    """A cell's text split at semicolons and line breaks, blanks dropped."""
    return [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]


def _read_product(
    sheet: Any, source: str, cells: dict[Path_, _Cell], unit_cells: dict[Path_, _Cell]
) -> dict[str, Any]:
    title = str(sheet.title)
    _, rows = _table(sheet, source, ("field", "value"), ("field", "value"))
    cells[("product",)] = _Cell(title)
    product: dict[str, Any] = {}
    period: dict[str, dt.date] = {}
    parameters: dict[str, float] = {}
    seen: dict[str, int] = {}
    accepted = (*PRODUCT_FIELDS, *_OPTIONAL_FIELDS)
    for number, row in rows:
        label = _text(_value(row, "field"))
        value = _value(row, "value")
        at = _Cell(title, number, "value", label)
        key = re.sub(r"[\s-]+", "_", label.lower())
        if not label:
            raise InventoryError(
                "a value without a field name",
                where=_where(source, _Cell(title, number, "field")),
                fix="write the field name in column 'field', or delete the row",
            )
        if key.startswith(_PARAMETER):
            name = label.split(":", 1)[1].strip()
            key = _PARAMETER + name
            if not name:
                raise InventoryError(
                    "parameter without a name",
                    where=_where(source, _Cell(title, number, "field")),
                    fix="write it as parameter:<name>, e.g. parameter:scrap_share",
                )
        elif key not in accepted:
            raise InventoryError(
                f"unknown product field {label!r}",
                where=_where(source, _Cell(title, number, "field")),
                fix=f"use one of {', '.join(accepted)}, or parameter:<name>",
            )
        if key in seen:
            raise InventoryError(
                f"field {label!r} is given twice (rows {seen[key]} and {number})",
                where=_where(source, _Cell(title, number, "field")),
                fix="keep one of the rows",
            )
        seen[key] = number
        if value is None:
            continue
        if key.startswith(_PARAMETER):
            name = key.removeprefix(_PARAMETER)
            parameters[name] = _number(value, label, source, at)
            cells[("product", "parameters", name)] = at
            cells.setdefault(("product", "parameters"), at)
            continue
        if key in ("reference_period_start", "reference_period_end"):
            part = key.removeprefix("reference_period_")
            period[part] = _date(value, key, source, at)
            cells[("product", "reference_period", part)] = at
            cells.setdefault(("product", "reference_period"), at)
            continue
        cells[("product", key)] = at
        if key in ("declared_amount", "primary_data_share"):
            number_value = _number(value, key, source, at)
            cell_format = str(getattr(row["value"], "number_format", ""))
            if key == "primary_data_share" and "%" in cell_format:
                number_value *= 100  # a percent-formatted cell holds 0.6 for 60 %
            product[key] = number_value
        elif key == "sources":
            product[key] = _split(value)
        elif key.startswith("data_quality_"):
            part = key.removeprefix("data_quality_")
            product.setdefault("data_quality", {})[part] = _number(value, key, source, at)
            cells[("product", "data_quality", part)] = at
            cells.setdefault(("product", "data_quality"), at)
        elif key in ("company_name", "company_ids"):
            part = key.removeprefix("company_")
            company = product.setdefault("company", {})
            company[part] = _split(value) if part == "ids" else _text(value)
            cells[("product", "company", part)] = at
            cells.setdefault(("product", "company"), at)
        else:
            product[key] = _text(value)
    if period:
        product["reference_period"] = period
    if parameters:
        product["parameters"] = parameters
    declared = cells.get(("product", "declared_amount")) or cells.get(("product", "declared_unit"))
    cells[("processes", 0, "output")] = declared or _Cell(title)
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
    sheet: Any, source: str, cells: dict[Path_, _Cell], unit_cells: dict[Path_, _Cell]
) -> dict[str, Any]:
    title = str(sheet.title)
    header_row, rows = _table(sheet, source, COLUMNS, _REQUIRED_COLUMNS)
    process: dict[str, Any] = {"id": "product", "inputs": [], "emissions": []}
    cells[("processes",)] = cells[("processes", 0)] = _Cell(title, header_row)
    for number, row in rows:
        text = {name: _text(_value(row, name)) for name in COLUMNS}
        amount = _number(_value(row, "amount"), "amount", source, _Cell(title, number, "amount"))
        entry: dict[str, Any] = {"amount": amount, "unit": text["unit"]}
        if text["stage"]:
            entry["stage"] = text["stage"].upper()
        if text["item"]:
            entry["name"] = text["item"]
        if text["gas"]:
            if text["background"] or text["location"]:
                raise InventoryError(
                    "a row with a gas is a direct emission, but it also names a background activity",
                    where=_where(source, _Cell(title, number, "background")),
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
                    where=_where(source, _Cell(title, number, "origin")),
                    fix="fill in 'gas' if this is an emission, or leave 'origin' empty",
                )
            # One column holds an id or a name: linking tries the id first, then the name.
            reference = text["background"]
            entry["background"] = {"id": reference, "name": reference}
            if text["location"]:
                entry["background"]["location"] = text["location"]
            kind, columns = "inputs", _INPUT_COLUMNS
        path: Path_ = ("processes", 0, kind, len(process[kind]))
        cells[path] = _Cell(title, number)
        for field, column in columns.items():
            cells[(*path, field)] = _Cell(title, number, column)
        if kind == "inputs":
            cells[(*path, "background", "location")] = _Cell(title, number, "location")
        unit_cells[(*path, "amount")] = _Cell(title, number, "unit")
        process[kind].append(entry)
    return process


def _cell_of(
    loc: Path_, message: str, cells: dict[Path_, _Cell], unit_cells: dict[Path_, _Cell]
) -> _Cell:
    if loc in unit_cells and "unit" in message.lower():
        return unit_cells[loc]
    for cut in range(len(loc), -1, -1):
        cell = cells.get(loc[:cut])
        if cell is not None:
            if cut == len(loc) == 4 and cell.column is None and "negative" in message:
                return cell._replace(column="amount")
            return cell
    return _Cell(None)


def _cell_error(
    exc: ValidationError, source: str, cells: dict[Path_, _Cell], unit_cells: dict[Path_, _Cell]
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
        problem = (_where(source, cell), message)
        if problem not in problems:  # the declared unit is checked as product and as output
            problems.append(problem)
    return combine_problems(problems, fix)
