"""The one data model every stage reads and writes.

Everything a user sees points back to a sentence of a document: that is what makes provenance
possible, so every record below carries the document id and the sentence index it came from.
Offsets are character offsets into ``Document.text`` (the cleaned text that is stored).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

# Where a document's publication date or outlet came from: never invented, always explained.
SOURCES = ("metadata", "text", "url", "unknown")
GRANULARITIES = ("day", "month", "year")


def content_hash(text: str) -> str:
    """Hash of the whitespace-normalised text: the key that makes ingestion idempotent."""
    norm = re.sub(r"\s+", " ", text).strip().lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


UNDATED = "9999-12-31"


def order_key(published: date | None, doc_id: str) -> tuple[str, str]:
    """The canonical order of articles, (published, id), undated last: of several copies of one text, the
    first in this order is the one stored (and the original of a near-duplicate group)."""
    return (published.isoformat() if published else UNDATED, doc_id)


SECTIONS = ("story", "background", "expected")  # a timeline event's section, in the order pages show them


@dataclass(slots=True)
class Document:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_source: str = "unknown"
    published: date | None = None
    published_source: str = "unknown"
    path: str | None = None
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = content_hash(self.text)


@dataclass(slots=True)
class ReadError:
    """A piece of input that could not be read; ``where`` names the file (and line)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(slots=True)
class Sentence:
    document: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(slots=True)
class TimeExpr:
    """A temporal expression resolved to calendar dates.

    ``start``/``end`` are offsets in the text that was given to the date resolver; ``value`` is the
    first day covered and ``last`` the last day of a range ("January 9-10" → last = Jan 10), or None.
    """

    start: int
    end: int
    text: str
    value: date
    granularity: str = "day"
    last: date | None = None


@dataclass(slots=True)
class Entity:
    document: str
    sentence: int
    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP
    canonical: str = ""


@dataclass(slots=True)
class Quote:
    document: str
    sentence: int  # index of the sentence the quote starts in
    start: int
    end: int
    text: str  # the quoted words, without quotation marks
    speaker: str | None  # canonical name ("Dmitry Peskov"), None when unknown
    speaker_text: str | None = None  # as written at the cue ("he", "Peskov", "the Kremlin")
    cue: str | None = None  # the speech verb ("said", "explained")
    kind: str = "direct"  # direct | partial | indirect
    corrected: int | None = None  # the correction that changed its speaker (``corrections``), if any
    speaker_was: str | None = None  # the speaker as annotated, when a correction changed it


@dataclass(slots=True)
class Mention:
    """One sentence that anchors something to a date: the raw material of timeline events."""

    document: str
    sentence: int
    text: str  # the sentence
    date: date
    granularity: str = "day"
    last: date | None = None
    time_text: str = ""


@dataclass(slots=True)
class Event:
    date: date
    granularity: str
    summary: str
    mentions: list[Mention] = field(default_factory=list)
    last: date | None = None
    id: str = ""
    pinned: int | None = None  # the correction that pinned it as a key event, if any
    section: str = "story"  # "story" (the story's own period), "background" (earlier) or "expected" (ahead)

    @property
    def documents(self) -> list[str]:
        return sorted({m.document for m in self.mentions})


@dataclass(slots=True)
class Story:
    id: str
    title: str
    documents: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    hidden: list[tuple[Event, int]] = field(default_factory=list)  # events a correction hid, with its id


@dataclass(slots=True)
class Analysis:
    """What the per-document stages produce for one document (a pure function of it)."""

    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # What a story's views need of this article alone (part name -> JSON text, ``run.work.analyse_batch``):
    # computed where the article is annotated, so the driver's views never parse it.
    parts: dict[str, str] = field(default_factory=dict)
    # Vectors the linker will compare (text hash -> float32 bytes, ``link.embed``), computed in the annotation
    # workers in parallel, so the driver finds them stored and need not load the encoder.
    embeddings: dict[str, bytes] = field(default_factory=dict)
