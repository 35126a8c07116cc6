"""The solver: one factorisation per footprint, both directions, and the Monte Carlo cache."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from footprint.background import brightway, catalog
from footprint.background.store import Background
from footprint.engine import solve as solve_module
from footprint.engine import solver
from footprint.engine.calculate import calculate
from footprint.engine.montecarlo import cache, monte_carlo
from footprint.engine.montecarlo import model as mc_model
from tests.conftest import write
from tests.engine.test_background_link import PRODUCT
from tests.engine.test_montecarlo import BUY_A, loop_background


def technosphere(n: int, seed: int) -> sparse.csr_matrix:
    """An LCA-like matrix: unit diagonal, small negative inputs (diagonally dominant)."""
    rng = np.random.default_rng(seed)
    inputs = sparse.random(n, n, density=0.3, random_state=rng, format="csr") * (0.9 / n)
    return sparse.csr_matrix(sparse.identity(n) - inputs)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**32 - 1), columns=st.integers(1, 3))
def test_one_factor_solves_both_directions(n: int, seed: int, columns: int) -> None:
    a = technosphere(n, seed)
    b = np.random.default_rng(seed + 1).normal(size=(n, columns))
    factor = solver.factorise(a)
    assert factor.name == solver.solver_name("both")
    assert a @ factor.solve(b) == pytest.approx(b, abs=1e-12)
    assert a.T @ factor.solve_transposed(b) == pytest.approx(b, abs=1e-12)
    assert a @ factor.solve(b[:, 0]) == pytest.approx(b[:, 0], abs=1e-12)


def test_a_singular_matrix_does_not_factorise() -> None:
    a = sparse.csr_matrix(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    with pytest.raises(RuntimeError, match="singular"):
        solver.factorise(a)


def test_a_footprint_is_solved_with_one_factorisation_shared_with_bw2calc(
    tmp_path: Path, mini_background: Background, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bw2calc solves A x = d with the factor given to it, and no other factorisation runs."""
    import scipy.sparse.linalg

    bw2calc, _ = brightway.calculation()  # bw2calc.lca_base is imported with it

    made: list[solver.Factor] = []
    original = solver.factorise

    def counted(matrix: Any, direction: solver.Direction = "both") -> solver.Factor:
        made.append(original(matrix, direction))
        return made[-1]

    splu_calls = []
    real_splu = scipy.sparse.linalg.splu

    def counted_splu(*args: Any, **kwargs: Any) -> Any:
        splu_calls.append(1)
        return real_splu(*args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("bw2calc factorised the matrix itself")

    monkeypatch.setattr(solve_module, "factorise", counted)
    monkeypatch.setattr(scipy.sparse.linalg, "splu", counted_splu)
    monkeypatch.setattr(bw2calc.lca_base, "spsolve", refuse)
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    assert len(made) == 1
    assert len(splu_calls) == (1 if made[0].name == solver.SUPERLU else 0)
    assert result.solver.name == made[0].name == solver.solver_name("both")
    assert result.solver.bw2calc == brightway.calculation()[0].__version__


def test_the_monte_carlo_cache_is_keyed_by_content(mini_background: Background) -> None:
    cache.clear()
    model = mc_model.background_model(mini_background, "ar6")
    copy = replace(mini_background, technosphere=mini_background.technosphere.copy())
    assert copy is not mini_background
    assert cache.background_key(copy) == cache.background_key(mini_background)
    assert mc_model.background_model(copy, "ar6") is model  # equal content, same entry
    assert mc_model.background_model(mini_background, "ar5") is not model
    changed = copy.technosphere.copy()
    changed.loc[changed.index[0], "amount"] = float(changed["amount"].iloc[0]) * 2
    other = replace(mini_background, technosphere=changed)
    assert cache.background_key(other) != cache.background_key(mini_background)
    assert mc_model.background_model(other, "ar6") is not model


def test_monte_carlo_runs_reuse_the_loaded_background_and_the_factor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_background(tmp_path, "loop", "4,,,0.0,0.9", "0,,,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    reads: list[int] = []
    factors: list[int] = []
    real_read, real_factorise = catalog.read_table_dir, mc_model.factorise

    def read(*args: Any) -> Background:
        reads.append(1)
        return real_read(*args)

    def factorise(*args: Any) -> solver.Factor:
        factors.append(1)
        return real_factorise(*args)

    monkeypatch.setattr(catalog, "read_table_dir", read)
    monkeypatch.setattr(mc_model, "factorise", factorise)
    cache.clear()
    first = monte_carlo(path, iterations=20, seed=3, background="loop", data_dir=tmp_path)
    again = monte_carlo(path, iterations=20, seed=3, background="loop", data_dir=tmp_path)
    assert (len(reads), len(factors)) == (1, 1)
    assert np.array_equal(first.samples, again.samples)
    assert first.sampled["background_technosphere"] == 1
    # a table file written again is read again: the catalogue's key holds its modification time
    table = tmp_path / "backgrounds" / "loop" / "technosphere.csv"
    table.write_text(table.read_text().replace("4,,,0.0,0.9", "4,,,0.0,0.5"))
    stat = table.stat()
    import os

    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = monte_carlo(path, iterations=20, seed=3, background="loop", data_dir=tmp_path)
    assert len(reads) == 2
    assert not np.array_equal(changed.samples, first.samples)
