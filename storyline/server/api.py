"""The REST API (and, through ``web``, the HTML UI) over one Storyline database.

SQLite allows one writer at a time, so every write (POST /api/articles, POST /api/upload) is queued to a
single writer thread that owns its own connection, as datasette does; reads run in parallel on one
connection per worker thread, never sharing a connection between threads. WAL mode lets readers see the
last committed state while the writer annotates and links new articles.

Response shapes are the JSON contract's (``contract``: document_dict, quote_dict, the stored story records) and are
built by the same functions, so the CLI's ``--json``, the HTML report and the API cannot drift apart.
"""

from __future__ import annotations

import asyncio
import json
import queue
import re
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import contract, profiles
from ..link import corrections
from ..model import Document, ReadError
from ..render import csv_tables
from ..render.palette import hue, outlet_hues
from ..run import pipeline
from ..store import Store
from .guard import Access, Guard
from .reads import MAX_OFFSET, MAX_TEXT, document_detail, page, views
from .web import error_page, register

if TYPE_CHECKING:
    from .watch import WatchOptions

T = TypeVar("T")

GROUP_MAX = 32  # write requests processed together by the writer
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")


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

    def submit(self, job: Callable[[Store], T] | Ingest) -> Future:
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
                if isinstance(job, Ingest):  # gather the ingests queued right behind this one
                    group = [item]
                    while len(group) < GROUP_MAX:
                        try:
                            nxt = self._jobs.get_nowait()
                        except queue.Empty:
                            break
                        if nxt is None or not isinstance(nxt[0], Ingest):
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
            results = Ingest.run_group(store, [job for job, _ in live])
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
# Writes


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def csv_response(name: str, text: str) -> Response:
    """A CSV download (``?format=csv``): UTF-8 with a byte-order mark, which spreadsheets need for accents."""
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


class ArticleIn(BaseModel):
    """One article, as a line of the JSONL input: ``text`` or ``html`` is required."""

    id: str | None = Field(None, description="Stable id; derived from the content when absent.")
    title: str | None = None
    text: str | None = Field(None, description="Plain text of the article.")
    html: str | None = Field(None, description="HTML page; the article text is extracted from it.")
    url: str | None = None
    published: str | None = Field(None, description="Publication date (ISO 8601 or as written).")
    outlet: str | None = None


def _article_schema() -> dict:
    one = ArticleIn.model_json_schema()
    return {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [one, {"type": "array", "items": one}]}}}}


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _check_article_size(record: dict, index: int, limits: Limits, where: str) -> None:
    size = sum(len(v.encode("utf-8", "surrogatepass"))  # a lone surrogate is refused later, naming its field
               for k in ("text", "html") if isinstance(v := record.get(k), str))
    if size > limits.max_article:
        raise ApiError(413, f"{where} is {_mb(size)}; the limit is {_mb(limits.max_article)} per article",
                       index=index)


def parse_articles(body: bytes, limits: Limits) -> list[Document]:
    """Validate every article before storing any: a batch is accepted whole or refused whole."""
    from ..ingest.readers import parse_json, read_record

    try:
        data = parse_json(body)
    except (ValueError, UnicodeDecodeError) as exc:  # nested too deeply included
        raise ApiError(400, f"body is not valid JSON: {exc}") from exc
    records = data if isinstance(data, list) else [data]
    if not records:
        raise ApiError(422, "no articles in the request")
    if len(records) > limits.max_batch:
        raise ApiError(422, f"{len(records)} articles in one request; the limit is {limits.max_batch}")
    docs, errors = [], []
    for i, record in enumerate(records):
        where = f"article {i}"
        if not isinstance(record, dict):
            errors.append({"index": i, "error": f"{where}: expected a JSON object"})
            continue
        _check_article_size(record, i, limits, where)
        try:
            docs.append(read_record(record, where))
        except ValueError as exc:
            errors.append({"index": i, "error": f"{where}: {exc}"})
        except Exception as exc:  # a library failing on one hostile article fails that article only
            errors.append({"index": i, "error": f"{where}: unreadable ({type(exc).__name__})"})
    if errors:
        raise ApiError(422, f"{len(errors)} of {len(records)} articles are invalid; nothing was stored",
                       errors=errors)
    return docs


