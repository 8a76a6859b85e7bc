"""T17 benchmark plumbing, Storyline's timeline ranking, and a run on a small real slice (skips cleanly)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evaluation import DatasetMissing, dataset_dir, datasets_root, render
from storyline.analysis.key_dates import date_scores, displayable, key_events, short_timeline
from storyline.model import Event, Mention
from storyline.text import TermWeights


def test_datasets_root_argument_env_and_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "timeline17").mkdir()
    assert datasets_root(tmp_path) == tmp_path
    monkeypatch.setenv("STORYLINE_DATASETS", str(tmp_path))
    assert dataset_dir("timeline17") == tmp_path / "timeline17"
    with pytest.raises(DatasetMissing, match="meantime_english"):
        dataset_dir("meantime_english")
    with pytest.raises(DatasetMissing, match="STORYLINE_DATASETS"):
        datasets_root(tmp_path / "nowhere")
    assert issubclass(DatasetMissing, FileNotFoundError)


def test_render_prints_rows_machine_and_sources():
    from rich.console import Console

    console = Console(record=True, width=200)
    render([{"benchmark": "t17", "primary": "ar1_f", "machine": "test-box", "date": "2026-01-01",
             "rows": [{"system": "storyline", "ar1_f": 0.1234, "date_f1": None},
                      {"system": "published:X", "ar1_f": 0.2, "source": "Paper 2020"}]},
            {"benchmark": "polnear", "skipped": "DatasetMissing: nope", "rows": []}], console)
    text = console.export_text()
    assert "storyline" in text and "0.123" in text and "test-box" in text and "Paper 2020" in text
    assert "polnear: skipped" in text


def _mention(doc: str, day: date, text: str, sentence: int = 0) -> Mention:
    return Mention(doc, sentence, text, day)


def test_dates_rank_by_corroboration_not_repetition():
    d1, d2 = date(2011, 1, 25), date(2011, 1, 28)
    events = [
        # one article repeating the 25th four times
        Event(d1, "day", "x", [_mention("a", d1, f"Protest {i} in Cairo on Tuesday.", i) for i in range(4)]),
        # three articles reporting the 28th
        Event(d2, "day", "y", [_mention(doc, d2, "Police clash with protesters in Cairo on Friday.")
                               for doc in ("b", "c", "d")]),
        Event(date(2011, 1, 1), "month", "z",
              [Mention("e", 0, "In January it began.", date(2011, 1, 1), "month")]),
        # a range names no single day, even when build_events filed it under its first day
        Event(d1, "day", "r", [Mention(x, 0, "Talks run from Jan 25 to Jan 28.", d1, "day", d2)
                               for x in "fghi"]),
    ]
    ranked = date_scores(events)
    assert [s.date for s in ranked] == [d2, d1]  # month-granularity events are not days
    assert (ranked[0].documents, ranked[1].documents, ranked[1].mentions) == (3, 1, 4)
    assert [s.date for s in date_scores(events, start=date(2011, 1, 26))] == [d2]


def test_a_day_recalled_later_outranks_one_reported_only_that_day():
    """Articles that still name a day after it passed say it mattered; the day's own reports (published on it
    or the next day) add a little on top of the mentions."""
    recalled, routine = date(2010, 4, 20), date(2010, 5, 3)
    events = [
        Event(recalled, "day", "x", [_mention(d, recalled, "The rig exploded on April 20, killing 11 workers.")
                                     for d in ("a", "b")]),
        Event(routine, "day", "y", [_mention(d, routine, "Crews laid more booms on Monday off Louisiana.")
                                    for d in ("c", "d")]),
    ]
    published = {"a": date(2010, 6, 1), "b": date(2010, 7, 15), "c": routine, "d": routine}
    assert [s.date for s in date_scores(events)] == [recalled, routine]  # a tie, broken by date alone
    same = date_scores(events, published=published, later_weight=1.0, pub_weight=0.5)
    assert [s.date for s in same] == [routine, recalled]  # its two reports lift it
    ranked = date_scores(events, published=published, later_weight=3.0, pub_weight=0.0)
    assert [s.date for s in ranked] == [recalled, routine] and ranked[0].score == 6.0
    # two articles published on the day of the routine mention, one the next day: 3 reports of it
    more = published | {"e": routine, "f": date(2010, 5, 4)}
    ranked = date_scores(events, published=more, later_weight=1.0, pub_weight=0.5)
    assert [s.date for s in ranked] == [routine, recalled] and ranked[0].score == 2 + 0.5 * 4


def test_key_events_prefer_sourced_events_central_sentences_and_skip_repeats():
    day = date(2011, 1, 28)
    big = Event(day, "day", "", [
        _mention("a", day, "Protesters battle police in Cairo and Suez to demand an end to Mubarak's rule."),
        _mention("b", day, "Thousands of protesters battle police in Cairo, Suez and Alexandria on Friday."),
        _mention("c", day, "Friday | Report abuse | protesters police Cairo Suez"),  # page furniture
    ])
    echo = Event(day, "day", "", [_mention("d", day, "Protesters battle police in Cairo and Suez Friday.")])
    other = Event(day, "day", "", [_mention("e", day, "The government shuts down internet and phone texts.")])
    texts = [m.text for ev in (big, echo, other) for m in ev.mentions]
    weights = TermWeights(texts)
    scored = date_scores([other, echo, big])[0]
    chosen = key_events(scored, 2, weights)
    assert chosen[0].event is big and chosen[0].documents == 3
    assert "|" not in chosen[0].mention.text
    assert chosen[1].event is other  # the echo repeats the first choice
    only_internet = key_events(scored, 3, weights, eligible=lambda t: "internet" in t)
    assert [c.event for c in only_internet] == [other]
    tl = short_timeline([big, echo, other], max_dates=5, per_date=1, weights=weights)
    assert [d for d, _ in tl] == [day] and len(tl[0][1]) == 1
    assert not displayable("Too short.") and not displayable(" ".join(["word"] * 60))


def test_an_event_is_shown_by_a_fuller_sentence_when_one_is_nearly_as_central():
    day = date(2011, 1, 28)
    terse = _mention("c", day, "Protesters battle police in Cairo and Suez on Friday.")
    full = _mention("b", day, "Tens of thousands of protesters battle riot police in Cairo, Suez and Alexandria "
                              "on Friday, defying a curfew as the army deploys in the streets for the first time.")
    ev = Event(day, "day", "", [_mention("a", day, "Protesters battle police in Cairo on Friday."), full, terse])
    weights = TermWeights([m.text for m in ev.mentions] + ["The government shuts down internet and phone texts."])
    scored = date_scores([ev])[0]
    assert key_events(scored, 1, weights, length_exponent=0.0)[0].mention is terse  # the most central
    assert key_events(scored, 1, weights)[0].mention is full  # the shipped mild length preference



def test_an_event_is_judged_and_shown_by_its_line_less_the_stamps_the_page_glued_on():
    day = date(2010, 7, 6)
    stamped = Mention("a", 0, "Tuesday, July 6, 2010; 9:26 PM Experts say the oil in the lake will do little harm.",
                      day, time_text="Tuesday, July 6, 2010")
    plain = Mention("b", 0, "Oil reached Lake Pontchartrain near New Orleans on Tuesday, officials said.", day,
                    time_text="on Tuesday")
    weights = TermWeights([stamped.text, plain.text])
    scored = date_scores([Event(day, "day", "", [plain]), Event(day, "day", "", [stamped])])[0]
    assert {c.text for c in key_events(scored, 2, weights)} == {stamped.text, plain.text}  # the stamp names the day
    cut = Mention("c", 0, "(AP Photo/Gerald Herbert) Oil reached Lake Pontchartrain on Tuesday.", day,
                  time_text="on Tuesday")
    scored = date_scores([Event(day, "day", "", [cut])])[0]
    assert key_events(scored, 1, weights)[0].text == "Oil reached Lake Pontchartrain on Tuesday."

# --------------------------------------------------------------------------------------------------
# The benchmark module


def _t17():
    try:
        import tilse.evaluation.rouge  # noqa: F401
    except ImportError as exc:  # tilse or one of its imports (nltk, scipy) missing
        pytest.skip(f"tilse unavailable ({exc}): pip install 'storyline[eval]'")
    from evaluation import t17

    return t17


def _root(t17) -> Path:
    try:
        return dataset_dir("timeline17")
    except DatasetMissing as exc:
        pytest.skip(str(exc))


def test_ptb_detokenise_and_tokenise():
    t17 = _t17()
    line = "The cost has risen to $ 8bn -LRB- # 5.2 bn -RRB- , BP says - `` a rise '' ."
    text = t17.detokenize_line(line)
    assert "(#5.2 bn)" in text and "-LRB-" not in text and '"a rise"' in text
    assert t17.tokenize('BP says "no further risk" (for now).').split() == \
        ["BP", "says", "``", "no", "further", "risk", "''", "(", "for", "now", ")", "."]


def test_knee_point_and_keyword_filter():
    t17 = _t17()
    assert t17.knee_point([1.0, 0.9, 0.2, 0.15, 0.1, 0.05]) == 2
    assert t17.knee_point([0.5]) == 0
    keep = t17.keyword_filter("bpoil")
    assert keep("The BP well is sealed.") and not keep("Obama speaks in Chicago.")


def test_tasks_follow_news_tls_protocol():
    t17 = _t17()
    tasks = t17.load_tasks(_root(t17))
    assert len(tasks) == 19 and len({t.topic for t in tasks}) == 9
    egypt = next(t for t in tasks if t.topic == "EgyptianProtest")
    assert (egypt.start, egypt.end, egypt.l, egypt.k) == (date(2011, 1, 25), date(2011, 2, 13), 20, 3)
    mj = next(t for t in tasks if t.topic == "MJ")
    assert mj.dropped and "2011-04-0" in mj.dropped[0]


@pytest.mark.slow
def test_run_on_a_small_slice():
    """First gold timeline of one topic cut to 5 dates: both systems predict, all scores well-formed."""
    t17 = _t17()
    _root(t17)
    result = t17.run(limit=1, topics=["EgyptianProtest"], max_gold_dates=5, workers=1, progress=False)
    assert result["benchmark"] == "t17" and result["primary"] == "ar1_f"
    rows = {r["system"]: r for r in result["rows"]}
    mixed = "ablation:storyline-dates+datewise-sentences"
    assert set(rows) == {"storyline", "datewise", mixed}  # no published rows for a slice
    for row in rows.values():
        for key in ("ar1_f", "ar2_f", "date_f1", "ar1_p", "ar1_r"):
            assert 0.0 <= row[key] <= 1.0
        assert row["timelines"] == 1
        assert row["date_f1"] > 0  # the first 5 days of the revolution are widely reported
    task = result["tasks"][0]
    assert task["l"] == 5 and task["start"] == "2011-01-25" and task["end"] == "2011-01-29"
    assert all(0 < task[s]["dates"] <= 5 for s in ("storyline", "datewise"))
    assert any("not the full" in n for n in result["notes"])
    # The decomposition row takes Storyline's dates (less any without an eligible sentence).
    assert 0 < task[mixed]["dates"] <= task["storyline"]["dates"]
