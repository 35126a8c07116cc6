"""The ``footprint`` command line. Thin: it parses, calls the library, and renders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from footprint import __version__
from footprint.cli.batch_cmd import batch_command, intensities_command
from footprint.cli.bugs import report_bug
from footprint.cli.cbam_cmd import register as register_cbam
from footprint.cli.common import (
    BackgroundSpread,
    BackgroundUncertainty,
    DataDir,
    Format,
    Gwp,
    OnDate,
    Out,
    console,
    err,
    handles_errors,
    parse_day,
    styled,
)
from footprint.cli.data_cmd import import_command
from footprint.cli.exchange_cmd import export_app
from footprint.cli.labels_cmd import label_app, verify_command
from footprint.cli.report_cmd import report_command
from footprint.cli.serve_cmd import (
    clients_app,
    publish_command,
    received_command,
    request_command,
    serve_command,
)
from footprint.errors import FootprintError

if TYPE_CHECKING:
    from footprint.labels.chances import UncertaintyRequest

app = typer.Typer(
    help="Product carbon footprints (ISO 14067 / GB/T 24067 / PACT) on Brightway.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
schema_app = typer.Typer(help="Print the JSON Schema of a file format.", no_args_is_help=True)
background_app = typer.Typer(help="Browse background databases.", no_args_is_help=True)
template_app = typer.Typer(help="Write a template to fill in.", no_args_is_help=True)
FOOTPRINTS, DATA, LABELS, EXCHANGE = "Footprints", "Data", "Labels", "Exchange (PACT)"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"footprint {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Product carbon footprints and green-label verdicts."""


@app.command(rich_help_panel=FOOTPRINTS)
@handles_errors
def calc(
    file: Annotated[Path, typer.Argument(help="Inventory file (.yaml, .yml, .csv or .xlsx).")],
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    scenario: Annotated[
        Path | None, typer.Option(help="YAML file of named parameter sets, computed side by side.")
    ] = None,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="Override a declared parameter: NAME=NUMBER.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    out: Out = None,
    data_dir: DataDir = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=1,
            help="Monte Carlo: sample the declared distributions (inventory and background) N times.",
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(min=0, help="Monte Carlo random seed: the same seed gives the same result."),
    ] = 0,
    threshold: Annotated[
        str | None,
        typer.Option(
            help="Monte Carlo: report the probability of a footprint at most this, e.g. '0.89 t CO2e/t'."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Monte Carlo on a Dask LocalCluster of N workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Monte Carlo on a running Dask scheduler (its address).")
    ] = None,
    scheme: Annotated[
        list[str] | None,
        typer.Option(
            "--scheme",
            "-s",
            help="Monte Carlo: report the probability of meeting this label scheme's limit "
            "(an id, or 'all').",
        ),
    ] = None,
    on: OnDate = None,
    background_uncertainty: BackgroundUncertainty = BackgroundSpread.none,
) -> None:
    """Compute the cradle-to-gate footprint of a product per declared unit."""
    from footprint.cli.render import render_csv, render_scenarios, render_text, result_table
    from footprint.engine.calculate import calculate, calculate_scenarios
    from footprint.inventory.scenarios import parse_assignments, read_scenarios
    from footprint.output import write_text

    overrides = parse_assignments(assignments or [])
    spread = background_uncertainty is BackgroundSpread.default
    if uncertainty is None and (threshold or workers or scheduler or scheme or spread):
        raise FootprintError(
            "--threshold, --scheme, --workers, --scheduler and --background-uncertainty are "
            "Monte Carlo options",
            fix="add --uncertainty N (the number of iterations), or use 'footprint label check' "
            "for the verdicts alone",
        )
    if uncertainty is not None:
        if scenario is not None or fmt is Format.csv:
            raise FootprintError(
                "--uncertainty works with one inventory and --format table or json",
                fix="drop --scenario / --format csv, or run the Monte Carlo per scenario with --set",
            )
        from footprint.labels.chances import UncertaintyRequest

        request = UncertaintyRequest(
            iterations=uncertainty,
            seed=seed,
            gwp=gwp.value,
            background=background,
            data_dir=data_dir,
            parameters=overrides,
            background_uncertainty=background_uncertainty.value,
            workers=workers,
            scheduler=scheduler,
            threshold=threshold,
            threshold_where="--threshold",
            schemes=tuple(scheme or ()),
            on=parse_day(on),
        )
        _calc_uncertainty(file, request, fmt, out)
        return
    if scenario is not None:
        scenarios = {
            name: {**values, **overrides} for name, values in read_scenarios(scenario).items()
        }
        results = calculate_scenarios(
            file, scenarios, gwp=gwp.value, background=background, data_dir=data_dir
        )
        if fmt is Format.json:
            data = {
                name: r.to_dict() | {"parameters": scenarios[name]} for name, r in results.items()
            }
            write_text(
                json.dumps({"scenarios": data}, indent=2, ensure_ascii=False, allow_nan=False), out
            )
        else:
            table, csv_text = render_scenarios(results, scenarios)
            if fmt is Format.csv:
                write_text(csv_text, out)
            else:
                console().print(table)
        return
    result = calculate(
        file, gwp=gwp.value, background=background, data_dir=data_dir, parameters=overrides or None
    )
    if fmt is Format.json:
        write_text(result.to_json(), out)
    elif fmt is Format.csv:
        write_text(render_csv(result), out)
    elif out not in (None, "-"):
        write_text(render_text(result), out)
    else:
        console().print(result_table(result))


