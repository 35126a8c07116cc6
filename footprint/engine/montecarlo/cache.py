"""The one cache of Monte Carlo runs, keyed by content hashes (never by object identity).

It keeps, per process, the few most recent backgrounds with their distributions joined on or
defaulted, their matrices for a GWP set, and the factorisations of their technosphere matrices.
A key is a hash of what the value is made from (the background tables and version, the table
files' paths and modification times, the GWP set, the matrix arrays), so an equal background
loaded twice hits the cache, and a changed one misses it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from footprint.background.store import Background

T = TypeVar("T")

LIMIT = 8  # entries kept (of every kind together); the oldest used goes first
_ENTRIES: OrderedDict[tuple[str, str], Any] = OrderedDict()


def digest(*parts: str | bytes) -> str:
    """A hex SHA-256 of ``parts`` (each length-prefixed, so parts never run together)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    columns = "\x1f".join(map(str, frame.columns)).encode()
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy() if len(frame) else np.zeros(0)
    return columns + b"\x1e" + np.ascontiguousarray(rows).tobytes()


def background_key(background: Background) -> str:
    """A content hash of ``background``: name, version and its four tables (every column)."""
    return digest(
        background.name,
        background.version,
        *(
            _frame_bytes(frame)
            for frame in (
                background.activities,
                background.technosphere,
                background.biosphere,
                background.flows,
            )
        ),
    )


def remember(kind: str, key: str, make: Callable[[], T]) -> T:
    """The value of kind ``kind`` made from content ``key``: kept, else ``make()`` and kept."""
    entry = (kind, key)
    if entry in _ENTRIES:
        _ENTRIES.move_to_end(entry)
        value: T = _ENTRIES[entry]
        return value
    made = make()
    _ENTRIES[entry] = made
    while len(_ENTRIES) > LIMIT:
        _ENTRIES.popitem(last=False)
    return made


def clear() -> None:
    """Forget every entry."""
    _ENTRIES.clear()
