"""Event mentions → merged timeline events, each listing every source that reports it.

Two mentions are the same happening when their dates agree (overlapping day ranges, or the same month
or year at that granularity) and their clauses share enough content words. We compare the *clause* that
holds the date, not the whole sentence, because news sentences often list several dated happenings
("talks in Geneva on January 10, followed by a meeting in Brussels on January 12").
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ..model import Event, Mention
from ..text import content_terms

MERGE_THRESHOLD = 0.2  # overlap coefficient of clause content words, the date itself left out
MAX_RANGE_DAYS = 7  # a range up to a week ("January 9-10") holds the single days inside it
_GRAN_ORDER = {"year": 0, "month": 1, "day": 2}
_LEAD_JUNK = re.compile(r"^[\s,;:–—-]*(?:and|but|while|followed by|then)?[\s,;:–—-]*", re.I)
# Leftovers that make a clause a poor headline: list bullets, "Details:"-style labels, "/TASS/." credits.
_SUMMARY_JUNK = re.compile(r"^(?:[-–—•*]\s+|[A-Z][a-z]+(?: [a-z]+)?:\s+|/[A-Za-z]+/\.?\s+|\([A-Za-z]+\)\s*[-–—]\s*)+")


@dataclass(slots=True)
class _Cluster:
    """Mentions of one happening. Its span and words stay those of the mention that founded it: a growing
    span or word set would let a long cluster swallow everything near it (chaining)."""

    date: date
    last: date
    granularity: str
    items: list[tuple[int, Mention, str, set[str]]] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)


def _span(m: Mention) -> tuple[date, date]:
    return m.date, m.last or m.date


def clauses(mentions: Sequence[tuple[int, Mention]]) -> dict[int, str]:
    """For each mention id, the clause of its sentence that ends with its time expression."""
    by_sentence: dict[tuple[str, int], list[tuple[int, Mention]]] = defaultdict(list)
    for mid, m in mentions:
        by_sentence[(m.document, m.sentence)].append((mid, m))
    out: dict[int, str] = {}
    for items in by_sentence.values():
        text = items[0][1].text
        located = []
        for mid, m in items:
            pos = text.find(m.time_text) if m.time_text else -1
            located.append((pos if pos >= 0 else len(text), mid, m))
        located.sort(key=lambda x: x[0])
        if len(located) == 1:
            out[located[0][1]] = text
            continue
        prev_end = 0
        for i, (pos, mid, m) in enumerate(located):
            end = len(text) if i == len(located) - 1 else pos + len(m.time_text)
            clause = _LEAD_JUNK.sub("", text[prev_end:end]).strip(" ,;")
            out[mid] = clause if len(clause.split()) >= 5 else text
            prev_end = end
    return out


def _compatible(c: _Cluster, m: Mention) -> bool:
    if c.granularity != m.granularity:
        return False
    first, last = _span(m)
    if m.granularity == "day":
        if (c.last - c.date).days > MAX_RANGE_DAYS or (last - first).days > MAX_RANGE_DAYS:
            return (first, last) == (c.date, c.last)  # a long period matches only the same period
        return first <= c.last and c.date <= last
    if m.granularity == "month":
        return (first.year, first.month) == (c.date.year, c.date.month)
    return first.year == c.date.year


def _similar(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def build_events(story_id: str, mentions: Sequence[tuple[int, Mention]],
                 threshold: float = MERGE_THRESHOLD) -> list[tuple[Event, list[int]]]:
    """Merge (id, mention) pairs into events sorted by date; returns each event with its mention ids."""
    clause_of = clauses(mentions)
    ordered = sorted(mentions, key=lambda x: (x[1].date, _GRAN_ORDER[x[1].granularity], x[1].document,
                                              x[1].sentence, x[0]))
    clusters: list[_Cluster] = []
    for mid, m in ordered:
        clause = clause_of[mid]
        # The date itself is what every candidate shares: only the other words say what happened.
        terms = set(content_terms(clause.replace(m.time_text, " "))) if m.time_text else set(content_terms(clause))
        best, best_sim = None, 0.0
        for c in reversed(clusters[-200:]):  # only recent clusters can overlap in time (sorted by date)
            if not _compatible(c, m):
                continue
            sim = _similar(terms, c.terms)
            if sim > best_sim:
                best, best_sim = c, sim
        if best is not None and best_sim >= threshold:
            best.items.append((mid, m, clause, terms))
        else:
            first, last = _span(m)
            clusters.append(_Cluster(first, last, m.granularity, [(mid, m, clause, terms)], set(terms)))
    out = []
    for c in clusters:
        summary = _summary(c)
        ids = [mid for mid, *_ in c.items]
        first_m = c.items[0][1]
        key = f"{story_id}|{c.date}|{c.granularity}|{first_m.document}|{first_m.sentence}|{first_m.time_text}"
        ev = Event(
            date=c.date, granularity=c.granularity, summary=summary, mentions=[m for _, m, _, _ in c.items],
            last=c.last if c.last != c.date else None, id=hashlib.sha1(key.encode()).hexdigest()[:12],
        )
        out.append((ev, ids))
    out.sort(key=lambda x: (x[0].date, _GRAN_ORDER[x[0].granularity], -len(x[0].documents), x[0].id))
    return out


def _summary(c: _Cluster) -> str:
    """The clause most representative of the cluster (most shared words), trimmed to a readable length."""
    best_clause, best_score = c.items[0][2], -1.0
    for _, _, clause, terms in c.items:
        shared = sum(1 for other in c.items for t in terms if t in other[3])
        score = shared / (1 + 0.02 * len(clause))
        if score > best_score:
            best_clause, best_score = clause, score
    text = _SUMMARY_JUNK.sub("", best_clause.strip()) or best_clause.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if len(text) <= 240 else text[:237].rsplit(" ", 1)[0] + "…"
