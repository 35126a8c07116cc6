"""Heat, waste gases and exported electricity: the lines they add to a process's directly
attributed emissions, and the checks of flows between processes of one installation.

* Measurable heat (rule ``attribution``): ``+ Q_imp x EF_heat`` imported, ``- Q_exp x EF_heat``
  exported, with the operator's factor (no default factor for heat was found, cbam.md section E);
  a warning says when the factor has no source.
* Waste gases (rule ``waste-gas-correction``, IR 2023/1773 Annex III eq. 53-54, read in a
  secondary source, status **unconfirmed**)::

      WG_corr,imp = E_imp x EF_NG               (eq. 53, added by the importing process)
      WG_corr,exp = E_exp x EF_NG x Corr_eta    (eq. 54, deducted by the exporting process)

  with ``E`` the gas's energy (volume x net calorific value, TJ), ``EF_NG`` = 56.1 t CO2/TJ and
  ``Corr_eta`` = 0.667. The reference's "the importing process uses eq. 53 with no correction" is
  read as ``E x EF_NG`` without ``Corr_eta``. The producer keeps the emissions of the gas's carbon
  (its source streams or mass balance), so the importer adds only the natural-gas equivalent and
  never the gas's own factor: a gas passed between two processes of one installation is burnt
  once, deducted once (x 0.667) and added once. The two sides are not symmetric by design, so
  such a transfer adds ``E x 56.1 x (1 - 0.667)`` t CO2 to the sum of the processes' attributed
  emissions; that is the correction as read, not a second count of the gas.
* Electricity exported: ``- E_el,exp x EF_el`` with the operator's factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from footprint.cbam.goods import CbamError
from footprint.errors import UnitError
from footprint.units import convert

if TYPE_CHECKING:
    from footprint.cbam.model import Installation, Process

#: t CO2 per TJ of natural gas, the reference factor of the waste-gas correction (eq. 53-54).
EF_NG = 56.1
#: efficiency correction of exported waste gas against natural gas (eq. 54).
CORR_ETA = 0.667

Kind = Literal[
    "heat imported", "heat exported", "waste gas imported", "waste gas exported",
    "electricity exported",
]  # fmt: skip
KEYS: dict[str, Kind] = {
    "heat_imported": "heat imported",
    "heat_exported": "heat exported",
    "waste_gas_imported": "waste gas imported",
    "waste_gas_exported": "waste gas exported",
    "electricity_exported": "electricity exported",
}


@dataclass(frozen=True)
class FlowLine:
    """One heat, waste-gas or exported-electricity line of a process's attributed emissions."""

    kind: Kind
    name: str
    #: energy over the period, in ``unit``
    amount: float
    unit: str
    #: the factor applied, t CO2e per ``unit``
    factor: float
    #: "operator" (the file's factor) or "rule" (EF_NG of the waste-gas correction)
    factor_from: Literal["operator", "rule"]
    #: Corr_eta for exported waste gas, else 1
    correction: float
    #: t CO2e, signed as added to the attributed direct emissions
    emissions: float
    source: str | None
    #: the other process of this installation, if the flow is internal
    partner: str | None
    #: a waste gas's own factor (t CO2e/TJ), for information only
    gas_factor: float | None = None

    @property
    def rule(self) -> str:
        """Id of the rule applied."""
        return "waste-gas-correction" if self.kind.startswith("waste") else "attribution"

    @property
    def formula(self) -> str:
        """``2 TJ x 56.1 t CO2e/TJ x 0.667 = -74.8 t CO2e``."""
        corr = f" x {self.correction:g}" if self.correction != 1 else ""
        return (
            f"{self.amount:.6g} {self.unit} x {self.factor:.6g} t CO2e/{self.unit}{corr} = "
            f"{self.emissions:+.6g} t CO2e"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "kind": self.kind,
            "name": self.name,
            "amount": self.amount,
            "unit": self.unit,
            "factor_t_co2e_per_unit": self.factor,
            "factor_from": self.factor_from,
            "correction": self.correction,
            "emissions_t": self.emissions,
            "formula": self.formula,
            "factor_source": self.source,
            "partner_process": self.partner,
            "gas_own_factor_t_co2e_per_tj": self.gas_factor,
            "rule": self.rule,
        }


