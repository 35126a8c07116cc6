"""The PDF tests pass or skip, never error, when OS libraries are missing (a bare machine).

Each case runs the PDF test module in a fresh interpreter where the named shared libraries cannot
be loaded (cffi's ``dlopen`` refuses them, as on a machine without the OS package), under the
project's ``filterwarnings = error``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = """
import sys
import cffi
import pytest

BLOCKED = tuple(sys.argv[1].split(","))
real = cffi.FFI.dlopen

def dlopen(self, name, *args, **kwargs):
    if name is not None and any(part in str(name) for part in BLOCKED):
        raise OSError(f"cannot load library {name!r} (absent on this machine)")
    return real(self, name, *args, **kwargs)

cffi.FFI.dlopen = dlopen
sys.exit(pytest.main(["-q", "-rs", "-p", "no:cacheprovider", "tests/report/test_pdf.py"]))
"""


def _run(blocked: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, blocked],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_pdf_tests_pass_without_harfbuzz_subset() -> None:
    proc = _run("harfbuzz-subset")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " error" not in proc.stdout.splitlines()[-1]
    assert "passed" in proc.stdout.splitlines()[-1]


@pytest.mark.slow
def test_pdf_tests_skip_with_a_reason_without_pango() -> None:
    proc = _run("pango,harfbuzz")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = proc.stdout.splitlines()[-1]
    assert "skipped" in summary
    assert "error" not in summary
    assert "PDF output unavailable here" in proc.stdout
