"""A good's CBAM SEE beside its product carbon footprint, with what each boundary counts.

The two numbers answer different questions: the SEE counts the installation's direct emissions, the
electricity of goods outside Annex II and the SEE of the relevant precursors; the cradle-to-gate
footprint (ISO 14067) counts the whole supply chain. The table shows both per tonne of good and
the difference, and lists the boundary differences that explain it; it does not adjust either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from footprint.cbam.calc import CbamResult, GoodResult, round_see
from footprint.cbam.goods import CbamError, normalise_cn
from footprint.errors import UnitError
from footprint.units import convert, quantity

if TYPE_CHECKING:
    from footprint.engine.result import FootprintResult

#: Boundary differences between the CBAM SEE and a cradle-to-gate product footprint.
SCOPE_NOTES = (
    "CBAM counts the installation's own direct emissions and the SEE of relevant precursors only; "
    "the footprint also counts the supply chains of fuels, electricity and every other input",
    "CBAM leaves out transport (IR 2025/2547 Annex II B.1(c)); the footprint counts transport "
    "to the factory (stage A2)",
    "CBAM counts no indirect emissions for Annex II goods (iron and steel, aluminium, hydrogen); "
    "the footprint counts the electricity of every good",
    "CBAM counts precursors made in the EU or an Annex III country (Iceland, Liechtenstein, "
    "Norway, Switzerland) as zero; the footprint counts their emissions",
    "CBAM may use default values for precursors; the footprint uses its background data",
)


@dataclass(frozen=True)
class Reconciliation:
    """The SEE of one good and its product footprint, both in t CO2e per t of good."""

    good: GoodResult
    footprint_per_t: float
    by_stage_per_t: dict[str, float]
    product: str
    gwp: str

    @property
    def difference(self) -> float:
        """Footprint minus total SEE, t CO2e/t."""
        return self.footprint_per_t - self.good.see.total

    def rows(self) -> list[tuple[str, float]]:
        """The table: label and value in t CO2e/t."""
        see = self.good.see
        rows = [
            ("CBAM direct SEE", see.direct),
            ("CBAM indirect SEE (counted)", see.indirect),
            ("CBAM total SEE", see.total),
            (f"Product footprint, cradle-to-gate ({self.gwp})", self.footprint_per_t),
        ]
        rows += [(f"  of which stage {k}", v) for k, v in self.by_stage_per_t.items()]
        rows.append(("Difference (footprint - CBAM total)", self.difference))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain data (t CO2e/t, rounded to 5 decimals, unrounded alongside)."""
        return {
            "cn": self.good.cn,
            "good": self.good.name,
            "product": self.product,
            "gwp": self.gwp,
            "unit": "t CO2e/t",
            "rows": [
                {"item": label, "value": round_see(value), "unrounded": value}
                for label, value in self.rows()
            ],
            "scope_notes": list(SCOPE_NOTES),
        }


def reconcile(result: CbamResult, cn: str, footprint: FootprintResult) -> Reconciliation:
    """Put the SEE of good ``cn`` beside the product ``footprint`` (both per tonne).

    Raises:
        CbamError: the installation makes no good ``cn``, or the footprint's declared unit is
            not a mass.
    """
    code = normalise_cn(cn, where="--cn")
    found = [g for g in result.goods if g.cn == code]
    if not found:
        made = ", ".join(g.cn for g in result.goods)
        raise CbamError(
            f"the installation makes no good with CN code {cn!r}",
            where="--cn",
            fix=f"give one of its goods: {made}",
        )
    declared = quantity(footprint.declared_amount, footprint.declared_unit)
    try:
        tonnes = convert(declared, "t")
    except UnitError as exc:
        raise CbamError(
            f"the product's declared unit {footprint.declared_unit!r} is not a mass, so its "
            "footprint cannot be set beside a SEE per tonne",
            where="--inventory",
            fix="use an inventory declared per t or kg of the good",
        ) from exc

    def per_t(kg: float) -> float:
        return convert(quantity(kg, "kg CO2e"), "t CO2e") / tonnes

    return Reconciliation(
        found[0],
        per_t(footprint.total),
        {stage: per_t(value) for stage, value in footprint.by_stage.items()},
        footprint.product.name,
        footprint.method.gwp,
    )
