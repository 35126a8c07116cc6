"""Read a product inventory from YAML, keeping line numbers for error messages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from footprint.errors import InventoryError, locate
from footprint.inventory.model import Inventory
from footprint.inventory.validate import Lines, build_inventory


def _walk(node: yaml.Node, path: tuple[str | int, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _walk(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def read_yaml(path: Path) -> Inventory:
    """Read the inventory in ``path``.

    Raises:
        InventoryError: YAML syntax error or invalid content, naming file, line and field.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InventoryError(
            f"not UTF-8 text (byte {exc.start})", where=str(path), fix="save the file as UTF-8"
        ) from None
    try:
        node, data = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InventoryError(
            f"YAML syntax error: {exc.problem or exc}",
            where=locate(path, line),
            fix="check indentation and quoting near that line (a colon inside a value needs quotes)",
        ) from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    return build_inventory(
        data, source=str(path), lines=lines, sha256=hashlib.sha256(raw).hexdigest()
    )
