"""Keeps the read model current: recomputes and stores the views of the stories whose timeline changed.

``link_pending`` calls ``refresh`` after rebuilding timelines; a database written before views existed,
or a run killed between a timeline and its views, has stories listed as stale, and the next run (or the
first read through ``ensure``) computes them. Only stale stories are recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .. import contract
from ..analysis.compare import DOCUMENT_PART, StoryView, make_view
from ..analysis.view import build_view
from ..store import Store
from .work import Progress, as_json


def load_view(store: Store, story_id: str) -> StoryView:
    """The comparison's input for one story, read from the store (for analyses run outside ``refresh``)."""
    story = store.story(story_id)
    if story is None:
        raise KeyError(f"no story {story_id!r}")
    docs = store.documents(story.documents) if story.documents else []
    return make_view(story, docs, {d.id: store.sentences(d.id) for d in docs})


Computed = tuple[dict[str, str], dict[str, list[str]], dict[str, str]]


def compute(store: Store, story_id: str) -> Computed | None:
    """A story's views and lists as the JSON texts to store, and the per-article parts it had to compute
    (``compare.document_parts``: stored, they spare the next recompute of the story all but its new
    articles' parsing); None: the story is gone or has no articles."""
    with store.snapshot():  # the story, its articles and their sentences from one state of the database
        story = store.story(story_id)
        if story is None or not story.documents:
            return None
        docs = store.documents(story.documents)
        all_ids = store.story_documents(story_id, include_duplicates=True)
        own = set(story.documents)
        duplicates = store.documents([d for d in all_ids if d not in own]) if len(all_ids) > len(own) else []
        order = {d: i for i, d in enumerate(all_ids)}
        duplicates.sort(key=lambda d: order[d.id])
        sentences = {d.id: store.sentences(d.id) for d in docs}
        links = {d.id: store.document_links(d.id) for d in [*docs, *duplicates]}
        known = {d: json.loads(t) for d, t in store.document_parts(DOCUMENT_PART, list(story.documents)).items()}
        parts, items, new = build_view(story, docs, duplicates, sentences, links, known)
        parts["story"]["corrections"] = parts["head"]["corrections"] = contract.story_corrections(store, parts["story"])
    return ({name: as_json(value) for name, value in parts.items()},
            {kind: [as_json(v) for v in values] for kind, values in items.items()},
            {d: as_json(p) for d, p in new.items()})


def refresh(store: Store, story_ids: Iterable[str] | None = None, progress: Progress | None = None) -> int:
    """Recompute the views of ``story_ids`` and of every stale story; returns how many were computed."""
    todo = sorted(set(story_ids or ()) | store.stale_views())
    if progress and todo:
        progress("views", 0, len(todo))  # the bar from the first story, not after it
    for n, sid in enumerate(todo, start=1):
        parts, items, doc_parts = compute(store, sid) or ({}, {}, {})
        store.save_views(sid, parts, items, (DOCUMENT_PART, doc_parts))
        if progress:
            progress("views", n, len(todo))
    return len(todo)


def ensure(store: Store) -> None:
    """Before reading: compute the views a database lacks (written by an older version, or mid-run)."""
    if store.stale_views():
        with store.processing():
            refresh(store)
