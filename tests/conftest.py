"""Shared fixtures: small hand-checkable data (never the shared reference folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.store import Background, read_table_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def runner() -> CliRunner:
    """Runs the command line in-process: `runner.invoke(app, [...])`."""
    return CliRunner()


@pytest.fixture(scope="session")
def mini_background() -> Background:
    """Five activities whose intensities are solvable by hand (see test_mini_background)."""
    return read_table_dir(FIXTURES / "mini_background", "mini")


@pytest.fixture(scope="session")
def empty_background() -> Background:
    return Background.empty("empty")


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a fixture file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
