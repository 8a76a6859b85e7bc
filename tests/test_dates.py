"""Temporal expressions → calendar dates: every form the timeline relies on, plus TIMEX3 values."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.annotate.dates import resolve, timex3

JAN19 = date(2022, 1, 19)  # a Wednesday
DEC24 = date(2021, 12, 24)  # a Friday


def one(text: str, published: date | None):
    found = resolve(text, published)
    assert len(found) == 1, found
    t = found[0]
    assert text[t.start:t.end] == t.text
    return t


def values(text: str, published: date | None) -> list[tuple[str, date, str, date | None]]:
    return [(t.text, t.value, t.granularity, t.last) for t in resolve(text, published)]


# --- absolute dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expr", [
    ("On December 17, 2021, Russia published two draft agreements.", "December 17, 2021"),
    ("On 17 December 2021 the ministry published the drafts.", "17 December 2021"),
    ("The drafts are dated 2021-12-17 in the archive.", "2021-12-17"),
    ("The drafts were released Dec. 17, 2021, in Moscow.", "Dec. 17, 2021"),
    ("The drafts were released on Friday, December 17, 2021.", "Friday, December 17, 2021"),
])
def test_absolute_day(text, expr):
    t = one(text, JAN19)
    assert (t.text, t.value, t.granularity, t.last) == (expr, date(2021, 12, 17), "day", None)


def test_absolute_dates_need_no_publication_date():
    t = one("On December 17, 2021, Russia published two draft agreements.", None)
    assert t.value == date(2021, 12, 17)


# --- partial dates: year from publication date and tense ------------------------------------------------

def test_partial_date_past_tense_takes_previous_year():
    t = one("Russia published its proposals on December 17 and demanded a quick answer.", JAN19)
    assert t.value == date(2021, 12, 17) and t.granularity == "day"


def test_partial_date_nearest_to_publication():
    t = one("The delegations meet in Geneva on January 21 to continue the talks.", JAN19)
    assert t.value == date(2022, 1, 21)


def test_partial_date_before_publication_in_same_year():
    t = one("The two presidents held a video call on December 7.", DEC24)
    assert t.value == date(2021, 12, 7)


def test_partial_date_forms():
    assert one("Talks resumed on 27 October after a pause.", date(2021, 11, 2)).value == date(2021, 10, 27)
    t = one("Officials are preparing the January 21 meeting carefully.", JAN19)
    assert (t.text, t.value) == ("January 21", date(2022, 1, 21))


def test_future_tense_pushes_partial_date_forward():
    # nearest would be 2021-12-17, but "will" rules out dates before publication
    t = one("The summit will take place on December 17.", JAN19)
    assert t.value == date(2022, 12, 17)


def test_past_tense_pulls_partial_date_back():
    t = one("The commission had approved the plan on March 1.", date(2022, 1, 19))
    assert t.value == date(2021, 3, 1)


def test_month_only_follows_the_same_rule():
    assert one("He expressed hope that negotiations would begin in January.", DEC24).value == date(2022, 1, 1)
    t = one("The draft agreement that Russia sent them in December was discussed.", DEC24)
    assert (t.value, t.granularity, t.last) == (date(2021, 12, 1), "month", date(2021, 12, 31))


# --- weekdays --------------------------------------------------------------------------------------------

def test_weekday_past_is_most_recent_on_or_before_publication():
    assert one("The Kremlin said Friday that it was ready for talks.", JAN19).value == date(2022, 1, 14)
    # an article published on a Wednesday saying "on Wednesday" means that same day
    assert one("Peskov said on Wednesday that the talks had been useful.", JAN19).value == JAN19


def test_weekday_future_is_next_one():
    assert one("The ministers will meet on Friday in Geneva.", JAN19).value == date(2022, 1, 21)
    assert one("Washington asked Moscow to wait until Friday.", JAN19).value == date(2022, 1, 21)


def test_last_and_next_weekday():
    assert one("They spoke last Friday by phone.", JAN19).value == date(2022, 1, 14)
    assert one("They will speak next Monday by phone.", JAN19).value == date(2022, 1, 24)


# --- ranges ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, first, last", [
    ("The first round takes place in Geneva on January 9-10, 2022.", date(2022, 1, 9), date(2022, 1, 10)),
    ("The first round takes place in Geneva on 9-10 January.", date(2022, 1, 9), date(2022, 1, 10)),
    ("Consultations will run from January 9 to 12 in Geneva.", date(2022, 1, 9), date(2022, 1, 12)),
    ("Exercises are planned between January 9 and 12 near the border.", date(2022, 1, 9), date(2022, 1, 12)),
])
def test_day_ranges(text, first, last):
    t = one(text, date(2022, 1, 5))
    assert (t.value, t.granularity, t.last) == (first, "day", last)


def test_range_across_months_takes_year_of_the_end():
    t = one("The holiday truce lasts from December 28 to January 3, 2022.", None)
    assert (t.value, t.last) == (date(2021, 12, 28), date(2022, 1, 3))


def test_and_without_between_is_two_dates():
    found = values("Talks were held on January 10 and 12 in Geneva.", date(2022, 1, 20))
    assert found == [("January 10", date(2022, 1, 10), "day", None), ("12", date(2022, 1, 12), "day", None)]


# --- vague dates -----------------------------------------------------------------------------------------

def test_vague_months_and_years():
    assert values("Putin said in early December that Russia needed guarantees.", DEC24) == [
        ("early December", date(2021, 12, 1), "month", date(2021, 12, 31))]
    assert values("Prices rose in January.", date(2022, 3, 1)) == [
        ("January", date(2022, 1, 1), "month", date(2022, 1, 31))]
    assert values("The troops arrived in late 2021.", JAN19) == [
        ("late 2021", date(2021, 1, 1), "year", date(2021, 12, 31))]
    assert values("The talks were held in 2021.", None) == [
        ("2021", date(2021, 1, 1), "year", date(2021, 12, 31))]


def test_month_range():
    t = one("The exercises were held in December 2021-January 2022 near the border.", None)
    assert (t.text, t.value, t.granularity, t.last) == (
        "December 2021-January 2022", date(2021, 12, 1), "month", date(2022, 1, 31))


def test_year_range():
    t = one("The pandemic of 2009-2010 killed 348 children.", date(2013, 3, 22))
    assert (t.value, t.granularity, t.last) == (date(2009, 1, 1), "year", date(2010, 12, 31))


# --- relative --------------------------------------------------------------------------------------------

def test_relative_days_and_months():
    found = values("Officials met yesterday, talk today and meet tomorrow; prices fell last month.", JAN19)
    assert found == [
        ("yesterday", date(2022, 1, 18), "day", None),
        ("today", JAN19, "day", None),
        ("tomorrow", date(2022, 1, 20), "day", None),
        ("last month", date(2021, 12, 1), "month", date(2021, 12, 31)),
    ]


def test_ago():
    assert one("The offer was made three days ago.", JAN19).value == date(2022, 1, 16)
    assert one("The base was built two years ago.", JAN19).value == date(2020, 1, 1)


@pytest.mark.parametrize("text", [
    "These days the talks move slowly.",
    "For the time being there is no answer.",
    "The negotiations could take two years.",
    "Both sides have been at it for months.",
    "The talks are ongoing now.",
])
def test_not_dates(text):
    assert resolve(text, JAN19) == []


# --- no publication date -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Russia published its proposals on December 17.",
    "The Kremlin said Friday it was ready.",
    "Officials met yesterday in Geneva.",
    "Prices fell last month.",
    "Putin said in early December that Russia needed guarantees.",
    "The offer was made three days ago.",
])
def test_no_publication_date_resolves_nothing_relative(text):
    assert resolve(text, None) == []


def test_no_publication_date_timex_is_underspecified():
    (t,) = timex3("Russia published its proposals on December 17.", None)
    assert (t.text, t.value) == ("December 17", "XXXX-12-17")


# --- numbers that are not dates ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Russia has massed 100,000 troops after three rounds of talks.",
    "The hotline works 24/7 for 2000 callers.",
    "The meeting started at 10 a.m. sharp.",
    "About 1500 people protested, up 25% on 2,000 last time.",
    "He scored 3-1 and 12.5 points in 90 minutes.",
    "The 6-year-old and his 52-year-old father were saved.",
    "You may be right, and May we all agree.",
])
def test_non_dates_are_ignored(text):
    assert resolve(text, JAN19) == []


def test_clock_time_with_a_day_is_a_day():
    t = one("The attack began at 10 p.m. Wednesday near the border.", date(2022, 1, 21))
    assert (t.text, t.value, t.granularity) == ("10 p.m. Wednesday", date(2022, 1, 19), "day")


# --- TIMEX3 values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, dct, expected", [
    ("He said Friday.", date(2013, 3, 22), ("Friday", "DATE", "2013-03-22")),
    ("Deaths were reported in the last week.", date(2013, 3, 22), ("the last week", "DATE", "2013-W11")),
    ("It started a month earlier than usual.", date(2013, 3, 22), ("a month", "DURATION", "P1M")),
    ("It was the worst in a decade.", date(2013, 3, 22), ("a decade", "DURATION", "P10Y")),
    ("Shares fell 5% in the third quarter.", date(1989, 10, 26), ("the third quarter", "DATE", "1989-Q3")),
    ("The market is weak now.", date(1989, 10, 26), ("now", "DATE", "PRESENT_REF")),
    ("Prices rose last year.", date(1989, 10, 26), ("last year", "DATE", "1988")),
    ("She arrived this morning.", date(1998, 2, 6), ("this morning", "TIME", "1998-02-06TMO")),
    ("It closed at 10:35 a.m. on Friday.", date(1998, 8, 8), ("10:35 a.m.", "TIME", "1998-08-07T10:35")),
    ("Patients get a shot every day.", date(2000, 1, 1), ("every day", "SET", "P1D")),
    ("It lasted 2 1/2 years.", date(2000, 1, 1), ("2 1/2 years", "DURATION", "P2Y6M")),
    ("Prices peaked in the 1990s.", date(2000, 1, 1), ("the 1990s", "DATE", "199")),
    ("They met this summer.", date(1998, 9, 1), ("this summer", "DATE", "1998-SU")),
    ("It was founded five years ago.", date(1989, 10, 26), ("five years ago", "DATE", "1984")),
])
def test_timex3_values(text, dct, expected):
    found = [(t.text, t.type, t.value) for t in timex3(text, dct)]
    assert expected in found, found


def test_financial_year_ago_is_the_same_quarter():
    text = "Profit rose in the third quarter. A year earlier, the company lost money."
    found = [(t.text, t.value) for t in timex3(text, date(1989, 10, 26))]
    assert found == [("the third quarter", "1989-Q3"), ("A year earlier", "1988-Q3")]


# --- robustness ---------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("0123456789 -–/.,:'’$%aAmpdyMJDFSTWonthlyear") + [
    "January ", "Dec. ", "Friday ", "last ", "next ", "ago", "2021", "between ", " and ", " to ", "a.m.",
    "the ", "week", "quarter", "mid-", "early ", "years", "from "])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_ALPHABET, max_size=25).map("".join)),
       st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))))
def test_never_raises_and_spans_are_exact(text, published):
    for t in resolve(text, published):
        assert text[t.start:t.end] == t.text
        assert t.granularity in ("day", "month", "year")
        assert t.last is None or t.last >= t.value
    for x in timex3(text, published):
        assert text[x.start:x.end] == x.text and x.type in ("DATE", "TIME", "DURATION", "SET")


def test_sentences_without_dates_run_no_rule(monkeypatch):
    """Most sentences hold no date: the trigger gate must answer them without running any rule's pattern
    (that is what keeps date tagging nearly free; checked by counting, never by timing)."""
    from storyline.annotate import dates

    tried = []

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def finditer(self, text):
            tried.append(self.pattern.pattern[:40])
            return self.pattern.finditer(text)

    monkeypatch.setattr(dates, "_RULES", [(t, Counting(p), fn) for t, p, fn in dates._RULES])
    sentence = "The spokesman told reporters that the proposals had been handed over to the other side."
    assert resolve(sentence, JAN19) == []
    assert tried == []
    assert [t.text for t in resolve("The talks began on Monday.", JAN19)] == ["Monday"]
    assert tried, "a sentence with a weekday runs the rules it triggers"


def test_thousands_separators_are_one_number() -> None:
    """"10,000 years ago" is not "000 years ago" (which would read as this year)."""
    pub = date(2022, 1, 19)
    assert [(t.text, t.value) for t in timex3("built 10,000 years ago", pub)] == [("10,000 years ago", "PAST_REF")]
    assert [(t.text, t.value) for t in resolve("2,000 days ago", pub)] == [("2,000 days ago", date(2016, 7, 29))]
    assert [(t.text, t.value) for t in timex3("for 1,500 days", pub)] == [("1,500 days", "P1500D")]


def test_counts_without_a_calendar_span_keep_their_direction():
    """"0 minutes ago" looks back and "ten minutes from now" ahead, whatever the count."""
    pub = date(2022, 1, 19)
    assert [t.value for t in timex3("0 minutes ago", pub)] == ["PAST_REF"]
    assert [t.value for t in timex3("ten minutes from now", pub)] == ["FUTURE_REF"]


@pytest.mark.parametrize("text, published, expected", [
    # issue 12: an article of 19 September 2010 put the capping of the well in July 2011
    ("Oil spewed unchecked into the sea for 87 days until July 15.", date(2010, 9, 19), date(2010, 7, 15)),
    ("The well gushed until July 15, when a cap stopped the flow.", date(2010, 9, 19), date(2010, 7, 15)),
    ("The moratorium remained in place until Oct. 12.", date(2010, 12, 19), date(2010, 10, 12)),
    ("The moratorium will last until Nov. 30.", date(2010, 9, 19), date(2010, 11, 30)),
    ("The hearing has been postponed until Jan. 12.", date(2010, 12, 19), date(2011, 1, 12)),
    ("BP must keep paying until March 1, the judge ruled.", date(2010, 9, 19), date(2011, 3, 1)),
    ("Until March 1, the company paid every claim.", date(2010, 9, 19), date(2010, 3, 1)),
    ("Shares fell after the April 20 explosion.", date(2011, 1, 10), date(2010, 4, 20)),
    ("Crews will resume work after Jan. 5.", date(2010, 12, 19), date(2011, 1, 5)),
    ("Oil has been leaking since April 20.", date(2011, 1, 10), date(2010, 4, 20)),
    ("The rig had burned for 36 hours by April 22.", date(2010, 9, 19), date(2010, 4, 22)),
    ("BP hopes to kill the well by Aug. 15.", date(2010, 7, 19), date(2010, 8, 15)),
    # a negated "is due" still looks ahead: MEANTIME put this October in the year before publication
    ("Deliveries to the launch customer are not due until October.", date(2007, 3, 19), date(2007, 10, 1)),
])
def test_a_preposition_takes_the_tense_of_the_verb_it_hangs_on(text, published, expected):
    (t,) = resolve(text, published)
    assert t.value == expected


@pytest.mark.parametrize("text, published, expected", [
    # issue 12: "Cameron, who took office in May, is due to discuss ..." put May in the year after (2011): a comma
    # after a date inside its clause ends the clause, so "is due" does not govern it
    ("Ms Lindqvist, who became mayor in March, is expected to resign next week.", date(2012, 6, 8), "2012-03"),
    ("The ferry, launched in October, will sail again in spring.", date(2012, 12, 2), "2012-10"),
    # a fronted date keeps the verb after its comma
    ("In January, the council will vote on the budget.", date(2012, 11, 2), "2013-01"),
])
def test_a_comma_after_a_date_ends_its_clause(text, published, expected):
    assert [t.value for t in timex3(text, published) if t.type == "DATE"][0] == expected


def test_a_clock_with_its_time_zone_does_not_end_the_sentence():
    # "... is due to discuss ... at 11 a.m. EDT on Saturday": "a.m. EDT" is no sentence break, so the weekday
    # keeps the clause's future tense and is the coming Saturday, not the one before publication (a Friday)
    text = "The premier is due to call the president at 11 a.m. EDT on Saturday."
    assert [t.value for t in timex3(text, date(2010, 6, 11)) if t.type == "DATE"] == ["2010-06-12"]


def test_a_range_of_two_yearless_dates_never_runs_backwards():
    # "The Atlantic hurricane season runs from 1 June to 30 November" in late June put its end in the year before
    (t,) = resolve("The ski season runs from 1 December to 30 April, and resorts expect a busy one.",
                   date(2013, 12, 20))
    assert (t.value, t.last) == (date(2013, 12, 1), date(2014, 4, 30))
    (t,) = resolve("The fair ran from December 28 to January 3.", date(2014, 1, 10))
    assert (t.value, t.last) == (date(2013, 12, 28), date(2014, 1, 3))


def test_a_participle_after_being_is_no_past_tense():
    # "until relief wells now being drilled reach it in August" (June 2010) was August 2009
    (t,) = resolve("The road stays shut until the bridge now being repaired reopens in August.", date(2013, 6, 4))
    assert t.value == date(2013, 8, 1)
