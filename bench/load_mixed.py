"""A bounded mixed load test on loopback: reads and ingests at once, and nothing may be lost.

    python bench/load_mixed.py                                   # 5,000 requests, 50 at a time, 20% ingests
    python bench/load_mixed.py --requests 20000 --concurrency 50 --ingest-share 0.1 --keep /tmp/load

Seeds a fresh database with a small generated corpus, starts a real ``storyline serve`` subprocess on
127.0.0.1 (the only address this script will ever talk to), and sends a fixed number of requests from a
fixed number of keep-alive connections: API reads (stories, story, timeline, quotes, documents, search,
outlets), HTML pages, and POST /api/articles with a new synthetic article. After each accepted ingest the
article is read back through the API. At the end every accepted article must be in the database (read
with SQLite directly) exactly once. Pass: zero 5xx responses, zero transport errors, nothing lost, every
read-back found. Prints one JSON object (counts per status and per endpoint, latency percentiles).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Connection, free_port, percentile  # noqa: E402 - the same thin client as bench/load.py

HOST = "127.0.0.1"
WORDS = ("talks", "Geneva", "wheat", "turbine", "ballots", "Rotterdam", "doses", "January", "minister")


def seed_database(db: Path, articles: int = 24) -> None:
    """A fresh database holding ``articles`` generated articles, analysed by the real pipeline."""
    spec = importlib.util.spec_from_file_location("storyline_bench_crash", ROOT / "bench" / "crash.py")
    crash = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(crash)  # type: ignore[union-attr]
    from storyline.run import pipeline
    from storyline.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        crash.make_corpus(Path(tmp), articles, seed=11)
        with Store(db) as store:
            pipeline.analyze(store, [tmp], workers=1)


def start_server(db: Path, timeout: float = 90.0) -> tuple[subprocess.Popen, str]:
    """``storyline serve`` on 127.0.0.1 and a free port; returns once it answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "storyline.cli", "serve", "--db", str(db), "--host", HOST,
           "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: {proc.stderr.read()[-2000:]!r}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc, f"http://{HOST}:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the server did not start within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the IPv4/IPv6 sockets listening on ``port`` (Linux /proc/net/tcp*)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                if len(addr) == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
                else:
                    raw = bytes.fromhex(addr)
                    found.append(socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1]
                                                                           for i in range(0, 16, 4))))
    return found


def new_article(n: int, run: str) -> dict:
    """A unique synthetic article (its own id and text) about one of a few recurring topics."""
    place, topic = [("Geneva", "security talks"), ("Odesa", "grain exports"), ("Nairobi", "ballot recount"),
                    ("Rotterdam", "port strike")][n % 4]
    day = 1 + n % 27
    return {"id": f"load-{run}-{n}", "outlet": ["Load Wire", "Bench News", "Test Post"][n % 3],
            "published": f"2023-03-{day + 1:02d}", "title": f"{topic.capitalize()} in {place}: update {n}",
            "text": f"Officials in {place} met on March {day}, 2023 to discuss the {topic}, load run {run} "
                    f"item {n}. \"We expect a decision on item {n} soon,\" the minister said on March {day}. "
                    f"The next round is planned for April {1 + n % 28}, 2023."}


