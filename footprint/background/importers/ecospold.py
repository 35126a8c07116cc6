"""Convert EcoSpold 1 and EcoSpold 2 inventory databases into background tables.

:func:`convert_ecospold1` reads EcoSpold 1 (ecoinvent v1/v2 and openLCA exports such as USLCI's);
:func:`convert_ecospold2` reads EcoSpold 2 (an ecoinvent v3 ``datasets/`` folder, optionally with
``MasterData/``). Both return a :class:`~footprint.background.importers.tables.Build` holding
the five tables described in ``inventories/background/uslci/README.md``; write them with
:func:`~footprint.background.importers.tables.write_build`.

The contract: every activity makes one reference unit of its reference product; technosphere
amounts are supplier reference units per reference unit of the consumer (positive = consumed);
biosphere amounts are flow reference units (kg for gases) per reference unit of the activity, with
removals positive and ``kind = removal``. Amounts stated in other units (MJ for a kWh product,
L for m3, kg for t, kgkm for tkm) are converted with pint (:mod:`footprint.units`). No allocation
is applied. Everything left out of the matrices is in ``unlinked`` with its reason.

Readers: EcoSpold 1 is parsed here with ElementTree. bw2io's ``Ecospold1DataExtractor`` validates
every file against the schema through pyecospold (USLCI's export fails on its 40-character author
limit) and drops each exchange's input/output group, which is needed to tell a reference product
from a co-product or waste and a resource from an emission. EcoSpold 2 is read with bw2io's
``Ecospold2DataExtractor``, extended to keep the exchange groups, unit ids and the compartments of
elementary exchanges, which it drops. Nothing runs at import time.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from footprint.background.importers.tables import (
    Stats,
    UnlinkedRow,
)
from footprint.background.importers.unit_aliases import UNIT_ALIASES
from footprint.errors import BackgroundError, FootprintError
from footprint.units import is_known_unit

Progress = Callable[[int, int], None]

ES1_NS = "http://www.EcoInvent.org/EcoSpold01"
ES2_NS = "http://www.EcoInvent.org/EcoSpold02"
ES1_READER = "footprint EcoSpold parser (xml.etree.ElementTree)"
ES2_READER = (
    "bw2io.extractors.ecospold2.Ecospold2DataExtractor "
    "(extended to keep exchange groups, unit ids and compartments)"
)
#: Namespace of the ids given to EcoSpold 1 elementary flows (which have none in the source).
ES1_FLOW_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, ES1_NS + "/elementary-flow")

# EcoSpold unit names -> pint-parsable labels (:mod:`footprint.background.importers.unit_aliases`).
# Only units listed there are converted; any other unit is kept as stated and must match exactly.
_ALIASES = UNIT_ALIASES["ecospold"]
_KNOWN_LABELS = frozenset(_ALIASES.values())

# Exchange groups. EcoSpold 1 and 2 share the numbers: inputs 1-3 and 5 come from the
# technosphere, 4 from nature; output 0 is the reference product, 1 an avoided product (EcoSpold 1),
# 2 a by-product, 3 waste (EcoSpold 1) or material for treatment (EcoSpold 2), 4 to nature and
# 5 a stock addition (EcoSpold 2).
TECHNOSPHERE_INPUT_GROUPS = frozenset({1, 2, 3, 5})
NATURE_GROUP = 4
UNIT_REASONS = ("unit mismatch", "unknown unit")
#: Reference units of elementary flows described only by their exchanges (first that fits).
PREFERRED_FLOW_UNITS = ("kg", "MJ", "m3", "m2", "m2*a", "m3*a", "kBq", "m", "m*a", "kg*a", "piece")


# --- units ------------------------------------------------------------------------------------


def unit_label(unit: str | None) -> str:
    """The pint-parsable label of an EcoSpold unit name (``"l"`` -> ``"L"``, ``"unit"`` -> ``"piece"``)."""
    text = " ".join(str(unit or "").split())
    return _ALIASES.get(text, text)


@cache
def unit_factor(source: str, target: str) -> float | None:
    """How many ``target`` units one ``source`` unit is (labels), or None if not convertible."""
    if source == target:
        return 1.0
    if not known_unit(source) or not known_unit(target):
        return None
    from footprint.units import convert, quantity

    try:
        return convert(quantity(1.0, source), target)
    except FootprintError:
        return None


def known_unit(label: str) -> bool:
    """Whether a unit label is one this module converts (listed, and parsed by the registry)."""
    return label in _KNOWN_LABELS and is_known_unit(label)


def unit_problem(unit: str, target: str) -> str:
    """The unlinked reason for an amount in ``unit`` that cannot be expressed in ``target``."""
    kind = "unit mismatch" if known_unit(unit) and known_unit(target) else "unknown unit"
    return f"{kind}: {unit} -> {target}"


# --- source model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One non-reference exchange as stated in the source (amount per stated reference amount)."""

    is_input: bool
    group: int
    name: str
    amount: float
    unit: str
    product: str = ""  # product key: normalised name (EcoSpold 1) or intermediateExchangeId
    link: str = ""  # EcoSpold 2 activityLinkId
    location: str = ""
    category: str = ""
    flow: str = ""  # elementary flow id; empty for intermediate exchanges
    problem: str = ""

    @property
    def elementary(self) -> bool:
        return self.group == NATURE_GROUP


