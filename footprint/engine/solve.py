"""Solve a linked system with bw2calc on in-memory bw_processing datapackages."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from footprint.engine.solver import factorise, load_lca, solver_info
from footprint.engine.system import LinkedSystem
from footprint.errors import BackgroundError


@dataclass
class Solution:
    """Supply of every activity and the bucketed intensity of background activities."""

    supply: np.ndarray  # by activity id
    score: float  # kg CO2e, from bw2calc's characterised inventory
    category_intensity: np.ndarray  # activity id × category, kg CO2e per unit of activity
    categories: list[tuple[str, str]]  # (gas, bucket) per column
    solver: dict[str, Any]
    energy_intensity: np.ndarray  # activity id, MJ primary energy per unit of activity
    #: kg CO2e emitted by each activity id itself for the demand (bw2calc's characterised
    #: inventory summed per activity); None when not computed (the fast path)
    activity_scores: np.ndarray | None = None


def category_matrix(
    system: LinkedSystem, cf: np.ndarray
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    from footprint.engine.methods import bucket

    categories: list[tuple[str, str]] = []
    column: dict[tuple[str, str], int] = {}
    rows, cols, vals = [], [], []
    for flow, (gas, origin, kind, _) in enumerate(system.flow_info):
        if cf[flow] == 0:
            continue
        key = (gas, bucket(origin, kind))
        if key not in column:
            column[key] = len(categories)
            categories.append(key)
        rows.append(flow)
        cols.append(column[key])
        vals.append(cf[flow])
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(cf), max(len(categories), 1)))
    return matrix.toarray(), categories


def _singular(system: LinkedSystem, exc: BaseException) -> BackgroundError:
    """The error for a technosphere matrix that cannot be solved (singular)."""
    return BackgroundError(
        f"the technosphere matrix of this product and background {system.background.name!r} "
        f"cannot be solved: it is singular ({exc}); a loop of activities that need all they make "
        "(an activity buying its own product, or two that only supply each other) has no solution",
        where=f"background {system.background.name}",
        fix="check the background's self-inputs and loops (footprint background show ID lists "
        "what an activity buys), or link the input to another provider",
    )


def solve(system: LinkedSystem, cf: np.ndarray) -> Solution:
    """Solve the system for its demand with bw2calc, and the background's intensities by category.

    One factorisation of bw2calc's technosphere matrix A serves both: bw2calc solves A x = d with
    it, and the intensities come from one transposed solve for every (gas, ISO bucket) category:
    λ = A⁻ᵀ Bᵀ C. The result records the solver that factorised it.
    """
    e = system.entries()
    lca = load_lca(e, cf, {system.reference: system.demand})
    try:  # one factorisation (of Aᵀ) for bw2calc's inventory and for the intensities
        factor = factorise(lca.technosphere_matrix)
    except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
        raise _singular(system, exc) from None
    lca.solver = factor.solve  # bw2calc's solve_linear_system uses it instead of its own
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        try:
            lca.lci()
        except (RuntimeError, ValueError, np.linalg.LinAlgError) as exc:
            raise _singular(system, exc) from None
        lca.lcia()
    n = int(max(e.tech_rows.max(), e.tech_cols.max())) + 1 if e.tech_rows.size else 0
    col_of = lca.dicts.activity
    row_of = lca.dicts.product
    flow_row = lca.dicts.biosphere
    supply = np.zeros(n)
    supply_array = np.atleast_1d(lca.supply_array)  # PARDISO returns a scalar for one activity
    for activity, col in col_of.items():
        supply[activity] = supply_array[col]
    cmat, categories = category_matrix(system, cf)
    cmat = np.column_stack([cmat, system.energy_factors()])  # last column: MJ, not kg CO2e
    b = lca.biosphere_matrix  # flows (bw2calc order) × activities
    c_rows = np.zeros((b.shape[0], cmat.shape[1]))
    for flow, row in flow_row.items():
        c_rows[row] = cmat[flow]
    rhs = np.asarray(b.T @ c_rows)  # activities (bw2calc col order) × categories
    lam_rows = factor.solve_transposed(rhs)  # Aᵀλ = Bᵀc, indexed by bw2calc product rows
    intensity = np.zeros((n, cmat.shape[1]))
    for activity, row in row_of.items():
        intensity[activity] = lam_rows[row]
    scores = np.zeros(n)
    per_column = np.asarray(lca.characterized_inventory.sum(axis=0)).ravel()
    for activity, col in col_of.items():
        scores[activity] = per_column[col]
    return Solution(
        supply,
        float(lca.score),
        intensity[:, :-1],
        categories,
        solver_info(factor.name),
        intensity[:, -1],
        scores,
    )
