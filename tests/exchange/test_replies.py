"""Footprint requests answered on the requester's own PACT host, between two real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from footprint.cli.app import app as cli
from footprint.exchange.replies import (
    ATTEMPTS,
    EVENT_CREATED,
    EVENT_FULFILLED,
    EVENT_REJECTED,
    answer_for,
    answer_request,
)
from footprint.exchange.server import create_app
from footprint.exchange.store import FootprintStore, PactHost
from tests.exchange.conftest import ID_A, ID_B, serving

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
    answer = answer_for(filled, request("r1", productId=[REBAR]), "https://host.example.com")
    assert answer["type"] == EVENT_FULFILLED
    assert answer["source"] == "https://host.example.com"
    assert answer["data"]["requestEventId"] == "r1"
    assert [pf["id"] for pf in answer["data"]["pfs"]] == [ID_A]
    cement = answer_for(filled, request("r2", geography=["Western Europe"]), "https://h")
    assert [pf["id"] for pf in cement["data"]["pfs"]] == [ID_B]


@pytest.mark.parametrize("data", [{"productId": ["urn:null"]}, {"comment": "anything?"}])
def test_nothing_matching_is_rejected(filled: FootprintStore, data: dict[str, Any]) -> None:
    answer = answer_for(filled, request("r3", **data), "https://host.example.com")
    assert answer["type"] == EVENT_REJECTED
    assert answer["data"]["requestEventId"] == "r3"
    assert answer["data"]["error"]["code"] == "NotFound"


@pytest.fixture
def recipient(tmp_path: Path) -> Iterator[tuple[FootprintStore, str, Path, tuple[str, str]]]:
    """The requester's own PACT host (a real HTTPS server): store, URL, cert, our credentials."""
    store = FootprintStore.in_directory(tmp_path / "recipient")
    credentials = store.add_client("host that answers")
    with serving(store, tmp_path / "recipient-tls") as (base, cert):
        yield store, base, cert, credentials
    store.close()


def _host_with_buyer(filled: FootprintStore, endpoint: PactHost | None) -> tuple[TestClient, str]:
    buyer, secret = filled.add_client("buyer")
    if endpoint is not None:
        filled.set_reply_endpoint(buyer, endpoint)
    client = TestClient(create_app(filled), raise_server_exceptions=False)
    token = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(buyer, secret)
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client, buyer


def _post(client: TestClient, event: dict[str, Any]) -> None:
    response = client.post(
        "/3/events", json=event, headers={"Content-Type": "application/cloudevents+json"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.slow
def test_requests_are_answered_on_the_requesters_host(
    filled: FootprintStore, recipient: tuple[FootprintStore, str, Path, tuple[str, str]]
) -> None:
    store_b, base, cert, (cid, secret) = recipient
    endpoint = PactHost(base, f"{base}/auth/token", cid, secret, str(cert))
    client, buyer = _host_with_buyer(filled, endpoint)
    with client:
        _post(client, request("want-rebar", productId=[REBAR]))
        _post(client, request("want-nothing", productId=["urn:null"]))
        _post(client, request("want-rebar", productId=[REBAR]))  # a repeat is not answered again
    received = {e["data"]["requestEventId"]: e for e in store_b.events()}
    assert set(received) == {"want-rebar", "want-nothing"}
    fulfilled, rejected = received["want-rebar"], received["want-nothing"]
    assert fulfilled["type"] == EVENT_FULFILLED
    assert [pf["id"] for pf in fulfilled["data"]["pfs"]] == [ID_A]
    assert fulfilled["source"].startswith("http")  # the answering host's base URL
    assert rejected["type"] == EVENT_REJECTED
    assert rejected["data"]["error"]["code"] == "NotFound"
    outcomes = [(d["requestEventId"], d["status"], d["attempts"]) for d in filled.deliveries()]
    assert outcomes == [("want-rebar", "delivered", 1), ("want-nothing", "delivered", 1)]
    assert {d["client_id"] for d in filled.deliveries()} == {buyer}


def test_a_client_without_a_reply_host_is_recorded_not_answered(filled: FootprintStore) -> None:
    client, buyer = _host_with_buyer(filled, None)
    with client:
        _post(client, request("r9", productId=[REBAR]))
    (delivery,) = filled.deliveries()
    assert (delivery["status"], delivery["attempts"], delivery["client_id"]) == ("failed", 0, buyer)
    assert "footprint clients reply" in delivery["detail"]


@pytest.mark.slow
def test_an_unreachable_host_is_retried_then_recorded(
    filled: FootprintStore, recipient: tuple[FootprintStore, str, Path, tuple[str, str]]
) -> None:
    store_b, base, cert, (cid, _) = recipient
    buyer, _ = filled.add_client("buyer")
    filled.set_reply_endpoint(
        buyer, PactHost(base, f"{base}/auth/token", cid, "wrong secret", str(cert))
    )
    answer_request(filled, request("r10", productId=[REBAR]), buyer, "https://h", pause_s=0)
    (delivery,) = filled.deliveries()
    assert (delivery["status"], delivery["attempts"]) == ("failed", ATTEMPTS)
    assert "401" in delivery["detail"]
    assert store_b.events() == []


@pytest.mark.slow
def test_a_secret_named_by_environment_variable_is_read_when_answering(
    filled: FootprintStore,
    recipient: tuple[FootprintStore, str, Path, tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store_b, base, cert, (cid, secret) = recipient
    buyer, _ = filled.add_client("buyer")
    host = PactHost(base, f"{base}/auth/token", cid, "", str(cert), "PARTNER_SECRET")
    filled.set_reply_endpoint(buyer, host)
    assert filled.reply_endpoint(buyer) == host  # the store holds the name, not the secret
    monkeypatch.delenv("PARTNER_SECRET", raising=False)
    answer_request(filled, request("r11", productId=[REBAR]), buyer, "https://h", pause_s=0)
    monkeypatch.setenv("PARTNER_SECRET", secret)
    answer_request(filled, request("r12", productId=[REBAR]), buyer, "https://h", pause_s=0)
    first, second = filled.deliveries()
    assert (first["status"], second["status"]) == ("failed", "delivered")
    assert "PARTNER_SECRET" in first["detail"]
    assert [e["data"]["requestEventId"] for e in store_b.events()] == ["r12"]


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


# --- the other direction: we request, a supplier answers on our host ---------------------------


def _wait_for(condition: Any, seconds: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the answer did not arrive")
        time.sleep(0.05)


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
        asked = request_footprints(host, {"productId": [REBAR]}, comment="2025 please")
        refused = request_footprints(host, {"productId": ["urn:null"]})
        _wait_for(lambda: len(ours.events()) == 2)
    footprints, rejected = ours.received_footprints()
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
    base = ["request", "--client-id", "a", "--client-secret", "b"]
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
