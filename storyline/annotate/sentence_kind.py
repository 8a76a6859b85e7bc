"""What kind of text a sentence is: prose, or page furniture that scraped news carries along.

Scraped articles mix the story's own sentences with photo captions ("June 4: A crew picks up oil …"),
photo credits ("Photograph: Dave Martin/AP"), bylines and datelines ("WASHINGTON | Thu Apr 30, 2009
4:32 pm EDT WASHINGTON (Reuters) -"), reader comments ("At 22:56 26th Apr 2009, Jericoa wrote: …"),
share and promo lines ("Click here to …") and fragments (", defended the $20 billion fund"). None of them
is a timeline event, a summary sentence or a speaker's attribution, but all stay stored and searchable.
This is the one place that tells them apart, so every stage agrees:

* ``kind(text)`` → ``"prose"`` or the kind of furniture (``KINDS``);
* ``is_prose(text)`` — shorthand for ``kind(text) == "prose"``;
* ``furniture_spans(text)`` — credits, datelines and pull-quote attributions ("End Quote Name Title") glued
  *into* a sentence by the scraper, as character spans, so the sentence splitter can cut them out as
  sentences of their own (a name never runs across a credit into the next sentence: "Photograph: Dave
  Martin/AP BP's woes …");
* ``opens_on_pronoun(text)`` — a sentence whose subject is a pronoun it does not resolve ("They will
  later …"): it cannot stand alone as a timeline row.
* ``reports_speech(text)`` — a sentence that is only a quotation and its attribution ('"We will fix it,"
  Hayward said on Thursday.'): prose, but a date in it is the speaker's, so it founds no timeline row.
* ``without_stamp(text)`` — the sentence less a time stamp or bracketed credit a page put before it
  ("(AP Photo) ", "3.40 pm: ", "Thursday, April 29, 2010; 4:49 PM ", "(Update 7 p.m. ET) "): what a row shows.
* ``looks_ahead(text, time_text)`` — the date is that of something expected, not reported ("The report will
  be released Monday.", "Talks are expected to resume next week"): a plan, deadline or forecast.
* ``recurring(text, time_text)`` — the date is a day of the calendar that comes round every year ("The
  hurricane season runs from 1 June to 30 November", "the region typically earns most of its income between
  June and August"): the time of no happening.

Hand-written patterns, not a model: these are layout conventions of news sites, not language, and a
trained classifier would need labelled furniture that no public data set has.
"""

from __future__ import annotations

import re

from ..calendar import CLOCK_ZONE, MONTH_LOOSE, WEEKDAY_LOOSE
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
# A place in capitals, perhaps with its state ("GRAND ISLE, La."), perhaps several ("CORDOVA, Alaska\/SAN
# FRANCISCO"), perhaps with the day ("HOUSTON, June 2").
_ONE_PLACE = r"[A-Z][A-Z.'\\/ -]*[A-Z.](?:,\s[A-Z][a-z]+\.?(?:\s[A-Z][a-z]+\.?)?)?"
_PLACE = _ONE_PLACE + r"(?:\\?/" + _ONE_PLACE + r")*(?:,\s" + _MONTH + r"\s\d{1,2})?"
# After a place in capitals any credited name will do ("LOS ANGELES (Billboard) - "); alone, only an agency's.
_WIRE = (r"(?:(?:" + _PLACE + r"\s\|\s)?" + _WEEKDAY + r"\s" + _MONTH + r"\s\d{1,2},\s\d{4}\s" + _CLOCK
         + r"\s[A-Z]{2,4}\s+)?(?:(?:" + _PLACE + r"\s?)?(?:--)?\((?:Reuters|AP|AFP|CNN|Bloomberg|UPI|AFX)\)"
         + r"|" + _PLACE + r"\s?(?:--)?\([A-Z][\w&.'’-]*(?:\s[A-Z][\w&.'’-]*){0,3}\))\s*(?:-+|–|—)\s*")
