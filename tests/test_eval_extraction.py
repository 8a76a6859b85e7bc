"""The extraction benchmark's scorer (a re-implementation of article-extraction-benchmark's evaluate.py)
and its run beside plain trafilatura, skipped where the data is absent."""

import gzip
import json

import pytest

from evaluation import DatasetMissing, extraction


def test_shingle_scores_count_extra_and_missing_text():
    gold = "the council met on monday and agreed the plan for the bridge"
    assert extraction.tp_fp_fn(gold, gold) == (1.0, 0.0, 0.0)
    tp, fp, fn = extraction.tp_fp_fn(gold, gold + " share this story on facebook now")
    assert fp > 0 and fn == 0 and tp + fp == pytest.approx(1.0)
    tp, fp, fn = extraction.tp_fp_fn(gold, "the council met on monday")
    assert fp == 0 and fn > 0
    assert extraction.page_f1(gold, "") == 0.0
    figures = extraction.score({"a": gold, "b": gold}, {"a": gold, "b": ""})
    assert figures["recall"] == pytest.approx(0.5) and figures["precision"] == 1.0  # "b" has no prediction
    assert figures["exact"] == 0.5


def test_split_is_fixed_by_the_page_id_and_halves_the_pages():
    ids = [f"{n:064x}" for n in range(32)]
    assert [extraction.split_of(i) for i in ids] == ["dev", "test"] * 16


def test_run_beside_trafilatura_on_a_few_pages(tmp_path):
    try:
        result = extraction.run(limit=4, split="dev", progress=False)
    except DatasetMissing as exc:
        pytest.skip(f"dataset absent: {exc}")
    rows = {r["system"]: r for r in result["rows"]}
    assert set(rows) == {"storyline", "trafilatura"} and rows["storyline"]["pages"] == 4
    assert 0.5 < rows["storyline"]["f1"] <= 1.0
    assert all(r["pages_per_s"] > 0 for r in rows.values())  # speed measured beside trafilatura
    json.dumps(result)


def test_trafilatura_set_is_split_by_url_and_runs_on_a_few_dev_pages():
    urls = [f"https://example.org/{n}" for n in range(200)]
    dev = [u for u in urls if extraction.url_split(u) == "dev"]
    assert 70 < len(dev) < 130 and dev == [u for u in urls if extraction.url_split(u) == "dev"]
    try:
        result = extraction.run(limit=3, split="dev", progress=False, corpus="trafilatura")
    except DatasetMissing as exc:
        pytest.skip(f"dataset absent: {exc}")
    assert result["split"] == "dev" and {r["pages"] for r in result["rows"]} == {3}


def test_missing_data_is_reported(tmp_path):
    with pytest.raises(DatasetMissing):
        extraction.run(datasets=tmp_path)


def test_snippet_scores_as_trafilaturas_evaluation():
    item = {"with": ["the council met", "agreed  the plan"], "without": ["Share this", "Impressum"]}
    assert extraction.snippet_counts(item, "The council met. It agreed\nthe plan. Share this") == (1, 1, 1, 1)
    figures = extraction.snippet_scores([(1, 1, 1, 1), (2, 0, 0, 2)])
    assert figures["precision"] == 0.75 and figures["recall"] == 0.75 and figures["accuracy"] == 0.75


def test_wcxb_word_scores_and_loader(tmp_path):
    assert extraction.word_prf("The council met", "the council met") == (1.0, 1.0, 1.0)
    p, r, f = extraction.word_prf("the council met share this", "the council met on monday")
    assert p == pytest.approx(0.6) and r == pytest.approx(0.6) and f == pytest.approx(0.6)
    assert extraction.word_prf("", "the council met") == (0.0, 0.0, 0.0)
    assert extraction.word_prf("", "") == (1.0, 1.0, 1.0)
    gt = tmp_path / "test" / "ground-truth"
    gt.mkdir(parents=True)
    (gt / "0002.json").write_text(json.dumps({"_internal": {"page_type": {"primary": "category"}},
                                              "ground_truth": {"main_content": "x", "with": ["x"]}}))
    (gt / "0001.json").write_text(json.dumps({"ground_truth": {"title": "no main content"}}))
    (gt / "0003.json").write_text(json.dumps({"ground_truth": None}))
    pages = extraction.wcxb_pages(tmp_path, "test")
    assert [(pid, g["page_type"], g["main_content"]) for pid, _, g in pages] == [
        ("0001", "article", ""), ("0002", "collection", "x")]
    assert pages[1][1] == tmp_path / "test" / "html" / "0002.html.gz"
    assert extraction.wcxb_pages(tmp_path, "dev") == []


def test_wcxb_test_pages_also_in_dev_are_found(tmp_path):
    for part, name, data in (("dev", "0001", b"same"), ("test", "0001", b"same"), ("dev", "0002", b"a"),
                             ("test", "0002", b"b"), ("test", "0003", b"c")):
        (tmp_path / part / "html").mkdir(parents=True, exist_ok=True)
        (tmp_path / part / "html" / f"{name}.html.gz").write_bytes(data)
    assert extraction.wcxb_shared(tmp_path) == {"0001"}  # same id and different HTML is another page
    body = "".join(f"<p>Paragraph {n} says the council met on Monday and agreed the plan for the bridge.</p>"
                   for n in range(6))
    page = gzip.compress(f"<html><body><article><h1>Bridge</h1>{body}</article></body></html>".encode())
    gold = {"ground_truth": {"main_content": "council met on Monday and agreed the plan"}}
    for part, name in (("dev", "0001"), ("test", "0001"), ("test", "0003")):
        (tmp_path / part / "html" / f"{name}.html.gz").write_bytes(page)
        (tmp_path / part / "ground-truth").mkdir(parents=True, exist_ok=True)
        (tmp_path / part / "ground-truth" / f"{name}.json").write_text(json.dumps(gold))
    result = extraction.run_wcxb(tmp_path, None, 2, False, "test")
    apart = {r["system"]: r["pages"] for r in result["extra"][-1]["rows"]}
    assert apart == {"storyline (not in dev)": 1, "trafilatura (not in dev)": 1,
                     "storyline (also in dev)": 1, "trafilatura (also in dev)": 1}


def test_wcxb_runs_on_a_few_dev_pages():
    try:
        result = extraction.run(limit=3, split="dev", progress=False, corpus="wcxb")
    except DatasetMissing as exc:
        pytest.skip(f"dataset absent: {exc}")
    rows = {r["system"]: r for r in result["rows"]}
    assert set(rows) == {"storyline", "trafilatura"} and rows["storyline"]["pages"] == 3
    assert 0.5 < rows["storyline"]["f1"] <= 1.0
    json.dumps(result)
