from datetime import date

from storyline.link.events import amounts, build_events, clauses, is_baseline, is_reference
from storyline.model import Mention


def m(doc, sent, text, d, gran="day", last=None, time_text=""):
    return Mention(doc, sent, text, d, gran, last, time_text)


def test_same_happening_in_two_outlets_merges_with_both_sources():
    a = m("a", 0, "On December 17, 2021, the Russian Foreign Ministry released a draft agreement on security "
               "guarantees.", date(2021, 12, 17), time_text="On December 17, 2021")
    b = m("b", 3, "On 17 December 2021, the Ministry of Foreign Affairs published two draft agreements on "
               "so-called security guarantees.", date(2021, 12, 17), time_text="On 17 December 2021")
    events = build_events("s", [(1, a), (2, b)])
    assert len(events) == 1
    ev, ids = events[0]
    assert ev.documents == ["a", "b"] and sorted(ids) == [1, 2]
    assert ev.granularity == "day" and ev.date == date(2021, 12, 17)


def test_different_happenings_on_one_day_stay_apart():
    a = m("a", 0, "Floods hit the northern province on Monday, killing twelve people.", date(2023, 5, 1),
          time_text="on Monday")
    b = m("b", 1, "The central bank raised interest rates by half a point on Monday.", date(2023, 5, 1),
          time_text="on Monday")
    assert len(build_events("s", [(1, a), (2, b)])) == 2


def test_dates_must_agree_even_when_words_match():
    a = m("a", 0, "The talks took place in Geneva on January 10.", date(2022, 1, 10), time_text="on January 10")
    b = m("b", 0, "The talks took place in Geneva on January 21.", date(2022, 1, 21), time_text="on January 21")
    assert len(build_events("s", [(1, a), (2, b)])) == 2


def test_range_overlapping_a_day_merges_and_keeps_range_end():
    a = m("a", 0, "The first round of negotiations will take place in Geneva on January 9-10, 2022.",
          date(2022, 1, 9), last=date(2022, 1, 10), time_text="on January 9-10, 2022")
    b = m("b", 5, "Consultations on the negotiations took place in Geneva on January 10.", date(2022, 1, 10),
          time_text="on January 10")
    (ev, _), = build_events("s", [(1, a), (2, b)])
    assert ev.date == date(2022, 1, 9) and ev.last == date(2022, 1, 10)
    assert ev.documents == ["a", "b"]


def test_a_month_mention_joins_the_day_it_describes():
    a = m("a", 0, "Putin said in early December that Russia needed legal security guarantees.",
          date(2021, 12, 1), "month", time_text="in early December")
    b = m("b", 0, "Putin said on December 7 that Russia needed legal security guarantees.",
          date(2021, 12, 7), time_text="on December 7")
    (ev, ids), = build_events("s", [(1, a), (2, b)])
    assert ev.granularity == "day" and ev.date == date(2021, 12, 7) and sorted(ids) == [1, 2]


def test_a_month_mention_of_another_happening_keeps_its_own_row():
    a = m("a", 0, "Parliament passed the new budget law in December after months of debate.",
          date(2021, 12, 1), "month", time_text="in December")
    b = m("b", 0, "Putin said on December 7 that Russia needed legal security guarantees.",
          date(2021, 12, 7), time_text="on December 7")
    events = build_events("s", [(1, a), (2, b)])
    assert [e.granularity for e, _ in events] == ["month", "day"]


def test_a_year_mention_never_takes_a_day_of_another_year():
    a = m("a", 0, "Apple launched the iTunes Music Store in 2003 with 200,000 songs.", date(2003, 1, 1), "year",
          time_text="in 2003")
    b = m("b", 0, "Apple launched the iTunes Music Store on April 28, 2004 with 200,000 songs.",
          date(2004, 4, 28), time_text="on April 28, 2004")
    assert len(build_events("s", [(1, a), (2, b)])) == 2


