"""Attributed quotes: direct, partial and indirect speech, each with a canonical speaker.

Three passes, cheapest first:

1. **Quotation marks.** A scanner pairs straight, curly, « » and „ “ marks paragraph by paragraph and
   links a paragraph left open to the next one when that one opens with a quote mark (the news
   convention for a quote running over paragraphs).
2. **Frames by pattern.** The words right after a closing mark (`"…," Peskov said.`, `"…," said the
   Kremlin.`, `"…" – Peskov concluded.`) or right before an opening one (`Peskov told reporters: "…"`,
   `Peskov's quote: "…"`, `According to Peskov, "…"`) name most speakers without any parsing.
3. **Dependency parse**, only of sentences with a speech verb (``speech_verbs``) outside quotation marks
   that no frame used: the verb's clausal complement is indirect speech (`Peskov said that no dates
   existed`), a quotation inside that complement is a partial quote (`said Russia was taking actions "to
   relocate its forces"`). Quotation marks that no speech verb governs (`so-called "security
   guarantees"`, `the programme titled "Moscow.Kremlin.Putin"`) are not quotes.

Speakers are resolved in document order: a name through the entities' canonical names, "he"/"she" to
the most recent compatible person speaker or sentence subject, "it"/"they" to the most recent
organisation, a definite role ("the spokesman", "the Kremlin official") to the person last introduced
with that role, "the statement" to its organisation. A quote with no frame that follows an attributed
sentence continues that speaker (`"…," he said. "…"`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS

from ..model import Entity, Quote, Sentence
from ..text import NAME_WORD
from . import sentence_kind
from .entities import COMPANY_SUFFIXES
from .nlp import load_model
from .speech_verbs import SPEECH_FORMS

# Verbs that introduce a direct quote but do not report speech on their own ("it continued to grow").
FRAME_ONLY = {"continue", "read", "answer", "retort", "quip", "joke", "shout", "exclaim", "bark", "snap", "yell",
              "scream", "cry", "laugh", "beam", "boom", "thunder", "sneer", "scoff", "mutter", "whisper", "sigh",
              "gush", "marvel", "muse", "interject", "chime", "chant", "rail", "tease", "counter", "quote"}
# Verbs that frame a quotation but whose clausal complement is not reported speech ("called it a
# disaster", "thanked him for coming").
QUOTE_ONLY = {"call", "describe", "label", "characterize", "thank", "praise", "criticize", "criticise",
              "accuse", "hail", "deride", "ridicule", "mock", "blast", "slam", "decry"}
# Verbs whose infinitive complement is what was said ("promised to provide its list").
TO_COMPLEMENT = {"promise", "vow", "pledge", "threaten", "urge", "ask", "demand", "propose"}

PERSON_PRONOUNS = {"he": "m", "him": "m", "she": "f", "her": "f"}
GROUP_PRONOUNS = {"it", "they", "them"}
# First person: in a transcript the line's label says who "I" is (and "you" is the other party); elsewhere
# "I" is the writer named in the byline. "We" and "you" outside a transcript are the writer's own voice
# ("as we reported", "you might say"), no one quoted: those attributions are dropped.
FIRST_PERSON = {"i", "we", "me", "us"}
WRITER_VOICE = {"we", "us", "you"}
# Nouns for what was said: "Peskov's quote:", "the Kremlin statement added".
STATEMENT_NOUNS = {
    "statement", "statements", "report", "release", "communique", "communiqué", "readout", "letter", "memo",
    "document", "announcement", "post", "tweet", "message", "notice", "filing", "decree", "declaration",
    "quote", "words", "remarks", "comments", "comment", "response", "reply", "answer", "explanation",
    "testimony", "website", "account", "paper", "papers",
}
# Nouns for a person's role; a definite one ("the spokesman") refers back to whoever was introduced so.
ROLE_NOUNS = {
    "spokesman", "spokeswoman", "spokesperson", "president", "minister", "secretary", "official", "leader",
    "diplomat", "ambassador", "envoy", "chancellor", "senator", "governor", "mayor", "chairman",
    "chairwoman", "director", "chief", "candidate", "nominee", "adviser", "advisor", "aide", "lawmaker",
    "congressman", "congresswoman", "representative", "commander", "general", "officer", "prosecutor",
    "judge", "lawyer", "attorney", "premier", "head", "ceo", "executive", "politician", "negotiator",
    "president-elect", "king", "queen", "prince", "pope", "businessman", "businesswoman", "billionaire",
    "analyst", "economist", "expert", "spokespeople", "strategist", "manager", "pollster", "founder",
    "host", "author", "activist", "senior", "campaigner", "surrogate", "republican", "democrat", "speaker",
}
# People an article quotes without naming them ("health officials", "experts", "a resident"): with no name
# to resolve to, the description itself is the speaker, so the quote is not shown as unattributed.
SOURCE_NOUNS = ROLE_NOUNS | {
    "scientist", "researcher", "doctor", "source", "authority", "authorities", "resident", "protester",
    "demonstrator", "witness", "investigator", "critic", "observer", "people", "worker", "fisherman",
    "fishermen", "activist", "regulator", "engineer", "environmentalist", "police", "medic", "epidemiologist",
    "virologist", "professor", "correspondent", "reporter", "editor", "owner", "member", "employee", "staff",
    "insider", "officer", "diplomat", "negotiator", "militant", "soldier", "victim", "survivor", "relative",
    "neighbour", "neighbor", "farmer", "teacher", "student", "nurse", "specialist", "scholar", "historian",
    "experts", "crew", "volunteer", "organiser", "organizer", "planner", "forecaster", "meteorologist",
    "shareholder", "investor", "trader", "banker", "visitor", "traveler", "traveller", "passenger", "customer",
    "consumer", "voter", "patient", "parent", "seller", "vendor", "buyer", "shopkeeper", "diver", "pilot",
    "captain", "sailor", "driver", "fan", "man", "woman", "men", "women", "person", "local", "family",
    "families", "youth", "participant", "blogger", "commenter", "reader", "viewer", "caller", "listener",
    "official", "physician", "technician", "politician", "businessmen", "administrator", "guest",
    "driller", "inspector", "auditor", "supervisor", "coordinator", "commissioner", "surgeon", "agent",
    "shrimper", "oysterman", "oystermen", "homeowner", "boater",
}
# Agent nouns by their ending ("pharmacist", "oceanographer", "epidemiologists"): people, like SOURCE_NOUNS.
_PERSON_SUFFIX = ("ist", "grapher", "ician")
# What a study or a document "says" ("according to research published Tuesday", "preliminary reports
# say"): with no organisation named for it, the source is the document as the article words it.
DOCUMENT_NOUNS = {"report", "reports", "study", "studies", "research", "results", "findings", "estimate",
                  "estimates", "survey", "poll", "polls", "data", "figures", "analysis", "paper", "papers",
                  "guidelines", "documents", "records", "ruling", "order", "media", "press", "memo", "filing",
                  "investigation", "evidence", "book", "plan", "sign", "signs", "posting", "test", "tests",
                  "website", "site", "article", "editorial", "bulletin", "advisory", "percent"}
_COLLECTIVE = {"people", "police", "fishermen", "staff", "crew", "authorities", "spokespeople"}
# Nouns for a company that "the company" / "the oil giant" stands for.
COMPANY_NOUNS = {"company", "firm", "giant", "group", "corporation", "operator", "contractor", "insurer",
                 "lender", "bank", "carrier", "producer", "maker", "manufacturer", "conglomerate", "utility"}
# Roles that any person can be referred to by ("the Russian leader", "the Kremlin official").
GENERIC_ROLES = {"official", "leader", "politician", "diplomat", "head", "executive", "lawmaker",
                 "senior", "candidate", "nominee"}
ORG_NOUNS = {"ministry", "department", "government", "agency", "company", "firm", "campaign", "committee",
             "party", "council", "court", "administration", "organisation", "organization", "alliance",
             "bank", "commission", "office", "embassy", "group", "union", "association", "military",
             "army", "police", "parliament", "senate", "congress", "house", "kremlin", "foundation",
             "institute", "network", "newspaper", "service", "team", "board", "guard", "coastguard", "university",
             "hospital", "regulator", "watchdog", "tv", "television", "radio", "broadcaster"}
# Organisations described, not named ("oil companies", "environmental groups", "a local school").
_ORG_DESCRIBED = ORG_NOUNS | COMPANY_NOUNS | {"center", "centre", "school", "laboratory", "lab", "outlet",
                                              "country", "nation", "airline", "restaurant", "charity"}
GENDER_WORDS = {
    "mr": "m", "mr.": "m", "spokesman": "m", "congressman": "m", "chairman": "m", "businessman": "m",
    "king": "m", "prince": "m", "sir": "m", "lord": "m", "father": "m", "husband": "m", "son": "m",
    "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f", "spokeswoman": "f", "congresswoman": "f",
    "chairwoman": "f", "businesswoman": "f", "queen": "f", "princess": "f", "lady": "f", "dame": "f",
    "madam": "f", "mother": "f", "wife": "f", "daughter": "f", "sister": "f",
}
_TITLE_WORDS = ROLE_NOUNS | set(GENDER_WORDS) | {
    "presidential", "foreign", "deputy", "vice", "prime", "press", "former", "acting", "retired", "lt.",
    "gen.", "col.", "sen.", "rep.", "gov.", "dr.", "prof.", "top", "senior", "chief", "state", "white",
}
ABBREVIATIONS = {"sen.": "senator", "sen": "senator", "rep.": "representative", "gov.": "governor",
                 "gen.": "general", "pres.": "president", "amb.": "ambassador", "sec.": "secretary"}
DEFINITE = {"the", "this", "that", "his", "her", "its", "their", "our"}
_DETERMINERS = DEFINITE | {"a", "an", "every", "each", "no", "any", "my", "your"}
# Words that cannot start a speaker noun phrase right after a quote (`"x" that Putin said`).
NP_BAD_START = {
    "that", "which", "who", "whom", "whose", "when", "where", "if", "as", "to", "of", "in", "on", "for",
    "with", "by", "from", "about", "and", "or", "but", "while", "because", "after", "before", "so", "than",
    "since", "what", "how", "why", "is", "was", "are", "were", "be", "been", "not", "has", "had", "have",
    "would", "will", "can", "could", "should", "may", "might", "must", "do", "does", "did", "at", "into",
    "over", "under", "between", "against", "during", "without", "through", "per", "via", "whether",
}
PREPOSITIONS = {"of", "for", "from", "at", "with", "in", "on", "to", "by", "under", "about", "within"}
ADVERBS = {"also", "later", "then", "again", "repeatedly", "further", "reportedly", "once", "previously",
           "recently", "simply", "quickly", "finally", "publicly", "privately", "earlier", "has", "had",
           "have", "was", "is", "would", "will", "subsequently", "flatly", "firmly",
           "clearly", "bluntly", "calmly", "angrily", "explicitly", "just", "only", "even", "still",
           "originally", "first", "often", "frequently", "sometimes", "'d"}
# Words right before a quotation that make it a name or a term, not something said.
NAMING = re.compile(r"\b(?:so-called|so called|titled|entitled|named|dubbed|nicknamed|called|known as|"
                    r"labell?ed|branded|term|word|phrase|slogan|hashtag|headlined|motto)(?:\s+the)?\s*$",
                    re.IGNORECASE)

# What a source asked of the reporter ("who asked not to be named", "requested not to be identified because
# ..."): the terms of anonymity, never something said about the story.
_ANONYMITY = re.compile(r"(?:not\s+to\s+be|that\s+(?:his|her|their)\s+names?\s+not\s+be)\s+"
                        r"(?:named|identified|quoted|cited|used)\b|(?:to\s+)?(?:remain\s+)?anonym", re.I)

OPENERS = {"\"": "straight", "“": "curly", "„": "low", "«": "guillemet", "‘": "single"}
CLOSERS = {"straight": "\"”", "curly": "”\"", "low": "“”\"", "guillemet": "»", "single": "’"}
QUOTE_CHARS = "\"“”„«»"
_TOK = re.compile(r"(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Lt|Gen|Col|Maj|Capt|Sgt|Adm|Gov|Sen|Rep|Prof|Rev|Jr|Sr|"
                  r"St)\.|[^\W_][\w'’&-]*|[,;:.!?\"“”«»„()—–…-]")
_SENT_PUNCT = {".", "!", "?", ";", "\"", "“", "”", "«", "»", "„", "(", ")", ":"}
# Case-sensitive: a speech verb mid-sentence is lower case ("United States" is not "states").
_SPEECH_RE = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_FORMS, key=len, reverse=True)) + r"|[Aa]ccording to)\b")
# What may stand before a quote that still starts its sentence: bullets, dashes, a conjunction.
_LEAD = re.compile(r"[\s\-–—•*]*(?:(?:But|And|Yet|Still|So|Or|Now|Then)\s*,?\s*)?")
_POSS = re.compile(r"(?:['’]s|(?<=s)['’])$")
_LEAD_OPEN = re.compile(r"[\s\-–—•*]*(?:[\"“„«‘]|``|'')")  # a paragraph that opens on a quotation mark


@dataclass(slots=True)
class Segment:
    """The words between one pair of quotation marks (offsets into the document text)."""

    open: int  # position of the opening mark
    close: int | None  # position of the closing mark's last character; None when the paragraph ends first
    start: int
    end: int
    paragraph: int
    chain: int = -1  # segments of one quote that runs over paragraphs share a chain id
    inner: int = 0  # where the closing mark begins (the words end before it, untrimmed)


@dataclass(slots=True)
class _NP:
    core: tuple[int, int]  # the noun phrase proper ("Flynn", "the Kremlin statement")
    extra: list[tuple[int, int]] = field(default_factory=list)  # appositives, prepositional modifiers
    possessor: bool = False  # "Peskov's quote": the core is the possessor


@dataclass(slots=True)
class _Unit:
    kind: str
    segments: list[Segment]
    content: tuple[int, int]
    sentence: int  # where the speaker is resolved (the cue's sentence)
    position: int
    np: _NP | None = None
    cue: tuple[int, int] | None = None
    inherit: bool = False
    framed: bool = False  # a cue was found (the speaker may still be unknown)
    speaker: str | None = None
    speaker_text: str | None = None
    speaker_span: tuple[int, int] | None = None
    label: str = ""


@dataclass(slots=True)
class Attribution:
    """A quote plus the spans an evaluation needs: the whole attributed content (the clause around a
    partial quote), the speaker mention and the cue."""

    quote: Quote
    content_start: int
    content_end: int
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None


def extract_quotes(doc_id: str, text: str, sentences: list[Sentence], entities: list[Entity]) -> list[Quote]:
    """Direct, partial and indirect quotes of one document, in text order, speakers canonical."""
    return [a.quote for a in attributions(doc_id, text, sentences, entities)]


# ---------------------------------------------------------------------------------------------------
# 1. Quotation marks


def find_quotations(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[Segment]:
    """Pair quotation marks within each paragraph; a paragraph left open continues into the next one
    when that one starts with an opening mark."""
    out: list[Segment] = []
    left_open = ""  # the kind of quotation the previous paragraph left open
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        pairs = _scan(text, p_start, p_end)
        if left_open and not _LEAD_OPEN.match(text, p_start):
            carried = _scan(text, p_start, p_end, inside=left_open)
            # Only a closing mark before any quotation of the paragraph's own ends the one carried over.
            if carried and carried[0][2] is not None and (not pairs or carried[0][2] < pairs[0][0]):
                pairs = carried
        left_open = ""
        for o, o_len, c, c_len, kind in pairs:
            if kind == "single" and c is None:
                continue  # an apostrophe ("‘90s"), not a quote left open
            seg = _segment(text, o, o_len, c, c_len, p_end, p_index)
            if seg is not None:
                out.append(seg)
                left_open = kind if c is None else ""
    chain = 0
    for i, seg in enumerate(out):
        prev = out[i - 1] if i else None
        if (prev is not None and prev.close is None and seg.paragraph == prev.paragraph + 1
                and text[paragraphs[seg.paragraph][0] : seg.open].strip() == ""):
            seg.chain = prev.chain
        else:
            seg.chain = chain
            chain += 1
    return out


def _scan(text: str, start: int, end: int, inside: str = "") -> list[tuple[int, int, int | None, int, str]]:
    """(open, open length, close, close length, kind) of each quotation in text[start:end]. Two
    apostrophes (''…'', the New York Times archive style) and ``…'' count as a straight double quote.
    ``inside``: the text starts within a quotation of that kind, opened in the paragraph before (a
    quote of several sentences in a text written one sentence a line: `"We will fix it.` / `I guarantee
    it," he said.`); it opens at ``start`` with no mark."""
    pairs: list[tuple[int, int, int | None, int, str]] = []
    open_at, open_len, kind = (start, 0, inside) if inside else (-1, 0, "")
    i = start
    while i < end:
        c = text[i]
        two = text[i : i + 2]
        width = 2 if two in ("''", "``") else 1
        mark = "\"" if width == 2 else c
        prev = text[i - 1] if i > start else " "
        nxt = text[i + width] if i + width < end else " "
        if open_at < 0:
            if mark in "“„«" or two == "``":
                open_at, open_len, kind = i, width, OPENERS.get(mark, "straight")
            elif mark == "\"" and (i == start or prev.isspace() or prev in "([{—–-/:") and not nxt.isspace():
                open_at, open_len, kind = i, width, "straight"
            elif mark == "”" and prev.isspace() and nxt.isalpha():
                open_at, open_len, kind = i, 1, "curly"  # a reversed mark used as an opener
            elif mark == "‘" and (prev.isspace() or prev in "([{—–-\"“") and not nxt.isspace():
                open_at, open_len, kind = i, 1, "single"
        elif kind == "single":
            if mark == "’" and not nxt.isalnum():
                pairs.append((open_at, open_len, i, 1, kind))
                open_at = -1
            elif mark in "“„«\"":  # a double quote inside a single one: the single was an apostrophe
                open_at, open_len, kind = i, width, OPENERS.get(mark, "straight")
        elif mark in CLOSERS[kind] or (kind == "curly" and mark == "’" and prev in ".!?," and not nxt.isalnum()):
            pairs.append((open_at, open_len, i, width, kind))
            open_at = -1
        i += width
    if open_at >= 0:
        pairs.append((open_at, open_len, None, 0, kind))
    return pairs


def _segment(text: str, o: int, o_len: int, c: int | None, c_len: int, p_end: int, paragraph: int) -> Segment | None:
    a, inner = o + o_len, (c if c is not None else p_end)
    b = inner
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:"):
        b -= 1
    if not any(ch.isalnum() for ch in text[a:b]):
        return None
    return Segment(o, None if c is None else c + c_len - 1, a, b, paragraph, inner=inner)


# ---------------------------------------------------------------------------------------------------
# 2. Frames by pattern


def _tokens(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    return [(a + m.start(), a + m.end(), m.group()) for m in _TOK.finditer(text[a:b])]


def _is_speech(word: str) -> bool:
    return word.lower() in SPEECH_FORMS


def _reporting(word: str) -> bool:
    """A finite speech verb as it appears in a frame ("said", "says", "told"), not "saying"."""
    w = word.lower()
    return w in SPEECH_FORMS and not w.endswith("ing")


def _sentence_like(text: str, seg: Segment) -> bool:
    words = text[seg.start : seg.end].split()
    first = text[seg.start : seg.end].lstrip(".…[( ")
    return len(words) >= 3 and bool(first) and (first[0].isupper() or first[0].isdigit())


def _tail_frame(text: str, seg: Segment, a: int, b: int) -> tuple[_NP, tuple[int, int]] | None:
    """`"…," Peskov said` / `"…," said Peskov` / `"…" – Peskov concluded` right after the closing mark."""
    content_end = text[seg.start : seg.inner].rstrip() if seg.close is not None else ""
    toks = _tokens(text, a, b)
    i, separated = 0, bool(content_end) and content_end[-1] in ",?!.…:;-–—"
    while i < len(toks) and toks[i][2] in ",-–—…":
        separated = True
        i += 1
    if not separated or i >= len(toks):
        return None
    toks = toks[i:]
    if _reporting(toks[0][2]):  # verb first: `"…," said Peskov`
        np = []
        for t in toks[1:9]:
            partitive = t[2] == "of" and len(np) == 1 and np[0][2].lower() in _QUANTIFIERS  # "one of the sources"
            if t[2] in _SENT_PUNCT or t[2] == "," or (t[2].islower() and t[2] in NP_BAD_START and not partitive):
                break
            np.append(t)
        if not np or np[0][2].lower() in ADVERBS:
            return None
        return _np_from_tokens(text, np), (toks[0][0], toks[0][1])
    appositive = len(toks) > 1 and toks[1][2] == ","  # `“…,” Trump, the frontrunner in …, said`
    for j, t in enumerate(toks[: 30 if appositive else 15]):
        if t[2] in _SENT_PUNCT:
            return None
        if j and _reporting(t[2]):
            np = toks[:j]
            while np and np[-1][2].lower() in ADVERBS | {","}:
                np = np[:-1]
            if not np or np[0][2].lower() in NP_BAD_START or not _nominal(np[0][2]):
                return None
            return _np_from_tokens(text, np), (t[0], t[1])
    return None


def _short_frame(text: str, seg: Segment, ts: Sentence, cue: tuple[int, int]) -> bool:
    """`"… ." Smith said the team was ready` starts a new statement; `"…?" he asked.` is a frame."""
    if seg.close is None or ts.start <= seg.close or not text[seg.start : seg.inner].rstrip().endswith("."):
        return True
    rest = text[cue[1] : ts.end]
    return len(rest.split()) <= 6 and not re.search(r"\bthat\b", rest)


def _to_end(text: str, seg: Segment) -> bool:
    """Does the quotation run to the end of its paragraph's sentence (only punctuation after it)?"""
    if seg.close is None:
        return True
    nxt = text[seg.close + 1 : seg.close + 40]
    return not nxt.strip(" .,;!?)\u00a0") or nxt.lstrip(" .!?")[:1] in ("\n", "")


