"""Functional units: cement's SEE per tonne of clinker contained, fertilisers' per tonne of
nitrogen contained, beside the SEE per tonne of good (rule ``functional-unit`` of
:data:`footprint.cbam.goods.RULES`, IR 2025/2547 recital 6, status unconfirmed).

The calculation stays per tonne of good (activity levels and precursor masses are tonnes of goods);
the value per tonne of the functional unit is that SEE divided by the good's declared content.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from footprint.cbam.goods import RULES, sector_of

if TYPE_CHECKING:
    from footprint.cbam.model import Good
    from footprint.cbam.see import See

#: sector -> (functional unit, the good's field that declares its content)
UNITS = {
    "cement": ("t clinker contained", "clinker_content"),
    "fertilisers": ("t N contained", "nitrogen_content"),
}
#: Categories where the rule gives no unit: calcined clay contains no clinker.
NOT_APPLICABLE = frozenset({"calcined clays"})


@dataclass(frozen=True)
class FunctionalUnit:
    """A good's SEE per tonne of its functional unit, or why it could not be given."""

    unit: str
    #: mass fraction of the functional unit in the good (None: not declared)
    content: float | None
    #: where the content comes from
    basis: str
    #: the SEE per tonne of the functional unit (None: no content declared)
    see: See | None

    @property
    def applied(self) -> bool:
        """Whether the SEE per functional unit could be computed."""
        return self.see is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the unit, the content, and the SEE per functional unit (5 decimals)."""
        data: dict[str, Any] = {
            "unit": self.unit,
            "applied": self.applied,
            "content": self.content,
            "content_basis": self.basis,
            "rule": "functional-unit",
        }
        if self.see is not None:
            data["see"] = {**self.see.to_dict(), "unit": f"t CO2e/{self.unit}"}
        return data


def functional_unit(good: Good, see: See) -> FunctionalUnit | None:
    """The SEE of ``good`` per tonne of its functional unit, where its sector has one other than
    the tonne of good (cement, fertilisers); ``None`` where the general rule applies."""
    sector = sector_of(good.cn)
    if sector not in UNITS or good.category.strip().lower() in NOT_APPLICABLE:
        return None
    unit, field = UNITS[sector]
    content: float | None = getattr(good, field)
    basis = f"declared ({field})"
    if content is None and good.category.strip().lower() == "cement clinker":
        content, basis = 1.0, "the good is clinker"
    if content is None:
        return FunctionalUnit(unit, None, f"{field} not declared", None)
    per_unit = replace(
        see,
        direct=see.direct / content,
        indirect=see.indirect / content,
        from_defaults=see.from_defaults / content,
    )
    return FunctionalUnit(unit, content, basis, per_unit)


def missing_warning(good: Good, process: str, fu: FunctionalUnit) -> str:
    """The warning for a cement or fertiliser good without its content."""
    field = UNITS[sector_of(good.cn)][1]
    rule = RULES["functional-unit"]
    return (
        f"process {process!r}, good {good.cn} ({good.name or good.category}): the functional unit "
        f"({fu.unit}) could not be applied: {field} is not declared; the SEE is given per tonne "
        f"of good only ({rule.locator}, {rule.status})"
    )
