"""Search filters, story filters, entity profiles, CSV export and "first reported by", on hand-made
annotations linked by the real link stage (no NLP models needed)."""

import csv
import io
from datetime import date

import pytest

from storyline import contract, profiles
from storyline.model import Analysis, Document, Entity, Mention, Quote, Sentence
from storyline.render import csv_tables
from storyline.run import pipeline
from storyline.store import Store

FIRE = [
    "Firefighters battled a wildfire near Athens on Monday, officials in Athens said.",
    "The wildfire near Athens forced thousands to flee, and Kyriakos Mitsotakis visited the area.",
    "Prime Minister Mitsotakis said the wildfire near Athens was the worst in a decade.",
]


def analysed(doc_id: str, text: str, day: int, outlet: str) -> Analysis:
    doc = Document(id=doc_id, text=text, title=f"Fire report {doc_id}", outlet=outlet, published=date(2024, 7, day))
    ents = []
    for name, label, canonical in (
        ("Athens", "GPE", "Athens"),
        ("Kyriakos Mitsotakis", "PERSON", None),
        ("Mitsotakis", "PERSON", None),
    ):
        at = text.find(name)
        if at >= 0 and not (name == "Mitsotakis" and "Kyriakos" in text):
            ents.append(Entity(doc_id, 0, at, at + len(name), name, label, canonical or name))
    quotes = (
        [Quote(doc_id, 0, 0, len(text), text, "Mitsotakis", "Mitsotakis", "said", "indirect")]
        if "Minister" in text
        else []
    )
    mention = Mention(doc_id, 0, text, date(2024, 7, 1), "day", None, "on Monday")
    return Analysis(doc, [Sentence(doc_id, 0, 0, len(text), text)], ents, quotes, [mention])


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "w.db") as s:
        items = [
            analysed("f1", FIRE[0], 3, "Kathimerini"),
            analysed("f2", FIRE[1], 2, "Reuters"),
            analysed("f3", FIRE[2], 4, "=cmd|' /C calc'!A0"),
        ]
        s.add_documents([a.document for a in items])
        s.save_analyses(items)
        pipeline.link_pending(s)
        yield s


def test_phrase_search_and_filters(store):
    assert store.count_search("wildfire Athens") == 3
    assert store.count_search('"near Athens on Monday"') == 1
    assert store.count_search('"Athens near"') == 0  # a phrase keeps its word order
    assert [h["document"] for h in store.search("wildfire", outlet="Reuters")] == ["f2"]
    assert store.count_search("wildfire", since="2024-07-03") == 2
    assert store.count_search("wildfire", since="2024-07-03", until="2024-07-03") == 1
    assert [h["document"] for h in store.search("wildfire", sort="date")] == ["f3", "f1", "f2"]
    assert [h["document"] for h in store.search("wildfire", speaker="mitsotakis")] == ["f3"]
    assert store.count_search("wildfire", entity=["Kyriakos Mitsotakis"]) == 1
    story = store.document_links("f1")["story"]
    assert store.count_search("wildfire", story=story) == 3 and store.count_search("wildfire", story="no") == 0
    assert store.search('"', limit=5) == [] and store.count_search('""') == 0  # no words: no query


def test_story_filters_by_outlet_and_period(store):
    assert store.count_stories(outlet="Reuters") == 1 and store.count_stories(outlet="Nobody") == 0
    assert store.count_stories(since="2024-07-04") == 1 and store.count_stories(since="2024-07-05") == 0
    assert store.count_stories(until="2024-07-01") == 0 and len(store.stories(until="2024-07-02")) == 1


