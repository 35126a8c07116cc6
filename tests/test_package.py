"""Import has no side effects; the public API is pinned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import footprint

PROBE = """
import json, os, sys
reads = []
class Watch(type(os.environ)):
    pass
original = os.environ
class Recorder(dict):
    def __getitem__(self, key):
        reads.append(key); return original[key]
    def get(self, key, default=None):
        reads.append(key); return original.get(key, default)
    def __contains__(self, key):
        reads.append(key); return key in original
os.environ = Recorder(original)
os.getenv = lambda key, default=None: (reads.append(key), original.get(key, default))[1]
import footprint
print(json.dumps(sorted(set(reads))))
"""


def test_import_creates_no_files_and_reads_no_environment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_public_api() -> None:
    assert footprint.__all__ == [
        "Background",
        "FootprintError",
        "FootprintResult",
        "Inventory",
        "__version__",
        "background_intensities",
        "calculate",
        "check_labels",
        "export_pact",
        "load_background",
        "monte_carlo",
        "read_inventory",
        "render_html",
        "run_batch",
        "verify",
    ]
    for name in footprint.__all__:
        assert getattr(footprint, name) is not None


def test_calculation_creates_no_files_outside_its_output(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env.pop("BRIGHTWAY2_DIR", None)
    example = Path(__file__).parent / "fixtures" / "hand.yaml"
    code = (
        "import sys, footprint; r = footprint.calculate(sys.argv[1]); "
        "print(r.total, 'bw2data' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(example)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    total, bw2data_imported = proc.stdout.split()
    assert float(total) > 0
    assert bw2data_imported == "False"
    assert list(home.iterdir()) == []
