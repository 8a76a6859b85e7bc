"""Framing: how an outlet words a story in its own voice, every finding pointing at its sentence.

Methods (each a small, testable rule; no trained classifier):

1. **Own voice only.** Words inside quotation marks, and inside the spans the quote extractor attributed
   to a speaker (direct, partial and indirect quotes), belong to the speaker, not to the outlet, so they
   are masked before anything else is looked at. "Peskov said the meeting was extremely important" is
   Peskov's judgement; "Putin, who has invaded Ukraine" is the outlet's.
2. **Lexicon** (``data/loaded_terms.tsv``, sources in ``data/README.md``): contentious labels ("regime",
   "propaganda"), expressions of doubt ("so-called", "self-proclaimed"), evaluative adjectives and
   adverbs ("brutal", "blatantly"), accusations ("invaded", "violated") and loaded attribution verbs
   ("claimed", "admitted", "insisted"), mostly from Wikipedia's Manual of Style "Words to watch" and
   the bias cues of Recasens et al. (2013). Single words match by Snowball stem, except adverbs in
   "-ly" (the stem of "supposedly" is that of "suppose") and multi-word terms, which match as written.
3. **Patterns on the dependency parse**, run only on candidate sentences (a lexicon hit or a hyphenated
   "<Name>-aligned/-backed/-linked" or "pro-/anti-<Name>" label in the outlet's own words; an epithet
   needs a lexicon hit inside its clause, so other sentences cannot hold one):

   - ``epithet``: a non-restrictive relative clause or appositive (set off by a comma) attached to a
     named actor (PERSON, ORG, NORP, GPE or a proper noun) that carries an accusation, a label or an
     evaluative word: "Vladimir Putin, who has invaded Ukraine and violated the international order".
   - ``label``: a hyphenated affiliation label and the noun it modifies ("Kremlin-aligned news
     outlets", "Iran-backed militia", "pro-Kremlin media"), or a label noun with its noun phrase
     ("the Assad regime").
   - ``doubt``: "so-called" and kin with the phrase they question ("so-called "security guarantees"").
   - ``evaluative``: an evaluative word with the word it modifies ("brutal crackdown").
   - ``attribution``: a loaded speech verb used as a verb, with its subject ("Moscow claimed").

4. **Attribution verbs and speakers** come from the stored quotes: each quote's cue ("said",
   "stressed") is counted per outlet, and each speaker's number of quotes and quoted words.

Accusations are only looked at inside epithet clauses: in a main clause ("Russia invaded Ukraine on
24 February") they usually report what happened rather than characterise an actor.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from spacy.tokens import Doc, Token

from ..annotate.nlp import parse
from ..model import Quote, Sentence
from ..text import stem

ACTOR_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
KINDS = ("epithet", "label", "doubt", "evaluative", "attribution")
_CLAUSE_DEPS = {"relcl", "appos", "acl"}

_AFFILIATION = (r"aligned|backed|linked|controlled|sponsored|funded|leaning|friendly|allied|affiliated|"
                r"installed|appointed|loyal|dominated|run|owned")
# "<Name>-aligned", "state-run"; "pro-Kremlin", "anti-Western". Lower-case prefixes other than "state" or
# "government" ("family-owned", "well-funded") describe, they do not align an actor.
HYPHEN_LABEL = re.compile(
    rf"\b(?:[A-Z][\w.]*|state|government|regime)-(?:{_AFFILIATION})\b|\b(?:pro|anti)-[A-Z][\w-]*"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Quotation pairs: straight, curly, guillemets, low-high; a single curly quote only opens after a space.
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|„[^“”]*[“”]|(?:(?<=\s)|^)‘[^’]*’(?!\w)")


@dataclass(frozen=True, slots=True)
class Lexicon:
    stems: dict[str, tuple[tuple[str, str], ...]]  # stem -> ((term, category), ...)
    phrases: tuple[tuple[re.Pattern[str], str, str], ...]  # (pattern, term, category)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load ``data/loaded_terms.tsv`` once: single words by stem, the rest as whole-phrase patterns."""
    stems: dict[str, tuple[tuple[str, str], ...]] = {}
    phrases = []
    text = files("storyline").joinpath("data/loaded_terms.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, category, _source = line.split("\t")
        if re.fullmatch(r"[a-z]+", term) and not term.endswith("ly"):
            stems[stem(term)] = (*stems.get(stem(term), ()), (term, category))
        else:
            pat = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", term))) + r"\b", re.I)
            phrases.append((pat, term, category))
    return Lexicon(stems, tuple(phrases))


@dataclass(slots=True)
class Finding:
    kind: str  # one of KINDS
    phrase: str  # the words as written
    document: str
    sentence: int  # sentence index in the document
    text: str  # the whole sentence
    target: str | None = None  # the actor or thing the wording attaches to
    term: str = ""  # the lexicon term or pattern that fired

    def as_dict(self) -> dict:
        return {"kind": self.kind, "phrase": self.phrase, "sentence": self.text, "document": self.document,
                "sentence_index": self.sentence, "target": self.target, "term": self.term}


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside quotation marks, marks included.

    A quote left open runs to the end of the sentence and one closed without an opening starts at its
    beginning: multi-sentence quotes are split across sentences. A lone straight quote is an opening one
    when a word follows it and a closing one when a word precedes it.
    """
    spans = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    for i, c in enumerate(text):
        if c not in "\"“”«»" or any(s <= i < e for s, e in spans):
            continue
        before = text[i - 1] if i else " "
        opening = c in "“«" or (c == '"' and (before.isspace() or before in "([—–-:") and
                                  text[i + 1 : i + 2].strip() != "")
        spans.append((i, len(text)) if opening else (0, i + 1))
    return sorted(spans)


def own_voice(sentence: Sentence, quotes: Iterable[Quote] = ()) -> str:
    """The sentence with every quoted or attributed span blanked out (same length, so offsets hold)."""
    text = sentence.text
    spans = quoted_spans(text)
    for q in quotes:
        s, e = max(q.start, sentence.start) - sentence.start, min(q.end, sentence.end) - sentence.start
        if e > s:
            spans.append((s, e))
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            if not chars[i].isspace():
                chars[i] = " "
    return "".join(chars)


def quoted_fraction(sentence: Sentence, quotes: Iterable[Quote] = ()) -> float:
    """Share of the sentence's letters that are someone else's words."""
    letters = sum(c.isalnum() for c in sentence.text)
    if not letters:
        return 0.0
    return 1 - sum(c.isalnum() for c in own_voice(sentence, quotes)) / letters


def lexicon_hits(voice: str) -> list[tuple[int, int, str, str]]:
    """(start, end, term, category) for every lexicon term in the unmasked text."""
    lex = lexicon()
    hits = []
    for m in _WORD.finditer(voice):
        word = m.group().lower().replace("’", "'")
        entries = lex.stems.get(stem(word.removesuffix("'s")))
        if entries:  # "invaded" is the verb "invade", not the noun "invader" that shares its stem
            best = max(entries, key=lambda e: (e[0] == word, word.startswith(e[0]), -len(e[0])))
            hits.append((m.start(), m.end(), *best))
    for pat, term, category in lex.phrases:
        hits.extend((m.start(), m.end(), term, category) for m in pat.finditer(voice))
    return sorted(hits)


def is_candidate(voice: str) -> bool:
    """Cheap test deciding whether a sentence is worth a dependency parse: a lexicon hit or a hyphenated
    label in the outlet's own words (an epithet needs a lexicon hit inside its clause anyway)."""
    return bool(HYPHEN_LABEL.search(voice) or lexicon_hits(voice))


def _span_text(doc: Doc, start: int, end: int) -> str:
    return doc.text[doc[start].idx : doc[end].idx + len(doc[end])].strip(" ,;:")


def _actor(tok: Token) -> str | None:
    """The named actor a token heads, as written ("Vladimir Putin"), or None (also for dates, laws...)."""
    if tok.ent_type_ in ACTOR_LABELS:
        for ent in tok.doc.ents:
            if ent.start <= tok.i < ent.end:
                return ent.text
    if tok.pos_ == "PROPN" and not tok.ent_type_:
        left = tok.i
        while left > 0 and tok.doc[left - 1].dep_ == "compound" and tok.doc[left - 1].head.i == tok.i:
            left -= 1
        return tok.doc[left : tok.i + 1].text
    return None


def _clauses(doc: Doc) -> list[tuple[int, int, Token, str | None]]:
    """Non-restrictive relative clauses and appositives: (first, last token, head token, actor)."""
    out = []
    for tok in doc:
        if tok.dep_ not in _CLAUSE_DEPS or tok.head.pos_ not in ("PROPN", "NOUN"):
            continue
        left, right = tok.left_edge.i, tok.right_edge.i
        if left <= tok.head.i <= right or left == 0 or doc[left - 1].text != ",":
            continue  # restrictive (no comma) or not after its head
        out.append((left, right, tok.head, _actor(tok.head)))
    return out


def _noun_phrase(tok: Token) -> tuple[int, int]:
    """Token span of the noun phrase a noun heads (determiners, modifiers and compounds included)."""
    left = min([tok.i] + [c.left_edge.i for c in tok.children
                          if c.dep_ in ("det", "amod", "compound", "poss", "nmod", "nummod") and c.i < tok.i])
    return left, tok.i


def _analyse(doc: Doc, voice: str, sentence: Sentence) -> list[Finding]:
    """Findings in one parsed sentence; ``voice`` is the same text with quoted spans masked."""
    found: list[Finding] = []
    mk = lambda kind, phrase, target=None, term="": Finding(  # noqa: E731
        kind, phrase, sentence.document, sentence.index, sentence.text, target, term)

    def tok_at(char: int) -> Token | None:
        return next((t for t in doc if t.idx <= char < t.idx + max(len(t), 1)), None)

    hits = lexicon_hits(voice)
    used: set[int] = set()  # hit offsets already explained by an epithet
    for left, right, head, actor in _clauses(doc):
        start, end = doc[left].idx, doc[right].idx + len(doc[right])
        inside = [h for h in hits if start <= h[0] < end]
        if actor is None:
            if head.ent_type_ or head.pos_ == "PROPN":
                continue  # a date, a law, a place name the parser could not type: not an actor
            inside = [h for h in inside if h[3] in ("label", "evaluative")]
        inside = [h for h in inside if h[3] in ("accusation", "label", "evaluative")]
        if not inside:
            continue
        target = actor or _span_text(doc, *_noun_phrase(head))
        clause = _span_text(doc, left, right)
        terms = ", ".join(dict.fromkeys(h[2] for h in inside))
        found.append(mk("epithet", f"{target}, {clause}", target, terms))
        used.update(h[0] for h in inside)

    for m in HYPHEN_LABEL.finditer(voice):
        tok = tok_at(m.end() - 1)
        head = tok.head if tok is not None else None
        phrase = m.group()
        if head is not None and head.pos_ in ("NOUN", "PROPN") and head.idx >= m.end():
            _, last = _noun_phrase(head)
            phrase = doc.text[m.start() : doc[last].idx + len(doc[last])]
        found.append(mk("label", phrase, target=None, term=m.group()))

    for start, end, term, category in hits:
        if start in used:
            continue
        tok = tok_at(start)
        if tok is None:
            continue
        if category == "label":
            if tok.pos_ not in ("NOUN", "PROPN") and "-" not in term:
                continue
            left, right = _noun_phrase(tok)
            found.append(mk("label", _span_text(doc, left, right), term=term))
        elif category == "doubt":
            found.append(mk("doubt", _doubt_phrase(doc, start, end), term=term))
        elif category == "evaluative":
            if tok.pos_ not in ("ADJ", "ADV"):
                continue
            head = tok.head
            a, b = sorted((tok.i, head.i)) if head.i != tok.i and abs(head.i - tok.i) <= 3 else (tok.i, tok.i)
            found.append(mk("evaluative", _span_text(doc, a, b), term=term))
        elif category == "attribution":
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if tok.pos_ != "VERB" or (subj is None and not any(c.dep_ == "ccomp" for c in tok.children)):
                continue  # the noun "claims", or a verb the parser cannot tie to a speaker or a statement
            if subj is None:
                found.append(mk("attribution", tok.text, term=term))
            else:
                left, right = _noun_phrase(subj)
                found.append(mk("attribution", f"{_span_text(doc, left, right)} {tok.text}",
                                target=_span_text(doc, left, right), term=term))
    return found


def _doubt_phrase(doc: Doc, start: int, end: int) -> str:
    """ "so-called" plus what it questions: the quoted phrase that follows, else the noun it modifies."""
    text = doc.text
    m = re.match(r"\s*(\"[^\"]+\"|“[^”]+”|«[^»]+»|‘[^’]+’)", text[end:])
    if m:
        return text[start : end + m.end()]
    tok = next((t for t in doc if t.idx <= end - 1 < t.idx + len(t)), None)
    head = tok.head if tok is not None else None
    while head is not None and head.pos_ not in ("NOUN", "PROPN") and head.head.i != head.i:
        head = head.head
    if head is not None and head.idx >= end and head.pos_ in ("NOUN", "PROPN"):
        return text[start : head.idx + len(head)]
    m = re.match(r"\s*[\w'’-]+", text[end:])
    return text[start : end + (m.end() if m else 0)]


def find_framing(sentences: Sequence[Sentence], quotes: Sequence[Quote] = ()) -> list[Finding]:
    """Framing findings in a set of sentences (any documents); only candidates are parsed."""
    by_doc: dict[str, list[Quote]] = defaultdict(list)  # a story's thousands of quotes, looked up per sentence
    for q in quotes:
        by_doc[q.document].append(q)
    candidates = []
    for s in sentences:
        qs = [q for q in by_doc.get(s.document, ()) if q.start < s.end and q.end > s.start]
        voice = own_voice(s, qs)
        if is_candidate(voice):
            candidates.append((s, voice))
    out: list[Finding] = []
    for (s, voice), doc in zip(candidates, parse(s.text for s, _ in candidates), strict=True):
        out.extend(_analyse(doc, voice, s))
    return out


def cue_counts(quotes: Iterable[Quote]) -> Counter[str]:
    """How often each attribution verb introduces a quote ("said": 12, "claimed": 2)."""
    return Counter(q.cue.lower() for q in quotes if q.cue)


def speaker_stats(quotes: Iterable[Quote], names: dict[str, str] | None = None) -> list[dict]:
    """Who is quoted and how much: quotes and quoted words per speaker, most quoted first."""
    names = names or {}
    n: Counter[str] = Counter()
    w: Counter[str] = Counter()
    for q in quotes:
        who = names.get(q.speaker, q.speaker) if q.speaker else "(unattributed)"
        n[who] += 1
        w[who] += len(q.text.split())
    total = sum(w.values()) or 1
    return [{"speaker": s, "quotes": n[s], "words": w[s], "share": round(w[s] / total, 3)}
            for s in sorted(n, key=lambda s: (-w[s], -n[s], s))]
