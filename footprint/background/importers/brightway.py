"""Keep bw2data, imported by the bw2io extractors the readers use, out of the user's projects."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile


def isolate_brightway() -> None:
    """Point bw2data (imported by bw2io) at a throw-away directory unless already configured."""
    if "bw2data" in sys.modules or "BRIGHTWAY2_DIR" in os.environ:
        return
    tmp = tempfile.mkdtemp(prefix="footprint-build-uslci-bw2-")
    os.environ["BRIGHTWAY2_DIR"] = tmp
    atexit.register(shutil.rmtree, tmp, True)
