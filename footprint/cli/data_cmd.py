"""``footprint import``: bring an LCI database into the data directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from footprint.cli.common import DataDir, Format, console, handles_errors, styled


@handles_errors
def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A JSON-LD folder, EcoSpold file/folder/zip, SimaPro CSV, ILCD zip/folder or PACT JSON file."
        ),
    ],
    pact_file: Annotated[
        Path | None,
        typer.Argument(help="With `import pact FILE`: the PACT JSON file.", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonld, ecospold1, ecospold2, simapro-csv, ilcd or pact."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Name for `calc --background NAME` (PACT default: the file's stem)."
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database of the same name.")
    ] = False,
    out_format: Annotated[
        Format, typer.Option("--report-format", help="table or json.")
    ] = Format.table,
    data_dir: DataDir = None,
) -> None:
    """Import an LCI database, with a report of what was linked, converted and left unlinked."""
    from footprint.background.importer import import_database
    from footprint.errors import FootprintError
    from footprint.paths import default_data_dir

    if str(path) == "pact" and pact_file is not None:
        path, fmt = pact_file, "pact"
    elif pact_file is not None:
        raise FootprintError(
            f"unexpected argument {str(pact_file)!r}", fix="give one PATH (or `import pact FILE`)"
        )
    if fmt is None:
        raise FootprintError(
            "--format is required",
            fix="add --format jsonld|ecospold1|ecospold2|simapro-csv|ilcd|pact",
        )
    if name is None:
        if fmt != "pact":
            raise FootprintError(
                "--name is required", fix="add --name NAME (used as --background NAME)"
            )
        name = path.stem

    target_dir = data_dir or default_data_dir()
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    err = console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"importing {path.name}", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        report = import_database(
            path, fmt=fmt, name=name, data_dir=target_dir, replace=replace, progress=progress
        )
    summary = report.to_dict()
    if out_format is Format.json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False))
        return
    out = console()
    counts = report.counts
    out.print(
        styled(
            ("imported", "bold green"),
            f" {name!r} ({fmt}) into {report.directory} in {report.seconds:.1f} s",
        )
    )
    table = Table(title="Import report", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in (
        "processes_read",
        "activities_written",
        "technosphere_exchanges",
        "biosphere_exchanges",
        "elementary_flows",
        "flows_with_gas",
    ):
        if key in counts:
            table.add_row(key.replace("_", " "), str(counts[key]))
    labels = {
        "read": "exchanges read",
        "linked": "  linked to a provider",
        "linked_by_location": "    of which chosen by location",
        "ambiguous": "  ambiguous provider (not guessed)",
        "unlinked": "  unlinked (incl. ambiguous, listed)",
        "missing_flow_data_set": "    flow data set missing from the archive",
        "biosphere": "  elementary (biosphere)",
        "characterised": "    characterised (a GWP gas)",
        "not_characterised": "    not characterised (no GWP)",
        "zero_ignored": "  amount zero (ignored)",
    }
    for key, n in summary["exchanges"].items():
        table.add_row(labels.get(key, key.replace("_", " ")), str(n))
    table.add_row("unlinked exchanges (listed in unlinked.csv.gz)", str(report.unlinked))
    for reason, n in summary["unlinked_by_reason"].items():
        table.add_row(f"  {reason}", str(n))
    table.add_row(
        "GHG flows with no GWP in the method", str(summary["ghg_flows_not_characterised"])
    )
    for pair, n in summary["unit_conversions"].items():
        table.add_row(f"unit conversion {pair}", str(n))
    out.print(table)
    if report.kept:
        checked = (
            " (proxies.csv checked against the new tables)" if "proxies.csv" in report.kept else ""
        )
        out.print(f"Kept the reviewed files: {', '.join(report.kept)}{checked}", markup=False)
    for line in report.stale_findings:
        err.print(f"warning: {line}", markup=False, soft_wrap=True)
    if fmt == "pact":
        for flagged in report.report.get("suspect_references", []):
            err.print(f"warning: PACT footprint {flagged['id']}: {flagged['note']}", markup=False)
    out.print(
        f"Use it with: footprint calc FILE --background {name}"
        + (f" --data-dir {data_dir}" if data_dir else "")
    )
