"""Event mentions → merged timeline events, each listing every source that reports it, and the story's
sections (its own period, the background it recalls, what it expects).

Two mentions are the same happening when their times agree — the same day, or overlapping periods ("in
April 2003" holds "on April 28, 2003") — and their clauses say the same thing: TF-IDF cosine of the clause
words (the date itself left out) at least ``MERGE_THRESHOLD``, with at least ``MIN_SHARED`` words in common,
so that one shared word ("oil") never merges two happenings of one day. We compare the *clause* that holds
the date, not the whole sentence, because news sentences often list several dated happenings ("talks in
Geneva on January 10, followed by a meeting in Brussels on January 12").

Mentions are merged finest first (days, then months, then years): a coarse mention joins the day it
describes when one is there ("launched the store in 2003" → "launched the store on April 28, 2003") and
founds its own row only when none is. A mention whose sentence opens on a pronoun it does not resolve
("They will later continue …") joins an event that another sentence founded, but founds none: a row must
be readable on its own. Its sources still count. So does a mention that names its day only as a
reference point ("shares have lost 40 percent since the April 20 explosion"): it joins the event it
resembles or, failing that, the day's most reported event (when two articles or more report one), since
that is what "the April 20 explosion" points at; it never becomes a row of its own. Mentions that could
only join and found nothing group among themselves afterwards: when two articles or more report one
happening only in such sentences ("He fought pancreatic cancer in 2004", "… has been fighting pancreatic
cancer since 2004"), it is a row, shown by the sentence that stands alone. A date that is only the base of
a comparison ("sales fell 23% compared to March of 2008") is no time of anything reported: it founds
nothing. Nor is a day of the calendar that comes round every year ("the hurricane season runs from 1 June
to 30 November", ``recurring``): it is in no row. A row told only as an expectation ("The report will be
released Monday.", ``looks_ahead``, or a date after its article's publication) shows what is expected, not
what happened: it stays a row (the "expected" section) only while its date is still ahead of every article
telling it and no reported row holds that day; two expectations of one day are one row only when the rules
that join reports join them (two plans for one day are two rows). A month's or a year's row whose words
match a day's row inside its span joins it, whichever of them was founded first. A time phrase fronted
before the clause it dates ("In a press conference on June 1, the chief executive …") dates that clause,
not the phrase alone.

Three things keep two happenings apart however alike their words: clauses that state figures of one kind
(money, shares) with none in common ("a net profit of US$997 million in the third quarter", "an annual
profit of US$2.7 billion") report two facts; two rows of one period never join on one shared word; and a
period named only in part ("the beginning of the year", "early 2009", "late March") holds only the days of
that part (the third of it the words name), not the October of that year.

The thresholds were set by reasoning, then checked by reading timelines of a Timeline17 sample (BP oil
spill, H1N1, Egypt), never searched on a benchmark (see BENCHMARKS.md).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..annotate.sentence_kind import (
    is_prose,
    looks_ahead,
    opens_on_pronoun,
    recurring,
    reports_speech,
    without_stamp,
)
from ..model import Event, Mention
from ..text import TermWeights, content_terms, cosine

MERGE_THRESHOLD = 0.3  # TF-IDF cosine of two clauses (date words left out) that report one happening
COARSE_THRESHOLD = 0.4  # a month or a year is weaker evidence of one happening than a day
MIN_SHARED = 2  # content words two clauses must share, whatever their similarity
DAY_OVERLAP = 0.2  # on one day, sharing this share of the shorter clause's words is enough too
MAX_RANGE_DAYS = 7  # a range up to a week ("January 9-10") holds the single days inside it
SUMMARY_WORDS = (8, 45)  # a row's text: a sentence a reader takes in at a glance
_GRAN_ORDER = {"year": 0, "month": 1, "day": 2}
# A date used as a reference point, not as the time of what the clause reports: "has lost 40 percent since
# the April 20 explosion", "nine days after the April 20 explosion", "the 20 April catastrophe".
_REFERENCE_BEFORE = re.compile(r"\b(?:since|after|before|following|ahead\s+of|until)\s+(?:the\s+|its\s+)?$"
                               r"|\b(?:the|its|this|that)\s+$", re.I)
# ... or the time of another happening named in a clause of its own: "has lost half its value since the spill
# began two months ago", "nine days after the rig exploded on April 20".
_REFERENCE_CLAUSE = re.compile(r"\b(?:since|after|before|following|until)\s+(?:(?:the|its|their|his|her)\s+)?"
                               r"[\w'-]+(?:\s+[\w'-]+){0,3}\s+(?:began|begun|started|erupted|broke\s+out|exploded|"
                               r"struck|sank|happened|occurred|opened|launched|took\s+office)\s+(?:(?:on|in|at)\s+)?$",
                               re.I)
# ... or the period a figure measures: "second-quarter earnings", "first-half profit".
_MEASURED_PERIOD = re.compile(r"(?:quarter|half)$", re.I)
_MEASURE_AFTER = re.compile(r"^\s+(?:earnings|results|profits?|loss(?:es)?|sales|revenues?|figures|growth|output|"
                            r"dividends?|forecasts?|numbers|deliveries|gdp)\b", re.I)
_BASELINE_BEFORE = re.compile(r"\b(?P<word>compared\s+(?:to|with)|versus|vs\.|than(?:\s+in)?|from)\s+(?:the\s+)?$",
                              re.I)
# ... or the day a figure started from: "fell from about $585.7 million on April 20 to …".
_FROM_FIGURE = re.compile(r"\bfrom\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|some\s+|a\s+)?(?:[^\s\d]{0,4})\d[\d,.]*"
                          r"(?:\s*(?:%|percent|per\s?cent|thousand|million|billion|trillion|bn|m|[a-z]+))?"
                          r"\s+(?:on|in|at|as\s+of)\s+(?:the\s+)?$", re.I)
_RELATIVE_BASE = re.compile(r"(?:a\s+year|a\s+month|the\s+(?:previous|prior|same|year)|last)\b", re.I)
_NOUN_AFTER = re.compile(r"^(?:'s)?\s+(?!and\b|or\b|to\b|in\b|at\b|on\b|of\b|for\b|when\b|with\b|by\b)[a-z]+")
# A day named as the owner of a happening ("Tuesday's accident", "April 20's blast"), unless it is the day the
# article reports ("today's losses", "this week's talks").
_POSSESSIVE = re.compile(r"^['’]s\s+[a-z]")
_DEICTIC = re.compile(r"(?:today|tonight|this)\b", re.I)
_LEAD_JUNK = re.compile(r"^[\s,;:–—-]*(?:and|but|while|followed by|then)?[\s,;:–—-]*", re.I)
# Leftovers that make a clause a poor headline: list bullets, "Details:"-style labels, "/TASS/." credits.
_SUMMARY_JUNK = re.compile(r"^(?:[-–—•*]\s+|[A-Z][a-z]+(?:'s)?(?: [a-z]+)?:\s+|/[A-Za-z]+/\.?\s+"
                           r"|\([A-Za-z]+\)\s*[-–—]\s*)+")
# A clause that is only a prepositional phrase up to its date: the date belongs to the clause that follows.
_FRONTED = re.compile(r"(?:In|On|At|During|After|Before|Following|Late|Early)\s[^,;]*$")
_QUOTES = ('"', "“", "‘", "'", "«")
# A figure a clause reports: money ("US$997 million", "60 billion rubles") or a share ("42%", "15 per cent").
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12}
_NUMBER = r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|trillion|mn|bn|tn|[mkb](?![a-z]))?"
_MONEY = re.compile(r"(?:(?:US|A|C|HK|NZ)?\$|£|€|¥)\s?" + _NUMBER
                    + r"|" + _NUMBER.replace("?P<n>", "?P<n2>").replace("?P<scale>", "?P<scale2>")
                    + r"\s+(?:(?:US|American|Canadian|Australian)\s+)?(?:dollars|euros|pounds|rubles|roubles|yen|yuan|"
                      r"rupees|francs)\b", re.I)
_SHARE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.I)
# The part of a period a time phrase names: its beginning, middle or end.
_PART = re.compile(r"(?:the\s+)?(?:(?P<start>early|(?:beginning|start)\s+of)|(?P<mid>mid|middle\s+of)"
                   r"|(?P<end>late|end\s+of|close\s+of))(?![a-z])", re.I)
MEANING_THRESHOLD = 0.6  # mean-embedding cosine of two rows of one day that tell one happening
MEANING_SAMPLE = 4  # mentions of a row embedded for that comparison
CHAIN_DAYS = 14  # a corroborated day this close before the story's start extends its period


@dataclass(slots=True)
class _Item:
    mid: int
    mention: Mention
    clause: str
    terms: set[str]
    vector: dict[str, float]
    dependent: bool = False  # cannot found a row: opens on a pronoun, or only refers back to the day
    reference: bool = False  # names the day as a reference point ("since the April 20 explosion")
    whole: bool = True  # its sentence reports one happening: the row may show all of it, not the clause
    baseline: bool = False  # names the date only as what a figure is compared with: never founds a row
    ahead: bool = False  # a plan, deadline or forecast for the date ("will be released Monday"), not a report
    figures: dict[str, set[float]] = field(default_factory=dict)  # the amounts and shares its clause states


@dataclass(slots=True)
class _Cluster:
    """Mentions of one happening. Its span is that of the mention that founded it and its words their sum
    (a centroid): a growing span would let a long cluster swallow everything near it (chaining)."""

    date: date
    last: date
    granularity: str
    items: list[_Item] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)  # the founder's words
    figures: dict[str, set[float]] = field(default_factory=dict)  # the amounts and shares its founder states
    within: tuple[date, date] | None = None  # the part of its span its founder names ("early 2009"), if any

    def add(self, item: _Item) -> None:
        if not self.items:
            self.terms, self.figures, self.within = item.terms, item.figures, _part(item.mention)
        self.items.append(item)
        for t, w in item.vector.items():
            self.centroid[t] = self.centroid.get(t, 0.0) + w


def _span(m: Mention) -> tuple[date, date]:
    """The days a mention covers: a month or a year names its whole span."""
    if m.granularity == "month":
        nxt = date(m.date.year + (m.date.month == 12), m.date.month % 12 + 1, 1)
        return m.date, max(m.last or m.date, nxt - timedelta(days=1))
    if m.granularity == "year":
        return m.date, max(m.last or m.date, date(m.date.year, 12, 31))
    return m.date, m.last or m.date


def _part(m: Mention) -> tuple[date, date]:
    """The days a mention can hold: its span, or for "early 2009", "mid-2006", "the beginning of the year",
    "late March", the third of it that the words name. Inside a year, the beginning is not October."""
    first, last = _span(m)
    found = _PART.match(m.time_text) if m.granularity != "day" else None
    if found is None:
        return first, last
    third = timedelta(days=((last - first).days + 1) // 3)
    if found.group("start"):
        return first, first + third - timedelta(days=1)
    if found.group("end"):
        return last - third + timedelta(days=1), last
    return first + third, last - third


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
        ends = [len(text) if i == len(located) - 1 else pos + len(m.time_text)
                for i, (pos, _, m) in enumerate(located)]
        prev_end = 0
        pending: list[int] = []
        for i, (pos, mid, _) in enumerate(located):
            end = ends[i]
            if i < len(located) - 1 and text.startswith(("'s", "’s"), end):
                pending.append(mid)  # a possessive date ends no clause: "Today's losses mean … since April"
                continue
            if i == 0 and i < len(located) - 1 and _FRONTED.match(text[:pos]) and text[end:end + 1] == ",":
                end = ends[i + 1]  # a fronted adverbial dates the clause after it ("In a press conference
                # on June 1, the chief executive, whose company filed for bankruptcy today, outlined …")
            clause = _LEAD_JUNK.sub("", text[prev_end:end]).strip(" ,;")
            for m_id in [*pending, mid]:
                out[m_id] = clause if len(clause.split()) >= 5 else text
            pending = []
            prev_end = ends[i]
    return out


def is_reference(m: Mention) -> bool:
    """The mention names its date as a reference point for something else: "since April 20", "after the
    April 20 explosion", "the 20 April catastrophe" (a determiner, the date, a noun), "the well in Tuesday's
    accident" (a possessive, but not "today's losses"), "since the spill began
    two months ago", "due to report second-quarter earnings" (the period a figure measures)."""
    pos = m.text.find(m.time_text) if m.time_text else -1
    if pos < 0:
        return False
    if _REFERENCE_CLAUSE.search(m.text, max(0, pos - 80), pos):
        return True
    if _MEASURED_PERIOD.search(m.time_text) and _MEASURE_AFTER.match(m.text[pos + len(m.time_text):]):
        return True
    if _POSSESSIVE.match(m.text[pos + len(m.time_text):]) and not _DEICTIC.match(m.time_text):
        return True  # "the well in Tuesday's accident": the accident was reported before, this is about the well
    before = _REFERENCE_BEFORE.search(m.text, max(0, pos - 16), pos)
    if before is None:
        return False
    if before.group(0).lower().split()[0] in ("the", "its", "this", "that"):
        return bool(_NOUN_AFTER.match(m.text[pos + len(m.time_text):]))
    return True


