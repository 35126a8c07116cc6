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

The package: :mod:`~footprint.engine.montecarlo.run` (:func:`monte_carlo`),
:mod:`~footprint.engine.montecarlo.model` (the background as matrices, the problem of one
product), :mod:`~footprint.engine.montecarlo.sampling` (one block of iterations),
:mod:`~footprint.engine.montecarlo.result` (:class:`UncertaintyResult`) and
:mod:`~footprint.engine.montecarlo.cache` (the one cache, keyed by content hashes).
"""

from footprint.engine.background_spread import table_distributions
from footprint.engine.montecarlo.model import reachable
from footprint.engine.montecarlo.result import (
    NO_EFFECT,
    NO_PROBABILITY,
    NO_SPREAD,
    NO_SPREAD_FOREGROUND,
    PERCENTILES,
    UNIT,
    UncertaintyResult,
    differ,
)
from footprint.engine.montecarlo.run import monte_carlo
from footprint.engine.montecarlo.sampling import CHUNK, MAX_STEPS, TOLERANCE

__all__ = [
    "CHUNK",
    "MAX_STEPS",
    "NO_EFFECT",
    "NO_PROBABILITY",
    "NO_SPREAD",
    "NO_SPREAD_FOREGROUND",
    "PERCENTILES",
    "TOLERANCE",
    "UNIT",
    "UncertaintyResult",
    "differ",
    "monte_carlo",
    "reachable",
    "table_distributions",
]
