"""The database of a PACT v3 host: footprints (with versioning), clients, access tokens and events.

SQLAlchemy 2 ORM; any SQLAlchemy URL works (SQLite by default, PostgreSQL with a driver such as
``psycopg``). Tables are created when a store is opened. Filters on ids, classifications and
geographies run in SQL on a lower-cased key table, so they are case-insensitive as PACT requires.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Uuid,
    and_,
    create_engine,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from footprint.errors import FootprintError
from footprint.exchange import auth, vault
from footprint.exchange.store_sql import (
    ATTEMPTS,
    SQLITE_BUSY_TIMEOUT_S,
    ensure_one_active,
    lock_for_schema,
    lock_for_writing,
)
from footprint.output import private_directory, private_file

JsonDict = dict[str, Any]
JsonList = list[JsonDict]
ClientList = list[tuple[str, str]]
TokenStatus = Literal["valid", "expired", "invalid"]

DEFAULT_FILENAME = "pact.sqlite"
STATUSES = ("Active", "Deprecated")
#: The ListFootprints filters of PACT v3, in their canonical spelling.
FILTER_NAMES = (
    "productId",
    "companyId",
    "geography",
    "classification",
    "validOn",
    "validAfter",
    "validBefore",
    "status",
)
_KEY_KINDS = {
    "productId": "product",
    "companyId": "company",
    "classification": "class",
    "geography": "geo",
}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# A '+' of a UTC offset that arrived URL-unencoded is decoded as a space: "...T00:00:00 01:00".
_SPACE_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class StoreError(FootprintError):
    """A footprint, client or event cannot be stored, or the database cannot be opened."""


class InvalidFilter(ValueError):
    """A ListFootprints filter is unknown or its value is syntactically wrong (e.g. not a date)."""


def is_uuid(text: object) -> bool:
    """Whether ``text`` is a UUID string in the canonical 8-4-4-4-12 hex form."""
    return isinstance(text, str) and _UUID.fullmatch(text) is not None


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 / RFC 3339 date-time (or date) to naive UTC; naive input counts as UTC.

    Raises:
        ValueError: not a date-time.
    """
    value = text.strip()
    value = _SPACE_OFFSET.sub(r"\1+\2", value)
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def default_url(data_dir: Path) -> str:
    """The default store URL: an SQLite file ``pact.sqlite`` in ``data_dir``."""
    return f"sqlite:///{(data_dir / DEFAULT_FILENAME).resolve().as_posix()}"


class _Base(DeclarativeBase):
    pass


