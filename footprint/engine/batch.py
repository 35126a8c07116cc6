"""A catalogue of products at once: background intensities computed once, products in parallel.

A catalogue is a directory of inventory files (YAML, CSV BOM, Excel) or a CSV file with a ``path``
column (relative to that file). One bad product never stops the batch: its error is collected.
Runs serially, on a Dask LocalCluster (``workers``), or on an existing Dask scheduler; results are
identical on every path.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.engine.intensities import Intensities, background_intensities
from footprint.engine.result import FootprintResult
from footprint.errors import FootprintError

INVENTORY_SUFFIXES = {".yaml", ".yml", ".csv", ".xlsx", ".xlsm"}
COLUMNS = [
    "file",
    "status",
    "error",
    "product",
    "category",
    "geography",
    "declared_amount",
    "declared_unit",
    "kg_co2e",
    "A1",
    "A2",
    "A3",
    "fossil",
    "biogenic_emissions",
    "biogenic_removals",
    "land_use_change",
    "energy_mj",
    "sha256",
    "cut_offs",  # background exchanges left out of the supply chain (count; see calc --format json)
]
CHUNK = 25  # products per Dask task


class Annotator(Protocol):
    """Adds columns to a product's row (e.g. label verdicts); must pickle to run on Dask."""

    @property
    def gwps(self) -> tuple[str, ...]:
        """GWP sets it may ask ``result_for`` for (their intensities are computed up front)."""
        ...

    def __call__(
        self, result: FootprintResult, result_for: Callable[[str], FootprintResult]
    ) -> dict[str, Any]:
        """Extra columns of the row of ``result``; ``result_for(gwp)`` gives it on another set."""
        ...


