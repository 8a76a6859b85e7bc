"""PolNeAR attribution benchmark for ``storyline.quotes``.

PolNeAR (Newell, Margolin & Ruths, LREC 2018) annotates every attribution in 1,008 US election news
articles as brat standoff: a *source* span (who, often a pronoun), a *cue* (the verb) and a *content*
span (what was said or thought, possibly in several pieces). We score Storyline's attributions against
it, and a baseline run in the same process: **quotes** = every pair of quotation marks holding three or
more words, source = the nearest named entity in the same paragraph.

Matching (words are ``\\w+`` runs; quotation marks, punctuation and a leading "that"/"whether"/"if" never
count, so `“We will win,”` and `We will win` are the same content):

* ``content_*`` — **overlap**, the primary score. A predicted content is correct when at least half of
  its words lie inside one gold content; a gold content is found when at least half of its words are
  covered by predicted contents (so a quote the system splits at a paragraph break, or a partial quote
  inside a longer paraphrase, still counts). Precision counts predictions, recall gold attributions.
* ``content_exact_*`` — the word sets are identical (one-to-one).
* ``content_token_*`` — words in the union of predicted contents vs the union of gold contents.
* ``source_*`` — end to end: a predicted attribution whose content is correct (overlap) and whose source
  span shares a word with the source of the gold content it overlaps most. Precision over predictions
  with a source, recall over gold attributions with a source.
* ``direct_*`` — the same, restricted to direct quotes: gold contents that open with a quotation (their
  first word, after a complementizer, is inside quotation marks) and have at least half of their words
  inside quotation marks; predictions of kind "direct". (`said Cruz has “taken every punch”` is a
  partial quote, not a direct one.)
* ``quoted_*`` — restricted to attributions that quote words verbatim: gold contents with any word inside
  quotation marks; predictions of kind "direct" or "partial" (a partial quote's content is the clause
  around it: `told backers that Cruz has “taken every punch”`).
* ``all`` (the unprefixed scores) includes indirect speech. PolNeAR also annotates beliefs, intentions
  and perceptions ("he figures that ..."), which a quote extractor is not meant to find: recall on all
  attributions is bounded well below 1.

Articles annotated by several annotators are scored against one annotation: the first annotator file in
sorted order. Tune on train/dev; report test (the README asks for the test set to be used once).

Data: ``<datasets>/polnear/data/{train,dev,test}/{text,attributions}``, where ``<datasets>`` is the
argument, else ``$STORYLINE_DATASETS``, else ``<repo>/../shared/datasets`` (read in place, never copied).

Run: ``python -m evaluation.polnear [--split train|dev|test] [--limit N] [--datasets DIR]``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.annotate.entities import extract_entities
from storyline.annotate.nlp import paragraphs, split_sentences
from storyline.annotate.quotes import attributions, find_quotations

from . import DatasetMissing, dataset_dir
from .metrics import f1

SPLITS = ("train", "dev", "test")
Span = tuple[tuple[int, int], ...]  # one or more (start, end) pieces
_WORD = re.compile(r"\w+")
_COMPLEMENTIZER = {"that", "whether", "if"}

__all__ = ["DatasetMissing", "Doc", "Gold", "Pred", "load", "parse_ann", "run", "score"]


@dataclass(slots=True)
class Gold:
    content: Span
    source: Span | None = None


@dataclass(slots=True)
class Pred:
    content: Span
    source: Span | None = None
    kind: str = "direct"  # direct | partial | indirect


@dataclass(slots=True)
class Doc:
    name: str
    text: str
    gold: list[Gold] = field(default_factory=list)


def dataset_root(datasets: Path | str | None = None) -> Path:
    """``<datasets>/polnear/data``, or DatasetMissing (which callers turn into a skip)."""
    root = dataset_dir("polnear", datasets) / "data"
    if not root.is_dir():
        raise DatasetMissing(f"PolNeAR data not found at {root}: see {root.parent / 'SOURCE.md'}")
    return root


def parse_ann(ann: str) -> list[Gold]:
    """Attributions from brat standoff: ``T`` spans (``start end[;start end]``) tied by ``E`` lines whose
    roles are Content, Content2, …, Source, Cue. Attributions without content are skipped."""
    spans: dict[str, Span] = {}
    events: list[dict[str, list[str]]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            kind_offsets = parts[1].split(" ", 1)
            if len(kind_offsets) < 2:
                continue
            pieces = []
            for piece in kind_offsets[1].split(";"):
                a, b = piece.split()
                pieces.append((int(a), int(b)))
            spans[parts[0]] = tuple(pieces)
        elif line.startswith("E") and len(parts) >= 2:
            roles: dict[str, list[str]] = {}
            for arg in parts[1].split():
                role, _, ref = arg.partition(":")
                roles.setdefault(re.sub(r"\d+$", "", role), []).append(ref)
            events.append(roles)
    out = []
    for roles in events:
        content = tuple(p for ref in roles.get("Content", []) for p in spans.get(ref, ()))
        if not content:
            continue
        source = tuple(p for ref in roles.get("Source", []) for p in spans.get(ref, ())) or None
        out.append(Gold(tuple(sorted(content)), source))
    return out


def load(split: str = "test", datasets: Path | str | None = None, limit: int | None = None) -> list[Doc]:
    """The articles of one split with the first annotator's attributions, in name order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: choose from {', '.join(SPLITS)}")
    folder = dataset_root(datasets) / split
    if not (folder / "text").is_dir():
        raise DatasetMissing(f"PolNeAR split {split!r} not found at {folder}")
    anns: dict[str, Path] = {}
    for path in sorted((folder / "attributions").glob("*.ann")):
        anns.setdefault(path.stem.rsplit("_", 1)[0], path)
    docs = []
    for path in sorted((folder / "text").glob("*.txt")):
        if path.stem not in anns:
            continue
        text = path.read_text(encoding="utf-8")
        docs.append(Doc(path.stem, text, parse_ann(anns[path.stem].read_text(encoding="utf-8"))))
        if limit is not None and len(docs) >= limit:
            break
    return docs