class _FootprintRow(_Base):
    __tablename__ = "pact_footprints"
    __table_args__ = (Index("ix_pact_footprints_product_status", "product_key", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_key: Mapped[str] = mapped_column(String())
    status: Mapped[str] = mapped_column(String(16))
    stored_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created: Mapped[datetime | None] = mapped_column(DateTime)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    document: Mapped[JsonDict] = mapped_column(JSON)


class _FootprintKeyRow(_Base):
    """One lower-cased productId, companyId, classification or geography of a footprint."""

    __tablename__ = "pact_footprint_keys"
    __table_args__ = (Index("ix_pact_footprint_keys_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    footprint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pact_footprints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String())


class _ClientRow(_Base):
    __tablename__ = "pact_clients"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String())
    secret_hash: Mapped[str] = mapped_column(String())
    created: Mapped[datetime] = mapped_column(DateTime)


class _TokenRow(_Base):
    __tablename__ = "pact_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("pact_clients.client_id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class _EventRow(_Base):
    __tablename__ = "pact_events"
    __table_args__ = (Index("ix_pact_events_source_id", "source", "event_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String())
    source: Mapped[str] = mapped_column(String())
    type: Mapped[str] = mapped_column(String())
    received_at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[JsonDict] = mapped_column(JSON)


class _PactHostRow(_Base):
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


class _DeliveryRow(_Base):
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


@dataclass(frozen=True)
class PactHost:
    """Another company's PACT host: its base URL, token endpoint and our credentials there."""

    base_url: str
    token_url: str
    client_id: str
    secret: str  # "" when ``secret_env`` names the environment variable holding it
    ca_file: str | None = None
    secret_env: str | None = None

    def resolved_secret(self) -> str:
        """The secret, read from ``secret_env`` at the time of use when one is named.

        Raises:
            KeyError: the environment variable is not set.
        """
        if self.secret_env:
            return os.environ[self.secret_env]
        return self.secret


@dataclass
class _Criteria:
    keys: dict[str, list[str]] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    valid_on: list[datetime] = field(default_factory=list)
    valid_after: list[datetime] = field(default_factory=list)
    valid_before: list[datetime] = field(default_factory=list)


def parse_filters(filters: Mapping[str, str | Sequence[str]] | None) -> _Criteria:
    """Check ListFootprints filters (name -> values; names case-insensitive; empty values ignored).

    Raises:
        InvalidFilter: an unknown filter name, or a date that is not a date.
    """
    canonical = {name.lower(): name for name in FILTER_NAMES}
    criteria = _Criteria()
    for raw_name, raw_values in (filters or {}).items():
        name = canonical.get(raw_name.lower())
        if name is None:
            raise InvalidFilter(f"unknown filter {raw_name!r}; known: {', '.join(FILTER_NAMES)}")
        values = [raw_values] if isinstance(raw_values, str) else list(raw_values)
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        if name in _KEY_KINDS:
            criteria.keys.setdefault(_KEY_KINDS[name], []).extend(v.lower() for v in values)
        elif name == "status":
            criteria.statuses.extend(v.lower() for v in values)
        else:
            try:
                dates = [parse_datetime(v) for v in values]
            except ValueError:
                raise InvalidFilter(
                    f"{name} must be an ISO 8601 date-time, got {values!r}"
                ) from None
            if name == "validOn":
                criteria.valid_on.extend(dates)
            elif name == "validAfter":
                criteria.valid_after.extend(dates)
            else:
                criteria.valid_before.extend(dates)
    return criteria


def _try_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _plus_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def validity_period(doc: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The validity period (naive UTC): the stated one, else ``referencePeriodEnd`` + 3 years."""
    pcf = doc.get("pcf")
    reference_end = (
        _try_datetime(pcf.get("referencePeriodEnd")) if isinstance(pcf, Mapping) else None
    )
    start = _try_datetime(doc.get("validityPeriodStart")) or reference_end
    end = _try_datetime(doc.get("validityPeriodEnd"))
    if end is None and reference_end is not None:
        end = _plus_years(reference_end, 3)
    return start, end


def _strings(doc: Mapping[str, Any], name: str) -> list[str]:
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoreError(
            f"{name} must be a list of strings, got {value!r}", where=f"footprint {doc.get('id')}"
        )
    return list(value)


def _keys(doc: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name, kind in (
        ("productIds", "product"),
        ("companyIds", "company"),
        ("productClassifications", "class"),
    ):
        for value in dict.fromkeys(v.lower() for v in _strings(doc, name)):
            yield kind, value
    pcf = doc.get("pcf")
    if isinstance(pcf, Mapping):
        geos = (
            pcf.get(n)
            for n in (
                "geographyCountry",
                "geographyRegionOrSubregion",
                "geographyCountrySubdivision",
            )
        )
        for value in dict.fromkeys(g.lower() for g in geos if isinstance(g, str) and g):
            yield "geo", value


def _make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            args: dict[str, Any] = {"check_same_thread": False}
            if parsed.database in (None, "", ":memory:"):
                return create_engine(url, poolclass=StaticPool, connect_args=args)
            args["timeout"] = SQLITE_BUSY_TIMEOUT_S
            return create_engine(url, connect_args=args)
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"no database driver for {url.split(':', 1)[0]!r} ({exc})",
            fix="install the driver, e.g. pip install psycopg for postgresql+psycopg://",
        ) from None
    except ArgumentError as exc:
        raise StoreError(
            f"not a database URL: {url!r} ({exc})", fix="use e.g. sqlite:///path/pact.sqlite"
        ) from None


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
        self._engine = _make_engine(url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        # One writer at a time per process: SQLite locks the whole file anyway, and an in-memory
        # store shares a single connection between threads.
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        try:
            with self._engine.begin() as connection:
                lock_for_schema(connection)
                _Base.metadata.create_all(connection)
                ensure_one_active(connection, _Base.metadata.tables[_FootprintRow.__tablename__])
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

    def _now(self) -> datetime:
        now = self._clock()
        return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
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
        _strings(new, "precedingPfIds")  # malformed lists fail before any transaction
        keys = list(_keys(new))
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._writing() as session:
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
        preceding = _strings(new, "precedingPfIds")
        key = uuid.UUID(pf_id)
        if session.get(_FootprintRow, key) is not None:
            raise StoreError(
                "a footprint with this id is already stored",
                where=where,
                fix="give every new footprint version a new id",
            )
        if new["status"] == "Active":
            previous = session.scalars(
                select(_FootprintRow)
                .where(_FootprintRow.product_key == product_key, _FootprintRow.status == "Active")
                .order_by(_FootprintRow.stored_at, _FootprintRow.id)
            ).all()
            for old in previous:
                old_doc = copy.deepcopy(old.document)
                old_doc["status"] = "Deprecated"
                old.document = old_doc
                old.status = "Deprecated"
                for earlier in [
                    *_strings(old_doc, "precedingPfIds"),
                    str(old_doc.get("id", old.id)),
                ]:
                    if earlier not in preceding and earlier != pf_id:
                        preceding.append(earlier)
            if preceding:
                new["precedingPfIds"] = preceding
        start, end = validity_period(new)
        # Strictly increasing, so that the list order is the order of adding.
        stored_at = self._now()
        latest = session.scalar(select(func.max(_FootprintRow.stored_at)))
        if latest is not None and stored_at <= latest:
            stored_at = latest + timedelta(microseconds=1)
        session.add(
            _FootprintRow(
                id=key,
                product_key=product_key,
                status=new["status"],
                stored_at=stored_at,
                created=_try_datetime(new.get("created")),
                valid_from=start,
                valid_until=end,
                document=new,
            )
        )
        session.flush()
        session.add_all(_FootprintKeyRow(footprint_id=key, kind=k, value=v) for k, v in keys)
        return copy.deepcopy(new)

    def get(self, pf_id: str) -> JsonDict | None:
        """The footprint with this id (Active or Deprecated), or None (also for a non-UUID id)."""
        if not is_uuid(pf_id):
            return None
        with self._sessions() as session:
            row = session.get(_FootprintRow, uuid.UUID(pf_id))
            return copy.deepcopy(row.document) if row is not None else None

    def _filtered(
        self, stmt: Select[Any], filters: Mapping[str, str | Sequence[str]] | None
    ) -> Select[Any]:
        criteria = parse_filters(filters)
        row = _FootprintRow
        for kind, values in criteria.keys.items():
            matching = select(_FootprintKeyRow.footprint_id).where(
                _FootprintKeyRow.kind == kind, _FootprintKeyRow.value.in_(values)
            )
            stmt = stmt.where(row.id.in_(matching))
        if criteria.statuses:
            stmt = stmt.where(func.lower(row.status).in_(criteria.statuses))
        if criteria.valid_on:
            stmt = stmt.where(
                or_(*(and_(row.valid_from <= d, row.valid_until >= d) for d in criteria.valid_on))
            )
        if criteria.valid_after:
            stmt = stmt.where(or_(*(row.valid_from > d for d in criteria.valid_after)))
        if criteria.valid_before:
            stmt = stmt.where(or_(*(row.valid_until < d for d in criteria.valid_before)))
        return stmt

    def list(
        self,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> JsonList:
        """Footprints matching PACT ListFootprints filters, oldest stored first.

        ``filters`` maps a filter name (see :data:`FILTER_NAMES`) to one or more values: several
        values of one filter match any (OR), different filters must all match (AND). ids,
        classifications, geographies (``pcf.geographyCountry``, ``geographyRegionOrSubregion`` or
        ``geographyCountrySubdivision``) and status match case-insensitively; ``validOn``,
        ``validAfter`` and ``validBefore`` compare with the validity period (:func:`validity_period`).

        Raises:
            InvalidFilter: an unknown filter name or a malformed date.
        """
        stmt = self._filtered(select(_FootprintRow.document), filters)
        stmt = stmt.order_by(_FootprintRow.stored_at, _FootprintRow.id).offset(max(offset, 0))
        if limit is not None:
            stmt = stmt.limit(max(limit, 0))
        with self._sessions() as session:
            return [copy.deepcopy(doc) for doc in session.scalars(stmt)]

    def count(self, filters: Mapping[str, str | Sequence[str]] | None = None) -> int:
        """How many footprints match ``filters`` (see :meth:`list`)."""
        stmt = self._filtered(select(func.count()).select_from(_FootprintRow), filters)
        with self._sessions() as session:
            return int(session.scalar(stmt) or 0)

    # --- clients and tokens -----------------------------------------------------------------

    def add_client(self, name: str) -> tuple[str, str]:
        """Register a data recipient; return ``(client_id, secret)``. Only a salted hash is kept."""
        client_id, secret = auth.new_client_id(), auth.new_secret()
        with self._writing() as session:
            session.add(
                _ClientRow(
                    client_id=client_id,
                    name=name,
                    secret_hash=auth.hash_secret(secret),
                    created=self._now(),
                )
            )
        return client_id, secret

    def clients(self) -> ClientList:
        """``(client_id, name)`` of every registered client, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(_ClientRow.client_id, _ClientRow.name).order_by(_ClientRow.created)
            )
            return [(client_id, name) for client_id, name in rows]

    def remove_client(self, client_id: str) -> bool:
        """Revoke a client and its access tokens; False if there was no such client."""
        with self._writing() as session:
            row = session.get(_ClientRow, client_id)
            if row is None:
                return False
            session.execute(delete(_TokenRow).where(_TokenRow.client_id == client_id))
            session.execute(delete(_PactHostRow).where(_PactHostRow.client_id == client_id))
            session.delete(row)
            return True

    def set_reply_endpoint(self, client_id: str, endpoint: PactHost) -> None:
        """Send the answers to ``client_id``'s footprint requests to ``endpoint`` (replacing any).

        Raises:
            StoreError: unknown client.
        """
        with self._writing() as session:
            if session.get(_ClientRow, client_id) is None:
                raise StoreError(f"unknown client {client_id!r}", fix="add it first (add_client)")
            session.merge(
                _PactHostRow(
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
        with self._sessions() as session:
            row = session.get(_PactHostRow, client_id)
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

    def token_client(self, token: str) -> str | None:
        """The client an access token was issued to (None for an unknown token)."""
        with self._sessions() as session:
            row = session.get(_TokenRow, auth.token_digest(token))
            return None if row is None else row.client_id

    def record_delivery(
        self,
        request_event_id: str,
        client_id: str,
        event: Mapping[str, Any],
        *,
        delivered: bool,
        attempts: int,
        detail: str,
    ) -> None:
        """Keep the outcome of sending ``event`` (the answer to ``request_event_id``)."""
        with self._writing() as session:
            session.add(
                _DeliveryRow(
                    request_event_id=request_event_id,
                    client_id=client_id,
                    type=str(event.get("type", "")),
                    status="delivered" if delivered else "failed",
                    attempts=attempts,
                    detail=detail,
                    at=self._now(),
                    document=copy.deepcopy(dict(event)),
                )
            )

    def deliveries(self) -> JsonList:
        """Answers sent or tried, oldest first: request id, client, type, status, attempts, detail."""
        with self._sessions() as session:
            rows = session.scalars(select(_DeliveryRow).order_by(_DeliveryRow.seq))
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

    def check_client(self, client_id: str, secret: str) -> bool:
        """Whether ``secret`` is the client's secret (constant time; as slow for unknown ids)."""
        with self._sessions() as session:
            row = session.get(_ClientRow, client_id)
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
        now = self._now()
        with self._writing() as session:
            if session.get(_ClientRow, client_id) is None:
                raise StoreError(f"unknown client {client_id!r}", fix="add it first (add_client)")
            session.execute(delete(_TokenRow).where(_TokenRow.expires_at < now - timedelta(days=1)))
            session.add(
                _TokenRow(
                    digest=auth.token_digest(token),
                    client_id=client_id,
                    issued_at=now,
                    expires_at=now + timedelta(seconds=ttl_s),
                )
            )
        return token

    def token_status(self, token: str) -> TokenStatus:
        """``"valid"``, ``"expired"`` or ``"invalid"`` (unknown, revoked or long expired)."""
        with self._sessions() as session:
            row = session.get(_TokenRow, auth.token_digest(token))
            if row is None:
                return "invalid"
            return "valid" if self._now() < row.expires_at else "expired"

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is a valid, unexpired access token."""
        return self.token_status(token) == "valid"

    # --- events -----------------------------------------------------------------------------

    def record_event(self, event: Mapping[str, Any]) -> bool:
        """Keep a received CloudEvent; False (and nothing stored) if its source and id were seen."""
        event_id, source = str(event.get("id", "")), str(event.get("source", ""))
        with self._writing() as session:
            seen = session.scalar(
                select(_EventRow.seq)
                .where(_EventRow.source == source, _EventRow.event_id == event_id)
                .limit(1)
            )
            if seen is not None:
                return False
            session.add(
                _EventRow(
                    event_id=event_id,
                    source=source,
                    type=str(event.get("type", "")),
                    received_at=self._now(),
                    document=copy.deepcopy(dict(event)),
                )
            )
        return True

    def received_footprints(self) -> tuple[JsonList, JsonList]:
        """Footprints received in RequestFulfilledEvents (the latest copy of each id), and the
        RequestRejectedEvents' data (request id and error), oldest first."""
        footprints: dict[str, JsonDict] = {}
        rejected: JsonList = []
        for event in self.events():
            kind = str(event.get("type", ""))
            data = event.get("data") or {}
            if kind.startswith("org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent"):
                for pf in data.get("pfs") or []:
                    footprints.pop(str(pf.get("id")), None)
                    footprints[str(pf.get("id"))] = pf
            elif kind.startswith("org.wbcsd.pact.ProductFootprint.RequestRejectedEvent"):
                rejected.append(copy.deepcopy(data))
        return list(footprints.values()), rejected

    def events(self) -> JsonList:
        """The received events, oldest first."""
        with self._sessions() as session:
            return [
                copy.deepcopy(doc)
                for doc in session.scalars(select(_EventRow.document).order_by(_EventRow.seq))
            ]
