"""How a real-size story reads: timeline rows per gold date, events per section, non-event rows.

Usage:
    python bench/timeline_corpus.py build OUT.jsonl [--topics bpoil,H1N1,EgyptianProtest] [--per-folder 60]
    storyline analyze OUT.jsonl --db corpus.db
    python bench/timeline_corpus.py report corpus.db [--whole-topic]

``build`` samples Timeline17 articles evenly over each topic/outlet folder's dates (deterministic) into a
JSONL corpus outside the repository (the data is never committed). ``report`` finds, for each T17 topic,
the story holding most of its articles and measures that story's timeline against the topic's gold
timelines: how many rows are dated on each gold day (one real event should be one row, so a gold day with
many rows is an event told many times), how many events fall in each section, and how many rows read
as non-events (a caption, byline, reader comment, promo line or fragment, an opening pronoun, a quote and
its attribution only, or a transcript line), and how many rows, per section, only expectations tell (every
sentence behind them ``looks_ahead``: "The report will be released Monday.").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from evaluation import dataset_dir
from evaluation.t17 import load_tasks, read_article, topic_of
from storyline.annotate.quotes import transcript_speakers
from storyline.annotate.sentence_kind import kind, looks_ahead, opens_on_pronoun, reports_speech
from storyline.link.events import assign_sections, build_events
from storyline.model import Sentence
from storyline.store import Store

OUTLETS = {"bbc": "BBC", "guardian": "The Guardian", "reuters": "Reuters", "foxnews": "Fox News",
           "washingtonpost": "Washington Post", "cnn": "CNN"}
# Gold days the issue names, checked by eye: the rig explosion, the WHO's pandemic declaration, the capping.
WATCH = {"bpoil": [date(2010, 4, 20), date(2010, 7, 15)], "H1N1": [date(2009, 6, 11)]}


def build(out: Path, topics: list[str], per_folder: int) -> int:
    root = dataset_dir("timeline17") / "data"
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            topic, _, outlet = folder.name.partition("_")
            if topic not in topics:
                continue
            files = sorted(f for f in folder.glob("InputDocs/*/*") if f.is_file() and f.stat().st_size > 200)
            step = max(1, len(files) // per_folder)
            for f in files[::step][:per_folder]:
                rec = {"id": f"{folder.name}-{f.parent.name}-{f.stem}", "text": read_article(f),
                       "outlet": OUTLETS.get(outlet, outlet), "published": f.parent.name}
                fh.write(json.dumps(rec) + "\n")
                n += 1
    return n


def report(db: str, whole_topic: bool = False) -> dict:
    store = Store(db)
    gold_days: dict[str, set[date]] = {}
    for task in load_tasks(dataset_dir("timeline17")):
        gold_days.setdefault(task.topic, set()).update(task.gold)
    by_topic: dict[str, Counter[str]] = {}
    for s in store.stories():
        for doc_id in store.story_documents(s["id"]):
            by_topic.setdefault(topic_of(doc_id.split("-", 1)[0]), Counter())[s["id"]] += 1
    out = {}
    seconds: dict[str, float] = {}
    for topic, stories in sorted(by_topic.items()):
        sid, n_docs = stories.most_common(1)[0]
        story = store.story(sid)
        if story is None:
            continue
        events = story.events
        if whole_topic:  # one timeline over every article of the topic, as one story of that size would get
            docs = sorted(d for s in stories for d in store.story_documents(s))
            sid, n_docs = f"topic:{topic}", len(docs)
            mentions = store.mentions(docs)
            t0 = time.perf_counter()
            published = {d.id: d.published for d in store.documents(docs)}
            events = [e for e, _ in build_events(sid, mentions, published=published)]
            seconds[topic] = round(time.perf_counter() - t0, 1)
            assign_sections(events, published)
        days = gold_days.get(topic, set())
        rows = Counter(e.date for e in events if e.granularity == "day")
        on_gold = [rows.get(d, 0) for d in sorted(days)]
        bad = [e for e in events if non_event(e)]
        ahead = [e for e in events if all(looks_ahead(m.text, m.time_text) for m in e.mentions)]
        out[topic] = {
            "story": sid, "articles": n_docs, "topic_articles": sum(stories.values()), "events": len(events),
            "sections": dict(Counter(e.section for e in events)),
            "gold_days": len(days), "gold_days_with_rows": sum(1 for r in on_gold if r),
            "rows_per_gold_day_with_rows": round(sum(on_gold) / max(1, sum(1 for r in on_gold if r)), 2),
            "max_rows_on_a_gold_day": max(on_gold, default=0),
            "watched": {d.isoformat(): {"rows": rows.get(d, 0), "summaries": [
                e.summary[:110] for e in events if e.granularity == "day" and e.date == d]}
                for d in WATCH.get(topic, [])},
            "non_event_rows": len(bad), "non_event_examples": [e.summary[:110] for e in bad[:5]],
            "expectation_rows": dict(Counter(e.section for e in ahead)),
        } | ({"build_seconds": seconds[topic]} if topic in seconds else {})
    return out


def non_event(e) -> bool:
    """A row that reads as no event: it opens on a pronoun, or every sentence behind it is furniture, only a
    quote and its attribution, or a transcript line ("BLITZER: ...")."""
    return opens_on_pronoun(e.summary) or all(
        kind(m.text) != "prose" or reports_speech(m.text) or transcript_speakers([
            Sentence("", 0, 0, 0, m.text, 0), Sentence("", 1, 0, 0, m.text, 1)]) for m in e.mentions)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("out", type=Path)
    b.add_argument("--topics", default="bpoil,H1N1,EgyptianProtest")
    b.add_argument("--per-folder", type=int, default=60)
    r = sub.add_parser("report")
    r.add_argument("db")
    r.add_argument("--whole-topic", action="store_true",
                   help="one timeline over all of each topic's articles instead of its largest story's")
    a = ap.parse_args(argv)
    if a.cmd == "build":
        n = build(a.out, a.topics.split(","), a.per_folder)
        print(f"{n} articles -> {a.out}", file=sys.stderr)
    else:
        print(json.dumps(report(a.db, a.whole_topic), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
