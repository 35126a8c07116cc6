"""Read a flat bill of materials from CSV: ``# key: value`` product lines, then one row per line item.

Product lines use the YAML field names; the company is ``# company_name:`` and ``# company_ids:``
(URNs separated by ``;``), the reference period ``# reference_period_start:`` and ``_end:``, the
data quality ratings ``# data_quality_technological:`` and so on.

Columns: ``stage,item,amount,unit,background,location,gas,origin``. A row with ``gas`` is a direct
emission; any other row is an input from the background activity named or identified in
``background``. Everything belongs to one process that makes ``declared_amount declared_unit``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any

from footprint.errors import InventoryError, locate
from footprint.inventory.model import Inventory
from footprint.inventory.validate import Lines, build_inventory

COLUMNS = ("stage", "item", "amount", "unit", "background", "location", "gas", "origin")
_META = re.compile(r"#\s*([A-Za-z_]+)\s*:\s*(.*)")


def _background_ref(value: str, location: str) -> dict[str, str]:
    # One column holds an id or a name: linking tries the id first, then the name.
    return {"id": value, "name": value, **({"location": location} if location else {})}


def _row_entry(row: dict[str, str]) -> tuple[str, dict[str, Any]]:
    amount: Any = row["amount"]
    entry: dict[str, Any] = {"amount": f"{amount} {row['unit']}".strip()}
    if row.get("stage"):
        entry["stage"] = row["stage"]
    if row.get("item"):
        entry["name"] = row["item"]
    if row.get("gas"):
        entry["gas"] = row["gas"]
        if row.get("origin"):
            entry["origin"] = row["origin"]
        return "emissions", entry
    entry["background"] = _background_ref(row.get("background", ""), row.get("location", ""))
    return "inputs", entry


def read_csv(path: Path) -> Inventory:
    """Read the flat bill of materials in ``path``.

    Raises:
        InventoryError: missing product lines or columns, or an invalid row (with its line number).
    """
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    product: dict[str, Any] = {}
    lines: Lines = {}
    table_lines: list[str] = []
    first_table_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        meta = _META.fullmatch(line.strip())
        if meta and not table_lines:
            product[meta.group(1)] = meta.group(2).strip()
            lines[("product", meta.group(1))] = number
        elif line.strip() and not line.lstrip().startswith("#"):
            first_table_line = first_table_line or number
            table_lines.append(line)
    if not table_lines:
        raise InventoryError(
            "no table of line items", where=str(path), fix=f"add a header row: {','.join(COLUMNS)}"
        )
    reader = csv.DictReader(io.StringIO("\n".join(table_lines)))
    missing = [c for c in ("item", "amount", "unit") if c not in (reader.fieldnames or [])]
    if missing:
        raise InventoryError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(reader.fieldnames or [])}",
            where=locate(path, first_table_line),
            fix=f"use the header {','.join(COLUMNS)}",
        )
    process: dict[str, Any] = {
        "id": "product",
        "name": product.get("name", path.stem),
        "inputs": [],
        "emissions": [],
    }
    lines[("processes", 0)] = first_table_line
    for offset, row in enumerate(reader, start=1):
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        kind, entry = _row_entry(clean)
        lines[("processes", 0, kind, len(process[kind]))] = first_table_line + offset
        process[kind].append(entry)
    if "reference_period_start" in product or "reference_period_end" in product:
        product["reference_period"] = {
            "start": product.pop("reference_period_start", ""),
            "end": product.pop("reference_period_end", ""),
        }
    if "company_name" in product or "company_ids" in product:
        ids = [i.strip() for i in str(product.pop("company_ids", "")).split(";") if i.strip()]
        product["company"] = {"name": product.pop("company_name", ""), "ids": ids}
    quality = {k: product.pop(k) for k in [k for k in product if k.startswith("data_quality_")]}
    if quality:
        product["data_quality"] = {k.removeprefix("data_quality_"): v for k, v in quality.items()}
        for key in quality:
            part = key.removeprefix("data_quality_")
            lines[("product", "data_quality", part)] = lines[("product", key)]
            lines.setdefault(("product", "data_quality"), lines[("product", key)])
    declared = f"{product.get('declared_amount', 1)} {product.get('declared_unit', '')}"
    process["output"] = declared
    return build_inventory(
        {"product": product, "processes": [process]},
        source=str(path),
        lines=lines,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
