"""Footprint requests answered on the requester's own PACT host, between two real servers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from footprint.cli.app import app as cli
from footprint.exchange.outbox import RETRY_FOR, Outbox, deliveries, remember_request, retry_delay
from footprint.exchange.partners import PactHost
from footprint.exchange.replies import (
    EVENT_CREATED,
    EVENT_FULFILLED,
    EVENT_REJECTED,
    MAX_FOOTPRINTS,
    DeliveryError,
    answers_for,
)
from footprint.exchange.requesting import received_footprints
from footprint.exchange.server import create_app
from footprint.exchange.store import FootprintStore
from tests.exchange.conftest import (
    FOOTPRINT_A,
    ID_A,
    ID_B,
    Clock,
    footprint,
    serving,
    wait_for,
)

REBAR = "urn:gtin:4012345000017"  # a productId of footprint A


def request(event_id: str, **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "https://buyer.example.com",
        "time": "2025-06-01T10:30:00Z",
        "type": EVENT_CREATED,
        "data": data,
    }


def test_answer_holds_the_matching_footprints(filled: FootprintStore) -> None:
    (answer,) = answers_for(filled, request("r1", productId=[REBAR]), "https://host.example.com")
    assert answer["type"] == EVENT_FULFILLED
    assert answer["source"] == "https://host.example.com"
    assert answer["data"]["requestEventId"] == "r1"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [ID_A]
    (cement,) = answers_for(filled, request("r2", geography=["Western Europe"]), "https://h")
    assert [pf["id"] for pf in cement["data"]["pfs"]] == [ID_B]


@pytest.mark.parametrize("data", [{"productId": ["urn:null"]}, {"comment": "anything?"}])
def test_nothing_matching_is_rejected(filled: FootprintStore, data: dict[str, Any]) -> None:
    (answer,) = answers_for(filled, request("r3", **data), "https://host.example.com")
    assert answer["type"] == EVENT_REJECTED
    assert answer["data"]["requestEventId"] == "r3"
    assert answer["data"]["error"]["code"] == "NotFound"


def test_every_match_is_answered_in_events_of_at_most_a_hundred(store: FootprintStore) -> None:
    count = 2 * MAX_FOOTPRINTS + 1
    for n in range(count):
        doc = footprint(FOOTPRINT_A, id=str(uuid.UUID(int=n + 1)))
        store.add(doc, f"rebar-{n}")
    answers = answers_for(store, request("r4", productId=[REBAR]), "https://h")
    assert [len(a["data"]["pfs"]) for a in answers] == [MAX_FOOTPRINTS, MAX_FOOTPRINTS, 1]
    sent = [pf["id"] for a in answers for pf in a["data"]["pfs"]]
    assert len(set(sent)) == count
    assert {a["data"]["requestEventId"] for a in answers} == {"r4"}
    assert len({a["id"] for a in answers}) == 3


@pytest.fixture
def recipient(tmp_path: Path) -> Iterator[tuple[FootprintStore, str, Path, tuple[str, str]]]:
    """The requester's own PACT host (a real HTTPS server): store, URL, cert, our credentials."""
    store = FootprintStore.in_directory(tmp_path / "recipient")
    credentials = store.add_client("host that answers")
    with serving(store, tmp_path / "recipient-tls") as (base, cert):
        yield store, base, cert, credentials
    store.close()


def _host_with_buyer(filled: FootprintStore, endpoint: PactHost | None) -> tuple[TestClient, str]:
    """The data owner's API (answers kept in the outbox, delivered by the test) and a buyer."""
    buyer, secret = filled.add_client("buyer")
    if endpoint is not None:
        filled.set_reply_endpoint(buyer, endpoint)
    client = TestClient(create_app(filled, deliver=False), raise_server_exceptions=False)
    token = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(buyer, secret)
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client, buyer


