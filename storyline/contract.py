"""The public JSON contract (version 1) and the self-contained HTML report, built from the store.

The CLI's ``--json``, the REST API and the HTML report all go through ``story_dict`` and
``document_dict``, so the shapes cannot drift apart. Version 1 only ever grows: new keys are added,
existing keys keep their meaning.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import escape

from .analyze.compare import story_extras
from .analyze.key_dates import TermWeights, short_timeline
from .annotate.entities import merge_names
from .model import Document, Event, Quote, Story
from .store import Store

VERSION = 1


def document_dict(doc: Document, links: dict | None = None) -> dict:
    links = links or {}
    return {
        "id": doc.id, "path": doc.path, "title": doc.title, "outlet": doc.outlet,
        "published": doc.published.isoformat() if doc.published else None,
        "published_source": doc.published_source, "url": doc.url,
        "outlet_source": doc.outlet_source,
        "story": links.get("story"), "duplicate_of": links.get("duplicate_of"),
    }


def key_dates(store: Store, story_id: str, dates: int, per_date: int = 1) -> dict | None:
    """A story's short timeline: its ``dates`` most corroborated days, ``per_date`` events each, every
    event stood for by one sentence that names the day (``rank.short_timeline``, what ``storyline eval
    t17`` scores). None when there is no such story."""
    story = store.story(story_id)
    if story is None:
        return None
    docs = {d.id: d for d in store.documents(story.documents)} if story.documents else {}
    texts = store.sentence_texts(story.documents) if story.documents else {}
    weights = TermWeights(t for sentences in texts.values() for t in sentences)
    days = []
    for day, chosen in short_timeline(story.events, dates, per_date, weights):
        days.append({"date": day.isoformat(), "events": [
            {"event": ke.event.id, "text": ke.mention.text, "document": ke.mention.document,
             "sentence_index": ke.mention.sentence, "outlet": docs[ke.mention.document].outlet
             if ke.mention.document in docs else None, "articles": ke.documents,
             "sources": sorted({docs[d].outlet or d for d in ke.document_ids if d in docs})}
            for ke in chosen]})
    return {"story": story.id, "title": story.title, "dates": days}


def speaker_names(quotes: Iterable[Quote]) -> dict[str, str]:
    """Across a story, one name per speaker ("Peskov" in one article, "Dmitry Peskov" in another)."""
    return merge_names(q.speaker for q in quotes if q.speaker)


def event_dict(ev: Event, outlets: dict[str, str | None]) -> dict:
    docs = ev.documents
    return {
        "id": ev.id,
        "date": ev.date.isoformat(),
        "end": ev.last.isoformat() if ev.last else None,
        "granularity": ev.granularity,
        "summary": ev.summary,
        "mentions": [{"document": m.document, "sentence": m.text, "sentence_index": m.sentence,
                      "time_text": m.time_text} for m in ev.mentions],
        "documents": docs,
        "sources": sorted({outlets.get(d) or d for d in docs}),
    }


def quote_dict(q: Quote, names: dict[str, str], sentences: dict[tuple[str, int], str]) -> dict:
    return {
        "speaker": names.get(q.speaker, q.speaker) if q.speaker else None,
        "text": q.text, "document": q.document,
        "sentence": sentences.get((q.document, q.sentence), ""),
        "kind": q.kind, "cue": q.cue, "speaker_text": q.speaker_text,
    }


def story_dict(store: Store, story: Story) -> dict:
    docs = store.documents(story.documents) if story.documents else []
    outlets = {d.id: d.outlet for d in docs}
    names = speaker_names(story.quotes)
    sentences = {}
    for doc_id in {q.document for q in story.quotes}:
        for s in store.sentences(doc_id):
            sentences[(doc_id, s.index)] = s.text
    dates = sorted(d.published for d in docs if d.published)
    return {
        "id": story.id,
        "title": story.title,
        "documents": story.documents,
        "duplicates": [d for d in store.story_documents(story.id, include_duplicates=True)
                       if d not in set(story.documents)],
        "outlets_count": len({d.outlet for d in docs if d.outlet}),
        "first": dates[0].isoformat() if dates else None,
        "last": dates[-1].isoformat() if dates else None,
        "timeline": [event_dict(e, outlets) for e in story.events],
        "quotes": [quote_dict(q, names, sentences) for q in story.quotes],
        **story_extras(store, story.id),  # outlets, claims, summary
    }


def build(store: Store, story_ids: Iterable[str] | None = None) -> dict:
    """The whole JSON contract for the database (or for the given stories)."""
    ids = list(story_ids) if story_ids is not None else [s["id"] for s in store.stories()]
    stories = [story_dict(store, s) for s in (store.story(i) for i in ids) if s is not None]
    wanted = {d for s in stories for d in s["documents"] + s["duplicates"]} if story_ids is not None else None
    documents = [document_dict(d, store.document_links(d.id)) for d in store.documents()
                 if wanted is None or d.id in wanted]
    return {"version": VERSION, "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "documents": documents, "stories": stories}


def write_json(data: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


GOLDEN_ANGLE = 137.508  # degrees: successive hues never bunch up, however many follow
_HUES: ContextVar[Mapping[str, int] | None] = ContextVar("outlet_hues", default=None)


def outlet_hues(order: Sequence[str], start: float = 210.0) -> dict[str, int]:
    """One hue per outlet, in golden-angle steps in the order outlets first appeared: the first outlets
    of a database are as far apart on the colour wheel as they can be (a hash put Report and Xinhua both
    in green), and an outlet keeps its hue when others are added after it."""
    return {name: round(start + i * GOLDEN_ANGLE) % 360 for i, name in enumerate(order)}


@contextmanager
def colours(hues: Mapping[str, int] | None) -> Iterator[None]:
    """Render with these outlet hues (``hue`` reads them; views built inside share one palette)."""
    token = _HUES.set(hues)
    try:
        yield
    finally:
        _HUES.reset(token)


def hue(name: str) -> int:
    """The outlet's hue in the palette being rendered with (see ``colours``); a stable hash of the name
    for anything not in it, so one name has one colour in every view."""
    hues = _HUES.get()
    if hues is not None and name in hues:
        return hues[name]
    return int(hashlib.md5(name.encode("utf-8")).hexdigest()[:4], 16) % 360


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


def timeline_svg(story: dict, width: int = 940, height: int = 90) -> str:
    """The timeline as a picture: events on a date axis, dot size = number of sources."""
    events = story["timeline"]
    if not events:
        return ""
    days = [date.fromisoformat(e["date"]).toordinal() for e in events]
    lo, hi = min(days), max(days)
    span = max(hi - lo, 1)
    pad = 30

    def x(day: int) -> float:
        return pad + (day - lo) / span * (width - 2 * pad)

    parts = [f'<svg class="axis" viewBox="0 0 {width} {height}" role="img" aria-label="timeline">',
             f'<line x1="{pad}" y1="45" x2="{width - pad}" y2="45" stroke="#8892a6"/>']
    for e, day in zip(events, days, strict=True):
        r = 4 + 3 * min(len(e["sources"]), 5)
        fill = "#1d2330" if e["granularity"] == "day" else "none"
        title = escape(f'{e["date"]}: {e["summary"]} ({", ".join(e["sources"])})')
        parts.append(f'<circle cx="{x(day):.1f}" cy="45" r="{r}" fill="{fill}" fill-opacity="0.6" '
                     f'stroke="#1d2330"><title>{title}</title></circle>')
    for day in sorted({lo, hi}):
        label = date.fromordinal(day).isoformat()
        anchor = "start" if day == lo else "end"
        parts.append(f'<text x="{x(day):.1f}" y="82" text-anchor="{anchor}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def by_speaker(quotes: list[dict]) -> list[tuple[str, list[dict]]]:
    """Quotes grouped by speaker, most quoted first; unattributed ones last."""
    groups: dict[str, list[dict]] = {}
    for q in quotes:
        groups.setdefault(q["speaker"] or "", []).append(q)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0]))
    return [(name or "(speaker unknown)", qs) for name, qs in ordered]


_env = Environment(loader=PackageLoader("storyline", "templates"), autoescape=select_autoescape(default=True))
_env.filters["hue"] = hue
_env.filters["when"] = when
_env.globals["axis"] = timeline_svg
_env.filters["by_speaker"] = by_speaker


def render_html(data: dict, hues: Mapping[str, int] | None = None) -> str:
    """The report; ``hues`` from ``outlet_hues(store.outlet_order())`` gives the web UI's colours."""
    docs = {d["id"]: d for d in data["documents"]}
    if hues is None:  # the outlets of this report, in the order its documents are listed
        hues = outlet_hues(list(dict.fromkeys(d["outlet"] for d in data["documents"] if d["outlet"])))
    with colours(hues):
        return _env.get_template("report.html").render(data=data, docs=docs)


def write_html(data: dict, path: str | Path, hues: Mapping[str, int] | None = None) -> None:
    Path(path).write_text(render_html(data, hues), encoding="utf-8")
