"""Specific embedded emissions (SEE) of an installation's goods, per CBAM's definitive methodology.

For each production process *p* with activity level *AL* (t):

* directly attributed emissions = source streams + measured emissions + heat imported − heat
  exported + waste gases imported − waste gases exported − emissions of electricity exported
  (heat and electricity at the operator's factors; waste gases at the natural-gas reference
  factor, exports × 0.667: see :mod:`footprint.cbam.flows`);
* indirect attributed emissions = electricity consumed × its emission factor (counted only for
  goods outside Annex II: cement, fertilisers, agglomerated iron ore);
* SEE = attributed / AL + Σ (precursor mass / AL) × SEE of the precursor, per channel, recursively.

Precursors made in the EU count zero. An Annex II precursor's indirect channel is dropped where it
feeds a good outside Annex II. Every rule is cited in :data:`footprint.cbam.goods.RULES`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from footprint.cbam.defaults import default_for, is_unknown
from footprint.cbam.flows import (
    FlowLine,
    double_count_warnings,
    flow_lines,
    transfer_warnings,
)
from footprint.cbam.functional import FunctionalUnit, functional_unit, missing_warning
from footprint.cbam.goods import RULES, CbamError, zero_origin
from footprint.cbam.model import Installation, Process, PurchasedPrecursor
from footprint.cbam.see import See
from footprint.cbam.see import round_see as round_see  # re-exported
from footprint.errors import UnitError
from footprint.units import convert, registry

#: t CO2 per t C (the ratio of molar masses 44.010 / 12.011, rounded as the act gives it).
CARBON_TO_CO2 = 3.664
#: confirmed / unconfirmed: published values and rules, by whether they were read in the primary
#: text; operator: the installation file's own data; supplier: a supplier's verified actual value
Status = Literal["confirmed", "unconfirmed", "operator", "supplier"]


@dataclass(frozen=True)
class PrecursorContribution:
    """What one precursor adds to a process's SEE."""

    precursor: str
    name: str
    cn: str
    origin: str
    basis: str
    mass: float
    per_tonne: float
    see: See
    direct: float
    indirect: float
    #: where the precursor's SEE comes from (a citation) and its status (not in ``to_dict``)
    source: str = ""
    status: Status = "operator"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (t, t/t, t CO2e/t)."""
        return {
            "precursor": self.precursor,
            "name": self.name,
            "cn": self.cn,
            "origin": self.origin,
            "basis": self.basis,
            "mass_t": self.mass,
            "t_per_t": self.per_tonne,
            "precursor_see": self.see.to_dict(),
            "contribution": {"direct": self.direct, "indirect": self.indirect},
        }


@dataclass(frozen=True)
class ProcessResult:
    """Attributed emissions of one process and the SEE of its goods."""

    id: str
    name: str
    activity_level: float
    direct_emissions: float
    attributed_direct: float
    attributed_indirect: float
    indirect_counted: bool
    parts: dict[str, float]
    precursors: list[PrecursorContribution]
    see: See
    carbon_price: dict[str, Any] | None = None
    #: heat, waste-gas and exported-electricity lines of the attributed direct emissions
    flows: list[FlowLine] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: emissions in t CO2e (also rounded to full tonnes), SEE in t CO2e/t."""
        data = {
            "id": self.id,
            "name": self.name,
            "activity_level_t": self.activity_level,
            "direct_emissions_t": self.direct_emissions,
            "attributed_direct_t": self.attributed_direct,
            "attributed_indirect_t": self.attributed_indirect,
            "attributed_rounded_t": {
                "direct": int(Decimal(repr(self.attributed_direct)).quantize(1, ROUND_HALF_UP)),
                "indirect": int(Decimal(repr(self.attributed_indirect)).quantize(1, ROUND_HALF_UP)),
            },
            "indirect_counted": self.indirect_counted,
            "parts_t": self.parts,
            "precursors": [p.to_dict() for p in self.precursors],
            "see": self.see.to_dict(),
            "carbon_price": self.carbon_price,
        }
        if self.flows:
            data["energy_flows"] = [line.to_dict() for line in self.flows]
        return data


