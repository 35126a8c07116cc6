"""EcoSpold 1 and 2 conversion on hand-made fixtures (never the real data).

Both fixtures (``fixtures/ecospold1``, ``fixtures/ecospold2``, see their README) describe the same
four processes with invented numbers:

- electricity (1 kWh): 0.25 L diesel, 0.6 kg CO2 fossil, 1 g (EcoSpold 2: 0.001 kg) non-fossil CH4;
  EcoSpold 1 also 0.2 m3 natural gas (no producer).
- diesel (2 m3, so everything is halved): 400 kg CO2 fossil, a resource, 300 kg heavy fuel oil
  co-product; EcoSpold 2 also 1700 kg petroleum (no producer).
- steel (1 t): 1800 MJ electricity, 50 L diesel, 1500 kg CO2 fossil, 0.002 kg non-fossil CH4,
  10 kg CO2 taken from the air; EcoSpold 1 also diesel in kg (unit mismatch), iron ore (no
  producer), heavy fuel oil (a co-product elsewhere) and slag to landfill (no treatment);
  EcoSpold 2 also ferrochromium linked to an activity that is not in the folder.
- lorry transport (1 tkm): 0.03 L diesel, 0.002 kg steel, 0.08 kg CO2 fossil, 4e-6 kg N2O;
  EcoSpold 2 also 1e-9 kg SF6 (a flow missing from MasterData).
"""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import pytest

from footprint.background.importers import ecospold as es
from footprint.background.importers.ecospold1 import convert_ecospold1, ecospold1_flow_id
from footprint.background.importers.ecospold2 import convert_ecospold2
from footprint.background.importers.gases import classification_path, classify_gas
from footprint.background.importers.tables import Build, write_build
from footprint.background.store import read_table_dir
from footprint.engine.calculate import calculate
from footprint.errors import BackgroundError
from footprint.inventory import Inventory

FIXTURES = Path(__file__).parent / "fixtures"
ES1 = FIXTURES / "ecospold1"
ES2 = FIXTURES / "ecospold2"

# AR6 GWP100 (footprint/data/gwp100.csv).
CH4_NON_FOSSIL, N2O, SF6 = 27.0, 273.0, 25200.0
# Hand-solved intensities, kg CO2e per reference unit (fossil + biogenic - removals).
DIESEL = 400 / 2  # per m3
ELEC = 0.25e-3 * DIESEL + 0.6 + 0.001 * CH4_NON_FOSSIL  # per kWh
STEEL = 1800 / 3.6 * ELEC + 50e-3 * DIESEL + 1500 + 0.002 * CH4_NON_FOSSIL - 10  # per t
TRUCK = 0.03e-3 * DIESEL + 0.002e-3 * STEEL + 0.08 + 4e-6 * N2O  # per tkm
TRUCK2 = TRUCK + 1e-9 * SF6  # EcoSpold 2 lorry also emits SF6
# Biogenic parts (non-fossil methane; CO2 taken from the air), per reference unit.
BIO_ELEC = 0.001 * CH4_NON_FOSSIL
BIO_STEEL = 500 * BIO_ELEC + 0.002 * CH4_NON_FOSSIL
REMOVAL_STEEL = -10.0

# EcoSpold 2 ids.
A = "a1000000-0000-4000-8000-00000000000{}"
P = "b1000000-0000-4000-8000-00000000000{}"
F = "c1000000-0000-4000-8000-00000000000{}"
E_ELEC, E_DIESEL = f"{A.format(1)}_{P.format(1)}", f"{A.format(2)}_{P.format(2)}"
E_STEEL, E_TRUCK = f"{A.format(3)}_{P.format(4)}", f"{A.format(4)}_{P.format(5)}"


@pytest.fixture(autouse=True)
def _bw2_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """bw2io imports bw2data: keep any Brightway directory inside pytest's tmp dirs."""
    monkeypatch.setenv("BRIGHTWAY2_DIR", str(tmp_path_factory.mktemp("bw2")))


