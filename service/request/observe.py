"""What one request carries through the service for its logs and metrics.

``REQUEST_ID`` holds the request id of the request being answered (``service.web.metrics``'s
middleware sets it: an incoming ``X-Request-ID`` when it is sane, else a new one). Context
variables follow the request onto the worker threads that do its work (anyio copies the
context), so every log line of the request can carry the id. ``search_done`` is how a search
reports whether it was answered; it counts only inside a request of an app with metrics
(``observe_searches``), and does nothing for the command line.

``JsonFormatter`` writes a log record as one JSON object a line: time, level, logger,
message, the request id when there is one, and the access fields the middleware adds
(method, path, route, status, duration_ms, client).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str | None] = ContextVar("cchc_request_id", default=None)
_SEARCHES: ContextVar[Callable[[bool | None], None] | None] = ContextVar(
    "cchc_search_observer", default=None
)

# an id a client or proxy sends is kept when it is this (no spaces, quotes or controls, so it
# is safe in a header, a log line and a shell); anything else gets a new id
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
ACCESS_FIELDS = ("method", "path", "route", "status", "duration_ms", "client")
LOG_FORMATS = ("text", "json")


def request_id(given: str | None) -> str:
    """``given`` when it is a sane id (``SANE_ID``), else a new random one (32 hex digits)."""
    if given is not None and SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@contextmanager
def observing(rid: str, searches: Callable[[bool | None], None] | None) -> Iterator[None]:
    """Within the block, log lines carry ``rid`` and searches are counted by ``searches``."""
    token = REQUEST_ID.set(rid)
    token_s = _SEARCHES.set(searches)
    try:
        yield
    finally:
        _SEARCHES.reset(token_s)
        REQUEST_ID.reset(token)


def search_done(answered: bool | None) -> None:
    """A search finished: ``answered`` True, False (nothing relevant) or None (not rated)."""
    observer = _SEARCHES.get()
    if observer is not None:
        observer(answered)


class JsonFormatter(logging.Formatter):
    """One JSON object a line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            out["request_id"] = rid
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)