@dataclass(frozen=True)
class GoodResult:
    """The SEE of one good (every good of a process shares the process's SEE)."""

    cn: str
    name: str
    category: str
    route: str | None
    process: str
    see: See
    #: the SEE per tonne of clinker or nitrogen contained (cement, fertilisers); None elsewhere
    functional_unit: FunctionalUnit | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (``functional_unit`` only for goods whose unit is not the tonne of good)."""
        data = {
            "cn": self.cn,
            "name": self.name,
            "category": self.category,
            "route": self.route,
            "process": self.process,
            **self.see.to_dict(),
        }
        if self.functional_unit is not None:
            data["functional_unit"] = self.functional_unit.to_dict()
        return data


@dataclass
class CbamResult:
    """The SEE of every good of an installation, with the processes, warnings and rules used."""

    installation: Installation
    processes: list[ProcessResult]
    goods: list[GoodResult]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, JSON-ready."""
        inst = self.installation
        return {
            "installation": inst.installation.model_dump(mode="json"),
            "reporting_period": inst.reporting_period.model_dump(mode="json"),
            "source": {"file": inst.source, "sha256": inst.sha256},
            "gwp": inst.gwp,
            "rounding": RULES["rounding"].text,
            "goods": [g.to_dict() for g in self.goods],
            "processes": [p.to_dict() for p in self.processes],
            "warnings": self.warnings,
            "rules": [r.to_dict() for r in RULES.values()],
        }


def _t(value: Any, where: str) -> float:
    return convert(value, "t", where=where)


def _co2e(value: Any, where: str) -> float:
    return convert(value, "t CO2e", where=where)


