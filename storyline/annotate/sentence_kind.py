"""What kind of text a sentence is: prose, or page furniture that scraped news carries along.

Scraped articles mix the story's own sentences with photo captions ("June 4: A crew picks up oil …"),
photo credits ("Photograph: Dave Martin/AP"), bylines and datelines ("WASHINGTON | Thu Apr 30, 2009
4:32 pm EDT WASHINGTON (Reuters) -"), reader comments ("At 22:56 26th Apr 2009, Jericoa wrote: …"),
share and promo lines ("Click here to …") and fragments (", defended the $20 billion fund"). None of them
is a timeline event, a summary sentence or a speaker's attribution, but all stay stored and searchable.
This is the one place that tells them apart, so every stage agrees:

* ``kind(text)`` → ``"prose"`` or the kind of furniture (``KINDS``);
* ``is_prose(text)`` — shorthand for ``kind(text) == "prose"``;
* ``furniture_spans(text)`` — credits and datelines glued *into* a sentence by the scraper, as character
  spans, so the sentence splitter can cut them out as sentences of their own (a name never runs across a
  credit into the next sentence: "Photograph: Dave Martin/AP BP's woes …");
* ``opens_on_pronoun(text)`` — a sentence whose subject is a pronoun it does not resolve ("They will
  later …"): it cannot stand alone as a timeline row.
* ``reports_speech(text)`` — a sentence that is only a quotation and its attribution ('"We will fix it,"
  Hayward said on Thursday.'): prose, but a date in it is the speaker's, so it founds no timeline row.

Hand-written patterns, not a model: these are layout conventions of news sites, not language, and a
trained classifier would need labelled furniture that no public data set has.
"""

from __future__ import annotations

import re

from ..calendar import MONTH_LOOSE, WEEKDAY_LOOSE
from ..text import words
from .speech_verbs import SPEECH_FORMS

KINDS = ("prose", "caption", "credit", "byline", "comment", "promo", "fragment")

_MONTH = MONTH_LOOSE
_WEEKDAY = WEEKDAY_LOOSE
_CLOCK = r"\d{1,2}[:.]\d\d(?:\s?[ap]\.?m\.?)?"
_AGENCY = (r"(?:AP|AFP|EPA|PA|Reuters|Getty(?: Images)?|Associated Press|Bloomberg|Corbis|Rex(?: Features)?|"
           r"Alamy|Xinhua|NASA|US Coast Guard|U\.S\. Coast Guard|Press Association|Sipa|Polaris|EFE|"
           r"Handout|[A-Z]{2,6})")

# A photo credit: "Photograph: Dave Martin/AP", "Photograph: Associated Press", "Photograph: Sarah Lee for
# the Guardian", "(Photo: Japanese students wear masks in Tokyo/Toru Hanai)".
_CREDIT = re.compile(
    r"\((?:Photo|Picture|Image)s?(?: credit)?:[^()]{1,120}\)"
    r"|(?:Photograph|Photo|Picture|Image|Illustration|Composite|Video)s?(?: credit)?:\s+"
    r"(?:[^\s/\\]+(?:\s[^\s/\\]+){0,5}?(?:\\?/[A-Z][\w.&'-]*(?:\s(?:Images|Press|Features|Pictures|Photos|Guard))?)+"
    r"|[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,3}\sfor\s(?:the\s)?[A-Z]\w+"
    r"|" + _AGENCY + r")(?![\w/])"
    r"|\b(?:REUTERS|AFP|EPA)\\?/[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,2}")
# A wire dateline or byline at the start: "WASHINGTON | Thu Apr 30, 2009 4:32 pm EDT WASHINGTON (Reuters) - ",
# "HOUSTON, June 2 (Reuters) - ", "By Amy Hybels, For CNN ", "By Dan Primack February 2, 2011: 2:24 PM ET ".
_PLACE = r"[A-Z][A-Z.'\\/ -]*[A-Z.](?:,\s" + _MONTH + r"\s\d{1,2})?"
_WIRE = (r"(?:" + _PLACE + r"\s\|\s" + _WEEKDAY + r"\s" + _MONTH + r"\s\d{1,2},\s\d{4}\s" + _CLOCK
         + r"\s[A-Z]{2,4}\s+)?(?:" + _PLACE + r"\s?)?(?:--)?\((?:Reuters|AP|AFP|CNN|Bloomberg|UPI|AFX)\)"
         + r"\s*(?:-+|–|—)\s*")