def _head_frame(text: str, seg: Segment, a: int, after_quote: bool = False) -> tuple[_NP, tuple[int, int]] | None:
    """`Peskov said: "…"`, `He told reporters on Friday: "…"`, `Peskov's quote: "…"`, `According to X, "…"`."""
    head = text[a : seg.open].rstrip()
    end = a + len(head)
    ends = head[-1:] if head[-1:] in (":", ",") else ""
    toks = _tokens(text, a, end - len(ends))
    if not toks:
        return None
    words = [t[2].lower() for t in toks]
    if ends == ":" and words[-1] in STATEMENT_NOUNS and len(toks) >= 2 and _POSS.search(toks[-2][2]):
        poss = toks[-2]
        core = (poss[0], poss[1] - len(_POSS.search(poss[2]).group()))
        back = _np_backwards(text, toks[:-2])
        np = _NP((back.core[0], core[1]) if back else core, possessor=True)
        return np, (toks[-1][0], toks[-1][1])
    if ends == "," and len(toks) >= 3:
        k = max((i for i in range(len(toks) - 1) if words[i] == "according" and words[i + 1] == "to"), default=-1)
        if k >= 0 and len(toks) - k - 2 <= 8:
            np = _np_from_tokens(text, toks[k + 2 :])
            return np, (toks[k][0], toks[k + 1][1])
    if ends == ":":  # a headline "Putin: ‘We will …’" or a digest's "TOPIC - Jane Smith: “…”"
        dash = max((i for i, t in enumerate(toks) if t[2] in "-–—"), default=-1)
        name = toks[dash + 1 :]
        if name and len(name) <= 6 and (dash >= 0 or a == 0 or text[a - 1] == "\n") and all(
                t[2][:1].isupper() or t[2] in ("and", "&") for t in name) and not any(_is_speech(t[2]) for t in name):
            return _NP((name[0][0], name[-1][1])), (end - 1, end)
    limit = {":": 10, ",": 4}.get(ends, 0)
    if ends != ":" and not _sentence_like(text, seg) and not (ends == "," and (after_quote or _to_end(text, seg))):
        return None
    for v in range(len(toks) - 1, max(-1, len(toks) - 2 - limit), -1):
        if toks[v][2] in _SENT_PUNCT:
            return None
        if v and words[v - 1] in _DETERMINERS and words[v] not in STATEMENT_NOUNS:
            continue  # "the state broadcaster", "his reply": a noun, not the verb
        if v and SPEECH_FORMS.get(words[v]) in QUOTE_ONLY and not words[v].endswith("ed") and \
                toks[v - 1][2].islower() and words[v - 1] not in ADVERBS | set(PERSON_PRONOUNS) | GROUP_PRONOUNS:
            continue  # "told reporters on a conference call:": a noun after a noun, not the verb
        if _reporting(toks[v][2]) or (ends == ":" and words[v] in STATEMENT_NOUNS):
            np = _np_backwards(text, toks[:v])
            after = [t for t in toks[v + 1 :] if t[2] != ","]
            if np is None and after and words[v] in SPEECH_FORMS and after[0][2].lower() not in NP_BAD_START:
                np = _np_from_tokens(text, after)  # inverted: `“…,” said the senator, “…”`
            if np is None:
                return None
            return np, (toks[v][0], toks[v][1])
    return None


