"""Timeline17 (T17) timeline summarisation, scored as news-tls does (Gholipour Ghalandari & Ifrim 2020).

Protocol (news-tls ``experiments/evaluate.py`` and ``news_tls/data.py``):

* the 17 topic_source folders are pooled into 9 topics; each of the 19 gold timelines is one task;
* the input is the topic's articles *published* within the gold timeline's first..last date, and only
  dates within that range may be predicted;
* the prediction has l = number of gold dates and k = round(mean gold sentences per date);
* only sentences containing one of the topic's query keywords may be output (news-tls ``sent_filter``:
  lower-cased substring test);
* metrics: tilse's alignment ROUGE ``evaluate_align_date_content_costs_many_to_one`` ("align+ m:1") with
  ROUGE-1 and ROUGE-2 (AR1, AR2), and date P/R/F1; precision and recall are averaged over the tasks and F1
  computed from the averages. ROUGE is the original ROUGE-1.5.5 (stemming, stop words removed), as in the
  paper, when perl's XML::Parser is present; otherwise tilse's reimplementation, and the result says so.

The dataset's own ``keywords.json`` files hold only the topic names ("bpoil"), which no sentence contains, so
the keywords are tilse's published T17 keyword mapping (Martschat & Markert 2018, tilse README/configs),
the query words the T17 line of work uses.

Systems, run in the same process on the same sentences and the same date tagger (``storyline.dates``):

* ``storyline``: Storyline's own pipeline pieces — ``split_sentences``, ``annotate.event_mentions`` (dates
  resolved against the folder's publication date), ``events.build_events`` (mentions of the same happening
  merged across articles) — and ``storyline.analysis.key_dates.short_timeline`` (what ``storyline timeline
  --dates N`` shows): dates ranked by the articles that mention them (corroboration; articles that recall a
  day later weigh more) and the articles published then, per date the k events with most sources ×
  centrality, each shown by its mention closest to the day's centroid. Its weights were chosen by
  leave-one-topic-out on T17 (BENCHMARKS.md).
* ``datewise``: our implementation of news-tls's DATEWISE with its unsupervised date ranker
  (``MentionCountDateRanker``: sentences whose first time expression is that day) instead of the paper's
  supervised regression, its ``PM_Mean_SentenceCollector`` (clip_sents=5, pub_end=2) and ``CentroidOpt``
  summariser over scikit-learn TF-IDF, with the same keyword filter.

Published rows are added only on the full protocol (all 19 timelines, whole date ranges).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import EVAL_EXTRA, dataset_dir
from .metrics import average_prf, date_prf

# tilse's T17 keyword mapping (github.com/smartschat/tilse README, "keyword_mapping"), keyed by our topics.
KEYWORDS: dict[str, list[str]] = {
    "bpoil": ["bp", "oil", "spill"],
    "EgyptianProtest": ["egypt", "egyptian"],
    "Finan": ["financial", "economic", "crisis"],
    "H1N1": ["h1n1", "swine", "flu"],
    "haiti": ["haiti", "quake", "earthquake"],
    "IraqWar": ["iraq", "iraqi"],
    "LibyaWar": ["libya", "libyan"],
    "MJ": ["michael", "jackson"],
    "SyrianCrisis": ["syria", "syrian"],
}

# news-tls ACL 2020 Table 4 (datasets/timeline17/RESULTS.md) and LLM-based systems as quoted in SUnSET.
_NEWS_TLS = "Gholipour Ghalandari & Ifrim, ACL 2020, Table 4 (T17)"
_SUNSET = "SUnSET, arXiv 2507.21903, T17 table, as quoted in the project issue (not re-checked here)"
PUBLISHED: list[dict[str, Any]] = [
    {"system": f"published:{name}", "ar1_f": a1, "ar2_f": a2, "date_f1": df, "source": src}
    for name, a1, a2, df, src in [
        ("SUnSET (Qwen2.5-72B)", 0.136, 0.044, 0.576, _SUNSET),
        ("SUnSET (GPT-4o)", None, None, 0.590, _SUNSET + " (Date-F1 only quoted)"),
        ("LLM-TLS (Llama-2-13B)", 0.118, 0.036, 0.528, _SUNSET),
        ("DATEWISE (supervised date ranker)", 0.120, 0.035, 0.544, _NEWS_TLS),
        ("CLUST", 0.082, 0.020, 0.407, _NEWS_TLS),
        ("MARTSCHAT2018", 0.105, 0.030, 0.544, _NEWS_TLS),
        ("TRAN2013", 0.094, 0.022, 0.517, _NEWS_TLS),
        ("PUBCOUNT", 0.105, 0.027, 0.481, _NEWS_TLS),
        ("CHIEU2004", 0.066, 0.019, 0.251, _NEWS_TLS),
        ("Text Oracle", 0.198, 0.073, 0.541, _NEWS_TLS + " (oracle: sees the gold summaries)"),
        ("Date Oracle", 0.179, 0.057, 0.926, _NEWS_TLS + " (oracle: sees the gold dates)"),
        ("Full Oracle", 0.312, 0.128, 0.926, _NEWS_TLS + " (oracle)"),
    ]
]
COLUMNS = ["ar1_f", "ar2_f", "date_f1", "ar1_p", "ar1_r", "ar2_p", "ar2_r", "date_p", "date_r", "timelines",
           "seconds"]

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_DASHES = "-" * 32


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(slots=True)
class Task:
    """One gold timeline: the unit news-tls scores."""

    topic: str
    name: str  # <topic_source>/<file>
    gold: dict[date, list[str]]
    dropped: list[str] = field(default_factory=list)  # gold blocks whose date line could not be read

    @property
    def start(self) -> date:
        return min(self.gold)

    @property
    def end(self) -> date:
        return max(self.gold)

    @property
    def l(self) -> int:  # noqa: E743 - the paper's name
        return len(self.gold)

    @property
    def k(self) -> int:
        """news-tls ``get_average_summary_length``: Python's round of the mean sentences per date."""
        return round(sum(len(s) for s in self.gold.values()) / len(self.gold))


