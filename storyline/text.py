"""Content words for similarity: the one tokeniser shared by story clustering, event merging and comparison."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)  # a word: letters, inner apostrophes and hyphens
_stemmer = snowballstemmer.stemmer("english")
# News boilerplate verbs and fillers that say nothing about what happened.
EXTRA_STOP = {"said", "say", "says", "told", "tell", "according", "also", "would", "could", "year", "time",
              "mr", "mrs", "ms", "percent", "new", "one", "two", "last", "first"}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def content_terms(text: str) -> list[str]:
    """Lower-cased, stemmed words that are not stop words (order kept, duplicates kept)."""
    out = []
    for w in WORD.findall(text):
        lw = w.lower().replace("’", "'")
        if lw.endswith("'s"):
            lw = lw[:-2]
        if len(lw) < 2 or lw in STOP_WORDS or lw in EXTRA_STOP:
            continue
        out.append(stem(lw))
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
