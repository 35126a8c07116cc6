"""The command line shared by the build scripts of the shipped backgrounds.

``python -m footprint.background.build_uslci`` and ``python -m footprint.background.build_tiangong``
each give a build function and their own options; this parses ``--source``, ``--out`` and
``--commit``, runs the build, prints what was written, and turns a
:class:`~footprint.errors.FootprintError` into its message and exit code. Nothing here runs at
import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.errors import FootprintError

#: Counts of the report printed after a build: (key in ``counts``, what it counts).
SUMMARY = (
    ("activities_written", "activities"),
    ("technosphere_exchanges", "technosphere"),
    ("biosphere_exchanges", "biosphere"),
    ("elementary_flows", "flows"),
    ("unlinked_exchanges", "unlinked"),
)


@dataclass(frozen=True)
class BuildScript:
    """A build script: ``build(args)`` writes the background into ``args.out`` and returns its
    report; ``options`` adds the script's own arguments to the parser."""

    prog: str
    description: str
    source_help: str
    default_out: Path
    build: Callable[[argparse.Namespace], dict[str, Any]]
    options: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    summary: Sequence[tuple[str, str]] = field(default=SUMMARY)

    def parser(self) -> argparse.ArgumentParser:
        """The argument parser of the script."""
        parser = argparse.ArgumentParser(prog=self.prog, description=self.description)
        parser.add_argument("--source", type=Path, required=True, help=self.source_help)
        parser.add_argument("--out", type=Path, default=self.default_out, help="output directory")
        parser.add_argument("--commit", default=None, help="upstream commit (default: NOTICE.md)")
        self.options(parser)
        return parser

    def main(self, argv: Sequence[str] | None = None) -> int:
        """Run the build; 0 on success, the error's exit code (with its message on stderr) else."""
        args = self.parser().parse_args(argv)
        try:
            report = self.build(args)
        except FootprintError as exc:
            sys.stderr.write(f"error: {exc.message}\n")
            return exc.exit_code
        counts = report["counts"]
        written = ", ".join(f"{counts[key]} {label}" for key, label in self.summary)
        sys.stdout.write(f"wrote {args.out}: {written}\n")
        return 0
