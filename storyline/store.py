"""SQLite storage: the only module that speaks SQL.

One file, schema created on first use and upgraded through a ``migrations`` table. Documents are keyed
by id with a UNIQUE content hash, so ingesting the same article twice stores it once. Every batch is
written in one transaction (WAL mode): an interrupted run loses nothing already committed and a re-run
resumes with the documents not yet annotated.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from .ingest.furniture import line_keys
from .model import Analysis, Document, Entity, Event, Mention, Quote, Sentence, Story, order_key

# What a migration runs when the stored links can no longer be extended (the linker's keys or features
# changed form): every link is forgotten and every article is linked again by the next run, keeping its
# annotations and the stored embeddings.
_LINK_AGAIN = """
    DELETE FROM document_lines;
    DELETE FROM link_lines;
    DELETE FROM features;
    DELETE FROM lsh;
    DELETE FROM redirects;
    DELETE FROM topics;
    DELETE FROM stories;
    DELETE FROM event_mentions;
    DELETE FROM events;
    DELETE FROM dirty_stories;
    DELETE FROM story_views;
    DELETE FROM story_items;
    DELETE FROM stale_views;
    INSERT OR REPLACE INTO meta (key, value) VALUES ('entity_index', 'stale');
    UPDATE documents SET linked = 0, story = NULL, duplicate_of = NULL WHERE annotated = 1;
"""

MIGRATIONS: list[str] = [
    # 1: the core model
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, title TEXT, url TEXT,
        outlet TEXT, outlet_source TEXT NOT NULL DEFAULT 'unknown',
        published TEXT, published_source TEXT NOT NULL DEFAULT 'unknown',
        path TEXT, text TEXT NOT NULL,
        seq INTEGER NOT NULL,                 -- ingestion order, for resumable, ordered processing
        annotated INTEGER NOT NULL DEFAULT 0, -- per-document stages done
        linked INTEGER NOT NULL DEFAULT 0,    -- cross-document stages done
        duplicate_of TEXT, story TEXT, minhash BLOB
    );
    CREATE INDEX documents_todo ON documents(annotated, linked, seq);
    CREATE INDEX documents_story ON documents(story);
    CREATE TABLE sentences (
        document TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        paragraph INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (document, idx)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE sentences_fts USING fts5(text, document UNINDEXED, idx UNINDEXED,
        tokenize = 'porter unicode61');
    CREATE TABLE entities (
        document TEXT NOT NULL, sentence INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, label TEXT NOT NULL, canonical TEXT NOT NULL
    );
    CREATE INDEX entities_document ON entities(document);
    CREATE TABLE quotes (
        document TEXT NOT NULL, sentence INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, speaker TEXT, speaker_text TEXT, cue TEXT, kind TEXT NOT NULL
    );
    CREATE INDEX quotes_document ON quotes(document);
    CREATE INDEX quotes_speaker ON quotes(speaker);
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY, document TEXT NOT NULL, sentence INTEGER NOT NULL, text TEXT NOT NULL,
        date TEXT NOT NULL, granularity TEXT NOT NULL, last TEXT, time_text TEXT NOT NULL
    );
    CREATE INDEX mentions_document ON mentions(document);
    CREATE TABLE lsh (band INTEGER NOT NULL, key BLOB NOT NULL, document TEXT NOT NULL);
    CREATE INDEX lsh_key ON lsh(band, key);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, title_score REAL NOT NULL DEFAULT 0,
        centroid TEXT NOT NULL, size INTEGER NOT NULL, first TEXT, last TEXT
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY, story TEXT NOT NULL, date TEXT NOT NULL, last TEXT,
        granularity TEXT NOT NULL, summary TEXT NOT NULL, position INTEGER NOT NULL
    );
    CREATE INDEX events_story ON events(story, position);
    CREATE TABLE event_mentions (event TEXT NOT NULL, mention INTEGER NOT NULL,
        PRIMARY KEY (event, mention)) WITHOUT ROWID;
    CREATE TABLE term_df (term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: stories whose timeline must be rebuilt, marked in the same transaction that links their documents,
    # so a run killed between linking and rebuilding timelines rebuilds them when it resumes
    """
    CREATE TABLE dirty_stories (story TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
    # 3: the read model. Each story's views (contract record, comparison, key dates, page model), computed
    # when the story changes and stored as JSON text, so reads never parse or cluster. A story is listed
    # in stale_views in the same transaction that rebuilds its timeline, and leaves it when its views are
    # saved: a run killed in between recomputes them when it resumes.
    """
    CREATE TABLE story_views (story TEXT NOT NULL, part TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (story, part)) WITHOUT ROWID;
    CREATE TABLE stale_views (story TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT OR IGNORE INTO stale_views (story) SELECT id FROM stories;
    """,
    # 4: per outlet, how many stored documents hold each (normalised) line, and under key '' how many
    # documents were counted: what ``furniture`` learns an outlet's recurring lines from
    """
    CREATE TABLE outlet_lines (outlet TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (outlet, key)) WITHOUT ROWID;
    """,
    # 5: watching feeds. One row per configured feed with its health and HTTP validators; one row per
    # article URL (canonical) a feed listed, so a restarted watcher never fetches a stored article again;
    # follows with the ingestion watermark (documents.seq) up to which they have been checked; alerts with
    # their webhook delivery state.
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY, title TEXT, added TEXT NOT NULL,
        last_fetch TEXT, last_ok TEXT, next_fetch TEXT, status TEXT, error TEXT,
        etag TEXT, last_modified TEXT, errors INTEGER NOT NULL DEFAULT 0,
        items INTEGER NOT NULL DEFAULT 0, stored INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE feed_items (
        url TEXT PRIMARY KEY, feed TEXT NOT NULL, first_seen TEXT NOT NULL, status TEXT NOT NULL,
        document TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, next_try TEXT
    ) WITHOUT ROWID;
    CREATE TABLE follows (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, created TEXT NOT NULL,
        checked_seq INTEGER NOT NULL DEFAULT 0, UNIQUE (kind, value)
    );
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY, follow INTEGER, kind TEXT NOT NULL, story TEXT, title TEXT,
        events TEXT NOT NULL, documents TEXT NOT NULL, quotes TEXT NOT NULL, created TEXT NOT NULL,
        delivery TEXT NOT NULL DEFAULT 'none', attempts INTEGER NOT NULL DEFAULT 0, next_try TEXT,
        delivery_error TEXT
    );
    CREATE INDEX alerts_story ON alerts(story, id);
    CREATE INDEX alerts_delivery ON alerts(delivery, next_try);
    """,
    # 6: the corrections log (hand edits) and what its overlay currently applies: documents it moved away
    # from the story clustering gave them (``auto``), events it hides or pins, speakers it renames. The
    # overlay tables are rebuilt from the log after every link, so a correction survives re-runs.
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, args TEXT NOT NULL, note TEXT,
        created TEXT NOT NULL, undone TEXT
    );
    CREATE TABLE story_overlay (document TEXT PRIMARY KEY, auto TEXT, applied TEXT NOT NULL,
        correction INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE event_marks (event TEXT NOT NULL, mark TEXT NOT NULL, correction INTEGER NOT NULL,
        PRIMARY KEY (event, mark)) WITHOUT ROWID;
    CREATE TABLE speaker_fixes (key TEXT PRIMARY KEY, speaker TEXT, correction INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX entities_canonical ON entities(canonical);
    CREATE INDEX mentions_sentence ON mentions(document, sentence);
    """,
    # 7: each timeline event's section (story | background | expected); existing timelines are rebuilt
    """
    ALTER TABLE events ADD COLUMN section TEXT NOT NULL DEFAULT 'story';
    INSERT OR IGNORE INTO dirty_stories (story) SELECT id FROM stories;
    """,
    # 8: order-independent stories and topics (stories.py). Line keys and outlet line counts (link_lines: a
    # monotone count of linked articles, unlike migration 4's ingest tallies) are kept per article, each
    # article's clustering features and connected component too, topics and redirects (ids of stories and
    # topics that merged into another). Stories made by the old single-pass clusterer depended on arrival
    # order: every article is linked again by the next run.
    """
    CREATE TABLE document_lines (key TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY (key, document))
        WITHOUT ROWID;
    CREATE TABLE link_lines (outlet TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (outlet, key)) WITHOUT ROWID;
    CREATE TABLE features (document TEXT PRIMARY KEY, published TEXT, vector BLOB NOT NULL,
        entities TEXT NOT NULL, headline TEXT, words TEXT NOT NULL, component TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX features_component ON features(component);
    ALTER TABLE stories ADD COLUMN topic TEXT;
    ALTER TABLE stories ADD COLUMN canonical TEXT;
    CREATE INDEX stories_topic ON stories(topic);
    CREATE TABLE topics (id TEXT PRIMARY KEY, title TEXT NOT NULL, canonical TEXT NOT NULL, first TEXT,
        last TEXT);
    CREATE TABLE redirects (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE embeddings (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID;
    CREATE INDEX documents_duplicate ON documents(duplicate_of);
    DELETE FROM stories;
    DELETE FROM event_mentions;
    DELETE FROM events;
    DELETE FROM dirty_stories;
    DELETE FROM lsh;
    DELETE FROM term_df;
    DELETE FROM meta WHERE key = 'n_docs';
    UPDATE documents SET linked = 0, story = NULL, duplicate_of = NULL WHERE annotated = 1;
    """,
    # 9: the read model's long lists one element a row (events, quotes, claims, speakers, sources), so a page
    # of a 1,000-article story reads its hundred rows, not megabytes of JSON
    """
    CREATE TABLE story_items (story TEXT NOT NULL, kind TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (story, kind, idx)) WITHOUT ROWID;
    INSERT OR IGNORE INTO stale_views (story) SELECT id FROM stories;
    """,
    # 10: what a story's views need of one article that depends on that article alone (its claim sentences,
    # its framing findings), kept per article so a story that gains one article recomputes one article's
    # part, not a thousand; ``part`` names the version of the analysis that wrote it
    """
    CREATE TABLE document_parts (document TEXT NOT NULL, part TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (document, part)) WITHOUT ROWID;
    CREATE TABLE entity_index (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE entity_links (label TEXT NOT NULL, name TEXT NOT NULL, entity TEXT NOT NULL,
        PRIMARY KEY (label, name)) WITHOUT ROWID;
    INSERT OR REPLACE INTO meta (key, value) VALUES ('entity_index', 'stale');
    """,
    # 11: one line key for outlet furniture (``ingest.furniture.line_key``, which ``outlet_lines`` already
    # used). The linker's keys (document_lines, link_lines) were hashes of another normal form that cannot be
    # turned into the new one, and the stories depend on them: as in migration 8, every article is linked
    # again by the next run (annotations and stored embeddings are kept).
    _LINK_AGAIN,
    # 12: a near-duplicate group's original is its earliest member by (published, id), not the first to
    # arrive, and the LSH index holds every article (a new one may match a stored copy only): the stored
    # originals and bands were made the old way, so, as in migration 11, every article links again
    _LINK_AGAIN,
    # 13: an article's names for clustering leave out what says where, when or by whom it was filed (datelines,
    # time zones, news agencies: ``link.stories.not_a_name``); stored features hold the old names, so every
    # article is linked again, as in migration 11
    _LINK_AGAIN,
    # 14: a dateline with its state ("GRAND ISLE, LA.--") is not a name either, and a described title's event
    # words leave out the lead's names (``link.stories.name_words``): stored features again hold the old ones
    _LINK_AGAIN,
    # 15: an article's stored identity does not depend on arrival order. Exact copies (one text under several
    # ids) are stored once, under the copy first by (published, id), and every other id of the group is an
    # alias of it; an id that several different texts claim (0001.txt in two folders) names none of them: each
    # is stored as id~<its content hash> and the bare id is an alias. When an earlier copy or a second claimant
    # arrives, the stored row is replaced (it stays, *retiring*, until its replacement is linked), so one text
    # is two rows for a while: the content hash can no longer be UNIQUE (SQLite rebuilds the table to drop it).
    """
    CREATE TABLE documents_new (
        id TEXT PRIMARY KEY, hash TEXT NOT NULL, title TEXT, url TEXT,
        outlet TEXT, outlet_source TEXT NOT NULL DEFAULT 'unknown',
        published TEXT, published_source TEXT NOT NULL DEFAULT 'unknown',
        path TEXT, text TEXT NOT NULL, seq INTEGER NOT NULL,
        annotated INTEGER NOT NULL DEFAULT 0, linked INTEGER NOT NULL DEFAULT 0,
        duplicate_of TEXT, story TEXT, minhash BLOB
    );
    INSERT INTO documents_new SELECT id, hash, title, url, outlet, outlet_source, published, published_source,
        path, text, seq, annotated, linked, duplicate_of, story, minhash FROM documents;
    DROP TABLE documents;
    ALTER TABLE documents_new RENAME TO documents;
    CREATE INDEX documents_todo ON documents(annotated, linked, seq);
    CREATE INDEX documents_story ON documents(story);
    CREATE INDEX documents_duplicate ON documents(duplicate_of);
    CREATE INDEX documents_hash ON documents(hash);
    CREATE INDEX documents_seq ON documents(seq);
    CREATE TABLE document_aliases (alias TEXT PRIMARY KEY, document TEXT NOT NULL, hash TEXT, path TEXT)
        WITHOUT ROWID;
    CREATE INDEX document_aliases_document ON document_aliases(document);
    """,
    # 16: a headline that shares no word with its article is a template's promo, not the headline
    # (``link.stories.usable_headline``), and time zones are one list (``calendar.TIME_ZONE``): stored features
    # hold the old headlines and names, so every article links again
    _LINK_AGAIN,
    # 17: topics are cut on a similarity that pays for time (``link.stories.TOPIC_TIME_PENALTY``) at a lower
    # cut, so the stored components and topics were made the old way: every article links again
    _LINK_AGAIN,
    # 18: the lines the stored-text furniture rule deleted from an article (the linker's line keys): whether a
    # line is deleted depends on what its outlet had sent before, so the linker counts them as the article's
    # lines, and which lines are furniture for linking no longer depends on arrival order. Kept through
    # re-links (an article's text is never restored); articles stripped before this migration have none.
    """
    CREATE TABLE stripped_lines (document TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (document, key))
        WITHOUT ROWID;
    """,
]
_ENTITIES_STALE = "INSERT OR REPLACE INTO meta (key, value) VALUES ('entity_index', 'stale')"

