"""Quality floors: frozen slices of the public benchmarks, scored on every CI run, so that no change can
silently lower an eval figure (the gate trafilatura runs in its CI, here for Storyline's own figures).

Each floor is the figure measured when it was pinned (2026-11-23), rounded down. Storyline is
deterministic, so a drop below a floor is a real regression: fix it, or lower the floor in the same
change and say why in BENCHMARKS.md ("Quality floors"). A floor is never raised by tuning on these
slices; raise it when a change made for other reasons lifts the figure. Skipped where the datasets or
the ``eval`` extra are absent.
"""

from __future__ import annotations

import pytest

from evaluation import DatasetMissing

pytestmark = pytest.mark.slow

FLOORS = {
    # benchmark: slice → (metric, floor, measured when pinned)
    "tempeval3": ("value_f1", 0.83, 0.8365),  # all 20 platinum documents
    "polnear": ("content_f1", 0.61, 0.620),  # the first 40 test documents
    "polnear_source": ("source_f1", 0.60, 0.6115),
    "stories_t17": ("pairwise_f1", 0.63, 0.6377),  # topics, 25 articles per T17 topic, 400-word leads (issue 11)
    "stories_meantime": ("pairwise_f1", 0.98, 0.9899),  # topics, 25 articles per MEANTIME story (issue 11)
    "t17": ("ar1_f", 0.13, 0.136),  # EgyptianProtest timelines cut to their first 20 gold dates
    "events_meantime": ("pairwise_f1", 0.40, 0.4096),  # cross-document events, all 120 MEANTIME articles
    "events_meantime_precision": ("pairwise_p", 0.62, 0.680),  # the same: recall is never bought with precision
}


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DatasetMissing as exc:
        pytest.skip(f"dataset absent: {exc}")


def _rows(result: dict, dataset: str | None = None) -> dict[str, dict]:
    return {r["system"]: r for r in result["rows"] if dataset is None or r.get("dataset") == dataset}


def _check(name: str, row: dict) -> None:
    metric, floor, measured = FLOORS[name]
    assert row[metric] >= floor, f"{name} {metric} fell to {row[metric]:.4f} (floor {floor}, pinned at {measured})"


def test_tempeval3_floor() -> None:
    from evaluation import tempeval3

    result = _run(tempeval3.run, baselines=False)
    _check("tempeval3", _rows(result)["storyline"])


def test_polnear_floor_and_lead_over_baseline() -> None:
    from evaluation import polnear

    rows = _rows(_run(polnear.run, limit=40, split="test"))
    story = rows.pop("storyline")
    _check("polnear", story)
    _check("polnear_source", story)
    (baseline,) = rows.values()
    assert story["content_f1"] > baseline["content_f1"] and story["source_f1"] > baseline["source_f1"]


def test_story_clustering_floors() -> None:
    from evaluation import stories

    result = _run(stories.run, limit=25, corpora=["meantime", "t17"], progress=False)
    _check("stories_t17", _rows(result, "t17")["storyline topics"])
    _check("stories_meantime", _rows(result, "meantime")["storyline topics"])
    for corpus in ("t17", "meantime"):  # the same partition in every arrival order, topics and stories
        stability = next(r for s, r in _rows(result, corpus).items() if s.startswith("storyline stability"))
        assert stability["pairwise_f1"] == stability["stories_pairwise_f1"] == 1.0, stability


def test_t17_timeline_floor() -> None:
    pytest.importorskip("tilse")
    from evaluation import t17

    result = _run(t17.run, topics=["EgyptianProtest"], max_gold_dates=20, progress=False)
    _check("t17", _rows(result)["storyline"])


def test_cross_document_event_floor() -> None:
    from evaluation import stories

    rows = _rows(_run(stories.event_coreference))
    _check("events_meantime", rows["storyline"])
    _check("events_meantime_precision", rows["storyline"])
    assert rows["storyline"]["pairwise_p"] > rows["same day"]["pairwise_p"]
