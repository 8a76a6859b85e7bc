"""The watcher in the server: /api/feeds (adding needs the write token), /api/alerts, the Server-Sent
Events stream of a story, `serve --watch` fetching from a loopback site, and the story page in Chromium
showing a new event without a reload."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from test_watch import ARTICLES, publish
from webhost import Route, Site

from storyline.server.api import create_app
from storyline.server.watch import WatchOptions
from storyline.store import Store
from storyline.watch import check, follow
from storyline.watch.alerts import iso

TOKEN = "s3cret-token-for-tests"

# A new report on the seed story (talks on security guarantees) with a date its timeline does not have yet.
LATER = {
    "id": "later-talks",
    "title": "Russia and NATO to resume talks on security guarantees",
    "outlet": "Test Wire",
    "published": "2022-02-03",
    "text": "Russia and NATO will resume talks on security guarantees in Brussels on 14 February 2022, the "
            "Russian Foreign Ministry said on Thursday. Deputy Foreign Minister Sergei Ryabkov said Moscow "
            "still expected written answers from the United States and NATO on its draft agreements on "
            "security guarantees, which were published in December 2021. The talks in Geneva and Vienna in "
            "January ended without agreement, and NATO said it was ready to continue the dialogue with Russia.",
}


class Server:
    """uvicorn on 127.0.0.1 serving ``create_app(db, **options)`` in a thread."""

    def __init__(self, db: Path, **options: object) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, **options), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="watch-server", daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def server(db_copy: Path) -> Iterator[Server]:
    with Server(db_copy, token=TOKEN) as s:
        yield s


def seed_story(url: str) -> dict:
    return max(httpx.get(f"{url}/api/stories").json()["items"], key=lambda s: s["documents"])


def test_adding_feeds_needs_the_token_and_a_public_address(server: Server) -> None:
    assert httpx.get(f"{server.url}/api/feeds").json() == {"items": [], "total": 0}
    body = {"url": "https://news.example.org/feed.xml"}
    assert httpx.post(f"{server.url}/api/feeds", json=body).status_code == 401
    wrong = httpx.post(f"{server.url}/api/feeds", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "token" in wrong.json()["error"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    local = httpx.post(f"{server.url}/api/feeds", json={"url": "http://127.0.0.1:9/feed"}, headers=auth)
    assert local.status_code == 422 and "--allow-private" in local.json()["error"]
    assert httpx.post(f"{server.url}/api/feeds", json={"url": "file:///etc/passwd"}, headers=auth).status_code == 422
    assert httpx.get(f"{server.url}/api/feeds").json()["total"] == 0


def test_without_a_token_feeds_are_added_only_from_the_command_line(db_copy: Path) -> None:
    with Server(db_copy) as s:
        r = httpx.post(f"{s.url}/api/feeds", json={"url": "https://news.example.org/feed.xml"},
                       headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403 and "--token" in r.json()["error"]


def test_alerts_api_and_page(server: Server, db_copy: Path) -> None:
    story = seed_story(server.url)
    with Store(db_copy) as store:
        follow(store, "story", story["id"], iso(time.time()))
    r = httpx.post(f"{server.url}/api/articles", json=LATER, timeout=120)
    assert r.status_code == 201 and r.json()["articles"][0]["story"] == story["id"], r.text
    with Store(db_copy) as store:
        check(store, iso(time.time()))
    alerts = httpx.get(f"{server.url}/api/alerts").json()
    assert alerts["total"] >= 1 and {a["kind"] for a in alerts["items"]} >= {"outlet"}
    assert all(set(a) >= {"kind", "story", "title", "events", "documents", "created", "delivery"}
               for a in alerts["items"])
    assert httpx.get(f"{server.url}/api/alerts", params={"story": "nope"}).json()["total"] == 0
    page = httpx.get(f"{server.url}/alerts")
    assert page.status_code == 200 and "Test Wire" in page.text


def test_story_event_stream_announces_changes(server: Server) -> None:
    story = seed_story(server.url)
    assert httpx.get(f"{server.url}/api/stories/nope/events").status_code == 404
    seen: list[tuple[str, dict]] = []
    with httpx.stream("GET", f"{server.url}/api/stories/{story['id']}/events", timeout=60) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        posted = False
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                seen.append((event, json.loads(line[6:])))
                if event == "hello" and not posted:
                    posted = True
                    r = httpx.post(f"{server.url}/api/articles", json=LATER, timeout=120)
                    assert r.json()["articles"][0]["story"] == story["id"]
                if event == "story":
                    break
    assert [e for e, _ in seen] == ["hello", "story"]
    assert seen[0][1]["version"] != seen[1][1]["version"] and seen[1][1]["story"] == story["id"]


@pytest.mark.slow
def test_serve_watch_fetches_feeds_beside_the_api(tmp_path: Path) -> None:
    with Site() as site:
        site.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        publish(site, ["a1", "a2"])
        options = WatchOptions([site.url("/feed.xml")], every=1.0, allow_private=True)
        with Server(tmp_path / "served.db", watch=options, token=TOKEN) as server:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and httpx.get(f"{server.url}/api/documents").json()["total"] < 2:
                time.sleep(0.3)
            feeds = httpx.get(f"{server.url}/api/feeds").json()["items"]
            assert feeds[0]["status"] in ("ok", "not modified") and feeds[0]["stored"] == 2
            # a feed added through the API (with the token) is watched at once
            publish(site, ["a3"], feed="/more.xml")
            r = httpx.post(f"{server.url}/api/feeds", json={"url": site.url("/more.xml")},
                           headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 201 and r.json()["added"] == [site.url("/more.xml")]
            while time.monotonic() < deadline and httpx.get(f"{server.url}/api/documents").json()["total"] < 3:
                time.sleep(0.3)
            titles = {d["title"] for d in httpx.get(f"{server.url}/api/documents").json()["items"]}
            assert titles == {ARTICLES[k][0] for k in ("a1", "a2", "a3")}


@pytest.mark.e2e
@pytest.mark.slow
def test_story_page_shows_a_new_event_without_reload(browser, db_copy: Path) -> None:  # noqa: ANN001
    with Server(db_copy, token=TOKEN) as server:
        story = seed_story(server.url)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{server.url}/stories/{story['id']}")
        before = page.locator("ol.timeline li.event").count()
        assert page.locator("li.event.new").count() == 0  # a first visit: nothing is "new"
        page.evaluate("window.__sameDocument = true")
        page.wait_for_timeout(1500)  # the event stream is open (its first message has arrived)
        r = httpx.post(f"{server.url}/api/articles", json=LATER, timeout=120)
        assert r.json()["articles"][0]["story"] == story["id"], r.text
        page.wait_for_selector("li.event.new", timeout=60_000)
        assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
        new = page.locator("li.event.new")
        assert page.locator("ol.timeline li.event").count() > before and new.count() >= 1
        assert any("Test Wire" in new.nth(i).inner_text() for i in range(new.count()))  # the new article's
        assert page.locator("#live").is_visible() and "arrived" in page.locator("#live").inner_text()
        # the next visit remembers what was seen: nothing is marked new again
        page.goto(f"{server.url}/stories/{story['id']}")
        page.wait_for_selector("ol.timeline li.event")
        assert page.locator("li.event.new").count() == 0
        context.close()
        assert not problems, problems
