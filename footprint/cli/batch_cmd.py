"""``footprint batch`` and ``footprint background intensities``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from footprint.cli.common import (
    DataDir,
    Gwp,
    Lang,
    OnDate,
    Schemes,
    console,
    handles_errors,
    parse_day,
    styled,
)
from footprint.errors import FootprintError
from footprint.report.format import sig


def _write_frame(frame: object, out: str | None) -> None:
    import pandas as pd

    from footprint.output import write_bytes, write_text

    assert isinstance(frame, pd.DataFrame)
    if out is None or out == "-":
        write_text(str(frame.to_csv(index=False)), None)
        return
    target = Path(out)
    if target.suffix.lower() == ".parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        write_bytes(buffer.getvalue(), target)
    elif target.suffix.lower() == ".csv":
        write_text(str(frame.to_csv(index=False)), target)
    else:
        raise FootprintError(
            f"unknown output type {target.suffix!r}", where=out, fix="use .csv or .parquet"
        )


@handles_errors
def batch_command(
    catalog: Annotated[
        Path, typer.Argument(help="Directory of inventories, or CSV with a 'path' column.")
    ],
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="results.csv or results.parquet.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Run on a local Dask cluster of N processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of an existing Dask scheduler.")
    ] = None,
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write a catalogue overview page (HTML).")
    ] = None,
    scheme: Schemes = None,
    on: OnDate = None,
    data_dir: DataDir = None,
    lang: Lang = "en",
) -> None:
    """Compute every product of a catalogue; failures are listed and make the exit code 1.

    With --scheme, each product also gets a 'verdict:<scheme id>' column for the schemes that cover
    its category ('all': every shipped scheme), judged on the GWP set each scheme prescribes.
    """
    from footprint.engine.batch import run_batch
    from footprint.paths import default_data_dir

    if workers is not None and scheduler is not None:
        raise FootprintError("give --workers or --scheduler, not both")
    from footprint.report.i18n import language

    lang = language(lang)
    annotate = None
    if scheme:
        from footprint.labels.batch import SchemeVerdicts

        annotate = SchemeVerdicts.of(scheme, parse_day(on))
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    err = console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task("computing products", total=None)
        result = run_batch(
            catalog,
            gwp=gwp.value,
            background=background,
            data_dir=data_dir,
            workers=workers,
            scheduler=scheduler,
            cache_dir=(data_dir or default_data_dir()) / "cache",
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            annotate=annotate,
        )
    _write_frame(result.rows, out)
    if report is not None:
        from footprint.output import write_text
        from footprint.report import render_catalogue_html

        write_text(render_catalogue_html(result, lang=lang), report)
    if not quiet:
        ok = result.rows[result.rows["status"] == "ok"]
        table = Table(
            title=f"{len(result.rows)} products, {len(ok)} computed, {len(result.failures)} failed "
            f"({result.solver.get('name')})"
        )
        for column in ("product", "declared unit", "kg CO2e"):
            table.add_column(column, justify="right" if column == "kg CO2e" else "left")
        top = ok.sort_values("kg_co2e", ascending=False).head(10)
        for row, kg in zip(top.itertuples(), top["kg_co2e"].astype(float).tolist(), strict=True):
            table.add_row(str(row.product), f"{row.declared_amount:g} {row.declared_unit}", sig(kg))
        err.print(table)
        _print_pass_rates(err, result.rows)
        for file, message in result.failures:
            err.print(styled(("failed", "red"), f" {file}: {message}"), soft_wrap=True)
    if result.failures:
        raise typer.Exit(1)


def _print_pass_rates(err: Console, rows: object) -> None:
    """One line per verdict column: products judged, MET, NOT MET, other verdicts."""
    import pandas as pd

    from footprint.labels.batch import PREFIX, pass_rate

    assert isinstance(rows, pd.DataFrame)
    for column in (c for c in rows.columns if str(c).startswith(PREFIX)):
        rate = pass_rate(rows[column].astype(str))
        if not rate.judged:
            continue
        err.print(
            f"{str(column).removeprefix(PREFIX)}: {rate.judged} judged, {rate.met} MET, "
            f"{rate.not_met} NOT MET, {rate.other} other",
            highlight=False,
        )


@handles_errors
def intensities_command(
    out: Annotated[
        str | None, typer.Option("--out", "-o", help="intensities.csv or .parquet.")
    ] = None,
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[
        str, typer.Option("--background", help="Background database name.")
    ] = "default",
    data_dir: DataDir = None,
) -> None:
    """Cradle-to-gate GWP (and energy) of every background activity, from one transposed solve."""
    import pandas as pd

    from footprint.background.catalog import load_background
    from footprint.engine.intensities import background_intensities
    from footprint.paths import default_data_dir

    bg = load_background(background, data_dir)
    found = background_intensities(
        bg, gwp.value, cache_dir=(data_dir or default_data_dir()) / "cache"
    )
    frame = bg.activities[["id", "name", "location", "unit"]].copy()
    frame["kg_co2e"] = found.total
    buckets: dict[str, list[int]] = {}
    for i, (_, bucket) in enumerate(found.categories):
        buckets.setdefault(bucket, []).append(i)
    for bucket, columns in sorted(buckets.items()):
        frame[f"kg_co2e_{bucket}"] = found.matrix[:, columns].sum(axis=1)
    frame["energy_mj"] = found.energy
    frame.insert(4, "per", "per " + frame["unit"].astype(str))
    _write_frame(pd.DataFrame(frame), out)
    console(stderr=True).print(
        f"{len(frame)} activities, {found.solver['name']}, {bg.name} {bg.version}"
    )
