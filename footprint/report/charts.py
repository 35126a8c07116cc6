"""The report's charts, drawn with matplotlib and returned as inline SVG text.

Every function takes plain numbers and labels, so it can be tested without a footprint.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from footprint.report.format import sig
from footprint.report.i18n import ENGLISH, Translator
from footprint.report.svg import (
    BLUE,
    GREEN,
    GREY,
    INK,
    MUTED,
    ORANGE,
    PURPLE,
    SKY,
    VERMILION,
    new_figure,
    style,
    text,
    to_svg,
)

WIDTH = 6.6  # inches; about 630 px on screen
LABEL_CHARS = 42
#: bands of a bullet chart, best first (dark to light), and the colour of "not met"
BAND_COLOURS = ["#1B7F5C", "#4FA783", "#86C6A7", "#B9DFCB", "#DDF0E5"]
NOT_MET_BAND = "#EEEFF1"


def width(label: str) -> int:
    """How many Latin characters ``label`` is about as wide as (CJK characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to about ``limit`` Latin characters' width, with an ellipsis."""
    if width(label) <= limit:
        return label
    kept, used = [], 1  # room for the ellipsis
    for c in label:
        used += width(c)
        if used > limit:
            break
        kept.append(c)
    return "".join(kept).rstrip() + "…"


def _bar_labels(ax: object, values: Sequence[float], positions: Sequence[float]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    for value, y in zip(values, positions, strict=True):
        ax.annotate(
            sig(value),
            (value, y),
            xytext=(4 if value >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=9,
            color=INK,
        )


def _style_bar_axes(ax: Any, labels: Sequence[str], title: str, unit: str) -> None:
    """Horizontal bars top to bottom: category labels, title, unit, grid and a zero line."""
    n = len(labels)
    ax.set_yticks(list(range(n)), [text(short(label)) for label in labels])
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel(text(unit))
    ax.set_title(text(title))
    ax.xaxis.grid(True)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _label_room(values: Sequence[float]) -> float:
    """Axis margin that leaves room for the longest value label beside its bar."""
    longest = max((len(sig(v)) for v in values), default=4)
    return min(0.12 + 0.025 * longest, 0.4)


def bars(
    prefix: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str,
    colours: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, largest magnitude first as given, each labelled with its value."""
    n = len(labels)
    with style():
        fig, _ = _horizontal_bars(
            0.95 + 0.42 * max(n, 1),
            labels,
            values,
            list(colours) if colours else BLUE,
            0.62,
            unit,
            title,
        )
    return to_svg(fig, prefix, title)


def _horizontal_bars(
    height_in: float,
    labels: Sequence[str],
    values: Sequence[float],
    colours: Any,
    bar_height: float,
    unit: str,
    title: str,
) -> tuple[Any, Any]:
    """A figure with one horizontal bar per label, top to bottom, value labels and a zero line."""
    n = len(labels)
    fig = new_figure(WIDTH, height_in)
    ax = fig.add_subplot()
    positions = list(range(n))
    ax.barh(positions, values, height=bar_height, color=colours)
    _style_bar_axes(ax, labels, title, unit)
    _bar_labels(ax, values, positions)
    ax.margins(x=_label_room(values))
    return fig, ax


def pareto(
    prefix: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    cumulative_pct: Sequence[float],
    unit: str,
    remainder: bool,
    *,
    t: Translator = ENGLISH,
) -> str:
    """Top contributors as bars, largest first, with the cumulative share in a right-hand column.

    With ``remainder`` the last bar is the rest of the inputs, drawn in grey.
    """
    n = len(labels)
    colours = [GREEN if v < 0 else BLUE for v in values]
    if remainder and colours:
        colours[-1] = GREY
    with style():
        fig, ax = _horizontal_bars(
            1.05 + 0.36 * max(n, 1), labels, values, colours, 0.66, unit, title
        )
        place = ax.get_yaxis_transform()
        ax.text(
            1.01,
            n - 0.4,
            t("cumul."),
            transform=place,
            ha="left",
            va="top",
            fontsize=8.5,
            color=MUTED,
        )
        for y, cum in enumerate(cumulative_pct):
            ax.text(
                1.01,
                y,
                f"{cum:.0f} %",
                transform=place,
                ha="left",
                va="center",
                fontsize=9,
                color=MUTED,
            )
    return to_svg(fig, prefix, title)


def stacked(
    prefix: str,
    title: str,
    rows: Sequence[str],
    parts: Mapping[str, Sequence[float]],
    colours: Mapping[str, str],
    unit: str,
    totals: Sequence[float],
    annotations: Sequence[str] | None = None,
    *,
    t: Translator = ENGLISH,
) -> str:
    """One stacked horizontal bar per row (e.g. scenario), stacked by part (e.g. stage).

    Each bar ends with ``annotations`` (default: its total).
    """
    n = len(rows)
    with style():
        fig = new_figure(WIDTH, 1.6 + 0.5 * max(n, 1))
        ax = fig.add_subplot()
        positions = list(range(n))
        left_pos = [0.0] * n
        left_neg = [0.0] * n
        for name, values in parts.items():
            starts = [
                lp if v >= 0 else ln for v, lp, ln in zip(values, left_pos, left_neg, strict=True)
            ]
            ax.barh(
                positions,
                values,
                left=starts,
                height=0.6,
                color=colours.get(name, GREY),
                label=text(name),
            )
            for i, v in enumerate(values):
                if v >= 0:
                    left_pos[i] += v
                else:
                    left_neg[i] += v
        _style_bar_axes(ax, rows, title, unit)
        labels = annotations or [t("{total} total", total=sig(total)) for total in totals]
        for y, label, end in zip(positions, labels, left_pos, strict=True):
            ax.annotate(
                text(label),
                (max(end, 0.0), y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.margins(x=0.2)
        fig.legend(loc="outside lower center", ncol=max(len(parts), 1))
    return to_svg(fig, prefix, title)


def _fits(label: str, width_fraction: float, font_size: float = 8.0) -> str:
    """``label`` shortened to fit a band ``width_fraction`` of the axes wide (empty if nothing fits)."""
    axes_points = WIDTH * 72 * 0.9
    chars = int(width_fraction * axes_points / (0.62 * font_size)) - 1
    if chars >= width(label):
        return label
    return short(label, chars) if chars >= 4 else ""


def bullet(
    prefix: str,
    title: str,
    value: float,
    threshold: float,
    bands: Sequence[tuple[str, float]],
    unit: str,
    higher_is_better: bool,
    *,
    t: Translator = ENGLISH,
) -> str:
    """A bullet chart: qualitative bands (tiers, best darkest), the value bar and the limit mark.

    ``bands`` are (name, limit) pairs, best first; the limit that applied is ``threshold``.
    """
    limits = [limit for _, limit in bands] or [threshold]
    points = [value, threshold, *limits, 0.0]
    low, high = min(points), max(points)
    span = (high - low) or abs(high) or 1.0
    lo = low - 0.08 * span if low < 0 else 0.0
    hi = high + 0.12 * span
    span_width = hi - lo
    with style():
        fig = new_figure(WIDTH, 1.6)
        ax = fig.add_subplot()
        ordered = sorted(bands, key=lambda b: b[1], reverse=higher_is_better) or [
            (t("meets"), threshold)
        ]
        start = hi if higher_is_better else lo
        for i, (name, edge) in enumerate(ordered):
            colour = (
                BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)] if len(ordered) > 1 else BAND_COLOURS[2]
            )
            ax.axvspan(min(start, edge), max(start, edge), 0.0, 1.0, color=colour, linewidth=0)
            label = _fits(name, abs(edge - start) / span_width)
            if label:
                ax.text(
                    (start + edge) / 2,
                    0.46,
                    text(label),
                    ha="center",
                    va="top",
                    fontsize=8,
                    color="white" if i < 2 and len(ordered) > 1 else INK,
                )
            start = edge
        end = lo if higher_is_better else hi
        ax.axvspan(min(start, end), max(start, end), 0.0, 1.0, color=NOT_MET_BAND, linewidth=0)
        label = _fits(t("not met"), abs(end - start) / span_width)
        if label:
            ax.text((start + end) / 2, 0.46, label, ha="center", va="top", fontsize=8, color=MUTED)
        ax.barh([0.0], [value], height=0.24, color=INK, zorder=3)
        ax.plot(
            [threshold, threshold],
            [-0.38, 0.38],
            color=INK,
            linewidth=3.2,
            zorder=4,
            solid_capstyle="butt",
        )
        room_left = (value - lo) / span_width > 0.2
        room_right = (hi - value) / span_width > 0.2
        right = not room_left if threshold >= value else room_right
        ax.annotate(
            t("value {value}", value=sig(value)),
            (value, -0.27),
            xytext=(0, -2),
            textcoords="offset points",
            ha="left" if right else "right",
            va="top",
            fontsize=9,
            fontweight="bold",
            color=INK,
            zorder=5,
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        direction = t("higher is better") if higher_is_better else t("lower is better")
        ax.set_xlabel(
            text(
                t(
                    "{unit}  ({direction}; black mark = limit {limit})",
                    unit=unit,
                    direction=direction,
                    limit=sig(threshold),
                )
            )
        )
        ax.set_title(text(title))
    return to_svg(fig, prefix, title)


def histogram(
    prefix: str,
    title: str,
    samples: Sequence[float],
    percentiles: dict[float, float],
    deterministic: float,
    thresholds: Sequence[tuple[str, float]],
    unit: str,
) -> str:
    """Histogram of Monte Carlo samples with the 2.5/50/97.5 percentiles and nearby label limits."""
    import numpy as np

    data = np.asarray(samples, dtype=float)
    data = data[np.isfinite(data)]
    edges: list[float] | int = 10
    if data.size > 1:
        found: list[float] = np.histogram_bin_edges(data, bins="fd").tolist()
        edges = found if 11 <= len(found) <= 61 else np.histogram_bin_edges(data, bins=40).tolist()
    low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
    span = (high - low) or abs(high) or 1.0
    with style():
        fig = new_figure(WIDTH, 3.3 + 0.2 * len(thresholds))
        ax = fig.add_subplot()
        ax.hist(data, bins=edges, color=SKY, edgecolor="white", linewidth=0.5)
        ax.yaxis.grid(True)
        marks = [
            (percentiles.get(2.5), "2.5 %", MUTED, "--"),
            (percentiles.get(50.0), "median", BLUE, "-"),
            (percentiles.get(97.5), "97.5 %", MUTED, "--"),
            (deterministic, "deterministic", INK, ":"),
        ]
        for x, label, colour, dash in marks:
            if x is not None and math.isfinite(x):
                ax.axvline(
                    x, color=colour, linestyle=dash, linewidth=1.6, label=f"{label} {sig(x)}"
                )
        styles: list[tuple[str, Any]] = [
            (VERMILION, "-"),
            (PURPLE, "-."),
            (ORANGE, (0, (6, 2))),
            (INK, (0, (1, 1))),
        ]
        shown = [(n, x) for n, x in thresholds if low - 0.25 * span <= x <= high + 0.25 * span]
        for i, (name, x) in enumerate(shown):
            colour, dash = styles[i % len(styles)]
            ax.axvline(
                x,
                color=colour,
                linestyle=dash,
                linewidth=2,
                label=text(f"limit {sig(x)}: {short(name, 34)}"),
            )
        ax.set_xlabel(text(unit))
        ax.set_ylabel("samples")
        ax.set_title(text(title))
        fig.legend(loc="outside lower center", ncol=2)
    return to_svg(fig, prefix, title)


def strips(
    prefix: str,
    title: str,
    groups: Sequence[tuple[str, Sequence[float]]],
    unit: str,
) -> str:
    """Per group a box plot with every value as a dot, on a log axis (values must be > 0)."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    rng = np.random.default_rng(20240601)
    n = len(groups)
    with style():
        fig = new_figure(WIDTH, 1.1 + 0.42 * max(n, 1))
        ax = fig.add_subplot()
        ax.set_xscale("log")
        data = [np.asarray(values, dtype=float) for _, values in groups]
        positions = list(range(n))
        if n:
            ax.boxplot(
                data,
                positions=positions,
                orientation="horizontal",
                widths=0.55,
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": "#E8F1FA", "edgecolor": BLUE},
                medianprops={"color": ORANGE, "linewidth": 2},
                whiskerprops={"color": BLUE},
                capprops={"color": BLUE},
            )
        for y, values in zip(positions, data, strict=True):
            jitter = rng.uniform(-0.18, 0.18, size=values.size)
            ax.scatter(values, y + jitter, s=9, color=BLUE, alpha=0.45, linewidths=0, zorder=3)
        ax.set_yticks(positions, [text(short(label, 48)) for label, _ in groups])
        ax.set_ylim(n - 0.5, -0.5)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.10g}"))
        ax.xaxis.grid(True, which="major")
        ax.set_xlabel(text(unit))
        ax.set_title(text(title))
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
    return to_svg(fig, prefix, title)


def tolerance(
    prefix: str,
    title: str,
    declared: float,
    recomputed: float,
    tolerance_pct: float,
    unit: str,
    threshold: float | None = None,
    *,
    t: Translator = ENGLISH,
) -> str:
    """Declared against recomputed value, with the tolerance band around the recomputed one."""
    band = abs(recomputed) * tolerance_pct / 100.0
    points = [declared, recomputed - band, recomputed + band]
    if threshold is not None:
        points.append(threshold)
    low, high = min(points), max(points)
    span = (high - low) or abs(high) or 1.0
    with style():
        fig = new_figure(WIDTH, 2.0)
        ax = fig.add_subplot()
        ax.axvspan(
            recomputed - band,
            recomputed + band,
            color="#DDF0E5",
            linewidth=0,
            label=t("tolerance ±{pct} %", pct=f"{tolerance_pct:g}"),
        )
        ax.axvline(
            recomputed,
            color=BLUE,
            linewidth=2.5,
            label=t("recomputed {value}", value=sig(recomputed)),
        )
        ax.plot(
            [declared],
            [0.0],
            marker="D",
            markersize=10,
            color=ORANGE,
            linestyle="none",
            label=t("declared {value}", value=sig(declared)),
        )
        if threshold is not None:
            ax.axvline(
                threshold,
                color=INK,
                linewidth=3,
                label=t("scheme limit {value}", value=sig(threshold)),
            )
        ax.set_xlim(low - 0.3 * span, high + 0.3 * span)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(text(unit))
        ax.set_title(text(title))
        fig.legend(loc="outside lower center", ncol=2 if threshold is None else 4)
    return to_svg(fig, prefix, title)
