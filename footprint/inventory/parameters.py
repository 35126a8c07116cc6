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


def _round(value: float, digits: float = 0) -> float:
    if not float(digits).is_integer():
        raise ParameterError(f"round's second argument must be a whole number, got {digits:g}")
    return float(round(value, int(digits)))


#: Functions an expression may call: name → (function, fewest and most arguments).
_FUNCTIONS: dict[str, tuple[Callable[..., float], int, int]] = {
    "min": (lambda *values: min(values), 1, 1000),
    "max": (lambda *values: max(values), 1, 1000),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "sqrt": (math.sqrt, 1, 1),
}
#: Longest expression accepted, in characters, and deepest nesting of its operations.
MAX_LENGTH = 500
MAX_DEPTH = 32
_ALLOWED = "may only use numbers, parameters, + - * / ** % and min/max/abs/round/sqrt"


class ParameterError(ValueError):
    """An expression cannot be evaluated."""


def evaluate(expression: str, values: dict[str, float]) -> float:
    """Evaluate an arithmetic expression over ``values`` (+ − × ÷ **, %, min, max, abs, round, sqrt).

    ``round(x)`` rounds to a whole number, ``round(x, 2)`` to two decimals. Every intermediate
    result must be a finite number.

    Raises:
        ParameterError: syntax error, unknown name, a construct that is not arithmetic, an
            expression longer than :data:`MAX_LENGTH` or nested deeper than :data:`MAX_DEPTH`,
            division by zero, a negative square root, or a result that is not a finite number.
    """
    text = expression.strip()
    if len(text) > MAX_LENGTH:
        raise ParameterError(
            f"expression {_short(text)} is {len(text)} characters long; at most {MAX_LENGTH}"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ParameterError(f"{_short(text)} is not an arithmetic expression") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise ParameterError(f"{_short(text)} nests more than {MAX_DEPTH} operations deep")
    return _eval(tree.body, values, text)


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _depth(root: ast.AST) -> int:
    """How deeply the operations in ``root`` nest, counted without recursion."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _show(node: ast.AST, text: str) -> str:
    """The part of the expression ``node`` was parsed from."""
    return ast.get_source_segment(text, node) or ast.unparse(node)


def _finite(value: Any, node: ast.AST, text: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        # e.g. a negative number to a fractional power is a complex number
        raise ParameterError(f"{_show(node, text)} is not a real number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ParameterError(f"{_show(node, text)} is too large (not a finite number)")
    return number


def _eval(node: ast.AST, values: dict[str, float], text: str) -> float:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return _finite(node.value, node, text)
    if isinstance(node, ast.Name):
        if node.id not in values:
            known = ", ".join(sorted(values)) or "none declared"
            raise ParameterError(f"unknown parameter {node.id!r} (parameters: {known})")
        return _finite(values[node.id], node, text)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, values, text), _eval(node.right, values, text)
        if isinstance(node.op, ast.Div | ast.Mod) and right == 0:
            raise ParameterError(f"{_show(node, text)} divides by zero")
        if isinstance(node.op, ast.Pow) and left == 0 and right < 0:
            raise ParameterError(f"{_show(node, text)} divides by zero")
        try:
            result = _BINARY[type(node.op)](left, right)
        except OverflowError:
            result = math.inf
        return _finite(result, node, text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand, values, text)
        return -value if isinstance(node.op, ast.USub) else value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        function, fewest, most = _FUNCTIONS[node.func.id]
        if not fewest <= len(node.args) <= most:
            count = f"{fewest}" if fewest == most else f"{fewest} to {most}"
            raise ParameterError(
                f"{node.func.id}() takes {count} argument(s), got {len(node.args)}"
            )
        arguments = [_eval(a, values, text) for a in node.args]
        if node.func.id == "sqrt" and arguments[0] < 0:
            raise ParameterError(f"{_show(node, text)} is the root of a negative number")
        try:
            result = function(*arguments)
        except OverflowError:
            result = math.inf
        return _finite(result, node, text)
    raise ParameterError(f"{text!r} {_ALLOWED}")


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def fill(text: str, values: dict[str, float | str]) -> str:
    """Replace every ``{expression}`` in ``text`` with its value (a text parameter by its bare name)."""
    numbers = {
        k: float(v)
        for k, v in values.items()
        if isinstance(v, float | int) and not isinstance(v, bool)
    }

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
                f"cannot fill in {_short(value)}: {exc}",
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
    for name, value in declared.items():
        _check_value(name, value, where)
    names = sorted(str(name) for name in declared)
    unknown = sorted(set(overrides or {}) - set(names))
    if unknown:
        raise InventoryError(
            f"parameter(s) {', '.join(unknown)} not declared in the inventory "
            f"(declared: {', '.join(names) or 'none'})",
            where=where(("product", "parameters")),
            fix="declare them under product.parameters, or check their spelling",
        )
    values: dict[str, float | str] = {
        str(k): v for k, v in {**declared, **(overrides or {})}.items()
    }
    data["product"]["parameters"] = {**declared, **(overrides or {})}
    _fill_at(data["product"], "biogenic_carbon_content", ("product",), values, where)
    for i, process in enumerate(_list(data.get("processes"))):
        if not isinstance(process, dict):
            continue
        _fill_at(process, "output", ("processes", i), values, where)
        for group in ("inputs", "emissions", "co_products"):
            for j, item in enumerate(_list(process.get(group))):
                if not isinstance(item, dict):
                    continue
                path: tuple[str | int, ...] = ("processes", i, group, j)
                _fill_at(item, "amount", path, values, where)
                _fill_at(item, "background", path, values, where)
                if isinstance(item.get("background"), dict):
                    for key in ("id", "name", "location"):
                        _fill_at(item["background"], key, (*path, "background"), values, where)
    return data


def _list(value: Any) -> list[Any]:
    """``value`` if it is a list, else no items (validation reports the wrong type later)."""
    return value if isinstance(value, list) else []


def _check_value(name: object, value: object, where: Where) -> None:
    """A declared parameter must be a finite number or a text."""
    if isinstance(value, str):
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            if math.isfinite(float(value)):
                return
        except OverflowError:
            pass
        problem = f"parameter {name!r} is {value!r}, not a finite number"
    elif value is None:
        problem = f"parameter {name!r} has no value"
    else:
        shown = str(value).lower() if isinstance(value, bool) else type(value).__name__
        problem = f"parameter {name!r} must be a number or a text, got {shown}"
    raise InventoryError(
        problem,
        where=where(("product", "parameters", str(name))),
        fix="give each parameter a number (e.g. transport_km: 120; 1 or 0 for yes or no) or a text",
    )
