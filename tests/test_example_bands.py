"""Each example sits inside the published band its README row cites, or the row says why not.

The band is the first range in the row's "published comparison" cell (``600-1,000 kg/t``,
``1.0-1.5 t/t``, ``0.05-0.1 kg per ...``); the result is the engine's, per declared unit. Rows
with a ``background`` column (the Chinese examples in ``inventories/examples-china``) are computed
on that background and must also show the engine's result.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.engine.calculate import calculate
from footprint.engine.intensities import background_intensities
from footprint.engine.result import FootprintResult
from footprint.paths import examples_dir

ROWS = [
    line.split("|")[1:-1]
    for line in (examples_dir() / "README.md").read_text(encoding="utf-8").splitlines()
    if re.match(r"^\| `[^`]+\.(yaml|csv)` \|.*\| \*\*[\d,.]+\*\* \|", line)  # the results tables
]
BAND = re.compile(r"([\d][\d,.]*)\s*-\s*([\d][\d,.]*)\s*(kg/t|t/t|kg/m3|kg per)")
KG_PER_REPORTED = {"kg/t": 1.0, "t/t": 1000.0, "kg/m3": 1.0, "kg per": 1.0}
CHINA = examples_dir().parent / "examples-china"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@cache
def _background(name: str) -> Background:
    return load_background(name)


@cache
def _result(name: str, background: str) -> FootprintResult:
    return calculate(examples_dir() / name, background=_background(background))


def _background_of(row: list[str]) -> str:
    """The background column of the wider (seven-column) table, else the default."""
    return row[3].strip(" `") if len(row) == 7 else "default"


@pytest.mark.parametrize("row", ROWS, ids=[r[0].strip(" `") for r in ROWS])
def test_example_is_inside_its_band_or_says_why(row: list[str]) -> None:
    name, comparison = row[0].strip(" `"), row[-1]
    if comparison.strip() == "same as above":
        comparison = next(r[-1] for r in ROWS if r[-1].strip() != "same as above")
    band = BAND.search(comparison)
    assert band is not None, f"{name}: no published band in {comparison!r}"
    factor = KG_PER_REPORTED[band.group(3)]
    low, high = _number(band.group(1)) * factor, _number(band.group(2)) * factor
    total = _result(name, _background_of(row)).total
    if low <= total <= high:
        return
    side = "Below" if total < low else "Above"
    assert f"{side} the band because" in comparison, (
        f"{name}: {total:,.4g} kg CO2e is outside {low:,.4g}-{high:,.4g} and the row does not "
        f"say why ('{side} the band because ...')"
    )


WIDE = [r for r in ROWS if len(r) == 7]


def test_every_chinese_example_has_a_row() -> None:
    listed = sorted(Path(r[0].strip(" `")).name for r in WIDE)
    assert listed == sorted(p.name for p in CHINA.glob("*.yaml"))
    assert len(listed) >= 4


@pytest.mark.parametrize("row", WIDE, ids=[r[0].strip(" `") for r in WIDE])
def test_chinese_example_shows_the_engines_result_and_cites(row: list[str]) -> None:
    name = row[0].strip(" `")
    shown = re.search(r"\*\*([\d,.]+)\*\*", row[4])
    assert shown is not None
    result = _result(name, _background_of(row))
    assert round(result.total) == pytest.approx(_number(shown.group(1)))
    assert sum(result.by_stage.values()) == pytest.approx(result.total, rel=1e-9)
    text = (examples_dir() / name).read_text(encoding="utf-8")
    assert "geography: CN" in text
    assert re.search(r"\[S\d\]", text), "foreground data must be cited"
    assert "tiangong" in _background_of(row)


def test_the_cement_example_carries_its_proxy_link() -> None:
    result = _result("../examples-china/cement-cn-tiangong.yaml", "default+tiangong")
    assert any("proxy: its input 'Limestone, crushed, for mill'" in w for w in result.warnings)
    assert not any(c.input == "Limestone, crushed, for mill" for c in result.cut_offs)


def test_the_two_smelters_differ_by_their_grids_alone() -> None:
    """Same smelter, two provinces: the difference is the electricity times the difference of the
    two grid mixes' intensities (per MJ in TianGong)."""
    background = _background("default+tiangong")
    shandong = _result("../examples-china/aluminium-cn-shandong.yaml", "default+tiangong")
    yunnan = _result("../examples-china/aluminium-cn-yunnan.yaml", "default+tiangong")
    found = background_intensities(background)
    per_mj = dict(zip(found.activity_ids, found.total, strict=True))
    sd, yn = "b97165f2-147c-46d5-8491-e3c3956bce94", "425aef67-d122-4c04-b91c-96ccd3a11ae7"
    expected = 13400 * 3.6 * (per_mj[sd] - per_mj[yn])  # 13,400 kWh in MJ
    assert shandong.total - yunnan.total == pytest.approx(expected, rel=1e-9)
    assert shandong.total > 1.5 * yunnan.total


def test_the_pv_module_moves_with_its_polysilicon_grid() -> None:
    """Polysilicon from Sichuan instead of Xinjiang: the difference is the Siemens electricity of
    the module's silicon times the difference of the two grid mixes, through the whole chain."""
    name = "../examples-china/pv-module-cn-jiangsu.yaml"
    background = _background("default+tiangong")
    xinjiang = _result(name, "default+tiangong")
    sc = "30558cec-4718-4eac-a400-85e45a276e73"
    sichuan = calculate(examples_dir() / name, background=background, parameters={"grid_si": sc})
    found = background_intensities(background)
    per_mj = dict(zip(found.activity_ids, found.total, strict=True))
    xj = "41c3a751-2b91-44eb-b61a-6c58c251ca80"
    silicon = 5.587 * 0.93541 * 1.03 * 0.59524  # kg per kWp: m2 panel, cell, wafer; kg per m2 wafer
    expected = silicon * 49 * 3.6 * (per_mj[xj] - per_mj[sc])  # 49 kWh per kg, in MJ
    assert xinjiang.total - sichuan.total == pytest.approx(expected, rel=1e-9)
    assert expected > 0.1 * xinjiang.total
