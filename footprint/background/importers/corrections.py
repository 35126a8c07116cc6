"""Reviewed corrections of source data, applied when a background is built.

A corrections file (``corrections.csv`` beside the built tables) holds one reviewed change per row:

========================  ========================================================================
column                    meaning
========================  ========================================================================
``activity``              process (activity) id in the source
``activity_name``         its name, as in the source (checked, so a row cannot hit another process)
``flow``                  id of the exchanged flow whose amount is corrected
``flow_name``             its name, as in the source (checked)
``old_value``             the amount the source states, in ``unit`` (checked: the build refuses a
                          row whose old value is not the source's)
``new_value``             the corrected amount, in ``unit``; ``0`` removes the exchange (not the
                          reference product's: correcting that rescales every amount per unit)
``unit``                  the unit the source states the amount in (checked)
``evidence``              why: the source's own documentation and the arithmetic that shows it
``reviewer_note``         short summary, shown as the ``corrected: ...`` caveat of results
========================  ========================================================================

Amounts are as stated in the source, per the process's stated reference amount, before any unit
conversion or normalisation. A corrected exchange loses its uncertainty distribution (the source's
distribution describes the old amount). Nothing here runs at import time.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.background.importers.reviewed_csv import reviewed_rows
from footprint.errors import BackgroundError

FILE_NAME = "corrections.csv"
COLUMNS = (
    "activity",
    "activity_name",
    "flow",
    "flow_name",
    "old_value",
    "new_value",
    "unit",
    "evidence",
    "reviewer_note",
)
#: Relative tolerance when comparing a row's old value with the source's amount.
MATCH_TOLERANCE = 1e-9

JsonObj = dict[str, Any]


@dataclass(frozen=True)
class Correction:
    """One reviewed change of one exchange amount (``line``: its line in the file)."""

    line: int
    activity: str
    activity_name: str
    flow: str
    flow_name: str
    old_value: float
    new_value: float
    unit: str
    evidence: str
    reviewer_note: str
    path: str = FILE_NAME

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}"

    def record(self) -> dict[str, Any]:
        """The row as written to ``build_report.json`` (``corrections``)."""
        return {
            "line": self.line,
            "activity": self.activity,
            "activity_name": self.activity_name,
            "flow": self.flow,
            "flow_name": self.flow_name,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "unit": self.unit,
            "reviewer_note": self.reviewer_note,
            "evidence": self.evidence,
        }


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _number(text: str, column: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BackgroundError(
            f"{column} {text!r} is not a number",
            where=f"{where}, {column}",
            fix="write the amount as a plain decimal number, e.g. 0.107",
        )
    return value


def read_corrections(path: Path) -> list[Correction]:
    """The corrections in ``path`` (a CSV with :data:`COLUMNS`), in file order.

    Raises:
        BackgroundError: no such file, a column is missing, a cell is empty or an amount is not
            a number.
    """
    out = []
    for line, row in reviewed_rows(path, COLUMNS, "corrections file"):
        where = f"{path}, line {line}"
        for column in COLUMNS:
            if not row[column].strip():
                raise BackgroundError(
                    f"{column} is empty",
                    where=f"{where}, {column}",
                    fix="every correction names its activity, exchange, amounts, unit and evidence",
                )
        out.append(
            Correction(
                line=line,
                activity=row["activity"].strip(),
                activity_name=row["activity_name"].strip(),
                flow=row["flow"].strip(),
                flow_name=row["flow_name"].strip(),
                old_value=_number(row["old_value"], "old_value", where),
                new_value=_number(row["new_value"], "new_value", where),
                unit=row["unit"].strip(),
                evidence=" ".join(row["evidence"].split()),
                reviewer_note=" ".join(row["reviewer_note"].split()),
                path=str(path),
            )
        )
    return out


def _matches(exchange: JsonObj, correction: Correction) -> bool:
    if (exchange.get("flow") or {}).get("@id") != correction.flow:
        return False
    old = float(exchange.get("amount", math.nan))
    return abs(old - correction.old_value) <= MATCH_TOLERANCE * max(abs(old), 1e-300)


def _target(process: JsonObj, correction: Correction) -> int:
    """Index of the one exchange ``correction`` changes in ``process``.

    Raises:
        BackgroundError: no such exchange, or its amount, unit or names differ from the row.
    """
    fix = "check the row against the source data; an old value must be the source's amount"
    exchanges: list[JsonObj] = process.get("exchanges", [])
    same_flow = [
        (i, e)
        for i, e in enumerate(exchanges)
        if (e.get("flow") or {}).get("@id") == correction.flow
    ]
    if not same_flow:
        raise BackgroundError(
            f"activity {correction.activity_name!r} has no exchange of flow {correction.flow} "
            f"({correction.flow_name!r})",
            where=f"{correction.where}, flow",
            fix=fix,
        )
    flow_name = str((same_flow[0][1].get("flow") or {}).get("name", ""))
    if not _same_text(flow_name, correction.flow_name):
        raise BackgroundError(
            f"flow {correction.flow} is {flow_name.strip()!r} in the source, not "
            f"{correction.flow_name!r}",
            where=f"{correction.where}, flow_name",
            fix=fix,
        )
    hits = [(i, e) for i, e in same_flow if _matches(e, correction)]
    if not hits:
        stated = ", ".join(
            f"{e.get('amount')} {(e.get('unit') or {}).get('name', '')}" for _, e in same_flow
        )
        raise BackgroundError(
            f"old value {correction.old_value:g} {correction.unit} of {correction.flow_name!r} in "
            f"{correction.activity_name!r} does not match the source, which states {stated}",
            where=f"{correction.where}, old_value",
            fix=fix,
        )
    if len(hits) > 1:
        raise BackgroundError(
            f"{len(hits)} exchanges of {correction.flow_name!r} in {correction.activity_name!r} "
            f"state {correction.old_value:g}: the row is ambiguous",
            where=f"{correction.where}, old_value",
            fix="correct such duplicates by hand in a copy of the source",
        )
    index, exchange = hits[0]
    unit = str((exchange.get("unit") or {}).get("name", ""))
    if unit != correction.unit:
        raise BackgroundError(
            f"the source states {correction.flow_name!r} in {unit!r}, not {correction.unit!r}",
            where=f"{correction.where}, unit",
            fix="give the unit the source states the amount in",
        )
    return index


def apply_corrections(
    processes: Mapping[str, JsonObj], corrections: Sequence[Correction]
) -> tuple[dict[str, JsonObj], list[dict[str, Any]]]:
    """``processes`` with ``corrections`` applied (changed processes are copies), and the records.

    Raises:
        BackgroundError: a row names an activity or exchange the source does not have, or its
            old value, unit or names do not match the source (the message names the row).
    """
    out = dict(processes)
    records = []
    for correction in corrections:
        process = out.get(correction.activity)
        if process is None:
            raise BackgroundError(
                f"no activity {correction.activity} ({correction.activity_name!r}) in the source",
                where=f"{correction.where}, activity",
                fix="use the process id of the source's JSON-LD file",
            )
        if not _same_text(str(process.get("name", "")), correction.activity_name):
            raise BackgroundError(
                f"activity {correction.activity} is {str(process.get('name', '')).strip()!r} in "
                f"the source, not {correction.activity_name!r}",
                where=f"{correction.where}, activity_name",
                fix="check that the id and the name are of the same process",
            )
        index = _target(process, correction)
        if correction.new_value <= 0.0 and process["exchanges"][index].get("quantitativeReference"):
            raise BackgroundError(
                f"the reference amount of {correction.activity_name!r} cannot become "
                f"{correction.new_value:g}",
                where=f"{correction.where}, new_value",
                fix="give the amount of product the process's stated amounts are for",
            )
        process = copy.deepcopy(process)
        exchanges: list[JsonObj] = process["exchanges"]
        if correction.new_value == 0.0:
            del exchanges[index]
        else:
            exchanges[index]["amount"] = correction.new_value
            exchanges[index].pop("uncertainty", None)
        out[correction.activity] = process
        records.append(correction.record())
    return out, records


def corrected_activities(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per corrected activity (id, name, number of corrected exchanges), by name."""
    counts: dict[tuple[str, str], int] = {}
    for record in records:
        key = (str(record["activity_name"]), str(record["activity"]))
        counts[key] = counts.get(key, 0) + 1
    return [{"id": aid, "name": name, "exchanges": n} for (name, aid), n in sorted(counts.items())]


def caveats(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The ``corrected: ...`` caveat of each corrected activity id, from report records."""
    changes: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for record in records:
        activity = str(record["activity"])
        changes.setdefault(activity, []).append(
            f"{record['flow_name']} {record['old_value']:g} -> {record['new_value']:g} "
            f"{record['unit']}"
        )
        if record["reviewer_note"] not in notes.setdefault(activity, []):
            notes[activity].append(str(record["reviewer_note"]))
    return {
        activity: f"corrected: {'; '.join(notes[activity])} ({', '.join(texts)}; reviewed "
        "data correction, see the background's corrections.csv and build_report.json)"
        for activity, texts in changes.items()
    }
