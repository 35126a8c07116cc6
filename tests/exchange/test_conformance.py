"""The official PACT conformance tester against `footprint serve` (needs Node.js and the shared runner)."""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from footprint.exchange.outbox import deliveries, remember_request
from footprint.exchange.partners import PactHost
from footprint.exchange.replies import EVENT_FULFILLED, EVENT_REJECTED
from footprint.exchange.store import FootprintStore
from tests.exchange.conftest import FOOTPRINT_A, FOOTPRINT_B, serving

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT.parent / "shared" / "pact-conformance" / "run-conformance"


@pytest.mark.slow
@pytest.mark.skipif(
    not RUNNER.exists(), reason="the conformance runner is not beside this checkout"
)
@pytest.mark.skipif(
    shutil.which("node") is None, reason="Node.js is not installed (.ci/run installs it)"
)
def test_official_conformance_tester_passes() -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", str(ROOT / ".ci" / "pact-conformance")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-500:]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.fullmatch(r"\d+ passed, 0 failed", last), last


# --- cases 13 and 14.B: the answers, sent back to a second local host -------------------------
#
# The tester's CLI cannot judge them: it marks callback cases PENDING without any request
# (tester/src/utils/runTestCase.ts, lines 95-104); their verdict comes only from its
# EventHandler (src/services/event-handler.ts), run by the hosted service's /3/events listener
# (src/server.ts, lines 66-76) over a PostgreSQL database (src/data/index.ts, lines 6-11). Its
# callback URL is configurable (CONFORMANCE_API, src/config.ts; the runner keeps a value set in
# the environment). So: the tester's requests name a second footprint host as their source, the
# host under test answers there, and the tester's own EventHandler judges what arrived.

TESTER = RUNNER.parent / "tester"
JUDGE = Path(__file__).parent / "pact_callback_judge.js"
_RUN_ID = re.compile(r"Executing test run ([0-9a-f-]{36})")


def _tester_dir() -> Path:
    """Where the runner installed the tester's dependencies (a copy where it is read-only)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for tester in (TESTER, cache / "pact-conformance" / "tester"):
        if (tester / "node_modules" / "ts-node").is_dir():
            return tester
    pytest.fail("the runner installed no tester dependencies")


def _judge(run_id: str, product_ids: list[str], events: list[dict[str, Any]]) -> dict[str, Any]:
    """The tester's verdicts (by test key) on ``events``, received at ``/3/events``."""
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "PORT": "0",
        "LOG_OUTPUT": "console",
        "NODE_NO_WARNINGS": "1",
        "DB_CONNECTION_STRING": "postgres://unused@127.0.0.1:1/unused",
        "CONFORMANCE_API": "http://127.0.0.1:9",
    }
    payload = {
        "testRunId": run_id,
        "productIds": product_ids,
        "events": [{"path": "/3/events", "event": e} for e in events],
    }
    proc = subprocess.run(
        ["node", str(JUDGE), str(_tester_dir())],
        input=json.dumps(payload),
        env=env,
        cwd=JUDGE.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULTS ")]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert lines, proc.stdout[-2000:]
    return {r["testKey"]: r for r in json.loads(lines[-1][len("RESULTS ") :])}


def _first_product_ids(base: str, cert: Path, credentials: tuple[str, str]) -> list[str]:
    """The productIds of the first footprint listed, as the tester's setup reads them."""
    import httpx2

    with httpx2.Client(verify=ssl.create_default_context(cafile=str(cert)), timeout=20) as http:
        token = http.post(
            f"{base}/auth/token", data={"grant_type": "client_credentials"}, auth=credentials
        ).json()["access_token"]
        listed = http.get(f"{base}/3/footprints", headers={"Authorization": f"Bearer {token}"})
    return list(listed.json()["data"][0]["productIds"])


@pytest.mark.skipif(
    not RUNNER.exists(), reason="the conformance runner is not beside this checkout"
)
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_callback_cases_13_and_14b_against_a_second_local_host(tmp_path: Path) -> None:
    owner = FootprintStore.in_directory(tmp_path / "owner")  # the host under test
    for doc, product in ((FOOTPRINT_A, "rebar-12mm"), (FOOTPRINT_B, "cem-1")):
        owner.add(doc, product)
    callback = FootprintStore.in_directory(tmp_path / "callback")  # the tester's own host
    tester_client = owner.add_client("conformance tester")
    owner_on_callback = callback.add_client("data owner")
    log = tmp_path / "tester.log"
    with (
        serving(callback, tmp_path / "callback-tls") as (callback_base, callback_cert),
        serving(owner, tmp_path / "owner-tls") as (base, cert),
    ):
        # the tester's host, known to the owner as a partner host (any client may register it)
        partner, _ = owner.add_client("conformance tester's host")
        owner.set_reply_endpoint(
            partner,
            PactHost(
                callback_base,
                f"{callback_base}/auth/token",
                *owner_on_callback,
                ca_file=str(callback_cert),
            ),
        )
        proc = subprocess.run(
            [
                "bash",
                str(RUNNER),
                *("--base-url", base, "--client-id", tester_client[0]),
                *("--client-secret", tester_client[1], "--test-cases", "12-14"),
                *("--log", str(log)),
            ],
            env={**os.environ, "CONFORMANCE_API": callback_base},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        summary = proc.stdout.strip().splitlines()
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        assert summary[-1] == "2 passed, 0 failed", summary[-1]  # 12 and 14.A; 13, 14.B N/A
        found = _RUN_ID.search(log.read_text(encoding="utf-8"))
        assert found, "the tester logged no test run id"
        run = found.group(1)
        # the callback host accepts answers only to requests it knows (as the hosted tester
        # knows its test runs); the owner's outbox retries until they are accepted
        for case in ("12", "14.A"):
            remember_request(callback, {"id": f"{run}/{case}"}, base)
        deadline = time.monotonic() + 120
        answers: dict[str, dict[str, Any]] = {}
        while time.monotonic() < deadline and len(answers) < 2:
            answers = {e["data"]["requestEventId"]: e for e in callback.events()}
            time.sleep(0.5)
        product_ids = _first_product_ids(base, cert, tester_client)
    assert set(answers) == {f"{run}/12", f"{run}/14.A"}, deliveries(owner)
    assert answers[f"{run}/12"]["type"] == EVENT_FULFILLED
    assert answers[f"{run}/14.A"]["type"] == EVENT_REJECTED
    verdicts = _judge(run, product_ids, list(answers.values()))
    for key in ("TESTCASE#13", "TESTCASE#14.B"):
        assert verdicts[key]["status"] == "SUCCESS", verdicts[key]
    # the judge fails an answer for other products than the ones requested
    wrong = _judge(run, ["urn:example:not-requested"], [answers[f"{run}/12"]])
    assert wrong["TESTCASE#13"]["status"] == "FAILURE", wrong
