"""Verify a label claim: recompute it from its inventory and check it against the scheme in force."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from footprint.engine.result import ProductInfo
from footprint.errors import FootprintError, UnitError, locate
from footprint.labels.assess import evaluate
from footprint.labels.claim import Claim, ClaimError, read_claim
from footprint.labels.evidence import (
    MASS_BALANCE,
    Expected,
    expected_evidence,
    like_parameter,
    refuse_unknown,
    typed,
)
from footprint.labels.scheme import Scheme, SchemeError, get_scheme, load_schemes
from footprint.labels.verdict import Verdict
from footprint.units import convert, quantity

#: the tolerance applied when the auditor gives none (no shipped scheme names its own), ± %
DEFAULT_TOLERANCE_PCT = 1.0


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
    #: the tolerance applied (``applied_pct``), where it came from (``source``) and why (``note``)
    tolerance: dict[str, Any] = field(default_factory=dict)

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
            "tolerance": self.tolerance,
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
        if self.tolerance:
            lines.append(
                f"- **tolerance applied**: ±{self.tolerance['applied_pct']:g} % "
                f"({self.tolerance['note']})"
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


def _evidence_checks(evidence: dict[str, Any], parameters: dict[str, Any]) -> list[Check]:
    """Evidence (typed) against the inventory's parameters, and the scrap mass balance."""
    problems, inputs = [], {}
    for key, value in sorted(evidence.items()):
        if isinstance(value, float):
            inputs[key] = value
        stated = parameters.get(key)
        if isinstance(value, float) and isinstance(stated, int | float):
            if not math.isclose(value, float(stated), rel_tol=1e-9, abs_tol=1e-12):
                problems.append(f"{key}: evidence {value:g} but the inventory says {stated:g}")
        elif key in parameters and isinstance(value, str) and value != stated:
            problems.append(f"{key}: evidence {value!r} but the inventory says {stated!r}")
    scrap, metal = evidence.get("scrap_mass"), evidence.get("metallic_input_mass")
    share = evidence.get("scrap_share")
    if scrap is not None and metal is not None and isinstance(share, float):
        balance = convert(scrap, "kg") / convert(metal, "kg")
        inputs["scrap_mass / metallic_input_mass"] = balance
        if not math.isclose(balance, share, rel_tol=0.01):
            problems.append(
                f"mass balance gives scrap share {balance:.4g}, evidence says {share:g}"
            )
    return [
        Check(
            "evidence in range and consistent",
            not problems,
            "; ".join(problems)
            or "every evidenced value has its type and range and agrees with the inventory",
            inputs,
        )
    ]


def _period_check(result_product: ProductInfo) -> Check:
    period = result_product.reference_period
    if not period:
        return Check(
            "reference period of 12 months", False, "the inventory states no reference_period"
        )
    import datetime as dt

    start, end = dt.date.fromisoformat(period.start), dt.date.fromisoformat(period.end)
    days = (end - start).days
    ok = days in (364, 365, 366)
    return Check(
        "reference period of 12 months",
        ok,
        f"{start} to {end} ({days + 1} days inclusive)",
        {"start": period.start, "end": period.end},
    )


def tolerance_applied(auditor_pct: float | None, claim_pct: float | None) -> dict[str, Any]:
    """The tolerance (± % of the recomputed value) a verification applies, and where it came from.

    The auditor's ``auditor_pct`` (default :data:`DEFAULT_TOLERANCE_PCT`: no shipped scheme names a
    tolerance of its own) bounds it; the claim's ``claim_pct`` can only tighten it.

    Raises:
        FootprintError: ``auditor_pct`` is not a finite number from 0 to 100.
    """
    if auditor_pct is None:
        auditor, source = DEFAULT_TOLERANCE_PCT, "default"
        note = "the default: the auditor gave no --tolerance"
    elif (
        isinstance(auditor_pct, bool)
        or not isinstance(auditor_pct, int | float)
        or not math.isfinite(auditor_pct)
        or not 0 <= auditor_pct <= 100
    ):
        raise FootprintError(
            f"tolerance {auditor_pct!r} % is not a finite number from 0 to 100",
            where="the auditor's tolerance (--tolerance)",
            fix="give the allowed difference in % of the recomputed value, e.g. --tolerance 1",
        )
    else:
        auditor, source = float(auditor_pct), "auditor"
        note = "the auditor's --tolerance"
    applied = auditor
    if claim_pct is not None and claim_pct < auditor:
        applied, source = claim_pct, "claim"
        note = f"the claim's own tolerance_pct, tighter than the auditor's ±{auditor:g} %"
    elif claim_pct is not None and claim_pct > auditor:
        note += f"; the claim's tolerance_pct of {claim_pct:g} % cannot widen it"
    return {
        "applied_pct": applied,
        "source": source,
        "auditor_pct": auditor,
        "claim_pct": claim_pct,
        "note": note,
    }


