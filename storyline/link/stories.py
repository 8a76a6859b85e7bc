"""Stories and topics: an order-independent, incremental clustering of articles.

An article is seen through its headline and lead (sentence embeddings of each line, outlet furniture left
out) and its salient named entities. The similarity of two articles is a pure function of the two
(:func:`content`, :func:`similarity`): nothing corpus-wide such as IDF enters it, so it never changes as
the corpus grows. Two articles far apart in time pay a penalty (``TIME_PENALTY``), so they join a story
only on strong evidence; an article without a date is judged on content alone.

Stories are the average-link clusters of those similarities cut at ``STORY_THRESHOLD``; topics continue
the average-link over whole stories down to ``TOPIC_THRESHOLD``, on a topic similarity that weighs shared
names more (``TOPIC_EMBED_WEIGHT``) and time less (``TOPIC_TIME_PENALTY``): a long crisis is many event
chains months apart that keep the same people and places while their words change, yet articles of one
kind years apart (business pages of 2008 and of 2011, both naming the United States) are two topics.
Average-link never joins two groups unless some pair of their articles is at least as similar as the cut,
so every story and topic lies inside one connected component of the graph whose edges are those pairs
(:func:`linked`). That is what makes the clustering incremental *and* exact: a new batch finds the
components its articles touch, re-clusters those (and only those) from scratch, and leaves the rest alone.
(A corpus about one region's crises can be one component: all of Timeline17 is, and is then re-clustered
whole, in seconds.)
Everything is ordered canonically ((published, id)) before clustering, so the result is the same
whatever order the articles arrived in, however the work was split, and whether a folder was analysed in
one run or several: the same articles give the same stories and topics.

Ids are stable: a story's id derives from its canonical member (its earliest article by (published, id)),
so it stays when the story grows; when two stories merge, the survivor has the earlier canonical member
and the other id becomes a redirect (kept by the store).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..calendar import MONTH_LOOSE, TIME_ZONE, WEEKDAY_LOOSE, WEEKDAY_NAME
from ..ingest import furniture, metadata
from ..model import Document, Entity
from ..text import EXTRA_STOP, WORD, content_terms, line_spans, stem, words

# What each setting was chosen on: BENCHMARKS.md, "Story clustering".
STORY_THRESHOLD = 0.28  # average similarity (time penalty included) within a story: one event chain
EMBED_WEIGHT = 0.7  # story level: the rest is entity overlap
TOPIC_THRESHOLD = 0.05  # average topic similarity between the stories of a topic
TOPIC_EMBED_WEIGHT = 0.3  # topic level: names weigh more (a long crisis keeps its names, not its words)
TIME_PENALTY = 0.05  # per unit of log(1 + days / TIME_SCALE) between two dated articles
TOPIC_TIME_PENALTY = 0.02  # the same at the topic level: a crisis spans months, one kind of news years
TIME_SCALE = 7.0
LEAD_WORDS = 40  # the lead embedded with the headline: its first sentence or two
SALIENT = 10  # named entities kept per article (the most mentioned)
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP"}
ROUND = 5  # similarities are rounded, so BLAS summation order never changes a decision
UNDATED = "9999-12-31"


@dataclass(slots=True)
class Item:
    """One article as the clusterer sees it (a pure function of the article and its outlet's furniture)."""

    id: str
    published: date | None
    vector: np.ndarray  # unit length (zero when nothing is left to embed)
    entities: tuple[str, ...]  # salient names, display form
    headline: str | None = None  # a usable headline, or None
    words: tuple[str, ...] = ()  # lead words (lower case), for titles of headline-less stories

    @property
    def key(self) -> tuple[str, str]:
        return (self.published.isoformat() if self.published else UNDATED, self.id)


# --------------------------------------------------------------------------------------------------
# Features


def _lines(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, stored line key) of each non-blank line of a text (see ``ingest.furniture``)."""
    return [(a, b, furniture.line_digest(text[a:b])) for a, b in line_spans(text)]


def lead_lines(doc: Document, furniture_keys: set[str]) -> list[str]:
    """The article's first lines that are not outlet furniture, up to LEAD_WORDS words."""
    out, n = [], 0
    for start, end, key in _lines(doc.text):
        if n >= LEAD_WORDS:
            break
        if key not in furniture_keys:
            line = " ".join(doc.text[start:end].split()[: LEAD_WORDS - n])
            out.append(line)
            n += len(line.split())
    return out


def line_keys(doc: Document) -> set[str]:
    """Every line key of an article (the headline as a line too): what outlet furniture is counted on."""
    keys = {key for _, _, key in _lines(doc.text) if key}
    if doc.title and (title := furniture.line_digest(doc.title)):
        keys.add(title)
    return keys


def embed_text(doc: Document, furniture_keys: set[str]) -> str:
    """What is embedded: the usable headline and the lead, outlet furniture left out."""
    headline = usable_headline(doc.title, furniture_keys, doc.text)
    return "\n".join(([headline] if headline else []) + lead_lines(doc, furniture_keys))


_TIME = re.compile(rf"\b\d{{1,2}}[:.]\d{{2}}\b|\b{TIME_ZONE}\b")
_DATE_WORDS = re.compile(rf"\b{WEEKDAY_NAME}\b|\b(?:19|20)\d\d\b")
_STAMP = re.compile(rf"\b{WEEKDAY_LOOSE},?\s+{MONTH_LOOSE}(?:\s|$)")  # a wire stamp's "Thu May 14", read as a name
_NON_WORD = re.compile(r"[\W_]+")
# A dateline: a name in capitals that opens a wire report ("WASHINGTON (CNN) -", "LONDON, Feb. 10--",
# "WASHINGTON | Mon Mar 2", "GRAND ISLE, LA.--", "WILMINGTON, Delaware |"), told by what follows it (after
# its state, if any).
_DATELINE_AFTER = re.compile(rf"(?:,\s*[A-Z][A-Za-z.]*(?:[ /\\][A-Z][A-Za-z.]*){{0,3}})?"
                             rf"\s*(?:\([^)\n]{{1,40}}\)\s*)?(?:--|[-\u2013\u2014](?!\w)|\||,\s*{MONTH_LOOSE}\s*\d)")
_BYLINE = re.compile(r"^\s*(?:by|from|posted|updated|published|filed|photo|image|video|watch|listen|"
                     r"share|follow|subscribe|sign up|click|download|advertisement)\b", re.IGNORECASE)


LEAD_TITLE_WORDS = 12  # a headline longer than this that ends as a sentence does is the lead's first sentence


def usable_headline(title: str | None, furniture_keys: set[str], text: str | None = None) -> str | None:
    """The headline, unless it is furniture of its outlet, a byline, a dateline or a page template, or shares
    no word with the article's ``text`` (a promo the page template put in the title: "The new flat-rate State
    Pension - how will you be affected?" over a programme on the oil spill; one page of an outlet is enough
    to tell it, where furniture needs three)."""
    if not title:
        return None
    title = " ".join(title.split())
    n = len(title.split())
    if not 3 <= n <= 30 or "|" in title or "\\" in title or _BYLINE.match(title):
        return None
    if _TIME.search(title) or len(_DATE_WORDS.findall(title)) >= 2:
        return None
    if n > LEAD_TITLE_WORDS and title.rstrip("\"'”’)").endswith((".", "!")):
        return None  # a lead sentence the page gave as its title ("One week ago, angry … chanted, "Freedom!"")
    if furniture.line_digest(title) in furniture_keys or len(terms := content_terms(title)) < 2:
        return None
    if text is not None and not set(terms) & set(content_terms(text)):
        return None
    return title


def not_a_name(name: str, text: str = "", end: int = -1, outlet: str | None = None) -> bool:
    """Does this entity say where, when or by whom a page was filed rather than what it is about? Clock
    times, time zones and wire time stamps ("BST", "22:17 GMT LONDON", "Thu May 14"); a dateline (``end``:
    where the name ends in ``text``); a news outlet or agency of the outlet table, which credits and cites
    ("AP", "Reuters", "BBC News"); the page's own outlet ("BBC Radio 4" on the BBC's). Such names recur
    across unrelated articles, so as features they would join them, and they are never a title."""
    if not name.strip() or _TIME.search(name) or _STAMP.search(name) or metadata.is_outlet(name):
        return True
    own, named = _NON_WORD.split(outlet.casefold()) if outlet else [], _NON_WORD.split(name.casefold())
    own, named = [w for w in own if w], [w for w in named if w]
    if own and (named[: len(own)] == own or own[-len(named):] == named):
        return True
    return end >= 0 and name.isupper() and len(name) > 2 and bool(_DATELINE_AFTER.match(text, end))


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"\u201c\u2018(\u2014\u2013-])\s*$")


