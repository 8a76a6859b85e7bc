"""The command line: a thin click shell over the pipeline (writes) and the stored views (reads).

Heavy modules (spaCy, scikit-learn, the server) are imported by the commands that need them, so
``storyline --help`` and the read commands start in a fraction of a second."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import contract
from .render.terminal import when
from .store import Store, StoreError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1


class SafeConsole(Console):
    """A Console that prints no control character it was given: titles, outlets, file names and article
    text are untrusted, and ESC/OSC sequences in them would clear the screen, set the window title or
    write the clipboard. Every string rich prints (tables, titles, markup) passes through ``render_str``;
    rich's own styling codes are added later and are kept."""

    def render_str(self, text: str, **kwargs: Any):  # type: ignore[override]
        return super().render_str(_CONTROL.sub("", text), **kwargs)

    def print_json(self, json_str: str | None = None, *, data: Any = None, **kwargs: Any) -> None:
        """JSON as ``json.dumps(indent=2)`` writes it, C1 controls written as ``\\u`` escapes (JSON already
        escapes C0 ones), so the printed value is the same and the terminal sees no control character."""
        value = json.loads(json_str) if json_str is not None else data
        text = json.dumps(value, indent=2, ensure_ascii=False)
        self.out(re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m[0]):04x}", text), highlight=False)


console = SafeConsole(stderr=True)
out = SafeConsole()
DB_OPTION = click.option("--db", default="storyline.db", show_default=True, envvar="STORYLINE_DB",
                         help="SQLite database file (created on first use).")


def open_store(db: str, must_exist: bool = False) -> Store:
    if must_exist and not Path(db).exists():
        raise click.ClickException(f"{db}: no such database; run `storyline analyze PATH --db {db}` first")
    try:
        store = Store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if must_exist and store.unfinished():
        # written by an older version (whose upgrade links again), or left mid-run: finish it before reading
        from .run import pipeline

        if n := store.count_pending("linked"):
            click.echo(f"{db}: linking {n} stored articles first (the database was written by an older version "
                       "of Storyline, or a run stopped before linking them)", err=True)
        pipeline.catch_up(store)
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
        f"{store.count_stories()} stories in {store.count_topics()} topics in {escape(db)}", highlight=False,
        soft_wrap=True)
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
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.enabled = not quiet and console.is_terminal
        self.bar = Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                            transient=True)
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
@click.option("--section", type=click.Choice(["story", "background", "expected"]),
              help="Only this section (default: the story's own period first, then background, then expected).")
def timeline(db: str, story_id: str | None, as_json: bool, max_dates: int | None, per_date: int,
             section: str | None) -> None:
    """Print each story's dated timeline with the sources of every event: the story's own period first,
    then the background its articles recall, then what they expect."""
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
    if section:
        for story in data["stories"]:
            story["timeline"] = [e for e in story["timeline"] if e["section"] == section]
    if as_json:
        out.print_json(json.dumps(data["stories"], ensure_ascii=False))
        return
    if not data["stories"]:
        raise click.ClickException(f"no story {story_id!r} in {db}" if story_id else "no dated events yet")
    for story in data["stories"]:
        period = story.get("period")
        for name, events in contract.sections(story["timeline"]):
            if section and name != section:
                continue
            if name == "story":
                title = (f"{escape(story['title'])}  [dim]({escape(story['id'])}, {len(story['documents'])} "
                         f"articles" + (f", {period['start']} – {period['end']}" if period else "") + ")[/]")
            else:  # background and expected come after the story's own period, under their own heading
                title = f"  {contract.SECTION_TITLES[name]}  [dim]({len(events)} event{'s' * (len(events) != 1)})[/]"
            table = Table(title=title, title_justify="left", show_lines=True, expand=True)
            table.add_column("When", no_wrap=True, style="bold")
            table.add_column("What happened")
            table.add_column("Sources", style="cyan")
            for ev in events:
                key = "[bold yellow]★ key event[/] " if ev.get("pinned") else ""
                first = dict.fromkeys(r["outlet"] or r["document"] for r in ev["reports"])  # publication order
                table.add_row(when(ev["date"], ev["granularity"], ev["end"]), key + escape(ev["summary"]),
                              escape("\n".join(first)))
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


