"""The facts of one PACT ProductFootprint, gathered once from a :class:`FootprintResult`.

:func:`pact_record` is the only place that reads the result for a PACT export; the 3.0 and 2.3
writers (:mod:`footprint.exchange.pact_writers`) only turn a :class:`PactRecord` into JSON.
Emission values of the record are kg CO2e (carbon contents kg C, mass kg) for
``declared`` PACT units; :meth:`PactRecord.kg` states them the way the target spec wants.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from footprint.engine.cutoffs import by_reason
from footprint.engine.result import CutOff, FootprintResult
from footprint.errors import FootprintError, UnitError
from footprint.inventory.model import STAGE_NAMES
from footprint.pact.decimal_text import decimal_string
from footprint.pact.model import CO2_PER_C, MASSLESS_UNITS, PACT_SOURCE, PACT_UNITS, iso_moment
from footprint.pact.schema import load_schema, spec_line
from footprint.units import parse_unit, registry

DEFAULT_STANDARDS = ("ISO14067", "GHGP-Product")
#: PACT 3.0 product classification URN of a UN CPC code (the code follows).
CPC_URN = "urn:pact:productclassification:un-cpc:"
_GWP_REPORTS = {"ar6": "AR6", "ar5": "AR5", "ar4": "AR4"}


@dataclass(frozen=True)
class Verification:
    """Third-party verification of the footprint (PACT 3.0 ``verification``, 2.x ``assurance``).

    ``coverage`` is a PACT 3.0 coverage (``PCF calculation model``, ``PCF program`` or
    ``product level``).
    """

    provider_name: str | None = None
    coverage: str | None = None
    completed_at: dt.datetime | None = None
    standard_name: str | None = None
    comments: str | None = None


@dataclass(frozen=True)
class PactOptions:
    """What the exporter adds to a result: the data owner, ids, times and declarations.

    Units as in :func:`footprint.exchange.pact.to_pact`, whose arguments these are.
    """

    company_name: str
    company_ids: tuple[str, ...]
    product_ids: tuple[str, ...] | None = None
    product_description: str | None = None
    product_name: str | None = None
    product_classifications: tuple[str, ...] | None = None
    product_category_cpc: str | None = None
    version: int | None = None
    pf_id: str | None = None
    created: dt.datetime | None = None
    status: str = "Active"
    preceding_pf_ids: tuple[str, ...] = ()
    validity_period_start: dt.datetime | None = None
    validity_period_end: dt.datetime | None = None
    geography: str | None = None
    product_mass_kg: float | None = None
    fossil_carbon_content_kg: float | None = None
    per_unit: bool = False
    cross_sectoral_standards: tuple[str, ...] = DEFAULT_STANDARDS
    product_or_sector_specific_rules: tuple[Mapping[str, Any], ...] = ()
    exempted_emissions_percent: float = 0.0
    exempted_emissions_description: str | None = None
    packaging_emissions_included: bool = False
    packaging_emissions_kg: float | None = None
    dqi: Mapping[str, float] | None = None
    verification: Verification | None = None
    comment: str | None = None


@dataclass(frozen=True)
class PactRecord:
    """Every fact of one PACT ProductFootprint, independent of how a spec version spells it.

    ``excluding``, ``including``, ``fossil``, ``land_use_change``, ``biogenic_emissions``,
    ``biogenic_non_co2`` (biogenic emissions of gases other than CO2; None when the result
    cannot tell), ``biogenic_co2_uptake`` (≤ 0) and ``packaging`` are kg CO2e; ``fossil_carbon`` and
    ``biogenic_carbon`` kg C; ``mass`` kg — all for ``declared`` units ``unit``.
    ``stated_amount`` is the ``declaredUnitAmount`` (3.0) / ``unitaryProductAmount`` (2.x).
    Times are aware; ``period_end`` is exclusive.
    """

    line: str
    unit: str
    declared: float
    stated_amount: float
    period_start: dt.datetime
    period_end: dt.datetime
    created: dt.datetime
    excluding: float
    including: float
    fossil: float
    land_use_change: float
    biogenic_emissions: float
    fossil_carbon: float
    biogenic_carbon: float | None
    biogenic_co2_uptake: float | None
    mass: float | None
    gwp_report: str
    company_name: str
    company_ids: tuple[str, ...]
    product_ids: tuple[str, ...]
    product_name: str
    product_description: str
    classifications: tuple[str, ...]
    cpc: str | None
    geography: str
    boundary: str
    standards: tuple[str, ...]
    rules: tuple[Mapping[str, Any], ...]
    exempted_percent: float
    exempted_description: str
    allocation: str | None
    secondary_sources: tuple[tuple[str, str], ...]
    primary_data_share: float | None
    dqi: Mapping[str, float] | None
    verification: Verification | None
    packaging_included: bool
    packaging: float | None
    comment: str
    notes: tuple[str, ...] = ()
    biogenic_non_co2: float | None = None
    status: str = "Active"
    version: int | None = None
    pf_id: str | None = None
    preceding_pf_ids: tuple[str, ...] = ()
    validity_start: dt.datetime | None = None
    validity_end: dt.datetime | None = None

    def kg(self, value: float) -> str:
        """``value`` (for ``declared`` units) as the spec states it: 3.0 for ``stated_amount``
        units, 2.x per one unit; a decimal string."""
        scale = (self.stated_amount if self.line == "3.0" else 1.0) / self.declared
        return decimal_string(value * scale)


def pact_record(result: FootprintResult, options: PactOptions, spec: str = "3.0") -> PactRecord:
    """The facts of the PACT ``spec`` footprint of ``result`` (the one place reading the result).

    Raises:
        FootprintError: a required fact is missing (reference period, fossil carbon content,
            product mass, URN product id; for 2.3 also the CPC code and biogenic carbon
            content), a unit PACT cannot express, negative emissions, or bad times.
    """
    line = spec_line(spec)
    v3 = line == "3.0"
    if v3 and options.version is not None:
        raise FootprintError(
            "PACT 3.0 has no 'version' property", fix="leave version out, or export spec='2.3'"
        )
    # the result's records as their JSON data (the contract of ``calc --format json``)
    product = result.product.to_dict()
    inventory = result.inventory.to_dict()
    method = result.method.to_dict()
    source = str(inventory.get("source") or "")
    sha = inventory.get("sha256")
    background = result.background.to_dict()
    declared_unit, declared_amount = result.declared_unit, float(result.declared_amount)

    cpc = None if v3 else _category_cpc(options.product_category_cpc, product.get("cpc"), source)
    unit, declared, unit_note = _declared_basis(
        declared_unit, declared_amount, line, options.product_mass_kg
    )
    period_start, period_end = _reference_period(product.get("reference_period"))
    scale_total = max(abs(result.total), abs(result.total_excluding_biogenic_removals), 1e-300)
    fossil = _not_negative(result.fossil, scale_total, "fossil emissions")
    land_use_change = _not_negative(result.land_use_change, scale_total, "land-use change")
    biogenic = result.biogenic_emissions
    if not v3:
        biogenic = _not_negative(biogenic, scale_total, "biogenic emissions")
    # PACT 3.0's own description of pcfExcludingBiogenicUptake includes "all biogenic emissions
    # (biogenic CH4, biogenic CO2)"; the sum of parts in the same OpenAPI file (x-comment) lists
    # no biogenic CO2 term. The description is followed: biogenic CO2 emissions are counted.
    excluding = fossil + land_use_change + result.biogenic_emissions
    notes = [unit_note] if unit_note else []
    per_unit_carbon = product.get("biogenic_carbon_content_kg")  # kg C per declared unit
    carbon = None if per_unit_carbon is None else float(per_unit_carbon) * declared_amount
    uptake = _uptake(carbon, result.biogenic_removals, scale_total, line, notes)
    non_co2 = _biogenic_non_co2(result.biogenic_non_co2_emissions, scale_total, notes)
    if options.fossil_carbon_content_kg is None:
        raise FootprintError(
            "PACT requires the fossil carbon content of the product (fossilCarbonContent)",
            fix="pass fossil_carbon_content_kg=<kg of fossil carbon in the declared amount> "
            "(0 for products without fossil-derived carbon, e.g. cement or glass)",
        )
    if options.packaging_emissions_kg is not None and not options.packaging_emissions_included:
        raise FootprintError(
            "packaging emissions given but packaging_emissions_included is False",
            fix="pass packaging_emissions_included=True, or leave packaging_emissions_kg out",
        )
    gwp = str(method.get("gwp", "ar6"))
    classifications = options.product_classifications
    if classifications is None:
        classifications = (f"{CPC_URN}{product['cpc']}",) if v3 and product.get("cpc") else ()
    validity_start, validity_end = _validity(
        options.validity_period_start, options.validity_period_end, period_end
    )
    share = product.get("primary_data_share")
    return PactRecord(
        line=line,
        unit=unit,
        declared=declared,
        stated_amount=1.0 if options.per_unit else declared,
        period_start=period_start,
        period_end=period_end,
        created=_aware(options.created, "created")
        if options.created is not None
        else dt.datetime.now(dt.UTC).replace(microsecond=0),
        excluding=excluding,
        including=excluding + (uptake or 0.0),
        fossil=fossil,
        land_use_change=land_use_change,
        biogenic_emissions=biogenic,
        fossil_carbon=_not_negative(options.fossil_carbon_content_kg, 1.0, "fossil carbon"),
        biogenic_carbon=carbon,
        biogenic_co2_uptake=uptake,
        mass=_product_mass(unit, declared, options.product_mass_kg, required=v3),
        gwp_report=_GWP_REPORTS.get(gwp, gwp.upper()),
        company_name=options.company_name,
        company_ids=tuple(options.company_ids),
        product_ids=options.product_ids
        if options.product_ids is not None
        else _default_product_ids(product.get("id")),
        product_name=options.product_name
        if options.product_name is not None
        else str(product["name"]),
        product_description=options.product_description
        if options.product_description is not None
        else _default_description(product, declared_amount, declared_unit),
        classifications=tuple(classifications),
        cpc=cpc,
        geography=options.geography if options.geography is not None else str(product["geography"]),
        boundary=_boundary(list(result.by_process), background),
        standards=tuple(dict.fromkeys(options.cross_sectoral_standards)),
        rules=tuple(dict(r) for r in options.product_or_sector_specific_rules),
        exempted_percent=options.exempted_emissions_percent,
        exempted_description=options.exempted_emissions_description
        if options.exempted_emissions_description is not None
        else _cut_off_description(result.cut_offs),
        allocation="; ".join(f"{p}: {rule}" for p, rule in result.allocation.items()) or None,
        secondary_sources=_secondary_sources(background),
        primary_data_share=None if share is None else float(share),
        dqi=options.dqi,
        verification=options.verification,
        packaging_included=options.packaging_emissions_included,
        packaging=options.packaging_emissions_kg,
        comment=" ".join(
            ([options.comment] if options.comment else [])
            + [_provenance(str(method.get("name", "GWP100")), source, sha, result.warnings)]
        ),
        notes=tuple(notes),
        biogenic_non_co2=non_co2,
        status=options.status,
        version=options.version,
        pf_id=options.pf_id,
        preceding_pf_ids=tuple(options.preceding_pf_ids),
        validity_start=validity_start,
        validity_end=validity_end,
    )


# ---------------------------------------------------------------------------------------------
# Units


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


def _declared_basis(
    declared_unit: str, declared_amount: float, line: str, product_mass_kg: float | None
) -> tuple[str, float, str | None]:
    """PACT unit, the declared amount in it, and a note for the comment if the unit had to change.

    PACT 2.x has no ``piece``: products declared per piece are stated per kilogram of product.
    """
    try:
        name, factor = pact_unit(declared_unit, line)
    except UnitError:
        if line == "3.0" or pact_unit(declared_unit)[0] != "piece":
            raise
        if product_mass_kg is None or product_mass_kg <= 0:
            raise FootprintError(
                f"PACT {line} has no 'piece' declared unit: the footprint of "
                f"{decimal_string(declared_amount)} {declared_unit} is stated per "
                "kilogram of product, which needs the product's mass",
                where="product.mass_per_declared_unit",
                fix="add product.mass_per_declared_unit (e.g. '22 g') to the inventory, or pass "
                "product_mass_kg=<kg of product in the declared amount>",
            ) from None
        note = (
            f"PACT {line} has no piece unit: the footprint of "
            f"{decimal_string(declared_amount)} {declared_unit} "
            f"({decimal_string(product_mass_kg)} kg) is stated per kilogram."
        )
        return "kilogram", float(product_mass_kg), note
    return name, declared_amount * factor, None


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


# ---------------------------------------------------------------------------------------------
# Emissions and carbon


def _uptake(
    carbon: float | None, modelled: float, scale_total: float, line: str, notes: list[str]
) -> float | None:
    """The biogenic CO2 uptake (kg CO2, ≤ 0) from the biogenic carbon content, None if unknown.

    Raises:
        FootprintError: removals are modelled but the carbon content is not declared, or 2.x
            (which requires it) and no carbon content.
    """
    if carbon is not None:
        uptake = -carbon * CO2_PER_C
        tolerance = max(0.01 * max(abs(uptake), abs(modelled)), 1e-6 * scale_total)
        if abs(modelled - uptake) > tolerance:
            notes.append(
                f"Biogenic CO2 uptake {decimal_string(uptake, 6)} kg CO2 is the declared biogenic "
                f"carbon content ({decimal_string(carbon, 6)} kg C) x 44/12; the inventory "
                f"models {decimal_string(modelled, 6)} kg CO2e of biogenic removals."
            )
        return uptake
    if modelled < -1e-9 * scale_total:
        raise FootprintError(
            f"the inventory models {decimal_string(modelled, 6)} kg CO2e of "
            "biogenic CO2 removals but the product's biogenic carbon content is not declared",
            where="product.biogenic_carbon_content",
            fix="declare product.biogenic_carbon_content (kg C in the declared amount); PACT "
            "derives the biogenic CO2 uptake from it",
        )
    if line != "3.0":
        raise FootprintError(
            f"PACT {line} requires the biogenic carbon content of the product (biogenicCarbonContent)",
            where="product.biogenic_carbon_content",
            fix="declare product.biogenic_carbon_content (kg C in the declared amount; '0 kg' "
            "for products without biogenic carbon)",
        )
    return None


def _biogenic_non_co2(value: float | None, scale: float, notes: list[str]) -> float | None:
    """The biogenic non-CO2 emissions to report (kg CO2e, ≥ 0), None when not known.

    Unknown when part of the biogenic emissions is pre-aggregated CO2e of unknown gases (a
    supplier's footprint, an emission given as CO2e). Below zero beyond rounding noise (a
    biogenic methane removal) PACT cannot state it: left out, with a note.
    """
    if value is None or value >= 0:
        return value
    if value > -1e-9 * abs(scale):
        return 0.0
    notes.append(
        f"biogenicNonCO2Emissions is left out: the inventory's biogenic non-CO2 emissions "
        f"add up to {decimal_string(value, 6)} kg CO2e, below zero."
    )
    return None


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


# ---------------------------------------------------------------------------------------------
# Product, times and descriptions


def _category_cpc(given: str | None, inventory_cpc: object, source: str) -> str:
    """The UN CPC code for PACT 2.x ``productCategoryCpc``: ``given``, else the inventory's."""
    cpc = given if given is not None else inventory_cpc
    where = source or "product.cpc"
    if cpc is None or not str(cpc).strip():
        raise FootprintError(
            "PACT 2.3 export is not supported without the product's UN CPC code "
            "(productCategoryCpc is required in PACT 2.x)",
            where=where,
            fix="add product.cpc (its UN CPC Ver. 2.1 code, quoted, e.g. cpc: '37440') to the "
            "inventory, or pass --cpc CODE (product_category_cpc=... in Python)",
        )
    text = str(cpc).strip()
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 5):  # CPC 2.1: 1-5 digits
        raise FootprintError(
            f"{text!r} is not a UN CPC code",
            where=where,
            fix="give the CPC Ver. 2.1 code of the product: 1 to 5 digits, e.g. '37440'",
        )
    return text


