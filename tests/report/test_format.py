"""Number formatting of the reports."""

from __future__ import annotations

import pytest

from footprint.report.format import pct, sig, signed_pct


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.14, "+6.1 %"),
        (-0.06, "-0.1 %"),
        (-0.00524372, "-0.0052 %"),
        (0.0000031, "+0.0000031 %"),
        (0.0, "0 %"),
        (float("nan"), "–"),
        (None, "–"),
    ],
)
def test_signed_pct_never_shows_a_signed_zero(value: float | None, text: str) -> None:
    assert signed_pct(value) == text


def test_pct_rounds_negative_zero_away() -> None:
    assert pct(-0.01) == "0.0 %"
    assert pct(32.64) == "32.6 %"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (34.5678, "+34.57"),
        (-0.11298, "-0.1130"),
        (12345.6, "+12,350"),
        (0.0, "0"),
        (None, "–"),
    ],
)
def test_sig_with_sign_marks_a_positive_value(value: float | None, text: str) -> None:
    assert sig(value, sign=True) == text