_QUANTIFIERS = {"one", "some", "many", "several", "both", "all", "most", "few", "two", "three", "others",
                "another", "officials", "critics", "supporters", "aides", "analysts", "experts", "sources"}


def _nominal(first: str) -> bool:
    """Can a speaker noun phrase start with this word? A name, a pronoun, a determiner or quantifier."""
    low = first.lower()
    return (first[:1].isupper() or low in PERSON_PRONOUNS or low in GROUP_PRONOUNS or low in _DETERMINERS
            or low in _QUANTIFIERS or low in ("i", "we", "you") or bool(_POSS.search(first)) or first[:1].isdigit())


def _person_noun(word: str) -> bool:
    """A noun for people: listed (``SOURCE_NOUNS``) or an agent noun by its ending ("pharmacist")."""
    return word in SOURCE_NOUNS or (len(word) > 5 and word.endswith(_PERSON_SUFFIX))


_TRAILING = {"there", "here", "too", "also", "themselves", "himself", "herself"}
_DESCRIBED_SUBJECT = re.compile(r"^[\s\"“‘'\-–—•*]*(?:(?:And|But)\s+)?(?:A|An|The|One)\s+((?:[\w'’-]+\s+){0,3}?)"
                                r"(" + "|".join(sorted(SOURCE_NOUNS, key=len, reverse=True))
                                + r"|[a-z]{3,}(?:ist|grapher|ician))\b(?!['’])")


