"""Where shipped data (``inventories/``, ``labels/``) and the user's data directory are.

The wheel carries the shipped data inside the package (``footprint/_shipped/``); an editable
install or a source checkout reads it from the project root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped data directory ``name`` (``"inventories"`` or ``"labels"``).

    Raises:
        FileNotFoundError: the installation is incomplete.
    """
    for candidate in (_PACKAGE / "_shipped" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"shipped data directory {name!r} not found next to {_PACKAGE}")


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of the package's data table ``footprint/data/NAME`` (UTF-8 CSV with a header)."""
    import csv
    from importlib.resources import files

    with (files("footprint") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def examples_dir() -> Path:
    """The shipped example product inventories."""
    return shipped("inventories") / "examples"


def background_dir() -> Path:
    """The shipped background data."""
    return shipped("inventories") / "background"


def default_data_dir() -> Path:
    """The user's data directory (imported databases, stores), from platformdirs; not created."""
    from platformdirs import user_data_path

    return user_data_path("footprint", appauthor=False)
