import io
import json
import os
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from storyline import contract
from storyline.analysis.compare import (
    build_claims,
    claim_units,
    cluster,
    compare_view,
    dates_apart,
    make_view,
    strip_dateline,
    widely_reported,
)
from storyline.analysis.framing import find_framing, own_voice, quoted_fraction
from storyline.annotate.nlp import split_sentences
from storyline.model import Document, Event, Mention, Quote, Sentence, Story
from storyline.render.terminal import render_compare
from storyline.run.views import load_view

DATA = Path(__file__).parent / "data" / "compare"
T17 = Path(os.environ.get("STORYLINE_T17", Path(__file__).resolve().parents[2] / "shared/datasets/timeline17/data"))


def sent(text, doc="d", index=0, paragraph=0):
    return Sentence(doc, index, 0, len(text), text, paragraph)


def kinds(findings):
    return sorted({f.kind for f in findings})


# -- framing ---------------------------------------------------------------------------------------------
def test_epithet_on_a_named_actor_is_found_with_its_clause():
    s = sent("Governor Lena Marsh, who has brutally suppressed protests and jailed critics, "
             "opened the bridge.")
    found = [f for f in find_framing([s]) if f.kind == "epithet"]
    assert len(found) == 1
    assert found[0].target == "Lena Marsh"
    assert found[0].phrase.startswith("Lena Marsh, who has brutally suppressed protests")
    assert found[0].text == s.text and found[0].document == "d" and found[0].sentence == 0


def test_neutral_relative_clause_is_not_an_epithet():
    s = sent("Foreign minister Ana Rios, who arrived in Lisbon on Monday, met her counterpart.")
    assert find_framing([s]) == []


def test_labels_doubt_and_attribution_verbs():
    s = sent("Moscow-backed rebels and pro-Western activists denounced the so-called referendum, "
             "and the junta claimed that turnout was high.")
    found = find_framing([s])
    by_kind = defaultdict(list)
    for f in found:
        by_kind[f.kind].append(f.phrase)
    assert "Moscow-backed rebels" in by_kind["label"]
    assert "pro-Western activists" in by_kind["label"]
    assert any(p.startswith("so-called referendum") for p in by_kind["doubt"])
    assert any("junta" in p for p in by_kind["label"])
    assert any(p.endswith("claimed") for p in by_kind["attribution"])


def test_quoted_words_belong_to_the_speaker_not_the_outlet():
    s = sent('"This brutal regime must go," the opposition leader said.')
    assert find_framing([s]) == []
    # an indirect quote span found by the quote extractor is masked too
    s2 = sent("The mayor said that the council was a corrupt regime of cronies.", doc="m")
    start = s2.text.index("the council")
    q = Quote("m", 0, start, len(s2.text) - 1, s2.text[start:-1], "Mayor", "The mayor", "said", "indirect")
    assert find_framing([s2], [q]) == []
    assert find_framing([s2]) != []  # without the quote span, the words would count as the outlet's


def test_noun_claims_is_not_an_attribution_verb():
    s = sent("Commenting on the officials' claims about troop movements, the spokesman said nothing.")
    assert [f for f in find_framing([s]) if f.kind == "attribution"] == []


def test_quote_masks_across_sentences():
    a = sent('"We will not give in to pressure.')
    b = sent('They are brutal people," he said.')
    assert own_voice(a).strip() == ""
    assert "brutal" not in own_voice(b)
    assert quoted_fraction(b) > 0.5


# -- claims ----------------------------------------------------------------------------------------------
def doc(i, outlet, day, text):
    return Document(i, text, outlet=outlet, published=date(2023, 3, day))


def view_of(docs, events=(), quotes=()):
    sentences = {d.id: split_sentences(d.id, d.text) for d in docs}
    story = Story("s", "Test story", [d.id for d in docs], list(events), list(quotes))
    return make_view(story, docs, sentences)


def test_boilerplate_quotes_and_fragments_are_not_claims():
    d = doc("a", "Wire", 1, "The city council approved the new budget for schools on Monday evening.\n\n"
                           '"We are proud of this budget," the mayor said.\n\n'
                           "Background:\n\n"
                           "Reporters work hard. Support The Wire or become our patron!\n\nTop")
    units = claim_units([d], {"a": split_sentences("a", d.text)})
    assert [u.text for u in units] == [
        "The city council approved the new budget for schools on Monday evening."]


