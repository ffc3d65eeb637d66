"""The service over HTTP on loopback: start it, drive it with bounded concurrent clients.

Only 127.0.0.1 is ever targeted: ``LOOPBACK`` is the one host this module connects to.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.measure import percentiles

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class ServiceProcess:
    """``python -m service serve`` over ``index_dir`` on a free loopback port."""

    def __init__(
        self,
        index_dir: Path,
        port: int | None = None,
        startup_timeout: float = 300,
        env: dict[str, str] | None = None,
        checkout: Path | None = None,
    ):
        """``env``: variables set for the service on top of this process's environment;
        ``checkout``: run the service code of another checkout of this project (a baseline
        commit's worktree) with this interpreter."""
        self.index_dir = Path(index_dir).resolve()
        self.checkout = Path(checkout).resolve() if checkout else None
        self.env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.startup_seconds = 0.0

    def __enter__(self) -> ServiceProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        if self.checkout is not None:
            env["PYTHONPATH"] = str(self.checkout)
        cmd = [
            sys.executable,
            "-m",
            "service",
            "serve",
            "--index",
            str(self.index_dir),
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
        ]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=self.checkout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        while time.perf_counter() - t0 < self.startup_timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"service exited at start: {self.proc.stderr.read()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    self.startup_seconds = time.perf_counter() - t0
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.__exit__()
        raise RuntimeError(f"service did not answer /health within {self.startup_timeout}s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else None,
            "latency_ms": percentiles(self.latencies_ms),
            "by_kind": {k: percentiles(v) for k, v in sorted(self.by_kind.items())},
            "status": dict(sorted(self.status.items())),
            "error_samples": self.error_samples[:5],
        }


async def _drive(
    url: str,
    next_request: Callable[[int], tuple[str, str]],
    concurrency: int,
    duration: float | None,
    max_requests: int | None,
    ok: Callable[[str, httpx.Response], bool],
) -> LoadResult:
    result = LoadResult()
    counter = iter(range(10**12))
    deadline = None if duration is None else time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client(c: httpx.AsyncClient) -> None:
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            n = next(counter)
            if max_requests is not None and n >= max_requests:
                return
            kind, path = next_request(n)
            t0 = time.perf_counter()
            try:
                resp = await c.get(path)
                good = ok(kind, resp)
                code = str(resp.status_code)
                detail = f"{kind} {path} → {resp.status_code} {resp.text[:200]}"
            except httpx.HTTPError as exc:
                good, code, detail = False, type(exc).__name__, f"{kind} {path} → {exc!r}"
            ms = (time.perf_counter() - t0) * 1000.0
            result.requests += 1
            result.status[code] = result.status.get(code, 0) + 1
            result.latencies_ms.append(ms)
            result.by_kind.setdefault(kind, []).append(ms)
            if not good:
                result.errors += 1
                result.error_samples.append(detail)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as c:
        await asyncio.gather(*(client(c) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - t0
    return result


def drive(
    url: str,
    next_request: Callable[[int], tuple[str, str]],
    concurrency: int = 8,
    duration: float | None = None,
    max_requests: int | None = None,
    ok: Callable[[str, httpx.Response], bool] = lambda kind, r: r.status_code == 200,
) -> LoadResult:
    """Run ``concurrency`` clients until ``duration`` seconds or ``max_requests`` requests.

    ``next_request(n)`` gives ``(kind, path)`` of the n-th request; paths are relative to
    ``url``, which must be a loopback URL.
    """
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"refusing to drive {url}: only http://{LOOPBACK}:<port> is allowed")
    if duration is None and max_requests is None:
        raise ValueError("give a duration or a number of requests: the loop must be bounded")
    return asyncio.run(_drive(url, next_request, concurrency, duration, max_requests, ok))
