"""`footprint publish`, `clients add` and `serve` as a user runs them: a real HTTPS server process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.paths import examples_dir

GLASS = examples_dir() / "float-glass.yaml"


def test_publish_twice_deprecates_the_first(tmp_path: Path, runner: CliRunner) -> None:
    first = json.loads(
        runner.invoke(app, ["publish", str(GLASS), "--data-dir", str(tmp_path)]).output
    )
    second = json.loads(
        runner.invoke(app, ["publish", str(GLASS), "--data-dir", str(tmp_path)]).output
    )
    assert first["id"] != second["id"]
    assert second["precedingPfIds"] == [first["id"]]
    from footprint.exchange.store import FootprintStore

    store = FootprintStore.in_directory(tmp_path)
    old = store.get(first["id"])
    assert old is not None
    assert old["status"] == "Deprecated"


def test_clients_add_prints_id_and_secret_once(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["clients", "add", "acme", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    secret = re.search(r"^client_secret: (\S+)$", result.output, re.M)
    assert re.search(r"^client_id: \S+$", result.output, re.M)
    assert secret
    assert secret.group(1).encode() not in (tmp_path / "pact.sqlite").read_bytes()


def test_serve_needs_cert_and_key_together(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["serve", "--cert", str(tmp_path / "c.pem"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "both --cert and --key" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "footprint",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    pytest.fail("the server did not start")


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


@pytest.mark.slow
def test_served_footprints_survive_a_restart(tmp_path: Path, runner: CliRunner) -> None:
    import ssl

    import httpx2 as httpx

    added = runner.invoke(app, ["clients", "add", "acme", "--data-dir", str(tmp_path)]).output
    client_id = re.search(r"client_id: (\S+)", added).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret: (\S+)", added).group(1)  # type: ignore[union-attr]
    published = json.loads(
        runner.invoke(app, ["publish", str(GLASS), "--data-dir", str(tmp_path)]).output
    )
    port = _free_port()
    base = f"https://127.0.0.1:{port}"
    cert = tmp_path / "tls" / "cert.pem"
    for _ in range(2):  # the second round is after a restart
        server = _start(tmp_path, port)
        try:
            certificate = next((tmp_path / "tls").glob("*cert*.pem"), cert)
            context = ssl.create_default_context(cafile=str(certificate))
            with httpx.Client(verify=context, timeout=10) as client:
                token = client.post(
                    f"{base}/auth/token",
                    auth=(client_id, secret),
                    data={"grant_type": "client_credentials"},
                ).json()["access_token"]
                listed = client.get(
                    f"{base}/3/footprints", headers={"Authorization": f"Bearer {token}"}
                )
            assert listed.status_code == 200
            assert [d["id"] for d in listed.json()["data"]] == [published["id"]]
        finally:
            _stop(server)
