"""The index directory: generations, the ``CURRENT`` pointer, manifests, durability.

A build writes a complete ``gen-<UTC time>-<rand>/`` directory, fsyncs it, then replaces
``CURRENT`` atomically (write ``CURRENT.tmp``, fsync, ``os.replace``, fsync the directory).
Readers only ever follow ``CURRENT``, so a build that dies half-way leaves the live
generation untouched; the next build deletes the leftover directory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import IndexNotFoundError

FORMAT_VERSION = 1
CURRENT = "CURRENT"
LOCK = "build.lock"
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
VECTORS = "vectors.faiss"
LEXICAL = "lexical"
GEN_PREFIX = "gen-"


def new_generation_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"


def current_generation(index_dir: Path) -> str | None:
    """Name of the live generation, or None when the directory holds no index yet."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def live_generation(index_dir: Path) -> Path:
    """The live generation directory; IndexNotFoundError if there is none."""
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    if name is None or not (index_dir / name / MANIFEST).is_file():
        raise IndexNotFoundError(
            f"no index at {index_dir} — build one with: python -m indexer build "
            f"--corpus CORPUS --index {index_dir}"
        )
    return index_dir / name


def read_manifest(gen_dir: Path) -> dict:
    return json.loads((Path(gen_dir) / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(gen_dir: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False)
    (Path(gen_dir) / MANIFEST).write_text(text + "\n", encoding="utf-8")


def fsync_tree(path: Path) -> None:
    """fsync every file and directory under ``path`` (and ``path`` itself)."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_current(index_dir: Path, gen_name: str) -> None:
    """Point ``CURRENT`` at ``gen_name`` atomically and durably."""
    index_dir = Path(index_dir)
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen_name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def generations(index_dir: Path) -> list[str]:
    return sorted(
        p.name for p in Path(index_dir).iterdir() if p.is_dir() and p.name.startswith(GEN_PREFIX)
    )


def remove_generations(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete every generation directory not in ``keep`` (partial or superseded)."""
    removed = []
    for name in generations(index_dir):
        if name not in keep:
            shutil.rmtree(Path(index_dir) / name, ignore_errors=True)
            removed.append(name)
    return removed
