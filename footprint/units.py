"""The one pint unit registry, with the units life cycle data uses.

Quantities live at the edges: readers turn amounts into :class:`pint.Quantity` and convert once to
the flow's reference unit; matrices hold plain floats.
"""

from __future__ import annotations

import math
import os
import re
import sys
import tokenize
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from footprint.errors import UnitError

# pint imports dask (about 0.3 s) whenever it is installed, for quantities of dask arrays, which
# are never made here; it is kept out while pint is first imported, as bw2data is from bw2calc.
_NO_DASK = "dask" not in sys.modules and "pint" not in sys.modules
if _NO_DASK:
    sys.modules["dask"] = None  # type: ignore[assignment]
try:
    import pint
finally:
    if _NO_DASK:
        del sys.modules["dask"]

_EXPONENT = re.compile(r"\b(m|cm|mm|km|dm)([23])\b")
_COUNT_WORDS = re.compile(r"\b(units?|items?|pieces?|pcs)\b", re.IGNORECASE)
_SHORT_TON = re.compile(r"(?<![\w])tons?(?![\w])")


def _preprocess(text: str) -> str:
    text = _EXPONENT.sub(r"\1**\2", text)
    return _COUNT_WORDS.sub("piece", text)


#: Where pint caches the parsed unit definitions (see :func:`cache_definitions_in`); None: nowhere.
_cache_folder: Path | None = None


def cache_definitions_in(folder: Path | None) -> None:
    """Cache the parsed unit definitions in ``folder`` (pint's disk cache, created when missing;
    reused by every later process): a registry then takes a few milliseconds to build instead of
    about half a second. None (the default) parses them each time, so that the library writes no
    file of its own accord; the command line caches them in the data directory (``cache/pint``).

    It applies to the registry built next: call it before the first unit is parsed.
    """
    global _cache_folder
    _cache_folder = folder


@cache
def registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    """Return the project's unit registry, created on first use.

    With a cache folder (:func:`cache_definitions_in`) that can be written, pint's parsed
    definitions are read from it, or parsed and stored there; a damaged or half-written cache file
    is removed and the definitions parsed again. A folder that cannot be created or written (a
    read-only or missing home) is not used.
    """
    folder = _writable(_cache_folder)
    if folder is not None:
        try:
            return _new_registry(folder)
        except Exception:  # noqa: BLE001 - any failure of a cache file: parse without it
            for stale in (*folder.glob("*.pickle"), *folder.glob("*.json")):
                stale.unlink(missing_ok=True)
    return _new_registry(None)


def _writable(folder: Path | None) -> Path | None:
    """``folder``, created if need be, when this process can write in it; else None."""
    if folder is None or not folder.is_absolute():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None


def _new_registry(cache_folder: Path | None) -> pint.UnitRegistry:  # type: ignore[type-arg]
    ureg: pint.UnitRegistry = pint.UnitRegistry(  # type: ignore[type-arg]
        preprocessors=[_preprocess],
        autoconvert_offset_to_baseunit=True,
        cache_folder=cache_folder,
    )
    definitions = files("footprint") / "data" / "units.txt"
    with definitions.open(encoding="utf-8") as handle:
        ureg.load_definitions([line.rstrip("\n") for line in handle])
    return ureg


def parse_unit(text: str, *, where: str | None = None) -> pint.Unit:
    """Parse a unit string such as ``"kg"``, ``"kWh"``, ``"m3"``, ``"tkm"``, ``"kg CO2e/t"``.

    Raises:
        UnitError: the unit is unknown, or is pint's ambiguous ``ton`` (a US short ton).
    """
    text = str(text).strip()
    try:
        return _known_unit(text)
    except KeyError:
        pass
    if _SHORT_TON.search(text):
        raise UnitError(
            f"unit {text!r} is ambiguous: 'ton' is a US short ton (907.18 kg) in most tools",
            where=where,
            fix="write 't' (or 'tonne') for a metric tonne, or 'short_ton' if you really mean 2000 lb",
        )
    try:
        unit = registry().Unit(text)
        registry().get_root_units(unit)  # fails for absurd powers such as kg^9999999999
    except KeyError:  # e.g. "kg**0": pint drops the unit, then fails to find it
        raise UnitError(
            f"unit {text!r} has no dimension (a unit to the power 0 cancels out)",
            where=where,
            fix="write the unit itself, e.g. kg, t, m3, kWh or piece",
        ) from None
    except (
        pint.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        AssertionError,
        ZeroDivisionError,
        OverflowError,
        tokenize.TokenError,  # unbalanced brackets, e.g. "kg)"
    ) as exc:
        raise UnitError(
            f"unknown unit {text!r} ({exc})",
            where=where,
            fix="use a unit such as kg, t, kWh, MJ, m3, L, tkm, Nm3 or piece",
        ) from exc
    _UNITS[text] = unit
    return unit


