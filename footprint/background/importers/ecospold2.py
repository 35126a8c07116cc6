"""Read EcoSpold 2 datasets (an ecoinvent v3 ``datasets/`` folder, optionally with ``MasterData/``)
with bw2io's ``Ecospold2DataExtractor``, extended to keep what it drops. See
:mod:`footprint.background.importers.ecospold` for the contract. Nothing here runs at import time.
"""

from __future__ import annotations

import math
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from footprint.archive import open_zip
from footprint.background.brightway import extractor
from footprint.background.importers.ecospold import (
    ES2_READER,
    NATURE_GROUP,
    ElementaryFlow,
    Exchange,
    Process,
    Progress,
    Resolver,
    Source,
    check_path,
    clean,
    join_path,
    skip,
    unit_label,
    xml_child,
    xml_text,
)
from footprint.background.importers.ecospold_link import assemble
from footprint.background.importers.gases import (
    normalise_cas,
)
from footprint.background.importers.tables import (
    Build,
    source_meta,
)
from footprint.errors import BackgroundError


def _es2_extractor() -> Any:
    """bw2io's EcoSpold 2 extractor, keeping the exchange groups, unit ids and compartments."""
    base: Any = extractor("ecospold2")

    class Extractor(base):  # type: ignore[misc]
        @classmethod
        def extract_exchange(cls, exc: Any) -> dict[str, Any]:
            data: dict[str, Any] = super().extract_exchange(exc)
            for tag, direction in (("inputGroup", "input"), ("outputGroup", "output")):
                if hasattr(exc, tag):
                    data["group"] = (direction, int(str(getattr(exc, tag).text).strip()))
            data["unit id"] = exc.get("unitId") or ""
            if hasattr(exc, "compartment"):
                outer = exc.compartment
                data["compartment"] = (
                    str(getattr(outer, "compartment", "") or ""),
                    str(getattr(outer, "subcompartment", "") or ""),
                )
            return data

    return Extractor


def _master_file(root: Path, name: str) -> Path | None:
    candidates = sorted(root.rglob(name)) or sorted(root.parent.glob(f"MasterData/{name}"))
    return candidates[0] if candidates else None


def _es2_master(root: Path, source: Source) -> dict[str, str]:
    """Read ``MasterData`` (if any): elementary flows, product units; return unit names by id."""
    units: dict[str, str] = {}
    path = _master_file(root, "Units.xml")
    if path is not None:
        for unit in ET.parse(path).getroot():
            units[unit.get("id", "")] = xml_text(xml_child(unit, "name"))
    path = _master_file(root, "IntermediateExchanges.xml")
    if path is not None:
        for product in ET.parse(path).getroot():
            label = unit_label(
                xml_text(xml_child(product, "unitName")) or units.get(product.get("unitId", ""))
            )
            source.product_units[product.get("id", "")] = label
    path = _master_file(root, "ElementaryExchanges.xml")
    if path is not None:
        for flow in ET.parse(path).getroot():
            fid = flow.get("id", "")
            comp = xml_child(flow, "compartment")
            label = unit_label(
                xml_text(xml_child(flow, "unitName")) or units.get(flow.get("unitId", ""))
            )
            source.flows[fid] = ElementaryFlow(
                fid,
                xml_text(xml_child(flow, "name")),
                join_path(
                    xml_text(xml_child(comp, "compartment")),
                    xml_text(xml_child(comp, "subcompartment")),
                ),
                label,
                normalise_cas(clean(flow.get("casNumber"))),
            )
    return units


def _es2_category(classifications: Sequence[tuple[str, str]]) -> str:
    by_system = {clean(s): clean(v) for s, v in classifications}
    for system in ("ISIC rev.4 ecoinvent", "EcoSpold01Categories"):
        if by_system.get(system):
            return by_system[system]
    return next((v for _, v in sorted(by_system.items()) if v), "")


def _es2_exchange(data: Mapping[str, Any], units: Mapping[str, str], source: Source) -> Exchange:
    direction, group = data.get("group", ("input", -1))
    unit = unit_label(data.get("unit") or units.get(data.get("unit id", ""), ""))
    name, amount = clean(data.get("name")), float(data.get("amount", math.nan))
    problem = "" if group >= 0 else "unknown exchange group"
    if data["type"] == "biosphere":
        fid = str(data.get("flow") or "")
        if fid not in source.flows:
            compartment = data.get("compartment", ("", ""))
            cas = normalise_cas(clean(data.get("CAS number")))
            source.flows[fid] = ElementaryFlow(fid, name, join_path(*compartment), "", cas)
            source.stats.notes["elementary flows not in MasterData (described from exchanges)"] += 1
        return Exchange(direction == "input", NATURE_GROUP, name, amount, unit, flow=fid)
    return Exchange(
        direction == "input",
        group,
        name,
        amount,
        unit,
        product=str(data.get("flow") or ""),
        link=str(data.get("activity") or ""),
        problem=problem,
    )


