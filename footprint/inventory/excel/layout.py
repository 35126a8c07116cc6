"""The layout of the Excel bill of materials: sheet names, product fields and required columns.

Shared by the template writer (:mod:`footprint.inventory.excel.template`) and the reader
(:mod:`footprint.inventory.excel.reader`); the columns of the ``Inputs`` sheet are those of the flat
CSV form (:data:`footprint.inventory.csv_reader.COLUMNS`).
"""

from __future__ import annotations

from footprint.inventory.model import DataQuality

__all__ = [
    "DATA_QUALITY_KEYS",
    "HELP_SHEET",
    "INPUTS_SHEET",
    "OPTIONAL_FIELDS",
    "PARAMETER",
    "PRODUCT_FIELDS",
    "PRODUCT_SHEET",
    "REQUIRED_COLUMNS",
]

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
#: Product-sheet fields a workbook may add (the template's Help sheet explains them).
OPTIONAL_FIELDS = (
    "biogenic_carbon_content",
    "fossil_carbon_content",
    "mass_per_declared_unit",
    "cpc",
    "company_name",
    "company_ids",
    *(f"data_quality_{k}" for k in DATA_QUALITY_KEYS),
    "boundary",
)
#: The prefix of a Product-sheet row that declares a parameter, e.g. ``parameter:scrap_share``.
PARAMETER = "parameter:"
#: Columns the ``Inputs`` sheet must have.
REQUIRED_COLUMNS = ("item", "amount", "unit", "background")
