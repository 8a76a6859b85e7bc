"""Plain-text rules shared by every input format: boilerplate cleanup, headline split, and the
publication date and outlet found in an article's own words.

Everything here is a pure function of the text, so the same rules apply to a .txt file, an HTML page
after extraction, a JSONL record or a feed item. Detection never invents: when the text does not say,
the answer is ``(None, "unknown")`` (no today's date, no file times).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib.resources import files
from urllib.parse import urlsplit

from ..calendar import CLOCK_ZONE, MONTH_ANY_CASE, MONTHS, WEEKDAY_ANY_CASE, YEAR, find_dates, year_from_anchors
from ..text import NAME_WORD

# --------------------------------------------------------------------------------------------------
# Publication dates in text (the calendar itself: ``storyline/calendar.py``)

_MON_I = rf"(?i:{MONTH_ANY_CASE})"
_TEMPLATE = re.compile(  # bounded, so a line full of unmatched braces stays linear
    r"\{\{[^\n]{0,300}?\}\}|\{%[^\n]{0,300}?%\}|\{#[^\n]{0,300}?#\}|<%[^\n]{0,300}?%>|\$\{[^}\n]{0,300}\}"
)


def parse_date_value(value: object) -> date | None:
    """A metadata date (ISO string, RFC 2822, "19 January 2022", datetime, epoch seconds) → date.

    Strings without a four-digit year are refused: relative dates ("2 hours ago") would otherwise be
    resolved against today, which is inventing a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) < 100_000_000:  # 1970-1973: a year (2022), a YYYYMMDD (20220119) or a count, not a time
            return None
        try:
            day = datetime.fromtimestamp(value, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
        return day if 1800 <= day.year <= 2099 else None  # the years a written date may have (below)
    if not isinstance(value, str) or not re.search(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)", value):
        return None
    value = value.strip()
    m = re.match(r"((?:1[89]|20)\d\d)-(\d\d)-(\d\d)(?:$|[T ]\d)", value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    hits = [h for h in find_dates(value) if h.full]
    if hits:
        return hits[0].span()[0]
    return _dateparser(value)


def _dateparser(value: str) -> date | None:
    """Last resort for other languages and numeric forms; only called on strings holding a year."""
    try:
        import dateparser
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(value[:100], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None


_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?P<s>[/-]?)(?P<m>1[0-2]|0?[1-9]|[a-z]{3})(?P=s)"
    r"(?P<d>[12]\d|3[01]|0?[1-9])(?=[/_.-]|$)",
    re.I,
)


def date_from_url(url: str | None) -> date | None:
    """The /2022/01/19/ (/2022-01-19, /20220119/, /2022/jan/19/) part many sites put in article paths."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for m in _URL_DATE.finditer(path):
        month = MONTHS.get(m["m"].lower()) if m["m"].isalpha() else int(m["m"])
        if month is None or (not m["s"] and (m["m"].isalpha() or len(m["m"]) + len(m["d"]) != 4)):
            continue
        try:
            return date(int(m["y"]), month, int(m["d"]))
        except ValueError:
            continue
    return None


_LABELED = re.compile(
    r"^[ \t]*(?P<label>(?:first |last |originally )?(?:published|posted|updated|modified)(?: on| at)?"
    r"|publication date|dated?|released)\b[ \t]*[:\-–—]?[ \t]*(?P<value>[^\n]{4,90})$",
    re.I | re.M,
)
_TIME = re.compile(rf"\b\d{{1,2}}[:.]\d\d(?:[:.]\d\d)?\s*(?:[ap]\.?m\.?)?|\b{CLOCK_ZONE}\b|[+-]\d\d:?\d\d\b", re.I)
_STAMP_WORDS = {"by", "and", "updated", "published", "posted", "at", "on", "am", "pm", "last", "ago", "hours",
                "hour", "minutes", "min", "mins", "read", "time", "de", "van", "von", "al", "bin"}
_REPORT_VERB = (
    r"(?:said|says|told|tells|stated|announced|reported|noted|declared|wrote|added|confirmed|informed|"
    r"warned|claimed|explained|revealed|tweeted|emphasi[sz]ed|stressed|urged|insisted|argued)"
)
_LEAD_DATE = re.compile(
    rf"\b{_REPORT_VERB}\b[^.\n\"“”]{{0,80}}?\bon\s+(?:{WEEKDAY_ANY_CASE},?\s+)?"
    rf"(?P<date>(?:{MONTH_ANY_CASE}|\d{{1,2}})[^.;\n]{{0,20}})"
    rf"|^\s*On\s+(?:{WEEKDAY_ANY_CASE},?\s+)?(?P<date2>(?:{MONTH_ANY_CASE}|\d{{1,2}})[^.;\n]{{0,20}}),?\s[^.\n]{{0,120}}"
    rf"\b{_REPORT_VERB}\b",
    re.I,
)
_DATELINE = re.compile(
    rf"^\s*(?:[A-Z][\w'’.-]*(?:[ /-](?:de |la |al |el )?[A-Z][\w'’.-]*){{0,3}})"
    rf"(?:,\s*[A-Z][\w'’. -]{{1,25}}?)?"
    rf"[,.]\s+(?:{WEEKDAY_ANY_CASE},?\s+)?(?P<date>(?:{_MON_I}\s+\d{{1,2}}|\d{{1,2}}\s+{_MON_I})(?:,?\s+{YEAR})?)"
    rf"\s*[.,]?\s*(?:/[^/\n]{{2,30}}/|\([^()\n]{{2,30}}\)|[-–—]{{1,2}}\s)",
)
_DATELINE_PREFIX = re.compile(
    rf"^[A-Z][\w'’.-]*(?:[ /-](?:de |la |al |el )?[A-Z][\w'’.-]*){{0,3}}"
    rf"(?:,\s*[A-Z][\w'’. -]{{1,25}}?)?(?:[,.]\s*(?:{WEEKDAY_ANY_CASE},?\s+)?"
    rf"(?:{_MON_I}\s+\d{{1,2}}|\d{{1,2}}\s+{_MON_I})(?:,?\s+{YEAR})?)?\s*[.,]?$",
)
def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, line) for every non-empty line: news paragraphs are lines in every format we read."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def _stamp_date(line: str) -> date | None:
    """A byline or timestamp line: a full date plus only an author's name, times and a few stamp words.

    "IRYNA BALACHUK – SUNDAY, 30 OCTOBER 2022, 10:00" and "By Jane Doe | Jan 19, 2022 10:32 AM GMT" are
    stamps; "Talks set for January 10, 2022" (lowercase words) and Title-Case headlines are not.
    """
    line = line.strip()
    if len(line) > 130 or (line.endswith((".", ":", ";")) and not re.search(r"\d\.?$", line)):
        return None
    hits = [h for h in find_dates(line) if h.full]
    if len(hits) != 1:
        return None
    rest = line[: hits[0].start] + " " + line[hits[0].end :]
    rest = re.sub(rf"\b{WEEKDAY_ANY_CASE}(?!\w)", " ", _TIME.sub(" ", rest))
    words = NAME_WORD.findall(rest)
    if len(words) > 8 or any(w[0].islower() and w.lower() not in _STAMP_WORDS for w in words):
        return None
    names = [w for w in words if w.lower() not in _STAMP_WORDS]
    if len(names) > 3 and not line.startswith("By ") and not all(w.isupper() for w in names):
        return None
    return hits[0].span()[0]


def _labeled_date(text: str) -> date | None:
    """ "Published: 19 January 2022", "date 2022-01-19": a label, then a full date (publication beats
    updates)."""
    found: list[tuple[int, date]] = []
    for m in _LABELED.finditer(text):
        value = re.sub(rf"^{WEEKDAY_ANY_CASE},?\s*", "", m["value"].strip())
        hits = [h for h in find_dates(value) if h.full and h.start <= 3]
        if hits:
            d: date | None = hits[0].span()[0]
        else:  # other spellings ("19/01/2022", "19 января 2022") through dateparser, never without a year
            head = re.split(r"\s[|•·]\s|\s{2,}", value)[0]
            d = parse_date_value(head) if len(head) <= 40 else None
        if d is not None:
            rank = 1 if re.search(r"updated|modified", m["label"], re.I) else 0
            found.append((rank, d))
    return min(found, key=lambda x: x[0])[1] if found else None


def _month_day(group_text: str, offset: int, full_text: str) -> date | None:
    """The date at the start of ``group_text``; a missing year is inferred from ``full_text``."""
    hits = find_dates(group_text)
    if not hits or hits[0].start > 0 or hits[0].day is None:
        return None
    h = hits[0]
    if h.year is not None:
        return h.span()[0]
    return year_from_anchors(h.month, h.day, full_text, (offset, offset + h.end))


def visible_date(text: str) -> date | None:
    """The publication date a page shows its reader with the year written out: a labelled line
    ("Published: 19 January 2022"), a byline/timestamp line near the top or bottom, or a dateline that
    carries its year. Unlike ``detect_published`` it never infers a year or reads a date from the lead's
    reporting verb: it is what a page's metadata date is checked against."""
    text = _TEMPLATE.sub(" ", text or "")
    d = _labeled_date(text)
    if d:
        return d
    paras = _paragraphs(text)
    for _, line in paras[:8] + paras[-3:]:
        d = _stamp_date(line)
        if d:
            return d
    for _, line in paras[:6]:
        m = _DATELINE.match(line)
        hits = find_dates(m["date"]) if m else []
        if hits and hits[0].full:
            return hits[0].span()[0]
    return None


def detect_published(text: str, title: str | None = None) -> tuple[date | None, str]:
    """Publication date written in the article itself → (date, "text"), else (None, "unknown").

    In order: a labelled line ("Published: ...", "date 2022-01-19"); a byline/timestamp line among the
    first lines or last lines; a dateline ("MOSCOW, January 19. /TASS/.", "KYIV, Jan 19 (Reuters) -");
    a reporting verb dated in the lead ("told the media on December 24"). A date written without a year
    gets its year from the other dates of the article (see ``calendar.year_from_anchors``) or is not used.
    """
    text = _TEMPLATE.sub(" ", text or "")
    full = f"{title}\n{text}" if title else text
    shift = len(full) - len(text)
    d = _labeled_date(text)
    if d:
        return d, "text"
    paras = _paragraphs(text)
    for _, line in paras[:8] + paras[-3:]:
        d = _stamp_date(line)
        if d:
            return d, "text"
    for off, line in paras[:6]:
        m = _DATELINE.match(line)
        if m:
            d = _month_day(m["date"], shift + off + m.start("date"), full)
            if d:
                return d, "text"
    leads = [(off, line) for off, line in paras[:6] if len(line.split()) >= 8][:2]  # a headline may lead
    for off, line in leads:
        for m in _LEAD_DATE.finditer(line[:800]):
            group = "date" if m["date"] else "date2"
            d = _month_day(m[group], shift + off + m.start(group), full)
            if d:
                return d, "text"
    return None, "unknown"


# --------------------------------------------------------------------------------------------------
# Outlets


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    lone: bool = True  # a line holding only the name is a credit (off for names that are common words)


def _outlets() -> tuple[Outlet, ...]:
    """The outlet table (``data/outlets.tsv``): data, so adding an outlet needs no code."""
    text = files("storyline").joinpath("data/outlets.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(Outlet(name, tuple(a for a in aliases.split("|") if a), tuple(d for d in domains.split("|") if d),
                        lone == "yes") for name, aliases, domains, lone in rows[1:])


