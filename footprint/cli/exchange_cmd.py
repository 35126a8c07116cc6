"""``footprint export pact``: footprints as PACT ProductFootprint JSON (3.0, or 2.3 with ``--spec``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from footprint.cli.common import DataDir, Gwp, Out, handles_errors

export_app = typer.Typer(help="Export footprints for other tools.", no_args_is_help=True)


@export_app.command("pact")
@handles_errors
def export_pact_command(
    file: Annotated[Path, typer.Argument(help="Inventory file.")],
    company_name: Annotated[
        str | None, typer.Option(help="Company name (default: product.company).")
    ] = None,
    company_id: Annotated[list[str] | None, typer.Option(help="Company URN, repeatable.")] = None,
    product_id: Annotated[
        list[str] | None, typer.Option(help="Product URN, repeatable (default: product.id).")
    ] = None,
    spec: Annotated[
        str, typer.Option(help="PACT Technical Specifications version: 3.0 or 2.3.")
    ] = "3.0",
    cpc: Annotated[
        str | None,
        typer.Option(
            help="UN CPC Ver. 2.1 code of the product, for PACT 2.x productCategoryCpc "
            "(default: product.cpc)."
        ),
    ] = None,
    classification: Annotated[
        list[str] | None,
        typer.Option(
            help="productClassifications URN, repeatable (added to the inventory's CPC code)."
        ),
    ] = None,
    created: Annotated[
        str | None,
        typer.Option(
            help="Creation time, RFC 3339 (e.g. 2025-03-01T00:00:00Z), for reproducible output "
            "(default: now)."
        ),
    ] = None,
    verified_by: Annotated[
        str | None, typer.Option(help="Verification provider (PACT verification/assurance).")
    ] = None,
    verification_coverage: Annotated[
        str | None,
        typer.Option(
            help="Verification coverage: PCF calculation model, PCF program or product level."
        ),
    ] = None,
    verification_standard: Annotated[
        str | None, typer.Option(help="Standard the footprint was verified against.")
    ] = None,
    verified_at: Annotated[
        str | None, typer.Option(help="When the verification was completed, RFC 3339.")
    ] = None,
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    out: Out = None,
    data_dir: DataDir = None,
) -> None:
    """Write the product's footprint as a PACT ProductFootprint (decimals as strings, no exponents)."""
    from footprint.engine.calculate import calculate
    from footprint.exchange.export import export_pact
    from footprint.exchange.pact_record import Verification
    from footprint.output import write_text

    when = None if created is None else _moment(created, "--created")
    verification = None
    if verified_by or verification_coverage or verification_standard or verified_at:
        verification = Verification(
            provider_name=verified_by,
            coverage=verification_coverage,
            completed_at=None if verified_at is None else _moment(verified_at, "--verified-at"),
            standard_name=verification_standard,
        )
    result = calculate(file, gwp=gwp.value, background=background, data_dir=data_dir)
    document = export_pact(
        result,
        company_name=company_name,
        company_ids=company_id,
        product_ids=product_id,
        spec=spec,
        cpc=cpc,
        created=when,
        classifications=classification,
        verification=verification,
    )
    write_text(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False), out)


def _moment(text: str, option: str) -> dt.datetime:
    """An RFC 3339 date-time given on the command line (UTC if it names no zone)."""
    from footprint.errors import FootprintError

    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FootprintError(
            f"{text!r} is not an RFC 3339 date-time",
            where=option,
            fix="write e.g. 2025-03-01T00:00:00Z",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
