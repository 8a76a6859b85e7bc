"""Issue 14's attacks, each reproduced: inputs that used to stop a run, unbounded work, terminal escapes,
benchmark dependencies (and, further down, the web server's: cross-site writes, DNS rebinding, parameters
that gave a 500). RELIABILITY.md lists what each tried and what held."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from storyline.annotate import dates, nlp
from storyline.annotate import document as annotate
from storyline.model import Document

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
GOOD = ("Talks resume in Geneva\n\nDiplomats met in Geneva on January 10, 2022, officials said. "
        "\"We made progress,\" Sergei Ryabkov said on January 10, 2022.\n")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storyline.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=ENV, timeout=600)


def skipped(stderr: str) -> dict[str, str]:
    return dict(line[len("skipped "):].split(": ", 1) for line in stderr.splitlines() if line.startswith("skipped "))


# ------------------------------------------------------------------ no input stops a run (items 3, 4, 5, 7)


def test_odd_files_names_and_records_are_reported_and_the_rest_is_processed(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    latin1 = os.fsdecode(b"caf\xe9 report.txt")  # a file name that is not UTF-8
    (d / latin1).write_text(GOOD.replace("Geneva", "Vienna"), encoding="utf-8")
    (d / "loop1").symlink_to(d / "loop2")
    (d / "loop2").symlink_to(d / "loop1")
    (d / "dangling.txt").symlink_to(d / "missing.txt")
    (d / "linked-folder").symlink_to(tmp_path)
    (d / "null.txt").symlink_to("/dev/null")
    os.mkfifo(d / "pipe.jsonl")
    records = [
        '{"id": "surrogate", "title": "Bad \\udc00 title", "text": "Officials met on Monday in Geneva."}',
        "[" * 100_000,
        json.dumps({"id": "after-deep", "text": GOOD.replace("Geneva", "Oslo")}),
        json.dumps({"id": "huge-count", "published": "2022-01-05",
                    "text": "He waited " + "9" * 320 + " days. The council met again on January 4, 2022, "
                            "to discuss the plans for the town, the mayor said."}),
    ]
    (d / "records.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    run = cli("analyze", str(d), str(d / "loop1"), "--db", str(db), "--quiet")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert skipped(run.stderr) == {
        f"{d}/dangling.txt": f"dangling symbolic link (to {d}/missing.txt, which does not exist)",
        f"{d}/linked-folder": "symbolic link to a folder: not followed (name the folder itself to read it)",
        f"{d}/loop1": "symbolic link loop (too many levels of links)",
        f"{d}/loop2": "symbolic link loop (too many levels of links)",
        f"{d}/null.txt": "a character device, not a regular file",
        f"{d}/pipe.jsonl": "a named pipe (FIFO), not a regular file",
        f"{d}/records.jsonl:1": "field 'title' is not valid Unicode text: lone surrogate U+DC00 at character 4",
        f"{d}/records.jsonl:2": "invalid JSON: nested too deeply",
    }, run.stderr
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT id, annotated FROM documents"))
    # every good article stored and analysed: the one after the deep line too, the huge count's too
    assert rows == {"good": 1, "caf\\xe9 report": 1, "after-deep": 1, "huge-count": 1}, rows


def test_a_lone_surrogate_in_any_field_is_refused_with_its_name() -> None:
    from storyline.ingest.readers import read_record

    for name in ("id", "title", "text", "outlet", "url"):
        record = {"text": "Officials met in Geneva on Monday.", name: "x\ud800y"}
        with pytest.raises(ValueError, match=f"field '{name}'.*lone surrogate U\\+D800 at character 1"):
            read_record(record, "api")


@pytest.mark.parametrize("digits", [16, 308, 309, 400])
def test_counts_of_any_size_never_break_the_date_resolver(digits: int) -> None:
    units = ("seconds", "hours", "days", "weeks", "fortnights", "months", "quarters", "years", "decades",
             "centuries")
    for unit in units:
        for tail in ("", " ago", " later", " from now", " before"):
            for pub in (date(2022, 1, 5), None):
                found = dates.resolve(f"He waited {'9' * digits} {unit}{tail}, officials said.", pub)
                assert all(1 <= t.value.year <= 9999 for t in found)


# ---------------------------------------------------------------------------------- bounded cost (item 8)


def test_a_sentence_without_punctuation_is_cut_into_bounded_pieces() -> None:
    text = " ".join(["officials said talks in Geneva would go on"] * 10_000)  # 430 kB, one "sentence"
    sentences = nlp.split_sentences("d", text)
    assert len(sentences) > 200
    assert all(0 < s.end - s.start <= nlp.MAX_SENTENCE_CHARS for s in sentences)
    assert all(s.text == text[s.start:s.end] == s.text.strip() for s in sentences)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    # nothing lost: the pieces cover every word, in order
    assert " ".join(s.text for s in sentences).split() == text.split()


def test_the_statistical_stages_see_at_most_the_article_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = annotate.extract_entities

    def counting(doc_id, text, sentences):  # noqa: ANN001, ANN202
        seen.append(sum(len(s.text) for s in sentences))
        return real(doc_id, text, sentences[:3])

    monkeypatch.setattr(annotate, "extract_entities", counting)
    text = "".join(f"Officials in Geneva said on January 10, 2022 that talk {i} would go on. " for i in range(2_000))
    doc = Document("long", text, published=date(2022, 1, 11))  # 150 kB
    result = annotate.annotate(doc)
    assert 0 < seen[0] <= annotate.MAX_ANALYSED_CHARS
    assert all(q.end <= annotate.MAX_ANALYSED_CHARS for q in result.quotes)
    # dates are rule-based and cheaper: they are resolved further (here, in the whole article)
    assert len(doc.text) < annotate.MAX_DATED_CHARS
    assert result.mentions and max(m.sentence for m in result.mentions) == len(result.sentences) - 1
    more = "".join(f"Officials in Geneva said on January 10, 2022 that talk {i} would go on. " for i in range(4_000))
    longer = annotate.annotate(Document("longer", more, published=date(2022, 1, 11)))
    last = longer.sentences[max(m.sentence for m in longer.mentions)]
    assert annotate.MAX_DATED_CHARS - 100 < last.end <= annotate.MAX_DATED_CHARS < len(more)


# ------------------------------------------------------------------------------ terminal escapes (item 9)

ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b]52;c;cHduZWQ=\x07", "\x9b2J", "\x07", "\x08"]


def test_nothing_the_cli_prints_carries_a_control_character(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storyline.cli import main

    d = tmp_path / "in"
    d.mkdir()
    esc = "".join(ESCAPES)
    (d / f"empty {esc}.txt").write_bytes(b"")
    records = [{"id": f"doc{i}{esc}", "title": f"Talks {esc} resume {i}", "outlet": f"Wire{i} {esc}",
                "published": "2022-01-11", "text": GOOD.replace("progress", f"progress {esc}")
                + f"Peskov{esc} said talks in Geneva on January 10, 2022 were useful, Kremlin{i} said."}
               for i in range(3)]
    (d / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    db = str(tmp_path / "s.db")
    run = cli("analyze", str(d), "--db", db, "--quiet")
    assert run.returncode == 0 and "empty" in run.stderr, run.stderr
    assert not CONTROL.search(run.stderr + run.stdout), repr(run.stderr)
    runner = CliRunner()
    story = json.loads(runner.invoke(main, ["stories", "--db", db, "--json"]).output)[0]["id"]
    commands = [["timeline"], ["stories"], ["quotes"], ["search", "progress"], ["summary"],
                ["compare", "--story", story]]
    for command in commands:
        for extra in ([], ["--json"]):
            result = runner.invoke(main, [*command, "--db", db, *extra])
            assert result.exit_code == 0, (command, result.output, result.exception)
            assert result.output.strip() and not CONTROL.search(result.output), (command, extra, result.output)
            if extra:
                json.loads(result.output)  # still valid JSON, the same value with C1 characters escaped
    ids = json.loads(runner.invoke(main, ["search", "progress", "--db", db, "--json"]).output)
    assert {h["document"] for h in ids} == {r["id"] for r in records}  # the stored data keeps them


# -------------------------------------------------------------------------- benchmark dependencies (item 12)


def _bench(name: str):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(f"bench_smoke_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "bench").glob("*.py")))
def test_every_benchmark_imports_with_the_declared_extras(name: str) -> None:
    """Every import of bench/ is installed by the README's test command (the `bench` extra among them)."""
    _bench(name)


