"""Shared fixtures: the shipped examples computed once, with their label verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from footprint.engine.calculate import calculate
from footprint.engine.result import FootprintResult
from footprint.labels.check import LabelReport, check_labels

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "inventories" / "examples").glob("*.yaml"))
CLAIM = ROOT / "inventories" / "claims" / "rebar-buy-clean-california-2022.yaml"
ON = dt.date(2025, 6, 1)


@dataclass(frozen=True)
class Example:
    path: Path
    result: FootprintResult
    labels: LabelReport


_CACHE: dict[Path, Example] = {}


def example(path: Path) -> Example:
    """The example at ``path`` computed (once per test session) with every applicable label."""
    if path not in _CACHE:
        _CACHE[path] = Example(path, calculate(path), check_labels(path, ["all"], on=ON))
    return _CACHE[path]


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def shipped(request: pytest.FixtureRequest) -> Example:
    return example(request.param)
