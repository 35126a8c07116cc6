"""The table contract of every background importer: typed rows, columns, writer and report.

Every reader of this package turns its source into these records, then into the gzip CSV tables
described in ``inventories/background/uslci/README.md`` (the columns are shared with
:mod:`footprint.background.store`, which reads them), written by :func:`write_build` with the
``build_report.json`` whose common block :func:`import_report` makes. Nothing here runs at
import time.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from footprint.background.columnar import write_columnar
from footprint.inventory.uncertainty import Distribution

ACTIVITY_COLUMNS = (
    "id",
    "name",
    "location",
    "unit",
    "product",
    "product_flow",
    "category",
    "description_source",
    "valid_from",
    "valid_until",
)
#: The activity columns a loaded background keeps (``description_source`` read as ``source``).
LOADED_ACTIVITY_COLUMNS = ("id", "name", "location", "unit", "product", "category", "source")
#: Activity columns written and kept when a background has them: the Chinese name (``report.i18n``).
OPTIONAL_ACTIVITY_COLUMNS = ("name_zh",)
TECHNOSPHERE_COLUMNS = ("consumer", "supplier", "amount")
BIOSPHERE_COLUMNS = ("activity", "flow", "amount")
# Optional columns after ``amount`` in technosphere and biosphere: the amount's distribution, a
# :class:`~footprint.inventory.uncertainty.Distribution` (stats_arrays id and parameters).
UNCERTAINTY_COLUMNS = ("uncertainty_type", "loc", "scale", "minimum", "maximum")
FLOW_COLUMNS = ("id", "name", "compartment", "unit", "cas", "gas", "origin", "kind")
UNLINKED_COLUMNS = ("activity", "activity_name", "flow", "flow_name", "amount", "unit", "reason")

OUTPUT_FILES = {
    "activities": ("activities.csv.gz", ACTIVITY_COLUMNS),
    "technosphere": ("technosphere.csv.gz", TECHNOSPHERE_COLUMNS),
    "biosphere": ("biosphere.csv.gz", BIOSPHERE_COLUMNS),
    "flows": ("flows.csv.gz", FLOW_COLUMNS),
    "unlinked": ("unlinked.csv.gz", UNLINKED_COLUMNS),
}
#: Optional columns after the required ones of a table, written when its rows carry them.
OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "activities": OPTIONAL_ACTIVITY_COLUMNS,
    "technosphere": UNCERTAINTY_COLUMNS,
    "biosphere": UNCERTAINTY_COLUMNS,
}

Tables = dict[str, list[tuple[str, ...]]]

PRODUCT, WASTE, ELEMENTARY = "PRODUCT_FLOW", "WASTE_FLOW", "ELEMENTARY_FLOW"

#: Namespace of the ids of activities split off a multi-output process (see :func:`coproduct_id`).
COPRODUCT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "footprint/background/co-product")


def fmt(value: float | None) -> str:
    """``repr`` of a float (round-trips exactly); ``-0.0`` is written as ``0.0``."""
    if value is None:
        return ""
    return repr(value + 0.0)


def coproduct_id(process: str, flow: str) -> str:
    """The stable id of the activity that makes co-product ``flow`` of multi-output ``process``."""
    return str(uuid.uuid5(COPRODUCT_NAMESPACE, f"{process}/{flow}"))


def uncertainty_cells(spread: Distribution | None) -> tuple[str, ...]:
    """The five uncertainty columns of an amount's distribution (``0`` and blanks without one).

    The lognormal's sign is the amount's (``negative`` is not written); unused parameters (NaN)
    are blank.
    """
    if spread is None:
        return NO_SPREAD_CELLS
    values = (spread.loc, spread.scale, spread.minimum, spread.maximum)
    return (str(spread.kind), *("" if math.isnan(v) else fmt(v) for v in values))


NO_SPREAD_CELLS = ("0", "", "", "", "")


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    flow_type: str
    category: str
    cas: str
    reference_property: str
    property_factors: Mapping[str, float]


@dataclass(frozen=True)
class Activity:
    """One activity: one reference unit of ``product``; ``parent`` is the source process it was
    split off by allocation (empty when it is the process itself). ``name_zh`` is its Chinese
    name where the source gives one; ``not_provider`` says why the activity must never be linked
    as the provider of its product (empty: it may be)."""

    id: str
    name: str
    location: str
    unit: str
    product: str
    product_flow: str
    category: str
    description_source: str
    valid_from: str
    valid_until: str
    reference_is_input: bool
    parent: str = ""
    name_zh: str = ""
    not_provider: str = ""


@dataclass(frozen=True)
class Exchange:
    """A non-reference exchange, normalised to one reference unit of the activity's product."""

    activity: str
    flow: str
    flow_name: str
    flow_type: str
    amount: float
    unit: str
    is_input: bool
    avoided: bool
    default_provider: str
    problem: str = ""
    spread: Distribution | None = None