def _post(client: TestClient, event: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post(
        "/3/events", json=event, headers={"Content-Type": "application/cloudevents+json"}
    )
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


@pytest.mark.slow
def test_requests_are_answered_on_the_requesters_host(
    filled: FootprintStore, recipient: tuple[FootprintStore, str, Path, tuple[str, str]]
) -> None:
    store_b, base, cert, (cid, secret) = recipient
    endpoint = PactHost(base, f"{base}/auth/token", cid, secret, str(cert))
    client, buyer = _host_with_buyer(filled, endpoint)
    for wanted in ("want-rebar", "want-nothing"):  # the buyer's host knows what it asked
        remember_request(store_b, request(wanted), "https://owner.example")
    with client:
        _post(client, request("want-rebar", productId=[REBAR]))
        _post(client, request("want-nothing", productId=["urn:null"]))
        _post(client, request("want-rebar", productId=[REBAR]))  # a repeat is not answered again
    assert Outbox(filled).deliver_due() == 2
    assert Outbox(filled).deliver_due() == 0
    received = {e["data"]["requestEventId"]: e for e in store_b.events()}
    assert set(received) == {"want-rebar", "want-nothing"}
    fulfilled, rejected = received["want-rebar"], received["want-nothing"]
    assert fulfilled["type"] == EVENT_FULFILLED
    assert [pf["id"] for pf in fulfilled["data"]["pfs"]] == [ID_A]
    assert fulfilled["source"].startswith("http")  # the answering host's base URL
    assert rejected["type"] == EVENT_REJECTED
    assert rejected["data"]["error"]["code"] == "NotFound"
    outcomes = [(d["requestEventId"], d["status"], d["attempts"]) for d in deliveries(filled)]
    assert outcomes == [("want-rebar", "delivered", 1), ("want-nothing", "delivered", 1)]
    assert {d["client_id"] for d in deliveries(filled)} == {buyer}


def test_a_request_with_nowhere_to_answer_is_refused_at_once(filled: FootprintStore) -> None:
    client, _ = _host_with_buyer(filled, None)
    with client:
        refused = _post(client, request("r8", productId=[REBAR]) | {"source": "urn:x"}, 400)
    assert refused["code"] == "BadRequest"
    assert "footprint clients reply" in refused["message"]
    assert filled.events() == []
    assert Outbox(filled).entries() == []


@pytest.mark.parametrize(
    "source",
    [
        "http://127.0.0.1:9",  # the conformance tester's offline callback
        "http://127.10.0.1:8080/",
        "http://[::1]:9",
        "http://localhost:9",
        "HTTP://LocalHost.",
    ],
)
def test_a_plain_http_source_on_the_loopback_is_answered_there(
    filled: FootprintStore, source: str
) -> None:
    client, buyer = _host_with_buyer(filled, None)
    with client:
        _post(client, request("r10", productId=[REBAR]) | {"source": source})
    (entry,) = Outbox(filled).entries()
    assert (entry.status, entry.client_id, entry.request_event_id) == ("pending", buyer, "r10")
    assert entry.destination == source.rstrip("/")
    assert entry.event["type"] == EVENT_FULFILLED


@pytest.mark.parametrize(
    "source",
    [
        "http://example.org",
        "http://example.org/3/events",
        "http://10.0.0.1:9",
        "http://0.0.0.0:9",
        "http://127.0.0.1.example.org",
        "http://localhost.example.org",
        "http://[::2]:9",
    ],
)
def test_a_plain_http_source_elsewhere_is_refused_at_once(
    filled: FootprintStore, source: str
) -> None:
    client, _ = _host_with_buyer(filled, None)
    with client:
        refused = _post(client, request("r11", productId=[REBAR]) | {"source": source}, 400)
    assert refused["code"] == "BadRequest"
    assert source in refused["message"]
    assert "https" in refused["message"]
    assert "reply host" in refused["message"]
    assert filled.events() == []
    assert Outbox(filled).entries() == []


def test_a_plain_http_source_is_fine_when_the_client_has_a_reply_host(
    filled: FootprintStore,
) -> None:
    endpoint = PactHost(
        "https://buyer.example.com", "https://buyer.example.com/auth/token", "c", "s"
    )
    client, _ = _host_with_buyer(filled, endpoint)
    with client:
        _post(client, request("r12", productId=[REBAR]) | {"source": "http://example.org"})
    (entry,) = Outbox(filled).entries()
    assert entry.destination == "https://buyer.example.com"


def test_an_answer_to_an_unknown_source_host_waits_for_its_credentials(
    filled: FootprintStore,
) -> None:
    client, buyer = _host_with_buyer(filled, None)
    with client:
        _post(client, request("r9", productId=[REBAR]))  # source: https://buyer.example.com
    outbox = Outbox(filled)
    assert outbox.deliver_due() == 1
    (entry,) = outbox.entries()
    assert (entry.status, entry.attempts, entry.client_id) == ("pending", 1, buyer)
    assert entry.destination == "https://buyer.example.com"
    assert "no credentials for https://buyer.example.com" in entry.detail
    (attempt,) = deliveries(filled)
    assert attempt["status"] == "retrying"


def test_failed_answers_are_retried_with_back_off_for_72_hours(
    filled: FootprintStore, clock: Clock
) -> None:
    sent: list[str] = []

    def unreachable(host: PactHost, event: Any) -> None:
        sent.append(host.base_url)
        raise DeliveryError("ConnectError: refused")

    buyer, _ = filled.add_client("buyer")
    filled.set_reply_endpoint(buyer, PactHost("https://b.example", "https://b.example/t", "u", "p"))
    outbox = Outbox(filled, send=unreachable)
    outbox.put("r10", buyer, "https://b.example", answers_for(filled, request("r10"), "https://h"))
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0  # not yet due
    clock.now += retry_delay(1)
    assert outbox.deliver_due() == 1
    (entry,) = outbox.entries()
    assert (entry.status, entry.attempts) == ("pending", 2)
    while outbox.entries()[0].status == "pending":
        clock.now = outbox.entries()[0].next_at.replace(tzinfo=clock.now.tzinfo)
        outbox.deliver_due()
    (entry,) = outbox.entries()
    assert entry.status == "failed"
    assert "given up" in entry.detail
    assert retry_delay(entry.attempts - 1) <= RETRY_FOR
    statuses = [d["status"] for d in deliveries(filled)]
    assert statuses == ["retrying"] * (entry.attempts - 1) + ["failed"]
    assert len(sent) == entry.attempts
    assert retry_delay(1) < retry_delay(2) < retry_delay(30) == retry_delay(40)


def test_removing_a_client_gives_up_its_waiting_answers(filled: FootprintStore) -> None:
    sent: list[Any] = []
    buyer, _ = filled.add_client("buyer")
    other, _ = filled.add_client("other buyer")
    outbox = Outbox(filled, send=lambda host, event: sent.append(event))
    for client_id, event_id in ((buyer, "r12"), (other, "r13")):
        filled.set_reply_endpoint(
            client_id, PactHost("https://b.example", "https://b.example/t", "u", "p")
        )
        outbox.put(
            event_id,
            client_id,
            "https://b.example",
            answers_for(filled, request(event_id), "https://h"),
        )
    assert filled.remove_client(buyer)
    assert outbox.deliver_due() == 1  # only the remaining client's answer is tried
    assert [e["data"]["requestEventId"] for e in sent] == ["r13"]
    given_up = {e.request_event_id: (e.status, e.detail) for e in outbox.entries()}
    assert given_up["r12"] == ("failed", "given up: the client was removed")
    assert given_up["r13"][0] == "delivered"


def test_answers_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    first = FootprintStore.in_directory(tmp_path / "data", clock=clock)
    first.add(FOOTPRINT_A, "rebar-12mm")
    buyer, _ = first.add_client("buyer")
    Outbox(first).put(
        "r11",
        buyer,
        "https://b.example",
        answers_for(first, request("r11", productId=[REBAR]), "https://h"),
    )
    first.close()
    delivered: list[Any] = []
    again = FootprintStore.in_directory(tmp_path / "data", clock=clock)
    again.set_reply_endpoint(buyer, PactHost("https://b.example", "https://b.example/t", "u", "p"))
    assert Outbox(again, send=lambda host, event: delivered.append(event)).deliver_due() == 1
    assert [e["data"]["requestEventId"] for e in delivered] == ["r11"]
    assert Outbox(again).entries()[0].status == "delivered"
    again.close()


@pytest.mark.slow
def test_an_unreachable_host_is_retried_then_recorded(
    filled: FootprintStore, recipient: tuple[FootprintStore, str, Path, tuple[str, str]]
) -> None:
    store_b, base, cert, (cid, _) = recipient
    buyer, _ = filled.add_client("buyer")
    filled.set_reply_endpoint(
        buyer, PactHost(base, f"{base}/auth/token", cid, "wrong secret", str(cert))
    )
    outbox = Outbox(filled)
    outbox.put(
        "r10", buyer, base, answers_for(filled, request("r10", productId=[REBAR]), "https://h")
    )
    outbox.deliver_due()
    (delivery,) = deliveries(filled)
    assert (delivery["status"], delivery["attempts"]) == ("retrying", 1)
    assert "401" in delivery["detail"]
    assert store_b.events() == []


@pytest.mark.slow
def test_a_secret_named_by_environment_variable_is_read_when_answering(
    filled: FootprintStore,
    recipient: tuple[FootprintStore, str, Path, tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
) -> None:
    store_b, base, cert, (cid, secret) = recipient
    buyer, _ = filled.add_client("buyer")
    host = PactHost(base, f"{base}/auth/token", cid, "", str(cert), "PARTNER_SECRET")
    filled.set_reply_endpoint(buyer, host)
    assert filled.reply_endpoint(buyer) == host  # the store holds the name, not the secret
    remember_request(store_b, request("r12"), "https://owner.example")
    monkeypatch.delenv("PARTNER_SECRET", raising=False)
    outbox = Outbox(filled)
    outbox.put(
        "r12", buyer, base, answers_for(filled, request("r12", productId=[REBAR]), "https://h")
    )
    outbox.deliver_due()
    monkeypatch.setenv("PARTNER_SECRET", secret)
    clock.now += retry_delay(1)
    outbox.deliver_due()
    first, second = deliveries(filled)
    assert (first["status"], second["status"]) == ("retrying", "delivered")
    assert "PARTNER_SECRET" in first["detail"]
    assert [e["data"]["requestEventId"] for e in store_b.events()] == ["r12"]


def _answer(kind: str, request_id: str, **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "https://supplier.example.com",
        "time": "2025-06-01T10:30:00Z",
        "type": kind,
        "data": {"requestEventId": request_id, **data},
    }


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (_answer(EVENT_FULFILLED, "never-sent", pfs=[FOOTPRINT_A]), "not a request this host sent"),
        (_answer(EVENT_FULFILLED, "asked", pfs=[{"id": ID_A}]), "not a valid v3 ProductFootprint"),
        (
            _answer(EVENT_REJECTED, "asked", error={"code": "Nope", "message": "x"}),
            "data.error.code must be one of",
        ),
    ],
)
def test_answers_are_checked_before_they_are_kept(
    filled: FootprintStore, event: dict[str, Any], message: str
) -> None:
    client, _ = _host_with_buyer(filled, None)
    remember_request(filled, request("asked"), "https://supplier.example.com")
    with client:
        refused = _post(client, event, 400)
        kept = _post(client, _answer(EVENT_FULFILLED, "asked", pfs=[FOOTPRINT_A]))
    assert message in refused["message"]
    assert kept == {}
    assert [e["data"]["requestEventId"] for e in filled.events()] == ["asked"]


