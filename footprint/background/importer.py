"""Import an LCI database (openLCA JSON-LD, EcoSpold 1/2, SimaPro CSV, ILCD, PACT) into a data dir.

Each imported database becomes a directory of background tables under ``DATA_DIR/backgrounds/NAME``
(the format of the shipped background), written to a temporary directory and swapped in by rename
under a lock per name (see :mod:`footprint.background.swap`), so an interrupted or killed import
leaves any previous database of that name intact, and two imports of one name cannot both run.
The readers of the formats are in :mod:`footprint.background.importers.registry`.

Re-importing a name (``replace``) keeps the reviewed files beside the old tables
(:data:`REVIEWED_FILES` and notes ``*.md``): they are copied into the new directory before it is
swapped in, and ``proxies.csv`` is checked against the new tables first
(:func:`footprint.background.proxies.check_proxies`). A row whose consumer, unlinked input or
provider in the database is gone stops the import with the file, line and field: nothing is
replaced, so the old database and its reviewed links keep working until the row is fixed
(installing tables that contradict the reviewed links would make every join with the database
fail later, far from the cause).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.background.brightway import open_in_data_dir
from footprint.background.importers.corrections import FILE_NAME as CORRECTIONS_FILE
from footprint.background.importers.linking import PROVIDERS_FILE
from footprint.background.importers.refinery import FILE_NAME as REFINERY_FILE
from footprint.background.importers.registry import FORMATS, READERS, Progress
from footprint.background.proxies import FILE_NAME as PROXIES_FILE
from footprint.background.proxies import check_proxies, read_proxies
from footprint.background.store import FINDINGS_FILE, Background, read_table_dir
from footprint.background.swap import exclusive, recover, staging, swap_in
from footprint.errors import BackgroundError, FootprintError

#: Names of shipped backgrounds, which an import may not take.
RESERVED = ("default", "tiangong")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Files written by hand beside a database's tables, kept when it is re-imported (with notes *.md)
REVIEWED_FILES = (PROXIES_FILE, FINDINGS_FILE, CORRECTIONS_FILE, PROVIDERS_FILE, REFINERY_FILE)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts, unlinked exchanges by reason, unit conversions, time."""

    name: str
    format: str
    source: str
    directory: Path
    report: dict[str, Any]
    seconds: float
    #: reviewed files kept from the database this import replaced (see :data:`REVIEWED_FILES`)
    kept: tuple[str, ...] = ()
    #: rows of the kept ``findings.csv`` whose activity is not in the new tables (never shown)
    stale_findings: tuple[str, ...] = ()

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
            "kept_files": list(self.kept),
            "stale_findings": list(self.stale_findings),
        }


def backgrounds_dir(data_dir: Path) -> Path:
    """Where imported backgrounds live inside ``data_dir``."""
    return data_dir / "backgrounds"


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
    from footprint.background.importers.tables import write_build

    report_progress: Progress = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    if (target / PROXIES_FILE).is_file():
        read_proxies(target / PROXIES_FILE)  # a malformed file stops the import before converting
    open_in_data_dir(data_dir)  # bw2io imports bw2data, which opens a project
    try:
        build = READERS[fmt](path, report_progress)
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
        found = reviewed_files(target)
        checked = {p.name for p in found} & {PROXIES_FILE, FINDINGS_FILE}
        tables = read_table_dir(tmp, name) if checked else None  # read once, for both checks
        kept = _keep_reviewed(found, tmp, name, tables)
        stale = stale_findings(tmp / FINDINGS_FILE, tables) if tables is not None else ()
        swap_in(tmp, target)
    seconds = time.perf_counter() - started
    return ImportReport(name, fmt, str(path), target, written, seconds, kept, stale)


def stale_findings(path: Path, tables: Background) -> tuple[str, ...]:
    """Rows of the reviewed ``findings.csv`` at ``path`` whose activity is not in ``tables`` (a
    re-import dropped or renamed it): ``findings.csv, line N: activity ID ...``; none if there is
    no such file. Such a finding is never shown; the row is kept for the reviewer to move or
    delete."""
    if not path.is_file():
        return ()
    activities = set(tables.activities["id"].astype(str))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        f"{path.name}, line {number}: activity {row.get('activity')!r} is not in the new tables, "
        "so its finding is no longer shown"
        for number, row in enumerate(rows, start=2)
        if str(row.get("activity") or "") not in activities
    )


def reviewed_files(directory: Path) -> list[Path]:
    """The reviewed files beside the tables in ``directory`` (:data:`REVIEWED_FILES`, ``*.md``)."""
    if not directory.is_dir():
        return []
    named = [directory / n for n in REVIEWED_FILES]
    return [p for p in named + sorted(directory.glob("*.md")) if p.is_file()]


def _keep_reviewed(
    found: list[Path], new: Path, name: str, tables: Background | None
) -> tuple[str, ...]:
    """Copy the reviewed files ``found`` beside the database being replaced into ``new`` (its
    re-import), once ``proxies.csv`` is checked against the new ``tables``; their names.

    Raises:
        BackgroundError: a row of ``proxies.csv`` does not match the new tables (naming the
            file as it is beside the old tables, with line and field).
    """
    proxies = next((p for p in found if p.name == PROXIES_FILE), None)
    if proxies is not None and tables is not None:
        try:
            check_proxies(proxies, tables)
        except BackgroundError as exc:
            raise BackgroundError(
                f"{exc.what}; nothing was replaced: the previous {name!r} and its reviewed "
                "files are unchanged",
                where=exc.where,
                fix=f"{exc.fix}; then import again",
            ) from None
    for source in found:
        shutil.copy2(source, new / source.name)
    return tuple(p.name for p in found)


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
