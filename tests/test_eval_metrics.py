"""Benchmark metrics on hand-made cases with known answers, and our use of tilse checked against tilse."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path

import pytest

from evaluation import DatasetMissing, dataset_dir
from evaluation.metrics import average_prf, bcubed, date_prf, pairwise


def brute_pairwise(gold, pred):
    pairs = list(itertools.combinations(range(len(gold)), 2))
    same_g = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    same_p = {p for p in pairs if pred[p[0]] == pred[p[1]]}
    tp = len(same_g & same_p)
    return (tp / len(same_p) if same_p else 0.0), (tp / len(same_g) if same_g else 0.0)


def test_pairwise_known_case():
    # gold pairs {01, 23}; predicted pairs {01, 02, 12}; shared {01}
    s = pairwise(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert s["precision"] == pytest.approx(1 / 3)
    assert s["recall"] == pytest.approx(1 / 2)
    assert s["f1"] == pytest.approx(0.4)


def test_pairwise_extremes():
    gold = ["a", "a", "b", "b", "b"]
    assert pairwise(gold, [7, 7, 3, 3, 3])["f1"] == 1.0  # labels need not match, only the partition
    singletons = pairwise(gold, [0, 1, 2, 3, 4])
    assert singletons == {"precision": 0.0, "recall": 0.0, "f1": 0.0}  # no predicted pair at all
    lumped = pairwise(gold, [0] * 5)
    assert lumped["recall"] == 1.0 and lumped["precision"] == pytest.approx(4 / 10)


def test_pairwise_matches_pair_enumeration():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 12)
        gold = [rng.randint(0, 3) for _ in range(n)]
        pred = [rng.randint(0, 4) for _ in range(n)]
        p, r = brute_pairwise(gold, pred)
        s = pairwise(gold, pred)
        assert s["precision"] == pytest.approx(p) and s["recall"] == pytest.approx(r)


def test_bcubed_known_case():
    s = bcubed(["a", "a", "b", "b"], [1, 1, 1, 2])
    # per item P: 2/3, 2/3, 1/3, 1 ; R: 1, 1, 1/2, 1/2
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(3 / 4)
    assert s["f1"] == pytest.approx(12 / 17)
    assert bcubed(["x", "y"], ["p", "q"])["f1"] == 1.0
    singletons = bcubed(["a", "a", "a", "a"], [0, 1, 2, 3])
    assert singletons["precision"] == 1.0 and singletons["recall"] == pytest.approx(1 / 4)


def test_metric_inputs_must_align():
    with pytest.raises(ValueError):
        pairwise(["a"], [1, 2])


def test_date_f1_and_news_tls_averaging():
    d = [date(2011, 1, day) for day in range(1, 6)]
    s = date_prf(d[:3], d[1:])
    assert (s["precision"], s["recall"]) == (pytest.approx(2 / 3), pytest.approx(2 / 4))
    assert s["f1"] == pytest.approx(4 / 7)
    assert date_prf([], d)["f1"] == 0.0
    # F of the averaged P and R, not the mean of per-task F1 (which would be 0 here)
    avg = average_prf([{"precision": 1.0, "recall": 0.0}, {"precision": 0.0, "recall": 1.0}])
    assert avg == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


# --------------------------------------------------------------------------------------------------
# tilse (optional dependency) on a tiny timeline pair and on the Crisis gold timelines

CAT, DOG = date(2010, 1, 1), date(2010, 1, 3)
GOLD = {CAT: ["The cat sat on the mat ."], DOG: ["A dog barked loudly at night ."]}
PRED = {CAT: ["The cat sat on the mat ."], date(2010, 1, 2): ["A dog barked loudly ."]}


def _t17():
    try:
        import tilse.evaluation.rouge  # noqa: F401
    except ImportError as exc:  # tilse or one of its imports (nltk, scipy) missing
        pytest.skip(f"tilse unavailable ({exc}): pip install 'storyline[eval]'")
    from evaluation import t17

    return t17


def rouge_kinds(t17) -> list[str]:
    return ["reimpl", "original"] if t17.rouge_available() else ["reimpl"]


def test_alignment_rouge_hand_computed_case():
    """Stop words (SMART list: the, a, on, at, *sat*) and '.' dropped, Porter stems: gold = {cat mat} on
    Jan 1, {dog bark loudli night} on Jan 3; pred = {cat mat} on Jan 1, {dog bark loudli} on Jan 2. align+ m:1
    maps Jan 2 to Jan 3 with date weight 1/(1+1): AR1 P = (2 + 3/2) / 5, R = (2 + 3/2) / 6; AR2 P =
    (1 + 2/2) / 3, R = (1 + 2/2) / 4."""
    t17 = _t17()
    for kind in rouge_kinds(t17):
        s = t17.score(PRED, GOLD, rouge=kind)
        assert s["rouge_1"]["precision"] == pytest.approx(0.7), kind
        assert s["rouge_1"]["recall"] == pytest.approx(3.5 / 6), kind
        assert s["rouge_2"]["precision"] == pytest.approx(2 / 3), kind
        assert s["rouge_2"]["recall"] == pytest.approx(0.5), kind
        assert s["date"]["f1"] == pytest.approx(0.5)
    empty = t17.score({}, GOLD, rouge="reimpl")
    assert empty["rouge_1"]["f1"] == 0.0 and empty["date"]["f1"] == 0.0


def crisis_timelines(t17) -> list[tuple[str, dict]]:
    try:
        root = dataset_dir("crisis_gold_timelines")
    except DatasetMissing as exc:
        pytest.skip(str(exc))
    return [(f"{p.parent.name}/{p.name}", t17.read_timeline(p)[0]) for p in sorted(root.glob("data/*/*.txt"))]


def test_crisis_gold_against_itself_scores_one():
    t17 = _t17()
    timelines = crisis_timelines(t17)
    assert len(timelines) == 22
    for name, tl in timelines:
        s = t17.score(tl, tl, rouge="reimpl")
        assert s["rouge_1"]["f1"] == pytest.approx(1.0), name
        assert s["rouge_2"]["f1"] == pytest.approx(1.0), name
        assert s["date"]["f1"] == 1.0
    if t17.rouge_available():  # the perl ROUGE-1.5.5 on one (slower: one perl run per aligned date)
        name, tl = min(timelines, key=lambda x: len(x[1]))
        s = t17.score(tl, tl, rouge="original")
        assert s["rouge_1"]["f1"] == pytest.approx(1.0) and s["rouge_2"]["f1"] == pytest.approx(1.0), name


def test_crisis_cross_outlet_scores_match_tilse_directly():
    """Our wrapper (own timeline reader, date F1) gives what tilse's own reader and evaluators give."""
    t17 = _t17()
    from tilse.data.timelines import GroundTruth, Timeline
    from tilse.evaluation.dates import evaluate_dates
    from tilse.evaluation.rouge import TimelineRougeEvaluator

    timelines = dict(crisis_timelines(t17))
    pred, gold = timelines["egypt/guardian.txt"], timelines["egypt/reuters.txt"]
    root = dataset_dir("crisis_gold_timelines") / "data" / "egypt"
    with (open(root / "guardian.txt", encoding="utf-8", errors="replace") as f1,
          open(root / "reuters.txt", encoding="utf-8", errors="replace") as f2):
        t_pred, t_gold = Timeline.from_file(f1), Timeline.from_file(f2)
    assert {d: list(s) for d, s in t_pred.dates_to_summaries.items()} == pred
    ours = t17.score(pred, gold, rouge="reimpl")
    ev = TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"], rouge_computation="reimpl")
    theirs = ev.evaluate_align_date_content_costs_many_to_one(t_pred, GroundTruth([t_gold]))
    for m in ("rouge_1", "rouge_2"):
        assert ours[m]["f1"] == pytest.approx(theirs[m]["f_score"])
        assert 0 < ours[m]["f1"] < 1
    assert ours["date"]["f1"] == pytest.approx(evaluate_dates(t_pred, GroundTruth([t_gold]))["f_score"])


def test_read_timeline_drops_unreadable_date_blocks(tmp_path: Path):
    t17 = _t17()
    p = tmp_path / "tl.txt"
    dashes = "-" * 32
    p.write_text(f"2011-03-03\nThe trial is delayed .\n{dashes}\n2011-04-0\nJury selection begins .\n"
                 f"{dashes}\n2011-05-02\nA second sentence .\nAnd a third .\n{dashes}\n", encoding="utf-8")
    gold, dropped = t17.read_timeline(p)
    assert gold == {date(2011, 3, 3): ["The trial is delayed ."],
                    date(2011, 5, 2): ["A second sentence .", "And a third ."]}
    assert len(dropped) == 1 and "2011-04-0" in dropped[0]
