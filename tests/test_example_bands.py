"""Each example sits inside the published band its README row cites, or the row says why not.

The band is the first range in the row's "published comparison" cell (``600-1,000 kg/t``,
``1.0-1.5 t/t``, ``0.05-0.1 kg per ...``); the result is the engine's, per declared unit.
"""

from __future__ import annotations

import re

import pytest

from footprint.engine.calculate import calculate
from footprint.paths import examples_dir

ROWS = [
    line.split("|")[1:-1]
    for line in (examples_dir() / "README.md").read_text(encoding="utf-8").splitlines()
    if re.match(r"^\| `[^`]+\.(yaml|csv)` \|.*\| \*\*[\d,.]+\*\* \|", line)  # the results table
]
BAND = re.compile(r"([\d][\d,.]*)\s*-\s*([\d][\d,.]*)\s*(kg/t|t/t|kg/m3|kg per)")
KG_PER_REPORTED = {"kg/t": 1.0, "t/t": 1000.0, "kg/m3": 1.0, "kg per": 1.0}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize("row", ROWS, ids=[r[0].strip(" `") for r in ROWS])
def test_example_is_inside_its_band_or_says_why(row: list[str]) -> None:
    name, comparison = row[0].strip(" `"), row[-1]
    if comparison.strip() == "same as above":
        comparison = next(r[-1] for r in ROWS if r[-1].strip() != "same as above")
    band = BAND.search(comparison)
    assert band is not None, f"{name}: no published band in {comparison!r}"
    factor = KG_PER_REPORTED[band.group(3)]
    low, high = _number(band.group(1)) * factor, _number(band.group(2)) * factor
    total = calculate(examples_dir() / name).total
    if low <= total <= high:
        return
    side = "Below" if total < low else "Above"
    assert f"{side} the band because" in comparison, (
        f"{name}: {total:,.4g} kg CO2e is outside {low:,.4g}-{high:,.4g} and the row does not "
        f"say why ('{side} the band because ...')"
    )
