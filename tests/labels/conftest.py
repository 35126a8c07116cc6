"""Hand-made schemes and products whose footprint is exactly what the test says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from footprint.background.store import Background
from footprint.engine.calculate import calculate
from footprint.engine.result import FootprintResult
from footprint.inventory import Inventory
from footprint.labels.scheme import Scheme

CITE = {
    "doc": {"publisher": "Test issuer", "document": "Test scheme", "year": 2024, "checked": True}
}


def product(
    kg_co2_per_t: float,
    *,
    unit: str = "t",
    parameters: dict[str, float] | None = None,
    category: str = "steel.rebar",
    gwp: str = "ar6",
) -> FootprintResult:
    """A product whose footprint is exactly ``kg_co2_per_t`` kg CO2e per declared unit."""
    inventory = Inventory.model_validate(
        {
            "product": {
                "name": "Bar",
                "declared_unit": unit,
                "geography": "US",
                "category": category,
                "parameters": parameters or {},
                "reference_period": {"start": "2023-01-01", "end": "2023-12-31"},
            },
            "processes": [
                {
                    "id": "make",
                    "output": f"1 {unit}",
                    "emissions": [{"gas": "CO2", "amount": f"{kg_co2_per_t} kg"}],
                }
            ],
        }
    )
    return calculate(inventory, gwp=gwp, background=Background.empty())


def scheme(rule: dict[str, Any] | None = None, **fields: Any) -> Scheme:
    data: dict[str, Any] = {
        "id": "test-scheme",
        "name": "Test",
        "issuer": "Test issuer",
        "document": "Test scheme",
        "version": "2024",
        "valid_from": "2024-01-01",
        "valid_to": None,
        "status": "confirmed",
        "jurisdiction": "GLOBAL",
        "categories": ["steel.rebar"],
        "declared_unit": "t",
        "gwp": "any",
        "citations": CITE,
    }
    if rule is not None:
        data["rule"] = rule
    data.update(fields)
    return Scheme.model_validate(data)


ON = dt.date(2024, 6, 1)


@pytest.fixture
def make_product() -> Callable[..., FootprintResult]:
    return product


@pytest.fixture
def make_scheme() -> Callable[..., Scheme]:
    return scheme
