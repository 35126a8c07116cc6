"""Monte Carlo uncertainty of a product footprint (kg CO2e for the declared amount).

Each iteration samples the inventory's declared distributions (foreground amounts) and, with
``include_background``, the background's technosphere and biosphere exchanges that carry one
(optional columns of the background tables, see :mod:`footprint.background.importers.tables`).
Characterisation factors (GWP100) are fixed.

How it is computed, instead of re-building and re-factorising the whole system each iteration
as ``bw2calc.LCA(..., use_distributions=True)`` does:

* Only the background activities the product reaches matter: its suppliers and everything upstream
  of them (R). With A the technosphere and g = Bᵀc the kg CO2e of each activity's own exchanges,
  the background part of iteration i is gᵢᵀ xᵢ, where Aᵢ xᵢ = wᵢ and wᵢ is what the foreground buys.
* X = A₀⁻¹ [e_s] for the k activities bought is solved once (one factorisation of the mean matrix);
  then xᵢ = X wᵢ exactly when A is not sampled, so foreground and biosphere sampling cost a few
  small matrix products per block of iterations.
* When technosphere exchanges are sampled, xᵢ is refined by block Richardson iteration
  preconditioned with A₀'s factorisation (x ← x + A₀⁻¹(w − Aᵢx), all iterations of a block at
  once, one multi-right-hand-side solve per step) until ‖w − Aᵢx‖ ≤ 1e-10 ‖w‖. A column that
  does not converge falls back to GMRES with the same preconditioner, then to a direct solve.
* The foreground (a few processes) is solved densely, batched over the iterations of a block.

Reproducibility: iterations run in fixed blocks of :data:`CHUNK`; block j draws from its own stream
``SeedSequence(seed).spawn(n)[j]`` (PCG64), so a serial run and a Dask run (LocalCluster or a
scheduler) give identical samples. The inventory's draws come first in each block, so switching
the background off leaves them unchanged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.engine import background_spread
from footprint.engine.background_spread import table_dirs, table_distributions, with_uncertainty
from footprint.engine.methods import check_gwp
from footprint.engine.system import LinkedSystem, link
from footprint.errors import FootprintError
from footprint.inventory import Inventory, read_inventory
from footprint.inventory.uncertainty import Distribution, DistributionArray

CHUNK = 200  # iterations per block (one random stream and one Dask task each)
TOLERANCE = 1e-10  # relative residual of the iterative background solves
MAX_STEPS = 50  # Richardson steps before a column falls back to GMRES
PERCENTILES = (2.5, 50.0, 97.5)
UNIT = "kg CO2e"
NO_SPREAD = (
    "nothing in this inventory or its background carries a distribution: the spread is zero; "
    "declare `uncertainty:` on amounts, or use --background-uncertainty default"
)
NO_SPREAD_FOREGROUND = (
    "nothing in this inventory carries a distribution and the background was not sampled: the "
    "spread is zero; declare `uncertainty:` on amounts, or sample the background"
)
NO_EFFECT = "the distributions sampled do not change the footprint: the spread is zero"
NO_PROBABILITY = "no probability: every sample is the same footprint (the spread is zero)"


def differ(samples: np.ndarray) -> bool:
    """Whether ``samples`` differ by more than rounding (a relative 1e-9 of the largest)."""
    samples = np.asarray(samples, dtype=float)
    if samples.size < 2:
        return False
    return bool(np.ptp(samples) > 1e-9 * float(np.max(np.abs(samples))))


@dataclass(frozen=True)
class UncertaintyResult:
    """Monte Carlo samples of the footprint (kg CO2e for the declared amount) and their statistics.

    ``std`` is the sample standard deviation (n − 1); ``percentiles`` are keyed "2.5", "50" and
    "97.5" (linear interpolation between order statistics, numpy's default).
    """

    iterations: int
    seed: int
    samples: np.ndarray
    mean: float
    median: float
    std: float
    percentiles: dict[str, float]
    #: distributions sampled: inventory, background_technosphere, background_biosphere
    sampled: dict[str, int] = field(default_factory=dict)
    solver: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the sampling (not in ``to_dict``: it varies between runs)
    #: why there is no spread (nothing sampled carries a distribution), else ""
    note: str = ""
    #: the default spread given to background exchanges without a distribution, when asked
    background_default: dict[str, Any] | None = None

    @classmethod
    def from_samples(
        cls,
        samples: np.ndarray,
        seed: int,
        sampled: dict[str, int] | None = None,
        solver: dict[str, Any] | None = None,
        seconds: float = 0.0,
        *,
        note: str = "",
        background_default: dict[str, Any] | None = None,
    ) -> UncertaintyResult:
        """Statistics of ``samples`` (kg CO2e)."""
        samples = np.asarray(samples, dtype=float)
        if samples.size == 0:
            raise ValueError("no samples")
        values = np.percentile(samples, PERCENTILES)
        shifted = samples - samples[0]  # exact statistics when every sample is the same
        return cls(
            iterations=int(samples.size),
            seed=int(seed),
            samples=samples,
            mean=float(samples[0] + np.mean(shifted)),
            median=float(np.median(samples)),
            std=float(np.std(shifted, ddof=1)) if samples.size > 1 else 0.0,
            percentiles={f"{p:g}": float(v) for p, v in zip(PERCENTILES, values, strict=True)},
            sampled=dict(sampled or {}),
            solver=dict(solver or {}),
            seconds=seconds,
            note=note,
            background_default=background_default,
        )

    @property
    def sources(self) -> str:
        """What was sampled: ``inventory``, ``background``, ``inventory and background`` or ``none``."""
        inventory = self.sampled.get("inventory", 0) > 0
        background = (
            self.sampled.get("background_technosphere", 0)
            + self.sampled.get("background_biosphere", 0)
            > 0
        )
        if inventory and background:
            return "inventory and background"
        return "inventory" if inventory else ("background" if background else "none")

    @property
    def has_spread(self) -> bool:
        """Whether the samples differ beyond rounding (else nothing sampled changes the footprint)."""
        return differ(self.samples)

    def probability_at_most(self, threshold: float) -> float:
        """Share of the samples at or below ``threshold`` (kg CO2e for the declared amount)."""
        return float(np.count_nonzero(self.samples <= threshold) / self.samples.size)

    def chance_at_most(self, threshold: float) -> float | None:
        """:meth:`probability_at_most`, or None when there is no spread to give a probability."""
        return self.probability_at_most(threshold) if self.has_spread else None

    def to_dict(
        self, *, threshold: float | None = None, include_samples: bool = False
    ) -> dict[str, Any]:
        """JSON-ready statistics (kg CO2e); with ``threshold``, the probability of meeting it
        (null, with ``probability_note``, when nothing sampled carries a distribution)."""
        out: dict[str, Any] = {
            "method": "Monte Carlo",
            "iterations": self.iterations,
            "seed": self.seed,
            "unit": UNIT,
            "mean": self.mean,
            "median": self.median,
            "std": self.std,
            "p2_5": self.percentiles["2.5"],
            "p50": self.percentiles["50"],
            "p97_5": self.percentiles["97.5"],
            "sources": self.sources,
            "note": self.note or None,
            "sampled_distributions": dict(self.sampled),
            "background_default": self.background_default,
            "solver": dict(self.solver),
        }
        if threshold is not None:
            out["threshold"] = {"value": float(threshold), "unit": UNIT}
            out["probability_meeting_threshold"] = self.chance_at_most(threshold)
            if not self.has_spread:
                out["probability_note"] = NO_PROBABILITY
        if include_samples:
            out["samples"] = [float(v) for v in self.samples]
        return out


@dataclass(frozen=True)
class _BackgroundModel:
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


_MODELS: dict[tuple[int, str], tuple[Background, _BackgroundModel]] = {}


def _background_model(background: Background, gwp: str) -> _BackgroundModel:
    """The matrices of ``background`` for ``gwp`` (the last few are kept)."""
    key = (id(background), gwp)
    if key in _MODELS and _MODELS[key][0] is background:
        return _MODELS[key][1]
    from footprint.engine.intensities import _system

    system = _system(background)
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
    model = _BackgroundModel(
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
    while len(_MODELS) >= 4:
        del _MODELS[next(iter(_MODELS))]
    _MODELS[key] = (background, model)
    return model


def _without_distributions(model: _BackgroundModel) -> _BackgroundModel:
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
class _Problem:
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
        return {
            "inventory": len(self.f_dist) + len(self.l_dist),
            "background_technosphere": len(self.t_dist),
            "background_biosphere": len(self.b_dist),
        }


_FACTORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {}


def _factor(key: str, a: sparse.csc_matrix) -> Callable[[np.ndarray], np.ndarray]:
    """A solver for A₀ (factorised once per process and matrix).

    PARDISO or UMFPACK when installed (:func:`footprint.engine.intensities.factorize`); else SuperLU
    on A₀ᵀ with its default COLAMD ordering, solved transposed: LCA matrices factorise with far
    less fill that way than A₀ itself does.
    """
    if key not in _FACTORS:
        from importlib.util import find_spec

        while len(_FACTORS) >= 2:
            del _FACTORS[next(iter(_FACTORS))]
        if find_spec("pypardiso") or (find_spec("scikits") and find_spec("scikits.umfpack")):
            from footprint.engine.intensities import factorize

            _FACTORS[key] = factorize(a)[0]
        else:
            from scipy.sparse.linalg import splu

            lu = splu(sparse.csc_matrix(a.T))
            _FACTORS[key] = lambda b: np.asarray(lu.solve(np.asarray(b, dtype=float), trans="T"))
    return _FACTORS[key]


def _array(items: Sequence[Distribution]) -> DistributionArray:
    return DistributionArray.of(list(items))


def _problem(system: LinkedSystem, cf: np.ndarray, model: _BackgroundModel | None) -> _Problem:
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
        key = hashlib.sha256(
            b"".join(
                np.ascontiguousarray(v).tobytes()
                for v in (a_local.data, a_local.indices, a_local.indptr)
            )
        ).hexdigest()
        solve = _factor(key, a_local)
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
    return _Problem(
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


# --- one block of iterations ------------------------------------------------------------------


def _draw(dist: DistributionArray, rng: np.random.Generator, size: int) -> np.ndarray:
    return dist.draw(rng, size) if len(dist) else np.zeros((0, size))


def _foreground(problem: _Problem, entries: np.ndarray, size: int) -> np.ndarray:
    """Supply of each foreground process (n_f × size)."""
    p = problem
    if not len(p.f_at):
        a = np.zeros((p.n_f, p.n_f))
        np.add.at(a, (p.f_rows, p.f_cols), p.f_values)
        demand = np.zeros(p.n_f)
        demand[p.reference] = p.demand
        return np.repeat(np.linalg.solve(a, demand)[:, None], size, axis=1)
    values = np.repeat(p.f_values[:, None], size, axis=1)
    values[p.f_at] = entries
    stack = np.zeros((size, p.n_f, p.n_f))
    for e in range(values.shape[0]):
        stack[:, p.f_rows[e], p.f_cols[e]] += values[e]
    demand = np.zeros((size, p.n_f, 1))
    demand[:, p.reference, 0] = p.demand
    try:
        supply = np.linalg.solve(stack, demand)[..., 0]
    except np.linalg.LinAlgError:
        raise FootprintError(
            "a sampled foreground has no solution (its processes consume all they make)",
            fix="narrow the distributions of inputs between foreground processes",
        ) from None
    return np.ascontiguousarray(supply.T)


def _weighted_columns(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j x[:, j] ⊗ weights[j]: x @ weights, in a fixed order (identical wherever it runs)."""
    out = np.zeros((x.shape[0], weights.shape[1]))
    for j in range(x.shape[1]):
        out += x[:, j, None] * weights[j]
    return out


def _residual(
    p: _Problem,
    scatter: sparse.csr_matrix,
    deltas: np.ndarray,
    w: np.ndarray,
    x: np.ndarray,
    columns: np.ndarray,
) -> np.ndarray:
    """w − (A₀ + Δᵢ) xᵢ for ``columns``, a few at a time (Δ has one row per sampled exchange)."""
    assert p.a is not None
    out: np.ndarray = w[:, columns] - p.a @ x[:, columns]
    step = 16
    for start in range(0, columns.size, step):
        part = columns[start : start + step]
        out[:, start : start + step] -= scatter @ (
            deltas[:, part] * x[p.t_cols[:, None], part[None, :]]
        )
    return out


def _refine(
    p: _Problem, deltas: np.ndarray, w: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, dict[str, int]]:
    """Solve (A₀ + Δᵢ) xᵢ = wᵢ for every column, starting from x = A₀⁻¹ w."""
    assert p.a is not None
    solve = _factor(p.key, p.a)
    r = p.a.shape[0]
    scatter = sparse.csr_matrix(
        (np.ones(len(p.t_rows)), (p.t_rows, np.arange(len(p.t_rows)))), shape=(r, len(p.t_rows))
    )
    scale = np.linalg.norm(w, axis=0)
    active = np.flatnonzero(scale > 0)
    stats = {"richardson_steps": 0, "gmres": 0, "direct": 0}
    previous = np.full(w.shape[1], np.inf)
    for step in range(MAX_STEPS + 1):
        if not active.size:
            break
        residual = _residual(p, scatter, deltas, w, x, active)
        norm = np.linalg.norm(residual, axis=0) / scale[active]
        done = norm <= TOLERANCE
        stuck = ~done & (norm >= previous[active])  # not contracting: leave it to GMRES
        previous[active] = norm
        go = ~done & ~stuck
        if step == MAX_STEPS:
            go[:] = False
            stuck = ~done
        if go.any():
            x[:, active[go]] += np.asarray(solve(residual[:, go])).reshape(r, -1)
            stats["richardson_steps"] += int(go.sum())
        for column in active[stuck]:
            x[:, column], how = _fallback(p, deltas[:, column], w[:, column], x[:, column], solve)
            stats[how] += 1
        active = active[go]
    return x, stats


def _fallback(
    p: _Problem,
    delta: np.ndarray,
    w: np.ndarray,
    x0: np.ndarray,
    solve: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, str]:
    """One column by GMRES (preconditioned with A₀), else directly."""
    from scipy.sparse.linalg import LinearOperator, gmres, splu

    assert p.a is not None
    r = p.a.shape[0]
    matrix = sparse.csc_matrix(p.a + sparse.csc_matrix((delta, (p.t_rows, p.t_cols)), shape=(r, r)))
    target = TOLERANCE * float(np.linalg.norm(w))
    precondition = LinearOperator(
        (r, r), matvec=lambda v: np.asarray(solve(v)).ravel(), dtype=float
    )
    x, info = gmres(
        matrix, w, x0=x0, M=precondition, rtol=TOLERANCE, atol=0.0, restart=50, maxiter=20
    )
    if info == 0 and np.linalg.norm(w - matrix @ x) <= target:
        return np.asarray(x), "gmres"
    try:
        return np.asarray(splu(sparse.csc_matrix(matrix.T)).solve(w, trans="T")), "direct"
    except RuntimeError:
        raise FootprintError(
            "a sampled background technosphere matrix is singular",
            fix="check the distributions of the background's technosphere exchanges",
        ) from None


def _block(
    problem: _Problem, seed: np.random.SeedSequence, size: int
) -> tuple[np.ndarray, dict[str, int]]:
    """Footprint samples (kg CO2e) of one block of ``size`` iterations, from stream ``seed``."""
    p = problem
    rng = np.random.Generator(np.random.PCG64(seed))
    f_draws = _draw(p.f_dist, rng, size)
    l_draws = _draw(p.l_dist, rng, size)
    t_draws = _draw(p.t_dist, rng, size)
    b_draws = _draw(p.b_dist, rng, size)
    supply = _foreground(p, f_draws, size)
    amounts = np.repeat(p.l_amount[:, None], size, axis=1)
    amounts[p.l_at] = l_draws
    coef = supply[p.l_process] * amounts
    total = (coef * p.l_cf[:, None]).sum(axis=0)
    stats = {"richardson_steps": 0, "gmres": 0, "direct": 0}
    if not p.k:
        return total, stats
    bought = np.zeros((p.k, size))
    for j in np.flatnonzero(p.l_slot >= 0):
        bought[p.l_slot[j]] += coef[j]
    if not len(p.t_dist):
        total = total + (p.lam[:, None] * bought).sum(axis=0)
        if len(p.b_dist):
            x_at = _weighted_columns(p.x[p.b_cols], bought)
            change = (b_draws - p.b_amount[:, None]) * p.b_cf[:, None]
            total = total + (change * x_at).sum(axis=0)
        return total, stats
    x = _weighted_columns(p.x, bought)
    w = np.zeros_like(x)
    w[p.slots] = bought
    deltas = t_draws  # A entries are −amount: Δ = −(draw − amount), in place
    deltas -= p.t_amount[:, None]
    np.negative(deltas, out=deltas)
    x, stats = _refine(p, deltas, w, x)
    g = np.repeat(p.g[:, None], size, axis=1)
    for e in range(len(p.b_cols)):
        g[p.b_cols[e]] += (b_draws[e] - p.b_amount[e]) * p.b_cf[e]
    return total + (g * x).sum(axis=0), stats


def _blocks(iterations: int) -> list[int]:
    return [min(CHUNK, iterations - start) for start in range(0, iterations, CHUNK)]


def _run_dask(
    problem: _Problem,
    seeds: list[np.random.SeedSequence],
    sizes: list[int],
    workers: int | None,
    scheduler: str | None,
) -> list[tuple[np.ndarray, dict[str, int]]]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(scheduler or cluster) as client:  # type: ignore[no-untyped-call]
            shared = client.scatter(problem, broadcast=True)
            futures = [
                client.submit(_block, shared, s, n, pure=False)
                for s, n in zip(seeds, sizes, strict=True)
            ]
            results: list[tuple[np.ndarray, dict[str, int]]] = client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
    return results


def monte_carlo(
    inventory: Inventory | str | Path,
    *,
    iterations: int,
    seed: int,
    gwp: str = "ar6",
    background: Background | str = "default",
    data_dir: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    include_background: bool = True,
    background_uncertainty: str | None = None,
) -> UncertaintyResult:
    """Monte Carlo samples of the footprint of the inventory's declared amount (kg CO2e).

    Args:
        iterations: number of samples (at least 1).
        seed: non-negative integer; the same seed gives the same samples, serial or on Dask.
        background: a :class:`Background` (its tables' uncertainty columns are used when present)
            or its name (the uncertainty columns are read from its table files).
        workers: run the blocks on a Dask LocalCluster with this many worker processes.
        scheduler: address of an existing Dask scheduler (e.g. ``tcp://10.0.0.5:8786``).
        include_background: also sample the background exchanges that carry a distribution.
        background_uncertainty: ``"default"`` gives every background exchange without a
            distribution the documented default lognormal
            (:mod:`footprint.engine.background_spread`); ``None`` or ``"none"`` (the default)
            samples only the distributions the data carry.

    Raises:
        FootprintError: as :func:`footprint.engine.calculate.calculate`, bad iterations/seed, an
            unknown ``background_uncertainty``, or the default spread without the background.
    """
    gwp = check_gwp(gwp)
    spread = background_spread.wanted(background_uncertainty)
    if spread and not include_background:
        raise FootprintError(
            "background_uncertainty='default' spreads the background, which "
            "include_background=False leaves out",
            fix="drop one of the two",
        )
    if iterations < 1:
        raise FootprintError(f"iterations must be at least 1, got {iterations}")
    if seed < 0:
        raise FootprintError(f"the seed must be a non-negative integer, got {seed}")
    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    uses_background = any(i.background for p in inventory.processes for i in p.inputs)
    if isinstance(background, str):
        name = background
        if uses_background:
            background = load_background(name, data_dir)
            if include_background:
                background = with_uncertainty(background, table_dirs(name, data_dir))
        else:
            background = Background.empty(f"none (foreground only; {name} not needed)")
    if spread and uses_background:
        background = background_spread.with_default_spread(background)
    system = link(inventory, background, with_background=False)
    cf = system.characterisation(gwp)
    model = _background_model(background, gwp) if uses_background else None
    if model is not None and not include_background:
        model = _without_distributions(model)
    started = time.perf_counter()
    problem = _problem(system, cf, model)
    sizes = _blocks(iterations)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    if workers is None and scheduler is None:
        results = [_block(problem, s, n) for s, n in zip(seeds, sizes, strict=True)]
    else:
        results = _run_dask(problem, seeds, sizes, workers, scheduler)
    samples = np.concatenate([r[0] for r in results])
    steps = {
        key: sum(r[1][key] for r in results) for key in ("richardson_steps", "gmres", "direct")
    }
    solver = {
        "blocks": len(sizes),
        "block_size": CHUNK,
        "reachable_background_activities": int(problem.x.shape[0]),
        "background_activities_bought": problem.k,
        "technosphere": (
            f"Richardson iteration preconditioned with A0's factorisation, rtol {TOLERANCE:g}"
            if problem.a is not None
            else "mean matrix, one factorisation"
        ),
        **steps,
    }
    note = ""
    if not any(problem.sampled.values()):
        note = NO_SPREAD if include_background else NO_SPREAD_FOREGROUND
    elif samples.size > 1 and not differ(samples):
        note = NO_EFFECT
    return UncertaintyResult.from_samples(
        samples,
        seed,
        problem.sampled,
        solver,
        time.perf_counter() - started,
        note=note,
        background_default=background_spread.describe() if spread else None,
    )
