"""The watcher in the server: feeds and alerts over the API, a Server-Sent Events stream per story, the
alerts page, and the watcher thread that ``storyline serve --watch`` runs beside the API.

Adding a feed through the API makes this server fetch URLs chosen by whoever calls it, so it needs the
write token (``--token`` / ``STORYLINE_TOKEN``; without one configured, feeds are added only from the
command line), and the address rules of the fetcher apply to it (no private addresses unless the
server was started with ``--allow-private``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..store import Store

if TYPE_CHECKING:
    from ..watch import Watcher
    from .app import Database

STREAM_POLL = 1.0  # seconds between two looks at a story's state (PRAGMA data_version: no query when idle)
STREAM_LIFETIME = 3600.0  # a stream ends after an hour; EventSource reconnects by itself
KEEP_ALIVE = 15.0


@dataclass
class WatchOptions:
    """What ``serve --watch`` watches and how (the same knobs as ``storyline watch``)."""

    sources: list[str] = field(default_factory=list)
    every: float = 900.0
    webhook: str | None = None
    allow_private: bool = False
    timeout: float = 20.0


class WatchThread:
    """The watcher on its own thread and database connection; the processing lock keeps its pipeline runs
    and the API's writer from analysing at the same time."""

    def __init__(self, db_path: str, options: WatchOptions) -> None:
        self.db_path, self.options = db_path, options
        self.watcher: Watcher | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="storyline-watch", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.ready.wait(timeout=30)

    def _run(self) -> None:
        import logging

        from ..watch import Fetcher, Watcher

        log = logging.getLogger("storyline.watch")
        store = Store(self.db_path)
        fetcher = Fetcher(allow_private=self.options.allow_private, timeout=self.options.timeout)
        self.watcher = Watcher(store, fetcher, every=self.options.every, webhook=self.options.webhook)
        self.watcher.add_feeds(self.options.sources)
        self.ready.set()
        try:
            self.watcher.run(on_round=lambda r: log.info("%s", r.line()))
        except Exception:  # the API keeps serving; the failure is logged with its traceback
            log.exception("the watcher stopped")
        finally:
            self.watcher.close()
            fetcher.close()
            store.close()

    def wake(self) -> None:
        """Feeds were added: poll them now rather than at the end of the current wait."""
        if self.watcher is not None:
            self.watcher.wake.set()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.shutdown()
        self.thread.join(timeout=30)


