"""The command line: a thin click shell over the pipeline (writes) and the stored views (reads).

Heavy modules (spaCy, scikit-learn, the server) are imported by the commands that need them, so
``storyline --help`` and the read commands start in a fraction of a second."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import contract
from .render.terminal import when
from .store import Store, StoreError

console = Console(stderr=True)
out = Console()
DB_OPTION = click.option("--db", default="storyline.db", show_default=True, envvar="STORYLINE_DB",
                         help="SQLite database file (created on first use).")


def open_store(db: str, must_exist: bool = False) -> Store:
    if must_exist and not Path(db).exists():
        raise click.ClickException(f"{db}: no such database; run `storyline analyze PATH --db {db}` first")
    try:
        store = Store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if must_exist and store.stale_views():  # written by a version without stored views, or mid-run
        from .run import views

        views.ensure(store)
    return store


@click.group()
@click.version_option(package_name="storyline")
def main() -> None:
    """Storyline: stories, sourced timelines, quotes and outlet comparison from news articles."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@DB_OPTION
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the JSON contract here.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write the HTML report here.")
@click.option("--workers", type=int, default=None, help="Processes for the per-article stages.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--ray-address", default=None, help="Ray cluster address (default: start a local one).")
@click.option("--max-bytes", type=int, default=None, help="Largest input file accepted (default 20 MB).")
@click.option("--quiet", is_flag=True, help="No progress display.")
def analyze(paths: tuple[str, ...], db: str, json_path: str | None, html_path: str | None, workers: int | None,
            engine: str, ray_address: str | None, max_bytes: int | None, quiet: bool) -> None:
    """Ingest PATHS (files or folders: .txt .html .jsonl .warc feeds), analyse, and write results.

    Re-running is idempotent: articles already stored are skipped, and only new ones are processed.
    """
    from .run import pipeline

    store = open_store(db)
    with _progress(quiet) as progress:
        report = pipeline.analyze(store, list(paths), workers=workers, engine=engine, ray_address=ray_address,
                                  progress=progress, max_bytes=max_bytes)
    for err in report.errors:
        # one line per problem (never wrapped, so it can be grepped); file names and messages quote input,
        # so they are escaped: "[/x]" in a file name or a date field must not be read as rich markup
        console.print(f"[yellow]skipped[/] {escape(str(err))}", highlight=False, soft_wrap=True)
    console.print(
        f"read {report.read} articles: {report.added} new, {report.skipped} already stored; "
        f"{report.annotated} annotated, {report.linked} linked; {len(report.errors)} unreadable; "
        f"{store.count_stories()} stories in {escape(db)}", highlight=False, soft_wrap=True)
    data = None
    if json_path or html_path:
        data = contract.build(store)
    if json_path:
        contract.write_json(data, json_path)  # type: ignore[arg-type]
        console.print(f"wrote {escape(json_path)}", soft_wrap=True)
    if html_path:
        _write_html(store, data, html_path)  # type: ignore[arg-type]
        console.print(f"wrote {escape(html_path)}", soft_wrap=True)
    store.close()
    if report.read == 0 and report.errors:
        sys.exit(1)  # nothing at all could be read: a failure; partial failures were reported above


def _write_html(store: Store, data: dict, path: str) -> None:
    from .render.palette import outlet_hues
    from .render.report import write_html

    write_html(data, path, outlet_hues(store.outlet_order()))


