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
from ..text import NAME_WORD
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
sen gen lt col maj capt sgt adm gov prof rev
""".split())
# Titles that make a span a person even when the model said ORG ("Spokesman Peskov"); the others are
# also common inside organisation names ("General Motors", "Chief Executives Board", "Justice League").
# What ends a company's name ("Acme Holdings LLC"), never a person's first word.
COMPANY_SUFFIXES = frozenset({"llc", "inc", "ltd", "corp", "plc", "co", "ag", "nv", "gmbh", "llp"})
WEAK_TITLES = frozenset({"general", "chief", "leader", "justice", "major", "director", "chair", "press",
                         "foreign", "deputy", "vice", "prime", "retired", "former", "acting", "interim",
                         "presidential", "official", "coach", "representative", "marshal", "captain"})
_BARE_TITLES = frozenset(t.strip(".") for t in TITLES) - {"press", "foreign", "state", "general", "major"}
KEPT_LABELS = nlp.ENTITY_LABELS  # PERSON, ORG, GPE, LOC, NORP, FAC
_NAMEISH = re.compile(r"^[A-Z][\w.'’-]*$|^[A-Z]\.$")
_WORD = re.compile(rf"{NAME_WORD.pattern}|\d[\w.-]*")  # a name's word, or a number
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
            if lab == "PERSON":
                a += _opens_on_common_word(s.text, a, b, lowercase_words)
            out.append(Entity(doc_id, s.index, s.start + a, s.start + b, s.text[a:b], lab))
    out = _cut_glued_heads(_split_glued(out))
    canonicalize(out)
    return out


# Sentence adverbs ("Thankfully", "Separately"): capitalised only because they open the sentence, they
# are never part of a name that follows them.
_ADVERB = re.compile(r"^[A-Z][a-z]{3,}(?:ally|fully|ately|ously|ively|ently|antly|arly|ingly|edly)$")


def _opens_on_common_word(sentence: str, start: int, end: int, lowercase_words: set[str]) -> int:
    """How many characters to cut from a person span that opens its sentence with a common word the
    model took for a first name ("Thankfully Obama said" → "Obama"): a stop word, a sentence adverb, or
    a word the document writes in lower case elsewhere. 0 when there is nothing to cut."""
    if sentence[:start].strip(" \"“‘'([-–—•*"):
        return 0
    first, sep, rest = sentence[start:end].partition(" ")
    if not sep or not rest[:1].isupper():
        return 0
    low = first.lower()
    if low in STOP_WORDS or low in lowercase_words or _ADVERB.match(first):
        return len(first) + 1
    return 0


def _cut_glued_heads(ents: list[Entity]) -> list[Entity]:
    """"after hurricane Katrina Barack Obama surveys": the model reads "Katrina Barack Obama" as one
    person. A person span whose last two or more words are a person named on their own in the same
    document loses the words before them."""
    persons = {e.text for e in ents if e.label == "PERSON" and len(e.text.split()) >= 2}
    for e in ents:
        words = e.text.split(" ")
        if e.label != "PERSON" or len(words) < 3:
            continue
        for k in range(1, len(words) - 1):
            tail = " ".join(words[k:])
            if tail in persons:
                cut = len(e.text) - len(tail)
                e.start, e.text = e.start + cut, tail
                break
    return ents


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
    if len(tokens) >= 2 and tokens[0][2].rstrip(".").lower() in COMPANY_SUFFIXES:
        tokens = tokens[1:]  # "LLC Dean says": the company that ended the line before ran into the name
        start = tokens[0][0]
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


def _shouted(name: str) -> bool:
    return name.isupper() and any(len(w) >= 5 for w in re.findall(r"[^\W\d_]+", name))


def merge_names(names: Iterable[str]) -> dict[str, str]:
    """Map every name (of speakers, across documents) to one canonical form, so that one person has one
    name in a story or a database:

    - a shorter name takes the fuller one that ends with it ("Peskov", "Adm Allen" → "Dmitry Peskov",
      "Thad Allen"; titles are ignored for the match), the most frequent when several do, unchanged when
      tied;
    - a name whose last two or more words are another name loses the words before ("Katrina Barack Obama"
      → "Barack Obama": a word run into the name from before it);
    - a misspelt or shortened first name takes the more frequent spelling with the same surname: the same
      first letter within ``MAX_TYPO`` edits ("Barak Obama" → "Barack Obama", "Steve Newman" → "Steven
      Newman"), the start of it ("Chris Reddy" → "Christopher Reddy") or a common English diminutive of it
      ("Bob Papp" and "Robert Papp");
    - "the Kremlin" and "Kremlin" are one name.
    """
    counts = Counter(n.strip() for n in names if n and n.strip())
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for n, c in counts.items():
        by_key[_key(n)][n] += c
    # One written form per key: the most frequent, longest on ties (so "Kremlin" over "the Kremlin"); a form
    # in capitals with a word of five letters or more only when there is no other (a transcript's or
    # dateline's "EGYPTIAN", "WASHINGTON" is "Egyptian", "Washington"; "NATO", "BP" stay acronyms).
    form = {k: max(c.items(), key=lambda kv: (not _shouted(kv[0]), kv[1], -len(_ARTICLE.sub("", kv[0])), kv[0]))[0]
            for k, c in by_key.items()}
    total = {k: sum(c.values()) for k, c in by_key.items()}
    # Names only: an unnamed source ("health officials", lower-case head) is merged with nothing else.
    toks = {k: _untitled(tuple(k.split())) if form[k].split()[-1][:1].isupper() else () for k in by_key}
    by_last: dict[str, list[str]] = defaultdict(list)  # candidates share the last word: no n² over names
    for k, t in toks.items():
        if t:
            by_last[t[-1]].append(k)
    tails = {k: [o for o in by_last[t[-1]] if 2 <= len(toks[o]) < len(t) and t[-len(toks[o]) :] == toks[o]]
             for k, t in toks.items() if len(t) >= 3 and t[-1] not in ORG_HEADS}
    target: dict[str, str] = {}
    for k, t in toks.items():
        target[k] = k
        if not t:
            continue
        if tails.get(k):
            target[k] = max(tails[k], key=lambda o: (len(toks[o]), total[o], o))
            continue
        same_last = by_last[t[-1]]
        acronym = len(t) == 1 and form[k].isupper() and len(form[k]) > 1  # "BP", "WHO": a name, not a surname
        longer = [o for o in same_last if len(toks[o]) > len(t) and toks[o][-len(t) :] == t and not tails.get(o)
                  and not acronym]
        if longer:
            best = sorted(longer, key=lambda o: (-total[o], o))
            if len(best) == 1 or total[best[0]] > total[best[1]]:
                target[k] = best[0]
                continue
        same = [o for o in same_last if o != k and toks[o] == t and total[o] > total[k]]
        if same:  # "Thad W. Allen" and "Thad Allen"
            target[k] = max(same, key=lambda o: (total[o], o))
            continue
        if len(t) >= 2:
            typos = [o for o in same_last if len(toks[o]) == len(t) and total[o] > total[k]
                     and toks[o][:-2] == t[:-2] and _same_first_name(toks[o][-2], t[-2])]
            if typos:
                target[k] = max(typos, key=lambda o: (total[o], o))
    out: dict[str, str] = {}
    for n in counts:
        k = _key(n)
        seen = {k}
        while target[k] != k and target[k] not in seen:  # follow "Putin" → "Vladimir Putin" → ...
            k = target[k]
            seen.add(k)
        out[n] = _POSSESSIVE.sub("", _ARTICLE.sub("", form[k]))
    return out


# Last words of organisation names: "Lithuanian Foreign Ministry" is not "Foreign Ministry" with a word
# run into it, as "Katrina Barack Obama" is "Barack Obama".
ORG_HEADS = frozenset("""
ministry department agency office council committee commission service services party bank company
organization organisation association union court government administration authority institute
university foundation group board guard force forces corps command center centre news press times post
network channel agency fund federation league alliance army navy police
""".split())
MAX_TYPO = 2  # edits between two spellings of one first name ("Barak"/"Barack", "Steve"/"Steven")


def _untitled(t: tuple[str, ...]) -> tuple[str, ...]:
    """Name words without the titles before them ("adm allen" → "allen"; all of them if only titles) and
    without middle initials ("thad w. allen" → "thad allen")."""
    i = 0
    while i < len(t) - 1 and t[i].strip(".") in _BARE_TITLES:
        i += 1
    t = t[i:]
    return t[:1] + tuple(w for w in t[1:-1] if len(w.strip(".")) > 1) + t[-1:] if len(t) > 2 else t


# Common English diminutives of a first name that do not start the same way (a shortened start, "Chris" of
# "Christopher", needs no entry). Language data, as titles are.
DIMINUTIVES = {
    "bob": "robert", "bobby": "robert", "rob": "robert", "bill": "william", "billy": "william",
    "will": "william", "mike": "michael", "jim": "james", "jimmy": "james", "tom": "thomas", "tommy": "thomas",
    "dick": "richard", "rick": "richard", "tony": "anthony", "joe": "joseph", "jack": "john", "ted": "edward",
    "ed": "edward", "eddie": "edward", "chuck": "charles", "charlie": "charles", "liz": "elizabeth",
    "beth": "elizabeth", "betsy": "elizabeth", "peggy": "margaret", "maggie": "margaret", "andy": "andrew",
    "drew": "andrew", "matt": "matthew", "nick": "nicholas", "larry": "lawrence", "jerry": "gerald",
    "pat": "patrick", "dave": "david", "steve": "steven", "sandy": "sandra", "sue": "susan", "kate": "katherine",
    "kathy": "katherine", "jenny": "jennifer", "jeff": "jeffrey", "greg": "gregory", "fred": "frederick",
    "hank": "henry", "harry": "henry", "jon": "jonathan", "ron": "ronald", "don": "donald", "tim": "timothy",
}


def _same_first_name(a: str, b: str) -> bool:
    """Two forms of one first name: a misspelling (``_typo``), one the start of the other (3+ letters:
    "Chris"/"Christopher"), or a diminutive and its full form ("Bob"/"Robert")."""
    a, b = a.strip("."), b.strip(".")
    if a == b:
        return False
    full_a, full_b = DIMINUTIVES.get(a, a), DIMINUTIVES.get(b, b)
    return (_typo(a, b) or full_a == full_b
            or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))))


def _typo(a: str, b: str) -> bool:
    """Two spellings of one first name: same first letter, both 3+ letters, within ``MAX_TYPO`` edits and
    fewer edits than the shorter has letters."""
    return (a[:1] == b[:1] and min(len(a), len(b)) >= 3 and a != b
            and edit_distance(a, b) <= min(MAX_TYPO, min(len(a), len(b)) - 2))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance. Hand-written: names are a few letters long and this is their one use, not
    worth a dependency."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
