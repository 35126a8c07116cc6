"""Solve a linked system with bw2calc on in-memory bw_processing datapackages."""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from footprint.engine.system import LinkedSystem
from footprint.errors import BackgroundError


def _bw() -> tuple[ModuleType, ModuleType]:
    """Import bw2calc and bw_processing without bw2data.

    bw2calc imports bw2data only for its optional project-based calling convention, and importing
    bw2data creates a Brightway project directory in the user's home. Calculations here never use
    a project, so bw2data is kept out while bw2calc is first imported.
    """
    block = "bw2data" not in sys.modules and "bw2calc" not in sys.modules
    if block:
        sys.modules["bw2data"] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            # bw2calc warns at import when no fast solver is installed; the result records the solver.
            warnings.simplefilter("ignore")
            import bw2calc
            import bw_processing
    finally:
        if block:
            del sys.modules["bw2data"]
    return bw2calc, bw_processing


def solver_info() -> dict[str, Any]:
    """Which sparse solver bw2calc uses here, and library versions."""
    bw2calc, bw_processing = _bw()
    name = (
        "pypardiso (MKL PARDISO)"
        if bw2calc.PYPARDISO
        else ("UMFPACK (scikit-umfpack)" if bw2calc.UMFPACK else "SuperLU (scipy)")
    )
    return {
        "name": name,
        "bw2calc": bw2calc.__version__,
        "bw_processing": bw_processing.__version__,
    }


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


def _indices(rows: Any, cols: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """A bw_processing indices array (structured: row, col)."""
    out = np.empty(len(rows), dtype=dtype)
    out["row"] = rows
    out["col"] = cols
    return out


def datapackage(system: LinkedSystem, cf: np.ndarray) -> Any:
    """The system as an in-memory bw_processing datapackage."""
    _, bwp = _bw()
    dp = bwp.create_datapackage(name="footprint-system", sequential=True)
    idx = bwp.INDICES_DTYPE
    e = system.entries()
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=_indices(e.tech_rows, e.tech_cols, idx),
        data_array=e.tech_values,
        flip_array=e.tech_flip,
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=_indices(e.bio_rows, e.bio_cols, idx),
        data_array=e.bio_values,
    )
    flows = np.flatnonzero(cf)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="gwp100",
        indices_array=_indices(flows, flows, idx),
        data_array=cf[flows],
    )
    return dp


def _category_matrix(
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

    The intensities come from one transposed solve of bw2calc's technosphere matrix for every
    (gas, ISO bucket) category: λ = A⁻ᵀ Bᵀ C.
    """
    bw2calc, _ = _bw()
    lca = bw2calc.LCA({system.reference: system.demand}, data_objs=[datapackage(system, cf)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        try:
            lca.lci()
        except (RuntimeError, ValueError, np.linalg.LinAlgError) as exc:
            raise _singular(system, exc) from None
        lca.lcia()
    e = system.entries()
    n = int(max(e.tech_rows.max(), e.tech_cols.max())) + 1 if e.tech_rows.size else 0
    col_of = lca.dicts.activity
    row_of = lca.dicts.product
    flow_row = lca.dicts.biosphere
    supply = np.zeros(n)
    supply_array = np.atleast_1d(lca.supply_array)  # PARDISO returns a scalar for one activity
    for activity, col in col_of.items():
        supply[activity] = supply_array[col]
    cmat, categories = _category_matrix(system, cf)
    cmat = np.column_stack([cmat, system.energy_factors()])  # last column: MJ, not kg CO2e
    b = lca.biosphere_matrix  # flows (bw2calc order) × activities
    c_rows = np.zeros((b.shape[0], cmat.shape[1]))
    for flow, row in flow_row.items():
        c_rows[row] = cmat[flow]
    rhs = np.asarray(b.T @ c_rows)  # activities (bw2calc col order) × categories
    try:
        lu = splu(sparse.csc_matrix(lca.technosphere_matrix.T))
    except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
        raise _singular(system, exc) from None
    lam_rows = lu.solve(rhs)  # indexed by bw2calc product rows
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
        solver_info(),
        intensity[:, -1],
        scores,
    )
