"""Verdicts: the outcome of checking a value against a scheme."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """How a product fares against a label scheme. Only MET passes."""

    MET = "MET"
    NOT_MET = "NOT MET"
    NOT_COMPARABLE = "NOT COMPARABLE"
    INSUFFICIENT_EVIDENCE = "INSUFFICIENT EVIDENCE"
    NOT_IN_FORCE = "NOT IN FORCE"


@dataclass(frozen=True)
class Outcome:
    """A rule's outcome: the compared value, the threshold that applied, and why.

    ``margin`` is threshold − value for ceilings (positive: headroom, negative: gap) and achieved −
    required for reductions (percentage points); ``margin_pct`` is the margin relative to the
    threshold.
    """

    verdict: Verdict
    value: float | None = None
    threshold: float | None = None
    unit: str | None = None
    grade: str | None = None
    reasons: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    margin: float | None = None
    criteria: list[Outcome] = field(default_factory=list)
    name: str | None = None

    @property
    def margin_pct(self) -> float | None:
        """The margin as a percentage of the threshold."""
        if self.margin is None or not self.threshold:
            return None
        return 100.0 * self.margin / abs(self.threshold)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "grade": self.grade,
            "margin": self.margin,
            "margin_pct": self.margin_pct,
            "reasons": list(self.reasons),
            "citations": list(self.cites),
        }
        if self.name:
            out["name"] = self.name
        if self.criteria:
            out["criteria"] = [c.to_dict() for c in self.criteria]
        return out


@dataclass(frozen=True)
class LabelVerdict:
    """A product's verdict against one scheme version."""

    scheme: str
    scheme_name: str
    issuer: str
    version: str
    status: str
    outcome: Outcome
    product: str

    @property
    def verdict(self) -> Verdict:
        """The verdict."""
        return self.outcome.verdict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "scheme": self.scheme,
            "scheme_name": self.scheme_name,
            "issuer": self.issuer,
            "version": self.version,
            "status": self.status,
            "product": self.product,
            **self.outcome.to_dict(),
        }
