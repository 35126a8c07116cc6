"""Verification of label claims: correct, tampered, over-stated, too early, wrong unit, malformed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from footprint.labels.claim import ClaimError
from footprint.labels.verify import verify

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


def test_evidence_out_of_range_or_inconsistent(tmp_path: Path) -> None:
    report = verify(make_claim(tmp_path, evidence={"scrap_share": 1.4}), labels=SCHEMES)
    check = next(c for c in report.checks if c.name == "evidence in range and consistent")
    assert not check.passed
    assert "outside 0–1" in check.outcome
    assert "the inventory says 0.95" in check.outcome


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
    proc = subprocess.run(
        [sys.executable, "-m", "footprint", "verify", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr


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