@pytest.fixture(scope="module")
def es1_build() -> Build:
    return convert_ecospold1(ES1)


@pytest.fixture(scope="module")
def es2_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRIGHTWAY2_DIR", str(tmp_path_factory.mktemp("bw2")))
        return convert_ecospold2(ES2)


def amounts(rows: list[tuple[str, ...]]) -> dict[tuple[str, str], float]:
    return {(r[0], r[1]): float(r[2]) for r in rows}


def approx(values: dict[tuple[str, str], float]) -> object:
    return pytest.approx(values, rel=1e-12, abs=1e-15)


def es1_flow(name: str, compartment: str) -> str:
    category, sub = compartment.split("/")
    return ecospold1_flow_id(name, category, sub)


CO2_1 = es1_flow("Carbon dioxide, fossil", "air/low population density")
CH4_1 = es1_flow("Methane, non-fossil", "air/high population density")
CO2_AIR_1 = es1_flow("Carbon dioxide, in air", "resource/in air")
OIL_1 = es1_flow("Oil, crude, in ground", "resource/in ground")
N2O_1 = es1_flow("Dinitrogen monoxide", "air/low population density")


# --- EcoSpold 1 -------------------------------------------------------------------------------


def test_es1_activities(es1_build: Build) -> None:
    assert es1_build.tables["activities"] == [
        (
            "101",
            "Electricity, at grid",
            "US",
            "kWh",
            "Electricity, at grid",
            "",
            "electricity/supply mix",
            "Example Power Authority (2021): Grid mix report",
            "2020-01-01",
            "2021-12-31",
        ),
        ("102", "Diesel, at refinery", "RNA", "m3", "Diesel, at refinery", "", "oil/fuels", "")
        + ("2019-01-01", "2019-12-31"),
        (
            "103",
            "Steel, billet, at plant",
            "US",
            "t",
            "Steel, billet, at plant",
            "",
            "metals/production",
            "Doe, J. (2020): Steel test data",
            "2018-02-01",
            "2020-02-29",
        ),
        ("104", "Transport, lorry, diesel", "RNA", "tkm", "Transport, lorry, diesel", "")
        + ("transport systems/road", "", "2015-01-01", "2022-12-31"),
    ]


def test_es1_technosphere_is_converted_to_the_supplier_unit(es1_build: Build) -> None:
    rows = es1_build.tables["technosphere"]
    assert [r[:2] for r in rows] == sorted(r[:2] for r in rows)
    assert amounts(rows) == approx(
        {
            ("101", "102"): 0.25e-3,  # 0.25 L -> m3
            ("103", "101"): 500.0,  # 1800 MJ -> kWh
            ("103", "102"): 0.05,  # 50 L -> m3 (the 10 kg of diesel cannot be converted)
            ("104", "102"): 0.03e-3,
            ("104", "103"): 0.002e-3,  # 0.002 kg -> t
        }
    )


def test_es1_biosphere_and_flows(es1_build: Build) -> None:
    assert amounts(es1_build.tables["biosphere"]) == approx(
        {
            ("101", CO2_1): 0.6,
            ("101", CH4_1): 0.001,  # 1 g -> kg
            ("102", CO2_1): 200.0,  # per m3 of the 2 m3 made
            ("102", OIL_1): 850.0,
            ("103", CO2_1): 1500.0,
            ("103", CH4_1): 0.002,
            ("103", CO2_AIR_1): 10.0,  # a removal, positive
            ("104", CO2_1): 0.08,
            ("104", N2O_1): 4e-6,
        }
    )
    assert es1_build.tables["flows"] == sorted(
        [
            (CO2_1, "Carbon dioxide, fossil", "air/low population density", "kg", "124-38-9")
            + ("CO2", "fossil", "emission"),
            (CH4_1, "Methane, non-fossil", "air/high population density", "kg", "74-82-8")
            + ("CH4", "biogenic", "emission"),
            (CO2_AIR_1, "Carbon dioxide, in air", "resource/in air", "kg", "124-38-9")
            + ("CO2", "biogenic", "removal"),
            (OIL_1, "Oil, crude, in ground", "resource/in ground", "kg", "", "")
            + ("unspecified", "removal"),
            (N2O_1, "Dinitrogen monoxide", "air/low population density", "kg", "10024-97-2")
            + ("N2O", "unspecified", "emission"),
        ]
    )