def test_same_claim_in_other_words_merges_across_outlets_and_different_claims_do_not():
    docs = [
        doc("a", "Wire", 1, "The central bank raised its key interest rate by half a point to fight "
                            "inflation.\n\nFishermen in the north protested against new quotas."),
        doc("b", "Daily", 1, "To fight inflation, the central bank raised its key interest rate by half "
                             "a point."),
        doc("c", "Gazette", 2, "A new museum of modern art opened in the old harbour district."),
    ]
    v = view_of(docs)
    rate = next(c for c in v.claims if "interest rate" in c.text)
    assert rate.outlets == ["Daily", "Wire"] and rate.documents == ["a", "b"]
    single = [c for c in v.claims if len(c.outlets) == 1]
    assert {c.outlets[0] for c in single} == {"Wire", "Gazette"}
    assert all(c.as_dict()["single_outlet"] for c in single)


def test_sentences_about_different_days_stay_apart():
    assert dates_apart([(date(2022, 1, 10), date(2022, 1, 10))], [(date(2022, 1, 21), date(2022, 1, 21))])
    assert not dates_apart([(date(2022, 1, 9), date(2022, 1, 10))], [(date(2022, 1, 10), date(2022, 1, 10))])
    assert not dates_apart([], [(date(2022, 1, 10), date(2022, 1, 10))])
    a = "The foreign ministers held talks in Geneva on January 10 about the security proposals."
    b = "The foreign ministers held talks in Geneva on January 21 about the security proposals."
    c = "The foreign ministers held talks in Geneva on Monday about the security proposals."
    docs = [doc("a", "Wire", 1, a), doc("b", "Daily", 1, b), doc("c", "Gazette", 1, c)]
    sentences = {d.id: split_sentences(d.id, d.text) for d in docs}
    units = claim_units(docs, sentences)
    # unresolved, the days as written decide: "January 10", "January 21" and "Monday" are three days
    assert len(build_claims(units)) == 3
    # resolved by the timeline, Monday is January 10: the same talks
    events = [Event(date(2022, 1, 10), "day", a, [Mention("a", 0, a, date(2022, 1, 10)),
                                                  Mention("c", 0, c, date(2022, 1, 10))]),
              Event(date(2022, 1, 21), "day", b, [Mention("b", 0, b, date(2022, 1, 21))])]
    claims = build_claims(units, events=events)
    assert sorted(c.documents for c in claims) == [["a", "c"], ["b"]]


def test_claims_computed_a_block_of_sentences_at_a_time_are_the_same_claims():
    # the cosines of a big story are computed a block of rows at a time to bound memory; any block size
    # must give the clusters of the whole product
    import numpy as np
    from scipy.sparse import random as sparse_random
    from sklearn.preprocessing import normalize

    x = normalize(sparse_random(300, 40, density=0.15, format="csr", random_state=np.random.default_rng(7)))
    whole = cluster(x, threshold=0.3, min_shared=2, block=300)
    assert any(len(g) > 1 for g in whole) and any(len(g) == 1 for g in whole)
    for block in (1, 7, 64):
        assert cluster(x, threshold=0.3, min_shared=2, block=block) == whole


def test_strip_dateline():
    assert strip_dateline("MOSCOW, January 19. /TASS/. Moscow hopes to hear.") == "Moscow hopes to hear."
    assert strip_dateline("LONDON (Reuters) - BP shares fell.") == "BP shares fell."
    assert strip_dateline("NATO Secretary General Jens Stoltenberg replied.") == \
        "NATO Secretary General Jens Stoltenberg replied."
    assert strip_dateline("US officials said so.") == "US officials said so."
    assert strip_dateline("AP GDYNIA, Poland--Firefighters worked through Saturday.") == \
        "Firefighters worked through Saturday."