def is_baseline(m: Mention) -> bool:
    """The mention names its date as the base a figure is compared with, not as the time of anything
    reported: "sales fell 23% compared to March of 2008", "dropped 42% last month from the previous year",
    "its holdings fell from about $585.7 million on April 20 to $289.2 million on June 30"."""
    pos = m.text.find(m.time_text) if m.time_text else -1
    if pos < 0:
        return False
    if _FROM_FIGURE.search(m.text, max(0, pos - 60), pos):
        return True
    before = _BASELINE_BEFORE.search(m.text, max(0, pos - 24), pos)
    if before is None:
        return False
    return before.group("word").lower() != "from" or bool(_RELATIVE_BASE.match(m.time_text))


def amounts(text: str) -> dict[str, set[float]]:
    """The amounts of money and the shares a text states, by kind, to three significant digits. Only these:
    counts (deaths, cases, flights) and clock times grow and change from one report of a happening to the
    next, so unlike the claims' figures (``analysis.compare.figures``), two different counts are no proof of
    two happenings."""
    out: dict[str, set[float]] = {}
    for kind, pattern in (("money", _MONEY), ("share", _SHARE)):
        for f in pattern.finditer(text):
            found = f.groupdict()
            n = found.get("n") or found["n2"]
            scale = (found.get("scale") or found.get("scale2") or "").lower()
            value = float(n.replace(",", "")) * _SCALE.get(scale, 1.0)
            out.setdefault(kind, set()).add(float(f"{value:.3g}"))
    return out


