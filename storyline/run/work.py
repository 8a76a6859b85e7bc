"""What every engine shares (the local pool in ``pipeline`` and ``ray_engine``): the batch size, the run
report, the default number of workers, the next documents to annotate (without their outlet's furniture)
and what of them the linker will embed, the per-document work, and the fallback for a batch that failed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..analysis import compare
from ..annotate.document import annotate_batch
from ..ingest import furniture
from ..ingest.furniture import Furniture, line_digests
from ..link import embed
from ..link.stories import embed_text
from ..model import Analysis, Document, ReadError
from ..store import Store
from ..text import line_spans

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


def analyse_batch(docs: list[Document], to_embed: Mapping[str, str] | None = None) -> list[Analysis]:
    """The per-document work of a batch, as the workers run it: the annotations, what the read model
    needs of each article alone (``compare.document_parts``: its claim sentences and framing, which take a
    dependency parse), and the vector of the text the linker will compare (``to_embed``: document id →
    that text, ``lead_texts``). Computed here, the parts and vectors spread over the workers with the
    annotation, instead of being computed one story (or one link batch) at a time by the driver, which
    reads them back from the store: on a normal run the driver never loads the sentence encoder."""
    analyses = annotate_batch(docs)
    parts = compare.document_parts([a.document for a in analyses], {a.document.id: a.sentences for a in analyses},
                           [q for a in analyses for q in a.quotes])
    for a in analyses:
        a.parts[compare.DOCUMENT_PART] = as_json(parts[a.document.id])
    texts = sorted({to_embed[a.document.id] for a in analyses if a.document.id in to_embed} if to_embed else ())
    vectors = dict(zip(texts, embed.embed(texts), strict=True))
    for a in analyses:
        if to_embed and (text := to_embed.get(a.document.id)) is not None:
            a.embeddings[embed.text_hash(text)] = vectors[text].tobytes()
    return analyses


def lead_texts(store: Store, docs: list[Document]) -> dict[str, str]:
    """What the linker will embed of each document (``stories.embed_text``: its usable headline and lead,
    less the lines that are its outlet's furniture for linking). Which lines those are, the linker decides
    from the articles linked by then; the store's tallies of every stored document (``outlet_lines``) tell
    it beforehand for all but the odd line, and where the guess is wrong the linker embeds the text itself
    (a cache miss: the same result, a little later)."""
    least = furniture.LINK_MIN_ARTICLES
    counts = {o: store.outlet_lines(o, least)[1] for o in {d.outlet for d in docs if d.outlet}}
    out = {}
    for doc in docs:
        known = counts.get(doc.outlet or "", {})
        lines = [doc.text[a:b] for a, b in line_spans(doc.text)] + ([doc.title] if doc.title else [])
        likely = {furniture.line_digest(line) for line in lines
                  if known.get(furniture.line_key(line) or "", 0) >= least}
        out[doc.id] = embed_text(doc, {k for k in likely if k})
    return out


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
    changed, removed = {}, {}
    for doc in docs:
        text = furniture.strip(doc.outlet, doc.text)
        if text != doc.text:
            removed[doc.id] = line_digests(doc.text) - line_digests(text)
            doc.text = changed[doc.id] = text
    store.replace_texts(changed, removed)
    return docs


def pending_articles(store: Store, limit: int) -> list[Document]:
    """The next documents to annotate, in ingestion order, without their outlet's furniture."""
    return without_furniture(store, store.pending("annotated", limit=limit))
