"""The PACT store: persistence, versioning, filters, clients, tokens and events."""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from footprint.exchange.store import FootprintStore, default_url
from footprint.exchange.store_query import (
    InvalidFilter,
    StoreError,
    parse_datetime,
    validity_period,
)
from footprint.exchange.store_sql import ACTIVE_INDEX
from tests.exchange.conftest import (
    FOOTPRINT_A,
    FOOTPRINT_B,
    FOOTPRINT_C,
    ID_A,
    ID_B,
    ID_C,
    Clock,
    footprint,
)
from tests.exchange.publish_worker import publish_rounds, version

V2 = "9b1d3c47-2e6a-4b8c-a0f1-5a6b7c8d9e04"
V3 = "0c2e4d58-3f7b-4c9d-b1a2-6b7c8d9e0f05"


def ids(docs: list[dict[str, object]]) -> list[object]:
    return [doc["id"] for doc in docs]


def test_survives_a_restart(tmp_path: Path) -> None:
    first = FootprintStore(default_url(tmp_path))  # one store object writes ...
    first.add(FOOTPRINT_A, "rebar")
    client_id, secret = first.add_client("acme")
    token = first.issue_token(client_id, 3600)
    first.record_event({"id": "e1", "source": "//x", "type": "t"})
    first.close()

    second = FootprintStore(default_url(tmp_path))  # ... a new one reads
    assert second.get(ID_A) == FOOTPRINT_A
    assert second.check_client(client_id, secret)
    assert second.check_token(token)
    assert [e["id"] for e in second.events()] == ["e1"]
    assert (tmp_path / "pact.sqlite").is_file()
    second.close()


def test_in_memory_store_is_shared_between_threads() -> None:
    store = FootprintStore("sqlite://")
    store.add(FOOTPRINT_A, "rebar")
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.extend(ids(store.list())))
    thread.start()
    thread.join()
    store.close()
    assert seen == [ID_A]


def test_add_deprecates_the_active_version_and_links_it(store: FootprintStore) -> None:
    original = footprint(FOOTPRINT_A)
    store.add(original, "rebar")
    second = store.add(footprint(FOOTPRINT_A, id=V2), "rebar")
    assert second["precedingPfIds"] == [ID_A]
    assert second["status"] == "Active"

    old = store.get(ID_A)
    assert old is not None
    assert old["status"] == "Deprecated"
    assert old == footprint(FOOTPRINT_A, status="Deprecated")  # nothing else changes (PACT v3)
    assert "statusComment" not in old
    assert original == FOOTPRINT_A  # the caller's dict is not modified

    third = store.add(footprint(FOOTPRINT_A, id=V3), "rebar")
    assert third["precedingPfIds"] == [ID_A, V2]
    assert [d["status"] for d in store.list()] == ["Deprecated", "Deprecated", "Active"]
    assert store.get(V3) == third


def test_add_leaves_other_products_alone(store: FootprintStore) -> None:
    store.add(FOOTPRINT_A, "rebar")
    added = store.add(FOOTPRINT_B, "cement")
    assert "precedingPfIds" not in added
    assert store.get(ID_A) == FOOTPRINT_A


def test_add_keeps_given_preceding_ids(store: FootprintStore) -> None:
    earlier = "11111111-2222-4333-8444-555555555555"
    store.add(FOOTPRINT_A, "rebar")
    added = store.add(footprint(FOOTPRINT_A, id=V2, precedingPfIds=[earlier]), "rebar")
    assert added["precedingPfIds"] == [earlier, ID_A]


