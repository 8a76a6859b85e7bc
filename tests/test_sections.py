"""Timeline sections: the story's own period first, the background its articles recall, what they expect."""

from __future__ import annotations

from datetime import date

from storyline.contract import sections
from storyline.link.events import assign_sections, build_events, story_period
from storyline.model import Mention

PUBLISHED = {"a": date(2010, 4, 21), "b": date(2010, 4, 22), "c": date(2010, 6, 1), "d": date(2010, 9, 19)}


def m(doc: str, sent: int, text: str, d: date, gran: str = "day", time_text: str = "") -> Mention:
    return Mention(doc, sent, text, d, gran, None, time_text)


def timeline() -> list:
    ms = [
        m("a", 0, "The Deepwater Horizon rig exploded in the Gulf of Mexico on April 20, killing 11 workers.",
          date(2010, 4, 20), time_text="on April 20"),
        m("b", 0, "The Deepwater Horizon drilling rig exploded on April 20 and sank two days later.",
          date(2010, 4, 20), time_text="on April 20"),
        m("c", 3, "BP began its top kill attempt to plug the well on May 26 with heavy drilling mud.",
          date(2010, 5, 26), time_text="on May 26"),
        m("d", 0, "BP finally capped the leaking well on July 15 after 87 days of oil in the sea.",
          date(2010, 7, 15), time_text="on July 15"),
        m("c", 5, "The Oil Pollution Act, passed in 1990 after the Exxon Valdez spill, caps liability.",
          date(1990, 1, 1), "year", time_text="in 1990"),
        m("c", 7, "Scientists warn that the Gulf's fisheries may not recover fully by 2050.",
          date(2050, 1, 1), "year", time_text="by 2050"),
        m("b", 4, "Engineers plan to lower a containment dome over the leak on May 6 next month.",
          date(2010, 5, 6), time_text="on May 6"),
    ]
    events = [e for e, _ in build_events("s", list(enumerate(ms)))]
    period = assign_sections(events, PUBLISHED)
    return events, period


def test_story_period_runs_from_the_first_report_back_over_the_corroborated_day_before_it():
    events, period = timeline()
    assert period == (date(2010, 4, 20), date(2010, 9, 19))


def test_each_event_gets_its_section():
    events, _ = timeline()
    got = {e.summary.split()[0] + str(e.date.year): e.section for e in events}
    assert got == {"The1990": "background", "The2010": "story", "BP2010": "story", "Engineers2010": "expected",
                   "Scientists2050": "expected"}
    (explosion,) = [e for e in events if e.date == date(2010, 4, 20)]
    assert explosion.documents == ["a", "b"] and explosion.section == "story"


def test_a_day_one_article_alone_names_long_before_the_story_stays_background():
    ms = [m("a", 0, "The rig passed its last safety inspection on April 1, officials said.", date(2010, 4, 1),
            time_text="on April 1"),
          m("b", 0, "The rig exploded on April 20, killing 11 workers.", date(2010, 4, 20),
            time_text="on April 20"),
          m("c", 0, "The Deepwater Horizon rig exploded on April 20 in the Gulf.", date(2010, 4, 20),
            time_text="on April 20")]
    events = [e for e, _ in build_events("s", list(enumerate(ms)))]
    assign_sections(events, PUBLISHED)
    assert [(e.date.day, e.section) for e in events] == [(1, "background"), (20, "story")]


def test_without_publication_dates_the_period_is_where_the_corroborated_days_lie():
    events, _ = timeline()
    assert story_period(events, {}) is not None


def test_sections_lists_the_story_first_and_leaves_out_empty_ones():
    tl = [{"id": "1", "section": "background"}, {"id": "2", "section": "story"}, {"id": "3"}]
    assert [(name, [e["id"] for e in evs]) for name, evs in sections(tl)] == [
        ("story", ["2", "3"]), ("background", ["1"])]


EXPECTING = {"x": date(2023, 3, 1), "y": date(2023, 3, 2), "z": date(2023, 3, 8)}


def expected_rows(ms: list[Mention], published: dict = EXPECTING) -> list:
    events = [e for e, _ in build_events("s", list(enumerate(ms)), published=published)]
    assign_sections(events, published)
    return [(e.date, e.section, e.documents, e.summary) for e in events]


def test_an_expectation_that_is_the_only_mention_of_its_day_is_an_expected_row() -> None:
    ms = [m("x", 0, "The dockers' union went on strike at the port on Wednesday.", date(2023, 3, 1),
            time_text="on Wednesday"),
          m("x", 1, "The union will hold a second ballot on 20 March.", date(2023, 3, 20), time_text="on 20 March")]
    rows = expected_rows(ms)
    assert [(d, s) for d, s, _, _ in rows] == [(date(2023, 3, 1), "story"), (date(2023, 3, 20), "expected")]


def test_an_expectation_repeated_in_other_words_is_one_row() -> None:
    ms = [m("x", 0, "The union will hold a second ballot on 20 March.", date(2023, 3, 20), time_text="on 20 March"),
          m("y", 0, "Union members are expected to hold a second ballot on 20 March on extending the walkout.",
            date(2023, 3, 20), time_text="on 20 March"),
          m("y", 1, "A second strike ballot is due on 20 March, officials said.", date(2023, 3, 20),
            time_text="on 20 March"),
          m("x", 2, "The dockers' union went on strike at the port on Wednesday.", date(2023, 3, 1),
            time_text="on Wednesday")]
    rows = expected_rows(ms)
    assert len(rows) == 2
    (day, section, docs, _), = [r for r in rows if r[0] == date(2023, 3, 20)]
    assert section == "expected" and docs == ["x", "y"]


def test_two_plans_for_one_day_are_two_rows() -> None:
    ms = [m("x", 0, "The union will hold a second ballot on 20 March.", date(2023, 3, 20), time_text="on 20 March"),
          m("y", 0, "A second strike ballot is due on 20 March, officials said.", date(2023, 3, 20),
            time_text="on 20 March"),
          m("y", 1, "The port authority will publish its annual accounts on 20 March.", date(2023, 3, 20),
            time_text="on 20 March"),
          m("z", 0, "Shipping lines plan to reroute cargo to Rotterdam on 20 March.", date(2023, 3, 20),
            time_text="on 20 March")]
    rows = expected_rows(ms)
    assert sorted((docs, summary.split()[1]) for _, section, docs, summary in rows if section == "expected") == [
        (["x", "y"], "union"), (["y"], "port"), (["z"], "lines")]


def test_an_expectation_founds_no_row_once_its_day_is_reported() -> None:
    ms = [m("x", 0, "Port workers are expected to walk out on Thursday.", date(2023, 3, 2), time_text="on Thursday"),
          m("z", 0, "Cranes stood idle on Thursday as the dockers' strike began.", date(2023, 3, 2),
            time_text="on Thursday")]
    rows = expected_rows(ms)
    assert [(d, s, docs) for d, s, docs, _ in rows] == [(date(2023, 3, 2), "story", ["z"])]
    assert rows[0][3].startswith("Cranes")


def test_an_expectation_for_its_own_day_is_no_event() -> None:
    ms = [m("y", 0, "The port authority hopes to reopen two berths later today.", date(2023, 3, 2),
            time_text="later today"),
          m("x", 0, "The dockers' union went on strike at the port on Wednesday.", date(2023, 3, 1),
            time_text="on Wednesday")]
    assert [d for d, *_ in expected_rows(ms)] == [date(2023, 3, 1)]
