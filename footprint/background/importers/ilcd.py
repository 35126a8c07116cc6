"""Read an ILCD archive (a .zip or a folder): processes, flows, flow properties, unit groups, and
the contacts, sources and locations they name.

Every XML file is parsed with a hardened lxml parser (no entity expansion, no network, no DTD
loading, no huge trees); a file that declares a DOCTYPE (an ILCD data set never does; it is how
entity attacks such as XXE start) or is not well-formed XML raises :class:`FootprintError` naming
the data set and the file. Zips are opened through :func:`footprint.archive.open_zip` (size and
ratio limits before anything is unpacked). The records read here are turned into activities and
exchanges by :mod:`footprint.background.importers.ilcd_convert`. Nothing runs at import time.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from footprint.background.importers.gases import normalise_cas
from footprint.background.importers.ilcd_uncertainty import Uncertainty
from footprint.background.importers.ilcd_units import FlowProperty, UnitGroup, Units
from footprint.background.importers.tables import ELEMENTARY, PRODUCT, WASTE, Flow
from footprint.errors import FootprintError

COMMON = "http://lca.jrc.it/ILCD/Common"
NS = {
    "c": COMMON,
    "p": "http://lca.jrc.it/ILCD/Process",
    "f": "http://lca.jrc.it/ILCD/Flow",
    "fp": "http://lca.jrc.it/ILCD/FlowProperty",
    "u": "http://lca.jrc.it/ILCD/UnitGroup",
    "s": "http://lca.jrc.it/ILCD/Source",
    "ct": "http://lca.jrc.it/ILCD/Contact",
    "l": "http://lca.jrc.it/ILCD/Locations",
}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FOLDERS = ("processes", "flows", "flowproperties", "unitgroups", "sources", "contacts")
FLOW_TYPES = {"Product flow": PRODUCT, "Waste flow": WASTE, "Elementary flow": ELEMENTARY}
#: Name parts of a process or product flow, in the order they are joined ("; ").
PROCESS_NAME_PARTS = (
    "baseName",
    "treatmentStandardsRoutes",
    "mixAndLocationTypes",
    "functionalUnitFlowProperties",
)
FLOW_NAME_PARTS = ("baseName", "treatmentStandardsRoutes", "mixAndLocationTypes", "flowProperties")
_FIX_XML = "repair or remove this data set (an ILCD data set is plain XML without a DOCTYPE)"

#: progress(done, total) while reading processes.
Progress = Callable[[int, int], None]
Element = Any  # lxml.etree._Element (lxml ships no type stubs)


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def parse_xml(data: bytes, where: str, dataset: str) -> Element:
    """The root element of one data set's XML.

    Raises:
        FootprintError: not well-formed XML, or a DOCTYPE (entities are never read).
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FootprintError(
            f"data set {dataset} is not well-formed XML ({exc})", where=where, fix=_FIX_XML
        ) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise FootprintError(
            f"data set {dataset} declares a DOCTYPE; ILCD data sets have none, and its entities "
            "are not read",
            where=where,
            fix=_FIX_XML,
        )
    return root


def clean(text: str | None) -> str:
    """``text`` with runs of whitespace as one space."""
    return " ".join(text.split()) if text else ""


def lang_text(elements: Iterable[Element], lang: str = "en") -> str:
    """The text of the element in ``lang`` (or, for English, one without a language)."""
    found: dict[str, str] = {}
    for element in elements:
        found.setdefault(element.get(LANG) or "", clean(element.text))
    if lang == "en":
        return found.get("en") or found.get("") or ""
    return found.get(lang, "")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None and text.strip() else None
    except ValueError:
        return None


# --- the archive ------------------------------------------------------------------------------