def entity_names(store: Store, entity: str | None) -> list[str] | None:
    """The canonical names of an entity given by id (``person-vladimir-putin``) or by name."""
    if not entity:
        return None
    from . import profiles

    found = profiles.index(store)
    hit = found.get(entity) or next((e for e in found.values() if entity.lower() in
                                     (n.lower() for n in e["names"])), None)
    if hit is None:
        raise click.ClickException(f"no entity {entity!r}; `storyline entities --q NAME` lists them")
    return hit["names"]


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the topics' JSON (contract v1 ``topics``).")
def topics(db: str, as_json: bool) -> None:
    """List topics (groups of related stories), each with its stories."""
    store = open_store(db, must_exist=True)
    rows = store.topics()
    if as_json:
        out.print_json(json.dumps([contract.topic_dict(t) for t in rows]))
        return
    stories = {s["id"]: s for s in store.stories()}
    table = Table(expand=True)
    for col in ("Topic / story", "Title", "Articles", "From", "To"):
        table.add_column(col)
    for t in rows:
        table.add_row(f"[bold]{escape(t['id'])}[/]", f"[bold]{escape(t['title'])}[/]", str(t["documents"]),
                      t["first"] or "", t["last"] or "")
        for sid in t["stories"]:
            s = stories[sid]
            table.add_row(f"  {escape(sid)}", f"  {escape(s['title'])}", str(s["documents"]), s["first"] or "",
                          s["last"] or "")
    out.print(table)


@main.command()
@click.argument("query")
@DB_OPTION
@click.option("--limit", default=20, show_default=True)
@click.option("--offset", default=0, show_default=True)
@click.option("--outlet", help="Only articles of this outlet.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or after (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or before.")
@click.option("--story", "story_id", help="Only this story.")
@click.option("--topic", help="Only this topic (when the database has topics).")
@click.option("--speaker", help="Only sentences with a quote by a speaker whose name contains this.")
@click.option("--entity", help="Only sentences naming this entity (id or name, see `storyline entities`).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def search(query: str, db: str, limit: int, offset: int, outlet: str | None, since, until, story_id: str | None,
           topic: str | None, speaker: str | None, entity: str | None, sort: str, as_json: bool) -> None:
    """Full-text search over every stored sentence; "a phrase" in double quotes matches those words in order."""
    store = open_store(db, must_exist=True)
    filters = {"outlet": outlet, "since": since.date().isoformat() if since else None,
               "until": until.date().isoformat() if until else None, "story": story_id, "topic": topic,
               "speaker": speaker, "entity": entity_names(store, entity)}
    hits = store.search(query, limit=limit, offset=offset, sort=sort, **filters)
    if as_json:
        out.print_json(json.dumps(hits, ensure_ascii=False))
        return
    for h in hits:
        where = (f"[cyan]{escape(h['outlet'] or h['document'])}[/] [dim]{escape(h['published'] or '')} "
                 f"{escape(h['document'])}#{h['idx']}[/]")
        out.print(f"{where}  {escape(h['snippet'])}", highlight=False)
    if not hits:
        console.print("no matches")
    else:
        console.print(f"{store.count_search(query, **filters)} matching sentences", highlight=False)


@main.command()
@DB_OPTION
@click.option("--q", "q", help="Only names containing this.")
@click.option("--label", type=click.Choice(["Person", "Organisation", "Place", "Group", "Event"],
                                           case_sensitive=False), help="Only this kind.")
