"""Reliability and security: bad input, crashes, concurrency and hostile content lose nothing.

Most tests drive the real CLI (``python -m storyline.cli``) or a real server in subprocesses. The longer
runs are ``bench/crash.py`` (20 kills) and ``bench/load_mixed.py`` (5,000 requests); RELIABILITY.md lists
what each check tried and how to reproduce it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from storyline import contract
from storyline.ingest.readers import read_record
from storyline.model import Document
from storyline.run import pipeline, work
from storyline.store import Store

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "storyline.cli"]
# rich wraps long lines at 80 columns when stderr is not a terminal: set it, so wrapping would show
ENV = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}


def _bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"storyline_bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


crash = _bench("crash")
load_mixed = _bench("load_mixed")


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=timeout)


def skipped_lines(stderr: str) -> dict[str, str]:
    """The CLI's "skipped WHERE: MESSAGE" lines as {WHERE: MESSAGE} (WHERE may hold ':line')."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("skipped "):
            where, _, message = line[len("skipped "):].partition(": ")
            out[where] = message
    return out


# ----------------------------------------------------------------------------------------- bad input

GOOD_TEXT = ("Talks resume in Geneva\n\nGENEVA (Reuters) - Diplomats met in Geneva on January 10, 2022, "
             "officials said.\n\n\"We made progress,\" Sergei Ryabkov said on January 10, 2022.\n")


def write_bad_inputs(d: Path) -> tuple[dict[str, str], set[str]]:
    """Every kind of bad input next to good ones; returns ({where: expected message part}, good ids)."""
    import gzip

    (d / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("   \n\n  \n")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (d / "huge.txt").write_text("All work and no play makes a long article. " * 2000 + "\n")
    (d / "truncated.html").write_text(
        "<html><head><title>Border reopens</title></head><body><article><p>Ministers from Kenya and Uganda "
        "agreed on March 3, 2022 to reopen the border crossing at Busia.</p><p>The deal was signed after t")
    (d / "malformed.html").write_text(
        "<html><body><div><p>Port workers in Rotterdam ended their strike on 4 February 2022, the union said."
        "<div></span></p></b><p>Cranes resumed work on Saturday.</table></html></html>")
    (d / "latin1.txt").write_bytes("Café owners in São Paulo protested on 5 May 2022 against new taxes, "
                                   "the association said. Prices had risen £10.".encode("cp1252"))
    (d / "utf16.txt").write_bytes("Officials in Kyiv said on 7 July 2022 that grain ships had left port."
                                  .encode("utf-16"))
    (d / "mixed.txt").write_bytes("Naïve café reporting on 6 June 2022 in Zürich.".encode()
                                  + b" \xe9t\xe9 " + "— more".encode())
    (d / "noarticle.txt").write_text("Share\nTweet\nAdvertisement\n---\n")
    (d / "bad.json").write_text('[{"id": "x1", "text": "ok"},')
    cut = gzip.compress(b'{"id": "g1", "text": "Fishermen returned."}\n' * 50)[:60]
    (d / "trunc.jsonl.gz").write_bytes(cut)
    lines = [
        {"id": "j1", "text": "Farmers in Punjab began harvesting wheat on 1 April 2022, officials said.",
         "published": "2022-04-02"},
        "{not json at all",
        ["a", "list"],
        {"id": "j2", "title": "no body"},
        {"id": "j3", "text": "The bridge in Mostar reopened, the mayor said.", "published": "31/02/2022"},
        {"id": "j4", "text": "Engineers in Lagos restored power to the grid, the utility said.",
         "published": "Tue, 03 May 2022 10:00:00 +0100"},
        {"id": "j5", "text": "Rescuers in Izmir searched the rubble through the night, the agency said.",
         "published": "March 4th 2022"},
        {"id": "j6", "text": "Voters in Santiago lined up before dawn, officials said.", "published": 12345},
        {"id": "j7", "text": "...", "published": "2022-05-01"},
        {"id": "j8", "text": "Share\nAdvertisement\nRead more: nothing here"},
        '{"id": "j9", "text": "a line cut sh',
        {"id": "j10", "text": "Dockers in Hamburg voted to strike.", "published": 253402300799},
        {"id": "j11", "text": "Climbers on Everest reached the summit, organisers said.",
         "published": "2022-05-12T23:30:00-05:00"},
        {"id": "j12", "text": "Archaeologists near Konya said the settlement was built 3000 years ago, and "
                              "digging resumed on 9 May 2022.", "published": "2022-05-10"},
        "",
    ]
    (d / "mixed.jsonl").write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n"
                                           for x in lines))
    errors = {
        "bad.json:1": "invalid JSON", "binary.txt": "binary file (binary data), not text",
        "blank.txt": "empty file", "empty.txt": "empty file", "huge.txt": "file over the 20,000-byte limit",
        "image.html": "binary file (PNG image), not text", "mixed.txt": "undecodable bytes",
        "noarticle.txt": "no article text", "trunc.jsonl.gz": "cannot read file",
        "mixed.jsonl:2": "invalid JSON", "mixed.jsonl:3": "expected a JSON object, got list",
        "mixed.jsonl:4": "record has neither 'text' nor 'html'",
        "mixed.jsonl:5": "field 'published': cannot read '31/02/2022' as a date",
        "mixed.jsonl:8": "field 'published': cannot read '12345' as a date",
        "mixed.jsonl:9": "no article text", "mixed.jsonl:10": "no article text",
        "mixed.jsonl:11": "invalid JSON",
        "mixed.jsonl:12": "field 'published': cannot read '253402300799' as a date",
    }
    good = {"good", "truncated", "malformed", "latin1", "utf16", "j1", "j4", "j5", "j11", "j12"}
    return {str(d / k): v for k, v in errors.items()}, good