class Archive:
    """The XML files of an ILCD archive, by folder: a .zip or a directory (closed with ``close``).

    Raises:
        FootprintError: not a readable zip, beyond the zip limits, or no ``processes`` folder.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        names: list[str]
        if path.is_dir():
            names = sorted(p.relative_to(path).as_posix() for p in path.rglob("*.xml"))
        else:
            from footprint.archive import open_zip

            self._zip = open_zip(path)
            names = sorted(n for n in self._zip.namelist() if n.lower().endswith(".xml"))
        self.folders: dict[str, list[str]] = defaultdict(list)
        self.locations_file = ""
        for name in names:
            parts = PurePosixPath(name).parts
            if len(parts) >= 2 and parts[-2].lower() in FOLDERS:
                self.folders[parts[-2].lower()].append(name)
            elif parts[-1] == "ILCDLocations.xml" and not self.locations_file:
                self.locations_file = name
        if not self.folders["processes"]:
            self.close()
            raise FootprintError(
                "no ILCD process data sets found (no processes/*.xml)",
                where=str(path),
                fix="give an ILCD zip or folder holding processes/, flows/, flowproperties/ "
                "and unitgroups/",
            )

    def where(self, name: str) -> str:
        """The file ``name`` for a message."""
        return f"{self.path}: {name}" if self._zip is not None else str(self.path / name)

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        return (self.path / name).read_bytes()

    def root(self, name: str) -> Element:
        """The parsed root element of file ``name`` (its stem names the data set)."""
        return parse_xml(self.read(name), self.where(name), PurePosixPath(name).stem)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowRecord:
    flow: Flow
    name_zh: str
    file: str


@dataclass(frozen=True)
class ExchangeRecord:
    """One exchange as written: ``amount`` is the text of resultingAmount (else meanAmount),
    ``uncertainty`` its uncertainty fields (see
    :mod:`~footprint.background.importers.ilcd_uncertainty`)."""

    internal_id: str
    flow: str
    flow_name: str
    is_input: bool
    amount: str | None
    prop: str = ""
    uncertainty: Uncertainty = Uncertainty()


@dataclass(frozen=True)
class ProcessRecord:
    id: str
    file: str
    name: str
    name_zh: str
    category: str
    location: str
    references: tuple[str, ...]
    exchanges: tuple[ExchangeRecord, ...]
    reference_year: str = ""
    valid_until: str = ""
    dataset_type: str = ""
    generator: str = ""
    sources: tuple[str, ...] = ()
    licence: str = ""
    review: str = ""
    use_advice: str = ""


@dataclass
class IlcdData:
    """Everything read from one archive."""

    path: Path
    processes: dict[str, ProcessRecord] = field(default_factory=dict)
    flows: dict[str, FlowRecord] = field(default_factory=dict)
    units: Units = field(default_factory=lambda: Units({}, {}))
    locations: dict[str, str] = field(default_factory=dict)
    #: (folder, UUID, file) of data sets whose UUID an earlier file already had (not read)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)


def _uuid(root: Element, path: str, where: str, dataset: str) -> str:
    uid = clean(root.findtext(path, namespaces=NS))
    if not re.fullmatch(r"[0-9A-Za-z-]{8,64}", uid):
        raise FootprintError(
            f"data set {dataset} has no valid UUID (got {uid!r})", where=where, fix=_FIX_XML
        )
    return uid


def _check_root(root: Element, tag: str, where: str, dataset: str) -> None:
    from lxml import etree

    if not isinstance(root.tag, str) or etree.QName(root).localname != tag:
        raise FootprintError(
            f"data set {dataset} is not an ILCD {tag} (its root element is {root.tag!r})",
            where=where,
            fix="keep only ILCD data sets of that kind in the folder",
        )


def _names(name: Element | None, parts: tuple[str, ...], lang: str) -> str:
    if name is None:
        return ""
    found = [lang_text(name.iterfind(f"{{*}}{part}"), lang) for part in parts]
    return "; ".join(p for p in found if p)


def read_unit_group(root: Element, where: str, dataset: str) -> UnitGroup:
    """Raises: FootprintError (no reference unit, or a factor that is not a number)."""
    _check_root(root, "unitGroupDataSet", where, dataset)
    info = "u:unitGroupInformation/"
    uid = _uuid(root, info + "u:dataSetInformation/c:UUID", where, dataset)
    name = lang_text(root.iterfind(info + "u:dataSetInformation/c:name", NS))
    ref = clean(
        root.findtext(info + "u:quantitativeReference/u:referenceToReferenceUnit", None, NS)
    )
    factors: dict[str, float] = {}
    reference = ""
    for unit in root.iterfind("u:units/u:unit", NS):
        unit_name = clean(unit.findtext("u:name", namespaces=NS))
        value = _number(unit.findtext("u:meanValue", namespaces=NS))
        if not unit_name or value is None:
            raise FootprintError(
                f"unit group {uid} has a unit without a name or a numeric meanValue",
                where=where,
                fix=_FIX_XML,
            )
        factors.setdefault(unit_name, value)
        if unit.get("dataSetInternalID") == ref:
            reference = unit_name
    if not reference:
        raise FootprintError(
            f"unit group {uid} ({name!r}): its reference unit (internal id {ref!r}) is not "
            "among its units",
            where=where,
            fix=_FIX_XML,
        )
    return UnitGroup(uid, name, reference, factors)


def read_flow_property(root: Element, where: str, dataset: str) -> FlowProperty:
    """Raises: FootprintError (no reference unit group)."""
    _check_root(root, "flowPropertyDataSet", where, dataset)
    info = "fp:flowPropertiesInformation/"
    uid = _uuid(root, info + "fp:dataSetInformation/c:UUID", where, dataset)
    name = lang_text(root.iterfind(info + "fp:dataSetInformation/c:name", NS))
    group = root.find(info + "fp:quantitativeReference/fp:referenceToReferenceUnitGroup", NS)
    if group is None or not group.get("refObjectId"):
        raise FootprintError(
            f"flow property {uid} ({name!r}) names no unit group", where=where, fix=_FIX_XML
        )
    return FlowProperty(uid, name, clean(group.get("refObjectId")))


def _classes(info: Element | None) -> str:
    if info is None:
        return ""
    for path in ("c:elementaryFlowCategorization/c:category", "c:classification/c:class"):
        items = [(e.get("level") or "0", clean(e.text)) for e in info.iterfind(path, NS)]
        if all(level.strip().isdigit() for level, _ in items):  # else as written
            items.sort(key=lambda c: int(c[0]))
        found = items
        if found:
            return "/".join(text for _, text in found if text)
    return ""


def read_flow(root: Element, name: str, where: str, dataset: str) -> FlowRecord:
    """Raises: FootprintError (no UUID, or a flow-property factor that is not a number)."""
    _check_root(root, "flowDataSet", where, dataset)
    info = "f:flowInformation/f:dataSetInformation/"
    uid = _uuid(root, info + "c:UUID", where, dataset)
    kind = FLOW_TYPES.get(
        clean(root.findtext("f:modellingAndValidation/f:LCIMethod/f:typeOfDataSet", None, NS)),
        "OTHER_FLOW",
    )
    parts = ("baseName",) if kind == ELEMENTARY else FLOW_NAME_PARTS
    names = root.find(info + "f:name", NS)
    en, zh = _names(names, parts, "en"), _names(names, parts, "zh")
    ref = clean(
        root.findtext(
            "f:flowInformation/f:quantitativeReference/f:referenceToReferenceFlowProperty",
            None,
            NS,
        )
    )
    factors: dict[str, float] = {}
    reference = ""
    for prop in root.iterfind("f:flowProperties/f:flowProperty", NS):
        target = prop.find("f:referenceToFlowPropertyDataSet", NS)
        pid = clean(target.get("refObjectId")) if target is not None else ""
        text = prop.findtext("f:meanValue", namespaces=NS)
        value = _number(text)
        if not pid or value is None:
            raise FootprintError(
                f"flow {uid}: a flow property without a reference or a numeric meanValue "
                f"(got {text!r})",
                where=where,
                fix=_FIX_XML,
            )
        factors.setdefault(pid, value)
        if prop.get("dataSetInternalID") == ref:
            reference = pid
    flow = Flow(
        id=uid,
        name=en or zh or uid,
        flow_type=kind,
        category=_classes(root.find(info + "f:classificationInformation", NS)),
        cas=normalise_cas(clean(root.findtext(info + "f:CASNumber", None, NS))),
        reference_property=reference,
        property_factors=factors,
    )
    return FlowRecord(flow, zh, name)


def _exchange(element: Element) -> ExchangeRecord:
    target = element.find("p:referenceToFlowDataSet", NS)
    named = next(element.iterfind(".//{*}referenceToFlowPropertyDataSet"), None)
    amount = element.findtext("p:resultingAmount", namespaces=NS)
    if amount is None or not amount.strip():
        amount = element.findtext("p:meanAmount", namespaces=NS)
    return ExchangeRecord(
        internal_id=clean(element.get("dataSetInternalID")),
        flow=clean(target.get("refObjectId")) if target is not None else "",
        flow_name=lang_text(target.iterfind("c:shortDescription", NS))
        if target is not None
        else "",
        is_input=clean(element.findtext("p:exchangeDirection", namespaces=NS)).lower() == "input",
        amount=amount,
        prop=clean(named.get("refObjectId")) if named is not None else "",
        uncertainty=Uncertainty(
            *(
                element.findtext(f"p:{name}", namespaces=NS)
                for name in (
                    "uncertaintyDistributionType",
                    "relativeStandardDeviation95In",
                    "minimumAmount",
                    "maximumAmount",
                )
            )
        ),
    )


def _review(validation: Element | None) -> str:
    if validation is None:
        return ""
    out = []
    for review in validation.iterfind("p:review", NS):
        who = [
            lang_text(r.iterfind("c:shortDescription", NS))
            for r in review.iterfind("c:referenceToNameOfReviewerAndInstitution", NS)
        ]
        kind = clean(review.get("type")) or "review"
        out.append(kind + (f" by {', '.join(w for w in who if w)}" if any(who) else ""))
    return "; ".join(out)


def _year(text: str | None) -> str:
    found = re.match(r"\s*(\d{4})", text or "")
    return found.group(1) if found else ""


def read_process(root: Element, name: str, where: str, dataset: str) -> ProcessRecord:
    """Raises: FootprintError (not a process data set, or no UUID)."""
    _check_root(root, "processDataSet", where, dataset)
    info = "p:processInformation/"
    uid = _uuid(root, info + "p:dataSetInformation/c:UUID", where, dataset)
    names = root.find(info + "p:dataSetInformation/p:name", NS)
    en, zh = _names(names, PROCESS_NAME_PARTS, "en"), _names(names, PROCESS_NAME_PARTS, "zh")
    location = root.find(info + "p:geography/p:locationOfOperationSupplyOrProduction", NS)
    modelling = "p:modellingAndValidation/"
    treatment = modelling + "p:dataSourcesTreatmentAndRepresentativeness/"
    generator = root.find(
        "p:administrativeInformation/p:dataGenerator/"
        "c:referenceToPersonOrEntityGeneratingTheDataSet",
        NS,
    )
    sources = root.iterfind(treatment + "p:referenceToDataSource", NS)
    return ProcessRecord(
        id=uid,
        file=name,
        name=en or zh or uid,
        name_zh=zh,
        category=_classes(root.find(info + "p:dataSetInformation/p:classificationInformation", NS)),
        location=clean(location.get("location")) if location is not None else "",
        references=tuple(
            clean(r.text)
            for r in root.iterfind(info + "p:quantitativeReference/p:referenceToReferenceFlow", NS)
            if clean(r.text)
        ),
        exchanges=tuple(_exchange(e) for e in root.iterfind("p:exchanges/p:exchange", NS)),
        reference_year=_year(root.findtext(info + "p:time/c:referenceYear", None, NS)),
        valid_until=_year(root.findtext(info + "p:time/c:dataSetValidUntil", None, NS)),
        dataset_type=clean(
            root.findtext(modelling + "p:LCIMethodAndAllocation/p:typeOfDataSet", None, NS)
        ),
        generator=_reference(generator),
        sources=tuple(_reference(s) for s in sources),
        licence=clean(
            root.findtext(
                "p:administrativeInformation/p:publicationAndOwnership/c:licenseType", None, NS
            )
        ),
        review=_review(root.find(modelling + "p:validation", NS)),
        use_advice=lang_text(root.iterfind(treatment + "p:useAdviceForDataSet", NS)),
    )


def _reference(element: Element | None) -> str:
    """A reference to another data set as ``shortDescription`` or, failing that, ``@UUID``."""
    if element is None:
        return ""
    text = lang_text(element.iterfind("c:shortDescription", NS))
    return text or (f"@{clean(element.get('refObjectId'))}" if element.get("refObjectId") else "")


def _contact_or_source_name(root: Element) -> str:
    for path in (".//c:shortName", ".//c:name"):
        text = lang_text(root.iterfind(path, NS))
        if text:
            return text
    return ""


def read_locations(archive: Archive) -> dict[str, str]:
    """Location code -> description, from ``ILCDLocations.xml`` (empty if absent)."""
    if not archive.locations_file:
        return {}
    root = archive.root(archive.locations_file)
    return {
        clean(e.get("value")): clean(e.text)
        for e in root.iterfind("l:location", NS)
        if e.get("value")
    }


def _index(archive: Archive, folder: str) -> dict[str, str]:
    """Data set UUID (the file's stem) -> file, for on-demand reads of contacts and sources."""
    return {PurePosixPath(n).stem.split("_")[0]: n for n in archive.folders.get(folder, [])}


def _resolve_names(archive: Archive, data: IlcdData) -> None:
    """Replace ``@UUID`` references to contacts and sources by their names, where present."""
    files = {**_index(archive, "contacts"), **_index(archive, "sources")}
    cache: dict[str, str] = {}

    def name(ref: str) -> str:
        if not ref.startswith("@"):
            return ref
        uid = ref[1:]
        if uid not in cache:
            file = files.get(uid)
            cache[uid] = (_contact_or_source_name(archive.root(file)) if file else "") or uid
        return cache[uid]

    for pid, p in data.processes.items():
        if p.generator.startswith("@") or any(s.startswith("@") for s in p.sources):
            from dataclasses import replace

            data.processes[pid] = replace(
                p, generator=name(p.generator), sources=tuple(name(s) for s in p.sources)
            )


def read_archive(path: Path, progress: Progress | None = None) -> IlcdData:
    """Read the ILCD archive at ``path`` (a .zip or a folder).

    Raises:
        FootprintError: an unreadable or oversized zip, no process data sets, or a data set
            that is not well-formed XML, declares a DOCTYPE or lacks what it must have (the
            message names the data set and its file).
    """
    archive = Archive(path)
    try:
        return _read(archive, progress)
    finally:
        archive.close()


def _read(archive: Archive, progress: Progress | None) -> IlcdData:
    data = IlcdData(archive.path)
    seen: dict[tuple[str, str], str] = {}

    def each(folder: str) -> Iterable[tuple[str, Element, str, str]]:
        for name in archive.folders.get(folder, []):
            yield name, archive.root(name), archive.where(name), PurePosixPath(name).stem

    def first(folder: str, uid: str, name: str) -> bool:
        if (folder, uid) in seen:
            data.duplicates.append((folder, uid, name))
            return False
        seen[(folder, uid)] = name
        return True

    groups: dict[str, UnitGroup] = {}
    for name, root, where, stem in each("unitgroups"):
        group = read_unit_group(root, where, stem)
        if first("unitgroups", group.id, name):
            groups[group.id] = group
    properties: dict[str, FlowProperty] = {}
    for name, root, where, stem in each("flowproperties"):
        prop = read_flow_property(root, where, stem)
        if first("flowproperties", prop.id, name):
            properties[prop.id] = prop
    data.units = Units(groups, properties)
    for name, root, where, stem in each("flows"):
        flow = read_flow(root, name, where, stem)
        if first("flows", flow.flow.id, name):
            data.flows[flow.flow.id] = flow
    total = len(archive.folders["processes"])
    for done, (name, root, where, stem) in enumerate(each("processes"), 1):
        process = read_process(root, name, where, stem)
        if first("processes", process.id, name):
            data.processes[process.id] = process
        if progress is not None:
            progress(done, total)
    data.locations = read_locations(archive)
    _resolve_names(archive, data)
    return data