@click.option("--limit", default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def entities(db: str, q: str | None, label: str | None, limit: int, as_json: bool) -> None:
    """People, organisations, places and groups across all articles, most mentioned first."""
    from . import profiles

    store = open_store(db, must_exist=True)
    items = profiles.listing(store, q, label)[:limit]
    if as_json:
        out.print_json(json.dumps(items, ensure_ascii=False))
        return
    table = Table(expand=True)
    for col in ("Entity", "Kind", "Mentions", "Articles", "Id"):
        table.add_column(col)
    for e in items:
        table.add_row(escape(e["name"]), e["label"], str(e["mentions"]), str(e["documents"]), escape(e["id"]))
    out.print(table)


@main.command()
@click.argument("entity_id")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def entity(entity_id: str, db: str, as_json: bool) -> None:
    """One entity: aliases, stories, dated quotes and the timeline events that name it."""
    from . import profiles

    store = open_store(db, must_exist=True)
    found = profiles.profile(store, entity_id)
    if found is None:
        raise click.ClickException(f"no entity {entity_id!r}; `storyline entities --q NAME` lists them")
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
        return
    out.print(f"[bold]{escape(found['name'])}[/] ({found['label']}) · {found['mentions']} mentions in "
              f"{found['documents']} articles · {found['first'] or '?'} – {found['last'] or '?'}")
    out.print("also written: " + escape(", ".join(a["text"] for a in found["aliases"][:12])))
    for s in found["stories"][:10]:
        out.print(f"  story [cyan]{escape(s['id'])}[/] {escape(s['title'] or '')} ({s['documents']} articles)")
    table = Table(title="Timeline events naming them", title_justify="left", expand=True)
    for col in ("When", "What happened", "Story"):
        table.add_column(col)
    for e in found["events"]:
        table.add_row(when(e["date"], e["granularity"], e["end"]), escape(e["summary"]), escape(e["story"]))
    out.print(table)
    table = Table(title="Quotes", title_justify="left", expand=True)
    for col in ("Published", "Outlet", "Quote"):
        table.add_column(col)
    for qd in found["quotes"]:
        table.add_row(qd["published"] or "?", escape(qd["outlet"] or qd["document"]), escape(qd["text"]))
    out.print(table)


@main.command("export")
@DB_OPTION
@click.option("--json", "json_path", type=click.Path(dir_okay=False))
@click.option("--html", "html_path", type=click.Path(dir_okay=False))
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False),
              help="Write timeline.csv, quotes.csv, coverage.csv and documents.csv into this folder.")
@click.option("--story", "story_ids", multiple=True, help="Only this story (repeatable).")
def export_cmd(db: str, json_path: str | None, html_path: str | None, csv_dir: str | None,
               story_ids: tuple[str, ...]) -> None:
    """Write the JSON contract, the HTML report and/or CSV tables from an existing database."""
    if not json_path and not html_path and not csv_dir:
        raise click.UsageError("give --json, --html and/or --csv")
    store = open_store(db, must_exist=True)
    for sid in story_ids:
        if store.story_title(sid) is None:
            raise click.ClickException(f"no story {sid!r} in {db}")
    data = contract.build(store, list(story_ids) if story_ids else None)
    if json_path:
        contract.write_json(data, json_path)
    if html_path:
        _write_html(store, data, html_path)
    if csv_dir:
        from .render.csv_tables import write_dir

        for path in write_dir(data, csv_dir):
            console.print(f"wrote {escape(str(path))}", soft_wrap=True)


# -- corrections ------------------------------------------------------------------------------------
@main.group()
def correct() -> None:
    """Fix what the automatic analysis got wrong; every fix is logged, survives re-runs and can be undone.

    Each subcommand prints the correction's id (``storyline correct undo ID`` takes it back).
    """


