"""The PACT ProductFootprint as data: the record read from a document, its units and fields.

Low in the layers (it needs only the schema, decimal text and units), so that both the exchange
(writers, the HTTPS host) and the background importer of suppliers' footprints can use it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from footprint.errors import FootprintError
from footprint.pact.decimal_text import decimal_string, parse_decimal
from footprint.pact.schema import load_schema, spec_line, validate_pact

#: kg CO2 per kg C (molar masses 44 and 12, as PACT uses them).
CO2_PER_C = 44.0 / 12.0

#: PACT ``declaredUnitOfMeasurement`` (3.0 enumeration) → the pint unit string used here.
PACT_UNITS: dict[str, str] = {
    "liter": "L",
    "kilogram": "kg",
    "cubic meter": "m3",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "tkm",
    "square meter": "m2",
    "piece": "piece",
    "hour": "h",
    "megabit second": "Mbit*s",
}
#: Declared units whose product has no relevant mass (``productMassPerDeclaredUnit`` is 0).
MASSLESS_UNITS = frozenset(
    {"kilowatt hour", "megajoule", "ton kilometer", "hour", "megabit second"}
)

#: How the ``source`` of an activity made from a PACT footprint begins.
PACT_SOURCE = "PACT footprint "
_GLOBAL = {"GLO", "GLOBAL", "WORLD"}
_COUNTRY = re.compile(r"[A-Z]{2}")
_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")


@dataclass(frozen=True)
class PactFootprint:
    """A PACT ProductFootprint as read by :func:`from_pact`.

    Emission values are kg CO2e for ``declared_amount`` ``declared_unit`` (whatever the spec
    version); ``biogenic_co2_uptake`` is kg CO2 (≤ 0), ``biogenic_carbon_content`` kg C.
    ``reference_period_end`` is exclusive, as in PACT.
    """

    id: str
    spec_version: str
    status: str
    created: dt.datetime
    company_name: str
    company_ids: tuple[str, ...]
    product_name: str
    product_description: str
    product_ids: tuple[str, ...]
    declared_unit: str  # pint unit string, e.g. "kg", "L", "piece"
    pact_unit: str  # PACT spelling, e.g. "kilogram"
    declared_amount: float
    pcf_excluding_biogenic_uptake: float
    pcf_including_biogenic_uptake: float | None
    fossil_ghg_emissions: float | None
    land_use_change_ghg_emissions: float | None
    biogenic_co2_uptake: float | None
    biogenic_carbon_content: float | None
    geography: str  # ISO 3166-1 alpha-2, ISO 3166-2, a UN region name, or "GLO"
    reference_period_start: dt.datetime
    reference_period_end: dt.datetime
    validity_period_start: dt.datetime | None = None
    validity_period_end: dt.datetime | None = None
    preceding_pf_ids: tuple[str, ...] = ()
    document: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def intensity(self) -> float:
        """kg CO2e per one ``declared_unit``, excluding biogenic CO2 uptake."""
        return self.pcf_excluding_biogenic_uptake / self.declared_amount

    @property
    def intensity_including_biogenic_uptake(self) -> float | None:
        """kg CO2e per one ``declared_unit``, including biogenic CO2 uptake (None if not given)."""
        if self.pcf_including_biogenic_uptake is None:
            return None
        return self.pcf_including_biogenic_uptake / self.declared_amount

    def to_pact(self) -> dict[str, Any]:
        """The document again, in its own spec version, with this object's values written back.

        Lossless: every property of the document read is kept, and a value this object did not
        change keeps its original text (decimal spelling, time zone notation, key order).
        """
        doc = copy.deepcopy(self.document)
        doc.update(
            id=self.id,
            status=self.status,
            companyName=self.company_name,
            companyIds=list(self.company_ids),
            productNameCompany=self.product_name,
            productDescription=self.product_description,
            productIds=list(self.product_ids),
        )
        for key, moment in (
            ("created", self.created),
            ("validityPeriodStart", self.validity_period_start),
            ("validityPeriodEnd", self.validity_period_end),
        ):
            _put_moment(doc, key, moment, f"$.{key}")
        if self.preceding_pf_ids:
            doc["precedingPfIds"] = list(self.preceding_pf_ids)
        pcf = doc.setdefault("pcf", {})
        geography = geography_field(self.geography)
        places = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
        if geography != next(((k, pcf[k]) for k in places if k in pcf), None):
            for key in places:
                pcf.pop(key, None)
            if geography is not None:
                pcf[geography[0]] = geography[1]
        for key, moment in (
            ("referencePeriodStart", self.reference_period_start),
            ("referencePeriodEnd", self.reference_period_end),
        ):
            _put_moment(pcf, key, moment, f"$.pcf.{key}")
        v3 = spec_line(self.spec_version) == "3.0"
        names = V3_FIELDS if v3 else V2_FIELDS
        pcf[names["unit"]] = self.pact_unit
        amount = names["amount"]
        if pcf.get(amount) is None or _number(pcf[amount], amount) != self.declared_amount:
            pcf[amount] = decimal_string(self.declared_amount)
        # 2.x states values per one declared unit; this object holds them for the amount.
        per = 1.0 if v3 else self.declared_amount
        for attribute, key in names.items():
            if attribute in ("unit", "amount"):
                continue
            value = getattr(self, attribute)
            if value is None:
                continue
            raw = pcf.get(key)
            if raw is None or _number(raw, f"$.pcf.{key}") * per != value:
                pcf[key] = decimal_string(value / per)
        validate_pact(doc, self.spec_version)
        return doc


def _put_moment(target: dict[str, Any], key: str, moment: dt.datetime | None, path: str) -> None:
    """Write ``moment`` at ``key`` unless the text there already means that moment."""
    if moment is None:
        return
    raw = target.get(key)
    if raw is None or _moment(raw, path) != moment:
        target[key] = iso_moment(moment)


V3_FIELDS = {
    "unit": "declaredUnitOfMeasurement",
    "amount": "declaredUnitAmount",
    "pcf_excluding_biogenic_uptake": "pcfExcludingBiogenicUptake",
    "pcf_including_biogenic_uptake": "pcfIncludingBiogenicUptake",
    "fossil_ghg_emissions": "fossilGhgEmissions",
    "land_use_change_ghg_emissions": "landUseChangeGhgEmissions",
    "biogenic_co2_uptake": "biogenicCO2Uptake",
    "biogenic_carbon_content": "biogenicCarbonContent",
}
V2_FIELDS = {
    "unit": "declaredUnit",
    "amount": "unitaryProductAmount",
    "pcf_excluding_biogenic_uptake": "pCfExcludingBiogenic",
    "pcf_including_biogenic_uptake": "pCfIncludingBiogenic",
    "fossil_ghg_emissions": "fossilGhgEmissions",
    "land_use_change_ghg_emissions": "dLucGhgEmissions",
    "biogenic_co2_uptake": "biogenicCarbonWithdrawal",
    "biogenic_carbon_content": "biogenicCarbonContent",
}


def iso_moment(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with a ``Z``: ``2024-01-01T00:00:00Z``."""
    utc = moment.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def geography_field(geography: str) -> tuple[str, str] | None:
    """The PACT geography property and value for a country, subdivision or UN region; None if global.

    Raises:
        FootprintError: not one of those.
    """
    text = geography.strip()
    if text.upper() in _GLOBAL:
        return None
    if _COUNTRY.fullmatch(text):
        return "geographyCountry", text
    if _SUBDIVISION.fullmatch(text):
        return "geographyCountrySubdivision", text
    carbon = load_schema("3.0")["$defs"]["CarbonFootprint"]["properties"]
    regions: list[str] = carbon["geographyRegionOrSubregion"]["enum"]
    if text in regions:
        return "geographyRegionOrSubregion", text
    raise FootprintError(
        f"geography {geography!r} is not an ISO 3166-1 alpha-2 country, an ISO 3166-2 "
        "subdivision, a UN region or GLO",
        where="product.geography",
        fix="use e.g. 'US', 'DE-BW', 'Western Europe' or 'GLO' (or pass geography=...)",
    )


