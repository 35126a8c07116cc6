"""A PACT v3 host: the HTTP API (FastAPI) over a :class:`FootprintStore`, served by uvicorn over HTTPS.

Endpoints: ``GET /.well-known/openid-configuration``, ``POST /auth/token`` (OAuth2 client
credentials, HTTP Basic), ``GET /3/footprints`` (filters; ``limit`` up to 1,000; ``Link``
pagination by cursor over a snapshot; a v2 ``$filter`` gets 501), ``GET /3/footprints/{id}``
(403 ``AccessDenied`` for a footprint the client may not see, 404 for an id that does not exist)
and ``POST /3/events`` (CloudEvents, checked by :mod:`footprint.exchange.events`; a
RequestCreatedEvent is answered on the requester's own host through the outbox, see
:mod:`footprint.exchange.outbox`). Errors are PACT error objects ``{"code", "message"}`` (the
token endpoint answers RFC 6749 ``{"error", "error_description"}``). Each client sees only what it was granted
(:mod:`footprint.exchange.store_access`), in lists, gets and answers alike.
"""

from __future__ import annotations

import contextlib
import logging
import re
import ssl
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from urllib.parse import parse_qs

import uvicorn
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.config import LOGGING_CONFIG

from footprint.errors import FootprintError
from footprint.exchange.auth import basic_auth_candidates, parse_basic_auth, parse_bearer
from footprint.exchange.events import (
    no_destination_message,
    reply_destination,
    validate_event,
)
from footprint.exchange.outbox import Outbox, OutboxWorker, sent_request
from footprint.exchange.replies import (
    EVENT_CREATED,
    EVENT_FULFILLED,
    EVENT_REJECTED,
    answers_for,
)
from footprint.exchange.store import MAX_PAGE, FootprintStore
from footprint.exchange.store_access import Access
from footprint.exchange.store_query import (
    FILTER_NAMES,
    Cursor,
    InvalidFilter,
)
from footprint.exchange.throttle import LoginThrottle
from footprint.safeload import load_json

log = logging.getLogger(__name__)

EVENT_CONTENT_TYPES = ("application/cloudevents+json", "application/json")
#: largest event body accepted (bytes); answers with many footprints are split over events
MAX_EVENT_BYTES = 2 * 1024 * 1024
MAX_TOKEN_REQUEST_BYTES = 64 * 1024

_REALM = 'realm="pact"'
#: query parameters that carry credentials: refused at the token endpoint, redacted in logs
_CREDENTIAL_PARAMETERS = frozenset({"client_secret", "client_id", "password", "access_token"})
_INTEGER = re.compile(r"[0-9]{1,30}")


class ApiError(Exception):
    """An error answered as a PACT error object ``{"code": ..., "message": ...}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def _oauth_error(
    status: int, error: str, description: str, extra: Mapping[str, str] | None = None
) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache", **(extra or {})}
    if status == 401:
        headers["WWW-Authenticate"] = f"Basic {_REALM}"
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


# --- the application --------------------------------------------------------------------------


def _form(body: bytes) -> dict[str, str] | None:
    """An ``application/x-www-form-urlencoded`` body; None if malformed or a parameter repeats."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(values) > 1 for values in parsed.values()):
        return None
    return {name: values[0] for name, values in parsed.items()}


