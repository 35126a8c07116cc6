"""The cut-offs a supply chain reaches: background exchanges left out of the system.

A background database lists the exchanges its conversion could not link (an input no activity
makes, a co-product without allocation, a waste without treatment …) with a reason. A footprint
reaches those of every activity in its supply chain; they are listed with the result, never
filtered, so that what is left out is visible next to what is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from footprint.background.store import CUT_OFF_COLUMNS, Background
from footprint.engine.result import CutOff


def _graph(background: Background) -> sparse.csr_matrix:
    """Consumer → supplier adjacency of the background (cached on the background)."""
    cached = getattr(background, "_supply_graph", None)
    if cached is not None:
        return cached
    n = len(background.activities)
    index = background.index
    tech = background.technosphere
    rows = np.fromiter((index[c] for c in tech["consumer"]), dtype=np.int64, count=len(tech))
    cols = np.fromiter((index[s] for s in tech["supplier"]), dtype=np.int64, count=len(tech))
    graph = sparse.csr_matrix((np.ones(len(tech)), (rows, cols)), shape=(n, n))
    object.__setattr__(background, "_supply_graph", graph)
    return graph


def reachable(background: Background, starts: Iterable[int]) -> np.ndarray:
    """Positions of the activities in the supply chains of ``starts`` (themselves included)."""
    starts = sorted(set(starts))
    if not starts or len(background.cut_offs) == 0:
        return np.array(starts, dtype=np.int64)
    graph = _graph(background)
    seen = np.zeros(graph.shape[0], dtype=bool)
    for start in starts:
        if not seen[start]:
            seen[breadth_first_order(graph, start, directed=True, return_predecessors=False)] = True
    return np.flatnonzero(seen)


def reached_cut_offs(
    background: Background, starts: Iterable[int], supply: np.ndarray | None = None
) -> list[CutOff]:
    """The cut-offs of every activity reachable from ``starts`` (background positions).

    ``supply`` (by background position, for the declared amount) scales each amount into
    ``reached``; without it ``reached`` is None.
    """
    table = background.cut_offs
    if len(table) == 0:
        return []
    ids = background.activities["id"].to_numpy()
    hit = table[table["activity"].isin(set(ids[reachable(background, starts)]))]
    out = []
    index = background.index
    for activity, name, flow, flow_name, amount, unit, reason in zip(
        *(hit[c].tolist() for c in CUT_OFF_COLUMNS), strict=True
    ):
        stated = None if amount != amount else float(amount)  # NaN: the amount was not stated
        reached = None
        if supply is not None and stated is not None:
            reached = float(supply[index[str(activity)]] * stated)
        out.append(
            CutOff(
                str(activity),
                str(name),
                str(flow_name or flow),
                stated,
                str(unit),
                str(reason),
                reached,
            )
        )
    return out


def summary(cut_offs: list[CutOff]) -> str | None:
    """One caveat line: how many exchanges the supply chain leaves out, and why."""
    if not cut_offs:
        return None
    activities = len({c.activity for c in cut_offs})
    parts = by_reason(cut_offs)
    return (
        f"the supply chain reaches {len(cut_offs)} cut-off exchange(s) in {activities} background "
        f"activit{'y' if activities == 1 else 'ies'}, whose burdens are not counted ({parts}); "
        "each is listed under cut_offs (--format json)"
    )


def by_reason(cut_offs: list[CutOff]) -> str:
    """How many cut-offs of each kind of reason, most frequent first ("52 unlinked product input, …")."""
    reasons = Counter(_reason_kind(c.reason) for c in cut_offs)
    return ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())


def _reason_kind(reason: str) -> str:
    """A reason without the ids it names ("ambiguous provider: <id> <id>" → "ambiguous provider")."""
    return reason.split(":", 1)[0].strip()
