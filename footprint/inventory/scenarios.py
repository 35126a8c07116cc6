"""Scenario files: named sets of parameter values to compute side by side.

```yaml
scenarios:
  grid-2022: {grid_year: 2022}
  grid-2023: {grid_year: 2023, transport_km: 80}
```
"""

from __future__ import annotations

import math
from pathlib import Path

from footprint.errors import InventoryError, locate
from footprint.safeload import load_yaml, node_lines, read_text


def _value(text: object) -> float | str:
    """A number, or a text (e.g. a grid year id); booleans, lists, mappings and inf/NaN refused."""
    if isinstance(text, bool) or text is None or isinstance(text, list | dict | set):
        raise ValueError
    if isinstance(text, int | float):
        number = float(text)  # OverflowError (a ValueError's cousin) for huge ints
    else:
        try:
            number = float(str(text))
        except ValueError:
            return str(text)
    if not math.isfinite(number):
        raise ValueError
    return number


def read_scenarios(path: Path) -> dict[str, dict[str, float | str]]:
    """The scenarios in ``path``, in file order.

    Raises:
        InventoryError: missing file, not UTF-8, YAML error (see :mod:`footprint.safeload`), or a
            value that is neither a finite number nor a text.
    """
    if not path.is_file():
        raise InventoryError("scenario file not found", where=str(path), fix="check the path")
    _, text = read_text(path, error=InventoryError)
    node, data = load_yaml(text, source=str(path), error=InventoryError)
    lines = node_lines(node)
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, dict) or not scenarios:
        raise InventoryError(
            "expected a mapping 'scenarios:' of name → {parameter: value}",
            where=str(path),
            fix="see the scenario example in the README",
        )
    out: dict[str, dict[str, float | str]] = {}
    for name, values in scenarios.items():
        if not isinstance(values, dict):
            raise InventoryError(
                f"scenario {name!r} must map parameter names to numbers",
                where=locate(path, lines.get(("scenarios", str(name)))),
                fix="write it as name: {parameter: value, ...}",
            )
        out[str(name)] = {}
        for key, value in values.items():
            try:
                out[str(name)][str(key)] = _value(value)
            except (TypeError, ValueError, OverflowError):
                raise InventoryError(
                    f"scenario {name!r}: {key!r} is {_shown(value)}, not a finite number or a text",
                    where=locate(path, lines.get(("scenarios", str(name), str(key)))),
                    fix="write numbers, e.g. grid_year: 2023 (1 or 0 for yes or no)",
                ) from None
    return out


def parse_assignments(pairs: list[str]) -> dict[str, float | str]:
    """``["a=1", "grid=2023:pcf"]`` → ``{"a": 1.0, "grid": "2023:pcf"}``.

    Raises:
        InventoryError: not NAME=NUMBER.
    """
    out: dict[str, float | str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            if not sep or not name.strip() or not value.strip():
                raise ValueError
            out[name.strip()] = _value(value.strip())
        except (ValueError, OverflowError):
            raise InventoryError(
                f"--set {pair!r} is not NAME=NUMBER (a finite number) or NAME=TEXT",
                fix="e.g. --set transport_km=80",
            ) from None
    return out


def _shown(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "empty"
    if isinstance(value, list | dict | set):
        return f"a {type(value).__name__}"
    return repr(value)