def test_a_sentence_opening_on_a_pronoun_joins_an_event_but_founds_none():
    a = m("a", 0, "BP capped the leaking well in the Gulf of Mexico on July 15 after 87 days.", date(2010, 7, 15),
          time_text="on July 15")
    b = m("b", 2, "It capped the leaking well on July 15, ending 87 days of spill.", date(2010, 7, 15),
          time_text="on July 15")
    c = m("c", 4, "They will later continue drilling the relief well on July 15.", date(2010, 7, 15),
          time_text="on July 15")
    (ev, ids), = build_events("s", [(1, a), (2, b), (3, c)])
    assert sorted(ids) == [1, 2] and ev.summary.startswith("BP capped")
    d = m("d", 2, '"The desire to return to the situation of December 2021 is real," Peskov told TASS.',
          date(2021, 12, 1), "month", time_text="December 2021")
    assert build_events("s", [(3, c), (4, d)]) == []  # two articles quoting it still date no event


def test_the_row_text_is_a_clear_sentence_not_a_pronoun_or_a_fragment():
    a = m("a", 0, "He said the well was finally capped on July 15 after 87 days of oil spewing into the Gulf.",
          date(2010, 7, 15), time_text="on July 15")
    b = m("b", 1, "BP said the well was finally capped on July 15, after 87 days of oil spewing into the Gulf.",
          date(2010, 7, 15), time_text="on July 15")
    (ev, _), = build_events("s", [(1, a), (2, b)])
    assert ev.summary.startswith("BP said")


def test_sentence_with_several_dates_is_split_into_clauses():
    text = ("Consultations took place in Geneva on January 10, followed by a meeting of the Council in Brussels "
            "on January 12 and a session of the OSCE in Vienna on January 13.")
    ms = [(1, m("a", 0, text, date(2022, 1, 10), time_text="on January 10")),
          (2, m("a", 0, text, date(2022, 1, 12), time_text="on January 12")),
          (3, m("a", 0, text, date(2022, 1, 13), time_text="on January 13"))]
    cl = clauses(ms)
    assert cl[1] == "Consultations took place in Geneva on January 10"
    assert cl[2].startswith("a meeting of the Council in Brussels")
    assert "Vienna" in cl[3]
    events = build_events("s", ms)
    assert [e.date.day for e, _ in events] == [10, 12, 13]
    assert events[1][0].summary.startswith("A meeting of the Council")


def test_a_possessive_date_ends_no_clause():
    # "Today's losses mean ... since ... in April" was cut after "Today": the April row read "'s losses mean …"
    text = "Monday's fall means the bank has lost a third of its value since the merger in March."
    ms = [(1, m("a", 0, text, date(2012, 5, 14), time_text="Monday")),
          (2, m("a", 0, text, date(2012, 3, 1), time_text="in March"))]
    assert clauses(ms) == {1: text, 2: text}


def test_a_clause_cut_inside_its_sentence_shows_the_whole_sentence():
    text = ("The Senate Foreign Relations Committee announced on Thursday it would hold a hearing on 29 July "
            "into the circumstances of the release.")
    ms = [(1, m("a", 0, text, date(2010, 7, 15), time_text="on Thursday")),
          (2, m("a", 0, text, date(2010, 7, 29), time_text="on 29 July"))]
    assert clauses(ms)[1] == "The Senate Foreign Relations Committee announced on Thursday"
    events = build_events("s", ms)
    assert events[0][0].date.day == 15 and events[0][0].summary == text


def test_events_are_sorted_and_ids_stable():
    a = m("a", 0, "Elections were held across the country on March 3 with record turnout.", date(2024, 3, 3),
          time_text="on March 3")
    b = m("b", 0, "The new parliament met for the first time on April 9 in the capital.", date(2024, 4, 9),
          time_text="on April 9")
    first = build_events("s", [(2, b), (1, a)])
    again = build_events("s", [(1, a), (2, b)])
    assert [e.date for e, _ in first] == [date(2024, 3, 3), date(2024, 4, 9)]
    assert [e.id for e, _ in first] == [e.id for e, _ in again]


def test_summary_drops_bullets_labels_and_agency_credits():
    for raw in ("- On 24 February the army crossed the border at dawn.",
                "Details: On 24 February the army crossed the border at dawn.",
                "/TASS/. On 24 February the army crossed the border at dawn."):
        (ev, _), = build_events("s", [(1, m("a", 0, raw, date(2022, 2, 24), time_text="On 24 February"))])
        assert ev.summary == "On 24 February the army crossed the border at dawn."


