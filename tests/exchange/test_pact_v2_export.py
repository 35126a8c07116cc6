"""PACT 2.3 export: field mapping, units per declared unit, CPC codes, round trips and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.engine.result import FootprintResult
from footprint.errors import FootprintError, InventoryError, UnitError
from footprint.exchange.export import export_pact
from footprint.exchange.pact import pact_unit, to_pact
from footprint.inventory import read_inventory
from footprint.pact.decimal_text import parse_decimal
from footprint.pact.model import CO2_PER_C, from_pact
from footprint.pact.schema import load_schema, schema_errors
from footprint.paths import examples_dir
from tests.conftest import write
from tests.helpers import one_process_inventory

EXAMPLES = sorted(p for p in examples_dir().iterdir() if p.suffix in {".yaml", ".csv"})
PACT_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")  # the spec's Decimal pattern
# A JSON number, or a string holding only a number, written with an exponent.
EXPONENT = re.compile(r'(?:"|[:,\[]\s*)[-+]?[0-9.]+[eE][-+]?[0-9]+(?:"|\s*[,}\]])')
OWNER: dict[str, Any] = {
    "company_name": "Example Co",
    "company_ids": ["urn:example:company:example-co"],
    "fossil_carbon_content_kg": 0.0,
}
# Test-only CPC codes for the examples without product.cpc: the CPC sections, which are certain
# (3 other transportable goods, 4 metal products, machinery and equipment).
SECTION_CPC = {
    "aluminium-ingot-primary.yaml": "4",
    "steel-rebar-eaf.yaml": "4",
    "rebar-flat-bom.csv": "4",
    "float-glass.yaml": "3",
    "pet-bottle.yaml": "3",
}
V2_AMOUNTS = (  # 2.3 decimal properties that are kg (CO2e or C) per declared unit
    "pCfExcludingBiogenic",
    "pCfIncludingBiogenic",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "biogenicCarbonContent",
    "biogenicCarbonWithdrawal",
    "dLucGhgEmissions",
    "otherBiogenicGhgEmissions",
)


def inventory(
    tmp_path: Path,
    unit: str = "kg",
    amount: float = 1,
    emissions: str = "[{gas: CO2, amount: 1.5 kg}]",
    extra: str = "  biogenic_carbon_content: 0 kg\n  primary_data_share: 10\n",
    period: str = "{start: 2023-01-01, end: 2023-12-31}",
) -> Path:
    """A one-process foreground inventory: per 1 ``unit`` of output, the given emissions."""
    return one_process_inventory(
        tmp_path, unit=unit, amount=amount, emissions=emissions, extra=extra, period=period
    )


def with_primary_data_share(path: Path, tmp_path: Path) -> Path:
    """A copy of the CSV example with the primary data share its YAML twin declares (0 %)."""
    text = path.read_text(encoding="utf-8").replace(
        "# biogenic_carbon_content:", "# primary_data_share: 0\n# biogenic_carbon_content:", 1
    )
    assert "primary_data_share" in text
    return write(tmp_path, path.name, text)


Exported = tuple[FootprintResult, dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Exported]:
    """An example's result, its 2.3 export (CLI defaults) and its 3.0 export, by file name."""
    folder = tmp_path_factory.mktemp("examples")

    @cache
    def export(name: str) -> Exported:
        path = examples_dir() / name
        if path.suffix == ".csv":  # the CSV example does not state its primary data share
            path = with_primary_data_share(path, folder)
        result = calculate(path)
        return (
            result,
            export_pact(result, spec="2.3", cpc=SECTION_CPC.get(name)),
            export_pact(result),
        )

    return export


def v2_properties() -> tuple[set[str], set[str]]:
    defs = load_schema("2.3")["$defs"]
    return set(defs["ProductFootprint"]["properties"]), set(defs["CarbonFootprint"]["properties"])


