"""Validate PACT ProductFootprint documents against the bundled JSON Schemas (offline).

The schemas in ``footprint/pact/schemas/`` are the constraints of the PACT OpenAPI
``components/schemas`` (see the README there for the source commit and licence); they are
read on first use with :mod:`importlib.resources`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlparse

import jsonschema  # type: ignore[import-untyped, unused-ignore]
from jsonschema.exceptions import ValidationError, best_match, relevance  # type: ignore[import-untyped, unused-ignore]

from footprint.errors import FootprintError
from footprint.pact.decimal_text import parse_decimal

#: Spec line → bundled schema file and the exact spec version it was derived from.
SCHEMAS: dict[str, tuple[str, str]] = {
    "3.0": ("pact-3.0.schema.json", "3.0.3"),
    "2.3": ("pact-2.3.schema.json", "2.3.3"),
}

#: Keywords kept when deriving a schema: constraints only (no prose, examples or x- extensions).
_CONSTRAINTS = frozenset(
    {
        "type", "format", "pattern", "enum", "const", "required", "properties", "items",
        "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "oneOf", "anyOf", "allOf", "not", "$ref",
        "additionalProperties",
    }
)  # fmt: skip
_COMPONENTS = "#/components/schemas/"
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def spec_line(spec: str) -> str:
    """``"3.0"`` or ``"2.3"`` for a spec name or a document's ``specVersion`` (``"3.0.1"``, ``"2.0.0"``).

    Raises:
        FootprintError: a version this package has no schema for.
    """
    parts = str(spec).strip().split(".")
    major = parts[0]
    if major == "3":
        return "3.0"
    if major == "2":
        return "2.3"
    raise FootprintError(
        f"PACT spec version {spec!r} is not supported",
        fix="use a PACT 3.0.x document (2.x documents are read with the 2.3 schema)",
    )


@cache
def load_schema(spec: str = "3.0") -> dict[str, Any]:
    """The bundled JSON Schema (draft 2020-12) of a PACT ``ProductFootprint`` for ``spec``.

    Raises:
        FootprintError: no schema for ``spec``.
    """
    name, _ = SCHEMAS[spec_line(spec)]
    text = (files("footprint.pact") / "schemas" / name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))  # raises if impossible
    return True


def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _UUID.fullmatch(value) is not None and bool(uuid.UUID(value))


def _decimal(value: object) -> bool:
    if isinstance(value, str):
        parse_decimal(value)
    return True


def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlparse(value).scheme)


@cache
def _format_checker() -> Any:
    checker = jsonschema.FormatChecker(formats=())
    for name, check in (
        ("date-time", _date_time),
        ("uuid", _uuid),
        ("decimal", _decimal),
        ("uri", _uri),
    ):
        checker.checks(name, raises=ValueError)(check)
    return checker


@cache
def _validator(spec: str) -> Any:
    schema = load_schema(spec)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker())


def _required_names(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        found = [str(n) for n in node.get("required", [])]
        return found + [n for v in node.values() for n in _required_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in _required_names(v)]
    return []


def _message(error: ValidationError, limit: int = 160) -> str:
    if error.validator in ("oneOf", "anyOf"):
        fields = ", ".join(dict.fromkeys(_required_names(error.validator_value)))
        which = "more than one" if "is valid under each of" in error.message else "none"
        return f"matches {which} of the allowed combinations" + (f" of {fields}" if fields else "")
    text = str(error.message)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def schema_errors(doc: Any, spec: str = "3.0", limit: int = 5) -> list[tuple[str, str]]:
    """Up to ``limit`` schema errors of ``doc`` as (JSON path, message), most relevant first.

    Raises:
        FootprintError: no schema for ``spec``.
    """
    errors: Iterable[ValidationError] = _validator(spec_line(spec)).iter_errors(doc)
    found = []
    for error in sorted(errors, key=relevance):
        deepest = best_match([error]) or error
        found.append((str(deepest.json_path), _message(deepest)))
        if len(found) >= limit:
            break
    return found


def validate_pact(doc: dict[str, Any], spec: str = "3.0") -> None:
    """Check ``doc`` against the bundled PACT ``ProductFootprint`` schema of ``spec``.

    Raises:
        FootprintError: listing the first few errors with their JSON paths, e.g.
            ``$.pcf.declaredUnitAmount: '12.5e3' does not match ...``.
    """
    line = spec_line(spec)
    errors = schema_errors(doc, line)
    if errors:
        listed = "; ".join(f"{path}: {message}" for path, message in errors)
        raise FootprintError(
            f"not a valid PACT {SCHEMAS[line][1]} ProductFootprint ({listed})",
            where=errors[0][0],
            fix="correct the fields named above (see the PACT Technical Specifications, "
            "data model section)",
        )


def derive_schema(openapi: Mapping[str, Any], spec_version: str, commit: str) -> dict[str, Any]:
    """A JSON Schema for ``ProductFootprint`` from a PACT ``openapi.yaml`` (already parsed).

    Keeps the constraint keywords of ``components/schemas`` reachable from ``ProductFootprint``
    and drops descriptions, examples and ``x-`` annotations; ``$ref`` s point into ``$defs``.
    Used to build the files in ``schemas/``; see the README there.
    """
    components: Mapping[str, Any] = openapi["components"]["schemas"]
    defs: dict[str, Any] = {}
    pending = ["ProductFootprint"]

    def strip(node: Any) -> Any:
        if not isinstance(node, Mapping):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key not in _CONSTRAINTS:
                continue
            if key == "$ref":
                name = str(value).removeprefix(_COMPONENTS)
                if name not in defs and name not in pending:
                    pending.append(name)
                out[key] = f"#/$defs/{name}"
            elif key == "properties":
                out[key] = {prop: strip(sub) for prop, sub in value.items()}
            elif key in ("oneOf", "anyOf", "allOf"):
                out[key] = [strip(sub) for sub in value]
            elif key in ("items", "not", "additionalProperties"):
                out[key] = strip(value)
            else:
                out[key] = value
        return out

    while pending:
        name = pending.pop(0)
        defs[name] = strip(components[name])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"Derived from the PACT Technical Specifications {spec_version} OpenAPI "
        f"components/schemas (github.com/wbcsd/data-exchange-protocol, commit {commit}); "
        "constraints only. See README.md beside this file.",
        "$ref": "#/$defs/ProductFootprint",
        "$defs": dict(sorted(defs.items())),
    }
