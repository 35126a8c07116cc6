"""PACT ProductFootprints: export a :class:`FootprintResult`, import suppliers' footprints.

Units: every PACT emission value is kg CO2e for the *declared unit*, i.e. for
``declaredUnitAmount`` × ``declaredUnitOfMeasurement`` (PACT 3.0; in 2.x the values are per one
``declaredUnit`` and ``unitaryProductAmount`` says how many of it the product holds). Biogenic
CO2 uptake is −(biogenic carbon content, kg C) × 44/12 kg CO2. Export writes 3.0 or 2.3.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from footprint.engine.cutoffs import by_reason
from footprint.engine.result import BackgroundInfo, FootprintResult, ProductInfo
from footprint.errors import FootprintError, UnitError
from footprint.inventory.model import STAGE_NAMES
from footprint.pact.decimal_text import decimal_string
from footprint.pact.model import (
    CO2_PER_C,
    MASSLESS_UNITS,
    PACT_SOURCE,
    PACT_UNITS,
    V2_FIELDS,
    V3_FIELDS,
    geography_field,
    iso_moment,
)
from footprint.pact.schema import SCHEMAS, load_schema, spec_line, validate_pact
from footprint.units import parse_unit, registry

DEFAULT_STANDARDS = ("ISO14067", "GHGP-Product")
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:footprint:pact:product-footprint")
_GWP_REPORTS = {"ar6": "AR6", "ar5": "AR5", "ar4": "AR4"}
_DQI_KEYS = {
    "technological": ("technologicalDQR", 1.0, 5.0),
    "geographical": ("geographicalDQR", 1.0, 5.0),
    "temporal": ("temporalDQR", 1.0, 5.0),
}
#: PACT 2.x ``DataQualityIndicators``: every property, ratings 1-3, coverage in percent.
_DQI_KEYS_V2 = {
    "coverage_percent": ("coveragePercent", 0.0, 100.0),
    "technological": ("technologicalDQR", 1.0, 3.0),
    "temporal": ("temporalDQR", 1.0, 3.0),
    "geographical": ("geographicalDQR", 1.0, 3.0),
    "completeness": ("completenessDQR", 1.0, 3.0),
    "reliability": ("reliabilityDQR", 1.0, 3.0),
}
#: ``crossSectoralStandards`` codes → the PACT 2.x ``crossSectoralStandardsUsed`` names.
_V2_STANDARDS = {
    "GHGP-Product": "GHG Protocol Product standard",
    "ISO14067": "ISO Standard 14067",
    "ISO14040-44": "ISO Standard 14044",
}
#: PACT 2.3 properties optional only for reference periods before 2025 (marked O* there).
_V2_FROM_2025 = (
    "pCfIncludingBiogenic",
    "dLucGhgEmissions",
    "landManagementGhgEmissions",
    "otherBiogenicGhgEmissions",
    "biogenicCarbonWithdrawal",
    "biogenicAccountingMethodology",
    "primaryDataShare",
    "dqi",
)
_PACT_2025 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
#: PACT 3.0 product classification URN of a UN CPC code (the code follows).
CPC_URN = "urn:pact:productclassification:un-cpc:"
_CPC = re.compile(r"[0-9]{1,5}")  # UN CPC Ver. 2.1: section to subclass, 1 to 5 digits


# ---------------------------------------------------------------------------------------------
# Export


def _declared_units(spec: str) -> dict[str, str]:
    """The declared units of a spec line (PACT name → pint unit), from its bundled schema's enum."""
    line = spec_line(spec)
    key = "declaredUnitOfMeasurement" if line == "3.0" else "declaredUnit"
    names: list[str] = load_schema(line)["$defs"]["CarbonFootprint"]["properties"][key]["enum"]
    return {name: PACT_UNITS[name] for name in names}


