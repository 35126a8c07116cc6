"""Verify a label claim: recompute it from its inventory and check it against the scheme in force."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from footprint.errors import FootprintError, UnitError
from footprint.labels.assess import evaluate
from footprint.labels.claim import Claim, ClaimError, read_claim
from footprint.labels.scheme import Scheme, SchemeError, get_scheme, load_schemes
from footprint.labels.verdict import Verdict
from footprint.units import convert, quantity

FRACTIONS = ("share", "ratio", "fraction", "content")


@dataclass(frozen=True)
class Check:
    """One verification step: what was checked, on which inputs, and its outcome."""

    name: str
    passed: bool
    outcome: str
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationReport:
    """Every check of a claim, the recomputed value, and whether the claim is verified."""

    claim: dict[str, Any]
    checks: list[Check]
    recomputed: dict[str, Any] | None
    verdict: dict[str, Any] | None

    @property
    def verified(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (no dates or absolute paths: the same claim gives the same bytes)."""
        return {
            "claim": self.claim,
            "verified": self.verified,
            "checks": [asdict(c) for c in self.checks],
            "recomputed": self.recomputed,
            "verdict": self.verdict,
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys)."""
        return (
            json.dumps(
                self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False
            )
            + "\n"
        )

    def to_markdown(self) -> str:
        """The report as Markdown."""
        head = "VERIFIED" if self.verified else "NOT VERIFIED"
        lines = [f"# Claim verification: {head}", ""]
        for key in ("id", "scheme", "scheme_version", "claim_date", "declared"):
            if self.claim.get(key) is not None:
                lines.append(f"- **{key.replace('_', ' ')}**: {self.claim[key]}")
        if self.recomputed:
            lines.append(
                f"- **recomputed**: {self.recomputed['value']:.6g} {self.recomputed['unit']}"
            )
        lines += ["", "| # | check | result | outcome |", "|---|---|---|---|"]
        for i, c in enumerate(self.checks, 1):
            outcome = c.outcome.replace("|", "\\|")
            lines.append(f"| {i} | {c.name} | {'pass' if c.passed else '**FAIL**'} | {outcome} |")
        return "\n".join(lines) + "\n"


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _scheme(claim: Claim, directory: Path | None) -> Scheme:
    try:
        return get_scheme(claim.scheme, directory)
    except SchemeError as exc:
        raise ClaimError(exc.what, where="claim.scheme", fix=exc.fix) from None


def _version_checks(claim: Claim, scheme: Scheme, directory: Path | None) -> list[Check]:
    checks = [
        Check(
            "scheme version",
            claim.scheme_version == scheme.version,
            f"claimed version {claim.scheme_version!r}, scheme file version {scheme.version!r}",
            {"scheme": scheme.id, "claimed": claim.scheme_version, "file": scheme.version},
        )
    ]
    in_force = scheme.in_force(claim.claim_date)
    outcome = f"{scheme.valid_from} to {scheme.valid_to or 'open'}; claim date {claim.claim_date}"
    if not in_force:
        others = [
            s
            for s in load_schemes(directory)
            if s.family_id == scheme.family_id
            and s.id != scheme.id
            and s.in_force(claim.claim_date)
        ]
        if others:
            outcome += f"; in force on that date: {', '.join(f'{s.id} (version {s.version})' for s in others)}"
    checks.append(
        Check(
            "scheme in force on the claim date",
            in_force,
            outcome,
            {
                "valid_from": str(scheme.valid_from),
                "valid_to": str(scheme.valid_to),
                "claim_date": str(claim.claim_date),
            },
        )
    )
    same = scheme.gwp in ("any", claim.gwp)
    checks.append(
        Check(
            "GWP set",
            same,
            f"claim {claim.gwp}, scheme {scheme.gwp}",
            {"claim": claim.gwp, "scheme": scheme.gwp},
        )
    )
    return checks


def _evidence_checks(claim: Claim, parameters: dict[str, float]) -> list[Check]:
    problems, inputs = [], {}
    for key, value in sorted(claim.evidence.items()):
        if any(word in key for word in FRACTIONS) and isinstance(value, int | float):
            inputs[key] = value
            if not 0 <= float(value) <= 1:
                problems.append(f"{key} = {value} is outside 0–1")
        if (
            key in parameters
            and isinstance(value, int | float)
            and not math.isclose(float(value), parameters[key], rel_tol=1e-9, abs_tol=1e-12)
        ):
            problems.append(f"{key}: evidence {value} but the inventory says {parameters[key]}")
    scrap, metal = claim.evidence.get("scrap_mass"), claim.evidence.get("metallic_input_mass")
    if scrap is not None and metal is not None and "scrap_share" in claim.evidence:
        try:
            balance = convert(quantity(scrap), "kg") / convert(quantity(metal), "kg")
        except UnitError as exc:
            raise ClaimError(exc.what, where="claim.evidence", fix=exc.fix) from None
        inputs["scrap_mass / metallic_input_mass"] = balance
        if not math.isclose(balance, float(claim.evidence["scrap_share"]), rel_tol=0.01):
            problems.append(
                f"mass balance gives scrap share {balance:.4g}, evidence says "
                f"{claim.evidence['scrap_share']}"
            )
    return [
        Check(
            "evidence in range and consistent",
            not problems,
            "; ".join(problems) or "all evidenced fractions within 0–1 and consistent",
            inputs,
        )
    ]


def _period_check(result_product: dict[str, Any]) -> Check:
    period = result_product.get("reference_period")
    if not period:
        return Check(
            "reference period of 12 months", False, "the inventory states no reference_period"
        )
    import datetime as dt

    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    days = (end - start).days
    ok = days in (364, 365, 366)
    return Check(
        "reference period of 12 months",
        ok,
        f"{start} to {end} ({days + 1} days inclusive)",
        dict(period),
    )


def verify(claim_path: str | Path, *, labels: Path | None = None) -> VerificationReport:
    """Verify the claim in ``claim_path``.

    Raises:
        FootprintError: the claim file itself is malformed or names an unknown scheme (exit 2);
            every problem with the claim's substance is a failed check instead.
    """
    from footprint.engine.calculate import calculate

    path = Path(claim_path)
    claim, inventory_path = read_claim(path)
    scheme = _scheme(claim, labels)
    claim_info = {
        "id": claim.id,
        "file": path.name,
        "inventory": claim.inventory,
        "scheme": claim.scheme,
        "scheme_version": claim.scheme_version,
        "claim_date": str(claim.claim_date),
        "declared": f"{claim.declared_value:g} {claim.declared_unit}",
        "gwp": claim.gwp,
        "tolerance_pct": claim.tolerance_pct,
    }
    actual = _sha256(inventory_path)
    checks = [
        Check(
            "inventory unchanged (sha256)",
            actual == claim.inventory_sha256.lower(),
            "matches"
            if actual == claim.inventory_sha256.lower()
            else (
                "inventory file not found"
                if actual is None
                else "the inventory differs from the one submitted"
            ),
            {"file": claim.inventory, "claimed": claim.inventory_sha256, "actual": actual},
        )
    ]
    checks += _version_checks(claim, scheme, labels)
    if actual is None:
        return VerificationReport(claim_info, checks, None, None)
    try:
        result = calculate(inventory_path, gwp=claim.gwp)
    except FootprintError as exc:
        checks.append(
            Check(
                "inventory computes",
                False,
                exc.message.replace(str(inventory_path), claim.inventory),
            )
        )
        return VerificationReport(claim_info, checks, None, None)
    per = f"kg CO2e/{result.declared_unit}"
    recomputed_value = result.total / result.declared_amount
    recomputed = {
        "value": recomputed_value,
        "unit": per,
        "gwp": claim.gwp,
        "background": result.background.get("version"),
        "method": result.method.get("name"),
    }
    try:
        declared = convert(quantity(claim.declared_value, claim.declared_unit), per)
        unit_ok, unit_note = True, f"{claim.declared_unit} is comparable with {per}"
    except UnitError:
        declared, unit_ok = None, False
        unit_note = (
            f"the claim's unit {claim.declared_unit} is not comparable with the inventory's {per}"
        )
    if scheme.declared_unit == "any":
        scheme_note = "; the scheme compares each product in its own declared unit"
    else:
        try:
            convert(quantity(1, per), f"kg CO2e/{scheme.declared_unit}")
            scheme_note = f"; the scheme's declared unit {scheme.declared_unit} is comparable"
        except UnitError:
            unit_ok = False
            scheme_note = f"; the scheme is per {scheme.declared_unit}, the product per {result.declared_unit}"
    checks.append(
        Check(
            "declared unit",
            unit_ok,
            unit_note + scheme_note,
            {
                "claim": claim.declared_unit,
                "inventory": result.declared_unit,
                "scheme": scheme.declared_unit,
            },
        )
    )
    checks.append(_period_check(result.product))
    checks += _evidence_checks(claim, dict(result.product.get("parameters") or {}))
    if declared is not None:
        difference = (
            100.0 * (declared - recomputed_value) / recomputed_value
            if recomputed_value
            else math.inf
        )
        checks.append(
            Check(
                "declared value agrees with the recomputed one",
                abs(difference) <= claim.tolerance_pct,
                f"declared {declared:.6g}, recomputed {recomputed_value:.6g} {per} ({difference:+.3g} %, "
                f"tolerance ±{claim.tolerance_pct:g} %)",
                {
                    "declared": declared,
                    "recomputed": recomputed_value,
                    "difference_pct": difference,
                },
            )
        )
    verdict = evaluate(result, scheme, evidence=claim.evidence, on=claim.claim_date)
    met = verdict.verdict is Verdict.MET
    outcome = f"{verdict.verdict.value}: " + "; ".join(verdict.outcome.reasons)
    if met and claim.grade is not None and verdict.outcome.grade != claim.grade:
        met = False
        outcome += f"; the grade met is {verdict.outcome.grade!r}, the claim says {claim.grade!r}"
    checks.append(
        Check(
            "scheme met by the recomputed value",
            met,
            outcome,
            {
                "scheme": scheme.id,
                "threshold": verdict.outcome.threshold,
                "unit": verdict.outcome.unit,
                "grade": verdict.outcome.grade,
            },
        )
    )
    if claim.offsets:
        checks.append(
            Check(
                "offsets excluded",
                True,
                f"offsets of {claim.offsets} are declared and were not subtracted",
            )
        )
    return VerificationReport(claim_info, checks, recomputed, verdict.to_dict())
