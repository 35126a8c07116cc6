"""An installation as CBAM describes it: identity, reporting period, production processes with their
goods, source streams, measured emissions, heat, waste gases, electricity and precursors.

Every amount carries its unit (``"12000 t"``, ``"56.1 t CO2/TJ"``); the calculation converts each once.
``footprint schema installation`` prints the JSON Schema of the YAML file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from footprint.cbam.goods import CATEGORIES, CbamError, counts_indirect, normalise_cn, sector_of
from footprint.errors import FootprintError, locate
from footprint.inventory.model import Amount, Number, format_path
from footprint.inventory.validate import combine_problems
from footprint.safeload import load_yaml, node_lines, read_text

Lines = dict[tuple[str | int, ...], int]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", arbitrary_types_allowed=True, frozen=True, allow_inf_nan=False
    )


def _cn(value: Any) -> str:
    try:
        code = normalise_cn(value)
        sector_of(code)
    except CbamError as exc:
        raise ValueError(exc.what + (f"; {exc.fix}" if exc.fix else "")) from None
    return code


def _fraction(value: Any) -> float:
    """A mass fraction: a number (``0.75``) or an amount per tonne (``'750 kg/t'``, ``'75 %'``),
    more than 0 and at most 1."""
    from footprint.units import convert, quantity

    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a mass fraction such as 0.75 or '750 kg/t', got {value!r}")
    number: float
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            try:
                number = convert(quantity(value), "dimensionless")
            except FootprintError as exc:
                raise ValueError(
                    f"{value!r} is not a mass fraction: {exc.what}; write e.g. 0.75, '750 kg/t' "
                    "or '75 %'"
                ) from None
    else:
        number = float(value)
    if not 0 < number <= 1:
        raise ValueError(
            f"a content of {value!r} is a mass fraction of {number:g}; it must be more than 0 and "
            "at most 1 (e.g. 0.75, '750 kg/t' or '75 %')"
        )
    return number


#: A mass fraction of a good, ``0 < x <= 1``, given as a number or an amount per tonne.
Fraction = Annotated[
    float,
    BeforeValidator(_fraction),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                {"type": "string", "description": "an amount per tonne, e.g. '750 kg/t', '75 %'"},
            ],
            "examples": [0.75, "750 kg/t"],
        }
    ),
]


class Identity(_Strict):
    """Who and where the installation is."""

    name: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. CN")
    unlocode: str = Field(
        pattern=r"^[A-Z]{2} ?[A-Z2-9]{3}$",
        description="UN/LOCODE of the site (mandatory in the communication template), e.g. CNSHG",
    )
    address: str | None = None
    operator: str | None = Field(None, description="the operator's name")
    contact: str | None = Field(None, description="contact person or e-mail")

    @model_validator(mode="after")
    def _locode_in_country(self) -> Identity:
        if not self.unlocode.startswith(self.country):
            raise ValueError(
                f"UN/LOCODE {self.unlocode!r} does not start with the country code "
                f"{self.country!r}; a UN/LOCODE is the country code and three characters"
            )
        return self


class Period(_Strict):
    """The reporting period (by default a calendar year)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError("reporting_period.end must be after its start")
        return self


class Good(_Strict):
    """A good the process makes, by CN code."""

    cn: str = Field(description="CN code, quoted, e.g. '7208' or '2523 10 00'")
    name: str | None = None
    category: str = Field(
        description="aggregated goods category, e.g. 'Crude steel', 'Cement clinker', "
        "'Unwrought aluminium'"
    )
    route: str | None = Field(None, description="production route, e.g. 'EAF', 'BF-BOF'")
    product_inventory: str | None = Field(
        None,
        min_length=1,
        description="product inventory of this good (path relative to this file, declared per t "
        "or kg): `footprint cbam report` sets its cradle-to-gate footprint beside the SEE",
    )
    clinker_content: Fraction | None = Field(
        None,
        description="cement goods: clinker contained per tonne of good, a mass fraction "
        "(0.75, '750 kg/t' or '75 %'); the SEE is then also given per tonne of clinker "
        "contained, the functional unit of cement (IR 2025/2547 recital 6, unconfirmed)",
    )
    nitrogen_content: Fraction | None = Field(
        None,
        description="fertiliser goods: nitrogen contained per tonne of good, a mass fraction "
        "(0.46, '460 kg/t' or '46 %'); the SEE is then also given per tonne of nitrogen "
        "contained, the functional unit of fertilisers (IR 2025/2547 recital 6, unconfirmed)",
    )

    @field_validator("cn", mode="before")
    @classmethod
    def _normal_cn(cls, value: Any) -> str:
        return _cn(value)

    @field_validator("clinker_content", "nitrogen_content")
    @classmethod
    def _content_of_its_sector(cls, value: float | None, info: ValidationInfo) -> float | None:
        cn = info.data.get("cn")
        wanted = {"clinker_content": "cement", "nitrogen_content": "fertilisers"}[
            str(info.field_name)
        ]
        if value is not None and cn is not None and sector_of(cn) != wanted:
            raise ValueError(
                f"{info.field_name} belongs to {wanted} goods; CN {cn} is a good of the sector "
                f"{sector_of(cn)!r}: leave {info.field_name} out"
            )
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value.strip().lower() not in CATEGORIES:
            raise ValueError(
                f"unknown aggregated goods category {value!r}; one of: "
                + ", ".join(sorted(CATEGORIES))
            )
        return value

    @model_validator(mode="after")
    def _category_matches(self) -> Good:
        if CATEGORIES[self.category.strip().lower()] != sector_of(self.cn):
            raise ValueError(
                f"CN code {self.cn} is a good of the sector {sector_of(self.cn)!r} but category "
                f"{self.category!r} belongs to {CATEGORIES[self.category.strip().lower()]!r}"
            )
        return self