def test_a_long_period_does_not_swallow_the_days_inside_it():
    season = m("a", 0, "A state of emergency ran from June 1 to November 30 along the coast.", date(2010, 6, 1),
               last=date(2010, 11, 30), time_text="from June 1 to November 30")
    storm = m("b", 0, "A hurricane hit the coast on August 3, flooding the season's first towns.", date(2010, 8, 3),
              time_text="on August 3")
    assert len(build_events("s", [(1, season), (2, storm)])) == 2


def test_a_yearly_period_or_a_habit_is_no_row():
    """The calendar of a period that comes round every year, or a habit, is the time of no happening: it is in
    no row, however many articles state it; this year's storm stays a row."""
    season = [m(d, 0, "The monsoon season runs from June 1 to September 30 in the region.", date(2012, 6, 1),
                last=date(2012, 9, 30), time_text="from June 1 to September 30") for d in ("a", "b")]
    habit = m("c", 0, "Farmers there usually plant their rice in early June, before the rains.", date(2012, 6, 1),
              gran="month", time_text="early June")
    storm = m("d", 0, "A cyclone hit the coast on August 3, flooding the first villages.", date(2012, 8, 3),
              time_text="on August 3")
    built = build_events("s", list(enumerate([*season, habit, storm])))
    assert [(e.date, ids) for e, ids in built] == [(date(2012, 8, 3), [3])]


def test_clusters_do_not_chain_through_their_members():
    a = m("a", 0, "Officials met in Geneva on May 2 to discuss the ceasefire plan.", date(2022, 5, 2),
          time_text="on May 2")
    b = m("b", 0, "On May 2 the ceasefire plan was discussed by officials in Geneva and grain exports too.",
          date(2022, 5, 2), time_text="On May 2")
    c = m("c", 0, "On May 2 grain exports from the port resumed as ships sailed.", date(2022, 5, 2),
          time_text="On May 2")
    events = build_events("s", [(1, a), (2, b), (3, c)])
    assert [sorted(ev.documents) for ev, _ in events] == [["a", "b"], ["c"]]


def test_one_happening_founded_twice_on_one_day_becomes_one_row():
    ms = [m("a", 0, "Oil began leaking into the Gulf on 20 April when the Deepwater Horizon rig exploded, killing 11 "
                    "workers.", date(2010, 4, 20), time_text="on 20 April"),
          m("b", 0, "The Deepwater Horizon rig exploded on 20 April and oil began leaking into the Gulf.",
            date(2010, 4, 20), time_text="on 20 April"),
          m("c", 0, "Eleven workers were killed in the explosion on the Deepwater Horizon rig on 20 April.",
            date(2010, 4, 20), time_text="on 20 April"),
          m("d", 0, "Eleven workers died when the Deepwater Horizon rig exploded on 20 April, killing 11.",
            date(2010, 4, 20), time_text="on 20 April")]
    (ev, ids), = build_events("s", list(enumerate(ms)))
    assert ev.documents == ["a", "b", "c", "d"]


def test_a_reference_to_another_day_does_not_cut_the_row_text():
    text = "A new cap was used on Thursday to stop the flow for the first time since 20 April, BP said."
    ms = [(1, m("a", 0, text, date(2010, 7, 15), time_text="on Thursday")),
          (2, m("a", 0, text, date(2010, 4, 20), time_text="20 April"))]
    events = build_events("s", ms)
    assert [e.summary for e, _ in events] == [text]  # the "since 20 April" mention founds no row


def test_a_fronted_time_phrase_dates_the_clause_that_follows_it():
    text = ("In a press conference at 16:15 UTC, June 1st, the chief executive of General Motors, which filed for "
            "bankruptcy earlier today, outlined a plan.")
    ms = [(1, m("a", 0, text, date(2009, 6, 1), time_text="16:15 UTC, June 1st")),
          (2, m("a", 0, text, date(2009, 6, 4), time_text="earlier today"))]
    cl = clauses(ms)
    assert "filed for bankruptcy" in cl[1]  # not just "In a press conference at 16:15 UTC, June 1st"


