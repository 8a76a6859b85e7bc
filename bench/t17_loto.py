"""Choose the short-timeline settings of ``analysis/key_dates.py`` on Timeline17 by leave-one-topic-out.

T17 has no development split, so a setting is scored only on topics it was not chosen on: for each of the
9 topics, the setting with the best AR1-F on the other 8 predicts it; the held-out timelines are pooled as
the news-tls protocol averages them (and, as a check, averaged per topic then over the folds). Articles are
annotated once (``evaluation.t17.annotate_article``) and each timeline's events built once
(``link.events.build_events``), both cached under ``--cache``, so a grid costs only the ranking and the
scoring. Predictions call ``key_dates.date_scores`` and ``key_events`` as ``short_timeline`` does.

    python bench/t17_loto.py --cache DIR [--rouge reimpl|original] [--topics a,b] > loto.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from evaluation import dataset_dir
from evaluation import t17 as T
from storyline.analysis import key_dates as K
from storyline.text import TermWeights

# The grid of BENCHMARKS.md ("Short-timeline ranking chosen leave-one-topic-out"); None = the module default.
GRID = {"later_weight": [1.0, 3.0, 4.0], "pub_weight": [0.0, 0.25], "length_exponent": [0.0, 0.3, 0.5, 1.0]}
BEFORE = {"later_weight": 1.0, "pub_weight": 0.0, "length_exponent": 0.0}


def annotated(cache: Path, topics: list[str] | None) -> tuple[list[T.Task], dict[str, list[T.Annotated]]]:
    path = cache / "t17-annotated.pkl"
    if path.exists():
        tasks, docs = pickle.loads(path.read_bytes())
    else:
        root = dataset_dir("timeline17", None)
        tasks = T.load_tasks(root, None)
        docs = {}
        with ProcessPoolExecutor(max_workers=2) as pool:
            for topic in sorted({t.topic for t in tasks}):
                ranges = [(t.start, t.end) for t in tasks if t.topic == topic]
                arts = T.load_articles(root, topic, ranges)
                chunks = [arts[i: i + 32] for i in range(0, len(arts), 32)]
                docs[topic] = [a for part in pool.map(T._annotate_chunk, chunks) for a in part]
                print(f"annotated {topic}: {len(arts)} articles", file=sys.stderr, flush=True)
        path.write_bytes(pickle.dumps((tasks, docs)))
    if topics:
        tasks = [t for t in tasks if t.topic in topics]
    return tasks, docs


def events(cache: Path, tasks: list[T.Task], docs: dict[str, list[T.Annotated]]) -> dict[str, list]:
    """Each timeline's events (as ``evaluation.t17.storyline_timeline`` builds them), cached by name."""
    from storyline.link.events import build_events

    path = cache / "t17-events.pkl"
    known: dict[str, list] = pickle.loads(path.read_bytes()) if path.exists() else {}
    for t in tasks:
        if t.name not in known:
            mentions = [m for a in T.in_range(docs[t.topic], t) for m in a.mentions
                        if K.pins_day(m) and t.start <= m.date <= t.end]
            known[t.name] = [ev for ev, _ in build_events(t.topic, list(enumerate(mentions)))]
            print(f"events {t.name}: {len(known[t.name])}", file=sys.stderr, flush=True)
            path.write_bytes(pickle.dumps(known))
    return known


def predict(task: T.Task, evs: list, published: dict[str, date], weights: TermWeights,
            setting: dict) -> dict[date, list[str]]:
    eligible = T.keyword_filter(task.topic)
    out = []
    for day in K.date_scores(evs, task.start, task.end, published, setting["later_weight"],
                             setting["pub_weight"]):
        chosen = K.key_events(day, task.k, weights, eligible, length_exponent=setting["length_exponent"])
        if chosen:
            out.append((day.date, [T.tokenize(ke.text) for ke in chosen]))
        if len(out) >= task.l:
            break
    return dict(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--rouge", choices=["reimpl", "original"], default="reimpl")
    ap.add_argument("--topics", help="comma-separated topics (a smoke run); all 9 by default")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    tasks, docs = annotated(args.cache, args.topics.split(",") if args.topics else None)
    evs = events(args.cache, tasks, docs)
    settings = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    preds: list[list[dict]] = [[] for _ in settings]
    for t in tasks:
        in_range = T.in_range(docs[t.topic], t)
        published = {a.id: a.published for a in in_range}
        weights = TermWeights(s for a in in_range for s in a.sentences)
        for j, s in enumerate(settings):
            preds[j].append(predict(t, evs[t.name], published, weights, s))
    jobs = [(p, t.gold, args.rouge) for row in preds for p, t in zip(row, tasks, strict=True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        flat = list(pool.map(T._score_job, jobs))
    scores = [flat[j * len(tasks): (j + 1) * len(tasks)] for j in range(len(settings))]

    def row(j: int, idx: list[int]) -> dict:
        return T._row(json.dumps(settings[j]), [scores[j][i] for i in idx], 0)

    before = settings.index(BEFORE)
    topics = sorted({t.topic for t in tasks})
    held: list[dict | None] = [None] * len(tasks)
    folds, choice = [], {}
    for topic in topics:
        train = [i for i, t in enumerate(tasks) if t.topic != topic]
        test = [i for i, t in enumerate(tasks) if t.topic == topic]
        best = max(range(len(settings)), key=lambda j: (round(row(j, train)["ar1_f"], 6), j == before))
        choice[topic] = settings[best]
        for i in test:
            held[i] = scores[best][i]
        folds.append(row(best, test))
    everything = list(range(len(tasks)))
    keys = ("ar1_f", "ar2_f", "date_f1")
    before_folds = [row(before, [i for i, t in enumerate(tasks) if t.topic == h]) for h in topics]
    json.dump({"rouge": args.rouge, "timelines": len(tasks), "choice": choice,
               "before_pooled": {k: row(before, everything)[k] for k in keys},
               "before_mean_of_folds": {k: sum(f[k] for f in before_folds) / len(before_folds) for k in keys},
               "loto_pooled": {k: T._row("loto", held, 0)[k] for k in keys},
               "loto_mean_of_folds": {k: sum(f[k] for f in folds) / len(folds) for k in keys},
               "settings": [{"setting": s, **{k: row(j, everything)[k] for k in keys}}
                            for j, s in enumerate(settings)]}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
