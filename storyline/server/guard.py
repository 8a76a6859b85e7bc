"""Who may talk to a Storyline server, and what every response says about itself.

A server bound to loopback is still reachable from every web page open in the user's browser: a page can
send it forms and ``no-cors`` fetches (cross-site writes), and a DNS name an attacker controls can be made
to resolve to 127.0.0.1 (DNS rebinding), after which the attacker's page reads the server as its own
origin. The defences are the ones widely used local web tools settled on (Jupyter, webpack-dev-server,
Vite): answer only the Host names the server is meant to be reached by, refuse writes a browser marks as
cross-site (``Origin``, ``Sec-Fetch-Site``), take writes only as JSON or multipart (route handlers check the
type), and, once bound to an address other machines can reach, ask writers for a token.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin")]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """Is this bind address reachable only from this machine?"""
    host = host.strip("[]").lower()
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def host_name(value: str) -> str:
    """The name part of a Host header or URL authority ("[::1]:8000" → "::1"), lower case, no final dot."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.rsplit(":", 1)[0]
    return value.rstrip(".")


@dataclass(frozen=True, slots=True)
class Access:
    """The Host names a server answers to and the token writes need (None: no token).

    IP literals are always answered: DNS rebinding needs a name the attacker controls, and a page can only
    make the browser send ``Host: 192.168.1.5`` by being served from that address itself. ``token`` is
    required on every write when ``writes_need_token`` (a server other machines can reach); on loopback,
    only the routes that always need one (adding feeds) ask for it.
    """

    hosts: frozenset[str] = LOOPBACK_NAMES
    token: str | None = None
    writes_need_token: bool = False

    @classmethod
    def for_bind(cls, bind: str, allow: Iterable[str] = (), token: str | None = None) -> Access:
        names = {host_name(bind), *LOOPBACK_NAMES, *(host_name(h) for h in allow if h.strip())}
        beyond = not is_loopback(bind)
        if beyond and not token:
            raise ValueError(f"{bind} is reachable from other machines: writes need a token")
        return cls(frozenset(n for n in names if n), token or None, beyond)

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        return bool(name) and (name in self.hosts or _is_ip(name))


def _refusal(status: int, message: str, extra_headers: list[tuple[bytes, bytes]] = ()) -> list[Message]:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *extra_headers]
    return [{"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body}]


def cross_site_reason(headers: dict[bytes, bytes], scheme: str) -> str | None:
    """Why a write is refused as coming from another site, or None.

    ``Sec-Fetch-Site`` (sent by every current browser) must say same-origin or none (typed by the user);
    ``Origin`` (sent with every cross-origin and most same-origin writes) must be this server's own
    scheme, host and port. Clients that are not browsers send neither and are not affected.
    """
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    if site and site not in ("same-origin", "none"):
        return f"cross-site write refused (Sec-Fetch-Site: {site})"
    origin = headers.get(b"origin")
    if origin is None:
        return None
    value = origin.decode("latin-1").strip()
    own = f"{scheme}://{headers.get(b'host', b'').decode('latin-1').strip().lower()}"
    parts = urlsplit(value.lower()) if value.lower() != "null" else None
    if parts is None or f"{parts.scheme}://{parts.netloc}" != own:
        return f"cross-origin write refused (Origin: {value[:100]})"
    return None


class Guard:
    """ASGI middleware, outermost: the Host allow-list, cross-site and token checks, and the security
    headers on every response (refusals, errors and the 500s of unexpected exceptions included)."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app, self.access = app, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            for message in refusal:
                await with_headers(message)
            return
        await self.app(scope, receive, with_headers)

    def refusal(self, scope: Scope) -> list[Message] | None:
        headers = {k.lower(): v for k, v in scope["headers"]}
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.access.host_allowed(host):
            name = host_name(host)
            return _refusal(400, f"this server does not answer to the host name {name[:100]!r}"
                                 f"{f'; start it with --allow-host {name[:100]} to allow it' if name else ''}")
        if scope["method"] in SAFE_METHODS:
            return None
        why = cross_site_reason(headers, scope.get("scheme", "http"))
        if why is not None:
            return _refusal(403, why)
        if self.access.writes_need_token and self.access.token is not None:
            given = headers.get(b"authorization", b"").decode("latin-1")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(),
                                                                       self.access.token.encode()):
                return _refusal(401, "writes to this server need its token: send 'Authorization: Bearer TOKEN'",
                                [(b"www-authenticate", b'Bearer realm="storyline"')])
        return None