OUTLETS: tuple[Outlet, ...] = _outlets()
_ALIAS = {a.lower(): o for o in OUTLETS for a in (o.name, *o.aliases, *o.domains)}
_NOT_CREDITS = {  # capitalised kickers and places that open a lead like a credit would
    "update", "updated", "breaking", "exclusive", "analysis", "opinion", "comment", "editorial", "watch",
    "video", "photos", "live", "new", "urgent", "flash", "factbox", "explainer", "review", "interview",
    "corrected", "correction", "feature", "note", "editor's note", "warning", "summary", "q&a",
    "moscow", "kyiv", "kiev", "washington", "london", "paris", "beijing", "berlin", "brussels", "geneva",
    "tokyo", "baku", "minsk", "ankara", "istanbul", "new york", "vienna", "rome", "madrid", "warsaw",
}
_NAME = r"[A-Z][\w.&'’-]*(?: (?:of |de |the )?[A-Z][\w.&'’-]*){0,3}"
_CREDIT_IN_DATELINE = re.compile(r"/(?P<a>[^/\n]{2,30})/|\((?P<b>[^()\n]{2,30})\)\s*[-–—]")
_LEAD_CREDIT = re.compile(r"^\s*(?P<n>[A-Z][A-Z0-9&]+(?:-[A-Z0-9&]+)*(?: [A-Z][A-Z0-9&]+)?)\.\s+(?=[\"“A-Z])")
_INFORMS = re.compile(rf"(?:^|[,;.]\s*)(?P<n>{_NAME})\s+informs\b")
_DASH_CREDIT = re.compile(rf"^\s*[-–—]+\s*(?P<n>{_NAME})\s*$")
_COPYRIGHT = re.compile(rf"^\s*(?i:©|\(c\)|copyright\b)\s*(?:\d{{4}}\s*)?(?P<n>{_NAME})")
_SUPPORT = re.compile(rf"\b(?i:support|donate to|subscribe to)\s+(?P<n>(?:[Tt]he )?{_NAME})")
_FOOTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\(?\s*(?:Additional )?[Rr]eporting by .{3,300}?\b(?:Editing|Writing) by\b", re.M),
     "Reuters"),
    (re.compile(r"\bAssociated Press (?:writers?|reporters?|journalists?) .{3,300}?\bcontributed\b"), "AP"),
)