# ---------------------------------------------------------------------------------------------------
# Systems


def storyline_system(doc: Doc) -> list[Pred]:
    """Storyline's attributions: the content clause (the quote for direct speech) and the speaker mention."""
    sentences = split_sentences(doc.name, doc.text)
    entities = extract_entities(doc.name, doc.text, sentences)
    out = []
    for a in attributions(doc.name, doc.text, sentences, entities):
        source = ((a.speaker_start, a.speaker_end),) if a.speaker_start is not None else None
        out.append(Pred(((a.content_start, a.content_end),), source, a.quote.kind))
    return out


def quotes_baseline(doc: Doc) -> list[Pred]:
    """Quotation marks only: each quoted stretch of 3+ words, source = the nearest entity in its paragraph."""
    sentences = split_sentences(doc.name, doc.text)
    entities = extract_entities(doc.name, doc.text, sentences)
    paras = paragraphs(doc.text)
    out = []
    for seg in find_quotations(doc.text, paras):
        if len(_WORD.findall(doc.text[seg.start : seg.end])) < 3:
            continue
        p_start, p_end = paras[seg.paragraph]
        close = seg.close if seg.close is not None else seg.end
        near = [e for e in entities if p_start <= e.start and e.end <= p_end and (e.end <= seg.open or e.start > close)]
        best = min(near, key=lambda e: min(abs(e.start - close), abs(seg.open - e.end)), default=None)
        out.append(Pred(((seg.start, seg.end),), ((best.start, best.end),) if best else None, "direct"))
    return out


# ---------------------------------------------------------------------------------------------------
# Scoring


def _words(text: str, span: Span) -> frozenset[int]:
    """Start offsets of the words inside a span, a leading complementizer dropped."""
    out: list[int] = []
    for a, b in sorted(span):
        out.extend(m.start() + a for m in _WORD.finditer(text[a:b]))
    out.sort()
    if out and _WORD.match(text, out[0]) and _WORD.match(text, out[0]).group().lower() in _COMPLEMENTIZER:
        out = out[1:]
    return frozenset(out)


def _quoted_words(text: str) -> frozenset[int]:
    inside: set[int] = set()
    for seg in find_quotations(text, paragraphs(text)):
        inside.update(m.start() + seg.start for m in _WORD.finditer(text[seg.start : seg.end]))
    return frozenset(inside)


def is_direct(text: str, gold: Gold, quoted: frozenset[int] | None = None) -> bool:
    """A gold content is a direct quote when it opens inside quotation marks and at least half of its
    words are quoted."""
    words = _words(text, gold.content)
    quoted = _quoted_words(text) if quoted is None else quoted
    return bool(words) and min(words) in quoted and len(words & quoted) * 2 >= len(words)


def is_quoted(text: str, gold: Gold, quoted: frozenset[int] | None = None) -> bool:
    """A gold content quotes verbatim when any of its words is inside quotation marks."""
    quoted = _quoted_words(text) if quoted is None else quoted
    return bool(_words(text, gold.content) & quoted)


