"""Chart and number formatting building blocks."""

from __future__ import annotations

import math
import re

import pytest

from footprint.report import charts
from footprint.report.format import formula, parse, pct, sig


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (574.0301005223566, "574.0"),
        (13165.4, "13,170"),
        (0.5740301, "0.5740"),
        (8.844645828883209, "8.845"),
        (999.96, "1,000"),
        (-0.11093417737172505, "-0.1109"),
        (0.0, "0"),
        (1.443e-17, "1.443e-17"),
        (8.401e-4, "0.0008401"),
        (None, "–"),
        (math.nan, "–"),
    ],
)
def test_significant_figures(value: float | None, text: str) -> None:
    assert sig(value) == text


@pytest.mark.parametrize("value", [574.0301005223566, 13165.4, 0.000123456, -42.424242, 7.0e12])
def test_shown_numbers_parse_back(value: float) -> None:
    assert parse(sig(value)) == pytest.approx(value, rel=5e-4)


def test_percentages_and_formulas() -> None:
    assert pct(-0.0193) == "0.0 %"
    assert pct(32.64) == "32.6 %"
    assert formula("N2O") == "N₂O"
    assert formula("HFC-134a") == "HFC-134a"


def test_svg_is_inline_ready_and_deterministic() -> None:
    svg = charts.bars("demo", "Demo $title$", ["a", "b <&>"], [1.0, -2.0], "kg CO₂e per 1 t")
    assert svg == charts.bars(
        "demo", "Demo $title$", ["a", "b <&>"], [1.0, -2.0], "kg CO₂e per 1 t"
    )
    assert svg.startswith('<svg class="chart" ')
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "DOCTYPE" not in svg
    assert "<metadata" not in svg
    assert "http" not in svg, "no namespace URLs, no remote references"
    assert "dc:date" not in svg.lower()
    assert all(i.startswith("demo-") for i in re.findall(r'\bid="([^"]+)"', svg))
    assert all(r.startswith("demo-") for r in re.findall(r'href="#([^"]+)"', svg))
    assert '<title id="demo-title">Demo $title$</title>' in svg
    assert "b &lt;&amp;&gt;" in svg


def test_bullet_chart_handles_floors_and_values_below_zero() -> None:
    svg = charts.bullet("b", "reduction", -3.0, 20.0, [("limit", 20.0)], "% below baseline", True)
    assert "higher is better" in svg
    svg = charts.bullet(
        "c", "tiers", 0.5, 0.6, [("A", 0.2), ("B", 0.6), ("C", 1.0)], "t CO₂e/t", False
    )
    assert "lower is better" in svg
    assert ">A<" in svg