async def run_load(url: str, total: int = 5000, concurrency: int = 50, ingest_share: float = 0.2,
                   seed: int = 1) -> dict:
    """Send ``total`` requests over ``concurrency`` connections; return counts and the accepted ids."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != HOST or not parts.port:
        raise ValueError(f"refusing to load-test {url!r}: only http://{HOST}:PORT is allowed")
    port = parts.port
    rng = random.Random(seed)
    run_id = f"{os.getpid()}-{seed}-{int(time.time())}"
    boot = Connection(HOST, port)
    stories = [s["id"] for s in json.loads((await boot.request("GET", "/api/stories?limit=50"))[1])["items"]]
    docs = [d["id"] for d in json.loads((await boot.request("GET", "/api/documents?limit=50"))[1])["items"]]
    await boot.close()
    plan: list[tuple[str, str, str, bytes | None]] = []  # (endpoint, method, path, body)
    for n in range(total):
        if rng.random() < ingest_share:
            plan.append(("POST /api/articles", "POST", "/api/articles",
                         json.dumps(new_article(n, run_id)).encode()))
            continue
        sid = rng.choice(stories) if stories else "none"
        did = quote(rng.choice(docs) if docs else "none", safe="")
        word = rng.choice(WORDS)
        plan.append(rng.choice([
            ("GET /api/stories", "GET", "/api/stories?limit=20", None),
            ("GET /api/stories/{id}", "GET", f"/api/stories/{sid}", None),
            ("GET /api/stories/{id}/timeline", "GET", f"/api/stories/{sid}/timeline", None),
            ("GET /api/quotes", "GET", "/api/quotes?limit=20", None),
            ("GET /api/documents", "GET", "/api/documents?limit=20", None),
            ("GET /api/documents/{id}", "GET", f"/api/documents/{did}", None),
            ("GET /api/search", "GET", f"/api/search?q={word}", None),
            ("GET /api/outlets", "GET", "/api/outlets", None),
            ("GET /", "GET", "/", None),
            ("GET /stories/{id}", "GET", f"/stories/{sid}", None),
            ("GET /search", "GET", f"/search?q={word}", None),
        ]))
    statuses: Counter[int] = Counter()
    by_endpoint: dict[str, Counter[int]] = defaultdict(Counter)
    latency: dict[str, list[float]] = defaultdict(list)
    accepted: list[str] = []
    transport_errors: list[str] = []
    readback_missing: list[str] = []
    queue: asyncio.Queue[tuple[str, str, str, bytes | None]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)

    async def worker() -> None:
        conn = Connection(HOST, port)
        while not queue.empty():
            endpoint, method, path, body = queue.get_nowait()
            started = time.perf_counter()
            try:
                status, payload = await conn.request(method, path, body)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                transport_errors.append(f"{endpoint}: {type(exc).__name__}: {exc}")
                continue
            latency[endpoint].append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
            by_endpoint[endpoint][status] += 1
            if method == "POST" and status in (200, 201):
                for a in json.loads(payload)["articles"]:
                    accepted.append(a["id"])
                    got, _ = await conn.request("GET", f"/api/documents/{quote(a['id'], safe='')}")
                    if got != 200:
                        readback_missing.append(a["id"])
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    all_ms = [v for values in latency.values() for v in values]
    return {
        "requests": total, "concurrency": concurrency, "seconds": round(seconds, 2),
        "throughput_rps": round(total / seconds, 1) if seconds else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "transport_errors": len(transport_errors), "transport_error_samples": transport_errors[:5],
        "ingests_sent": sum(1 for p in plan if p[1] == "POST"), "ingests_accepted": len(accepted),
        "readback_missing": readback_missing,
        "latency_ms": {"p50": round(percentile(all_ms, 50), 1), "p99": round(percentile(all_ms, 99), 1)},
        "endpoints": {e: {"count": sum(c.values()), "statuses": {str(k): v for k, v in sorted(c.items())},
                          "p50_ms": round(percentile(latency[e], 50), 1),
                          "p99_ms": round(percentile(latency[e], 99), 1)}
                      for e, c in sorted(by_endpoint.items())},
        "accepted_ids": accepted,
    }


def missing_from_db(db: Path, ids: list[str]) -> tuple[list[str], int]:
    """Accepted ids not in the database, and how many ids are stored more than once (must be 0)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as con:
        stored = Counter(r[0] for r in con.execute("SELECT id FROM documents"))
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        raise RuntimeError(f"integrity_check: {integrity}")
    return [i for i in ids if i not in stored], sum(1 for n in stored.values() if n > 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--ingest-share", type=float, default=0.2, help="fraction of requests that are ingests")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="storyline-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "load.db"
    for stale in folder.glob("load.db*"):
        stale.unlink()
    seed_database(db)
    proc, url = start_server(db)
    try:
        bound = listening_addresses(int(url.rsplit(":", 1)[1]))
        result = asyncio.run(run_load(url, args.requests, args.concurrency, args.ingest_share, args.seed))
    finally:
        stop_server(proc)
    lost, doubled = missing_from_db(db, result["accepted_ids"])
    result.pop("accepted_ids")
    result.update({"listening_on": bound, "lost": lost, "stored_twice": doubled, "folder": str(folder)})
    result["ok"] = not (result["server_errors"] or result["transport_errors"] or lost or doubled
                        or result["readback_missing"]) and bound == [HOST]
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
