"""Decimal numbers as JSON strings without exponent, as PACT writes them (``"0.0000123"``)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

#: PACT's ``Decimal`` grammar: optional sign, digits, optional fraction; no exponent, no blanks.
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def decimal_string(x: float, significant: int = 12) -> str:
    """``x`` rounded to ``significant`` significant digits, written without exponent.

    Trailing zeros are trimmed and zero is ``"0"`` (never ``"-0"``): ``1.23e-05`` → ``"0.0000123"``,
    ``1500.0`` → ``"1500"``.

    Raises:
        ValueError: ``x`` is NaN or infinite, or ``significant`` < 1.
    """
    if significant < 1:
        raise ValueError(f"significant must be at least 1, got {significant}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no decimal representation")
    if value == 0:
        return "0"
    text = format(Decimal(f"{value:.{significant - 1}e}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_decimal(s: str) -> float:
    """The number in a PACT decimal string such as ``"-14.22"`` or ``"0.0000123"``.

    Raises:
        ValueError: ``s`` is not a string of that form (exponents, blanks, ``NaN``, ``".5"``...).
    """
    if not isinstance(s, str) or _DECIMAL.fullmatch(s) is None:
        raise ValueError(
            f"expected a decimal string such as '12.5' (no exponent, no blanks), got {s!r}"
        )
    return float(s)
