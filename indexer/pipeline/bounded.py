"""One file, one bounded worker: reading a file runs in a child process that can be stopped
as a whole, within a time and a memory limit per file.

A file is untrusted input: a 1 KB PDF can make PDFium allocate without end, an RTF can make
LibreOffice take gigabytes, a page of noise can keep Tesseract busy for minutes. So the
build never reads a file in its own process. ``BoundedReader`` keeps one worker process
(started once: the readers' imports cost a second or two) in its own session, with its
address space limited (``RLIMIT_AS``, inherited by what it starts: LibreOffice, Tesseract),
and sends it one file at a time:

- a file that takes longer than ``CCHC_FILE_SECONDS`` → the worker and every process under
  it are killed (its session and its descendants), the file is skipped with one line naming
  the limit and its variable, and a new worker takes the next file;
- a file that needs more memory than ``CCHC_FILE_MEMORY_MB`` → the allocation fails in the
  worker (Python's MemoryError, or the library aborts): the file is skipped with one line;
- any other death of the worker (a crash in a library) → the file is skipped with one line.

The build goes on in every case, and nothing already indexed is touched. No process outlives
``close()``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import limits
from indexer.pipeline.jobs import FileJob, Parsed, _shown, out_of_memory, parse_job

if TYPE_CHECKING:
    from indexer.readers.ocr import Progress

_SIGNALS = {signal.SIGKILL: "killed", signal.SIGSEGV: "crashed", signal.SIGABRT: "aborted"}
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36
# where the worker starts: the folder that holds the ``indexer`` package, so it imports this
# very package and nothing the caller's working directory happens to hold
_HOME = Path(__file__).resolve().parents[2]


def _prctl(option: int, value: int) -> None:
    """Linux's prctl, where there is one (elsewhere: nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def serve(memory_bytes: int = 0) -> None:
    """The worker (``python -c "…serve(N)"``, started in a session of its own): it dies with
    the build, keeps the orphans of its children under it (findable, so stoppable), bounds
    its address space (inherited by LibreOffice and Tesseract), then reads files from stdin
    and answers on what was stdout (stdout itself is pointed at stderr, so nothing a library
    prints can break the exchange); OCR progress goes out before the file's result."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from indexer.readers import ocr

    inbox = Connection(os.dup(0), writable=False)
    outbox = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)

    def progress(name: str, done: int, total: int) -> None:
        outbox.send(("ocr", name, done, total))

    while True:
        try:
            job = inbox.recv()
        except EOFError:
            return
        if job is None:
            return
        with ocr.reporting(progress):
            result = parse_job(job)
        spent = memory_bytes > 0 and _peak_bytes() >= 0.9 * memory_bytes
        if spent and result.document is None:  # the reader failed at the memory limit
            result = out_of_memory(job, memory_bytes / 2**20)
        if spent:  # this worker's peak stays high: the next file gets a fresh one
            outbox.send(("spent",))
        outbox.send(result)


def _peak_bytes() -> int:
    """This process's peak address space (Linux; 0 where it cannot be read)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class BoundedReader:
    """Reads files one at a time in a bounded worker process (see the module docstring).

    ``seconds`` / ``memory_mb``: the limits per file (None: the settings' values)."""

    def __init__(self, seconds: float | None = None, memory_mb: float | None = None):
        self.seconds = seconds if seconds is not None else limits.FILE_SECONDS.value()
        self.memory_mb = memory_mb if memory_mb is not None else limits.FILE_MEMORY_MB.value()
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id (None before the first file or after a failure)."""
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> tuple[Connection, Connection]:
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            memory = int(self.memory_mb * 2**20)
            code = f"from indexer.pipeline.bounded import serve; serve({memory})"
            self._proc = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_HOME,
                start_new_session=True,  # it and all it starts: one group, stopped at once
            )
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._send = Connection(os.dup(self._proc.stdin.fileno()), readable=False)
            self._recv = Connection(os.dup(self._proc.stdout.fileno()), writable=False)
            self._proc.stdin.close()
            self._proc.stdout.close()
        assert self._send is not None and self._recv is not None
        return self._send, self._recv

    def __call__(self, job: FileJob, progress: Progress | None = None) -> Parsed:
        """The file read by the worker within the limits; ``progress`` hears of its OCR
        pages as the worker reads them."""
        send, recv = self._start()
        deadline = time.monotonic() + self.seconds
        spent = False
        try:
            send.send(job)
            while recv.poll(max(0.0, deadline - time.monotonic())):
                message = recv.recv()
                if isinstance(message, Parsed):
                    if spent:
                        self._stop()
                    return message
                if message == ("spent",):
                    spent = True
                elif progress is not None and isinstance(message, tuple):
                    progress(*message[1:])
        except (EOFError, OSError):
            return self._failed(job, timed_out=False)  # the worker died
        return self._failed(job, timed_out=True)

    def _failed(self, job: FileJob, timed_out: bool) -> Parsed:
        """The file's one line after its worker timed out or died; the worker is gone."""
        proc = self._proc
        if not timed_out and proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        code = None if timed_out or proc is None else proc.returncode
        self._stop()
        name = _shown(job.rel)
        if timed_out:
            line = (
                f"{name}: reading it took longer than {self.seconds:g} s (the time limit per "
                f"file) and was stopped — check the file; raise the limit with "
                f"{limits.FILE_SECONDS.env}={self.seconds * 2:g} if it is genuine"
            )
        else:
            if code is not None and code < 0:
                how = _SIGNALS.get(signal.Signals(-code), f"stopped by signal {-code}")
            else:
                how = f"exited with code {code}"
            line = (
                f"{name}: the process reading it {how} (a damaged file, or more than "
                f"{self.memory_mb:g} MB of memory, the limit per file) — check the file; raise "
                f"the limit with {limits.FILE_MEMORY_MB.env}={self.memory_mb * 2:g} if it is "
                "genuine"
            )
        return Parsed(job.rel, job.sha256, lines=[line], unexpected=True)

    def _stop(self) -> None:
        """Kill the worker, its session and whatever it started; wait for them."""
        proc, self._proc = self._proc, None
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._send = self._recv = None
        if proc is None:
            return
        _kill_tree(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)

    def close(self) -> None:
        """Stop the worker (politely when idle, by force otherwise)."""
        if self._proc is not None and self._proc.poll() is None and self._send is not None:
            try:
                self._send.send(None)
                self._proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self._stop()

    def __enter__(self) -> BoundedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kill_tree(pid: int) -> None:
    """SIGKILL a process, every process of its session, and its descendants (a converter
    that started a session of its own included)."""
    import psutil

    try:
        root = psutil.Process(pid)
        victims = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        victims = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the worker's session leader: its group
    for victim in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            victim.kill()
    psutil.wait_procs(victims, timeout=5)


_READER: BoundedReader | None = None  # a Ray worker process's own (see read_bounded)


def read_bounded(job: FileJob) -> Parsed:
    """``parse_job`` within the limits, through one ``BoundedReader`` kept per process: what
    a worker of a Ray cluster runs for each file (its reader process lives as long as the
    worker, and dies with it)."""
    global _READER
    if _READER is None:
        _READER = BoundedReader()
    return _READER(job)
