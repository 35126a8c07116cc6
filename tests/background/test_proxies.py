"""Reviewed links across joined databases (``proxies.csv``), on two hand-made databases.

``project`` (as a SimaPro or EcoSpold project imported on its own): ``bracket`` (1 piece) buys
2 kg of steel and 18 MJ of electricity, neither made in the project, and emits 1 kg CO2.
``eco`` (a separately imported database): ``steel`` emits 2 kg CO2 per kg, ``power`` 0.5 kg CO2
per kWh. Linked by hand: 1 + 2 x 2 + 18 MJ / 3.6 x 0.5 = 7.5 kg CO2 per bracket.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from footprint.background.catalog import load_background
from footprint.background.importer import backgrounds_dir
from footprint.background.proxies import COLUMNS, read_proxies
from footprint.engine.calculate import calculate
from footprint.errors import BackgroundError, FootprintError
from footprint.inventory import read_inventory

STEEL = {
    "flow": "f-steel",
    "flow_name": "Steel, hot rolled",
    "consumer": "",
    "provider_background": "eco",
    "provider_id": "steel",
    "reason": "the project's steel supplier, modelled in eco",
    "reviewer_note": "eco steel for the project's steel",
}
POWER = {
    **STEEL,
    "flow": "f-power",
    "flow_name": "Electricity",
    "provider_id": "power",
    "reviewer_note": "eco grid power",
}
BY_HAND = 1 + 2 * 2 + 18 / 3.6 * 0.5


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)


def _database(data_dir: Path, name: str, tables: dict[str, list[dict[str, str]]]) -> Path:
    directory = backgrounds_dir(data_dir) / name
    directory.mkdir(parents=True)
    for stem, rows in tables.items():
        _write(directory / f"{stem}.csv", rows)
    return directory


def _activity(aid: str, name: str, unit: str) -> dict[str, str]:
    return {
        "id": aid,
        "name": name,
        "location": "GLO",
        "unit": unit,
        "product": name,
        "category": "",
        "source": "hand-made",
    }


def _co2(activity: str, amount: str) -> dict[str, str]:
    return {"activity": activity, "flow": "co2", "amount": amount}


FLOWS = [
    {
        "id": "co2",
        "name": "Carbon dioxide",
        "compartment": "air",
        "unit": "kg",
        "cas": "",
        "gas": "CO2",
        "origin": "fossil",
        "kind": "elementary",
    }
]


def _cut(flow: str, name: str, amount: str, unit: str, reason: str) -> dict[str, str]:
    return {
        "activity": "bracket",
        "activity_name": "Bracket",
        "flow": flow,
        "flow_name": name,
        "amount": amount,
        "unit": unit,
        "reason": reason,
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    project = _database(
        data,
        "project",
        {
            "activities": [_activity("bracket", "Bracket", "piece")],
            "biosphere": [_co2("bracket", "1")],
            "flows": FLOWS,
            "unlinked": [
                _cut("f-steel", "Steel, hot rolled", "2", "kg", "unlinked product input"),
                _cut("f-power", "Electricity", "18", "MJ", "ambiguous provider: a b"),
                _cut("f-box", "Cardboard box", "1", "piece", "unlinked product input"),
            ],
        },
    )
    eco = _database(
        data,
        "eco",
        {
            "activities": [_activity("steel", "Steel", "kg"), _activity("power", "Power", "kWh")],
            "biosphere": [_co2("steel", "2"), _co2("power", "0.5")],
            "flows": FLOWS,
        },
    )
    for directory in (project, eco):
        (directory / "technosphere.csv").write_text("consumer,supplier,amount\n", encoding="utf-8")
    _write(project / "proxies.csv", [STEEL, POWER])
    return data


def _bracket(tmp_path: Path) -> Path:
    path = tmp_path / "bracket.yaml"
    path.write_text(
        "product: {name: Bracket, declared_unit: piece, declared_amount: 1, process: p, "
        "geography: CN, reference_period: {start: 2024-01-01, end: 2024-12-31}}\n"
        "processes:\n"
        "  - id: p\n    output: 1 piece\n    stage: A3\n    inputs:\n"
        "      - {name: Bracket, background: {id: bracket}, amount: 1 piece}\n",
        encoding="utf-8",
    )
    return path


def test_a_joined_project_reaches_the_other_database_as_computed_by_hand(
    data_dir: Path, tmp_path: Path
) -> None:
    joined = load_background("project+eco", data_dir)
    result = calculate(read_inventory(_bracket(tmp_path)), background=joined)
    assert result.total == pytest.approx(BY_HAND, rel=1e-12)
    assert "+proxies@" in joined.version
    proxied = [w for w in result.warnings if "proxy:" in w]
    assert any("eco steel for the project's steel" in w for w in proxied)
    assert any("eco grid power" in w for w in proxied)
    assert [c.input for c in result.cut_offs] == ["Cardboard box"]  # still left out


def test_the_project_alone_keeps_its_cut_offs(data_dir: Path, tmp_path: Path) -> None:
    alone = load_background("project", data_dir)
    result = calculate(read_inventory(_bracket(tmp_path)), background=alone)
    assert result.total == pytest.approx(1.0, rel=1e-12)
    assert len(result.cut_offs) == 3
    assert not any("proxy:" in w for w in result.warnings)


def test_a_row_for_a_database_not_joined_is_not_applied(data_dir: Path) -> None:
    _write(
        backgrounds_dir(data_dir) / "project" / "proxies.csv",
        [{**STEEL, "provider_background": "elsewhere"}],
    )
    joined = load_background("project+eco", data_dir)
    assert "+proxies@" not in joined.version
    assert len(joined.cut_offs) == 3


@pytest.mark.parametrize(
    ("change", "field", "what"),
    [
        ({"provider_id": "no-such"}, "provider_id", "no activity with id 'no-such'"),
        ({"provider_id": "power"}, "provider_id", "'kg' but the provider's reference unit"),
        ({"flow": "f-nothing"}, "flow", "not an unlinked input"),
        ({"flow_name": "Steel, cold rolled"}, "flow_name", "not 'Steel, cold rolled'"),
        ({"consumer": "no-such"}, "consumer", "no activity with id 'no-such'"),
        ({"reason": " "}, "reason", "reason is empty"),
    ],
)
def test_a_bad_row_names_file_line_field_and_fix(
    data_dir: Path, change: dict[str, str], field: str, what: str
) -> None:
    path = backgrounds_dir(data_dir) / "project" / "proxies.csv"
    _write(path, [POWER, {**STEEL, **change}])
    with pytest.raises(BackgroundError) as raised:
        load_background("project+eco", data_dir)
    assert raised.value.where == f"{path}, line 3, {field}"
    assert what in raised.value.what
    assert raised.value.fix


def test_a_duplicate_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "proxies.csv"
    _write(path, [STEEL, POWER, STEEL])
    with pytest.raises(FootprintError, match="also on line 2") as raised:
        read_proxies(path)
    assert raised.value.where == f"{path}, line 4, flow"


def test_the_shipped_tiangong_links_reach_uslci_and_say_so() -> None:
    joined = load_background("default+tiangong")
    cement = "1129701c-e75d-4573-9d2b-c2016d9a1b05"  # China-average cement: limestone, gypsum
    links = joined.technosphere[joined.technosphere["consumer"] == cement]
    limestone = "49e563d8-0cea-3f97-96b8-15787be48b91"
    assert sorted(links[links["supplier"] == limestone]["amount"]) == pytest.approx([0.05, 0.92])
    assert "proxy:" in joined.corrections[cement]
    assert not (joined.cut_offs["activity"] == cement).any()
    assert load_background("tiangong").cut_offs["activity"].eq(cement).sum() == 2


def test_a_proxy_link_carries_no_distribution_and_monte_carlo_runs(
    data_dir: Path, tmp_path: Path
) -> None:
    from footprint.background.store import NO_DISTRIBUTION, UNCERTAINTY_COLUMNS
    from footprint.engine.montecarlo.run import monte_carlo

    eco = backgrounds_dir(data_dir) / "eco"
    header = "consumer,supplier,amount," + ",".join(UNCERTAINTY_COLUMNS) + "\n"
    (eco / "technosphere.csv").write_text(header, encoding="utf-8")
    uniform = {"minimum": "1.5", "maximum": "2.5"}
    _write(  # steel's CO2: uniform 1.5 … 2.5 kg around its 2 kg
        eco / "biosphere.csv",
        [
            {**_co2("steel", "2"), **NO_DISTRIBUTION, "uncertainty_type": "4", **uniform},
            {**_co2("power", "0.5"), **NO_DISTRIBUTION},
        ],
    )
    joined = load_background("project+eco", data_dir)
    links = joined.technosphere[joined.technosphere["consumer"] == "bracket"]
    assert sorted(links["supplier"]) == ["power", "steel"]
    for frame in (joined.technosphere, joined.biosphere):
        assert not frame[UNCERTAINTY_COLUMNS].isna().any().any()
    assert links[UNCERTAINTY_COLUMNS].to_dict("records") == [NO_DISTRIBUTION] * 2
    result = monte_carlo(
        _bracket(tmp_path), iterations=400, seed=1, background="project+eco", data_dir=data_dir
    )
    assert result.sampled["background_biosphere"] == 1
    assert np.isfinite(result.samples).all()
    # 1 + 2 × U(1.5, 2.5) + 2.5: between 6.5 and 8.5, mean 7.5
    assert result.samples.min() >= 6.5 - 1e-9
    assert result.samples.max() <= 8.5 + 1e-9
    assert result.std > 0
    assert result.mean == pytest.approx(BY_HAND, rel=0.02)
