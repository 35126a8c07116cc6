"""Background databases as tables: activities, technosphere and biosphere exchanges, flows.

The on-disk form (see ``inventories/background/uslci/README.md``) is a directory of gzip CSV files,
the reviewable export, each with a binary columnar copy (``activities.arrow``, …; see
:mod:`footprint.background.columnar`) that is read in its place while it records the SHA-256 of
that CSV file. Whatever writes the tables writes the copies.
The shipped default background joins the converted USLCI database with cited grid electricity
emission factors (``inventories/background/grid/grid_factors.csv``).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.background.columnar import read_table
from footprint.background.importers import tables
from footprint.background.importers.corrections import caveats as correction_caveats
from footprint.errors import BackgroundError
from footprint.paths import data_rows

ACTIVITY_COLUMNS = list(tables.LOADED_ACTIVITY_COLUMNS)
OPTIONAL_ACTIVITY_COLUMNS = list(tables.OPTIONAL_ACTIVITY_COLUMNS)
TECHNOSPHERE_COLUMNS = list(tables.TECHNOSPHERE_COLUMNS)
BIOSPHERE_COLUMNS = list(tables.BIOSPHERE_COLUMNS)
FLOW_COLUMNS = list(tables.FLOW_COLUMNS)
#: Optional columns of technosphere and biosphere: the amount's distribution (stats_arrays)
UNCERTAINTY_COLUMNS = list(tables.UNCERTAINTY_COLUMNS)
#: The uncertainty cells of an exchange without a distribution (as the table files write them)
NO_DISTRIBUTION = dict(zip(UNCERTAINTY_COLUMNS, tables.NO_SPREAD_CELLS, strict=True))
CUT_OFF_COLUMNS = list(tables.UNLINKED_COLUMNS)
DEFAULT = "default"
#: Reviewed data-quality findings kept beside the tables (activity, finding), shown as caveats
FINDINGS_FILE = "findings.csv"


@dataclass(frozen=True)
class Background:
    """A background database: activities (each making 1 reference unit), exchanges and flows.

    ``technosphere.amount`` is in the supplier's unit per unit of the consumer; ``biosphere.amount``
    in the flow's unit (kg for gases) per unit of the activity. Where the tables carry the
    distributions of their amounts, technosphere and biosphere also hold ``UNCERTAINTY_COLUMNS``
    (as text; Monte Carlo samples them).
    """

    name: str
    version: str
    activities: pd.DataFrame
    technosphere: pd.DataFrame
    biosphere: pd.DataFrame
    flows: pd.DataFrame
    sources: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    #: Exchanges left out of the system, one row each (``CUT_OFF_COLUMNS``: activity, its name,
    #: the flow, amount per unit of the activity, unit, reason), and activities to use with care.
    cut_offs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CUT_OFF_COLUMNS))
    suspect: dict[str, str] = field(default_factory=dict)
    #: reviewed data-quality findings per activity id (``findings.csv`` beside the tables), or
    #: what a grid factor leaves out (its scope caveat)
    findings: dict[str, str] = field(default_factory=dict)
    #: old activity ids that still resolve, to their current id
    aliases: dict[str, str] = field(default_factory=dict)
    #: ``corrected: ...`` caveat per activity whose source data the build corrected
    #: (``corrections`` in ``build_report.json``)
    corrections: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = self.activities["id"].tolist()  # a list: iterating a column goes row by row
        object.__setattr__(self, "_by_id", dict(zip(ids, range(len(ids)), strict=True)))
        object.__setattr__(self, "_upstream", None)
        #: per activity id: its own cut-off caveat ("" for none), filled as activities are used
        object.__setattr__(self, "_cut_off_caveats", {})
        object.__setattr__(self, "_cut_off_activities", None)
        #: activity rows already looked up by id (``find``), as pandas gives them
        object.__setattr__(self, "_rows", {})

    @classmethod
    def empty(cls, name: str = "none") -> Background:
        """A background with no activities, for systems that are entirely foreground."""
        return cls(
            name=name,
            version="-",
            activities=pd.DataFrame(columns=ACTIVITY_COLUMNS),
            technosphere=pd.DataFrame(columns=TECHNOSPHERE_COLUMNS),
            biosphere=pd.DataFrame(columns=BIOSPHERE_COLUMNS),
            flows=pd.DataFrame(columns=FLOW_COLUMNS),
        )

    @property
    def index(self) -> dict[str, int]:
        """Row position of each activity id."""
        return self._by_id  # type: ignore[attr-defined, no-any-return]

    def describe(self) -> dict[str, object]:
        """Name, version, size and sources, for results and ``background show``."""
        return {
            "name": self.name,
            "version": self.version,
            "activities": len(self.activities),
            "technosphere_exchanges": len(self.technosphere),
            "biosphere_exchanges": len(self.biosphere),
            "elementary_flows": len(self.flows),
            "unlinked_exchanges": self.report.get("unlinked_by_reason", {}),
            "ghg_flows_not_characterised": len(self.report.get("ghg_not_characterised", [])),
            "sources": self.sources,
        }

    def caveats(self, activity_id: str, *, cut_offs: bool = True) -> list[str]:
        """Warnings about using ``activity_id``: a reviewed finding, a data correction (of the
        activity or of one in its supply chain), a suspect reference product, or (unless
        ``cut_offs`` is False, as for results, which list their whole supply chain's) its own
        exchanges cut off."""
        out = []
        if activity_id in self.findings:
            out.append(self.findings[activity_id])
        if activity_id in self.corrections:
            out.append(self.corrections[activity_id])
        for upstream in self.corrected_upstream(activity_id):
            row = self.activities.iloc[self.index[upstream]]
            out.append(
                f"its supply chain includes {row['name']} [{upstream}], "
                f"{self.corrections[upstream]}"
            )
        if activity_id in self.suspect:
            out.append(self.suspect[activity_id])
        if cut_offs and (caveat := self._own_cut_offs(activity_id)):
            out.append(caveat)
        return out

    def _own_cut_offs(self, activity_id: str) -> str:
        """The caveat about ``activity_id``'s own exchanges cut off ("" when none), cached."""
        cached: dict[str, str] = self._cut_off_caveats  # type: ignore[attr-defined]
        if activity_id in cached:
            return cached[activity_id]
        having: set[str] | None = self._cut_off_activities  # type: ignore[attr-defined]
        if having is None:
            having = set(self.cut_offs["activity"].tolist())
            object.__setattr__(self, "_cut_off_activities", having)
        caveat = ""
        if activity_id in having:
            own = self.cut_offs[self.cut_offs["activity"] == activity_id]
            reasons = "; ".join(f"{n} {r}" for r, n in own["reason"].value_counts().items())
            caveat = (
                f"{len(own)} exchange(s) of this activity are cut off, their burdens left out "
                f"({reasons})"
            )
        cached[activity_id] = caveat
        return caveat

    def corrected_upstream(self, activity_id: str) -> list[str]:
        """Corrected activities in the supply chain of ``activity_id`` (itself excluded), sorted."""
        if not self.corrections:
            return []
        upstream: dict[str, list[str]] | None = self._upstream  # type: ignore[attr-defined]
        if upstream is None:
            upstream = self._reaching_corrections()
            object.__setattr__(self, "_upstream", upstream)
        return upstream.get(activity_id, [])

    def _reaching_corrections(self) -> dict[str, list[str]]:
        """For each activity, the corrected activities it buys from, directly or indirectly."""
        consumers: dict[str, list[str]] = {}
        for consumer, supplier in zip(
            self.technosphere["consumer"], self.technosphere["supplier"], strict=True
        ):
            if consumer != supplier:
                consumers.setdefault(str(supplier), []).append(str(consumer))
        reach: dict[str, set[str]] = {}
        for corrected in self.corrections:
            stack, seen = [corrected], {corrected}
            while stack:
                for consumer in consumers.get(stack.pop(), []):
                    if consumer not in seen:
                        seen.add(consumer)
                        stack.append(consumer)
                        reach.setdefault(consumer, set()).add(corrected)
        return {a: sorted(c - {a}) for a, c in reach.items() if c - {a}}

    def find(
        self,
        *,
        id: str | None = None,
        name: str | None = None,
        location: str | None = None,
        where: str | None = None,
    ) -> pd.Series:
        """The activity with ``id`` (or an old id listed in ``aliases``), or with ``name``
        (case-insensitive) and ``location``.

        Raises:
            BackgroundError: not found (with the three nearest names) or ambiguous.
        """
        acts = self.activities
        if id is not None:
            current = id if id in self.index else self.aliases.get(id)
            if current is not None and current in self.index:
                rows: dict[str, pd.Series] = self._rows  # type: ignore[attr-defined]
                if current not in rows:
                    rows[current] = acts.iloc[self.index[current]]
                return rows[current]
            if name is None:
                raise BackgroundError(
                    f"no activity with id {id!r} in background {self.name!r}",
                    where=where,
                    fix="find ids with `footprint background list --search WORDS`",
                )
        assert name is not None
        hits = acts[acts["name"].str.casefold() == name.strip().casefold()]
        if location:
            hits = hits[hits["location"].str.casefold() == location.strip().casefold()]
        if len(hits) == 1:
            return hits.iloc[0]
        if len(hits) > 1:
            options = "; ".join(f"{r.id} ({r.location})" for r in hits.itertuples())
            raise BackgroundError(
                f"{len(hits)} activities named {name!r} in background {self.name!r}: {options}",
                where=where,
                fix="add 'location', or give the 'id' of the one you mean",
            )
        label = f"{name!r}" + (f" in {location!r}" if location else "")
        raise BackgroundError(
            f"no activity named {label} in background {self.name!r}; nearest: "
            + "; ".join(repr(n) for n in self.nearest(name)),
            where=where,
            fix="use one of the names above (with its location), or search with "
            "`footprint background list --search WORDS`",
        )

    def nearest(self, name: str, n: int = 3) -> list[str]:
        """The ``n`` activity names (with location) nearest to ``name``."""
        labels = [f"{r.name} [{r.location}]" for r in self.activities.itertuples()]
        names = list(self.activities["name"])
        close = difflib.get_close_matches(name, names, n=n, cutoff=0.0)
        return [labels[names.index(c)] for c in close]

    def search(self, text: str = "", location: str | None = None) -> pd.DataFrame:
        """Activities whose name (or Chinese name, where the background has ``name_zh``) contains
        every word of ``text``, optionally in ``location``.

        The location matches exactly (case-insensitive): ``CN-JS`` finds Jiangsu's rows only,
        not the national ``CN`` ones, so that factors of different levels are never mixed by a
        search; look the country up with its own code. A Chinese province matches in both code
        styles: ISO 3166-2 ``CN-JS`` and the ILCD location ``JS-CN`` (as TianGong writes it).
        """
        acts = self.activities
        mask = pd.Series(True, index=acts.index)
        names = [acts["name"].astype(str).str.casefold()]
        if "name_zh" in acts:
            names.append(acts["name_zh"].fillna("").astype(str).str.casefold())
        for word in text.casefold().split():
            found = pd.Series(False, index=acts.index)
            for column in names:
                found |= column.str.contains(word, regex=False)
            mask &= found
        if location:
            mask &= acts["location"].str.casefold().isin(same_place(location))
        return acts[mask]


def read_table_dir(directory: Path, name: str) -> Background:
    """Read a background stored as gzip CSV tables in ``directory`` (from their binary columnar
    copies where those match them, see :mod:`footprint.background.columnar`).

    Raises:
        BackgroundError: the directory is not a background.
    """
    if (
        not (directory / "activities.csv.gz").exists()
        and not (directory / "activities.csv").exists()
    ):
        raise BackgroundError(
            f"{directory} holds no background tables (activities.csv.gz)",
            fix="rebuild or re-import it",
        )
    report_path = directory / "build_report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    acts = read_table(directory, "activities", ACTIVITY_COLUMNS)
    cut_offs = pd.DataFrame(columns=CUT_OFF_COLUMNS)
    if any((directory / f"unlinked.{ext}").exists() for ext in ("csv.gz", "csv")):
        cut_offs = _cut_offs(
            read_table(directory, "unlinked", ["activity", "reason"], numeric=False)
        )
    suspect = {
        str(s["id"]): str(s["note"])
        if s.get("note")
        else f"its flagged reference product is {s.get('flagged_reference')!r}, which "
        "looks wrong for this activity; its results per unit are doubtful"
        for s in report.get("suspect_references", [])
    }
    for group in report.get("suspect_groups", []):  # one caveat shared by many activities
        for aid in group.get("ids", []):
            suspect[str(aid)] = str(group["note"])
    corrected = correction_caveats(report.get("corrections", []))
    findings: dict[str, str] = {}
    if (directory / FINDINGS_FILE).exists():
        table = pd.read_csv(directory / FINDINGS_FILE, dtype=str, keep_default_na=False)
        findings = dict(zip(table["activity"], table["finding"], strict=True))
    if "description_source" in acts and not acts["source"].any():
        acts["source"] = acts["description_source"]
    return Background(
        name=name,
        version=str(report.get("version", report.get("source_commit", "unversioned"))),
        activities=acts[ACTIVITY_COLUMNS + [c for c in OPTIONAL_ACTIVITY_COLUMNS if c in acts]],
        technosphere=_exchanges(directory, "technosphere", TECHNOSPHERE_COLUMNS),
        biosphere=_exchanges(directory, "biosphere", BIOSPHERE_COLUMNS),
        flows=read_table(directory, "flows", FLOW_COLUMNS)[FLOW_COLUMNS],
        sources=[str(s) for s in report.get("sources", [])],
        report=report,
        cut_offs=cut_offs,
        suspect=suspect,
        findings=findings,
        corrections=corrected,
    )


def _exchanges(directory: Path, stem: str, columns: list[str]) -> pd.DataFrame:
    """Exchange table ``stem``: ``columns``, and ``UNCERTAINTY_COLUMNS`` when it carries them."""
    frame = read_table(directory, stem, columns, only=columns + UNCERTAINTY_COLUMNS)
    if "uncertainty_type" not in frame:
        return frame[columns]
    for column in UNCERTAINTY_COLUMNS:
        if column not in frame:
            frame[column] = ""
    return frame[columns + UNCERTAINTY_COLUMNS]


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Exchange tables one after the other; rows of a table without distributions get none
    (:data:`NO_DISTRIBUTION`, as the rows of a table with them that carry none)."""
    joined = pd.concat(frames, ignore_index=True)
    return with_no_distribution(joined)


def with_no_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :data:`NO_DISTRIBUTION` in the empty uncertainty cells of its rows, when it
    has uncertainty columns (rows added without them, e.g. by a join or a proxy link)."""
    if "uncertainty_type" in frame:
        frame[UNCERTAINTY_COLUMNS] = frame[UNCERTAINTY_COLUMNS].fillna(NO_DISTRIBUTION)
    return frame


def combine(name: str, version: str, parts: list[Background]) -> Background:
    """One background made of several; a flow may be shared, an activity id may not.

    Raises:
        BackgroundError: two parts hold the same activity id (e.g. a database joined with a copy
            of itself), which would make links ambiguous.
    """
    activities = pd.concat([p.activities for p in parts], ignore_index=True)
    clashes = activities["id"][activities["id"].duplicated()]
    if len(clashes):
        names = " + ".join(p.name for p in parts)
        raise BackgroundError(
            f"the backgrounds {names} share {len(clashes)} activity id(s), e.g. "
            f"{clashes.iloc[0]!r}",
            fix="join backgrounds whose activities differ (not a database and a copy of it)",
        )
    return Background(
        name=name,
        version=version,
        activities=activities,
        technosphere=_joined([p.technosphere for p in parts]),
        biosphere=_joined([p.biosphere for p in parts]),
        flows=pd.concat([p.flows for p in parts], ignore_index=True).drop_duplicates("id"),
        sources=[s for p in parts for s in p.sources],
        report={
            "parts": {p.name: p.report for p in parts},
            "unlinked_by_reason": _merge_counts(parts),
            "ghg_not_characterised": [
                g for p in parts for g in p.report.get("ghg_not_characterised", [])
            ],
        },
        cut_offs=pd.concat([p.cut_offs for p in parts if len(p.cut_offs)] or [parts[0].cut_offs]),
        suspect={k: v for p in parts for k, v in p.suspect.items()},
        findings={k: v for p in parts for k, v in p.findings.items()},
        aliases={k: v for p in parts for k, v in p.aliases.items()},
        corrections={k: v for p in parts for k, v in p.corrections.items()},
    )


def _cut_offs(unlinked: pd.DataFrame) -> pd.DataFrame:
    """The unlinked table as cut-off rows (every reason kept), amounts as floats."""
    table = unlinked.reindex(columns=CUT_OFF_COLUMNS, fill_value="")
    table["amount"] = pd.to_numeric(table["amount"], errors="coerce")
    return table.reset_index(drop=True)


def _merge_counts(parts: list[Background]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in parts:
        for reason, n in part.report.get("unlinked_by_reason", {}).items():
            counts[reason] = counts.get(reason, 0) + int(n)
    return counts


@cache
def _province_codes() -> dict[str, str]:
    """ISO 3166-2:CN code ↔ ILCD location code of each province (both ways, casefolded)."""
    pairs: dict[str, str] = {}
    for row in data_rows("cn_subdivisions.csv"):
        iso, ilcd = row["iso"].casefold(), row["ilcd"].casefold()
        pairs[iso], pairs[ilcd] = ilcd, iso
    return pairs


def same_place(location: str) -> set[str]:
    """``location`` and its other spelling, casefolded (``CN-JS`` ↔ ``JS-CN``; see
    ``footprint/data/cn_subdivisions.csv``)."""
    code = location.strip().casefold()
    other = _province_codes().get(code)
    return {code, other} if other else {code}
