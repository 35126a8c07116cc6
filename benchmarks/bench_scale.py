"""Scale benchmark: footprint vs plain Brightway 2.5 (bw2calc) on an ecoinvent-size background.

Run by hand (it is not a timed test)::

    python -m benchmarks.bench_scale [--activities 21000 --flows 4700 --products 1000
                                      --mc-iterations 1000 --seed 42 --quick --solver auto]

One run generates a synthetic background (fixed seed, see :mod:`benchmarks.synthetic`) and
measures, each approach in its own subprocess (so peak memory, ``ru_maxrss``, does not mix):

1. plain bw2calc, one ``LCA`` per product (K products measured, extrapolated linearly to all) vs
   ``footprint batch`` (:func:`footprint.engine.batch.run_batch` on a catalogue of YAML files);
2. a raw transposed solve (``splu(A.T).solve(B.T @ c)``, and PARDISO when installed) vs
   :func:`footprint.engine.intensities.background_intensities`;
3. bw2calc Monte Carlo (``use_distributions=True``, ``next(lca)``; a few iterations measured and
   extrapolated) vs :func:`footprint.engine.montecarlo.monte_carlo`;
4. start-up (:mod:`benchmarks.startup`): reading the background tables (their columnar copies,
   and the CSV tables alone), and a whole ``footprint calc`` process vs a bare
   ``import pandas, scipy.sparse.linalg``.

It prints a table, then one JSON line of ratios. Exit code 1 when our numbers and bw2calc's
differ (beyond 1e-9 relative) or an approach fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.startup import EXAMPLE, calc_vs_bare_import

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_NAME = EXAMPLE.name
NAME = "synthetic"
TARGETS = {
    "batch_vs_bw2calc_one_lca_reused": 30.0,  # the catalogue cold vs the expert bw2calc loop
    "batch_vs_raw_solve": 2.0,  # the catalogue cold vs one raw adjoint solve
    "intensities_vs_raw": 1.2,
    "mc_speedup": 25.0,
    "mc_peak_vs_bw2calc": 1.5,  # peak memory of our Monte Carlo vs bw2calc's
    "background_load_seconds": 0.3,
    "calc_vs_bare_import": 1.5,
}
#: The background-load target holds for a background of this many activities (or more).
LOAD_TARGET_ACTIVITIES = 21_000
#: Targets met by a value at most the target (the others: at least).
AT_MOST = {
    "batch_vs_raw_solve",
    "intensities_vs_raw",
    "mc_peak_vs_bw2calc",
    "background_load_seconds",
    "calc_vs_bare_import",
}
WORKERS = (
    "raw_superlu",
    "raw_pardiso",
    "intensities",
    "batch",
    "batch_warm",
    "bw_loop",
    "bw_reuse",
    "bw_mc",
    "mc",
    "background_load",
)
Result = dict[str, Any]


def _log(message: str, started: float) -> None:
    sys.stderr.write(f"[{time.perf_counter() - started:7.1f} s] {message}\n")
    sys.stderr.flush()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (``--quick`` lowers the measured samples, not the sizes)."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--activities", type=int, default=21_000)
    p.add_argument("--flows", type=int, default=4_700)
    p.add_argument("--products", type=int, default=1_000)
    p.add_argument("--mc-iterations", type=int, default=1_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quick", action="store_true", help="fewer bw2calc samples (3 LCAs, 3 MC)")
    p.add_argument("--bw-products", type=int, help="products measured with one LCA each (20)")
    p.add_argument("--bw-mc-iterations", type=int, help="bw2calc MC iterations measured (10)")
    p.add_argument(
        "--solver",
        choices=["auto", "superlu", "pardiso"],
        default="auto",
        help="auto: PARDISO when pypardiso is installed (bw2calc's and our choice), else SuperLU",
    )
    p.add_argument("--workdir", type=Path, help="keep the generated data here (default: temp)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per measured approach")
    p.add_argument(
        "--repeat", type=int, default=3, help="runs of each intensity solve; the fastest counts"
    )
    p.add_argument(
        "--calc-runs",
        type=int,
        help="whole `footprint calc` and bare-import processes timed, in turn (5; --quick 2)",
    )
    p.add_argument(
        "--mc-budget",
        type=float,
        default=420.0,
        help="seconds our Monte Carlo may take before it is stopped (ratio then an upper bound)",
    )
    p.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.bw_products is None:
        args.bw_products = 3 if args.quick else 20
    if args.bw_mc_iterations is None:
        args.bw_mc_iterations = 3 if args.quick else 10
    if args.calc_runs is None:
        args.calc_runs = 2 if args.quick else 5
    args.bw_products = max(1, min(args.bw_products, args.products))
    args.bw_mc_iterations = max(1, min(args.bw_mc_iterations, args.mc_iterations))
    return args


# --- data ---------------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, work: Path) -> Result:
    """Generate the background and products once; write what each approach reads."""
    import yaml

    from benchmarks import synthetic

    system = synthetic.generate_system(args.activities, args.flows, args.seed)
    background = synthetic.to_background(system, NAME)
    synthetic.write_tables(background, work / "data" / "backgrounds" / NAME)
    products = synthetic.generate_products(system, args.products, args.seed)
    inventories = [synthetic.inventory_data(system, p) for p in products]
    catalogue = work / "catalogue"
    catalogue.mkdir()
    for k, data in enumerate(inventories):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (catalogue / f"product-{k:05d}.yaml").write_text(text, encoding="utf-8")
    for name, obj in (
        ("system", system),
        ("background", background),
        ("products", products),
        ("inventories", inventories),
    ):
        with (work / f"{name}.pkl").open("wb") as handle:
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = system.n_activities
    graph = sparse.csr_matrix(
        (system.tech_amount, (system.tech_supplier, system.tech_consumer)), shape=(n, n)
    )
    _, labels = connected_components(graph, connection="strong")
    return {
        "activities": n,
        "flows": len(system.flows),
        "ghg_flows": int((system.cf != 0).sum()),
        "technosphere_nonzeros": n + len(system.tech_amount),
        "inputs_per_activity": len(system.tech_amount) / n,
        "biosphere_exchanges": len(system.bio_amount),
        "largest_cycle": int(np.bincount(labels).max()),
        "uncertain_exchanges": int((system.tech_sigma > 0).sum() + (system.bio_sigma > 0).sum()),
    }


def _load(work: Path, name: str) -> Any:
    with (work / f"{name}.pkl").open("rb") as handle:
        return pickle.load(handle)  # noqa: S301 - our own file, written by prepare()


def _check_ids(n: int) -> list[int]:
    return sorted({0, n // 3, (2 * n) // 3, n - 1})


# --- the measured approaches (each runs in its own subprocess) ----------------------------------


def _bw2calc() -> Any:
    from footprint.background.brightway import calculation

    return calculation()[0]


def _best_of(repeat: int, call: Callable[[], Any]) -> tuple[Any, float]:
    """The result of ``call`` and its fastest wall time over ``repeat`` runs (as timeit does)."""
    best, out = math.inf, None
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - t0)
    return out, best


def worker_raw_superlu(args: argparse.Namespace, work: Path) -> Result:
    """scipy SuperLU: one factorisation of Aᵀ, one solve (one or all category columns)."""
    from scipy.sparse.linalg import splu

    a, b, c, cats = _matrices(work)
    lam, one = _best_of(args.repeat, lambda: splu(a.T.tocsc()).solve(b.T @ c))
    lam_k, many = _best_of(args.repeat, lambda: splu(a.T.tocsc()).solve(b.T @ cats))
    ids = _check_ids(a.shape[0])
    return {
        "seconds": one,
        "seconds_all_columns": many,
        "columns": int(cats.shape[1]),
        "solver": "SuperLU (scipy)",
        "check": {str(i): float(lam[i]) for i in ids},
        "check_columns": {str(i): float(lam_k[i, :-1].sum()) for i in ids},
    }


def worker_raw_pardiso(args: argparse.Namespace, work: Path) -> Result:
    """pypardiso: factorise Aᵀ, solve (one or all category columns)."""
    import numpy as np

    try:
        from pypardiso import PyPardisoSolver
    except ImportError:
        return {"available": False}
    a, b, c, cats = _matrices(work)

    def solve(rhs: Any) -> Any:
        solver = PyPardisoSolver()
        at = a.T.tocsr()
        solver.factorize(at)
        return np.asarray(solver.solve(at, np.ascontiguousarray(rhs)))

    lam, one = _best_of(args.repeat, lambda: solve(b.T @ c))
    _, many = _best_of(args.repeat, lambda: solve(b.T @ cats))
    return {
        "available": True,
        "seconds": one,
        "seconds_all_columns": many,
        "columns": int(cats.shape[1]),
        "solver": "pypardiso (MKL PARDISO)",
        "check": {str(i): float(lam[i]) for i in _check_ids(a.shape[0])},
    }


def _matrices(work: Path) -> tuple[Any, Any, Any, Any]:
    """A (csc), B (csr), c and the (gas, bucket) + energy columns our code solves for."""
    import numpy as np
    from scipy import sparse

    from footprint.engine.energy import ced_vector
    from footprint.engine.methods import bucket

    system = _load(work, "system")
    n = system.n_activities
    diagonal = np.arange(n)
    a = sparse.csc_matrix(
        (
            np.concatenate([np.ones(n), -system.tech_amount]),
            (
                np.concatenate([diagonal, system.tech_supplier]),
                np.concatenate([diagonal, system.tech_consumer]),
            ),
        ),
        shape=(n, n),
    )
    flows = system.flows
    b = sparse.csr_matrix(
        (system.bio_amount, (system.bio_flow, system.bio_activity)), shape=(len(flows), n)
    )
    keys = [
        (g, bucket(o or "unspecified", k or "emission")) if g else None
        for g, o, k in zip(flows["gas"], flows["origin"], flows["kind"], strict=True)
    ]
    columns = sorted({k for k in keys if k is not None})
    cats = np.zeros((len(flows), len(columns) + 1))
    for row, key in enumerate(keys):
        if key is not None:
            cats[row, columns.index(key)] = system.cf[row]
    cats[:, -1] = ced_vector(flows)
    return a, b, system.cf, cats


def worker_intensities(args: argparse.Namespace, work: Path) -> Result:
    """``background_intensities`` (no cache), after reading the imported background tables."""
    from footprint.background.catalog import load_background
    from footprint.engine.intensities import background_intensities

    t0 = time.perf_counter()
    bg = load_background(NAME, work / "data")
    read = time.perf_counter() - t0
    intensities, seconds = _best_of(args.repeat, lambda: background_intensities(bg, "ar6"))
    total = intensities.total
    return {
        "seconds": seconds,
        "read_background_seconds": read,
        "solver": intensities.solver.get("name", "?"),
        "columns": len(intensities.categories) + 1,
        "check": {str(i): float(total[i]) for i in _check_ids(len(total))},
        "steps": _intensity_steps(bg),
    }


def _intensity_steps(bg: Any) -> dict[str, float]:
    """Seconds of each step inside ``background_intensities`` (private API: best effort)."""
    import numpy as np

    steps: dict[str, float] = {}
    try:
        from footprint.engine import intensities as mod
        from footprint.engine.solve import category_matrix
        from footprint.engine.solver import factorise

        def timed(name: str, call: Callable[[], Any]) -> Any:
            t0 = time.perf_counter()
            out = call()
            steps[name] = time.perf_counter() - t0
            return out

        system = timed("link background tables (Python lists)", lambda: mod.background_system(bg))
        cf = timed("characterisation factors", lambda: system.characterisation("ar6"))
        energy = timed("energy factors", system.energy_factors)
        timed("content hash", lambda: mod.content_key(system, cf, energy))
        cmat, _ = timed("category matrix", lambda: category_matrix(system, cf))
        a, b = timed("matrices via bw_processing + bw2calc", lambda: mod._matrices(system, cf))
        rhs = timed(
            "right-hand sides Bᵀ C", lambda: np.asarray(b.T @ np.column_stack([cmat, energy]))
        )
        factor = timed("factorise Aᵀ", lambda: factorise(a, "transposed"))
        timed("solve", lambda: factor.solve_transposed(rhs))
    except Exception as exc:  # noqa: BLE001 - a breakdown is optional; report why it is missing
        steps["error: " + type(exc).__name__] = math.nan
    return steps


def worker_batch(args: argparse.Namespace, work: Path) -> Result:
    """``run_batch`` on the YAML catalogue, cold (intensities computed and cached), then the
    per-product rates: reading YAML, validating dicts, ``calculate_with`` in memory."""
    from footprint.background.catalog import load_background
    from footprint.engine.batch import catalogue_files, run_batch
    from footprint.engine.fast import calculate_with
    from footprint.engine.intensities import background_intensities
    from footprint.inventory import Inventory, read_inventory

    marks: list[float] = []
    t0 = time.perf_counter()
    result = run_batch(
        work / "catalogue",
        background=NAME,
        data_dir=work / "data",
        cache_dir=work / "cache",
        progress=lambda done, total: marks.append(time.perf_counter()),
    )
    end = time.perf_counter()
    n = len(marks)
    per_product = (marks[-1] - marks[0]) / (n - 1) if n > 1 else end - t0
    products_seconds = per_product * n
    scores = [float(x) for x in result.rows["kg_co2e"]] if "kg_co2e" in result.rows else []
    bg = load_background(NAME, work / "data")
    intensities = background_intensities(bg, "ar6", cache_dir=work / "cache")
    files = catalogue_files(work / "catalogue")
    t1 = time.perf_counter()
    for path in files:
        read_inventory(path)
    read_yaml = time.perf_counter() - t1
    data = _load(work, "inventories")
    t1 = time.perf_counter()
    inventories = [Inventory.model_validate(d) for d in data]
    validate = time.perf_counter() - t1
    t1 = time.perf_counter()
    memory_scores = [calculate_with(i, intensities, bg).total for i in inventories]
    calculate = time.perf_counter() - t1
    return {
        "seconds": end - t0,
        "products_seconds": products_seconds,
        "one_off_seconds": end - t0 - products_seconds,
        "failures": [list(f) for f in result.failures[:5]],
        "n_failures": len(result.failures),
        "solver": result.solver.get("name", "?"),
        "scores": scores,
        "memory_max_rel_diff": _max_rel_diff(scores, memory_scores),
        "per_product_ms": {
            "run_batch (all steps)": 1e3 * per_product,
            "read_inventory (YAML + validation)": 1e3 * read_yaml / len(files),
            "Inventory.model_validate (dict)": 1e3 * validate / len(data),
            "calculate_with (validated Inventory)": 1e3 * calculate / len(inventories),
        },
    }


def worker_batch_warm(args: argparse.Namespace, work: Path) -> Result:
    """``run_batch`` again in a new process: intensities from the cache ``batch`` wrote."""
    from footprint.engine.batch import run_batch

    t0 = time.perf_counter()
    result = run_batch(
        work / "catalogue", background=NAME, data_dir=work / "data", cache_dir=work / "cache"
    )
    return {"seconds": time.perf_counter() - t0, "n_failures": len(result.failures)}


def worker_bw_loop(args: argparse.Namespace, work: Path) -> Result:
    """Plain bw2calc: a new ``LCA`` (build, factorise, solve) + ``lci`` + ``lcia`` per product."""
    from benchmarks import synthetic

    bw2calc = _bw2calc()
    system = _load(work, "system")
    products = _load(work, "products")[: args.bw_products]
    n = system.n_activities
    dp = synthetic.datapackage(system)
    times, scores = [], []
    lca: Any = None
    for product in products:
        t0 = time.perf_counter()
        lca = bw2calc.LCA(
            {n: 1.0}, data_objs=[dp, synthetic.product_datapackage(system, product, n)]
        )
        lca.lci()
        lca.lcia()
        times.append(time.perf_counter() - t0)
        scores.append(float(lca.score))
    check = {}
    for i in _check_ids(n):
        lca.lcia(demand={i: 1.0})
        check[str(i)] = float(lca.score)
    return {
        "measured": len(times),
        "per_product_seconds": sum(times) / len(times),
        "first_seconds": times[0],
        "min_seconds": min(times),
        "scores": scores,
        "check": check,
        "solver": _bw_solver(bw2calc),
    }


def worker_bw_reuse(args: argparse.Namespace, work: Path) -> Result:
    """bw2calc as an expert would: every product in one LCA, factorised once, ``lcia(demand)``."""
    from benchmarks import synthetic

    bw2calc = _bw2calc()
    system = _load(work, "system")
    products = _load(work, "products")
    n = system.n_activities
    dps = [synthetic.datapackage(system), synthetic.products_datapackage(system, products)]
    t0 = time.perf_counter()
    lca = bw2calc.LCA({n: 1.0}, data_objs=dps)
    lca.lci(factorize=True)
    lca.lcia()
    setup = time.perf_counter() - t0
    measured = min(len(products), 20 if args.quick else 200)
    scores = []
    t0 = time.perf_counter()
    for k in range(measured):
        lca.lcia(demand={n + k: 1.0})
        scores.append(float(lca.score))
    per = (time.perf_counter() - t0) / measured
    return {
        "setup_seconds": setup,
        "per_product_seconds": per,
        "measured": measured,
        "scores": scores,
    }


def worker_bw_mc(args: argparse.Namespace, work: Path) -> Result:
    """bw2calc Monte Carlo: ``LCA(..., use_distributions=True)``, then ``next(lca)`` per iteration."""
    from benchmarks import synthetic

    bw2calc = _bw2calc()
    system = _load(work, "system")
    product = _load(work, "products")[0]
    n = system.n_activities
    dps = [
        synthetic.datapackage(system, distributions=True),
        synthetic.product_datapackage(system, product, n),
    ]
    t0 = time.perf_counter()
    lca = bw2calc.LCA({n: 1.0}, data_objs=dps, use_distributions=True, seed_override=args.seed)
    lca.lci()
    lca.lcia()
    setup = time.perf_counter() - t0
    scores = [float(lca.score)]
    t0 = time.perf_counter()
    for _ in range(args.bw_mc_iterations):
        next(lca)
        scores.append(float(lca.score))
    per = (time.perf_counter() - t0) / args.bw_mc_iterations
    return {
        "setup_seconds": setup,
        "per_iteration_seconds": per,
        "measured": args.bw_mc_iterations,
        "mean": sum(scores) / len(scores),
        "solver": _bw_solver(bw2calc),
    }


def worker_mc(args: argparse.Namespace, work: Path) -> Result:
    """Our Monte Carlo (background exchanges sampled), when the module is there."""
    try:
        from footprint.engine.montecarlo import monte_carlo
    except ImportError:
        return {"available": False}
    from footprint.inventory import Inventory

    background = _load(work, "background")
    inventory = Inventory.model_validate(_load(work, "inventories")[0])
    t0 = time.perf_counter()
    result = monte_carlo(
        inventory,
        iterations=args.mc_iterations,
        seed=args.seed,
        gwp="ar6",
        background=background,
        include_background=True,
    )
    seconds = time.perf_counter() - t0
    return {
        "available": True,
        "seconds": seconds,
        "iterations": int(getattr(result, "iterations", args.mc_iterations)),
        "mean": float(getattr(result, "mean", math.nan)),
        "std": float(getattr(result, "std", math.nan)),
        "solver": {k: str(v) for k, v in dict(getattr(result, "solver", {}) or {}).items()},
        "sampled": {k: int(v) for k, v in dict(getattr(result, "sampled", {}) or {}).items()},
    }


def worker_background_load(args: argparse.Namespace, work: Path) -> Result:
    """Reading the imported background's tables: columnar copies, then the CSV tables alone."""
    from benchmarks.startup import background_load

    return background_load(work / "data" / "backgrounds" / NAME, args.repeat)


