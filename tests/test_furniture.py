"""Outlet furniture: lines that recur across one outlet's pages are learnt and removed before annotation;
a story's own lines, other outlets' text and already annotated documents are left alone."""

from storyline.ingest.furniture import Furniture, line_digest, line_key, line_keys
from storyline.link import stories
from storyline.model import Document
from storyline.run import pipeline
from storyline.store import Store

PROMO = "Get the Lakeside Briefing in your inbox every weekday morning"
CREDIT = "Photos: Lakeside Herald staff, 2023"
STORIES = [
    "The council approved the new budget on Monday after a four-hour debate.",
    "A storm brought down power lines across the eastern villages overnight.",
    "The harbour bridge reopened after eleven weeks of cable repairs.",
    "The regional cup final ended in a draw after extra time on Saturday.",
    "Bus fares will rise by five percent from next month, the operator said.",
]


def page(n: int, outlet: str = "Lakeside Herald", furniture: bool = True) -> Document:
    case = f"{chr(65 + n % 26)}{chr(75 + n % 16)}"
    body = [STORIES[n % len(STORIES)], f"Officials said more details on case {case} would follow."]
    lines = [*body, PROMO, CREDIT.replace("2023", str(2000 + n))] if furniture else body
    return Document(id=f"{outlet[:4]}-{n}", text="\n".join(lines), outlet=outlet)


def test_line_keys_ignore_case_punctuation_and_digits():
    assert line_key("Updated: 12:30 GMT") == line_key("updated 09:15 gmt") == "updated 00 00 gmt"
    assert line_key("  ") is None and line_key("* * *") is None
    long = "word " * 41  # long lines are prose: the stored-text rule never counts or deletes them...
    assert line_key(long) and line_keys(f"{long}\n{PROMO}") == {line_key(PROMO)}
    assert not Furniture.learn([Document(id=str(n), text=long, outlet="X") for n in range(9)]).is_furniture("X", long)


def test_linking_counts_the_same_lines_by_the_same_key():
    """One line key for both rules: the linker's stored keys are digests of ``line_key``, over every line of
    any length and the headline."""
    long = "word " * 41
    doc = Document(id="d", text=f"Updated: 12:30 GMT\n\n{long}\n* * *\n{PROMO}", title="Storm hits coast",
                   outlet="X")
    assert line_digest("updated 09:15 gmt") == line_digest("Updated: 12:30 GMT") != line_digest(PROMO)
    assert stories.line_keys(doc) == {line_digest(x) for x in ("Updated: 12:30 GMT", long, PROMO, "Storm hits coast")}


def test_learnt_from_a_batch_recurring_lines_of_one_outlet_are_furniture():
    docs = [page(n) for n in range(5)] + [page(n, outlet="Other Times") for n in range(5)]
    furniture = Furniture.learn(docs)
    assert furniture.is_furniture("Lakeside Herald", PROMO)
    assert furniture.is_furniture("Lakeside Herald", "Photos: Lakeside Herald staff, 2019")
    assert not furniture.is_furniture("Lakeside Herald", STORIES[0])  # in 1 of 5 documents
    assert not furniture.is_furniture("Unknown Outlet", PROMO) and not furniture.is_furniture(None, PROMO)
    assert furniture.strip("Lakeside Herald", page(7).text) == "\n".join(page(7, furniture=False).text.split("\n"))
    few = Furniture.learn([page(n) for n in range(3)])  # three pages are too few to tell furniture from story
    assert not few.is_furniture("Lakeside Herald", PROMO)


def test_a_document_that_would_lose_most_of_its_text_is_kept_whole():
    furniture = Furniture.learn([page(n) for n in range(6)])
    only_promo = f"{PROMO}\nShort note."
    assert furniture.strip("Lakeside Herald", only_promo) == only_promo


def test_furniture_is_removed_from_the_stored_text_and_ingestion_stays_idempotent(tmp_path):
    store = Store(tmp_path / "s.db")
    docs = [page(n) for n in range(6)] + [Document(id="solo", text=f"{STORIES[0]}\n{PROMO}", outlet="Solo")]
    pipeline.ingest(store, docs)
    pipeline.annotate_pending(store)
    for n in range(6):
        text = store.document(f"Lake-{n}").text
        assert PROMO not in text and "Photos:" not in text and STORIES[n % 5] in text
    assert PROMO in store.document("solo").text  # one page of another outlet: nothing to learn from
    again = [page(n) for n in range(6)]  # the same pages read again: duplicates, though their text changed
    assert pipeline.ingest(store, again).added == 0
    (n_docs, counts) = store.outlet_lines("Lakeside Herald", 4)
    assert n_docs == 6 and counts[line_key(PROMO)] == 6


def test_annotated_documents_are_never_rewritten(tmp_path):
    store = Store(tmp_path / "s.db")
    pipeline.ingest(store, [page(0)])
    pipeline.annotate_pending(store)  # annotated while the outlet had one page
    pipeline.ingest(store, [page(n) for n in range(1, 8)])
    pipeline.annotate_pending(store)
    assert PROMO in store.document("Lake-0").text  # its annotations point into this text
    assert PROMO not in store.document("Lake-7").text
