"""Verification of label claims: correct, tampered, over-stated, too early, wrong unit, malformed."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from footprint.errors import FootprintError
from footprint.labels.claim import ClaimError
from footprint.labels.evidence import EvidenceError
from footprint.labels.verify import DEFAULT_TOLERANCE_PCT, Check, VerificationReport, verify
from tests import helpers
from tests.helpers import Ran

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMES = FIXTURES / "schemes"


def make_claim(tmp_path: Path, **changes: object) -> Path:
    inventory = tmp_path / "rebar.yaml"
    shutil.copy(FIXTURES / "claims" / "rebar.yaml", inventory)
    claim = {
        "id": "CLAIM-1",
        "inventory": "rebar.yaml",
        "inventory_sha256": hashlib.sha256(inventory.read_bytes()).hexdigest(),
        "declared_value": 0.85,
        "declared_unit": "t CO2e/t",
        "gwp": "ar6",
        "scheme": "test-rebar-2024",
        "scheme_version": "2024",
        "claim_date": "2024-06-01",
        "tolerance_pct": 1.0,
        "evidence": {"scrap_share": 0.95},
    }
    claim.update(changes)
    path = tmp_path / "claim.yaml"
    path.write_text(yaml.safe_dump(claim, sort_keys=False), encoding="utf-8")
    return path


def failed(report: object) -> list[str]:
    return [c.name for c in report.checks if not c.passed]  # type: ignore[attr-defined]


def test_correct_claim_is_verified(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path), labels=SCHEMES)
    assert failed(report) == []
    assert report.verified
    assert report.recomputed is not None
    assert report.recomputed["value"] == pytest.approx(850.0, rel=1e-9)
    assert report.verdict is not None
    assert report.verdict["verdict"] == "MET"


def test_tampered_inventory_fails_the_hash(tmp_path: Path) -> None:
    path = make_claim(tmp_path)
    inventory = tmp_path / "rebar.yaml"
    inventory.write_text(inventory.read_text().replace("800 kg", "700 kg"))
    report = verify(path, labels=SCHEMES)
    assert failed(report) == [
        "inventory unchanged (sha256)",
        "declared value agrees with the recomputed one",
    ]
    assert not report.verified


def test_over_stated_claim_fails_the_value_check(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, declared_value=0.80), labels=SCHEMES)
    assert failed(report) == ["declared value agrees with the recomputed one"]


def test_claim_within_tolerance(tmp_path: Path) -> None:
    assert verify(make_claim(tmp_path, declared_value=0.8584), labels=SCHEMES).verified
    assert not verify(make_claim(tmp_path, declared_value=0.8586), labels=SCHEMES).verified


def test_claim_before_the_scheme_start_date(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, claim_date="2023-12-31"), labels=SCHEMES)
    assert set(failed(report)) == {
        "scheme in force on the claim date",
        "scheme met by the recomputed value",
    }
    assert report.verdict is not None
    assert report.verdict["verdict"] == "NOT IN FORCE"


def test_claim_under_an_expired_version_names_the_one_in_force(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, claim_date="2025-03-01"), labels=SCHEMES)
    check = next(c for c in report.checks if c.name == "scheme in force on the claim date")
    assert not check.passed
    assert "test-rebar-2025 (version 2025)" in check.outcome


def test_newer_version_is_not_met(tmp_path: Path) -> None:
    report = verify(
        make_claim(
            tmp_path, scheme="test-rebar-2025", scheme_version="2025", claim_date="2025-03-01"
        ),
        labels=SCHEMES,
    )
    assert failed(report) == ["scheme met by the recomputed value"]


def test_unit_mismatch(tmp_path: Path) -> None:
    report = verify(
        make_claim(tmp_path, declared_unit="kg CO2e/m3", declared_value=850), labels=SCHEMES
    )
    assert "declared unit" in failed(report)
    assert "declared value agrees with the recomputed one" not in [c.name for c in report.checks]


def test_kg_per_t_is_the_same_claim(tmp_path: Path) -> None:
    assert verify(
        make_claim(tmp_path, declared_unit="kg CO2e/t", declared_value=850), labels=SCHEMES
    ).verified


def test_evidence_inconsistent_with_the_inventory(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, evidence={"scrap_share": 0.9}), labels=SCHEMES)
    check = next(c for c in report.checks if c.name == "evidence in range and consistent")
    assert not check.passed
    assert "scrap_share: evidence 0.9 but the inventory says 0.95" in check.outcome


def test_mass_balance(tmp_path: Path) -> None:
    good = {"scrap_share": 0.95, "scrap_mass": "0.95 t", "metallic_input_mass": "1000 kg"}
    bad = {**good, "scrap_mass": "0.80 t"}
    assert verify(make_claim(tmp_path, evidence=good), labels=SCHEMES).verified
    assert "mass balance" in next(
        c.outcome
        for c in verify(make_claim(tmp_path, evidence=bad), labels=SCHEMES).checks
        if c.name == "evidence in range and consistent"
    )


def test_gwp_set_must_match_the_scheme(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, gwp="ar5"), labels=SCHEMES)
    assert "GWP set" in failed(report)


def test_offsets_are_listed_not_subtracted(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, offsets="100 kg CO2e"), labels=SCHEMES)
    assert report.verified
    assert report.recomputed is not None
    assert report.recomputed["value"] == pytest.approx(850.0)
    assert any(c.name == "offsets excluded" for c in report.checks)


def test_same_inputs_give_byte_identical_json(tmp_path: Path) -> None:
    first = verify(make_claim(tmp_path), labels=SCHEMES).to_json()
    second = verify(make_claim(tmp_path), labels=SCHEMES).to_json()
    assert first == second
    assert str(tmp_path) not in first


def test_markdown_lists_every_check(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path), labels=SCHEMES)
    markdown = report.to_markdown()
    assert markdown.startswith("# Claim verification: VERIFIED")
    assert markdown.count("| pass |") == len(report.checks)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("claim: [1, 2\n", "not valid YAML"),
        ("inventory: x.yaml\n", "required field is missing"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_malformed_claim_is_a_claim_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ClaimError, match=words):
        verify(path, labels=SCHEMES)


def test_unknown_scheme_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ClaimError, match="no label scheme 'test-rebar-2042'"):
        verify(make_claim(tmp_path, scheme="test-rebar-2042"), labels=SCHEMES)


def test_cli_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n")
    proc = run_cli(str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in " ".join(proc.stderr.split())


def test_scheme_in_any_declared_unit(tmp_path: Path) -> None:
    any_unit = SCHEMES / "test-rebar-2024.yaml"
    local = tmp_path / "schemes"
    local.mkdir()
    text = any_unit.read_text().replace("declared_unit: t", "declared_unit: any")
    text = text.replace(
        "limit: {value: 0.89, unit: t CO2e/t, cite: doc}",
        "limit: {value: 0.89, unit: t CO2e/t, cite: doc}",
    )
    (local / "test-rebar-2024.yaml").write_text(text)
    report = verify(make_claim(tmp_path), labels=local)
    check = next(c for c in report.checks if c.name == "declared unit")
    assert check.passed
    assert "its own declared unit" in check.outcome


def value_check(report: VerificationReport) -> Check:
    return next(
        c for c in report.checks if c.name == "declared value agrees with the recomputed one"
    )


def run_cli(*args: str) -> Ran:
    return helpers.run_cli("verify", *args)


def test_a_huge_claimed_tolerance_no_longer_verifies_a_wrong_value(tmp_path: Path) -> None:
    with pytest.raises(ClaimError, match="tolerance_pct"):
        verify(make_claim(tmp_path, tolerance_pct=1e12, declared_value=0.0001), labels=SCHEMES)
    report = verify(make_claim(tmp_path, tolerance_pct=100, declared_value=0.0001), labels=SCHEMES)
    assert failed(report) == ["declared value agrees with the recomputed one"]
    assert report.tolerance["applied_pct"] == DEFAULT_TOLERANCE_PCT
    assert report.tolerance["source"] == "default"
    assert "cannot widen it" in value_check(report).outcome


def test_claim_without_a_tolerance_gets_the_default(tmp_path: Path) -> None:
    path = make_claim(tmp_path)
    data = yaml.safe_load(path.read_text())
    del data["tolerance_pct"]
    path.write_text(yaml.safe_dump(data))
    report = verify(path, labels=SCHEMES)
    assert report.verified
    assert report.tolerance["applied_pct"] == DEFAULT_TOLERANCE_PCT
    assert report.claim["tolerance_pct"] is None


def test_a_wider_auditor_tolerance_leaves_the_claims_tighter_one(tmp_path: Path) -> None:
    # 0.856 is 0.7 % above the recomputed 0.85: within the auditor's 5 %, not the claim's 0.5 %
    report = verify(
        make_claim(tmp_path, tolerance_pct=0.5, declared_value=0.856),
        labels=SCHEMES,
        tolerance_pct=5,
    )
    assert failed(report) == ["declared value agrees with the recomputed one"]
    assert report.tolerance == {
        "applied_pct": 0.5,
        "source": "claim",
        "auditor_pct": 5.0,
        "claim_pct": 0.5,
        "note": "the claim's own tolerance_pct, tighter than the auditor's ±5 %",
    }
    assert verify(make_claim(tmp_path, tolerance_pct=0.5, declared_value=0.854), labels=SCHEMES)


def test_a_tighter_auditor_tolerance_applies(tmp_path: Path) -> None:
    path = make_claim(tmp_path, declared_value=0.8584)  # +0.99 %, the claim says 1 %
    assert verify(path, labels=SCHEMES).verified
    report = verify(path, labels=SCHEMES, tolerance_pct=0.1)
    assert not report.verified
    assert (report.tolerance["applied_pct"], report.tolerance["source"]) == (0.1, "auditor")
    assert value_check(report).inputs["tolerance_pct"] == 0.1


def test_the_reports_state_the_tolerance_and_its_source(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path), labels=SCHEMES, tolerance_pct=2.5)
    data = json.loads(report.to_json())
    assert data["tolerance"]["applied_pct"] == 1.0
    assert data["tolerance"]["source"] == "claim"
    assert "tolerance applied**: ±1 % (the claim's own tolerance_pct" in report.to_markdown()


@pytest.mark.parametrize("bad", [-0.1, 100.5, math.nan, math.inf])
def test_tolerance_out_of_bounds_is_bad_input(tmp_path: Path, bad: float) -> None:
    path = make_claim(tmp_path)
    with pytest.raises(FootprintError, match="0 to 100") as caught:
        verify(path, labels=SCHEMES, tolerance_pct=bad)
    assert caught.value.where is not None
    assert "--tolerance" in caught.value.where
    with pytest.raises(ClaimError, match="tolerance_pct"):
        verify(make_claim(tmp_path, tolerance_pct=bad), labels=SCHEMES)


def test_cli_tolerance_out_of_bounds_exits_2(tmp_path: Path) -> None:
    claim = make_claim(tmp_path, scheme="buy-clean-california-2022-rebar")
    for bad in ("101", "nan", "-1"):
        proc = run_cli(str(claim), "--tolerance", bad)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "--tolerance" in proc.stderr


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        ({"scrap_share": "plenty"}, r"scrap_share = 'plenty' \(not a number\)"),
        ({"scrap_share": True}, r"scrap_share = True \(a yes/no value\)"),
        ({"scrap_share": None}, r"scrap_share = None \(no value\)"),
        ({"scrap_mass": "0.95 m3", "metallic_input_mass": "1 t"}, r"scrap_mass = '0.95 m3'"),
        ({"scrap_mass": 950, "metallic_input_mass": "1 t"}, r"without its unit"),
        ({"scrap_shares": 0.95}, r"'scrap_shares' is not used"),
    ],
)
def test_evidence_not_of_its_type_is_bad_input(
    tmp_path: Path, evidence: dict[str, object], words: str
) -> None:
    with pytest.raises(EvidenceError, match=words) as caught:
        verify(make_claim(tmp_path, evidence=evidence), labels=SCHEMES)
    key = next(iter(evidence))
    assert caught.value.where == f"{tmp_path / 'claim.yaml'}, evidence.{key}"
    assert caught.value.fix


def test_non_finite_evidence_is_refused_where_the_claim_is_read(tmp_path: Path) -> None:
    from footprint.labels.claim import ClaimError

    with pytest.raises(ClaimError, match=r"line \d+: scrap_share: '\.nan' is not a finite number"):
        verify(make_claim(tmp_path, evidence={"scrap_share": math.nan}), labels=SCHEMES)


def test_unknown_evidence_lists_the_keys_understood(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        verify(make_claim(tmp_path, evidence={"recycled": 0.9}), labels=SCHEMES)
    assert caught.value.fix is not None
    assert "(the evidence understood here: metallic_input_mass, scrap_mass, scrap_share)" in (
        caught.value.fix
    )
    assert "rename" not in caught.value.fix
    with pytest.raises(EvidenceError) as typo:
        verify(make_claim(tmp_path, evidence={"scrap_shares": 0.95}), labels=SCHEMES)
    assert typo.value.fix is not None
    assert typo.value.fix.startswith("rename it to 'scrap_share' if that is meant")


def test_fraction_a_scheme_rule_uses_must_lie_in_0_1(tmp_path: Path) -> None:
    sliding = {"scheme": "test-rebar-sliding-2024", "evidence": {"scrap_share": 95}}
    with pytest.raises(EvidenceError, match=r"scrap_share = 95 \(out of range\).*0 to 1"):
        verify(make_claim(tmp_path, **sliding), labels=SCHEMES)
    sliding["evidence"] = {"scrap_share": 0.95}
    report = verify(make_claim(tmp_path, **sliding), labels=SCHEMES)
    assert report.verified
    assert report.verdict is not None
    assert report.verdict["threshold"] == pytest.approx(2.0 - 0.95)


def test_cli_text_evidence_exits_2_naming_the_key(tmp_path: Path) -> None:
    claim = make_claim(
        tmp_path, scheme="buy-clean-california-2022-rebar", evidence={"scrap_share": "most"}
    )
    proc = run_cli(str(claim))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "evidence.scrap_share" in proc.stderr
    assert "'most'" in proc.stderr


def outside_claim(tmp_path: Path, inventory: str) -> Path:
    claims = tmp_path / "claims"
    claims.mkdir()
    path = make_claim(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["inventory"] = inventory
    (claims / "claim.yaml").write_text(yaml.safe_dump(data))
    return claims / "claim.yaml"


def test_claim_naming_a_file_outside_its_directory_is_refused(tmp_path: Path) -> None:
    claim = outside_claim(tmp_path, "../rebar.yaml")
    with pytest.raises(ClaimError, match="outside the claim's directory") as caught:
        verify(claim, labels=SCHEMES)
    assert caught.value.fix is not None
    assert f"--allow-path {tmp_path}" in caught.value.fix
    assert verify(claim, labels=SCHEMES, allow_paths=[tmp_path]).verified


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../../etc/passwd"])
def test_claim_cannot_read_any_file_on_the_machine(tmp_path: Path, name: str) -> None:
    with pytest.raises(ClaimError, match="outside"):
        verify(outside_claim(tmp_path, name), labels=SCHEMES)


def test_symlink_escaping_the_directory_is_refused(tmp_path: Path) -> None:
    claim = outside_claim(tmp_path, "rebar.yaml")
    (claim.parent / "rebar.yaml").symlink_to(tmp_path / "rebar.yaml")
    with pytest.raises(ClaimError, match="resolves to"):
        verify(claim, labels=SCHEMES)
    assert verify(claim, labels=SCHEMES, allow_paths=[tmp_path]).verified


def test_symlink_inside_the_directory_is_followed(tmp_path: Path) -> None:
    path = make_claim(tmp_path)
    (tmp_path / "submitted.yaml").symlink_to(tmp_path / "rebar.yaml")
    data = yaml.safe_load(path.read_text())
    data["inventory"] = "submitted.yaml"
    path.write_text(yaml.safe_dump(data))
    assert verify(path, labels=SCHEMES).verified


def test_allow_path_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="not a directory"):
        verify(make_claim(tmp_path), labels=SCHEMES, allow_paths=[tmp_path / "nowhere"])


def test_cli_outside_path_exits_2_and_allow_path_lets_it_in(tmp_path: Path) -> None:
    claim = outside_claim(tmp_path, "../rebar.yaml")
    data = yaml.safe_load(claim.read_text())
    data["scheme"], data["scheme_version"] = "buy-clean-california-2022-rebar", "2022"
    data["claim_date"] = "2024-03-01"
    claim.write_text(yaml.safe_dump(data))
    refused = run_cli(str(claim))
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert "--allow-path" in refused.stderr
    allowed = run_cli(str(claim), "--allow-path", str(tmp_path), "--format", "json")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["verified"] is True