@dataclass(slots=True)
class Article:
    id: str
    published: date
    text: str


@dataclass(slots=True)
class Annotated:
    """What both systems read from one article, computed once per article (in worker processes)."""

    id: str
    published: date
    sentences: list[str]
    first_day: list[date | None]  # day of each sentence's first time expression (news-tls semantics)
    mentions: list  # list[storyline.model.Mention]


def topic_of(folder: str) -> str:
    return folder.split("_", 1)[0]


def read_timeline(path: Path) -> tuple[dict[date, list[str]], list[str]]:
    """A tilse-format timeline (date line, sentences, 32 dashes); blocks with an unreadable date are dropped
    and returned (tilse would key them by None: MJ_bbc has "2011-04-0")."""
    gold: dict[date, list[str]] = {}
    dropped: list[str] = []
    day: date | None = None
    bad: str | None = None
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line == _DASHES:
            if day is not None and lines:
                gold.setdefault(day, []).extend(lines)
            elif bad is not None:
                dropped.append(f"{path.name}: date line {bad!r} ({len(lines)} sentences)")
            day, bad, lines = None, None, []
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
            day = date.fromisoformat(line)
        elif re.fullmatch(r"\d{4}-\d{1,2}-\d{0,2}", line):
            bad = line
        elif line:
            lines.append(line)
    if day is not None and lines:
        gold.setdefault(day, []).extend(lines)
    return gold, dropped


def load_tasks(root: Path, topics: Sequence[str] | None = None) -> list[Task]:
    """The gold timelines, ordered by topic then file (the order ``limit`` takes them in)."""
    tasks = []
    for folder in sorted(p for p in (root / "data").iterdir() if p.is_dir()):
        topic = topic_of(folder.name)
        if topics and topic not in topics:
            continue
        for f in sorted((folder / "timelines").glob("*.txt")):
            gold, dropped = read_timeline(f)
            if gold:
                tasks.append(Task(topic, f"{folder.name}/{f.name}", gold, dropped))
    tasks.sort(key=lambda t: (t.topic.lower(), t.name))
    return tasks


@lru_cache(maxsize=1)
def _detokenizer() -> Any:
    from nltk.tokenize.treebank import TreebankWordDetokenizer

    return TreebankWordDetokenizer()


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from nltk.tokenize.treebank import TreebankWordTokenizer

    return TreebankWordTokenizer()


def detokenize_line(line: str) -> str:
    """One PTB-tokenised line back to running text ("-LRB- 5 -RRB-" → "(5)", "`` x ''" → '"x"')."""
    return _detokenizer().detokenize([_PTB.get(t, t) for t in line.split()])


