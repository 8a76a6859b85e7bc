"""A story's read model: every view the CLI, API, web UI and export show, computed once when the story
changes (``run.views`` stores them), so that reading a story never parses text or clusters.

Parts (each stored as one JSON text, so the API can send ``story`` without decoding it):

- ``story``: the story record of the JSON contract (v1): articles, timeline, quotes, outlets, claims, summary;
- ``matrix``: the outlet comparison's events × outlets coverage (``compare.matrix``);
- ``per_outlet``: each outlet's own summary sentences;
- ``key_dates``: every day that has a displayable sentence, most corroborated first, with up to
  ``KEY_EVENTS_MAX`` events each; a short timeline of any size is a slice of it (``key_dates.ranked_days``);
- ``speakers``: quotes by speaker, most quoted first, each distinct wording once with every outlet that
  carried it (the story page's quotes);
- ``documents``: the contract's record of each article (and near-duplicate) of the story, by id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from .. import contract
from ..link.events import story_period
from ..model import Document, Sentence, Story
from .compare import claim_dicts, make_view, matrix, outlet_entries
from .key_dates import TermWeights, ranked_days
from .summary import summarize_view

KEY_EVENTS_MAX = 20  # events per day kept for short timelines (the API's per_date maximum)
PARTS = ("story", "matrix", "per_outlet", "key_dates", "speakers", "documents")


def build_view(story: Story, docs: Sequence[Document], duplicates: Sequence[Document],
               sentences: dict[str, list[Sentence]], links: dict[str, dict]) -> dict[str, Any]:
    """Every part of a story's read model from the story as stored (``docs`` its articles, ``duplicates``
    its near-duplicates, ``sentences`` of every article, ``links`` each document's story and original)."""
    outlets = {d.id: d.outlet for d in docs}
    names = contract.speaker_names(story.quotes)
    texts = {(d, s.index): s.text for d, sents in sentences.items() for s in sents}
    dates = sorted(d.published for d in docs if d.published)
    published = {d.id: d.published.isoformat() if d.published else None for d in docs}
    order = {d: i for i, d in enumerate(story.documents)}
    period = story_period(story.events, {d.id: d.published for d in docs})
    compared = make_view(story, docs, sentences)
    summary = summarize_view(compared)
    record = {
        "id": story.id,
        "title": story.title,
        "documents": story.documents,
        "duplicates": [d.id for d in duplicates],
        "outlets_count": len({d.outlet for d in docs if d.outlet}),
        "first": dates[0].isoformat() if dates else None,
        "last": dates[-1].isoformat() if dates else None,
        "timeline": [contract.event_dict(e, outlets, published, order) for e in story.events],
        "period": {"start": period[0].isoformat(), "end": period[1].isoformat()} if period else None,
        "quotes": [contract.quote_dict(q, names, texts) for q in story.quotes],
        "outlets": outlet_entries(compared),
        "claims": claim_dicts(compared),
        "summary": summary["summary"],
        "hidden_events": [contract.event_dict(e, outlets, published, order)
                          | {"corrected": {"correction": cid, "kind": "hide-event"}} for e, cid in story.hidden],
    }
    records = {d.id: contract.document_dict(d, links.get(d.id)) for d in [*docs, *duplicates]}
    quotes = [qd | {"anchor": f"q-{q.start}"} for q, qd in zip(story.quotes, record["quotes"], strict=True)]
    return {
        "story": record,
        "matrix": matrix(compared),
        "per_outlet": summary["per_outlet"],
        "key_dates": key_dates(story, docs, sentences),
        "speakers": quote_groups(quotes, records),
        "documents": records,
    }


def key_dates(story: Story, docs: Sequence[Document], sentences: dict[str, list[Sentence]]) -> list[dict]:
    """The days of the story's own period (its "story" section) in the order a short timeline takes them
    (see ``contract.key_dates``)."""
    outlet = {d.id: d.outlet for d in docs}
    own = [e for e in story.events if e.section == "story"] or story.events  # the story's period, not its past
    weights = TermWeights(s.text for d in story.documents for s in sentences.get(d, []))
    return [{"date": day.isoformat(), "events": [
        {"event": ke.event.id, "text": ke.mention.text, "document": ke.mention.document,
         "sentence_index": ke.mention.sentence, "outlet": outlet.get(ke.mention.document),
         "articles": ke.documents, "sources": sorted({outlet[d] or d for d in ke.document_ids if d in outlet})}
        for ke in chosen]} for day, chosen in ranked_days(own, KEY_EVENTS_MAX, weights)]


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def quote_groups(quotes: list[dict], docs: dict[str, dict]) -> list[dict]:
    """Quotes by speaker (most quoted first); the same words carried by several outlets appear once,
    with every outlet that carried them."""
    speakers: dict[str, dict[str, dict]] = defaultdict(dict)
    for q in quotes:
        who = q["speaker"] or ""
        entry = speakers[who].setdefault(_norm(q["text"]),
                                         {"text": q["text"], "kind": q["kind"], "sources": [],
                                          "corrected": q.get("corrected")})
        doc = docs.get(q["document"], {})
        src = {"outlet": doc.get("outlet"), "document": q["document"], "anchor": q.get("anchor", ""),
               "published": doc.get("published")}
        if all(s["document"] != q["document"] for s in entry["sources"]):
            entry["sources"].append(src)
    groups = [{"speaker": who or None, "quotes": list(qs.values())} for who, qs in speakers.items()]
    groups.sort(key=lambda g: (g["speaker"] is None, -sum(len(q["sources"]) for q in g["quotes"]),
                               g["speaker"] or ""))
    return groups
