"""Article extraction: is the text Storyline stores for a web page the article, all of it and only it?

Data: Zyte's (scrapinghub's) article-extraction-benchmark, 181 real news pages (``html/<id>.html.gz``)
with a hand-made gold article body each (``ground-truth.json``), MIT licensed. Put a checkout of that
repository at ``<datasets>/article-extraction-benchmark`` (BENCHMARKS.md says which commit).

Systems, in the same run on the same HTML:

* ``storyline`` — the text Storyline stores: ``readers.read_record({"html": ...})``, i.e. extraction,
  fallbacks, cleanup and headline split, exactly as ``storyline analyze`` reads an ``.html`` file; a page
  Storyline refuses ("no article found") scores as an empty prediction;
* ``trafilatura`` — plain ``trafilatura.extract(html, include_comments=False)``, which is what the
  benchmark's own ``extractors/run_trafilatura.py`` runs.

Scoring re-implements the benchmark's ``evaluate.py`` (4-word shingles over ``\\w+`` tokens, per-page
TP/FP/FN normalised to sum 1, precision and recall averaged over pages, F1 of the averages; "accuracy" is
exact token-sequence match), so figures are comparable with the published table.

Pages are split deterministically into ``dev`` and ``test`` by the last hex digit of their id (itself a
SHA-256): extraction rules were developed looking at ``dev`` (BENCHMARKS.md says when ``test`` was looked at).

A second corpus (``corpus="trafilatura"``): trafilatura's own evaluation set (``tests/`` of its
repository, Apache-2.0, at ``<datasets>/trafilatura-eval/tests``): 990 web pages (news, blogs, institutional
pages) each annotated with up to six snippets the main text must contain ("with") and must not contain
("without"), scored as trafilatura's ``tests/eval_common.py`` does (whitespace-normalised substring
matching; precision, recall, accuracy and F1 over all snippets). Storyline reads each file exactly as
``storyline analyze page.html`` does (``read_paths``). Its pages are split into ``dev`` and ``test`` the
same way, by the SHA-256 of their URL.

A third corpus (``corpus="wcxb"``): WCXB, the Web Content eXtraction Benchmark (CC-BY-4.0, at
``<datasets>/wcxb``): 2,008 web pages of seven page types (articles: news, blogs, guides; forums,
products, documentation, ...) with a human-reviewed main text each, in the authors' own ``dev`` (1,497)
and ``test`` (511) folders (rules are developed on ``dev``; ``test`` is held out). Storyline reads each
``.html.gz`` file as ``storyline analyze`` does; scored as its ``evaluate.py``: word-level precision,
recall and F1 (lower-cased ``\\w+`` tokens as bags) per page, averaged over pages, overall and per page type.

Each system's time on the pages is measured in the same run (``pages_per_s``): an archive reading a
thousand sites a day needs extraction to keep up, and the ratio to plain trafilatura is what carries
across machines.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections import Counter
from pathlib import Path
from statistics import mean
from typing import Any

from . import dataset_dir

NAME = "article-extraction-benchmark"
TRAFILATURA_NAME = "trafilatura-eval"
WCXB_NAME = "wcxb"
CORPORA = ("aeb", "trafilatura", "wcxb")
SPLITS = ("dev", "test", "all")
_TOKEN = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------------------------------
# The benchmark's scorer


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle matching as the benchmark's ``string_shingle_matching``: counts normalised to sum 1."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def page_f1(true: str, pred: str) -> float:
    """One page's shingle F1 (for the per-page comparison; the benchmark's F1 is over averages)."""
    c = tp_fp_fn(true, pred)
    p, r = _precision(*c), _recall(*c)
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    """Benchmark figures over pages: f1, precision, recall, exact (the published "accuracy")."""
    counts = [tp_fp_fn(gold[k], pred.get(k) or "") for k in gold]
    precision = mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    exact = mean(float(_TOKEN.findall(gold[k]) == _TOKEN.findall(pred.get(k) or "")) for k in gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "exact": exact}


# --------------------------------------------------------------------------------------------------
# Data and systems


def split_of(page_id: str) -> str:
    """``dev`` or ``test``: half the pages each, fixed by the id (a SHA-256 hex digest)."""
    return "dev" if int(page_id[-1], 16) % 2 == 0 else "test"


def load(folder: Path, split: str = "test", limit: int | None = None) -> list[tuple[str, str, str]]:
    """(id, html, gold article body) for the pages of ``split`` in id order."""
    gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        if split != "all" and split_of(page_id) != split:
            continue
        with gzip.open(folder / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            pages.append((page_id, f.read(), gold[page_id].get("articleBody") or ""))
    return pages[:limit] if limit else pages


def storyline_text(html: str) -> str:
    """What Storyline stores for the page; "" when it reports no article."""
    from storyline.ingest.readers import read_record

    try:
        return read_record({"html": html}, "page").text
    except ValueError:
        return ""


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


SYSTEMS = {"storyline": storyline_text, "trafilatura": trafilatura_text}


def run(limit: int | None = None, datasets: Path | None = None, split: str = "test", worst: int = 5,
        progress: bool = True, corpus: str = "aeb") -> dict[str, Any]:
    """Storyline and plain trafilatura on one corpus (``aeb``: one split of it; ``trafilatura``); rows per
    system, plus the pages where Storyline falls furthest below trafilatura."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: choose from {', '.join(SPLITS)}")
    if corpus == "trafilatura":
        return run_trafilatura_set(dataset_dir(TRAFILATURA_NAME, datasets), limit, worst, progress, split)
    if corpus == "wcxb":
        return run_wcxb(dataset_dir(WCXB_NAME, datasets), limit, worst, progress, split)
    if corpus != "aeb":
        raise ValueError(f"unknown corpus {corpus!r}: choose from {', '.join(CORPORA)}")
    folder = dataset_dir(NAME, datasets)
    pages = load(folder, split, limit)
    gold = {pid: body for pid, _, body in pages}
    preds: dict[str, dict[str, str]] = {name: {} for name in SYSTEMS}
    iterator: Any = pages
    if progress:
        from tqdm import tqdm

        iterator = tqdm(pages, desc="extraction", unit="page", leave=False)
    seconds = dict.fromkeys(SYSTEMS, 0.0)
    for pid, html, _ in iterator:
        for name, system in SYSTEMS.items():
            start = time.perf_counter()
            preds[name][pid] = system(html)
            seconds[name] += time.perf_counter() - start
    rows = [{"system": name, **score(gold, pred), "pages": len(gold),
             "empty": sum(not (pred[k] or "").strip() for k in gold),
             "pages_per_s": len(gold) / seconds[name] if seconds[name] else 0.0} for name, pred in preds.items()]
    deltas = sorted((page_f1(gold[k], preds["storyline"][k]) - page_f1(gold[k], preds["trafilatura"][k]), k)
                    for k in gold)
    worst_rows = [{"system": k[:12], "page_f1_storyline": page_f1(gold[k], preds["storyline"][k]),
                   "page_f1_trafilatura": page_f1(gold[k], preds["trafilatura"][k]), "delta": d}
                  for d, k in deltas[:worst]]
    return {
        "benchmark": "extraction", "primary": "f1", "split": split,
        "columns": ["f1", "precision", "recall", "exact", "pages", "empty", "pages_per_s"],
        "rows": rows,
        "extra": [{"benchmark": f"extraction: {worst} pages furthest below trafilatura", "rows": worst_rows,
                   "columns": ["page_f1_storyline", "page_f1_trafilatura", "delta"]}],
        "notes": [f"split {split!r} ({len(pages)} pages; pages split by id, rules developed on 'dev')",
                  "scorer: the benchmark's evaluate.py (4-word shingles), re-implemented"],
        "max_regression": -deltas[0][0] if deltas else 0.0,
    }


