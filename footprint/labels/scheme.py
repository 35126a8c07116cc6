"""Label schemes as data: one YAML file per scheme version in ``labels/``, validated here."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from footprint.errors import FootprintError
from footprint.paths import shipped
from footprint.safeload import load_yaml, read_text

Indicator = Literal["gwp", "energy"]
RuleKind = Literal[
    "ceiling", "tiers", "sliding", "relative_reduction", "category_average", "multi_criteria"
]


class SchemeError(FootprintError):
    """A label scheme file is malformed, or a scheme id is unknown."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """Where a number comes from."""

    publisher: str
    document: str
    year: int | str | None = None
    locator: str | None = Field(None, description="page, table or section")
    url: str | None = None
    checked: bool = Field(
        False, description="seen in this document, not only in a secondary source"
    )

    def text(self) -> str:
        """One-line citation."""
        parts = [
            self.publisher,
            self.document,
            str(self.year) if self.year else "",
            self.locator or "",
        ]
        return ", ".join(p for p in parts if p)


class Number(_Strict):
    """A cited number, with its unit (none for percentages)."""

    value: float
    unit: str | None = None
    cite: str | None = None


class Tier(_Strict):
    """A named grade with its own limit."""

    name: str
    limit: Number


class SlidingClass(_Strict):
    """A graded limit that moves with a parameter: ``intercept + slope × parameter``."""

    name: str
    intercept: Number
    slope: Number


class Rule(_Strict):
    """A scheme's rule; which fields apply depends on ``kind``."""

    kind: RuleKind
    name: str | None = None
    indicator: Indicator = "gwp"
    inclusive: bool = Field(True, description="a value equal to the threshold meets it")
    limit: Number | None = None
    tiers: list[Tier] = Field(default_factory=list)
    parameter: str | None = None
    parameter_range: tuple[float, float] | None = None
    default_parameter: float | None = None
    classes: list[SlidingClass] = Field(default_factory=list)
    baseline: str | None = None
    baseline_year: int | None = None
    min_reduction_pct: Number | None = None
    average: str | Number | None = None
    any: bool = False
    criteria: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Rule:
        needed = {
            "ceiling": ("limit",),
            "tiers": ("tiers",),
            "sliding": ("parameter", "classes"),
            "relative_reduction": ("baseline", "min_reduction_pct"),
            "category_average": ("average",),
            "multi_criteria": ("criteria",),
        }[self.kind]
        missing = [f for f in needed if not getattr(self, f)]
        if missing:
            raise ValueError(f"a {self.kind} rule needs {', '.join(missing)}")
        if self.kind == "sliding" and self.default_parameter is not None:
            self._check_default_is_least_favourable()
        return self

    def _check_default_is_least_favourable(self) -> None:
        """A default for a missing parameter must give every class its strictest limit.

        A verdict must never improve for lack of evidence: over ``parameter_range`` each class's
        limit ``intercept + slope × p`` is lowest at one end, and the default must be that end.
        """
        if self.parameter_range is None:
            raise ValueError(
                "a sliding rule with a default_parameter needs its parameter_range, so that the "
                "default can be checked to be the least favourable value"
            )
        low, high = self.parameter_range
        ends = set()
        for cls in self.classes:
            slope = cls.slope.value
            ends.add(low if slope > 0 else high if slope < 0 else None)
        ends.discard(None)
        if len(ends) > 1:
            raise ValueError(
                "the classes' limits are strictest at different ends of the parameter range: "
                "no default can be least favourable; set default_parameter: null"
            )
        strictest = ends.pop() if ends else self.default_parameter
        if self.default_parameter != strictest:
            raise ValueError(
                f"default_parameter {self.default_parameter:g} is not the least favourable "
                f"value of {self.parameter} (that is {strictest:g}, where every class's limit is "
                "lowest): a verdict must never improve for lack of evidence; use "
                f"{strictest:g} or null (evidence required)"
            )


class Adjustment(_Strict):
    """Scale the limits when an evidenced flag is set (e.g. +30 % for high-early-strength mixes)."""

    parameter: str
    factor: float
    cite: str | None = None


