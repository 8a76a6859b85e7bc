"""Follows and the alerts they raise, and their delivery to a webhook.

A follow remembers the ingestion position (``documents.seq``) up to which it has been checked. A check
looks only at documents stored since, once they are annotated and linked, and stores its alerts and the
new position in one transaction: a watcher killed mid-check redoes the check, so no alert is lost and
none is raised twice, and nothing depends on event ids staying the same as timelines are rebuilt.

What raises an alert (``kind``):

- ``event``: a followed story gains a timeline event that only new articles report (a new dated event,
  not one more source for a known one);
- ``outlet``: an outlet reports a followed story for the first time;
- ``quote``: a followed speaker is quoted in a new article;
- ``story``: a story matches a followed query (every word, in any sentence) for the first time, or a new
  story joins a followed topic.

A followed topic raises, for each of its stories, what a followed story raises, and ``story`` for a story
that is new in it; a topic (or story) merged into another is followed under its new id.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timezone

import httpx

from ..store import Store
from .fetch import USER_AGENT, Clock

FOLLOW_KINDS = ("story", "topic", "query", "speaker")
MAX_ATTEMPTS = 8  # webhook deliveries before an alert is marked failed (backoff 5 s · 2^n: about 20 min)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def _doc(d: dict) -> dict:
    return {"id": d["id"], "title": d["title"], "url": d["url"], "outlet": d["outlet"]}


def _event(e: dict) -> dict:
    return {"id": e["id"], "date": e["date"], "end": e["last"], "granularity": e["granularity"],
            "summary": e["summary"], "documents": e["documents"]}


def follow(store: Store, kind: str, value: str, now: str) -> dict:
    """Start following a story (its id), a query or a speaker; what is already stored raises nothing."""
    value = value.strip()
    if kind not in FOLLOW_KINDS:
        raise ValueError(f"cannot follow a {kind!r}; one of {', '.join(FOLLOW_KINDS)}")
    if not value:
        raise ValueError(f"an empty {kind} cannot be followed")
    if kind == "story" and store.story_title(value) is None:
        raise ValueError(f"no story with id {value!r}")
    if kind == "topic" and store.topic_row(value) is None:
        raise ValueError(f"no topic with id {value!r}")
    if kind == "query" and not any(c.isalnum() for c in value):
        raise ValueError(f"query {value!r} has no words to search for")
    return store.add_follow(kind, value, now)


def check(store: Store, now: str, deliver: bool = False) -> list[dict]:
    """Raise the alerts of every follow for what was stored (and linked) since its last check."""
    upto = store.linked_seq()
    alerts: list[dict] = []
    checked: dict[int, int] = {}
    titles: dict[str, str] = {}

    def title(story: str) -> str:
        if story not in titles:
            titles[story] = (store.story_title(story) or {}).get("title", "")
        return titles[story]

    with store.snapshot():
        for f in store.follows():
            after = f["checked_seq"]
            if after >= upto:
                continue
            checked[f["id"]] = upto
            base = {"follow": f["id"], "created": now}
            if f["kind"] == "story":
                alerts += story_alerts(store, base, current(store, f["value"]), after, upto, title)
            elif f["kind"] == "topic":
                for row in store.topic_stories(current(store, f["value"])):
                    story = row["id"]
                    if store.new_documents(0, after, story):
                        alerts += story_alerts(store, base, story, after, upto, title)
                    elif store.new_documents(after, upto, story):  # every article is new: a new story
                        alerts.append(base | {"kind": "story", "story": story, "title": title(story),
                                              "events": [_event(e) for e in store.new_events(story, after)],
                                              "documents": [_doc(d) for d in store.new_documents(after, upto, story)]})
            elif f["kind"] == "query":
                new = store.stories_matching(f["value"], after, upto)  # then: did they match before?
                matched = new - store.stories_matching(f["value"], 0, after, among=sorted(new)) if new else set()
                for story in sorted(matched):
                    alerts.append(base | {"kind": "story", "story": story, "title": title(story),
                                          "events": [_event(e) for e in store.new_events(story, after)],
                                          "documents": [_doc(d) for d in store.new_documents(after, upto, story)]})
            elif f["kind"] == "speaker":
                by_story: dict[str, list[dict]] = defaultdict(list)
                for q in store.new_quotes(f["value"], after, upto):
                    by_story[q["story"] or ""].append(q)
                for story, quotes in by_story.items():
                    docs = {d.id: d for d in store.documents(sorted({q["document"] for q in quotes}))}
                    alerts.append(base | {
                        "kind": "quote", "story": story or None, "title": title(story) if story else None,
                        "events": [], "quotes": [{k: q[k] for k in ("document", "speaker", "text", "kind")}
                                                 for q in quotes],
                        "documents": [{"id": d.id, "title": d.title, "url": d.url, "outlet": d.outlet}
                                      for d in docs.values()]})
    if checked:
        for alert, alert_id in zip(alerts, store.save_alerts(alerts, checked, deliver), strict=True):
            alert["id"] = alert_id
    return alerts


def current(store: Store, story_or_topic: str) -> str:
    """The id a story or topic lives under now (merges leave a redirect; chains are followed)."""
    seen = {story_or_topic}
    while (new := store.redirect(story_or_topic)) is not None and new not in seen:
        seen.add(new)
        story_or_topic = new
    return story_or_topic


def story_alerts(store: Store, base: dict, story: str, after: int, upto: int, title) -> list[dict]:
    """What one story's new articles (stored after ``after``) raise: new events, outlets new to it."""
    new = store.new_documents(after, upto, story)
    if not new:
        return []
    alerts = []
    events = store.new_events(story, after)
    if events:
        reporting = {d for e in events for d in e["documents"]}
        alerts.append(base | {"kind": "event", "story": story, "title": title(story),
                              "events": [_event(e) for e in events],
                              "documents": [_doc(d) for d in new if d["id"] in reporting]})
    known = store.story_outlets(story, after)
    first: dict[str, list[dict]] = defaultdict(list)
    for d in new:
        if d["outlet"] and d["outlet"] not in known:
            first[d["outlet"]].append(d)
    if first:
        alerts.append(base | {"kind": "outlet", "story": story, "title": title(story),
                              "events": [], "documents": [_doc(d) for ds in first.values() for d in ds]})
    return alerts