def _correct(db: str, kind: str, args: dict, note: str | None, as_json: bool) -> None:
    from .link import corrections
    from .run import pipeline

    store = open_store(db, must_exist=True)
    try:
        cid = corrections.record(store, kind, args, note)
    except corrections.CorrectionError as exc:
        raise click.ClickException(str(exc)) from exc
    pipeline.apply_corrections(store)
    entry = contract.correction_dict(store.correction(cid))  # type: ignore[arg-type]
    if as_json:
        out.print_json(json.dumps(entry, ensure_ascii=False))
    else:
        out.print(f"correction {cid}: {escape(entry['description'])}", highlight=False)


NOTE = click.option("--note", help="Why (kept in the log).")
JSON_FLAG = click.option("--json", "as_json", is_flag=True, help="Print the correction as JSON.")


@correct.command("merge")
@click.argument("stories", nargs=-1, required=True)
@click.option("--into", required=True, help="The story the others join.")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_merge(stories: tuple[str, ...], into: str, db: str, note: str | None, as_json: bool) -> None:
    """Merge STORIES into the story --into (articles that later join them follow)."""
    _correct(db, "merge-stories", {"stories": list(stories), "into": into}, note, as_json)


@correct.command("split")
@click.argument("documents", nargs=-1, required=True)
@click.option("--title", help="Title of the new story (default: the first article's).")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_split(documents: tuple[str, ...], title: str | None, db: str, note: str | None, as_json: bool) -> None:
    """Split DOCUMENTS off their story into a story of their own."""
    _correct(db, "split-story", {"documents": list(documents), "title": title}, note, as_json)


@correct.command("move")
@click.argument("document")
@click.option("--to", "to", required=True, help="The story it belongs to.")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_move(document: str, to: str, db: str, note: str | None, as_json: bool) -> None:
    """Move the article DOCUMENT (and its near-duplicates) to another story."""
    _correct(db, "move-article", {"document": document, "to": to}, note, as_json)


@correct.command("rename-speaker")
@click.argument("old")
@click.argument("new")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_rename(old: str, new: str, db: str, note: str | None, as_json: bool) -> None:
    """Rename the speaker OLD to NEW in every quote (shorter forms of OLD included)."""
    _correct(db, "rename-speaker", {"from": old, "to": new}, note, as_json)


@correct.command("merge-speakers")
@click.argument("names", nargs=-1, required=True)
@click.option("--into", required=True, help="The name they all become.")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_merge_speakers(names: tuple[str, ...], into: str, db: str, note: str | None, as_json: bool) -> None:
    """Merge the speakers NAMES under one name."""
    _correct(db, "merge-speakers", {"names": list(names), "into": into}, note, as_json)


@correct.command("set-speaker")
@click.argument("document")
@click.argument("start", type=int)
@click.option("--speaker", help="Who said it; leave out to mark the quote unattributed.")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_set_speaker(document: str, start: int, speaker: str | None, db: str, note: str | None,
                        as_json: bool) -> None:
    """Set the speaker of one quote: the one starting at character START of DOCUMENT (``start`` in the API)."""
    _correct(db, "set-speaker", {"document": document, "start": start, "speaker": speaker}, note, as_json)


@correct.command("hide")
@click.argument("event")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_hide(event: str, db: str, note: str | None, as_json: bool) -> None:
    """Hide the timeline EVENT (not an event); it stays hidden when the timeline is rebuilt."""
    _correct(db, "hide-event", {"event": event}, note, as_json)


@correct.command("pin")
@click.argument("event")
@DB_OPTION
@NOTE
@JSON_FLAG
def correct_pin(event: str, db: str, note: str | None, as_json: bool) -> None:
    """Pin the timeline EVENT as a key event."""
    _correct(db, "pin-event", {"event": event}, note, as_json)


@correct.command("undo")
@click.argument("correction_id", type=int)
@DB_OPTION
def correct_undo(correction_id: int, db: str) -> None:
    """Take back correction CORRECTION_ID (it stays in the log, marked undone)."""
    from .link import corrections
    from .run import pipeline

    store = open_store(db, must_exist=True)
    try:
        corrections.undo(store, correction_id)
    except corrections.CorrectionError as exc:
        raise click.ClickException(str(exc)) from exc
    pipeline.apply_corrections(store)
    out.print(f"undid correction {correction_id}")


