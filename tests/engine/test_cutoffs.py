"""Every cut-off the supply chain reaches is listed with the result, whatever its reason.

Hand-checkable: in the mini background, steel (1 kg) buys 0.5 kWh of US electricity and
0.1 tkm of trucking and leaves out 0.01 kg of ferro-alloys. Here US electricity also leaves out an
ambiguous input (0.2 MJ per kWh) and gas, which the product never reaches, a co-product.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.store import read_table_dir
from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.engine.cutoffs import reachable
from footprint.inventory import Inventory
from tests.conftest import FIXTURES

EXTRA = (
    'elec-us,"Electricity, at grid",f-amb,"Heat, unspecified",0.2,MJ,"ambiguous provider: p1 p2"\n'
    'gas,"Natural gas, combusted",f-co,"Sulfur, co-product",0.3,kg,'
    '"extra output (co-product, no allocation)"\n'
)


@pytest.fixture
def background(tmp_path: Path):  # type: ignore[no-untyped-def]
    directory = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini_background", directory)
    with (directory / "unlinked.csv").open("a", encoding="utf-8") as handle:
        handle.write(EXTRA)
    return read_table_dir(directory, "mini")


def _steel(kg: float) -> Inventory:
    return Inventory.model_validate(
        {
            "product": {"name": "Bracket", "declared_unit": "piece", "geography": "US"},
            "processes": [
                {
                    "id": "bend",
                    "output": "1 piece",
                    "inputs": [{"background": {"id": "steel"}, "amount": f"{kg} kg"}],
                }
            ],
        }
    )


def test_the_result_lists_every_reached_cut_off_scaled_to_the_declared_amount(background) -> None:  # type: ignore[no-untyped-def]
    result = calculate(_steel(2.0), background=background)
    found = {(c.activity, c.input): c for c in result.cut_offs}
    assert set(found) == {("steel", "CUTOFF Ferro-alloys"), ("elec-us", "Heat, unspecified")}
    alloys = found[("steel", "CUTOFF Ferro-alloys")]
    assert (alloys.amount, alloys.unit, alloys.reason) == (0.01, "kg", "unlinked product input")
    assert alloys.reached == pytest.approx(2.0 * 0.01)
    heat = found[("elec-us", "Heat, unspecified")]
    assert heat.reached == pytest.approx(2.0 * 0.5 * 0.2)  # 1 kWh of electricity reached
    assert heat.reason == "ambiguous provider: p1 p2"  # no reason filtered out
    caveat = next(w for w in result.warnings if "cut-off exchange" in w)
    assert "2 cut-off exchange(s) in 2 background activities" in caveat
    assert "1 ambiguous provider" in caveat
    assert result.to_dict()["cut_offs"][0]["reason"]


def test_a_cut_off_outside_the_supply_chain_is_not_listed(background) -> None:  # type: ignore[no-untyped-def]
    reached = set(background.activities["id"].iloc[reachable(background, [2])])  # steel
    assert reached == {"steel", "elec-us", "truck"}
    result = calculate(_steel(1.0), background=background)
    assert "gas" not in {c.activity for c in result.cut_offs}


def test_background_show_and_batch_carry_the_cut_offs(tmp_path: Path, runner: CliRunner) -> None:
    shown = runner.invoke(
        app,
        ["background", "show", "Transport, combination truck, diesel powered", "-f", "json"],
    )
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    background_cut_offs = data["cut_offs"]
    assert all(
        {"activity", "input", "amount", "unit", "reason"} <= set(c) for c in background_cut_offs
    )
    if background_cut_offs:
        assert any("cut-off exchange" in c for c in data["caveats"])
    example = Path(__file__).parents[2] / "inventories" / "examples" / "steel-rebar-eaf.yaml"
    calc = json.loads(runner.invoke(app, ["calc", str(example), "-f", "json"]).output)
    out = tmp_path / "rows.csv"
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    shutil.copy(example, catalogue / example.name)
    batch = runner.invoke(
        app, ["batch", str(catalogue), "--out", str(out), "--quiet", "--data-dir", str(tmp_path)]
    )
    assert batch.exit_code == 0, batch.output
    import pandas as pd

    assert int(pd.read_csv(out)["cut_offs"].iloc[0]) == len(calc["cut_offs"])
