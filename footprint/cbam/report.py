"""The CBAM page of an installation (HTML, or PDF through :func:`footprint.report.write_pdf`).

Per good: direct, indirect and total SEE, the share of default values, and the comparison with the
Commission's default value marked up for the import year (what the actual value saves per tonne
and per year). Beside them: each process's attributed emissions, the precursors, the warnings, the
reconciliation with the product footprint of every good whose ``product_inventory`` is linked, and
the provenance of every factor and rule (source and status).

The view here holds numbers and data; the page's words are in the template ``cbam.html.j2`` of
:mod:`footprint.report` and their translations in its catalogue (``i18n/zh-CN.yaml``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from footprint.cbam.benchmarks import (
    ACTUAL_DATA_NOTE,
    FreeAllocationAdjustment,
    for_good,
    import_year,
    label,
)
from footprint.cbam.calc import CARBON_TO_CO2, CbamResult, GoodResult, Status, round_see
from footprint.cbam.defaults import (
    SOURCE,
    DefaultValue,
    default_for,
)
from footprint.cbam.flows import CORR_ETA, EF_NG
from footprint.cbam.goods import RULES, CbamError, Rule
from footprint.cbam.reconcile import SCOPE_NOTES, Reconciliation, reconcile
from footprint.errors import FootprintError
from footprint.report.format import pretty_unit
from footprint.units import convert, registry

if TYPE_CHECKING:
    from footprint.cbam.model import Installation

#: what a factor is (the template names each kind in the page's language)
Kind = Literal[
    "emission factor",
    "carbon content",
    "carbon to CO2",
    "GWP",
    "heat or waste gas factor",
    "electricity factor",
    "precursor SEE",
    "default value",
    "mark-up",
]
GWP_FILE = "footprint/data/gwp100.SOURCES.md"


def see_text(value: float) -> str:
    """A SEE as ``cbam calc`` gives it: t CO2e/t rounded half up to 5 decimals."""
    return f"{round_see(value):.5f}"


@dataclass(frozen=True)
class GoodRow:
    """One good: its SEE and its comparison with the default value of the import year."""

    good: GoodResult
    #: activity level of the good's production process, t
    production_t: float
    #: the activity level less what the installation's own processes consume, t
    for_market_t: float
    default: DefaultValue | None
    #: why there is no default value to compare with ("" when there is one)
    no_default: str = ""
    #: the part of the total SEE that precursors carry in, t CO2e/t
    from_precursors: float = 0.0
    #: the free-allocation adjustment per tonne of the import year (beside the SEE, never in it)
    faa: FreeAllocationAdjustment | None = None

    @property
    def faa_label(self) -> str:
        """The adjustment's status: estimate, unconfirmed, no benchmark encoded or no figure."""
        return "" if self.faa is None else label(self.faa)

    @property
    def saving_per_t(self) -> float | None:
        """Default value with mark-up minus the actual total SEE, t CO2e/t."""
        if self.default is None or self.default.total_with_markup is None:
            return None
        return self.default.total_with_markup - self.good.see.total

    @property
    def saving_per_year(self) -> float | None:
        """:attr:`saving_per_t` × the production for the market, t CO2e over the period."""
        per_t = self.saving_per_t
        return None if per_t is None else per_t * self.for_market_t


@dataclass(frozen=True)
class Factor:
    """A factor the SEE rests on, with its source and status."""

    kind: Kind
    name: str
    value: float
    unit: str
    used_in: str
    source: str
    status: Status


@dataclass(frozen=True)
class CbamView:
    """Everything the CBAM page shows."""

    result: CbamResult
    year: int
    goods: list[GoodRow]
    factors: list[Factor]
    rules: list[Rule]
    reconciliations: list[Reconciliation] = field(default_factory=list)
    scope_notes: tuple[str, ...] = SCOPE_NOTES
    faa_note: str = ACTUAL_DATA_NOTE

    @property
    def installation(self) -> Installation:
        """The installation."""
        return self.result.installation

    @property
    def any_fallback(self) -> bool:
        """Whether a good's default value is the row of 'Other countries and territories'."""
        return any(row.default is not None and row.default.fallback for row in self.goods)

    @property
    def precursors(self) -> list[tuple[str, Any]]:
        """(process name, contribution) of every precursor of every process."""
        return [(res.name, c) for res in self.result.processes for c in res.precursors]


def _in(value: Any, units: tuple[str, ...]) -> tuple[float, str]:
    """``value`` in the first of ``units`` it converts to, else as given."""
    for unit in units:
        try:
            return convert(value, unit), unit
        except FootprintError:
            continue
    return float(value.magnitude), f"{value.units:~P}"