@dataclass(frozen=True)
class UnlinkedRow:
    activity: str
    activity_name: str
    flow: str
    flow_name: str
    amount: float | None
    unit: str
    reason: str


@dataclass
class Parsed:
    activities: dict[str, Activity] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    unlinked: list[UnlinkedRow] = field(default_factory=list)


def sum_rows(
    pairs: Mapping[tuple[str, str], Sequence[float]],
    what: str,
    notes: Counter[str],
    uncertainty: Counter[str] | None = None,
    spreads: Mapping[tuple[str, str], Sequence[Distribution | None]] | None = None,
) -> list[tuple[str, ...]]:
    """One table row per (activity, supplier or flow) pair, its amounts summed, sorted.

    Rows summing to zero are dropped and merges counted in ``notes``. With ``spreads``, the five
    uncertainty columns follow the amount (counted in ``uncertainty``); a merged row keeps no
    distribution (a sum of distributions is not one of them).
    """
    uncertainty = Counter() if uncertainty is None else uncertainty
    rows: list[tuple[str, ...]] = []
    for key in sorted(pairs):
        values = pairs[key]
        if len(values) > 1:
            notes[f"{what} exchanges merged into one row (same pair)"] += len(values) - 1
        total = math.fsum(values)
        if total == 0.0:
            notes[f"{what} rows dropped (amount zero)"] += 1
            continue
        if spreads is None:
            rows.append((key[0], key[1], fmt(total)))
            continue
        given = [s for s in spreads.get(key, []) if s is not None]
        spread = given[0] if len(values) == 1 and given else None
        if given and spread is None:
            uncertainty[f"{what} distributions dropped (exchanges merged into one row)"] += len(
                given
            )
        cells = uncertainty_cells(spread)
        uncertainty[f"{what} rows with uncertainty_type {cells[0]}"] += 1
        rows.append((key[0], key[1], fmt(total), *cells))
    return rows


# --- counters and rows ------------------------------------------------------------------------


class Stated(Protocol):
    """An amount as converted by a reader: the unit conversion and factor correction it used."""

    @property
    def conversion(self) -> tuple[str, str] | None: ...

    @property
    def corrected(self) -> tuple[str, str, float, float] | None: ...


@dataclass
class Stats:
    """Counters collected while converting (all written to the report)."""

    conversions: Counter[str] = field(default_factory=Counter)
    corrections: dict[tuple[str, str, float, float], int] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)
    suspect_references: list[dict[str, str]] = field(default_factory=list)
    uncertainty: Counter[str] = field(default_factory=Counter)
    implausible: list[dict[str, Any]] = field(default_factory=list)

    def record(self, amount: Stated) -> None:
        """Count the conversion and the factor correction of a converted amount."""
        if amount.conversion:
            self.conversions[f"{amount.conversion[0]} -> {amount.conversion[1]}"] += 1
        if amount.corrected:
            self.corrections[amount.corrected] = self.corrections.get(amount.corrected, 0) + 1

    def sum_rows(
        self,
        pairs: Mapping[tuple[str, str], Sequence[float]],
        what: str,
        spreads: Mapping[tuple[str, str], Sequence[Distribution | None]] | None = None,
    ) -> list[tuple[str, ...]]:
        """:func:`sum_rows`, counting in these stats."""
        return sum_rows(pairs, what, self.notes, self.uncertainty, spreads)


def activity_rows(activities: Mapping[str, Activity]) -> list[tuple[str, ...]]:
    """The activities table; with the ``name_zh`` column when any activity has a Chinese name."""
    acts = sorted(activities.values(), key=lambda a: a.id)
    chinese = any(a.name_zh for a in acts)
    return [
        (
            a.id,
            a.name,
            a.location,
            a.unit,
            a.product,
            a.product_flow,
            a.category,
            a.description_source,
            a.valid_from,
            a.valid_until,
            *((a.name_zh,) if chinese else ()),
        )
        for a in acts
    ]


def unlinked_rows(rows: Iterable[UnlinkedRow]) -> list[tuple[str, ...]]:
    """The unlinked table, sorted."""
    out = [
        (r.activity, r.activity_name, r.flow, r.flow_name, fmt(r.amount), r.unit, r.reason)
        for r in rows
    ]
    return sorted(out)


# --- report -----------------------------------------------------------------------------------


