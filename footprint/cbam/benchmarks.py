"""CBAM benchmarks and the free-allocation adjustment per tonne (IR (EU) 2025/2620), examples only.

The shipped benchmarks (``footprint/data/cbam_benchmarks.csv``) and the CBAM factor schedule are
read in a secondary source: ``unconfirmed`` (see ``cbam_benchmarks.SOURCES.md``). With default
values the adjustment per tonne is ``CBAM factor of the year × CSCF × Column B benchmark``; the
cross-sectoral correction factor (CSCF) is not encoded, so without one the figure is an estimate
with CSCF = 1. A good without an encoded benchmark gets no figure, never a guess.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from footprint.cbam.goods import CbamError, normalise_cn, sector_of

SOURCE = (
    "Research note 'EU CBAM - which emissions count, for iron/steel and hydrogen' (2026-09-07), "
    "quoting IR (EU) 2025/2620 (sections 4.7-4.9) and Directive 2003/87/EC Art. 10a(1a) "
    "(section 7.1)"
)
#: CBAM factor by year of import (Directive 2003/87/EC Art. 10a(1a), [S] quoting): the share of
#: free allocation still given; 2034: none. Unconfirmed.
CBAM_FACTOR: dict[int, Decimal] = {
    2026: Decimal("0.975"),
    2027: Decimal("0.95"),
    2028: Decimal("0.90"),
    2029: Decimal("0.775"),
    2030: Decimal("0.515"),
    2031: Decimal("0.39"),
    2032: Decimal("0.265"),
    2033: Decimal("0.14"),
    2034: Decimal("0"),
}
UNIT = "t CO2e/t"


@dataclass(frozen=True)
class Benchmark:
    """One CBAM benchmark as shipped (t CO2e per tonne of good)."""

    cn: str
    good: str
    column: str
    route: str
    value: Decimal
    status: str
    source: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """The benchmark as plain data, with its source and status."""
        return {
            "cn": self.cn,
            "good": self.good,
            "column": self.column,
            "route": self.route or None,
            "value": float(self.value),
            "unit": UNIT,
            "status": self.status,
            "source": self.source,
            "note": self.note,
        }


@cache
def benchmarks() -> tuple[Benchmark, ...]:
    """Every shipped benchmark."""
    path = files("footprint") / "data" / "cbam_benchmarks.csv"
    with path.open(encoding="utf-8") as handle:
        return tuple(
            Benchmark(
                cn=r["cn"],
                good=r["good"],
                column=r["column"],
                route=r["route"],
                value=Decimal(r["t_co2e_per_t"]),
                status=r["status"],
                source=r["source"],
                note=r["note"],
            )
            for r in csv.DictReader(handle)
        )


def cbam_factor(year: int, *, where: str | None = "--year") -> Decimal:
    """The CBAM factor for imports in ``year`` (0 from 2034).

    Raises:
        CbamError: a year before 2026.
    """
    if year < 2026:
        raise CbamError(
            f"year {year} is before the definitive period; the CBAM factor schedule encoded here "
            "starts in 2026",
            where=where,
            fix="give a year from 2026",
        )
    return CBAM_FACTOR.get(year, CBAM_FACTOR[2034])


@dataclass(frozen=True)
class FreeAllocationAdjustment:
    """The free-allocation adjustment per tonne of a good imported in a year, or why there is none.

    ``per_tonne`` is None where no single benchmark applies; ``estimate`` is True where the CSCF
    was not given (1 used) or the benchmark is provisional for the year.
    """

    cn: str
    year: int
    route: str | None
    benchmark: Benchmark | None
    cbam_factor: Decimal | None
    cscf: Decimal | None
    per_tonne: float | None
    estimate: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data, with the inputs, the status and the source."""
        return {
            "cn": self.cn,
            "year": self.year,
            "route": self.route,
            "per_tonne": self.per_tonne,
            "unit": UNIT,
            "estimate": self.estimate,
            "cbam_factor": None if self.cbam_factor is None else float(self.cbam_factor),
            "cscf": None if self.cscf is None else float(self.cscf),
            "cscf_given": self.cscf is not None,
            "benchmark": None if self.benchmark is None else self.benchmark.to_dict(),
            "note": self.note,
            "status": "unconfirmed",
            "source": SOURCE,
        }


