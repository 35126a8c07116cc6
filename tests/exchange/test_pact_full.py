"""The full PACT footprint: one record for both writers, created, classifications, verification,
lossless re-export of received footprints and the consistency rules they are checked against."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footprint.background.importers.pact import pact_as_background
from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.errors import FootprintError
from footprint.exchange.export import export_pact
from footprint.exchange.pact import to_pact
from footprint.exchange.pact_record import PactOptions, Verification, pact_record
from footprint.exchange.pact_writers import write_v2, write_v3
from footprint.pact.consistency import inconsistencies
from footprint.pact.model import from_pact
from footprint.pact.schema import schema_errors
from footprint.paths import examples_dir
from tests.exchange.test_pact import OWNER, fixture, inventory

runner = CliRunner()
EXTRA = "  biogenic_carbon_content: 0 kg\n  cpc: '3'\n  primary_data_share: 10\n"
WHEN = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
FIXTURES = ["pact-v3-resin.json", "pact-v3-bottle-12l.json", "pact-v2-solvent.json"]
VERIFIED = Verification(
    provider_name="Example Auditors",
    coverage="product level",
    completed_at=dt.datetime(2025, 4, 8, 14, 47, tzinfo=dt.UTC),
    standard_name="ISO 14064-3",
)


@pytest.fixture(scope="module")
def cement() -> Any:
    return calculate(examples_dir() / "cement-cn.yaml")


def test_both_writers_are_fed_by_the_same_record(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1, extra=EXTRA))
    options = PactOptions(
        company_name="Example Co", company_ids=("urn:example:co",), fossil_carbon_content_kg=0.0
    )
    options_at = dataclasses.replace(options, created=WHEN)
    v3 = write_v3(pact_record(result, options_at, "3.0"))
    assert v3 == to_pact(
        result,
        created=WHEN,
        company_name="Example Co",
        company_ids=["urn:example:co"],
        fossil_carbon_content_kg=0.0,
    )
    record = pact_record(result, options_at, "2.3")
    v2 = write_v2(record)
    assert schema_errors(v3) == []
    assert schema_errors(v2, "2.3") == []
    assert v2["pcf"]["pCfExcludingBiogenic"] == record.kg(record.excluding)
    assert "declaredUnitOfMeasurement" in v3["pcf"]
    assert "declaredUnit" in v2["pcf"]


def test_created_is_now_unless_fixed(tmp_path: Path) -> None:
    result = calculate(inventory(tmp_path, unit="kg", amount=1))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    doc = to_pact(result, **OWNER)
    assert before <= dt.datetime.fromisoformat(doc["created"]) <= dt.datetime.now(dt.UTC)
    assert to_pact(result, created=WHEN, **OWNER)["created"] == "2025-03-01T00:00:00Z"


def test_verification_in_3_0_and_assurance_in_2_3(cement: Any) -> None:
    v3 = export_pact(cement, created=WHEN, verification=VERIFIED)
    assert v3["pcf"]["verification"] == {
        "coverage": "product level",
        "providerName": "Example Auditors",
        "completedAt": "2025-04-08T14:47:00Z",
        "standardName": "ISO 14064-3",
    }
    v2 = export_pact(cement, spec="2.3", created=WHEN, verification=VERIFIED)
    assert v2["pcf"]["assurance"]["assurance"] is True
    assert v2["pcf"]["assurance"]["providerName"] == "Example Auditors"
    assert schema_errors(v3) == []
    assert schema_errors(v2, "2.3") == []
    # the id is content-based: verification is content
    assert v3["id"] != export_pact(cement, created=WHEN)["id"]


def test_a_coverage_pact_does_not_know_is_refused(cement: Any) -> None:
    wrong = Verification(provider_name="X", coverage="everything")
    with pytest.raises(FootprintError, match="coverage"):
        export_pact(cement, verification=wrong)


def test_2_3_assurance_needs_the_provider(cement: Any) -> None:
    anonymous = Verification(coverage="product level")
    assert "verification" in export_pact(cement, verification=anonymous)["pcf"]  # 3.0: optional
    with pytest.raises(FootprintError, match="provider") as caught:
        export_pact(cement, spec="2.3", verification=anonymous)
    assert "--verified-by" in (caught.value.fix or "")


def test_classifications_are_added_to_the_cpc_code(cement: Any) -> None:
    urn = "urn:example:classification:binder"
    doc = export_pact(cement, created=WHEN, classifications=[urn])
    assert doc["productClassifications"] == ["urn:pact:productclassification:un-cpc:37440", urn]


def test_cli_created_classification_and_verification() -> None:
    args = ["export", "pact", str(examples_dir() / "cement-cn.yaml"), "--created"]
    args += ["2025-03-01T08:00:00+08:00", "--classification", "urn:example:c:1"]
    args += ["--verified-by", "Example Auditors", "--verification-coverage", "PCF program"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["created"] == "2025-03-01T00:00:00Z"
    assert doc["productClassifications"][-1] == "urn:example:c:1"
    assert doc["pcf"]["verification"] == {
        "coverage": "PCF program",
        "providerName": "Example Auditors",
    }
    bad = runner.invoke(app, [*args[:4], "yesterday"])
    assert bad.exit_code == 2
    assert "--created" in bad.output
    assert "RFC 3339" in bad.output


# --- received footprints ---------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_re_export_of_a_received_footprint_is_lossless(name: str) -> None:
    original = fixture(name)
    assert from_pact(original).to_pact() == original
    assert json.dumps(from_pact(original).to_pact()) == json.dumps(original)  # key order too


def test_every_property_survives_and_changes_are_written() -> None:
    original = fixture("pact-v3-resin.json")
    original["created"] = "2025-03-01T02:00:00+02:00"  # kept as written, not as UTC
    original["pcf"]["verification"] = {"providerName": "Example Auditors"}
    original["pcf"]["landAreaOccupation"] = "0.50"
    original["pcf"]["fossilGhgEmissions"] = "1.90"
    fp = from_pact(original)
    assert fp.to_pact() == original
    changed = dataclasses.replace(fp, fossil_ghg_emissions=1.8, status="Deprecated")
    again = changed.to_pact()
    assert again["pcf"]["fossilGhgEmissions"] == "1.8"
    assert again["status"] == "Deprecated"
    assert again["pcf"]["landAreaOccupation"] == "0.50"


def test_the_fixtures_and_our_exports_are_consistent(cement: Any) -> None:
    for name in FIXTURES:
        assert inconsistencies(from_pact(fixture(name))) == [], name
    for spec in ("3.0", "2.3"):
        assert inconsistencies(from_pact(export_pact(cement, spec=spec))) == [], spec


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"pcfIncludingBiogenicUptake": "0.9"}, "plus the biogenic CO2 uptake"),
        ({"fossilGhgEmissions": "2.5"}, "cuts them down"),
        ({"biogenicCO2Uptake": "-1.5", "pcfIncludingBiogenicUptake": "0.46"}, "x -44/12"),
    ],
)
def test_each_rule_is_checked(edit: dict[str, str], message: str) -> None:
    doc = fixture("pact-v3-resin.json")
    doc["pcf"].update(edit)
    found = inconsistencies(from_pact(doc))
    assert len(found) == 1, found
    assert message in found[0]


def test_rounding_of_the_publisher_is_not_an_inconsistency() -> None:
    doc = fixture("pact-v3-resin.json")
    doc["pcf"]["pcfIncludingBiogenicUptake"] = "0.8603"  # 0.03 % of the largest value
    assert inconsistencies(from_pact(doc)) == []


def test_2_x_parts_must_add_up() -> None:
    doc = fixture("pact-v2-solvent.json")
    doc["pcf"]["otherBiogenicGhgEmissions"] = "0"
    assert inconsistencies(from_pact(doc)) == []
    doc["pcf"]["otherBiogenicGhgEmissions"] = "1"
    found = inconsistencies(from_pact(doc))
    assert any("add up to" in f for f in found), found


def test_an_inconsistent_footprint_is_imported_with_a_caveat() -> None:
    doc = fixture("pact-v3-resin.json")
    doc["pcf"]["fossilGhgEmissions"] = "2.5"
    background = pact_as_background([from_pact(doc)])
    note = background.suspect[doc["id"]]
    assert "inconsistent" in note
    assert "cuts them down" in note
    flows = background.biosphere.set_index("flow")["amount"]
    assert flows.sum() == pytest.approx(1.96 + 1.1)  # still adds up to the PCF (+ uptake)
    assert pact_as_background([from_pact(fixture("pact-v3-resin.json"))]).suspect == {}


def test_import_warns_of_an_inconsistent_footprint_and_calc_reports_it(tmp_path: Path) -> None:
    doc = fixture("pact-v3-resin.json")
    doc["pcf"]["pcfIncludingBiogenicUptake"] = "0.5"
    supplier = tmp_path / "resins.json"
    supplier.write_text(json.dumps(doc))
    imported = runner.invoke(app, ["import", "pact", str(supplier), "--data-dir", str(tmp_path)])
    assert imported.exit_code == 0, imported.output
    printed = " ".join(imported.output.split())  # as wrapped to any terminal width
    assert f"warning: PACT footprint {doc['id']}" in printed
    assert "plus the biogenic CO2 uptake" in printed
    product = tmp_path / "part.yaml"
    product.write_text(
        "product: {name: Part, declared_unit: kg, geography: DE}\n"
        "processes:\n  - id: mould\n    output: 1 kg\n    inputs:\n"
        f"      - {{background: {{id: '{doc['id']}'}}, amount: 1 kg}}\n"
    )
    args = ["calc", str(product), "--background", "resins", "--data-dir", str(tmp_path)]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    warnings = " ".join(json.loads(result.output)["warnings"])
    assert "inconsistent" in warnings
