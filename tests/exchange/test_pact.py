"""PACT export and import: the unit-scaling example, schema validity, round trips, backgrounds."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from footprint.background.importers.pact import pact_as_background
from footprint.engine.calculate import calculate
from footprint.errors import FootprintError, UnitError
from footprint.exchange.pact import pact_unit, to_pact
from footprint.pact.decimal_text import decimal_string, parse_decimal
from footprint.pact.model import CO2_PER_C, PactFootprint, from_pact
from footprint.pact.schema import load_schema, schema_errors, validate_pact
from footprint.paths import examples_dir
from tests.conftest import write
from tests.helpers import one_process_inventory

FIXTURES = Path(__file__).parent / "fixtures"
PACT_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")  # the spec's Decimal pattern
OWNER: dict[str, Any] = {
    "company_name": "Example Co",
    "company_ids": ["urn:example:company:example-co"],
    "fossil_carbon_content_kg": 0.0,
}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def inventory(
    tmp_path: Path,
    unit: str = "L",
    amount: float = 12,
    emissions: str = "[{gas: CO2, amount: 1.5 kg}]",
    extra: str = "",
) -> Path:
    """A one-process foreground inventory: per 1 ``unit`` of output, the given emissions."""
    return one_process_inventory(
        tmp_path, unit=unit, amount=amount, emissions=emissions, extra=extra
    )


# --- decimal strings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.23e-05, "0.0000123"),
        (18.0, "18"),
        (-0.0, "0"),
        (0.0, "0"),
        (-14.22, "-14.22"),
        (1.5e20, "150000000000000000000"),
        (0.1 + 0.2, "0.3"),
        (2 / 3, "0.666666666667"),
    ],
)
def test_decimal_string(value: float, text: str) -> None:
    assert decimal_string(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_decimal_strings_never_have_an_exponent(value: float) -> None:
    text = decimal_string(value)
    assert PACT_DECIMAL.match(text), text
    assert "e" not in text.lower()
    assert parse_decimal(text) == pytest.approx(value, rel=1e-11, abs=0)


@pytest.mark.parametrize(
    "text", ["1e3", "1.2E-5", " 1", "1 ", ".5", "5.", "NaN", "inf", "", "0x10", "1,5"]
)
def test_parse_decimal_refuses_exponents_and_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="decimal string"):
        parse_decimal(text)


def test_decimal_string_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="no decimal"):
        decimal_string(float("nan"))


# --- export ----------------------------------------------------------------------------------


def test_worked_example_12_litres_at_1_5_is_18(tmp_path: Path) -> None:
    """PACT v3 unit scaling: 1 L declared unit, 1.5 kg CO2e/L, declaredUnitAmount 12 → 18."""
    result = calculate(inventory(tmp_path), background="default")
    doc = to_pact(result, product_mass_kg=9.6, **OWNER)
    pcf = doc["pcf"]
    assert pcf["declaredUnitOfMeasurement"] == "liter"
    assert pcf["declaredUnitAmount"] == "12"
    assert pcf["pcfExcludingBiogenicUptake"] == "18"
    assert pcf["pcfIncludingBiogenicUptake"] == "18"
    assert pcf["fossilGhgEmissions"] == "18"
    assert pcf["productMassPerDeclaredUnit"] == "9.6"
    fp = from_pact(doc)
    assert fp.pcf_excluding_biogenic_uptake == pytest.approx(18)
    assert fp.intensity == pytest.approx(1.5)
    assert "secondaryEmissionFactorSources" not in pcf  # foreground only: no secondary data


def test_the_12_litre_fixture_reads_as_18_for_12_litres() -> None:
    fp = from_pact(fixture("pact-v3-bottle-12l.json"))
    assert (fp.declared_unit, fp.pact_unit, fp.declared_amount) == ("L", "liter", 12.0)
    assert fp.pcf_excluding_biogenic_uptake == pytest.approx(18.0)
    assert fp.intensity == pytest.approx(1.5)
    assert fp.geography == "Western Europe"
    assert fp.created == dt.datetime(2025, 2, 15, 7, 30, tzinfo=dt.UTC)


def test_pact_2x_values_are_per_declared_unit() -> None:
    fp = from_pact(fixture("pact-v2-solvent.json"))
    assert fp.spec_version == "2.3.0"
    assert fp.declared_amount == 12.0
    assert fp.pcf_excluding_biogenic_uptake == pytest.approx(18.0)  # 1.5 per liter x 12
    assert fp.intensity == pytest.approx(1.5)


# Test-only values for the facts PACT requires and the inventories do not state.
EXAMPLE_FACTS: dict[str, dict[str, float]] = {
    "pet-bottle.yaml": {"product_mass_kg": 0.022, "fossil_carbon_content_kg": 0.022 * 120 / 192},
    "concrete-4000psi.yaml": {"product_mass_kg": 2400.0},
}


@pytest.mark.parametrize("path", sorted(examples_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_export_of_each_shipped_example_validates(path: Path) -> None:
    result = calculate(path)
    facts = {**OWNER, **EXAMPLE_FACTS.get(path.name, {})}
    doc = to_pact(result, **facts)
    assert schema_errors(doc) == []
    pcf = doc["pcf"]
    for key in ("pcfExcludingBiogenicUptake", "fossilGhgEmissions", "declaredUnitAmount"):
        assert PACT_DECIMAL.match(pcf[key])
    assert parse_decimal(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(
        result.total_excluding_biogenic_removals, rel=1e-11
    )
    assert pcf["referencePeriodStart"].endswith("T00:00:00Z")
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert pcf["geographyCountry"] == result.product.geography
    assert pcf["secondaryEmissionFactorSources"]
    again = to_pact(result, **facts)
    assert again["id"] == doc["id"]  # the id is content-based
    assert {k: v for k, v in again.items() if k != "created"} == {
        k: v for k, v in doc.items() if k != "created"
    }


def test_tonne_declared_unit_becomes_1000_kilogram(tmp_path: Path) -> None:
    path = inventory(tmp_path, unit="t", amount=1, emissions="[{gas: CO2, amount: 500 kg}]")
    result = calculate(path)
    doc = to_pact(result, **OWNER)
    pcf = doc["pcf"]
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("kilogram", "1000")
    assert pcf["pcfExcludingBiogenicUptake"] == "500"  # still for the whole declared tonne
    assert pcf["productMassPerDeclaredUnit"] == "1000"
    fp = from_pact(doc)
    assert (fp.declared_unit, fp.declared_amount) == ("kg", 1000.0)
    assert fp.intensity == pytest.approx(0.5)
    per_kg = to_pact(result, per_unit=True, **OWNER)["pcf"]
    assert (per_kg["declaredUnitAmount"], per_kg["pcfExcludingBiogenicUptake"]) == ("1", "0.5")
    assert per_kg["productMassPerDeclaredUnit"] == "1"
    assert from_pact(to_pact(result, per_unit=True, **OWNER)).intensity == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("t", ("kilogram", 1000.0)),
        ("g", ("kilogram", 0.001)),
        ("L", ("liter", 1.0)),
        ("mL", ("liter", 0.001)),
        ("m3", ("cubic meter", 1.0)),
        ("kWh", ("kilowatt hour", 1.0)),
        ("MWh", ("kilowatt hour", 1000.0)),
        ("GJ", ("megajoule", 1000.0)),
        ("tkm", ("ton kilometer", 1.0)),
        ("kgkm", ("ton kilometer", 0.001)),
        ("m2", ("square meter", 1.0)),
        ("item", ("piece", 1.0)),
        ("h", ("hour", 1.0)),
    ],
)
def test_pact_units(unit: str, expected: tuple[str, float]) -> None:
    name, factor = pact_unit(unit)
    assert name == expected[0]
    assert factor == pytest.approx(expected[1], rel=1e-12)


@pytest.mark.parametrize("unit", ["m", "pkm", "kg/m3"])
def test_a_unit_pact_cannot_express_is_refused_with_a_fix(unit: str) -> None:
    with pytest.raises(UnitError, match="PACT declared unit") as caught:
        pact_unit(unit)
    assert caught.value.fix
    assert "kg" in caught.value.fix


def test_biogenic_uptake_is_carbon_content_times_44_over_12(tmp_path: Path) -> None:
    uptake = 0.5 * CO2_PER_C
    path = inventory(
        tmp_path,
        unit="kg",
        amount=1,
        emissions=f"[{{gas: CO2, amount: 2 kg}}, {{gas: CO2, amount: -{uptake!r} kg, origin: biogenic}},"
        " {gas: CH4, amount: 10 g, origin: biogenic}, {gas: CO2, amount: 0.3 kg, origin: land_use_change}]",
        extra="  biogenic_carbon_content: 0.5 kg\n",
    )
    result = calculate(path)
    pcf = to_pact(result, **OWNER)["pcf"]
    excluding = 2 + 0.3 + 0.010 * 27.0  # fossil + land-use change + biogenic CH4 (AR6 non-fossil)
    assert parse_decimal(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(excluding, rel=1e-11)
    assert parse_decimal(pcf["biogenicCO2Uptake"]) == pytest.approx(-0.5 * 44 / 12, rel=1e-11)
    assert pcf["biogenicCarbonContent"] == "0.5"
    assert parse_decimal(pcf["pcfIncludingBiogenicUptake"]) == pytest.approx(
        excluding - 0.5 * 44 / 12, rel=1e-11
    )
    assert pcf["landUseChangeGhgEmissions"] == "0.3"
    assert pcf["fossilGhgEmissions"] == "2"


def test_modelled_removals_without_carbon_content_are_refused(tmp_path: Path) -> None:
    path = inventory(
        tmp_path,
        emissions="[{gas: CO2, amount: 2 kg}, {gas: CO2, amount: -1 kg, origin: biogenic}]",
    )
    with pytest.raises(FootprintError, match="biogenic carbon content") as caught:
        to_pact(calculate(path), product_mass_kg=10, **OWNER)
    assert caught.value.where == "product.biogenic_carbon_content"


@pytest.mark.parametrize(
    ("change", "where", "fix"),
    [
        ({"reference_period": None}, "product.reference_period", "reference_period"),
        ({"id": "P-123"}, "product.id", "URN"),
        ({"geography": "RER"}, "product.geography", "GLO"),
    ],
)
def test_missing_facts_name_the_fix(
    tmp_path: Path, change: dict[str, Any], where: str, fix: str
) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    broken = replace(result, product=replace(result.product, **change))
    with pytest.raises(FootprintError) as caught:
        to_pact(broken, **OWNER)
    assert caught.value.where == where
    assert fix in (caught.value.fix or "")


def test_fossil_carbon_and_mass_are_required_where_pact_needs_them(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="piece", amount=1))
    with pytest.raises(FootprintError, match="fossil carbon content"):
        to_pact(result, company_name="C", company_ids=["urn:c:1"], product_mass_kg=1)
    with pytest.raises(FootprintError, match="product mass") as caught:
        to_pact(result, **OWNER)
    assert "product_mass_kg" in (caught.value.fix or "")
    energy = calculate(inventory(tmp_path, unit="kWh", amount=1))
    assert to_pact(energy, **OWNER)["pcf"]["productMassPerDeclaredUnit"] == "0"


@pytest.mark.parametrize(
    ("geography", "field"),
    [
        ("DE", "geographyCountry"),
        ("DE-BW", "geographyCountrySubdivision"),
        ("Western Europe", "geographyRegionOrSubregion"),
        ("GLO", None),
    ],
)
def test_geography(tmp_path: Path, geography: str, field: str | None) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    pcf = to_pact(result, geography=geography, **OWNER)["pcf"]
    found = [k for k in pcf if k.startswith("geography")]
    assert found == ([field] if field else [])
    assert from_pact(to_pact(result, geography=geography, **OWNER)).geography == geography


def test_ids_and_times_are_deterministic_and_content_based(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    fixed = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    first = to_pact(result, created=fixed, **OWNER)
    assert to_pact(result, created=fixed, **OWNER) == first  # reproducible with a fixed time
    assert first["created"] == "2025-02-01T00:00:00Z"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    now = to_pact(result, **OWNER)
    assert now["id"] == first["id"]  # created is not part of the content id
    assert before <= dt.datetime.fromisoformat(now["created"]) <= dt.datetime.now(dt.UTC)
    assert first["pcf"]["referencePeriodEnd"] == "2025-01-01T00:00:00Z"  # exclusive end
    other = to_pact(result, **{**OWNER, "company_ids": ["urn:example:company:other"]})
    assert other["id"] != first["id"]
    when = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    chosen = to_pact(result, pf_id="5d6c1b8e-3f2a-4e7d-9c0b-1a2b3c4d5e6f", created=when, **OWNER)
    assert (chosen["id"], chosen["created"]) == (
        "5d6c1b8e-3f2a-4e7d-9c0b-1a2b3c4d5e6f",
        "2025-03-01T04:00:00Z",
    )
    with pytest.raises(FootprintError, match="time zone"):
        to_pact(result, created=dt.datetime(2025, 3, 1), **OWNER)


def test_validity_period_must_follow_the_reference_period(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    doc = to_pact(
        result,
        validity_period_start=start,
        validity_period_end=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        **OWNER,
    )
    assert doc["validityPeriodStart"] == "2025-01-01T00:00:00Z"
    with pytest.raises(FootprintError, match="3 years"):
        to_pact(result, validity_period_end=dt.datetime(2028, 6, 1, tzinfo=dt.UTC), **OWNER)
    with pytest.raises(FootprintError, match="before the reference period end"):
        to_pact(result, validity_period_start=dt.datetime(2024, 6, 1, tzinfo=dt.UTC), **OWNER)


def test_only_pact_3_is_exported(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    with pytest.raises(FootprintError, match="not supported"):
        to_pact(result, spec="2.3", **OWNER)


def test_bad_owner_ids_fail_schema_validation_with_the_path(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    with pytest.raises(FootprintError) as caught:
        to_pact(result, **{**OWNER, "company_ids": ["example-co"]})
    assert caught.value.where == "$.companyIds[0]"


# --- import ----------------------------------------------------------------------------------


def _same_meaning(a: Any, b: Any, path: str = "$") -> None:
    """Equal, except decimals compared as numbers and date-times as instants."""
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert set(a) == set(b), path
        for key in a:
            _same_meaning(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list), path
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_meaning(x, y, f"{path}[{i}]")
    elif isinstance(a, str) and isinstance(b, str) and PACT_DECIMAL.match(a):
        assert parse_decimal(a) == pytest.approx(parse_decimal(b), rel=1e-12), path
    elif isinstance(a, str) and isinstance(b, str) and re.match(r"\d{4}-\d\d-\d\dT", a):
        assert dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b), path
    else:
        assert a == b, path


@pytest.mark.parametrize(
    "name", ["pact-v3-resin.json", "pact-v3-bottle-12l.json", "pact-v2-solvent.json"]
)
def test_round_trip_keeps_the_meaning(name: str) -> None:
    original = fixture(name)
    fp = from_pact(original)
    again = fp.to_pact()
    _same_meaning(original, again)
    assert from_pact(again) == fp
    assert original == fixture(name)  # the input is not modified


def test_resin_fixture_values() -> None:
    fp = from_pact(fixture("pact-v3-resin.json"))
    assert fp.id == "3f0c6a52-8d1e-4b7a-9c35-2a61e0b4d7f1"
    assert fp.product_ids == ("urn:example:product:resin-bp30",)
    assert fp.company_ids == ("urn:example:company:example-polymers",)
    assert fp.biogenic_co2_uptake == pytest.approx(-(fp.biogenic_carbon_content or 0) * 44 / 12)
    assert fp.pcf_including_biogenic_uptake == pytest.approx(
        fp.pcf_excluding_biogenic_uptake + (fp.biogenic_co2_uptake or 0)
    )
    assert fp.reference_period_end == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("pcf", "declaredUnitAmount"), "1.2e3", "$.pcf.declaredUnitAmount"),
        (("pcf", "pcfExcludingBiogenicUptake"), 1.96, "$.pcf.pcfExcludingBiogenicUptake"),
        (("pcf", "declaredUnitOfMeasurement"), "gallon", "$.pcf.declaredUnitOfMeasurement"),
        (("pcf", "biogenicCO2Uptake"), "1.1", "$.pcf.biogenicCO2Uptake"),
        (("id",), "not-a-uuid", "$.id"),
        (("created",), "2025-02-30T00:00:00Z", "$.created"),
        (("companyIds",), ["company"], "$.companyIds[0]"),
        (("pcf", "geographyRegionOrSubregion"), "Europe", "$.pcf"),
    ],
)
def test_malformed_document_names_the_json_path(
    path: tuple[str, ...], value: Any, where: str
) -> None:
    doc = copy.deepcopy(fixture("pact-v3-resin.json"))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(FootprintError) as caught:
        from_pact(doc)
    assert caught.value.where == where
    assert where in str(caught.value)


def test_missing_required_field_and_non_object() -> None:
    doc = fixture("pact-v3-resin.json")
    del doc["pcf"]["fossilCarbonContent"]
    with pytest.raises(FootprintError, match="fossilCarbonContent") as caught:
        validate_pact(doc)
    assert caught.value.where == "$.pcf"
    with pytest.raises(FootprintError, match="JSON object"):
        from_pact([])  # type: ignore[arg-type]
    with pytest.raises(FootprintError, match="not supported"):
        from_pact({**fixture("pact-v3-resin.json"), "specVersion": "1.0.0"})


def test_schemas_are_bundled_and_self_contained() -> None:
    for spec in ("3.0", "2.3"):
        schema = load_schema(spec)
        assert schema["$ref"] == "#/$defs/ProductFootprint"
        text = json.dumps(schema)
        assert "#/components/" not in text
        assert "description" not in text
    units = load_schema("3.0")["$defs"]["CarbonFootprint"]["properties"][
        "declaredUnitOfMeasurement"
    ]
    assert {"piece", "kilogram", "liter"} <= set(units["enum"])


# --- suppliers' footprints as background -----------------------------------------------------


def test_pact_footprint_as_background_input(tmp_path: Path) -> None:
    resin = from_pact(fixture("pact-v3-resin.json"))
    solvent = from_pact(fixture("pact-v3-bottle-12l.json"))
    background = pact_as_background([resin, solvent])
    assert list(background.activities["id"]) == [resin.id, solvent.id]
    assert list(background.activities["location"]) == ["DE", "Western Europe"]
    path = write(
        tmp_path,
        "buyer.yaml",
        f"""\
