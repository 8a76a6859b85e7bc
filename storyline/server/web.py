"""The HTML UI: server-rendered pages that read fully without JavaScript.

Article text, titles and URLs come from outside and are untrusted: every value goes through Jinja's
autoescaping or ``markupsafe.escape``, links are only ever http(s), and the app sends a strict
Content-Security-Policy (scripts only from /static, no inline script or style), so markup inside an
article is shown as text and can never run. Colours per outlet use generated classes (``h-<hue>``)
instead of inline styles, which that policy forbids.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape

from ..profiles import links_of, profile, reader_label
from ..render import html
from ..render.html import safe_url
from ..render.palette import Palette, hues_css
from ..render.terminal import when
from .app import error_page
from .reads import MARK_CLOSE, MARK_OPEN, MAX_OFFSET, document_detail, views

if TYPE_CHECKING:
    from ..store import Store
    from .app import Database

PAGE = 25


def render(template: str, status: int = 200, hues: Palette | None = None, **context: Any) -> HTMLResponse:
    """A page; ``hues`` (the database's outlet palette) colours its outlet badges and axis dots."""
    return HTMLResponse(html.render(template, hues, **context), status_code=status)


# --------------------------------------------------------------------------------------------------
# Highlighting an article


def highlight(text: str, sentences: list[dict], marks: list[dict]) -> Markup:
    """The article text with sentence anchors and nested highlight spans, built from stored offsets.

    ``marks``: {start, end, kind: quote|ent|date, ...}. Each stretch of text between two mark
    boundaries is wrapped in every mark that covers it (quote outside, entity, then date), so marks
    may overlap freely; all text is escaped.
    """
    order = {"quote": 0, "ent": 1, "date": 2}
    out: list[str] = []
    pos = 0
    for s in sentences:
        start, end = s["start"], s["end"]
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(str(escape(text[pos:start])))
        inside = [m for m in marks if m["start"] < end and m["end"] > start]
        cuts = sorted({start, end} | {min(max(m[k], start), end) for m in inside for k in ("start", "end")})
        out.append(f'<span class="sent" id="s-{s["index"]}">')
        opened_quotes: set[int] = set()
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = str(escape(text[a:b]))
            for m in sorted((m for m in inside if m["start"] <= a and m["end"] >= b),
                            key=lambda m: -order[m["kind"]]):
                piece = _wrap(m, piece, first=m["kind"] == "quote" and id(m) not in opened_quotes)
                if m["kind"] == "quote":
                    opened_quotes.add(id(m))
            out.append(piece)
        out.append("</span>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _wrap(m: dict, inner: str, first: bool) -> str:
    title = escape(m.get("title", ""))
    if m["kind"] == "date":
        cls = f'mark date g-{escape(m["granularity"])}'
        if m.get("href"):
            return f'<a class="{cls}" href="{escape(m["href"])}" title="{title}">{inner}</a>'
        return f'<span class="{cls}" title="{title}">{inner}</span>'
    if m["kind"] == "ent":
        return f'<span class="mark ent ent-{escape(m["label"])}" title="{title}">{inner}</span>'
    anchor = f' id="q-{m["start"]}"' if first else ""
    return f'<span class="mark quote"{anchor} title="{title}">{inner}</span>'


def document_marks(detail: dict) -> list[dict]:
    marks: list[dict] = []
    for q in detail["quotes"]:
        who = q["speaker"] or "unattributed"
        marks.append({"kind": "quote", "start": q["start"], "end": q["end"],
                      "title": f"quote ({q['kind']}) — {who}" + (f", {q['cue']}" if q["cue"] else "")})
    for e in detail["entities"]:
        canon = f" = {e['canonical']}" if e["canonical"] and e["canonical"] != e["text"] else ""
        marks.append({"kind": "ent", "start": e["start"], "end": e["end"], "label": e["label"],
                      "title": f"{reader_label(e['label'])}{canon}"})
    for m in detail["mentions"]:
        if m["start"] is None:
            continue
        said = when(m["date"], m["granularity"], m["date_end"])
        href = f"/stories/{m['story']}#ev-{m['event']}" if m["event"] and m["story"] else None
        title = f"{said} ({m['granularity']})" + (" → timeline" if href else "")
        marks.append({"kind": "date", "start": m["start"], "end": m["end"], "granularity": m["granularity"],
                      "href": href, "title": title})
    return marks


# --------------------------------------------------------------------------------------------------
# Page models


EVENTS_PAGE = 50  # events listed per page of a story (the axis draws them all): 1,000 articles stay < 500 kB
MENTIONS_SHOWN = 12  # source sentences under one event; the API lists them all
SPEAKERS_PAGE = 20  # speakers per page, each with their most carried quotes
QUOTES_SHOWN = 3
SOURCES_PAGE = 100


def window(store: Store, story_id: str, kind: str, offset: int, size: int) -> dict:
    """One page of a story's stored list, with what the template needs for "more" links."""
    total = store.count_view_items(story_id, kind)
    offset = min(offset, max(total - 1, 0))
    rows = [json.loads(r) for r in store.view_items(story_id, kind, size, offset)]
    return {"rows": rows, "offset": offset, "size": size, "total": total}


def story_view(db: Database, story_id: str, events: int = 0, speakers: int = 0, sources: int = 0,
               entity_links: Callable[[], dict[tuple[str, str], str]] | None = None) -> dict | None:
    """What the story page shows, read from the stored views: long lists come a page at a time (a hundred
    rows, not the whole story), so the page is as fast and as small for 1,000 articles as for 5. Speakers
    link to their entity pages through the stored entity index (``entity_links()``, the whole index's
    links, only while a run has not stored it yet)."""
    parts = views(db, story_id, ("head", "page", "documents"))
    if parts is None:
        return None
    store = db.reader()
    with store.snapshot():
        timeline = window(store, story_id, "shown", events, EVENTS_PAGE)  # story section first
        groups = window(store, story_id, "speaker", speakers, SPEAKERS_PAGE)
        listed = window(store, story_id, "source", sources, SOURCES_PAGE)
    head, page, docs = (json.loads(parts[k]) for k in ("head", "page", "documents"))
    for ev in timeline["rows"]:
        ev["mention_total"] = len(ev["mentions"])
        ev["mentions"] = ev["mentions"][:MENTIONS_SHOWN]
    for g in groups["rows"]:
        g["total"] = len(g["quotes"])
        g["quotes"] = sorted(g["quotes"], key=lambda q: -len(q["sources"]))[:QUOTES_SHOWN]
    own = set(head["documents"])  # the list holds the articles, then the near-duplicates listed apart
    listed["rows"], listed["total"] = [d["id"] for d in listed["rows"] if d["id"] in own], len(own)
    store = db.reader()
    names = [g["speaker"] for g in groups["rows"] if g["speaker"]]
    links = links_of(store, [(label, n) for n in names for label in ("PERSON", "ORG")], entity_links or dict)
    speaker_pages = {n: links.get(("PERSON", n)) or links.get(("ORG", n)) for n in names}
    row = store.story_title(story_id)
    topic = store.topic_row(row["topic"]) if row and row.get("topic") else None
    siblings = [s for s in store.topic_stories(topic["id"]) if s["id"] != story_id] if topic else []
    return {"story": head, "docs": docs, "timeline": timeline,
            "topic": topic, "siblings": siblings,
            "quote_groups": groups, "sources": listed, "outlets": page["outlets"],
            "corroborated": page["corroborated"], "claims": page["claims"], "claims_total": page["claims_total"],
            "sections": page.get("sections"),  # None in a view stored before it
            "axis_events": page.get("axis"),  # the whole story's picture (None in a view stored before it)
            "compare": {"matrix": page["matrix"], "outlets": page["cards"], "claims_total": page["claims_total"],
                        "claims_shared": page["claims_shared"]}, "compare_note": None,
            "speaker_pages": speaker_pages,
            "markdown": {ev["id"]: event_markdown(ev, docs) for ev in timeline["rows"]}}


def event_markdown(ev: dict, docs: dict[str, dict]) -> str:
    """An event with its sources, in order of publication, as Markdown for a journalist's notes; links
    are the originals where known, else this server's article page (made absolute by the browser)."""
    lines = [f"**{when(ev['date'], ev['granularity'], ev['end'])}** — {ev['summary']}", ""]
    first = ev.get("first_reported")
    if first:
        lines += [f"First reported by {first['outlet'] or first['document']}"
                  + (f" ({first['published']})" if first["published"] else "") + ".", ""]
    lines.append("Sources:")
    for r in ev.get("reports", []):
        d = docs.get(r["document"], {})
        url = safe_url(d.get("url")) or f"/documents/{quote(r['document'], safe='')}"
        title = (d.get("title") or r["document"]).replace("[", "(").replace("]", ")")
        published = f", {r['published']}" if r["published"] else ""
        lines.append(f"- {r['outlet'] or 'unknown outlet'}{published}: [{title}]({url})")
    return "\n".join(lines)


def entity_labels(detail: dict, links: dict[tuple[str, str], str]) -> dict[str, list[tuple[str, int, str | None]]]:
    """A document's names by reader label ("Person", "Place"...), most mentioned first, with their page ids."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ids: dict[str, str | None] = {}
    for e in detail["entities"]:
        name = e["canonical"] or e["text"]
        counts[reader_label(e["label"])][name] += 1
        ids[name] = ids.get(name) or links.get((e["label"], name))
    order = ["Person", "Organisation", "Place", "Group", "Event"]
    return {label: [(n, c, ids.get(n)) for n, c in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
            for label, names in sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                                        else len(order), kv[0]))}


def _day(value: str | None) -> str | None:
    """A YYYY-MM-DD filter from a form (a browser's date input); anything else is no filter."""
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def compile_templates() -> None:
    """Compile the pages' templates now, at server start, not in the first request after it (a story
    page's templates take a few hundred milliseconds to parse and compile; Jinja keeps them after)."""
    for name in html.env.list_templates(filter_func=lambda n: n.startswith("web_") and n.endswith(".html")):
        html.env.get_template(name)


def register(app: FastAPI, db: Database) -> None:
    """Add the HTML pages, the API docs page and the static files to ``app``."""
    compile_templates()

    def outlet_names(store: Store) -> list[str]:
        return sorted(o["outlet"] for o in store.outlets() if o["outlet"])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(offset: int = Query(0, ge=0, le=MAX_OFFSET), q: str | None = Query(None, max_length=500),
              outlet: str | None = Query(None, max_length=200), since: str | None = Query(None, max_length=10),
              until: str | None = Query(None, max_length=10)) -> Response:
        """Topics with their stories; filtered (title, outlet, dates), the matching stories."""
        store = db.reader()
        f = {"q": q, "outlet": outlet, "since": _day(since), "until": _day(until)}
        common = {"hues": db.outlet_hues(), "offset": offset, "limit": PAGE, "q": q or "", "outlet": outlet or "",
                  "since": f["since"] or "", "until": f["until"] or "", "outlet_names": outlet_names(store),
                  "filtered": any(f.values()), "documents": store.count_documents(),
                  "outlets": len(store.outlets())}
        if any(f.values()):
            return render("web_index.html", title="Stories", stories=store.stories(PAGE, offset, **f),
                          total=store.count_stories(**f), topics=None, **common)
        rows = {s["id"]: s for s in store.stories()}
        topics = [t | {"rows": [rows[i] for i in t["stories"] if i in rows]} for t in store.topics(PAGE, offset)]
        return render("web_index.html", title="Stories", stories=[], topics=topics, total=store.count_topics(),
                      story_total=len(rows), **common)

    @app.get("/topics/{topic_id}", response_class=HTMLResponse, include_in_schema=False)
    def topic_page(topic_id: str) -> Response:
        store = db.reader()
        topic = store.topic_row(topic_id)
        if topic is None:
            new = store.redirect(topic_id)
            if new is not None:  # merged into another topic: saved links keep working
                return RedirectResponse(f"/topics/{new}", status_code=308)
            return error_page_404(f"no topic with id {topic_id!r}")
        return render("web_topic.html", hues=db.outlet_hues(), title=topic["title"], topic=topic,
                      stories=store.topic_stories(topic_id))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(q: str = Query("", max_length=500), offset: int = Query(0, ge=0, le=MAX_OFFSET),
               outlet: str | None = Query(None, max_length=200), since: str | None = Query(None, max_length=10),
               until: str | None = Query(None, max_length=10), story: str | None = Query(None, max_length=200),
               speaker: str | None = Query(None, max_length=200), entity: str | None = Query(None, max_length=300),
               topic: str | None = Query(None, max_length=200),
               sort: str = Query("relevance", pattern="^(relevance|date)$")) -> Response:
        store = db.reader()
        known = app.state.entity_index().get(entity) if entity else None
        filters = {"outlet": outlet, "since": _day(since), "until": _day(until), "story": story,
                   "topic": topic, "speaker": speaker, "entity": known["names"] if known else None}
        hits = store.search(q, PAGE, offset, marks=(MARK_OPEN, MARK_CLOSE), context=16, sort=sort,
                            **filters) if q.strip() else []
        for h in hits:
            marked = str(escape(h["snippet"])).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
            h["html"] = Markup(marked)
        stories = store.stories(10, 0, q) if q.strip() and not any(filters.values()) else []
        params = {"q": q, "outlet": outlet, "since": filters["since"], "until": filters["until"], "story": story,
                  "topic": topic, "speaker": speaker, "entity": entity, "sort": sort if sort != "relevance" else None}
        return render("web_search.html", hues=db.outlet_hues(), title=f"Search: {q}" if q else "Search", q=q,
                      hits=hits, total=store.count_search(q, **filters) if q.strip() else 0, offset=offset,
                      limit=PAGE, stories=stories, params=params, outlet_names=outlet_names(store), sort=sort,
                      entity=known, story_title=store.story_title(story) if story else None,
                      has_topics=store.has_column("stories", "topic"))

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(q: str = Query("", max_length=200), label: str = Query("", max_length=20),
                      offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> Response:
        items = [e for e in sorted(app.state.entity_index().values(), key=lambda e: (-e["mentions"], e["name"]))
                 if (not q or any(q.lower() in n.lower() for n in e["names"]))
                 and (not label or e["label"] == label)]
        return render("web_entities.html", hues=db.outlet_hues(), title="People, organisations and places",
                      items=items[offset: offset + PAGE], total=len(items), offset=offset, limit=PAGE, q=q,
                      label=label, params={"q": q, "label": label},
                      labels=["Person", "Organisation", "Place", "Group", "Event"])

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str) -> Response:
        found = profile(db.reader(), entity_id, app.state.entity_index())
        if found is None:
            return error_page_404(f"no entity with id {entity_id!r}")
        years: dict[str, list[dict]] = defaultdict(list)
        for e in found["events"]:
            years[e["date"][:4]].append(e)
        return render("web_entity.html", hues=db.outlet_hues(), title=found["name"], e=found,
                      years=sorted(years.items()))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str, events: int = Query(0, ge=0, le=MAX_OFFSET),
                   speakers: int = Query(0, ge=0, le=MAX_OFFSET), sources: int = Query(0, ge=0, le=MAX_OFFSET)
                   ) -> Response:
        view = story_view(db, story_id, events, speakers, sources, app.state.entity_links)
        if view is None:
            new = db.reader().redirect(story_id)
            if new is not None:  # merged into another story: saved links keep working
                return RedirectResponse(f"/stories/{new}", status_code=308)
            return error_page_404(f"no story with id {story_id!r}")
        return render("web_story.html", hues=db.outlet_hues(), title=view["story"]["title"], **view)

    @app.get("/documents/{doc_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(doc_id: str) -> Response:
        store = db.reader()
        if (alias := store.document_alias(doc_id)) is not None:  # another copy's id: its stored article
            return RedirectResponse(f"/documents/{quote(alias, safe='')}", status_code=308)
        doc = store.document(doc_id)
        if doc is None:
            return error_page_404(f"no document with id {doc_id!r}")
        detail = document_detail(store, doc)
        body = highlight(detail["text"], detail["sentences"], document_marks(detail))
        names = sorted({q["speaker"] for q in detail["quotes"] if q["speaker"]})
        keys = {(e["label"], e["canonical"] or e["text"]) for e in detail["entities"]}
        links = links_of(store, sorted(keys | {(label, n) for n in names for label in ("PERSON", "ORG")}),
                         app.state.entity_links)
        speakers = {name: links.get(("PERSON", name)) or links.get(("ORG", name)) for name in names}
        story = store.story_title(detail["story"]) if detail["story"] else None
        return render("web_document.html", hues=db.outlet_hues(), title=detail["title"] or doc_id, doc=detail,
                      body=body, story=story, entities=entity_labels(detail, links), speakers=speakers,
                      dated=sum(1 for m in detail["mentions"] if m["start"] is not None))

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> Response:
        """The API reference rendered from the OpenAPI schema on the server (no CDN, no script)."""
        spec = app.openapi()
        return render("web_docs.html", title="API", spec=spec)

    @app.get("/static/report.css", include_in_schema=False)
    def report_css() -> Response:
        css = (resources.files("storyline") / "templates" / "report.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/static/hues.css", include_in_schema=False)
    def hues() -> Response:
        return Response(hues_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(packages=[("storyline", "static")]), name="static")


def error_page_404(message: str) -> Response:
    return error_page(404, message, "Not found")