def test_throughput_benchmark_smoke(tmp_path: Path) -> None:
    """One tiny measurement through bench/throughput.py's real code path (child process, RSS sampling)."""
    throughput = _bench("throughput")
    jsonl = tmp_path / "tiny.jsonl"
    jsonl.write_text("\n".join(json.dumps({"id": f"a{i}", "text": GOOD.replace("Geneva", city)})
                               for i, city in enumerate(["Geneva", "Vienna"])) + "\n", encoding="utf-8")
    result = throughput.measure(["--child", "storyline", "--jsonl", str(jsonl), "--workers", "1",
                                 "--engine", "local"])
    assert result["added"] == 2 and result["annotated"] == 2 and result["peak_rss_mb"] > 0, result


# ======================================================================================= the web server

from urllib.parse import quote  # noqa: E402

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from storyline.server.api import Ingest, Limits, create_app  # noqa: E402
from storyline.server.guard import SECURITY_HEADERS, Access  # noqa: E402
from storyline.store import Store  # noqa: E402

BASE = "http://127.0.0.1:8000"
OWN = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}


def article(n: int | str, **extra: object) -> dict:
    return {"id": f"h-{n}", "outlet": "Test Gazette", "published": "2023-05-13",
            "text": f"Report {n}: the council in Lakeside approved bridge {n} on 12 May 2023, officials said."} | extra


