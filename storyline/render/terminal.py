"""Terminal output: dates as people write them, the comparison and the summary as rich tables and lists.

Article text is untrusted: everything printed goes through ``escape`` so it is never read as rich markup.
"""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def when(value: str, granularity: str, end: str | None = None) -> str:
    d = date.fromisoformat(value)
    if granularity == "year":
        return str(d.year)
    if granularity == "month":
        return d.strftime("%B %Y")
    text = f"{d.day} {d.strftime('%B %Y')}"
    if end:
        e = date.fromisoformat(end)
        text = f"{d.day}–{e.day} {e.strftime('%B %Y')}" if (e.year, e.month) == (d.year, d.month) else \
            f"{text} – {e.day} {e.strftime('%B %Y')}"
    return text


def _clip(text: str, n: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def render_compare(result: dict, console: Console, limit: int = 6) -> None:
    """The matrix as a grid of ● / ·, then each outlet's adds, omits and framing (text printed literally)."""
    console.rule(f"[bold]{_esc(result['title'])}[/] [dim]({result['story']})[/]")
    m = result["matrix"]
    if m["events"]:
        table = Table(show_lines=False, title="Coverage: events × outlets")
        table.add_column("date", no_wrap=True)
        table.add_column("event")
        for o in m["outlets"]:
            table.add_column(_esc(o), justify="center")
        for row in m["events"]:
            table.add_row(row["date"], _esc(_clip(row["summary"], 70)),
                          *("[bold]●[/]" if c else "[dim]·[/]" for c in row["cells"]))
        table.add_row("", "[dim]articles[/]", *(str(m["articles"][o]["documents"]) for o in m["outlets"]))
        console.print(table)
    shared = [c for c in result["claims"] if len(c["outlets"]) > 1]
    console.print(f"{len(result['claims'])} claims, {len(shared)} carried by more than one outlet")
    for entry in result["outlets"]:
        span = f"{entry['first']} – {entry['last']}" if entry["first"] else "undated"
        console.print(f"\n[bold]{_esc(entry['outlet'])}[/] · {len(entry['documents'])} article(s), {span}, "
                      f"{len(entry['events'])} event(s)")
        for key, label in (("adds", "only here"), ("omits", "left out")):
            items = entry[key]
            if items:
                console.print(f"  [green]{label}[/] ({len(items)}):" if key == "adds" else
                              f"  [red]{label}[/] ({len(items)}):")
                for it in items[:limit]:
                    console.print("    – " + _esc(_clip(it["text"])))
                if len(items) > limit:
                    console.print(f"    [dim]… {len(items) - limit} more, less central (--json lists all)[/]")
        if entry["framing"]:
            console.print(f"  [yellow]framing[/] ({len(entry['framing'])}):")
            for f in entry["framing"][:limit]:
                console.print(f"    {f['kind']}: “{_esc(_clip(f['phrase'], 100))}”")
        if entry["attribution"]:
            verbs = ", ".join(f"{_esc(v)} {n}" for v, n in entry["attribution"].items())
            console.print(f"  attribution verbs: {verbs}")
        if entry["speakers"]:
            who = ", ".join(f"{_esc(s['speaker'])} ({s['quotes']})" for s in entry["speakers"][:5])
            console.print(f"  quotes: {who}")


def _esc(text: str) -> str:
    """Article text is untrusted: never let it be read as rich markup."""
    return escape(text)


def render_summary(result: dict, console: Console) -> None:
    """Each summary sentence with its sources; article text is printed literally, never as markup."""
    console.rule(f"[bold]{escape(result.get('title') or result['story'])}[/] [dim]({result['story']})[/]")
    if not result["summary"]:
        console.print("[dim]nothing to summarise[/]")
    for item in result["summary"]:
        console.print(f"• {escape(item['sentence'])}")
        sources = f"{', '.join(item['outlets'])} — {', '.join(item['documents'])}"
        console.print(f"  [dim]{escape(sources)}[/]")
    for outlet, items in result["per_outlet"].items():
        if not items:
            continue
        console.print(f"\n[bold]{escape(outlet)}[/]")
        for item in items:
            console.print(f"  • {escape(item['sentence'])} [dim]({escape(', '.join(item['documents']))})[/]")
