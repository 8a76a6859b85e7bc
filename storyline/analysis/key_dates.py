"""Short timelines: which dates and which events to show when a story's timeline must fit a budget.

A story accumulates hundreds of dated events; a reader (or a benchmark) wants the *l* most important dates
with *k* sentences each. Storyline's answer is corroboration: a date matters when many independent
articles mention it, more so when articles still name it after it passed (a day recalled later is a day
that mattered; most of a day's own reports only say "on Tuesday"), and a little more for each article
published on it or the day after (its reports, whatever dates they name). On that date an event matters
when many articles report it and what they say is central to the day. The sentence chosen to stand for
an event is the one closest to what all articles say about that day (its TF-IDF cosine to the day's
centroid), so one outlet's idiosyncratic phrasing is not picked, with a mild preference for fuller
sentences over terse ones (``LENGTH_EXPONENT``).

Only sentences a reader can take in are shown (``displayable``: 6-50 words, no "|" page furniture).
``MAX_OVERLAP`` (two near-identical sentences must not fill one day) and the length bounds were set by
reasoning. ``LATER_WEIGHT``, ``PUB_WEIGHT``, ``LENGTH_EXPONENT`` and ranking a day's events by sources ×
centrality were chosen on Timeline17 by leave-one-topic-out over a small grid (BENCHMARKS.md, "Timeline
summarisation"); that benchmark has no development split, so its figure for them is the held-out one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice

from ..annotate.sentence_kind import without_stamp
from ..model import Event, Mention
from ..text import TermWeights, Vector, cosine

MAX_OVERLAP = 0.5  # cosine above which a sentence repeats one already chosen for the same day
MIN_WORDS, MAX_WORDS = 6, 50  # a timeline line is a sentence a reader takes in at a glance
LATER_WEIGHT = 4.0  # an article published after the day it names counts this much (one published that day: 1)
PUB_WEIGHT = 0.25  # per article published on the day or the day after (its reports of the day)
LENGTH_EXPONENT = 0.3  # a candidate sentence's centrality is multiplied by (words / 20) ** this


@dataclass(slots=True)
class DateScore:
    """How strongly the corpus points at one calendar day, and the events (with their mentions of it)."""

    date: date
    documents: int  # distinct articles that mention the day: the corroboration
    mentions: int  # mention sentences (an article repeating a date counts once in ``documents``)
    events: list[tuple[Event, list[Mention]]] = field(default_factory=list)
    score: float = 0.0  # what ranks the day (``date_scores``)


@dataclass(slots=True)
class KeyEvent:
    """An event chosen for a short timeline, with the mention that stands for it."""

    event: Event
    mention: Mention
    documents: int  # articles that report the event on this day
    centrality: float
    document_ids: list[str] = field(default_factory=list)  # those articles
    text: str = ""  # the line shown: the mention's sentence less the stamps and credits that open it


def displayable(text: str) -> bool:
    """Not a fragment and not page furniture: scraped pages glue headline lists into 80-word "sentences" and
    reader comments carry "|" bylines ("January 29, 2011 at 10:53 am | Report abuse |")."""
    n = len(text.split())
    return MIN_WORDS <= n <= MAX_WORDS and "|" not in text


def pins_day(m: Mention) -> bool:
    """A mention names one calendar day: day granularity and not a range ("June 1 to Nov 30")."""
    return m.granularity == "day" and (m.last is None or m.last == m.date)


def date_scores(events: Iterable[Event], start: date | None = None, end: date | None = None,
                published: Mapping[str, date | None] | None = None, later_weight: float | None = None,
                pub_weight: float | None = None) -> list[DateScore]:
    """Days named by single-day mentions, most corroborated first (then most mentions, then earliest).

    Support is counted from the mentions themselves, not from the events' spans: an event that took in a
    range ("the hurricane season runs from June 1 to Nov 30") spans months, and its other mentions still
    each name their own day. With the articles' publication days (``published``), an article that recalls
    the day later counts ``later_weight`` and each article published on the day or the next adds
    ``pub_weight``."""
    later_weight = LATER_WEIGHT if later_weight is None else later_weight
    pub_weight = PUB_WEIGHT if pub_weight is None else pub_weight
    published = published or {}
    by_day: dict[date, dict[int, tuple[Event, list[Mention]]]] = defaultdict(dict)
    for ev in events:
        for m in ev.mentions:
            if not pins_day(m) or (start and m.date < start) or (end and m.date > end):
                continue
            by_day[m.date].setdefault(id(ev), (ev, []))[1].append(m)
    issued: dict[date, int] = defaultdict(int)
    for day in published.values():
        if day is not None:
            issued[day] += 1
    scores = []
    for day, groups in by_day.items():
        evs = list(groups.values())
        docs = {m.document for _, ms in evs for m in ms}
        score = sum(later_weight if (p := published.get(d)) is not None and p > day else 1.0 for d in docs)
        score += pub_weight * (issued.get(day, 0) + issued.get(day + timedelta(days=1), 0))
        scores.append(DateScore(day, len(docs), sum(len(ms) for _, ms in evs), evs, score))
    scores.sort(key=lambda s: (-s.score, -s.documents, -s.mentions, s.date))
    return scores


def key_events(day: DateScore, k: int, weights: TermWeights,
               eligible: Callable[[str], bool] | None = None,
               max_overlap: float = MAX_OVERLAP, length_exponent: float | None = None) -> list[KeyEvent]:
    """Up to ``k`` events of one day, each represented by its mention (of that day) closest to the day's
    centroid (times the length preference), most sources × that closeness first: a widely reported event
    leads unless what it is shown by is off the day's subject. A mention is judged by the line it would
    show (``KeyEvent.text``, its sentence less opening stamps), not by the stamps the page glued on."""
    length_exponent = LENGTH_EXPONENT if length_exponent is None else length_exponent
    vectors: dict[int, Vector] = {}
    centroid: Vector = defaultdict(float)
    for _, mentions in day.events:
        for m in mentions:
            vec = vectors.setdefault(id(m), weights.vector(m.text))
            for t, w in vec.items():
                centroid[t] += w
    texts: dict[int, str] = {}
    candidates: list[KeyEvent] = []
    for ev, mentions in day.events:
        best: tuple[float, Mention] | None = None
        seen: set[str] = set()
        for m in mentions:
            if m.text in seen or not displayable(m.text) or (eligible is not None and not eligible(m.text)):
                continue
            seen.add(m.text)
            text = texts[id(m)] = without_stamp(m.text, m.time_text)
            if text != m.text:
                vectors[id(m)] = weights.vector(text)
            c = cosine(vectors[id(m)], centroid) * (len(text.split()) / 20) ** length_exponent
            if best is None or c > best[0]:
                best = (c, m)
        if best is not None:
            ids = sorted({m.document for m in mentions})
            candidates.append(KeyEvent(ev, best[1], len(ids), best[0], ids, texts[id(best[1])]))
    candidates.sort(key=lambda c: (-c.documents * c.centrality, -c.documents, c.mention.document,
                                   c.mention.sentence))
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
                end: date | None = None, published: Mapping[str, date | None] | None = None,
                ) -> Iterator[tuple[date, list[KeyEvent]]]:
    """Days that have an eligible sentence, most corroborated first, up to ``per_date`` events each.

    The events of a day for ``k`` are the first ``k`` for any larger ``per_date`` (the choice is greedy),
    so the read model stores this ranking once and answers every (dates, per_date) by slicing it."""
    for day in date_scores(events, start, end, published):
        chosen = key_events(day, per_date, weights, eligible)
        if chosen:
            yield day.date, chosen


def short_timeline(events: Sequence[Event], max_dates: int, per_date: int, weights: TermWeights,
                   eligible: Callable[[str], bool] | None = None, start: date | None = None,
                   end: date | None = None, published: Mapping[str, date | None] | None = None,
                   ) -> list[tuple[date, list[KeyEvent]]]:
    """The ``max_dates`` most corroborated days (that have an eligible sentence), ``per_date`` events each,
    in date order."""
    out = list(islice(ranked_days(events, per_date, weights, eligible, start, end, published), max_dates))
    out.sort(key=lambda x: x[0])
    return out
