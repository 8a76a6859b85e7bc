"""The server's frame: its settings (``Limits``), the database connections (one writer thread, a reading
connection per thread), errors, middleware, and ``new_app``, the app before any route. The routes are
added by ``api`` (reads), ``ingest`` (writes), ``web`` (pages) and ``watch`` (feeds, alerts, streams);
``api.create_app`` puts them together.

SQLite allows one writer at a time, so every write is queued to a single writer thread that owns its own
connection, as datasette does; reads run in parallel on one connection per worker thread, never sharing a
connection between threads. WAL mode lets readers see the last committed state while the writer
annotates and links new articles.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import contract
from ..render import html
from ..render.palette import outlet_hues
from ..store import Store
from .guard import Access, Guard

T = TypeVar("T")

GROUP_MAX = 32  # write requests processed together by the writer


@dataclass(frozen=True, slots=True)
class Limits:
    """What one write request may carry; anything larger is refused with a 4xx JSON error, never truncated."""

    max_body: int = 8 * 1024 * 1024  # bytes of one request body (JSON or multipart)
    max_article: int = 2 * 1024 * 1024  # bytes of one article's text or html
    max_batch: int = 200  # articles per request
    max_files: int = 50  # files per upload
    max_pending_writes: int = 64  # queued write requests before answering 503
    # bytes of request bodies held at once, over all requests (a body is held until its response is sent):
    # 30 concurrent 7 MB uploads would otherwise hold 600 MB and more once parsed
    max_in_flight: int = 32 * 1024 * 1024


class ApiError(Exception):
    """An error with an HTTP status, rendered as {"error": message, ...extra}."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


class GroupedWrite(Protocol):
    """A write that the writer runs together with the writes of its kind queued right behind it (group
    commit): its class's ``run_group(store, jobs)`` answers one result, or exception, per job."""

    @staticmethod
    def run_group(store: Store, group: list[Any]) -> list[Any]: ...


# --------------------------------------------------------------------------------------------------
# Connections: one per reading thread, one writer thread


class Database:
    """Read connections per thread and a single writer thread with its own connection.

    sqlite3 connections must not be used by two threads at once, and a read issued on the writer's
    connection mid-transaction would see (and be part of) uncommitted work; separate connections in WAL
    mode avoid both. Nothing is cached but the outlet palette: every story view is stored, computed when
    the story changed (``run.views``), so a read is a lookup.
    """

    def __init__(self, path: str | Path, max_pending: int = 64) -> None:
        self.path = str(path)
        self.max_pending = max_pending
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[Any, Future] | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._watch = Store(self.path)
        self._watch_lock = threading.Lock()
        self._hues: tuple[int, dict[str, int]] | None = None
        self._versioned: dict[str, tuple[int, Any]] = {}
        self._closed = False

    def reader(self) -> Store:
        """This thread's own connection (opened on first use)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    def version(self) -> int:
        """Changes whenever another connection (this server's writer, a CLI run) commits."""
        with self._watch_lock:
            return self._watch.data_version()

    def outlet_hues(self) -> dict[str, int]:
        """The outlets' palette (``render.palette.outlet_hues``), recomputed only after a commit."""
        dv = self.version()
        with self._lock:
            if self._hues is not None and self._hues[0] == dv:
                return self._hues[1]
        with self._watch_lock:
            hues = outlet_hues(self._watch.outlet_order())
        with self._lock:
            self._hues = (dv, hues)
        return hues

    def per_version(self, key: str, build: Callable[[], T]) -> T:
        """``build()`` once per committed state of the whole database (the entity index and the like)."""
        dv = self.version()
        with self._lock:
            hit = self._versioned.get(key)
            if hit is not None and hit[0] == dv:
                return hit[1]
        value = build()
        with self._lock:
            self._versioned[key] = (dv, value)
        return value

    def submit(self, job: Callable[[Store], T] | GroupedWrite) -> Future:
        """Queue a write; it runs on the writer thread, one at a time, in arrival order."""
        if self._jobs.qsize() >= self.max_pending:
            raise ApiError(503, "too many writes queued; retry shortly", retry_after=1)
        with self._lock:
            if self._closed:
                raise ApiError(503, "server is shutting down")
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="storyline-writer", daemon=True)
                self._writer.start()
        fut: Future = Future()
        self._jobs.put((job, fut))
        return fut

    def _write_loop(self) -> None:
        store = Store(self.path)
        held: list[tuple[Any, Future] | None] = []
        try:
            while (item := held.pop() if held else self._jobs.get()) is not None:
                job, fut = item
                if hasattr(type(job), "run_group"):  # gather the writes of its kind queued right behind it
                    group = [item]
                    while len(group) < GROUP_MAX:
                        try:
                            nxt = self._jobs.get_nowait()
                        except queue.Empty:
                            break
                        if nxt is None or type(nxt[0]) is not type(job):
                            held.append(nxt)
                            break
                        group.append(nxt)
                    self._run_group(store, group)
                    continue
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    fut.set_result(job(store))
                except BaseException as exc:  # handed to the waiting request
                    fut.set_exception(exc)
        finally:
            store.close()

    @staticmethod
    def _run_group(store: Store, group: list[tuple[Any, Future]]) -> None:
        live = [(job, fut) for job, fut in group if fut.set_running_or_notify_cancel()]
        try:
            results = type(group[0][0]).run_group(store, [job for job, _ in live])
        except BaseException as exc:  # annotating or linking the group failed as a whole
            results = [exc] * len(live)
        for (_, fut), result in zip(live, results, strict=True):
            if isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            writer, stores = self._writer, list(self._stores)
            self._stores.clear()
        if writer is not None:
            self._jobs.put(None)
            writer.join(timeout=60)
        for store in stores:
            store.close()
        self._watch.close()