def test_articles_that_report_one_happening_only_in_dependent_sentences_still_make_a_row():
    a = m("a", 0, "He fought pancreatic cancer in 2004.", date(2004, 1, 1), "year", time_text="2004")
    b = m("b", 0, "Steve Jobs has been fighting pancreatic cancer since 2004.", date(2004, 1, 1), "year",
          time_text="2004")
    c = m("c", 0, "He has been fighting pancreatic cancer since 2004.", date(2004, 1, 1), "year", time_text="2004")
    other = [(10 + i, m(d, 1, f"Steve Jobs said Apple sold more iPods in {y}.", date(y, 1, 1), "year",
                        time_text=str(y)))  # the story's other news, where its protagonist's name is common
             for i, (d, y) in enumerate([("a", 2005), ("b", 2006), ("c", 2007), ("d", 2008), ("e", 2009)])]
    events = build_events("s", [(1, a), (2, b), (3, c), *other])
    ev, ids = next(e for e in events if e[0].date.year == 2004)
    assert sorted(ids) == [1, 2, 3] and ev.summary.startswith("Steve Jobs")
    # one article alone, or only pronoun-led sentences, found no row
    assert build_events("s", [(2, b)]) == []
    assert build_events("s", [(1, a), (3, c)]) == []


def test_a_year_cluster_joins_the_day_it_describes_whichever_founded_first():
    a = m("a", 0, "Billions of songs were bought from the iTunes store since its launch in 2003.", date(2003, 1, 1),
          "year", time_text="2003")
    b = m("b", 0, "Apple launched the iTunes Music Store in 2003.", date(2003, 1, 1), "year", time_text="2003")
    c = m("c", 0, "Apple, maker of the iPod, launched the iTunes Music Store, an online music store, on April 28, "
                  "2003.", date(2003, 4, 28), time_text="April 28, 2003")
    other = [(10 + i, m(d, 1, f"Apple sold more Macintosh computers in {y}.", date(y, 1, 1), "year",
                        time_text=str(y))) for i, (d, y) in enumerate(zip("abcdef", range(2005, 2011), strict=True))]
    events = build_events("s", [(1, a), (2, b), (3, c), *other])
    ev, ids = events[0]  # "a" came first and founded the year's row, before "b" joined the day
    assert ev.granularity == "day" and sorted(ids) == [1, 2, 3] and len(events) == 7


def test_a_date_a_figure_is_compared_with_founds_no_row():
    a = m("a", 0, "Chrysler's sales volume in Canada dropped 23% compared to March of 2008.", date(2008, 3, 1),
          "month", time_text="March of 2008")
    b = m("b", 0, "Ford sales dropped 42% last month from the previous year.", date(2008, 1, 1), "year",
          time_text="the previous year")
    c = m("c", 0, "Industry-wide car sales dropped 18% in 2008 compared to 2007.", date(2008, 1, 1), "year",
          time_text="in 2008")
    events = build_events("s", [(1, a), (2, b), (3, c)])
    assert [ids for _, ids in events] == [[3]]


def test_two_rows_of_one_day_that_mean_one_happening_become_one():
    day = date(2010, 7, 15)
    capped = [m("a", 0, "The leaking oil was stopped on 15 July when BP closed a new cap it placed on the leaking "
                        "well.", day, time_text="on 15 July"),
              m("b", 0, "BP capped the leaking well on 15 July and stopped the flow of oil.", day,
                time_text="on 15 July")]
    sealed = [m("c", 0, "On 15 July, a cap was used to seal the top of the wellhead.", day, time_text="On 15 July"),
              m("d", 0, "On 15 July a cap was used to seal the wellhead's top.", day, time_text="On 15 July")]
    hearing = [m("e", 0, "The Senate committee announced on 15 July it would hold a hearing into the prisoner's "
                         "release.", day, time_text="on 15 July"),
               m("f", 0, "The Senate committee said on 15 July it would hold a hearing into the release of the "
                         "prisoner.", day, time_text="on 15 July")]
    ms = list(enumerate(capped + sealed + hearing))
    assert len(build_events("s", ms, meaning=None)) == 3  # words alone: the capping told twice
    events = build_events("s", ms, meaning=0.5)  # the mechanism; the shipped threshold is read off real days
    assert sorted(sorted(ev.documents) for ev, _ in events) == [["a", "b", "c", "d"], ["e", "f"]]


