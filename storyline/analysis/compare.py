"""Outlets side by side: who reports which event, which claims they share, what each adds, omits and how
it frames the story.

Methods:

- **Coverage matrix**: a timeline event is reported by an outlet when one of the event's mentions comes
  from one of its articles (events already merge mentions across outlets, see ``events.py``); it is
  reported *undated* when a sentence of the outlet states the same claim as one of those mentions.
- **Claims**: every sentence that states something in the outlet's or a source's words is a candidate;
  sentences that are mostly quotation (over half their letters inside quotes or attributed quote
  spans), page furniture (``sentence_kind``: captions, credits, bylines, reader comments, promo lines),
  boilerplate (calls to action and the paragraph they sit in, "Label:" headings, bylines, lines
  without lower-case words, template markup) and fragments (under 4 content words) are left out.
  Candidates are vectorised with TF-IDF over stemmed content words (IDF from the story itself; names,
  which recur in most sentences of a story, weigh ``NAME_WEIGHT``) and merged by greedy average-link
  agglomeration over the graph of pairs with cosine >= ``CLAIM_THRESHOLD``: pairs are taken most
  similar first and two groups join when their mean pairwise cosine (absent pairs count 0) stays above
  the threshold, so chains of loosely similar sentences do not snowball. Two groups never join when
  they hold sentences about different days (dates resolved by the timeline, else the days named:
  "Friday" is not "December 7"). A claim lists every document and outlet of its sentences and is
  marked ``single_outlet`` when only one carries it.
- **Adds / omits**: an outlet adds the events and claims only it carries; it omits the events and claims
  that at least ``max(2, half of the other outlets)`` other outlets carry and it does not (dated or
  undated). Event-level merges win over claim-level ones: a claim whose sentence is a mention of an
  event an outlet reports is not counted as added by or missing from that outlet.
- **Ranking**: each outlet's adds and omits, and the story's claims, come most central first, with a
  ``score`` and a ``rank``: the mean cosine of the item's sentences with the story's TF-IDF centroid ×
  log2(1 + articles carrying it) × outlets carrying it × a lead bonus, and for a dated event × how close
  its date lies to the story's publication span (``item_scores``). Everything is kept; readers show the
  first few and fold the rest ("show more").
- **Framing**: see ``framing.py`` (loaded wording in the outlet's own voice, epithets on actors,
  attribution verbs, who is quoted and how much).

With fewer than two outlets nothing is added or omitted: there is nobody to compare with.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix

from ..annotate.dates import DAY_NAME, day_names
from ..annotate.entities import merge_names
from ..annotate.sentence_kind import is_prose, without_stamp
from ..model import Document, Event, Quote, Sentence, Story
from ..text import WORD, content_terms, tfidf_matrix
from .framing import cue_counts, find_framing, quoted_fraction, speaker_stats

NAME_WEIGHT = 0.6  # weight of name terms in sentence vectors (see vectorize)
CLAIM_THRESHOLD = 0.42  # cosine of TF-IDF content-word vectors for two sentences to state one claim
MIN_SHARED = 3  # content words two sentences must share to state one claim
MIN_TERMS = 4  # fewer content words than this is a fragment, not a claim
QUOTED_MAX = 0.5  # a sentence with more of its letters quoted than this is a quote, not a claim
MIN_OMIT_OUTLETS = 2
SIM_BLOCK = 512  # sentences whose cosines with all others are computed at once (bounds the memory)

# Boilerplate cues (calls to action, newsletter and app plugs, rights notices): such a sentence and the
# rest of its paragraph are site furniture, not reporting.
_CALL_TO_ACTION = re.compile(
    r"\b(?:support (?:us|our|independent)|support [A-Z][\w ]{0,40} or\b|become (?:a|our) (?:patron|member|"
    r"subscriber|supporter)|subscribe\b|sign up\b|follow us\b|click here\b|read more\b|download (?:our|the) "
    r"app|all rights reserved|copyright\b|©|share this\b|donate\b|newsletter\b)",
    re.I,
)
_LABEL_LINE = re.compile(r"^\s*[\w ]{2,25}:\s*$")  # "Background:", "Details:" alone on a line
# Credits and sourcing lines ("Source: ...", "Reporting by ...") describe the article, not the news.
_META_LINE = re.compile(
    r"^\s*(?:(?:sources?|photo|image|video|credit|editor|tags?|read also|related|see also)\s*:"
    r"|(?:additional )?(?:reporting|writing|editing) by\b)", re.I)
_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|<[a-z/][^>]*>")
# A dateline or agency credit opening a sentence: "/TASS/. ", "(Reuters) - ", "OREANDA-NEWS. ",
# "WASHINGTON (AP) — ", "MOSCOW, January 19. /TASS/. ".
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'-]{1,30},\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\.?\s*)?"  # MOSCOW, January 19.
    r"(?:/[A-Z][\w-]*/\.?\s*"  # /TASS/.
    r"|(?:[A-Z][A-Z .'-]{1,30}\s*)?\([A-Z][\w .-]{0,30}\)\s*[.:–—-]?\s*"  # WASHINGTON (AP) — , (Reuters) -
    r"|[A-Z][A-Z0-9&'-]{1,30}\s*[.:–—-]\s+)"  # OREANDA-NEWS. , LONDON -
    r"(?=[A-Z\"“])"
)


@dataclass(slots=True)
class Unit:
    """One candidate claim: a sentence of a story's document with its outlet."""

    document: str
    outlet: str
    index: int
    text: str
    published: date | None = None
    order: int = 0  # position in the story: by publication date, document, sentence


