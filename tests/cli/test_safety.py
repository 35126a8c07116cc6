"""The command line never shows a traceback: bad input exits 2, a bug exits 3 (never 1), text is
shown verbatim, outputs are never written half-way or in the wrong format."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app as cli_app
from footprint.cli.app import app
from footprint.units import parse_unit
from tests.conftest import write

HAND_WITH_ODD_NAMES = """
product:
  name: "Part [bold]X[/bold] [/x]"
  declared_unit: piece
  geography: US
processes:
  - id: "[/x]"
    stage: A3
    output: 1 piece
    inputs:
      - {name: "[RNA] power", process: "[red]e", amount: 2 kWh}
    emissions:
      - {gas: CO2, amount: 0.1 kg}
  - id: "[red]e"
    output: 1 kWh
    emissions:
      - {gas: CO2, amount: 0.5 kg}
"""


def test_names_that_look_like_markup_print_verbatim(tmp_path: Path, runner: CliRunner) -> None:
    path = write(tmp_path, "odd.yaml", HAND_WITH_ODD_NAMES)
    result = runner.invoke(app, ["calc", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Part [bold]X[/bold] [/x]" in result.output
    assert "[/x]" in result.output.replace("Part [bold]X[/bold] [/x]", "")
    assert "[red]e" in result.output


def test_error_messages_keep_square_brackets(tmp_path: Path, runner: CliRunner) -> None:
    path = write(
        tmp_path,
        "mismatch.yaml",
        HAND_WITH_ODD_NAMES.replace("amount: 2 kWh", "amount: 2 kg"),
    )
    result = runner.invoke(app, ["calc", str(path)], terminal_width=400)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    # pint names dimensions in square brackets: they must survive printing
    output = " ".join(result.output.split())
    for unit in ("kg", "kWh"):
        assert str(parse_unit(unit).dimensionality) in output, output


def test_an_unexpected_exception_is_a_bug_exit_3_with_details_on_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixtures: Path, runner: CliRunner
) -> None:
    import footprint.engine.calculate as calculate

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("something internal [not markup]")

    monkeypatch.setattr(calculate, "calculate", broken)
    monkeypatch.setenv("FOOTPRINT_CRASH_DIR", str(tmp_path / "crashes"))
    result = runner.invoke(app, ["calc", str(fixtures / "hand.yaml")])
    assert result.exit_code == 3
    assert "internal error" in result.output
    assert "Traceback" not in result.output
    reports = list((tmp_path / "crashes").glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "ZeroDivisionError: something internal [not markup]" in text
    assert str(reports[0]) in result.output


def test_the_console_entry_point_turns_an_escaped_exception_into_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(cli_app, "app", broken)
    monkeypatch.setenv("FOOTPRINT_CRASH_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["footprint", "calc", "x.yaml"])
    with pytest.raises(SystemExit) as stop:
        cli_app.main()
    assert stop.value.code == 3
    assert "internal error" in capsys.readouterr().err
    assert list(tmp_path.glob("crash-*.txt"))


def test_out_pointing_at_a_directory_is_exit_2_and_writes_nothing(
    tmp_path: Path, fixtures: Path, runner: CliRunner
) -> None:
    before = sorted(tmp_path.iterdir())
    result = runner.invoke(app, ["calc", str(fixtures / "hand.yaml"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
    assert sorted(tmp_path.iterdir()) == before


def test_report_format_must_match_the_file_name(
    tmp_path: Path, fixtures: Path, runner: CliRunner
) -> None:
    target = tmp_path / "report.pdf"
    result = runner.invoke(
        app, ["report", str(fixtures / "hand.yaml"), "--out", str(target), "--format", "html"]
    )
    assert result.exit_code == 2
    assert "does not match" in result.output
    assert not target.exists()


def test_report_to_a_pdf_name_writes_a_pdf_or_says_why_not(
    tmp_path: Path, fixtures: Path, runner: CliRunner
) -> None:
    from footprint.report.pdf import pdf_available

    target = tmp_path / "report.pdf"
    result = runner.invoke(app, ["report", str(fixtures / "hand.yaml"), "--out", str(target)])
    if pdf_available():
        assert result.exit_code == 0, result.output
        assert target.read_bytes().startswith(b"%PDF-")
    else:
        assert result.exit_code == 2
        assert not target.exists()


def test_batch_writes_every_row_when_one_product_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixtures: Path, runner: CliRunner
) -> None:
    import footprint.engine.fast as fast

    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    hand = (fixtures / "hand.yaml").read_text(encoding="utf-8")
    write(catalogue, "a.yaml", hand)
    write(catalogue, "b.yaml", hand.replace("name: Steel part", "name: Crashing part"))
    real = fast.calculate_with

    def sometimes_broken(inventory, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inventory.product.name == "Crashing part":
            raise KeyError("internal")
        return real(inventory, *args, **kwargs)

    monkeypatch.setattr(fast, "calculate_with", sometimes_broken)
    out = tmp_path / "results.csv"
    result = runner.invoke(
        app,
        ["batch", str(catalogue), "--out", str(out), "--quiet", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 1, result.output
    import pandas as pd

    rows = pd.read_csv(out).set_index("product", drop=False)
    assert len(rows) == 2
    failed = rows[rows["status"] == "failed"]
    assert len(failed) == 1
    assert failed["file"].iloc[0].endswith("b.yaml")
    assert "internal error" in failed["error"].iloc[0]
    assert (rows["status"] == "ok").sum() == 1


def test_json_output_never_holds_nan() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        json.dumps({"x": float("nan")}, allow_nan=False)
