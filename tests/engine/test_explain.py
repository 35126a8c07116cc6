"""`background show ACTIVITY`: the intensity itemised into what the activity buys and emits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.cli.app import app
from footprint.engine.explain import closure, explain_activity
from footprint.errors import BackgroundError
from tests.engine.test_background_link import STEEL_BIOGENIC, STEEL_FOSSIL, TRUCK


def test_steel_by_hand(mini_background: Background) -> None:
    found = explain_activity(mini_background, "steel")
    assert found["kg_co2e"] == pytest.approx(STEEL_FOSSIL + STEEL_BIOGENIC, rel=1e-12)
    inputs = {i["id"]: (i["amount"], i["kg_co2e"]) for i in found["inputs"]}
    assert inputs == {
        "elec-us": pytest.approx((0.5, 0.5 * 0.6)),
        "truck": pytest.approx((0.1, 0.1 * TRUCK)),
    }
    direct = {d["gas"]: d["kg_co2e"] for d in found["direct"]}
    assert direct == pytest.approx({"CO2": 1.0, "CH4": 0.01 * 27.0})
    assert closure(found) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", ["Portland cement, at plant", "Steel, liquid, at plant"])
def test_shipped_activities_add_up(name: str) -> None:
    found = explain_activity(load_background(), name, location="RNA")
    assert closure(found) == pytest.approx(0.0, abs=1e-9 * abs(found["kg_co2e"]))
    assert found["inputs"] == sorted(found["inputs"], key=lambda i: -abs(i["kg_co2e"]))


def test_cement_shows_its_correction() -> None:
    found = explain_activity(load_background(), "62993671-574c-3fc5-b66a-6be3bb21ad3d")
    assert any(c.startswith("corrected: kiln-fuel CO2 was counted twice") for c in found["caveats"])
    assert not any("combusted" in i["name"] for i in found["inputs"])
    # direct CO2 (0.553 calcination + 0.374 kiln fuels) is the plant's own and stays
    co2 = sum(d["kg"] for d in found["direct"] if d["gas"] == "CO2")
    assert co2 == pytest.approx(0.553 + 0.374, rel=1e-12)


def test_unknown_activity(mini_background: Background) -> None:
    with pytest.raises(BackgroundError):
        explain_activity(mini_background, "no such activity")


def test_cli_table_and_json(tmp_path: Path, runner: CliRunner) -> None:
    data = ["--data-dir", str(tmp_path)]
    table = runner.invoke(app, ["background", "show", "grid:US:2022:egrid", *data])
    assert table.exit_code == 0, table.output
    assert "What it emits itself" in table.output
    done = runner.invoke(app, ["background", "show", "grid:US:2022:egrid", "-f", "json", *data])
    found = json.loads(done.output)
    assert found["unit"] == "kWh"
    assert closure(found) == pytest.approx(0.0, abs=1e-12)
    missing = runner.invoke(app, ["background", "show", "nothing like this", *data])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