class Option(_Strict):
    """A rule that applies when the selecting parameter is in ``[min, max)``."""

    min: float | None = None
    max: float | None = None
    rule: Rule


class Select(_Strict):
    """Choose the rule by a product parameter, e.g. concrete strength class by ``strength_psi``."""

    parameter: str
    options: list[Option]
    adjustments: list[Adjustment] = Field(default_factory=list)


class Scheme(_Strict):
    """One version of a green or low-carbon label or procurement scheme."""

    id: str
    name: str
    issuer: str
    document: str
    version: str
    family: str | None = Field(None, description="id shared by every version of the scheme")
    valid_from: dt.date
    valid_to: dt.date | None = None
    status: Literal["confirmed", "unconfirmed"]
    status_note: str | None = None
    jurisdiction: str
    categories: list[str]
    declared_unit: str
    boundary: Literal["cradle-to-gate"] = "cradle-to-gate"
    gwp: Literal["ar6", "ar5", "ar4", "any"] = "any"
    scope_note: str | None = None
    rule: Rule | None = None
    select: Select | None = None
    citations: dict[str, Citation]
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scheme:
        if (self.rule is None) == (self.select is None):
            raise ValueError("give exactly one of 'rule' or 'select'")
        if self.status == "unconfirmed" and not self.status_note:
            raise ValueError("an unconfirmed scheme needs a status_note saying what is unconfirmed")
        unknown = sorted(c for c in self.cited_keys() if c not in self.citations)
        if unknown:
            raise ValueError(f"cites unknown citation keys: {', '.join(unknown)}")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    @property
    def family_id(self) -> str:
        """The id shared by the scheme's versions."""
        return self.family or self.id

    def cited_keys(self) -> set[str]:
        """Every citation key used by a number in the rule."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, Number) and value.cite:
                found.add(value.cite)
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name))
            elif isinstance(value, list | tuple):
                for item in value:
                    walk(item)
            if isinstance(value, Adjustment) and value.cite:
                found.add(value.cite)

        walk(self.rule)
        walk(self.select)
        return found

    def in_force(self, on: dt.date) -> bool:
        """Whether this version applies on date ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies_to(self, category: str | None) -> bool:
        """Whether the scheme covers products of ``category`` (``*`` covers every product)."""
        return "*" in self.categories or (category is not None and category in self.categories)


def labels_dir() -> Path:
    """The shipped label schemes."""
    return shipped("labels")


def read_scheme(path: Path) -> Scheme:
    """Read and validate one scheme file.

    Raises:
        SchemeError: unreadable or not UTF-8, YAML error (see :mod:`footprint.safeload`) or schema
            error, naming the file and field.
    """
    _, text = read_text(path, error=SchemeError)
    _, data = load_yaml(text, source=str(path), error=SchemeError)
    try:
        return Scheme.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise SchemeError(
            f"{first['msg']} ({exc.error_count()} problem(s))",
            where=f"{path}, {field}" if field else str(path),
            fix="see labels/README.md for the scheme format",
        ) from None


@cache
def _load_dir(directory: Path) -> tuple[Scheme, ...]:
    schemes = tuple(read_scheme(p) for p in sorted(directory.glob("*.y*ml")))
    ids = [s.id for s in schemes]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise SchemeError(f"scheme ids repeated: {', '.join(repeated)}", where=str(directory))
    return schemes


def load_schemes(directory: Path | None = None) -> list[Scheme]:
    """Every scheme in ``directory`` (default: the shipped ``labels/``), sorted by id."""
    return sorted(_load_dir((directory or labels_dir()).resolve()), key=lambda s: s.id)


def get_scheme(scheme_id: str, directory: Path | None = None) -> Scheme:
    """The scheme with ``scheme_id``.

    Raises:
        SchemeError: unknown id, with the nearest ids.
    """
    schemes = load_schemes(directory)
    for scheme in schemes:
        if scheme.id == scheme_id:
            return scheme
    import difflib

    near = difflib.get_close_matches(scheme_id, [s.id for s in schemes], n=3, cutoff=0.3)
    raise SchemeError(
        f"no label scheme {scheme_id!r}" + (f"; nearest: {', '.join(near)}" if near else ""),
        fix="list the schemes with `footprint label list`",
    )