def test_a_days_row_shows_a_sentence_that_names_the_day():
    """Month mentions that joined a day's row are its sources, but the row shows a sentence of its own day, even
    when theirs are shorter and more alike."""
    day = m("a", 0, "Engineers closed the valves of the new cap on the well on 15 July, a spokesman told reporters "
                    "in Houston.", date(2010, 7, 15), time_text="on 15 July")
    month = [m("b", 0, "Engineers closed the valves of the new cap on the well in July.", date(2010, 7, 1), "month",
               time_text="in July"),
             m("c", 0, "Engineers had closed the valves of the new cap on the well in July.", date(2010, 7, 1),
               "month", time_text="in July")]
    (ev, ids), = build_events("s", list(enumerate([day, *month])), meaning=None)
    assert sorted(ids) == [0, 1, 2] and ev.summary == day.text


def test_a_date_inside_a_since_or_after_clause_is_the_time_of_that_clause_not_of_the_report():
    said = "BP has lost about half of its market value since the spill began two months ago."
    assert is_reference(m("a", 0, said, date(2010, 4, 1), "month", time_text="two months ago"))
    after = "Nine days after the rig exploded on April 20, the slick reached the coast."
    assert is_reference(m("a", 0, after, date(2010, 4, 20), time_text="on April 20"))
    # the same dates reporting the happening itself are no references
    assert not is_reference(m("a", 0, "The spill began two months ago.", date(2010, 4, 1), "month",
                              time_text="two months ago"))
    assert not is_reference(m("a", 0, "The rig exploded on April 20, killing 11 workers.", date(2010, 4, 20),
                              time_text="on April 20"))
    assert not is_reference(m("a", 0, "Billions of songs were bought since its launch in 2003.", date(2003, 1, 1),
                              "year", time_text="2003"))


def test_the_period_a_figure_measures_is_no_time_of_a_happening():
    text = "The July 27 target date is the day the company is due to report second-quarter earnings."
    assert is_reference(m("a", 0, text, date(2010, 4, 1), "month", date(2010, 6, 30), time_text="second-quarter"))
    assert not is_reference(m("a", 0, "Growth slowed in the second quarter.", date(2010, 4, 1), "month",
                              date(2010, 6, 30), time_text="the second quarter"))


def test_a_quote_and_its_attribution_join_an_event_but_found_none():
    a = m("a", 0, "BP capped the leaking well in the Gulf of Mexico on July 15 after 87 days.", date(2010, 7, 15),
          time_text="on July 15")
    b = m("b", 3, '"We capped the leaking well in the Gulf on July 15," Tony Hayward said.', date(2010, 7, 15),
          time_text="on July 15")
    c = m("c", 1, '"The desire to return to the situation of December 2021 is there," Peskov said.',
          date(2021, 12, 1), "month", time_text="December 2021")
    (ev, ids), = build_events("s", [(1, a), (2, b), (3, c)])
    assert sorted(ids) == [1, 2] and ev.summary.startswith("BP capped")
    d = m("d", 2, '"The desire to return to the situation of December 2021 is real," Peskov told TASS.',
          date(2021, 12, 1), "month", time_text="December 2021")
    assert build_events("s", [(3, c), (4, d)]) == []  # two articles quoting it still date no event


def test_amounts_reads_money_and_shares():
    assert amounts("a net profit of US$997 million in the quarter") == {"money": {997e6}}
    assert amounts("a $20bn fund, up 7.2 percent, and 60 billion rubles") == {"money": {20e9, 60e9},
                                                                               "share": {7.2}}
    assert amounts("killing 11 workers on 20 April") == {}