# --- every shipped example -------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_exports_a_valid_2_3_footprint(
    path: Path, exported: Callable[[str], Exported]
) -> None:
    result, doc, _ = exported(path.name)
    assert schema_errors(doc, "2.3") == []
    assert doc["specVersion"] == "2.3.3"
    assert doc["version"] == 1
    has_cpc = read_inventory(path).product.cpc
    assert doc["productCategoryCpc"] == (has_cpc or SECTION_CPC[path.name])
    top, carbon = v2_properties()
    assert set(doc) <= top  # no 3.0 property leaks in (the schema allows unknown ones)
    assert set(doc["pcf"]) <= carbon
    required = load_schema("2.3")["$defs"]["CarbonFootprint"]["required"]
    assert set(required) <= set(doc["pcf"])
    pcf = doc["pcf"]
    assert pcf["characterizationFactors"] == "AR6"
    assert pcf["ipccCharacterizationFactorsSources"] == ["AR6"]
    assert pcf["crossSectoralStandardsUsed"] == [
        "ISO Standard 14067",
        "GHG Protocol Product standard",
    ]
    assert pcf["geographyCountry"] == result.product.geography
    assert pcf["packagingEmissionsIncluded"] is False
    assert pcf["primaryDataShare"] == 0  # a JSON number in 2.x, a decimal string in 3.0
    assert pcf["exemptedEmissionsPercent"] == 0
    assert pcf["secondaryEmissionFactorSources"]
    assert "landManagementGhgEmissions" not in pcf  # optional before 2025, not modelled


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_round_trip_gives_the_v3_intensity(path: Path, exported: Callable[[str], Exported]) -> None:
    result, v2_doc, v3_doc = exported(path.name)
    v2, v3 = from_pact(v2_doc), from_pact(v3_doc)
    # Both state the footprint of the declared amount (e.g. 1 t, 1 m3, 1 piece).
    for attribute in (
        "pcf_excluding_biogenic_uptake",
        "pcf_including_biogenic_uptake",
        "fossil_ghg_emissions",
        "land_use_change_ghg_emissions",
        "biogenic_co2_uptake",
        "biogenic_carbon_content",
    ):
        assert getattr(v2, attribute) == pytest.approx(getattr(v3, attribute), rel=1e-9, abs=1e-12)
    assert v2.pcf_excluding_biogenic_uptake == pytest.approx(
        result.total_excluding_biogenic_removals, rel=1e-9
    )
    if v3.pact_unit == "piece":  # 2.x has no piece: per kilogram of product instead
        assert (v2.pact_unit, v2.declared_unit) == ("kilogram", "kg")
        mass = float(result.product.mass_per_declared_unit_kg) * result.declared_amount
        assert v2.declared_amount == pytest.approx(mass)
        assert v2.intensity * mass == pytest.approx(v3.intensity * v3.declared_amount, rel=1e-9)
    else:
        assert (v2.pact_unit, v2.declared_amount) == (v3.pact_unit, v3.declared_amount)
        assert v2.intensity == pytest.approx(v3.intensity, rel=1e-9)
    assert v2.reference_period_end == v3.reference_period_end
    assert v2.geography == v3.geography


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_decimals_have_no_exponent_and_are_per_declared_unit(
    path: Path, exported: Callable[[str], Exported]
) -> None:
    _, doc, v3_doc = exported(path.name)
    text = json.dumps(doc)
    assert not EXPONENT.search(text), text
    pcf = doc["pcf"]
    amount = parse_decimal(pcf["unitaryProductAmount"])
    assert amount > 0
    for key in (*V2_AMOUNTS, "unitaryProductAmount", "productMassPerDeclaredUnit"):
        if key in pcf:
            assert PACT_DECIMAL.match(pcf[key]), (key, pcf[key])
    total = parse_decimal(v3_doc["pcf"]["pcfExcludingBiogenicUptake"])
    assert parse_decimal(pcf["pCfExcludingBiogenic"]) * amount == pytest.approx(total, rel=1e-9)
    parts = sum(
        parse_decimal(pcf[k])
        for k in ("fossilGhgEmissions", "dLucGhgEmissions", "otherBiogenicGhgEmissions")
    )
    assert parts == pytest.approx(parse_decimal(pcf["pCfExcludingBiogenic"]), rel=1e-9)


def test_tonnes_are_stated_per_kilogram(exported: Callable[[str], Exported]) -> None:
    result, doc, _ = exported("steel-rebar-eaf.yaml")
    pcf = doc["pcf"]
    assert (pcf["declaredUnit"], pcf["unitaryProductAmount"]) == ("kilogram", "1000")
    assert pcf["productMassPerDeclaredUnit"] == "1"
    assert parse_decimal(pcf["pCfExcludingBiogenic"]) == pytest.approx(
        result.total_excluding_biogenic_removals / 1000, rel=1e-11
    )
    assert pcf["fossilCarbonContent"] == "0.003"  # 3 kg C per t


