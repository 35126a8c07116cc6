"""Which backgrounds there are and how to load one by name: the shipped default (USLCI plus
grid factors), the other shipped ones (``tiangong``), databases imported into a data directory,
and joins of several (``a+b``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from functools import cache
from pathlib import Path

from footprint.background.columnar import TABLES
from footprint.background.grid import grid_background
from footprint.background.importer import backgrounds_dir, imported_names
from footprint.background.proxies import FILE_NAME as PROXIES_FILE
from footprint.background.proxies import apply_proxies
from footprint.background.store import DEFAULT, Background, combine, read_table_dir
from footprint.background.swap import recover
from footprint.errors import BackgroundError
from footprint.paths import background_dir, default_data_dir

__all__ = ["DEFAULT", "SHIPPED", "default_background", "load_background", "shipped_background"]

#: Shipped backgrounds besides the default, by name (a directory of ``inventories/background``).
SHIPPED = ("tiangong",)


@cache
def default_background() -> Background:
    """The shipped default: USLCI (converted) plus cited grid electricity factors."""
    root = background_dir()
    uslci = read_table_dir(root / "uslci", "uslci")
    uslci = replace(
        uslci,
        sources=[
            f"USLCI, US Federal LCA Commons (uslci-content {uslci.version[:12]}), MIT licence"
        ],
    )
    grid = grid_background(root / "grid" / "grid_factors.csv")
    # the source commit and a digest of the converted tables: a rebuild with other corrections,
    # links or allocations is another version of the background
    tables = json.dumps(uslci.report.get("files_sha256", {}), sort_keys=True)
    build = hashlib.sha256(tables.encode()).hexdigest()[:8]
    version = f"uslci@{uslci.version[:12]}.{build}+grid@{grid.version}"
    return combine(DEFAULT, version, [uslci, grid])


@cache
def shipped_background(name: str) -> Background:
    """A shipped background other than the default (see :data:`SHIPPED`).

    Raises:
        BackgroundError: not a shipped background, or its tables are missing.
    """
    if name not in SHIPPED:
        raise BackgroundError(
            f"no shipped background called {name!r}", fix=f"use one of {', '.join(SHIPPED)}"
        )
    return read_table_dir(background_dir() / name, name)


def load_background(name: str = DEFAULT, data_dir: Path | None = None) -> Background:
    """The background called ``name``: the shipped default or one imported into ``data_dir``.

    Args:
        name: ``default`` or ``tiangong`` (shipped), the name given at import, or several joined
            by ``+`` (e.g. ``default+suppliers`` links to the shipped data and suppliers' PACT
            footprints; ``default+tiangong`` to USLCI, the grid factors and TianGong).
        data_dir: the data directory (default: the per-user one from platformdirs).

    Raises:
        BackgroundError: no such background.
    """
    if name == DEFAULT:
        return default_background()
    if name in SHIPPED:
        return shipped_background(name)
    if "+" in name:
        names = [part.strip() for part in name.split("+")]
        parts = [load_background(part, data_dir) for part in names]
        joined = combine(name, "+".join(p.version for p in parts), parts)
        # reviewed links across the joined databases (``proxies.csv`` beside each one)
        return apply_proxies(joined, parts, [_proxies_file(n, data_dir) for n in names])
    data_dir = data_dir or default_data_dir()
    candidate = backgrounds_dir(data_dir) / name
    if not candidate.is_dir():
        recover(candidate.parent, name)  # an import killed while replacing it may have hidden it
    if candidate.is_dir():
        return _imported(candidate.resolve(), name, _stamp(candidate))
    known = ", ".join(["default", *SHIPPED, *imported_names(data_dir)])
    raise BackgroundError(
        f"no background called {name!r} in {data_dir} (known: {known})",
        fix="import it first with `footprint import PATH --format ... --name NAME`, or pass the "
        "--data-dir it was imported into",
    )


def _proxies_file(name: str, data_dir: Path | None) -> Path | None:
    """The mapping file kept beside the background ``name`` (see :mod:`.proxies`), if any."""
    if name == DEFAULT or "+" in name:
        return None
    if name in SHIPPED:
        return background_dir() / name / PROXIES_FILE
    return backgrounds_dir(data_dir or default_data_dir()) / name / PROXIES_FILE


def _stamp(directory: Path) -> tuple[int, ...]:
    """Modification times of the import report and the table files of an imported database."""
    names = ["build_report.json"] + [f"{t}.{e}" for t in TABLES for e in ("csv.gz", "csv")]
    paths = [directory / n for n in names]
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


@cache
def _imported(directory: Path, name: str, stamp: tuple[int, ...]) -> Background:
    """Read once per import (``stamp`` changes when the database is re-imported, or a table
    file is written again)."""
    del stamp
    return read_table_dir(directory, name)
