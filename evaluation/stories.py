"""Story clustering: does Storyline put the articles of one story together, and only those?

Two corpora with known stories, each clustered on its own:

* T17 (``timeline17``): 4,650 articles (25 empty files skipped) from 9 news topics — gold = topic;
* MEANTIME English (``meantime_english``): 120 Wikinews articles in 4 story corpora — gold = corpus.

``storyline`` is the real product path: Documents are ingested into a temporary Store in publication
order (a news stream), then ``pipeline.annotate_pending`` (sentences, entities, quotes, dates) and
``pipeline.link_pending`` (near-duplicate folding and incremental single-pass story assignment with
Storyline's shipped threshold); each article's story is read back from the store (exact duplicate texts,
stored once, get their original's story).

Baselines, in the same run on the same texts: TF-IDF (scikit-learn, sublinear tf, English stop words)
with average-link agglomerative clustering on cosine distance (scipy), cut

* at the distance threshold that maximises pairwise F1 on the *other* corpus (never on the one scored), and
* at the gold number of clusters (an oracle: it is told how many stories there are).

Metrics (``evaluation.metrics``): pairwise P/R/F1 as Priberam's news-clustering scorer, and B-cubed.
By default every article is cut to its first ``LEAD_WORDS`` words for all systems (see there: whole-T17
annotation is ~25 min on 2 cores); the result's notes say so.

Two more tables (``extra``) use MEANTIME's event annotation: the dates Storyline gives sentences, against
the annotated event time anchors, beside the publication-date baseline (:func:`anchoring`); and how well
Storyline merges mentions of one event across articles, beside merging by day (:func:`event_coreference`).
"""

from __future__ import annotations

import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from storyline.model import Document, Mention

from . import EVAL_EXTRA, dataset_dir
from .metrics import bcubed, pairwise

CORPORA = ("t17", "meantime")
# The whole of T17 (5.8M words) through spaCy NER and quote parsing takes ~0.6 s per article on one core
# (measured: 108 articles, 176k words, 68 s), i.e. ~25 min on 2 cores; the first 400 words take a third of
# that. Story features read only the headline, the first 250 words and the entities, so leads are the
# default here; ``lead_words=None`` runs whole articles.
LEAD_WORDS = 400
PEERS = ("tfidf-avglink", "minilm-avglink", "bertopic")
COLUMNS = ["dataset", "pairwise_f1", "pairwise_p", "pairwise_r", "bcubed_f1", "bcubed_p", "bcubed_r",
           "clusters", "gold_clusters", "documents", "seconds"]


# --------------------------------------------------------------------------------------------------
# Corpora: (Document, gold story) pairs in publication order


def t17_documents(datasets: Path | None = None, per_story: int | None = None) -> list[tuple[Document, str]]:
    """Non-empty T17 articles (detokenised, dated by their folder) with their topic, in publication order;
    with ``per_story``, only the earliest N of each topic are read."""
    from .t17 import read_article, topic_of

    root = dataset_dir("timeline17", datasets) / "data"
    files = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("InputDocs/*/*")):
            if f.is_file() and f.stat().st_size > 0:
                doc_id = f"t17/{folder.name}/{f.parent.name}/{f.name}"
                files.append((date.fromisoformat(f.parent.name), doc_id, f))
    files.sort(key=lambda x: (x[0], x[1]))
    count: dict[str, int] = defaultdict(int)
    out = []
    for published, doc_id, f in files:
        folder = f.parents[2].name
        topic = topic_of(folder)
        if per_story is not None and count[topic] >= per_story:
            continue
        text = read_article(f)
        if not text.strip():
            continue
        count[topic] += 1
        out.append((Document(id=doc_id, text=text, outlet=folder.split("_", 1)[-1], outlet_source="metadata",
                             published=published, published_source="metadata", path=str(f)), topic))
    return out


