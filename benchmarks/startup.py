"""Start-up figures of the scale benchmark: how long a background takes to load, and a whole
``footprint calc`` process against a bare ``import pandas, scipy.sparse.linalg``.

Used by :mod:`benchmarks.bench_scale`; each function returns plain JSON-able numbers.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The example computed by the whole-command comparison.
EXAMPLE = Path("inventories") / "examples" / "steel-rebar-eaf.yaml"
BARE = [sys.executable, "-c", "import pandas, scipy.sparse.linalg"]


def background_load(directory: Path, repeat: int) -> dict[str, Any]:
    """Seconds to read the background tables in ``directory``: from their columnar copies (the
    fastest of ``repeat`` reads, wall and CPU) and from the CSV tables alone (one read)."""
    from footprint.background import columnar as copies
    from footprint.background import store

    def best(call: Callable[[], Any]) -> tuple[float, float]:
        wall = cpu = float("inf")
        for _ in range(max(repeat, 1)):
            w, c = time.perf_counter(), time.process_time()
            call()
            wall = min(wall, time.perf_counter() - w)
            cpu = min(cpu, time.process_time() - c)
        return wall, cpu

    columnar = sorted(p.name for p in directory.glob(f"*{copies.COLUMNAR_SUFFIX}"))
    wall, cpu = best(lambda: store.read_table_dir(directory, "bench"))
    read_columnar = copies._read_columnar
    copies._read_columnar = lambda *args, **kwargs: None  # the CSV tables alone, for comparison
    try:
        w = time.perf_counter()
        store.read_table_dir(directory, "bench")
        csv_wall = time.perf_counter() - w
    finally:
        copies._read_columnar = read_columnar
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "csv_seconds": csv_wall,
        "columnar_files": columnar,
    }


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system) of one process, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    ).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def calc_vs_bare_import(root: Path, data_dir: Path, runs: int) -> dict[str, Any]:
    """``python -m footprint calc EXAMPLE --format json`` against ``python -c "import pandas,
    scipy.sparse.linalg"``, each run in turn (A B A B …) after one warm-up of each (which also
    fills the unit-definition cache in ``data_dir``); the ratios are taken pair by pair, so that
    they hold when the machine's speed drifts, and their medians reported."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OPENBLAS_NUM_THREADS": "1"}
    calc = [
        sys.executable,
        "-m",
        "footprint",
        "calc",
        str(EXAMPLE),
        "--format",
        "json",
        "--data-dir",
        str(data_dir),
    ]
    codes = {_run(calc, root, env)[2], _run(BARE, root, env)[2]}
    pairs = []
    for _ in range(max(runs, 1)):
        a, b = _run(calc, root, env), _run(BARE, root, env)
        codes |= {a[2], b[2]}
        pairs.append((a, b))
    if codes != {0}:
        return {"error": f"a process exited with {sorted(codes - {0})}"}
    return {
        "runs": len(pairs),
        "calc_seconds": statistics.median(a[0] for a, _ in pairs),
        "bare_import_seconds": statistics.median(b[0] for _, b in pairs),
        "calc_cpu_seconds": statistics.median(a[1] for a, _ in pairs),
        "bare_import_cpu_seconds": statistics.median(b[1] for _, b in pairs),
        "ratio": statistics.median(a[0] / b[0] for a, b in pairs),
        "cpu_ratio": statistics.median(a[1] / b[1] for a, b in pairs),
    }