def test_clients_reply_list_and_deliveries_cli(tmp_path: Path, runner: CliRunner) -> None:
    data = ["--data-dir", str(tmp_path)]
    added = runner.invoke(cli, ["clients", "add", "Buyer Co", *data])
    assert added.exit_code == 0, added.output
    done = runner.invoke(
        cli,
        [
            "clients",
            "reply",
            "Buyer Co",
            "--url",
            "https://pact.buyer.example.com/",
            "--client-id",
            "us",
            "--client-secret",
            "s3cret",
            *data,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "https://pact.buyer.example.com/3/events" in done.output
    assert "https://pact.buyer.example.com/auth/token" in done.output
    listed = runner.invoke(cli, ["clients", "list", *data])
    assert "Buyer Co\tanswers to https://pact.buyer.example.com" in listed.output
    store = FootprintStore.in_directory(tmp_path)
    ((cid, _),) = store.clients()
    assert store.reply_endpoint(cid) == PactHost(
        "https://pact.buyer.example.com",
        "https://pact.buyer.example.com/auth/token",
        "us",
        "s3cret",
    )
    store.close()
    assert runner.invoke(cli, ["clients", "deliveries", *data]).exit_code == 0
    by_env = runner.invoke(
        cli,
        [
            "clients",
            "reply",
            "Buyer Co",
            "--url",
            "https://pact.buyer.example.com",
            "--client-id",
            "us",
            "--client-secret-env",
            "BUYER_SECRET",
            *data,
        ],
    )
    assert by_env.exit_code == 0, by_env.output
    store = FootprintStore.in_directory(tmp_path)
    endpoint = store.reply_endpoint(cid)
    store.close()
    assert endpoint is not None
    assert (endpoint.secret, endpoint.secret_env) == ("", "BUYER_SECRET")
    removed = runner.invoke(cli, ["clients", "remove", "Buyer Co", *data])
    assert removed.exit_code == 0, removed.output
    assert runner.invoke(cli, ["clients", "list", *data]).output == ""
    again = runner.invoke(cli, ["clients", "remove", "Buyer Co", *data])
    assert again.exit_code == 2
    assert "no client 'Buyer Co'" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nobody", "--url", "https://x.example.com"], "no client 'Nobody'"),
        (["Buyer Co", "--url", "http://x.example.com"], "not an https:// URL"),
        (["Buyer Co", "--url", "https://x.example.com", "--client-secret-env", "X"], "one of them"),
    ],
)
def test_clients_reply_mistakes_exit_2(
    tmp_path: Path, args: list[str], message: str, runner: CliRunner
) -> None:
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(cli, ["clients", "add", "Buyer Co", *data])
    done = runner.invoke(
        cli, ["clients", "reply", *args, "--client-id", "a", "--client-secret", "b", *data]
    )
    assert done.exit_code == 2
    assert message in done.output
    assert "Traceback" not in done.output