def test_es1_unlinked_rows_carry_their_reason(es1_build: Build) -> None:
    assert es1_build.tables["unlinked"] == [
        ("101", "Electricity, at grid", "", "Natural gas, at wellhead", "0.2", "m3")
        + ("unlinked product input",),
        ("102", "Diesel, at refinery", "", "Heavy fuel oil, at refinery", "150.0", "kg")
        + ("extra output (co-product, no allocation)",),
        ("103", "Steel, billet, at plant", "", "Diesel, at refinery", "10.0", "kg")
        + ("unit mismatch: kg -> m3",),
        ("103", "Steel, billet, at plant", "", "Heavy fuel oil, at refinery", "5.0", "kg")
        + ("unlinked product input (co-product elsewhere)",),
        ("103", "Steel, billet, at plant", "", "Iron ore, at mine", "1600.0", "kg")
        + ("unlinked product input",),
        ("103", "Steel, billet, at plant", "", "Slag, to landfill", "150.0", "kg")
        + ("unlinked waste output",),
    ]


def test_es1_report(es1_build: Build) -> None:
    report = es1_build.report
    assert report["source_format"] == "EcoSpold 1"
    assert report["reader"] == es.ES1_READER
    assert report["counts"] == {
        "processes_read": 4,
        "activities_written": 4,
        "technosphere_exchanges": 5,
        "biosphere_exchanges": 9,
        "elementary_flows": 5,
        "flows_with_gas": 4,
        "unlinked_exchanges": 6,
        "self_loops": 0,
        "negative_technosphere_amounts": 0,
        "exchanges_linked_before_merge": 5,
    }
    assert report["flows_by_gas"] == {"CH4": 1, "CO2": 2, "N2O": 1}
    assert report["unlinked_by_reason"] == {
        "extra output (co-product, no allocation)": 1,
        "unit mismatch": 1,
        "unlinked product input": 2,
        "unlinked product input (co-product elsewhere)": 1,
        "unlinked waste output": 1,
    }
    assert report["unit_conversions"] == {"L -> m3": 3, "MJ -> kWh": 1, "g -> kg": 1, "kg -> t": 1}
    assert report["skipped_files"] == ["categories.xml: not EcoSpold 1"]
    assert report["ghg_not_characterised"] == []
    assert report["multi_output_activities"] == [
        {"id": "102", "name": "Diesel, at refinery", "co_products": 1}
    ]


def test_es1_reads_a_zip_or_a_single_file(es1_build: Build, tmp_path: Path) -> None:
    archive = tmp_path / "es1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(ES1.glob("*.xml")):
            zf.write(file, f"EcoSpold01/{file.name}")
    from_zip = convert_ecospold1(archive)
    assert from_zip.tables == es1_build.tables
    assert len(from_zip.report["source_sha256"]) == 64
    single = convert_ecospold1(ES1 / "energy.xml")
    assert [r[0] for r in single.tables["activities"]] == ["101", "102"]
    assert single.tables["technosphere"] == [("101", "102", es1_build.tables["technosphere"][0][2])]


EXTRA_ES1 = """<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold01">{}</ecoSpold>
"""
DATASET_ES1 = """
<dataset number="{number}"><metaInformation><processInformation>
  <referenceFunction name="{name}" amount="1" unit="{unit}" category="c" subCategory="s"/>
  <geography location="{location}"/><timePeriod/>
</processInformation></metaInformation><flowData>
  <exchange name="{name}" unit="{unit}" meanValue="1"><outputGroup>0</outputGroup></exchange>
  {inputs}
</flowData></dataset>"""
INPUT_ES1 = """<exchange name="{name}" unit="{unit}" meanValue="{amount}" location="{location}">
  <inputGroup>5</inputGroup></exchange>"""


