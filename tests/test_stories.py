"""Stories and topics: pure pairwise similarity, order-independent incremental clustering, stable ids with
redirects, outlet furniture, titles. The pipeline tests swap the sentence encoder for a bag of words (a pure
function of the text, like MiniLM) so they run without loading the model; the quality gate
(tests/test_eval_gate.py, slow) runs the real one on T17 and MEANTIME slices, arrival orders included."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from storyline import contract
from storyline.ingest import furniture
from storyline.link import embed, stories
from storyline.model import Document, Entity
from storyline.run import pipeline
from storyline.store import Store
from storyline.text import content_terms


def bag_of_words(texts):
    out = np.zeros((len(texts), embed.DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in content_terms(t):
            out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % embed.DIM] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


@pytest.fixture(autouse=True)
def fake_encoder(monkeypatch):
    monkeypatch.setattr(embed, "embed", bag_of_words)


D0 = date(2021, 3, 1)
PROMO = "Sign up to the Daily Planet morning briefing newsletter for headlines delivered to your inbox"
STORIES = {  # each story: a core of shared words, and what each article adds
    "quake": ("earthquake Gaziantep Turkey buildings collapsed rescuers rubble survivors",
              ["toll", "aftershock", "tents", "aid"]),
    "rates": ("central bank raises interest rates inflation governor lenders mortgage",
              ["markets", "pound", "savers", "forecast"]),
    "election": ("Lisbon election ballots parliament socialists vote coalition",
                 ["turnout", "count", "talks", "cabinet"]),
}


def corpus() -> list[Document]:
    docs = []
    for name, (core, extra) in STORIES.items():
        for i, word in enumerate(extra):
            text = f"{core} {word}"
            outlet = "Daily Planet" if i % 2 else "Globe"
            body = f"{text}.\n{text.split()[0].capitalize()} and more {text}.\n"
            if outlet == "Daily Planet":
                body += PROMO + "\n"
            docs.append(Document(id=f"{name}-{i}", text=body, outlet=outlet, published=D0 + timedelta(days=i)))
    return docs


def fresh(doc: Document) -> Document:
    return Document(id=doc.id, text=doc.text, title=doc.title, outlet=doc.outlet, published=doc.published)


def analyse(store: Store, docs: list[Document], workers: int = 1, batch: int = 256) -> None:
    pipeline.ingest(store, [fresh(d) for d in docs])
    pipeline.annotate_pending(store, workers=workers)
    pipeline.link_pending(store, batch=batch)


def state(store: Store) -> tuple[dict[str, str], dict[str, str | None], dict[str, str]]:
    """(article → story, story → topic, story → title)."""
    story = {d.id: store.story_of(d.id) for d in store.documents()}
    rows = store.stories()
    return story, {r["id"]: r["topic"] for r in rows}, {r["id"]: r["title"] for r in rows}


def run_in(tmp_path: Path, name: str, parts: list[list[Document]], workers: int = 1, batch: int = 256):
    with Store(tmp_path / f"{name}.db") as store:
        for part in parts:
            analyse(store, part, workers, batch)
        return state(store)


def test_each_story_is_one_event_chain(tmp_path):
    story, topic, _ = run_in(tmp_path, "one", [corpus()])
    for name in STORIES:
        assert len({story[f"{name}-{i}"] for i in range(4)}) == 1, name
    assert len(set(story.values())) == 3
    assert all(topic[s] for s in story.values())


def test_shuffled_orders_give_identical_results(tmp_path):
    results = []
    for seed in range(3):
        docs = corpus()
        random.Random(seed).shuffle(docs)
        results.append(run_in(tmp_path, f"shuffled{seed}", [docs]))
    assert results[0] == results[1] == results[2]  # same stories, same ids, same topics, same titles


def test_three_growing_runs_equal_one_batch_run(tmp_path):
    docs = corpus()
    random.Random(7).shuffle(docs)
    batch = run_in(tmp_path, "batch", [docs])
    growing = run_in(tmp_path, "growing", [docs[:3], docs[3:8], docs[8:]])
    assert growing == batch


def test_link_batches_do_not_matter(tmp_path):
    docs = corpus()
    random.Random(3).shuffle(docs)
    assert run_in(tmp_path, "b2", [docs], batch=2) == run_in(tmp_path, "b256", [docs])


def test_workers_do_not_matter(tmp_path):
    assert run_in(tmp_path, "w2", [corpus()], workers=2) == run_in(tmp_path, "w1", [corpus()])


TIPS = "Herald readers can send tips and pictures to the newsroom desk at any hour"


def with_copies() -> list[Document]:
    """The corpus with syndicated copies: one a day before its original (so it is the group's original,
    whichever arrives first), one the same day with a smaller id (the id decides), a copy of that copy,
    one two days after; and three unrelated Herald articles sharing a line, one of them a later copy of
    a Globe article: the line is Herald furniture only while that copy counts as an original."""
    docs = corpus()
    src = {d.id: d for d in docs}

    def copy(doc_id: str, new_id: str, days: int, outlet: str = "Wire", extra: str = "") -> Document:
        d = src[doc_id]
        return Document(id=new_id, text=d.text + extra + "More follows.\n", outlet=outlet,
                        published=d.published + timedelta(days=days))  # type: ignore[operator]

    docs += [copy("quake-2", "wire-quake", -1), copy("rates-0", "a-rates", 0),
             copy("rates-0", "b-rates", 0, extra="Updated.\n"), copy("election-2", "z-election", 2)]
    docs += [Document(id=f"herald-{i}", text=f"{t}.\n{t} again.\n{TIPS}\n", outlet="Herald", published=D0)
             for i, t in enumerate(["volcano eruption lava villagers evacuated ash",
                                    "museum auction painting record bid collectors"])]
    docs.append(copy("election-0", "zz-herald", 1, "Herald", TIPS + "\n"))
    src["election-0"] = Document(id="election-0", text=src["election-0"].text + TIPS + "\n",
                                 outlet="Globe", published=D0)
    return [src.get(d.id, d) for d in docs]


def folded(store: Store) -> tuple:
    """Everything a link writes that a later link reads: near-duplicate originals, clustering features,
    outlet line counts (besides ``state``)."""
    dup = {d.id: store.document_links(d.id)["duplicate_of"] for d in store.documents()}
    feats = {r["document"]: (r["vector"], tuple(r["entities"]), r["headline"], r["component"])
             for r in store.features()}
    counts = sorted(map(tuple, store.db.execute("SELECT outlet, key, n FROM link_lines WHERE n > 0")))
    return dup, feats, counts, state(store)


def run_folded(tmp_path: Path, name: str, parts: list[list[Document]], batch: int = 256) -> tuple:
    with Store(tmp_path / f"{name}.db") as store:
        for part in parts:
            analyse(store, part, batch=batch)
        return folded(store)


def test_near_duplicates_fold_into_their_earliest_copy_in_any_order(tmp_path):
    docs = with_copies()
    first = run_folded(tmp_path, "ordered", [docs])
    dup = first[0]
    assert dup["quake-2"] == "wire-quake" and dup["wire-quake"] is None  # published a day earlier
    assert dup["rates-0"] == dup["b-rates"] == "a-rates" and dup["a-rates"] is None  # same day: by id
    assert dup["z-election"] == "election-2" and dup["election-2"] is None
    assert dup["zz-herald"] == "election-0" and sum(v is not None for v in dup.values()) == 5
    for seed in range(3):
        random.Random(seed).shuffle(docs)
        assert run_folded(tmp_path, f"shuffled{seed}", [docs]) == first
        assert run_folded(tmp_path, f"batches{seed}", [docs], batch=3) == first


def test_an_earlier_copy_arriving_later_takes_over_as_in_one_batch_run(tmp_path):
    """The copies come last, in growing runs: a stored original becomes a near-duplicate (its story loses
    it, its lines stop counting, so the Herald line is furniture no more), and the result is the batch's."""
    docs = with_copies()
    later = ["wire-quake", "a-rates", "election-0"]
    head = [d for d in docs if d.id not in later]
    tail = sorted((d for d in docs if d.id in later), key=lambda d: later.index(d.id))
    with Store(tmp_path / "growing.db") as store:
        analyse(store, head)
        assert store.document_links("quake-2")["duplicate_of"] is None
        tips = furniture.line_digest(TIPS)
        assert store.line_counts("Herald", [tips]) == {tips: 3}  # the copy counts: furniture
        analyse(store, tail[:2])
        analyse(store, tail[2:])
        growing = folded(store)
        assert store.line_counts("Herald", [tips]) == {tips: 2}  # not after it is folded
        assert store.document_links("zz-herald")["duplicate_of"] == "election-0"
        assert store.story_of("zz-herald") == store.story_of("election-0")
        record = contract.story(store, store.story_of("election-0"))  # its view was rebuilt: the copy is listed
        assert "zz-herald" in record["duplicates"] and "zz-herald" not in record["documents"]  # type: ignore[index]
    assert growing == run_folded(tmp_path, "batch", [docs])


