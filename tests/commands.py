"""The commands a user types, as argv lists for ``subprocess`` (tests run the real CLI)."""

from __future__ import annotations

import sys
from pathlib import Path


def indexer_build(corpus: Path, index: Path, *extra: str) -> list[str]:
    """``python -m indexer build --corpus CORPUS --index INDEX [extra …]``."""
    cmd = [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus)]
    return [*cmd, "--index", str(index), *extra]
