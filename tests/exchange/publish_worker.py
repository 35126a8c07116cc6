"""Publishers in separate processes, for the concurrency and kill tests of the PACT store."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from footprint.exchange.store import FootprintStore


def version(product: str) -> dict[str, Any]:
    """A new Active footprint version of ``product`` (a fresh id)."""
    return {
        "id": str(uuid.uuid4()),
        "specVersion": "3.0.0",
        "status": "Active",
        "productIds": [f"urn:pact:example.com:product-id:{product}"],
        "pcf": {"referencePeriodEnd": "2025-01-01T00:00:00Z"},
    }


def publish_rounds(url: str, products: list[str], barrier: Any, early_lock: bool = True) -> None:
    """For each product in turn: wait for the other publisher, then publish a version of it.

    Without ``early_lock`` SQLite transactions begin at their first write, as PostgreSQL's
    effectively do under READ COMMITTED: only the unique index and the retry then keep one
    Active version.
    """
    if not early_lock:
        from footprint.exchange import store as store_module

        store_module.lock_for_writing = lambda connection: None  # type: ignore[assignment]
    store = FootprintStore(url)
    try:
        for product in products:
            barrier.wait(timeout=60)
            store.add(version(product), product)
    finally:
        store.close()


def main(argv: list[str]) -> None:
    """``python -m tests.exchange.publish_worker URL PRODUCT``: publish versions until killed."""
    store = FootprintStore(argv[0])
    while True:
        store.add(version(argv[1]), argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
