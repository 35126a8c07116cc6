"""The one module that imports Brightway (bw2calc, bw_processing, bw2data, bw2io), each way guarded.

Importing bw2data opens a Brightway project: it creates a directory (in the user's home unless
``BRIGHTWAY2_DIR`` names another) and logs it. Nothing here ever uses a project, so each way in
keeps that directory where the user expects files, or away:

* :func:`calculation` gives bw2calc and bw_processing with bw2data kept out: calculations create
  no Brightway directory at all.
* :func:`open_in_data_dir` imports bw2data with its directory inside an import's data directory
  (``DATA_DIR/brightway``), never a global one.
* :func:`extractor` gives a bw2io extractor; bw2data (which bw2io imports) goes to a throw-away
  directory unless bw2data is already imported or ``BRIGHTWAY2_DIR`` is set (build scripts).

Nothing here runs at import time.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

#: the bw2io extractors the readers use, by the name :func:`extractor` takes
Extractor = Literal["json_ld", "ecospold2"]


def calculation() -> tuple[ModuleType, ModuleType]:
    """bw2calc and bw_processing, imported without bw2data.

    bw2calc imports bw2data only for its optional project-based calling convention, and importing
    bw2data creates a Brightway project directory in the user's home. Calculations here never use
    a project, so bw2data is kept out while bw2calc is first imported.
    """
    block = "bw2data" not in sys.modules and "bw2calc" not in sys.modules
    if block:
        sys.modules["bw2data"] = None  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            # bw2calc warns at import when no fast solver is installed; the result records the solver.
            warnings.simplefilter("ignore")
            import bw2calc
            import bw_processing
    finally:
        if block:
            del sys.modules["bw2data"]
    return bw2calc, bw_processing


def open_in_data_dir(data_dir: Path) -> None:
    """Import bw2data (as bw2io does) with its directory in ``data_dir``, unless already imported."""
    if "bw2data" in sys.modules:
        return
    (data_dir / "brightway").mkdir(parents=True, exist_ok=True)
    os.environ["BRIGHTWAY2_DIR"] = str(data_dir / "brightway")
    with contextlib.redirect_stdout(io.StringIO()):  # bw2data logs its data directory on import
        import bw2data  # noqa: F401


def _throw_away_directory() -> None:
    """Point bw2data at a throw-away directory unless it is imported or already configured."""
    if "bw2data" in sys.modules or "BRIGHTWAY2_DIR" in os.environ:
        return
    tmp = tempfile.mkdtemp(prefix="footprint-build-uslci-bw2-")
    os.environ["BRIGHTWAY2_DIR"] = tmp
    atexit.register(shutil.rmtree, tmp, True)


def extractor(name: Extractor) -> Any:
    """bw2io's ``JSONLDExtractor`` (``json_ld``) or ``Ecospold2DataExtractor`` (``ecospold2``),
    with bw2data kept out of the user's projects."""
    _throw_away_directory()
    if name == "json_ld":
        from bw2io.extractors.json_ld import JSONLDExtractor

        return JSONLDExtractor
    from bw2io.extractors.ecospold2 import Ecospold2DataExtractor

    return Ecospold2DataExtractor
