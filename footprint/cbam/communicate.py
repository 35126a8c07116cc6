"""The data an installation communicates to its EU importers, after the layout of the Commission's
communication template for installations (sheets A_InstData, D_Processes, E_PurchPrec and
Summary_Products of the 2024 template, as described in secondary sources).

This is a data package in the template's arrangement, not the Commission's Excel file itself: copy
its values into the official template where an importer asks for that file.
"""

from __future__ import annotations

import io
from typing import Any

from footprint.cbam.calc import CbamResult, PrecursorContribution, ProcessResult, round_see
from footprint.cbam.flows import CORR_ETA, EF_NG, FlowLine
from footprint.cbam.goods import RULES
from footprint.units import convert

NOTE = (
    "Layout after the Commission's 'CBAM communication template for installations' (sheets "
    "A_InstData, D_Processes, E_PurchPrec, Summary_Products; Energy_Flows lists the heat, waste-gas "
    "and exported-electricity lines); not the official file. SEE in "
    "t CO2e/t rounded half up to 5 decimals (cement and fertilisers also per t of clinker or "
    "nitrogen contained); emissions in t CO2e. The rules applied were read in "
    "secondary sources (status 'unconfirmed'): check them against EUR-Lex."
)

Table = list[list[Any]]


def _inst_data(result: CbamResult) -> Table:
    inst = result.installation
    who = inst.installation
    rows: Table = [
        ["Field", "Value"],
        ["Installation name", who.name],
        ["Country", who.country],
        ["UN/LOCODE", who.unlocode],
        ["Address", who.address or ""],
        ["Operator", who.operator or ""],
        ["Contact", who.contact or ""],
        ["Reporting period start", inst.reporting_period.start.isoformat()],
        ["Reporting period end", inst.reporting_period.end.isoformat()],
        [],
        ["Production process", "Aggregated goods category", "Route", "CN codes"],
    ]
    for process in inst.processes:
        rows.append(
            [
                process.label,
                process.goods[0].category,
                ", ".join(sorted({g.route for g in process.goods if g.route})),
                ", ".join(g.cn for g in process.goods),
            ]
        )
    rows += [[], ["Purchased precursor", "CN code", "Country", "Supplier"]]
    for item in inst.purchased_precursors:
        rows.append([item.label, item.cn, item.country, item.supplier or ""])
    return rows


def _processes(result: CbamResult) -> Table:
    rows: Table = [
        [
            "Process",
            "Activity level (t)",
            "Direct emissions (t CO2e)",
            "Heat imported (t CO2e)",
            "Heat exported (t CO2e)",
            f"Waste gases imported (t CO2e: energy x {EF_NG:g} t CO2/TJ)",
            f"Waste gases exported (t CO2e: energy x {EF_NG:g} t CO2/TJ x {CORR_ETA:g})",
            "Electricity exported (t CO2e)",
            "Electricity consumed (MWh)",
            "Electricity emission factor (t CO2e/MWh)",
            "Emission factor source",
            "Attributed direct emissions (t CO2e)",
            "Attributed indirect emissions (t CO2e)",
            "Indirect emissions counted",
            "Carbon price paid (effective, per t of good; not deducted)",
        ]
    ]
    for process, res in zip(result.installation.processes, result.processes, strict=True):

        def total(prefix: str, parts: dict[str, float] = res.parts) -> float:
            return sum(v for k, v in parts.items() if k.startswith(prefix))

        def flow(kind: str, lines: list[FlowLine] = res.flows) -> float:
            return sum(line.emissions for line in lines if line.kind == kind)

        mwh = sum(convert(e.amount, "MWh") for e in process.electricity_consumed)
        indirect_all = total("electricity consumed")
        rows.append(
            [
                res.name,
                res.activity_level,
                res.direct_emissions,
                flow("heat imported"),
                -flow("heat exported"),
                flow("waste gas imported"),
                -flow("waste gas exported"),
                -flow("electricity exported"),
                mwh,
                indirect_all / mwh if mwh else None,
                "; ".join(e.factor_source for e in process.electricity_consumed),
                res.attributed_direct,
                res.attributed_indirect,
                "yes" if res.indirect_counted else "no (Annex II good)",
                _price(res.carbon_price),
            ]
        )
    return rows


