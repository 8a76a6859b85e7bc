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
