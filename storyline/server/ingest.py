"""The write routes: articles (JSON), uploads (multipart files) and corrections. Every write goes through
the database's single writer thread (``app.Database``); articles sent in requests queued together are
stored in order and annotated and linked in one pass (``Ingest``), and a batch is accepted whole or
refused whole.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from .. import contract
from ..link import corrections
from ..model import Document, ReadError
from ..run import pipeline
from ..store import Store
from .app import NOT_FOUND, ApiError, Database, Limits, _mb, require_type

UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")


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
    added: list[str] = field(default_factory=list)

    def store(self, store: Store) -> None:
        self.added = store.add_documents(self.docs)

    def result(self, store: Store) -> dict:
        """What happened to each article, once annotation and linking are done: new, or a duplicate of the
        stored article its id names (``same``: "id") or of the stored copy of its text ("text")."""
        new = set(self.added)
        articles = []
        for i, d in enumerate(self.docs):
            if d.id in new:
                links = store.document_links(d.id)
                articles.append({"index": i, "id": d.id, "status": "new", "story": links.get("story"),
                                 "near_duplicate_of": links.get("duplicate_of")})
            else:
                same_id = store.resolve_document(d.id)
                articles.append({"index": i, "id": d.id, "status": "duplicate", "duplicate_of": same_id,
                                 "same": "id" if same_id == d.id else "text",
                                 "story": store.story_of(same_id) if same_id else None})
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


def register(app: FastAPI, db: Database) -> None:
    """Add the write routes to ``app``."""
    limits: Limits = app.state.limits

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

