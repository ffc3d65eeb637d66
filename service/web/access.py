"""Access control and a rate limit, off on the loopback by default, one setting away on a network.

- **A token** (``token_hash`` / ``token_file``: a salted scrypt hash of it, never the token
  itself; ``python -m service token`` makes one). The JSON API takes it as
  ``Authorization: Bearer <token>``; the pages take a **session**: ``/dang-nhap`` asks for the
  token once and sets a signed cookie (HMAC-SHA256, ``HttpOnly``, ``SameSite=Lax``, ``Secure``
  over https, expiring after ``session_hours``), which the pages' downloads carry too;
  ``/dang-xuat`` ends it. Tokens and signatures are compared in constant time.
- **A reverse proxy that authenticates** (``trusted_proxies``): a request that comes from one
  of those addresses and carries ``proxy_user_header`` (``X-Forwarded-User``) is let in; its
  ``X-Forwarded-For`` and ``X-Forwarded-Proto`` name the client and the scheme. From any other
  address those headers are ignored.
- With either configured, nothing but ``/health``, the sign-in page and the static files
  answers without it: the API says 401 in the one error shape, a page redirects to the sign-in
  page (and back after it).
- **A rate limit** per client address (a token bucket of ``rate_limit`` requests a minute):
  past it, 429 with ``Retry-After``. On by default (``DEFAULT_RATE``) when access control is
  on or the service binds an interface other than the loopback; 0 turns it off.

``Access`` holds the configuration and the state (buckets, ended sessions); its clocks
(``now``: wall time for sessions, ``tick``: monotonic for buckets) are attributes a test may
replace. ``AccessMiddleware`` is the ASGI layer, inside ``EdgeMiddleware`` (so a forged Host is
refused first and every answer carries the security headers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from indexer.errors import IndexerError
from service.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "cchc_session"
SIGN_IN = "/dang-nhap"
SIGN_OUT = "/dang-xuat"
DEFAULT_RATE = 600  # requests a minute per client, when on by default (10 a second)
# open without a token: the service's state, the sign-in page and the files pages load
OPEN_PATHS = frozenset({"/health", SIGN_IN})
OPEN_PREFIXES = ("/static/", "/docs/assets/")
# answered with a redirect to the sign-in page (the others, the API, with 401)
PAGE_PATHS = frozenset({"/", "/so-sanh", "/trich-dan", "/bao-phu", "/docs", SIGN_OUT})
PAGE_PREFIXES = ("/doc/",)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

# scrypt: 2^14 × 8 × 128 B = 16 MB and ~50 ms a check; a token is 32 random bytes anyway
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_SCHEME = "scrypt"


_SCRYPT_SLOTS = threading.BoundedSemaphore(2)  # tokens hashed at once (CPU, 16 MB each)


class AccessConfigError(IndexerError):
    """A token hash, token file or trusted proxy that cannot be used (serve stops, one line)."""

    exit_code = 2


# -- the token ---------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_token() -> str:
    """A new token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str, salt: bytes | None = None) -> str:
    """``scrypt:N:r:p:<salt>:<hash>`` (base64url, no ``$``: safe in a shell or an env file)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(token.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"{HASH_SCHEME}:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}:{_b64(salt)}:{_b64(key)}"


@dataclass(frozen=True, slots=True)
class TokenHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    @classmethod
    def parse(cls, text: str, where: str = "CCHC_TOKEN_HASH") -> TokenHash:
        parts = text.strip().split(":")
        try:
            if len(parts) != 6 or parts[0] != HASH_SCHEME:
                raise ValueError("not scrypt:N:r:p:salt:hash")
            n, r, p = (int(x) for x in parts[1:4])
            if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
                raise ValueError("cost parameters out of range")
            salt, key = _unb64(parts[4]), _unb64(parts[5])
            if len(salt) < 8 or len(key) < 16:
                raise ValueError("salt or hash too short")
        except ValueError as exc:
            raise AccessConfigError(
                f"{where}: not a token hash ({exc}); make one with `python -m service token` "
                "and copy the line it prints"
            ) from None
        return cls(n, r, p, salt, key)

    def matches(self, token: str) -> bool:
        got = hashlib.scrypt(
            token.encode(),
            salt=self.salt,
            n=self.n,
            r=self.r,
            p=self.p,
            dklen=len(self.key),
            maxmem=256 * self.n * self.r * self.p + 2**20,
        )
        return hmac.compare_digest(got, self.key)


def read_token_file(path: Path) -> str:
    """The hash a token file holds: its ``CCHC_TOKEN_HASH=…`` line or its one bare line
    (blank lines and ``#`` comments ignored)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessConfigError(
            f"CCHC_TOKEN_FILE: cannot read {path} ({getattr(exc, 'strerror', None) or exc}); "
            "write the line `python -m service token` prints into it"
        ) from None
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line.split("=", 1)[1].strip().strip("'\"") if "=" in line else line
    raise AccessConfigError(f"CCHC_TOKEN_FILE: {path} holds no token hash")