def _prf(tp_p: int, n_p: int, tp_r: int, n_r: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    return p, r, f1(p, r)


def score(texts: Sequence[str], gold: Sequence[Sequence[Gold]], pred: Sequence[Sequence[Pred]],
          prefix: str = "") -> dict[str, float | int]:
    """Content (overlap, exact, token) and end-to-end source P/R/F1 over documents (see module doc)."""
    c = dict.fromkeys(("p_ok", "g_found", "p_exact", "g_exact", "tok_pg", "tok_p", "tok_g", "n_p", "n_g",
                       "src_ok", "src_n_p", "src_g_ok", "src_n_g"), 0)
    for text, golds, preds in zip(texts, gold, pred, strict=True):
        gw = [_words(text, g.content) for g in golds]
        pw = [_words(text, p.content) for p in preds]
        c["n_g"] += len(golds)
        c["n_p"] += len(preds)
        covered = frozenset().union(*pw) if pw else frozenset()
        all_gold = frozenset().union(*gw) if gw else frozenset()
        c["tok_pg"] += len(covered & all_gold)
        c["tok_p"] += len(covered)
        c["tok_g"] += len(all_gold)
        gold_sets = set(gw)
        pred_sets = set(pw)
        c["g_found"] += sum(1 for w in gw if w and len(w & covered) * 2 >= len(w))
        c["g_exact"] += sum(1 for w in gw if w in pred_sets)
        c["p_exact"] += sum(1 for w in pw if w in gold_sets)
        c["src_n_g"] += sum(1 for g in golds if g.source)
        src_found: set[int] = set()
        for p, w in zip(preds, pw, strict=True):
            best = max(range(len(golds)), key=lambda i: len(w & gw[i]), default=None)
            ok = best is not None and bool(w) and len(w & gw[best]) * 2 >= len(w)
            c["p_ok"] += ok
            if p.source:
                c["src_n_p"] += 1
                g = golds[best] if ok and best is not None else None
                if g is not None and g.source and _words(text, p.source) & _words(text, g.source):
                    c["src_ok"] += 1
                    src_found.add(best)
        c["src_g_ok"] += len(src_found)
    out: dict[str, float | int] = {}
    for name, (tp_p, n_p, tp_r, n_r) in {
        "content": (c["p_ok"], c["n_p"], c["g_found"], c["n_g"]),
        "content_exact": (c["p_exact"], c["n_p"], c["g_exact"], c["n_g"]),
        "content_token": (c["tok_pg"], c["tok_p"], c["tok_pg"], c["tok_g"]),
        "source": (c["src_ok"], c["src_n_p"], c["src_g_ok"], c["src_n_g"]),
    }.items():
        p, r, f = _prf(tp_p, n_p, tp_r, n_r)
        out[f"{prefix}{name}_precision"], out[f"{prefix}{name}_recall"], out[f"{prefix}{name}_f1"] = p, r, f
    out[f"{prefix}n_gold"], out[f"{prefix}n_pred"] = c["n_g"], c["n_p"]
    return out


def evaluate(docs: Sequence[Doc], system: Callable[[Doc], list[Pred]]) -> dict[str, float | int]:
    """All attributions and direct quotes only, plus the system's speed in words per second."""
    t0 = time.perf_counter()
    preds = [system(d) for d in docs]
    seconds = time.perf_counter() - t0
    texts = [d.text for d in docs]
    quoted = [_quoted_words(d.text) for d in docs]
    direct_gold = [[g for g in d.gold if is_direct(d.text, g, q)] for d, q in zip(docs, quoted, strict=True)]
    direct_pred = [[p for p in ps if p.kind == "direct"] for ps in preds]
    quoted_gold = [[g for g in d.gold if is_quoted(d.text, g, q)] for d, q in zip(docs, quoted, strict=True)]
    quoted_pred = [[p for p in ps if p.kind != "indirect"] for ps in preds]
    words = sum(len(_WORD.findall(t)) for t in texts)
    return {**score(texts, [d.gold for d in docs], preds), **score(texts, direct_gold, direct_pred, "direct_"),
            **score(texts, quoted_gold, quoted_pred, "quoted_"),
            "words_per_second": round(words / seconds, 1) if seconds else None}


def run(limit: int | None = None, datasets: Path | None = None, split: str = "test") -> dict:
    """Storyline and the quotation-marks baseline on one PolNeAR split (test unless told otherwise)."""
    docs = load(split, datasets, limit)
    rows = [{"system": "storyline", **evaluate(docs, storyline_system)},
            {"system": "baseline:quote-marks+nearest-entity", **evaluate(docs, quotes_baseline)}]
    return {"benchmark": "polnear", "primary": "content_f1", "split": split, "documents": len(docs),
            "rows": rows,
            "note": "content_f1 = overlap match, all attributions incl. indirect; direct_* = direct quotes only; "
                    "see evaluation/polnear.py for the matching rules"}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=SPLITS, default="test")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--datasets", type=Path)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.limit, args.datasets, args.split), indent=2))


if __name__ == "__main__":
    main()