def payload(alert: dict) -> dict:
    """The JSON an alert is delivered as: {"kind", "story", "title", "events", "documents", "created"}, plus
    its ``id``, the ``follow`` that raised it and, for a speaker's new quotes, ``quotes``."""
    keys = ("id", "kind", "follow", "story", "title", "events", "documents", "quotes", "created")
    return {k: alert.get(k) if k != "quotes" else alert.get(k) or [] for k in keys}


class Webhook:
    """POSTs pending alerts as JSON to one URL; a failure is retried later with exponential backoff (5 s,
    10 s, 20 s, ...), and after ``MAX_ATTEMPTS`` the alert is marked failed (it stays listed). The webhook
    is the operator's own endpoint, so it is not subject to the fetcher's address rules."""

    def __init__(self, url: str, clock: Clock | None = None, timeout: float = 10.0, backoff: float = 5.0) -> None:
        self.url, self.backoff = url, backoff
        self.clock = clock or Clock()
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                                   headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self.client.close()

    def deliver(self, store: Store, wait: float = 0.0) -> tuple[int, int]:
        """Send what is due; with ``wait``, keep retrying failures for up to that many seconds (a watcher
        run with --once exits afterwards). Returns (sent, failed for good)."""
        sent = failed = 0
        deadline = time.monotonic() + wait
        while True:
            for alert in store.alerts_to_deliver(iso(self.clock.time())):
                error = None
                try:
                    response = self.client.post(self.url, json=payload(alert))
                    if 200 <= response.status_code < 300:
                        store.mark_delivery(alert["id"], "sent")
                        sent += 1
                        continue
                    error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}".rstrip(": ")
                if alert["attempts"] + 1 >= MAX_ATTEMPTS:
                    store.mark_delivery(alert["id"], "failed", error=error)
                    failed += 1
                else:
                    retry = self.clock.time() + self.backoff * 2 ** alert["attempts"]
                    store.mark_delivery(alert["id"], "pending", iso(retry), error)
            pending = store.alerts_to_deliver("9999", limit=1)
            if not pending or time.monotonic() >= deadline:
                return sent, failed
            self.clock.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
