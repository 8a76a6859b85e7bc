"""Benchmarks: Storyline measured on public data beside baselines run in the same process and published rows.

Every benchmark module has ``run(limit=None, datasets=None, ...) -> dict`` returning ``{"benchmark",
"primary", "rows": [{"system": "storyline" | <baseline> | "published:<method>", <metric>: …}]}``;
:func:`run` dispatches (importing lazily: the heavy optional dependencies of one benchmark must not stop
another) and stamps each result with the machine and date, because timings and ratios only mean something
on the machine they were measured on.

Datasets are read in place from :func:`datasets_root`, never copied into the repository.
"""

from __future__ import annotations

import importlib
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = ("t17", "tempeval3", "polnear", "stories", "extraction")
EVAL_EXTRA = "pip install 'storyline[eval]'"


class DatasetMissing(FileNotFoundError):
    """A benchmark's data is not where it was looked for; tests turn this into ``pytest.skip``."""


def datasets_root(datasets: Path | str | None = None) -> Path:
    """The datasets folder: the argument, else ``$STORYLINE_DATASETS``, else ``<repo>/../shared/datasets``."""
    if datasets:
        root, how = Path(datasets), "the datasets argument"
    elif os.environ.get("STORYLINE_DATASETS"):
        root, how = Path(os.environ["STORYLINE_DATASETS"]), "$STORYLINE_DATASETS"
    else:
        root, how = REPO.parent / "shared" / "datasets", "the default (<repo>/../shared/datasets)"
    if not root.is_dir():
        raise DatasetMissing(f"datasets folder {root} (from {how}) does not exist: pass --datasets DIR or "
                             "set STORYLINE_DATASETS to the folder holding timeline17/, meantime_english/, …")
    return root


def dataset_dir(name: str, datasets: Path | str | None = None) -> Path:
    """One benchmark's folder under the datasets root, or DatasetMissing naming both."""
    folder = datasets_root(datasets) / name
    if not folder.is_dir():
        raise DatasetMissing(f"{name} data not found at {folder}: see {folder.parent / 'README.md'}")
    return folder


def machine() -> str:
    """Platform and CPU, so a reported timing can be told apart from one taken elsewhere."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.platform()} | {cpu} | {os.cpu_count()} logical CPUs | py {platform.python_version()}"


def _stamp(result: dict) -> dict:
    result.setdefault("machine", machine())
    result.setdefault("date", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return result


def _run_one(benchmark: str, limit: int | None, datasets: Path | None, **options: Any) -> dict:
    module = importlib.import_module(f".{benchmark}", __name__)
    return _stamp(module.run(limit=limit, datasets=datasets, **options))


def run(benchmark: str, limit: int | None = None, datasets: Path | None = None, **options: Any
        ) -> dict | list[dict]:
    """One benchmark (a dict) or ``all`` (a list, where a benchmark that cannot run is listed as skipped)."""
    if benchmark == "all":
        results = []
        for name in BENCHMARKS:
            try:
                results.append(_run_one(name, limit, datasets))
            except (FileNotFoundError, ImportError) as exc:  # missing data or optional dependency
                results.append(_stamp({"benchmark": name, "primary": None, "rows": [],
                                       "skipped": f"{type(exc).__name__}: {exc}"}))
        return results
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}: choose from {', '.join(BENCHMARKS)} or all")
    return _run_one(benchmark, limit, datasets, **options)


# --------------------------------------------------------------------------------------------------
# Rendering


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):  # scores in [0, 1] get three decimals, timings one
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _columns(result: dict) -> list[str]:
    if result.get("columns"):
        return list(result["columns"])
    cols: list[str] = []
    for row in result.get("rows", []):
        for key, value in row.items():
            if key in ("system", "source") or key in cols:
                continue
            if value is None or isinstance(value, (int, float, str)):
                cols.append(key)
    return cols


def render(results: dict | list[dict], console: Any) -> None:
    """Rich tables: Storyline first, baselines run now, then published rows (dimmed, with their source)."""
    from rich.table import Table

    for result in results if isinstance(results, list) else [results]:
        name = result.get("benchmark", "?")
        if result.get("skipped"):
            console.print(f"[yellow]{name}: skipped[/] — {result['skipped']}")
            continue
        primary = result.get("primary")
        title = f"{name} (primary: {primary})" if primary else name
        table = Table(title=title, caption=f"{result.get('date', '')} · {result.get('machine', '')}",
                      caption_justify="left")
        cols = _columns(result)
        table.add_column("system", no_wrap=True)
        for c in cols:
            table.add_column(c, justify="right", style="bold" if c == primary else None)
        for row in result.get("rows", []):
            system = str(row.get("system", ""))
            style = "dim" if system.startswith("published:") else ("green" if system == "storyline" else None)
            table.add_row(system, *(_fmt(row.get(c)) for c in cols), style=style)
        console.print(table)
        sources = [f"{r['system']}: {r['source']}" for r in result.get("rows", []) if r.get("source")]
        for line in sources:
            console.print(f"  [dim]{line}[/]")
        for note in ([result["note"]] if result.get("note") else []) + list(result.get("notes", [])):
            console.print(f"  [italic]{note}[/]")
        if result.get("extra"):  # a benchmark's secondary tables (same machine and date)
            render([{"machine": result.get("machine", ""), "date": result.get("date", ""), **extra}
                    for extra in result["extra"]], console)
