"""The REST API and the HTML pages through FastAPI's TestClient, on copies of the analysed seed database."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from storyline import contract
from storyline.render.palette import outlet_hues
from storyline.server.api import Limits, create_app
from storyline.store import Store

HOSTILE = {
    "id": "hostile-1",
    "title": '<img src=x onerror="window.__pwned=1"> Hostile headline',
    "url": "javascript:window.__pwned=1",
    "outlet": "Evil Daily",
    "published": "2022-03-05",
    "text": "Officials said on 3 March 2022 that <script>window.__pwned=1</script> was found in a page. "
            "Negotiators met in Geneva on 4 March 2022 to discuss security guarantees for Europe.",
}


def article(n: int, **extra: object) -> dict:
    text = (f"Report number {n}: the regional council in Lakeside approved a new bridge on 12 May 2023, "
            f"officials said. Construction of bridge {n} is planned to start in June 2023.")
    return {"id": f"test-{n}", "title": f"Bridge {n}", "outlet": "Test Gazette", "published": "2023-05-13",
            "text": text} | extra


@pytest.fixture(scope="module")
def reader(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client for read-only tests (one shared copy of the seed)."""
    db = tmp_path_factory.mktemp("read") / "read.db"
    shutil.copy(seed_db, db)
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def writer(db_copy: Path) -> Iterator[TestClient]:
    """A client over a private copy, with small limits so the limit tests stay cheap."""
    limits = Limits(max_body=200_000, max_article=20_000, max_batch=5, max_files=3)
    with TestClient(create_app(db_copy, limits=limits), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture(scope="module")
def story_id(reader: TestClient) -> str:
    return reader.get("/api/stories").json()["items"][0]["id"]


def error_of(resp: httpx.Response, status: int) -> str:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# -- documentation ---------------------------------------------------------------------------------


def test_key_dates_are_the_cli_short_timeline(reader: TestClient, story_id: str, seed_db: Path) -> None:
    data = reader.get(f"/api/stories/{story_id}/key-dates", params={"dates": 3, "per_date": 2}).json()
    with Store(seed_db) as store:
        assert data == json.loads(json.dumps(contract.key_dates(store, story_id, 3, 2)))
    assert data["story"] == story_id and 0 < len(data["dates"]) <= 3
    assert all(1 <= len(d["events"]) <= 2 and d["events"][0]["text"] for d in data["dates"])
    assert reader.get("/api/stories/nope/key-dates").status_code == 404
    assert reader.get(f"/api/stories/{story_id}/key-dates", params={"dates": 0}).status_code == 422


def test_openapi_documents_every_api_route(reader: TestClient) -> None:
    paths = reader.get("/openapi.json").json()["paths"]
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/stories/{story_id}/timeline",
                 "/api/stories/{story_id}/key-dates", "/api/quotes",
                 "/api/documents", "/api/documents/{doc_id}", "/api/search", "/api/outlets", "/api/articles",
                 "/api/upload"):
        assert path in paths
    assert "requestBody" in paths["/api/articles"]["post"]


def test_docs_page_is_self_contained(reader: TestClient) -> None:
    resp = reader.get("/docs")
    assert resp.status_code == 200
    assert "/api/stories/{story_id}/timeline" in resp.text
    assert "cdn" not in resp.text.lower() and "<script src=\"http" not in resp.text


# -- stories ---------------------------------------------------------------------------------------


def test_stories_are_paginated(reader: TestClient) -> None:
    full = reader.get("/api/stories", params={"limit": 200}).json()
    assert full["total"] == len(full["items"]) >= 1
    assert {"id", "title", "documents", "outlets", "events", "first", "last"} <= set(full["items"][0])
    pages = [reader.get("/api/stories", params={"limit": 1, "offset": i}).json()
             for i in range(full["total"])]
    assert [p["items"][0]["id"] for p in pages] == [s["id"] for s in full["items"]]
    assert all(p["total"] == full["total"] and p["limit"] == 1 for p in pages)
    beyond = reader.get("/api/stories", params={"offset": full["total"]}).json()
    assert beyond["items"] == [] and beyond["total"] == full["total"]