def meantime_document(path: Path) -> Document:
    """A MEANTIME CAT file → Document: sentence 0 is the headline, the rest (dateline first) the text."""
    from storyline.annotate.dates import resolve

    from .t17 import _detokenizer

    root = ET.parse(path).getroot()
    sents: dict[int, list[str]] = defaultdict(list)
    for tok in root.iter("token"):
        sents[int(tok.get("sentence", "0"))].append(tok.text or "")
    lines = [_detokenizer().detokenize(sents[i]) for i in sorted(sents)]
    dct = next((t.get("value") or "" for t in root.iter("TIMEX3")
                if t.get("functionInDocument") == "CREATION_TIME"), "")
    try:
        published: date | None = date.fromisoformat(dct[:10])
    except ValueError:  # one file has "03-02-2009": fall back to the dateline ("February 03, 2009")
        found = [t for t in resolve(lines[1], None) if t.granularity == "day"] if len(lines) > 1 else []
        published = found[0].value if found else None
    return Document(id=f"meantime/{path.stem}", text="\n".join(lines[1:]),
                    title=lines[0] if lines else None, url=root.get("url"), outlet="Wikinews",
                    outlet_source="metadata", published=published,
                    published_source="metadata" if published else "unknown", path=str(path))


def meantime_documents(datasets: Path | None = None,
                       per_story: int | None = None) -> list[tuple[Document, str]]:
    """The 120 MEANTIME English articles with their story corpus (airbus, apple, gm, stock)."""
    root = dataset_dir("meantime_english", datasets) / "intra_cross-doc_annotation"
    out = [(meantime_document(f), f.parent.name.removeprefix("corpus_"))
           for f in sorted(root.glob("*/*.xml"))]
    out.sort(key=lambda x: (x[0].published or date.min, x[0].id))
    return take(out, per_story)


def take(items: list[tuple[Document, str]], per_story: int | None) -> list[tuple[Document, str]]:
    """At most ``per_story`` articles of each gold story (the earliest), keeping publication order."""
    if per_story is None:
        return items
    seen: dict[str, int] = defaultdict(int)
    out = []
    for doc, gold in items:
        if seen[gold] < per_story:
            seen[gold] += 1
            out.append((doc, gold))
    return out


def leads(items: list[tuple[Document, str]], words: int) -> list[tuple[Document, str]]:
    """The same articles cut to their first ``words`` words (line breaks kept), for a faster annotate."""
    out = []
    for doc, gold in items:
        kept, n = [], 0
        for line in doc.text.split("\n"):
            w = line.split()
            if n + len(w) > words:
                kept.append(" ".join(w[: words - n]))
                break
            kept.append(line)
            n += len(w)
        text = "\n".join(x for x in kept if x.strip())
        out.append((Document(id=doc.id, text=text, title=doc.title, url=doc.url, outlet=doc.outlet,
                             outlet_source=doc.outlet_source, published=doc.published,
                             published_source=doc.published_source, path=doc.path), gold))
    return out


# --------------------------------------------------------------------------------------------------
# Systems


def _labels(store: Any, docs: Sequence[Document]) -> tuple[list[str], list[str]]:
    """(story, topic) of each document as stored (an exact duplicate text, stored once, gets its original's)."""
    topic_of = {s["id"]: s["topic"] for s in store.stories()}
    stories, topics = [], []
    for d in docs:
        sid = store.story_of(d.id)
        if sid is None:
            original = store.has_document(hash=d.hash)
            sid = store.story_of(original) if original else None
        stories.append(sid or f"unlinked:{d.id}")
        topics.append(topic_of.get(sid) or f"unlinked:{d.id}")
    return stories, topics


def storyline_runs(docs: Sequence[Document], workers: int = 1, progress: Any = None, orders: int = 3,
                   workdir: Path | None = None, link_batch: int | None = None,
                   ) -> tuple[list[tuple[list[str], list[str]]], Any]:
    """(stories, topics) of each document after the real ingest → annotate → link pipeline, once in
    publication order and then ``orders - 1`` more times with the articles arriving in shuffled orders
    (the links are reset and made again; the per-document annotations, a pure function of each article,
    and the embeddings of texts are kept), and the sentence embedding Storyline gave each document (the
    peers cluster the same vectors). ``workdir``: keep the database there (``<workdir>/eval.db``), so a
    later run reuses the annotations and embeddings of the same articles. ``link_batch``: articles linked
    at a time (default: the pipeline's); the partition does not depend on it, the time does."""
    import random

    import numpy as np

    from storyline.run import pipeline
    from storyline.store import Store

    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as tmp:
        path = Path(workdir or tmp) / "eval.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        with Store(path) as store:
            pipeline.ingest(store, docs)
            pipeline.annotate_pending(store, workers=workers, progress=progress)
            ids = [d.id for d in store.documents()]
            runs = []
            for k in range(orders):
                order = sorted(ids, key=lambda i: (str(store.document(i).published), i))  # type: ignore[union-attr]
                if k:
                    random.Random(k).shuffle(order)
                store.reset_links(order)
                pipeline.link_pending(store, progress=progress, **({"batch": link_batch} if link_batch else {}))
                runs.append(_labels(store, docs))
            vector = {r["document"]: np.frombuffer(r["vector"], dtype=np.float32) for r in store.features()}
            for d in store.documents():  # a near-duplicate has its original's vector
                original = store.document_links(d.id).get("duplicate_of")
                if d.id not in vector and original in vector:
                    vector[d.id] = vector[original]
            zero = np.zeros(next(iter(vector.values())).shape, dtype=np.float32) if vector else None
            vectors = np.stack([vector.get(store.has_document(d.id, d.hash) or d.id, zero) for d in docs]) \
                if vector else None
            return runs, vectors


