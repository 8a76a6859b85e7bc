"""Per-document stages: a pure function of one document, so it batches, runs in processes or on Ray."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..calendar import MONTH_LOOSE, YEAR
from ..model import Analysis, Document, Mention, Quote, Sentence, TimeExpr
from ..text import words
from . import dates
from .entities import extract_entities
from .nlp import split_sentences
from .quotes import extract_quotes, transcript_speakers
from .sentence_kind import comments_follow, is_prose

MIN_EVENT_WORDS = 4  # a dateline ("MOSCOW, January 19.") anchors nothing
# Characters of an article that go through the statistical stages (NER, parses for quotes): about 8,000
# words, four times a long feature. Past it, a document (a report, a scraped dump) is still split and its
# dates resolved, but finding names and quotes in it would hold the single writer for minutes.
MAX_ANALYSED_CHARS = 50_000
# Characters whose dates are resolved: rule-based and cheaper, but a dump dense with weekdays still costs
# seconds per 100,000 characters. 200,000 is some 35,000 words, beyond any news article.
MAX_DATED_CHARS = 200_000


_MONTH = re.compile(rf"\b{MONTH_LOOSE}(?![\w])")
_YEAR = re.compile(rf"\b({YEAR})\b")


def _sentence_dates(text: str, published: date | None, anchor: date | None) -> list[TimeExpr]:
    """Dates of one sentence; without a publication date, "narrative mode" (as HeidelTime's).

    An article with no known publication date still resolves its own full dates ("January 9-10, 2022"),
    and a month-day date that follows one ("on January 12") takes its year from that anchor. Weekdays and
    relative expressions ("on Friday", "yesterday") stay unresolved then: their reference is the unknown
    publication day, and guessing it would invent dates.
    """
    if published is not None:
        return dates.resolve(text, published)
    found = dates.resolve(text, None)
    if anchor is None:
        return found
    taken = [(t.start, t.end) for t in found]
    for t in dates.resolve(text, anchor):
        if _MONTH.search(t.text) and not any(t.start < e and s < t.end for s, e in taken):
            found.append(t)
    return sorted(found, key=lambda t: t.start)


def _first_full_date(sentences: Sequence[Sentence]) -> date | None:
    for s in sentences:
        if _YEAR.search(s.text):
            for t in dates.resolve(s.text, None):
                if _YEAR.search(t.text):
                    return t.value
    return None


def transcript_lines(sentences: Sequence[Sentence]) -> set[int]:
    """Indices of the sentences of an interview or broadcast transcript ("BLITZER: So is it fair to say
    ...?", ``quotes.transcript_speakers``): what its speakers say, not events the reporter dates."""
    labelled = transcript_speakers(sentences)
    return {s.index for s in sentences if s.paragraph in labelled}


def reader_comments(sentences: Sequence[Sentence]) -> set[int]:
    """Indices of the sentences a page prints as its readers' comments: all after it says they follow
    (``sentence_kind.comments_follow``). A comment's "today" is its writer's day, never an event."""
    first = next((s.index for s in sentences if comments_follow(s.text)), None)
    return set() if first is None else {s.index for s in sentences if s.index > first}


def event_mentions(doc: Document, sentences: Sequence[Sentence]) -> list[Mention]:
    """Every prose sentence that anchors something to a date, once per distinct date it names. Captions,
    credits, bylines, reader comments, promo lines and fragments anchor nothing (``sentence_kind``), nor do
    the lines of a transcript or the comments a page prints after its article: they stay stored and
    searchable, but are no timeline events. (A sentence
    that is only a quote, ``sentence_kind.reports_speech``, is a mention that can join an event but found
    none: ``link.events``.)"""
    out: list[Mention] = []
    seen: set[tuple[str, str, str]] = set()
    # Narrative mode's anchor: the latest full date so far, or before the first one, the first one.
    anchor = None if doc.published else _first_full_date(sentences)
    speech = transcript_lines(sentences) | reader_comments(sentences)
    for s in sentences:
        if not is_prose(s.text) or s.index in speech:
            continue
        for t in _sentence_dates(s.text, doc.published, anchor):
            if doc.published is None and _YEAR.search(t.text):
                anchor = t.value
            rest = s.text[: t.start] + " " + s.text[t.end :]
            if len(words(rest)) < MIN_EVENT_WORDS:
                continue
            key = (" ".join(s.text.split()).lower(), t.value.isoformat(), t.granularity)
            if key in seen:  # a lead repeated in the body is one mention, not two
                continue
            seen.add(key)
            # A month or year names its whole span already; only a real range keeps an end.
            last = t.last if t.granularity == "day" or not _covers_one_unit(t) else None
            out.append(Mention(doc.id, s.index, s.text, t.value, t.granularity, last, t.text))
    return out


def _covers_one_unit(t: TimeExpr) -> bool:
    if t.last is None:
        return True
    if t.granularity == "month":
        return (t.last.year, t.last.month) == (t.value.year, t.value.month)
    return t.last.year == t.value.year


def _unique_quotes(quotes: list[Quote]) -> list[Quote]:
    """A lead paragraph repeated in the body is one quote, not two."""
    seen: set[tuple[str | None, str]] = set()
    out = []
    for q in quotes:
        key = (q.speaker, " ".join(q.text.split()).lower())
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def annotate(doc: Document) -> Analysis:
    sentences = split_sentences(doc.id, doc.text)
    head = [s for s in sentences if s.end <= MAX_ANALYSED_CHARS]  # the statistical stages' budget
    entities = extract_entities(doc.id, doc.text, head)
    quotes = _unique_quotes(extract_quotes(doc.id, doc.text, head, entities))
    mentions = event_mentions(doc, [s for s in sentences if s.end <= MAX_DATED_CHARS])
    return Analysis(doc, sentences, entities, quotes, mentions)


def annotate_batch(docs: Sequence[Document]) -> list[Analysis]:
    return [annotate(d) for d in docs]