def _conflict(a: Mapping[str, set[float]], b: Mapping[str, set[float]]) -> bool:
    """Two reports state different figures of one kind and none in common ("a net profit of US$997 million in
    the third quarter" and "an annual profit of US$2.7 billion"): two facts, however alike their words."""
    return any(kind in b and not (values & b[kind]) for kind, values in a.items())


def _compatible(c: _Cluster, m: Mention) -> bool:
    """Same day, or overlapping periods; a long period (more than a week of days) only the same one."""
    first, last = _span(m)
    if m.granularity == "day" and c.granularity == "day":
        if (c.last - c.date).days > MAX_RANGE_DAYS or (last - first).days > MAX_RANGE_DAYS:
            return (first, last) == (c.date, c.last)
        return first <= c.last and c.date <= last
    if _GRAN_ORDER[m.granularity] > _GRAN_ORDER[c.granularity]:
        return False  # finest first: a coarse cluster never takes a finer mention
    if c.granularity == m.granularity:
        return (first, last) == (c.date, c.last)
    first, last = _part(m)
    return first <= c.date and c.last <= last  # the finer cluster lies inside (the named part of) the mention


def _similarity(c: _Cluster, item: _Item, threshold: float) -> float:
    """How surely the item reports the cluster's happening, on the scale of ``threshold``: the TF-IDF cosine
    to the cluster's centroid, or on one day, the words shared with its founder over the shorter clause's
    (a short report and a long one of one day's happening: "Putin and Biden discussed such guarantees on
    December 7" and a quoted statement about what they discussed that day)."""
    if len(item.terms & c.centroid.keys()) < min(MIN_SHARED, len(item.terms)) or _conflict(item.figures, c.figures):
        return 0.0
    sim = cosine(item.vector, c.centroid)
    if c.granularity == "day" and item.mention.granularity == "day" and item.terms and c.terms:
        shared = len(item.terms & c.terms)
        if shared >= MIN_SHARED:
            sim = max(sim, threshold * shared / min(len(item.terms), len(c.terms)) / DAY_OVERLAP)
    return sim


