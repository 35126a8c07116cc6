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


def test_calc_on_clashing_backgrounds_exits_2(tmp_path: Path) -> None:
    done = CliRunner().invoke(
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