# Also "January 27, 2011 | By Tim Lister and Emily Smith, CNN " and "By the CNN Wire Staff " before the lead.
_DATELINE = re.compile(
    r"^(?:By\s[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){0,3}(?:,\s[^|]{1,40}?)?\s+(?=[A-Z]{2}|" + _MONTH + r"\s\d))?"
    r"(?:" + _WIRE + r"|" + _MONTH + r"\s\d{1,2},\s\d{4}:?\s" + _CLOCK
    + r"\s(?:[AP]M\s)?(?:ET|EST|EDT|GMT|BST)(?:\s+|$)"
    r"|" + _MONTH + r"\s\d{1,2},\s\d{4}\s\|\sBy\s[A-Z][\w.'-]+(?:\s(?:[A-Z][\w.'-]+|and))*,\s[A-Z][\w.]*"
    r"(?:\s+(?=[A-Z])|\s*$)|By\sthe\s[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3}\sStaff(?:\s+(?=[A-Z])|\s*$))")
_WIRE_ANYWHERE = re.compile(r"(?<![\w.])" + _WIRE)
_BYLINE_ONLY = re.compile(r"^By\s[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){1,3}(?:,\s[\w ,.'-]{1,60})?\.?$")
_BYLINE_BAR = re.compile(r"^[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){0,3}\s\|\s(?:" + _CLOCK + r"|" + _WEEKDAY + ")")
_DATELINE_ONLY = re.compile(
    r"^(?:(?:Last\s)?(?:updated|published|posted)(?:\son|\sat)?:?\s.{0,60}\d{4}.{0,20}$)"
    r"|^(?:" + _WEEKDAY + r",?\s)?(?:\d{1,2}\s" + _MONTH + r"|" + _MONTH + r"\s\d{1,2},?)\s\d{4}"
    r"(?:,?\s(?:at\s)?" + _CLOCK + r"(?:\s[A-Z]{2,4})?)?\.?$"
    r"|^" + _PLACE + r"\s\|\s" + _WEEKDAY + r"\s" + _MONTH + r"\s\d{1,2},\s\d{4}", re.I)
# Reader comments: "At 22:56 26th Apr 2009, Jericoa wrote:" (also where a scraper glued it after the comment
# before), "January 28, 2011 05:21 pm at 5:21 pm |",
# "… | Report abuse |", "Recommend? (12)".
_COMMENT = re.compile(
    r"(?:^|(?<=[\s.!?…]))At\s" + _CLOCK + r"\s(?:on\s)?\d{1,2}(?:st|nd|rd|th)?\s" + _MONTH
    + r"\s\d{4},\s[^:]{1,60}\swrote:"
    r"|\bat\s" + _CLOCK + r"\s\|"
    r"|\|\s*Report abuse\b|\bRecommend\?\s*\(\d+\)|\bwrote:\s*$", re.I)
# A caption: a date label and a colon, then a present-tense picture description ("June 4: A crew picks up").
_CAPTION = re.compile(r"^(?:" + _WEEKDAY + r",?\s)?" + _MONTH + r"\s\d{1,2}(?:,\s\d{4})?:\s+\S")
_PROMO = re.compile(
    r"^(?:Share\s(?:this|your|on|with)|Click\s(?:here|on|image|to|the)|Sign\s?up\b|Follow\s(?:us|@)|"
    r"Subscribe\b|Email\s(?:this|to a friend)|Print\s(?:this|page)|Read\smore\b|Related:|See\salso\b|"
    r"Watch:|Video:|Download\s(?:PDF|our|the)|Tell\sus\b|Have\syour\ssay\b|Send\sus\b|Join\sthe\sconversation|"
    r"Copyright\b|All\srights\sreserved|Comments?\s(?:are|have been)\s(?:closed|disabled)|"
    r"(?:Add|Post|Leave)\sa\scomment|Log\sin\b|Advertisement\b|A\sversion\sappeared\son\sp\d)"
    r"|\biReport\b|\bRUSH TRANSCRIPT\b|\bAll rights reserved\b|©|\bCopyright\s+\d{4}\b|\bis\sproprietary\sto\b"
    r"|^(?:[A-Z][\w&.,-]*\s){1,5}(?:Inc|Ltd|LLC|Corp|plc|PLC)\.?,?\s\d{4}\.?$", re.I)