def test_outlet_furniture_carries_no_weight(tmp_path):
    """Three unrelated Daily Planet articles share only a promo line: it is furniture, they stay apart,
    even though the first two were linked before the line recurred a third time."""
    texts = ["volcano eruption lava villagers evacuated ash", "football cup final penalty goalkeeper champions",
             "museum auction painting record bid collectors"]
    docs = [Document(id=f"p{i}", text=f"{t}.\n{PROMO}\n", outlet="Daily Planet", published=D0)
            for i, t in enumerate(texts)]
    with Store(tmp_path / "f.db") as store:
        analyse(store, docs[:2])
        analyse(store, docs[2:])
        story, _, _ = state(store)
    assert len(set(story.values())) == 3
    assert run_in(tmp_path, "fb", [docs])[0] == story


def test_a_store_keyed_by_the_old_line_keys_links_again(tmp_path):
    """Migration 11: the linker's line keys changed form, so a store written before it forgets its links
    and links every article again (keeping annotations), ending as a fresh analysis would."""
    with Store(tmp_path / "old.db") as store:
        analyse(store, corpus())
        expected = state(store)
        store.db.execute("DELETE FROM migrations WHERE version = 11")  # as written by the code before it
        store.db.execute("UPDATE link_lines SET key = 'old' || key")
    with Store(tmp_path / "old.db") as store:
        assert {d.id for d in store.documents() if store.story_of(d.id)} == set()
        assert store.db.execute("SELECT COUNT(*) FROM link_lines").fetchone()[0] == 0
        pipeline.link_pending(store)
        assert state(store) == expected


