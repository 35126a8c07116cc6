"""Fuzz every reader with mutated real files: each call returns or raises FootprintError, quickly.

Byte mutations (deletions, insertions, tokens such as ``.inf``, ``&a``, ``\\xe9``, repeated and
dropped lines) and structure mutations (a value replaced by a hostile one, a key dropped, an item
repeated) of the example inventories, the Excel template, claims, scenarios, label schemes and PACT
files. Hostile inputs that need a memory bound are in test_hostile_inputs.py.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inventory.readers import READERS, outcome, seeds

SEEDS = seeds()
TOKENS = [
    b".inf",
    b"-.inf",
    b".nan",
    b"1e999",
    b"1.0e+999",
    b"NaN",
    b"Infinity",
    b"true",
    b"null",
    b"~",
    b"[]",
    b"{}",
    b"[",
    b"{",
    b"]",
    b"&a ",
    b"*a",
    b"<<: ",
    b"!!python/object:os.system ",
    b"!!binary ",
    b"\x00",
    b"\x07",
    b"\xe9",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\t",
    b"\n- ",
    b": ",
    b"'",
    b'"',
    b"#",
    b",",
    b"{9**9**9}",
    b"{1/0}",
    b"{sqrt(-1)}",
    b"{min()}",
    b"{" + b"-" * 300 + b"1}",
    b"kg**0",
    b"kg)",
    b"^9999999999",
    b" ton",
    b"2024-02-30",
    b"1" * 400,
    b"PK\x03\x04",
]
OPERATIONS = ("delete", "insert", "replace", "token", "repeat_line", "drop_line")
HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "1e999 kg",
            "nan kg",
            "-1 kg",
            "0 kg",
            "1e300 t",
            "{1/0} kg",
            "{round(2.3456, 2)} kg",
            "kg**0",
            "1 ton",
            "Wid\x07get",
            "",
            "{undeclared}",
            "2024-02-30",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@st.composite
def byte_mutant(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS[kind])))
    for _ in range(draw(st.integers(1, 5))):
        operation = draw(st.sampled_from(OPERATIONS))
        at = draw(st.integers(0, len(data)))
        if operation == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif operation == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        else:
            lines = bytes(data).split(b"\n")
            index = min(at * len(lines) // (len(data) + 1), len(lines) - 1)
            if operation == "repeat_line":
                lines.insert(index, lines[index])
            else:
                del lines[index]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _paths(value: Any) -> list[tuple[Any, ...]]:
    """Every path into nested dicts and lists."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        out.append(path)
        if isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(item))
    return out


@st.composite
def structure_mutant(draw: st.DrawFn, kind: str) -> bytes:
    seed = draw(st.sampled_from(SEEDS[kind]))
    if kind in ("csv", "proxies"):
        rows = list(csv.reader(io.StringIO(seed.decode("utf-8-sig"))))
        row = draw(st.integers(0, len(rows) - 1))
        cell = draw(st.integers(0, max(len(rows[row]), 1)))
        value = draw(HOSTILE_VALUES)
        rows[row][cell:cell] = [str(value)] if draw(st.booleans()) else []
        if rows[row][cell + 1 : cell + 2]:
            rows[row][cell + 1] = str(draw(HOSTILE_VALUES))
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8", "surrogatepass")
    data = json.loads(seed) if kind == "pact" else yaml.safe_load(seed)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            continue
        *head, last = path
        parent = data
        for part in head:
            parent = parent[part]
        operation = draw(st.sampled_from(("replace", "drop", "repeat")))
        if operation == "replace":
            parent[last] = draw(HOSTILE_VALUES)
        elif operation == "drop":
            del parent[last]
        elif isinstance(parent, list):
            parent.insert(last, parent[last])
    if kind == "pact":
        return json.dumps(data, default=str).encode("utf-8", "surrogatepass")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text.encode("utf-8", "surrogatepass")


XLSX_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["1e999", "NaN", "inf", "-1", "", "kg**0", "ton", "#", "parameter:", "A9"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=10),
)


@st.composite
def workbook_mutant(draw: st.DrawFn) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(SEEDS["xlsx"][0]))
    for _ in range(draw(st.integers(1, 4))):
        sheet = book[draw(st.sampled_from(["Product", "Inputs"]))]
        row = draw(st.integers(1, sheet.max_row + 2))
        column = draw(st.integers(1, sheet.max_column + 1))
        sheet.cell(row=row, column=column).value = draw(XLSX_VALUES)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read(kind: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input{READERS[kind][0]}"
        path.write_bytes(content)
        error = outcome(kind, path)
        if error is not None and kind != "pact":  # PACT errors name the JSON path instead
            assert str(path) in error.message


FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
TEXT_KINDS = ("yaml", "csv", "claim", "scenarios", "scheme", "pact", "installation", "proxies")


@pytest.mark.parametrize("kind", READERS)
def test_seeds_are_valid(kind: str) -> None:
    """The mutations start from files every reader accepts."""
    assert SEEDS[kind]
    for content in SEEDS[kind]:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / f"seed{READERS[kind][0]}"
            path.write_bytes(content)
            assert outcome(kind, path) is None


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_byte_mutations(kind: str) -> None:
    @settings(FUZZ, max_examples=150 if kind in ("yaml", "csv") else 60)
    @given(content=byte_mutant(kind))
    def check(content: bytes) -> None:
        _read(kind, content)

    check()


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_structure_mutations(kind: str) -> None:
    @settings(FUZZ, max_examples=100 if kind == "yaml" else 40)
    @given(content=structure_mutant(kind))
    def check(content: bytes) -> None:
        _read(kind, content)

    check()


@settings(FUZZ, max_examples=20)
@given(content=byte_mutant("xlsx"))
def test_workbook_byte_mutations(content: bytes) -> None:
    _read("xlsx", content)


@settings(FUZZ, max_examples=25)
@given(content=workbook_mutant())
def test_workbook_cell_mutations(content: bytes) -> None:
    _read("xlsx", content)
