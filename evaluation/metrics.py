"""Clustering and timeline-date metrics, written out so that what a number means is never in doubt.

* :func:`pairwise` is the news-stream clustering score of Miranda et al. (2018) as computed by Priberam's
  official scorer (``eval_lib.ScoreSet`` in github.com/Priberam/news-clustering): precision, recall and F1
  over the *pairs* of documents put in the same cluster, counted from the contingency table.
* :func:`bcubed` is B-cubed (Bagga & Baldwin 1998): per-document precision/recall of its cluster, averaged
  over documents, F1 of the averages. It weighs every document equally, where pairwise counting is
  dominated by the largest clusters.
* :func:`date_prf` is the Date-F1 of timeline summarisation (news-tls ``experiments/evaluate.py``), and
  :func:`average_prf` the way news-tls aggregates tasks: precision and recall are averaged over tasks and F1
  is computed from the averages (not the mean of per-task F1s).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from datetime import date


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def contingency(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> Counter[tuple[Hashable, Hashable]]:
    """Counts of (gold label, predicted label) over items given in the same order."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} labels but pred has {len(pred)}")
    return Counter(zip(gold, pred, strict=True))


def pairwise(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise P/R/F1 as Priberam's scorer: tp = pairs together in both, tp+fp = in pred, tp+fn = in gold."""
    cells = contingency(gold, pred)
    tp = sum(_pairs(n) for n in cells.values())
    tp_fp = sum(_pairs(n) for n in Counter(pred).values())
    tp_fn = sum(_pairs(n) for n in Counter(gold).values())
    p = tp / tp_fp if tp_fp else 0.0
    r = tp / tp_fn if tp_fn else 0.0
    return {"precision": p, "recall": r, "f1": f1(p, r)}


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    """B-cubed P/R/F1: per item, the right share of its predicted cluster and found share of its gold one."""
    cells = contingency(gold, pred)
    if not cells:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    gold_size, pred_size = Counter(gold), Counter(pred)
    n = len(gold)
    # Every item in cell (g, c) has the same per-item scores, so sum per cell.
    p = sum(k * k / pred_size[c] for (_, c), k in cells.items()) / n
    r = sum(k * k / gold_size[g] for (g, _), k in cells.items()) / n
    return {"precision": p, "recall": r, "f1": f1(p, r)}


def date_prf(pred: Iterable[date], gold: Iterable[date]) -> dict[str, float]:
    """Precision/recall/F1 of the set of predicted timeline dates against the gold dates."""
    p_set, g_set = set(pred), set(gold)
    shared = len(p_set & g_set)
    p = shared / len(p_set) if p_set else 0.0
    r = shared / len(g_set) if g_set else 0.0
    return {"precision": p, "recall": r, "f1": f1(p, r)}


def average_prf(scores: Sequence[dict[str, float]]) -> dict[str, float]:
    """news-tls aggregation: mean precision and mean recall over tasks, F1 of those means."""
    if not scores:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    p = sum(s["precision"] for s in scores) / len(scores)
    r = sum(s["recall"] for s in scores) / len(scores)
    return {"precision": p, "recall": r, "f1": f1(p, r)}
