"""Every reader of a user file, its seed files, and a call under a time bound (for the fuzz tests)."""

from __future__ import annotations

import io
import math
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter
from types import FrameType
from typing import Any

import pint

from footprint.background.importers.pact import convert_pact
from footprint.background.proxies import read_proxies
from footprint.cbam.calc import calculate as cbam_calculate
from footprint.cbam.model import read_installation
from footprint.errors import FootprintError
from footprint.inventory import Inventory, read_inventory
from footprint.inventory.excel import write_template
from footprint.inventory.scenarios import read_scenarios
from footprint.labels.claim import read_claim
from footprint.labels.scheme import read_scheme

ROOT = Path(__file__).resolve().parents[2]
#: Longest a reader may take on any input, in seconds.
TIME_LIMIT = 5.0


def _pact(path: Path) -> object:
    return convert_pact(path)


def _installation(path: Path) -> object:
    """Read a CBAM installation and compute its SEE (the JSON-ready result)."""
    return cbam_calculate(read_installation(path)).to_dict()


#: kind → (file suffix, reader).
READERS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "yaml": (".yaml", read_inventory),
    "csv": (".csv", read_inventory),
    "xlsx": (".xlsx", read_inventory),
    "claim": (".yaml", lambda path: read_claim(path)[0]),
    "scenarios": (".yaml", read_scenarios),
    "scheme": (".yaml", read_scheme),
    "pact": (".json", _pact),
    "installation": (".yaml", _installation),
    "proxies": (".csv", read_proxies),
}


def _template() -> bytes:
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()


def seeds() -> dict[str, list[bytes]]:
    """Real, valid files of each kind, to mutate."""

    def read(*patterns: str) -> list[bytes]:
        return [p.read_bytes() for pattern in patterns for p in sorted(ROOT.glob(pattern))]

    return {
        "yaml": read("inventories/examples/*.yaml", "tests/fixtures/hand.yaml"),
        "csv": read("inventories/examples/*.csv"),
        "xlsx": [_template()],
        "claim": read("inventories/claims/rebar-*.yaml"),  # (beside it: its inventory)
        "scenarios": read("inventories/scenarios/*.yaml"),
        "scheme": read(
            "tests/labels/fixtures/schemes/*.yaml",
            "labels/buy-clean-california-2022-rebar.yaml",
            "labels/cisa-2024-low-carbon-steel.yaml",
        ),
        "pact": read("tests/exchange/fixtures/*.json"),
        "installation": read("inventories/cbam/*.yaml", "tests/cbam/fixtures/*.yaml"),
        "proxies": read("inventories/background/tiangong/proxies.csv"),
    }


class Timeout(BaseException):
    """A reader ran past the time limit (a BaseException, so no reader can swallow it)."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` in the block once ``seconds`` have passed (main thread, POSIX)."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise Timeout(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(kind: str, path: Path) -> FootprintError | None:
    """Read ``path`` with the ``kind`` reader: None if it was read, else the FootprintError raised.

    Any other exception propagates; a read past :data:`TIME_LIMIT` raises :class:`Timeout`; a file
    read without error must hold only finite numbers.
    """
    started = perf_counter()
    result: object = None
    error: FootprintError | None = None
    with time_bound(TIME_LIMIT):
        try:
            result = READERS[kind][1](path)
        except FootprintError as exc:
            error = exc
    assert perf_counter() - started < TIME_LIMIT
    if error is None:
        assert_finite(result.model_dump() if isinstance(result, Inventory) else result)
    else:
        assert error.message
        assert "Traceback" not in error.message
    return error


def assert_finite(value: Any) -> None:
    """Every number in ``value`` (nested dicts, lists, quantities, models) is finite."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, pint.Quantity):
            item = item.magnitude
        if isinstance(item, float):
            assert math.isfinite(item), value
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "model_dump"):
            stack.append(item.model_dump())