# --------------------------------------------------------------------------------------------------
# Responses shared by the routes


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def csv_response(name: str, text: str) -> Response:
    """A CSV download (``?format=csv``): UTF-8 with a byte-order mark, which spreadsheets need for accents."""
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def not_found(what: str, ident: str) -> ApiError:
    error = ApiError(404, f"no {what} with id {ident!r}")
    if what in ("story", "topic", "document"):
        error.missing = ident  # type: ignore[attr-defined]  (a merged story or topic, an article's alias: 308)
    return error


NOT_FOUND: dict = {404: {"description": "No such id: {\"error\": message}"},
                   308: {"description": "The story or topic merged into another, or the id is an alias of an"
                                        " article (a copy's id): Location names it"}}


def require_type(request: Request, media_type: str) -> None:
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given != media_type:
        raise ApiError(415, f"send this as {media_type}, not {given or 'an untyped body'}")


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(status: int, message: str, title: str | None = None) -> HTMLResponse:
    """The HTML error page (a browser asked for a page, not the API)."""
    body = html.render("web_error.html", status_code=status, message=message, title=title or f"{status}")
    return HTMLResponse(body, status_code=status)


# --------------------------------------------------------------------------------------------------
# Middleware


def _json_bytes(status: int, payload: dict) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = json.dumps(payload).encode("utf-8")
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], body


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes before any parsing (Content-Length or streamed), and
    bodies that would take the bytes held by all requests in flight over ``in_flight`` (503, retry)."""

    def __init__(self, app: ASGIApp, limit: int, in_flight: int) -> None:
        self.app, self.limit, self.max_in_flight = app, limit, in_flight
        self.held = 0  # the event loop is one thread: no lock needed

    async def _refuse(self, send: Send, status: int, message: str) -> None:
        headers, body = _json_bytes(status, {"error": message})
        if status == 503:
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(send, 413, f"request body is {_mb(int(length))}; the limit is {_mb(self.limit)}")
            return
        busy = f"the server is holding {_mb(self.max_in_flight)} of request bodies; retry shortly"
        reserved = int(length) if length is not None and length.isdigit() else 0
        if self.held + reserved > self.max_in_flight:
            await self._refuse(send, 503, busy)
            return
        self.held += reserved
        try:
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.limit:
                    await self._refuse(send, 413, f"request body is over {_mb(self.limit)}; the limit is "
                                                  f"{_mb(self.limit)}")
                    return
                if size > reserved:  # streamed without a (truthful) length: count it as it comes
                    if self.held + size - reserved > self.max_in_flight:
                        await self._refuse(send, 503, busy)
                        return
                    self.held += size - reserved
                    reserved = size
                chunks.append(chunk)
                more = message.get("more_body", False)
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
        finally:
            self.held -= reserved


class App(FastAPI):
    """FastAPI with ``guard.Guard`` around everything, Starlette's error middleware included: its 500s
    carry the security headers too, and no request from a host or site it refuses reaches a route."""

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state.access = access
        self._guarded = Guard(super().__call__, access)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._guarded(scope, receive, send)


class Service(Protocol):
    """Something that runs beside the server for its lifetime (the feed watcher of ``serve --watch``)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def new_app(db_path: str | Path, limits: Limits | None = None, access: Access | None = None,
            service: Service | None = None) -> App:
    """The app with its database (``app.state.db``), limits, error handlers and middleware, and no route.

    ``access``: the Host names it answers and the token writes need (default: loopback names, no token);
    ``service`` starts and stops with the app."""
    access = access or Access()
    limits = limits or Limits()
    db = Database(db_path, max_pending=limits.max_pending_writes)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if service is not None:
            await run_in_threadpool(service.start)
        yield
        if service is not None:
            await run_in_threadpool(service.stop)
        await run_in_threadpool(db.close)

    app = App(title="Storyline", version=str(contract.VERSION),
              description="Stories, sourced timelines, attributed quotes and outlets from news articles.",
              docs_url=None, redoc_url=None, lifespan=lifespan, access=access)
    app.state.db = db
    app.state.limits = limits

    def error_response(request: Request, status: int, message: str, **extra: Any) -> Response:
        if wants_html(request):
            return error_page(status, message)
        headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
        return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)

    def moved(request: Request, old: str) -> Response | None:
        """A permanent redirect when ``old`` is the id of a story or topic that merged into another, or an
        alias of an article (another copy's id, or an id several texts claimed)."""
        store = db.reader()
        new = store.redirect(old) or store.document_alias(old)
        if new is None:
            return None
        path = request.url.path.replace(f"/{old}", f"/{new}", 1)
        return RedirectResponse(path + (f"?{request.url.query}" if request.url.query else ""), status_code=308)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        missing = getattr(exc, "missing", None)  # a story or topic id that merged into another: 308
        if exc.status == 404 and missing and (redirect := moved(request, missing)) is not None:
            return redirect
        return error_response(request, exc.status, exc.message, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                    for e in exc.errors()]
        return error_response(request, 422, "; ".join(problems))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(request, 500, f"internal error: {type(exc).__name__}")

    app.add_middleware(BodyLimit, limit=limits.max_body, in_flight=limits.max_in_flight)
    return app
