"""The tables of the PACT store (SQLAlchemy 2 ORM rows)."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    """The tables of one PACT store."""


class FootprintRow(Base):
    __tablename__ = "pact_footprints"
    __table_args__ = (Index("ix_pact_footprints_product_status", "product_key", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_key: Mapped[str] = mapped_column(String())
    status: Mapped[str] = mapped_column(String(16))
    stored_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created: Mapped[datetime | None] = mapped_column(DateTime)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: when a newer version deprecated it (that version's ``stored_at``); None if never
    deprecated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    document: Mapped[JsonDict] = mapped_column(JSON)


class FootprintKeyRow(Base):
    """One lower-cased productId, companyId, classification or geography of a footprint."""

    __tablename__ = "pact_footprint_keys"
    __table_args__ = (Index("ix_pact_footprint_keys_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    footprint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pact_footprints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String())


class ClientRow(Base):
    __tablename__ = "pact_clients"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String())
    secret_hash: Mapped[str] = mapped_column(String())
    created: Mapped[datetime] = mapped_column(DateTime)


class GrantRow(Base):
    """What a client may see: every footprint (``all``), or those of a company or product id.

    A client without grants sees nothing. ``value`` is the id as given ("" for ``all``).
    """

    __tablename__ = "pact_client_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.client_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # all | company | product
    value: Mapped[str] = mapped_column(String())


class TokenRow(Base):
    __tablename__ = "pact_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.client_id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class EventRow(Base):
    __tablename__ = "pact_events"
    __table_args__ = (Index("ix_pact_events_source_id", "source", "event_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String())
    source: Mapped[str] = mapped_column(String())
    type: Mapped[str] = mapped_column(String())
    received_at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[JsonDict] = mapped_column(JSON)


class PactHostRow(Base):
    """Where to send the answers to a client's footprint requests (its own PACT host)."""

    __tablename__ = "pact_reply_endpoints"

    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.client_id"), primary_key=True)
    base_url: Mapped[str] = mapped_column(String())
    token_url: Mapped[str] = mapped_column(String())
    remote_client_id: Mapped[str] = mapped_column(String())
    #: encrypted (see :mod:`footprint.exchange.vault`; clear in older stores), or ""
    remote_secret: Mapped[str] = mapped_column(String())
    remote_secret_env: Mapped[str | None] = mapped_column(String(), nullable=True)
    ca_file: Mapped[str | None] = mapped_column(String(), nullable=True)


class DeliveryRow(Base):
    """An answer (RequestFulfilled/RequestRejected event) sent, or tried, to a client's host."""

    __tablename__ = "pact_deliveries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_event_id: Mapped[str] = mapped_column(String(), index=True)
    client_id: Mapped[str] = mapped_column(String())
    type: Mapped[str] = mapped_column(String())
    status: Mapped[str] = mapped_column(String(16))  # delivered | failed
    attempts: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String())
    at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[JsonDict] = mapped_column(JSON)


class OutboxRow(Base):
    """An event (an answer to a footprint request, or a PublishedEvent notification) waiting to
    be delivered, delivered, or given up."""

    __tablename__ = "pact_outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: the request answered (a notification: the event's own id)
    request_event_id: Mapped[str] = mapped_column(String(), index=True)
    client_id: Mapped[str] = mapped_column(String())
    #: base URL of the host the answer goes to
    destination: Mapped[str] = mapped_column(String())
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    detail: Mapped[str] = mapped_column(String())
    document: Mapped[JsonDict] = mapped_column(JSON)


def outbox_rows(
    request_event_id: str, client_id: str, destination: str, events: list[JsonDict], now: datetime
) -> list[OutboxRow]:
    """New pending outbox entries: ``events`` for ``client_id``'s host at ``destination``."""
    return [
        OutboxRow(
            request_event_id=request_event_id,
            client_id=client_id,
            destination=destination,
            status="pending",
            attempts=0,
            created_at=now,
            next_at=now,
            detail="waiting",
            document=copy.deepcopy(event),
        )
        for event in events
    ]


class SentRequestRow(Base):
    """A footprint request this host sent to a supplier's host (answers must name one)."""

    __tablename__ = "pact_sent_requests"

    event_id: Mapped[str] = mapped_column(String(), primary_key=True)
    host: Mapped[str] = mapped_column(String())
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[JsonDict] = mapped_column(JSON)


class SettingRow(Base):
    """A setting of the host kept with its data (e.g. the public URL ``serve`` runs at)."""

    __tablename__ = "pact_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String())
