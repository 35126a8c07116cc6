"""Helpers shared by test modules: the command line run in-process, small inventory files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner


@dataclass(frozen=True)
class Ran:
    """What `footprint ARGS` did, with the attribute names of ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Ran:
    """`footprint ARGS` in-process; an exception that escapes the command fails the test."""
    from footprint.cli.app import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def one_process_inventory(
    tmp_path: Path,
    *,
    unit: str,
    amount: float,
    emissions: str,
    extra: str = "",
    period: str = "{start: 2024-01-01, end: 2024-12-31}",
    name: str = "product.yaml",
) -> Path:
    """A one-process foreground inventory in FR: per 1 ``unit`` of output, the given emissions.

    ``extra`` is more lines of the ``product`` mapping (indented by two spaces).
    """
    path = tmp_path / name
    path.write_text(
        f"""\
product:
  name: Test product
  id: urn:example:product:test
  declared_unit: {unit}
  declared_amount: {amount}
  geography: FR
  reference_period: {period}
{extra}processes:
  - id: make
    stage: A3
    output: 1 {unit}
    emissions: {emissions}
""",
        encoding="utf-8",
    )
    return path