def pact_unit(declared_unit: str, spec: str = "3.0") -> tuple[str, float]:
    """The PACT declared unit for a unit and how many of it make one ``declared_unit``.

    ``"t"`` → ``("kilogram", 1000.0)``, ``"L"`` → ``("liter", 1.0)``, ``"GJ"`` → ``("megajoule", 1000.0)``.
    ``spec`` picks the enumeration: 3.0 ``declaredUnitOfMeasurement`` or 2.x ``declaredUnit``
    (which has no ``piece``, ``hour`` or ``megabit second``).

    Raises:
        UnitError: the unit is not a multiple of any PACT unit of that spec (e.g. ``m``, ``pkm``).
    """
    line = spec_line(spec)
    units = _declared_units(line)
    ureg = registry()
    unit = parse_unit(declared_unit, where="product.declared_unit")
    one = ureg.Quantity(1.0, unit)
    base = one.to_base_units().units
    found: dict[str, float] = {}
    for name, symbol in units.items():
        target = parse_unit(symbol)
        if ureg.Quantity(1.0, target).to_base_units().units == base:
            found[name] = float(one.to(target).magnitude)
    if not found:
        pact = "a PACT declared unit" if line == "3.0" else f"a PACT {line} declared unit"
        raise UnitError(
            f"declared unit {declared_unit!r} cannot be expressed in {pact}",
            where="product.declared_unit",
            fix="declare the product in a multiple of one of: " + ", ".join(units.values()),
        )
    for name, factor in found.items():
        if math.isclose(factor, 1.0, rel_tol=1e-12):
            return name, 1.0
    if "cubic meter" in found:
        name = "cubic meter" if found["cubic meter"] >= 1.0 else "liter"
    elif "kilowatt hour" in found:
        name = "kilowatt hour" if "watt" in str(unit) else "megajoule"
    else:
        name = next(iter(found))
    return name, found[name]


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
        created: when the footprint was made (default: the end of the reference period, so the
            same inputs give the same document; pass the real time when publishing).
        product_mass_kg: kg of product (without packaging) in the declared amount; needed for
            piece, liter, cubic meter and square meter declared units (in 2.3 only for piece).
        fossil_carbon_content_kg: kg of fossil carbon in the declared amount (PACT requires it).
        exempted_emissions_percent: share of emissions left out under cut-off rules, %.
        packaging_emissions_kg: kg CO2e of packaging in the declared amount, if included.
        dqi: data quality ratings. 3.0: ``technological``, ``geographical``, ``temporal``
            (1-5). 2.3: those and ``completeness``, ``reliability`` (1-3), and
            ``coverage_percent`` (0-100).

    Raises:
        FootprintError: a required fact is missing (reference period, fossil carbon content,
            product mass, URN product id; for 2.3 also the CPC code, biogenic carbon content
            and primary data share or dqi), a unit PACT cannot express, or an invalid document.
    """
    line = spec_line(spec)
    v3 = line == "3.0"
    if v3 and version is not None:
        raise FootprintError(
            "PACT 3.0 has no 'version' property", fix="leave version out, or export spec='2.3'"
        )
    cpc = None if v3 else _category_cpc(product_category_cpc, result)
    product = result.product
    unit_name, declared, unit_note = _declared_basis(result, line, product_mass_kg)
    amount = 1.0 if per_unit else declared
    # Values are computed for `declared` PACT units; 3.0 states them for `amount`, 2.x per unit.
    scale = (amount if v3 else 1.0) / declared

    def kg(value: float) -> str:
        return decimal_string(value * scale)

    reference = product.reference_period
    if not reference:
        raise FootprintError(
            "PACT requires the reference period of the data (referencePeriodStart/End)",
            where="product.reference_period",
            fix="add 'reference_period: {start: YYYY-MM-DD, end: YYYY-MM-DD}' to the inventory's product",
        )
    period_start = _midnight(dt.date.fromisoformat(reference.start))
    # Our end date is the last day covered; PACT's referencePeriodEnd is exclusive.
    period_end = _midnight(dt.date.fromisoformat(reference.end) + dt.timedelta(days=1))

    scale_total = max(abs(result.total), abs(result.total_excluding_biogenic_removals), 1e-300)
    fossil = _not_negative(result.fossil, scale_total, "fossil emissions")
    land_use_change = _not_negative(result.land_use_change, scale_total, "land-use change")
    excluding = fossil + land_use_change + result.biogenic_emissions
    notes = [unit_note] if unit_note else []
    per_unit_carbon = product.biogenic_carbon_content_kg  # kg C per declared unit
    carbon = (
        None if per_unit_carbon is None else float(per_unit_carbon) * float(result.declared_amount)
    )
    names = V3_FIELDS if v3 else V2_FIELDS
    pcf_bio: dict[str, str] = {}
    if carbon is not None:
        uptake = -float(carbon) * CO2_PER_C
        including = excluding + uptake
        pcf_bio = {
            names["biogenic_carbon_content"]: kg(float(carbon)),
            names["biogenic_co2_uptake"]: kg(uptake),
        }
        modelled = result.biogenic_removals
        tolerance = max(0.01 * max(abs(uptake), abs(modelled)), 1e-6 * scale_total)
        if abs(modelled - uptake) > tolerance:
            notes.append(
                f"Biogenic CO2 uptake {decimal_string(uptake, 6)} kg CO2 is the declared biogenic "
                f"carbon content ({decimal_string(float(carbon), 6)} kg C) x 44/12; the inventory "
                f"models {decimal_string(modelled, 6)} kg CO2e of biogenic removals."
            )
    elif result.biogenic_removals < -1e-9 * scale_total:
        raise FootprintError(
            f"the inventory models {decimal_string(result.biogenic_removals, 6)} kg CO2e of "
            "biogenic CO2 removals but the product's biogenic carbon content is not declared",
            where="product.biogenic_carbon_content",
            fix="declare product.biogenic_carbon_content (kg C in the declared amount); PACT "
            "derives the biogenic CO2 uptake from it",
        )
    elif not v3:
        raise FootprintError(
            f"PACT {line} requires the biogenic carbon content of the product (biogenicCarbonContent)",
            where="product.biogenic_carbon_content",
            fix="declare product.biogenic_carbon_content (kg C in the declared amount; '0 kg' "
            "for products without biogenic carbon)",
        )
    else:
        including = excluding

    if fossil_carbon_content_kg is None:
        raise FootprintError(
            "PACT requires the fossil carbon content of the product (fossilCarbonContent)",
            fix="pass fossil_carbon_content_kg=<kg of fossil carbon in the declared amount> "
            "(0 for products without fossil-derived carbon, e.g. cement or glass)",
        )
    mass = _product_mass(unit_name, declared, product_mass_kg, required=v3)
    gwp = result.method.gwp
    report = _GWP_REPORTS.get(gwp, gwp.upper())
    from_2025 = period_end > _PACT_2025  # the reference period includes 2025-01-01 or later

    pcf: dict[str, Any] = {names["unit"]: unit_name, names["amount"]: decimal_string(amount)}
    if mass is not None:
        pcf["productMassPerDeclaredUnit"] = kg(mass)
    pcf["referencePeriodStart"] = iso_moment(period_start)
    pcf["referencePeriodEnd"] = iso_moment(period_end)
    place = geography_field(geography if geography is not None else str(product.geography))
    if place is not None:
        pcf[place[0]] = place[1]
    pcf["boundaryProcessesDescription"] = _boundary(result)
    pcf[names["pcf_excluding_biogenic_uptake"]] = kg(excluding)
    pcf[names["pcf_including_biogenic_uptake"]] = kg(including)
    pcf["fossilCarbonContent"] = kg(_not_negative(fossil_carbon_content_kg, 1.0, "fossil carbon"))
    pcf.update(pcf_bio)
    pcf["fossilGhgEmissions"] = kg(fossil)
    pcf[names["land_use_change_ghg_emissions"]] = kg(land_use_change)
    if not v3:
        if from_2025:
            pcf["landManagementGhgEmissions"] = "0"
            notes.append(
                "The inventory model has no land-management origin: landManagementGhgEmissions "
                "is 0 and biogenic emissions are in otherBiogenicGhgEmissions."
            )
        other = _not_negative(result.biogenic_emissions, scale_total, "biogenic emissions")
        pcf["otherBiogenicGhgEmissions"] = kg(other)
        if "ISO14067" in cross_sectoral_standards:
            pcf["biogenicAccountingMethodology"] = "ISO"
    pcf["packagingEmissionsIncluded"] = packaging_emissions_included
    if packaging_emissions_included and packaging_emissions_kg is not None:
        pcf["packagingGhgEmissions"] = kg(packaging_emissions_kg)
    elif packaging_emissions_kg is not None:
        raise FootprintError(
            "packaging emissions given but packaging_emissions_included is False",
            fix="pass packaging_emissions_included=True, or leave packaging_emissions_kg out",
        )
    if v3:
        pcf["ccsTechnologicalCO2CaptureIncluded"] = False
        pcf["ipccCharacterizationFactors"] = [report]
    else:
        pcf["characterizationFactors"] = _v2_characterization(report)
        pcf["ipccCharacterizationFactorsSources"] = [report]
        pcf["crossSectoralStandardsUsed"] = _v2_standards_used(cross_sectoral_standards)
    pcf["crossSectoralStandards"] = list(dict.fromkeys(cross_sectoral_standards))
    if product_or_sector_specific_rules:
        pcf["productOrSectorSpecificRules"] = [dict(r) for r in product_or_sector_specific_rules]
    pcf["exemptedEmissionsPercent"] = _percent(exempted_emissions_percent, v3)
    pcf["exemptedEmissionsDescription"] = (
        exempted_emissions_description
        if exempted_emissions_description is not None
        else _cut_off_description(result)
    )
    if result.allocation:
        pcf["allocationRulesDescription"] = "; ".join(
            f"{process}: {rule}" for process, rule in result.allocation.items()
        )
    sources = _secondary_sources(result.background)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    if product.primary_data_share is not None:
        pcf["primaryDataShare"] = _percent(float(product.primary_data_share), v3)
    if dqi is not None:
        pcf["dqi"] = _dqi(dqi, _DQI_KEYS if v3 else _DQI_KEYS_V2, text=v3)
    if not v3:
        _v2_from_2025(pcf, line, from_2025)

    ids = list(product_ids) if product_ids is not None else _default_product_ids(product)
    doc: dict[str, Any] = {
        "id": "",
        "specVersion": SCHEMAS[line][1],
    }
    if preceding_pf_ids:
        doc["precedingPfIds"] = list(preceding_pf_ids)
    if not v3:
        doc["version"] = _v2_version(version)
    doc["created"] = iso_moment(_aware(created, "created") if created is not None else period_end)
    doc["status"] = status
    _validity(doc, validity_period_start, validity_period_end, period_end)
    doc.update(
        companyName=company_name,
        companyIds=list(company_ids),
        productDescription=product_description
        if product_description is not None
        else _default_description(result),
        productIds=ids,
    )
    if product_classifications is None and v3 and product.cpc:
        product_classifications = [f"{CPC_URN}{product.cpc}"]
    if product_classifications:
        doc["productClassifications"] = list(product_classifications)
    if cpc is not None:
        doc["productCategoryCpc"] = cpc
    doc["productNameCompany"] = product_name if product_name is not None else product.name
    doc["comment"] = " ".join(([comment] if comment else []) + [_provenance(result), *notes])
    doc["pcf"] = pcf
    doc["id"] = pf_id if pf_id is not None else _content_id(doc)
    validate_pact(doc, line)
    return doc


def _cut_off_description(result: FootprintResult) -> str:
    """What the footprint leaves out: the background cut-offs its supply chain reaches."""
    text = "No emissions were deliberately exempted; gaps of the inventory data are not quantified."
    if not result.cut_offs:
        return text
    parts = by_reason(result.cut_offs)
    activities = len({c.activity for c in result.cut_offs})
    return (
        f"{text} The background supply chain leaves out {len(result.cut_offs)} exchange(s) of "
        f"{activities} background activities whose burdens are not counted ({parts})."
    )


def _category_cpc(given: str | None, result: FootprintResult) -> str:
    """The UN CPC code for PACT 2.x ``productCategoryCpc``: ``given``, else the inventory's."""
    cpc = given if given is not None else result.product.cpc
    source = str(result.inventory.source or "product.cpc")
    if cpc is None or not str(cpc).strip():
        raise FootprintError(
            "PACT 2.3 export is not supported without the product's UN CPC code "
            "(productCategoryCpc is required in PACT 2.x)",
            where=source,
            fix="add product.cpc (its UN CPC Ver. 2.1 code, quoted, e.g. cpc: '37440') to the "
            "inventory, or pass --cpc CODE (product_category_cpc=... in Python)",
        )
    text = str(cpc).strip()
    if _CPC.fullmatch(text) is None:
        raise FootprintError(
            f"{text!r} is not a UN CPC code",
            where=source,
            fix="give the CPC Ver. 2.1 code of the product: 1 to 5 digits, e.g. '37440'",
        )
    return text


