"""The PolNeAR scorer on tiny hand-made cases with known answers, and one short run on the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import polnear as pn

TEXT = 'Orlov said that the border stays open. "We are ready," he added. Lena thinks it will rain today.'


def span(text: str, words: str) -> tuple[tuple[int, int], ...]:
    start = TEXT.index(words)
    return ((start, start + len(words)),)


G_INDIRECT = pn.Gold(span(TEXT, "that the border stays open"), span(TEXT, "Orlov"))
G_DIRECT = pn.Gold(span(TEXT, '"We are ready,"'), span(TEXT, "he"))
G_BELIEF = pn.Gold(span(TEXT, "it will rain today"), span(TEXT, "Lena"))
GOLD = [G_INDIRECT, G_DIRECT, G_BELIEF]


def test_perfect_predictions_score_one():
    preds = [pn.Pred(g.content, g.source, "direct") for g in GOLD]
    s = pn.score([TEXT], [GOLD], [preds])
    for key in ("content", "content_exact", "content_token", "source"):
        assert s[f"{key}_precision"] == s[f"{key}_recall"] == s[f"{key}_f1"] == 1.0
    assert (s["n_gold"], s["n_pred"]) == (3, 3)


def test_quote_marks_and_that_do_not_count():
    # "the border stays open" == "that the border stays open"; We are ready == "We are ready,"
    preds = [pn.Pred(span(TEXT, "the border stays open"), span(TEXT, "Orlov")),
             pn.Pred(span(TEXT, "We are ready"), span(TEXT, "he"))]
    s = pn.score([TEXT], [GOLD], [preds])
    assert s["content_exact_precision"] == 1.0 and s["content_exact_recall"] == pytest.approx(2 / 3)
    assert s["source_precision"] == 1.0 and s["source_recall"] == pytest.approx(2 / 3)


def test_overlap_counts_half_the_words_and_exact_does_not():
    # "border stays open" covers 3 of the 4 words of the gold clause ("that" does not count) and
    # "it will" exactly half of "it will rain today": both are found, neither exactly.
    preds = [pn.Pred(span(TEXT, "border stays open")), pn.Pred(span(TEXT, "it will"))]
    s = pn.score([TEXT], [GOLD], [preds])
    assert s["content_precision"] == 1.0
    assert s["content_recall"] == pytest.approx(2 / 3)
    assert s["content_exact_f1"] == 0.0
    # token level: 5 predicted words, all inside gold; gold has 4 + 3 + 4 = 11 words
    assert s["content_token_precision"] == 1.0 and s["content_token_recall"] == pytest.approx(5 / 11)
    # "said that the": only "the" is a gold word (the gold clause's "that" does not count): wrong, and
    # 1 of 4 gold words covered is not enough to find the clause.
    s = pn.score([TEXT], [[G_INDIRECT]], [[pn.Pred(span(TEXT, "said that the"))]])
    assert s["content_precision"] == 0.0
    assert s["content_recall"] == 0.0



def test_a_prediction_outside_every_gold_content_is_wrong():
    preds = [pn.Pred(span(TEXT, "Orlov said"), span(TEXT, "Orlov")), pn.Pred(G_DIRECT.content, span(TEXT, "Lena"))]
    s = pn.score([TEXT], [GOLD], [preds])
    assert s["content_precision"] == 0.5 and s["content_recall"] == pytest.approx(1 / 3)
    # the matched content has the wrong source; the unmatched one cannot have a right one
    assert s["source_precision"] == 0.0 and s["source_recall"] == 0.0


def test_split_prediction_recalls_one_discontinuous_gold():
    text = '"One two three," she said, "four five six."'
    gold = [pn.Gold(((1, 14), (28, 42)), ((17, 20),))]
    preds = [pn.Pred(((1, 14),), ((17, 20),)), pn.Pred(((28, 42),), ((17, 20),))]
    s = pn.score([text], [gold], [preds])
    assert s["content_precision"] == s["content_recall"] == 1.0
    assert s["content_exact_f1"] == 0.0
    assert s["source_precision"] == s["source_recall"] == 1.0


def test_empty_inputs_score_zero_not_error():
    s = pn.score([TEXT], [[]], [[]])
    assert s["content_f1"] == 0.0 and s["n_gold"] == 0


def test_direct_and_quoted_gold():
    assert pn.is_direct(TEXT, G_DIRECT) and pn.is_quoted(TEXT, G_DIRECT)
    assert not pn.is_direct(TEXT, G_INDIRECT) and not pn.is_quoted(TEXT, G_INDIRECT)
    text = 'Orlov said the plan was "a total and utter disaster for everyone."'
    partial = pn.Gold(((11, len(text)),))
    assert pn.is_quoted(text, partial) and not pn.is_direct(text, partial)


def test_parse_ann_reads_discontinuous_spans_and_roles():
    ann = ("T1\tSource 0 5\tOrlov\nT2\tCue 6 10\tsaid\nT3\tContent 11 20;25 30\txxx\nT4\tAttribution 6 10\tsaid\n"
           "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
           "T5\tCue 40 44\tsaid\nT6\tContent 45 50\tyyy\nT7\tContent 55 60\tzzz\n"
           "E2\tAttribution-no-source:T4 Cue:T5 Content:T6 Content2:T7\n"
           "E3\tAttribution:T4 Cue:T5\n#1\tAnnotatorNotes T1\tnote\n")
    gold = pn.parse_ann(ann)
    assert gold == [pn.Gold(((11, 20), (25, 30)), ((0, 5),)), pn.Gold(((45, 50), (55, 60)), None)]


def test_missing_dataset_is_a_clear_error(tmp_path: Path):
    with pytest.raises(pn.DatasetMissing):
        pn.run(limit=1, datasets=tmp_path)


@pytest.fixture(scope="module")
def datasets() -> Path:
    try:
        return pn.dataset_root().parents[1]
    except pn.DatasetMissing as exc:
        pytest.skip(f"PolNeAR data absent: {exc}")


def test_gold_offsets_are_inside_the_text(datasets: Path):
    for doc in pn.load("dev", datasets, limit=3):
        assert doc.gold
        assert all(0 <= a < b <= len(doc.text) for g in doc.gold for a, b in g.content)


def test_run_on_real_data(datasets: Path):
    result = pn.run(limit=3, datasets=datasets, split="dev")
    assert result["benchmark"] == "polnear" and result["primary"] == "content_f1"
    systems = [r["system"] for r in result["rows"]]
    assert systems[0] == "storyline" and len(systems) == 2
    for row in result["rows"]:
        for key in ("content_precision", "content_recall", "content_f1", "source_precision", "source_recall",
                    "source_f1", "direct_content_f1", "content_exact_f1"):
            assert 0.0 <= row[key] <= 1.0
    story = result["rows"][0]
    assert story["n_gold"] > 0 and story["n_pred"] > 0 and story["content_f1"] > 0.2
