"""The outbox of a PACT host: answers to footprint requests and PublishedEvent notifications
(:mod:`footprint.exchange.published`), kept until delivered.

An accepted ``RequestCreatedEvent`` is answered (:mod:`footprint.exchange.replies`) before the
``200`` is sent, and the answer events are stored here; a worker thread of ``footprint serve``
delivers them to the requester's host, retrying with exponential back-off (5 s, 10 s, 20 s, ...
at most an hour apart) for up to 72 hours after the request, across restarts. Every attempt is
recorded (``footprint clients deliveries``).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from footprint.exchange.partners import PactHost
from footprint.exchange.published import UNKNOWN_SOURCE
from footprint.exchange.replies import DeliveryError, post_event
from footprint.exchange.store import FootprintStore
from footprint.exchange.store_rows import (
    DeliveryRow,
    OutboxRow,
    SentRequestRow,
    SettingRow,
    outbox_rows,
)

#: how long an answer is retried after the request arrived
RETRY_FOR = timedelta(hours=72)
#: wait before the second attempt; doubled after each failure up to MAX_DELAY
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(hours=1)
#: seconds between looks at the outbox while serving
POLL_S = 1.0

log = logging.getLogger("footprint.exchange")

Send = Callable[[PactHost, Mapping[str, Any]], None]


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts (≥ 1): 5 s doubled each time, at most 1 h."""
    delay: timedelta = FIRST_DELAY * 2 ** min(attempts - 1, 20)
    return min(delay, MAX_DELAY)


@dataclass(frozen=True)
class Pending:
    """An answer in the outbox."""

    seq: int
    request_event_id: str
    client_id: str
    destination: str
    status: str
    attempts: int
    next_at: datetime
    detail: str
    event: dict[str, Any]


class Outbox:
    """Answers waiting for delivery, in the store's database."""

    def __init__(self, store: FootprintStore, *, send: Send = post_event) -> None:
        self.store = store
        self.send = send
        self._running = threading.Lock()

    def put(
        self, request_event_id: str, client_id: str, destination: str, events: list[dict[str, Any]]
    ) -> None:
        """Keep ``events`` (the answer to ``request_event_id``) for delivery to ``destination``."""
        now = self.store.now()
        with self.store.writing() as session:
            session.add_all(outbox_rows(request_event_id, client_id, destination, events, now))

    def entries(self) -> list[Pending]:
        """Every answer in the outbox, oldest first."""
        with self.store.reading() as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.seq)).all()
            return [_pending(row) for row in rows]

    def deliver_due(self) -> int:
        """Try every pending answer whose time has come, once; return how many were tried."""
        with self._running:  # one delivery round at a time per process
            now = self.store.now()
            with self.store.reading() as session:
                due = session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.status == "pending", OutboxRow.next_at <= now)
                    .order_by(OutboxRow.next_at, OutboxRow.seq)
                ).all()
                items = [_pending(row) for row in due]
            for item in items:
                self._attempt(item)
            return len(items)

    def _attempt(self, item: Pending) -> None:
        endpoint = answer_endpoint(self.store, item.client_id, item.destination)
        try:
            if endpoint is None:
                raise DeliveryError(
                    f"no credentials for {item.destination} any more (the client's reply host "
                    "was removed)"
                )
            self.send(endpoint, self._with_known_source(item.event))
        except DeliveryError as exc:
            self._record(item, delivered=False, detail=str(exc))
            return
        self._record(item, delivered=True, detail="delivered")

    def _with_known_source(self, event: dict[str, Any]) -> dict[str, Any]:
        """A notification queued before `footprint serve` ever ran names no host; it is sent
        with the public URL known now, if any."""
        if event.get("source") != UNKNOWN_SOURCE:
            return event
        known = setting(self.store, "public_url")
        return {**event, "source": known} if known else event

    def _record(self, item: Pending, *, delivered: bool, detail: str) -> None:
        now = self.store.now()
        attempts = item.attempts + 1
        with self.store.writing() as session:
            row = session.get(OutboxRow, item.seq)
            if row is None:
                return
            row.attempts = attempts
            row.detail = detail
            if delivered:
                row.status = "delivered"
            elif now + retry_delay(attempts) - row.created_at > RETRY_FOR:
                row.status = "failed"
                row.detail = f"given up after {attempts} attempts over 72 h: {detail}"
            else:
                row.next_at = now + retry_delay(attempts)
            status = row.status if row.status != "pending" else "retrying"
            created = row.created_at
        record_delivery(
            self.store,
            item.request_event_id,
            item.client_id,
            item.event,
            delivered=delivered,
            attempts=attempts,
            detail=detail if status != "failed" else f"{detail} (given up)",
            status=status,
        )
        if not delivered:
            log.warning(
                "answer to %s, attempt %d (request of %s): %s",
                item.request_event_id,
                attempts,
                created.isoformat(timespec="seconds"),
                detail,
            )