# --------------------------------------------------------------------------------------------------
# trafilatura's evaluation set: snippets that must / must not be in the text


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippet_counts(item: dict[str, Any], text: str) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of one page, as trafilatura's ``count_item``."""
    t = _norm(text)
    tp = sum(_norm(w) in t for w in item["with"])
    fp = sum(_norm(w) in t for w in item["without"])
    return tp, fp, len(item["with"]) - tp, len(item["without"]) - fp


def snippet_scores(counts: list[tuple[int, int, int, int]]) -> dict[str, float]:
    tp, fp, fn, tn = (sum(c[i] for c in counts) for i in range(4))
    return {"f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0, "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0, "accuracy": (tp + tn) / (tp + fp + fn + tn)}


def _file_text(path: Path) -> str:
    """What ``storyline analyze`` stores for the file; "" when it reports the page (no article found)."""
    from storyline.ingest.readers import read_paths
    from storyline.model import ReadError

    return "\n".join(d.text for d in read_paths([path]) if not isinstance(d, ReadError))


def url_split(url: str) -> str:
    """``dev`` or ``test`` for a page of trafilatura's set, fixed by the SHA-256 of its URL."""
    return split_of(hashlib.sha256(url.encode("utf-8")).hexdigest())


def run_trafilatura_set(folder: Path, limit: int | None, worst: int, progress: bool,
                        split: str = "test") -> dict[str, Any]:
    import trafilatura

    tests = folder / "tests"
    data = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    items = []
    for url in sorted(data):
        if split != "all" and url_split(url) != split:
            continue
        path = next((tests / sub / data[url]["file"] for sub in ("cache", "eval")
                     if (tests / sub / data[url]["file"]).is_file()), None)
        if path is not None:
            items.append((url, path, data[url]))
    items = items[:limit] if limit else items
    iterator: Any = items
    if progress:
        from tqdm import tqdm

        iterator = tqdm(items, desc="extraction", unit="page", leave=False)
    counts: dict[str, list] = {"storyline": [], "trafilatura": []}
    empty = {"storyline": 0, "trafilatura": 0}
    seconds = {"storyline": 0.0, "trafilatura": 0.0}
    systems = {"storyline": _file_text,
               "trafilatura": lambda p: trafilatura.extract(p.read_bytes(), include_comments=False) or ""}
    per_page = []
    for _url, path, item in iterator:
        texts = {}
        for name, system in systems.items():
            start = time.perf_counter()
            texts[name] = system(path)
            seconds[name] += time.perf_counter() - start
        page = {}
        for name, text in texts.items():
            c = snippet_counts(item, text)
            counts[name].append(c)
            empty[name] += not text.strip()
            page[name] = (c[0] + c[3]) / sum(c)
        per_page.append((page["storyline"] - page["trafilatura"], path.name, page))
    rows = [{"system": name, **snippet_scores(c), "pages": len(items), "empty": empty[name],
             "pages_per_s": len(items) / seconds[name] if seconds[name] else 0.0} for name, c in counts.items()]
    per_page.sort()
    return {
        "benchmark": "extraction", "corpus": "trafilatura", "primary": "f1", "split": split,
        "columns": ["f1", "precision", "recall", "accuracy", "pages", "empty", "pages_per_s"], "rows": rows,
        "extra": [{"benchmark": f"extraction: {worst} pages furthest below trafilatura (snippet accuracy)",
                   "columns": ["accuracy_storyline", "accuracy_trafilatura", "delta"],
                   "rows": [{"system": name[:40], "accuracy_storyline": p["storyline"],
                             "accuracy_trafilatura": p["trafilatura"], "delta": d}
                            for d, name, p in per_page[:worst]]}],
        "notes": [f"trafilatura's evaluation set, split {split!r} ({len(items)} pages; pages split by URL, "
                  "rules developed on 'dev')",
                  "scorer: trafilatura's tests/eval_common.py (snippets), re-implemented"],
        "max_regression": -per_page[0][0] if per_page else 0.0,
    }