def _declared_basis(
    result: FootprintResult, line: str, product_mass_kg: float | None
) -> tuple[str, float, str | None]:
    """PACT unit, the declared amount in it, and a note for the comment if the unit had to change.

    PACT 2.x has no ``piece``: products declared per piece are stated per kilogram of product.
    """
    try:
        name, factor = pact_unit(result.declared_unit, line)
    except UnitError:
        if line == "3.0" or pact_unit(result.declared_unit)[0] != "piece":
            raise
        if product_mass_kg is None or product_mass_kg <= 0:
            raise FootprintError(
                f"PACT {line} has no 'piece' declared unit: the footprint of "
                f"{decimal_string(result.declared_amount)} {result.declared_unit} is stated per "
                "kilogram of product, which needs the product's mass",
                where="product.mass_per_declared_unit",
                fix="add product.mass_per_declared_unit (e.g. '22 g') to the inventory, or pass "
                "product_mass_kg=<kg of product in the declared amount>",
            ) from None
        note = (
            f"PACT {line} has no piece unit: the footprint of "
            f"{decimal_string(result.declared_amount)} {result.declared_unit} "
            f"({decimal_string(product_mass_kg)} kg) is stated per kilogram."
        )
        return "kilogram", float(product_mass_kg), note
    return name, result.declared_amount * factor, None


