"""Write output atomically: to a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from footprint.errors import FootprintError


def write_text(text: str, out: str | Path | None) -> None:
    """Write ``text`` to ``out`` atomically; ``None`` or ``"-"`` means standard output.

    Raises:
        FootprintError: the target directory does not exist or is not writable.
    """
    if out is None or str(out) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write_bytes(text.encode("utf-8"), Path(out))


def write_bytes(data: bytes, target: Path) -> None:
    """Write ``data`` to ``target`` via a temporary file and an atomic rename.

    Raises:
        FootprintError: the target directory does not exist or is not writable.
    """
    if target.is_dir():
        raise FootprintError(
            "is a directory, not a file",
            where=str(target),
            fix="give a file name, e.g. --out DIR/result.json",
        )
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FootprintError(
            f"directory {directory} does not exist",
            where=str(target),
            fix="create it or choose another --out",
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise FootprintError(
            f"cannot write: {exc.strerror or exc}",
            where=str(target),
            fix="choose a writable --out path",
        ) from None