def test_es1_providers_are_chosen_by_location_else_ambiguous(tmp_path: Path) -> None:
    folder = tmp_path / "es1"
    shutil.copytree(ES1, folder)
    power_cn = DATASET_ES1.format(
        number=105, name="Electricity, at grid", unit="kWh", location="CN", inputs=""
    )
    aluminium = DATASET_ES1.format(
        number=106,
        name="Aluminium, at plant",
        unit="kg",
        location="RER",
        inputs=INPUT_ES1.format(name="Electricity, at grid", unit="kWh", amount=15, location="RER")
        + INPUT_ES1.format(name="electricity,  AT grid", unit="MJ", amount=36, location="CN")
        + INPUT_ES1.format(name="Aluminium, at plant", unit="kg", amount=1.5, location="RER")
        + INPUT_ES1.format(name="Diesel, at refinery", unit="gal (UK)", amount=2, location="RNA"),
    )
    (folder / "extra.xml").write_text(EXTRA_ES1.format(power_cn + aluminium), encoding="utf-8")
    build = convert_ecospold1(folder)
    tech = amounts(build.tables["technosphere"])
    assert tech[("103", "101")] == pytest.approx(500.0)  # still the US grid (by location)
    assert tech[("106", "105")] == pytest.approx(10.0)  # name matched ignoring case and spaces
    unlinked = {(r[0], r[3]): r[4:] for r in build.tables["unlinked"]}
    assert unlinked[("106", "Electricity, at grid")] == (
        "15.0",
        "kWh",
        "ambiguous provider: 101 105",
    )
    assert unlinked[("106", "Aluminium, at plant")] == (
        "1.5",
        "kg",
        "self-input not less than the reference output",
    )
    assert unlinked[("106", "Diesel, at refinery")] == (
        "2.0",
        "gal (UK)",
        "unknown unit: gal (UK) -> m3",
    )
    assert build.report["counts"]["processes_read"] == 6


def test_es1_is_deterministic(es1_build: Build, tmp_path: Path) -> None:
    again = convert_ecospold1(ES1)
    assert again == es1_build
    first = write_build(es1_build, tmp_path / "a")
    second = write_build(again, tmp_path / "b")
    assert first["files_sha256"] == second["files_sha256"]


