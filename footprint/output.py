"""Write output atomically and durably: to a temporary file beside the target, fsynced, then
renamed, and the directory fsynced so that the rename survives a power cut."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
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
                handle.flush()
                os.fsync(handle.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
            os.replace(tmp, target)
            fsync_directory(directory)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise FootprintError(
            f"cannot write: {exc.strerror or exc}",
            where=str(target),
            fix="choose a writable --out path",
        ) from None


def fsync_directory(directory: Path) -> None:
    """Make the names in ``directory`` (files created or renamed into it) durable.

    A no-op where a directory cannot be opened for syncing (Windows) or the file system refuses.
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file under ``root``, then every directory (deepest first) and ``root`` itself.

    Raises:
        OSError: a file cannot be opened or synced.
    """
    directories = [root]
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            directories.append(path)
        elif path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    for directory in sorted(directories, key=lambda d: len(d.parts), reverse=True):
        fsync_directory(directory)


def _owner_only(path: Path, mode: int, create: Callable[[], None], what: str) -> Path:
    """Create ``path`` (``create``) and give it ``mode`` when it is ours.

    Raises:
        FootprintError: it cannot be created or its mode set.
    """
    try:
        create()
        if hasattr(os, "getuid") and path.stat().st_uid == os.getuid():
            os.chmod(path, mode)
    except OSError as exc:
        raise FootprintError(
            f"cannot create the {what}: {exc.strerror or exc}",
            where=str(path),
            fix="choose a writable --data-dir",
        ) from None
    return path


def private_directory(directory: Path) -> Path:
    """Create ``directory`` (and parents) if needed and make it owner-only (0700) if ours.

    Raises:
        FootprintError: it cannot be created.
    """
    return _owner_only(
        directory,
        0o700,
        lambda: directory.mkdir(parents=True, exist_ok=True, mode=0o700),
        "directory",
    )


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, owner read/write only (0600), and return it.

    Raises:
        FootprintError: it cannot be created or its mode set.
    """
    return _owner_only(
        path, 0o600, lambda: os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)), "file"
    )
