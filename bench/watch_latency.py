"""How fast a watched article becomes an alert, and how much memory the watcher holds over an hour.

    nice -n 10 python bench/watch_latency.py --articles 120 --rate 1 --sim-seconds 3600 \
        --json bench/results/watch-latency.json

A local server on loopback releases Timeline17 articles (read in place from ``$STORYLINE_T17`` or
../shared/datasets/timeline17; never copied) through one aggregator feed on 127.0.0.1, each outlet's
pages on its own host (127.0.0.2, 127.0.0.3, ...), as a news aggregator's feed points at many sites. The
watcher is the real one (polite fetcher with its one-second-per-host rule and robots.txt, trafilatura,
the incremental pipeline, follows, webhook), in this process with its own SQLite database.

1. **Latency, real time.** A warm-up batch is analysed, then every story so far and the five most quoted
   speakers are followed. Articles then appear in the feed at ``--rate`` per second. Measured per
   article: from its appearance in the feed to (a) its being stored, analysed and linked, and (b) the
   webhook receiving the first alert that lists it (articles that add nothing alert-worthy have none);
   and per alert, from the appearance of the newest article it lists to its receipt.
2. **Memory, simulated time.** A fresh database; the watcher's clock is simulated (its sleeps and
   politeness waits advance the clock instantly; fetching and analysis are real), and articles appear at
   ``--rate`` per simulated second for ``--sim-seconds``. The process's resident memory is sampled every
   simulated minute (it includes the local servers, a few MB). A query follow ("said") raises an alert
   for nearly every new story, delivered to the webhook.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from webhost import Route, Site, article_html, rss  # noqa: E402

from evaluation.t17 import read_article  # noqa: E402
from storyline.store import Store  # noqa: E402
from storyline.watch import Clock, Fetcher, Watcher, canonical_url, document_id  # noqa: E402
from storyline.watch.alerts import follow, iso  # noqa: E402

T17 = Path(os.environ.get("STORYLINE_T17", ROOT.parent / "shared" / "datasets" / "timeline17"))
NAMES = {"bbc": "BBC", "guardian": "The Guardian", "reuters": "Reuters", "foxnews": "Fox News",
         "washingtonpost": "Washington Post", "cnn": "CNN"}
FEED_ITEMS = 100  # the feed lists the newest 100 articles, as aggregators do


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median_s": round(statistics.median(values), 2) if values else None,
            "p90_s": round(percentile(values, 90), 2) if values else None,
            "max_s": round(max(values), 2) if values else None}


def t17_articles(limit: int) -> list[dict]:
    """Non-empty T17 articles, topic folders interleaved round-robin (a mixed stream), oldest first within
    each folder: {outlet, published, title, paragraphs}."""
    folders = []
    for folder in sorted(p for p in (T17 / "data").iterdir() if p.is_dir()):
        files = sorted(f for f in folder.glob("InputDocs/*/*") if f.is_file() and f.stat().st_size > 200)
        folders.append((folder.name.partition("_")[2], files))
    out: list[dict] = []
    i = 0
    while len(out) < limit and any(i < len(files) for _, files in folders):
        for outlet, files in folders:
            if i < len(files) and len(out) < limit:
                lines = [ln for ln in read_article(files[i]).splitlines() if ln.strip()]
                title = lines[0] if len(lines) > 1 and len(lines[0]) < 150 else None
                body = lines[1:] if title else lines
                out.append({"outlet": NAMES.get(outlet, outlet), "published": files[i].parent.name,
                            "title": title or f"{NAMES.get(outlet, outlet)} {files[i].parent.name} {files[i].stem}",
                            "paragraphs": body, "key": f"{files[i].parent.parent.parent.name}/{files[i].parent.name}/"
                                                          f"{files[i].stem}"})
        i += 1
    return out


class Newsroom:
    """The feed hub on 127.0.0.1 (feed, webhook receiver) and one site per outlet on 127.0.0.2, .3, ..."""

    def __init__(self, articles: list[dict]) -> None:
        self.articles = articles
        self.hub = Site("127.0.0.1")
        self.hub.routes["/hook"] = Route()
        outlets = sorted({a["outlet"] for a in articles})
        self.sites = {o: Site(f"127.0.0.{2 + i}") for i, o in enumerate(outlets)}
        for site in [self.hub, *self.sites.values()]:
            site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        for n, a in enumerate(articles):
            site = self.sites[a["outlet"]]
            path = f"/{a['published']}/{n}"
            site.routes[path] = Route(article_html(a["title"], a["outlet"], a["published"], a["paragraphs"]))
            a["url"] = site.url(path)
            a["id"] = document_id(canonical_url(a["url"]))
        self.released = 0
        self.appeared: dict[str, float] = {}  # document id -> time the feed first listed it

    def __enter__(self) -> Newsroom:
        for site in [self.hub, *self.sites.values()]:
            site.__enter__()
        self.publish(0, time.time())
        return self

    def __exit__(self, *exc: object) -> None:
        for site in [self.hub, *self.sites.values()]:
            site.__exit__()

    def publish(self, upto: int, now: float) -> None:
        """List articles [0, upto) in the feed (the newest FEED_ITEMS), noting when each first appeared."""
        upto = min(upto, len(self.articles))
        for a in self.articles[self.released:upto]:
            self.appeared[a["id"]] = now
        self.released = max(self.released, upto)
        items = [{"title": a["title"], "link": a["url"], "date": now} for a in
                 reversed(self.articles[max(0, self.released - FEED_ITEMS):self.released])]
        self.hub.routes["/feed.xml"] = Route(rss("T17 wire", items), content_type="application/rss+xml",
                                             etag=f'"{self.released}"')


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def latency_phase(articles: list[dict], warmup: int, rate: float, every: float, folder: Path) -> dict:
    with Newsroom(articles) as room, Store(folder / "latency.db") as store:
        watcher = Watcher(store, Fetcher(allow_private=True, timeout=10), every=every,
                          webhook=room.hub.url("/hook"))
        watcher.add_feeds([room.hub.url("/feed.xml")])
        room.publish(warmup, time.time())
        started = time.monotonic()
        watcher.round(force=True)
        warm_s = time.monotonic() - started
        stories = [s["id"] for s in store.stories()]
        speakers: dict[str, int] = {}
        for q in store.quotes():
            if q.speaker:
                speakers[q.speaker] = speakers.get(q.speaker, 0) + 1
        top = sorted(speakers, key=lambda s: -speakers[s])[:5]
        for sid in stories:
            follow(store, "story", sid, watcher.now())
        for name in top:
            follow(store, "speaker", name, watcher.now())
        thread = threading.Thread(target=watcher.run, name="watcher", daemon=True)
        cpu0, load0 = time.process_time(), os.getloadavg()[0]
        thread.start()
        reader = Store(store.path)
        linked_at: dict[str, float] = {}
        stream = articles[warmup:]
        t0 = time.time()
        n = 0
        deadline = t0 + len(stream) / rate + 300
        while time.time() < deadline:
            due = warmup + min(len(stream), int((time.time() - t0) * rate) + 1)
            if due > room.released:
                room.publish(due, time.time())
            now = time.time()
            for d in reader.new_documents(0, reader.linked_seq()):
                linked_at.setdefault(d["id"], now)
            n = sum(1 for a in stream if a["id"] in linked_at)
            if room.released == len(articles) and n == len(stream):
                break
            time.sleep(0.1)
        time.sleep(max(3.0, every * 2))  # the last alerts' delivery
        watcher.shutdown()
        thread.join(timeout=120)
        cpu, load1 = time.process_time() - cpu0, os.getloadavg()[0]
        reader.close()
        ids = {a["id"] for a in stream}
        linked = [linked_at[i] - room.appeared[i] for i in ids if i in linked_at and i in room.appeared]
        first_alert: dict[str, float] = {}
        per_alert = []
        for body, received in zip(room.hub.posts, room.hub.received, strict=True):
            docs = [d["id"] for d in body["documents"] if d["id"] in ids]
            for d in docs:
                first_alert[d] = min(first_alert.get(d, received), received)
            if docs:
                per_alert.append(received - max(room.appeared[d] for d in docs))
        alerted = [first_alert[i] - room.appeared[i] for i in first_alert]
        return {"warmup_articles": warmup, "warmup_s": round(warm_s, 1), "followed_stories": len(stories),
                "followed_speakers": top, "articles": len(stream), "rate_per_s": rate, "poll_every_s": every,
                "stored_and_linked": summary(linked), "article_to_first_alert": summary(alerted),
                "alert_from_newest_article": summary(per_alert), "alerts_received": len(room.hub.posts),
                "not_linked": len(ids) - len(linked), "feed_requests": room.hub.hits("/feed.xml"),
                "cpu_s_per_article": round(cpu / len(stream), 3),
                "load_average_1min": [round(load0, 1), round(load1, 1)]}


class SimClock(Clock):
    """Simulated time: sleeping advances it at once and lets the newsroom release what is due."""

    def __init__(self, on_advance) -> None:  # noqa: ANN001
        self.t = 0.0
        self.epoch = time.time()
        self.on_advance = on_advance

    def monotonic(self) -> float:
        return self.t

    def time(self) -> float:
        return self.epoch + self.t

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.t += seconds
            self.on_advance(self.t)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        self.sleep(seconds)
        return False


def memory_phase(articles: list[dict], rate: float, every: float, sim_seconds: float, folder: Path) -> dict:
    samples: list[tuple[float, float, int]] = []  # (simulated s, RSS MB, articles stored)
    with Newsroom(articles) as room, Store(folder / "memory.db") as store:
        next_sample = [0.0]

        def advance(t: float) -> None:
            room.publish(int(t * rate), clock.time())
            if t >= next_sample[0]:
                samples.append((round(t), round(rss_mb(), 1), store.count_documents()))
                next_sample[0] += 60.0

        clock = SimClock(advance)
        watcher = Watcher(store, Fetcher(allow_private=True, timeout=10, clock=clock), every=every, clock=clock,
                          webhook=room.hub.url("/hook"))
        watcher.add_feeds([room.hub.url("/feed.xml")])
        follow(store, "query", "said", watcher.now())  # nearly every new story: alerts and deliveries all along
        started, cpu0, load0 = time.monotonic(), time.process_time(), os.getloadavg()[0]
        watcher.run(until=lambda: clock.t >= sim_seconds)
        wall, cpu = time.monotonic() - started, time.process_time() - cpu0
        stored = store.count_documents()
    first_after_warm = next((s for s in samples if s[2] >= 50), samples[0])
    return {"simulated_s": sim_seconds, "wall_s": round(wall), "articles_released": room.released,
            "articles_stored": stored, "rss_mb_start": samples[0][1], "rss_mb_after_50_articles": first_after_warm[1],
            "rss_mb_peak": max(s[1] for s in samples), "rss_mb_end": samples[-1][1],
            "alerts_received": len(room.hub.posts), "cpu_s_per_article": round(cpu / max(stored, 1), 3),
            "load_average_1min": [round(load0, 1), round(os.getloadavg()[0], 1)],
            "samples": samples[:: max(1, len(samples) // 20)] + [samples[-1]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=120, help="Articles released in the latency phase.")
    ap.add_argument("--warmup", type=int, default=30, help="Articles analysed before following and timing.")
    ap.add_argument("--rate", type=float, default=1.0, help="Articles appearing per second.")
    ap.add_argument("--every", type=float, default=2.0, help="Feed polling interval (seconds).")
    ap.add_argument("--sim-seconds", type=float, default=3600, help="Simulated seconds of the memory phase (0: skip).")
    ap.add_argument("--sim-rate", type=float, default=None,
                    help="Articles per simulated second in the memory phase (default: --rate).")
    ap.add_argument("--json", dest="json_path", help="Also write the results here.")
    args = ap.parse_args()
    if not (T17 / "data").is_dir():
        sys.exit(f"{T17}: Timeline17 not found (set STORYLINE_T17)")
    need = max(args.warmup + args.articles, int(args.sim_seconds * (args.sim_rate or args.rate)) + 1)
    articles = t17_articles(need)
    result = {"command": "python bench/watch_latency.py " + " ".join(sys.argv[1:]),
              "machine": f"{os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}",
              "date": iso(time.time())}
    with tempfile.TemporaryDirectory(prefix="storyline-watch-bench-") as tmp:
        if args.articles:
            result["latency"] = latency_phase(articles[: args.warmup + args.articles], args.warmup, args.rate,
                                              args.every, Path(tmp))
            print(json.dumps(result["latency"], indent=1), file=sys.stderr)
        if args.sim_seconds:
            result["memory"] = memory_phase(articles, args.sim_rate or args.rate, args.every, args.sim_seconds,
                                            Path(tmp))
    text = json.dumps(result, indent=1)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
