"""``footprint publish``, ``footprint clients add`` and ``footprint serve``: a PACT v3 host."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from footprint.cli.common import DataDir, Gwp, handles_errors
from footprint.errors import FootprintError

if TYPE_CHECKING:
    from footprint.exchange.partners import PactHost
    from footprint.exchange.store import FootprintStore

clients_app = typer.Typer(
    help="OAuth2 clients allowed to read published footprints and request new ones.",
    no_args_is_help=True,
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
    """Compute a footprint and store it for `footprint serve`; a new version deprecates the previous one.

    Clients with a reply host that may see it are sent a PublishedEvent (by `footprint serve`).
    """
    import json

    from footprint.engine.calculate import calculate
    from footprint.exchange.export import export_pact

    result = calculate(file, gwp=gwp.value, background=background, data_dir=data_dir)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    document = export_pact(result, pf_id=str(uuid.uuid4()), created=created)
    key = str(result.product.id or result.product.name)
    stored = _store(data_dir, db_url).add(document, key)
    typer.echo(
        json.dumps(
            {
                "id": stored["id"],
                "product": key,
                "status": stored["status"],
                "precedingPfIds": stored.get("precedingPfIds", []),
            },
            allow_nan=False,
        )
    )


class AccessChoice(StrEnum):
    all = "all"
    none = "none"


@clients_app.command("add")
@handles_errors
def clients_add(
    name: Annotated[str, typer.Argument(help="A name for the client, e.g. the customer.")],
    access: Annotated[
        AccessChoice,
        typer.Option(
            help="What it may see: every published footprint (the default), or none until "
            "`clients grant` gives it company or product ids."
        ),
    ] = AccessChoice.all,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Register a client and print its id and secret (the secret is shown only this once).

    By default it may see every published footprint (what `footprint publish` is for);
    --access none and `clients grant` restrict it to some companies or products. Its footprint
    requests are answered on the host `clients reply` configures, else at the request's source
    when that is an https URL (plain http only to a loopback host: 127.0.0.0/8, ::1, localhost);
    any other request is refused with 400.
    """
    client_id, secret = _store(data_dir, db_url).add_client(
        name, see_all=access is AccessChoice.all
    )
    typer.echo(f"client_id: {client_id}")
    typer.echo(f"client_secret: {secret}")
    if access is AccessChoice.all:
        typer.echo(
            "access: all published footprints (the default; to restrict it: "
            f"footprint clients grant {client_id} --product-id URN, then "
            f"footprint clients revoke {client_id} --all)"
        )
    else:
        typer.echo(
            "access: no footprints yet (give some with: "
            f"footprint clients grant {client_id} --company-id URN | --product-id URN | --all)"
        )


GrantIds = Annotated[
    list[str] | None,
    typer.Option(help="A company id (URN) of the footprints concerned; repeatable."),
]
GrantProducts = Annotated[
    list[str] | None,
    typer.Option(help="A product id (URN) of the footprints concerned; repeatable."),
]
GrantAll = Annotated[bool, typer.Option("--all", help="Every footprint.")]


