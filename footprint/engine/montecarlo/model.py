"""A product's Monte Carlo problem: its background as matrices, restricted to what it reaches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from footprint.background.store import Background
from footprint.engine.background_spread import table_distributions
from footprint.engine.intensities import background_system
from footprint.engine.montecarlo.cache import background_key, digest, remember
from footprint.engine.solver import factorise
from footprint.engine.system import LinkedSystem
from footprint.inventory.uncertainty import Distribution, DistributionArray


@dataclass(frozen=True)
class BackgroundModel:
    """A background as matrices: A₀ (csc), g = Bᵀc, and its exchanges that carry a distribution."""

    a: sparse.csc_matrix
    g: np.ndarray
    tech_rows: np.ndarray  # supplier of each sampled technosphere row
    tech_cols: np.ndarray  # consumer
    tech_amount: np.ndarray  # table amount (the matrix entry is −amount)
    tech_dist: list[Distribution]
    bio_cols: np.ndarray  # activity of each sampled biosphere row (only rows with a GWP)
    bio_cf: np.ndarray  # kg CO2e per unit of its flow
    bio_amount: np.ndarray
    bio_dist: list[Distribution]


def background_model(background: Background, gwp: str, key: str | None = None) -> BackgroundModel:
    """The matrices of ``background`` for ``gwp`` (kept by content: ``key`` is the background's
    :func:`~footprint.engine.montecarlo.cache.background_key`, computed when not given)."""
    key = background_key(background) if key is None else key
    return remember("model", digest(key, gwp), lambda: _model(background, gwp))


def _model(background: Background, gwp: str) -> BackgroundModel:
    system = background_system(background)
    cf = system.characterisation(gwp)
    n = system.n_background
    e = system.entries()
    values = np.where(e.tech_flip, -e.tech_values, e.tech_values)
    a = sparse.csc_matrix((values, (e.tech_rows, e.tech_cols)), shape=(n, n))
    b = sparse.csr_matrix((e.bio_values, (e.bio_rows, e.bio_cols)), shape=(len(cf), n))
    g = np.asarray(b.T @ cf, dtype=float)
    index = background.index
    tech_at, tech_dist = table_distributions(background.technosphere)
    tech = background.technosphere.iloc[tech_at]
    bio_at, bio_dist = table_distributions(background.biosphere)
    bio = background.biosphere.iloc[bio_at]
    bio_cf = cf[[system.flow_ids[str(f)] for f in bio["flow"]]] if len(bio) else np.zeros(0)
    keep = bio_cf != 0
    model = BackgroundModel(
        a=a,
        g=g,
        tech_rows=np.asarray([index[s] for s in tech["supplier"]], dtype=int),
        tech_cols=np.asarray([index[c] for c in tech["consumer"]], dtype=int),
        tech_amount=np.asarray(tech["amount"], dtype=float),
        tech_dist=tech_dist,
        bio_cols=np.asarray([index[x] for x in bio["activity"]], dtype=int)[keep],
        bio_cf=np.asarray(bio_cf, dtype=float)[keep],
        bio_amount=np.asarray(bio["amount"], dtype=float)[keep],
        bio_dist=[d for d, k in zip(bio_dist, keep, strict=True) if k],
    )
    return model


def without_distributions(model: BackgroundModel) -> BackgroundModel:
    """``model`` with no exchange sampled (the background at its mean)."""
    none = np.zeros(0, dtype=int)
    return replace(
        model,
        tech_rows=none,
        tech_cols=none,
        tech_amount=np.zeros(0),
        tech_dist=[],
        bio_cols=none,
        bio_cf=np.zeros(0),
        bio_amount=np.zeros(0),
        bio_dist=[],
    )


def reachable(a: sparse.csc_matrix, start: Sequence[int]) -> np.ndarray:
    """Sorted ids of the activities in ``start`` and every activity upstream of them."""
    seen = np.zeros(a.shape[0], dtype=bool)
    frontier = np.unique(np.asarray(start, dtype=int))
    while frontier.size:
        seen[frontier] = True
        upstream = np.concatenate([a.indices[a.indptr[j] : a.indptr[j + 1]] for j in frontier])
        frontier = np.unique(upstream[~seen[upstream]])
    return np.flatnonzero(seen)


# --- the problem one product poses ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Everything a block of iterations needs (picklable: shipped once to each Dask worker)."""

    key: str
    # foreground: n_f processes, matrix entries (signed), the sampled ones
    n_f: int
    reference: int
    demand: float
    f_rows: np.ndarray
    f_cols: np.ndarray
    f_values: np.ndarray
    f_at: np.ndarray
    f_dist: DistributionArray
    # line items: process, amount, GWP (emissions) or supplier slot (background), sampled ones
    l_process: np.ndarray
    l_amount: np.ndarray
    l_cf: np.ndarray
    l_slot: np.ndarray  # position in the k suppliers bought, −1 for emissions
    l_at: np.ndarray
    l_dist: DistributionArray
    # background restricted to the r reachable activities
    k: int
    slots: np.ndarray  # local index of each supplier bought
    lam: np.ndarray  # kg CO2e per unit of each supplier bought (mean background)
    x: np.ndarray  # r × k: A₀⁻¹ e_s
    g: np.ndarray  # r
    a: sparse.csc_matrix | None  # A₀ over R, when technosphere exchanges are sampled
    t_rows: np.ndarray
    t_cols: np.ndarray
    t_amount: np.ndarray
    t_dist: DistributionArray
    b_cols: np.ndarray
    b_cf: np.ndarray
    b_amount: np.ndarray
    b_dist: DistributionArray

    @property
    def sampled(self) -> dict[str, int]:
        """How many distributions are sampled, by source."""
        return {
            "inventory": len(self.f_dist) + len(self.l_dist),
            "background_technosphere": len(self.t_dist),
            "background_biosphere": len(self.b_dist),
        }


