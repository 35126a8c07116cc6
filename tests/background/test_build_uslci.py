"""The USLCI background build, on a hand-made openLCA 1.5 JSON-LD fixture (never the real data).

Fixture (``fixtures/jsonld_mini``, see its README): five processes.
- ``proc-diesel``: 1000 l diesel (flow reference m3), uses 36 MJ electricity (flow reference kWh).
- ``proc-elec``: 1 kWh electricity; 0.25 l diesel; 0.1 m3 natural gas (two providers: ambiguous).
- ``proc-gas-a`` / ``proc-gas-b``: 1 m3 natural gas each.
- ``proc-steel``: 2 t steel; 7200 MJ electricity, 0.84 kg diesel (mass property, 840 kg/m3),
  100 cu ft gas (default provider ``proc-gas-a``; source factor 0.02 m3 is rounded), iron ore
  (no producer), slag (co-product), waste, an avoided product, an unknown unit, CO2 in and out.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from pathlib import Path

import pytest

from footprint.background import build_uslci
from footprint.background.importers import openlca as b
from footprint.background.importers import tables
from footprint.background.importers.linking import derived_flow_id
from footprint.background.importers.openlca_source import Index
from footprint.background.importers.tables import coproduct_id

FIXTURE = Path(__file__).parent / "fixtures" / "jsonld_mini"
MJ = 0.2777777777777778  # kWh per MJ, as in the fixture's unit group
L = 0.001  # m3 per l
CU_FT = 0.028316846592  # exact m3 per cubic foot
# proc-steel makes 0.2 kg slag per kg steel: allocated by mass, steel carries 1/1.2 of each
# exchange per kg steel, and the slag activity 0.2/1.2 of it per 0.2 kg slag (the same per kg).
STEEL = 1.0 / 1.2
SLAG = (0.2 / 1.2) / 0.2
SLAG_ID = coproduct_id("proc-steel", "f-slag")
# "Carbon dioxide, biogenic" used as an input: an uptake, written as a removal flow
UPTAKE = derived_flow_id("f-co2-bio", "uptake")


def read_table(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _bw2_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """bw2io imports bw2data: keep any Brightway directory inside pytest's tmp dirs."""
    monkeypatch.setenv("BRIGHTWAY2_DIR", str(tmp_path_factory.mktemp("bw2")))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("uslci")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRIGHTWAY2_DIR", str(tmp_path_factory.mktemp("bw2")))
        b.build(FIXTURE, directory, commit="0" * 40)
    return directory


