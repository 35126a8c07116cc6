"""A label claim submitted for verification, read from YAML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
    declared_value: float = Field(
        description="the footprint claimed, per declared unit", allow_inf_nan=False, strict=True
    )
    declared_unit: str = Field(
        description="unit of declared_value, e.g. 't CO2e/t' or 'kg CO2e/m3'"
    )
    gwp: str = Field("ar6", description="GWP set the declared value uses: ar6, ar5 or ar4")
    scheme: str = Field(description="label scheme id")
    scheme_version: str = Field(description="version of the scheme claimed")
    claim_date: dt.date
    tolerance_pct: float | None = Field(
        None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        strict=True,
        description="the difference the claimant accepts, % of the recomputed value: it can only "
        "tighten the auditor's tolerance, never widen it",
    )
    grade: str | None = Field(None, description="tier or class claimed, e.g. 'Top 20 %'")
    evidence: dict[str, Any] = Field(default_factory=dict, description="parameters and baselines")
    offsets: str | None = Field(
        None, description="offsets held, e.g. '50 kg CO2e' (never subtracted)"
    )


def named_file(claim_path: Path, name: str, field: str, allow_paths: Sequence[Path] = ()) -> Path:
    """The file a claim names, relative to the claim's directory, after symlinks and ``..``.

    It must lie under the claim file's directory or under one of ``allow_paths``: a claim cannot
    make the auditor read (and hash) any file on the machine.

    Raises:
        ClaimError: the file resolves outside every allowed directory, naming it and the fix.
    """
    home = claim_path.parent.resolve()
    target = (claim_path.parent / name).resolve()
    roots = [home, *(Path(p).resolve() for p in allow_paths)]
    if any(target.is_relative_to(root) for root in roots):
        return target
    also = f" or {', '.join(str(r) for r in roots[1:])}" if allow_paths else ""
    raise ClaimError(
        f"{field} {name!r} resolves to {target}, outside the claim's directory {home}{also}",
        where=locate(claim_path, None, field),
        fix="put the file beside the claim, or, if you trust that folder, allow it with "
        f"`footprint verify --allow-path {target.parent}`",
    )


def read_claim(path: Path, allow_paths: Sequence[Path] = ()) -> tuple[Claim, Path]:
    """The claim in ``path`` and the resolved inventory path.

    ``allow_paths``: directories besides the claim's own that the files it names may lie in.

    Raises:
        ClaimError: missing file, not UTF-8, YAML error (see :mod:`footprint.safeload`) or invalid
            content, naming the file and field; an inventory outside the claim's directory and
            ``allow_paths``.
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
    return claim, named_file(path, claim.inventory, "inventory", allow_paths)