def factor(key: str, a: sparse.csc_matrix) -> Callable[[np.ndarray], np.ndarray]:
    """A solver for A₀ x = b (one factorisation per process and matrix ``key``, kept).

    :func:`footprint.engine.solver.factorise`: PARDISO or UMFPACK when installed, else SuperLU
    on A₀ᵀ with its default COLAMD ordering, solved transposed (LCA matrices factorise with far
    less fill that way than A₀ itself does).
    """
    return remember("factor", key, lambda: factorise(a, "direct").solve)


def _array(items: Sequence[Distribution]) -> DistributionArray:
    return DistributionArray.of(list(items))


def problem(system: LinkedSystem, cf: np.ndarray, model: BackgroundModel | None) -> Problem:
    """The problem the product of ``system`` poses (``model``: its background, None if unused)."""
    nb = system.n_background
    fg = [
        (i, r - nb, c - nb, -v if flip else v)
        for i, (r, c, v, flip) in enumerate(
            zip(
                system.tech_rows,
                system.tech_cols,
                system.tech_values,
                system.tech_flip,
                strict=True,
            )
        )
        if r >= nb and c >= nb
    ]
    f_at = [j for j, (i, *_) in enumerate(fg) if i in system.tech_uncertainty]
    f_dist = [system.tech_uncertainty[fg[j][0]].scaled(-1.0) for j in f_at]  # inputs: −amount
    suppliers = sorted({line.supplier for line in system.lines if line.kind == "background"})
    slot_of = {s: j for j, s in enumerate(suppliers)}
    lines = system.lines
    l_at = [j for j, line in enumerate(lines) if line.uncertainty is not None]
    if suppliers and model is not None:
        local_ids = reachable(model.a, suppliers)
        where = np.full(model.a.shape[0], -1, dtype=int)
        where[local_ids] = np.arange(local_ids.size)
        a_local = sparse.csc_matrix(model.a[local_ids][:, local_ids])
        slots = where[suppliers]
        key = digest(
            *(
                np.ascontiguousarray(v).tobytes()
                for v in (a_local.data, a_local.indices, a_local.indptr)
            )
        )
        solve = factor(key, a_local)
        unit = np.zeros((local_ids.size, len(suppliers)))
        unit[slots, np.arange(len(suppliers))] = 1.0
        x = np.asarray(solve(unit)).reshape(local_ids.size, len(suppliers))
        g = model.g[local_ids]
        lam = (x * g[:, None]).sum(axis=0)
        t_keep = np.flatnonzero(where[model.tech_cols] >= 0)
        b_keep = np.flatnonzero(where[model.bio_cols] >= 0)
        t_rows, t_cols = where[model.tech_rows[t_keep]], where[model.tech_cols[t_keep]]
        t_amount, t_dist = model.tech_amount[t_keep], [model.tech_dist[i] for i in t_keep]
        b_cols, b_cf = where[model.bio_cols[b_keep]], model.bio_cf[b_keep]
        b_amount, b_dist = model.bio_amount[b_keep], [model.bio_dist[i] for i in b_keep]
    else:
        key, a_local, slots = "", sparse.csc_matrix((0, 0)), np.zeros(0, dtype=int)
        x, g, lam = np.zeros((0, 0)), np.zeros(0), np.zeros(0)
        t_rows = t_cols = b_cols = np.zeros(0, dtype=int)
        t_amount = b_cf = b_amount = np.zeros(0)
        t_dist, b_dist = [], []
    return Problem(
        key=key,
        n_f=len(system.processes),
        reference=system.reference - nb,
        demand=system.demand,
        f_rows=np.asarray([e[1] for e in fg], dtype=int),
        f_cols=np.asarray([e[2] for e in fg], dtype=int),
        f_values=np.asarray([e[3] for e in fg], dtype=float),
        f_at=np.asarray(f_at, dtype=int),
        f_dist=_array(f_dist),
        l_process=np.asarray([line.process for line in lines], dtype=int),
        l_amount=np.asarray([line.amount for line in lines], dtype=float),
        l_cf=np.asarray(
            [cf[line.flow] if line.kind == "emission" else 0.0 for line in lines], dtype=float
        ),
        l_slot=np.asarray(
            [slot_of[line.supplier] if line.kind == "background" else -1 for line in lines],
            dtype=int,
        ),
        l_at=np.asarray(l_at, dtype=int),
        l_dist=_array([d for j in l_at if (d := lines[j].uncertainty) is not None]),
        k=len(suppliers),
        slots=np.asarray(slots, dtype=int),
        lam=lam,
        x=x,
        g=g,
        a=a_local if t_dist else None,
        t_rows=np.asarray(t_rows, dtype=int),
        t_cols=np.asarray(t_cols, dtype=int),
        t_amount=np.asarray(t_amount, dtype=float),
        t_dist=_array(t_dist),
        b_cols=np.asarray(b_cols, dtype=int),
        b_cf=np.asarray(b_cf, dtype=float),
        b_amount=np.asarray(b_amount, dtype=float),
        b_dist=_array(b_dist),
    )
