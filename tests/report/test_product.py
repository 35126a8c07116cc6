"""The product report of every shipped example: valid, self-contained, and the same numbers."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from footprint.engine.calculate import calculate_scenarios
from footprint.report import render_html
from footprint.report.format import parse as parse_number
from footprint.report.format import sig
from tests.report.conftest import EXAMPLES, ROOT, Example, example
from tests.report.htmlcheck import column, parse

CHART_SECTIONS = ["by-stage", "contributors", "by-gas"]


def _render_fresh(ex: Example, **kwargs: Any) -> str:
    return render_html(
        ex.result, labels=ex.labels, tool_version="9.9.9", generated="2025-06-01", **kwargs
    )


_PAGES: dict[Path, str] = {}


def _render(ex: Example, **kwargs: Any) -> str:
    """The report page of ``ex``; without options, rendered once per session (it is deterministic:
    test_charts_are_deterministic)."""
    if kwargs:
        return _render_fresh(ex, **kwargs)
    if ex.path not in _PAGES:
        _PAGES[ex.path] = _render_fresh(ex)
    return _PAGES[ex.path]


def test_report_is_valid_self_contained_html(shipped: Example) -> None:
    html = _render(shipped)
    page = parse(html)
    assert page.errors == []
    assert page.remote == []
    assert html.startswith("<!DOCTYPE html>")
    for tag in ("script", "link", "img", "iframe"):
        assert page.tags.get(tag, 0) == 0, tag
    assert "@import" not in html
    assert "@font-face" not in html
    assert [i for i, n in page.ids.items() if n > 1] == []  # chart ids are prefixed per chart


def test_one_chart_and_a_table_in_each_chart_section(shipped: Example) -> None:
    page = parse(_render(shipped))
    for section in CHART_SECTIONS:
        block = page.block(section)
        assert block.svgs == 1, section
        assert block.tables >= 1, section
    for block in page.blocks:
        assert block.svgs <= 1, block
        if block.svgs:
            assert block.tables >= 1, block
    charted = [b for b in page.blocks if b.tag == "article" and b.svgs]
    with_values = [
        v
        for v in shipped.labels.verdicts
        if v.outcome.value is not None and v.outcome.threshold is not None
    ]
    assert len(charted) == len(with_values)


def test_headline_is_the_total_as_shown(shipped: Example) -> None:
    page = parse(_render(shipped))
    shown = page.texts["headline-total"].strip()
    assert shown == sig(shipped.result.total)
    assert math.isclose(parse_number(shown), shipped.result.total, rel_tol=5e-4)
    assert float(page.data_values["headline-total"]) == shipped.result.total


def test_tables_hold_the_numbers_of_to_dict(shipped: Example) -> None:
    data = shipped.result.to_dict()
    page = parse(_render(shipped))
    stages = {
        name: value
        for (name, _), (_, value) in zip(
            column(page, "table-stage", 0), column(page, "table-stage", 2), strict=True
        )
    }
    for stage, value in data["by_stage"].items():
        assert float(stages[stage] or "nan") == value
    assert float(stages["Total"] or "nan") == data["total"]["value"]
    iso = {
        name: value
        for (name, _), (_, value) in zip(
            column(page, "table-iso", 0), column(page, "table-iso", 1), strict=True
        )
    }
    assert float(iso["Fossil GHG emissions"] or "nan") == data["fossil"]
    assert float(iso["Biogenic removals (uptake, ≤ 0)"] or "nan") == data["biogenic_removals"]
    gases = [float(v or "nan") for _, v in column(page, "table-gas", 1)][:-1]
    assert gases == list(data["by_gas"].values())
    inputs = [float(v or "nan") for _, v in column(page, "table-inputs", 5)][:-1]
    assert inputs == [c["value"] for c in data["by_input"]]
    for text, value in column(page, "table-stage", 2):
        assert text == sig(float(value or "nan"))


def test_header_names_the_study(shipped: Example) -> None:
    html = _render(shipped)
    r = shipped.result
    for needle in (
        r.inventory.sha256,
        str(r.background.version),
        str(r.method.name),
        str(r.solver.name),
        "9.9.9",
        "2025-06-01",
        str(r.product.geography),
    ):
        assert needle in html, needle


def test_hotspots_table_holds_the_results_by_activity(shipped: Example) -> None:
    page = parse(_render(shipped))
    rows = column(page, "table-hotspots", 4)[:-1]  # without the total row
    activities = [a for a in shipped.result.by_activity if a.activity != "other"]
    shown = [float(v or "nan") for _, v in rows[: min(10, len(activities))]]
    assert shown == [a.value for a in activities[:10]]
    total = math.fsum(float(v or "nan") for _, v in rows)
    assert total == pytest.approx(shipped.result.total, rel=1e-9)


def test_header_shows_primary_data_share_and_data_quality(tmp_path: Path) -> None:
    text = (ROOT / "inventories" / "examples" / "float-glass.yaml").read_text()
    text = text.replace(
        "  primary_data_share: 0\n",
        "  primary_data_share: 35\n  data_quality: {technological: 2, temporal: 1.5}\n",
    )
    path = tmp_path / "glass.yaml"
    path.write_text(text)
    html = _render(example(path))
    assert "Primary data share" in html
    assert "35 %" in html
    assert "technological 2, temporal 1.5" in html


def test_label_verdicts_show_colour_text_margin_and_citation() -> None:
    ex = example(ROOT / "inventories" / "examples" / "steel-rebar-eaf.yaml")
    html = _render(ex)
    page = parse(html)
    assert "label-verdicts" not in page.ids  # the summary table has its own id
    rows = page.tables["table-label-summary"][1:]
    assert [r[0][0] for r in rows] == [v.scheme for v in ex.labels.verdicts]
    assert [r[1][0].split(" ", 1)[1] for r in rows] == [v.verdict.value for v in ex.labels.verdicts]
    met = next(v for v in ex.labels.verdicts if v.scheme == "gsa-lec-2023-rebar")
    assert 'class="badge met"' in html
    assert 'class="badge not-met"' in html
    assert met.outcome.cites[0] in html.replace("&#39;", "'")
    # the limit minus the recomputed rebar footprint (kg CO2e per t)
    assert met.outcome.threshold is not None
    assert met.outcome.value is not None
    assert met.outcome.margin == pytest.approx(met.outcome.threshold - met.outcome.value)
    assert f"{sig(met.outcome.margin)} kg CO₂e/t below the limit" in html
    tiers = page.tables["table-label-4-gsa-lec-2023-rebar"]
    assert [row[0][0] for row in tiers[3:]] == [
        "Tier: Top 20 %",
        "Tier: Top 40 %",
        "Tier: Better than average",
    ]


def test_provenance_lists_every_background_dataset_and_the_factor_sources(shipped: Example) -> None:
    page = parse(_render(shipped))
    background_items = [c for c in shipped.result.by_input if c.kind == "background"]
    datasets = page.tables["table-datasets"][1:]
    assert len(datasets) == len(background_items)
    assert all(row[2][0] not in ("", "–") for row in datasets), (
        "every line item traced to its dataset"
    )
    assert all(row[6][0] not in ("",) for row in datasets)
    html = _render(shipped)
    sources = (ROOT / "footprint" / "data" / "gwp100.SOURCES.md").read_text(encoding="utf-8")
    gwp = re.escape(shipped.result.method.gwp)
    citation = re.search(rf"^- `{gwp}`: (IPCC \(\d{{4}}\))", sources, re.M)
    assert citation is not None
    assert citation.group(1) in html
    assert "Frischknecht" in html
    for source in shipped.result.background.sources:
        assert source in html


def test_provenance_traces_through_the_system_not_the_inventory_file(tmp_path: Any) -> None:
    from dataclasses import replace

    from footprint.engine.result import InventorySource

    ex = example(EXAMPLES[0])
    moved = replace(ex.result, inventory=InventorySource(str(tmp_path / "gone.yaml"), "0" * 64))
    page = parse(render_html(moved, generated="2025-06-01"))
    assert all(row[2][0] != "–" for row in page.tables["table-datasets"][1:])
    bare = render_html(replace(ex.result, system=None), generated="2025-06-01")
    assert "could not be traced (the result does not carry the linked system" in bare
    assert parse(bare).errors == []


@dataclass
class FakeUncertainty:
    """The shape of a Monte Carlo result the report reads (duck-typed)."""

    samples: np.ndarray
    percentiles: Mapping[float, float] = field(default_factory=dict)

    def probability_at_most(self, threshold: float) -> float:
        return float(np.mean(self.samples <= threshold))


def test_uncertainty_section_shows_histogram_percentiles_and_probabilities() -> None:
    ex = example(ROOT / "inventories" / "examples" / "steel-rebar-eaf.yaml")
    rng = np.random.default_rng(3)
    samples = ex.result.total * rng.lognormal(0.0, 0.05, 500)
    fake = FakeUncertainty(
        samples, {2.5: float(np.percentile(samples, 2.5)), 50: float(np.median(samples))}
    )
    page = parse(_render(ex, uncertainty=fake))
    block = page.block("uncertainty")
    assert block.svgs == 1
    assert block.tables == 2
    stats = {row[0][0]: row[1] for row in page.tables["table-uncertainty"][1:]}
    assert float(stats["2.5 % percentile"][1] or "nan") == fake.percentiles[2.5]
    assert float(stats["97.5 % percentile"][1] or "nan") == pytest.approx(
        np.percentile(samples, 97.5)
    )
    probabilities = {row[0][0]: row for row in page.tables["table-probabilities"][1:]}
    gsa = probabilities["gsa-lec-2023-rebar"]
    assert float(gsa[3][1] or "nan") == pytest.approx(611.0)
    assert gsa[4][0] == f"{100 * fake.probability_at_most(611.0):.1f} %"
    bcca = probabilities["buy-clean-california-2025-rebar"]
    assert float(bcca[3][1] or "nan") == pytest.approx(755.0)  # 0.755 t CO2e/t → kg for 1 t


def test_uncertainty_without_a_spread_shows_a_note_not_a_histogram() -> None:
    ex = example(ROOT / "inventories" / "examples" / "steel-rebar-eaf.yaml")
    flat = FakeUncertainty(np.full(300, ex.result.total))
    html = _render(ex, uncertainty=flat)
    page = parse(html)
    block = page.block("uncertainty")
    assert block.svgs == 0
    assert block.tables == 0
    assert "table-probabilities" not in page.tables
    assert 'id="uncertainty-note"' in html
    assert "the spread is zero" in html
    assert "no probability of meeting a limit" in html


def test_scenarios_side_by_side() -> None:
    from footprint.inventory.scenarios import read_scenarios

    path = ROOT / "inventories" / "examples" / "cement-cn.yaml"
    scenarios = calculate_scenarios(
        path, read_scenarios(ROOT / "inventories" / "scenarios" / "cement-cn-grid.yaml")
    )
    page = parse(_render(example(path), scenarios=scenarios))
    block = page.block("scenarios")
    assert block.svgs == 1
    assert block.tables == 1
    rows = page.tables["table-scenarios"][1:]
    assert [r[0][0] for r in rows] == list(scenarios)
    assert [float(r[1][1] or "nan") for r in rows] == [s.total for s in scenarios.values()]


def test_optional_sections_are_left_out() -> None:
    ex = example(EXAMPLES[0])
    page = parse(render_html(ex.result, generated="2025-06-01"))
    assert not {"labels", "uncertainty", "scenarios"} & set(page.ids)
    assert page.errors == []
    assert page.remote == []


def test_charts_are_deterministic() -> None:
    ex = example(EXAMPLES[0])
    assert _render_fresh(ex) == _render_fresh(ex)


def test_print_stylesheet_is_included() -> None:
    html = _render(example(EXAMPLES[0]))
    assert '<style media="print">' in html
    assert "@page" in html


def test_importing_the_package_loads_no_plotting_or_pdf_library() -> None:
    code = (
        "import sys, footprint.report; "
        "print(sorted(m for m in ('matplotlib', 'weasyprint', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_contributors_beyond_the_top_eight_are_one_remainder_bar() -> None:
    from dataclasses import replace

    from footprint.engine.result import Contribution

    ex = example(EXAMPLES[0])
    extra = [
        Contribution("Extra process", "A1", f"Extra input {i}", "emission", 0.5) for i in range(10)
    ]
    items = sorted([*ex.result.by_input, *extra], key=lambda c: -abs(c.value))
    result = replace(ex.result, by_input=items, total=ex.result.total + 5.0)
    page = parse(render_html(result, generated="2025-06-01"))
    rows = page.tables["table-contributors"][1:]
    assert len(rows) == 9
    rest = items[8:]
    assert rows[-1][1][0] == f"Other {len(rest)} line items"
    assert float(rows[-1][3][1] or "nan") == pytest.approx(math.fsum(c.value for c in rest))
    assert rows[-1][5][0] == "100.0 %"
    assert "the rest of them as one grey bar" in render_html(result, generated="2025-06-01")


def test_a_declared_amount_other_than_one_also_shows_the_value_per_unit() -> None:
    from dataclasses import replace

    ex = example(EXAMPLES[0])
    result = replace(ex.result, declared_amount=2.0)
    html = render_html(result, generated="2025-06-01")
    assert f"per 2 {result.declared_unit} (declared unit)" in html
    assert f">{sig(result.total / 2)}</span> kg CO₂e per 1 {result.declared_unit}" in html