class SourceStream(_Strict):
    """A fuel or material: activity data × emission factor (standard method), or its carbon
    content × 3.664 t CO2/t C (mass balance)."""

    name: str
    method: Literal["standard", "mass_balance"] = "standard"
    activity_data: Amount = Field(description="amount over the period, e.g. '420 TJ', '1800 t'")
    emission_factor: Amount | None = Field(
        None, description="standard method: per unit of activity data, e.g. '56.1 t CO2/TJ'"
    )
    oxidation_factor: Number = Field(
        1.0, ge=0, le=1, description="standard method: oxidation or conversion factor"
    )
    carbon_content: Amount | None = Field(
        None, description="mass balance: carbon per mass, e.g. '0.85 t/t' or '850 kg/t'"
    )
    direction: Literal["input", "output"] = Field(
        "input", description="mass balance: carbon leaving in products or slag is an output"
    )
    biomass_fraction: Number = Field(0.0, ge=0, le=1, description="0 unless proven")

    @model_validator(mode="after")
    def _fields_for_method(self) -> SourceStream:
        if self.method == "standard" and self.emission_factor is None:
            raise ValueError("the standard method needs an emission_factor")
        if self.method == "mass_balance" and self.carbon_content is None:
            raise ValueError("the mass balance method needs a carbon_content")
        if self.method == "standard" and self.carbon_content is not None:
            raise ValueError("carbon_content belongs to method: mass_balance")
        if self.method == "mass_balance" and self.emission_factor is not None:
            raise ValueError("emission_factor belongs to method: standard")
        return self


class MeasuredEmission(_Strict):
    """An emission determined by measurement (N2O of nitric acid, PFCs of aluminium)."""

    name: str | None = None
    gas: str = Field(description="CO2, N2O, CF4 (PFC-14) or C2F6 (PFC-116)")
    amount: Amount = Field(description="mass over the period, e.g. '12.5 t', or '3400 t CO2e'")


class EnergyFlow(_Strict):
    """Exported electricity: an energy amount and its emission factor."""

    name: str | None = None
    amount: Amount = Field(description="energy over the period, e.g. '1200 GJ', '35 TJ'")
    emission_factor: Amount = Field(description="e.g. '0.062 t CO2/GJ'")
    source: str | None = Field(None, description="where the factor comes from")


_PARTNER = (
    "id of the process of this installation the flow goes to (exported) or comes from "
    "(imported); leave it out for a flow to or from outside the installation. Both processes "
    "declare the flow, each on its side, with the same amount"
)


class HeatFlow(EnergyFlow):
    """Measurable heat imported or exported, with its emission factor (the operator's: no default
    factor for heat is encoded) and the factor's source."""

    amount: Amount = Field(description="heat over the period, a positive amount, e.g. '1200 GJ'")
    emission_factor: Amount = Field(
        description="t CO2e per unit of heat, e.g. '0.062 t CO2/GJ' (fuel factor / boiler "
        "efficiency); always the operator's value"
    )
    source: str | None = Field(
        None, description="where the factor comes from (a warning says when it is missing)"
    )
    process: str | None = Field(None, min_length=1, description=_PARTNER)


class WasteGas(_Strict):
    """A waste gas imported or exported (blast-furnace, coke-oven or converter gas): its energy,
    which the waste-gas correction values at the natural-gas reference factor."""

    name: str | None = None
    amount: Amount = Field(
        description="energy over the period (volume x net calorific value), e.g. '35 TJ'"
    )
    emission_factor: Amount | None = Field(
        None,
        description="the gas's own factor, e.g. '260 t CO2/TJ': shown for information only; the "
        "correction uses the natural-gas factor 56.1 t CO2/TJ (x 0.667 for exports)",
    )
    source: str | None = Field(None, description="where the amount or factor comes from")
    process: str | None = Field(None, min_length=1, description=_PARTNER)


