"""The host under hostile use: login throttling, credentials in URLs, Host headers, file modes,
encrypted partner secrets, oversized and deeply nested events."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from footprint.errors import FootprintError
from footprint.exchange import vault
from footprint.exchange.partners import PactHost
from footprint.exchange.server import (
    MAX_EVENT_BYTES,
    RedactCredentials,
    create_app,
    redact_query,
)
from footprint.exchange.store import DEFAULT_FILENAME, FootprintStore
from footprint.exchange.throttle import LoginThrottle

FORM = {"grant_type": "client_credentials"}


class Ticks:
    """A settable monotonic clock (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_twenty_bad_logins_in_a_row_get_429(
    filled: FootprintStore, credentials: tuple[str, str]
) -> None:
    client_id, _ = credentials
    with TestClient(create_app(filled)) as api:
        codes = [
            api.post("/auth/token", data=FORM, auth=(client_id, f"wrong-{i}")).status_code
            for i in range(20)
        ]
        assert codes[:5] == [401] * 5
        assert set(codes[5:]) == {429}
        refused = api.post("/auth/token", data=FORM, auth=(client_id, "wrong"))
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"] == "invalid_client"


def test_throttled_login_is_refused_before_the_secret_is_checked(
    filled: FootprintStore, credentials: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    original = filled.check_client

    def counting(client_id: str, secret: str) -> bool:
        checks.append(secret)
        return original(client_id, secret)

    monkeypatch.setattr(filled, "check_client", counting)
    client_id, secret = credentials
    with TestClient(create_app(filled)) as api:
        for i in range(12):
            api.post("/auth/token", data=FORM, auth=(client_id, f"wrong-{i}"))
        # the right secret from the same address waits too: the address is throttled
        assert api.post("/auth/token", data=FORM, auth=(client_id, secret)).status_code == 429
    assert len(checks) == 5  # scrypt ran only for the first five guesses


def test_throttle_forgets_failures_after_the_window() -> None:
    ticks = Ticks()
    throttle = LoginThrottle(max_failures=3, window_s=60, clock=ticks)
    keys = ("client:a", "address:1.2.3.4")
    for _ in range(3):
        throttle.failed(keys)
    wait = throttle.retry_after(keys)
    assert wait is not None
    assert 59 <= wait <= 60
    ticks.now += 61
    assert throttle.retry_after(keys) is None
    assert throttle.retry_after(("client:b",)) is None


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_failures=3, max_keys=100)
    for i in range(5_000):
        throttle.failed((f"client:{i}", "address:10.0.0.1"))
    assert throttle.tracked() == 100
    assert throttle.retry_after(("address:10.0.0.1",)) is not None  # recent keys are kept


def test_a_login_resets_the_client_but_not_the_address() -> None:
    throttle = LoginThrottle(max_failures=2)
    throttle.failed(("client:a", "address:x"))
    throttle.succeeded("client:a")
    throttle.failed(("client:a", "address:x"))
    assert throttle.retry_after(("client:a",)) is None
    assert throttle.retry_after(("address:x",)) is not None


@pytest.mark.parametrize("name", ["client_secret", "CLIENT_SECRET", "client_id", "password"])
def test_credentials_in_the_token_url_are_refused(
    filled: FootprintStore, credentials: tuple[str, str], name: str
) -> None:
    client_id, secret = credentials
    with TestClient(create_app(filled)) as api:
        response = api.post(f"/auth/token?{name}={secret}", data=FORM, auth=(client_id, secret))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert secret not in response.text


def test_credentials_in_urls_are_redacted_from_the_access_log() -> None:
    path = "/auth/token?client_id=abc&client_secret=s3cr3t&grant_type=client_credentials"
    assert redact_query(path) == (
        "/auth/token?client_id=***&client_secret=***&grant_type=client_credentials"
    )
    assert redact_query("/3/footprints?limit=2") == "/3/footprints?limit=2"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "POST", path, "1.1", 400),
        None,
    )
    assert RedactCredentials().filter(record)
    assert "s3cr3t" not in record.getMessage()


def test_links_never_echo_the_host_header(filled: FootprintStore, token: str) -> None:
    with TestClient(create_app(filled), base_url="https://127.0.0.1:8443") as api:
        headers = {"Authorization": f"Bearer {token}", "Host": "evil.example"}
        listing = api.get("/3/footprints?limit=1", headers=headers)
        discovery = api.get("/.well-known/openid-configuration", headers={"Host": "evil.example"})
    assert "evil.example" not in listing.headers["link"]
    assert listing.headers["link"].startswith("<https://127.0.0.1:8443/3/footprints?")
    assert "evil.example" not in discovery.text


def test_links_use_the_public_url(filled: FootprintStore, token: str) -> None:
    app = create_app(filled, public_url="https://pact.example.com/")
    with TestClient(app, base_url="https://127.0.0.1:8443") as api:
        listing = api.get("/3/footprints?limit=1", headers={"Authorization": f"Bearer {token}"})
        discovery = api.get("/.well-known/openid-configuration").json()
    assert listing.headers["link"].startswith("<https://pact.example.com/3/footprints?")
    assert discovery["token_endpoint"] == "https://pact.example.com/auth/token"


def test_the_store_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    FootprintStore.in_directory(data).close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / DEFAULT_FILENAME).stat().st_mode) == 0o600


def test_an_existing_store_is_made_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / DEFAULT_FILENAME).touch(mode=0o644)
    FootprintStore.in_directory(data).close()
    assert stat.S_IMODE((data / DEFAULT_FILENAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def _raw_secret(data: Path) -> str:
    with sqlite3.connect(data / DEFAULT_FILENAME) as db:
        (value,) = db.execute("select remote_secret from pact_reply_endpoints").fetchone()
    return str(value)


def test_partner_secrets_are_encrypted_at_rest(tmp_path: Path, secret_key_file: Path) -> None:
    store = FootprintStore.in_directory(tmp_path / "data")
    client_id, _ = store.add_client("customer")
    host = PactHost(
        "https://customer.example", "https://customer.example/auth/token", "us", "pw-123"
    )
    store.set_reply_endpoint(client_id, host)
    raw = _raw_secret(tmp_path / "data")
    assert raw.startswith(vault.PREFIX)
    assert "pw-123" not in raw
    endpoint = store.reply_endpoint(client_id)
    assert endpoint is not None
    assert endpoint.resolved_secret() == "pw-123"
    assert stat.S_IMODE(secret_key_file.stat().st_mode) == 0o600
    assert not secret_key_file.is_relative_to(tmp_path / "data")
    store.close()


def test_a_wrong_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    sealed = vault.seal("pw-123")
    monkeypatch.setenv(vault.KEY_ENV, "A" * 43 + "=")
    with pytest.raises(FootprintError, match="cannot be decrypted"):
        vault.unseal(sealed)
    monkeypatch.setenv(vault.KEY_ENV, "not a key")
    with pytest.raises(FootprintError, match="not a Fernet key"):
        vault.seal("x")


def test_clear_secrets_of_older_stores_still_read() -> None:
    assert vault.unseal("legacy-clear") == "legacy-clear"
    assert vault.seal("") == ""


def _event_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/cloudevents+json"}


def test_a_deeply_nested_event_is_a_bad_request(client: TestClient, token: str) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/3/events", content=body, headers=_event_headers(token))
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"


def test_an_oversized_event_is_refused(client: TestClient, token: str) -> None:
    body = json.dumps({"data": "x" * MAX_EVENT_BYTES})
    response = client.post("/3/events", content=body, headers=_event_headers(token))
    assert response.status_code == 413
