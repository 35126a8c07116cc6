"""Errors a user can cause. Each says where, what, and how to fix it."""

from __future__ import annotations


class FootprintError(Exception):
    """A failure caused by input or usage; the CLI prints it without a traceback and exits 2.

    Args:
        what: what is wrong (expected vs got).
        where: the file, line/row and field, e.g. ``"rebar.yaml, line 12, processes[0].inputs[1].amount"``.
        fix: how to fix it.
    """

    exit_code = 2

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-paragraph message shown to the user."""
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)


class InventoryError(FootprintError):
    """The product inventory file is malformed or inconsistent."""


class UnitError(FootprintError):
    """A unit is unknown, ambiguous, or of the wrong dimension."""


class BackgroundError(FootprintError):
    """A background database or one of its flows cannot be found or used."""


class MethodError(FootprintError):
    """An impact method (GWP set) is unknown or incomplete."""


def locate(path: object, line: int | None = None, field: str | None = None) -> str:
    """Format a location: ``file, line N, field``."""
    parts = [str(path)]
    if line is not None:
        parts.append(f"line {line}")
    if field:
        parts.append(field)
    return ", ".join(parts)
