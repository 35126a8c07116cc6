"""Small in-memory installations for the CBAM tests."""

from __future__ import annotations

from typing import Any

from footprint.cbam.model import Installation, build_installation


def process(
    pid: str,
    *,
    cn: str = "7208",
    category: str = "Iron or steel products",
    level: float = 1000.0,
    streams: list[tuple[float, float]] | None = None,
    precursors: list[tuple[str, float]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A process making ``level`` t of one good; streams are (TJ, t CO2/TJ)."""
    return {
        "id": pid,
        "goods": [{"cn": cn, "category": category}],
        "activity_level": f"{level!r} t",
        "source_streams": [
            {
                "name": f"fuel {i}",
                "activity_data": f"{ad!r} TJ",
                "emission_factor": f"{ef!r} t CO2/TJ",
            }
            for i, (ad, ef) in enumerate(streams or [])
        ],
        "precursors": [{"precursor": p, "amount": f"{m!r} t"} for p, m in precursors or []],
        **extra,
    }


def installation(
    processes: list[dict[str, Any]], purchased: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The data of an installation file."""
    return {
        "installation": {"name": "Test works", "country": "CN", "unlocode": "CNSHA"},
        "reporting_period": {"start": "2026-01-01", "end": "2026-12-31"},
        "processes": processes,
        "purchased_precursors": purchased or [],
    }


def build(data: dict[str, Any]) -> Installation:
    """Validate ``data`` as if read from ``test.yaml``."""
    return build_installation(data, source="test.yaml", lines={}, sha256=None)
