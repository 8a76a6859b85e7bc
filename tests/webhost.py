"""A real HTTP server on 127.0.0.1 for the watch tests and benchmark: routes whose answers a test changes
between runs (feeds that grow, 304s, 404s, 500s, slow answers, redirects, robots.txt, gzip), a request
log, and a webhook receiver."""

from __future__ import annotations

import gzip
import html
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answered with 304 when If-None-Match matches
    delay: float = 0.0  # seconds before answering (a slow host)
    gzip: bool = False
    fail_first: int = 0  # answer 500 to the first N requests, then normally


class Site:
    """``site.routes[path] = Route(...)``; ``site.url(path)``; ``site.hits(path)``; ``site.posts``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.posts: list[dict] = []  # JSON bodies POSTed (the webhook receiver)
        self.received: list[float] = []  # time.time() each of ``posts`` arrived
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                with site.lock:
                    site.log.append(("GET", self.path, dict(self.headers)))
                    route = site.routes.get(self.path)
                    n = sum(1 for m, p, _ in site.log if m == "GET" and p == self.path)
                if route is None:
                    self._answer(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if route.delay:
                    time.sleep(route.delay)
                if n <= route.fail_first:
                    self._answer(500, b"try later", {"Content-Type": "text/plain"})
                    return
                headers = {"Content-Type": route.content_type, **route.headers}
                if route.etag:
                    headers["ETag"] = route.etag
                    if self.headers.get("If-None-Match") == route.etag:
                        self._answer(304, b"", {"ETag": route.etag})
                        return
                body = route.body
                if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self._answer(route.status, body, headers)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                with site.lock:
                    site.log.append(("POST", self.path, dict(self.headers)))
                    route = site.routes.get(self.path)
                    n = sum(1 for m, p, _ in site.log if m == "POST" and p == self.path)
                    ok = route is not None and n > route.fail_first
                    if ok:
                        site.posts.append(json.loads(data))
                        site.received.append(time.time())
                self._answer(200 if ok else 500, b"{}", {"Content-Type": "application/json"})

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="test-site", daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for m, p, _ in self.log if m == "GET" and p == path)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def rss(title: str, items: list[dict]) -> bytes:
    """An RSS 2.0 feed; items: {title, link, date (datetime or epoch), description?, source?}."""
    out = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
           "<link>http://example.invalid/</link><description>test feed</description>"]
    for it in items:
        out.append(f"<item><title>{html.escape(it['title'])}</title><link>{it['link'].replace('&', '&amp;')}</link>"
                   f"<guid>{it['link'].replace('&', '&amp;')}</guid>"
                   f"<pubDate>{formatdate(it['date'], usegmt=True)}</pubDate>"
                   f"<description>{it.get('description', '')}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def article_html(title: str, outlet: str, published: str, paragraphs: list[str]) -> bytes:
    """A news page as sites serve them: navigation, the article, a footer (text escaped)."""
    title, outlet = html.escape(title), html.escape(outlet)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title} | {outlet}</title>'
            f'<meta property="og:site_name" content="{outlet}">'
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f"<article><h1>{title}</h1>{body}</article>"
            f"<footer>Copyright {outlet}. All rights reserved.</footer></body></html>").encode()
