"""A polite HTTP client for watching feeds: one request at a time per host, robots.txt honoured.

Built on httpx (connection pooling, gzip/deflate decoding, timeouts); what a crawler that is left running
for weeks needs on top is hand-written here because no maintained library bundles it: conditional GET
(ETag, Last-Modified), a size cap on the *decoded* body (a gzip bomb stops at the cap), an overall
deadline (a host that trickles bytes cannot hold the watcher), retries with exponential backoff on
network errors, 429 and 5xx (Retry-After honoured, bounded), redirects followed by hand so that each hop
is checked like the first (scheme, address, robots.txt), and at least ``delay`` seconds between two
requests to one host.

Safety: only http(s) is fetched, and addresses that are not globally routable (private, loopback,
link-local, reserved, multicast) are refused unless ``allow_private``; the check is made on the resolved
addresses before connecting and again on the address actually connected to (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.robotparser
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "Storyline/0.1 (news monitoring; honours robots.txt; +storyline watch)"
REDIRECTS = (301, 302, 303, 307, 308)
TRANSIENT = (408, 425, 429, 500, 502, 503, 504)


class Clock:
    """Real time. The benchmark swaps in a simulated clock, so an hour of watching runs in minutes."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Sleep until ``event`` is set or ``seconds`` pass; True when the event was set."""
        return event.wait(seconds)


