"""The parsed unit definitions cached on disk: used when the folder can be written, rebuilt when a
cache file is damaged, never needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from footprint import units

CASES = [
    ("1 t", "kg"),
    ("2.5 kWh", "MJ"),
    ("0.5703 t CO2/MWh", "kg CO2e/kWh"),
    ("3 items", "piece"),
]


def build(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> object:
    """A new registry (not the process-wide one) with ``folder`` as its cache."""
    monkeypatch.setattr(units, "_cache_folder", None)
    units.cache_definitions_in(folder)
    return units.registry.__wrapped__()


def conversions(registry: object) -> list[float]:
    ureg = registry
    return [
        float(ureg.Quantity(text).to(target).magnitude)  # type: ignore[attr-defined]
        for text, target in CASES
    ]


def test_a_cached_registry_converts_as_a_parsed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache" / "pint"
    parsed = conversions(build(monkeypatch, None))
    assert conversions(build(monkeypatch, folder)) == parsed
    written = {p: p.stat().st_mtime_ns for p in folder.glob("*.pickle")}
    assert written
    assert conversions(build(monkeypatch, folder)) == parsed  # now read from the cache
    assert {p: p.stat().st_mtime_ns for p in folder.glob("*.pickle")} == written


def test_a_folder_that_cannot_be_made_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert conversions(build(monkeypatch, blocker / "pint")) == conversions(
        build(monkeypatch, None)
    )
    assert conversions(build(monkeypatch, Path("relative/pint"))) == conversions(
        build(monkeypatch, None)
    )
    assert not Path("relative").exists()


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "pint"
    parsed = conversions(build(monkeypatch, folder))
    for pickle in folder.glob("*.pickle"):
        pickle.write_bytes(pickle.read_bytes()[:20])  # as if a process was killed while writing
    assert conversions(build(monkeypatch, folder)) == parsed
    assert conversions(build(monkeypatch, folder)) == parsed
    assert list(folder.glob("*.pickle"))


def test_the_command_line_caches_in_its_data_directory(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    example = Path(__file__).parent / "fixtures" / "hand.yaml"
    command = [sys.executable, "-m", "footprint", "calc", str(example), "--data-dir", str(data)]
    outputs = [
        subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert outputs[0].stdout == outputs[1].stdout
    assert list((data / "cache" / "pint").glob("*.pickle"))
    assert list(home.iterdir()) == []