@pytest.fixture(scope="module")
def report(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    return data


def pairs(rows: list[dict[str, str]], a: str, c: str) -> dict[tuple[str, str], float]:
    return {(r[a], r[c]): float(r["amount"]) for r in rows}


def test_activities_are_normalised_to_the_flow_reference_unit(out: Path) -> None:
    acts = {r["id"]: r for r in read_table(out / "activities.csv.gz")}
    assert list(acts) == sorted(acts)
    assert {k: acts[k]["unit"] for k in acts} == {
        "proc-diesel": "m3",
        "proc-elec": "kWh",
        "proc-gas-a": "m3",
        "proc-gas-b": "m3",
        "proc-steel": "kg",
        SLAG_ID: "kg",
    }
    assert acts[SLAG_ID]["name"] == "Slag, at plant (co-product of Steel, at plant)"
    assert acts[SLAG_ID]["product_flow"] == "f-slag"
    assert acts[SLAG_ID]["category"] == "Manufacturing/Steel"
    steel = acts["proc-steel"]
    assert steel["location"] == "US"
    assert steel["product"] == "Steel, at plant"
    assert steel["product_flow"] == "f-steel"
    assert steel["category"] == "Manufacturing/Steel"
    assert steel["description_source"] == "Mini test report, 2024"
    assert (steel["valid_from"], steel["valid_until"]) == ("2010-01-01", "2012-12-31")
    assert acts["proc-diesel"]["location"] == "RNA"


def test_technosphere_amounts_are_converted_and_linked(out: Path) -> None:
    tech = pairs(read_table(out / "technosphere.csv.gz"), "consumer", "supplier")
    steel = {
        # 7200 MJ per 2 t -> kWh per kg
        "proc-elec": 7200.0 * MJ / 2000.0,
        # 0.84 kg of diesel through its mass property (840 kg per m3) -> m3 per kg steel
        "proc-diesel": 0.84 / 840.0 * 1.0 / 2000.0,
        # 100 cu ft, linked by defaultProvider despite two providers; exact cubic foot
        "proc-gas-a": 100.0 * CU_FT / 2000.0,
    }
    assert tech == pytest.approx(
        {
            # 36 MJ per 1000 l of diesel -> kWh per m3
            ("proc-diesel", "proc-elec"): 36.0 * MJ / (1000.0 * L),
            # 0.25 l per kWh -> m3 per kWh
            ("proc-elec", "proc-diesel"): 0.25 * L,
            **{("proc-steel", k): v * STEEL for k, v in steel.items()},
            **{(SLAG_ID, k): v * SLAG for k, v in steel.items()},
        },
        rel=1e-12,
    )
    assert tech[("proc-steel", "proc-elec")] == pytest.approx(STEEL)


def test_biosphere_keeps_signs_and_merges_duplicates(out: Path) -> None:
    bio = pairs(read_table(out / "biosphere.csv.gz"), "activity", "flow")
    assert bio[("proc-steel", "f-co2-fossil")] == pytest.approx(3600.0 / 2000.0 * STEEL)
    assert bio[(SLAG_ID, "f-co2-fossil")] == pytest.approx(3600.0 / 2000.0 * SLAG)
    # removal flow: stays positive
    assert bio[("proc-steel", "f-co2-air")] == pytest.approx(20.0 / 2000.0 * STEEL)
    # biogenic CO2 of an emission flow used as an input (uptake) is a removal, never a
    # negative emission
    assert bio[("proc-steel", UPTAKE)] == pytest.approx(10.0 / 2000.0 * STEEL)
    assert ("proc-steel", "f-co2-bio") not in bio
    assert bio[("proc-elec", "f-co2-fossil")] == math.fsum([0.7, 0.05])
    assert bio[("proc-elec", "f-ch4-bio")] == 0.001
    assert bio[("proc-gas-a", "f-pit-methane")] == 3.6 * MJ
    assert bio[("proc-diesel", "f-co2-fossil")] == 300.0 / (1000.0 * L)


def test_flows_gas_origin_and_kind(out: Path) -> None:
    flows = {r["id"]: r for r in read_table(out / "flows.csv.gz")}
    got = {k: (r["gas"], r["origin"], r["kind"]) for k, r in flows.items()}
    assert got == {
        "f-co2-fossil": ("CO2", "fossil", "emission"),
        UPTAKE: ("CO2", "biogenic", "removal"),
        "f-co2-air": ("CO2", "biogenic", "removal"),
        "f-ch4-bio": ("CH4", "biogenic", "emission"),
        "f-n2o": ("N2O", "unspecified", "emission"),
        "f-hcfc22": ("HCFC-22", "unspecified", "emission"),
        "f-hfc143": ("HFC-143", "unspecified", "emission"),
        "f-r40-water": ("", "unspecified", "emission"),
        "f-pit-methane": ("", "unspecified", "removal"),
    }
    assert flows["f-co2-fossil"]["cas"] == "124-38-9"
    assert flows["f-co2-fossil"]["compartment"] == "air/unspecified"
    assert flows["f-pit-methane"]["unit"] == "kWh"
    assert flows[UPTAKE]["name"] == "Carbon dioxide, biogenic (uptake)"
    assert flows[UPTAKE]["compartment"] == flows["f-co2-fossil"]["compartment"]


def test_unlinked_rows_say_why(out: Path) -> None:
    rows = read_table(out / "unlinked.csv.gz")
    got = sorted((r["activity"], r["flow"], r["reason"], r["unit"]) for r in rows)
    steel = [
        ("f-ore", "unlinked product input", 3200.0 / 2000.0, "kg"),
        ("f-ore", "unknown unit", 5.0 / 2000.0, "furlong"),
        ("f-waste", "unlinked waste output", 100.0 / 2000.0, "kg"),
        ("f-elec", "avoided product", 100.0 / 2000.0, "kWh"),
    ]
    assert got == sorted(
        [
            ("proc-elec", "f-gas", "ambiguous provider: proc-gas-a proc-gas-b", "m3"),
            *((a, f, r, u) for a in ("proc-steel", SLAG_ID) for f, r, _, u in steel),
        ]
    )
    amounts = {(r["activity"], r["flow"], r["reason"]): float(r["amount"]) for r in rows}
    for flow, reason, amount, _ in steel:
        assert amounts[("proc-steel", flow, reason)] == pytest.approx(amount * STEEL)
        assert amounts[(SLAG_ID, flow, reason)] == pytest.approx(amount * SLAG)


def test_report(report: dict[str, object], out: Path) -> None:
    assert report["source_commit"] == "0" * 40
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["processes_read"] == 5
    assert counts["activities_written"] == 6
    assert counts["technosphere_exchanges"] == 8
    assert counts["elementary_flows"] == 9
    assert counts["flows_with_gas"] == 7  # with HCFC-22 and HFC-143
    assert report["unit_conversions"] == {
        "MJ -> kWh": 3,
        "cu ft -> m3": 1,
        "kg -> m3": 1,
        "l -> m3": 2,
        "t -> kg": 4,
    }
    assert report["unit_factor_corrections"] == [
        {"unit": "cu ft", "to": "m3", "source_factor": 0.02, "exact_factor": CU_FT, "exchanges": 1},
    ]
    assert report["unlinked_by_reason"] == {
        "ambiguous provider": 1,
        "avoided product": 2,
        "unknown unit": 2,
        "unlinked product input": 2,
        "unlinked waste output": 2,
    }
    (steel,) = report["multi_output_activities"]  # type: ignore[misc]
    assert steel["basis"] == "mass"
    assert [o["activity"] for o in steel["outputs"]] == ["proc-steel", SLAG_ID]
    assert [o["kg"] for o in steel["outputs"]] == pytest.approx([1.0, 0.2])
    assert [o["share"] for o in steel["outputs"]] == pytest.approx([1.0 / 1.2, 0.2 / 1.2])
    assert report["ghg_not_characterised"] == []  # HCFC-22 and HFC-143 have GWPs
    files = report["files_sha256"]
    assert isinstance(files, dict)
    assert sorted(files) == sorted(name for name, _ in tables.OUTPUT_FILES.values())


def test_rebuild_is_byte_identical(out: Path, tmp_path: Path) -> None:
    b.build(FIXTURE, tmp_path, commit="0" * 40)
    for name in [*(n for n, _ in tables.OUTPUT_FILES.values()), "build_report.json"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    header = (out / "activities.csv.gz").read_bytes()[4:8]
    assert header == b"\x00\x00\x00\x00"  # gzip mtime 0


def test_source_unit_factors_option(tmp_path: Path) -> None:
    assert (
        build_uslci.main(
            ["--source", str(FIXTURE), "--out", str(tmp_path), "--source-unit-factors"]
        )
        == 0
    )
    tech = pairs(read_table(tmp_path / "technosphere.csv.gz"), "consumer", "supplier")
    assert tech[("proc-steel", "proc-gas-a")] == pytest.approx(100.0 * 0.02 / 2000.0 * STEEL)


def test_csv_floats_round_trip() -> None:
    value = 0.1 + 0.2
    text = gzip.decompress(tables.csv_gz_bytes(("x",), [(tables.fmt(value),)])).decode()
    assert float(next(csv.reader(io.StringIO(text.splitlines()[1])))[0]) == value
    assert tables.fmt(-0.0) == "0.0"


def test_uncharacterised_ghgs_are_listed_with_their_mass() -> None:
    from footprint.background.importers.linking import Linked
    from footprint.background.importers.tables import ELEMENTARY, Activity, Flow

    flow = Flow("f-mix", "CFCs and HCFCs, unspecified", ELEMENTARY, "air/unspecified", "", "p", {})
    index = Index({}, {}, {}, {"f-mix": flow}, {}, {})
    linked = Linked()
    linked.biosphere[("a", "f-mix")].extend([1e-6, 2e-6])
    linked.biosphere[("c", "f-mix")].append(5e-6)
    linked.flows_used = {"f-mix"}
    acts = {
        k: Activity(k, f"Plant {k}", "US", "kg", "P", "f-p", "", "", "", "", False) for k in "ac"
    }
    (found,) = b.ghg_not_characterised(index, linked, acts)
    assert found["activities"] == 2
    assert found["kg"] == pytest.approx(8e-6)
    assert found["largest"] == {"activity": "c", "name": "Plant c", "kg_per_unit": 5e-6}