def test_reports_of_different_figures_are_different_facts():
    quarter = m("a", 0, "Ford posted a net profit of US$997 million in the third quarter of 2009.",
                date(2009, 7, 1), "month", date(2009, 9, 30), time_text="the third quarter of 2009")
    year = m("b", 0, "Ford posted an annual profit of US$2.7 billion for 2009, its first in four years.",
             date(2009, 1, 1), "year", time_text="2009")
    assert len(build_events("s", [(1, quarter), (2, year)])) == 2
    day = date(2008, 9, 17)
    aig = m("d", 0, "The Federal Reserve agreed a US$85 billion loan to AIG on Tuesday.", day, time_text="Tuesday")
    rubles = m("e", 0, "The central bank agreed a loan of 60 billion rubles to Sberbank on Tuesday.", day,
               time_text="Tuesday")
    assert len(build_events("s", [(1, aig), (2, rubles)])) == 2
    same = m("f", 0, "The Fed agreed an $85bn emergency loan to AIG on Tuesday.", day, time_text="Tuesday")
    (ev, ids), = build_events("s", [(1, aig), (3, same)])  # the same figure, written otherwise
    assert sorted(ids) == [1, 3]


def test_one_shared_word_never_joins_two_rows_of_one_period():
    a = m("a", 0, "The first aircraft entered service in 2011.", date(2011, 1, 1), "year", time_text="2011")
    b = m("b", 0, "The aircraft were delivered in 2011.", date(2011, 1, 1), "year", time_text="2011")
    # the story's other years, where every other word is common: "aircraft" alone weighs enough for the cosine
    other = [(10 + i, m(d, 1, f"The ships entered service and were delivered in {y}.", date(y, 1, 1), "year",
                        time_text=str(y))) for i, (d, y) in enumerate(zip("abcdef", range(2003, 2009), strict=True))]
    events = build_events("s", [(1, a), (2, b), *other])
    assert [1] in [ids for _, ids in events] and [2] in [ids for _, ids in events]


def test_the_beginning_of_a_year_does_not_hold_its_october():
    day = m("a", 0, "The Nikkei stock index has fallen dramatically today.", date(2008, 10, 24), time_text="today")
    since = m("b", 0, "The Nikkei stock index has fallen 40% since the beginning of the year.", date(2008, 1, 1),
              "year", time_text="the beginning of the year")
    events = build_events("s", [(1, day), (2, since)])
    assert all(sorted(ids) != [1, 2] for _, ids in events)
    early = m("c", 0, "The Nikkei stock index fell sharply in January.", date(2008, 1, 14),
              time_text="January 14")
    (ev, ids), = build_events("s", [(2, since), (3, early)])  # but its January, yes
    assert sorted(ids) == [2, 3] and ev.date == date(2008, 1, 14)


def test_a_possessive_day_refers_back_to_that_day_but_today_does_not():
    back = m("a", 0, "The well in Tuesday's accident was the first of a series to be drilled.", date(2010, 4, 20),
             time_text="Tuesday")
    assert is_reference(back)
    assert not is_reference(m("a", 0, "Today's losses wiped 5% off the shares.", date(2010, 6, 2),
                              time_text="Today"))
    blast = [m(d, 0, "The rig exploded on April 20, killing 11 workers.", date(2010, 4, 20), time_text="on April 20")
             for d in "bc"]
    (ev, ids), = build_events("s", [(1, back), (2, blast[0]), (3, blast[1])])  # it joins the day's happening
    assert sorted(ids) == [1, 2, 3] and ev.summary.startswith("The rig exploded")


def test_the_day_a_figure_started_from_founds_no_row():
    held = m("a", 0, "The value of its holdings fell from about $585.7 million on April 20 to $289.2 million.",
             date(2010, 4, 20), time_text="April 20")
    assert is_baseline(held)
    assert not is_baseline(m("a", 0, "The flight from London on Monday was delayed.", date(2010, 4, 19),
                             time_text="Monday"))
    assert build_events("s", [(1, held)]) == []


def test_a_row_does_not_open_on_a_stamp_or_credit():
    for raw in ("(AP Photo) The ferry sank off the coast on 12 March with 40 people aboard.",
                "5.20 pm: The ferry sank off the coast on 12 March with 40 people aboard.",
                "Saturday, March 12, 2016; 6:02 PM The ferry sank off the coast on 12 March with 40 people aboard."):
        (ev, _), = build_events("s", [(1, m("a", 0, raw, date(2016, 3, 12), time_text="on 12 March"))])
        assert ev.summary == "The ferry sank off the coast on 12 March with 40 people aboard."
