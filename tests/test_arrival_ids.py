"""Which id an article is stored under does not depend on the order articles arrive in: exact copies (one text
under several ids) are stored once, under the copy first by (published, id); an id that different texts from
different files claim is stored as id~<content hash> for each of them. Every other id is an alias that still
answers. Like tests/test_stories.py, the encoder is a bag of words so nothing loads the model."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_stories import D0, bag_of_words, corpus, state

from storyline.link import embed
from storyline.model import Document, content_hash
from storyline.run import pipeline
from storyline.server.api import create_app
from storyline.store import Store


@pytest.fixture(autouse=True)
def fake_encoder(monkeypatch):
    monkeypatch.setattr(embed, "embed", bag_of_words)


def suffix(text: str) -> str:
    return content_hash(text)[:8]


def arrivals() -> list[Document]:
    """The story corpus plus: a copy of quake-1 published a day earlier under a later id (it is the one
    stored), two later copies of rates-2 (aliases), and one file name in three folders, two texts: the same
    Reuters text twice (one article) and an AP text (so `0001` is claimed by two texts); and a copy of the
    Reuters text under another name, published later."""
    docs = corpus()
    src = {d.id: d for d in docs}
    quake, rates = src["quake-1"], src["rates-2"]
    reuters = "Lisbon election ballots parliament socialists vote coalition recount.\nLisbon recount goes on.\n"
    ap = "central bank raises interest rates inflation governor lenders mortgage bonds.\nBonds fell.\n"
    return docs + [
        Document(id="zz-wire", text=quake.text, outlet="Wire", published=quake.published - timedelta(days=1)),
        Document(id="aa-copy", text=rates.text, outlet="Wire", published=rates.published + timedelta(days=1)),
        Document(id="rates-2b", text=rates.text, outlet="Globe", published=rates.published),
        Document(id="0001", text=reuters, outlet="Reuters", published=D0, path="reuters/0001.txt"),
        Document(id="0001", text=reuters, outlet="Reuters", published=D0, path="afp/0001.txt"),
        Document(id="0001", text=ap, outlet="AP", published=D0, path="ap/0001.txt"),
        Document(id="0002", text=reuters, outlet="AP", published=D0 + timedelta(days=3), path="ap/0002.txt"),
    ]


def fresh(doc: Document) -> Document:
    return Document(id=doc.id, text=doc.text, title=doc.title, outlet=doc.outlet, published=doc.published,
                    path=doc.path)


def analyse(store: Store, docs: list[Document]) -> int:
    added = pipeline.ingest(store, [fresh(d) for d in docs]).added
    pipeline.annotate_pending(store, workers=1)
    pipeline.link_pending(store)
    return added


def stored(store: Store, asked: list[str]) -> tuple:
    """The articles stored (id, text hash, outlet, published), where every id asked for leads, and the
    stories and topics."""
    rows = sorted(tuple(r) for r in store.db.execute("SELECT id, hash, outlet, published FROM documents"))
    return rows, {i: store.resolve_document(i) for i in sorted(asked)}, state(store)


def run(tmp_path: Path, name: str, parts: list[list[Document]]) -> tuple:
    asked = [d.id for part in parts for d in part]
    with Store(tmp_path / f"{name}.db") as store:
        for part in parts:
            analyse(store, part)
        return stored(store, asked)


def test_copies_and_claimed_ids_are_stored_under_the_same_ids_in_any_order(tmp_path):
    docs = arrivals()
    first = run(tmp_path, "ordered", [docs])
    ids = {r[0] for r in first[0]}
    reuters, ap = f"0001~{suffix(docs[-4].text)}", f"0001~{suffix(docs[-2].text)}"
    assert {"zz-wire", reuters, ap} <= ids  # the earliest copy; each text that claimed 0001 under its own id
    assert not ids & {"quake-1", "aa-copy", "rates-2b", "0001", "0002"}
    resolved = first[1]
    assert resolved["quake-1"] == "zz-wire" and resolved["aa-copy"] == resolved["rates-2b"] == "rates-2"
    assert resolved["0001"] == min(reuters, ap) and resolved["0002"] == reuters
    assert len(first[0]) == len(corpus()) + 2  # 12 stories' articles (quake-1 as zz-wire) and 0001's two texts
    for seed in range(3):
        random.Random(seed).shuffle(docs)
        assert run(tmp_path, f"shuffled{seed}", [docs]) == first
    random.Random(9).shuffle(docs)
    assert run(tmp_path, "growing", [docs[:5], docs[5:11], docs[11:]]) == first


@pytest.mark.parametrize("claimant", ["ap/0001.txt", "reuters/0001.txt"])
def test_an_earlier_copy_and_a_second_claimant_arriving_in_a_later_run_replace_what_is_stored(tmp_path, claimant):
    """The stored, analysed and linked article is replaced: its story keeps the replacement, its old id answers,
    and the end is a one-batch run's (whichever text of 0001 comes second)."""
    docs = arrivals()
    later = {("zz-wire", None), ("0001", claimant), ("0001", "afp/0001.txt")}
    head = [d for d in docs if (d.id, d.path) not in later]
    tail = [d for d in docs if d not in head]
    with Store(tmp_path / "growing.db") as store:
        analyse(store, head)
        story = store.story_of("quake-1")
        assert store.resolve_document("0001") == "0001" and story
        analyse(store, tail)
        assert store.document("quake-1") is None and store.resolve_document("quake-1") == "zz-wire"
        assert store.story_of("zz-wire") == story  # quake-1 was not the story's canonical member
        assert store.document("0001") is None
        assert store.db.execute("SELECT COUNT(*) FROM sentences WHERE document IN ('quake-1', '0001')"
                                ).fetchone()[0] == 0
        growing = stored(store, [d.id for d in docs])
    assert growing == run(tmp_path, "batch", [docs])


