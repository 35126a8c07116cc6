"""Heat and waste gases: the waste-gas correction (eq. 53-54), flows between processes of one
installation counted once, and heat factors with their sources. Solved by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.cbam.calc import CbamResult, calculate
from footprint.cbam.communicate import communication
from footprint.cbam.model import read_installation
from footprint.errors import FootprintError
from tests.cbam.helpers import build, installation, process

F = 3.664  # t CO2 per t C
EF_NG, CORR = 56.1, 0.667  # IR 2023/1773 eq. 53-54, as read in the reference

BF = """\
installation: {name: Test iron works, country: CN, unlocode: CNSHA}
reporting_period: {start: 2026-01-01, end: 2026-12-31}
processes:
  - id: bf
    name: Blast furnace
    goods: [{cn: "7201", category: Pig iron, route: BF}]
    activity_level: 1000 t
    source_streams:
      - {name: coke, method: mass_balance, activity_data: 400 t, carbon_content: 0.88 t/t}
      - {name: carbon in pig iron, method: mass_balance, direction: output,
         activity_data: 1000 t, carbon_content: 45 kg/t}
    waste_gas_exported:
      - {name: blast-furnace gas, amount: 3 TJ, process: rolling, emission_factor: GAS_EF t CO2/TJ}
      - {name: blast-furnace gas to the power plant, amount: 2 TJ}
  - id: rolling
    name: Hot rolling
    goods: [{cn: "7208", category: Iron or steel products}]
    activity_level: 900 t
    source_streams:
      - {name: natural gas, activity_data: 1 TJ, emission_factor: 56.1 t CO2/TJ}
    waste_gas_imported:
      - {name: blast-furnace gas, amount: IMPORTED, process: bf}
    precursors: [{precursor: bf, amount: 950 t}]
