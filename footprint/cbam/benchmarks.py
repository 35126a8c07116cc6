"""CBAM benchmarks and the free-allocation adjustment per tonne (IR (EU) 2025/2620), examples only.

The shipped benchmarks (``footprint/data/cbam_benchmarks.csv``) and the CBAM factor schedule are
read in a secondary source: ``unconfirmed`` (see ``cbam_benchmarks.SOURCES.md``). With default
values the adjustment per tonne is ``CBAM factor of the year × CSCF × Column B benchmark``; the
cross-sectoral correction factor (CSCF) is not encoded, so without one the figure is an estimate
with CSCF = 1. A good without an encoded benchmark gets no figure, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from footprint.cbam.goods import CbamError, normalise_cn, sector_of
from footprint.paths import data_rows

if TYPE_CHECKING:
    from footprint.cbam.calc import CbamResult

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
#: Production-route codes of the default-value annex for carbon steel, by the routes' names
#: (cbam.md A3: "C/D/E carbon steel BF-BOF, DRI-EAF, scrap-EAF", [S] S1 section 4.7 and S3):
#: a good's ``route`` written as a code or as one of these names picks the routed benchmark.
ROUTE_CODES: dict[str, str] = {"bf-bof": "C", "dri-eaf": "D", "scrap-eaf": "E"}
#: With actual emissions (``cbam calc``) the adjustment is built from process benchmarks.
ACTUAL_DATA_NOTE = (
    "with actual emissions the adjustment is built from the Column A process benchmarks, "
    "recursively over precursors (IR (EU) 2025/2620 as read in the research note, sections "
    "4.7-4.9); those are not encoded, so the figure beside an actual SEE uses the whole-good "
    "benchmark encoded here and is an indication. It never changes the SEE"
)


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
        for r in data_rows("cbam_benchmarks.csv")
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


def route_code(route: str | None) -> str | None:
    """The route code of a good's ``route``: a code as written (``'E'``), or the code of a route
    name of :data:`ROUTE_CODES` (``'scrap-EAF'`` → ``'E'``); None for anything else."""
    if route is None:
        return None
    text = route.strip()
    if len(text) == 1 and text.isalpha():
        return text.upper()
    return ROUTE_CODES.get(text.lower())


def import_year(period_end_year: int, year: int | None = None) -> int:
    """The import year: ``year`` if given, else the year the reporting period ends (at least
    2026)."""
    return max(period_end_year, 2026) if year is None else year


def label(faa: FreeAllocationAdjustment) -> str:
    """A figure's status in a word or three: ``estimate`` (CSCF not given, or a provisional
    benchmark), ``unconfirmed``, ``no benchmark encoded`` or ``no figure``."""
    if faa.per_tonne is not None:
        return "estimate" if faa.estimate else "unconfirmed"
    return "no benchmark encoded" if faa.note.startswith("no benchmark encoded") else "no figure"


def for_good(
    cn: str, route: str | None, year: int, *, cscf: float | None = None
) -> FreeAllocationAdjustment:
    """The adjustment per tonne of a good of an installation, its ``route`` as the file writes it.

    Raises:
        CbamError: as :func:`free_allocation_adjustment`.
    """
    faa = free_allocation_adjustment(cn, year, route=route_code(route), cscf=cscf)
    if faa.per_tonne is None and faa.note.endswith("give the route"):
        names = ", ".join(f"{name} ({code})" for name, code in ROUTE_CODES.items())
        given = f"{route!r} names none" if route else "the good gives none"
        faa = replace(faa, note=f"{faa.note}: {given}; write one of {names}")
    return faa


def beside_see(faa: FreeAllocationAdjustment) -> dict[str, Any]:
    """The adjustment as plain data for the SEE's JSON: ``per_tonne`` null with a ``reason``
    where there is no figure."""
    return {
        **faa.to_dict(),
        "label": label(faa),
        "reason": faa.note if faa.per_tonne is None else None,
    }


def see_with_adjustments(
    result: CbamResult, year: int, *, cscf: float | None = None
) -> dict[str, Any]:
    """``result.to_dict()`` with the adjustment per tonne of the import ``year`` beside every
    good's SEE (the SEE unchanged).

    Raises:
        CbamError: a year before 2026 or a CSCF outside (0, 1].
    """
    data = result.to_dict()
    faas = [for_good(g.cn, g.route, year, cscf=cscf) for g in result.goods]
    for good, faa in zip(data["goods"], faas, strict=True):
        good["free_allocation_adjustment"] = beside_see(faa)
    data["free_allocation_adjustment"] = {
        "year": year,
        "cbam_factor": float(cbam_factor(year)),
        "cscf": cscf,
        "formula": "CBAM factor of the year x CSCF x CBAM benchmark, per tonne of good",
        "unit": UNIT,
        "note": ACTUAL_DATA_NOTE,
        "status": "unconfirmed",
        "source": SOURCE,
    }
    return data


__all__ = [
    "ACTUAL_DATA_NOTE",
    "CBAM_FACTOR",
    "ROUTE_CODES",
    "SOURCE",
    "Benchmark",
    "FreeAllocationAdjustment",
    "benchmarks",
    "cbam_factor",
    "beside_see",
    "for_good",
    "free_allocation_adjustment",
    "import_year",
    "label",
    "route_code",
    "see_with_adjustments",
]