class Electricity(_Strict):
    """Electricity consumed, with its emission factor and the factor's source."""

    name: str | None = None
    amount: Amount = Field(description="energy over the period, e.g. '52000 MWh'")
    emission_factor: Amount = Field(description="e.g. '0.5703 t CO2/MWh'")
    factor_source: str = Field(
        min_length=1,
        description="the factor's source: grid default (publisher, year) or the direct link / "
        "power purchase agreement that justifies an actual value",
    )


class PrecursorUse(_Strict):
    """A precursor consumed by a process over the period, losses included."""

    precursor: str = Field(description="id of a purchased precursor or of another process")
    amount: Amount = Field(description="mass consumed over the period, e.g. '22000 t'")


class CarbonPrice(_Strict):
    """A carbon price paid in the country of origin on a process's emissions (reported, never
    deducted: the act on its deduction was a draft)."""

    scheme: str = Field(min_length=1, description="e.g. 'China national ETS'")
    price: Number = Field(ge=0, description="price per t CO2e, in `currency`")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY")
    emissions_priced: Amount = Field(description="emissions the price was paid on, t CO2e")
    rebated: Amount = Field(
        "0 t CO2e",
        validate_default=True,
        description="emissions covered by free allocation, refunds or compensation, t CO2e",
    )
    evidence: str = Field(
        min_length=1,
        description="the evidence: payment records, certification by an independent person",
    )


class Process(_Strict):
    """A production process and the goods it makes (one aggregated goods category)."""

    id: str = Field(min_length=1)
    name: str | None = None
    goods: list[Good] = Field(min_length=1)
    activity_level: Amount = Field(description="goods produced over the period, e.g. '100000 t'")
    source_streams: list[SourceStream] = Field(default_factory=list)
    measured_emissions: list[MeasuredEmission] = Field(default_factory=list)
    heat_imported: list[HeatFlow] = Field(default_factory=list)
    heat_exported: list[HeatFlow] = Field(default_factory=list)
    waste_gas_imported: list[WasteGas] = Field(default_factory=list)
    waste_gas_exported: list[WasteGas] = Field(default_factory=list)
    electricity_consumed: list[Electricity] = Field(default_factory=list)
    electricity_exported: list[EnergyFlow] = Field(default_factory=list)
    precursors: list[PrecursorUse] = Field(default_factory=list)
    carbon_price: CarbonPrice | None = Field(
        None, description="carbon price paid in the country of origin (reported only)"
    )

    @model_validator(mode="after")
    def _one_category(self) -> Process:
        categories = {g.category.strip().lower() for g in self.goods}
        if len(categories) > 1:
            raise ValueError(
                f"process {self.id!r} makes goods of several aggregated categories "
                f"({', '.join(sorted(categories))}); one production process covers one category"
            )
        return self

    @property
    def label(self) -> str:
        """Name shown in tables."""
        return self.name or self.id

    @property
    def counts_indirect(self) -> bool:
        """Whether its goods count indirect emissions (not Annex II goods)."""
        return counts_indirect(self.goods[0].cn)


class Verification(_Strict):
    """The verification of a supplier's actual emissions."""

    verifier: str = Field(min_length=1, description="accredited verifier")
    report: str | None = Field(None, description="verification report id or date")


class ActualEmissions(_Strict):
    """A supplier's actual specific embedded emissions of a precursor."""

    direct: Amount = Field(description="direct SEE, e.g. '1.95 t CO2e/t'")
    indirect: Amount = Field(
        "0 t CO2e/t", validate_default=True, description="indirect SEE, e.g. '0.12 t CO2e/t'"
    )
    default_share: Number = Field(
        0.0, ge=0, le=100, description="percent of the supplier's SEE from default values"
    )
    verification: Verification | None = Field(
        None, description="without it, the precursor's default value is used"
    )


class PurchasedPrecursor(_Strict):
    """A precursor bought from another installation."""

    id: str = Field(min_length=1)
    name: str | None = None
    cn: str = Field(description="CN code, quoted")
    country: str = Field(
        pattern=r"^([A-Z]{2}|unknown)$",
        description="country of production, ISO alpha-2, or 'unknown': the default value is then "
        "the Annex IV value of IR (EU) 2025/2621 (encoded for a few goods only)",
    )
    supplier: str | None = None
    supplier_installation: str | None = Field(None, description="its name or UN/LOCODE")
    quantity: Amount = Field(description="mass purchased over the period, e.g. '30000 t'")
    emissions: Literal["default"] | ActualEmissions = Field(
        "default", description="'default' (the Commission's default value) or actual values"
    )

    @field_validator("cn", mode="before")
    @classmethod
    def _normal_cn(cls, value: Any) -> str:
        return _cn(value)

    @property
    def label(self) -> str:
        """Name shown in tables."""
        return self.name or self.id

    @property
    def counts_indirect(self) -> bool:
        """Whether its indirect emissions count (not an Annex II good)."""
        return counts_indirect(self.cn)