product: {{name: Moulded part, declared_unit: piece, geography: FR}}
processes:
  - id: mould
    stage: A3
    output: 1 piece
    inputs:
      - {{background: {{id: {resin.id}}}, amount: 2 kg, stage: A1}}
      - {{background: {{id: {solvent.id}}}, amount: 500 mL, stage: A1}}
""",
    )
    result = calculate(path, background=background)
    expected_excluding = 2 * resin.intensity + 0.5 * solvent.intensity
    assert resin.intensity == pytest.approx(1.96)
    assert result.total_excluding_biogenic_removals == pytest.approx(expected_excluding, rel=1e-12)
    assert result.total == pytest.approx(2 * (1.96 - 1.1) + 0.5 * 1.5, rel=1e-12)
    assert result.fossil == pytest.approx(2 * 1.9 + 0.5 * 1.5, rel=1e-12)
    assert result.land_use_change == pytest.approx(2 * 0.05, rel=1e-12)
    assert result.biogenic_emissions == pytest.approx(2 * 0.01, rel=1e-12)
    assert result.biogenic_removals == pytest.approx(-2 * 1.1, rel=1e-12)


def test_only_the_supplier_footprint_is_needed(tmp_path: Path) -> None:
    """2 kg of the resin alone: exactly 2 x its intensity."""
    resin = from_pact(fixture("pact-v3-resin.json"))
    path = write(
        tmp_path,
        "buyer.yaml",
        f"""\