# Also "January 27, 2011 | By Tim Lister and Emily Smith, CNN " and "By the CNN Wire Staff " before the lead.
_DATELINE = re.compile(
    r"^(?:By\s[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){0,3}(?:,\s[^|]{1,40}?)?\s+(?=[A-Z]{2}|" + _MONTH + r"\s\d))?"
    r"(?:" + _WIRE + r"|" + _MONTH + r"\s\d{1,2},\s\d{4}:?\s" + _CLOCK
    + r"\s(?:[AP]M\s)?" + CLOCK_ZONE + r"(?:\s+|$)"
    r"|" + _MONTH + r"\s\d{1,2},\s\d{4}\s\|\sBy\s[A-Z][\w.'-]+(?:\s(?:[A-Z][\w.'-]+|and))*,\s[A-Z][\w.]*"
    r"(?:\s+(?=[A-Z])|\s*$)|By\sthe\s[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3}\sStaff(?:\s+(?=[A-Z])|\s*$))")
_WIRE_ANYWHERE = re.compile(r"(?<![\w.])" + _WIRE)
_BYLINE_ONLY = re.compile(r"^By\s[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){1,3}(?:,\s[\w ,.'-]{1,60})?\.?$")
_BYLINE_BAR = re.compile(r"^[A-Z][\w.'-]+(?:\s[A-Z][\w.'-]+){0,3}\s\|\s(?:" + _CLOCK + r"|" + _WEEKDAY + ")")
_DATELINE_ONLY = re.compile(
    r"^(?:(?:Last\s)?(?:updated|published|posted)(?:\son|\sat)?:?\s.{0,60}\d{4}.{0,20}$)"
    r"|^(?:(?:[A-Z][a-z]+\s)?" + _WEEKDAY + r",?\s)?(?:\d{1,2}\s" + _MONTH + r"|" + _MONTH + r"\s\d{1,2},?)\s\d{4}"
    r"(?:,?\s(?:at\s)?" + _CLOCK + r"(?:\s[A-Z]{2,4})?)?\.?$"
    r"|^" + _PLACE + r"\s\|\s" + _WEEKDAY + r"\s" + _MONTH + r"\s\d{1,2},\s\d{4}", re.I)
# Reader comments: "At 22:56 26th Apr 2009, Jericoa wrote:" (also where a scraper glued it after the comment
# before), "January 28, 2011 05:21 pm at 5:21 pm |",
# "… | Report abuse |", "Recommend? (12)".
_COMMENT_STAMP = (r"(?:^|(?<=[\s.!?…]))At\s" + _CLOCK + r"\s(?:on\s)?\d{1,2}(?:st|nd|rd|th)?\s" + _MONTH
                  + r"\s\d{4},\s[^:]{1,60}\swrote:"
                  r"|\bat\s" + _CLOCK + r"\s\|"
                  r"|\|\s*Report abuse\b|\bRecommend\?\s*\(\d+\)")
_COMMENT = re.compile(_COMMENT_STAMP + r"|\bwrote:\s*$", re.I)
# What a page says before it prints its readers' comments ("This debate is now closed.", "A selection of your
# comments appear below.", "Below is a selection of your comments."), never the form's "… may be published";
# or the first comment's stamp ("February 3, 2011 at 8:05 am | Report abuse |", "At 22:56 26th Apr 2009, X
# wrote:"): the comments run on to the page's end.
_COMMENTS_FOLLOW = re.compile(
    _COMMENT_STAMP + r"|\bthis\sdebate\sis\s(?:now\s)?closed\b"
    r"|\bselection\sof\s(?:your|readers['’]?)\scomments(?:\sto\sthis\sdebate)?\s(?:appears?|is|are)\sbelow\b"
    r"|\bbelow\s(?:is|are)\sa\sselection\sof\s(?:your|readers['’]?)\scomments\b", re.I)
# A caption: a date label and a colon, then a present-tense picture description ("June 4: A crew picks up"),
# the label perhaps after the agency's name ("AFP April 27: Weathered oil …"). A day-first label ("20 April:
# Explosion …") is a key-dates box, not a caption: it stays prose.
_CAPTION = re.compile(r"^(?:" + _AGENCY + r",?\s)?(?:" + _WEEKDAY + r",?\s)?" + _MONTH
                      + r"\s\d{1,2}(?:,\s\d{4})?:\s+\S")