# A quote's speaker after corrections: a fix of that one quote wins over a rename of its speaker's name.
_SPEAKER = ("CASE WHEN fq.key IS NOT NULL THEN fq.speaker WHEN fn.key IS NOT NULL THEN fn.speaker"
            " ELSE q.speaker END")
_SPEAKER_JOIN = (" LEFT JOIN speaker_fixes fq ON fq.key = 'quote:' || q.document || ':' || q.start"
                 " LEFT JOIN speaker_fixes fn ON fn.key = 'name:' || q.speaker")


def _in_batches(values: Sequence) -> Iterator[tuple[list, str]]:
    """``values`` in lists of at most 500, each with its "?,?,…" marks: an ``IN (…)`` stays under SQLite's
    limit on bound parameters however many ids a caller asks about."""
    for i in range(0, len(values), 500):
        chunk = list(values[i : i + 500])
        yield chunk, ",".join("?" * len(chunk))


class StoreError(RuntimeError):
    pass


class _ProcessingLock:
    """One database's processing lock: an RLock between threads, ``flock`` on ``<db>.lock`` between processes.

    Ingesting is safe from any number of writers (each batch is one transaction, deduplicated by id and hash),
    but annotating and linking read pending work outside a transaction: two processes doing both at once
    would process the same documents twice (double-counted term frequencies, timelines pointing at replaced
    mentions). The kernel drops the flock when its holder dies, even by SIGKILL, so a crash never leaves
    the database locked; forked children (annotation workers) close their inherited copy at once.
    """

    _all: dict[str, _ProcessingLock] = {}
    _all_lock = threading.Lock()

    def __init__(self, db_path: str) -> None:
        self.file = db_path + ".lock"
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    @classmethod
    def of(cls, db_path: str) -> _ProcessingLock | None:
        if not db_path or db_path == ":memory:" or db_path.startswith("file:"):
            return None
        key = os.path.realpath(db_path)
        with cls._all_lock:
            return cls._all.setdefault(key, cls(key))

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.rlock:
            if self.depth == 0:
                self._acquire()
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0 and self.fd is not None:
                    os.close(self.fd)  # releases the flock
                    self.fd = None

    def _acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: threads are still serialised
            return
        try:
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:  # a read-only folder: nothing can be written there anyway
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.getLogger("storyline").warning(
                "%s: another storyline process is analysing this database; waiting for it to finish",
                self.file.removesuffix(".lock"))
            fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd

    def taken_elsewhere(self) -> bool:
        """Another process holds the lock now (a run is analysing the database)."""
        if self.depth:
            return False
        try:
            import fcntl

            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
        except (ImportError, OSError):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # releases it if it was taken here
        return False

    @classmethod
    def _after_fork(cls) -> None:
        for lock in cls._all.values():
            if lock.fd is not None:
                os.close(lock.fd)
            lock.fd, lock.depth, lock.rlock = None, 0, threading.RLock()
        cls._all_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ProcessingLock._after_fork)


# "column contains ?", case-insensitively (ASCII, as LIKE) and literally: a user's "%" or "_" is that
# character, not a wildcard, and no length of input makes a pattern "too complex" (LIKE's limit is 50 kB).
_CONTAINS = "instr(lower({}), lower(?)) > 0"


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _s(value: date | None) -> str | None:
    return value.isoformat() if value else None