@pytest.mark.parametrize("version", [13, 14, 16, 17])
def test_a_store_with_the_old_names_links_again(tmp_path, version):
    """Migrations 13, 14 and 16: stored features named datelines and time zones (and, before 16, promos as
    headlines), which clustering no longer reads; 17: stored components and topics were cut without the topic
    level's time penalty. A store written before any of them links every article again, ending as a fresh
    analysis would."""
    with Store(tmp_path / "old.db") as store:
        analyse(store, corpus())
        expected = state(store)
        store.db.execute("DELETE FROM migrations WHERE version = ?", (version,))  # as the code before it wrote
        store.db.execute("""UPDATE features SET entities = '["BST", "LONDON"]'""")
    with Store(tmp_path / "old.db") as store:
        assert store.features() == [] and {d.id for d in store.documents() if store.story_of(d.id)} == set()
        pipeline.link_pending(store)
        assert state(store) == expected
        assert all("BST" not in f["entities"] for f in store.features())


def bridged(monkeypatch) -> tuple[Document, Document, Document]:
    """Two stories (a, c) and a later article (b) that holds both: it merges them, with cuts made low enough
    for the bag-of-words encoder."""
    monkeypatch.setattr(stories, "STORY_THRESHOLD", 0.2)
    monkeypatch.setattr(stories, "TOPIC_THRESHOLD", 0.1)
    a = Document(id="a", text="alpha bravo charlie delta.", published=D0)
    c = Document(id="c", text="echo foxtrot golf hotel.", published=D0 + timedelta(days=1))
    b = Document(id="b", text="alpha bravo charlie delta echo foxtrot golf hotel.", published=D0 + timedelta(days=2))
    return a, c, b


def test_a_merge_keeps_the_earlier_id_and_redirects_the_other(tmp_path, monkeypatch):
    a, c, b = bridged(monkeypatch)
    with Store(tmp_path / "m.db") as store:
        analyse(store, [a])
        analyse(store, [c])
        first, second = store.story_of("a"), store.story_of("c")
        assert first != second
        analyse(store, [b])
        assert store.story_of("a") == store.story_of("b") == store.story_of("c") == first
        assert store.redirect(second) == first
        assert store.redirect(first) is None
        assert store.story(second) is None and store.story(first) is not None