@correct.command("list")
@DB_OPTION
@click.option("--all", "include_undone", is_flag=True, help="Undone corrections too.")
@click.option("--json", "as_json", is_flag=True)
def correct_list(db: str, include_undone: bool, as_json: bool) -> None:
    """The corrections log, oldest first."""
    store = open_store(db, must_exist=True)
    items = [contract.correction_dict(c) for c in store.corrections(include_undone)]
    if as_json:
        out.print_json(json.dumps(items, ensure_ascii=False))
        return
    table = Table(expand=True)
    for col in ("Id", "When", "Correction", "Note", "Undone"):
        table.add_column(col)
    for c in items:
        table.add_row(str(c["id"]), c["created"], escape(c["description"]), escape(c["note"] or ""),
                      c["undone"] or "")
    out.print(table)
    if not items:
        console.print("no corrections")


def _seconds(value: str) -> float:
    """'90', '90s', '15m', '2h', '1d' → seconds."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value.lower())
    if not m:
        raise click.BadParameter(f"{value!r} is not a duration such as 90s, 15m, 2h or 1d")
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m[2]]


EVERY_OPTION = click.option("--every", default="15m", show_default=True,
                            help="How often each feed is polled (90s, 15m, 2h); failing feeds back off.")
WEBHOOK_OPTION = click.option("--webhook", help="POST every new alert as JSON to this URL (retried on failure).")
PRIVATE_OPTION = click.option("--allow-private", is_flag=True,
                              help="Also fetch private, loopback and link-local addresses (refused by default).")


@main.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True)
@click.option("--watch", "watch_sources", multiple=True, metavar="SOURCE",
              help="Also watch this feed URL, OPML file or file of URLs (repeatable), as `storyline watch` does.")
@EVERY_OPTION
@WEBHOOK_OPTION
@PRIVATE_OPTION
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another host name the server answers to (besides --host, localhost and IP addresses); "
                   "repeatable.")
@click.option("--token", envvar="STORYLINE_TOKEN", default=None,
              help="Write token, sent as 'Authorization: Bearer TOKEN' (also STORYLINE_TOKEN): adding feeds "
                   "through the API needs it, and every write when bound beyond loopback (where, without one, "
                   "a fresh token is made and printed).")
def serve(db: str, host: str, port: int, watch_sources: tuple[str, ...], every: str, webhook: str | None,
          allow_private: bool, allow_hosts: tuple[str, ...], token: str | None) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs) and the web UI; with --watch, watch
    feeds beside it (new articles appear on open story pages as they are analysed)."""
    import secrets

    import uvicorn

    from .server.api import create_app
    from .server.guard import Access, is_loopback
    from .server.watch import WatchOptions

    open_store(db).close()  # create the schema / fail early with a clear message
    if not token and not is_loopback(host):
        token = secrets.token_urlsafe(32)
        console.print(f"{escape(host)} is reachable from other machines: writes need this token: {token}\n"
                      "(send 'Authorization: Bearer TOKEN'; choose your own with --token or STORYLINE_TOKEN)",
                      highlight=False, soft_wrap=True)
    watch = None
    if watch_sources:
        from .watch import SourceError, read_sources

        try:
            urls = read_sources(list(watch_sources))
        except SourceError as exc:
            raise click.ClickException(str(exc)) from exc
        watch = WatchOptions(urls, _seconds(every), webhook, allow_private)
    app = create_app(db, access=Access.for_bind(host, allow_hosts, token), watch=watch, allow_private=allow_private)
    # open event streams end within a few seconds of Ctrl-C instead of holding the shutdown
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


