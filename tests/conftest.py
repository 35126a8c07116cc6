"""Shared fixtures: small hand-checkable data (never the shared reference folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.store import Background, read_table_dir

FIXTURES = Path(__file__).parent / "fixtures"

#: Tests run only with `-m slow` (or with no -m): they start subprocesses, servers, browsers or
#: Node, build a wheel, render PDFs, run ruff and mypy, or sample long. A module path marks the
#: module; `module::test` one test (all its parameters). The README's test command runs the rest.
SLOW = (
    "tests/test_wheel.py",
    "tests/test_quality.py",
    "tests/test_benchmark_smoke.py",
    "tests/test_package.py::test_import_creates_no_files_and_reads_no_environment",
    "tests/test_package.py::test_calculation_creates_no_files_outside_its_output",
    "tests/cli/test_cli.py::test_bad_input_exits_2_without_traceback",
    "tests/data/test_import.py::test_import_writes_only_inside_the_data_directory",
    "tests/data/test_import.py::test_two_imports_of_one_name_at_once_one_wins",
    "tests/data/test_import.py::test_killed_imports_leave_the_old_or_the_new_database",
    "tests/engine/test_batch.py::test_generated_thousand_product_catalogue_scales_with_the_declared_amount",
    "tests/engine/test_background_spread.py::test_cli_calc_and_report",
    "tests/exchange/test_conformance.py",
    "tests/exchange/test_server_https.py",
    "tests/exchange/test_store.py::test_concurrent_publishers_leave_one_active_version",
    "tests/exchange/test_store.py::test_a_killed_publisher_leaves_a_consistent_store",
    "tests/inventory/test_fuzz.py::test_structure_mutations",
    "tests/inventory/test_hostile_inputs.py::test_memory_bombs_are_refused_within_a_memory_bound",
    "tests/labels/test_shipped.py::test_shipped_claim_is_verified_and_reproducible",
    "tests/report/test_bare_machine.py",
    "tests/report/test_browser.py",
    "tests/report/test_pdf.py",
    "tests/report/test_product.py::test_importing_the_package_loads_no_plotting_or_pdf_library",
    "tests/report/test_report_cli.py::test_report_pdf",
    "tests/cli/test_safety.py::test_report_to_a_pdf_name_writes_a_pdf_or_says_why_not",
)


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests listed in SLOW `slow`; a name that matches nothing is an error."""
    matched: set[str] = set()
    for item in items:
        for prefix in SLOW:
            if item.nodeid == prefix or item.nodeid.startswith((f"{prefix}::", f"{prefix}[")):
                item.add_marker(pytest.mark.slow)
                matched.add(prefix)
    if all(Path(arg).is_dir() for arg in config.args):  # whole directories were collected
        collected = {item.nodeid.split("::")[0] for item in items}
        stale = [p for p in SLOW if p not in matched and p.split("::")[0] in collected]
        if stale:
            raise pytest.UsageError(f"tests/conftest.py SLOW names no test: {stale}")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def runner() -> CliRunner:
    """Runs the command line in-process: `runner.invoke(app, [...])`."""
    return CliRunner()


@pytest.fixture(scope="session")
def mini_background() -> Background:
    """Five activities whose intensities are solvable by hand (see test_mini_background)."""
    return read_table_dir(FIXTURES / "mini_background", "mini")


@pytest.fixture(scope="session")
def empty_background() -> Background:
    return Background.empty("empty")


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a fixture file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