def _bw_solver(bw2calc: Any) -> str:
    return "pypardiso (MKL PARDISO)" if bw2calc.PYPARDISO else "SuperLU (scipy)"


def _max_rel_diff(a: list[float], b: list[float]) -> float:
    if not a or len(a) != len(b):
        return math.inf
    return max(abs(x - y) / max(abs(x), abs(y), 1e-300) for x, y in zip(a, b, strict=True))


def run_worker(args: argparse.Namespace) -> int:
    """Run one approach in this process and write its result as one JSON line."""
    if args.solver == "superlu":
        sys.modules["pypardiso"] = None  # type: ignore[assignment]  # bw2calc and ours: SuperLU
    warnings.simplefilter("ignore")
    _bw2calc()  # imports are not timed, for any approach
    work = Path(os.environ["BENCH_SCALE_WORK"])
    result = globals()[f"worker_{args.worker}"](args, work)
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- orchestration and report -------------------------------------------------------------------


def _mkl_rt() -> str | None:
    """Path of libmkl_rt (pypardiso looks for it on every solver creation unless told)."""
    for lib in sorted(Path(sys.prefix, "lib").glob("libmkl_rt.so*")):
        return str(lib)
    return None


def _subprocess(
    name: str, args: argparse.Namespace, argv: list[str], work: Path, timeout: float
) -> Result:
    env = {
        **os.environ,
        "BENCH_SCALE_WORK": str(work),
        "OPENBLAS_NUM_THREADS": "1",  # numpy's BLAS pool competes with MKL's on 2 cores
        "PYTHONWARNINGS": "ignore",
    }
    mkl = _mkl_rt()
    if mkl and "PYPARDISO_MKL_RT" not in env:
        env["PYPARDISO_MKL_RT"] = mkl
    command = [sys.executable, "-m", "benchmarks.bench_scale", *argv, "--worker", name]
    try:
        proc = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:g} s", "timed_out": timeout}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    result: Result = json.loads(lines[-1])
    return result


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _met(value: float | None, target: float, higher: bool, unit: str = "×") -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    ok = value >= target if higher else value <= target
    return ("yes" if ok else "NO") + f" ({'≥' if higher else '≤'} {target:g}{unit})"


