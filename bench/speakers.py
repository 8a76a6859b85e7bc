"""Who is quoted, read as a fact-checker would: how many quotes have no speaker, and how many speakers are
suspicious, on a real-size corpus.

    python bench/speakers.py DB [--t17 bpoil,H1N1,EgyptianProtest --per-folder 60] [--json] [--show N]

With ``--t17`` and a DB that does not exist yet, the corpus is built first from Timeline17 (read in place
from the datasets folder, sampled evenly over each outlet folder's days, never written into the
repository) and analysed into DB with ``storyline analyze``.

Each quote is counted once, under the name its story shows (speakers merged within the story, as
``storyline quotes --story`` and the story page show them):

- **unknown**: no speaker at all.
- **described**: an unnamed source as the article words it ("health officials", "experts"): not a
  person or organisation's name, but not unknown either (lower-case only).
- **credit**: the name or its written form holds a picture or agency credit ("Photograph", "Getty", a
  "/" as in "Dave Martin/AP") or is a news agency ("Reuters", "AP", "AFP").
- **glued**: the name runs across a boundary: it ends with another name of two words or more shown in the
  same story ("Katrina Barack Obama" beside "Barack Obama"), or its written form holds a line break.
- **split**: one person under two names: a name of two words or more with the same surname as a more
  quoted one in the same story whose first word is within edit distance 2 of it ("Barak Obama") or is
  written in lower case somewhere in the story ("Thankfully Obama": an adverb, not a first name).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.annotate.entities import edit_distance  # noqa: E402
from storyline.contract import speaker_names  # noqa: E402
from storyline.store import Store  # noqa: E402

_CREDIT = re.compile(r"\b(?:photograph|photo|picture|image|images|getty|afp|ap|reuters|associated "
                     r"press|pa)\b|/|\bcredit:", re.I)
_OUTLETS = {"BBC": "BBC", "guardian": "The Guardian", "reuters": "Reuters", "foxnews": "Fox News",
            "washingtonpost": "Washington Post", "cnn": "CNN"}


def build_t17(db: Path, topics: list[str], per_folder: int) -> None:
    """A JSONL corpus of ``per_folder`` articles per Timeline17 outlet folder of the topics, analysed into db."""
    from evaluation import dataset_dir
    from evaluation.t17 import read_article

    data = dataset_dir("timeline17") / "data"
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "t17.jsonl"
        with corpus.open("w", encoding="utf-8") as out:
            for folder in sorted(data.iterdir()):
                topic, _, outlet = folder.name.partition("_")
                if topic not in topics:
                    continue
                files = sorted(f for f in folder.glob("InputDocs/*/*") if f.is_file() and f.stat().st_size > 200)
                for f in files[:: max(1, len(files) // per_folder)][:per_folder]:
                    out.write(json.dumps({"id": f"{folder.name}-{f.parent.name}-{f.stem}", "text": read_article(f),
                                          "outlet": _OUTLETS.get(outlet, outlet), "published": f.parent.name})
                              + "\n")
        subprocess.run([sys.executable, "-m", "storyline.cli", "analyze", str(corpus), "--db", str(db), "--quiet"],
                       check=True, cwd=ROOT)


def measure(db: Path, show: int = 0) -> dict:
    store = Store(db)
    counts: Counter[str] = Counter()
    examples: dict[str, Counter[str]] = {k: Counter() for k in ("credit", "glued", "split")}
    for row in store.stories():
        story = store.story(row["id"])
        names = speaker_names(story.quotes)
        shown = Counter(names.get(q.speaker, q.speaker) for q in story.quotes if q.speaker)
        lower = {w for d in story.documents for s in store.sentences(d) for w in re.findall(r"\b[a-z]+\b", s.text)}
        for q in story.quotes:
            counts["quotes"] += 1
            if not q.speaker:
                counts["unknown"] += 1
                continue
            name = names.get(q.speaker, q.speaker)
            kind, other = suspicious(name, q.speaker_text or "", shown, lower)
            if kind:
                counts[kind] += 1
                examples[kind][f"{name} ({other})" if other else name] += 1
            elif not any(c.isupper() for c in name):
                counts["described"] += 1
            else:
                counts["named"] += 1
    n = max(1, counts["quotes"])
    out = {"quotes": counts["quotes"], **{k: counts[k] for k in ("named", "described", "unknown", "credit",
                                                                   "glued", "split")},
           "unknown_share": round(counts["unknown"] / n, 3),
           "suspicious": counts["credit"] + counts["glued"] + counts["split"],
           "suspicious_share": round((counts["credit"] + counts["glued"] + counts["split"]) / n, 3)}
    if show:
        out["examples"] = {k: c.most_common(show) for k, c in examples.items()}
    return out


def suspicious(name: str, written: str, shown: Counter[str], lower: set[str]) -> tuple[str | None, str | None]:
    """('credit' | 'glued' | 'split' | None, the other name involved) for one shown speaker name (see the
    module docstring)."""
    if _CREDIT.search(name) or _CREDIT.search(written):
        return "credit", None
    words = name.split()
    if not words[-1][:1].isupper():
        return None, None  # an unnamed source as written ("health officials"): counted as described
    if "\n" in written:
        return "glued", None
    for o in shown:
        ow = o.split()
        if 2 <= len(ow) < len(words) and ow[-1][:1].isupper() and words[-len(ow):] == ow:
            return "glued", o
    if len(words) >= 2:
        for other, k in shown.items():
            ow = other.split()
            if other != name and len(ow) >= 2 and ow[-1] == words[-1] and ow[-1][:1].isupper() and k > shown[name] and (
                    edit_distance(ow[0].lower(), words[0].lower()) <= 2 or words[0].lower() in lower):
                return "split", other
    return None, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--t17", help="build the corpus first: Timeline17 topics, comma-separated")
    ap.add_argument("--per-folder", type=int, default=60)
    ap.add_argument("--show", type=int, default=0, help="list the N most quoted suspicious names of each kind")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.t17 and not a.db.exists():
        build_t17(a.db, a.t17.split(","), a.per_folder)
    result = measure(a.db, a.show)
    if a.json:
        print(json.dumps(result, indent=1))
        return
    for k, v in result.items():
        print(f"{k:18} {v}")


if __name__ == "__main__":
    main()
