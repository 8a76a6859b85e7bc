"""The per-document stages on a Ray cluster (``storyline analyze --engine ray``): the optional extra
``storyline[ray]``.

Only the per-document stages run on Ray: they are a pure function of one document (``work.analyse_batch``), so
where they run cannot change what they produce. Pending documents are read from the store in rounds, each
round becomes a Ray Dataset (``from_items`` → ``map_batches``), and the driver writes the analyses back
through the store as they stream in, in ingestion order. The cross-document stages (near-duplicates,
stories, timelines) stay on the driver, where ``link_pending`` runs them in ingestion order: the result is
the local engine's, document for document.

With ``--ray-address`` the cluster's workers must be able to import the same version of ``storyline`` (and
its spaCy model); without it a local cluster is started for the run and stopped after it.
"""

from __future__ import annotations

import logging
import math
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..model import Analysis, Document
from .work import BATCH, RunReport, analyse_batch, annotate_one_by_one, default_workers, lead_texts, pending_articles

if TYPE_CHECKING:
    from ..store import Store

ROUND = 512  # documents per Dataset: bounds driver memory; large enough that a round's tail is negligible
CHUNK = 4  # documents per Ray task (a block): small, so idle workers pull work and long articles even out


def annotate_rows(batch: dict[str, Any]) -> dict[str, list]:
    """One Ray Data batch: pickled documents and the texts of them to embed in, pickled analyses out (Arrow
    carries them as bytes)."""
    docs: list[Document] = [pickle.loads(b) for b in batch["doc"]]
    analyses = analyse_batch(docs, {d.id: str(t) for d, t in zip(docs, batch["embed"], strict=True)})
    return {"seq": list(batch["seq"]), "analysis": [pickle.dumps(a, protocol=5) for a in analyses]}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # the optional extra is missing
        raise RuntimeError("the Ray engine needs Ray: pip install 'storyline[ray]'") from exc
    return ray


@contextmanager
def connected(ray_address: str | None, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, initialised: the cluster at ``ray_address``, or a local one with ``num_cpus`` CPUs (default: as
    many as the local engine would use). A connection made here is closed on exit; one the caller already
    made is left open."""
    ray = _import_ray()
    if ray.is_initialized():
        yield ray
        return
    if ray_address:
        ray.init(address=ray_address, log_to_driver=False, logging_level="WARNING")
    else:
        ray.init(num_cpus=num_cpus or default_workers(), include_dashboard=False, log_to_driver=False,
                 logging_level="WARNING")
    try:
        yield ray
    finally:
        ray.shutdown()


def _annotate_round(ray: Any, docs: list[Document], texts: dict[str, str]) -> Iterator[Analysis]:
    """The analyses of one round, in the order of ``docs``, streamed as Ray produces them."""
    from ray.data import DataContext

    ctx = DataContext.get_current()
    saved = ctx.execution_options.preserve_order, ctx.enable_progress_bars
    ctx.execution_options.preserve_order = True  # stream results back in ingestion order
    ctx.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # no per-round execution plans on the console
    try:
        items = [{"seq": i, "doc": pickle.dumps(d, protocol=5), "embed": texts[d.id]} for i, d in enumerate(docs)]
        ds = ray.data.from_items(items, override_num_blocks=max(1, math.ceil(len(items) / CHUNK)))
        out = ds.map_batches(annotate_rows, batch_size=CHUNK, batch_format="numpy")
        expected = 0
        for batch in out.iter_batches(batch_size=None, batch_format="numpy"):
            for seq, blob in zip(batch["seq"], batch["analysis"], strict=True):
                if int(seq) != expected:  # preserve_order guarantees this; never save out of order
                    raise RuntimeError(f"Ray returned document {int(seq)} where {expected} was expected")
                expected += 1
                yield pickle.loads(blob)
        if expected != len(docs):
            raise RuntimeError(f"Ray returned {expected} analyses for {len(docs)} documents")
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved


def annotate_with_ray(store: Store, ray_address: str | None, report: RunReport,
                      progress: Callable[[str, int, int], None] | None, total: int) -> RunReport:
    """Annotate every pending document on Ray; the driver saves the analyses through ``store`` as they
    arrive, in batches and in ingestion order, so an interruption keeps the work already finished.

    A round that fails on Ray is finished document by document on the driver, exactly as the local engine
    does, so one bad document is reported and marked failed instead of stopping the run.
    """
    def save(analyses: list[Analysis]) -> None:
        if analyses:
            store.save_analyses(analyses)
            report.annotated += len(analyses)
            if progress:
                progress("annotate", report.annotated, total)

    with connected(ray_address) as ray:
        while docs := pending_articles(store, ROUND):
            done: list[Analysis] = []
            saved = 0
            try:
                for analysis in _annotate_round(ray, docs, lead_texts(store, docs)):
                    done.append(analysis)
                    if len(done) == BATCH:
                        save(done)
                        saved, done = saved + len(done), []
            except Exception:  # any failure of a task: the rest of the round one by one, as the local engine
                save(done)
                save(annotate_one_by_one(store, docs[saved + len(done) :], report))
                continue
            save(done)
    return report
