"""The sparse solver: bw2calc and bw_processing datapackages (imported through
:mod:`footprint.background.brightway`, without bw2data), and the choice of solver.

A footprint is solved with one factorisation of the technosphere matrix A. As bw2calc 3.1's
``bw2calc.utils.lu_solver`` does, Aᵀ is factorised (LCA matrices factorise with far less fill
that way) with UMFPACK (scikit-umfpack) when installed, else SuperLU (scipy). The factor is handed
to bw2calc as ``LCA.solver``, so its inventory and impact assessment run on it, and it solves the
transposed system Aᵀλ = Bᵀc for the intensities as well. PARDISO (pypardiso) factorises one
orientation only; it is picked for work that needs one direction (background intensities, Monte
Carlo), when installed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, Literal

import numpy as np
from scipy import sparse

from footprint.background.brightway import calculation

SUPERLU = "SuperLU (scipy)"
UMFPACK = "UMFPACK (scikit-umfpack)"
PARDISO = "pypardiso (MKL PARDISO)"

Direction = Literal["both", "direct", "transposed"]


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a broken install
        return False


def _umfpack() -> bool:
    return _installed("scikits") and _installed("scikits.umfpack")


def solver_name(direction: Direction = "both") -> str:
    """The solver :func:`factorise` picks here for ``direction``."""
    if direction != "both" and _installed("pypardiso"):
        return PARDISO
    return UMFPACK if _umfpack() else SUPERLU


def solver_info(name: str) -> dict[str, Any]:
    """The record of solver ``name`` and of the library versions (a result's ``solver``)."""
    bw2calc, bw_processing = calculation()
    return {
        "name": name,
        "bw2calc": bw2calc.__version__,
        "bw_processing": bw_processing.__version__,
    }


@dataclass(frozen=True)
class Factor:
    """One factorisation of a square matrix A: solves A x = b and Aᵀ y = b (b 1-d or 2-d)."""

    name: str  # the solver that factorised it
    solve: Callable[[np.ndarray], np.ndarray]  # A x = b
    solve_transposed: Callable[[np.ndarray], np.ndarray]  # Aᵀ y = b


def _one_direction(direction: str) -> Callable[[np.ndarray], np.ndarray]:
    def refuse(b: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"this factor was made for {direction} solves only")

    return refuse


def _columns(
    solve: Callable[[np.ndarray], np.ndarray],
) -> Callable[[np.ndarray], np.ndarray]:
    """``solve`` for a 1-d right-hand side, applied column by column to a 2-d one."""

    def each(b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        if b.ndim == 1:
            return np.asarray(solve(b))
        out = np.empty_like(b)
        for j in range(b.shape[1]):
            out[:, j] = solve(np.ascontiguousarray(b[:, j]))
        return out

    return each


def _transposed_csc(matrix: Any) -> sparse.csc_matrix:
    """Aᵀ as CSC with canonical float64 arrays, as ``bw2calc.utils.lu_solver`` prepares it."""
    transposed = sparse.csr_matrix(matrix).T  # CSC, on the arrays of A's CSR form
    if transposed.dtype != np.float64 or not transposed.has_canonical_format:
        transposed = transposed.astype(np.float64, copy=True)
        transposed.sum_duplicates()
        transposed.sort_indices()
    return transposed


def _superlu(matrix: Any) -> Factor:
    from scipy.sparse.linalg import splu

    lu = splu(_transposed_csc(matrix))  # default COLAMD ordering
    return Factor(
        SUPERLU,
        lambda b: np.asarray(lu.solve(np.asarray(b, dtype=float), trans="T")),
        lambda b: np.asarray(lu.solve(np.asarray(b, dtype=float))),
    )


def _umfpack_factor(matrix: Any) -> Factor:
    import scikits.umfpack as umfpack

    transposed = _transposed_csc(matrix).copy()  # UMFPACK reads it again in each solve
    transposed.indices = transposed.indices.astype(np.int64)
    transposed.indptr = transposed.indptr.astype(np.int64)
    context = umfpack.UmfpackContext("dl")
    context.numeric(transposed)

    def with_system(system: Any) -> Callable[[np.ndarray], np.ndarray]:
        def solve(b: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.asarray(context.solve(system, transposed, b, autoTranspose=False))

        return _columns(solve)

    # UMFPACK_At solves with the transpose of the factorised Aᵀ, i.e. A; UMFPACK_A with Aᵀ.
    return Factor(UMFPACK, with_system(umfpack.UMFPACK_At), with_system(umfpack.UMFPACK_A))


def _pardiso(matrix: Any, direction: Direction) -> Factor:
    from pypardiso import PyPardisoSolver

    solver = PyPardisoSolver()
    csr = sparse.csr_matrix(matrix if direction == "direct" else sparse.csr_matrix(matrix).T)
    solver.factorize(csr)

    def solve(b: np.ndarray) -> np.ndarray:
        return np.asarray(solver.solve(csr, np.ascontiguousarray(b, dtype=float)))

    if direction == "direct":
        return Factor(PARDISO, solve, _one_direction("direct"))
    return Factor(PARDISO, _one_direction("transposed"), solve)


def factorise(matrix: Any, direction: Direction = "both") -> Factor:
    """One factorisation of the square sparse ``matrix`` A, for the solves ``direction`` names.

    PARDISO when installed and one direction is asked for; else Aᵀ with UMFPACK when installed,
    else with SuperLU, as ``bw2calc.utils.lu_solver`` does.

    Raises:
        RuntimeError: the matrix is singular (SuperLU: "Factor is exactly singular").
    """
    name = solver_name(direction)
    if name == PARDISO:
        return _pardiso(matrix, direction)
    if name == UMFPACK:
        return _umfpack_factor(matrix)
    return _superlu(matrix)


def _indices(rows: Any, cols: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """A bw_processing indices array (structured: row, col)."""
    out = np.empty(len(rows), dtype=dtype)
    out["row"] = rows
    out["col"] = cols
    return out


def datapackage(entries: Any, cf: np.ndarray) -> Any:
    """An in-memory bw_processing datapackage of a system's matrix ``entries`` and factors ``cf``.

    ``entries`` has the arrays of :meth:`footprint.engine.system.LinkedSystem.entries`.
    """
    _, bwp = calculation()
    dp = bwp.create_datapackage(name="footprint-system", sequential=True)
    idx = bwp.INDICES_DTYPE
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=_indices(entries.tech_rows, entries.tech_cols, idx),
        data_array=entries.tech_values,
        flip_array=entries.tech_flip,
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=_indices(entries.bio_rows, entries.bio_cols, idx),
        data_array=entries.bio_values,
    )
    flows = np.flatnonzero(cf)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="gwp100",
        indices_array=_indices(flows, flows, idx),
        data_array=cf[flows],
    )
    return dp


def load_lca(entries: Any, cf: np.ndarray, demand: dict[int, float]) -> Any:
    """A ``bw2calc.LCA`` of the matrix ``entries`` for ``demand``, its matrices built."""
    bw2calc, _ = calculation()
    lca = bw2calc.LCA(demand, data_objs=[datapackage(entries, cf)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        lca.load_lci_data()
    return lca
