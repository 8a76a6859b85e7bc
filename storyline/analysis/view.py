"""A story's read model: every view the CLI, API, web UI and export show, computed once when the story
changes (``run.views`` stores them), so that reading a story never parses text or clusters.

Parts (each stored as one JSON text, so the API can send ``story`` without decoding it):

- ``story``: the story record of the JSON contract (v1): articles, timeline, quotes, outlets, claims, summary;
- ``head``: that record without its long lists (timeline, quotes, outlets, claims), with their lengths;
- ``matrix``: the outlet comparison's events × outlets coverage (``compare.matrix``);
- ``per_outlet``: each outlet's own summary sentences;
- ``key_dates``: every day that has a displayable sentence, most corroborated first, with up to
  ``KEY_EVENTS_MAX`` events each; a short timeline of any size is a slice of it (``key_dates.ranked_days``);
- ``documents``: the contract's record of each article (and near-duplicate) of the story, by id;
- ``page``: what a story page shows beyond one page of each list: outlets with their article counts, the
  most widely reported events of the matrix, the top claims, each outlet's first findings and the totals.

Items (one JSON text per element, so a page of a long list is read without the rest): ``event`` (timeline
order), ``shown`` (the same events as a page lists them: the story's own section first), ``quote`` (story
order), ``claim`` (carried by most outlets first), ``speaker`` (quotes by speaker, most quoted first, each
distinct wording once with every outlet carrying it), ``source`` (the story's articles, then its
near-duplicates).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from .. import contract
from ..annotate.sentence_kind import without_stamp
from ..link.events import story_period
from ..model import Document, Event, Sentence, Story
from ..text import TermWeights
from .compare import claim_dicts, make_view, matrix, outlet_entries
from .key_dates import ranked_days
from .summary import summarize_view

KEY_EVENTS_MAX = 20  # events per day kept for short timelines (the API's per_date maximum)
PARTS = ("story", "head", "matrix", "per_outlet", "key_dates", "documents", "page")
ITEMS = ("event", "quote", "claim", "speaker", "source")
MATRIX_ROWS = 40  # events in a page's coverage matrix: the most widely reported
CLAIMS_SHOWN = 10  # claims on a page: carried by the most outlets
CARD_ITEMS = 20  # of each list on an outlet's card (adds, omits, framing): 8 shown, 12 more folded


def build_view(story: Story, docs: Sequence[Document], duplicates: Sequence[Document],
               sentences: dict[str, list[Sentence]], links: dict[str, dict],
               doc_parts: dict[str, dict] | None = None) -> tuple[dict[str, Any], dict[str, list], dict[str, dict]]:
    """Every part and list of items of a story's read model from the story as stored (``docs`` its articles,
    ``duplicates`` its near-duplicates, ``sentences`` of every article, ``links`` each document's story and
    original, ``doc_parts`` the articles' stored ``compare.document_parts``), and the articles' parts
    computed on the way (those ``doc_parts`` lacked)."""
    outlets = {d.id: d.outlet for d in docs}
    names = contract.speaker_names(story.quotes)
    texts = {(d, s.index): s.text for d, sents in sentences.items() for s in sents}
    dates = sorted(d.published for d in docs if d.published)
    published = {d.id: d.published.isoformat() if d.published else None for d in docs}
    order = {d: i for i, d in enumerate(story.documents)}
    period = story_period(story.events, {d.id: d.published for d in docs})
    compared = make_view(story, docs, sentences, doc_parts)
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
    coverage = matrix(compared)
    claims = ranked_claims(record["claims"])
    lists = ("timeline", "quotes", "outlets", "claims")
    head = {k: v for k, v in record.items() if k not in lists} | {f"{k}_total": len(record[k]) for k in lists}
    head["timeline_pinned"] = sum(1 for e in record["timeline"] if e.get("pinned"))
    parts = {
        "story": record,
        "head": head,
        "matrix": coverage,
        "per_outlet": summary["per_outlet"],
        "key_dates": key_dates(story, docs, sentences),
        "documents": records,
        "page": page(record, coverage, claims, records),
    }
    shown = [record["timeline"][i] | {"index": i} for i in contract.reading_order(record["timeline"])]
    items = {"event": record["timeline"], "shown": shown, "quote": record["quotes"], "claim": claims,
             "speaker": quote_groups(quotes, records), "source": list(records.values())}
    known = doc_parts or {}
    return parts, items, {d: p for d, p in compared.parts.items() if d not in known}


def ranked_claims(claims: list[dict]) -> list[dict]:
    """Claims carried by the most outlets, then the most articles, first (story order on ties)."""
    return sorted(claims, key=lambda c: (-len(c["outlets"]), -len(c["documents"])))


def page(record: dict, coverage: dict, claims: list[dict], docs: dict[str, dict]) -> dict:
    """What a story page shows besides one page of each long list (see the module docstring)."""
    outlets: dict[str, int] = defaultdict(int)
    for d in record["documents"]:
        outlets[docs[d]["outlet"] or d] += 1
    events = record["timeline"]
    rank = {i: n for n, i in enumerate(contract.reading_order(events))}  # the story's own events first
    widest = sorted(coverage["events"], key=lambda r: (-len(r["outlets"]) - len(r["undated"]), rank[r["event"]]))
    rows = [r | {"event_id": events[r["event"]]["id"], "section": events[r["event"]].get("section", "story"),
                 "position": rank[r["event"]]}  # where the page lists it: its link names that page
            for r in sorted(widest[:MATRIX_ROWS], key=lambda r: rank[r["event"]])]
    cards = [{**o, **{k: o[k][:CARD_ITEMS] for k in ("adds", "omits", "framing")},
              **{f"{k}_total": len(o[k]) for k in ("adds", "omits", "framing", "documents", "events")},
              "documents": [], "events": [], "undated_events": [], "speakers": o["speakers"][:6]}
             for o in record["outlets"]]
    return {"outlets": sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
            "corroborated": sum(1 for e in events if len(e["sources"]) > 1),
            "matrix": {"outlets": coverage["outlets"], "articles": coverage["articles"], "events": rows,
                       "events_total": len(coverage["events"])},
            "claims": claims[:CLAIMS_SHOWN], "claims_total": len(claims),
            "claims_shared": sum(1 for c in claims if not c["single_outlet"]), "cards": cards,
            "axis": contract.axis_events(events), "sections": section_starts(events)}


def section_starts(timeline: list[dict]) -> list[dict]:
    """Each section's name, size and the position where the page's list (story first) starts it: page one
    names the background and expected events and links to them, however many pages of story come first."""
    out, start = [], 0
    for name, evs in contract.sections(timeline):
        out.append({"name": name, "total": len(evs), "first": start})
        start += len(evs)
    return out


def key_dates(story: Story, docs: Sequence[Document], sentences: dict[str, list[Sentence]]) -> list[dict]:
    """The days of the story's own period (its "story" section) in the order a short timeline takes them
    (see ``contract.key_dates``)."""
    outlet = {d.id: d.outlet for d in docs}
    own = [e for e in story.events if e.section == "story"] or story.events  # the story's period, not its past
    weights = TermWeights(s.text for d in story.documents for s in sentences.get(d, []))
    days = [{"date": day.isoformat(), "events": [
        {"event": ke.event.id, "text": ke.text,
         "document": ke.mention.document,
         "sentence_index": ke.mention.sentence, "outlet": outlet.get(ke.mention.document),
         "articles": ke.documents, "sources": sorted({outlet[d] or d for d in ke.document_ids if d in outlet})}
        for ke in chosen]} for day, chosen in ranked_days(own, KEY_EVENTS_MAX, weights,
                                                           published={d.id: d.published for d in docs})]
    return pinned_first(days, [e for e in story.events if e.pinned is not None], outlet)


def pinned_first(days: list[dict], pinned: Sequence[Event], outlet: dict[str, str | None]) -> list[dict]:
    """An editor's pinned key events lead the short timeline: their days come first (in date order), each
    pinned event first on its day, whatever its corroboration; a pinned event the ranking left out (no
    sentence pinning its day, or past the day's cut) is added with its first mention."""
    if not pinned:
        return days
    by_date = {d["date"]: d for d in days}
    ids = {e.id for e in pinned}
    for ev in pinned:
        day = by_date.get(ev.date.isoformat())
        if day is None:
            day = by_date[ev.date.isoformat()] = {"date": ev.date.isoformat(), "events": []}
            days.append(day)
        if all(x["event"] != ev.id for x in day["events"]) and ev.mentions:
            m = ev.mentions[0]
            docs = ev.documents
            day["events"].append({"event": ev.id, "text": without_stamp(m.text, m.time_text), "document": m.document,
                                  "sentence_index": m.sentence, "outlet": outlet.get(m.document),
                                  "articles": len(docs),
                                  "sources": sorted({outlet[d] or d for d in docs if d in outlet})})
    for day in days:
        day["events"].sort(key=lambda x: x["event"] not in ids)  # stable: the ranking's order otherwise
    lead = sorted((d for d in days if any(x["event"] in ids for x in d["events"])), key=lambda d: d["date"])
    return lead + [d for d in days if all(x["event"] not in ids for x in d["events"])]


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
