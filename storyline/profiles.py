"""Entity profiles: a person, organisation or place across the whole corpus.

Annotation gives each mention a canonical name within its document; here the names are gathered across
documents ("Putin" in one article joins "Vladimir Putin" of the others, through ``merge_names``) under a
label a reader understands, with the stories they appear in, what they said and when, and the timeline
events whose source sentences name them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

from .annotate.entities import merge_names
from .store import Store

# Model labels (spaCy's OntoNotes set) → what a reader calls them.
LABELS = {
    "PERSON": "Person",
    "ORG": "Organisation",
    "GPE": "Place",
    "LOC": "Place",
    "FAC": "Place",
    "NORP": "Group",
    "EVENT": "Event",
}
MERGED = {"Person", "Organisation"}  # a shorter name joins the longer one ending with it only for these


def reader_label(label: str) -> str:
    return LABELS.get(label, label.title())


def slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-") or "x"


def entity_id(label: str, name: str) -> str:
    """Stable across runs and readable in a URL: ``person-vladimir-putin``."""
    return f"{slug(label)}-{slug(name)}"


def index(store: Store) -> dict[str, dict]:
    """Every entity: id → {id, name, label, names (canonical names folded in), mentions, documents}."""
    by_label: dict[str, Counter[str]] = defaultdict(Counter)
    docs: dict[tuple[str, str], int] = Counter()
    for r in store.entity_names():
        label = reader_label(r["label"])
        by_label[label][r["name"]] += r["mentions"]
        docs[(label, r["name"])] += r["documents"]
    out: dict[str, dict] = {}
    for label, counts in by_label.items():
        if label in MERGED:
            forms = merge_names(n for n, c in counts.items() for _ in range(min(c, 50)))
        else:
            forms = {n: n for n in counts}
        for name, c in counts.items():
            form = forms.get(name, name)
            eid = entity_id(label, form)
            e = out.setdefault(
                eid, {"id": eid, "name": form, "label": label, "names": [], "mentions": 0, "documents": 0}
            )
            e["names"].append(name)
            e["mentions"] += c
            e["documents"] += docs[(label, name)]  # an upper bound when two names share an article
    return out


def refresh_index(store: Store) -> None:
    """Store the entity index and its name links, computed once after each run that changed annotations or
    links, so that a page naming a few people looks them up instead of merging every name of the corpus."""
    if not store.entity_index_fresh():
        entries = index(store)
        store.save_entity_index(entries, entity_links(entries))


def stored_index(store: Store) -> dict[str, dict]:
    """The entity index: as stored when it is fresh, else computed."""
    return store.stored_entity_index() if store.entity_index_fresh() else index(store)


def links_of(store: Store, keys: list[tuple[str, str]],
             computed: Callable[[], dict[tuple[str, str], str]]) -> dict[tuple[str, str], str]:
    """The entity ids of these (model label, name) pairs: looked up when the stored index is fresh, else
    from ``computed()`` (the whole index's links, built while a run is still writing annotations)."""
    if store.entity_index_fresh():
        return store.entity_links_of(keys)
    links = computed()
    return {k: links[k] for k in keys if k in links}


def listing(store: Store, q: str | None = None, label: str | None = None) -> list[dict]:
    """Entities most mentioned first, filtered by name (contains ``q``) and reader label."""
    items = [
        e
        for e in index(store).values()
        if (not q or any(q.lower() in n.lower() for n in e["names"]))
        and (not label or e["label"].lower() == label.lower())
    ]
    return sorted(items, key=lambda e: (-e["mentions"], e["name"]))


def profile(store: Store, entity_id: str, entities: dict[str, dict] | None = None) -> dict | None:
    """One entity with aliases, stories, dated quotes and events over time; None when unknown."""
    entry = (entities if entities is not None else index(store)).get(entity_id)
    if entry is None:
        return None
    names = entry["names"]
    mentions = store.entity_mentions(names)
    aliases = Counter(m["text"] for m in mentions)
    stories: dict[str, dict] = {}
    for m in mentions:
        if m["story"]:
            s = stories.setdefault(m["story"], {"id": m["story"], "title": None, "mentions": 0, "documents": set()})
            s["mentions"] += 1
            s["documents"].add(m["document"])
    for s in stories.values():
        s["title"] = (store.story_title(s["id"]) or {}).get("title")
        s["documents"] = len(s["documents"])
    speakers = set(names) | {entry["name"]}
    if entry["label"] == "Person" or entry["label"] == "Organisation":
        forms = merge_names(store.speaker_names())
        speakers |= {raw for raw, form in forms.items() if form in speakers}
    quotes = store.quotes(speakers=sorted(speakers))
    docs = {d.id: d for d in store.documents(sorted({q.document for q in quotes}))} if quotes else {}
    sentences: dict[tuple[str, int], str] = {}
    for doc_id in docs:
        sentences.update({(doc_id, s.index): s.text for s in store.sentences(doc_id)})
    outlets = Counter(m["outlet"] for m in mentions if m["outlet"])
    dated = [m["published"] for m in mentions if m["published"]]
    return {
        **{k: entry[k] for k in ("id", "name", "label", "mentions")},
        "documents": len({m["document"] for m in mentions}),
        "first": min(dated) if dated else None,
        "last": max(dated) if dated else None,
        "aliases": [{"text": t, "mentions": n} for t, n in aliases.most_common()],
        "outlets": [{"outlet": o, "mentions": n} for o, n in outlets.most_common()],
        "stories": sorted(stories.values(), key=lambda s: (-s["mentions"], s["id"])),
        "quotes": [
            {
                "speaker": q.speaker,
                "text": q.text,
                "kind": q.kind,
                "cue": q.cue,
                "document": q.document,
                "sentence": sentences.get((q.document, q.sentence), ""),
                "start": q.start,
                "outlet": docs[q.document].outlet if q.document in docs else None,
                "published": docs[q.document].published.isoformat()
                if q.document in docs and docs[q.document].published
                else None,
                "story": store.story_of(q.document),
            }
            for q in quotes
        ],
        "events": [
            {
                "id": e["id"],
                "story": e["story"],
                "story_title": e["story_title"],
                "date": e["date"],
                "end": e["last"],
                "granularity": e["granularity"],
                "summary": e["summary"],
            }
            for e in store.entity_events(names)
        ],
    }


def entity_links(entities: dict[str, dict]) -> dict[tuple[str, str], str]:
    """(model label, canonical name) → entity id, to link a document's names to their pages."""
    out: dict[tuple[str, str], str] = {}
    for e in entities.values():
        for n in e["names"]:
            for model, label in LABELS.items():
                if label == e["label"]:
                    out[(model, n)] = e["id"]
    return out
