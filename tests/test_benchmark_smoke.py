"""The scale benchmark runs end to end on a tiny synthetic background (a smoke test, not timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"batch_speedup", "intensities_vs_raw", "mc_speedup", "peak_mib", "activities", "solver"}


@pytest.mark.slow
def test_quick_benchmark_prints_the_ratios(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_scale",
            "--quick",
            "--activities",
            "300",
            "--flows",
            "50",
            "--products",
            "50",
            "--mc-iterations",
            "20",
            "--workdir",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary.keys() >= KEYS
    assert summary["activities"] == 300
    assert summary["checks_ok"] is True
    assert summary["peak_mib"].keys() >= {"bw_loop", "batch", "intensities", "raw_superlu", "bw_mc"}
    assert all(value > 0 for value in summary["peak_mib"].values())
    assert summary["batch_speedup"] > 0
    assert summary["intensities_vs_raw"] > 0
    assert "target met" in proc.stdout
