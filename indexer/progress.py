"""The build's progress: tqdm bars on stderr on a terminal; without one (a log file, cron, a
service manager), a line every so many items with the rate and the time left. Nothing when
quiet."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

EVERY_ENV = "CCHC_PROGRESS_EVERY"  # documents between two lines without a terminal
EVERY = 10


def shown(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def bar(iterable: Iterable | None = None, *, quiet: bool, **options: Any):
    """A tqdm bar (``desc``, ``unit``, ``total``… as tqdm takes them) on stderr."""
    from tqdm import tqdm

    return tqdm(iterable, file=sys.stderr, disable=not shown(quiet), **options)


class OcrPages:
    """A second bar, under the files' bar, for the pages of the file being read by OCR
    (seconds each); without a terminal, one line per such file unless quiet. A callback for
    ``indexer.readers.ocr.reporting``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._bar: Any = None

    def __call__(self, name: str, done: int, total: int) -> None:
        if done == 0:
            self.close()
            if shown(self.quiet):
                self._bar = bar(
                    total=total,
                    desc=f"OCR {name[:30]}",
                    unit="page",
                    position=1,
                    leave=False,
                    quiet=self.quiet,
                )
            elif not self.quiet:
                print(f"{name}: reading {total} scanned pages by OCR", file=sys.stderr)
        elif self._bar is not None:
            self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def every_documents() -> int:
    """Documents between two progress lines without a terminal ($CCHC_PROGRESS_EVERY)."""
    try:
        return max(1, int(os.environ.get(EVERY_ENV, EVERY)))
    except ValueError:
        return EVERY


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Stage:
    """One stage of a build (reading, embedding, writing) with its total, rate and estimate
    of the time left: a bar on a terminal, else a line each ``every`` items and one at the
    end ("embedding: 480/3,900 texts (12%), 11.8/s, about 4 min 50 s left")."""

    def __init__(
        self,
        name: str,
        total: int,
        unit: str,
        *,
        quiet: bool,
        every: int | None = None,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self._clock = clock
        self._start = clock()
        self._out = out or sys.stderr
        self._every = every or every_documents()
        self._next = self._every
        self._bar: Any = None
        self._lines = not quiet and not shown(quiet) and total > 0
        if shown(quiet) and total > 0:
            self._bar = bar(total=total, desc=name, unit=unit, quiet=quiet)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._lines and (self.done >= self._next or self.done >= self.total):
            while self._next <= self.done:
                self._next += self._every
            print(self.line(), file=self._out, flush=True)

    def line(self) -> str:
        """The stage as one line: done, total, rate and time left."""
        spent = self._clock() - self._start
        rate = self.done / spent if spent > 0 else 0.0
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        text = f"{self.name}: {self.done:,}/{self.total:,} {self.unit}{share}"
        if rate > 0:
            text += f", {rate:.1f}/s"
            left = (self.total - self.done) / rate
            text += (
                f", about {_duration(left)} left"
                if self.done < self.total
                else f", {_duration(spent)}"
            )
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