def build_events(story_id: str, mentions: Sequence[tuple[int, Mention]], threshold: float = MERGE_THRESHOLD,
                 coarse: float = COARSE_THRESHOLD, meaning: float | None = MEANING_THRESHOLD,
                 published: Mapping[str, date | None] | None = None,
                 vectors: Callable[[set[str]], Mapping[str, Any]] | None = None) -> list[tuple[Event, list[int]]]:
    """Merge (id, mention) pairs into events sorted by date; returns each event with its mention ids.

    A mention that cannot stand alone (its sentence opens on an unresolved pronoun, or is page
    furniture) only ever joins an event; one that joins none is left out of the timeline (its sentence
    stays searchable). A row that only expectations tell (``looks_ahead``, or a date after its article's
    publication, ``published`` by document id) is a row (the "expected" section) only while it is still
    ahead of every article telling it and no reported happening holds its day: none once the day is
    reported. Expectations join one another by the rules that join reports. An expectation that a report
    joins (or that joins a report) stays with it, the report's sentence shown. ``vectors``: sentence texts
    → their embeddings (``embed.stored`` keeps them in the store across runs); by default computed here."""
    published = published or {}
    clause_of = clauses(mentions)
    weights = TermWeights((clause_of[mid] for mid, _ in mentions), unseen=1.0)
    items = []
    for mid, m in mentions:
        if recurring(m.text, m.time_text):
            continue  # the calendar of a yearly period or a habit: the time of no happening, in no row
        clause = clause_of[mid]
        # The date itself is what every candidate shares: only the other words say what happened.
        terms = content_terms(clause.replace(m.time_text, " ") if m.time_text else clause)
        reference, baseline = is_reference(m), is_baseline(m)
        # a quote and its attribution only ('"We capped it on Thursday," he said'): the speaker's date
        pub = published.get(m.document)
        ahead = looks_ahead(m.text, m.time_text) or (pub is not None and m.date > pub)
        dependent = (reference or baseline or not _stands_alone(clause) or not is_prose(m.text)
                     or reports_speech(m.text))
        items.append(_Item(mid, m, clause, set(terms), weights.term_vector(terms), dependent, reference,
                           baseline=baseline, ahead=ahead, figures=amounts(clause)))
    by_sentence: dict[tuple[str, int], list[_Item]] = defaultdict(list)
    for it in items:
        by_sentence[(it.mention.document, it.mention.sentence)].append(it)
    for group in by_sentence.values():  # a sentence's other dates that are mere reference points
        for it in group:  # ("a new cap was used on Thursday … for the first time since 20 April") keep it whole
            it.whole = all(o.reference or o.baseline for o in group if o is not it)
    # finest first; on each date, the mentions that can found a row before those that can only join one
    items.sort(key=lambda it: (-_GRAN_ORDER[it.mention.granularity], it.mention.date, it.dependent,
                               it.mention.document, it.mention.sentence, it.mid))
    clusters, orphans = _assign(items, threshold, coarse, founds=lambda it: not it.dependent)
    # Mentions that could only join a row and found none: several articles that all tell one happening in
    # sentences that cannot stand alone ("He fought pancreatic cancer in 2004", "… has been fighting
    # pancreatic cancer since 2004") still report it. They group among themselves; a group becomes a row
    # when two articles or more report it and one of its sentences can be shown on its own.
    latent, _ = _assign(orphans, threshold, coarse, founds=lambda it: not it.baseline)
    clusters += [c for c in latent if len({it.mention.document for it in c.items}) >= 2
                 and any(_presentable(it) for it in c.items)]
    clusters = _expected_rows(clusters, published)
    out = []
    merged = _merge_into_finer(_merge_same_span(clusters, threshold), max(threshold, coarse))
    for c in _merge_same_meaning(merged, meaning, vectors or _embedded) if meaning else merged:
        c.items.sort(key=lambda it: (it.mention.date, it.mention.document, it.mention.sentence, it.mid))
        founder = min(c.items, key=lambda it: (-_GRAN_ORDER[it.mention.granularity], it.mention.document,
                                               it.mention.sentence, it.mid))
        fm = founder.mention
        key = f"{story_id}|{c.date}|{c.granularity}|{fm.document}|{fm.sentence}|{fm.time_text}"
        ev = Event(date=c.date, granularity=c.granularity, summary=_summary(c),
                   mentions=[it.mention for it in c.items], last=c.last if _keeps_end(c) else None,
                   id=hashlib.sha1(key.encode()).hexdigest()[:12])
        out.append((ev, [it.mid for it in c.items]))
    out.sort(key=lambda x: (x[0].date, _GRAN_ORDER[x[0].granularity], -len(x[0].documents), x[0].id))
    return out


