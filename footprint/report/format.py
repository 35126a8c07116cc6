"""Number and unit formatting shared by the report pages: significant figures, shares, units."""

from __future__ import annotations

import math
import re

DASH = "–"
CO2E = "kg CO₂e"


def sig(value: float | None, digits: int = 4, *, sign: bool = False) -> str:
    """``value`` to ``digits`` significant figures, with thousands separators (``1,234``).

    Magnitudes below 1e-5 or from 1e12 use e-notation (``1.234e-06``); ``None``/NaN give a dash;
    with ``sign``, a positive value starts with ``+``. The text parses back with
    ``float(text.replace(",", ""))``.
    """
    if value is None or math.isnan(value):
        return DASH
    if sign and value > 0:
        return "+" + sig(value, digits)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    rounded = float(f"{value:.{digits - 1}e}")
    magnitude = math.floor(math.log10(abs(rounded)))
    if magnitude < -5 or magnitude >= 12:
        return f"{rounded:.{digits - 1}e}"
    decimals = max(digits - 1 - magnitude, 0)
    return f"{rounded:,.{decimals}f}"


def parse(text: str) -> float:
    """The number a :func:`sig` text stands for."""
    return float(text.replace(",", "").replace("−", "-"))


def pct(value: float | None, digits: int = 1) -> str:
    """A percentage such as ``32.6 %`` (``value`` already in percent)."""
    if value is None or math.isnan(value):
        return DASH
    if round(value, digits) == 0:
        value = 0.0  # no "-0.0 %"
    return f"{value:.{digits}f} %"


def signed_pct(value: float | None) -> str:
    """A percentage with its sign, such as ``+6.1 %``; below 0.1 % in size, two significant
    figures (``-0.0052 %``), and exactly zero as ``0 %``."""
    if value is None or math.isnan(value):
        return DASH
    if value == 0:
        return "0 %"
    if abs(value) < 0.05:
        import numpy as np

        return f"{np.format_float_positional(value, precision=2, fractional=False, sign=True)} %"
    return f"{value:+.1f} %"


def share(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole`` (None when the whole is zero)."""
    return None if not whole else 100.0 * part / whole


def pretty_unit(unit: str | None) -> str:
    """A unit as people read it: ``kg CO2e/t`` → ``kg CO₂e/t``."""
    return (unit or "").replace("CO2e", "CO₂e").replace("CO2", "CO₂")


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def formula(name: str) -> str:
    """A chemical formula with subscript digits (``N2O`` → ``N₂O``); other names unchanged."""
    if re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", name):
        return name.translate(_SUBSCRIPTS)
    return name


def per_declared(amount: float, unit: str) -> str:
    """The declared unit as a phrase: ``per 1 t``."""
    return f"per {amount:g} {unit}"
