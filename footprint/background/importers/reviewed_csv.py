"""Reviewed data tables kept beside a background's source (corrections, preferred providers,
refinery allocation): each a UTF-8 CSV with a fixed header, read row by row with its line."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from footprint.errors import BackgroundError


def reviewed_rows(
    path: Path, columns: Sequence[str], what: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each row of the reviewed table ``path`` (``what`` names it in errors).

    Raises:
        BackgroundError: no such file, or a column of ``columns`` missing from the header.
    """
    if not path.is_file():
        raise BackgroundError(
            f"{what} not found", where=str(path), fix=f"give the path of the {what}"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise BackgroundError(
                    f"missing column(s) {', '.join(missing)}",
                    where=f"{path}, line 1",
                    fix=f"give the header {','.join(columns)}",
                )
            for row in reader:
                yield reader.line_num, {k: v or "" for k, v in row.items() if k is not None}
        except UnicodeDecodeError as exc:
            raise BackgroundError(
                f"the {what} is not UTF-8 text (byte {exc.start} of a block: "
                f"{exc.object[exc.start : exc.start + 1]!r})",
                where=f"{path}, after line {reader.line_num}",
                fix="save it as UTF-8 CSV",
            ) from None
        except csv.Error as exc:
            raise BackgroundError(
                f"not a readable CSV table: {exc}",
                where=f"{path}, line {reader.line_num}",
                fix="check quoting and line endings",
            ) from None
