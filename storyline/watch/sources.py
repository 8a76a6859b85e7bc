"""What to watch: feed URLs given directly, in an OPML file or in a text file; feeds parsed into items;
article URLs canonicalised so one article linked from two feeds (with different tracking parameters) is
one article."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

MAX_SOURCE_FILE = 5_000_000


class SourceError(ValueError):
    """A SOURCE that is neither a feed URL nor a readable OPML or URL-list file (the message names it)."""


def canonical_url(url: str, base: str | None = None) -> str:
    """The URL an article is known by: absolute, scheme and host lower-cased, default port, fragment and
    tracking parameters (utm_*, fbclid, ...) dropped, query parameters sorted (courlan, as trafilatura)."""
    from courlan import normalize_url

    url = urljoin(base, url.strip()) if base else url.strip()
    try:
        return normalize_url(url, strict=True)
    except Exception:  # courlan on a URL it cannot parse: keep it as given, minus the fragment
        return url.split("#", 1)[0]


def document_id(url: str) -> str:
    """A stable, openable document id for a canonical article URL: ``host-<hash>``."""
    host = (urlsplit(url).hostname or "web").removeprefix("www.")
    return f"{host}-{hashlib.sha256(url.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def is_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_sources(sources: list[str]) -> list[str]:
    """Feed URLs from SOURCE arguments: URLs as they are, OPML files (every outline's ``xmlUrl``) and text
    files (one URL a line, ``#`` comments). Raises SourceError naming the file and the problem."""
    urls: list[str] = []
    for source in sources:
        if is_url(source):
            urls.append(source.strip())
            continue
        path = Path(source)
        if not path.is_file():
            raise SourceError(f"{source}: neither an http(s) feed URL nor a file")
        try:
            data = path.read_bytes()[: MAX_SOURCE_FILE + 1]
        except OSError as exc:
            raise SourceError(f"{source}: cannot read file: {exc.strerror or exc}") from None
        if len(data) > MAX_SOURCE_FILE:
            raise SourceError(f"{source}: over {MAX_SOURCE_FILE:,} bytes; not a list of feeds")
        head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        found = _opml_urls(source, data) if head.startswith((b"<?xml", b"<opml")) else _listed_urls(source, data)
        if not found:
            raise SourceError(f"{source}: no feed URLs in it")
        urls.extend(found)
    return list(dict.fromkeys(urls))


def _opml_urls(source: str, data: bytes) -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{source}: not a readable OPML file ({exc})") from None
    if etree.QName(root).localname.lower() != "opml":
        raise SourceError(f"{source}: XML but not OPML (root element <{etree.QName(root).localname}>)")
    urls = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl") or ""
        if url:
            if not is_url(url):
                raise SourceError(f"{source}: outline {outline.get('text') or ''!r} has a xmlUrl that is not an "
                                  f"http(s) URL: {url[:200]!r}")
            urls.append(url.strip())
    return urls


def _listed_urls(source: str, data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source}: not a UTF-8 text file of URLs (invalid byte at {exc.start})") from None
    urls = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            raise SourceError(f"{source}:{n}: not an http(s) URL: {line[:200]!r}")
        urls.append(line)
    return urls


@dataclass(slots=True)
class FeedItem:
    url: str  # canonical
    link: str  # as the feed gave it (absolute)
    title: str | None
    published: date | None
    outlet: str | None
    content: str  # the item's own HTML or text (content, else summary): kept for items without a link


def parse_feed(data: bytes, feed_url: str, content_type: str = "") -> tuple[str | None, list[FeedItem], str | None]:
    """(channel title, items, warning) of an RSS/Atom feed. Raises ValueError when ``data`` is not a feed.

    Like every feed reader, this is lenient: a feed that is not well-formed XML (a stray ``&``, a truncated
    download) still gives the items feedparser recovers, and ``warning`` says what was wrong with it."""
    import feedparser

    from ..ingest.metadata import parse_date_value

    headers = {"content-location": feed_url, "content-type": content_type or "application/xml"}
    feed = feedparser.parse(data, response_headers=headers)
    if not feed.get("version") and not feed.entries:
        why = f": {feed.bozo_exception}" if feed.get("bozo") else ""
        raise ValueError(f"not an RSS or Atom feed{why}")
    channel = feed.feed.get("title") or None
    items = []
    for entry in feed.entries:
        link = entry.get("link") or ""
        if not link and is_url(entry.get("id") or ""):
            link = entry["id"]
        contents = [c["value"] for c in entry.get("content") or [] if isinstance(c.get("value"), str)]
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = parse_date_value(entry.get("published") or entry.get("updated")) or (
            date(*stamp[:3]) if stamp else None)
        absolute = urljoin(feed_url, link) if link else ""
        if absolute and not is_url(absolute):
            continue  # a javascript: or mailto: link is no article
        items.append(FeedItem(
            url=canonical_url(absolute) if absolute else "", link=absolute, title=entry.get("title") or None,
            published=published, outlet=(entry.get("source") or {}).get("title") or channel,
            content=max(contents, key=len, default="") or entry.get("summary") or ""))
    warning = f"malformed feed, read leniently: {feed.bozo_exception}" if feed.get("bozo") else None
    return channel, items, warning