class _Calculator:
    def __init__(self, installation: Installation) -> None:
        self.inst = installation
        self.warnings: list[str] = []
        self.results: dict[str, ProcessResult] = {}
        self.purchased: dict[str, See] = {}
        self.basis: dict[str, str] = {}
        self.provenance: dict[str, tuple[str, Status]] = {}
        self.stack: list[str] = []
        self.flows: dict[str, list[FlowLine]] = {}

    def where(self, *path: str | int) -> str:
        return self.inst.where(*path)

    def process_index(self, process: Process) -> int:
        return next(i for i, p in enumerate(self.inst.processes) if p.id == process.id)

    # ------------------------------------------------------------------ attributed emissions
    def attributed(self, i: int, process: Process) -> tuple[float, float, float, dict[str, float]]:
        at = ("processes", i)
        parts: dict[str, float] = {}
        direct = 0.0
        for k, stream in enumerate(process.source_streams):
            where = self.where(*at, "source_streams", k)
            keep = 1.0 - stream.biomass_fraction
            if stream.method == "standard":
                em = _co2e(stream.activity_data * stream.emission_factor, where)
                em *= stream.oxidation_factor * keep
            else:
                mass = _t(
                    stream.activity_data, self.where(*at, "source_streams", k, "activity_data")
                )
                assert stream.carbon_content is not None  # checked by the model
                carbon = convert(
                    stream.carbon_content,
                    registry().Unit("t/t"),
                    where=self.where(*at, "source_streams", k, "carbon_content"),
                )
                sign = -1.0 if stream.direction == "output" else 1.0
                em = sign * CARBON_TO_CO2 * mass * carbon * keep
            parts[f"source stream: {stream.name}"] = em
            direct += em
        for k, measured in enumerate(process.measured_emissions):
            em = self.measured(
                measured.gas, measured.amount, self.where(*at, "measured_emissions", k)
            )
            parts[f"measured: {measured.name or measured.gas}"] = em
            direct += em
        attributed = direct
        lines, warnings = flow_lines(self.inst, i, process)
        self.warnings += warnings
        self.flows[process.id] = lines
        for line in lines:
            parts[f"{line.kind}: {line.name}"] = line.emissions
            attributed += line.emissions
        indirect = 0.0
        for k, el in enumerate(process.electricity_consumed):
            em = _co2e(el.amount * el.emission_factor, self.where(*at, "electricity_consumed", k))
            parts[f"electricity consumed: {el.name or k + 1}"] = em
            indirect += em
        if indirect and not process.counts_indirect:
            self.warnings.append(
                f"process {process.id!r}: electricity consumed ({indirect:.6g} t CO2e) is not "
                "counted: its goods are Annex II goods (direct emissions only from 2026)"
            )
        if attributed < 0:
            self.warnings.append(
                f"process {process.id!r}: directly attributed emissions are negative "
                f"({attributed:.6g} t CO2e); check the exports and mass-balance outputs"
            )
        return direct, attributed, indirect, parts

    def measured(self, gas: str, amount: Any, where: str) -> float:
        from footprint.engine.methods import canonical_gas, factor

        if amount.dimensionality == registry().Quantity(1, "t CO2e").dimensionality:
            return _co2e(amount, where)
        key = canonical_gas(gas)
        if key is None or key == "CO2e":
            raise CbamError(
                f"unknown gas {gas!r}",
                where=where + ".gas",
                fix="write CO2, N2O, CF4 or C2F6 (or give the amount in t CO2e)",
            )
        try:
            mass = _t(amount, where + ".amount")
        except UnitError as exc:
            raise UnitError(
                exc.what,
                where=exc.where,
                fix="give the mass of the gas, e.g. '12.5 t', or its CO2e, e.g. '3400 t CO2e'",
            ) from None
        return mass * factor(self.inst.gwp, key, "fossil")

    # ------------------------------------------------------------------ SEE, recursively
    def process_see(self, process: Process) -> ProcessResult:
        if process.id in self.results:
            return self.results[process.id]
        i = self.process_index(process)
        if process.id in self.stack:
            cycle = " -> ".join([*self.stack[self.stack.index(process.id) :], process.id])
            raise CbamError(
                f"cyclic precursors: {cycle}",
                where=self.where("processes", i, "precursors"),
                fix="a process cannot (directly or through others) be its own precursor; "
                "report a joint production process as one process",
            )
        self.stack.append(process.id)
        level = _t(process.activity_level, self.where("processes", i, "activity_level"))
        if level <= 0:
            raise CbamError(
                f"activity level {process.activity_level:~P} is not positive",
                where=self.where("processes", i, "activity_level"),
                fix="give the tonnes of goods produced over the reporting period",
            )
        direct, attributed, indirect, parts = self.attributed(i, process)
        own_indirect = indirect if process.counts_indirect else 0.0
        see_direct = attributed / level
        see_indirect = own_indirect / level
        from_defaults = 0.0
        contributions = []
        for j, use in enumerate(process.precursors):
            where = self.where("processes", i, "precursors", j)
            mass = _t(use.amount, where + ".amount")
            source = self.inst.precursor(use.precursor)
            assert source is not None  # checked when the file was read
            if isinstance(source, Process):
                see = self.process_see(source).see
                basis, origin, cn = (
                    "own process",
                    self.inst.installation.country,
                    source.goods[0].cn,
                )
                provenance: tuple[str, Status] = ("", "operator")
            else:
                see = self.purchased_see(source)
                basis, origin, cn = self.basis[source.id], source.country, source.cn
                provenance = self.provenance[source.id]
            per_tonne = mass / level
            add_indirect = see.indirect
            if not source.counts_indirect and process.counts_indirect:
                add_indirect = 0.0  # an Annex II precursor's indirect channel is dropped
            from_part = see.from_defaults
            if see.total > 0 and add_indirect != see.indirect:
                from_part = see.from_defaults * (see.direct + add_indirect) / see.total
            see_direct += per_tonne * see.direct
            see_indirect += per_tonne * add_indirect
            from_defaults += per_tonne * from_part
            name = source.label
            contributions.append(
                PrecursorContribution(
                    use.precursor,
                    name,
                    cn,
                    origin,
                    basis,
                    mass,
                    per_tonne,
                    see,
                    per_tonne * see.direct,
                    per_tonne * add_indirect,
                    *provenance,
                )
            )
        self.stack.pop()
        see = See(see_direct, see_indirect, from_defaults)
        result = ProcessResult(
            process.id,
            process.label,
            level,
            direct,
            attributed,
            own_indirect,
            process.counts_indirect,
            parts,
            contributions,
            see,
            self.carbon_price(i, process, level, see),
            self.flows[process.id],
        )
        self.results[process.id] = result
        return result

    def carbon_price(
        self, i: int, process: Process, level: float, see: See
    ) -> dict[str, Any] | None:
        paid = process.carbon_price
        if paid is None:
            return None
        at = ("processes", i, "carbon_price")
        priced = _co2e(paid.emissions_priced, self.where(*at, "emissions_priced"))
        rebated = _co2e(paid.rebated, self.where(*at, "rebated"))
        net = max(priced - rebated, 0.0)
        if net == 0:
            self.warnings.append(
                f"process {process.id!r}: the carbon price paid is effectively zero: rebates "
                f"({rebated:g} t CO2e, e.g. free allocation) cover the emissions priced"
            )
        if see.from_defaults > 0:
            self.warnings.append(
                f"process {process.id!r}: a carbon price can be deducted with actual evidence only "
                "for actual embedded emissions; part of this SEE comes from default values"
            )
        return {
            "scheme": paid.scheme,
            "price_per_t_co2e": paid.price,
            "currency": paid.currency,
            "emissions_priced_t": priced,
            "rebated_t": rebated,
            "effective_total": net * paid.price,
            "effective_per_t_good": net * paid.price / level,
            "evidence": paid.evidence,
            "deducted": False,
            "note": RULES["carbon-price"].text,
            "status": RULES["carbon-price"].status,
        }

    def purchased_see(self, item: PurchasedPrecursor) -> See:
        if item.id in self.purchased:
            return self.purchased[item.id]
        k = next(n for n, p in enumerate(self.inst.purchased_precursors) if p.id == item.id)
        at = ("purchased_precursors", k)
        actual = item.emissions
        provenance: tuple[str, Status]
        if (zero := zero_origin(item.country)) is not None:  # EU or Annex III origin
            see, basis = See(0.0, 0.0), zero[0]
            provenance = (f"{zero[1].source}; {zero[1].locator}", zero[1].status)
        elif actual != "default" and actual.verification is not None:
            direct = convert(
                actual.direct, "t CO2e/t", where=self.where(*at, "emissions", "direct")
            )
            indirect = convert(
                actual.indirect, "t CO2e/t", where=self.where(*at, "emissions", "indirect")
            )
            if indirect and not item.counts_indirect:
                self.warnings.append(
                    f"purchased precursor {item.id!r}: its indirect SEE ({indirect:g} t CO2e/t) is "
                    f"not counted: CN {item.cn} is an Annex II good (direct emissions only)"
                )
                indirect = 0.0
            share = actual.default_share / 100.0
            see, basis = See(direct, indirect, share * (direct + indirect)), "actual, verified"
            ver = actual.verification
            report = f", report {ver.report}" if ver.report else ""
            provenance = (
                f"{item.supplier or item.label}, verified by {ver.verifier}{report} "
                f"({self.where(*at, 'emissions')})",
                "supplier",
            )
        else:
            if actual != "default":
                self.warnings.append(
                    f"purchased precursor {item.id!r}: actual emissions without verification "
                    "cannot be used; its default value is used instead "
                    f"({RULES['precursor-verification'].locator})"
                )
            field = "country" if is_unknown(item.country) else "cn"
            value = default_for(item.country, item.cn, where=self.where(*at, field))
            indirect = value.indirect if item.counts_indirect else 0.0
            fallback = " (row of 'Other countries and territories')" if value.fallback else ""
            see = See(value.direct, indirect, value.direct + indirect)
            area = f"({value.row.area})" if value.row.annex != "I" else value.row.area
            basis = f"default value {value.row.cn} {area}{fallback}"
            provenance = (f"{basis}: {value.row.source}", "unconfirmed")
        self.purchased[item.id] = see
        self.basis[item.id] = basis
        self.provenance[item.id] = provenance
        return see

    def check_balances(self) -> None:
        used: dict[str, float] = {}
        for process in self.inst.processes:
            for use in process.precursors:
                used[use.precursor] = used.get(use.precursor, 0.0) + _t(use.amount, "")
        for k, item in enumerate(self.inst.purchased_precursors):
            bought = _t(item.quantity, self.where("purchased_precursors", k, "quantity"))
            if item.id not in used:
                self.warnings.append(f"purchased precursor {item.id!r} is used by no process")
            elif used[item.id] > bought * (1 + 1e-9):
                self.warnings.append(
                    f"purchased precursor {item.id!r}: processes consume {used[item.id]:g} t but "
                    f"{bought:g} t were purchased; check the quantities or stock changes"
                )
        for process in self.inst.processes:
            made = self.results[process.id].activity_level
            if process.id in used and used[process.id] > made * (1 + 1e-9):
                self.warnings.append(
                    f"process {process.id!r}: other processes consume {used[process.id]:g} t of "
                    f"its goods but it makes {made:g} t"
                )