def _reference_period(reference: Mapping[str, Any] | None) -> tuple[dt.datetime, dt.datetime]:
    """Start and exclusive end (midnight UTC) of the inventory's reference period."""
    if not reference:
        raise FootprintError(
            "PACT requires the reference period of the data (referencePeriodStart/End)",
            where="product.reference_period",
            fix="add 'reference_period: {start: YYYY-MM-DD, end: YYYY-MM-DD}' to the inventory's product",
        )
    start = _midnight(dt.date.fromisoformat(str(reference["start"])))
    # Our end date is the last day covered; PACT's referencePeriodEnd is exclusive.
    end = _midnight(dt.date.fromisoformat(str(reference["end"])) + dt.timedelta(days=1))
    return start, end


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
    start: dt.datetime | None, end: dt.datetime | None, period_end: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The validity period; PACT allows it only within [reference end, reference end + 3 y]."""
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
    if end is not None:
        end = _aware(end, "validity_period_end")
        if end > latest or (start is not None and end <= start):
            raise FootprintError(
                f"validity period end {iso_moment(end)} must be after its start and at most 3 years "
                f"after the reference period end ({iso_moment(latest)})",
                fix="shorten the validity period",
            )
    return start, end


def _default_product_ids(product_id: object) -> tuple[str, ...]:
    if isinstance(product_id, str) and product_id.lower().startswith("urn:"):
        return (product_id,)
    raise FootprintError(
        f"PACT needs product ids as URNs; the inventory's product.id is {product_id!r}",
        where="product.id",
        fix="set product.id to a URN (e.g. urn:gtin:..., urn:mycompany:product:...) or pass product_ids",
    )


def _default_description(product: Mapping[str, Any], amount: float, unit: str) -> str:
    category = product.get("category")
    text = f"{product['name']}, {decimal_string(amount)} {unit}"
    return text + (f" (category {category})" if category else "")


def _boundary(processes: Sequence[str], background: Mapping[str, Any]) -> str:
    stages = ", ".join(f"{k} {STAGE_NAMES[k]}" for k in STAGE_NAMES)
    text = f"Cradle-to-gate ({stages}). Foreground processes: {'; '.join(processes)}."
    if background.get("activities"):
        text += f" Background data: {background.get('name')} {background.get('version')}."
    return text


def _cut_off_description(cut_offs: Sequence[CutOff]) -> str:
    """What the footprint leaves out: the background cut-offs its supply chain reaches."""
    text = "No emissions were deliberately exempted; gaps of the inventory data are not quantified."
    if not cut_offs:
        return text
    activities = len({c.activity for c in cut_offs})
    return (
        f"{text} The background supply chain leaves out {len(cut_offs)} exchange(s) of "
        f"{activities} background activities whose burdens are not counted ({by_reason(list(cut_offs))})."
    )


def _secondary_sources(background: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(name, version) of the secondary data sources: the background's, not suppliers' PACT ones."""
    if not background.get("activities"):
        return ()
    version = str(background.get("version") or "unversioned")
    names = [str(s) for s in background.get("sources", []) if not str(s).startswith(PACT_SOURCE)]
    if not names and not background.get("sources"):
        names = [str(background.get("name") or "background database")]
    return tuple((name, version) for name in dict.fromkeys(names))


def _provenance(method: str, source: str, sha: object, warnings: Sequence[str]) -> str:
    text = f"Calculated with the footprint package ({method})"
    if source:
        text += f", from inventory {PurePath(source).name}"
        if sha:
            text += f" (sha256 {str(sha)[:16]})"
    text += "."
    if warnings:
        text += f" The calculation reported {len(warnings)} warning(s)."
    return text