product: {{name: Part, declared_unit: piece, geography: FR}}
processes:
  - id: p
    output: 1 piece
    stage: A3
    inputs: [{{background: {{id: {resin.id}}}, amount: 2 kg}}]
""",
    )
    result = calculate(path, background=pact_as_background([resin]))
    assert result.total_excluding_biogenic_removals == pytest.approx(2 * resin.intensity, rel=1e-12)


def test_background_duplicates_and_deprecated(tmp_path: Path) -> None:
    resin = from_pact(fixture("pact-v3-resin.json"))
    with pytest.raises(FootprintError, match="given twice"):
        pact_as_background([resin, resin])
    old = PactFootprint(**{**resin.__dict__, "status": "Deprecated"})
    background = pact_as_background([old])
    assert background.caveats(resin.id)


def test_v3_export_classifies_the_product_by_its_cpc_code() -> None:
    from footprint.paths import examples_dir

    cement = calculate(examples_dir() / "cement-cn.yaml")
    assert cement.product.cpc == "37440"
    doc = to_pact(cement, **OWNER)
    assert doc["productClassifications"] == ["urn:pact:productclassification:un-cpc:37440"]
    validate_pact(doc, "3.0")
    given = to_pact(cement, product_classifications=["urn:example:class:1"], **OWNER)
    assert given["productClassifications"] == ["urn:example:class:1"]
    glass = calculate(examples_dir() / "float-glass.yaml")
    assert not glass.product.cpc
    assert "productClassifications" not in to_pact(glass, **OWNER)