def _change_access(
    client: str,
    company_id: list[str] | None,
    product_id: list[str] | None,
    every: bool,
    data_dir: Path | None,
    db_url: str | None,
    *,
    revoke: bool,
) -> None:
    """Grant or revoke what a client may see, then print what it sees.

    Raises:
        FootprintError: no grant named, an id that is not a URN, or an unknown client.
    """
    from footprint.exchange.store_access import describe

    command = "revoke" if revoke else "grant"
    changes = [("company", v) for v in company_id or []] + [
        ("product", v) for v in product_id or []
    ]
    if every:
        changes.append(("all", ""))
    if not changes:
        raise FootprintError(
            f"nothing to {command}",
            fix="give --company-id URN, --product-id URN (both repeatable) or --all",
        )
    for kind, value in changes:
        if kind != "all" and not value.strip().lower().startswith("urn:"):
            raise FootprintError(
                f"--{kind}-id {value!r} is not a URN",
                fix="give the id as footprints list it in companyIds/productIds, "
                "e.g. urn:pact:example.com:company:acme",
            )
    store = _store(data_dir, db_url)
    cid = _client_id(store, client)
    grants = []
    for kind, value in changes:
        grants = store.grant(cid, kind, value, revoke=revoke)
        filters = {"companyId": value} if kind == "company" else {"productId": value}
        if not revoke and kind != "all" and store.count(filters) == 0:
            typer.echo(f"note: no published footprint names {kind} id {value} yet", err=True)
    typer.echo(f"{cid} now sees {describe(grants)}")
    if not revoke and ("all", "") in grants and len(grants) > 1:
        typer.echo(
            f"note: it still sees all footprints; `footprint clients revoke {client} --all` "
            "restricts it to the ids granted",
            err=True,
        )


