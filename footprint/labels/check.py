"""Check one product against several schemes, each on the GWP set it prescribes."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.engine.result import FootprintResult
from footprint.inventory import Inventory, read_inventory
from footprint.labels.assess import applicable, evaluate
from footprint.labels.evidence import (
    Expected,
    expected_evidence,
    like_parameter,
    refuse_unknown,
    typed,
)
from footprint.labels.scheme import Scheme, get_scheme, load_schemes
from footprint.labels.verdict import LabelVerdict, Verdict


@dataclass(frozen=True)
class LabelReport:
    """Verdicts of several schemes on one product."""

    product: str
    category: str | None
    verdicts: list[LabelVerdict]

    @property
    def all_met(self) -> bool:
        """True when every scheme checked is MET (and at least one was checked)."""
        return bool(self.verdicts) and all(v.verdict is Verdict.MET for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "product": self.product,
            "category": self.category,
            "all_met": self.all_met,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }

    def to_csv(self) -> str:
        """One row per scheme."""
        import csv

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "scheme",
                "version",
                "status",
                "verdict",
                "value",
                "threshold",
                "unit",
                "margin",
                "margin_pct",
                "grade",
                "reasons",
            ]
        )
        for v in self.verdicts:
            o = v.outcome
            writer.writerow(
                [
                    v.scheme,
                    v.version,
                    v.status,
                    v.verdict.value,
                    o.value,
                    o.threshold,
                    o.unit,
                    o.margin,
                    o.margin_pct,
                    o.grade,
                    "; ".join(o.reasons),
                ]
            )
        return buffer.getvalue()


def schemes_for(inventory: Inventory, wanted: list[str]) -> list[Scheme]:
    """The schemes named in ``wanted``; ``all`` = every scheme covering the product's category.

    Raises:
        SchemeError: an unknown scheme id.
    """
    if any(w == "all" for w in wanted):
        return applicable(load_schemes(), inventory.product.category)
    return [get_scheme(w) for w in wanted]


def _typed_evidence(
    evidence: dict[str, Any], chosen: list[Scheme], inventory: Inventory
) -> dict[str, Any]:
    expected: dict[str, Expected] = {}
    for scheme in chosen:
        for key, want in expected_evidence(scheme).items():
            expected.setdefault(key, want)
    for key, value in inventory.product.parameters.items():
        expected.setdefault(key, like_parameter(value))
    refuse_unknown(evidence, expected, where=_on_command_line)
    return typed(evidence, expected, where=_on_command_line, sep="=")


def _on_command_line(key: str) -> str:
    return f"--evidence {key}"


def check_labels(
    inventory: Inventory | str | Path,
    schemes: list[str],
    *,
    evidence: dict[str, Any] | None = None,
    on: dt.date | None = None,
    background: str = "default",
    data_dir: Path | None = None,
    computed: FootprintResult | None = None,
) -> LabelReport:
    """Verdicts of ``schemes`` (ids, or ``["all"]`` for every scheme covering the product's category).

    ``computed``: the footprint of this inventory already computed on ``background`` (with no
    parameter overrides); a scheme on its GWP set is judged on it instead of computing it again.

    ``evidence`` values may be given as text (as on the command line: ``"0.95"``, ``"true"``,
    ``"900 kg CO2e/t"``); each is typed by what the schemes' rules do with it.

    Raises:
        FootprintError: bad inventory or unknown scheme id.
        EvidenceError: an evidence key no chosen scheme uses and no inventory parameter names, or a
            value not of its type (text or a boolean for a number, a fraction outside 0–1, a
            baseline without its unit...).
    """
    from footprint.engine.calculate import calculate

    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    chosen = schemes_for(inventory, schemes)
    evidence = _typed_evidence(evidence or {}, chosen, inventory)
    results: dict[str, FootprintResult] = {computed.method.gwp: computed} if computed else {}
    verdicts = []
    for scheme in chosen:
        gwp = "ar6" if scheme.gwp == "any" else scheme.gwp
        if gwp not in results:
            results[gwp] = calculate(inventory, gwp=gwp, background=background, data_dir=data_dir)
        verdicts.append(evaluate(results[gwp], scheme, evidence=evidence, on=on))
    return LabelReport(inventory.product.name, inventory.product.category, verdicts)
