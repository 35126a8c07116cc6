"""Turn raw inventory data into an :class:`Inventory`, mapping validation errors to file lines."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from footprint.errors import InventoryError, locate
from footprint.inventory.model import Inventory, format_path

Lines = dict[tuple[str | int, ...], int]


def _line_of(lines: Lines, loc: tuple[str | int, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds union/validator tags such as 'function-after[...]'; keep only data keys.
    return tuple(p for p in loc if isinstance(p, int) or "[" not in str(p))


def build_inventory(
    data: Any,
    *,
    source: str,
    lines: Lines,
    sha256: str | None,
    parameters: dict[str, float | str] | None = None,
) -> Inventory:
    """Validate ``data`` into an :class:`Inventory`, filling in parameters (``parameters`` override).

    Raises:
        InventoryError: naming the file, line and field of the first problem, and listing the rest.
    """
    if not isinstance(data, dict):
        raise InventoryError(
            f"expected a mapping with 'product' and 'processes', got {type(data).__name__}",
            where=source,
            fix="see `footprint schema inventory` and the examples in inventories/examples/",
        )
    from footprint.inventory.parameters import apply_parameters

    def where(path: tuple[str | int, ...]) -> str:
        return locate(source, _line_of(lines, path), format_path(path))

    filled = apply_parameters(data, parameters, where)
    try:
        inventory = Inventory.model_validate(filled)
    except ValidationError as exc:
        raise _to_inventory_error(exc, source, lines) from None
    inventory.attach_source(source, lines, sha256, raw=data)
    return inventory


def _to_inventory_error(exc: ValidationError, source: str, lines: Lines) -> InventoryError:
    problems = []
    for error in exc.errors():
        loc = _clean_loc(error["loc"])
        field = format_path(loc) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        elif error["type"] == "finite_number":
            message = f"expected a finite number, got {error['input']!r}"
        problems.append((locate(source, _line_of(lines, loc), field), message))
    return combine_problems(
        problems, "correct that field; `footprint schema inventory` prints the whole format"
    )


def combine_problems(problems: list[tuple[str, str]], fix: str) -> InventoryError:
    """One error for several (where, what) problems: the first in full, up to four more listed."""
    where, what = problems[0]
    more = ""
    if len(problems) > 1:
        more = " Also: " + "; ".join(f"{w}: {m}" for w, m in problems[1:5])
        if len(problems) > 5:
            more += f"; and {len(problems) - 5} more"
    return InventoryError(what + "." + more, where=where, fix=fix)


def with_parameters(inventory: Inventory, overrides: dict[str, float | str]) -> Inventory:
    """The same inventory with declared parameters overridden (for scenarios and ``--set``).

    Raises:
        InventoryError: an override is not declared, or an expression fails.
    """
    raw = inventory.raw if inventory.raw is not None else inventory.model_dump(mode="python")
    return build_inventory(
        raw,
        source=inventory.source,
        lines=inventory.lines,
        sha256=inventory.sha256,
        parameters=overrides,
    )
