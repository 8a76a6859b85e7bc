"""Outlet furniture: the lines an outlet prints on many of its pages whatever the story — share prompts,
newsletter promos, "more from" lists, standing credits — learnt per outlet, so they can be dropped from
stored text and ignored when comparing articles.

One page cannot tell its furniture from its story; an outlet's pages together can: a line that recurs
word for word (digits aside) across a good share of one outlet's documents is the outlet's, not the
story's. The rules generic to every site (lone "Share", "Read more: ...", donation appeals) live in
``ingest.metadata.clean_text``; this module finds the ones particular to an outlet.

API (pure; no I/O — counts come from the store, which tallies every new document's lines when it stores
it, or from a pass over a batch):

* ``line_key(line)`` — the normalised form lines are counted and compared by (None: never furniture);
* ``line_keys(text)`` — the keys of a document's lines, each once;
* ``Furniture(counts, documents)`` — an index over outlets: ``is_furniture(outlet, line)``,
  ``strip(outlet, text)``; ``Furniture.learn(docs)`` counts a batch of ``Document``s directly;
  ``Furniture.from_store(store, outlets)`` reads the store's tallies.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Document
    from ..store import Store

MIN_DOCUMENTS = 4  # a line must recur in this many of an outlet's documents...
MIN_SHARE = 0.2  # ...and in this share of them (a background paragraph of one developing story does not)
MAX_WORDS = 40  # longer lines are prose: an outlet's standing paragraph is rare, a reused background common
MAX_STRIPPED = 0.5  # a document losing more than this share of its words is kept whole (versions of one article)
_NON_WORD = re.compile(r"[\W_]+")


def line_key(line: str) -> str | None:
    """Case-folded words with digits as 0 ("Updated 12:30" ~ "Updated 09:15"); None for blank lines and
    lines longer than ``MAX_WORDS`` words."""
    words = _NON_WORD.sub(" ", re.sub(r"\d", "0", line.casefold())).split()
    if not words or len(words) > MAX_WORDS:
        return None
    return " ".join(words)


def line_keys(text: str) -> set[str]:
    """The keys of a text's lines, each counted once per document."""
    return {k for line in text.splitlines() if (k := line_key(line))}


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
        if not outlet or not (key := line_key(line)):
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