def _tfidf_distances(docs: Sequence[Document]) -> Any:
    """Condensed cosine distances between TF-IDF vectors of headline + text."""
    import numpy as np
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    texts = [f"{d.title}\n{d.text}" if d.title else d.text for d in docs]
    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    dist = cosine_distances(X)
    np.fill_diagonal(dist, 0.0)
    return squareform(np.clip((dist + dist.T) / 2, 0.0, None), checks=False)


def average_link(docs: Sequence[Document], vectors: Any = None) -> Any:
    """The average-link dendrogram (scipy linkage matrix) over cosine distances: of the documents' TF-IDF
    vectors, or of ``vectors`` (sentence embeddings) when given."""
    import numpy as np
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    if vectors is None:
        return linkage(_tfidf_distances(docs), method="average")
    dist = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    return linkage(squareform((dist + dist.T) / 2, checks=False), method="average")


def cut(tree: Any, threshold: float | None = None, k: int | None = None) -> list[int]:
    from scipy.cluster.hierarchy import fcluster

    if k is not None:
        return [int(x) for x in fcluster(tree, k, criterion="maxclust")]
    return [int(x) for x in fcluster(tree, threshold, criterion="distance")]


def best_threshold(tree: Any, gold: Sequence[str]) -> float:
    """The cut distance (grid 0.05..1.00, step 0.01) with the best pairwise F1 on a development corpus."""
    grid = [round(0.05 + 0.01 * i, 2) for i in range(96)]
    return max(grid, key=lambda t: (pairwise(gold, cut(tree, t))["f1"], -t))


def bertopic_topics(docs: Sequence[Document], vectors: Any) -> list[int]:
    """BERTopic (UMAP + HDBSCAN over the same MiniLM vectors, the shipped model given as its encoder: no
    hub download), its outliers assigned to their nearest topic by embedding (``reduce_outliers``)."""
    from bertopic import BERTopic
    from umap import UMAP

    from storyline.link.embed import model
    from storyline.link.stories import embed_text

    texts = [embed_text(d, set()) or d.text[:200] for d in docs]
    if len(docs) < 20:  # UMAP and HDBSCAN need more points than their neighbourhoods hold
        return [0] * len(docs)
    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
    topic_model = BERTopic(embedding_model=model(), umap_model=umap, calculate_probabilities=False)
    labels, _ = topic_model.fit_transform(texts, embeddings=vectors)
    if any(label == -1 for label in labels) and len(set(labels)) > 1:
        labels = topic_model.reduce_outliers(texts, labels, strategy="embeddings", embeddings=vectors)
    return [int(x) for x in labels]


# --------------------------------------------------------------------------------------------------
# MEANTIME event time anchors: are the dates Storyline gives sentences the dates of their events?

_WITHIN = {"IS_INCLUDED", "SIMULTANEOUS"}  # event → timex: the event happened within that time
_CONTAINS = {"INCLUDES", "SIMULTANEOUS"}  # timex → event


def _event_mention_sentences(root: ET.Element) -> dict[str | None, int]:
    """EVENT_MENTION m_id → the sentence of its first token."""
    sentence_of = {t.get("t_id"): int(t.get("sentence", "0")) for t in root.iter("token")}
    out = {}
    for ev in root.iter("EVENT_MENTION"):
        anchors = [sentence_of.get(a.get("t_id")) for a in ev.iter("token_anchor")]
        if anchors and anchors[0] is not None:
            out[ev.get("m_id")] = anchors[0]
    return out


