"""``footprint export pact``: footprints as PACT ProductFootprint JSON (3.0, or 2.3 with ``--spec``)."""

from __future__ import annotations

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
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    out: Out = None,
    data_dir: DataDir = None,
) -> None:
    """Write the product's footprint as a PACT ProductFootprint (decimals as strings, no exponents)."""
    from footprint.engine.calculate import calculate
    from footprint.exchange.export import export_pact
    from footprint.output import write_text

    result = calculate(file, gwp=gwp.value, background=background, data_dir=data_dir)
    document = export_pact(
        result,
        company_name=company_name,
        company_ids=company_id,
        product_ids=product_id,
        spec=spec,
        cpc=cpc,
    )
    write_text(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False), out)
