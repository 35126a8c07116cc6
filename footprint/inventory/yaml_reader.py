"""Read a product inventory from YAML, keeping line numbers for error messages."""

from __future__ import annotations

import hashlib
from pathlib import Path

from footprint.errors import InventoryError
from footprint.inventory.model import Inventory
from footprint.inventory.validate import Lines, build_inventory
from footprint.safeload import load_yaml, node_lines, read_text


def read_yaml(path: Path) -> Inventory:
    """Read the inventory in ``path``.

    Raises:
        InventoryError: not UTF-8, YAML syntax error, a repeated key, nesting or aliases beyond the
            limits of :mod:`footprint.safeload`, or invalid content, naming file, line and field.
    """
    raw, text = read_text(path, error=InventoryError)
    node, data = load_yaml(text, source=str(path), error=InventoryError)
    lines: Lines = node_lines(node)
    return build_inventory(
        data, source=str(path), lines=lines, sha256=hashlib.sha256(raw).hexdigest()
    )
