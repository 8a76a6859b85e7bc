"""What every engine shares (the local pool in ``pipeline`` and ``ray_engine``): the batch size, the run
report, the default number of workers, the next documents to annotate (without their outlet's furniture),
and the fallback for a batch that failed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..analysis import compare
from ..annotate.document import annotate_batch
from ..ingest.furniture import Furniture
from ..model import Analysis, Document, ReadError
from ..store import Store

BATCH = 64  # analyses written per transaction
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class RunReport:
    read: int = 0
    added: int = 0
    skipped: int = 0
    annotated: int = 0
    linked: int = 0
    errors: list[ReadError] = field(default_factory=list)


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def as_json(value: object) -> str:
    """The one JSON text form of what is stored for the read model (views, lists, per-article parts)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def analyse_batch(docs: list[Document]) -> list[Analysis]:
    """The per-document work of a batch, as the workers run it: the annotations, and what the read model
    needs of each article alone (``compare.document_parts``: its claim sentences and framing, which take a
    dependency parse). Computed here, the parts spread over the workers with the annotation instead of
    being parsed one story at a time by the driver's view refresh, which read them back from the store."""
    analyses = annotate_batch(docs)
    parts = compare.document_parts([a.document for a in analyses], {a.document.id: a.sentences for a in analyses},
                           [q for a in analyses for q in a.quotes])
    for a in analyses:
        a.parts[compare.DOCUMENT_PART] = as_json(parts[a.document.id])
    return analyses


def annotate_one_by_one(store: Store, docs: list[Document], report: RunReport) -> list:
    """Annotate a batch that failed document by document; the ones that fail alone are marked failed (kept,
    never retried in a loop, left out of stories) and reported naming the file and document."""
    analyses, failed = [], []
    for doc in docs:
        try:
            analyses.extend(analyse_batch([doc]))
        except Exception as exc:
            failed.append(doc.id)
            report.errors.append(ReadError(doc.path or doc.id, f"document {doc.id!r} stored but not analysed "
                                                               f"({type(exc).__name__}: {exc})"))
    store.mark_failed(failed)
    return analyses


def without_furniture(store: Store, docs: list[Document]) -> list[Document]:
    """``docs`` (pending annotation) with their outlet's furniture lines removed, in the store too.

    Runs just before annotation, when every document of the batch has been stored and tallied, so a first
    run over an outlet's pages already knows its furniture; annotated documents are never rewritten (their
    annotations point into their text). The content hash stays the one of the text as read: ingesting the
    same page again is still a duplicate, whatever the tallies have become since.
    """
    furniture = Furniture.from_store(store, {d.outlet for d in docs if d.outlet})
    changed = {}
    for doc in docs:
        text = furniture.strip(doc.outlet, doc.text)
        if text != doc.text:
            doc.text = changed[doc.id] = text
    store.replace_texts(changed)
    return docs


def pending_articles(store: Store, limit: int) -> list[Document]:
    """The next documents to annotate, in ingestion order, without their outlet's furniture."""
    return without_furniture(store, store.pending("annotated", limit=limit))