@dataclass(slots=True)
class Claim:
    units: list[Unit]
    text: str = ""
    representative: Unit | None = None
    outlets: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        rep = self.representative or self.units[0]
        return {"text": self.text, "documents": self.documents, "outlets": self.outlets,
                "single_outlet": len(self.outlets) == 1, "document": rep.document,
                "sentence_index": rep.index,
                "sentences": [{"document": u.document, "sentence_index": u.index} for u in self.units]}


_CREDIT = re.compile(r"(?:\([A-Z][\w .-]{0,30}\)|/[A-Z][\w-]*/)\s*[.:–—-]\s+(?=[A-Z\"“])")


def strip_dateline(text: str) -> str:
    """A sentence without the dateline or agency credit that opens it (for display and similarity).

    Also drops a longer web dateline ending in a credit ("NEW ORLEANS | Tue Jun 1, 2010 4:24 pm EDT NEW
    ORLEANS (Reuters) - ") when no lower-case word precedes the credit.
    """
    m = _DATELINE.match(text)
    if m:
        return text[m.end():]
    m = _CREDIT.search(text, 0, 160)
    if m and not re.search(r"\b[a-z]{3,}\b", text[: m.start()]):
        return text[m.end():]
    return without_stamp(text)  # and what opens a timeline row: "AP NEW ORLEANS--", "3.40 pm: ", "(AP Photo) "


def outlet_name(doc: Document) -> str:
    """The outlet, or the document id when unknown (as the JSON contract's event sources do)."""
    return doc.outlet or doc.id


def boilerplate_paragraphs(sentences: Sequence[Sentence]) -> set[int]:
    """Paragraphs holding a call to action ("Support X or become our patron!"): site furniture."""
    return {s.paragraph for s in sentences if _CALL_TO_ACTION.search(s.text)}


def is_boilerplate(s: Sentence, furniture: set[int]) -> bool:
    text = s.text.strip()
    return (
        s.paragraph in furniture
        or bool(_LABEL_LINE.match(text))
        or bool(_META_LINE.match(text))
        or bool(_TEMPLATE.search(text))
        or not re.search(r"\b[a-z]{3,}\b", text)  # bylines, section heads, "SUNDAY, 30 OCTOBER 2022"
    )


def claim_units(docs: Sequence[Document], sentences: dict[str, list[Sentence]],
                quotes: Sequence[Quote] = ()) -> list[Unit]:
    """The sentences of a story that can carry claims, in story order."""
    by_doc: dict[str, list[Quote]] = defaultdict(list)
    for q in quotes:
        by_doc[q.document].append(q)
    units: list[Unit] = []
    for doc in docs:
        sents = sentences.get(doc.id, [])
        furniture = boilerplate_paragraphs(sents)
        for s in sents:
            if is_boilerplate(s, furniture) or not is_prose(s.text) or len(set(content_terms(s.text))) < MIN_TERMS:
                continue  # captions, credits, bylines, comments, promo lines are no claims (nor summaries)
            qs = [q for q in by_doc[doc.id] if q.start < s.end and q.end > s.start and q.kind != "indirect"]
            if quoted_fraction(s, qs) > QUOTED_MAX:
                continue
            units.append(Unit(doc.id, outlet_name(doc), s.index, strip_dateline(s.text), doc.published,
                              len(units)))
    return units