@dataclass(slots=True)
class Ingest:
    """A write request's articles. Requests waiting in the writer queue together are processed as one
    group (group commit): each is stored in order, so later ones see earlier ones as duplicates, then
    one annotate-and-link pass serves them all instead of one pass per request."""

    docs: list[Document]
    existing: list[tuple[str, str] | None] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def store(self, store: Store) -> None:
        claimed_ids: dict[str, str] = {}
        claimed_hashes: dict[str, str] = {}
        for d in self.docs:
            # the same rule as Store.add_documents: a known id or a known text is not stored again
            if (known := store.has_document(d.id, "")) or (known := claimed_ids.get(d.id)):
                self.existing.append((known, "id"))
            elif (known := store.has_document("", d.hash)) or (known := claimed_hashes.get(d.hash)):
                self.existing.append((known, "text"))
            else:
                self.existing.append(None)
                claimed_ids[d.id] = claimed_hashes[d.hash] = d.id
        self.added = store.add_documents(self.docs)

    def result(self, store: Store) -> dict:
        """What happened to each article, once annotation and linking are done."""
        new = set(self.added)
        articles = []
        for i, (d, known) in enumerate(zip(self.docs, self.existing, strict=True)):
            if known is None and d.id in new:
                links = store.document_links(d.id)
                articles.append({"index": i, "id": d.id, "status": "new", "story": links.get("story"),
                                 "near_duplicate_of": links.get("duplicate_of")})
            else:
                same_id, same = known or (store.has_document(d.id, d.hash), "text")
                articles.append({"index": i, "id": d.id, "status": "duplicate", "duplicate_of": same_id,
                                 "same": same, "story": store.story_of(same_id) if same_id else None})
        stories = sorted({a["story"] for a in articles if a["status"] == "new" and a["story"]})
        return {"received": len(self.docs), "added": len(self.added),
                "duplicates": len(self.docs) - len(self.added), "articles": articles, "stories": stories}

    @staticmethod
    def run_group(store: Store, group: list[Ingest]) -> list[dict | Exception]:
        """Runs on the writer thread: store every request's articles, annotate and link them once.

        A request whose articles cannot be stored gets its own error; the others go on (annotation already
        isolates a document no stage can analyse: it is marked failed, the rest are analysed).
        """
        failed: dict[int, Exception] = {}
        for n, job in enumerate(group):
            try:
                job.store(store)
            except Exception as exc:
                failed[n] = exc
        if any(job.added for job in group):
            pipeline.annotate_pending(store, workers=1)
            pipeline.link_pending(store)
        return [failed[n] if n in failed else job.result(store) for n, job in enumerate(group)]


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def read_uploads(files: list[tuple[str, bytes]], limits: Limits) -> tuple[list[Document], list[dict]]:
    """Read uploaded files with the same readers as the CLI (written to a private temporary folder)."""
    from ..ingest.readers import read_paths

    docs: list[Document] = []
    errors: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="storyline-upload-") as tmp:
        for n, (name, data) in enumerate(files):
            base = _SAFE_NAME.sub("_", Path(name).name).lstrip(".") or f"upload{n}"
            stem, dot, suffix = base.rpartition(".")
            if len(base) > 100:  # file systems refuse names over 255 bytes; the name is only a label here
                base = f"{stem[:80]}{dot}{suffix[:16]}" if dot else base[:100]
            if not base.lower().endswith(UPLOAD_SUFFIXES):
                kinds = ", ".join(UPLOAD_SUFFIXES)
                raise ApiError(415, f"{name}: unsupported file type; send one of {kinds}")
            if not base.lower().endswith((".json", ".jsonl")) and len(data) > limits.max_article:
                raise ApiError(413, f"{name} is {_mb(len(data))}; the limit is {_mb(limits.max_article)} "
                                    "per article")
            folder = Path(tmp) / str(n)
            folder.mkdir()
            path = folder / base
            path.write_bytes(data)
            cap = limits.max_body if base.lower().endswith(".json") else limits.max_article
            for item in read_paths([str(path)], max_bytes=cap):
                if isinstance(item, ReadError):
                    errors.append({"file": name, "error": str(item).replace(str(path), name)})
                    continue
                if len(item.text.encode("utf-8")) > limits.max_article:
                    raise ApiError(413, f"an article in {name} is {_mb(len(item.text.encode('utf-8')))}; the "
                                        f"limit is {_mb(limits.max_article)} per article")
                if item.path:
                    item.path = f"upload:{name}" + item.path[len(str(path)):]
                docs.append(item)
                if len(docs) > limits.max_batch:
                    raise ApiError(422, f"more than {limits.max_batch} articles in one upload")
    return docs, errors


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


