"""Hand-made PACT v3 ProductFootprints (valid against the v3 schema) and a store and API client."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from footprint.exchange.server import create_app, make_server
from footprint.exchange.store import FootprintStore
from footprint.exchange.tls import self_signed_certificate

ID_A = "3f1b7c2e-8a4d-4e0b-9c61-2d5e7f8a9b01"
ID_B = "5a2c9d14-6b3e-47f1-8d20-3e4f5a6b7c02"
ID_C = "7e4d2a36-1c5f-4a92-b3e8-4f5a6b7c8d03"


def _pcf(**geography: str) -> dict[str, Any]:
    return {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        **geography,
        "pcfExcludingBiogenicUptake": "0.71",
        "pcfIncludingBiogenicUptake": "0.71",
        "fossilGhgEmissions": "0.7",
        "fossilCarbonContent": "0.002",
        "biogenicCarbonContent": "0",
        "landUseChangeGhgEmissions": "0.01",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": "50",
    }


FOOTPRINT_A: dict[str, Any] = {
    "id": ID_A,
    "specVersion": "3.0.0",
    "created": "2025-01-15T00:00:00Z",
    "status": "Active",
    "validityPeriodStart": "2025-01-15T00:00:00Z",
    "validityPeriodEnd": "2027-12-31T00:00:00Z",
    "companyName": "Example Steel GmbH",
    "companyIds": ["urn:pact:example.com:company:steel-de"],
    "productDescription": "Reinforcing bar, electric arc furnace route",
    "productIds": ["urn:pact:example.com:product-id:rebar-12mm", "urn:gtin:4012345000017"],
    "productClassifications": ["urn:pact:productclassification:un-cpc:41277"],
    "productNameCompany": "Rebar 12 mm",
    "pcf": _pcf(geographyCountry="DE"),
}
# No validity period: valid from pcf.referencePeriodEnd (2025-01-01) for 3 years.
FOOTPRINT_B: dict[str, Any] = {
    "id": ID_B,
    "specVersion": "3.0.0",
    "created": "2025-02-01T00:00:00Z",
    "status": "Active",
    "companyName": "Example Cement SA",
    "companyIds": ["urn:pact:example.com:company:cement-fr"],
    "productDescription": "Portland cement CEM I",
    "productIds": ["urn:pact:example.com:product-id:cem-1"],
    "productClassifications": ["urn:pact:productclassification:un-cpc:37440"],
    "productNameCompany": "CEM I 52.5",
    "pcf": _pcf(geographyRegionOrSubregion="Western Europe"),
}
FOOTPRINT_C: dict[str, Any] = {
    "id": ID_C,
    "specVersion": "3.0.0",
    "created": "2025-03-01T00:00:00Z",
    "status": "Deprecated",
    "validityPeriodStart": "2026-01-01T00:00:00Z",
    "validityPeriodEnd": "2027-06-30T00:00:00Z",
    "companyName": "Example Glass Inc.",
    "companyIds": ["urn:pact:example.com:company:glass-us"],
    "productDescription": "Float glass, 4 mm",
    "productIds": ["urn:pact:example.com:product-id:float-4mm"],
    "productClassifications": ["urn:pact:productclassification:un-cpc:37150"],
    "productNameCompany": "Float 4",
    "pcf": _pcf(geographyCountrySubdivision="US-CA"),
}


def footprint(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with top-level changes."""
    doc = copy.deepcopy(base)
    doc.update(changes)
    return doc


class Clock:
    """A settable clock for a store: ``clock.now += timedelta(...)``."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[FootprintStore]:
    """An empty store in a temporary SQLite file (``data/pact.sqlite``), on the test's clock."""
    opened = FootprintStore.in_directory(tmp_path / "data", clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def filled(store: FootprintStore) -> FootprintStore:
    """The store with footprints A, B, C (stored in that order)."""
    store.add(FOOTPRINT_A, "rebar-12mm")
    store.add(FOOTPRINT_B, "cem-1")
    store.add(FOOTPRINT_C, "float-4mm")
    return store


@pytest.fixture
def credentials(filled: FootprintStore) -> tuple[str, str]:
    """``(client_id, secret)`` of a registered client."""
    return filled.add_client("test recipient")


@pytest.fixture
def client(filled: FootprintStore) -> Iterator[TestClient]:
    """A TestClient for the API over the filled store (server errors answered, not raised)."""
    with TestClient(create_app(filled), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token(client: TestClient, credentials: tuple[str, str]) -> str:
    """A valid access token."""
    response = client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    assert response.status_code == 200, response.text
    access_token = response.json()["access_token"]
    assert isinstance(access_token, str)
    return access_token


@pytest.fixture
def authed(client: TestClient, token: str) -> TestClient:
    """The TestClient sending the bearer token."""
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def wait_for(condition: Callable[[], bool], what: str, seconds: float) -> None:
    """Poll ``condition`` until it holds; fail with "``what`` did not arrive" after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not arrive")
        time.sleep(0.05)


@contextmanager
def serving(store: FootprintStore, tls_dir: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTPS server over ``store`` on a free loopback port: ``(base URL, certificate)``."""
    cert, key = self_signed_certificate(tls_dir, ["127.0.0.1"])
    server = make_server(store, "127.0.0.1", 0, cert, key, log_level=None)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=20)
            pytest.fail("the server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}", cert
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        assert not thread.is_alive(), "the server did not stop"


@pytest.fixture(autouse=True)
def secret_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Partner secrets are encrypted with a key file of the test's own, never the user's."""
    path = tmp_path / "config" / "pact-secrets.key"
    monkeypatch.delenv("FOOTPRINT_SECRET_KEY", raising=False)
    monkeypatch.setenv("FOOTPRINT_SECRET_KEY_FILE", str(path))
    return path
