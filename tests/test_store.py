import sqlite3
from datetime import date

import pytest

from storyline import store as store_module
from storyline.model import Analysis, Document, Entity, Mention, Quote, Sentence
from storyline.store import Store, StoreError


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "t.db") as s:
        yield s


def doc(i, text=None):
    return Document(id=f"d{i}", text=text or f"Article number {i} says something new.", title=f"T{i}",
                    outlet="Wire", published=date(2024, 1, i))


def test_same_article_twice_is_stored_once(store):
    assert store.add_documents([doc(1), doc(2)]) == ["d1", "d2"]
    assert store.add_documents([doc(1)]) == []
    # same text under another id is the same article
    assert store.add_documents([Document(id="copy", text=doc(1).text)]) == []
    # whitespace and case differences do not make a new article
    assert store.add_documents([Document(id="copy2", text="  article NUMBER 1 says something new. ")]) == []
    assert store.count_documents() == 2


def test_reopening_keeps_data_and_schema_version(tmp_path):
    path = tmp_path / "t.db"
    with Store(path) as s:
        s.add_documents([doc(1)])
    with Store(path) as s:
        assert s.document("d1").published == date(2024, 1, 1)
        assert s.db.execute("SELECT COUNT(*) FROM migrations").fetchone()[0] >= 1
        assert s.integrity() == "ok"


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db"):
        Store(bad)


def test_failed_batch_writes_nothing(store):
    store.add_documents([doc(1)])
    broken = Analysis(doc(1), sentences=[Sentence("d1", 0, 0, 5, "Hello")],
                      quotes=[Quote("d1", 0, 0, 5, None, None)])  # text=None violates NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        store.save_analyses([broken])
    assert store.sentences("d1") == []
    assert store.pending("annotated")[0].id == "d1"


def test_analyses_round_trip_and_search(store):
    store.add_documents([doc(1)])
    d = store.document("d1")
    s = Sentence("d1", 0, 0, len(d.text), d.text)
    a = Analysis(d, [s], [Entity("d1", 0, 0, 7, "Article", "ORG", "Article Inc")],
                 [Quote("d1", 0, 0, 7, "Article", "Jane Roe", "she", "said")],
                 [Mention("d1", 0, d.text, date(2024, 1, 1), "day", None, "today")])
    store.save_analyses([a])
    store.save_analyses([a])  # re-annotating replaces, never duplicates
    assert store.sentences("d1") == [s]
    assert store.quotes(["d1"])[0].speaker == "Jane Roe"
    assert len(store.mentions(["d1"])) == 1
    assert store.pending("annotated") == []
    hits = store.search("says something")
    assert hits and hits[0]["document"] == "d1" and "[says]" in hits[0]["snippet"]
    assert store.search('") OR *') == []  # user input is words, never FTS syntax


def test_read_queries_for_the_api_and_ui(db_copy):
    """The counts, marked search, titles and fingerprints the API and web pages read (all SQL is here)."""
    with Store(db_copy) as store:
        stories = store.stories()
        assert store.count_stories() == len(stories) > 0
        top = stories[0]
        word = top["title"].split()[0]
        assert store.count_stories(word) == len(store.stories(q=word)) >= 1
        assert store.count_stories("no story has this title") == 0
        outlet = store.outlets()[0]["outlet"]
        assert 0 < store.count_documents(outlet) <= store.count_documents()
        assert store.story_title(top["id"]) == {"id": top["id"], "title": top["title"], "topic": top["topic"]}
        assert store.story_title("nope") is None
        hits = store.search("security", marks=("\x02", "\x03"), context=16)
        assert hits and all("\x02" in h["snippet"] and "published" in h for h in hits)
        assert store.count_search("security") >= len(hits)
        assert store.count_search('") ( *') == 0  # nothing word-like: no query at all
        assert store.count_search('") OR *') == store.count_search("or")  # words, never FTS syntax
        story = store.story(top["id"])
        links = store.mention_events(top["id"])
        assert set(links.values()) == {e.id for e in story.events}
        assert len(links) >= sum(len(e.mentions) for e in story.events)
        doc_id = story.documents[0]
        assert store.quotes([doc_id], include_duplicates=True)[: len(store.quotes([doc_id]))] \
            == store.quotes([doc_id])
        before = store.story_fingerprint(top["id"])
        assert before == store.story_fingerprint(top["id"])
        version = store.data_version()
        with Store(db_copy) as other, other.transaction() as tx:
            tx.execute("UPDATE stories SET title = 'Renamed' WHERE id = ?", (top["id"],))
        assert store.story_fingerprint(top["id"]) != before
        assert store.data_version() != version


def test_snapshot_reads_one_state_while_another_connection_writes(tmp_path):
    path = tmp_path / "t.db"
    with Store(path) as reader, Store(path) as writer:
        writer.add_documents([doc(1)])
        with reader.snapshot():
            assert reader.count_documents() == 1
            writer.add_documents([doc(2)])  # WAL: the writer is not blocked by the open read
            assert reader.count_documents() == 1, "a snapshot does not see commits made after it began"
            with reader.snapshot():  # nests
                assert reader.count_documents() == 1
        assert reader.count_documents() == 2
        with reader.transaction(), reader.snapshot():  # inside a write transaction: part of it
            assert reader.count_documents() == 2


def test_first_saves_never_scan_for_old_rows(store):
    """Deleting a document's old FTS rows or LSH bands scans the whole table (neither has an index by
    document), which made saving quadratic in the corpus: only re-annotated or re-linked documents may."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    store.add_documents([doc(1)])
    d = store.document("d1")
    a = Analysis(d, [Sentence("d1", 0, 0, len(d.text), d.text)])
    link = {"id": "d1", "story": "s1", "duplicate_of": None, "minhash": b"", "bands": [b"k0", b"k1"]}
    story = {"title": "T", "size": 1, "first": None, "last": None, "topic": "t1", "canonical": "d1"}
    clusters = {"assign": {"d1": "s1"}, "stories": {"s1": story}, "topics": {}, "removed_stories": [],
                "removed_topics": [], "redirects": {}, "dirty": {"s1"}}
    store.save_analyses([a])
    store.save_links([link], {}, {}, clusters)
    assert not [s for s in statements if s.startswith("DELETE")], "a first save deleted (scanned) old rows"
    store.save_analyses([a])  # re-annotating and re-linking replace the old rows
    store.save_links([link], {}, {}, clusters)
    assert any("DELETE FROM sentences_fts" in s for s in statements)
    assert any("DELETE FROM lsh" in s for s in statements)
    store.db.set_trace_callback(None)
    assert store.search("article number")[0]["document"] == "d1" and len(store.search("article number")) == 1
    assert store.db.execute("SELECT COUNT(*) FROM lsh").fetchone()[0] == 2


def test_in_queries_go_in_batches_under_sqlites_parameter_limit():
    batches = list(store_module._in_batches([f"d{i}" for i in range(1201)]))
    assert [len(chunk) for chunk, _ in batches] == [500, 500, 201]
    assert all(marks.count("?") == len(chunk) for chunk, marks in batches)
    assert [x for chunk, _ in batches for x in chunk] == [f"d{i}" for i in range(1201)]
    assert list(store_module._in_batches([])) == []
