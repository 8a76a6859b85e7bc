"""Outlet furniture: lines that recur in one outlet's articles whatever they are about.

Bylines, section names, credit and share lines, newsletter promos and page templates repeat, word for word
(digits aside), across an outlet's articles; reporting does not. A line is furniture for an outlet once
``MIN_ARTICLES`` different (non-duplicate) articles of that outlet hold it. Such lines carry no weight in
story similarity, and a headline that is one is no headline. Lines are compared by a key (lower-cased,
digits and spacing folded), so "Updated 11:50 GMT" and "Updated 09:05 GMT" are one line.

The rule depends on the corpus (a line becomes furniture when its third article arrives): the linker keeps
the counts in the store and re-derives the features of the articles holding a line that just became
furniture, so the stories of a corpus still do not depend on the order its articles came in.
"""

from __future__ import annotations

import hashlib
import re

from ..annotate.nlp import paragraphs

MIN_ARTICLES = 3
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def line_key(line: str) -> str:
    folded = _SPACE.sub(" ", _DIGITS.sub("0", line.casefold())).strip()
    return hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of each non-empty line of a text."""
    return [(a, b, line_key(text[a:b])) for a, b in paragraphs(text)]
