"""``footprint label list|show|check`` and ``footprint verify``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from footprint.cli.common import (
    DataDir,
    Format,
    Lang,
    Out,
    console,
    handles_errors,
    parse_day,
    styled,
)
from footprint.errors import FootprintError
from footprint.report.format import DASH, sig, signed_pct

label_app = typer.Typer(
    help="Green and low-carbon label schemes: list, show, check a product.", no_args_is_help=True
)

VERDICT_STYLE = {
    "MET": "bold green",
    "NOT MET": "bold red",
    "NOT COMPARABLE": "yellow",
    "INSUFFICIENT EVIDENCE": "yellow",
    "NOT IN FORCE": "magenta",
}


def _parse_evidence(pairs: list[str]) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise FootprintError(
                f"--evidence {pair!r} is not NAME=VALUE", fix="e.g. --evidence scrap_share=0.9"
            )
        evidence[key.strip()] = value.strip()  # typed by the schemes' rules in check_labels
    return evidence


@label_app.command("list")
@handles_errors
def label_list(
    category: Annotated[
        str | None, typer.Option(help="Only schemes covering this product category.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """List the label schemes with issuer, validity and status."""
    from footprint.labels import applicable, load_schemes
    from footprint.output import write_text

    schemes = load_schemes()
    if category:
        schemes = applicable(schemes, category)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "issuer": s.issuer,
            "version": s.version,
            "valid_from": str(s.valid_from),
            "valid_to": str(s.valid_to or ""),
            "status": s.status,
            "categories": ",".join(s.categories),
            "declared_unit": s.declared_unit,
        }
        for s in schemes
    ]
    if fmt is Format.json:
        write_text(json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False), None)
        return
    if fmt is Format.csv:
        import pandas as pd

        write_text(str(pd.DataFrame(rows).to_csv(index=False)), None)
        return
    table = Table(title=f"{len(rows)} label schemes")
    for column in ("id", "issuer", "version", "valid", "status", "categories"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["id"],
            r["issuer"],
            r["version"],
            f"{r['valid_from']} – {r['valid_to'] or 'open'}",
            r["status"],
            r["categories"],
        )
    console(width=160).print(table)


@label_app.command("show")
@handles_errors
def label_show(scheme: Annotated[str, typer.Argument(help="Scheme id.")]) -> None:
    """Show a scheme: its rule, thresholds and citations."""
    from footprint.labels import get_scheme

    typer.echo(
        json.dumps(
            get_scheme(scheme).model_dump(mode="json", exclude_none=True),
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        )
    )


@label_app.command("check")
@handles_errors
def label_check(
    file: Annotated[Path, typer.Argument(help="Inventory file.")],
    scheme: Annotated[
        list[str],
        typer.Option(
            "--scheme",
            "-s",
            help="Scheme id, repeatable; 'all' = every scheme covering the product's category.",
        ),
    ],
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence",
            "-e",
            help="NAME=VALUE, repeatable, e.g. scrap_share=0.9 (a fraction 0–1), "
            "high_early_strength=true or baseline_footprint='900 kg CO2e/t' (with its unit). A "
            "NAME no chosen scheme uses and no inventory parameter names is refused.",
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Date the label is claimed (YYYY-MM-DD); default today.")
    ] = None,
    background: Annotated[str, typer.Option(help="Background database name.")] = "default",
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    out: Out = None,
    data_dir: DataDir = None,
) -> None:
    """Check a product against label schemes: verdict, threshold, margin and why.

    Each scheme is judged on a footprint computed with the GWP set it prescribes.

    Exit code 0 when every scheme checked is MET, 1 otherwise, 2 bad input (e.g. bad evidence).
    """
    from footprint.labels.check import check_labels
    from footprint.output import write_text

    day = parse_day(on)
    report = check_labels(
        file,
        scheme,
        evidence=_parse_evidence(evidence or []),
        on=day,
        background=background,
        data_dir=data_dir,
    )
    if fmt is Format.json:
        write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False), out)
    elif fmt is Format.csv:
        write_text(report.to_csv(), out)
    else:
        screen = console(width=160)
        screen.print(styled((report.product, "bold"), f" — {len(report.verdicts)} scheme(s)"))
        if not report.verdicts:
            screen.print(
                f"No scheme covers category {report.category!r}; see `footprint label list`."
            )
        table = Table()
        for column in ("scheme", "verdict", "value", "threshold", "margin", "grade / why"):
            table.add_column(column, overflow="fold")
        for v in report.verdicts:
            o = v.outcome
            value = sig(o.value)
            threshold = f"{sig(o.threshold)} {o.unit}" if o.threshold is not None else DASH
            margin = (
                f"{sig(o.margin, sign=True)} ({signed_pct(o.margin_pct)})"
                if o.margin is not None and o.margin_pct is not None
                else DASH
            )
            why = (f"{o.grade}: " if o.grade else "") + "; ".join(o.reasons)
            style = VERDICT_STYLE.get(v.verdict.value, "")
            table.add_row(
                f"{v.scheme}\n({v.version}, {v.status})",
                Text(v.verdict.value, style=style),
                value,
                threshold,
                margin,
                why,
            )
        screen.print(table)
    if not report.all_met:
        raise typer.Exit(1)


def verify(
    claim: Annotated[Path, typer.Argument(help="Claim file (YAML).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or markdown.")] = "table",
    out: Out = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the verification as an HTML page.")
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option(
            "--tolerance",
            help="Allowed difference between the declared and the recomputed value, in % of the "
            "recomputed one (0–100). Default 1 %. The claim's own tolerance_pct can only tighten it.",
        ),
    ] = None,
    allow_path: Annotated[
        list[Path] | None,
        typer.Option(
            "--allow-path",
            help="A directory the claim may name files in besides its own (repeatable). Without it "
            "every file the claim names must lie in the claim file's directory, after symlinks "
            "and '..'.",
        ),
    ] = None,
    lang: Lang = "en",
) -> None:
    """Verify a label claim for an auditor: recompute it and check it against the scheme in force.

    Tolerance: --tolerance (default 1 %); a claim's own tolerance_pct can only tighten it.

    The report states the tolerance applied and where it came from.

    Files the claim names must lie in its directory (after symlinks) or under an --allow-path.

    Exit code 0 verified, 1 not verified, 2 a malformed claim or bad input.
    """
    from footprint.labels.verify import verify as run_verify
    from footprint.output import write_text

    if fmt not in ("table", "json", "markdown"):
        raise FootprintError(f"--format {fmt!r} is not one of table, json, markdown")
    from footprint.report.i18n import language

    lang = language(lang)
    report = run_verify(claim, tolerance_pct=tolerance, allow_paths=allow_path or [])
    if html is not None:
        from footprint.report import render_verification_html

        write_text(render_verification_html(report, lang=lang), html)
    if fmt == "json":
        write_text(report.to_json(), out)
    elif fmt == "markdown":
        write_text(report.to_markdown(), out)
    else:
        screen = console(width=160)
        head = ("VERIFIED", "bold green") if report.verified else ("NOT VERIFIED", "bold red")
        screen.print(
            styled(
                head,
                f" — claim {report.claim.get('id') or report.claim['file']}: "
                f"{report.claim['declared']} under {report.claim['scheme']} "
                f"({report.claim['scheme_version']})",
            )
        )
        screen.print(
            f"tolerance ±{report.tolerance['applied_pct']:g} %: {report.tolerance['note']}"
        )
        table = Table()
        for column in ("#", "check", "result", "outcome"):
            table.add_column(column, overflow="fold")
        for i, c in enumerate(report.checks, 1):
            table.add_row(
                str(i),
                c.name,
                Text("pass", style="green") if c.passed else Text("FAIL", style="bold red"),
                c.outcome,
            )
        screen.print(table)
        if out not in (None, "-"):
            write_text(report.to_markdown(), out)
    if not report.verified:
        raise typer.Exit(1)


verify_command = handles_errors(verify)