_GENERIC_TITLE_WORDS = {"news", "world", "english", "online", "top", "stories", "latest", "headlines", "feed",
                        "rss", "home", "international", "live", "breaking", "wire", "agency", "service"}


def canonical_outlet(name: str | None) -> str | None:
    """The table's spelling of a known outlet ("Associated Press", "tass.com" → "AP", "TASS")."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip(" \t-–—|:;,.()[]/")
    if not name:
        return None
    host = name.lower().removeprefix("www.")
    if host in _ALIAS:
        return _ALIAS[host].name
    for o in OUTLETS:
        if any(host.endswith("." + d) for d in o.domains):
            return o.name
    # feed and site titles: "AFP World News", "World news | The Guardian", "Al Jazeera English"
    for part in re.split(r"\s+[|–—:-]\s+", name):
        words = part.split()
        while words:
            if " ".join(words).lower() in _ALIAS:
                return _ALIAS[" ".join(words).lower()].name
            if words[-1].lower() not in _GENERIC_TITLE_WORDS:
                break
            words.pop()
    return name


def is_outlet(name: str) -> bool:
    """Is ``name`` an outlet of the table, as written in credits and citations ("Associated Press", "BBC News")?"""
    return re.sub(r"\s+", " ", name).strip().lower() in _ALIAS


def outlet_from_url(url: str | None) -> str | None:
    """Known outlet for the URL's domain, else the bare host name ("www.example.com" → "example.com")."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return None
    host = re.sub(r"^(?:www\d*|m|amp|mobile)\.", "", host)
    return canonical_outlet(host) if host and "." in host else None


