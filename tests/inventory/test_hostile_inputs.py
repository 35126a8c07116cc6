"""A hand-written corpus of malformed and hostile inputs, one per class, for every reader.

Each case must raise FootprintError (within the time bound of ``outcome``) whose message names the
line, row or field. Inputs that would exhaust memory (a "billion laughs" YAML, a zip bomb posing as
a workbook) are read in a subprocess under an address-space limit.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.errors import FootprintError
from footprint.inventory import read_inventory
from footprint.safeload import read_text
from tests.inventory.readers import READERS, ROOT, outcome, seeds

INVENTORY = """\
product:
  name: Widget
  declared_unit: kg
  geography: US
  parameters: {x: 2.3456, km: 100}
processes:
  - id: make
    output: 1 kg
    inputs:
      - {background: steel, amount: 0.8 kg}
    emissions:
      - {gas: CO2, amount: 0.1 kg}
"""
STEEL = "{background: steel, amount: 0.8 kg}"
CSV = (
    "# name: Widget\n# declared_unit: kg\n# geography: US\n"
    "stage,item,amount,unit,background,location,gas,origin\n"
    "A1,Steel,0.8,kg,steel,US,,\n"
    "A3,Process CO2,0.05,kg,,,CO2,fossil\n"
)
SCENARIOS = "scenarios:\n  near: {km: 50}\n  far: {km: 500}\n"
CLAIM = (ROOT / "inventories/claims/rebar-buy-clean-california-2022.yaml").read_text("utf-8")


def _line_of(text: str) -> int:
    """The line of the example claim that holds ``text`` (1-based)."""
    return next(i for i, line in enumerate(CLAIM.splitlines(), 1) if text in line)


SCHEME = (ROOT / "tests/labels/fixtures/schemes/test-rebar-2024.yaml").read_text("utf-8")
PACT = seeds()["pact"][0].decode("utf-8")


def inventory(old: str, new: str) -> bytes:
    assert old in INVENTORY
    return INVENTORY.replace(old, new, 1).encode("utf-8")


def amount(text: str) -> bytes:
    return inventory(STEEL, f'{{background: steel, amount: "{text}"}}')


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


LAUGHS = "lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)
CO_PRODUCT = "    allocation: economic\n    co_products:\n      - {name: slag, amount: 0.1 kg, price: PRICE}\n"

# (kind, case, content, words the message must contain)
CASES: list[tuple[str, str, bytes, tuple[str, ...]]] = [
    # YAML inventories: the loader
    (
        "yaml",
        "latin-1",
        INVENTORY.replace("Widget", "Widgét").encode("latin-1"),
        ("not UTF-8", "byte 0xE9 at offset 21", "line 2", "re-save the file as UTF-8"),
    ),
    (
        "yaml",
        "repeated key",
        inventory("    output: 1 kg\n", "    output: 1 kg\n    output: 2 kg\n"),
        ("line 9", "'output' appears twice", "lines 8 and 9"),
    ),
    (
        "yaml",
        "too deep",
        inventory("  geography: US\n", f"  geography: US\n  description: {deep(100)}\n"),
        ("line 5", "nested more than 64"),
    ),
    (
        "yaml",
        "self alias",
        inventory("  geography: US\n", "  geography: US\n  sources: &s [*s]\n"),
        ("line 5", "alias *s"),
    ),
    (
        "yaml",
        "python tag",
        inventory("Widget", "!!python/object/apply:os.system [ls]"),
        ("line 2", "cannot read this YAML value"),
    ),
    ("yaml", "huge int", inventory("x: 2.3456", "x: " + "9" * 400), ("line 5", "too large")),
    (
        "yaml",
        "bad date",
        inventory(
            "  geography: US\n",
            "  geography: US\n  reference_period: {start: 2024-02-30, end: 2024-12-31}\n",
        ),
        ("line 5", "'2024-02-30'", "out of range"),
    ),
    ("yaml", "control byte", inventory("Widget", "Wid\x07get"), ("line 2", "U+0007")),
    # non-finite numbers and booleans, at the field
    (
        "yaml",
        ".inf amount",
        inventory(STEEL, "{background: steel, amount: .inf}"),
        ("line 10", "'.inf' is not a finite number"),
    ),
    (
        "yaml",
        "1e999 amount",
        amount("1e999 kg"),
        ("line 10", "processes[0].inputs[0].amount", "finite"),
    ),
    ("yaml", "NaN amount", amount("NaN kg"), ("line 10", "processes[0].inputs[0].amount")),
    (
        "yaml",
        "boolean amount",
        inventory("amount: 0.8 kg", "amount: true"),
        ("processes[0].inputs[0].amount", "True"),
    ),
    (
        "yaml",
        "1e999 output",
        inventory("output: 1 kg", "output: 1e999 kg"),
        ("line 8", "processes[0].output", "finite"),
    ),
    (
        "yaml",
        "true declared_amount",
        inventory("  geography", "  declared_amount: true\n  geography"),
        ("line 4", "product.declared_amount", "expected a number, got true"),
    ),
    (
        "yaml",
        ".nan declared_amount",
        inventory("  geography", "  declared_amount: .nan\n  geography"),
        ("line 4", "'.nan' is not a finite number"),
    ),
    (
        "yaml",
        "1e999 declared_amount",
        inventory("  geography", "  declared_amount: '1e999'\n  geography"),
        ("line 4", "product.declared_amount", "finite number"),
    ),
    (
        "yaml",
        "true inputs",
        inventory(f"    inputs:\n      - {STEEL}\n", "    inputs: true\n"),
        ("line 9", "processes[0].inputs", "valid list"),
    ),
    (
        "yaml",
        "nan price",
        inventory("    emissions:", CO_PRODUCT.replace("PRICE", "'nan'") + "    emissions:"),
        ("line 13", "processes[0].co_products[0].price", "finite number"),
    ),
    (
        "yaml",
        "true property",
        inventory(
            "    emissions:",
            CO_PRODUCT.replace("price: PRICE", "property: true") + "    emissions:",
        ),
        ("processes[0].co_products[0].property", "got true"),
    ),
    (
        "yaml",
        "true parameter",
        inventory("x: 2.3456", "x: true"),
        ("line 5", "product.parameters.x", "got true"),
    ),
    (
        "yaml",
        "escaped control character",
        inventory("Widget", '"Wid\\x07get"'),
        ("line 2", "product.name", "control character U+0007"),
    ),
    (
        "yaml",
        "line break in an id",
        inventory("id: make", 'id: "ma\\nke"'),
        ("processes[0].id", "U+000A"),
    ),
    (
        "yaml",
        "kg**0",
        inventory("declared_unit: kg", 'declared_unit: "kg**0"'),
        ("line 3", "product.declared_unit", "no dimension"),
    ),
    (
        "yaml",
        "no lines",
        INVENTORY.split("    inputs:")[0].encode(),
        ("line 7", "processes[0]", "no inputs and no emissions"),
    ),
    (
        "yaml",
        "unbalanced unit",
        inventory("declared_unit: kg", 'declared_unit: "kg)"'),
        ("line 3", "product.declared_unit", "unknown unit 'kg)'"),
    ),
    (
        "yaml",
        "absurd power",
        amount("1 kg^9999999999"),
        ("line 10", "processes[0].inputs[0].amount", "unknown unit"),
    ),
    # parameter expressions: the field and the expression
    (
        "yaml",
        "1/0",
        amount("{1/0} kg"),
        ("line 10", "inputs[0].amount", "{1/0} kg", "divides by zero"),
    ),
    ("yaml", "% 0", amount("{km % 0} kg"), ("inputs[0].amount", "{km % 0} kg", "divides by zero")),
    ("yaml", "sqrt(-1)", amount("{sqrt(-1)} kg"), ("inputs[0].amount", "root of a negative")),
    ("yaml", "min()", amount("{min()} kg"), ("inputs[0].amount", "min() takes")),
    ("yaml", "9**9**9", amount("{9**9**9} kg"), ("inputs[0].amount", "9**9**9", "too large")),
    ("yaml", "unary chain", amount("{" + "-" * 600 + "1} kg"), ("inputs[0].amount", "at most 500")),
    ("yaml", "deep expression", amount("{" + "-" * 100 + "1} kg"), ("inputs[0].amount", "nests")),
    ("yaml", "overflow", amount("{x * 1e308 * 10} kg"), ("inputs[0].amount", "too large")),
    ("yaml", "complex", amount("{(-8) ** 0.5} kg"), ("inputs[0].amount", "not a real number")),
    ("yaml", "round(x, 0.5)", amount("{round(x, 0.5)} kg"), ("inputs[0].amount", "whole number")),
    # CSV
    ("csv", "empty", b"", ("no table of line items",)),
    ("csv", "header only", CSV.split("A1,")[0].encode(), ("line 4", "no inputs and no emissions")),
    ("csv", "latin-1", CSV.replace("Steel", "Stéel").encode("latin-1"), ("line 5", "not UTF-8")),
    (
        "csv",
        "long field",
        CSV.replace("Steel", "S" * 200_000).encode(),
        ("line 5", "field larger than field limit"),
    ),
    (
        "csv",
        "too many cells",
        CSV.replace("US,,\n", "US,,,extra\n").encode(),
        ("line 5", "9 cells", "8 columns", "'extra'"),
    ),
    ("csv", "NUL", CSV.replace("Steel", "St\x00eel").encode(), ("line 5", "U+0000")),
    ("csv", "1e999", CSV.replace("0.8,kg", "1e999,kg").encode(), ("line 5", "finite")),
    (
        "csv",
        "nan declared",
        CSV.replace("# geography", "# declared_amount: nan\n# geography").encode(),
        ("line 3", "product.declared_amount", "finite"),
    ),
    (
        "csv",
        "line after a comment",
        CSV.replace("A3,", "# a note\n\nA3,").replace("0.05,kg", "0.05,kgg").encode(),
        ("line 8", "processes[0].emissions[0].amount", "kgg"),
    ),
    # claims, scenarios, schemes and PACT files: the same loader
    (
        "claim",
        "latin-1",
        CLAIM.replace("manufacturer", "manufacturér").encode("latin-1"),
        ("not UTF-8",),
    ),
    ("claim", "repeated key", (CLAIM + "gwp: ar5\n").encode(), ("'gwp' appears twice",)),
    (
        "claim",
        ".inf evidence",
        CLAIM.replace("scrap_share: 0.97", "scrap_share: .inf").encode(),
        (f"line {_line_of('scrap_share: 0.97')}", "'.inf' is not a finite number"),
    ),
    (
        "claim",
        "deep evidence",
        CLAIM.replace("scrap_share: 0.97", f"x: {deep(80)}").encode(),
        (f"line {_line_of('scrap_share: 0.97')}", "nested more than 64"),
    ),
    (
        "claim",
        "bad date",
        CLAIM.replace("2024-03-01", "2024-02-30").encode(),
        (f"line {_line_of('2024-03-01')}", "2024-02-30"),
    ),
    (
        "scenarios",
        ".nan",
        SCENARIOS.replace("50", ".nan").encode(),
        ("line 2", "not a finite number"),
    ),
    (
        "scenarios",
        "nan text",
        SCENARIOS.replace("50", "nan").encode(),
        ("line 2", "'km' is 'nan', not a finite number"),
    ),
    ("scenarios", "boolean", SCENARIOS.replace("50", "true").encode(), ("line 2", "is true")),
    (
        "scenarios",
        "repeated name",
        (SCENARIOS + "  near: {km: 5}\n").encode(),
        ("line 4", "'near' appears twice", "lines 2 and 4"),
    ),
    ("scenarios", "latin-1", b"scenarios:\n  n\xe9ar: {km: 50}\n", ("line 2", "not UTF-8")),
    (
        "scheme",
        "repeated key",
        (SCHEME + "status: unconfirmed\n").encode(),
        ("'status' appears twice",),
    ),
    (
        "scheme",
        "latin-1",
        SCHEME.replace("\u2014", "\xe9").encode("latin-1"),
        ("line 3", "not UTF-8"),
    ),
    ("scheme", "too deep", (SCHEME + f"notes: {deep(70)}\n").encode(), ("nested more than 64",)),
    ("pact", "NaN", PACT.replace('"pcf": {', '"pcf": {"x": NaN, ', 1).encode(), ("NaN",)),
    ("pact", "1e999", PACT.replace('"pcf": {', '"pcf": {"x": 1e999, ', 1).encode(), ("too large",)),
    ("pact", "too deep", f'{{"data": {deep(100)}}}'.encode(), ("nested 101 levels deep",)),
    ("pact", "latin-1", PACT.replace('"pcf"', '"p\xe9f"', 1).encode("latin-1"), ("not UTF-8",)),
    ("pact", "syntax", PACT.replace("{", "{,", 2).encode(), ("line 1", "not valid JSON")),
]


@pytest.mark.parametrize(
    ("kind", "content", "words"),
    [
        pytest.param(kind, content, words, id=f"{kind}-{case}")
        for kind, case, content, words in CASES
    ],
)
def test_malformed_input_is_a_footprint_error(
    tmp_path: Path, kind: str, content: bytes, words: tuple[str, ...]
) -> None:
    path = tmp_path / f"input{READERS[kind][0]}"
    path.write_bytes(content)
    error = outcome(kind, path)
    assert error is not None
    for word in words:
        assert word in error.message
    if kind != "pact":
        assert error.message.startswith(str(path))
    assert error.fix


def test_round_with_two_arguments_works(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(amount("{round(x, 2)} kg"))
    line = read_inventory(path).processes[0].inputs[0]
    assert line.amount.magnitude == pytest.approx(2.35)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: nothing is written
    error = outcome("yaml", path)
    assert error is not None
    assert "53.5 MB; files over 50 MB are refused" in error.message
    small = tmp_path / "small.yaml"
    small.write_text("a: 1\n")
    with pytest.raises(FootprintError, match="over 0 MB"):
        read_text(small, max_bytes=3)


# ------------------------------------------------------------------------------------ workbooks

PRODUCT_ROWS: list[list[Any]] = [
    ["field", "value"],
    ["name", "Widget"],
    ["declared_unit", "kg"],
    ["geography", "US"],
]
INPUT_ROWS: list[list[Any]] = [
    ["stage", "item", "amount", "unit", "background", "location", "gas", "origin"],
    ["A1", "Steel", 0.8, "kg", "steel", None, None, None],
]


def workbook(product: list[list[Any]], inputs: list[list[Any]], far_cell: bool = False) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("Product", product), ("Inputs", inputs)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if far_cell and name == "Inputs":
            sheet["XFD1048576"] = "#"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_amount(value: object) -> list[list[Any]]:
    return [INPUT_ROWS[0], [*INPUT_ROWS[1][:2], value, *INPUT_ROWS[1][3:]]]


WORKBOOK_CASES = [
    ("not a zip", b"plain text, not a workbook", ("not a zip archive",)),
    (
        "truncated",
        workbook(PRODUCT_ROWS, INPUT_ROWS)[:2000],
        ("cannot read it as an Excel workbook",),
    ),
    ("empty sheet", workbook(PRODUCT_ROWS, []), ("sheet 'Inputs' is empty",)),
    (
        "1e999 cell",
        workbook(PRODUCT_ROWS, with_amount("1e999")),
        ("row 2", "'amount'", "not a number"),
    ),
    ("NaN cell", workbook(PRODUCT_ROWS, with_amount("NaN")), ("row 2", "'amount'", "not a number")),
    (
        "boolean cell",
        workbook(PRODUCT_ROWS, with_amount(True)),
        ("row 2", "'amount'", "not a number"),
    ),
    (
        "boolean declared_amount",
        workbook([*PRODUCT_ROWS, ["declared_amount", True]], INPUT_ROWS),
        ("sheet 'Product', row 5", "declared_amount", "not a number"),
    ),
    (
        "far cell",
        workbook(PRODUCT_ROWS, INPUT_ROWS, far_cell=True),
        ("A1:XFD1048576", "2,000,000 cells"),
    ),
    ("header only", workbook(PRODUCT_ROWS, INPUT_ROWS[:1]), ("no inputs and no emissions",)),
]


@pytest.mark.parametrize(
    ("content", "words"), [pytest.param(c, w, id=name) for name, c, w in WORKBOOK_CASES]
)
def test_malformed_workbook_is_a_footprint_error(
    tmp_path: Path, content: bytes, words: tuple[str, ...]
) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(content)
    error = outcome("xlsx", path)
    assert error is not None
    for word in words:
        assert word in error.message


def zip_bomb(path: Path, megabytes: int) -> None:
    """A real workbook whose Inputs sheet is followed by ``megabytes`` MB of spaces (valid XML)."""
    template = seeds()["xlsx"][0]
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename != "xl/worksheets/sheet2.xml":
                target.writestr(entry.filename, data, zipfile.ZIP_DEFLATED)
                continue
            info = zipfile.ZipInfo(entry.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w", force_zip64=True) as member:
                member.write(data)
                for _ in range(megabytes):
                    member.write(b" " * 1_048_576)


# ----------------------------------------------------------------------- under a memory bound

HOSTILE_SCRIPT = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
from pathlib import Path
from tests.inventory.readers import outcome
for kind, path in json.loads(sys.argv[1]):
    error = outcome(kind, Path(path))
    print(json.dumps([path, None if error is None else error.message]), flush=True)
"""


