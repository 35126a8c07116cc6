"""Greenhouse-gas recognition of elementary flows (name, refrigerant code, CAS, compartment)."""

from __future__ import annotations

import pytest

from footprint.background.ghg import GASES, classify_gas


@pytest.mark.parametrize(
    ("name", "cas", "compartment", "expected"),
    [
        ("Carbon dioxide", None, "air/unspecified", ("CO2", "fossil", "emission")),
        (
            "Carbon dioxide [Inorganic emissions to air]",
            None,
            "Elementary Flows/Emission to air",
            ("CO2", "fossil", "emission"),
        ),
        ("Carbon dioxide, non-fossil", None, "air", ("CO2", "biogenic", "emission")),
        (
            "Carbon dioxide, land transformation",
            None,
            "air",
            ("CO2", "land_use_change", "emission"),
        ),
        ("Carbon dioxide", None, "resource/in air", ("CO2", "biogenic", "removal")),
        (
            "Methane",
            "000074-82-8",
            "air/low population density",
            ("CH4", "unspecified", "emission"),
        ),
        ("Methane, fossil", None, "air", ("CH4", "fossil", "emission")),
        ("Methane, dichloro-, HCC-30", None, "air", ("", "unspecified", "emission")),
        ("Coalbed methane (in MJ)", None, "resource/in ground", ("", "unspecified", "removal")),
        ("Dinitrogen monoxide", None, "air", ("N2O", "unspecified", "emission")),
        ("Sulfur hexafluoride", None, "air", ("SF6", "unspecified", "emission")),
        (
            "Ethane, 1,1,1-trifluoro-, HFC-143a",
            None,
            "air",
            ("HFC-143a", "unspecified", "emission"),
        ),
        ("Methane, tetrafluoro-, R-14", None, "air", ("PFC-14", "unspecified", "emission")),
        ("Methane, tetrafluoro-, FC-14", None, "air", ("PFC-14", "unspecified", "emission")),
        ("Ethane, hexafluoro-, HFC-116", None, "air", ("PFC-116", "unspecified", "emission")),
        ("Methane", None, "water/unspecified", ("", "unspecified", "emission")),
        ("Unknown gas", "2551-62-4", "air", ("SF6", "unspecified", "emission")),
    ],
)
def test_classify_gas(
    name: str, cas: str | None, compartment: str, expected: tuple[str, str, str]
) -> None:
    info = classify_gas(name, cas, compartment)
    assert (info.gas, info.origin, info.kind) == expected
    assert set(GASES) >= {info.gas} - {""}


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("Methane, trichlorofluoro-, CFC-11", True),
        ("Ethane, 1,1-difluoro-, HFC-152a", True),
        ("Methane, bromotrifluoro-, Halon 1301", True),
        ("CFCs and HCFCs, unspecified", True),
        ("Chloroform", True),
        ("Methane, fossil", False),
        ("Carbon monoxide", False),
    ],
)
def test_uncharacterised_ghgs_are_flagged(name: str, other: bool) -> None:
    assert classify_gas(name, None, "air/unspecified").other_ghg is other
