"""Label verdicts as columns of a catalogue batch: one ``verdict:<scheme id>`` column per scheme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from footprint.engine.result import FootprintResult
from footprint.labels.assess import evaluate
from footprint.labels.scheme import Scheme, get_scheme, load_schemes
from footprint.labels.verdict import Verdict

PREFIX = "verdict:"


@dataclass(frozen=True)
class SchemeVerdicts:
    """Adds each scheme's verdict (MET, NOT MET, …) to a batch row.

    A scheme is applied to the products whose category it covers; other products get no verdict
    for it (an empty cell). Each scheme is evaluated on the GWP set it prescribes.
    """

    schemes: tuple[Scheme, ...]
    on: dt.date

    @classmethod
    def of(cls, wanted: list[str], on: dt.date | None = None) -> SchemeVerdicts:
        """The schemes named in ``wanted`` (ids, or ``all`` for every shipped scheme).

        Raises:
            SchemeError: an unknown scheme id.
        """
        if any(w == "all" for w in wanted):
            chosen = tuple(load_schemes())
        else:
            chosen = tuple(get_scheme(w) for w in dict.fromkeys(wanted))
        return cls(chosen, on or dt.date.today())

    @property
    def gwps(self) -> tuple[str, ...]:
        """The GWP sets the schemes prescribe (``any`` takes the batch's)."""
        return tuple(sorted({s.gwp for s in self.schemes if s.gwp != "any"}))

    def __call__(
        self, result: FootprintResult, result_for: Callable[[str], FootprintResult]
    ) -> dict[str, Any]:
        """``{"verdict:<id>": verdict}`` for the schemes covering the product's category."""
        category = result.product.category or None
        row: dict[str, Any] = {}
        for scheme in self.schemes:
            if not scheme.applies_to(category):
                continue
            on_gwp = result if scheme.gwp == "any" else result_for(scheme.gwp)
            row[PREFIX + scheme.id] = evaluate(on_gwp, scheme, on=self.on).verdict.value
        return row


@dataclass(frozen=True)
class PassRate:
    """How a scheme judged a catalogue: products judged, MET, NOT MET (the rest are other)."""

    judged: int
    met: int
    not_met: int

    @property
    def other(self) -> int:
        """NOT COMPARABLE, INSUFFICIENT EVIDENCE or NOT IN FORCE."""
        return self.judged - self.met - self.not_met


def pass_rate(verdicts: Iterable[str]) -> PassRate:
    """Count the verdicts of one ``verdict:<scheme>`` column (empty cells: not judged)."""
    judged = [v for v in verdicts if v]
    return PassRate(
        len(judged),
        sum(v == Verdict.MET.value for v in judged),
        sum(v == Verdict.NOT_MET.value for v in judged),
    )