@clients_app.command("grant")
@handles_errors
def clients_grant(
    client: Annotated[str, typer.Argument(help="Client id or name (see `clients list`).")],
    company_id: GrantIds = None,
    product_id: GrantProducts = None,
    every: GrantAll = False,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Let CLIENT see the footprints of a company or product id (or --all footprints).

    Lists, gets and answers to its requests show it only what it was granted; ids match the
    footprints' companyIds/productIds regardless of case.
    """
    _change_access(client, company_id, product_id, every, data_dir, db_url, revoke=False)


@clients_app.command("revoke")
@handles_errors
def clients_revoke(
    client: Annotated[str, typer.Argument(help="Client id or name (see `clients list`).")],
    company_id: GrantIds = None,
    product_id: GrantProducts = None,
    every: GrantAll = False,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Take back a grant: a company or product id, or --all (ids granted one by one stay)."""
    _change_access(client, company_id, product_id, every, data_dir, db_url, revoke=True)


def _pact_host(
    url: str,
    token_url: str | None,
    client_id: str,
    secret: str,
    ca_file: Path | None,
    secret_env: str | None = None,
    url_name: str = "--url",
) -> PactHost:
    """Another company's PACT host from command-line options (token URL default URL/auth/token).

    Raises:
        FootprintError: a URL that is not https:// (or http:// to a loopback host), or a CA
            file that does not exist.
    """
    from footprint.exchange.events import is_answer_url
    from footprint.exchange.partners import PactHost

    for name, value in ((url_name, url), ("--token-url", token_url)):
        if value is None or is_answer_url(value):  # as a request's source may be
            continue
        raise FootprintError(
            f"{name} {value!r} is not an https:// URL",
            fix="PACT hosts speak HTTPS only (plain http only to this machine: 127.0.0.1, ::1, "
            "localhost)",
        )
    if ca_file is not None and not ca_file.is_file():
        raise FootprintError("no such file", where=str(ca_file), fix="give a PEM certificate")
    base = url.rstrip("/")
    return PactHost(
        base,
        token_url or f"{base}/auth/token",
        client_id,
        secret,
        str(ca_file.resolve()) if ca_file else None,
        secret_env,
    )


def _client_id(store: FootprintStore, client: str) -> str:
    """The id of the client named or numbered ``client``.

    Raises:
        FootprintError: no such client, or the name is not unique.
    """
    found = [cid for cid, name in store.clients() if client in (cid, name)]
    if len(found) != 1:
        known = ", ".join(f"{name} ({cid})" for cid, name in store.clients()) or "none yet"
        raise FootprintError(
            f"{'no' if not found else 'more than one'} client {client!r}",
            fix=f"give a client id; registered clients: {known}",
        )
    return found[0]


@clients_app.command("reply")
@handles_errors
def clients_reply(
    client: Annotated[str, typer.Argument(help="Client id or name (see `clients list`).")],
    url: Annotated[str, typer.Option(help="Base URL of the client's own PACT host (https://...).")],
    client_id: Annotated[str, typer.Option(help="Our client id on that host.")],
    client_secret: Annotated[
        str | None,
        typer.Option(help="Our client secret on that host (kept in the store, encrypted)."),
    ] = None,
    client_secret_env: Annotated[
        str | None,
        typer.Option(help="Or: the environment variable of `serve` that holds that secret."),
    ] = None,
    token_url: Annotated[
        str | None, typer.Option(help="Its token endpoint (default: URL/auth/token).")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option(help="CA certificate (PEM) to trust for that host.")
    ] = None,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Answer CLIENT's footprint requests on its own host (RequestFulfilled/RequestRejected events).

    A --client-secret is kept in the store encrypted, with a key outside it (FOOTPRINT_SECRET_KEY,
    or a key file in the per-user configuration directory); with --client-secret-env only the
    variable's name is stored and `serve` reads it when answering. Without a reply host, a
    request is answered at its source if that is an https URL (or http to a loopback host),
    else refused with 400.
    """
    if (client_secret is None) == (client_secret_env is None):
        raise FootprintError(
            "give --client-secret or --client-secret-env (one of them)",
            fix="--client-secret-env NAME keeps the secret out of the store",
        )

    endpoint = _pact_host(
        url, token_url, client_id, client_secret or "", ca_file, client_secret_env
    )
    store = _store(data_dir, db_url)
    cid = _client_id(store, client)
    base = endpoint.base_url
    store.set_reply_endpoint(cid, endpoint)
    typer.echo(f"answers to {cid} go to {base}/3/events (token from {endpoint.token_url})")


@clients_app.command("list")
@handles_errors
def clients_list(data_dir: DataDir = None, db_url: DbUrl = None) -> None:
    """Registered clients, where their requests are answered, and what they may see."""
    from footprint.exchange.store_access import describe

    store = _store(data_dir, db_url)
    for cid, name in store.clients():
        endpoint = store.reply_endpoint(cid)
        where = f"answers to {endpoint.base_url}" if endpoint else "no reply host"
        typer.echo(f"{cid}\t{name}\t{where}\tsees {describe(store.grants(cid))}")


@clients_app.command("remove")
@handles_errors
def clients_remove(
    client: Annotated[str, typer.Argument(help="Client id or name (see `clients list`).")],
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Revoke a client: its secret, access tokens and reply host stop working at once."""
    store = _store(data_dir, db_url)
    cid = _client_id(store, client)
    store.remove_client(cid)
    typer.echo(f"removed {cid}")


@clients_app.command("deliveries")
@handles_errors
def clients_deliveries(data_dir: DataDir = None, db_url: DbUrl = None) -> None:
    """Answers to footprint requests: every attempt (delivered, retrying, failed), then those
    still waiting in the outbox with their next attempt."""
    from footprint.exchange.outbox import Outbox, deliveries

    store = _store(data_dir, db_url)
    for row in deliveries(store):
        kind = str(row["type"]).rsplit(".", 2)[-2]
        typer.echo(
            f"{row['requestEventId']}\t{row['client_id']}\t{kind}\t{row['status']}"
            f" after {row['attempts']} attempt(s)\t{row['detail']}"
        )
    for item in Outbox(store).entries():
        if item.status == "pending":
            kind = str(item.event.get("type", "")).rsplit(".", 2)[-2]
            typer.echo(
                f"{item.request_event_id}\t{item.client_id}\t{kind}\tpending after "
                f"{item.attempts} attempt(s), next {item.next_at:%Y-%m-%d %H:%M:%S} UTC"
                f"\t{item.detail}"
            )


@handles_errors
def request_command(
    url: Annotated[str, typer.Argument(help="Base URL of the supplier's PACT host (https://...).")],
    client_id: Annotated[str, typer.Option(help="Our client id on that host.")],
    client_secret: Annotated[
        str,
        typer.Option(
            envvar="FOOTPRINT_CLIENT_SECRET",
            help="Our client secret on that host (or set FOOTPRINT_CLIENT_SECRET).",
        ),
    ],
    product_id: Annotated[
        list[str] | None, typer.Option(help="Product URN asked for, repeatable.")
    ] = None,
    company_id: Annotated[list[str] | None, typer.Option(help="Company URN, repeatable.")] = None,
    geography: Annotated[list[str] | None, typer.Option(help="Geography, repeatable.")] = None,
    classification: Annotated[
        list[str] | None, typer.Option(help="Product classification URN, repeatable.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="A note for the supplier.")] = None,
    token_url: Annotated[
        str | None, typer.Option(help="Its token endpoint (default: URL/auth/token).")
    ] = None,
    ca_file: Annotated[
        Path | None, typer.Option(help="CA certificate (PEM) to trust for that host.")
    ] = None,
    reply_to: Annotated[
        str | None,
        typer.Option(
            help="https URL of our own PACT host, where the answer goes (default: the URL "
            "`footprint serve` last ran at with this data directory)."
        ),
    ] = None,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Ask a supplier's PACT host for footprints; its answer arrives at `footprint serve`.

    The supplier must know where to answer (its own `clients reply` for us); once the answer is
    in, `footprint received --out FILE` collects the footprints for `footprint import`.
    """
    from footprint.exchange.outbox import setting
    from footprint.exchange.requesting import request_footprints

    host = _pact_host(url, token_url, client_id, client_secret, ca_file, url_name="URL")
    store = _store(data_dir, db_url)
    source = reply_to or setting(store, "public_url")
    if source is None:
        raise FootprintError(
            "no reply URL: the supplier needs to know where to send its answer",
            fix="give --reply-to https://YOUR-HOST, or run footprint serve (with --public-url) "
            "once with this data directory",
        )
    filters = {
        "productId": product_id or [],
        "companyId": company_id or [],
        "geography": geography or [],
        "classification": classification or [],
    }
    event_id = request_footprints(host, filters, source=source, store=store, comment=comment)
    typer.echo(
        f"request {event_id} sent to {host.base_url}/3/events; answers go to {source}/3/events"
    )


@handles_errors
def received_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write them as PACT JSON here.")
    ] = None,
    data_dir: DataDir = None,
    db_url: DbUrl = None,
) -> None:
    """Footprints suppliers sent in answer to our requests (and the requests they rejected)."""
    import json

    from footprint.exchange.requesting import received_footprints
    from footprint.output import write_text

    footprints, rejected = received_footprints(_store(data_dir, db_url))
    for item in rejected:
        error = item.get("error") or {}
        typer.echo(
            f"rejected {item.get('requestEventId')}: {error.get('code')}: {error.get('message')}",
            err=True,
        )
    text = json.dumps({"data": footprints}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(text, out)
        typer.echo(
            f"{len(footprints)} footprint(s) written to {out}; "
            f"import them with: footprint import {out} --format pact --name suppliers",
            err=True,
        )


@handles_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8443,
    cert: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); self-signed if absent.")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The https:// URL clients reach this host at (behind a proxy or a DNS name); "
            "links and discovery use it. Default: https://HOST:PORT as listened on."
        ),
    ] = None,
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
    if public_url is not None and not public_url.startswith("https://"):
        raise FootprintError(
            f"--public-url {public_url!r} is not an https:// URL",
            fix="give the https:// address clients use, e.g. https://pact.example.com",
        )
    from footprint.exchange.outbox import set_setting

    directory = data_dir or default_data_dir()
    store = _store(directory, db_url)
    set_setting(store, "public_url", (public_url or f"https://{host}:{port}").rstrip("/"))
    if cert is None or key is None:
        cert, key = self_signed_certificate(directory / "tls", [host])
        typer.echo(f"self-signed certificate for local use: {cert}", err=True)
    serve(store, host, port, cert, key, public_url=public_url)