def meantime_anchors(path: Path) -> set[tuple[int, date]]:
    """Gold (sentence, day) pairs: an annotated event in that sentence is anchored by a TLINK to a TIMEX3
    whose value is a calendar day (the creation time included). Sentence 0 is the headline."""
    root = ET.parse(path).getroot()
    events = _event_mention_sentences(root)
    days: dict[str | None, date] = {}
    for tx in root.iter("TIMEX3"):
        try:
            days[tx.get("m_id")] = date.fromisoformat((tx.get("value") or "")[:10])
        except ValueError:
            continue
    gold = set()
    for link in root.iter("TLINK"):
        src, tgt = link.find("source"), link.find("target")
        if src is None or tgt is None:
            continue
        a, b, rel = src.get("m_id"), tgt.get("m_id"), link.get("reltype")
        if a in events and b in days and rel in _WITHIN:
            gold.add((events[a], days[b]))
        elif a in days and b in events and rel in _CONTAINS:
            gold.add((events[b], days[a]))
    return gold


def anchoring(datasets: Path | None = None, per_story: int | None = None) -> dict:
    """Precision of the day Storyline gives each dated sentence (``annotate.event_mentions``), against the
    gold anchors of the events in that sentence, beside the publication-date baseline on the same sentences
    (the classic strong baseline: most news events happen on the day of the report)."""
    from storyline.annotate.document import event_mentions
    from storyline.annotate.nlp import split_sentences

    root = dataset_dir("meantime_english", datasets) / "intra_cross-doc_annotation"
    files = sorted(root.glob("*/*.xml"))
    if per_story is not None:
        by_story: dict[str, list[Path]] = defaultdict(list)
        for f in files:
            by_story[f.parent.name].append(f)
        files = [f for fs in by_story.values() for f in fs[:per_story]]
    t0 = time.perf_counter()
    ours = dct = judged = anchored = 0
    covered_gold = gold_total = 0
    for f in files:
        doc = meantime_document(f)
        gold = meantime_anchors(f)
        gold_sentences = {s for s, _ in gold}
        gold_total += len(gold)
        sentences = split_sentences(doc.id, doc.text)
        paragraph_of = {s.index: s.paragraph + 1 for s in sentences}  # text starts at MEANTIME sentence 1
        claims = {(paragraph_of[m.sentence], m.date) for m in event_mentions(doc, sentences)
                  if m.granularity == "day"}
        claims = {c for c in claims if c[0] in gold_sentences}  # only sentences the annotators anchored
        judged += len(claims)
        ours += len(claims & gold)
        covered_gold += len({g for g in gold if g in claims})
        if doc.published:
            dated = {s for s, _ in claims}
            anchored += len(dated)
            dct += sum(1 for s in dated if (s, doc.published) in gold)
    seconds = time.perf_counter() - t0
    rows = [
        {"system": "storyline", "date_precision": ours / judged if judged else 0.0, "judged": judged,
         "gold_recall": covered_gold / gold_total if gold_total else 0.0, "seconds": round(seconds, 1)},
        {"system": "publication date", "date_precision": dct / anchored if anchored else 0.0,
         "judged": anchored, "gold_recall": None, "seconds": 0.0},
    ]
    return {"benchmark": "stories: MEANTIME event dates", "primary": "date_precision", "rows": rows,
            "documents": len(files), "gold_anchors": gold_total,
            "notes": ["judged = (sentence, day) claims made by storyline on sentences holding an anchored "
                      "gold event; the publication-date row dates those same sentences by the article's "
                      "date; gold_recall = share of all gold (sentence, day) anchors that storyline states"]}


def meantime_instances(path: Path) -> dict[int, set[str]]:
    """Sentence → the cross-document event instances annotated in it (EVENT_MENTION → REFERS_TO → EVENT
    with an ``instance_id``; grammatical events have none). Sentence 0 is the headline."""
    root = ET.parse(path).getroot()
    mention_sentence = _event_mention_sentences(root)
    instance = {ev.get("m_id"): ev.get("instance_id") for ev in root.iter("EVENT") if ev.get("instance_id")}
    out: dict[int, set[str]] = defaultdict(set)
    for rel in root.iter("REFERS_TO"):
        target = rel.find("target")
        if target is None or target.get("m_id") not in instance:
            continue
        for src in rel.findall("source"):
            sentence = mention_sentence.get(src.get("m_id"))
            if sentence is not None:
                out[sentence].add(instance[target.get("m_id")])  # type: ignore[index]
    return out


