"""PACT ProductFootprints: export a :class:`FootprintResult` as PACT 3.0 or 2.3 JSON.

Units: every PACT emission value is kg CO2e for the *declared unit*, i.e. for
``declaredUnitAmount`` × ``declaredUnitOfMeasurement`` (PACT 3.0; in 2.x the values are per one
``declaredUnit`` and ``unitaryProductAmount`` says how many of it the product holds). Biogenic
CO2 uptake is −(biogenic carbon content, kg C) × 44/12 kg CO2.

The facts are gathered once into a :class:`~footprint.exchange.pact_record.PactRecord`
(:func:`~footprint.exchange.pact_record.pact_record`); :mod:`footprint.exchange.pact_writers`
writes it in either spec version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from footprint.engine.result import FootprintResult
from footprint.exchange.pact_record import (
    CPC_URN,
    DEFAULT_STANDARDS,
    PactOptions,
    Verification,
    pact_record,
    pact_unit,
)
from footprint.exchange.pact_writers import DQI_KEYS_V2, DQI_KEYS_V3, write_v2, write_v3
from footprint.pact.schema import spec_line

__all__ = ["CPC_URN", "DEFAULT_STANDARDS", "dqi_ranges", "pact_unit", "to_pact"]


def to_pact(
    result: FootprintResult,
    *,
    company_name: str,
    company_ids: Sequence[str],
    product_ids: Sequence[str] | None = None,
    product_description: str | None = None,
    product_name: str | None = None,
    product_classifications: Sequence[str] | None = None,
    product_category_cpc: str | None = None,
    spec: str = "3.0",
    version: int | None = None,
    pf_id: str | None = None,
    created: dt.datetime | None = None,
    status: str = "Active",
    preceding_pf_ids: Sequence[str] | None = None,
    validity_period_start: dt.datetime | None = None,
    validity_period_end: dt.datetime | None = None,
    geography: str | None = None,
    product_mass_kg: float | None = None,
    fossil_carbon_content_kg: float | None = None,
    per_unit: bool = False,
    cross_sectoral_standards: Sequence[str] = DEFAULT_STANDARDS,
    product_or_sector_specific_rules: Sequence[Mapping[str, Any]] | None = None,
    exempted_emissions_percent: float = 0.0,
    exempted_emissions_description: str | None = None,
    packaging_emissions_included: bool = False,
    packaging_emissions_kg: float | None = None,
    dqi: Mapping[str, float] | None = None,
    verification: Verification | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """A PACT ``ProductFootprint`` (JSON-ready dict) for ``result``, checked against the schema.

    PACT 3.0 (``spec="3.0"``, the default): values are kg CO2e for the declared unit,
    ``result.declared_amount`` of ``result.declared_unit`` converted to the PACT unit (1 t →
    ``declaredUnitAmount`` "1000" ``kilogram``); with ``per_unit=True`` they are stated for one
    PACT unit instead (``declaredUnitAmount`` "1").

    PACT 2.3 (``spec="2.3"``): values are per one ``declaredUnit`` and ``unitaryProductAmount``
    is the declared amount in it (1 t → "1000" ``kilogram``, values per kg; "1" with
    ``per_unit=True``). 2.x has no ``piece``: a product declared per piece is stated per
    ``kilogram``, ``unitaryProductAmount`` being the mass of the declared pieces. The 2.x names
    are filled from the same facts: ``pCfExcludingBiogenic``/``pCfIncludingBiogenic`` (which
    3.0 renamed ``pcf...BiogenicUptake``), ``dLucGhgEmissions`` (land-use change),
    ``otherBiogenicGhgEmissions`` (biogenic emissions), ``biogenicCarbonWithdrawal`` (the
    uptake), ``characterizationFactors`` and ``ipccCharacterizationFactorsSources``,
    ``crossSectoralStandardsUsed`` (the 2.x names of ``cross_sectoral_standards``) and
    ``crossSectoralStandards``. The inventory model has no land-management origin, so
    ``landManagementGhgEmissions`` is written (as 0, with a note in ``comment``) only where 2.3
    requires it: reference periods reaching into 2025 or later, which also need
    ``primaryDataShare`` and ``dqi``; earlier ones need one of them.

    Args:
        result: a cradle-to-gate footprint from :func:`footprint.engine.calculate.calculate`.
        company_name, company_ids: the data owner; ids are URNs.
        product_ids: product URNs (default: the inventory's ``product.id`` if it is a URN).
        product_category_cpc: the product's UN CPC code (PACT 2.x ``productCategoryCpc``,
            required there; not part of 3.0).
        product_classifications: PACT 3.0 ``productClassifications`` URNs (default: the
            inventory's CPC code as ``urn:pact:productclassification:un-cpc:CODE``).
        version: PACT 2.x ``version`` of the footprint (default 1; not part of 3.0).
        pf_id: the footprint's UUID (default: a UUID5 of the document's content).
        created: when the footprint was made (default: now; pass a fixed time for reproducible
            documents; ``id`` does not depend on it).
        product_mass_kg: kg of product (without packaging) in the declared amount; needed for
            piece, liter, cubic meter and square meter declared units (in 2.3 only for piece).
        fossil_carbon_content_kg: kg of fossil carbon in the declared amount (PACT requires it).
        exempted_emissions_percent: share of emissions left out under cut-off rules, %.
        packaging_emissions_kg: kg CO2e of packaging in the declared amount, if included.
        dqi: data quality ratings. 3.0: ``technological``, ``geographical``, ``temporal``
            (1-5). 2.3: those and ``completeness``, ``reliability`` (1-3), and
            ``coverage_percent`` (0-100).
        verification: third-party verification (3.0 ``verification``; 2.x ``assurance``,
            which needs the provider's name).

    Raises:
        FootprintError: a required fact is missing (reference period, fossil carbon content,
            product mass, URN product id; for 2.3 also the CPC code, biogenic carbon content
            and primary data share or dqi), a unit PACT cannot express, or an invalid document.
    """
    options = PactOptions(
        company_name=company_name,
        company_ids=tuple(company_ids),
        product_ids=None if product_ids is None else tuple(product_ids),
        product_description=product_description,
        product_name=product_name,
        product_classifications=None
        if product_classifications is None
        else tuple(product_classifications),
        product_category_cpc=product_category_cpc,
        version=version,
        pf_id=pf_id,
        created=created,
        status=status,
        preceding_pf_ids=tuple(preceding_pf_ids or ()),
        validity_period_start=validity_period_start,
        validity_period_end=validity_period_end,
        geography=geography,
        product_mass_kg=product_mass_kg,
        fossil_carbon_content_kg=fossil_carbon_content_kg,
        per_unit=per_unit,
        cross_sectoral_standards=tuple(cross_sectoral_standards),
        product_or_sector_specific_rules=tuple(product_or_sector_specific_rules or ()),
        exempted_emissions_percent=exempted_emissions_percent,
        exempted_emissions_description=exempted_emissions_description,
        packaging_emissions_included=packaging_emissions_included,
        packaging_emissions_kg=packaging_emissions_kg,
        dqi=dqi,
        verification=verification,
        comment=comment,
    )
    record = pact_record(result, options, spec)
    return write_v3(record) if record.line == "3.0" else write_v2(record)


def dqi_ranges(spec: str) -> dict[str, tuple[float, float]]:
    """The data quality ratings PACT ``spec`` needs, each with its (lowest, highest) value."""
    keys = DQI_KEYS_V3 if spec_line(spec) == "3.0" else DQI_KEYS_V2
    return {key: (low, high) for key, (_, low, high) in keys.items()}
