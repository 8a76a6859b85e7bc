"""Watching feeds against real sockets: a local HTTP server on 127.0.0.1 serving feeds that change between
runs, 304s, 404s, 500s, a slow host, redirects, robots.txt, a malformed feed, gzip pages, and a webhook
receiver. The watcher runs the real readers and pipeline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from webhost import Route, Site, article_html, rss

from storyline.cli import main
from storyline.store import Store
from storyline.watch import Clock, Fetcher, FetchError, Watcher, canonical_url, document_id, read_sources
from storyline.watch.alerts import follow, payload
from storyline.watch.sources import SourceError, parse_feed

ROOT = Path(__file__).resolve().parents[1]


class RecordingClock(Clock):
    """Real time, but waits are recorded instead of slept: politeness is checked without timing anything."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def time(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.sleeps.append(seconds)
            self.offset += seconds


def fetcher(**kw: object) -> Fetcher:
    kw.setdefault("allow_private", True)
    kw.setdefault("clock", RecordingClock())
    kw.setdefault("backoff", 0.01)
    return Fetcher(**kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Articles of an invented story (not any seed text): a dam repair in a river town, three outlets.

ARTICLES = {
    "a1": ("Riverton dam inspection finds cracks in spillway", "Valley Courier", "2025-03-04", [
        "Engineers inspecting the Riverton dam found cracks in the concrete spillway on March 3, 2025, the "
        "county water board said on Tuesday.",
        "\"We saw cracks wider than a pencil in three places,\" said Elena Voss, the board's chief engineer.",
        "The board closed the riverside path below the dam while the damage is studied. Residents downstream "
        "were told there was no immediate danger to homes along the river.",
        "The dam, built in 1958, holds back the reservoir that supplies drinking water to forty thousand people "
        "in the valley and was last repaired in 2009.",
    ]),
    "a2": ("Board approves emergency repair of Riverton dam", "River Herald", "2025-03-11", [
        "The county water board approved an emergency repair of the Riverton dam spillway on March 10, 2025, "
        "a week after inspectors found cracks in the concrete.",
        "\"The repair cannot wait for the summer,\" Elena Voss told the board members before the vote.",
        "Contractors are expected to start work on March 17, 2025, and lower the reservoir by two metres so that "
        "crews can reach the damaged section safely.",
        "The repair will cost about 4 million dollars, paid from the board's reserve fund, officials said.",
    ]),
    "a3": ("Crews lower Riverton reservoir as dam repair begins", "Valley Courier", "2025-03-18", [
        "Crews began lowering the Riverton reservoir on March 17, 2025, as the repair of the cracked dam "
        "spillway got under way, the county water board said.",
        "\"Water levels will drop slowly over ten days,\" Elena Voss said, adding that drinking water supplies "
        "were not affected by the work.",
        "Anglers were asked to stay away from the shore while the level falls. The riverside path below the dam "
        "remains closed until the repair is finished.",
        "The board plans to refill the reservoir in May once the new concrete has cured.",
    ]),
    "a4": ("Riverton dam repair finished ahead of schedule", "Lakeside Times", "2025-04-29", [
        "The repair of the Riverton dam spillway was finished on April 28, 2025, three weeks ahead of schedule, "
        "the county water board announced.",
        "\"The new spillway is stronger than the old one ever was,\" Elena Voss said at the dam on Monday.",
        "The reservoir will be refilled over the coming month, and the riverside path below the dam reopens "
        "on May 3, 2025, the board said.",
        "The work cost 3.6 million dollars, less than the 4 million dollars the board had set aside in March.",
    ]),
}


def publish(site: Site, keys: list[str], feed: str = "/feed.xml", query: str = "", etag: str | None = None) -> None:
    """Serve the pages of ``keys`` and a feed listing them (links with ``query`` appended)."""
    items = []
    for k in keys:
        title, outlet, day, paragraphs = ARTICLES[k]
        site.routes[f"/news/{k}"] = Route(article_html(title, outlet, day, paragraphs))
        stamp = datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()
        items.append({"title": title, "link": site.url(f"/news/{k}{query}"), "date": stamp})
    site.routes[feed] = Route(rss("Riverton news", items), content_type="application/rss+xml", etag=etag)


@pytest.fixture
def site():
    with Site() as s:
        s.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        yield s


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "watch.db") as s:
        yield s