# Or a description that points at its picture, wherever a scraper left it ("… in this handout photograph
# taken on April 21, 2010", "This undated photo provided by the US Coast Guard shows …", "FILE - …", "In an
# image released by NOAA …"): "in this photo", said of where it came from or closing a clause, is the
# captioning convention ("the problem in this picture is greed" is prose); "in a photo" only with the
# participle of where the picture came from, ending the sentence ("He appeared in a photo with …", "The
# story in a picture taken by a Reuters photographer is irrefutable" are prose).
_PICTURE = r"(?:photo(?:graph)?s?|pictures?|images?|handout|video\s(?:still|grab|image)s?|(?:frame|screen)\s?grabs?)"
_PROVENANCE = r"(?:taken|released|provided|obtained|made\savailable|dated|shot|issued|distributed|supplied|courtesy)"
# the picture's modifiers ("undated handout"), never a determiner or "in this case"
_MODIFIERS = r"(?:(?!(?:the|a|an|and|or|of|case|way|sense|regard|respect|context)\b)[\w.'-]+\s){0,4}?"
_CAPTION_PHRASE = re.compile(
    r"\b[Ii]n\sthis\s" + _MODIFIERS + _PICTURE + r"(?:\s(?:" + _PROVENANCE + r"|from|by|made)\b|\s*[,.;)]|\s*$)"
    r"|\b[Ii]n\s(?:an?|the)\s" + _MODIFIERS + _PICTURE + r"\s" + _PROVENANCE
    + r"\b(?![^.]*\b(?:is|was|are|were|has|have|had|will|would)\b)"
    r"|(?:^|(?<=[.!?]\s))(?:This|These)\s" + _MODIFIERS + _PICTURE + r"\s(?:" + _PROVENANCE
    + r"|shows?|showing)\b"
    r"|^(?:FILE(?:\sPHOTO)?|File\sphoto)\s*[-–—:]"
    # a wire caption in brackets, closed by its place and date: "(Polar bear cubs play in a zoo in St.
    # Petersburg, Russia, March 25, 2010)", or only its end where the scraper split it ("…, May 11, 2010)")
    r"|^\(?[^()]{8,400},\s" + _MONTH + r"\s\d{1,2},\s\d{4}\)\.?$")
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


# A BBC pull quote's attribution: the repeated quotation, then "End Quote", the speaker's name and title, and
# the page's next sentence run on with no stop ('… any shadow of doubt" End Quote Adm Thad Allen US Coast Guard
# The flow of oil was stopped on 15 July …'). The attribution ends before an opening quote, before a capital
# after a lower-case word ("BBC business editor But …"), or before a word that opens sentences ("The",
# "There", "He"), at most ``_PULL_QUOTE_WORDS`` words on.
_PULL_QUOTE = re.compile(r"(?:^|(?<=[\s\"”’']))End Quote\b")
_PULL_QUOTE_WORDS = 10
_OPENERS = frozenset(
    "The A An There It He She They We I You This That These Those In On At As But And So Yet After Before "
    "When While Since Although Though If Meanwhile However Earlier Later Last Now Then Its His Her Their Our "
    "Some Many Most More Much One Two Three Mr Mrs Ms".split())
_LINKS = frozenset("of for from the and at to de in on".split())  # inside a title: "Statement from UK PM's office"