def _watcher(store: Store, every: str, webhook: str | None, allow_private: bool, timeout: float = 20.0):
    from .watch import Fetcher, Watcher

    fetcher = Fetcher(allow_private=allow_private, timeout=timeout)
    return Watcher(store, fetcher, every=_seconds(every), webhook=webhook,
                   on_alert=lambda a: console.print(f"[green]alert[/] {_alert_line(a)}", highlight=False,
                                                    soft_wrap=True))


def _alert_line(a: dict) -> str:
    outlets = ", ".join(sorted({d["outlet"] or "?" for d in a["documents"]}))
    what = {"event": f"{len(a['events'])} new event(s)", "outlet": f"first report by {outlets}",
            "quote": f"{len(a.get('quotes') or [])} new quote(s)", "story": "new matching story"}.get(a["kind"], "")
    story = f"{a['story']} {a['title'] or ''}".strip() if a.get("story") else "(no story)"
    return escape(f"#{a.get('id', '')} {a['created']} {a['kind']}: {what} in {story}")


@main.command()
@click.argument("sources", nargs=-1)
@DB_OPTION
@EVERY_OPTION
@click.option("--once", is_flag=True, help="Poll every feed once, process, deliver alerts, and exit.")
@WEBHOOK_OPTION
@PRIVATE_OPTION
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds allowed for one HTTP request.")
def watch(sources: tuple[str, ...], db: str, every: str, once: bool, webhook: str | None, allow_private: bool,
          timeout: float) -> None:
    """Watch feeds: SOURCES are RSS/Atom feed URLs, OPML files or text files of feed URLs (added to the
    feeds of DB; without SOURCES, the feeds already there are watched). New articles are fetched politely,
    analysed, and followed stories raise alerts. Stop with Ctrl-C; a new run resumes where it stopped."""
    from .watch import SourceError, read_sources

    try:
        urls = read_sources(list(sources))
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    _seconds(every)
    store = open_store(db)
    watcher = _watcher(store, every, webhook, allow_private, timeout)
    added = watcher.add_feeds(urls)
    if added:
        console.print(f"watching {len(added)} new feed(s)", highlight=False)
    if not store.feeds():
        raise click.ClickException(f"no feeds to watch in {db}: give feed URLs, an OPML file or a file of URLs")

    def on_round(report) -> None:  # noqa: ANN001
        for err in report.errors:
            console.print(f"[yellow]error[/] {escape(err)}", highlight=False, soft_wrap=True)
        console.print(escape(report.line()), highlight=False, soft_wrap=True)

    try:
        watcher.run(once=once, on_round=on_round)
    except KeyboardInterrupt:
        console.print("stopped; the next run resumes from here")
    finally:
        watcher.close()
        watcher.fetcher.close()
        store.close()


@main.command()
@DB_OPTION
@click.option("--remove", "remove_url", metavar="URL", help="Stop watching this feed (its articles stay).")
@click.option("--json", "as_json", is_flag=True)
def feeds(db: str, remove_url: str | None, as_json: bool) -> None:
    """The watched feeds and their health: last fetch, status, consecutive errors, articles stored."""
    store = open_store(db, must_exist=True)
    if remove_url:
        if not store.remove_feed(remove_url):
            raise click.ClickException(f"no feed {remove_url!r} in {db}")
        console.print(f"removed {escape(remove_url)}")
        return
    rows = store.feeds()
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(expand=True)
    for col in ("Feed", "Status", "Last fetch", "Errors", "Items", "Stored", "Next fetch"):
        table.add_column(col)
    for f in rows:
        status = f["status"] or "never fetched"
        if f["error"]:
            status += f"\n[dim]{escape(f['error'])}[/]"
        table.add_row(escape((f["title"] + "\n" if f["title"] else "") + f["url"]),
                      status if f["status"] != "error" else f"[red]{status}[/]", f["last_fetch"] or "",
                      str(f["errors"]), str(f["items"]), str(f["stored"]), f["next_fetch"] or "")
    out.print(table)
    if not rows:
        console.print("no feeds; add some with `storyline watch URL...`")


