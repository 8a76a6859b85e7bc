"""What a hostile client costs a running server: a long article without punctuation, then 30 concurrent
7 MB bodies, against ``storyline serve`` on 127.0.0.1 (never any other host).

    python bench/hostile.py [--root CHECKOUT] [--article-kb 400] [--bodies 30] [--body-mb 7]

Prints one JSON object: for the article, the seconds until its POST is answered (the single writer is
busy that long) and the writer's own CPU seconds; for the bodies, the status of every answer; and the
server's peak RSS (sampled every 20 ms) during each phase over its RSS before it. ``--root`` serves another
checkout's code (to measure before and after a change in the same conditions).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_mixed import start_server, stop_server  # noqa: E402 - the same server start as the load test

WORDS = ("officials", "said", "talks", "Geneva", "minister", "Monday", "would", "continue", "Russia", "NATO")


class PeakRss:
    """The highest RSS of a process while the block runs."""

    def __init__(self, pid: int) -> None:
        self.proc, self.peak, self.stop = psutil.Process(pid), 0, threading.Event()

    def __enter__(self) -> PeakRss:
        self.before = self.proc.memory_info().rss

        def sample() -> None:
            while not self.stop.is_set():
                self.peak = max(self.peak, self.proc.memory_info().rss)
                time.sleep(0.02)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def added_mb(self) -> float:
        return round((self.peak - self.before) / 2**20, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=None, help="serve this checkout's code (default: this one)")
    ap.add_argument("--article-kb", type=int, default=400)
    ap.add_argument("--bodies", type=int, default=30)
    ap.add_argument("--body-mb", type=float, default=7)
    args = ap.parse_args()
    if args.root is not None:
        import load_mixed

        load_mixed.ROOT = args.root.resolve()  # start_server runs `python -m storyline.cli` there
    rng = random.Random(7)
    text = " ".join(rng.choice(WORDS) for _ in range(args.article_kb * 1024 // 6))[: args.article_kb * 1024]
    result: dict = {"root": str(args.root or "."), "article_kb": args.article_kb}
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "hostile.db")
        try:
            server = psutil.Process(proc.pid)
            with httpx.Client(base_url=url, timeout=900) as client:
                client.post("/api/articles", json={"id": "warm", "text": "Officials met in Geneva on Monday."})
                cpu0 = sum(server.cpu_times()[:2])
                with PeakRss(proc.pid) as rss:
                    t0 = time.perf_counter()
                    resp = client.post("/api/articles", json={"id": "long", "text": text})
                    seconds = time.perf_counter() - t0
                result["article"] = {"status": resp.status_code, "seconds": round(seconds, 1),
                                     "server_cpu_s": round(sum(server.cpu_times()[:2]) - cpu0, 1),
                                     "peak_rss_added_mb": rss.added_mb()}
            body = b'[{"text": "' + b"x" * int(args.body_mb * 2**20) + b'"}]'
            statuses: Counter[int | str] = Counter()
            barrier = threading.Barrier(args.bodies)

            def send() -> None:
                with httpx.Client(base_url=url, timeout=300) as c:
                    barrier.wait()
                    try:
                        statuses[c.post("/api/articles", content=body,
                                        headers={"Content-Type": "application/json"}).status_code] += 1
                    except httpx.HTTPError as exc:
                        statuses[type(exc).__name__] += 1

            with PeakRss(proc.pid) as rss:
                threads = [threading.Thread(target=send) for _ in range(args.bodies)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            result["bodies"] = {"count": args.bodies, "mb_each": args.body_mb,
                                "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
                                "peak_rss_added_mb": rss.added_mb()}
        finally:
            stop_server(proc)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
