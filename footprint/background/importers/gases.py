"""Greenhouse gases in elementary flows: which GWP-table gas a flow is, its origin and direction.

Shared by every background importer (openLCA JSON-LD, EcoSpold, SimaPro, ILCD). A flow is matched
by name (ignoring case, whitespace and bracketed suffixes, except an origin in brackets as the EF
3.x flows of ILCD name it: "carbon dioxide (fossil)" is "carbon dioxide, fossil"), then by
refrigerant code, then by CAS number; only air (or unclassified) compartments get a gas, except
CO2 taken from a resource compartment, which is a removal. Nothing here runs at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

GASES = (
    "CO2",
    "CH4",
    "N2O",
    "SF6",
    "NF3",
    "HFC-134a",
    "HFC-32",
    "HFC-125",
    "HFC-143a",
    "HFC-23",
    "PFC-14",
    "PFC-116",
    "HFC-143",
    "HFC-152a",
    "HFC-245fa",
    "CFC-11",
    "CFC-12",
    "CFC-13",
    "CFC-113",
    "CFC-114",
    "HCFC-21",
    "HCFC-22",
    "HCFC-123",
    "HCFC-124",
    "Halon-1211",
    "Halon-1301",
    "CCl4",
    "CH3CCl3",
    "CH3Br",
    "CH3Cl",
    "CH2Cl2",
    "CHCl3",
)
GAS_BY_CAS: Mapping[str, str] = {
    "124-38-9": "CO2",
    "74-82-8": "CH4",
    "10024-97-2": "N2O",
    "2551-62-4": "SF6",
    "7783-54-2": "NF3",
    "811-97-2": "HFC-134a",
    "75-10-5": "HFC-32",
    "354-33-6": "HFC-125",
    "420-46-2": "HFC-143a",
    "75-46-7": "HFC-23",
    "75-73-0": "PFC-14",
    "76-16-4": "PFC-116",
    "430-66-0": "HFC-143",
    "75-37-6": "HFC-152a",
    "460-73-1": "HFC-245fa",
    "75-69-4": "CFC-11",
    "75-71-8": "CFC-12",
    "75-72-9": "CFC-13",
    "76-13-1": "CFC-113",
    "76-14-2": "CFC-114",
    "75-43-4": "HCFC-21",
    "75-45-6": "HCFC-22",
    "306-83-2": "HCFC-123",
    "2837-89-0": "HCFC-124",
    "353-59-3": "Halon-1211",
    "75-63-8": "Halon-1301",
    "56-23-5": "CCl4",
    "71-55-6": "CH3CCl3",
    "74-83-9": "CH3Br",
    "74-87-3": "CH3Cl",
    "75-09-2": "CH2Cl2",
    "67-66-3": "CHCl3",
}
GAS_BY_CODE: Mapping[str, str] = {
    "HFC-134A": "HFC-134a",
    "R-134A": "HFC-134a",
    "HFC-32": "HFC-32",
    "R-32": "HFC-32",
    "HFC-125": "HFC-125",
    "R-125": "HFC-125",
    "HFC-143A": "HFC-143a",
    "R-143A": "HFC-143a",
    "HFC-23": "HFC-23",
    "R-23": "HFC-23",
    "PFC-14": "PFC-14",
    "CFC-14": "PFC-14",
    "FC-14": "PFC-14",
    "R-14": "PFC-14",
    "PFC-116": "PFC-116",
    "HFC-116": "PFC-116",
    "FC-116": "PFC-116",
    "CFC-116": "PFC-116",
    "R-116": "PFC-116",
    "HFC-143": "HFC-143",
    "R-143": "HFC-143",
    "HFC-152A": "HFC-152a",
    "R-152A": "HFC-152a",
    "HFC-245FA": "HFC-245fa",
    "R-245FA": "HFC-245fa",
    "CFC-11": "CFC-11",
    "R-11": "CFC-11",
    "CFC-12": "CFC-12",
    "R-12": "CFC-12",
    "CFC-13": "CFC-13",
    "R-13": "CFC-13",
    "CFC-113": "CFC-113",
    "R-113": "CFC-113",
    "CFC-114": "CFC-114",
    "R-114": "CFC-114",
    "HCFC-21": "HCFC-21",
    "R-21": "HCFC-21",
    "HCFC-22": "HCFC-22",
    "R-22": "HCFC-22",
    # the code, also where the chemical name describes the 1,2-dichloro isomer (HCFC-123a)
    "HCFC-123": "HCFC-123",
    "R-123": "HCFC-123",
    "HCFC-124": "HCFC-124",
    "R-124": "HCFC-124",
    "HALON-1211": "Halon-1211",
    "HALON-1301": "Halon-1301",
    "CFC-10": "CCl4",
    "R-10": "CCl4",
    "HCFC-140": "CH3CCl3",
    "HALON-1001": "CH3Br",
    "R-40": "CH3Cl",
    "HCC-40": "CH3Cl",
    "HCC-30": "CH2Cl2",
    "R-30": "CH2Cl2",
    "R-20": "CHCl3",
    "HCC-20": "CHCl3",
}
GAS_BY_CHEMICAL: Mapping[str, str] = {
    "carbon dioxide": "CO2",
    "methane": "CH4",
    "dinitrogen monoxide": "N2O",
    "nitrous oxide": "N2O",
    "sulfur hexafluoride": "SF6",
    "sulphur hexafluoride": "SF6",
    "nitrogen trifluoride": "NF3",
    "nitrogen fluoride": "NF3",
    "ethane, 1,1-difluoro-": "HFC-152a",
    "1,1-difluoroethane": "HFC-152a",
    "chloroform": "CHCl3",
    "trichloromethane": "CHCl3",
    "carbon tetrachloride": "CCl4",
    "tetrachloromethane": "CCl4",
    "methyl chloroform": "CH3CCl3",
    "1,1,1-trichloroethane": "CH3CCl3",
    "methyl bromide": "CH3Br",
    "bromomethane": "CH3Br",
    "methyl chloride": "CH3Cl",
    "chloromethane": "CH3Cl",
    "dichloromethane": "CH2Cl2",
    "methylene chloride": "CH2Cl2",
    "ethane, 1,1,1,2-tetrafluoro-": "HFC-134a",
    "methane, difluoro-": "HFC-32",
    "difluoromethane": "HFC-32",
    "ethane, pentafluoro-": "HFC-125",
    "pentafluoroethane": "HFC-125",
    "ethane, 1,1,1-trifluoro-": "HFC-143a",
    "methane, trifluoro-": "HFC-23",
    "trifluoromethane": "HFC-23",
    "methane, tetrafluoro-": "PFC-14",
    "tetrafluoromethane": "PFC-14",
    "perfluoromethane": "PFC-14",
    "carbon tetrafluoride": "PFC-14",
    "ethane, hexafluoro-": "PFC-116",
    "hexafluoroethane": "PFC-116",
    "perfluoroethane": "PFC-116",
}
# Qualifiers that may follow "carbon dioxide, " or "methane, " without making another substance.
ORIGIN_QUALIFIERS: Mapping[str, str] = {
    "fossil": "fossil",
    "biogenic": "biogenic",
    "non-fossil": "biogenic",
    "biotic": "biogenic",
    "land transformation": "land_use_change",
    "land use change": "land_use_change",
    "from soil or biomass stock": "land_use_change",
    "in air": "biogenic",
    "unspecified": "",
}
_CODE = re.compile(
    r"\b(?:(h?cfc|hfc|pfc|hfo|halon)[- ]?(\d{1,4}[a-z]{0,2})|(fc|hcc|r)-(\d{1,4}[a-z]{0,2}))\b"
)
# Greenhouse gases outside the GWP table: named mixtures (no single GWP), other halocarbons, and
# the chlorinated ethanes and ethenes of AR6 Table 7.SM.7 (GWP100 below 7) without checked AR5
# and AR4 values. They are reported as not characterised.
_OTHER_GHG = re.compile(
    r"\b(?:h?cfcs?|hfcs?|pfcs?|halons?|(?:per|chlorinated )?fluorocarbons?|chloroform|"
    r"carbon tetrachloride|methyl (?:chloride|bromide|chloroform))\b|"
    r"^methane, (?:tetrachloro|trichloro|dichloro|monochloro|chloro|bromo)-|"
    r"^ethane, (?:1,2-dichloro|chloro)-$|^ethene, (?:tri|tetra)chloro-?$"
)
_BRACKETS = re.compile(r"\s*(?:\[[^\]]*\]|\([^)]*\))\s*$")
# "carbon dioxide (biogenic)", "methane (land use change)": the EF 3.x spelling of an origin.
_BRACKETED_ORIGIN = re.compile(
    r"^(carbon dioxide|methane)\s*\(\s*([^()]*?)\s*\)(?:\s*\[[^\]]*\])*$"
)


def normalise_name(name: str) -> str:
    """Lower-case ``name``, collapse whitespace and drop trailing ``[...]``/``(...)`` groups."""
    text = " ".join(name.split()).lower()
    while True:
        stripped = _BRACKETS.sub("", text)
        if stripped == text:
            return text
        text = stripped


def normalise_cas(cas: str | None) -> str:
    """``"000124-38-9"`` -> ``"124-38-9"``; empty when missing."""
    if not cas:
        return ""
    parts = cas.strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        parts[0] = parts[0].lstrip("0") or "0"
    return "-".join(parts)


def gas_codes(name: str) -> list[str]:
    """Refrigerant-style codes in a normalised name, canonicalised (``"HFC-134A"``)."""
    codes = []
    for match in _CODE.finditer(name):
        prefix = match.group(1) or match.group(3)
        number = match.group(2) or match.group(4)
        codes.append(f"{prefix.upper()}-{number.upper()}")
    return codes


# (class, path parts starting with, path parts ending with), checked in this order.
_COMPARTMENTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("resource", ("resource", "[resource]"), ()),
    ("water", ("water",), ("to water", "to freshwater")),
    ("soil", ("soil",), ("to soil",)),
    ("waste", ("final-waste", "deposited or treated waste"), ("waste",)),
    ("air", ("air",), ("to air", "to atmosphere")),
)


def compartment_class(path: str) -> str:
    """Classify a flow category path as resource, water, soil, waste, air or unknown."""
    parts = [p.strip().lower() for p in path.split("/") if p.strip()]
    for label, starts, ends in _COMPARTMENTS:
        if any(p.startswith(starts) or (ends and p.endswith(ends)) for p in parts):
            return label
    return "unknown"


def _gas_from_name(norm: str) -> tuple[str, str]:
    """Gas key and origin qualifier ('' if none) recognised from a normalised name."""
    codes = gas_codes(norm)
    if codes:
        return GAS_BY_CODE.get(codes[-1], ""), ""
    if norm in GAS_BY_CHEMICAL:
        return GAS_BY_CHEMICAL[norm], ""
    head, _, rest = norm.partition(", ")
    if head in ("carbon dioxide", "methane") and rest in ORIGIN_QUALIFIERS:
        return GAS_BY_CHEMICAL[head], rest
    return "", ""


def _origin(gas: str, qualifier: str, norm: str) -> str:
    if gas not in ("CO2", "CH4"):
        return "unspecified"
    if qualifier:
        return ORIGIN_QUALIFIERS[qualifier] or "unspecified"
    if "non-fossil" in norm or "biogenic" in norm:
        return "biogenic"
    if "fossil" in norm:
        return "fossil"
    return "fossil" if gas == "CO2" else "unspecified"


def _origin_in_brackets(name: str) -> str:
    """The normalised name, with an origin in brackets written as a qualifier after a comma."""
    text = " ".join(name.split()).lower()
    match = _BRACKETED_ORIGIN.match(text)
    if match and match.group(2) in ORIGIN_QUALIFIERS:
        return f"{match.group(1)}, {match.group(2)}"
    return normalise_name(name)


@dataclass(frozen=True)
class GasInfo:
    """How an elementary flow is characterised: GWP-table key, origin and direction."""

    gas: str
    origin: str
    kind: str
    other_ghg: bool


@cache
def classify_gas(name: str, cas: str | None, compartment: str) -> GasInfo:
    """Map an elementary flow to a key of the GWP table, its origin and emission/removal kind.

    Only air (or unclassified) emissions and CO2 taken from the air or another resource
    compartment get a gas; resources such as coal-bed methane do not.
    """
    norm, where = _origin_in_brackets(name), compartment_class(compartment)
    gas, qualifier = _gas_from_name(norm)
    if not gas and not gas_codes(norm):
        gas = GAS_BY_CAS.get(normalise_cas(cas), "")
    removal = where == "resource" or qualifier == "in air"
    if where in ("water", "soil", "waste") or (where == "resource" and gas != "CO2"):
        gas = ""
    if gas == "CO2" and removal:
        return GasInfo("CO2", "biogenic", "removal", False)
    kind = "removal" if removal else "emission"
    other = bool(gas_codes(norm) or _OTHER_GHG.search(norm))
    other = other and not gas and where in ("air", "unknown")
    origin = _origin(gas, qualifier, norm) if gas else "unspecified"
    return GasInfo(gas, origin, kind, other)


# Top compartments of EcoSpold exports (USLCI's openLCA export uses troposphere/urban,
# fresh water body/river, human-dominated/agricultural, ...) -> the class ``classify_gas`` knows.
COMPARTMENT_CLASSES: Mapping[str, str] = {
    "air": "air",
    "troposphere": "air",
    "stratosphere": "air",
    "urban": "air",
    "rural": "air",
    "water": "water",
    "fresh water body": "water",
    "saline water body": "water",
    "soil": "soil",
    "ground": "soil",
    "human-dominated": "soil",
    "terrestrial": "soil",
    "natural resource": "resource",
    "resource": "resource",
}


def classification_path(compartment: str, from_nature: bool) -> str:
    """The compartment path given to ``classify_gas``, prefixed with the class it belongs to.

    A flow taken from nature (mostly an input) is a resource whatever its compartment: USLCI's
    EcoSpold 1 has methane and natural gas from ``air/subterranean`` and CO2 from
    ``air/troposphere`` as inputs. Otherwise the top compartment decides (``emission/<sub>``: the
    subcompartment), so ``troposphere/urban`` is air and ``emission/ground`` soil.
    """
    parts = [p.strip().lower() for p in compartment.split("/")]
    top = parts[1] if parts[0] == "emission" and len(parts) > 1 else parts[0]
    kind = "resource" if from_nature else COMPARTMENT_CLASSES.get(top, "")
    if not kind or compartment_class(compartment) == kind:
        return compartment
    return f"{kind}/{compartment}"


def other_ghg_flows(
    flows: Iterable[tuple[str, str, str, bool]], uses: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The ``ghg_not_characterised`` entries of a report: of each (id, name, compartment, is a
    greenhouse gas without a GWP) flow that is one, how many activities emit it (``uses``)."""
    out = [
        {"id": fid, "name": name, "compartment": compartment, "activities": uses.get(fid, 0)}
        for fid, name, compartment, other in flows
        if other
    ]
    return sorted(out, key=lambda d: (d["name"], d["compartment"], d["id"]))