def record_delivery(
    store: FootprintStore,
    request_event_id: str,
    client_id: str,
    event: Mapping[str, Any],
    *,
    delivered: bool,
    attempts: int,
    detail: str,
    status: str | None = None,
) -> None:
    """Keep the outcome of an attempt to send ``event`` (for ``request_event_id``).

    ``status``: ``delivered``, ``retrying`` (tried again later) or ``failed`` (given up);
    default from ``delivered``.
    """
    with store.writing() as session:
        session.add(
            DeliveryRow(
                request_event_id=request_event_id,
                client_id=client_id,
                type=str(event.get("type", "")),
                status=status or ("delivered" if delivered else "failed"),
                attempts=attempts,
                detail=detail,
                at=store.now(),
                document=copy.deepcopy(dict(event)),
            )
        )


def deliveries(store: FootprintStore) -> list[dict[str, Any]]:
    """Events sent or tried, oldest first: request id, client, type, status, attempts, detail."""
    with store.reading() as session:
        rows = session.scalars(select(DeliveryRow).order_by(DeliveryRow.seq))
        return [
            {
                "requestEventId": row.request_event_id,
                "client_id": row.client_id,
                "type": row.type,
                "status": row.status,
                "attempts": row.attempts,
                "detail": row.detail,
                "event": copy.deepcopy(row.document),
            }
            for row in rows
        ]


def same_url(a: str, b: str) -> bool:
    """Whether two base URLs name the same host (trailing slash and case aside)."""
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def answer_endpoint(store: FootprintStore, client_id: str, destination: str) -> PactHost | None:
    """The host and credentials to answer ``client_id`` at ``destination`` (a base URL).

    The client's own reply host when that is ``destination``, else a partner host registered
    with that base URL (a request's ``source`` naming a host we know); None if no credentials
    for ``destination`` are kept.
    """
    own = store.reply_endpoint(client_id)
    if own is not None and same_url(own.base_url, destination):
        return own
    return store.reply_host_at(destination)


def _pending(row: OutboxRow) -> Pending:
    return Pending(
        row.seq,
        row.request_event_id,
        row.client_id,
        row.destination,
        row.status,
        row.attempts,
        row.next_at,
        row.detail,
        copy.deepcopy(row.document),
    )


class OutboxWorker:
    """Delivers the outbox in a background thread while a host serves."""

    def __init__(self, outbox: Outbox, *, poll_s: float = POLL_S) -> None:
        self.outbox = outbox
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start delivering (answers left from before a restart included)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pact-outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Look at the outbox now (a new answer was put in)."""
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the current attempt."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.outbox.deliver_due()
            except Exception:  # the worker survives a bad round; it is logged
                log.exception("delivering PACT answers failed; trying again")
            self._wake.wait(self.poll_s)
            self._wake.clear()


# --- requests we sent, and settings ---------------------------------------------------------


def remember_request(store: FootprintStore, event: Mapping[str, Any], host: str) -> None:
    """Keep a request sent to ``host`` so that its answers are accepted."""
    with store.writing() as session:
        session.merge(
            SentRequestRow(
                event_id=str(event["id"]),
                host=host,
                sent_at=store.now(),
                document=copy.deepcopy(dict(event)),
            )
        )


def sent_request(store: FootprintStore, event_id: str) -> dict[str, Any] | None:
    """The request with this id that this host sent, or None."""
    with store.reading() as session:
        row = session.get(SentRequestRow, event_id)
        return None if row is None else {"host": row.host, "event": copy.deepcopy(row.document)}


def set_setting(store: FootprintStore, name: str, value: str) -> None:
    """Keep a setting of the host (e.g. ``public_url``)."""
    with store.writing() as session:
        session.merge(SettingRow(name=name, value=value))


def setting(store: FootprintStore, name: str) -> str | None:
    """A setting kept with :func:`set_setting`, or None."""
    with store.reading() as session:
        row = session.get(SettingRow, name)
        return None if row is None else row.value