def tokenize(sentence: str) -> str:
    """Output sentences are PTB-tokenised like the gold ones (tilse splits summaries on whitespace)."""
    return " ".join(_tokenizer().tokenize(sentence))


def read_article(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(detokenize_line(ln) for ln in lines if ln.strip())


def load_articles(root: Path, topic: str, ranges: Iterable[tuple[date, date]]) -> list[Article]:
    """The topic's non-empty articles, pooled over its sources, published inside any of ``ranges``."""
    ranges = list(ranges)
    out = []
    for folder in sorted(p for p in (root / "data").iterdir() if p.is_dir() and topic_of(p.name) == topic):
        for day_dir in sorted((folder / "InputDocs").iterdir()):
            try:
                published = date.fromisoformat(day_dir.name)
            except ValueError:
                continue
            if not any(s <= published <= e for s, e in ranges):
                continue
            for f in sorted(day_dir.iterdir()):
                text = read_article(f)
                if text.strip():
                    out.append(Article(f"{folder.name}/{day_dir.name}/{f.name}", published, text))
    return out


def annotate_article(article: Article) -> Annotated:
    """Sentences, each sentence's first resolved day, and Storyline's event mentions for one article."""
    from storyline.annotate.dates import resolve
    from storyline.annotate.document import event_mentions
    from storyline.annotate.nlp import split_sentences
    from storyline.model import Document

    doc = Document(id=article.id, text=article.text, published=article.published, published_source="metadata")
    sentences = split_sentences(doc.id, doc.text)
    first_day: list[date | None] = []
    for s in sentences:
        exprs = sorted(resolve(s.text, article.published), key=lambda t: t.start)
        first_day.append(exprs[0].value if exprs and exprs[0].granularity == "day" else None)
    return Annotated(article.id, article.published, [s.text for s in sentences], first_day,
                     event_mentions(doc, sentences))


def _annotate_chunk(articles: list[Article]) -> list[Annotated]:
    return [annotate_article(a) for a in articles]


# --------------------------------------------------------------------------------------------------
# Systems


def keyword_filter(topic: str) -> Callable[[str], bool]:
    """news-tls ``sent_filter``: a sentence is eligible when its lower-cased text contains a keyword."""
    keywords = KEYWORDS[topic]
    return lambda text: any(kw in text.lower() for kw in keywords)


def in_range(docs: Sequence[Annotated], task: Task) -> list[Annotated]:
    return [a for a in docs if task.start <= a.published <= task.end]


def storyline_timeline(docs: Sequence[Annotated], task: Task) -> dict[date, list[str]]:
    """Storyline: corroboration-ranked days of merged cross-article events (see ``storyline.rank``)."""
    from storyline.analysis.key_dates import pins_day, short_timeline
    from storyline.link.events import build_events
    from storyline.text import TermWeights

    # Only mentions that pin one day: a range mention ("runs from June 1 to Nov 30") lets build_events chain
    # every later day into one event (see the report on events.py).
    mentions = [m for a in docs for m in a.mentions if pins_day(m) and task.start <= m.date <= task.end]
    events = [ev for ev, _ in build_events(task.topic, list(enumerate(mentions)))]
    weights = TermWeights(s for a in docs for s in a.sentences)
    tl = short_timeline(events, task.l, task.k, weights, keyword_filter(task.topic), task.start, task.end,
                        {a.id: a.published for a in docs})
    return {day: [ke.text for ke in chosen] for day, chosen in tl}


def knee_point(values: Sequence[float]) -> int:
    """Index of the point of a descending curve farthest from the line joining its ends (news-tls)."""
    import numpy as np

    n = len(values)
    if n < 3:
        return 0
    pts = np.column_stack([np.arange(n, dtype=float), np.asarray(values, dtype=float)])
    line = pts[-1] - pts[0]
    norm = np.linalg.norm(line)
    if norm == 0:
        return 0
    unit = line / norm
    rel = pts - pts[0]
    dist = np.linalg.norm(rel - np.outer(rel @ unit, unit), axis=1)
    return int(np.argmax(dist))


def _centroid_opt(X: Any, idx: list[int], texts: Sequence[str], k: int,
                  eligible: Callable[[str], bool]) -> list[int]:
    """news-tls CentroidOpt: greedily add the sentence that brings the summary's vector closest to the
    candidates' centroid; ineligible and (near-)identical sentences are passed over."""
    import numpy as np

    sub = X[idx]
    total = np.asarray(sub.sum(axis=0)).ravel()
    cnorm = np.linalg.norm(total)
    if cnorm == 0:
        return []
    centroid = total / cnorm
    row_dot_c = sub @ centroid
    row_sq = np.asarray(sub.multiply(sub).sum(axis=1)).ravel()
    remaining = set(range(len(idx)))
    selected: list[int] = []
    summary = np.zeros_like(centroid)
    while remaining and len(selected) < k:
        s_sq, s_dot_c = float(summary @ summary), float(summary @ centroid)
        row_dot_s = sub @ summary
        num = row_dot_c + s_dot_c
        den = np.sqrt(np.maximum(row_sq + 2 * row_dot_s + s_sq, 0.0))
        scores = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        order = sorted(remaining, key=lambda i: (-scores[i], i))
        for i in order:
            remaining.discard(i)
            if not eligible(texts[idx[i]]):
                continue
            if selected and max(float(sub[i].multiply(sub[j]).sum()) for j in selected) > 0.9999:
                continue
            selected.append(i)
            summary = summary + sub[i].toarray().ravel()
            break
    return [idx[i] for i in selected]


def datewise_timeline(docs: Sequence[Annotated], task: Task, clip_sents: int = 5,
                      pub_end: int = 2, days: Sequence[date] | None = None) -> dict[date, list[str]]:
    """DATEWISE (news-tls) with the mention-count date ranker, PM-Mean candidates and CentroidOpt.

    ``days``: take these dates instead of ranking them (the decomposition row below)."""
    import datetime as dt

    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts: list[str] = []
    date_to_ment: dict[date, list[int]] = defaultdict(list)
    date_to_pub: dict[date, list[int]] = defaultdict(list)
    counts: Counter[date] = Counter()
    for a in docs:
        for j, (text, day) in enumerate(zip(a.sentences, a.first_day, strict=True)):
            i = len(texts)
            texts.append(text)
            if day is not None:
                counts[day] += 1
                date_to_ment[day].append(i)
            elif j <= clip_sents:  # undated lead sentences stand for the publication day and the day before
                for back in range(pub_end):
                    date_to_pub[a.published - dt.timedelta(days=back)].append(i)
    if not texts:
        return {}
    vectorizer = TfidfVectorizer(stop_words="english", lowercase=True)
    X = sparse.csr_matrix(vectorizer.fit_transform(texts))
    ranked = [d for d, _ in sorted(counts.items(), key=lambda x: x[1], reverse=True)
              if task.start <= d <= task.end] if days is None else list(days)
    eligible = keyword_filter(task.topic)
    out: dict[date, list[str]] = {}
    for d in ranked:
        if len(out) >= task.l:
            break
        ment, pub = date_to_ment.get(d, []), date_to_pub.get(d, [])
        if ment and pub:
            C_ment = np.asarray(X[ment].sum(axis=0)).ravel()
            C_pub = np.asarray(X[pub].sum(axis=0)).ravel()
            both = (C_ment != 0) & (C_pub != 0)
            C_date = np.where(both, C_pub / len(pub) + C_ment / len(ment), 0.0).reshape(1, -1)
            sims = np.concatenate([cosine_similarity(C_date, X[ment])[0],
                                   cosine_similarity(C_date, X[pub])[0]])
            cut = knee_point(sorted(sims, reverse=True))
            thresh = sims[cut]  # sic: news-tls indexes the *unsorted* similarities with the knee position
            pool = [i for i, s in zip(ment + pub, sims, strict=True) if s > 0 and s > thresh] or ment + pub
        else:
            pool = ment or pub
        chosen = _centroid_opt(X, pool, texts, task.k, eligible)
        if chosen:
            out[d] = [texts[i] for i in chosen]
    return out


# --------------------------------------------------------------------------------------------------
# Scoring


def rouge_available() -> bool:
    """ROUGE-1.5.5 (shipped in the tilse wheel) needs perl with XML::Parser (Debian libxml-parser-perl)."""
    perl = shutil.which("perl")
    if perl is None:
        return False
    return subprocess.run([perl, "-MXML::Parser", "-e", "1"], capture_output=True).returncode == 0


def _require_tilse() -> None:
    try:
        import tilse.evaluation.rouge  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"the T17 benchmark needs tilse (alignment ROUGE): {EVAL_EXTRA} ({exc})") from exc