async def _read(request: Request, limit: int) -> bytes | None:
    """The request body, or None if it is longer than ``limit`` bytes."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _page_size(params: Mapping[str, str]) -> int:
    """The ``limit`` of a ListFootprints call: 1 or more; above :data:`MAX_PAGE` it is lowered.

    Raises:
        ApiError: not a positive integer.
    """
    raw = params.get("limit")
    if raw is None:
        return MAX_PAGE
    if not _INTEGER.fullmatch(raw.strip()) or int(raw) < 1:
        raise ApiError(
            400,
            "BadRequest",
            f"limit must be a whole number from 1 (pages hold at most {MAX_PAGE}), "
            f"got {raw[:40]!r}",
        )
    return min(int(raw), MAX_PAGE)


def public_base(public_url: str | None, request: Request) -> str:
    """The host's base URL for links: the configured public URL, else the listening address.

    Never the request's ``Host`` header, which the client chooses.
    """
    if public_url:
        return public_url.rstrip("/")
    server = request.scope.get("server")
    if not server:
        return str(request.base_url).rstrip("/")
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in str(host) else str(host)
    scheme = request.url.scheme
    default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    return f"{scheme}://{host}" if default or port is None else f"{scheme}://{host}:{port}"


def create_app(
    store: FootprintStore,
    *,
    token_ttl_s: int = 3600,
    public_url: str | None = None,
    throttle: LoginThrottle | None = None,
    outbox: Outbox | None = None,
    deliver: bool = True,
) -> FastAPI:
    """The PACT v3 API over ``store``; access tokens live ``token_ttl_s`` seconds.

    ``public_url`` (e.g. ``https://pact.example.com``) is the base of the URLs the host gives
    out (pagination links, discovery); without it, the address the server listens on.
    ``throttle`` limits failed logins (default: :class:`LoginThrottle` with its defaults).
    ``outbox`` keeps answers to requests (default: one on ``store``); with ``deliver`` a worker
    thread delivers them while the app runs (started and stopped by its lifespan).
    """
    if token_ttl_s < 0:
        raise ValueError(f"token_ttl_s must be >= 0, got {token_ttl_s}")
    logins = throttle or LoginThrottle()
    box = outbox or Outbox(store)
    worker = OutboxWorker(box) if deliver else None

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()  # answers left from before a restart go out too
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)

    app = FastAPI(
        title="footprint PACT v3 host",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    canonical_filters = {name.lower(): name for name in FILTER_NAMES}

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, "NotFound", "No such resource.")
        if exc.status_code >= 500:
            return _error(
                exc.status_code, "InternalError", "An internal or unexpected error has occurred."
            )
        return _error(exc.status_code, "BadRequest", str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "BadRequest", "Malformed request.")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "InternalError", "An internal or unexpected error has occurred.")

    def bearer(request: Request) -> str:
        """Check the bearer token; raise a 401 PACT error if it is missing, invalid or expired."""
        token = parse_bearer(request.headers.get("authorization"))
        if token is None:
            raise ApiError(
                401,
                "BadRequest",
                "A bearer access token is required.",
                {"WWW-Authenticate": f"Bearer {_REALM}"},
            )
        status = store.token_status(token)
        if status == "expired":
            challenge = f'Bearer {_REALM}, error="invalid_token", error_description="The access token expired"'
            raise ApiError(
                401,
                "TokenExpired",
                "The specified access token has expired.",
                {"WWW-Authenticate": challenge},
            )
        if status != "valid":
            challenge = f'Bearer {_REALM}, error="invalid_token"'
            raise ApiError(
                401, "BadRequest", "Invalid access token.", {"WWW-Authenticate": challenge}
            )
        return token

    @app.get("/.well-known/openid-configuration")
    def openid_configuration(request: Request) -> JSONResponse:
        base = public_base(public_url, request)
        return JSONResponse(
            {
                "issuer": base,
                "token_endpoint": f"{base}/auth/token",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    def authenticate(client_id: str, secret: str) -> str | None:
        for cid, sec in basic_auth_candidates(client_id, secret):
            if store.check_client(cid, sec):
                return cid
        return None

    def check_secret(client_id: str, secret: str) -> str | None:
        with logins.checking:  # bounded parallel scrypt checks: bounded memory
            return authenticate(client_id, secret)

    @app.post("/auth/token")
    async def token(request: Request) -> JSONResponse:
        if any(name.lower() in _CREDENTIAL_PARAMETERS for name in request.query_params):
            return _oauth_error(
                400,
                "invalid_request",
                "Credentials must not be sent in the URL; use HTTP Basic or the form body.",
            )
        body = await _read(request, MAX_TOKEN_REQUEST_BYTES)
        if body is None:
            return _oauth_error(400, "invalid_request", "The request body is too large.")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        form = _form(body) if content_type == "application/x-www-form-urlencoded" else {}
        credentials = parse_basic_auth(request.headers.get("authorization"))
        if (
            credentials is None
            and form
            and "client_id" in form
            and not request.headers.get("authorization")
        ):
            credentials = form["client_id"], form.get("client_secret", "")
        if credentials is None:
            return _oauth_error(
                401, "invalid_client", "Client authentication (HTTP Basic) is required."
            )
        address = request.client.host if request.client else "unknown"
        keys = (f"client:{credentials[0][:200]}", f"address:{address}")
        wait = logins.retry_after(keys)
        if wait is not None:
            return _oauth_error(
                429,
                "invalid_client",
                f"Too many failed logins; try again in {wait} s.",
                {"Retry-After": str(wait)},
            )
        client_id = await run_in_threadpool(check_secret, *credentials)
        if client_id is None:
            logins.failed(keys)
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        logins.succeeded(keys[0])
        if form is None or "grant_type" not in form:
            return _oauth_error(
                400, "invalid_request", "Send the form body grant_type=client_credentials."
            )
        if form["grant_type"] != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials is supported."
            )
        access_token = await run_in_threadpool(store.issue_token, client_id, token_ttl_s)
        return JSONResponse(
            {"access_token": access_token, "token_type": "bearer", "expires_in": token_ttl_s},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def access_of(token: str) -> Access:
        return store.access(store.token_client(token))

    @app.get("/3/footprints")
    def list_footprints(request: Request, token: str = Depends(bearer)) -> JSONResponse:
        params = request.query_params
        if "$filter" in params:
            raise ApiError(
                501,
                "NotImplemented",
                "The v2 $filter query parameter is not supported; use the v3 filters "
                f"({', '.join(FILTER_NAMES)}) as query parameters.",
            )
        filters: dict[str, list[str]] = {}
        for name, value in params.multi_items():
            canonical = canonical_filters.get(name.lower())
            if canonical is not None:  # other parameters (e.g. x-... extensions) are ignored
                filters.setdefault(canonical, []).append(value)
        limit = _page_size(params)
        raw_cursor = params.get("cursor")
        try:
            cursor = None if raw_cursor is None else Cursor.decode(raw_cursor)
            docs, following = store.page(
                filters, cursor=cursor, limit=limit, access=access_of(token)
            )
        except InvalidFilter as exc:
            raise ApiError(400, "BadRequest", str(exc)) from None
        headers: dict[str, str] = {}
        if following is not None:
            query = (
                request.url.remove_query_params("cursor")
                .include_query_params(cursor=following.encode())
                .query
            )
            next_url = f"{public_base(public_url, request)}{request.url.path}?{query}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return JSONResponse({"data": docs}, headers=headers)

    @app.get("/3/footprints/{pf_id}")
    def get_footprint(pf_id: str, token: str = Depends(bearer)) -> JSONResponse:
        doc = store.get(pf_id)
        if doc is None:
            return _error(
                404, "NotFound", f"The requested footprint {pf_id[:80]!r} could not be found."
            )
        if not store.visible(pf_id, access_of(token)):
            return _error(403, "AccessDenied", f"You may not see the footprint {pf_id[:80]!r}.")
        return JSONResponse({"data": doc})

    @app.post("/3/events")
    async def events(request: Request, token: str = Depends(bearer)) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in EVENT_CONTENT_TYPES:
            raise ApiError(400, "BadRequest", "Content-Type must be application/cloudevents+json.")
        body = await _read(request, MAX_EVENT_BYTES)
        if body is None:
            raise ApiError(413, "BadRequest", f"The event is larger than {MAX_EVENT_BYTES} bytes.")
        try:
            event = load_json(body.decode("utf-8"), source="event")
        except UnicodeDecodeError:
            raise ApiError(400, "BadRequest", "The body is not UTF-8 JSON.") from None
        except FootprintError as exc:
            raise ApiError(400, "BadRequest", f"The body is not valid JSON: {exc.what}") from None
        problem = validate_event(event)
        if problem is not None:
            raise ApiError(400, "BadRequest", f"Invalid event: {problem}.")
        client_id = await run_in_threadpool(store.token_client, token)
        if event["type"] in (EVENT_FULFILLED, EVENT_REJECTED):
            request_id = str(event["data"]["requestEventId"])
            if await run_in_threadpool(sent_request, store, request_id) is None:
                raise ApiError(
                    400,
                    "BadRequest",
                    f"Invalid event: data.requestEventId {request_id[:80]!r} is not a request "
                    "this host sent.",
                )
        destination = None
        if event["type"] == EVENT_CREATED:
            reply = await run_in_threadpool(store.reply_endpoint, client_id or "")
            destination = reply_destination(reply.base_url if reply else None, event["source"])
            if destination is None or client_id is None:
                raise ApiError(400, "BadRequest", no_destination_message(str(event["source"])))
        new = await run_in_threadpool(store.record_event, event)
        if new and destination is not None and client_id is not None:
            access = await run_in_threadpool(store.access, client_id)
            answers = answers_for(store, event, public_base(public_url, request), access)
            await run_in_threadpool(box.put, str(event["id"]), client_id, destination, answers)
            if worker is not None:
                worker.wake()
        return Response(status_code=200)

    return app


# --- serving ----------------------------------------------------------------------------------


def redact_query(path: str) -> str:
    """``path`` with the values of credential parameters in its query replaced by ``***``."""
    if "?" not in path:
        return path
    base, query = path.split("?", 1)
    parts = []
    for part in query.split("&"):
        name = part.split("=", 1)[0]
        redact = name.lower() in _CREDENTIAL_PARAMETERS or "secret" in name.lower()
        parts.append(f"{name}=***" if redact else part)
    return f"{base}?{'&'.join(parts)}"


class RedactCredentials(logging.Filter):
    """Keeps credentials sent in a URL out of the access log (uvicorn's ``uvicorn.access``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
        return True


def _redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCredentials) for f in access.filters):
        access.addFilter(RedactCredentials())


