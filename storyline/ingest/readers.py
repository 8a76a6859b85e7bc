"""Read articles from files into ``Document``s: text, HTML, JSON/JSONL, WARC and RSS/Atom feeds.

``read_paths`` is a generator that streams: JSONL and WARC files are read one record at a time, so a
multi-gigabyte dump never sits in memory, and anything that cannot be read becomes a ``ReadError``
naming the file (and line) while the rest of the batch goes on. Metadata wins over what the text says,
the text over the URL; what nobody says stays unknown (see ``readers_text``).
"""

from __future__ import annotations

import codecs
import copy
import errno
import gzip
import hashlib
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from ..model import Document, ReadError
from ..text import folded_words
from .metadata import (
    canonical_outlet,
    clean_text,
    date_from_url,
    detect_outlet,
    detect_published,
    parse_date_value,
    split_title,
    visible_date,
)

__all__ = [
    "MAX_BYTES", "read_paths", "read_record", "detect_published", "detect_outlet", "clean_text",
    "decode_bytes", "html_to_text", "NoArticle", "read_page",
]

MAX_BYTES = 20_000_000  # per file; for JSONL and WARC, which stream, per record

_FORMATS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".warc": "warc", ".arc": "warc",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}
_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
          b"PK\x03\x04": "ZIP archive", b"\x7fELF": "executable", b"BZh": "bzip2 archive",
          b"\xfd7zXZ": "xz archive", b"SQLite format 3": "SQLite database"}
_RECORD_LISTS = ("articles", "items", "documents", "data", "results", "records", "entries")
_HTML_TAG = re.compile(
    r"<(?:p|div|br|span|a|li|ul|h[1-6]|table|script|style|iframe|img|article|body)\b[^>]*>", re.I
)


# --------------------------------------------------------------------------------------------------
# Bytes → text


def _binary_kind(data: bytes) -> str | None:
    """What a file is when it is not text (NUL bytes or many control characters), else None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    sample = data[:8192]
    if not sample or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in sample:
        return "binary data"
    controls = sum(b < 32 and b not in (9, 10, 12, 13, 27) for b in sample)
    return "binary data" if controls > len(sample) * 0.05 else None


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


_STRAY_BYTES = 20  # UTF-8 with this many valid multibyte characters per invalid byte has a few stray bytes
_CHANCE_UTF8 = 10  # a legacy-charset file with this many invalid bytes per "valid" UTF-8 one is legacy


def _stray_as_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8 read as cp1252 (what a stray byte nearly always is)."""
    byte = exc.object[exc.start : exc.start + 1]
    return byte.decode("cp1252", "replace"), exc.start + 1


