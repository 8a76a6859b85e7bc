"""Does writing analyses get slower as the database grows? (It must not: streaming means flat cost.)

    python bench/save_growth.py [--blocks 8] [--block 1000]

Annotates 50 T17 articles once, then stores renamed copies of their analyses (new ids, new content hashes)
through ``Store.add_documents`` / ``pending`` / ``save_analyses``, the driver's write path, in blocks of
``--block`` documents, and prints the seconds each block took. Flat numbers mean the cost of a save does
not depend on how much is stored already. No NLP is timed: only the database side of the pipeline.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throughput import corpus  # noqa: E402

from storyline.annotate.document import annotate  # noqa: E402
from storyline.model import Analysis, Document  # noqa: E402
from storyline.store import Store  # noqa: E402


def renamed(a: Analysis, k: int) -> Analysis:
    doc = Document(f"{a.document.id}#{k}", f"{a.document.text}\n(copy {k})", outlet=a.document.outlet,
                   published=a.document.published)

    def rn(items: list) -> list:
        return [dataclasses.replace(x, document=doc.id) for x in items]

    return dataclasses.replace(a, document=doc, sentences=rn(a.sentences), entities=rn(a.entities),
                               quotes=rn(a.quotes), mentions=rn(a.mentions))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=8)
    ap.add_argument("--block", type=int, default=1000, help="documents per block (a multiple of 50)")
    args = ap.parse_args()
    base = [annotate(Document(r["id"], r["text"], outlet=r["outlet"], published=date.fromisoformat(r["published"])))
            for r in corpus(50)]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "growth.db") as store:
        k = 0
        for block in range(1, args.blocks + 1):
            t0 = time.perf_counter()
            for _ in range(args.block // len(base)):
                k += 1
                batch = [renamed(a, k) for a in base]
                store.add_documents([a.document for a in batch])
                store.pending("annotated", limit=128)
                store.save_analyses(batch)
            print(f"{block * args.block:>7,} documents stored; the last {args.block:,} took "
                  f"{time.perf_counter() - t0:.2f} s", flush=True)


if __name__ == "__main__":
    main()
