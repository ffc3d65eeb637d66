"""Cancelling abandoned work: the checkpoint the cores (search, compare, coverage) call.

A request's work runs on a worker thread with a cancel event set in this context (see
``service.web.timeout.run_bounded``, the HTTP wrapper). The cores call ``checkpoint()``
between their steps; once the request is abandoned (the client left, the time limit passed)
the next checkpoint raises ``Cancelled`` in the worker, so the work stops instead of running
on. Outside a request (the CLI, tests) ``checkpoint()`` does nothing. This module imports
nothing of the service: every core may import it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_cancelled: ContextVar[threading.Event | None] = ContextVar("cchc_cancelled", default=None)


class Cancelled(Exception):  # noqa: N818 — a signal, not an error
    """Raised by ``checkpoint()`` in the worker of a request that was abandoned."""


def checkpoint() -> None:
    """Stop here (raise ``Cancelled``) if the current request has been abandoned."""
    event = _cancelled.get()
    if event is not None and event.is_set():
        raise Cancelled


def cancellable(cancel: threading.Event, fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` with ``cancel`` as the event every checkpoint it passes reads."""
    token = _cancelled.set(cancel)
    try:
        return fn(*args)
    finally:
        _cancelled.reset(token)