def test_memory_bombs_are_refused_within_a_memory_bound(tmp_path: Path) -> None:
    """A billion-laughs YAML expands past 7 GB, a zip bomb past 100 MB; under a 1.5 GB address
    space limit each is refused with a FootprintError within the time bound."""
    inventory_bomb = tmp_path / "laughs.yaml"
    inventory_bomb.write_text(
        LAUGHS + INVENTORY.replace("name: Widget", "name: Widget\n  sources: *j")
    )
    claim_bomb = tmp_path / "laughs-claim.yaml"
    claim_bomb.write_text(LAUGHS + CLAIM.replace("scrap_share: 0.97", "scrap_share: *j"))
    scenario_bomb = tmp_path / "laughs-scenario.yaml"
    scenario_bomb.write_text(LAUGHS + "scenarios: {near: {km: *j}}\n")
    workbook_bomb = tmp_path / "bomb.xlsx"
    zip_bomb(workbook_bomb, 120)
    cases = [
        ("yaml", inventory_bomb, "aliases expand to more than 100,000"),
        ("claim", claim_bomb, "aliases expand to more than 100,000"),
        ("scenarios", scenario_bomb, "aliases expand to more than 100,000"),
        ("xlsx", workbook_bomb, "'xl/worksheets/sheet2.xml' expands"),
    ]
    proc = subprocess.run(
        [sys.executable, "-c", HOSTILE_SCRIPT, json.dumps([(k, str(p)) for k, p, _ in cases])],
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    messages = dict(json.loads(line) for line in proc.stdout.splitlines())
    for _, path, words in cases:
        assert words in (messages[str(path)] or "")


# ---------------------------------------------------------------------------- engine and CLI

FOREGROUND_ONLY = """\
product:
  name: Widget
  declared_unit: kg
  declared_amount: DECLARED
  geography: US
processes:
  - id: make
    output: OUTPUT
    emissions:
      - {name: vent, gas: SF6, amount: SF6 kg}
      - {name: stack, gas: CO2, amount: 1 kg}
"""


@pytest.mark.parametrize(
    ("declared", "output", "sf6", "words"),
    [
        ("1", "1 kg", "1e306", ("make: vent", "inf kg CO2e")),
        ("1e300", "1e-300 kg", "1", ("process 'make' is needed inf times over",)),
    ],
)
def test_a_footprint_beyond_the_float_range_names_the_lines(
    tmp_path: Path, declared: str, output: str, sf6: str, words: tuple[str, ...]
) -> None:
    path = tmp_path / "big.yaml"
    text = FOREGROUND_ONLY.replace("DECLARED", declared).replace("OUTPUT", output)
    path.write_text(text.replace("SF6 kg", f"{sf6} kg"))
    with pytest.raises(FootprintError, match="the footprint is not a finite number") as info:
        calculate(path)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("latin.yaml", INVENTORY.replace("Widget", "Widgét").encode("latin-1")),
        ("nan.yaml", amount("NaN kg")),
        ("dup.yaml", inventory("    output: 1 kg\n", "    output: 1 kg\n    output: 2 kg\n")),
        (
            "big.yaml",
            FOREGROUND_ONLY.replace("DECLARED", "1")
            .replace("OUTPUT", "1 kg")
            .replace("SF6 kg", "1e306 kg")
            .encode(),
        ),
        ("bom.csv", CSV.replace("US,,\n", "US,,,extra\n").encode()),
    ],
)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_calc_exits_2_without_a_traceback(
    tmp_path: Path, name: str, content: bytes, fmt: str, runner: CliRunner
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["calc", str(path), "--format", fmt])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert name in result.output
