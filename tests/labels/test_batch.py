"""Label verdicts in a catalogue batch equal the single-product label check."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.engine.batch import run_batch
from footprint.engine.calculate import calculate
from footprint.inventory import read_inventory
from footprint.labels.assess import evaluate
from footprint.labels.batch import PREFIX, SchemeVerdicts
from footprint.labels.check import check_labels
from footprint.labels.scheme import get_scheme
from footprint.paths import examples_dir

DAY = dt.date(2024, 6, 1)  # the 2022 rebar limit is in force
REBAR = "steel-rebar-eaf.yaml"


def test_verdict_columns_equal_check_labels_for_every_example() -> None:
    result = run_batch(examples_dir(), annotate=SchemeVerdicts.of(["all"], DAY))
    columns = [c for c in result.rows.columns if str(c).startswith(PREFIX)]
    assert columns, "no scheme covered any shipped example"
    judged = 0
    for row in result.rows[result.rows["status"] == "ok"].to_dict("records"):
        expected = {
            PREFIX + v.scheme: v.verdict.value
            for v in check_labels(Path(row["file"]), ["all"], on=DAY).verdicts
        }
        found = {c: row[c] for c in columns if row[c] != ""}
        assert found == expected, row["file"]
        judged += len(found)
    assert judged >= 7


def test_explicit_scheme_judges_only_the_products_it_covers() -> None:
    result = run_batch(
        examples_dir(), annotate=SchemeVerdicts.of(["buy-clean-california-2022-rebar"], DAY)
    )
    column = PREFIX + "buy-clean-california-2022-rebar"
    rows = result.rows.set_index("category")
    assert set(rows.loc["steel.rebar", column]) <= {"MET", "NOT MET"}
    assert set(rows.drop(index="steel.rebar")[column]) == {""}


def test_scheme_on_another_gwp_set_is_judged_on_that_set(tmp_path: Path) -> None:
    scheme = get_scheme("buy-clean-california-2022-rebar").model_copy(update={"gwp": "ar5"})
    annotate = SchemeVerdicts((scheme,), DAY)
    assert annotate.gwps == ("ar5",)
    shutil.copy(examples_dir() / REBAR, tmp_path / REBAR)
    row = run_batch(tmp_path, annotate=annotate).rows.iloc[0]
    inventory = read_inventory(tmp_path / REBAR)
    on_ar5 = evaluate(calculate(inventory, gwp="ar5"), scheme, on=DAY)
    on_ar6 = evaluate(calculate(inventory, gwp="ar6"), scheme, on=DAY)
    assert on_ar6.verdict.value == "NOT COMPARABLE"  # so the row must have used AR5
    assert row[PREFIX + scheme.id] == on_ar5.verdict.value != "NOT COMPARABLE"


def test_batch_cli_with_schemes_writes_verdicts_and_pass_rates(
    tmp_path: Path, runner: CliRunner
) -> None:
    out, page = tmp_path / "rows.csv", tmp_path / "catalogue.html"
    done = runner.invoke(
        app,
        [
            "batch",
            str(examples_dir()),
            "--scheme",
            "all",
            "--on",
            DAY.isoformat(),
            "--out",
            str(out),
            "--report",
            str(page),
        ],
    )
    assert done.exit_code == 0, done.output
    frame = pd.read_csv(out, keep_default_na=False)
    rebar = frame[frame["category"] == "steel.rebar"].iloc[0]
    assert rebar[PREFIX + "buy-clean-california-2022-rebar"] in {"MET", "NOT MET"}
    assert "buy-clean-california-2022-rebar: " in done.output  # the pass-rate line
    html = page.read_text(encoding="utf-8")
    assert "Label pass rates" in html
    assert "buy-clean-california-2022-rebar" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheme", "no-such-scheme"], "no-such-scheme"),
        (["--scheme", "all", "--on", "June"], "is not a date"),
    ],
)
def test_batch_cli_bad_scheme_options_exit_2(
    args: list[str], message: str, runner: CliRunner
) -> None:
    done = runner.invoke(app, ["batch", str(examples_dir()), "-q", *args])
    assert done.exit_code == 2
    assert message in done.output
    assert "Traceback" not in done.output
