"""Named entities: who and what an article talks about, cleaned so that one actor has one name.

Statistical NER is the slow part of the pipeline, so it runs only on sentences that can hold a name (a
capitalised word that is not a sentence-initial common word). Its spans are then cleaned by rule:
spaCy glues titles, articles and possessives onto names ("Presidential Spokesman Dmitry Peskov",
"the Kremlin", "Clinton's"), and a span right after a title ("spokesman Peskov") is a person whatever
label the model gave it. Canonical names are resolved within a document ("Peskov" → "Dmitry Peskov",
"Foreign Ministry" → "Russian Foreign Ministry") and, for speakers, across documents (``merge_names``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from spacy.lang.en.stop_words import STOP_WORDS

from ..model import Entity, Sentence
from . import nlp

# Words that name a role, written before a person's name ("Foreign Minister Sergey Lavrov").
# Royal and religious titles ("Pope Francis", "Queen Elizabeth") are part of the name and are not here.
TITLES = frozenset("""
president presidential vice spokesman spokeswoman spokesperson secretary minister premier chancellor
senator sen. congressman congresswoman representative rep. governor gov. mayor ambassador envoy
chairman chairwoman chair director chief ceo leader general gen. lt. col. maj. capt. sgt. adm. admiral
commander colonel lieutenant captain sergeant major brigadier marshal judge justice attorney prosecutor
mr. mrs. ms. dr. prof. professor mr mrs ms dr candidate nominee adviser advisor aide official diplomat
president-elect deputy foreign prime press retired former acting interim spokesmen coach
""".split())
# Titles that make a span a person even when the model said ORG ("Spokesman Peskov"); the others are
# also common inside organisation names ("General Motors", "Chief Executives Board", "Justice League").
WEAK_TITLES = frozenset({"general", "chief", "leader", "justice", "major", "director", "chair", "press",
                         "foreign", "deputy", "vice", "prime", "retired", "former", "acting", "interim",
                         "presidential", "official", "coach", "representative", "marshal", "captain"})
KEPT_LABELS = nlp.ENTITY_LABELS  # PERSON, ORG, GPE, LOC, NORP, FAC
_NAMEISH = re.compile(r"^[A-Z][\w.'’-]*$|^[A-Z]\.$")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*|\d[\w.-]*")
_TOKEN = re.compile(r"\S+")
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z][a-z'’-]*")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_QUOTE_CHARS = re.compile(r"[\"“”«»„]")
# The common country abbreviations and long forms, so that "the U.S." and "US" are one actor.
ALIASES = {
    "u.s.": "United States", "us": "United States", "usa": "United States", "u.s.a.": "United States",
    "united states of america": "United States", "america": "United States",
    "u.k.": "United Kingdom", "uk": "United Kingdom", "britain": "United Kingdom",
    "great britain": "United Kingdom", "e.u.": "European Union", "eu": "European Union",
    "u.n.": "United Nations", "un": "United Nations", "russian federation": "Russia",
}
ALIAS_LABELS = {"GPE", "ORG", "LOC"}


def may_hold_name(sentence: str, lowercase_words: set[str]) -> bool:
    """Cheap test: a capitalised word that is not a stop word, or a sentence-initial one never written
    in lower case elsewhere in the document ("Peskov said ..." but not "Negotiations began ...")."""
    for i, m in enumerate(_WORD.finditer(sentence)):
        w = m.group()
        if not w[0].isupper():
            continue
        low = w.lower().rstrip(".")
        if w.isupper() and len(w) > 1:
            return True
        if low in STOP_WORDS:
            continue
        if i > 0 or low not in lowercase_words:
            return True
    return False


def extract_entities(doc_id: str, text: str, sentences: list[Sentence]) -> list[Entity]:
    """PERSON/ORG/GPE/LOC/NORP/FAC mentions with clean spans and canonical names (NER only where needed)."""
    lowercase_words = set(_LOWER_WORD.findall(text))
    todo = [s for s in sentences if may_hold_name(s.text, lowercase_words)]
    if not todo:
        return []
    out: list[Entity] = []
    for s, spans in zip(todo, ner_spans([s.text for s in todo]), strict=True):
        for start, end, label in _join_adjectives(s.text, spans):
            cleaned = clean_span(s.text, start, end, label)
            if cleaned is None:
                continue
            a, b, lab = cleaned
            out.append(Entity(doc_id, s.index, s.start + a, s.start + b, s.text[a:b], lab))
    out = _split_glued(out)
    canonicalize(out)
    return out


def _split_glued(ents: list[Entity]) -> list[Entity]:
    """"with Ukraine Peskov said" gives one span "Ukraine Peskov": split it when its tail is a person's
    surname and its head is named on its own elsewhere in the document."""
    surnames = {e.text.split()[-1] for e in ents if e.label == "PERSON"}
    labels = {e.text: e.label for e in ents}
    out = []
    for e in ents:
        head, _, tail = e.text.rpartition(" ")
        if e.label != "PERSON" and tail in surnames and head in labels:
            cut = e.start + len(head)
            out.append(Entity(e.document, e.sentence, e.start, cut, head, labels[head]))
            out.append(Entity(e.document, e.sentence, e.end - len(tail), e.end, tail, "PERSON"))
        else:
            out.append(e)
    return out


_RUN = re.compile(r"[A-Z][\w'’.&-]*(?:[ \u00a0]+[A-Z][\w'’.&-]*)*")


def _runs(text: str) -> list[tuple[int, int, str]]:
    """Capitalised phrases, less a leading capitalised function word ("But Trump" → "Trump")."""
    out = []
    for m in _RUN.finditer(text):
        a, run = m.start(), m.group()
        first, _, rest = run.partition(" ")
        if not first.isupper() and re.split(r"['’]", first.lower())[0] in STOP_WORDS:
            if not rest.strip():
                continue
            a, run = a + len(first) + 1, rest.lstrip()
        out.append((a, a + len(run), run))
    return out


def ner_spans(texts: Sequence[str], batch: int = 8) -> list[list[tuple[int, int, str]]]:
    """NER spans (start, end, label) for the sentences of one document, in order, running the model only
    on sentences with a capitalised phrase not seen before in the document.

    News repeats its names: once the model has read "Peskov" or "The Kremlin" (and what it found in
    them), a later sentence whose capitalised phrases were all read before gets the same spans by lookup.
    A phrase whose entity ran past its edges ("Organization for Security ...") is never looked up, and one
    in which the model found nothing is trusted only after the second reading (names are sometimes
    missed once)."""
    known: dict[str, tuple[tuple[int, int, str], ...] | None] = {}
    empty_once: set[str] = set()
    out: list[list[tuple[int, int, str]] | None] = [None] * len(texts)
    pending: list[int] = []

    def flush() -> None:
        for i, ents in zip(pending, nlp.entities([texts[i] for i in pending]), strict=True):
            spans = [(a, b, label) for a, b, label, _ in ents]
            out[i] = spans
            for r_start, r_end, run in _runs(texts[i]):
                inner = [(a - r_start, b - r_start, lab) for a, b, lab in spans if a < r_end and b > r_start]
                whole = all(0 <= a and b <= r_end - r_start for a, b, _ in inner)
                if not whole:
                    known[run] = None
                elif inner and run not in known:
                    known[run] = tuple(inner)
                elif not inner and run not in known:
                    if run in empty_once:
                        known[run] = ()
                    empty_once.add(run)
        pending.clear()

    for i, t in enumerate(texts):
        runs = _runs(t)
        if all(known.get(run) is not None for _, _, run in runs):
            out[i] = [(r_start + a, r_start + b, lab) for r_start, _, run in runs for a, b, lab in known[run] or ()]
            continue
        pending.append(i)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return [o or [] for o in out]


def _join_adjectives(sentence: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """"Russian" + "Foreign Ministry" → "Russian Foreign Ministry": a nationality or place written right
    before an organisation is part of its name, and it tells two ministries apart."""
    out: list[tuple[int, int, str]] = []
    for a, b, label in spans:
        if out and label == "ORG" and out[-1][2] in ("NORP", "GPE") and sentence[out[-1][1] : a] == " " \
                and sentence[b : b + 1] != "-":  # not "Russian Kremlin-aligned outlets"
            out[-1] = (out[-1][0], b, "ORG")
        else:
            out.append((a, b, label))
    return out


def clean_span(sentence: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    """Strip a leading article, a trailing possessive and a leading title from an NER span; fix the label
    when a title shows the name is a person. None when nothing name-like is left."""
    if label not in KEPT_LABELS:
        return None
    span = sentence[start:end]
    if _QUOTE_CHARS.search(span):  # 'prepared,"- Peskov': the model ran across a closing quote
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^\"“”«»„]+", span)]
        a, b = max(parts, key=lambda p: (sum(w[:1].isupper() for w in span[p[0] : p[1]].split()), p[0]))
        start, end = start + a, start + b
        while start < end and not sentence[start].isalnum():
            start += 1
        span = sentence[start:end]
    m = _ARTICLE.match(span)
    if m:
        start += m.end()
    span = sentence[start:end]
    p = _POSSESSIVE.search(span)
    if p and len(span) > len(p.group()) + 1:
        end -= len(p.group())
    while end > start and sentence[end - 1] in ",;:-–—\"“”'‘’":
        end -= 1
    tokens = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(sentence[start:end])]
    if not tokens:
        return None
    cut = max((i for i, t in enumerate(tokens[:-1]) if t[2].lower() in TITLES), default=None)
    if cut is not None:
        rest = tokens[cut + 1 :]
        title = tokens[cut][2].lower()
        if len(rest) <= 4 and all(_NAMEISH.match(t[2]) for t in rest) and (
            label == "PERSON" or len(rest) >= 2 or title not in WEAK_TITLES
        ):
            start, label = rest[0][0], "PERSON"
    elif label != "PERSON" and len(tokens) <= 3 and all(_NAMEISH.match(t[2]) for t in tokens):
        before = sentence[:start].split()
        if before and before[-1].lower() in TITLES and before[-1].lower() not in WEAK_TITLES:
            label = "PERSON"  # "spokesman Peskov" tagged ORG
    text = sentence[start:end]
    if not any(c.isalpha() for c in text) or (len(text) < 2) or text.lower() in STOP_WORDS:
        return None
    return start, end, label


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(t.lower().strip(".") for t in name.split())


def _key(name: str) -> str:
    """Comparison form of a name: no article, no possessive, one space, lower case."""
    name = _POSSESSIVE.sub("", _ARTICLE.sub("", name.strip()))
    return " ".join(name.split()).lower()


def canonicalize(entities: list[Entity]) -> None:
    """Fill ``canonical`` in place, document by document: a surname takes the full name written in the
    same document (nearest earlier mention first), a shortened organisation the longer name it ends
    ("Foreign Ministry" → "Russian Foreign Ministry"), and common country abbreviations one name."""
    by_doc: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        by_doc[e.document].append(e)
    for ents in by_doc.values():
        ents.sort(key=lambda e: e.start)
        _canonicalize_document(ents)


def _canonicalize_document(ents: list[Entity]) -> None:
    for e in ents:
        base = _POSSESSIVE.sub("", _ARTICLE.sub("", e.text.strip()))
        e.canonical = ALIASES.get(base.lower(), base) if e.label in ALIAS_LABELS else base
    # Token tuples kept beside the entities and refreshed when a canonical name changes: recomputing them
    # inside the pairwise loops below made this quadratic in string splitting (a sixth of annotate time).
    toks = {id(e): _tokens(e.canonical) for e in ents}
    persons = [e for e in ents if e.label == "PERSON" and len(toks[id(e)]) >= 2]
    surnames = {toks[id(e)][-1] for e in persons}
    for e in ents:  # a lone surname the model took for an organisation ("Peskov" as ORG)
        t = toks[id(e)]
        if e.label in ("ORG", "NORP", "FAC") and len(t) == 1 and t[0] in surnames:
            e.label = "PERSON"
    for e in ents:
        mine = toks[id(e)]
        if not mine:
            continue
        n = len(mine)
        if e.label == "PERSON":
            pool = [f for f in persons if len(toks[id(f)]) > n]
            found = [f for f in pool if toks[id(f)][-n:] == mine]
            if not found and n == 1:  # a first name alone, when only one full name has it
                found = [f for f in pool if toks[id(f)][0] == mine[0]]
                if len({toks[id(f)] for f in found}) > 1:
                    found = []
        elif e.label in ("ORG", "FAC") and n >= 2:  # "Kremlin" alone is a name in its own right
            found = [f for f in ents if f.label == e.label and len(toks[id(f)]) > n and toks[id(f)][-n:] == mine
                     and all(w[:1].isupper() for w in f.canonical.split()[:-n])]
        else:
            found = []
        if found:
            e.canonical = _nearest(e, found).canonical
            toks[id(e)] = _tokens(e.canonical)


def _nearest(e: Entity, found: Sequence[Entity]) -> Entity:
    earlier = [f for f in found if f.start < e.start]
    if earlier:
        return max(earlier, key=lambda f: f.start)
    return min(found, key=lambda f: f.start)


def merge_names(names: Iterable[str]) -> dict[str, str]:
    """Map every name (of speakers, across documents) to one canonical form: the fuller name that ends
    with it ("Peskov" → "Dmitry Peskov"), the most frequent when several do, unchanged when tied;
    "the Kremlin" and "Kremlin" are one name."""
    counts = Counter(n.strip() for n in names if n and n.strip())
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for n, c in counts.items():
        by_key[_key(n)][n] += c
    # One written form per key: the most frequent, longest on ties (so "Kremlin" over "the Kremlin").
    form = {k: max(c.items(), key=lambda kv: (kv[1], -len(_ARTICLE.sub("", kv[0])), kv[0]))[0]
            for k, c in by_key.items()}
    total = {k: sum(c.values()) for k, c in by_key.items()}
    toks = {k: tuple(k.split()) for k in by_key}
    target: dict[str, str] = {}
    for k, t in toks.items():
        longer = [o for o, ot in toks.items() if len(ot) > len(t) and ot[-len(t) :] == t]
        if longer:
            best = sorted(longer, key=lambda o: (-total[o], o))
            if len(best) == 1 or total[best[0]] > total[best[1]]:
                target[k] = best[0]
                continue
        target[k] = k
    out: dict[str, str] = {}
    for n in counts:
        k = _key(n)
        seen = {k}
        while target[k] != k and target[k] not in seen:  # follow "Putin" → "Vladimir Putin" → ...
            k = target[k]
            seen.add(k)
        out[n] = _POSSESSIVE.sub("", _ARTICLE.sub("", form[k]))
    return out