def count(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


@pytest.fixture
def client(db_copy: Path) -> TestClient:
    with TestClient(create_app(db_copy), base_url=BASE, raise_server_exceptions=False) as c:
        c.db = db_copy  # type: ignore[attr-defined]
        yield c


def assert_secured(resp: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS:
        assert resp.headers.get(name.decode()) == value.decode(), (resp.status_code, name, resp.headers)


# ------------------------------------------------------------------------------- cross-site writes (1)


def test_writes_from_other_sites_or_in_other_types_are_refused(client: TestClient) -> None:
    before = count(client.db)
    body = json.dumps(article(1))
    attacks = {
        "text/plain form": dict(content=body, headers={"Content-Type": "text/plain"}),
        "urlencoded form": dict(content=f"{body}=", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        "FormData": dict(files={"text": (None, article(1)["text"])}),
        "no type": dict(content=body),
        "evil origin": dict(content=body, headers={"Content-Type": "application/json",
                                                   "Origin": "https://evil.example"}),
        "null origin": dict(content=body, headers={"Content-Type": "application/json", "Origin": "null"}),
        "other port": dict(content=body, headers={"Content-Type": "application/json",
                                                  "Origin": "http://127.0.0.1:3000"}),
        "cross-site": dict(content=body, headers={"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}),
        "same-site": dict(content=body, headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}),
    }
    for name, kwargs in attacks.items():
        resp = client.post("/api/articles", **kwargs)
        assert resp.status_code in (403, 415), (name, resp.status_code, resp.text)
        assert "error" in resp.json()
        assert_secured(resp)
    upload = client.post("/api/upload", files=[("files", ("a.txt", article(2)["text"].encode(), "text/plain"))],
                         headers={"Origin": "https://evil.example"})
    assert upload.status_code == 403
    as_json = client.post("/api/upload", json=article(2))
    assert as_json.status_code == 415, as_json.text
    assert count(client.db) == before
    # the server's own pages, and clients that are not browsers, still write
    assert client.post("/api/articles", json=article(3), headers=OWN).status_code == 201
    assert client.post("/api/articles", json=article(4)).status_code == 201
    assert client.post("/api/articles", json=article(5), headers={"Content-Type": "application/json; charset=utf-8"}
                       ).status_code == 201
    assert count(client.db) == before + 3


ATTACK_PAGE = """<!doctype html><body>
<form id="f" method="post" enctype="text/plain" action="{target}/api/articles">
<input name='{{"id": "via-form", "text": "Planted by a form in Lakeside, officials said.", "x": "' value='"}}'>
</form>
<script>
const target = "{target}";
const text = "Planted by fetch on 12 May 2023 in Lakeside, officials said.";
const form = new FormData();
form.append("files", new Blob([text], {{type: "text/plain"}}), "via-formdata.txt");
Promise.allSettled([
  fetch(target + "/api/articles", {{method: "POST", mode: "no-cors", body: JSON.stringify({{id: "via-no-cors", text}}),
        headers: {{"Content-Type": "text/plain"}}}}),
  fetch(target + "/api/upload", {{method: "POST", mode: "no-cors", body: form}}),
]).then(() => document.getElementById("f").submit());
</script></body>"""


@pytest.mark.e2e
def test_a_page_on_another_site_cannot_plant_articles_through_the_browser(live_server, browser,  # noqa: ANN001
                                                                          tmp_path: Path) -> None:
    import http.server
    import threading

    from conftest import free_port

    (tmp_path / "index.html").write_text(ATTACK_PAGE.format(target=live_server.url), encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    port = free_port()
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    sent: list[str] = []
    seen: list[int] = []
    page = browser.new_page()
    try:
        page.on("request", lambda r: sent.append(r.method) if r.url.startswith(live_server.url) else None)
        page.on("response", lambda r: seen.append(r.status) if r.url.startswith(live_server.url) else None)
        page.goto(f"http://127.0.0.1:{port}/index.html")
        page.wait_for_url(f"{live_server.url}/api/articles", timeout=20_000)  # the form went last
    finally:
        page.close()
        evil.shutdown()
    # the two no-cors fetches and the form were all sent; the browser even hides the fetches' refusals
    # (Cross-Origin-Resource-Policy), the form's navigation shows the 403
    assert sent == ["POST", "POST", "POST"] and seen == [403], (sent, seen)
    with sqlite3.connect(live_server.db) as con:
        planted = con.execute("SELECT id FROM documents WHERE text LIKE 'Planted%' OR id LIKE 'via-%'").fetchall()
    assert planted == []


# ---------------------------------------------------------------------------------- DNS rebinding (2)


def test_only_the_bound_host_and_loopback_names_are_answered(db_copy: Path) -> None:
    with TestClient(create_app(db_copy), raise_server_exceptions=False) as c:
        for host in ("attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "testserver"):
            resp = c.get("/api/stories", headers={"Host": host})
            assert resp.status_code == 400 and "items" not in resp.text, (host, resp.text)
            assert f"--allow-host {host}" in resp.json()["error"]
            assert_secured(resp)
        for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST.", "[::1]:8000", "10.1.2.3:8000"):
            assert c.get("/api/stories", headers={"Host": host}).status_code == 200, host
    access = Access.for_bind("127.0.0.1", allow=["news.lan"])
    with TestClient(create_app(db_copy, access=access), base_url="http://news.lan") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "attacker.example"}).status_code == 400


def test_a_server_bound_beyond_loopback_takes_writes_only_with_its_token(db_copy: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from storyline.cli import main

    access = Access.for_bind("0.0.0.0", token="s3cret-token")
    with TestClient(create_app(db_copy, access=access), base_url="http://192.168.1.5:8000") as c:
        assert c.get("/api/stories").status_code == 200  # reads stay open
        for auth in (None, "Bearer wrong", "s3cret-token", "Basic s3cret-token"):
            resp = c.post("/api/articles", json=article(1), headers={"Authorization": auth} if auth else {})
            assert resp.status_code == 401 and resp.headers["www-authenticate"].startswith("Bearer"), auth
        ok = c.post("/api/articles", json=article(1), headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 201
    calls: list[tuple] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    runner = CliRunner()
    db = str(db_copy)
    result = runner.invoke(main, ["serve", "--db", db, "--host", "0.0.0.0"], env={"STORYLINE_TOKEN": ""})
    assert result.exit_code == 0, result.output
    token = re.search(r"token: (\S+)", result.output)[1]  # a fresh one, printed once
    assert len(token) >= 32 and calls[-1][0].state.access.token == token
    result = runner.invoke(main, ["serve", "--db", db, "--host", "0.0.0.0", "--allow-host", "news.lan"],
                           env={"STORYLINE_TOKEN": "from-env"})
    assert calls[-1][0].state.access.token == "from-env" and "from-env" not in result.output
    assert "news.lan" in calls[-1][0].state.access.hosts
    runner.invoke(main, ["serve", "--db", db], env={"STORYLINE_TOKEN": ""})
    assert calls[-1][0].state.access.token is None and calls[-1][1]["host"] == "127.0.0.1"
    runner.invoke(main, ["serve", "--db", db, "--token", "feeds-only"])  # on loopback: feeds need it, not articles
    assert not calls[-1][0].state.access.writes_need_token
    with TestClient(create_app(db_copy, token="feeds-only"), base_url=BASE) as c:
        assert c.post("/api/articles", json=article(2)).status_code == 201
    with pytest.raises(ValueError, match="need a token"):
        Access.for_bind("192.168.1.5")


# ------------------------------------------------------------------------- headers on every response (11)


def test_every_response_carries_the_security_headers_500s_included(client: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    for path in ("/api/stories", "/", "/api/nothing", "/nothing", "/static/report.css", "/openapi.json"):
        assert_secured(client.get(path))
    monkeypatch.setattr(Store, "stories", broken)
    for path, accept in (("/api/stories", "application/json"), ("/", "text/html")):
        resp = client.get(path, headers={"Accept": accept})
        assert resp.status_code == 500 and "boom" not in resp.text
        assert_secured(resp)


# ------------------------------------------------------------------------------------- parameters (6)

HUGE = str(2**63)


def test_parameters_out_of_range_are_4xx_never_500(client: TestClient) -> None:
    long = "%" * 60_000
    targets = [f"/api/stories?offset={HUGE}", f"/api/documents?offset={HUGE}", f"/api/search?q=talks&offset={HUGE}",
               f"/?offset={HUGE}", f"/search?q=talks&offset={HUGE}", f"/api/quotes?offset={HUGE}",
               f"/api/stories?limit={HUGE}", "/api/stories?offset=-1", f"/api/stories?q={long}",
               f"/api/quotes?speaker={long}", f"/api/quotes?outlet={long}", f"/api/quotes?story={long}",
               f"/api/documents?outlet={long}", f"/?q={long}", f"/search?q={long}", f"/api/search?q={long}",
               "/api/stories?offset=1e3", "/api/stories/x/key-dates?dates=" + HUGE]
    for target in targets:
        resp = client.get(target, headers={"Accept": "application/json"})
        assert 400 <= resp.status_code < 500, (target[:80], resp.status_code, resp.text[:200])
        assert "error" in resp.json()


def test_percent_and_underscore_match_only_themselves(client: TestClient) -> None:
    stories = client.get("/api/stories").json()
    assert stories["total"] > 0
    for q in ("%", "_", "%%", "\\"):
        assert client.get("/api/stories", params={"q": q}).json()["total"] == 0, q
        assert client.get("/api/quotes", params={"speaker": q}).json()["total"] == 0, q
    title = stories["items"][0]["title"]
    assert client.get("/api/stories", params={"q": title[2:9].upper()}).json()["total"] >= 1


def test_a_long_upload_file_name_is_stored_not_a_500(client: TestClient) -> None:
    name = "a" * 300 + ".txt"
    resp = client.post("/api/upload", files=[("files", (name, article(7)["text"].encode(), "text/plain"))])
    assert resp.status_code == 201, resp.text
    assert resp.json()["articles"][0]["status"] == "new"


# ------------------------------------------------------------------------ bad articles in the API (3, 5)


def test_bad_values_in_an_api_article_are_422_naming_the_article(client: TestClient) -> None:
    before = count(client.db)
    cases = {
        '{"text": "Talks in Geneva \\udc00 went on.", "id": "s"}': "lone surrogate",
        '[' * 100_000: "nested too deeply",
        json.dumps([article(8), {"text": article(9)["text"], "title": "x\ud800"}], ensure_ascii=True):
            "article 1: field 'title'",
        json.dumps(article(10, id="..")): "'..'",
    }
    for body, message in cases.items():
        resp = client.post("/api/articles", content=body, headers={"Content-Type": "application/json"})
        assert resp.status_code in (400, 422) and message in resp.text, (body[:40], resp.text[:300])
    assert count(client.db) == before


def test_one_request_failing_in_a_write_group_fails_only_itself(db_copy: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.ingest.readers import read_record

    real = Store.add_documents

    def add(self, docs):  # noqa: ANN001, ANN202
        if any(d.id == "h-poison" for d in docs):
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, docs)

    monkeypatch.setattr(Store, "add_documents", add)
    jobs = [Ingest([read_record(article(n), "t")]) for n in ("a", "poison", "b")]
    with Store(db_copy) as store:
        results = Ingest.run_group(store, jobs)
        assert isinstance(results[1], sqlite3.OperationalError)
        assert [r["articles"][0]["status"] for r in (results[0], results[2])] == ["new", "new"]
        for doc_id in ("h-a", "h-b"):
            assert store.document_links(doc_id).get("story"), doc_id  # annotated and linked


# ------------------------------------------------------------------------------ bytes in flight (8)


def test_bytes_in_flight_are_capped_across_concurrent_requests(db_copy: Path) -> None:
    import socket

    from conftest import LiveServer

    limits = Limits(max_body=1_000_000, max_in_flight=2_500_000)
    with LiveServer(db_copy, limits=limits) as server:
        def start(length: int) -> socket.socket:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {length}\r\n\r\n".encode() + b"[")
            return s

        def status(s: socket.socket) -> int:
            return int(s.recv(4096).split(b" ", 2)[1])

        held = [start(1_000_000), start(1_000_000)]  # 2 MB in flight, bodies not sent yet
        refused = start(1_000_000)
        assert status(refused) == 503
        small = start(400_000)  # still fits under the cap
        for s in (*held, small, refused):
            s.close()
        with httpx.Client(base_url=server.url) as c:  # everything released once the requests end
            for _ in range(50):
                resp = c.post("/api/articles", json=article(11))
                if resp.status_code != 503:
                    break
            assert resp.status_code == 201, resp.text


# ---------------------------------------------------------------------------- ids of any shape (10)

IDS = ["https://example.com/news/2023/05/bridge?id=7&x=y#top", "a/../b", "100% sure", "sp ace", "ümlaut/é",
       "back\\slash", "?", "#", "%2F", "trailing/", "/leading", "a//b"]


def test_documents_with_any_id_open_in_the_api_and_the_ui(db_copy: Path) -> None:
    from conftest import LiveServer

    # a real server: Starlette's TestClient decodes a path twice ("%252F" → "/"), uvicorn once
    with LiveServer(db_copy) as server, httpx.Client(base_url=server.url) as client:
        articles = [article(i, id=doc_id) for i, doc_id in enumerate(IDS)]
        assert client.post("/api/articles", json=articles).status_code == 201
        for doc_id in IDS:
            target = quote(doc_id, safe="")
            api = client.get(f"/api/documents/{target}")
            assert api.status_code == 200 and api.json()["id"] == doc_id, (doc_id, api.text[:200])
            page = client.get(f"/documents/{target}")
            assert page.status_code == 200, doc_id
            assert f'href="/api/documents/{target}"' in page.text
        story = client.get("/api/documents/" + quote(IDS[0], safe="")).json()["story"]
        html = client.get(f"/stories/{story}").text
        links = set(re.findall(r'href="/documents/([^"#]+)', html))
        assert quote(IDS[0], safe="") in links
        for link in links:
            assert client.get(f"/documents/{link}").status_code == 200, link


# ---------------------------------------------------------------------------------- the fuzzer

ROUTES = ["/api/stories", "/api/stories/{id}", "/api/stories/{id}/timeline", "/api/stories/{id}/key-dates",
          "/api/stories/{id}/quotes", "/api/stories/{id}/speakers", "/api/stories/{id}/claims",
          "/api/stories/{id}/sources", "/api/stories/{id}/compare", "/api/stories/{id}/summary",
          "/api/stories/{id}/coverage", "/api/quotes", "/api/documents", "/api/documents/{id}", "/api/search",
          "/api/outlets", "/api/entities", "/api/entities/{id}", "/api/corrections", "/api/feeds", "/api/alerts",
          "/", "/search", "/stories/{id}", "/documents/{id}", "/entities", "/entities/{id}", "/alerts", "/docs",
          "/openapi.json"]
PARAMS = ["limit", "offset", "q", "speaker", "story", "outlet", "dates", "per_date", "since", "until", "sort",
          "format", "entity", "topic", "label", "events", "speakers", "sources", "all"]
values = st.one_of(st.integers(min_value=-2**70, max_value=2**70).map(str), st.text(max_size=40),
                   st.sampled_from(["", "%", "_", "1e9", "NaN", "-0", " 1", "\x00", "%00", "9" * 400]),
                   st.text(alphabet="%_\\*[]\"'", max_size=600))
ids = st.one_of(st.text(max_size=30), st.sampled_from(["..", ".", "%2e%2e", "%", "a/b", "ÿ", "\x7f"]))


@settings(max_examples=int(200 * float(os.environ.get("STORYLINE_PROPERTY_SCALE", "1"))), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from(ROUTES), ident=ids, params=st.dictionaries(st.sampled_from(PARAMS), values, max_size=4),
       accept=st.sampled_from(["application/json", "text/html", "*/*"]))
def test_fuzzed_read_requests_never_get_a_500(fuzz_client: TestClient, route: str, ident: str, params: dict,
                                               accept: str) -> None:
    resp = fuzz_client.get(route.replace("{id}", quote(ident, safe="")), params=params, headers={"Accept": accept})
    assert resp.status_code < 500, (route, ident, params, resp.status_code, resp.text[:300])
    assert_secured(resp)


fields = st.sampled_from(["id", "title", "text", "html", "url", "published", "outlet", "extra"])
field_values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                         st.floats(allow_nan=True), st.text(max_size=200),
                         st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5),
                                                                                max_size=2))
records = st.dictionaries(fields, field_values, max_size=7)
bodies = st.one_of(records, st.lists(records, max_size=4), st.text(max_size=100), st.integers())


@settings(max_examples=int(60 * float(os.environ.get("STORYLINE_PROPERTY_SCALE", "1"))), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(body=bodies, content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=x"]))
def test_fuzzed_writes_never_get_a_500(fuzz_client: TestClient, body: object, content_type: str) -> None:
    raw = json.dumps(body, ensure_ascii=True, allow_nan=True).encode()
    resp = fuzz_client.post("/api/articles", content=raw, headers={"Content-Type": content_type})
    assert resp.status_code < 500, (body, resp.status_code, resp.text[:300])
    assert_secured(resp)


@pytest.fixture(scope="module")
def fuzz_client(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    import shutil

    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(seed_db, db)
    with TestClient(create_app(db), base_url=BASE, raise_server_exceptions=False) as c:
        yield c
