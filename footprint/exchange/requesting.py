"""Ask a supplier's PACT host for footprints: a RequestCreatedEvent, answered later on our host.

The supplier's host answers with a RequestFulfilledEvent (the footprints) or RequestRejectedEvent
posted to our ``/3/events``, where ``footprint serve`` keeps them; ``received_footprints`` then
gives the footprints, ready for ``footprint import FILE --format pact``.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from footprint.errors import FootprintError
from footprint.exchange.partners import PactHost
from footprint.exchange.replies import EVENT_CREATED, LIST_FILTERS, DeliveryError, post_event
from footprint.exchange.store import FootprintStore


def request_event(
    filters: Mapping[str, Sequence[str]], *, source: str, comment: str | None = None
) -> dict[str, object]:
    """A RequestCreatedEvent asking for the footprints that match ``filters``.

    Raises:
        FootprintError: no filter given, or an unknown filter name.
    """
    data: dict[str, object] = {name: list(values) for name, values in filters.items() if values}
    unknown = sorted(set(data) - set(LIST_FILTERS))
    if unknown:
        raise FootprintError(
            f"unknown request filter {unknown[0]!r}", fix=f"use {', '.join(LIST_FILTERS)}"
        )
    if not data:
        raise FootprintError(
            "a request must name what it asks for",
            fix="give at least one --product-id, --company-id, --geography or --classification",
        )
    if comment:
        data["comment"] = comment
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "type": EVENT_CREATED,
        "data": data,
    }


def request_footprints(
    host: PactHost,
    filters: Mapping[str, Sequence[str]],
    *,
    source: str,
    store: FootprintStore | None = None,
    comment: str | None = None,
) -> str:
    """Send a footprint request to ``host``; return the request's event id.

    ``source`` is the https URL of our own PACT host, where the answer is to be sent; the
    request is kept in ``store`` (the one ``footprint serve`` uses) so that its answers are
    accepted there.

    Raises:
        FootprintError: a bad request or reply URL, or the host cannot be reached or refuses it.
    """
    from footprint.exchange.events import is_https_url

    if not is_https_url(source):
        raise FootprintError(
            f"the reply URL {source!r} is not an https:// URL of a host",
            fix="give --reply-to https://YOUR-HOST (where footprint serve runs)",
        )
    event = request_event(filters, source=source.rstrip("/"), comment=comment)
    if store is not None:
        from footprint.exchange.outbox import remember_request

        remember_request(store, event, host.base_url)
    try:
        post_event(host, event)
    except DeliveryError as exc:
        raise FootprintError(
            f"the request could not be sent to {host.base_url}: {exc}",
            fix="check the URL, the credentials that host gave you, and --ca-file for a "
            "self-signed certificate",
        ) from None
    return str(event["id"])


def received_footprints(store: FootprintStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Footprints received in RequestFulfilledEvents (the latest copy of each id), and the
    RequestRejectedEvents' data (request id and error), oldest first."""
    footprints: dict[str, dict[str, Any]] = {}
    rejected: list[dict[str, Any]] = []
    for event in store.events():
        kind = str(event.get("type", ""))
        data = event.get("data") or {}
        if kind.startswith("org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent"):
            for pf in data.get("pfs") or []:
                footprints.pop(str(pf.get("id")), None)
                footprints[str(pf.get("id"))] = pf
        elif kind.startswith("org.wbcsd.pact.ProductFootprint.RequestRejectedEvent"):
            rejected.append(copy.deepcopy(data))
    return list(footprints.values()), rejected