# --------------------------------------------------------------------------------------------------
# WCXB: a human-reviewed main text per page, scored by word overlap


def word_prf(pred: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of lower-cased word bags, as WCXB's ``word_f1``."""
    p, g = Counter(_TOKEN.findall(pred.lower())), Counter(_TOKEN.findall(gold.lower()))
    if not g:
        return (1.0, 1.0, 1.0) if not p else (0.0, 0.0, 0.0)
    if not p:
        return (0.0, 0.0, 0.0)
    overlap = sum((p & g).values())
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall) if overlap else 0.0


def _snippet_rate(text: str, snippets: list[str]) -> float:
    low = text.lower()
    return sum(s.lower() in low for s in snippets) / len(snippets) if snippets else 1.0


def wcxb_pages(folder: Path, split: str) -> list[tuple[str, Path, dict[str, Any]]]:
    """(file id, html.gz path, gold) of one split's pages, in id order; gold has ``main_content``,
    ``with``, ``without`` and ``page_type`` (read as WCXB's ``evaluate.py`` reads them)."""
    pages = []
    for part in (("dev", "test") if split == "all" else (split,)):
        gt_dir = folder / part / "ground-truth"
        for f in sorted(gt_dir.glob("*.json")) if gt_dir.is_dir() else []:
            data = json.loads(f.read_text(encoding="utf-8"))
            gt = data.get("ground_truth")
            if not isinstance(gt, dict):
                continue
            kind = ((data.get("_internal") or {}).get("page_type") or {})
            kind = kind.get("primary", "article") if isinstance(kind, dict) else kind or "article"
            gold = {"main_content": gt.get("main_content") or "", "with": gt.get("with") or [],
                    "without": gt.get("without") or [], "page_type": "collection" if kind == "category" else kind}
            pages.append((f.stem, folder / part / "html" / f"{f.stem}.html.gz", gold))
    return pages


def wcxb_shared(folder: Path) -> set[str]:
    """Ids of ``test`` pages whose HTML is byte-identical to the ``dev`` page of the same id: the set's
    folders share 139 pages, so rules developed on ``dev`` have seen them (reported apart)."""
    shared = set()
    for path in sorted((folder / "test" / "html").glob("*.html.gz")):
        twin = folder / "dev" / "html" / path.name
        if twin.is_file() and twin.read_bytes() == path.read_bytes():
            shared.add(path.name.removesuffix(".html.gz"))
    return shared