def capitals(text: str) -> list[tuple[str, bool]]:
    """Each word's term but the first's, and whether it is written with a capital (see ``name_terms``)."""
    out = []
    for k, m in enumerate(WORD.finditer(text)):
        terms = content_terms(m.group()) if k else []  # a sentence's first word is capitalised anyway
        if terms:
            out.append((terms[0], m.group()[0].isupper()))
    return out


def name_terms(texts: Sequence[str], known: Sequence[Sequence[tuple[str, bool]]] | None = None) -> set[str]:
    """Terms written with a capital inside sentences at least half the time: names of actors and places
    (``known``: the texts' ``capitals`` when known already, as stored per article)."""
    cap: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for words in known if known is not None else map(capitals, texts):
        for term, upper in words:
            seen[term] += 1
            cap[term] += upper
    return {t for t, n in seen.items() if cap[t] * 2 >= n}


def vectorize(texts: Sequence[str], name_weight: float = NAME_WEIGHT,
              terms: Sequence[list[str]] | None = None,
              known_capitals: Sequence[Sequence[tuple[str, bool]]] | None = None) -> csr_matrix:
    """L2-normalised TF-IDF rows (``text.tfidf_matrix``), IDF fitted on these texts (``terms`` and
    ``known_capitals``: their content terms and ``capitals`` when known already, as stored per article).

    Names weigh ``name_weight``: a story's actors recur in most of its sentences, so sharing them says less
    about two sentences stating the same thing than sharing what is said about them.
    """
    names = dict.fromkeys(name_terms(texts, known_capitals), name_weight) if name_weight != 1.0 and texts else None
    return tfidf_matrix(texts, names, terms)


def dates_apart(a: Sequence[tuple[date, date]], b: Sequence[tuple[date, date]]) -> bool:
    """Two sentences dated to days that do not overlap report different happenings."""
    return bool(a) and bool(b) and not any(s1 <= e2 and s2 <= e1 for s1, e1 in a for s2, e2 in b)


_FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


def figures(text: str) -> frozenset[str]:
    """The numbers a sentence states ("$12bn" → "12", "19,000" → "19000"), days named excluded."""
    out = set()
    for m in _FIGURE.finditer(DAY_NAME.sub(" ", text)):
        value = m.group().replace(",", "")
        out.add(value.rstrip("0").rstrip(".") if "." in value else value)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Anchors:
    """What pins a sentence to one happening: the days it is dated to, the days and figures it names."""

    days: tuple[tuple[date, date], ...] = ()
    day_names: frozenset[str] = frozenset()
    figures: frozenset[str] = frozenset()


def anchors_apart(a: Anchors, b: Anchors) -> bool:
    """Sentences about different days, or stating different figures, do not state the same claim.

    Resolved dates decide when both sentences have them, else the days as written must share one; two
    sentences that both state figures must share one ("$12bn" and "$990m" are two claims).
    """
    if a.days and b.days:
        if dates_apart(a.days, b.days):
            return True
    elif a.day_names and b.day_names and not a.day_names & b.day_names:
        return True
    return bool(a.figures) and bool(b.figures) and not a.figures & b.figures


