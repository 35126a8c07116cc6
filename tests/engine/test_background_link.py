"""A product on the hand-made mini background: intensities solvable by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint.background.store import Background
from footprint.engine.calculate import calculate
from footprint.errors import BackgroundError, InventoryError, UnitError
from footprint.inventory import read_inventory
from tests.conftest import write

# Hand-solved AR6 intensities of the mini background (kg CO2e per unit):
TRUCK = 0.1 + 0.001 * 273  # tkm
STEEL_FOSSIL = 1.0 + 0.5 * 0.6 + 0.1 * TRUCK  # kg; plus biogenic methane 0.01 * 27.0
STEEL_BIOGENIC = 0.01 * 27.0
GAS_FOSSIL, GAS_REMOVAL = 2.0, -0.5  # m3

PRODUCT = """\
product:
  name: Bracket
  declared_unit: piece
  declared_amount: 1
  geography: CN
processes:
  - id: assemble
    stage: A3
    output: 10 piece
    inputs:
      - {background: {name: "Steel, billet", location: US}, amount: 20 kg, stage: A1}
      - {background: elec-cn, amount: 30 kWh}
      - {background: gas, amount: 10000 L}
      - {background: truck, amount: 2000 kgkm, stage: A2}
    emissions:
      - {gas: N2O, amount: 10 g}
      - {gas: CO2, amount: -1 kg, origin: biogenic}
      - {gas: CH4, amount: 5 g, origin: land_use_change}
"""


def expected_per_piece() -> dict[str, float]:
    fossil = (20 * STEEL_FOSSIL + 30 * 0.8 + 10 * GAS_FOSSIL + 2 * TRUCK + 0.01 * 273) / 10
    return {
        "fossil": fossil,
        "biogenic_emissions": 20 * STEEL_BIOGENIC / 10,
        "biogenic_removals": (10 * GAS_REMOVAL - 1.0) / 10,
        "land_use_change": 0.005 * 29.8 / 10,  # LUC methane: fossil GWP
    }


def test_hand_solved_product(tmp_path: Path, mini_background: Background) -> None:
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    expected = expected_per_piece()
    assert result.fossil == pytest.approx(expected["fossil"], rel=1e-12)
    assert result.biogenic_emissions == pytest.approx(expected["biogenic_emissions"], rel=1e-12)
    assert result.biogenic_removals == pytest.approx(expected["biogenic_removals"], rel=1e-12)
    assert result.land_use_change == pytest.approx(expected["land_use_change"], rel=1e-12)
    assert result.total == pytest.approx(sum(expected.values()), rel=1e-12)
    assert result.by_stage["A2"] == pytest.approx(2 * TRUCK / 10, rel=1e-12)
    assert result.total_excluding_biogenic_removals == pytest.approx(
        result.total - expected["biogenic_removals"], rel=1e-12
    )


def test_emissions_by_the_activity_where_they_occur(
    tmp_path: Path, mini_background: Background
) -> None:
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    found = {a.activity: a.value for a in result.by_activity}
    per_piece = {  # each activity's own emissions for what one piece needs (10 pieces per run)
        "steel": 20 * (1.0 + 0.01 * 27.0) / 10,
        "elec-cn": 30 * 0.8 / 10,
        "gas": 10 * (2.0 - 0.5) / 10,
        "elec-us": 20 * 0.5 * 0.6 / 10,
        "truck": (2 + 20 * 0.1) * TRUCK / 10,
        "foreground:assemble": (0.01 * 273 - 1.0 + 0.005 * 29.8) / 10,
    }
    assert found == pytest.approx(per_piece, rel=1e-12)
    assert [a.activity for a in result.by_activity] == sorted(
        per_piece, key=lambda k: -abs(per_piece[k])
    )
    assert sum(found.values()) == pytest.approx(result.total, rel=1e-12)


def test_line_items_carry_their_upstream(tmp_path: Path, mini_background: Background) -> None:
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    steel = next(c for c in result.by_input if c.input == "Steel, billet")
    assert steel.value == pytest.approx(2 * (STEEL_FOSSIL + STEEL_BIOGENIC), rel=1e-12)
    assert steel.by_bucket["biogenic_emissions"] == pytest.approx(2 * STEEL_BIOGENIC, rel=1e-12)


@pytest.mark.parametrize(
    ("old", "new", "error", "words"),
    [
        (
            '{name: "Steel, billet", location: US}',
            '{name: "Steel billets", location: US}',
            BackgroundError,
            "nearest: 'Steel, billet [US]'",
        ),
        (
            "{background: elec-cn, amount: 30 kWh}",
            "{background: elec-cn, amount: 30 kg}",
            UnitError,
            "kWh",
        ),
        (
            "{background: elec-cn, amount: 30 kWh}",
            "{background: elec-xx, amount: 30 kWh}",
            BackgroundError,
            "no activity with id 'elec-xx'",
        ),
        (
            '{background: {name: "Steel, billet", location: US}',
            '{background: {name: "Electricity, at grid"}',
            BackgroundError,
            "2 activities named",
        ),
        ("{gas: N2O, amount: 10 g}", "{gas: CO3, amount: 10 g}", InventoryError, "unknown gas"),
        ("declared_unit: piece", "declared_unit: kg", UnitError, "piece"),
    ],
)
def test_link_errors_name_the_line(
    tmp_path: Path,
    mini_background: Background,
    old: str,
    new: str,
    error: type[Exception],
    words: str,
) -> None:
    assert old in PRODUCT
    path = write(tmp_path, "p.yaml", PRODUCT.replace(old, new))
    with pytest.raises(error) as info:
        calculate(path, background=mini_background)
    message = str(info.value)
    assert words in message, message
    assert str(path) in message
    assert "line " in message


CYCLE = """\
product: {name: Loop, declared_unit: kg, geography: US}
processes:
  - id: a
    output: 1 kg
    inputs: [{process: b, amount: 1 kg}]
  - id: b
    output: 1 kg
    inputs: [{process: a, amount: 1 kg}]