codecs.register_error("storyline-cp1252", _stray_as_cp1252)
_MULTIBYTE_CODECS = re.compile(r"gb|big5|shift|sjis|euc|cp9[345]|iso2022|hz|johab|cp1361", re.I)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Bytes → str: BOM, UTF-8, the declared charset, detection (charset_normalizer), then cp1252 if it
    decodes cleanly. Raises ValueError for binary data and for bytes nothing decodes cleanly.

    Pages are often UTF-8 but for a few stray bytes (a Latin-1 name pasted into a template or a script
    comment): those bytes are read as cp1252 and the page kept. Bytes that are UTF-8 in places and invalid
    in many others are refused rather than decoded as a single-byte legacy charset, which would turn every
    accented letter and curly quote into mojibake; a multibyte charset (GBK, Shift-JIS...) is still tried,
    since its bytes often look like UTF-8 by chance, as are legacy files with only a few such chance matches.
    """
    kind = _binary_kind(data)
    if kind:
        raise ValueError(f"binary file ({kind}), not text")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise ValueError(f"undecodable bytes: invalid {enc} at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    valid = len(_UTF8_MULTIBYTE.findall(data))
    invalid = data.decode("utf-8", "replace").count("\ufffd")
    if valid >= _STRAY_BYTES * invalid:
        return data.decode("utf-8", "storyline-cp1252")
    mixed = valid * _CHANCE_UTF8 > invalid
    for enc in filter(None, (declared, *_declared_charsets(data), _detect_charset(data), "cp1252")):
        if mixed and not _MULTIBYTE_CODECS.search(enc):
            continue
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if mixed:
        raise ValueError(f"undecodable bytes: invalid UTF-8 at byte {bad} in a file that is otherwise UTF-8")
    raise ValueError(f"undecodable bytes: not UTF-8 (invalid at byte {bad}) and no character set fits")


_MARKUP = re.compile(rb"(?is)<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>")
_CP1252_SLACK = 0.1  # how much more "chaos" (charset_normalizer's mess measure) cp1252 may show and win


def _detect_charset(data: bytes) -> str | None:
    """charset_normalizer's guess (the least "chaos"), or cp1252 when it fits about as well: short Western
    texts often read almost as well as cp1250 or cp1257, "déjà" as "déją", and cp1252 is what such files
    nearly always are. Except against cp1250, Central Europe's common legacy charset, when the text reads
    more like a language in it (charset_normalizer's coherence), or as much and with less chaos: Czech "č",
    Polish "ą", Hungarian "ő" also read with little chaos as cp1252 ("è", "¹", "õ")."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return None
    sample = data[:200_000]
    text = _MARKUP.sub(b" ", sample)  # the language of the page's text, not of its tags and scripts
    matches = list(from_bytes(text if text.strip() else sample))
    if not matches:
        return None
    best = min(matches, key=lambda m: m.chaos)
    if best.chaos > 0.2:
        return None
    central = {"cp1250", "iso8859_2"} & {best.encoding, *best.could_be_from_charset}
    for m in matches:
        if m.chaos <= best.chaos + _CP1252_SLACK and "cp1252" in (m.encoding, *m.could_be_from_charset):
            if m is not best and central and (best.coherence, -best.chaos) > (m.coherence, -m.chaos):
                break
            return "cp1252"
    return best.encoding


def _declared_charsets(data: bytes) -> list[str]:
    """Every charset the page's head declares (<meta charset>, http-equiv, <?xml encoding>), in order: an
    archived page carries its archive's declaration before its own."""
    found = re.finditer(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)|<\?xml[^>]+encoding=["']([\w.:-]+)""",
                        data[:8192], re.I)
    names = []
    for m in found:
        try:
            name = codecs.lookup((m[1] or m[2]).decode("ascii", "replace")).name
        except LookupError:
            continue
        if name not in names:
            names.append(name)
    return names


def _declared_charset(data: bytes) -> str | None:
    names = _declared_charsets(data)
    return names[0] if names else None


# --------------------------------------------------------------------------------------------------
# HTML → text


def _fragment_text(html: str | Any) -> str:
    """Plain text of an HTML fragment (markup, or an element, left unchanged) with scripts, styles and
    forms removed; blocks become lines."""
    import lxml.html
    from lxml.etree import ParserError
    from lxml_html_clean import Cleaner

    if isinstance(html, str):
        try:
            tree = lxml.html.document_fromstring(html)
        except (ParserError, ValueError):
            return ""
    else:  # an element of a parsed page, copied with its tail (serialising and parsing it again is slower)
        tree = lxml.html.Element("div")
        tree.append(copy.deepcopy(html))
    cleaner = Cleaner(scripts=True, javascript=True, style=True, comments=True, forms=True, embedded=True,
                      frames=True, meta=True, page_structure=False, processing_instructions=True,
                      kill_tags=["noscript", "template", "svg", "nav", "button", "select", "textarea"])
    tree = cleaner.clean_html(tree)
    blocks = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section",
              "article", "header", "footer", "pre", "table", "ul", "ol", "dd", "dt", "figcaption", "aside"}
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in blocks:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    lines = (re.sub(r"\s+", " ", line).strip() for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


# Page furniture pruned before extraction, so trafilatura never falls back to a menu or a footer. A rule
# only ever removes an element that does not hold the article (see ``_prune``): some sites wrap the whole
# page in a <form> (server-side form frameworks) or put the story inside an <aside>.
_PRUNE = ("//nav", "//footer", "//aside", "//form", "//button", "//*[@role='navigation']",
          "//*[@aria-hidden='true']")
_ARTICLE_MARKS = "//article | //main | //*[@itemprop='articleBody'] | //*[@role='main']"
_PROTECT_SHARE = 0.4  # an element holding this share of the page's paragraph text holds the article
_PRECISE_KEEPS = 0.5  # precision mode is trusted unless it keeps less than this share of the default's words
_PRECISE_WITHIN = 0.8  # ... and unless less than this share of what it keeps is in the default's text
_PRECISE_INSIDE = 0.75  # ... and, keeping less than this share, unless it drops lines inside the article
_PRECISE_NEEDED = 0.03  # precision mode runs when more of the default's words are in lines that are no sentence
_LINK_LIST = 0.8  # an extraction this much made of link texts is a list of links, not an article
_LINK_SEARCH = 200_000  # at most this many (link, line) pairs searched for links run into lines
_MIN_ARTICLE_CHARS = 60  # what any extraction must hold (characters, not words: Chinese has no spaces)
_MIN_ARTICLE_WORDS = 40  # what a fallback must yield to count as an article (a news brief is longer)
_MAIN_SHARE = 0.5  # an extraction with less than this share of the main mark's paragraph words is short
_MIN_MAIN_WORDS = 150  # ... checked when the main mark holds this many words of paragraphs


# The work of extraction grows faster than the page (trafilatura on a 19 MB page: minutes), so what the
# extractor is given is bounded: a large page loses its scripts (JSON-LD kept: metadata), styles, SVG and
# comments first, which is most of any real page's weight; one still over the bound is refused, named.
_MAX_MARKUP = 3_000_000  # characters; the largest page of the three development sets needs 2.8 million
_HEAVY = re.compile(r"(?is)<script\b(?![^>]*application/ld\+json)[^>]*>.*?</script\s*>"
                    r"|<(style|svg|noscript|template)\b.*?</\1\s*>|<!--.*?-->")


def bounded(html: str) -> str:
    """The page as the extractor gets it: whole when under ``_MAX_MARKUP``, else without the heavy parts
    nobody reads (see ``_HEAVY``); ValueError when even that is over the bound."""
    if len(html) <= _MAX_MARKUP:
        return html
    slim = _HEAVY.sub(" ", html)
    if len(slim) > _MAX_MARKUP:
        raise ValueError(f"page too large to extract: {len(slim):,} characters of markup without scripts and "
                         f"styles, over the {_MAX_MARKUP:,} limit (no article page needs as much)")
    return slim


class NoArticle(ValueError):
    """A page in which no extractor finds an article (a section front, a login wall, a menu)."""


def _paragraph_words(el: Any) -> int:
    """Words in an element's paragraphs: where an article's text lives, unlike link lists and menus."""
    return sum(len((p.text_content() or "").split()) for p in el.iter("p"))


def _main_mark(tree: Any) -> Any:
    """The page's main article mark: the <article>, <main> or articleBody with the most paragraph text
    (teaser lists are <article>s too), or None."""
    marks = tree.xpath(_ARTICLE_MARKS)
    return max(marks, key=_paragraph_words) if marks else None


def _prune(tree: Any) -> list[str]:
    """Remove page furniture from ``tree`` in place, checking what each rule would remove first: an
    element is kept when it is, or holds, the page's main article mark (``_main_mark``) or a large share
    of the page's paragraph text. Returns the rules that were skipped for an element (for tests)."""
    total = _paragraph_words(tree) or 1
    main = _main_mark(tree)
    spared = []
    for rule in _PRUNE:
        for el in tree.xpath(rule):
            if el.getparent() is None:
                continue
            if any(d is main for d in el.iter()) or _paragraph_words(el) >= _PROTECT_SHARE * total:
                spared.append(rule)
                continue
            el.drop_tree()
    return spared


def _parse(html: str) -> Any:
    """The page parsed as trafilatura parses it (its loader recovers more of some pages than a plain lxml
    parse: handing trafilatura an lxml tree lost up to half of an article on the benchmark), else by lxml."""
    import lxml.html
    import trafilatura

    tree = trafilatura.load_html(html)
    return tree if tree is not None else lxml.html.document_fromstring(html)


def _prose_words(text: str) -> int:
    """Words in lines that read as sentences (8+ words ending like a sentence): menus and lists have none."""
    return sum(len(line.split()) for line in text.splitlines()
               if len(line.split()) >= 8 and re.search(r"[.!?…\"”’)]\s*$", line))


def _distinct_words(text: str) -> int:
    """Words in the text counting a repeated paragraph (8+ words) once: a page holding its article twice
    (a copy for scripts or another layout) makes an extraction look twice as long as the article."""
    seen: set[str] = set()
    words = 0
    for line in text.splitlines():
        n = len(key := " ".join(line.split()).casefold()) and len(key.split())
        if n < 8 or key not in seen:
            words += n
        seen.add(key)
    return words


def _contained(part: str, whole: str) -> float:
    """Share of the 4-word sequences of ``part`` found in ``whole``: precision mode should only drop text,
    and when it returns another part of the page (a comment, the article's second half) it is not used."""
    def shingles(text: str) -> set[tuple[str, ...]]:
        w = re.findall(r"\w+", text.casefold())
        return {tuple(w[i : i + 4]) for i in range(max(1, len(w) - 3))}

    mine = shingles(part)
    return len(mine & shingles(whole)) / len(mine) if mine else 1.0


def _line(text: str) -> str:
    return " ".join(text.split())


def _signature(el: Any) -> tuple[str, str] | None:
    return (el.tag, el.get("class") or "") if el is not None else None


def _complete_chunks(text: str, tree: Any) -> str:
    """The extracted text with the rest of an article its page splits into chunks (the body cut into
    same-class containers between ads and embeds, each a template's "body" block): trafilatura keeps the
    first chunk only. The container holding most of the extracted paragraphs is found; the prose paragraphs
    (``_prose_words``) that are children of the other elements with its tag and class, and its parent's, in
    the same <article>, which the text lacks, are put in before or after the extracted lines, in page
    order. Only inside an <article>, and only chunks placed like it: pages reuse classes for comments and
    promos."""
    lines = [_line(line) for line in text.splitlines()]
    have = set(lines)
    by_parent: dict[Any, int] = {}
    for p in tree.iter("p"):
        if (t := _line(p.text_content())) in have and p.getparent() is not None:
            by_parent[p.getparent()] = by_parent.get(p.getparent(), 0) + len(t.split())
    if not by_parent:
        return text
    body = max(by_parent, key=by_parent.__getitem__)
    article = next(body.iterancestors("article"), None)
    if not body.get("class") or not isinstance(body.tag, str) or article is None:
        return text
    before: list[str] = []
    after: list[str] = []
    seen = False
    for el in article.iter(body.tag):
        if el is body:
            seen = True
            continue
        if _signature(el) != _signature(body) or _signature(el.getparent()) != _signature(body.getparent()) \
                or any(a is body for a in el.iterancestors()) or any(d is body for d in el.iter()):
            continue
        new = [t for p in el.iterchildren("p") if (t := _line(p.text_content())) not in have and _prose_words(t)]
        (after if seen else before).extend(new)
        have.update(new)
    if not before and not after:
        return text
    marked = [i for i, line in enumerate(lines) if line in {_line(p.text_content()) for p in body.iterchildren("p")}]
    cut = marked[-1] + 1 if marked else len(lines)
    start = marked[0] if marked else 0
    return "\n".join(lines[:start] + before + lines[start:cut] + after + lines[cut:])


def _needs_precision(text: str) -> bool:
    """Is there anything for precision mode to drop? It removes page furniture (menus, link lists,
    headings and credits: short lines, lines that end unlike a sentence); a default extraction of
    sentences only (over ``1 - _PRECISE_NEEDED`` of its words) has none, and the second pass is skipped."""
    words = len(text.split())
    return _prose_words(text) < (1 - _PRECISE_NEEDED) * words


def _trust_precise(precise: str, text: str) -> bool:
    """Use precision mode's text instead of the default's? Only when it keeps enough of it
    (``_PRECISE_KEEPS``), mostly the default's own text (``_PRECISE_WITHIN``), and, when it drops more
    than ``1 - _PRECISE_INSIDE`` of it, drops only before its first or after its last kept line (the
    page around the article: a header, related links, a newsletter box). What it drops between kept lines
    is list items and sub-headings of the article itself (a listicle's entries, a how-to's steps)."""
    if len(precise.split()) < _PRECISE_KEEPS * (words := _distinct_words(text)) \
            or _contained(precise, text) < _PRECISE_WITHIN:
        return False
    if len(precise.split()) >= _PRECISE_INSIDE * words:
        return True
    kept = {_line(line) for line in precise.splitlines()}
    lines = [line for line in map(_line, text.splitlines()) if line]
    marks = [i for i, line in enumerate(lines) if line in kept]
    return not marks or all(line in kept for line in lines[marks[0] : marks[-1]])


def _looks_like_article(text: str) -> bool:
    words = len(text.split())
    return words >= _MIN_ARTICLE_WORDS and _prose_words(text) >= 0.5 * words


def _link_share(text: str, tree: Any) -> float:
    """Share of the words of ``text`` that are a link's text: near 1 for a section front or a menu that an
    extractor returned as if it were an article. Counted in lines that are one link's text, and in what is
    left of each line once the texts of 3+ word links in it are removed (a list an extractor ran into one
    line)."""
    links = {" ".join(a.text_content().split()).casefold() for a in tree.iter("a")}
    long_links = sorted((x for x in links if len(x.split()) >= 3), key=len, reverse=True)
    lines = [" ".join(line.split()).casefold() for line in text.splitlines() if line.strip()]
    words = sum(len(line.split()) for line in lines) or 1
    inline = len(long_links) * len(lines) <= _LINK_SEARCH  # bounded: a huge page skips the in-line count
    linked = 0
    for line in lines:
        if line in links:
            linked += len(line.split())
            continue
        if not inline:
            continue
        rest = line
        for link in long_links:
            if link in rest:
                rest = rest.replace(link, " ")
        linked += len(line.split()) - len(rest.split())
    return linked / words


def _short_of_main(result: Any, main: Any) -> bool:
    """Does an extraction hold under half the paragraph text of the page's main article mark? Removing
    furniture changes which container trafilatura settles on, and on some pages it then keeps a lead and
    a byline of a long <main> (a WCXB ``dev`` article: 128 of 735 words)."""
    words = _paragraph_words(main) if main is not None else 0
    text = (getattr(result, "text", None) or "") if result is not None else ""
    return words >= _MIN_MAIN_WORDS and 0 < len(text.split()) < _MAIN_SHARE * words


def _extract(tree: Any, url: str | None, metadata: bool = True, **options: Any) -> Any:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            tree, url=url, with_metadata=metadata, include_comments=False, include_images=False,
            include_links=False, include_formatting=False, deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True}, **options)
    except Exception:  # trafilatura/lxml raise assorted errors on hostile markup
        return None