@dataclass(frozen=True)
class BatchResult:
    """One row per product computed, and the failures with their messages."""

    rows: pd.DataFrame
    failures: list[tuple[str, str]] = field(default_factory=list)
    solver: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every product computed."""
        return not self.failures


def _is_catalogue_csv(path: Path) -> bool:
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                return "path" in [c.strip() for c in next(csv.reader([line]))]
    return False


def catalogue_files(catalogue: Path) -> list[Path]:
    """The inventory files of a catalogue directory or listing CSV, in a stable order.

    Raises:
        FootprintError: not a directory nor a listing CSV, or empty.
    """
    if catalogue.is_dir():
        files = sorted(
            p
            for p in catalogue.rglob("*")
            if p.suffix.lower() in INVENTORY_SUFFIXES and not p.name.startswith(".")
        )
    elif (
        catalogue.is_file() and catalogue.suffix.lower() == ".csv" and _is_catalogue_csv(catalogue)
    ):
        with catalogue.open(encoding="utf-8-sig") as handle:
            rows = csv.DictReader(line for line in handle if not line.startswith("#"))
            files = [
                catalogue.parent / r["path"].strip() for r in rows if (r.get("path") or "").strip()
            ]
    else:
        raise FootprintError(
            "not a catalogue",
            where=str(catalogue),
            fix="give a directory of inventory files, or a CSV with a 'path' column listing them",
        )
    if not files:
        raise FootprintError(
            "the catalogue lists no inventory files",
            where=str(catalogue),
            fix=f"add files ending in {', '.join(sorted(INVENTORY_SUFFIXES))}",
        )
    return files


def _row(
    path: Path,
    intensities: dict[str, Intensities],
    background: Background,
    gwp: str,
    annotate: Annotator | None = None,
) -> dict[str, Any]:
    from footprint.engine.fast import calculate_with
    from footprint.inventory import read_inventory

    try:
        inventory = read_inventory(path)
        r = calculate_with(inventory, intensities[gwp], background)
        extra: dict[str, Any] = {}
        if annotate is not None:
            results = {gwp: r}

            def result_for(other: str) -> FootprintResult:
                if other not in results:
                    results[other] = calculate_with(inventory, intensities[other], background)
                return results[other]

            extra = annotate(r, result_for)
    except FootprintError as exc:
        return {"file": str(path), "status": "failed", "error": exc.message}
    except Exception as exc:  # noqa: BLE001 - one product's crash never stops the catalogue
        return {
            "file": str(path),
            "status": "failed",
            "error": f"internal error (a bug in footprint, not in this file): "
            f"{type(exc).__name__}: {exc}",
        }
    return {
        "file": str(path),
        "status": "ok",
        "error": "",
        "product": r.product.name,
        "category": r.product.category or "",
        "geography": r.product.geography or "",
        "declared_amount": r.declared_amount,
        "declared_unit": r.declared_unit,
        "kg_co2e": r.total,
        "A1": r.by_stage.get("A1", 0.0),
        "A2": r.by_stage.get("A2", 0.0),
        "A3": r.by_stage.get("A3", 0.0),
        "fossil": r.fossil,
        "biogenic_emissions": r.biogenic_emissions,
        "biogenic_removals": r.biogenic_removals,
        "land_use_change": r.land_use_change,
        "energy_mj": r.energy,
        "sha256": r.inventory.sha256 or "",
        "cut_offs": len(r.cut_offs),
        **extra,
    }


def _rows(
    paths: list[Path],
    intensities: dict[str, Intensities],
    background: Background,
    gwp: str,
    annotate: Annotator | None,
) -> list[dict[str, Any]]:
    return [_row(p, intensities, background, gwp, annotate) for p in paths]


def _chunks(items: list[Path], size: int) -> Iterator[list[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_batch(
    catalogue: str | Path,
    *,
    gwp: str = "ar6",
    background: str = "default",
    data_dir: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    annotate: Annotator | None = None,
) -> BatchResult:
    """Compute every product of ``catalogue``.

    Args:
        workers: run on a Dask LocalCluster with this many worker processes.
        scheduler: address of an existing Dask scheduler (e.g. ``tcp://10.0.0.5:8786``).
        cache_dir: where background intensities are cached by content hash.
        progress: called with (products done, products in all).
        annotate: adds columns to each product's row, e.g.
            :class:`footprint.labels.batch.SchemeVerdicts` (columns in order of first appearance).

    Raises:
        FootprintError: the catalogue or background cannot be used (per-product errors are collected).
    """
    files = catalogue_files(Path(catalogue))
    bg = load_background(background, data_dir)
    gwps = dict.fromkeys([gwp, *(annotate.gwps if annotate is not None else ())])
    intensities = {g: background_intensities(bg, g, cache_dir=cache_dir) for g in gwps}
    report = progress or (lambda done, total: None)
    if workers is None and scheduler is None:
        rows = []
        for i, path in enumerate(files):
            rows.append(_row(path, intensities, bg, gwp, annotate))
            report(i + 1, len(files))
    else:
        rows = _dask_rows(files, intensities, bg, gwp, annotate, workers, scheduler, report)
    extra = [c for c in dict.fromkeys(k for r in rows for k in r) if c not in COLUMNS]
    frame = pd.DataFrame(rows, columns=COLUMNS + extra)
    if extra:
        frame[extra] = frame[extra].fillna("")
    failures = [(r["file"], r["error"]) for r in rows if r["status"] == "failed"]
    return BatchResult(frame, failures, intensities[gwp].solver)


def _dask_rows(
    files: list[Path],
    intensities: dict[str, Intensities],
    background: Background,
    gwp: str,
    annotate: Annotator | None,
    workers: int | None,
    scheduler: str | None,
    report: Callable[[int, int], None],
) -> list[dict[str, Any]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(scheduler or cluster) as client:
            shared_intensities = client.scatter(intensities, broadcast=True)
            shared_background = client.scatter(background, broadcast=True)
            chunks = list(_chunks(files, CHUNK))
            futures = {
                client.submit(
                    _rows, chunk, shared_intensities, shared_background, gwp, annotate, pure=False
                ): i
                for i, chunk in enumerate(chunks)
            }
            results: list[list[dict[str, Any]]] = [[] for _ in chunks]
            done = 0
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                done += len(results[futures[future]])
                report(done, len(files))
    finally:
        if cluster is not None:
            cluster.close()
    return [row for chunk in results for row in chunk]