def _calc_uncertainty(
    file: Path, request: UncertaintyRequest, fmt: Format, out: str | None
) -> None:
    """``calc --uncertainty``: the result and its Monte Carlo statistics (JSON or tables)."""
    from footprint.cli.render import render_text, result_table, uncertainty_table
    from footprint.labels.chances import footprint_uncertainty
    from footprint.output import write_text

    found = footprint_uncertainty(file, request)
    mc = found.uncertainty
    terminal_table = fmt is not Format.json and out in (None, "-")
    if mc.note and not terminal_table:  # the table prints it below itself
        err.print(styled(("note:", "yellow"), " ", mc.note), soft_wrap=True)
    if fmt is Format.json:
        write_text(json.dumps(found.to_dict(), indent=2, ensure_ascii=False, allow_nan=False), out)
        return
    table, notes = uncertainty_table(found)
    if out not in (None, "-"):
        import io

        buffer = io.StringIO()
        console(file=buffer, width=110, no_color=True).print(table)
        text = buffer.getvalue() + "".join(f"{line}\n" for line in notes)
        write_text(render_text(found.result) + text, out)
    else:
        console().print(result_table(found.result))
        console().print(table)
        for line in notes:
            console().print(line, soft_wrap=True)


@schema_app.command("inventory")
def schema_inventory() -> None:
    """Print the JSON Schema of the inventory format."""
    from footprint.inventory import inventory_schema

    typer.echo(json.dumps(inventory_schema(), indent=2, allow_nan=False))


@template_app.command("xlsx")
@handles_errors
def template_xlsx(out: Out = None) -> None:
    """Write an Excel bill-of-materials template (Product, Inputs and Help sheets); stdout by default."""
    import io
    import sys

    from footprint.inventory.excel import write_template
    from footprint.output import write_bytes

    buffer = io.BytesIO()
    write_template(buffer)
    if out in (None, "-"):
        if sys.stdout.isatty():
            err.print(
                "The template is binary: redirect it to a file, e.g. `footprint template xlsx > bom.xlsx`."
            )
            raise typer.Exit(2)
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.flush()
        return
    write_bytes(buffer.getvalue(), Path(str(out)))


