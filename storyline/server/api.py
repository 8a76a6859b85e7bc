"""The REST API's read routes over one Storyline database, and ``create_app``, which puts the server
together: the frame (``app``: settings, connections, errors, middleware), these routes, the write routes
(``ingest``), the HTML pages (``web``) and the feed watcher (``watch``).

Every read is a lookup of what analysis stored. Response shapes are the JSON contract's (``contract``:
document_dict, quote_dict, the stored story records) and are built by the same functions, so the CLI's
``--json``, the HTML report and the API cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.responses import JSONResponse, Response

from .. import contract, profiles
from ..render import csv_tables
from ..render.palette import hue
from . import ingest, web
from . import watch as watch_routes
from .app import NOT_FOUND, Database, Limits, csv_response, iso, new_app, not_found
from .guard import Access
from .ingest import Ingest
from .reads import MAX_OFFSET, MAX_TEXT, document_detail, page, views

if TYPE_CHECKING:
    from .watch import WatchOptions

__all__ = ["Ingest", "Limits", "create_app", "register"]


def create_app(db_path: str | Path, limits: Limits | None = None, access: Access | None = None,
               watch: WatchOptions | None = None, allow_private: bool = False, token: str | None = None) -> FastAPI:
    """The ASGI app for ``storyline serve``: REST API under /api, HTML UI at /, docs at /docs.

    ``access``: the Host names it answers and the token writes need (default: loopback names, and
    ``token``); ``storyline serve`` derives it from --host, --allow-host and --token. ``watch``: run a feed
    watcher beside the API (``serve --watch``); ``allow_private``: feeds on private addresses may be added."""
    access = access or Access(token=token)
    watcher = watch_routes.WatchThread(str(db_path), watch) if watch is not None else None
    app = new_app(db_path, limits, access, watcher)
    db = app.state.db
    register(app, db)
    ingest.register(app, db)
    web.register(app, db)
    watch_routes.register(app, db, token=access.token,
                          allow_private=allow_private or bool(watch and watch.allow_private), watch=watcher)
    if db.reader().count_pending("linked"):  # an upgraded database links again, on the writer, while serving
        from ..run import pipeline

        db.submit(pipeline.catch_up)
    return app


def register(app: FastAPI, db: Database) -> None:
    """Add the read routes under /api to ``app``."""
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
        f = {"q": q, "outlet": outlet, "since": iso(since), "until": iso(until)}
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
        # the stored JSON object's UTF-8 bytes, sent as they are (tens of megabytes for a story of a thousand
        # articles: decoding, copying and encoding them again took most of a second)
        record = db.reader().view_bytes(story_id, "story") or stored(story_id, "story")["story"].encode()
        topic = json.dumps((db.reader().story_title(story_id) or {}).get("topic"), ensure_ascii=False)
        return Response(b"".join((memoryview(record)[:-1], b',"topic":', topic.encode(), b"}")),
                        media_type="application/json")

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
        doc = None if store.document_alias(doc_id) else store.document(doc_id)
        if doc is None:
            raise not_found("document", doc_id)
        detail = document_detail(store, doc)
        names = sorted({(e["label"], e["canonical"] or e["text"]) for e in detail["entities"]})
        links = profiles.links_of(store, names, entity_links)
        for e in detail["entities"]:
            e["entity"] = links.get((e["label"], e["canonical"] or e["text"]))
        return detail

    def entity_index() -> dict[str, dict]:
        return db.per_version("entities", lambda: profiles.stored_index(db.reader()))

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
        return {"outlet": outlet, "since": iso(since), "until": iso(until), "story": story, "topic": topic,
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

    @app.get("/api/outlets", tags=["outlets"])
    def list_outlets() -> dict:
        """Outlets with their number of articles (near-duplicates folded) and date span."""
        hues = db.outlet_hues()
        items = [o | {"hue": hue(o["outlet"], hues) if o["outlet"] else None} for o in db.reader().outlets()]
        return {"items": items, "total": len(items)}