def run_wcxb(folder: Path, limit: int | None, worst: int, progress: bool, split: str = "test") -> dict[str, Any]:
    import trafilatura

    pages = wcxb_pages(folder, split)
    pages = pages[:limit] if limit else pages
    systems = {"storyline": _file_text,
               "trafilatura": lambda p: trafilatura.extract(gzip.decompress(p.read_bytes()),
                                                            include_comments=False) or ""}
    iterator: Any = pages
    if progress:
        from tqdm import tqdm

        iterator = tqdm(pages, desc="extraction", unit="page", leave=False)
    seconds = dict.fromkeys(systems, 0.0)
    scores: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
    for page_id, path, gold in iterator:
        for name, system in systems.items():
            start = time.perf_counter()
            text = system(path)
            seconds[name] += time.perf_counter() - start
            p, r, f = word_prf(text, gold["main_content"])
            scores[name].append({"id": page_id, "type": gold["page_type"], "precision": p, "recall": r, "f1": f,
                                 "with": _snippet_rate(text, gold["with"]),
                                 "without": _snippet_rate(text, gold["without"]), "empty": not text.strip()})

    def figures(rows: list[dict[str, Any]]) -> dict[str, float]:
        return {k: mean(r[k] for r in rows) if rows else 0.0 for k in ("f1", "precision", "recall", "with", "without")}

    rows = [{"system": name, **figures(s), "articles_f1": figures([r for r in s if r["type"] == "article"])["f1"],
             "pages": len(s), "empty": sum(r["empty"] for r in s),
             "pages_per_s": len(s) / seconds[name] if seconds[name] else 0.0} for name, s in scores.items()]
    kinds = sorted({r["type"] for r in scores["storyline"]})
    by_type = [{"system": kind, "pages": sum(r["type"] == kind for r in scores["storyline"]),
                **{f"f1_{name}": figures([r for r in s if r["type"] == kind])["f1"] for name, s in scores.items()}}
               for kind in kinds]
    if split == "test" and not limit:  # the authors' table (their trafilatura settings are not stated)
        rows += [{"system": f"published:{name}", "f1": f1, "source": "WCXB README, test split (511 pages)"}
                 for name, f1 in (("rs-trafilatura", 0.893), ("trafilatura", 0.833), ("readability", 0.726))]
    deltas = sorted((a["f1"] - b["f1"], a["id"], a["type"], a["f1"], b["f1"])
                    for a, b in zip(scores["storyline"], scores["trafilatura"], strict=True))
    shared = wcxb_shared(folder) if split == "test" else set()
    held_out = []  # the test pages developing on dev never saw, apart from those it did
    for part, seen in (("not in dev", False), ("also in dev", True)):
        for name, s in scores.items():
            if part_rows := [r for r in s if (r["id"] in shared) == seen]:
                held_out.append({"system": f"{name} ({part})", "pages": len(part_rows), "f1": figures(part_rows)["f1"],
                                 "articles_f1": figures([r for r in part_rows if r["type"] == "article"])["f1"]})
    return {
        "benchmark": "extraction", "corpus": "wcxb", "primary": "f1", "split": split,
        "columns": ["f1", "precision", "recall", "articles_f1", "with", "without", "pages", "empty", "pages_per_s"],
        "rows": rows,
        "extra": [{"benchmark": "extraction: F1 by page type", "columns": ["pages", "f1_storyline", "f1_trafilatura"],
                   "rows": by_type},
                  {"benchmark": f"extraction: {worst} pages furthest below trafilatura (word F1)",
                   "columns": ["page_type", "f1_storyline", "f1_trafilatura", "delta"],
                   "rows": [{"system": pid, "page_type": kind, "f1_storyline": a, "f1_trafilatura": b, "delta": d}
                            for d, pid, kind, a, b in deltas[:worst]]}]
        + ([{"benchmark": "extraction: test pages not in dev (held out) and also in dev (identical HTML)",
             "columns": ["pages", "f1", "articles_f1"], "rows": held_out}] if shared else []),
        "notes": [f"WCXB, its own {split!r} split ({len(pages)} pages)",
                  "scorer: WCXB's evaluate.py (word-bag F1 per page, averaged over pages), re-implemented; "
                  "'with'/'without': share of its must-have / must-not-have snippets found",
                  f"pages more than 0.2 below trafilatura: {sum(d[0] < -0.2 for d in deltas)}"],
        "max_regression": -deltas[0][0] if deltas else 0.0,
    }
