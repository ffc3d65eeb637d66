"""The build's progress bars: tqdm on stderr, drawn only on a terminal and unless quiet."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


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