def calculate(installation: Installation) -> CbamResult:
    """The SEE of every good of ``installation``.

    Raises:
        CbamError: cyclic precursors, a non-positive activity level, an unknown gas, or a
            precursor default value that cannot be found, naming file, line and field.
        UnitError: an amount of the wrong kind (e.g. MWh where tonnes are expected).
    """
    calc = _Calculator(installation)
    for process in installation.processes:
        calc.process_see(process)
    calc.check_balances()
    calc.warnings += transfer_warnings(calc.flows)
    calc.warnings += double_count_warnings(installation)
    goods = []
    for process in installation.processes:
        result = calc.results[process.id]
        if not all(math.isfinite(v) for v in (result.see.direct, result.see.indirect)):
            raise CbamError(
                "the specific embedded emissions are out of range",
                where=calc.where("processes", calc.process_index(process)),
                fix="check the amounts and units of this process",
            )
        for good in process.goods:
            unit = functional_unit(good, result.see)
            if unit is not None and not unit.applied:
                calc.warnings.append(missing_warning(good, process.id, unit))
            goods.append(
                GoodResult(
                    good.cn,
                    good.name or good.category,
                    good.category,
                    good.route,
                    process.id,
                    result.see,
                    unit,
                )
            )
    ordered = [calc.results[p.id] for p in installation.processes]
    return CbamResult(installation, ordered, goods, calc.warnings)
