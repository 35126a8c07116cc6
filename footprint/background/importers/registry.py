"""The readers of ``footprint import``: source format name -> the function converting it to tables.

Each reader takes the source path and a ``progress(stage, done, total)`` callback and returns a
:class:`~footprint.background.importers.tables.Build`. The reader modules are imported when a
format is used, so that naming the formats loads no third-party reader. Nothing here runs at
import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from footprint.background.importers.tables import Build

#: progress(stage, done, total): stage is a short description; total 0 means unknown.
Progress = Callable[[str, int, int], None]
Reader = Callable[[Path, Progress], Build]


def _jsonld(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.openlca import build_tables
    from footprint.background.importers.openlca_source import read_source

    progress("reading JSON-LD", 0, 0)
    source = read_source(path)
    progress("linking and converting units", 0, 0)
    return build_tables(source, commit="unknown")


def _ecospold1(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.ecospold1 import convert_ecospold1

    return convert_ecospold1(path, progress=lambda d, t: progress("converting EcoSpold 1", d, t))


def _ecospold2(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.ecospold2 import convert_ecospold2

    return convert_ecospold2(path, progress=lambda d, t: progress("converting EcoSpold 2", d, t))


def _simapro(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.simapro import convert_simapro_csv

    return convert_simapro_csv(path, progress=lambda d, t: progress("converting SimaPro CSV", d, t))


def _ilcd(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.ilcd_convert import convert_ilcd

    return convert_ilcd(path, progress=lambda d, t: progress("reading ILCD processes", d, t))


def _pact(path: Path, progress: Progress) -> Build:
    from footprint.background.importers.pact import convert_pact

    return convert_pact(path, progress=lambda d, t: progress("reading PACT footprints", d, t))


#: Format name (``footprint import --format``) -> its reader.
READERS: Mapping[str, Reader] = {
    "jsonld": _jsonld,
    "ecospold1": _ecospold1,
    "ecospold2": _ecospold2,
    "simapro-csv": _simapro,
    "ilcd": _ilcd,
    "pact": _pact,
}
FORMATS = tuple(READERS)