def test_a_deprecated_footprint_does_not_deprecate_others(store: FootprintStore) -> None:
    store.add(FOOTPRINT_A, "rebar")
    store.add(footprint(FOOTPRINT_A, id=V2, status="Deprecated"), "rebar")
    assert store.list({"status": "Active"})[0]["id"] == ID_A


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "not-a-uuid"}, "id must be a UUID"),
        ({"status": "Retired"}, "status must be Active or Deprecated"),
        ({"productIds": "urn:x"}, "productIds must be a list of strings"),
    ],
)
def test_add_rejects_malformed_footprints(
    store: FootprintStore, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        store.add(footprint(FOOTPRINT_A, **changes), "rebar")


def test_add_rejects_a_stored_id_and_an_empty_key(store: FootprintStore) -> None:
    store.add(FOOTPRINT_A, "rebar")
    with pytest.raises(StoreError, match="already stored"):
        store.add(FOOTPRINT_A, "other")
    with pytest.raises(StoreError, match="product key is empty"):
        store.add(FOOTPRINT_B, "")


def test_get(filled: FootprintStore) -> None:
    assert filled.get(ID_B) == FOOTPRINT_B
    assert filled.get(ID_B.upper()) == FOOTPRINT_B
    assert filled.get("00000000-0000-0000-0000-000000000000") is None
    assert filled.get("not-a-uuid") is None


def test_list_keeps_the_stored_order_and_pages(filled: FootprintStore) -> None:
    assert ids(filled.list()) == [ID_A, ID_B, ID_C]
    assert ids(filled.list(offset=1, limit=1)) == [ID_B]
    assert ids(filled.list(offset=2, limit=5)) == [ID_C]
    assert filled.list(offset=3) == []
    assert filled.count() == 3
    assert filled.count({"status": "Active"}) == 2


def test_list_order_is_the_order_of_adding_even_within_one_clock_tick(
    store: FootprintStore,
) -> None:
    for doc in (FOOTPRINT_C, FOOTPRINT_A, FOOTPRINT_B):  # the store's test clock stands still
        store.add(doc, str(doc["id"]))
    assert ids(store.list()) == [ID_C, ID_A, ID_B]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"productId": ["urn:gtin:4012345000017"]}, [ID_A]),
        ({"productId": ["URN:PACT:EXAMPLE.COM:PRODUCT-ID:CEM-1"]}, [ID_B]),  # case-insensitive
        ({"productId": ["urn:pact:example.com:product-id:cem-1", "urn:x:y"]}, [ID_B]),
        ({"companyId": ["urn:pact:example.com:company:glass-us"]}, [ID_C]),
        (
            {
                "companyId": [
                    "urn:pact:example.com:company:steel-de",
                    "urn:pact:example.com:company:glass-us",
                ]
            },
            [ID_A, ID_C],
        ),
        ({"geography": ["DE"]}, [ID_A]),
        ({"geography": ["western europe"]}, [ID_B]),
        ({"geography": ["US-CA"]}, [ID_C]),
        ({"geography": ["US"]}, [ID_C]),  # a country matches its subdivisions (US-CA)
        ({"geography": ["CA"]}, []),  # ...not another country whose code ends one (US-CA)
        ({"geography": ["U"]}, []),
        ({"geography": ["DE", "US-CA"]}, [ID_A, ID_C]),
        ({"classification": ["urn:pact:productclassification:un-cpc:37440"]}, [ID_B]),
        ({"status": ["Active"]}, [ID_A, ID_B]),
        ({"status": ["deprecated"]}, [ID_C]),
        ({"status": ["BogusStatus"]}, []),
        # validity: A 2025-01-15..2027-12-31, B (from referencePeriodEnd) 2025-01-01..2028-01-01,
        # C 2026-01-01..2027-06-30
        ({"validOn": ["2025-01-10T00:00:00Z"]}, [ID_B]),
        ({"validOn": ["2025-01-15T00:00:00Z"]}, [ID_A, ID_B]),  # start inclusive
        ({"validOn": ["2027-12-31T00:00:00Z"]}, [ID_A, ID_B]),  # end inclusive
        ({"validOn": ["2026-06-01"]}, [ID_A, ID_B, ID_C]),
        ({"validOn": ["1900-01-01T00:00:00Z"]}, []),
        ({"validAfter": ["2025-01-14T00:00:00.000Z"]}, [ID_A, ID_C]),
        ({"validAfter": ["2025-01-15T00:00:00Z"]}, [ID_C]),  # strictly after
        ({"validAfter": ["2099-12-31T23:59:59Z"]}, []),
        ({"validBefore": ["2027-07-01T00:00:00Z"]}, [ID_C]),
        ({"validBefore": ["2028-01-01T00:00:00Z"]}, [ID_A, ID_C]),  # strictly before
        ({"validBefore": ["1900-01-01T00:00:00Z"]}, []),
        ({"validOn": ["2025-01-15T01:00:00+01:00"]}, [ID_A, ID_B]),
        ({"validOn": ["2025-01-15T01:00:00 01:00"]}, [ID_A, ID_B]),  # '+' that arrived as ' '
        # different filters: AND
        ({"status": ["Active"], "geography": ["US-CA"]}, []),
        ({"status": ["Active"], "productId": ["urn:gtin:4012345000017"]}, [ID_A]),
        ({"companyId": ["urn:bogus:company:x"], "productId": ["urn:gtin:4012345000017"]}, []),
        # empty values and spellings
        ({"classification": [""]}, [ID_A, ID_B, ID_C]),
        ({"productid": ["urn:gtin:4012345000017"]}, [ID_A]),
        ({"geography": "DE"}, [ID_A]),
    ],
)
def test_list_filters(
    filled: FootprintStore, filters: dict[str, list[str] | str], expected: list[str]
) -> None:
    assert ids(filled.list(filters)) == expected


