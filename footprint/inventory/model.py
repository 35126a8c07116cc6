"""The product inventory: a product, its foreground processes, their inputs and emissions.

Amounts are pint quantities (``"2.5 kWh"`` or a number with a ``unit`` field); they are converted
to the reference unit of the flow they meet when the inventory is linked to a background.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Annotated, Any, Literal

import pint
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from footprint.errors import UnitError, locate
from footprint.inventory.uncertainty import UncertaintyField
from footprint.units import parse_unit, quantity

Stage = Literal["A1", "A2", "A3"]
Origin = Literal["fossil", "biogenic", "land_use_change"]
#: The stage of an input or emission, when it is not its process's own.
ExchangeStage = Annotated[
    Stage | None, Field(description="life-cycle stage, if not the process's own")
]
#: How the amount of an input or emission is distributed.
AmountUncertainty = Annotated[
    UncertaintyField,
    Field(description="how the amount is distributed, for Monte Carlo (`calc --uncertainty`)"),
]

#: Stage names, as ISO 14067 / EN 15804 modules.
STAGE_NAMES: dict[str, str] = {
    "A1": "raw material supply",
    "A2": "transport to the factory",
    "A3": "manufacturing",
}


def _to_quantity(value: Any) -> pint.Quantity:  # type: ignore[type-arg]
    if isinstance(value, pint.Quantity):
        if not math.isfinite(value.magnitude):
            raise ValueError(f"amount {value:~P} is not a finite number")
        return value
    if isinstance(value, list | dict):
        raise ValueError(f"expected an amount such as '2.5 kWh', got a {type(value).__name__}")
    try:
        return quantity(value)
    except UnitError as exc:
        raise ValueError(exc.what + (f"; {exc.fix}" if exc.fix else "")) from exc


def _not_bool(value: Any) -> Any:
    """Refuse YAML's true/false where a number belongs (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


#: A finite number, never a boolean (``allow_inf_nan=False`` on every model refuses inf and NaN).
Number = Annotated[float, BeforeValidator(_not_bool)]


Amount = Annotated[
    Any,
    BeforeValidator(_to_quantity),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a number and its unit, e.g. '2.5 kWh', '1.2 t', '0.4 m3', '12 tkm'",
            "examples": ["2.5 kWh", "1.2 t"],
        }
    ),
]


def _merge_unit(data: Any, key: str = "amount") -> Any:
    """Accept ``{amount: 2.5, unit: kWh}`` as well as ``{amount: '2.5 kWh'}``."""
    if isinstance(data, dict) and "unit" in data and key in data:
        data = dict(data)
        unit = data.pop("unit")
        amount = data[key]
        data[key] = f"{amount} {unit}" if not isinstance(amount, pint.Quantity) else amount
    return data


def _id_ref(data: Any, key: str) -> Any:
    """Accept ``key: "<activity id>"`` as short for ``key: {id: "<activity id>"}``."""
    if isinstance(data, dict) and isinstance(data.get(key), str):
        return {**data, key: {"id": data[key]}}
    return data


_MULTILINE_FIELDS = frozenset({"description", "sources"})


def _control_character(text: str, multiline: bool) -> str | None:
    """The first control character in ``text`` (tab and line breaks allowed if ``multiline``)."""
    for char in text:
        if multiline and char in "\t\n\r":
            continue
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return char
    return None


_DIMENSIONLESS = (
    "unit {} has no dimension (it is a pure number); declare the product per a unit of mass, "
    "volume, area, energy or count, e.g. kg, t, m3, m2, kWh or piece"
)


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", arbitrary_types_allowed=True, frozen=True, allow_inf_nan=False
    )

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any, info: ValidationInfo) -> Any:
        texts = value if isinstance(value, list) else [value]
        multiline = info.field_name in _MULTILINE_FIELDS
        for text in texts:
            if isinstance(text, str) and (char := _control_character(text, multiline)) is not None:
                raise ValueError(
                    f"control character U+{ord(char):04X} in {text!r}; write plain text"
                    + ("" if multiline else " on one line")
                )
        return value


class BackgroundRef(_Strict):
    """A background activity, by stable ``id`` or by ``name`` (and ``location``)."""

    id: str | None = Field(None, description="stable activity id, e.g. a dataset UUID")
    name: str | None = Field(None, description="activity name, matched case-insensitively")
    location: str | None = Field(None, description="location code, e.g. US, CN, RNA")

    @model_validator(mode="after")
    def _id_or_name(self) -> BackgroundRef:
        if not self.id and not self.name:
            raise ValueError("give the background activity's 'id' or its 'name'")
        return self