def test_ingestion_stays_idempotent(tmp_path):
    docs = arrivals()
    with Store(tmp_path / "again.db") as store:
        assert analyse(store, docs) == len(corpus()) + 2
        before = stored(store, [d.id for d in docs])
        assert analyse(store, docs) == 0
        assert analyse(store, [d for d in docs if d.id in ("0001", "quake-1", "aa-copy")]) == 0
        assert stored(store, [d.id for d in docs]) == before


def test_an_alias_answers_with_a_redirect(tmp_path):
    docs = arrivals()
    with Store(tmp_path / "api.db") as store:
        analyse(store, docs)
    with TestClient(create_app(tmp_path / "api.db"), base_url="http://127.0.0.1") as client:
        answers(client)


def answers(client: TestClient) -> None:
    for old, new in (("quake-1", "zz-wire"), ("0001", None)):
        resp = client.get(f"/api/documents/{old}", follow_redirects=False)
        assert resp.status_code == 308
        target = resp.headers["location"]
        assert target.startswith("/api/documents/0001~" if new is None else f"/api/documents/{new}")
        assert client.get(target).json()["id"] == target.rsplit("/", 1)[1]
        page = client.get(f"/documents/{old}", follow_redirects=False)
        assert page.status_code == 308 and page.headers["location"].rsplit("/", 1)[1] == target.rsplit("/", 1)[1]
    assert client.get("/api/documents/no-such-id").status_code == 404


def test_a_store_from_before_keeps_its_articles_and_takes_copies(tmp_path):
    """Migration 15: the content hash was UNIQUE (one row per text); the table is rebuilt without it, every
    article and its analyses kept."""
    docs = corpus()
    with Store(tmp_path / "old.db") as store:
        analyse(store, docs)
        before = stored(store, [d.id for d in docs])
        db = store.db
        db.execute("DELETE FROM migrations WHERE version = 15")
        db.execute("DROP TABLE document_aliases")
        db.execute("CREATE TABLE old_documents AS SELECT * FROM documents")
        db.execute("DROP TABLE documents")
        db.execute("""CREATE TABLE documents (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, title TEXT,
            url TEXT, outlet TEXT, outlet_source TEXT NOT NULL DEFAULT 'unknown', published TEXT,
            published_source TEXT NOT NULL DEFAULT 'unknown', path TEXT, text TEXT NOT NULL, seq INTEGER NOT NULL,
            annotated INTEGER NOT NULL DEFAULT 0, linked INTEGER NOT NULL DEFAULT 0, duplicate_of TEXT,
            story TEXT, minhash BLOB)""")
        db.execute("INSERT INTO documents SELECT * FROM old_documents")
        db.execute("DROP TABLE old_documents")
    with Store(tmp_path / "old.db") as store:
        assert stored(store, [d.id for d in docs]) == before
        copy = Document(id="a-copy", text=docs[0].text, outlet="Wire", published=docs[0].published - timedelta(1))
        assert analyse(store, [copy]) == 1
        assert store.resolve_document(docs[0].id) == "a-copy"


def test_a_correction_naming_an_article_follows_it_to_its_new_id(tmp_path):
    """An article moved by hand, then replaced by an earlier copy under another id: the copy stays moved; and
    a correction made with the old id names the article stored."""
    from storyline.link import corrections

    docs = arrivals()
    head = [d for d in docs if d.id != "zz-wire"]
    with Store(tmp_path / "c.db") as store:
        analyse(store, head)
        rates = store.story_of("rates-0")
        corrections.record(store, "move-article", {"document": "quake-1", "to": rates})
        pipeline.apply_corrections(store)
        assert store.story_of("quake-1") == rates
        analyse(store, [d for d in docs if d.id == "zz-wire"])
        assert store.document("quake-1") is None and store.story_of("zz-wire") == rates
        cid = corrections.record(store, "move-article", {"document": "quake-1", "to": store.story_of("quake-0")})
        assert store.correction(cid)["args"]["document"] == "zz-wire"  # type: ignore[index]
