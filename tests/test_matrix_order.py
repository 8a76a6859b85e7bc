"""The coverage matrix ("who reports which event") reads like the timeline: the story's own events first,
background and expected events after them under their headings, in the web UI and the HTML report. A
chronological matrix led a 233-event oil-spill story with a 1958 poll and a 1970 aside; and on the web page
its links sent each event to the page of its chronological index, not the page that lists it."""

from __future__ import annotations

from storyline import contract
from storyline.analysis.view import MATRIX_ROWS, page
from storyline.render.html import render

OUTLETS = ["BBC", "Reuters"]


def _event(i: int, day: str, section: str = "story") -> dict:
    return {"id": f"e{i}", "date": day, "end": None, "granularity": "day", "summary": f"Event {i} of {day}",
            "sources": [], "section": section}


# chronological, as the timeline is stored: background first, the story, then what articles expect
TIMELINE = [_event(0, "1958-01-01", "background"), _event(1, "1989-03-24", "background"),
            *[_event(2 + k, f"2010-04-{20 + k}") for k in range(5)], _event(7, "2011-01-01", "expected")]


def _coverage() -> dict:
    rows = [{"event": i, "date": e["date"], "end": None, "granularity": "day", "summary": e["summary"],
             "outlets": ["BBC"], "undated": [], "cells": [True, False]} for i, e in enumerate(TIMELINE)]
    rows[1]["outlets"], rows[1]["cells"] = OUTLETS, [True, True]  # the Exxon Valdez: widely recalled
    return {"outlets": OUTLETS, "articles": {o: {"documents": 1, "first": None, "last": None} for o in OUTLETS},
            "events": rows}


def _page() -> dict:
    record = {"documents": [], "timeline": TIMELINE, "outlets": []}
    return page(record, _coverage(), [], {})


def test_reading_order_puts_the_story_first_then_background_then_expected():
    order = contract.reading_order(TIMELINE)
    assert order == [2, 3, 4, 5, 6, 0, 1, 7]
    assert [TIMELINE[i] for i in order] == [e for _, evs in contract.sections(TIMELINE) for e in evs]


def test_the_page_matrix_keeps_the_story_on_ties_and_lists_it_first(monkeypatch):
    rows = _page()["matrix"]["events"]
    assert [r["event_id"] for r in rows] == ["e2", "e3", "e4", "e5", "e6", "e0", "e1", "e7"]
    assert [r["section"] for r in rows] == ["story"] * 5 + ["background"] * 2 + ["expected"]
    assert [r["position"] for r in rows] == list(range(8))  # where the page lists each event
    monkeypatch.setattr("storyline.analysis.view.MATRIX_ROWS", 3)  # three rows: the widest, then the story
    assert [r["event_id"] for r in _page()["matrix"]["events"]] == ["e2", "e3", "e1"]
    assert MATRIX_ROWS >= 3


def _web_matrix(offset: int, size: int) -> str:
    m = _page()["matrix"]
    compare = {"matrix": m, "outlets": [], "claims_total": 0, "claims_shared": 0}
    return render("web_compare.html", compare=compare, timeline={"offset": offset, "size": size})


def test_the_web_matrix_links_each_event_to_the_page_that_lists_it():
    html = _web_matrix(offset=0, size=5)  # page one lists the five story events; e0 is sixth
    assert 'href="#ev-e2"' in html and 'href="#ev-e6"' in html
    assert 'href="?events=5#ev-e0"' in html and 'href="?events=5#ev-e7"' in html


def test_the_matrices_read_story_first_with_section_headings_in_chromium(browser):
    web = _web_matrix(offset=0, size=50)
    outlets = [{"outlet": o, "documents": ["d"], "events": list(range(len(TIMELINE))) if o == "BBC" else [1],
                "undated_events": [], "adds": [], "omits": [], "framing": [], "attribution": {}, "speakers": []}
               for o in OUTLETS]
    report = render("report_compare.html", story={"timeline": TIMELINE, "outlets": outlets, "claims": [],
                                                   "summary": []}, docs={})
    page = browser.new_page()
    try:
        for html, cell in ((web, "table.coverage tr"), (report, ".cmp-matrix > div")):
            page.set_content(f"<!doctype html><html><body>{html}</body></html>")
            lines = [t for t in page.locator(cell).all_inner_texts() if "Event " in t or ":" in t]
            seen = [line.split("Event ")[1].split(" ")[0] if "Event " in line else line.split(":")[0]
                    for line in lines]
            seen = list(dict.fromkeys(seen))  # the report shows a summary in two cells of a row
            assert seen == ["2", "3", "4", "5", "6", "Background", "0", "1", "Expected", "7"], (cell, seen)
    finally:
        page.close()


def test_section_starts_give_each_section_its_size_and_place_in_the_list():
    from storyline.analysis.view import section_starts

    assert section_starts(TIMELINE) == [{"name": "story", "total": 5, "first": 0},
                                        {"name": "background", "total": 2, "first": 5},
                                        {"name": "expected", "total": 1, "first": 7}]
    assert _page()["sections"] == section_starts(TIMELINE)