def _assign(items: Sequence[_Item], threshold: float, coarse: float,
            founds: Callable[[_Item], bool]) -> tuple[list[_Cluster], list[_Item]]:
    """One pass over the sorted items: each joins the most similar compatible cluster, or founds one when
    ``founds`` allows it. Returns the clusters and the items that did neither."""
    clusters: list[_Cluster] = []
    orphans: list[_Item] = []
    starts: list[tuple[date, int]] = []  # (cluster start, index), sorted: the clusters a period can hold
    for it in items:
        m = it.mention
        first, last = _span(m)
        if m.granularity == "day":
            candidates = [c for c in clusters[-200:] if c.granularity == "day"]  # sorted by date: recent ones
        else:
            lo = bisect.bisect_left(starts, (first, -1))
            hi = bisect.bisect_right(starts, (last, len(clusters)))
            candidates = [clusters[i] for _, i in starts[lo:hi]]
        best, best_sim = None, 0.0
        for c in reversed(candidates):
            if not _compatible(c, m):
                continue
            sim = _similarity(c, it, threshold)
            if sim > best_sim:
                best, best_sim = c, sim
        needed = threshold if m.granularity == "day" else max(threshold, coarse)
        if (best is None or best_sim < needed) and it.reference and m.granularity == "day":
            # a reference to the day ("since April 20") is evidence of the day's main happening
            main = max((c for c in candidates if c.granularity == "day" and (c.date, c.last) == (first, last)
                        and not _conflict(it.figures, c.figures)),
                       key=lambda c: (len({x.mention.document for x in c.items}), -c.date.toordinal()),
                       default=None)
            if main is not None and len({x.mention.document for x in main.items}) >= 2:
                best, best_sim = main, needed
        if best is not None and best_sim >= needed:
            best.add(it)
        elif founds(it):
            c = _Cluster(first, last, m.granularity)
            c.add(it)
            clusters.append(c)
            bisect.insort(starts, (first, len(clusters) - 1))
        else:
            orphans.append(it)
    return clusters, orphans