def report(args: argparse.Namespace, info: Result, r: dict[str, Result], wall: float) -> int:
    """Print the table and the JSON line; return 1 when the results disagree."""
    out = sys.stdout.write
    n_products, iterations = args.products, args.mc_iterations
    bw, reuse, batch = r["bw_loop"], r["bw_reuse"], r["batch"]
    ints, mc, bw_mc = r["intensities"], r["mc"], r["bw_mc"]
    raw = {"superlu": r["raw_superlu"], "pardiso": r["raw_pardiso"]}
    nan = math.nan

    bw_total = bw.get("per_product_seconds", nan) * n_products
    reuse_total = reuse.get("setup_seconds", nan) + reuse.get("per_product_seconds", nan) * (
        n_products - 1
    )
    batch_s = batch.get("seconds", nan)
    products_s = batch.get("products_seconds", nan)
    warm_s = r["batch_warm"].get("seconds", nan)
    ours_solver = str(ints.get("solver", batch.get("solver", "?")))
    same = raw["pardiso"] if "PARDISO" in ours_solver else raw["superlu"]
    raw_s = same.get("seconds", nan)
    ints_s = ints.get("seconds", nan)
    bw_mc_total = bw_mc.get("setup_seconds", nan) + bw_mc.get("per_iteration_seconds", nan) * (
        iterations - 1
    )
    mc_s = mc.get("seconds", nan) if mc.get("available") else nan

    speedup = bw_total / batch_s
    ratios: dict[str, float] = {
        "batch_speedup": speedup,
        "batch_speedup_products_only": bw_total / products_s,
        "batch_speedup_warm_cache": bw_total / warm_s,
        "batch_vs_bw2calc_one_lca_reused": reuse_total / batch_s,
        "intensities_vs_raw": ints_s / raw_s,
        "mc_speedup": bw_mc_total / mc_s,
        "batch_vs_raw_solve": batch_s / raw_s,
        **_startup_ratios(r),
    }
    peak = {name: round(float(res["peak_mib"]), 1) for name, res in r.items() if "peak_mib" in res}
    ratios["mc_peak_vs_bw2calc"] = (
        peak["mc"] / peak["bw_mc"] if peak.get("mc") and peak.get("bw_mc") else nan
    )

    def mib(name: str) -> str:
        return _fmt(peak.get(name), 4)

    rows: list[tuple[str, ...]] = []
    head = ("approach", "seconds", "ms / item", "ratio", "peak MiB", "target met")
    k, m = bw.get("measured", 0), bw_mc.get("measured", 0)
    rows.append((f"1. {n_products:,} products", "", "", "speedup", "", ""))
    rows.append(
        (
            f"bw2calc, new LCA per product ({k} measured, ×{n_products:,} extrapolated)",
            _fmt(bw_total),
            _fmt(1e3 * bw.get("per_product_seconds", nan)),
            "1",
            mib("bw_loop"),
            "",
        )
    )
    rows.append(
        (
            f"bw2calc, one LCA factorised, lcia(demand) per product ({reuse.get('measured', 0)} "
            "measured, extrapolated)",
            _fmt(reuse_total),
            _fmt(1e3 * reuse.get("per_product_seconds", nan)),
            _fmt(bw_total / reuse_total),
            mib("bw_reuse"),
            "batch: "
            + _met(
                ratios["batch_vs_bw2calc_one_lca_reused"],
                TARGETS["batch_vs_bw2calc_one_lca_reused"],
                True,
            ),
        )
    )
    rows.append(
        (
            "footprint batch: run_batch, YAML files (read bg + intensities + products)",
            _fmt(batch_s),
            _fmt(1e3 * batch_s / n_products),
            _fmt(speedup),
            mib("batch"),
            "vs raw solve: "
            + _met(ratios["batch_vs_raw_solve"], TARGETS["batch_vs_raw_solve"], False),
        )
    )
    rows.append(
        (
            "  of which products only (one-off read + intensities excluded)",
            _fmt(products_s),
            _fmt(1e3 * products_s / n_products),
            _fmt(ratios["batch_speedup_products_only"]),
            "",
            "",
        )
    )
    rows.append(
        (
            "footprint batch again, new process, intensities from cache",
            _fmt(warm_s),
            _fmt(1e3 * warm_s / n_products),
            _fmt(ratios["batch_speedup_warm_cache"]),
            mib("batch_warm"),
            "",
        )
    )
    rows.append(
        (
            f"2. intensity of every activity (fastest of {args.repeat} runs each)",
            "",
            "",
            "÷ raw",
            "",
            "",
        )
    )
    for key, res in raw.items():
        if res.get("available", True) and "seconds" in res:
            rows.append(
                (
                    f"raw {res['solver']}: factorise Aᵀ, solve Bᵀc (1 column)",
                    _fmt(res["seconds"]),
                    "",
                    "1" if res is same else "",
                    mib(f"raw_{key}"),
                    "",
                )
            )
            rows.append(
                (
                    f"raw {res['solver']}: same, {res['columns']} columns (as ours)",
                    _fmt(res["seconds_all_columns"]),
                    "",
                    _fmt(res["seconds_all_columns"] / raw_s),
                    "",
                    "",
                )
            )
    rows.append(
        (
            f"footprint background_intensities (no cache; {ours_solver})",
            _fmt(ints_s),
            "",
            _fmt(ratios["intensities_vs_raw"]),
            mib("intensities"),
            _met(ratios["intensities_vs_raw"], TARGETS["intensities_vs_raw"], False),
        )
    )
    rows.append(("3. Monte Carlo, one product", "", "", "speedup", "", ""))
    rows.append(
        (
            f"bw2calc use_distributions, next(lca) ({m} measured, ×{iterations:,} extrapolated)",
            _fmt(bw_mc_total),
            _fmt(1e3 * bw_mc.get("per_iteration_seconds", nan)),
            "1",
            mib("bw_mc"),
            "",
        )
    )
    if mc.get("available"):
        mc_label, mc_cell = f"footprint monte_carlo, {iterations:,} iterations", _fmt(mc_s)
    elif "timed_out" in mc:
        budget = float(mc["timed_out"])
        mc_label = f"footprint monte_carlo, {iterations:,} iterations: stopped at the budget"
        mc_cell = f"> {_fmt(budget)}"
        ratios["mc_speedup_at_most"] = bw_mc_total / budget
    elif "error" in mc:
        mc_label, mc_cell = "footprint monte_carlo: failed (see ERROR below)", "n/a"
    else:
        mc_label, mc_cell = (
            "footprint monte_carlo: n/a (footprint.engine.montecarlo not available)",
            "n/a",
        )
    at_most = ratios.get("mc_speedup_at_most")
    rows.append(
        (
            mc_label,
            mc_cell,
            _fmt(1e3 * mc_s / iterations),
            f"< {_fmt(at_most)}" if at_most is not None else _fmt(ratios["mc_speedup"]),
            mib("mc"),
            _met(
                at_most if at_most is not None else ratios["mc_speedup"],
                TARGETS["mc_speedup"],
                True,
            )
            + "; peak memory "
            + _met(ratios["mc_peak_vs_bw2calc"], TARGETS["mc_peak_vs_bw2calc"], False),
        )
    )
    rows.extend(_startup_rows(args, r, ratios, mib))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells).rstrip() + "\n"

    solver = ours_solver
    out(
        f"\nSynthetic background (seed {args.seed}): {info['activities']:,} activities, "
        f"{info['technosphere_nonzeros']:,} technosphere nonzeros "
        f"({info['inputs_per_activity']:.1f} inputs per activity; largest cycle "
        f"{info['largest_cycle']:,} activities), {info['flows']:,} flows ({info['ghg_flows']} GHG), "
        f"{info['biosphere_exchanges']:,} biosphere exchanges, {info['uncertain_exchanges']:,} "
        f"lognormal. Solver: {solver}; bw2calc: {bw.get('solver', '?')}.\n"
        "bw2calc figures for all products / iterations are extrapolated linearly from the ones "
        "measured.\n\n"
    )
    out(line(head))
    out(line(tuple("-" * w for w in widths)))
    for row in rows:
        out(line(row))
    out("\nfootprint batch per product (ms):\n")
    for what, ms in batch.get("per_product_ms", {}).items():
        out(f"  {what:<45} {_fmt(ms)}\n")
    out(
        f"  one-off (catalogue, read background, intensities) {_fmt(batch.get('one_off_seconds'))} s\n"
    )
    if ints.get("steps"):
        read = _fmt(ints.get("read_background_seconds"))
        out(f"background_intensities steps (s; the background was read first, in {read} s):\n")
        for what, seconds in ints["steps"].items():
            out(f"  {what:<45} {_fmt(seconds)}\n")
    if mc.get("available"):
        out(
            f"Monte Carlo means (kg CO2e): bw2calc {_fmt(bw_mc.get('mean'), 5)} "
            f"({m + 1} samples), ours {_fmt(mc.get('mean'), 5)} ± {_fmt(mc.get('std'), 3)}; "
            f"ours: {mc.get('solver', {})}\n"
        )

    ok, notes = _checks(r)
    for note in notes:
        out(note + "\n")
    errors = {name: res["error"] for name, res in r.items() if "error" in res}
    for name, error in errors.items():
        out(f"ERROR in {name}: {error}\n")
    out(f"wall time {wall:.0f} s\n")
    summary = {
        **{key: _round(value) for key, value in ratios.items()},
        "peak_mib": peak,
        "activities": info["activities"],
        "products": n_products,
        "mc_iterations": iterations,
        "solver": solver,
        "bw2calc_solver": bw.get("solver"),
        "extrapolated": {"bw_products_measured": k, "bw_mc_iterations_measured": m},
        "targets_met": {
            key: (ratios[key] <= t if key in AT_MOST else ratios[key] >= t)
            if math.isfinite(ratios[key])
            and (key != "background_load_seconds" or args.activities >= LOAD_TARGET_ACTIVITIES)
            else None
            for key, t in TARGETS.items()
        },
        "checks_ok": ok,
        "wall_seconds": round(wall, 1),
    }
    out(json.dumps(summary) + "\n")
    return 0 if ok and not errors else 1


