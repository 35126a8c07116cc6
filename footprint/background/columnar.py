"""Binary columnar copies of background tables (Arrow IPC), read in place of the CSV tables.

The gzip CSV tables of a background directory are the reviewable export; beside each, a copy in
Arrow IPC (zstd) is read instead, many times faster, while it records the SHA-256 of its CSV file.
``python -c "from pathlib import Path; from footprint.background.columnar import write_columnar;
write_columnar(Path('DIR'))"`` brings them up to date (until then the CSV tables are read).
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

#: The tables of a background directory, and whether their ``amount`` column is read as numbers.
TABLES = {
    "activities": True,
    "technosphere": True,
    "biosphere": True,
    "flows": True,
    "unlinked": False,
}
#: Suffix of the binary columnar copy of a table (Arrow IPC file, zstd): ``biosphere.arrow``.
COLUMNAR_SUFFIX = ".arrow"
#: Layout of the columnar copies; another layout is never read (the CSV tables are).
_COLUMNAR_FORMAT = b"footprint-columnar-1"
_COMPRESSION = "zstd"
_log = logging.getLogger(__name__)


def _csv_path(directory: Path, stem: str) -> Path:
    """The CSV file of table ``stem`` (``.csv.gz``, else ``.csv``)."""
    path = directory / f"{stem}.csv.gz"
    return path if path.exists() else directory / f"{stem}.csv"


def _read_csv(path: Path, numeric: bool) -> pd.DataFrame:
    """A CSV table as strings, with ``amount`` as floats when ``numeric``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if numeric and "amount" in frame:
        frame["amount"] = frame["amount"].astype(float)
    return frame


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _columnar_metadata(source: Path, numeric: bool) -> dict[bytes, bytes]:
    """What a columnar copy of ``source`` must record to be read in place of it."""
    return {
        b"footprint.format": _COLUMNAR_FORMAT,
        b"footprint.source": source.name.encode(),
        b"footprint.source_sha256": _sha256(source).encode(),
        b"footprint.numeric_amount": b"1" if numeric else b"0",
    }


def write_columnar(directory: Path) -> list[Path]:
    """Write a binary columnar copy of each CSV table in ``directory`` beside it.

    ``read_table_dir`` reads a copy instead of its CSV table (many times faster) only while the
    copy records the SHA-256 of that CSV file; the CSV tables stay the reviewable export. Each copy
    is an Arrow IPC file (zstd; text columns of repeated values dictionary-encoded) holding exactly
    what reading the CSV gives, with no timestamps: the same tables give the same bytes. A copy
    whose table is gone is removed. Returns the files written.
    """
    import pyarrow as pa

    written = []
    for stem, numeric in TABLES.items():
        source = _csv_path(directory, stem)
        target = directory / f"{stem}{COLUMNAR_SUFFIX}"
        if not source.exists():
            target.unlink(missing_ok=True)
            continue
        table = _repeats_encoded(
            pa.Table.from_pandas(_read_csv(source, numeric), preserve_index=False)
        )
        table = table.replace_schema_metadata(_columnar_metadata(source, numeric))
        partial = target.with_name(f".{target.name}.partial")
        options = pa.ipc.IpcWriteOptions(compression=_COMPRESSION)
        with (
            pa.OSFile(str(partial), "wb") as sink,
            pa.ipc.new_file(sink, table.schema, options=options) as writer,
        ):
            writer.write_table(table, max_chunksize=1 << 16)
        os.replace(partial, target)
        written.append(target)
    return written


def _repeats_encoded(table: Any) -> Any:
    """``table`` with each text column that repeats its values (fewer distinct values than half
    its rows: activity and flow ids of exchanges) dictionary-encoded, in order of appearance."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_large_string(column.type) or pa.types.is_string(column.type):
            if 2 * pc.count_distinct(column).as_py() < len(column):
                column = pc.dictionary_encode(column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _read_columnar(
    directory: Path, stem: str, numeric: bool, columns: list[str] | None
) -> pd.DataFrame | None:
    """The columnar copy of table ``stem`` (only ``columns`` of it, when given, as far as it has
    them), or None when there is none, it is not a copy of the CSV file there (stale: the CSV was
    changed or replaced after it was written) or it cannot be read."""
    target = directory / f"{stem}{COLUMNAR_SUFFIX}"
    if not target.exists():
        return None
    import pyarrow as pa

    source = _csv_path(directory, stem)
    try:
        with pa.OSFile(str(target)) as handle:
            schema = pa.ipc.open_file(handle).schema
            meta = schema.metadata or {}
            if (
                meta.get(b"footprint.format") != _COLUMNAR_FORMAT
                or meta.get(b"footprint.source") != source.name.encode()
                or meta.get(b"footprint.numeric_amount") != (b"1" if numeric else b"0")
                or not source.exists()
                or meta.get(b"footprint.source_sha256") != _sha256(source).encode()
            ):
                _log.info("%s is not a copy of %s; reading the CSV", target, source.name)
                return None
            names = schema.names if columns is None else [c for c in schema.names if c in columns]
            options = pa.ipc.IpcReadOptions(included_fields=[schema.names.index(n) for n in names])
            table = pa.ipc.open_file(handle, options=options).read_all()
            decoded = [
                c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                for c in table.columns
            ]
            frame: pd.DataFrame = pa.table(decoded, names=table.column_names).to_pandas()
        return frame
    except (OSError, pa.ArrowException) as exc:
        _log.info("%s cannot be read (%s); reading the CSV", target, exc)
        return None


def read_table(
    directory: Path,
    stem: str,
    columns: list[str],
    numeric: bool = True,
    only: list[str] | None = None,
) -> pd.DataFrame:
    """A table of ``directory`` as strings, with ``amount`` as floats when ``numeric``: its
    columnar copy when that matches the CSV file (see :func:`write_columnar`), else the CSV file.

    ``columns`` are added (empty) where the table lacks them; ``only`` (when given) are all the
    columns the caller uses, so that the others need not be read.
    """
    frame = _read_columnar(directory, stem, numeric, only)
    if frame is None:
        frame = _read_csv(_csv_path(directory, stem), numeric)
    for column in columns:
        if column not in frame:
            frame[column] = ""
    return frame
