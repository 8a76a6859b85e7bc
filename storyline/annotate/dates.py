"""Temporal expressions in English news text → calendar dates (and TIMEX3 values).

One rule set serves two callers:

* :func:`timex3` finds every TIMEX3-style expression (DATE, TIME, DURATION, SET) and gives its TimeML
  value ("2021-12-17", "2021-W03", "P2Y", "PRESENT_REF", "XXXX-12-17" …). It is what the TempEval-3
  benchmark scores (``evaluation.tempeval3``).
* :func:`resolve` keeps only what can be placed on a timeline as calendar dates (day, month or year,
  optionally a range) and is what the pipeline calls once per sentence.

The rules are hand-written regular expressions over the text, because TIMEX3 extents and news
conventions (tense, "last Friday", fiscal quarters) are not what general date parsers model; date
arithmetic is delegated to ``dateutil`` (relativedelta, easter).

Anchoring rule for expressions that do not carry a year (documented here because the timeline depends
on it): the candidate years are the publication year and its neighbours, and the one that puts the
expression *nearest* to the publication date wins, biased by the tense that governs the expression (the
cue nearest to it in its clause, see ``_Ctx.tense``):

* strong cues rule out the wrong side of publication: "will", "next", "upcoming", "scheduled", "plans to",
  "until" → not before it; "ago", "since", "last", and a past-tense verb that governs the date ("approved
  the plan on March 1", "In January, the company bought …") → not after it;
* weak cues only count the wrong side as ``calendar.WEAK_PENALTY`` (120) days farther: a past-tense verb elsewhere
  in the clause ("declared a dividend payable Dec. 1" — the date is still ahead), "would", "expects to",
  and no cue at all, since news mostly report what happened. Making every past-tense verb a hard
  constraint cost 2 points of value F1 on TempEval-3 training data.

Weekdays follow the cue's direction: the most recent such day on or before publication for past tense or
no cue (an article of a Wednesday saying "on Wednesday" means that day), the next one on or after it for
future tense; "last"/"next" Friday are strictly before/after. A weekday written with a date ("Monday,
Oct. 26") picks the year in which that date is that weekday. Without a publication date nothing relative
is resolved: :func:`timex3` writes it underspecified ("XXXX-12-17") and :func:`resolve` drops it.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from ..calendar import (
    CLOCK_ZONE,
    DAY,
    MONTH_FULL,
    MONTH_NAME,
    MONTHS,
    TIME_ZONE,
    WEEKDAY_NAME,
    WEEKDAYS,
    Tense,
    choose_year,
    month_last,
    safe_date,
    year_near,
)
from ..model import TimeExpr

# --------------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True, slots=True)
class Timex3:
    """One TIMEX3 expression: offsets into the text given, TimeML type and normalised value.

    ``last`` is the value of the end of a range written as one expression ("January 9-10, 2022"), else
    None; ``mod`` is the TimeML modifier (START, END, MID, APPROX, MORE_THAN …) or None.
    """

    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str
    mod: str | None = None
    last: str | None = None


@dataclass(slots=True)
class _Hit:
    """A rule's finding, with the calendar interval ``resolve`` needs (None when not a date)."""

    start: int
    end: int
    type: str
    value: str
    mod: str | None = None
    first: date | None = None
    last: date | None = None
    gran: str | None = None  # day | week | month | quarter | season | half | year | decade | century
    explicit_year: bool = False  # the text itself says the year ("December 17, 2021", "2021-12-17")
    end_value: str | None = None
    priority: int = 0
    needs: str | None = None  # filled in from the rest of the text by ``_in_context`` ("ana:1:day")


# --------------------------------------------------------------------------------------------------
# Vocabulary

_YEAR = r"(?:1[6-9]\d\d|20\d\d)"  # TimeML dates reach back to 1600 (news dates: calendar.YEAR)
_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI",
          "overnight": "NI", "midday": "MI", "noon": "MI"}
_PART = r"(?:morning|afternoon|evening|night)"
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}

_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SMALL_RE = "|".join(sorted(_SMALL, key=len, reverse=True))
_TENS_RE = "|".join(_TENS)
_NUMWORD = rf"(?:(?:{_TENS_RE})(?:[-\s](?:{_SMALL_RE}))?|{_SMALL_RE}|(?:a|one)\s+hundred)"
_VAGUE = (r"(?:a\s+few|few|several|some|many|a\s+number\s+of|a\s+couple\s+of|a\s+couple|couple\s+of"
          r"|dozens\s+of|hundreds\s+of|thousands\s+of)")
_NUM = (
    rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s+1/2|½)?"  # "10,000", "2.5", "2 1/2"
    rf"|{_NUMWORD}(?:\s+and\s+a\s+half)?|{_VAGUE}|an?|half\s+an?|a\s+half)"
)
_UNITS = {
    "second": ("S", True), "minute": ("M", True), "hour": ("H", True), "day": ("D", False),
    "week": ("W", False), "fortnight": ("W", False), "month": ("M", False), "quarter": ("Q", False),
    "year": ("Y", False), "decade": ("Y", False), "century": ("Y", False), "centurie": ("Y", False),
}
_UNIT = r"(?:second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur(?:y|ie))s?"
_MODS = {
    "about": "APPROX", "around": "APPROX", "approximately": "APPROX", "roughly": "APPROX",
    "some": "APPROX", "nearly": "APPROX", "almost": "APPROX", "more than": "MORE_THAN",
    "over": "MORE_THAN", "at least": "EQUAL_OR_MORE", "less than": "LESS_THAN", "under": "LESS_THAN",
    "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS", "at most": "EQUAL_OR_LESS",
    "just over": "MORE_THAN", "just under": "LESS_THAN", "well over": "MORE_THAN",
}
_MOD_RE = "(?:" + "|".join(k.replace(" ", r"\s+") for k in sorted(_MODS, key=len, reverse=True)) + ")"
_POS_MODS = {"early": "START", "earlier": "START", "late": "END", "later": "END", "mid": "MID",
             "middle": "MID", "beginning": "START", "start": "START", "end": "END"}
_POS_RE = r"(?:(?:early|late|mid)[-\s]+|mid|the\s+(?:beginning|start|end|middle)\s+of\s+)"