def flow_lines(inst: Installation, i: int, process: Process) -> tuple[list[FlowLine], list[str]]:
    """The heat, waste-gas and exported-electricity lines of process ``i``, and their warnings.

    Raises:
        CbamError: a negative amount or factor.
        UnitError: a waste gas not given as energy, or a factor of the wrong kind.
    """
    lines: list[FlowLine] = []
    warnings: list[str] = []
    for key, kind in KEYS.items():
        for k, flow in enumerate(getattr(process, key)):
            where = inst.where("processes", i, key, k)
            name = flow.name or str(k + 1)
            if float(flow.amount.magnitude) < 0:
                raise CbamError(
                    f"{kind} {name!r}: the amount {flow.amount:~P} is negative",
                    where=where + ".amount",
                    fix=f"give the energy as a positive amount: the list {key} says whether it "
                    "is added (imported) or deducted (exported)",
                )
            sign = -1.0 if kind.endswith("exported") else 1.0
            partner = getattr(flow, "process", None)
            if kind.startswith("waste gas"):
                try:
                    energy = convert(flow.amount, "TJ", where=where + ".amount")
                except UnitError as exc:
                    raise UnitError(
                        exc.what,
                        where=exc.where,
                        fix="give the gas's energy, volume x net calorific value, e.g. '35 TJ'",
                    ) from None
                correction = CORR_ETA if sign < 0 else 1.0
                own = flow.emission_factor
                lines.append(
                    FlowLine(
                        kind, name, energy, "TJ", EF_NG, "rule", correction,
                        sign * energy * EF_NG * correction, flow.source, partner,
                        None if own is None else convert(own, "t CO2e/TJ", where=where),
                    )
                )  # fmt: skip
                continue
            unit = "GJ" if kind.startswith("heat") else "MWh"
            amount = convert(flow.amount, unit, where=where + ".amount")
            factor = convert(
                flow.emission_factor, f"t CO2e/{unit}", where=where + ".emission_factor"
            )
            if factor < 0:
                raise CbamError(
                    f"{kind} {name!r}: the emission factor {flow.emission_factor:~P} is negative",
                    where=where + ".emission_factor",
                    fix="give the factor of the heat or electricity as a positive amount",
                )
            if kind.startswith("heat") and not (flow.source or "").strip():
                warnings.append(
                    f"process {process.id!r}: {kind} {name!r}: its emission factor "
                    f"({factor:.6g} t CO2e/{unit}) is the operator's and has no source; no default "
                    f"factor for measurable heat is encoded: say where it comes from ({where})"
                )
            lines.append(
                FlowLine(
                    kind, name, amount, unit, factor, "operator", 1.0, sign * amount * factor,
                    flow.source, partner,
                )
            )  # fmt: skip
    return lines, warnings


def transfer_warnings(lines: dict[str, list[FlowLine]]) -> list[str]:
    """Warnings where heat or waste gas passed between two processes of the installation is not
    declared alike on both sides (then it is counted on one side only, or differently)."""
    out: list[str] = []
    for medium in ("heat", "waste gas"):
        sent: dict[tuple[str, str], list[FlowLine]] = {}
        got: dict[tuple[str, str], list[FlowLine]] = {}
        for pid, flows in lines.items():
            for line in flows:
                if line.partner is None or not line.kind.startswith(medium):
                    continue
                if line.kind.endswith("exported"):
                    sent.setdefault((pid, line.partner), []).append(line)
                else:
                    got.setdefault((line.partner, pid), []).append(line)
        for a, b in sorted(set(sent) | set(got)):
            out_e = sum(x.amount for x in sent.get((a, b), []))
            in_e = sum(x.amount for x in got.get((a, b), []))
            unit = (sent.get((a, b)) or got[(a, b)])[0].unit
            if abs(out_e - in_e) > 1e-9 * max(out_e, in_e):
                out.append(
                    f"{medium} from process {a!r} to process {b!r}: {a!r} declares "
                    f"{out_e:.6g} {unit} exported to {b!r} but {b!r} declares {in_e:.6g} {unit} "
                    f"imported from {a!r}; declare the flow on both sides with the same amount "
                    "(with process: <the other id>), or it is counted on one side only"
                )
            elif medium == "heat":
                factors = {round(x.factor, 12) for x in sent[(a, b)] + got[(a, b)]}
                if len(factors) > 1:
                    out.append(
                        f"heat from process {a!r} to process {b!r} carries different factors on "
                        f"its two sides ({', '.join(f'{f:g}' for f in sorted(factors))} "
                        f"t CO2e/{unit}): the emissions deducted by {a!r} differ from those "
                        f"added by {b!r}"
                    )
    return out


def double_count_warnings(inst: Installation) -> list[str]:
    """Warnings where a process lists a waste gas it imports from another process among its own
    source streams as well (the producer already counts the gas's carbon)."""
    out = []
    for process in inst.processes:
        streams = {s.name.strip().lower() for s in process.source_streams}
        for gas in process.waste_gas_imported:
            if gas.process is not None and gas.name and gas.name.strip().lower() in streams:
                out.append(
                    f"process {process.id!r}: waste gas {gas.name!r} imported from "
                    f"{gas.process!r} is also one of its source streams: the producer already "
                    "counts the gas's carbon, so burning it here counts it twice; drop the "
                    "source stream (the import adds the natural-gas equivalent)"
                )
    return out