def cluster(x: csr_matrix, threshold: float = CLAIM_THRESHOLD, anchors: Sequence[Anchors] | None = None,
            min_shared: int = MIN_SHARED, block: int = SIM_BLOCK) -> list[list[int]]:
    """Greedy average-link agglomeration over pairs with cosine >= threshold (rows of ``x``).

    A pair also needs ``min_shared`` terms in common (two short sentences sharing "latest attempt" are not
    one claim), and ``anchors`` (per row) forbid merging groups holding two sentences about different
    days or with different figures (see ``anchors_apart``): "talks on January 10" and "talks on January
    21" stay two claims, and so do "discussed it on December 7" and "discussed it, the Kremlin said
    Friday".
    """
    n = x.shape[0]
    present = (x > 0).astype(np.int32).tocsr()
    pairs: dict[tuple[int, int], float] = {}
    xt = x.T.tocsr()
    # Cosines a block of rows at a time, keeping only the pairs above the threshold: the whole product of a
    # 1,000-article story's 30,000 sentences holds most pairs (they share "oil" or "spill") and took
    # gigabytes. Each row's cosines are summed in the same order either way, so the pairs are the same.
    for lo in range(0, n, block):
        sims = (x[lo:lo + block] @ xt).tocoo()
        keep = (sims.row + lo < sims.col) & (sims.data >= threshold)
        rows, cols, vals = sims.row[keep] + lo, sims.col[keep], sims.data[keep]
        del sims
        # terms in common for every candidate pair at once (a per-pair sparse product was quadratic in Python
        # on a story of a thousand articles)
        shared = np.asarray(present[rows].multiply(present[cols]).sum(axis=1)).ravel() if len(rows) else []
        for i, j, v, k in zip(rows, cols, vals, shared, strict=True):
            if k >= min_shared:
                pairs[(int(i), int(j))] = float(v)
    root = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for (i, j), _ in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        a, b = find(i), find(j)
        if a == b:
            continue
        total = sum(pairs.get((min(p, q), max(p, q)), 0.0) for p in members[a] for q in members[b])
        if total / (len(members[a]) * len(members[b])) < threshold:
            continue
        if anchors is None or not any(anchors_apart(anchors[p], anchors[q])
                                      for p in members[a] for q in members[b]):
            root[b] = a
            members[a].extend(members.pop(b))
    return sorted((sorted(m) for m in members.values()), key=lambda m: m[0])


def build_claims(units: Sequence[Unit], x: csr_matrix | None = None, threshold: float = CLAIM_THRESHOLD,
                 events: Sequence[Event] = ()) -> list[Claim]:
    """Claims across outlets, most widely carried first, each represented by its most central sentence.

    ``events`` supply the day-granularity dates each sentence is anchored to (see ``anchors_apart``).
    """
    if not units:
        return []
    x = vectorize([u.text for u in units]) if x is None else x
    anchored: dict[tuple[str, int], list[tuple[date, date]]] = defaultdict(list)
    for ev in events:
        for m in ev.mentions:
            if m.granularity == "day":
                anchored[(m.document, m.sentence)].append((m.date, m.last or m.date))
    anchors = [Anchors(tuple(anchored.get((u.document, u.index), ())), day_names(u.text),
                       figures(u.text)) for u in units]
    claims = []
    for group in cluster(x, threshold, anchors):
        if len(group) == 1:  # most sentences of a big story: no product of one row with itself needed
            best = 0
        else:
            sub = x[group]
            centrality = np.asarray((sub @ sub.T).sum(axis=1)).ravel()
            best = max(range(len(group)), key=lambda k: (centrality[k], -len(units[group[k]].text), -group[k]))
        members = [units[i] for i in group]
        rep = units[group[best]]
        claims.append(Claim(members, rep.text, rep, sorted({u.outlet for u in members}),
                            sorted({u.document for u in members}, key=lambda d: next(
                                u.order for u in members if u.document == d))))
    claims.sort(key=lambda c: (-len(c.outlets), -len(c.documents), c.units[0].order))
    return claims


# -- what depends on one article alone --------------------------------------------------------------------
DOCUMENT_PART = "view-2"  # the stored name of ``document_parts``' result: a new version recomputes every one


def document_parts(docs: Sequence[Document], sentences: dict[str, list[Sentence]],
                   quotes: Sequence[Quote] = ()) -> dict[str, dict]:
    """Per article, what a story's views need of it that depends on that article alone: its claim sentences
    (``[sentence index, text, content terms, capitals]``) and its framing findings. Stored per article (migration 10),
    so that a story gaining one article parses and scans that one, not the thousand it already had;
    ``make_view`` joins them per story. (Framing is per sentence: the findings of an outlet are those of
    its articles, in order.)"""
    by_doc: dict[str, list[Quote]] = defaultdict(list)
    for q in quotes:
        by_doc[q.document].append(q)
    out: dict[str, dict] = {d.id: {"units": [], "framing": []} for d in docs}
    for u in claim_units(docs, sentences, quotes):
        out[u.document]["units"].append([u.index, u.text, content_terms(u.text), capitals(u.text)])
    own = []  # every article's sentences but its boilerplate paragraphs, parsed in one batch
    for d in docs:
        sents = sentences.get(d.id, [])
        furniture = boilerplate_paragraphs(sents)
        own.extend(s for s in sents if s.paragraph not in furniture)
    for f in find_framing(own, [q for d in docs for q in by_doc[d.id]]):
        out[f.document]["framing"].append(f.as_dict())
    return out