def _visible_head(tree: Any, main: Any) -> tuple[str | None, date | None]:
    """The headline and the publication date as the page displays them, from the main article mark
    (``_main_mark``) or, without one, around the page's only <h1>: its <h1>, and the date of its byline,
    timestamp or dateline (extractors often drop those lines)."""
    h1s = main.xpath(".//h1") if main is not None else []
    if not h1s:
        h1s = tree.xpath("//h1")
        if len(h1s) != 1:
            h1s = []
    headline = " ".join(h1s[0].text_content().split()) if h1s else None
    region = main if main is not None else (h1s[0].getparent() if h1s else None)
    shown = None
    if region is not None:
        shown = visible_date(_fragment_text(region))
    return headline or None, shown


def choose_title(meta_title: str | None, headline: str | None) -> str | None:
    """The title from the page's metadata (og:title, JSON-LD, <title>) checked against its visible <h1>.

    The visible headline wins when it is the same headline: the metadata one contains it (with the site's
    name around it: "Bridge reopens | Lakeside Herald") or shares most of its words (a social or SEO variant
    of it): it is what the outlet printed, without decoration. When the two are unrelated the <h1> is not
    the article's headline (a logo, a section name, a sidebar) and the metadata wins.
    """
    head, meta = folded_words(headline or ""), folded_words(meta_title or "")
    if not meta:
        return headline if 3 <= len(head) <= 40 else meta_title or None
    if not head or head == meta:
        return meta_title
    shared = len(set(head) & set(meta)) / len(set(head))
    contained = " ".join(head) in " ".join(meta)
    if 3 <= len(head) <= 40 and (contained or shared >= 0.6):
        return headline
    return meta_title


