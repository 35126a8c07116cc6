"""Import an LCI database (openLCA JSON-LD, EcoSpold 1/2, SimaPro CSV, ILCD) into the data directory.

Each imported database becomes a directory of background tables under ``DATA_DIR/backgrounds/NAME``
(the format of the shipped background), written to a temporary directory and swapped in by rename
under a lock per name (see :mod:`footprint.background.swap`), so an interrupted or killed import
leaves any previous database of that name intact, and two imports of one name cannot both run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.background.swap import exclusive, recover, staging, swap_in
from footprint.errors import BackgroundError, FootprintError
from footprint.safeload import load_json, read_text

FORMATS = ("jsonld", "ecospold1", "ecospold2", "simapro-csv", "ilcd", "pact")
#: Names of shipped backgrounds, which an import may not take.
RESERVED = ("default", "tiangong")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

#: progress(stage, done, total): stage is a short description; total 0 means unknown.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts, unlinked exchanges by reason, unit conversions, time."""

    name: str
    format: str
    source: str
    directory: Path
    report: dict[str, Any]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        """Processes, activities, exchanges and flows written."""
        return dict(self.report.get("counts", {}))

    @property
    def unlinked(self) -> int:
        """Exchanges that reach no activity or flow (listed in unlinked.csv.gz)."""
        return int(sum(self.report.get("unlinked_by_reason", {}).values()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "name": self.name,
            "format": self.format,
            "source": self.source,
            "directory": str(self.directory),
            "seconds": round(self.seconds, 2),
            "counts": self.counts,
            "unlinked_exchanges": self.unlinked,
            "unlinked_by_reason": self.report.get("unlinked_by_reason", {}),
            "exchanges": self.report.get("exchanges", {}),
            "unit_conversions": self.report.get("unit_conversions", {}),
            "flows_by_gas": self.report.get("flows_by_gas", {}),
            "ghg_flows_not_characterised": len(self.report.get("ghg_not_characterised", [])),
        }


def backgrounds_dir(data_dir: Path) -> Path:
    """Where imported backgrounds live inside ``data_dir``."""
    return data_dir / "backgrounds"


def _convert(path: Path, fmt: str, progress: Progress) -> Any:
    if fmt == "jsonld":
        from footprint.background.build_uslci import build_tables, read_source

        progress("reading JSON-LD", 0, 0)
        source = read_source(path)
        progress("linking and converting units", 0, 0)
        return build_tables(source, commit="unknown")
    if fmt == "ecospold1":
        from footprint.background.ecospold import convert_ecospold1

        return convert_ecospold1(
            path, progress=lambda d, t: progress("converting EcoSpold 1", d, t)
        )
    if fmt == "ecospold2":
        from footprint.background.ecospold import convert_ecospold2

        return convert_ecospold2(
            path, progress=lambda d, t: progress("converting EcoSpold 2", d, t)
        )
    if fmt == "pact":
        return _convert_pact(path, progress)
    if fmt == "ilcd":
        from footprint.background.ilcd_convert import convert_ilcd

        return convert_ilcd(path, progress=lambda d, t: progress("reading ILCD processes", d, t))
    from footprint.background.simapro import convert_simapro_csv

    return convert_simapro_csv(path, progress=lambda d, t: progress("converting SimaPro CSV", d, t))


def _convert_pact(path: Path, progress: Progress) -> Any:
    """Suppliers' PACT footprints (one document, a list, or ``{"data": [...]}``) as background tables."""
    from footprint.background.build_uslci import ACTIVITY_COLUMNS, Build
    from footprint.background.lci import fmt
    from footprint.background.pact_background import pact_as_background
    from footprint.pact.model import from_pact

    _, text = read_text(path)
    data = load_json(text, source=str(path))
    documents = data.get("data", data) if isinstance(data, dict) else data
    documents = [documents] if isinstance(documents, dict) else documents
    if not isinstance(documents, list) or not documents:
        raise FootprintError(
            "no ProductFootprint found",
            where=str(path),
            fix='give one ProductFootprint, a list, or a {"data": [...]} response',
        )
    footprints = []
    for i, document in enumerate(documents):
        progress("reading PACT footprints", i, len(documents))
        footprints.append(from_pact(document))
    bg = pact_as_background(footprints, name=path.stem)
    acts = bg.activities.fillna("")
    tables: dict[str, list[tuple[str, ...]]] = {
        "activities": sorted(
            tuple(str(a.get(c, "")) for c in ACTIVITY_COLUMNS)
            for a in acts.rename(columns={"source": "description_source"}).to_dict("records")
        ),
        "technosphere": [],
        "biosphere": sorted(
            (str(b.activity), str(b.flow), fmt(float(str(b.amount))))
            for b in bg.biosphere.itertuples()
        ),
        "flows": sorted(tuple(str(v) for v in row) for row in bg.flows.itertuples(index=False)),
        "unlinked": [],
    }
    report: dict[str, Any] = {
        "counts": {
            "processes_read": len(footprints),
            "activities_written": len(footprints),
            "technosphere_exchanges": 0,
            "biosphere_exchanges": len(tables["biosphere"]),
            "elementary_flows": len(tables["flows"]),
        },
        "unlinked_by_reason": {},
        "suspect_references": [{"id": k, "note": v} for k, v in bg.suspect.items()],
    }
    return Build(tables, report)


def _check(path: Path, fmt: str, name: str, target: Path, replace: bool) -> None:
    if fmt not in FORMATS:
        raise FootprintError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    if not _NAME.fullmatch(name) or name in RESERVED:
        raise FootprintError(
            f"invalid database name {name!r}",
            fix="use letters, digits, '.', '_' or '-' (not 'default' or 'tiangong', the names of "
            "shipped backgrounds)",
        )
    if not path.exists():
        raise FootprintError("no such file or directory", where=str(path), fix="check the path")
    if target.exists() and not replace:
        raise BackgroundError(
            f"a database called {name!r} already exists in {target.parent}",
            fix="choose another --name, or pass --replace to overwrite it",
        )


def _use_data_dir_for_brightway(data_dir: Path) -> None:
    """bw2io imports bw2data, which opens a project: keep it inside ``data_dir``, never a global one."""
    if "bw2data" not in sys.modules:
        (data_dir / "brightway").mkdir(parents=True, exist_ok=True)
        os.environ["BRIGHTWAY2_DIR"] = str(data_dir / "brightway")
        with contextlib.redirect_stdout(io.StringIO()):  # bw2data logs its data directory on import
            import bw2data  # noqa: F401


def import_database(
    path: str | Path,
    *,
    fmt: str,
    name: str,
    data_dir: Path,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Convert the database at ``path`` and store it as background ``name`` in ``data_dir``.

    Raises:
        FootprintError: unknown format, bad name, missing source, existing name without ``replace``,
            another import of ``name`` running, or a source the converter cannot read (any
            exception of a reader, except ``MemoryError``, becomes one naming the source).
    """
    path = Path(path)
    target = backgrounds_dir(data_dir) / name
    _check(path, fmt, name, target, replace)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target.parent)  # what killed imports of other names left
    with exclusive(target.parent, name):
        _check(path, fmt, name, target, replace)  # again: another import may have just finished
        return _import_locked(path, fmt, name, data_dir, target, progress)


def _import_locked(
    path: Path, fmt: str, name: str, data_dir: Path, target: Path, progress: Progress | None
) -> ImportReport:
    from footprint.background.build_uslci import write_build

    report_progress: Progress = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    _use_data_dir_for_brightway(data_dir)
    try:
        build = _convert(path, fmt, report_progress)
    except (FootprintError, MemoryError):
        raise
    except Exception as exc:  # third-party readers raise anything on malformed files
        raise FootprintError(
            f"cannot read it as {fmt}: {type(exc).__name__}: {exc}",
            where=str(path),
            fix="check --format, and that the file is a complete export",
        ) from None

    report_progress("writing tables", 0, 0)
    imported_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    build.report.update(
        {
            "dataset": name,
            "source_format": fmt,
            "source_path": str(path.resolve()),
            "version": f"imported {imported_at}",
            "sources": [f"{name}: imported from {path.name} ({fmt}) on {imported_at}"],
        }
    )
    build.report.pop("source_repository", None)
    with staging(target.parent, name) as tmp:
        written = write_build(build, tmp)
        swap_in(tmp, target)
    return ImportReport(name, fmt, str(path), target, written, time.perf_counter() - started)


def imported_names(data_dir: Path) -> list[str]:
    """Names of the databases imported into ``data_dir`` (after tidying up killed imports)."""
    root = backgrounds_dir(data_dir)
    if not root.is_dir():
        return []
    recover(root)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_report(data_dir: Path, name: str) -> dict[str, Any]:
    """The import report of database ``name``."""
    path = backgrounds_dir(data_dir) / name / "build_report.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}
