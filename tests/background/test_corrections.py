"""Reviewed corrections of source data: applied at build time, refused when they do not match.

Built on the hand-made ``jsonld_mini`` fixture (see its README): ``proc-steel`` makes 2 t of steel
from 7200 MJ electricity, 0.84 kg diesel, ... and emits 3600 kg fossil CO2.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from footprint.background import build_uslci
from footprint.background.importers import openlca as b
from footprint.background.importers.corrections import COLUMNS, caveats, read_corrections
from footprint.background.store import read_table_dir
from footprint.errors import BackgroundError

FIXTURE = Path(__file__).parent / "fixtures" / "jsonld_mini"
MJ = 0.2777777777777778  # kWh per MJ, as in the fixture's unit group


@pytest.fixture(autouse=True)
def _bw2_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("BRIGHTWAY2_DIR", str(tmp_path_factory.mktemp("bw2")))


def row(**changes: str) -> dict[str, str]:
    base = {
        "activity": "proc-steel",
        "activity_name": "Steel, at plant",
        "flow": "f-elec",
        "flow_name": "Electricity, at grid",
        "old_value": "7200",
        "new_value": "3600",
        "unit": "MJ",
        "evidence": "metered: half the stated electricity",
        "reviewer_note": "electricity halved",
    }
    return base | changes


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def tables(directory: Path, name: str) -> dict[tuple[str, str], float]:
    with gzip.open(directory / name, "rt", encoding="utf-8", newline="") as handle:
        return {
            (r[next(iter(r))], r[list(r)[1]]): float(r["amount"]) for r in csv.DictReader(handle)
        }


def test_corrections_beside_the_tables_are_applied_and_reported(tmp_path: Path) -> None:
    write(
        tmp_path / "corrections.csv",
        [
            row(),
            row(
                flow="f-co2-fossil",
                flow_name="Carbon dioxide, fossil",
                old_value="3600",
                new_value="0",
                unit="kg",
                reviewer_note="CO2 counted elsewhere",
            ),
        ],
    )
    report = b.build(FIXTURE, tmp_path, commit="0" * 40)
    tech = tables(tmp_path, "technosphere.csv.gz")
    # was 7200 MJ per 2 t; proc-steel keeps its mass share (1/1.2) beside its slag co-product
    assert tech[("proc-steel", "proc-elec")] == pytest.approx(3600.0 * MJ / 2000.0 / 1.2)
    bio = tables(tmp_path, "biosphere.csv.gz")
    assert ("proc-steel", "f-co2-fossil") not in bio  # new value 0 removes the exchange
    assert ("proc-steel", "f-co2-air") in bio
    assert [c["line"] for c in report["corrections"]] == [2, 3]
    assert report["corrected_activities"] == [
        {"id": "proc-steel", "name": "Steel, at plant", "exchanges": 2}
    ]
    background = read_table_dir(tmp_path, "mini")
    found = [c for c in background.caveats("proc-steel") if c.startswith("corrected: ")]
    assert len(found) == 1
    assert "electricity halved; CO2 counted elsewhere" in found[0]
    assert "Electricity, at grid 7200 -> 3600 MJ" in found[0]
    assert not [c for c in background.caveats("proc-elec") if "corrected" in c]


def test_the_uncorrected_build_is_unchanged(tmp_path: Path) -> None:
    b.build(FIXTURE, tmp_path / "plain", commit="0" * 40)
    write(tmp_path / "empty.csv", [])
    report = b.build(
        FIXTURE, tmp_path / "empty", commit="0" * 40, corrections=tmp_path / "empty.csv"
    )
    assert report["corrections"] == []
    for name in ("technosphere.csv.gz", "biosphere.csv.gz", "activities.csv.gz"):
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "empty" / name).read_bytes()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"old_value": "7000"}, "old_value", "does not match the source, which states 7200.0 MJ"),
        ({"unit": "kWh"}, "unit", "in 'MJ', not 'kWh'"),
        ({"activity": "proc-nothing"}, "activity", "no activity proc-nothing"),
        ({"activity_name": "Aluminium, at plant"}, "activity_name", "is 'Steel, at plant'"),
        ({"flow": "f-gold"}, "flow", "has no exchange of flow f-gold"),
        ({"flow_name": "Heat"}, "flow_name", "is 'Electricity, at grid' in the source"),
    ],
)
def test_a_row_that_does_not_match_the_source_is_refused(
    tmp_path: Path, change: dict[str, str], field: str, message: str
) -> None:
    diesel = row(flow="f-diesel", flow_name="Diesel, at refinery", old_value="0.84", unit="kg")
    path = write(tmp_path / "corrections.csv", [diesel, row(**change)])
    with pytest.raises(BackgroundError) as caught:
        b.build(FIXTURE, tmp_path / "out", commit="0" * 40, corrections=path)
    assert caught.value.where == f"{path}, line 3, {field}"
    assert message in caught.value.what
    assert not (tmp_path / "out" / "activities.csv.gz").exists()


def test_the_command_line_names_the_row_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "corrections.csv", [row(old_value="1")])
    code = build_uslci.main(
        ["--source", str(FIXTURE), "--out", str(tmp_path), "--corrections", str(path)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert f"{path}, line 2, old_value" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("activity,flow\nproc-steel,f-elec\n", "line 1"),
        (",".join(COLUMNS) + "\nproc-steel,Steel,f-elec,El,x,1,MJ,e,n\n", "line 2, old_value"),
        (",".join(COLUMNS) + "\nproc-steel,Steel,f-elec,El,1,2,MJ,,n\n", "line 2, evidence"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BackgroundError) as caught:
        read_corrections(path)
    assert caught.value.where == f"{path}, {where}"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackgroundError, match="not found"):
        read_corrections(tmp_path / "none.csv")


def test_results_reaching_a_corrected_activity_carry_its_caveat(tmp_path: Path) -> None:
    # Steel and diesel buy electricity (diesel directly, steel directly and through diesel);
    # electricity buys diesel, so its own supply chain loops back to itself.
    path = write(
        tmp_path / "c.csv",
        [
            row(
                activity="proc-elec",
                activity_name="Electricity, at grid",
                flow="f-co2-fossil",
                flow_name="Carbon dioxide, fossil",
                old_value="0.7",
                new_value="0.5",
                unit="kg",
            )
        ],
    )
    b.build(FIXTURE, tmp_path, commit="0" * 40, corrections=path)
    background = read_table_dir(tmp_path, "mini")
    assert background.corrected_upstream("proc-steel") == ["proc-elec"]
    assert background.corrected_upstream("proc-diesel") == ["proc-elec"]
    assert background.corrected_upstream("proc-elec") == []  # diesel loop back to itself
    assert background.corrected_upstream("proc-gas-a") == []
    steel = [c for c in background.caveats("proc-steel") if "corrected" in c]
    assert steel == [
        "its supply chain includes Electricity, at grid [proc-elec], "
        + caveats(json.loads((tmp_path / "build_report.json").read_text())["corrections"])[
            "proc-elec"
        ]
    ]


def test_correcting_the_reference_amount_rescales_every_amount(tmp_path: Path) -> None:
    b.build(FIXTURE, tmp_path / "plain", commit="0" * 40)
    path = write(
        tmp_path / "c.csv",
        [row(flow="f-steel", flow_name="Steel, at plant", old_value="2", new_value="4", unit="t")],
    )
    b.build(FIXTURE, tmp_path / "fixed", commit="0" * 40, corrections=path)
    plain = tables(tmp_path / "plain", "biosphere.csv.gz")
    fixed = tables(tmp_path / "fixed", "biosphere.csv.gz")
    # 3600 kg CO2 per 4 t steel now; 0.4 t slag is 0.1 kg per kg, so steel's mass share is 1/1.1
    assert fixed[("proc-steel", "f-co2-fossil")] == pytest.approx(3600.0 / 4000.0 / 1.1)
    assert plain[("proc-steel", "f-co2-fossil")] == pytest.approx(3600.0 / 2000.0 / 1.2)
    assert fixed[("proc-elec", "f-co2-fossil")] == plain[("proc-elec", "f-co2-fossil")]


def test_a_reference_amount_cannot_become_zero(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        [row(flow="f-steel", flow_name="Steel, at plant", old_value="2", new_value="0", unit="t")],
    )
    with pytest.raises(BackgroundError) as caught:
        b.build(FIXTURE, tmp_path, commit="0" * 40, corrections=path)
    assert caught.value.where == f"{path}, line 2, new_value"