def test_a_loopback_reply_host_may_be_plain_http(tmp_path: Path, runner: CliRunner) -> None:
    """A request from a loopback http source is accepted, so its host can be given credentials."""
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(cli, ["clients", "add", "Local tester", *data])
    done = runner.invoke(
        cli,
        ["clients", "reply", "Local tester", "--url", "http://127.0.0.1:8443", "--client-id", "a"]
        + ["--client-secret", "b", *data],
    )
    assert done.exit_code == 0, done.output
    assert "answers to" in done.output
    assert "http://127.0.0.1:8443/3/events" in done.output
    refused = runner.invoke(
        cli,
        ["clients", "reply", "Local tester", "--url", "http://127.0.0.2.example.com", "--client-id"]
        + ["a", "--client-secret", "b", *data],
    )
    assert refused.exit_code == 2
    assert "not an https:// URL" in refused.output


# --- the other direction: we request, a supplier answers on our host ---------------------------


@pytest.mark.slow
def test_requesting_footprints_from_a_supplier_and_importing_them(
    filled: FootprintStore, tmp_path: Path, runner: CliRunner
) -> None:
    import json

    from footprint.exchange.requesting import request_footprints

    ours = FootprintStore.in_directory(tmp_path / "ours")
    supplier_on_ours = ours.add_client("supplier")  # the supplier answers with these
    with (
        serving(ours, tmp_path / "ours-tls") as (our_base, our_cert),
        serving(filled, tmp_path / "supplier-tls") as (their_base, their_cert),
    ):
        us_on_theirs, secret = filled.add_client("us")  # what the supplier gave us
        filled.set_reply_endpoint(
            us_on_theirs,
            PactHost(our_base, f"{our_base}/auth/token", *supplier_on_ours, str(our_cert)),
        )
        host = PactHost(
            their_base, f"{their_base}/auth/token", us_on_theirs, secret, str(their_cert)
        )
        asked = request_footprints(
            host, {"productId": [REBAR]}, source=our_base, store=ours, comment="2025 please"
        )
        refused = request_footprints(host, {"productId": ["urn:null"]}, source=our_base, store=ours)
        wait_for(lambda: len(ours.events()) == 2, "the answer", seconds=20)
    footprints, rejected = received_footprints(ours)
    assert [pf["id"] for pf in footprints] == [ID_A]
    assert [(r["requestEventId"], r["error"]["code"]) for r in rejected] == [(refused, "NotFound")]
    assert {e["data"]["requestEventId"] for e in ours.events()} == {asked, refused}
    ours.close()
    data = ["--data-dir", str(tmp_path / "ours")]
    out = tmp_path / "received.json"
    done = runner.invoke(cli, ["received", "--out", str(out), *data])
    assert done.exit_code == 0, done.output
    assert f"rejected {refused}: NotFound" in done.output
    assert [pf["id"] for pf in json.loads(out.read_text())["data"]] == [ID_A]
    imported = runner.invoke(
        cli, ["import", str(out), "--format", "pact", "--name", "suppliers", *data]
    )
    assert imported.exit_code == 0, imported.output


