"""Files are fsynced before they are renamed into place, and their directory after."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from footprint.background import swap
from footprint.background.store import Background
from footprint.engine.intensities import background_intensities
from footprint.output import write_bytes

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/fd")

Events = list[tuple[str, str]]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Events:
    """("fsync", path) and ("replace", destination) in the order they happen."""
    seen: Events = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd: int) -> None:
        seen.append(("fsync", os.path.realpath(os.readlink(f"/proc/self/fd/{fd}"))))
        fsync(fd)

    def recording_replace(src: str | Path, dst: str | Path) -> None:
        seen.append(("replace-from", os.path.realpath(src)))
        replace(src, dst)
        seen.append(("replace", os.path.realpath(dst)))

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "replace", recording_replace)
    return seen


def assert_synced_then_renamed(events: Events, target: Path) -> None:
    """The file was fsynced under its temporary name, renamed to ``target``, then the directory."""
    source = events[events.index(("replace", str(target.resolve()))) - 1]
    assert source[0] == "replace-from"
    renamed = events.index(source)
    assert ("fsync", source[1]) in events[:renamed]
    assert ("fsync", str(target.resolve().parent)) in events[renamed:]


def test_written_output_is_synced(tmp_path: Path, events: Events) -> None:
    write_bytes(b"result", tmp_path / "out.json")
    assert (tmp_path / "out.json").read_bytes() == b"result"
    assert_synced_then_renamed(events, tmp_path / "out.json")


def test_the_intensities_cache_is_synced(
    mini_background: Background, tmp_path: Path, events: Events
) -> None:
    background_intensities(mini_background, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("intensities-*.npz")
    assert_synced_then_renamed(events, cached)


def test_imported_tables_are_synced_before_the_swap(tmp_path: Path, events: Events) -> None:
    target = tmp_path / "mini"
    target.mkdir()
    with swap.exclusive(tmp_path, "mini"), swap.staging(tmp_path, "mini") as new:
        for name in ("activities.csv.gz", "flows.csv.gz"):
            (new / name).write_bytes(b"table")
        swap.swap_in(new, target)
    assert_synced_then_renamed(events, target)
    moved = events.index(("replace", str(target.resolve())))
    for name in ("activities.csv.gz", "flows.csv.gz"):
        staged = [e for e in events[:moved] if e[0] == "fsync" and e[1].endswith(f"/{name}")]
        assert staged
        assert ".mini.importing-" in staged[0][1]