def _v2_characterization(report: str) -> str:
    allowed: list[str] = load_schema("2.3")["$defs"]["CarbonFootprint"]["properties"][
        "characterizationFactors"
    ]["enum"]
    if report not in allowed:
        raise FootprintError(
            f"PACT 2.3 characterizationFactors must be one of {', '.join(allowed)}, "
            f"the footprint was calculated with {report}",
            fix="calculate with --gwp ar6 (or ar5) for a PACT 2.3 export, or export PACT 3.0",
        )
    return report


def _v2_standards_used(standards: Sequence[str]) -> list[str]:
    """PACT 2.x ``crossSectoralStandardsUsed`` (deprecated, still required) for 3.0-style codes."""
    used = [_V2_STANDARDS[s] for s in dict.fromkeys(standards) if s in _V2_STANDARDS]
    if not used:
        raise FootprintError(
            "PACT 2.3 requires crossSectoralStandardsUsed, which names only ISO 14067, the GHG "
            f"Protocol Product standard and ISO 14044; got {', '.join(standards) or 'none'}",
            fix="include ISO14067, GHGP-Product or ISO14040-44 in cross_sectoral_standards",
        )
    return used


def _v2_version(version: int | None) -> int:
    value = 1 if version is None else version
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise FootprintError(
            f"PACT 2.x version must be an integer from 0 to 2147483647, got {version!r}",
            fix="pass version=1 for a first version, and add 1 for each later minor change",
        )
    return value