class FetchError(Exception):
    """A URL that could not be fetched; ``transient`` errors are worth retrying later."""

    def __init__(self, url: str, reason: str, status: int | None = None, transient: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status, self.transient = url, reason, status, transient


@dataclass(slots=True)
class Page:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional GET that found nothing new
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast


class Fetcher:
    """GETs URLs politely. Not thread-safe: one watcher thread owns one fetcher."""

    def __init__(self, *, allow_private: bool = False, timeout: float = 20.0, max_bytes: int = 5_000_000,
                 max_redirects: int = 5, retries: int = 2, backoff: float = 2.0, delay: float = 1.0,
                 robots_ttl: float = 24 * 3600, user_agent: str = USER_AGENT, clock: Clock | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.allow_private = allow_private
        self.timeout, self.max_bytes, self.max_redirects = timeout, max_bytes, max_redirects
        self.retries, self.backoff, self.delay, self.robots_ttl = retries, backoff, delay, robots_ttl
        self.user_agent = user_agent
        self.clock = clock or Clock()
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)), follow_redirects=False,
            trust_env=False,  # no proxy from the environment: the address checks must see the real peer
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}, transport=transport)
        self._next: dict[str, float] = {}  # host -> earliest monotonic time of its next request
        self._robots: OrderedDict[str, tuple[float, urllib.robotparser.RobotFileParser]] = OrderedDict()
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the public call ---------------------------------------------------------------------------------
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Page:
        """The page at ``url`` (following up to ``max_redirects``); 304 when the validators still hold.

        Raises FetchError for anything else: refused addresses, robots.txt, 4xx, 5xx after retries,
        timeouts, bodies over the cap, too many redirects.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops: list[str] = []
        for _ in range(self.max_redirects + 1):
            self.check_url(url)
            if not self.allowed(url):
                raise FetchError(url, "disallowed by robots.txt")
            response, body = self._get_with_retries(url, headers)
            if response.status_code in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(url, f"HTTP {response.status_code} without a Location header",
                                     response.status_code)
                hops.append(url)
                url = urljoin(url, location)
                continue
            if response.status_code == 304:
                return Page(url, 304, etag=etag, last_modified=last_modified, redirects=hops)
            if response.status_code != 200:
                raise FetchError(url, f"HTTP {response.status_code}", response.status_code,
                                 transient=response.status_code in TRANSIENT)
            return Page(url, 200, body, response.headers.get("content-type", ""), response.headers.get("etag"),
                        response.headers.get("last-modified"), hops)
        raise FetchError(url, f"more than {self.max_redirects} redirects")

    # -- safety --------------------------------------------------------------------------------------
    def check_url(self, url: str) -> None:
        """Refuse anything but http(s) to a globally routable address (unless ``allow_private``)."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(url, f"not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "only http and https URLs are fetched")
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(url, f"cannot resolve {parts.hostname} ({exc})", transient=True) from None
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            if not _global(ip):
                raise FetchError(url, f"{parts.hostname} resolves to {ip}, a private, loopback or link-local "
                                      "address (allowed only with --allow-private)")

    def _check_peer(self, url: str, response: httpx.Response) -> None:
        stream = response.extensions.get("network_stream")
        addr = stream.get_extra_info("server_addr") if stream is not None else None
        if self.allow_private or not addr:
            return
        ip = ipaddress.ip_address(str(addr[0]).split("%")[0])
        if not _global(ip):
            raise FetchError(url, f"connected to {ip}, a private, loopback or link-local address (allowed only "
                                  "with --allow-private)")

    # -- robots.txt ---------------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        """May our user agent fetch ``url``? robots.txt is fetched once per origin and kept a day.

        As the standard says: a missing robots.txt (4xx) allows everything; one that cannot be fetched
        (5xx, network error) disallows everything until it is asked again, one ``robots_ttl`` later at
        most (a tenth of it for a failure).
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = self.clock.monotonic()
        cached = self._robots.get(origin)
        if cached is None or cached[0] < now:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            ttl = self.robots_ttl
            try:
                response, body = self._get_with_retries(origin + "/robots.txt", {"Accept": "text/plain"})
                status = response.status_code
                if status == 200:
                    parser.parse(body.decode("utf-8", "replace").splitlines())
                elif status in (401, 403):
                    parser.disallow_all = True
                elif 400 <= status < 500 or status in REDIRECTS:
                    parser.allow_all = True  # no robots.txt (a redirected one is not followed: allow)
                else:
                    parser.disallow_all, ttl = True, ttl / 10
            except FetchError:
                parser.disallow_all, ttl = True, ttl / 10
            cached = (now + ttl, parser)
            self._robots[origin] = cached
            while len(self._robots) > 2048:  # bounded memory over weeks of new hosts
                self._robots.popitem(last=False)
        self._robots.move_to_end(origin)
        return cached[1].can_fetch(self.user_agent, url)

    # -- one request, politely, with retries -------------------------------------------------------
    def _wait_turn(self, host: str) -> None:
        wait = self._next.get(host, 0.0) - self.clock.monotonic()
        if wait > 0:
            self.clock.sleep(wait)

    def _done_with(self, host: str, extra: float = 0.0) -> None:
        self._next[host] = self.clock.monotonic() + max(self.delay, extra)
        if len(self._next) > 4096:  # forget hosts whose turn has long come
            now = self.clock.monotonic()
            for h in [h for h, t in self._next.items() if t < now]:
                del self._next[h]

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        host = (urlsplit(url).hostname or "").lower()
        attempt = 0
        while True:
            self._wait_turn(host)
            retry_after = 0.0
            try:
                response, body = self._once(url, headers)
                if response.status_code not in TRANSIENT or attempt >= self.retries:
                    self._done_with(host)
                    return response, body
                retry_after = _retry_after(response.headers.get("retry-after"))
            except FetchError as exc:
                if not exc.transient or attempt >= self.retries:
                    self._done_with(host)
                    raise
            # a transient failure: this host's next turn comes after an exponential backoff
            self._done_with(host, min(max(self.backoff * 2 ** attempt, retry_after), 60.0))
            attempt += 1

    def _once(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        self.requests += 1
        deadline = time.monotonic() + self.timeout  # the whole exchange, not just each read
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                self._check_peer(url, response)
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > self.max_bytes and response.status_code == 200:
                    raise FetchError(url, f"body of {int(length):,} bytes is over the {self.max_bytes:,}-byte cap")
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decoded: the cap holds for compressed bodies too
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(url, f"body over the {self.max_bytes:,}-byte cap")
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"timed out after {self.timeout:g} s", transient=True)
                    chunks.append(chunk)
                return response, b"".join(chunks)
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self.timeout:g} s", transient=True) from None
        except httpx.DecodingError as exc:
            raise FetchError(url, f"undecodable body ({exc})") from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"network error: {type(exc).__name__}: {exc}".rstrip(": "),
                             transient=True) from None


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); 0 when absent or unreadable."""
    if not value:
        return 0.0
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


__all__ = ["Clock", "FetchError", "Fetcher", "Page", "USER_AGENT"]
