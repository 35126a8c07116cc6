"""PublishedEvent notifications: telling subscribed clients that a new footprint version is out.

When an Active footprint is stored, every client with a registered reply host (``footprint
clients reply``) that may see it gets an ``org.wbcsd.pact.ProductFootprint.PublishedEvent.3``
(``data.pfIds``: the new id). The events are put in the outbox in the transaction that stores the
footprint (nothing is lost if the process stops right after) and the worker of ``footprint
serve`` delivers them with the same back-off as answers (:mod:`footprint.exchange.outbox`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint.exchange.store_access import access_from
from footprint.exchange.store_rows import GrantRow, OutboxRow, PactHostRow, SettingRow, outbox_rows

EVENT_PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
#: the event source when `footprint serve` never ran with this store (no public URL known yet)
UNKNOWN_SOURCE = "urn:footprint:pact-host"


def published_event(pf_id: str, source: str, now: datetime) -> dict[str, Any]:
    """A PublishedEvent CloudEvent for the footprint ``pf_id`` (``now``: naive UTC)."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "type": EVENT_PUBLISHED,
        "data": {"pfIds": [pf_id]},
    }


def notify_published(
    session: Session, pf_id: str, keys: Iterable[tuple[str, str]], now: datetime
) -> list[OutboxRow]:
    """Outbox entries announcing the footprint ``pf_id`` to every subscribed client that may see
    it (``keys``: its ``(kind, lower-cased value)`` keys); added to ``session``."""
    hosts = session.execute(
        select(PactHostRow.client_id, PactHostRow.base_url).order_by(PactHostRow.client_id)
    ).all()
    if not hosts:
        return []
    grants: dict[str, list[tuple[str, str]]] = {}
    for client_id, kind, value in session.execute(
        select(GrantRow.client_id, GrantRow.kind, GrantRow.value).where(
            GrantRow.client_id.in_([cid for cid, _ in hosts])
        )
    ):
        grants.setdefault(client_id, []).append((kind, value))
    setting = session.get(SettingRow, "public_url")
    source = setting.value if setting is not None else UNKNOWN_SOURCE
    listed = list(keys)
    rows: list[OutboxRow] = []
    for client_id, base_url in hosts:
        if access_from(grants.get(client_id, [])).sees(listed):
            event = published_event(pf_id, source, now)
            rows += outbox_rows(event["id"], client_id, base_url, [event], now)
    session.add_all(rows)
    return rows