@lru_cache(maxsize=2)
def _evaluator(rouge: str) -> Any:
    import logging

    from tilse.evaluation.rouge import TimelineRougeEvaluator

    logging.getLogger("global").setLevel(logging.WARNING)  # pyrouge logs every perl call at INFO
    return TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"], rouge_computation=rouge)


def score(pred: dict[date, list[str]], gold: dict[date, list[str]],
          rouge: str = "original") -> dict[str, dict]:
    """AR1/AR2 (tilse align+ m:1, date-content costs) and date P/R/F1 of one predicted timeline."""
    from tilse.data.timelines import GroundTruth
    from tilse.data.timelines import Timeline as TilseTimeline

    dates = date_prf(pred, gold)
    if not pred:
        zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        return {"rouge_1": zero, "rouge_2": dict(zero), "date": dates}
    res = _evaluator(rouge).evaluate_align_date_content_costs_many_to_one(
        TilseTimeline(pred), GroundTruth([TilseTimeline(gold)]))
    rename = {"precision": "precision", "recall": "recall", "f_score": "f1"}
    out = {m: {rename[k]: float(v) for k, v in res[m].items()} for m in ("rouge_1", "rouge_2")}
    return out | {"date": dates}


def _score_job(args: tuple[dict, dict, str]) -> dict[str, dict]:
    return score(*args)