def _v2_from_2025(pcf: Mapping[str, Any], line: str, from_2025: bool) -> None:
    """PACT 2.3's rule on the properties marked O*: all of them from 2025, else data quality."""
    if from_2025:
        missing = [key for key in _V2_FROM_2025 if key not in pcf]
        if missing:
            raise FootprintError(
                f"PACT {line} requires {', '.join(missing)} for reference periods that include "
                "2025 or later",
                where="product.primary_data_share" if "primaryDataShare" in missing else None,
                fix="add product.primary_data_share to the inventory and pass dqi={...} "
                "(technological, geographical, temporal, completeness, reliability: 1-3; "
                "coverage_percent: 0-100)",
            )
    elif "primaryDataShare" not in pcf and "dqi" not in pcf:
        raise FootprintError(
            f"PACT {line} requires primaryDataShare or dqi",
            where="product.primary_data_share",
            fix="add product.primary_data_share (percent of primary data) to the inventory, or "
            "pass dqi={...}",
        )


def _percent(value: float, text: bool) -> str | int | float:
    """A percentage as a 3.0 decimal string, or as a 2.x JSON number without exponent."""
    if text:
        return decimal_string(value)
    rounded = round(float(value), 4)  # repr has no exponent from 1e-4 up
    return int(rounded) if rounded.is_integer() else rounded


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FootprintError(
            f"{name} {moment.isoformat()} has no time zone",
            fix=f"pass an aware datetime, e.g. datetime(2025, 1, 31, tzinfo=UTC) for {name}",
        )
    return moment


