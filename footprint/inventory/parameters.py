"""Named parameters in inventories: ``{expression}`` in amounts and background references.

``product.parameters`` declares them (e.g. ``transport_km: 120``, ``grid_year: 2023``); an amount
such as ``"{0.025 * transport_km} tkm"`` or a background id such as ``"grid:CN:{grid_year}:mee-nbs"``
is filled in before validation. Scenarios and ``--set`` override declared values.
"""

from __future__ import annotations

import ast
import copy
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from footprint.errors import InventoryError

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "sqrt": math.sqrt,
}


class ParameterError(ValueError):
    """An expression cannot be evaluated."""


def evaluate(expression: str, values: dict[str, float]) -> float:
    """Evaluate an arithmetic expression over ``values`` (+ − × ÷ **, %, min, max, abs, round, sqrt).

    Raises:
        ParameterError: syntax error, unknown name, or a construct that is not arithmetic.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise ParameterError(f"{expression!r} is not an arithmetic expression") from None
    return float(_eval(tree.body, values, expression))


def _eval(node: ast.AST, values: dict[str, float], text: str) -> float:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            known = ", ".join(sorted(values)) or "none declared"
            raise ParameterError(f"unknown parameter {node.id!r} (parameters: {known})")
        return float(values[node.id])
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](
            _eval(node.left, values, text), _eval(node.right, values, text)
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand, values, text)
        return -value if isinstance(node.op, ast.USub) else value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return float(_FUNCTIONS[node.func.id](*(_eval(a, values, text) for a in node.args)))
    raise ParameterError(
        f"{text!r} may only use numbers, parameters, + - * / ** % and min/max/abs/round/sqrt"
    )


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def fill(text: str, values: dict[str, float | str]) -> str:
    """Replace every ``{expression}`` in ``text`` with its value (a text parameter by its bare name)."""
    numbers = {k: float(v) for k, v in values.items() if isinstance(v, int | float)}

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if isinstance(values.get(expression), str):
            return str(values[expression])
        return _number_text(evaluate(expression, numbers))

    return _PLACEHOLDER.sub(value, text)


Where = Callable[[tuple[str | int, ...]], str]


def _fill_at(
    container: dict[str, Any],
    key: str,
    path: tuple[str | int, ...],
    values: dict[str, float | str],
    where: Where,
) -> None:
    value = container.get(key)
    if isinstance(value, str) and "{" in value:
        try:
            container[key] = fill(value, values)
        except ParameterError as exc:
            raise InventoryError(
                str(exc),
                where=where((*path, key)),
                fix="declare the parameter under product.parameters, or correct the expression",
            ) from None


def apply_parameters(data: Any, overrides: dict[str, float | str] | None, where: Where) -> Any:
    """A copy of raw inventory ``data`` with parameters overridden and every placeholder filled in.

    Raises:
        InventoryError: an override names an undeclared parameter, or an expression fails.
    """
    if not isinstance(data, dict) or not isinstance(data.get("product"), dict):
        return data
    data = copy.deepcopy(data)
    declared = data["product"].get("parameters") or {}
    if not isinstance(declared, dict):
        return data
    unknown = sorted(set(overrides or {}) - set(declared))
    if unknown:
        raise InventoryError(
            f"parameter(s) {', '.join(unknown)} not declared in the inventory "
            f"(declared: {', '.join(sorted(declared)) or 'none'})",
            where=where(("product", "parameters")),
            fix="declare them under product.parameters, or check their spelling",
        )
    values: dict[str, float | str] = {
        k: v
        for k, v in {**declared, **(overrides or {})}.items()
        if isinstance(v, int | float | str)
    }
    data["product"]["parameters"] = {**declared, **(overrides or {})}
    _fill_at(data["product"], "biogenic_carbon_content", ("product",), values, where)
    for i, process in enumerate(data.get("processes") or []):
        if not isinstance(process, dict):
            continue
        _fill_at(process, "output", ("processes", i), values, where)
        for group in ("inputs", "emissions", "co_products"):
            for j, item in enumerate(process.get(group) or []):
                if not isinstance(item, dict):
                    continue
                path: tuple[str | int, ...] = ("processes", i, group, j)
                _fill_at(item, "amount", path, values, where)
                _fill_at(item, "background", path, values, where)
                if isinstance(item.get("background"), dict):
                    for key in ("id", "name", "location"):
                        _fill_at(item["background"], key, (*path, "background"), values, where)
    return data