class Input(_Strict):
    """An input to a foreground process, from another foreground process or the background."""

    name: str | None = Field(None, description="a label for reports; defaults to the source's name")
    amount: Amount = Field(description="amount per the process's output, with its unit")
    process: str | None = Field(None, description="id of the foreground process supplying it")
    background: BackgroundRef | None = Field(
        None, description="the background activity supplying it"
    )
    stage: ExchangeStage = None
    uncertainty: AmountUncertainty = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return _id_ref(_merge_unit(data), "background")

    @model_validator(mode="after")
    def _one_source(self) -> Input:
        if (self.process is None) == (self.background is None):
            raise ValueError("an input needs exactly one of 'process' or 'background'")
        if self.amount.magnitude < 0:
            raise ValueError(
                f"negative input amount {self.amount:~P}; declare co-products under 'co_products'"
            )
        return self

    @property
    def label(self) -> str:
        """Name shown in breakdowns."""
        if self.name:
            return self.name
        if self.process:
            return self.process
        assert self.background is not None
        return self.background.name or self.background.id or "background input"


class Emission(_Strict):
    """A direct greenhouse-gas emission (or, with origin biogenic and a negative amount, removal)."""

    name: str | None = Field(None, description="a label for reports, e.g. 'calcination CO2'")
    gas: str = Field(description="gas as in the GWP table: CO2, CH4, N2O, SF6, NF3, HFC-134a, ...")
    amount: Amount = Field(description="mass emitted per the process's output, e.g. '0.8 kg'")
    origin: Origin = Field("fossil", description="fossil, biogenic or land_use_change")
    stage: ExchangeStage = None
    uncertainty: AmountUncertainty = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return _merge_unit(data)

    @model_validator(mode="after")
    def _sign(self) -> Emission:
        if self.amount.magnitude < 0 and self.origin != "biogenic":
            raise ValueError(
                "only a biogenic CO2 removal may be negative; fossil and land-use-change "
                "emissions are amounts emitted (offsets never reduce a footprint)"
            )
        return self


class CoProduct(_Strict):
    """A co-product of a multi-output process, for allocation."""

    name: str
    amount: Amount = Field(description="amount per the process's output, e.g. '0.15 t'")
    price: Number | None = Field(
        None, ge=0, description="price per unit of amount, for economic allocation"
    )
    property: Number | None = Field(
        None,
        ge=0,
        description="physical property per unit of amount (e.g. MJ/kg), for physical allocation",
    )
    substitutes: BackgroundRef | None = Field(
        None, description="the background product it displaces, for substitution (system expansion)"
    )

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return _id_ref(_merge_unit(data), "substitutes")


class Process(_Strict):
    """A foreground process: makes ``output`` of one product from its inputs, emitting gases."""

    id: str = Field(description="unique id, used by other processes' inputs")
    name: str | None = None
    stage: Stage = Field("A3", description="life-cycle stage of its own emissions and inputs")
    output: Amount = Field("1 piece", description="its reference output, e.g. '1 t'")
    output_price: Number | None = Field(None, ge=0, description="price per unit of output")
    inputs: list[Input] = Field(default_factory=list)
    emissions: list[Emission] = Field(default_factory=list)
    co_products: list[CoProduct] = Field(default_factory=list)
    output_property: Number | None = Field(
        None,
        ge=0,
        description="physical property per unit of output (e.g. MJ/kg), for physical allocation",
    )
    allocation: Literal["mass", "economic", "physical", "substitution"] | None = Field(
        None,
        description="how co-products share the burdens (required when there are any): by mass, by value, "
        "by a physical property, or by substitution (credit for the displaced background product)",
    )

    @field_validator("output")
    @classmethod
    def _positive(cls, value: pint.Quantity) -> pint.Quantity:  # type: ignore[type-arg]
        if value.magnitude <= 0:
            raise ValueError(f"a process output must be positive, got {value:~P}")
        if value.dimensionless:
            raise ValueError(_DIMENSIONLESS.format(f"{value:~P}"))
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Process:
        if not self.inputs and not self.emissions:
            raise ValueError(
                f"process {self.id!r} has no inputs and no emissions, so its footprint would be "
                "exactly zero; add its inputs (materials, energy, transport) and direct emissions"
            )
        return self

    @model_validator(mode="after")
    def _allocation_declared(self) -> Process:
        if self.co_products and self.allocation is None:
            raise ValueError(
                "a process with co_products needs 'allocation: mass', 'economic', 'physical' or 'substitution'"
            )
        return self

    @property
    def label(self) -> str:
        """Name shown in breakdowns."""
        return self.name or self.id


