"""Annex III of Reg. (EU) 2023/956: goods from Iceland, Liechtenstein, Norway and Switzerland are
outside CBAM, so precursors made there count zero, like EU precursors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cbam.calc import calculate
from footprint.cbam.defaults import default_for
from footprint.cbam.goods import ANNEX_III_COUNTRIES, EU_MEMBERS, RULES, CbamError, zero_origin
from footprint.cli.app import app
from tests.cbam.helpers import build, installation, process

runner = CliRunner()


def test_the_annex_iii_list_is_cited_with_a_status() -> None:
    assert set(ANNEX_III_COUNTRIES) == {"IS", "LI", "NO", "CH"}
    assert not set(ANNEX_III_COUNTRIES) & EU_MEMBERS
    rule = RULES["annex-iii-precursors-zero"]
    assert rule.status == "unconfirmed"  # read in a mirror, not on EUR-Lex
    assert "Annex III" in rule.source
    assert "32023R0956" in rule.source
    for place in ("Iceland", "Liechtenstein", "Norway", "Switzerland", "Büsingen", "Melilla"):
        assert place in rule.text


@pytest.mark.parametrize("country", ["NO", "CH", "IS", "LI"])
def test_a_precursor_from_an_annex_iii_country_counts_zero_with_a_note(country: str) -> None:
    bought = {"id": "slab", "cn": "7207", "country": country, "quantity": "600 t"}
    rolling = process("rolling", level=500.0, streams=[(10.0, 56.1)], precursors=[("slab", 550.0)])
    result = calculate(build(installation([rolling], [bought])))
    res = result.processes[0]
    (slab,) = res.precursors
    assert (slab.see.direct, slab.see.indirect, slab.direct) == (0.0, 0.0, 0.0)
    assert slab.basis.startswith("Annex III country")
    assert ANNEX_III_COUNTRIES[country] in slab.basis
    assert res.see.direct == pytest.approx(10 * 56.1 / 500, abs=1e-12)  # own fuel only
    assert res.see.default_share == 0.0
    shown = result.to_dict()["processes"][0]["precursors"][0]["basis"]
    assert "outside the scope of CBAM" in shown


def test_the_same_precursor_from_china_does_count() -> None:
    bought = {"id": "slab", "cn": "72071114", "country": "CN", "quantity": "600 t"}
    rolling = process("rolling", level=500.0, precursors=[("slab", 550.0)])
    result = calculate(build(installation([rolling], [bought])))
    expected = 550 / 500 * default_for("CN", "72071114").direct
    assert result.processes[0].see.direct == pytest.approx(expected, abs=1e-12)


def test_zero_origin_tells_eu_annex_iii_and_other_countries_apart() -> None:
    assert zero_origin("DE") == ("EU origin: counts zero", RULES["eu-precursors-zero"])
    found = zero_origin("ch")
    assert found is not None
    assert found[1] is RULES["annex-iii-precursors-zero"]
    assert zero_origin("CN") is None
    assert zero_origin("GB") is None


def test_no_default_value_is_offered_for_an_annex_iii_country() -> None:
    with pytest.raises(CbamError, match="Annex III"):
        default_for("NO", "7208")
    result = runner.invoke(app, ["cbam", "defaults", "--country", "NO", "--cn", "7208"])
    assert result.exit_code == 2
    assert "'NO' (Norway)" in result.output
    assert "--country" in result.output
    assert "Traceback" not in result.output
    data = runner.invoke(app, ["cbam", "defaults", "--country", "CN", "--cn", "7208", "-f", "json"])
    assert json.loads(data.output)["values"]