_RELATIVE = {"who", "which", "whose", "whom"}


def _appositive(first: str) -> bool:
    """Does a stretch between commas after a subject, opening on this word, only describe it (a relative
    clause, "a professor of law", "the company's chief", "of the Platform group", an age)?"""
    low = first.lower()
    return low in _RELATIVE | {"a", "an", "the", "of", "from", "at", "with"} or first.isdigit()
_OF_ROLE = {"for", "of", "at", "with", "in", "from"}  # "a spokesman for BP", "the head of the agency"


def _np_backwards(text: str, toks: list[tuple[int, int, str]]) -> _NP | None:
    """The noun phrase that ends right before a verb: up to 7 words back, stopping at a comma, a
    preposition or a conjunction ("... on the border with Ukraine Peskov" → "Ukraine Peskov"). A relative
    clause between commas is passed over ("Minh Le, who owns two trawlers, said" → "Minh Le"), and a role
    before prepositional phrases is the head ("a spokesman for the network in Lagos" → "a spokesman", the
    rest its modifiers)."""
    i = len(toks)
    while i > 0 and toks[i - 1][2].lower() in ADVERBS | {","}:
        i -= 1
    last = i
    if i < len(toks) and toks[i][2] == ",":
        for _ in range(4):  # "X, 64, a professor of law and author of Y, a book about Z, said": X
            k = next((k for k in range(i - 1, max(-1, i - 26), -1) if toks[k][2] in _SENT_PUNCT or toks[k][2] == ","),
                     None)
            if k is None or toks[k][2] != "," or k + 1 >= i or not _appositive(toks[k + 1][2]):
                break
            i = k
    j = _np_start(toks, i)
    if j == i:
        return None
    core, extra = (toks[j][0], toks[i - 1][1]), ([(toks[i + 1][0], toks[last - 1][1])] if last > i + 1 else [])
    p = j
    while p > 0 and toks[p - 1][2] in _OF_ROLE and i - p < 14:  # lower case only: "In", "For" open a sentence
        q = _np_start(toks, p - 1)
        if q == p - 1:
            break
        if _POSS.sub("", toks[p - 2][2].lower()) in ROLE_NOUNS:
            core, extra = (toks[q][0], toks[p - 2][1]), [(toks[p - 1][0], toks[i - 1][1])]
            break
        p = q
    return _NP(core, extra)


def _np_start(toks: list[tuple[int, int, str]], i: int) -> int:
    """Where a noun phrase ending before token i starts: up to 7 words back, up to a comma, a preposition
    or a conjunction."""
    j = i
    while j > 0 and i - j < 7:
        w = toks[j - 1][2]
        if w in _SENT_PUNCT or w in ",—–-" or (w.lower() in NP_BAD_START and w.islower()):
            break
        j -= 1
    while j < i - 1 and toks[j][2].lower() in ADVERBS | {"meanwhile", "however", "separately", "earlier"}:
        j += 1  # "Later the company said": the adverb opening the sentence is no part of the speaker
    return j


def _np_from_tokens(text: str, toks: list[tuple[int, int, str]]) -> _NP:
    """Split a noun phrase read forwards into its core and the appositives/modifiers after it."""
    cut = len(toks)
    for k, t in enumerate(toks):
        if k and (t[2] == "," or t[2].lower() in PREPOSITIONS):
            cut = k
            break
    core = (toks[0][0], toks[cut - 1][1])
    rest = [t for t in toks[cut:] if t[2] != ","]
    extra = [(rest[0][0], rest[-1][1])] if rest else []
    return _NP(core, extra)


# ---------------------------------------------------------------------------------------------------
# Speaker resolution


# A transcript line's speaker label: "BLITZER: ...", "TAREK MASOUD, PROFESSOR, HARVARD UNIVERSITY: ...".
_LABEL = re.compile(r"^[\s\-–—•*]*((?:[A-Z][A-Z'’.-]*\s){0,3}[A-Z][A-Z'’.-]+)"
                    r"(?:,\s[A-Z][A-Z0-9 ,.'’()&/-]{0,80}?)?(?:\s\([a-z][a-z -]{1,20}\))?:(?:\s|$)")
_NOT_LABELS = {"UPDATE", "UPDATED", "UPDATES", "NOTE", "EDITOR'S NOTE", "BREAKING", "BREAKING NEWS", "CORRECTION",
               "CLARIFICATION", "WATCH", "VIDEO", "PHOTOS", "PHOTO", "AUDIO", "READ", "READ MORE", "MORE", "RELATED",
               "ALSO", "SOURCE", "SOURCES", "NEW", "LIVE", "BACKGROUND", "DETAILS", "QUESTION", "ANSWER", "TOPICS",
               "WARNING", "ALERT", "SPOILER", "TRANSCRIPT", "END", "BEGIN", "CNN", "BBC", "AP", "AFP", "UPI"}
_ANONYMOUS_LABEL = re.compile(r"\b(?:UNIDENTIFIED|UNKNOWN|CROWD|ANNOUNCER|VOICE|VOICES|CHORUS|MALE|FEMALE|GROUP)\b")


def transcript_speakers(sentences: Sequence[Sentence]) -> dict[int, str | None]:
    """The paragraphs of an interview or broadcast transcript, each with who speaks it: its label in title
    case ("BLITZER" → "Blitzer", "ARWA DAMON, CNN CORRESPONDENT (on camera):" → "Arwa Damon"; None for
    "UNIDENTIFIED MALE"). Only where a document has two labelled paragraphs or more, so that a lone
    headline "WASHINGTON: ..." is not taken for a transcript. Where three or more are labelled with two
    names or more (a conversation), an unlabelled paragraph after a label is that speaker's turn running
    on."""
    labels: dict[int, str | None] = {}
    order: list[int] = []
    for s in sentences:
        if order and order[-1] == s.paragraph:
            continue
        order.append(s.paragraph)
        m = _LABEL.match(s.text)
        if m is None or m.group(1) in _NOT_LABELS or not re.search(r"[A-Z]{3}", m.group(1)):
            continue
        name = m.group(1)
        labels[s.paragraph] = None if _ANONYMOUS_LABEL.search(name) else " ".join(
            w.title() if len(w) > 2 else w for w in name.split())
    if len(labels) < 2:
        return {}
    if len(labels) < 3 or len(set(labels.values())) < 2:
        return labels
    out: dict[int, str | None] = {}
    current: str | None = None
    started = False
    for p in order:
        if p in labels:
            current, started = labels[p], True
        if started:
            out[p] = current
    return out


