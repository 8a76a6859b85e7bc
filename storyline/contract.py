"""The public JSON contract (version 1): the shapes of documents, events, quotes and stories, and the
whole export read from the stored views.

The CLI's ``--json``, the REST API and the HTML report all go through these shapes (``analysis.view``
builds each story's record with them when the story changes), so they cannot drift apart. Version 1
only ever grows: new keys are added, existing keys keep their meaning.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .calendar import month_last
from .link.corrections import describe, split_story_id
from .model import SECTIONS, Document, Event, Quote
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
        "corrected": {"correction": links["moved_by"], "story_was": links.get("story_auto")}
        if links.get("moved_by") else None,
    }


def speaker_names(quotes: Iterable[Quote]) -> dict[str, str]:
    """Across a story, one name per speaker ("Peskov" in one article, "Dmitry Peskov" in another)."""
    from .annotate.entities import merge_names  # loads spaCy's word lists: only when quotes are shaped

    return merge_names(q.speaker for q in quotes if q.speaker)


def select_quotes(store: Store, story_id: str | None = None, speaker: str | None = None,
                  outlet: str | None = None) -> tuple[list[Quote], dict[str, str]]:
    """The quotes of a story (or of the whole database) and the speaker names shown for them, merged over
    that scope; ``speaker`` matches (case-insensitive, anywhere in it) the name *shown*, so that asking
    for "Barack Obama" finds the quotes stored under "Obama" or "Barak Obama" as well. The CLI's and the
    API's one way to list quotes."""
    doc_ids = store.story_documents(story_id) if story_id else None
    scope = store.quotes(doc_ids)
    names = speaker_names(scope)
    found = store.quotes(doc_ids, outlet=outlet) if outlet else scope
    if speaker:
        want = speaker.casefold().strip()
        found = [q for q in found if q.speaker and want in names.get(q.speaker, q.speaker).casefold()]
    return found, names


def event_dict(ev: Event, outlets: dict[str, str | None], published: dict[str, str | None] | None = None,
               order: dict[str, int] | None = None) -> dict:
    """An event of the contract. ``reports``: one entry per article in order of publication (undated
    ones last, then in ``order``, the story's article order), so ``first_reported`` is who had it first."""
    docs = ev.documents
    published = published or {}
    order = order or {}
    reports = sorted(({"outlet": outlets.get(d), "document": d, "published": published.get(d)} for d in docs),
                     key=lambda r: (r["published"] or "9999", order.get(r["document"], len(order)), r["document"]))
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
        "reports": reports,
        "first_reported": reports[0] if reports else None,
        "pinned": ev.pinned is not None,
        "corrected": {"correction": ev.pinned, "kind": "pin-event"} if ev.pinned is not None else None,
        "section": ev.section,
    }


def quote_dict(q: Quote, names: dict[str, str], sentences: dict[tuple[str, int], str]) -> dict:
    return {
        "speaker": names.get(q.speaker, q.speaker) if q.speaker else None,
        "text": q.text, "document": q.document,
        "sentence": sentences.get((q.document, q.sentence), ""),
        "kind": q.kind, "cue": q.cue, "speaker_text": q.speaker_text,
        "corrected": {"correction": q.corrected, "speaker_was": q.speaker_was} if q.corrected else None,
    }


def story(store: Store, story_id: str) -> dict | None:
    """A story's record of the contract, as stored when it last changed (None: no such story)."""
    text = store.view(story_id, "story")
    if text is None:
        return None
    record = json.loads(text)
    head = store.story_title(story_id)  # the topic is read live: regrouping topics leaves stories' views alone
    return {**record, "topic": head.get("topic") if head else None}


def view(store: Store, story_id: str, part: str) -> Any:
    """One stored view of a story, decoded (see ``analysis.view``); None when there is no such story."""
    text = store.view(story_id, part)
    return json.loads(text) if text is not None else None


def key_dates(store: Store, story_id: str, dates: int, per_date: int = 1) -> dict | None:
    """A story's short timeline: its ``dates`` most corroborated days, ``per_date`` events each, every
    event stood for by one sentence that names the day (``key_dates.short_timeline``, what ``storyline
    eval t17`` scores), sliced from the stored ranking. None when there is no such story."""
    head = store.story_title(story_id)
    ranked = view(store, story_id, "key_dates")
    if head is None or ranked is None:
        return None
    days = sorted(({"date": d["date"], "events": d["events"][:per_date]} for d in ranked[:dates]),
                  key=lambda d: d["date"])
    return {"story": head["id"], "title": head["title"], "dates": days}


def story_corrections(store: Store, record: dict) -> list[dict]:
    """The active corrections that shape a story (its contract ``record``): articles moved in or out,
    events hidden or pinned, speakers of its quotes changed."""
    sid = record["id"]
    ids = {e["corrected"]["correction"] for e in record.get("hidden_events", []) + record["timeline"]
           if e.get("corrected")} | {q["corrected"]["correction"] for q in record["quotes"] if q.get("corrected")}
    mine = set(record["documents"]) | set(record["duplicates"])
    out = []
    for c in store.corrections():
        a = c["args"]
        moved = c["kind"] in ("merge-stories", "split-story", "move-article") and (
            split_story_id(c["id"]) == sid or a.get("from") == sid
            or a.get("into", {}).get("id") == sid or a.get("to", {}).get("id") == sid
            or any(s["id"] == sid for s in a.get("stories", []))
            or bool(mine & set(a.get("documents", []) + [a.get("document")])))
        if moved or c["id"] in ids:
            out.append({"id": c["id"], "kind": c["kind"], "description": describe(c), "created": c["created"]})
    return out