def pull_quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of pull-quote attributions ("End Quote Name Title") anywhere in ``text``."""
    out = []
    for m in _PULL_QUOTE.finditer(text):
        end, previous = m.end(), None
        for n, w in enumerate(re.finditer(r"\S+", text[m.end():])):
            token = w.group()
            after_title = previous is not None and previous[:1].islower() and previous not in _LINKS
            if token[0] in "\"“‘'" or n >= _PULL_QUOTE_WORDS or n >= 2 and (
                    token in _OPENERS or after_title and token[:1].isupper()):
                break
            end, previous = m.end() + w.end(), token
        out.append((m.start(), end))
    return out


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of photo credits anywhere in ``text``."""
    return [m.span() for m in _CREDIT.finditer(text)]


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where a wire dateline or byline sits in ``text``: at its start, or after a headline the scraper
    glued before it ("… go to Gulf NEW ORLEANS | Tue Sep 28, 2010 8:50 pm EDT NEW ORLEANS (Reuters) - ")."""
    m = _DATELINE.match(text) or _WIRE_ANYWHERE.search(text)
    return m.span() if m else None


# Who stands where in the picture: "The Q4000 vessel (L) and the drillship (C) burn off gas …", "(2nd R)". One
# "(R)" alone is a party ("Gov. Bobby Jindal (R)") or a trademark, so a caption names two places or an ordinal.
_POSITION = re.compile(r"\((?:(?:\d(?:st|nd|rd|th)|far)\s)?(?:[LRC]|left|right|cent(?:re|er))\)")
_ORDINAL_POSITION = re.compile(r"\((?:\d(?:st|nd|rd|th)|far)\s(?:[LR]|left|right)\)")


# A page's time stamp run into the text ("… than earlier estimates suggested Friday 11 June 2010 10.07 BST New
# figures mean …"), and the end of a bracketed wire caption the next sentence ran into ("…, Washington, May 11,
# 2010) What impact would …").
_STAMP_GLUED = re.compile(r"(?:^|(?<=\s))" + _WEEKDAY + r"\s\d{1,2}\s" + _MONTH + r"\s\d{4}\s\d{1,2}[.:]\d\d\s"
                          + CLOCK_ZONE + r"\s+(?=[A-Z\"“])")
_CAPTION_END = re.compile(r"^[^()]{8,400}?,\s" + _MONTH + r"\s\d{1,2},\s\d{4}\)\s+(?=[A-Z\"“])")


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Spans of furniture glued into a sentence (a dateline, credits, a time stamp, a caption's end), in
    order, never overlapping."""
    glued = [m.span() for m in _STAMP_GLUED.finditer(text)] + [m.span() for m in _CAPTION_END.finditer(text)]
    spans = sorted(([d] if (d := dateline_span(text)) else []) + credit_spans(text) + pull_quote_spans(text)
                   + glued)
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if not out or a >= out[-1][1]:
            out.append((a, b))
    return out


def comments_follow(text: str) -> bool:
    """Does the page print its readers' comments after this sentence ("A selection of your comments appear
    below.", a comment's stamp)? Each comment is prose, so only the page says where they start."""
    return bool(_COMMENTS_FOLLOW.search(text))


def kind(text: str) -> str:
    """``"prose"``, or which furniture the sentence is (see ``KINDS``)."""
    t = text.strip()
    if not t:
        return "fragment"
    if _COMMENT.search(t):
        return "comment"
    if _CREDIT.fullmatch(t.rstrip(". ")) or (t.startswith(("Photograph:", "Photo:")) and len(t.split()) <= 8) or (
            t.startswith("End Quote") and pull_quote_spans(t) == [(0, len(t))]):
        return "credit"
    if _CAPTION.match(t) or _CAPTION_PHRASE.search(t) or len(_POSITION.findall(t)) >= 2 or _ORDINAL_POSITION.search(t):
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


# A stamp or credit a page puts before a sentence's own words: a bracketed agency credit ("(AP Photo) ",
# "(AP Photo/Gerald Herbert) ", "(Reuters) - "), a bracketed update time ("(Update 7 p.m. ET) "), a live blog's
# clock ("3.40 pm: ", "11.02am: ", "21.52 BST ", "1602 GMT: ") or a posting stamp ("Thursday, April 29, 2010;
# 4:49 PM "). A clock needs a zone, "am"/"pm" or a colon after it, so "10.30 is late" keeps its figure.
_AMPM = r"\s?[apAP]\.?[mM]\.?(?!\w)"
_STAMP_CLOCK = (r"(?:(?:\d{1,2}[:.]\d\d|\d{1,2})" + _AMPM + r"(?:\s" + CLOCK_ZONE + r")?"
                r"|(?:\d{1,2}[:.]\d\d|[012]\d[0-5]\d)\s" + CLOCK_ZONE + r"|\d{1,2}[:.]\d\d(?=:))")
_LEAD_STAMP = re.compile(
    r"^(?:\((?:" + _AGENCY + r")(?:\s(?:Photo(?:graph)?s?|Images|Video))?(?:\\?/[^()]{1,60})?\)"
    r"|\((?:Update(?:d)?:?\s)?[^()]{0,80}?(?:[ap]\.m\.|\b[ap]m\b|\b" + CLOCK_ZONE + r"\b)(?:\s" + _WEEKDAY + r")?\)"
    r"|(?:(?:" + _WEEKDAY + r",?\s)?" + _MONTH + r"\s\d{1,2},\s\d{4};?\s)?" + _STAMP_CLOCK
    # a dateline run into the lead ("NEW ORLEANS--BP crews …", "AP GRAND ISLE, La.--A cap …")
    + r"|" + _PLACE + r"\s?--(?=[A-Z\"“]))"
    r"[\s:;]*(?:-+|–|—)?\s*(?=\S)")


