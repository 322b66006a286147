"""Who is asking and what the browser may do with the answer: proxy headers, CORS, security headers.

- `ForwardedHeaders` honours X-Forwarded-For/-Proto/-Host/-Prefix only from the configured proxy
  addresses (and drops them, with the sign-in header, from anyone else);
- `SecurityHeaders` adds nosniff, a referrer policy and the frame policy to every response: pages may
  be framed by the app itself only, `/embed` also by the allow-listed intranet origins;
- CORS (Starlette's middleware) answers only the allow-listed origins; by default none, so only the
  app's own pages can call the API from a browser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.limits import route_path

FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-prefix")
EMBED_PATHS = ("/embed",)


class TrustedProxies:
    def __init__(self, addresses: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip()]

    def __contains__(self, host: str | None) -> bool:
        if not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def _first(value: bytes) -> str:
    return value.decode("latin-1").split(",")[0].strip()


class ForwardedHeaders:
    """Uvicorn's proxy-header handling, plus the original peer kept for the sign-in check."""

    def __init__(self, app: ASGIApp, trusted: TrustedProxies, *, user_header: str | None = None, root_path: str = "") -> None:
        self.app = app
        self.trusted = trusted
        self.root_path = root_path.rstrip("/")
        self.private = set(FORWARDED)
        if user_header:
            self.private.add(user_header.lower().encode("latin-1"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        peer = (scope.get("client") or (None,))[0]
        scope["pressroom.peer"] = peer
        scope["pressroom.via_proxy"] = via_proxy = peer in self.trusted
        if not via_proxy:
            scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in self.private]
            _set_root(scope, self.root_path)
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if forwarded_for := headers.get(b"x-forwarded-for"):
            hops = [h.strip() for h in forwarded_for.decode("latin-1").split(",") if h.strip()]
            # The nearest hop that is not one of our proxies is the client.
            client = next((h for h in reversed(hops) if h not in self.trusted), hops[0] if hops else None)
            if client:
                scope["client"] = (client, 0)
        if proto := headers.get(b"x-forwarded-proto"):
            proto = _first(proto).lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        root = self.root_path
        if prefix := headers.get(b"x-forwarded-prefix"):
            root = "/" + _first(prefix).strip("/")
        _set_root(scope, "" if root == "/" else root)
        await self.app(scope, receive, send)


def _set_root(scope: Scope, root: str) -> None:
    """What uvicorn's --root-path does: the public prefix in root_path, and in path as ASGI expects, so
    routing (mounts included) strips it the same way whether or not the proxy already did."""
    if not root:
        return
    scope["root_path"] = root
    path = scope.get("path", "")
    if not (path == root or path.startswith(root + "/")):
        scope["path"] = root + path
        if raw := scope.get("raw_path"):
            scope["raw_path"] = root.encode("latin-1") + raw


def frame_ancestors(allowed_origins: Iterable[str], *, embed: bool) -> str:
    sources = ["'self'", *allowed_origins] if embed else ["'self'"]
    return "frame-ancestors " + " ".join(sources)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.page_policy = frame_ancestors(allowed_origins, embed=False)
        self.embed_policy = frame_ancestors(list(allowed_origins), embed=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = route_path(scope)
        embed = any(path == p or path.startswith(p + "/") for p in EMBED_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers.append("Content-Security-Policy", self.embed_policy if embed else self.page_policy)
                if not embed:  # X-Frame-Options cannot name origins; /embed relies on frame-ancestors alone
                    headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, send_with_headers)
