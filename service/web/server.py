"""The HTTP server of ``serve``: uvicorn with limits on slow, idle and oversized requests.

uvicorn closes a connection that stays idle ``timeout_keep_alive`` seconds *after a response*,
but starts no timer before the first request, and any byte received cancels that timer: a
client that connects and says nothing, or sends its headers one byte at a time (slowloris),
holds the connection forever. ``HeadDeadlineProtocol`` (uvicorn's h11 protocol plus one timer)
closes a connection that has not sent a complete request head within ``header_timeout``
seconds of connecting or of the previous response. The request head is also bounded in bytes
(``max_header_bytes``): h11's own limit applies only while a head is incomplete, so a head
longer than that is refused here (431) whether it arrives in pieces or whole.
"""

from __future__ import annotations

import asyncio
import copy
import logging

import h11
import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE, H11Protocol

from service.settings import Settings

log = logging.getLogger(__name__)


class HeadDeadlineProtocol(H11Protocol):
    """H11Protocol that closes connections slower than ``header_timeout`` to send a head."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        timer, self._head_timer = getattr(self, "_head_timer", None), None
        if timer is not None:
            timer.cancel()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_too_large(data):
            self._refuse_large_head()
            return
        super().data_received(data)

    def _head_too_large(self, data: bytes) -> bool:
        """Whether the request head being received is longer than h11's limit (which bounds
        only a head that is still incomplete, not one that arrives whole)."""
        limit = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        buffered = self.conn.trailing_data[0] + data
        return len(buffered) > limit and b"\r\n\r\n" not in buffered[: limit + 4]

    def _refuse_large_head(self) -> None:
        body = b"request head too large\n"
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # a whole request head has arrived
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()  # the next request's head has the same time
        if self.conn.their_state is not h11.IDLE:  # a pipelined request is already in
            self._cancel_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.info("closing a connection that sent no complete request in time: %s", self.client)
            self.transport.close()


def protocol_for(settings: Settings) -> type[HeadDeadlineProtocol]:
    return type(
        "HeadDeadlineProtocol", (HeadDeadlineProtocol,), {"header_timeout": settings.header_timeout}
    )


def log_config(log_format: str = "text") -> dict:
    """uvicorn's logging, plus the service's own loggers (``service.*``) at INFO on stderr.

    ``text``: uvicorn's own lines (its access log included; the service's access lines,
    logger ``service.access``, are not shown). ``json``: every line one JSON object
    (``service.request.observe.JsonFormatter``) with the request id of its request; uvicorn's access
    log is replaced by the service's, which carries the route, status and duration."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["service"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    if log_format != "json":
        config["loggers"]["service.access"] = {"level": "WARNING"}
        return config
    config["formatters"] = {"json": {"()": "service.request.observe.JsonFormatter"}}
    for handler in config["handlers"].values():
        handler["formatter"] = "json"
    config["loggers"]["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return config


def server_config(app, settings: Settings) -> uvicorn.Config:
    """uvicorn's configuration for ``app`` under ``settings`` (what ``serve`` runs)."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol_for(settings),
        timeout_keep_alive=settings.keep_alive_timeout,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        server_header=False,
        # X-Forwarded-For/-Proto are believed from settings.trusted_proxies only, by the app
        # (service.web.access), not from the loopback as uvicorn would by default
        proxy_headers=False,
        log_config=log_config(settings.log_format),
        access_log=settings.log_format != "json",
    )


def run(app, settings: Settings) -> None:
    config = server_config(app, settings)  # configures logging (text or JSON lines)
    if settings.allowed_hosts is None and settings.host in ("0.0.0.0", "::"):
        log.warning(
            "serving on %s but answering only for the loopback names: set CCHC_ALLOWED_HOSTS "
            "to the names clients use",
            settings.host,
        )
    uvicorn.Server(config).run()