def without_stamp(text: str, keep: str = "") -> str:
    """``text`` less the stamps and bracketed credits that open it (see ``_LEAD_STAMP``); unchanged when
    what is left would not open a sentence ("(WHO) officials said", "2 am is when …") or would lose ``keep``
    (the time expression a key-date line must name)."""
    rest = text
    while m := _LEAD_STAMP.match(rest.lstrip()):
        rest = rest.lstrip()[m.end():]
    return rest if rest[:1].isupper() and len(rest.split()) >= MIN_WORDS and keep in rest else text


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
    frame = words(" ".join(outside))
    return inside >= MIN_WORDS and len(frame) <= min(FRAME_WORDS, inside) and (
        not frame or ":" in " ".join(outside) or any(w.lower() in SPEECH_FORMS for w in frame))


# An expectation: a modal or future form, or a verb of planning, hoping or scheduling, with the verb group it
# governs ("will be released", "is expected to resume", "plans to drill", "is due on"). "could have", "would
# have" look back; "may" is a modal only in lower case (never the month); "the will of" is a noun. A verb
# group the date interrupts ("will today carry out") still counts: the modal may end the text before the date.
_AHEAD_VERBS = r"(?:\s+(?:not|n't|also|then|now|soon|still|again|only|first|finally|be|been|being|have|get|\w+ly))*" \
               r"(?:\s+[a-z][\w-]*|\s*$)"
_NOT_A_VERB = r"(?!\s+(?:the|a|an|its|his|her|their|this|that|these|those|of|for|and|or|in|on|at|by|with)\b)"
_AHEAD = re.compile(
    r"(?<!\bthe\s)(?<!\bits\s)(?<!\bhis\s)(?<!\bher\s)(?<!\bgood\s)(?<!\bfree\s)(?<!\bpolitical\s)"
    r"\b(?:[Ww]ill|[Ss]hall|[Ww]ould|[Cc]ould|[Mm]ight|[Mm]ust|[Ss]hould|may|won't|wouldn't|shan't)\b"
    r"(?!\s+(?:not\s+|n't\s+)?(?:have|of)\b)" + _NOT_A_VERB + _AHEAD_VERBS +
    r"|['’]ll\b" + _AHEAD_VERBS +
    r"|\b(?:is|are|was|were|be|been|being|['’]s|['’]re)\s+(?:\w+ly\s+)?(?:expected|scheduled|slated|set|due|likely|"
    r"poised|going|planned|forecast|projected|predicted|supposed|tipped|unlikely|about)\s+to" + _NOT_A_VERB
    + _AHEAD_VERBS +
    r"|\b(?:is|are|was|were|be|been)\s+(?:\w+ly\s+)?(?:scheduled|slated|due|set|planned|expected)"
    r"(?:\s+(?:for|on|in|at|by|around|next|this|later|to\s+be)\b|\s*$)"
    r"|\b(?:[Ee]xpects?|[Pp]lans?|[Pp]lanning|[Ii]ntends?|[Ii]ntending|[Hh]opes?|[Hh]oping|[Aa]ims?|[Aa]iming|"
    r"[Pp]romises?|[Vv]ows?|[Pp]ledges?|[Ww]ants?|[Ss]eeks?|[Tt]hreatens?|[Pp]repares?|[Pp]reparing|[Gg]oing)\s+to"
    + _NOT_A_VERB + _AHEAD_VERBS +
    r"|\b(?:[Ee]xpects?|[Aa]nticipates?|[Pp]redicts?|[Ff]orecasts?)\b"
    r"|\bto\s+be\s+(?:held|released|published|announced|decided|completed|finished|signed|launched|opened|"
    r"unveiled|presented|delivered|heard|debated|voted\s+on|considered|named|sentenced|tried)\b")
# The same verbs of intention in the past ("had hoped to cap the well on Monday"): an expectation when the date
# follows them, but the act itself when it comes first ("On Monday, Obama pledged to …").
_INTENDED = re.compile(r"\b(?:[Ee]xpected|[Pp]lanned|[Ii]ntended|[Hh]oped|[Aa]imed|[Pp]romised|[Vv]owed|[Pp]ledged|"
                       r"[Ww]anted|[Ss]ought|[Tt]hreatened|[Pp]repared)\s+to" + _NOT_A_VERB + _AHEAD_VERBS)