def _expected_rows(clusters: list[_Cluster], published: Mapping[str, date | None]) -> list[_Cluster]:
    """The rows told only as expectations ("BP is due to release its results on Tuesday") that stay rows:
    those still ahead of every article telling them, on a day (or month, or year) that no reported row
    holds. Two of one day stay two rows unless the rules that join reports join them: one day can hold
    two plans ("the union will ballot on 20 March", "the port will publish its accounts on 20 March")."""
    def expected_only(c: _Cluster) -> bool:
        return all(it.ahead for it in c.items)

    reported = {(c.date, c.granularity) for c in clusters if not expected_only(c)}
    return [c for c in clusters if not expected_only(c) or (c.date, c.granularity) not in reported and all(
        (p := published.get(it.mention.document)) is None or c.date > p for it in c.items)]


def _presentable(it: _Item) -> bool:
    """The item's sentence can be a row's text: prose that does not open on an unresolved pronoun and is
    more than a quote and its attribution."""
    return is_prose(it.mention.text) and _stands_alone(it.clause) and not reports_speech(it.mention.text)



def _join_closest(c: _Cluster, candidates: Sequence[_Cluster], threshold: float) -> bool:
    """Fold ``c`` into the candidate whose centroid is closest to its own, if at least ``threshold``."""
    # one shared word ("aircraft") is no evidence of one happening, however rare it is
    shares = [k for k in candidates if not _conflict(c.figures, k.figures)
              and len(c.centroid.keys() & k.centroid.keys()) >= min(MIN_SHARED, len(c.centroid), len(k.centroid))]
    into = max(shares, key=lambda k: cosine(c.centroid, k.centroid), default=None)
    if into is None or cosine(c.centroid, into.centroid) < threshold:
        return False
    for it in c.items:
        into.add(it)
    return True

def _merge_same_span(clusters: list[_Cluster], threshold: float) -> list[_Cluster]:
    """Join clusters of one span whose centroids say the same thing: one happening founded twice, by two
    reports too different to meet one by one ("oil began leaking on 20 April when the rig exploded" and
    "eleven workers were killed in the explosion on the rig on 20 April"); the larger one absorbs."""
    by_span: dict[tuple[date, date, str], list[_Cluster]] = defaultdict(list)
    for c in clusters:
        by_span[(c.date, c.last, c.granularity)].append(c)
    out: list[_Cluster] = []
    for group in by_span.values():
        kept: list[_Cluster] = []
        for c in sorted(group, key=lambda c: -len(c.items)):
            if not _join_closest(c, kept, threshold):
                kept.append(c)
        out.extend(kept)
    return out