class Installation(_Strict):
    """An installation making CBAM goods, over one reporting period."""

    installation: Identity
    reporting_period: Period
    gwp: Literal["ar6", "ar5", "ar4"] = Field(
        "ar6", description="GWP100 set for measured N2O and PFC emissions"
    )
    processes: list[Process] = Field(min_length=1)
    purchased_precursors: list[PurchasedPrecursor] = Field(default_factory=list)

    _source: str = PrivateAttr("<memory>")
    _lines: Lines = PrivateAttr(default_factory=dict)
    _sha256: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _ids(self) -> Installation:
        ids = [p.id for p in self.processes] + [p.id for p in self.purchased_precursors]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(
                "process and purchased precursor ids must be unique; repeated: "
                + ", ".join(repeated)
            )
        return self

    def attach_source(self, source: str, lines: Lines, sha256: str | None) -> None:
        """Record the file it was read from, for error messages and provenance."""
        self._source, self._lines, self._sha256 = source, lines, sha256

    @property
    def source(self) -> str:
        """The file it was read from."""
        return self._source

    @property
    def sha256(self) -> str | None:
        """sha256 of the file's bytes."""
        return self._sha256

    def where(self, *path: str | int) -> str:
        """``file, line N, dotted.path`` of an element."""
        return locate(self._source, _line_of(self._lines, path), format_path(path))

    def precursor(self, ref: str) -> Process | PurchasedPrecursor | None:
        """The process or purchased precursor with id ``ref``."""
        for process in self.processes:
            if process.id == ref:
                return process
        for item in self.purchased_precursors:
            if item.id == ref:
                return item
        return None


def _line_of(lines: Lines, loc: tuple[str | int, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def build_installation(data: Any, *, source: str, lines: Lines, sha256: str | None) -> Installation:
    """Validate ``data`` into an :class:`Installation`.

    Raises:
        CbamError: naming file, line and field of the first problem (and listing more).
    """
    if not isinstance(data, dict):
        raise CbamError(
            f"expected a mapping with 'installation', 'reporting_period' and 'processes', got "
            f"{type(data).__name__}",
            where=source,
            fix="see `footprint schema installation` and the examples in inventories/cbam/",
        )
    try:
        installation = Installation.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, int) or "[" not in str(p))
            loc = tuple(p for p in loc if p not in ("ActualEmissions", "literal['default']"))
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "required field is missing"
            elif error["type"] == "extra_forbidden":
                message = "unknown field (check its spelling)"
            where = locate(source, _line_of(lines, loc), format_path(loc) or "(top level)")
            problems.append((where, message))
        combined = combine_problems(
            problems, "correct that field; `footprint schema installation` prints the format"
        )
        raise CbamError(combined.what, where=combined.where, fix=combined.fix) from None
    installation.attach_source(source, lines, sha256)
    ids = {p.id for p in installation.processes}
    for i, process in enumerate(installation.processes):
        for key in ("heat_imported", "heat_exported", "waste_gas_imported", "waste_gas_exported"):
            for k, flow in enumerate(getattr(process, key)):
                if flow.process is not None and (
                    flow.process not in ids or flow.process == process.id
                ):
                    raise CbamError(
                        f"{key.replace('_', ' ')} names process {flow.process!r}, which is "
                        + ("this process itself" if flow.process == process.id else "not a process")
                        + " of this installation",
                        where=installation.where("processes", i, key, k, "process"),
                        fix="give the id of another process of this installation, or leave "
                        "process out for a flow to or from outside the installation",
                    )
        for j, use in enumerate(process.precursors):
            if installation.precursor(use.precursor) is None:
                raise CbamError(
                    f"precursor {use.precursor!r} is neither a process nor a purchased precursor",
                    where=installation.where("processes", i, "precursors", j, "precursor"),
                    fix="use the id of a process or of an entry of purchased_precursors",
                )
    return installation


def read_installation(path: Path) -> Installation:
    """Read an installation from a YAML file.

    Raises:
        CbamError: unreadable, not YAML, or invalid, naming file, line and field.
    """
    raw, text = read_text(path, error=CbamError)
    node, data = load_yaml(text, source=str(path), error=CbamError)
    return build_installation(
        data, source=str(path), lines=node_lines(node), sha256=hashlib.sha256(raw).hexdigest()
    )


def installation_schema() -> dict[str, object]:
    """The JSON Schema of the installation file."""
    schema = Installation.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "footprint CBAM installation"
    return schema