def make_watcher(store: Store, **kw: object) -> Watcher:
    return Watcher(store, fetcher(), every=60, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Sources and URLs


def test_canonical_url_drops_tracking_and_fragment():
    a = canonical_url("https://Example.com:443/news/a?utm_source=rss&id=3&fbclid=xyz#comments")
    assert a == canonical_url("https://example.com/news/a?id=3") == "https://example.com/news/a?id=3"
    assert canonical_url("/news/b?utm_medium=feed", base="http://example.com/feed.xml") == "http://example.com/news/b"
    assert document_id(a) == document_id("https://example.com/news/a?id=3")
    assert document_id(a).startswith("example.com-")


def test_read_sources_from_urls_opml_and_lists(tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="News">'
                    '<outline text="A" type="rss" xmlUrl="https://a.example/feed.xml"/>'
                    '<outline text="B" type="rss" xmlUrl="https://b.example/rss"/></outline></body></opml>')
    listing = tmp_path / "feeds.txt"
    listing.write_text("# my feeds\nhttps://c.example/atom.xml\n\nhttps://a.example/feed.xml\n")
    urls = read_sources(["https://d.example/feed", str(opml), str(listing)])
    assert urls == ["https://d.example/feed", "https://a.example/feed.xml", "https://b.example/rss",
                    "https://c.example/atom.xml"]
    bad = tmp_path / "bad.txt"
    bad.write_text("https://ok.example/feed\nftp://nope.example/feed\n")
    with pytest.raises(SourceError, match=r"bad\.txt:2: not an http\(s\) URL"):
        read_sources([str(bad)])
    broken = tmp_path / "broken.opml"
    broken.write_text("<?xml version='1.0'?><opml><body><outline")
    with pytest.raises(SourceError, match="broken.opml: not a readable OPML"):
        read_sources([str(broken)])
    with pytest.raises(SourceError, match="missing.txt: neither"):
        read_sources([str(tmp_path / "missing.txt")])


def test_malformed_feed_is_an_error_naming_it():
    with pytest.raises(ValueError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body>this is a page, not a feed</body></html>", "http://x.example/feed")
    title, items, warning = parse_feed(rss("T", [{"title": "t", "link": "/n/1?utm_source=x", "date": 0}]),
                                       "http://x.example/feed.xml")
    assert title == "T" and items[0].url == "http://x.example/n/1" and warning is None
    # a truncated download still gives what it holds, with a warning for the feed's health
    title, items, warning = parse_feed(b'<rss version="2.0"><channel><title>x</title><item><title>a</title>'
                                       b"<link>http://x.example/a</link></item><item><title>b", "http://x.example/f")
    assert items[0].url == "http://x.example/a" and warning.startswith("malformed feed")


# --------------------------------------------------------------------------------------------------
# The fetcher


def test_private_addresses_are_refused_unless_allowed(site):
    site.routes["/page"] = Route(b"<p>hello</p>")
    with Fetcher(clock=RecordingClock()) as strict, pytest.raises(FetchError, match="--allow-private"):
        strict.get(site.url("/page"))
    assert site.log == []  # refused before connecting: not even robots.txt was asked
    for url in ("http://169.254.169.254/latest/meta-data", "http://10.1.2.3/", "http://[::1]/",
                "file:///etc/passwd", "ftp://example.com/x"):
        with Fetcher(clock=RecordingClock()) as strict, pytest.raises(FetchError):
            strict.get(url)
    with fetcher() as allowed:
        assert allowed.get(site.url("/page")).content == b"<p>hello</p>"


def test_conditional_get_gzip_user_agent_and_politeness(site):
    site.routes["/feed"] = Route(b"<rss/>" * 500, content_type="application/rss+xml", etag='"v1"', gzip=True)
    clock = RecordingClock()
    with fetcher(clock=clock, delay=1.0) as f:
        first = f.get(site.url("/feed"))
        assert first.status == 200 and first.content == b"<rss/>" * 500 and first.etag == '"v1"'
        again = f.get(site.url("/feed"), etag=first.etag)
        assert again.not_modified
    gets = [h for m, p, h in site.log if p == "/feed"]
    assert "gzip" in gets[0]["Accept-Encoding"] and gets[1]["If-None-Match"] == '"v1"'
    assert all(h["User-Agent"].startswith("Storyline/") for _, _, h in site.log)
    # robots.txt, the feed, the feed again: each after waiting out the host's one-second turn
    assert len(clock.sleeps) == 2 and all(0.5 < s <= 1.0 for s in clock.sleeps)


def test_errors_retries_timeouts_and_caps(site):
    site.routes["/flaky"] = Route(b"ok at last", fail_first=2)
    site.routes["/down"] = Route(b"never", fail_first=100)
    site.routes["/slow"] = Route(b"too late", delay=3.0)
    site.routes["/big"] = Route(b"x" * 200_000, gzip=True)
    with fetcher(retries=2) as f:
        assert f.get(site.url("/flaky")).content == b"ok at last"
        assert site.hits("/flaky") == 3
        with pytest.raises(FetchError) as down:
            f.get(site.url("/down"))
        assert down.value.status == 500 and down.value.transient and site.hits("/down") == 3
        with pytest.raises(FetchError) as missing:
            f.get(site.url("/missing"))
        assert missing.value.status == 404 and not missing.value.transient and site.hits("/missing") == 1
    with fetcher(timeout=0.5, retries=0) as f, pytest.raises(FetchError, match="timed out") as slow:
        f.get(site.url("/slow"))
    assert slow.value.transient
    with fetcher(max_bytes=100_000) as f, pytest.raises(FetchError, match="cap"):
        f.get(site.url("/big"))  # 200 kB that travel as a few hundred gzipped bytes: the cap is on the decoded body


def test_redirects_are_followed_bounded_and_checked(site):
    site.routes["/old"] = Route(status=301, headers={"Location": "/middle"})
    site.routes["/middle"] = Route(status=302, headers={"Location": site.url("/new")})
    site.routes["/new"] = Route(b"moved here")
    site.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    site.routes["/sneaky"] = Route(status=302, headers={"Location": "/private/secret"})
    site.routes["/private/secret"] = Route(b"secret")
    with fetcher(max_redirects=3) as f:
        page = f.get(site.url("/old"))
        assert page.content == b"moved here" and page.url == site.url("/new") and len(page.redirects) == 2
        with pytest.raises(FetchError, match="more than 3 redirects"):
            f.get(site.url("/loop"))
        with pytest.raises(FetchError, match="robots.txt"):
            f.get(site.url("/sneaky"))
    assert site.hits("/private/secret") == 0
    with Fetcher(clock=RecordingClock()) as strict, pytest.raises(FetchError, match="--allow-private"):
        strict.check_url(site.url("/new"))


def test_robots_disallow_and_unreachable_robots(site):
    site.routes["/private/page"] = Route(b"secret")
    with fetcher() as f, pytest.raises(FetchError, match="disallowed by robots.txt"):
        f.get(site.url("/private/page"))
    assert site.hits("/private/page") == 0 and site.hits("/robots.txt") == 1
    site.routes["/robots.txt"] = Route(b"down", fail_first=100)
    site.routes["/open"] = Route(b"x")
    with fetcher(retries=0) as f, pytest.raises(FetchError, match="robots.txt"):
        f.get(site.url("/open"))  # robots.txt answering 500: nothing is fetched from that host for now
    del site.routes["/robots.txt"]
    with fetcher() as f:
        assert f.get(site.url("/open")).content == b"x"  # no robots.txt (404): everything allowed


# --------------------------------------------------------------------------------------------------
# The watcher


def test_watch_stores_new_articles_once_and_resumes(site, store):
    publish(site, ["a1", "a2"], etag='"1"')
    publish(site, ["a1"], feed="/other.xml", query="?utm_source=other&utm_medium=rss")
    w = make_watcher(store)
    w.add_feeds([site.url("/feed.xml"), site.url("/other.xml")])
    report = w.round(force=True)
    assert report.stored == 2 and report.errors == [], report.errors
    assert store.count_documents() == 2 and store.count_pending("linked") == 0
    assert site.hits("/news/a1") == 1  # the same article from two feeds: fetched and stored once
    doc = store.document(document_id(canonical_url(site.url("/news/a1"))))
    assert doc.title == ARTICLES["a1"][0] and doc.outlet == "Valley Courier" and str(doc.published) == "2025-03-04"
    assert "cracks in the concrete spillway" in doc.text and "All rights reserved" not in doc.text
    feeds = {f["url"]: f for f in store.feeds()}
    assert feeds[site.url("/feed.xml")]["status"] == "ok" and feeds[site.url("/feed.xml")]["etag"] == '"1"'
    assert feeds[site.url("/feed.xml")]["stored"] == 2 and feeds[site.url("/other.xml")]["stored"] == 0

    # unchanged feed: a 304, nothing refetched
    report = w.round(force=True)
    assert report.not_modified == 1 and report.stored == 0
    assert site.hits("/news/a1") == 1 and site.hits("/news/a2") == 1
    # the feed grows: only the new item's page is fetched
    publish(site, ["a1", "a2", "a3"], etag='"2"')
    report = w.round(force=True)
    assert report.stored == 1 and site.hits("/news/a3") == 1 and site.hits("/news/a2") == 1
    # a new watcher on the same database (a restart) fetches nothing it stored
    publish(site, ["a1", "a2", "a3"], etag='"3"')
    w2 = make_watcher(store)
    assert w2.round(force=True).stored == 0
    assert [site.hits(f"/news/{k}") for k in ("a1", "a2", "a3")] == [1, 1, 1]
    assert store.count_documents() == 3


def test_feed_and_item_failures_are_recorded(site, store):
    publish(site, ["a1"])
    site.routes["/broken.xml"] = Route(b"{'this': 'is no feed <<>>'", content_type="application/rss+xml")
    site.routes["/gone.xml"] = Route(status=404)
    site.routes["/flaky.xml"] = Route(rss("Flaky", []), content_type="application/rss+xml", fail_first=100)
    site.routes["/mixed.xml"] = Route(rss("Mixed", [
        {"title": "gone", "link": site.url("/news/missing"), "date": 0},
        {"title": "secret", "link": site.url("/private/story"), "date": 0},
        {"title": "gz", "link": site.url("/news/gz"), "date": 0}]), content_type="application/rss+xml")
    title, outlet, day, paragraphs = ARTICLES["a4"]
    site.routes["/news/gz"] = Route(article_html(title, outlet, day, paragraphs), gzip=True)
    w = Watcher(store, fetcher(retries=0), every=60)
    w.add_feeds([site.url(p) for p in ("/feed.xml", "/broken.xml", "/gone.xml", "/flaky.xml", "/mixed.xml")])
    report = w.round(force=True)
    assert report.failed == 3 and report.stored == 2
    feeds = {f["url"].rsplit("/", 1)[1]: f for f in store.feeds()}
    assert feeds["broken.xml"]["status"] == "error" and "not an RSS or Atom feed" in feeds["broken.xml"]["error"]
    assert "HTTP 404" in feeds["gone.xml"]["error"] and "HTTP 500" in feeds["flaky.xml"]["error"]
    assert feeds["feed.xml"]["errors"] == 0 and feeds["flaky.xml"]["errors"] == 1
    assert feeds["flaky.xml"]["next_fetch"] > feeds["feed.xml"]["last_fetch"]
    w.round(force=True)
    feeds = {f["url"].rsplit("/", 1)[1]: f for f in store.feeds()}
    assert feeds["flaky.xml"]["errors"] == 2  # consecutive errors count up, and the backoff grows
    items = store.feed_items([canonical_url(site.url(p)) for p in ("/news/missing", "/private/story", "/news/gz")])
    assert [items[canonical_url(site.url(p))]["status"] for p in ("/news/missing", "/private/story", "/news/gz")] \
        == ["failed", "blocked", "stored"]
    assert site.hits("/private/story") == 0 and site.hits("/news/missing") == 1  # a 404 is not asked again
    runner = CliRunner()
    result = runner.invoke(main, ["feeds", "--db", store.path, "--json"])
    assert result.exit_code == 0 and {f["status"] for f in json.loads(result.output)} == {"ok", "error"}


def test_follow_alerts_and_webhook_retries(site, store):
    publish(site, ["a1", "a2"], etag='"1"')
    site.routes["/hook"] = Route(fail_first=1)  # the receiver fails once: the alert is delivered on retry
    w = make_watcher(store, webhook=site.url("/hook"))
    w.add_feeds([site.url("/feed.xml")])
    w.round(force=True)
    story = store.story_of(document_id(canonical_url(site.url("/news/a1"))))
    assert story is not None and store.alerts() == []
    follow(store, "story", story, w.now())
    follow(store, "speaker", "Voss", w.now())
    follow(store, "query", "refill reservoir", w.now())
    topic = next(r["topic"] for r in store.stories() if r["id"] == story)
    by_topic = follow(store, "topic", topic, w.now())
    with pytest.raises(ValueError, match="no story"):
        follow(store, "story", "nope", w.now())
    with pytest.raises(ValueError, match="no topic"):
        follow(store, "topic", "nope", w.now())

    publish(site, ["a1", "a2", "a3", "a4"], etag='"2"')
    w.round(force=True)
    kinds = {a["kind"] for a in store.alerts()}
    assert kinds == {"quote", "event", "outlet", "story"}, kinds
    assert store.story_of(document_id(canonical_url(site.url("/news/a4")))) == story  # the same story grew
    alerts = {a["kind"]: a for a in store.alerts()}
    assert {d["outlet"] for d in alerts["outlet"]["documents"]} == {"Lakeside Times"}  # the first new outlet
    assert any(e["date"] == "2025-04-28" for e in alerts["event"]["events"])
    assert all(e["date"] not in ("2025-03-03", "2025-03-10") for e in alerts["event"]["events"])  # known dates
    assert {q["speaker"] for q in alerts["quote"]["quotes"]} == {"Elena Voss"}
    # the topic follow raises what the story follow raises for its story (and no quote: that is a speaker's)
    from_topic = {(a["kind"], a["story"]) for a in store.alerts() if a["follow"] == by_topic["id"]}
    assert {("event", story), ("outlet", story)} <= from_topic and all(k != "quote" for k, _ in from_topic)
    # delivery: the first POST failed (500); that alert waits for its retry, after a backoff
    pending = [a for a in store.alerts() if a["delivery"] == "pending"]
    assert len(pending) == 1 and pending[0]["attempts"] == 1 and pending[0]["delivery_error"] == "HTTP 500"
    assert len(site.posts) == store.count_alerts() - 1
    w.webhook.deliver(store)
    assert len(site.posts) == store.count_alerts() - 1  # not before its time
    w.clock.offset += 3600  # type: ignore[attr-defined]
    w.webhook.deliver(store)
    assert len(site.posts) == len(store.alerts())
    assert all(a["delivery"] == "sent" for a in store.alerts())
    for body in site.posts:
        assert set(body) >= {"kind", "story", "title", "events", "documents", "created"}
    received = sorted(site.posts, key=lambda body: body["id"])
    assert received == [payload(a) for a in sorted(store.alerts(), key=lambda a: a["id"])]
    # nothing new: no alert raised twice
    publish(site, ["a1", "a2", "a3", "a4"], etag='"3"')
    before = store.count_alerts()
    w.round(force=True)
    assert store.count_alerts() == before


@pytest.mark.slow
def test_killed_watcher_resumes_without_refetching(site, tmp_path):
    """kill -9 in the middle of a run; the next run fetches only what was not stored."""
    for k in ARTICLES:
        title, outlet, day, paragraphs = ARTICLES[k]
        site.routes[f"/news/{k}"] = Route(article_html(title, outlet, day, paragraphs), delay=0.3)
    publish(site, list(ARTICLES))
    db = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "storyline.cli", "watch", site.url("/feed.xml"), "--db", str(db),
                             "--every", "1h", "--allow-private"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    stored: list[str] = []
    while time.monotonic() < deadline and not stored:
        time.sleep(0.2)
        if db.exists():
            with Store(db) as s:
                stored = [d.id for d in s.documents()]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert stored, "the watcher stored nothing before the deadline"
    hits = {k: site.hits(f"/news/{k}") for k in ARTICLES}
    result = subprocess.run([sys.executable, "-m", "storyline.cli", "watch", "--db", str(db), "--once",
                             "--allow-private"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with Store(db) as s:
        assert s.count_documents() == len(ARTICLES) and s.count_pending("linked") == 0
        for doc_id in stored:  # what the killed run stored was not fetched again
            key = s.document(doc_id).path
            k = key.rsplit("/", 1)[1]
            assert site.hits(f"/news/{k}") == hits[k] == 1


def test_follow_and_alerts_commands(db_copy):
    runner = CliRunner()
    with Store(db_copy) as s:
        story = s.stories()[0]["id"]
    db = ["--db", str(db_copy)]
    assert "following story" in runner.invoke(main, ["follow", "add", "--story", story, *db]).output
    assert runner.invoke(main, ["follow", "add", "--speaker", "Peskov", *db]).exit_code == 0
    both = runner.invoke(main, ["follow", "add", "--story", story, "--query", "talks", *db])
    assert both.exit_code == 2 and "exactly one" in both.output
    missing = runner.invoke(main, ["follow", "add", "--story", "no-such-story", *db])
    assert missing.exit_code == 1 and "no story with id 'no-such-story'" in missing.output
    listed = json.loads(runner.invoke(main, ["follow", "list", "--json", *db]).output)
    assert [(f["kind"], f["value"]) for f in listed] == [("story", story), ("speaker", "Peskov")]
    assert json.loads(runner.invoke(main, ["alerts", "--json", *db]).output) == []  # following starts now
    assert runner.invoke(main, ["follow", "remove", str(listed[0]["id"]), *db]).exit_code == 0
    assert runner.invoke(main, ["follow", "remove", "999", *db]).exit_code == 1
    assert len(json.loads(runner.invoke(main, ["follow", "list", "--json", *db]).output)) == 1
    bad = runner.invoke(main, ["watch", "ftp://example.com/feed", *db])
    assert bad.exit_code == 1 and "neither an http(s) feed URL nor a file" in bad.output
    assert "no feeds to watch" in runner.invoke(main, ["watch", "--once", *db]).output