class _Context:
    """What the document has said so far: mentions per sentence, speakers, roles and genders."""

    def __init__(self, text: str, sentences: Sequence[Sentence], entities: Sequence[Entity],
                 inside: _Mask, sent_of) -> None:
        self.text = text
        self.inside = inside
        self.sentences = sentences
        self.entities = sorted(entities, key=lambda e: e.start)
        self.starts = [e.start for e in self.entities]
        self.sent_of = sent_of
        # Sentences that are page furniture (a dateline "WASHINGTON (Reuters) -", a credit): their names are
        # never what "it", "the company" or a sentence's subject refers to.
        self.furniture = {k for k, s in enumerate(sentences)
                          if sentence_kind.kind(s.text) in ("credit", "byline", "caption")}
        self.by_sentence: dict[int, list[Entity]] = {}  # by position in ``sentences``
        for e in self.entities:
            if not inside(e.start) and sent_of(e.start) not in self.furniture:
                self.by_sentence.setdefault(sent_of(e.start), []).append(e)
        self.speakers: dict[int, list[tuple[str, str]]] = {}  # sentence -> (name, label) of its speakers
        self.gender: dict[str, str] = {}
        self.roles: dict[str, set[str]] = {}
        self.full_names = {e.canonical or e.text for e in self.entities if e.label == "PERSON"}
        self.by_text = {e.text.lower(): (e.canonical or e.text, e.label) for e in self.entities}
        self._subject: dict[int, tuple[str, str] | None] = {}
        self.labels = transcript_speakers(sentences)  # paragraph -> who speaks it, in a transcript
        self.author = next((n for s in sentences[:3] if (n := sentence_kind.byline_name(s.text))), None)
        self.full_names |= {n for n in self.labels.values() if n and " " in n}  # "KOVAC:" after "MARTA KOVAC, ..."
        for e in self.entities:
            if e.label == "PERSON":
                self._learn_titles(e)

    def _learn_titles(self, e: Entity) -> None:
        a = max(self.sentences[self.sent_of(e.start)].start, e.start - 80)
        name = e.canonical or e.text
        for w in reversed(self.text[a : e.start].split()[-5:]):
            lw = w.lower().rstrip(",")
            if w.endswith(",") or not (lw in _TITLE_WORDS or w[:1].isupper()):
                break
            if lw in GENDER_WORDS:
                self.gender.setdefault(name, GENDER_WORDS[lw])
            lw = ABBREVIATIONS.get(lw, lw)
            if lw in ROLE_NOUNS:
                self.roles.setdefault(name, set()).add(lw)

    def entities_in(self, a: int, b: int) -> list[Entity]:
        """Entities overlapping text[a:b], in order."""
        out = []
        for e in self.entities[bisect_right(self.starts, a - 120) :]:
            if e.start >= b:
                break
            if e.end > a:
                out.append(e)
        return out

    def register(self, sentence: int, name: str, label: str) -> None:
        self.speakers.setdefault(sentence, []).append((name, label))

    def subject(self, k: int, depth: int = 0) -> tuple[str, str] | None:
        """The sentence's likely subject: a speaker, else its first person named outside quotes, else a
        resolved sentence-initial "He"/"She"."""
        if k in self._subject:
            return self._subject[k]
        found: tuple[str, str] | None = None
        s = self.sentences[k]
        first = s.text.lstrip("-–—•* ").split(" ", 1)[0].lower()
        if first in PERSON_PRONOUNS and depth < 3:
            name = self.resolve_person(k, PERSON_PRONOUNS[first], depth + 1)
            found = (name, "PERSON") if name else None
        if found is None:
            persons = [e for e in self.by_sentence.get(k, []) if e.label == "PERSON"]
            if persons:
                found = (persons[0].canonical or persons[0].text, "PERSON")
        self._subject[k] = found
        return found

    def resolve_person(self, k: int, gender: str | None, depth: int = 0) -> str | None:
        """The most recent person speaker or sentence subject of a compatible gender (8 sentences back)."""
        for j in range(k - 1, max(-1, k - 9), -1):
            cands = list(reversed(self.speakers.get(j, [])))
            subj = self.subject(j, depth)
            if subj:
                cands.append(subj)
            for name, label in cands:
                if label == "PERSON" and (gender is None or self.gender.get(name, gender) == gender):
                    if gender:
                        self.gender.setdefault(name, gender)
                    return name
        if depth == 0:  # nobody named: a person the sentences just before describe ("a spokeswoman")
            for j in range(k - 1, max(-1, k - 4), -1):
                if (found := self.described_subject(j, gender)) is not None:
                    return found
        return None

    def described_subject(self, k: int, gender: str | None) -> str | None:
        """A person the sentence opens on without naming ("A spokeswoman for BP refused to comment."):
        "a spokeswoman", when compatible with ``gender``."""
        m = _DESCRIBED_SUBJECT.match(self.sentences[k].text)
        if m is None:
            return None
        head = m.group(2).lower()
        if not _person_noun(head) or head.endswith("s") or head in _COLLECTIVE:
            return None
        if gender and GENDER_WORDS.get(head, gender) != gender:
            return None
        return " ".join(["a", *m.group(1).split(), head])

    def transcript_speaker(self, k: int) -> str | None:
        """Who speaks sentence k's transcript line, by the name the document gives them in full."""
        label = self.labels.get(self.sentences[k].paragraph)
        return self.match_name(label)[0] if label else None

    def addressee(self, k: int) -> str | None:
        """"you" in a transcript line: the last other speaker before it (the one being answered or asked)."""
        p = self.sentences[k].paragraph
        me = self.labels.get(p)
        for q in sorted((q for q in self.labels if q < p), reverse=True)[:4]:
            if self.labels[q] and self.labels[q] != me:
                return self.match_name(self.labels[q])[0]
        return None

    def resolve_group(self, k: int) -> str | None:
        """"it"/"they": the most recent organisation or country that spoke, else one named as a subject."""
        for j in range(k - 1, max(-1, k - 9), -1):
            for name, label in reversed(self.speakers.get(j, [])):
                if label != "PERSON":
                    return name
            orgs = [e for e in self.by_sentence.get(j, []) if e.label in ("ORG", "GPE", "NORP")]
            if orgs:
                best = next((e for e in orgs if e.label == "ORG"), orgs[0])
                return best.canonical or best.text
        return None

    def resolve_role(self, role: str, k: int) -> str | None:
        """"the spokesman": the person last introduced with that role; a generic role ("the official",
        "the Russian leader") falls back to the most recent person."""
        for j in range(k, -1, -1):
            for name, label in reversed(self.speakers.get(j, [])):
                if label == "PERSON" and role in self.roles.get(name, ()):
                    return name
            for e in reversed(self.by_sentence.get(j, [])):
                name = e.canonical or e.text
                if e.label == "PERSON" and role in self.roles.get(name, ()):
                    return name
        return self.resolve_person(k, None) if role in GENERIC_ROLES else None

    def resolve_org_noun(self, noun: str, position: int) -> str | None:
        """"the ministry": the last organisation named before whose name has that word; "the company",
        "the oil giant": else the last organisation named before (in the article's own words)."""
        before = [e for e in self.entities if e.start < position and e.label in ("ORG", "FAC")
                  and self.sent_of(e.start) not in self.furniture]
        for e in reversed(before):
            if noun in (e.canonical or e.text).lower().split():
                return e.canonical or e.text
        if noun in COMPANY_NOUNS:
            for e in reversed(before):
                if e.label == "ORG" and not self.inside(e.start):
                    return e.canonical or e.text
        return None

    def recent_org_speaker(self, k: int) -> str | None:
        for j in range(k, max(-1, k - 12), -1):
            for name, label in reversed(self.speakers.get(j, [])):
                if label != "PERSON":
                    return name
        return None

    def match_name(self, name: str) -> tuple[str, str]:
        """A name the NER missed here, with a label: its canonical form where the model found it elsewhere
        in the document, else the document's full person name that ends with it, else the name itself
        (a person when it has two words or more)."""
        if name.lower() in self.by_text:
            return self.by_text[name.lower()]
        toks = name.lower().split()
        # longest first; on a tie ("PETER TURNLEY" from the text, "Peter Turnley" from a transcript label) the
        # written-out form, then the alphabet: never the set's order, which changes with Python's hash seed
        for full in sorted(self.full_names, key=lambda n: (-len(n), n.isupper(), n)):
            ft = full.lower().split()
            if len(ft) > len(toks) and ft[-len(toks) :] == toks:
                return full, "PERSON"
        return name, "PERSON" if len(toks) > 1 else "ORG"

    def speaker(self, np: _NP, k: int) -> tuple[str | None, tuple[int, int], str]:
        """(canonical speaker or None, the span written for it, label) for a speaker noun phrase: a
        name in it, else a pronoun, role, statement or organisation word resolved from context."""
        a, b = np.core
        words = self.text[a:b].split()
        last = _POSS.sub("", words[-1].lower()) if words else ""
        ents = self.entities_in(a, b)
        own = [e for e in ents if (np.possessor or not _POSS.match(self.text[e.end : e.end + 2])) and not (
            # a nationality or place that only qualifies the head noun ("the British oil giant", "a Louisiana
            # shrimper") is not who speaks: the head says who
            e.label in ("NORP", "GPE") and re.search(r"\b[a-z][a-z'’-]+$", self.text[e.end : b])
            or re.match(r"-(?:based|headquartered)\b", self.text[e.end : e.end + 14]))]  # "Yorkshire-based X"
        extra = [e for x, y in np.extra for e in self.entities_in(x, y)]

        def named(e: Entity) -> tuple[str, tuple[int, int], str]:
            return e.canonical or e.text, (e.start, e.end), e.label

        def described(words: list[str]) -> tuple[str | None, tuple[int, int], str]:
            """An unnamed source as written, without determiners or quantifiers ("some health officials"
            → "health officials"); None unless its head is a noun for people (``SOURCE_NOUNS``)."""
            rest = [w for w in words if w.lower() not in _DETERMINERS | _QUANTIFIERS - {"officials", "critics",
                    "supporters", "aides", "analysts", "experts", "sources"}]
            head = _POSS.sub("", rest[-1]).lower() if rest else ""
            singular = head[:-1] if head.endswith("s") else head
            if rest and len(rest) <= 4 and head in ORG_NOUNS and words[0].lower() == "the":
                return " ".join(rest), np.core, "ORG"  # "the government", "the health ministry"
            if rest and len(rest) <= 4 and (head in _ORG_DESCRIBED or singular in _ORG_DESCRIBED or (
                    head.endswith("ies") and head[:-3] + "y" in _ORG_DESCRIBED)):
                return " ".join(rest), np.core, "GROUP"  # "oil companies", "environmental groups"
            if rest and len(rest) <= 4 and head in DOCUMENT_NOUNS:
                return " ".join(w.lower() if w[:1].isupper() and w.lower() in DOCUMENT_NOUNS else w
                                for w in rest), np.core, "DOCUMENT"  # "preliminary reports", "research"
            head = head.rsplit("-", 1)[0] if "-" in head and head.rsplit("-", 1)[0] in ROLE_NOUNS else head
            singular = head[:-1] if head.endswith("s") else head  # "director-general": a director
            if not rest or len(rest) > 6 or not head.isalpha() or not (_person_noun(head) or _person_noun(singular)):
                return None, np.core, ""
            first = rest[0]
            if first is words[0] and not first.isupper() and not self.text[self.sentences[k].start : a].strip(
                    " \"“‘'([-–—•*") and not any(e.start <= a < e.end for e in ents):
                rest = [first.lower()] + rest[1:]  # capitalised only because it opens the sentence
            if not (head in _COLLECTIVE or (head.endswith("s") and singular in SOURCE_NOUNS)):
                # one person: "a witness", not "witness"
                vowel = rest[0][:1] in "aeio" or rest[0][:2] == "un"  # "an official", not "an US official"
                article = [("an" if vowel else "a")] if words[0].lower() in ("a", "an", "one") else []
                return " ".join(article + rest), np.core, "PERSON"
            return " ".join(rest), np.core, "GROUP"

        if len(words) == 1 and last in FIRST_PERSON:
            if self.sentences[k].paragraph in self.labels:
                return self.transcript_speaker(k), np.core, "PERSON"
            return (self.author if last in ("i", "me") else None), np.core, "PERSON"
        if len(words) == 1 and last == "you":
            return (self.addressee(k) if self.sentences[k].paragraph in self.labels else None), np.core, "PERSON"
        if len(words) == 1 and not ents and re.match(r"\s*wrote:", self.text[b : b + 12]):
            return words[0], np.core, "PERSON"  # a reader comment's author, by their handle ("ebed09 wrote:")
        if len(words) == 1 and last in _QUANTIFIERS | {"none", "each", "most"} and np.extra and (
                m := re.match(r"of\s+", self.text[np.extra[0][0] : np.extra[0][1]])):
            # "one of the sources", "many of the protesters": who they are one of
            x, y = np.extra[0]
            toks = [t for t in _tokens(self.text, x + m.end(), y) if t[2].lower() not in _TRAILING]
            if toks:
                return self.speaker(_np_from_tokens(self.text, toks), k)
        if len(words) == 1 and last in PERSON_PRONOUNS:
            return self.resolve_person(k, PERSON_PRONOUNS[last]), np.core, "PERSON"
        if len(words) == 1 and last in GROUP_PRONOUNS:
            return self.resolve_group(k), np.core, "ORG"
        persons = [e for e in own if e.label == "PERSON"]
        if persons:
            return named(persons[-1])
        definite = bool(words) and (words[0].lower() in DEFINITE or bool(_POSS.search(words[0])))
        if last in STATEMENT_NOUNS:
            if ents:
                return ents[-1].canonical or ents[-1].text, np.core, ents[-1].label
            # "a statement on the website of the venue, Arena Monterrey"
            by = [e for e in extra if e.label in ("ORG", "PERSON", "GPE", "NORP")]
            org = self.recent_org_speaker(k)
            if by and not org:
                return by[-1].canonical or by[-1].text, np.core, by[-1].label
            return org, np.core, "ORG"
        if last in ROLE_NOUNS or (last.endswith("s") and last[:-1] in ROLE_NOUNS):
            appos = [e for e in extra if e.label == "PERSON"]
            if appos:
                return appos[0].canonical or appos[0].text, np.core, "PERSON"
            if definite:
                name = self.resolve_role(last if last in ROLE_NOUNS else last[:-1], k)
                if name:
                    return name, np.core, "PERSON"
            orgs = [e for e in own + extra if e.label == "ORG"]  # "the Kremlin official", not "the Florida senator"
            if orgs:
                return orgs[0].canonical or orgs[0].text, np.core, orgs[0].label
            return described(words)
        if last in GENDER_WORDS:  # "Mr Robin's wife, Lisa,": the appositive, never the possessor
            appos = [e for e in extra if e.label == "PERSON"]
            return (appos[0].canonical or appos[0].text if appos else None), np.core, "PERSON"
        if own:
            return named(own[-1])
        if (last in ORG_NOUNS or last in COMPANY_NOUNS) and definite:
            found = self.resolve_org_noun(last, a)
            if found:
                return found, np.core, "ORG"
        plain = [w for w in words if w.lower() not in _TITLE_WORDS | DEFINITE]
        while len(plain) > 1 and plain[0].rstrip(".").lower() in COMPANY_SUFFIXES:
            plain = plain[1:]  # "LLC Dean says": the end of the line before ran into the name
        opens = words[0] is plain[0] if plain else False
        if opens and len(plain) == 1 and not self.text[self.sentences[k].start : a].strip(" \"“‘'([-–—•*") and (
                (found := described(words))[0] is not None):
            return found  # "Forecasters suggest …", "Members of the team said …": capitalised as the sentence opens
        if plain and len(plain) <= 4 and all(w[:1].isupper() and (w.lower() not in STOP_WORDS or (
                len(w) > 1 and w.isupper())) for w in plain) and not any(_POSS.search(w) for w in plain[:-1]):
            name = _POSS.sub("", " ".join(plain))
            if name.lower() not in PERSON_PRONOUNS and name.lower() not in GROUP_PRONOUNS:
                matched, label = self.match_name(name)
                return matched, np.core, label
        return described(words)


