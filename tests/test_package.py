"""Import has no side effects; the public API is pinned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import footprint

PROBE = """
import json, os, sys
reads = []
class Watch(type(os.environ)):
    pass
original = os.environ
class Recorder(dict):
    def __getitem__(self, key):
        reads.append(key); return original[key]
    def get(self, key, default=None):
        reads.append(key); return original.get(key, default)
    def __contains__(self, key):
        reads.append(key); return key in original
os.environ = Recorder(original)
os.getenv = lambda key, default=None: (reads.append(key), original.get(key, default))[1]
import footprint
print(json.dumps(sorted(set(reads))))
"""


def test_import_creates_no_files_and_reads_no_environment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_public_api() -> None:
    assert footprint.__all__ == [
        "Background",
        "FootprintError",
        "FootprintResult",
        "Inventory",
        "__version__",
        "background_intensities",
        "calculate",
        "check_labels",
        "export_pact",
        "load_background",
        "monte_carlo",
        "read_inventory",
        "render_html",
        "run_batch",
        "verify",
    ]
    for name in footprint.__all__:
        assert getattr(footprint, name) is not None


def test_calculation_creates_no_files_outside_its_output(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env.pop("BRIGHTWAY2_DIR", None)
    example = Path(__file__).parent / "fixtures" / "hand.yaml"
    code = (
        "import sys, footprint; r = footprint.calculate(sys.argv[1]); "
        "print(r.total, 'bw2data' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(example)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    total, bw2data_imported = proc.stdout.split()
    assert float(total) > 0
    assert bw2data_imported == "False"
    assert list(home.iterdir()) == []


def _imported_top_level_modules() -> set[str]:
    """Every top-level module the package imports, lazily inside functions too."""
    import ast

    names: set[str] = set()
    for path in Path(footprint.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


def test_the_default_install_carries_every_module_the_package_imports() -> None:
    import importlib.metadata as metadata
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    installed = _with_requirements([Requirement(spec) for spec in project["dependencies"]])
    optional = {  # imported only when present, each behind a clear message or a fallback
        "pypardiso",  # extra 'fast'
        "scikits",  # scikit-umfpack, an optional solver
        "psycopg",  # extra 'postgres'
    }
    providers = metadata.packages_distributions()
    missing = {}
    for module in sorted(_imported_top_level_modules() - set(sys.stdlib_module_names)):
        if module in {"footprint", "__future__"} or module in optional:
            continue
        dists = {_canonical(d) for d in providers.get(module, [])}
        if not dists & installed:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not installed by `pip install .`: {missing}"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _with_requirements(requirements: list[Any]) -> set[str]:
    """The distributions ``requirements`` install, transitively, with the extras they name."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    seen: set[tuple[str, str]] = set()
    todo = [(r, "") for r in requirements]
    names: set[str] = set()
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = _canonical(requirement.name)
        for wanted in ("", *sorted(requirement.extras)):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            names.add(name)
            try:
                requires = metadata.requires(name) or []
            except metadata.PackageNotFoundError:
                continue
            todo.extend((Requirement(spec), wanted) for spec in requires)
    return names


def test_the_command_line_loads_no_server_or_database_library_until_a_command_needs_it() -> None:
    """`footprint calc` starts without SQLAlchemy, FastAPI or uvicorn (about 0.3 s of imports)."""
    probe = (
        "import sys, footprint.cli.app\n"
        "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'uvicorn', 'openpyxl', 'weasyprint')"
        " if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
