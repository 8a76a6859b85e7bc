"""Story-clustering benchmark: corpus readers, the baseline's threshold choice, and a tiny real run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evaluation import DatasetMissing, dataset_dir, stories
from storyline.model import Document


def _meantime() -> Path:
    try:
        return dataset_dir("meantime_english") / "intra_cross-doc_annotation"
    except DatasetMissing as exc:
        pytest.skip(str(exc))


def test_leads_cut_words_and_keep_lines():
    doc = Document(id="d", text="one two three\nfour five six\nseven", title="T", published=date(2020, 1, 1))
    (cut, gold), = stories.leads([(doc, "g")], 4)
    assert cut.text == "one two three\nfour" and cut.title == "T" and cut.published == doc.published
    assert gold == "g"


def test_take_keeps_the_first_articles_of_each_story():
    docs = [(Document(id=str(i), text=f"text {i}"), "ab"[i % 2]) for i in range(6)]
    assert [d.id for d, _ in stories.take(docs, 2)] == ["0", "1", "2", "3"]
    assert stories.take(docs, None) == docs


def test_threshold_is_chosen_on_development_data():
    a = [Document(id=f"a{i}", text=f"earthquake rescue rubble survivors turkey {w}") for i, w in
         enumerate(["aid", "toll", "cold"])]
    b = [Document(id=f"b{i}", text=f"central bank interest rates inflation {w}") for i, w in
         enumerate(["rise", "cut", "hold"])]
    tree = stories.average_link(a + b)
    gold = ["q"] * 3 + ["r"] * 3
    t = stories.best_threshold(tree, gold)
    assert stories.cut(tree, t) == stories.cut(tree, k=2)
    assert len(set(stories.cut(tree, k=2)[:3])) == 1


def test_meantime_reader_title_date_and_odd_creation_time():
    root = _meantime()
    doc = stories.meantime_document(next(root.glob("corpus_gm/126311_*.xml")))
    assert doc.title == "U.S. automaker Chrysler wants to eliminate 789 dealerships"
    assert doc.published == date(2009, 5, 14) and doc.text.startswith("May 14, 2009\n")
    odd = stories.meantime_document(next(root.glob("corpus_gm/120578_*.xml")))  # DCT value "03-02-2009"
    assert odd.published == date(2009, 2, 3)


def test_meantime_anchors_are_days_of_annotated_events():
    root = _meantime()
    gold = stories.meantime_anchors(next(root.glob("corpus_gm/126311_*.xml")))
    assert gold and all(isinstance(s, int) and isinstance(d, date) for s, d in gold)
    assert (3, date(2009, 5, 14)) in gold  # "In a bankruptcy court filing on Thursday, ..."


def test_run_on_a_tiny_slice():
    _meantime()
    try:
        dataset_dir("timeline17")
    except DatasetMissing as exc:
        pytest.skip(str(exc))
    result = stories.run(limit=2, lead_words=120, workers=1, progress=False, orders=2,
                         peers=("tfidf-avglink", "minilm-avglink"))
    assert result["benchmark"] == "stories" and result["primary"] == "pairwise_f1"
    by = {(r["dataset"], r["system"].split(" (")[0]): r for r in result["rows"]}
    assert {k[0] for k in by} == {"t17", "meantime"}
    assert by[("t17", "storyline topics")]["documents"] == 18 and by[("meantime", "storyline topics")]["documents"] == 8
    assert by[("t17", "storyline stories")]["clusters"] >= by[("t17", "storyline topics")]["clusters"]
    assert by[("t17", "storyline stability")]["pairwise_f1"] == 1.0  # the same partition in another order
    assert {("t17", "minilm-avglink"), ("meantime", "tfidf-avglink")} <= set(by)
    for row in result["rows"]:
        if "stability" not in row["system"]:
            assert 0.0 <= row["pairwise_f1"] <= 1.0 and 0.0 < row["bcubed_f1"] <= 1.0
    oracle = next(r for r in result["rows"] if r["dataset"] == "t17" and "oracle" in r["system"])
    assert oracle["clusters"] == oracle["gold_clusters"] == 9
    anchors = result["extra"][0]
    assert {r["system"] for r in anchors["rows"]} == {"storyline", "publication date"}
    coref = result["extra"][1]
    assert coref["primary"] == "pairwise_f1" and {r["system"] for r in coref["rows"]} == {
        "storyline", "storyline (thresholds chosen leave-one-story-out)", "same day"}
    assert set(coref["chosen_thresholds"]) == {"corpus_airbus", "corpus_apple", "corpus_gm", "corpus_stock"}
    assert set(coref["pairs_per_story"]) == set(coref["chosen_thresholds"])
    shipped = "/".join(str(t) for t in coref["shipped_thresholds"])
    counts = [coref["pairs_per_story"][n][shipped] for n in coref["pairs_per_story"]]
    merged = next(r for r in coref["rows"] if r["system"] == "storyline")
    assert sum(c["right"] + c["wrong"] for c in counts) == merged["pred_pairs"]
    assert sum(c["right"] + c["missed"] for c in counts) == merged["gold_pairs"]
    assert all(0.0 <= r["pairwise_f1"] <= 1.0 for r in coref["rows"])


def test_cross_document_pairs_count_only_pairs_across_articles():
    units = [("a", 1, frozenset({"x"})), ("a", 1, frozenset({"x"})),  # same article: never counted
             ("b", 1, frozenset({"x", "y"})),  # with a's two: 2 gold pairs, both predicted → tp 2
             ("c", 2, frozenset({"y"})),  # with b: gold (shares y), not predicted → fn
             ("d", 1, frozenset())]  # with a, a, b: predicted, not gold → 3 fp
    sc = stories.cross_document_pairs(units)
    assert (sc["pred_pairs"], sc["gold_pairs"]) == (5, 3)
    assert sc["precision"] == pytest.approx(2 / 5) and sc["recall"] == pytest.approx(2 / 3)


def test_meantime_instances_are_cross_document_events_by_sentence():
    root = _meantime()
    found = stories.meantime_instances(next(root.glob("corpus_gm/126311_*.xml")))
    assert found and all(isinstance(s, int) and inst for s, inst in found.items())
    assert all(i[:3].isupper() for inst in found.values() for i in inst)  # instance ids like "OTH4001..."
