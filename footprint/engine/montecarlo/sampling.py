"""Blocks of Monte Carlo iterations: draws, the foreground solve, the background refinement."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from footprint.engine.montecarlo.model import Problem, factor
from footprint.engine.solver import factorise
from footprint.errors import FootprintError
from footprint.inventory.uncertainty import DistributionArray

CHUNK = 200  # iterations per block (one random stream and one Dask task each)
TOLERANCE = 1e-10  # relative residual of the iterative background solves
MAX_STEPS = 50  # Richardson steps before a column falls back to GMRES


def draw(dist: DistributionArray, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws of each distribution of ``dist`` (rows: distributions)."""
    return dist.draw(rng, size) if len(dist) else np.zeros((0, size))


def foreground(problem: Problem, entries: np.ndarray, size: int) -> np.ndarray:
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
    p: Problem,
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
    p: Problem, deltas: np.ndarray, w: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, dict[str, int]]:
    """Solve (A₀ + Δᵢ) xᵢ = wᵢ for every column, starting from x = A₀⁻¹ w."""
    assert p.a is not None
    solve = factor(p.key, p.a)
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
    p: Problem,
    delta: np.ndarray,
    w: np.ndarray,
    x0: np.ndarray,
    solve: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, str]:
    """One column by GMRES (preconditioned with A₀), else directly."""
    from scipy.sparse.linalg import LinearOperator, gmres

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
        return np.asarray(factorise(matrix, "direct").solve(w)), "direct"
    except RuntimeError:
        raise FootprintError(
            "a sampled background technosphere matrix is singular",
            fix="check the distributions of the background's technosphere exchanges",
        ) from None


def block(
    problem: Problem, seed: np.random.SeedSequence, size: int
) -> tuple[np.ndarray, dict[str, int]]:
    """Footprint samples (kg CO2e) of one block of ``size`` iterations, from stream ``seed``."""
    p = problem
    rng = np.random.Generator(np.random.PCG64(seed))
    f_draws = draw(p.f_dist, rng, size)
    l_draws = draw(p.l_dist, rng, size)
    t_draws = draw(p.t_dist, rng, size)
    b_draws = draw(p.b_dist, rng, size)
    supply = foreground(p, f_draws, size)
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


def blocks(iterations: int) -> list[int]:
    """The sizes of the blocks of ``iterations`` (all :data:`CHUNK` but the last)."""
    return [min(CHUNK, iterations - start) for start in range(0, iterations, CHUNK)]


def run_dask(
    problem: Problem,
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
                client.submit(block, shared, s, n, pure=False)
                for s, n in zip(seeds, sizes, strict=True)
            ]
            results: list[tuple[np.ndarray, dict[str, int]]] = client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
    return results
