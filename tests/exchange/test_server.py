"""The PACT v3 HTTP API (FastAPI TestClient): auth, footprints, filters, pagination, events, errors."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from footprint.exchange.events import EVENT_PUBLISHED, validate_event
from footprint.exchange.outbox import remember_request
from footprint.exchange.replies import EVENT_CREATED, EVENT_FULFILLED, EVENT_REJECTED
from footprint.exchange.server import create_app
from footprint.exchange.store import FootprintStore
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

CLOUDEVENTS = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [doc["id"] for doc in response.json()["data"]]


def event(type_: str = EVENT_PUBLISHED, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        EVENT_CREATED: {
            "productId": ["urn:gtin:4012345000017"],
            "comment": "Please send PCF data.",
        },
        EVENT_PUBLISHED: {"pfIds": [ID_A]},
        EVENT_FULFILLED: {"requestEventId": "req-1", "pfs": [FOOTPRINT_A]},
        EVENT_REJECTED: {
            "requestEventId": "req-1",
            "error": {"code": "NotFound", "message": "none"},
        },
    }[type_]
    body: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "https://recipient.example.com/3/events",
        "time": "2025-05-19T10:30:00.000Z",
        "type": type_,
        "data": data,
    }
    body.update(changes)
    return body


def assert_pact_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]


# --- discovery and tokens -----------------------------------------------------------------------


def test_openid_configuration_points_at_the_token_endpoint(client: TestClient) -> None:
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    config = response.json()
    assert config["token_endpoint"] == "http://testserver/auth/token"
    assert config["issuer"] == "http://testserver"
    assert config["grant_types_supported"] == ["client_credentials"]


def test_token_with_valid_credentials(client: TestClient, credentials: tuple[str, str]) -> None:
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 40
    assert response.headers["cache-control"] == "no-store"


def test_token_with_client_secret_post(client: TestClient, credentials: tuple[str, str]) -> None:
    client_id, secret = credentials
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert client.post("/auth/token", data=form).status_code == 200


def test_token_accepts_form_encoded_basic_credentials(filled: FootprintStore) -> None:
    client_id, secret = filled.add_client("x")
    # RFC 6749 2.3.1: the id and secret are form-encoded before Basic encoding.
    raw = f"{client_id.replace('-', '%2D')}:{secret}".encode()
    header = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    with TestClient(create_app(filled)) as test_client:
        response = test_client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, headers=header
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic " + base64.b64encode(b"nobody:wrong").decode()},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer abc"},
        {},
    ],
)
def test_token_with_bad_or_missing_credentials(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "error_description" in response.json()
    assert response.headers["www-authenticate"].startswith("Basic")


def test_token_with_a_wrong_secret(client: TestClient, credentials: tuple[str, str]) -> None:
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(credentials[0], "wrong")
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("grant_type=password", "application/x-www-form-urlencoded", "unsupported_grant_type"),
        ("", "application/x-www-form-urlencoded", "invalid_request"),
        (
            "grant_type=client_credentials&grant_type=x",
            "application/x-www-form-urlencoded",
            "invalid_request",
        ),
        ('{"grant_type": "client_credentials"}', "application/json", "invalid_request"),
    ],
)
def test_token_with_a_bad_grant(
    client: TestClient, credentials: tuple[str, str], body: str, content_type: str, error: str
) -> None:
    response = client.post(
        "/auth/token", content=body, headers={"Content-Type": content_type}, auth=credentials
    )
    assert response.status_code == 400
    assert response.json()["error"] == error


# --- bearer tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/3/footprints"), ("GET", f"/3/footprints/{ID_A}"), ("POST", "/3/events")],
)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer very-invalid-access-token", "Basic abc", "Bearer"]
)
def test_missing_or_invalid_token(
    client: TestClient, method: str, path: str, authorization: str | None
) -> None:
    headers = dict(CLOUDEVENTS)
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.request(
        method, path, headers=headers, json=event() if method == "POST" else None
    )
    assert_pact_error(response, 401, "BadRequest")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_expired_token_with_zero_ttl(filled: FootprintStore, credentials: tuple[str, str]) -> None:
    with TestClient(create_app(filled, token_ttl_s=0)) as test_client:
        response = test_client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
        )
        assert response.json()["expires_in"] == 0
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert_pact_error(test_client.get("/3/footprints", headers=headers), 401, "TokenExpired")


def test_token_expires_after_its_ttl(
    filled: FootprintStore, credentials: tuple[str, str], clock: Clock
) -> None:
    with TestClient(create_app(filled, token_ttl_s=60)) as test_client:
        token = test_client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        clock.now += timedelta(seconds=59)
        assert test_client.get(f"/3/footprints/{ID_A}", headers=headers).status_code == 200
        clock.now += timedelta(seconds=1)
        response = test_client.get(f"/3/footprints/{ID_A}", headers=headers)
        assert_pact_error(response, 401, "TokenExpired")
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


# --- footprints ---------------------------------------------------------------------------------


def test_list_returns_all_footprints_without_limit(authed: TestClient) -> None:
    response = authed.get("/3/footprints")
    assert response.json() == {"data": [FOOTPRINT_A, FOOTPRINT_B, FOOTPRINT_C]}
    assert "link" not in response.headers


def test_list_of_an_empty_store_is_an_empty_array(store: FootprintStore) -> None:
    credentials = store.add_client("x")
    with TestClient(create_app(store)) as test_client:
        token = test_client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
        ).json()["access_token"]
        response = test_client.get("/3/footprints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_pagination_follows_link_headers(authed: TestClient) -> None:
    seen: list[str] = []
    url = "/3/footprints?limit=1"
    while True:
        response = authed.get(url)
        seen += ids(response)
        assert len(response.json()["data"]) == 1
        link = response.headers.get("link")
        if link is None:
            break
        assert link.startswith("<http://testserver/3/footprints?")
        assert link.endswith('>; rel="next"')
        url = link[1 : link.index(">")]
        assert "limit=1" in url
    assert seen == [ID_A, ID_B, ID_C]
    assert authed.get(url).json()["data"] == [FOOTPRINT_C]  # a pagination link can be called again


def test_pagination_keeps_filters_and_pages_of_two(authed: TestClient) -> None:
    response = authed.get("/3/footprints?limit=2&status=Active")
    assert ids(response) == [ID_A, ID_B]
    assert "link" not in response.headers
    response = authed.get("/3/footprints?limit=2")
    assert ids(response) == [ID_A, ID_B]
    link = response.headers["link"]
    next_url = link[1 : link.index(">")]
    assert ids(authed.get(next_url)) == [ID_C]
    response = authed.get("/3/footprints?limit=1&geography=DE&geography=US-CA")
    next_url = response.headers["link"][1 : response.headers["link"].index(">")]
    assert "geography=DE" in next_url
    assert "geography=US-CA" in next_url
    assert ids(authed.get(next_url)) == [ID_C]


def test_link_uses_the_host_and_scheme_of_the_request(filled: FootprintStore, token: str) -> None:
    app = create_app(filled)
    with TestClient(app, base_url="https://pact.example.com:8443") as test_client:
        response = test_client.get(
            "/3/footprints?limit=1", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.headers["link"].startswith("<https://pact.example.com:8443/3/footprints?")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("productId=urn:gtin:4012345000017", [ID_A]),
        ("productId=urn:pact:example.com:product-id:cem-1&productId=urn:bogus:x", [ID_B]),
        ("companyId=urn:pact:example.com:company:glass-us", [ID_C]),
        (
            "companyId=urn:pact:example.com:company:steel-de&companyId=urn:pact:example.com:company:cement-fr",
            [ID_A, ID_B],
        ),
        ("geography=DE", [ID_A]),
        ("geography=Western%20Europe", [ID_B]),
        ("geography=US-CA", [ID_C]),
        ("classification=urn:pact:productclassification:un-cpc:37150", [ID_C]),
        ("validOn=2025-01-15T00:00:00Z", [ID_A, ID_B]),
        ("validAfter=2025-01-14T00:00:00.000Z", [ID_A, ID_C]),
        ("validBefore=2027-12-31T00:00:00.000Z", [ID_C]),  # strictly before
        ("validBefore=2027-12-31T00:00:01.000Z", [ID_A, ID_C]),
        ("validOn=2025-01-15T01:00:00+01:00", [ID_A, ID_B]),  # unencoded '+' arrives as ' '
        ("status=Active", [ID_A, ID_B]),
        ("status=Active&productId=urn:gtin:4012345000017", [ID_A]),
        ("x-acme-invoice=123&geography=DE", [ID_A]),  # unknown parameters are ignored
        ("classification=", [ID_A, ID_B, ID_C]),  # an empty value is no filter
        ("validBefore=", [ID_A, ID_B, ID_C]),
        # the conformance tester's negative cases 30-39: 200 with an empty list
        ("productId=urn:bogus:product:abc", []),
        ("companyId=urn:bogus:company:abc", []),
        ("geography=XX", []),
        ("classification=urn:bogus:classification:abc", []),
        ("validOn=1900-01-01T00:00:00Z", []),
        ("validAfter=2099-12-31T23:59:59Z", []),
        ("validBefore=1900-01-01T00:00:00Z", []),
        ("status=BogusStatusAbc", []),
        ("companyId=urn:bogus:company:a&productId=urn:bogus:product:b", []),
        ("companyId=urn:bogus:company:a&companyId=urn:bogus:company:b", []),
    ],
)
def test_list_filters(authed: TestClient, query: str, expected: list[str]) -> None:
    assert ids(authed.get(f"/3/footprints?{query}")) == expected


@pytest.mark.parametrize(
    "query",
    [
        "validOn=notadate",
        "validAfter=2025-02-30",
        "limit=0",
        "limit=-1",
        "limit=ten",
        "limit=%C2%B2",
        "cursor=not-a-cursor",
        "cursor=",
    ],
)
def test_list_rejects_malformed_parameters(authed: TestClient, query: str) -> None:
    assert_pact_error(authed.get(f"/3/footprints?{query}"), 400, "BadRequest")


def test_get_footprint(authed: TestClient) -> None:
    response = authed.get(f"/3/footprints/{ID_B}")
    assert response.status_code == 200
    assert response.json() == {"data": FOOTPRINT_B}


@pytest.mark.parametrize(
    "pf_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "urn:gtin:1"]
)
def test_get_unknown_footprint(authed: TestClient, pf_id: str) -> None:
    assert_pact_error(authed.get(f"/3/footprints/{pf_id}"), 404, "NotFound")


# --- events -------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", [EVENT_CREATED, EVENT_PUBLISHED, EVENT_FULFILLED, EVENT_REJECTED])
def test_valid_events_are_accepted_and_recorded(
    authed: TestClient, filled: FootprintStore, type_: str
) -> None:
    remember_request(filled, {"id": "req-1"}, "https://supplier.example.com")  # answers name it
    body = event(type_)
    response = authed.post("/3/events", json=body, headers=CLOUDEVENTS)
    assert response.status_code == 200, response.text
    assert response.content == b""
    assert filled.events() == [body]


def test_events_as_sent_by_the_conformance_tester(
    authed: TestClient, filled: FootprintStore
) -> None:
    run = str(uuid.uuid4())
    rejected = event(EVENT_CREATED, id=f"{run}/14.A", source="http://127.0.0.1:9")
    rejected["data"] = {
        "productId": ["urn:pact:null"],
        "comment": "Please send PCF data for this year.",
    }
    for body in (event(EVENT_CREATED, id=f"{run}/12", source="http://127.0.0.1:9"), rejected):
        assert authed.post("/3/events", json=body, headers=CLOUDEVENTS).status_code == 200
    assert (
        authed.post(
            "/3/events", json=event(), headers={"Content-Type": "application/json"}
        ).status_code
        == 200
    )
    assert len(filled.events()) == 3


def _without(name: str) -> dict[str, Any]:
    body = event()
    del body[name]
    return body


@pytest.mark.parametrize(
    "body",
    [
        event(data={"pfIds": ["urn:gtin:4712345060507"]}),  # conformance test case 40
        event(data={"pfIds": []}),
        event(data={}),
        event(data=[ID_A]),
        *(_without(name) for name in ("specversion", "id", "source", "type", "time", "data")),
        event(specversion="0.3"),
        event(id=""),
        event(id=17),
        event(source=""),
        event(source="not a uri"),
        event(source="1nvalid-scheme:x"),
        event(type="org.wbcsd.pact.ProductFootprint.SomethingElse.3"),
        event(type="org.wbcsd.pathfinder.ProductFootprint.Published.v1"),
        event(time="yesterday"),
        event(time="2025-05-19T10:30:00"),  # no UTC offset
        event(EVENT_CREATED, data={"productId": "urn:gtin:1"}),
        event(EVENT_CREATED, data={"validOn": "soon"}),
        event(EVENT_CREATED, data={"status": "Bogus"}),
        event(EVENT_CREATED, data={"comment": 5}),
        event(EVENT_FULFILLED, data={"requestEventId": "r", "pfs": []}),
        event(EVENT_FULFILLED, data={"requestEventId": "r", "pfs": [{"id": "x"}]}),
        event(EVENT_FULFILLED, data={"pfs": [FOOTPRINT_A]}),
        event(EVENT_REJECTED, data={"requestEventId": "r", "error": "nope"}),
        [event()],
        "just a string",
    ],
)
def test_malformed_events_are_rejected(
    authed: TestClient, filled: FootprintStore, body: Any
) -> None:
    assert validate_event(body) is not None
    assert_pact_error(authed.post("/3/events", json=body, headers=CLOUDEVENTS), 400, "BadRequest")
    assert filled.events() == []


def test_events_need_json(authed: TestClient) -> None:
    response = authed.post("/3/events", content=b"{not json", headers=CLOUDEVENTS)
    assert_pact_error(response, 400, "BadRequest")
    response = authed.post(
        "/3/events", content=b"specversion=1.0", headers={"Content-Type": "text/plain"}
    )
    assert_pact_error(response, 400, "BadRequest")


def test_validate_event_accepts_uri_references_as_source() -> None:
    for source in (
        "//api.example.com/3/events",
        "/pact/api/v3/events",
        "urn:pact:null",
        "https://a.b/c?d=e%20f",
    ):
        assert validate_event(event(source=source)) is None
    assert validate_event(event(source="https://a.b/%zz")) is not None


# --- other errors -------------------------------------------------------------------------------


def test_unknown_routes_and_methods_answer_pact_errors(authed: TestClient) -> None:
    assert_pact_error(authed.get("/3/nothing"), 404, "NotFound")
    assert_pact_error(authed.get(f"/3/footprints/{ID_A}/extra"), 404, "NotFound")
    assert_pact_error(authed.delete(f"/3/footprints/{ID_A}"), 405, "BadRequest")
    assert authed.get("/docs").status_code == 404
    assert authed.get("/openapi.json").status_code == 404


def test_internal_errors_do_not_leak(
    authed: TestClient, filled: FootprintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(filled, "page", broken)
    response = authed.get("/3/footprints")
    assert_pact_error(response, 500, "InternalError")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


def test_token_request_bodies_are_bounded(client: TestClient, credentials: tuple[str, str]) -> None:
    body = "grant_type=client_credentials&pad=" + "x" * 70_000
    response = client.post(
        "/auth/token",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=credentials,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_negative_token_lifetime_is_refused(store: FootprintStore) -> None:
    with pytest.raises(ValueError, match="token_ttl_s"):
        create_app(store, token_ttl_s=-1)


def test_a_large_limit_is_lowered_to_the_page_size(authed: TestClient) -> None:
    response = authed.get("/3/footprints?limit=10000000000")
    assert response.status_code == 200
    assert ids(response) == [ID_A, ID_B, ID_C]
    assert "link" not in response.headers


def _walk(
    client: TestClient, url: str, publish: list[tuple[dict[str, Any], str]], store: FootprintStore
) -> list[str]:
    """Follow the Link headers from ``url``, publishing one of ``publish`` after each page."""
    seen: list[str] = []
    while True:
        response = client.get(url)
        seen += ids(response)
        if publish:
            store.add(*publish.pop(0))
        link = response.headers.get("link")
        if link is None:
            return seen
        url = link[1 : link.index(">")]


def test_a_walk_sees_every_product_once_while_versions_are_published(
    filled: FootprintStore, token: str
) -> None:
    """Products walked two at a time; a new version of each is published during the walk."""
    products = [(FOOTPRINT_A, "rebar-12mm"), (FOOTPRINT_B, "cem-1"), (FOOTPRINT_C, "float-4mm")]
    for n in range(2):
        products.append((footprint(FOOTPRINT_A, id=str(uuid.uuid4())), f"extra-{n}"))
        filled.add(*products[-1])
    newer = [(footprint(doc, id=str(uuid.uuid4())), key) for doc, key in products]
    with TestClient(create_app(filled), base_url="https://127.0.0.1:8443") as api:
        api.headers["Authorization"] = f"Bearer {token}"
        pending = list(newer)
        seen = _walk(api, "/3/footprints?status=Active&limit=2", pending, filled)
    assert len(pending) < len(newer) - 1  # versions were published during the walk
    for item in pending:
        filled.add(*item)
    active = [doc["id"] for doc, _ in products if doc["status"] == "Active"]
    assert len(active) == 4
    assert sorted(seen) == sorted(active)  # none skipped, none repeated
    # the next walk sees the new versions only
    with TestClient(create_app(filled), base_url="https://127.0.0.1:8443") as api:
        api.headers["Authorization"] = f"Bearer {token}"
        again = _walk(api, "/3/footprints?status=Active&limit=2", [], filled)
    assert sorted(again) == sorted(doc["id"] for doc, _ in newer if doc["status"] == "Active")
