from __future__ import annotations

import pytest

from footprint.errors import UnitError
from footprint.units import convert, format_unit, quantity, same_dimension


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("1 t", "kg", 1000.0),
        ("2.5 kWh", "MJ", 9.0),
        ("1500 L", "m3", 1.5),
        ("1 tkm", "kgkm", 1000.0),
        ("3 items", "piece", 3.0),
        ("2 unit", "piece", 2.0),
        ("0.5703 t CO2/MWh", "kg CO2e/kWh", 0.5703),
        ("1 Nm3", "m3", 1.0),
        ("25 g", "kg", 0.025),
    ],
)
def test_conversions(text: str, target: str, expected: float) -> None:
    assert convert(quantity(text), target) == pytest.approx(expected, rel=1e-12)


def test_short_ton_is_refused_with_both_spellings_suggested() -> None:
    with pytest.raises(UnitError) as info:
        quantity("3 ton")
    assert "'t'" in info.value.message
    assert "short_ton" in info.value.message


def test_explicit_short_ton_is_allowed() -> None:
    assert convert(quantity("1 short_ton"), "kg") == pytest.approx(907.18474)


def test_dimension_mismatch_names_both_units_and_the_place() -> None:
    with pytest.raises(UnitError) as info:
        convert(quantity("3 kg"), "kWh", where="x.yaml, line 4, amount")
    message = info.value.message
    assert message.startswith("x.yaml, line 4, amount:")
    assert "kWh" in message
    assert "kg" in message


def test_co2e_is_its_own_dimension() -> None:
    assert not same_dimension("kg CO2e", "kg")
    assert same_dimension("kg CO2e/t", "t CO2e/t")


def test_unknown_unit_and_missing_unit() -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        quantity("3 furlongz")
    with pytest.raises(UnitError, match="no unit"):
        quantity("3")
    with pytest.raises(UnitError, match="expected an amount"):
        quantity("three kg")


def test_unit_count_is_not_micro_nit() -> None:
    assert format_unit("unit") == "piece"