def cross_document_pairs(units: Sequence[tuple[str, Any, frozenset[str]]]) -> dict[str, float]:
    """Pairwise P/R/F1 over pairs of units from *different* documents: predicted together = same predicted
    event; gold together = the two sentences share an annotated event instance. (Gold is a relation, not a
    partition, since a sentence can report several events, so the partition scorers do not apply.)"""
    tp = pred = gold = 0
    for i, (doc_a, event_a, inst_a) in enumerate(units):
        for doc_b, event_b, inst_b in units[i + 1:]:
            if doc_a == doc_b:
                continue
            together, same = event_a == event_b, bool(inst_a & inst_b)
            pred += together
            gold += same
            tp += together and same
    p, r = (tp / pred if pred else 0.0), (tp / gold if gold else 0.0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "pred_pairs": pred,
            "gold_pairs": gold}


MERGE_GRID = [(t, c) for t in (0.15, 0.2, 0.25, 0.3) for c in (0.3, 0.4, 0.5)]  # (same-day, coarser) cosines


def event_coreference(datasets: Path | None = None, per_story: int | None = None) -> dict:
    """How well Storyline merges mentions of one event across articles (``events.build_events``), on
    MEANTIME's cross-document event annotation, each gold story on its own; beside the same-day baseline,
    which merges every mention of one date (what a timeline without event merging shows as one entry).

    Two Storyline rows: the shipped thresholds, and thresholds chosen leave-one-story-out (for each of the
    four stories, the ``MERGE_GRID`` setting best on the other three, scored on it): the honest estimate of
    what choosing them on this data would give."""
    from storyline.annotate.document import event_mentions
    from storyline.annotate.nlp import split_sentences
    from storyline.link.events import build_events

    root = dataset_dir("meantime_english", datasets) / "intra_cross-doc_annotation"
    t0 = time.perf_counter()
    corpora: dict[str, list[tuple[Mention, frozenset[str]]]] = {}
    for corpus in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(corpus.glob("*.xml"))[:per_story] if per_story else sorted(corpus.glob("*.xml"))
        found = []
        for f in files:
            doc = meantime_document(f)
            gold = meantime_instances(f)
            sentences = split_sentences(doc.id, doc.text)
            paragraph_of = {s.index: s.paragraph + 1 for s in sentences}  # text starts at sentence 1
            for m in event_mentions(doc, sentences):
                found.append((m, frozenset(gold.get(paragraph_of[m.sentence], ()))))
        corpora[corpus.name] = found

    def units(name: str, setting: tuple[float, float] | None) -> list[tuple[str, Any, frozenset[str]]]:
        found = corpora[name]
        if setting is None:  # the same-day baseline
            return [(m.document, (name, m.date, m.granularity), inst) for m, inst in found]
        events = build_events(name, list(enumerate(m for m, _ in found)), *setting)
        event_of = {mid: k for k, (_, mids) in enumerate(events) for mid in mids}
        # a mention that joined no event (it cannot stand alone) is merged with nothing
        return [(m.document, (name, event_of.get(mid, f"alone:{mid}")), inst) for mid, (m, inst) in enumerate(found)]

    from storyline.link.events import COARSE_THRESHOLD, MERGE_THRESHOLD

    shipped = (MERGE_THRESHOLD, COARSE_THRESHOLD)
    grid = {(name, s): units(name, s) for name in corpora for s in MERGE_GRID}
    chosen = {}
    for held in corpora:
        others = [n for n in corpora if n != held]
        chosen[held] = max(MERGE_GRID, key=lambda s: (cross_document_pairs(
            [u for n in others for u in grid[(n, s)]])["f1"], s == shipped, s))
    seconds = time.perf_counter() - t0
    systems = {
        "storyline": [u for n in corpora for u in units(n, shipped)],
        "storyline (thresholds chosen leave-one-story-out)": [u for n in corpora for u in grid[(n, chosen[n])]],
        "same day": [u for n in corpora for u in units(n, None)],
    }
    rows = []
    for system, us in systems.items():
        sc = cross_document_pairs(us)
        rows.append({"system": system, "pairwise_f1": sc["f1"], "pairwise_p": sc["precision"],
                     "pairwise_r": sc["recall"], "pred_pairs": sc["pred_pairs"], "gold_pairs": sc["gold_pairs"],
                     "seconds": round(seconds, 1) if system == "storyline" else 0.0})
    found_all = [x for f in corpora.values() for x in f]

    def pairs(us: list[tuple[str, Any, frozenset[str]]]) -> dict[str, int]:
        sc = cross_document_pairs(us)
        right = round(sc["precision"] * sc["pred_pairs"])
        return {"right": right, "wrong": int(sc["pred_pairs"]) - right, "missed": int(sc["gold_pairs"]) - right}

    # Each story's pairs (right, wrong, missed) under each setting: with a few dozen gold pairs, one pair
    # decides a fold's choice, and this shows which story holds the evidence for which threshold.
    per_story = {n: {f"{s[0]}/{s[1]}": pairs(grid[(n, s)]) for s in MERGE_GRID} for n in corpora}
    return {"benchmark": "stories: MEANTIME cross-document events", "primary": "pairwise_f1", "rows": rows,
            "mentions": len(found_all), "mentions_with_gold_event": sum(1 for _, inst in found_all if inst),
            "shipped_thresholds": list(shipped),
            "chosen_thresholds": {n: list(s) for n, s in chosen.items()},
            "pairs_per_story": per_story,
            "notes": ["units = Storyline's dated mentions (sentence, day); pairs across documents of one gold "
                      "story; gold together = the two sentences share an annotated cross-document event "
                      "instance; 'same day' merges every mention of one date; thresholds = (same-day cosine, "
                      "month/year cosine)"]}


