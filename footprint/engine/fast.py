"""Footprints from precomputed background intensities: no per-product rebuild of the background.

The result equals :func:`footprint.engine.calculate.calculate` (which solves the whole system with
bw2calc) to rounding: the foreground is solved on its own, and each background input contributes
its supply × amount × the activity's intensity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from footprint.background.store import Background
from footprint.engine.calculate import footprint_result
from footprint.engine.intensities import Intensities
from footprint.engine.result import FootprintResult
from footprint.engine.solve import Solution
from footprint.engine.system import LinkedSystem, foreground_matrix, link
from footprint.inventory import Inventory, read_inventory
from footprint.inventory.validate import with_parameters


def foreground_supply(system: LinkedSystem) -> np.ndarray:
    """Supply of every activity id (background entries 0): the foreground block solved alone."""
    n_f = len(system.processes)
    nb = system.n_background
    a = foreground_matrix(system)
    demand = np.zeros(n_f)
    demand[system.reference - nb] = system.demand
    supply = np.zeros(nb + n_f)
    supply[nb:] = np.linalg.solve(a, demand)
    return supply


def calculate_with(
    inventory: Inventory | str | Path,
    intensities: Intensities,
    background: Background,
    *,
    parameters: dict[str, float | str] | None = None,
) -> FootprintResult:
    """The footprint of ``inventory`` using ``intensities`` of ``background`` (same GWP set).

    Raises:
        FootprintError: as :func:`footprint.engine.calculate.calculate`.
    """
    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    if parameters:
        inventory = with_parameters(inventory, parameters)
    system = link(inventory, background, with_background=False)
    cf = system.characterisation(intensities.gwp)
    supply = foreground_supply(system)
    solution = Solution(
        supply,
        float("nan"),
        intensities.matrix,
        intensities.categories,
        intensities.solver | {"intensities": intensities.key[:12]},
        intensities.energy,
    )
    return footprint_result(inventory, system, solution, intensities.gwp, cf)