def _merge_same_meaning(clusters: list[_Cluster], threshold: float,
                        vectors: Callable[[set[str]], Mapping[str, Any]]) -> list[_Cluster]:
    """Join one day's rows that tell one happening in different words, by what their sentences mean: the
    mean sentence embedding (MiniLM, ``link.embed``) of each row's first ``MEANING_SAMPLE`` mentions, cosine
    at least ``threshold`` ("The leaking oil was stopped on 15 July when BP closed a new cap" and "On 15
    July, a cap was used to seal the top of the wellhead" share one content word). Only rows reported by
    two articles or more are compared, on days that have two of them: that is where a reader sees one
    event twice, and it bounds the cost; rows told only as expectations are compared whatever their articles
    (few: a plan announced in other words, "will give an estimate next Tuesday when it unveils its
    profits"). The row reported by more articles absorbs."""
    by_day: dict[date, list[_Cluster]] = defaultdict(list)
    for c in clusters:
        if c.granularity == "day" and c.date == c.last and (
                len({it.mention.document for it in c.items}) >= 2 or all(it.ahead for it in c.items)):
            by_day[c.date].append(c)
    todo = [g for g in by_day.values() if len(g) >= 2]
    if not todo:
        return clusters
    groups = [sorted(g, key=lambda c: (-len({it.mention.document for it in c.items}), -len(c.items))) for g in todo]
    texts = [[it.mention.text for it in c.items[:MEANING_SAMPLE]] for g in groups for c in g]
    embedded = vectors({t for ts in texts for t in ts})
    means = []
    for ts in texts:
        v = sum(embedded[t] for t in ts)
        means.append(v / (float((v @ v) ** 0.5) or 1.0))
    absorbed: set[int] = set()
    j = 0
    for g in groups:
        kept: list[tuple[_Cluster, object]] = []
        for c in g:
            v = means[j]
            j += 1
            best = max((kv for kv in kept if not _conflict(c.figures, kv[0].figures)),
                       key=lambda kv: float(kv[1] @ v), default=None)  # type: ignore[operator]
            if best is not None and float(best[1] @ v) >= threshold:  # type: ignore[operator]
                for it in c.items:
                    best[0].add(it)
                absorbed.add(id(c))
            else:
                kept.append((c, v))
    return [c for c in clusters if id(c) not in absorbed]


def _embedded(texts: set[str]) -> dict[str, Any]:
    """``texts`` embedded now: for a caller without a store (the pipeline passes ``embed.stored``, the one
    cache of vectors, which keeps them by text hash across runs)."""
    from .embed import embed  # the model loads only when a day needs it

    ordered = sorted(texts)
    return dict(zip(ordered, embed(ordered), strict=True))


def _merge_into_finer(clusters: list[_Cluster], coarse: float) -> list[_Cluster]:
    """Join a month's or a year's cluster to the finer one inside its span whose centroid says the same
    thing: a coarse mention meets the day it describes one by one only when that day's cluster already
    holds enough of its words ("the iTunes store, since its launch in 2003" and "launched the iTunes Music
    Store on April 28, 2003", which founded its row first)."""
    out = sorted((c for c in clusters if c.granularity == "day"), key=lambda c: (c.date, c.last))
    for gran in ("month", "year"):
        finer = sorted(out, key=lambda c: c.date)
        starts = [c.date for c in finer]
        for c in (c for c in clusters if c.granularity == gran):
            begin, end = c.within or _span(Mention("", 0, "", c.date, c.granularity, c.last))
            inside = [k for k in finer[bisect.bisect_left(starts, begin):bisect.bisect_right(starts, end)]
                      if k.last <= end]
            if not _join_closest(c, inside, coarse):
                out.append(c)
    return out


def _keeps_end(c: _Cluster) -> bool:
    """Only a real range keeps an end: a month or a year already names its span."""
    return (c.date, c.last) != _span(Mention("", 0, "", c.date, c.granularity))


def _stands_alone(text: str) -> bool:
    return not opens_on_pronoun(text)


_CLAUSE_END = re.compile(r"\s*(?:$|[,;:.!?…)\]—–]|-\s|(?:and|or|but|then|while|followed)\b)")


def _cut_short(clause: str, sentence: str) -> bool:
    """The clause ends at its date inside a clause of the sentence, not at a boundary (punctuation, "and",
    "but"): "The Senate committee announced on Thursday" (… "it would hold a hearing on 29 July"), "A boat
    pushed off Wednesday evening" (… "from the Louisiana coast"). Such a clause is no complete sentence:
    the row shows the whole one."""
    pos = sentence.find(clause)
    return pos >= 0 and not _CLAUSE_END.match(sentence, pos + len(clause))


