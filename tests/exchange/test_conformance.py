"""The official PACT conformance tester against `footprint serve` (needs Node.js and the shared runner)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