# ---------------------------------------------------------------------------------------------------
# 3. The parse


def parse(texts: Sequence[str], batch_size: int = 64) -> list:
    """Dependency parses without the NER component: entities come from ``extract_entities`` already, and
    NER is most of the pipeline's cost (the parse alone runs ~3x faster)."""
    nlp = load_model()
    disable = [p for p in nlp.pipe_names if p == "ner"]
    return list(nlp.pipe(texts, batch_size=batch_size, disable=disable))


class _Mask:
    """Is a document position inside quotation marks?"""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.spans = sorted((s.open, (s.close if s.close is not None else s.end) + 1) for s in segments)
        self.starts = [a for a, _ in self.spans]

    def __call__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]


def _span(tokens) -> tuple[int, int]:
    toks = list(tokens)
    return min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks)


def _subject_np(verb, base: int, hops: int = 0) -> _NP | None:
    """The speaker noun phrase of a speech verb in the parse: its subject (the nearest on its left when
    the parser found two), the agent of a passive, or, for a verb that has none, the subject of the verb
    it depends on ("... and assured that", "goes on to say", "adding that", "by saying")."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    subj = max((c for c in subjects if c.i < verb.i), key=lambda c: c.i, default=None) or next(iter(subjects), None)
    if subj is None:
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        if agent is not None:
            subj = next((c for c in agent.children if c.dep_ == "pobj"), None)
    if subj is None and hops < 3 and (verb.dep_ in ("conj", "xcomp") or (
            verb.dep_ in ("advcl", "pcomp", "acl") and verb.text.lower().endswith("ing"))):
        # Through a preposition ("by saying"); a speech verb first, in case the parser hung "and assured
        # that" on the reported clause ("emphasized that Russia and the US bear ..., and assured that").
        verbs = [a for a in list(verb.ancestors)[:4] if a.pos_ in ("VERB", "AUX")]
        head = next((a for a in verbs if a.lower_ in SPEECH_FORMS), verbs[0] if verbs else None)
        if head is not None:
            return _subject_np(head, base, hops + 1)
    if subj is None or subj.dep_ == "expl" or subj.lower_ in ("there",):
        return None
    if subj.lower_ in ("who", "which", "that") and verb.dep_ in ("relcl", "acl") and verb.head.pos_ in (
            "NOUN", "PROPN", "PRON"):
        subj = verb.head  # "the report, which said ...": the report
    return _np_of(subj, base)


def _np_of(head, base: int) -> _NP:
    if head.text[:1].isupper():
        # "Naperville, Illinois-based Nalco said": the name before the comma only says where the appositive
        # (a name, not "a Texas-based lawyer") is based; the appositive speaks
        based = next((c for c in head.children if c.dep_ == "appos" and c.i > head.i and c.text[:1].isupper()
                      and any(t.lower_ in ("based", "headquartered") and t.i < c.i for t in c.children)
                      and not any(t.dep_ == "det" for t in c.children)), None)
        if based is not None:
            return _np_of(based, base)
    left = [head] + [t for c in head.children if c.i < head.i and c.dep_ != "punct" for t in c.subtree]
    a, b = _span(left)
    extra = []
    for c in head.children:
        if c.i > head.i and c.dep_ in ("appos", "prep", "compound", "flat", "npadvmod"):
            x, y = _span(c.subtree)
            extra.append((base + x, base + y))
        elif c.i > head.i and c.dep_ == "cc":
            break
    return _NP((base + a, base + b), extra)


def _content_of(verb) -> tuple[int, int, object] | None:
    """The clausal complement of a speech verb (what was said), with its head token."""
    lemma = SPEECH_FORMS.get(verb.lower_)
    for c in verb.children:
        if c.dep_ == "ccomp" or (c.dep_ == "xcomp" and lemma in TO_COMPLEMENT):
            a, b = _span(c.subtree)
            return a, b, c
    # A that-clause the parser hung on a noun of the verb's adjuncts ("told the channel earlier in the
    # day that work was underway"): its "that" is a complementizer, so it is the verb's complement.
    for t in verb.subtree:
        if t.dep_ in ("relcl", "acl") and t.i > verb.i and _same(_first_verb_ancestor(t), verb) and any(
                c.dep_ == "mark" and c.lower_ in ("that", "whether") for c in t.children):
            a, b = _span(t.subtree)
            return a, b, t
    return None


def _same(a, b) -> bool:
    """Token identity (spaCy makes a new Token object on every access)."""
    return a is not None and b is not None and a.i == b.i


def _first_verb_ancestor(tok):
    for a in tok.ancestors:
        if a.pos_ in ("VERB", "AUX"):
            return a
    return None


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in ",;:—–-"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:.—–-"):
        b -= 1
    return a, b


# ---------------------------------------------------------------------------------------------------
# Putting it together


def attributions(doc_id: str, text: str, sentences: list[Sentence], entities: list[Entity]) -> list[Attribution]:
    """Every attribution of a document with its content, speaker and cue spans (see ``extract_quotes``)."""
    if not sentences:
        return []
    sentences = sorted(sentences, key=lambda s: s.start)
    sent_starts = [s.start for s in sentences]
    para_spans: dict[int, tuple[int, int]] = {}
    for s in sentences:
        a, b = para_spans.get(s.paragraph, (s.start, s.end))
        para_spans[s.paragraph] = (min(a, s.start), max(b, s.end))
    para_order = sorted(para_spans)
    paragraphs = [para_spans[p] for p in para_order]
    segments = find_quotations(text, paragraphs)
    inside = _Mask(segments)

    def sent_of(pos: int) -> int:
        return max(0, bisect_right(sent_starts, pos) - 1)

    ctx = _Context(text, sentences, entities, inside, sent_of)

    # Frames by pattern, per chain.
    chains: dict[int, list[Segment]] = {}
    for seg in segments:
        chains.setdefault(seg.chain, []).append(seg)
    units: list[_Unit] = []
    used_cues: set[int] = set()
    chain_unit: dict[int, _Unit] = {}
    for ci, segs in chains.items():
        frame = None
        for seg in segs:
            frame = _frame(text, seg, segments, sentences, sent_of)
            if frame:
                break
        first = segs[0]
        k = sent_of(first.start)
        if frame:
            np, cue = frame
            used_cues.add(cue[0])
            unit = _Unit("direct", segs, (first.start, segs[-1].end), sent_of(cue[0]), cue[0], np, cue,
                         framed=True)
        else:
            s = sentences[k]
            starts_sentence = _LEAD.fullmatch(text[s.start : first.open]) is not None
            unit = _Unit("direct", segs, (first.start, segs[-1].end), k, first.start,
                         inherit=starts_sentence and _sentence_like(text, first) and not _named(text, first))
        chain_unit[ci] = unit
        units.append(unit)

    # The parse, for sentences with a speech verb outside quotation marks that no frame used.
    todo = []
    waiting = {sent_of(g.open) for g in segments if not chain_unit[g.chain].framed}
    colon = {sent_of(g.open) for g in segments if not chain_unit[g.chain].framed and _after_colon(text, g)}
    for k, s in enumerate(sentences):
        for m in _SPEECH_RE.finditer(s.text):
            pos = s.start + m.start()
            if not inside(pos) and pos not in used_cues and (
                    k in waiting or SPEECH_FORMS.get(m.group()) not in FRAME_ONLY):
                todo.append((k, s))
                break
        else:
            if k in colon:
                todo.append((k, s))
    parsed_units = _from_parse(text, todo, segments, chain_unit, used_cues, inside) if todo else []
    units.extend(parsed_units)

    # Resolve in document order; unframed quotes continue the previous sentence's speaker.
    units.sort(key=lambda u: (u.sentence, u.position))
    current = -1
    pending: list[tuple[str, str]] = []  # a sentence's speakers, registered once it is done
    last_unit: dict[int, _Unit] = {}  # the last attributed unit of each sentence
    for u in units:
        if u.sentence != current:
            for name, label in pending:
                ctx.register(current, name, label)
            pending, current = [], u.sentence
        if u.np is not None:
            u.speaker, u.speaker_span, u.label = ctx.speaker(u.np, u.sentence)
            u.speaker_text = text[u.speaker_span[0] : u.speaker_span[1]]
        elif u.inherit and not u.framed and (prev := _continued(last_unit, u.sentence)) is not None:
            u.speaker, u.label = prev.speaker, prev.label
            if prev.sentence == u.sentence - 1:  # named in the sentence before: point at that mention
                u.speaker_text, u.speaker_span, u.cue = prev.speaker_text, prev.speaker_span, prev.cue
        elif u.inherit and not u.framed and u.sentence > 0 and not inside(sentences[u.sentence - 1].start) and (
                subj := ctx.subject(u.sentence - 1)) is not None and subj[1] == "PERSON":
            # `Gov. Bobby Jindal scoffed at the plan.` / `"This is a disaster for our state."`: a quote
            # standing after a sentence about a person is that person's (no speaker mention to point at).
            u.speaker, u.label = subj
        if u.speaker:
            if (u.speaker_text or "").lower() not in FIRST_PERSON | {"you"}:  # "I" is no antecedent of "he"
                pending.append((u.speaker, u.label or "PERSON"))
            last_unit[u.sentence] = u
            ends = sent_of(max([u.content[1]] + [g.end for g in u.segments]) - 1)
            if ends > u.sentence:  # a quote that runs on past its cue's sentence is continued after its end
                last_unit[ends] = u
    for name, label in pending:
        ctx.register(current, name, label)

    out: list[Attribution] = []
    for u in units:
        if u.kind == "direct" and not u.framed and not u.inherit:
            continue
        if u.kind != "direct" and u.speaker is None and (u.speaker_text or "").lower() in WRITER_VOICE:
            continue  # the writer's own voice ("I must say", "as you said"), no one quoted
        if u.kind == "direct" and not u.framed and u.speaker is None and not _standalone(text, u, sentences,
                                                                                        sent_of):
            continue
        cue = text[u.cue[0] : u.cue[1]] if u.cue and text[u.cue[0] : u.cue[1]] != ":" else None
        sp = u.speaker_span
        if u.kind == "indirect":
            a, b = u.content
            m = re.match(r"(?:that|whether|if)\s+", text[a:b])
            qa = a + m.end() if m and b - a - m.end() > 0 else a
            q = Quote(doc_id, sentences[sent_of(qa)].index, qa, b, text[qa:b], u.speaker, u.speaker_text, cue,
                      "indirect")
            out.append(Attribution(q, a, b, sp[0] if sp else None, sp[1] if sp else None,
                                   u.cue[0] if u.cue else None, u.cue[1] if u.cue else None))
            continue
        for seg in u.segments:
            qa, qb = seg.start, seg.end
            if u.kind == "partial" and text[qb - 1] == ".":  # the full stop belongs to the sentence
                qb = max(qa + 1, qb - 1)
            q = Quote(doc_id, sentences[sent_of(qa)].index, qa, qb, text[qa:qb], u.speaker, u.speaker_text, cue,
                      u.kind)
            ca, cb = (u.content if u.kind == "partial" else (seg.start, seg.end))
            out.append(Attribution(q, ca, cb, sp[0] if sp else None, sp[1] if sp else None,
                                   u.cue[0] if u.cue else None, u.cue[1] if u.cue else None))
    out.sort(key=lambda a: (a.quote.start, a.quote.end))
    return out


CONTINUE_SENTENCES = 1  # how far back (after the end of the last attributed quote) an unframed quote looks


def _continued(last_unit: dict[int, _Unit], k: int) -> _Unit | None:
    """The attributed quote an unframed one at sentence k continues: news runs a speaker's words on over
    several paragraphs and names them once (`"…," he said.` / `"…"`), so the latest one in the
    ``CONTINUE_SENTENCES`` sentences before."""
    for j in range(k - 1, k - 1 - CONTINUE_SENTENCES, -1):
        if j in last_unit:
            return last_unit[j]
    return None


def _standalone(text: str, u: _Unit, sentences: Sequence[Sentence], sent_of) -> bool:
    """An unattributed quote is still kept when it is a sentence of its own (words, not a title)."""
    seg = u.segments[0]
    s = sentences[sent_of(seg.start)]
    rest = text[(seg.close or seg.end) + 1 : s.end].strip(" .,!?;:-–—\"”»“")
    return _sentence_like(text, seg) and len(text[seg.start : seg.end].split()) >= 4 and not rest


def _prev_close(segments: Sequence[Segment], seg: Segment, s: Sentence) -> int:
    return max((o.close + 1 for o in segments if o.close is not None and s.start <= o.close < seg.open),
               default=s.start)


def _frame(text: str, seg: Segment, segments: Sequence[Segment], sentences: Sequence[Sentence],
           sent_of) -> tuple[_NP, tuple[int, int]] | None:
    """The cue and speaker phrase around one quotation segment, by pattern (tail first, then head)."""
    k = sent_of(seg.start)
    s = sentences[k]
    if seg.close is not None:
        after = seg.close + 1
        nxt = next((o.open for o in segments if o.open > seg.open and o.paragraph == seg.paragraph), None)
        m = re.search(r"\S", text[after : after + 400])
        if m:
            ts = sentences[sent_of(after + m.start())]
            end = ts.end if nxt is None else min(ts.end, nxt)
            if ts.paragraph == s.paragraph and end > after:
                found = _tail_frame(text, seg, after, end)
                lead = text[max(s.start, _prev_close(segments, seg, s)) : seg.open].strip()
                if lead and lead[-1] not in ":,;—–-" and (_named(text, seg) or not _sentence_like(text, seg)):
                    found = None  # `on Fox News’s “Sunday Morning Futures,” Issa said`: a name, not a quote
                if found and _short_frame(text, seg, ts, found[1]):
                    return found
    a = max(s.start, _prev_close(segments, seg, s))
    if text[a : seg.open].strip() == "" and k > 0 and sentences[k - 1].text.rstrip().endswith(":"):
        p = sentences[k - 1]
        if not any(p.start <= o.open < p.end for o in segments):
            return _head_frame(text, seg, p.start)
    if seg.open > a:
        return _head_frame(text, seg, a, after_quote=a > s.start)
    return None


def _from_parse(text: str, todo: Sequence[tuple[int, Sentence]], segments: Sequence[Segment],
                chain_unit: dict[int, _Unit], used_cues: set[int], inside: _Mask) -> list[_Unit]:
    """Indirect speech and partial quotes from the parse of the sentences in ``todo`` (position, sentence);
    also attaches quotations no pattern framed to the speech verb that introduces or governs them."""
    out: list[_Unit] = []
    for (k, s), doc in zip(todo, parse([s.text for _, s in todo]), strict=True):
        base = s.start
        for tok in doc:
            pos = base + tok.idx
            if inside(pos) or pos in used_cues:
                continue
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                unit = _according(text, doc, tok, base, k)
                if unit:
                    out.append(unit)
                continue
            lemma = SPEECH_FORMS.get(tok.lower_)
            if lemma is None or tok.pos_ != "VERB":
                continue
            np = _subject_np(tok, base)
            cue = (pos, pos + len(tok.text))
            free = [g for g in segments if s.start <= g.open < s.end and not chain_unit[g.chain].framed]

            def attach(g: Segment, kind: str, content: tuple[int, int], np: _NP | None = np,
                       cue: tuple[int, int] = cue, pos: int = pos, k: int = k) -> None:
                unit = chain_unit[g.chain]
                unit.kind, unit.np, unit.cue, unit.framed, unit.inherit = kind, np, cue, True, False
                unit.content, unit.sentence, unit.position = content, k, pos
                used_cues.add(pos)

            g = _introduced(text, cue[1], free)
            if g is not None:  # `... by saying “Too many.”`, `The email goes on to say: “…”`
                gap = text[cue[1] : g.open].strip()
                if _sentence_like(text, g) or gap.endswith(":") or (_to_end(text, g) and len(
                        text[g.start : g.end].split()) >= 3 and (gap.endswith(",") or not gap)):
                    attach(g, "direct", (g.start, g.end))
                    continue
            if np is None:
                continue
            content = _content_of(tok)
            if content is None and g is not None and not text[cue[1] : g.open].strip() and not _named(text, g, False):
                attach(g, "partial", (g.start, g.end))  # `by saying “too many”`
                continue
            if content is None:
                # Quotations the verb governs without a clause: `called the plan “a disaster.”` (its own
                # arguments only: a coordinated "and said ..." is another verb's business).
                args = [_span(c.subtree) for c in tok.children if c.dep_ in _ARGUMENTS]
                for g in free:
                    if any(base + x <= g.start < base + y for x, y in args) and not _named(text, g):
                        attach(g, "direct" if _sentence_like(text, g) else "partial", (g.start, g.end))
                continue
            a, b = _trim(text, base + content[0], base + content[1])
            if b - a < 3 or _ANONYMITY.match(text, a):
                continue
            overlapping = [g for g in segments if g.start < b and g.end > a]
            if not overlapping:
                head = content[2]
                if lemma in QUOTE_ONLY | FRAME_ONLY or len(list(head.subtree)) < 3 or not any(
                        t.pos_ in ("VERB", "AUX") for t in head.subtree):
                    continue
                out.append(_Unit("indirect", [], (a, b), k, pos, np, cue, framed=True))
                used_cues.add(pos)
                continue
            b = max([b] + [g.end for g in overlapping if a <= g.start])  # a quote running past the parse
            for g in overlapping:
                if chain_unit[g.chain].framed:
                    continue
                covered = (min(b, g.end) - max(a, g.start)) / max(1, b - a)
                lead = text[a : g.open].strip().lower()
                if covered >= 0.6 and lead in ("", "that", "whether", "if") and (
                        _sentence_like(text, g) or _to_end(text, g)):
                    attach(g, "direct", (g.start, g.end))
                elif a <= g.start and not _named(text, g):
                    attach(g, "partial", (a, b))
        # `Trump went even further: “If he goes forward …”`: a colon introduces a quote without a speech verb.
        for g in segments:
            if s.start <= g.open < s.end and not chain_unit[g.chain].framed and _after_colon(text, g) and \
                    _sentence_like(text, g):
                colon_tok = next((t for t in doc if base + t.idx < g.open and t.text == ":" and
                                  not text[base + t.idx + 1 : g.open].strip()), None)
                head = colon_tok.head if colon_tok is not None else None
                if head is None or head.pos_ not in ("VERB", "AUX") or inside(base + head.idx):
                    continue
                unit = chain_unit[g.chain]
                unit.kind, unit.np, unit.framed, unit.inherit = "direct", _subject_np(head, base), True, False
                unit.cue = (base + head.idx, base + head.idx + len(head.text))
                unit.content, unit.sentence, unit.position = (g.start, g.end), k, base + head.idx
    return out


def _after_colon(text: str, g: Segment) -> bool:
    return text[: g.open].rstrip().endswith(":")


_ARGUMENTS = {"dobj", "oprd", "prep", "attr", "dative", "acomp", "npadvmod", "advmod", "xcomp", "pobj", "punct"}


def _introduced(text: str, verb_end: int, free: Sequence[Segment]) -> Segment | None:
    """The quotation a speech verb introduces: opening within a few words after it, the words between
    ending with a colon or comma (`told reporters on Friday: “…”`) or absent (`saying “…”`)."""
    for g in free:
        if g.open < verb_end:
            continue
        gap = text[verb_end : g.open].strip()
        words = gap.rstrip(":,").split()
        if any(c in gap for c in ".!?;\"“”«»") or len(words) > 10:
            return None
        if not gap or gap[-1] in ":,":
            return g
        return None
    return None


# Words a title leaves in lower case ("Born to Run", "Sex and the City"); any other lower-case word
# ("Neither do I.") makes the quotation a sentence, not a title.
_TITLE_SMALL = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "nor", "but", "by", "with",
                "from", "as", "vs", "via", "per", "up"}
# A sentence ending inside the quotation, another one after it ("The Donald. Big Daddy."): speech, not a title
# (not after a title's abbreviation: "Mr. Smith Goes to Washington").
_SENTENCE_BREAK = re.compile(r"[a-z]{3,}[.!?]\s+[A-Z]")


def _named(text: str, g: Segment, title_case: bool = True) -> bool:
    """A quotation that names or labels something: after "so-called", "titled", "the term" ..., or (unless
    a speech verb introduces it directly: `chanted “USA! USA!”`) every word capitalised but a title's small
    words, in one piece (a programme, a book, a slogan)."""
    quoted = text[g.start : g.end]
    words = NAME_WORD.findall(quoted)
    title = title_case and bool(words) and len(words) <= 8 and not _SENTENCE_BREAK.search(quoted) and all(
        w[0].isupper() or w.lower() in _TITLE_SMALL for w in words)
    return title or bool(NAMING.search(text[max(0, g.open - 20) : g.open]))


def _according(text: str, doc, tok, base: int, k: int) -> _Unit | None:
    """`According to Peskov, the talks will go on`: the rest of the clause is what Peskov said."""
    to = doc[tok.i + 1]
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    head = tok.head
    while head.dep_ not in ("ROOT", "ccomp", "conj") and head.head.i != head.i:
        head = head.head
    full = _span(head.subtree)
    acc = _span(tok.subtree)
    if acc[0] <= full[0] + 1:
        a, b = acc[1], full[1]
    else:
        a, b = full[0], acc[0]
    a, b = _trim(text, base + a, base + b)
    if b - a < 8:
        return None
    return _Unit("indirect", [], (a, b), k, base + tok.idx, _np_of(pobj, base),
                 (base + tok.idx, base + to.idx + len(to.text)))