# A verb that reports or states, in the past or the present ("said on Monday", "was capped on July 15", "spent
# much of Wednesday"): the date is of something that happened or holds.
_IRREGULAR_PAST = (
    "said|told|was|were|had|did|began|begun|came|went|fell|rose|took|made|gave|met|saw|spoke|wrote|held|left|sank|"
    "struck|slid|spent|sent|lost|won|got|paid|put|set|cut|hit|led|brought|bought|caught|fought|taught|thought|"
    "found|built|kept|felt|grew|knew|drew|flew|threw|broke|chose|drove|rode|ran|sat|stood|stole|swore|tore|wore|"
    "woke|shook|stuck|struck|swept|wept|slept|lent|bent|dealt|meant|burnt|heard|sold|became|forgot|forgave|"
    "froze|hid|bit|blew|bore|hung|oversaw|undertook|withdrew|overtook|upheld|rang|sang|sprang|shut|quit|spread|"
    "bid|beat|burst|cast|cost|hurt|let|read|shed|split|spun|stung|swung|wound|understood|arose|ate|fled|gotten|"
    "given|taken|seen|done|gone|written|spoken|known|shown|grown|thrown|drawn|driven|risen|fallen|chosen|broken|"
    "frozen|stolen|sworn|torn|worn|forgotten|hidden|bitten|blown|ridden|is|are|has|have|says|tells|shows|holds")
_PAST = re.compile(r"\b(?:" + _IRREGULAR_PAST + r"|[a-z]{2,}ed)\b", re.I)
# A participle after a determiner modifies a noun ("the flooded towns"): no verb of the clause.
_MODIFIER = re.compile(r"\b(?:the|a|an|its|his|her|their|our|some|many|newly|recently)\s+$",
                       re.I)
# The date phrase itself can look ahead ("later today", "tomorrow", "next week", "the coming days") or back.
_AHEAD_TIME = re.compile(r"\b(?:later|tomorrow|tonight|next|coming|upcoming|forthcoming)\b", re.I)
_BACK_TIME = re.compile(r"\b(?:ago|last|yesterday|earlier|previous|past|since)\b", re.I)
# A phrase fronted before the clause it dates ("On Monday,", "By the end of June"): the verb comes after it.
_FRONTED = re.compile(r"^\s*(?:(?:on|by|in|at|from|until|till|before|after|early|late|from|starting|beginning|"
                      r"this|next|the|end|of|middle|mid|as|soon|and|but|then)\b[\s,-]*)*$", re.I)
# Where one clause of a sentence ends and another begins: what governs a date lies in its own clause.
_CLAUSE_BREAK = re.compile(r"[;:—–]\s|\s-\s|,\s+(?=(?:and|but|while|whereas|which|who|although|though|as|after|"
                           r"when|before|because|since|until|so|yet)\b)")


def _clause(text: str, pos: int, end: int) -> tuple[int, int]:
    """Where the clause holding ``text[pos:end]`` (a date) starts and stops."""
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)), default=0)
    stop = next((m.start() for m in _CLAUSE_BREAK.finditer(text, end)), len(text))
    return start, stop


def looks_ahead(text: str, time_text: str = "") -> bool:
    """The date in ``text`` (written ``time_text``) is that of something expected, not something reported:
    the verb nearest before the date in its clause is a modal or future form or a verb of planning ("The
    report will be released Monday.", "Talks are expected to resume next week", "BP hopes to carry out a
    test later today"), or, for a date fronted before its clause ("On Monday, BP will …"), the first verb
    after it; with no verb to tell, the date phrase itself ("later today", "next week"). "BP said on
    Monday it will …" reports Monday's statement: the reporting verb is nearer the date."""
    pos = text.find(time_text) if time_text else -1
    if pos < 0 or _BACK_TIME.search(time_text):
        return False
    end = pos + len(time_text)
    start, stop = _clause(text, pos, end)
    before = _nearest_verb(text[start:pos], last=True)
    if before is not None:
        return before
    if _FRONTED.match(text[start:pos]):
        after = _nearest_verb(text[end:stop], last=False)
        if after is not None:
            return after
    return bool(_AHEAD_TIME.search(time_text))


