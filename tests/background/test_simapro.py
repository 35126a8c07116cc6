"""SimaPro CSV -> background tables, on hand-written exports (invented numbers, no licensed data).

``fixtures/simapro/processes.csv`` (SimaPro 9.5, decimal point, no related objects):
- ``DEMO-REF-01``: one 1000 kg batch of crude oil (a parameter and a formula) makes 800 l diesel
  (80 %) and 0.2 ton heavy fuel oil (20 %); emits 1000 * 0.12 kg CO2 and 0.5 kg CH4 (fossil).
- ``DEMO-ELEC-01``: 1000 kWh from 250 kg heavy fuel oil; 800 kg CO2 and 10 g N2O (high. pop.);
  1500 MJ heat avoided; 5 kg fly ash to a landfill that is not in the file.
- ``DEMO-TRK-01``: 1 tkm from 0.00003 m3 diesel; 0.08 kg CO2.
- ``DEMO-FARM-01``: 5000 kg rice from 3600 MJ electricity, 100 l diesel, 250 tkm; 150 kg biogenic
  methane, 265 kg fossil CO2, 6000 kg CO2 taken from the air, 20 kg nitrate to groundwater.

``fixtures/simapro/waste_units.csv`` (SimaPro 9.6, decimal comma, with ``Units``, substances and
a database parameter): a landfill (waste treatment, per ton), cement (10 ton, sends 500 kg fly ash
to the landfill), a limestone quarry and a waste scenario.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from footprint.background.importers.simapro import convert_simapro_csv
from footprint.background.importers.simapro_units import (
    flow_reference_unit,
    unit_factor,
    unit_label,
)
from footprint.background.importers.tables import (
    ACTIVITY_COLUMNS,
    BIOSPHERE_COLUMNS,
    FLOW_COLUMNS,
    TECHNOSPHERE_COLUMNS,
    UNLINKED_COLUMNS,
    Build,
    write_build,
)
from footprint.background.store import read_table_dir
from footprint.engine.calculate import calculate
from footprint.errors import BackgroundError
from footprint.inventory import Inventory

FIXTURES = Path(__file__).parent / "fixtures" / "simapro"
PROCESSES = FIXTURES / "processes.csv"
WASTE_UNITS = FIXTURES / "waste_units.csv"

ELEC, FARM, TRUCK = "DEMO-ELEC-01", "DEMO-FARM-01", "DEMO-TRK-01"
DIESEL = "DEMO-REF-01/Diesel, at refinery {US}"
HFO = "DEMO-REF-01/Heavy fuel oil, at refinery {US}"
ELEC_NAME = "Electricity, medium voltage, oil-fired CHP {US}"
CO2 = "air/unspecified/Carbon dioxide, fossil/kg"
CO2_HIGH = "air/high. pop./Carbon dioxide, fossil/kg"
N2O = "air/high. pop./Dinitrogen monoxide/kg"
CH4_FOSSIL = "air/unspecified/Methane, fossil/kg"
CH4_BIO = "air/unspecified/Methane, biogenic/kg"
CO2_AIR = "resource/in air/Carbon dioxide, in air/kg"
NITRATE = "water/groundwater/Nitrate/kg"


@pytest.fixture(scope="module")
def build() -> Build:
    return convert_simapro_csv(PROCESSES)


@pytest.fixture(scope="module")
def waste() -> Build:
    return convert_simapro_csv(WASTE_UNITS)


def amounts(rows: list[tuple[str, ...]]) -> dict[tuple[str, str], float]:
    return {(r[0], r[1]): float(r[2]) for r in rows}


def approx(expected: dict[tuple[str, str], float]) -> object:
    return pytest.approx(expected, rel=1e-12, abs=0.0)


def test_tables_have_the_uslci_columns(build: Build) -> None:
    widths = {
        "activities": len(ACTIVITY_COLUMNS),
        "technosphere": len(TECHNOSPHERE_COLUMNS),
        "biosphere": len(BIOSPHERE_COLUMNS),
        "flows": len(FLOW_COLUMNS),
        "unlinked": len(UNLINKED_COLUMNS),
    }
    assert set(build.tables) == set(widths)
    for name, rows in build.tables.items():
        assert rows == sorted(rows), name
        assert {len(r) for r in rows} == {widths[name]}, name


def test_one_activity_per_product_in_the_product_unit(build: Build) -> None:
    assert build.tables["activities"] == [
        (ELEC, ELEC_NAME, "US", "kWh", ELEC_NAME, ELEC_NAME, "energy/Electricity/Oil", "", "", ""),
        (
            FARM,
            "Rice, paddy, at farm {US}",
            "US",
            "kg",
            "Rice, paddy, at farm {US}",
            "Rice, paddy, at farm {US}",
            "material/Agricultural/Cereals",
            "",
            "2020-01-01",
            "2020-12-31",
        ),
        (
            DIESEL,
            "Diesel, at refinery {US}",
            "US",
            "L",  # SimaPro l
            "Diesel, at refinery {US}",
            "Diesel, at refinery {US}",
            "material/Fuels/Refinery products",
            "Demo refinery report 2020",
            "2015-01-01",
            "2019-12-31",
        ),
        (
            HFO,
            "Heavy fuel oil, at refinery {US}",
            "US",
            "t",  # SimaPro ton is a metric tonne
            "Heavy fuel oil, at refinery {US}",
            "Heavy fuel oil, at refinery {US}",
            "material/Fuels/Refinery products",
            "Demo refinery report 2020",
            "2015-01-01",
            "2019-12-31",
        ),
        (
            TRUCK,
            "Transport, freight, lorry 16-32 t {US}",
            "US",
            "tkm",
            "Transport, freight, lorry 16-32 t {US}",
            "Transport, freight, lorry 16-32 t {US}",
            "transport/Transport/Road",
            "",
            "",
            "",
        ),
    ]


def test_technosphere_is_linked_by_name_and_converted_to_the_supplier_unit(build: Build) -> None:
    assert amounts(build.tables["technosphere"]) == approx(
        {
            (ELEC, HFO): 250 / 1000 / 1000,  # 250 kg HFO per 1000 kWh, in t per kWh
            (FARM, ELEC): 3600 / 3.6 / 5000,  # 3600 MJ per 5000 kg, in kWh per kg
            (FARM, DIESEL): 100 / 5000,  # l per kg
            (FARM, TRUCK): 250 / 5000,  # tkm per kg
            (TRUCK, DIESEL): 0.00003 * 1000,  # m3 -> L per tkm
        }
    )


def test_biosphere_is_allocated_and_per_unit(build: Build) -> None:
    assert amounts(build.tables["biosphere"]) == approx(
        {
            (DIESEL, CO2): 1000 * 0.12 * 0.8 / 800,  # formula crude_input * co2_per_kg
            (DIESEL, CH4_FOSSIL): 0.5 * 0.8 / 800,
            (HFO, CO2): 1000 * 0.12 * 0.2 / 0.2,
            (HFO, CH4_FOSSIL): 0.5 * 0.2 / 0.2,
            (ELEC, CO2_HIGH): 800 / 1000,
            (ELEC, N2O): 10 / 1000 / 1000,  # g -> kg
            (TRUCK, CO2): 0.08,
            (FARM, CO2): 265 / 5000,
            (FARM, CH4_BIO): 150 / 5000,
            (FARM, CO2_AIR): 6000 / 5000,  # removal: positive, kind=removal
            (FARM, NITRATE): 20 / 5000,
        }
    )


def test_allocation_conserves_the_process_total(build: Build) -> None:
    bio = amounts(build.tables["biosphere"])
    assert 800 * bio[(DIESEL, CO2)] + 0.2 * bio[(HFO, CO2)] == pytest.approx(120.0, rel=1e-12)
    report = build.report["multi_output_activities"]
    assert report == [
        {
            "id": "DEMO-REF-01",
            "name": "Crude oil refining, demo {US}",
            "co_products": 1,
            "allocation_percent": {
                "Diesel, at refinery {US}": 80.0,
                "Heavy fuel oil, at refinery {US}": 20.0,
            },
        }
    ]


def test_flows_carry_gas_origin_and_kind(build: Build) -> None:
    assert build.tables["flows"] == [
        (
            CO2_HIGH,
            "Carbon dioxide, fossil",
            "air/high. pop.",
            "kg",
            "",
            "CO2",
            "fossil",
            "emission",
        ),
        (N2O, "Dinitrogen monoxide", "air/high. pop.", "kg", "", "N2O", "unspecified", "emission"),
        (CO2, "Carbon dioxide, fossil", "air/unspecified", "kg", "", "CO2", "fossil", "emission"),
        (CH4_BIO, "Methane, biogenic", "air/unspecified", "kg", "", "CH4", "biogenic", "emission"),
        (CH4_FOSSIL, "Methane, fossil", "air/unspecified", "kg", "", "CH4", "fossil", "emission"),
        (
            CO2_AIR,
            "Carbon dioxide, in air",
            "resource/in air",
            "kg",
            "",
            "CO2",
            "biogenic",
            "removal",
        ),
        (NITRATE, "Nitrate", "water/groundwater", "kg", "", "", "unspecified", "emission"),
    ]


def test_unlinked_rows_say_why(build: Build) -> None:
    rows = [(*r[:4], float(r[4]), *r[5:]) for r in build.tables["unlinked"]]
    fly_ash, heat = "Fly ash, to landfill {US}", "Heat, district, from natural gas {US}"
    crude, diesel, hfo = (
        "Crude oil, at well {US}",
        "Diesel, at refinery {US}",
        "Heavy fuel oil, at refinery {US}",
    )
    assert rows == [
        (ELEC, ELEC_NAME, fly_ash, fly_ash, 0.005, "kg", "unlinked waste output"),
        (ELEC, ELEC_NAME, heat, heat, 1.5, "MJ", "avoided product (substitution not applied)"),
        (
            DIESEL,
            diesel,
            crude,
            crude,
            pytest.approx(1000 * 0.8 / 800),
            "kg",
            "unlinked product input",
        ),
        (HFO, hfo, crude, crude, pytest.approx(1000.0), "kg", "unlinked product input"),
    ]


def test_report(build: Build) -> None:
    import bw_simapro_csv  # type: ignore[import-untyped]

    report = build.report
    assert report["source_format"] == "SimaPro CSV"
    assert report["reader"] == f"bw_simapro_csv {bw_simapro_csv.__version__}"
    assert report["dataset"] == "Footprint demo"
    assert report["source_file"] == "processes.csv"
    assert report["version"] == report["source_sha256"][:12]
    assert report["simapro"]["version"] == "9.5.0.2"
    assert report["counts"] == {
        "processes_read": 4,
        "activities_written": 5,
        "technosphere_exchanges": 5,
        "biosphere_exchanges": 11,
        "elementary_flows": 7,
        "flows_with_gas": 6,
        "unlinked_exchanges": 4,
        "self_loops": 0,
        "negative_technosphere_amounts": 0,
        "exchanges_linked_before_merge": 5,
    }
    assert report["flows_by_gas"] == {"CH4": 2, "CO2": 3, "N2O": 1}
    assert report["unlinked_by_reason"] == {
        "avoided product (substitution not applied)": 1,
        "unlinked product input": 2,
        "unlinked waste output": 1,
    }
    assert report["unit_conversions"] == {"MJ -> kWh": 1, "g -> kg": 1, "kg -> t": 1, "m3 -> L": 1}
    assert report["units_emitted"] == {
        "activities": ["L", "kWh", "kg", "t", "tkm"],
        "flows": ["kg"],
        "unlinked": ["MJ", "kg"],
    }
    assert report["ghg_not_characterised"] == []


def test_output_is_deterministic(tmp_path: Path, build: Build) -> None:
    calls: list[tuple[int, int]] = []
    again = convert_simapro_csv(PROCESSES, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert again == build
    first = write_build(build, tmp_path / "a")
    second = write_build(again, tmp_path / "b")
    assert first == second
    for name in ("activities.csv.gz", "technosphere.csv.gz", "build_report.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_waste_treatment_units_block_and_skips(waste: Build) -> None:
    cement, landfill, quarry = "DEMO-CEM-01", "DEMO-LF-01", "DEMO-QRY-01"
    acts = {r[0]: r for r in waste.tables["activities"]}
    assert {k: (r[1], r[3]) for k, r in acts.items()} == {
        cement: ("Cement, demo {US}", "kg"),  # ton -> kg by the file's own Units block
        landfill: ("Fly ash, to landfill {US}", "kg"),
        quarry: ("Limestone, crushed, demo {US}", "kg"),
    }
    assert acts[landfill][6] == "waste treatment/Landfill/Inert"
    assert amounts(waste.tables["technosphere"]) == approx(
        {(cement, landfill): 500 / 10000, (cement, quarry): 12000 / 10000}
    )
    hcfc = "air/unspecified/Methane, chlorodifluoro-, HCFC-22/kg"
    assert amounts(waste.tables["biosphere"]) == approx(
        {
            (cement, CO2): 4680 / 0.9 / 10000,  # database parameter kiln_efficiency = 0,9
            (cement, hcfc): 0.1e-3 / 10000,
            (landfill, CO2): 5 / 1000,
            (quarry, "air/low. pop./Particulates, < 10 um/kg"): 0.5 * 0.2 / 1000,
            (quarry, "resource/in ground/Calcite, in ground/kg"): 1050 / 1000,
        }
    )
    flows = {r[0]: r for r in waste.tables["flows"]}
    assert flows[CO2][4:] == ("124-38-9", "CO2", "fossil", "emission")  # CAS from substance list
    assert flows[hcfc][4:] == ("75-45-6", "HCFC-22", "unspecified", "emission")
    assert flows["resource/in ground/Calcite, in ground/kg"][5:] == ("", "unspecified", "removal")
    unlinked = {
        (r[0], r[3]): (float(r[4]) if r[4] else None, r[5], r[6]) for r in waste.tables["unlinked"]
    }
    assert unlinked == {
        (cement, "Added value, demo"): (
            pytest.approx(0.085),
            "EUR",
            "economic issue (not physical)",
        ),
        (cement, ELEC_NAME): (pytest.approx(1100 * 3.6 / 10000), "MJ", "unlinked product input"),
        (cement, "Noise, road traffic, demo"): (pytest.approx(0.004), "vkm", "unknown unit: vkm"),
        (landfill, "Diesel, at refinery {US}"): (
            pytest.approx(2e-3 / 1000),
            "m3",
            "unlinked product input",
        ),
        ("DEMO-WS-01", ""): (None, "", "waste scenario (not supported; process skipped)"),
    }
    report = waste.report
    assert report["unlinked_by_reason"]["unknown unit"] == 1
    assert report["unit_conversions"] == {
        "L -> m3 (SimaPro units block)": 1,
        "g -> kg (SimaPro units block)": 1,
        "kWh -> MJ (SimaPro units block)": 1,
        "t -> kg (SimaPro units block)": 2,
    }
    assert report["ghg_not_characterised"] == []  # HCFC-22 has a GWP (AR6 1960)


@pytest.mark.parametrize(
    ("simapro", "label", "to", "factor"),
    [
        ("ton", "t", "kg", 1000.0),
        ("l", "L", "m3", 0.001),
        ("kWh", "kWh", "MJ", 3.6),
        ("p", "piece", "piece", 1.0),
        ("personkm", "pkm", "pkm", 1.0),
        ("tkm", "tkm", "kgkm", 1000.0),
        ("m2a", "m2*a", "m2*a", 1.0),
    ],
)
def test_simapro_unit_names(simapro: str, label: str, to: str, factor: float) -> None:
    assert unit_label(simapro) == label
    assert unit_factor(label, to) == pytest.approx(factor, rel=1e-12)


def test_flow_reference_units() -> None:
    assert [flow_reference_unit(u) for u in ("g", "kWh", "L", "ha", "m2*a", "Bq")] == [
        "kg",
        "MJ",
        "m3",
        "m2",
        "m2*a",
        "kBq",
    ]


def test_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BackgroundError, match="not found"):
        convert_simapro_csv(tmp_path / "missing.csv")
    methods = tmp_path / "methods.csv"
    methods.write_text(
        "{SimaPro 9.5.0.2}\n{methods}\n{Date: 3/14/2024}\n{CSV separator: Semicolon}\n"
        "{Decimal separator: .}\n{CSV Format version: 9.0.0}\n",
        encoding="utf-8",
    )
    with pytest.raises(BackgroundError, match="not of processes"):
        convert_simapro_csv(methods)


def test_a_product_made_twice_is_ambiguous(tmp_path: Path) -> None:
    text = PROCESSES.read_text(encoding="utf-8")
    start = text.index("Process\n\nCategory type\ntransport")
    truck = text[start : text.index("End\n", start) + 4]
    copy = tmp_path / "twice.csv"
    data = text + "\n" + truck.replace("DEMO-TRK-01", "DEMO-TRK-02")
    copy.write_bytes(b"\xef\xbb\xbf" + data.encode("utf-8"))  # with a byte-order mark
    build = convert_simapro_csv(copy)
    rows = [r for r in build.tables["unlinked"] if r[0] == FARM]
    assert [(r[3], r[6]) for r in rows] == [
        ("Transport, freight, lorry 16-32 t {US}", "ambiguous provider: DEMO-TRK-01 DEMO-TRK-02")
    ]
    assert float(rows[0][4]) == pytest.approx(250 / 5000)
    assert build.report["unlinked_by_reason"]["ambiguous provider"] == 1


# Hand-solved AR6 intensities (kg CO2e per unit): CO2 1, CH4 fossil 29.8, CH4 non-fossil 27.0,
# N2O 273, CO2 taken from the air -1.
HFO_CO2E = 120.0 + 0.5 * 29.8  # per t
DIESEL_CO2E = 0.12 + 0.0005 * 29.8  # per L
ELEC_CO2E = 0.00025 * HFO_CO2E + 0.8 + 1e-5 * 273  # per kWh
TRUCK_CO2E = 0.03 * DIESEL_CO2E + 0.08  # per tkm
RICE_FOSSIL = 0.2 * ELEC_CO2E + 0.02 * DIESEL_CO2E + 0.05 * TRUCK_CO2E + 0.053  # per kg
RICE_BIOGENIC, RICE_REMOVAL = 0.03 * 27.0, -1.2  # per kg


def test_engine_computes_with_the_converted_background(tmp_path: Path, build: Build) -> None:
    write_build(build, tmp_path / "bg")
    bg = read_table_dir(tmp_path / "bg", "test")
    inventory = Inventory.model_validate(
        {
            "product": {
                "name": "Rice, milled",
                "declared_unit": "kg",
                "declared_amount": 1,
                "geography": "US",
            },
            "processes": [
                {
                    "id": "mill",
                    "output": "1 kg",
                    "inputs": [
                        {"background": {"id": FARM}, "amount": "1.5 kg", "stage": "A1"},
                        {"background": {"name": ELEC_NAME, "location": "US"}, "amount": "0.18 MJ"},
                        {"background": {"id": TRUCK}, "amount": "300 kgkm", "stage": "A2"},
                    ],
                }
            ],
        }
    )
    result = calculate(inventory, background=bg)
    fossil = 1.5 * RICE_FOSSIL + 0.05 * ELEC_CO2E + 0.3 * TRUCK_CO2E
    assert result.fossil == pytest.approx(fossil, rel=1e-12)
    assert result.biogenic_emissions == pytest.approx(1.5 * RICE_BIOGENIC, rel=1e-12)
    assert result.biogenic_removals == pytest.approx(1.5 * RICE_REMOVAL, rel=1e-12)
    assert result.land_use_change == 0.0
    total = fossil + 1.5 * (RICE_BIOGENIC + RICE_REMOVAL)
    assert math.isclose(total, -0.177176125, rel_tol=1e-12)  # worked out on paper
    assert result.total == pytest.approx(total, rel=1e-12)