def test_progress_and_errors(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    convert_ecospold1(ES1, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    with pytest.raises(BackgroundError, match="not found"):
        convert_ecospold1(tmp_path / "missing")
    (tmp_path / "db.7z").write_bytes(b"7z")
    with pytest.raises(BackgroundError, match="only .zip"):
        convert_ecospold2(tmp_path / "db.7z")
    with pytest.raises(BackgroundError, match="no .spold files"):
        convert_ecospold2(ES1)
    with pytest.raises(BackgroundError, match="no EcoSpold 1 datasets"):
        convert_ecospold1(ES1 / "categories.xml")


# --- EcoSpold 2 -------------------------------------------------------------------------------


def test_es2_activities(es2_build: Build) -> None:
    assert es2_build.tables["activities"] == [
        (E_ELEC, "electricity production, oil", "US", "kWh", "electricity, high voltage")
        + (P.format(1), "3510:Electric power generation, transmission and distribution")
        + ("Example Power Authority", "2020-01-01", "2021-12-31"),
        (E_DIESEL, "petroleum refinery operation", "RoW", "m3", "diesel", P.format(2))
        + ("oil/refinery", "Test Person", "2019-01-01", "2019-12-31"),
        (E_STEEL, "steel production, electric, low-alloyed", "US", "t", "steel, low-alloyed")
        + (P.format(4), "2410:Manufacture of basic iron and steel", "J. Doe")
        + ("2018-01-01", "2020-12-31"),
        (E_TRUCK, "transport, freight, lorry 16-32 metric ton", "RoW", "tkm")
        + ("transport, freight, lorry 16-32 metric ton", P.format(5), "", "Test Person")
        + ("2015-01-01", "2022-12-31"),
    ]


def test_es2_links_by_activity_link_or_product(es2_build: Build) -> None:
    assert amounts(es2_build.tables["technosphere"]) == approx(
        {
            (E_ELEC, E_DIESEL): 0.25e-3,  # activityLinkId; 0.25 l -> m3
            (E_STEEL, E_ELEC): 500.0,  # no activityLinkId: the only producer; 1800 MJ -> kWh
            (E_STEEL, E_DIESEL): 0.05,
            (E_TRUCK, E_DIESEL): 0.03e-3,
            (E_TRUCK, E_STEEL): 0.002e-3,  # 0.002 kg -> metric ton
        }
    )


def test_es2_biosphere_and_flows(es2_build: Build) -> None:
    assert amounts(es2_build.tables["biosphere"]) == approx(
        {
            (E_ELEC, F.format(1)): 0.6,
            (E_ELEC, F.format(2)): 0.001,
            (E_DIESEL, F.format(1)): 200.0,
            (E_DIESEL, F.format(4)): 2.5,
            (E_STEEL, F.format(1)): 1500.0,
            (E_STEEL, F.format(2)): 0.002,
            (E_STEEL, F.format(3)): 10.0,
            (E_TRUCK, F.format(1)): 0.08,
            (E_TRUCK, F.format(5)): 4e-6,
            (E_TRUCK, F.format(6)): 1e-9,
        }
    )
    assert es2_build.tables["flows"] == [
        (F.format(1), "Carbon dioxide, fossil", "air/urban air close to ground", "kg")
        + ("124-38-9", "CO2", "fossil", "emission"),
        (F.format(2), "Methane, non-fossil", "air/non-urban air or from high stacks", "kg")
        + ("74-82-8", "CH4", "biogenic", "emission"),
        (F.format(3), "Carbon dioxide, in air", "natural resource/in air", "kg", "124-38-9")
        + ("CO2", "biogenic", "removal"),
        (F.format(4), "Water, cooling, unspecified natural origin", "natural resource/in water")
        + ("m3", "", "", "unspecified", "removal"),
        (F.format(5), "Dinitrogen monoxide", "air/unspecified", "kg", "10024-97-2", "N2O")
        + ("unspecified", "emission"),
        (F.format(6), "Sulfur hexafluoride", "air/unspecified", "kg", "2551-62-4", "SF6")
        + ("unspecified", "emission"),
    ]


def test_es2_unlinked_and_report(es2_build: Build) -> None:
    assert es2_build.tables["unlinked"] == [
        (E_DIESEL, "petroleum refinery operation", P.format(3), "heavy fuel oil", "150.0", "kg")
        + ("extra output (co-product, no allocation)",),
        (E_DIESEL, "petroleum refinery operation", P.format(6), "petroleum", "850.0", "kg")
        + ("unlinked product input",),
        (E_STEEL, "steel production, electric, low-alloyed", P.format(7), "ferrochromium")
        + ("12.0", "kg", f"linked activity missing: {A.format(9)}"),
    ]
    report = es2_build.report
    assert report["source_format"] == "EcoSpold 2"
    assert report["reader"].startswith("bw2io.extractors.ecospold2.Ecospold2DataExtractor")
    assert report["counts"]["activities_written"] == 4
    assert report["flows_by_gas"] == {"CH4": 1, "CO2": 2, "N2O": 1, "SF6": 1}
    assert report["unit_conversions"] == {"L -> m3": 3, "MJ -> kWh": 1, "kg -> t": 1}
    assert report["unlinked_by_reason"] == {
        "extra output (co-product, no allocation)": 1,
        "linked activity missing": 1,
        "unlinked product input": 1,
    }
    assert report["notes"]["elementary flows not in MasterData (described from exchanges)"] == 1


def test_es2_reads_a_zip(es2_build: Build, tmp_path: Path) -> None:
    archive = tmp_path / "ecoinvent.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(ES2.rglob("*")):
            if file.is_file():
                zf.write(file, f"release/{file.relative_to(ES2)}")
    assert convert_ecospold2(archive).tables == es2_build.tables


TREATMENT = """<?xml version="1.0" encoding="utf-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02"><activityDataset>
<activityDescription>
  <activity id="{act}"><activityName>{name}</activityName></activity>
  <geography><shortname>GLO</shortname></geography><technology/>
  <timePeriod startDate="2020-01-01" endDate="2020-12-31"/>
</activityDescription>
<flowData>{exchanges}</flowData>
<administrativeInformation><dataEntryBy/><dataGeneratorAndPublication/></administrativeInformation>
</activityDataset></ecoSpold>
"""
INTERMEDIATE = """<intermediateExchange amount="{amount}" intermediateExchangeId="{product}"{link}>
  <name>{name}</name><unitName>kg</unitName><{group}Group>{number}</{group}Group>
</intermediateExchange>"""
CO2_EXCHANGE = """<elementaryExchange amount="{amount}" elementaryExchangeId="{flow}">
  <name>Carbon dioxide, fossil</name><unitName>kg</unitName><outputGroup>4</outputGroup>
</elementaryExchange>"""


def test_es2_waste_goes_to_a_treatment_with_negative_reference(tmp_path: Path) -> None:
    folder = tmp_path / "es2"
    shutil.copytree(ES2, folder)
    waste, part = "b1000000-0000-4000-8000-0000000000a1", "b1000000-0000-4000-8000-0000000000a2"
    treat_act, part_act = "a1000000-0000-4000-8000-0000000000a1", A.format(8)
    link = f' activityLinkId="{treat_act}"'
    treatment = TREATMENT.format(
        act=treat_act,
        name="treatment of waste mineral oil",
        exchanges=INTERMEDIATE.format(
            amount=-2, product=waste, link="", name="waste mineral oil", group="output", number=0
        )
        + CO2_EXCHANGE.format(amount=6, flow=F.format(1)),
    )
    machining = TREATMENT.format(
        act=part_act,
        name="machining",
        exchanges=INTERMEDIATE.format(
            amount=1, product=part, link="", name="part", group="output", number=0
        )
        + INTERMEDIATE.format(
            amount=-0.01,
            product=waste,
            link=link,
            name="waste mineral oil",
            group="input",
            number=5,
        )
        + INTERMEDIATE.format(
            amount=0.02,
            product=waste,
            link=link,
            name="waste mineral oil",
            group="output",
            number=2,
        ),
    )
    datasets = folder / "datasets"
    (datasets / f"{treat_act}_{waste}.spold").write_text(treatment, encoding="utf-8")
    (datasets / f"{part_act}_{part}.spold").write_text(machining, encoding="utf-8")
    build = convert_ecospold2(folder)
    treat_id, part_id = f"{treat_act}_{waste}", f"{part_act}_{part}"
    acts = {r[0]: r for r in build.tables["activities"]}
    assert acts[treat_id][3] == "kg"
    # Per kg of waste treated: 6 kg CO2 for 2 kg; the part sends 0.01 + 0.02 kg to treatment.
    assert amounts(build.tables["biosphere"])[(treat_id, F.format(1))] == pytest.approx(3.0)
    assert amounts(build.tables["technosphere"])[(part_id, treat_id)] == pytest.approx(0.03)
    assert build.report["notes"]["activities with a negative reference amount (treatment)"] == 1


# --- shared helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("MJ", "kWh", 1 / 3.6),
        ("L", "m3", 1e-3),
        ("kg", "t", 1e-3),
        ("kgkm", "tkm", 1e-3),
        ("t*mi", "tkm", 1.609344),
        ("g", "kg", 1e-3),
        ("m3", "kg", None),
        ("cu ft", "m3", None),  # only known labels are converted ("cu ft" is written ft**3)
        ("ft**3", "m3", 0.028316846592),
        ("guest night", "piece", None),
    ],
)
def test_unit_factor(source: str, target: str, factor: float | None) -> None:
    result = es.unit_factor(source, target)
    assert result == (pytest.approx(factor, rel=1e-12) if factor is not None else None)


