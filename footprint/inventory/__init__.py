"""Product inventories: the model and its readers (YAML, CSV, Excel)."""

from __future__ import annotations

from pathlib import Path

from footprint.errors import InventoryError
from footprint.inventory.model import (
    BackgroundRef,
    CoProduct,
    Emission,
    Input,
    Inventory,
    Process,
    Product,
    ReferencePeriod,
)

__all__ = [
    "BackgroundRef",
    "CoProduct",
    "Emission",
    "Input",
    "Inventory",
    "Process",
    "Product",
    "ReferencePeriod",
    "inventory_schema",
    "read_inventory",
]

READERS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "excel", ".xlsm": "excel"}


def read_inventory(path: str | Path) -> Inventory:
    """Read a product inventory from a YAML, CSV or Excel (.xlsx) file.

    Raises:
        InventoryError: the file is missing, of an unknown kind, or invalid (with file, line, field).
    """
    path = Path(path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InventoryError(
            f"unknown inventory file type {path.suffix!r}",
            where=str(path),
            fix=f"use one of {', '.join(sorted(READERS))}",
        )
    if not path.is_file():
        raise InventoryError("file not found", where=str(path), fix="check the path")
    if kind == "yaml":
        from footprint.inventory.yaml_reader import read_yaml

        return read_yaml(path)
    if kind == "excel":
        from footprint.inventory.excel import read_excel

        return read_excel(path)
    from footprint.inventory.csv_reader import read_csv

    return read_csv(path)


def inventory_schema() -> dict[str, object]:
    """The JSON Schema of the inventory format."""
    schema = Inventory.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "footprint product inventory"
    return schema
