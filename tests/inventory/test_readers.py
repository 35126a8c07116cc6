from __future__ import annotations

from pathlib import Path

import pytest

from footprint.errors import FootprintError, InventoryError, UnitError
from footprint.inventory import inventory_schema, read_inventory
from tests.conftest import write

GOOD = """\
product:
  name: Widget
  declared_unit: piece
  geography: US
processes:
  - id: make
    output: 1 piece
    inputs:
      - background: {name: "Electricity, at grid", location: US}
        amount: 2 kWh
    emissions:
      - {gas: CO2, amount: 0.1 kg}
"""


def test_reads_the_hand_example(fixtures: Path) -> None:
    inventory = read_inventory(fixtures / "hand.yaml")
    assert [p.id for p in inventory.processes] == ["part", "electricity", "coal"]
    assert inventory.reference_process.id == "part"
    assert inventory.sha256 is not None
    assert len(inventory.sha256) == 64


def test_amount_with_separate_unit_field(tmp_path: Path) -> None:
    text = GOOD.replace("amount: 2 kWh", "amount: 2\n        unit: kWh")
    inventory = read_inventory(write(tmp_path, "w.yaml", text))
    assert str(inventory.processes[0].inputs[0].amount.units) == "kilowatt_hour"


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (("  declared_unit: piece\n", ""), 1, "product.declared_unit", "required"),
        (("amount: 2 kWh", "amount: 2 kWhh"), 10, "processes[0].inputs[0].amount", "unknown unit"),
        (("amount: 2 kWh", "amount: 2 ton"), 10, "processes[0].inputs[0].amount", "short_ton"),
        (("amount: 2 kWh", "amount: -2 kWh"), 9, "processes[0].inputs[0]", "negative"),
        (("output: 1 piece", "output: 0 piece"), 7, "processes[0].output", "positive"),
        (("    emissions:", "    emission:"), 11, "processes[0].emission", "unknown field"),
        (
            ("{gas: CO2, amount: 0.1 kg}", "{gas: CO2, amount: -0.1 kg}"),
            12,
            "processes[0].emissions[0]",
            "offsets",
        ),
    ],
)
def test_bad_input_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str, words: str
) -> None:
    assert change[0] in GOOD
    path = write(tmp_path, "bad.yaml", GOOD.replace(change[0], change[1]))
    with pytest.raises(InventoryError) as info:
        read_inventory(path)
    message = info.value.message
    assert message.startswith(f"{path}, line {line}, {field}:"), message
    assert words in message
    assert "Fix:" in message


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", GOOD.replace("  geography: US", "  geography: [US"))
    with pytest.raises(InventoryError) as info:
        read_inventory(path)
    assert "YAML syntax error" in info.value.message
    assert f"{path}, line " in info.value.message


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="expected a mapping"):
        read_inventory(write(tmp_path, "list.yaml", "- a\n- b\n"))


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="unknown inventory file type"):
        read_inventory(tmp_path / "x.txt")
    with pytest.raises(InventoryError, match="file not found"):
        read_inventory(tmp_path / "x.yaml")


def test_duplicate_process_ids(tmp_path: Path) -> None:
    text = GOOD + "  - id: make\n    output: 1 kg\n    emissions: [{gas: CO2, amount: 1 kg}]\n"
    with pytest.raises(InventoryError, match="repeated: make"):
        read_inventory(write(tmp_path, "dup.yaml", text))


def test_input_needs_exactly_one_source(tmp_path: Path) -> None:
    text = GOOD.replace("      - background:", "      - process: make\n        background:")
    with pytest.raises(InventoryError, match="exactly one of 'process' or 'background'"):
        read_inventory(write(tmp_path, "two.yaml", text))


def test_csv_bom(tmp_path: Path) -> None:
    text = (
        "# name: Widget\n# declared_unit: kg\n# geography: US\n"
        "stage,item,amount,unit,background,location,gas,origin\n"
        'A1,Steel,0.8,kg,"Steel, billet",US,,\n'
        "A3,Power,2,kWh,elec-us,,,\n"
        "A3,Process CO2,0.05,kg,,,CO2,fossil\n"
    )
    inventory = read_inventory(write(tmp_path, "bom.csv", text))
    process = inventory.processes[0]
    assert len(process.inputs) == 2
    assert process.inputs[0].background is not None
    assert process.inputs[0].background.name == "Steel, billet"
    assert process.inputs[1].background is not None
    assert process.inputs[1].background.id == "elec-us"
    assert process.emissions[0].gas == "CO2"
    expected = f"{tmp_path / 'bom.csv'}, line 6, processes[0].inputs[1]"
    assert inventory.where("processes", 0, "inputs", 1) == expected


def test_csv_bad_row_points_at_its_line(tmp_path: Path) -> None:
    text = (
        "# name: Widget\n# declared_unit: kg\n# geography: US\n"
        "stage,item,amount,unit,background,location,gas,origin\n"
        'A1,Steel,0.8,kgg,"Steel, billet",US,,\n'
    )
    with pytest.raises(FootprintError) as info:
        read_inventory(write(tmp_path, "bom.csv", text))
    assert ", line 5, processes[0].inputs[0].amount:" in info.value.message


def test_csv_data_quality_lines(tmp_path: Path) -> None:
    head = "# name: Widget\n# declared_unit: kg\n# geography: US\n"
    table = "stage,item,amount,unit,background,location,gas,origin\nA3,Power,2,kWh,elec-us,,,\n"
    good = head + "# data_quality_technological: 2\n# data_quality_temporal: 1.5\n" + table
    quality = read_inventory(write(tmp_path, "bom.csv", good)).product.data_quality
    assert quality is not None
    assert (quality.technological, quality.temporal, quality.reliability) == (2.0, 1.5, None)
    bad = head + "# data_quality_reliability: 7\n" + table
    with pytest.raises(FootprintError) as info:
        read_inventory(write(tmp_path, "bad.csv", bad))
    assert ", line 4, product.data_quality.reliability" in info.value.message


def test_csv_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="missing column"):
        read_inventory(write(tmp_path, "bom.csv", "# name: W\nstage,what\nA1,x\n"))


def test_schema_is_a_json_schema_with_the_main_parts() -> None:
    schema = inventory_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) == {"product", "processes"}  # type: ignore[call-overload]
    assert "Emission" in schema["$defs"]  # type: ignore[operator]


def test_unit_error_is_a_footprint_error() -> None:
    assert issubclass(UnitError, FootprintError)