def _startup_ratios(r: dict[str, Result]) -> dict[str, float]:
    load, calc, nan = r.get("background_load", {}), r.get("calc", {}), math.nan
    return {
        "background_load_seconds": load.get("seconds", nan),
        "background_load_vs_csv": load.get("seconds", nan) / load.get("csv_seconds", nan),
        "calc_vs_bare_import": calc.get("ratio", nan),
        "calc_vs_bare_import_cpu": calc.get("cpu_ratio", nan),
    }


def _startup_rows(
    args: argparse.Namespace,
    r: dict[str, Result],
    ratios: dict[str, float],
    mib: Callable[[str], str],
) -> list[tuple[str, ...]]:
    """Table rows of part 4: reading the background, and a whole `footprint calc` process."""
    load, calc, nan = r.get("background_load", {}), r.get("calc", {}), math.nan
    files = len(load.get("columnar_files", []))
    target = TARGETS["background_load_seconds"]
    return [
        ("4. start-up", "", "", "ratio", "", ""),
        (
            f"read the {args.activities:,}-activity background, CSV tables alone",
            _fmt(load.get("csv_seconds", nan)),
            "",
            "1",
            "",
            "",
        ),
        (
            f"read it from its {files} columnar copies (fastest of {args.repeat}; "
            f"CPU {_fmt(load.get('cpu_seconds', nan))} s)",
            _fmt(load.get("seconds", nan)),
            "",
            _fmt(ratios["background_load_vs_csv"]),
            mib("background_load"),
            _met(ratios["background_load_seconds"], target, False, " s")
            if args.activities >= LOAD_TARGET_ACTIVITIES
            else f"n/a (a target at {LOAD_TARGET_ACTIVITIES:,})",
        ),
        (
            f"python -c 'import pandas, scipy.sparse.linalg' (median of {calc.get('runs', 0)})",
            _fmt(calc.get("bare_import_seconds", nan)),
            "",
            "1",
            "",
            "",
        ),
        (
            f"footprint calc {EXAMPLE_NAME} --format json, whole process "
            f"(CPU ratio {_fmt(ratios['calc_vs_bare_import_cpu'])})",
            _fmt(calc.get("calc_seconds", nan)),
            "",
            _fmt(ratios["calc_vs_bare_import"]),
            "",
            _met(ratios["calc_vs_bare_import"], TARGETS["calc_vs_bare_import"], False),
        ),
    ]


