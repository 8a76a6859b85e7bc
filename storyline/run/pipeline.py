"""Runs the stages: ingest → annotate (per document, in batches) → link (dedup, stories, events).

Each stage reads what the previous one stored and marks its own progress in the database, so a run that
is interrupted resumes where it stopped and a re-run on a grown corpus touches only the new articles.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from .. import profiles
from ..ingest.readers import read_paths
from ..link import corrections, dedup, embed
from ..link.events import assign_sections, build_events
from ..link.stories import link_batch
from ..model import Analysis, Document, ReadError
from ..store import Store
from . import views
from .work import (
    BATCH,
    Progress,
    RunReport,
    analyse_batch,
    annotate_one_by_one,
    default_workers,
    lead_texts,
    pending_articles,
)

FIRST_ROUND = 8  # articles in the first annotation round of a serial run (an early ETA)
CHUNK = 4  # documents per task sent to an annotation worker


def _batches(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def ingest(store: Store, items: Iterable[Document | ReadError], report: RunReport | None = None,
           progress: Progress | None = None) -> RunReport:
    """Store documents idempotently (same id or same text → stored once); collect read errors."""
    report = report or RunReport()
    for batch in _batches(items, BATCH):
        docs = [d for d in batch if isinstance(d, Document)]
        report.errors.extend(e for e in batch if isinstance(e, ReadError))
        report.read += len(docs)
        added = store.add_documents(docs)
        report.added += len(added)
        report.skipped += len(docs) - len(added)
        if progress:
            progress("ingest", report.read, 0)
    return report


def _exclusive(stage: Callable) -> Callable:
    """Run a processing stage under the database's processing lock: one process at a time annotates and
    links a database (another ``analyze`` or the server waits), so no document is processed twice."""

    @functools.wraps(stage)
    def run(store: Store, *args: object, **kwargs: object) -> object:
        with store.processing():
            return stage(store, *args, **kwargs)

    return run


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker exits when its parent dies (kill -9, OOM killer) instead of lingering."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    torch = sys.modules.get("torch")  # spaCy's thinc imports it before the fork
    if torch is not None:
        # A forked worker inherits OpenMP's state but not its threads: if the parent (or a library it ran)
        # used a team of several, the worker's first parallel torch op (the sentence encoder's) waits forever
        # for threads that do not exist. With one thread torch never enters OpenMP; work is spread by process.
        torch.set_num_threads(1)


@_exclusive
def annotate_pending(store: Store, workers: int = 1, engine: str = "local", ray_address: str | None = None,
                     report: RunReport | None = None, progress: Progress | None = None) -> RunReport:
    report = report or RunReport()
    total = store.count_pending("annotated")
    if progress and total:
        progress("annotate", 0, total)  # the bar (and its ETA) from the first article, not the first batch
    if engine == "ray":
        from .ray_engine import annotate_with_ray

        return annotate_with_ray(store, ray_address, report, progress, total)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)) \
        if workers > 1 else None
    try:
        for docs, analyse in _rounds(store, pool, workers, _ticker(progress, report, total)):
            try:
                analyses = analyse()
            except Exception:  # one unanalysable document must not stop (or forever block) the rest
                analyses = annotate_one_by_one(store, docs, report)
            store.save_analyses(analyses)
            report.annotated += len(analyses)
            if progress:
                progress("annotate", report.annotated, total)
    finally:
        if pool is not None:
            pool.shutdown()
    return report


def _ticker(progress: Progress | None, report: RunReport, total: int) -> Callable[[int], None] | None:
    """Progress within a round (``n`` more articles of it analysed), so the ETA moves before a round ends."""
    if progress is None:
        return None
    return lambda n: progress("annotate", min(report.annotated + n, total), total)


def _rounds(store: Store, pool: ProcessPoolExecutor | None, workers: int,
            tick: Callable[[int], None] | None = None
            ) -> Iterator[tuple[list[Document], Callable[[], list[Analysis]]]]:
    """Rounds of pending documents in ingestion order, each with the function that returns its analyses.

    With a pool, a round is cut into small contiguous chunks that idle workers pull (articles vary 50x in
    length: one slice per worker left a worker idle for a third of a round on T17), and the next round is
    queued before the current one is handed back to be saved, so workers never wait for the driver or for
    the slowest chunk. Documents in flight are still pending until saved: reading ahead skips them. At most
    two rounds are held, whatever the corpus size.
    """
    size = BATCH * max(1, workers)
    if pool is None:
        first = True
        # the first round is small so the first ETA comes after a few articles, not a whole batch
        while docs := pending_articles(store, FIRST_ROUND if first else size):
            first = False
            yield docs, functools.partial(analyse_batch, docs, lead_texts(store, docs))
        return
    queued: deque[tuple[list[Document], list[Future]]] = deque()
    in_flight: set[str] = set()
    while True:
        while len(queued) < 2:
            ahead = pending_articles(store, len(in_flight) + size)
            docs = [d for d in ahead if d.id not in in_flight]
            if not docs:
                break
            texts = lead_texts(store, docs)
            queued.append((docs, [_submit(pool, docs[i : i + CHUNK], texts) for i in range(0, len(docs), CHUNK)]))
            in_flight.update(d.id for d in docs)
        if not queued:
            return
        docs, futures = queued.popleft()
        yield docs, functools.partial(_results, futures, tick)
        in_flight.difference_update(d.id for d in docs)


def _submit(pool: ProcessPoolExecutor, chunk: list[Document], texts: dict[str, str]) -> Future:
    """A task for the pool; a pool that cannot take it (a worker died) gives a failed future, so the round
    falls back to one by one like any other failure."""
    try:
        return pool.submit(analyse_batch, chunk, {d.id: texts[d.id] for d in chunk})
    except Exception as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def _results(futures: list[Future], tick: Callable[[int], None] | None = None) -> list[Analysis]:
    out: list[Analysis] = []
    for f in futures:
        out.extend(f.result())
        if tick:
            tick(len(out))
    return out


@_exclusive
def catch_up(store: Store, progress: Progress | None = None) -> int:
    """Before reading: link the articles a database holds annotated but not linked (a migration that makes an
    upgraded database link again, or a run stopped while linking) and compute every stale view, so that a
    read never shows an empty or half-built database. Returns how many articles it linked."""
    if not store.unfinished():
        return 0
    if store.analysing_elsewhere():  # a run in progress links its own articles: read what is there meanwhile
        views.ensure(store)  # (stale views: as before, wait for the run's)
        return 0
    with store.processing():
        linked = link_pending(store, progress=progress).linked if store.count_pending("linked") else 0
        views.refresh(store, progress=progress)
    return linked


def link_pending(store: Store, report: RunReport | None = None, progress: Progress | None = None,
                 batch: int = BATCH * 4) -> RunReport:
    """Fold near-duplicates, cluster stories and topics (``stories.link_batch``: only the components a batch
    touches are re-clustered), and rebuild the timelines and views of the stories that changed. ``batch``:
    articles linked at a time; the stories and topics do not depend on it (only the cost does)."""
    report = report or RunReport()
    total = store.count_pending("linked")
    if progress and total:
        progress("link", 0, total)
    touched: set[str] = store.dirty_stories()  # left to rebuild by a run that was interrupted
    while docs := store.pending("linked", limit=batch):
        folded = dedup.fold(store, docs)
        touched |= link_batch(store, folded.rows + folded.repointed, folded.originals, folded.demoted)
        # a story whose record lists a new (or newly re-pointed) near-duplicate changed too
        touched |= {s for r in folded.rows + folded.repointed if r["duplicate_of"] and (s := store.story_of(r["id"]))}
        report.linked += len(folded.rows)
        if progress:
            progress("link", report.linked, total)
    store.drop_retired()  # articles stored again under another id leave once the new one took their place
    apply_corrections(store, touched, progress)
    return report


@_exclusive
def apply_corrections(store: Store, touched: Iterable[str] = (), progress: Progress | None = None) -> None:
    """Lay the corrections log over the links (``corrections.apply``), rebuild the timelines of every story
    that changed, and recompute the views of those and of every story a correction made stale: after each
    link, and after a correction is made or undone."""
    touched = set(touched)
    corrections.apply(store, functools.partial(rebuild_timelines, progress=progress), touched)
    views.refresh(store, touched, progress)
    profiles.refresh_index(store)


def rebuild_timelines(store: Store, story_ids: Iterable[str], progress: Progress | None = None) -> None:
    todo = sorted(story_ids)
    vectors = functools.partial(embed.stored, store)  # sentence vectors kept across runs
    for i, sid in enumerate(todo):
        if progress:
            progress("timelines", i, len(todo))
        docs = store.story_documents(sid)
        mentions = store.mentions(docs) if docs else []
        published = {d.id: d.published for d in store.documents(docs)} if docs else {}
        built = build_events(sid, mentions, published=published, vectors=vectors)
        assign_sections([e for e, _ in built], published)
        store.replace_events(sid, [e for e, _ in built], [ids for _, ids in built])
    if progress and todo:
        progress("timelines", len(todo), len(todo))


def analyze(store: Store, paths: Sequence[str] = (), workers: int | None = None, engine: str = "local",
            ray_address: str | None = None, progress: Progress | None = None,
            max_bytes: int | None = None) -> RunReport:
    """The main job: read paths, then annotate and link everything not yet done (resumes after a crash)."""
    report = RunReport()
    if paths:
        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        ingest(store, read_paths(paths, **kwargs), report, progress)
    workers = workers or default_workers()
    annotate_pending(store, workers, engine, ray_address, report, progress)
    link_pending(store, report, progress)
    return report
