"""The TempEval-3 scorer on hand-made cases with known answers, and one short run on the real data."""

from datetime import date
from pathlib import Path

import pytest

from evaluation import tempeval3 as te
from storyline.annotate.dates import Timex3


def tx(start: int, end: int, value: str = "2013-03-22", typ: str = "DATE") -> Timex3:
    return Timex3(start, end, "x" * (end - start), typ, value)


def test_perfect_output_scores_one():
    gold = [[tx(0, 6), tx(10, 20, "P1M", "DURATION")]]
    s = te.score(gold, gold)
    keys = ("strict_f1", "relaxed_f1", "value_f1", "value_accuracy", "type_accuracy")
    assert all(s[k] == 1.0 for k in keys)


def test_partial_overlap_is_relaxed_not_strict():
    # gold "last week" (0-9) vs system "week" (5-9): relaxed match only, right value
    s = te.score([[tx(0, 9, "2013-W11")]], [[tx(5, 9, "2013-W11")]])
    assert s["strict_f1"] == 0.0
    assert s["relaxed_f1"] == 1.0 and s["value_f1"] == 1.0


def test_value_f1_counts_relaxed_matches_with_right_value():
    # 4 gold, 5 system; 3 overlap, of which 2 carry the right value; 1 of the 3 is exact
    gold = [[tx(0, 5, "A"), tx(10, 15, "B"), tx(20, 25, "C"), tx(40, 45, "D")]]
    system = [[tx(0, 5, "A"), tx(11, 15, "B"), tx(21, 24, "wrong"), tx(30, 33), tx(50, 52)]]
    s = te.score(gold, system)
    p, r = 3 / 5, 3 / 4
    relaxed = 2 * p * r / (p + r)
    assert s["relaxed_f1"] == pytest.approx(relaxed, abs=1e-4)
    assert s["strict_f1"] == pytest.approx(2 * (1 / 5) * (1 / 4) / (1 / 5 + 1 / 4), abs=1e-4)
    assert s["value_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    # the TE3 value score is accuracy × relaxed F1, i.e. F1 with right-valued relaxed matches as TPs
    assert s["value_f1"] == pytest.approx(2 / 3 * relaxed, abs=1e-4)
    assert s["value_f1"] == pytest.approx(2 * (2 / 5) * (2 / 4) / (2 / 5 + 2 / 4), abs=1e-4)


def test_type_accuracy_and_one_to_one_matching():
    gold = [[tx(0, 10, "P2Y", "DURATION")]]
    system = [[tx(0, 4, "P2Y", "DATE"), tx(5, 10, "P2Y", "DURATION")]]  # two system spans inside one gold
    s = te.score(gold, system)
    assert (s["n_gold"], s["n_system"]) == (1, 2)
    assert s["relaxed_precision"] == 0.5 and s["relaxed_recall"] == 1.0
    assert s["type_accuracy"] == 1.0  # paired with the larger overlap (5-10), a DURATION


def test_nothing_found_scores_zero_without_dividing_by_zero():
    s = te.score([[tx(0, 4)]], [[]])
    assert s["relaxed_f1"] == s["value_f1"] == s["value_accuracy"] == 0.0


def test_parse_tml_offsets_and_entities():
    doc = te.parse_tml(
        '<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="2013-03-22">March 22, 2013</TIMEX3></DCT>'
        '<TEXT>AT&amp;T <EVENT eid="e1">said</EVENT> <TIMEX3 tid="t1" type="DATE" value="2013-03-22">Friday'
        '</TIMEX3> it grew in <TIMEX3 tid="t2" type="DURATION" value="P1M">a month</TIMEX3>.</TEXT></TimeML>')
    assert doc.dct == date(2013, 3, 22)
    assert doc.text == "AT&T said Friday it grew in a month."
    assert [(g.text, g.type, g.value) for g in doc.gold] == [("Friday", "DATE", "2013-03-22"),
                                                             ("a month", "DURATION", "P1M")]
    assert all(doc.text[g.start:g.end] == g.text for g in doc.gold)


def test_heideltime_output_is_realigned_on_the_text():
    text = "Tom & Jerry met Friday.\n\nThen yesterday."
    out = ('<?xml version="1.0"?>\n<TimeML>\nTom & Jerry met <TIMEX3 tid="t1" type="DATE" value="2013-03-22">'
           'Friday</TIMEX3>.\n\nThen <TIMEX3 tid="t2" type="DATE" value="2013-03-21">yesterday</TIMEX3>.'
           '\n</TimeML>')
    found = te._align_timeml(out, text)
    assert [(t.text, t.value) for t in found] == [("Friday", "2013-03-22"), ("yesterday", "2013-03-21")]
    assert all(text[t.start:t.end] == t.text for t in found)


def test_missing_dataset_raises_a_clear_error(tmp_path: Path):
    with pytest.raises(te.DatasetMissing, match="TempEval-3 data not found"):
        te.dataset_root(tmp_path)


def test_dataset_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "tempeval3").mkdir()
    monkeypatch.setenv("STORYLINE_DATASETS", str(tmp_path))
    assert te.dataset_root() == tmp_path / "tempeval3"


@pytest.fixture(scope="module")
def datasets() -> Path:
    try:
        return te.dataset_root().parent
    except te.DatasetMissing as exc:
        pytest.skip(f"TempEval-3 data absent: {exc}")


def test_run_on_real_data(datasets: Path):
    result = te.run(limit=2, datasets=datasets, baselines=False)
    assert result["benchmark"] == "tempeval3" and result["primary"] == "value_f1"
    (row,) = result["rows"]
    assert row["system"] == "storyline" and row["n_gold"] > 0
    for key in ("strict_f1", "relaxed_f1", "value_f1", "value_accuracy", "type_accuracy"):
        assert 0.0 <= row[key] <= 1.0
    assert row["value_f1"] > 0.3  # two short news documents: far from zero if the rules work at all


def test_gold_offsets_match_text(datasets: Path):
    for doc in te.load("platinum", datasets, limit=3) + te.load("train", datasets, limit=3):
        assert doc.dct is not None and doc.gold
        assert all(doc.text[g.start:g.end] == g.text for g in doc.gold)


def test_missing_baseline_is_a_note_not_a_row(datasets: Path, monkeypatch: pytest.MonkeyPatch):
    def unavailable(docs, workers=None):
        raise te.BaselineUnavailable("Java is not installed")

    monkeypatch.setattr(te, "heideltime_system", unavailable)
    result = te.run(limit=1, datasets=datasets, baselines=True)
    assert [r["system"] for r in result["rows"]] == ["storyline"]  # no published row for a partial run
    assert "Java is not installed" in result["note"]
