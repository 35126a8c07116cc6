"""Options and error handling shared by every command."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from footprint.errors import FootprintError

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True)


def handles_errors(func: F) -> F:
    """Print a FootprintError as one paragraph on stderr and exit 2, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FootprintError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Gwp(StrEnum):
    ar6 = "ar6"
    ar5 = "ar5"
    ar4 = "ar4"


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory for imported databases (default: per-user)."),
]
Out = Annotated[
    str | None, typer.Option("--out", "-o", help="Write to this file (atomically); '-' = stdout.")
]


Schemes = Annotated[
    list[str] | None, typer.Option("--scheme", "-s", help="Label scheme id, or 'all'.")
]
OnDate = Annotated[
    str | None, typer.Option(help="Date for the label verdicts (YYYY-MM-DD); default today.")
]


def parse_day(on: str | None) -> dt.date | None:
    """The ``--on`` date, or None for today.

    Raises:
        FootprintError: not a YYYY-MM-DD date.
    """
    try:
        return dt.date.fromisoformat(on) if on else None
    except ValueError:
        raise FootprintError(f"--on {on!r} is not a date", fix="write YYYY-MM-DD") from None