def test_stories_title_filter(reader: TestClient) -> None:
    first = reader.get("/api/stories").json()["items"][0]
    word = max(first["title"].split(), key=len)
    found = reader.get("/api/stories", params={"q": word}).json()
    assert first["id"] in [s["id"] for s in found["items"]] and found["total"] >= 1
    none = reader.get("/api/stories", params={"q": "zzzz-no-such-title"}).json()
    assert none == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "ten"}])
def test_bad_pagination_is_a_json_422(reader: TestClient, params: dict) -> None:
    message = error_of(reader.get("/api/stories", params=params), 422)
    assert next(iter(params)) in message


def test_story_has_the_export_contract_shape(reader: TestClient, seed_db: Path, story_id: str) -> None:
    got = reader.get(f"/api/stories/{story_id}").json()
    with Store(seed_db) as store:
        expected = contract.story(store, story_id)
    assert got == expected
    assert got["timeline"], "the seed story should have dated events"


def test_timeline_lists_events_with_sources(reader: TestClient, story_id: str) -> None:
    data = reader.get(f"/api/stories/{story_id}/timeline").json()
    assert set(data) == {"id", "title", "period", "timeline", "total", "limit", "offset"} and data["id"] == story_id
    assert data["total"] == len(data["timeline"]) and data["limit"] is None
    dates = [e["date"] for e in data["timeline"]]
    assert dates == sorted(dates)
    for ev in data["timeline"]:
        assert ev["sources"] and ev["mentions"] and ev["id"]
        assert ev["granularity"] in ("day", "month", "year")
        assert ev["section"] in ("story", "background", "expected")
    assert any(len(ev["sources"]) >= 2 for ev in data["timeline"]), "no corroborated event in the seed"
    for section in ("story", "background", "expected"):
        only = reader.get(f"/api/stories/{story_id}/timeline", params={"section": section}).json()["timeline"]
        assert only == [e for e in data["timeline"] if e["section"] == section]
    assert reader.get(f"/api/stories/{story_id}/timeline", params={"section": "later"}).status_code == 422


@pytest.mark.parametrize("path", ["/api/stories/nope", "/api/stories/nope/timeline", "/api/documents/nope",
                                  "/api/no-such-route"])
def test_unknown_ids_are_json_404s(reader: TestClient, path: str) -> None:
    error_of(reader.get(path), 404)


def test_story_ids_are_stable(reader: TestClient, seed_db: Path) -> None:
    with Store(seed_db) as store:
        assert [s["id"] for s in reader.get("/api/stories", params={"limit": 200}).json()["items"]] == \
            [s["id"] for s in store.stories()]


# -- quotes, documents, search, outlets ------------------------------------------------------------