def test_entity_profile_folds_names_and_dates_quotes(store):
    entities = profiles.index(store)
    person = entities["person-kyriakos-mitsotakis"]
    assert person["label"] == "Person" and sorted(person["names"]) == ["Kyriakos Mitsotakis", "Mitsotakis"]
    assert entities["place-athens"]["mentions"] == 3
    p = profiles.profile(store, "person-kyriakos-mitsotakis")
    assert {a["text"] for a in p["aliases"]} == {"Kyriakos Mitsotakis", "Mitsotakis"}
    assert p["documents"] == 2 and p["stories"][0]["documents"] == 2
    assert [(q["document"], q["published"]) for q in p["quotes"]] == [("f3", "2024-07-04")]
    assert p["events"] and p["events"][0]["date"] == "2024-07-01"
    assert profiles.profile(store, "person-nobody") is None
    assert [e["id"] for e in profiles.listing(store, label="place")] == ["place-athens"]
    assert profiles.reader_label("NORP") == "Group" and profiles.reader_label("FAC") == "Place"


def test_first_reported_by_and_sources_in_publication_order(store):
    data = contract.story(store, store.document_links("f1")["story"])
    (event,) = data["timeline"]
    assert [r["document"] for r in event["reports"]] == ["f2", "f1", "f3"]
    assert event["first_reported"] == {"outlet": "Reuters", "document": "f2", "published": "2024-07-02"}


def test_csv_tables_match_the_json_and_defuse_formulas(store):
    data = contract.build(store)
    tables = csv_tables.tables(data)
    assert set(tables) == set(csv_tables.TABLES)
    timeline = list(csv.DictReader(io.StringIO(tables["timeline"])))
    assert len(timeline) == 1 and timeline[0]["first_reported_outlet"] == "Reuters"
    assert timeline[0]["articles"] == "3"
    docs = list(csv.DictReader(io.StringIO(tables["documents"])))
    assert {d["outlet"] for d in docs} >= {"Reuters", "'=cmd|' /C calc'!A0"}  # never a live formula
    coverage = list(csv.DictReader(io.StringIO(tables["coverage"])))
    assert coverage[0]["Reuters"] == "dated"
    quotes = list(csv.DictReader(io.StringIO(tables["quotes"])))
    assert quotes[0]["speaker"] == "Mitsotakis" and quotes[0]["published"] == "2024-07-04"


def test_csv_directory_is_written_with_a_bom_for_spreadsheets(store, tmp_path):
    paths = csv_tables.write_dir(contract.build(store), tmp_path / "out")
    assert sorted(p.name for p in paths) == ["coverage.csv", "documents.csv", "quotes.csv", "timeline.csv"]
    assert (tmp_path / "out" / "timeline.csv").read_bytes().startswith(b"\xef\xbb\xbfstory,")


def test_progress_starts_at_the_first_article_and_moves_within_the_first_batch(tmp_path):
    """The bar (and its ETA) appears before any article is done, and moves after the first small round."""
    calls = []
    docs = [
        Document(
            id=f"p{i}",
            text=f"Article {i}: the council met in Lisbon on 3 May 2024 to vote on item {i}.",
            published=date(2024, 5, 4),
        )
        for i in range(pipeline.FIRST_ROUND + 4)
    ]
    with Store(tmp_path / "p.db") as s:
        s.add_documents(docs)
        pipeline.annotate_pending(s, workers=1, progress=lambda *a: calls.append(a))
        pipeline.link_pending(s, progress=lambda *a: calls.append(a))
    annotate = [c for c in calls if c[0] == "annotate"]
    assert annotate[0] == ("annotate", 0, len(docs))
    assert annotate[1] == ("annotate", pipeline.FIRST_ROUND, len(docs))  # after 8 articles, not 64
    assert annotate[-1] == ("annotate", len(docs), len(docs))
    assert [c for c in calls if c[0] == "link"][0] == ("link", 0, len(docs))
    for stage in ("timelines", "views"):  # every stage starts its bar at 0 and ends it full
        mine = [c for c in calls if c[0] == stage]
        assert mine[0][1] == 0 and mine[-1][1] == mine[-1][2] > 0, (stage, mine)