@pytest.mark.parametrize(
    ("unit", "label"),
    [
        ("l", "L"),
        ("unit", "piece"),
        ("metric ton*km", "tkm"),
        ("m2*year", "m2*a"),
        ("cu ft", "ft**3"),
    ],
)
def test_unit_label(unit: str, label: str) -> None:
    assert es.unit_label(unit) == label


@pytest.mark.parametrize(
    ("name", "compartment", "from_nature", "expected"),
    [
        ("Carbon dioxide", "troposphere/urban", False, ("CO2", "fossil", "emission")),
        ("Carbon dioxide", "emission/ground", False, ("", "unspecified", "emission")),
        ("Carbon dioxide", "air/troposphere", True, ("CO2", "biogenic", "removal")),
        ("Methane", "air/subterranean", True, ("", "unspecified", "removal")),
        ("Chloroform", "fresh water body/river", False, ("", "unspecified", "emission")),
        (
            "Carbon dioxide, in air",
            "natural resource/in air",
            False,
            ("CO2", "biogenic", "removal"),
        ),
    ],
)
def test_export_compartments_are_classified(
    name: str, compartment: str, from_nature: bool, expected: tuple[str, str, str]
) -> None:
    info = classify_gas(name, "", classification_path(compartment, from_nature))
    assert (info.gas, info.origin, info.kind) == expected
    assert not info.other_ghg


