"""Outlet furniture on real articles: what ``storyline.ingest.furniture`` would strip from a T17 sample.

T17 has no gold for furniture, so this is a sanity check, not a score: it prints how many documents and
words the outlet furniture rule removes and every line it judges furniture, so a reader can see that they
are the outlets' standing lines and not story text. Texts go through ``clean_text`` first, as the readers
do, so only what the generic rules leave is counted.

    python bench/furniture.py [--per-story 100] [--datasets DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation import DatasetMissing  # noqa: E402
from evaluation.stories import t17_documents  # noqa: E402
from storyline.ingest.furniture import Furniture  # noqa: E402
from storyline.ingest.metadata import clean_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-story", type=int, default=100, help="earliest N articles of each T17 topic")
    parser.add_argument("--datasets", type=Path, default=None)
    args = parser.parse_args()
    try:
        pairs = t17_documents(args.datasets, per_story=args.per_story)
    except DatasetMissing as exc:
        sys.exit(f"skipped: {exc}")
    docs = [d for d, _ in pairs]
    for d in docs:
        d.text = clean_text(d.text)
    furniture = Furniture.learn(docs)
    lines: Counter[tuple[str, str]] = Counter()
    changed = removed = 0
    for d in docs:
        stripped = furniture.strip(d.outlet, d.text)
        if stripped != d.text:
            changed += 1
            removed += len(d.text.split()) - len(stripped.split())
            lines.update((d.outlet or "", line[:100]) for line in d.text.split("\n")
                         if furniture.is_furniture(d.outlet, line))
    outlets = Counter(d.outlet for d in docs)
    total = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs)} T17 articles, outlets: {', '.join(f'{o} {n}' for o, n in outlets.most_common())}")
    print(f"furniture removed from {changed} documents: {removed:,} of {total:,} words")
    for (outlet, line), n in lines.most_common():
        print(f"{n:5d}  {outlet:<12} {line}")


if __name__ == "__main__":
    main()
