"""Greenhouse-gas recognition of elementary flows (name, refrigerant code, CAS, compartment)."""

from __future__ import annotations

import pytest

from footprint.background.importers.gases import GASES, classify_gas


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
        ("Methane, dichloro-, HCC-30", None, "air", ("CH2Cl2", "unspecified", "emission")),
        (
            "Nitrogen fluoride",
            None,
            "air/high population density",
            ("NF3", "unspecified", "emission"),
        ),
        ("Ethane, 1,1-difluoro-, HFC-152a", None, "air", ("HFC-152a", "unspecified", "emission")),
        ("Methane, trichlorofluoro-, CFC-11", None, "air", ("CFC-11", "unspecified", "emission")),
        (
            "Methane, bromotrifluoro-, Halon 1301",
            None,
            "air",
            ("Halon-1301", "unspecified", "emission"),
        ),
        ("Methane, tetrachloro-, CFC-10", None, "air", ("CCl4", "unspecified", "emission")),
        ("Methane, tetrachloro-, R-10", None, "air", ("CCl4", "unspecified", "emission")),
        ("Ethane, 1,1,1-trichloro-, HCFC-140", None, "air", ("CH3CCl3", "unspecified", "emission")),
        ("Methane, bromo-, Halon 1001", None, "air", ("CH3Br", "unspecified", "emission")),
        ("Methane, monochloro, R-40", None, "air", ("CH3Cl", "unspecified", "emission")),
        ("Chloroform", None, "air/unspecified", ("CHCl3", "unspecified", "emission")),
        (
            "1,1,1,3,3-Pentafluoropropane, HFC-245fa",
            None,
            "air",
            ("HFC-245fa", "unspecified", "emission"),
        ),
        ("Ethane, trifluoro-, HFC-143", None, "air", ("HFC-143", "unspecified", "emission")),
        (
            "Methane, difluromonochloro-, HCFC-22",
            None,
            "air",
            ("HCFC-22", "unspecified", "emission"),
        ),
        ("Unknown", "75-37-6", "air", ("HFC-152a", "unspecified", "emission")),
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


def test_every_recognised_gas_has_a_gwp() -> None:
    from footprint.engine.methods import gwp_table

    assert set(GASES) <= set(gwp_table("ar6"))


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("Ethane, 1,1-dichloro-1-fluoro-, HCFC-141b", True),  # not in the GWP table
        ("Methane, bromochloro-, Halon 1011", True),
        ("CFCs and HCFCs, unspecified", True),  # a mixture: no single GWP
        ("PFC (perfluorocarbons)", True),
        ("Ethene, tetrachloro-", True),  # AR6 6.34, AR5/AR4 not checked
        ("Ethane, 1,2-dichloro-", True),
        ("Methane, trichlorofluoro-, CFC-11", False),
        ("Chloroform", False),
        ("Ethane", False),
        ("Methane, fossil", False),
        ("Carbon monoxide", False),
    ],
)
def test_uncharacterised_ghgs_are_flagged(name: str, other: bool) -> None:
    assert classify_gas(name, None, "air/unspecified").other_ghg is other


ILCD_AIR = "Emissions/Emissions to air/Emissions to air, unspecified"


@pytest.mark.parametrize(
    ("name", "compartment", "expected"),
    [
        ("carbon dioxide (fossil)", ILCD_AIR, ("CO2", "fossil", "emission")),
        ("carbon dioxide (biogenic)", ILCD_AIR, ("CO2", "biogenic", "emission")),
        ("Carbon dioxide (biogenic) [Emissions to air]", ILCD_AIR, ("CO2", "biogenic", "emission")),
        ("carbon dioxide (land use change)", ILCD_AIR, ("CO2", "land_use_change", "emission")),
        ("methane (biogenic)", ILCD_AIR, ("CH4", "biogenic", "emission")),
        ("methane (fossil)", ILCD_AIR, ("CH4", "fossil", "emission")),
        ("methane", ILCD_AIR, ("CH4", "unspecified", "emission")),
        ("nitrous oxide", ILCD_AIR, ("N2O", "unspecified", "emission")),
        ("dinitrogen monoxide", ILCD_AIR, ("N2O", "unspecified", "emission")),
        (
            "carbon dioxide (biogenic)",
            "Resources/Resources from air/Renewable material resources from air",
            ("CO2", "biogenic", "removal"),
        ),
        (
            "methane",
            "Emissions/Emissions to water/Emissions to fresh water",
            ("", "unspecified", "emission"),
        ),
    ],
)
def test_ilcd_ef3_names_keep_their_origin(
    name: str, compartment: str, expected: tuple[str, str, str]
) -> None:
    info = classify_gas(name, "", compartment)
    assert (info.gas, info.origin, info.kind) == expected