# --- the engine computes with the converted tables --------------------------------------------


def inventory(power: str, steel: str, truck: str, diesel: str) -> Inventory:
    return Inventory.model_validate(
        {
            "product": {
                "name": "Widget",
                "declared_unit": "piece",
                "declared_amount": 1,
                "geography": "US",
            },
            "processes": [
                {
                    "id": "assemble",
                    "output": "1 piece",
                    "inputs": [
                        {"background": {"id": power}, "amount": "10 kWh"},
                        {"background": {"id": steel}, "amount": "2 kg", "stage": "A1"},
                        {"background": {"id": truck}, "amount": "5 tkm", "stage": "A2"},
                        {"background": {"id": diesel}, "amount": "3 L"},
                    ],
                }
            ],
        }
    )


@pytest.mark.parametrize("fmt", ["ecospold1", "ecospold2"])
def test_engine_computes_with_the_converted_tables(
    fmt: str, es1_build: Build, es2_build: Build, tmp_path: Path
) -> None:
    build, ids, truck = (
        (es1_build, ("101", "103", "104", "102"), TRUCK)
        if fmt == "ecospold1"
        else (es2_build, (E_ELEC, E_STEEL, E_TRUCK, E_DIESEL), TRUCK2)
    )
    write_build(build, tmp_path / "bg")
    background = read_table_dir(tmp_path / "bg", "test")
    result = calculate(inventory(*ids), background=background)
    total = 10 * ELEC + 2e-3 * STEEL + 5 * truck + 3e-3 * DIESEL
    biogenic = 10 * BIO_ELEC + 2e-3 * BIO_STEEL + 5 * 0.002e-3 * BIO_STEEL
    removals = (2e-3 + 5 * 0.002e-3) * REMOVAL_STEEL
    assert result.total == pytest.approx(total, rel=1e-12)
    assert result.biogenic_emissions == pytest.approx(biogenic, rel=1e-12)
    assert result.biogenic_removals == pytest.approx(removals, rel=1e-12)
    assert result.fossil == pytest.approx(total - biogenic - removals, rel=1e-12)
    assert math.isclose(result.by_stage["A2"], 5 * truck, rel_tol=1e-12)
