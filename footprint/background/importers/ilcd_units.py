"""Units of ILCD data sets: unit groups, flow properties, and amounts in a flow's reference unit.

An ILCD exchange amount (``meanAmount``/``resultingAmount``) is stated in the reference unit of the
unit group of the flow's reference flow property, unless the exchange names another flow property
of the flow; then it is in that property's reference unit and is converted through the flow's
flow-property factors (``meanValue``: how much of the property one reference unit of the flow
has). The reference unit's name is mapped to the project's unit registry (:mod:`footprint.units`);
where the registry does not know it, a unit of the same group that it knows is used instead,
converted with the group's factors once they are checked against the registry (some unit groups
state their factors the other way round, e.g. ``g = 1000`` in a group whose reference is ``kg``).
A unit nothing maps (a currency such as ``EUR``) is kept as written. Nothing runs at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from footprint.background.importers.tables import Flow
from footprint.background.importers.unit_aliases import UNIT_ALIASES
from footprint.errors import FootprintError
from footprint.units import is_known_unit

# ILCD unit names -> unit strings the registry parses (names not listed are tried as written).
UNIT_LABELS: Mapping[str, str] = UNIT_ALIASES["ilcd"]
#: Units used, in this order, when a reference unit is unknown to the registry.
PREFERRED: tuple[str, ...] = ("kg", "MJ", "kWh", "m3", "m2", "m", "piece", "tkm", "m2*a", "kBq")
#: Relative tolerance of a unit-group factor checked against the registry.
TOLERANCE = 1e-3


class UnitProblem(Exception):
    """An amount cannot be expressed in its flow's reference unit (the message says why)."""


@dataclass(frozen=True)
class UnitGroup:
    """An ILCD unit group: ``factors[name]`` is how many of the group's base one unit is."""

    id: str
    name: str
    reference: str
    factors: Mapping[str, float] = field(default_factory=dict)

    def to_reference(self, unit: str) -> float:
        """How many reference units one ``unit`` is, by the group's own factors.

        Raises:
            UnitProblem: the group has no such unit, or a factor is not a positive number.
        """
        if unit not in self.factors or self.reference not in self.factors:
            raise UnitProblem(f"unit {unit!r} is not in unit group {self.name!r} ({self.id})")
        unit_factor, reference_factor = self.factors[unit], self.factors[self.reference]
        if not (unit_factor > 0 and reference_factor > 0):
            raise UnitProblem(f"unit group {self.name!r} ({self.id}) has a factor <= 0")
        return unit_factor / reference_factor


@dataclass(frozen=True)
class FlowProperty:
    id: str
    name: str
    unit_group: str


def unit_label(name: str) -> str:
    """The registry's spelling of an ILCD unit name (the name itself if not listed)."""
    text = " ".join(name.split())
    return UNIT_LABELS.get(text, text)


@cache
def registry_factor(source: str, target: str) -> float | None:
    """How many ``target`` one ``source`` is by the unit registry, or None (unknown, or another
    dimension)."""
    from footprint.units import convert, quantity

    try:
        return convert(quantity(1.0, source), target)
    except FootprintError:
        return None


@dataclass(frozen=True)
class Reference:
    """How amounts in a unit group's reference unit are written: ``label`` = ``factor`` × amount.

    ``note`` says what was done when the label is not the reference unit's own (empty if it is).
    """

    label: str
    factor: float = 1.0
    note: str = ""


def _orientation(group: UnitGroup) -> float | None:
    """+1 if the group's factors agree with the registry, -1 if they are inverted, None if they
    cannot be checked (fewer than two known units) or disagree."""
    units = [u for u in group.factors if is_known_unit(unit_label(u)) and group.factors[u] > 0]
    checks = set()
    for a, b in zip(units, units[1:], strict=False):
        stated = group.factors[a] / group.factors[b]
        actual = registry_factor(unit_label(a), unit_label(b))
        if actual is None or actual <= 0:
            return None
        if math.isclose(stated, actual, rel_tol=TOLERANCE):
            checks.add(1.0)
        elif math.isclose(1 / stated, actual, rel_tol=TOLERANCE):
            checks.add(-1.0)
        else:
            return None
    return checks.pop() if len(checks) == 1 else None


def reference_of(group: UnitGroup) -> Reference:
    """The label amounts in ``group``'s reference unit are written in, with its factor."""
    label = unit_label(group.reference)
    if is_known_unit(label):
        return Reference(label)
    orientation = _orientation(group)
    if orientation is not None:
        by_label = {unit_label(u): u for u in group.factors}
        for wanted in PREFERRED:
            unit = by_label.get(wanted)
            if unit is None or group.factors[unit] <= 0 or group.factors[group.reference] <= 0:
                continue
            ratio = group.factors[group.reference] / group.factors[unit]
            factor = ratio if orientation > 0 else 1 / ratio
            note = f"{group.reference} -> {wanted} by the factors of unit group {group.name!r}" + (
                " (stated inverted)" if orientation < 0 else ""
            )
            return Reference(wanted, factor, note)
    return Reference(" ".join(group.reference.split()), 1.0, f"{group.reference} kept as written")


@dataclass(frozen=True)
class Units:
    """The unit groups and flow properties of an archive."""

    groups: Mapping[str, UnitGroup]
    properties: Mapping[str, FlowProperty]
    _references: dict[str, Reference] = field(default_factory=dict, compare=False, repr=False)

    def group_of(self, prop: str) -> UnitGroup:
        """The unit group of flow property ``prop``.

        Raises:
            UnitProblem: the flow property or its unit group is not in the archive.
        """
        found = self.properties.get(prop)
        if found is None:
            raise UnitProblem(f"flow property {prop} missing from the archive")
        group = self.groups.get(found.unit_group)
        if group is None:
            raise UnitProblem(
                f"unit group {found.unit_group} of flow property {found.name!r} missing "
                "from the archive"
            )
        return group

    def reference(self, flow: Flow) -> Reference:
        """How amounts of ``flow`` are written (its reference unit, mapped to the registry).

        Raises:
            UnitProblem: its reference flow property or unit group is missing.
        """
        if flow.reference_property not in flow.property_factors:
            raise UnitProblem("the flow names no reference flow property")
        group = self.group_of(flow.reference_property)
        if group.id not in self._references:
            self._references[group.id] = reference_of(group)
        return self._references[group.id]

    def is_currency(self, flow: Flow) -> bool:
        """Whether the flow is measured in money (its unit group is one of currency)."""
        try:
            group = self.group_of(flow.reference_property)
        except UnitProblem:
            return False
        return "currenc" in group.name.lower()

    def amount(self, flow: Flow, value: float, prop: str = "") -> tuple[float, str]:
        """``value`` (in the reference unit of flow property ``prop``, default the flow's
        reference property) as (amount, label) in the flow's reference unit.

        Raises:
            UnitProblem: an unknown flow property, a factor that is not a positive number, or a
                missing flow property or unit group.
        """
        reference = self.reference(flow)
        prop = prop or flow.reference_property
        if prop != flow.reference_property:
            if prop not in flow.property_factors:
                raise UnitProblem(f"flow property {prop} is not a property of the flow")
            self.group_of(prop)
            named, own = flow.property_factors[prop], flow.property_factors[flow.reference_property]
            if not (named > 0 and own > 0):
                raise UnitProblem(f"flow property factor of {prop} is not a positive number")
            value = value / named * own
        return value * reference.factor, reference.label