@dataclass(frozen=True)
class ElementaryFlow:
    """An elementary flow: compartment is ``compartment/subcompartment``; unit a label or ''."""

    id: str
    name: str
    compartment: str
    unit: str
    cas: str


@dataclass
class Process:
    """A dataset with its reference product; ``amount`` is the stated reference amount."""

    id: str
    name: str
    location: str
    category: str
    source: str
    valid_from: str
    valid_until: str
    product: str
    product_key: str
    product_flow: str
    unit: str
    amount: float
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class Source:
    """Everything read from the files, before linking."""

    processes: dict[str, Process] = field(default_factory=dict)
    skipped: list[UnlinkedRow] = field(default_factory=list)
    flows: dict[str, ElementaryFlow] = field(default_factory=dict)
    product_units: dict[str, str] = field(default_factory=dict)
    datasets_read: int = 0
    product_ids: bool = True  # EcoSpold 2 products have ids; EcoSpold 1 ones only names
    skipped_files: list[str] = field(default_factory=list)
    ids_seen: Counter[str] = field(default_factory=Counter)
    stats: Stats = field(default_factory=Stats)


Resolver = Callable[[Process, Exchange], tuple[str, str]]


def clean(text: object) -> str:
    """``text`` with its whitespace collapsed ('' for None)."""
    return " ".join(str(text).split()) if text is not None else ""


def join_path(*parts: str | None) -> str:
    """The non-empty ``parts``, cleaned, joined with ``/``."""
    return "/".join(p for p in (clean(x) for x in parts) if p)


def to_float(text: object) -> float:
    """The number in ``text``, NaN if there is none."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return math.nan
    return value


def skip(source: Source, pid: str, name: str, reason: str) -> None:
    """List process ``pid`` as skipped, with ``reason``."""
    source.skipped.append(UnlinkedRow(pid, name, "", "", None, "", reason))


def product_key(name: str) -> str:
    """How EcoSpold 1 products are matched: name, case and whitespace ignored."""
    return clean(name).casefold()


def xml_local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def xml_child(elem: ET.Element | None, name: str) -> ET.Element | None:
    """The first child element called ``name`` (any namespace), or None."""
    if elem is None:
        return None
    return next((c for c in elem if xml_local(c.tag) == name), None)


def xml_children(elem: ET.Element | None, name: str) -> list[ET.Element]:
    """The child elements called ``name`` (any namespace)."""
    return [] if elem is None else [c for c in elem if xml_local(c.tag) == name]


def xml_text(elem: ET.Element | None) -> str:
    """The element's text, cleaned ('' if none)."""
    return clean(elem.text) if elem is not None and elem.text else ""


def xml_attr(elem: ET.Element | None, name: str) -> str:
    """The element's attribute ``name``, cleaned ('' if none)."""
    return clean(elem.get(name)) if elem is not None else ""


def check_path(path: Path) -> None:
    """Raises: BackgroundError: the path is missing or an archive other than .zip."""
    if not path.exists():
        raise BackgroundError(f"{path} not found", fix="give an existing file, directory or .zip")
    if path.is_file() and path.suffix.lower() in (".7z", ".rar", ".gz", ".tar"):
        raise BackgroundError(
            f"{path.name}: only .zip archives are read",
            fix="unpack the archive and give the directory (or repack it as .zip)",
        )
