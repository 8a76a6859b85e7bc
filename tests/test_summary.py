import importlib.util
import io
import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from storyline.analysis.compare import Unit, make_view, vectorize
from storyline.analysis.summary import lexrank, summarize_units, summarize_view
from storyline.annotate.nlp import split_sentences
from storyline.model import Document, Story
from storyline.render.terminal import render_summary

T17 = Path(os.environ.get("STORYLINE_T17", Path(__file__).resolve().parents[2] / "shared/datasets/timeline17/data"))


def units_of(rows):
    return [Unit(doc, outlet, idx, text, None, n) for n, (doc, outlet, idx, text) in enumerate(rows)]


def test_lexrank_puts_the_hub_first_and_sums_to_one():
    texts = ["flood river town evacuated rain", "flood river rain", "flood town evacuated",
             "river town rain evacuated", "stock market fell sharply today"]
    p = lexrank(vectorize(texts))
    assert abs(p.sum() - 1) < 1e-9
    assert int(np.argmax(p)) == 0
    assert p[4] == min(p)


def test_widely_reported_claim_is_preferred_and_lists_every_source():
    rows = [
        ("a", "Wire", 3, "Floodwaters forced the evacuation of twelve thousand residents of the town."),
        ("b", "Daily", 4, "Twelve thousand residents of the town were evacuated because of floodwaters."),
        ("c", "Gazette", 5, "The evacuation of twelve thousand town residents was forced by floodwaters."),
        ("a", "Wire", 0, "The river burst its banks after three days of rain across the region."),
        ("b", "Daily", 0, "Local football fans celebrated the club's promotion in the town square."),
    ]
    out = summarize_units(units_of(rows), k=1)
    assert len(out) == 1
    assert "twelve thousand" in out[0]["sentence"].lower()
    assert out[0]["documents"] == ["a", "b", "c"] and out[0]["outlets"] == ["Daily", "Gazette", "Wire"]


def test_near_duplicates_are_not_both_chosen():
    rows = [
        ("a", "Wire", 0, "The government announced a new tax on sugary drinks to start in January."),
        ("a", "Wire", 1, "The government announced a new tax on sugary drinks, starting in January."),
        ("b", "Daily", 0, "Doctors welcomed the measure, saying it would reduce childhood obesity."),
        ("b", "Daily", 1, "Drinks makers warned that prices would rise and jobs could be lost."),
    ]
    out = summarize_units(units_of(rows), k=3)
    taxes = [o for o in out if "sugary" in o["sentence"]]
    assert len(taxes) == 1 and len(out) == 3


def test_summary_is_in_story_order_and_per_outlet_keeps_to_the_outlet():
    docs = [
        Document("a", "Storm Ada hit the northern coast on Monday, cutting power to forty thousand homes.\n\n"
                      "Crews restored power to most homes by Tuesday evening, the utility said.",
                 outlet="Wire", published=date(2024, 2, 5)),
        Document("b", "Storm Ada cut power to forty thousand homes on the northern coast on Monday.\n\n"
                      "The regional governor declared a state of emergency in three districts.",
                 outlet="Daily", published=date(2024, 2, 6)),
    ]
    sentences = {d.id: split_sentences(d.id, d.text) for d in docs}
    view = make_view(Story("s", "Storm", ["a", "b"]), docs, sentences)
    result = summarize_view(view, k=3, k_outlet=2)
    assert result["story"] == "s"
    assert result["summary"][0]["documents"] == ["a", "b"]  # the shared claim, listed with both sources
    first = {}
    for c in view.claims:
        for u in c.units:
            first[(u.document, u.index)] = min(x.order for x in c.units)
    orders = [first[(s["document"], s["sentence_index"])] for s in result["summary"]]
    assert orders == sorted(orders)
    assert set(result["per_outlet"]) == {"Wire", "Daily"}
    for outlet, items in result["per_outlet"].items():
        assert items and all(set(i["documents"]) <= {d.id for d in docs if d.outlet == outlet} for i in items)


def test_empty_story_has_an_empty_summary():
    view = make_view(Story("s", "Empty", []), [], {})
    assert summarize_view(view)["summary"] == []


