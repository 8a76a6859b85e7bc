"""A database whose articles are stored but not linked (an upgrade whose migration links again, or a run
stopped while linking) is finished before anything reads it: the CLI, the Python API and the server never
show it empty."""

import subprocess
import sys
import time
from pathlib import Path

from starlette.testclient import TestClient

import storyline
from storyline.server import api
from storyline.store import Store


def _unlinked(path: Path) -> list[str]:
    """Forget the links, as a re-linking migration does; returns the stories there were."""
    with Store(path) as store:
        before = sorted(r["id"] for r in store.stories())
        store.reset_links([])
        assert store.count_pending("linked") > 0 and not store.stories()
    return before


def test_the_cli_links_stored_articles_before_it_reads(db_copy):
    stories = _unlinked(db_copy)
    done = subprocess.run([sys.executable, "-m", "storyline.cli", "stories", "--db", str(db_copy), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "linking" in done.stderr and "stored articles first" in done.stderr
    assert stories and all(s in done.stdout for s in stories)
    with Store(db_copy) as store:
        assert store.count_pending("linked") == 0 and not store.stale_views()


def test_the_python_api_reads_a_linked_database(db_copy):
    stories = _unlinked(db_copy)
    assert sorted(s["id"] for s in storyline.stories(db_copy)) == stories
    assert sorted(storyline.story(db_copy, s)["id"] for s in stories) == stories


def test_the_server_links_them_on_its_writer_while_it_serves(db_copy):
    stories = _unlinked(db_copy)
    with TestClient(api.create_app(db_copy), base_url="http://127.0.0.1") as client:
        for _ in range(600):
            if client.get("/api/stories").json()["total"] == len(stories):
                break
            time.sleep(0.1)
        assert sorted(s["id"] for s in client.get("/api/stories?limit=200").json()["items"]) == stories

