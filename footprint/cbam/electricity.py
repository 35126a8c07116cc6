"""CBAM default electricity emission factors (shipped table ``footprint/data/cbam_grid_factors.csv``).

A few rows of Annex II (country grid factors for default indirect emissions) and Annex III (the EU
factor for imported electricity) of IR (EU) 2025/2621, read in a secondary source: every value is
``unconfirmed`` (see ``cbam_grid_factors.SOURCES.md``). China's Annex II value is IEA-licensed and
was not found, so its row has no value (``not encoded``): :func:`china_alternatives` lists the
Chinese grid factors the project ships as background activities instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from footprint.cbam.goods import ANNEX_III_COUNTRIES, EU_MEMBERS, CbamError
from footprint.paths import data_rows

GridStatus = Literal["confirmed", "unconfirmed", "not encoded"]
UNIT = "t CO2e/MWh"
_ALIASES = {"CHN": "CN", "CHINA": "CN", "AUS": "AU", "BRA": "BR", "OTHERS": "OTHER", "ROW": "OTHER"}


@dataclass(frozen=True)
class GridFactor:
    """One row: a default electricity emission factor (None where it is not encoded)."""

    annex: str
    area: str
    code: str
    value: Decimal | None
    status: GridStatus
    source: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """The row as plain data, with its source and status."""
        return {
            "annex": f"{self.annex} of IR (EU) 2025/2621",
            "country_or_territory": self.area,
            "code": self.code,
            "value": None if self.value is None else float(self.value),
            "unit": UNIT,
            "status": self.status,
            "source": self.source,
            "note": self.note,
        }


@cache
def grid_factors() -> tuple[GridFactor, ...]:
    """Every row of the shipped table."""
    return tuple(
        GridFactor(
            annex=r["annex"],
            area=r["country_or_territory"],
            code=r["code"],
            value=Decimal(r["t_co2e_per_mwh"]) if r["t_co2e_per_mwh"].strip() else None,
            status=r["status"],  # type: ignore[arg-type]
            source=r["source"],
            note=r["note"],
        )
        for r in data_rows("cbam_grid_factors.csv")
    )


def grid_factor(country: str, *, where: str | None = "--country") -> GridFactor:
    """The row for ``country`` (ISO alpha-2, ``OTHER``, or ``EU`` for imported electricity).

    Raises:
        CbamError: a country without a row, an EU member state or an Annex III country.
    """
    key = country.strip().upper()
    key = _ALIASES.get(key, key)
    found = next((g for g in grid_factors() if g.code == key), None)
    if found is not None:
        return found
    if key in EU_MEMBERS:
        raise CbamError(
            f"{country!r} is an EU member state: Annex II of IR (EU) 2025/2621 lists third "
            "countries",
            where=where,
            fix="give the third country where the electricity was consumed, or EU for the EU "
            "factor for imported electricity",
        )
    if key in ANNEX_III_COUNTRIES:
        raise CbamError(
            f"{country!r} ({ANNEX_III_COUNTRIES[key]}) is listed in Annex III of Reg. (EU) "
            "2023/956: its goods are outside the scope of CBAM",
            where=where,
            fix="give the third country of the installation, if it is another one",
        )
    codes = ", ".join(g.code for g in grid_factors())
    raise CbamError(
        f"no grid emission factor is encoded for {country!r}; the shipped table holds only the "
        f"examples {codes}, and Annex II may list {country!r} with a value of its own",
        where=where,
        fix="look the factor up in Annex II of IR (EU) 2025/2621 (or add its row to "
        "footprint/data/cbam_grid_factors.csv), or give OTHER if the annex does not list the "
        "country",
    )


def china_alternatives() -> list[dict[str, Any]]:
    """China's national grid factors shipped as background activities (``grid:CN:...``): id,
    year, value, unit, scope and series, newest first. They are not the CBAM default."""
    from footprint.background.grid import read_grid_factors
    from footprint.paths import background_dir

    rows = read_grid_factors(background_dir() / "grid" / "grid_factors.csv")
    national = rows[rows["location"] == "CN"].sort_values(["year", "id"], ascending=[False, True])
    return [
        {
            "id": r["id"],
            "year": int(r["year"]),
            "value": float(r["value"]),
            "unit": r["unit"],
            "scope": r["scope"],
            "series": r["series"],
            "status": r["status"],
        }
        for r in national.to_dict("records")
    ]


CHINA_ADVICE = (
    "China's factor in Annex II of IR (EU) 2025/2621 is not encoded: it is based on IEA data "
    "(CC BY-NC-SA 4.0) and no source found redistributes it. Look it up in the annex, or give "
    "another factor with its source in electricity_consumed[].factor_source, e.g. one of China's "
    "national grid factors shipped as background activities (MEE/NBS publications; national "
    "statistics, not the CBAM default; `footprint background show ID` gives each one's source)."
)

__all__ = [
    "CHINA_ADVICE",
    "UNIT",
    "GridFactor",
    "china_alternatives",
    "grid_factor",
    "grid_factors",
]
