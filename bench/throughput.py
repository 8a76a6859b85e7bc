"""Throughput and memory of Storyline end to end, against the floor of spaCy's full pipeline.

    python bench/throughput.py --json                                  # sizes 200,1000,4650,20000
    python bench/throughput.py --json --sizes 200,1000 --floor-sizes 200 --workers 2

Articles come from Timeline17 (``$STORYLINE_T17`` or ../shared/datasets/timeline17 beside the repository), read in place
and never copied into the repository: PTB tokens are lightly undone (-LRB- → "(", `` '' → quotes) and the
date folder is the publication date. Topic folders are interleaved so every size mixes all topics. Sizes
past the 4,625 non-empty articles repeat them with new ids and a short marker line, so each copy has a
new content hash and really goes through every stage (the linker then folds copies as near-duplicates,
as it would syndicated wire copies).

Each measurement runs in a fresh subprocess: (a) Storyline, ``pipeline.analyze`` on a JSONL file into a
fresh SQLite database (the code path of ``storyline analyze``, readers included); (b) the floor, spaCy's
full en_core_web_sm pipeline (``nlp.pipe``, same number of processes, batches of 32) over the same texts.
Seconds are measured inside the child, from before the first model load to the last write. Peak memory is the
highest sum of RSS over the child's process tree, sampled every 50 ms by the parent (shared pages of
forked workers count once per process, so this overstates the real footprint somewhat).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
FLOOR_BATCH = 32  # texts per nlp.pipe batch in the floor (see child_floor)
T17 = Path(os.environ.get("STORYLINE_T17", Path(__file__).resolve().parents[2] / "shared/datasets/timeline17"))

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"',
        "''": '"', "`": "'"}
_SPACE_BEFORE = re.compile(r" (?=[.,;:!?%)\]}]|'s\b|'S\b|n't\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_SPACE_AFTER = re.compile(r"(?<=[(\[{$]) ")
_QUOTES = re.compile(r'" ([^"]*?) "')


def detokenize(line: str) -> str:
    """Light PTB undo, enough for readable text: brackets, quotes, spaces before punctuation."""
    text = " ".join(_PTB.get(t, t).replace("\\/", "/").replace("\\*", "*") for t in line.split())
    text = _QUOTES.sub(r'"\1"', text)
    return _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))


def t17_articles(root: Path = T17) -> Iterator[dict]:
    """The non-empty T17 articles as JSONL records, topic folders interleaved round-robin."""
    per_folder = []
    for folder in sorted(p for p in (root / "data").iterdir() if p.is_dir()):
        files = []
        for day in sorted((folder / "InputDocs").iterdir()):
            try:
                published = date.fromisoformat(day.name)
            except ValueError:
                continue
            files += [(published, f) for f in sorted(day.iterdir())]
        per_folder.append((folder.name, files))
    longest = max(len(files) for _, files in per_folder)
    for i in range(longest):
        for name, files in per_folder:
            if i >= len(files):
                continue
            published, f = files[i]
            lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
            text = "\n".join(detokenize(ln) for ln in lines if ln.strip())
            if text.strip():
                yield {"id": f"{name}/{published}/{f.name}", "text": text, "outlet": name.split("_", 1)[1],
                       "published": published.isoformat()}


def corpus(n: int, root: Path = T17) -> Iterator[dict]:
    """``n`` records: T17 in order, then copies with new ids and one marker line (a new content hash)."""
    made, copy = 0, 0
    while made < n:
        copy += 1
        for rec in t17_articles(root):
            if made >= n:
                return
            if copy > 1:
                rec = {**rec, "id": f"{rec['id']}#{copy}", "text": f"{rec['text']}\n(copy {copy})"}
            yield rec
            made += 1


def write_corpus(n: int, path: Path, root: Path = T17) -> dict:
    articles = words = 0
    with path.open("w", encoding="utf-8") as fh:
        for rec in corpus(n, root):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            articles += 1
            words += len(rec["text"].split())
    return {"articles": articles, "words": words}


# -- children: one measurement each, in a fresh interpreter -----------------------------------------


def child_storyline(jsonl: str, workers: int, engine: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from storyline.run import pipeline
    from storyline.store import Store

    last: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        last[stage] = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Store(Path(tmp) / "bench.db") as store:
            report = pipeline.analyze(store, [jsonl], workers=workers, engine=engine, progress=progress)
            end = time.perf_counter()
            stories = store.count_stories()
    # Stage boundaries from the progress callback: each stage ends at its last report.
    ingest_end = last.get("ingest", t0)
    annotate_end = last.get("annotate", ingest_end)
    stages = {"ingest": ingest_end - t0, "annotate": annotate_end - ingest_end, "link": end - annotate_end}
    return {"seconds": end - t0, "stages": {k: round(v, 2) for k, v in stages.items()}, "added": report.added,
            "annotated": report.annotated, "linked": report.linked, "stories": stories}


def child_floor(jsonl: str, workers: int) -> dict:
    import spacy

    sys.path.insert(0, str(ROOT))
    from storyline.annotate.nlp import MODEL_NAMES

    def texts() -> Iterator[str]:
        with open(jsonl, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)["text"]

    t0 = time.perf_counter()
    nlp = None
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
            break
        except OSError:
            continue
    assert nlp is not None, "no en_core_web_sm model installed"
    tokens = 0
    # spaCy hands each process whole batches: at its default batch size (256) a 200-article run is one
    # batch and one busy process, which would understate the floor. 32 keeps every process busy.
    for doc in nlp.pipe(texts(), n_process=workers, batch_size=FLOOR_BATCH):
        tokens += len(doc)
    return {"seconds": time.perf_counter() - t0, "tokens": tokens, "components": nlp.pipe_names,
            "batch_size": FLOOR_BATCH}


def measure(args: list[str]) -> dict:
    """Run one child; its JSON result plus the peak RSS of its whole process tree."""
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    root = psutil.Process(proc.pid)
    peak, usage = 0, None
    while usage is None:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:  # exited: its CPU time and that of the workers it waited for
            usage, proc.returncode = ru, os.waitstatus_to_exitcode(status)
            break
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    # The machine may be shared: the 1-minute load average before and after says how much.
    result["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def machine() -> dict:
    model = platform.processor() or ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    import spacy

    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "spacy": spacy.__version__, "platform": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object (default: a table too)")
    ap.add_argument("--sizes", default="200,1000,4650,20000")
    ap.add_argument("--floor-sizes", default="200,1000")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: Storyline's default)")
    ap.add_argument("--engine", choices=["local", "ray"], default="local")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure each size N times, Storyline and floor alternating; keep the fastest "
                         "of each (on a shared machine the minimum is the least disturbed run)")
    ap.add_argument("--t17", type=Path, default=T17)
    ap.add_argument("--child", choices=["storyline", "floor"], help=argparse.SUPPRESS)
    ap.add_argument("--jsonl", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "storyline":
        print(json.dumps(child_storyline(args.jsonl, args.workers, args.engine)))
        return
    if args.child == "floor":
        print(json.dumps(child_floor(args.jsonl, args.workers)))
        return

    sys.path.insert(0, str(ROOT))
    from storyline.run.pipeline import default_workers

    workers = args.workers or default_workers()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    floor_sizes = {int(s) for s in args.floor_sizes.split(",") if s}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            jsonl = Path(tmp) / f"t17-{n}.jsonl"
            row: dict = write_corpus(n, jsonl, args.t17)
            common = ["--jsonl", str(jsonl), "--workers", str(workers)]
            a_runs, b_runs = [], []
            for _ in range(max(1, args.repeat)):
                a_runs.append(measure(["--child", "storyline", *common, "--engine", args.engine]))
                if n in floor_sizes:
                    b_runs.append(measure(["--child", "floor", *common]))
            a = min(a_runs, key=lambda r: r["seconds"])
            a["peak_rss_mb"] = max(r["peak_rss_mb"] for r in a_runs)
            row.update(seconds=round(a["seconds"], 2),
                       articles_per_s=round(row["articles"] / a["seconds"], 2),
                       words_per_s=round(row["words"] / a["seconds"]), peak_rss_mb=a["peak_rss_mb"],
                       stage_seconds=a["stages"], cpu_seconds=a["cpu_seconds"], load_avg=a["load_avg"],
                       added=a["added"], annotated=a["annotated"], stories=a["stories"])
            if len(a_runs) > 1:
                row["all_seconds"] = [round(r["seconds"], 2) for r in a_runs]
            if b_runs:
                b = min(b_runs, key=lambda r: r["seconds"])
                if len(b_runs) > 1:
                    row["floor_all_seconds"] = [round(r["seconds"], 2) for r in b_runs]
                row.update(floor_seconds=round(b["seconds"], 2), floor_cpu_seconds=b["cpu_seconds"],
                           floor_load_avg=b["load_avg"],
                           floor_articles_per_s=round(row["articles"] / b["seconds"], 2),
                           floor_words_per_s=round(row["words"] / b["seconds"]),
                           floor_peak_rss_mb=b["peak_rss_mb"],
                           ratio_to_floor=round(a["seconds"] / b["seconds"], 3),
                           cpu_ratio_to_floor=round(a["cpu_seconds"] / b["cpu_seconds"], 3))
            else:
                row.update(floor_articles_per_s=None, floor_words_per_s=None, ratio_to_floor=None)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)  # progress, one line per size
            jsonl.unlink()
    result = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "workers": workers,
              "engine": args.engine, "machine": machine(), "sizes": rows}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'articles':>8} {'words':>9} {'s':>8} {'art/s':>7} {'words/s':>8} {'floor w/s':>9} {'ratio':>6} "
          f"{'peak MB':>8}")
    for r in rows:
        ratio = "" if r["ratio_to_floor"] is None else f"{r['ratio_to_floor']:.3f}"
        floor = "" if r["floor_words_per_s"] is None else str(r["floor_words_per_s"])
        print(f"{r['articles']:>8} {r['words']:>9} {r['seconds']:>8} {r['articles_per_s']:>7} "
              f"{r['words_per_s']:>8} {floor:>9} {ratio:>6} {r['peak_rss_mb']:>8}")


if __name__ == "__main__":
    main()
