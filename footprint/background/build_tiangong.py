"""Reproducible build of the shipped TianGong background database from its ILCD archive.

Run::

    python -m footprint.background.build_tiangong --source /path/to/tiangong-lca-data-ilcd.zip

The source is the ILCD archive of the TianGong LCA Database (Tsinghua-led TianGong LCI Data
Working Group, ``linancn/TianGong-LCA-Data``, MIT licence), read and converted like
``footprint import --format ilcd`` (:mod:`footprint.background.importers.ilcd_convert`). The
tables, the build report, ``README.md`` and ``SOURCES.md`` are written to
``inventories/background/tiangong``; a rebuild from the same archive is byte-identical (rows
sorted, gzip mtime 0, no dates or paths). ``findings.csv`` beside them is reviewed by hand and
never written here. Nothing runs at import time; the shipped package never reads the source.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from footprint.background.importers.build_script import SUMMARY, BuildScript
from footprint.background.importers.ilcd import read_archive
from footprint.background.importers.ilcd_convert import READER, build_ilcd
from footprint.background.importers.openlca_source import source_commit
from footprint.background.importers.tables import file_sha256, write_build

DEFAULT_OUT = Path("inventories/background/tiangong")
REPOSITORY = "linancn/TianGong-LCA-Data"
TITLE = "TianGong LCA Database (天工LCA数据库), TianGong LCI Data Working Group"
_EMAIL = re.compile(r",?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _licence(source: Path) -> str:
    for candidate in (source.parent / "LICENSE", source / "LICENSE"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    return "MIT License (LICENSE not found beside the source)"


def generators(activities: Sequence[tuple[str, ...]]) -> list[tuple[str, int]]:
    """Data generators named in the activities' ``source`` cells, with how many each made
    (e-mail addresses left out), most first."""
    counts: Counter[str] = Counter()
    for row in activities:
        found = re.match(r"data generator: ([^;]*)", row[7])
        if found:
            counts[_EMAIL.sub("", found.group(1)).strip() or "not named"] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def sources_md(commit: str, licence: str, makers: list[tuple[str, int]]) -> str:
    lines = [
        "# Sources of the TianGong background",
        "",
        f"{TITLE}, repository `{REPOSITORY}`, commit {commit}; converted from its ILCD archive",
        "by `python -m footprint.background.build_tiangong`. Cite the database and the data",
        "generator of each data set (its `source` column) when you use these tables.",
        "",
        "Every process data set declares `Free of charge for all users and uses`; the",
        "repository is under the MIT licence:",
        "",
        "```text",
        licence,
        "```",
        "",
        "## Data generators (data sets converted)",
        "",
        "| data generator | activities |",
        "|---|---:|",
        *(f"| {name.replace('|', '/')} | {n} |" for name, n in makers),
        "",
    ]
    return "\n".join(lines)


def readme_md(report: dict[str, Any]) -> str:
    counts, exchanges = report["counts"], report["exchanges"]
    missing = report["missing_flow_data_sets"]
    groups = [(g["note"], int(g["activities"])) for g in report["suspect_groups"]]
    census = sum(n for note, n in groups if note.startswith("pollution-census"))
    money = sum(n for note, n in groups if note.startswith("spend-based"))
    spread = report["uncertainty"]["counts"]
    stated = sum(n for key, n in spread.items() if key.startswith("read "))
    used = sum(n for key, n in spread.items() if key.startswith("used "))
    rows = {
        key: n
        for key, n in spread.items()
        if re.fullmatch(r"\w+ rows with uncertainty_type \d", key)
    }
    carrying = sum(n for key, n in rows.items() if not key.endswith(" 0"))
    return "\n".join(
        [
            "# TianGong background (converted)",
            "",
            f"{TITLE}:",
            f"{counts['processes_read']:,} ILCD process data sets converted to",
            f"{counts['activities_written']:,} activities, each making one unit of its reference",
            "flow. Same table format as `../uslci/README.md`, plus `name_zh` (Chinese names).",
            "Use it with `--background tiangong`, or joined: `--background default+tiangong`.",
            "",
            "How it was converted (`footprint.background.importers.ilcd_convert`): "
            "amounts to each flow's",
            "reference unit through flow-property and unit-group factors; every process divided",
            "by its reference amount; an input made by several data sets goes to the one at the",
            "consumer's location or the nearest enclosing one (city -> province -> CN -> GLO),",
            "else it stays unlinked as an ambiguous provider; greenhouse gases recognised by",
            "name, CAS and compartment. Nothing is dropped silently: `unlinked.csv.gz` lists",
            "every exchange left out, with its reason.",
            "",
            "| what | count |",
            "|---|---:|",
            f"| exchanges read | {exchanges['read']:,} |",
            f"| linked to a provider | {exchanges['linked']:,} |",
            f"| of which chosen by location | {exchanges['linked_by_location']:,} |",
            f"| ambiguous provider (listed, not guessed) | {exchanges['ambiguous']:,} |",
            f"| unlinked in all (listed) | {exchanges['unlinked']:,} |",
            f"| elementary, characterised (a GWP gas) | {exchanges['characterised']:,} |",
            f"| elementary, no GWP | {exchanges['not_characterised']:,} |",
            f"| amount zero (ignored) | {exchanges['zero_ignored']:,} |",
            f"| flow data sets missing from the archive | {missing['flows']:,} flows, "
            f"{missing['exchanges']:,} exchanges in {missing['data_sets']:,} data sets |",
            "",
            f"Exchange uncertainty: {stated:,} exchanges carry ILCD uncertainty fields, {used:,} of",
            f"them a usable distribution; {carrying:,} of the {sum(rows.values()):,} technosphere and",
            "biosphere rows carry one in their uncertainty columns (the others `0`: none). The",
            "rest are listed with their reason under `uncertainty` in `build_report.json` (mostly",
            "log-normal or normal without `relativeStandardDeviation95In`); their amounts are",
            "kept. Conventions: `footprint.background.importers.ilcd_uncertainty`.",
            "",
            "Caveats shown with the activities (`suspect_groups` in `build_report.json`):",
            "",
            f"- {census:,} pollution-census data sets (names ending `NESPS2`): pollutant",
            "  emissions per unit of product only, no energy or material inputs, mostly no CO2.",
            "  Never linked as providers; not cradle-to-gate greenhouse-gas data.",
            f"- {money:,} activities per unit of money (the CEEIO 2018 input-output sectors):",
            "  the unit registry has no currencies, so `EUR` is kept as written. Their data",
            "  sets hold sector totals against a reference of 10,000 CNY, so their amounts per",
            "  unit are not usable (see `findings.csv`).",
            "",
            "`findings.csv` holds reviewed findings, shown with the activities; `REVIEW.md` compares",
            "intensities (`footprint background show ID --background tiangong`) with published",
            "Chinese figures. Both are written by hand, never by this build.",
            "",
            "`proxies.csv` (also written by hand) links inputs that no TianGong data set makes to",
            "a USLCI activity when the databases are joined (`--background default+tiangong`);",
            "TianGong alone is unchanged. Each row gives its reason and becomes a `proxy: ...`",
            "caveat of the results that reach it; `REVIEW.md` lists the links, and",
            "`footprint/background/proxies.py` the file format and its checks.",
            "",
        ]
    )


def build(source: Path, out: Path, *, commit: str | None = None) -> dict[str, Any]:
    """Read the ILCD archive ``source``, convert it and write the background to ``out``.

    Raises:
        FootprintError: the archive cannot be read (see :func:`read_archive`).
    """
    commit = commit or source_commit(source)
    meta: dict[str, Any] = {
        "dataset": TITLE,
        "source_repository": REPOSITORY,
        "source_commit": commit,
        "source_file": source.name,
        "source_format": "ILCD",
        "reader": READER,
        "version": commit,
        "sources": [f"{TITLE} ({REPOSITORY} {commit[:12]}), MIT licence"],
    }
    if source.is_file():
        meta["source_sha256"] = file_sha256(source)
    result = build_ilcd(read_archive(source), meta)
    report = write_build(result, out)
    makers = generators(result.tables["activities"])
    (out / "SOURCES.md").write_text(sources_md(commit, _licence(source), makers), "utf-8")
    (out / "README.md").write_text(readme_md(report), encoding="utf-8")
    return report


SCRIPT = BuildScript(
    prog="python -m footprint.background.build_tiangong",
    description="Build the shipped TianGong background database from its ILCD archive.",
    source_help="ILCD zip or folder",
    default_out=DEFAULT_OUT,
    build=lambda args: build(args.source, args.out, commit=args.commit),
    summary=[s for s in SUMMARY if s[0] != "elementary_flows"],
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    return SCRIPT.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