def _consumed(inst: Installation) -> dict[str, float]:
    """Tonnes of each process's goods that the installation's processes consume."""
    used: dict[str, float] = {}
    for process in inst.processes:
        for use in process.precursors:
            used[use.precursor] = used.get(use.precursor, 0.0) + convert(use.amount, "t")
    return used


def _goods(result: CbamResult, year: int, cscf: float | None) -> list[GoodRow]:
    inst = result.installation
    levels = {p.id: p.activity_level for p in result.processes}
    carried = {p.id: sum(c.direct + c.indirect for c in p.precursors) for p in result.processes}
    used = _consumed(inst)
    rows = []
    for good in result.goods:
        level = levels[good.process]
        default: DefaultValue | None = None
        why = ""
        try:
            default = default_for(inst.installation.country, good.cn, year=year)
        except CbamError as exc:
            why = exc.what
        rows.append(
            GoodRow(
                good,
                level,
                max(level - used.get(good.process, 0.0), 0.0),
                default,
                why,
                carried[good.process],
                for_good(good.cn, good.route, year, cscf=cscf),
            )
        )
    return rows


def _gwp_status(gwp: str) -> Status:
    # gwp100.SOURCES.md: the AR6 and AR5 values of CO2 to PFC-116 were checked against the primary
    # tables, the AR4 values come from a secondary source.
    return "confirmed" if gwp in ("ar6", "ar5") else "unconfirmed"


def _process_factors(inst: Installation) -> list[Factor]:
    from footprint.engine.methods import GWP_SETS, canonical_gas, factor

    out: list[Factor] = []
    mass_balance = waste_gas = False
    co2e = registry().Quantity(1, "t CO2e").dimensionality
    for i, process in enumerate(inst.processes):
        at = ("processes", i)
        for k, stream in enumerate(process.source_streams):
            where = inst.where(*at, "source_streams", k)
            if stream.method == "standard":
                value, unit = _in(stream.emission_factor, ("t CO2e/TJ", "t CO2e/t", "t CO2e/MWh"))
                out.append(
                    Factor(
                        "emission factor",
                        stream.name,
                        value,
                        unit,
                        process.label,
                        where,
                        "operator",
                    )
                )
            else:
                mass_balance = True
                value, _ = _in(stream.carbon_content, ("t/t",))
                out.append(
                    Factor(
                        "carbon content",
                        stream.name,
                        value,
                        "t C/t",
                        process.label,
                        where,
                        "operator",
                    )
                )
        for measured in process.measured_emissions:
            gas = canonical_gas(measured.gas)
            if gas is None or gas == "CO2e" or measured.amount.dimensionality == co2e:
                continue
            out.append(
                Factor(
                    "GWP",
                    measured.gas,
                    factor(inst.gwp, gas, "fossil"),
                    "t CO2e/t",
                    process.label,
                    f"{GWP_SETS[inst.gwp]} ({GWP_FILE})",
                    _gwp_status(inst.gwp),
                )
            )
        for key in ("heat_imported", "heat_exported", "electricity_exported"):
            for k, flow in enumerate(getattr(process, key)):
                where = inst.where(*at, key, k)
                value, unit = _in(flow.emission_factor, ("t CO2e/GJ", "t CO2e/MWh"))
                name = f"{key.replace('_', ' ')}: {flow.name or k + 1}"
                source = f"{flow.source} ({where})" if flow.source else f"no source given ({where})"
                kind: Kind = (
                    "electricity factor"
                    if key == "electricity_exported"
                    else "heat or waste gas factor"
                )
                out.append(Factor(kind, name, value, unit, process.label, source, "operator"))
        if process.waste_gas_imported or process.waste_gas_exported:
            waste_gas = True
        for k, el in enumerate(process.electricity_consumed):
            where = inst.where(*at, "electricity_consumed", k)
            value, unit = _in(el.emission_factor, ("t CO2e/MWh",))
            out.append(
                Factor(
                    "electricity factor",
                    el.name or f"electricity consumed {k + 1}",
                    value,
                    unit,
                    process.label,
                    f"{el.factor_source} ({where})",
                    "operator",
                )
            )
    if waste_gas:
        rule = RULES["waste-gas-correction"]
        cite = f"{rule.source}; {rule.locator}"
        out.append(
            Factor(
                "heat or waste gas factor",
                "EF_NG, natural gas (waste gases imported and exported)",
                EF_NG,
                "t CO2e/TJ",
                "waste-gas correction",
                cite,
                rule.status,
            )
        )
        out.append(
            Factor(
                "heat or waste gas factor",
                "Corr_eta, efficiency correction (waste gases exported)",
                CORR_ETA,
                "",
                "waste-gas correction",
                cite,
                rule.status,
            )
        )
    if mass_balance:
        rule = RULES["mass-balance-factor"]
        out.append(
            Factor(
                "carbon to CO2",
                "CO2 / C",
                CARBON_TO_CO2,
                "t CO2/t C",
                "mass balance",
                f"{rule.source}; {rule.locator}",
                rule.status,
            )
        )
    return out


