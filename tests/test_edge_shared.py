"""The web edge's shared pieces (issue 27, item 3): ``OnIndex``, the one dependency that leases
the live index and applies the request time limit. No index needed: a fake holder and request
stand in."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from service.settings import Settings
from service.web.deps import RunOnIndex
from service.web.timeout import RequestTimeoutError


class FakeHolder:
    """Counts leases and records what each piece of work saw."""

    def __init__(self):
        self.snap = SimpleNamespace(generation="gen-1")
        self.leases = 0
        self.lock = threading.Lock()

    @contextmanager
    def lease(self):
        with self.lock:
            self.leases += 1
        try:
            yield self.snap
        finally:
            with self.lock:
                self.leases -= 1


def _request(holder):
    async def is_disconnected() -> bool:
        return False

    app = SimpleNamespace(state=SimpleNamespace(holder=holder))
    return SimpleNamespace(app=app, is_disconnected=is_disconnected, url=SimpleNamespace(path="/x"))


def test_on_index_holds_the_lease_on_the_worker_for_the_whole_work():
    holder = FakeHolder()
    on_index = RunOnIndex(_request(holder), Settings(index_dir="/nonexistent"))
    seen = {}

    def work(snap):
        time.sleep(0.05)  # the lease is still held after a while
        seen.update(snap=snap, leases=holder.leases, thread=threading.current_thread())
        return "answer"

    assert asyncio.run(on_index(work)) == "answer"
    assert seen["snap"] is holder.snap and seen["leases"] == 1
    assert seen["thread"] is not threading.main_thread()
    assert holder.leases == 0  # released when the work is done


def test_on_index_applies_the_request_timeout():
    holder = FakeHolder()
    on_index = RunOnIndex(_request(holder), Settings(index_dir="/nonexistent", request_timeout=0.2))
    done = threading.Event()

    def slow(snap):
        time.sleep(0.6)
        done.set()

    with pytest.raises(RequestTimeoutError):
        asyncio.run(on_index(slow))
    done.wait(5)
    time.sleep(0.05)
    assert holder.leases == 0  # the abandoned work released its lease when it ended
