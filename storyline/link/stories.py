"""Incremental story clustering: each new article joins the most similar existing story or starts one.

Single-pass clustering against story centroids (as in Miranda et al. 2018's news-stream clustering) is
what lets a grown corpus be processed without recomputing old stories. Articles are represented by
TF-IDF over their headline, lead and named entities; document frequencies are kept in the database so
IDF keeps improving as the corpus grows. Articles are assigned in ingestion order, so the result is
deterministic and identical whichever engine annotated them.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..model import Document, Entity
from ..text import content_terms

THRESHOLD = 0.1  # cosine(article, story centroid) to join a story; chosen on MEANTIME (dev), checked on T17
LEAD_WORDS = 250
CENTROID_TERMS = 300
CANDIDATE_TERMS = 40


def features(doc: Document, entities: Iterable[Entity]) -> Counter[str]:
    """Raw term counts: headline words count double, entity names triple (they name the story)."""
    counts: Counter[str] = Counter()
    if doc.title:
        for t in content_terms(doc.title):
            counts[t] += 2
    lead = " ".join(doc.text.split()[:LEAD_WORDS])
    counts.update(content_terms(lead))
    for e in entities:
        if e.label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT"):
            counts["e:" + (e.canonical or e.text).lower()] += 3
    return counts


def tfidf(counts: Mapping[str, int], df: Mapping[str, int], n_docs: int) -> dict[str, float]:
    vec = {t: (1 + math.log(c)) * (math.log((n_docs + 1) / (df.get(t, 0) + 1)) + 1) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


@dataclass(slots=True)
class StoryState:
    id: str
    title: str
    centroid: dict[str, float]  # sum of member vectors, pruned to the strongest terms
    size: int
    title_score: float = 0.0
    first: str | None = None
    last: str | None = None
    norm: float = field(default=0.0)

    def refresh(self) -> None:
        if len(self.centroid) > CENTROID_TERMS:
            top = sorted(self.centroid.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS]
            self.centroid = dict(top)
        self.norm = math.sqrt(sum(v * v for v in self.centroid.values())) or 1.0

    def similarity(self, vec: Mapping[str, float]) -> float:
        return sum(w * self.centroid.get(t, 0.0) for t, w in vec.items()) / self.norm


class StoryIndex:
    """Story centroids with an inverted index over their top terms, to find candidates quickly."""

    def __init__(self, stories: Iterable[StoryState], threshold: float = THRESHOLD) -> None:
        self.stories: dict[str, StoryState] = {}
        self.postings: dict[str, set[str]] = defaultdict(set)
        self.threshold = threshold
        for s in stories:
            s.refresh()
            self._index(s)

    def _index(self, s: StoryState) -> None:
        self.stories[s.id] = s
        for t, _ in sorted(s.centroid.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS // 3]:
            self.postings[t].add(s.id)

    def assign(self, doc: Document, vec: dict[str, float]) -> tuple[str, bool]:
        """Story id for this article (joining or creating), and whether the story is new."""
        top = sorted(vec.items(), key=lambda kv: -kv[1])[:CANDIDATE_TERMS]
        candidates = set().union(*(self.postings.get(t, set()) for t, _ in top)) if top else set()
        best, best_sim = None, 0.0
        for sid in sorted(candidates):
            sim = self.stories[sid].similarity(vec)
            if sim > best_sim:
                best, best_sim = self.stories[sid], sim
        published = doc.published.isoformat() if doc.published else None
        if best is not None and best_sim >= self.threshold:
            for t, w in vec.items():
                best.centroid[t] = best.centroid.get(t, 0.0) + w
            best.size += 1
            # The member closest to the story's centre names it.
            if doc.title and best_sim > best.title_score:
                best.title, best.title_score = doc.title, best_sim
            if published:
                best.first = min(filter(None, [best.first, published]))
                best.last = max(filter(None, [best.last, published]))
            best.refresh()
            self._index(best)
            return best.id, False
        sid = "s" + hashlib.sha1(doc.id.encode("utf-8")).hexdigest()[:10]
        title = doc.title or " ".join(doc.text.split()[:12])
        state = StoryState(sid, title, dict(vec), 1, 0.5 if doc.title else 0.0, published, published)
        state.refresh()
        self._index(state)
        return sid, True