def _round(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None


def _checks(r: dict[str, Result]) -> tuple[bool, list[str]]:
    """Our numbers against plain bw2calc's: intensities and product footprints to 1e-9."""
    ok, notes = True, []
    pairs = [
        ("intensity of activities", r["intensities"].get("check"), r["bw_loop"].get("check")),
        ("raw SuperLU vs bw2calc", r["raw_superlu"].get("check"), r["bw_loop"].get("check")),
    ]
    for label, ours, theirs in pairs:
        if not ours or not theirs:
            continue
        diff = _max_rel_diff(list(ours.values()), [theirs[k] for k in ours])
        ok &= diff <= 1e-9
        notes.append(f"check {label} {list(ours)}: max relative difference {diff:.1e}")
    batch = r["batch"].get("scores") or []
    for label, theirs in (
        ("product footprints, batch vs bw2calc LCA", r["bw_loop"].get("scores") or []),
        ("product footprints, batch vs bw2calc reused LCA", r["bw_reuse"].get("scores") or []),
    ):
        if batch and theirs:
            diff = _max_rel_diff(batch[: len(theirs)], theirs)
            ok &= diff <= 1e-9
            notes.append(f"check {label} ({len(theirs)}): max relative difference {diff:.1e}")
    memory = r["batch"].get("memory_max_rel_diff")
    if memory is not None:
        ok &= memory <= 1e-12
        notes.append(
            f"check batch vs in-memory calculate_with: max relative difference {memory:.1e}"
        )
    if r["batch"].get("n_failures"):
        ok = False
        notes.append(f"batch failures: {r['batch']['failures']}")
    return ok, notes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--worker``, one approach of it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    started = time.perf_counter()
    if args.solver == "pardiso" and importlib.util.find_spec("pypardiso") is None:
        sys.stderr.write("--solver pardiso: pypardiso is not installed\n")
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        _log(f"generating {args.activities:,} activities, {args.products:,} products", started)
        info = prepare(args, work)
        results: dict[str, Result] = {}
        for name in WORKERS:
            if name == "raw_pardiso" and importlib.util.find_spec("pypardiso") is None:
                results[name] = {"available": False}
                continue
            _log(f"measuring {name}", started)
            timeout = args.mc_budget if name == "mc" else args.timeout
            results[name] = _subprocess(name, args, argv, work, timeout)
        _log("measuring footprint calc against a bare import", started)
        results["calc"] = calc_vs_bare_import(ROOT, work / "calc-data", args.calc_runs)
        return report(args, info, results, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
