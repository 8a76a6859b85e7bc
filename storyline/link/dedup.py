"""Near-duplicate folding with MinHash LSH (datasketch signatures, bands stored in the database).

Syndicated copies of one wire story must count once. Two articles are near-duplicates when they share an
LSH band and their estimated Jaccard similarity (word 5-shingles) is at least THRESHOLD; a *group* is a
connected component of that relation, and its original is its earliest member by (published, id), the
others being folded into it (a *retiring* article, whose text the store now keeps under another id, is
never the original: ``Store._retire``). Both are functions of the set of articles, not of their arrival
order, so an earlier copy that arrives later takes over as the original (:func:`fold`), and the corpus links as one
batch run would. The LSH bands of every article live in SQL, so the index grows on disk, not in memory,
and new articles are checked against everything stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from datasketch import MinHash

from ..model import Document, order_key
from ..text import words

NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: candidate pairs from Jaccard ~0.5 up, verified against THRESHOLD
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.8
SHINGLE = 5


def signature(text: str) -> MinHash:
    tokens = [w.lower() for w in words(text)]
    mh = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))}
    mh.update_batch([s.encode("utf-8") for s in shingles if s])
    return mh


def bands(mh: MinHash) -> list[bytes]:
    hv = mh.hashvalues.astype(np.uint64)
    return [hashlib.blake2b(hv[i * ROWS : (i + 1) * ROWS].tobytes(), digest_size=8).digest()
            for i in range(BANDS)]


def to_bytes(mh: MinHash) -> bytes:
    return mh.hashvalues.astype(np.uint64).tobytes()


def from_bytes(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashvalues=np.frombuffer(blob, dtype=np.uint64))


def similarity(a: MinHash, b: MinHash) -> float:
    return float(a.jaccard(b))


def matches(mh: MinHash, candidates: Sequence[tuple[str, MinHash]]) -> list[str]:
    """The candidates at or above THRESHOLD."""
    return [doc_id for doc_id, other in candidates if similarity(mh, other) >= THRESHOLD]


def key(doc: Document) -> tuple[str, str]:
    """The canonical order of articles, (published, id), undated last: the original is the first."""
    return order_key(doc.published, doc.id)


@dataclass
class Folding:
    """What one batch does to the near-duplicate groups."""

    rows: list[dict]  # the batch: {id, duplicate_of, minhash, bands}
    originals: list[Document]  # the batch's articles that are their group's original
    repointed: list[dict] = field(default_factory=list)  # stored articles whose original changed: {id, duplicate_of}
    demoted: dict[str, str] = field(default_factory=dict)  # stored originals folded now: id → the new original


def fold(store: Any, docs: Sequence[Document]) -> Folding:
    """Fold a batch of new articles into the stored near-duplicate groups. A new article joins every group
    it matches (merging them); each group touched takes its earliest member as original, so a stored
    original may be *demoted* (a copy published earlier, or with a smaller id the same day, arrived later)
    and its group's stored members re-pointed to the new original."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    batch = {d.id: d for d in docs}
    signatures = {d.id: signature(d.text) for d in docs}
    band_sets = {i: bands(mh) for i, mh in signatures.items()}
    stored_hits: set[str] = set()
    seen: dict[tuple[int, bytes], list[str]] = {}  # the batch's own LSH index: (band, key) → articles
    for d in docs:
        find(d.id)
        stored = sorted(store.lsh_candidates(band_sets[d.id]) - batch.keys())
        pool = [(c, from_bytes(store.minhash(c))) for c in stored]  # type: ignore[arg-type]
        earlier = sorted({j for band in enumerate(band_sets[d.id]) for j in seen.get(band, ())})
        pool += [(j, signatures[j]) for j in earlier]
        for other in matches(signatures[d.id], pool):
            union(d.id, other)
            if other not in batch:
                stored_hits.add(other)
        for band in enumerate(band_sets[d.id]):
            seen.setdefault(band, []).append(d.id)
    for old, new in store.replacing(sorted(batch)).items():  # (its stored text may have lost outlet lines)
        union(new, old)
        stored_hits.add(old)
    # the stored groups the batch touches, whole: every member is a candidate original
    group = store.near_duplicate_groups(sorted(stored_hits)) if stored_hits else {}
    for doc_id, original in group.items():
        union(doc_id, original or doc_id)
    members: dict[str, list[str]] = {}
    for doc_id in [*batch, *group]:
        members.setdefault(find(doc_id), []).append(doc_id)
    stored_docs = {d.id: d for d in store.documents(sorted(group))} if group else {}
    every = {**stored_docs, **batch}
    retiring = store.retiring(sorted(every))  # replaced by a copy under another id: never the original
    original_of: dict[str, str] = {}
    for ids in members.values():
        first = min(ids, key=lambda i: (i in retiring, key(every[i])))
        original_of.update({i: first for i in ids})
    out = Folding([], [])
    for d in docs:
        original = original_of[d.id]
        out.rows.append({"id": d.id, "duplicate_of": None if original == d.id else original,
                         "minhash": to_bytes(signatures[d.id]), "bands": band_sets[d.id]})
        if original == d.id:
            out.originals.append(d)
    for doc_id in sorted(group):
        now = None if original_of[doc_id] == doc_id else original_of[doc_id]
        if now != group[doc_id]:
            out.repointed.append({"id": doc_id, "duplicate_of": now})
            if group[doc_id] is None:
                out.demoted[doc_id] = original_of[doc_id]
    return out