def _credit(name: str | None) -> str | None:
    """A credit as written → canonical name; refuses kicker words, places and sentence fragments."""
    if not name:
        return None
    name = re.split(r"\.\s", name)[0].strip(" .:-–—")
    if not name or name.lower() in _NOT_CREDITS or len(name) > 40 or len(name.split()) > 4:
        return None
    if name.lower() in _ALIAS:
        return _ALIAS[name.lower()].name
    if not name[0].isupper() or any(w[0].islower() for w in name.split() if w not in ("of", "de", "the")):
        return None
    return canonical_outlet(name)


def detect_outlet(text: str, url: str | None = None) -> tuple[str | None, str]:
    """The outlet that published an article, from its own credits → (name, "text"); else the URL's domain
    → (name, "url"); else (None, "unknown").

    Credits looked for: a dateline credit ("MOSCOW, Jan 19. /TASS/.", "KYIV (Reuters) -"), a capitalised
    lead credit ("OREANDA-NEWS. ..."), "<Name> informs", a lone known name, "— Name" or "© Name" line at
    the top or bottom, house footers ("Reporting by ...; Editing by ..."), and a donation appeal naming the
    outlet ("Support <Name> ..."). Outlets cited inside sentences ("quoted by TASS", "Source: RIA
    Novosti ...") are not the publisher and are never taken.
    """
    text = _TEMPLATE.sub(" ", text or "")
    paras = [line for _, line in _paragraphs(text)]
    for line in paras[:6]:
        for m in _CREDIT_IN_DATELINE.finditer(line[:120]):
            prefix = line[: m.start()].strip()
            if prefix and _DATELINE_PREFIX.match(prefix):
                name = _credit(m["a"] or m["b"])
                if name:
                    return name, "text"
    for p in [p for p in paras[:4] if len(p.split()) >= 8][:2]:  # the lead (a headline may come first)
        m = _LEAD_CREDIT.match(p) or _INFORMS.search(p[:400])
        name = _credit(m["n"]) if m else None
        if name:
            return name, "text"
    for line in paras[:5] + paras[-4:]:
        key = line.strip(" \t-–—()[]©").lower()
        o = _ALIAS.get(key)
        if o is not None and o.lone and "." not in key:
            return o.name, "text"
        m = _DASH_CREDIT.match(line) or _COPYRIGHT.match(line)
        name = _credit(m["n"]) if m else None
        if name:
            return name, "text"
    tail = "\n".join(paras[-6:])
    for rx, name in _FOOTERS:
        if rx.search(tail):
            return name, "text"
    for line in paras[-5:]:
        if is_appeal(line):
            m = _SUPPORT.search(line)
            name = _credit(re.sub(r"^the ", "The ", m["n"])) if m else None
            if name and name.lower() not in ("us", "our"):
                return name, "text"
    name = outlet_from_url(url)
    return (name, "url") if name else (None, "unknown")


