"""PACT ProductFootprint JSON from a :class:`PactRecord`: one writer for 3.0, one for 2.3.

The writers read nothing but the record; each checks its document against the bundled schema.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from footprint.errors import FootprintError
from footprint.exchange.pact_record import PactRecord, Verification
from footprint.pact.decimal_text import decimal_string
from footprint.pact.model import V2_FIELDS, V3_FIELDS, geography_field, iso_moment
from footprint.pact.schema import SCHEMAS, load_schema, validate_pact

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:footprint:pact:product-footprint")
#: PACT 3.0 ``DataQualityIndicators``: our key → (PACT key, lowest, highest).
DQI_KEYS_V3 = {
    "technological": ("technologicalDQR", 1.0, 5.0),
    "geographical": ("geographicalDQR", 1.0, 5.0),
    "temporal": ("temporalDQR", 1.0, 5.0),
}
#: PACT 2.x ``DataQualityIndicators``: every property, ratings 1-3, coverage in percent.
DQI_KEYS_V2 = {
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
#: PACT 3.0 verification coverage → the 2.x assurance coverage that means the same.
_V2_COVERAGE = {"product level": "product level", "PCF program": "PCF system"}
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

Percent = Callable[[float], "str | int | float"]


def write_v3(record: PactRecord) -> dict[str, Any]:
    """The PACT 3.0 ProductFootprint of ``record``, validated against the bundled schema.

    ``biogenicNonCO2Emissions`` (biogenic CH4, N2O, ... in kg CO2e; 0 when there are none) is
    written when the result tells biogenic emissions apart by gas, and left out when it cannot
    (pre-aggregated CO2e among them). The inventory model has no land-management origin, so the
    ``landManagement...`` properties are never written.

    Raises:
        FootprintError: a data quality rating out of 1-5, or an invalid document.
    """
    pcf = _emissions(record, V3_FIELDS)
    if record.biogenic_non_co2 is not None:
        pcf["biogenicNonCO2Emissions"] = record.kg(record.biogenic_non_co2)
    pcf["packagingEmissionsIncluded"] = record.packaging_included
    if record.packaging_included and record.packaging is not None:
        pcf["packagingGhgEmissions"] = record.kg(record.packaging)
    pcf["ccsTechnologicalCO2CaptureIncluded"] = False
    pcf["ipccCharacterizationFactors"] = [record.gwp_report]
    _quality(pcf, record, decimal_string, DQI_KEYS_V3)
    if record.verification is not None:
        pcf["verification"] = _verification(record.verification)
    doc = _header(record)
    doc.update(_product(record))
    return _finish(doc, record, pcf, list(record.notes))


def write_v2(record: PactRecord) -> dict[str, Any]:
    """The PACT 2.3 ProductFootprint of ``record``, validated against the bundled schema.

    Values are per one ``declaredUnit``. The inventory model has no land-management origin, so
    ``landManagementGhgEmissions`` is written (as 0, with a note in ``comment``) only where 2.3
    requires it: reference periods reaching into 2025 or later, which also need
    ``primaryDataShare`` and ``dqi``; earlier ones need one of them.

    Raises:
        FootprintError: a fact 2.3 requires is missing, a value it cannot state, or an invalid
            document.
    """
    notes = list(record.notes)
    from_2025 = record.period_end > _PACT_2025  # the period includes 2025-01-01 or later
    pcf = _emissions(record, V2_FIELDS)
    if from_2025:
        pcf["landManagementGhgEmissions"] = "0"
        notes.append(
            "The inventory model has no land-management origin: landManagementGhgEmissions "
            "is 0 and biogenic emissions are in otherBiogenicGhgEmissions."
        )
    pcf["otherBiogenicGhgEmissions"] = record.kg(record.biogenic_emissions)
    if "ISO14067" in record.standards:
        pcf["biogenicAccountingMethodology"] = "ISO"
    pcf["packagingEmissionsIncluded"] = record.packaging_included
    if record.packaging_included and record.packaging is not None:
        pcf["packagingGhgEmissions"] = record.kg(record.packaging)
    pcf["characterizationFactors"] = _v2_characterization(record.gwp_report)
    pcf["ipccCharacterizationFactorsSources"] = [record.gwp_report]
    pcf["crossSectoralStandardsUsed"] = _v2_standards_used(record.standards)
    _quality(pcf, record, _number, DQI_KEYS_V2)
    _v2_from_2025(pcf, record.line, from_2025)
    if record.verification is not None:
        pcf["assurance"] = _v2_assurance(record.verification)
    doc = _header(record)
    doc["version"] = _v2_version(record.version)
    doc.update(_product(record))
    if record.cpc is not None:
        doc["productCategoryCpc"] = record.cpc
    return _finish(doc, record, pcf, notes)


# ---------------------------------------------------------------------------------------------
# Parts both versions share (in the order the documents list them)


def _header(record: PactRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": "", "specVersion": SCHEMAS[record.line][1]}
    if record.preceding_pf_ids:
        doc["precedingPfIds"] = list(record.preceding_pf_ids)
    return doc


def _product(record: PactRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"created": iso_moment(record.created), "status": record.status}
    if record.validity_start is not None:
        doc["validityPeriodStart"] = iso_moment(record.validity_start)
    if record.validity_end is not None:
        doc["validityPeriodEnd"] = iso_moment(record.validity_end)
    doc.update(
        companyName=record.company_name,
        companyIds=list(record.company_ids),
        productDescription=record.product_description,
        productIds=list(record.product_ids),
    )
    if record.classifications:
        doc["productClassifications"] = list(record.classifications)
    return doc


def _emissions(record: PactRecord, names: Mapping[str, str]) -> dict[str, Any]:
    """``pcf`` from the declared unit to the land-use change emissions."""
    pcf: dict[str, Any] = {
        names["unit"]: record.unit,
        names["amount"]: decimal_string(record.stated_amount),
    }
    if record.mass is not None:
        pcf["productMassPerDeclaredUnit"] = record.kg(record.mass)
    pcf["referencePeriodStart"] = iso_moment(record.period_start)
    pcf["referencePeriodEnd"] = iso_moment(record.period_end)
    place = geography_field(record.geography)
    if place is not None:
        pcf[place[0]] = place[1]
    pcf["boundaryProcessesDescription"] = record.boundary
    pcf[names["pcf_excluding_biogenic_uptake"]] = record.kg(record.excluding)
    pcf[names["pcf_including_biogenic_uptake"]] = record.kg(record.including)
    pcf["fossilCarbonContent"] = record.kg(record.fossil_carbon)
    if record.biogenic_carbon is not None and record.biogenic_co2_uptake is not None:
        pcf[names["biogenic_carbon_content"]] = record.kg(record.biogenic_carbon)
        pcf[names["biogenic_co2_uptake"]] = record.kg(record.biogenic_co2_uptake)
    pcf["fossilGhgEmissions"] = record.kg(record.fossil)
    pcf[names["land_use_change_ghg_emissions"]] = record.kg(record.land_use_change)
    return pcf


def _quality(
    pcf: dict[str, Any],
    record: PactRecord,
    percent: Percent,
    dqi_keys: Mapping[str, tuple[str, float, float]],
) -> None:
    """``pcf`` from ``crossSectoralStandards`` to ``dqi``."""
    pcf["crossSectoralStandards"] = list(record.standards)
    if record.rules:
        pcf["productOrSectorSpecificRules"] = [dict(r) for r in record.rules]
    pcf["exemptedEmissionsPercent"] = percent(record.exempted_percent)
    pcf["exemptedEmissionsDescription"] = record.exempted_description
    if record.allocation:
        pcf["allocationRulesDescription"] = record.allocation
    if record.secondary_sources:
        pcf["secondaryEmissionFactorSources"] = [
            {"name": name, "version": version} for name, version in record.secondary_sources
        ]
    if record.primary_data_share is not None:
        pcf["primaryDataShare"] = percent(record.primary_data_share)
    if record.dqi is not None:
        pcf["dqi"] = _dqi(record.dqi, dqi_keys, percent)


def _finish(
    doc: dict[str, Any], record: PactRecord, pcf: dict[str, Any], notes: Sequence[str]
) -> dict[str, Any]:
    doc["productNameCompany"] = record.product_name
    doc["comment"] = " ".join([record.comment, *notes])
    doc["pcf"] = pcf
    doc["id"] = record.pf_id if record.pf_id is not None else _content_id(doc)
    validate_pact(doc, record.line)
    return doc


def _number(value: float) -> int | float:
    """A 2.x JSON number without exponent (4 decimals)."""
    rounded = round(float(value), 4)  # repr has no exponent from 1e-4 up
    return int(rounded) if rounded.is_integer() else rounded


def _dqi(
    dqi: Mapping[str, float], keys: Mapping[str, tuple[str, float, float]], percent: Percent
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
        out[pact_key] = percent(float(value))
    return out


def _verification(verification: Verification) -> dict[str, str]:
    """PACT 3.0 ``verification``."""
    out = {
        "coverage": verification.coverage,
        "providerName": verification.provider_name,
        "completedAt": None
        if verification.completed_at is None
        else iso_moment(verification.completed_at),
        "standardName": verification.standard_name,
        "comments": verification.comments,
    }
    return {key: value for key, value in out.items() if value is not None}


def _v2_assurance(verification: Verification) -> dict[str, Any]:
    """PACT 2.x ``assurance``; a 3.0 coverage 2.x has no word for (``PCF calculation model``)
    is left out.

    Raises:
        FootprintError: no provider name (2.x requires it).
    """
    if not verification.provider_name:
        raise FootprintError(
            "PACT 2.3 assurance requires the name of the verification provider",
            fix="pass --verified-by NAME (Verification(provider_name=...) in Python)",
        )
    out: dict[str, Any] = {"assurance": True, "providerName": verification.provider_name}
    coverage = _V2_COVERAGE.get(verification.coverage or "")
    if coverage is not None:
        out["coverage"] = coverage
    v3 = _verification(verification)
    out.update({k: v3[k] for k in ("completedAt", "standardName", "comments") if k in v3})
    return out


def _content_id(doc: Mapping[str, Any]) -> str:
    """A UUID5 of the document without ``id``, ``created`` and ``status`` (same content, same id)."""
    content = {k: v for k, v in doc.items() if k not in ("id", "created", "status")}
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return str(uuid.uuid5(_NAMESPACE, text))


# ---------------------------------------------------------------------------------------------
# PACT 2.x rules


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
