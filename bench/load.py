"""A bounded load test of the Storyline server, on loopback only.

    python bench/load.py                       # builds a seed DB from examples/, starts a server, 2,000 reads
    python bench/load.py --db storyline.db     # serve this database instead
    python bench/load.py --url http://127.0.0.1:8000 --mix mixed --ingest-every 20

Requests rotate over the story, timeline and search API endpoints and the HTML story page (``--mix mixed``
also POSTs a new synthetic article every N requests). Prints one JSON object: count, errors, median and p99
latency (ms), throughput, and the same per endpoint. It refuses any target other than 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("security", "guarantees", "Peskov", "NATO", "Russia", "talks", "Geneva", "January", "summit",
         "Biden")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def loopback_only(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise SystemExit(f"refusing to load-test {url!r}: only http://127.0.0.1 targets are allowed")
    return url.rstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_database(folder: Path) -> Path:
    """The bundled example articles analysed into a fresh database."""
    sys.path.insert(0, str(ROOT))
    from storyline.run import pipeline
    from storyline.store import Store

    path = folder / "bench.db"
    with Store(path) as store:
        pipeline.analyze(store, [str(ROOT / "examples")], workers=1)
    return path


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storyline.cli", "serve", "--db", str(db), "--host",
                             "127.0.0.1", "--port", str(port)], cwd=ROOT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/outlets", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start within 60 s")


def article(n: int, run: str) -> dict:
    return {"id": f"bench-{run}-{n}", "outlet": "Bench Wire", "published": "2023-05-13",
            "title": f"Load test article {n}",
            "text": f"Run {run}, article {n}: the council of Benchtown {n} approved budget {n * 7} on 12 May "
                    f"2023, officials said. Work on item {n} starts in June 2023, the mayor said."}


class Connection:
    """One keep-alive HTTP/1.1 connection over asyncio streams.

    A deliberately thin client: a general-purpose one spends more CPU per request than the server under
    test does, and on a small machine the numbers would then measure the client.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        try:
            status_line = await self.reader.readuntil(b"\r\n")
            headers: dict[str, str] = {}
            while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if headers.get("transfer-encoding", "").lower() == "chunked":
                data = bytearray()
                while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    data += await self.reader.readexactly(size + 2)
                    del data[-2:]
                await self.reader.readuntil(b"\r\n")
                payload = bytes(data)
            else:
                payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):  # IndexError: no status
            await self.close()
            raise
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return int(status_line.split()[1]), payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def run(url: str, total: int, concurrency: int, mix: str, ingest_every: int) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    setup = Connection(host, port)
    status, payload = await setup.request("GET", "/api/stories?limit=200")
    stories = json.loads(payload)["items"] if status == 200 else []
    if not stories:
        raise SystemExit("the database has no stories to read")
    run_id = f"{int(time.time())}"
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    counter = iter(range(total))
    ingested = 0

    def request(i: int) -> tuple[str, str, str, bytes | None]:
        if mix == "mixed" and i % ingest_every == ingest_every - 1:
            return "ingest", "POST", "/api/articles", json.dumps(article(i, run_id)).encode()
        sid = stories[i % len(stories)]["id"]
        kind = ("story", "timeline", "search", "page")[i % 4]
        if kind == "search":
            return kind, "GET", f"/api/search?q={WORDS[i % len(WORDS)]}", None
        if kind == "page":  # the HTML story page: timeline, quotes, outlet comparison
            return kind, "GET", f"/stories/{sid}", None
        return kind, "GET", f"/api/stories/{sid}" + ("/timeline" if kind == "timeline" else ""), None

    # warm-up, untimed: connections and the OS file cache (story views are stored at analysis time)
    t0 = time.perf_counter()
    for s in stories[:50]:
        for path in (f"/api/stories/{s['id']}", f"/api/stories/{s['id']}/timeline", f"/stories/{s['id']}"):
            await setup.request("GET", path)
    warmup = time.perf_counter() - t0
    await setup.close()

    async def worker() -> None:
        nonlocal ingested
        conn = Connection(host, port)
        for i in counter:
            kind, method, path, body = request(i)
            t0 = time.perf_counter()
            try:
                status, _ = await conn.request(method, path, body)
                ok = status < 400
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
            latencies.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            if not ok:
                errors[kind] = errors.get(kind, 0) + 1
            elif kind == "ingest":
                ingested += 1
        await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0

    every = [v for vs in latencies.values() for v in vs]
    return {
        "url": url, "requests": total, "concurrency": concurrency, "mix": mix,
        "count": len(every), "errors": sum(errors.values()),
        "median_ms": round(statistics.median(every), 2), "p99_ms": round(percentile(every, 99), 2),
        "max_ms": round(max(every), 2), "seconds": round(elapsed, 2), "rps": round(len(every) / elapsed, 1),
        "ingested": ingested, "warmup_seconds": round(warmup, 2),
        "by_endpoint": {k: {"count": len(v), "errors": errors.get(k, 0),
                            "median_ms": round(statistics.median(v), 2),
                            "p99_ms": round(percentile(v, 99), 2)} for k, v in sorted(latencies.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running server (http://127.0.0.1:PORT only). Default: start one.")
    parser.add_argument("--db", type=Path, help="Database for the server started here (default: a fresh seed "
                                                "built from examples/).")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--mix", choices=("reads", "mixed"), default="reads")
    parser.add_argument("--ingest-every", type=int, default=20,
                        help="With --mix mixed: one POST per N requests (writes into the served database).")
    args = parser.parse_args()
    if args.requests < 1 or not 1 <= args.concurrency <= 200 or args.ingest_every < 1:
        raise SystemExit("--requests ≥ 1, --concurrency 1..200, --ingest-every ≥ 1")
    proc = None
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        try:
            if args.url:
                url = loopback_only(args.url)
            else:
                db = args.db or seed_database(Path(tmp))
                proc, url = start_server(db)
                url = loopback_only(url)
            result = asyncio.run(run(url, args.requests, args.concurrency, args.mix, args.ingest_every))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
