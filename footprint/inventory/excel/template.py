"""The Excel bill-of-materials template: Product, Inputs and Help sheets with a worked example.

The layout is that of :mod:`footprint.inventory.excel.layout`; the reader
(:mod:`footprint.inventory.excel.reader`) reads a filled-in copy back.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from footprint.inventory.csv_reader import COLUMNS
from footprint.inventory.excel.layout import HELP_SHEET, INPUTS_SHEET, PRODUCT_SHEET

__all__ = ["write_template"]

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
