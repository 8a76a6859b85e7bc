"""Sourced extractive summaries: a story in a few sentences, each listing every document it comes from.

Method (multi-document, extractive, no training):

1. Candidates are the story's claim sentences (``compare.claim_units``: no quote-only sentences, no
   boilerplate, no fragments), already merged into claims across documents (``compare.build_claims``).
2. Centrality is continuous LexRank (Erkan & Radev 2004): the graph of TF-IDF cosines between
   sentences, edges under ``EDGE_MIN`` dropped, rows normalised, PageRank with damping ``DAMPING`` by
   power iteration. Computed on a sparse matrix, so long stories cost memory in edges, not n², and over
   at most ``CANDIDATES`` sentences: the most connected by their sum of cosines (``candidates``).
3. A sentence's score is its centrality times a lead prior ``1 + LEAD_WEIGHT / (1 + sentence index)``
   (news puts what matters first), times ``DANGLING_PENALTY`` when it opens with a pronoun or connective
   that needs the sentence before ("It was...", "But he..."), and, for the story summary,
   ``1 + OUTLET_BONUS × (outlets − 1)`` for the claim it belongs to: what several outlets report is
   preferred over what one does.
4. Greedy selection, best first, skipping a sentence whose cosine with one already chosen exceeds
   ``REDUNDANCY`` (redundancy removal as in MMR, Carbonell & Goldstein 1998), one sentence per claim.
5. The chosen sentences are given in story order (when each claim was first reported: publication
   date, then position); each lists the
   documents of its claim: every document whose sentence was merged with it, near-identical ones included.

Per outlet: the same on that outlet's sentences alone (no outlet bonus); documents limited to that outlet.
Measured against T17 gold timelines by ``bench/summary_rouge.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix, diags, vstack

from .compare import SIM_BLOCK, Claim, StoryView, Unit, build_claims, vectorize

SUMMARY_SENTENCES = 5
OUTLET_SENTENCES = 3
EDGE_MIN = 0.1
DAMPING = 0.15
LEAD_WEIGHT = 1.0
OUTLET_BONUS = 0.5
REDUNDANCY = 0.5
DANGLING_PENALTY = 0.5
# Openers that lean on the sentence before ("It was...", "But he..."): out of context they dangle.
DANGLING = frozenset("it its this that these those he she him her his they them their but and also however "
                     "meanwhile yet so then still instead moreover".split())
_ITERATIONS = 100
CANDIDATES = 2000  # sentences LexRank ranks at most (see ``candidates``)


def edges(x: csr_matrix, edge_min: float = EDGE_MIN, block: int = SIM_BLOCK) -> csr_matrix:
    """The cosines of the rows of ``x`` with each other, those under ``edge_min`` and the diagonal dropped,
    computed a block of rows at a time: the whole product of a 1,000-article story's 30,000 sentences holds
    most pairs and took gigabytes. (Each row comes out as from the whole product, in the same order.)"""
    xt = x.T.tocsr()
    blocks = []
    for lo in range(0, x.shape[0], block):
        b = (x[lo:lo + block] @ xt).tocsr()
        rows = np.repeat(np.arange(b.shape[0]), np.diff(b.indptr))
        b.data[(b.data < edge_min) | (b.indices == rows + lo)] = 0.0
        b.eliminate_zeros()
        blocks.append(b)
    return vstack(blocks, format="csr") if blocks else csr_matrix(x.shape[0:1] * 2)


def lexrank(x: csr_matrix, edge_min: float = EDGE_MIN, damping: float = DAMPING) -> np.ndarray:
    """Continuous LexRank centrality of the rows of an L2-normalised TF-IDF matrix (sums to 1)."""
    n = x.shape[0]
    if n == 0:
        return np.zeros(0)
    sims = edges(x, edge_min)
    deg = np.asarray(sims.sum(axis=1)).ravel()
    dangling = deg == 0
    walk = diags(np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, deg))) @ sims  # row-stochastic
    p = np.full(n, 1.0 / n)
    for _ in range(_ITERATIONS):
        spread = walk.T @ p + p[dangling].sum() / n  # a sentence linked to nothing jumps anywhere
        nxt = damping / n + (1 - damping) * spread
        if np.abs(nxt - p).sum() < 1e-9:
            p = nxt
            break
        p = nxt
    return p / p.sum()


def candidates(x: csr_matrix, limit: int | None = None) -> np.ndarray:
    """The rows LexRank ranks: all of them up to ``limit``; beyond, the ``limit`` rows with the largest sum of
    cosines with every row (the weighted degree that LexRank's centrality follows, from one product with the
    column sums instead of the n² graph), ties by row, in row order. A story of 1,000 articles has ~30,000
    sentences and its graph most of the n² pairs: ranking them all cost more than the rest of its views,
    while a summary takes 5 and each outlet's 3 (BENCHMARKS.md: the chosen sentences, bounded and not)."""
    n, limit = x.shape[0], CANDIDATES if limit is None else limit
    if n <= limit:
        return np.arange(n)
    degree = np.asarray(x @ np.asarray(x.sum(axis=0)).ravel()).ravel()
    return np.sort(np.lexsort((np.arange(n), -degree))[:limit])