@pytest.mark.slow
def test_bad_inputs_are_reported_one_line_each_and_the_rest_is_processed(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    errors, good = write_bad_inputs(inputs)
    missing = tmp_path / "no-such-file.txt"
    errors[str(missing)] = "no such file or directory"
    db, out = tmp_path / "bad.db", tmp_path / "bad.json"
    run = cli("analyze", str(inputs), str(missing), "--db", str(db), "--json", str(out),
              "--max-bytes", "20000", "--quiet")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    reported = skipped_lines(run.stderr)
    for where, message in errors.items():
        assert message in reported.get(where, ""), (where, reported.get(where), run.stderr)
    not_analysed = {w: m for w, m in reported.items() if w not in errors}  # stages that fail on a stored text
    assert all("stored but not analysed" in m for m in not_analysed.values()), not_analysed
    summary = re.search(r"read (\d+) articles: (\d+) new.*; (\d+) unreadable;", run.stderr)
    assert summary and summary[3] == str(len(reported)), run.stderr
    assert int(summary[1]) == int(summary[2]) == len(good)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {d["id"] for d in data["documents"]} == good
    published = {d["id"]: d["published"] for d in data["documents"]}
    assert (published["j4"], published["j5"], published["j11"]) == ("2022-05-03", "2022-03-04", "2022-05-12")
    analysed = {d["id"] for d in data["documents"] if d["story"]}
    assert analysed == good, "every stored article was annotated and linked"
    with contextlib.closing(sqlite3.connect(db)) as con:
        texts = dict(con.execute("SELECT id, text FROM documents"))
    assert "Café owners in São Paulo" in texts["latin1"] and "£10" in texts["latin1"]
    assert "Kyiv" in texts["utf16"] and "Busia" in texts["truncated"]


@pytest.mark.slow
def test_nothing_readable_fails_with_a_message_per_input(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_bad_inputs(inputs)
    names = ["empty.txt", "binary.txt", "huge.txt", "image.html", "noarticle.txt"]
    run = cli("analyze", *(str(inputs / n) for n in names), str(tmp_path / "missing"), "--db",
              str(tmp_path / "x.db"), "--max-bytes", "20000", "--quiet")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    reported = skipped_lines(run.stderr)
    assert set(reported) == {str(inputs / n) for n in names} | {str(tmp_path / "missing")}, run.stderr
    assert "file over the 20,000-byte limit (86,001 bytes on disk)" == reported[str(inputs / "huge.txt")]


def test_epoch_numbers_outside_the_calendar_are_not_dates() -> None:
    body = "Officials in Riga met to discuss energy prices, the ministry said."
    assert read_record({"text": body, "published": 1642550400}, "x").published == date(2022, 1, 19)
    for value in (2022, 20220119, 12345, 253402300799, -62135596800):  # a year, a YYYYMMDD, years 9999 and 1
        with pytest.raises(ValueError, match="cannot read"):
            read_record({"text": body, "published": value}, "x")


def test_a_document_the_stages_fail_on_is_reported_and_the_rest_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = work.annotate_batch

    def annotate(docs: list[Document]) -> list:
        if any(d.id == "poison" for d in docs):
            raise RuntimeError("the stages cannot handle this one")
        return real(docs)

    monkeypatch.setattr(work, "annotate_batch", annotate)  # the workers' batches and the one-by-one fallback
    docs = [Document(id=f"ok{i}", text=f"Officials in Riga met on {i + 1} March 2022 to discuss item {i}, "
                                       "the ministry said.", path=f"in/ok{i}.txt") for i in range(3)]
    docs.insert(1, Document(id="poison", text="An article no stage can analyse.", path="in/poison.txt"))
    with Store(tmp_path / "p.db") as store:
        pipeline.ingest(store, docs)
        report = pipeline.analyze(store, workers=1)
        assert [str(e) for e in report.errors] == [
            "in/poison.txt: document 'poison' stored but not analysed "
            "(RuntimeError: the stages cannot handle this one)"]
        assert report.annotated == 3 and report.linked == 3
        rows = dict(store.db.execute("SELECT id, annotated + linked FROM documents").fetchall())
        assert rows == {"ok0": 2, "ok1": 2, "ok2": 2, "poison": -1}
        again = pipeline.analyze(store, workers=1)  # not retried in a loop, not reported twice
        assert (again.annotated, again.linked, again.errors) == (0, 0, [])


def test_the_same_file_name_in_two_folders_keeps_both_articles(tmp_path: Path) -> None:
    for outlet, text in (("reuters", "Officials in Riga met on 3 March 2022 to discuss energy prices."),
                         ("ap", "Farmers in Punjab began harvesting wheat on 1 April 2022, officials said.")):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "0001.txt").write_text(text + "\n")
    with Store(tmp_path / "s.db") as store:
        first = pipeline.ingest(store, pipeline.read_paths([tmp_path / "reuters", tmp_path / "ap"]))
        again = pipeline.ingest(store, pipeline.read_paths([tmp_path]))
        paths = sorted(Path(d.path).parent.name for d in store.documents())
    assert (first.added, again.added, again.skipped) == (2, 0, 2)
    assert paths == ["ap", "reuters"]


# ------------------------------------------------------------------------------------------- crashes


class _Crash(BaseException):
    """Stands in for the process dying just after a commit (not an Exception: nothing may catch it)."""


@contextlib.contextmanager
def crash_after(monkeypatch: pytest.MonkeyPatch, commit: int | None) -> Iterator[Callable[[], int]]:
    """Count Store transactions; raise _Crash right after the ``commit``-th one commits."""
    original = Store.transaction
    done = 0

    @contextlib.contextmanager
    def transaction(self: Store) -> Iterator[sqlite3.Connection]:
        nonlocal done
        with original(self) as db:
            yield db
        done += 1
        if done == commit:
            raise _Crash(done)

    monkeypatch.setattr(Store, "transaction", transaction)
    try:
        yield lambda: done
    finally:
        monkeypatch.setattr(Store, "transaction", original)


@pytest.mark.slow
def test_a_crash_after_any_commit_resumes_to_the_clean_result(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    crash.make_corpus(corpus, 12, seed=3)
    monkeypatch.setattr(pipeline, "BATCH", 4)  # many small transactions: many places to crash

    def analyse(db: Path) -> dict:
        with Store(db) as store:
            pipeline.analyze(store, [str(corpus)], workers=1)
            data = contract.build(store)
        data.pop("generated")
        return data

    with crash_after(monkeypatch, None) as commits:
        clean = analyse(tmp_path / "clean.db")
        total = commits()
    assert total >= 9 and any(s["timeline"] for s in clean["stories"])
    for k in range(1, total + 1):
        db = tmp_path / f"crash{k}.db"
        with crash_after(monkeypatch, k), pytest.raises(_Crash):
            analyse(db)
        before = crash.snapshot(db)
        assert analyse(db) == clean, f"resuming after a crash after commit {k} of {total} gave another result"
        assert crash.check_database(db, before) == [], k


@contextlib.contextmanager
def reaped() -> Iterator[Callable[[list[str]], subprocess.Popen]]:
    """Start CLI processes; any still running when the block ends is killed (a failure leaks nothing)."""
    procs: list[subprocess.Popen] = []

    def start(cmd: list[str]) -> subprocess.Popen:
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        return procs[-1]

    try:
        yield start
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _wait_for(proc: subprocess.Popen, db: Path, ready: Callable[[dict], bool]) -> dict | None:
    """Poll the database until ``ready(progress)``; None when the process ended first."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        state = crash.progress(db)
        if ready(state):
            return state
        time.sleep(0.01)
    raise AssertionError("the run made no progress")


@pytest.mark.slow
def test_kill_9_in_the_middle_of_analyze_then_resume(tmp_path: Path) -> None:
    n = 200  # with 2 workers: annotation batches of 128 and 72, so the first kill lands between them
    corpus = tmp_path / "corpus"
    crash.make_corpus(corpus, n, seed=5)
    db, out = tmp_path / "crash.db", tmp_path / "crash.json"
    kills: list[dict] = []
    before: dict[str, tuple] = {}
    with reaped() as started:
        clean = started(crash.analyze_cmd(corpus, tmp_path / "clean.db", tmp_path / "clean.json", 2))
        # first kill: mid-annotation (a batch is committed, the next one is being computed); second: once
        # the documents are linked (timelines being rebuilt, or the JSON being written)
        for ready in (lambda p: p["annotated"] > 0, lambda p: p["linked"] > 0):
            proc = started(crash.analyze_cmd(corpus, db, out, 2))
            state = _wait_for(proc, db, ready)
            if state is None:
                assert proc.returncode == 0
                continue
            workers = crash.children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            left = crash.gone(workers)
            for pid in left:  # do not leak them when this fails
                os.kill(pid, signal.SIGKILL)
            assert left == [], "annotation workers outlived the killed run"
            assert crash.check_database(db, before) == []
            before = crash.snapshot(db)
            kills.append(state)
        assert kills and kills[0]["annotated"] < n, "the first kill must land in the middle of the run"
        final = cli("analyze", str(corpus), "--db", str(db), "--json", str(out), "--quiet", "--workers", "2")
        assert final.returncode == 0, final.stderr
        assert crash.check_database(db, before) == []
        assert crash.progress(db)["linked"] == n
        assert clean.wait(timeout=600) == 0
    assert crash.comparable(out) == crash.comparable(tmp_path / "clean.json")


# --------------------------------------------------------------------------------------- concurrency


@pytest.mark.slow
def test_two_analyze_runs_and_reading_threads_share_one_database(tmp_path: Path) -> None:
    a, shared, b = tmp_path / "a", tmp_path / "shared", tmp_path / "b"
    crash.make_corpus(a, 40, seed=1, prefix="a")
    crash.make_corpus(shared, 20, seed=2, prefix="s")
    crash.make_corpus(b, 40, seed=3, prefix="b")
    db = tmp_path / "shared.db"
    with Store(db) as store:  # something to read from the start
        pipeline.analyze(store, [str(shared)], workers=1)
    seeded = crash.snapshot(db)
    stop = threading.Event()
    problems: list[str] = []
    reads = [0]

    def reader(word: str) -> None:
        try:
            with Store(db) as store:
                last = 0
                while not stop.is_set():
                    count = store.count_documents()
                    if count < last:
                        problems.append(f"documents went from {last} to {count}")
                    last = count
                    store.search(word, limit=5)
                    for row in store.stories(limit=3):
                        store.story(row["id"])
                    store.documents(limit=10)
                    reads[0] += 1
                    time.sleep(0.02)  # readers, not a busy loop: leave the CPUs to the writers
        except Exception as exc:  # any error while another process writes is a failure
            problems.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader, args=(w,)) for w in ("talks", "Geneva", "wheat")]
    for t in threads:
        t.start()
    runs = [subprocess.Popen([*CLI, "analyze", str(x), str(shared), "--db", str(db), "--quiet",
                              "--workers", "1"], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for x in (a, b)]
    try:
        outputs = [p.communicate(timeout=600)[1] for p in runs]
    finally:
        stop.set()
        for t in threads:
            t.join()
        for p in runs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert [p.returncode for p in runs] == [0, 0], outputs
    assert not problems and reads[0] > 0, problems[:5]
    annotated = [int(re.search(r"(\d+) annotated", o)[1]) for o in outputs]  # type: ignore[index]
    assert sum(annotated) == 80, f"{annotated}: some documents were annotated twice (or never)"
    with contextlib.closing(sqlite3.connect(db)) as con:
        q = con.execute
        assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = q("SELECT COUNT(*), COUNT(DISTINCT hash), SUM(annotated), SUM(linked) FROM documents")
        assert counts.fetchone() == (100, 100, 100, 100)
        originals = q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL").fetchone()[0]
        assert 0 < originals <= 100  # (the old story index's own count is gone with it; stories are checked below)
        assert q("SELECT COUNT(*) FROM documents WHERE duplicate_of = id").fetchone()[0] == 0
        assert q("SELECT COUNT(*) FROM documents WHERE story IS NULL OR story NOT IN (SELECT id FROM stories)"
                 ).fetchone()[0] == 0
        assert q("SELECT COUNT(*) FROM event_mentions WHERE mention NOT IN (SELECT id FROM mentions)"
                 ).fetchone()[0] == 0
        indexed = q("SELECT COUNT(*) FROM sentences_fts").fetchone()
        assert q("SELECT COUNT(*) FROM sentences").fetchone() == indexed
        sizes = q("SELECT s.size, (SELECT COUNT(*) FROM documents d WHERE d.story = s.id"
                  " AND d.duplicate_of IS NULL) FROM stories s").fetchall()
        assert all(size == members for size, members in sizes), sizes
    assert crash.check_database(db, seeded) == []


# ----------------------------------------------------------------------------------- hostile content

PWN = "window.__pwned=1"
HOSTILE_PAGE = f"""<!doctype html><html><head><title>Geneva talks [/b] hostile page</title>
<meta property="article:published_time" content="2022-01-11"><style>body {{ display: none }}</style>
<script>{PWN}</script></head><body><article><h1>Geneva talks [/b] hostile page</h1>
<p>Diplomats met in Geneva on January 10, 2022 and discussed &lt;script&gt;{PWN}&lt;/script&gt; in the
security talks, officials said.<img src=x onerror="{PWN}"></p>
<p>"We reject &lt;img src=x onerror=&quot;{PWN}&quot;&gt; and javascript:{PWN} alike," Sergei Ryabkov said
on January 10, 2022. <a href="javascript:{PWN}">Read more</a></p>
<p>Negotiators in Geneva met again on January 12, 2022 about &lt;style&gt;body{{display:none}}&lt;/style&gt;
rules, the ministry said.<iframe src="javascript:{PWN}"></iframe><svg onload="{PWN}"></svg></p>
</article></body></html>"""
HOSTILE_RECORDS = [
    {"id": "h-title", "title": f'<img src=x onerror="{PWN}"> Geneva talks [/bold] continue',
     "outlet": f"<script>{PWN}</script> Evil Wire [/x]", "url": f"javascript:{PWN}",
     "published": "2022-01-11",
     "text": f"Diplomats met in Geneva on January 10, 2022 to discuss <script>{PWN}</script> in the security "
             "talks, officials said."},
    {"id": "h-quote", "outlet": "Evil Wire [/x]", "published": "2022-01-11",
     "text": f'"We reject [/i] [link=javascript:{PWN}]this[/link] and all such tricks," Sergei Ryabkov '
             "said in Geneva on January 10, 2022, after the security talks."},
    {"id": "h-style", "outlet": "Evil Wire [/x]", "published": "2022-01-12",
     "text": "Negotiators in Geneva met again on January 12, 2022 about <style>body{display:none}</style> "
             "in the security talks, the ministry said."},
    {"id": "h-link", "outlet": "Evil Wire [/x]", "published": "2022-01-12",
     "text": f'Officials in Geneva on January 12, 2022 shared <a href="javascript:{PWN}">a link</a> about '
             "the security talks, the ministry said."},
    {"id": "h-markup", "text": "Officials in Geneva talked.", "published": "2022 [/bold] x"},
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Hostile articles (a page with live markup, records quoting markup as text, rich-markup look-alikes in
    names and fields) analysed by the CLI into a database, the JSON contract and the HTML report."""
    tmp = tmp_path_factory.mktemp("hostile")
    inputs = tmp / "in ["  # with the file below, the path reads ".../in [/bold] wire.jsonl": rich markup
    inputs.mkdir()
    (inputs / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    (inputs / "bold] wire.jsonl").write_text("\n".join(json.dumps(r) for r in HOSTILE_RECORDS) + "\n",
                                               encoding="utf-8")
    db, report, out = tmp / "hostile.db", tmp / "report.html", tmp / "report.json"
    run = cli("analyze", str(inputs), "--db", str(db), "--html", str(report), "--json", str(out), "--quiet")
    return {"run": run, "db": db, "report": report, "json": out, "inputs": inputs}


def test_markup_in_file_names_and_fields_is_printed_as_text(hostile: dict) -> None:
    from click.testing import CliRunner

    from storyline.cli import main

    run = hostile["run"]
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    where = f"{hostile['inputs']}/bold] wire.jsonl:5"
    assert "[/bold]" in where
    assert skipped_lines(run.stderr) == {where: "field 'published': cannot read '2022 [/bold] x' as a date "
                                                "(day, month, year)"}
    assert f"wrote {hostile['report']}" in run.stderr
    runner = CliRunner()
    shown = {"timeline": "[/b]", "quotes": "[/i]", "stories": "[/b]", "search reject": "[link=javascript:"}
    for command, literal in shown.items():
        result = runner.invoke(main, [*command.split(), "--db", str(hostile["db"])])
        assert result.exit_code == 0 and result.exception is None, (command, result.output, result.exception)
        assert literal in result.output, (command, result.output)


@pytest.mark.e2e
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["as-shipped", "without-its-csp"])
def test_html_report_shows_article_markup_as_text_and_runs_none_of_it(hostile: dict, browser: object,
                                                                      bypass_csp: bool) -> None:
    """Without its Content-Security-Policy too: escaping alone must keep article markup inert."""
    report: Path = hostile["report"]
    html = report.read_text(encoding="utf-8")
    assert f"&lt;script&gt;{PWN}&lt;/script&gt;" in html  # the hostile text is in the report, escaped
    context = browser.new_context(bypass_csp=bypass_csp)  # type: ignore[attr-defined]
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    for link in page.query_selector_all("main a"):
        link.click(no_wait_after=True)
    found = page.evaluate("""() => ({
        pwned: typeof window.__pwned,
        live: document.querySelectorAll('main script, main img, main iframe, main object, main embed, '
                                        + 'main style, main a[href^="javascript:" i], main [srcdoc]').length,
        handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
                  .filter(n => n.startsWith('on')),
        text: document.body.innerText,
        visible: getComputedStyle(document.body).display,
    })""")
    context.close()
    assert found["pwned"] == "undefined" and not dialogs
    assert found["live"] == 0 and found["handlers"] == []
    assert found["visible"] != "none"
    for shown in (f"<script>{PWN}</script>", f'<img src=x onerror="{PWN}">',
                  "<style>body{display:none}</style>", "Geneva talks [/bold] continue"):
        assert shown in found["text"], shown
    assert [u for u in requests if u != report.as_uri() and not u.startswith("data:")] == []


# ------------------------------------------------------------------------------------ web UI and API

TRAVERSALS = [
    "/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static/%252e%252e/%252e%252e/pyproject.toml",
    "/static/....//....//pyproject.toml", "/static/..\\..\\pyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/.%2e/.%2e/pyproject.toml", "/static/%2E%2E/%2E%2E/pyproject.toml", "/static/../server/api.py",
    "/static/%2e%2e/server/api.py", "/static/..%2fserver/api.py", "/static/web.css/../../server/api.py",
    "/static/..%00/server/api.py", "/static/%c0%ae%c0%ae/server/api.py", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", f"/static/{'%2f'.join(ROOT.parts[1:])}%2fpyproject.toml",
    "/static/report.css/../../server/api.py",
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/documents/..%2f..%2fpyproject.toml",
    "/stories/..%2f..%2fpyproject.toml", "/api/documents/..%2f..%2fpyproject.toml",
    "/docs/../../pyproject.toml",
]
SECRETS = (b"[project]", b"def create_app", b"root:x:0:0")


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET exactly ``target`` (no client-side normalisation of dot segments or escapes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_no_route_reads_a_file_outside_its_folder(live_server) -> None:  # noqa: ANN001 - conftest fixture
    port = int(live_server.url.rsplit(":", 1)[1])
    assert raw_get(port, "/static/web.css")[0] == 200  # the folder does serve its own files
    for target in TRAVERSALS:
        status, body = raw_get(port, target)
        assert status == 404, (target, status, body[:200])
        assert not any(s in body for s in SECRETS), target


@pytest.fixture
def limited_client(db_copy: Path) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from storyline.server.api import Limits, create_app

    limits = Limits(max_body=64 * 1024, max_article=8 * 1024, max_batch=3, max_files=2)
    with TestClient(create_app(db_copy, limits=limits), base_url="http://127.0.0.1") as client:
        yield client


def test_request_and_upload_limits_are_enforced_before_anything_is_stored(
        limited_client) -> None:  # noqa: ANN001 - a TestClient
    client = limited_client
    before = client.get("/api/documents").json()["total"]
    article = "Officials in Riga met on 3 March 2022 to discuss energy prices, the ministry said. "
    refused = {
        "body over the limit": (413, client.post("/api/articles", content=b"[" + b" " * 70_000 + b"]",
                                                 headers={"content-type": "application/json"})),
        "streamed body over the limit": (413, client.post("/api/articles",
                                                          content=iter([b"[", b" " * 70_000, b"]"]),
                                                          headers={"content-type": "application/json"})),
        "article over the limit": (413, client.post("/api/articles", json={"text": article * 120})),
        "too many articles": (422, client.post("/api/articles", json=[{"text": f"{article} {i}"}
                                                                      for i in range(4)])),
        "file over the limit": (413, client.post("/api/upload", files=[
            ("files", ("big.txt", (article * 120).encode(), "text/plain"))])),
        "too many articles in a file": (422, client.post("/api/upload", files=[
            ("files", ("many.jsonl", "".join(json.dumps({"text": f"{article} {i}"}) + "\n" for i in range(5))
                       .encode(), "application/json"))])),
        "a file type that is not read": (415, client.post("/api/upload", files=[
            ("files", ("tool.exe", b"MZ\x90\x00", "application/octet-stream"))])),
        # starlette refuses the multipart body itself; the API answers 422, as its OpenAPI document says
        "too many files": (422, client.post("/api/upload", files=[
            ("files", (f"f{i}.txt", f"{article} {i}".encode(), "text/plain")) for i in range(3)])),
    }
    for case, (expected, resp) in refused.items():
        ok = resp.status_code in expected if isinstance(expected, tuple) else resp.status_code == expected
        assert ok, (case, resp.status_code, resp.text[:200])
        assert resp.headers["content-type"].startswith("application/json") and resp.json()["error"], case
    assert client.get("/api/documents").json()["total"] == before


def test_an_article_the_stages_fail_on_does_not_break_later_ingests(db_copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from storyline.server.api import create_app

    real = work.annotate_batch

    def annotate(docs: list[Document]) -> list:
        if any("POISON" in d.text for d in docs):
            raise ValueError("year 10000 is out of range")  # as dates.resolve on "10000 years from now"
        return real(docs)

    monkeypatch.setattr(work, "annotate_batch", annotate)
    with TestClient(create_app(db_copy), base_url="http://127.0.0.1") as client:
        first = client.post("/api/articles", json={"id": "poison", "text": "POISON: officials in Riga met."})
        second = client.post("/api/articles", json={
            "id": "after", "published": "2022-03-04",
            "text": "Officials in Vilnius met on 3 March 2022 to discuss rail links, the ministry said."})
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
        assert second.json()["articles"][0]["story"]
        assert client.get("/api/documents/poison").status_code == 200  # stored, not lost


def test_upload_file_names_cannot_point_outside_the_upload_folder(db_copy: Path) -> None:
    import tempfile

    from fastapi.testclient import TestClient

    from storyline.server.api import create_app

    name = f"storyline-escape-{uuid.uuid4().hex}.txt"
    tmp = Path(tempfile.gettempdir())
    targets = [tmp / name, tmp.parent / name, ROOT / name, tmp / f"x{name}", Path("/tmp") / f"abs-{name}"]
    with TestClient(create_app(db_copy), base_url="http://127.0.0.1") as client:
        resp = client.post("/api/upload", files=[
            ("files", (f"../../{name}", b"Officials in Riga met on 3 March 2022.", "text/plain")),
            ("files", (f"..\\..\\x{name}", b"Farmers in Punjab began the harvest on 1 April 2022.",
                       "text/plain")),
            ("files", (f"/tmp/abs-{name}", b"Dockers in Hamburg voted on 2 May 2022 to strike.",
                       "text/plain"))])
    assert resp.status_code == 201 and resp.json()["added"] == 3, resp.text
    assert [t for t in targets if t.exists()] == []


def test_serve_binds_to_loopback_unless_told_otherwise(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from storyline.cli import main

    runner = CliRunner()
    help_text = runner.invoke(main, ["serve", "--help"]).output
    assert re.search(r"--host\s+TEXT.*default:\s*127\.0\.0\.1", " ".join(help_text.split())), help_text
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    result = runner.invoke(main, ["serve", "--db", str(tmp_path / "s.db")], env={"STORYLINE_DB": ""})
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["host"] == "127.0.0.1"


# ------------------------------------------------------------------------------------------------ load


@pytest.mark.slow
def test_mixed_reads_and_ingests_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    load_mixed.seed_database(db, articles=18)
    proc, url = load_mixed.start_server(db)
    try:
        if Path("/proc/net/tcp").exists():
            assert load_mixed.listening_addresses(int(url.rsplit(":", 1)[1])) == ["127.0.0.1"]
        load = load_mixed.run_load(url, total=300, concurrency=10, ingest_share=0.2, seed=4)
        with ThreadPoolExecutor(1) as pool:  # a fresh thread's event loop: Playwright may hold this one
            result = pool.submit(asyncio.run, load).result()
    finally:
        load_mixed.stop_server(proc)
    assert result["server_errors"] == 0 and result["transport_errors"] == 0, result
    assert result["ingests_accepted"] == result["ingests_sent"] > 0
    assert result["readback_missing"] == []
    assert set(result["statuses"]) <= {"200", "201"}, result["statuses"]
    lost, doubled = load_mixed.missing_from_db(db, result["accepted_ids"])
    assert lost == [] and doubled == 0