# -- adds and omits ----------------------------------------------------------------------------------------
def test_adds_and_omits_follow_events_and_the_majority_rule():
    texts = {
        "a": "The strike began on March 3 after wage talks collapsed.\n\nShips were unloaded on March 14.",
        "b": "The strike began on March 3 after wage talks broke down.",
        "c": "The strike began on March 3 after wage talks failed.",
    }
    docs = [doc(i, o, 15, texts[i]) for i, o in (("a", "Wire"), ("b", "Daily"), ("c", "Gazette"))]
    sentences = {d.id: split_sentences(d.id, d.text) for d in docs}
    start = Event(date(2023, 3, 3), "day", "The strike began", [
        Mention("a", 0, texts["a"].split("\n")[0], date(2023, 3, 3)),
        Mention("b", 0, texts["b"], date(2023, 3, 3)), Mention("c", 0, texts["c"], date(2023, 3, 3))])
    ships = Event(date(2023, 3, 14), "day", "Ships were unloaded", [
        Mention("a", 1, "Ships were unloaded on March 14.", date(2023, 3, 14))])
    v = make_view(Story("s", "Strike", ["a", "b", "c"], [start, ships]), docs, sentences)
    result = compare_view(v)
    by = {o["outlet"]: o for o in result["outlets"]}
    assert by["Wire"]["events"] == [0, 1] and by["Daily"]["events"] == [0]
    assert [a["event"] for a in by["Wire"]["adds"] if a["kind"] == "event"] == [1]
    assert all(a["kind"] != "event" for a in by["Daily"]["adds"])
    assert by["Daily"]["omits"] == [] and by["Gazette"]["omits"] == []  # one outlet is not "widely reported"
    cells = {r["event"]: r["cells"] for r in result["matrix"]["events"]}
    assert cells[1] == [o == "Wire" for o in result["matrix"]["outlets"]]
    assert widely_reported(3) == 2 and widely_reported(5) == 2 and widely_reported(7) == 3


def test_only_here_and_omits_are_ranked_by_how_central_they_are_to_the_story():
    """What one outlet alone reports, most central first: a claim about the strike itself that two of its
    articles lead with, then a passing detail, then history it recalls from 1851 (background); every item
    kept, with its score and rank."""
    strike = "Dockworkers in Valmora kept their strike going as wage talks with the port authority stalled."
    texts = {
        "a1": f"{strike}\n\nUnion leaders said dockworkers would strike until the port authority raised wages.\n\n"
              "A cafe near the gate sold out of sandwiches during the afternoon.\n\n"
              "The port was founded by merchants on 4 May 1851.",
        "a2": "Union leaders said the dockworkers' strike would go on until the port authority raised wages.\n\n"
              f"{strike}",
        "b": f"{strike}\n\nThe port authority called the walkout illegal.",
        "c": f"{strike}\n\nThe port authority called the strike unlawful.",
    }
    docs = [doc(i, o, day, texts[i]) for i, o, day in
            (("a1", "Wire", 3), ("a2", "Wire", 5), ("b", "Daily", 4), ("c", "Gazette", 4))]
    founded = Event(date(1851, 5, 4), "day", "The port was founded by merchants on 4 May 1851.", [
        Mention("a1", 3, "The port was founded by merchants on 4 May 1851.", date(1851, 5, 4))])
    result = compare_view(view_of(docs, [founded]))
    adds = next(o for o in result["outlets"] if o["outlet"] == "Wire")["adds"]
    texts_in_order = [a["text"] for a in adds]
    assert texts_in_order[0].startswith("Union leaders said")
    assert texts_in_order.index("A cafe near the gate sold out of sandwiches during the afternoon.") < \
        texts_in_order.index("The port was founded by merchants on 4 May 1851.")
    assert [a["rank"] for a in adds] == list(range(1, len(adds) + 1))
    assert [a["score"] for a in adds] == sorted((a["score"] for a in adds), reverse=True)
    claims = result["claims"]
    assert claims[0]["text"] == strike or len(claims[0]["outlets"]) == 3  # the story's core leads
    assert [c["rank"] for c in claims] == list(range(1, len(claims) + 1))


def test_render_compare_caps_each_list_and_says_how_many_more():
    items = [{"kind": "claim", "text": f"Claim number {k} about the strike.", "score": 1.0 / (k + 1), "rank": k + 1}
             for k in range(9)]
    result = {"story": "s", "title": "T", "matrix": {"events": [], "outlets": []}, "claims": [],
              "outlets": [{"outlet": "Wire", "documents": ["a"], "first": None, "last": None, "events": [],
                           "adds": items, "omits": [], "framing": [], "attribution": {}, "speakers": []}]}
    buf = io.StringIO()
    render_compare(result, Console(file=buf, width=200), limit=6)
    out = buf.getvalue()
    assert "Claim number 5" in out and "Claim number 6" not in out and "3 more" in out


def test_one_outlet_adds_and_omits_nothing():
    d = doc("a", "Wire", 1, "The council approved the new school budget on Monday evening.")
    result = compare_view(view_of([d]))
    assert result["outlets"][0]["adds"] == [] and result["outlets"][0]["omits"] == []