def test_a_piece_is_stated_per_kilogram_of_product(exported: Callable[[str], Exported]) -> None:
    result, doc, _ = exported("pet-bottle.yaml")
    pcf = doc["pcf"]
    assert (pcf["declaredUnit"], pcf["unitaryProductAmount"]) == ("kilogram", "0.022")
    assert pcf["fossilCarbonContent"] == "0.625"  # 13.75 g C in 22 g of PET
    assert parse_decimal(pcf["pCfExcludingBiogenic"]) == pytest.approx(
        result.total_excluding_biogenic_removals / 0.022, rel=1e-11
    )
    assert "no piece unit" in doc["comment"]


def test_the_example_cpc_codes(exported: Callable[[str], Exported]) -> None:
    assert exported("cement-cn.yaml")[1]["productCategoryCpc"] == "37440"
    assert exported("concrete-4000psi.yaml")[1]["productCategoryCpc"] == "37510"
    assert "productCategoryCpc" not in exported("cement-cn.yaml")[2]  # not a 3.0 property


def test_biogenic_and_land_use_change_fields(tmp_path: Path) -> None:
    uptake = 0.5 * CO2_PER_C
    path = inventory(
        tmp_path,
        unit="L",
        amount=12,
        emissions=f"[{{gas: CO2, amount: 2 kg}}, {{gas: CO2, amount: -{uptake!r} kg, origin: biogenic}},"
        " {gas: CH4, amount: 10 g, origin: biogenic}, {gas: CO2, amount: 0.3 kg, origin: land_use_change}]",
        extra="  biogenic_carbon_content: 0.5 kg\n  primary_data_share: 25.5\n",
    )
    doc = to_pact(
        calculate(path), spec="2.3", product_category_cpc="3", product_mass_kg=9.6, **OWNER
    )
    pcf = doc["pcf"]
    per_liter = {key: parse_decimal(pcf[key]) for key in V2_AMOUNTS}
    assert (pcf["declaredUnit"], pcf["unitaryProductAmount"]) == ("liter", "12")
    assert pcf["productMassPerDeclaredUnit"] == "0.8"
    assert per_liter["fossilGhgEmissions"] == pytest.approx(2)
    assert per_liter["dLucGhgEmissions"] == pytest.approx(0.3)
    assert per_liter["otherBiogenicGhgEmissions"] == pytest.approx(
        0.010 * 27.0
    )  # AR6 non-fossil CH4
    assert per_liter["pCfExcludingBiogenic"] == pytest.approx(2 + 0.3 + 0.27)
    assert per_liter["biogenicCarbonContent"] == pytest.approx(
        0.5
    )  # 0.5 kg C per L, declared per unit
    assert per_liter["biogenicCarbonWithdrawal"] == pytest.approx(-uptake)
    assert per_liter["pCfIncludingBiogenic"] == pytest.approx(2 + 0.3 + 0.27 - uptake)
    assert pcf["biogenicAccountingMethodology"] == "ISO"
    assert pcf["primaryDataShare"] == 25.5
    fp = from_pact(doc)
    assert fp.intensity == pytest.approx(2.57)
    assert fp.biogenic_co2_uptake == pytest.approx(-12 * uptake)


def test_per_unit_states_one_declared_unit(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="t", emissions="[{gas: CO2, amount: 500 kg}]"))
    whole = to_pact(result, spec="2.3", product_category_cpc="3", **OWNER)["pcf"]
    one = to_pact(result, spec="2.3", product_category_cpc="3", per_unit=True, **OWNER)["pcf"]
    assert (whole["unitaryProductAmount"], whole["pCfExcludingBiogenic"]) == ("1000", "0.5")
    assert (one["unitaryProductAmount"], one["pCfExcludingBiogenic"]) == ("1", "0.5")


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("L", ("liter", 1.0)), ("t", ("kilogram", 1000.0)), ("MWh", ("kilowatt hour", 1000.0))],
)
def test_pact_2_units(unit: str, expected: tuple[str, float]) -> None:
    assert pact_unit(unit, "2.3") == pytest.approx(expected)


@pytest.mark.parametrize("unit", ["item", "h"])
def test_units_2_3_lacks_are_refused(unit: str) -> None:
    with pytest.raises(UnitError, match="PACT 2.3 declared unit"):
        pact_unit(unit, "2.3")