def _nearest_verb(piece: str, last: bool) -> bool | None:
    """Whether the verb of ``piece`` nearest the date (its last, or its first) looks ahead; None when it
    holds none. A verb of intention in the past looks ahead only before the date."""
    found = [(m.start(), m.end(), True) for m in _AHEAD.finditer(piece)]
    found += [(m.start(), m.end(), last) for m in _INTENDED.finditer(piece)
              if not any(a <= m.start() < b for a, b, _ in found)]
    found += [(m.start(), m.end(), False) for m in _PAST.finditer(piece)
              if not any(a <= m.start() < b for a, b, _ in found) and not _MODIFIER.search(piece, 0, m.start())]
    if not found:
        return None
    return (max(found, key=lambda f: f[1]) if last else min(found))[2]


# A period that comes round every year, stated in the present ("the hurricane season runs from 1 June to 30
# November", "Hurricane season officially starts on 1 June", "the financial year ends on 31 March", "the
# shrimp season begins in early May"): its days are the calendar's, not a happening's. "The season opened on
# 16 August" (past) reports one year's opening and stays a happening.
_PERIOD_NOUN = r"\b(?:season|(?:fiscal|financial|tax|school|academic)\s+year|semester|monsoon)\b"
_PERIOD_VERB = (r"\b(?:runs|lasts|starts|begins|ends|opens|closes|peaks|spans|stretches|extends|"
                r"running|lasting|starting|beginning|ending|opening|closing|peaking|spanning|stretching|extending)\b(?!\s+of\b)")
_RECURRING_PERIOD = re.compile(_PERIOD_NOUN + r"[^.;:!?]{0,80}?" + _PERIOD_VERB, re.I)
# A habit: an adverb of frequency governing the date ("Tourism officials say the region typically brings in
# 70 percent of its income between June and August", "Usually you don't see the first hurricane until 10
# August"), or a yearly repetition after it ("held on 2 September every year"). Not "yearly": mostly an
# adjective ("the yearly amount of oil … sometime in August"). A participle before "of" is a noun ("the
# beginning of the summer season").
_HABITUAL = re.compile(r"\b(?:usually|typically|normally|traditionally|customarily|ordinarily|routinely|"
                       r"habitually|invariably|annually|year\s+after\s+year|"
                       r"(?:every|each)\s+(?:year|spring|summer|autumn|fall|winter|season))\b", re.I)
_YEARLY_AFTER = re.compile(r"[^.;:!?]{0,20}?\b(?:every|each)\s+year\b|\s*annually\b", re.I)
_NAMED_DAY = re.compile(r"\b(?:\d{4}|today|tonight|tomorrow|yesterday|ago|last|next|this|" + _WEEKDAY + r")\b",
                        re.I)


def recurring(text: str, time_text: str = "") -> bool:
    """The date in ``text`` (written ``time_text``) is a day of the calendar that comes round every year, not
    the time of a happening: a yearly period stated in the present tense ("The Atlantic hurricane season
    runs from 1 June to 30 November"; the season's noun and its verb before the date, in its clause), or a
    habit (an adverb of frequency before the date with no other verb group between, or "every year" after
    it). A date that names its year, its weekday or its place from today ("the 2010 season ends on 30
    November 2010", "the season starts on Saturday") is one instance: not recurring."""
    pos = text.find(time_text) if time_text else -1
    if pos < 0 or _NAMED_DAY.search(time_text):
        return False
    end = pos + len(time_text)
    start, stop = _clause(text, pos, end)
    before = text[start:pos]
    # a relative clause's noun lies before its comma ("… hurricane season, which runs from June 1 …")
    scope = text[max(0, start - 60):pos] if re.match(r"\s*(?:which|that)\b", before) else before
    if any(not _PAST.search(scope, m.end()) and not _AHEAD.search(scope, m.end())
           for m in _RECURRING_PERIOD.finditer(scope)):
        return True
    habit = max(_HABITUAL.finditer(before), key=lambda m: m.start(), default=None)  # the nearest the date
    if habit is not None and not _AHEAD.search(before, habit.end()) and not any(
            m.group().lower() not in ("is", "are", "has", "have", "says", "tells", "shows", "holds")
            for m in _PAST.finditer(before, habit.end())):
        return True
    return bool(_YEARLY_AFTER.match(text, end, stop))