def _shown_text(it: _Item) -> str:
    """What a row shows of one mention: its sentence less a stamp or credit the page put before it ("(AP
    Photo) ", "3.40 pm: "), or only its clause when the sentence dates several happenings."""
    sentence = without_stamp(it.mention.text)
    whole = it.whole or _cut_short(it.clause, it.mention.text)
    return sentence if whole and _stands_alone(sentence) else without_stamp(it.clause)


def _shown(c: _Cluster) -> _Item:
    """The mention a row shows: the clearest complete sentence of the cluster, prose that stands alone (no
    caption, byline or opening pronoun), of a readable length, reported rather than expected or quoted, that
    names the row's own time (a day's row does not show "A temporary cap that stopped oil in mid-July was
    removed Thursday", a month's mention that joined it), and the most representative of what all its
    mentions say (most shared words)."""
    def score(it: _Item) -> tuple[int, int, int, int, float]:
        text = _shown_text(it)
        n = len(text.split())
        clear = is_prose(it.mention.text) and _stands_alone(text) and SUMMARY_WORDS[0] <= n <= SUMMARY_WORDS[1]
        reported = not text.lstrip().startswith(_QUOTES)  # the reporter's words, not a quoted statement
        own_time = it.mention.granularity == c.granularity
        shared = sum(1 for other in c.items for t in it.terms if t in other.terms)
        return int(clear), int(not it.ahead), int(own_time), int(reported), shared / (1 + 0.02 * len(it.clause))

    return max(c.items, key=lambda it: (*score(it), -it.mid))


def _summary(c: _Cluster) -> str:
    """The row's text: its shown mention (``_shown``), trimmed to a readable length."""
    shown = _shown_text(_shown(c)).strip()
    shown = _SUMMARY_JUNK.sub("", shown) or shown
    shown = shown[0].upper() + shown[1:] if shown else shown
    return shown if len(shown) <= 240 else shown[:237].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------------------------------------------
# Sections


def story_period(events: Sequence[Event], published: Mapping[str, date | None]) -> tuple[date, date] | None:
    """The story's own period: from its first to its last article's publication (a stray early article
    left out), extended back over the days just before it that several articles report (the explosion the
    day before the first report), a step of at most ``CHAIN_DAYS`` at a time. Without publication dates, the span of the
    days its articles corroborate most. None when nothing is dated."""
    pubs = sorted(d for d in published.values() if d)
    support: dict[date, set[str]] = defaultdict(set)
    for ev in events:
        for m in ev.mentions:
            if m.granularity == "day" and (m.last is None or (m.last - m.date).days <= MAX_RANGE_DAYS):
                support[m.date].add(m.document)
    need = 2 if len({d for s in support.values() for d in s}) >= 3 else 1
    days = sorted(d for d, docs in support.items() if len(docs) >= need)
    if pubs:
        # the earliest articles but a stray one: a story of 20 or more starts at its 5th percentile
        start, end = pubs[len(pubs) // 20], pubs[-1]
        for d in reversed([d for d in days if d < start]):
            if (start - d).days > CHAIN_DAYS:
                break
            start = d
        return start, end
    if not days:
        return None
    k = max(1, len(days) // 10)  # the middle 80% of corroborated days
    return days[k - 1] if len(days) > 2 else days[0], days[-k] if len(days) > 2 else days[-1]


def section_of(ev: Event, period: tuple[date, date] | None, published: Mapping[str, date | None]) -> str:
    """"expected" when every article that mentions the event wrote before it (a plan, a deadline, a
    forecast) or it lies after the story's period; "background" when it ended before the period, or is
    a period much longer than the story's that began before it; otherwise "story"."""
    dated = [(m, published.get(m.document)) for m in ev.mentions]
    if dated and all(p is not None and m.date > p for m, p in dated):
        return "expected"
    if period is None:
        return "story"
    first, last = ev.date, _span(Mention("", 0, "", ev.date, ev.granularity, ev.last))[1]
    if last < period[0]:
        return "background"
    if first < period[0] and (last - first) > 2 * (period[1] - period[0]):
        return "background"  # a whole year around a story of months ("this year's crop") is its context
    if first > period[1]:
        return "expected"
    return "story"


def assign_sections(events: Sequence[Event], published: Mapping[str, date | None]) -> tuple[date, date] | None:
    """Set every event's ``section``; returns the story period used."""
    period = story_period(events, published)
    for ev in events:
        ev.section = section_of(ev, period, published)
    return period
