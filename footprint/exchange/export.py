"""A footprint result as a PACT ProductFootprint, with company and product facts from the inventory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from footprint.engine.result import FootprintResult
from footprint.errors import FootprintError
from footprint.exchange.pact_record import CPC_URN, Verification


def export_pact(
    result: FootprintResult,
    *,
    company_name: str | None = None,
    company_ids: Sequence[str] | None = None,
    product_ids: Sequence[str] | None = None,
    spec: str = "3.0",
    cpc: str | None = None,
    pf_id: str | None = None,
    created: dt.datetime | None = None,
    preceding_pf_ids: Sequence[str] | None = None,
    classifications: Sequence[str] | None = None,
    verification: Verification | None = None,
) -> dict[str, Any]:
    """The PACT ProductFootprint of ``result``; arguments override the inventory's ``product`` facts.

    Company, fossil carbon content and (for non-mass declared units) the product mass come from the
    inventory's ``product.company``, ``product.fossil_carbon_content`` and
    ``product.mass_per_declared_unit``; for PACT 2.x the UN CPC code (``productCategoryCpc``)
    comes from ``cpc`` or the inventory's ``product.cpc``. ``classifications`` are
    ``productClassifications`` URNs added to the inventory's CPC code (3.0); ``created`` defaults
    to now.

    Raises:
        FootprintError: a fact PACT requires is missing (the message names the inventory field to add).
    """
    from footprint.exchange.pact import to_pact
    from footprint.pact.schema import spec_line

    product = result.product
    company = product.company or {}
    name = company_name or company.get("name")
    ids = list(company_ids or company.get("ids") or [])
    if not name or not ids:
        raise FootprintError(
            "PACT needs the company's name and at least one company id (a URN)",
            where=result.inventory.source,
            fix="add product.company: {name: ..., ids: [urn:...]} to the inventory, or pass --company-name "
            "and --company-id",
        )
    fossil_carbon = product.fossil_carbon_content_kg
    if fossil_carbon is None:
        raise FootprintError(
            "PACT needs the fossil carbon content of the product",
            where=result.inventory.source,
            fix="add product.fossil_carbon_content (kg C per declared unit, '0 kg' if none) to the inventory",
        )
    declared = float(result.declared_amount)
    mass = product.mass_per_declared_unit_kg
    is_v3 = spec_line(spec) == "3.0"
    dqi = _inventory_dqi(result, spec)
    urns = None
    if classifications:
        inventory_cpc = _inventory_cpc(result)
        cpc_urns = [f"{CPC_URN}{inventory_cpc}"] if is_v3 and inventory_cpc else []
        urns = list(dict.fromkeys([*cpc_urns, *classifications]))
    return to_pact(
        result,
        company_name=name,
        company_ids=ids,
        product_ids=list(product_ids) if product_ids else None,
        product_category_cpc=None if is_v3 else (cpc or _inventory_cpc(result)),
        spec=spec,
        pf_id=pf_id,
        created=created,
        preceding_pf_ids=list(preceding_pf_ids) if preceding_pf_ids else None,
        fossil_carbon_content_kg=float(fossil_carbon) * declared,
        product_mass_kg=None if mass is None else float(mass) * declared,
        dqi=dqi,
        product_classifications=urns,
        verification=verification,
    )


def _inventory_dqi(result: FootprintResult, spec: str) -> dict[str, float] | None:
    """The inventory's ``product.data_quality`` ratings that PACT ``spec`` uses, checked.

    Raises:
        FootprintError: a rating the version needs is missing or out of its range.
    """
    from footprint.exchange.pact import dqi_ranges

    given = result.product.data_quality
    if not given:
        return None
    ranges = dqi_ranges(spec)
    for key, (low, high) in ranges.items():
        value = given.get(key)
        if value is None or not low <= float(value) <= high:
            raise FootprintError(
                f"PACT {spec} needs data quality rating {key!r} from {low:g} to {high:g}, "
                f"got {value!r}",
                where=f"{result.inventory.source}: product.data_quality.{key}",
                fix="give "
                + ", ".join(f"{k} ({a:g}-{b:g})" for k, (a, b) in ranges.items())
                + " under product.data_quality",
            )
    return {key: float(given[key]) for key in ranges}


def _inventory_cpc(result: FootprintResult) -> str | None:
    """The inventory's ``product.cpc``, as recorded with the result."""
    value = result.product.cpc
    return None if value is None else str(value)
