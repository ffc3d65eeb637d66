"""The request time limit for the CPU-heavy requests (search, compare, coverage, pages).

``run_bounded(request, seconds, fn, *args)`` runs ``fn`` on a worker thread and waits for it,
checking every ``POLL`` seconds whether the client is still there. When the client has gone,
or the time is up (answer: ``RequestTimeoutError``, a 503), the work is *cancelled*: the
cores call ``service.request.cancel.checkpoint()`` between their steps, and a cancelled
request's next checkpoint raises ``Cancelled`` in its worker thread, so an abandoned
comparison stops computing instead of running on for minutes. A step itself (one
embedding, one assignment) is not interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
from starlette.requests import Request

from indexer.errors import IndexerError
from service.request.cancel import Cancelled, cancellable

log = logging.getLogger(__name__)

POLL = 0.1  # seconds between two checks of the client and the clock
T = TypeVar("T")


class RequestTimeoutError(IndexerError):
    """A request that did not finish within ``request_timeout`` seconds (503)."""


class ClientGoneError(IndexerError):
    """The client disconnected before the answer was ready (nobody reads this answer)."""


async def run_bounded(request: Request, seconds: float, fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` on a worker thread, within ``seconds`` (0: no limit) and while the client
    stays connected; RequestTimeoutError / ClientGoneError otherwise (the work is cancelled)."""
    cancel = threading.Event()

    task = asyncio.ensure_future(anyio.to_thread.run_sync(cancellable, cancel, fn, *args))
    start = time.monotonic()
    try:
        while True:
            left = seconds - (time.monotonic() - start) if seconds else POLL
            done, _ = await asyncio.wait({task}, timeout=max(0.0, min(POLL, left)))
            if done:
                return task.result()
            if await request.is_disconnected():
                gone = time.monotonic() - start
                log.info("%s abandoned: the client left after %.1f s", request.url.path, gone)
                raise ClientGoneError("the client disconnected; the request was cancelled")
            if seconds and time.monotonic() - start >= seconds:
                log.warning("%s stopped after %.1f s (request_timeout)", request.url.path, seconds)
                raise RequestTimeoutError(
                    f"the request took longer than {seconds:g} s and was stopped; try again "
                    "later, or with a shorter query or smaller plans (setting request_timeout)"
                )
    except BaseException:
        cancel.set()
        task.add_done_callback(partial(_forget, request.url.path, start))
        raise


def _forget(path: str, start: float, task: asyncio.Future) -> None:
    """Collect an abandoned worker's outcome (``Cancelled`` at its next checkpoint, or its
    finished result), so nothing is left unretrieved; log where it stopped."""
    if task.cancelled():
        return
    stopped = isinstance(task.exception(), Cancelled)
    how = "stopped at a checkpoint" if stopped else "finished"
    log.info("%s: abandoned work %s after %.1f s", path, how, time.monotonic() - start)
