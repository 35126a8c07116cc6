"""An unexpected exception is a bug: write its details to a file, say so in one line, exit 3."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

BUG_EXIT_CODE = 3


def _crash_dir() -> Path:
    """Where crash reports go: ``FOOTPRINT_CRASH_DIR``, else the per-user log directory."""
    configured = os.environ.get("FOOTPRINT_CRASH_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_log_path

    return user_log_path("footprint")


def write_crash_report(exc: BaseException) -> Path | None:
    """Write the traceback of ``exc`` with the command line and versions; the file, or None."""
    from footprint import __version__

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    text = "".join(
        [
            f"footprint {__version__}, Python {platform.python_version()}, {platform.platform()}\n",
            f"command: {' '.join(sys.argv)}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    for directory in (_crash_dir(), Path(tempfile.gettempdir())):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".txt", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def report_bug(exc: BaseException) -> int:
    """Report ``exc`` as a bug on stderr (one line) and return the exit code for bugs (3)."""
    path = write_crash_report(exc)
    where = f"details written to {path}" if path else "no details could be written"
    summary = (
        f"{type(exc).__name__}: {exc}".splitlines()[0][:300] if str(exc) else type(exc).__name__
    )
    sys.stderr.write(
        f"internal error: this is a bug in footprint, not in your input ({summary}); {where}. "
        "Please report it with that file.\n"
    )
    sys.stderr.flush()
    return BUG_EXIT_CODE
