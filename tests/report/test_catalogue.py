"""The catalogue page: a 1,000-product catalogue renders in seconds, with ranking and failures."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from footprint.engine.batch import BatchResult
from footprint.report import render_catalogue_html
from tests.report.htmlcheck import parse

CATEGORIES = [
    ("steel.rebar", "t", 600.0),
    ("cement.portland", "t", 700.0),
    ("concrete.ready-mix", "m3", 300.0),
    ("glass.flat", "t", 1200.0),
    ("plastic.bottle", "piece", 0.08),
    ("aluminium.ingot", "t", 12000.0),
]


def catalogue(n: int = 1000, *, verdicts: bool = True) -> BatchResult:
    """``n`` synthetic products in six categories; every 97th fails."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(n):
        category, unit, base = CATEGORIES[i % len(CATEGORIES)]
        row: dict[str, object] = {"file": f"catalogue/p{i:04d}.yaml", "status": "ok", "error": ""}
        if i % 97 == 5:
            row.update(
                status="failed", error=f"p{i:04d}.yaml, line 3: unknown unit 'kgg'. Fix: write kg."
            )
        else:
            total = base * float(rng.lognormal(0.0, 0.3))
            row.update(
                product=f"Product {i:04d}",
                category=category,
                geography="US",
                declared_amount=1.0,
                declared_unit=unit,
                kg_co2e=total,
                A1=0.3 * total,
                A2=0.05 * total,
                A3=0.65 * total,
                sha256="0" * 64,
            )
            if verdicts and category == "steel.rebar":
                row["verdict:gsa-lec-2023-rebar"] = "MET" if total <= 611 else "NOT MET"
        rows.append(row)
    failures = [(str(r["file"]), str(r["error"])) for r in rows if r["status"] == "failed"]
    return BatchResult(pd.DataFrame(rows), failures, {"name": "SuperLU (scipy)"})


def test_thousand_products_render_in_seconds() -> None:
    batch = catalogue()
    start = time.perf_counter()
    html = render_catalogue_html(batch, generated="2025-06-01")
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"{elapsed:.1f} s"
    page = parse(html)
    assert page.errors == []
    assert page.remote == []
    ok = batch.rows[batch.rows["status"] == "ok"]
    ranking = page.tables["table-ranking"][1:]
    assert len(ranking) == len(ok) == 989
    assert {row[1][0] for row in ranking} == set(ok["product"])
    block = page.block("distribution")
    assert block.svgs == 1
    assert block.tables == 1
    assert "log" in page.texts["figure-catalogue"]
    assert "units differ" in html


def test_ranking_is_lowest_first_within_each_category_and_sortable() -> None:
    html = render_catalogue_html(catalogue(120), generated="2025-06-01")
    page = parse(html)
    ranking = page.tables["table-ranking"]
    assert 'class="data wide sortable"' in html
    assert "<script>" in html
    assert ranking[0][3][0] == "kg CO₂e ↕" or ranking[0][3][0].startswith("kg CO₂e")
    by_category: dict[str, list[float]] = {}
    for row in ranking[1:]:
        by_category.setdefault(row[2][0], []).append(float(row[3][1] or "nan"))
    for values in by_category.values():
        assert values == sorted(values)
    assert 'data-type="number"' in html


def test_pass_rates_and_failures() -> None:
    batch = catalogue(300)
    page = parse(render_catalogue_html(batch, generated="2025-06-01"))
    rates = page.tables["table-pass-rates"][1:]
    assert len(rates) == 1
    column = batch.rows["verdict:gsa-lec-2023-rebar"].dropna()
    met = int((column == "MET").sum())
    assert rates[0][0][0] == "gsa-lec-2023-rebar"
    assert int(rates[0][2][0]) == met
    assert rates[0][5][0] == f"{100 * met / len(column):.1f} %"
    block = page.block("pass-rates")
    assert (block.svgs, block.tables) == (1, 1)
    assert f"{met} of {len(column)} MET" in page.texts["figure-pass-rates"]
    failures = page.tables["table-failures"][1:]
    assert [(row[0][0], row[1][0]) for row in failures] == batch.failures


def test_no_verdict_columns_and_no_failures_leave_those_sections_out() -> None:
    batch = catalogue(60, verdicts=False)
    ok = BatchResult(batch.rows[batch.rows["status"] == "ok"].reset_index(drop=True), [], {})
    page = parse(render_catalogue_html(ok, generated="2025-06-01"))
    assert "pass-rates" not in page.ids
    assert "failures" not in page.ids


@pytest.mark.parametrize("value", [0.0, -5.0])
def test_non_positive_footprints_are_kept_out_of_the_log_chart_only(value: float) -> None:
    batch = catalogue(30, verdicts=False)
    rows = batch.rows.copy()
    rows.loc[0, "kg_co2e"] = value
    html = render_catalogue_html(BatchResult(rows, batch.failures, {}), generated="2025-06-01")
    assert "cannot be drawn on a log axis" in html
    assert parse(html).errors == []
