"""ILCD import: the hand-made archive in fixtures/ilcd, solved on paper.

The archive (see the comments in each process; written by hand, UUIDs readable):

- gas (CN): 1 m3 natural gas, 0.1 kg CO2.
- electricity, Jiangsu (JS-CN): reference 36 "MJ (LHV)", a unit the registry does not know, so
  written as 10 kWh through its unit group's factors (kWh = 3.6); 72 MJ (LHV) of natural gas
  stated through the gas flow's energy property (36 MJ per m3) = 2 m3; 5 kg CO2. Per kWh:
  0.2 m3 gas, 0.5 kg CO2.
- electricity, Shanxi (SX-CN): 1 kWh, 0.9 kg CO2, 0.001 kg steel.
- steel, Huai'an (HA-JS-CN), bilingual: reference 1000 kg; 2000 kWh electricity (made in Jiangsu
  and Shanxi: the city's province wins), 1 kg biogenic methane, 2 kg SO2, 5 kg of a flow whose
  data set is missing from the archive.
- census coefficients (NESPS2, CN): 1 kg steel, 0.5 kg SO2, 1 kWh electricity (no maker in CN:
  ambiguous). Never a provider: the Shanxi grid's steel comes from Huai'an.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from footprint.background.catalog import load_background
from footprint.background.importer import import_database
from footprint.background.importers.ilcd import read_archive
from footprint.background.importers.ilcd_convert import MISSING_FLOW, convert_ilcd, location_chain
from footprint.background.importers.tables import write_build
from footprint.background.store import Background, read_table_dir
from footprint.cli.app import app
from footprint.engine.intensities import background_intensities
from footprint.engine.methods import factor
from footprint.errors import FootprintError

FIXTURE = Path(__file__).parent / "fixtures" / "ilcd"
PROCESSES = FIXTURE / "ILCD" / "processes"
GAS, ELEC_JS, ELEC_SX, STEEL, CENSUS = (f"11111111-0000-4000-8000-00000000000{i}" for i in "12345")
MISSING = "eeeeeeee-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def background(tmp_path_factory: pytest.TempPathFactory) -> Background:
    out = tmp_path_factory.mktemp("ilcd")
    write_build(convert_ilcd(FIXTURE), out)
    return read_table_dir(out, "ilcd")


def intensity(background: Background, activity: str) -> float:
    found = background_intensities(background)
    return float(found.total[found.activity_ids.index(activity)])


def test_intensities_match_the_hand_solution(background: Background) -> None:
    ch4 = factor("ar6", "CH4", "biogenic", "emission")
    gas = 0.1
    elec_js = 0.5 + 0.2 * gas  # 5 kg CO2 and 72 MJ = 2 m3 gas per 36 MJ = 10 kWh
    steel = (2000 * elec_js + 1.0 * ch4) / 1000  # per kg of a 1000 kg reference
    elec_sx = 0.9 + 0.001 * steel
    assert intensity(background, GAS) == pytest.approx(gas, rel=1e-12)
    assert intensity(background, ELEC_JS) == pytest.approx(elec_js, rel=1e-12)
    assert intensity(background, STEEL) == pytest.approx(steel, rel=1e-12)
    assert intensity(background, ELEC_SX) == pytest.approx(elec_sx, rel=1e-12)
    assert intensity(background, CENSUS) == 0.0  # SO2 only; its electricity is ambiguous


def test_units_amounts_and_links(background: Background) -> None:
    units = dict(zip(background.activities["id"], background.activities["unit"], strict=True))
    assert units == {GAS: "m3", ELEC_JS: "kWh", ELEC_SX: "kWh", STEEL: "kg", CENSUS: "kg"}
    tech = {(r.consumer, r.supplier): r.amount for r in background.technosphere.itertuples()}
    assert tech == {
        (ELEC_JS, GAS): pytest.approx(0.2),  # 72 MJ / (36 MJ/m3) per 10 kWh
        (STEEL, ELEC_JS): pytest.approx(2.0),  # 7200 MJ (LHV) = 2000 kWh per 1000 kg
        (ELEC_SX, STEEL): pytest.approx(0.001),  # never the census data set
    }
    conversions = background.report["unit_conversions"]
    assert (
        conversions[
            "MJ (LHV) -> kWh by the factors of unit group "
            + repr("Units of energy (net calorific value)")
        ]
        > 0
    )
    assert conversions["flow property Net calorific value -> m3"] == 1


def test_bilingual_names_and_search(background: Background) -> None:
    steel = background.activities.set_index("id").loc[STEEL]
    assert steel["name"] == "Steel production ; hot rolled steel ; electric arc furnace"
    assert steel["name_zh"] == "钢铁生产 ; 热轧钢 ; 电弧炉"
    assert list(background.search("钢铁")["id"]) == [STEEL]
    assert list(background.search("电网 江苏")["id"]) == [ELEC_JS]
    assert set(background.search("electricity mix")["id"]) == {ELEC_JS, ELEC_SX}
    assert background.activities.set_index("id").loc[GAS, "name_zh"] == ""  # English only


def test_provenance_names_generator_source_licence_and_review(background: Background) -> None:
    source = str(background.activities.set_index("id").loc[STEEL, "source"])
    for part in (
        "data generator: Test LCI group",
        "source: Test inventory report 2020",
        "licence: Free of charge for all users and uses",
        "review: Dependent internal review by Test review group",
        "ILCD data set type: Unit process, single operation",
    ):
        assert part in source


def test_a_city_resolves_to_its_province_and_ambiguity_is_listed(background: Background) -> None:
    assert location_chain("HA-JS-CN") == ["HA-JS-CN", "JS-CN", "CN", "GLO"]
    assert location_chain("EU-15", {"EU-15", "GLO"}) == ["EU-15", "GLO"]
    assert location_chain("") == ["GLO"]
    report = background.report
    assert report["linked_by_location"] == {"enclosing location": 1}
    ambiguous = background.cut_offs[background.cut_offs["reason"].str.startswith("ambiguous")]
    assert list(ambiguous["activity"]) == [CENSUS]
    assert set(ambiguous["reason"].iloc[0].split(": ")[1].split()) == {ELEC_JS, ELEC_SX}
    assert report["exchanges"]["ambiguous"] == 1
    assert report["exchanges"]["linked_by_location"] == 1


def test_census_data_sets_are_never_providers_and_carry_a_caveat(
    background: Background,
) -> None:
    assert CENSUS not in set(background.technosphere["supplier"])
    (caveat,) = [c for c in background.caveats(CENSUS) if "NESPS2" in c]
    assert "without energy or material inputs" in caveat
    assert "never linked as a provider" in caveat
    assert not any("NESPS2" in c for c in background.caveats(STEEL))


def test_a_missing_flow_data_set_is_a_counted_listed_skip(background: Background) -> None:
    rows = background.cut_offs[background.cut_offs["reason"] == MISSING_FLOW]
    assert list(zip(rows["activity"], rows["flow"], strict=True)) == [(STEEL, MISSING)]
    assert rows["amount"].iloc[0] == pytest.approx(5.0 / 1000)
    missing = background.report["missing_flow_data_sets"]
    assert (missing["flows"], missing["exchanges"], missing["data_sets"]) == (1, 1, 1)
    assert missing["by_flow"][0]["for_example"] == [STEEL]


def test_exchange_counts_add_up(background: Background) -> None:
    counts = background.report["exchanges"]
    assert counts["read"] == 11  # every non-reference exchange of the five processes
    assert counts["linked"] == 3
    assert counts["unlinked"] == 2  # the ambiguous electricity and the missing flow
    assert counts["biosphere"] == 6
    assert counts["characterised"] == 4  # CO2 of gas and both grids, methane of steel
    assert counts["not_characterised"] == 2  # SO2 of steel and of the census
    total = counts["linked"] + counts["unlinked"] + counts["biosphere"]
    assert total == counts["read"]


def test_a_zip_gives_the_same_tables_as_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "tg.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(FIXTURE.rglob("*.xml")):
            zf.write(path, path.relative_to(FIXTURE).as_posix())
    from_zip, from_folder = convert_ilcd(archive), convert_ilcd(FIXTURE)
    assert from_zip.tables == from_folder.tables
    assert from_zip.report["source_sha256"]


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ILCD/processes/bomb.xml", b"<a>" + b" " * (8 * 1024**2) + b"</a>")
    with pytest.raises(FootprintError, match="zip bomb"):
        convert_ilcd(archive)


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "ilcd"
    shutil.copytree(FIXTURE, target)
    return target


def test_an_xxe_attempt_is_refused_and_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    root = copy_fixture(tmp_path)
    path = root / "ILCD" / "processes" / f"{GAS}.xml"
    text = path.read_text(encoding="utf-8")
    hostile = text.replace(
        '<?xml version="1.0" encoding="utf-8"?>\n',
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE processDataSet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
    ).replace("Natural gas production", "&xxe;")
    path.write_text(hostile, encoding="utf-8")
    with pytest.raises(FootprintError) as caught:
        convert_ilcd(root)
    message = str(caught.value)
    assert "DOCTYPE" in message
    assert f"data set {GAS}" in message
    assert f"{GAS}.xml" in message
    assert "TOP-SECRET" not in message


def test_a_billion_laughs_document_is_refused(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = root / "ILCD" / "flows" / "cccccccc-0000-4000-8000-000000000001.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">{lol}]><x>&l9;</x>')
    with pytest.raises(FootprintError, match="DOCTYPE"):
        convert_ilcd(root)


def test_a_unit_group_without_its_reference_unit_names_the_data_set(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    uid = "aaaaaaaa-0000-4000-8000-000000000003"
    path = root / "ILCD" / "unitgroups" / f"{uid}.xml"
    path.write_text(
        path.read_text().replace("<referenceToReferenceUnit>0<", "<referenceToReferenceUnit>7<")
    )
    with pytest.raises(FootprintError, match=f"unit group {uid}.*reference unit") as caught:
        convert_ilcd(root)
    assert f"{uid}.xml" in str(caught.value)


def test_an_unknown_flow_property_of_an_exchange_is_listed(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    path = root / "ILCD" / "processes" / f"{ELEC_JS}.xml"
    # name the Mass property, which the natural gas flow does not have
    path.write_text(
        path.read_text().replace(
            'refObjectId="bbbbbbbb-0000-4000-8000-000000000002"/>',
            'refObjectId="bbbbbbbb-0000-4000-8000-000000000001"/>',
        )
    )
    rows = convert_ilcd(root).tables["unlinked"]
    (row,) = [r for r in rows if r[0] == ELEC_JS]
    assert row[6].startswith("unit problem: flow property bbbbbbbb-0000-4000-8000-000000000001")


def test_a_process_without_a_reference_flow_is_a_listed_skip(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    path = root / "ILCD" / "processes" / f"{ELEC_SX}.xml"
    path.write_text(
        path.read_text().replace("<referenceToReferenceFlow>0</referenceToReferenceFlow>", "")
    )
    build = convert_ilcd(root)
    assert ELEC_SX not in {row[0] for row in build.tables["activities"]}
    assert [r[6] for r in build.tables["unlinked"] if r[0] == ELEC_SX] == [
        "no reference flow (process skipped)"
    ]


GAS_XML = (PROCESSES / f"{GAS}.xml").read_bytes()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(min_value=0, max_value=len(GAS_XML) - 2))
def test_a_cut_short_data_set_raises_a_footprint_error(tmp_path: Path, cut: int) -> None:
    root = tmp_path / f"cut{cut}"
    if not root.exists():
        shutil.copytree(FIXTURE, root)
    (root / "ILCD" / "processes" / f"{GAS}.xml").write_bytes(GAS_XML[:cut])
    with pytest.raises(FootprintError) as caught:
        read_archive(root)
    assert f"{GAS}.xml" in str(caught.value)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    position=st.integers(min_value=0, max_value=len(GAS_XML) - 1),
    replacement=st.binary(min_size=1, max_size=4),
)
def test_a_mangled_data_set_converts_or_raises_a_footprint_error(
    tmp_path: Path, position: int, replacement: bytes
) -> None:
    root = tmp_path / "mangled"
    if not root.exists():
        shutil.copytree(FIXTURE, root)
    mangled = GAS_XML[:position] + replacement + GAS_XML[position + len(replacement) :]
    (root / "ILCD" / "processes" / f"{GAS}.xml").write_bytes(mangled)
    error: FootprintError | None = None
    try:
        convert_ilcd(root)
    except FootprintError as exc:
        error = exc
    if error is not None:
        assert f"{GAS}.xml" in str(error.where)  # names the file


def test_cli_import_reports_the_counts(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "import",
            str(FIXTURE),
            "--format",
            "ilcd",
            "--name",
            "tg",
            "--data-dir",
            str(tmp_path),
            "--report-format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["exchanges"]["ambiguous"] == 1
    assert summary["unlinked_by_reason"][MISSING_FLOW] == 1
    table = runner.invoke(
        app,
        ["import", str(FIXTURE), "--format", "ilcd", "--name", "tg2", "--data-dir", str(tmp_path)],
    )
    assert table.exit_code == 0, table.output
    assert "ambiguous provider (not guessed)" in table.output
    listed = runner.invoke(
        app,
        [
            "background",
            "list",
            "--background",
            "tg",
            "--search",
            "钢铁",
            "--data-dir",
            str(tmp_path),
            "-f",
            "json",
        ],
    )
    assert [r["id"] for r in json.loads(listed.output)] == [STEEL]
    assert (
        load_background("tg", tmp_path).activities.set_index("id").loc[STEEL, "name_zh"]
        == "钢铁生产 ; 热轧钢 ; 电弧炉"
    )


def test_import_of_a_hostile_archive_exits_2(tmp_path: Path, runner: CliRunner) -> None:
    root = copy_fixture(tmp_path)
    (root / "ILCD" / "processes" / f"{GAS}.xml").write_text("<processDataSet>")
    with pytest.raises(FootprintError, match="not well-formed"):
        import_database(root, fmt="ilcd", name="bad", data_dir=tmp_path / "data")
    result = runner.invoke(
        app,
        [
            "import",
            str(root),
            "--format",
            "ilcd",
            "--name",
            "bad",
            "--data-dir",
            str(tmp_path / "data"),
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def add_input_output_sector(root: Path) -> str:
    """A CEEIO-like sector: 10000 CNY of output written as 1333.33 EUR, 100 EUR of itself."""
    ilcd = root / "ILCD"
    common = 'xmlns:common="http://lca.jrc.it/ILCD/Common"'
    group, prop, sector, pid = (f"99999999-0000-4000-8000-00000000000{i}" for i in "1234")
    (ilcd / "unitgroups" / f"{group}.xml").write_text(
        f'<unitGroupDataSet xmlns="http://lca.jrc.it/ILCD/UnitGroup" {common}>'
        f"<unitGroupInformation><dataSetInformation><common:UUID>{group}</common:UUID>"
        '<common:name xml:lang="en">Units of currency 2000</common:name></dataSetInformation>'
        "<quantitativeReference><referenceToReferenceUnit>0</referenceToReferenceUnit>"
        '</quantitativeReference></unitGroupInformation><units><unit dataSetInternalID="0">'
        "<name>EUR</name><meanValue>1.0</meanValue></unit></units></unitGroupDataSet>"
    )
    (ilcd / "flowproperties" / f"{prop}.xml").write_text(
        f'<flowPropertyDataSet xmlns="http://lca.jrc.it/ILCD/FlowProperty" {common}>'
        f"<flowPropertiesInformation><dataSetInformation><common:UUID>{prop}</common:UUID>"
        '<common:name xml:lang="en">Market value, bulk prices</common:name>'
        "</dataSetInformation><quantitativeReference>"
        f'<referenceToReferenceUnitGroup refObjectId="{group}"/></quantitativeReference>'
        "</flowPropertiesInformation></flowPropertyDataSet>"
    )
    (ilcd / "flows" / f"{sector}.xml").write_text(
        f'<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow" {common}><flowInformation>'
        f"<dataSetInformation><common:UUID>{sector}</common:UUID>"
        '<name><baseName xml:lang="en">Cement Sectors - CN</baseName></name>'
        "</dataSetInformation><quantitativeReference><referenceToReferenceFlowProperty>0"
        "</referenceToReferenceFlowProperty></quantitativeReference></flowInformation>"
        "<modellingAndValidation><LCIMethod><typeOfDataSet>Product flow</typeOfDataSet>"
        "</LCIMethod></modellingAndValidation><flowProperties>"
        f'<flowProperty dataSetInternalID="0"><referenceToFlowPropertyDataSet refObjectId="{prop}"/>'
        "<meanValue>1.0</meanValue></flowProperty></flowProperties></flowDataSet>"
    )
    text = (PROCESSES / f"{GAS}.xml").read_text(encoding="utf-8")
    text = (
        text.replace(GAS, pid)
        .replace("Natural gas production ; natural gas", "Cement| CEEIO | 2018")
        .replace(
            "Unit processes</common:class>",
            "CEEIO</common:class>",
        )
        .replace("cccccccc-0000-4000-8000-000000000001", sector)
        .replace(
            "<meanAmount>1.0</meanAmount><resultingAmount>1.0</resultingAmount>",
            "<meanAmount>1333.33</meanAmount><resultingAmount>1333.33</resultingAmount>",
        )
        .replace(
            "</dataSourcesTreatmentAndRepresentativeness>",
            '<useAdviceForDataSet xml:lang="en">values normalised to EUR at RMB:EUR = 7.5:1'
            "</useAdviceForDataSet></dataSourcesTreatmentAndRepresentativeness>",
        )
        .replace("<common:referenceYear>2020<", "<common:referenceYear>2018<")
    )
    (ilcd / "processes" / f"{pid}.xml").write_text(text, encoding="utf-8")
    return pid


def test_an_input_output_sector_states_its_money_unit_and_price_year(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    pid = add_input_output_sector(root)
    out = tmp_path / "out"
    write_build(convert_ilcd(root), out)
    background = read_table_dir(out, "io")
    row = background.activities.set_index("id").loc[pid]
    assert row["unit"] == "EUR"  # no currency in the unit registry: kept as written
    (caveat,) = background.caveats(pid)
    assert caveat.startswith("spend-based input-output sector (CEEIO 2018 table)")
    assert "money units are kept as written, never converted" in caveat
    assert "price year 2018" in caveat
    assert "7.5 CNY/EUR" in caveat
    # 0.1 kg CO2 per 1333.33 EUR of output
    assert intensity(background, pid) == pytest.approx(0.1 / 1333.33, rel=1e-12)
