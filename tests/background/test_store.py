"""Joining backgrounds: activity ids must be distinct, flows may be shared."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.catalog import load_background
from footprint.background.store import combine, read_table_dir
from footprint.cli.app import app
from footprint.errors import BackgroundError
from footprint.paths import examples_dir
from tests.conftest import FIXTURES


def test_joined_backgrounds_keep_every_activity_and_share_flows() -> None:
    mini = read_table_dir(FIXTURES / "mini_background", "mini")
    grid = load_background().activities
    joined = combine("both", "1", [mini, load_background()])
    assert len(joined.activities) == len(mini.activities) + len(grid)
    assert joined.flows["id"].is_unique


def test_a_database_joined_with_itself_is_refused() -> None:
    with pytest.raises(BackgroundError, match="share .* activity id"):
        load_background("default+default")


def test_calc_on_clashing_backgrounds_exits_2(tmp_path: Path, runner: CliRunner) -> None:
    done = runner.invoke(
        app,
        [
            "calc",
            str(examples_dir() / "pet-bottle.yaml"),
            "--background",
            "default+default",
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert done.exit_code == 2
    assert "activity id" in done.output
    assert "Traceback" not in done.output


def test_a_province_is_found_in_both_code_styles() -> None:
    import pandas as pd

    from footprint.background.store import ACTIVITY_COLUMNS, Background, same_place

    assert same_place("CN-JS") == {"cn-js", "js-cn"}
    assert same_place("HUB-CN") == {"hub-cn", "cn-hb"}  # ILCD's Hubei is ISO CN-HB
    assert same_place("US") == {"us"}
    rows = [
        ["a", "Electricity mix, Jiangsu", "JS-CN", "MJ", "", "", ""],
        ["b", "Electricity, grid average", "CN-JS", "kWh", "", "", ""],
        ["c", "Electricity, grid average", "CN", "kWh", "", "", ""],
        ["d", "Electricity mix, city", "HA-JS-CN", "MJ", "", "", ""],
    ]
    bg = Background.empty("t")
    bg = Background(
        name="t",
        version="1",
        activities=pd.DataFrame(rows, columns=ACTIVITY_COLUMNS),
        technosphere=bg.technosphere,
        biosphere=bg.biosphere,
        flows=bg.flows,
    )
    assert list(bg.search("electricity", "CN-JS")["id"]) == ["a", "b"]
    assert list(bg.search("electricity", "js-cn")["id"]) == ["a", "b"]
    assert list(bg.search("electricity", "CN")["id"]) == ["c"]  # levels are never mixed


def test_loaded_tables_carry_the_distributions_their_files_have(tmp_path: Path) -> None:
    from tests.engine.test_montecarlo import loop_background

    loop_background(tmp_path, "loop", "4,,,0.0,0.9", "2,0.0,0.1,,")
    loop = read_table_dir(tmp_path / "backgrounds" / "loop", "loop")
    assert list(loop.technosphere["uncertainty_type"]) == ["4", "0"]
    assert list(loop.technosphere["maximum"]) == ["0.9", ""]
    assert list(loop.biosphere[["uncertainty_type", "scale"]].iloc[1]) == ["2", "0.1"]
    mini = read_table_dir(FIXTURES / "mini_background", "mini")
    assert "uncertainty_type" not in mini.technosphere
    joined = combine("both", "1", [mini, loop])
    tail = joined.technosphere.iloc[len(mini.technosphere) :]
    assert list(tail["uncertainty_type"]) == ["4", "0"]
    head = joined.technosphere.iloc[: len(mini.technosphere)]
    assert set(head["uncertainty_type"]) == {"0"}  # no distribution, as the table files write it
    assert set(head["loc"]) == {""}