# --------------------------------------------------------------------------------------------------
# The application


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def create_app(db_path: str | Path, limits: Limits | None = None, access: Access | None = None,
               watch: WatchOptions | None = None, allow_private: bool = False, token: str | None = None) -> FastAPI:
    """The ASGI app for ``storyline serve``: REST API under /api, HTML UI at /, docs at /docs.

    ``access``: the Host names it answers and the token writes need (default: loopback names, and
    ``token``); ``storyline serve`` derives it from --host, --allow-host and --token. ``watch``: run a feed
    watcher beside the API (``serve --watch``); ``allow_private``: feeds on private addresses may be added."""
    from .watch import WatchThread
    from .watch import register as register_watch

    access = access or Access(token=token)
    limits = limits or Limits()
    db = Database(db_path, max_pending=limits.max_pending_writes)
    watcher = WatchThread(str(db_path), watch) if watch is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if watcher is not None:
            await run_in_threadpool(watcher.start)
        yield
        if watcher is not None:
            await run_in_threadpool(watcher.stop)
        await run_in_threadpool(db.close)

    app = App(title="Storyline", version=str(contract.VERSION),
              description="Stories, sourced timelines, attributed quotes and outlets from news articles.",
              docs_url=None, redoc_url=None, lifespan=lifespan, access=access)
    app.state.db = db
    app.state.limits = limits

    def error_response(request: Request, status: int, message: str, **extra: Any) -> Response:
        if _wants_html(request):
            return error_page(request, status, message)
        headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
        return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)

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

    def require_type(request: Request, media_type: str) -> None:
        given = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if given != media_type:
            raise ApiError(415, f"send this as {media_type}, not {given or 'an untyped body'}")

    def not_found(what: str, ident: str) -> ApiError:
        error = ApiError(404, f"no {what} with id {ident!r}")
        if what in ("story", "topic"):
            error.missing = ident  # type: ignore[attr-defined]
        return error

    NOT_FOUND: dict = {404: {"description": "No such id: {\"error\": message}"},
                       308: {"description": "The story or topic merged into another: Location names it"}}

    def moved(request: Request, old: str) -> Response | None:
        """A permanent redirect when ``old`` is the id of a story or topic that merged into another."""
        new = db.reader().redirect(old)
        if new is None:
            return None
        path = request.url.path.replace(f"/{old}", f"/{new}", 1)
        return RedirectResponse(path + (f"?{request.url.query}" if request.url.query else ""), status_code=308)

    Limit = Query(20, ge=1, le=200, description="Items per page (1–200).")
    Offset = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    @app.get("/api/stories", tags=["stories"])
    def list_stories(limit: int = Limit, offset: int = Offset,
                     q: str | None = Query(None, max_length=MAX_TEXT,
                                           description="Only stories whose title contains this."),
                     outlet: str | None = Query(None, max_length=MAX_TEXT,
                                                description="Only stories with an article of this outlet."),
                     since: Annotated[date | None, Query(description="Only stories active on or after "
                                                                     "(YYYY-MM-DD).")] = None,
                     until: Annotated[date | None, Query(description="Only stories active on or before.")] = None,
                     ) -> dict:
        """Stories with their number of articles, outlets and events, and their date span; biggest first."""
        store = db.reader()
        f = {"q": q, "outlet": outlet, "since": _iso(since), "until": _iso(until)}
        return page(store.stories(limit, offset, **f), store.count_stories(**f), limit, offset)

    def stored(story_id: str, *parts: str) -> dict[str, str]:
        found = views(db, story_id, parts)
        if found is None:
            raise not_found("story", story_id)
        return found

    def decoded(story_id: str, part: str) -> Any:
        return json.loads(stored(story_id, part)[part])

    def json_text(text: str) -> Response:
        return Response(text, media_type="application/json")

    def encoded(data: Any) -> Response:
        """JSON of plain dicts and lists, without FastAPI's per-value conversion (slow on long stories)."""
        return json_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    @app.get("/api/stories/{story_id}", tags=["stories"], responses=NOT_FOUND)
    def get_story(story_id: str) -> Response:
        """One story in the JSON contract's shape: articles, timeline with every source, quotes, outlets,
        claims and summary (sent as stored when the story last changed; the paginated routes below serve
        the long lists piece by piece), with its topic. A story that merged into another answers 308."""
        record = json.loads(stored(story_id, "story")["story"])
        return encoded({**record, "topic": (db.reader().story_title(story_id) or {}).get("topic")})

    Format = Query("json", description="json, or csv for a spreadsheet (every row, no paging).")

    def story_csv(name: str, story_id: str, table: Callable[[dict], str]) -> Response:
        return csv_response(f"{name}-{story_id}", table(decoded(story_id, "story")))

    def listed(story_id: str, kind: str, limit: int, offset: int) -> tuple[str, int]:
        """A page of one of a story's stored lists as a JSON array text, and the list's length."""
        stored(story_id, "head")
        store = db.reader()
        with store.snapshot():
            return ("[" + ",".join(store.view_items(story_id, kind, limit, offset)) + "]",
                    store.count_view_items(story_id, kind))

    def paged(story_id: str, kind: str, limit: int, offset: int) -> Response:
        items, total = listed(story_id, kind, limit, offset)
        return json_text(f'{{"items":{items},"total":{total},"limit":{limit},"offset":{offset}}}')

    @app.get("/api/stories/{story_id}/timeline", tags=["stories"], responses=NOT_FOUND)
    def get_timeline(story_id: str, offset: int = Offset,
                     limit: int | None = Query(None, ge=1, description="Events per page (all when absent)."),
                     format: Literal["json", "csv"] = Format,
                     section: Literal["story", "background", "expected"] | None = Query(
                         None, description="Only this section: the story's own period, earlier background, "
                                           "or expected.")) -> Response:
        """The dated events of a story in date order, each with its mentions, its sources in order of
        publication (``reports``), who reported it first and its section (story, background, expected);
        ``total`` events and the story's ``period``. ``format=csv``: every event."""
        if format == "csv":
            return story_csv("timeline", story_id,
                             lambda d: csv_tables.to_csv(csv_tables.TIMELINE, csv_tables.timeline_rows([d])))
        if section is not None:  # one section: filtered from the stored record
            story = decoded(story_id, "story")
            events = [e for e in story["timeline"] if e.get("section", "story") == section]
            chosen = events[offset: offset + limit] if limit is not None else events[offset:]
            return encoded({"id": story["id"], "title": story["title"], "period": story.get("period"),
                            "timeline": chosen, "total": len(events), "limit": limit, "offset": offset})
        head = json.loads(stored(story_id, "head")["head"])
        events, total = listed(story_id, "event", -1 if limit is None else limit, offset)
        return json_text(f'{{"id":{json.dumps(head["id"])},"title":{json.dumps(head["title"], ensure_ascii=False)},'
                         f'"period":{json.dumps(head.get("period"))},'
                         f'"timeline":{events},"total":{total},"limit":{json.dumps(limit)},"offset":{offset}}}')

    @app.get("/api/stories/{story_id}/quotes", tags=["stories"], responses=NOT_FOUND)
    def get_story_quotes(story_id: str, limit: int = Limit, offset: int = Offset) -> Response:
        """The story's quotes in the contract's shape, in story order."""
        return paged(story_id, "quote", limit, offset)

    @app.get("/api/stories/{story_id}/speakers", tags=["stories"], responses=NOT_FOUND)
    def get_speakers(story_id: str, limit: int = Limit, offset: int = Offset) -> Response:
        """Quotes by speaker, most quoted first: each distinct wording once, with every outlet that carried it."""
        return paged(story_id, "speaker", limit, offset)

    @app.get("/api/stories/{story_id}/claims", tags=["stories"], responses=NOT_FOUND)
    def get_claims(story_id: str, limit: int = Limit, offset: int = Offset) -> Response:
        """Claims (sentences that state one thing, merged across outlets), carried by most outlets first."""
        return paged(story_id, "claim", limit, offset)

    @app.get("/api/stories/{story_id}/sources", tags=["stories"], responses=NOT_FOUND)
    def get_sources(story_id: str, limit: int = Limit, offset: int = Offset) -> Response:
        """The story's articles (oldest first), then its near-duplicates, as the contract's documents."""
        return paged(story_id, "source", limit, offset)

    @app.get("/api/stories/{story_id}/compare", tags=["stories"], responses=NOT_FOUND)
    def get_compare(story_id: str) -> Response:
        """The outlet comparison (as ``storyline compare --json``, one story): coverage matrix, outlets, claims."""
        parts = stored(story_id, "story", "matrix")
        story = json.loads(parts["story"])
        return encoded({"story": story_id, "title": story["title"], "matrix": json.loads(parts["matrix"]),
                        "outlets": story["outlets"], "claims": story["claims"]})

    @app.get("/api/stories/{story_id}/summary", tags=["stories"], responses=NOT_FOUND)
    def get_summary(story_id: str) -> Response:
        """The story's summary and each outlet's (as ``storyline summary --json``, one story)."""
        parts = stored(story_id, "head", "per_outlet")
        story = json.loads(parts["head"])
        return encoded({"story": story_id, "title": story["title"], "summary": story["summary"],
                        "per_outlet": json.loads(parts["per_outlet"])})

    @app.get("/api/stories/{story_id}/coverage", tags=["stories"], responses=NOT_FOUND)
    def get_coverage(story_id: str, format: Literal["json", "csv"] = Format) -> Response:
        """The coverage matrix: per event, each outlet "dated" (it dates the event), "undated" (it reports it
        without a date) or "" (it does not report it)."""
        if format == "csv":
            return story_csv("coverage", story_id, lambda d: csv_tables.to_csv(*csv_tables.coverage_table([d])))
        d = decoded(story_id, "story")
        header, rows = csv_tables.coverage_table([d])
        outlets = header[len(csv_tables.COVERAGE_FIXED):]
        return encoded({"id": d["id"], "title": d["title"], "outlets": outlets,
                        "events": [dict(zip(csv_tables.COVERAGE_FIXED, r[:4], strict=True))
                                   | {"cells": dict(zip(outlets, r[4:], strict=True))} for r in rows]})

    @app.get("/api/stories/{story_id}/key-dates", tags=["stories"], responses=NOT_FOUND)
    def get_key_dates(story_id: str,
                      dates: int = Query(10, ge=1, le=500, description="How many days (most reported first)."),
                      per_date: int = Query(1, ge=1, le=20, description="Events per day.")) -> dict:
        """A short timeline: the days most articles report, each event one sentence naming the day."""
        stored(story_id, "key_dates")
        data = contract.key_dates(db.reader(), story_id, dates, per_date)
        if data is None:
            raise not_found("story", story_id)
        return data

    @app.get("/api/topics", tags=["topics"])
    def list_topics(limit: int = Limit, offset: int = Offset) -> dict:
        """Topics (groups of related stories) with their story ids, biggest first."""
        store = db.reader()
        items = [contract.topic_dict(t) | {"documents": t["documents"]} for t in store.topics(limit, offset)]
        return page(items, store.count_topics(), limit, offset)

    @app.get("/api/topics/{topic_id}", tags=["topics"], responses=NOT_FOUND)
    def get_topic(topic_id: str) -> dict:
        """One topic: its title, span and stories (ids, and each story's row under ``items``). A topic
        that merged into another answers 308 with the survivor's URL."""
        store = db.reader()
        row = next((t for t in store.topics() if t["id"] == topic_id), None)
        if row is None:
            raise not_found("topic", topic_id)
        return contract.topic_dict(row) | {"documents": row["documents"],  # type: ignore[index]
                                         "items": store.topic_stories(topic_id)}

    @app.get("/api/quotes", tags=["quotes"], responses=NOT_FOUND)
    def list_quotes(speaker: str | None = Query(None, max_length=MAX_TEXT,
                                                description="The speaker's name, as shown, contains this "
                                                                  "(case-insensitive)."),
                    story: str | None = Query(None, max_length=MAX_TEXT, description="Only quotes from this story."),
                    outlet: str | None = Query(None, max_length=MAX_TEXT,
                                               description="Only quotes carried by this outlet."),
                    limit: int = Limit, offset: int = Offset, format: Literal["json", "csv"] = Format) -> Response:
        """Attributed quotes with speaker (as corrected), outlet, publication date and their sentence."""
        store = db.reader()
        if story is not None and store.story_title(story) is None:
            raise not_found("story", story)
        found, names = contract.select_quotes(store, story, speaker, outlet)
        chosen = found if format == "csv" else found[offset: offset + limit]
        docs = {d.id: d for d in store.documents(sorted({q.document for q in chosen}))} if chosen else {}
        sentences = {}
        for doc_id in docs:
            sentences.update({(doc_id, s.index): s.text for s in store.sentences(doc_id)})
        items = [contract.quote_dict(q, names, sentences)
                 | {"outlet": docs[q.document].outlet, "story": store.story_of(q.document),
                    "published": docs[q.document].published.isoformat() if docs[q.document].published else None}
                 for q in chosen]
        if format == "csv":
            meta = {d: {"outlet": doc.outlet, "published": doc.published.isoformat() if doc.published else None}
                    for d, doc in docs.items()}
            return csv_response("quotes", csv_tables.to_csv(csv_tables.QUOTES, csv_tables.quote_rows(items, meta)))
        return JSONResponse(page(items, len(found), limit, offset))

    @app.get("/api/documents", tags=["documents"])
    def list_documents(limit: int = Limit, offset: int = Offset,
                       outlet: str | None = Query(None, max_length=MAX_TEXT,
                                                  description="Only this outlet's articles."),
                       format: Literal["json", "csv"] = Format) -> Response:
        """Articles' metadata (no text), oldest first, with the story each belongs to."""
        store = db.reader()
        if format == "csv":
            docs = store.documents(outlet=outlet)
            rows = csv_tables.document_rows(contract.document_dict(d, store.document_links(d.id)) for d in docs)
            return csv_response("documents", csv_tables.to_csv(csv_tables.DOCUMENTS, rows))
        docs = store.documents(limit=limit, offset=offset, outlet=outlet)
        return JSONResponse(page([contract.document_dict(d, store.document_links(d.id)) for d in docs],
                                 store.count_documents(outlet), limit, offset))

    @app.get("/api/documents/{doc_id:path}", tags=["documents"], responses=NOT_FOUND)
    def get_document(doc_id: str) -> dict:
        """An article's metadata, cleaned text, and its sentences, entities (with their entity page id),
        quotes and dated mentions, all with character offsets into ``text``."""
        store = db.reader()
        doc = store.document(doc_id)
        if doc is None:
            raise not_found("document", doc_id)
        detail = document_detail(store, doc)
        links = entity_links()
        for e in detail["entities"]:
            e["entity"] = links.get((e["label"], e["canonical"] or e["text"]))
        return detail

    def entity_index() -> dict[str, dict]:
        return db.per_version("entities", lambda: profiles.index(db.reader()))

    def entity_links() -> dict[tuple[str, str], str]:
        return db.per_version("entity-links", lambda: profiles.entity_links(entity_index()))

    app.state.entity_index, app.state.entity_links = entity_index, entity_links

    def search_filters(outlet: str | None = Query(None, max_length=MAX_TEXT,
                                                  description="Only articles of this outlet."),
                       since: Annotated[date | None, Query(description="Published on or after (YYYY-MM-DD).")] = None,
                       until: Annotated[date | None, Query(description="Published on or before (YYYY-MM-DD).")] = None,
                       story: str | None = Query(None, max_length=MAX_TEXT, description="Only this story."),
                       topic: str | None = Query(None, max_length=MAX_TEXT,
                                                 description="Only this topic (when topics exist)."),
                       speaker: str | None = Query(None, max_length=MAX_TEXT,
                                                   description="Sentences quoting a speaker whose name "
                                                               "contains this."),
                       entity: str | None = Query(None, max_length=MAX_TEXT,
                                                  description="Sentences naming this entity (its id)."),
                       ) -> dict:
        names = None
        if entity:
            hit = entity_index().get(entity)
            if hit is None:
                raise not_found("entity", entity)
            names = hit["names"]
        return {"outlet": outlet, "since": _iso(since), "until": _iso(until), "story": story, "topic": topic,
                "speaker": speaker, "entity": names}

    app.state.search_filters = search_filters

    @app.get("/api/search", tags=["search"])
    def search(q: str = Query(..., min_length=1, max_length=500,
                              description='Words to find in sentences; "a phrase" in double quotes.'),
               limit: int = Limit, offset: int = Offset,
               sort: Literal["relevance", "date"] = Query("relevance", description="relevance, or date (newest "
                                                                                   "first)."),
               filters: dict = Depends(search_filters),  # noqa: B008 (FastAPI's dependency idiom)
               ) -> dict:
        """Full-text search over every stored sentence (words, and phrases in double quotes; no other query
        syntax), filtered by outlet, period, story, topic, speaker or entity; matches in the snippet are
        marked with [brackets]."""
        store = db.reader()
        return page(store.search(q, limit, offset, sort=sort, **filters), store.count_search(q, **filters),
                    limit, offset)

    @app.get("/api/entities", tags=["entities"])
    def list_entities(q: str | None = Query(None, max_length=200, description="Name contains this."),
                      label: Literal["Person", "Organisation", "Place", "Group", "Event"] | None = Query(
                          None, description="Only this kind."),
                      limit: int = Limit, offset: int = Offset) -> dict:
        """People, organisations, places and groups across all articles (names folded: "Putin" is "Vladimir
        Putin"), most mentioned first."""
        items = [e for e in sorted(entity_index().values(), key=lambda e: (-e["mentions"], e["name"]))
                 if (not q or any(q.lower() in n.lower() for n in e["names"])) and (not label or e["label"] == label)]
        return page(items[offset: offset + limit], len(items), limit, offset)

    @app.get("/api/entities/{entity_id}", tags=["entities"], responses=NOT_FOUND)
    def get_entity(entity_id: str) -> dict:
        """One entity: aliases, outlets, stories, dated quotes (speaker as corrected) and the timeline events
        whose source sentences name it, in date order."""
        found = profiles.profile(db.reader(), entity_id, entity_index())
        if found is None:
            raise not_found("entity", entity_id)
        return found

    @app.get("/api/corrections", tags=["corrections"])
    def list_corrections(all: bool = Query(False, description="Undone corrections too.")) -> dict:
        """The corrections log, oldest first."""
        items = [contract.correction_dict(c) for c in db.reader().corrections(include_undone=all)]
        return {"items": items, "total": len(items)}

    @app.post("/api/corrections", tags=["corrections"], status_code=201,
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["kind"], "properties": {
                      "kind": {"type": "string", "enum": list(corrections.KINDS)},
                      "note": {"type": "string"}},
                  "additionalProperties": True}}}}},
              responses={404: {"description": "A story, document, quote or event named does not exist"},
                         415: {"description": "Not a JSON body"}, 422: {"description": "Invalid correction"}})
    async def post_correction(request: Request) -> Response:
        """Make a correction and re-apply the log: ``{"kind": ..., "note": ..., <arguments>}``.

        merge-stories ``{"stories": [ids], "into": id}`` · split-story ``{"documents": [ids], "title"}`` ·
        move-article ``{"document", "to": story}`` · rename-speaker ``{"from", "to"}`` · merge-speakers
        ``{"names": [...], "into"}`` · set-speaker ``{"document", "start", "speaker" (null: unattributed)}`` ·
        hide-event / pin-event ``{"event"}``. Answers with the correction (its ``id`` undoes it)."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "send the correction as JSON (Content-Type: application/json)")
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            raise ApiError(422, 'expected a JSON object with "kind"')
        kind, note = body.pop("kind"), body.pop("note", None)

        def job(store: Store) -> dict:
            cid = corrections.record(store, kind, body, note if isinstance(note, str) else None)
            pipeline.apply_corrections(store)
            return contract.correction_dict(store.correction(cid))  # type: ignore[arg-type]

        try:
            made = await asyncio.wrap_future(db.submit(job))
        except corrections.CorrectionError as exc:
            raise ApiError(exc.status, str(exc)) from exc
        return JSONResponse(made, status_code=201)

    @app.delete("/api/corrections/{correction_id}", tags=["corrections"], responses=NOT_FOUND)
    async def delete_correction(correction_id: int) -> dict:
        """Undo a correction (it stays in the log, marked undone) and re-apply the log."""

        def job(store: Store) -> dict:
            corrections.undo(store, correction_id)
            pipeline.apply_corrections(store)
            return contract.correction_dict(store.correction(correction_id))  # type: ignore[arg-type]

        try:
            return await asyncio.wrap_future(db.submit(job))
        except corrections.CorrectionError as exc:
            raise ApiError(exc.status, str(exc)) from exc

    @app.get("/api/outlets", tags=["outlets"])
    def list_outlets() -> dict:
        """Outlets with their number of articles (near-duplicates folded) and date span."""
        hues = db.outlet_hues()
        items = [o | {"hue": hue(o["outlet"], hues) if o["outlet"] else None} for o in db.reader().outlets()]
        return {"items": items, "total": len(items)}

    async def write(docs: list[Document], errors: list[dict] | None = None) -> Response:
        result = await asyncio.wrap_future(db.submit(Ingest(docs)))
        if errors is not None:
            result["errors"] = errors
        return JSONResponse(result, status_code=201 if result["added"] else 200)

    @app.post("/api/articles", tags=["ingest"], status_code=201,
              openapi_extra={"requestBody": _article_schema()},
              responses={200: {"description": "Every article was already stored"},
                         201: {"description": "At least one article was new"},
                         413: {"description": "Body or an article too large"},
                         422: {"description": "Invalid article(s) or too many; nothing stored"}})
    async def post_articles(request: Request) -> Response:
        """Store one article or a list, then annotate and link the new ones (idempotent: an article sent
        twice, by id or by text, is stored once; the response marks each as new or duplicate). Only as
        ``application/json``: a web page can send other types to any server without asking it first."""
        require_type(request, "application/json")
        body = await request.body()
        docs = await run_in_threadpool(parse_articles, body, limits)
        return await write(docs)

    @app.post("/api/upload", tags=["ingest"], status_code=201,
              openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                  "type": "object", "properties": {"files": {"type": "array", "items": {
                      "type": "string", "format": "binary"}}}}}}}})
    async def upload(request: Request) -> Response:
        """Multipart upload of .txt, .html or .jsonl files (field name ``files``), read as the CLI reads
        them; unreadable records are listed under ``errors`` and the rest are stored."""
        require_type(request, "multipart/form-data")
        try:
            form = await request.form(max_files=limits.max_files, max_fields=20)
        except Exception as exc:  # starlette's multipart errors carry a readable message
            reason = str(getattr(exc, "detail", None) or getattr(exc, "message", None) or exc)
            # More files than allowed is a well-formed request we refuse (422, as documented), not bad syntax.
            status = 422 if reason.lower().startswith("too many") else 400
            raise ApiError(status, f"could not read the multipart body: {reason}") from exc
        files = []
        for _, value in form.multi_items():
            if hasattr(value, "read") and hasattr(value, "filename"):
                files.append((value.filename or "upload.txt", await value.read()))
        await form.close()
        if not files:
            raise ApiError(422, "no files in the upload (send them as multipart field 'files')")
        docs, errors = await run_in_threadpool(read_uploads, files, limits)
        if not docs:
            raise ApiError(422, "nothing readable in the upload", errors=errors)
        return await write(docs, errors)

    register(app, db)
    register_watch(app, db, token=access.token,
                   allow_private=allow_private or bool(watch and watch.allow_private), watch=watcher)
    app.add_middleware(BodyLimit, limit=limits.max_body, in_flight=limits.max_in_flight)
    return app
