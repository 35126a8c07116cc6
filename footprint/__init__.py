"""footprint: product carbon footprints and green-label verdicts on Brightway.

Importing this package has no side effects: no files, no environment variables, no Brightway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Background",
    "FootprintError",
    "FootprintResult",
    "Inventory",
    "__version__",
    "background_intensities",
    "calculate",
    "check_labels",
    "export_pact",
    "load_background",
    "monte_carlo",
    "read_inventory",
    "render_html",
    "run_batch",
    "verify",
]

_LAZY = {
    "Background": "footprint.background.store",
    "load_background": "footprint.background.catalog",
    "FootprintError": "footprint.errors",
    "FootprintResult": "footprint.engine.result",
    "Inventory": "footprint.inventory",
    "read_inventory": "footprint.inventory",
    "calculate": "footprint.engine.calculate",
    "background_intensities": "footprint.engine.intensities",
    "monte_carlo": "footprint.engine.montecarlo",
    "run_batch": "footprint.engine.batch",
    "check_labels": "footprint.labels.check",
    "verify": "footprint.labels.verify",
    "export_pact": "footprint.exchange.export",
    "render_html": "footprint.report",
}

if TYPE_CHECKING:
    from footprint.background.catalog import load_background
    from footprint.background.store import Background
    from footprint.engine.batch import run_batch
    from footprint.engine.calculate import calculate
    from footprint.engine.intensities import background_intensities
    from footprint.engine.montecarlo import monte_carlo
    from footprint.engine.result import FootprintResult
    from footprint.errors import FootprintError
    from footprint.exchange.export import export_pact
    from footprint.inventory import Inventory, read_inventory
    from footprint.labels.check import check_labels
    from footprint.labels.verify import verify
    from footprint.report import render_html


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'footprint' has no attribute {name!r}")