def _row(system: str, scores: Sequence[dict[str, dict]], seconds: float) -> dict[str, Any]:
    r1 = average_prf([s["rouge_1"] for s in scores])
    r2 = average_prf([s["rouge_2"] for s in scores])
    d = average_prf([s["date"] for s in scores])
    return {"system": system, "ar1_f": r1["f1"], "ar2_f": r2["f1"], "date_f1": d["f1"],
            "ar1_p": r1["precision"], "ar1_r": r1["recall"], "ar2_p": r2["precision"], "ar2_r": r2["recall"],
            "date_p": d["precision"], "date_r": d["recall"], "timelines": len(scores),
            "seconds": round(seconds, 1)}


def mixed_timeline(docs: Sequence[Annotated], task: Task) -> dict[date, list[str]]:
    """A decomposition, not a system: Storyline's dates with DATEWISE's sentences for them. Against the two
    whole systems it shows how much of each metric comes from choosing dates and how much from choosing
    sentences (DATEWISE's pool also takes undated lead sentences of the day's articles, which Storyline's
    timeline never shows: each of its lines is a sentence that names the date)."""
    return datewise_timeline(docs, task, days=list(storyline_timeline(docs, task)))


SYSTEMS: dict[str, Callable[[Sequence[Annotated], Task], dict[date, list[str]]]] = {
    "storyline": storyline_timeline,
    "datewise": datewise_timeline,
    "ablation:storyline-dates+datewise-sentences": mixed_timeline,
}


