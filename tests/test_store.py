import sqlite3
from datetime import date

import pytest

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