@pytest.mark.parametrize(
    "filters",
    [
        {"validOn": ["yesterday"]},
        {"validAfter": ["2025-13-01"]},
        {"validBefore": ["1"]},
        {"colour": ["red"]},
    ],
)
def test_list_rejects_malformed_filters(
    filled: FootprintStore, filters: dict[str, list[str]]
) -> None:
    with pytest.raises(InvalidFilter):
        filled.list(filters)


def test_validity_period_defaults_to_three_years_after_the_reference_period() -> None:
    assert validity_period(FOOTPRINT_B) == (datetime(2025, 1, 1), datetime(2028, 1, 1))
    leap = footprint(FOOTPRINT_B, pcf={"referencePeriodEnd": "2024-02-29T00:00:00Z"})
    assert validity_period(leap) == (datetime(2024, 2, 29), datetime(2027, 2, 28))
    assert validity_period({"pcf": {}}) == (None, None)


def test_parse_datetime_normalizes_to_naive_utc() -> None:
    assert parse_datetime("2025-01-01T00:00:00Z") == datetime(2025, 1, 1)
    assert parse_datetime("2025-01-01T02:00:00+02:00") == datetime(2025, 1, 1)
    assert parse_datetime("2025-01-01") == datetime(2025, 1, 1)
    with pytest.raises(ValueError, match="Invalid isoformat"):
        parse_datetime("01/02/2025")


def test_client_secrets_are_stored_salted_and_hashed(store: FootprintStore, tmp_path: Path) -> None:
    client_id, secret = store.add_client("acme")
    other_id, other_secret = store.add_client("acme")
    assert client_id != other_id
    assert secret != other_secret
    assert len(secret) >= 40
    raw = (tmp_path / "data" / "pact.sqlite").read_bytes()
    assert secret.encode() not in raw
    assert other_secret.encode() not in raw
    assert b"scrypt$" in raw
    assert store.check_client(client_id, secret)
    assert not store.check_client(client_id, other_secret)
    assert not store.check_client(client_id, "")
    assert not store.check_client("nobody", secret)
    assert store.clients() == [(client_id, "acme"), (other_id, "acme")]


def test_tokens_are_opaque_hashed_and_expire(
    store: FootprintStore, clock: Clock, tmp_path: Path
) -> None:
    client_id, _ = store.add_client("acme")
    token = store.issue_token(client_id, 60)
    assert token.encode() not in (tmp_path / "data" / "pact.sqlite").read_bytes()
    assert store.check_token(token)
    assert store.token_status(token) == "valid"
    clock.now += timedelta(seconds=59)
    assert store.check_token(token)
    clock.now += timedelta(seconds=1)
    assert not store.check_token(token)
    assert store.token_status(token) == "expired"
    assert store.token_status("made-up") == "invalid"
    assert store.token_status(store.issue_token(client_id, 0)) == "expired"
    clock.now += timedelta(days=2)
    store.issue_token(client_id, 60)  # purges tokens expired long ago
    assert store.token_status(token) == "invalid"


def test_issue_token_checks_its_arguments(store: FootprintStore) -> None:
    with pytest.raises(StoreError, match="unknown client"):
        store.issue_token("nobody", 60)
    client_id, _ = store.add_client("acme")
    with pytest.raises(ValueError, match="ttl_s"):
        store.issue_token(client_id, -1)


def test_remove_client_revokes_its_tokens(store: FootprintStore) -> None:
    client_id, secret = store.add_client("acme")
    token = store.issue_token(client_id, 60)
    assert store.remove_client(client_id)
    assert not store.remove_client(client_id)
    assert not store.check_client(client_id, secret)
    assert store.token_status(token) == "invalid"


