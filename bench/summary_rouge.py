"""ROUGE of Storyline's extractive summaries against the Timeline17 gold timelines, with baselines.

Task: for every date of every T17 gold timeline, summarise that date's news (the articles of the
timeline's topic, all outlets pooled, published on the date or the day after: a day's events are
reported that day and the next) in as many sentences as the gold timeline has for that date, and score
the summary against the gold sentences with ROUGE-1/2/L F1 (``rouge-score``, Porter stemming), averaged
over (timeline, date) pairs. Every system sees the same candidate sentences (``compare.claim_units``:
no quote-only sentences, boilerplate or fragments):

- ``storyline``: ``summary.summarize_units`` with its defaults (LexRank × lead prior × outlet bonus,
  redundancy removal);
- ``lexrank``: the same without the lead prior and the outlet bonus (ablation);
- ``lead``: the first sentence of each article in turn, then the second, ... (the classic news baseline);
- ``random``: random sentences (mean of 5 seeds).

This is a date-given ("date oracle") setting: it measures the sentence choice, not the date choice,
so the figures are not comparable to full timeline-summarisation results (news-tls Table 4).

    python bench/summary_rouge.py [--root ../shared/datasets/timeline17/data] [--topics bpoil]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from storyline.analysis.compare import Unit, claim_units
from storyline.analysis.summary import summarize_units
from storyline.model import Document, Sentence

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared/datasets/timeline17/data"
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
        "``": '"', "''": '"'}


def detokenize(line: str) -> str:
    """Undo PTB tokenisation well enough for reading and sentence filtering."""
    text = " ".join(_PTB.get(t, t) for t in line.split())
    text = re.sub(r" ([,.;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)


def topics(root: Path) -> dict[str, list[Path]]:
    """Topic -> its outlet folders ("bpoil" -> bpoil_bbc, bpoil_guardian, ...)."""
    out: dict[str, list[Path]] = defaultdict(list)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        out[folder.name.split("_")[0]].append(folder)
    return dict(out)


def read_articles(folder: Path) -> list[tuple[Document, list[Sentence]]]:
    """The articles of one outlet folder: outlet from the folder name, date from the date folder."""
    outlet = folder.name.split("_", 1)[1]
    out = []
    for path in sorted((folder / "InputDocs").glob("*/*")):
        lines = [detokenize(x) for x in path.read_text(encoding="utf-8", errors="replace").splitlines()]
        lines = [x for x in lines if x.strip()]
        if not lines:
            continue
        doc_id = f"{folder.name}/{path.parent.name}/{path.name}"
        text = "\n".join(lines)
        sentences, pos = [], 0
        for i, line in enumerate(lines):  # one sentence per line, each its own paragraph
            sentences.append(Sentence(doc_id, i, pos, pos + len(line), line, i))
            pos += len(line) + 1
        out.append((Document(doc_id, text, outlet=outlet, published=date.fromisoformat(path.parent.name)),
                    sentences))
    return out


def read_timeline(path: Path) -> dict[date, list[str]]:
    """A tilse-format gold timeline: date line, sentences, a line of dashes."""
    out: dict[date, list[str]] = {}
    current: date | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        if re.fullmatch(r"-{8,}", line):
            current = None
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
            current = date.fromisoformat(line)
            out.setdefault(current, [])
        elif current is not None:
            out[current].append(detokenize(line))
    return {d: s for d, s in out.items() if s}


def lead(units: list[Unit], k: int) -> list[str]:
    by_doc: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        by_doc[u.document].append(u)
    out: list[str] = []
    depth = 0
    while len(out) < k and any(len(v) > depth for v in by_doc.values()):
        out.extend(v[depth].text for v in by_doc.values() if len(v) > depth)
        depth += 1
    return out[:k]


def run(root: Path, only: list[str] | None = None, window: int = 1, max_dates: int | None = None) -> dict:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    systems = {
        "storyline": lambda units, k: [x["sentence"] for x in summarize_units(units, k)],
        "lexrank": lambda units, k: [x["sentence"] for x in summarize_units(units, k, lead_weight=0.0,
                                                                             outlet_bonus=0.0)],
        "lead": lead,
    }
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_topic: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    tasks, started = 0, time.time()
    for topic, folders in topics(root).items():
        if only and topic not in only:
            continue
        by_day: dict[date, list[tuple[Document, list[Sentence]]]] = defaultdict(list)
        for folder in folders:
            for doc, sents in read_articles(folder):
                by_day[doc.published].append((doc, sents))  # type: ignore[index]
        for folder in folders:
            for tl_path in sorted((folder / "timelines").glob("*.txt")):
                gold = read_timeline(tl_path)
                for n, (day, refs) in enumerate(sorted(gold.items())):
                    if max_dates is not None and n >= max_dates:
                        break
                    arts = [a for w in range(window + 1) for a in by_day.get(day + timedelta(days=w), [])]
                    units = claim_units([d for d, _ in arts], {d.id: s for d, s in arts})
                    if not units:
                        continue
                    k = len(refs)
                    reference = "\n".join(refs)
                    outputs = {name: fn(units, k) for name, fn in systems.items()}
                    rnd = [random.Random(seed).sample([u.text for u in units], min(k, len(units)))
                           for seed in range(5)]
                    scores = {name: scorer.score(reference, "\n".join(out)) for name, out in outputs.items()}
                    rnd_scores = [scorer.score(reference, "\n".join(r)) for r in rnd]
                    tasks += 1
                    for metric in ("rouge1", "rouge2", "rougeL"):
                        for name, sc in scores.items():
                            totals[name][metric].append(sc[metric].fmeasure)
                            per_topic[topic][f"{name}:{metric}"].append(sc[metric].fmeasure)
                        value = sum(s[metric].fmeasure for s in rnd_scores) / len(rnd_scores)
                        totals["random"][metric].append(value)
                        per_topic[topic][f"random:{metric}"].append(value)

    def mean(xs: list[float]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    return {
        "dataset": "timeline17",
        "setting": f"per gold date, articles published on the date .. +{window} day(s)",
        "metric": "rouge-score F1, Porter stemming, mean over (timeline, date)", "tasks": tasks,
        "seconds": round(time.time() - started, 1),
        "systems": {name: {m: mean(v) for m, v in metrics.items()} for name, metrics in totals.items()},
        "per_topic": {t: {k: mean(v) for k, v in metrics.items() if not k.endswith("rougeL")}
                      for t, metrics in per_topic.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--topics", nargs="*", help="only these topics (e.g. bpoil H1N1)")
    ap.add_argument("--window", type=int, default=1, help="days after the gold date whose articles count")
    ap.add_argument("--max-dates", type=int, default=None, help="first N dates of each timeline only")
    args = ap.parse_args(argv)
    if not args.root.is_dir():
        print(f"Timeline17 not found at {args.root}", file=sys.stderr)
        return 2
    print(json.dumps(run(args.root, args.topics, args.window, args.max_dates), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
