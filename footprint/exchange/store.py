"""The database of a PACT v3 host: footprints (with versioning), clients (and what they may see),
access tokens and events.

SQLAlchemy 2 ORM; any SQLAlchemy URL works (SQLite by default, PostgreSQL with a driver such as
``psycopg``). Tables are created when a store is opened (:mod:`footprint.exchange.store_rows`);
filters and pages: :mod:`footprint.exchange.store_query`.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from footprint.exchange import auth, vault
from footprint.exchange.partners import PactHost
from footprint.exchange.published import notify_published
from footprint.exchange.store_access import (
    EVERYTHING,
    GRANT_KINDS,
    Access,
    Grants,
    access_from,
    client_grants,
    grant_all_to_existing,
)
from footprint.exchange.store_query import (
    STATUSES,
    Cursor,
    StoreError,
    doc_keys,
    doc_strings,
    filtered,
    is_uuid,
    try_datetime,
    validity_period,
)
from footprint.exchange.store_rows import (
    Base,
    ClientRow,
    EventRow,
    FootprintKeyRow,
    FootprintRow,
    GrantRow,
    OutboxRow,
    PactHostRow,
    TokenRow,
)
from footprint.exchange.store_sql import (
    ATTEMPTS,
    ensure_column,
    ensure_one_active,
    lock_for_schema,
    lock_for_writing,
    make_engine,
)
from footprint.output import private_directory, private_file

JsonDict = dict[str, Any]
JsonList = list[JsonDict]
ClientList = list[tuple[str, str]]
TokenStatus = Literal["valid", "expired", "invalid"]

DEFAULT_FILENAME = "pact.sqlite"
#: the most footprints one ListFootprints page holds (a larger ``limit`` is lowered to it)
MAX_PAGE = 1000


def default_url(data_dir: Path) -> str:
    """The default store URL: an SQLite file ``pact.sqlite`` in ``data_dir``."""
    return f"sqlite:///{(data_dir / DEFAULT_FILENAME).resolve().as_posix()}"


class FootprintStore:
    """Footprints, clients, access tokens and received events of a PACT host, in one database.

    Several processes may use one database at once: write transactions lock it before reading
    (SQLite) and a unique index keeps one Active version per product (see
    :mod:`footprint.exchange.store_sql`); older stores get the index when opened.

    Args:
        url: an SQLAlchemy URL, e.g. ``sqlite:///data/pact.sqlite`` or
            ``postgresql+psycopg://user@host/db``; see :func:`default_url`.
        clock: the current time (tests); default ``datetime.now(UTC)``.

    Raises:
        StoreError: the URL is malformed, its driver is missing, or the database cannot be opened.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.url = url
        self._clock = clock or (lambda: datetime.now(UTC))
        self._engine = make_engine(url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        # One writer at a time per process: SQLite locks the whole file anyway, and an in-memory
        # store shares a single connection between threads.
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        try:
            with self._engine.begin() as connection:
                lock_for_schema(connection)
                new_grants = not inspect(connection).has_table(GrantRow.__tablename__)
                Base.metadata.create_all(connection)
                if new_grants:  # clients from before access control keep seeing everything
                    grant_all_to_existing(connection)
                ensure_column(
                    connection,
                    Base.metadata.tables[FootprintRow.__tablename__],
                    "deprecated_at",
                    "TIMESTAMP",
                )
                ensure_one_active(connection, Base.metadata.tables[FootprintRow.__tablename__])
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(
                f"cannot open the PACT store {make_url(url).render_as_string(hide_password=True)}: "
                f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                fix="check that the directory exists and is writable, or that the database server is up",
            ) from None

    @classmethod
    def in_directory(
        cls, data_dir: Path, *, clock: Callable[[], datetime] | None = None
    ) -> FootprintStore:
        """Open (creating the directory if needed) the SQLite store ``data_dir/pact.sqlite``.

        The directory is made owner-only (0700) and the database file owner read/write (0600);
        SQLite gives its journal files the database file's mode.
        """
        private_file(private_directory(data_dir) / DEFAULT_FILENAME)
        return cls(default_url(data_dir), clock=clock)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def now(self) -> datetime:
        now = self._clock()
        return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now

    def reading(self) -> Session:
        """A session for reading (use it as a context manager)."""
        return self._sessions()

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction, committed on leaving, that holds the write lock from its start.

        Raises:
            StoreError: the database stayed locked by another writer, or cannot be written.
        """
        try:
            with self._write_lock, self._sessions.begin() as session:
                lock_for_writing(session.connection())
                yield session
        except OperationalError as exc:
            raise StoreError(
                f"cannot write to the PACT store: {exc.__class__.__name__}: "
                f"{str(exc.orig).splitlines()[0] if exc.orig else exc}",
                fix="try again; check that the database file is writable and not on a network "
                "drive that lacks file locks",
            ) from None

    # --- footprints -------------------------------------------------------------------------

    def add(self, doc: Mapping[str, Any], product_key: str) -> JsonDict:
        """Store a ProductFootprint JSON object; return it as stored.

        If ``doc`` is Active and Active footprints with the same ``product_key`` exist, they are
        marked ``Deprecated`` (only their ``status`` changes: PACT v3 forbids other changes and
        dropped ``statusComment``) and their ids (and their own ``precedingPfIds``) are added to
        the new footprint's ``precedingPfIds``. ``doc`` itself is not modified.

        Raises:
            StoreError: no UUID ``id``, a bad ``status``, an id already stored, or malformed lists.
        """
        new = copy.deepcopy(dict(doc))
        pf_id = new.get("id")
        where = f"footprint {pf_id}"
        if not is_uuid(pf_id):
            raise StoreError(f"id must be a UUID, got {pf_id!r}", where="footprint")
        if new.get("status") not in STATUSES:
            raise StoreError(
                f"status must be Active or Deprecated, got {new.get('status')!r}", where=where
            )
        if not product_key:
            raise StoreError(
                "the product key is empty", where=where, fix="pass the product's stable key"
            )
        doc_strings(new, "precedingPfIds")  # malformed lists fail before any transaction
        keys = list(doc_keys(new))
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.writing() as session:
                    return self._insert(session, copy.deepcopy(new), product_key, keys)
            except IntegrityError as exc:
                # Another writer stored an Active version of this product (or this id) first;
                # the next attempt sees it and deprecates it (or reports the id).
                if attempt >= ATTEMPTS:
                    raise StoreError(
                        f"could not store it after {ATTEMPTS} attempts: conflicting writers "
                        f"({str(exc.orig).splitlines()[0] if exc.orig else exc})",
                        where=where,
                        fix="publish again",
                    ) from None

    def _insert(
        self, session: Session, new: JsonDict, product_key: str, keys: list[tuple[str, str]]
    ) -> JsonDict:
        """Store ``new`` in the transaction of ``session``, deprecating the product's Active one."""
        pf_id = str(new["id"])
        where = f"footprint {pf_id}"
        preceding = doc_strings(new, "precedingPfIds")
        key = uuid.UUID(pf_id)
        if session.get(FootprintRow, key) is not None:
            raise StoreError(
                "a footprint with this id is already stored",
                where=where,
                fix="give every new footprint version a new id",
            )
        # Strictly increasing, so that the list order is the order of adding.
        stored_at = self.now()
        latest = session.scalar(select(func.max(FootprintRow.stored_at)))
        if latest is not None and stored_at <= latest:
            stored_at = latest + timedelta(microseconds=1)
        if new["status"] == "Active":
            previous = session.scalars(
                select(FootprintRow)
                .where(FootprintRow.product_key == product_key, FootprintRow.status == "Active")
                .order_by(FootprintRow.stored_at, FootprintRow.id)
            ).all()
            for old in previous:
                old_doc = copy.deepcopy(old.document)
                old_doc["status"] = "Deprecated"
                old.document = old_doc
                old.status = "Deprecated"
                old.deprecated_at = stored_at
                for earlier in [
                    *doc_strings(old_doc, "precedingPfIds"),
                    str(old_doc.get("id", old.id)),
                ]:
                    if earlier not in preceding and earlier != pf_id:
                        preceding.append(earlier)
            if preceding:
                new["precedingPfIds"] = preceding
        start, end = validity_period(new)
        session.add(
            FootprintRow(
                id=key,
                product_key=product_key,
                status=new["status"],
                stored_at=stored_at,
                created=try_datetime(new.get("created")),
                valid_from=start,
                valid_until=end,
                document=new,
            )
        )
        session.flush()
        session.add_all(FootprintKeyRow(footprint_id=key, kind=k, value=v) for k, v in keys)
        if new["status"] == "Active":  # subscribed clients that may see it are told
            notify_published(session, pf_id, keys, stored_at)
        return copy.deepcopy(new)

    def get(self, pf_id: str) -> JsonDict | None:
        """The footprint with this id (Active or Deprecated), or None (also for a non-UUID id)."""
        if not is_uuid(pf_id):
            return None
        with self.reading() as session:
            row = session.get(FootprintRow, uuid.UUID(pf_id))
            return copy.deepcopy(row.document) if row is not None else None

    def visible(self, pf_id: str, access: Access) -> bool:
        """Whether the footprint ``pf_id`` exists and ``access`` lets its holder see it."""
        if not is_uuid(pf_id):
            return False
        stmt = filtered(select(FootprintRow.id), None, access=access)
        with self.reading() as session:
            return session.scalar(stmt.where(FootprintRow.id == uuid.UUID(pf_id))) is not None

    def list(
        self,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        access: Access = EVERYTHING,
    ) -> JsonList:
        """Footprints matching PACT ListFootprints filters, oldest stored first.

        ``filters`` maps a filter name (see :data:`FILTER_NAMES`) to one or more values: several
        values of one filter match any (OR), different filters must all match (AND). ids,
        classifications, geographies (``pcf.geographyCountry``, ``geographyRegionOrSubregion`` or
        ``geographyCountrySubdivision``) and status match case-insensitively; ``validOn``,
        ``validAfter`` and ``validBefore`` compare with the validity period (:func:`validity_period`).
        ``access``: only the footprints a client may see (:meth:`access`).

        Raises:
            InvalidFilter: an unknown filter name or a malformed date.
        """
        stmt = filtered(select(FootprintRow.document), filters, access=access)
        stmt = stmt.order_by(FootprintRow.stored_at, FootprintRow.id).offset(max(offset, 0))
        if limit is not None:
            stmt = stmt.limit(max(limit, 0))
        with self.reading() as session:
            return [copy.deepcopy(doc) for doc in session.scalars(stmt)]

    def page(
        self,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        *,
        cursor: Cursor | None = None,
        limit: int = MAX_PAGE,
        access: Access = EVERYTHING,
    ) -> tuple[JsonList, Cursor | None]:
        """One page of a walk through the footprints matching ``filters``, and the next cursor.

        The walk sees the store as it was at its first page (keyset pagination over a snapshot):
        footprints published meanwhile are left out and versions deprecated meanwhile keep the
        status they had, so no footprint is skipped or repeated. ``limit`` is capped at
        :data:`MAX_PAGE`. The next cursor is None on the last page. ``access``: see :meth:`list`.

        Raises:
            InvalidFilter: an unknown filter name or a malformed date.
            ValueError: ``limit`` < 1.
        """
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        limit = min(limit, MAX_PAGE)
        with self.reading() as session:
            if cursor is None:
                latest = session.scalar(select(func.max(FootprintRow.stored_at)))
                if latest is None:
                    return [], None
                cursor = Cursor(latest)
            stmt = filtered(
                select(FootprintRow.stored_at, FootprintRow.id, FootprintRow.document),
                filters,
                snapshot=cursor.snapshot,
                access=access,
            )
            rows = session.execute(cursor.following(stmt).limit(limit + 1)).all()
        docs = [copy.deepcopy(doc) for _, _, doc in rows[:limit]]
        if len(rows) <= limit:
            return docs, None
        stored_at, pf_id, _ = rows[limit - 1]
        return docs, Cursor(cursor.snapshot, stored_at, pf_id)

    def count(
        self, filters: Mapping[str, str | Sequence[str]] | None = None, access: Access = EVERYTHING
    ) -> int:
        """How many footprints match ``filters`` (see :meth:`list`)."""
        stmt = filtered(select(func.count()).select_from(FootprintRow), filters, access=access)
        with self.reading() as session:
            return int(session.scalar(stmt) or 0)

    # --- clients and tokens -----------------------------------------------------------------

    def add_client(self, name: str, *, see_all: bool = True) -> tuple[str, str]:
        """Register a data recipient; return ``(client_id, secret)``. Only a salted hash is kept.

        It may see every footprint, or (``see_all=False``) none until granted (:meth:`grant`).
        """
        client_id, secret = auth.new_client_id(), auth.new_secret()
        with self.writing() as session:
            session.add(
                ClientRow(
                    client_id=client_id,
                    name=name,
                    secret_hash=auth.hash_secret(secret),
                    created=self.now(),
                )
            )
            if see_all:
                session.flush()
                session.add(GrantRow(client_id=client_id, kind="all", value=""))
        return client_id, secret

    def grant(self, client_id: str, kind: str, value: str = "", *, revoke: bool = False) -> Grants:
        """Let a client see every footprint (``kind="all"``) or those naming a company or product
        id (``"company"``/``"product"``, ``value``); with ``revoke``, take that grant back.
        Returns the client's grants after the change.

        Raises:
            StoreError: unknown client, kind, or an empty id.
        """
        if kind not in GRANT_KINDS or (kind != "all") != bool(value.strip()):
            raise StoreError(
                f"cannot grant {kind!r} {value!r}", fix="grant all, or a company or product id"
            )
        value = value.strip() if kind != "all" else ""
        with self.writing() as session:
            if session.get(ClientRow, client_id) is None:
                raise StoreError(f"unknown client {client_id!r}", fix="add it first (add_client)")
            same = select(GrantRow).where(
                GrantRow.client_id == client_id,
                GrantRow.kind == kind,
                func.lower(GrantRow.value) == value.lower(),
            )
            existing = session.scalars(same).all()
            for row in existing if revoke else []:
                session.delete(row)
            if not revoke and not existing:
                session.add(GrantRow(client_id=client_id, kind=kind, value=value))
            session.flush()
            return client_grants(session, client_id)

    def grants(self, client_id: str) -> Grants:
        """``(kind, value)`` of the client's grants (none: it sees nothing)."""
        with self.reading() as session:
            return client_grants(session, client_id)

    def access(self, client_id: str | None) -> Access:
        """What the client may see (nothing for an unknown client)."""
        return access_from(self.grants(client_id) if client_id else [])

    def clients(self) -> ClientList:
        """``(client_id, name)`` of every registered client, oldest first."""
        with self.reading() as session:
            rows = session.execute(
                select(ClientRow.client_id, ClientRow.name).order_by(ClientRow.created)
            )
            return [(client_id, name) for client_id, name in rows]

    def remove_client(self, client_id: str) -> bool:
        """Revoke a client and its access tokens, and give up the answers still waiting for it
        in the outbox (status ``failed``, detail "client removed"); False if there was no such
        client."""
        with self.writing() as session:
            row = session.get(ClientRow, client_id)
            if row is None:
                return False
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.client_id == client_id, OutboxRow.status == "pending")
                .values(status="failed", detail="given up: the client was removed")
            )
            session.execute(delete(TokenRow).where(TokenRow.client_id == client_id))
            session.execute(delete(PactHostRow).where(PactHostRow.client_id == client_id))
            session.execute(delete(GrantRow).where(GrantRow.client_id == client_id))
            session.delete(row)
            return True

    def set_reply_endpoint(self, client_id: str, endpoint: PactHost) -> None:
        """Send the answers to ``client_id``'s footprint requests to ``endpoint`` (replacing any).

        Raises:
            StoreError: unknown client.
        """
        with self.writing() as session:
            if session.get(ClientRow, client_id) is None:
                raise StoreError(f"unknown client {client_id!r}", fix="add it first (add_client)")
            session.merge(
                PactHostRow(
                    client_id=client_id,
                    base_url=endpoint.base_url,
                    token_url=endpoint.token_url,
                    remote_client_id=endpoint.client_id,
                    remote_secret=vault.seal(endpoint.secret),
                    remote_secret_env=endpoint.secret_env,
                    ca_file=endpoint.ca_file,
                )
            )

    def reply_endpoint(self, client_id: str) -> PactHost | None:
        """Where answers to ``client_id``'s requests go, if it registered a host."""
        with self.reading() as session:
            row = session.get(PactHostRow, client_id)
            if row is None:
                return None
            return PactHost(
                row.base_url,
                row.token_url,
                row.remote_client_id,
                vault.unseal(row.remote_secret),
                row.ca_file,
                row.remote_secret_env,
            )

    def reply_host_at(self, base_url: str) -> PactHost | None:
        """The reply host registered (by any client) at ``base_url`` (case and a trailing slash
        aside), or None; the first by client id when several clients share it."""
        wanted = base_url.rstrip("/").lower()
        with self.reading() as session:
            client_id = session.scalar(
                select(PactHostRow.client_id)
                .where(func.lower(func.rtrim(PactHostRow.base_url, "/")) == wanted)
                .order_by(PactHostRow.client_id)
                .limit(1)
            )
        return None if client_id is None else self.reply_endpoint(client_id)

    def token_client(self, token: str) -> str | None:
        """The client an access token was issued to (None for an unknown token)."""
        with self.reading() as session:
            row = session.get(TokenRow, auth.token_digest(token))
            return None if row is None else row.client_id

    def check_client(self, client_id: str, secret: str) -> bool:
        """Whether ``secret`` is the client's secret (constant time; as slow for unknown ids)."""
        with self.reading() as session:
            row = session.get(ClientRow, client_id)
            stored = row.secret_hash if row is not None else None
        if stored is None:
            auth.burn_verification(secret)
            return False
        return auth.verify_secret(secret, stored)

    def issue_token(self, client_id: str, ttl_s: int) -> str:
        """A new opaque access token for the client, valid ``ttl_s`` seconds (0: already expired).

        Only the token's SHA-256 digest is stored. Tokens expired for more than a day are purged.

        Raises:
            StoreError: unknown client.
            ValueError: negative ``ttl_s``.
        """
        if ttl_s < 0:
            raise ValueError(f"ttl_s must be >= 0, got {ttl_s}")
        token = auth.new_access_token()
        now = self.now()
        with self.writing() as session:
            if session.get(ClientRow, client_id) is None:
                raise StoreError(f"unknown client {client_id!r}", fix="add it first (add_client)")
            session.execute(delete(TokenRow).where(TokenRow.expires_at < now - timedelta(days=1)))
            session.add(
                TokenRow(
                    digest=auth.token_digest(token),
                    client_id=client_id,
                    issued_at=now,
                    expires_at=now + timedelta(seconds=ttl_s),
                )
            )
        return token

    def token_status(self, token: str) -> TokenStatus:
        """``"valid"``, ``"expired"`` or ``"invalid"`` (unknown, revoked or long expired)."""
        with self.reading() as session:
            row = session.get(TokenRow, auth.token_digest(token))
            if row is None:
                return "invalid"
            return "valid" if self.now() < row.expires_at else "expired"

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is a valid, unexpired access token."""
        return self.token_status(token) == "valid"

    # --- events -----------------------------------------------------------------------------

    def record_event(self, event: Mapping[str, Any]) -> bool:
        """Keep a received CloudEvent; False (and nothing stored) if its source and id were seen."""
        event_id, source = str(event.get("id", "")), str(event.get("source", ""))
        with self.writing() as session:
            seen = session.scalar(
                select(EventRow.seq)
                .where(EventRow.source == source, EventRow.event_id == event_id)
                .limit(1)
            )
            if seen is not None:
                return False
            session.add(
                EventRow(
                    event_id=event_id,
                    source=source,
                    type=str(event.get("type", "")),
                    received_at=self.now(),
                    document=copy.deepcopy(dict(event)),
                )
            )
        return True

    def events(self) -> JsonList:
        """The received events, oldest first."""
        with self.reading() as session:
            return [
                copy.deepcopy(doc)
                for doc in session.scalars(select(EventRow.document).order_by(EventRow.seq))
            ]
