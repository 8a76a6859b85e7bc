"""Read-side speed: a story of 1,000+ articles served from the stored read model, and CLI start-up.

    python bench/read_model.py                      # builds the T17 BP-oil corpus, analyses it, measures
    python bench/read_model.py --db big.db          # measure an already analysed database instead

Measures, on loopback only:

- the story page (``/stories/{id}``) and its API (``/api/stories/{id}``) of the largest story, each *cold*
  (the first request to a freshly started server process; the OS file cache is not dropped) and *warm*
  (median of ``--repeat`` further requests), plus the page's size in bytes;
- ``storyline --help`` and ``storyline timeline`` on the demo articles, as the median wall time of
  ``--repeat`` runs minus that of ``python -c pass`` in the same run (the start-up Python costs anyway).

The corpus is built from ``<datasets>/timeline17`` (never copied into the repository): every article of the
chosen topic's folders, ``--per-folder`` at most per outlet folder. Prints one JSON object and writes it to
``bench/results/read_model.json``.

``--merge-topic`` first merges every story of the largest topic into its largest story with the workbench's
``storyline correct merge`` (clustering splits T17's 1,453 BP-oil-spill articles into hundreds of stories of
at most a few dozen articles; the merge makes the 1,000+-article story the read side is measured on), timed:
it computes that story's views from scratch. ``--add-one`` then adds one new article to the big story
(``storyline analyze`` of one article made of the first half of one member and the second half of another,
so it is no near-duplicate and clusters into that story) and measures the run's wall time and peak memory:
the cost of keeping a big story's views current. ``--baseline-src DIR`` runs the merge and the addition
also with the ``storyline`` package found in DIR (an older checkout), on its own copy of the database, in
the same run. Both work on copies of the database (``--db`` only gains the schema this version adds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load import free_port  # noqa: E402

OUTLETS = {"bbc": "BBC", "guardian": "The Guardian", "reuters": "Reuters", "foxnews": "Fox News",
           "washingtonpost": "Washington Post", "cnn": "CNN"}


def build_corpus(out: Path, topic: str, per_folder: int, datasets: str | None) -> int:
    """Timeline17 articles of one topic as JSONL (sampled evenly over each folder's days)."""
    from evaluation import dataset_dir
    from evaluation.t17 import read_article

    root = dataset_dir("timeline17", datasets) / "data"
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for folder in sorted(root.iterdir()):
            name, _, outlet = folder.name.partition("_")
            if name != topic:
                continue
            files = sorted(p for p in folder.glob("InputDocs/*/*") if p.is_file() and p.stat().st_size > 200)
            for p in files[:: max(1, len(files) // per_folder)][:per_folder]:
                f.write(json.dumps({"id": f"{folder.name}-{p.parent.name}-{p.stem}", "text": read_article(p),
                                    "outlet": OUTLETS.get(outlet, outlet), "published": p.parent.name}) + "\n")
                n += 1
    return n


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "storyline.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def wall(cmd: list[str], repeat: int, cwd: Path) -> float:
    """Median wall time of ``cmd`` in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env(), check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class Server:
    """``storyline serve`` in a subprocess on a free loopback port."""

    def __init__(self, db: Path, src: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(cli("serve", "--db", str(db), "--port", str(self.port)),
                                     env={**env(), "PYTHONPATH": str(src)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # bounded: at most a minute
            try:
                httpx.get(self.url + "/static/web.css", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("the server did not start")

    def get(self, path: str) -> tuple[float, int]:
        t = time.perf_counter()
        r = httpx.get(self.url + path, timeout=600)
        r.raise_for_status()
        return (time.perf_counter() - t) * 1000, len(r.content)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def timed(cmd: list[str], src: Path = ROOT) -> dict:
    """Wall time and peak resident memory of one command run to its end (``src``: whose code it runs)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**env(), "PYTHONPATH": str(src)}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])}: exit {proc.returncode}")
    return {"wall_s": round(time.perf_counter() - t, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": usage.ru_maxrss // 1024}


def largest_topic_stories(db: Path) -> tuple[str, list[str]]:
    """The largest topic's largest story and its other stories."""
    from storyline.store import Store

    with Store(db) as store:
        topic = store.topics(1)[0]["id"]
        ids = [s["id"] for s in store.topic_stories(topic)]
    return ids[0], ids[1:]


def new_article(db: Path, story_id: str, out: Path) -> str:
    """One article for the story: the first half of one member's paragraphs and the second half of another's
    (from two outlets when it can), headline and outlet of the first."""
    from storyline.store import Store

    with Store(db) as store:
        docs = store.documents(store.story_documents(story_id)[:40])
    a = docs[0]
    b = next((d for d in docs[1:] if d.outlet != a.outlet), docs[1])
    pa, pb = a.text.split("\n\n"), b.text.split("\n\n")
    text = "\n\n".join(pa[: max(1, len(pa) // 2)] + pb[len(pb) // 2:])
    out.write_text(json.dumps({"id": "bench-new-article", "title": a.title, "text": text, "outlet": a.outlet,
                               "published": b.published.isoformat() if b.published else None}) + "\n",
                   encoding="utf-8")
    return "bench-new-article"


def keep_current(db: Path, tmp: Path, src: Path, name: str) -> dict:
    """Merge the largest topic into one story (timed), then add one article to it (timed), on a copy."""
    from storyline.store import Store

    copy = tmp / f"{name}.db"
    with Store(db) as store:  # a consistent copy, WAL included
        store.db.execute("VACUUM INTO ?", (str(copy),))
    into, others = largest_topic_stories(copy)
    out: dict = {"merge": timed(cli("correct", "merge", *others, "--into", into, "--db", str(copy)), src)}
    article = tmp / f"{name}-new.jsonl"
    doc_id = new_article(copy, into, article)
    out["add_one"] = timed(cli("analyze", str(article), "--db", str(copy), "--quiet", "--workers", "1"), src)
    with Store(copy) as store:
        out["story"] = {"id": into, "documents": len(store.story_documents(into)),
                        "new_article_in_story": store.story_of(doc_id) == into}
        record = json.loads(store.view(into, "story") or "{}")
    for c in record.get("corrections", []):
        c["created"] = None  # when the merge was made: the one thing two runs cannot share
    out["record"] = record
    return out


def serve_times(db: Path, path: str, repeat: int, src: Path = ROOT) -> dict:
    server = Server(db, src)
    try:
        cold, size = server.get(path)
        warm = statistics.median(server.get(path)[0] for _ in range(repeat))
    finally:
        server.close()
    return {"cold_ms": round(cold, 1), "warm_ms": round(warm, 1), "bytes": size}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="an analysed database (default: build and analyse the T17 corpus)")
    ap.add_argument("--topic", default="bpoil")
    ap.add_argument("--per-folder", type=int, default=400)
    ap.add_argument("--datasets", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--merge-topic", action="store_true",
                    help="merge the largest topic's stories into one first (workbench merge), timed")
    ap.add_argument("--add-one", action="store_true", help="with --merge-topic: then add one article, timed")
    ap.add_argument("--baseline-src", help="a checkout whose storyline package to time --merge-topic with too")
    ap.add_argument("--skip-serve", action="store_true", help="only the merge and the addition")
    a = ap.parse_args()
    result: dict = {"command": "python bench/read_model.py " + " ".join(sys.argv[1:])}
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as tmp:
        tmp_path = Path(tmp)
        if a.db:
            db = Path(a.db)
        else:
            corpus = tmp_path / "corpus.jsonl"
            result["articles"] = build_corpus(corpus, a.topic, a.per_folder, a.datasets)
            db = tmp_path / "big.db"
            t = time.perf_counter()
            subprocess.run(cli("analyze", str(corpus), "--db", str(db), "--quiet", "--workers", str(a.workers)),
                           env=env(), check=True)
            result["analyze_s"] = round(time.perf_counter() - t, 1)
        from storyline.store import Store

        if a.merge_topic:
            runs = {"this": ROOT} | ({"baseline": Path(a.baseline_src).resolve()} if a.baseline_src else {})
            kept = {name: keep_current(db, tmp_path, src, name) for name, src in runs.items()}
            records = {name: k.pop("record") for name, k in kept.items()}
            result["keep_current"] = kept
            if "baseline" in kept:
                result["keep_current"]["same_record"] = records["this"] == records["baseline"]
                for step in ("merge", "add_one"):
                    base, this = kept["baseline"][step], kept["this"][step]
                    result["keep_current"][f"{step}_ratio"] = {
                        k: round(this[k] / base[k], 3) for k in ("wall_s", "cpu_s", "peak_rss_mb") if base[k]}
            db = tmp_path / "this.db"  # the page and API of the merged story
        with Store(db) as store:
            story = store.stories(1)[0]
        result["story"] = {k: story[k] for k in ("id", "documents", "outlets", "events")}
        if a.skip_serve:
            return finish(result)
        result["story_page"] = serve_times(db, f"/stories/{story['id']}", a.repeat)
        result["story_api"] = serve_times(db, f"/api/stories/{story['id']}", a.repeat)
        result["story_api_timeline_page"] = serve_times(db, f"/api/stories/{story['id']}/timeline?limit=50",
                                                        a.repeat)
        if a.merge_topic and a.baseline_src:  # the same story served by the baseline's code, from its copy
            base_db, base_src = tmp_path / "baseline.db", Path(a.baseline_src).resolve()
            result["baseline"] = {
                "story_page": serve_times(base_db, f"/stories/{story['id']}", a.repeat, base_src),
                "story_api": serve_times(base_db, f"/api/stories/{story['id']}", a.repeat, base_src)}

        demo = tmp_path / "demo.db"
        subprocess.run(cli("analyze", str(ROOT / "examples" / "security-guarantees"), "--db", str(demo), "--quiet"),
                       env=env(), check=True, capture_output=True)
        base = wall([sys.executable, "-c", "pass"], a.repeat, tmp_path)
        result["python_start_s"] = round(base, 3)
        for name, args in (("help", ["--help"]), ("timeline", ["timeline", "--db", str(demo)])):
            t = wall(cli(*args), a.repeat, tmp_path)
            result[f"cli_{name}_s"] = round(t, 3)
            result[f"cli_{name}_beyond_python_s"] = round(t - base, 3)
    finish(result)


def finish(result: dict) -> None:
    from evaluation import machine

    result["machine"] = machine()
    out = ROOT / "bench" / "results" / "read_model.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