class ReferencePeriod(_Strict):
    """The period the inventory data represent."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> ReferencePeriod:
        if self.end <= self.start:
            raise ValueError("reference_period.end must be after its start")
        return self


class Company(_Strict):
    """The company that makes the product (for PACT exchange)."""

    name: str
    ids: list[str] = Field(default_factory=list, description="URNs, e.g. urn:lei:..., urn:uuid:...")


class DataQuality(_Strict):
    """PACT data quality ratings of the footprint (lower is better).

    PACT 3.0 uses ``technological``, ``geographical`` and ``temporal`` (1 to 5); PACT 2.x also
    ``completeness`` and ``reliability``, all on 1 to 3, and ``coverage_percent``. Exports check the
    ranges of the version they write.
    """

    technological: Number | None = Field(None, ge=1, le=5)
    geographical: Number | None = Field(None, ge=1, le=5)
    temporal: Number | None = Field(None, ge=1, le=5)
    completeness: Number | None = Field(None, ge=1, le=5, description="PACT 2.x only")
    reliability: Number | None = Field(None, ge=1, le=5, description="PACT 2.x only")
    coverage_percent: Number | None = Field(
        None, ge=0, le=100, description="PACT 2.x only: share of emissions covered, %"
    )


class Product(_Strict):
    """The product whose footprint is declared."""

    name: str
    id: str | None = Field(None, description="a product id or URN")
    category: str | None = Field(
        None, description="category id used by label schemes, e.g. steel.rebar"
    )
    cpc: str | None = Field(
        None,
        pattern=r"^[0-9]{1,5}$",
        description="UN Central Product Classification (CPC Ver. 2.1) code of the product, 1 to 5 "
        "digits, quoted, e.g. '37440' (Portland cement); PACT 2.x productCategoryCpc",
    )
    declared_unit: str = Field(description="declared unit, e.g. t, m3, kg, piece")
    declared_amount: Number = Field(1.0, gt=0, description="amount of declared unit, e.g. 1")
    geography: str = Field(
        description="where it is made: ISO 3166-1 country code (CN), ISO 3166-2 subdivision "
        "(CN-JS; PACT geographyCountrySubdivision), UN region or GLO"
    )
    reference_period: ReferencePeriod | None = None
    boundary: Literal["cradle-to-gate"] = "cradle-to-gate"
    process: str | None = Field(None, description="id of the process making it; default the first")
    biogenic_carbon_content: Amount | None = Field(
        None, description="biogenic carbon in the product per declared unit, e.g. '0.4 kg' (kg C)"
    )
    primary_data_share: Number | None = Field(None, ge=0, le=100, description="percent")
    company: Company | None = Field(None, description="maker of the product, for PACT exchange")
    data_quality: DataQuality | None = Field(
        None, description="PACT data quality ratings (dqi), for PACT exchange"
    )
    fossil_carbon_content: Amount | None = Field(
        None, description="fossil carbon in the product per declared unit, e.g. '13.75 g' (kg C)"
    )
    mass_per_declared_unit: Amount | None = Field(
        None,
        description="product mass per declared unit when that unit is not a mass, e.g. '22 g' per piece",
    )
    description: str | None = None
    sources: list[str] = Field(
        default_factory=list, description="citations for the foreground data"
    )
    parameters: dict[str, Annotated[float | str, BeforeValidator(_not_bool)]] = Field(
        default_factory=dict, description="declared parameters, e.g. scrap_share"
    )

    @field_validator("cpc", mode="before")
    @classmethod
    def _quoted_cpc(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError(
                f"write the CPC code as a quoted string (e.g. cpc: '37440'), got {value!r}: "
                "unquoted, YAML reads codes with leading zeros as other numbers"
            )
        return value

    @field_validator("declared_unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        try:
            unit = parse_unit(value)
        except UnitError as exc:
            raise ValueError(exc.what + (f"; {exc.fix}" if exc.fix else "")) from exc
        if unit.dimensionless:
            raise ValueError(_DIMENSIONLESS.format(value))
        return value


class Inventory(_Strict):
    """A product life cycle inventory: the product and its foreground processes."""

    product: Product
    processes: list[Process] = Field(min_length=1)

    _source: str = PrivateAttr("<memory>")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)
    _sha256: str | None = PrivateAttr(None)
    _raw: Any = PrivateAttr(None)

    @model_validator(mode="after")
    def _consistent(self) -> Inventory:
        ids = [p.id for p in self.processes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"process ids must be unique; repeated: {', '.join(duplicates)}")
        if self.product.process is not None and self.product.process not in ids:
            raise ValueError(
                f"product.process {self.product.process!r} is not a process id; ids: {', '.join(ids)}"
            )
        return self

    @property
    def reference_process(self) -> Process:
        """The process that makes the declared product."""
        wanted = self.product.process or self.processes[0].id
        return next(p for p in self.processes if p.id == wanted)

    @property
    def source(self) -> str:
        """The file the inventory was read from."""
        return self._source

    @property
    def sha256(self) -> str | None:
        """sha256 of the file's bytes, when read from a file."""
        return self._sha256

    def attach_source(
        self,
        source: str,
        lines: dict[tuple[str | int, ...], int],
        sha256: str | None,
        raw: Any = None,
    ) -> None:
        """Record where the inventory came from, for error messages, provenance and re-parameterising."""
        self._source = source
        self._lines = lines
        self._sha256 = sha256
        self._raw = raw

    @property
    def raw(self) -> Any:
        """The data the inventory was read from (before parameters were filled in), or None."""
        return self._raw

    @property
    def lines(self) -> dict[tuple[str | int, ...], int]:
        """Line number of each element path in the source file, where known."""
        return self._lines

    def where(self, *path: str | int) -> str:
        """``file, line N, dotted.path`` for an element, as precise as is known."""
        line = None
        for cut in range(len(path), -1, -1):
            line = self._lines.get(tuple(path[:cut]))
            if line is not None:
                break
        return locate(self._source, line, format_path(path))


def format_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    """``("processes", 0, "inputs", 1)`` → ``processes[0].inputs[1]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
