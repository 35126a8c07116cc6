"""Cradle-to-gate intensity of every background activity: one factorisation, one transposed solve.

λ = A⁻ᵀ Bᵀ C gives, for each activity, kg CO2e per unit by (gas, ISO 14067 bucket) and MJ of
cumulative energy demand. A product that buys from the background then costs a sparse dot product
instead of a new LCA. Matrices are built by bw2calc from bw_processing datapackages; the
factorisation is :func:`footprint.engine.solver.factorise`'s (pypardiso when installed, else
UMFPACK (scikit-umfpack), else SuperLU).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from footprint.background.store import Background
from footprint.engine.methods import check_gwp
from footprint.engine.solve import category_matrix
from footprint.engine.solver import factorise, load_lca
from footprint.engine.system import LinkedSystem, add_background

CACHE_VERSION = 1


@dataclass(frozen=True)
class Intensities:
    """Per background activity (table order): kg CO2e per unit by category, and MJ per unit."""

    background: str
    version: str
    gwp: str
    activity_ids: list[str]
    categories: list[tuple[str, str]]  # (gas, bucket) per column of ``matrix``
    matrix: np.ndarray  # activities × categories, kg CO2e per unit of activity
    energy: np.ndarray  # activities, MJ per unit of activity
    solver: dict[str, Any]
    key: str  # content hash of the matrices and factors

    @property
    def total(self) -> np.ndarray:
        """kg CO2e per unit of each activity."""
        return np.asarray(self.matrix.sum(axis=1))


def background_system(background: Background) -> LinkedSystem:
    """``background`` alone as a linked system (activity id = table row), no foreground."""
    system = LinkedSystem(
        background=background,
        processes=[],
        reference=0,
        demand=1.0,
        n_background=len(background.activities),
    )
    add_background(system)
    return system


def content_key(system: LinkedSystem, cf: np.ndarray, energy: np.ndarray) -> str:
    digest = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    e = system.entries()
    for array in (
        e.tech_rows,
        e.tech_cols,
        e.tech_values,
        e.tech_flip,
        e.bio_rows,
        e.bio_cols,
        e.bio_values,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(cf.tobytes())
    digest.update(energy.tobytes())
    digest.update(json.dumps(system.background.activities["id"].astype(str).tolist()).encode())
    return digest.hexdigest()


def _matrix_order(mapper: Any, ids: np.ndarray) -> np.ndarray | None:
    """Matrix index of each of ``ids`` (−1 when absent), or None when it is the id itself.

    bw2calc numbers matrix rows and columns by the sorted ids it saw; when those are exactly
    0 … n−1 the order is the identity and no reordering is needed.
    """
    if np.array_equal(np.asarray(mapper.array), ids):
        return None
    return np.asarray(mapper.map_array(ids))


def _matrices(system: LinkedSystem, cf: np.ndarray) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Technosphere and biosphere matrices in table order, built by bw2calc."""
    lca = load_lca(system.entries(), cf, {0: 1.0})
    n = system.n_background
    ids = np.arange(n)
    cols = _matrix_order(lca.technosphere_mm.col_mapper, ids)  # matrix column of each activity id
    rows = _matrix_order(lca.technosphere_mm.row_mapper, ids)
    a = sparse.csr_matrix(lca.technosphere_matrix)
    if rows is not None or cols is not None:
        a = a[ids if rows is None else rows][:, ids if cols is None else cols]
    flow_ids = np.arange(len(system.flow_info))
    flows = _matrix_order(lca.biosphere_mm.row_mapper, flow_ids)
    flows = flow_ids if flows is None else flows
    b = sparse.csr_matrix(lca.biosphere_matrix)
    if cols is not None:
        b = b[:, cols]
    padded = sparse.vstack(
        [b, sparse.csr_matrix((1, n))], format="csr"
    )  # a zero row for unused flows
    b_full = padded[np.where(flows >= 0, flows, b.shape[0])]
    return sparse.csr_matrix(a), sparse.csr_matrix(b_full)


def background_intensities(
    background: Background, gwp: str = "ar6", *, cache_dir: Path | None = None
) -> Intensities:
    """The intensity of every activity of ``background`` (cached in ``cache_dir`` by content hash).

    Raises:
        MethodError: unknown GWP set.
    """
    gwp = check_gwp(gwp)
    system = background_system(background)
    cf = system.characterisation(gwp)
    energy_factors = system.energy_factors()
    key = content_key(system, cf, energy_factors)
    cached = _load(cache_dir, key)
    if cached is not None:
        matrix, energy, categories, solver = cached
    else:
        cmat, categories = category_matrix(system, cf)
        a, b = _matrices(system, cf)
        rhs = np.asarray(b.T @ np.column_stack([cmat, energy_factors]))
        factor = factorise(a, "transposed")
        result = factor.solve_transposed(rhs) if len(rhs) else rhs
        matrix, energy = result[:, :-1], result[:, -1]
        solver = {"name": factor.name, "method": "one transposed solve for every activity"}
        _save(cache_dir, key, matrix, energy, categories, solver)
    return Intensities(
        background.name,
        background.version,
        gwp,
        background.activities["id"].astype(str).tolist(),
        categories,
        matrix,
        energy,
        solver,
        key,
    )


def _load(
    cache_dir: Path | None, key: str
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]], dict[str, Any]] | None:
    path = cache_dir / f"intensities-{key}.npz" if cache_dir else None
    if path is None or not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        return (
            np.array(data["matrix"]),
            np.array(data["energy"]),
            [tuple(c) for c in meta["categories"]],
            meta["solver"],
        )


def _save(
    cache_dir: Path | None,
    key: str,
    matrix: np.ndarray,
    energy: np.ndarray,
    categories: list[tuple[str, str]],
    solver: dict[str, Any],
) -> None:
    """Write the cache file durably: a temporary file, fsynced, renamed, directory fsynced."""
    if cache_dir is None:
        return
    import os
    import tempfile

    from footprint.output import fsync_directory

    cache_dir.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"categories": categories, "solver": solver})
    fd, tmp = tempfile.mkstemp(prefix=".intensities-", suffix=".npz", dir=cache_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, matrix=matrix, energy=energy, meta=np.array(meta))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, cache_dir / f"intensities-{key}.npz")
        fsync_directory(cache_dir)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
