"""The commands a user types, as argv lists for ``subprocess`` (tests run the real CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def indexer_build(corpus: Path, index: Path, *extra: str) -> list[str]:
    """``python -m indexer build --corpus CORPUS --index INDEX [extra …]``."""
    cmd = [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus)]
    return [*cmd, "--index", str(index), *extra]


def libreoffice_convert(source: Path, fmt: str, out: Path) -> Path:
    """``soffice --headless --convert-to FMT --outdir OUT SOURCE`` as a user would run it (the
    test's own LibreOffice, with its own profile under ``out``; not the product's bounded
    converter): the file it made."""
    from indexer.readers import legacy_word

    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            legacy_word.soffice() or "soffice",
            f"-env:UserInstallation={(out / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=1800,  # a wait, not a bound under test: seconds when the machine is idle
    )
    made = out / f"{source.stem}.{fmt.split(':')[0]}"
    assert made.is_file(), f"LibreOffice made no {made.name}"
    return made