@main.group("follow")
def follow_group() -> None:
    """Follow stories, queries and speakers: `storyline watch` raises alerts for what changes."""


@follow_group.command("add")
@DB_OPTION
@click.option("--story", "story_id", help="A story's id: alert on new events and outlets reporting it first.")
@click.option("--topic", "topic_id", help="A topic's id: what --story raises for each of its stories, and new stories.")
@click.option("--query", help="Words: alert when a story matches them (in any sentence) for the first time.")
@click.option("--speaker", help="A name: alert on new quotes by this speaker.")
def follow_add(db: str, story_id: str | None, topic_id: str | None, query: str | None, speaker: str | None) -> None:
    """Follow one thing (give exactly one of --story, --topic, --query, --speaker)."""
    from .watch import follow
    from .watch.alerts import iso

    chosen = [(k, v) for k, v in (("story", story_id), ("topic", topic_id), ("query", query), ("speaker", speaker))
              if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --story, --topic, --query, --speaker")
    store = open_store(db)
    try:
        f = follow(store, chosen[0][0], chosen[0][1], iso(time.time()))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(f"following {f['kind']} {escape(f['value'])!s} (id {f['id']})", highlight=False)


@follow_group.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def follow_list(db: str, as_json: bool) -> None:
    """What is followed."""
    store = open_store(db, must_exist=True)
    rows = store.follows()
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table()
    for col in ("Id", "Kind", "Following", "Since"):
        table.add_column(col)
    for f in rows:
        table.add_row(str(f["id"]), f["kind"], escape(f["value"]), f["created"])
    out.print(table)
    if not rows:
        console.print("nothing followed; `storyline follow add --story ID` (or --topic, --query, --speaker)")


@follow_group.command("remove")
@click.argument("follow_id", type=int)
@DB_OPTION
def follow_remove(follow_id: int, db: str) -> None:
    """Stop following (its past alerts stay)."""
    store = open_store(db, must_exist=True)
    if not store.remove_follow(follow_id):
        raise click.ClickException(f"no follow with id {follow_id} in {db}")
    console.print(f"removed follow {follow_id}")


@main.command()
@DB_OPTION
@click.option("--story", "story_id", help="Only alerts about this story.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def alerts(db: str, story_id: str | None, limit: int, as_json: bool) -> None:
    """Alerts raised by follows, newest first."""
    from .watch import payload

    store = open_store(db, must_exist=True)
    rows = store.alerts(limit, 0, story_id)
    if as_json:
        out.print_json(json.dumps([payload(a) | {"delivery": a["delivery"]} for a in rows], ensure_ascii=False))
        return
    for a in rows:
        out.print(_alert_line(a), highlight=False, soft_wrap=True)
        for e in a["events"][:5]:
            out.print(f"    {escape(contract.when(e['date'], e['granularity'], e['end']))}: {escape(e['summary'])}",
                      highlight=False, soft_wrap=True)
        for d in a["documents"][:5]:
            out.print(f"    [cyan]{escape(d['outlet'] or '?')}[/] {escape(d['title'] or d['id'])}", highlight=False,
                      soft_wrap=True)
    if not rows:
        console.print("no alerts yet")


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
              help="extraction: the pages scored (default test; rules were developed on dev), for either corpus.")
@click.option("--corpus", type=click.Choice(["aeb", "trafilatura", "wcxb"]), default=None,
              help="extraction: article-extraction-benchmark (default), trafilatura's evaluation set or WCXB.")
@click.option("--json", "as_json", is_flag=True)
def eval_cmd(benchmark: str, limit: int | None, datasets: str | None, split: str | None, corpus: str | None,
             as_json: bool) -> None:
    """Measure Storyline on public benchmarks beside baselines run now and published results."""
    render, run = _evaluation()
    options = {k: v for k, v in (("split", split), ("corpus", corpus)) if v} if benchmark == "extraction" else {}
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
