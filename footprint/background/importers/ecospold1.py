"""Read EcoSpold 1 datasets (ecoinvent v1/v2, openLCA exports such as USLCI's) with ElementTree.

See :mod:`footprint.background.importers.ecospold` for the contract. Nothing here runs at import
time.
"""

from __future__ import annotations

import calendar
import math
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from footprint.archive import open_zip
from footprint.background.importers.ecospold import (
    ES1_FLOW_NAMESPACE,
    ES1_NS,
    ES1_READER,
    ES2_NS,
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
    product_key,
    skip,
    to_float,
    unit_factor,
    unit_label,
    unit_problem,
    xml_attr,
    xml_child,
    xml_children,
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


def ecospold1_flow_id(name: str, category: str, subcategory: str) -> str:
    """The id given to an EcoSpold 1 elementary flow: a UUID5 of name, category, subcategory."""
    key = "\x1f".join(clean(x) for x in (name, category, subcategory))
    return str(uuid.uuid5(ES1_FLOW_NAMESPACE, key))


def _es1_files(path: Path, stack: ExitStack) -> list[tuple[str, Callable[[], bytes]]]:
    """(name, reader) of each XML file in a file, directory or .zip, sorted by name."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".xml")
        return [(str(f.relative_to(path)), f.read_bytes) for f in files]
    if path.suffix.lower() == ".zip":
        archive = stack.enter_context(open_zip(path))
        names = sorted(n for n in archive.namelist() if n.lower().endswith(".xml"))
        return [(n, partial(archive.read, n)) for n in names]
    return [(path.name, path.read_bytes)]


def _es1_date(period: ET.Element | None, kind: str) -> str:
    """ISO date from ``<startDate>``, ``<startYearMonth>`` or ``<startYear>`` (or ``end...``)."""
    text = xml_text(xml_child(period, f"{kind}Date"))
    if text:
        return text[:10]
    text = xml_text(xml_child(period, f"{kind}YearMonth"))
    if len(text) >= 7 and text[:4].isdigit() and text[5:7].isdigit():
        year, month = int(text[:4]), int(text[5:7])
        day = 1 if kind == "start" else calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-{day:02d}"
    text = xml_text(xml_child(period, f"{kind}Year"))
    if text[:4].isdigit():
        return f"{text[:4]}-01-01" if kind == "start" else f"{text[:4]}-12-31"
    return ""


def _es1_source(meta: ET.Element | None) -> str:
    """The published source of a dataset: ``author (year): title``."""
    admin = xml_child(meta, "administrativeInformation")
    number = xml_attr(xml_child(admin, "dataGeneratorAndPublication"), "referenceToPublishedSource")
    for src in xml_children(xml_child(meta, "modellingAndValidation"), "source"):
        if src.get("number") == number and number:
            author, year = clean(src.get("firstAuthor")), clean(src.get("year"))
            title = clean(src.get("title"))
            head = f"{author} ({year})" if year and year != "9999" else author
            return f"{head}: {title}" if head and title else head or title
    return ""


def _es1_exchange(elem: ET.Element, source: Source) -> Exchange:
    groups = [
        (g, xml_text(c)) for g in ("inputGroup", "outputGroup") for c in xml_children(elem, g)
    ]
    name, unit = clean(elem.get("name")), unit_label(elem.get("unit"))
    category, sub = clean(elem.get("category")), clean(elem.get("subCategory"))
    amount = to_float(elem.get("meanValue"))
    problem = "" if math.isfinite(amount) else "invalid amount"
    if len(groups) != 1 or not groups[0][1].isdigit():
        problem = "unknown exchange group"
        groups = [("inputGroup", "-1")]
    is_input, group = groups[0][0] == "inputGroup", int(groups[0][1])
    if group == NATURE_GROUP:
        fid = ecospold1_flow_id(name, category, sub)
        cas = normalise_cas(clean(elem.get("CASNumber")))
        cas = cas if any(ch.isdigit() for ch in cas) else ""
        known = source.flows.get(fid)
        if known is None or (cas and not known.cas):
            source.flows[fid] = ElementaryFlow(fid, name, join_path(category, sub), "", cas)
        return Exchange(is_input, group, name, amount, unit, flow=fid, problem=problem)
    return Exchange(
        is_input,
        group,
        name,
        amount,
        unit,
        product=product_key(name),
        location=clean(elem.get("location")),
        category=join_path(category, sub),
        problem=problem,
    )


def _es1_process(ds: ET.Element, pid: str, source: Source) -> None:
    meta = xml_child(ds, "metaInformation")
    info = xml_child(meta, "processInformation")
    ref = xml_child(info, "referenceFunction")
    name = clean(ref.get("name")) if ref is not None else ""
    flow_data = xml_child(ds, "flowData")
    if ref is None or not name:
        skip(source, pid, name, "no reference product (process skipped)")
        return
    if xml_children(flow_data, "allocation"):
        source.stats.notes["processes with allocation factors (ignored, no allocation)"] += 1
    exchanges = [_es1_exchange(e, source) for e in xml_children(flow_data, "exchange")]
    outputs = [e for e in exchanges if not e.is_input and e.group == 0 and not e.problem]
    named = [e for e in outputs if e.product == product_key(name)]
    reference = next(iter(named or outputs), None)
    if reference is None:
        source.stats.notes["reference taken from referenceFunction (no outputGroup 0)"] += 1
        unit, amount = unit_label(ref.get("unit")), to_float(ref.get("amount") or "1")
    else:
        unit, amount = reference.unit, reference.amount
        exchanges.remove(reference)
    if len(outputs) > 1:
        source.stats.notes[
            "processes with several outputGroup 0 exchanges (first is reference)"
        ] += 1
    if amount == 0.0 or not math.isfinite(amount):
        skip(source, pid, name, "zero reference amount (process skipped)")
        return
    source.processes[pid] = Process(
        id=pid,
        name=name,
        location=xml_attr(xml_child(info, "geography"), "location"),
        category=join_path(ref.get("category"), ref.get("subCategory")),
        source=_es1_source(meta),
        valid_from=_es1_date(xml_child(info, "timePeriod"), "start"),
        valid_until=_es1_date(xml_child(info, "timePeriod"), "end"),
        product=name,
        product_key=product_key(name),
        product_flow="",
        unit=unit,
        amount=amount,
        exchanges=exchanges,
    )


def read_ecospold1(path: Path, progress: Progress | None = None) -> Source:
    """Read every EcoSpold 1 dataset in a file, directory or .zip (``progress`` per file)."""
    check_path(path)
    with ExitStack() as stack:
        files = _es1_files(path, stack)
        if not files:
            raise BackgroundError(f"{path} holds no .xml files", fix="give EcoSpold 1 XML files")
        source = Source(product_ids=False)
        for done, (name, read) in enumerate(files, start=1):
            _es1_file(name, read(), source)
            if progress is not None:
                progress(done, len(files))
    if not source.datasets_read:
        raise BackgroundError(
            f"{path} holds no EcoSpold 1 datasets ({'; '.join(source.skipped_files)})",
            fix="give EcoSpold 1 XML files (EcoSpold 2 .spold folders: convert_ecospold2)",
        )
    return source


def _es1_file(name: str, data: bytes, source: Source) -> None:
    """Read the datasets of one EcoSpold 1 XML file into ``source``."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        source.skipped_files.append(f"{name}: not well-formed XML ({exc})")
        return
    if root.tag not in (f"{{{ES1_NS}}}ecoSpold", "ecoSpold"):
        kind = "an EcoSpold 2 file" if root.tag.startswith(f"{{{ES2_NS}}}") else "not EcoSpold 1"
        source.skipped_files.append(f"{name}: {kind}")
        return
    for ds in xml_children(root, "dataset"):
        source.datasets_read += 1
        number = clean(ds.get("number")) or f"{Path(name).stem}-{source.datasets_read}"
        source.ids_seen[number] += 1
        pid = number
        if source.ids_seen[number] > 1:
            pid = f"{number}_{source.ids_seen[number]}"
            source.stats.notes["duplicate dataset numbers (suffixed _2, _3, ...)"] += 1
        _es1_process(ds, pid, source)


def _es1_resolver(source: Source) -> Resolver:
    providers: dict[str, list[Process]] = defaultdict(list)
    for pid in sorted(source.processes):
        providers[source.processes[pid].product_key].append(source.processes[pid])

    def resolve(process: Process, exchange: Exchange) -> tuple[str, str]:
        candidates = providers.get(exchange.product, [])
        if not candidates:
            return "", ""
        fitting = [c for c in candidates if unit_factor(exchange.unit, c.unit) is not None]
        if not fitting:
            return "", unit_problem(exchange.unit, candidates[0].unit)
        for attribute, wanted in (("location", exchange.location), ("category", exchange.category)):
            same = [c for c in fitting if wanted and getattr(c, attribute) == wanted]
            if len(fitting) > 1 and same:
                fitting = same
        if len(fitting) == 1:
            return fitting[0].id, ""
        return "", "ambiguous provider: " + " ".join(c.id for c in fitting)

    return resolve


def convert_ecospold1(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert EcoSpold 1 datasets (an XML file, a directory of them or a .zip) to tables.

    Products are matched by name (case and whitespace ignored) and a convertible unit, then by
    location and category when several processes make them; elementary flows by name, category
    and subcategory (their id is :func:`ecospold1_flow_id`). ``progress(done, total)`` is called
    after each XML file.

    Raises:
        BackgroundError: the path is missing, an unsupported archive, or holds no XML files.
        FootprintError: a .zip that is unreadable or beyond the limits of :mod:`footprint.archive`.
    """
    source = read_ecospold1(Path(path), progress)
    return assemble(
        source, _es1_resolver(source), source_meta(Path(path), "EcoSpold 1", ES1_READER)
    )