# --------------------------------------------------------------------------------------------------
# Benchmark


def _row(system: str, dataset: str, gold: Sequence[str], pred: Sequence[Any], seconds: float,
         **extra: Any) -> dict[str, Any]:
    pw, b3 = pairwise(gold, pred), bcubed(gold, pred)
    return {"system": system, "dataset": dataset, "pairwise_f1": pw["f1"], "pairwise_p": pw["precision"],
            "pairwise_r": pw["recall"], "bcubed_f1": b3["f1"], "bcubed_p": b3["precision"],
            "bcubed_r": b3["recall"], "clusters": len(set(pred)), "gold_clusters": len(set(gold)),
            "documents": len(gold), "seconds": round(seconds, 1), **extra}


def stability(runs: Sequence[Sequence[Any]]) -> float:
    """The lowest pairwise F1 between the partitions of any two runs (1.0: identical partitions)."""
    return min((pairwise(a, b)["f1"] for i, a in enumerate(runs) for b in runs[i + 1 :]), default=1.0)


def run(limit: int | None = None, datasets: Path | None = None, corpora: Sequence[str] = CORPORA,
        lead_words: int | None = LEAD_WORDS, workers: int | None = None, progress: bool = True,
        workdir: Path | None = None, orders: int = 3, peers: Sequence[str] = PEERS,
        link_batch: int | None = None) -> dict:
    """Cluster each corpus with Storyline and its peers; ``limit`` = at most N articles per gold story;
    ``lead_words`` = cut every article to its first N words first (None: whole articles); ``orders`` =
    how many arrival orders Storyline is run in (publication order, then shuffled) for the stability rows;
    ``workdir`` keeps each corpus's database there for the next run (see ``storyline_runs``)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    workers = workers or os.cpu_count() or 1
    loaders = {"t17": t17_documents, "meantime": meantime_documents}
    data = {name: loaders[name](datasets, limit) for name in corpora}
    if lead_words:
        data = {name: leads(items, lead_words) for name, items in data.items()}
    notes = [f"storyline: the real pipeline ({workers} annotate worker(s)); its 'topics' rows are scored against "
             "the gold grouping (T17: topic; MEANTIME: story corpus, a company followed over 5-7 years), its "
             "'stories' rows too (stories are single event chains, finer than either gold: low recall is by "
             "design); 'seconds' = ingest+annotate+link in every order for storyline, the clustering for the "
             "peers; the MiniLM peers cluster the very vectors Storyline embedded (headline + lead, outlet "
             "furniture left out)",
             "peers with a threshold cut it where pairwise F1 is best on the *other* corpus; 'oracle k' rows "
             "are told the gold number of clusters",
             f"stability: lowest pairwise F1 between Storyline's partitions of the corpus in {orders} arrival "
             "orders (publication order and shuffles), linked "
             + (f"{link_batch} articles at a time" if link_batch else "in the pipeline's batches")]
    if lead_words:
        notes.append(f"articles cut to their first {lead_words} words before annotation (all systems)")
    if limit is not None:
        notes.append(f"at most {limit} articles per gold story (a slice, not the full benchmark)")

    rows: list[dict[str, Any]] = []
    trees: dict[str, dict[str, Any]] = {}
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not progress) as bar:
        jobs: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in jobs:
                jobs[stage] = bar.add_task(f"stories: {stage}", total=total or None)
            bar.update(jobs[stage], completed=done, total=total or None)

        for name, items in data.items():
            docs, gold = [d for d, _ in items], [g for _, g in items]
            k = len(set(gold))
            jobs.clear()
            t0 = time.perf_counter()
            runs, vectors = storyline_runs(docs, workers, report, orders, workdir / name if workdir else None,
                                           link_batch)
            seconds = time.perf_counter() - t0
            rows.append(_row("storyline topics", name, gold, runs[0][1], seconds))
            rows.append(_row("storyline stories", name, gold, runs[0][0], seconds))
            rows.append({"system": f"storyline stability ({orders} orders)", "dataset": name,
                         "pairwise_f1": stability([r[1] for r in runs]),
                         "stories_pairwise_f1": stability([r[0] for r in runs]), "documents": len(docs)})
            if progress and not console.is_terminal:  # a log file gets one line per stage instead of bars
                console.log(f"stories: {name}: {len(docs)} articles, {orders} orders, {seconds:.0f}s")
            for task_id in jobs.values():
                bar.remove_task(task_id)
            trees[name] = {}
            for peer in ("tfidf-avglink", "minilm-avglink"):
                if peer in peers:
                    t0 = time.perf_counter()
                    trees[name][peer] = average_link(docs, vectors if peer.startswith("minilm") else None)
                    secs = time.perf_counter() - t0
                    rows.append(_row(f"{peer} (oracle k)", name, gold, cut(trees[name][peer], k=k), secs))
            if "bertopic" in peers:
                try:
                    t0 = time.perf_counter()
                    labels = bertopic_topics(docs, vectors)
                    rows.append(_row("bertopic (minilm)", name, gold, labels, time.perf_counter() - t0))
                except ImportError as exc:
                    notes.append(f"bertopic row left out: {exc} ({EVAL_EXTRA})")
    for name, items in data.items():
        others = [o for o in data if o != name]
        if not others:
            notes.append(f"{name}: no other corpus to choose the peers' thresholds on; rows left out")
            continue
        dev = others[0]
        gold = [g for _, g in items]
        for peer, tree in trees[name].items():
            threshold = best_threshold(trees[dev][peer], [g for _, g in data[dev]])
            row = _row(f"{peer} (threshold from {dev})", name, gold, cut(tree, threshold), 0.0, threshold=threshold)
            row["seconds"] = next(r["seconds"] for r in rows if r["dataset"] == name
                                  and r["system"] == f"{peer} (oracle k)")
            rows.append(row)
    rows.sort(key=lambda r: (CORPORA.index(r["dataset"]), not r["system"].startswith("storyline"), r["system"]))
    result = {"benchmark": "stories", "primary": "pairwise_f1", "columns": COLUMNS, "rows": rows,
              "notes": notes}
    if "meantime" in corpora:
        result["extra"] = [anchoring(datasets, limit), event_coreference(datasets, limit)]
    return result


def main(argv: Sequence[str] | None = None) -> None:
    import argparse
    import json
    import sys

    from . import _stamp

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, help="at most N articles per gold story")
    ap.add_argument("--datasets", type=Path)
    ap.add_argument("--corpora", nargs="*", choices=CORPORA, default=list(CORPORA))
    ap.add_argument("--lead-words", type=int, default=LEAD_WORDS, help="0 = whole articles")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--workdir", type=Path, help="keep each corpus's database here (annotations reused)")
    ap.add_argument("--orders", type=int, default=3, help="arrival orders for the stability rows")
    ap.add_argument("--peers", nargs="*", choices=PEERS, default=list(PEERS))
    ap.add_argument("--link-batch", type=int, help="articles linked at a time (default: the pipeline's 256)")
    args = ap.parse_args(argv)
    result = _stamp(run(args.limit, args.datasets, args.corpora, args.lead_words or None, args.workers,
                        workdir=args.workdir, orders=args.orders, peers=args.peers, link_batch=args.link_batch))
    json.dump(result, sys.stdout, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
