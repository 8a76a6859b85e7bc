"""Calendar dates as news write them: the one vocabulary of months, weekdays, days and years, the finder
of dates written out ("January 19, 2022", "19 Jan", "2022-01-19"), and the year of a date written without
one.

Shared by ingest (publication dates from metadata, datelines and leads: ``ingest/metadata.py``) and
annotate (TIMEX3-style expressions resolved against a publication date: ``annotate/dates.py``), so this
module imports neither. Year inference comes in the two directions those callers need:

* :func:`year_near` — the year of an expression given the reference date (publication) and the tense
  that governs the expression: the candidate nearest to the reference, the wrong side of it ruled out by
  a strong cue or made ``WEAK_PENALTY`` days farther by a weak one (rules in ``annotate/dates.py``).
* :func:`year_from_anchors` — the year of a dateline's "January 19" when the publication date is what
  is sought: the other dates of the article that carry a year, and the tense of their clauses, decide.

Hand-written patterns rather than a date parser's: the same expressions must be found at the same offsets
by every caller, and general parsers guess a missing year from today, which would invent dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

# --------------------------------------------------------------------------------------------------
# Vocabulary

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Month names, capitalised as prose writes them (callers that ignore case compile with re.I).
MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
MONTH_NAME = rf"(?:{MONTH_FULL}|{MONTH_ABBR})"
# Any spelling that starts like a month ("Sept.", "Janvier"): layout patterns (bylines, captions) that
# only need to see that a date is there.
MONTH_LOOSE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
# A month in any case, full or abbreviated (lower case: compile with re.I), for metadata and datelines.
MONTH_ANY_CASE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAY_NAME = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
WEEKDAY_LOOSE = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?"
WEEKDAY_ANY_CASE = r"(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?i:day|nesday|sday|urday)?\.?"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]|20)\d\d"  # the years a news date may carry (TIMEX3 also takes 1600-1799: dates.py)
# Time zones as pages write them, the one list every reader of clocks, stamps and datelines uses. Abbreviations
# count in capitals only, whatever the caller's flags (a lower-case "est" or "cet" is a word); "ET" and "PT"
# only after a clock (``CLOCK_ZONE``: "4:32 pm ET"), since alone they are initials ("PT Freeport").
_ZONES = ("GMT", "UTC", "BST", "CEST", "CET", "EEST", "EET", "MSK", "EDT", "EST", "CDT", "CST", "MDT", "MST",
          "PDT", "PST")
TIME_ZONE = r"(?:(?-i:" + "|".join(_ZONES) + r")|(?i:(?:UK|local|Kyiv)\s+time))"
CLOCK_ZONE = r"(?:(?-i:ET|PT)|" + TIME_ZONE + ")"


def month_last(y: int, m: int) -> date:
    return date(y, m, 1) + relativedelta(months=1, days=-1)


def safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# Dates written out

_DATE = re.compile(
    rf"""\b(?:
      (?P<iy>{YEAR})[-/.](?P<im>1[0-2]|0?[1-9])[-/.](?P<id>[12]\d|3[01]|0?[1-9])        # 2022-01-19
    | (?P<m1>{MONTH_ANY_CASE})\s+(?P<d1>{DAY})(?:\s*[-–]\s*{DAY})?(?:,?\s+(?P<y1>{YEAR}))?      # January 9-10, 2022
    | (?P<d2>{DAY})(?:\s*[-–]\s*{DAY})?\s+(?:of\s+)?(?P<m2>{MONTH_ANY_CASE}),?(?:\s+(?P<y2>{YEAR}))?  # 19 Jan 2022
    | (?P<m3>{MONTH_ANY_CASE}),?\s+(?P<y3>{YEAR})                                                 # January 2022
    | (?P<nd>[12]\d|3[01]|0?[1-9])\.(?P<nm>1[0-2]|0?[1-9])\.(?P<ny>{YEAR})              # 19.01.2022
    )\b""",
    re.I | re.X,
)


@dataclass(frozen=True, slots=True)
class DateHit:
    """One date written in a text; ``day`` is None for a month ("January 2022"), ``year`` when unsaid."""

    start: int
    end: int
    year: int | None
    month: int
    day: int | None

    @property
    def full(self) -> bool:
        return self.year is not None and self.day is not None

    def span(self) -> tuple[date, date]:
        """First and last day covered (a month-year covers the whole month)."""
        assert self.year is not None
        if self.day is not None:
            d = date(self.year, self.month, self.day)
            return d, d
        nxt = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return date(self.year, self.month, 1), date.fromordinal(nxt.toordinal() - 1)


def find_dates(text: str) -> list[DateHit]:
    """Every calendar date written in English in ``text`` (invalid ones such as 31 February skipped)."""
    hits = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        if g["iy"]:
            y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
        elif g["ny"]:
            y, mo, d = int(g["ny"]), int(g["nm"]), int(g["nd"])
        else:
            mon = g["m1"] or g["m2"] or g["m3"]
            if mon.startswith("may") and len(mon) == 3:  # "may" the verb, not the month
                continue
            mo = MONTHS[mon[:3].lower()]
            day = g["d1"] or g["d2"]
            d = int(re.sub(r"\D", "", day)) if day else None
            year = g["y1"] or g["y2"] or g["y3"]
            y = int(year) if year else None
        try:
            if y is not None:
                date(y, mo, d or 1)
            elif d is not None:
                date(2000, mo, d)  # a leap year: accepts 29 February
        except ValueError:
            continue
        hits.append(DateHit(m.start(), m.end(), y, mo, d))
    return hits


# --------------------------------------------------------------------------------------------------
# The year of a date written without one

Tense = tuple[str, bool] | None  # ("past" | "future", strong)
WEAK_PENALTY = 120  # days a weak tense cue adds to a candidate date on the wrong side of publication


def choose_year(spans: list[tuple[int, date, date]], reference: date, tense: Tense) -> int | None:
    """Year of the interval in ``spans`` nearest to ``reference``, the tense counting against the wrong side.

    A strong cue rules out intervals entirely after (past) or before (future) the reference; a weak one
    adds ``WEAK_PENALTY`` days to their distance.
    """
    if not spans:
        return None
    kind, strong = tense if tense else (None, False)

    def cost(s: tuple[int, date, date]) -> tuple[float, int]:
        a, b = s[1], s[2]
        d = 0 if a <= reference <= b else min(abs((a - reference).days), abs((b - reference).days))
        wrong = (kind == "past" and a > reference) or (kind == "future" and b < reference)
        penalty = (10_000 if strong else WEAK_PENALTY) if wrong else 0
        return d + penalty, (-s[0] if kind == "future" else s[0])

    return min(spans, key=cost)[0]


def year_near(reference: date, tense: Tense, span_of: Callable[[int], tuple[date, date] | None]) -> int | None:
    """The year (the reference's or a neighbour) that puts ``span_of(year)`` nearest to ``reference``."""
    spans = []
    for y in (reference.year - 1, reference.year, reference.year + 1):
        s = span_of(y)
        if s is not None:
            spans.append((y, s[0], s[1]))
    return choose_year(spans, reference, tense)


_FUTURE = re.compile(  # including verbs of intent, whose object lies ahead even in the past tense
    r"\b(?:will|shall|would|is to|are to|due to|scheduled|plann?(?:ed|s)?|expect(?:s|ed)?|hoped?s?|upcoming|"
    r"next|intend(?:s|ed)?|aim(?:s|ed)? to|promised to|pledged to|vowed to|agreed to|set to|going to|"
    r"to be held|later this)\b",
    re.I,
)
_PAST = re.compile(r"\b(?:was|were|had|did|ago|earlier|last|previously|since|took place|[a-z]{3,}ed)\b", re.I)
_CLAUSE_END = re.compile(r"[,;:!?\n—–]|\.(?:\s|$)")


def _clause_tense(clause: str) -> int:
    """+1 when a clause speaks of the future, -1 of the past, 0 when it does not say."""
    return 1 if _FUTURE.search(clause) else -1 if _PAST.search(clause) else 0


def year_from_anchors(month: int, day: int, text: str, exclude: tuple[int, int]) -> date | None:
    """The date of a "January 19" (a dateline's) in ``text``, its year taken from the article's other dates.

    Rule: anchors are the dates in the text that carry a year ("December 17, 2021", "January 2022"),
    outside ``exclude`` (the date itself). An anchor in a clause about the future (will, hopes, expects,
    upcoming...) must not be before the date sought, one in a past-tense clause (released, had, since...)
    must not be after it. Among the years next to the anchors', the one breaking fewest of these
    constraints and then closest to an anchor wins; none within a year of an anchor (or no anchor at all)
    gives None: a guess is worse than no date.
    """
    anchors: list[tuple[date, date, int]] = []  # first day, last day, tense (+1 future, -1 past, 0)
    for h in find_dates(text[:50_000]):
        if h.year is None or exclude[0] <= h.start < exclude[1]:
            continue
        before = _CLAUSE_END.split(text[max(0, h.start - 200) : h.start])[-1]
        after = _CLAUSE_END.split(text[h.end : h.end + 200].lstrip(" ,;:"))[0]
        tense = _clause_tense(before) or _clause_tense(after)
        anchors.append((*h.span(), tense))
    if not anchors:
        return None
    best: tuple[int, int, date] | None = None
    for year in sorted({a[0].year + k for a in anchors for k in (-1, 0, 1)}):
        d = safe_date(year, month, day)
        if d is None:  # 29 February
            continue
        broken = sum((t > 0 and d > last) or (t < 0 and d < first) for first, last, t in anchors)
        gap = min(
            0 if first <= d <= last else min(abs((d - first).days), abs((d - last).days)) for first, last, _ in anchors
        )
        if best is None or (broken, gap) < best[:2]:
            best = (broken, gap, d)
    return best[2] if best and best[1] <= 366 else None
