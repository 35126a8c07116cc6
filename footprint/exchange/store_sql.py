"""What keeps the PACT store consistent under concurrent writers, whatever the process.

* Write transactions lock the database before they read (SQLite ``BEGIN IMMEDIATE``): pysqlite
  otherwise starts a transaction only at the first INSERT/UPDATE/DELETE, so two publishers would
  both read the same Active version and both deprecate it.
* At most one Active footprint version per product: a partial unique index on
  ``pact_footprints (product_key) WHERE status = 'Active'`` (SQLite and PostgreSQL). A publisher
  that loses a race gets an ``IntegrityError``; the store retries it, and the retry sees the
  winner's version and deprecates it. Stores written before the index are migrated when opened.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, create_engine, func, inspect, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from footprint.exchange.store_query import StoreError

#: Dialects whose partial (``WHERE``) unique indexes the store relies on.
PARTIAL_INDEX_DIALECTS = ("sqlite", "postgresql")
ACTIVE_INDEX = "uq_pact_footprints_active_product"
ACTIVE_INDEX_DDL = (
    f"CREATE UNIQUE INDEX IF NOT EXISTS {ACTIVE_INDEX} "
    "ON pact_footprints (product_key) WHERE status = 'Active'"
)
#: How often a write transaction that hit a uniqueness conflict is tried again.
ATTEMPTS = 5
_SCHEMA_LOCK_KEY = 0x70616374  # "pact": the advisory lock of schema changes (PostgreSQL)
#: Seconds an SQLite writer waits for another one to commit before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0


def lock_for_writing(connection: Connection) -> None:
    """Begin the transaction of ``connection`` as a writer (SQLite: ``BEGIN IMMEDIATE``).

    Other databases begin with the first statement and report a conflicting insert through the
    unique index, so nothing is needed there.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_schema(connection: Connection) -> None:
    """Begin the transaction that creates or migrates the tables, one process at a time.

    SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock (two processes
    opening a new store would otherwise both try to create the same tables and index).
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})")


def ensure_one_active(connection: Connection, table: Table) -> int:
    """Create the one-Active-per-product index if missing; return how many versions it deprecated.

    Stores written before the index may hold several Active versions of a product (concurrent
    publishing): all but the latest stored one become ``Deprecated`` (in the row and in the
    document, which is the only change PACT allows) before the index is created. Runs in the
    caller's transaction; a no-op on dialects without partial indexes.
    """
    if connection.dialect.name not in PARTIAL_INDEX_DIALECTS:
        return 0
    if ACTIVE_INDEX in {index["name"] for index in inspect(connection).get_indexes(table.name)}:
        return 0
    c = table.c
    duplicated = (
        select(c.product_key)
        .where(c.status == "Active")
        .group_by(c.product_key)
        .having(func.count() > 1)
    )
    rows = connection.execute(
        select(c.id, c.product_key, c.document)
        .where(c.status == "Active", c.product_key.in_(duplicated))
        .order_by(c.product_key, c.stored_at.desc(), c.id.desc())
    ).all()
    latest: set[str] = set()
    deprecated = 0
    for row_id, key, document in rows:
        if key in latest:
            doc = {**document, "status": "Deprecated"}
            connection.execute(
                update(table).where(c.id == row_id).values(status="Deprecated", document=doc)
            )
            deprecated += 1
        latest.add(key)
    connection.exec_driver_sql(ACTIVE_INDEX_DDL)
    return deprecated


def ensure_column(connection: Connection, table: Table, name: str, sql_type: str) -> bool:
    """Add the nullable column ``name`` to a table of a store written before it existed.

    Returns whether it was added. Runs in the caller's (schema-locked) transaction.
    """
    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    if name in present:
        return False
    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {sql_type}")
    return True


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite: usable from several threads, waits for other writers).

    Raises:
        StoreError: the URL is malformed or its driver is missing.
    """
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
