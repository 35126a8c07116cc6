"""Rule kinds: each a small class that judges a :class:`Subject` and returns an :class:`Outcome`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import pint

from footprint.errors import UnitError
from footprint.labels.scheme import Number, Rule, Scheme, SchemeError
from footprint.labels.verdict import Outcome, Verdict
from footprint.units import convert, quantity

INDICATOR_NAMES = {"gwp": "GWP", "energy": "energy use"}


@dataclass(frozen=True)
class Subject:
    """What is judged: indicator values per declared unit, and the evidence offered.

    ``values`` holds e.g. ``{"gwp": <812 kg CO2e / t>, "energy": <9800 MJ / t>}``; ``evidence``
    holds parameters (``scrap_share: 0.97``) and quantities (``baseline_footprint: "900 kg CO2e/t"``).
    """

    values: dict[str, pint.Quantity]  # type: ignore[type-arg]
    evidence: dict[str, Any] = field(default_factory=dict)
    #: how each value's unit is written for people, e.g. ``{"gwp": "kg CO2e/t"}``
    labels: dict[str, str] = field(default_factory=dict)

    def unit_label(self, indicator: str) -> str:
        """The unit of ``indicator`` as people write it."""
        return self.labels.get(indicator) or f"{self.values[indicator].units:~P}"


def _cite(scheme: Scheme, *numbers: Number | None) -> list[str]:
    out = []
    for number in numbers:
        if number is not None and number.cite and number.cite in scheme.citations:
            text = scheme.citations[number.cite].text()
            if text not in out:
                out.append(text)
    return out


def _threshold(number: Number, scheme: Scheme) -> pint.Quantity:  # type: ignore[type-arg]
    if not number.unit:
        raise SchemeError(f"the number {number.value} has no unit", where=f"scheme {scheme.id}")
    return quantity(number.value, number.unit)


def _meets(value: float, limit: float, inclusive: bool) -> bool:
    return value <= limit if inclusive else value < limit


class NotComparable(Exception):
    """The value and the threshold measure different things."""


def _in_unit(value: pint.Quantity, unit: Any) -> float:  # type: ignore[type-arg]
    try:
        return convert(value, unit)
    except UnitError:
        raise NotComparable(
            f"the product's value is in {value.units:~P} and the threshold in {unit:~P}: they cannot be "
            "compared without a conversion factor (e.g. a density for m³ and t)"
        ) from None


def _number_evidence(subject: Subject, key: str) -> float | None:
    """An evidenced number (typed by :func:`footprint.labels.evidence.typed`), None if not given."""
    raw = subject.evidence.get(key)
    return None if raw is None else float(raw)


class RuleKind:
    """Base of the rule classes."""

    kind: ClassVar[str]

    def __init__(self, spec: Rule, scheme: Scheme, scale: float = 1.0) -> None:
        self.spec = spec
        self.scheme = scheme
        self.scale = scale  # multiplies every limit (scheme adjustments)

    def value(self, subject: Subject) -> pint.Quantity:  # type: ignore[type-arg]
        """The indicator this rule judges."""
        if self.spec.indicator not in subject.values:
            raise NotComparable(f"no {INDICATOR_NAMES[self.spec.indicator]} value was computed")
        return subject.values[self.spec.indicator]

    def evaluate(self, subject: Subject) -> Outcome:
        """The outcome for ``subject``."""
        try:
            return self._evaluate(subject)
        except NotComparable as exc:
            return Outcome(Verdict.NOT_COMPARABLE, reasons=[str(exc)], name=self.spec.name)

    def _evaluate(self, subject: Subject) -> Outcome:
        raise NotImplementedError

    def _compared(
        self,
        met: bool,
        value: float,
        threshold: float,
        unit: str,
        reason: str,
        cites: list[str],
        grade: str | None = None,
        margin: float | None = None,
    ) -> Outcome:
        """The outcome of comparing ``value`` with ``threshold`` (margin: threshold − value by default)."""
        return Outcome(
            Verdict.MET if met else Verdict.NOT_MET,
            value,
            threshold,
            unit,
            grade=grade,
            reasons=[reason],
            cites=cites,
            margin=threshold - value if margin is None else margin,
            name=self.spec.name,
        )

    def _graded(
        self,
        subject: Subject,
        limits: list[tuple[str, pint.Quantity, list[str]]],  # type: ignore[type-arg]
        reasons: list[str],
        shown: str,
    ) -> Outcome:
        """Best grade met among ``limits`` (best first); MET if any is met."""
        value = _in_unit(self.value(subject), limits[0][1].units)
        for name, limit, cites in limits:
            bound = float(limit.magnitude) * self.scale
            if _meets(value, bound, self.spec.inclusive):
                op = "≤" if self.spec.inclusive else "<"
                reason = f"{value:.6g} {op} {bound:.6g} {shown}" + (f" ({name})" if name else "")
                return _prefixed(
                    self._compared(True, value, bound, shown, reason, cites, name or None), reasons
                )
        name, limit, cites = limits[-1]
        bound = float(limit.magnitude) * self.scale
        op = ">" if self.spec.inclusive else "≥"
        reason = f"{value:.6g} {op} {bound:.6g} {shown}" + (
            f", the least demanding level ({name})" if len(limits) > 1 else ""
        )
        return _prefixed(self._compared(False, value, bound, shown, reason, cites), reasons)


def _prefixed(outcome: Outcome, reasons: list[str]) -> Outcome:
    """``outcome`` with ``reasons`` before its own."""
    return replace(outcome, reasons=[*reasons, *outcome.reasons])


class Ceiling(RuleKind):
    """Meets when the value is at most (or below) one limit."""

    kind = "ceiling"

    def _evaluate(self, subject: Subject) -> Outcome:
        assert self.spec.limit is not None
        limit = _threshold(self.spec.limit, self.scheme)
        return self._graded(
            subject,
            [("", limit, _cite(self.scheme, self.spec.limit))],
            [],
            self.spec.limit.unit or "",
        )


class Tiers(RuleKind):
    """Graded: the best tier whose limit is met (tiers listed best first)."""

    kind = "tiers"

    def _evaluate(self, subject: Subject) -> Outcome:
        limits = [
            (t.name, _threshold(t.limit, self.scheme), _cite(self.scheme, t.limit))
            for t in self.spec.tiers
        ]
        return self._graded(subject, limits, [], self.spec.tiers[0].limit.unit or "")


class Sliding(RuleKind):
    """Limits that move with an evidenced parameter: ``intercept + slope × parameter``."""

    kind = "sliding"

    def _evaluate(self, subject: Subject) -> Outcome:
        name = self.spec.parameter or ""
        parameter = _number_evidence(subject, name)
        reasons = []
        if parameter is None:
            if self.spec.default_parameter is None:
                return Outcome(
                    Verdict.INSUFFICIENT_EVIDENCE,
                    name=self.spec.name,
                    reasons=[f"the rule needs evidence of {name!r}, and none was given"],
                )
            parameter = self.spec.default_parameter
            reasons.append(f"{name} not evidenced: the scheme's default {parameter:g} applies")
        low, high = self.spec.parameter_range or (float("-inf"), float("inf"))
        if not low <= parameter <= high:
            return Outcome(
                Verdict.INSUFFICIENT_EVIDENCE,
                name=self.spec.name,
                reasons=[f"{name} = {parameter:g} is outside its range [{low:g}, {high:g}]"],
            )
        reasons.append(f"{name} = {parameter:g}")
        limits = []
        for cls in self.spec.classes:
            intercept = _threshold(cls.intercept, self.scheme)
            slope = _threshold(cls.slope, self.scheme)
            limits.append(
                (
                    cls.name,
                    intercept + slope * parameter,
                    _cite(self.scheme, cls.intercept, cls.slope),
                )
            )
        return self._graded(subject, limits, reasons, self.spec.classes[0].intercept.unit or "")


def _evidence_quantity(subject: Subject, key: str, unit: Any) -> float | None:
    """An evidenced quantity (e.g. ``"900 kg CO2e/t"``) in ``unit``, None if not given.

    A bare number is never read as being in the compared unit: typed evidence always has its unit.
    """
    raw = subject.evidence.get(key)
    if raw is None:
        return None
    return _in_unit(raw if isinstance(raw, pint.Quantity) else quantity(raw), unit)


class RelativeReduction(RuleKind):
    """Meets when the value is at least a given percentage below an evidenced baseline."""

    kind = "relative_reduction"

    def _evaluate(self, subject: Subject) -> Outcome:
        assert self.spec.baseline is not None
        assert self.spec.min_reduction_pct is not None
        value_q = self.value(subject)
        baseline = _evidence_quantity(subject, self.spec.baseline, value_q.units)
        year = f" ({self.spec.baseline_year})" if self.spec.baseline_year else ""
        if baseline is None or baseline <= 0:
            return Outcome(
                Verdict.INSUFFICIENT_EVIDENCE,
                name=self.spec.name,
                reasons=[f"the rule needs a positive baseline {self.spec.baseline!r}{year}"],
            )
        value = float(value_q.magnitude)
        achieved = 100.0 * (baseline - value) / baseline
        required = self.spec.min_reduction_pct.value * self.scale
        met = achieved >= required if self.spec.inclusive else achieved > required
        shown = subject.unit_label(self.spec.indicator)
        reason = (
            f"{value:.6g} {shown} is {achieved:.3g} % below the baseline{year} {baseline:.6g} {shown}; "
            f"{required:g} % required"
        )
        cites = _cite(self.scheme, self.spec.min_reduction_pct)
        return self._compared(
            met, achieved, required, "% below baseline", reason, cites, margin=achieved - required
        )


class CategoryAverage(RuleKind):
    """Meets when the value is below (or at) the average of the product category."""

    kind = "category_average"

    def _evaluate(self, subject: Subject) -> Outcome:
        average = self.spec.average
        value_q = self.value(subject)
        if isinstance(average, Number):
            limit = _in_unit(_threshold(average, self.scheme), value_q.units)
            cites = _cite(self.scheme, average)
        else:
            assert average is not None
            found = _evidence_quantity(subject, average, value_q.units)
            if found is None:
                return Outcome(
                    Verdict.INSUFFICIENT_EVIDENCE,
                    name=self.spec.name,
                    reasons=[f"the rule needs the category average {average!r}"],
                )
            limit, cites = found, []
        value = float(value_q.magnitude)
        shown = subject.unit_label(self.spec.indicator)
        met = _meets(value, limit, self.spec.inclusive)
        reason = f"{value:.6g} vs category average {limit:.6g} {shown}"
        return self._compared(met, value, limit, shown, reason, cites)


class MultiCriteria(RuleKind):
    """Every criterion must be met (or, with ``any``, at least one)."""

    kind = "multi_criteria"

    def _evaluate(self, subject: Subject) -> Outcome:
        results = [
            rule_for(c, self.scheme, self.scale).evaluate(subject) for c in self.spec.criteria
        ]
        verdicts = [r.verdict for r in results]
        if self.spec.any:
            verdict = (
                Verdict.MET
                if Verdict.MET in verdicts
                else Verdict.INSUFFICIENT_EVIDENCE
                if Verdict.INSUFFICIENT_EVIDENCE in verdicts
                else Verdict.NOT_COMPARABLE
                if Verdict.NOT_COMPARABLE in verdicts
                else Verdict.NOT_MET
            )
        else:
            verdict = (
                Verdict.NOT_MET
                if Verdict.NOT_MET in verdicts
                else Verdict.NOT_COMPARABLE
                if Verdict.NOT_COMPARABLE in verdicts
                else Verdict.INSUFFICIENT_EVIDENCE
                if Verdict.INSUFFICIENT_EVIDENCE in verdicts
                else Verdict.MET
            )
        how = "any one" if self.spec.any else "every"
        reasons = [f"{how} criterion must be met"] + [
            f"{r.name or 'criterion'}: {r.verdict.value} — {'; '.join(r.reasons)}" for r in results
        ]
        deciding = [r for r in results if r.verdict == verdict] or results
        first = deciding[0]
        return Outcome(
            verdict,
            first.value,
            first.threshold,
            first.unit,
            grade=None,
            reasons=reasons,
            cites=[c for r in results for c in r.cites],
            margin=first.margin,
            criteria=results,
            name=self.spec.name,
        )


RULES: dict[str, type[RuleKind]] = {
    cls.kind: cls
    for cls in (Ceiling, Tiers, Sliding, RelativeReduction, CategoryAverage, MultiCriteria)
}


def rule_for(spec: Rule, scheme: Scheme, scale: float = 1.0) -> RuleKind:
    """The rule class instance for ``spec``."""
    return RULES[spec.kind](spec, scheme, scale)
