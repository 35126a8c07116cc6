"""Monte Carlo samples of a product footprint: the entry point."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.engine import background_spread
from footprint.engine.background_spread import with_default_spread
from footprint.engine.methods import check_gwp
from footprint.engine.montecarlo.cache import background_key, digest, remember
from footprint.engine.montecarlo.model import background_model, without_distributions
from footprint.engine.montecarlo.model import problem as make_problem
from footprint.engine.montecarlo.result import (
    NO_EFFECT,
    NO_SPREAD,
    NO_SPREAD_FOREGROUND,
    UncertaintyResult,
    differ,
)
from footprint.engine.montecarlo.sampling import CHUNK, TOLERANCE, block, blocks, run_dask
from footprint.engine.system import link
from footprint.errors import FootprintError
from footprint.inventory import Inventory, read_inventory


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
        background: a :class:`Background` or its name; the uncertainty columns of its tables are
            used where present (a background loaded by name carries those of its table files).
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
    content = ""
    if uses_background:
        background, content = _sampled_background(background, data_dir, spread=spread)
    elif isinstance(background, str):
        background = Background.empty(f"none (foreground only; {background} not needed)")
    system = link(inventory, background, with_background=False)
    cf = system.characterisation(gwp)
    model = background_model(background, gwp, content) if uses_background else None
    if model is not None and not include_background:
        model = without_distributions(model)
    started = time.perf_counter()
    problem = make_problem(system, cf, model)
    sizes = blocks(iterations)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    if workers is None and scheduler is None:
        results = [block(problem, s, n) for s, n in zip(seeds, sizes, strict=True)]
    else:
        results = run_dask(problem, seeds, sizes, workers, scheduler)
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


def _sampled_background(
    background: Background | str, data_dir: Path | None, *, spread: bool
) -> tuple[Background, str]:
    """The background to sample and its content key, kept in the Monte Carlo cache.

    A background given by name is loaded (the catalogue keeps it: the one the deterministic result
    used, with the distributions its tables carry); with ``spread``, the default lognormal goes on
    every exchange without a distribution.
    """
    if isinstance(background, str):
        background = load_background(background, data_dir)
    key = background_key(background)
    if spread:
        bare = background
        key = digest("with the default spread", key)
        background = remember("background", key, lambda: with_default_spread(bare))
    return background, key