class _progress:
    """A rich progress bar per stage, or nothing when quiet or not on a terminal."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = not quiet and console.is_terminal
        self.bar = Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar.__enter__()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total or None)
        self.bar.update(self.tasks[stage], completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.__exit__(None, None, None)


@main.command()
@DB_OPTION
@click.option("--story", "story_id", help="Only this story (default: every story with events).")
@click.option("--json", "as_json", is_flag=True, help="Print the stories' JSON instead.")
@click.option("--dates", "max_dates", type=click.IntRange(min=1),
              help="Only the N days most articles report (a short timeline; one sentence per event).")
@click.option("--per-date", type=click.IntRange(min=1, max=20), default=1, show_default=True,
              help="With --dates: events shown per day.")
def timeline(db: str, story_id: str | None, as_json: bool, max_dates: int | None, per_date: int) -> None:
    """Print each story's dated timeline with the sources of every event."""
    store = open_store(db, must_exist=True)
    ids = [story_id] if story_id else [s["id"] for s in store.stories() if s["events"]]
    if max_dates:
        found = [contract.key_dates(store, i, max_dates, per_date) for i in ids]
        if story_id and found[0] is None:
            raise click.ClickException(f"no story {story_id!r} in {db}")
        short = [t for t in found if t and t["dates"]]
        if as_json:
            out.print_json(json.dumps(short, ensure_ascii=False))
            return
        if not short:
            raise click.ClickException("no single-day events yet")
        for story in short:
            table = Table(title=f"{escape(story['title'])}  [dim]({escape(story['story'])})[/]",
                          title_justify="left", show_lines=True, expand=True)
            table.add_column("When", no_wrap=True, style="bold")
            table.add_column("What happened")
            table.add_column("Reported by", style="cyan")
            for day in story["dates"]:
                for ev in day["events"]:
                    table.add_row(when(day["date"], "day"), escape(ev["text"]),
                                  escape(f"{ev['articles']} article(s): " + ", ".join(ev["sources"])))
            out.print(table)
        return
    data = contract.build(store, ids)
    if as_json:
        out.print_json(json.dumps(data["stories"], ensure_ascii=False))
        return
    if not data["stories"]:
        raise click.ClickException(f"no story {story_id!r} in {db}" if story_id else "no dated events yet")
    for story in data["stories"]:
        table = Table(title=f"{escape(story['title'])}  [dim]({escape(story['id'])}, "
                            f"{len(story['documents'])} articles)[/]",
                      title_justify="left", show_lines=True, expand=True)
        table.add_column("When", no_wrap=True, style="bold")
        table.add_column("What happened")
        table.add_column("Sources", style="cyan")
        for ev in story["timeline"]:
            table.add_row(when(ev["date"], ev["granularity"], ev["end"]), escape(ev["summary"]),
                          escape("\n".join(ev["sources"])))
        out.print(table)


@main.command()
@DB_OPTION
@click.option("--speaker", help="Only quotes whose speaker, as shown, contains this (case-insensitive).")
@click.option("--story", "story_id", help="Only quotes from this story.")
@click.option("--outlet", help="Only quotes from this outlet.")
@click.option("--json", "as_json", is_flag=True)
def quotes(db: str, speaker: str | None, story_id: str | None, outlet: str | None, as_json: bool) -> None:
    """List quotes with their speakers and sources."""
    store = open_store(db, must_exist=True)
    found, names = contract.select_quotes(store, story_id, speaker, outlet)
    docs = {d.id: d for d in store.documents()}
    rows = [contract.quote_dict(q, names, {}) | {"outlet": docs[q.document].outlet} for q in found]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(show_lines=True, expand=True)
    for col in ("Speaker", "Quote", "Source"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["speaker"]) if r["speaker"] else "[dim]unknown[/]",
                      escape(("“" + r["text"] + "”") if r["kind"] != "indirect" else r["text"]),
                      f"{escape(r['outlet'] or r['document'])}\n[dim]{r['kind']}[/]")
    out.print(table)
    if not rows:
        console.print("no quotes found")


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def stories(db: str, as_json: bool) -> None:
    """List stories with their size and date span."""
    store = open_store(db, must_exist=True)
    rows = store.stories()
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table(expand=True)
    for col in ("Story", "Title", "Articles", "Outlets", "Events", "From", "To"):
        table.add_column(col)
    for r in rows:
        table.add_row(escape(r["id"]), escape(r["title"]), str(r["documents"]), str(r["outlets"]),
                      str(r["events"]), r["first"] or "", r["last"] or "")
    out.print(table)


@main.command()
@click.argument("query")
@DB_OPTION
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def search(query: str, db: str, limit: int, as_json: bool) -> None:
    """Full-text search over every stored sentence."""
    store = open_store(db, must_exist=True)
    hits = store.search(query, limit=limit)
    if as_json:
        out.print_json(json.dumps(hits, ensure_ascii=False))
        return
    for h in hits:
        where = f"[cyan]{escape(h['outlet'] or h['document'])}[/] [dim]{escape(h['document'])}#{h['idx']}[/]"
        out.print(f"{where}  {escape(h['snippet'])}",
                  highlight=False)
    if not hits:
        console.print("no matches")


