"""The one calendar resolver both date readers use (storyline/calendar.py)."""

from datetime import date

from storyline import calendar
from storyline.annotate import dates
from storyline.ingest import metadata


def test_written_dates_found_with_their_offsets_and_missing_parts():
    text = "Talks on Jan. 9-10, 2022 and on 19 February; results in March 2022. You may go. 31 February 2022."
    hits = calendar.find_dates(text)
    assert [(text[h.start:h.end], h.year, h.month, h.day) for h in hits] == [
        ("Jan. 9-10, 2022", 2022, 1, 9), ("19 February", None, 2, 19), ("March 2022", 2022, 3, None)]
    assert hits[2].span() == (date(2022, 3, 1), date(2022, 3, 31))
    assert [h.full for h in hits] == [True, False, False]


def test_year_from_anchors_follows_the_tense_of_the_anchor_clauses():
    # The talks "will" be held in January 2022: a dateline of December 20 lies before them, in 2021.
    ahead = "MOSCOW, December 20. The talks will be held on January 10, 2022, officials said."
    assert calendar.year_from_anchors(12, 20, ahead, (8, 19)) == date(2021, 12, 20)
    # The talks took place in January 2022: a dateline of December 20 comes after them, in 2022.
    behind = "MOSCOW, December 20. The talks were held on January 10, 2022, officials said."
    assert calendar.year_from_anchors(12, 20, behind, (8, 19)) == date(2022, 12, 20)
    assert calendar.year_from_anchors(12, 20, "MOSCOW, December 20. No year anywhere.", (8, 19)) is None


def test_year_near_rules_out_the_wrong_side_of_publication_only_for_strong_cues():
    published = date(2022, 1, 5)

    def december(y: int) -> tuple[date, date]:
        return date(y, 12, 1), date(y, 12, 31)

    assert calendar.year_near(published, ("past", True), december) == 2021
    assert calendar.year_near(published, ("future", True), december) == 2022
    assert calendar.year_near(published, None, december) == 2021  # the nearest December


def test_both_readers_use_the_one_resolver():
    # a dateline's missing year (ingest) and a bare "December 20" against a publication date (annotate)
    lead = "MOSCOW, December 20 (Reuters) - The talks were held on January 10, 2022, officials said."
    assert metadata.detect_published(lead) == (date(2022, 12, 20), "text")
    assert [t.value for t in dates.resolve("The deal was signed on December 20.", date(2022, 1, 5))] == [
        date(2021, 12, 20)]
    assert metadata.find_dates is calendar.find_dates and dates.year_near is calendar.year_near


def test_time_zones_are_one_list_read_alike_by_every_stage():
    import re
    from pathlib import Path

    from storyline.annotate import sentence_kind
    from storyline.link import stories

    zone = re.compile(rf"\b{calendar.TIME_ZONE}\b", re.I)  # abbreviations stay capitals under re.I
    assert zone.search("22:17 GMT") and zone.search("at 9am local time") and zone.search("1600 MSK")
    assert not zone.search("c'est la vie, est-ce") and not zone.search("PT Freeport shares rose")
    assert re.search(rf"pm\s{calendar.CLOCK_ZONE}\b", "4:32 pm ET")  # after a clock, ET and PT are zones
    # every stage tells a stamp by the same zones: the clock of a live blog, a wire stamp, a stamp in a name
    assert sentence_kind.without_stamp("1602 CEST: Police closed the square.") == "Police closed the square."
    assert sentence_kind.kind("Tue Apr 28, 2009 6:32 pm MST") == "byline"
    assert stories.not_a_name("21:05 EEST") and not stories.not_a_name("PT Freeport")
    assert metadata.visible_date("By Jane Doe | Jan 19, 2022 10:32 AM MSK\nTalks resumed.") == date(2022, 1, 19)
    assert [t.text for t in dates.timex3("The blast came at 14:30 CEST on 3 May 2021.", date(2021, 5, 4))
            if t.type == "TIME"] == ["14:30 CEST"]
    # and no module but calendar.py spells the list out
    spelt = re.compile(r"\|(?:GMT|BST|EDT)\||\((?:GMT|BST)\|")
    package = Path(calendar.__file__).parent
    assert [p.name for p in package.rglob("*.py") if p.name != "calendar.py" and spelt.search(p.read_text())] == []