# -- sessions ----------------------------------------------------------------------------------
class Sessions:
    """Signed session cookies: ``v1.<expiry>.<nonce>.<signature>``; an ended session's nonce
    is remembered until its expiry (sign-out)."""

    def __init__(self, secret: bytes, hours: float):
        self.secret = secret
        self.seconds = int(hours * 3600)
        self.ended: dict[str, int] = {}

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, payload.encode(), hashlib.sha256).digest())

    def make(self, now: float) -> str:
        payload = f"v1.{int(now) + self.seconds}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, value: str, now: float) -> bool:
        parts = value.split(".")
        if len(parts) != 4 or parts[0] != "v1" or not parts[1].isascii():
            return False
        payload, signature = ".".join(parts[:3]), parts[3]
        if not hmac.compare_digest(self._sign(payload).encode(), signature.encode()):
            return False
        expiry = int(parts[1]) if parts[1].isdigit() and len(parts[1]) <= 12 else 0
        return now < expiry and parts[2] not in self.ended

    def end(self, value: str, now: float) -> None:
        if self.valid(value, now):
            _, expiry, nonce, _ = value.split(".")
            self.ended = {n: e for n, e in self.ended.items() if e > now}
            self.ended[nonce] = int(expiry)


# -- the rate limit ----------------------------------------------------------------------------
class RateLimiter:
    """A token bucket per client: ``per_minute`` requests, refilled continuously; a full
    bucket holds one minute's worth. At most ``max_clients`` buckets are kept (the least
    recently seen dropped: a dropped client starts with a full bucket)."""

    def __init__(self, per_minute: int, max_clients: int = 10_000):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, tick: float) -> float:
        """0 when the request may go on; else the seconds until one more is allowed."""
        tokens, last = self.buckets.pop(client, (self.capacity, tick))
        tokens = min(self.capacity, tokens + (tick - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self.buckets[client] = (tokens, tick)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return wait


# -- the configuration -------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise AccessConfigError(
                f"CCHC_TRUSTED_PROXIES: {value!r} is not an IP address or network "
                '(e.g. \'["127.0.0.1", "10.0.0.0/24"]\')'
            ) from None
    return out


@dataclass
class Access:
    """What ``AccessMiddleware`` enforces, from the settings (``Access.from_settings``)."""

    token: TokenHash | None = None
    sessions: Sessions | None = None
    proxies: list = field(default_factory=list)
    user_header: str = "x-forwarded-user"
    limiter: RateLimiter | None = None
    secure_cookie: bool | None = None
    now: Callable[[], float] = time.time
    tick: Callable[[], float] = time.monotonic
    _good: bytes | None = None  # the sha256 of the last token that matched
    _bad: OrderedDict[bytes, None] = field(default_factory=OrderedDict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Access:
        hashed = settings.token_hash
        if not hashed and settings.token_file is not None:
            hashed = read_token_file(settings.token_file)
        token = TokenHash.parse(hashed) if hashed else None
        secret = settings.session_secret.get_secret_value() if settings.session_secret else None
        if secret:
            key = hashlib.sha256(b"cchc session v1\0" + secret.encode()).digest()
        elif token is not None:  # derived from the hash: a new token ends every session
            key = hmac.new(token.key + token.salt, b"cchc session v1", hashlib.sha256).digest()
        else:
            key = None
        proxies = _networks(settings.trusted_proxies)
        on = token is not None or bool(proxies)
        rate = settings.rate_limit
        if rate is None:
            rate = DEFAULT_RATE if on or not is_loopback(settings.host) else 0
        return cls(
            token=token,
            sessions=Sessions(key, settings.session_hours) if key and token else None,
            proxies=proxies,
            user_header=settings.proxy_user_header.lower(),
            limiter=RateLimiter(rate) if rate > 0 else None,
            secure_cookie=settings.session_cookie_secure,
        )

    @property
    def enabled(self) -> bool:
        """Whether requests need a token, a session or a trusted proxy's user."""
        return self.token is not None or bool(self.proxies)

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.proxies)

    def _known(self, token: str) -> tuple[bytes, bool | None]:
        """The token's SHA-256, and whether it is known to match (None: not known)."""
        digest = hashlib.sha256(token.encode()).digest()
        if self._good is not None and hmac.compare_digest(digest, self._good):
            return digest, True
        return digest, (False if digest in self._bad else None)

    def token_matches(self, token: str) -> bool:
        """Constant-time check of a presented token; a token seen to match is remembered by
        its SHA-256 (so scrypt runs once, not per request), a few wrong ones too."""
        if self.token is None or not token or len(token) > 512:
            return False
        digest, known = self._known(token)
        if known is not None:
            return known
        if self.token.matches(token):
            self._good = digest
            return True
        self._bad[digest] = None
        while len(self._bad) > 256:
            self._bad.popitem(last=False)
        return False

    async def check_token(self, token: str) -> bool:
        """``token_matches`` without blocking the event loop: a token not seen before is
        hashed (scrypt, ~50 ms and 16 MB) on a worker thread, two at a time at most."""
        if self.token is None or not token or len(token) > 512:
            return False
        known = self._known(token)[1]
        if known is not None:
            return known

        def hashed() -> bool:
            with _SCRYPT_SLOTS:
                return self.token_matches(token)

        return await anyio.to_thread.run_sync(hashed)

    def session_valid(self, cookie: str | None) -> bool:
        if not cookie or self.sessions is None:
            return False
        return self.sessions.valid(cookie, self.now())


def exposure_warning(settings: Settings, access: Access) -> str | None:
    """The one line ``serve`` prints when it binds beyond the loopback with no access
    control (what, why, what to do); None otherwise."""
    if is_loopback(settings.host) or access.enabled:
        return None
    return (
        f"warning: serving on {settings.host}:{settings.port} without access control — anyone "
        "who can reach this port can read every plan and download every export; set a token "
        "(python -m service token, then CCHC_TOKEN_HASH or CCHC_TOKEN_FILE) or put an "
        "authenticating reverse proxy in front (CCHC_TRUSTED_PROXIES); see docs/security.md"
    )


# -- the ASGI layer ----------------------------------------------------------------------------
def _cookie(headers: Headers, name: str) -> str | None:
    for header in headers.getlist("cookie"):
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
    return None


def _forwarded_client(headers: Headers, access: Access, peer: str) -> str:
    """The client a trusted proxy names: the last address in ``X-Forwarded-For`` that is not
    itself a trusted proxy (the ones before it could be written by the client)."""
    hops = [h.strip() for h in ",".join(headers.getlist("x-forwarded-for")).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not access.trusted(hop):
            return hop
    return peer


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]):
    headers = [(b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _json_error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class AccessMiddleware:
    """A trusted proxy's client and scheme, the rate limit, then access control."""

    def __init__(self, app: ASGIApp, access: Access):
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        access = self.access
        headers = Headers(scope=scope)
        peer = (scope.get("client") or ("", 0))[0]
        user = None
        if access.proxies and access.trusted(peer):
            client = _forwarded_client(headers, access, peer)
            proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
            scope = {**scope, "client": (client, 0)}
            if proto in ("http", "https"):
                scope["scheme"] = proto
            user = headers.get(access.user_header, "").strip() or None
        if access.limiter is not None:
            client = (scope.get("client") or ("", 0))[0]
            wait = access.limiter.take(client, access.tick())
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                body = _json_error(
                    "rate_limited",
                    f"too many requests from this address; try again in {retry} s "
                    "(setting rate_limit, CCHC_RATE_LIMIT)",
                )
                await _answer(
                    send,
                    429,
                    body,
                    [(b"content-type", b"application/json"), (b"retry-after", retry.encode())],
                )
                return
        if not access.enabled:
            await self.app(scope, receive, send)
            return
        how = await self._authenticated(headers, user)
        path = scope["path"]
        if how is None and not (path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)):
            await self._refuse(scope, send, path)
            return
        scope = {**scope, "cchc_auth": how}
        await self.app(scope, receive, send)

    async def _authenticated(self, headers: Headers, user: str | None) -> str | None:
        """How the request proves access: ``proxy``, ``token`` or ``session``; None."""
        if user:
            return "proxy"
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and await self.access.check_token(token.strip()):
            return "token"
        if self.access.session_valid(_cookie(headers, COOKIE)):
            return "session"
        return None

    async def _refuse(self, scope: Scope, send: Send, path: str) -> None:
        if path in PAGE_PATHS or path.startswith(PAGE_PREFIXES):
            query = scope.get("query_string", b"").decode("latin-1")
            target = f"{path}?{query}" if query else path
            location = f"{SIGN_IN}?next={quote(target, safe='')}"
            await _answer(send, 303, b"", [(b"location", location.encode())])
            return
        body = _json_error(
            "unauthorized",
            "this service needs a token: send `Authorization: Bearer <token>` (or sign in "
            f"on {SIGN_IN} for the pages)",
        )
        await _answer(
            send,
            401,
            body,
            [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="cchc"')],
        )


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//host`` or a URL)."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(ch) < 0x20 for ch in value) or value.startswith((SIGN_IN, SIGN_OUT)):
        return "/"
    return value