# A fragment: opens on punctuation or a lower-case word (a scraper split mid-sentence); "iPhone" and
# "eBay" open lower-case and are not fragments.
_FRAGMENT = re.compile(r"^(?:[,;:)\]}…]|[a-z][a-z'’]*\b(?![A-Z]))")
_PRONOUN = re.compile(r"^(?:[\"“‘']\s*)?(?:He|She|They|It|This|These|Those|That|His|Her|Their|Its|Him|Them)\b"
                      r"(?!\s+(?:is|was)\s+(?:the|a|an)\s+first)", re.I)
MIN_WORDS = 4
FRAME_WORDS = 8  # the most words an attribution around a quotation has ("BP chief executive Tony Hayward said")
_OPENING, _CLOSING = "“„«", "”»"


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of photo credits anywhere in ``text``."""
    return [m.span() for m in _CREDIT.finditer(text)]


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where a wire dateline or byline sits in ``text``: at its start, or after a headline the scraper
    glued before it ("… go to Gulf NEW ORLEANS | Tue Sep 28, 2010 8:50 pm EDT NEW ORLEANS (Reuters) - ")."""
    m = _DATELINE.match(text) or _WIRE_ANYWHERE.search(text)
    return m.span() if m else None


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Spans of furniture glued into a sentence (a dateline, credits), in order, never overlapping."""
    spans = sorted(([d] if (d := dateline_span(text)) else []) + credit_spans(text))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if not out or a >= out[-1][1]:
            out.append((a, b))
    return out


def kind(text: str) -> str:
    """``"prose"``, or which furniture the sentence is (see ``KINDS``)."""
    t = text.strip()
    if not t:
        return "fragment"
    if _COMMENT.search(t):
        return "comment"
    if _CREDIT.fullmatch(t.rstrip(". ")) or (t.startswith(("Photograph:", "Photo:")) and len(t.split()) <= 8):
        return "credit"
    if _CAPTION.match(t):
        return "caption"
    if _BYLINE_ONLY.match(t) or _BYLINE_BAR.match(t) or _DATELINE_ONLY.match(t):
        return "byline"
    if (m := _DATELINE.match(t)) and m.end() >= len(t.rstrip(" .-–—")):
        return "byline"
    if _PROMO.search(t):
        return "promo"
    if _FRAGMENT.match(t) or len(t.split()) < MIN_WORDS:
        return "fragment"
    return "prose"


_BYLINE_NAME = re.compile(r"^(?:By\s)?([A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){1,3})(?:,|\s\||\s*$|\s(?=" + _MONTH + r"\s\d))")


def byline_name(text: str) -> str | None:
    """The writer a byline names ("By Amy Hybels, For CNN", "James Reynolds | 11:50 UK time ..."), else None."""
    t = text.strip()
    if not (t.startswith("By ") or _BYLINE_BAR.match(t)) or kind(t) != "byline" and not _DATELINE.match(t):
        return None
    m = _BYLINE_NAME.match(t)
    return m.group(1) if m else None


def is_prose(text: str) -> bool:
    return kind(text) == "prose"


def opens_on_pronoun(text: str) -> bool:
    """The sentence opens on a pronoun whose referent lies in an earlier sentence ("They will later …")."""
    return bool(_PRONOUN.match(text.strip()))


def reports_speech(text: str) -> bool:
    """The sentence is only a quotation (four words or more) with at most a short attribution: `"We will
    fix it," Hayward said on Thursday.`, `Peskov's quote: "…"`, or a piece of a quote that runs over
    sentences (`"We will fix it.` / `we do not know when," he said.`)."""
    t = text.strip()
    quoted: list[tuple[int, int]] = []
    start = None
    for i, c in enumerate(t):
        if c not in _OPENING + _CLOSING + '"':
            continue
        closing = c in _CLOSING or (c == '"' and i > 0 and not t[i - 1].isspace() and (
            i + 1 == len(t) or not t[i + 1].isalnum()))
        if start is None and closing and not quoted:
            quoted.append((0, i))  # the end of a quotation opened in a sentence before
        elif start is None and not closing:
            start = i + 1
        elif start is not None and (closing or c == '"'):
            quoted.append((start, i))
            start = None
    if start is not None:
        quoted.append((start, len(t)))  # runs on into the next sentence
    if not quoted:
        return False
    inside = sum(len(words(t[a:b])) for a, b in quoted)
    outside, pos = [], 0
    for a, b in quoted:
        outside.append(t[pos:a])
        pos = b + 1
    outside.append(t[pos:])
    frame = [w for w in words(" ".join(outside))]
    return inside >= MIN_WORDS and len(frame) <= min(FRAME_WORDS, inside) and (
        not frame or ":" in " ".join(outside) or any(w.lower() in SPEECH_FORMS for w in frame))
