"""Label schemes, their rules and verdicts, and claim verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from footprint.engine.result import FootprintResult
from footprint.labels.assess import applicable
from footprint.labels.assess import evaluate as _evaluate
from footprint.labels.scheme import Scheme, SchemeError, get_scheme, load_schemes
from footprint.labels.verdict import LabelVerdict, Outcome, Verdict

__all__ = [
    "LabelVerdict",
    "Outcome",
    "Scheme",
    "SchemeError",
    "Verdict",
    "applicable",
    "evaluate",
    "get_scheme",
    "load_schemes",
]


def evaluate(
    result: FootprintResult,
    scheme: Scheme | str,
    *,
    evidence: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> LabelVerdict:
    """The verdict of ``scheme`` (a :class:`Scheme` or its id) on a footprint ``result``.

    Raises:
        SchemeError: unknown scheme id.
    """
    if isinstance(scheme, str):
        scheme = get_scheme(scheme)
    return _evaluate(result, scheme, evidence=evidence, on=on)
