"""The real server: uvicorn with a self-signed certificate on a free loopback port, HTTPS only."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from footprint.errors import FootprintError
from footprint.exchange.server import make_server
from footprint.exchange.store import FootprintStore
from tests.exchange.conftest import ID_A, ID_B, ID_C, serving

pytestmark = pytest.mark.slow


@pytest.fixture
def running(filled: FootprintStore, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``(base URL, certificate)`` of a server on 127.0.0.1, stopped after the test."""
    with serving(filled, tmp_path / "tls") as found:
        yield found


def test_https_token_and_footprints(
    running: tuple[str, Path], credentials: tuple[str, str]
) -> None:
    base, cert = running
    with httpx2.Client(verify=ssl.create_default_context(cafile=str(cert)), timeout=10) as http:
        config = http.get(f"{base}/.well-known/openid-configuration").json()
        assert config["token_endpoint"] == f"{base}/auth/token"
        response = http.post(
            config["token_endpoint"], data={"grant_type": "client_credentials"}, auth=credentials
        )
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        response = http.get(f"{base}/3/footprints", headers=headers)
        assert [doc["id"] for doc in response.json()["data"]] == [ID_A, ID_B, ID_C]
        response = http.get(f"{base}/3/footprints?limit=2", headers=headers)
        link = response.headers["link"]
        assert link.startswith(f"<{base}/3/footprints?limit=2&cursor=")
        assert link.endswith('>; rel="next"')
        following = http.get(link[1 : link.index(">")], headers=headers)
        assert [doc["id"] for doc in following.json()["data"]] == [ID_C]
        assert response.headers.get("server") is None


def test_plain_http_on_the_same_port_fails(running: tuple[str, Path]) -> None:
    base, _ = running
    with httpx2.Client(timeout=10) as http, pytest.raises(httpx2.TransportError):
        http.post(
            base.replace("https://", "http://") + "/auth/token",
            data={"grant_type": "client_credentials"},
        )


def test_unverified_clients_are_refused(running: tuple[str, Path]) -> None:
    base, _ = running
    with (
        httpx2.Client(timeout=10) as http,
        pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.get(f"{base}/3/footprints")


def test_bad_certificate_files_are_reported(filled: FootprintStore, tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="cannot use the TLS certificate"):
        make_server(filled, "127.0.0.1", 0, tmp_path / "missing.pem", tmp_path / "key.pem")