def _precursor_factors(result: CbamResult) -> list[Factor]:
    inst = result.installation
    out: list[Factor] = []
    for item in inst.purchased_precursors:
        uses = [c for res in result.processes for c in res.precursors if c.precursor == item.id]
        if not uses:
            continue
        see = uses[0].see
        users = ", ".join(
            res.name
            for res in result.processes
            if any(c.precursor == item.id for c in res.precursors)
        )
        out.append(
            Factor(
                "precursor SEE",
                f"{item.label} (CN {item.cn}, {item.country})",
                see.total,
                "t CO2e/t",
                users,
                uses[0].source,
                uses[0].status,
            )
        )
    return out


def _default_factors(goods: list[GoodRow]) -> list[Factor]:
    out: list[Factor] = []
    markup = RULES["default-markup"]
    for row in goods:
        value = row.default
        if value is None:
            continue
        fallback = " (row of 'Other countries and territories')" if value.fallback else ""
        out.append(
            Factor(
                "default value",
                f"CN {value.row.cn} {value.row.area}{fallback}",
                value.total,
                "t CO2e/t",
                row.good.name,
                SOURCE,
                "unconfirmed",
            )
        )
        out.append(
            Factor(
                "mark-up",
                f"{value.sector}, {value.year}",
                100.0 * (value.markup or 0.0),
                "%",
                row.good.name,
                f"{markup.source}; {markup.locator}",
                markup.status,
            )
        )
    return out


def reconciliations(result: CbamResult, *, background: str = "default") -> list[Reconciliation]:
    """The reconciliation of every good whose ``product_inventory`` the installation links.

    Raises:
        CbamError: a linked inventory that does not exist or is not declared per mass.
        FootprintError: the inventory cannot be computed (as ``footprint calc`` says).
    """
    from footprint.engine.calculate import calculate

    inst = result.installation
    out = []
    for i, process in enumerate(inst.processes):
        for j, good in enumerate(process.goods):
            if good.product_inventory is None:
                continue
            where = inst.where("processes", i, "goods", j, "product_inventory")
            path = Path(inst.source).parent / good.product_inventory
            if not path.is_file():
                raise CbamError(
                    f"product inventory {good.product_inventory!r} not found ({path})",
                    where=where,
                    fix="give the path of the good's inventory file, relative to the "
                    "installation file, or leave product_inventory out",
                )
            footprint = calculate(path, gwp=inst.gwp, background=background)
            try:
                out.append(reconcile(result, good.cn, footprint))
            except CbamError as exc:
                raise CbamError(exc.what, where=where, fix=exc.fix) from None
    return out


def cbam_view(
    result: CbamResult,
    *,
    year: int | None = None,
    reconciled: list[Reconciliation] | None = None,
    cscf: float | None = None,
) -> CbamView:
    """The page's content. ``year``: the import year of the mark-up and of the free-allocation
    adjustment (default: the year the reporting period ends, at least 2026); ``cscf``: the
    cross-sectoral correction factor of the adjustment (without it, 1: an estimate).

    Raises:
        CbamError: a year before 2026, or a CSCF outside (0, 1].
    """
    from footprint.cbam.goods import markup_rate

    year = import_year(result.installation.reporting_period.end.year, year)
    markup_rate("cement", year)  # refuses years before the definitive period
    goods = _goods(result, year, cscf)
    factors = (
        _process_factors(result.installation) + _precursor_factors(result) + _default_factors(goods)
    )
    factors = [replace(f, unit=pretty_unit(f.unit)) for f in factors]
    return CbamView(result, year, goods, factors, list(RULES.values()), list(reconciled or []))


def render_cbam_html(
    view: CbamView,
    *,
    lang: str = "en",
    tool_version: str | None = None,
    generated: str | dt.date | None = None,
) -> str:
    """The CBAM page of ``view`` as one self-contained HTML page, in ``lang`` (``en`` or
    ``zh-CN``).

    Raises:
        FootprintError: an unknown ``lang``.
    """
    from footprint.report import i18n
    from footprint.report.html import environment

    t = i18n.translator(lang)
    if tool_version is None:
        from footprint import __version__

        tool_version = __version__
    date = dt.date.today() if generated is None else generated
    return (
        environment()
        .get_template("cbam.html.j2")
        .render(
            t=t,
            lang=t.lang,
            tool_version=tool_version,
            generated=date.isoformat() if isinstance(date, dt.date) else str(date),
            view=view,
            see=see_text,
        )
    )