def reason_key(reason: str) -> str:
    """The reason an unlinked row is counted under: its text up to the first colon."""
    return reason.split(":", 1)[0]


def units_emitted(tables: Mapping[str, Sequence[tuple[str, ...]]]) -> dict[str, list[str]]:
    """The units written to the activities, flows and unlinked tables."""
    return {
        "activities": sorted({row[3] for row in tables["activities"]}),
        "flows": sorted({row[3] for row in tables["flows"]}),
        "unlinked": sorted({row[5] for row in tables["unlinked"]}),
    }


def multi_output_activities(unlinked: Sequence[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Activities with co-products (no allocation: the reference product carries everything)."""
    counts = Counter((row[0], row[1]) for row in unlinked if row[6].startswith("extra output"))
    return [
        {"id": aid, "name": name, "co_products": n}
        for (aid, name), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def table_counts(
    processes_read: int, tables: Mapping[str, Sequence[Any]], linked_before_merge: int
) -> dict[str, int]:
    """The counts every import report carries, from the written tables."""
    return {
        "processes_read": processes_read,
        "activities_written": len(tables["activities"]),
        "technosphere_exchanges": len(tables["technosphere"]),
        "biosphere_exchanges": len(tables["biosphere"]),
        "elementary_flows": len(tables["flows"]),
        "flows_with_gas": sum(1 for row in tables["flows"] if row[5]),
        "unlinked_exchanges": len(tables["unlinked"]),
        "self_loops": sum(1 for row in tables["technosphere"] if row[0] == row[1]),
        "negative_technosphere_amounts": sum(
            1 for row in tables["technosphere"] if float(row[2]) < 0
        ),
        "exchanges_linked_before_merge": linked_before_merge,
    }


def import_report(
    meta: Mapping[str, Any],
    counts: Mapping[str, int],
    tables: Mapping[str, Sequence[tuple[str, ...]]],
    conversions: Mapping[str, int],
    notes: Mapping[str, int],
    after: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report every reader writes: ``meta``, then the common block (``counts``,
    ``flows_by_gas``, ``unlinked_by_reason``, ``unit_conversions``, ``notes``, ``units_emitted``),
    each followed by the reader's own sections ``after[key]``, in their order."""
    common: dict[str, Any] = {
        "counts": dict(counts),
        "flows_by_gas": dict(sorted(Counter(r[5] for r in tables["flows"] if r[5]).items())),
        "unlinked_by_reason": dict(
            sorted(Counter(reason_key(row[6]) for row in tables["unlinked"]).items())
        ),
        "unit_conversions": dict(sorted(conversions.items())),
        "notes": dict(sorted(notes.items())),
        "units_emitted": units_emitted(tables),
    }
    report = dict(meta)
    for key, value in common.items():
        report[key] = value
        report.update((after or {}).get(key, {}))
    return report


def file_sha256(path: Path) -> str:
    """The sha256 of the file at ``path`` (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_meta(path: Path, fmt: str, reader: str) -> dict[str, Any]:
    """The head of the report of a file or folder read by ``reader`` (with its sha256 if a file)."""
    meta: dict[str, Any] = {
        "dataset": path.name,
        "source_format": fmt,
        "reader": reader,
        "sources": [f"{path.name} ({fmt})"],
    }
    if path.is_file():
        meta["source_sha256"] = file_sha256(path)
    return meta


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """The tables (rows of strings, keys of :data:`OUTPUT_FILES`) and the report of a conversion."""

    tables: Tables
    report: dict[str, Any]


def csv_gz_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A gzip-compressed CSV (UTF-8, ``\\n`` line ends) with a fixed gzip header (mtime 0)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def write_bytes(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` and return its sha256."""
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _header(key: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Sequence[str]:
    """``columns``, with the OPTIONAL_COLUMNS of table ``key`` when the rows carry them."""
    optional = OPTIONAL_COLUMNS.get(key, ())
    if rows and len(rows[0]) == len(columns) + len(optional):
        return (*columns, *optional)
    return columns


def write_build(build: Build, out: Path) -> dict[str, Any]:
    """Write the tables and ``build_report.json`` into ``out``; return the report."""
    out.mkdir(parents=True, exist_ok=True)
    hashes = {
        name: write_bytes(
            out / name, csv_gz_bytes(_header(key, columns, build.tables[key]), build.tables[key])
        )
        for key, (name, columns) in OUTPUT_FILES.items()
    }
    write_columnar(out)  # binary copies, read in place of matching CSV tables
    report = {**build.report, "files_sha256": dict(sorted(hashes.items()))}
    text = json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    (out / "build_report.json").write_text(text, encoding="utf-8")
    return report
