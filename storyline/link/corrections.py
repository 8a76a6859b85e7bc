"""Hand corrections that stick: a log in the database and one overlay that re-applies it after every link.

Clustering, event merging and speaker resolution are automatic and sometimes wrong. A journalist's fix is
stored as an entry of the ``corrections`` log, never as an edit of what the pipeline wrote, and
``apply`` lays the whole log over whatever linking produced, after every run. So a fix survives new
articles, re-runs and a different clustering algorithm, and undoing one is just leaving it out of the log.

Corrections name things by what outlives a re-run: articles (document ids), sentences (document,
sentence index) and names, never only by the ids linking made up. A story is the story that now holds
most of the articles it held when the correction was made; an event is the event now dated the same day
with a source sentence it had.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the overlay is handed the store; it never imports a later stage
    from ..store import Store

KINDS = {
    "merge-stories": "merge stories into one",
    "split-story": "split articles off into a story of their own",
    "move-article": "move an article to another story",
    "rename-speaker": "rename a speaker everywhere",
    "merge-speakers": "merge speakers under one name",
    "set-speaker": "set (or clear) the speaker of one quote",
    "hide-event": "hide a timeline event that is not an event",
    "pin-event": "pin a key event",
}


class CorrectionError(ValueError):
    """A correction that cannot be made; ``status`` is 404 for an unknown id, else 422."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def _original_link(store: Store, doc: str, verb: str) -> dict:
    """A document's links, refused when it is unknown or a near-duplicate (its original is what moves)."""
    link = store.document_links(doc)
    if not link:
        raise CorrectionError(f"no document with id {doc!r}", 404)
    if link.get("duplicate_of"):
        raise CorrectionError(
            f"document {doc!r} is a near-duplicate of {link['duplicate_of']!r}; "
            f"{verb} the original (its copies follow it)"
        )
    return link


def _story_ref(store: Store, story_id: str) -> dict:
    docs = store.story_documents(story_id)
    if store.story_title(story_id) is None or not docs:
        raise CorrectionError(f"no story with id {story_id!r}", 404)
    return {"id": story_id, "documents": docs}


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CorrectionError(f"{what}: a non-empty string is required")
    return value.strip()


