"""Corrections, entities, CSV and search filters through the REST API (TestClient, hand-made annotations)."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from test_corrections import STORY_A, STORY_A2, STORY_B, add, analysed

from storyline.server.api import create_app
from storyline.store import Store


@pytest.fixture
def client(tmp_path):
    path = tmp_path / "api.db"
    with Store(path) as s:
        add(
            s,
            analysed("a1", STORY_A, 2, "Wire", "Jose Maria Neves"),
            analysed("a2", STORY_A2, 3, "Post"),
            analysed("b1", STORY_B, 4, "Wire", "Neves"),
        )
    with TestClient(create_app(path), base_url="http://127.0.0.1") as c:  # a loopback host, as a browser on it sends
        yield c


def story_of(client, doc):
    return client.get(f"/api/documents/{doc}").json()["story"]


def test_correction_round_trip_changes_every_view_and_undo_restores_it(client):
    a, b = story_of(client, "a1"), story_of(client, "b1")
    before = client.get(f"/api/stories/{a}").json()
    r = client.post("/api/corrections", json={"kind": "move-article", "document": "b1", "to": a, "note": "same"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["kind"] == "move-article" and made["note"] == "same" and "moved b1" in made["description"]
    assert story_of(client, "b1") == a
    after = client.get(f"/api/stories/{a}").json()  # the cached story was invalidated
    assert "b1" in after["documents"] and "b1" not in before["documents"]
    assert [c["id"] for c in after["corrections"]] == [made["id"]]
    assert client.get("/api/corrections").json()["total"] == 1
    r = client.delete(f"/api/corrections/{made['id']}")
    assert r.status_code == 200 and r.json()["undone"]
    assert story_of(client, "b1") == b
    assert client.delete(f"/api/corrections/{made['id']}").status_code == 404
    assert client.get("/api/corrections?all=true").json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "move-article", "document": "nope", "to": "x"}, 404),
        ({"kind": "teleport"}, 422),
        ({"document": "a1"}, 422),
        ([1, 2], 422),
    ],
)
def test_bad_corrections_are_json_errors(client, body, status):
    r = client.post("/api/corrections", json=body)
    assert r.status_code == status and r.json()["error"]


def test_corrections_must_be_json(client):
    r = client.post("/api/corrections", content=b"kind=hide-event", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_hide_event_and_csv_timeline(client):
    a = story_of(client, "a1")
    timeline = client.get(f"/api/stories/{a}/timeline").json()["timeline"]
    assert timeline[0]["first_reported"]["document"] == timeline[0]["reports"][0]["document"]
    r = client.get(f"/api/stories/{a}/timeline?format=csv")
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["event"] for row in rows] == [e["id"] for e in timeline]
    hide = client.post("/api/corrections", json={"kind": "hide-event", "event": timeline[0]["id"]}).json()
    shown = client.get(f"/api/stories/{a}/timeline").json()["timeline"]
    assert timeline[0]["id"] not in [e["id"] for e in shown]
    client.delete(f"/api/corrections/{hide['id']}")
    assert len(client.get(f"/api/stories/{a}/timeline").json()["timeline"]) == len(timeline)


def test_quotes_documents_and_coverage_as_csv(client):
    a = story_of(client, "a1")
    quotes = list(csv.DictReader(io.StringIO(client.get("/api/quotes?format=csv").content.decode("utf-8-sig"))))
    assert {q["document"] for q in quotes} == {"a1", "b1"} and quotes[0]["published"]
    docs = list(csv.DictReader(io.StringIO(client.get("/api/documents?format=csv").content.decode("utf-8-sig"))))
    assert len(docs) == 3
    cov = client.get(f"/api/stories/{a}/coverage").json()
    assert set(cov["outlets"]) == {"Wire", "Post"} and cov["events"][0]["cells"]
    assert client.get(f"/api/stories/{a}/coverage?format=csv").text.count("\n") == len(cov["events"]) + 1
    assert client.get("/api/stories/nope/coverage").status_code == 404
    assert client.get("/api/quotes?format=xml").status_code == 422


def test_search_filters_and_story_filters(client):
    assert client.get("/api/search", params={"q": "central bank", "outlet": "Wire"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "central bank", "outlet": "Post"}).json()["total"] == 0
    assert client.get("/api/search", params={"q": '"bank raises"'}).json()["total"] == 1
    assert client.get("/api/search", params={"q": '"raises bank"'}).json()["total"] == 0
    assert client.get("/api/search", params={"q": "lava", "since": "2024-03-03"}).json()["total"] == 1
    assert client.get("/api/search", params={"q": "lava", "since": "March"}).status_code == 422
    assert client.get("/api/search", params={"q": "lava", "entity": "person-nobody"}).status_code == 404
    assert client.get("/api/stories", params={"outlet": "Post"}).json()["total"] == 1
    assert client.get("/api/stories", params={"until": "2024-03-01"}).json()["total"] == 0


def test_entities_routes(client):
    # the hand-made articles carry no entity mentions: an empty index still answers
    assert client.get("/api/entities").json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
    assert client.get("/api/entities/person-nobody").status_code == 404
