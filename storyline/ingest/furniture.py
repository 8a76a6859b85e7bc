"""Outlet furniture: the lines an outlet prints on many of its pages whatever the story — share prompts,
newsletter promos, "more from" lists, bylines, standing credits — learnt per outlet. The one implementation
of the concept: one line splitter (``text.line_spans``), one line key, and the two rules that use them.

One page cannot tell its furniture from its story; an outlet's pages together can: a line that recurs
word for word (case, punctuation and digits aside) across the outlet's documents is the outlet's, not the
story's. The rules generic to every site (lone "Share", "Read more: ...", donation appeals) live in
``ingest.metadata.clean_text``; this module finds the ones particular to an outlet.

Two rules, because the two uses err differently:

* **Stored text** (``Furniture``, ``MIN_DOCUMENTS``/``MIN_SHARE``): a line is deleted from the text kept
  for annotation when it is in at least 4 of an outlet's documents *and* 20% of them, and has at most
  ``MAX_WORDS`` words. Deleting is lossy, so the rule is strict: one developing story's background
  paragraph, repeated in a few of its articles, must survive. Counts come from every document ingested
  (the store tallies them in ``outlet_lines``), so the rule may change as an outlet's pages arrive.
* **Story linking** (``LINK_MIN_ARTICLES``): a line only stops weighing in similarity (and being a
  title) once 3 different non-duplicate articles of the outlet hold it, at any length. Nothing is
  deleted, so the rule can be eager; it is monotone in the count (the linker keeps ``link_lines`` and
  re-derives the articles a line newly reaches), so stories never depend on arrival order.

API (pure; no I/O — counts come from the store or from a pass over a batch):

* ``line_key(line)`` — the normalised form lines are counted and compared by (None: a line without words);
  ``line_digest(line)`` — the same key as the linker stores it (fixed width);
* ``line_keys(text)`` — the keys of a document's lines the stored-text rule counts, each once;
* ``Furniture(counts, documents)`` — an index over outlets: ``is_furniture(outlet, line)``,
  ``strip(outlet, text)``; ``Furniture.learn(docs)`` counts a batch of ``Document``s directly;
  ``Furniture.from_store(store, outlets)`` reads the store's tallies.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..text import line_spans

if TYPE_CHECKING:
    from ..model import Document
    from ..store import Store

# The stored-text rule (see the module docstring for why it is stricter than the linking rule)
MIN_DOCUMENTS = 4  # a line must recur in this many of an outlet's documents...
MIN_SHARE = 0.2  # ...and in this share of them (a background paragraph of one developing story does not)
MAX_WORDS = 40  # longer lines are prose: an outlet's standing paragraph is rare, a reused background common
MAX_STRIPPED = 0.5  # a document losing more than this share of its words is kept whole (versions of one article)
_NON_WORD = re.compile(r"[\W_]+")


# The linking rule: a line of this many different articles of one outlet is furniture for story linking
LINK_MIN_ARTICLES = 3


def line_key(line: str) -> str | None:
    """Case-folded words with digits as 0 ("Updated: 12:30" ~ "updated 09:15"); None for a line without
    words or digits."""
    words = _NON_WORD.sub(" ", re.sub(r"\d", "0", line.casefold())).split()
    return " ".join(words) if words else None


def line_digest(line: str) -> str | None:
    """``line_key`` as the linker stores it: a fixed-width hash, as its tables hold every line of every
    article (the stored-text tallies keep the key itself: they hold only lines of up to ``MAX_WORDS``)."""
    key = line_key(line)
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16] if key else None


def line_digests(text: str) -> set[str]:
    """The linker's keys (``line_digest``) of a text's lines, each once."""
    return {k for a, b in line_spans(text) if (k := line_digest(text[a:b]))}


def line_keys(text: str) -> set[str]:
    """The keys of a text's lines that the stored-text rule counts (up to ``MAX_WORDS`` words), each once
    per document."""
    return {k for a, b in line_spans(text) if (k := _short_key(text[a:b]))}


def _short_key(line: str) -> str | None:
    """The key of a line the stored-text rule may delete: None for longer lines, which are prose."""
    key = line_key(line)
    return key if key and key.count(" ") < MAX_WORDS else None


class Furniture:
    """Recurring lines per outlet: ``counts[outlet][key]`` documents hold the line, of ``documents[outlet]``."""

    def __init__(self, counts: Mapping[str, Mapping[str, int]], documents: Mapping[str, int]) -> None:
        self.counts = counts
        self.documents = documents

    @classmethod
    def learn(cls, docs: Iterable[Document]) -> Furniture:
        """Count a batch of documents (a pass over the batch; the store keeps the same tallies)."""
        counts: dict[str, Counter[str]] = {}
        documents: Counter[str] = Counter()
        for doc in docs:
            if doc.outlet:
                documents[doc.outlet] += 1
                counts.setdefault(doc.outlet, Counter()).update(line_keys(doc.text))
        return cls(counts, documents)

    @classmethod
    def from_store(cls, store: Store, outlets: Iterable[str]) -> Furniture:
        """The store's tallies for these outlets (every document stored since the tallies began)."""
        counts, documents = {}, {}
        for outlet in set(outlets):
            documents[outlet], counts[outlet] = store.outlet_lines(outlet, _threshold(0))
        return cls(counts, documents)

    def is_furniture(self, outlet: str | None, line: str) -> bool:
        """Does ``line`` recur across ``outlet``'s pages (in ``MIN_DOCUMENTS`` and ``MIN_SHARE`` of them)?"""
        if not outlet or not (key := _short_key(line)):
            return False
        n = self.documents.get(outlet, 0)
        return self.counts.get(outlet, {}).get(key, 0) >= _threshold(n)

    def strip(self, outlet: str | None, text: str) -> str:
        """``text`` without the outlet's furniture lines (unchanged when that would take most of it)."""
        lines = text.split("\n")
        keep = [line for line in lines if not self.is_furniture(outlet, line)]
        if len(keep) == len(lines):
            return text
        dropped = sum(len(line.split()) for line in lines) - sum(len(line.split()) for line in keep)
        if dropped > MAX_STRIPPED * len(text.split()):
            return text
        return re.sub(r"\n{3,}", "\n\n", "\n".join(keep)).strip()


def _threshold(documents: int) -> int:
    return max(MIN_DOCUMENTS, math.ceil(MIN_SHARE * documents - 1e-9))