class Store:
    """A Storyline database. Safe to share between threads: writes are serialised by one lock."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False,
                                      isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a Storyline database ({exc})") from exc
        self.lock = threading.RLock()
        self._migrate()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def processing(self) -> Iterator[None]:
        """Hold this database's processing lock (annotate, link): one process at a time, others wait."""
        lock = _ProcessingLock.of(self.path)
        if lock is None:
            yield
            return
        with lock.held():
            yield

    def analysing_elsewhere(self) -> bool:
        """Another process is annotating or linking this database now (it will finish its own work)."""
        lock = _ProcessingLock.of(self.path)
        return bool(lock and lock.taken_elsewhere())

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.transaction():
            self.db.execute("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied TEXT)")
            done = {r[0] for r in self.db.execute("SELECT version FROM migrations")}
            for version, sql in enumerate(MIGRATIONS, start=1):
                if version not in done:
                    for statement in sql.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (version,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; BEGIN IMMEDIATE so a second writer waits (busy timeout) instead of corrupting."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that see one state of the database (a WAL read transaction), however many writers
        commit meanwhile. Inside a transaction already, the reads are part of it."""
        with self.lock:
            if self.db.in_transaction:
                yield
                return
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                self.db.execute("COMMIT")

    # -- documents ------------------------------------------------------------------------------
    def add_documents(self, docs: Iterable[Document]) -> list[str]:
        """Store new documents; return the ids of the articles added (the same article again is skipped).

        Which id an article is stored under depends on the set of articles, not on their order
        (``_claim``): the same id and text → stored once; one text under several ids → stored once, under
        the copy first by (published, id), the others its aliases; one id claimed by different texts from
        different files (reuters/0001.txt, ap/0001.txt) → each stored as ``0001~<its content hash>``, the
        bare id an alias of the first of them.
        """
        added: list[str] = []
        renamed: dict[str, str] = {}  # a stored article this batch moved to another id (or replaced)
        with self.transaction() as db:
            for doc in docs:
                replaced = self._claim(db, doc, renamed)
                if replaced is None:
                    continue
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
                db.execute(
                    "INSERT INTO documents (id, hash, title, url, outlet, outlet_source, published,"
                    " published_source, path, text, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (doc.id, doc.hash, doc.title, doc.url, doc.outlet, doc.outlet_source, _s(doc.published),
                     doc.published_source, doc.path, doc.text, seq),
                )
                if replaced:  # an earlier copy takes over the text: the stored one is retired
                    self._retire(db, replaced, doc.id)
                    renamed[replaced] = doc.id
                if doc.outlet:  # tallied in the same transaction: a document is counted exactly once
                    self._tally(db, doc.outlet, doc.text, 1)
                added.append(doc.id)
        for _ in range(8):  # an article added, then moved or replaced by a later one of the batch
            added = [renamed.get(i, i) for i in added]
        return list(dict.fromkeys(added))

    def _claim(self, db: sqlite3.Connection, doc: Document, renamed: dict[str, str]) -> str | None:
        """Decide the id ``doc`` is stored under (may set ``doc.id``). None: nothing to store (the same
        article again, or a later copy of a stored text: its id becomes an alias). "": store it. An id:
        store it, and retire that stored copy of the same text, which comes after it by (published, id)."""
        held = db.execute("SELECT hash, path FROM documents WHERE id = ? AND id NOT IN"
                          " (SELECT alias FROM document_aliases)", (doc.id,)).fetchone()
        alias = db.execute("SELECT document, hash, path FROM document_aliases WHERE alias = ?",
                           (doc.id,)).fetchone()
        claim = tuple(held) if held else (alias[1], alias[2]) if alias else None
        if claim is not None:
            if claim[0] == doc.hash:
                return None  # the same article again
            if claim[0] is not None and not (doc.path and claim[1] and doc.path != claim[1]):
                return None  # the same id from the same source: stored once
            bare = doc.id
            if claim[0] is not None:  # the id's first second claimant: its holder moves to its own id
                moved = f"{bare}~{claim[0][:8]}"
                if held:
                    self._rekey(db, bare, moved)
                    renamed[bare] = moved
                else:  # an exact copy's alias: the claim moves, the copy it names stays
                    db.execute("INSERT OR IGNORE INTO document_aliases VALUES (?, ?, ?, ?)", (moved, *alias))
                db.execute("INSERT OR REPLACE INTO document_aliases VALUES (?, ?, NULL, NULL)", (bare, moved))
            doc.id = f"{bare}~{doc.hash[:8]}"
            db.execute("UPDATE document_aliases SET document = MIN(document, ?) WHERE alias = ?", (doc.id, bare))
            if db.execute("SELECT 1 FROM documents WHERE id = ? UNION ALL SELECT 1 FROM document_aliases"
                          " WHERE alias = ?", (doc.id, doc.id)).fetchone():
                return None
        twin = db.execute("SELECT id, published FROM documents WHERE hash = ? AND id NOT IN"
                          " (SELECT alias FROM document_aliases) ORDER BY id LIMIT 1", (doc.hash,)).fetchone()
        if twin is None:
            return ""
        if order_key(doc.published, doc.id) > order_key(_d(twin[1]), twin[0]):
            db.execute("INSERT OR IGNORE INTO document_aliases VALUES (?, ?, ?, ?)",
                       (doc.id, twin[0], doc.hash, doc.path))
            return None
        return twin[0]

    def _rekey(self, db: sqlite3.Connection, old: str, new: str) -> None:
        """Store the article ``old`` again as ``new`` (same text and metadata, analysed again) and retire
        ``old``: an id that became ambiguous."""
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
        db.execute("INSERT INTO documents (id, hash, title, url, outlet, outlet_source, published, published_source,"
                   " path, text, seq) SELECT ?, hash, title, url, outlet, outlet_source, published,"
                   " published_source, path, text, ? FROM documents WHERE id = ?", (new, seq, old))
        self._retire(db, old, new, tallied=False)

    def _retire(self, db: sqlite3.Connection, old: str, new: str, tallied: bool = True) -> None:
        """``old`` is now an alias of ``new`` (which holds the same text). Its row goes at once if it was never
        analysed; otherwise it stays, *retiring*, until ``new`` is linked and takes its place in its story
        (``link.dedup.fold`` never makes a retiring row an original; ``drop_retired`` removes it)."""
        row = db.execute("SELECT hash, path, outlet, text, annotated FROM documents WHERE id = ?", (old,)).fetchone()
        db.execute("INSERT OR REPLACE INTO document_aliases VALUES (?, ?, ?, ?)", (old, new, row[0], row[1]))
        db.execute("UPDATE document_aliases SET document = ? WHERE document = ? AND hash IS NOT NULL", (new, old))
        if tallied and row[2]:  # its outlet's lines stop counting it (the replacement is counted instead)
            self._tally(db, row[2], row[3], -1)
        if row[4] == 0:
            db.execute("DELETE FROM documents WHERE id = ?", (old,))

    @staticmethod
    def _tally(db: sqlite3.Connection, outlet: str, text: str, n: int) -> None:
        db.executemany("INSERT INTO outlet_lines VALUES (?, ?, ?) ON CONFLICT (outlet, key) DO UPDATE SET n = n + ?",
                       [(outlet, key, max(n, 0), n) for key in ("", *line_keys(text))])

    @staticmethod
    def _resolve(db: sqlite3.Connection, doc_id: str) -> str | None:
        for _ in range(8):  # an alias names a stored article or another alias (a bounded chain)
            row = db.execute("SELECT document FROM document_aliases WHERE alias = ?", (doc_id,)).fetchone()
            if row is None:
                break
            doc_id = row[0]
        exists = db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return doc_id if exists else None

    def resolve_document(self, doc_id: str) -> str | None:
        """The stored article an id names: itself, or the one its alias leads to (an exact copy's id → the
        copy stored; an id several texts claimed → the first of them by id); None: no such article."""
        return self._resolve(self.db, doc_id)

    def document_alias(self, doc_id: str) -> str | None:
        """Where an alias id leads (None: ``doc_id`` is no alias, or leads nowhere yet)."""
        if not self.db.execute("SELECT 1 FROM document_aliases WHERE alias = ?", (doc_id,)).fetchone():
            return None
        return self.resolve_document(doc_id)

    def retiring(self, doc_ids: Sequence[str]) -> set[str]:
        """Which of these stored articles are retiring: replaced by a copy of their text under another id."""
        out: set[str] = set()
        for chunk, marks in _in_batches(doc_ids):
            out.update(r[0] for r in self.db.execute(
                f"SELECT alias FROM document_aliases WHERE alias IN ({marks})", chunk))
        return out

    def replacing(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The linked retiring articles these articles replace (the one live row holding the same text):
        {retiring id: its replacement}."""
        out: dict[str, str] = {}
        for chunk, marks in _in_batches(doc_ids):
            out.update(self.db.execute(
                f"SELECT d.id, r.id FROM documents r JOIN documents d ON d.hash = r.hash AND d.id != r.id"
                f" JOIN document_aliases a ON a.alias = d.id WHERE d.linked = 1 AND r.id IN ({marks})",
                chunk).fetchall())
        return out

    def drop_retired(self) -> list[str]:
        """Delete the retiring articles whose replacement took their place (they are linked as its copy) or
        that were never linked, with everything stored of them; their ids stay aliases."""
        query = ("SELECT d.id FROM documents d JOIN document_aliases a ON a.alias = d.id"
                 " WHERE d.linked = 0 OR d.duplicate_of IS NOT NULL")
        if not self.db.execute(query).fetchone():
            return []  # (most runs: no write, no transaction)
        with self.transaction() as db:
            gone = [r[0] for r in db.execute(query)]
            for doc_id in gone:
                db.execute("DELETE FROM event_mentions WHERE mention IN (SELECT id FROM mentions WHERE document = ?)",
                           (doc_id,))
                for table in ("sentences", "entities", "quotes", "mentions", "document_parts", "lsh", "features",
                              "document_lines", "story_overlay"):
                    db.execute(f"DELETE FROM {table} WHERE document = ?", (doc_id,))
                db.execute("DELETE FROM sentences_fts WHERE document = ?", (doc_id,))
                db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            if gone:
                db.execute(_ENTITIES_STALE)
        return gone

    def outlet_lines(self, outlet: str, min_documents: int) -> tuple[int, dict[str, int]]:
        """(documents counted for ``outlet``, {line key: documents holding it} for keys in at least
        ``min_documents``)."""
        rows = self.db.execute("SELECT key, n FROM outlet_lines WHERE outlet = ? AND (n >= ? OR key = '')",
                               (outlet, min_documents)).fetchall()
        counts = {r[0]: r[1] for r in rows}
        return counts.pop("", 0), counts

    def replace_texts(self, texts: Mapping[str, str], removed: Mapping[str, Iterable[str]] | None = None) -> None:
        """New text for documents not yet annotated (outlet furniture removed); the content hash stays the
        one of the text as read, so reading the same file again is still recognised. ``removed``: the
        linker's keys of the lines deleted from each (see ``stripped_lines``)."""
        if texts:
            with self.transaction() as db:
                db.executemany("UPDATE documents SET text = ? WHERE id = ? AND annotated = 0",
                               [(t, i) for i, t in texts.items()])
                db.executemany("INSERT OR IGNORE INTO stripped_lines VALUES (?, ?)",
                               [(i, k) for i, keys in (removed or {}).items() if i in texts for k in sorted(keys)])

    def stripped_lines(self, ids: Iterable[str]) -> dict[str, set[str]]:
        """The linker's keys of the lines the stored-text furniture rule deleted from each of these documents."""
        out: dict[str, set[str]] = {}
        for chunk, marks in _in_batches(list(ids)):
            for doc_id, key in self.db.execute(
                    f"SELECT document, key FROM stripped_lines WHERE document IN ({marks})", chunk):
                out.setdefault(doc_id, set()).add(key)
        return out

    def has_document(self, doc_id: str = "", hash: str = "") -> str | None:
        """The id of the stored article this id names (or an alias leads to), else of one holding this content
        hash, if any."""
        if doc_id and (found := self.resolve_document(doc_id)):
            return found
        row = self.db.execute("SELECT id FROM documents WHERE hash = ? AND id NOT IN"
                              " (SELECT alias FROM document_aliases) ORDER BY id LIMIT 1", (hash,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _document(row: sqlite3.Row) -> Document:
        return Document(
            id=row["id"], text=row["text"], title=row["title"], url=row["url"], outlet=row["outlet"],
            outlet_source=row["outlet_source"], published=_d(row["published"]),
            published_source=row["published_source"], path=row["path"], hash=row["hash"],
        )

    def pending(self, stage: str, limit: int = 1000) -> list[Document]:
        """Documents (in ingestion order) that still need ``stage``: 'annotated' or 'linked'."""
        where = "annotated = 0" if stage == "annotated" else "annotated = 1 AND linked = 0"
        rows = self.db.execute(f"SELECT * FROM documents WHERE {where} ORDER BY seq LIMIT ?", (limit,))
        return [self._document(r) for r in rows]

    def mark_failed(self, ids: Sequence[str]) -> None:
        """Documents the per-document stages failed on: annotated = -1, so they are neither retried in a loop
        nor linked (``UPDATE documents SET annotated = 0 WHERE annotated = -1`` retries them)."""
        if ids:
            with self.transaction() as db:
                db.executemany("UPDATE documents SET annotated = -1 WHERE id = ?", [(i,) for i in ids])

    def count_pending(self, stage: str) -> int:
        where = "annotated = 0" if stage == "annotated" else "annotated = 1 AND linked = 0"
        return self.db.execute(f"SELECT COUNT(*) FROM documents WHERE {where}").fetchone()[0]

    def document(self, doc_id: str) -> Document | None:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return self._document(row) if row else None

    def documents(self, ids: Sequence[str] | None = None, limit: int = -1, offset: int = 0,
                  outlet: str | None = None) -> list[Document]:
        sql, args = "SELECT * FROM documents", []
        clauses = []
        if ids is not None:
            clauses.append(f"id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if outlet is not None:
            clauses.append("outlet = ?")
            args.append(outlet)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY COALESCE(published, '9999'), id LIMIT ? OFFSET ?"
        return [self._document(r) for r in self.db.execute(sql, (*args, limit, offset))]

    def document_links(self, doc_id: str) -> dict:
        """Its story and the article it copies; ``moved_by``/``story_auto`` when a correction moved it."""
        row = self.db.execute(
            "SELECT d.story, d.duplicate_of, o.correction, o.auto FROM documents d"
            " LEFT JOIN story_overlay o ON o.document = d.id AND o.applied = d.story WHERE d.id = ?",
            (doc_id,)).fetchone()
        if not row:
            return {}
        return {"story": row[0], "duplicate_of": row[1], "moved_by": row[2], "story_auto": row[3]}

    def count_documents(self, outlet: str | None = None) -> int:
        if outlet is None:
            return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE outlet = ?", (outlet,)).fetchone()[0]

    # -- per-document analyses ----------------------------------------------------------------
    def save_analyses(self, analyses: Iterable[Analysis]) -> None:
        """Write a batch of annotations atomically and mark those documents annotated."""
        analyses = list(analyses)
        with self.transaction() as db:
            # Only a re-annotated document has rows to replace. Asking first matters: the FTS table has no
            # index by document, so its DELETE scans every sentence stored, which made saving quadratic in
            # the corpus (about 1 s more per 100 articles saved for every 1,000 already stored).
            before = self._done(db, "annotated = 1", [a.document.id for a in analyses])
            stored = self._done(db, "1", [a.document.id for a in analyses])  # (not one replaced meanwhile)
            for a in analyses:
                doc_id = a.document.id
                if doc_id not in stored:
                    continue
                if doc_id in before:
                    for table in ("sentences", "entities", "quotes", "mentions", "document_parts"):
                        db.execute(f"DELETE FROM {table} WHERE document = ?", (doc_id,))
                    db.execute("DELETE FROM sentences_fts WHERE document = ?", (doc_id,))
                db.executemany(
                    'INSERT INTO sentences (document, idx, start, "end", paragraph, text) VALUES (?,?,?,?,?,?)',
                    [(doc_id, s.index, s.start, s.end, s.paragraph, s.text) for s in a.sentences],
                )
                db.executemany(
                    "INSERT INTO sentences_fts (text, document, idx) VALUES (?,?,?)",
                    [(s.text, doc_id, s.index) for s in a.sentences],
                )
                db.executemany(
                    'INSERT INTO entities (document, sentence, start, "end", text, label, canonical)'
                    " VALUES (?,?,?,?,?,?,?)",
                    [(doc_id, e.sentence, e.start, e.end, e.text, e.label, e.canonical or e.text)
                     for e in a.entities],
                )
                db.executemany(
                    'INSERT INTO quotes (document, sentence, start, "end", text, speaker, speaker_text, cue,'
                    " kind) VALUES (?,?,?,?,?,?,?,?,?)",
                    [(doc_id, q.sentence, q.start, q.end, q.text, q.speaker, q.speaker_text, q.cue, q.kind)
                     for q in a.quotes],
                )
                db.executemany(
                    "INSERT INTO mentions (document, sentence, text, date, granularity, last, time_text)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(doc_id, m.sentence, m.text, m.date.isoformat(), m.granularity, _s(m.last), m.time_text)
                     for m in a.mentions],
                )
                db.executemany("INSERT OR REPLACE INTO document_parts (document, part, data) VALUES (?, ?, ?)",
                               [(doc_id, part, data) for part, data in a.parts.items()])
                db.execute("UPDATE documents SET annotated = 1 WHERE id = ?", (doc_id,))
                # a cache by text hash (as ``save_embeddings``): a vector already stored is kept
                db.executemany("INSERT OR IGNORE INTO embeddings VALUES (?, ?)", sorted(a.embeddings.items()))
            db.execute(_ENTITIES_STALE)  # new names, or new counts of known ones

    @staticmethod
    def _done(db: sqlite3.Connection, flag: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` have ``flag`` ("annotated = 1", "linked = 1") set, in chunks of 500 ids."""
        out: set[str] = set()
        for chunk, marks in _in_batches(ids):
            rows = db.execute(f"SELECT id FROM documents WHERE {flag} AND id IN ({marks})",
                              chunk)
            out.update(r[0] for r in rows)
        return out

    def sentences(self, doc_id: str) -> list[Sentence]:
        rows = self.db.execute("SELECT * FROM sentences WHERE document = ? ORDER BY idx", (doc_id,))
        return [Sentence(r["document"], r["idx"], r["start"], r["end"], r["text"], r["paragraph"]) for r in rows]

    def entities(self, doc_ids: Sequence[str]) -> list[Entity]:
        rows = self.db.execute(
            f"SELECT * FROM entities WHERE document IN ({','.join('?' * len(doc_ids))})"
            " ORDER BY document, start", tuple(doc_ids))
        return [Entity(r["document"], r["sentence"], r["start"], r["end"], r["text"], r["label"], r["canonical"])
                for r in rows]

    def quotes(self, doc_ids: Sequence[str] | None = None, outlet: str | None = None,
               include_duplicates: bool = False, speakers: Sequence[str] | None = None) -> list[Quote]:
        """Quotes of non-duplicate articles (of near-duplicates too with ``include_duplicates``), speakers as
        corrected (``Quote.corrected`` names the correction); ``speakers``: exactly these names. By part of
        a speaker's name: ``contract.select_quotes``, which matches the name shown, not the one stored."""
        sql = (f"SELECT q.*, {_SPEAKER} AS said_by, COALESCE(fq.correction, fn.correction) AS fix"
               f" FROM quotes q JOIN documents d ON d.id = q.document{_SPEAKER_JOIN} WHERE ")
        sql += "1" if include_duplicates else "d.duplicate_of IS NULL"
        args: list[object] = []
        if doc_ids is not None:
            sql += f" AND q.document IN ({','.join('?' * len(doc_ids))})"
            args.extend(doc_ids)
        if speakers is not None:
            sql += f" AND {_SPEAKER} IN ({','.join('?' * len(speakers))})"
            args.extend(speakers)
        if outlet:
            sql += " AND d.outlet = ?"
            args.append(outlet)
        sql += " ORDER BY COALESCE(d.published, '9999'), q.document, q.start, q.\"end\""
        return [Quote(r["document"], r["sentence"], r["start"], r["end"], r["text"], r["said_by"],
                      r["speaker_text"], r["cue"], r["kind"],
                      corrected=r["fix"] if r["fix"] is not None and r["said_by"] != r["speaker"] else None,
                      speaker_was=r["speaker"] if r["fix"] is not None else None)
                for r in self.db.execute(sql, args)]

    def mentions(self, doc_ids: Sequence[str]) -> list[tuple[int, Mention]]:
        rows = self.db.execute(
            f"SELECT * FROM mentions WHERE document IN ({','.join('?' * len(doc_ids))})"
            " ORDER BY document, sentence, id", tuple(doc_ids))
        return [(r["id"], Mention(r["document"], r["sentence"], r["text"], date.fromisoformat(r["date"]),
                                  r["granularity"], _d(r["last"]), r["time_text"])) for r in rows]

    def sentence_texts(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {d: [] for d in doc_ids}
        rows = self.db.execute(
            f"SELECT document, text FROM sentences WHERE document IN ({','.join('?' * len(doc_ids))})"
            " ORDER BY document, idx", tuple(doc_ids))
        for r in rows:
            out[r[0]].append(r[1])
        return out

    # -- near-duplicates (MinHash LSH bands kept in SQL, so the index never has to fit in memory) --
    def lsh_candidates(self, bands: Sequence[bytes]) -> set[str]:
        found: set[str] = set()
        for i, key in enumerate(bands):
            found.update(r[0] for r in self.db.execute("SELECT document FROM lsh WHERE band = ? AND key = ?",
                                                       (i, key)))
        return found

    def minhash(self, doc_id: str) -> bytes | None:
        row = self.db.execute("SELECT minhash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def near_duplicate_groups(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """Every linked member of these articles' near-duplicate groups: id → its original (None: it is one)."""
        roots: set[str] = set()
        for chunk, marks in _in_batches(doc_ids):
            roots.update(r[0] for r in self.db.execute(
                f"SELECT COALESCE(duplicate_of, id) FROM documents WHERE linked = 1 AND id IN"
                f" ({marks})", chunk))
        out: dict[str, str | None] = {}
        ordered = sorted(roots)
        for chunk, marks in _in_batches(ordered):
            out.update(self.db.execute(f"SELECT id, duplicate_of FROM documents WHERE linked = 1 AND"
                                       f" (id IN ({marks}) OR duplicate_of IN ({marks}))", chunk + chunk).fetchall())
        return out

    # -- stories and events -------------------------------------------------------------------
    def term_df(self, terms: Iterable[str]) -> dict[str, int]:
        terms = list(terms)
        out: dict[str, int] = {}
        for chunk, marks in _in_batches(terms):
            out.update(self.db.execute(f"SELECT term, n FROM term_df WHERE term IN ({marks})",
                                       chunk).fetchall())
        return out

    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    # -- story clustering (stories.py): what it keeps between runs ---------------------------------
    def line_counts(self, outlet: str, keys: Iterable[str]) -> dict[str, int]:
        """How many articles of ``outlet`` hold each line key (outlet furniture counts)."""
        keys = list(keys)
        out: dict[str, int] = {}
        for chunk, marks in _in_batches(keys):
            out.update(self.db.execute(f"SELECT key, n FROM link_lines WHERE outlet = ? AND key IN"
                                       f" ({marks})", (outlet, *chunk)).fetchall())
        return out

    def documents_with_lines(self, outlet: str, keys: Iterable[str]) -> set[str]:
        """Linked articles of ``outlet`` holding any of these line keys."""
        keys = list(keys)
        out: set[str] = set()
        for chunk, marks in _in_batches(keys):
            out.update(r[0] for r in self.db.execute(
                "SELECT dl.document FROM document_lines dl JOIN documents d ON d.id = dl.document"
                f" WHERE d.outlet = ? AND d.linked = 1 AND dl.key IN ({marks})",
                (outlet, *chunk)))
        return out

    def embeddings(self, hashes: Iterable[str]) -> dict[str, bytes]:
        """Stored sentence embeddings by text hash (float32 bytes)."""
        hashes = list(hashes)
        out: dict[str, bytes] = {}
        for chunk, marks in _in_batches(hashes):
            out.update(self.db.execute(f"SELECT text_hash, vector FROM embeddings WHERE text_hash IN"
                                       f" ({marks})", chunk).fetchall())
        return out

    def save_embeddings(self, vectors: dict[str, bytes]) -> None:
        """Keep text embeddings by text hash (a cache: a hash already stored keeps its vector)."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO embeddings VALUES (?, ?)", sorted(vectors.items()))

    def features(self) -> list[dict]:
        """Every linked article's clustering features and component."""
        rows = self.db.execute("SELECT * FROM features ORDER BY document")
        return [{**dict(r), "entities": json.loads(r["entities"]), "words": json.loads(r["words"])} for r in rows]

    def cluster_state(self, doc_ids: Sequence[str]) -> dict[str, dict]:
        """For these articles' stories: {story: {"canonical", "topic", "title", "members"}} (members: all its
        non-duplicate articles)."""
        stories: set[str] = set()
        for chunk, marks in _in_batches(doc_ids):
            stories.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT story FROM documents WHERE story IS NOT NULL AND id IN"
                f" ({marks})", chunk))
        out: dict[str, dict] = {}
        for sid in sorted(stories):
            row = self.db.execute("SELECT canonical, topic, title FROM stories WHERE id = ?", (sid,)).fetchone()
            members = {r[0] for r in self.db.execute(
                "SELECT id FROM documents WHERE story = ? AND duplicate_of IS NULL", (sid,))}
            out[sid] = {"canonical": row[0] if row else None, "topic": row[1] if row else None,
                        "title": row[2] if row else None, "members": members}
        return out

    def save_links(self, docs: Sequence[dict], lines: dict[str, dict], features: dict[str, dict],
                   clusters: dict) -> None:
        """Write the cross-document results of one batch atomically.

        ``docs``: {id, duplicate_of, minhash, bands} for each article of the batch, and {id, duplicate_of} for
        each stored article whose original changed; ``lines``: article id → {outlet, keys (every line key),
        n: 1 for a new original, -1 for a stored original that became a near-duplicate (its lines stop
        counting, and it is clustered no more)};
        ``features``: id → {published, vector, entities, headline, words, component} for every re-clustered
        article; ``clusters``: {assign: {article: story}, stories: {id: {title, size, first, last, topic,
        canonical}}, topics: {id: {title, canonical, first, last}}, removed_stories, removed_topics,
        redirects: {old id: new id}, dirty: story ids whose timelines must be rebuilt}. (The batch's embeddings
        are a cache, kept as they are computed: ``link.embed.stored``.)
        """
        with self.transaction() as db:
            db.execute(_ENTITIES_STALE)  # the entity index counts originals only: near-duplicates change it
            new = [d for d in docs if "minhash" in d]
            before = self._done(db, "linked = 1", [d["id"] for d in new])  # re-linked: old bands go (lsh
            for d in docs:  # has no index by document, so an unconditional DELETE scans every band stored)
                if "minhash" not in d:  # a stored article re-pointed to its group's new original
                    db.execute("UPDATE documents SET duplicate_of = ? WHERE id = ?", (d["duplicate_of"], d["id"]))
                    continue
                db.execute("UPDATE documents SET duplicate_of = ?, minhash = ?, linked = 1 WHERE id = ?",
                           (d["duplicate_of"], d["minhash"], d["id"]))
                if d["id"] in before:
                    db.execute("DELETE FROM lsh WHERE document = ?", (d["id"],))
                db.executemany("INSERT INTO lsh (band, key, document) VALUES (?,?,?)",
                               [(i, key, d["id"]) for i, key in enumerate(d["bands"])])
            for doc_id, ln in lines.items():
                if ln.get("n", 1) < 0:
                    db.execute("DELETE FROM document_lines WHERE document = ?", (doc_id,))
                    db.execute("DELETE FROM features WHERE document = ?", (doc_id,))
                    if ln["outlet"]:
                        db.executemany("UPDATE link_lines SET n = n - 1 WHERE outlet = ? AND key = ?",
                                       [(ln["outlet"], k) for k in sorted(ln["keys"])])
                    continue
                db.executemany("INSERT OR IGNORE INTO document_lines VALUES (?, ?)",
                               [(k, doc_id) for k in sorted(ln["keys"])])
                if ln["outlet"]:
                    db.executemany("INSERT INTO link_lines VALUES (?, ?, 1) ON CONFLICT(outlet, key)"
                                   " DO UPDATE SET n = n + 1", [(ln["outlet"], k) for k in sorted(ln["keys"])])
            db.executemany(
                "INSERT OR REPLACE INTO features VALUES (?,?,?,?,?,?,?)",
                [(i, f["published"], f["vector"], json.dumps(f["entities"]), f["headline"], json.dumps(f["words"]),
                  f["component"]) for i, f in features.items()])
            for doc_id, story in clusters["assign"].items():
                db.execute("UPDATE documents SET story = ? WHERE id = ?", (story, doc_id))
                db.execute("UPDATE documents SET story = ? WHERE duplicate_of = ?", (story, doc_id))
            for d in docs:  # a duplicate of an article outside the re-clustered ones
                if d["duplicate_of"] is not None and d["duplicate_of"] not in clusters["assign"]:
                    db.execute("UPDATE documents SET story = (SELECT story FROM documents WHERE id = ?)"
                               " WHERE id = ?", (d["duplicate_of"], d["id"]))
            db.executemany("DELETE FROM stories WHERE id = ?", [(s,) for s in clusters["removed_stories"]])
            db.executemany("DELETE FROM topics WHERE id = ?", [(t,) for t in clusters["removed_topics"]])
            for sid, s in clusters["stories"].items():
                db.execute(
                    "INSERT INTO stories (id, title, title_score, centroid, size, first, last, topic, canonical)"
                    " VALUES (?,?,0,'{}',?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET title=excluded.title,"
                    " size=excluded.size, first=excluded.first, last=excluded.last, topic=excluded.topic,"
                    " canonical=excluded.canonical",
                    (sid, s["title"], s["size"], s["first"], s["last"], s["topic"], s["canonical"]))
            for tid, t in clusters["topics"].items():
                db.execute("INSERT OR REPLACE INTO topics (id, title, canonical, first, last) VALUES (?,?,?,?,?)",
                           (tid, t["title"], t["canonical"], t["first"], t["last"]))
            came_back = [(i,) for i in [*clusters["stories"], *clusters["topics"]]
                         if db.execute("SELECT 1 FROM redirects WHERE old = ?", (i,)).fetchone()]
            db.executemany("DELETE FROM redirects WHERE old = ?", came_back)  # an id that is live again
            for old, new in sorted(clusters["redirects"].items()):
                db.execute("UPDATE redirects SET new = ? WHERE new = ?", (new, old))  # no chains
                db.execute("INSERT OR REPLACE INTO redirects VALUES (?, ?)", (old, new))
            db.executemany("INSERT OR IGNORE INTO dirty_stories (story) VALUES (?)",
                           [(s,) for s in sorted(clusters["dirty"])])

    def reset_links(self, order: Sequence[str]) -> None:
        """Forget every cross-document result (duplicates, stories, topics, timelines) and queue the articles
        for linking again in ``order`` (ids; the others after them): the same corpus arriving in another
        order. The per-document annotations and the embeddings of texts are kept. (Used by ``storyline eval
        stories``.)"""
        with self.transaction() as db:
            for table in ("stories", "topics", "redirects", "features", "document_lines", "link_lines", "lsh",
                          "event_mentions", "events", "dirty_stories", "story_views", "stale_views"):
                db.execute(f"DELETE FROM {table}")
            db.execute("UPDATE documents SET linked = 0, story = NULL, duplicate_of = NULL WHERE annotated = 1")
            top = db.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]
            db.executemany("UPDATE documents SET seq = ? WHERE id = ?",
                           [(top + 1 + i, doc_id) for i, doc_id in enumerate(order)])

    def redirect(self, old_id: str) -> str | None:
        """Where a story or topic id that merged into another now lives (None: not a redirect)."""
        row = self.db.execute("SELECT new FROM redirects WHERE old = ?", (old_id,)).fetchone()
        return row[0] if row else None

    def dirty_stories(self) -> set[str]:
        """Stories linked to new documents whose timelines have not been rebuilt yet (an interrupted run)."""
        return {r[0] for r in self.db.execute("SELECT story FROM dirty_stories")}

    def replace_events(self, story_id: str, events: Sequence[Event], mention_ids: Sequence[Sequence[int]]) -> None:
        with self.transaction() as db:
            old = [r[0] for r in db.execute("SELECT id FROM events WHERE story = ?", (story_id,))]
            db.executemany("DELETE FROM event_mentions WHERE event = ?", [(e,) for e in old])
            db.execute("DELETE FROM events WHERE story = ?", (story_id,))
            for pos, (ev, mids) in enumerate(zip(events, mention_ids, strict=True)):
                db.execute("INSERT INTO events (id, story, date, last, granularity, summary, position, section)"
                           " VALUES (?,?,?,?,?,?,?,?)",
                           (ev.id, story_id, ev.date.isoformat(), _s(ev.last), ev.granularity, ev.summary, pos,
                            ev.section))
                db.executemany("INSERT OR IGNORE INTO event_mentions VALUES (?, ?)", [(ev.id, m) for m in mids])
            db.execute("DELETE FROM dirty_stories WHERE story = ?", (story_id,))
            db.execute("INSERT OR IGNORE INTO stale_views (story) VALUES (?)", (story_id,))

    # -- the read model ---------------------------------------------------------------------------
    def stale_views(self) -> set[str]:
        """Stories whose stored views are missing or older than their timeline."""
        return {r[0] for r in self.db.execute("SELECT story FROM stale_views")}

    def unfinished(self) -> bool:
        """Articles annotated but not linked, or stories whose views are stale: what a read finishes first."""
        return bool(self.count_pending("linked") or self.stale_views())

    def save_views(self, story_id: str, parts: dict[str, str], items: dict[str, list[str]] | None = None,
                   document_parts: tuple[str, dict[str, str]] | None = None) -> None:
        """Replace a story's views (JSON texts by part name) and lists (JSON texts by kind, in order) in one
        transaction; the story is then fresh. ``document_parts``: (part, JSON text by document) computed on
        the way, kept for the next time (see ``document_parts``)."""
        with self.transaction() as db:
            if document_parts:
                part, texts = document_parts
                db.executemany("INSERT OR REPLACE INTO document_parts (document, part, data) VALUES (?, ?, ?)",
                               [(doc, part, data) for doc, data in texts.items()])
                db.executemany("DELETE FROM document_parts WHERE document = ? AND part != ?",  # older versions
                               [(doc, part) for doc in texts])
            db.execute("DELETE FROM story_views WHERE story = ?", (story_id,))
            db.execute("DELETE FROM story_items WHERE story = ?", (story_id,))
            db.executemany("INSERT INTO story_views (story, part, data) VALUES (?, ?, ?)",
                           [(story_id, part, data) for part, data in parts.items()])
            db.executemany("INSERT INTO story_items (story, kind, idx, data) VALUES (?, ?, ?, ?)",
                           [(story_id, kind, i, data) for kind, rows in (items or {}).items()
                            for i, data in enumerate(rows)])
            db.execute("DELETE FROM stale_views WHERE story = ?", (story_id,))

    def document_parts(self, part: str, ids: Sequence[str]) -> dict[str, str]:
        """The stored ``part`` (JSON text) of each of these documents that has one (see migration 10)."""
        out: dict[str, str] = {}
        for chunk, marks in _in_batches(ids):
            rows = self.db.execute(f"SELECT document, data FROM document_parts WHERE part = ? AND document IN"
                                   f" ({marks})", (part, *chunk))
            out.update((r[0], r[1]) for r in rows)
        return out

    def view_items(self, story_id: str, kind: str, limit: int = -1, offset: int = 0) -> list[str]:
        """A page of one of a story's stored lists, as JSON texts in order."""
        rows = self.db.execute("SELECT data FROM story_items WHERE story = ? AND kind = ? AND idx >= ?"
                               " ORDER BY idx LIMIT ?", (story_id, kind, offset, limit))
        return [r[0] for r in rows]

    def count_view_items(self, story_id: str, kind: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM story_items WHERE story = ? AND kind = ?",
                               (story_id, kind)).fetchone()[0]

    def view(self, story_id: str, part: str) -> str | None:
        """One stored view of a story, as the JSON text it was saved as (None: no such story or part)."""
        row = self.db.execute("SELECT data FROM story_views WHERE story = ? AND part = ?",
                              (story_id, part)).fetchone()
        return row[0] if row else None

    def view_bytes(self, story_id: str, part: str) -> bytes | None:
        """One stored view as the UTF-8 bytes of its JSON text, as SQLite holds them (nothing decoded)."""
        row = self.db.execute("SELECT CAST(data AS BLOB) FROM story_views WHERE story = ? AND part = ?",
                              (story_id, part)).fetchone()
        return row[0] if row else None

    def views(self, story_id: str, parts: Sequence[str]) -> dict[str, str]:
        """Several views of a story from one state of the database (one statement)."""
        rows = self.db.execute(f"SELECT part, data FROM story_views WHERE story = ? AND part IN"
                               f" ({','.join('?' * len(parts))})", (story_id, *parts))
        return {r[0]: r[1] for r in rows}

    def story_documents(self, story_id: str, include_duplicates: bool = False) -> list[str]:
        sql = "SELECT id FROM documents WHERE story = ?"
        if not include_duplicates:
            sql += " AND duplicate_of IS NULL"
        sql += " ORDER BY COALESCE(published, '9999'), id"
        return [r[0] for r in self.db.execute(sql, (story_id,))]

    @staticmethod
    def _story_filter(q: str | None, outlet: str | None, since: str | None, until: str | None
                      ) -> tuple[str, list[object]]:
        """WHERE clause for stories: title contains ``q``, an article from ``outlet``, active in the period."""
        clauses, args = [], []
        if q:
            clauses.append(_CONTAINS.format("s.title"))
            args.append(q)
        if outlet:
            clauses.append("EXISTS (SELECT 1 FROM documents o WHERE o.story = s.id AND o.outlet = ?)")
            args.append(outlet)
        if since:
            clauses.append("COALESCE(s.last, s.first) >= ?")
            args.append(since)
        if until:
            clauses.append("COALESCE(s.first, s.last) <= ?")
            args.append(until)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def stories(self, limit: int = -1, offset: int = 0, q: str | None = None, outlet: str | None = None,
                since: str | None = None, until: str | None = None) -> list[dict]:
        """Story rows with counts, biggest first; filtered by title, outlet and period (publication dates)."""
        where, args = self._story_filter(q, outlet, since, until)
        sql = (
            "SELECT s.id, s.title, s.first, s.last, s.topic,"
            " COUNT(d.id) AS documents, COUNT(DISTINCT d.outlet) AS outlets,"
            " (SELECT COUNT(*) FROM events e WHERE e.story = s.id) AS events"
            " FROM stories s JOIN documents d ON d.story = s.id AND d.duplicate_of IS NULL"
            + where + " GROUP BY s.id ORDER BY documents DESC, s.last DESC, s.id LIMIT ? OFFSET ?"
        )
        return [dict(r) for r in self.db.execute(sql, (*args, limit, offset))]

    def topic_stories(self, topic_id: str) -> list[dict]:
        """The stories of one topic, as ``stories()`` rows, in that order."""
        return [r for r in self.stories() if r["topic"] == topic_id] if self.topic_row(topic_id) else []

    def topic_row(self, topic_id: str) -> dict | None:
        row = self.db.execute("SELECT id, title, first, last FROM topics WHERE id = ?", (topic_id,)).fetchone()
        return dict(row) if row else None

    def topics(self, limit: int = -1, offset: int = 0) -> list[dict]:
        """Topic rows with their story ids (largest first, as ``stories()``), most articles first."""
        rows = [dict(r) for r in self.db.execute(
            "SELECT t.id, t.title, t.first, t.last, COUNT(d.id) AS documents"
            " FROM topics t JOIN stories s ON s.topic = t.id"
            " JOIN documents d ON d.story = s.id AND d.duplicate_of IS NULL"
            " GROUP BY t.id ORDER BY documents DESC, t.last DESC, t.id LIMIT ? OFFSET ?", (limit, offset))]
        order: dict[str, list[str]] = {}
        for s in self.stories():
            order.setdefault(s["topic"], []).append(s["id"])
        for r in rows:
            r["stories"] = order.get(r["id"], [])
        return rows

    def count_topics(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT s.topic) FROM stories s"
                               " JOIN documents d ON d.story = s.id AND d.duplicate_of IS NULL").fetchone()[0]

    def count_stories(self, q: str | None = None, outlet: str | None = None, since: str | None = None,
                      until: str | None = None) -> int:
        """Number of stories ``stories(...)`` can return (those with a non-duplicate article)."""
        where, args = self._story_filter(q, outlet, since, until)
        sql = ("SELECT COUNT(DISTINCT s.id) FROM stories s"
               " JOIN documents d ON d.story = s.id AND d.duplicate_of IS NULL" + where)
        return self.db.execute(sql, args).fetchone()[0]

    def story_title(self, story_id: str) -> dict | None:
        """``{"id", "title", "topic"}`` of a story, or None when there is no such story."""
        row = self.db.execute("SELECT id, title, topic FROM stories WHERE id = ?", (story_id,)).fetchone()
        return dict(row) if row else None

    def story_fingerprint(self, story_id: str) -> str:
        """Changes whenever a story's inputs change: its articles, events, their mentions, its title, or its
        topic (the topic's title and stories, which its page lists)."""
        row = self.db.execute(
            "SELECT (SELECT COUNT(*) || ':' || COALESCE(MAX(seq), 0) FROM documents WHERE story = ?1),"
            " (SELECT group_concat(id) FROM (SELECT id FROM events WHERE story = ?1 ORDER BY position)),"
            " (SELECT COUNT(*) || ':' || COALESCE(SUM(em.mention), 0) FROM event_mentions em"
            "  JOIN events e ON e.id = em.event WHERE e.story = ?1),"
            " (SELECT title FROM stories WHERE id = ?1),"
            " (SELECT t.id || ':' || t.title FROM topics t JOIN stories s ON s.topic = t.id WHERE s.id = ?1),"
            " (SELECT group_concat(id || ':' || title) FROM (SELECT id, title FROM stories"
            "  WHERE topic = (SELECT topic FROM stories WHERE id = ?1) ORDER BY id)),"
            " (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COUNT(undone) FROM corrections)",
            (story_id,)).fetchone()
        return "|".join(str(v) for v in row)

    def data_version(self) -> int:
        """Changes whenever another connection commits (``PRAGMA data_version``)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def mention_events(self, story_id: str) -> dict[int, str]:
        """Mention id → timeline event id, for one story."""
        rows = self.db.execute(
            "SELECT em.mention, em.event FROM events e JOIN event_mentions em ON em.event = e.id"
            " WHERE e.story = ?", (story_id,))
        return {r[0]: r[1] for r in rows}

    def story(self, story_id: str) -> Story | None:
        with self.snapshot():  # its documents, events and mentions from one state, never half a rebuild
            return self._story(story_id)

    def _story(self, story_id: str) -> Story | None:
        row = self.db.execute("SELECT id, title FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        docs = self.story_documents(story_id)
        story = Story(id=row["id"], title=row["title"], documents=docs)
        mentions = {mid: m for mid, m in self.mentions(docs)} if docs else {}
        events: dict[str, Event] = {}
        marks = {(r[0], r[1]): r[2] for r in self.db.execute(
            "SELECT m.event, m.mark, m.correction FROM event_marks m JOIN events e ON e.id = m.event"
            " WHERE e.story = ?", (story_id,))}
        for r in self.db.execute("SELECT * FROM events WHERE story = ? ORDER BY position", (story_id,)):
            events[r["id"]] = Event(date.fromisoformat(r["date"]), r["granularity"], r["summary"], [],
                                    _d(r["last"]), r["id"], marks.get((r["id"], "pin")), r["section"])
        for r in self.db.execute(
            "SELECT em.event, em.mention FROM event_mentions em JOIN events e ON e.id = em.event"
            " WHERE e.story = ? ORDER BY em.mention", (story_id,)):
            if r[1] in mentions:
                events[r[0]].mentions.append(mentions[r[1]])
        story.events = [e for e in events.values() if (e.id, "hide") not in marks]
        story.hidden = [(e, marks[(e.id, "hide")]) for e in events.values() if (e.id, "hide") in marks]
        story.quotes = self.quotes(docs) if docs else []
        return story

    def story_of(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT story FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    # -- search and facets ----------------------------------------------------------------------
    @staticmethod
    def _fts_query(query: str) -> str | None:
        """Words only: user input is never FTS syntax. A part in double quotes is a phrase (its words in
        that order); every other word must occur somewhere in the sentence."""
        def words(text: str) -> list[str]:
            return "".join(c if c.isalnum() else " " for c in text).split()

        parts = query.split('"')
        terms: list[str] = []
        for i, part in enumerate(parts):
            if i % 2 and i < len(parts) - 1:  # inside a closed pair of quotes
                if ws := words(part):
                    terms.append('"' + " ".join(ws) + '"')
            else:
                terms.extend(f'"{t}"' for t in words(part))
        return " ".join(terms) if terms else None

    def _search_filter(self, filters: Mapping[str, object]) -> tuple[str, list[object]]:
        """Extra conditions on a search: outlet, since/until (publication dates), story, speaker (a quote
        in the sentence, speakers as corrected), entity (canonical names mentioned in the sentence)."""
        clauses, args = [], []
        if filters.get("outlet"):
            clauses.append("d.outlet = ?")
            args.append(filters["outlet"])
        if filters.get("since"):
            clauses.append("d.published >= ?")
            args.append(filters["since"])
        if filters.get("until"):
            clauses.append("d.published <= ?")
            args.append(filters["until"])
        if filters.get("story"):
            clauses.append("d.story = ?")
            args.append(filters["story"])
        if filters.get("topic"):  # topics group stories (when the clustering makes them)
            if self.has_column("stories", "topic"):
                clauses.append("d.story IN (SELECT id FROM stories WHERE topic = ?)")
                args.append(filters["topic"])
            else:
                clauses.append("0")
        if filters.get("speaker"):
            clauses.append(f"EXISTS (SELECT 1 FROM quotes q{_SPEAKER_JOIN} WHERE q.document = f.document"
                           f" AND q.sentence = f.idx AND {_CONTAINS.format(_SPEAKER)})")
            args.append(filters["speaker"])
        names = filters.get("entity")
        if names:
            names = list(names)  # type: ignore[call-overload]
            clauses.append("EXISTS (SELECT 1 FROM entities en WHERE en.document = f.document AND"
                           f" en.sentence = f.idx AND en.canonical IN ({','.join('?' * len(names))}))")
            args.extend(names)
        return "".join(" AND " + c for c in clauses), args

    def search(self, query: str, limit: int = 20, offset: int = 0, marks: tuple[str, str] = ("[", "]"),
               context: int = 12, sort: str = "relevance", **filters: object) -> list[dict]:
        """Full-text search over sentences; matches in ``snippet`` are wrapped in ``marks``. ``sort``:
        relevance (BM25) or date (newest first); ``filters``: see ``_search_filter``."""
        fts = self._fts_query(query)
        if fts is None:
            return []
        where, args = self._search_filter(filters)
        order = "COALESCE(d.published, '') DESC, rank" if sort == "date" else "rank"
        rows = self.db.execute(
            "SELECT f.document, f.idx, snippet(sentences_fts, 0, ?, ?, '…', ?) AS snippet,"
            " f.text, d.title, d.outlet, d.published, d.story"
            " FROM sentences_fts f JOIN documents d ON d.id = f.document"
            f" WHERE sentences_fts MATCH ?{where} ORDER BY {order} LIMIT ? OFFSET ?",
            (marks[0], marks[1], context, fts, *args, limit, offset),
        )
        return [dict(r) for r in rows]

    def count_search(self, query: str, **filters: object) -> int:
        fts = self._fts_query(query)
        if fts is None:
            return 0
        where, args = self._search_filter(filters)
        return self.db.execute("SELECT COUNT(*) FROM sentences_fts f JOIN documents d ON d.id = f.document"
                               f" WHERE sentences_fts MATCH ?{where}", (fts, *args)).fetchone()[0]

    def has_column(self, table: str, column: str) -> bool:
        return any(r[1] == column for r in self.db.execute(f"PRAGMA table_info({table})"))

    def outlet_order(self) -> list[str]:
        """Outlets in the order their first article was stored (new outlets only ever come last)."""
        rows = self.db.execute("SELECT outlet FROM documents WHERE outlet IS NOT NULL GROUP BY outlet"
                               " ORDER BY MIN(seq), outlet")
        return [r[0] for r in rows]

    def outlets(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT outlet, COUNT(*) AS documents, MIN(published) AS first, MAX(published) AS last"
            " FROM documents WHERE duplicate_of IS NULL GROUP BY outlet ORDER BY documents DESC, outlet")
        return [dict(r) for r in rows]

    # -- corrections (the log, and the overlay that applies it; see corrections.py) -----------------
    def add_correction(self, kind: str, args: dict, note: str | None = None) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO corrections (kind, args, note, created) VALUES (?,?,?,datetime('now'))",
                             (kind, json.dumps(args, ensure_ascii=False), note))
            return int(cur.lastrowid)  # type: ignore[arg-type]

    def undo_correction(self, correction_id: int) -> bool:
        """Mark a correction undone (kept in the log); False when there is no such active correction."""
        with self.transaction() as db:
            cur = db.execute("UPDATE corrections SET undone = datetime('now') WHERE id = ? AND undone IS NULL",
                             (correction_id,))
            return cur.rowcount > 0

    def corrections(self, include_undone: bool = False) -> list[dict]:
        sql = "SELECT * FROM corrections" + ("" if include_undone else " WHERE undone IS NULL") + " ORDER BY id"
        return [{**dict(r), "args": json.loads(r["args"])} for r in self.db.execute(sql)]

    def correction(self, correction_id: int) -> dict | None:
        r = self.db.execute("SELECT * FROM corrections WHERE id = ?", (correction_id,)).fetchone()
        return {**dict(r), "args": json.loads(r["args"])} if r else None

    def story_assignments(self) -> dict[str, tuple[str | None, str | None]]:
        """Every linked document: (story, duplicate_of)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT id, story, duplicate_of FROM documents WHERE linked = 1")}

    def story_overlay(self) -> dict[str, tuple[str | None, str, int]]:
        """Documents the overlay moved: document → (story clustering gave it, story applied, correction)."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute("SELECT * FROM story_overlay")}

    def event_keys(self, event_ids: Sequence[str]) -> dict[str, dict]:
        """What identifies an event across timeline rebuilds: its story, date and (document, sentence) keys."""
        out: dict[str, dict] = {}
        for eid in event_ids:
            row = self.db.execute("SELECT story, date, summary FROM events WHERE id = ?", (eid,)).fetchone()
            if row is None:
                continue
            keys = self.db.execute("SELECT m.document, m.sentence FROM event_mentions em JOIN mentions m"
                                   " ON m.id = em.mention WHERE em.event = ? ORDER BY m.id", (eid,)).fetchall()
            out[eid] = {"story": row[0], "date": row[1], "summary": row[2], "mentions": [list(k) for k in keys]}
        return out

    def events_with_mentions(self, day: str, keys: Sequence[Sequence]) -> list[str]:
        """Events of a timeline as it is now dated ``day`` with a mention in one of these sentences."""
        found: set[str] = set()
        for document, sentence in keys:
            found.update(r[0] for r in self.db.execute(
                "SELECT em.event FROM mentions m JOIN event_mentions em ON em.mention = m.id"
                " JOIN events e ON e.id = em.event WHERE m.document = ? AND m.sentence = ? AND e.date = ?",
                (document, sentence, day)))
        return sorted(found)

    def save_overlay(self, moves: Mapping[str, tuple[str | None, str, int]], stories: Mapping[str, str | None],
                     new_stories: Mapping[str, str], speakers: Mapping[str, tuple[str | None, int]]) -> None:
        """Write what the corrections overlay computed, in one transaction.

        ``moves``: document → (auto story, applied story, correction) for every document it moves (the
        table is replaced); ``stories``: document → story to set now (moves made and moves undone);
        ``new_stories``: stories made by splits (id → title); ``speakers``: 'name:<speaker>' or
        'quote:<document>:<start>' → (speaker, correction).
        """
        with self.transaction() as db:
            for sid, title in new_stories.items():
                db.execute("INSERT INTO stories (id, title, title_score, centroid, size) VALUES (?,?,1,'{}',0)"
                           " ON CONFLICT(id) DO UPDATE SET title = excluded.title", (sid, title))
            touched = set()
            for doc, story in stories.items():
                old = db.execute("SELECT story FROM documents WHERE id = ?", (doc,)).fetchone()
                touched.update(x for x in (old[0] if old else None, story) if x)
                db.execute("UPDATE documents SET story = ? WHERE id = ?", (story, doc))
            db.execute("DELETE FROM story_overlay")
            db.executemany("INSERT INTO story_overlay VALUES (?,?,?,?)",
                           [(d, a, b, c) for d, (a, b, c) in moves.items()])
            for sid in touched:  # publication span of the stories that gained or lost articles
                db.execute("UPDATE stories SET first = (SELECT MIN(published) FROM documents WHERE story = ?1),"
                           " last = (SELECT MAX(published) FROM documents WHERE story = ?1),"
                           " size = (SELECT COUNT(*) FROM documents WHERE story = ?1"
                           " AND duplicate_of IS NULL) WHERE id = ?1", (sid,))
            db.executemany("INSERT OR IGNORE INTO dirty_stories (story) VALUES (?)", [(t,) for t in touched])
            old_fixes = {r[0]: (r[1], r[2]) for r in db.execute("SELECT key, speaker, correction FROM speaker_fixes")}
            db.execute("DELETE FROM speaker_fixes")
            db.executemany("INSERT INTO speaker_fixes VALUES (?,?,?)",
                           [(k, v, c) for k, (v, c) in speakers.items()])
            for key in {k for k in old_fixes.keys() | speakers.keys() if old_fixes.get(k) != speakers.get(k)}:
                # the stories whose quotes read differently now: their stored views are stale
                kind, _, rest = key.partition(":")
                if kind == "name":
                    db.execute("INSERT OR IGNORE INTO stale_views (story) SELECT DISTINCT d.story FROM quotes q"
                               " JOIN documents d ON d.id = q.document WHERE q.speaker = ? AND d.story IS NOT NULL",
                               (rest,))
                else:
                    db.execute("INSERT OR IGNORE INTO stale_views (story) SELECT story FROM documents"
                               " WHERE id = ? AND story IS NOT NULL", (rest.rsplit(":", 1)[0],))
            db.execute("DELETE FROM stories WHERE id LIKE 'x%' AND id NOT IN"
                       " (SELECT DISTINCT story FROM documents WHERE story IS NOT NULL)")

    def save_event_marks(self, marks: Iterable[tuple[str, str, int]]) -> None:
        """Replace the events the overlay hides or pins: (event, 'hide' | 'pin', correction)."""
        marks = list(marks)
        with self.transaction() as db:
            before = {tuple(r) for r in db.execute("SELECT event, mark, correction FROM event_marks")}
            db.execute("DELETE FROM event_marks")
            db.executemany("INSERT OR REPLACE INTO event_marks VALUES (?,?,?)", marks)
            for event in {m[0] for m in before ^ set(marks)}:  # hidden or pinned, or no longer
                db.execute("INSERT OR IGNORE INTO stale_views (story) SELECT story FROM events WHERE id = ?",
                           (event,))

    def speaker_names(self) -> list[str]:
        """Every speaker as annotated (before corrections)."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT speaker FROM quotes WHERE speaker IS NOT NULL")]

    def quote_at(self, document: str, start: int) -> dict | None:
        r = self.db.execute("SELECT document, start, speaker, text FROM quotes WHERE document = ? AND start = ?",
                            (document, start)).fetchone()
        return dict(r) if r else None

    # -- entities across documents ----------------------------------------------------------------
    def entity_names(self) -> list[dict]:
        """Every canonical name with its label, mentions and articles (near-duplicates left out)."""
        rows = self.db.execute(
            "SELECT e.canonical AS name, e.label, COUNT(*) AS mentions, COUNT(DISTINCT e.document) AS documents"
            " FROM entities e JOIN documents d ON d.id = e.document AND d.duplicate_of IS NULL"
            " GROUP BY e.canonical, e.label")
        return [dict(r) for r in rows]

    def entity_index_fresh(self) -> bool:
        """Whether the stored entity index (``save_entity_index``) holds every annotation and link."""
        return self.meta("entity_index") == "fresh"

    def save_entity_index(self, entries: dict[str, dict], links: dict[tuple[str, str], str]) -> None:
        """Replace the stored entity index (id → its ``profiles.index`` entry) and its (model label, name) →
        id links; it is fresh until the next annotation or link is saved."""
        with self.transaction() as db:
            db.execute("DELETE FROM entity_index")
            db.execute("DELETE FROM entity_links")
            db.executemany("INSERT INTO entity_index (id, data) VALUES (?, ?)",
                           [(k, json.dumps(v, ensure_ascii=False)) for k, v in entries.items()])
            db.executemany("INSERT INTO entity_links (label, name, entity) VALUES (?, ?, ?)",
                           [(label, name, e) for (label, name), e in links.items()])
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('entity_index', 'fresh')")

    def stored_entity_index(self) -> dict[str, dict]:
        return {r[0]: json.loads(r[1]) for r in self.db.execute("SELECT id, data FROM entity_index ORDER BY id")}

    def entity_links_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The stored entity ids of these (model label, name) pairs (those that have one)."""
        out: dict[tuple[str, str], str] = {}
        for label, name in keys:
            row = self.db.execute("SELECT entity FROM entity_links WHERE label = ? AND name = ?",
                                  (label, name)).fetchone()
            if row:
                out[(label, name)] = row[0]
        return out

    def entity_mentions(self, names: Sequence[str]) -> list[dict]:
        """Where these canonical names occur: one row per mention, with its article's metadata."""
        rows = self.db.execute(
            "SELECT e.document, e.sentence, e.text, e.label, d.story, d.outlet, d.published, d.title"
            " FROM entities e JOIN documents d ON d.id = e.document AND d.duplicate_of IS NULL"
            f" WHERE e.canonical IN ({','.join('?' * len(names))})"
            " ORDER BY COALESCE(d.published, '9999'), e.document, e.start", tuple(names))
        return [dict(r) for r in rows]

    def entity_events(self, names: Sequence[str]) -> list[dict]:
        """Timeline events with a source sentence that names one of these canonical names (hidden ones out)."""
        rows = self.db.execute(
            "SELECT DISTINCT ev.id, ev.story, ev.date, ev.last, ev.granularity, ev.summary, s.title AS story_title"
            " FROM entities en JOIN mentions m ON m.document = en.document AND m.sentence = en.sentence"
            " JOIN event_mentions em ON em.mention = m.id JOIN events ev ON ev.id = em.event"
            " JOIN stories s ON s.id = ev.story"
            f" WHERE en.canonical IN ({','.join('?' * len(names))})"
            " AND NOT EXISTS (SELECT 1 FROM event_marks k WHERE k.event = ev.id AND k.mark = 'hide')"
            " ORDER BY ev.date, ev.id", tuple(names))
        return [dict(r) for r in rows]

    def integrity(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- watching: feeds, their items, follows and alerts ------------------------------------------
    def add_feeds(self, urls: Iterable[str], now: str) -> list[str]:
        """Configure feeds (already known ones are kept as they are); returns the URLs actually added."""
        added = []
        with self.transaction() as db:
            for url in urls:
                if db.execute("INSERT OR IGNORE INTO feeds (url, added) VALUES (?, ?)", (url, now)).rowcount:
                    added.append(url)
        return added

    def remove_feed(self, url: str) -> bool:
        """Stop watching a feed; the articles it brought stay stored."""
        with self.transaction() as db:
            return db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount > 0

    def feeds(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM feeds ORDER BY added, url")]

    def feed(self, url: str) -> dict | None:
        row = self.db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    _FEED_FIELDS = ("title", "last_fetch", "last_ok", "next_fetch", "status", "error", "etag", "last_modified",
                    "errors", "items", "stored")

    def update_feed(self, url: str, **fields: object) -> None:
        """Record one fetch of a feed: any of ``_FEED_FIELDS``; ``stored`` is added to the running count."""
        unknown = set(fields) - set(self._FEED_FIELDS)
        if unknown:
            raise ValueError(f"unknown feed fields: {sorted(unknown)}")
        sets = ", ".join(f"{k} = stored + ?" if k == "stored" else f"{k} = ?" for k in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE feeds SET {sets} WHERE url = ?", (*fields.values(), url))

    def feed_items(self, urls: Sequence[str]) -> dict[str, dict]:
        """What is known of these article URLs (canonical): status, document, attempts, next_try."""
        out: dict[str, dict] = {}
        for chunk, marks in _in_batches(urls):
            rows = self.db.execute(f"SELECT * FROM feed_items WHERE url IN ({marks})", chunk)
            out.update((r["url"], dict(r)) for r in rows)
        return out

    def record_items(self, items: Sequence[dict], now: str) -> None:
        """Upsert article URLs' fetch outcomes: {url, feed, status, document, error, next_try}; attempts count
        the failures."""
        with self.transaction() as db:
            for it in items:
                db.execute(
                    "INSERT INTO feed_items (url, feed, first_seen, status, document, attempts, error, next_try)"
                    " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET status = excluded.status,"
                    " document = COALESCE(excluded.document, document), error = excluded.error,"
                    " next_try = excluded.next_try, attempts = attempts + excluded.attempts",
                    (it["url"], it["feed"], now, it["status"], it.get("document"),
                     1 if it["status"] == "error" else 0, it.get("error"), it.get("next_try")))

    def count_items(self, status: str | None = None) -> int:
        if status is None:
            return self.db.execute("SELECT COUNT(*) FROM feed_items").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM feed_items WHERE status = ?", (status,)).fetchone()[0]

    def linked_seq(self) -> int:
        """The ingestion position (documents.seq) up to which every document is annotated and linked (or
        failed): what alerts may safely look at."""
        row = self.db.execute(
            "SELECT (SELECT MIN(seq) FROM documents WHERE annotated = 0 OR (annotated = 1 AND linked = 0)),"
            " (SELECT COALESCE(MAX(seq), 0) FROM documents)").fetchone()
        return row[0] - 1 if row[0] is not None else row[1]

    def add_follow(self, kind: str, value: str, now: str) -> dict:
        """Follow something from now on: only what is stored after this call raises alerts."""
        with self.transaction() as db:
            db.execute("INSERT INTO follows (kind, value, created, checked_seq) VALUES (?,?,?,?)"
                       " ON CONFLICT(kind, value) DO NOTHING", (kind, value, now, self.linked_seq()))
            return dict(db.execute("SELECT * FROM follows WHERE kind = ? AND value = ?", (kind, value)).fetchone())

    def follows(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM follows ORDER BY id")]

    def remove_follow(self, follow_id: int) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM follows WHERE id = ?", (follow_id,)).rowcount > 0

    def new_documents(self, after: int, upto: int, story: str | None = None) -> list[dict]:
        """Documents stored in (after, upto] of ingestion order: id, title, url, outlet, story, duplicate_of."""
        sql = ("SELECT id, title, url, outlet, story, duplicate_of, seq FROM documents WHERE seq > ? AND seq <= ?"
               " AND linked = 1")
        args: list[object] = [after, upto]
        if story is not None:
            sql += " AND story = ?"
            args.append(story)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY seq", args)]

    def new_events(self, story: str, after: int) -> list[dict]:
        """Timeline events of a story reported only by documents stored after ``after`` (new dates, not
        new sources for a known one), in timeline order."""
        rows = self.db.execute(
            "SELECT e.id, e.date, e.last, e.granularity, e.summary, group_concat(DISTINCT m.document) AS docs"
            " FROM events e JOIN event_mentions em ON em.event = e.id JOIN mentions m ON m.id = em.mention"
            " JOIN documents d ON d.id = m.document WHERE e.story = ?"
            " GROUP BY e.id HAVING MIN(d.seq) > ? ORDER BY e.position", (story, after))
        return [dict(r) | {"documents": sorted(r["docs"].split(","))} for r in rows]

    def story_outlets(self, story: str, upto: int) -> set[str]:
        """Outlets with an article (near-duplicates included) in a story among documents up to ``upto``."""
        rows = self.db.execute("SELECT DISTINCT outlet FROM documents WHERE story = ? AND seq <= ?"
                               " AND outlet IS NOT NULL", (story, upto))
        return {r[0] for r in rows}

    def stories_matching(self, query: str, after: int, upto: int | None = None,
                         among: Sequence[str] | None = None) -> set[str]:
        """Stories (of ``among``, when given) with a sentence matching every word of ``query`` in a document
        stored in (after, upto]."""
        fts = self._fts_query(query)
        if fts is None:
            return set()
        sql = ("SELECT DISTINCT d.story FROM sentences_fts f JOIN documents d ON d.id = f.document"
               " WHERE sentences_fts MATCH ? AND d.seq > ? AND d.story IS NOT NULL")
        args: list[object] = [fts, after]
        if upto is not None:
            sql += " AND d.seq <= ?"
            args.append(upto)
        if among is not None:
            if not among:
                return set()
            sql += f" AND d.story IN ({','.join('?' * len(among))})"
            args.extend(among)
        return {r[0] for r in self.db.execute(sql, args)}

    def new_quotes(self, speaker: str, after: int, upto: int) -> list[dict]:
        """Quotes whose speaker contains ``speaker`` in documents stored in (after, upto]."""
        rows = self.db.execute(
            "SELECT q.document, q.text, q.speaker, q.kind, d.story, d.outlet FROM quotes q"
            f" JOIN documents d ON d.id = q.document WHERE d.seq > ? AND d.seq <= ? AND {_CONTAINS.format('q.speaker')}"
            " ORDER BY d.seq, q.start",
            (after, upto, speaker))
        return [dict(r) for r in rows]

    def save_alerts(self, alerts: Sequence[dict], checked: dict[int, int], deliver: bool) -> list[int]:
        """Store the alerts of one check and move each follow's watermark, atomically: a check that is
        interrupted is redone whole, never half (no alert lost, none twice)."""
        ids = []
        with self.transaction() as db:
            for a in alerts:
                cur = db.execute(
                    "INSERT INTO alerts (follow, kind, story, title, events, documents, quotes, created, delivery)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (a.get("follow"), a["kind"], a.get("story"), a.get("title"), json.dumps(a.get("events", [])),
                     json.dumps(a.get("documents", [])), json.dumps(a.get("quotes", [])), a["created"],
                     "pending" if deliver else "none"))
                ids.append(cur.lastrowid)
            db.executemany("UPDATE follows SET checked_seq = ? WHERE id = ?", [(s, f) for f, s in checked.items()])
        return ids

    @staticmethod
    def _alert(row: sqlite3.Row) -> dict:
        out = dict(row)
        for key in ("events", "documents", "quotes"):
            out[key] = json.loads(out[key])
        return out

    def alerts(self, limit: int = 50, offset: int = 0, story: str | None = None, after: int = 0) -> list[dict]:
        """Alerts, newest first (``after``: only those with a larger id, oldest first, for streaming)."""
        sql, args = "SELECT * FROM alerts WHERE id > ?", [after]
        if story is not None:
            sql += " AND story = ?"
            args.append(story)
        sql += " ORDER BY id " + ("ASC" if after else "DESC") + " LIMIT ? OFFSET ?"
        return [self._alert(r) for r in self.db.execute(sql, (*args, limit, offset))]

    def count_alerts(self, story: str | None = None) -> int:
        if story is None:
            return self.db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM alerts WHERE story = ?", (story,)).fetchone()[0]

    def alerts_to_deliver(self, now: str, limit: int = 100) -> list[dict]:
        rows = self.db.execute("SELECT * FROM alerts WHERE delivery = 'pending' AND (next_try IS NULL OR"
                               " next_try <= ?) ORDER BY id LIMIT ?", (now, limit))
        return [self._alert(r) for r in rows]

    def mark_delivery(self, alert_id: int, delivery: str, next_try: str | None = None,
                      error: str | None = None) -> None:
        """After a webhook attempt: 'sent', 'pending' again (with when to retry) or 'failed' (gave up)."""
        with self.transaction() as db:
            db.execute("UPDATE alerts SET delivery = ?, attempts = attempts + 1, next_try = ?, delivery_error = ?"
                       " WHERE id = ?", (delivery, next_try, error, alert_id))
