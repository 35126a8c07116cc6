"""Access control of the PACT host (who sees which footprints), PublishedEvent notifications,
geography by country, and the refused v2 ``$filter``."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from footprint.cli.app import app as cli
from footprint.exchange.outbox import Outbox, deliveries, set_setting
from footprint.exchange.partners import PactHost
from footprint.exchange.published import EVENT_PUBLISHED, UNKNOWN_SOURCE
from footprint.exchange.replies import EVENT_CREATED, EVENT_FULFILLED, EVENT_REJECTED, answers_for
from footprint.exchange.server import create_app
from footprint.exchange.store import FootprintStore
from footprint.exchange.store_access import EVERYTHING, access_from
from tests.exchange.conftest import (
    FOOTPRINT_A,
    FOOTPRINT_B,
    FOOTPRINT_C,
    ID_A,
    ID_B,
    ID_C,
    footprint,
    serving,
    wait_for,
)

runner = CliRunner()
REBAR = "urn:pact:example.com:product-id:rebar-12mm"  # a productId of footprint A
CEMENT = "urn:pact:example.com:product-id:cem-1"  # of footprint B
STEEL_CO = "urn:pact:example.com:company:steel-de"  # the companyId of footprint A
GLASS_CO = "urn:pact:example.com:company:glass-us"  # of footprint C
MISSING = "0b7c4a52-2f3e-4d61-9a8b-1c2d3e4f5a60"


def _api(store: FootprintStore, client_id: str, secret: str) -> TestClient:
    api = TestClient(create_app(store, deliver=False), raise_server_exceptions=False)
    got = api.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert got.status_code == 200, got.text
    api.headers["Authorization"] = f"Bearer {got.json()['access_token']}"
    return api


def _restricted(store: FootprintStore, *grants: tuple[str, str]) -> tuple[str, str]:
    client_id, secret = store.add_client("restricted", see_all=False)
    for kind, value in grants:
        store.grant(client_id, kind, value)
    return client_id, secret


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [doc["id"] for doc in response.json()["data"]]


# --- who sees what ------------------------------------------------------------------------------


def test_a_client_granted_one_product_sees_only_it(filled: FootprintStore) -> None:
    api = _api(filled, *_restricted(filled, ("product", REBAR.upper())))  # ids match any case
    assert _ids(api.get("/3/footprints")) == [ID_A]
    assert api.get(f"/3/footprints/{ID_A}").json()["data"]["id"] == ID_A
    denied = api.get(f"/3/footprints/{ID_B}")
    assert denied.status_code == 403
    assert denied.json()["code"] == "AccessDenied"
    # an id that does not exist is 404 for every client, as the spec distinguishes them
    assert api.get(f"/3/footprints/{MISSING}").status_code == 404
    assert _ids(api.get("/3/footprints", params={"productId": CEMENT})) == []


def test_company_grants_and_revoking(filled: FootprintStore) -> None:
    client_id, secret = _restricted(filled, ("company", STEEL_CO), ("company", GLASS_CO))
    api = _api(filled, client_id, secret)
    assert _ids(api.get("/3/footprints")) == [ID_A, ID_C]
    assert filled.grant(client_id, "company", GLASS_CO.upper(), revoke=True) == [
        ("company", STEEL_CO)
    ]
    assert _ids(api.get("/3/footprints")) == [ID_A]
    assert api.get(f"/3/footprints/{ID_C}").status_code == 403
    filled.grant(client_id, "all")
    assert _ids(api.get("/3/footprints")) == [ID_A, ID_B, ID_C]
    filled.grant(client_id, "all", revoke=True)  # back to what was granted one by one
    assert _ids(api.get("/3/footprints")) == [ID_A]


def test_a_client_with_no_access_sees_nothing_and_the_default_is_all(
    filled: FootprintStore,
) -> None:
    nothing = _api(filled, *filled.add_client("new", see_all=False))
    assert _ids(nothing.get("/3/footprints")) == []
    assert nothing.get(f"/3/footprints/{ID_A}").status_code == 403
    default = filled.add_client("default")
    assert filled.grants(default[0]) == [("all", "")]
    assert _ids(_api(filled, *default).get("/3/footprints")) == [ID_A, ID_B, ID_C]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    visible=st.lists(st.booleans(), min_size=1, max_size=14),
    limit=st.integers(min_value=1, max_value=5),
)
def test_a_walk_with_access_control_pages_correctly(
    store: FootprintStore, visible: list[bool], limit: int
) -> None:
    """Pages of a restricted client are full (filtered in SQL) and cover its footprints once."""
    run = uuid.uuid4().hex[:8]
    company = f"urn:pact:example.com:company:seen-{run}"
    expected = []
    for n, seen in enumerate(visible):
        pf_id = str(uuid.uuid4())
        companies = [company] if seen else [f"urn:pact:example.com:company:other-{run}"]
        store.add(footprint(FOOTPRINT_A, id=pf_id, companyIds=companies), f"{run}-{n}")
        if seen:
            expected.append(pf_id)
    access = access_from([("company", company)])
    walked: list[str] = []
    pages, cursor = 0, None
    while True:
        docs, cursor = store.page(cursor=cursor, limit=limit, access=access)
        pages += 1
        assert len(docs) == limit or cursor is None  # only the last page may be short
        walked += [doc["id"] for doc in docs]
        if cursor is None:
            break
    assert walked == expected
    assert pages == max(1, -(-len(expected) // limit))
    assert store.count(access=access) == len(expected)


def test_api_pages_of_a_restricted_client_follow_links(store: FootprintStore) -> None:
    seen = []
    for n in range(7):
        pf_id = str(uuid.UUID(int=n + 1))
        company = STEEL_CO if n % 2 == 0 else GLASS_CO
        store.add(footprint(FOOTPRINT_A, id=pf_id, companyIds=[company]), f"p{n}")
        if company == STEEL_CO:
            seen.append(pf_id)
    api = _api(store, *_restricted(store, ("company", STEEL_CO)))
    got: list[str] = []
    url: str | None = "/3/footprints?limit=3"
    while url:
        response = api.get(url)
        got += _ids(response)
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else None
    assert got == seen  # 4 footprints: a full page of 3, then 1


# --- existing stores ----------------------------------------------------------------------------


def test_clients_of_a_store_from_before_access_control_keep_seeing_everything(
    tmp_path: Path,
) -> None:
    data = tmp_path / "old"
    store = FootprintStore.in_directory(data)
    store.add(FOOTPRINT_A, "rebar")
    client_id, secret = store.add_client("old", see_all=False)
    with store.writing() as session:  # as written before the grants table existed
        session.execute(text("DROP TABLE pact_client_grants"))
    store.close()
    reopened = FootprintStore.in_directory(data)
    assert reopened.grants(client_id) == [("all", "")]
    assert _ids(_api(reopened, client_id, secret).get("/3/footprints")) == [ID_A]
    reopened.close()
    again = FootprintStore.in_directory(data)  # migrated once only
    assert again.grants(client_id) == [("all", "")]
    again.close()


# --- requests -----------------------------------------------------------------------------------


def _request(event_id: str, **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "https://buyer.example.com",
        "time": "2025-06-01T12:00:00Z",
        "type": EVENT_CREATED,
        "data": data,
    }


def test_requests_are_answered_with_what_the_client_may_see(filled: FootprintStore) -> None:
    access = access_from([("product", REBAR)])
    wide = _request("r1", companyId=[STEEL_CO, "urn:pact:example.com:company:cement-fr"])
    (answer,) = answers_for(filled, wide, "https://h", access)
    assert answer["type"] == EVENT_FULFILLED
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [ID_A]
    assert len(answers_for(filled, wide, "https://h", EVERYTHING)[0]["data"]["pfs"]) == 2
    (hidden,) = answers_for(filled, _request("r2", productId=[CEMENT]), "https://h", access)
    assert hidden["type"] == EVENT_REJECTED
    assert hidden["data"]["error"]["code"] == "NotFound"  # the same as for no such product
    (denied,) = answers_for(filled, wide, "https://h", access_from([]))
    assert denied["data"]["error"]["code"] == "AccessDenied"


def test_the_api_answers_requests_through_the_clients_access(filled: FootprintStore) -> None:
    client_id, secret = _restricted(filled, ("product", CEMENT))
    filled.set_reply_endpoint(
        client_id, PactHost("https://buyer.example.com", "https://buyer.example.com/t", "u", "s")
    )
    with _api(filled, client_id, secret) as api:
        posted = api.post(
            "/3/events",
            json=_request("r3", companyId=[STEEL_CO, "urn:pact:example.com:company:cement-fr"]),
            headers={"Content-Type": "application/cloudevents+json"},
        )
    assert posted.status_code == 200, posted.text
    answers = [e.event for e in Outbox(filled).entries() if e.request_event_id == "r3"]
    assert [pf["id"] for a in answers for pf in a["data"]["pfs"]] == [ID_B]


# --- PublishedEvent -----------------------------------------------------------------------------


def _subscriber(store: FootprintStore, base: str, *grants: tuple[str, str]) -> str:
    client_id, _ = _restricted(store, *grants)
    store.set_reply_endpoint(client_id, PactHost(base, f"{base}/auth/token", "us", "secret"))
    return client_id


def test_publishing_puts_a_published_event_in_the_outbox_for_those_who_may_see_it(
    store: FootprintStore,
) -> None:
    rebar_buyer = _subscriber(store, "https://rebar.example.com", ("product", REBAR))
    _subscriber(store, "https://cement.example.com", ("product", CEMENT))
    store.add_client("no reply host")  # sees everything, but is not subscribed
    sent: list[tuple[PactHost, dict[str, Any]]] = []
    outbox = Outbox(store, send=lambda host, event: sent.append((host, dict(event))))
    store.add(FOOTPRINT_A, "rebar")
    (entry,) = outbox.entries()
    assert (entry.client_id, entry.destination) == (rebar_buyer, "https://rebar.example.com")
    assert entry.event["type"] == EVENT_PUBLISHED
    assert entry.event["data"] == {"pfIds": [ID_A]}
    assert entry.request_event_id == entry.event["id"]
    assert outbox.deliver_due() == 1
    ((host, event),) = sent
    assert host.base_url == "https://rebar.example.com"
    assert event == entry.event
    assert [(d["client_id"], d["status"]) for d in deliveries(store)] == [
        (rebar_buyer, "delivered")
    ]
    store.add(footprint(FOOTPRINT_C, id=str(uuid.uuid4())), "glass")  # Deprecated: no event
    new_version = str(uuid.uuid4())
    store.add(footprint(FOOTPRINT_A, id=new_version), "rebar")
    events = [e.event["data"]["pfIds"] for e in outbox.entries()]
    assert events == [[ID_A], [new_version]]


def test_a_notification_queued_before_serve_ran_is_sent_with_the_public_url(
    store: FootprintStore,
) -> None:
    _subscriber(store, "https://rebar.example.com", ("product", REBAR))
    sent: list[dict[str, Any]] = []
    outbox = Outbox(store, send=lambda host, event: sent.append(dict(event)))
    store.add(FOOTPRINT_A, "rebar")  # no public URL known yet
    (entry,) = outbox.entries()
    assert entry.event["source"] == UNKNOWN_SOURCE
    set_setting(store, "public_url", "https://owner.example.com")
    assert outbox.deliver_due() == 1
    assert [e["source"] for e in sent] == ["https://owner.example.com"]
    assert {k: v for k, v in sent[0].items() if k != "source"} == {
        k: v for k, v in entry.event.items() if k != "source"
    }


@pytest.mark.slow
def test_the_serving_host_delivers_published_events_to_a_subscribers_host(
    store: FootprintStore, tmp_path: Path
) -> None:
    subscriber = FootprintStore.in_directory(tmp_path / "subscriber")
    ours_there = subscriber.add_client("supplier")  # what the subscriber gave us
    with (
        serving(subscriber, tmp_path / "subscriber-tls") as (their_base, their_cert),
        serving(store, tmp_path / "our-tls"),
    ):
        buyer, _ = store.add_client("buyer")
        store.set_reply_endpoint(
            buyer, PactHost(their_base, f"{their_base}/auth/token", *ours_there, str(their_cert))
        )
        store.add(FOOTPRINT_B, "cem-1")
        wait_for(lambda: len(subscriber.events()) == 1, "the event", seconds=30)
    (event,) = subscriber.events()
    assert event["type"] == EVENT_PUBLISHED
    assert event["data"]["pfIds"] == [ID_B]
    subscriber.close()


# --- filters ------------------------------------------------------------------------------------


def test_a_country_matches_its_subdivisions_and_v2_filter_is_not_implemented(
    filled: FootprintStore, credentials: tuple[str, str]
) -> None:
    texas = str(uuid.uuid4())
    filled.add(
        footprint(
            FOOTPRINT_B,
            id=texas,
            pcf={**FOOTPRINT_B["pcf"], "geographyCountrySubdivision": "US-TX"},
        ),
        "cem-tx",
    )
    api = _api(filled, *credentials)
    assert _ids(api.get("/3/footprints", params={"geography": "us"})) == [ID_C, texas]
    assert _ids(api.get("/3/footprints", params={"geography": "US-TX"})) == [texas]
    assert _ids(api.get("/3/footprints", params={"geography": "TX"})) == []
    refused = api.get("/3/footprints", params={"$filter": "companyName eq 'x'"})
    assert refused.status_code == 501
    assert refused.json()["code"] == "NotImplemented"


# --- CLI ----------------------------------------------------------------------------------------


def test_clients_cli_states_the_default_and_grants(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    added = runner.invoke(cli, ["clients", "add", "acme", *data])
    assert added.exit_code == 0, added.output
    assert "access: all published footprints (the default" in added.output
    closed = runner.invoke(cli, ["clients", "add", "bob", "--access", "none", *data])
    assert "access: no footprints yet" in closed.output
    granted = runner.invoke(cli, ["clients", "grant", "bob", "--product-id", REBAR, *data])
    assert granted.exit_code == 0, granted.output
    assert f"now sees footprints of product id {REBAR}" in granted.output
    assert "no published footprint names" in granted.output  # nothing published yet
    listed = runner.invoke(cli, ["clients", "list", *data])
    assert "acme\tno reply host\tsees all footprints" in listed.output
    revoked = runner.invoke(cli, ["clients", "revoke", "bob", "--product-id", REBAR, *data])
    assert "now sees no footprints" in revoked.output
    for bad, message in (
        (["clients", "grant", "bob"], "nothing to grant"),
        (["clients", "grant", "bob", "--company-id", "acme"], "'acme' is not a URN"),
        (["clients", "revoke", "nobody", "--all"], "no client 'nobody'"),
    ):
        result = runner.invoke(cli, [*bad, *data])
        assert result.exit_code == 2, result.output
        assert message in result.output
