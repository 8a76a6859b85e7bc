"""The watch loop: poll each configured feed when it is due, fetch the pages of items never seen, store
them through the same readers as files, run the pipeline on what is new, check follows, deliver alerts.

Everything it knows lives in the database (feeds with their validators and health, every article URL
seen with its outcome, follows with their watermark), so a watcher that is killed resumes where it
stopped: items already stored are never fetched again, and a pipeline or alert check cut short is
finished by the next round. A failing feed is retried with exponential backoff (up to a day); a page
that failed transiently is retried a few times, then given up.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..ingest.readers import read_page, read_record
from ..model import Document
from ..run import pipeline
from ..store import Store
from .alerts import Webhook, check, iso
from .fetch import Clock, Fetcher, FetchError
from .sources import FeedItem, canonical_url, document_id, parse_feed

ACCEPT_FEED = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
MAX_BACKOFF = 24 * 3600.0  # a feed failing for days is still asked once a day
ITEM_ATTEMPTS = 5  # transient failures of one article page before it is given up


@dataclass(slots=True)
class RoundReport:
    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    stored: int = 0
    duplicates: int = 0
    item_errors: int = 0
    alerts: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.feeds} feed(s) polled ({self.not_modified} not modified, {self.failed} failed): "
                f"{self.new_items} new item(s), {self.stored} article(s) stored, {self.duplicates} already "
                f"stored, {self.item_errors} not fetched; {len(self.alerts)} alert(s)")


class Watcher:
    """Watches the feeds configured in one database. ``stop`` (an Event) ends ``run`` between requests."""

    def __init__(self, store: Store, fetcher: Fetcher, *, every: float = 900.0, webhook: str | None = None,
                 clock: Clock | None = None, workers: int = 1, stop: threading.Event | None = None,
                 on_alert: Callable[[dict], None] | None = None) -> None:
        self.store, self.fetcher, self.every, self.workers = store, fetcher, max(1.0, every), workers
        self.clock = clock or fetcher.clock
        self.webhook = Webhook(webhook, self.clock) if webhook else None
        self.stop = stop or threading.Event()
        self.wake = threading.Event()  # set when a feed is added while the loop sleeps
        self.on_alert = on_alert

    def close(self) -> None:
        if self.webhook is not None:
            self.webhook.close()

    def now(self) -> str:
        return iso(self.clock.time())

    def add_feeds(self, urls: list[str]) -> list[str]:
        added = self.store.add_feeds(urls, self.now())
        self.wake.set()
        return added

    # -- the loop -------------------------------------------------------------------------------------
    def run(self, once: bool = False, on_round: Callable[[RoundReport], None] | None = None,
            until: Callable[[], bool] | None = None) -> None:
        """Rounds until stopped (``once``: one round over every feed, then the pending deliveries)."""
        while not self.stop.is_set():
            report = self.round(force=once)
            if on_round is not None:
                on_round(report)
            if once:
                if self.webhook is not None:
                    self.webhook.deliver(self.store, wait=30.0)
                return
            if until is not None and until():
                return
            self._sleep(self._until_due())

    def shutdown(self) -> None:
        """End ``run`` at the next request boundary (from another thread)."""
        self.stop.set()
        self.wake.set()

    def _until_due(self) -> float:
        """Seconds until the next feed is due (at most ``every``; 5 s while webhook retries wait)."""
        feeds = self.store.feeds()
        if any(not f["next_fetch"] for f in feeds):
            return 0.0
        now = self.clock.time()
        wait = min((datetime.fromisoformat(f["next_fetch"]).timestamp() - now for f in feeds), default=self.every)
        if self.webhook is not None and self.store.alerts_to_deliver("9999", limit=1):
            wait = min(wait, 5.0)
        return min(self.every, max(0.0, wait))

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.clock.wait(self.wake, seconds)  # a feed added meanwhile (or shutdown) wakes the loop
        self.wake.clear()

    def round(self, force: bool = False) -> RoundReport:
        """Poll every due feed (every feed with ``force``), process what is new, check follows, deliver."""
        report = RoundReport()
        self._process(report)  # whatever a killed run left half done
        now = self.now()
        for feed in self.store.feeds():
            if self.stop.is_set():
                break
            if force or not feed["next_fetch"] or feed["next_fetch"] <= now:
                if self._poll(feed, report):
                    self._process(report)  # per feed: new articles alert without waiting for the others
        if self.webhook is not None:
            self.webhook.deliver(self.store)
        return report

    def _process(self, report: RoundReport) -> None:
        store = self.store
        if (store.count_pending("annotated") or store.count_pending("linked") or store.dirty_stories()
                or store.stale_views()):
            run = pipeline.annotate_pending(store, workers=self.workers)
            pipeline.link_pending(store, run)
            report.errors.extend(str(e) for e in run.errors)
        alerts = check(store, self.now(), deliver=self.webhook is not None)
        report.alerts.extend(alerts)
        if self.on_alert is not None:
            for alert in alerts:
                self.on_alert(alert)
        if alerts and self.webhook is not None:
            self.webhook.deliver(store)  # now, not after the other feeds of the round

    # -- one feed -------------------------------------------------------------------------------------
    def _poll(self, feed: dict, report: RoundReport) -> int:
        """Fetch one feed (conditionally) and its new items; returns the number of articles stored."""
        url, now = feed["url"], self.clock.time()
        report.feeds += 1
        try:
            page = self.fetcher.get(url, etag=feed["etag"], last_modified=feed["last_modified"], accept=ACCEPT_FEED)
            if page.not_modified:
                self.store.update_feed(url, last_fetch=iso(now), last_ok=iso(now), next_fetch=iso(now + self.every),
                                       status="not modified", error=None, errors=0)
                report.not_modified += 1
                return 0
            title, items, warning = parse_feed(page.content, page.url, page.content_type)
        except (FetchError, ValueError) as exc:
            errors = feed["errors"] + 1
            wait = min(self.every * 2 ** min(errors - 1, 16), MAX_BACKOFF)
            message = str(exc) if str(exc).startswith(url) else f"{url}: {exc}"
            self.store.update_feed(url, last_fetch=iso(now), next_fetch=iso(now + wait), status="error",
                                   error=message, errors=errors)
            report.failed += 1
            report.errors.append(message)
            return 0
        stored = self._items(url, items, report)
        done = self.clock.time()
        self.store.update_feed(url, title=title or feed["title"], last_fetch=iso(now), last_ok=iso(done),
                               next_fetch=iso(done + self.every), status="ok", error=warning, errors=0,
                               etag=page.etag, last_modified=page.last_modified, items=len(items), stored=stored)
        return stored

    def _items(self, feed_url: str, items: list[FeedItem], report: RoundReport) -> int:
        keyed = {(it.url or _content_key(it)): it for it in items}
        known = self.store.feed_items(list(keyed))
        stored = 0
        for key, item in keyed.items():
            if self.stop.is_set():
                break
            seen = known.get(key)
            now = self.clock.time()
            if seen is not None and (seen["status"] != "error" or (seen["next_try"] or "") > iso(now)):
                continue
            if seen is None:
                report.new_items += 1
            doc_id = document_id(key)
            if self.store.has_document(doc_id):  # stored by a run killed before it noted the item
                self.store.record_items([{"url": key, "feed": feed_url, "status": "stored", "document": doc_id}],
                                        iso(now))
                continue
            try:
                doc = self._read(item, doc_id)
            except (FetchError, ValueError) as exc:
                attempts = (seen["attempts"] if seen else 0) + 1
                retry = isinstance(exc, FetchError) and exc.transient and attempts < ITEM_ATTEMPTS
                status = "error" if retry else "blocked" if "robots.txt" in str(exc) else "failed"
                message = str(exc) if str(exc).startswith(item.link or key) else f"{item.link or key}: {exc}"
                self.store.record_items([{
                    "url": key, "feed": feed_url, "status": status, "error": message,
                    "next_try": iso(now + self.every * 2 ** attempts) if retry else None}], iso(now))
                report.item_errors += 1
                report.errors.append(message)
                continue
            added = self.store.add_documents([doc])
            if added:
                stored += 1
                report.stored += 1
            else:
                report.duplicates += 1
            self.store.record_items([{
                "url": key, "feed": feed_url, "status": "stored" if added else "duplicate",
                "document": added[0] if added else self.store.has_document(doc.id, doc.hash)}], iso(now))
        return stored

    def _read(self, item: FeedItem, doc_id: str) -> Document:
        """An item's article: its page fetched and read like an .html file; an item without a link is read
        from the feed's own content."""
        meta = {"title": item.title, "published": item.published, "outlet": item.outlet}
        if not item.link:
            if not item.content.strip():
                raise ValueError("feed item has neither a link nor content")
            record = {"html": item.content, "title": item.title, "outlet": item.outlet,
                      "published": item.published.isoformat() if item.published else None}
            return read_record({k: v for k, v in record.items() if v}, "feed item", default_id=doc_id)
        page = self.fetcher.get(item.link, accept=ACCEPT_PAGE)
        return read_page(page.content, canonical_url(page.url), doc_id, page.content_type, meta)


def _content_key(item: FeedItem) -> str:
    return "urn:sha256:" + hashlib.sha256(item.content.encode("utf-8", "surrogatepass")).hexdigest()[:32]
