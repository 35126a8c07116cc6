"""A footprint with its Monte Carlo spread: the chance of meeting a threshold or a scheme's limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from footprint.engine.result import UNIT, FootprintResult
from footprint.errors import FootprintError
from footprint.inventory import Inventory, read_inventory

if TYPE_CHECKING:
    from footprint.engine.montecarlo import UncertaintyResult
    from footprint.labels.verdict import LabelVerdict


@dataclass(frozen=True)
class UncertaintyRequest:
    """What to sample and what to judge the samples against.

    ``threshold`` is a footprint such as ``"0.89 t CO2e/t"`` (per declared unit) or ``"900 kg
    CO2e"`` (for the declared amount); errors in it name ``threshold_where``. ``schemes``: label
    scheme ids (or ``all``) whose footprint limits the samples are judged against, on ``on``.
    """

    iterations: int
    seed: int = 0
    gwp: str = "ar6"
    background: str = "default"
    data_dir: Path | None = None
    parameters: dict[str, float | str] = field(default_factory=dict)
    background_uncertainty: str = "none"
    workers: int | None = None
    scheduler: str | None = None
    threshold: str | None = None
    threshold_where: str = "threshold"
    schemes: tuple[str, ...] = ()
    on: dt.date | None = None


@dataclass(frozen=True)
class SchemeChance:
    """A scheme's footprint limit and the share of the samples meeting it."""

    scheme: str
    verdict: str  # the verdict on the deterministic footprint
    limit: float | None  # kg CO2e for the declared amount; None when the scheme sets none
    probability_meeting: float | None  # None without a limit or without a spread
    why: str  # why there is no probability ("" when there is one)
    unit: str = UNIT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "scheme": self.scheme,
            "verdict": self.verdict,
            "limit": self.limit,
            "unit": self.unit,
            "probability_meeting": self.probability_meeting,
            "why": self.why,
        }


@dataclass(frozen=True)
class UncertainFootprint:
    """The deterministic footprint, its Monte Carlo samples and the chances asked for."""

    result: FootprintResult
    uncertainty: UncertaintyResult
    #: the threshold as given, and in kg CO2e for the declared amount
    threshold: str | None = None
    limit: float | None = None
    #: per scheme asked for (None when no scheme was asked for)
    chances: list[SchemeChance] | None = None

    @property
    def probability_meeting_threshold(self) -> float | None:
        """The share of samples at or below the threshold; None without one or without a spread."""
        return None if self.limit is None else self.uncertainty.chance_at_most(self.limit)

    def to_dict(self) -> dict[str, Any]:
        """The result's data with its ``uncertainty`` (and the schemes' chances, when asked for)."""
        spread = self.uncertainty.to_dict(threshold=self.limit)
        if self.chances is not None:
            spread["schemes"] = [c.to_dict() for c in self.chances]
        return self.result.to_dict() | {"uncertainty": spread}


def threshold_kg(
    text: str, declared_amount: float, declared_unit: str, *, where: str = "threshold"
) -> float:
    """A footprint threshold in kg CO2e for the declared amount: ``text`` in a CO2e unit, or in a
    CO2e unit per declared unit (``0.89 t CO2e/t`` for a product declared per t).

    Raises:
        UnitError: ``text`` is not a quantity of either kind.
    """
    from footprint.units import convert, quantity

    given = quantity(text, where=where)
    try:
        return convert(given, UNIT, where=where)
    except FootprintError:
        per = f"{UNIT} / ({declared_unit})"
        return convert(given, per, where=where) * declared_amount


def footprint_uncertainty(
    inventory: Inventory | str | Path, request: UncertaintyRequest
) -> UncertainFootprint:
    """The footprint of ``inventory``, its Monte Carlo spread and the chances ``request`` asks for.

    Raises:
        FootprintError: as :func:`footprint.engine.calculate.calculate` and
            :func:`footprint.engine.montecarlo.monte_carlo`, a threshold that is not a footprint, or
            an unknown scheme id.
    """
    from footprint.engine.calculate import calculate
    from footprint.engine.montecarlo import monte_carlo

    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    if request.parameters:
        from footprint.inventory.validate import with_parameters

        inventory = with_parameters(inventory, request.parameters)
    result = calculate(
        inventory, gwp=request.gwp, background=request.background, data_dir=request.data_dir
    )
    limit = None
    if request.threshold is not None:
        limit = threshold_kg(
            request.threshold,
            result.declared_amount,
            result.declared_unit,
            where=request.threshold_where,
        )
    mc = monte_carlo(
        inventory,
        iterations=request.iterations,
        seed=request.seed,
        gwp=request.gwp,
        background=request.background,
        data_dir=request.data_dir,
        workers=request.workers,
        scheduler=request.scheduler,
        background_uncertainty=request.background_uncertainty,
    )
    chances = (
        _scheme_chances(inventory, result, mc, list(request.schemes), request.on)
        if request.schemes
        else None
    )
    return UncertainFootprint(result, mc, request.threshold, limit, chances)


def _scheme_chances(
    inventory: Inventory,
    result: FootprintResult,
    mc: UncertaintyResult,
    wanted: list[str],
    day: dt.date | None,
) -> list[SchemeChance]:
    """Per scheme: its limit (kg CO2e for the declared amount) and the share of samples meeting it."""
    from footprint.engine.montecarlo import NO_PROBABILITY
    from footprint.labels.assess import evaluate, limit_for
    from footprint.labels.check import schemes_for

    out = []
    for scheme in schemes_for(inventory, wanted):
        verdict = evaluate(result, scheme, on=day)
        limit = limit_for(verdict, result)
        out.append(
            SchemeChance(
                scheme=scheme.id,
                verdict=verdict.verdict.value,
                limit=limit,
                probability_meeting=mc.chance_at_most(limit) if limit is not None else None,
                why=_no_limit(verdict)
                if limit is None
                else ("" if mc.has_spread else NO_PROBABILITY),
            )
        )
    return out


def _no_limit(verdict: LabelVerdict) -> str:
    reasons = "; ".join(verdict.outcome.reasons)
    return f"{verdict.verdict.value}, no footprint limit" + (f" ({reasons})" if reasons else "")