def test_request_mistakes_exit_2(tmp_path: Path, runner: CliRunner) -> None:
    base = ["request", "--client-id", "a", "--client-secret", "b", "--data-dir", str(tmp_path)]
    nowhere = runner.invoke(cli, [*base, "https://127.0.0.1:1", "--product-id", "urn:x"])
    assert nowhere.exit_code == 2
    assert "--reply-to" in nowhere.output
    base += ["--reply-to", "https://us.example.com"]
    not_https = runner.invoke(
        cli, [*base[:-2], "--reply-to", "urn:x", "https://127.0.0.1:1", "--product-id", "urn:x"]
    )
    assert not_https.exit_code == 2
    assert "not an https:// URL" in not_https.output
    no_filter = runner.invoke(cli, [*base, "https://127.0.0.1:1"])
    assert no_filter.exit_code == 2
    assert "--product-id" in no_filter.output
    plain = runner.invoke(cli, [*base, "http://x.example.com", "--product-id", "urn:x"])
    assert plain.exit_code == 2
    assert "https://" in plain.output
    unreachable = runner.invoke(cli, [*base, "https://127.0.0.1:1", "--product-id", "urn:x"])
    assert unreachable.exit_code == 2
    assert "could not be sent" in unreachable.output
    assert "Traceback" not in unreachable.output


def test_an_answer_to_a_source_uses_the_partner_host_registered_there(
    filled: FootprintStore,
) -> None:
    from footprint.exchange.outbox import answer_endpoint

    buyer, _ = filled.add_client("buyer")
    partner, _ = filled.add_client("partner")
    host = PactHost("https://Partner.example/", "https://partner.example/auth/token", "us", "pw")
    filled.set_reply_endpoint(partner, host)
    found = answer_endpoint(filled, buyer, "https://partner.example")
    assert found is not None
    assert (found.client_id, found.resolved_secret()) == ("us", "pw")
    assert answer_endpoint(filled, buyer, "https://other.example") is None