# -- end to end on the fixture story --------------------------------------------------------------------
@pytest.fixture(scope="module")
def strike_store(tmp_path_factory):
    from storyline.run import pipeline
    from storyline.store import Store

    store = Store(tmp_path_factory.mktemp("cmp") / "s.db")
    pipeline.analyze(store, [str(DATA / "port_strike.jsonl")], workers=1)
    yield store
    store.close()


def compare_story(store, story_id):
    """The comparison as the read side serves it: from the story's stored views."""
    record = contract.story(store, story_id)
    return {"story": story_id, "title": record["title"], "matrix": contract.view(store, story_id, "matrix"),
            "outlets": record["outlets"], "claims": record["claims"]}


def story_extras(store, story_id):
    record = contract.story(store, story_id)
    return {k: record[k] for k in ("outlets", "claims", "summary")}


def test_stored_comparison_is_the_comparison_of_the_story_as_stored(strike_store):
    sid = _main_story(strike_store)
    fresh = json.loads(json.dumps(compare_view(load_view(strike_store, sid))))
    assert compare_story(strike_store, sid) == fresh


def _main_story(store):
    return max(store.stories(), key=lambda s: (s["outlets"], s["documents"]))["id"]


def test_fixture_story_framing_adds_and_omits(strike_store):
    sid = _main_story(strike_store)
    result = compare_story(strike_store, sid)
    json.dumps(result)  # JSON-serialisable
    by = {o["outlet"]: o for o in result["outlets"]}
    assert set(by) == {"Harbor Wire", "Coastal Times", "The Sentinel"}
    sentinel = {f["kind"] for f in by["The Sentinel"]["framing"]}
    assert {"epithet", "doubt", "label", "attribution"} <= sentinel
    epithet = next(f for f in by["The Sentinel"]["framing"] if f["kind"] == "epithet")
    assert "brutally suppressed protests" in epithet["phrase"] and epithet["document"] == "sn-1"
    for other in ("Harbor Wire", "Coastal Times"):
        assert not [f for f in by[other]["framing"] if f["kind"] in ("epithet", "doubt", "label")]
    # the call to action is boilerplate: neither a claim nor something The Sentinel "adds"
    assert not any("patron" in a["text"] or "alive" in a["text"] for a in by["The Sentinel"]["adds"])
    events = result["matrix"]["events"]
    only_wire = [e for e in events if e["outlets"] == ["Harbor Wire"]]
    assert any(e["date"] == "2023-03-14" for e in only_wire)
    start = next(e for e in events if e["date"] == "2023-03-03")
    assert len(start["outlets"]) == 3
    assert any(a.get("date") == "2023-03-14" for a in by["Harbor Wire"]["adds"])
    assert by["Harbor Wire"]["speakers"] and by["Harbor Wire"]["attribution"]


def test_story_extras_is_the_contract(strike_store):
    sid = _main_story(strike_store)
    extras = story_extras(strike_store, sid)
    assert set(extras) == {"outlets", "claims", "summary"}
    for o in extras["outlets"]:
        assert {"outlet", "documents", "events", "adds", "omits", "framing"} <= set(o)
        for a in o["adds"]:
            assert {"text", "document"} <= set(a)
        for m in o["omits"]:
            assert "text" in m
        for f in o["framing"]:
            assert {"kind", "phrase", "sentence", "document"} <= set(f)
    for c in extras["claims"]:
        assert {"text", "documents"} <= set(c)
    for s in extras["summary"]:
        assert {"sentence", "documents"} <= set(s) and s["documents"]


def test_render_compare_prints_article_text_literally():
    v = view_of([doc("a", "[bold]Wire[/bold]", 1, "The council [red]approved[/red] the budget on Monday."),
                 doc("b", "Daily", 1, "A museum of modern art opened in the harbour district on Monday.")])
    buf = io.StringIO()
    render_compare(compare_view(v), Console(file=buf, width=200, color_system=None))
    out = buf.getvalue()
    assert "[bold]Wire[/bold]" in out and "[red]approved[/red]" in out


def test_report_template_escapes_and_draws_the_matrix(strike_store):
    from storyline.render.report import render_html

    sid = _main_story(strike_store)
    data = contract.build(strike_store, [sid])
    story = data["stories"][0]
    story.update(story_extras(strike_store, sid))
    story["quotes"] = []  # report.html's quote grouping is not what this test is about
    story["outlets"][0]["framing"].append({"kind": "label", "phrase": "<script>alert(1)</script>",
                                           "sentence": "<b>x</b>", "document": story["documents"][0]})
    html = render_html(data)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'class="cmp-matrix"' in html and html.count('role="cell"') >= len(story["timeline"]) * 3