def name_words(lines: Sequence[str]) -> set[str]:
    """Words (lower-cased) that the lead writes only with a capital where a sentence does not start:
    parts of names, bylines and datelines ("jorn madslien", "york", "atlanta"), which a described title
    must not offer as what happened. The headline is left out: title case capitalises every word."""
    upper: set[str] = set()
    lower: set[str] = set()
    for line in lines:
        for m in WORD.finditer(line):
            w = m.group()
            if w[:1].islower():
                lower.add(w)
            elif not _SENTENCE_START.search(line, 0, m.start()):
                upper.add(w.lower())
    return upper - lower


def item(doc: Document, vector: np.ndarray, entities: Iterable[Entity], furniture_keys: set[str]) -> Item:
    """An article's features: its embedded headline and lead (``vector``, of :func:`embed_text`), its
    salient entities outside furniture lines (``furniture_keys``: its lines that are outlet furniture) and
    its lead words."""
    headline = usable_headline(doc.title, furniture_keys, doc.text)
    spans = [(a, b) for a, b, k in _lines(doc.text) if k in furniture_keys]
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    shown: dict[str, Counter[str]] = {}
    for e in entities:
        if e.label not in ENTITY_LABELS or any(a <= e.start < b for a, b in spans):
            continue
        name = (e.canonical or e.text).strip()
        if not_a_name(name, doc.text, e.end, doc.outlet) or (e.text != name and not_a_name(e.text, doc.text, e.end)):
            continue
        folded = name.casefold()
        counts[folded] += 1
        first.setdefault(folded, e.start)
        shown.setdefault(folded, Counter())[name] += 1
    top = sorted(counts, key=lambda f: (-counts[f], first[f], f))[:SALIENT]
    names = tuple(min(shown[f], key=lambda s: (-shown[f][s], s)) for f in top)
    body = lead_lines(doc, furniture_keys)
    named = name_words(body)
    lead = [w.lower() for line in ([headline] if headline else []) + body for w in words(line)
            if w.lower() not in named]
    return Item(doc.id, doc.published, np.asarray(vector, dtype=np.float32), names, headline, tuple(lead[:80]))