# -- the comparison --------------------------------------------------------------------------------------
@dataclass(slots=True)
class StoryView:
    """Everything about a story the comparison and the summary read, loaded once."""

    story: Story
    docs: list[Document]
    sentences: dict[str, list[Sentence]]
    units: list[Unit]
    vectors: csr_matrix
    claims: list[Claim]
    outlets: list[str]  # most articles first
    parts: dict[str, dict] = field(default_factory=dict)  # each article's ``document_parts``

    @property
    def outlet_of(self) -> dict[str, str]:
        return {d.id: outlet_name(d) for d in self.docs}


def make_view(story: Story, docs: Sequence[Document], sentences: dict[str, list[Sentence]],
              parts: dict[str, dict] | None = None) -> StoryView:
    """A story ready to compare; ``parts``: the ``document_parts`` known already (the others are computed
    and kept in the view's ``parts``, for the caller to store)."""
    docs = sorted(docs, key=lambda d: (d.published or date.max, d.id))
    parts = dict(parts or {})
    missing = [d for d in docs if d.id not in parts]
    if missing:
        ids = {d.id for d in missing}
        parts.update(document_parts(missing, sentences, [q for q in story.quotes if q.document in ids]))
    units: list[Unit] = []
    terms: list[list[str]] = []
    caps: list[list[tuple[str, bool]]] = []
    for d in docs:
        for index, text, unit_terms, unit_capitals in parts[d.id]["units"]:
            units.append(Unit(d.id, outlet_name(d), index, text, d.published, len(units)))
            terms.append(unit_terms)
            caps.append(unit_capitals)
    x = vectorize([u.text for u in units], terms=terms, known_capitals=caps)
    claims = build_claims(units, x, events=story.events)
    count: dict[str, int] = defaultdict(int)
    for d in docs:
        count[outlet_name(d)] += 1
    outlets = sorted(count, key=lambda o: (-count[o], o))
    return StoryView(story, list(docs), sentences, units, x, claims, outlets, parts)


def _event_outlets(view: StoryView) -> list[list[str]]:
    """Per event, the outlets with a mention of it (a sentence that dates it)."""
    of = view.outlet_of
    return [sorted({of[d] for d in ev.documents if d in of}) for ev in view.story.events]


def _sentence_events(view: StoryView) -> dict[tuple[str, int], set[int]]:
    out: dict[tuple[str, int], set[int]] = defaultdict(set)
    for i, ev in enumerate(view.story.events):
        for m in ev.mentions:
            out[(m.document, m.sentence)].add(i)
    return out


def coverage(view: StoryView) -> list[set[str]]:
    """Per event, the outlets that report it: dated (a mention) or undated (a sentence of the same claim
    as a mention: "Earlier, the ministry published drafts" is the event dated "on 17 December" elsewhere)."""
    claim_of = {(u.document, u.index): c for c in view.claims for u in c.units}
    out = []
    for ev, outs in zip(view.story.events, _event_outlets(view), strict=True):
        covered = set(outs)
        for m in ev.mentions:
            claim = claim_of.get((m.document, m.sentence))
            if claim is not None:
                covered.update(claim.outlets)
        out.append(covered)
    return out


def matrix(view: StoryView) -> dict:
    """Events × outlets: which outlet reports which event, plus each outlet's articles and date span.

    ``cells`` is true where the outlet dates the event; ``undated`` lists the outlets that report it
    without a date (through a claim shared with a dated mention).
    """
    rows = []
    events = zip(view.story.events, _event_outlets(view), coverage(view), strict=True)
    for i, (ev, outs, covered) in enumerate(events):
        rows.append({"event": i, "date": ev.date.isoformat(), "end": ev.last.isoformat() if ev.last else None,
                     "granularity": ev.granularity, "summary": ev.summary, "outlets": outs,
                     "undated": sorted(covered - set(outs)), "cells": [o in outs for o in view.outlets]})
    return {"outlets": view.outlets, "events": rows,
            "articles": {o: _outlet_span(view, o) for o in view.outlets}}


