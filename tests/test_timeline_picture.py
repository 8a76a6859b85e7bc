"""The timeline picture and the reading order of a timeline: a big story stays legible (one marker per day
at its true date, the whole story drawn), and precise days come before what is known only to the month."""

import re
from datetime import date, timedelta

from storyline import contract
from storyline.render.svg import timeline_svg

OUTLETS = ["BBC", "Reuters", "The Guardian", "Fox News", "CNN"]


def _event(i: int, day: date, sources: list[str], granularity: str = "day", section: str = "story") -> dict:
    return {"id": f"e{i}", "date": day.isoformat(), "end": None, "granularity": granularity,
            "summary": f"Event {i}", "sources": sources, "section": section}


def _big_story(days: int = 90, per_day: int = 3) -> list[dict]:
    start, out = date(2010, 4, 20), []
    for d in range(days):
        for k in range(per_day):
            out.append(_event(len(out), start + timedelta(days=d), OUTLETS[(d + k) % 5: (d + k) % 5 + 1 + k]))
    out.append(_event(len(out), date(2010, 5, 1), ["BBC"], granularity="month"))
    out.append(_event(len(out), date(1989, 3, 24), ["CNN"], section="background"))
    return out


def test_a_small_story_draws_one_marker_per_event_of_its_own_period():
    events = _big_story(days=5, per_day=2)  # 10 day events, 1 month event, 1 background event
    drawn = contract.axis_events(events)
    assert [e["id"] for e in drawn] == [e["id"] for e in events if e["section"] == "story"]
    svg = str(timeline_svg(events))
    assert svg.count('class="axis-event') == 11 and 'r="5"' in svg


def test_a_big_story_draws_one_marker_per_day_with_every_outlet_of_the_day():
    events = _big_story()
    drawn = contract.axis_events(events)
    assert len(drawn) == 90  # one per day; the month event is left to the list, background is not drawn
    first = [e for e in events if e["date"] == "2010-04-20"]
    assert drawn[0]["id"] == max(first, key=lambda e: len(e["sources"]))["id"]  # the best corroborated
    assert set(drawn[0]["sources"]) == {s for e in first for s in e["sources"]}
    assert "(and 2 more)" in drawn[0]["summary"]
    assert len(contract.axis_events(drawn)) == 90  # the stored picture drawn again keeps its days
    svg = str(timeline_svg(events))
    assert svg.count('class="axis-event') == 90
    # markers stand at their dates: left to right in date order, none pushed off its day by its neighbours
    xs = [float(m) for m in re.findall(r'class="axis-dot" cx="([\d.]+)"', svg)]
    assert len(xs) == 90 and xs == sorted(xs)
    assert 'class="axis-leader"' not in svg
    assert "28 Sep" not in svg and "18 Jul 2010" in svg  # the axis ends with the story's last day


def test_vague_events_follow_the_days_of_their_period_in_reading_order():
    events = [_event(0, date(2010, 4, 1), ["BBC"], granularity="month"),
              _event(1, date(2010, 4, 20), ["BBC", "CNN"]),
              _event(2, date(2010, 1, 1), ["CNN"], granularity="year"),
              _event(3, date(2010, 5, 2), ["BBC"]),
              _event(4, date(2009, 6, 1), ["CNN"], section="background")]
    (story, own), (background, old) = contract.sections(events)
    assert story == "story" and [e["id"] for e in own] == ["e1", "e0", "e3", "e2"]
    month_end = [_event(5, date(2010, 5, 1), ["BBC"], granularity="month"), _event(6, date(2010, 5, 31), ["CNN"])]
    assert [e["id"] for e in contract.sections(month_end)[0][1]] == ["e6", "e5"]  # its last day too
    assert background == "background" and [e["id"] for e in old] == ["e4"]


def test_the_story_page_draws_the_whole_story_not_one_page_of_its_list(seed_db, monkeypatch):
    from starlette.testclient import TestClient

    from storyline.server import api, web

    monkeypatch.setattr(web, "EVENTS_PAGE", 2)  # the list shows two events a page
    with TestClient(api.create_app(seed_db), base_url="http://127.0.0.1") as client:
        story = client.get("/api/stories").json()["items"][0]["id"]
        own = [e for e in client.get(f"/api/stories/{story}").json()["timeline"] if e["section"] == "story"]
        page = client.get(f"/stories/{story}").text
    assert len(own) > 2 and page.count('class="event ') == 2
    axis = page[page.index('class="axis-svg"'):page.index("</svg>")]
    assert axis.count('class="axis-event') == len(contract.axis_events(own))


def test_a_story_of_many_days_is_drawn_by_week_so_the_picture_stays_bounded():
    events = _big_story(days=400, per_day=2)
    drawn = contract.axis_events(events)
    assert len(drawn) <= contract.MAX_AXIS_MARKS and len(drawn) >= 50  # weeks, not 400 days
    assert all(date.fromisoformat(e["date"]).weekday() == 0 for e in drawn)  # each stands at its Monday
    assert drawn[1]["label"].startswith("week of ")
    svg = str(timeline_svg(events))
    assert svg.count('class="axis-event') == len(drawn) and len(svg) < 120_000
    long = _big_story(days=60, per_day=2)
    long[0]["summary"] = "word " * 200
    assert len(contract.axis_events(long)[0]["summary"]) < contract.AXIS_SUMMARY + 20  # tooltips stay short