def test_render_summary_prints_text_literally():
    buf = io.StringIO()
    render_summary({"story": "s", "title": "[b]T[/b]", "summary": [
        {"sentence": "A [red]x[/red] b.", "documents": ["d1"], "outlets": ["[i]O[/i]"]}],
        "per_outlet": {"[i]O[/i]": [{"sentence": "A [red]x[/red] b.", "documents": ["d1"]}]}},
        Console(file=buf, width=200, color_system=None))
    out = buf.getvalue()
    assert "[red]x[/red]" in out and "[i]O[/i]" in out and "[b]T[/b]" in out


@pytest.mark.slow
@pytest.mark.skipif(not T17.is_dir(), reason="Timeline17 not available")
def test_t17_summaries_beat_random_sentences():
    pytest.importorskip("rouge_score")
    path = Path(__file__).resolve().parents[1] / "bench" / "summary_rouge.py"
    spec = importlib.util.spec_from_file_location("summary_rouge", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.run(T17, only=["bpoil"], max_dates=4)  # 5 outlets pooled, first 4 dates of 5 timelines
    systems = result["systems"]
    assert result["tasks"] >= 12
    assert systems["storyline"]["rouge1"] > systems["random"]["rouge1"]
    assert systems["storyline"]["rouge2"] > systems["random"]["rouge2"]


def test_summaries_and_claims_never_use_captions_credits_or_comments():
    """Page furniture stays searchable but is never a claim, so never a summary sentence."""
    from storyline.analysis.compare import claim_units
    from storyline.annotate.nlp import split_sentences
    from storyline.model import Document

    text = ("June 4: A crew picks up oil on the beach at Grand Isle in Louisiana.\n\n"
            "At 22:56 26th Apr 2009, Jericoa wrote: the oil companies should pay for every beach.\n\n"
            "BP said on Friday that the new containment cap was collecting most of the leaking oil.")
    doc = Document("d", text, outlet="Wire")
    units = claim_units([doc], {"d": split_sentences("d", text)})
    assert [u.text for u in units] == ["BP said on Friday that the new containment cap was collecting most of the "
                                       "leaking oil."]


def test_lexrank_edges_computed_a_block_of_rows_at_a_time_are_those_of_the_whole_product():
    # long stories compute the sentence graph a block of rows at a time (bounded memory); the graph must be
    # the one the whole product gives, entry for entry, so the centralities do not move
    import numpy as np
    from scipy.sparse import random as sparse_random
    from sklearn.preprocessing import normalize

    from storyline.analysis.summary import EDGE_MIN, edges

    x = normalize(sparse_random(200, 30, density=0.2, format="csr", random_state=np.random.default_rng(3)))
    whole = (x @ x.T).tocsr()
    whole.data[whole.data < EDGE_MIN] = 0.0
    whole.setdiag(0.0)
    whole.eliminate_zeros()
    for block in (1, 13, 200, 512):
        got = edges(x, block=block)
        assert np.array_equal(got.indptr, whole.indptr) and np.array_equal(got.indices, whole.indices)
        assert np.array_equal(got.data, whole.data)


def test_lexrank_ranks_at_most_the_candidates_most_connected(monkeypatch):
    # a long story's LexRank runs on the CANDIDATES sentences with the largest sum of cosines with all others
    # (the others rank last); up to the bound nothing changes
    from storyline.analysis import summary

    texts = ["flood river town evacuated rain", "flood river rain", "flood town evacuated",
             "river town rain evacuated", "stock market fell sharply today", "market shares fell"]
    x = vectorize(texts)
    degree = np.asarray((x @ x.T).sum(axis=1)).ravel()
    assert list(summary.candidates(x, limit=6)) == list(range(6))
    top = summary.candidates(x, limit=3)
    assert sorted(top) == sorted(np.argsort(-degree, kind="stable")[:3]) and list(top) == sorted(top)
    units = units_of([("a", "Wire", i, t) for i, t in enumerate(texts)])
    whole = summarize_units(units, k=1)
    monkeypatch.setattr(summary, "CANDIDATES", 3)
    bounded = summarize_units(units, k=1)
    assert bounded == whole and bounded[0]["sentence_index"] in top
    monkeypatch.setattr(summary, "CANDIDATES", 1)  # past the ranked one: the others, as many as unbounded
    assert len(summarize_units(units, k=6)) == len(summarize_units(units, k=6, lead_weight=0.0)) == 3
