"""Content words and TF-IDF: the one tokeniser and the one term weighting shared by story clustering, event
merging, key dates, claims and summaries."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import snowballstemmer

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)  # a word: letters, inner apostrophes and hyphens
# A word as names and headlines write it: a letter first, inner dots kept ("U.S.", "St.", "Jr.").
NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_stemmer = snowballstemmer.stemmer("english")
# News boilerplate verbs and fillers that say nothing about what happened.
EXTRA_STOP = {"said", "say", "says", "told", "tell", "according", "also", "would", "could", "year", "time",
              "mr", "mrs", "ms", "percent", "new", "one", "two", "last", "first"}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def line_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of a text's non-blank lines (split at every newline): the one line splitter, for
    sentence splitting (a sentence never crosses a line) and outlet furniture (lines are what recur)."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def folded_words(text: str) -> list[str]:
    """Case-folded runs of letters and digits: for comparing two spellings of one headline."""
    return re.findall(r"\w+", text.casefold())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words and ``EXTRA_STOP``. Loaded on first use: importing spaCy takes seconds,
    and the ingest stage and the read side use this module's tokens without ever needing it."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | EXTRA_STOP


def content_terms(text: str) -> list[str]:
    """Lower-cased, stemmed words that are not stop words (order kept, duplicates kept)."""
    stop = stop_words()
    out = []
    for w in WORD.findall(text):
        lw = w.lower().replace("’", "'")
        if lw.endswith("'s"):
            lw = lw[:-2]
        if len(lw) < 2 or lw in stop:
            continue
        out.append(stem(lw))
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# -- TF-IDF ---------------------------------------------------------------------------------------------
# One weighting everywhere: sublinear term frequency (1 + ln tf) × smoothed IDF (ln((n + 1) / (df + 1)) + 1,
# df counted once per text), L2-normalised, over ``content_terms``. ``TermWeights`` gives one text's vector
# as a dict (cheap to build one at a time and to sum into centroids: event merging, key dates);
# ``tfidf_matrix`` gives a whole set's as sparse rows (claims, summaries), through scikit-learn configured to
# the same formula (a test checks that the two agree).

Vector = dict[str, float]


class TermWeights:
    """IDF over a set of texts, and TF-IDF vectors of texts (or of term lists) weighted with it.

    ``unseen`` is the IDF of a term none of the texts holds; by default the smoothed maximum (a rare term
    says much). Event merging passes 1.0: its only unseen terms are fragments left by cutting the date out
    of a word ("mid" of "mid-July"), which say nothing of what happened."""

    def __init__(self, texts: Iterable[str] = (), unseen: float | None = None) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        self.unseen = unseen
        for t in texts:
            self.df.update(set(content_terms(t)))
            self.n += 1

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        if not df and self.unseen is not None:
            return self.unseen
        return math.log((self.n + 1) / (df + 1)) + 1

    def vector(self, text: str) -> Vector:
        return self.term_vector(content_terms(text))

    def term_vector(self, terms: Iterable[str]) -> Vector:
        """The unit TF-IDF vector of a list of terms (as ``content_terms`` gives them, repeats counted)."""
        counts = Counter(terms)
        return unit({t: (1 + math.log(c)) * self.idf(t) for t, c in counts.items()})


def unit(v: Mapping[str, float]) -> Vector:
    """``v`` scaled to length 1 (an empty vector stays empty)."""
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two sparse vectors (neither needs to be unit: centroids are sums)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def tfidf_matrix(texts: Sequence[str], reweight: Mapping[str, float] | None = None,
                 terms: Sequence[Sequence[str]] | None = None) -> csr_matrix:
    """The TF-IDF rows of ``texts`` (IDF fitted on them), L2-normalised: ``TermWeights(texts).vector(t)`` for
    every text as one sparse matrix. ``reweight`` scales some terms' columns before normalising (claims
    weigh names less); ``terms``: each text's ``content_terms`` when known already (stored per article).
    scikit-learn is imported here, not at start: the CLI's read commands never need it."""
    from scipy.sparse import csr_matrix, diags
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    if not texts:
        return csr_matrix((0, 0))
    # smooth_idf and l2 are its defaults; known terms: rows by number, each analysed as its terms
    vec = TfidfVectorizer(analyzer=content_terms if terms is None else terms.__getitem__, sublinear_tf=True)
    try:
        x = vec.fit_transform(texts if terms is None else range(len(texts))).tocsr()
    except ValueError:  # no content word at all
        return csr_matrix((len(texts), 1))
    if reweight is not None:
        weights = [reweight.get(term, 1.0) for term in vec.get_feature_names_out()]
        x = normalize(x @ diags(weights)).tocsr()
    return x