def html_to_text(html: str, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """Main text of a page and its metadata: title, url, sitename, date, hostname (trafilatura), and the
    headline and date the page displays (``headline``, ``shown_date``: see ``_visible_head``).

    The chain, each step only when the previous found nothing: trafilatura on the pruned page (with its
    own readability and jusText comparison); trafilatura favouring recall on the unpruned page; its
    baseline (JSON-LD articleBody, <article>, paragraphs), accepted only when it reads as prose. A page
    none of them finds an article in raises ``NoArticle``: a menu or footer must never become a document.
    Broken or truncated markup still yields what is there; a page too large to extract in bounded time
    raises ValueError (``bounded``).
    """
    from lxml.etree import ParserError

    html = bounded(html)
    try:
        tree = _parse(html)
    except (ParserError, ValueError):
        raise NoArticle("no article found: the HTML has no readable content") from None
    main = _main_mark(tree)
    head = _visible_head(tree, main)
    pruned = copy.deepcopy(tree)  # a copy is cheaper than a second parse
    _prune(pruned)
    result = _extract(copy.deepcopy(pruned), url)  # a copy: trafilatura changes the tree it is given
    if _short_of_main(result, main):  # pruning moved trafilatura off the article: the whole page instead
        whole = _extract(copy.deepcopy(tree), url)
        if len(getattr(whole, "text", None) or "") > len(getattr(result, "text", None) or ""):
            result, pruned = whole, copy.deepcopy(tree)
    meta = {k: getattr(result, k, None) for k in ("title", "url", "sitename", "date", "hostname")} \
        if result is not None else {}
    text = (getattr(result, "text", None) or "") if result is not None else ""
    if text.strip():  # trafilatura's precision mode drops more page furniture, and sometimes the article
        if _needs_precision(text):  # a second trafilatura pass: only when the first kept lines to drop
            precise = _extract(pruned, url, metadata=False, favor_precision=True)
            precise_text = (getattr(precise, "text", None) or "") if precise is not None else ""
            if _trust_precise(precise_text, text):
                text = precise_text
        text = _complete_chunks(text, tree)
    if _link_share(text, tree) >= _LINK_LIST or len("".join(text.split())) < _MIN_ARTICLE_CHARS:
        text = ""  # a list of links, or a login or cookie wall's one line
    if not text.strip():
        retry = _extract(tree, url, favor_recall=True)
        text = (getattr(retry, "text", None) or "") if retry is not None else ""
        text = text if _looks_like_article(text) else ""
        if retry is not None and not meta:
            meta = {k: getattr(retry, k, None) for k in ("title", "url", "sitename", "date", "hostname")}
    if not text.strip():
        import trafilatura

        try:
            _, fallback, _ = trafilatura.baseline(_parse(html))
        except Exception:  # as above
            fallback = ""
        if _looks_like_article(fallback):
            text = fallback
    meta["headline"], meta["shown_date"] = head
    if not text.strip():
        raise NoArticle("no article found: no extractor (trafilatura, its readability and jusText "
                        "fallbacks, its baseline) finds article text in this page")
    return text, meta


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or len(_HTML_TAG.findall(text[:20_000])) >= 2


# --------------------------------------------------------------------------------------------------
# Building documents


_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _check_text(name: str, value: str | None) -> None:
    """Refuse a lone surrogate (JSON allows ``"\\udc00"``; UTF-8, SQLite and terminals do not)."""
    if value and (m := _SURROGATE.search(value)):
        raise ValueError(f"field {name!r} is not valid Unicode text: lone surrogate "
                         f"U+{ord(m[0]):04X} at character {m.start()}")


def _one_line(value: str | None) -> str | None:
    """A title or outlet: one line, control characters (terminal escapes among them) as spaces."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", value)).strip() or None if value else None


def fs_text(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogate escapes) are shown as
    ``\\xNN``, so an id or a message made of a file name can be stored and printed."""
    if not _SURROGATE.search(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
        if not re.search(r"[\ud800-\udc7f\udd00-\udfff]", name) else name.encode("utf-8", "backslashreplace").decode()


def _short_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _document(
    doc_id: str, raw: str, *, title: str | None = None, url: str | None = None, outlet: str | None = None,
    outlet_source: str = "metadata", published: date | None = None, published_source: str = "metadata",
    path: str | None = None, find_title: bool = True,
) -> Document:
    """One Document from raw article text plus whatever metadata the container gave."""
    for name, value in (("text", raw), ("title", title), ("url", url), ("outlet", outlet)):
        _check_text(name, value)
    title = _one_line(title)
    outlet = _one_line(outlet)
    if published is not None:
        pub_source = published_source
    else:
        published, pub_source = detect_published(raw, title)
        if published is None and (published := date_from_url(url)) is not None:
            pub_source = "url"
    if outlet:
        outlet = canonical_outlet(outlet)
    else:
        outlet, outlet_source = detect_outlet(raw, url)
    text = clean_text(raw)
    if title:
        first, _, rest = text.partition("\n")
        if first.strip().casefold() == title.casefold() and rest.strip():
            text = rest.strip()  # the headline repeated as the first line of the body
    elif find_title:
        title, text = split_title(text)
    if not text:
        raise ValueError("no article text (empty, or only boilerplate)")
    if doc_id.strip() in (".", ".."):  # a URL path segment a browser would resolve away: unopenable
        raise ValueError(f"id {doc_id!r} cannot name a document")
    return Document(id=doc_id, text=text, title=title or None, url=url or None, outlet=outlet,
                    outlet_source=outlet_source if outlet else "unknown", published=published,
                    published_source=pub_source if published else "unknown", path=path)


def _html_document(html: str, doc_id: str, *, url: str | None = None, path: str | None = None,
                   overrides: dict[str, Any] | None = None) -> Document:
    """Document from a page; fields in ``overrides`` (a record's own metadata) beat the page's."""
    o = overrides or {}
    html = bounded(html)  # before the date search below reads it too
    text, meta = html_to_text(html, url=url)
    page_url = o.get("url") or url or meta.get("url")
    outlet, outlet_source = o.get("outlet"), "metadata"
    site = meta.get("sitename")
    if not outlet and site:
        # trafilatura falls back to the URL's host when a page names no site: that is a URL guess
        from_url = bool(meta.get("url")) and site.lower() in (meta.get("url") or "").lower()
        outlet, outlet_source = site, "url" if from_url and "." in site else "metadata"
    if outlet_source == "url":
        found, how = detect_outlet(text, None)
        if found:
            outlet, outlet_source = found, how
    published, published_source = o.get("published"), "metadata"
    if published is None and (published := parse_date_value(meta.get("date"))) is not None:
        # htmldate reads the page's URL first: a date only the URL gives is a "url" date
        if published == date_from_url(page_url) and not _page_date(html):
            published_source = "url"
        # the date the page shows its reader beats a different machine-readable one: metadata dates are
        # often the last modification, the CMS record's date or one a template took from elsewhere
        shown = visible_date(text) or meta.get("shown_date")
        if shown is not None and shown != published:
            published, published_source = shown, "text"
    title = o.get("title") or choose_title(meta.get("title"), meta.get("headline"))
    return _document(doc_id, text, title=title, url=page_url,
                     outlet=outlet, outlet_source=outlet_source, published=published,
                     published_source=published_source, path=path)


def _page_date(html: str) -> str | None:
    """The date a page's markup gives (meta tags, JSON-LD, time elements), ignoring its URL."""
    from htmldate import find_date

    try:
        return find_date(html, extensive_search=False, original_date=True, url="")
    except Exception:  # htmldate/lxml on hostile markup
        return None


_FIELDS = {
    "text": ("text", "body", "content", "article"),
    "html": ("html", "raw_html", "content_html"),
    "title": ("title", "headline"),
    "url": ("url", "link", "uri"),
    "published": ("published", "date", "published_at", "publishedAt", "pubDate", "datePublished"),
    "outlet": ("outlet", "source", "site", "sitename", "publisher"),
}


def _field(record: dict[str, Any], name: str) -> tuple[str | None, Any]:
    for key in _FIELDS[name]:
        if key in record and record[key] not in (None, ""):
            return key, record[key]
    return None, None


def _string(record: dict[str, Any], name: str) -> str | None:
    key, value = _field(record, name)
    if key is None:
        return None
    if name == "outlet" and isinstance(value, dict):  # NewsAPI: "source": {"id": ..., "name": "Reuters"}
        value = value.get("name")
        if value is None:
            return None
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def read_record(
    record: dict, where: str, *, default_id: str | None = None, path: str | None = None
) -> Document:
    """One article given as a JSON object (a JSONL line, a JSON list item, a REST API body).

    Fields: ``text`` or ``html`` (required), and optional ``id``, ``title``, ``url``, ``published``,
    ``outlet`` (a few common aliases such as NewsAPI's are accepted). Without an id the document gets
    ``default_id``, else ``<stem>:<line>`` when ``where`` is "file.jsonl:17", else a hash of its
    content. Raises ValueError with a message naming the problem (the caller adds ``where``).
    """
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    text, html = _string(record, "text"), _string(record, "html")
    if not text and not html:
        raise ValueError("record has neither 'text' nor 'html'")
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        raise ValueError(f"field 'id' must be a string or an integer, got {type(raw_id).__name__}")
    if isinstance(raw_id, str):
        _check_text("id", raw_id)
    doc_id = str(raw_id).strip() if raw_id is not None and str(raw_id).strip() else None
    key, value = _field(record, "published")
    published = None
    if key is not None:
        published = parse_date_value(value)
        if published is None:
            raise ValueError(f"field {key!r}: cannot read {str(value)[:60]!r} as a date (day, month, year)")
    meta = {"title": _string(record, "title"), "url": _string(record, "url"),
            "outlet": _string(record, "outlet"), "published": published}
    if not doc_id and not default_id and (m := re.fullmatch(r"(.+):(\d+)", where)):
        default_id = f"{Path(m[1]).stem}:{m[2]}"
    doc_id = doc_id or default_id or _short_hash(text or html or "")
    if text and not _looks_like_html(text):
        return _document(doc_id, text, title=meta["title"], url=meta["url"], outlet=meta["outlet"],
                         published=published, path=path)
    return _html_document(text or html or "", doc_id, url=meta["url"], path=path, overrides=meta)


def read_page(data: bytes, url: str, doc_id: str, content_type: str = "",
              metadata: dict[str, Any] | None = None) -> Document:
    """An article fetched over HTTP, read as an .html (or .txt) file is: decoded by the charset its headers
    or markup declare, main text by trafilatura. ``metadata`` (a feed item's ``title``, ``published``) wins
    over the page's; its ``outlet`` only fills in when the page names none. The URL is the document's path,
    so the same URL is one document however often it is fetched."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind and not (kind in ("text/html", "application/xhtml+xml", "text/plain") or kind.endswith("+xml")):
        raise ValueError(f"not an article page (content type {kind})")
    charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    text = decode_bytes(data, charset[1] if charset else _declared_charset(data))
    if not text.strip():
        raise ValueError("empty page")
    meta = metadata or {}
    overrides = {k: meta[k] for k in ("title", "published") if meta.get(k)}
    if kind == "text/plain" and not _looks_like_html(text):
        doc = _document(doc_id, text, url=url, path=url, **overrides)
    else:
        doc = _html_document(text, doc_id, url=url, path=url, overrides=overrides | {"url": url})
    if doc.outlet is None and meta.get("outlet"):
        doc.outlet, doc.outlet_source = canonical_outlet(meta["outlet"]), "metadata"
    return doc


# --------------------------------------------------------------------------------------------------
# Formats


def _read_text(path: Path, data: bytes) -> Iterator[Document | ReadError]:
    text = decode_bytes(data)
    if not text.strip():
        raise ValueError("empty file")
    if _looks_like_html(text):
        yield _html_document(text, path.stem, path=str(path))
    else:
        yield _document(path.stem, text, path=str(path))


def _read_html(path: Path, data: bytes) -> Iterator[Document | ReadError]:
    text = decode_bytes(data, _declared_charset(data))
    if not text.strip():
        raise ValueError("empty file")
    yield _html_document(text, path.stem, path=str(path))


def _read_json(path: Path, data: bytes) -> Iterator[Document | ReadError]:
    text = decode_bytes(data)
    if not text.strip():
        raise ValueError("empty file")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ReadError(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        yield ReadError(str(path), "invalid JSON: nested too deeply")
        return
    if isinstance(value, dict) and not any(_field(value, f)[0] for f in ("text", "html")):
        value = next((value[k] for k in _RECORD_LISTS if isinstance(value.get(k), list)), value)
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("no records (empty JSON list)")
    for n, item in enumerate(items, start=1):
        where = f"{path}[{n}]" if isinstance(value, list) else str(path)
        try:
            yield read_record(item, where, default_id=f"{path.stem}:{n}", path=str(path))
        except ValueError as exc:
            yield ReadError(where, str(exc))
        except Exception as exc:  # one record a library fails on must not cost the records after it
            yield ReadError(where, f"unexpected error: {type(exc).__name__}: {exc}")


def _lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line over ``max_bytes`` (skipped, not held)."""
    n = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        n += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield n, None
            continue
        yield n, line


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` whose every failure is a ValueError with a readable reason: nesting deeper than the
    parser's recursion limit ("[[[[..." 100,000 deep) raises RecursionError, which is not one."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


def _read_jsonl(path: Path, fh: BinaryIO, max_bytes: int) -> Iterator[Document | ReadError]:
    seen = 0
    for n, line in _lines(fh, max_bytes):
        where = f"{path}:{n}"
        if line is None:
            yield ReadError(where, f"line over the {max_bytes:,}-byte limit")
            continue
        if not line.strip():
            continue
        seen += 1
        try:
            text = decode_bytes(line.removeprefix(codecs.BOM_UTF8) if n == 1 else line)
            yield read_record(parse_json(text.rstrip("\r\n")), where, default_id=f"{path.stem}:{n}",
                              path=str(path))
        except ValueError as exc:
            yield ReadError(where, str(exc).replace(" (line 1, column", " (column"))
        except Exception as exc:  # one line a library fails on must not cost the lines after it
            yield ReadError(where, f"unexpected error: {type(exc).__name__}: {exc}")
    if not seen:
        yield ReadError(str(path), "empty file")


def _read_warc(path: Path, fh: BinaryIO, max_bytes: int) -> Iterator[Document | ReadError]:
    from warcio.archiveiterator import ArchiveIterator

    found = 0
    try:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            headers = record.http_headers
            ctype = (headers.get_header("Content-Type") if headers else None) or \
                record.rec_headers.get_header("Content-Type") or ""
            if headers and not (headers.get_statuscode() or "").startswith("2"):
                continue
            if not re.search(r"html|xhtml", ctype, re.I):
                continue
            found += 1
            where = f"{path}:{uri}"
            data = record.content_stream().read(max_bytes + 1)
            if len(data) > max_bytes:
                yield ReadError(where, f"record over the {max_bytes:,}-byte limit")
                continue
            charset = re.search(r"charset=[\"']?([\w.:-]+)", ctype, re.I)
            try:
                html = decode_bytes(data, charset[1] if charset else _declared_charset(data))
                yield _html_document(html, _short_hash(uri), url=uri or None, path=str(path))
            except ValueError as exc:
                yield ReadError(where, str(exc))
    except Exception as exc:  # warcio: ArchiveLoadFailed, truncated gzip (EOFError, zlib.error)...
        yield ReadError(str(path), f"not a readable WARC file (or truncated): {exc}".strip())
        return
    if not found:
        yield ReadError(str(path), "WARC file has no HTML response records")


def _read_feed(path: Path, data: bytes) -> Iterator[Document | ReadError]:
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        why = f": {feed.bozo_exception}" if feed.get("bozo") else ""
        raise ValueError(f"not a feed, or a feed with no items{why}")
    channel = feed.feed.get("title")
    for n, entry in enumerate(feed.entries, start=1):
        where = f"{path}[{n}]"
        contents = [c["value"] for c in entry.get("content") or [] if isinstance(c.get("value"), str)]
        body = max(contents, key=len, default="") or entry.get("summary") or ""
        try:
            if not body.strip():
                raise ValueError("feed item has no content or summary")
            text = _fragment_text(body) if _looks_like_html(body) or "<" in body else body
            # the date as the feed wrote it (feedparser's parsed form is shifted to UTC)
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            published = parse_date_value(entry.get("published") or entry.get("updated")) or (
                date(*stamp[:3]) if stamp else None)
            # an item's own <source>, then its text's credits, then the channel: aggregators mix publishers
            source = (entry.get("source") or {}).get("title")
            outlet, how = (source, "metadata") if source else detect_outlet(text, None)
            if not outlet and channel:
                outlet, how = channel, "metadata"
            yield _document(entry.get("id") or entry.get("link") or f"{path.stem}:{n}", text,
                            title=entry.get("title"), url=entry.get("link"), outlet=outlet,
                            outlet_source=how, published=published, path=str(path), find_title=False)
        except ValueError as exc:
            yield ReadError(where, str(exc))


def _is_warc(head: bytes) -> bool:
    """Does a file start with a WARC (or old ARC) record, compressed or not?"""
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(31).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith((b"WARC/", b"filedesc://"))


def _sniff(head: bytes) -> str:
    """Format of a file whose extension says nothing, from its first bytes."""
    if head.startswith(b"WARC/"):
        return "warc"
    text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<?xml") or text.startswith(("<rss", "<feed", "<rdf")):
        return "html" if "<html" in text[:1024] else "feed"
    if text.startswith(("<!doctype html", "<html")) or len(_HTML_TAG.findall(text)) >= 2:
        return "html"
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        first = text.split("\n", 1)[0].strip()
        try:
            json.loads(first)
            return "jsonl"
        except json.JSONDecodeError:
            return "json"
    return "text"


def _open(path: Path) -> BinaryIO:
    """The file's bytes, through gzip when compressed (foo.jsonl.gz); WARC readers unzip by themselves."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    if gzipped and not path.name.lower().endswith((".warc.gz", ".arc.gz", ".warc", ".arc")):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - closed by the caller


def _format(path: Path, head: bytes) -> str:
    """Format from the extension (the one before .gz for compressed files), else from the first bytes."""
    name = path.name.lower()
    if name.endswith((".warc.gz", ".arc.gz")):
        return "warc"
    suffixes = path.suffixes[-2:-1] if name.endswith(".gz") else path.suffixes[-1:]
    return _FORMATS.get(suffixes[0].lower() if suffixes else "") or _sniff(head)


def _read_file(path: Path, max_bytes: int) -> Iterator[Document | ReadError]:
    """One file's documents and errors, with ids, paths and messages made printable (``fs_text``)."""
    for item in _read_one(path, max_bytes):
        if isinstance(item, Document):
            item.id, item.path = fs_text(item.id), item.path and fs_text(item.path)
        else:
            item.where, item.message = fs_text(item.where), fs_text(item.message)
        yield item


def _read_one(path: Path, max_bytes: int) -> Iterator[Document | ReadError]:
    where = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            yield ReadError(where, "empty file")
            return
        with _open(path) as fh:
            head = fh.read(65536)
            fh.seek(0)
            fmt = _format(path, head)
            kind = _binary_kind(head) if fmt != "warc" else None
            if fmt == "warc" and not _is_warc(head):
                kind = "not a WARC file: no WARC/ header at its start"
            if kind:
                yield ReadError(where, kind if fmt == "warc" else f"binary file ({kind}), not text")
                return
            if fmt == "jsonl":
                yield from _read_jsonl(path, fh, max_bytes)
                return
            if fmt == "warc":
                yield from _read_warc(path, fh, max_bytes)
                return
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield ReadError(where, f"file over the {max_bytes:,}-byte limit ({size:,} bytes on disk)")
            return
        reader = {"text": _read_text, "html": _read_html, "json": _read_json, "feed": _read_feed}[fmt]
        yield from reader(path, data)
    except (OSError, EOFError, zlib.error) as exc:  # unreadable, or a truncated .gz
        yield ReadError(where, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")
    except ValueError as exc:
        yield ReadError(where, str(exc))
    except Exception as exc:  # a bug or a library failing on hostile input must not end the batch
        yield ReadError(where, f"unexpected error: {type(exc).__name__}: {exc}")


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(path: Path) -> str:
    """"file" or "dir" (links followed), else why the path cannot be read: a reason to report, since
    opening a FIFO or a device would block or never end, and a broken link is a missing article."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (too many levels of links)"
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return f"dangling symbolic link (to {os.readlink(path)}, which does not exist)"
        if exc.errno == errno.ENOENT:
            return "no such file or directory"
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISREG(st.st_mode):
        return "file"
    what = next((name for test, name in _SPECIAL if test(st.st_mode)), "not a regular file")
    return f"{what}, not a regular file"


def _walk(folder: Path) -> Iterator[Path | ReadError]:
    """Files under a folder, recursively, in path order (a, b/c, d), skipping hidden files and folders.

    Like ``os.walk``, links to folders are not followed (no loops, no leaving the tree); they, broken
    links, FIFOs and devices are reported, never silently passed over.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield ReadError(fs_text(str(folder)), f"cannot read folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        kind = _kind(path)
        if kind == "dir" and entry.is_symlink():
            yield ReadError(fs_text(str(path)), "symbolic link to a folder: not followed (name the folder "
                                                "itself to read it)")
        elif kind == "dir":
            yield from _walk(path)
        elif kind == "file":
            yield path
        else:
            yield ReadError(fs_text(str(path)), kind)


def read_paths(paths: Iterable[str | Path] | str | Path, max_bytes: int = MAX_BYTES
               ) -> Iterator[Document | ReadError]:
    """Documents from files and folders (recursively), one at a time; problems come as ``ReadError``s.

    The format is chosen by extension (.txt .html .json .jsonl .warc[.gz] .xml/.rss/.atom, any of them
    gzipped), by sniffing the first bytes otherwise. ``max_bytes`` caps a file, or a line/record of the
    streamed formats (JSONL, WARC), so one huge input cannot exhaust memory.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for p in paths:
        path = Path(p)
        kind = _kind(path)
        if kind == "dir":
            for f in _walk(path):
                if isinstance(f, ReadError):
                    yield f
                else:
                    yield from _read_file(f, max_bytes)
        elif kind == "file":
            yield from _read_file(path, max_bytes)
        else:
            yield ReadError(fs_text(str(path)), kind)