# Tense cues; the one nearest to the expression wins (see the module docstring). Strong cues (modals,
# "next", "ago", "since") rule out dates on the wrong side of publication; weak ones (past-tense verbs,
# which often govern another clause: "declared a dividend payable Dec. 1") only count against them.
_TIME_WORD = (r"(?:time|times|one|minute|resort|word|week|weeks|month|months|year|years|night|weekend|quarter"
              r"|decade|century|spring|summer|fall|autumn|winter|season|monday|tuesday|wednesday|thursday"
              r"|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november"
              r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b")
_FUTURE_STRONG = (
    rf"will|shall|won't|wo\s+n't|'ll|going\s+to|gonna|upcoming|forthcoming|next(?!\s+to\b|\s+{_TIME_WORD})"
    r"|scheduled|slated|(?:is|are)(?:\s+not)?\s+(?:set|due|expected|poised|scheduled|to)|set\s+to|plans?\s+to"
    r"|intends?\s+to|aims?\s+to"
)
_FUTURE_WEAK = r"expects?\s+to|hopes?\s+to|payable|would"
_PAST_STRONG = rf"ago|since|last(?!\s+{_TIME_WORD}|\s+year's|\s+(?:until|till|through|into)\b)"
_PAST_WEAK = (
    r"said|told|was|were|had|did|came|went|met|began|took|gave|made|held|left|saw|sent|spoke|wrote|became"
    r"|fell|rose|won|lost|got|found|brought|bought|sold|paid|ran|knew|thought|led|fled|struck|broke|chose"
    r"|drew|drove|ate|flew|forgot|froze|grew|hid|kept|lay|meant|rode|rang|sang|sat|shook|shot|slept|stood|stole"
    r"|swore|taught|tore|threw|understood|woke|wore|\w{3,}ed"
)
_TENSE = re.compile(
    rf"\b(?:(?P<F>{_FUTURE_STRONG})|(?P<f>{_FUTURE_WEAK})|(?P<P>{_PAST_STRONG})|(?P<p>{_PAST_WEAK}))\b", re.I)
# "-ed" words that are not past-tense verbs of the sentence.
_NOT_PAST = {
    "need", "indeed", "speed", "seed", "feed", "bed", "red", "united", "based", "related", "limited",
    "proposed", "planned", "scheduled", "expected", "so-called", "unprecedented", "detailed", "interested",
    "concerned", "supposed", "advanced", "armed", "embed", "breed", "creed", "shed", "weed", "bleed", "greed",
    "hundred", "talked-about", "required", "needed", "anticipated", "intended", "designed", "aimed",
    "restricted", "elected", "unsecured", "secured", "preferred", "combined", "revised", "adjusted",
    "diluted", "estimated", "unspecified", "untouched", "unnamed", "unidentified", "undisclosed",
}
# A modal or infinitive before a participle makes it no past tense: "will be paid Dec. 14".
_NOT_PAST_BEFORE = re.compile(
    r"\b(?:(?:to|will|would|could|should|may|might|must|can|shall)\s+(?:be|have\s+been)|being)\s+$", re.I)
TENSE_REACH = 400  # characters either side of a date where a tense cue may govern it (news sentences are shorter)
CLOSE_CUE = 30  # a past-tense verb this close to the date, in the same phrase, is a strong cue
_CLAUSE_BREAK = re.compile(r"[,;:()\"“”]|\b(?:that|which|who|to|but|payable|effective|record|until|by"
                           r"|from|through|pending|when|while|before|after|as)\b", re.I)
_GOVERNED = re.compile(r"\b(?:on|in|at|during|since)\s+$", re.I)
# A preposition right before the date ("until July 15", "by Aug. 15", "after the April 20 explosion") has
# no tense of its own: the verb it hangs on decides ("spewed … until July 15" is past, "will last until
# Nov. 30" future); an infinitive or a verb of putting off looks ahead ("to be completed by Dec. 15",
# "postponed until Saturday"). "since" always looks back.
_PREP_BEFORE = re.compile(r"\b(?P<prep>until|till|by|after|before|ahead\s+of|since)\s+(?:the\s+)?"
                          r"(?:\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?\s*)?(?:[A-Z]{2,4}\s+)?)?$", re.I)
_MODAL = re.compile(r"\b(?:must|should|can|may|might|has\s+to|have\s+to|needs?\s+to|keeps?|continues?\s+to)\b",
                    re.I)
_INFINITIVE = re.compile(r"\bto\s+(?!the\b|a\b|an\b|its?\b|his\b|her\b|their\b|be\s+held\b)[a-z]+\b")
_DEFER = re.compile(r"\b(?:postpon|delay|defer|adjourn|extend|suspend|push|put\s+off|recess|gave|give|grant)"
                    r"\w*\s+(?:\w+\s+){0,3}$", re.I)
_PRESENT_AUX = re.compile(r"\b(?:has|have|is|are|am)\s+(?:been\s+|being\s+)?$", re.I)
_FRONTED = re.compile(r"[\s\"“‘(\[-]*(?:[A-Za-z]+\s+){0,3}")  # a date among its sentence's first words
DEFAULT_TENSE: Tense = ("past", False)  # news mostly report what happened: an unmarked date leans past

# A sentence ends at a full stop before a capital, but not at "11 a.m." before its time zone ("11 a.m. EDT on
# Saturday": the tense of the clause before still governs "Saturday").
_SENT_END = re.compile(rf"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z])(?!{CLOCK_ZONE}\b)|\n\s*\n")


class _Ctx:
    """The text being tagged, its reference date and lazily computed sentence bounds."""

    def __init__(self, text: str, dct: date | None) -> None:
        self.text = text
        self.dct = dct
        self._bounds: list[int] | None = None

    def sentence(self, pos: int) -> tuple[int, int]:
        if self._bounds is None:
            self._bounds = [m.end() for m in _SENT_END.finditer(self.text)]
        i = bisect.bisect_right(self._bounds, pos)
        start = self._bounds[i - 1] if i else 0
        end = self._bounds[i] if i < len(self._bounds) else len(self.text)
        return start, end

    def tense(self, start: int, end: int) -> Tense:
        """The tense cue that governs text[start:end], as (kind, strong), or None.

        The nearest cue in the same clause wins (a comma right after a fronted date does not end its
        clause: "In January, the company bought ..."); a past-tense verb right before a date it governs
        ("approved the plan on March 1") is strong. Without a cue in the clause, the nearest strong cue
        of the sentence counts as a weak one.
        """
        s0, s1 = self.sentence(start)
        prep = _PREP_BEFORE.search(self.text, max(s0, start - 30), start)
        if prep:
            word = prep.group("prep").lower()
            if word == "since":
                return "past", True
            verb = self._verb_before(s0, prep.start())
            if verb == "present" and word in ("until", "till"):  # "has been postponed until Saturday"
                return "future", True
            if verb in ("past", "future"):
                return verb, True
            if verb == "to":  # an infinitive leans ahead: "to repatriate the child by Jan. 14"
                return "future", False
        return self._nearest_cue(s0, s1, start, end)

    def _verb_before(self, s0: int, pos: int) -> str | None:
        """The tense of the verb a preposition at ``pos`` hangs on: the nearest cue before it in its
        sentence ("spewed unchecked for 87 days until"), a modal meaning ahead ("must keep paying until"),
        "present" for a present (perfect) form ("has been postponed until"), "to" for an infinitive."""
        last: tuple[int, str] | None = None
        for m in _TENSE.finditer(self.text, s0, pos + 8):  # lookaheads see the preposition ("last until")
            if m.end() > pos:
                break
            word = m.group(0).lower()
            if m.group("p") and (word.endswith("ed") or word == "paid") and (
                    word in _NOT_PAST or (word != "paid" and not _plausible_ed(word))
                    or _NOT_PAST_BEFORE.search(self.text, max(0, m.start() - 20), m.start())):
                continue
            kind = "future" if (m.group("F") or m.group("f")) else "past"
            if kind == "past" and _PRESENT_AUX.search(self.text, max(0, m.start() - 16), m.start()):
                kind = "present"
            last = (m.start(), kind)
        for m in _MODAL.finditer(self.text, s0, pos):
            if last is None or m.start() > last[0]:
                last = (m.start(), "future")
        for m in _INFINITIVE.finditer(self.text, s0, pos):
            if last is None or m.start() > last[0]:
                last = (m.start(), "to")
        if last and _DEFER.search(self.text, last[0], pos):
            return "future"
        if last and _CLAUSE_BREAK.search(self.text, last[0] + 3, pos):  # the verb heads another clause
            return None
        return last[1] if last else None

    def _nearest_cue(self, s0: int, s1: int, start: int, end: int) -> Tense:
        best: tuple[int, str, bool] | None = None
        fallback: tuple[int, str] | None = None
        # cues within TENSE_REACH characters: a "sentence" of thousands (text without punctuation) would
        # otherwise cost (dates × cues) in its length, minutes for one article
        lo, hi = max(s0, start - TENSE_REACH), min(max(s1, end), end + TENSE_REACH)
        for m in _TENSE.finditer(self.text, lo, hi):
            if start <= m.start() < end:
                continue
            word = m.group(0).lower()
            if m.group("p") and (word.endswith("ed") or word == "paid"):
                if word in _NOT_PAST or (word != "paid" and not _plausible_ed(word)) \
                        or _NOT_PAST_BEFORE.search(self.text, max(0, m.start() - 20), m.start()):
                    continue
            before = m.end() <= start
            dist = start - m.end() if before else m.start() - end
            between = self.text[m.end(): start] if before else self.text[end: m.start()].lstrip(" ,")
            if not before and self.text[end: m.start()].lstrip().startswith(",") and not _FRONTED.fullmatch(
                    self.text, s0, start):
                # a comma after a date inside its clause ends that clause: "Cameron, who took office in May,
                # is due to ..." ("In January, the company bought ..." keeps the verb after its fronted date)
                continue
            kind = "future" if (m.group("F") or m.group("f")) else "past"
            strong = bool(m.group("F") or m.group("P"))
            if _CLAUSE_BREAK.search(between):
                if strong and (fallback is None or dist < fallback[0]):
                    fallback = (dist, kind)
                continue
            if not strong and m.group("p") and dist <= CLOSE_CUE:
                # a past-tense verb governing the date: "approved the plan on March 1", "ended Jan. 31",
                # "In January, the company brought in ..."
                if before:
                    governed = _GOVERNED.search(self.text, max(0, start - 8), start)
                    strong = not between.strip() or governed is not None
                else:
                    strong = self.text[end: m.start()].lstrip().startswith(",")
            if best is None or dist < best[0]:
                best = (dist, kind, strong)
        if best:
            return best[1], best[2]
        return (fallback[1], False) if fallback else DEFAULT_TENSE


def _plausible_ed(word: str) -> bool:
    return len(word) > 4 and not word.endswith(("eed", "ned-")) and "-" not in word


# --------------------------------------------------------------------------------------------------
# Calendar helpers


def _week_value(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def _week_span(d: date) -> tuple[date, date]:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def _quarter_span(y: int, q: int) -> tuple[date, date]:
    return date(y, 3 * q - 2, 1), month_last(y, 3 * q)


def _half_span(y: int, h: int) -> tuple[date, date]:
    return date(y, 6 * h - 5, 1), month_last(y, 6 * h)


def _season_span(y: int, code: str) -> tuple[date, date]:
    a, b = _SEASON_MONTHS[code]
    if code == "WI":  # winter 2021 = December 2021 to February 2022
        return date(y, 12, 1), month_last(y + 1, 2)
    return date(y, a, 1), month_last(y, b)


def _num(text: str) -> float | None:
    """A written quantity → number; None for vague ones ("several", "a few")."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    if re.fullmatch(_VAGUE, t):
        return 2.0 if "couple" in t else None
    half = 0.0
    if t.endswith(" and a half"):
        half, t = 0.5, t[: -len(" and a half")]
    if t.endswith("1/2") or t.endswith("½"):
        half, t = 0.5, t.rstrip("½").removesuffix("1/2").strip()
    if t in ("a half", "half a", "half an"):
        return 0.5
    if t in ("a", "an"):
        return 1.0 + half
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?", t):
        return float(t.replace(",", "")) + half
    if t in ("a hundred", "one hundred"):
        return 100.0 + half
    total = 0
    for part in re.split(r"[-\s]", t):
        if part in _SMALL:
            total += _SMALL[part]
        elif part in _TENS:
            total += _TENS[part]
        else:
            return None
    return float(total) + half


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _duration(n: float | None, unit: str) -> str:
    """ISO 8601 duration for n units ("P2Y", "PT30M", "PXY" when n is vague)."""
    unit = unit.lower().rstrip("s")
    code, is_time = _UNITS.get(unit, ("X", False))
    if unit == "decade":
        return "PXDE" if n is None else f"P{_fmt(n * 10)}Y"
    if unit in ("century", "centurie"):
        return "PXCE" if n is None else f"P{_fmt(n * 100)}Y"
    if unit == "fortnight":
        n = None if n is None else n * 2
    prefix = "PT" if is_time else "P"
    if n is None:
        return f"{prefix}X{code}"
    if n != int(n):  # fractions go one unit down: 2 1/2 years → P2Y6M, 1.5 hours → PT1H30M
        whole, frac = int(n), n - int(n)
        sub = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "H"), "H": (60, "M"), "Q": (3, "M")}
        if code in sub and not (code == "M" and is_time):
            k, c2 = sub[code]
            rest = f"{_fmt(round(frac * k, 2))}{c2}"
            if code == "D":
                return f"P{whole}DT{rest}" if whole else f"PT{rest}"
            if code == "H":
                return f"PT{whole}H{rest}" if whole else f"PT{rest}"
            return f"P{whole}{code}{rest}" if whole else f"P{rest}"
    return f"{prefix}{_fmt(n)}{code}"


# --------------------------------------------------------------------------------------------------
# Rules. Each returns a _Hit (or None to reject the match); overlaps are settled afterwards.

_Handler = Callable[[re.Match[str], "_Ctx"], "_Hit | list[_Hit] | None"]
_RULES: list[tuple[tuple[str, ...], re.Pattern[str], _Handler]] = []


def _rule(trigger: tuple[str, ...], pattern: str, flags: int = re.I) -> Callable[[_Handler], _Handler]:
    """Register a rule; its ``pattern`` only runs on texts that contain one of the ``trigger`` substrings
    (lower case; "#" stands for any digit), which keeps sentences without dates nearly free."""
    # Never start inside a number: "10,000 years ago" is not "000 years ago".
    compiled = re.compile(rf"(?<![\w$£€¥.])(?<![A-Za-z]-)(?<!\d,)(?:{pattern})(?![\w%]|-(?-i:[a-z])|\.\d)",
                          flags | re.X)

    def register(fn: _Handler) -> _Handler:
        _RULES.append((trigger, compiled, fn))
        return fn

    return register


_DIGIT = re.compile(r"\d")


def _triggered(trigger: tuple[str, ...], low: str, has_digit: bool) -> bool:
    return any(t in low if t != "#" else has_digit for t in trigger)


@functools.cache
def _gate_tokens() -> tuple[str, ...]:
    """The fewest trigger substrings that still catch every rule (a token containing another is redundant)."""
    tokens = {t for trigger, _, _ in _RULES for t in trigger if t != "#"}
    return tuple(sorted(t for t in tokens if not any(o != t and o in t for o in tokens)))


def _month_of(word: str) -> int:
    return MONTHS[word.lower()[:3]]


def _is_cap(word: str | None) -> bool:
    return bool(word) and word[0].isupper()  # type: ignore[index]


def _mod_of(word: str | None) -> str | None:
    if not word:
        return None
    w = re.sub(r"\s+", " ", word.strip(" -").lower())
    for key, mod in _POS_MODS.items():
        if w == key or w.endswith(" " + key) or w.startswith(key) or f" {key} " in f" {w} ":
            return mod
    return _MODS.get(w)


def _day_hit(m: re.Match[str], ctx: _Ctx, y: int | None, mo: int, d: int, d2: int | None,
             explicit: bool, start: int | None = None, end: int | None = None, tense: Tense = None,
             weekday: int | None = None) -> _Hit | None:
    s, e = (m.start() if start is None else start), (m.end() if end is None else end)
    if safe_date(2000, mo, d) is None or (d2 is not None and (d2 <= d or safe_date(2000, mo, d2) is None)):
        return None
    if y is None and ctx.dct is not None:
        dct = ctx.dct
        fits = [yy for yy in (dct.year, dct.year - 1, dct.year + 1)
                if weekday is not None and (safe_date(yy, mo, d) or dct).weekday() == weekday
                and safe_date(yy, mo, d) is not None]
        if fits:  # "Monday, Oct. 26": the year in which that day is a Monday
            y = fits[0]
        else:
            y = year_near(dct, tense or ctx.tense(s, e),
                          lambda yy: (lambda a: (a, safe_date(yy, mo, d2) if d2 else a) if a else None)(
                              safe_date(yy, mo, d)))
    if y is None:
        val = f"XXXX-{mo:02d}-{d:02d}"
        return _Hit(s, e, "DATE", val, end_value=f"XXXX-{mo:02d}-{d2:02d}" if d2 else None, gran="day")
    first = safe_date(y, mo, d)
    if first is None:
        return None
    last = safe_date(y, mo, d2) if d2 else None
    return _Hit(s, e, "DATE", first.isoformat(), first=first, last=last or first, gran="day",
                explicit_year=explicit, end_value=last.isoformat() if last else None, priority=2)


# "December 17, 2021", "Friday, Dec. 17", "January 9-10, 2022", "17 December 2021", "the 17th of December",
# "from January 9 to 12", "between January 9 and 12".
@_rule(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
       rf"""
    (?P<pre>between\s+|from\s+)?(?P<rel>(?:last|next|this|this\s+coming|this\s+past)\s+)?
    (?:(?P<wd>{WEEKDAY_NAME}),?\s+(?:the\s+)?)?
    (?:
        (?P<m1>{MONTH_NAME})\s+(?P<d1>{DAY})(?!:\d|\.\d)
        (?:\s*(?P<rs1>[-–]|to|through|until|till|and)\s*
           (?P<e1>{DAY})(?![\w:]|\s*(?:%|percent|per|a\.m|p\.m)))?
      | (?:the\s+)?(?P<d2>{DAY})(?:\s*(?P<rs2>[-–]|to|and)\s*(?P<e2>{DAY}))?\s+(?:of\s+)?(?P<m2>{MONTH_NAME})
    )
    (?:,?\s+(?P<y>{_YEAR})(?!\s*[-–]\s*\d))?
    """, flags=0)
def _r_date(m: re.Match[str], ctx: _Ctx) -> _Hit | list[_Hit] | None:
    mon = m["m1"] or m["m2"]
    if mon.lower().startswith("may") and m["m1"] and m["pre"] is None and m["wd"] is None and not m["y"]:
        prev = ctx.text[max(0, m.start() - 12): m.start()].lower()
        if re.search(r"\b(?:i|you|we|they|he|she|it|who|which|that)\s*$", prev):
            return None
    d = int(re.sub(r"\D", "", m["d1"] or m["d2"]))
    sep = m["rs1"] or m["rs2"]
    e = m["e1"] or m["e2"]
    start = m.start() + len(m["pre"] or "")
    end = m.end()
    d2 = None
    second: tuple[int, int, int] | None = None
    if e and sep == "and" and (m["pre"] or "").strip().lower() != "between":
        end = m.end("d1") if m["d1"] else end
        if m["e1"]:
            second = (int(re.sub(r"\D", "", m["e1"])), m.start("e1"), m.end("e1"))
        e = None
    if e:
        d2 = int(re.sub(r"\D", "", e))
    if m["y"] is None and e is None and m["e1"] is not None:
        end = m.end("d1")
    y = int(m["y"]) if m["y"] else None
    rel = (m["rel"] or "").split()
    tense: Tense = None
    if rel and rel[-1] != "this":
        tense = ("past" if rel[-1] in ("last", "past") else "future", True)
    wd = WEEKDAYS.index(m["wd"].lower()) if m["wd"] else None
    hit = _day_hit(m, ctx, y, _month_of(mon), d, d2, y is not None, start, end, tense, wd)
    if hit is None and d2 is not None:
        end = m.end("d1") if m["d1"] else end
        hit = _day_hit(m, ctx, y, _month_of(mon), d, None, y is not None, start, end, tense, wd)
    if hit is not None and second is not None and hit.first is not None:
        # "on April 24 and 25": the second day is a date of its own
        d_2 = safe_date(hit.first.year, hit.first.month, second[0])
        if d_2 is not None:
            return [hit, _Hit(second[1], second[2], "DATE", d_2.isoformat(), first=d_2, last=d_2, gran="day",
                              explicit_year=hit.explicit_year, priority=2)]
    return hit


# ISO and numeric dates: 2021-12-17, 2021/12/17, 17.12.2021, 12/17/2021 (US order when unambiguous).
@_rule(("#",),
       r"(?P<iy>\d{4})[-/.](?P<im>\d\d?)[-/.](?P<id>\d\d?)(?:T(?P<t>\d\d:\d\d(?::\d\d)?))?"
       r"|(?P<a>\d\d?)(?P<s>[./])(?P<b>\d\d?)(?P=s)(?P<ny>\d{4})")
def _r_numeric(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["iy"]:
        y, mo, d = int(m["iy"]), int(m["im"]), int(m["id"])
    else:
        a, b, y = int(m["a"]), int(m["b"]), int(m["ny"])
        if m["s"] == "." or a > 12:
            d, mo = a, b
        elif b > 12:
            mo, d = a, b
        else:
            mo, d = a, b  # US news convention
    if not 1600 <= y <= 2099:
        return None
    first = safe_date(y, mo, d)
    if first is None:
        return None
    if m["t"]:
        return _Hit(m.start(), m.end(), "TIME", f"{first.isoformat()}T{m['t'][:5]}", first=first, last=first,
                    gran="day", explicit_year=True, priority=2)
    return _Hit(m.start(), m.end(), "DATE", first.isoformat(), first=first, last=first, gran="day",
                explicit_year=True, priority=2)


_QUANTITY_BEFORE = re.compile(r"(?:about|around|some|nearly|almost|over|than|only|just|up\s+to|at\s+least"
                              r"|approximately|roughly|[$£€¥])\s*$", re.I)
_COUNTED = re.compile(
    r"\s+(?:people|persons|troops|soldiers|men|women|children|residents|workers|employees|jobs|units|cars|homes"
    r"|houses|votes|shares|tons|tonnes|barrels|km|kilomet(?:er|re)s|miles|met(?:er|re)s|feet|dollars|euros|pounds"
    r"|members|cases|deaths|times|points|words|pages|calories|hectares|acres|callers|users|customers|passengers"
    r"|visitors|students|patients|victims|refugees|migrants|protesters|flights|vehicles|tanks|weapons|rockets"
    r"|missiles|messages|signatures|copies|items|seats|beds)\b", re.I)


# "December 2021", "early December 2021", "mid-2021", "late 2021", "the end of 2021", "fiscal 1989".
@_rule(("#",),
       rf"""(?P<pos>{_POS_RE})?
    (?:(?P<m>{MONTH_NAME}),?\s+(?:of\s+)?(?P<y1>{_YEAR})(?!\s*[-–/]\s*\d\d?\b(?![-–]))
      | (?P<fis>(?:fiscal|calendar|the\s+fiscal\s+year|the\s+year|the\s+calendar\s+year)[-\s]+)?
        (?P<y2>{_YEAR})
        (?!\s*(?:%|percent|per\s?cent|[-–]year|\.\d|,\d|\s?(?:a\.m|p\.m|[ap]m\b|{TIME_ZONE}|hours?\b|hrs\b)))
    )""", flags=re.I)
def _r_month_year(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    mod = _mod_of(m["pos"])
    if m["m"]:
        if not _is_cap(m["m"]):
            return None
        y, mo = int(m["y1"]), _month_of(m["m"])
        return _Hit(m.start(), m.end(), "DATE", f"{y:04d}-{mo:02d}", mod=mod, first=date(y, mo, 1),
                    last=month_last(y, mo), gran="month", explicit_year=True, priority=1)
    y = int(m["y2"])
    before = ctx.text[max(0, m.start() - 12): m.start()]
    if re.search(r"[\d,.:/]$|(?:No\.|number|#|flight|route|room|page|pp?\.|Article|Section|Resolution|model|"
                 r"version|v\.|\bat)\s*$", before, re.I):
        return None
    if not m["fis"] and not m["pos"]:
        # a bare four-digit number is a year unless it reads as a quantity ("about 2000 troops")
        if not 1800 <= y <= 2099 or _QUANTITY_BEFORE.search(before) or _COUNTED.match(ctx.text, m.end()):
            return None
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}", mod=mod, first=date(y, 1, 1), last=date(y, 12, 31),
                gran="year", explicit_year=True, priority=1)


# Months without a year: "December", "in early December", "last January", "June last year".
@_rule(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
       rf"""(?P<pos>{_POS_RE})?(?P<rel>(?:last|next|this|this\s+past|this\s+coming|past|coming)\s+)?
    (?P<m>{MONTH_FULL}|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.)(?!\s*\d)
    (?:\s+(?P<ry>this|last|next)\s+year\b)?""", flags=re.I)
def _r_month(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if not _is_cap(m["m"]):
        return None
    mo = _month_of(m["m"])
    if mo in (3, 5) and not (m["pos"] or m["rel"] or m["ry"]):
        # "March"/"May" are also a noun and a modal: require a temporal preposition before them.
        prev = ctx.text[max(0, m.start() - 20): m.start()]
        if not re.search(r"\b(?:in|since|until|till|by|of|during|before|after|through|from|to|and|or|early"
                         r"|late|the|mid|between|last|next|this|each|every|as\s+of)\s+$", prev, re.I):
            return None
        if mo == 5 and re.match(r"\s+(?:be|have|not|also|well|still|never|already|soon|even|only|we|you|i|he"
                                r"|she|they|it|god|[a-z]+ly)\b", ctx.text[m.end():], re.I):
            return None
    mod = _mod_of(m["pos"])
    rel = (m["rel"] or "").strip().lower()
    ry = (m["ry"] or "").lower()
    if ctx.dct is None:
        return _Hit(m.start(), m.end(), "DATE", f"XXXX-{mo:02d}", mod=mod, gran="month")
    dct = ctx.dct
    if ry:
        y = dct.year + {"this": 0, "last": -1, "next": 1}[ry]
    elif rel in ("last", "past", "this past"):
        y = dct.year if mo < dct.month else dct.year - 1
    elif rel in ("next", "coming", "this coming"):
        y = dct.year if mo > dct.month else dct.year + 1
    elif rel == "this":
        y = dct.year
    else:
        y = year_near(dct, ctx.tense(m.start(), m.end()), lambda yy: (date(yy, mo, 1), month_last(yy, mo)))
        assert y is not None
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}-{mo:02d}", mod=mod, first=date(y, mo, 1),
                last=month_last(y, mo), gran="month", priority=1)


# Decades and centuries: "the 1990s", "the early '80s", "the nineties", "the 20th century".
_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
                 "eighties": 8, "nineties": 9}
_CENT_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
               "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
               "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
               "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty\u2011first": 21}


@_rule(("0s", "0's", "ties", "century"),
       rf"""(?:the\s+)?(?P<pos>(?:early|late|mid)[-\s]+|mid)?
    (?:(?P<dy>1[6-9]\d0|20[0-9]0)'?s|'(?P<d2>[0-9]0)s|(?P<dw>{'|'.join(_DECADE_WORDS)})
      | (?P<cn>\d{{1,2}})(?:st|nd|rd|th)[-\s]century|(?P<cw>{'|'.join(_CENT_WORDS)})[-\s]century)""")
def _r_decade(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    mod = _mod_of(m["pos"])
    if m["cn"] or m["cw"]:
        c = int(m["cn"]) if m["cn"] else _CENT_WORDS[m["cw"].lower()]
        if not 1 <= c <= 22:
            return None
        return _Hit(m.start(), m.end(), "DATE", f"{c - 1:02d}", mod=mod, gran="century", explicit_year=True)
    if m["dy"]:
        return _Hit(m.start(), m.end(), "DATE", m["dy"][:3], mod=mod, gran="decade", explicit_year=True)
    digit = int(m["d2"][0]) if m["d2"] else _DECADE_WORDS[m["dw"].lower()]
    if m["dw"] and not re.match(r"the\s", m.group(0), re.I):
        return None  # "in his forties" is an age
    if ctx.dct is None:
        return _Hit(m.start(), m.end(), "DATE", f"XX{digit}", mod=mod, gran="decade")
    century = ctx.dct.year // 100 if digit * 10 <= ctx.dct.year % 100 else ctx.dct.year // 100 - 1
    return _Hit(m.start(), m.end(), "DATE", f"{century}{digit}", mod=mod, gran="decade")


# Spelled-out years, as in broadcast transcripts: "nineteen ninety-six", "the year two thousand".
_UNIT_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN_WORD = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"


@_rule(("nineteen", "thousand"),
       rf"""(?P<the>the\s+year\s+)?
    (?:nineteen[-\s]+(?P<a>(?:{_TENS_RE})(?:[-\s]{_UNIT_WORD})?|{_TEEN_WORD})
      |two\s+thousand(?:\s+(?:and\s+)?(?P<b>(?:{_TENS_RE})(?:[-\s]{_UNIT_WORD})?|{_TEEN_WORD}|{_UNIT_WORD}))?)""")
def _r_spelled_year(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["a"]:
        y = 1900 + int(_num(m["a"]) or 0)
    else:
        if not m["b"] and not m["the"] and re.match(r"\s+(?:\w+s|people|of)\b", ctx.text[m.end():]):
            return None  # "two thousand troops"
        y = 2000 + (int(_num(m["b"]) or 0) if m["b"] else 0)
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}", first=date(y, 1, 1), last=date(y, 12, 31),
                gran="year", explicit_year=True, priority=1)


# Quarters and halves: "the third quarter", "fourth-quarter", "the first half of 2021", "fiscal Q3".
@_rule(("quarter", "half", "q1", "q2", "q3", "q4"),
       rf"""(?P<det>(?:the|its|their|this|that|last\s+year's|this\s+year's|next\s+year's|(?:{_YEAR})'?s?)\s+)?
    (?P<fis1>(?:fiscal|calendar)[-\s]+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)
    [-\s]+(?:fiscal[-\s]+)?(?P<unit>quarter|half)
    (?:\s+(?:of\s+)?(?:fiscal\s+|the\s+fiscal\s+year\s+)?(?P<y>{_YEAR})|\s+of\s+(?P<ry>this|last|next)\s+year)?
    |(?P<qx>Q[1-4])(?:\s+(?P<y2>{_YEAR}))?""")
def _r_quarter(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["qx"]:
        if not m["qx"].isupper():
            return None
        q, unit, y = int(m["qx"][1]), "quarter", (int(m["y2"]) if m["y2"] else None)
    else:
        unit = m["unit"].lower()
        q = _ORD[m["ord"].lower()]
        y = int(m["y"]) if m["y"] else None
        det = (m["det"] or "").strip().lower()
        if y is None and re.match(r"\d{4}", det):
            y = int(det[:4])
        elif y is None and ctx.dct is not None and ("last year" in det or m["ry"] == "last"):
            y = ctx.dct.year - 1
        elif y is None and ctx.dct is not None and ("next year" in det or m["ry"] == "next"):
            y = ctx.dct.year + 1
        elif y is None and ctx.dct is not None and ("this year" in det or m["ry"] == "this"):
            y = ctx.dct.year
    if unit == "half" and q > 2:
        return None
    code = "Q" if unit == "quarter" else "H"
    span = _quarter_span if code == "Q" else _half_span
    explicit = y is not None
    if y is None:
        if ctx.dct is None:
            return _Hit(m.start(), m.end(), "DATE", f"XXXX-{code}{q}", gran=unit)
        dct = ctx.dct
        tense = ctx.tense(m.start(), m.end())
        if "-" in m.group(0):  # "a third-quarter loss": results, so a quarter that has ended
            tense = None
        # Reported quarters: the latest one that has ended, unless the sentence looks ahead.
        if not tense or tense[0] != "future":
            tense = ("past", True)
        y = year_near(dct, tense, lambda yy: span(yy, q))
        assert y is not None
    a, b = span(y, q)
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}-{code}{q}", first=a, last=b,
                gran="quarter" if code == "Q" else "half", explicit_year=explicit, priority=1)


# Seasons: "this summer", "last fall", "the winter of 1994", "summer 2021", "early spring".
@_rule(("spring", "summer", "fall", "autumn", "winter"),
       rf"""(?P<pos>(?:early|late|mid)[-\s]+)?(?P<det>(?:the|this|last|next|this\s+past|this\s+coming|
    past|coming)\s+)?(?P<pos2>(?:early|late|mid)[-\s]+)?
    (?P<s>spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?(?P<y>{_YEAR})|\s+(?P<sw>'\d\d))?""")
def _r_season(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    season = m["s"].lower()
    det = re.sub(r"\s+", " ", (m["det"] or "").strip().lower())
    if season == "fall" and not (det or m["y"]):
        return None
    if not (det or m["y"] or m["pos"] or m["pos2"]):
        prev = ctx.text[max(0, m.start() - 12): m.start()]
        if not re.search(r"\b(?:in|during|this|by|until|since|through)\s+$", prev, re.I):
            return None
    code = _SEASONS[season]
    mod = _mod_of(m["pos"] or m["pos2"])
    if m["y"]:
        y = int(m["y"])
    elif ctx.dct is None:
        return _Hit(m.start(), m.end(), "DATE", f"XXXX-{code}", mod=mod, gran="season")
    else:
        dct = ctx.dct
        kind = {"last": "past", "past": "past", "this past": "past", "next": "future", "coming": "future",
                "this coming": "future"}.get(det)
        tense: Tense = (kind, True) if kind else ctx.tense(m.start(), m.end())
        strict = det in ("last", "next")
        spans = [(yy, *_season_span(yy, code)) for yy in (dct.year - 1, dct.year, dct.year + 1)]
        if strict:
            spans = [s for s in spans if (s[2] < dct if det == "last" else s[1] > dct)]
        if det == "this":
            spans = [s for s in spans if s[0] == dct.year] or spans
        y = choose_year(spans, dct, tense) or dct.year
    a, b = _season_span(y, code)
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}-{code}", mod=mod, first=a, last=b, gran="season",
                explicit_year=bool(m["y"]))


# Weekdays: "Friday", "last Friday", "next Tuesday", "Friday morning", "Tuesday nights" (a SET).
@_rule(WEEKDAYS,
       rf"""(?P<pos>(?:early|late|earlier|later)\s+(?:on\s+)?)?(?P<rel>(?:last|next|this|this\s+past|this\s+coming|
    the\s+previous|the\s+following|on|every|each)\s+)?
    (?P<wd>{WEEKDAY_NAME})(?P<pl>s)?(?:\s+(?P<part>{_PART})s?)?""")
def _r_weekday(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if not _is_cap(m["wd"]):
        return None
    wd = WEEKDAYS.index(m["wd"].lower())
    rel = re.sub(r"\s+", " ", (m["rel"] or "").strip().lower())
    part = _PARTS.get((m["part"] or "").lower())
    start = m.start() if rel != "on" else m.start("wd")
    if m["pos"] and rel == "on":
        start = m.start()
    if m["pl"] or rel in ("every", "each"):
        return _Hit(start, m.end(), "SET", f"XXXX-WXX-{wd + 1}" + (f"T{part}" if part else ""))
    mod = _mod_of(m["pos"])
    typ = "TIME" if part else "DATE"
    if ctx.dct is None:
        value = f"XXXX-WXX-{wd + 1}" + (f"T{part}" if part else "")
        return _Hit(start, m.end(), typ, value, mod=mod, gran="day")
    dct = ctx.dct
    back = (dct.weekday() - wd) % 7
    fwd = (wd - dct.weekday()) % 7
    if rel in ("last", "this past", "the previous"):
        d = dct - timedelta(days=back or 7)
    elif rel in ("next", "this coming", "the following"):
        d = dct + timedelta(days=fwd or 7)
    elif rel == "this":
        d = dct - timedelta(days=dct.weekday()) + timedelta(days=wd)
    else:
        tense = ctx.tense(m.start(), m.end())
        d = dct + timedelta(days=fwd) if tense and tense[0] == "future" else dct - timedelta(days=back)
    value = d.isoformat() + (f"T{part}" if part else "")
    return _Hit(start, m.end(), typ, value, mod=mod, first=d, last=d, gran="day", priority=1)


# Days relative to publication: "today", "yesterday", "tomorrow", "tonight", "last night", "this morning",
# "yesterday afternoon", "the day before yesterday", "earlier today", "late yesterday".
@_rule(("today", "yesterday", "tomorrow", "tonight", "overnight", "morning", "afternoon", "evening", "night"),
       rf"""(?P<pos>(?:early|late|earlier|later|mid)[-\s]+)?
    (?:(?P<db>the\s+day\s+(?:before\s+yesterday|after\s+tomorrow))
      |(?P<w>today|yesterday|tomorrow|tonight|overnight)(?:\s+(?P<part>{_PART}))?
      |(?P<rel>this|last|tomorrow|yesterday)\s+(?P<part2>{_PART}|night))(?!'s\s+(?:world|society|standards|economy))""")
def _r_relday(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    word = (m["w"] or m["rel"] or "").lower()
    part = (m["part"] or m["part2"] or "").lower()
    if m["db"]:
        off = -2 if "before" in m["db"].lower() else 2
    else:
        off = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
        if word == "last" and part == "night":
            off = -1
        elif word == "last":
            return None  # "last morning" is not a thing
    mod = _mod_of(m["pos"])
    if word in ("tonight", "overnight"):
        part = "night"
    code = _PARTS.get(part)
    typ = "TIME" if code else "DATE"
    if ctx.dct is None:
        return None
    d = ctx.dct + timedelta(days=off)
    value = d.isoformat() + (f"T{code}" if code else "")
    return _Hit(m.start(), m.end(), typ, value, mod=mod, first=d, last=d, gran="day", priority=1)


# Clock times: "10 p.m.", "10:35 a.m. EST", "noon", "midnight", "14:30 GMT". A day written next to
# the time ("10 p.m. Wednesday", "Friday 9 a.m.") is joined to it by ``_join_clock``.
@_rule(("#", "noon", "midnight", "midday"),
       rf"""(?P<mod>(?:about|around|approximately|roughly)\s+)?
    (?:(?P<h>[01]?\d|2[0-3])(?::(?P<mi>[0-5]\d))?\s*(?P<ap>a\.m\.?|p\.m\.?|am\b|pm\b|o'clock)
      |(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)(?=\s*(?:{CLOCK_ZONE}|local|hours|h\b))
      |(?P<named>noon|midnight|midday))
    (?:\s*(?P<tz>{CLOCK_ZONE}))?""")
def _r_clock(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["named"]:
        hour, minute = {"noon": (12, 0), "midday": (12, 0), "midnight": (24, 0)}[m["named"].lower()]
    elif m["h24"]:
        hour, minute = int(m["h24"]), int(m["m24"])
    else:
        hour, minute = int(m["h"]), int(m["mi"] or 0)
        ap = m["ap"].lower().replace(".", "")
        if ap != "o'clock" and (hour > 12 or hour == 0):
            return None
        if ap == "pm" and hour < 12:
            hour += 12
        elif ap == "am" and hour == 12:
            hour = 0
    mod = "APPROX" if m["mod"] else None
    clock = f"T{hour:02d}:{minute:02d}"
    if ctx.dct is None:
        return _Hit(m.start(), m.end(), "TIME", f"XXXX-XX-XX{clock}", mod=mod, gran="clock")
    return _Hit(m.start(), m.end(), "TIME", ctx.dct.isoformat() + clock, mod=mod, gran="clock", priority=1)


_CLOCK_DAY_GAP = re.compile(r",?\s+|\s*,\s*")
_DAY_CLOCK_GAP = re.compile(r",?\s+")


def _join_clock(hits: list[_Hit], text: str) -> list[_Hit]:
    """"10 p.m. Wednesday", "Friday, 9 a.m." → one TIME on that day (TimeML writes them as one)."""
    out: list[_Hit] = []
    for h in hits:
        prev = out[-1] if out else None
        if prev is not None:
            gap = text[prev.end: h.start]
            pair = None
            if prev.gran == "clock" and (h.gran, h.type) == ("day", "DATE") and _CLOCK_DAY_GAP.fullmatch(gap):
                pair = (h, prev)
            elif h.gran == "clock" and (prev.gran, prev.type) == ("day", "DATE") \
                    and _DAY_CLOCK_GAP.fullmatch(gap):
                pair = (prev, h)
            if pair is not None:
                day, clock = pair
                base = day.value if day.first is None else day.first.isoformat()
                out[-1] = _Hit(prev.start, h.end, "TIME", base + clock.value[clock.value.index("T"):],
                               mod=clock.mod or day.mod, first=day.first, last=day.first, gran="day",
                               explicit_year=day.explicit_year, priority=2)
                continue
        out.append(h)
    return out


# Relative periods: "this week", "last month", "next year", "the past year", "the coming weeks", "the
# current quarter", "earlier this month", "the end of the year", "the weekend", "this century".
@_rule(("week", "month", "year", "quarter", "decade", "century"),
       rf"""(?P<pos>{_POS_RE}|(?:earlier|later)\s+)?
    (?P<rel>this|last|next|past|previous|coming|following|current|present|the\s+(?:past|last|previous|coming|next|
    following|current|present|same|latest|prior|full|entire|whole)|the|that|this\s+past|this\s+coming)\s+
    (?P<unit>(?-i:week|month|year|quarter|decade|century|weekend|fiscal\s+year|school\s+year|term|season|half))
    (?P<pl>s)?(?!-)
    |(?P<ye>(?:the\s+)?(?:year[-\s]end|year's\s+end))""")
def _r_relunit(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["ye"]:
        if ctx.dct is None:
            return None
        y = ctx.dct.year
        return _Hit(m.start(), m.end(), "DATE", f"{y}", mod="END", first=date(y, 12, 1), last=date(y, 12, 31),
                    gran="month")
    rel = re.sub(r"\s+", " ", m["rel"].lower())
    rel = rel.removeprefix("the ") if rel != "the" else "the"
    if rel in ("full", "entire", "whole"):
        rel = "the"
    unit = m["unit"].lower().replace("fiscal year", "year").replace("school year", "year")
    mod = _mod_of(m["pos"])
    if unit in ("term", "season", "half"):
        return None
    if m["pl"]:
        # "the past weeks", "coming months": unspecified stretches of time
        if rel in ("past", "last", "previous"):
            return _Hit(m.start(), m.end(), "DURATION", _duration(None, unit))
        if rel in ("coming", "next", "following"):
            return _Hit(m.start(), m.end(), "DURATION", _duration(None, unit))
        return None
    if rel == "that":
        return None  # anaphoric: needs the event it points to
    if ctx.dct is None:
        return None
    dct = ctx.dct
    step = {"last": -1, "past": -1, "previous": -1, "prior": -1, "next": 1, "coming": 1, "following": 1,
            "this past": -1, "this coming": 1}.get(rel, 0)
    if rel in ("following", "previous", "prior", "same"):
        return None  # anaphoric
    if unit == "weekend":
        # the weekend just past (or, looking ahead, the coming one), as a week of the year
        tense = ctx.tense(m.start(), m.end())
        ahead = step > 0 or (step == 0 and tense is not None and tense[0] == "future")
        base = dct if dct.weekday() >= 5 or ahead else dct - timedelta(weeks=1)
        if step < 0 and dct.weekday() >= 5:
            base = dct - timedelta(weeks=1)
        return _Hit(m.start(), m.end(), "DATE", _week_value(base) + "-WE", mod=mod)
    if unit == "week":
        d = dct + timedelta(weeks=step)
        a, b = _week_span(d)
        return _Hit(m.start(), m.end(), "DATE", _week_value(d), mod=mod, first=a, last=b, gran="week",
                    priority=1)
    if unit == "month":
        d = date(dct.year, dct.month, 1) + relativedelta(months=step)
        return _Hit(m.start(), m.end(), "DATE", f"{d.year:04d}-{d.month:02d}", mod=mod, first=d,
                    last=month_last(d.year, d.month), gran="month", priority=1)
    if unit == "quarter":
        q0 = (dct.month - 1) // 3
        if rel in ("the", "latest") and step == 0:
            tense = ctx.tense(m.start(), m.end())
            step = -1 if (not tense or tense[0] != "future" or rel == "latest") else 0
        qi = dct.year * 4 + q0 + step
        y, q = divmod(qi, 4)
        a, b = _quarter_span(y, q + 1)
        return _Hit(m.start(), m.end(), "DATE", f"{y:04d}-Q{q + 1}", mod=mod, first=a, last=b, gran="quarter",
                    priority=1)
    if unit == "decade":
        if step:
            return _Hit(m.start(), m.end(), "DURATION", "P10Y", mod=mod)
        return _Hit(m.start(), m.end(), "DATE", f"{dct.year // 10:03d}", mod=mod, gran="decade")
    if unit == "century":
        if step:
            return _Hit(m.start(), m.end(), "DURATION", "P100Y", mod=mod)
        return _Hit(m.start(), m.end(), "DATE", f"{dct.year // 100:02d}", mod=mod, gran="century")
    if rel == "latest":
        step = -1
    if rel == "the" and re.match(r"\s+end(?:ed|ing)\b", ctx.text[m.end():]):
        return _Hit(m.start(), m.end(), "DURATION", "P1Y", mod=mod)  # "the year ended March 31"
    y = dct.year + step
    return _Hit(m.start(), m.end(), "DATE", f"{y:04d}", mod=mod, first=date(y, 1, 1), last=date(y, 12, 31),
                gran="year", priority=1)


# Quantities of time: "two years", "the past 18 months", "a decade", "10-year", "three weeks ago",
# "about an hour", "the next few days", "2 1/2 years", "a year earlier".
@_rule(("second", "minute", "hour", "day", "week", "fortnight", "month", "quarter", "year", "decade",
        "centur"),
       rf"""(?P<mod1>(?:at\s+least|more\s+than|less\s+than|nearly|almost|about|around|approximately|roughly|
    up\s+to|no\s+more\s+than|some|only|just)\s+)?
    (?P<det>(?:the|its|their|his|her|our|a|an)\s+)?
    (?P<rel>(?:past|last|next|first|coming|previous|following|final|latest|recent|initial|remaining|
    preceding|ensuing|prior)\s+)?
    (?P<mod2>{_MOD_RE}\s+)?
    (?P<num>{_NUM})(?P<hy>[-\s]+)(?P<extra>(?:more|additional|full|straight|consecutive|long|trading|business|
    working|calendar)\s+)?
    (?P<unit>{_UNIT})(?P<tail>(?:-long)?)
    (?:\s+(?P<dir>ago|earlier|later|before|after|from\s+now|hence|back|since|before\s+that)(?!\s+than\b))?""")
def _r_quantity(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    num_txt = m["num"]
    is_title = m["unit"][0].isupper() and num_txt[0].isdigit()
    if is_title or re.match(r"[-\s]+old\b", ctx.text[m.end("unit"):]):
        return None  # an age ("a 6-year-old", "52 years old") or a title ("60 Minutes")
    if m["unit"].lower().startswith("quarter") and "-" in m["hy"] and num_txt.lower() != "one":
        return None  # "three-quarters" is a fraction
    unit = m["unit"].lower()
    unit_s = unit.rstrip("s") if not unit.startswith("centur") else "century"
    n = _num(num_txt)
    if n is not None and not n < 1e15:
        return None  # "999…9 days": no span of time anyone can place (and past 1e308 not even a float)
    vague = n is None
    plural = unit.endswith("s")
    hy = m["hy"]
    det = (m["det"] or "").strip().lower()
    rel = re.sub(r"\s+", " ", (m["rel"] or "").strip().lower())
    start = m.start()
    if det in ("a", "an") and (num_txt.lower() not in ("few", "couple", "couple of", "half")):
        # "a 10-year note": the article is not part of the expression
        start = m.start("rel") if m["rel"] else m.start("mod2") if m["mod2"] else m.start("num")
    if num_txt.lower() in ("some", "many") and not plural:
        return None
    if n == 1 and plural and num_txt.lower() in ("a", "an", "one"):
        return None
    if "-" in hy and m["dir"]:
        return None
    mod = _mod_of(m["mod1"] or m["mod2"])
    if m["mod1"] and m["mod1"].strip().lower() in ("only", "just"):
        start, mod = m.start("det") if m["det"] else (m.start("rel") if m["rel"] else m.start("num")), None
        if m["mod2"]:
            start = m.start("mod2")
    end = m.end()
    direction = (m["dir"] or "").lower()
    if direction in ("since", "before that", "back", "before", "after"):
        # "two days after the vote": a duration whose anchor is an event, not a date
        end = m.end("tail")
        direction = ""
    dur = _duration(n, unit_s)
    if direction in ("ago", "earlier", "later", "from now", "hence"):
        if direction in ("earlier", "later") and not (n == 1 and unit_s == "year"):
            return _Hit(start, end, "DURATION", dur, mod=mod)
        return _ago(start, end, n, unit_s, -1 if direction in ("ago", "earlier") else 1, mod, ctx)
    if n == 1 and not plural and det == "the" and unit_s in ("year", "week", "month"):
        # "the past year", "the next month": that calendar unit, not a stretch of time
        if rel in ("past", "last", "previous", "recent", "preceding", "prior"):
            return _ago(start, end, 1, unit_s, -1, mod, ctx, relative_unit=True)
        if rel in ("next", "coming", "following", "ensuing"):
            return _ago(start, end, 1, unit_s, 1, mod, ctx, relative_unit=True)
    if unit_s == "quarter" and not vague and n is not None and n <= 4 and not plural and "-" not in hy:
        return None  # "a quarter of the votes"
    if unit_s == "second" and num_txt.lower() in ("a", "an"):
        return None
    return _Hit(start, end, "DURATION", dur, mod=mod)


def _ago(start: int, end: int, n: float | None, unit: str, sign: int, mod: str | None, ctx: _Ctx,
         relative_unit: bool = False) -> _Hit | None:
    """"three weeks ago" → the date that far from publication, at the unit's granularity."""
    if ctx.dct is None:
        return None
    vague = _Hit(start, end, "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", mod=mod)
    if n is None:
        return vague
    k = int(n) if n == int(n) else None
    if k is None:
        return None
    try:
        return _ago_unit(start, end, k * sign, unit, mod, ctx.dct, relative_unit) or vague
    except (ValueError, OverflowError):  # "3000 years ago" leaves the calendar: a past, not a date
        return vague


def _ago_unit(start: int, end: int, k: int, unit: str, mod: str | None, dct: date,
              relative_unit: bool) -> _Hit | None:
    """The calendar value ``k`` units from ``dct``; None for units that name no calendar span."""
    if unit == "year":
        y = dct.year + k
        return _Hit(start, end, "DATE", f"{y:04d}", mod=mod, first=date(y, 1, 1), last=date(y, 12, 31),
                    gran="year", priority=1)
    if unit == "decade":
        y = dct.year + 10 * k
        return _Hit(start, end, "DATE", f"{y:04d}", mod=mod or "APPROX", first=date(y, 1, 1),
                    last=date(y, 12, 31), gran="year", priority=1)
    if unit in ("century", "centurie"):
        return _Hit(start, end, "DATE", f"{(dct.year + 100 * k) // 100:02d}", mod=mod, gran="century")
    if unit == "month":
        d = date(dct.year, dct.month, 1) + relativedelta(months=k)
        return _Hit(start, end, "DATE", f"{d.year:04d}-{d.month:02d}", mod=mod, first=d,
                    last=month_last(d.year, d.month), gran="month", priority=1)
    if unit in ("week", "fortnight"):
        d = dct + timedelta(weeks=k * (2 if unit == "fortnight" else 1))
        if relative_unit or abs(k) > 2:  # "six weeks ago" names a week, not a day
            a, b = _week_span(d)
            return _Hit(start, end, "DATE", _week_value(d), mod=mod, first=a, last=b, gran="week", priority=1)
        return _Hit(start, end, "DATE", d.isoformat(), mod=mod, first=d, last=d, gran="day", priority=1)
    if unit == "day":
        d = dct + timedelta(days=k)
        return _Hit(start, end, "DATE", d.isoformat(), mod=mod, first=d, last=d, gran="day", priority=1)
    if unit == "quarter":
        qi = dct.year * 4 + (dct.month - 1) // 3 + k
        y, q = divmod(qi, 4)
        a, b = _quarter_span(y, q + 1)
        return _Hit(start, end, "DATE", f"{y:04d}-Q{q + 1}", mod=mod, first=a, last=b, gran="quarter")
    if unit == "hour":
        return _Hit(start, end, "TIME", f"{dct.isoformat()}", mod=mod)
    return None


# Financial reporting periods, resolved against the quarter the text is reporting on (``_in_context``):
# "a year ago"/"a year earlier" next to quarterly figures mean that quarter a year before; "the year-ago
# quarter", "the latest period", "the 1988 quarter".
@_rule(("year", "period", "quarter"),
       r"""(?P<ya>a\s+year\s+(?:ago|earlier))
    |(?:the\s+)?(?:comparable\s+|corresponding\s+|same\s+)?year[-\s](?:ago|earlier)
      (?:\s+(?:(?P<ord>first|second|third|fourth)[-\s]+)?(?P<u>quarter|period|nine\s+months|six\s+months))?
    |the\s+(?:latest|most\s+recent|current|reporting)\s+(?P<u2>quarter|period)
    |the\s+(?P<y>(?:19|20)\d\d)\s+(?P<u3>quarter|period)""")
def _r_fiscal(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if ctx.dct is None:
        return None
    if m["u"] and "months" in m["u"].lower():
        return _Hit(m.start(), m.end(), "DURATION", "P9M" if "nine" in m["u"].lower() else "P6M")
    if m["ya"]:
        y = ctx.dct.year - 1
        return _Hit(m.start(), m.end(), "DATE", f"{y}", first=date(y, 1, 1), last=date(y, 12, 31),
                    gran="year", needs="yearago", priority=3)
    if m["ord"]:
        q = _ORD[m["ord"].lower()]
        y = ctx.dct.year - 1
        a, b = _quarter_span(y, q)
        return _Hit(m.start(), m.end(), "DATE", f"{y}-Q{q}", first=a, last=b, gran="quarter", priority=1)
    if m["u2"]:
        return _Hit(m.start(), m.end(), "DATE", "", needs="reported", priority=1)
    if m["y"]:
        return _Hit(m.start(), m.end(), "DATE", m["y"], needs=f"y{m['y']}", priority=1)
    return _Hit(m.start(), m.end(), "DATE", "", needs="yearago", priority=1)


# Dates relative to the one the story just mentioned: "the following year", "the next day", "that same day",
# "the previous month" (resolved by ``_in_context``; publication date when nothing came before).
@_rule(("day", "morning", "afternoon", "evening", "night", "week", "month", "year"),
       r"""(?P<pos>(?:earlier|later|early|late)\s+)?
    (?:the\s+(?P<dir>following|previous|preceding|prior|same)|that(?:\s+same)?|the\s+(?P<nx>next)(?=\s+(?:day|morning|
    afternoon|evening|night)))
    \s+(?P<unit>day|morning|afternoon|evening|night|week|month|year)(?![-\w])""")
def _r_anaphor(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if ctx.dct is None:
        return None
    d = (m["dir"] or m["nx"] or "same").lower()
    step = {"following": 1, "next": 1, "previous": -1, "preceding": -1, "prior": -1}.get(d, 0)
    needs = f"ana:{step}:{m['unit'].lower()}"
    return _Hit(m.start(), m.end(), "DATE", "", mod=_mod_of(m["pos"]), needs=needs, priority=2)


def _anaphor(h: _Hit, anchor: date, step: int, unit: str) -> None:
    if unit == "year":
        y = anchor.year + step
        h.value, h.first, h.last, h.gran = f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year"
    elif unit == "month":
        d = date(anchor.year, anchor.month, 1) + relativedelta(months=step)
        h.value, h.first, h.gran = f"{d.year:04d}-{d.month:02d}", d, "month"
        h.last = month_last(d.year, d.month)
    elif unit == "week":
        d = anchor + timedelta(weeks=step)
        h.value, (h.first, h.last), h.gran = _week_value(d), _week_span(d), "week"
    else:
        d = anchor + timedelta(days=step)
        part = _PARTS.get(unit)
        h.value, h.first, h.last, h.gran = d.isoformat() + (f"T{part}" if part else ""), d, d, "day"
        h.type = "TIME" if part else "DATE"


def _quarter_hit(h: _Hit, y: int, q: int) -> _Hit:
    h.first, h.last = _quarter_span(y, q)
    h.value, h.gran = f"{y:04d}-Q{q}", "quarter"
    return h


def _in_context(hits: list[_Hit], ctx: _Ctx) -> list[_Hit]:
    """Values that depend on the rest of the text: reporting periods ("a year earlier" after "the third
    quarter") and clock times without a day, which take the day named in their sentence."""
    dct = ctx.dct
    reported: tuple[int, int] | None = None
    anchor: _Hit | None = None
    for h in hits:
        if h.gran == "quarter" and h.needs is None and h.value[:4].isdigit():
            reported = (int(h.value[:4]), int(h.value[-1]))
        if h.needs and h.needs.startswith("ana:") and dct is not None:
            _, step, unit = h.needs.split(":")
            base = anchor.first if anchor is not None and anchor.first is not None else dct
            _anaphor(h, base, int(step), unit)
            h.needs = None
        if h.needs and dct is not None:
            last_done = dct.year * 4 + (dct.month - 1) // 3 - 1
            ry, rq = reported if reported else (last_done // 4, last_done % 4 + 1)
            if h.needs == "yearago":
                if reported is not None:
                    _quarter_hit(h, ry - 1, rq)
                elif not h.value:
                    _quarter_hit(h, ry - 1, rq)
            elif h.needs == "reported":
                _quarter_hit(h, ry, rq)
            elif h.needs.startswith("y"):
                if reported is not None:
                    _quarter_hit(h, int(h.needs[1:]), rq)
                else:
                    y = int(h.needs[1:])
                    h.first, h.last, h.gran = date(y, 1, 1), date(y, 12, 31), "year"
            h.needs = None
        if h.first is not None and h.gran in ("day", "month", "year") and h.type == "DATE":
            anchor = h
        if h.gran == "clock" and dct is not None:
            s0, s1 = ctx.sentence(h.start)
            days = [o for o in hits if o is not h and o.gran == "day" and o.type == "DATE" and o.first
                    and s0 <= o.start < s1]
            if days:
                day = min(days, key=lambda o: abs(o.start - h.start))
                assert day.first is not None
                h.value = day.first.isoformat() + h.value[h.value.index("T"):]
    return hits


# Vague references to past, present and future: "now", "currently", "recently", "the past", "the future".
_REFS = {
    "now": "PRESENT_REF", "right now": "PRESENT_REF", "just now": "PAST_REF", "currently": "PRESENT_REF",
    "presently": "PRESENT_REF", "at present": "PRESENT_REF", "nowadays": "PRESENT_REF",
    "these days": "PRESENT_REF", "at the moment": "PRESENT_REF", "at this time": "PRESENT_REF",
    "the present": "PRESENT_REF", "recently": "PAST_REF", "lately": "PAST_REF", "the past": "PAST_REF",
    "recent years": "PAST_REF", "recent days": "PAST_REF", "recent weeks": "PAST_REF",
    "recent months": "PAST_REF", "the future": "FUTURE_REF", "the near future": "FUTURE_REF",
    "the coming days": "FUTURE_REF", "the coming weeks": "FUTURE_REF", "the coming months": "FUTURE_REF",
    "the coming years": "FUTURE_REF", "coming days": "FUTURE_REF", "coming weeks": "FUTURE_REF",
    "coming months": "FUTURE_REF", "coming years": "FUTURE_REF", "current": "PRESENT_REF",
    "the near term": "FUTURE_REF", "the long term": "FUTURE_REF", "the short term": "FUTURE_REF",
    "the days ahead": "FUTURE_REF", "the weeks ahead": "FUTURE_REF", "the months ahead": "FUTURE_REF",
    "the years ahead": "FUTURE_REF", "a later date": "FUTURE_REF", "as soon as possible": "FUTURE_REF",
    "past years": "PAST_REF",
}
# Left out on purpose: "previously", "soon", "once", "earlier", "recent", "future", "shortly" (TimeML
# annotators rarely mark them: each was mostly a false positive on TempEval-3 training data) and
# "so far", "to date", "for the time being" (not temporal expressions in TimeML).
_REF_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_REFS, key=len, reverse=True))


@_rule(("now", "current", "present", "recent", "late", "past", "future", "days", "moment", "this time",
        "term", "ahead", "date", "soon"),
       rf"(?P<r>{_REF_RE})")
def _r_ref(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    key = re.sub(r"\s+", " ", m["r"].lower())
    after = ctx.text[m.end(): m.end() + 24]
    before = ctx.text[max(0, m.start() - 16): m.start()]
    if key == "current" and (re.search(r"\bthen\s+$", before, re.I)
                             or re.match(r"\s+(?:account|affairs|events|president|chairman|members?)\b",
                                         after, re.I)):
        return None
    if key == "now" and re.match(r"-", after):
        return None
    if key == "the past" and re.match(r"\s+(?:\d|few|several|two|three|four|five|six|seven|eight|nine|ten|"
                                         r"year|week|month|decade|day|hour|century)", after, re.I):
        return None
    return _Hit(m.start(), m.end(), "DATE", _REFS[key])


# Recurrence: "daily", "every day", "each year", "twice a year", "annually", "every Monday", "each July".
@_rule(("daily", "weekly", "monthly", "yearly", "hourly", "nightly", "every", "each", "a day", "a week",
        "a month", "a year", "per "),
       rf"""(?P<adv>daily|weekly|monthly|yearly|hourly|nightly|biweekly)
    |(?:every|each)\s+(?:(?P<n>other|two|three|four|five|six|\d+)\s+)?(?P<u>day|week|month|year|quarter|hour|
    minute|decade|morning|afternoon|evening|night|weekend|season|summer|winter|spring|fall|autumn|{MONTH_FULL})
    |(?:a|per)\s+(?P<u2>day|week|month|year)(?=[\s,.;])""")
def _r_set(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if m["adv"]:
        adv = m["adv"].lower()
        nxt = ctx.text[m.end(): m.end() + 20]
        if adv in ("daily", "weekly", "monthly") and re.match(r"\s+(?:newspaper|paper|magazine|[A-Z])", nxt):
            return None  # "the weekly magazine", "the Daily Telegraph"
        val = {"daily": "P1D", "nightly": "P1D", "weekly": "P1W", "biweekly": "P2W", "monthly": "P1M",
               "yearly": "P1Y", "hourly": "PT1H"}[adv]
        return _Hit(m.start(), m.end(), "SET", val)
    if m["u2"]:
        before = ctx.text[max(0, m.start() - 30): m.start()]
        if not re.search(r"\b(?:once|twice|thrice|times|\d+|dollars?|percent|%|hours|days|meals)\s*$", before,
                         re.I):
            return None
        return _Hit(m.start(), m.end(), "SET", _duration(1, m["u2"]))
    u = m["u"]
    k = 2 if (m["n"] or "").lower() == "other" else int(_num(m["n"]) or 1) if m["n"] else 1
    ul = u.lower()
    if ul in _PARTS:
        return _Hit(m.start(), m.end(), "SET", f"XXXX-XX-XXT{_PARTS[ul]}")
    if ul in _SEASONS:
        return _Hit(m.start(), m.end(), "SET", f"XXXX-{_SEASONS[ul]}")
    if u[0].isupper() and ul[:3] in MONTHS:
        return _Hit(m.start(), m.end(), "SET", f"XXXX-{MONTHS[ul[:3]]:02d}")
    if ul == "weekend":
        return _Hit(m.start(), m.end(), "SET", "XXXX-WXX-WE")
    if ul == "season":
        return None
    return _Hit(m.start(), m.end(), "SET", _duration(k, ul))


# Holidays with a fixed or computable date: "Christmas", "New Year's Day", "Thanksgiving", "Easter".
def _nth_weekday(y: int, month: int, wd: int, n: int) -> date:
    d = date(y, month, 1)
    d += timedelta(days=(wd - d.weekday()) % 7)
    if n > 0:
        return d + timedelta(weeks=n - 1)
    last = month_last(y, month)
    return last - timedelta(days=(last.weekday() - wd) % 7)


_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas day": lambda y: date(y, 12, 25),
    "christmas": lambda y: date(y, 12, 25),
    "new year's eve": lambda y: date(y, 12, 31),
    "new year's day": lambda y: date(y, 1, 1),
    "independence day": lambda y: date(y, 7, 4),
    "halloween": lambda y: date(y, 10, 31),
    "valentine's day": lambda y: date(y, 2, 14),
    "thanksgiving day": lambda y: _nth_weekday(y, 11, 3, 4),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    "election day": lambda y: _nth_weekday(y, 11, 0, 1) + timedelta(days=1),
    "easter sunday": easter,
    "easter": easter,
    "good friday": lambda y: easter(y) - timedelta(days=2),
}
_HOL_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+").replace("'", "['’]") for k in _HOLIDAYS)


@_rule(("christmas", "new year", "independence", "halloween", "valentine", "thanksgiving", "labor",
        "memorial", "election", "easter", "good friday"),
       rf"(?P<rel>(?:last|next|this)\s+)?(?P<h>{_HOL_RE})(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?")
def _r_holiday(m: re.Match[str], ctx: _Ctx) -> _Hit | None:
    if not _is_cap(m["h"]):
        return None
    key = re.sub(r"\s+", " ", m["h"].lower().replace("’", "'"))
    fn = _HOLIDAYS[key]
    if m["y"]:
        y = int(m["y"])
    elif ctx.dct is None:
        return None
    else:
        rel = (m["rel"] or "").strip().lower()
        kind = {"last": "past", "next": "future"}.get(rel)
        tense: Tense = (kind, True) if kind else ctx.tense(m.start(), m.end())
        y = year_near(ctx.dct, tense, lambda yy: (fn(yy), fn(yy))) or ctx.dct.year
    d = fn(y)
    return _Hit(m.start(), m.end(), "DATE", d.isoformat(), first=d, last=d, gran="day",
                explicit_year=bool(m["y"]), priority=1)


# --------------------------------------------------------------------------------------------------
# Driver


_TRIM = re.compile(r"(?:(?:its|their|his|her|our|that)\s+"
                   r"|(?:the|a|an)\s+(?=[\w.]+-(?:quarter|day|week|month|year|hour|minute|decade)s?$))", re.I)


def _trim(h: _Hit, text: str) -> _Hit:
    """Drop words TimeML leaves outside the extent: possessives ("its fourth quarter") and the article
    of an adjective ("the 14-day")."""
    m = _TRIM.match(text, h.start, h.end)
    if m and m.end() < h.end:
        h.start = m.end()
    return h


def _tag(text: str, dct: date | None) -> list[_Hit]:
    """All rule hits in ``text``, overlaps settled: the longest span wins, then the higher priority."""
    if not text:
        return []
    low, has_digit = text.lower(), bool(_DIGIT.search(text))
    if not has_digit and not any(t in low for t in _gate_tokens()):
        return []
    rules = [(p, fn) for trigger, p, fn in _RULES if _triggered(trigger, low, has_digit)]
    if not rules:
        return []
    ctx = _Ctx(text, dct)
    hits: list[_Hit] = []
    for pattern, fn in rules:
        for m in pattern.finditer(text):
            found = fn(m, ctx)
            for h in found if isinstance(found, list) else [found]:
                if h is not None and h.end > h.start:
                    hits.append(_trim(h, text))
    hits.sort(key=lambda h: (-(h.end - h.start), -h.priority, h.start))
    taken: list[_Hit] = []
    for h in hits:
        if all(h.end <= t.start or h.start >= t.end for t in taken):
            taken.append(h)
    taken.sort(key=lambda h: h.start)
    return _in_context(_join_clock(taken, text), ctx)


def timex3(text: str, dct: date | None) -> list[Timex3]:
    """Every temporal expression in ``text`` as TIMEX3 (type and TimeML value), anchored at ``dct``."""
    out = []
    for h in _tag(text, dct):
        out.append(Timex3(h.start, h.end, text[h.start:h.end], h.type, h.value, h.mod, h.end_value))
    return out


_RANGE_GAP = re.compile(r"\s*(?:[-–—]|to|through|until|till|and)\s*", re.I)
_TIME_DAYWORD = re.compile(rf"{WEEKDAY_NAME}|today|yesterday|tomorrow|tonight|night|{MONTH_NAME}", re.I)
_GRAN_ORDER = ["day", "month", "year"]
_CALENDAR = {"day": "day", "month": "month", "year": "year", "quarter": "month", "half": "month",
             "season": "month"}


def _is_range(text: str, a: _Hit, b: _Hit) -> bool:
    """"X - Y", "X to Y", "from X until Y", "between X and Y" (a bare "X and Y" is two dates)."""
    gap = text[a.end: b.start]
    if not _RANGE_GAP.fullmatch(gap):
        return False
    before = text[max(0, a.start - 9): a.start].lower().rstrip()
    return gap.strip().lower() != "and" or before.endswith("between")


def _year_from_end(h: _Hit, end: date) -> date | None:
    """The start of "from December 28 to January 3, 2022" takes its year from the end of the range."""
    m = re.fullmatch(r"(?:\d{4}|XXXX)-(\d\d)(?:-(\d\d))?", h.value)
    if m is None:
        return h.first
    mo, d = int(m.group(1)), int(m.group(2) or 1)
    y = end.year if (mo, d) <= (end.month, end.day) else end.year - 1
    return safe_date(y, mo, d)


def _ordered(first: date, end: date, published: date | None) -> tuple[date, date]:
    """A range of two year-less dates whose years were chosen apart and came out backwards ("runs from 1 June
    to 30 November" in June: 1 June 2010, 30 November 2009): the end a year later, or the start a year
    earlier, whichever keeps the range nearer to publication."""
    later, earlier = (first, end + relativedelta(years=1)), (first - relativedelta(years=1), end)
    if published is None:
        return later
    return min((later, earlier), key=lambda r: abs((r[0] + (r[1] - r[0]) / 2 - published).days))


def resolve(text: str, published: date | None) -> list[TimeExpr]:
    """The expressions of ``text`` that name calendar dates (day, month or year), as TimeExpr.

    Built on the same rules as :func:`timex3`; durations, recurrences, clock times without a day, weeks
    and vague references ("now", "recently") are not dates and are left out. Two dates joined as a range
    ("from January 9 to February 2", "December 2021-January 2022") become one expression with ``last``.
    Quarters, halves and seasons are month-granular ranges.
    """
    hits = [h for h in _tag(text, published)
            if h.gran in _CALENDAR and (h.type != "TIME" or _TIME_DAYWORD.search(text, h.start, h.end))]
    out: list[TimeExpr] = []
    i = 0
    while i < len(hits):
        h = hits[i]
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        if nxt is not None and nxt.first is not None and _is_range(text, h, nxt):
            first = _year_from_end(h, nxt.first) if not h.explicit_year and nxt.explicit_year else h.first
            end = nxt.last or nxt.first
            if first is not None and end <= first and not h.explicit_year and not nxt.explicit_year:
                first, end = _ordered(first, end, published)
            if first is not None and end > first:
                gran = max(_CALENDAR[h.gran or "day"], _CALENDAR[nxt.gran or "day"], key=_GRAN_ORDER.index)
                out.append(TimeExpr(h.start, nxt.end, text[h.start:nxt.end], first, gran, end))
                i += 2
                continue
        if h.first is not None:
            last = h.last if h.last and h.last != h.first else None
            gran = _CALENDAR[h.gran or "day"]
            out.append(TimeExpr(h.start, h.end, text[h.start:h.end], h.first, gran, last))
        i += 1
    return out


# --------------------------------------------------------------------------------------------------
# Days as written

_DAY_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DAY_NAME = re.compile(rf"\b(?:(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                       rf"|{_DAY_MON}\s+(\d{{1,2}})(?!\d)|(\d{{1,2}})\s+(?:of\s+)?{_DAY_MON})\b", re.I)


def day_names(text: str) -> frozenset[str]:
    """The days a sentence names as written ("friday", "dec-7"), unresolved: what two sentences can still be
    compared by when the resolver could not place them (no publication date to count a weekday from)."""
    out = set()
    for m in DAY_NAME.finditer(text):
        if m.group(1):
            out.add(m.group(1).lower())
        elif m.group(2):
            out.add(f"{m.group(2).lower()}-{int(m.group(3))}")
        else:
            out.add(f"{m.group(5).lower()}-{int(m.group(4))}")
    return frozenset(out)