def _validity(
    doc: dict[str, Any], start: dt.datetime | None, end: dt.datetime | None, period_end: dt.datetime
) -> None:
    """Add the validity period; PACT allows it only within [reference end, reference end + 3 y]."""
    try:
        latest = period_end.replace(year=period_end.year + 3)
    except ValueError:  # 29 February
        latest = period_end.replace(year=period_end.year + 3, day=28)
    if start is not None:
        start = _aware(start, "validity_period_start")
        if start < period_end:
            raise FootprintError(
                f"validity period start {iso_moment(start)} is before the reference period end "
                f"{iso_moment(period_end)}",
                fix="start the validity period at or after the end of the reference period",
            )
        doc["validityPeriodStart"] = iso_moment(start)
    if end is not None:
        end = _aware(end, "validity_period_end")
        if end > latest or (start is not None and end <= start):
            raise FootprintError(
                f"validity period end {iso_moment(end)} must be after its start and at most 3 years "
                f"after the reference period end ({iso_moment(latest)})",
                fix="shorten the validity period",
            )
        doc["validityPeriodEnd"] = iso_moment(end)


def _not_negative(value: float, scale: float, what: str) -> float:
    """``value``, with rounding noise below zero (< 1e-9 of ``scale``) set to 0."""
    if value >= 0:
        return float(value)
    if value > -1e-9 * abs(scale):
        return 0.0
    raise FootprintError(
        f"{what} is negative ({decimal_string(value, 6)}), which PACT does not allow",
        fix="PACT reports emissions before credits: if substitution credits make it negative, "
        "use mass, economic or physical allocation for the export",
    )