def test_merged_ids_redirect_in_the_api_and_pages_and_topics_are_served(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from storyline.server.api import create_app

    a, c, b = bridged(monkeypatch)
    path = tmp_path / "r.db"
    with Store(path) as store:
        analyse(store, [a])
        analyse(store, [c])
        old = store.story_of("c")
        analyse(store, [b])
        new = store.story_of("c")
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        r = client.get(f"/api/stories/{old}/timeline", follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == f"/api/stories/{new}/timeline"
        assert client.get(f"/stories/{old}", follow_redirects=False).headers["location"] == f"/stories/{new}"
        assert client.get("/api/stories/nonexistent").status_code == 404
        story = client.get(f"/api/stories/{new}").json()
        topics = client.get("/api/topics").json()["items"]
        assert [t["stories"] for t in topics] == [[new]] and story["topic"] == topics[0]["id"]
        assert client.get(f"/api/topics/{story['topic']}").json()["items"][0]["id"] == new
        assert f"/topics/{story['topic']}" in client.get("/").text
        page = client.get(f"/topics/{story['topic']}")
        assert page.status_code == 200 and f'name="topic" value="{story["topic"]}"' in page.text
        hits = client.get("/search", params={"q": "alpha", "topic": story["topic"]}).text
        assert "Only this topic" in hits and "/documents/a#" in hits
        assert "/documents/a#" not in client.get("/search", params={"q": "alpha", "topic": "elsewhere"}).text


def test_similarity_is_pure_and_time_aware():
    v = bag_of_words(["earthquake Gaziantep rescuers rubble"])[0]
    near = stories.Item("x", D0, v, ("Gaziantep",))
    same_day = stories.Item("y", D0, v, ("Gaziantep",))
    year_later = stories.Item("z", D0 + timedelta(days=365), v, ("Gaziantep",))
    undated = stories.Item("u", None, v, ("Gaziantep",))
    assert stories.similarity(near, same_day) == pytest.approx(1.0)
    assert stories.similarity(near, year_later) < stories.similarity(near, same_day) - 0.1
    assert stories.similarity(near, undated) == stories.similarity(near, same_day)  # content alone


def test_cluster_is_a_function_of_the_set_not_the_order():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, embed.DIM))
    items = []
    for k in range(40):
        v = centres[k % 4] + 0.6 * rng.normal(size=embed.DIM)
        items.append(stories.Item(f"i{k:02d}", D0 + timedelta(days=int(rng.integers(0, 60))),
                                  (v / np.linalg.norm(v)).astype(np.float32), (f"E{k % 4}",)))
    expected = stories.cluster(items)
    for seed in range(5):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        assert stories.cluster(shuffled) == expected


def test_titles_are_never_bylines_or_datelines():
    furniture_keys: set[str] = set()
    for bad in ["James Reynolds | 11:50 UK time, Monday, 18 May 2009 As I've", "By Tim Lister and Emily Smith, CNN",
                "Updated 09:05 GMT", "Monday, 18 May 2009, 11:50 GMT 12:50 UK"]:
        assert stories.usable_headline(bad, furniture_keys) is None, bad
    assert stories.usable_headline("Earthquake kills dozens in Turkey", furniture_keys)
    promo = "Daily Planet morning briefing newsletter"
    assert stories.usable_headline(promo, {stories.furniture.line_digest(promo)}) is None
    # a promo the template put in one page's title: nothing in it is in the article
    text = "Fishing towns along the coast are counting the cost of the spill.\nThe boats stay in harbour."
    assert stories.usable_headline("Your new state pension: how will you be affected?", set(), text) is None
    assert stories.usable_headline("Spill leaves fishing fleet in harbour", set(), text)
    # a lead sentence the page gave as its title is no headline; a headline may still ask or exclaim
    lead = ("Two days after the spill, fishermen in the harbour towns counted their losses and said they would "
            "not \"go back out.\"")
    assert stories.usable_headline(lead, set(), text) is None
    assert stories.usable_headline("Will the spill finish the fishing towns?", set(), text)