def token_ok(request: Request, token: str | None) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    if not token:
        return False
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def register(app: FastAPI, db: Database, token: str | None = None, allow_private: bool = False,
             watch: WatchThread | None = None) -> None:
    """Add /api/feeds, /api/alerts, /api/stories/{id}/events (SSE) and the /alerts page to ``app``."""
    from ..watch import payload
    from .reads import page

    def error(status: int, message: str) -> JSONResponse:  # the API's error shape, {"error": message}
        return JSONResponse({"error": message}, status_code=status)

    Limit = Query(20, ge=1, le=200, description="Items per page (1–200).")
    Offset = Query(0, ge=0, le=2**31, description="Items to skip.")

    @app.get("/api/feeds", tags=["watch"])
    def list_feeds() -> dict:
        """Watched feeds and their health: last fetch and success, status and last error, consecutive
        errors, items in the last fetch, articles stored, next fetch."""
        items = db.reader().feeds()
        return {"items": items, "total": len(items)}

    @app.post("/api/feeds", tags=["watch"], status_code=201,
              responses={401: {"description": "No or wrong write token"},
                         403: {"description": "This server has no write token: add feeds from the command line"},
                         422: {"description": "Not an http(s) URL, or a refused address"}})
    async def add_feeds(request: Request) -> Response:
        """Watch more feeds: ``{"url": "..."}`` or ``{"urls": [...]}``. Needs ``Authorization: Bearer
        <token>`` (the server's ``--token``)."""
        from ..watch import Fetcher, FetchError
        from ..watch.alerts import iso
        from ..watch.sources import is_url

        if not token:
            return error(403, "adding feeds through the API needs a write token: start the server with --token "
                                "(or STORYLINE_TOKEN), or add them with `storyline watch URL`")
        if not token_ok(request, token):
            return error(401, "adding feeds needs the write token (Authorization: Bearer <token>)")
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as exc:
            return error(400, f"body is not valid JSON: {exc}")
        urls = [body["url"]] if isinstance(body, dict) and isinstance(body.get("url"), str) else \
            body.get("urls") if isinstance(body, dict) else None
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls) or len(urls) > 100:
            return error(422, 'send {"url": "https://..."} or {"urls": [...]} (1 to 100 feed URLs)')
        bad = [u for u in urls if not is_url(u)]
        if bad:
            return error(422, f"not an http(s) URL: {bad[0][:200]!r}")

        def check() -> None:
            with Fetcher(allow_private=allow_private) as fetcher:
                for u in urls:
                    fetcher.check_url(u)

        try:
            await run_in_threadpool(check)
        except FetchError as exc:
            return error(422, str(exc))
        added = await asyncio.wrap_future(db.submit(lambda store: store.add_feeds(urls, iso(time.time()))))
        if watch is not None and added:
            watch.wake()
        return Response(json.dumps({"added": added, "known": [u for u in urls if u not in added]}),
                        status_code=201 if added else 200, media_type="application/json")

    @app.get("/api/alerts", tags=["watch"])
    def list_alerts(limit: int = Limit, offset: int = Offset,
                    story: str | None = Query(None, max_length=200, description="Only alerts about this story.")
                    ) -> dict:
        """Alerts raised by follows, newest first, each as delivered to webhooks (``kind``, ``story``,
        ``title``, ``events``, ``documents``, ``created``, ...) plus its ``delivery`` state."""
        store = db.reader()
        items = [payload(a) | {"delivery": a["delivery"]} for a in store.alerts(limit, offset, story)]
        return page(items, store.count_alerts(story), limit, offset)

    @app.get("/api/stories/{story_id}/events", tags=["watch"],
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "Server-Sent Events: `story` when the story changes, `alert` for "
                                             "each new alert about it"},
                        404: {"description": "No such story"}})
    async def story_events(story_id: str, request: Request) -> Response:
        """A Server-Sent Events stream of one story: a ``story`` event (``{"story", "version"}``) each time
        its articles or timeline change, an ``alert`` event for each new alert about it. The story page
        listens to it to show new events without a reload."""
        if await run_in_threadpool(lambda: db.reader().story_title(story_id)) is None:
            return error(404, f"no story with id {story_id!r}")

        def state() -> dict:
            """The story as its page shows it: a hash of its stored view (saved once its analysis is done)."""
            text = db.reader().view(story_id, "story") or ""
            return {"story": story_id, "version": hashlib.sha1(text.encode()).hexdigest()[:16]}

        def last_alert() -> int:
            newest = db.reader().alerts(1, 0, story_id)
            return newest[0]["id"] if newest else 0

        def new_alerts(after: int) -> list[dict]:
            return db.reader().alerts(50, 0, story_id, after=after)

        async def stream() -> AsyncIterator[str]:
            loop = asyncio.get_running_loop()
            started = quiet = loop.time()
            committed = db.version()
            current = await run_in_threadpool(state)
            seen = await run_in_threadpool(last_alert)
            yield "retry: 3000\n\n" + _sse("hello", current)
            while loop.time() - started < STREAM_LIFETIME and not await request.is_disconnected():
                await asyncio.sleep(STREAM_POLL)
                if db.version() == committed:  # nothing committed anywhere: nothing to look at
                    continue
                committed = db.version()
                now = await run_in_threadpool(state)
                if now["version"] != current["version"]:
                    current = now
                    quiet = loop.time()
                    yield _sse("story", now)
                for alert in await run_in_threadpool(new_alerts, seen):
                    seen = alert["id"]
                    quiet = loop.time()
                    yield _sse("alert", payload(alert))
                if loop.time() - quiet > KEEP_ALIVE:
                    quiet = loop.time()
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page(offset: int = Query(0, ge=0, le=2**31)) -> Response:
        from .web import PAGE, render

        store = db.reader()
        return render("web_alerts.html", hues=db.outlet_hues(), title="Alerts",
                      alerts=store.alerts(PAGE, offset), total=store.count_alerts(), offset=offset, limit=PAGE,
                      feeds=store.feeds(), follows=store.follows())