def test_piece_needs_the_mass_and_hours_cannot_be_stated(tmp_path: Path) -> None:
    pieces = calculate(inventory(tmp_path, unit="piece"))
    with pytest.raises(FootprintError, match="no 'piece'") as caught:
        to_pact(pieces, spec="2.3", product_category_cpc="3", **OWNER)
    assert caught.value.where == "product.mass_per_declared_unit"
    hours = calculate(inventory(tmp_path, unit="h"))
    with pytest.raises(UnitError, match="PACT 2.3 declared unit"):
        to_pact(hours, spec="2.3", product_category_cpc="3", **OWNER)


def test_unknown_mass_is_left_out_in_2_3(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="m3"))
    pcf = to_pact(result, spec="2.3", product_category_cpc="3", **OWNER)["pcf"]
    assert "productMassPerDeclaredUnit" not in pcf  # optional in 2.3, required in 3.0
    with pytest.raises(FootprintError, match="product mass"):
        to_pact(result, **OWNER)


def test_ar4_cannot_be_stated_in_2_3(tmp_path: Path) -> None:
    path = inventory(tmp_path)
    with pytest.raises(FootprintError, match="characterizationFactors"):
        to_pact(calculate(path, gwp="ar4"), spec="2.3", product_category_cpc="3", **OWNER)
    pcf = to_pact(calculate(path, gwp="ar5"), spec="2.3", product_category_cpc="3", **OWNER)["pcf"]
    assert (pcf["characterizationFactors"], pcf["ipccCharacterizationFactorsSources"]) == (
        "AR5",
        ["AR5"],
    )


def test_standards_2_3_cannot_name_are_refused(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path))
    facts = {"spec": "2.3", "product_category_cpc": "3", **OWNER}
    pcf = to_pact(result, cross_sectoral_standards=["ISO14040-44", "PEF"], **facts)["pcf"]
    assert pcf["crossSectoralStandardsUsed"] == ["ISO Standard 14044"]
    assert pcf["crossSectoralStandards"] == ["ISO14040-44", "PEF"]
    assert "biogenicAccountingMethodology" not in pcf
    with pytest.raises(FootprintError, match="crossSectoralStandardsUsed"):
        to_pact(result, cross_sectoral_standards=["PEF"], **facts)


def test_biogenic_carbon_content_is_required(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, extra="  primary_data_share: 10\n"))
    with pytest.raises(FootprintError, match="biogenicCarbonContent") as caught:
        to_pact(result, spec="2.3", product_category_cpc="3", **OWNER)
    assert caught.value.where == "product.biogenic_carbon_content"
    assert "biogenicCarbonContent" not in to_pact(result, **OWNER)["pcf"]  # 3.0 leaves it out


def test_from_2025_dqi_and_land_management_are_required(tmp_path: Path) -> None:
    path = inventory(tmp_path, period="{start: 2024-07-01, end: 2025-06-30}")
    result = calculate(path)
    facts = {"spec": "2.3", "product_category_cpc": "3", **OWNER}
    with pytest.raises(FootprintError, match="dqi") as caught:
        to_pact(result, **facts)
    assert "2025" in caught.value.what
    ratings = {
        "coverage_percent": 95,
        "technological": 1.6,
        "temporal": 2,
        "geographical": 1,
        "completeness": 2.5,
        "reliability": 3,
    }
    doc = to_pact(result, dqi=ratings, **facts)
    pcf = doc["pcf"]
    assert pcf["dqi"] == {
        "coveragePercent": 95,
        "technologicalDQR": 1.6,
        "temporalDQR": 2,
        "geographicalDQR": 1,
        "completenessDQR": 2.5,
        "reliabilityDQR": 3,
    }
    assert pcf["landManagementGhgEmissions"] == "0"
    assert "landManagementGhgEmissions is 0" in doc["comment"]
    with pytest.raises(FootprintError, match="between 1 and 3"):
        to_pact(result, dqi={**ratings, "reliability": 4}, **facts)


def test_version(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path))
    facts = {"product_category_cpc": "3", **OWNER}
    assert to_pact(result, spec="2.3", version=3, **facts)["version"] == 3
    with pytest.raises(FootprintError, match="version"):
        to_pact(result, spec="2.3", version=-1, **facts)
    with pytest.raises(FootprintError, match="no 'version'"):
        to_pact(result, version=1, **OWNER)