def test_where_when_and_by_whom_a_page_was_filed_is_not_a_name():
    for furniture_name in ["BST", "GMT LONDON", "22:17 GMT Help As BP", "Thu May 14", "Mon Mar 7, 2011", "AP",
                           "Associated Press", "Reuters", "BBC News"]:
        assert stories.not_a_name(furniture_name), furniture_name
    assert stories.not_a_name("BBC Radio 4", outlet="BBC") and not stories.not_a_name("BBC Radio 4", outlet="CNN")
    assert stories.not_a_name("Guardian", outlet="The Guardian")
    for name in ["Benghazi", "Barack Obama", "NATO", "BP", "Washington", "Gulf of Mexico"]:
        assert not stories.not_a_name(name), name
    text = ("WASHINGTON (CNN) - The Senate voted.\nLONDON, Feb. 10--Fred said.\n"
            "NATO-led jets flew. NATO, the alliance, met.\nPORT FOURCHON, LA.--Boats idled.\n"
            "DOVER, Delaware | Sun Oct 10, 2010 The court sat.\nSTANLEY, Falkland Is. (AP) - Rain fell.\n"
            "The USA, UK and EU - all three - met.")
    dateline = [("WASHINGTON", 0), ("LONDON", text.index("LONDON")), ("PORT FOURCHON", text.index("PORT")),
                ("DOVER", text.index("DOVER")), ("STANLEY", text.index("STANLEY"))]
    for name, start in dateline:
        assert stories.not_a_name(name, text, start + len(name)), name
    for start in (text.index("NATO-led"), text.index("NATO, the")):
        assert not stories.not_a_name("NATO", text, start + 4)
    assert not stories.not_a_name("USA", text, text.index("USA,") + 3)


def test_datelines_time_zones_and_credits_join_nothing():
    """Two unrelated wire reports filed from one city at one time of day, credited to one agency, share only
    those names: they are not features, so the two stay apart at every level."""
    def report(i, lead, names):
        text = f"LONDON (Reuters) - 11:02 BST {lead}. (AP Photo)\n"
        ents = [Entity(f"r{i}", 0, 0, 6, "LONDON", "GPE"), Entity(f"r{i}", 0, 17, 20, "BST", "ORG"),
                Entity(f"r{i}", 0, text.index("AP Photo"), text.index("AP Photo") + 2, "AP", "ORG")]
        for n in names:
            ents.append(Entity(f"r{i}", 0, text.index(n), text.index(n) + len(n), n, "PERSON"))
        doc = Document(id=f"r{i}", text=text, outlet="Daily Planet", published=D0)
        return stories.item(doc, bag_of_words([lead])[0], ents, set())

    quake = report(0, "Gaziantep earthquake rescuers", ["Gaziantep"])
    vote = report(1, "Lisbon ballots socialists", ["Lisbon"])
    assert quake.entities == ("Gaziantep",) and vote.entities == ("Lisbon",)
    assert len(stories.cluster([quake, vote])) == 2


def test_title_is_the_central_headline_of_the_busiest_week():
    def it(i, day, vec, headline):
        v = np.array(vec, dtype=np.float32)
        return stories.Item(i, D0 + timedelta(days=day), v / np.linalg.norm(v), (), headline)

    members = [it("a", 0, [1, 0], "Early report far from the centre"),
               it("b", 30, [1, 1], "Quake survivors pulled from rubble"),
               it("c", 31, [1, 0.2], "Aid arrives in quake zone"),
               it("d", 32, [0.2, 1], "Rescue teams reach villages")]
    assert stories.title(members) == "Quake survivors pulled from rubble"


def test_headline_less_stories_are_named_by_entities_and_event_words():
    lead = [("protesters", "tahrir", "square", "curfew"), ("protests", "tahrir", "curfew"), ("tahrir", "army")]
    members = [stories.Item(f"m{i}", D0, np.ones(2, dtype=np.float32), ("Mubarak", "Egypt"), None, words)
               for i, words in enumerate(lead)]
    assert stories.title(members) == "Mubarak, Egypt: tahrir, protesters, curfew"


def test_a_headline_less_article_is_named_by_what_it_opens_with_not_the_alphabet():
    lead = ("tar", "balls", "washed", "ashore", "pensacola", "beach", "thursday", "cleanup", "crews")
    names = ("Pensacola Beach", "BST", "22:17 GMT Help As BP", "Thu Jun 3", "Florida", "BP")
    alone = stories.Item("p", D0, np.ones(2, dtype=np.float32), names, None, lead)
    assert stories.title([alone]) == "Pensacola Beach, Florida, BP: balls, washed, ashore"


