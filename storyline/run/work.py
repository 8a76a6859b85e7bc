"""What every engine shares (the local pool in ``pipeline`` and ``ray_engine``): the batch size, the run
report, the default number of workers, and the fallback for a batch that failed."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..annotate.document import annotate_batch
from ..model import Document, ReadError
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


def annotate_one_by_one(store: Store, docs: list[Document], report: RunReport) -> list:
    """Annotate a batch that failed document by document; the ones that fail alone are marked failed (kept,
    never retried in a loop, left out of stories) and reported naming the file and document."""
    analyses, failed = [], []
    for doc in docs:
        try:
            analyses.extend(annotate_batch([doc]))
        except Exception as exc:
            failed.append(doc.id)
            report.errors.append(ReadError(doc.path or doc.id, f"document {doc.id!r} stored but not analysed "
                                                               f"({type(exc).__name__}: {exc})"))
    store.mark_failed(failed)
    return analyses
