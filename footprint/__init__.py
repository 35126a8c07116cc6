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
    "calculate",
    "load_background",
    "read_inventory",
]

_LAZY = {
    "Background": "footprint.background.store",
    "load_background": "footprint.background.store",
    "FootprintError": "footprint.errors",
    "FootprintResult": "footprint.engine.result",
    "Inventory": "footprint.inventory",
    "read_inventory": "footprint.inventory",
    "calculate": "footprint.engine.calculate",
}

if TYPE_CHECKING:
    from footprint.background.store import Background, load_background
    from footprint.engine.calculate import calculate
    from footprint.engine.result import FootprintResult
    from footprint.errors import FootprintError
    from footprint.inventory import Inventory, read_inventory


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'footprint' has no attribute {name!r}")
