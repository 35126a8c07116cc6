"""Precursors whose country of production is unknown: the Annex IV values of IR (EU) 2025/2621.

The installation ``fixtures/dri-unknown.yaml`` is solved by hand from its inputs and the two
cited values it uses (Annex IV DRI 4.200; China pig iron 1.66, ``cbam_default_values.csv``).
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cbam.calc import calculate
from footprint.cbam.defaults import ANNEX_IV, ANNEX_IV_SOURCE, annex_iv, default_for, lookup
from footprint.cbam.model import read_installation
from footprint.cbam.report import cbam_view
from footprint.cli.app import app
from footprint.errors import FootprintError

runner = CliRunner()
FIXTURE = Path(__file__).parent / "fixtures" / "dri-unknown.yaml"


def test_the_shipped_annex_iv_rows_are_the_ones_its_sources_file_describes() -> None:
    raw = (files("footprint") / "data" / "cbam_annex_iv.csv").read_bytes()
    # Pinned: a change to a value must come with a change to cbam_annex_iv.SOURCES.md.
    assert hashlib.sha256(raw).hexdigest() == (
        "0f59c9bc95645c48030165730059bb0d8e2340453e445fb2b787c1e79e2a6e3b"
    )
    assert {(r.cn, float(r.total or 0)) for r in annex_iv()} == {
        ("7203", 4.2),
        ("28041000", 26.64),
    }
    sources = (files("footprint") / "data" / "cbam_annex_iv.SOURCES.md").read_text("utf-8")
    assert "| 7203 | Direct reduced iron (DRI) | 4.200 |" in sources
    assert "| 2804 10 00 | Hydrogen | 26.640 |" in sources


def test_an_unknown_country_takes_the_annex_iv_value_without_mark_up() -> None:
    value = default_for("unknown", "7203 10", year=2027)
    assert (value.row.area, value.row.annex, value.total) == (ANNEX_IV, "IV", 4.2)
    assert value.markup is None
    assert value.total_with_markup is None
    data = value.to_dict()
    assert (data["annex"], data["status"], data["source"]) == ("IV", "unconfirmed", ANNEX_IV_SOURCE)
    assert data["country"] == "unknown"


def test_dri_of_unknown_origin_solved_by_hand() -> None:
    result = calculate(read_installation(FIXTURE))
    # EAF: 40 TJ x 56.1 for 50000 t; 30000 t DRI at Annex IV 4.200 and 10000 t pig iron at the
    # China default 1.66 (direct only: Annex II goods).
    from_defaults = 30000 / 50000 * 4.2 + 10000 / 50000 * 1.66
    eaf = 40 * 56.1 / 50000 + from_defaults
    rolling = 30 * 56.1 / 48000 + 49000 / 48000 * eaf
    (billets, coil) = result.goods
    assert (billets.see.direct, billets.see.indirect) == pytest.approx((eaf, 0.0), abs=1e-9)
    assert (coil.see.direct, coil.see.indirect) == pytest.approx((rolling, 0.0), abs=1e-9)
    assert billets.see.default_share == pytest.approx(100 * from_defaults / eaf)
    (dri, pig) = result.processes[0].precursors
    assert dri.basis == "default value 7203 (Annex IV, country unknown)"
    assert dri.origin == "unknown"
    assert pig.basis == "default value 7201 China"
    assert dri.to_dict()["basis"] == dri.basis


def test_the_table_and_the_report_show_the_annex_iv_basis(tmp_path: Path) -> None:
    out = tmp_path / "calc.txt"
    shown = runner.invoke(app, ["cbam", "calc", str(FIXTURE), "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "default value 7203 (Annex IV, country unknown)" in out.read_text(encoding="utf-8")
    view = cbam_view(calculate(read_installation(FIXTURE)), year=2026)
    (factor,) = [f for f in view.factors if f.kind == "precursor SEE" and "DRI" in f.name]
    assert factor.source.endswith(ANNEX_IV_SOURCE)
    assert (factor.value, factor.status) == (4.2, "unconfirmed")


def test_an_unknown_country_without_an_encoded_value_exits_2(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        'cn: "7201"\n    country: CN', 'cn: "7201"\n    country: unknown'
    )
    path = tmp_path / "pig-unknown.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "country: unknown" in t and n > 30)
    with pytest.raises(FootprintError) as caught:
        calculate(read_installation(path))
    error = caught.value
    assert error.where == f"{path}, line {line}, purchased_precursors[1].country"
    assert "no Annex IV default value" in error.what
    assert "'7201'" in error.what
    assert error.fix is not None
    assert "give the country of production" in error.fix
    assert "verified actual SEE" in error.fix
    result = runner.invoke(app, ["cbam", "calc", str(path)])
    assert result.exit_code == 2
    assert "purchased_precursors[1].country" in result.output
    assert "Traceback" not in result.output


def test_a_supplier_verified_value_needs_no_country() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "    emissions: default\n",
        "    emissions: {direct: 1.1 t CO2e/t, verification: {verifier: V}}\n",
    )
    from footprint.cbam.model import build_installation
    from footprint.safeload import load_yaml, node_lines

    node, data = load_yaml(text, source="x.yaml", error=FootprintError)
    inst = build_installation(data, source="x.yaml", lines=node_lines(node), sha256=None)
    result = calculate(inst)
    (dri, _) = result.processes[0].precursors
    assert (dri.basis, dri.see.direct) == ("actual, verified", 1.1)


@pytest.mark.parametrize("country", ["UNKNOWN", "Unknown", "xx", "??"])
def test_other_spellings_of_the_country_are_refused(tmp_path: Path, country: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("country: unknown", f"country: {country!r}"),
        encoding="utf-8",
    )
    with pytest.raises(FootprintError) as caught:
        read_installation(path)
    assert "purchased_precursors[0].country" in (caught.value.where or "")


def test_cbam_defaults_lists_the_annex_iv_rows() -> None:
    result = runner.invoke(
        app, ["cbam", "defaults", "--country", "unknown", "--year", "2026", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == ANNEX_IV_SOURCE
    rows = lookup("unknown", year=2026)
    assert [v["total"] for v in data["values"]] == [r.total for r in rows]
    assert {v["annex"] for v in data["values"]} == {"IV"}
    assert {v["markup_percent"] for v in data["values"]} == {None}
    table = runner.invoke(app, ["cbam", "defaults", "--country", "unknown", "--cn", "7201"])
    assert table.exit_code == 2
    assert "no Annex IV default value" in table.output
