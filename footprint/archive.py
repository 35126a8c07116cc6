"""Size limits on zip archives, checked from the central directory before anything is unpacked.

A small archive can expand to gigabytes (a "zip bomb"). Every reader of user-supplied zips opens
them with :func:`open_zip` (or checks an open one with :func:`check_zip`), which refuses:

* a total uncompressed size above :data:`MAX_TOTAL_BYTES` (4 GiB: room for an EcoSpold 2
  release of ecoinvent's size, unpacked to a temporary directory);
* a member above :data:`MAX_MEMBER_BYTES` (256 MiB: members are read whole into memory);
* a member above :data:`RATIO_CHECKED_ABOVE` (4 MiB) compressed more than :data:`MAX_RATIO`
  to 1 (XML compresses about 5–30 to 1; a run of zeros about 1000 to 1).

The sizes come from the archive's own directory; Python's :mod:`zipfile` never returns more than
a member's declared size, so a lying directory cannot get past them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from footprint.errors import FootprintError

MAX_TOTAL_BYTES = 4 * 1024**3
MAX_MEMBER_BYTES = 256 * 1024**2
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 4 * 1024**2

_FIX = "unpack the archive yourself and give the directory (check where it came from first)"


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{n / 1024**2:.1f} MiB"


def check_zip(
    archive: zipfile.ZipFile,
    where: str | Path,
    *,
    max_total: int | None = None,
    max_member: int | None = None,
    max_members: int | None = None,
    max_ratio: int | None = None,
    error: type[FootprintError] = FootprintError,
    fix: str = _FIX,
) -> None:
    """Refuse an archive that would expand beyond the limits of this module (or those given).

    Args:
        archive: an open archive (nothing is read but its directory).
        where: the archive's path, for the message.
        max_total, max_member, max_members, max_ratio: limits other than the module's, e.g. for
            an Excel workbook, which is far smaller than a database release.
        error, fix: the error class raised and the fix it names.

    Raises:
        FootprintError: (of class ``error``) naming the archive and the offending member.
    """
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    max_member = MAX_MEMBER_BYTES if max_member is None else max_member
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    members = archive.infolist()
    if max_members is not None and len(members) > max_members:
        raise error(
            f"the archive holds {len(members):,} members; at most {max_members:,} are read",
            where=str(where),
            fix=fix,
        )
    total = 0
    for member in members:
        size, packed = member.file_size, member.compress_size
        if size > max_member:
            raise error(
                f"member {member.filename!r} expands to {_size(size)}, more than the "
                f"{_size(max_member)} allowed for one member",
                where=str(where),
                fix=fix,
            )
        if size > RATIO_CHECKED_ABOVE and size > max_ratio * max(packed, 1):
            raise error(
                f"member {member.filename!r} expands {size // max(packed, 1)}-fold "
                f"({_size(packed)} to {_size(size)}), more than the {max_ratio}-fold allowed: "
                "it looks like a zip bomb",
                where=str(where),
                fix=fix,
            )
        total += size
        if total > max_total:
            raise error(
                f"the members up to {member.filename!r} expand to more than the "
                f"{_size(max_total)} allowed for this archive",
                where=str(where),
                fix=fix,
            )


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open the zip archive at ``path`` for reading, after :func:`check_zip`.

    Raises:
        FootprintError: not a readable zip archive, or beyond the size limits.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FootprintError(
            f"not a readable zip archive ({type(exc).__name__}: {exc})",
            where=str(path),
            fix="give a complete .zip file (download it again if it was cut short)",
        ) from None
    try:
        check_zip(archive, path)
    except BaseException:
        archive.close()
        raise
    return archive