def _brute_average_link(groups, sim, threshold):
    """Group average-link written out the slow, obvious way (the reference for the scipy one)."""
    groups = [sorted(g) for g in groups]
    while len(groups) > 1:
        best, pair = None, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                avg = float(np.mean(sim[np.ix_(groups[i], groups[j])]))
                if best is None or avg > best:
                    best, pair = avg, (i, j)
        if best < threshold:
            break
        i, j = pair
        groups[i] = sorted(groups[i] + groups.pop(j))
    return sorted(groups)


def test_topic_average_link_over_stories_is_group_average_link():
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = int(rng.integers(2, 30))
        x = rng.normal(size=(n, 5))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        sim = np.round(x @ x.T, 5)
        cuts = np.sort(rng.choice(np.arange(1, n), size=int(rng.integers(0, n - 1)), replace=False))
        groups = [list(g) for g in np.split(rng.permutation(n), cuts)]
        threshold = float(rng.uniform(-0.2, 0.5))
        assert sorted(stories._average_link_over(groups, sim, threshold)) == _brute_average_link(groups, sim, threshold)


def chain(name, start, axis, names, tilt=None) -> list[stories.Item]:
    """Four articles of one event chain on consecutive days from ``start``: the chain's words (``axis``) and
    each article's own, with a little of another chain's words (``tilt``) if given."""
    out = []
    for k in range(4):
        v = np.zeros(embed.DIM)
        v[axis], v[40 + 4 * axis + k] = 3.0, 1.0
        if tilt is not None:
            v[tilt] = 0.6
        out.append(stories.Item(f"{name}{k}", D0 + timedelta(days=start + k),
                                (v / np.linalg.norm(v)).astype(np.float32), names))
    return out


def test_a_topic_joins_event_chains_months_apart_by_their_names():
    # two event chains of one crisis, four months apart, in different words (embedding cosine 0), naming
    # some of the same people and places; a third chain a little like the second in words, naming others
    spill = chain("spill", 0, 0, ("BP", "Gulf of Mexico", "Louisiana", "Tony Hayward"))
    hearing = chain("hearing", 120, 1, ("BP", "Gulf of Mexico", "Congress", "Henry Waxman"))
    other = chain("other", 125, 2, ("Exxon", "Alaska", "Anchorage", "Rex Tillerson"), tilt=1)
    topics = stories.cluster(spill + hearing + other)
    topic_of = {i: t for t, topic in enumerate(topics) for story in topic for i in story}
    story_of = {i: tuple(story) for topic in topics for story in topic for i in story}
    assert story_of["spill0"] == tuple(f"spill{k}" for k in range(4))  # each chain its own story
    assert story_of["hearing0"] == tuple(f"hearing{k}" for k in range(4))
    assert topic_of["spill0"] == topic_of["hearing0"]  # one topic: the same crisis
    assert topic_of["other0"] != topic_of["hearing0"]  # words a little alike, names not: another topic


@pytest.mark.parametrize(("gap", "together"), [(60, True), (3 * 365, False)])
def test_one_kind_of_news_years_apart_is_two_topics(gap, together):
    """Two event chains in different words that share one name of five (a country that business pages name
    whatever they are about) are one topic when weeks apart, two when years apart: the topic level pays for
    time too, less than the story level."""
    crash = chain("crash", 0, 0, ("United States", "Lehman Brothers", "Wall Street", "Henry Paulson", "AIG"))
    later = chain("later", gap, 1, ("United States", "Ford", "Detroit", "Alan Mulally", "United Auto Workers"))
    topics = stories.cluster(crash + later)
    topic_of = {i: t for t, topic in enumerate(topics) for story in topic for i in story}
    assert [len(story) for topic in topics for story in topic] == [4, 4]  # two stories either way
    assert (topic_of["crash0"] == topic_of["later0"]) is together


