"""``footprint publish``, ``footprint clients add`` and ``footprint serve``: a PACT v3 host."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footprint.cli.common import DataDir, Gwp, handles_errors
from footprint.errors import FootprintError

if TYPE_CHECKING:
    from footprint.exchange.store import FootprintStore

clients_app = typer.Typer(
    help="OAuth2 clients allowed to read published footprints.", no_args_is_help=True
)

DbUrl = Annotated[
    str | None,
    typer.Option("--db-url", help="SQLAlchemy URL (default: SQLite in the data directory)."),
]


def _store(data_dir: Path | None, db_url: str | None) -> FootprintStore:
    from footprint.exchange.store import FootprintStore
    from footprint.paths import default_data_dir

    return (
        FootprintStore(db_url)
        if db_url
        else FootprintStore.in_directory(data_dir or default_data_dir())
    )


@handles_errors
def publish_command(
    file: Annotated[Path, typer.Argument(help="Inventory file.")],
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Compute a footprint and store it for `footprint serve`; a new version deprecates the previous one."""
    import json

    from footprint.engine.calculate import calculate
    from footprint.exchange.export import export_pact

    result = calculate(file, gwp=gwp.value, background=background, data_dir=data_dir)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    document = export_pact(result, pf_id=str(uuid.uuid4()), created=created)
    key = str(result.product.get("id") or result.product["name"])
    stored = _store(data_dir, db_url).add(document, key)
    typer.echo(
        json.dumps(
            {
                "id": stored["id"],
                "product": key,
                "status": stored["status"],
                "precedingPfIds": stored.get("precedingPfIds", []),
            }
        )
    )


@clients_app.command("add")
@handles_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="A name for the client, e.g. the customer.")],
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Register a client and print its id and secret (the secret is shown only this once)."""
    client_id, secret = _store(data_dir, db_url).add_client(name)
    typer.echo(f"client_id: {client_id}")
    typer.echo(f"client_secret: {secret}")


@handles_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8443,
    cert: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); self-signed if absent.")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Serve published footprints over HTTPS as a PACT v3 host (plain HTTP is refused)."""
    from footprint.exchange.server import serve
    from footprint.exchange.tls import self_signed_certificate
    from footprint.paths import default_data_dir

    if (cert is None) != (key is None):
        raise FootprintError(
            "pass both --cert and --key, or neither (a self-signed pair is then made)"
        )
    directory = data_dir or default_data_dir()
    store = _store(directory, db_url)
    if cert is None or key is None:
        cert, key = self_signed_certificate(directory / "tls", [host])
        typer.echo(f"self-signed certificate for local use: {cert}", err=True)
    serve(store, host, port, cert, key)
