"""``footprint report``: a self-contained HTML (or PDF) page of a product's footprint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from footprint.cli.common import (
    BackgroundSpread,
    BackgroundUncertainty,
    DataDir,
    Gwp,
    Lang,
    OnDate,
    Schemes,
    handles_errors,
    parse_day,
)
from footprint.errors import FootprintError


def page_format(out: Path, fmt: str | None) -> str:
    """The page format: ``--format`` if given, else from the ``--out`` suffix (.pdf or HTML).

    Raises:
        FootprintError: an unknown format, or one that contradicts the file's suffix.
    """
    suffix = out.suffix.lower()
    if fmt is None:
        return "pdf" if suffix == ".pdf" else "html"
    if fmt not in ("html", "pdf"):
        raise FootprintError(f"--format {fmt!r} is not html or pdf", fix="use html or pdf")
    clash = (fmt == "html" and suffix == ".pdf") or (fmt == "pdf" and suffix in (".html", ".htm"))
    if clash:
        raise FootprintError(
            f"--format {fmt} does not match the file name {out.name!r}",
            where="--out",
            fix=f"name the file *.{fmt}, or drop --format to follow the file name",
        )
    return fmt


def write_page(html: str, out: Path, fmt: str) -> None:
    """Write ``html`` to ``out`` as HTML (atomically) or as PDF."""
    from footprint.output import write_text

    if fmt == "pdf":
        from footprint.report import write_pdf

        write_pdf(html, out)
    elif fmt == "html":
        write_text(html, out)
    else:
        raise FootprintError(f"--format {fmt!r} is not html or pdf")


@handles_errors
def report_command(
    file: Annotated[Path, typer.Argument(help="Inventory file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="report.html or report.pdf.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html or pdf (default: from the --out file name)."),
    ] = None,
    scheme: Schemes = None,
    on: OnDate = None,
    uncertainty: Annotated[int | None, typer.Option(help="Monte Carlo iterations.")] = None,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed.")] = 0,
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario file, shown side by side.")
    ] = None,
    gwp: Annotated[Gwp, typer.Option(help="IPCC GWP100 set.")] = Gwp.ar6,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    data_dir: DataDir = None,
    background_uncertainty: BackgroundUncertainty = BackgroundSpread.none,
    lang: Lang = "en",
) -> None:
    """Write a report people look at: headline, ISO split, charts with data tables, verdicts, provenance."""
    from footprint.engine.calculate import calculate, calculate_scenarios
    from footprint.inventory import read_inventory
    from footprint.report import render_html
    from footprint.report.i18n import language

    day = parse_day(on)
    page = page_format(out, fmt)
    if not uncertainty and background_uncertainty is BackgroundSpread.default:
        raise FootprintError(
            "--background-uncertainty is a Monte Carlo option",
            fix="add --uncertainty N (the number of iterations)",
        )
    lang = language(lang)
    inventory = read_inventory(file)
    result = calculate(inventory, gwp=gwp.value, background=background, data_dir=data_dir)
    labels = None
    if scheme:
        from footprint.labels.check import check_labels

        labels = check_labels(
            inventory, scheme, on=day, background=background, data_dir=data_dir, computed=result
        )
    spread = None
    if uncertainty:
        from footprint.engine.montecarlo import monte_carlo

        spread = monte_carlo(
            inventory,
            iterations=uncertainty,
            seed=seed,
            gwp=gwp.value,
            background=background,
            data_dir=data_dir,
            background_uncertainty=background_uncertainty.value,
        )
        if spread.note:
            typer.echo(f"note: {spread.note}", err=True)
    scenarios = None
    if scenario is not None:
        from footprint.inventory.scenarios import read_scenarios

        scenarios = calculate_scenarios(
            inventory,
            read_scenarios(scenario),
            gwp=gwp.value,
            background=background,
            data_dir=data_dir,
        )
    html = render_html(result, labels=labels, uncertainty=spread, scenarios=scenarios, lang=lang)
    write_page(html, out, page)
    typer.echo(f"wrote {out}", err=True)