def _names(value: object, what: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [_text(v, what) for v in values]


def prepare(store: Store, kind: str, args: dict) -> dict:
    """Validate a correction against the database and record what identifies its targets durably."""
    if kind not in KINDS:
        raise CorrectionError(f"unknown correction {kind!r}; one of: {', '.join(KINDS)}")
    if not isinstance(args, dict):
        raise CorrectionError("arguments must be a JSON object")
    if kind == "merge-stories":
        into = _text(args.get("into"), "into")
        sources = [s for s in _names(args.get("stories"), "stories") if s != into]
        if not sources:
            raise CorrectionError("stories: name at least one story other than the one merged into")
        return {"stories": [_story_ref(store, s) for s in sources], "into": _story_ref(store, into)}
    if kind == "split-story":
        docs = [store.resolve_document(d) or d for d in _names(args.get("documents"), "documents")]  # an alias
        links = {d: _original_link(store, d, "split") for d in docs}
        for d, link in links.items():
            if not link.get("story"):
                raise CorrectionError(f"document {d!r} is not linked to a story yet")
        title = args.get("title")
        first = store.document(docs[0])
        return {
            "documents": docs,
            "from": links[docs[0]]["story"],
            "title": _text(title, "title") if title else (first.title if first and first.title else docs[0]),
        }
    if kind == "move-article":
        doc = _text(args.get("document"), "document")
        doc = store.resolve_document(doc) or doc  # another copy's id names the copy stored
        link = _original_link(store, doc, "move")
        return {"document": doc, "from": link.get("story"), "to": _story_ref(store, _text(args.get("to"), "to"))}
    if kind == "rename-speaker":
        return {"from": _text(args.get("from"), "from"), "to": _text(args.get("to"), "to")}
    if kind == "merge-speakers":
        names = _names(args.get("names"), "names")
        into = _text(args.get("into"), "into")
        return {"names": [n for n in names if n != into], "into": into}
    if kind == "set-speaker":
        doc = _text(args.get("document"), "document")
        start = args.get("start")
        if not isinstance(start, int) or isinstance(start, bool):
            raise CorrectionError("start: the quote's character offset (an integer) is required")
        quote = store.quote_at(doc, start)
        if quote is None:
            raise CorrectionError(f"no quote at offset {start} of document {doc!r}", 404)
        speaker = args.get("speaker")
        return {
            "document": doc,
            "start": start,
            "speaker": _text(speaker, "speaker") if speaker else None,
            "was": quote["speaker"],
        }
    event = _text(args.get("event"), "event")  # hide-event, pin-event
    keys = store.event_keys([event]).get(event)
    if keys is None:
        raise CorrectionError(f"no event with id {event!r}", 404)
    return {"event": event, **keys}


def record(store: Store, kind: str, args: dict, note: str | None = None) -> int:
    """Validate and log a correction; the caller applies the log (``pipeline.apply_corrections``)."""
    return store.add_correction(kind, prepare(store, kind, args), note)


def undo(store: Store, correction_id: int) -> None:
    if not store.undo_correction(correction_id):
        raise CorrectionError(f"no active correction with id {correction_id}", 404)


def describe(c: dict) -> str:
    """One line a reader understands."""
    a = c["args"]
    match c["kind"]:
        case "merge-stories":
            return f"merged {', '.join(s['id'] for s in a['stories'])} into {a['into']['id']}"
        case "split-story":
            return f"split {len(a['documents'])} article(s) off {a['from']} as “{a['title']}”"
        case "move-article":
            return f"moved {a['document']} from {a['from']} to {a['to']['id']}"
        case "rename-speaker":
            return f"renamed speaker {a['from']} → {a['to']}"
        case "merge-speakers":
            return f"merged speakers {', '.join(a['names'])} into {a['into']}"
        case "set-speaker":
            return f"speaker of the quote at {a['document']}:{a['start']} → {a['speaker'] or 'unattributed'}"
        case "hide-event":
            return f"hid event {a['date']} “{a['summary'][:60]}”"
        case _:
            return f"pinned event {a['date']} “{a['summary'][:60]}”"


def split_story_id(correction_id: int) -> str:
    return f"x{correction_id}"


def _majority(stories: Iterable[str | None], fallback: str) -> str:
    """The story now holding most of these articles (ties to the recorded one, else the smallest id)."""
    counts = Counter(s for s in stories if s)
    if not counts:
        return fallback
    best = max(counts.values())
    tied = sorted(s for s, n in counts.items() if n == best)
    return fallback if fallback in tied else tied[0]


def apply(store: Store, rebuild: Callable[[Store, Iterable[str]], None], touched: Iterable[str] = ()) -> None:
    """Lay the corrections log over what linking produced; then rebuild the timelines that changed.

    ``auto`` is where clustering put each article: for an article the overlay moved, what it recorded
    then, unless clustering has since written another story over the one the overlay applied (then that
    is clustering's new answer). Corrections are replayed in order on a copy of ``auto``, so each sees
    the stories as the ones before it left them, every run, whatever the clustering.
    """
    links = store.story_assignments()
    auto = {d: s for d, (s, _) in links.items()}
    for d, (was, applied, _) in store.story_overlay().items():
        if d in links and links[d][0] == applied:
            auto[d] = was
    eff, by = dict(auto), {}
    # an article corrected while it was an original may be a near-duplicate now (an earlier copy came later):
    # the correction moves its group, through the group's original
    group = {d: original for d, (_, original) in links.items() if original}

    def article(d: str) -> str:  # an id since stored under another (``Store.resolve_document``) names that one
        if d not in links:
            d = store.resolve_document(d) or d
        return group.get(d, d)

    log = store.corrections()
    for c in log:
        a, cid = c["args"], c["id"]
        if c["kind"] == "merge-stories":
            into = _majority((eff.get(d) for d in a["into"]["documents"]), a["into"]["id"])
            for src in a["stories"]:
                sid = _majority((eff.get(d) for d in src["documents"]), src["id"])
                if sid == into:
                    continue
                for d, s in eff.items():
                    if s == sid:
                        eff[d], by[d] = into, cid
        elif c["kind"] == "split-story":
            for d in map(article, a["documents"]):
                if d in eff:
                    eff[d], by[d] = split_story_id(cid), cid
        elif c["kind"] == "move-article" and (d := article(a["document"])) in eff:
            eff[d] = _majority((eff.get(x) for x in a["to"]["documents"]), a["to"]["id"])
            by[d] = cid
    for d, (_, original) in links.items():  # near-duplicates follow the article they copy
        if original and original in eff:
            eff[d] = eff[original]
            if original in by:
                by[d] = by[original]
            else:
                by.pop(d, None)
    moves = {d: (auto[d], s, by[d]) for d, s in eff.items() if s != auto[d] and d in by}
    changes = {d: s for d, s in eff.items() if s != links[d][0]}
    new_stories = {
        split_story_id(c["id"]): c["args"]["title"]
        for c in log
        if c["kind"] == "split-story" and split_story_id(c["id"]) in set(eff.values())
    }
    changed = {links[d][0] for d in changes} | set(changes.values())
    store.save_overlay(moves, changes, new_stories, _speaker_fixes(store, log))
    rebuild(store, {s for s in set(touched) | changed if s})
    marks = []
    for c in log:
        if c["kind"] in ("hide-event", "pin-event"):
            a = c["args"]
            found = store.events_with_mentions(a["date"], a["mentions"]) or (
                list(store.event_keys([a["event"]])) if a["event"] else []
            )
            marks += [(e, c["kind"].removesuffix("-event"), c["id"]) for e in found]
    store.save_event_marks(marks)


def _speaker_fixes(store: Store, log: list[dict]) -> dict[str, tuple[str | None, int]]:
    """'name:<speaker as annotated>' or 'quote:<document>:<start>' → (speaker shown, correction).

    A rename covers every annotated form that reads as that name ("Peskov" where "Dmitry Peskov" is
    renamed), and renames chain (A → B, then B → C: A's quotes read C)."""
    fixes: dict[str, tuple[str | None, int]] = {}
    if not any(c["kind"] in ("rename-speaker", "merge-speakers") for c in log):
        forms: dict[str, str] = {}
    else:
        from ..annotate.entities import merge_names  # loads spaCy's word lists: only when names are renamed

        forms = merge_names(store.speaker_names())
    for c in log:
        a, cid = c["args"], c["id"]
        if c["kind"] == "set-speaker":
            fixes[f"quote:{a['document']}:{a['start']}"] = (a["speaker"], cid)
            continue
        if c["kind"] not in ("rename-speaker", "merge-speakers"):
            continue
        olds, new = ([a["from"]], a["to"]) if c["kind"] == "rename-speaker" else (a["names"], a["into"])
        for old in olds:
            for key, (shown, _) in list(fixes.items()):
                if shown == old:
                    fixes[key] = (new, cid)
            for raw, form in forms.items():
                if (raw == old or form == old) and f"name:{raw}" not in fixes:
                    fixes[f"name:{raw}"] = (new, cid)
    return fixes
