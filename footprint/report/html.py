"""Render the report pages: one self-contained HTML file each (inline CSS and SVG, no remote loads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from footprint.report.format import sig

if TYPE_CHECKING:
    import jinja2

    from footprint.background.store import Background
    from footprint.engine.batch import BatchResult
    from footprint.engine.result import FootprintResult
    from footprint.labels.check import LabelReport
    from footprint.labels.verdict import LabelVerdict
    from footprint.labels.verify import VerificationReport
    from footprint.report.uncertainty import Uncertainty


def _asset(name: str) -> str:
    return (
        resources.files("footprint.report").joinpath("templates", name).read_text(encoding="utf-8")
    )


def _load(name: str) -> str:
    return _asset(name)


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment reading the package's templates (autoescaped, strict)."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["full"] = lambda value: repr(float(value))
    env.filters["sig"] = sig
    env.globals["css"] = markupsafe.Markup(_asset("report.css"))
    env.globals["print_css"] = markupsafe.Markup(_asset("print.css"))
    env.globals["sort_js"] = markupsafe.Markup(_asset("sort.js"))
    return env


def _defaults(tool_version: str | None, generated: str | dt.date | None) -> tuple[str, str]:
    if tool_version is None:
        from footprint import __version__

        tool_version = __version__
    if generated is None:
        generated = dt.date.today()
    return tool_version, generated.isoformat() if isinstance(generated, dt.date) else str(generated)


def _verdicts(labels: LabelReport | Sequence[LabelVerdict] | None) -> list[LabelVerdict]:
    if labels is None:
        return []
    from footprint.labels.check import LabelReport

    if isinstance(labels, LabelReport):
        return list(labels.verdicts)
    return list(labels)


def render_html(
    result: FootprintResult,
    *,
    labels: LabelReport | Sequence[LabelVerdict] | None = None,
    uncertainty: Uncertainty | None = None,
    scenarios: Mapping[str, FootprintResult] | None = None,
    background: Background | None = None,
    tool_version: str | None = None,
    generated: str | dt.date | None = None,
    lang: str = "en",
) -> str:
    """The product report of ``result`` as one self-contained HTML page.

    Args:
        labels: verdicts (a :class:`LabelReport` or its verdicts) to show, with bullet charts.
        uncertainty: a Monte Carlo result (``samples``, ``percentiles``, ``probability_at_most``).
        scenarios: results side by side, name → result.
        background: the background whose activity names the charts and tables show (default:
            the one the result was computed with; datasets are traced through the result's
            linked system).
        tool_version: shown in the header (default: this package's version).
        generated: the report date (default: today).
        lang: the page's language: ``en`` (default) or ``zh-CN`` (Simplified Chinese headings,
            labels, chart titles and verdicts; activities by their Chinese name where the
            background has one).

    Raises:
        FootprintError: an unknown ``lang``.
    """
    from footprint.report import i18n, product
    from footprint.report.provenance import provenance
    from footprint.report.uncertainty import uncertainty_view
    from footprint.report.verdicts import summary, verdict_views

    t = i18n.translator(lang)
    if background is None and result.system is not None and not result.background.foreground_only:
        background = result.system.background
    version, date = _defaults(tool_version, generated)
    verdicts = _verdicts(labels)
    views = verdict_views(verdicts, result.product.parameters, t)
    context: dict[str, Any] = {
        "t": t,
        "lang": t.lang,
        "title": t("Carbon footprint — {name}", name=result.product.name),
        "tool_version": version,
        "generated": date,
        "result": result,
        "header": product.header(result, version, date, t),
        "headline": product.headline(result, t),
        "iso": product.iso_split(result, t),
        "energy": product.energy_table(result, t),
        "stage": product.stage_chart(result, t),
        "contributors": product.contributors_chart(result, t=t),
        "hotspots": product.hotspot_chart(result, t=t, background=background),
        "gas": product.gas_chart(result, t),
        "processes": product.process_table(result, t),
        "inputs": product.all_inputs(result, t),
        "labels": views,
        "label_summary": summary(views, t) if views else None,
        "uncertainty": uncertainty_view(uncertainty, result, verdicts)
        if uncertainty is not None
        else None,
        "scenarios": product.scenario_chart(scenarios, t) if scenarios else None,
        "provenance": provenance(result, t),
        "warnings": list(result.warnings),
        "allocation": dict(result.allocation),
        "cut_offs": product.cut_off_table(result, t, background),
    }
    return environment().get_template("product.html.j2").render(context)


def render_verification_html(
    report: VerificationReport,
    *,
    tool_version: str | None = None,
    generated: str | dt.date | None = None,
    lang: str = "en",
) -> str:
    """The verification of a claim as one self-contained HTML page: banner, comparison, every check.

    ``lang``: ``en`` (default) or ``zh-CN``, as for :func:`render_html`.
    """
    from footprint.report import i18n
    from footprint.report.verification import verification_view

    t = i18n.translator(lang)
    version, date = _defaults(tool_version, generated)
    view = verification_view(report, t)
    return (
        environment()
        .get_template("verification.html.j2")
        .render(
            t=t,
            lang=t.lang,
            title=t("Claim verification — {id}", id=report.claim.get("id", "")),
            tool_version=version,
            generated=date,
            view=view,
            claim=report.claim,
        )
    )


def render_catalogue_html(
    batch_result: BatchResult,
    *,
    title: str | None = None,
    tool_version: str | None = None,
    generated: str | dt.date | None = None,
    lang: str = "en",
) -> str:
    """A catalogue's footprints as one self-contained HTML page: distribution, ranking, failures.

    ``title`` defaults to "Catalogue footprints" in ``lang`` (``en`` or ``zh-CN``).
    """
    from footprint.report import i18n
    from footprint.report.catalogue import catalogue_view

    t = i18n.translator(lang)
    version, date = _defaults(tool_version, generated)
    return (
        environment()
        .get_template("catalogue.html.j2")
        .render(
            t=t,
            lang=t.lang,
            title=t("Catalogue footprints") if title is None else title,
            tool_version=version,
            generated=date,
            view=catalogue_view(batch_result, t),
        )
    )
