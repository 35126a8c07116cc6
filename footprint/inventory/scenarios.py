"""Scenario files: named sets of parameter values to compute side by side.

```yaml
scenarios:
  grid-2022: {grid_year: 2022}
  grid-2023: {grid_year: 2023, transport_km: 80}
```
"""

from __future__ import annotations

from pathlib import Path

import yaml

from footprint.errors import InventoryError, locate


def _value(text: object) -> float | str:
    if isinstance(text, bool):
        raise ValueError
    if isinstance(text, int | float):
        return float(text)
    try:
        return float(str(text))
    except ValueError:
        return str(text)


def read_scenarios(path: Path) -> dict[str, dict[str, float | str]]:
    """The scenarios in ``path``, in file order.

    Raises:
        InventoryError: missing file, YAML error, or a value that is not a number.
    """
    if not path.is_file():
        raise InventoryError("scenario file not found", where=str(path), fix="check the path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InventoryError(
            f"YAML syntax error: {getattr(exc, 'problem', exc)}",
            where=locate(path, mark.line + 1 if mark else None),
        ) from None
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
                f"scenario {name!r} must map parameter names to numbers", where=str(path)
            )
        try:
            out[str(name)] = {str(k): _value(v) for k, v in values.items()}
        except (TypeError, ValueError):
            raise InventoryError(
                f"scenario {name!r} has a value that is not a number",
                where=str(path),
                fix="write numbers, e.g. grid_year: 2023",
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
        except ValueError:
            raise InventoryError(
                f"--set {pair!r} is not NAME=NUMBER", fix="e.g. --set transport_km=80"
            ) from None
    return out