"""


def test_cycle_with_no_net_output_is_refused(tmp_path: Path, mini_background: Background) -> None:
    with pytest.raises(InventoryError, match="cycle with no net output"):
        calculate(write(tmp_path, "loop.yaml", CYCLE), background=mini_background)


def test_unknown_foreground_process(tmp_path: Path, mini_background: Background) -> None:
    path = write(tmp_path, "u.yaml", CYCLE.replace("process: a,", "process: z,"))
    with pytest.raises(InventoryError, match="unknown process 'z'"):
        calculate(path, background=mini_background)


ALLOCATED = """\
product: {name: Main, declared_unit: t, geography: US}
processes:
  - id: split
    output: 1 t
    output_price: 300
    allocation: mass
    co_products: [{name: Slag, amount: 0.25 t, price: 20}]
    emissions: [{gas: CO2, amount: 1000 kg}]
"""


def test_mass_allocation(tmp_path: Path, mini_background: Background) -> None:
    result = calculate(write(tmp_path, "a.yaml", ALLOCATED), background=mini_background)
    assert result.total == pytest.approx(1000 * 1 / 1.25, rel=1e-12)
    assert "mass" in result.allocation["split"]


def test_economic_allocation(tmp_path: Path, mini_background: Background) -> None:
    path = write(tmp_path, "a.yaml", ALLOCATED.replace("allocation: mass", "allocation: economic"))
    result = calculate(path, background=mini_background)
    assert result.total == pytest.approx(1000 * 300 / (300 + 0.25 * 20), rel=1e-12)


def test_economic_allocation_needs_prices(tmp_path: Path, mini_background: Background) -> None:
    text = ALLOCATED.replace("allocation: mass", "allocation: economic").replace(", price: 20", "")
    with pytest.raises(InventoryError, match="needs 'output_price'"):
        calculate(write(tmp_path, "a.yaml", text), background=mini_background)


def test_co_products_need_an_allocation(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="needs 'allocation"):
        read_inventory(write(tmp_path, "a.yaml", ALLOCATED.replace("    allocation: mass\n", "")))


def test_emission_names_label_line_items(tmp_path: Path, mini_background: Background) -> None:
    text = PRODUCT.replace(
        "{gas: N2O, amount: 10 g}", "{name: Nitric acid off-gas, gas: N2O, amount: 10 g}"
    )
    result = calculate(write(tmp_path, "p.yaml", text), background=mini_background)
    line = next(c for c in result.by_input if c.input == "Nitric acid off-gas")
    assert line.value == pytest.approx(0.01 * 273 / 10, rel=1e-12)
    assert line.kind == "emission"
    assert set(result.by_gas) == {"CO2", "CH4", "N2O"}


def test_cut_off_inputs_of_a_linked_activity_are_reported(
    tmp_path: Path, mini_background: Background
) -> None:
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(
        "the supply chain reaches 1 cut-off exchange(s) in 1 background activity"
    )
    assert "1 unlinked product input" in result.warnings[0]
    assert [(c.activity, c.input) for c in result.cut_offs] == [("steel", "CUTOFF Ferro-alloys")]
    assert mini_background.describe()["unlinked_exchanges"] == {}


def test_reviewed_findings_travel_with_results(tmp_path: Path) -> None:
    import shutil

    from footprint.background.store import read_table_dir
    from tests.conftest import FIXTURES

    tables = tmp_path / "tables"
    shutil.copytree(FIXTURES / "mini_background", tables)
    (tables / "findings.csv").write_text(
        'activity,finding\ntruck,"reviewed finding: no fuel upstream, see note 4"\n'
    )
    background = read_table_dir(tables, "mini")
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=background)
    assert any(
        w.startswith("Transport, truck [truck]: ")
        and w.endswith("reviewed finding: no fuel upstream, see note 4")
        for w in result.warnings
    ), result.warnings
    assert len(result.warnings) == 2  # and the steel cut-off caveat, as without findings


def test_shipped_cement_dataset_carries_its_correction() -> None:
    from footprint.paths import examples_dir

    result = calculate(examples_dir() / "concrete-4000psi.yaml")
    assert any(
        w.startswith(
            "Portland cement, at plant [62993671-574c-3fc5-b66a-6be3bb21ad3d]: corrected: "
        )
        for w in result.warnings
    )


def test_cumulative_energy_demand(tmp_path: Path, mini_background: Background) -> None:
    from footprint.engine.energy import ced_factor

    found = ced_factor("Gas, natural, in ground", "m3")
    assert found is not None
    mj_per_m3 = found[0]
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    # 10 m3 of combusted gas per 10 pieces draws 1.1 m3 of gas from the ground each.
    assert result.energy == pytest.approx(10 * 1.1 * mj_per_m3 / 10, rel=1e-12)


def test_physical_allocation(tmp_path: Path, mini_background: Background) -> None:
    text = (
        ALLOCATED.replace("allocation: mass", "allocation: physical")
        .replace("output_price: 300", "output_property: 2.0")
        .replace("price: 20", "property: 8.0")
    )
    result = calculate(write(tmp_path, "a.yaml", text), background=mini_background)
    assert result.total == pytest.approx(1000 * 2.0 / (2.0 + 0.25 * 8.0), rel=1e-12)
    assert "physical" in result.allocation["split"]


def test_substitution_credits_the_displaced_product(
    tmp_path: Path, mini_background: Background
) -> None:
    text = ALLOCATED.replace("allocation: mass", "allocation: substitution").replace(
        "co_products: [{name: Slag, amount: 0.25 t, price: 20}]",
        "co_products: [{name: Steam, amount: 200 kg, substitutes: steel}]",
    )
    result = calculate(write(tmp_path, "s.yaml", text), background=mini_background)
    assert result.total == pytest.approx(1000 - 200 * (STEEL_FOSSIL + STEEL_BIOGENIC), rel=1e-12)
    credit = next(c for c in result.by_input if c.input.startswith("Steam (avoided"))
    assert credit.value == pytest.approx(-200 * (STEEL_FOSSIL + STEEL_BIOGENIC), rel=1e-12)
    assert "substitution" in result.allocation["split"]


def test_substitution_needs_the_displaced_product(
    tmp_path: Path, mini_background: Background
) -> None:
    text = ALLOCATED.replace("allocation: mass", "allocation: substitution")
    with pytest.raises(InventoryError, match="has no 'substitutes'"):
        calculate(write(tmp_path, "s.yaml", text), background=mini_background)


@pytest.mark.parametrize(
    ("table", "column", "what"),
    [
        ("technosphere", "supplier", "supplier"),
        ("technosphere", "consumer", "consumer"),
        ("biosphere", "activity", "activity"),
        ("biosphere", "flow", "flow"),
    ],
)
def test_exchange_naming_an_unknown_id_is_refused(
    tmp_path: Path, mini_background: Background, table: str, column: str, what: str
) -> None:
    from dataclasses import replace

    frame = getattr(mini_background, table).copy()
    frame.loc[frame.index[0], column] = "no-such-id"
    broken = replace(mini_background, **{table: frame})
    with pytest.raises(BackgroundError, match=f"unknown {what} 'no-such-id'"):
        calculate(write(tmp_path, "p.yaml", PRODUCT), background=broken)


def test_a_singular_background_is_a_footprint_error_not_a_crash(tmp_path: Path) -> None:
    import shutil

    from footprint.background.store import read_table_dir
    from footprint.errors import BackgroundError
    from tests.conftest import FIXTURES

    tables = tmp_path / "loop"
    shutil.copytree(FIXTURES / "mini_background", tables)
    with (tables / "technosphere.csv").open("a", encoding="utf-8") as handle:
        handle.write("elec-us,elec-us,1.0\n")  # US electricity needs all the electricity it makes
    looped = read_table_dir(tables, "loop")
    with pytest.raises(BackgroundError, match="singular"):
        calculate(write(tmp_path, "p.yaml", PRODUCT), background=looped)
