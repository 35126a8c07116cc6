"""A label claim submitted for verification, read from YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footprint.errors import FootprintError, locate
from footprint.safeload import load_yaml, read_text


class ClaimError(FootprintError):
    """The claim file is malformed."""


class Claim(BaseModel):
    """A manufacturer's claim that a product meets a label scheme version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(None, description="the claim's reference")
    inventory: str = Field(description="the product inventory file, relative to the claim file")
    inventory_sha256: str = Field(description="sha256 of the inventory file as submitted")
    declared_value: float = Field(description="the footprint claimed, per declared unit")
    declared_unit: str = Field(
        description="unit of declared_value, e.g. 't CO2e/t' or 'kg CO2e/m3'"
    )
    gwp: str = Field("ar6", description="GWP set the declared value uses: ar6, ar5 or ar4")
    scheme: str = Field(description="label scheme id")
    scheme_version: str = Field(description="version of the scheme claimed")
    claim_date: dt.date
    tolerance_pct: float = Field(
        1.0, ge=0, description="allowed difference, % of the recomputed value"
    )
    grade: str | None = Field(None, description="tier or class claimed, e.g. 'Top 20 %'")
    evidence: dict[str, Any] = Field(default_factory=dict, description="parameters and baselines")
    offsets: str | None = Field(
        None, description="offsets held, e.g. '50 kg CO2e' (never subtracted)"
    )


def read_claim(path: Path) -> tuple[Claim, Path]:
    """The claim in ``path`` and the resolved inventory path.

    Raises:
        ClaimError: missing file, not UTF-8, YAML error (see :mod:`footprint.safeload`) or invalid
            content, naming the file and field.
    """
    if not path.is_file():
        raise ClaimError("claim file not found", where=str(path), fix="check the path")
    _, text = read_text(path, error=ClaimError)
    _, data = load_yaml(text, source=str(path), error=ClaimError)
    if isinstance(data, dict) and isinstance(data.get("claim"), dict):
        data = data["claim"]
    if not isinstance(data, dict):
        raise ClaimError(
            "expected a mapping of claim fields",
            where=str(path),
            fix="see the claim example in the README",
        )
    try:
        claim = Claim.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = "required field is missing" if first["type"] == "missing" else str(first["msg"])
        raise ClaimError(
            f"{message} ({exc.error_count()} problem(s) in all)",
            where=locate(path, None, field),
            fix="see the claim fields in the README (`footprint verify --help`)",
        ) from None
    return claim, (path.parent / claim.inventory)
