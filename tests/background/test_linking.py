"""Linking: preferred providers, inputs of flows nobody makes, and the refinery table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from footprint.background.importers.linking import (
    PROVIDER_COLUMNS,
    link,
    read_providers,
    resolve_preferences,
)
from footprint.background.importers.refinery import (
    COLUMNS,
    RefineryTable,
    check_names,
    feedstock_per_unit,
    read_refinery_table,
)
from footprint.background.importers.tables import PRODUCT, Activity, Exchange, Parsed, coproduct_id
from footprint.errors import BackgroundError


def activity(aid: str, product: str, flow: str, unit: str = "kg") -> Activity:
    return Activity(aid, f"{product} maker", "US", unit, product, flow, "", "", "", "", False)


def uses(consumer: str, flow: str, name: str, amount: float = 1.0, unit: str = "kg") -> Exchange:
    return Exchange(consumer, flow, name, PRODUCT, amount, unit, True, False, "")


ACTS = {
    "a": activity("a", "Diesel, at refinery", "f-diesel", "m3"),
    "b": activity("b", "Diesel, at refinery", "f-diesel", "m3"),
    "lime": activity("lime", "Quicklime, at plant", "f-lime"),
    "user": activity("user", "Bracket", "f-bracket"),
}


def test_a_preferred_provider_resolves_an_ambiguous_product() -> None:
    parsed = Parsed(dict(ACTS), [uses("user", "f-diesel", "Diesel, at refinery", 0.5, "m3")])
    ambiguous = link(parsed, {}, Counter())
    assert [r.reason for r in ambiguous.unlinked] == ["ambiguous provider: a b"]
    linked = link(parsed, {}, Counter(), preferred={"f-diesel": "b"})
    assert dict(linked.technosphere) == {("user", "b"): [0.5]}
    assert linked.preferred_links == Counter({("f-diesel", "b"): 1})


def test_an_input_of_a_flow_nobody_makes_links_by_name_and_unit() -> None:
    parsed = Parsed(
        dict(ACTS),
        [
            uses("user", "f-lime-2", "Quicklime, at plant ", 2.0),  # same name, other flow id
            uses("user", "f-lime-3", "Quicklime, at plant", 3.0, "m3"),  # other unit
            uses("user", "f-diesel-2", "Diesel, at refinery", 0.1, "m3"),  # made by two
            uses("user", "f-ore", "Iron ore", 4.0),
        ],
    )
    plain = link(parsed, {}, Counter())
    assert not plain.technosphere
    linked = link(parsed, {}, Counter(), orphans=True, preferred={"f-diesel": "a"})
    assert dict(linked.technosphere) == {("user", "lime"): [2.0], ("user", "a"): [0.1]}
    assert [(o["flow"], o["linked_flow"], o["provider"]) for o in linked.orphan_links] == [
        ("f-lime-2", "f-lime", "lime"),
        ("f-diesel-2", "f-diesel", "a"),
    ]
    assert sorted(r.reason for r in linked.unlinked) == ["unlinked product input"] * 2


def test_a_default_provider_that_was_split_points_at_its_co_product() -> None:
    acts = dict(ACTS)
    split = activity(coproduct_id("mill", "f-chips"), "Chips", "f-chips")
    acts[split.id] = split
    acts["mill"] = activity("mill", "Board", "f-board")
    exchange = Exchange("user", "f-chips", "Chips", PRODUCT, 1.0, "kg", True, False, "mill")
    linked = link(Parsed(acts, [exchange]), {}, Counter())
    assert dict(linked.technosphere) == {("user", split.id): [1.0]}


def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    lines = [",".join(header), *(",".join(f'"{c}"' for c in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_preferences_name_a_process_and_the_product_it_makes(tmp_path: Path) -> None:
    acts = dict(ACTS)
    gas = activity(coproduct_id("a", "f-gasoline"), "Gasoline, at refinery", "f-gasoline", "m3")
    acts[gas.id] = gas
    rows = [
        ("f-diesel", "Diesel, at refinery", "a", "Diesel, at refinery maker", "newer"),
        ("f-gasoline", "Gasoline, at refinery", "a", "Diesel, at refinery maker", "newer"),
    ]
    path = write(tmp_path / "p.csv", PROVIDER_COLUMNS, rows)
    assert resolve_preferences(read_providers(path), acts) == {
        "f-diesel": "a",
        "f-gasoline": gas.id,
    }
    bad = write(tmp_path / "bad.csv", PROVIDER_COLUMNS, [(*rows[0][:2], "lime", rows[0][3], "x")])
    with pytest.raises(BackgroundError) as caught:
        resolve_preferences(read_providers(bad), acts)
    assert caught.value.where == f"{bad}, line 2, process"
    other = write(
        tmp_path / "o.csv", PROVIDER_COLUMNS, [("f-kero", "Kerosene", "a", rows[0][3], "x")]
    )
    with pytest.raises(BackgroundError, match="does not make 'Kerosene'") as caught:
        resolve_preferences(read_providers(other), acts)
    assert caught.value.where == f"{other}, line 2, flow"
    empty = write(tmp_path / "e.csv", PROVIDER_COLUMNS, [(*rows[0][:4], "")])
    with pytest.raises(BackgroundError, match="reason is empty"):
        read_providers(empty)


def refinery_row(**cells: str) -> tuple[str, ...]:
    base = {
        "product_flow": "f-diesel",
        "product": "Diesel, at refinery",
        "unit": "m3",
        "role": "co-product",
        "density": "3167 g/gal",
        "lower_heating_value": "42.781 MJ/kg",
        "source": "GREET",
        "confidence": "[S]",
        "note": "",
    }
    return tuple((base | cells)[c] for c in COLUMNS)


def test_the_refinery_table_converts_published_densities(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        COLUMNS,
        [
            refinery_row(),
            refinery_row(product_flow="f-gas", unit="m3", density="32.8 g/ft**3"),
            refinery_row(product_flow="f-coke", unit="kg", density="", role="co-product"),
            refinery_row(product_flow="f-crude", unit="kg", density="3205 g/gal", role="feedstock"),
        ],
    )
    table = read_refinery_table(path)
    gallon = 3.785411784e-3  # m3, exact
    assert table.kg_per_unit == pytest.approx(
        {"f-diesel": 3.167 / gallon, "f-gas": 0.0328 / 0.3048**3}
    )
    assert table.feedstock_kg_per_m3 == pytest.approx({"f-crude": 3.205 / gallon})
    assert table.mj_per_kg["f-coke"] == pytest.approx(42.781)


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"density": "42 MJ/kg"}, "density"),
        ({"density": "-1 kg/L"}, "density"),
        ({"lower_heating_value": "3 kg"}, "lower_heating_value"),
        ({"role": "by-product"}, "role"),
    ],
)
def test_bad_refinery_rows_are_refused(tmp_path: Path, cells: dict[str, str], column: str) -> None:
    path = write(tmp_path / "r.csv", COLUMNS, [refinery_row(**cells)])
    with pytest.raises(BackgroundError) as caught:
        read_refinery_table(path)
    assert caught.value.where == f"{path}, line 2, {column}"


def test_refinery_flows_must_be_named_as_in_the_source() -> None:
    table = RefineryTable(names={"f-diesel": "Diesel, at refinery"})
    check_names(table, {"f-diesel": "Diesel,  at refinery"})
    with pytest.raises(BackgroundError, match="'Gasoline' in the source"):
        check_names(table, {"f-diesel": "Gasoline"})


def test_feedstock_per_unit_of_each_allocated_product() -> None:
    table = RefineryTable(feedstock_kg_per_m3={"f-crude": 850.0})
    records = [{"outputs": [{"activity": "a"}, {"activity": "b"}]}]
    crude = Exchange("a", "f-crude", "Crude", PRODUCT, 850.0, "kg", True, False, "")
    feedstock_per_unit(records, [crude], table)
    assert records[0]["outputs"][0]["feedstock"]["m3_per_unit"] == pytest.approx(1.0)
    assert "feedstock" not in records[0]["outputs"][1]