def test_sentence_vectors_are_stored_so_a_later_run_embeds_only_new_sentences(tmp_path, monkeypatch):
    embedded: list[str] = []

    def counting(texts):
        embedded.extend(texts)
        return bag_of_words(texts)

    monkeypatch.setattr(embed, "embed", counting)
    first = ["Oil began leaking on 20 April when the rig exploded.", "BP capped the well on 15 July."]
    with Store(tmp_path / "v.db") as store:
        got = embed.stored(store, set(first))
        assert sorted(embedded) == sorted(first)
        assert all(np.array_equal(got[t], bag_of_words([t])[0]) for t in first)
    with Store(tmp_path / "v.db") as store:  # another process, the same database
        embedded.clear()
        again = embed.stored(store, {*first, "The leaking oil was stopped on 15 July."})
        assert embedded == ["The leaking oil was stopped on 15 July."]
        assert all(np.array_equal(again[t], got[t]) for t in first)


def test_the_annotation_workers_embed_what_the_linker_compares(tmp_path, monkeypatch):
    """Each article's headline and lead are embedded where it is annotated (in the workers, in parallel) and
    kept with its annotations: linking finds every vector stored and embeds none itself. The worker leaves
    out the lines the linker will find to be outlet furniture: here a promo line in three articles of one
    outlet (too few for the stored-text rule to delete it, enough for the linking rule)."""
    embedded: list[str] = []

    def counting(texts):
        embedded.extend(texts)
        return bag_of_words(texts)

    monkeypatch.setattr(embed, "embed", counting)
    texts = ["volcano eruption lava villagers evacuated ash", "football cup final penalty goalkeeper champions",
             "museum auction painting record bid collectors"]
    docs = [Document(id=f"p{i}", text=f"{t}.\n{PROMO}\n", outlet="Daily Planet", published=D0)
            for i, t in enumerate(texts)]
    with Store(tmp_path / "w.db") as store:
        pipeline.ingest(store, docs)
        pipeline.annotate_pending(store, workers=1)
        assert sorted(embedded) == [f"{t}." for t in sorted(texts)]  # the promo line left out
        embedded.clear()
        pipeline.link_pending(store)
        assert embedded == []
        assert len(set(state(store)[0].values())) == 3


def test_a_wrong_furniture_guess_is_only_a_cache_miss(tmp_path, monkeypatch):
    """Where the text embedded with the annotations is not the one the linker compares (a line became
    furniture in between), the linker embeds its own: the same stories."""
    right = run_in(tmp_path, "right", [corpus()])
    monkeypatch.setattr(pipeline, "lead_texts", lambda store, docs: {d.id: "a wrong guess" for d in docs})
    assert run_in(tmp_path, "wrong", [corpus()]) == right


def test_event_words_leave_out_what_the_lead_writes_only_as_a_name():
    """A byline, a dateline and a place name mid-sentence are names, not what happened; a word the lead also
    writes in lower case ("beach") or only at a sentence's start stays a candidate."""
    body = ["By Jorn Madslien, business reporter",
            "NEW YORK -- Shares of BP fell in New York as tar balls reached the beach at Pensacola Beach.",
            "Crews cleaned up."]
    assert stories.name_words(body) == {"jorn", "madslien", "new", "york", "bp", "pensacola"}
    doc = Document(id="x", text="\n".join(body), title=None, published=D0)
    it = stories.item(doc, np.ones(2, dtype=np.float32), [], set())
    assert "madslien" not in it.words and "york" not in it.words
    assert {"shares", "beach", "crews"} <= set(it.words)


def test_lines_deleted_from_later_articles_still_count_as_theirs(tmp_path):
    """The stored-text rule deletes an outlet's promo only once the outlet has sent it often enough, so the
    articles analysed first keep it in their text; the linker counts a deleted line as the article's own,
    so the promo is furniture for the first articles too, as in one batch run (where it is deleted from all)."""
    docs = corpus()
    planet = [d for d in docs if d.outlet == "Daily Planet"]  # six articles, each with PROMO

    def features(store):
        return {r["document"]: (r["vector"], tuple(r["entities"]), tuple(r["words"])) for r in store.features()}

    with Store(tmp_path / "grown.db") as store:
        analyse(store, planet[:2])
        analyse(store, [d for d in docs if d not in planet[:2]])
        assert PROMO in store.document(planet[0].id).text and PROMO not in store.document(planet[-1].id).text
        grown = features(store), state(store)
    with Store(tmp_path / "one.db") as store:
        analyse(store, docs)
        assert PROMO not in store.document(planet[0].id).text
        assert (features(store), state(store)) == grown
