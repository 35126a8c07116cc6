"""Answer a PACT v3 footprint request: RequestFulfilledEvents or a RequestRejectedEvent, sent back.

When a data recipient POSTs a ``RequestCreatedEvent`` to ``/3/events``, the host answers on the
recipient's own PACT host: it obtains a token there (OAuth2 client credentials, with the
credentials registered with ``footprint clients reply``) and POSTs the answer to its
``/3/events``. The request's ``data`` holds the same filters as ``GET /3/footprints``: the
footprints that match are sent (fulfilled); none, a bad filter, or no such product is a rejection
with a PACT error object. Answers wait in the outbox (:mod:`footprint.exchange.outbox`) until
delivered; every attempt is kept in the store (``deliveries``).
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from footprint.exchange.partners import PactHost
from footprint.exchange.store import FootprintStore
from footprint.exchange.store_access import EVERYTHING, Access
from footprint.exchange.store_query import FILTER_NAMES, InvalidFilter

EVENT_CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
#: filters of a RequestCreatedEvent that are arrays of strings (the others are dates and status)
LIST_FILTERS = ("productId", "companyId", "geography", "classification")
EVENT_FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
EVENT_REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
TIMEOUT_S = 20.0
MAX_FOOTPRINTS = 100  # footprints sent in one answer event (more go in further events)


def answers_for(
    store: FootprintStore,
    request: Mapping[str, Any],
    source: str,
    access: Access = EVERYTHING,
) -> list[dict[str, Any]]:
    """The CloudEvents answering ``request`` (a valid RequestCreatedEvent) from host ``source``.

    Every matching footprint the requester may see (``access``) is sent, :data:`MAX_FOOTPRINTS`
    per RequestFulfilledEvent (several events for more); no match (footprints it may not see
    count as no match), no filter or a bad filter is one RequestRejectedEvent, and so is any
    request of a client that may see nothing (``AccessDenied``).
    """
    data = request.get("data") or {}
    filters = {name: data[name] for name in FILTER_NAMES if name in data}

    def event() -> dict[str, Any]:
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    if access.nothing:
        message = "Your client may not see any footprint of this host; ask the data owner."
        return [event() | _rejected(request, "AccessDenied", message)]
    try:
        found = store.list(filters, access=access) if filters else []
    except InvalidFilter as exc:
        return [
            event() | _rejected(request, "BadRequest", f"The request's filters are invalid: {exc}")
        ]
    if not found:
        message = (
            "No footprint matches the request's filters."
            if filters
            else "The request names no product (productId, companyId, geography or classification)."
        )
        return [event() | _rejected(request, "NotFound", message)]
    return [
        event()
        | {
            "type": EVENT_FULFILLED,
            "data": {
                "requestEventId": str(request["id"]),
                "pfs": found[start : start + MAX_FOOTPRINTS],
            },
        }
        for start in range(0, len(found), MAX_FOOTPRINTS)
    ]


def _rejected(request: Mapping[str, Any], code: str, message: str) -> dict[str, Any]:
    return {
        "type": EVENT_REJECTED,
        "data": {
            "requestEventId": str(request["id"]),
            "error": {"code": code, "message": message},
        },
    }


def post_event(endpoint: PactHost, event: Mapping[str, Any]) -> None:
    """POST ``event`` to the endpoint's ``/3/events`` with a token from its token endpoint.

    Raises:
        DeliveryError: no token, a transport error, or a non-2xx answer.
    """
    import httpx2

    verify: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=endpoint.ca_file) if endpoint.ca_file else True
    )
    try:
        secret = endpoint.resolved_secret()
    except KeyError:
        raise DeliveryError(
            f"the environment variable {endpoint.secret_env} (the client secret) is not set"
        ) from None
    with httpx2.Client(verify=verify, timeout=TIMEOUT_S) as http:
        try:
            got = http.post(
                endpoint.token_url,
                data={"grant_type": "client_credentials"},
                auth=(endpoint.client_id, secret),
            )
            if got.status_code != 200:
                raise DeliveryError(f"token endpoint answered {got.status_code}: {got.text[:200]}")
            token = got.json().get("access_token")
            if not isinstance(token, str) or not token:
                raise DeliveryError("token endpoint sent no access_token")
            sent = http.post(
                endpoint.base_url.rstrip("/") + "/3/events",
                json=dict(event),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/cloudevents+json; charset=UTF-8",
                },
            )
        except httpx2.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        except ValueError as exc:  # a token answer that is not JSON
            raise DeliveryError(f"token endpoint answer unreadable: {exc}") from None
        if not 200 <= sent.status_code < 300:
            raise DeliveryError(f"/3/events answered {sent.status_code}: {sent.text[:200]}")


class DeliveryError(Exception):
    """An answer could not be delivered (the message says why)."""