def from_pact(doc: Mapping[str, Any], spec: str | None = None) -> PactFootprint:
    """Read a PACT ``ProductFootprint`` (3.0, or 2.x read with the 2.3 schema) after validating it.

    Args:
        doc: the parsed JSON object.
        spec: ``"3.0"`` or ``"2.3"``; default from the document's ``specVersion``.

    Raises:
        FootprintError: not a valid ProductFootprint; ``where`` is the JSON path of the first error.
    """
    if not isinstance(doc, Mapping):
        raise FootprintError(
            f"a PACT ProductFootprint is a JSON object, got {type(doc).__name__}", where="$"
        )
    line = spec_line(spec if spec is not None else str(doc.get("specVersion", "3.0")))
    document = copy.deepcopy(dict(doc))
    validate_pact(document, line)
    pcf = document["pcf"]
    names = V3_FIELDS if line == "3.0" else V2_FIELDS
    amount = parse_decimal(pcf[names["amount"]])
    # PACT 2.x states values per one declared unit; 3.0 for the declared amount.
    scale = 1.0 if line == "3.0" else amount

    def value(attribute: str) -> float | None:
        key = names[attribute]
        return None if pcf.get(key) is None else _number(pcf[key], f"$.pcf.{key}") * scale

    excluding = value("pcf_excluding_biogenic_uptake")
    assert excluding is not None  # required by both schemas
    return PactFootprint(
        id=str(document["id"]),
        spec_version=str(document["specVersion"]),
        status=str(document["status"]),
        created=_moment(document["created"], "$.created"),
        company_name=str(document["companyName"]),
        company_ids=tuple(document["companyIds"]),
        product_name=str(document["productNameCompany"]),
        product_description=str(document["productDescription"]),
        product_ids=tuple(document["productIds"]),
        declared_unit=PACT_UNITS[pcf[names["unit"]]],
        pact_unit=str(pcf[names["unit"]]),
        declared_amount=amount,
        pcf_excluding_biogenic_uptake=excluding,
        pcf_including_biogenic_uptake=value("pcf_including_biogenic_uptake"),
        fossil_ghg_emissions=value("fossil_ghg_emissions"),
        land_use_change_ghg_emissions=value("land_use_change_ghg_emissions"),
        biogenic_co2_uptake=value("biogenic_co2_uptake"),
        biogenic_carbon_content=value("biogenic_carbon_content"),
        geography=str(
            pcf.get("geographyCountry")
            or pcf.get("geographyCountrySubdivision")
            or pcf.get("geographyRegionOrSubregion")
            or "GLO"
        ),
        reference_period_start=_moment(pcf["referencePeriodStart"], "$.pcf.referencePeriodStart"),
        reference_period_end=_moment(pcf["referencePeriodEnd"], "$.pcf.referencePeriodEnd"),
        validity_period_start=_optional_moment(document, "validityPeriodStart"),
        validity_period_end=_optional_moment(document, "validityPeriodEnd"),
        preceding_pf_ids=tuple(document.get("precedingPfIds") or ()),
        document=document,
    )


def _number(raw: object, path: str) -> float:
    try:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        return parse_decimal(str(raw) if not isinstance(raw, str) else raw)
    except ValueError as exc:
        raise FootprintError(
            str(exc), where=path, fix="write the number as a decimal string"
        ) from exc


def _moment(raw: object, path: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise FootprintError(
            f"{raw!r} is not an RFC 3339 date-time",
            where=path,
            fix="write e.g. 2024-01-01T00:00:00Z",
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _optional_moment(document: Mapping[str, Any], key: str) -> dt.datetime | None:
    raw = document.get(key)
    return None if raw is None else _moment(raw, f"$.{key}")
