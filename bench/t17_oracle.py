"""Where Storyline's Timeline17 gap lies: ceilings of date choice and of sentence choice, and why gold days are missed.

Over the caches of ``bench/t17_loto.py`` (one annotation of the articles, one ``build_events`` run per
timeline), with the shipped ``analysis/key_dates.py`` settings:

- *sentence oracle*: on each chosen day that is a gold day, the k eligible mentions of that day with the
  best unigram F against its gold lines (the ceiling of sentence choice under the dated-sentence rule);
- *date oracle*: the shipped ranking's days restricted to gold days, with the shipped sentences (the
  ceiling of date choice among the days the events name);
- why each gold day is missed: ranked too low, no eligible sentence, named only outside event mentions,
  only a publication day, or never named.

    python bench/t17_oracle.py --cache DIR [--rouge reimpl|original] > oracle.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from t17_loto import annotated, events

from evaluation import t17 as T
from storyline.analysis import key_dates as K
from storyline.text import TermWeights


def unigram_f(line: str, gold: list[str]) -> float:
    a = Counter(re.findall(r"[a-z0-9]+", line.lower()))
    g = Counter(t for s in gold for t in re.findall(r"[a-z0-9]+", s.lower()))
    overlap = sum((a & g).values())
    return 2 * overlap / (sum(a.values()) + sum(g.values())) if overlap else 0.0


def best_lines(day: K.DateScore, gold: list[str], k: int, eligible) -> list[str]:
    """The day's k eligible lines closest to its gold lines (the sentence oracle)."""
    lines = {K.without_stamp(m.text, m.time_text) for _, ms in day.events for m in ms
             if K.displayable(m.text) and eligible(m.text)}
    return sorted(lines, key=lambda line: (-unigram_f(line, gold), line))[:k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--rouge", choices=["reimpl", "original"], default="reimpl")
    args = ap.parse_args()
    tasks, docs = annotated(args.cache, None)
    evs = events(args.cache, tasks, docs)
    systems: dict[str, list[dict]] = {"shipped": [], "sentence_oracle": [], "date_oracle": [], "both": []}
    missed: Counter[str] = Counter()
    for t in tasks:
        in_range = T.in_range(docs[t.topic], t)
        published = {a.id: a.published for a in in_range}
        weights = TermWeights(s for a in in_range for s in a.sentences)
        eligible = T.keyword_filter(t.topic)
        days = K.date_scores(evs[t.name], t.start, t.end, published)
        ranked = [(d, chosen) for d in days if (chosen := K.key_events(d, t.k, weights, eligible))]
        top = {d.date for d, _ in ranked[:t.l]}
        candidates = {d.date for d, _ in ranked}
        named = {d.date for d in days}
        in_sentences = {day for a in in_range for day in a.first_day if day}
        for g in t.gold:
            missed["chosen" if g in top else "ranked_low" if g in candidates else
                   "no_eligible_sentence" if g in named else "named_outside_events" if g in in_sentences else
                   "publication_day_only" if g in published.values() else "never_named"] += 1

        shown = [(d, [ke.text for ke in chosen]) for d, chosen in ranked]
        systems["shipped"].append({d.date: lines for d, lines in shown[:t.l]})
        systems["sentence_oracle"].append({d.date: best_lines(d, t.gold[d.date], t.k, eligible)
                                           if d.date in t.gold else lines
                                           for d, lines in shown[:t.l]})
        gold_days = [(d, lines) for d, lines in shown if d.date in t.gold][:t.l]
        systems["date_oracle"].append({d.date: lines for d, lines in gold_days})
        systems["both"].append({d.date: best_lines(d, t.gold[d.date], t.k, eligible) for d, _ in gold_days})
    jobs = [({d: [T.tokenize(s) for s in lines] for d, lines in p.items()}, t.gold, args.rouge)
            for name in systems for p, t in zip(systems[name], tasks, strict=True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        flat = list(pool.map(T._score_job, jobs))
    n = len(tasks)
    keys = ("ar1_f", "ar2_f", "date_f1")
    json.dump({"rouge": args.rouge, "timelines": n, "gold_dates": dict(missed),
               **{name: {k: T._row(name, flat[j * n:(j + 1) * n], 0)[k] for k in keys}
                  for j, name in enumerate(systems)}}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
