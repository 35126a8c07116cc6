"""Reviewed links across databases: inputs of one database that reach no producer there, supplied
by a named activity of another database joined with it (``--background default+tiangong``).

A mapping file, ``proxies.csv``, is kept beside the database whose inputs it links (e.g.
``inventories/background/tiangong/proxies.csv``, or the directory of a database imported with
``footprint import``). One reviewed link per row:

=======================  ==========================================================================
column                   meaning
=======================  ==========================================================================
``flow``                 id of the input flow, as in the ``flow`` column of the database's
                         ``unlinked.csv.gz`` (an input left out as ``unlinked product input`` or
                         ``ambiguous provider``)
``flow_name``            its name there (checked, so that a row cannot link another flow)
``consumer``             id of the one activity whose input is linked; empty: every activity of
                         the database with this unlinked input
``provider_background``  the joined database that supplies it (``default``, ``tiangong``, the name
                         of an imported database, or the database itself to settle an ambiguous
                         provider)
``provider_id``          the supplying activity's id in that database
``reason``               why this provider stands in for the missing one (required)
``reviewer_note``        short summary, shown as the ``proxy: ...`` caveat of results
=======================  ==========================================================================

The unlinked amount is converted from its unit to the provider's reference unit (``kg`` to ``t``,
``MJ`` to ``kWh`` ...); a row whose units measure different things is refused. A row applies only
when its provider's database is part of the join, so ``--background tiangong`` alone is unchanged.
Each linked activity carries a ``proxy: ...`` caveat, and every result whose supply chain reaches it
shows the caveat among its warnings (the same way as a reviewed correction, see
:meth:`Background.caveats <footprint.background.store.Background.caveats>`). A join that applies
links has ``+proxies@<digest of the files>`` in its version. A link carries no distribution of
its own (the tables' no-distribution cells, uncertainty type 0). Re-importing the database with
``footprint import --replace`` keeps the file and checks it against the new tables first
(:func:`check_proxies`; see :mod:`footprint.background.importer`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from footprint.background.importers.reviewed_csv import reviewed_rows
from footprint.background.store import Background, with_no_distribution
from footprint.errors import BackgroundError, UnitError, locate
from footprint.units import convert, quantity

__all__ = ["COLUMNS", "FILE_NAME", "Proxy", "apply_proxies", "check_proxies", "read_proxies"]

FILE_NAME = "proxies.csv"
COLUMNS = (
    "flow",
    "flow_name",
    "consumer",
    "provider_background",
    "provider_id",
    "reason",
    "reviewer_note",
)
#: The cut-off reasons a proxy may replace: inputs that reach no single producer.
LINKABLE = ("unlinked product input", "ambiguous provider")
_REQUIRED = ("flow", "provider_background", "provider_id", "reason")


@dataclass(frozen=True)
class Proxy:
    """One reviewed link (``path``, ``line``: where it is written)."""

    path: Path
    line: int
    flow: str
    flow_name: str
    consumer: str
    provider_background: str
    provider_id: str
    reason: str
    reviewer_note: str

    def where(self, field: str) -> str:
        return locate(self.path, self.line, field)


def read_proxies(path: Path) -> list[Proxy]:
    """The rows of the mapping file ``path``.

    Raises:
        BackgroundError: no such file, a column missing, a required field empty, or two rows
            linking the same input of the same consumer.
    """
    out: list[Proxy] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in reviewed_rows(path, COLUMNS, "proxy mapping file"):
        for column in _REQUIRED:
            if not row[column].strip():
                raise BackgroundError(
                    f"{column} is empty",
                    where=locate(path, line, column),
                    fix="fill it in, or delete the row"
                    + (": every proxy link needs its reason" if column == "reason" else ""),
                )
        proxy = Proxy(path, line, **{c: row[c].strip() for c in COLUMNS})
        key = (proxy.flow, proxy.consumer)
        if key in seen:
            raise BackgroundError(
                f"duplicate link of flow {proxy.flow!r}"
                + (f" for consumer {proxy.consumer!r}" if proxy.consumer else "")
                + f" (also on line {seen[key]})",
                where=proxy.where("flow"),
                fix="keep one row per input flow and consumer",
            )
        seen[key] = line
        out.append(proxy)
    return out


def apply_proxies(
    joined: Background, parts: Sequence[Background], files: Sequence[Path | None]
) -> Background:
    """``joined`` (the join of ``parts``) with the links of each part's mapping file (``files``,
    one per part, None for none) whose provider database is among ``parts``.

    Raises:
        BackgroundError: a row names an unknown consumer or provider, its flow is not an
            unlinked input of the database (or has another name there), or its units measure
            different things.
    """
    names = {p.name: p for p in parts}
    joined = replace(joined, cut_offs=joined.cut_offs.reset_index(drop=True))
    applied: list[Proxy] = []
    links: list[dict[str, object]] = []
    linked = pd.Series(False, index=joined.cut_offs.index)
    notes: dict[str, list[str]] = {}
    kinds = _kinds(joined.cut_offs)
    for part, path in zip(parts, files, strict=True):
        if path is None or not path.is_file():
            continue
        own = set(part.activities["id"])
        for proxy in read_proxies(path):
            if proxy.provider_background not in names:
                continue  # its provider is not joined: the input stays a cut-off
            provider = _provider(proxy, names[proxy.provider_background])
            hit = _matches(proxy, joined, own, kinds)
            for position in hit.index:
                row = joined.cut_offs.loc[position]
                amount = _converted(proxy, row, str(provider["unit"]))
                links.append(
                    {"consumer": row["activity"], "supplier": provider["id"], "amount": amount}
                )
                note = (
                    f"proxy: its input {row['flow_name'] or row['flow']!r} is supplied by "
                    f"{provider['name']} [{provider['id']}] of {proxy.provider_background} "
                    f"({proxy.reviewer_note or proxy.reason}; {path.name} line {proxy.line})"
                )
                notes.setdefault(str(row["activity"]), []).append(note)
            linked |= joined.cut_offs.index.isin(hit.index)
            applied.append(proxy)
    if not applied:
        return joined
    corrections = dict(joined.corrections)
    for activity, caveats in notes.items():
        corrections[activity] = "; ".join(filter(None, [corrections.get(activity), *caveats]))
    digest = hashlib.sha256()
    for path in sorted({p.path for p in applied}):
        digest.update(path.read_bytes())
    report = dict(joined.report)
    report["proxies"] = [
        {
            "file": str(p.path),
            "line": p.line,
            "flow": p.flow,
            "consumer": p.consumer,
            "provider": f"{p.provider_background}:{p.provider_id}",
        }
        for p in applied
    ]
    return replace(
        joined,
        version=f"{joined.version}+proxies@{digest.hexdigest()[:8]}",
        technosphere=with_no_distribution(  # a link carries no distribution of its own
            pd.concat(
                [
                    joined.technosphere,
                    pd.DataFrame(links, columns=list(joined.technosphere.columns)),
                ],
                ignore_index=True,
            )
        ),
        cut_offs=joined.cut_offs[~linked].reset_index(drop=True),
        corrections=corrections,
        report=report,
    )


def check_proxies(path: Path, background: Background) -> list[Proxy]:
    """The rows of the mapping file ``path``, checked against ``background``, the database it
    lies beside (e.g. its tables as re-imported): each row's consumer, its flow as an unlinked
    input of that name and, for a provider in the database itself, the provider. Rows whose
    provider is in another database are checked when they are joined.

    Raises:
        BackgroundError: the file is malformed (see :func:`read_proxies`), or rows no longer
            match: all of them are named in the message, ``where`` is the first (file, line,
            field).
    """
    proxies = read_proxies(path)
    own = set(background.activities["id"])
    kinds = _kinds(background.cut_offs)
    stale: list[BackgroundError] = []
    for proxy in proxies:
        try:
            _matches(proxy, background, own, kinds)
        except BackgroundError as exc:
            stale.append(exc)
        if proxy.provider_background == background.name:
            try:
                _provider(proxy, background)
            except BackgroundError as exc:
                stale.append(exc)
    if stale:
        listed = "; ".join(
            f"{str(exc.where).removeprefix(f'{path}, ')}: {exc.what}" for exc in stale
        )
        raise BackgroundError(
            f"{path.name} does not match the tables of {background.name!r} "
            f"({len(stale)} problem(s)): {listed}",
            where=stale[0].where,
            fix=f"correct or delete these rows of {path} (a row whose input the new data "
            "links is no longer needed); " + (stale[0].fix or ""),
        )
    return proxies


def _kinds(cut_offs: pd.DataFrame) -> pd.Series:
    """The reason of each cut-off, up to its first colon."""
    return cut_offs["reason"].astype(str).str.split(":", n=1).str[0].str.strip()


def _provider(proxy: Proxy, background: Background) -> pd.Series:
    if proxy.provider_id not in background.index:
        raise BackgroundError(
            f"no activity with id {proxy.provider_id!r} in background "
            f"{proxy.provider_background!r}",
            where=proxy.where("provider_id"),
            fix="find the id with `footprint background list --search WORDS --background "
            f"{proxy.provider_background}`",
        )
    return background.activities.iloc[background.index[proxy.provider_id]]


def _matches(proxy: Proxy, joined: Background, own: set[str], kinds: pd.Series) -> pd.DataFrame:
    """The cut-offs of the database's own activities that ``proxy`` links."""
    if proxy.consumer and proxy.consumer not in own:
        raise BackgroundError(
            f"no activity with id {proxy.consumer!r} in the database of this file",
            where=proxy.where("consumer"),
            fix="give the id of the activity whose input is linked, or leave consumer empty",
        )
    cut = joined.cut_offs
    mask = (cut["flow"] == proxy.flow) & cut["activity"].isin(own) & kinds.isin(LINKABLE)
    if proxy.consumer:
        mask &= cut["activity"] == proxy.consumer
    hit = cut[mask]
    if hit.empty:
        raise BackgroundError(
            f"flow {proxy.flow!r} is not an unlinked input"
            + (f" of {proxy.consumer!r}" if proxy.consumer else "")
            + f" in this database (reasons linked: {', '.join(LINKABLE)})",
            where=proxy.where("flow"),
            fix="give the flow id as in the database's unlinked.csv.gz, or delete the row "
            "(its input may have been linked by a rebuild)",
        )
    named = set(hit["flow_name"].astype(str))
    if proxy.flow_name and proxy.flow_name not in named:
        raise BackgroundError(
            f"flow {proxy.flow!r} is called {sorted(named)[0]!r} in this database, "
            f"not {proxy.flow_name!r}",
            where=proxy.where("flow_name"),
            fix="check that the row links the flow you mean, and copy its name",
        )
    return hit


def _converted(proxy: Proxy, row: pd.Series, unit: str) -> float:
    """The cut-off amount per unit of its consumer, in the provider's unit."""
    where = proxy.where("provider_id")
    try:
        stated = quantity(float(row["amount"]), str(row["unit"]) or "dimensionless")
        return convert(stated, unit, where=where)
    except UnitError as exc:
        raise BackgroundError(
            f"the input is stated in {row['unit'] or 'no unit'!r} but the provider's "
            f"reference unit is {unit!r}: {exc.what}",
            where=where,
            fix="choose a provider measured in the same kind of unit (mass for mass, energy "
            "for energy)",
        ) from exc