def _es2_process(data: Mapping[str, Any], units: Mapping[str, str], source: Source) -> None:
    name, activity = clean(data.get("name")), str(data.get("activity") or "")
    source.stats.notes[f"activity type {data.get('activity type', 'unknown')}"] += 1
    exchanges = [_es2_exchange(e, units, source) for e in data.get("exchanges", [])]
    products = [
        e
        for e in exchanges
        if not e.is_input and e.group == 0 and not e.elementary and e.amount != 0.0
    ]
    stem = Path(str(data.get("filename", ""))).stem
    named = [e for e in products if stem == f"{activity}_{e.product}"]
    if not products:
        skip(source, activity or stem, name, "no reference product (process skipped)")
        return
    reference = (named or products)[0]
    if len(products) > 1:
        source.stats.notes["datasets with several reference products (one used)"] += 1
    pid = f"{activity}_{reference.product}"
    if pid in source.processes:
        skip(source, pid, name, "duplicate dataset (process skipped)")
        return
    exchanges.remove(reference)
    source.processes[pid] = Process(
        id=pid,
        name=name,
        location=clean(data.get("location")),
        category=_es2_category(data.get("classifications", [])),
        source=clean((data.get("authors", {}).get("data generator") or {}).get("name")),
        valid_from=str(data.get("start_date") or "")[:10],
        valid_until=str(data.get("end_date") or "")[:10],
        product=reference.name,
        product_key=reference.product,
        product_flow=reference.product,
        unit=reference.unit,
        amount=reference.amount,
        exchanges=exchanges,
    )


def _es2_files(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("*") if p.suffix.lower() == ".spold"), key=str)


def read_ecospold2(path: Path, progress: Progress | None = None) -> Source:
    """Read EcoSpold 2 datasets and MasterData from a directory or .zip (``progress`` per file)."""
    check_path(path)
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise BackgroundError(
                f"{path.name} is not a directory or .zip", fix="give the datasets folder"
            )
        with tempfile.TemporaryDirectory(prefix="footprint-ecospold2-") as tmp:
            with open_zip(path) as archive:  # limits checked before anything is unpacked
                archive.extractall(tmp)
            return read_ecospold2(Path(tmp), progress)
    source = Source()
    units = _es2_master(path, source)
    files = _es2_files(path)
    if not files:
        raise BackgroundError(f"{path} holds no .spold files", fix="give the datasets folder")
    extractor = _es2_extractor()
    for done, file in enumerate(files, start=1):
        source.datasets_read += 1
        try:
            data = extractor.extract_activity(str(file.parent), file.name, "ecospold2")
        except Exception as exc:  # bw2io raises bare ValueError/AttributeError on odd files
            reason = f"unreadable dataset: {type(exc).__name__} {exc} (process skipped)"
            skip(source, file.stem, file.name, reason)
        else:
            _es2_process(data, units, source)
        if progress is not None:
            progress(done, len(files))
    return source


def _es2_resolver(source: Source) -> Resolver:
    providers: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(source.processes):
        providers[source.processes[pid].product_key].append(pid)

    def resolve(process: Process, exchange: Exchange) -> tuple[str, str]:
        if exchange.link:
            target = f"{exchange.link}_{exchange.product}"
            if target in source.processes:
                return target, ""
            return "", f"linked activity missing: {exchange.link}"
        candidates = providers.get(exchange.product, [])
        if len(candidates) > 1:
            return "", "ambiguous provider: " + " ".join(candidates)
        return (candidates[0], "") if candidates else ("", "")

    return resolve


def convert_ecospold2(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert an EcoSpold 2 ``datasets`` folder (or a .zip of it) to background tables.

    Activity ids are ``<activity id>_<reference product id>`` as in ecoinvent's file names.
    Intermediate exchanges link by ``activityLinkId`` (to that activity's dataset for the same
    product) or, without one, to the only activity whose reference product they are; elementary
    exchanges by ``elementaryExchangeId``, described by ``MasterData/ElementaryExchanges.xml``
    when present. ``progress(done, total)`` is called after each .spold file.

    Raises:
        BackgroundError: the path is missing, not a directory or .zip, or holds no .spold files.
        FootprintError: a .zip that is unreadable or beyond the limits of :mod:`footprint.archive`.
    """
    source = read_ecospold2(Path(path), progress)
    return assemble(
        source, _es2_resolver(source), source_meta(Path(path), "EcoSpold 2", ES2_READER)
    )
