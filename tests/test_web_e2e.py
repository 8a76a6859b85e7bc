"""The web UI in a real browser: Debian's Chromium driven by Playwright against a live loopback server.

Playwright never downloads a browser here: it launches /usr/bin/chromium, and the tests skip (with the
reason) when that binary or the playwright package is missing.
"""

from __future__ import annotations

import collections
import os
import re
from pathlib import Path

import httpx
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests then
    expect = None

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
# The README's screenshot (docs/screenshot-story.png) is refreshed on request only, so a test run never
# rewrites a tracked file: STORYLINE_SCREENSHOT=docs/screenshot-story.png pytest tests/test_web_e2e.py
SCREENSHOT_ENV = "STORYLINE_SCREENSHOT"

HOSTILE = {
    "id": "hostile-e2e",
    "title": '<img src=x onerror="window.__pwned=1;alert(1)"> Hostile headline',
    "url": "javascript:window.__pwned=1;alert(1)",
    "outlet": "Evil Daily",
    "published": "2022-01-11",
    "text": "Officials said on 10 January 2022 that <script>window.__pwned=1;alert(1)</script> appeared in "
            "the talks on security guarantees. Negotiators met in Geneva on 10 January 2022 and "
            "Ryabkov said \"javascript:alert(1) is not our answer\", pointing to a note.",
}


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001 - playwright types are optional
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    # nothing may leave loopback: a request elsewhere (a CDN, a tracker) fails the test
    outside: list[str] = []

    def only_loopback(route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.startswith((live_server.url + "/", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_loopback)
    # a CSP violation (an inline style or script slipping into a template) shows up as a console error
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    assert not outside, f"requests left loopback: {outside}"
    assert not problems, f"browser errors: {problems}"


def best_story(live_server) -> dict:  # noqa: ANN001
    stories = httpx.get(f"{live_server.url}/api/stories").json()["items"]
    return max(stories, key=lambda s: (s["outlets"], s["events"]))


def test_story_timeline_shows_corroboration_and_sources(page, live_server, tmp_path) -> None:  # noqa: ANN001
    story = best_story(live_server)
    page.goto(live_server.url + "/")
    page.click(f"a.story-link[href='/stories/{story['id']}']")
    page.wait_for_selector("svg.axis-svg")
    events = page.locator("ol.timeline li.event")
    assert events.count() == story["events"] > 0
    corroborated = page.locator("ol.timeline li.event.corroborated")
    assert corroborated.count() >= 1, "no event reported by two or more outlets"
    first = corroborated.first
    assert first.locator(".badges .badge").count() >= 2
    # each outlet of an event is one coloured dot above it on the axis
    timeline = httpx.get(f"{live_server.url}/api/stories/{story['id']}/timeline").json()["timeline"]
    own = [e for e in timeline if e["section"] == "story"]  # the axis spans the story's own period
    assert page.locator("svg.axis-svg a.axis-event").count() == len(own)
    assert page.locator("svg.axis-svg .src-dot").count() == sum(min(len(e["sources"]), 7) for e in own)
    for section in {e["section"] for e in timeline} - {"story"}:  # folded under their own headings
        assert not page.locator(f"details.section-{section}").evaluate("d => d.open")
    # the source sentences are folded, and open when the event is picked on the axis
    event_id = first.get_attribute("id")
    assert not first.locator("details").evaluate("d => d.open")
    page.locator(f"svg.axis-svg a[href='#{event_id}']").click()
    expect(page.locator(f"#{event_id} details").first).to_have_attribute("open", "")  # polls without eval (CSP)
    assert first.locator("details li").count() >= 2
    # sources list, quotes by speaker, and the slot for the outlet comparison
    assert page.locator("#sources table.sources tbody tr").count() == story["documents"]
    assert page.locator("#quotes .speaker").count() >= 1
    assert page.locator("section#compare").count() == 1
    # the outlet filter hides events the chosen outlet does not report
    button = page.locator("#outlet-filter button").first
    outlet = button.get_attribute("data-outlet")
    button.click()
    reported = sum(outlet in e["sources"] for e in own)
    assert page.locator("ol.section-story li.event:visible").count() == reported < len(own)
    button.click()
    assert page.locator("ol.section-story li.event:visible").count() == len(own)
    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "screenshot-story.png")
    page.set_viewport_size({"width": 1200, "height": 1500})  # header, axis and the first events
    page.goto(f"{live_server.url}/stories/{story['id']}")
    page.wait_for_selector("svg.axis-svg")
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


def test_search_leads_to_the_sentence_in_its_article(page, live_server) -> None:  # noqa: ANN001
    page.goto(live_server.url + "/")
    page.fill("nav.top input[name=q]", "security guarantees")
    page.press("nav.top input[name=q]", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    assert page.locator("ol.hits mark").count() >= 1
    link = page.locator("ol.hits li.hit .snippet a").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{target}")
    sentence_id = target.split("#", 1)[1]
    assert page.locator(f"article.article-text #{sentence_id}").is_visible()
    assert page.evaluate("location.hash") == f"#{sentence_id}"


def test_dated_expression_links_back_to_its_event(page, live_server) -> None:  # noqa: ANN001
    story = best_story(live_server)
    doc = httpx.get(f"{live_server.url}/api/stories/{story['id']}").json()["documents"][0]
    page.goto(f"{live_server.url}/documents/{doc}")
    assert page.locator("article .mark.ent").count() >= 1
    date_link = page.locator("article a.mark.date").first
    href = date_link.get_attribute("href")
    date_link.click()
    page.wait_for_url(f"**{href}")
    event_id = href.split("#", 1)[1]
    expect(page.locator(f"#{event_id}")).to_have_class(re.compile(r"\bfocus\b"))
    assert page.locator(f"#{event_id} details").evaluate("d => d.open")


def test_hostile_article_never_runs(page, live_server) -> None:  # noqa: ANN001
    resp = httpx.post(f"{live_server.url}/api/articles", json=HOSTILE, timeout=120)
    assert resp.status_code in (200, 201), resp.text
    story = resp.json()["articles"][0]["story"]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/documents/hostile-e2e", f"/stories/{story}", "/search?q=pwned", "/?q=Hostile", "/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("a[href^='javascript:']").count() == 0, path
    page.goto(f"{live_server.url}/documents/hostile-e2e")
    text = page.locator("article.article-text").inner_text()
    assert "<script>window.__pwned=1;alert(1)</script>" in text  # shown, as text
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in page.locator("h1").inner_text()
    assert page.locator("article img, h1 img, article script").count() == 0
    page.wait_for_timeout(300)
    assert not dialogs and page.evaluate("typeof window.__pwned") == "undefined"


def test_page_one_names_the_folded_sections_and_links_to_them(page, live_server, monkeypatch) -> None:  # noqa: ANN001
    """On a story of many pages the background and expected events come after every story event: page one
    counts them in its header, and the link opens the page that lists them with their section unfolded."""
    from storyline.server import web

    story = best_story(live_server)
    timeline = httpx.get(f"{live_server.url}/api/stories/{story['id']}").json()["timeline"]
    counts = collections.Counter(e["section"] for e in timeline)
    folded = next(name for name in ("expected", "background") if counts[name])  # the seed expects a meeting
    monkeypatch.setattr(web, "EVENTS_PAGE", 4)  # so that the story's own events fill several pages
    page.goto(f"{live_server.url}/stories/{story['id']}")
    counted = page.locator(".section-counts")
    assert f"{counts['story']} in the story's period" in counted.inner_text()
    assert page.locator(f"details#section-{folded}").count() == 0  # not on page one
    counted.get_by_role("link", name=f"{counts[folded]} {folded}").click()
    page.wait_for_load_state("load")
    section = page.locator(f"details#section-{folded}")
    assert "events=" in page.url and section.count() == 1
    assert section.evaluate("el => el.open")  # unfolded by following the link
