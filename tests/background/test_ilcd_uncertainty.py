"""ILCD exchange uncertainty: the fields of ILCD 1.1 read into the tables' uncertainty columns.

The hand-made archive of ``fixtures/ilcd`` (see ``test_ilcd.py``) with uncertainty added:

- electricity, Jiangsu (per 10 kWh): natural gas 72 MJ (= 2 m3) log-normal with SDg^2 = 1.44,
  so σ = ln(1.2); CO2 5 kg uniform 4 … 6. Per kWh: 0.2 m3 gas, 0.5 kg CO2 in 0.4 … 0.6.
- steel (per 1000 kg): electricity 7200 MJ triangular 6000 … 9000 MJ (per kg: 2 kWh in
  1.667 … 2.5); methane 1 kg normal with 2·SD = 0.4 kg (per kg: SD 0.0002 kg); SO2 2 kg
  log-normal without its SDg^2 (not used, listed); scrap iron (flow data set missing) uniform
  (not converted, counted).
- gas: CO2 0.1 kg "uniform" 0.2 … 0.3 (the amount is outside: not used, listed).
- Shanxi grid: CO2 0.9 kg of an unknown type "beta" (not used, listed).
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from footprint.background.importers.ilcd_convert import convert_ilcd
from footprint.background.importers.ilcd_uncertainty import Uncertainty, exchange_spread
from footprint.background.importers.tables import write_build
from footprint.background.store import Background, read_table_dir
from footprint.engine.background_spread import table_distributions
from footprint.engine.intensities import background_intensities
from footprint.inventory.uncertainty import LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM, Distribution

FIXTURE = Path(__file__).parent / "fixtures" / "ilcd"
GAS, ELEC_JS, ELEC_SX, STEEL = (f"11111111-0000-4000-8000-00000000000{i}" for i in "1234")
CO2, CH4, SO2 = (f"dddddddd-0000-4000-8000-00000000000{i}" for i in "123")


def uncertain(path: Path, internal_id: str, fields: str) -> None:
    """Add uncertainty ``fields`` (XML) after the amounts of exchange ``internal_id``."""
    text = path.read_text(encoding="utf-8")
    pattern = rf'(<exchange dataSetInternalID="{internal_id}">.*?</resultingAmount>)'  # its amounts
    changed, n = re.subn(pattern, rf"\1{fields}", text, count=1, flags=re.S)
    assert n == 1
    path.write_text(changed, encoding="utf-8")


def kind(name: str) -> str:
    return f"<uncertaintyDistributionType>{name}</uncertaintyDistributionType>"


def rsd(value: str) -> str:
    return f"<relativeStandardDeviation95In>{value}</relativeStandardDeviation95In>"


def between(low: str, high: str) -> str:
    return f"<minimumAmount>{low}</minimumAmount><maximumAmount>{high}</maximumAmount>"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ilcd-uncertain") / "ilcd"
    shutil.copytree(FIXTURE, root)
    processes = root / "ILCD" / "processes"
    uncertain(processes / f"{ELEC_JS}.xml", "1", kind("log-normal") + rsd("1.44"))
    uncertain(processes / f"{ELEC_JS}.xml", "2", between("4.0", "6.0") + kind("uniform"))
    uncertain(processes / f"{STEEL}.xml", "0", between("6000", "9000") + kind("triangular"))
    uncertain(processes / f"{STEEL}.xml", "1", kind("normal") + rsd("0.4"))
    uncertain(processes / f"{STEEL}.xml", "2", kind("log-normal"))
    uncertain(processes / f"{STEEL}.xml", "4", between("4", "6") + kind("uniform"))
    uncertain(processes / f"{GAS}.xml", "1", between("0.2", "0.3") + kind("uniform"))
    uncertain(processes / f"{ELEC_SX}.xml", "1", kind("beta") + rsd("2"))
    return root


@pytest.fixture(scope="module")
def background(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Background:
    out = tmp_path_factory.mktemp("tables")
    write_build(convert_ilcd(archive), out)
    return read_table_dir(out, "uncertain")


def row(table: pd.DataFrame, key: str, owner: str, other_key: str, other: str) -> dict[str, str]:
    """The one row of a technosphere or biosphere table with these two ids, as text."""
    hit = table[(table[key] == owner) & (table[other_key] == other)]
    assert len(hit) == 1
    return {c: str(v) for c, v in hit.iloc[0].items()}


def test_distributions_follow_the_amounts_conversion(background: Background) -> None:
    tech, bio = background.technosphere, background.biosphere
    gas = row(tech, "consumer", ELEC_JS, "supplier", GAS)
    assert gas["uncertainty_type"] == str(LOGNORMAL)
    assert float(gas["loc"]) == pytest.approx(math.log(0.2), abs=1e-12)
    assert float(gas["scale"]) == pytest.approx(math.log(1.2), rel=1e-12)  # ln(SDg^2) / 2
    co2 = row(bio, "activity", ELEC_JS, "flow", CO2)
    assert co2["uncertainty_type"] == str(UNIFORM)
    assert (float(co2["minimum"]), float(co2["maximum"])) == pytest.approx((0.4, 0.6))
    elec = row(tech, "consumer", STEEL, "supplier", ELEC_JS)
    assert elec["uncertainty_type"] == str(TRIANGULAR)
    assert float(elec["loc"]) == pytest.approx(2.0)  # the mode is the amount
    assert float(elec["minimum"]) == pytest.approx(6000 / 3.6 / 1000)
    assert float(elec["maximum"]) == pytest.approx(9000 / 3.6 / 1000)
    ch4 = row(bio, "activity", STEEL, "flow", CH4)
    assert ch4["uncertainty_type"] == str(NORMAL)
    assert (float(ch4["loc"]), float(ch4["scale"])) == pytest.approx((0.001, 0.0002))
    for unused in (
        row(bio, "activity", STEEL, "flow", SO2),
        row(bio, "activity", GAS, "flow", CO2),
    ):
        assert unused["uncertainty_type"] == "0"
        assert unused["loc"] == unused["scale"] == ""
    rows, found = table_distributions(tech)
    assert len(rows) == 2  # both written technosphere distributions are valid
    assert all(isinstance(item, Distribution) for item in found)


def test_uncertainty_never_moves_the_deterministic_result(
    background: Background, tmp_path: Path
) -> None:
    write_build(convert_ilcd(FIXTURE), tmp_path)
    plain = background_intensities(read_table_dir(tmp_path, "plain"))
    with_spread = background_intensities(background)
    assert plain.activity_ids == with_spread.activity_ids
    assert np.array_equal(np.asarray(plain.total), np.asarray(with_spread.total))


def test_unusable_fields_are_listed_and_counted(background: Background) -> None:
    report = background.report["uncertainty"]
    listed = {(r["activity"], r["flow"]): r for r in report["not_used"]}
    assert set(listed) == {(STEEL, SO2), (GAS, CO2), (ELEC_SX, CO2)}
    assert listed[(STEEL, SO2)]["reason"] == "log-normal with no relativeStandardDeviation95In"
    assert listed[(STEEL, SO2)]["amount"] == 2.0  # as written, before normalisation
    assert listed[(GAS, CO2)]["reason"] == "amount outside its uniform range"
    assert listed[(ELEC_SX, CO2)]["reason"] == "unknown distribution type 'beta'"
    counts = report["counts"]
    assert counts["read uniform"] == 3
    assert counts["used uniform"] == 1
    assert counts["read log-normal"] == 2
    assert counts["used log-normal"] == 1
    assert counts["used triangular"] == counts["used normal"] == 1
    assert counts["not used: exchange not converted (in unlinked.csv.gz)"] == 1  # scrap iron
    read = sum(n for k, n in counts.items() if k.startswith("read "))
    used = sum(n for k, n in counts.items() if k.startswith("used "))
    not_used = sum(n for k, n in counts.items() if k.startswith("not used: "))
    assert read == used + not_used == 8
    assert "SDg^2" in report["convention"]


def test_an_archive_without_uncertainty_keeps_its_tables(tmp_path: Path) -> None:
    build = convert_ilcd(FIXTURE)
    assert all(len(r) == 3 for r in build.tables["technosphere"] + build.tables["biosphere"])
    assert build.report["uncertainty"]["counts"] == {}


def test_the_lognormal_reads_sdg_squared() -> None:
    spread = exchange_spread(Uncertainty("log-normal", "4"), 10.0)
    assert isinstance(spread, Distribution)
    # the stated 97.5 % value is amount × SDg^2 (with 2σ for 1.96σ, as the ILCD format says)
    assert math.exp(spread.loc + 2 * spread.scale) == pytest.approx(40.0)
    assert spread.median == pytest.approx(10.0)
    negative = exchange_spread(Uncertainty("lognormal", "4"), -10.0)
    assert isinstance(negative, Distribution)
    assert negative.median == pytest.approx(-10.0)


@pytest.mark.parametrize(
    ("fields", "stated", "expected"),
    [
        (Uncertainty(), 1.0, None),
        (Uncertainty("undefined"), 1.0, None),
        (Uncertainty("log-normal", "1.0"), 1.0, "log-normal with relativeStandardDeviation95In"),
        (Uncertainty("log-normal", "x"), 1.0, "is not a number: 'x'"),
        (Uncertainty("normal", "-1"), 1.0, "normal with relativeStandardDeviation95In"),
        (Uncertainty("uniform", None, "2", "2"), 2.0, "range of zero width"),
        (Uncertainty("uniform", None, None, "3"), 2.0, "without a numeric minimumAmount"),
        (Uncertainty(None, None, "1", "3"), 2.0, "without a type"),
        (Uncertainty("uniform", None, "0", "100"), 1.0, "mean more than 10 times"),
        (Uncertainty("normal", "2"), 0.0, "amount zero"),
    ],
)
def test_unusable_fields_say_why(fields: Uncertainty, stated: float, expected: str | None) -> None:
    found = exchange_spread(fields, stated)
    if expected is None:
        assert found is None
    else:
        assert isinstance(found, str)
        assert expected in found


def test_a_range_written_backwards_is_read_in_order() -> None:
    found = exchange_spread(Uncertainty("uniform", None, "3", "1"), 2.0)
    assert isinstance(found, Distribution)
    assert (found.minimum, found.maximum) == (1.0, 3.0)