"""


def _bf(tmp_path: Path, gas_ef: str = "260", imported: str = "3000 GJ", **swap: str) -> CbamResult:
    text = BF.replace("GAS_EF", gas_ef).replace("IMPORTED", imported)
    for old, new in swap.items():
        text = text.replace(old, new)
    path = tmp_path / "bf.yaml"
    path.write_text(text, encoding="utf-8")
    return calculate(read_installation(path))


def test_blast_furnace_gas_exported_is_corrected_with_the_natural_gas_factor(
    tmp_path: Path,
) -> None:
    result = _bf(tmp_path)
    bf, rolling = result.processes
    bf_direct = F * (400 * 0.88 - 1000 * 0.045)
    # eq. 54: both exports (3 TJ to rolling, 2 TJ to a power plant) x 56.1 x 0.667, deducted
    bf_attributed = bf_direct - (3 + 2) * EF_NG * CORR
    assert bf.direct_emissions == pytest.approx(bf_direct, abs=1e-9)
    assert bf.attributed_direct == pytest.approx(bf_attributed, abs=1e-9)
    # eq. 53: the import adds 3 TJ x 56.1, never the gas's own factor (260)
    rolling_attributed = 1 * 56.1 + 3 * EF_NG
    assert rolling.attributed_direct == pytest.approx(rolling_attributed, abs=1e-9)
    pig_iron = bf_attributed / 1000
    coil = rolling_attributed / 900 + 950 / 900 * pig_iron
    assert bf.see.direct == pytest.approx(pig_iron, abs=1e-12)
    assert rolling.see.direct == pytest.approx(coil, abs=1e-12)
    # the lines shown in the result
    first, second = bf.flows
    assert (first.kind, first.factor, first.correction, first.factor_from) == (
        "waste gas exported",
        EF_NG,
        CORR,
        "rule",
    )
    assert first.emissions == pytest.approx(-3 * EF_NG * CORR)
    assert first.gas_factor == 260
    assert first.formula == f"3 TJ x 56.1 t CO2e/TJ x 0.667 = {-3 * EF_NG * CORR:+.6g} t CO2e"
    assert (second.partner, second.emissions) == (None, pytest.approx(-2 * EF_NG * CORR))
    (imported,) = rolling.flows
    assert (imported.amount, imported.correction, imported.partner) == (3.0, 1.0, "bf")
    data = result.to_dict()
    assert data["processes"][0]["energy_flows"][0]["rule"] == "waste-gas-correction"
    assert "waste-gas-correction" in {r["id"] for r in data["rules"]}
    assert data["processes"][1]["parts_t"]["waste gas imported: blast-furnace gas"] == (
        pytest.approx(3 * EF_NG)
    )
    assert result.warnings == []
    sheet = communication(result)["sheets"]["D_Processes"]
    header = sheet[0]
    column = next(i for i, h in enumerate(header) if h.startswith("Waste gases exported"))
    assert sheet[1][column] == pytest.approx(5 * EF_NG * CORR)


def test_waste_gas_passed_between_two_processes_is_counted_once(tmp_path: Path) -> None:
    result = _bf(tmp_path)
    # The gas's own factor changes nothing: its carbon is in the furnace's mass balance already.
    other = _bf(tmp_path, gas_ef="300")
    assert [p.see for p in other.processes] == [p.see for p in result.processes]
    # Over the installation, each correction appears once: the furnace deducts both exports
    # (x 0.667), hot rolling adds the 3 TJ it burns (x 1); nothing else moves.
    direct = sum(p.direct_emissions for p in result.processes)
    attributed = sum(p.attributed_direct for p in result.processes)
    assert attributed == pytest.approx(direct - 5 * EF_NG * CORR + 3 * EF_NG, abs=1e-9)
    # The coil carries the furnace's correction once, through the pig iron it uses.
    rolling = result.processes[1]
    (pig,) = rolling.precursors
    assert pig.direct == pytest.approx(950 / 900 * result.processes[0].see.direct, rel=1e-12)


def test_a_waste_gas_also_listed_as_a_source_stream_is_warned(tmp_path: Path) -> None:
    result = _bf(
        tmp_path,
        **{
            "      - {name: natural gas,": "      - {name: blast-furnace gas, activity_data: 3 "
            "TJ, emission_factor: 260 t CO2/TJ}\n      - {name: natural gas,"
        },
    )
    (warning,) = result.warnings
    assert "'rolling': waste gas 'blast-furnace gas' imported from 'bf'" in warning
    assert "counts it twice" in warning


def test_a_transfer_declared_differently_on_its_two_sides_is_warned(tmp_path: Path) -> None:
    result = _bf(tmp_path, imported="2.5 TJ")
    (warning,) = result.warnings
    assert "waste gas from process 'bf' to process 'rolling'" in warning
    assert "3 TJ exported" in warning
    assert "2.5 TJ imported" in warning


def test_a_waste_gas_given_as_volume_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(FootprintError) as caught:
        _bf(tmp_path, imported="2000 m3")
    assert caught.value.where is not None
    line = next(n for n, t in enumerate(BF.splitlines(), 1) if "IMPORTED" in t)
    assert caught.value.where.endswith(f"line {line}, processes[1].waste_gas_imported[0].amount")
    assert "volume x net calorific value" in str(caught.value.fix)


@pytest.mark.parametrize(("partner", "message"), [("nowhere", "not a process"), ("bf", "itself")])
def test_a_partner_process_that_does_not_exist(tmp_path: Path, partner: str, message: str) -> None:
    with pytest.raises(FootprintError) as caught:
        _bf(tmp_path, **{"process: rolling,": f"process: {partner},"})
    line = next(n for n, t in enumerate(BF.splitlines(), 1) if "process: rolling" in t)
    assert caught.value.where == (
        f"{tmp_path / 'bf.yaml'}, line {line}, processes[0].waste_gas_exported[0].process"
    )
    assert message in caught.value.what


def _heat(amount: str, ef: str, **extra: str) -> dict[str, str]:
    return {"amount": amount, "emission_factor": ef, **extra}


def test_heat_passed_between_two_processes_moves_its_emissions_once() -> None:
    boiler_heat = _heat("1000 GJ", "0.07 t CO2/GJ", source="boiler fuel / efficiency", process="b")
    a = process("a", level=100.0, streams=[(10.0, 56.1)], heat_exported=[boiler_heat])
    b = process(
        "b",
        level=50.0,
        streams=[(1.0, 56.1)],
        heat_imported=[{**boiler_heat, "process": "a"}],
    )
    result = calculate(build(installation([a, b])))
    ra, rb = result.processes
    # sign convention: exported heat is deducted, imported heat added, at the same factor
    assert ra.attributed_direct == pytest.approx(10 * 56.1 - 1000 * 0.07, abs=1e-9)
    assert rb.attributed_direct == pytest.approx(1 * 56.1 + 1000 * 0.07, abs=1e-9)
    total = sum(p.attributed_direct for p in result.processes)
    assert total == pytest.approx(sum(p.direct_emissions for p in result.processes), abs=1e-9)
    assert result.warnings == []


def test_heat_factors_are_the_operators_and_a_missing_source_is_warned() -> None:
    a = process(
        "a",
        level=100.0,
        streams=[(10.0, 56.1)],
        heat_imported=[_heat("360 MWh", "0.2 t CO2/MWh", name="steam")],
        heat_exported=[_heat("100 GJ", "0.05 t CO2/GJ", source="own boiler")],
    )
    result = calculate(build(installation([a])))
    steam, out = result.processes[0].flows
    # 360 MWh = 1296 GJ; 0.2 t/MWh = 0.0555... t/GJ: the same 72 t CO2e
    assert (steam.amount, steam.unit) == (pytest.approx(1296.0), "GJ")
    assert steam.emissions == pytest.approx(360 * 0.2)
    assert (steam.factor_from, steam.source, out.source) == ("operator", None, "own boiler")
    (warning,) = result.warnings
    assert "heat imported 'steam'" in warning
    assert "has no source" in warning
    assert result.to_dict()["processes"][0]["energy_flows"][1]["factor_source"] == "own boiler"


def test_the_workbook_sums_every_heat_line_even_under_one_name() -> None:
    steam = _heat("100 GJ", "0.07 t CO2/GJ", name="steam", source="boiler")
    a = process("a", level=100.0, streams=[(10.0, 56.1)], heat_imported=[steam, steam])
    result = calculate(build(installation([a])))
    header, row = communication(result)["sheets"]["D_Processes"]
    imported = row[header.index("Heat imported (t CO2e)")]
    assert imported == pytest.approx(2 * 100 * 0.07)  # both lines, as the attributed emissions
    assert result.processes[0].attributed_direct == pytest.approx(10 * 56.1 + imported)


def test_heat_declared_with_different_factors_on_its_two_sides_is_warned() -> None:
    out = _heat("10 GJ", "0.07 t CO2/GJ", process="b", source="s")
    a = process("a", streams=[(10.0, 56.1)], heat_exported=[out])
    b = process(
        "b",
        streams=[(1.0, 56.1)],
        heat_imported=[{**out, "emission_factor": "0.06 t CO2/GJ", "process": "a"}],
    )
    (warning,) = calculate(build(installation([a, b]))).warnings
    assert "heat from process 'a' to process 'b' carries different factors" in warning


@pytest.mark.parametrize("key", ["heat_exported", "heat_imported", "waste_gas_exported"])
def test_a_negative_amount_is_an_error(key: str) -> None:
    flow = _heat("-50 GJ", "0.05 t CO2/GJ")
    with pytest.raises(FootprintError) as caught:
        calculate(build(installation([process("a", streams=[(1.0, 56.1)], **{key: [flow]})])))
    assert "is negative" in caught.value.what
    assert str(caught.value.where).endswith(f"processes[0].{key}[0].amount")


amount = st.floats(min_value=0.0, max_value=1e4)


@settings(max_examples=60, deadline=None)
@given(
    level=st.floats(min_value=1.0, max_value=1e5),
    a=st.tuples(amount, amount, amount, amount, amount),
    b=st.tuples(amount, amount, amount, amount, amount),
    k=st.floats(min_value=0.0, max_value=50.0),
)
def test_see_stays_linear_with_heat_and_waste_gases(
    level: float,
    a: tuple[float, float, float, float, float],
    b: tuple[float, float, float, float, float],
    k: float,
) -> None:
    def see(v: tuple[float, ...]) -> float:
        fuel, heat_in, heat_out, gas_in, gas_out = v
        p = process(
            "p",
            level=level,
            streams=[(fuel, 56.1)],
            heat_imported=[_heat(f"{heat_in!r} GJ", "0.07 t CO2/GJ", source="s")],
            heat_exported=[_heat(f"{heat_out!r} GJ", "0.05 t CO2/GJ", source="s")],
            waste_gas_imported=[{"amount": f"{gas_in!r} TJ"}],
            waste_gas_exported=[{"amount": f"{gas_out!r} TJ"}],
        )
        return calculate(build(installation([p]))).processes[0].see.direct

    both = see(tuple(x + y for x, y in zip(a, b, strict=True)))
    assert both == pytest.approx(see(a) + see(b), rel=1e-9, abs=1e-9)
    assert see(tuple(k * x for x in a)) == pytest.approx(k * see(a), rel=1e-9, abs=1e-9)


def test_the_page_shows_each_flow_line_and_the_correction_factors(tmp_path: Path) -> None:
    from footprint.cbam.report import cbam_view, render_cbam_html
    from tests.report.htmlcheck import parse

    result = _bf(tmp_path)
    view = cbam_view(result)
    page = parse(render_cbam_html(view, generated="2026-12-31"))
    rows = page.tables["table-flows"][1:]
    lines = [line for p in result.processes for line in p.flows]
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):
        assert row[1][0].startswith(f"{line.kind}: {line.name}")
        assert float(row[5][1] or "nan") == line.emissions
    assert rows[0][4][0] == "0.667"  # the export's correction
    factors = {f.name: f for f in view.factors}
    ef = factors["EF_NG, natural gas (waste gases imported and exported)"]
    assert (ef.value, ef.status) == (EF_NG, "unconfirmed")
    assert factors["Corr_eta, efficiency correction (waste gases exported)"].value == CORR