def _outlet_span(view: StoryView, outlet: str) -> dict:
    docs = [d for d in view.docs if outlet_name(d) == outlet]
    dates = sorted(d.published for d in docs if d.published)
    return {"documents": len(docs), "first": dates[0].isoformat() if dates else None,
            "last": dates[-1].isoformat() if dates else None}


def widely_reported(n_outlets: int) -> int:
    """How many *other* outlets must carry an item for leaving it out to count as an omission."""
    return max(MIN_OMIT_OUTLETS, -(-(n_outlets - 1) // 2))


# -- how central an item is to the story ------------------------------------------------------------------
LEAD_BONUS = 1.0  # a claim stated in an article's first sentence weighs 1 + LEAD_BONUS, the n-th 1 + LEAD_BONUS/n
PERIOD_DAYS = 90  # an event this many days outside the story's publication span weighs half


def unit_centrality(view: StoryView) -> np.ndarray:
    """Per claim unit, its cosine with the story's centroid: how much the sentence is about what the
    story's sentences are about (rows of ``view.vectors`` are L2-normalised)."""
    if view.vectors.shape[0] == 0:
        return np.zeros(0)
    centroid = np.asarray(view.vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    return np.asarray(view.vectors @ (centroid / norm if norm else centroid)).ravel()


def _story_span(view: StoryView) -> tuple[date, date] | None:
    dates = sorted(d.published for d in view.docs if d.published)
    return (dates[0], dates[-1]) if dates else None


def timeliness(day: date, span: tuple[date, date] | None) -> float:
    """1 inside the story's publication span, falling with the distance outside it: an 1851 law or a 2050
    forecast an article recalls is background, not what the story reports."""
    if span is None or span[0] <= day <= span[1]:
        return 1.0
    away = (span[0] - day).days if day < span[0] else (day - span[1]).days
    return 1.0 / (1.0 + away / PERIOD_DAYS)


def _weight(units: Sequence[Unit], sims: dict[int, float], outlets: int) -> float:
    """centrality × articles × outlets × lead, for the claim units standing for one item."""
    if not units:
        return 0.0
    central = float(np.mean([sims[id(u)] for u in units]))
    articles = len({u.document for u in units})
    lead = 1.0 + LEAD_BONUS / (1 + min(u.index for u in units))
    return central * np.log2(1 + articles) * outlets * lead


def item_scores(view: StoryView) -> tuple[dict[int, float], list[float]]:
    """How central each claim (by ``id``) and each timeline event is to the story: the mean cosine of its
    sentences with the story's centroid, times log2(1 + the articles carrying it), times the outlets
    carrying it, times a lead bonus (news puts what matters first); for an event, also times its
    ``timeliness`` (inside the story's own period or far from it). Unitless: for ordering only."""
    sims = {id(u): s for u, s in zip(view.units, unit_centrality(view), strict=True)}
    claims = {id(c): _weight(c.units, sims, len(c.outlets)) for c in view.claims}
    by_sentence = {(u.document, u.index): u for u in view.units}
    of = view.outlet_of
    fallback = float(np.median(list(sims.values()))) if sims else 0.0
    span = _story_span(view)
    events = []
    for ev in view.story.events:
        units = [by_sentence[(m.document, m.sentence)] for m in ev.mentions if (m.document, m.sentence) in by_sentence]
        outlets = len({of.get(m.document, m.document) for m in ev.mentions})
        articles = len({m.document for m in ev.mentions})
        base = _weight(units, sims, outlets) if units else fallback * np.log2(1 + articles) * outlets * (
            1.0 + LEAD_BONUS / (1 + min(m.sentence for m in ev.mentions)))
        events.append(base * timeliness(ev.date, span))
    return claims, events


def ranked(items: list[dict]) -> list[dict]:
    """Most central first (``score``, see ``item_scores``), each given its ``rank`` (1 = most central)."""
    items.sort(key=lambda it: -it["score"])
    for k, it in enumerate(items, 1):
        it["rank"] = k
    return items


def adds_and_omits(view: StoryView) -> dict[str, dict[str, list[dict]]]:
    """Per outlet, the events and claims only it carries and the widely reported ones it leaves out, each
    list most central to the story first (``score``, ``rank``)."""
    out: dict[str, dict[str, list[dict]]] = {o: {"adds": [], "omits": []} for o in view.outlets}
    if len(view.outlets) < 2:
        return out
    need = widely_reported(len(view.outlets))
    ev_outlets, covered = _event_outlets(view), coverage(view)
    sentence_events = _sentence_events(view)
    claim_score, event_score = item_scores(view)
    for i, (ev, outs) in enumerate(zip(view.story.events, ev_outlets, strict=True)):
        score = round(event_score[i], 6)
        if covered[i] == {outs[0]}:
            m = next(m for m in ev.mentions if view.outlet_of.get(m.document) == outs[0])
            out[outs[0]]["adds"].append({"kind": "event", "event": i, "text": ev.summary,
                                         "date": ev.date.isoformat(), "document": m.document,
                                         "sentence_index": m.sentence, "score": score})
        for o in view.outlets:
            if o not in covered[i] and len(covered[i]) >= need:
                out[o]["omits"].append({"kind": "event", "event": i, "text": ev.summary,
                                        "date": ev.date.isoformat(), "outlets": sorted(covered[i]), "score": score})
    for claim in view.claims:
        evs = set().union(*(sentence_events.get((u.document, u.index), set()) for u in claim.units))
        via = set().union(*(covered[e] for e in evs))
        score = round(claim_score[id(claim)], 6)
        if len(claim.outlets) == 1:
            if evs:  # shared through an event, or already listed as this outlet's own event
                continue
            rep = claim.representative or claim.units[0]
            out[claim.outlets[0]]["adds"].append({"kind": "claim", "text": claim.text, "document": rep.document,
                                                  "sentence_index": rep.index, "score": score})
        elif len(claim.outlets) >= need:
            for o in view.outlets:
                if o in claim.outlets or o in via or any(len(covered[e]) >= need for e in evs):
                    continue  # carried, carried through an event, or already listed as an omitted event
                out[o]["omits"].append({"kind": "claim", "text": claim.text, "outlets": claim.outlets,
                                        "score": score})
    for lists in out.values():
        ranked(lists["adds"])
        ranked(lists["omits"])
    return out


def claim_dicts(view: StoryView) -> list[dict]:
    """The story's claims for the JSON contract, most central first (``score``, ``rank``)."""
    scores, _ = item_scores(view)
    return ranked([c.as_dict() | {"score": round(scores[id(c)], 6)} for c in view.claims])


def outlet_framing(view: StoryView) -> dict[str, dict]:
    """Per outlet: framing findings, attribution verbs counted, and who it quotes how much."""
    of = view.outlet_of
    names = merge_names(q.speaker for q in view.story.quotes if q.speaker)
    out = {}
    parts = view.parts or document_parts(view.docs, view.sentences, view.story.quotes)
    for o in view.outlets:
        doc_ids = {d for d, name in of.items() if name == o}
        quotes = [q for q in view.story.quotes if q.document in doc_ids]
        out[o] = {"framing": [f for d in view.docs if d.id in doc_ids for f in parts[d.id]["framing"]],
                  "attribution": dict(cue_counts(quotes).most_common()),
                  "speakers": speaker_stats(quotes, names)}
    return out


def outlet_entries(view: StoryView) -> list[dict]:
    """The ``outlets`` list of the JSON contract."""
    ev_outlets, covered = _event_outlets(view), coverage(view)
    diff = adds_and_omits(view)
    framing = outlet_framing(view)
    entries = []
    for o in view.outlets:
        span = _outlet_span(view, o)
        entries.append({
            "outlet": o,
            "documents": [d.id for d in view.docs if outlet_name(d) == o],
            "first": span["first"], "last": span["last"],
            "events": [i for i, outs in enumerate(ev_outlets) if o in outs],
            "undated_events": [i for i, (outs, cov) in enumerate(zip(ev_outlets, covered, strict=True))
                               if o in cov and o not in outs],
            "adds": diff[o]["adds"], "omits": diff[o]["omits"],
            **framing[o],
        })
    return entries


def compare_view(view: StoryView) -> dict:
    return {"story": view.story.id, "title": view.story.title, "matrix": matrix(view),
            "outlets": outlet_entries(view), "claims": claim_dicts(view)}
