"""The corrections log and its overlay: fixes survive re-links, new articles and a re-clustering; undo works.

Built without the NLP models: documents with hand-made annotations, linked by the real link stage."""

from datetime import date

import pytest

from storyline import contract
from storyline.link import corrections
from storyline.model import Analysis, Document, Mention, Quote, Sentence
from storyline.run import pipeline
from storyline.store import Store

STORY_A = "Volcano erupts on the island of Fogo, lava flows toward the villages of Cha das Caldeiras."
STORY_A2 = (
    "Lava from the Fogo volcano reached the villages of Cha das Caldeiras on the island, where residents"
    " were evacuated as the eruption went on."
)
STORY_B2 = (
    "Inflation: the central bank lifted its key interest rate again, and the governor warned that prices"
    " would keep rising this spring."
)
STORY_B = "Central bank raises interest rates to curb inflation, the governor of the central bank said."


def analysed(doc_id: str, text: str, day: int, outlet: str, speaker: str | None = None) -> Analysis:
    doc = Document(id=doc_id, text=text, title=text[:40], outlet=outlet, published=date(2024, 3, day))
    sentence = Sentence(doc_id, 0, 0, len(text), text)
    mention = Mention(doc_id, 0, text, date(2024, 3, 1), "day", None, "on 1 March")
    quotes = [Quote(doc_id, 0, 0, 10, text[:10], speaker, speaker, "said", "direct")] if speaker else []
    return Analysis(doc, [sentence], [], quotes, [mention])


def add(store: Store, *analyses: Analysis) -> None:
    store.add_documents([a.document for a in analyses])
    store.save_analyses(analyses)
    pipeline.link_pending(store)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "c.db") as s:
        add(
            s,
            analysed("a1", STORY_A, 2, "Wire", "Jose Maria Neves"),
            analysed("a2", STORY_A2, 3, "Post"),
            analysed("b1", STORY_B, 4, "Wire", "Neves"),
        )
        yield s


def story_of(store: Store, doc: str) -> str:
    return store.document_links(doc)["story"]


def correct(store: Store, kind: str, **args) -> int:
    cid = corrections.record(store, kind, args)
    pipeline.apply_corrections(store)
    return cid


def undo(store: Store, cid: int) -> None:
    corrections.undo(store, cid)
    pipeline.apply_corrections(store)


def test_merge_survives_new_articles_and_undo_restores_clustering(store):
    a, b = story_of(store, "a1"), story_of(store, "b1")
    assert a != b and story_of(store, "a2") == a
    cid = correct(store, "merge-stories", stories=[b], into=a)
    assert {story_of(store, d) for d in ("a1", "a2", "b1")} == {a}
    assert sorted(store.story_documents(a)) == ["a1", "a2", "b1"]
    add(store, analysed("b2", STORY_B2, 5, "Daily"))  # clustering puts it in b...
    assert store.story_overlay()["b2"][0] == b
    assert story_of(store, "b2") == a  # ...and the overlay merges it like the rest of b
    assert {d for e in store.story(a).events for d in e.documents} == {"a1", "a2", "b1", "b2"}
    undo(store, cid)
    assert story_of(store, "b1") == story_of(store, "b2") == b and story_of(store, "a1") == a
    assert store.story_overlay() == {}


def test_split_and_move_survive_a_reclustering(store):
    a, b = story_of(store, "a1"), story_of(store, "b1")
    split = correct(store, "split-story", documents=["a2"], title="Evacuations")
    new = corrections.split_story_id(split)
    assert story_of(store, "a2") == new and store.story_title(new)["title"] == "Evacuations"
    move = correct(store, "move-article", document="b1", to=a)
    assert story_of(store, "b1") == a
    # a different clustering renames every story: corrections follow the articles, not the old ids
    with store.transaction() as db:
        db.execute(
            "UPDATE documents SET story = 'snew-' || COALESCE((SELECT auto FROM story_overlay"
            " WHERE document = documents.id), story)"
        )
    pipeline.apply_corrections(store)
    assert story_of(store, "a2") == new and story_of(store, "b1") == "snew-" + a
    assert story_of(store, "a1") == "snew-" + a
    undo(store, split)
    assert story_of(store, "a2") == "snew-" + a
    assert store.story_title(new) is None  # an emptied split story goes away
    undo(store, move)
    assert story_of(store, "b1") == "snew-" + b


def test_a_move_follows_its_article_when_an_earlier_copy_takes_over(store):
    """b1 is moved by hand; then a copy of it published a day earlier arrives, and is now the original
    of b1's near-duplicate group: the group moves, as it would had the copy come first."""
    a = story_of(store, "a1")
    correct(store, "move-article", document="b1", to=a)
    add(store, analysed("b0", STORY_B + " Updated.", 3, "Daily"))
    assert store.document_links("b1")["duplicate_of"] == "b0"
    assert story_of(store, "b0") == story_of(store, "b1") == a