def correction_dict(c: dict) -> dict:
    """A correction of the log as the API and ``storyline correct --json`` show it."""
    return {"id": c["id"], "kind": c["kind"], "args": c["args"], "note": c["note"], "created": c["created"],
            "undone": c["undone"], "description": describe(c)}


def topic_dict(row: dict) -> dict:
    """A topic in the contract: ``{id, title, stories (ids, biggest first), first, last}``."""
    return {"id": row["id"], "title": row["title"], "stories": row["stories"], "first": row["first"],
            "last": row["last"]}


def build(store: Store, story_ids: Iterable[str] | None = None) -> dict:
    """The whole JSON contract for the database (or for the given stories, and their topics)."""
    ids = list(story_ids) if story_ids is not None else [s["id"] for s in store.stories()]
    stories = [s for s in (story(store, i) for i in ids) if s is not None]
    wanted = {d for s in stories for d in s["documents"] + s["duplicates"]} if story_ids is not None else None
    documents = [document_dict(d, store.document_links(d.id)) for d in store.documents()
                 if wanted is None or d.id in wanted]
    topic_ids = {s["topic"] for s in stories}
    topics = [topic_dict(t) for t in store.topics() if story_ids is None or t["id"] in topic_ids]
    return {"version": VERSION, "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "documents": documents, "stories": stories, "topics": topics}


def write_json(data: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


SECTION_TITLES = {"story": "Timeline", "background": "Background: earlier events the articles recall",
                  "expected": "Expected: plans, deadlines and forecasts"}


def story_section(timeline: list[dict]) -> list[dict]:
    """The events of the story's own period (all events of a timeline written before sections existed)."""
    return [e for e in timeline if e.get("section", "story") == "story"] or timeline


def sections(timeline: list[dict]) -> list[tuple[str, list[dict]]]:
    """The timeline by section, the story's own first; empty sections left out. Within a section an event
    known only to the month or year comes after the days of its period ("April 2010" after 30 April):
    a reader wants the blowout of 20 April before whatever some article placed vaguely in April."""
    out = [(name, sorted((e for e in timeline if e.get("section", "story") == name), key=_reading_order))
           for name in SECTIONS]
    return [(name, evs) for name, evs in out if evs]


def reading_order(timeline: list[dict]) -> list[int]:
    """The timeline's indices in the order ``sections`` lists its events (the story's own first): where a
    page shows events by their index (the coverage matrix), 1958's trivia must not lead the story."""
    position = {id(e): i for i, e in enumerate(timeline)}
    return [position[id(e)] for _, evs in sections(timeline) for e in evs]


def event_span(event: dict) -> tuple[date, date]:
    """First and last day an event covers: a month event covers its whole month, a year event its year."""
    first = date.fromisoformat(event["date"])
    if event.get("end"):
        return first, date.fromisoformat(event["end"])
    if event.get("granularity") == "month":
        return first, month_last(first.year, first.month)
    if event.get("granularity") == "year":
        return first, date(first.year, 12, 31)
    return first, first


def _reading_order(event: dict) -> tuple[str, bool]:
    """The last day an event could have happened on (ISO), a month or year event after a day event that
    ends there too: vague events follow the days they cover, the last one included."""
    if not event.get("date"):
        return "", False
    return event_span(event)[1].isoformat(), event.get("granularity") in ("month", "year")


# Beyond this many events one marker per event no longer fits the timeline picture: markers pushed aside by
# their neighbours drift weeks away from their dates. A big story is drawn one marker per day instead, and
# one per week or month where even its days would not fit (the picture, and so the page, stays bounded).
MAX_AXIS_EVENTS = 40
MAX_AXIS_MARKS = 100
AXIS_SUMMARY = 140  # characters of a marker's tooltip summary


def axis_events(timeline: list[dict]) -> list[dict]:
    """What the timeline picture draws, in the event shape: the story section's events; in a big story one
    per day instead (per week or month when days are too many), its sources every outlet reporting anything
    then (most reporting first), linked to its best corroborated event, the month- and year-precision events
    left to the list. Stored with a story's page view, so the picture covers the whole story while the list
    comes a page at a time."""
    events = story_section(list(timeline))
    keep = ("id", "date", "granularity", "end", "summary", "sources")
    if len(events) <= MAX_AXIS_EVENTS:
        return [{k: e.get(k) for k in keep} for e in events]
    days = [e for e in events if e["granularity"] == "day" and not e.get("end")]
    for bucket in (_day, _week, _month):
        groups: dict[str, list[dict]] = {}
        for e in days:
            groups.setdefault(bucket(e["date"]), []).append(e)
        if len(groups) <= MAX_AXIS_MARKS:
            break
    out = []
    for start, evs in sorted(groups.items()):
        best = max(evs, key=lambda e: len(e["sources"]))  # the first of the best corroborated
        count = Counter(src for e in evs for src in e["sources"])
        text = best["summary"] if len(best["summary"]) <= AXIS_SUMMARY else best["summary"][:AXIS_SUMMARY] + "…"
        more = f" (and {len(evs) - 1} more)" if len(evs) > 1 else ""
        d = date.fromisoformat(start)
        label = {_day: None, _week: f"week of {d.day} {d:%B %Y}", _month: f"{d:%B %Y}"}[bucket]
        out.append({"id": best["id"], "date": start, "granularity": "day", "end": None, "label": label,
                    "summary": text + more, "sources": sorted(count, key=lambda s: (-count[s], s))})
    return out


def _day(day: str) -> str:
    return day


def _week(day: str) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def _month(day: str) -> str:
    return day[:7] + "-01"
