"""The public Python API (``storyline/__init__.py``) on the demo articles."""

from pathlib import Path

import storyline

DEMO = Path(__file__).resolve().parents[1] / "examples" / "security-guarantees"


def test_analyze_then_read_stories_in_the_contract(tmp_path):
    db = tmp_path / "demo.db"
    report = storyline.analyze([DEMO], db=db, workers=1)
    assert report.added == 5 and not report.errors
    rows = storyline.stories(db)
    assert rows and rows[0]["documents"] == 5
    story = storyline.story(db, rows[0]["id"])
    assert story["id"] == rows[0]["id"] and story["timeline"] and story["summary"]
    assert storyline.story(db, "no-such-story") is None
    data = storyline.export(db)
    assert data["version"] == storyline.VERSION == 1
    assert [s["id"] for s in data["stories"]] == [r["id"] for r in rows]
    with storyline.Store(db) as store:  # an open store works as well as a path
        assert storyline.story(store, rows[0]["id"]) == story
        assert storyline.analyze([DEMO], db=store).added == 0  # idempotent