_UNITS: dict[str, pint.Unit] = {}  # unit strings parsed so far (units are immutable)


def _known_unit(text: str) -> pint.Unit:
    """A unit string parsed before (KeyError otherwise)."""
    return _UNITS[text]


def quantity(amount: Any, unit: str | None = None, *, where: str | None = None) -> pint.Quantity:  # type: ignore[type-arg]
    """Build a quantity from ``"2.5 kWh"`` or from a number and a unit.

    Raises:
        UnitError: the amount is not a number or the unit is unknown.
    """
    if isinstance(amount, bool):
        raise UnitError(f"expected a number with a unit, got {amount!r}", where=where)
    if isinstance(amount, int | float):
        try:
            value = float(amount)
        except OverflowError:  # an int beyond the float range
            value = math.inf
        if not math.isfinite(value):
            raise UnitError(
                f"amount {amount!r} is not a finite number",
                where=where,
                fix="write a finite number (1.8e308 is the largest)",
            )
        if unit is None:
            raise UnitError(
                f"amount {amount!r} has no unit",
                where=where,
                fix="write the unit with the amount, e.g. '2.5 kWh'",
            )
        return registry().Quantity(value, parse_unit(unit, where=where))
    text = str(amount).strip()
    match = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)", text)
    if match is None:
        raise UnitError(
            f"expected an amount such as '2.5 kWh', got {text!r}",
            where=where,
            fix="write a number followed by its unit",
        )
    number, unit_text = match.groups()
    if unit_text and unit:
        raise UnitError(
            f"amount {text!r} has a unit and a separate unit {unit!r} is also given",
            where=where,
            fix="give the unit once",
        )
    unit_text = unit_text or unit or ""
    if not unit_text:
        raise UnitError(f"amount {text!r} has no unit", where=where, fix="write e.g. '2.5 kWh'")
    if not math.isfinite(float(number)):
        raise UnitError(
            f"amount {text!r} is out of range (not a finite number)",
            where=where,
            fix="write a number below 1.8e308",
        )
    return registry().Quantity(float(number), parse_unit(unit_text, where=where))


def convert(value: pint.Quantity, target: Any, *, where: str | None = None) -> float:  # type: ignore[type-arg]
    """Convert ``value`` to ``target`` and return a plain float.

    Raises:
        UnitError: the dimensions differ (e.g. kg where kWh is expected).
    """
    target_unit = parse_unit(target, where=where) if isinstance(target, str) else target
    try:
        converted = float(value.to(target_unit).magnitude)
    except pint.DimensionalityError as exc:
        raise UnitError(
            f"{value:~P} cannot be converted to {target_unit:~P}: "
            f"{value.dimensionality} is not {target_unit.dimensionality}",
            where=where,
            fix=f"state this amount in a unit of the same kind as {target_unit:~P}",
        ) from exc
    if not math.isfinite(converted):
        raise UnitError(
            f"{value:~P} is out of range once converted to {target_unit:~P} ({converted})",
            where=where,
            fix="check the amount; it is far beyond any real quantity",
        )
    return converted


def same_dimension(a: str, b: str) -> bool:
    """Whether units ``a`` and ``b`` measure the same kind of quantity."""
    return bool(parse_unit(a).dimensionality == parse_unit(b).dimensionality)


def format_unit(unit: str) -> str:
    """The canonical short spelling of a unit string (``"kilowatt_hour"`` → ``"kWh"``)."""
    return f"{parse_unit(unit):~P}"


@cache
def is_known_unit(label: str) -> bool:
    """Whether the registry parses ``label`` as a unit (importers use it to tell unknown units
    from mismatched ones)."""
    try:
        parse_unit(label)
    except UnitError:
        return False
    return True