# --------------------------------------------------------------------------------------------------
# Similarity


def _entity_matrix(items: Sequence[Item], vocab: dict[str, int]) -> tuple[list, list, list]:
    """Sparse (rows, cols, values) of unit-length binary entity vectors; ``vocab`` grows as names come."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, it in enumerate(items):
        names = {n.casefold() for n in it.entities}
        for n in names:
            rows.append(i)
            cols.append(vocab.setdefault(n, len(vocab)))
            vals.append(1.0 / math.sqrt(len(names)))
    return rows, cols, vals


def parts(a: Sequence[Item], b: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
    """The two parts of the similarity of every article of ``a`` with every one of ``b``: the cosine of
    their embeddings and the overlap of their salient names."""
    from scipy.sparse import csr_matrix

    if not a or not b:
        return np.zeros((len(a), len(b))), np.zeros((len(a), len(b)))
    va = np.stack([x.vector for x in a]).astype(np.float64)
    vb = np.stack([x.vector for x in b]).astype(np.float64)
    vocab: dict[str, int] = {}
    ea, eb = _entity_matrix(a, vocab), _entity_matrix(b, vocab)
    ma = csr_matrix((ea[2], (ea[0], ea[1])), shape=(len(a), len(vocab) or 1))
    mb = csr_matrix((eb[2], (eb[0], eb[1])), shape=(len(b), len(vocab) or 1))
    return va @ vb.T, (ma @ mb.T).toarray()


def mix(embedded: np.ndarray, names: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` × embedding cosine + the rest × name overlap, rounded (so BLAS order never decides)."""
    return np.round(weight * embedded + (1 - weight) * names, ROUND)


def content(a: Sequence[Item], b: Sequence[Item]) -> np.ndarray:
    """Story-level content similarity of every article of ``a`` with every one of ``b``."""
    return mix(*parts(a, b), EMBED_WEIGHT)


