"""Short timelines: which dates and which events to show when a story's timeline must fit a budget.

A story accumulates hundreds of dated events; a reader (or a benchmark) wants the *l* most important dates
with *k* sentences each. Storyline's answer is corroboration: a date matters when many independent
articles mention it, and on that date an event matters when many articles report it. Within that, the
sentence chosen to stand for an event is the one closest to what all articles say about that day (its
TF-IDF cosine to the day's centroid), so one outlet's idiosyncratic phrasing is not picked.

Only sentences a reader can take in are shown (``displayable``: 6-50 words, no "|" page furniture).
Nothing here is fitted to a benchmark: ``MAX_OVERLAP`` (two near-identical sentences must not fill one
day) and the length bounds were set by reasoning, not by a search over scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from ..model import Event, Mention
from ..text import TermWeights, Vector, cosine

MAX_OVERLAP = 0.5  # cosine above which a sentence repeats one already chosen for the same day
MIN_WORDS, MAX_WORDS = 6, 50  # a timeline line is a sentence a reader takes in at a glance

@dataclass(slots=True)
class DateScore:
    """How strongly the corpus points at one calendar day, and the events (with their mentions of it)."""

    date: date
    documents: int  # distinct articles that mention the day: the corroboration
    mentions: int  # mention sentences (an article repeating a date counts once in ``documents``)
    events: list[tuple[Event, list[Mention]]] = field(default_factory=list)


@dataclass(slots=True)
class KeyEvent:
    """An event chosen for a short timeline, with the mention that stands for it."""

    event: Event
    mention: Mention
    documents: int  # articles that report the event on this day
    centrality: float
    document_ids: list[str] = field(default_factory=list)  # those articles


def displayable(text: str) -> bool:
    """Not a fragment and not page furniture: scraped pages glue headline lists into 80-word "sentences" and
    reader comments carry "|" bylines ("January 29, 2011 at 10:53 am | Report abuse |")."""
    n = len(text.split())
    return MIN_WORDS <= n <= MAX_WORDS and "|" not in text


def pins_day(m: Mention) -> bool:
    """A mention names one calendar day: day granularity and not a range ("June 1 to Nov 30")."""
    return m.granularity == "day" and (m.last is None or m.last == m.date)


def date_scores(events: Iterable[Event], start: date | None = None,
                end: date | None = None) -> list[DateScore]:
    """Days named by single-day mentions, most corroborated first (then most mentions, then earliest).

    Support is counted from the mentions themselves, not from the events' spans: an event that took in a
    range ("the hurricane season runs from June 1 to Nov 30") spans months, and its other mentions still
    each name their own day."""
    by_day: dict[date, dict[int, tuple[Event, list[Mention]]]] = defaultdict(dict)
    for ev in events:
        for m in ev.mentions:
            if not pins_day(m) or (start and m.date < start) or (end and m.date > end):
                continue
            by_day[m.date].setdefault(id(ev), (ev, []))[1].append(m)
    scores = []
    for day, groups in by_day.items():
        evs = list(groups.values())
        docs = {m.document for _, ms in evs for m in ms}
        scores.append(DateScore(day, len(docs), sum(len(ms) for _, ms in evs), evs))
    scores.sort(key=lambda s: (-s.documents, -s.mentions, s.date))
    return scores


def key_events(day: DateScore, k: int, weights: TermWeights,
               eligible: Callable[[str], bool] | None = None,
               max_overlap: float = MAX_OVERLAP) -> list[KeyEvent]:
    """Up to ``k`` events of one day: most sources first, each represented by its mention (of that day)
    closest to the day's centroid."""
    vectors: dict[int, Vector] = {}
    centroid: Vector = defaultdict(float)
    for _, mentions in day.events:
        for m in mentions:
            vec = vectors.setdefault(id(m), weights.vector(m.text))
            for t, w in vec.items():
                centroid[t] += w
    candidates: list[KeyEvent] = []
    for ev, mentions in day.events:
        best: tuple[float, Mention] | None = None
        seen: set[str] = set()
        for m in mentions:
            if m.text in seen or not displayable(m.text) or (eligible is not None and not eligible(m.text)):
                continue
            seen.add(m.text)
            c = cosine(vectors[id(m)], centroid)
            if best is None or c > best[0]:
                best = (c, m)
        if best is not None:
            ids = sorted({m.document for m in mentions})
            candidates.append(KeyEvent(ev, best[1], len(ids), best[0], ids))
    candidates.sort(key=lambda c: (-c.documents, -c.centrality, c.mention.document, c.mention.sentence))
    chosen: list[KeyEvent] = []
    for c in candidates:
        if len(chosen) >= k:
            break
        vec = vectors[id(c.mention)]
        if any(cosine(vec, vectors[id(o.mention)]) > max_overlap for o in chosen):
            continue
        chosen.append(c)
    return chosen


def ranked_days(events: Sequence[Event], per_date: int, weights: TermWeights,
                eligible: Callable[[str], bool] | None = None, start: date | None = None,
                end: date | None = None) -> Iterator[tuple[date, list[KeyEvent]]]:
    """Days that have an eligible sentence, most corroborated first, up to ``per_date`` events each.

    The events of a day for ``k`` are the first ``k`` for any larger ``per_date`` (the choice is greedy),
    so the read model stores this ranking once and answers every (dates, per_date) by slicing it."""
    for day in date_scores(events, start, end):
        chosen = key_events(day, per_date, weights, eligible)
        if chosen:
            yield day.date, chosen


def short_timeline(events: Sequence[Event], max_dates: int, per_date: int, weights: TermWeights,
                   eligible: Callable[[str], bool] | None = None, start: date | None = None,
                   end: date | None = None) -> list[tuple[date, list[KeyEvent]]]:
    """The ``max_dates`` most corroborated days (that have an eligible sentence), ``per_date`` events each,
    in date order."""
    out = list(islice(ranked_days(events, per_date, weights, eligible, start, end), max_dates))
    out.sort(key=lambda x: x[0])
    return out
