"""Options and error handling shared by every command."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
from rich.console import Console, RenderableType
from rich.text import Text

from footprint.cli.bugs import report_bug
from footprint.errors import FootprintError

F = TypeVar("F", bound=Callable[..., Any])


def console(*, stderr: bool = False, **options: Any) -> Console:
    """A rich console that shows text verbatim: user and data text is never parsed as markup.

    Styling is given explicitly (``style=``, :class:`rich.text.Text`), so a process id such as
    ``[/x]`` or a location such as ``[RNA]`` prints as written.
    """
    return Console(stderr=stderr, markup=False, highlight=False, **options)


err = console(stderr=True)


def show_table(table: RenderableType, lines: Sequence[str], out: str | None, width: int) -> None:
    """Print ``table`` and the plain ``lines`` under it, or write both as plain text (``width``
    columns) to the file ``out``."""
    if out in (None, "-"):
        console().print(table)
        for line in lines:
            console().print(line, soft_wrap=True)
        return
    import io

    from footprint.output import write_text

    buffer = io.StringIO()
    console(file=buffer, width=width, no_color=True).print(table)
    write_text(buffer.getvalue() + "".join(f"{line}\n" for line in lines), out)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain parts and ``(text, style)`` pairs; no part is parsed as markup."""
    return Text.assemble(*parts)


def caveat(text: str) -> Text:
    """A caveat line: the label styled, the text verbatim."""
    return styled(("caveat:", "yellow"), " ", text)


def print_error(message: str) -> None:
    """Print an error paragraph on stderr (the message verbatim)."""
    err.print(styled(("error:", "bold red"), " ", message), soft_wrap=True)


def handles_errors(func: F) -> F:
    """Print a FootprintError as one paragraph on stderr and exit 2, without a traceback; the
    parsed unit definitions are cached in the data directory (``cache/pint``).

    Any other exception is a bug: one line on stderr says so and where the details were written,
    and the exit code is 3 (1 means "not met" / "not verified").
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from footprint.paths import default_data_dir
        from footprint.units import cache_definitions_in

        cache_definitions_in((kwargs.get("data_dir") or default_data_dir()) / "cache" / "pint")
        try:
            return func(*args, **kwargs)
        except FootprintError as exc:
            print_error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported
            raise typer.Exit(report_bug(exc)) from None

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


class BackgroundSpread(StrEnum):
    none = "none"
    default = "default"


BackgroundUncertainty = Annotated[
    BackgroundSpread,
    typer.Option(
        "--background-uncertainty",
        help="Monte Carlo: 'default' gives every background exchange without a distribution a "
        "lognormal from a stated pedigree (shown as background_default in the JSON); 'none' "
        "samples only the distributions the data carry.",
    ),
]


Schemes = Annotated[
    list[str] | None, typer.Option("--scheme", "-s", help="Label scheme id, or 'all'.")
]
OnDate = Annotated[
    str | None, typer.Option(help="Date for the label verdicts (YYYY-MM-DD); default today.")
]
Lang = Annotated[
    str,
    typer.Option(
        "--lang", help="Language of the report page: en (default) or zh-CN (Simplified Chinese)."
    ),
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