def dangling(text: str) -> bool:
    """Does the sentence open with a pronoun or connective that needs the sentence before it?"""
    first = re.match(r"\W*([A-Za-z]+)", text)
    return bool(first) and first.group(1).lower() in DANGLING


def select(units: Sequence[Unit], claims: Sequence[Claim], x: csr_matrix, k: int,
           outlet_bonus: float = OUTLET_BONUS, lead_weight: float = LEAD_WEIGHT,
           redundancy: float = REDUNDANCY) -> list[tuple[Claim, Unit]]:
    """The k best (claim, sentence) pairs, in story order. ``units`` index the rows of ``x``."""
    if not units or k <= 0:
        return []
    row = {id(u): i for i, u in enumerate(units)}
    ranked = candidates(x)
    if len(ranked) == x.shape[0]:
        centrality = lexrank(x)
    else:  # the others rank last (chosen only once every ranked one is taken or redundant)
        centrality = np.zeros(x.shape[0])
        centrality[ranked] = lexrank(x[ranked])
    scored = []
    for claim in claims:
        members = [u for u in claim.units if id(u) in row]
        if not members:
            continue
        def own(u: Unit) -> float:
            return centrality[row[id(u)]] * (1 + lead_weight / (1 + u.index)) * (
                DANGLING_PENALTY if dangling(u.text) else 1.0)

        best = max(members, key=lambda u: (own(u), -u.order))
        score = own(best) * (1 + outlet_bonus * (len(claim.outlets) - 1))
        scored.append((score, best.order, claim, best))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[tuple[Claim, Unit]] = []
    picked_rows: list[int] = []
    for _, _, claim, unit in scored:
        r = row[id(unit)]
        if picked_rows and (x[picked_rows] @ x[r].T).max() > redundancy:
            continue
        chosen.append((claim, unit))
        picked_rows.append(r)
        if len(chosen) == k:
            break
    chosen.sort(key=lambda cu: min(u.order for u in cu[0].units if id(u) in row))  # when first reported
    return chosen


def summarize_units(units: Sequence[Unit], k: int = SUMMARY_SENTENCES, claims: Sequence[Claim] | None = None,
                    x: csr_matrix | None = None, **options: float) -> list[dict]:
    """A sourced summary of any sentences (the story's, one outlet's, or one day's for the benchmark)."""
    x = vectorize([u.text for u in units]) if x is None else x
    claims = build_claims(units, x) if claims is None else claims
    keep = {id(u) for u in units}
    out = []
    for claim, unit in select(units, claims, x, k, **options):
        docs = [d for d in claim.documents if any(u.document == d and id(u) in keep for u in claim.units)]
        out.append({"sentence": unit.text, "documents": docs,
                    "outlets": sorted({u.outlet for u in claim.units if u.document in docs}),
                    "document": unit.document, "sentence_index": unit.index})
    return out


def summarize_view(view: StoryView, k: int = SUMMARY_SENTENCES, k_outlet: int = OUTLET_SENTENCES) -> dict:
    per_outlet = {}
    for outlet in view.outlets:
        idx = [i for i, u in enumerate(view.units) if u.outlet == outlet]
        units = [view.units[i] for i in idx]
        per_outlet[outlet] = summarize_units(units, k_outlet, view.claims, view.vectors[idx] if idx else None,
                                             outlet_bonus=0.0) if units else []
    summary = summarize_units(view.units, k, view.claims, view.vectors) if view.units else []
    return {"story": view.story.id, "title": view.story.title, "summary": summary, "per_outlet": per_outlet}
