"""The read model: story views stored when a story changes, recomputed only for the stories that changed,
served paginated, and a story page that stays small however big the story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyline import contract
from storyline.analysis.view import PARTS, page, ranked_claims
from storyline.model import Document
from storyline.run import pipeline, views
from storyline.server.api import create_app
from storyline.store import Store

DATA = Path(__file__).parent / "data" / "compare"


def test_only_the_stories_a_batch_touches_are_recomputed(db_copy: Path, monkeypatch) -> None:
    with Store(db_copy) as store:
        pipeline.analyze(store, [str(DATA / "port_strike.jsonl")], workers=1)
        ids = {s["id"] for s in store.stories()}
        assert len(ids) >= 2 and not store.stale_views()
        strike = next(s["id"] for s in store.stories() if "strike" in s["title"].lower()
                      or "port" in s["title"].lower())
        seed = store.document(store.story_documents(strike)[0])
        computed: list[str] = []
        real = views.compute
        monkeypatch.setattr(views, "compute", lambda st, sid: computed.append(sid) or real(st, sid))
        copy = Document(id="strike-copy", text=seed.text + "\n\nA closing line only this copy has.", outlet="Copy")
        pipeline.ingest(store, [copy])
        pipeline.annotate_pending(store)
        pipeline.link_pending(store)
        assert computed == [strike]
        assert "strike-copy" in contract.story(store, strike)["duplicates"]


def test_a_story_that_gains_an_article_analyses_only_that_article_again(db_copy: Path, monkeypatch) -> None:
    # the per-article parts (claim sentences, framing) are stored: a recompute reads them, and the views
    # come out the same as when everything is computed afresh
    from storyline.analysis import compare

    with Store(db_copy) as store:
        pipeline.analyze(store, [str(DATA / "port_strike.jsonl")], workers=1)
        sid = max(store.stories(), key=lambda s: s["documents"])["id"]
        members = store.story_documents(sid)
        assert set(store.document_parts(compare.DOCUMENT_PART, members)) == set(members)
        seen: list[list[str]] = []
        real = compare.document_parts
        monkeypatch.setattr(compare, "document_parts",
                            lambda docs, *a: seen.append(sorted(d.id for d in docs)) or real(docs, *a))
        seed = store.document(members[0])
        text = "\n\n".join(seed.text.split("\n\n")[:3]) + "\n\nThe dockers' union said talks would resume."
        pipeline.ingest(store, [Document(id="strike-new", text=text, outlet="Newcomer")])
        pipeline.annotate_pending(store)
        pipeline.link_pending(store)
        assert store.story_of("strike-new") == sid and seen == [["strike-new"]]
        stored = store.views(sid, PARTS)
        with store.transaction() as db:  # as an older version left it: no per-article parts
            db.execute("DELETE FROM document_parts")
        monkeypatch.setattr(compare, "document_parts", real)
        assert views.refresh(store, [sid]) == 1
        assert store.views(sid, PARTS) == stored


def test_the_entity_index_is_stored_by_each_run_and_stale_until_the_next(db_copy: Path) -> None:
    from storyline import profiles

    with Store(db_copy) as store:
        assert store.entity_index_fresh()
        assert store.stored_entity_index() == profiles.index(store)
        person = next(e for e in store.stored_entity_index().values() if e["label"] == "Person")
        assert store.entity_links_of([("PERSON", person["names"][0]), ("PERSON", "Nobody Known")]) == {
            ("PERSON", person["names"][0]): person["id"]}
        pipeline.ingest(store, [Document(id="late", text="Olaf Scholz met Emmanuel Macron in Berlin on Monday.")])
        pipeline.annotate_pending(store)
        assert not store.entity_index_fresh()  # a page now builds the links itself, as before
        pipeline.link_pending(store)
        assert store.entity_index_fresh() and store.stored_entity_index() == profiles.index(store)


def test_a_run_killed_before_its_views_were_saved_recomputes_them(db_copy: Path) -> None:
    with Store(db_copy) as store:
        sid = store.stories()[0]["id"]
        before = contract.story(store, sid)
        pipeline.rebuild_timelines(store, [sid])  # a timeline rebuilt, then the run dies before its views
        assert sid in store.stale_views()
        assert views.refresh(store) == 1 and not store.stale_views()
        assert contract.story(store, sid) == before


def test_a_database_without_views_gets_them_on_first_read(db_copy: Path) -> None:
    with Store(db_copy) as store:  # as an older version left it: no stored views, every story stale
        sid = store.stories()[0]["id"]
        expected = contract.story(store, sid)
        with store.transaction() as db:
            db.execute("DELETE FROM story_views")
            db.execute("INSERT INTO stale_views (story) SELECT id FROM stories")
    with TestClient(create_app(db_copy), base_url="http://127.0.0.1") as client:
        assert client.get(f"/api/stories/{sid}").json() == expected


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database holding one story as big as a long-running real one: 1,500 articles, 1,200 events with up
    to 40 source sentences each, 3,000 quotes by 300 speakers, 800 claims (the record written directly and
    its page parts built by analysis.view: the page and the API only ever read them)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    sid = "sbig"
    n_docs, outlets = 1500, [f"Outlet {i}" for i in range(12)]
    docs = {f"d{i}": {"id": f"d{i}", "path": None, "title": f"Article number {i} about the long story",
                      "outlet": outlets[i % 12], "published": f"2010-{1 + i % 12:02d}-{1 + i % 28:02d}",
                      "published_source": "metadata", "url": f"https://example.org/{i}",
                      "outlet_source": "metadata", "story": sid, "duplicate_of": None} for i in range(n_docs)}
    timeline = [{"id": f"e{i}", "date": f"2010-{1 + i % 12:02d}-{1 + i % 28:02d}", "end": None,
                 "granularity": "day", "summary": f"Event {i}: the well was capped and officials said more.",
                 "mentions": [{"document": f"d{(i + k) % n_docs}", "sentence": f"Sentence {k} on event {i}.",
                               "sentence_index": k, "time_text": "on Friday"} for k in range(1 + i % 40)],
                 "documents": [f"d{(i + k) % n_docs}" for k in range(1 + i % 40)],
                 "sources": outlets[: 1 + i % 12]} for i in range(1200)]
    quotes = [{"speaker": f"Speaker {i % 300}", "text": f"We will do what it takes, number {i}.",
               "document": f"d{i % n_docs}", "sentence": "…", "kind": "direct", "cue": "said",
               "speaker_text": "he"} for i in range(3000)]
    claims = [{"text": f"Claim {i} that several outlets carried about the spill.", "documents": [f"d{i}"],
               "outlets": outlets[: 1 + i % 12], "single_outlet": i % 12 == 0, "document": f"d{i}",
               "sentence_index": 0, "sentences": [{"document": f"d{i}", "sentence_index": 0}]}
              for i in range(800)]
    record = {"id": sid, "title": "The long story", "documents": list(docs), "duplicates": [],
              "outlets_count": 12, "first": "2010-01-01", "last": "2010-12-28", "timeline": timeline,
              "quotes": quotes, "outlets": [{"outlet": o, "documents": [], "first": None, "last": None,
                                             "events": [], "undated_events": [], "adds": [], "omits": [],
                                             "framing": [], "attribution": {}, "speakers": []} for o in outlets],
              "claims": claims, "summary": []}
    speakers = [{"speaker": f"Speaker {s}", "quotes": [
        {"text": q["text"], "kind": "direct", "sources": [{"outlet": outlets[0], "document": q["document"],
                                                           "anchor": "q-0"}]}
        for q in quotes if q["speaker"] == f"Speaker {s}"]} for s in range(300)]
    matrix = {"outlets": outlets, "articles": {o: {"documents": 125, "first": None, "last": None} for o in outlets},
              "events": [{"event": i, "date": e["date"], "end": None, "granularity": "day", "summary": e["summary"],
                          "outlets": e["sources"], "undated": [], "cells": [o in e["sources"] for o in outlets]}
                         for i, e in enumerate(timeline)]}
    with Store(path) as store:
        store.add_documents([Document(id=d, text=f"Text of article {d}.", outlet=v["outlet"]) for d, v in docs.items()])
        story = {"title": "The long story", "size": n_docs, "first": "2010-01-01", "last": "2010-12-28",
                 "topic": "t" + sid, "canonical": next(iter(docs))}
        store.save_links([{"id": d, "duplicate_of": None, "minhash": None, "bands": []} for d in docs], {}, {},
                         {"assign": {d: sid for d in docs}, "stories": {sid: story}, "topics": {}, "redirects": {},
                          "removed_stories": [], "removed_topics": [], "dirty": {sid}})
        ranked = ranked_claims(claims)
        lists = ("timeline", "quotes", "outlets", "claims")
        head = {k: v for k, v in record.items() if k not in lists} | {f"{k}_total": len(record[k]) for k in lists}
        parts = {"story": record, "head": head, "matrix": matrix, "per_outlet": {}, "key_dates": [],
                 "documents": docs, "page": page(record, matrix, ranked, docs)}
        items = {"event": timeline, "shown": [e | {"index": i} for i, e in enumerate(timeline)], "quote": quotes,
                 "claim": ranked, "speaker": speakers,
                 "source": list(docs.values())}
        store.save_views(sid, {k: json.dumps(v) for k, v in parts.items()},
                         {k: [json.dumps(x) for x in v] for k, v in items.items()})
        with store.transaction() as db:
            db.execute("DELETE FROM dirty_stories")
    return path, sid


def test_the_page_of_a_big_story_stays_small_and_pages_its_lists(big: tuple[Path, str]) -> None:
    path, sid = big
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        page = client.get(f"/stories/{sid}")
        assert page.status_code == 200
        assert len(page.content) < 500_000
        html = page.text
        assert html.count('class="event ') == 50 and "events 1–50 of 1200" in html
        assert "?events=50#timeline" in html and "?speakers=20#quotes" in html
        assert "the 3 most carried shown" in html and "of 800" in html
        later = client.get(f"/stories/{sid}", params={"events": 1100, "speakers": 280, "sources": 1400}).text
        assert 'id="ev-e1100"' in later and 'id="ev-e0"' not in later and "events 1101–1150 of 1200" in later
        assert "Speaker 299" in later or "Speaker 99" in later


def test_the_api_pages_every_long_list_with_totals(big: tuple[Path, str]) -> None:
    path, sid = big
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        for route, total in (("quotes", 3000), ("speakers", 300), ("claims", 800), ("sources", 1500)):
            got = client.get(f"/api/stories/{sid}/{route}", params={"limit": 7, "offset": 10}).json()
            assert (got["total"], got["limit"], got["offset"], len(got["items"])) == (total, 7, 10, 7), route
        claims = client.get(f"/api/stories/{sid}/claims", params={"limit": 200}).json()["items"]
        assert [len(c["outlets"]) for c in claims] == sorted((len(c["outlets"]) for c in claims), reverse=True)
        tl = client.get(f"/api/stories/{sid}/timeline", params={"limit": 5, "offset": 1195}).json()
        assert tl["total"] == 1200 and [e["id"] for e in tl["timeline"]] == [f"e{i}" for i in range(1195, 1200)]
        assert len(client.get(f"/api/stories/{sid}").json()["timeline"]) == 1200  # v1: the whole record
        assert client.get(f"/api/stories/{sid}/speakers", params={"limit": 201}).status_code == 422
