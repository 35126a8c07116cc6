"""Every shipped example computes, and the results table in its README matches the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from footprint.engine.calculate import calculate
from footprint.paths import examples_dir

EXAMPLES = sorted(p for p in examples_dir().iterdir() if p.suffix in {".yaml", ".csv"})
README_ROWS = [
    row
    for row in re.findall(
        r"^\| `([^`]+)` \|.*?\| \*\*([\d,.]+)\*\* \|",
        (examples_dir() / "README.md").read_text(),
        flags=re.M,
    )
    if "/" not in row[0]  # the examples on other backgrounds: tests/test_example_bands.py
]


def test_at_least_six_examples_with_a_chinese_product() -> None:
    assert len(EXAMPLES) >= 6
    assert any("geography: CN" in p.read_text(encoding="utf-8") for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_computes_and_cites(path: Path) -> None:
    result = calculate(path)
    assert result.total > 0
    assert sum(result.by_stage.values()) == pytest.approx(result.total, rel=1e-9)
    text = path.read_text(encoding="utf-8")
    assert re.search(r"sources:|\[S\d\]|Sources", text), "foreground data must be cited"


@pytest.mark.parametrize(("name", "shown"), README_ROWS, ids=[r[0] for r in README_ROWS])
def test_readme_results_match(name: str, shown: str) -> None:
    value = float(shown.replace(",", ""))
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert round(calculate(examples_dir() / name).total, decimals) == pytest.approx(value)


def test_readme_lists_every_example() -> None:
    assert sorted(r[0] for r in README_ROWS) == [p.name for p in EXAMPLES]


YAML_EXAMPLES = [p for p in EXAMPLES if p.suffix == ".yaml"]


@pytest.mark.parametrize("path", YAML_EXAMPLES, ids=lambda p: p.name)
def test_yaml_example_declares_and_explains_its_uncertainty(path: Path) -> None:
    from footprint.engine.montecarlo import monte_carlo
    from footprint.inventory import read_inventory

    inventory = read_inventory(path)
    lines = [x for p in inventory.processes for x in (*p.inputs, *p.emissions)]
    assert sum(x.uncertainty is not None for x in lines) >= 3
    declared = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("uncertainty:")
    ]
    assert declared
    for line in declared:  # each says why, citing the example's sources or its reasoning
        comment = line.split("#", 1)[1] if "#" in line else ""
        assert re.search(r"\[S\d\]|ENGINEERING ESTIMATE|stoichiometr", comment), line
    result = monte_carlo(inventory, iterations=200, seed=1)
    assert result.sources == "inventory"
    assert result.has_spread
    assert result.percentiles["2.5"] < result.percentiles["97.5"]


def test_examples_readme_explains_the_scores_of_every_yaml_example() -> None:
    text = (examples_dir() / "README.md").read_text(encoding="utf-8")
    section = text.split("## Uncertainty of the foreground data", 1)[1].split("\n## ", 1)[0]
    for path in YAML_EXAMPLES:
        assert f"`{path.name}`" in section
    assert "rebar-flat-bom.csv" in section  # says why the CSV has none
