"""The verification page of a verified and of a not-verified claim."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from footprint.labels.verify import VerificationReport, verify
from footprint.report import render_verification_html
from tests.report.conftest import CLAIM
from tests.report.htmlcheck import parse


@pytest.fixture(scope="module")
def verified() -> VerificationReport:
    return verify(CLAIM)


def wrong_claim(tmp_path: Path) -> Path:
    """The shipped claim with a wrong declared value, copied to ``tmp_path`` with its inventory."""
    text = CLAIM.read_text(encoding="utf-8")
    assert "declared_value: 0.574" in text
    assert "inventory: steel-rebar-eaf.yaml" in text
    shutil.copy(CLAIM.parent / "steel-rebar-eaf.yaml", tmp_path / "steel-rebar-eaf.yaml")
    text = text.replace("declared_value: 0.574", "declared_value: 0.45")
    path = tmp_path / "claim.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_verified_claim(verified: VerificationReport) -> None:
    assert verified.verified
    html = render_verification_html(verified, generated="2025-06-01")
    page = parse(html)
    assert page.errors == []
    assert page.remote == []
    assert "✓</span> VERIFIED" in html
    assert "NOT VERIFIED" not in html
    checks = page.tables["table-checks"][1:]
    assert [row[1][0] for row in checks] == [c.name for c in verified.checks]
    assert all(row[2][0] == "✓ pass" for row in checks)
    assert page.block("comparison").svgs == 1
    assert page.block("comparison").tables == 1
    assert page.block("verdict").svgs == 1
    recomputed = {row[0][0]: row[1] for row in page.tables["table-claim"][1:]}
    assert verified.recomputed is not None
    assert float(recomputed["Recomputed"][1] or "nan") == verified.recomputed["value"]
    assert float(recomputed["Declared (in the recomputed unit)"][1] or "nan") == pytest.approx(
        574.0
    )


def test_not_verified_claim(tmp_path: Path) -> None:
    report = verify(wrong_claim(tmp_path))
    assert not report.verified
    html = render_verification_html(report, generated="2025-06-01")
    page = parse(html)
    assert page.errors == []
    assert page.remote == []
    assert "✗</span> NOT VERIFIED" in html
    assert 'class="banner not-met"' in html
    failed = [row for row in page.tables["table-checks"][1:] if row[2][0] == "✗ FAIL"]
    assert [row[1][0] for row in failed] == ["declared value agrees with the recomputed one"]
    assert 'class="failed"' in html
    assert "declared: 450" in html
    recomputed = report.recomputed["value"] if report.recomputed else float("nan")
    shown = re.search(r"difference_pct: (-?[\d.]+)", html)
    assert shown is not None
    assert float(shown.group(1)) == pytest.approx(100 * (450 - recomputed) / recomputed, rel=1e-4)
    assert f"{sum(c.passed for c in report.checks)} of {len(report.checks)} checks passed" in html


def test_claim_without_inventory_renders_without_comparison(tmp_path: Path) -> None:
    text = CLAIM.read_text(encoding="utf-8").replace(
        "inventory: steel-rebar-eaf.yaml", "inventory: missing.yaml"
    )
    path = tmp_path / "claim.yaml"
    path.write_text(text, encoding="utf-8")
    report = verify(path)
    html = render_verification_html(report, generated="2025-06-01")
    page = parse(html)
    assert page.errors == []
    assert "comparison" not in page.ids
    assert "NOT VERIFIED" in html
    assert "inventory file not found" in html


def test_page_states_the_tolerance_applied_and_where_it_came_from(tmp_path: Path) -> None:
    report = verify(wrong_claim(tmp_path), tolerance_pct=30)  # the claim's 1 % is tighter
    assert not report.verified
    html = render_verification_html(report, generated="2025-06-01")
    page = parse(html)
    assert page.errors == []
    rows = {row[0][0]: row[1][0] for row in page.tables["table-claim"][1:]}
    assert rows["Tolerance applied"] == "±1 %"
    assert (
        rows["Tolerance from"] == "the claim's own tolerance_pct, tighter than the auditor's ±30 %"
    )
    assert "Tolerance applied (± %)" in html