def _claim_evidence(
    claim: Claim, path: Path, expected: dict[str, Expected], parameters: dict[str, Any] | None
) -> dict[str, Any]:
    """The claim's evidence, typed; with the inventory's ``parameters``, unknown keys refused."""

    def where(key: str) -> str:
        return locate(path, None, f"evidence.{key}")

    if parameters is not None:
        expected = {
            **{k: like_parameter(v) for k, v in parameters.items()},
            **expected,
        }
        refuse_unknown(claim.evidence, expected, where=where)
    return typed(claim.evidence, expected, where=where)


def verify(
    claim_path: str | Path,
    *,
    labels: Path | None = None,
    tolerance_pct: float | None = None,
    allow_paths: Sequence[str | Path] = (),
) -> VerificationReport:
    """Verify the claim in ``claim_path``.

    Args:
        claim_path: the claim file (YAML).
        labels: the label schemes' directory (default: the shipped ``labels/``).
        tolerance_pct: the auditor's tolerance, ± % of the recomputed value, 0–100 (default
            :data:`DEFAULT_TOLERANCE_PCT`); the claim's own ``tolerance_pct`` can only tighten it.
        allow_paths: directories besides the claim's own that the files it names may lie in
            (after symlinks and ``..``).

    Raises:
        FootprintError: the claim file itself is malformed, names an unknown scheme, a file outside
            its directory and ``allow_paths``, or evidence that is not of its type; a tolerance out
            of bounds (exit 2). Every problem with the claim's substance is a failed check instead.
    """
    from footprint.engine.calculate import calculate

    tolerance_applied(tolerance_pct, None)  # the auditor's own input first
    for allowed in allow_paths:
        if not Path(allowed).is_dir():
            raise FootprintError(
                f"{str(allowed)!r} is not a directory",
                where="--allow-path",
                fix="give a directory the claim's files may lie in",
            )
    path = Path(claim_path)
    claim, inventory_path = read_claim(path, [Path(p) for p in allow_paths])
    tolerance = tolerance_applied(tolerance_pct, claim.tolerance_pct)
    scheme = _scheme(claim, labels)
    expected = {**MASS_BALANCE, **expected_evidence(scheme)}
    _claim_evidence(claim, path, expected, None)
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
        return VerificationReport(claim_info, checks, None, None, tolerance)
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
        return VerificationReport(claim_info, checks, None, None, tolerance)
    per = f"kg CO2e/{result.declared_unit}"
    recomputed_value = result.total / result.declared_amount
    recomputed = {
        "value": recomputed_value,
        "unit": per,
        "gwp": claim.gwp,
        "background": result.background.version,
        "method": result.method.name,
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
    parameters = dict(result.product.parameters)
    evidence = _claim_evidence(claim, path, expected, parameters)
    checks += _evidence_checks(evidence, parameters)
    if declared is not None:
        difference = (
            100.0 * (declared - recomputed_value) / recomputed_value
            if recomputed_value
            else math.inf
        )
        allowed = tolerance["applied_pct"]
        checks.append(
            Check(
                "declared value agrees with the recomputed one",
                abs(difference) <= allowed,
                f"declared {declared:.6g}, recomputed {recomputed_value:.6g} {per} "
                f"({difference:+.3g} %); tolerance ±{allowed:g} %, {tolerance['note']}",
                {
                    "declared": declared,
                    "recomputed": recomputed_value,
                    "difference_pct": difference,
                    "tolerance_pct": allowed,
                    "tolerance_source": tolerance["source"],
                },
            )
        )
    verdict = evaluate(result, scheme, evidence=evidence, on=claim.claim_date)
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
    return VerificationReport(claim_info, checks, recomputed, verdict.to_dict(), tolerance)
