"""``footprint cbam``: EU CBAM specific embedded emissions, default values and the communication."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from footprint.cli.common import (
    Format,
    Lang,
    Out,
    caveat,
    console,
    err,
    handles_errors,
    show_table,
)
from footprint.errors import FootprintError

if TYPE_CHECKING:
    from footprint.cbam.benchmarks import FreeAllocationAdjustment
    from footprint.cbam.calc import CbamResult

cbam_app = typer.Typer(
    help="EU CBAM: specific embedded emissions of an installation's goods, the Commission's "
    "default values, and the communication to importers.",
    no_args_is_help=True,
)

InstallationFile = Annotated[
    Path, typer.Argument(help="Installation file (.yaml); see `footprint schema installation`.")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json.")]


def _json(data: Any, out: str | None) -> None:
    from footprint.output import write_text

    write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False), out)


def _no_csv(fmt: Format) -> None:
    if fmt is Format.csv:
        raise FootprintError("--format csv is not offered here", fix="use --format table or json")


def _number(value: float | None, digits: int = 5) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _calculate(file: Path) -> CbamResult:
    from footprint.cbam.calc import calculate
    from footprint.cbam.model import read_installation

    return calculate(read_installation(file))


YearOption = Annotated[
    int | None,
    typer.Option(
        help="Year of import, for the CBAM factor of the free-allocation adjustment (and the "
        "default values' mark-up in the report); default: the year the reporting period ends, at "
        "least 2026."
    ),
]
CscfOption = Annotated[
    float | None,
    typer.Option(
        "--cscf",
        help="Cross-sectoral correction factor of the year, for the free-allocation adjustment "
        "(not encoded; without it 1 is used and the figure is an estimate).",
    ),
]


def _faa_cell(faa: FreeAllocationAdjustment) -> str:
    from footprint.cbam.benchmarks import label

    if faa.per_tonne is None:
        return label(faa)
    return f"{_number(faa.per_tonne)} ({label(faa)})"


@cbam_app.command("calc")
@handles_errors
def calc_command(
    file: InstallationFile,
    fmt: FormatOption = Format.table,
    out: Out = None,
    year: YearOption = None,
    cscf: CscfOption = None,
) -> None:
    """Direct, indirect and total SEE (t CO2e/t) of every good, with each process's attributed
    emissions and its precursors' contributions; beside the SEE, the free-allocation adjustment
    per tonne where a CBAM benchmark is encoded (the SEE is not changed)."""
    from footprint.cbam.benchmarks import (
        ACTUAL_DATA_NOTE,
        for_good,
        import_year,
        see_with_adjustments,
    )
    from footprint.cbam.benchmarks import SOURCE as FAA_SOURCE

    _no_csv(fmt)
    result = _calculate(file)
    inst = result.installation
    year = import_year(inst.reporting_period.end.year, year)
    if fmt is Format.json:
        _json(see_with_adjustments(result, year, cscf=cscf), out)
        return
    faas = [for_good(g.cn, g.route, year, cscf=cscf) for g in result.goods]
    goods = Table(
        title=f"{inst.installation.name} ({inst.installation.unlocode}), "
        f"{inst.reporting_period.start} to {inst.reporting_period.end}: SEE in t CO2e/t",
        title_justify="left",
        caption="Rounded half up to 5 decimals (the act names no rounding method).",
        caption_justify="left",
    )
    faa_column = f"FAA {year}"
    for column in ("CN", "good", "process", "direct", "indirect", "total", "defaults %"):
        left = column in ("CN", "good", "process")
        goods.add_column(column, justify="left" if left else "right", no_wrap=column == "CN")
    goods.add_column(faa_column, justify="right")
    for good, faa in zip(result.goods, faas, strict=True):
        goods.add_row(
            good.cn,
            good.name,
            good.process,
            _number(good.see.direct),
            _number(good.see.indirect),
            _number(good.see.total),
            f"{good.see.default_share:.1f}",
            _faa_cell(faa),
        )
    faa_notes = [
        f"{faa_column}: free-allocation adjustment per tonne, import year {year} = CBAM factor x "
        f"CSCF x CBAM benchmark, t CO2e/t, beside the SEE (status unconfirmed; source: "
        f"{FAA_SOURCE}); {ACTUAL_DATA_NOTE}.",
        *(
            note
            for g, f in zip(result.goods, faas, strict=True)
            if (note := _faa_line(g.cn, f, quiet=True))
        ),
    ]
    units = Table(
        title="SEE per functional unit (t CO2e per t of clinker or nitrogen contained)",
        title_justify="left",
    )
    for column in ("CN", "unit", "content", "direct", "indirect", "total"):
        units.add_column(column, justify="left" if column in ("CN", "unit") else "right")
    for good in result.goods:
        unit = good.functional_unit
        if unit is None:
            continue
        if unit.see is None:
            units.add_row(good.cn, unit.unit, "–", "not applied:", unit.basis, "")
            continue
        units.add_row(
            good.cn,
            unit.unit,
            f"{unit.content:.6g}",
            _number(unit.see.direct),
            _number(unit.see.indirect),
            _number(unit.see.total),
        )
    procs = Table(title="Processes (t CO2e over the period)", title_justify="left")
    for column in ("process", "activity t", "attributed direct", "attributed indirect"):
        procs.add_column(column, justify="left" if column == "process" else "right")
    flows = Table(
        title="Heat, waste gases and exported electricity (t CO2e, in the attributed direct)",
        title_justify="left",
    )
    for column in ("process", "flow", "calculation", "factor source"):
        flows.add_column(column)
    for res in result.processes:
        for line in res.flows:
            source = line.source or (f"rule {line.rule}" if line.factor_from == "rule" else "–")
            flows.add_row(res.id, f"{line.kind}: {line.name}", line.formula, source)
    inputs = Table(title="Precursors (SEE in t CO2e/t)", title_justify="left")
    for column in ("process", "precursor", "t per t", "direct", "indirect", "basis"):
        inputs.add_column(
            column, justify="right" if column in ("t per t", "direct", "indirect") else "left"
        )
    for res in result.processes:
        procs.add_row(
            res.name,
            f"{res.activity_level:,.0f}",
            f"{res.attributed_direct:,.1f}",
            f"{res.attributed_indirect:,.1f}" + ("" if res.indirect_counted else " (not counted)"),
        )
        for c in res.precursors:
            inputs.add_row(
                res.id,
                c.precursor,
                f"{c.per_tonne:.6g}",
                _number(c.see.direct),
                _number(c.see.indirect),
                c.basis,
            )
    shown: list[Table | str] = [goods, *faa_notes]  # the notes on the FAA under its table
    shown += [units] if units.row_count else []
    shown += [procs]
    shown += [flows] if flows.row_count else []
    shown += [inputs] if inputs.row_count else []
    if out not in (None, "-"):
        import io

        from footprint.output import write_text

        buffer = io.StringIO()
        writer = console(file=buffer, width=140, no_color=True)
        for item in shown:
            writer.print(item, soft_wrap=isinstance(item, str))
        for warning in result.warnings:
            writer.print(f"warning: {warning}", soft_wrap=True)
        write_text(buffer.getvalue(), out)
        return
    for item in shown:
        console().print(item, soft_wrap=isinstance(item, str))
    for warning in result.warnings:
        err.print(caveat(warning), soft_wrap=True)


def _faa_line(cn: str, faa: FreeAllocationAdjustment, *, quiet: bool) -> str:
    """One line on a good's free-allocation adjustment; empty where no benchmark is encoded and
    ``quiet``."""
    if faa.per_tonne is None:
        none = faa.note.startswith("no benchmark encoded")
        return "" if none and quiet else f"  {cn}: {faa.note}"
    mark = "estimate " if faa.estimate else ""
    return f"  {cn}: {mark}{_number(faa.per_tonne)} ({faa.note})"


@cbam_app.command("defaults")
@handles_errors
def defaults_command(
    country: Annotated[
        str,
        typer.Option(
            "--country",
            help="Country of production: CN, OTHER for the fallback row, or unknown for the "
            "Annex IV values (precursors whose country of production is unknown).",
        ),
    ],
    cn: Annotated[
        str | None, typer.Option("--cn", help="CN code, e.g. 7208 or '2523 10 00'.")
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="Year of import, for the mark-up and the CBAM factor (default: this year)."
        ),
    ] = None,
    cscf: CscfOption = None,
    fmt: FormatOption = Format.table,
    out: Out = None,
) -> None:
    """The Commission's default values (direct, indirect, total, total with the year's mark-up)
    and, where a CBAM benchmark is encoded, the free-allocation adjustment per tonne."""
    import datetime as dt

    from footprint.cbam.benchmarks import SOURCE as FAA_SOURCE
    from footprint.cbam.benchmarks import free_allocation_adjustment
    from footprint.cbam.defaults import ANNEX_IV_SOURCE, SOURCE, is_unknown, lookup

    _no_csv(fmt)
    year = dt.date.today().year if year is None else year
    values = lookup(country, cn, year=year, where="--cn", country_where="--country")
    unknown = is_unknown(country)
    source = ANNEX_IV_SOURCE if unknown else SOURCE
    faas = [
        free_allocation_adjustment(v.row.cn, year, route=v.row.route, cscf=cscf) for v in values
    ]
    if fmt is Format.json:
        _json(
            {
                "country": country,
                "cn": cn,
                "year": year,
                "unit": "t CO2e/t",
                "status": "unconfirmed",
                "source": source,
                "values": [
                    {**v.to_dict(), "free_allocation_adjustment": f.to_dict()}
                    for v, f in zip(values, faas, strict=True)
                ],
            },
            out,
        )
        return
    table = Table(
        title=f"CBAM default values, {country}, import year {year} (t CO2e/t; status unconfirmed)",
        title_justify="left",
        caption=f"Source: {source}. "
        + (
            "Annex IV: one value per good, used as the direct SEE (both goods are Annex II "
            "goods); no mark-up is applied (the schedule read is that of Annex I)."
            if unknown
            else "'*' = row of 'Other countries and territories' (no value for the country). "
            "Indirect is informative for Annex II goods (direct only)."
        ),
        caption_justify="left",
    )
    for column in (
        "CN",
        "good",
        "route",
        "direct",
        "indirect",
        "total",
        "mark-up",
        "total + mark-up",
    ):
        table.add_column(column)
    for v in values:
        table.add_row(
            v.row.cn + ("*" if v.fallback else ""),
            v.row.description,
            v.row.route or "–",
            _number(float(v.row.direct) if v.row.direct is not None else None, 3),
            _number(float(v.row.indirect) if v.row.indirect is not None else None, 3),
            _number(v.total, 3),
            "–" if v.markup is None else f"{100 * v.markup:g} %",
            _number(v.total_with_markup, 5),
        )
    notes = [_faa_line(v.row.cn, f, quiet=cn is None) for v, f in zip(values, faas, strict=True)]
    notes = [line for line in notes if line]
    if notes:
        notes.insert(
            0,
            f"Free-allocation adjustment (FAA), t CO2e/t, import year {year} = CBAM factor x "
            f"CSCF x Column B benchmark (status unconfirmed; source: {FAA_SOURCE}):",
        )
    show_table(table, notes, out, width=140)


@cbam_app.command("grid-factors")
@handles_errors
def grid_factors_command(
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="ISO code (e.g. AU), OTHER for the fallback row, EU for imported electricity; "
            "default: every row.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
    out: Out = None,
) -> None:
    """The default electricity emission factors for indirect emissions (Annex II of IR (EU)
    2025/2621, examples) and the EU factor for imported electricity (Annex III), t CO2e/MWh."""
    from footprint.cbam.electricity import (
        CHINA_ADVICE,
        UNIT,
        china_alternatives,
        grid_factor,
        grid_factors,
    )

    _no_csv(fmt)
    rows = list(grid_factors()) if country is None else [grid_factor(country)]
    china = any(r.value is None and r.code == "CN" for r in rows)
    alternatives = china_alternatives() if china else []
    if fmt is Format.json:
        data: dict[str, Any] = {
            "country": country,
            "unit": UNIT,
            "factors": [r.to_dict() for r in rows],
        }
        if china:
            data["china"] = {"advice": CHINA_ADVICE, "shipped_grid_factors": alternatives}
        _json(data, out)
        return
    table = Table(
        title=f"CBAM default electricity emission factors ({UNIT})",
        title_justify="left",
        caption="Examples of IR (EU) 2025/2621 only; other countries are not shipped.",
        caption_justify="left",
    )
    sources = list(dict.fromkeys(r.source for r in rows))
    for column in ("annex", "country or territory", "code", UNIT, "status", "source", "note"):
        table.add_column(
            column,
            justify="right" if column == UNIT else "left",
            no_wrap=column in ("annex", "code", "status", "source"),
        )
    for r in rows:
        table.add_row(
            r.annex,
            r.area,
            r.code,
            "–" if r.value is None else str(r.value),
            r.status,
            f"[{sources.index(r.source) + 1}]",
            r.note,
        )
    lines = [f"[{n}] {source}" for n, source in enumerate(sources, start=1)]
    if china:
        lines.append(CHINA_ADVICE)
        lines += [
            f"  {a['id']}: {a['value']:g} {a['unit']}, {a['year']}, {a['scope']} "
            f"({a['series']}; {a['status']})"
            for a in alternatives
        ]
    show_table(table, lines, out, width=160)


@cbam_app.command("communicate")
@handles_errors
def communicate_command(
    file: InstallationFile,
    out: Out = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table (= .xlsx workbook) or json.")
    ] = Format.table,
) -> None:
    """The communication to importers: installation data, processes, purchased precursors and the
    SEE of every good, as an .xlsx workbook (--out) or JSON (--format json)."""
    from footprint.cbam.communicate import communication, workbook_bytes
    from footprint.output import write_bytes

    _no_csv(fmt)
    result = _calculate(file)
    if fmt is Format.json:
        _json(communication(result), out)
        return
    if out in (None, "-"):
        raise FootprintError(
            "the workbook is binary and needs a file",
            where="--out",
            fix="give --out communication.xlsx, or use --format json",
        )
    target = Path(str(out))
    if target.suffix.lower() != ".xlsx":
        raise FootprintError(
            f"{target.name!r} is not an .xlsx file name", where="--out", fix="end it in .xlsx"
        )
    write_bytes(workbook_bytes(result), target)
    for warning in result.warnings:
        err.print(caveat(warning), soft_wrap=True)


@cbam_app.command("reconcile")
@handles_errors
def reconcile_command(
    file: InstallationFile,
    inventory: Annotated[
        Path, typer.Option("--inventory", help="Product inventory of the same good (per t or kg).")
    ],
    cn: Annotated[str, typer.Option("--cn", help="CN code of the good, as in the installation.")],
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    fmt: FormatOption = Format.table,
    out: Out = None,
) -> None:
    """A good's CBAM SEE beside its cradle-to-gate product footprint, per tonne, with the boundary
    differences that explain the gap."""
    from footprint.cbam.reconcile import SCOPE_NOTES, reconcile
    from footprint.engine.calculate import calculate

    _no_csv(fmt)
    result = _calculate(file)
    footprint = calculate(inventory, gwp=result.installation.gwp, background=background)
    table_data = reconcile(result, cn, footprint)
    if fmt is Format.json:
        _json(table_data.to_dict(), out)
        return
    table = Table(
        title=f"CBAM SEE and product footprint of {table_data.good.name} ({table_data.good.cn}), "
        "t CO2e/t",
        title_justify="left",
    )
    table.add_column("item")
    table.add_column("t CO2e/t", justify="right")
    for label, value in table_data.rows():
        table.add_row(label, _number(value))
    notes = [f"- {note}" for note in SCOPE_NOTES]
    show_table(table, notes, out, width=120)


@cbam_app.command("report")
@handles_errors
def report_command(
    file: InstallationFile,
    out: Annotated[Path, typer.Option("--out", "-o", help="page.html or page.pdf.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html or pdf (default: from the --out file name)."),
    ] = None,
    year: YearOption = None,
    cscf: CscfOption = None,
    background: Annotated[
        str, typer.Option(help="Background database of the linked product inventories.")
    ] = "default",
    lang: Lang = "en",
) -> None:
    """A page for people: SEE per good, the saving against the marked-up default values, the
    share of default values, warnings, the product footprint of goods that link an inventory,
    and the source and status of every factor (HTML, or PDF with WeasyPrint)."""
    from dataclasses import replace

    from footprint.cbam.report import cbam_view, reconciliations, render_cbam_html
    from footprint.cli.report_cmd import page_format, write_page
    from footprint.report.i18n import language

    page = page_format(out, fmt)
    lang = language(lang)
    result = _calculate(file)
    view = cbam_view(result, year=year, cscf=cscf)  # checks year and CSCF before any footprint
    view = replace(view, reconciliations=reconciliations(result, background=background))
    write_page(render_cbam_html(view, lang=lang), out, page)
    for warning in result.warnings:
        err.print(caveat(warning), soft_wrap=True)
    typer.echo(f"wrote {out}", err=True)


def schema_installation() -> None:
    """Print the JSON Schema of the CBAM installation file."""
    from footprint.cbam.model import installation_schema

    typer.echo(json.dumps(installation_schema(), indent=2, allow_nan=False))


def register(app: typer.Typer, schema_app: typer.Typer, panel: str) -> None:
    """Add ``footprint cbam`` and ``footprint schema installation`` to the command line."""
    app.add_typer(cbam_app, name="cbam", rich_help_panel=panel)
    schema_app.command("installation")(schema_installation)