@main.command("export")
@DB_OPTION
@click.option("--json", "json_path", type=click.Path(dir_okay=False))
@click.option("--html", "html_path", type=click.Path(dir_okay=False))
def export_cmd(db: str, json_path: str | None, html_path: str | None) -> None:
    """Write the JSON contract and/or the HTML report from an existing database."""
    if not json_path and not html_path:
        raise click.UsageError("give --json and/or --html")
    store = open_store(db, must_exist=True)
    data = contract.build(store)
    if json_path:
        contract.write_json(data, json_path)
    if html_path:
        _write_html(store, data, html_path)


@main.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True)
def serve(db: str, host: str, port: int) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs) and the web UI."""
    import uvicorn

    from .server.api import create_app

    open_store(db).close()  # create the schema / fail early with a clear message
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")


def _evaluation():
    """The harness in ``evaluation/`` beside the package: it reads datasets from a checkout, so it is not
    installed with Storyline, and ``storyline eval`` runs it from the checkout this package lives in."""
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "evaluation" / "__init__.py").is_file():
        raise click.ClickException(f"storyline eval runs from a source checkout: no evaluation/ folder in {checkout}")
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    from evaluation import render, run

    return render, run


@main.command("eval")
@click.argument("benchmark", type=click.Choice(["t17", "tempeval3", "polnear", "stories", "extraction", "all"]))
@click.option("--limit", type=int, default=None, help="Evaluate on a small slice only (quick checks, tests).")
@click.option("--datasets", type=click.Path(file_okay=False), default=None, envvar="STORYLINE_DATASETS",
              help="Folder holding the public datasets (default: ../shared/datasets next to the repo).")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default=None,
              help="extraction: the pages scored (default test; rules were developed on dev).")
@click.option("--json", "as_json", is_flag=True)
def eval_cmd(benchmark: str, limit: int | None, datasets: str | None, split: str | None, as_json: bool) -> None:
    """Measure Storyline on public benchmarks beside baselines run now and published results."""
    render, run = _evaluation()
    options = {"split": split} if split and benchmark == "extraction" else {}
    results = run(benchmark, limit=limit, datasets=Path(datasets) if datasets else None, **options)
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
    else:
        render(results, out)


@main.command()
@DB_OPTION
@click.option("--story", "story_id", help="Only this story (default: every story with 2+ outlets).")
@click.option("--json", "as_json", is_flag=True)
def compare(db: str, story_id: str | None, as_json: bool) -> None:
    """Outlets side by side: coverage matrix, what each adds and omits, and its framing."""
    from .render.terminal import render_compare

    store = open_store(db, must_exist=True)
    ids = [story_id] if story_id else [s["id"] for s in store.stories() if s["outlets"] > 1]
    results = []
    for sid in ids:
        record = contract.story(store, sid)
        if record is None:
            raise click.ClickException(f"no story {sid!r} in {db}")
        results.append({"story": sid, "title": record["title"], "matrix": contract.view(store, sid, "matrix"),
                        "outlets": record["outlets"], "claims": record["claims"]})
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
    else:
        for r in results:
            render_compare(r, out)


@main.command()
@DB_OPTION
@click.option("--story", "story_id", help="Only this story.")
@click.option("--json", "as_json", is_flag=True)
def summary(db: str, story_id: str | None, as_json: bool) -> None:
    """A short summary of each story (and per outlet), every sentence with its sources."""
    from .render.terminal import render_summary

    store = open_store(db, must_exist=True)
    ids = [story_id] if story_id else [s["id"] for s in store.stories()]
    results = []
    for sid in ids:
        record = contract.story(store, sid)
        if record is None:
            raise click.ClickException(f"no story {sid!r} in {db}")
        results.append({"story": sid, "title": record["title"], "summary": record["summary"],
                        "per_outlet": contract.view(store, sid, "per_outlet")})
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
    else:
        for r in results:
            render_summary(r, out)


if __name__ == "__main__":
    main()