def make_server(
    store: FootprintStore,
    host: str,
    port: int,
    certfile: Path,
    keyfile: Path,
    *,
    token_ttl_s: int = 3600,
    log_level: str | None = "info",
    public_url: str | None = None,
) -> uvicorn.Server:
    """A uvicorn server for :func:`create_app`, HTTPS only (see :func:`serve`); not started.

    ``port=0`` picks a free port (read it from ``server.servers[0].sockets`` once started).
    ``log_level=None`` leaves the logging configuration alone; credentials sent in a URL are
    redacted from the access log either way. ``public_url``: see :func:`create_app`.

    Raises:
        FootprintError: the certificate or key cannot be read or do not match.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise FootprintError(
            f"cannot use the TLS certificate {certfile} with key {keyfile}: {exc}",
            fix="pass a PEM certificate and its private key (or generate a self-signed pair)",
        ) from None
    config = uvicorn.Config(
        create_app(store, token_ttl_s=token_ttl_s, public_url=public_url),
        host=host,
        port=port,
        ssl_certfile=str(certfile),
        ssl_keyfile=str(keyfile),
        proxy_headers=False,  # the URL scheme and host come from this TLS connection only
        server_header=False,
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=5,
        log_level=log_level or "info",
        log_config=LOGGING_CONFIG if log_level else None,
    )
    server = uvicorn.Server(config)
    _redact_access_log()
    return server


def serve(
    store: FootprintStore,
    host: str,
    port: int,
    certfile: Path,
    keyfile: Path,
    *,
    token_ttl_s: int = 3600,
    log_level: str | None = "info",
    public_url: str | None = None,
) -> None:
    """Serve the PACT v3 API on ``https://host:port`` until interrupted (Ctrl-C / SIGTERM).

    There is only the TLS listener: a plain ``http://`` request to that port gets no HTTP
    response. The server reads the request bytes as a TLS handshake, fails it and closes the
    connection, so the client sees a connection error (curl: "Empty reply from server", httpx:
    ``RemoteProtocolError``, Node fetch: "fetch failed"); nothing is redirected.

    Raises:
        FootprintError: the certificate or key cannot be used.
    """
    make_server(
        store,
        host,
        port,
        certfile,
        keyfile,
        token_ttl_s=token_ttl_s,
        log_level=log_level,
        public_url=public_url,
    ).run()