# -- Timeline17: a real multi-outlet story ---------------------------------------------------------------
def _load_bench():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "summary_rouge.py"
    spec = importlib.util.spec_from_file_location("summary_rouge", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(not T17.is_dir(), reason="Timeline17 not available")
def test_t17_multi_outlet_invariants(tmp_path):
    from storyline.run import pipeline
    from storyline.store import Store

    bench = _load_bench()
    docs = []
    for outlet in ("bbc", "guardian", "reuters", "foxnews", "washingtonpost"):
        arts = [d for d, _ in bench.read_articles(T17 / f"bpoil_{outlet}")
                if date(2010, 6, 1) <= d.published <= date(2010, 6, 4)]
        docs.extend(arts[:4])
    assert len({d.outlet for d in docs}) >= 3 and len(docs) >= 15
    with Store(tmp_path / "t17.db") as store:
        pipeline.ingest(store, docs)
        pipeline.annotate_pending(store, workers=1)
        pipeline.link_pending(store)
        multi = [s for s in store.stories() if s["outlets"] >= 3]
        assert multi, "the articles should form at least one story told by 3+ outlets"
        for s in multi:
            check_invariants(store, compare_story(store, s["id"]))


def check_invariants(store, result):
    story = store.story(result["story"])
    outlet_of = {d.id: d.outlet or d.id for d in store.documents(story.documents)}
    outlets = result["matrix"]["outlets"]
    n = len(outlets)
    need = widely_reported(n)
    event_outlets = [sorted({outlet_of[d] for d in ev.documents}) for ev in story.events]
    for row in result["matrix"]["events"]:
        assert row["outlets"] == event_outlets[row["event"]]
        assert row["cells"] == [o in row["outlets"] for o in outlets]
    claim_outlets = {c["text"]: c["outlets"] for c in result["claims"]}
    sentence_text = {}
    for d in story.documents:
        for s in store.sentences(d):
            sentence_text[(d, s.index)] = s.text
    for entry in result["outlets"]:
        o = entry["outlet"]
        assert all(outlet_of[d] == o for d in entry["documents"])
        assert entry["events"] == [i for i, outs in enumerate(event_outlets) if o in outs]
        for a in entry["adds"]:
            assert outlet_of[a["document"]] == o
            if a["kind"] == "event":
                assert event_outlets[a["event"]] == [o]
            else:
                assert claim_outlets[a["text"]] == [o]
        for m in entry["omits"]:
            assert o not in m["outlets"] and len(m["outlets"]) >= need
        for f in entry["framing"]:
            assert outlet_of[f["document"]] == o
            assert sentence_text[(f["document"], f["sentence_index"])] == f["sentence"]
    for c in result["claims"]:
        assert set(c["documents"]) <= set(story.documents)
        assert c["outlets"] == sorted({outlet_of[d] for d in c["documents"]})
        assert c["single_outlet"] == (len(c["outlets"]) == 1)


# -- the bundled example story -------------------------------------------------------------------------
def test_seed_story_only_one_outlet_frames_actors_with_epithets(seed_db):
    from storyline.store import Store

    with Store(seed_db) as store:
        sid = max(store.stories(), key=lambda s: s["outlets"])["id"]
        result = compare_story(store, sid)
        check_invariants(store, result)
    loaded = {o["outlet"] for o in result["outlets"]
              if any(f["kind"] in ("epithet", "label", "doubt") for f in o["framing"])}
    assert len(loaded) == 1
    (outlet,) = loaded
    assert outlet == "Ukrainska Pravda"  # by reading: the one account that labels actors (see README)
    entry = next(o for o in result["outlets"] if o["outlet"] == outlet)
    epithets = [f for f in entry["framing"] if f["kind"] == "epithet"]
    assert epithets and all(f["sentence"] in store_sentences(seed_db, f["document"]) for f in epithets)
    # every outlet adds something and the matrix has a row per timeline event
    assert all(o["adds"] for o in result["outlets"])
    assert [r["event"] for r in result["matrix"]["events"]] == list(range(len(result["matrix"]["events"])))


def store_sentences(db, doc_id):
    from storyline.store import Store

    with Store(db) as store:
        return {s.text for s in store.sentences(doc_id)}
