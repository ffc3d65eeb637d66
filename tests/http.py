"""What tests need to reach the app: the base URL a TestClient uses, ``app_client`` (the real
app over an index), a free local port, and ``ServeProcess``, the real ``python -m service
serve`` in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
# A Host the app answers for by default (its allowed hosts are the loopback names):
# TestClient's own default, http://testserver, is refused like any unknown Host.
LOCAL = "http://127.0.0.1"


@contextmanager
def app_client(index_dir: Path) -> Iterator[TestClient]:
    """A TestClient of the real app (``create_app``, default settings) over ``index_dir``,
    at ``LOCAL``; the app starts and stops with the ``with`` block."""
    from fastapi.testclient import TestClient

    from service.settings import Settings
    from service.web.app import create_app

    with TestClient(create_app(Settings(index_dir=index_dir)), base_url=LOCAL) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """``python -m service serve --index INDEX`` on a free loopback port, until it answers.

    ``env``: extra environment (settings as ``CCHC_*``); ``wrap``: turns the argv into another
    (e.g. run it inside a private mount namespace). ``stderr()`` is what it logged so far.
    """

    def __init__(
        self,
        index: Path,
        env: dict[str, str] | None = None,
        wrap: Callable[[list[str]], list[str]] | None = None,
        ready_status: tuple[int, ...] = (200,),
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "service", "serve", "--index", str(index)]
        self.argv = [*argv, "--port", str(self.port)]
        if wrap is not None:
            self.argv = wrap(self.argv)
        self.env = {**os.environ, **(env or {})}
        self.ready_status = ready_status
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 — closed in __exit__
        self.proc: subprocess.Popen | None = None
        self._final = ""

    def __enter__(self) -> ServeProcess:
        self.proc = subprocess.Popen(
            self.argv, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=self._log
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(self.base + "/health", timeout=10).status_code in self.ready_status:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.stderr()}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise AssertionError(f"serve did not answer in 120 s: {self.stderr()}")
            time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if not self._log.closed:
            self._final = self.stderr()
            self._log.close()

    def stderr(self) -> str:
        """What the server wrote on stderr (its log), so far or until it stopped."""
        if self._log.closed:
            return self._final
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")