def test_events_are_recorded_once(store: FootprintStore) -> None:
    event = {"id": "1", "source": "//a/3/events", "type": "t", "data": {}}
    assert store.record_event(event)
    assert not store.record_event(dict(event))
    assert store.record_event({**event, "source": "//b/3/events"})
    assert store.events() == [event, {**event, "source": "//b/3/events"}]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("nosuchdb://x/y", "no database driver"),
        ("sqlite:////nonexistent-dir/sub/pact.sqlite", "cannot open the PACT store"),
    ],
)
def test_bad_urls_are_reported(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        FootprintStore(url)


# --- several processes at once --------------------------------------------------------------

ROOT = Path(__file__).parents[2]


def product_ids(product: str) -> dict[str, str]:
    return {"productId": f"urn:pact:example.com:product-id:{product}"}


def assert_linear_chain(docs: list[dict[str, Any]]) -> None:
    """Oldest first: only the last is Active and each version follows every earlier one, in order."""
    assert [d["status"] for d in docs] == ["Deprecated"] * (len(docs) - 1) + ["Active"]
    for n, doc in enumerate(docs):
        assert doc.get("precedingPfIds", []) == [d["id"] for d in docs[:n]]


@pytest.mark.parametrize("early_lock", [True, False], ids=["begin-immediate", "index-and-retry"])
def test_concurrent_publishers_leave_one_active_version(tmp_path: Path, early_lock: bool) -> None:
    """Two processes publish each of 20 products at the same moment (half have a version)."""
    url = default_url(tmp_path)
    products = [f"p{n}" for n in range(20)]
    store = FootprintStore(url)
    for product in products[::2]:
        store.add(version(product), product)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(target=publish_rounds, args=(url, products, barrier, early_lock))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    for n, product in enumerate(products):
        docs = store.list(product_ids(product))
        assert len(docs) == (3 if n % 2 == 0 else 2), product
        assert_linear_chain(docs)
    store.close()


def test_a_killed_publisher_leaves_a_consistent_store(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    store = FootprintStore(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    published = 0
    for _ in range(3):
        publisher = subprocess.Popen(
            [sys.executable, "-m", "tests.exchange.publish_worker", url, "rebar"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while store.count(product_ids("rebar")) == published and time.monotonic() < deadline:
            time.sleep(0.01)  # until it publishes, so that the kill lands mid-stream
        time.sleep(random.uniform(0.0, 0.2))
        publisher.kill()
        publisher.wait()
        after = store.count(product_ids("rebar"))
        assert after > published
        published = after
    docs = store.list(product_ids("rebar"))
    assert_linear_chain(docs)
    store.close()
    with closing(sqlite3.connect(tmp_path / "pact.sqlite")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_database_refuses_a_second_active_version(store: FootprintStore) -> None:
    store.add(FOOTPRINT_A, "rebar")
    with (
        closing(sqlite3.connect(store.url.removeprefix("sqlite:///"))) as db,
        pytest.raises(sqlite3.IntegrityError),
    ):
        db.execute(
            "INSERT INTO pact_footprints (id, product_key, status, stored_at, document) "
            "VALUES ('00000000000000000000000000000001', 'rebar', 'Active', '2025-01-01', '{}')"
        )


def test_an_older_store_gets_the_index_and_keeps_the_latest_active_version(
    tmp_path: Path,
) -> None:
    """A store written before the index, where two publishers both left an Active version."""
    url = default_url(tmp_path)
    store = FootprintStore(url)
    store.add(FOOTPRINT_A, "rebar")
    store.add(footprint(FOOTPRINT_A, id=V2, precedingPfIds=[]), "other")
    store.add(FOOTPRINT_B, "cement")
    store.close()
    with closing(sqlite3.connect(tmp_path / "pact.sqlite")) as db, db:
        db.execute(f"DROP INDEX {ACTIVE_INDEX}")
        db.execute("UPDATE pact_footprints SET product_key = 'rebar' WHERE product_key = 'other'")
    reopened = FootprintStore(url)
    assert [d["status"] for d in reopened.list()] == ["Deprecated", "Active", "Active"]
    assert reopened.get(ID_A) == footprint(FOOTPRINT_A, status="Deprecated")
    assert reopened.get(V2) == footprint(FOOTPRINT_A, id=V2, precedingPfIds=[])
    assert reopened.get(ID_B) == FOOTPRINT_B
    reopened.close()
    with closing(sqlite3.connect(tmp_path / "pact.sqlite")) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert ACTIVE_INDEX in names


def test_a_store_written_before_snapshots_gets_the_column(tmp_path: Path) -> None:
    data = tmp_path / "old"
    FootprintStore.in_directory(data).close()
    with sqlite3.connect(data / "pact.sqlite") as db:
        db.execute("ALTER TABLE pact_footprints DROP COLUMN deprecated_at")
    reopened = FootprintStore.in_directory(data)
    reopened.add(FOOTPRINT_A, "rebar-12mm")
    docs, following = reopened.page({"status": "Active"}, limit=1)
    assert [d["id"] for d in docs] == [FOOTPRINT_A["id"]]
    assert following is None
    reopened.close()