# --------------------------------------------------------------------------------------------------
# Cleanup

_UI_LINES = {
    "top", "back to top", "to top", "share", "share this", "share this article", "share this story",
    "share article", "tweet", "email", "e-mail", "print", "copy link", "link copied", "advertisement",
    "advertising", "ad", "sponsored", "sponsored content", "special reports", "special report", "related",
    "related articles", "related stories", "related news", "related content", "related topics", "read more",
    "read also", "see also", "more", "more on this story", "comments", "comment", "leave a comment",
    "show comments", "view comments", "menu", "home", "skip to content", "skip to main content", "next",
    "previous", "next article", "previous article", "subscribe", "sign up", "sign in", "log in", "login",
    "follow us", "listen", "listen to this article", "loading", "watch", "watch video", "video", "photo",
    "gallery", "most read", "most popular", "trending", "recommended", "you may also like",
    "you might also like", "topics", "tags", "newsletter", "close", "cookie settings", "accept",
    "accept all", "top stories", "latest news", "editor's picks", "all rights reserved", "order reprints",
    "reprints", "print article", "print this article", "print this page", "email this article",
}
_SHARE_WORDS = {"share", "facebook", "twitter", "whatsapp", "telegram", "email", "e-mail", "print",
                "linkedin", "reddit", "pinterest", "vk", "copy", "link", "tweet", "messenger", "x", "on",
                "via"}
_PROMO = re.compile(
    r"^(?:read more|read also|also read|see also|related|more on this(?: story)?|more from [\w ]+|"
    r"recommended|watch|listen|click here|you may also like|related coverage)\s*[:|>»–—-]\s*.{0,200}$"
    r"|^(?:photo|photograph|image|picture|pic|file photo|illustration|video)(?: credit)?s?\s*:\s*.{1,120}$"
    r"|^(?:we|this (?:web)?site) uses? cookies\b"
    r"|^(?:©|\(c\)|copyright\b).{0,150}$|^all rights reserved\.?$"
    r"|^(?:like|liked|enjoy|enjoyed) this (?:story|article|post)\?.{0,80}$"  # "Like this story? Share it..."
    r"|^this (?:copy|article|content) is for your personal,? non-?commercial use only\b"  # reprint notices
    r"|^(?:an error (?:has )?occurred|something went wrong)[.,!;]?\s*(?:please )?try again(?: later)?[.!]?$"
    r"|^(?:write to|contact|e-?mail)\b.{0,80}\s\S+@\S+\.\w+\.?$"  # "Write to Jane Doe at jane@example.com"
    r"|^(?:https?:)?//\S+\.(?:jpe?g|png|gif|webp|svg|avif)(?:\?\S*)?$"  # an image address leaked from metadata
    r"|^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$",  # a bare ISO timestamp
    re.I,
)
_APPEALS = (
    r"\bbecome (?:our (?:patron|member|supporter|subscriber)|a (?:patron|supporter|subscriber))",
    r"\b(?:donate|contribute) (?:now|today|here|to us|to our (?:journalism|work|newsroom|reporting))\b",
    r"\bsupport (?:us|our (?:journalism|work|reporting|newsroom|mission)|independent journalism)\b",
    r"\b(?:make|making) a (?:one-off |one-time |monthly |regular |small )?(?:contribution|donation)\b",
    r"\bsmall favou?r to ask\b",
    r"\b(?:subscribe|sign up) (?:to|for) (?:our|the) (?:\w+ )?(?:newsletter|briefing|digest)\b",
    r"\bpatreon\b",
    r"\bas little as [$£€]?\d|\bit only takes a minute\b",
    r"(?:^|[.!?] )(?:[Pp]lease )?[Ss]upport (?:the )?[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3}"
    r"(?: or | by | with | today| now|!)",
    r"\b(?:help|please) (?:us )?(?:keep|fund|sustain) (?:\w+ ){0,3}journalism\b",
)
_APPEAL = re.compile("|".join(f"(?i:{a})" if "[A-Z]" not in a else a for a in _APPEALS))
_READER_SIGNAL = re.compile(
    r"\b(?:us|our|you|your|journalism|patreon|newsletter|patrons?|donat\w*|subscri\w*)\b|!", re.I
)
_BYLINE = re.compile(r"By (?:[A-Z][\w'’.-]+(?:,? (?:and )?| ?& ?|$)){1,8}(?:\s*[|,–—-].{0,40})?")
_APPEAL_HINT = re.compile(  # a cheap filter: every appeal pattern holds one of these
    r"upport|onat|ontribut|atron|atreon|ubscri|ign up|avou?r|ittle as|akes a minute|journalism", re.I
)
_SPEECH = re.compile(r"[\"“”«»]|\b(?:said|says|told|tells|according to)\b")