def _product_mass(
    unit_name: str, amount: float, given: float | None, *, required: bool = True
) -> float | None:
    """kg of product in ``amount`` PACT units (0 where PACT deems mass irrelevant).

    None if it is unknown and not ``required`` (PACT 2.x ``productMassPerDeclaredUnit`` is optional).
    """
    if unit_name == "kilogram":
        if given is not None and not math.isclose(given, amount, rel_tol=1e-9):
            raise FootprintError(
                f"product_mass_kg {given!r} differs from the declared amount ({amount!r} kg)",
                fix="leave product_mass_kg out for products declared by mass",
            )
        return amount
    if given is not None:
        return _not_negative(given, 1.0, "product mass")
    if unit_name in MASSLESS_UNITS:
        return 0.0
    if not required:
        return None
    raise FootprintError(
        f"PACT requires the product mass per declared unit for declared unit {unit_name!r}",
        fix="pass product_mass_kg=<kg of product, without packaging, in the declared amount>",
    )


def _boundary(result: FootprintResult) -> str:
    stages = ", ".join(f"{k} {STAGE_NAMES[k]}" for k in STAGE_NAMES)
    processes = "; ".join(result.by_process)
    text = f"Cradle-to-gate ({stages}). Foreground processes: {processes}."
    background = result.background
    if background.activities:
        text += f" Background data: {background.name} {background.version}."
    return text


def _secondary_sources(background: BackgroundInfo) -> list[dict[str, str]]:
    if not background.activities:
        return []
    version = background.version or "unversioned"
    names = [s for s in background.sources if not s.startswith(PACT_SOURCE)]
    if not names and not background.sources:
        names = [background.name or "background database"]
    return [{"name": name, "version": version} for name in dict.fromkeys(names)]


def dqi_ranges(spec: str) -> dict[str, tuple[float, float]]:
    """The data quality ratings PACT ``spec`` needs, each with its (lowest, highest) value."""
    keys = _DQI_KEYS if spec_line(spec) == "3.0" else _DQI_KEYS_V2
    return {key: (low, high) for key, (_, low, high) in keys.items()}


def _dqi(
    dqi: Mapping[str, float], keys: Mapping[str, tuple[str, float, float]], *, text: bool
) -> dict[str, str | int | float]:
    """PACT ``dqi`` from ratings keyed as in ``keys`` (our key → PACT key, lowest, highest)."""
    out: dict[str, str | int | float] = {}
    for key, (pact_key, low, high) in keys.items():
        value = dqi.get(key)
        if value is None or not low <= float(value) <= high:
            raise FootprintError(
                f"data quality rating {key!r} must be between {low:g} and {high:g}, got {value!r}",
                fix="pass dqi={" + ", ".join(f"'{k}': ..." for k in keys) + "}",
            )
        out[pact_key] = _percent(float(value), text)
    return out


def _default_product_ids(product: ProductInfo) -> list[str]:
    product_id = product.id
    if isinstance(product_id, str) and product_id.lower().startswith("urn:"):
        return [product_id]
    raise FootprintError(
        f"PACT needs product ids as URNs; the inventory's product.id is {product_id!r}",
        where="product.id",
        fix="set product.id to a URN (e.g. urn:gtin:..., urn:mycompany:product:...) or pass product_ids",
    )


def _default_description(result: FootprintResult) -> str:
    category = result.product.category
    amount = decimal_string(result.declared_amount)
    text = f"{result.product.name}, {amount} {result.declared_unit}"
    return text + (f" (category {category})" if category else "")


def _provenance(result: FootprintResult) -> str:
    source = result.inventory.source
    sha = result.inventory.sha256
    text = f"Calculated with the footprint package ({result.method.name})"
    if source:
        text += f", from inventory {PurePath(source).name}"
        if sha:
            text += f" (sha256 {str(sha)[:16]})"
    text += "."
    if result.warnings:
        text += f" The calculation reported {len(result.warnings)} warning(s)."
    return text


def _content_id(doc: Mapping[str, Any]) -> str:
    """A UUID5 of the document without ``id``, ``created`` and ``status`` (same content, same id)."""
    content = {k: v for k, v in doc.items() if k not in ("id", "created", "status")}
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return str(uuid.uuid5(_NAMESPACE, text))
