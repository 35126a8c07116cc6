"""The result's records give back the data they were built from, key for key and in order."""

from __future__ import annotations

from typing import Any

import pytest

from footprint.engine.result import SolverInfo


@pytest.mark.parametrize(
    "info",
    [
        {"name": "SuperLU (scipy)", "bw2calc": "3.1.0", "bw_processing": "1.6"},
        {"name": "splu", "method": "one transposed solve for every activity", "intensities": "ab"},
        {"name": "x", "blocks": 2},
    ],
)
def test_solver_info_round_trips(info: dict[str, Any]) -> None:
    record = SolverInfo.from_dict(info)
    assert record.name == info["name"]
    assert list(record.to_dict().items()) == list(info.items())
