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
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from footprint.errors import InventoryError, locate
from footprint.inventory.model import Inventory
from footprint.inventory.validate import Lines, build_inventory
from footprint.safeload import read_text

COLUMNS = ("stage", "item", "amount", "unit", "background", "location", "gas", "origin")
_META = re.compile(r"#\s*([A-Za-z_]+)\s*:\s*(.*)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


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


def _rows(
    table_lines: list[str], numbers: list[int], path: Path
) -> Iterator[tuple[int, dict[str, str]]]:
    """The table's rows as (file line, column → stripped cell), after checking the header."""
    reader = csv.reader(table_lines)
    consumed = 0
    try:
        header = [name.strip() for name in next(reader)]
        missing = [c for c in ("item", "amount", "unit") if c not in header]
        if missing:
            raise InventoryError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(header)}",
                where=locate(path, numbers[0]),
                fix=f"use the header {','.join(COLUMNS)}",
            )
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            raise InventoryError(
                f"column(s) {', '.join(repeated)} appear twice in the header",
                where=locate(path, numbers[0]),
                fix="keep one column of each name",
            )
        consumed = reader.line_num
        for cells in reader:
            number = numbers[consumed]
            consumed = reader.line_num
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                raise InventoryError(
                    f"the row has {len(cells)} cells but the header names {len(header)} columns "
                    f"(extra: {', '.join(repr(c[:40]) for c in extra[:3])})",
                    where=locate(path, number),
                    fix='quote cells that contain a comma, e.g. "Steel, billet"',
                )
            padded = [*cells, *[""] * (len(header) - len(cells))][: len(header)]
            yield (
                number,
                {name: cell.strip() for name, cell in zip(header, padded, strict=True) if name},
            )
    except csv.Error as exc:
        line = numbers[min(consumed, len(numbers) - 1)]
        raise InventoryError(
            f"cannot read the CSV table: {exc}",
            where=locate(path, line),
            fix="check the quoting on that line; cells are limited to "
            f"{csv.field_size_limit():,} characters",
        ) from None


def read_csv(path: Path) -> Inventory:
    """Read the flat bill of materials in ``path``.

    Raises:
        InventoryError: not UTF-8, missing product lines or columns, a row with more cells than
            columns, an unreadable row, or an invalid one (with its line number).
    """
    raw, text = read_text(path, error=InventoryError)
    product: dict[str, Any] = {}
    lines: Lines = {}
    table_lines: list[str] = []
    numbers: list[int] = []  # the file line of each table line
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        meta = _META.fullmatch(line.strip())
        if meta and not table_lines:
            product[meta.group(1)] = meta.group(2).strip()
            lines[("product", meta.group(1))] = number
        elif line.strip() and not line.lstrip().startswith("#"):
            table_lines.append(line)
            numbers.append(number)
    if not table_lines:
        raise InventoryError(
            "no table of line items", where=str(path), fix=f"add a header row: {','.join(COLUMNS)}"
        )
    process: dict[str, Any] = {
        "id": "product",
        "name": product.get("name", path.stem),
        "inputs": [],
        "emissions": [],
    }
    lines[("processes", 0)] = numbers[0]
    for number, row in _rows(table_lines, numbers, path):
        kind, entry = _row_entry(row)
        lines[("processes", 0, kind, len(process[kind]))] = number
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
