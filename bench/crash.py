"""Crash safety: ``kill -9`` an ``analyze`` run again and again, and check that nothing is lost.

    python bench/crash.py                          # 20 kills over a 400-article generated corpus
    python bench/crash.py --kills 50 --articles 600 --workers 2 --seed 3 --keep /tmp/crash

A corpus of short synthetic articles (.txt, .html and one .jsonl, so every reader and every stage takes
part) is analysed once cleanly. Then a second database is built by runs of the same command that are
SIGKILLed after a random delay (uniform over the clean run's duration, so kills land in start-up, ingest,
annotation, linking, timeline rebuilding and JSON writing). After every kill the database must open, pass
``PRAGMA integrity_check``, hold every document committed before the kill exactly once with its
annotations unchanged, and the killed run's worker processes must be gone. Whenever a run completes
before its kill, its ``--json`` must equal the clean run's (minus the "generated" timestamp) and the next
round starts from an empty database, so kills keep landing in every phase; after the last kill a final
run completes and is compared the same way. Prints one JSON object (with the state at every kill).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "storyline.cli"]

TOPICS = [  # (topic, place, person, organisation, three topic words)
    ("grain exports", "Odesa", "Oleksandr Kubrakov", "infrastructure ministry", "wheat corridor ships"),
    ("gas pipeline", "Berlin", "Olaf Scholz", "federal chancellery", "turbine pressure valves"),
    ("security guarantees", "Geneva", "Dmitry Peskov", "Kremlin", "treaty missiles draft"),
    ("election dispute", "Nairobi", "William Ruto", "electoral commission", "ballots tally petition"),
    ("port strike", "Rotterdam", "Ahmed Aboutaleb", "dock workers union", "containers wages cranes"),
    ("wildfire evacuation", "Athens", "Kyriakos Mitsotakis", "fire service", "flames villages winds"),
    ("vaccine rollout", "Jakarta", "Budi Gunadi Sadikin", "health ministry", "doses clinics boosters"),
    ("copper mine protest", "Lima", "Pedro Castillo", "mining association", "roadblock ore royalties"),
]
OUTLETS = ["Reuters", "AP", "AFP", "TASS", "BBC", "Al Jazeera", "Xinhua", "dpa"]
FILLER = ["Analysts said the outcome remained uncertain.", "Markets reacted calmly to the news.",
          "Several delegations arrived late because of the weather.", "The talks were closed to the press.",
          "Local residents watched the developments closely.", "A second round had been expected for weeks."]


def article(i: int, rng: random.Random, prefix: str = "a") -> dict:
    """One synthetic news article: a dated meeting, a quote, a follow-up date; topic i % 8."""
    topic, place, person, org, words = TOPICS[i % len(TOPICS)]
    outlet = OUTLETS[rng.randrange(len(OUTLETS))]
    pub = date(2022, 1, 10) + timedelta(days=rng.randrange(50))
    met = pub - timedelta(days=rng.randrange(1, 6))
    due = pub + timedelta(days=rng.randrange(3, 12))
    w = rng.sample(words.split(), 3)
    paragraphs = [
        f"{place.upper()} ({outlet}) - Officials from the {org} met in {place} on {met:%B} {met.day}, "
        f"{met.year} to discuss the {topic} and the {w[0]}.",
        f"\"The {w[1]} question will be settled before {due:%B} {due.day},\" {person} said on "
        f"{pub:%B} {pub.day}.",
        f"{person.split()[-1]} added that {rng.randrange(2, 90)} {w[2]} were under review.",
        " ".join(rng.sample(FILLER, 2)) + f" Report number {i} counted {rng.randrange(100, 9999)} items.",
    ]
    return {"id": f"{prefix}{i:04d}", "title": f"{topic.capitalize()}: {w[0]} and {w[1]} in {place} ({i})",
            "outlet": outlet, "published": pub.isoformat(), "paragraphs": paragraphs}


def make_corpus(folder: Path, n: int, seed: int = 7, prefix: str = "a") -> int:
    """Write ``n`` articles under ``folder``: a third as .txt, a third as .html, a third in one .jsonl
    (ids and file names ``<prefix>0000``...)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        a = article(i, rng, prefix)
        if i % 3 == 0:
            body = "\n\n".join(a["paragraphs"])
            (folder / f"{a['id']}.txt").write_text(f"{a['title']}\n\n{body}\n\nPublished {a['published']}\n",
                                                   encoding="utf-8")
        elif i % 3 == 1:
            paras = "".join(f"<p>{p.replace('&', '&amp;').replace('<', '&lt;')}</p>" for p in a["paragraphs"])
            (folder / f"{a['id']}.html").write_text(
                f"<!doctype html><html><head><title>{a['title']}</title>"
                f"<meta property=\"article:published_time\" content=\"{a['published']}\">"
                f"<meta property=\"og:site_name\" content=\"{a['outlet']}\"></head>"
                f"<body><nav>Home | World</nav><article><h1>{a['title']}</h1>{paras}</article></body></html>",
                encoding="utf-8")
        else:
            lines.append(json.dumps({"id": a["id"], "title": a["title"], "outlet": a["outlet"],
                                     "published": a["published"], "text": "\n\n".join(a["paragraphs"])}))
    (folder / f"{prefix}-wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def connect(db: Path) -> sqlite3.Connection:
    """A read-only connection that never creates the file and waits for writers."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def progress(db: Path) -> dict[str, int]:
    """How far a (possibly running) analysis has got; zeros while the schema does not exist yet."""
    try:
        with closing(connect(db)) as con:
            row = con.execute("SELECT COUNT(*), COALESCE(SUM(annotated = 1), 0), COALESCE(SUM(linked), 0)"
                              " FROM documents").fetchone()
            events = con.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        return {"documents": row[0], "annotated": row[1], "linked": row[2], "events": events}
    except sqlite3.Error:
        return {"documents": 0, "annotated": 0, "linked": 0, "events": 0}


def snapshot(db: Path) -> dict[str, tuple]:
    """What the database holds per document: (hash, seq, annotated, linked, sentences, mentions, quotes)."""
    with closing(connect(db)) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return {}  # killed before the schema was created
        rows = con.execute(
            "SELECT d.id, d.hash, d.seq, d.annotated, d.linked,"
            " (SELECT COUNT(*) FROM sentences s WHERE s.document = d.id),"
            " (SELECT COUNT(*) FROM mentions m WHERE m.document = d.id),"
            " (SELECT COUNT(*) FROM quotes q WHERE q.document = d.id) FROM documents d").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def check_database(db: Path, before: dict[str, tuple]) -> list[str]:
    """Problems with a database after a kill, given its snapshot after the previous kill."""
    problems = []
    with closing(connect(db)) as con:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return problems + [f"{len(before)} documents lost with the schema"] if before else problems
        ids, hashes = con.execute("SELECT COUNT(*), COUNT(DISTINCT hash) FROM documents").fetchone()
        if ids != hashes:
            problems.append(f"{ids - hashes} documents stored twice")
        fts, sentences = con.execute("SELECT (SELECT COUNT(*) FROM sentences_fts),"
                                     " (SELECT COUNT(*) FROM sentences)").fetchone()
        if fts != sentences:
            problems.append(f"search index holds {fts} sentences, the sentences table {sentences}")
    now = snapshot(db)
    for doc_id, (h, seq, annotated, linked, *counts) in before.items():
        got = now.get(doc_id)
        if got is None:
            problems.append(f"{doc_id} lost")
        elif got[:2] != (h, seq):
            problems.append(f"{doc_id} changed: {got[:2]} != {(h, seq)}")
        elif got[2] < annotated or got[3] < linked:
            problems.append(f"{doc_id} went back from annotated={annotated}, linked={linked} to {got[2:4]}")
        elif annotated == 1 and list(got[4:]) != counts:
            problems.append(f"{doc_id} annotations changed: {got[4:]} != {tuple(counts)}")
    return problems


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    """The processes of ``pids`` still alive (not zombies) after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = pids
    while True:
        alive = [p for p in alive if _running(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def analyze_cmd(corpus: Path, db: Path, out: Path, workers: int) -> list[str]:
    return [*CLI, "analyze", str(corpus), "--db", str(db), "--json", str(out), "--quiet",
            "--workers", str(workers)]


def comparable(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("generated", None)
    return data


def phase(n: int, before: dict[str, int], at_kill: dict[str, int]) -> str:
    """What a killed run was doing, from what it had committed (``before`` it started, ``at_kill``)."""
    if before["linked"] == n and before["events"] > 0:
        return "after processing: re-reading the input, writing --json"
    if at_kill == before:
        return "nothing committed yet by this run: start-up, reading, first batch in flight"
    if at_kill["linked"] > before["linked"] or at_kill["events"] != before["events"]:
        return "linking or rebuilding timelines"
    if at_kill["annotated"] > before["annotated"]:
        return "annotating"
    return "ingesting"


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="storyline-crash-"))
    tmp.mkdir(parents=True, exist_ok=True)
    corpus = tmp / "corpus"
    make_corpus(corpus, args.articles, seed=args.seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    subprocess.run(analyze_cmd(corpus, tmp / "clean.db", tmp / "clean.json", args.workers), check=True,
                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clean_seconds = time.monotonic() - started
    clean = comparable(tmp / "clean.json")
    kills: list[dict] = []
    problems: list[str] = []
    rounds = 0  # each round builds a fresh database through killed runs until one run completes

    def fresh() -> tuple[Path, Path]:
        db, out = tmp / f"crash{rounds}.db", tmp / f"crash{rounds}.json"
        for old in tmp.glob(f"crash{rounds - 1}.*"):
            old.unlink()
        return db, out

    def finish(db: Path, out: Path, before: dict[str, tuple], how: str) -> None:
        problems.extend(f"round {rounds}: {p}" for p in check_database(db, before))
        if not out.exists() or comparable(out) != clean:
            problems.append(f"round {rounds}: the --json of {how} differs from the clean run's")

    db, out = fresh()
    before: dict[str, tuple] = {}
    while len(kills) < args.kills:
        delay = rng.uniform(0.2, clean_seconds * args.spread)
        state_before = progress(db)
        proc = subprocess.Popen(analyze_cmd(corpus, db, out, args.workers), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
        else:  # the run completed before its kill: check the round's result, start the next round
            if proc.returncode != 0:
                problems.append(f"a run exited with {proc.returncode}: {proc.stderr.read()[-500:]!r}")
            proc.stderr.close()
            finish(db, out, before, "a run that completed")
            rounds += 1
            db, out = fresh()
            before = {}
            continue
        workers = children(proc.pid)
        state = progress(db)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        left = gone(workers)
        if left:
            problems.append(f"kill {len(kills) + 1}: worker processes {left} outlived their parent")
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        found = check_database(db, before) if db.exists() else []
        problems += [f"kill {len(kills) + 1}: {p}" for p in found]
        kills.append({"round": rounds, "after_s": round(delay, 2),
                      "phase": phase(args.articles, state_before, state), **state})
        if db.exists():
            before = snapshot(db)
    final = subprocess.run(analyze_cmd(corpus, db, out, args.workers), cwd=ROOT, env=env, capture_output=True,
                           text=True)
    if final.returncode != 0:
        problems.append(f"the final run exited with {final.returncode}: {final.stderr[-500:]}")
    finish(db, out, before, "the final run")
    rounds += 1
    phases: dict[str, int] = {}
    for k in kills:
        phases[k["phase"]] = phases.get(k["phase"], 0) + 1
    return {"articles": args.articles, "workers": args.workers, "kills": len(kills),
            "rounds_each_ending_in_a_json_comparison": rounds, "clean_run_s": round(clean_seconds, 1),
            "kills_by_phase": phases, "problems": problems, "ok": not problems, "folder": str(tmp),
            "kill_log": kills}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spread", type=float, default=0.8,
                    help="kill delays are uniform over [0.2 s, spread × the clean run's duration]")
    ap.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    result = run(ap.parse_args())
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
