"""Putting an imported database in place safely, and tidying up after imports that were killed.

An import of ``NAME`` into a backgrounds directory ``ROOT``:

1. holds an exclusive lock on ``ROOT/.NAME.lock`` (``flock``) for its whole run, so a second
   import of the same name at the same time is refused;
2. writes the tables into ``ROOT/.NAME.importing-*`` and fsyncs them;
3. renames any previous ``ROOT/NAME`` to ``ROOT/.NAME.old-*/NAME``, renames the new directory to
   ``ROOT/NAME`` (fsyncing ``ROOT`` after each rename), then deletes the old one.

A process killed along the way leaves these directories behind. The next run that takes the lock
of ``NAME`` (an import), or finds them while the lock is free (loading or listing backgrounds),
puts a hidden ``.NAME.old-*/NAME`` back if ``NAME`` is missing, then deletes them: the database is
then the old one or the new one, whole, never missing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from footprint.errors import FootprintError
from footprint.output import fsync_directory, fsync_tree

_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>importing|old)-[a-z0-9_]+")


def _try_lock(root: Path, name: str) -> int | None:
    """A descriptor holding the lock of ``name`` (close it to release), or None if it is held.

    Raises:
        OSError: the lock file cannot be created or locked for another reason.
    """
    fd = os.open(root / f".{name}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _leftovers(root: Path) -> dict[str, list[Path]]:
    """Temporary and hidden-old directories of killed imports, by database name."""
    found: dict[str, list[Path]] = {}
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return found
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match and entry.is_dir():
            found.setdefault(match["name"], []).append(entry)
    return found


def _tidy(root: Path, name: str) -> None:
    """With the lock of ``name`` held: restore a hidden database if ``NAME`` is missing, then
    delete what killed imports left."""
    leftovers = _leftovers(root).get(name, [])
    target = root / name
    if not target.exists():
        hidden = [d / name for d in leftovers if ".old-" in d.name and (d / name).is_dir()]
        if hidden:
            newest = max(hidden, key=lambda d: d.parent.stat().st_mtime_ns)
            os.replace(newest, target)
            fsync_directory(root)
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def exclusive(root: Path, name: str) -> Iterator[None]:
    """Hold the import lock of ``name`` in ``root`` (tidying its leftovers first).

    Raises:
        FootprintError: another import of ``name`` is running, or ``root`` is not writable.
    """
    try:
        fd = _try_lock(root, name)
    except OSError as exc:
        raise FootprintError(
            f"cannot create the import lock: {exc.strerror}",
            where=str(root / f".{name}.lock"),
            fix="check that the data directory is writable, or pass another --data-dir",
        ) from None
    if fd is None:
        raise FootprintError(
            f"another import of {name!r} is running",
            where=str(root / name),
            fix="wait for it to finish, or import under another --name",
        )
    try:
        _tidy(root, name)
        yield
    finally:
        os.close(fd)


def recover(root: Path, name: str | None = None) -> None:
    """Tidy after killed imports of ``name`` (of every name if None) that are not running now.

    Never raises for a directory it cannot write: the leftovers then stay for the next run.
    """
    for leftover_name in sorted(_leftovers(root)):
        if name is not None and leftover_name != name:
            continue
        try:
            fd = _try_lock(root, leftover_name)
        except OSError:
            continue
        if fd is None:
            continue  # that import is running: its leftovers are its work in progress
        try:
            _tidy(root, leftover_name)
        except OSError:
            pass
        finally:
            os.close(fd)


@contextmanager
def staging(root: Path, name: str) -> Iterator[Path]:
    """A new temporary directory ``root/.NAME.importing-*``, deleted on leaving if still there."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.importing-", dir=root))
    try:
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def swap_in(new: Path, target: Path) -> None:
    """Make the directory ``new`` (in ``target``'s parent) be ``target``, durably.

    The caller holds the lock of ``target.name``. Any previous ``target`` is kept aside until the
    new one is in place, and put back if this is interrupted between the two renames.
    """
    root = target.parent
    fsync_tree(new)
    old: Path | None = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=root))
            os.replace(target, old / target.name)
            fsync_directory(old)
            fsync_directory(root)
        os.replace(new, target)
        fsync_directory(root)
    finally:
        if old is not None:
            if not target.exists():
                os.replace(old / target.name, target)  # interrupted between the renames
                fsync_directory(root)
            shutil.rmtree(old, ignore_errors=True)
