"""Near-duplicate folding with MinHash LSH (datasketch signatures, bands stored in the database).

Syndicated copies of one wire story must count once: a document whose estimated Jaccard similarity
(word 5-shingles) to an earlier one is at least THRESHOLD is folded into it. The LSH bands live in SQL,
so the index grows on disk, not in memory, and new articles are checked against everything stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash

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


def best_match(mh: MinHash, candidates: Sequence[tuple[str, MinHash]]) -> str | None:
    """The earliest candidate at or above THRESHOLD (candidates come in ingestion order)."""
    for doc_id, other in candidates:
        if similarity(mh, other) >= THRESHOLD:
            return doc_id
    return None
