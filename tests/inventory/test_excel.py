from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from footprint.errors import InventoryError
from footprint.inventory.excel import read_excel, write_template

HEADER = ["stage", "item", "amount", "unit", "background", "location", "gas", "origin"]
PRODUCT = [
    ["field", "value"],
    ["name", "Widget"],
    ["declared_unit", "kg"],
    ["declared_amount", 1],
    ["geography", "US"],
]
INPUTS = [
    HEADER,
    ["A1", "Steel", 0.8, "kg", "Steel, billet", "US", None, None],
    ["A3", "Power", 2, "kWh", "elec-us", None, None, None],
    ["A3", "Process CO2", 0.05, "kg", None, None, "CO2", "fossil"],
]


def _workbook(
    tmp_path: Path,
    product: list[list[Any]] | None = None,
    inputs: list[list[Any]] | None = None,
    *,
    names: tuple[str, str] = ("Product", "Inputs"),
) -> Path:
    """Save a hand-made workbook; ``None`` keeps the good sheet, ``[]`` leaves it out."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in zip(
        names,
        (PRODUCT if product is None else product, INPUTS if inputs is None else inputs),
        strict=True,
    ):
        if rows:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    path = tmp_path / "bom.xlsx"
    book.save(path)
    return path


def _error(path: Path) -> str:
    with pytest.raises(InventoryError) as info:
        read_excel(path)
    return info.value.message


def test_template_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    inventory = read_excel(path)
    product = inventory.product
    assert product.name.startswith("Steel wall bracket")
    assert (product.declared_unit, product.declared_amount, product.geography) == (
        "piece",
        1.0,
        "US",
    )
    assert product.reference_period is not None
    assert product.reference_period.start == dt.date(2024, 1, 1)
    assert product.reference_period.end == dt.date(2024, 12, 31)
    assert product.primary_data_share == 60
    assert len(product.sources) == 2
    assert product.parameters == {"net_mass_kg": 1.1}
    process = inventory.processes[0]
    assert process.id == "product"
    assert f"{process.output:~P}" == "1.0 piece"
    amounts = [f"{i.amount.magnitude:g} {i.amount.units:~P}" for i in process.inputs]
    assert amounts == ["1.2 kg", "0.4 kWh", "0.3 tkm"]
    backgrounds = [(i.background.id, i.background.location) for i in process.inputs if i.background]
    assert backgrounds == [
        ("Hot rolled sheet, steel, at plant", "RNA"),
        ("grid:US:2022:egrid", None),
        ("Transport, combination truck, diesel powered", "RNA"),
    ]
    assert [i.stage for i in process.inputs] == ["A1", "A3", "A2"]
    [emission] = process.emissions
    assert (emission.gas, emission.origin, f"{emission.amount:~P}") == ("CO2", "fossil", "0.002 kg")
    assert inventory.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inventory.source == str(path)
    # Link-time locations: the row of the Inputs sheet, worded as a line.
    assert inventory.where("processes", 0, "inputs", 2) == f"{path}, line 4, processes[0].inputs[2]"
    assert inventory.where("product", "declared_unit") == f"{path}, line 5, product.declared_unit"


def test_template_layout_and_determinism(tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_template(first)
    write_template(second)
    assert first.getvalue() == second.getvalue()
    book = openpyxl.load_workbook(io.BytesIO(first.getvalue()))
    assert book.sheetnames == ["Product", "Inputs", "Help"]
    inputs = book["Inputs"]
    assert [c.value for c in inputs[1]] == HEADER
    assert inputs["A1"].font.b
    assert inputs.freeze_panes == "A2"
    lists = {dv.formula1 for dv in inputs.data_validations.dataValidation}
    assert lists == {'"A1,A2,A3"', '"fossil,biogenic,land_use_change"'}
    help_text = " ".join(str(c.value) for row in book["Help"].iter_rows() for c in row)
    assert "never 'ton'" in help_text
    assert "tkm" in help_text


def test_tolerates_case_blanks_strings_and_iso_dates(tmp_path: Path) -> None:
    product = [
        [None],
        ["Field", "Value", None, None],
        ["name", "Widget"],
        ["Declared unit", "kg"],
        ["declared_amount", " 2 "],
        ["geography", "US"],
        [None, None],
        ["reference_period_start", "2023-01-01"],
        ["reference_period_end", dt.datetime(2023, 12, 31)],
        ["description", None],
        ["# a comment row", "ignored"],
        ["parameter:scrap_share", "0.1"],
    ]
    inputs = [
        [
            "Stage",
            "Item",
            "Amount",
            "Unit",
            "Background",
            "Location",
            "Gas",
            "Origin",
            None,
            "#note",
        ],
        [],
        ["a1", "Steel", "0.8", "kg", "Steel, billet", "US", None, None, None, "from supplier"],
        [None] * 8,
        [None, None, 0.05, "kg", None, None, "CO2", "Biogenic"],
    ]
    path = _workbook(tmp_path, product, inputs, names=("product", "INPUTS"))
    inventory = read_excel(path)
    assert inventory.product.declared_amount == 2
    assert inventory.product.reference_period is not None
    assert inventory.product.reference_period.end == dt.date(2023, 12, 31)
    assert inventory.product.parameters == {"scrap_share": 0.1}
    [item] = inventory.processes[0].inputs
    assert (item.stage, item.amount.magnitude) == ("A1", 0.8)
    assert inventory.processes[0].emissions[0].origin == "biogenic"
    assert f"{inventory.processes[0].output:~P}" == "2.0 kg"
    assert (
        inventory.where("processes", 0, "emissions", 0)
        == f"{path}, line 5, processes[0].emissions[0]"
    )


def test_percent_formatted_share(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [*PRODUCT, ["primary_data_share", 0.6]])
    book = openpyxl.load_workbook(path)
    book["Product"]["B6"].number_format = "0%"
    book.save(path)
    assert read_excel(path).product.primary_data_share == pytest.approx(60)


def test_exchange_fields_company_cpc_and_carbon_content(tmp_path: Path) -> None:
    extra = [
        ["cpc", 41262],
        ["company_name", "Example Mill Inc."],
        [
            "company_ids",
            "urn:lei:5493001KJTIIGC8Y1R12; urn:uuid:6e1b4e4a-6c0e-4b6a-9d57-4d7d0b0e5f10",
        ],
        ["fossil_carbon_content", "0.02 kg"],
        ["mass_per_declared_unit", "1 kg"],
    ]
    product = read_excel(_workbook(tmp_path, [*PRODUCT, *extra])).product
    assert product.cpc == "41262"
    assert product.company is not None
    assert product.company.name == "Example Mill Inc."
    assert product.company.ids == [
        "urn:lei:5493001KJTIIGC8Y1R12",
        "urn:uuid:6e1b4e4a-6c0e-4b6a-9d57-4d7d0b0e5f10",
    ]
    assert product.fossil_carbon_content is not None
    assert product.fossil_carbon_content.to("g").magnitude == pytest.approx(20.0)


def test_data_quality_rows(tmp_path: Path) -> None:
    rows = [["data_quality_technological", 2], ["data_quality_temporal", "1.5"]]
    quality = read_excel(_workbook(tmp_path, [*PRODUCT, *rows])).product.data_quality
    assert quality is not None
    assert (quality.technological, quality.temporal, quality.geographical) == (2.0, 1.5, None)
    message = _error(_workbook(tmp_path, [*PRODUCT, ["data_quality_reliability", 9]]))
    assert "sheet 'Product', row 6" in message
    assert "reliability" in message


def test_company_ids_without_a_name_point_at_the_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [*PRODUCT, ["company_ids", "urn:lei:5493001KJTIIGC8Y1R12"]])
    message = _error(path)
    assert message.startswith(f"{path}, sheet 'Product', row 6"), message
    assert "name" in message


def _inputs_with(row: int, column: str, value: Any) -> list[list[Any]]:
    rows = [list(r) for r in INPUTS]
    rows[row - 1][HEADER.index(column)] = value
    return rows


@pytest.mark.parametrize(
    ("row", "column", "value", "where", "words"),
    [
        (2, "unit", "kgg", "row 2, column 'unit'", "unknown unit 'kgg'"),
        (3, "unit", "ton", "row 3, column 'unit'", "short_ton"),
        (2, "amount", "abc", "row 2, column 'amount'", "amount 'abc' is not a number"),
        (3, "amount", None, "row 3, column 'amount'", "amount is empty"),
        (2, "amount", -1, "row 2, column 'amount'", "the Excel form has no co-products"),
        (4, "amount", -1, "row 4, column 'amount'", "biogenic"),
        (2, "stage", "A4", "row 2, column 'stage'", "'A1', 'A2' or 'A3'"),
        (4, "origin", "fossill", "row 4, column 'origin'", "fossil"),
        (3, "background", None, "row 3, column 'background'", "'id' or its 'name'"),
        (4, "background", "Steel", "row 4, column 'background'", "direct emission"),
        (3, "origin", "fossil", "row 3, column 'origin'", "only to direct emissions"),
        (3, "unit", None, "row 3, column 'unit'", "no unit"),
    ],
)
def test_bad_input_cell_names_sheet_row_and_column(
    tmp_path: Path, row: int, column: str, value: Any, where: str, words: str
) -> None:
    path = _workbook(tmp_path, inputs=_inputs_with(row, column, value))
    message = _error(path)
    assert message.startswith(f"{path}, sheet 'Inputs', {where}: "), message
    assert words in message
    assert "Fix:" in message


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        (["colour", "red"], "row 6, column 'field'", "unknown product field 'colour'"),
        (["declared_unit", "t"], "row 6, column 'field'", "given twice (rows 3 and 6)"),
        (["primary_data_share", "lots"], "row 6, column 'value'", "'lots' is not a number"),
        (["primary_data_share", 150], "row 6, column 'value'", "primary_data_share: "),
        (["reference_period_start", "last year"], "row 6, column 'value'", "is not a date"),
        (["parameter:", 1], "row 6, column 'field'", "parameter without a name"),
        ([None, "orphan"], "row 6, column 'field'", "without a field name"),
    ],
)
def test_bad_product_row_names_sheet_row_and_column(
    tmp_path: Path, extra: list[Any], where: str, words: str
) -> None:
    path = _workbook(tmp_path, [*PRODUCT, extra])
    message = _error(path)
    assert message.startswith(f"{path}, sheet 'Product', {where}: "), message
    assert words in message


def test_bad_declared_unit_points_at_its_row(tmp_path: Path) -> None:
    product = [list(r) for r in PRODUCT]
    product[2][1] = "kgg"
    message = _error(_workbook(tmp_path, product))
    assert "sheet 'Product', row 3, column 'value': declared_unit: unknown unit 'kgg'" in message
    assert "Also:" not in message  # checked as the product's unit and the output's: reported once


def test_missing_product_field(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [r for r in PRODUCT if r[0] != "geography"])
    message = _error(path)
    assert message.startswith(f"{path}, sheet 'Product': required field 'geography' is missing.")
    assert "add a row 'geography'" in message


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    inputs = [[c for c in HEADER if c != "amount"], *INPUTS[1:]]
    message = _error(_workbook(tmp_path, inputs=inputs))
    assert "sheet 'Inputs', row 1: missing column(s) 'amount'" in message
    inputs = [[*HEADER, "notes"], *INPUTS[1:]]
    assert "sheet 'Inputs', row 1: unknown column 'notes'" in _error(
        _workbook(tmp_path, inputs=inputs)
    )
    product = [["field", "amount"], *PRODUCT[1:]]
    assert "sheet 'Product', row 1: unknown column 'amount'" in _error(_workbook(tmp_path, product))


def test_missing_or_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path, inputs=[])
    message = _error(path)
    assert message.startswith(f"{path}: no sheet named 'Inputs' (found 'Product')")
    message = _error(_workbook(tmp_path, inputs=[[None]]))
    assert "sheet 'Inputs' is empty" in message


@pytest.mark.parametrize("content", [b"not a spreadsheet", b"PK\x03\x04broken zip"])
def test_unreadable_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(content)
    message = _error(path)
    assert message.startswith(f"{path}: cannot read it as an Excel workbook")
    assert "Fix:" in message


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in _error(tmp_path / "absent.xlsx")