def _none(cn: str, year: int, route: str | None, note: str) -> FreeAllocationAdjustment:
    return FreeAllocationAdjustment(cn, year, route, None, None, None, None, False, note)


def free_allocation_adjustment(
    cn: str,
    year: int,
    *,
    route: str | None = None,
    cscf: float | None = None,
    where: str | None = "--cn",
) -> FreeAllocationAdjustment:
    """The free-allocation adjustment per tonne of good ``cn`` (default values: Column B) imported
    in ``year``: ``CBAM factor × CSCF × benchmark``, rounded half up to 5 decimals.

    ``route`` is the default value's production-route code (e.g. ``C``) where benchmarks differ
    by route. Without ``cscf`` the factor is taken as 1 and the figure is an estimate.

    Raises:
        CbamError: a malformed CN code, a code outside CBAM, a year before 2026, or a CSCF that is
            not a number in (0, 1].
    """
    code = normalise_cn(cn, where=where)
    sector = sector_of(code, where=where)
    factor = cbam_factor(year)
    given: Decimal | None = None
    if cscf is not None:
        given = Decimal(repr(float(cscf)))
        if not Decimal(0) < given <= 1:
            raise CbamError(
                f"cross-sectoral correction factor {cscf!r} is not in (0, 1]",
                where="--cscf",
                fix="give the year's CSCF as a fraction, e.g. 0.9, or leave it out (1 is then "
                "used and the figure is an estimate)",
            )
    route = route or None
    if sector == "electricity":
        return FreeAllocationAdjustment(
            code, year, route, None, factor, given, 0.0, False, "electricity: the adjustment is 0"
        )
    found = [b for b in benchmarks() if code.startswith(b.cn)]
    if found:
        longest = max(len(b.cn) for b in found)
        found = [b for b in found if len(b.cn) == longest]
    if not found:
        return _none(code, year, route, f"no benchmark encoded for CN {code}")
    routed = {b.route for b in found if b.route}
    if routed:
        if route is None:
            return _none(
                code,
                year,
                route,
                f"benchmarks for routes {', '.join(sorted(routed))} are encoded for CN "
                f"{found[0].cn}; give the route",
            )
        found = [b for b in found if b.route == route]
        if not found:
            return _none(code, year, route, f"no benchmark encoded for CN {code}, route {route}")
    if len(found) > 1:
        values = " and ".join(f"{b.value}" for b in found)
        return _none(
            code,
            year,
            route,
            f"the source gives {len(found)} benchmarks for CN {found[0].cn} ({values}) without "
            "saying which applies; no figure",
        )
    (bench,) = found
    used = Decimal(1) if given is None else given
    value = (factor * used * bench.value).quantize(Decimal("0.00001"), ROUND_HALF_UP)
    notes = [
        f"CBAM factor {factor} ({year}) x CSCF {used} x benchmark {bench.value} "
        f"(column {bench.column}{', route ' + bench.route if bench.route else ''})"
    ]
    if given is None:
        notes.append("CSCF not encoded: 1 used, so the figure is an estimate (an upper bound)")
    if year >= 2027:
        notes.append("the benchmark is the provisional 2026 value, to be updated from 2027")
    if bench.column != "B":
        notes.append(
            "the source does not say whether the benchmark is Column A or Column B (the one "
            "used with default values)"
        )
    return FreeAllocationAdjustment(
        code,
        year,
        bench.route or route,
        bench,
        factor,
        given,
        float(value),
        given is None or year >= 2027,
        "; ".join(notes),
    )


__all__ = [
    "CBAM_FACTOR",
    "SOURCE",
    "Benchmark",
    "FreeAllocationAdjustment",
    "benchmarks",
    "cbam_factor",
    "free_allocation_adjustment",
]
