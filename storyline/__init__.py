"""Storyline's public Python API: analyse articles into a database, then read stories in the JSON contract.

    import storyline

    storyline.analyze(["articles/"], db="news.db")      # ingest, annotate, link; returns a RunReport
    for row in storyline.stories("news.db"):            # id, title, documents, outlets, events, first, last
        story = storyline.story("news.db", row["id"])   # one story record of the JSON contract (v1)
    data = storyline.export("news.db")                  # the whole contract: {"version", "documents", "stories"}
    with storyline.Store("news.db") as store: ...       # the database itself (every query lives there)

Reads come from the views stored when each story last changed, so they never parse text. Heavy modules
(spaCy, scikit-learn) load only when ``analyze`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from os import PathLike
from typing import TYPE_CHECKING

from .contract import VERSION
from .store import Store

if TYPE_CHECKING:
    from .run.work import Progress, RunReport

__all__ = ["VERSION", "Store", "analyze", "export", "stories", "story"]


@contextmanager
def _opened(db: str | PathLike[str] | Store, fresh: bool = False) -> Iterator[Store]:
    """The database (opened here unless given open); ``fresh``: with every story's views computed."""
    if isinstance(db, Store):
        store, close = db, False
    else:
        store, close = Store(db), True
    try:
        if fresh and store.unfinished():  # an older version's, or mid-run
            from .run import pipeline

            pipeline.catch_up(store)
        yield store
    finally:
        if close:
            store.close()


def analyze(paths: Iterable[str | PathLike[str]], db: str | PathLike[str] | Store = "storyline.db",
            workers: int | None = None, progress: Progress | None = None) -> RunReport:
    """Read ``paths`` (files or folders, any supported format) into ``db`` and run every stage; idempotent."""
    from .run import pipeline

    with _opened(db) as store:
        return pipeline.analyze(store, [str(p) for p in paths], workers=workers, progress=progress)


def stories(db: str | PathLike[str] | Store) -> list[dict]:
    """Every story with its size and date span, biggest first."""
    with _opened(db, fresh=True) as store:
        return store.stories()


def story(db: str | PathLike[str] | Store, story_id: str) -> dict | None:
    """One story record of the JSON contract (articles, timeline, quotes, outlets, claims, summary)."""
    from . import contract

    with _opened(db, fresh=True) as store:
        return contract.story(store, story_id)


def export(db: str | PathLike[str] | Store, story_ids: Iterable[str] | None = None) -> dict:
    """The JSON contract (version 1) for the whole database, or for the given stories."""
    from . import contract

    with _opened(db, fresh=True) as store:
        return contract.build(store, story_ids)
