"""The read side shared by the API and the web pages: stored views of a story, an article with its
annotations, and pages of long lists. Every read is a lookup; nothing here parses text or clusters."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .. import contract
from ..model import Document
from ..run import views as views_module
from ..store import Store

if TYPE_CHECKING:
    from .app import Database

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # never in stored text (control characters), unlike '[' and ']'
MAX_OFFSET = 1_000_000_000  # of a page parameter: past SQLite's 64-bit integers it was a 500, past this a page is empty
MAX_TEXT = 500  # characters of a filter or query parameter



def views(db: Database, story_id: str, parts: tuple[str, ...]) -> dict[str, str] | None:
    """Stored views of a story as JSON texts; None when there is no such story. A story whose views are
    not stored yet (a database from an older version, or one being analysed) has them computed once, on
    the writer thread."""
    store = db.reader()
    found = store.views(story_id, parts)
    if len(found) < len(parts):
        if store.story_title(story_id) is None:
            return None
        db.submit(lambda w: views_module.refresh(w, [story_id])).result(timeout=600)
        found = store.views(story_id, parts)
    return found if len(found) == len(parts) else None


def story_data(db: Database, story_id: str) -> dict | None:
    """A story's record of the JSON contract, as stored."""
    found = views(db, story_id, ("story",))
    return json.loads(found["story"]) if found else None


def document_detail(store: Store, doc: Document) -> dict:
    """document_dict + the cleaned text and every annotation with offsets into it (for highlighting)."""
    links = store.document_links(doc.id)
    sentences = store.sentences(doc.id)
    by_index = {s.index: s for s in sentences}
    quotes = store.quotes([doc.id], include_duplicates=True)
    names = contract.speaker_names(quotes)
    sentence_text = {(doc.id, i): s.text for i, s in by_index.items()}
    events = store.mention_events(links["story"]) if links.get("story") else {}
    mentions = []
    for mid, m in store.mentions([doc.id]):
        s = by_index.get(m.sentence)
        start = end = None
        if s is not None and m.time_text:
            at = s.text.find(m.time_text)
            if at >= 0:
                start, end = s.start + at, s.start + at + len(m.time_text)
        mentions.append({
            "sentence_index": m.sentence, "start": start, "end": end, "time_text": m.time_text,
            "date": m.date.isoformat(), "date_end": m.last.isoformat() if m.last else None,
            "granularity": m.granularity, "event": events.get(mid), "story": links.get("story"),
        })
    return {
        **contract.document_dict(doc, links),
        "text": doc.text,
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "paragraph": s.paragraph,
                       "text": s.text} for s in sentences],
        "entities": [{"sentence_index": e.sentence, "start": e.start, "end": e.end, "text": e.text,
                      "label": e.label, "canonical": e.canonical} for e in store.entities([doc.id])],
        "quotes": [contract.quote_dict(q, names, sentence_text)
                   | {"sentence_index": q.sentence, "start": q.start, "end": q.end} for q in quotes],
        "mentions": mentions,
    }


def page(items: list, total: int, limit: int, offset: int) -> dict:
    return {"items": items, "total": total, "limit": limit, "offset": offset}