def test_quotes_and_their_filters(reader: TestClient, story_id: str) -> None:
    everything = reader.get("/api/quotes", params={"limit": 200}).json()
    assert everything["total"] >= 1
    q = everything["items"][0]
    keys = {"speaker", "text", "document", "sentence", "kind", "cue", "speaker_text", "outlet", "story"}
    assert keys <= set(q)
    speaker = next(i["speaker"] for i in everything["items"] if i["speaker"])
    surname = speaker.split()[-1]
    by_speaker = reader.get("/api/quotes", params={"speaker": surname.lower(), "limit": 200}).json()
    assert by_speaker["items"] and all(surname in (i["speaker"] or "") for i in by_speaker["items"])
    in_story = reader.get("/api/quotes", params={"story": story_id, "limit": 200}).json()
    assert all(i["story"] == story_id for i in in_story["items"])
    outlet = next(i["outlet"] for i in everything["items"] if i["outlet"])
    by_outlet = reader.get("/api/quotes", params={"outlet": outlet, "limit": 200}).json()
    assert by_outlet["items"] and all(i["outlet"] == outlet for i in by_outlet["items"])
    page = reader.get("/api/quotes", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == everything["total"] and page["items"] == everything["items"][1:2]
    error_of(reader.get("/api/quotes", params={"story": "nope"}), 404)


def test_documents_are_paginated_and_filtered_by_outlet(reader: TestClient) -> None:
    full = reader.get("/api/documents", params={"limit": 200}).json()
    assert full["total"] == len(full["items"]) == 5
    d = full["items"][0]
    assert set(d) == {"id", "path", "title", "outlet", "published", "published_source", "url",
                      "outlet_source", "story", "duplicate_of", "corrected"}
    two = reader.get("/api/documents", params={"limit": 2, "offset": 1}).json()
    assert [x["id"] for x in two["items"]] == [x["id"] for x in full["items"][1:3]]
    outlet = next(x["outlet"] for x in full["items"] if x["outlet"])
    only = reader.get("/api/documents", params={"outlet": outlet}).json()
    assert only["items"] and all(x["outlet"] == outlet for x in only["items"])
    assert only["total"] == sum(1 for x in full["items"] if x["outlet"] == outlet)


def test_document_annotations_point_into_its_text(reader: TestClient, story_id: str) -> None:
    story = reader.get(f"/api/stories/{story_id}").json()
    events = {e["id"] for e in story["timeline"]}
    doc = reader.get(f"/api/documents/{story['documents'][0]}").json()
    text = doc["text"]
    assert doc["story"] == story_id and doc["sentences"]
    for s in doc["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]
    for e in doc["entities"]:
        assert text[e["start"]:e["end"]] == e["text"]
    for q in doc["quotes"]:
        assert q["text"] in text[q["start"]:q["end"]] or text[q["start"]:q["end"]] in q["text"]
    located = [m for m in doc["mentions"] if m["start"] is not None]
    assert located, "the seed article should have dated expressions"
    for m in located:
        assert text[m["start"]:m["end"]] == m["time_text"]
    assert any(m["event"] in events for m in located)


def test_search_finds_sentences_with_snippets(reader: TestClient) -> None:
    res = reader.get("/api/search", params={"q": "security guarantees"}).json()
    assert res["total"] >= len(res["items"]) >= 1
    hit = res["items"][0]
    assert {"document", "idx", "snippet", "text", "title", "outlet", "story"} <= set(hit)
    assert "[" in hit["snippet"] and "]" in hit["snippet"]
    page2 = reader.get("/api/search", params={"q": "security guarantees", "limit": 1, "offset": 1}).json()
    assert page2["total"] == res["total"] and page2["items"][0] == res["items"][1]
    syntax = reader.get("/api/search", params={"q": 'NEAR(" OR *'}).json()  # never FTS syntax
    assert syntax["total"] == len(syntax["items"]) == 0 or syntax["items"]
    error_of(reader.get("/api/search"), 422)


def test_outlets(reader: TestClient) -> None:
    res = reader.get("/api/outlets").json()
    assert res["total"] == len(res["items"]) >= 1
    named = [o for o in res["items"] if o["outlet"]]
    with Store(reader.app.state.db.path) as store:
        palette = outlet_hues(store.outlet_order())
    assert named and all(o["hue"] == palette[o["outlet"]] for o in named)
    assert len({o["hue"] for o in named}) == len(named), "two outlets share a colour"
    assert sum(o["documents"] for o in res["items"]) <= 5


def test_pages_colour_outlets_with_the_database_palette(reader: TestClient, story_id: str) -> None:
    """The story page's badges and axis dots use one hue per outlet, the API's, all different."""
    hues = {o["outlet"]: o["hue"] for o in reader.get("/api/outlets").json()["items"] if o["outlet"]}
    page = reader.get(f"/stories/{story_id}").text
    shown = [name for name in hues if f">{name}<" in page]
    assert len(shown) >= 3
    for name in shown:
        assert f'class="badge h-{hues[name]}"' in page, name
    assert "src-dot exact h-" in page


# -- writes ----------------------------------------------------------------------------------------


def test_posting_an_article_stores_and_processes_it_once(writer: TestClient) -> None:
    first = writer.post("/api/articles", json=article(1))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["added"] == 1 and body["duplicates"] == 0
    (a,) = body["articles"]
    assert a["status"] == "new" and a["id"] == "test-1" and a["story"]
    doc = writer.get("/api/documents/test-1").json()
    assert doc["sentences"] and doc["story"] == a["story"]
    assert writer.get(f"/api/stories/{a['story']}").status_code == 200
    assert writer.get("/api/search", params={"q": "Lakeside bridge"}).json()["total"] >= 1

    again = writer.post("/api/articles", json=article(1))
    assert again.status_code == 200
    assert again.json()["articles"] == [{"index": 0, "id": "test-1", "status": "duplicate",
                                         "duplicate_of": "test-1", "same": "id", "story": a["story"]}]
    total = writer.get("/api/documents").json()["total"]
    assert total == 6


def test_a_batch_reports_new_and_duplicate_articles(writer: TestClient) -> None:
    same_text = article(2) | {"id": "test-2-copy"}
    resp = writer.post("/api/articles", json=[article(2), same_text, article(3)])
    assert resp.status_code == 201
    body = resp.json()
    assert (body["received"], body["added"], body["duplicates"]) == (3, 2, 1)
    statuses = [(a["id"], a["status"], a.get("duplicate_of"), a.get("same")) for a in body["articles"]]
    assert statuses[1] == ("test-2-copy", "duplicate", "test-2", "text")
    assert statuses[0][1] == statuses[2][1] == "new"
    moved = writer.get("/api/documents/test-2-copy", follow_redirects=False)  # stored once; its id answers
    assert (moved.status_code, moved.headers["location"]) == (308, "/api/documents/test-2")


def test_invalid_articles_are_refused_whole(writer: TestClient) -> None:
    resp = writer.post("/api/articles", json=[article(4), {"title": "no text"}, "not an object"])
    error_of(resp, 422)
    assert [e["index"] for e in resp.json()["errors"]] == [1, 2]
    assert writer.get("/api/documents/test-4").status_code == 404
    error_of(writer.post("/api/articles", json=[]), 422)
    error_of(writer.post("/api/articles", json=article(5, published="not a date at all")), 422)


def test_malformed_json_is_a_400(writer: TestClient) -> None:
    error_of(writer.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"}),
             400)


def test_size_and_count_limits(writer: TestClient) -> None:
    msg = error_of(writer.post("/api/articles", content=b"x" * 200_001,
                               headers={"content-type": "application/json"}), 413)
    assert "limit" in msg
    big = article(6, text="word " * 5000)  # 25 kB > 20 kB per article
    assert "per article" in error_of(writer.post("/api/articles", json=big), 413)
    six = [article(i) for i in range(10, 16)]
    assert "limit is 5" in error_of(writer.post("/api/articles", json=six), 422)
    assert writer.get("/api/documents").json()["total"] == 5


def test_body_limit_holds_without_content_length(writer: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b" " * 10_000

    resp = writer.post("/api/articles", content=chunks(), headers={"content-type": "application/json"})
    error_of(resp, 413)


def test_upload_reads_files_like_the_cli(writer: TestClient) -> None:
    jsonl = "\n".join(json.dumps(article(n)) for n in (20, 21)) + "\n{broken\n"
    txt = ("Lakeside Herald\n\n"
           "The Lakeside council said on 14 May 2023 that the bridge vote would be repeated.")
    files = [("files", ("batch.jsonl", jsonl.encode(), "application/x-ndjson")),
             ("files", ("note.txt", txt.encode(), "text/plain"))]
    resp = writer.post("/api/upload", files=files)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["added"] == 3 and len(body["errors"]) == 1 and "batch.jsonl:3" in body["errors"][0]["error"]
    assert "/tmp" not in json.dumps(body)
    doc = writer.get("/api/documents/note").json()
    assert doc["path"].startswith("upload:note.txt")
    again = writer.post("/api/upload", files=files)
    assert again.status_code == 200 and again.json()["added"] == 0


def test_upload_limits_and_errors(writer: TestClient) -> None:
    error_of(writer.post("/api/upload", files=[("files", ("x.pdf", b"%PDF-1.4", "application/pdf"))]), 415)
    error_of(writer.post("/api/upload", files={"note": (None, "no files")}), 422)  # multipart, no files
    error_of(writer.post("/api/upload", data={"note": "no files"}), 415)  # a urlencoded form: not multipart
    big = ("big.txt", b"word " * 5000, "text/plain")
    assert "per article" in error_of(writer.post("/api/upload", files=[("files", big)]), 413)
    many = [("files", (f"f{i}.txt", f"Text number {i} about things.".encode(), "text/plain"))
            for i in range(5)]
    assert "Too many files" in error_of(writer.post("/api/upload", files=many), 422)
    error_of(writer.post("/api/upload", files=[("files", ("empty.txt", b"", "text/plain"))]), 422)


def test_reads_run_beside_a_write(db_copy: Path) -> None:
    """Concurrent readers on their own connections keep answering while the writer ingests."""
    with TestClient(create_app(db_copy), base_url="http://127.0.0.1") as client:
        story = client.get("/api/stories").json()["items"][0]["id"]
        errors: list[str] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                for path in (f"/api/stories/{story}", "/api/search?q=Peskov", "/api/documents"):
                    r = client.get(path)
                    if r.status_code != 200:
                        errors.append(f"{path}: {r.status_code}")

        with ThreadPoolExecutor(8) as pool:
            readers = [pool.submit(read) for _ in range(3)]
            results = list(pool.map(lambda n: client.post("/api/articles", json=article(n)).status_code,
                                    range(30, 34)))
            done.set()
            for f in readers:
                f.result()
        assert results == [201] * 4 and not errors
        assert client.get("/api/documents").json()["total"] == 9


# -- HTML pages ------------------------------------------------------------------------------------


def test_pages_render_and_send_a_strict_csp(reader: TestClient, story_id: str) -> None:
    story = reader.get(f"/api/stories/{story_id}").json()
    for path in ("/", "/?q=security", f"/stories/{story_id}", f"/documents/{story['documents'][0]}",
                 "/search?q=Peskov", "/search", "/docs"):
        resp = reader.get(path)
        assert resp.status_code == 200, path
        csp = resp.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script>" not in resp.text and " style=\"" not in resp.text
    page = reader.get(f"/stories/{story_id}").text
    assert 'class="axis-svg"' in page and page.count('class="event ') == len(story["timeline"])
    assert "reported by" in page and 'id="compare"' in page
    for section in {e["section"] for e in story["timeline"]} - {"story"}:  # folded under its own heading
        assert f'<details class="section section-{section}" id="section-{section}">' in page
    axis = page[page.index('class="axis-svg"'):page.index("</svg>")]
    assert axis.count('class="axis-event') == sum(e["section"] == "story" for e in story["timeline"])
    doc = reader.get(f"/documents/{story['documents'][0]}").text
    assert 'class="mark date' in doc and f'href="/stories/{story_id}#ev-' in doc and 'id="s-0"' in doc
    assert "<mark>" in reader.get("/search?q=Peskov").text


def test_html_404s_are_pages(reader: TestClient) -> None:
    for path in ("/stories/nope", "/documents/nope", "/no-such-page"):
        resp = reader.get(path, headers={"accept": "text/html"})
        assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")


def test_static_assets(reader: TestClient) -> None:
    for path in ("/static/web.css", "/static/web.js", "/static/report.css", "/static/hues.css"):
        assert reader.get(path).status_code == 200, path
    assert ".h-359{--h:359}" in reader.get("/static/hues.css").text


def test_hostile_article_is_shown_as_text(writer: TestClient) -> None:
    resp = writer.post("/api/articles", json=HOSTILE)
    assert resp.status_code == 201
    story = resp.json()["articles"][0]["story"]
    pages = [writer.get("/documents/hostile-1").text, writer.get(f"/stories/{story}").text,
             writer.get("/search?q=pwned").text]
    for html in pages:
        assert "<script>window" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=" in pages[0]


def test_stored_views_follow_writes_from_the_api_and_from_other_processes(db_copy: Path) -> None:
    """Story views are stored when the story changes: a write that touches the story (even a near-duplicate)
    shows at once, whether it came through this server's writer or another connection (a CLI run)."""
    from storyline.run import pipeline

    with TestClient(create_app(db_copy), base_url="http://127.0.0.1") as client:
        story = client.get("/api/stories").json()["items"][0]["id"]
        before = client.get(f"/api/stories/{story}").json()
        page_before = client.get(f"/stories/{story}").text
        seed = client.get(f"/api/documents/{before['documents'][0]}").json()
        copy = {"id": "near-copy", "outlet": "Copy Wire", "published": seed["published"],
                "text": seed["text"] + "\n\nThis copy adds one closing sentence of its own."}
        added = client.post("/api/articles", json=copy).json()["articles"][0]
        assert added["status"] == "new" and added["near_duplicate_of"] and added["story"] == story
        after = client.get(f"/api/stories/{story}").json()
        assert "near-copy" in after["duplicates"] and "near-copy" not in before["duplicates"]
        assert "near-copy" in client.get(f"/stories/{story}").text and "near-copy" not in page_before

        with Store(db_copy) as other:  # another writer, outside the server
            pipeline.ingest(other, [copy_of(seed, "other-copy", "A different closing sentence here.")])
            pipeline.annotate_pending(other)
            pipeline.link_pending(other)
        assert "other-copy" in client.get(f"/api/stories/{story}").json()["duplicates"]


def copy_of(seed: dict, doc_id: str, tail: str):  # noqa: ANN201 - a Document
    from storyline.model import Document

    return Document(id=doc_id, text=seed["text"] + "\n\n" + tail, outlet="Other Wire")


def test_a_page_without_an_article_is_bad_input_and_the_rest_is_stored(writer: TestClient) -> None:
    data = Path(__file__).parent / "data" / "extraction"
    front, story = (data / "section_front.html").read_bytes(), (data / "form_wrapped.html").read_bytes()
    resp = writer.post("/api/upload", files=[("files", ("front.html", front, "text/html")),
                                             ("files", ("bridge.html", story, "text/html"))])
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["added"] == 1 and [e["file"] for e in body["errors"]] == ["front.html"]
    assert "no article found" in body["errors"][0]["error"]
    resp = writer.post("/api/articles", json={"html": front.decode()})
    assert "nothing was stored" in error_of(resp, 422)
    assert "no article found" in resp.json()["errors"][0]["error"]


def test_quotes_speaker_matches_the_name_shown(tmp_path: Path) -> None:
    """One person written three ways in four articles (tests/data/speakers): asking for the name shown finds
    them all, in the whole database and in a story."""
    from storyline.run import pipeline

    db = tmp_path / "spill.db"
    with Store(db) as store:
        pipeline.analyze(store, [str(Path(__file__).parent / "data" / "speakers" / "obama_spill.jsonl")], workers=1)
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        every = client.get("/api/quotes", params={"limit": 200}).json()["items"]
        assert {i["speaker"] for i in every} == {"Barack Obama"} and len({i["document"] for i in every}) == 4
        asked = client.get("/api/quotes", params={"speaker": "Barack Obama", "limit": 200}).json()
        assert asked["total"] == len(every)
        for story in {i["story"] for i in every}:
            mine = [i for i in every if i["story"] == story]
            got = client.get("/api/quotes", params={"speaker": "barack obama", "story": story}).json()["items"]
            assert sorted(i["text"] for i in got) == sorted(i["text"] for i in mine)
            assert {i["speaker"] for i in got} == {"Barack Obama"}