def topic_similarity(a: Sequence[Item], b: Sequence[Item], embedded: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Topic-level similarity of every article of ``a`` with every one of ``b`` (``embedded`` and ``names``:
    their :func:`parts`): names weigh more than at the story level, and time less."""
    return mix(embedded, names, TOPIC_EMBED_WEIGHT) - time_penalty(a, b, TOPIC_TIME_PENALTY)


def linked(a: Sequence[Item], b: Sequence[Item], embedded: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The edges of the component graph: the pairs similar enough for average-link ever to join them, in
    one story (story-level content, before any time penalty) or in one topic."""
    return (mix(embedded, names, EMBED_WEIGHT) >= STORY_THRESHOLD) | (
        topic_similarity(a, b, embedded, names) >= TOPIC_THRESHOLD
    )


def time_penalty(a: Sequence[Item], b: Sequence[Item], per: float = TIME_PENALTY) -> np.ndarray:
    """What two dated articles lose for the days between them, ``per`` unit of log(1 + days / TIME_SCALE)
    (zero when either date is unknown)."""
    da = np.array([x.published.toordinal() if x.published else np.nan for x in a], dtype=np.float64)
    db = np.array([x.published.toordinal() if x.published else np.nan for x in b], dtype=np.float64)
    days = np.abs(da[:, None] - db[None, :])
    return np.round(np.nan_to_num(per * np.log1p(days / TIME_SCALE), nan=0.0), ROUND)


def similarity(a: Item, b: Item) -> float:
    """The story-level similarity of two articles (content less the time penalty)."""
    return float(content([a], [b])[0, 0] - time_penalty([a], [b])[0, 0])


# --------------------------------------------------------------------------------------------------
# Clustering


def _average_link_over(groups: list[list[int]], sim: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-link agglomeration of whole ``groups`` (lists of rows of ``sim``) while the best average
    similarity between two groups is at least ``threshold``.

    The average similarity of two groups is the mean over their cross pairs alone, whatever is inside
    each, so this is scipy's average linkage from single articles with every within-group distance set
    to 0 and every cross distance raised by a constant: the groups form first, then merge exactly as
    groups would (ties go to the earliest pair: rows are in canonical order)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(groups) < 2:
        return [sorted(g) for g in groups]
    rows = [r for g in groups for r in g]
    label = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    offset = 2.0
    dist = offset + np.clip(1.0 - sim[np.ix_(rows, rows)], 0.0, None)
    dist[label[:, None] == label[None, :]] = 0.0
    tree = linkage(dist[np.triu_indices(len(rows), k=1)], method="average")
    cut = fcluster(tree, offset + 1.0 - threshold + 1e-9, criterion="distance")
    by: dict[int, list[int]] = {}
    for r, lab in zip(rows, cut, strict=True):
        by.setdefault(int(lab), []).append(r)
    return [sorted(g) for g in by.values()]


def cluster(items: Sequence[Item]) -> list[list[list[str]]]:
    """Topics, each a list of stories, each a list of article ids: the whole clustering of ``items``."""
    return [topic for comp in cluster_components(items) for topic in comp]


def cluster_components(items: Sequence[Item]) -> list[list[list[list[str]]]]:
    """The clustering of ``items`` by connected component: components → topics → stories → article ids.

    A pure function of the set of items (they are put in canonical order first)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    items = sorted(items, key=lambda x: x.key)
    if not items:
        return []
    embedded, names = parts(items, items)
    sim = mix(embedded, names, EMBED_WEIGHT)
    story_sim = sim - time_penalty(items, items)
    topic_sim = topic_similarity(items, items, embedded, names)
    n_comp, labels = connected_components(csr_matrix(linked(items, items, embedded, names)), directed=False)
    comps: dict[int, list[int]] = {}
    for i, c in enumerate(labels):
        comps.setdefault(int(c), []).append(i)
    out: list[list[list[list[str]]]] = []
    for rows in sorted(comps.values(), key=lambda r: r[0]):
        topics: list[list[list[str]]] = []
        if len(rows) == 1:
            stories = [rows]
        else:
            block = story_sim[np.ix_(rows, rows)]
            dist = 1.0 - block[np.triu_indices(len(rows), k=1)]
            tree = linkage(np.clip(dist, 0.0, None), method="average")
            cut = fcluster(tree, 1.0 - STORY_THRESHOLD + 1e-9, criterion="distance")
            by: dict[int, list[int]] = {}
            for r, lab in zip(rows, cut, strict=True):
                by.setdefault(int(lab), []).append(r)
            stories = sorted((sorted(g) for g in by.values()), key=lambda g: g[0])
        local = {r: k for k, r in enumerate(rows)}
        grouped = _average_link_over([[local[r] for r in s] for s in stories], topic_sim[np.ix_(rows, rows)],
                                     TOPIC_THRESHOLD)
        for topic in sorted(grouped, key=lambda g: g[0]):
            inside = {rows[k] for k in topic}
            members = [s for s in stories if s[0] in inside]
            topics.append([[items[r].id for r in s] for s in members])
        out.append(topics)
    return out


def canonical(items: Iterable[Item]) -> Item:
    return min(items, key=lambda x: x.key)


def story_id(members: Iterable[Item]) -> str:
    return "s" + hashlib.sha1(canonical(members).id.encode("utf-8")).hexdigest()[:10]


def topic_id(members: Iterable[Item]) -> str:
    return "t" + hashlib.sha1(canonical(members).id.encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------------------------------
# Titles

# Words that say what kind of article it is, not what happened (beyond the shared stop words).
GENERIC = {"people", "news", "report", "reports", "reported", "week", "weeks", "day", "days", "today",
           "yesterday", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
           "sunday", "month", "months", "years", "government", "country", "world", "including", "like",
           "just", "told", "added", "think", "going", "want", "know", "make", "made", "need", "way",
           "thing", "things", "lot", "got", "get", "come", "came", "went", "cnn", "bbc", "reuters", "ap",
           "afp", "image", "photo", "video", "copyright", "click", "story", "updated", "says", "adds",
           "aired", "editor", "edition", "cents", "january", "february", "march", "april", "june", "july",
           "august", "september", "october", "november", "december", "continue", "continued", "began",
           "begins", "given", "carried", "local", "officials", "official", "statement", "latest", "early",
           "late", "later", "percent", "number", "following", "asked", "called", "according"}


def busiest(members: Sequence[Item]) -> list[Item]:
    """The members of the busiest week (most articles; the earliest such week), or all when undated."""
    dated = [m for m in members if m.published]
    if not dated:
        return list(members)
    weeks = Counter(m.published.isocalendar()[:2] for m in dated)  # type: ignore[union-attr]
    top = max(weeks.values())
    week = min(w for w, n in weeks.items() if n == top)
    return [m for m in dated if m.published.isocalendar()[:2] == week]  # type: ignore[union-attr]


def title(members: Sequence[Item]) -> str:
    """The headline of the member closest to the centre, in its busiest week; without usable headlines,
    its leading entities and event words ("Mubarak, Egypt, Cairo: protests, protesters")."""
    members = sorted(members, key=lambda m: m.key)
    centre = np.mean(np.stack([m.vector for m in members]), axis=0) if members else None
    for pool in (busiest(members), members):
        with_headline = [m for m in pool if m.headline]
        if with_headline and centre is not None:
            best = max(with_headline, key=lambda m: (round(float(m.vector @ centre), ROUND), [-ord(c) for c in m.id]))
            return best.headline  # type: ignore[return-value]
    return described(members)


def described(members: Sequence[Item]) -> str:
    """A title made of the members' leading entities and event words, for headline-less articles: the
    names and words most members share, ties going to those that come first in the articles (their
    salience order, the lead's word order: a single article is named by what it opens with, never by the
    alphabet); clock times, time zones and time stamps ("BST", "22:17 GMT", "Thu May 14") are not names."""
    names: Counter[str] = Counter()
    rank: dict[str, int] = {}
    shown: dict[str, Counter[str]] = {}
    for m in members:
        kept = [n for n in m.entities if not not_a_name(n)]
        for k, n in enumerate(dict.fromkeys(kept[:5])):
            names[n.casefold()] += 1
            rank[n.casefold()] = min(rank.get(n.casefold(), k), k)
            shown.setdefault(n.casefold(), Counter())[n] += 1
    order = sorted(names, key=lambda f: (-names[f], rank[f], f))
    lead = [min(shown[f], key=lambda s: (-shown[f][s], s)) for f in order][:3]
    taken = {stem(w.casefold()) for n in lead for w in words(n)}
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    surface: dict[str, Counter[str]] = {}
    for m in members:
        seen = set()
        for k, w in enumerate(m.words):
            if len(w) < 4 or w in GENERIC or w in EXTRA_STOP or not content_terms(w):
                continue
            s = stem(w)
            if s in taken or s in seen:
                continue
            seen.add(s)
            counts[s] += 1
            first[s] = min(first.get(s, k), k)
            surface.setdefault(s, Counter())[w] += 1
    event = [min(surface[s], key=lambda w: (-surface[s][w], w))
             for s in sorted(counts, key=lambda s: (-counts[s], first[s], s))][:3]
    if lead and event:
        return f"{', '.join(lead)}: {', '.join(event)}"
    return ", ".join(lead or event) or "Untitled story"


# --------------------------------------------------------------------------------------------------
# The incremental driver: one batch of new articles against what the store holds


def _features_row(it: Item, component: str) -> dict:
    return {"published": it.published.isoformat() if it.published else None, "vector": it.vector.tobytes(),
            "entities": list(it.entities), "headline": it.headline, "words": list(it.words),
            "component": component}


def _item_from_row(doc_id: str, row: dict) -> Item:
    return Item(doc_id, date.fromisoformat(row["published"]) if row["published"] else None,
                np.frombuffer(row["vector"], dtype=np.float32), tuple(row["entities"]), row["headline"],
                tuple(row["words"]))


def _span(members: Sequence[Item]) -> tuple[str | None, str | None]:
    dates = sorted(m.published for m in members if m.published)
    return (dates[0].isoformat(), dates[-1].isoformat()) if dates else (None, None)


def link_batch(store: Any, rows: list[dict], docs: list[Document], demoted: dict[str, str] | None = None) -> set[str]:
    """Cluster one batch of new, non-duplicate articles (``docs``) into the stored stories and topics,
    re-clustering only the components they touch; ``rows`` are the batch's dedup rows (``dedup.fold``),
    ``demoted`` the stored originals that became near-duplicates (→ their new original): they leave the
    clustering, as if they had never been originals. Saves the links in one transaction and returns the
    stories whose timelines must be rebuilt."""
    from .embed import stored

    demoted = demoted or {}
    new_ids = {d.id for d in docs}
    gone = store.documents(sorted(demoted)) if demoted else []
    # Outlet furniture: count this batch's lines (and no longer the demoted articles'); lines that become
    # furniture now, or stop being furniture, change older articles. An article's lines include those the
    # stored-text rule deleted from it (whether it did depends on what the outlet had sent before).
    stripped = store.stripped_lines([d.id for d in [*docs, *gone]])
    keys = {d.id: line_keys(d) | stripped.get(d.id, set()) for d in [*docs, *gone]}
    delta: dict[str, Counter[str]] = {}
    for d, sign in [*((d, 1) for d in docs), *((d, -1) for d in gone)]:
        if d.outlet:
            delta.setdefault(d.outlet, Counter()).update(dict.fromkeys(keys[d.id], sign))
    changed: set[str] = set()
    for outlet, c in delta.items():
        before = store.line_counts(outlet, c)
        least = furniture.LINK_MIN_ARTICLES
        crossing = [k for k, n in c.items() if (before.get(k, 0) >= least) != (before.get(k, 0) + n >= least)]
        changed |= store.documents_with_lines(outlet, crossing) - new_ids - demoted.keys()
    old_docs = store.documents(sorted(changed)) if changed else []
    stripped = store.stripped_lines(sorted(changed))
    for d in old_docs:
        keys[d.id] = line_keys(d) | stripped.get(d.id, set())

    def furniture_of(d: Document) -> set[str]:
        if not d.outlet:
            return set()
        known = store.line_counts(d.outlet, keys[d.id])
        extra = delta.get(d.outlet, Counter())
        return {k for k in keys[d.id] if known.get(k, 0) + extra.get(k, 0) >= furniture.LINK_MIN_ARTICLES}

    # Features of the new articles and of the older ones whose furniture changed (embedded again).
    fixtures = {d.id: furniture_of(d) for d in [*docs, *old_docs]}
    texts = [embed_text(d, fixtures[d.id]) for d in [*docs, *old_docs]]
    embedded = stored(store, set(texts))  # a cache, kept even if this batch's links roll back
    vectors = [embedded[t] for t in texts]
    by_doc: dict[str, list[Entity]] = {}
    for e in store.entities(sorted(new_ids | changed)) if new_ids | changed else []:
        by_doc.setdefault(e.document, []).append(e)
    fresh = {d.id: item(d, v, by_doc.get(d.id, []), fixtures[d.id]) for d, v in zip([*docs, *old_docs], vectors,
                                                                                         strict=True)}

    # The components these articles touch: their neighbours' (and the changed articles' own).
    stored = {r["document"]: r for r in store.features()}
    others = [_item_from_row(i, r) for i, r in stored.items() if i not in fresh and i not in demoted]
    # a demoted article's component loses it; its new original's story gains its near-duplicates
    touched = {stored[c]["component"] for c in [*changed, *demoted, *demoted.values()] if c in stored}
    if others and fresh:
        edges = linked(list(fresh.values()), others, *parts(list(fresh.values()), others))
        touched |= {stored[others[j].id]["component"] for j in np.nonzero(edges.any(axis=0))[0]}
    work = list(fresh.values()) + [o for o in others if stored[o.id]["component"] in touched]
    items = {it.id: it for it in work}

    # Re-cluster them; ids follow canonical members, vanished ids redirect to where their canonical went.
    before_state = store.cluster_state(sorted(items.keys() | demoted.keys()))
    clusters: dict[str, Any] = {"assign": {}, "stories": {}, "topics": {}, "redirects": {}}
    feats: dict[str, dict] = {}
    topic_of_doc: dict[str, str] = {}
    for comp in cluster_components(work):
        comp_members = [items[i] for topic in comp for story in topic for i in story]
        comp_id = "c" + canonical(comp_members).id
        for topic in comp:
            t_members = [items[i] for story in topic for i in story]
            tid = topic_id(t_members)
            first, last = _span(t_members)
            clusters["topics"][tid] = {"title": title(t_members), "canonical": canonical(t_members).id,
                                       "first": first, "last": last}
            for story in topic:
                members = [items[i] for i in story]
                sid = story_id(members)
                first, last = _span(members)
                clusters["stories"][sid] = {"title": title(members), "size": len(members), "first": first,
                                            "last": last, "topic": tid, "canonical": canonical(members).id}
                for m in members:
                    clusters["assign"][m.id] = sid
                    topic_of_doc[m.id] = tid
        for m in comp_members:
            feats[m.id] = _features_row(m, comp_id)
    new_members: dict[str, set[str]] = {}
    for doc_id, sid in clusters["assign"].items():
        new_members.setdefault(sid, set()).add(doc_id)
    # A story is gone when none of its articles is left outside the re-clustered ones (a hand correction
    # can hold articles of several components in one story: it keeps its id, and the overlay re-applies).
    removed = {sid for sid, old in before_state.items()
               if sid not in clusters["stories"] and old["members"] <= items.keys() | demoted.keys()}
    old_topics = {s["topic"] for s in before_state.values() if s["topic"]}
    for sid in removed:
        old = before_state[sid]
        anchor = demoted.get(old["canonical"], old["canonical"])  # a demoted article went with its original
        if anchor not in clusters["assign"]:
            anchor = min(old["members"], default=None)
            anchor = demoted.get(anchor, anchor)  # type: ignore[arg-type]
        if anchor in clusters["assign"]:
            clusters["redirects"][sid] = clusters["assign"][anchor]
            if old["topic"] and old["topic"] not in clusters["topics"]:
                clusters["redirects"][old["topic"]] = topic_of_doc[anchor]
    for tid in old_topics - set(clusters["topics"]):  # a topic whose stories all stayed but regrouped
        if tid not in clusters["redirects"]:
            anchor = next((s["canonical"] for s in before_state.values() if s["topic"] == tid
                           and s["canonical"] in topic_of_doc), None)
            if anchor:
                clusters["redirects"][tid] = topic_of_doc[anchor]
    clusters["removed_stories"] = sorted(removed)
    clusters["removed_topics"] = sorted(old_topics - set(clusters["topics"]))
    clusters["dirty"] = {sid for sid, m in new_members.items()  # new members, or a new title (in its record)
                         if m != before_state.get(sid, {}).get("members")
                         or clusters["stories"][sid]["title"] != before_state.get(sid, {}).get("title")} | removed
    lines = {d.id: {"outlet": d.outlet, "keys": keys[d.id], "n": 1} for d in docs}
    lines |= {d.id: {"outlet": d.outlet, "keys": keys[d.id], "n": -1} for d in gone}
    store.save_links(rows, lines, feats, clusters)
    return clusters["dirty"]