def is_appeal(line: str) -> bool:
    """A donation / subscription appeal ("Support X or become our patron!"): short, addressed to the
    reader, and not quoted speech (a politician's "support us" is news, not boilerplate)."""
    line = line.strip()
    if len(line) > 400 or not _APPEAL_HINT.search(line) or _SPEECH.search(line):
        return False
    return bool(_APPEAL.search(line)) and bool(_READER_SIGNAL.search(line))


def _is_boilerplate(line: str, head: bool) -> bool:
    if len(line) <= 80:  # UI words and share rows are short; skip the work for prose
        key = re.sub(r"[\s:|»>›→←•·*#–—-]+$", "", line.lower()).strip(" •·*#|–—-")
        key = re.sub(r"\s+", " ", key).rstrip(".…")
        if not key or not re.search(r"\w", key):
            return True  # punctuation-only rulers and bullets
        words = re.split(r"[\s|/•·]+", key)
        if key in _UI_LINES or (len(words) >= 2 and all(w in _SHARE_WORDS for w in words if w)):
            return True
    if _PROMO.match(line) or is_appeal(line):
        return True
    if head:  # metadata rows at the top: "date 2022-01-19", "Published: ...", bylines
        if _LABELED.match(line) and _labeled_date(line):
            return True
        if _stamp_date(line) and not _DATELINE.match(line):
            return True
        if _BYLINE.fullmatch(line.strip()):
            return True
    return False


def clean_text(text: str) -> str:
    """Plain article text without the leftovers of the page it came from.

    Normalises Unicode and whitespace, removes template placeholders (``{{...}}``, ``{% %}``), and drops
    lines that are not article prose: lone UI words (Top, Share, Advertisement, Special Reports...),
    share-button rows, "Read more: ..." promos, photo credits, cookie and copyright notices, donation or
    newsletter appeals, and date/byline rows among the first lines. Paragraph breaks are kept.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u00a0\u2007\u202f\t\f\v]", " ", text)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f]", "", text)
    out: list[str] = []
    seen_prose = 0
    for raw in text.split("\n"):
        line = re.sub(r" {2,}", " ", _TEMPLATE.sub(" ", raw)).strip()
        if not line:
            if not raw.strip() and out and out[-1]:
                out.append("")
            continue
        if _is_boilerplate(line, head=seen_prose < 3):
            continue
        seen_prose += 1
        out.append(line)
    return "\n".join(out).strip()


def split_title(text: str) -> tuple[str | None, str]:
    """(headline, rest) when the first line reads like a headline, else (None, text).

    A headline is short (3-30 words, at most 250 characters), ends without a comma/colon, is not a
    dateline lead, and either has no final period or stands alone before a blank line; it is kept only
    if some text follows it.
    """
    text = text.strip()
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.lstrip(" \t")
    blank_after = rest.startswith("\n")
    rest = rest.strip()
    words = first.split()
    if not rest or not 3 <= len(words) <= 30 or len(first) > 250 or first.endswith((",", ";", ":", "-")):
        return None, text
    if _DATELINE.match(first) or _LEAD_CREDIT.match(first) or first.startswith(("By ", "(")):
        return None, text
    if first.endswith(".") and not (blank_after and len(words) <= 12 and not first.endswith("..")):
        return None, text
    return first, rest