def test_hidden_and_pinned_events_stay_so_after_timelines_are_rebuilt(store):
    a = story_of(store, "a1")
    event = store.story(a).events[0]
    hide = correct(store, "hide-event", event=event.id)
    story = store.story(a)
    assert story.events == [] and [e.id for e, _ in story.hidden] == [event.id]
    add(store, analysed("a3", STORY_A + " Ash fell too.", 6, "Daily"))  # the timeline is rebuilt
    story = store.story(a)
    assert story.events == [] and len(story.hidden[0][0].documents) == 3
    undo(store, hide)
    assert len(store.story(a).events) == 1
    pin = correct(store, "pin-event", event=event.id)
    data = contract.story(store, a)
    assert data["timeline"][0]["pinned"] and data["timeline"][0]["corrected"]["correction"] == pin
    assert [c["id"] for c in data["corrections"]] == [pin]


def test_speaker_corrections_chain_and_a_quote_fix_wins(store):
    cid = correct(store, "rename-speaker", **{"from": "Jose Maria Neves", "to": "José Maria Neves"})
    said = {q.document: q for q in store.quotes()}
    # "Neves" reads as "Jose Maria Neves" (the fuller name ending with it), so the rename covers it too
    assert said["a1"].speaker == said["b1"].speaker == "José Maria Neves"
    assert said["a1"].corrected == cid and said["a1"].speaker_was == "Jose Maria Neves"
    correct(store, "merge-speakers", names=["José Maria Neves"], into="President Neves")
    assert {q.speaker for q in store.quotes()} == {"President Neves"}
    fix = correct(store, "set-speaker", document="b1", start=0, speaker=None)
    assert {q.document: q.speaker for q in store.quotes()} == {"a1": "President Neves", "b1": None}
    assert [q.document for q in store.quotes(speakers=["President Neves"])] == ["a1"]
    undo(store, fix)
    assert {q.document: q.speaker for q in store.quotes()} == {"a1": "President Neves", "b1": "President Neves"}
    quotes = contract.story(store, story_of(store, "a1"))["quotes"]
    assert quotes[0]["corrected"]["speaker_was"] == "Jose Maria Neves"


def test_json_export_marks_moved_documents_and_hidden_events(store):
    a, b = story_of(store, "a1"), story_of(store, "b1")
    move = correct(store, "move-article", document="b1", to=a)
    event = store.story(a).events[0]
    hide = correct(store, "hide-event", event=event.id)
    data = contract.build(store)
    docs = {d["id"]: d for d in data["documents"]}
    assert docs["b1"]["corrected"] == {"correction": move, "story_was": b}
    assert docs["a1"]["corrected"] is None
    story = next(s for s in data["stories"] if s["id"] == a)
    assert event.id not in [e["id"] for e in story["timeline"]]
    assert story["hidden_events"][0]["id"] == event.id
    assert story["hidden_events"][0]["corrected"]["correction"] == hide
    assert {c["id"] for c in story["corrections"]} == {move, hide}


@pytest.mark.parametrize(
    ("kind", "args", "status"),
    [
        ("merge-stories", {"stories": ["nope"], "into": "nope2"}, 404),
        ("merge-stories", {"stories": [], "into": "x"}, 422),
        ("move-article", {"document": "missing", "to": "x"}, 404),
        ("hide-event", {"event": "missing"}, 404),
        ("set-speaker", {"document": "a1", "start": 999, "speaker": "X"}, 404),
        ("set-speaker", {"document": "a1", "start": "0"}, 422),
        ("rename-speaker", {"from": "", "to": "X"}, 422),
        ("explode", {}, 422),
    ],
)
def test_bad_corrections_are_refused_with_a_reason(store, kind, args, status):
    with pytest.raises(corrections.CorrectionError) as err:
        corrections.record(store, kind, args)
    assert err.value.status == status and str(err.value)
    assert store.corrections(include_undone=True) == []


def test_undoing_twice_or_an_unknown_correction_is_an_error(store):
    cid = correct(store, "rename-speaker", **{"from": "Neves", "to": "N"})
    undo(store, cid)
    with pytest.raises(corrections.CorrectionError, match="no active correction"):
        corrections.undo(store, cid)
    assert store.corrections(include_undone=True)[0]["undone"]


def test_a_pinned_event_leads_the_short_timeline_whatever_its_corroboration(store):
    a = story_of(store, "a1")
    later = analysed("a3", STORY_A + " Ash fell on the villages.", 6, "Daily")
    later.mentions[0] = Mention("a3", 0, later.sentences[0].text, date(2024, 3, 5), "day", None, "on 5 March")
    add(store, later)
    assert story_of(store, "a3") == a
    top = contract.key_dates(store, a, 1)["dates"]
    assert [d["date"] for d in top] == ["2024-03-01"]  # two articles name 1 March, one names 5 March
    lone = next(e for e in store.story(a).events if e.date == date(2024, 3, 5))
    pin = correct(store, "pin-event", event=lone.id)
    top = contract.key_dates(store, a, 1)["dates"]
    assert [d["date"] for d in top] == ["2024-03-05"] and top[0]["events"][0]["event"] == lone.id
    undo(store, pin)
    assert [d["date"] for d in contract.key_dates(store, a, 1)["dates"]] == ["2024-03-01"]
