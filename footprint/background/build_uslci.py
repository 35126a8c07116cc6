"""Reproducible build of the shipped USLCI background database from openLCA JSON-LD.

Run::

    python -m footprint.background.build_uslci --source /path/to/uslci/jsonld-olca1.5

The conversion is :mod:`footprint.background.importers.openlca`; the tables and
``build_report.json`` are written to ``inventories/background/uslci`` (see its ``README.md``),
with the reviewed inputs beside them applied. Nothing runs at import time.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from footprint.background.importers.build_script import BuildScript
from footprint.background.importers.corrections import FILE_NAME as CORRECTIONS_FILE
from footprint.background.importers.openlca import DEFAULT_OUT, build


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corrections",
        type=Path,
        default=None,
        help=f"reviewed corrections CSV (default: OUT/{CORRECTIONS_FILE} when present)",
    )
    parser.add_argument(
        "--source-unit-factors",
        action="store_true",
        help="use the unit groups' factors even where they are rounded (e.g. cu ft = 0.02 m3)",
    )


def _build(args: argparse.Namespace) -> dict[str, Any]:
    return build(
        args.source,
        args.out,
        exact_units=not args.source_unit_factors,
        commit=args.commit,
        corrections=args.corrections,
    )


SCRIPT = BuildScript(
    prog="python -m footprint.background.build_uslci",
    description="Build the shipped USLCI background database from openLCA JSON-LD.",
    source_help="JSON-LD directory",
    default_out=DEFAULT_OUT,
    build=_build,
    options=_options,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    return SCRIPT.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