def run(limit: int | None = None, datasets: Path | None = None, topics: Sequence[str] | None = None,
        max_gold_dates: int | None = None, rouge: str = "auto", workers: int | None = None,
        baselines: bool = True, progress: bool = True) -> dict:
    """Score Storyline and DATEWISE on T17 gold timelines.

    ``limit``: the first N gold timelines (topic order); ``topics``: only these topics; ``max_gold_dates``:
    cut each gold timeline to its first N dates (a small, date-range-restricted slice for tests); ``rouge``:
    "original" (ROUGE-1.5.5, as the paper), "reimpl" (tilse's Python approximation) or "auto".
    """
    import os

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    _require_tilse()
    root = dataset_dir("timeline17", datasets)
    notes: list[str] = []
    if rouge == "auto":
        rouge = "original" if rouge_available() else "reimpl"
        if rouge == "reimpl":
            notes.append("ROUGE-1.5.5 unavailable (apt-get install libxml-parser-perl): tilse's "
                         "reimplementation was used; it approximates the paper's scores")
    elif rouge == "original" and not rouge_available():
        raise RuntimeError("ROUGE-1.5.5 needs perl's XML::Parser: apt-get install -y libxml-parser-perl")
    tasks = load_tasks(root, topics)
    if not tasks:
        raise ValueError(f"no gold timelines for topics {topics!r} under {root}")
    if limit is not None:
        tasks = tasks[:limit]
    if max_gold_dates is not None:
        for t in tasks:
            t.gold = dict(sorted(t.gold.items())[:max_gold_dates])
    for t in tasks:
        notes.extend(f"{t.name}: gold block dropped, {d}" for d in t.dropped)
    full = limit is None and topics is None and max_gold_dates is None
    workers = workers or os.cpu_count() or 1
    systems = {n: f for n, f in SYSTEMS.items() if baselines or n == "storyline"}

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.perf_counter()
    annotated: dict[str, list[Annotated]] = {}
    with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
        by_topic: dict[str, list[Task]] = defaultdict(list)
        for t in tasks:
            by_topic[t.topic].append(t)
        articles = {tp: load_articles(root, tp, [(t.start, t.end) for t in ts])
                    for tp, ts in by_topic.items()}
        total = sum(len(a) for a in articles.values())
        job = bar.add_task("T17 annotate articles", total=total)
        with ProcessPoolExecutor(max_workers=workers) if workers > 1 else _Inline() as pool:
            for topic, arts in articles.items():
                chunks = [arts[i: i + 32] for i in range(0, len(arts), 32)]
                annotated[topic] = []
                for part in pool.map(_annotate_chunk, chunks):
                    annotated[topic].extend(part)
                    bar.advance(job, len(part))
        prep = time.perf_counter() - started
        if progress and not console.is_terminal:  # a log file gets one line per stage instead of bars
            console.log(f"T17: {total} articles annotated in {prep:.0f}s")

        preds: dict[str, list[dict[date, list[str]]]] = {n: [] for n in systems}
        seconds: dict[str, float] = dict.fromkeys(systems, 0.0)
        job = bar.add_task("T17 predict timelines", total=len(tasks) * len(systems))
        for t in tasks:
            docs = in_range(annotated[t.topic], t)
            for name, fn in systems.items():
                t0 = time.perf_counter()
                preds[name].append({d: [tokenize(s) for s in sents] for d, sents in fn(docs, t).items()})
                seconds[name] += time.perf_counter() - t0
                bar.advance(job)
        if progress and not console.is_terminal:
            console.log(f"T17: {len(tasks)} timelines predicted ({', '.join(systems)})")

        scores: dict[str, list[dict]] = {}
        job = bar.add_task(f"T17 score (ROUGE {rouge})", total=len(tasks) * len(systems))
        with ProcessPoolExecutor(max_workers=workers) if workers > 1 else _Inline() as pool:
            for name in systems:
                scores[name] = []
                jobs = [(p, t.gold, rouge) for p, t in zip(preds[name], tasks, strict=True)]
                for s in pool.map(_score_job, jobs):
                    scores[name].append(s)
                    bar.advance(job)

    rows = [_row(name, scores[name], seconds[name]) for name in systems]
    if full:
        rows.extend(dict(r) for r in PUBLISHED)
    else:
        notes.append("published rows are left out: this run is not the full 19-timeline protocol")
    notes.append(f"shared preprocessing (detokenise, split, resolve dates) of {total} articles: {prep:.1f}s "
                 f"with {workers} worker(s); 'seconds' is each system's own prediction time")
    per_task = []
    for i, t in enumerate(tasks):
        entry: dict[str, Any] = {"timeline": t.name, "topic": t.topic, "l": t.l, "k": t.k,
                                 "start": t.start.isoformat(), "end": t.end.isoformat(),
                                 "articles": len(in_range(annotated[t.topic], t))}
        for name in systems:
            s = scores[name][i]
            entry[name] = {"ar1_f": s["rouge_1"]["f1"], "ar2_f": s["rouge_2"]["f1"],
                           "date_f1": s["date"]["f1"], "dates": len(preds[name][i])}
        per_task.append(entry)
    return {"benchmark": "t17", "primary": "ar1_f", "columns": COLUMNS, "rouge": rouge,
            "protocol": "news-tls (ACL 2020) T17: 19 timelines, pooled topics, align+ m:1 ROUGE, date F1",
            "rows": rows, "tasks": per_task, "notes": notes}


class _Inline:
    """A stand-in for a process pool when one worker is asked for (tests, debugging)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @staticmethod
    def map(fn: Callable, items: Iterable) -> Iterable:
        return map(fn, items)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--datasets", type=Path)
    ap.add_argument("--topics", nargs="*")
    ap.add_argument("--max-gold-dates", type=int)
    ap.add_argument("--rouge", choices=["auto", "original", "reimpl"], default="auto")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args(argv)
    from . import _stamp

    result = _stamp(run(args.limit, args.datasets, args.topics, args.max_gold_dates, args.rouge, args.workers,
                        not args.no_baselines))
    json.dump(result, sys.stdout, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
