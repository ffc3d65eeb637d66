"""The HTTP edge every request passes: Host check, HEAD, security headers (one ASGI layer).

- **Host**: a request whose ``Host`` is not one of ``allowed_hosts`` gets a 400 in the one
  error shape, before any route runs, so a forged Host never reaches a redirect or a page.
  Names match exactly (case-insensitive, port ignored), ``*.example.org`` matches its
  subdomains, ``*`` anything.
- **HEAD** is answered wherever GET is: the GET route runs, its headers are sent (with the
  GET's Content-Length) and its body is dropped. Uptime monitors probe with HEAD.
- **Security headers** on every response: ``X-Content-Type-Options: nosniff``, no framing
  (``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``) and
  ``Referrer-Policy: same-origin``.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def default_allowed_hosts(bound_host: str) -> list[str]:
    """The loopback names, and the interface the server binds (unless it is a wildcard)."""
    names = list(LOOPBACK_NAMES)
    if bound_host and bound_host not in ("0.0.0.0", "::", *names):
        names.append(bound_host)
    return names


def host_name(host_header: str) -> str:
    """``Example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str, allowed: list[str]) -> bool:
    name = host_name(host_header)
    if not name:
        return False
    for pattern in allowed:
        pattern = pattern.strip().lower().strip("[]")
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class EdgeMiddleware:
    """Host check, HEAD as a body-less GET, and the security headers; see the module doc."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]):
        self.app = app
        self.allowed_hosts = list(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_edge(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        if not host_allowed(Headers(scope=scope).get("host", ""), self.allowed_hosts):
            await _refuse_host(send_edge)
            return
        if head:  # a copy: the server still knows it answers a HEAD
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send_edge)


async def _refuse_host(send: Send) -> None:
    message = (
        "this server does not answer for the Host this request names; use one of its "
        "configured names (setting allowed_hosts, CCHC_ALLOWED_HOSTS)"
    )
    body = json.dumps({"error": {"code": "invalid_host", "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