@background_app.command("list")
@handles_errors
def background_list(
    search: Annotated[
        str, typer.Option("--search", "-s", help="Words the name must contain.")
    ] = "",
    location: Annotated[str | None, typer.Option(help="Location code, e.g. US, CN, RNA.")] = None,
    name: Annotated[str | None, typer.Option("--background", help="Background database.")] = None,
    activities: Annotated[
        bool, typer.Option("--activities", help="List activities, not databases.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many rows (0 = all).")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    data_dir: DataDir = None,
) -> None:
    """List the background databases (shipped and imported), or search one's activities.

    With --search, --location, --background or --activities: the activities of a database (default:
    the shipped one), with the ids and reference units an inventory links to.
    """
    from footprint.background.catalog import load_background
    from footprint.output import write_text

    if not (search or location or name or activities):
        _list_databases(fmt, data_dir)
        return
    bg = load_background(name or "default", data_dir)
    found = bg.search(search, location)
    has_zh = "name_zh" in found and bool(found["name_zh"].fillna("").astype(str).str.strip().any())
    chinese = ["name_zh"] if has_zh else []
    hits = found[["id", "name", *chinese, "location", "unit"]]
    shown = hits if limit == 0 else hits.head(limit)
    if fmt is Format.json:
        write_text(json.dumps(shown.to_dict(orient="records"), indent=2, allow_nan=False), None)
        return
    if fmt is Format.csv:
        write_text(str(shown.to_csv(index=False)), None)
        return
    table = Table(title=f"{bg.name} ({bg.version}): {len(hits)} of {len(bg.activities)} activities")
    for column in shown.columns:
        table.add_column(column, overflow="fold")
    for row in shown.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console().print(table)
    if len(hits) > len(shown):
        err.print(f"{len(hits) - len(shown)} more; use --limit 0 or narrow with --search.")


def _list_databases(fmt: Format, data_dir: Path | None) -> None:
    from footprint.background.catalog import load_background
    from footprint.background.importer import imported_names
    from footprint.output import write_text
    from footprint.paths import default_data_dir

    directory = data_dir or default_data_dir()
    rows = []
    from footprint.background.catalog import SHIPPED

    for db in ["default", *SHIPPED, *imported_names(directory)]:
        bg = load_background(db, directory)
        unlinked = bg.report.get("unlinked_by_reason", {})
        rows.append(
            {
                "name": bg.name,
                "version": bg.version,
                "activities": len(bg.activities),
                "unlinked_exchanges": sum(unlinked.values()),
                "source": "; ".join(bg.sources),
            }
        )
    if fmt is Format.json:
        write_text(json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False), None)
        return
    table = Table(title=f"Background databases (imported ones in {directory})")
    for column in ("name", "version", "activities", "unlinked_exchanges", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                str(row[c])
                for c in ("name", "version", "activities", "unlinked_exchanges", "source")
            )
        )
    console().print(table)


@background_app.command("show")
@handles_errors
def background_show(
    activity: Annotated[str | None, typer.Argument(help="Activity id or exact name.")] = None,
    location: Annotated[str | None, typer.Option(help="Location, with a name.")] = None,
    name: Annotated[str, typer.Option("--background", help="Background database.")] = "default",
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    top: Annotated[int, typer.Option(help="Inputs listed in the table (0 = all).")] = 15,
    data_dir: DataDir = None,
) -> None:
    """Describe a background database, or explain one activity: its kg CO2e per unit, what it
    buys and what it emits itself."""
    from footprint.background.catalog import load_background
    from footprint.engine.explain import explain_activity
    from footprint.output import write_text
    from footprint.paths import default_data_dir

    bg = load_background(name, data_dir)
    if activity is None:
        typer.echo(json.dumps(bg.describe(), indent=2, allow_nan=False))
        return
    found = explain_activity(
        bg,
        activity,
        location=location,
        gwp=gwp.value,
        cache_dir=(data_dir or default_data_dir()) / "cache",
    )
    if fmt is Format.json:
        write_text(json.dumps(found, indent=2, ensure_ascii=False, allow_nan=False), None)
        return
    from footprint.cli.render import explanation_tables

    for part in explanation_tables(found, top):
        console().print(part)


def main() -> None:
    """Console-script entry point: an exception that escapes a command is a bug (exit 3)."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - reported as a bug, never as a bare traceback
        sys.exit(report_bug(exc))


# Registered after `calc` so that --help lists footprints first, then labels, data and exchange.
app.command("report", rich_help_panel=FOOTPRINTS)(report_command)
app.command("batch", rich_help_panel=FOOTPRINTS)(batch_command)
app.add_typer(label_app, name="label", rich_help_panel=LABELS)
app.command("verify", rich_help_panel=LABELS)(verify_command)
app.command("import", rich_help_panel=DATA)(import_command)
app.add_typer(background_app, name="background", rich_help_panel=DATA)
app.add_typer(schema_app, name="schema", rich_help_panel=DATA)
register_cbam(app, schema_app, FOOTPRINTS)
app.add_typer(template_app, name="template", rich_help_panel=DATA)
app.add_typer(export_app, name="export", rich_help_panel=EXCHANGE)
app.command("publish", rich_help_panel=EXCHANGE)(publish_command)
app.command("serve", rich_help_panel=EXCHANGE)(serve_command)
app.command("request", rich_help_panel=EXCHANGE)(request_command)
app.command("received", rich_help_panel=EXCHANGE)(received_command)
app.add_typer(clients_app, name="clients", rich_help_panel=EXCHANGE)
background_app.command("intensities")(intensities_command)