def test_2_3_export_is_deterministic_and_differs_from_3_0(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path))
    facts = {"product_category_cpc": "3", "created": dt.datetime(2025, 2, 1, tzinfo=dt.UTC)}
    facts.update(OWNER)
    doc = to_pact(result, spec="2.3", **facts)
    assert to_pact(result, spec="2.3", **facts) == doc
    assert to_pact(result, **OWNER)["id"] != doc["id"]
    when = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert to_pact(result, spec="2.3", **{**facts, "created": when})["created"] == (
        "2025-03-01T00:00:00Z"
    )


# --- the CPC code ----------------------------------------------------------------------------


def test_a_missing_cpc_is_a_clear_error() -> None:
    path = examples_dir() / "float-glass.yaml"
    with pytest.raises(FootprintError, match="CPC") as caught:
        export_pact(calculate(path), spec="2.3")
    assert caught.value.where == str(path)
    assert "product.cpc" in (caught.value.fix or "")
    assert "--cpc" in (caught.value.fix or "")


@pytest.mark.parametrize("code", ["37-44", "374401", "cement", ""])
def test_a_malformed_cpc_is_refused(tmp_path: Path, code: str) -> None:
    result = calculate(inventory(tmp_path))
    with pytest.raises(FootprintError, match="CPC"):
        to_pact(result, spec="2.3", product_category_cpc=code, **OWNER)


def test_the_inventory_cpc_must_be_a_quoted_code(tmp_path: Path) -> None:
    extra = "  cpc: 37440\n  biogenic_carbon_content: 0 kg\n"
    with pytest.raises(InventoryError, match="quoted"):
        read_inventory(inventory(tmp_path, extra=extra))
    with pytest.raises(InventoryError, match="cpc"):
        read_inventory(inventory(tmp_path, extra="  cpc: '3744x'\n"))
    path = inventory(
        tmp_path, extra="  cpc: '01110'\n  biogenic_carbon_content: 0 kg\n  primary_data_share: 0\n"
    )
    assert read_inventory(path).product.cpc == "01110"
    company = "  company: {name: Co, ids: ['urn:example:co']}\n  fossil_carbon_content: 0 kg\n"
    path.write_text(path.read_text().replace("  cpc:", company + "  cpc:"))
    assert export_pact(calculate(path), spec="2.3")["productCategoryCpc"] == "01110"


def test_cli_exports_2_3_with_cpc(exported: Callable[[str], Exported], runner: CliRunner) -> None:
    path = examples_dir() / "steel-rebar-eaf.yaml"
    result = runner.invoke(app, ["export", "pact", str(path), "--spec", "2.3", "--cpc", "4"])
    assert result.exit_code == 0, result.output
    assert not EXPONENT.search(result.output)
    document = json.loads(result.output)
    assert document["specVersion"] == "2.3.3"
    assert document["productCategoryCpc"] == "4"
    assert schema_errors(document, "2.3") == []
    assert from_pact(document).intensity == pytest.approx(
        from_pact(exported("steel-rebar-eaf.yaml")[2]).intensity, rel=1e-9
    )


def test_cli_cpc_overrides_the_inventory(runner: CliRunner) -> None:
    path = examples_dir() / "cement-cn.yaml"
    default = runner.invoke(app, ["export", "pact", str(path), "--spec", "2.3"])
    assert default.exit_code == 0, default.output
    assert json.loads(default.output)["productCategoryCpc"] == "37440"
    chosen = runner.invoke(app, ["export", "pact", str(path), "--spec", "2.3", "--cpc", "3"])
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.output)["productCategoryCpc"] == "3"


def test_cli_missing_cpc_names_the_fix(runner: CliRunner) -> None:
    path = examples_dir() / "float-glass.yaml"
    result = runner.invoke(app, ["export", "pact", str(path), "--spec", "2.3"])
    assert result.exit_code == 2
    assert "product.cpc" in result.output
    assert "--cpc" in result.output


def test_cli_writes_to_a_file(tmp_path: Path, runner: CliRunner) -> None:
    path = examples_dir() / "pet-bottle.yaml"
    out = tmp_path / "bottle.json"
    args = ["export", "pact", str(path), "--spec", "2.3", "--cpc", "3", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["pcf"]["declaredUnit"] == "kilogram"
    assert schema_errors(document, "2.3") == []