def _flows(result: CbamResult) -> Table:
    rows: Table = [
        [
            "Process",
            "Flow",
            "Name",
            "Amount",
            "Unit",
            "Factor (t CO2e per unit)",
            "Factor from",
            "Correction",
            "Emissions attributed (t CO2e)",
            "Formula",
            "Factor source",
            "Other process of the installation",
            "Rule",
        ]
    ]
    for res in result.processes:
        for line in res.flows:
            rows.append(
                [
                    res.name,
                    line.kind,
                    line.name,
                    line.amount,
                    line.unit,
                    line.factor,
                    "operator" if line.factor_from == "operator" else "rule (unconfirmed)",
                    line.correction,
                    line.emissions,
                    line.formula,
                    line.source or ("" if line.factor_from == "rule" else "none given"),
                    line.partner or "",
                    line.rule,
                ]
            )
    return rows


def _price(paid: dict[str, Any] | None) -> str:
    if paid is None:
        return ""
    return (
        f"{paid['effective_per_t_good']:.4f} {paid['currency']}/t ({paid['scheme']}; evidence: "
        f"{paid['evidence']})"
    )


def _precursors(result: CbamResult) -> Table:
    rows: Table = [
        [
            "Precursor",
            "CN code",
            "Country",
            "Supplier",
            "Supplier installation",
            "Quantity purchased (t)",
            "Consumed by process",
            "Quantity consumed (t)",
            "Direct SEE (t CO2e/t)",
            "Indirect SEE (t CO2e/t)",
            "Basis",
            "Share of default values (%)",
        ]
    ]
    inst = result.installation
    for item in inst.purchased_precursors:
        uses: list[tuple[ProcessResult | None, PrecursorContribution | None]] = [
            (res, c) for res in result.processes for c in res.precursors if c.precursor == item.id
        ]
        for res, c in uses or [(None, None)]:
            see = c.see if c is not None else None
            rows.append(
                [
                    item.label,
                    item.cn,
                    item.country,
                    item.supplier or "",
                    item.supplier_installation or "",
                    convert(item.quantity, "t"),
                    res.name if res is not None else "",
                    c.mass if c is not None else 0.0,
                    round_see(see.direct) if see is not None else None,
                    round_see(see.indirect) if see is not None else None,
                    c.basis if c is not None else "not used",
                    round(see.default_share, 2) if see is not None else None,
                ]
            )
    return rows


def _products(result: CbamResult) -> Table:
    rows: Table = [
        [
            "CN code",
            "Product name",
            "Aggregated goods category",
            "Route",
            "Production process",
            "Direct SEE (t CO2e/t)",
            "Indirect SEE (t CO2e/t)",
            "Total SEE (t CO2e/t)",
            "Share of default values (%)",
            "Functional unit",
            "Content (t per t of good)",
            "Direct SEE per functional unit (t CO2e/t)",
            "Indirect SEE per functional unit (t CO2e/t)",
            "Total SEE per functional unit (t CO2e/t)",
        ]
    ]
    for good in result.goods:
        unit = good.functional_unit
        per_unit: list[Any] = ["t of good", 1.0, None, None, None]
        if unit is not None:
            per_unit = [unit.unit, unit.content, None, None, None]
            if unit.see is not None:
                per_unit[2:] = [
                    round_see(unit.see.direct),
                    round_see(unit.see.indirect),
                    round_see(unit.see.total),
                ]
            else:
                per_unit[2] = "not applied: " + unit.basis
        rows.append(
            [
                good.cn,
                good.name,
                good.category,
                good.route or "",
                good.process,
                round_see(good.see.direct),
                round_see(good.see.indirect),
                round_see(good.see.total),
                round(good.see.default_share, 2),
                *per_unit,
            ]
        )
    return rows


def communication(result: CbamResult) -> dict[str, Any]:
    """The communication as sheets of rows (the first row of each is its header)."""
    return {
        "note": NOTE,
        "sheets": {
            "A_InstData": _inst_data(result),
            "D_Processes": _processes(result),
            "Energy_Flows": _flows(result),
            "E_PurchPrec": _precursors(result),
            "Summary_Products": _products(result),
        },
        "warnings": result.warnings,
        "rules": [r.to_dict() for r in RULES.values()],
    }


def workbook_bytes(result: CbamResult) -> bytes:
    """The communication as an .xlsx workbook."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    data = communication(result)
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append([data["note"]])
    first.append([])
    first.append(["Rule", "Text", "Status", "Source", "Locator"])
    for rule in data["rules"]:
        first.append([rule["id"], rule["text"], rule["status"], rule["source"], rule["locator"]])
    if data["warnings"]:
        first.append([])
        first.append(["Warnings"])
        for warning in data["warnings"]:
            first.append([warning])
    for name, rows in data["sheets"].items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
